package vcs

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/osg-htc/osg-build-go/internal/targets"
)

func findingKinds(fs []Finding) []FindingKind {
	var ks []FindingKind
	for _, f := range fs {
		ks = append(ks, f.Kind)
	}
	return ks
}

func TestGitSubtreeSourceAndKojiINI(t *testing.T) {
	r, cfg := newSubtreeRepo(t)
	ctx := context.Background()
	pkg := filepath.Join(r.work, "25-main", "xrootd")
	sha := run(t, r.work, "git", "rev-parse", "HEAD")

	kind, err := Detect(ctx, pkg)
	if err != nil || kind != Git {
		t.Fatalf("Detect = %q, %v", kind, err)
	}
	src, err := cfg.Open(ctx, pkg)
	if err != nil {
		t.Fatal(err)
	}
	wantURL := "git+" + r.url + "?25-main/xrootd#" + sha
	if src.SCMURL != wantURL {
		t.Errorf("SCM URL\n got %s\nwant %s", src.SCMURL, wantURL)
	}
	if src.Package != "xrootd" || src.Subtree != "25-main" || src.Branch != "main" || src.Remote.Name != "osg2" || src.RemoteName != "origin" || src.Rev != sha {
		t.Errorf("source %+v", src)
	}
	if fs, err := Check(ctx, src); err != nil || len(fs) != 0 {
		t.Errorf("clean checkout: findings %v, %v", fs, err)
	}

	// The subtree's koji.ini gives the repo; every target it resolves to is
	// allowed from this subtree, and the 24 ones are not.
	repo, path, err := targets.RepoFromKojiINI(src.Dir)
	if err != nil || repo != "25-main" {
		t.Fatalf("koji.ini: %q %v", repo, err)
	}
	tc := targets.Default()
	res, err := tc.Resolve(targets.Request{DefaultRepo: repo, DefaultRepoSource: path})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Targets) != 3 {
		t.Fatalf("targets %+v", res.Targets)
	}
	for _, dt := range res.Targets {
		if err := cfg.CheckProtection(src, dt.Target); err != nil {
			t.Errorf("%s: %v", dt.Target, err)
		}
	}
	res24, err := tc.Resolve(targets.Request{Repo: "24-main"})
	if err != nil {
		t.Fatal(err)
	}
	var pe *ProtectionError
	if err := cfg.CheckProtection(src, res24.Targets[0].Target); !errors.As(err, &pe) || pe.Reason != Mismatch {
		t.Errorf("25-main into %s: %v", res24.Targets[0].Target, err)
	}

	// The el9-suffixed directory builds the package without the suffix.
	bm, err := cfg.Open(ctx, filepath.Join(r.work, "25-main", "buildsys-macros.el9"))
	if err != nil {
		t.Fatal(err)
	}
	if bm.Package != "buildsys-macros" || !strings.HasSuffix(bm.SCMURL, "?25-main/buildsys-macros.el9#"+sha) {
		t.Errorf("buildsys-macros.el9: %+v", bm)
	}
}

func TestGitSourceRefusals(t *testing.T) {
	r, cfg := newSubtreeRepo(t)
	ctx := context.Background()
	for _, tt := range []struct {
		name string
		dir  string
		err  string
	}{
		{"not a package", filepath.Join(r.work, "25-main", "docs"), "isn't a package directory (must have either osg/ or upstream/"},
		{"top of the checkout", r.work, "is the top of its git checkout"},
		{"subtree dir itself", filepath.Join(r.work, "25-main"), "isn't a package directory"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := cfg.GitSource(ctx, tt.dir)
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("error %v, want %q", err, tt.err)
			}
		})
	}

	// Not in the subtree layout: a package at the top of a subtree remote.
	addPackage(t, filepath.Join(r.work, "toplevel"), "toplevel")
	run(t, r.work, "git", "add", "-A")
	run(t, r.work, "git", "commit", "-q", "-m", "top-level package")
	run(t, r.work, "git", "push", "-q")
	if _, err := cfg.GitSource(ctx, filepath.Join(r.work, "toplevel")); err == nil || !strings.Contains(err.Error(), "whose layout is <subtree>/<package>") {
		t.Errorf("top-level package in a subtree repo: %v", err)
	}

	// The default config does not know a file:// remote.
	if _, err := Default().GitSource(ctx, filepath.Join(r.work, "25-main", "xrootd")); err == nil ||
		!strings.Contains(err.Error(), "known remote not found") || !strings.Contains(err.Error(), "origin "+r.url) {
		t.Errorf("unknown remote: %v", err)
	}
}

func TestGitDirtyTree(t *testing.T) {
	r, cfg := newSubtreeRepo(t)
	ctx := context.Background()
	pkg := filepath.Join(r.work, "25-main", "xrootd")
	write(t, filepath.Join(pkg, "osg", "xrootd.spec"), "Name: xrootd\nVersion: 2\n")
	write(t, filepath.Join(pkg, "osg", "new.patch"), "--- a\n+++ b\n")
	write(t, filepath.Join(pkg, "_build_results", "x.rpm"), "ignored\n")
	// A change in another package is not this package's business.
	write(t, filepath.Join(r.work, "24-main", "xrootd", "osg", "xrootd.spec"), "changed\n")

	fs, err := CheckGit(ctx, pkg)
	if err != nil {
		t.Fatal(err)
	}
	if len(fs) != 1 || fs[0].Kind != Uncommitted || fs[0].Blocking {
		t.Fatalf("findings %+v", fs)
	}
	details := strings.Join(fs[0].Details, "\n")
	if !strings.Contains(details, " M 25-main/xrootd/osg/xrootd.spec") || !strings.Contains(details, "?? 25-main/xrootd/osg/new.patch") {
		t.Errorf("details %q", details)
	}
	if strings.Contains(details, "24-main") || strings.Contains(details, "_build_results") {
		t.Errorf("details name other paths: %q", details)
	}
	if !strings.Contains(fs[0].String(), "has uncommitted changes that will not be included in the git build") {
		t.Errorf("message %q", fs[0].String())
	}
	// The build itself is of the pushed HEAD and still possible.
	if _, err := cfg.GitSource(ctx, pkg); err != nil {
		t.Errorf("GitSource with a dirty tree: %v", err)
	}
}

func TestGitUnpushedCommit(t *testing.T) {
	r, cfg := newSubtreeRepo(t)
	ctx := context.Background()
	pkg := filepath.Join(r.work, "25-main", "xrootd")
	pushed := run(t, r.work, "git", "rev-parse", "HEAD")
	write(t, filepath.Join(pkg, "osg", "xrootd.spec"), "Name: xrootd\nVersion: 2\n")
	run(t, r.work, "git", "commit", "-q", "-am", "bump")
	local := run(t, r.work, "git", "rev-parse", "HEAD")

	fs, err := CheckGit(ctx, pkg)
	if err != nil {
		t.Fatal(err)
	}
	if got := findingKinds(fs); len(got) != 1 || got[0] != Unpushed {
		t.Fatalf("findings %v", fs)
	}
	if !fs[0].Blocking || !strings.Contains(fs[0].Message, "local hash ("+local+") does not match remote hash ("+pushed+")") ||
		!strings.Contains(fs[0].Message, "perhaps you need to perform 'git push'?") {
		t.Errorf("finding %+v", fs[0])
	}
	if _, err := cfg.GitSource(ctx, pkg); err == nil || !strings.Contains(err.Error(), "git push") {
		t.Errorf("GitSource of an unpushed HEAD: %v", err)
	}

	run(t, r.work, "git", "push", "-q")
	if fs, err := CheckGit(ctx, pkg); err != nil || len(fs) != 0 {
		t.Errorf("after push: %v %v", fs, err)
	}
	src, err := cfg.GitSource(ctx, pkg)
	if err != nil || src.Rev != local {
		t.Errorf("after push: %+v %v", src, err)
	}
}

func TestGitOutOfDate(t *testing.T) {
	r, cfg := newSubtreeRepo(t)
	ctx := context.Background()
	pkg := filepath.Join(r.work, "25-main", "xrootd")
	local := run(t, r.work, "git", "rev-parse", "HEAD")

	other := r.clone(t)
	write(t, filepath.Join(other, "25-main", "xrootd", "osg", "xrootd.spec"), "Name: xrootd\nVersion: 3\n")
	run(t, other, "git", "commit", "-q", "-am", "someone else's change")
	run(t, other, "git", "push", "-q")
	remote := run(t, other, "git", "rev-parse", "HEAD")

	fs, err := CheckGit(ctx, pkg)
	if err != nil {
		t.Fatal(err)
	}
	if got := findingKinds(fs); len(got) != 1 || got[0] != Outdated || fs[0].Blocking {
		t.Fatalf("findings %+v", fs)
	}
	if want := "Remote hash (" + remote + ") does not match local hash (" + local + ") for branch main."; fs[0].Details[0] != want {
		t.Errorf("details %q\nwant %q", fs[0].Details, want)
	}
	// Fetched but not merged: still out of date, but nothing is unpushed,
	// and the local HEAD is on the remote so Koji can build it.
	run(t, r.work, "git", "fetch", "-q")
	fs, err = CheckGit(ctx, pkg)
	if err != nil || len(fs) != 1 || fs[0].Kind != Outdated {
		t.Errorf("after fetch: %+v %v", fs, err)
	}
	if src, err := cfg.GitSource(ctx, pkg); err != nil || src.Rev != local {
		t.Errorf("GitSource behind the remote: %+v %v", src, err)
	}
	// Diverged: a local commit on top of the old head is both unpushed and out of date.
	write(t, filepath.Join(pkg, "osg", "other.patch"), "x\n")
	run(t, r.work, "git", "add", "-A")
	run(t, r.work, "git", "commit", "-q", "-m", "diverge")
	fs, err = CheckGit(ctx, pkg)
	if err != nil {
		t.Fatal(err)
	}
	if got := findingKinds(fs); len(got) != 2 || got[0] != Unpushed || got[1] != Outdated {
		t.Errorf("diverged: %+v", fs)
	}
}

func TestGitBranchRules(t *testing.T) {
	r, cfg := newSubtreeRepo(t)
	ctx := context.Background()
	pkg := filepath.Join(r.work, "25-main", "xrootd")

	// A local branch with no remote.
	run(t, r.work, "git", "checkout", "-q", "-b", "feature")
	if _, err := cfg.GitSource(ctx, pkg); err == nil || !strings.Contains(err.Error(), "branch feature in") || !strings.Contains(err.Error(), "git push -u REMOTE feature") {
		t.Errorf("branch without remote: %v", err)
	}
	if _, err := CheckGit(ctx, pkg); err == nil || !strings.Contains(err.Error(), "has no remote") {
		t.Errorf("CheckGit branch without remote: %v", err)
	}
	// Pushed under another name: the tracked branch is what counts.
	run(t, r.work, "git", "push", "-q", "-u", "origin", "feature:packager/feature")
	if fs, err := CheckGit(ctx, pkg); err != nil || len(fs) != 0 {
		t.Errorf("tracking packager/feature: %+v %v", fs, err)
	}
	src, err := cfg.GitSource(ctx, pkg)
	if err != nil || src.Branch != "feature" {
		t.Fatalf("tracking packager/feature: %+v %v", src, err)
	}

	// Detached HEAD, e.g. at an annotated tag.
	run(t, r.work, "git", "checkout", "-q", "v1")
	if _, err := cfg.GitSource(ctx, pkg); err == nil || !strings.Contains(err.Error(), "detached HEAD") {
		t.Errorf("detached: %v", err)
	}
	run(t, r.work, "git", "checkout", "-q", "main")

	// The branch's remote must be the known one.
	fork := filepath.Join(t.TempDir(), "fork.git")
	run(t, r.work, "git", "init", "-q", "--bare", fork)
	run(t, r.work, "git", "remote", "add", "fork", "file://"+fork)
	run(t, r.work, "git", "push", "-q", "-u", "fork", "main")
	if _, err := cfg.GitSource(ctx, pkg); err == nil || !strings.Contains(err.Error(), "remote fork of branch main") ||
		!strings.Contains(err.Error(), "not an officially known remote") || !strings.Contains(err.Error(), "git branch -u origin/main") {
		t.Errorf("fork remote: %v", err)
	}
}

func TestGitLegacyLayoutWithGitSVN(t *testing.T) {
	isolate(t)
	ctx := context.Background()
	root := t.TempDir()
	bare := filepath.Join(root, "Software-Redhat.git")
	work := filepath.Join(root, "redhat")
	run(t, root, "git", "init", "-q", "--bare", bare)
	run(t, root, "git", "clone", "-q", "file://"+bare, work)
	run(t, work, "git", "checkout", "-q", "-b", "osg-3.6")
	addPackage(t, filepath.Join(work, "buildsys-macros.el9"), "buildsys-macros")
	run(t, work, "git", "add", "-A")
	run(t, work, "git", "commit", "-q", "-m", "local commit")
	run(t, work, "git", "push", "-q", "-u", "origin", "osg-3.6")

	cfg := Default()
	// The bare repo stands for the Software-Redhat mirror: legacy, git-svn.
	if err := cfg.Merge([]byte("[remote osg]\nurls = file://"+bare+"\n"), "test"); err != nil {
		t.Fatal(err)
	}
	pkg := filepath.Join(work, "buildsys-macros.el9")
	if _, err := cfg.GitSource(ctx, pkg); err == nil || !strings.Contains(err.Error(), "last git commit in") || !strings.Contains(err.Error(), "not from SVN") {
		t.Fatalf("commit without git-svn-id: %v", err)
	}
	run(t, work, "git", "commit", "-q", "--allow-empty", "-m", "mirrored\n\ngit-svn-id: https://vdt.cs.wisc.edu/svn/native/redhat/branches/osg-3.6@28000 4e558342-562e-0410-864c-e07659590f8c")
	run(t, work, "git", "push", "-q")
	sha := run(t, work, "git", "rev-parse", "HEAD")
	src, err := cfg.GitSource(ctx, pkg)
	if err != nil {
		t.Fatal(err)
	}
	if want := "git+file://" + bare + "?buildsys-macros.el9#" + sha; src.SCMURL != want {
		t.Errorf("SCM URL %s, want %s", src.SCMURL, want)
	}
	if src.Package != "buildsys-macros" || src.Branch != "osg-3.6" || src.Subtree != "" || src.ProtectedBranch() != "osg-3.6" {
		t.Errorf("source %+v", src)
	}
	if err := cfg.CheckProtection(src, "osg-3.6-el9"); err != nil {
		t.Errorf("osg-3.6 into osg-3.6-el9: %v", err)
	}
	if err := cfg.CheckProtection(src, "osg-25-main-el9"); err == nil {
		t.Error("osg-3.6 into osg-25-main-el9 allowed")
	}

	// In the legacy layout a package is a top-level directory.
	addPackage(t, filepath.Join(work, "nested", "pkg"), "pkg")
	run(t, work, "git", "add", "-A")
	run(t, work, "git", "commit", "-q", "-m", "nested\n\ngit-svn-id: x")
	run(t, work, "git", "push", "-q")
	if _, err := cfg.GitSource(ctx, filepath.Join(work, "nested", "pkg")); err == nil || !strings.Contains(err.Error(), "one package per top-level directory") {
		t.Errorf("nested package in legacy layout: %v", err)
	}
}

func TestDetect(t *testing.T) {
	r, _ := newSubtreeRepo(t)
	ctx := context.Background()
	plain := t.TempDir()
	file := filepath.Join(plain, "f")
	write(t, file, "x")
	for _, tt := range []struct {
		arg  string
		kind Kind
		err  string
	}{
		{filepath.Join(r.work, "25-main", "xrootd"), Git, ""},
		{filepath.Join(r.work, "25-main", "xrootd", "osg"), Git, ""},
		{"git+https://github.com/osg-htc/software-packaging.git?25-main/xrootd#abc", Git, ""},
		{"https://vdt.cs.wisc.edu/svn/native/redhat/branches/25-main/xrootd", SVN, ""},
		{plain, "", "is in neither an SVN nor a git checkout"},
		{file, "", "not a directory"},
		{filepath.Join(plain, "missing"), "", "is not a valid package directory"},
	} {
		kind, err := Detect(ctx, tt.arg)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("Detect(%s) error %v, want %q", tt.arg, err, tt.err)
			}
			continue
		}
		if err != nil || kind != tt.kind {
			t.Errorf("Detect(%s) = %q, %v; want %q", tt.arg, kind, err, tt.kind)
		}
	}
	var nv *NotVCSError
	if _, err := Detect(ctx, plain); !errors.As(err, &nv) {
		t.Errorf("plain dir: %T", err)
	}
	if _, err := os.Stat(plain); err != nil {
		t.Fatal(err)
	}
}
