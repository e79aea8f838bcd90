package listbuildroot

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/osg-htc/osg-build-go/internal/cmd/koji/shared/kojicmdtest"
	"github.com/osg-htc/osg-build-go/pkg/koji"
)

func TestListBuildroot(t *testing.T) {
	e := kojicmdtest.New(t)
	ctx := context.Background()
	f := e.Factory()
	if err := kojicmdtest.Exec(NewCmdListBuildroot(f, nil), "7"); err == nil || err.Error() != "no such buildroot: 7" {
		t.Errorf("missing buildroot: %v", err)
	}
	if err := kojicmdtest.Exec(NewCmdListBuildroot(f, nil), "x"); err == nil || !strings.Contains(err.Error(), "must be a number") {
		t.Errorf("bad id: %v", err)
	}
	// an empty buildroot exists: nothing printed, as koji
	e.Tag(t, "t1", "", "")
	e.Build(t, "t1", "foo", "1", "1")
	task, err := e.Hub.TagBuild(ctx, koji.ByName("t1"), koji.ByName("foo-1-1"), koji.TagBuildOpts{})
	kojicmdtest.Must(t, err)
	ho, err := e.Hub.RegisterHost(ctx, "h1", []string{"x86_64"}, 1)
	kojicmdtest.Must(t, err)
	id, err := ho.RecordBuildroot(ctx, int64(task), 0, "x86_64", []string{"foo-1-1.x86_64"})
	kojicmdtest.Must(t, err)
	e.Reset()
	kojicmdtest.Must(t, kojicmdtest.Exec(NewCmdListBuildroot(f, nil), strconv.FormatInt(id, 10), "--built"))
	if e.Out.Len() != 0 {
		t.Errorf("empty buildroot: %q", e.Out)
	}
}
