package hub

import "context"

// TaskRunner runs a hub's tasks: the ids (and their descendants) to the
// end, or, with no ids, every task of the hub until none is left. The task
// engine's RunUntilIdle (pkg/hub/engine) is one; Open takes it with
// WithTaskRunner (pkg/hub cannot import the engine, which imports it).
type TaskRunner func(ctx context.Context, h *Hub, ids ...int) error

// RunTasks runs the tasks ids (and their descendants, and the repo
// regenerations they cause) to the end with the hub's task runner; without
// one it does nothing. This is what an in-process command calls after
// creating tasks.
func (h *Hub) RunTasks(ctx context.Context, ids ...int) error {
	if h.runner == nil {
		return nil
	}
	return h.runner(ctx, h, ids...)
}

// RunUntilIdle runs every task of the hub until none is left (the
// in-process hub's answer to watchers: see internal/kojibuild.Engine).
func (h *Hub) RunUntilIdle(ctx context.Context) error { return h.RunTasks(ctx) }
