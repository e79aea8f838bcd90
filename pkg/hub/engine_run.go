package hub

import (
	"context"
	"sync"
)

// TaskRunner runs a hub's tasks: the ids (and their descendants) to the
// end, or, with no ids, every task of the hub until none is left. The task
// engine (pkg/hub/engine) registers itself as the runner when it is linked
// into the program.
type TaskRunner func(ctx context.Context, h *Hub, ids ...int) error

var (
	runnerMu   sync.Mutex
	taskRunner TaskRunner
)

// RegisterTaskRunner sets the hub's task runner (pkg/hub/engine's init).
func RegisterTaskRunner(r TaskRunner) {
	runnerMu.Lock()
	taskRunner = r
	runnerMu.Unlock()
}

// RunTasks runs the tasks ids (and their descendants, and the repo
// regenerations they cause) to the end with the registered task engine;
// without an engine it does nothing. This is what an in-process command
// calls after creating tasks.
func (h *Hub) RunTasks(ctx context.Context, ids ...int) error {
	runnerMu.Lock()
	r := taskRunner
	runnerMu.Unlock()
	if r == nil {
		return nil
	}
	return r(ctx, h, ids...)
}

// RunUntilIdle runs every task of the hub until none is left (the
// in-process hub's answer to watchers: see internal/kojibuild.Engine).
func (h *Hub) RunUntilIdle(ctx context.Context) error { return h.RunTasks(ctx) }
