package kojibuild_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/osg-htc/osg-build-go/internal/kojibuild"
	"github.com/osg-htc/osg-build-go/internal/targets"
	"github.com/osg-htc/osg-build-go/internal/vcs"
	"github.com/osg-htc/osg-build-go/pkg/hub"
	"github.com/osg-htc/osg-build-go/pkg/hub/pki"
	"github.com/osg-htc/osg-build-go/pkg/koji"
	"github.com/osg-htc/osg-build-go/pkg/koji/client"
)

// servedHub is an embedded hub with the OSG 25 preset served over loopback
// TLS, counting the HTTP requests it answers.
type servedHub struct {
	requests atomic.Int64
	client   *client.Client
}

func serveHub(t testing.TB) *servedHub {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	if _, err := hub.Init(ctx, dir, hub.InitOptions{LocalUser: "packager"}); err != nil {
		t.Fatal(err)
	}
	h, err := hub.Open(ctx, dir, hub.WithLocalUser("packager"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	ca, err := pki.NewCA("test hub CA", 1)
	if err != nil {
		t.Fatal(err)
	}
	cert, key, err := ca.Issue("127.0.0.1", true, []string{"127.0.0.1"}, 1)
	if err != nil {
		t.Fatal(err)
	}
	tc, err := pki.ServerTLS(ca, cert, key)
	if err != nil {
		t.Fatal(err)
	}
	s := &servedHub{}
	inner := h.Handler()
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.requests.Add(1)
		inner.ServeHTTP(w, r)
	}))
	srv.TLS = tc
	srv.StartTLS()
	t.Cleanup(srv.Close)
	cdir := t.TempDir()
	if err := os.WriteFile(filepath.Join(cdir, "ca.crt"), ca.PEM, 0o644); err != nil {
		t.Fatal(err)
	}
	ucert, ukey, err := ca.Issue("packager", false, nil, 1)
	if err != nil {
		t.Fatal(err)
	}
	pem := filepath.Join(cdir, "packager.pem")
	if err := os.WriteFile(pem, append(ucert, ukey...), 0o600); err != nil {
		t.Fatal(err)
	}
	s.client = client.New(client.Options{Server: srv.URL + "/kojihub", TopURL: srv.URL + "/kojifiles",
		ServerCA: filepath.Join(cdir, "ca.crt"), Cert: pem, MaxRetries: -1, Timeout: 30 * time.Second})
	if err := s.client.LoginSSL(ctx); err != nil {
		t.Fatal(err)
	}
	return s
}

// packageDirs makes n package directories (osg/NAME.spec).
func packageDirs(t testing.TB, n int) []string {
	root := t.TempDir()
	var dirs []string
	for i := range n {
		name := fmt.Sprintf("pkg%02d", i)
		d := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Join(d, "osg"), 0o755); err != nil {
			t.Fatal(err)
		}
		spec := fmt.Sprintf("Name: %s\nVersion: 1\nRelease: 1%%{?dist}\n", name)
		if err := os.WriteFile(filepath.Join(d, "osg", name+".spec"), []byte(spec), 0o644); err != nil {
			t.Fatal(err)
		}
		dirs = append(dirs, d)
	}
	return dirs
}

// submitScratch submits scratch builds of 20 packages × 2 dvers through the
// served hub (uploading a stand-in SRPM per build) without watching, and
// returns the task ids.
func submitScratch(t testing.TB, s *servedHub, pkgs int) []int {
	dirs := packageDirs(t, pkgs)
	srpmDir := t.TempDir()
	var errBuf, out bytes.Buffer
	env := &kojibuild.Env{
		Hub:     func(ctx context.Context) (koji.Hub, error) { return s.client, nil },
		Targets: targets.Default(),
		VCS:     vcs.Default(),
		Prebuild: func(ctx context.Context, dir, dver string) (string, error) {
			p := filepath.Join(srpmDir, filepath.Base(dir)+"-1-1.osg."+dver+".src.rpm")
			return p, os.WriteFile(p, []byte("stand-in SRPM of "+dir), 0o644)
		},
		Asker: &kojibuild.Asker{}, Out: &out, Err: &errBuf, Display: kojibuild.DisplayNone, WatchCommand: "osg-build watch-task",
	}
	o := &kojibuild.Options{Args: dirs, Scratch: true, NoWait: true,
		Targets: targets.Request{Repo: "25-main", Dvers: []string{"el8", "el9"}}}
	rep, err := kojibuild.Run(context.Background(), env, o)
	if err != nil {
		t.Fatalf("%v\n%s", err, errBuf.String())
	}
	var ids []int
	for _, j := range rep.Jobs {
		if j.TaskID == 0 {
			t.Fatalf("%s %s not submitted: %s", j.Name, j.Dver, j.Error)
		}
		ids = append(ids, j.TaskID)
	}
	return ids
}

// TestServedWatchRequestsPerPoll submits 20 packages × 2 dvers to a served
// hub and counts the HTTP requests of each poll of the watch: one, whatever
// the number of tasks. The koji CLI's watch makes two per task per poll
// (getTaskInfo + getTaskChildren): measured here the same way.
func TestServedWatchRequestsPerPoll(t *testing.T) {
	s := serveHub(t)
	before := s.requests.Load()
	ids := submitScratch(t, s, 20)
	submitReqs := s.requests.Load() - before
	if len(ids) != 40 {
		t.Fatalf("%d tasks, want 40", len(ids))
	}

	// Watch for 5 polls (no task engine here: the tasks stay FREE).
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var perPoll []int64
	last := s.requests.Load()
	w := &kojibuild.Watcher{Hub: s.client, Display: kojibuild.DisplayNone,
		Sleep: func(ctx context.Context, d time.Duration) error { return ctx.Err() }}
	w.OnPoll = func(n int) {
		now := s.requests.Load()
		perPoll = append(perPoll, now-last)
		last = now
		if n == 5 {
			cancel()
		}
	}
	if _, err := w.Watch(ctx, ids); err != context.Canceled {
		t.Fatalf("watch: %v", err)
	}
	for i, n := range perPoll {
		if n > 2 {
			t.Errorf("poll %d: %d HTTP requests for %d tasks, want ≤ 2", i+1, n, len(ids))
		}
	}

	// The koji CLI's way: getTaskInfo and getTaskChildren per task.
	start := s.requests.Load()
	for _, id := range ids {
		if _, err := s.client.GetTaskInfo(context.Background(), id, koji.GetTaskInfoOpts{Request: true}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.client.GetTaskChildren(context.Background(), id, koji.GetTaskChildrenOpts{}); err != nil {
			t.Fatal(err)
		}
	}
	kojiPerPoll := s.requests.Load() - start
	t.Logf("submit 20 packages x 2 dvers: %d HTTP requests; watch: %v requests per poll for %d tasks; koji CLI style: %d per poll (ratio %.0fx)",
		submitReqs, perPoll, len(ids), kojiPerPoll, float64(kojiPerPoll)/float64(max(perPoll[0], 1)))
	polls := make([]string, len(perPoll))
	for i, n := range perPoll {
		polls[i] = strconv.FormatInt(n, 10)
	}
	fmt.Printf("WATCH_FIGURES tasks=%d submit_requests=%d watch_requests_per_poll=%s koji_style_requests_per_poll=%d\n",
		len(ids), submitReqs, strings.Join(polls, ","), kojiPerPoll)
}

// BenchmarkServedWatchPoll measures one poll of 40 tasks over HTTP.
func BenchmarkServedWatchPoll(b *testing.B) {
	s := serveHub(b)
	ids := submitScratch(b, s, 20)
	start := s.requests.Load()
	b.ResetTimer()
	for range b.N {
		ctx, cancel := context.WithCancel(context.Background())
		w := &kojibuild.Watcher{Hub: s.client, Display: kojibuild.DisplayNone,
			Sleep: func(ctx context.Context, d time.Duration) error { return ctx.Err() }}
		w.OnPoll = func(int) { cancel() }
		w.Watch(ctx, ids)
		cancel()
	}
	b.ReportMetric(float64(s.requests.Load()-start)/float64(b.N), "req/poll")
}
