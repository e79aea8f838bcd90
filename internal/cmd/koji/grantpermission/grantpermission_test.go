package grantpermission

import (
	"context"
	"strings"
	"testing"

	"github.com/osg-htc/osg-build-go/internal/cmd/koji/shared/kojicmdtest"
	"github.com/osg-htc/osg-build-go/pkg/koji"
)

func Test_grantPermissionRun(t *testing.T) {
	e := kojicmdtest.New(t)
	ctx := context.Background()
	for _, n := range []string{"alice", "bob"} {
		_, err := e.Hub.CreateUser(ctx, n, koji.CreateUserOpts{})
		kojicmdtest.Must(t, err)
	}
	opts := GrantPermissionOptions{Common: e.Common(), Permission: "tag", Users: []string{"alice", "bob"}}
	kojicmdtest.Must(t, grantPermissionRun(ctx, &opts))
	opts = GrantPermissionOptions{Common: e.Common(), Permission: "osg-promoter", Users: []string{"alice"}, New: true, Description: "promote builds"}
	kojicmdtest.Must(t, grantPermissionRun(ctx, &opts))
	perms, err := e.Hub.GetUserPermsInheritance(ctx, koji.ByName("alice"))
	kojicmdtest.Must(t, err)
	if _, ok := perms["tag"]; !ok {
		t.Errorf("alice's perms %v", perms)
	}
	if _, ok := perms["osg-promoter"]; !ok {
		t.Errorf("alice's perms %v", perms)
	}
	for _, bad := range []GrantPermissionOptions{{Permission: "tag", Users: []string{"nobody"}}, {Permission: "no-such-perm", Users: []string{"bob"}}} {
		bad.Common = e.Common()
		if err := grantPermissionRun(ctx, &bad); err == nil {
			t.Errorf("%s to %v accepted", bad.Permission, bad.Users)
		} else if bad.Users[0] == "nobody" && !strings.Contains(err.Error(), "no such user: nobody") {
			t.Errorf("err = %v", err)
		}
	}
}
