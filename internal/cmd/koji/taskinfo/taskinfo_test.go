package taskinfo

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/osg-htc/osg-build-go/internal/cmd/koji/shared/kojicmdtest"
	"github.com/osg-htc/osg-build-go/pkg/koji"
)

func Test_taskInfoRun(t *testing.T) {
	time.Local = time.UTC
	e := kojicmdtest.New(t)
	ctx := context.Background()
	e.Tag(t, "t1", "", "")
	e.Build(t, "t1", "foo", "1", "1")
	id, err := e.Hub.TagBuild(ctx, koji.ByName("t1"), koji.ByName("foo-1-1"), koji.TagBuildOpts{})
	kojicmdtest.Must(t, err)

	opts := TaskInfoOptions{Common: e.Common(), IDs: []int{id}, Verbose: true, Recurse: true}
	kojicmdtest.Must(t, taskInfoRun(ctx, &opts))
	out := e.Out.String()
	for _, want := range []string{"Task: 1\n", "Type: tagBuild\n", "Request Parameters:\n  Destination Tag: t1\n  Build: foo-1-1\n",
		"Owner: tester\n", "State: closed\n", "Created: Fri Jan  2 03:04:"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	opts.IDs = []int{999}
	if err := taskInfoRun(ctx, &opts); err == nil || !strings.Contains(err.Error(), "no such task: 999") {
		t.Errorf("err = %v", err)
	}
	e.Reset()
	opts = TaskInfoOptions{Common: e.Common(), IDs: []int{id}}
	opts.JSON = true
	kojicmdtest.Must(t, taskInfoRun(ctx, &opts))
	if !strings.Contains(e.Out.String(), `"method": "tagBuild"`) {
		t.Errorf("json: %s", e.Out)
	}
}

func Test_NewCmdTaskInfo(t *testing.T) {
	e := kojicmdtest.New(t)
	var got *TaskInfoOptions
	cmd := NewCmdTaskInfo(e.Factory(), func(o *TaskInfoOptions) error { got = o; return nil })
	kojicmdtest.Must(t, kojicmdtest.Exec(cmd, "-r", "3", "4"))
	if !got.Recurse || len(got.IDs) != 2 || got.IDs[1] != 4 {
		t.Errorf("options %+v", got)
	}
	if err := kojicmdtest.Exec(cmd, "x"); err == nil {
		t.Error("non-numeric id accepted")
	}
}
