package adduser

import (
	"context"
	"strings"
	"testing"

	"github.com/osg-htc/osg-build-go/internal/cmd/koji/shared/kojicmdtest"
	"github.com/osg-htc/osg-build-go/pkg/koji"
)

func Test_addUserRun(t *testing.T) {
	e := kojicmdtest.New(t)
	ctx := context.Background()
	opts := AddUserOptions{Common: e.Common(), Name: "alice", Principal: "alice@EXAMPLE.ORG", Disable: true}
	kojicmdtest.Must(t, addUserRun(ctx, &opts))
	if !strings.HasPrefix(e.ErrOut.String(), "Added user alice (") {
		t.Errorf("stderr %q", e.ErrOut)
	}
	u, err := e.Hub.GetUser(ctx, koji.ByName("alice"), koji.GetUserOpts{})
	kojicmdtest.Must(t, err)
	if u == nil || u.Status != 1 || len(u.KrbPrincipals) != 1 || u.KrbPrincipals[0] != "alice@EXAMPLE.ORG" {
		t.Errorf("user %+v", u)
	}
	if err := addUserRun(ctx, &opts); err == nil {
		t.Error("adding an existing user succeeded")
	}
}
