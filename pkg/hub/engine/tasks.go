package engine

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"time"

	"github.com/osg-htc/osg-build-go/internal/xmlrpc"
	"github.com/osg-htc/osg-build-go/pkg/hub"
	"github.com/osg-htc/osg-build-go/pkg/koji"
)

// task is a running task, as its handler sees it.
type task struct {
	e      *Engine
	t      *hub.ClaimedTask
	ctx    context.Context
	dir    string // work/tasks/<id%10000>/<id>
	params []any
}

type handler func(t *task) (any, error)

var handlers = map[string]handler{
	"build":            (*task).build,
	"buildSRPMFromSCM": (*task).buildSRPMFromSCM,
	"rebuildSRPM":      (*task).rebuildSRPM,
	"buildArch":        (*task).buildArch,
	"tagBuild":         (*task).tagBuild,
	"newRepo":          (*task).newRepo,
	"createrepo":       (*task).createrepoTask,
	"waitrepo":         (*task).waitrepo,
}

func (e *Engine) runHandler(ctx context.Context, ct *hub.ClaimedTask) (result any, err error) {
	h, ok := handlers[ct.Method]
	if !ok {
		return nil, koji.NewFault(koji.GenericError, "Invalid method: %s (the embedded hub's engine does not run %s tasks)", ct.Method, ct.Method)
	}
	t := &task{e: e, t: ct, ctx: ctx, dir: e.h.TaskDir(ct.ID), params: ct.Params}
	defer func() {
		if r := recover(); r != nil {
			err = koji.NewFault(koji.GenericError, "task %d (%s) crashed: %v\n%s", ct.ID, ct.Method, r, debug.Stack())
		}
	}()
	return h(t)
}

// param returns the i-th parameter (nil when absent).
func (t *task) param(i int) any {
	if i < len(t.params) {
		return t.params[i]
	}
	return nil
}

func asMap(v any) map[string]any {
	if m, ok := v.(map[string]any); ok {
		return m
	}
	return map[string]any{}
}

func asBool(v any) bool {
	switch x := v.(type) {
	case bool:
		return x
	case int:
		return x != 0
	case int64:
		return x != 0
	case string:
		return x != ""
	}
	return false
}

// stateLog appends a line to the task's state.log.
func (t *task) stateLog(format string, args ...any) {
	if err := os.MkdirAll(t.dir, 0o755); err != nil {
		return
	}
	f, err := os.OpenFile(filepath.Join(t.dir, "state.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return
	}
	defer f.Close()
	fmt.Fprintf(f, "%s INFO "+format+"\n", append([]any{time.Now().UTC().Format("2006-01-02 15:04:05,000")}, args...)...)
}

// relWork is a path relative to topdir/work (how Koji names task output in
// results: tasks/<id%10000>/<id>/file).
func (t *task) relWork(p string) string {
	rel, err := filepath.Rel(filepath.Join(t.e.h.TopDir(), "work"), p)
	if err != nil {
		return p
	}
	return filepath.ToSlash(rel)
}

// subtask creates a child task.
func (t *task) subtask(s hub.SubtaskSpec) (int64, error) {
	id, err := t.e.host.Subtask(t.ctx, t.t.ID, s)
	if err == nil {
		t.e.notify()
	}
	return id, err
}

// wait waits for the children ids to finish (the task does not count
// against the capacity meanwhile). With failAny, the first child that fails
// or is canceled cancels the others and its fault is returned.
func (t *task) wait(ids []int64, failAny bool) error {
	if err := t.e.host.SetWaiting(t.ctx, t.t.ID, true); err != nil {
		return err
	}
	t.e.mu.Lock()
	if r, ok := t.e.running[t.t.ID]; ok {
		r.waiting = true
	}
	t.e.mu.Unlock()
	t.e.notify()
	defer func() {
		t.e.mu.Lock()
		if r, ok := t.e.running[t.t.ID]; ok {
			r.waiting = false
		}
		t.e.mu.Unlock()
		_ = t.e.host.SetWaiting(context.WithoutCancel(t.ctx), t.t.ID, false)
	}()
	for {
		if err := t.ctx.Err(); err != nil {
			return err
		}
		ch := t.e.changes()
		states, err := t.e.host.TaskStates(t.ctx, ids)
		if err != nil {
			return err
		}
		done := 0
		for _, id := range ids {
			st := states[id]
			switch st {
			case koji.TaskFailed, koji.TaskCanceled:
				if failAny {
					for _, o := range ids {
						if o != id && !states[o].Finished() {
							_ = t.e.h.CancelTask(context.WithoutCancel(t.ctx), int(o), koji.CancelTaskOpts{})
						}
					}
					t.e.notify()
					if st == koji.TaskCanceled {
						return koji.NewFault(koji.GenericError, "subtask %d was canceled", id)
					}
					_, ferr := t.e.host.TaskResult(t.ctx, id)
					if ferr == nil {
						ferr = koji.NewFault(koji.GenericError, "subtask %d failed", id)
					}
					return ferr
				}
				done++
			case koji.TaskClosed:
				done++
			}
		}
		if done == len(ids) {
			return nil
		}
		t.e.waitChange(t.ctx, ch, t.e.opts.Poll)
	}
}

// runChild creates a subtask, waits for it and returns its result.
func (t *task) runChild(s hub.SubtaskSpec) (any, int64, error) {
	id, err := t.subtask(s)
	if err != nil {
		return nil, 0, err
	}
	if err := t.wait([]int64{id}, true); err != nil {
		return nil, id, err
	}
	res, err := t.e.host.TaskResult(t.ctx, id)
	return res, id, err
}

// tagBuild is the tagBuild task [tag_id, build_id, force, fromtag,
// ignore_success]: Koji's host.tagBuild as the task owner.
func (t *task) tagBuild() (any, error) {
	tagID, ok1 := xmlrpc.Int(t.param(0))
	buildID, ok2 := xmlrpc.Int(t.param(1))
	if !ok1 || !ok2 {
		return nil, koji.NewFault(koji.ParameterError, "tagBuild: bad request %v", t.params)
	}
	var from *int64
	if f, ok := xmlrpc.Int(t.param(3)); ok {
		from = &f
	}
	if err := t.e.host.TagBuildTask(t.ctx, t.t.OwnerID, tagID, buildID, asBool(t.param(2)), from); err != nil {
		return nil, err
	}
	t.e.notify()
	return nil, nil
}

// waitrepo is the waitrepo task [tag, newer_than, nvrs, min_event]: it
// waits for a READY repo of tag created at or after min_event whose
// content has the builds nvrs, asking for a newRepo when none is pending.
func (t *task) waitrepo() (any, error) {
	tag, _ := t.param(0).(string)
	if tag == "" {
		if id, ok := xmlrpc.Int(t.param(0)); ok {
			ti, err := t.e.h.GetTag(t.ctx, koji.ByID(int(id)), koji.GetTagOpts{Strict: true})
			if err != nil {
				return nil, err
			}
			tag = ti.Name
		}
	}
	var nvrs []string
	if l, ok := t.param(2).([]any); ok {
		for _, v := range l {
			if s, ok := v.(string); ok {
				nvrs = append(nvrs, s)
			}
		}
	}
	minEvent, _ := xmlrpc.Int(t.param(3))
	var requested int64
	deadline := time.Now().Add(2 * time.Hour)
	for {
		if err := t.ctx.Err(); err != nil {
			return nil, err
		}
		ch := t.e.changes()
		r, err := t.e.h.GetRepo(t.ctx, koji.ByName(tag), koji.GetRepoOpts{})
		if err != nil {
			return nil, err
		}
		if r != nil && int64(r.CreateEvent) >= minEvent {
			ok, err := t.hasBuilds(tag, r, nvrs)
			if err != nil {
				return nil, err
			}
			if ok {
				return r, nil
			}
			if minEvent == 0 && len(nvrs) > 0 {
				// a repo newer than now is needed
				if ev, err := t.e.host.TagLastChange(t.ctx, tag); err == nil {
					minEvent = max(minEvent, ev)
				}
			}
		}
		pending, err := t.e.host.PendingNewRepo(t.ctx, tag)
		if err != nil {
			return nil, err
		}
		if pending == 0 {
			if requested != 0 {
				if _, ferr := t.e.host.TaskResult(t.ctx, requested); ferr != nil {
					return nil, koji.NewFault(koji.BuildrootError, "the newRepo task %d of %s failed: %v", requested, tag, ferr)
				}
			}
			if r == nil || int64(r.CreateEvent) < minEvent || requested == 0 {
				id, err := t.e.host.NewRepoTask(t.ctx, tag)
				if err != nil {
					return nil, err
				}
				requested = id
				t.e.mu.Lock()
				t.e.extra = append(t.e.extra, id)
				t.e.mu.Unlock()
				t.e.notify()
			}
		}
		if time.Now().After(deadline) {
			return nil, koji.NewFault(koji.BuildrootError, "timed out waiting for a repo of %s", tag)
		}
		t.e.waitChange(t.ctx, ch, t.e.opts.Poll)
	}
}

// hasBuilds reports whether the latest builds of tag at the repo's event
// include every N-V-R of nvrs.
func (t *task) hasBuilds(tag string, r *koji.Repo, nvrs []string) (bool, error) {
	if len(nvrs) == 0 {
		return true, nil
	}
	ev := r.CreateEvent
	lb, err := t.e.h.GetLatestBuilds(t.ctx, koji.ByName(tag), koji.GetLatestBuildsOpts{Event: &ev})
	if err != nil {
		return false, err
	}
	have := map[string]bool{}
	for _, b := range lb {
		have[b.NVR] = true
	}
	for _, n := range nvrs {
		if !have[n] {
			return false, nil
		}
	}
	return true, nil
}
