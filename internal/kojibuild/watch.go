// Package kojibuild builds OSG packages in Koji (or the embedded hub): it
// resolves where each package × dver goes, submits the builds (from source
// control, or a locally prebuilt SRPM for scratch builds), watches the task
// trees with one multiCall per poll, diagnoses failures from the task logs,
// orders chains of packages by their BuildRequires, downloads results, and
// regenerates and waits for repos.
//
// It knows nothing of cobra or os.Exit; internal/cmd/kojibuild wires it up.
package kojibuild

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"path"
	"sort"
	"strings"
	"time"

	"github.com/osg-htc/osg-build-go/internal/xmlrpc"
	"github.com/osg-htc/osg-build-go/pkg/koji"
)

// Display is how the watcher shows progress.
type Display int

// Displays.
const (
	// DisplayLines prints one line per state change (piped output).
	DisplayLines Display = iota
	// DisplayTree redraws a live task tree (a terminal).
	DisplayTree
	// DisplayJSON prints one JSON object per event (CI).
	DisplayJSON
	// DisplayNone prints nothing.
	DisplayNone
)

// Task is a watched task: its latest info and what the watcher learnt.
type Task struct {
	koji.TaskInfo
	// Label is Koji's task label ("build (osg-25-main-el9, xrootd.src.rpm)").
	Label string
	// Host is the name of the builder host, when known.
	Host string
	// Children are the ids of the subtasks, in order of discovery.
	Children []int
	// Depth is the level in the tree (0 for the watched tasks).
	Depth int

	final bool // finished, with its children fetched after it finished
}

// Event is one state change of a task (the JSON form of --json).
type Event struct {
	Event    string    `json:"event"` // "task"
	Time     time.Time `json:"time"`
	Task     int       `json:"task"`
	Parent   *int      `json:"parent,omitempty"`
	Method   string    `json:"method"`
	Label    string    `json:"label"`
	Arch     string    `json:"arch,omitempty"`
	State    string    `json:"state"`
	Previous string    `json:"previous,omitempty"`
	Host     string    `json:"host,omitempty"`
}

// Watcher follows task trees until every task has finished. Each poll is ONE
// multiCall holding getTaskInfo and getTaskChildren for every unfinished task
// (and getHost for hosts not yet named), however many tasks are watched.
type Watcher struct {
	Hub      koji.Hub
	Interval time.Duration
	Display  Display
	// Out receives the display (the status stream, or stdout for JSON).
	Out io.Writer
	// Now is the clock (time.Now when nil).
	Now func() time.Time
	// Sleep waits between polls (a context-aware sleep when nil).
	Sleep func(ctx context.Context, d time.Duration) error
	// OnPoll, when set, is called after each poll (tests and benchmarks).
	OnPoll func(poll int)

	// Polls is the number of polls made so far.
	Polls int

	tasks     map[int]*Task
	roots     []int
	hosts     map[int]string
	hostAsked map[int]bool
	noGetHost bool
	drawn     int  // lines drawn by the last tree render
	finished  bool // a task finished during the current poll
	// recheck is set by a poll that found a child already finished: the
	// next poll, which makes it final (or finds its children), is made at
	// once rather than after the interval.
	recheck bool
}

// Result is the outcome of a watch.
type Result struct {
	// Tasks holds every task seen, by id.
	Tasks map[int]*Task
	// Roots are the watched task ids, in the order given.
	Roots []int
}

// Watch polls until every task in the trees of ids has finished and returns
// them. When ctx is canceled it stops (the tasks go on) and returns what it
// knows with ctx's error.
func (w *Watcher) Watch(ctx context.Context, ids []int) (*Result, error) {
	w.init(ids)
	// An in-process hub runs the tasks here, beside the polls; the wait
	// between polls ends when it has run them (engineRan is closed).
	var (
		engineDone chan error
		engineRan  chan struct{}
	)
	if r, ok := w.Hub.(TaskRunner); ok {
		engineDone, engineRan = make(chan error, 1), make(chan struct{})
		go func() {
			engineDone <- r.RunTasks(ctx, ids...)
			close(engineRan)
		}()
		defer func() {
			if engineDone != nil {
				<-engineDone
			}
		}()
	}
	for {
		if engineDone != nil {
			select {
			case err := <-engineDone:
				engineDone, engineRan = nil, nil
				if err != nil && ctx.Err() == nil {
					return w.result(), fmt.Errorf("running the tasks in the embedded hub: %w", err)
				}
			default:
			}
		}
		if err := w.poll(ctx); err != nil {
			return w.result(), err
		}
		w.Polls++
		if w.OnPoll != nil {
			w.OnPoll(w.Polls)
		}
		w.render()
		if w.finished && w.Display == DisplayLines {
			fmt.Fprintln(w.Out, w.Counts())
		}
		w.finished = false
		if w.done() {
			return w.result(), nil
		}
		if w.recheck {
			w.recheck = false
			continue
		}
		if err := w.sleep(ctx, w.interval(), engineRan); err != nil {
			return w.result(), err
		}
	}
}

func (w *Watcher) init(ids []int) {
	w.tasks = map[int]*Task{}
	w.hosts = map[int]string{}
	w.hostAsked = map[int]bool{}
	w.roots = nil
	for _, id := range ids {
		if _, ok := w.tasks[id]; ok {
			continue
		}
		w.tasks[id] = &Task{TaskInfo: koji.TaskInfo{ID: id, State: -1}}
		w.roots = append(w.roots, id)
	}
}

func (w *Watcher) interval() time.Duration {
	if w.Interval <= 0 {
		return 6 * time.Second
	}
	return w.Interval
}

func (w *Watcher) now() time.Time {
	if w.Now != nil {
		return w.Now()
	}
	return time.Now()
}

// sleep waits d, or less when wake is closed (nil: never).
func (w *Watcher) sleep(ctx context.Context, d time.Duration, wake <-chan struct{}) error {
	if w.Sleep != nil {
		return w.Sleep(ctx, d)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	case <-wake:
		return nil
	}
}

func (w *Watcher) done() bool {
	for _, t := range w.tasks {
		if !t.final {
			return false
		}
	}
	return true
}

func (w *Watcher) result() *Result {
	return &Result{Tasks: w.tasks, Roots: append([]int(nil), w.roots...)}
}

// order returns every known task id, depth first from the roots.
func (w *Watcher) order() []int {
	var out []int
	var walk func(id int)
	walk = func(id int) {
		out = append(out, id)
		for _, c := range w.tasks[id].Children {
			walk(c)
		}
	}
	for _, r := range w.roots {
		walk(r)
	}
	return out
}

type callKind int

const (
	callInfo callKind = iota
	callChildren
	callHost
)

type callSlot struct {
	kind callKind
	id   int
}

// poll makes the one multiCall of a poll and applies its answers.
func (w *Watcher) poll(ctx context.Context) error {
	var calls []koji.Call
	var slots []callSlot
	for _, id := range w.order() {
		t := w.tasks[id]
		if t.final {
			continue
		}
		calls = append(calls,
			koji.Call{Method: "getTaskInfo", Args: []any{id}, Kwargs: map[string]any{"request": true}},
			koji.Call{Method: "getTaskChildren", Args: []any{id}, Kwargs: map[string]any{"request": true}})
		slots = append(slots, callSlot{callInfo, id}, callSlot{callChildren, id})
	}
	if !w.noGetHost {
		var hosts []int
		for _, t := range w.tasks {
			if t.HostID != nil && !w.hostAsked[*t.HostID] {
				w.hostAsked[*t.HostID] = true
				hosts = append(hosts, *t.HostID)
			}
		}
		sort.Ints(hosts)
		for _, h := range hosts {
			calls = append(calls, koji.Call{Method: "getHost", Args: []any{h}})
			slots = append(slots, callSlot{callHost, h})
		}
	}
	if len(calls) == 0 {
		return nil
	}
	res, err := w.Hub.MultiCall(ctx, calls, koji.MultiCallOpts{})
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("polling %d tasks: %w", len(w.tasks), err)
	}
	if len(res) != len(calls) {
		return fmt.Errorf("polling tasks: the hub answered %d results for %d calls", len(res), len(calls))
	}
	finishedNow := map[int]bool{}
	for i, s := range slots {
		r := res[i]
		switch s.kind {
		case callInfo:
			if r.Fault != nil {
				return fmt.Errorf("getTaskInfo(%d): %w", s.id, r.Fault)
			}
			if r.Value == nil {
				return fmt.Errorf("no such task: %d", s.id)
			}
			var info koji.TaskInfo
			if err := xmlrpc.Unmarshal(r.Value, &info); err != nil {
				return fmt.Errorf("getTaskInfo(%d): %w", s.id, err)
			}
			w.update(info)
			finishedNow[s.id] = info.State.Finished()
		case callChildren:
			if r.Fault != nil {
				return fmt.Errorf("getTaskChildren(%d): %w", s.id, r.Fault)
			}
			var kids []koji.TaskInfo
			if err := xmlrpc.Unmarshal(r.Value, &kids); err != nil {
				return fmt.Errorf("getTaskChildren(%d): %w", s.id, err)
			}
			sort.Slice(kids, func(i, j int) bool { return kids[i].ID < kids[j].ID })
			parent := w.tasks[s.id]
			for _, k := range kids {
				if _, ok := w.tasks[k.ID]; !ok {
					w.tasks[k.ID] = &Task{TaskInfo: koji.TaskInfo{ID: k.ID, State: -1}, Depth: parent.Depth + 1}
					parent.Children = append(parent.Children, k.ID)
					if k.State.Finished() {
						w.recheck = true
					}
				}
				w.update(k)
			}
		case callHost:
			if r.Fault != nil {
				if koji.IsInvalidMethod(r.Fault) {
					w.noGetHost = true
				}
				continue
			}
			if m, ok := r.Value.(map[string]any); ok {
				if n, ok := m["name"].(string); ok {
					w.hosts[s.id] = n
					for _, t := range w.tasks {
						if t.HostID != nil && *t.HostID == s.id {
							t.Host = n
						}
					}
				}
			}
		}
	}
	// A task is final once its info said finished in the same multiCall
	// that listed its children (so no child can appear later).
	for id, fin := range finishedNow {
		if fin {
			w.tasks[id].final = true
		}
	}
	return nil
}

// update stores new info of a task and reports a state change.
func (w *Watcher) update(info koji.TaskInfo) {
	t := w.tasks[info.ID]
	old := t.State
	t.TaskInfo = info
	t.Label = TaskLabel(&info)
	if info.HostID != nil {
		t.Host = w.hosts[*info.HostID]
	}
	if old != info.State {
		if info.State.Finished() {
			w.finished = true
		}
		w.emit(t, old)
	}
}

func stateName(s koji.TaskState) string { return strings.ToLower(s.String()) }

func (w *Watcher) emit(t *Task, old koji.TaskState) {
	switch w.Display {
	case DisplayLines:
		indent := strings.Repeat("  ", t.Depth)
		host := ""
		if t.Host != "" && (t.State == koji.TaskOpen || t.State == koji.TaskAssigned) {
			host = " (" + t.Host + ")"
		}
		if old < 0 {
			fmt.Fprintf(w.Out, "%s%d %s: %s%s\n", indent, t.ID, t.Label, stateName(t.State), host)
		} else {
			fmt.Fprintf(w.Out, "%s%d %s: %s -> %s%s\n", indent, t.ID, t.Label, stateName(old), stateName(t.State), host)
		}
	case DisplayJSON:
		e := Event{Event: "task", Time: w.now().UTC(), Task: t.ID, Parent: t.Parent, Method: t.Method,
			Label: t.Label, Arch: t.Arch, State: t.State.String(), Host: t.Host}
		if old >= 0 {
			e.Previous = old.String()
		}
		b, _ := json.Marshal(e)
		fmt.Fprintf(w.Out, "%s\n", b)
	}
}

// Counts is koji's progress line: "  2 free  1 open  3 done  0 failed".
func (w *Watcher) Counts() string {
	var free, open, done, failed int
	for _, t := range w.tasks {
		switch t.State {
		case koji.TaskFree:
			free++
		case koji.TaskOpen, koji.TaskAssigned:
			open++
		case koji.TaskClosed:
			done++
		case koji.TaskFailed, koji.TaskCanceled:
			failed++
		}
	}
	return fmt.Sprintf("  %d free  %d open  %d done  %d failed", free, open, done, failed)
}

// render redraws the live tree on a terminal.
func (w *Watcher) render() {
	if w.Display != DisplayTree {
		return
	}
	var b strings.Builder
	if w.drawn > 0 {
		fmt.Fprintf(&b, "\x1b[%dA\x1b[J", w.drawn)
	}
	lines := w.TreeLines()
	for _, l := range lines {
		b.WriteString(l)
		b.WriteByte('\n')
	}
	w.drawn = len(lines)
	io.WriteString(w.Out, b.String())
}

// TreeLines returns the lines of the task tree: state, host and elapsed time
// per task, children indented under their parent.
func (w *Watcher) TreeLines() []string {
	now := w.now()
	var lines []string
	for _, id := range w.order() {
		t := w.tasks[id]
		state := "?"
		if t.State >= 0 {
			state = stateName(t.State)
		}
		line := fmt.Sprintf("%s%d %s  %s", strings.Repeat("  ", t.Depth), t.ID, t.Label, state)
		if t.Host != "" {
			line += "  " + t.Host
		}
		if t.StartTS != nil {
			line += "  " + formatElapsed(elapsed(&t.TaskInfo, now))
		}
		lines = append(lines, line)
	}
	return lines
}

func elapsed(t *koji.TaskInfo, now time.Time) time.Duration {
	if t.StartTS == nil {
		return 0
	}
	end := now
	if t.CompletionTS != nil {
		end = koji.TS(t.CompletionTS)
	}
	d := end.Sub(koji.TS(t.StartTS))
	if d < 0 {
		return 0
	}
	return d.Truncate(time.Second)
}

func formatElapsed(d time.Duration) string {
	m := int(d / time.Minute)
	s := int((d % time.Minute) / time.Second)
	return fmt.Sprintf("%d:%02d", m, s)
}

// TaskLabel is koji.taskLabel: the method and what it works on.
func TaskLabel(t *koji.TaskInfo) string {
	p := t.RequestParams()
	str := func(i int) string {
		if i < len(p) {
			if s, ok := p[i].(string); ok {
				return s
			}
		}
		return ""
	}
	switch t.Method {
	case "build":
		src, target := str(0), str(1)
		if src != "" {
			return fmt.Sprintf("build (%s, %s)", target, srcLabel(src))
		}
	case "buildArch":
		if s := str(0); s != "" {
			return fmt.Sprintf("buildArch (%s, %s)", path.Base(s), str(2))
		}
	case "buildSRPMFromSCM":
		if s := str(0); s != "" {
			return fmt.Sprintf("buildSRPMFromSCM (%s)", srcLabel(s))
		}
	case "newRepo":
		if s := str(0); s != "" {
			return fmt.Sprintf("newRepo (%s)", s)
		}
	case "tagBuild":
	}
	if t.Arch != "" {
		return fmt.Sprintf("%s (%s)", t.Method, t.Arch)
	}
	return t.Method
}

// srcLabel shortens a build source as Koji does: repo:module:rev for SCM
// URLs, the file name for uploaded SRPMs.
func srcLabel(src string) string {
	if i := strings.Index(src, "://"); i > 0 {
		rest := src[i+3:]
		rev := ""
		if j := strings.LastIndex(rest, "#"); j >= 0 {
			rest, rev = rest[:j], rest[j+1:]
		}
		module := ""
		if j := strings.Index(rest, "?"); j >= 0 {
			rest, module = rest[:j], rest[j+1:]
		}
		repo := path.Base(strings.TrimSuffix(rest, "/"))
		if module == "" {
			module = repo
			repo = path.Base(path.Dir(strings.TrimSuffix(rest, "/")))
		}
		if len(rev) > 12 {
			rev = rev[:12]
		}
		return repo + ":" + module + ":" + rev
	}
	return path.Base(src)
}

// Failed returns the watched tasks that did not end CLOSED.
func (r *Result) Failed() []int {
	var out []int
	for _, id := range r.Roots {
		if t := r.Tasks[id]; t == nil || t.State != koji.TaskClosed {
			out = append(out, id)
		}
	}
	return out
}

// FailedLeaf returns the deepest FAILED task under root (buildArch and
// other leaves first), or root itself.
func (r *Result) FailedLeaf(root int) *Task {
	t := r.Tasks[root]
	if t == nil {
		return nil
	}
	for _, c := range t.Children {
		if ct := r.Tasks[c]; ct != nil && ct.State == koji.TaskFailed {
			return r.FailedLeaf(c)
		}
	}
	return t
}

// Descendants returns the ids of every task under root (not root), depth
// first.
func (r *Result) Descendants(root int) []int {
	var out []int
	var walk func(id int)
	walk = func(id int) {
		t := r.Tasks[id]
		if t == nil {
			return
		}
		for _, c := range t.Children {
			out = append(out, c)
			walk(c)
		}
	}
	walk(root)
	return out
}
