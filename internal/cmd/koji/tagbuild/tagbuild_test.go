package tagbuild

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/osg-htc/osg-build-go/internal/cmd/koji/shared/kojicmdtest"
	"github.com/osg-htc/osg-build-go/internal/cmdutil"
	"github.com/osg-htc/osg-build-go/pkg/koji"
)

func Test_tagBuildRun(t *testing.T) {
	e := kojicmdtest.New(t)
	ctx := context.Background()
	e.Tag(t, "t1", "", "")
	e.Build(t, "t1", "foo", "1", "1")
	e.Build(t, "", "bar", "1", "1") // not in the package list

	opts := TagBuildOptions{Common: e.Common(), Tag: "t1", NVRs: []string{"foo-1-1"}}
	kojicmdtest.Must(t, tagBuildRun(ctx, &opts))
	if !strings.Contains(e.ErrOut.String(), "Created task 1\n") || !strings.Contains(e.ErrOut.String(), "1 tagBuild completed successfully") {
		t.Errorf("stderr:\n%s", e.ErrOut)
	}
	tagged, err := e.Hub.ListTagged(ctx, koji.ByName("t1"), koji.ListTaggedOpts{})
	kojicmdtest.Must(t, err)
	if len(tagged) != 1 || tagged[0].NVR != "foo-1-1" {
		t.Errorf("tagged %+v", tagged)
	}

	// the task of a build outside the package list fails: exit code 3, or the
	// hub refuses at once
	e.Reset()
	opts.NVRs = []string{"bar-1-1"}
	err = tagBuildRun(ctx, &opts)
	var ee *cmdutil.ExitError
	var f *koji.Fault
	switch {
	case errors.As(err, &ee):
		if ee.Code != cmdutil.ExitTaskFailed {
			t.Errorf("exit code %d", ee.Code)
		}
	case errors.As(err, &f):
	default:
		t.Errorf("err = %v", err)
	}
}
