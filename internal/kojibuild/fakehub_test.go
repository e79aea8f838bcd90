package kojibuild

import (
	"context"
	"fmt"
	"sync"

	"github.com/osg-htc/osg-build-go/pkg/koji"
)

// fakeHub is a koji.Hub whose tasks move through states scripted per poll.
// Methods not overridden panic (the nil embedded interface).
type fakeHub struct {
	koji.Hub

	mu         sync.Mutex
	poll       int
	multiCalls int
	calls      map[string]int
	// tasks[id] = the task; states[id][i] = its state at poll i (last one sticks).
	tasks    map[int]*koji.TaskInfo
	states   map[int][]koji.TaskState
	children map[int][]int
	// appearAt[id] = first poll at which a child is listed by its parent.
	appearAt map[int]int
	outputs  map[int]map[string]string
	results  map[int]error
}

func newFakeHub() *fakeHub {
	return &fakeHub{calls: map[string]int{}, tasks: map[int]*koji.TaskInfo{}, states: map[int][]koji.TaskState{},
		children: map[int][]int{}, appearAt: map[int]int{}, outputs: map[int]map[string]string{}, results: map[int]error{}}
}

// addTask adds a task with a state script.
func (f *fakeHub) addTask(id int, parent int, method, arch string, request []any, states ...koji.TaskState) {
	t := &koji.TaskInfo{ID: id, Method: method, Arch: arch, Request: request}
	if parent != 0 {
		p := parent
		t.Parent = &p
		f.children[parent] = append(f.children[parent], id)
	}
	f.tasks[id] = t
	f.states[id] = states
}

func (f *fakeHub) stateAt(id int) koji.TaskState {
	s := f.states[id]
	if f.poll < len(s) {
		return s[f.poll]
	}
	return s[len(s)-1]
}

func (f *fakeHub) info(id int) map[string]any {
	t := f.tasks[id]
	m := map[string]any{"id": int64(id), "state": int64(f.stateAt(id)), "method": t.Method, "arch": t.Arch,
		"request": t.Request, "create_ts": 1000.0}
	if t.Parent != nil {
		m["parent"] = int64(*t.Parent)
	}
	if st := f.stateAt(id); st != koji.TaskFree {
		m["start_ts"] = 1000.0
		m["host_id"] = int64(1)
	}
	return m
}

func (f *fakeHub) MultiCall(ctx context.Context, calls []koji.Call, opts koji.MultiCallOpts) ([]koji.CallResult, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.multiCalls++
	out := make([]koji.CallResult, len(calls))
	for i, c := range calls {
		f.calls[c.Method]++
		switch c.Method {
		case "getTaskInfo":
			id := c.Args[0].(int)
			if _, ok := f.tasks[id]; !ok {
				continue
			}
			out[i].Value = f.info(id)
		case "getTaskChildren":
			id := c.Args[0].(int)
			var l []any
			for _, k := range f.children[id] {
				if f.poll >= f.appearAt[k] {
					l = append(l, f.info(k))
				}
			}
			out[i].Value = l
		case "getHost":
			out[i].Value = map[string]any{"id": c.Args[0], "name": "builder1.example.org"}
		default:
			out[i].Fault = koji.NewFault(koji.GenericError, "Invalid method: %s", c.Method)
		}
	}
	f.poll++
	return out, nil
}

func (f *fakeHub) ListTaskOutput(ctx context.Context, id int, opts koji.ListTaskOutputOpts) ([]koji.TaskOutputFile, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls["listTaskOutput"]++
	var out []koji.TaskOutputFile
	for n := range f.outputs[id] {
		out = append(out, koji.TaskOutputFile{Name: n})
	}
	return out, nil
}

func (f *fakeHub) DownloadTaskOutput(ctx context.Context, id int, name string, opts koji.DownloadTaskOutputOpts) ([]byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls["downloadTaskOutput"]++
	s, ok := f.outputs[id][name]
	if !ok {
		return nil, koji.NewFault(koji.GenericError, "no file %s output by task %d", name, id)
	}
	return []byte(s), nil
}

func (f *fakeHub) GetTaskResult(ctx context.Context, id int, opts koji.GetTaskResultOpts) (any, error) {
	if err := f.results[id]; err != nil {
		return nil, err
	}
	return nil, fmt.Errorf("no result")
}
