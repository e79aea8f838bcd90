package web_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/osg-htc/osg-build-go/internal/testutil"
	"github.com/osg-htc/osg-build-go/pkg/hub"
	"github.com/osg-htc/osg-build-go/pkg/hub/web"
	"github.com/osg-htc/osg-build-go/pkg/koji"
)

const evil = `<script>alert(1)</script>`

type env struct {
	h   *hub.Hub
	srv *httptest.Server
}

func newEnv(t *testing.T) *env {
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
	pages, err := web.New(h, web.Options{TopDir: h.TopDir()})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(pages)
	t.Cleanup(srv.Close)
	return &env{h: h, srv: srv}
}

func (e *env) get(t *testing.T, path string) (int, string, http.Header) {
	t.Helper()
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Get(e.srv.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b), resp.Header
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// A package named like a script and a build of it: every page that shows
// the name escapes it.
func TestPagesEscapeHubData(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	id, err := e.h.CreateEmptyBuild(ctx, evil, "1", "1.osg25.el9", nil, koji.CreateEmptyBuildOpts{})
	must(t, err)
	must(t, e.h.PackageListAdd(ctx, koji.ByName("osg-el9"), koji.ByName(evil), koji.PackageListAddOpts{Owner: koji.ByName("tester")}))
	must(t, e.h.TagBuildBypass(ctx, koji.ByName("osg-25-main-el9-development"), koji.ByID(id), koji.TagBuildBypassOpts{}))
	b, err := e.h.GetBuild(ctx, koji.ByID(id), koji.GetBuildOpts{})
	must(t, err)
	_, err = e.h.CreateEmptyBuild(ctx, "script-two", "1", "1", nil, koji.CreateEmptyBuildOpts{}) // a second match
	must(t, err)
	for _, p := range []string{"/koji/", "/koji/builds", "/koji/buildinfo?buildID=" + itoa(id), "/koji/packages",
		"/koji/packageinfo?packageID=" + itoa(b.PackageID), "/koji/builds?latest=1&tagID=osg-25-main-el9-development", "/koji/packages?tagID=osg-25-main-el9-development",
		"/koji/search?type=package&match=regexp&terms=" + url.QueryEscape("script")} {
		code, body, hdr := e.get(t, p)
		if code != http.StatusOK {
			t.Errorf("%s: %d\n%s", p, code, body)
			continue
		}
		if strings.Contains(body, evil) {
			t.Errorf("%s: the package name is not escaped", p)
		}
		if !strings.Contains(body, "&lt;script&gt;alert(1)&lt;/script&gt;") {
			t.Errorf("%s: the package name is missing:\n%s", p, body)
		}
		if ct := hdr.Get("Content-Type"); ct != "text/html; charset=utf-8" || hdr.Get("Content-Security-Policy") == "" {
			t.Errorf("%s: headers %v", p, hdr)
		}
	}
	// the exact search of one package goes to its page
	code, _, hdr := e.get(t, "/koji/search?type=package&match=exact&terms="+url.QueryEscape(evil))
	if code != http.StatusFound || !strings.HasPrefix(hdr.Get("Location"), "/koji/packageinfo?packageID=") {
		t.Errorf("one result: %d %v", code, hdr)
	}
	// JSON with Koji's member names
	code, body, _ := e.get(t, "/koji/buildinfo?format=json&buildID="+itoa(id))
	if code != 200 || !strings.Contains(body, `"nvr": "\u003cscript\u003ealert(1)\u003c/script\u003e-1-1.osg25.el9"`) {
		t.Errorf("JSON: %d\n%s", code, body)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

func TestStatusCodes(t *testing.T) {
	e := newEnv(t)
	for _, c := range []struct {
		path string
		code int
		want string
	}{
		{"/koji/buildinfo?buildID=999", 404, "no such build: 999"},
		{"/koji/buildinfo", 400, "missing argument buildID"},
		{"/koji/buildinfo?buildID=x", 400, "buildID must be a number, not &#34;x&#34;"},
		{"/koji/taskinfo?taskID=999", 404, "no such task: 999"},
		{"/koji/taginfo?tagID=nope", 404, "no such tag: nope"},
		{"/koji/packageinfo?packageID=77", 404, "no such package: 77"},
		{"/koji/rpminfo?rpmID=5", 404, "no such RPM: 5"},
		{"/koji/repoinfo?repoID=5", 404, "no such repo: 5"},
		{"/koji/builds?state=9", 400, "state must be"},
		{"/koji/tasks?view=sideways", 400, "view must be tree, toplevel or flat"},
		{"/koji/tasks?state=sleepy", 400, "state must be all, active"},
		{"/koji/search?terms=(&match=regexp", 400, "bad regular expression"},
		{"/koji/search?terms=x&type=spaceship", 400, "type must be one of"},
		{"/koji/getfile?taskID=1&name=../../etc/passwd", 400, "name must be the name of a file"},
		{"/koji/getfile?taskID=1&name=x.log", 404, ""},
		{"/koji/no-such-page", 404, "no page no-such-page"},
		{"/koji/tasks", 200, "Tasks"},
		{"/koji/tags", 200, "osg-25-main-el9-build"},
		{"/koji/buildtargets", 200, "osg-25-main-el9-development"},
		{"/koji/search", 200, "Search"},
	} {
		code, body, _ := e.get(t, c.path)
		if code != c.code || !strings.Contains(body, c.want) {
			t.Errorf("%s: %d, want %d with %q\n%s", c.path, code, c.code, c.want, body)
		}
	}
	resp, err := http.Post(e.srv.URL+"/koji/builds", "text/plain", strings.NewReader("x"))
	must(t, err)
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST: %d", resp.StatusCode)
	}
	code, body, _ := e.get(t, "/koji/buildinfo?format=json&buildID=999")
	if code != 404 || !strings.Contains(body, `"error"`) {
		t.Errorf("JSON 404: %d %s", code, body)
	}
}

// A task's log with HTML and invalid UTF-8: getfile serves it as text
// (never HTML), whole or in part (offset, size), and the live page links it.
func TestGetfile(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	tid, err := e.h.NewRepo(ctx, koji.ByName("osg-25-main-el9-build"), koji.NewRepoOpts{})
	must(t, err)
	dir := filepath.Join(e.h.TopDir(), "work", "tasks", itoa(tid%10000), itoa(tid))
	must(t, os.MkdirAll(dir, 0o755))
	log := "line one " + evil + "\n\xff\xfe bad bytes\nlast line\n"
	must(t, os.WriteFile(filepath.Join(dir, "build.log"), []byte(log), 0o644))
	code, body, hdr := e.get(t, "/koji/getfile?taskID="+itoa(tid)+"&name=build.log")
	if code != 200 || body != log || hdr.Get("Content-Type") != "text/plain; charset=utf-8" || hdr.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("getfile: %d %q %v", code, body, hdr)
	}
	code, body, _ = e.get(t, "/koji/getfile?taskID="+itoa(tid)+"&name=build.log&offset=5&size=3")
	if code != 200 || body != log[5:8] {
		t.Errorf("offset 5 size 3: %d %q", code, body)
	}
	code, body, _ = e.get(t, "/koji/getfile?taskID="+itoa(tid)+"&name=build.log&offset="+itoa(len(log)))
	if code != 200 || body != "" {
		t.Errorf("offset at the end: %d %q", code, body)
	}
	code, body, _ = e.get(t, "/koji/taskinfo?taskID="+itoa(tid))
	if code != 200 || !strings.Contains(body, `href="/koji/getfile?name=build.log&amp;taskID=`+itoa(tid)+`"`) ||
		!strings.Contains(body, `href="/koji/tasklog?name=build.log&amp;taskID=`+itoa(tid)+`"`) {
		t.Errorf("taskinfo links:\n%s", body)
	}
	code, body, _ = e.get(t, "/koji/tasklog?taskID="+itoa(tid)+"&name=build.log")
	if code != 200 || !strings.Contains(body, `data-file="/koji/getfile?name=build.log&amp;taskID=`) || !strings.Contains(body, `src="/koji/static/follow.js"`) {
		t.Errorf("tasklog: %d\n%s", code, body)
	}
	code, body, _ = e.get(t, "/koji/static/follow.js")
	if code != 200 || !strings.Contains(body, "offset") {
		t.Errorf("follow.js: %d", code)
	}
}

// An RPM whose changelog and description hold HTML: buildinfo and rpminfo
// show them escaped, with the dependencies and files of the header.
func TestRPMPages(t *testing.T) {
	testutil.RequireTool(t, "rpmbuild")
	e := newEnv(t)
	ctx := context.Background()
	top := t.TempDir()
	spec := filepath.Join(top, "h.spec")
	must(t, os.WriteFile(spec, []byte(`Name: htmlpkg
Version: 1
Release: 1
Summary: a <b>bold</b> summary
License: MIT
BuildArch: noarch
Requires: bash >= 4
%description
Description with `+evil+`.
%install
mkdir -p %{buildroot}/usr/share/h
echo x > %{buildroot}/usr/share/h/file.txt
%files
/usr/share/h/file.txt
%changelog
* Mon Dec 07 2026 Pat <pat@example.org> - 1-1
- changed `+evil+`
`), 0o644))
	out, err := exec.Command("rpmbuild", "-ba", "--quiet", "--define", "_topdir "+top, spec).CombinedOutput()
	if err != nil {
		t.Fatalf("rpmbuild: %v\n%s", err, out)
	}
	for _, p := range []string{filepath.Join(top, "SRPMS", "htmlpkg-1-1.src.rpm"), filepath.Join(top, "RPMS", "noarch", "htmlpkg-1-1.noarch.rpm")} {
		f, err := os.Open(p)
		must(t, err)
		st, _ := f.Stat()
		must(t, e.h.Upload(ctx, "web/t", filepath.Base(p), f, st.Size(), koji.UploadOpts{Overwrite: true}))
		f.Close()
		_, err = e.h.ImportRPM(ctx, "web/t", filepath.Base(p))
		must(t, err)
	}
	b, err := e.h.GetBuild(ctx, koji.ByName("htmlpkg-1-1"), koji.GetBuildOpts{})
	must(t, err)
	code, body, _ := e.get(t, "/koji/buildinfo?buildID="+itoa(b.ID))
	for _, want := range []string{"changed &lt;script&gt;alert(1)&lt;/script&gt;", "Pat &lt;pat@example.org&gt;", "htmlpkg-1-1.noarch.rpm", "/kojifiles/packages/htmlpkg/1/1/noarch/htmlpkg-1-1.noarch.rpm"} {
		if code != 200 || !strings.Contains(body, want) {
			t.Errorf("buildinfo lacks %q:\n%s", want, body)
		}
	}
	if strings.Contains(body, evil) {
		t.Error("buildinfo: the changelog is not escaped")
	}
	rpms, err := e.h.ListRPMs(ctx, koji.ListRPMsOpts{BuildID: &b.ID, Arches: []string{"noarch"}})
	must(t, err)
	code, body, _ = e.get(t, "/koji/rpminfo?rpmID="+itoa(rpms[0].ID))
	for _, want := range []string{"a &lt;b&gt;bold&lt;/b&gt; summary", "Description with &lt;script&gt;", "<code>bash</code>", "&gt;= 4", "/usr/share/h/file.txt"} {
		if code != 200 || !strings.Contains(body, want) {
			t.Errorf("rpminfo lacks %q:\n%s", want, body)
		}
	}
	if strings.Contains(body, evil) || strings.Contains(body, "<b>bold") {
		t.Error("rpminfo: the header is not escaped")
	}
}
