package hub_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/osg-htc/osg-build-go/internal/xmlrpc"
	"github.com/osg-htc/osg-build-go/pkg/hub"
	"github.com/osg-htc/osg-build-go/pkg/koji"
)

// The real koji CLI (1.35.3) against the embedded hub, without Koji's
// source in CI: go test -run TestKojiCLIReplay ./pkg/hub/
// -record-koji-cli=/path/to/koji-1.35.3/cli/koji first runs the read
// commands of kojiCLICommands with it against a served fixture hub and
// records every request and answer into testdata/koji-cli/reads.json; the
// test then sends the recorded requests to the same fixture and checks that
// each answer has the recorded shape (the members and their types, values
// aside: times differ).
var recordKojiCLI = flag.String("record-koji-cli", "", "record the traffic of this koji CLI (koji-1.35.3/cli/koji) into testdata/koji-cli")

var kojiCLICommands = [][]string{
	{"version"},
	{"list-tags"},
	{"taginfo", "osg-25-main-el9-build"},
	{"list-targets"},
	{"list-tagged", "osg-25-main-el9-development"},
	{"list-tagged", "--latest", "--inherit", "osg-25-main-el9-build"},
	{"latest-build", "osg-25-main-el9-build", "foo"},
	{"list-pkgs", "--tag", "osg-el9"},
	{"list-builds", "--package", "foo"},
	{"buildinfo", "foo-1.1-1.osg25.el9"},
	{"list-history", "--tag", "osg-25-main-el9-development"},
	{"list-permissions"},
	{"list-tag-inheritance", "osg-25-main-el9-build"},
	{"list-external-repos"},
	{"list-groups", "osg-25-main-el9-build"},
	{"list-hosts"},
	{"list-channels"},
	{"list-volumes"},
	{"list-api"},
	{"userinfo", "tester"},
}

const kojiCLIDir = "testdata/koji-cli"

// kojiCLIFixture is the hub the commands run against: the osg-25 preset,
// foo 1.0 and 1.1 and bar in el9 development, one external repo, a user.
func kojiCLIFixture(t *testing.T) *hub.Hub {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	if _, err := hub.Init(ctx, dir, hub.InitOptions{Preset: "osg-25", LocalUser: "tester"}); err != nil {
		t.Fatal(err)
	}
	h, err := hub.Open(ctx, dir, hub.WithLocalUser("tester"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	for _, b := range [][3]string{{"foo", "1.0", "1.osg25.el9"}, {"foo", "1.1", "1.osg25.el9"}, {"bar", "2", "1.osg25.el9"}} {
		id, err := h.CreateEmptyBuild(ctx, b[0], b[1], b[2], nil, koji.CreateEmptyBuildOpts{})
		if err != nil {
			t.Fatal(err)
		}
		if err := h.PackageListAdd(ctx, koji.ByName("osg-el9"), koji.ByName(b[0]), koji.PackageListAddOpts{Owner: koji.ByName("tester")}); err != nil {
			t.Fatal(err)
		}
		if err := h.TagBuildBypass(ctx, koji.ByName("osg-25-main-el9-development"), koji.ByID(id), koji.TagBuildBypassOpts{}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := h.CreateExternalRepo(ctx, "el9-base", "https://mirror.invalid/9/$arch/"); err != nil {
		t.Fatal(err)
	}
	return h
}

// exchange is one recorded request and answer; URL (path and query) and
// Session (the Koji-Session-* headers) are kept for logged-in commands.
type exchange struct {
	Command []string          `json:"command"`
	URL     string            `json:"url,omitempty"`
	Session map[string]string `json:"session,omitempty"`
	Request string            `json:"request"`
	// RequestRaw is a request body that is not UTF-8 text (an upload's
	// chunk), base64 in the file; Request is "" then.
	RequestRaw []byte `json:"request_raw,omitempty"`
	Response   string `json:"response"`
}

func (e *exchange) setRequest(body []byte) {
	if utf8.Valid(body) {
		e.Request = string(body)
	} else {
		e.RequestRaw = body
	}
}

func (e exchange) request() []byte {
	if e.RequestRaw != nil {
		return e.RequestRaw
	}
	return []byte(e.Request)
}

// method is the request's XML-RPC method, "rawUpload" for an upload's
// chunk (its body is the file's data).
func (e exchange) method() string {
	if strings.Contains(e.URL, "filename=") && strings.Contains(e.URL, "offset=") {
		return "rawUpload"
	}
	m, _, _ := xmlrpc.DecodeCallBytes(e.request())
	return m
}

// methods is the request's method and, for a multiCall, those it calls.
func (e exchange) methods() []string {
	m := e.method()
	out := []string{m}
	if m != "multiCall" && m != "system.multicall" {
		return out
	}
	_, params, _ := xmlrpc.DecodeCallBytes(e.request())
	if len(params) == 0 {
		return out
	}
	calls, _ := params[0].([]any)
	for _, c := range calls {
		if cm, ok := c.(map[string]any); ok {
			if name, ok := cm["methodName"].(string); ok {
				out = append(out, name)
			}
		}
	}
	return out
}

func recordKojiCLITraffic(t *testing.T, cli string) {
	h := kojiCLIFixture(t)
	tc, err := hub.ServerTLS(filepath.Dir(h.TopDir()))
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var cur []string
	var got []exchange
	inner := h.Handler()
	rec := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		bw := &bodyWriter{ResponseWriter: w}
		inner.ServeHTTP(bw, r)
		mu.Lock()
		got = append(got, exchange{Command: cur, URL: recordedURL(r), Session: sessionHeaders(r), Request: string(body), Response: bw.buf.String()})
		mu.Unlock()
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: rec, TLSConfig: tc, ReadHeaderTimeout: 10 * time.Second}
	go srv.ServeTLS(ln, "", "")
	t.Cleanup(func() { srv.Close() })
	conf := filepath.Join(t.TempDir(), "koji.conf")
	ca := filepath.Join(filepath.Dir(h.TopDir()), hub.PKIDir, "ca.crt")
	if err := os.WriteFile(conf, []byte(fmt.Sprintf("[koji]\nserver = https://%s/kojihub\ntopurl = https://%s/kojifiles\nserverca = %s\nauthtype = noauth\n", ln.Addr(), ln.Addr(), ca)), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range kojiCLICommands {
		mu.Lock()
		cur = c
		mu.Unlock()
		args := append([]string{cli, "--config", conf, "--noauth"}, c...)
		cmd := exec.Command("/usr/bin/python3", args...)
		cmd.Env = append(os.Environ(), "PYTHONPATH="+filepath.Dir(filepath.Dir(cli))+":"+filepath.Dir(cli))
		cmd.Dir = t.TempDir()
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Errorf("koji %s: %v\n%s", strings.Join(c, " "), err, out)
		}
	}
	if err := os.MkdirAll(kojiCLIDir, 0o755); err != nil {
		t.Fatal(err)
	}
	b, err := json.MarshalIndent(got, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(kojiCLIDir, "reads.json"), append(b, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("recorded %d requests of %d commands", len(got), len(kojiCLICommands))
}

type bodyWriter struct {
	http.ResponseWriter
	buf bytes.Buffer
}

func (b *bodyWriter) Write(p []byte) (int, error) {
	b.buf.Write(p)
	return b.ResponseWriter.Write(p)
}

func TestKojiCLIReplay(t *testing.T) {
	if *recordKojiCLI != "" {
		recordKojiCLITraffic(t, *recordKojiCLI)
	}
	data, err := os.ReadFile(filepath.Join(kojiCLIDir, "reads.json"))
	if err != nil {
		t.Fatal(err)
	}
	var ex []exchange
	if err := json.Unmarshal(data, &ex); err != nil {
		t.Fatal(err)
	}
	h := kojiCLIFixture(t)
	handler := h.Handler()
	commands := map[string]bool{}
	for i, e := range ex {
		req, err := http.NewRequest(http.MethodPost, "https://127.0.0.1/kojihub", strings.NewReader(e.Request))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "text/xml")
		rw := httptest.NewRecorder()
		handler.ServeHTTP(rw, req)
		method, _, _ := xmlrpc.DecodeCallBytes([]byte(e.Request))
		want, got := shapeOf(e.Response), shapeOf(rw.Body.String())
		if want != got {
			t.Errorf("request %d (%s, of koji %s): the answer's shape changed\nrecorded: %s\nnow:      %s", i, method, strings.Join(e.Command, " "), want, got)
		}
		commands[strings.Join(e.Command, " ")] = true
	}
	if len(commands) < len(kojiCLICommands) {
		t.Errorf("the recording has %d of the %d commands: record again with -record-koji-cli", len(commands), len(kojiCLICommands))
	}
}

// shapeOf is the shape of an XML-RPC answer: a fault's code, or the types
// of the value's members, recursively (lists by their distinct element
// shapes).
func shapeOf(resp string) string {
	v, err := xmlrpc.DecodeResponseBytes([]byte(resp))
	if err != nil {
		if f, ok := err.(*xmlrpc.Fault); ok {
			return fmt.Sprintf("fault %d", f.Code)
		}
		return "error: " + err.Error()
	}
	return shape(v)
}

func shape(v any) string {
	switch x := v.(type) {
	case nil:
		return "nil"
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var parts []string
		for _, k := range keys {
			parts = append(parts, k+":"+shape(x[k]))
		}
		return "{" + strings.Join(parts, ",") + "}"
	case []any:
		seen := map[string]bool{}
		var parts []string
		for _, e := range x {
			s := shape(e)
			if !seen[s] {
				seen[s] = true
				parts = append(parts, s)
			}
		}
		sort.Strings(parts)
		return "[" + strings.Join(parts, "|") + "]"
	}
	return fmt.Sprintf("%T", v)
}
