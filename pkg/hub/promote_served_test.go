package hub_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/osg-htc/osg-build-go/internal/kojibuild"
	"github.com/osg-htc/osg-build-go/internal/promote"
	"github.com/osg-htc/osg-build-go/pkg/hub"
	"github.com/osg-htc/osg-build-go/pkg/hub/pki"
	"github.com/osg-htc/osg-build-go/pkg/koji"
	"github.com/osg-htc/osg-build-go/pkg/koji/client"
)

// promoteHub is a hub with the osg-25 preset and the promotion benchmark's
// builds, served over loopback TLS, counting the HTTP requests it answers.
type promoteHub struct {
	h        *hub.Hub
	requests atomic.Int64
	url, ca  string
	cert     string
}

func newPromoteHub(tb testing.TB, pkgs, per int) *promoteHub {
	tb.Helper()
	ctx := context.Background()
	dir := tb.TempDir()
	if _, err := hub.Init(ctx, dir, hub.InitOptions{LocalUser: "packager"}); err != nil {
		tb.Fatal(err)
	}
	h, err := hub.Open(ctx, dir, hub.WithLocalUser("packager"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { h.Close() })
	if err := h.FillPromoteBench(ctx, []string{"el8", "el9", "el10"}, pkgs, per, "effc3be6"); err != nil {
		tb.Fatal(err)
	}
	ca, err := pki.NewCA("test hub CA", 1)
	if err != nil {
		tb.Fatal(err)
	}
	cert, key, err := ca.Issue("127.0.0.1", true, []string{"127.0.0.1"}, 1)
	if err != nil {
		tb.Fatal(err)
	}
	tc, err := pki.ServerTLS(ca, cert, key)
	if err != nil {
		tb.Fatal(err)
	}
	p := &promoteHub{h: h}
	inner := h.Handler()
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.requests.Add(1)
		inner.ServeHTTP(w, r)
	}))
	srv.TLS = tc
	srv.StartTLS()
	tb.Cleanup(srv.Close)
	cdir := tb.TempDir()
	p.url, p.ca, p.cert = srv.URL+"/kojihub", filepath.Join(cdir, "ca.crt"), filepath.Join(cdir, "packager.pem")
	ucert, ukey, err := ca.Issue("packager", false, nil, 1)
	if err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(p.ca, ca.PEM, 0o644); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(p.cert, append(ucert, ukey...), 0o600); err != nil {
		tb.Fatal(err)
	}
	return p
}

func (p *promoteHub) client() *client.Client {
	return client.New(client.Options{Server: p.url, ServerCA: p.ca, Cert: p.cert, MaxRetries: -1, Timeout: time.Minute})
}

// promoteRoutes is 25-main for el8, el9 and el10, requiring a key that
// signed every RPM of the benchmark.
func promoteRoutes(tb testing.TB) ([]promote.RouteDvers, map[string]*promote.Key) {
	c := promote.Default()
	sel, err := c.Choose([]string{"25-main"}, promote.DverFlags{})
	if err != nil {
		tb.Fatal(err)
	}
	return sel, map[string]*promote.Key{"OSG-25-developer": {Name: "OSG-25-developer", KeyID: "effc3be6", Dvers: []string{"el8", "el9", "el10"}}}
}

func promoteArgs(n int) []string {
	args := make([]string, n)
	for i := range args {
		args[i] = fmt.Sprintf("pkg%04d", i)
	}
	return args
}

// promoteServed plans and tags the promotion of n packages through the
// served hub, as osg-build promote does (login, plan, tagBuild multiCall,
// watch), and returns the plan and the HTTP requests it took.
func promoteServed(tb testing.TB, p *promoteHub, n int) (*promote.Plan, *promote.Outcome, int64, time.Duration) {
	tb.Helper()
	ctx := context.Background()
	routes, keys := promoteRoutes(tb)
	before := p.requests.Load()
	start := time.Now()
	c := p.client()
	if err := c.LoginSSL(ctx); err != nil {
		tb.Fatal(err)
	}
	plan, err := promote.MakePlan(ctx, c, promote.Options{Routes: routes, Args: promoteArgs(n), Keys: keys})
	if err != nil {
		tb.Fatal(err)
	}
	w := &kojibuild.Watcher{Hub: c, Interval: 50 * time.Millisecond, Display: kojibuild.DisplayNone, Out: io.Discard}
	out, err := promote.Tag(ctx, c, plan, promote.TagOptions{Out: io.Discard, Watch: w.Watch})
	if err != nil {
		tb.Fatal(err)
	}
	return plan, out, p.requests.Load() - before, time.Since(start)
}

// TestPromoteServedRequests: promoting 20 packages x 3 dvers through a
// served hub takes at most 6 HTTP requests, login included (osg-promote:
// one listTagged per tag, several calls per build, one tagBuild per build).
func TestPromoteServedRequests(t *testing.T) {
	p := newPromoteHub(t, 200, 3)
	plan, out, reqs, _ := promoteServed(t, p, 20)
	if len(plan.Promotions) != 60 || len(plan.Rejects) != 0 || len(out.Promoted) != 60 {
		t.Fatalf("%d promotions, %d rejects, %d promoted", len(plan.Promotions), len(plan.Rejects), len(out.Promoted))
	}
	if plan.Promotions[0].Build.NVR != "pkg0000-1.2-1.osg25.el8" {
		t.Errorf("first promotion %+v: want the latest build", plan.Promotions[0])
	}
	t.Logf("%d HTTP requests (login, planning, tagging, watching)", reqs)
	if reqs > 6 {
		t.Errorf("%d HTTP requests for planning and tagging, want at most 6", reqs)
	}
	// again: every build is there, nothing to tag
	plan, out, _, _ = promoteServed(t, p, 20)
	if len(out.Skipped) != 60 || len(out.Promoted) != 0 {
		t.Errorf("second run: %d skipped, %d promoted", len(out.Skipped), len(out.Promoted))
	}
	// an unsigned RPM is a reject naming the RPMs and the key
	routes, _ := promoteRoutes(t)
	other := map[string]*promote.Key{"OSG-25-developer": {Name: "OSG-25-developer", KeyID: "00000000", Dvers: []string{"el9"}}}
	plan, err := promote.MakePlan(context.Background(), p.client(), promote.Options{Routes: routes, Args: []string{"pkg0100"}, Keys: other})
	if err != nil {
		t.Fatal(err)
	}
	want := "pkg0100-1.2-1.osg25.el9: RPM(s) pkg0100-1.2-1.osg25.el9.src.rpm, pkg0100-1.2-1.osg25.el9.x86_64.rpm missing required signature (OSG-25-developer (00000000))"
	if len(plan.Rejects) != 1 || plan.Rejects[0].String() != want {
		t.Errorf("rejects %v", plan.Rejects)
	}
}

// osgPromotePattern makes the requests osg-promote makes for the same
// promotion: listTagged of each tag, per argument and dver listTagged
// latest, per build getBuild, listRPMs and queryRPMSigs per RPM, tagBuild
// per build, getTaskInfo per task, and getBuild per build for the ticket.
func osgPromotePattern(tb testing.TB, p *promoteHub, n int) (int64, time.Duration) {
	ctx := context.Background()
	before := p.requests.Load()
	start := time.Now()
	c := p.client()
	if err := c.LoginSSL(ctx); err != nil {
		tb.Fatal(err)
	}
	var nvrs []string
	var tags []string
	for _, dv := range []string{"el8", "el9", "el10"} {
		for _, t := range []string{"osg-25-main-" + dv + "-development", "osg-25-main-" + dv + "-testing"} {
			if _, err := c.ListTagged(ctx, koji.ByName(t), koji.ListTaggedOpts{}); err != nil {
				tb.Fatal(err)
			}
		}
		for _, a := range promoteArgs(n) {
			l, err := c.ListTagged(ctx, koji.ByName("osg-25-main-"+dv+"-development"), koji.ListTaggedOpts{Latest: koji.LatestOne, Package: a})
			if err != nil || len(l) == 0 {
				tb.Fatal(err)
			}
			nvrs = append(nvrs, l[0].NVR)
			tags = append(tags, "osg-25-main-"+dv+"-testing")
		}
	}
	for _, nvr := range nvrs {
		b, err := c.GetBuild(ctx, koji.ByName(nvr), koji.GetBuildOpts{})
		if err != nil {
			tb.Fatal(err)
		}
		rpms, err := c.ListRPMs(ctx, koji.ListRPMsOpts{BuildID: koji.Ptr(b.ID)})
		if err != nil {
			tb.Fatal(err)
		}
		for _, r := range rpms {
			if _, err := c.QueryRPMSigs(ctx, koji.QueryRPMSigsOpts{RPMID: koji.ByID(r.ID)}); err != nil {
				tb.Fatal(err)
			}
		}
	}
	var ids []int
	for i, nvr := range nvrs {
		id, err := c.TagBuild(ctx, koji.ByName(tags[i]), koji.ByName(nvr), koji.TagBuildOpts{})
		if err != nil {
			tb.Fatal(err)
		}
		ids = append(ids, id)
	}
	for _, id := range ids {
		if _, err := c.GetTaskInfo(ctx, id, koji.GetTaskInfoOpts{}); err != nil {
			tb.Fatal(err)
		}
	}
	for _, nvr := range nvrs {
		if _, err := c.GetBuild(ctx, koji.ByName(nvr), koji.GetBuildOpts{}); err != nil {
			tb.Fatal(err)
		}
	}
	return p.requests.Load() - before, time.Since(start)
}

// BenchmarkPromoteServed is the issue's benchmark: 100 packages x 3 dvers
// promoted on a served hub whose from-tags hold 21,000 builds (1,000
// packages x 7 builds x 3 dvers, two signed RPMs each), against the
// requests osg-promote makes for the same promotion on a fresh copy.
func BenchmarkPromoteServed(b *testing.B) {
	for range b.N {
		b.StopTimer()
		p := newPromoteHub(b, 1000, 7)
		peer := newPromoteHub(b, 1000, 7)
		// planning in-process, on the hub itself
		routes, keys := promoteRoutes(b)
		t0 := time.Now()
		if _, err := promote.MakePlan(context.Background(), p.h, promote.Options{Routes: routes, Args: promoteArgs(100), Keys: keys}); err != nil {
			b.Fatal(err)
		}
		inProcess := time.Since(t0)
		b.StartTimer()
		plan, out, reqs, took := promoteServed(b, p, 100)
		b.StopTimer()
		if len(out.Promoted) != 300 {
			b.Fatalf("%d promoted of %d planned", len(out.Promoted), len(plan.Promotions))
		}
		peerReqs, peerTook := osgPromotePattern(b, peer, 100)
		b.ReportMetric(float64(reqs), "requests")
		b.ReportMetric(float64(peerReqs), "osg-promote-requests")
		b.ReportMetric(float64(inProcess.Microseconds())/1000, "plan-in-process-ms")
		b.ReportMetric(float64(took.Microseconds())/1000, "served-ms")
		b.ReportMetric(float64(peerTook.Microseconds())/1000, "osg-promote-pattern-ms")
		b.Logf("promote 100 pkgs x 3 dvers (21,000 builds in the from-tags): %d requests in %v (planning in-process %v); osg-promote's pattern: %d requests in %v (%.1fx the time)",
			reqs, took, inProcess, peerReqs, peerTook, float64(peerTook)/float64(took))
		b.StartTimer()
	}
}

// BenchmarkPromotePlanInProcess: the same plan (100 packages, 3 dvers, 21,000
// builds) against the embedded hub in-process, as `osg-promote` runs on a
// local hub.
func BenchmarkPromotePlanInProcess(b *testing.B) {
	p := newPromoteHub(b, 1000, 7)
	routes, keys := promoteRoutes(b)
	b.ResetTimer()
	for range b.N {
		if _, err := promote.MakePlan(context.Background(), p.h, promote.Options{Routes: routes, Args: promoteArgs(100), Keys: keys}); err != nil {
			b.Fatal(err)
		}
	}
}
