package importsrpm

import (
	"context"
	"github.com/osg-htc/osg-build-go/internal/testutil"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/osg-htc/osg-build-go/internal/iostreams"
)

const specTmpl = `Name: foo
Version: VER
Release: 1
Summary: foo
License: ASL 2.0
BuildArch: noarch

%description
foo

%files
`

// need is testutil.RequireTool: a missing tool fails under CI=true.
func need(t *testing.T, progs ...string) {
	t.Helper()
	testutil.RequireTool(t, progs...)
}

func run(t *testing.T, dir string, name string, args ...string) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s %v: %v\n%s", name, args, err, out)
	}
}

// srpms builds foo-1-1 and foo-2-1 SRPMs and serves them on 127.0.0.1.
func srpms(t *testing.T) string {
	d := t.TempDir()
	for _, v := range []string{"1", "2"} {
		spec := filepath.Join(d, "foo.spec")
		if err := os.WriteFile(spec, []byte(strings.Replace(specTmpl, "VER", v, 1)), 0o644); err != nil {
			t.Fatal(err)
		}
		run(t, d, "rpmbuild", "-bs", "--define", "_topdir "+d+"/rpm", "--define", "_srcrpmdir "+d+"/srv/fedora", spec)
	}
	srv := httptest.NewServer(http.FileServer(http.Dir(filepath.Join(d, "srv"))))
	t.Cleanup(srv.Close)
	if !strings.HasPrefix(srv.URL, "http://127.0.0.1:") {
		t.Fatalf("server at %s", srv.URL)
	}
	return srv.URL
}

func importIn(t *testing.T, url, wc string, o Options) string {
	t.Helper()
	ios, _, out, errOut := iostreams.Test()
	o.IO, o.URL = ios, url
	old, _ := os.Getwd()
	if err := os.Chdir(wc); err != nil {
		t.Fatal(err)
	}
	defer os.Chdir(old)
	if err := Run(context.Background(), &o); err != nil {
		t.Fatalf("import %s: %v\n%s", url, err, errOut)
	}
	return out.String() + errOut.String()
}

func read(t *testing.T, p string) string {
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func check(t *testing.T, base, wc, root string, status func() string) {
	o := Options{Root: root, Extract: true}
	importIn(t, base+"/fedora/foo-1-1.src.rpm", wc, o)
	src := read(t, filepath.Join(wc, "foo/upstream/fedora.srpm.source"))
	if !strings.HasPrefix(src, "foo/1/foo-1-1.src.rpm sha1sum=") || !strings.Contains(src, "# Downloaded from "+base+"/fedora/foo-1-1.src.rpm") {
		t.Errorf(".source:\n%s", src)
	}
	if _, err := os.Stat(filepath.Join(root, "foo/1/foo-1-1.src.rpm")); err != nil {
		t.Error(err)
	}
	spec := filepath.Join(wc, "foo/osg/foo.spec")
	if !strings.Contains(read(t, spec), "Version: 1\n") {
		t.Errorf("spec:\n%s", read(t, spec))
	}
	if st := status(); !strings.Contains(st, "fedora.srpm.source") || !strings.Contains(st, "foo.spec") {
		t.Errorf("not added:\n%s", st)
	}
	// an OSG change, then -3 with foo-2: both are in the merged spec
	if err := os.WriteFile(spec, []byte(strings.Replace(read(t, spec), "%description", "Requires: osg-thing\n\n%description", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	o.Merge3 = true
	msg := importIn(t, base+"/fedora/foo-2-1.src.rpm", wc, o)
	got := read(t, spec)
	if !strings.Contains(got, "Version: 2\n") || !strings.Contains(got, "Requires: osg-thing") || strings.Contains(got, "<<<<<<<") {
		t.Errorf("merged spec (%s):\n%s", msg, got)
	}
	if !strings.HasPrefix(read(t, filepath.Join(wc, "foo/upstream/fedora.srpm.source")), "foo/2/foo-2-1.src.rpm sha1sum=") {
		t.Error("the .source was not updated")
	}
}

func TestImportGit(t *testing.T) {
	need(t, "rpmbuild", "rpm2cpio", "cpio", "git")
	base := srpms(t)
	wc := t.TempDir()
	run(t, wc, "git", "init", "-q")
	check(t, base, wc, t.TempDir(), func() string {
		out, _ := exec.Command("git", "-C", wc, "status", "--porcelain").Output()
		return string(out)
	})
}

func TestImportSVN(t *testing.T) {
	need(t, "rpmbuild", "rpm2cpio", "cpio", "svn", "svnadmin")
	base := srpms(t)
	d := t.TempDir()
	run(t, d, "svnadmin", "create", filepath.Join(d, "repo"))
	run(t, d, "svn", "checkout", "-q", "file://"+filepath.Join(d, "repo"), filepath.Join(d, "wc"))
	wc := filepath.Join(d, "wc")
	check(t, base, wc, filepath.Join(d, "upstream"), func() string {
		out, _ := exec.Command("svn", "status", wc).Output()
		return string(out)
	})
}

func TestProvider(t *testing.T) {
	for url, want := range map[string]string{
		"https://dl.fedoraproject.org/x.src.rpm": "fedora", "https://download.example/epel/9/x.src.rpm": "epel",
		"https://vault.centos.org/x.src.rpm": "centos", "https://example.org/x.src.rpm": "developer",
	} {
		if got := Provider(url); got != want {
			t.Errorf("%s: %s, want %s", url, got, want)
		}
	}
}
