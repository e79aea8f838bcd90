package kojibuild

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/osg-htc/osg-build-go/pkg/koji"
)

func noSleep(ctx context.Context, d time.Duration) error { return ctx.Err() }

// TestWatchOneMultiCallPerPoll watches 40 build tasks, each spawning two
// buildArch children and a tagBuild, and checks that every poll is exactly
// one multiCall, whatever the number of tasks.
func TestWatchOneMultiCallPerPoll(t *testing.T) {
	f := newFakeHub()
	var roots []int
	F, O, C, X := koji.TaskFree, koji.TaskOpen, koji.TaskClosed, koji.TaskFailed
	for i := 0; i < 40; i++ {
		id := 100 + i*10
		roots = append(roots, id)
		last := C
		if i == 7 {
			last = X
		}
		f.addTask(id, 0, "build", "noarch", []any{"git+https://github.com/osg-htc/software-packaging.git?25-main/p#abc", "osg-25-main-el9", map[string]any{}}, F, O, O, O, O, last)
		f.addTask(id+1, id, "buildArch", "x86_64", []any{"tasks/1/p-1-1.src.rpm", int64(3), "x86_64"}, F, O, C)
		f.addTask(id+2, id, "buildArch", "aarch64", []any{"tasks/1/p-1-1.src.rpm", int64(3), "aarch64"}, F, O, O, last)
		f.addTask(id+3, id, "tagBuild", "noarch", nil, F, C)
		f.appearAt[id+1], f.appearAt[id+2], f.appearAt[id+3] = 1, 1, 3
	}
	var out bytes.Buffer
	w := &Watcher{Hub: f, Display: DisplayLines, Out: &out, Sleep: noSleep}
	polls := 0
	w.OnPoll = func(n int) {
		polls = n
		if f.multiCalls != n {
			t.Fatalf("after poll %d: %d multiCalls", n, f.multiCalls)
		}
	}
	res, err := w.Watch(context.Background(), roots)
	if err != nil {
		t.Fatal(err)
	}
	if polls == 0 || polls > 10 {
		t.Fatalf("polls = %d", polls)
	}
	if f.multiCalls != polls {
		t.Errorf("multiCalls = %d for %d polls, want one per poll", f.multiCalls, polls)
	}
	if len(res.Tasks) != 160 {
		t.Errorf("tasks seen = %d, want 160", len(res.Tasks))
	}
	if got := res.Failed(); len(got) != 1 || got[0] != 170 {
		t.Errorf("failed = %v, want [170]", got)
	}
	if leaf := res.FailedLeaf(170); leaf.ID != 172 {
		t.Errorf("failed leaf = %d, want 172", leaf.ID)
	}
	s := out.String()
	for _, want := range []string{
		"100 build (osg-25-main-el9, software-packaging.git:25-main/p:abc): free\n",
		"  101 buildArch (p-1-1.src.rpm, x86_64): open\n",
		"  101 buildArch (p-1-1.src.rpm, x86_64): open -> closed\n",
		"100 build (osg-25-main-el9, software-packaging.git:25-main/p:abc): open -> closed\n",
		"170 build (osg-25-main-el9, software-packaging.git:25-main/p:abc): open -> failed\n",
		"  0 free  0 open  158 done  2 failed\n",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("output lacks %q", want)
		}
	}
}

func TestWatchJSONAndCancel(t *testing.T) {
	f := newFakeHub()
	f.addTask(5, 0, "newRepo", "noarch", []any{"osg-25-main-el9-build"}, koji.TaskFree, koji.TaskOpen)
	var out bytes.Buffer
	ctx, cancel := context.WithCancel(context.Background())
	w := &Watcher{Hub: f, Display: DisplayJSON, Out: &out, Sleep: noSleep,
		Now: func() time.Time { return time.Unix(2000, 0) }}
	w.OnPoll = func(n int) {
		if n == 3 {
			cancel()
		}
	}
	res, err := w.Watch(ctx, []int{5})
	if err != context.Canceled {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if res.Tasks[5].State != koji.TaskOpen {
		t.Errorf("state = %v", res.Tasks[5].State)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("events = %q", lines)
	}
	var e Event
	if err := json.Unmarshal([]byte(lines[1]), &e); err != nil {
		t.Fatal(err)
	}
	if e.Task != 5 || e.State != "OPEN" || e.Previous != "FREE" || e.Label != "newRepo (osg-25-main-el9-build)" {
		t.Errorf("event = %+v", e)
	}
}

func TestWatchTree(t *testing.T) {
	f := newFakeHub()
	f.addTask(1, 0, "build", "noarch", []any{"cli-build/1.abc/p-1-1.src.rpm", "osg-25-main-el9", map[string]any{}}, koji.TaskOpen, koji.TaskClosed)
	f.addTask(2, 1, "buildArch", "x86_64", []any{"cli-build/1.abc/p-1-1.src.rpm", int64(3), "x86_64"}, koji.TaskClosed)
	var out bytes.Buffer
	w := &Watcher{Hub: f, Display: DisplayTree, Out: &out, Sleep: noSleep,
		Now: func() time.Time { return time.Unix(1065, 0) }}
	if _, err := w.Watch(context.Background(), []int{1}); err != nil {
		t.Fatal(err)
	}
	s := out.String()
	if !strings.Contains(s, "1 build (osg-25-main-el9, p-1-1.src.rpm)  open  1:05\n") {
		t.Errorf("tree lacks the first frame:\n%s", s)
	}
	if !strings.Contains(s, "\x1b[2A\x1b[J") || !strings.Contains(s, "  2 buildArch (p-1-1.src.rpm, x86_64)  closed  builder1.example.org  1:05") {
		t.Errorf("tree not redrawn:\n%q", s)
	}
}

// engineHub is a fakeHub with an in-process engine: RunTasks takes every
// task to its last state.
type engineHub struct{ *fakeHub }

func (h engineHub) RunTasks(ctx context.Context, ids ...int) error {
	time.Sleep(10 * time.Millisecond)
	h.mu.Lock()
	h.poll = 1 << 20
	h.mu.Unlock()
	return nil
}

// TestWatchInProcessEndsWithTheEngine: with an in-process engine, the watch
// ends as soon as the engine has run the tasks, not after the poll interval.
func TestWatchInProcessEndsWithTheEngine(t *testing.T) {
	f := newFakeHub()
	F, O, C := koji.TaskFree, koji.TaskOpen, koji.TaskClosed
	f.addTask(1, 0, "newRepo", "noarch", []any{"t-build"}, F, O, O, O, O, O, C)
	f.addTask(2, 1, "createrepo", "noarch", []any{int64(1), "x86_64"}, F, O, O, O, O, C)
	f.appearAt[2] = 1
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var out bytes.Buffer
	w := &Watcher{Hub: engineHub{f}, Interval: time.Hour, Display: DisplayLines, Out: &out}
	start := time.Now()
	res, err := w.Watch(ctx, []int{1})
	if err != nil {
		t.Fatalf("watch: %v (after %v; it should end with the engine)", err, time.Since(start))
	}
	if got := res.Tasks[1].State; got != C {
		t.Errorf("task 1 state = %v, want closed", got)
	}
	if res.Tasks[2] == nil || res.Tasks[2].State != C {
		t.Errorf("child task 2 = %+v, want seen closed", res.Tasks[2])
	}
	if w.Polls > 5 {
		t.Errorf("%d polls, want a few", w.Polls)
	}
}

// TestWatchNoWaitForFinishedChildren: children found already finished are
// confirmed by the next poll at once, not after another interval.
func TestWatchNoWaitForFinishedChildren(t *testing.T) {
	f := newFakeHub()
	F, C := koji.TaskFree, koji.TaskClosed
	f.addTask(1, 0, "build", "noarch", []any{"x.src.rpm", "osg-25-main-el9", map[string]any{}}, F, C)
	f.addTask(2, 1, "rebuildSRPM", "noarch", nil, C)
	f.addTask(3, 1, "buildArch", "noarch", nil, C)
	f.appearAt[2], f.appearAt[3] = 1, 1
	sleeps := 0
	w := &Watcher{Hub: f, Display: DisplayNone, Out: io.Discard, Sleep: func(ctx context.Context, d time.Duration) error {
		sleeps++
		return nil
	}}
	res, err := w.Watch(context.Background(), []int{1})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Tasks) != 3 || res.Tasks[3].State != C {
		t.Fatalf("tasks = %v", res.Tasks)
	}
	// poll 1: free; sleep; poll 2: closed, children found closed; poll 3
	// at once confirms them.
	if sleeps != 1 || w.Polls != 3 {
		t.Errorf("%d polls and %d waits, want 3 and 1", w.Polls, sleeps)
	}
}
