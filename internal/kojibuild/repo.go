package kojibuild

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/osg-htc/osg-build-go/pkg/koji"
)

// TaskRunner is implemented by an in-process hub that runs its own tasks
// (the embedded hub's task engine, pkg/hub/engine): the watcher runs the
// watched tasks beside its polls so that `--hub local` builds finish while
// watched, and the repo waiter runs the pending tasks (repo regenerations)
// before each poll.
type TaskRunner interface {
	RunTasks(ctx context.Context, ids ...int) error
}

// runEngine runs an in-process hub's pending tasks, when h has an engine.
func runEngine(ctx context.Context, h koji.Hub) error {
	if r, ok := h.(TaskRunner); ok {
		return r.RunTasks(ctx)
	}
	return nil
}

// WaitOptions control WaitRepo.
type WaitOptions struct {
	// Builds are NVRs that must be in the repo.
	Builds   []string
	Timeout  time.Duration // 0: 120 minutes, as koji wait-repo
	Interval time.Duration // 0: 6 s
	Now      func() time.Time
	Sleep    func(ctx context.Context, d time.Duration) error
	// Status receives progress lines (nil: none).
	Status io.Writer
}

// TimeoutError is a wait that ran out of time.
type TimeoutError struct{ Msg string }

func (e *TimeoutError) Error() string { return e.Msg }

// WaitRepo waits until tag has a READY repo that contains the builds: its
// create_event is at or after the event that tagged each build into tag
// (directly or by inheritance). Without builds it waits for a repo made at
// or after the tag's last change (tagLastChangeEvent, hub ≥ 1.35), or, on
// hubs without that call, for a repo newer than the current one.
func WaitRepo(ctx context.Context, h koji.Hub, tag string, o WaitOptions) (*koji.Repo, error) {
	now := o.Now
	if now == nil {
		now = time.Now
	}
	sleep := o.Sleep
	if sleep == nil {
		sleep = sleepCtx
	}
	interval := o.Interval
	if interval <= 0 {
		interval = 6 * time.Second
	}
	timeout := o.Timeout
	if timeout <= 0 {
		timeout = 120 * time.Minute
	}
	status := o.Status
	if status == nil {
		status = io.Discard
	}
	start := now()
	deadline := start.Add(timeout)
	t, err := h.GetTag(ctx, koji.ByName(tag), koji.GetTagOpts{})
	if err != nil {
		return nil, fmt.Errorf("getTag(%s): %w", tag, err)
	}
	if t == nil {
		return nil, fmt.Errorf("no such tag: %s (check the name with `osg-build osg-koji list-tags`)", tag)
	}
	// The builds' names, to look them up in the tag.
	names := map[string]string{}
	for _, nvr := range o.Builds {
		b, err := h.GetBuild(ctx, koji.ByName(nvr), koji.GetBuildOpts{})
		if err != nil {
			return nil, fmt.Errorf("getBuild(%s): %w", nvr, err)
		}
		if b == nil {
			return nil, fmt.Errorf("no such build: %s", nvr)
		}
		names[nvr] = b.Name
	}
	minEvent, oldRepo := -1, -1
	if len(o.Builds) == 0 {
		if v, err := h.Call(ctx, "tagLastChangeEvent", []any{t.ID}, nil); err == nil {
			if n, ok := v.(int64); ok {
				minEvent = int(n)
			}
		} else if !koji.IsInvalidMethod(err) {
			return nil, fmt.Errorf("tagLastChangeEvent(%s): %w", tag, err)
		}
		if minEvent < 0 {
			cur, err := h.GetRepo(ctx, koji.ByID(t.ID), koji.GetRepoOpts{})
			if err != nil {
				return nil, fmt.Errorf("getRepo(%s): %w", tag, err)
			}
			if cur != nil {
				oldRepo = cur.ID
			}
		}
	}
	tagged := map[string]int{} // nvr -> tagging event
	announced := false
	for {
		if err := runEngine(ctx, h); err != nil {
			return nil, err
		}
		for _, nvr := range o.Builds {
			if _, ok := tagged[nvr]; ok {
				continue
			}
			bs, err := h.ListTagged(ctx, koji.ByID(t.ID), koji.ListTaggedOpts{Inherit: true, Package: names[nvr]})
			if err != nil {
				return nil, fmt.Errorf("listTagged(%s, package=%s): %w", tag, names[nvr], err)
			}
			for _, b := range bs {
				if b.NVR == nvr {
					tagged[nvr] = b.CreateEvent
				}
			}
		}
		ready := len(tagged) == len(o.Builds)
		need := minEvent
		for _, ev := range tagged {
			need = max(need, ev)
		}
		if ready {
			if !announced && len(o.Builds) > 0 {
				fmt.Fprintf(status, "%s tagged into %s (event %d); waiting for a repo made at or after it\n", strings.Join(o.Builds, ", "), tag, need)
				announced = true
			}
			r, err := h.GetRepo(ctx, koji.ByID(t.ID), koji.GetRepoOpts{})
			if err != nil {
				return nil, fmt.Errorf("getRepo(%s): %w", tag, err)
			}
			if r != nil && r.CreateEvent >= need && r.ID != oldRepo {
				return r, nil
			}
		}
		if !now().Before(deadline) {
			var missing []string
			for _, nvr := range o.Builds {
				if _, ok := tagged[nvr]; !ok {
					missing = append(missing, nvr)
				}
			}
			if len(missing) > 0 {
				return nil, &TimeoutError{fmt.Sprintf("timed out after %s: %s not tagged into %s", timeout, strings.Join(missing, ", "), tag)}
			}
			return nil, &TimeoutError{fmt.Sprintf("timed out after %s waiting for a new repo of %s: run `osg-build regen-repo %s` (or wait longer with --timeout)", timeout, tag, tag)}
		}
		if err := sleep(ctx, interval); err != nil {
			return nil, err
		}
	}
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// IsTimeout reports whether err is a WaitRepo timeout.
func IsTimeout(err error) bool {
	var t *TimeoutError
	return errors.As(err, &t)
}
