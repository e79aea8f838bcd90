// Package watchtask implements `osg-build watch-task`: resume watching
// tasks (the command printed by `osg-build koji --nowait` and on Ctrl-C).
package watchtask

import (
	"context"
	"fmt"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/osg-htc/osg-build-go/internal/cmd/kojibuild/kbutil"
	"github.com/osg-htc/osg-build-go/internal/cmdutil"
	"github.com/osg-htc/osg-build-go/internal/kojibuild"
	"github.com/osg-htc/osg-build-go/pkg/koji"
)

// WatchTaskOptions are the inputs of watch-task.
type WatchTaskOptions struct {
	kbutil.Common
	IDs []int
}

// NewCmdWatchTask returns the watch-task command.
func NewCmdWatchTask(f *cmdutil.Factory, runF func(context.Context, *WatchTaskOptions) error) *cobra.Command {
	opts := &WatchTaskOptions{Common: kbutil.NewCommon(f)}
	cmd := &cobra.Command{
		Use:   "watch-task TASK-ID...",
		Short: "Watch tasks until they finish",
		Long: `Watch the task trees of the given tasks until every task has finished: a live
tree on a terminal, one line per state change when piped, JSON lines with
--json. Each poll is one multiCall, however many tasks. Ctrl-C stops watching,
not the tasks.

Exit status 3 when a watched task did not end CLOSED.

` + cmdutil.ExitStatusHelp,
		Example: "  osg-build watch-task 1234 1235",
		Args:    cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.ReadGlobals(cmd)
			opts.IDs = nil
			for _, a := range args {
				id, err := strconv.Atoi(a)
				if err != nil || id <= 0 {
					return cmdutil.FlagErrorf("invalid task id %q: want a positive number", a)
				}
				opts.IDs = append(opts.IDs, id)
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return watchTaskRun(cmd.Context(), opts)
		},
	}
	kbutil.AddFlags(cmd, &opts.Common)
	return cmd
}

func watchTaskRun(ctx context.Context, opts *WatchTaskOptions) error {
	h, err := opts.Hub(ctx)
	if err != nil {
		return err
	}
	return WatchAndReport(ctx, &opts.Common, h, opts.IDs)
}

// WatchAndReport watches ids, prints the outcome of each and returns an
// exit-3 error when one did not end CLOSED.
func WatchAndReport(ctx context.Context, c *kbutil.Common, h koji.Hub, ids []int) error {
	out := c.IO.ErrOut
	w := &kojibuild.Watcher{Hub: h, Interval: c.Interval(h), Display: c.Display(), Out: out, Now: c.Now}
	if c.JSON {
		w.Out = c.IO.Out
	}
	res, err := w.Watch(ctx, ids)
	if err != nil {
		if ctx.Err() != nil {
			return c.Exit(&kojibuild.InterruptedError{Tasks: ids, Command: c.WatchCommand()})
		}
		return err
	}
	for _, id := range ids {
		t := res.Tasks[id]
		word := "completed successfully"
		switch t.State {
		case koji.TaskFailed:
			// As koji's watcher: the failure, from the task's result.
			word = "failed"
			if _, err := h.GetTaskResult(ctx, id, koji.GetTaskResultOpts{}); err != nil {
				word = "FAILED: " + err.Error()
			}
		case koji.TaskCanceled:
			word = "was canceled"
		}
		if !c.JSON {
			fmt.Fprintf(out, "%d %s %s\n", id, t.Label, word)
		}
	}
	if f := res.Failed(); len(f) > 0 {
		return cmdutil.WithExit(cmdutil.ExitTaskFailed, fmt.Errorf("%d of %d tasks did not succeed", len(f), len(ids)))
	}
	return nil
}
