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

// TestTagExtraNumbers: integer extras come back as integers (Koji's
// Python keeps 0 an int; a float 0.0 would change what a builder reads),
// other numbers as floats, also nested and through inheritance.
func TestTagExtraNumbers(t *testing.T) {
	h := openHub(t)
	ctx := context.Background()
	extra := map[string]any{"mock.new_chroot": 0, "ratio": 1.5, "big": int64(5000000000),
		"nested": map[string]any{"n": 2, "l": []any{3, 4.25}}, "s": "7"}
	if _, err := h.CreateTag(ctx, "parent", koji.CreateTagOpts{Extra: extra}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.CreateTag(ctx, "child", koji.CreateTagOpts{Parent: koji.ByName("parent")}); err != nil {
		t.Fatal(err)
	}
	tag, err := h.GetTag(ctx, koji.ByName("parent"), koji.GetTagOpts{Strict: true})
	if err != nil {
		t.Fatal(err)
	}
	check := func(what string, got map[string]any) {
		t.Helper()
		if v, ok := got["mock.new_chroot"].(int); !ok || v != 0 {
			t.Errorf("%s: mock.new_chroot = %#v, want int 0", what, got["mock.new_chroot"])
		}
		if v, ok := got["ratio"].(float64); !ok || v != 1.5 {
			t.Errorf("%s: ratio = %#v", what, got["ratio"])
		}
		if v, ok := got["big"].(int64); !ok || v != 5000000000 {
			t.Errorf("%s: big = %#v", what, got["big"])
		}
		n, _ := got["nested"].(map[string]any)
		if v, ok := n["n"].(int); !ok || v != 2 {
			t.Errorf("%s: nested = %#v", what, got["nested"])
		}
		if l, _ := n["l"].([]any); len(l) != 2 || l[0] != 3 || l[1] != 4.25 {
			t.Errorf("%s: nested list = %#v", what, n["l"])
		}
		if got["s"] != "7" {
			t.Errorf("%s: s = %#v", what, got["s"])
		}
	}
	check("getTag", tag.Extra)
	bc, err := h.GetBuildConfig(ctx, koji.ByName("child"), koji.EventOpts{})
	if err != nil {
		t.Fatal(err)
	}
	check("getBuildConfig (inherited)", bc.Extra)
}
