package hub_test

import (
	"context"
	"testing"

	"github.com/osg-htc/osg-build-go/pkg/hub"
	"github.com/osg-htc/osg-build-go/pkg/koji"
	"github.com/osg-htc/osg-build-go/pkg/koji/kojitest"
)

func openHub(t *testing.T) *hub.Hub {
	t.Helper()
	h, err := hub.Open(context.Background(), t.TempDir(), hub.WithLocalUser("kojiadmin"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	return h
}

func asUser(t *testing.T, kh koji.Hub, name string) (koji.Hub, context.Context) {
	t.Helper()
	if name == "" {
		return kh, hub.WithCaller(context.Background(), nil)
	}
	u, err := kh.GetUser(context.Background(), koji.ByName(name), koji.GetUserOpts{Strict: true})
	if err != nil {
		t.Fatal(err)
	}
	return kh, hub.WithCaller(context.Background(), &hub.Caller{UserID: int64(u.ID), Name: u.Name, AuthType: int(koji.AuthSSL)})
}

func TestConformanceInProcess(t *testing.T) {
	kojitest.Suite{
		New:    func(t *testing.T) koji.Hub { return openHub(t) },
		AsUser: asUser,
	}.Run(t)
}
