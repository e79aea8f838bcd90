package engine

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/osg-htc/osg-build-go/internal/runner"
	"github.com/osg-htc/osg-build-go/internal/testutil"
	"github.com/osg-htc/osg-build-go/pkg/koji"
	"github.com/osg-htc/osg-build-go/pkg/repodata"
)

// makeExternalRepo builds binary RPMs of the specs into a directory with
// repodata and returns its file:// URL.
func makeExternalRepo(t *testing.T, specs ...specOpts) string {
	t.Helper()
	dir := t.TempDir()
	for _, o := range specs {
		work := t.TempDir()
		spec := filepath.Join(work, o.name+".spec")
		if err := os.WriteFile(spec, []byte(specText(o)), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := runner.Run(context.Background(), runner.Cmd{Name: "rpmbuild", Args: []string{"-bb", "--define", "_topdir " + work,
			"--define", "_rpmdir " + dir, "--define", "_build_name_fmt %%{NAME}-%%{VERSION}-%%{RELEASE}.%%{ARCH}.rpm", "--define", "dist .ext", spec}}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := repodata.Generate(context.Background(), repodata.Options{Dir: dir}); err != nil {
		t.Fatal(err)
	}
	return "file://" + dir + "/"
}

func TestExternalReposMerged(t *testing.T) {
	testutil.RequireTool(t, "rpmbuild", "dnf")
	for _, mode := range []string{"koji", "simple", "bare"} {
		t.Run(mode, func(t *testing.T) {
			h := testHub(t, "pkgc", "extlib")
			ctx := context.Background()
			url := makeExternalRepo(t, specOpts{name: "extlib", version: "5.0", noarch: true}, specOpts{name: "pkgc", version: "0.1", noarch: true})
			if _, err := h.CreateExternalRepo(ctx, "ext", url); err != nil {
				t.Fatal(err)
			}
			if err := h.AddExternalRepoToTag(ctx, koji.ByName("dest-build"), koji.ByName("ext"), 10, koji.AddExternalRepoToTagOpts{MergeMode: mode}); err != nil {
				t.Fatal(err)
			}
			e := newEngine(t, h, Options{})
			id, ti := build(t, h, e, specOpts{name: "pkgc", version: "1.0", buildRequires: []string{"extlib >= 5"}}, koji.BuildRequestOpts{})
			if ti.State != koji.TaskClosed {
				t.Fatalf("pkgc with an external BuildRequires: %s: %s", ti.State, taskFault(t, h, id))
			}
			if err := e.RunUntilIdle(ctx); err != nil {
				t.Fatal(err)
			}
			got := strings.Join(repoquery(t, h, "dest-build"), " ")
			arch := builderHostArch()
			want := "extlib-5.0-1.ext.noarch pkgc-1.0-1.t1." + arch
			if mode != "koji" {
				// simple and bare keep every package (simple drops only
				// blocked ones and repeated NEVRAs), the external pkgc too
				want = "extlib-5.0-1.ext.noarch pkgc-0.1-1.ext.noarch pkgc-1.0-1.t1." + arch
			}
			if got != want {
				t.Errorf("dnf sees %q, want %q", got, want)
			}
			// the createrepo task's mergerepos.log says what was merged
			tasks, err := h.ListTasks(ctx, koji.ListTasksOpts{Opts: &koji.TaskQuery{Method: "createrepo"}})
			if err != nil || len(tasks) == 0 {
				t.Fatalf("createrepo tasks: %v %v", tasks, err)
			}
			b, err := os.ReadFile(filepath.Join(h.TaskDir(int64(tasks[len(tasks)-1].ID)), "mergerepos.log"))
			if err != nil || !strings.Contains(string(b), "merge mode "+mode) || !strings.Contains(string(b), "Adding repo: "+url+" (ext, priority 10)") ||
				!strings.Contains(string(b), " packages merged") {
				t.Errorf("mergerepos.log: %v\n%s", err, b)
			}
			checkConsistent(t, h)
		})
	}
}
