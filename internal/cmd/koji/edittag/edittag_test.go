package edittag

import (
	"context"
	"strings"
	"testing"

	"github.com/osg-htc/osg-build-go/internal/cmd/koji/shared/kojicmdtest"
	"github.com/osg-htc/osg-build-go/pkg/koji"
)

func run(t *testing.T, e *kojicmdtest.Env, args ...string) error {
	t.Helper()
	cmd := NewCmdEditTag(e.Factory(), nil)
	cmd.SetArgs(args)
	cmd.SetOut(e.ErrOut)
	cmd.SetErr(e.ErrOut)
	cmd.SetContext(context.Background())
	return cmd.Execute()
}

func TestEditTag(t *testing.T) {
	e := kojicmdtest.New(t)
	ctx := context.Background()
	e.Tag(t, "t1", "", "x86_64")
	kojicmdtest.Must(t, run(t, e, "t1", "--arches", "x86_64,aarch64", "-x", "rpm.macro.dist=.osg25.el9", "-x", "mock.yum.module_hotfixes=True", "-x", "n=3", "--lock"))
	tag, err := e.Hub.GetTag(ctx, koji.ByName("t1"), koji.GetTagOpts{})
	kojicmdtest.Must(t, err)
	if tag.Arches == nil || *tag.Arches != "x86_64 aarch64" || !tag.Locked {
		t.Errorf("tag %+v", tag)
	}
	if tag.Extra["rpm.macro.dist"] != ".osg25.el9" || tag.Extra["mock.yum.module_hotfixes"] != true || tag.Extra["n"] != 3 {
		t.Errorf("extra %v", tag.Extra)
	}
	kojicmdtest.Must(t, run(t, e, "t1", "-r", "n", "--unlock", "--rename", "t2"))
	tag, err = e.Hub.GetTag(ctx, koji.ByName("t2"), koji.GetTagOpts{})
	kojicmdtest.Must(t, err)
	if tag == nil || tag.Locked {
		t.Fatalf("renamed, unlocked: %+v", tag)
	}
	if _, ok := tag.Extra["n"]; ok {
		t.Errorf("extra n not removed: %v", tag.Extra)
	}
	// --perm, then --no-perm (koji's perm=None)
	kojicmdtest.Must(t, run(t, e, "t2", "--perm", "admin"))
	if tag, _ = e.Hub.GetTag(ctx, koji.ByName("t2"), koji.GetTagOpts{}); tag.Perm == nil || *tag.Perm != "admin" {
		t.Errorf("perm after --perm admin: %v", tag.Perm)
	}
	kojicmdtest.Must(t, run(t, e, "t2", "--no-perm"))
	if tag, _ = e.Hub.GetTag(ctx, koji.ByName("t2"), koji.GetTagOpts{}); tag.Perm != nil || tag.PermID != nil {
		t.Errorf("perm after --no-perm: %v %v", tag.Perm, tag.PermID)
	}
	// over the wire, perm=None clears it too
	kojicmdtest.Must(t, run(t, e, "t2", "--perm", "admin"))
	if _, err := e.Hub.Call(ctx, "editTag2", []any{"t2"}, map[string]any{"perm": nil}); err != nil {
		t.Fatal(err)
	}
	if tag, _ = e.Hub.GetTag(ctx, koji.ByName("t2"), koji.GetTagOpts{}); tag.PermID != nil {
		t.Errorf("perm after editTag2(perm=None): %v", tag.PermID)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"t2", "--perm", "admin", "--no-perm"}, "cannot be used together"},
		{[]string{"t2"}, "nothing to change"},
		{[]string{"t2", "--lock", "--unlock"}, "cannot be used together"},
		{[]string{"t2", "-x", "novalue"}, "use key=value"},
		{[]string{"nosuch", "--lock"}, "No such tagInfo"},
	} {
		err := run(t, e, tc.args...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: err = %v, want %q", tc.args, err, tc.want)
		}
	}
}
