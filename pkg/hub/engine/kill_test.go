package engine

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/osg-htc/osg-build-go/internal/testutil"
	"github.com/osg-htc/osg-build-go/pkg/hub"
	"github.com/osg-htc/osg-build-go/pkg/koji"
)

// envChild makes the test binary the engine process of TestKill9Recovery.
const envChild = "OSG_BUILD_ENGINE_TEST_CHILD"

func TestMain(m *testing.M) {
	if dir := os.Getenv(envChild); dir != "" {
		os.Exit(childEngine(dir))
	}
	os.Exit(m.Run())
}

// childEngine runs every task of the hub in dir (until it is killed).
func childEngine(dir string) int {
	ctx := context.Background()
	h, err := hub.Open(ctx, dir, hub.WithLocalUser("tester"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	e, err := New(ctx, h, Options{Poll: 50 * time.Millisecond, NoHostDeps: true, Capacity: 4})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if err := e.RunUntilIdle(ctx); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// descendants returns the processes below pid (from /proc).
func descendants(pid int) []int {
	kids := map[int][]int{}
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		p, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		s := string(b)
		i := strings.LastIndexByte(s, ')')
		f := strings.Fields(s[i+1:])
		if len(f) < 2 {
			continue
		}
		pp, _ := strconv.Atoi(f[1])
		kids[pp] = append(kids[pp], p)
	}
	var out []int
	queue := []int{pid}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		for _, k := range kids[p] {
			out = append(out, k)
			queue = append(queue, k)
		}
	}
	return out
}

// stillRunning returns the processes of pids that still run (not zombies).
func stillRunning(pids []int) []int {
	var out []int
	for _, p := range pids {
		b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(p), "stat"))
		if err != nil {
			continue
		}
		s := string(b)
		f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
		if len(f) > 0 && f[0] != "Z" {
			out = append(out, p)
		}
	}
	return out
}

// TestKill9Recovery kills (SIGKILL) an engine process while 10 builds run,
// leaving its builders orphaned, then reopens the hub: the interrupted tasks
// are FAILED (newRepo tasks rerun), no build is left BUILDING, no lease is
// left, the work directories are gone, and the rest of the tasks run to the
// end with consistent repos.
func TestKill9Recovery(t *testing.T) {
	testutil.RequireTool(t, "rpmbuild")
	var names []string
	for i := 0; i < 10; i++ {
		names = append(names, fmt.Sprintf("k%d", i))
	}
	h := testHub(t, names...)
	ctx := context.Background()
	var ids []int
	for i, n := range names {
		o := specOpts{name: n, version: "1", sleep: 30}
		if i%2 == 1 {
			o.sleep = 0
		}
		id, err := h.Build(ctx, upload(t, h, makeSRPM(t, o)), "tgt", koji.BuildRequestOpts{}, koji.BuildOpts{})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), envChild+"="+h.Dir())
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	// wait until builders run (sleeping builds in %install)
	deadline := time.Now().Add(40 * time.Second)
	for {
		tasks, _ := h.ListTasks(ctx, koji.ListTasksOpts{Opts: &koji.TaskQuery{Method: "buildArch", State: []koji.TaskState{koji.TaskOpen}}})
		running := 0
		for _, bt := range tasks {
			b, _ := os.ReadFile(filepath.Join(h.TaskDir(int64(bt.ID)), "build.log"))
			if strings.Contains(string(b), "%install") {
				running++
			}
		}
		if running >= 2 {
			break
		}
		select {
		case <-exited:
			t.Fatal("the engine process ended before being killed")
		default:
		}
		if time.Now().After(deadline) {
			t.Fatal("the builds never started")
		}
		time.Sleep(50 * time.Millisecond)
	}
	// kill -9 the engine alone: its builders (rpmbuild and the shell of
	// %install, in their own process groups) are orphaned and go on running
	procs := descendants(cmd.Process.Pid)
	if len(procs) == 0 {
		t.Fatal("no builder process under the engine")
	}
	_ = cmd.Process.Signal(syscall.SIGKILL)
	<-exited
	t.Cleanup(func() {
		for _, p := range procs {
			_ = syscall.Kill(p, syscall.SIGKILL)
		}
	})
	if alive := stillRunning(procs); len(alive) == 0 {
		t.Fatal("the builders died with the engine: nothing left to recover")
	}

	var open, building int
	db := h.Store().SQL()
	db.QueryRow(`SELECT count(*) FROM task WHERE state = 1`).Scan(&open)
	if open == 0 {
		t.Fatal("no task was OPEN when the engine was killed")
	}
	// reopen: recovery
	h2, err := hub.Open(ctx, h.Dir(), hub.WithLocalUser("tester"))
	if err != nil {
		t.Fatal(err)
	}
	defer h2.Close()
	e := newEngine(t, h2, Options{})
	db = h2.Store().SQL()
	db.QueryRow(`SELECT count(*) FROM task WHERE state = 1`).Scan(&open)
	db.QueryRow(`SELECT count(*) FROM build WHERE state = 0`).Scan(&building)
	if open != 0 || building != 0 {
		t.Errorf("after recovery: %d OPEN tasks, %d BUILDING builds", open, building)
	}
	var leases, failed int
	db.QueryRow(`SELECT count(*) FROM task_lease`).Scan(&leases)
	db.QueryRow(`SELECT count(*) FROM task WHERE state = 5 AND result LIKE '%was interrupted%'`).Scan(&failed)
	if leases != 0 || failed == 0 {
		t.Errorf("after recovery: %d leases, %d tasks failed as interrupted", leases, failed)
	}
	// the recovery stopped the orphaned builders before removing their
	// work directories
	if alive := stillRunning(procs); len(alive) != 0 {
		t.Errorf("orphaned builders still running after the recovery: %v", alive)
	}
	if ents, _ := os.ReadDir(filepath.Join(h2.Dir(), "tmp")); len(ents) != 0 {
		t.Errorf("work directories left: %v", ents)
	}
	// no files of the failed builds in packages/
	rows, err := db.Query(`SELECT p.name, b.version, b.release FROM build b JOIN package p ON p.id = b.pkg_id WHERE b.state = 3`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var n, v, r string
		rows.Scan(&n, &v, &r)
		if _, err := os.Stat(filepath.Join(h2.TopDir(), "packages", n, v, r)); err == nil {
			t.Errorf("files of the failed build %s-%s-%s left in packages/", n, v, r)
		}
	}
	rows.Close()
	// the FREE rest runs to the end (the sleeping ones are short now? no:
	// only the killed builds slept; their tasks are FAILED)
	rctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	if err := e.RunUntilIdle(rctx); err != nil {
		t.Fatal(err)
	}
	checkConsistent(t, h2)
	var complete int
	db.QueryRow(`SELECT count(*) FROM build WHERE state = 1`).Scan(&complete)
	t.Logf("%d builds complete, %d tasks failed as interrupted", complete, failed)
}
