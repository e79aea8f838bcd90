package cancel

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/osg-htc/osg-build-go/internal/cmd/koji/shared/kojicmdtest"
	"github.com/osg-htc/osg-build-go/internal/cmdutil"
	"github.com/osg-htc/osg-build-go/pkg/koji"
)

func TestCancel(t *testing.T) {
	e := kojicmdtest.New(t)
	ctx := context.Background()
	e.Tag(t, "t1", "", "")
	e.Build(t, "t1", "done", "1", "1") // COMPLETE

	// a newRepo task (free: no engine runs here) and its cancel
	id, err := e.Hub.NewRepo(ctx, koji.ByName("t1"), koji.NewRepoOpts{})
	kojicmdtest.Must(t, err)
	opts := CancelOptions{Common: e.Common(), Targets: []string{strconv.Itoa(id)}}
	kojicmdtest.Must(t, cancelRun(ctx, &opts))
	ti, err := e.Hub.GetTaskInfo(ctx, id, koji.GetTaskInfoOpts{})
	kojicmdtest.Must(t, err)
	if ti.State != koji.TaskCanceled {
		t.Errorf("task %d is %s", id, ti.State)
	}

	// what cannot be canceled is reported, the rest still done, exit 1
	e.Reset()
	id2, err := e.Hub.NewRepo(ctx, koji.ByName("t1"), koji.NewRepoOpts{})
	kojicmdtest.Must(t, err)
	opts.Targets = []string{"done-1-1", "nosuch-1-1", "999999", strconv.Itoa(id2)}
	err = cancelRun(ctx, &opts)
	if !errors.Is(err, cmdutil.ErrSilent) {
		t.Errorf("err = %v", err)
	}
	for _, want := range []string{"cannot cancel done-1-1: build done-1-1 is not in progress", "cannot cancel nosuch-1-1: No such build", "cannot cancel 999999: No such task: 999999"} {
		if !strings.Contains(e.ErrOut.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, e.ErrOut)
		}
	}
	if ti, _ := e.Hub.GetTaskInfo(ctx, id2, koji.GetTaskInfoOpts{}); ti.State != koji.TaskCanceled {
		t.Errorf("task %d after the failures: %s", id2, ti.State)
	}
}
