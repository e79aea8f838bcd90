package promote

import (
	"context"
	"fmt"
	"io"
	"sort"

	"github.com/osg-htc/osg-build-go/internal/kojibuild"
	"github.com/osg-htc/osg-build-go/internal/xmlrpc"
	"github.com/osg-htc/osg-build-go/pkg/koji"
)

// TagOptions are the inputs of Tag.
type TagOptions struct {
	// DryRun prints the calls instead of making them.
	DryRun bool
	// Regen regenerates the repos of the destination tags afterwards.
	Regen bool
	// Out receives osg-promote's progress lines.
	Out io.Writer
	// Watch watches tasks to their end (a kojibuild.Watcher's Watch).
	Watch func(ctx context.Context, ids []int) (*kojibuild.Result, error)
}

// Outcome is what Tag did.
type Outcome struct {
	Promoted []Promotion
	Skipped  []Promotion
	// Failed are the promotions whose tagBuild was refused or whose task
	// did not end CLOSED, with the reason.
	Failed []Failure
	// RegenFailed are the destination tags whose newRepo failed.
	RegenFailed []string
	// Requests is the number of hub requests made (not counting the polls
	// of Watch).
	Requests int
}

// Failure is a promotion that did not land.
type Failure struct {
	Promotion
	Err string
}

// Tag tags the plan's builds: builds already in their destination tag are
// skipped, the other tagBuild calls go in one multiCall (in batches for
// very large plans), and the tasks are watched together. A build that fails
// to tag is reported; the others still land.
func Tag(ctx context.Context, h koji.Hub, p *Plan, o TagOptions) (*Outcome, error) {
	out := &Outcome{}
	fmt.Fprintln(o.Out, "--- Tagging builds")
	var todo []Promotion
	for _, pr := range p.Promotions {
		if pr.Tagged {
			fmt.Fprintf(o.Out, "Skipping %s, already in %s\n", pr.Build.NVR, pr.ToTag)
			out.Skipped = append(out.Skipped, pr)
			continue
		}
		todo = append(todo, pr)
	}
	if o.DryRun {
		for _, pr := range todo {
			fmt.Fprintf(o.Out, "tagBuild('%s', '%s')\n", pr.ToTag, pr.Build.NVR)
		}
		out.Promoted = todo
		if o.Regen {
			for _, t := range p.ToTags() {
				fmt.Fprintf(o.Out, "newRepo('%s')\n", t)
			}
		}
		return out, nil
	}
	if len(todo) > 0 {
		calls := make([]koji.Call, len(todo))
		for i, pr := range todo {
			calls[i] = koji.Call{Method: "tagBuild", Args: []any{pr.ToTag, pr.Build.ID}}
		}
		res, err := h.MultiCall(ctx, calls, koji.MultiCallOpts{Batch: multiCallBatch})
		if err != nil {
			return out, fmt.Errorf("tagging the builds: %w", err)
		}
		out.Requests += (len(calls) + multiCallBatch - 1) / multiCallBatch
		tasks := map[int]Promotion{}
		var ids []int
		for i, r := range res {
			if r.Fault != nil {
				out.Failed = append(out.Failed, Failure{todo[i], r.Fault.Error()})
				continue
			}
			var id int
			if err := xmlrpc.Unmarshal(r.Value, &id); err != nil {
				out.Failed = append(out.Failed, Failure{todo[i], fmt.Sprintf("tagBuild answered %v", r.Value)})
				continue
			}
			tasks[id] = todo[i]
			ids = append(ids, id)
		}
		if len(ids) > 0 {
			wr, err := o.Watch(ctx, ids)
			if err != nil {
				return out, err
			}
			var failedIDs []int
			for _, id := range ids {
				if t := wr.Tasks[id]; t != nil && t.State == koji.TaskClosed {
					out.Promoted = append(out.Promoted, tasks[id])
				} else {
					failedIDs = append(failedIDs, id)
				}
			}
			reasons := taskFaults(ctx, h, failedIDs, out)
			for _, id := range failedIDs {
				out.Failed = append(out.Failed, Failure{tasks[id], reasons[id]})
			}
		}
	}
	sort.SliceStable(out.Failed, func(i, j int) bool { return out.Failed[i].Build.NVR < out.Failed[j].Build.NVR })
	for _, f := range out.Failed {
		fmt.Fprintf(o.Out, "* Error promoting build %s", f.Build.NVR)
		if f.Err != "" {
			fmt.Fprintf(o.Out, " into %s: %s", f.ToTag, f.Err)
		}
		fmt.Fprintln(o.Out)
	}
	if o.Regen && len(out.Promoted) > 0 {
		fmt.Fprintln(o.Out, "--- Regenerating repos")
		if err := regen(ctx, h, out, o); err != nil {
			return out, err
		}
	}
	return out, nil
}

// taskFaults reads why the tasks failed, in one multiCall.
func taskFaults(ctx context.Context, h koji.Hub, ids []int, out *Outcome) map[int]string {
	reasons := map[int]string{}
	if len(ids) == 0 {
		return reasons
	}
	calls := make([]koji.Call, len(ids))
	for i, id := range ids {
		calls[i] = koji.Call{Method: "getTaskResult", Args: []any{id}}
	}
	res, err := h.MultiCall(ctx, calls, koji.MultiCallOpts{Batch: multiCallBatch})
	out.Requests++
	for i, id := range ids {
		switch {
		case err != nil:
			reasons[id] = "task did not succeed"
		case res[i].Fault != nil:
			reasons[id] = res[i].Fault.Error()
		default:
			reasons[id] = "task did not succeed"
		}
	}
	return reasons
}

// regen makes a newRepo task for each destination tag that got builds and
// watches them.
func regen(ctx context.Context, h koji.Hub, out *Outcome, o TagOptions) error {
	set := map[string]bool{}
	for _, pr := range out.Promoted {
		set[pr.ToTag] = true
	}
	tags := sortedKeys(set)
	calls := make([]koji.Call, len(tags))
	for i, t := range tags {
		calls[i] = koji.Call{Method: "newRepo", Args: []any{t}}
	}
	res, err := h.MultiCall(ctx, calls, koji.MultiCallOpts{})
	if err != nil {
		return fmt.Errorf("regenerating the repos: %w", err)
	}
	out.Requests++
	var ids []int
	byID := map[int]string{}
	for i, r := range res {
		var id int
		if r.Fault != nil || xmlrpc.Unmarshal(r.Value, &id) != nil {
			msg := "newRepo failed"
			if r.Fault != nil {
				msg = r.Fault.Error()
			}
			fmt.Fprintf(o.Out, "* Error regenerating the repo of %s: %s\n", tags[i], msg)
			out.RegenFailed = append(out.RegenFailed, tags[i])
			continue
		}
		ids = append(ids, id)
		byID[id] = tags[i]
	}
	if len(ids) == 0 {
		return nil
	}
	wr, err := o.Watch(ctx, ids)
	if err != nil {
		return err
	}
	for _, id := range ids {
		if t := wr.Tasks[id]; t == nil || t.State != koji.TaskClosed {
			fmt.Fprintf(o.Out, "* Error regenerating the repo of %s (task %d)\n", byID[id], id)
			out.RegenFailed = append(out.RegenFailed, byID[id])
		}
	}
	return nil
}
