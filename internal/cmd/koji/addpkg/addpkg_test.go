package addpkg

import (
	"context"
	"strings"
	"testing"

	"github.com/osg-htc/osg-build-go/internal/cmd/koji/shared/kojicmdtest"
	"github.com/osg-htc/osg-build-go/pkg/koji"
)

func Test_addPkgRun(t *testing.T) {
	e := kojicmdtest.New(t)
	ctx := context.Background()
	e.Tag(t, "t1", "", "")
	opts := AddPkgOptions{Common: e.Common(), Tag: "t1", Packages: []string{"foo", "bar", "foo"}, Owner: "tester", ExtraArches: "i686,ppc64le"}
	kojicmdtest.Must(t, addPkgRun(ctx, &opts))
	if !strings.Contains(e.ErrOut.String(), "Adding 2 packages to tag t1") {
		t.Errorf("stderr %q", e.ErrOut)
	}
	pkgs, err := e.Hub.ListPackages(ctx, koji.ListPackagesOpts{TagID: koji.ByName("t1")})
	kojicmdtest.Must(t, err)
	if len(pkgs) != 2 || koji.Ptr("i686 ppc64le") == nil || *pkgs[0].ExtraArches != "i686 ppc64le" || pkgs[0].OwnerName != "tester" {
		t.Errorf("package list %+v", pkgs)
	}
	e.Reset()
	opts.Packages = []string{"foo"}
	kojicmdtest.Must(t, addPkgRun(ctx, &opts))
	if !strings.Contains(e.ErrOut.String(), "Package foo already exists in tag t1") {
		t.Errorf("stderr %q", e.ErrOut)
	}
	for _, bad := range []AddPkgOptions{{Tag: "t1", Packages: []string{"x"}, Owner: "nobody"}, {Tag: "nope", Packages: []string{"x"}, Owner: "tester"}} {
		bad.Common = e.Common()
		if err := addPkgRun(ctx, &bad); err == nil {
			t.Errorf("%+v accepted", bad)
		}
	}
}

func Test_NewCmdAddPkg(t *testing.T) {
	e := kojicmdtest.New(t)
	cmd := NewCmdAddPkg(e.Factory(), func(*AddPkgOptions) error { return nil })
	if err := kojicmdtest.Exec(cmd, "t1", "foo"); err == nil || !strings.Contains(err.Error(), "--owner") {
		t.Errorf("err = %v", err)
	}
}
