package addtarget

import (
	"context"
	"strings"
	"testing"

	"github.com/osg-htc/osg-build-go/internal/cmd/koji/shared/kojicmdtest"
	"github.com/osg-htc/osg-build-go/pkg/koji"
)

func Test_addTargetRun(t *testing.T) {
	e := kojicmdtest.New(t)
	ctx := context.Background()
	e.Tag(t, "build", "", "x86_64")
	e.Tag(t, "noarch-build", "", "")
	e.Tag(t, "dest", "", "")
	for _, tc := range []struct {
		opts AddTargetOptions
		want string
	}{
		{AddTargetOptions{Name: "x", BuildTag: "noarch-build", DestTag: "dest"}, "build tag has no arches: noarch-build"},
		{AddTargetOptions{Name: "x", BuildTag: "build", DestTag: "nope"}, "no such destination tag: nope"},
		{AddTargetOptions{Name: "x", BuildTag: "nope", DestTag: "dest"}, "no such tag: nope"},
	} {
		o := tc.opts
		o.Common = e.Common()
		if err := addTargetRun(ctx, &o); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("err = %v, want %q", err, tc.want)
		}
	}
	o := AddTargetOptions{Common: e.Common(), Name: "tgt", BuildTag: "build", DestTag: "dest"}
	o.JSON = true
	kojicmdtest.Must(t, addTargetRun(ctx, &o))
	tg, err := e.Hub.GetBuildTarget(ctx, koji.ByName("tgt"), koji.GetBuildTargetOpts{})
	kojicmdtest.Must(t, err)
	if tg == nil || tg.BuildTagName != "build" || tg.DestTagName != "dest" {
		t.Errorf("target %+v", tg)
	}
	if !strings.Contains(e.Out.String(), `"dest_tag_name": "dest"`) {
		t.Errorf("json: %s", e.Out)
	}
}

func Test_NewCmdAddTarget(t *testing.T) {
	e := kojicmdtest.New(t)
	var got *AddTargetOptions
	cmd := NewCmdAddTarget(e.Factory(), func(o *AddTargetOptions) error { got = o; return nil })
	kojicmdtest.Must(t, kojicmdtest.Exec(cmd, "osg-25-main-el9", "osg-25-main-el9-build"))
	if got.DestTag != "osg-25-main-el9" {
		t.Errorf("default destination %q", got.DestTag)
	}
}
