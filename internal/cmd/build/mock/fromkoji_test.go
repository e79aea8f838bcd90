package mock

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/osg-htc/osg-build-go/internal/iostreams"
	"github.com/osg-htc/osg-build-go/pkg/hub"
	"github.com/osg-htc/osg-build-go/pkg/hub/engine"
	"github.com/osg-htc/osg-build-go/pkg/koji"
)

// --mock-config-from-koji generates the config from the build tag of an
// embedded hub (koji mock-config's job) into a temporary file.
func TestConfigFromKoji(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	if _, err := hub.Init(ctx, dir, hub.InitOptions{Preset: "osg-25", LocalUser: "packager"}); err != nil {
		t.Fatal(err)
	}
	h, err := hub.Open(ctx, dir, hub.WithLocalUser("packager"), hub.WithTaskRunner(engine.RunUntilIdle)) // runs the newRepo task
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	ios, _, _, _ := iostreams.Test()
	opts := &MockOptions{IO: ios, ConfigFromKoji: "osg-25-main-el9-build",
		Hub: func(context.Context) (koji.Hub, error) { return h, nil }}

	// No repo yet: a clear error that says what to do.
	if _, err := configFromKoji(ctx, opts, "x86_64"); err == nil || !strings.Contains(err.Error(), "regen-repo osg-25-main-el9-build") {
		t.Fatalf("err = %v, want the regen-repo advice", err)
	}

	id, err := h.NewRepo(ctx, koji.ByName("osg-25-main-el9-build"), koji.NewRepoOpts{})
	if err != nil {
		t.Fatal(err)
	}
	if err := h.RunTasks(ctx, id); err != nil {
		t.Fatal(err)
	}
	path, err := configFromKoji(ctx, opts, "x86_64")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(opts.tempDir)
	if !strings.HasPrefix(filepath.Base(path), "mock-koji-osg-25-main-el9-build-x86_64.") || filepath.Dir(path) != opts.tempDir {
		t.Errorf("config path %s", path)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	cfg := string(b)
	for _, want := range []string{"config_opts['target_arch'] = 'x86_64'", "module_hotfixes=1", "repos/osg-25-main-el9-build/", "%dist"} {
		if !strings.Contains(cfg, want) {
			t.Errorf("config lacks %q:\n%s", want, cfg)
		}
	}
}
