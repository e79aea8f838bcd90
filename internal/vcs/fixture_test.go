package vcs

import (
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/osg-htc/osg-build-go/internal/runner"
	"github.com/osg-htc/osg-build-go/internal/testutil"
)

// isolate gives the test its own HOME and git identity, so that no user or
// system configuration takes part.
func isolate(t *testing.T) string {
	t.Helper()
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(home, ".config"))
	t.Setenv("GIT_CONFIG_NOSYSTEM", "1")
	t.Setenv("GIT_CONFIG_GLOBAL", filepath.Join(home, ".gitconfig"))
	t.Setenv("GIT_AUTHOR_NAME", "Test Packager")
	t.Setenv("GIT_AUTHOR_EMAIL", "packager@example.org")
	t.Setenv("GIT_COMMITTER_NAME", "Test Packager")
	t.Setenv("GIT_COMMITTER_EMAIL", "packager@example.org")
	write(t, filepath.Join(home, ".gitconfig"), "[init]\n\tdefaultBranch = main\n[advice]\n\tdetachedHead = false\n")
	return home
}

// run runs a program for the test's setup and returns its trimmed stdout.
func run(t *testing.T, dir, name string, args ...string) string {
	t.Helper()
	out, err := runner.Output(context.Background(), runner.Cmd{Name: name, Args: args, Dir: dir})
	if err != nil {
		t.Fatalf("%s %s: %v", name, strings.Join(args, " "), err)
	}
	return out
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// addPackage writes a minimal package directory (osg/ and upstream/).
func addPackage(t *testing.T, dir, name string) {
	t.Helper()
	write(t, filepath.Join(dir, "osg", name+".spec"), "Name: "+name+"\nVersion: 1\nRelease: 1%{?dist}\n")
	write(t, filepath.Join(dir, "upstream", "developer.tarball.source"), name+"/1/"+name+"-1.tar.gz\n")
}

// gitRepos is a bare repository with one clone of it.
type gitRepos struct {
	bare string // path of the bare repository
	url  string // its file:// URL
	work string // a clone, with main pushed
}

// newSubtreeRepo makes a bare repository laid out like
// osg-htc/software-packaging (25-main/koji.ini, 25-main/xrootd,
// 24-main/xrootd), pushed from a clone, and returns the repositories and a
// configuration that knows the bare repository as the osg2 remote.
func newSubtreeRepo(t *testing.T) (*gitRepos, *Config) {
	t.Helper()
	testutil.RequireTool(t, "git")
	isolate(t)
	root := t.TempDir()
	r := &gitRepos{bare: filepath.Join(root, "software-packaging.git"), work: filepath.Join(root, "work")}
	r.url = "file://" + r.bare
	run(t, root, "git", "init", "-q", "--bare", r.bare)
	run(t, root, "git", "clone", "-q", r.url, r.work)
	write(t, filepath.Join(r.work, "25-main", "koji.ini"), "[koji]\nrepo =  25-main\n")
	write(t, filepath.Join(r.work, "24-main", "koji.ini"), "[koji]\nrepo =  24-main\n")
	write(t, filepath.Join(r.work, ".gitignore"), "_*/\n")
	addPackage(t, filepath.Join(r.work, "25-main", "xrootd"), "xrootd")
	addPackage(t, filepath.Join(r.work, "24-main", "xrootd"), "xrootd")
	addPackage(t, filepath.Join(r.work, "25-main", "buildsys-macros.el9"), "buildsys-macros")
	write(t, filepath.Join(r.work, "25-main", "docs", "README"), "not a package\n")
	run(t, r.work, "git", "add", "-A")
	run(t, r.work, "git", "commit", "-q", "-m", "initial packages")
	run(t, r.work, "git", "tag", "-a", "-m", "release one", "v1")
	run(t, r.work, "git", "push", "-q", "-u", "origin", "main", "--tags")

	cfg := Default()
	if err := cfg.Merge([]byte("[remote osg2]\nurls = "+r.url+"\n"), "test"); err != nil {
		t.Fatal(err)
	}
	return r, cfg
}

// clone makes another clone of the bare repository.
func (r *gitRepos) clone(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "other")
	run(t, filepath.Dir(dir), "git", "clone", "-q", r.url, dir)
	return dir
}

// svnRepo is an SVN repository laid out like vdt.cs.wisc.edu/svn.
type svnRepo struct {
	path string // repository directory
	url  string // file:// URL of the root
}

// newSVNRepo makes a repository with native/redhat/{trunk,branches/...}
// holding xrootd in 25-main and 24-main, a package in trunk and in the old
// branches/upcoming, and a directory that is no package.
func newSVNRepo(t *testing.T) *svnRepo {
	t.Helper()
	testutil.RequireTool(t, "svn", "svnadmin")
	isolate(t)
	root := t.TempDir()
	r := &svnRepo{path: filepath.Join(root, "repo")}
	r.url = "file://" + r.path
	run(t, root, "svnadmin", "create", r.path)

	// Import a tree in one commit (r1).
	tree := filepath.Join(root, "import")
	base := filepath.Join(tree, "native", "redhat")
	addPackage(t, filepath.Join(base, "branches", "25-main", "xrootd"), "xrootd")
	addPackage(t, filepath.Join(base, "branches", "24-main", "xrootd"), "xrootd")
	addPackage(t, filepath.Join(base, "branches", "25-main", "buildsys-macros.el9"), "buildsys-macros")
	addPackage(t, filepath.Join(base, "trunk", "xrootd"), "xrootd")
	addPackage(t, filepath.Join(base, "branches", "upcoming", "xrootd"), "xrootd")
	write(t, filepath.Join(base, "branches", "25-main", "notes", "README"), "no package here\n")
	write(t, filepath.Join(tree, "elsewhere", "README"), "outside native/redhat\n")
	run(t, root, "svn", "import", "-q", "--non-interactive", "-m", "initial import", tree, r.url)
	return r
}

func (r *svnRepo) checkout(t *testing.T, branchPath string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), filepath.Base(branchPath))
	run(t, "", "svn", "checkout", "-q", "--non-interactive", r.url+"/native/redhat/"+branchPath, dir)
	return dir
}

// commitElsewhere makes a commit outside branchPath so the repository HEAD
// revision moves on, and returns the new revision.
func (r *svnRepo) commitElsewhere(t *testing.T) string {
	t.Helper()
	run(t, "", "svn", "mkdir", "-q", "--non-interactive", "-m", "unrelated", r.url+"/elsewhere/d"+strconv.FormatInt(time.Now().UnixNano(), 10))
	return strings.TrimSpace(run(t, "", "svn", "info", "--non-interactive", "--show-item", "revision", r.url))
}

// startSVNServe serves the repository's parent directory with svnserve on
// a free loopback port and returns svn://127.0.0.1:PORT/repo. The server is
// killed when the test ends.
func startSVNServe(t *testing.T, r *svnRepo) string {
	t.Helper()
	testutil.RequireTool(t, "svnserve")
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	cmd := exec.Command("svnserve", "-d", "--foreground", "--listen-host", "127.0.0.1",
		"--listen-port", strconv.Itoa(port), "-r", filepath.Dir(r.path))
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("svnserve did not listen on %s within 10s", addr)
		}
		time.Sleep(50 * time.Millisecond)
	}
	return "svn://" + addr + "/" + filepath.Base(r.path)
}
