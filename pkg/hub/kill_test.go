package hub_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/osg-htc/osg-build-go/pkg/hub"
	"github.com/osg-htc/osg-build-go/pkg/koji"
)

// TestKill9DuringWrites: a process writing to the hub (builds, tagBuild
// tasks done in the same transaction as the tagging, untags) is killed with
// SIGKILL; after reopening, nothing is half-applied.
func TestKill9DuringWrites(t *testing.T) {
	if dir := os.Getenv("HUB_KILL_CHILD"); dir != "" {
		killChild(dir)
		return
	}
	dir := t.TempDir()
	ctx := context.Background()
	h, err := hub.Open(ctx, dir, hub.WithLocalUser("kojiadmin"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.CreateTag(ctx, "k", koji.CreateTagOpts{}); err != nil {
		t.Fatal(err)
	}
	h.Close()
	cmd := exec.Command(os.Args[0], "-test.run=^TestKill9DuringWrites$")
	cmd.Env = append(os.Environ(), "HUB_KILL_CHILD="+dir)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// let it write for a while, then kill it mid-stream
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if fi, err := os.Stat(filepath.Join(dir, "hub.db-wal")); err == nil && fi.Size() > 200_000 {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(100 * time.Millisecond)
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()

	h, err = hub.Open(ctx, dir, hub.WithLocalUser("kojiadmin"))
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	db := h.Store().SQL()
	if v, err := h.Store().IntegrityCheck(ctx); err != nil || v != "ok" {
		t.Fatalf("integrity_check = %q, %v", v, err)
	}
	var builds, open, unevented, active int
	db.QueryRow(`SELECT count(*) FROM build`).Scan(&builds)
	db.QueryRow(`SELECT count(*) FROM task WHERE method = 'tagBuild' AND state NOT IN (2, 5)`).Scan(&open)
	db.QueryRow(`SELECT count(*) FROM tag_listing WHERE active = 1`).Scan(&active)
	db.QueryRow(`SELECT count(*) FROM tag_listing l WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.id = l.create_event)`).Scan(&unevented)
	if builds == 0 {
		t.Fatal("the child wrote nothing before it was killed")
	}
	if open != 0 || unevented != 0 {
		t.Errorf("half-applied writes: %d unfinished tagBuild tasks, %d listings without their event", open, unevented)
	}
	tagged, err := h.ListTagged(ctx, koji.ByName("k"), koji.ListTaggedOpts{})
	if err != nil {
		t.Fatal(err)
	}
	if len(tagged) != active {
		t.Errorf("listTagged shows %d builds, tag_listing has %d active rows", len(tagged), active)
	}
	// the hub still takes writes
	if _, err := h.CreateEmptyBuild(ctx, "after", "1", "1", nil, koji.CreateEmptyBuildOpts{}); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d builds, %d tagged when the writer was killed", builds, len(tagged))
}

func killChild(dir string) {
	ctx := context.Background()
	h, err := hub.Open(ctx, dir, hub.WithLocalUser("kojiadmin"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	for i := 0; ; i++ {
		pkg := fmt.Sprintf("p%d", i%50)
		_ = h.PackageListAdd(ctx, koji.ByName("k"), koji.ByName(pkg), koji.PackageListAddOpts{Owner: koji.ByName("kojiadmin")})
		id, err := h.CreateEmptyBuild(ctx, pkg, "1", fmt.Sprint(i), nil, koji.CreateEmptyBuildOpts{})
		if err == nil {
			_, _ = h.TagBuild(ctx, koji.ByName("k"), koji.ByID(id), koji.TagBuildOpts{})
		}
		if i%3 == 0 && i > 0 {
			_ = h.UntagBuild(ctx, koji.ByName("k"), koji.ByName(fmt.Sprintf("p%d-1-%d", (i-1)%50, i-1)), koji.UntagBuildOpts{})
		}
	}
}
