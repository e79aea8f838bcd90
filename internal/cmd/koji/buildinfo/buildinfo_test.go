package buildinfo

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/osg-htc/osg-build-go/internal/cmd/koji/shared/kojicmdtest"
	"github.com/osg-htc/osg-build-go/internal/cmdutil"
)

func Test_buildInfoRun(t *testing.T) {
	time.Local = time.UTC
	e := kojicmdtest.New(t)
	e.Tag(t, "t1", "", "")
	e.Build(t, "t1", "foo", "1.0", "1")
	e.TagBuild(t, "t1", "foo-1.0-1")

	opts := BuildInfoOptions{Common: e.Common(), Builds: []string{"foo-1.0-1", "nope-1-1"}}
	err := buildInfoRun(context.Background(), &opts)
	if !errors.Is(err, cmdutil.ErrSilent) {
		t.Errorf("err = %v, want the silent failure of a missing build", err)
	}
	if !strings.Contains(e.ErrOut.String(), "No such build: nope-1-1") {
		t.Errorf("stderr %q", e.ErrOut)
	}
	out := e.Out.String()
	for _, want := range []string{"BUILD: foo-1.0-1 [1]\n", "State: COMPLETE\n", "Built by: tester\n", "Volume: DEFAULT\n", "Task: none\n", "Finished: Fri, 02 Jan 2026 03:04:", "Tags: t1\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	e.Reset()
	opts = BuildInfoOptions{Common: e.Common(), Builds: []string{"1"}}
	opts.JSON = true
	kojicmdtest.Must(t, buildInfoRun(context.Background(), &opts))
	if !strings.Contains(e.Out.String(), `"nvr": "foo-1.0-1"`) || !strings.Contains(e.Out.String(), `"tags": [`) {
		t.Errorf("json: %s", e.Out)
	}
}
