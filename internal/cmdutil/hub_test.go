package cmdutil

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/osg-htc/osg-build-go/pkg/hub"
)

func TestHubFactory(t *testing.T) {
	ctx := context.Background()
	home := t.TempDir()
	env := map[string]string{"HOME": home, "XDG_DATA_HOME": filepath.Join(home, "data")}
	getenv := func(k string) string { return env[k] }

	made := filepath.Join(t.TempDir(), "hub")
	h, err := hub.Open(ctx, made)
	if err != nil {
		t.Fatal(err)
	}
	h.Close()
	missing := filepath.Join(t.TempDir(), "nothing")

	cfg := filepath.Join(home, "koji.conf")
	if err := os.WriteFile(cfg, []byte("[koji]\nserver = https://koji.example.org/kojihub\ntopdir = /srv/koji\nauthtype = noauth\n[other]\nserver = https://other.example.org/kojihub\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name     string
		settings HubSettings
		env      string
		wantLoc  string
		wantErr  string
	}{
		{name: "local dir", settings: HubSettings{Hub: "local:" + made}, wantLoc: "local:" + made},
		{name: "sqlite url", settings: HubSettings{Hub: "sqlite://" + made}, wantLoc: "local:" + made},
		{name: "env", env: "local:" + made, wantLoc: "local:" + made},
		{name: "missing hub", settings: HubSettings{Hub: "local:" + missing}, wantErr: "no hub at " + missing + ": make one with `osg-build hub init --dir " + missing + "`"},
		{name: "default local dir", settings: HubSettings{Hub: "local"}, wantErr: "no hub at " + filepath.Join(home, "data", "osg-build", "hub")},
		{name: "url", settings: HubSettings{Hub: "https://hub.example.org/kojihub"}, wantLoc: "https://hub.example.org/kojihub"},
		{name: "config", settings: HubSettings{ConfigFile: cfg}, wantLoc: "https://koji.example.org/kojihub"},
		{name: "profile", settings: HubSettings{ConfigFile: cfg, Profile: "other"}, wantLoc: "https://other.example.org/kojihub"},
		{name: "no config", wantErr: "no Koji config found"},
		{name: "bad spec", settings: HubSettings{Hub: "ftp://x"}, wantErr: `invalid hub "ftp://x"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env["OSG_BUILD_HUB"] = tt.env
			f := NewHubFactory(func() HubSettings { return tt.settings }, getenv)
			defer f.Close(ctx)
			h, err := f.Hub(ctx)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := HubLocation(h); got != tt.wantLoc {
				t.Errorf("location %q, want %q", got, tt.wantLoc)
			}
			again, _ := f.Hub(ctx)
			if again != h {
				t.Error("the hub was opened twice")
			}
		})
	}
	f := NewHubFactory(func() HubSettings { return HubSettings{ConfigFile: cfg} }, getenv)
	rh, err := f.Hub(ctx)
	if err != nil {
		t.Fatal(err)
	}
	h2 := rh
	if HubTopDir(h2) != "/srv/koji" {
		t.Errorf("topdir %q", HubTopDir(h2))
	}
	if err := EnsureLogin(ctx, h2); err != nil { // noauth
		t.Errorf("noauth login: %v", err)
	}
}
