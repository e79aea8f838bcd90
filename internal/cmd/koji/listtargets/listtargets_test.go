package listtargets

import (
	"context"
	"strings"
	"testing"

	"github.com/osg-htc/osg-build-go/internal/cmd/koji/shared/kojicmdtest"
	"github.com/osg-htc/osg-build-go/pkg/koji"
)

func Test_listTargetsRun(t *testing.T) {
	e := kojicmdtest.New(t)
	ctx := context.Background()
	opts := ListTargetsOptions{Common: e.Common()}
	if err := listTargetsRun(ctx, &opts); err == nil || !strings.Contains(err.Error(), "no targets were found") {
		t.Fatalf("empty hub: err = %v", err)
	}
	e.Tag(t, "b", "", "x86_64")
	e.Tag(t, "d", "", "")
	kojicmdtest.Must(t, e.Hub.CreateBuildTarget(ctx, "zz", koji.ByName("b"), koji.ByName("d")))
	kojicmdtest.Must(t, e.Hub.CreateBuildTarget(ctx, "aa", koji.ByName("b"), koji.ByName("d")))
	kojicmdtest.Must(t, listTargetsRun(ctx, &opts))
	want := "Name                           Buildroot                      Destination                   \n" +
		strings.Repeat("-", 93) + "\n" +
		"aa                             b                              d                             \n" +
		"zz                             b                              d                             \n"
	if got := e.Out.String(); got != want {
		t.Errorf("got\n%q\nwant\n%q", got, want)
	}
	e.Reset()
	opts.Name = "nope"
	if err := listTargetsRun(ctx, &opts); err == nil || !strings.Contains(err.Error(), "no such build target: nope") {
		t.Errorf("err = %v", err)
	}
	opts.Name, opts.JSON = "aa", true
	kojicmdtest.Must(t, listTargetsRun(ctx, &opts))
	if !strings.Contains(e.Out.String(), `"build_tag_name": "b"`) {
		t.Errorf("json: %s", e.Out)
	}
}
