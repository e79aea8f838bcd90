package engine

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/osg-htc/osg-build-go/internal/runner"
	"github.com/osg-htc/osg-build-go/internal/testutil"
)

// osg-build's SVN URLs have no ?module: the package path itself is checked
// out (svn+file:///repo/branches/25-main/hello#REV), as Koji's SCM does.
func TestSVNCheckoutWithoutModule(t *testing.T) {
	testutil.RequireTool(t, "svn", "svnadmin")
	ctx := context.Background()
	tmp := t.TempDir()
	repo := filepath.Join(tmp, "repo")
	run := func(name string, args ...string) {
		t.Helper()
		if _, err := runner.Run(ctx, runner.Cmd{Name: name, Args: args}); err != nil {
			t.Fatal(err)
		}
	}
	run("svnadmin", "create", repo)
	src := filepath.Join(tmp, "src", "branches", "25-main", "hello", "osg")
	if err := os.MkdirAll(src, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(src, "hello.spec"), []byte("Name: hello\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	run("svn", "import", "-q", "-m", "add hello", filepath.Join(tmp, "src"), "file://"+repo)

	s, err := ParseSCM("svn+file://" + repo + "/branches/25-main/hello#1")
	if err != nil {
		t.Fatal(err)
	}
	dir, err := s.Checkout(ctx, filepath.Join(tmp, "work"), filepath.Join(tmp, "checkout.log"))
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Base(dir) != "hello" {
		t.Errorf("package dir %s, want .../hello", dir)
	}
	if _, err := os.Stat(filepath.Join(dir, "osg", "hello.spec")); err != nil {
		t.Errorf("the package was not checked out: %v", err)
	}
}
