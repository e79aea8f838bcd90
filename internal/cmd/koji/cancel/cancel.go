// Package cancel implements `osg-koji cancel`: cancel tasks (by id) and
// builds (by N-V-R), as koji cancel does.
package cancel

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/osg-htc/osg-build-go/internal/cmd/koji/shared"
	"github.com/osg-htc/osg-build-go/internal/cmdutil"
	"github.com/osg-htc/osg-build-go/pkg/koji"
)

// CancelOptions are the options of cancel.
type CancelOptions struct {
	shared.Common
	Targets []string // task ids and build N-V-Rs
	JustOne bool
	Full    bool
}

// NewCmdCancel returns the cancel command.
func NewCmdCancel(f *cmdutil.Factory, runF func(*CancelOptions) error) *cobra.Command {
	opts := &CancelOptions{Common: shared.NewCommon(f)}
	cmd := &cobra.Command{
		Use:   "cancel <task_id|build> [<task_id|build>...]",
		Short: "Cancel tasks and builds",
		Long: `Cancel tasks (by id) and their subtasks, and builds (by N-V-R) with their whole
task tree; a build canceled this way is CANCELED. The task's owner or an admin
may cancel it. Every argument is tried; one that fails is reported and the
exit status is 1.`,
		Example: "$ osg-koji cancel 1234\n$ osg-koji cancel osg-ce-25-1.osg25.el9",
		Args:    shared.MinArgs(1, "you must specify at least one task id or build"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Targets = args
			if opts.JustOne && opts.Full {
				return cmdutil.FlagErrorf("--justone and --full cannot be used together")
			}
			if runF != nil {
				return runF(opts)
			}
			return cancelRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.JustOne, "justone", false, "do not cancel subtasks")
	cmd.Flags().BoolVar(&opts.Full, "full", false, "cancel the whole task tree, from its top (as --full; admin on Koji)")
	cmd.Flags().Bool("force", false, "accepted for koji compatibility")
	return cmd
}

func cancelRun(ctx context.Context, opts *CancelOptions) error {
	h, err := opts.OpenForWrite(ctx)
	if err != nil {
		return err
	}
	failed := 0
	for _, arg := range opts.Targets {
		if err := cancelOne(ctx, h, opts, arg); err != nil {
			failed++
			var f *koji.Fault
			if errors.As(err, &f) {
				err = errors.New(f.String)
			}
			fmt.Fprintf(opts.IO.ErrOut, "error: cannot cancel %s: %v\n", arg, err)
		}
	}
	if failed > 0 {
		return cmdutil.ErrSilent
	}
	return nil
}

func cancelOne(ctx context.Context, h koji.Hub, opts *CancelOptions, arg string) error {
	id, err := strconv.Atoi(arg)
	if err != nil {
		ok, err := h.CancelBuild(ctx, shared.Ref(arg), koji.CancelBuildOpts{})
		if err == nil && !ok {
			err = fmt.Errorf("build %s is not in progress", arg)
		}
		return err
	}
	if opts.Full {
		// cancelTaskFull: the tree from its top
		for {
			ti, err := h.GetTaskInfo(ctx, id, koji.GetTaskInfoOpts{})
			if err != nil {
				return err
			}
			if ti == nil {
				return fmt.Errorf("no such task: %d", id)
			}
			if ti.Parent == nil {
				break
			}
			id = *ti.Parent
		}
	}
	recurse := !opts.JustOne
	return h.CancelTask(ctx, id, koji.CancelTaskOpts{Recurse: &recurse})
}
