package vcs

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/osg-htc/osg-build-go/internal/testutil"
)

const public = "https://vdt.cs.wisc.edu/svn/native/redhat/branches/"

func TestSVNCheckoutSource(t *testing.T) {
	r := newSVNRepo(t)
	ctx := context.Background()
	cfg := Default()
	wc := r.checkout(t, "branches/25-main")
	pkg := filepath.Join(wc, "xrootd")

	if kind, err := Detect(ctx, pkg); err != nil || kind != SVN {
		t.Fatalf("Detect = %q, %v", kind, err)
	}
	// The repository moves on after the checkout: the build is of HEAD.
	head := r.commitElsewhere(t)
	src, err := cfg.Open(ctx, pkg)
	if err != nil {
		t.Fatal(err)
	}
	if want := "svn+" + public + "25-main/xrootd#" + head; src.SCMURL != want {
		t.Errorf("SCM URL %s, want %s", src.SCMURL, want)
	}
	if src.Branch != "25-main" || src.Package != "xrootd" || src.Rev != head || src.Dir != pkg || src.IsURL {
		t.Errorf("source %+v", src)
	}
	if err := cfg.CheckProtection(src, "osg-25-main-el9"); err != nil {
		t.Errorf("25-main into osg-25-main-el9: %v", err)
	}
	if err := cfg.CheckProtection(src, "osg-24-main-el9"); err == nil || !strings.Contains(err.Error(), "branch/target mismatch: branch 25-main does not match target osg-24-main-el9") {
		t.Errorf("25-main into osg-24-main-el9: %v", err)
	}
	if err := cfg.CheckProtection(src, "chtc-el9"); err == nil || err.Error() != "cannot build into chtc-el9 from SVN: build from git, or choose another target" {
		t.Errorf("svn into chtc: %v", err)
	}

	// path@REV builds that revision.
	src, err = cfg.Open(ctx, pkg+"@1")
	if err != nil {
		t.Fatal(err)
	}
	if want := "svn+" + public + "25-main/xrootd#1"; src.SCMURL != want {
		t.Errorf("@1: SCM URL %s, want %s", src.SCMURL, want)
	}
	if fs, err := Check(ctx, src); err != nil || fs != nil {
		t.Errorf("@REV checks: %v %v", fs, err)
	}

	// .elN is chopped from the package name.
	src, err = cfg.Open(ctx, filepath.Join(wc, "buildsys-macros.el9"))
	if err != nil {
		t.Fatal(err)
	}
	if src.Package != "buildsys-macros" || !strings.HasSuffix(src.SCMURL, "/25-main/buildsys-macros.el9#"+head) {
		t.Errorf("buildsys-macros.el9: %+v", src)
	}
}

func TestSVNURLArguments(t *testing.T) {
	r := newSVNRepo(t)
	ctx := context.Background()
	cfg := Default()
	u := r.url + "/native/redhat/branches/24-main/xrootd"
	src, err := cfg.Open(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	if want := "svn+" + public + "24-main/xrootd#1"; src.SCMURL != want || !src.IsURL || src.Dir != "" {
		t.Errorf("URL source %+v, want %s", src, want)
	}
	if fs, err := Check(ctx, src); err != nil || fs != nil {
		t.Errorf("URL checks: %v %v", fs, err)
	}
	head := r.commitElsewhere(t)
	if src, err := cfg.Open(ctx, u); err != nil || !strings.HasSuffix(src.SCMURL, "#"+head) {
		t.Errorf("URL at new HEAD: %+v %v", src, err)
	}
	if src, err := cfg.Open(ctx, u+"@1"); err != nil || !strings.HasSuffix(src.SCMURL, "#1") {
		t.Errorf("URL@1: %+v %v", src, err)
	}
	// The form Koji takes is accepted too.
	if src, err := cfg.Open(ctx, "svn+"+u+"#1"); err != nil || src.SCMURL != "svn+"+public+"24-main/xrootd#1" || !src.IsURL {
		t.Errorf("svn+URL#1: %+v %v", src, err)
	}

	// A different public root is data.
	other := Default()
	if err := other.Merge([]byte("[svn]\npublic_root = https://svn.example.org/repos/\n"), "test"); err != nil {
		t.Fatal(err)
	}
	if src, err := other.Open(ctx, u); err != nil || src.SCMURL != "svn+https://svn.example.org/repos/native/redhat/branches/24-main/xrootd#"+head {
		t.Errorf("other public root: %+v %v", src, err)
	}
}

func TestSVNRefusals(t *testing.T) {
	r := newSVNRepo(t)
	ctx := context.Background()
	cfg := Default()
	for _, tt := range []struct{ arg, err string }{
		{r.url + "/native/redhat/trunk/xrootd", "building from trunk is not allowed"},
		{r.url + "/native/redhat/branches/upcoming/xrootd", "branches/upcoming is not used any more"},
		{r.url + "/native/redhat/branches/25-main/notes", "isn't a package directory (must have either osg/ or upstream/ dirs or both)"},
		{r.url + "/native/redhat/branches/25-main", "must build from a branch in branches/"},
		{r.url + "/native/redhat/branches/25-main/xrootd/osg", "must build from a branch in branches/"},
		{r.url + "/elsewhere", "must build from a branch in branches/"},
		{r.url + "/native/redhat/branches/25-main/missing", "get the SVN info of"},
	} {
		t.Run(strings.TrimPrefix(tt.arg, r.url), func(t *testing.T) {
			_, err := cfg.Open(ctx, tt.arg)
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("error %v, want %q", err, tt.err)
			}
		})
	}
	// A trunk checkout is refused the same way.
	wc := r.checkout(t, "trunk")
	if _, err := cfg.Open(ctx, filepath.Join(wc, "xrootd")); err == nil || !strings.Contains(err.Error(), "building from trunk is not allowed") {
		t.Errorf("trunk checkout: %v", err)
	}
}

func TestSVNWorkingCopyChecks(t *testing.T) {
	r := newSVNRepo(t)
	ctx := context.Background()
	wc := r.checkout(t, "branches/25-main")
	pkg := filepath.Join(wc, "xrootd")
	src, err := Default().Open(ctx, pkg)
	if err != nil {
		t.Fatal(err)
	}
	if fs, err := Check(ctx, src); err != nil || len(fs) != 0 {
		t.Fatalf("clean: %v %v", fs, err)
	}

	// Someone else commits to the package: this checkout is out of date.
	other := r.checkout(t, "branches/25-main")
	write(t, filepath.Join(other, "xrootd", "osg", "xrootd.spec"), "Name: xrootd\nVersion: 9\n")
	run(t, other, "svn", "commit", "-q", "--non-interactive", "-m", "bump")
	fs, err := Check(ctx, src)
	if err != nil {
		t.Fatal(err)
	}
	if got := findingKinds(fs); len(got) != 1 || got[0] != Outdated {
		t.Fatalf("outdated: %+v", fs)
	}
	if d := fs[0].Details; len(d) != 1 || d[0][8] != '*' || !strings.HasSuffix(d[0], filepath.Join(pkg, "osg", "xrootd.spec")) {
		t.Errorf("outdated details %q", d)
	}
	if !strings.Contains(fs[0].Message, "is out of date and its contents may not reflect what will be built") {
		t.Errorf("message %q", fs[0].Message)
	}

	// Local changes too.
	write(t, filepath.Join(pkg, "upstream", "developer.tarball.source"), "xrootd/2/xrootd-2.tar.gz\n")
	fs, err = Check(ctx, src)
	if err != nil {
		t.Fatal(err)
	}
	if got := findingKinds(fs); len(got) != 2 || got[0] != Uncommitted || got[1] != Outdated {
		t.Fatalf("dirty and outdated: %+v", fs)
	}
	if d := fs[0].Details; len(d) != 1 || !strings.HasPrefix(d[0], "M ") || !strings.Contains(d[0], "developer.tarball.source") {
		t.Errorf("uncommitted details %q", d)
	}
	if strings.Contains(fs[0].Message, "git") || !strings.Contains(fs[0].Message, "SVN build") {
		t.Errorf("message %q", fs[0].Message)
	}

	// After update and revert, clean again.
	run(t, wc, "svn", "revert", "-q", "-R", pkg)
	run(t, wc, "svn", "update", "-q", "--non-interactive")
	if fs, err := Check(ctx, src); err != nil || len(fs) != 0 {
		t.Errorf("after update: %+v %v", fs, err)
	}
}

func TestSVNServe(t *testing.T) {
	r := newSVNRepo(t)
	ctx := context.Background()
	root := startSVNServe(t, r)
	cfg := Default()

	// A URL on the server maps to the public root.
	u := root + "/native/redhat/branches/25-main/xrootd"
	src, err := cfg.Open(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	if want := "svn+" + public + "25-main/xrootd#1"; src.SCMURL != want {
		t.Errorf("svnserve URL: %s, want %s", src.SCMURL, want)
	}

	// So does a checkout over svn://, and its checks talk to the server.
	dir := filepath.Join(t.TempDir(), "25-main")
	run(t, "", "svn", "checkout", "-q", "--non-interactive", root+"/native/redhat/branches/25-main", dir)
	src, err = cfg.Open(ctx, filepath.Join(dir, "xrootd"))
	if err != nil {
		t.Fatal(err)
	}
	if want := "svn+" + public + "25-main/xrootd#1"; src.SCMURL != want {
		t.Errorf("svn:// checkout: %s, want %s", src.SCMURL, want)
	}
	other := r.checkout(t, "branches/25-main")
	write(t, filepath.Join(other, "xrootd", "osg", "xrootd.spec"), "changed\n")
	run(t, other, "svn", "commit", "-q", "--non-interactive", "-m", "change over file://")
	fs, err := Check(ctx, src)
	if err != nil {
		t.Fatal(err)
	}
	if len(fs) != 1 || fs[0].Kind != Outdated {
		t.Errorf("svn:// checkout after a commit: %+v", fs)
	}
	src, err = cfg.Open(ctx, filepath.Join(dir, "xrootd"))
	if err != nil || !strings.HasSuffix(src.SCMURL, "#2") {
		t.Errorf("HEAD revision over svn://: %+v %v", src, err)
	}
}

func TestSVNDetectNotACheckout(t *testing.T) {
	testutil.RequireTool(t, "svn", "git")
	isolate(t)
	var nv *NotVCSError
	if _, err := Detect(context.Background(), t.TempDir()); !errors.As(err, &nv) {
		t.Errorf("plain dir: %v", err)
	}
}
