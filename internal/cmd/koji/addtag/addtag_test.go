package addtag

import (
	"context"
	"testing"

	"github.com/osg-htc/osg-build-go/internal/cmd/koji/shared/kojicmdtest"
	"github.com/osg-htc/osg-build-go/pkg/koji"
)

func Test_addTagRun(t *testing.T) {
	e := kojicmdtest.New(t)
	ctx := context.Background()
	e.Tag(t, "osg-el9", "", "")
	opts := AddTagOptions{Common: e.Common(), Name: "osg-25-main-el9-build", Parent: "osg-el9", Arches: "x86_64,aarch64",
		Extra: []string{"rpm.macro.dist=.osg25.el9", "mock.new_chroot=0", "flag=True"}}
	kojicmdtest.Must(t, addTagRun(ctx, &opts))
	tag, err := e.Hub.GetTag(ctx, koji.ByName("osg-25-main-el9-build"), koji.GetTagOpts{})
	kojicmdtest.Must(t, err)
	if tag == nil || *tag.Arches != "x86_64 aarch64" {
		t.Fatalf("tag %+v", tag)
	}
	if tag.Extra["rpm.macro.dist"] != ".osg25.el9" || tag.Extra["flag"] != true {
		t.Errorf("extra %#v", tag.Extra)
	}
	// the command sends the integer 0; the embedded hub answers JSON numbers
	// of tag extras as floats (Koji answers an int)
	switch v := tag.Extra["mock.new_chroot"].(type) {
	case int, int64:
		if v != 0 && v != int64(0) {
			t.Errorf("mock.new_chroot = %v", v)
		}
	case float64:
		if v != 0 {
			t.Errorf("mock.new_chroot = %v", v)
		}
	default:
		t.Errorf("mock.new_chroot = %#v (%T)", v, v)
	}
	inh, err := e.Hub.GetInheritanceData(ctx, koji.ByID(tag.ID), koji.EventOpts{})
	kojicmdtest.Must(t, err)
	if len(inh) != 1 || inh[0].Name != "osg-el9" || inh[0].Priority != 0 {
		t.Errorf("inheritance %+v", inh)
	}
	if err := addTagRun(ctx, &opts); err == nil {
		t.Error("creating an existing tag succeeded")
	}
}

func Test_NewCmdAddTag(t *testing.T) {
	e := kojicmdtest.New(t)
	cmd := NewCmdAddTag(e.Factory(), func(*AddTagOptions) error { return nil })
	if err := kojicmdtest.Exec(cmd, "t", "--extra", "novalue"); err == nil {
		t.Error("--extra without = accepted")
	}
}
