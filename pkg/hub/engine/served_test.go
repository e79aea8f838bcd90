package engine

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/osg-htc/osg-build-go/internal/testutil"
	"github.com/osg-htc/osg-build-go/pkg/koji"
)

// TestServedEngine runs the engine continuously (hub serve's mode): builds
// submitted while it runs finish, kojira regenerates the build tag's repo
// after the tag changed (debounced), and old repos expire and are deleted,
// the newest kept.
func TestServedEngine(t *testing.T) {
	testutil.RequireTool(t, "rpmbuild")
	h := testHub(t, "srv1", "srv2")
	e := newEngine(t, h, Options{RegenDelay: 100 * time.Millisecond, RepoLifetime: -1})
	ctx, cancel := context.WithCancel(context.Background())
	e.Start(ctx)
	defer func() { cancel(); e.Wait() }()

	var ids []int
	for _, n := range []string{"srv1", "srv2"} {
		id, err := h.Build(ctx, upload(t, h, makeSRPM(t, specOpts{name: n, version: "1", noarch: true})), "tgt", koji.BuildRequestOpts{}, koji.BuildOpts{})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	deadline := time.Now().Add(60 * time.Second)
	waitFor := func(what string, ok func() bool) {
		t.Helper()
		for !ok() {
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %s", what)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	waitFor("the builds", func() bool {
		for _, id := range ids {
			ti, _ := h.GetTaskInfo(ctx, id, koji.GetTaskInfoOpts{})
			if ti == nil || !ti.State.Finished() {
				return false
			}
			if ti.State != koji.TaskClosed {
				t.Fatalf("task %d: %s: %s", id, ti.State, taskFault(t, h, id))
			}
		}
		return true
	})
	// kojira: a READY repo with both builds
	waitFor("the regenerated repo", func() bool {
		r, _ := h.GetRepo(ctx, koji.ByName("dest-build"), koji.GetRepoOpts{})
		if r == nil {
			return false
		}
		lb, _ := h.GetLatestBuilds(ctx, koji.ByName("dest-build"), koji.GetLatestBuildsOpts{Event: &r.CreateEvent})
		return len(lb) == 2
	})
	// the older repos expire and go (the newest READY one stays)
	waitFor("old repos deleted", func() bool {
		var n int
		h.Store().SQL().QueryRow(`SELECT count(*) FROM repo WHERE state IN (1, 2)`).Scan(&n)
		return n == 1
	})
	dirs, err := e.Host().RepoDirsInState(ctx, koji.RepoDeleted)
	if err != nil {
		t.Fatal(err)
	}
	if len(dirs) == 0 {
		t.Error("no repo was deleted")
	}
	// The engine removes a deleted repo's directory right after the
	// transaction that deletes it: wait for that, bounded.
	waitFor("the deleted repos' directories to go", func() bool {
		for _, d := range dirs {
			if _, err := os.Stat(d); err == nil {
				return false
			}
		}
		return true
	})
	cancel()
	e.Wait()
	checkConsistent(t, h)
}
