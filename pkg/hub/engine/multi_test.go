package engine

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/osg-htc/osg-build-go/internal/testutil"
	"github.com/osg-htc/osg-build-go/pkg/hub"
	"github.com/osg-htc/osg-build-go/pkg/koji"
)

// TestTwoEnginesOneHub opens one hub directory twice (as two processes
// would) and runs an engine on each at once: every task runs exactly once.
func TestTwoEnginesOneHub(t *testing.T) {
	testutil.RequireTool(t, "rpmbuild")
	var names []string
	for i := 0; i < 6; i++ {
		names = append(names, fmt.Sprintf("m%d", i))
	}
	h := testHub(t, names...)
	ctx := context.Background()
	for _, n := range names {
		if _, err := h.Build(ctx, upload(t, h, makeSRPM(t, specOpts{name: n, version: "1", noarch: true})), "tgt", koji.BuildRequestOpts{}, koji.BuildOpts{}); err != nil {
			t.Fatal(err)
		}
	}
	h2, err := hub.Open(ctx, h.Dir(), hub.WithLocalUser("tester"))
	if err != nil {
		t.Fatal(err)
	}
	defer h2.Close()
	e1 := newEngine(t, h, Options{})
	e2 := newEngine(t, h2, Options{})
	rctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, e := range []*Engine{e1, e2} {
		wg.Add(1)
		go func() { defer wg.Done(); errs[i] = e.RunUntilIdle(rctx) }()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	tasks, err := h.ListTasks(ctx, koji.ListTasksOpts{})
	if err != nil {
		t.Fatal(err)
	}
	hosts := map[int]bool{}
	for _, tk := range tasks {
		if tk.State != koji.TaskClosed {
			t.Errorf("task %d %s: %s: %s", tk.ID, tk.Method, tk.State, taskFault(t, h, tk.ID))
		}
		if tk.Method == "buildArch" {
			b, _ := os.ReadFile(filepath.Join(h.TaskDir(int64(tk.ID)), "state.log"))
			if n := strings.Count(string(b), "Start: build setup"); n != 1 {
				t.Errorf("buildArch %d ran %d times", tk.ID, n)
			}
		}
		if tk.HostID != nil {
			hosts[*tk.HostID] = true
		}
	}
	checkConsistent(t, h)
	t.Logf("%d tasks on %d host record(s)", len(tasks), len(hosts))
}

// TestManyBuildsWaitForOneRepo: more builds than the host has capacity for
// all wait for the build tag's first repo. Their waitrepo tasks only sleep:
// they must not take the capacity the newRepo task they wait for needs.
func TestManyBuildsWaitForOneRepo(t *testing.T) {
	testutil.RequireTool(t, "rpmbuild")
	var names []string
	for i := 0; i < 10; i++ {
		names = append(names, fmt.Sprintf("w%d", i))
	}
	h := testHub(t, names...)
	ctx := context.Background()
	for _, n := range names {
		if _, err := h.Build(ctx, upload(t, h, makeSRPM(t, specOpts{name: n, version: "1", noarch: true})), "tgt", koji.BuildRequestOpts{}, koji.BuildOpts{}); err != nil {
			t.Fatal(err)
		}
	}
	// served mode: the engine claims whatever is free, as hub serve does
	e := newEngine(t, h, Options{Capacity: 2})
	sctx, stop := context.WithCancel(ctx)
	e.Start(sctx)
	defer func() { stop(); e.Wait() }()
	deadline := time.Now().Add(90 * time.Second)
	var complete int
	for time.Now().Before(deadline) {
		h.Store().SQL().QueryRow(`SELECT count(*) FROM build WHERE state = 1`).Scan(&complete)
		if complete == len(names) {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Errorf("%d of %d builds complete after 90 s: deadlocked waiting for a repo", complete, len(names))
}
