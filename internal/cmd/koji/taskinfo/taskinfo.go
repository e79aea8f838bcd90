// Package taskinfo implements `osg-koji taskinfo`.
package taskinfo

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/osg-htc/osg-build-go/internal/cmd/koji/shared"
	"github.com/osg-htc/osg-build-go/internal/cmdutil"
	"github.com/osg-htc/osg-build-go/pkg/koji"
)

// TaskInfoOptions are the options of taskinfo.
type TaskInfoOptions struct {
	shared.Common
	IDs     []int
	Recurse bool
	Verbose bool
}

// NewCmdTaskInfo returns the taskinfo command.
func NewCmdTaskInfo(f *cmdutil.Factory, runF func(*TaskInfoOptions) error) *cobra.Command {
	opts := &TaskInfoOptions{Common: shared.NewCommon(f)}
	cmd := &cobra.Command{
		Use:   "taskinfo <task-id>...",
		Short: "Show a task's type, owner, state, times, build and files",
		Long: `Print koji's taskinfo block for each task ("Task:", "Type:", "Owner:",
"State:", "Created:", ...), with -v its request parameters and with -r its
children, indented.`,
		Example: "$ osg-koji taskinfo -r 1234",
		Args:    shared.MinArgs(1, "you must specify at least one task ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.IDs = nil
			for _, a := range args {
				id, err := strconv.Atoi(a)
				if err != nil || id <= 0 {
					return cmdutil.FlagErrorf("invalid task id %q: want a positive number", a)
				}
				opts.IDs = append(opts.IDs, id)
			}
			if runF != nil {
				return runF(opts)
			}
			return taskInfoRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVarP(&opts.Recurse, "recurse", "r", false, "show children of the task as well")
	cmd.Flags().BoolVarP(&opts.Verbose, "verbose", "v", false, "show the request parameters")
	shared.AddJSONFlag(cmd, &opts.Common)
	return cmd
}

type taskJSON struct {
	Task     *koji.TaskInfo `xmlrpc:"task"`
	Owner    string         `xmlrpc:"owner_name"`
	Builds   []koji.Build   `xmlrpc:"builds"`
	Files    []string       `xmlrpc:"files"`
	Children []taskJSON     `xmlrpc:"children"`
}

func taskInfoRun(ctx context.Context, opts *TaskInfoOptions) error {
	h, err := opts.Open(ctx)
	if err != nil {
		return err
	}
	var all []taskJSON
	for i, id := range opts.IDs {
		if i > 0 && !opts.JSON {
			opts.Printf("\n")
		}
		t, err := printTask(ctx, opts, h, id, 0)
		if err != nil {
			return err
		}
		all = append(all, t)
	}
	if opts.JSON {
		return opts.WriteJSON(all)
	}
	return nil
}

func printTask(ctx context.Context, opts *TaskInfoOptions, h koji.Hub, id, level int) (taskJSON, error) {
	t, err := h.GetTaskInfo(ctx, id, koji.GetTaskInfoOpts{Request: true})
	if err != nil {
		return taskJSON{}, err
	}
	if t == nil {
		return taskJSON{}, fmt.Errorf("no such task: %d", id)
	}
	out := taskJSON{Task: t, Children: []taskJSON{}}
	owner, err := h.GetUser(ctx, koji.ByID(t.Owner), koji.GetUserOpts{})
	if err != nil {
		return out, err
	}
	if owner != nil {
		out.Owner = owner.Name
	}
	if out.Builds, err = h.ListBuilds(ctx, koji.ListBuildsOpts{TaskID: &id}); err != nil {
		return out, err
	}
	files, err := h.ListTaskOutput(ctx, id, koji.ListTaskOutputOpts{})
	if err != nil {
		return out, err
	}
	base := fmt.Sprintf("%s/work/tasks/%d/%d/", strings.TrimRight(cmdutil.HubTopDir(h), "/"), id%10000, id)
	var logs, output []string
	for _, f := range files {
		out.Files = append(out.Files, f.Name)
		if strings.HasSuffix(f.Name, ".log") {
			logs = append(logs, base+f.Name)
		} else {
			output = append(output, base+f.Name)
		}
	}
	if !opts.JSON {
		ind := strings.Repeat("  ", level)
		p := func(format string, args ...any) { opts.Printf(ind+format+"\n", args...) }
		p("Task: %d", t.ID)
		p("Type: %s", t.Method)
		if opts.Verbose {
			p("Request Parameters:")
			for _, l := range requestLines(ctx, h, t) {
				p("  %s", l)
			}
		}
		p("Owner: %s", out.Owner)
		p("State: %s", strings.ToLower(t.State.String()))
		p("Created: %s", shared.ASCTime(t.CreateTS))
		if t.StartTS != nil {
			p("Started: %s", shared.ASCTime(*t.StartTS))
		}
		if t.CompletionTS != nil {
			p("Finished: %s", shared.ASCTime(*t.CompletionTS))
		}
		if t.HostID != nil {
			if v, err := h.Call(ctx, "getHost", []any{*t.HostID}, nil); err == nil {
				if m, ok := v.(map[string]any); ok {
					p("Host: %v", m["name"])
				}
			}
		}
		if len(out.Builds) > 0 {
			p("Build: %s (%d)", out.Builds[0].NVR, out.Builds[0].BuildID)
		}
		if len(logs) > 0 {
			p("Log Files:")
			for _, l := range logs {
				p("  %s", l)
			}
		}
		if len(output) > 0 {
			p("Output:")
			for _, l := range output {
				p("  %s", l)
			}
		}
	}
	if opts.Recurse {
		children, err := h.GetTaskChildren(ctx, id, koji.GetTaskChildrenOpts{})
		if err != nil {
			return out, err
		}
		sort.Slice(children, func(i, j int) bool { return children[i].ID < children[j].ID })
		for _, c := range children {
			cj, err := printTask(ctx, opts, h, c.ID, level+1)
			if err != nil {
				return out, err
			}
			out.Children = append(out.Children, cj)
		}
	}
	return out, nil
}

// requestLines describes the request as koji's _parseTaskParams does for
// the common methods, else one line per parameter.
func requestLines(ctx context.Context, h koji.Hub, t *koji.TaskInfo) []string {
	params := t.RequestParams()
	name := func(get func() (string, bool), fallback any) string {
		if s, ok := get(); ok {
			return s
		}
		return fmt.Sprint(fallback)
	}
	switch {
	case t.Method == "tagBuild" && len(params) >= 2:
		tag := name(func() (string, bool) {
			tg, err := h.GetTag(ctx, refOf(params[0]), koji.GetTagOpts{})
			if err != nil || tg == nil {
				return "", false
			}
			return tg.Name, true
		}, params[0])
		build := name(func() (string, bool) {
			b, err := h.GetBuild(ctx, refOf(params[1]), koji.GetBuildOpts{})
			if err != nil || b == nil {
				return "", false
			}
			return b.NVR, true
		}, params[1])
		return []string{"Destination Tag: " + tag, "Build: " + build}
	case t.Method == "build" && len(params) >= 2:
		return []string{fmt.Sprintf("Source: %v", params[0]), fmt.Sprintf("Build Target: %v", params[1])}
	case t.Method == "newRepo" && len(params) >= 1:
		return []string{fmt.Sprintf("Tag: %v", params[0])}
	}
	var lines []string
	for i, p := range params {
		lines = append(lines, fmt.Sprintf("%d: %s", i, shared.PyRepr(p)))
	}
	return lines
}

func refOf(v any) koji.Ref {
	r, err := koji.RefOf(v)
	if err != nil {
		return koji.Ref{}
	}
	return r
}
