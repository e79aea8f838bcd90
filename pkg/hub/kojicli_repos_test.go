package hub_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/osg-htc/osg-build-go/internal/xmlrpc"
	"github.com/osg-htc/osg-build-go/pkg/hub"
	"github.com/osg-htc/osg-build-go/pkg/hub/engine"
)

// The koji 1.35 CLI's repo commands (the repo request API: repo.request,
// repo.get, repo.checkRequest), logged in with the fixture's certificate,
// against the fixture hub with its task engine running and automatic
// regeneration off (only requests make repos). Recorded with
// -record-koji-cli into testdata/koji-cli/repos.json; the recording waits
// for the engine to finish between commands.
var kojiCLIRepoCommands = [][]string{
	{"regen-repo", "osg-25-main-el9-build"},
	{"wait-repo", "osg-25-main-el9-build"},
	{"wait-repo", "--build", "foo-1.1-1.osg25.el9", "osg-25-main-el9-build"},
	{"wait-repo", "--target", "osg-25-main-el9"},
	{"wait-repo", "--request", "osg-25-main-el9-build"},
	{"regen-repo", "--wait", "osg-25-main-el9-build"},
	{"untag-build", "osg-25-main-el9-development", "foo-1.0-1.osg25.el9"},
	{"regen-repo", "--wait", "osg-25-main-el9-build"},
	{"untag-build", "osg-25-main-el9-development", "bar-2-1.osg25.el9"},
	{"wait-repo", "--request", "-v", "osg-25-main-el9-build"},
	{"request-repo", "--debuginfo", "osg-25-main-el9-build"},
	{"wait-repo-request", "4"},
	{"call", "repo.queryQueue"},
	{"call", "--python", "repo.query", "[['state', '=', 1]]", "['id', 'tag_name', 'create_event', 'opts', 'custom_opts']"},
	{"call", "--python", "repo.get", "'osg-25-main-el9-build'", "opts={'debuginfo': True}"},
}

const kojiCLIReposFile = "repos.json"

// recordedURL is the request's path and query, "" for the plain /kojihub.
func recordedURL(r *http.Request) string {
	if r.URL.RawQuery == "" && r.URL.Path == "/kojihub" {
		return ""
	}
	return r.URL.RequestURI()
}

func sessionHeaders(r *http.Request) map[string]string {
	var out map[string]string
	for _, k := range []string{"Koji-Session-Id", "Koji-Session-Key", "Koji-Session-Callnum"} {
		if v := r.Header.Get(k); v != "" {
			if out == nil {
				out = map[string]string{}
			}
			out[k] = v
		}
	}
	return out
}

// settle waits until the hub has no active repo request and no unfinished
// task.
func settle(t *testing.T, h *hub.Hub) {
	t.Helper()
	ctx := context.Background()
	for deadline := time.Now().Add(2 * time.Minute); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		q, err := h.Call(ctx, "repo.queryQueue", []any{[]any{[]any{"active", "IS", true}}}, nil)
		if err != nil {
			t.Fatal(err)
		}
		tasks, err := h.Call(ctx, "listTasks", []any{map[string]any{"state": []any{int64(0), int64(1), int64(4)}}}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(q.([]any)) == 0 && len(tasks.([]any)) == 0 {
			return
		}
	}
	t.Fatal("the engine did not finish the repo requests in 2 minutes")
}

// servedEngine is a fixture hub's task engine running as in
// `osg-build hub serve` (automatic regeneration off), which a recording may
// stop for a while (stop, start).
type servedEngine struct {
	e      *engine.Engine
	cancel context.CancelFunc
}

func startServedEngine(t *testing.T, h *hub.Hub) *servedEngine {
	t.Helper()
	off := false
	e, err := engine.New(context.Background(), h, engine.Options{AutoRegen: &off})
	if err != nil {
		t.Fatal(err)
	}
	s := &servedEngine{e: e}
	s.start()
	t.Cleanup(s.stop)
	return s
}

func (s *servedEngine) start() {
	ctx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	s.e.Start(ctx)
}

func (s *servedEngine) stop() {
	if s.cancel != nil {
		s.cancel()
		s.e.Wait()
		s.cancel = nil
	}
}

// kojiCLIRecorder serves a fixture hub over TLS and runs the koji CLI
// against it, logged in with the fixture's certificate, recording every
// /kojihub request and answer.
type kojiCLIRecorder struct {
	t    *testing.T
	cli  string
	conf string
	ca   string
	mu   sync.Mutex
	cur  []string
	got  []exchange
}

func newKojiCLIRecorder(t *testing.T, h *hub.Hub, cli string) *kojiCLIRecorder {
	t.Helper()
	dir := filepath.Dir(h.TopDir())
	tc, err := hub.ServerTLS(dir)
	if err != nil {
		t.Fatal(err)
	}
	r := &kojiCLIRecorder{t: t, cli: cli}
	inner := h.Handler()
	rec := http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		req.Body = io.NopCloser(bytes.NewReader(body))
		bw := &bodyWriter{ResponseWriter: w}
		inner.ServeHTTP(bw, req)
		if !strings.HasPrefix(req.URL.Path, "/kojihub") {
			return
		}
		e := exchange{URL: recordedURL(req), Session: sessionHeaders(req), Response: bw.buf.String()}
		e.setRequest(body)
		r.mu.Lock()
		e.Command = r.cur
		r.got = append(r.got, e)
		r.mu.Unlock()
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: rec, TLSConfig: tc, ReadHeaderTimeout: 10 * time.Second}
	go srv.ServeTLS(ln, "", "")
	t.Cleanup(func() { srv.Close() })
	r.conf = filepath.Join(t.TempDir(), "koji.conf")
	pkiDir := filepath.Join(dir, hub.PKIDir)
	r.ca = filepath.Join(pkiDir, "ca.crt")
	if err := os.WriteFile(r.conf, []byte(fmt.Sprintf("[koji]\nserver = https://%s/kojihub\nweburl = https://%s/koji\ntopurl = https://%s/kojifiles\n"+
		"serverca = %s\nauthtype = ssl\ncert = %s\npoll_interval = 1\n",
		ln.Addr(), ln.Addr(), ln.Addr(), r.ca, filepath.Join(pkiDir, "tester.pem"))), 0o644); err != nil {
		t.Fatal(err)
	}
	return r
}

// run runs the CLI with args (c when none), its traffic recorded under the
// command c, in the directory wd (a new one when ""); a failing command
// fails the recording. It returns the command's output.
func (r *kojiCLIRecorder) run(c []string, wd string, args ...string) string {
	t := r.t
	t.Helper()
	if args == nil {
		args = c
	}
	r.mu.Lock()
	r.cur = c
	r.mu.Unlock()
	cmd := exec.Command("/usr/bin/python3", append([]string{r.cli, "--config", r.conf}, args...)...)
	// REQUESTS_CA_BUNDLE: the downloads from topurl trust the fixture's CA
	cmd.Env = append(os.Environ(), "PYTHONPATH="+filepath.Dir(filepath.Dir(r.cli))+":"+filepath.Dir(r.cli), "REQUESTS_CA_BUNDLE="+r.ca)
	if wd == "" {
		wd = t.TempDir()
	}
	cmd.Dir = wd
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Errorf("koji %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	t.Logf("koji %s:\n%s", strings.Join(args, " "), out)
	return string(out)
}

// save writes the recording into testdata/koji-cli/name.
func (r *kojiCLIRecorder) save(name string, ncommands int) {
	t := r.t
	r.mu.Lock()
	defer r.mu.Unlock()
	b, err := json.MarshalIndent(r.got, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(kojiCLIDir, name), append(b, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("recorded %d requests of %d commands", len(r.got), ncommands)
}

func recordKojiCLIRepos(t *testing.T, cli string) {
	h := kojiCLIFixture(t)
	startServedEngine(t, h)
	r := newKojiCLIRecorder(t, h, cli)
	for _, c := range kojiCLIRepoCommands {
		r.run(c, "")
		settle(t, h)
	}
	r.save(kojiCLIReposFile, len(kojiCLIRepoCommands))
}

// TestKojiCLIRepoReplay replays testdata/koji-cli/repos.json: the logins
// are made again with a client certificate of the recorded user (the
// recorded sessions are mapped to the new ones) and the engine runs the
// tasks to the end after every request. An answer's shape must be one of
// those recorded for the same command and method (the recording polled
// requests while the engine worked; the replay's engine is always done).
func TestKojiCLIRepoReplay(t *testing.T) {
	if *recordKojiCLI != "" {
		recordKojiCLIRepos(t, *recordKojiCLI)
	}
	commands, methods := replayKojiCLILoggedIn(t, kojiCLIFixture(t), kojiCLIReposFile, nil)
	distinct := map[string]bool{}
	for _, c := range kojiCLIRepoCommands {
		distinct[strings.Join(c, " ")] = true
	}
	if len(commands) < len(distinct) {
		t.Errorf("the recording has %d of the %d commands: record again with -record-koji-cli", len(commands), len(distinct))
	}
	for _, m := range []string{"repo.request", "repo.get", "repo.checkRequest", "repo.query", "repo.queryQueue", "sslLogin"} {
		if !methods[m] {
			t.Errorf("the recording has no %s call", m)
		}
	}
}

// replayKojiCLILoggedIn replays the recording testdata/koji-cli/name on the
// fixture h: the logins are made again with a client certificate of the
// recorded user (the recorded sessions are mapped to the new ones) and the
// engine runs the tasks to the end after every request (except those of the
// commands engineOff reports: the recording's engine was stopped for
// them). An answer's shape must be one of those recorded for the same
// command and method (the recording polled while the engine worked; the
// replay's engine is always done). It returns the commands and methods
// replayed (a multiCall's by the methods it called too).
func replayKojiCLILoggedIn(t *testing.T, h *hub.Hub, name string, engineOff func(command []string) bool) (commands, methods map[string]bool) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(kojiCLIDir, name))
	if err != nil {
		t.Fatal(err)
	}
	var ex []exchange
	if err := json.Unmarshal(data, &ex); err != nil {
		t.Fatal(err)
	}
	shapes := map[string]map[string]bool{}
	key := func(e exchange) string {
		return strings.Join(e.Command, " ") + " | " + e.method()
	}
	for _, e := range ex {
		k := key(e)
		if shapes[k] == nil {
			shapes[k] = map[string]bool{}
		}
		shapes[k][shapeOf(e.Response)] = true
	}
	ctx := context.Background()
	off := false
	eng, err := engine.New(ctx, h, engine.Options{AutoRegen: &off})
	if err != nil {
		t.Fatal(err)
	}
	handler := h.Handler()
	cert := &x509.Certificate{Subject: pkix.Name{CommonName: "tester"}}
	sessions := map[string]string{} // recorded session id or key -> the replay's
	commands = map[string]bool{}
	methods = map[string]bool{}
	for i, e := range ex {
		u := e.URL
		if u == "" {
			u = "/kojihub"
		}
		pu, err := url.Parse(u)
		if err != nil {
			t.Fatal(err)
		}
		q := pu.Query()
		for _, k := range []string{"session-id", "session-key"} {
			if v := q.Get(k); v != "" && sessions[v] != "" {
				q.Set(k, sessions[v])
			}
		}
		pu.RawQuery = q.Encode()
		req := httptest.NewRequest(http.MethodPost, "https://127.0.0.1"+pu.RequestURI(), bytes.NewReader(e.request()))
		if e.method() == "rawUpload" {
			req.Header.Set("Content-Type", "application/octet-stream")
		} else {
			req.Header.Set("Content-Type", "text/xml")
		}
		for k, v := range e.Session {
			if n := sessions[v]; n != "" && k != "Koji-Session-Callnum" {
				v = n
			}
			req.Header.Set(k, v)
		}
		if strings.HasSuffix(pu.Path, "/ssllogin") {
			req.TLS = &tls.ConnectionState{PeerCertificates: []*x509.Certificate{cert}, VerifiedChains: [][]*x509.Certificate{{cert}}}
		}
		rw := httptest.NewRecorder()
		handler.ServeHTTP(rw, req)
		if strings.HasSuffix(pu.Path, "/ssllogin") {
			old, _ := xmlrpc.DecodeResponseBytes([]byte(e.Response))
			now, err := xmlrpc.DecodeResponseBytes(rw.Body.Bytes())
			if err != nil {
				t.Fatalf("request %d: login: %v", i, err)
			}
			om, _ := old.(map[string]any)
			nm, _ := now.(map[string]any)
			for _, k := range []string{"session-id", "session-key"} {
				sessions[fmt.Sprint(om[k])] = fmt.Sprint(nm[k])
			}
		}
		got := shapeOf(rw.Body.String())
		if k := key(e); !shapes[k][got] {
			var want []string
			for s := range shapes[k] {
				want = append(want, s)
			}
			t.Errorf("request %d (%s): the answer's shape is not one recorded\nrecorded: %s\nnow:      %s", i, k, strings.Join(want, "\n          "), got)
		}
		for _, m := range e.methods() {
			methods[m] = true
		}
		commands[strings.Join(e.Command, " ")] = true
		if engineOff != nil && engineOff(e.Command) {
			continue
		}
		if err := eng.RunUntilIdle(ctx); err != nil {
			t.Fatal(err)
		}
	}
	return commands, methods
}
