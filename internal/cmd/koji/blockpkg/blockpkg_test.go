package blockpkg

import (
	"context"
	"strings"
	"testing"

	"github.com/osg-htc/osg-build-go/internal/cmd/koji/shared/kojicmdtest"
	"github.com/osg-htc/osg-build-go/pkg/koji"
)

func Test_blockPkgRun(t *testing.T) {
	e := kojicmdtest.New(t)
	ctx := context.Background()
	e.Tag(t, "parent", "", "")
	e.Tag(t, "child", "parent", "")
	kojicmdtest.Must(t, e.Hub.PackageListAdd(ctx, koji.ByName("parent"), koji.ByName("foo"), koji.PackageListAddOpts{Owner: koji.ByName("tester")}))

	opts := BlockPkgOptions{Common: e.Common(), Tag: "child", Packages: []string{"foo", "missing"}, verb: block}
	if err := blockPkgRun(ctx, &opts); err == nil || !strings.Contains(err.Error(), "package missing doesn't exist in tag child") {
		t.Fatalf("err = %v", err)
	}
	opts.Packages = []string{"foo"}
	kojicmdtest.Must(t, blockPkgRun(ctx, &opts))
	pkgs, err := e.Hub.ListPackages(ctx, koji.ListPackagesOpts{TagID: koji.ByName("child"), Inherited: true})
	kojicmdtest.Must(t, err)
	if len(pkgs) != 1 || !pkgs[0].Blocked || pkgs[0].TagName != "child" {
		t.Errorf("package list %+v", pkgs)
	}
}

func Test_unblockAndRemove(t *testing.T) {
	e := kojicmdtest.New(t)
	ctx := context.Background()
	e.Tag(t, "parent", "", "")
	e.Tag(t, "child", "parent", "")
	kojicmdtest.Must(t, e.Hub.PackageListAdd(ctx, koji.ByName("parent"), koji.ByName("foo"), koji.PackageListAddOpts{Owner: koji.ByName("tester")}))
	kojicmdtest.Must(t, e.Hub.PackageListBlock(ctx, koji.ByName("parent"), koji.ByName("foo"), koji.PackageListBlockOpts{}))
	entry := func() koji.PackageListEntry {
		t.Helper()
		pkgs, err := e.Hub.ListPackages(ctx, koji.ListPackagesOpts{TagID: koji.ByName("child"), Inherited: true})
		kojicmdtest.Must(t, err)
		if len(pkgs) != 1 {
			t.Fatalf("package list %+v", pkgs)
		}
		return pkgs[0]
	}
	opts := BlockPkgOptions{Common: e.Common(), Tag: "child", Packages: []string{"foo"}, verb: unblock}
	kojicmdtest.Must(t, blockPkgRun(ctx, &opts))
	if p := entry(); p.Blocked || p.TagName != "child" {
		t.Errorf("after unblock-pkg: %+v", p)
	}
	if !strings.Contains(e.ErrOut.String(), "Unblocked foo in child") {
		t.Errorf("stderr %s", e.ErrOut)
	}
	opts.verb = remove
	kojicmdtest.Must(t, blockPkgRun(ctx, &opts))
	if p := entry(); !p.Blocked || p.TagName != "parent" {
		t.Errorf("after remove-pkg: %+v", p)
	}
	opts.Packages = []string{"nope"}
	if err := blockPkgRun(ctx, &opts); err == nil || !strings.Contains(err.Error(), "nothing removed") {
		t.Errorf("err = %v", err)
	}
}
