package prebuild_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/osg-htc/osg-build-go/internal/cli"
	"github.com/osg-htc/osg-build-go/internal/iostreams"
	"github.com/osg-htc/osg-build-go/internal/testutil"
)

// TestSecondPrebuildMakesNoRequests runs prebuild twice against an
// httptest upstream cache and counts the requests it receives: the second
// run, with the download cache warm, must make none.
func TestSecondPrebuildMakesNoRequests(t *testing.T) {
	testutil.RequireTool(t, "rpmbuild", "git")
	testdata, err := filepath.Abs(filepath.Join("..", "..", "..", "..", "testdata", "packages"))
	if err != nil {
		t.Fatal(err)
	}
	var requests atomic.Int64
	files := http.FileServer(http.Dir(filepath.Join(testdata, "cache")))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		files.ServeHTTP(w, r)
	}))
	defer srv.Close()

	work := t.TempDir()
	pkg := filepath.Join(work, "osg-hello")
	if out, err := exec.Command("cp", "-R", filepath.Join(testdata, "osg-hello"), pkg).CombinedOutput(); err != nil {
		t.Fatalf("cp: %v\n%s", err, out)
	}
	if out, err := exec.Command("sh", filepath.Join(testdata, "make-git-source.sh"), pkg, filepath.Join(work, "docs.git")).CombinedOutput(); err != nil {
		t.Fatalf("make-git-source.sh: %v\n%s", err, out)
	}
	t.Setenv("XDG_CACHE_HOME", filepath.Join(work, "cache"))

	run := func() string {
		t.Helper()
		ios, _, out, errOut := iostreams.Test()
		code := cli.Run(context.Background(), []string{"osg-build", "prebuild", "--el9", "-c", srv.URL, pkg}, ios)
		if code != 0 {
			t.Fatalf("prebuild exited %d:\n%s", code, errOut)
		}
		return out.String()
	}
	out := run()
	if !strings.HasSuffix(strings.TrimSpace(out), "osg-hello-1.0-1.osg.el9.src.rpm") {
		t.Errorf("first prebuild printed %q", out)
	}
	if n := requests.Load(); n != 1 {
		t.Fatalf("first prebuild made %d requests, want 1 (the tarball)", n)
	}
	before := requests.Load()
	run()
	if n := requests.Load() - before; n != 0 {
		t.Errorf("second prebuild made %d requests, want 0", n)
	}
	t.Logf("requests: first prebuild %d, second prebuild %d", before, requests.Load()-before)

	// a cold download cache downloads again (the counter does count)
	t.Setenv("XDG_CACHE_HOME", filepath.Join(work, "cache2"))
	if err := os.RemoveAll(filepath.Join(pkg, "_final_srpm_contents")); err != nil {
		t.Fatal(err)
	}
	run()
	if n := requests.Load(); n != 2 {
		t.Errorf("prebuild with a cold cache: %d requests in all, want 2", n)
	}
}
