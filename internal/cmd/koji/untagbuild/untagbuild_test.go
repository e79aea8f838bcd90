package untagbuild

import (
	"context"
	"strings"
	"testing"

	"github.com/osg-htc/osg-build-go/internal/cmd/koji/shared/kojicmdtest"
	"github.com/osg-htc/osg-build-go/pkg/koji"
)

func Test_untagBuildRun(t *testing.T) {
	e := kojicmdtest.New(t)
	ctx := context.Background()
	e.Tag(t, "t1", "", "")
	e.Build(t, "t1", "foo", "1", "1")
	e.Build(t, "t1", "bar", "1", "1")
	e.TagBuild(t, "t1", "foo-1-1")
	e.TagBuild(t, "t1", "bar-1-1")

	// bar is tagged, foo-2 does not exist: nothing changes
	opts := UntagBuildOptions{Common: e.Common(), Tag: "t1", NVRs: []string{"bar-1-1", "foo-2-1"}}
	if err := untagBuildRun(ctx, &opts); err == nil || !strings.Contains(err.Error(), "no such build: foo-2-1") {
		t.Fatalf("err = %v", err)
	}
	// a build not in the tag: nothing is untagged
	e.Build(t, "t1", "baz", "1", "1")
	opts.NVRs = []string{"bar-1-1", "baz-1-1"}
	if err := untagBuildRun(ctx, &opts); err == nil || !strings.Contains(err.Error(), "build baz-1-1 is not in tag t1") {
		t.Fatalf("err = %v", err)
	}
	opts.Test = true
	opts.NVRs = []string{"bar-1-1"}
	kojicmdtest.Must(t, untagBuildRun(ctx, &opts))
	tagged, err := e.Hub.ListTagged(ctx, koji.ByName("t1"), koji.ListTaggedOpts{})
	kojicmdtest.Must(t, err)
	if len(tagged) != 2 {
		t.Fatalf("after failed/test untags: %d tagged", len(tagged))
	}
	e.Reset()
	opts.Test = false
	opts.NVRs = []string{"bar-1-1", "foo-1-1"}
	kojicmdtest.Must(t, untagBuildRun(ctx, &opts))
	if !strings.Contains(e.ErrOut.String(), "Untagged bar-1-1 from t1") {
		t.Errorf("stderr %q", e.ErrOut)
	}
	tagged, err = e.Hub.ListTagged(ctx, koji.ByName("t1"), koji.ListTaggedOpts{})
	kojicmdtest.Must(t, err)
	if len(tagged) != 0 {
		t.Errorf("still tagged: %+v", tagged)
	}
}
