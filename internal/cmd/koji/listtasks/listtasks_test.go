package listtasks

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/osg-htc/osg-build-go/internal/cmd/koji/shared/kojicmdtest"
	"github.com/osg-htc/osg-build-go/pkg/koji"
)

func TestListTasks(t *testing.T) {
	e := kojicmdtest.New(t)
	ctx := context.Background()
	opts := ListTasksOptions{Common: e.Common()}
	kojicmdtest.Must(t, listTasksRun(ctx, &opts))
	if e.Out.String() != "(no tasks)\n" {
		t.Errorf("no tasks:\n%s", e.Out)
	}

	e.Tag(t, "t1", "", "x86_64")
	id1, err := e.Hub.NewRepo(ctx, koji.ByName("t1"), koji.NewRepoOpts{})
	kojicmdtest.Must(t, err)
	id2, err := e.Hub.NewRepo(ctx, koji.ByName("t1"), koji.NewRepoOpts{})
	kojicmdtest.Must(t, err)
	kojicmdtest.Must(t, e.Hub.CancelTask(ctx, id2, koji.CancelTaskOpts{}))

	e.Reset()
	kojicmdtest.Must(t, listTasksRun(ctx, &opts))
	lines := strings.Split(strings.TrimRight(e.Out.String(), "\n"), "\n")
	if len(lines) != 2 || lines[0] != "ID       Pri  Owner                State    Arch       Name" {
		t.Fatalf("open tasks:\n%s", e.Out)
	}
	if f := strings.Fields(lines[1]); len(f) < 6 || f[0] != strconv.Itoa(id1) || f[3] != "FREE" || f[4] != "noarch" || !strings.HasPrefix(f[5], "newRepo") {
		t.Errorf("task line %q", lines[1])
	}

	// --all shows the canceled one too; --method and --quiet
	e.Reset()
	opts.All, opts.Method = true, "newRepo"
	e.IO.SetQuiet(true)
	kojicmdtest.Must(t, listTasksRun(ctx, &opts))
	if got := strings.Count(e.Out.String(), "\n"); got != 2 || !strings.Contains(e.Out.String(), "CANCELED") || strings.Contains(e.Out.String(), "Owner") {
		t.Errorf("--all --quiet:\n%s", e.Out)
	}
	e.Reset()
	opts.Method = "build"
	kojicmdtest.Must(t, listTasksRun(ctx, &opts))
	if e.Out.Len() != 0 {
		t.Errorf("--method build --quiet:\n%s", e.Out)
	}
}
