// Package listtasks implements `osg-koji list-tasks`.
package listtasks

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/osg-htc/osg-build-go/internal/cmd/koji/shared"
	"github.com/osg-htc/osg-build-go/internal/cmdutil"
	"github.com/osg-htc/osg-build-go/internal/kojibuild"
	"github.com/osg-htc/osg-build-go/pkg/koji"
)

// ListTasksOptions are the options of list-tasks.
type ListTasksOptions struct {
	shared.Common
	Mine   bool
	User   string
	Arches []string
	Method string
	All    bool
}

// NewCmdListTasks returns the list-tasks command.
func NewCmdListTasks(f *cmdutil.Factory, runF func(*ListTasksOptions) error) *cobra.Command {
	opts := &ListTasksOptions{Common: shared.NewCommon(f)}
	cmd := &cobra.Command{
		Use:   "list-tasks",
		Short: "Print the open tasks, as trees",
		Long: `Print the tasks that are free, open or assigned (--all: in any state), by
priority then creation time, each with its subtasks below it, in koji
list-tasks's columns: ID, Pri, Owner, State, Arch, Name.`,
		Example: "$ osg-koji list-tasks --mine\n$ osg-koji list-tasks --all --method build",
		Args:    shared.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.Mine && opts.User != "" {
				return cmdutil.FlagErrorf("--mine and --user cannot be used together")
			}
			if runF != nil {
				return runF(opts)
			}
			return listTasksRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.Mine, "mine", false, "only the tasks of the logged-in user")
	cmd.Flags().StringVar(&opts.User, "user", "", "only the tasks of `USER`")
	cmd.Flags().StringSliceVar(&opts.Arches, "arch", nil, "only the tasks of `ARCH` (comma-separated or repeated)")
	cmd.Flags().StringVar(&opts.Method, "method", "", "only the tasks of `METHOD` (build, buildArch, newRepo, ...)")
	cmd.Flags().BoolVar(&opts.All, "all", false, "tasks in any state, not only the unfinished ones")
	shared.AddJSONFlag(cmd, &opts.Common)
	return cmd
}

func listTasksRun(ctx context.Context, opts *ListTasksOptions) error {
	h, err := opts.Open(ctx)
	if err != nil {
		return err
	}
	q := &koji.TaskQuery{Decode: true, Method: opts.Method, Arch: opts.Arches}
	if !opts.All {
		q.State = []koji.TaskState{koji.TaskFree, koji.TaskOpen, koji.TaskAssigned}
	}
	switch {
	case opts.Mine:
		if err := cmdutil.EnsureLogin(ctx, h); err != nil {
			return err
		}
		u, err := h.GetLoggedInUser(ctx)
		if err != nil {
			return err
		}
		if u == nil {
			return fmt.Errorf("--mine: not logged in")
		}
		q.Owner = []int{u.ID}
	case opts.User != "":
		u, err := shared.FindUser(ctx, h, opts.User)
		if err != nil {
			return err
		}
		q.Owner = []int{u.ID}
	}
	tasks, err := h.ListTasks(ctx, koji.ListTasksOpts{Opts: q, QueryOpts: &koji.QueryOpts{Order: "priority,create_time"}})
	if err != nil {
		return err
	}
	if opts.JSON {
		return opts.WriteJSON(tasks)
	}
	if len(tasks) == 0 {
		if !opts.Quiet() {
			opts.Printf("(no tasks)\n")
		}
		return nil
	}
	// Thread the tasks: a subtask whose parent is listed goes below it.
	byID := map[int]int{}
	for i, t := range tasks {
		byID[t.ID] = i
	}
	children := map[int][]int{}
	sub := make([]bool, len(tasks))
	for i, t := range tasks {
		if t.Parent != nil {
			if p, ok := byID[*t.Parent]; ok {
				children[p] = append(children[p], i)
				sub[i] = true
			}
		}
	}
	if !opts.Quiet() {
		opts.Printf("ID       Pri  Owner                State    Arch       Name\n")
	}
	var print func(i, depth int)
	print = func(i, depth int) {
		t := &tasks[i]
		owner := ""
		if t.OwnerName != nil {
			owner = *t.OwnerName
		}
		indent := ""
		if depth > 0 {
			indent = strings.Repeat("  ", depth-1) + " +"
		}
		opts.Printf("%-8d %-4d %-20s %-8s %-10s %s%s\n", t.ID, t.Priority, owner, t.State, t.Arch, indent, kojibuild.TaskLabel(t))
		for _, c := range children[i] {
			print(c, depth+1)
		}
	}
	for i := range tasks {
		if !sub[i] {
			print(i, 0)
		}
	}
	return nil
}
