package hub_test

import (
	"context"
	"os"
	"testing"

	"github.com/osg-htc/osg-build-go/pkg/hub"
	"github.com/osg-htc/osg-build-go/pkg/koji"
)

func TestInitPreset(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	res, err := hub.Init(ctx, dir, hub.InitOptions{Preset: "osg-24", LocalUser: "me"})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Targets) != 2 || res.Targets[1] != "osg-24-main-el9" || len(res.Tags) != 14 {
		t.Errorf("init made targets %v tags %v", res.Targets, res.Tags)
	}
	for _, f := range []string{res.CACert, res.ServerCert, res.ServerKey, res.ClientCert} {
		if _, err := os.Stat(f); err != nil {
			t.Error(err)
		}
	}
	if _, err := hub.ServerTLS(dir); err != nil {
		t.Error(err)
	}
	if _, err := hub.Init(ctx, dir, hub.InitOptions{}); err == nil {
		t.Error("a second init of the same directory succeeded")
	}
	h, err := hub.Open(ctx, dir, hub.WithLocalUser("me"))
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	full, err := h.GetFullInheritance(ctx, koji.ByName("osg-24-main-el9-build"), koji.GetFullInheritanceOpts{})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, l := range full {
		names = append(names, l.Name)
	}
	if len(names) != 3 || names[0] != "osg-24-main-el9-development" || names[1] != "osg-el9" || names[2] != "dist-el9-build" {
		t.Errorf("inheritance of the build tag = %v", names)
	}
	bc, err := h.GetBuildConfig(ctx, koji.ByName("osg-24-main-el9-build"), koji.EventOpts{})
	if err != nil {
		t.Fatal(err)
	}
	if bc.Extra["rpm.macro.dist"] != ".osg24.el9" || bc.Arches == nil || *bc.Arches != "x86_64" {
		t.Errorf("build config = %+v", bc)
	}
	tg, err := h.GetBuildTarget(ctx, koji.ByName("osg-24-main-el8"), koji.GetBuildTargetOpts{Strict: true})
	if err != nil || tg.DestTagName != "osg-24-main-el8-development" {
		t.Errorf("target = %+v, %v", tg, err)
	}
	if ok, _ := h.HasPerm(ctx, "admin", koji.HasPermOpts{}); !ok {
		t.Error("the local user is not admin")
	}
	if _, err := hub.Init(ctx, t.TempDir(), hub.InitOptions{Preset: "osg-99"}); err == nil {
		t.Error("an unknown preset was accepted")
	}
}

// TestLocalUserRecorded: a hub reopened without WithLocalUser acts as the
// admin it was created with, and creates no other admin.
func TestLocalUserRecorded(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	if _, err := hub.Init(ctx, dir, hub.InitOptions{Preset: "empty", LocalUser: "boss"}); err != nil {
		t.Fatal(err)
	}
	h, err := hub.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	if h.LocalUser() != "boss" {
		t.Errorf("local user = %q, want boss", h.LocalUser())
	}
	u, err := h.GetLoggedInUser(ctx)
	if err != nil || u == nil || u.Name != "boss" {
		t.Errorf("getLoggedInUser = %+v, %v", u, err)
	}
}
