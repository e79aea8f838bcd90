// Package downloadtask implements `osg-koji download-task` (the RPMs, and
// with --logs the logs, a build task and its children wrote) and
// `osg-koji download-logs` (the logs of tasks or of a build's task tree).
package downloadtask

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/osg-htc/osg-build-go/internal/atomicfile"
	"github.com/osg-htc/osg-build-go/internal/cmd/koji/shared"
	"github.com/osg-htc/osg-build-go/internal/cmdutil"
	"github.com/osg-htc/osg-build-go/pkg/koji"
)

// TaskOptions are the options of download-task.
type TaskOptions struct {
	shared.Common
	TaskID       int
	Arches       []string
	Logs         bool
	TopURL       string
	NoWait       bool
	All          bool
	DirPerTask   bool
	ParentOnly   bool
	Filter, Skip []string
	Dir          string // where to write (the current directory)
}

// NewCmdDownloadTask returns the download-task command.
func NewCmdDownloadTask(f *cmdutil.Factory, runF func(*TaskOptions) error) *cobra.Command {
	opts := &TaskOptions{Common: shared.NewCommon(f)}
	var noProgress bool
	cmd := &cobra.Command{
		Use:   "download-task <task_id>",
		Short: "Download the RPMs (and logs) a build task wrote",
		Long: `Download the output of a task and its children into the current directory,
as koji download-task does: the RPMs of build and buildArch tasks (--arch:
only those arches), with --logs also the logs (named NAME.ARCH.log), with --all
every file of every task. --filter and --skip keep or drop files by regular
expression; --dirpertask writes each task's files into a directory named by
its id; --parentonly takes only the task's own files. A task still running is
watched to the end first (--nowait: refuse instead). From the embedded hub the
files are copied from its topdir; from a Koji hub they are fetched from the
topurl (or --topurl). Each file is written under a temporary name.`,
		Example: "$ osg-koji download-task 12345\n$ osg-koji download-task --arch x86_64 --logs 12345",
		Args:    shared.RangeArgs(1, 1, "please specify one task ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := strconv.Atoi(args[0])
			if err != nil {
				return cmdutil.FlagErrorf("task id must be a number: %q", args[0])
			}
			opts.TaskID = id
			if noProgress {
				opts.IO.SetNoProgress(true)
			}
			if len(opts.Filter) > 0 && len(opts.Skip) > 0 {
				return cmdutil.FlagErrorf("only --filter or --skip may be given, not both")
			}
			if runF != nil {
				return runF(opts)
			}
			return taskRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringSliceVar(&opts.Arches, "arch", nil, "only the packages of `arch` (repeatable, or comma-separated)")
	cmd.Flags().BoolVar(&opts.Logs, "logs", false, "also download the logs")
	cmd.Flags().StringVar(&opts.TopURL, "topurl", "", "the `URL` of the hub's files (default: the config's topurl)")
	cmd.Flags().BoolVar(&opts.NoWait, "nowait", false, "do not wait for a running task: refuse")
	cmd.Flags().Bool("wait", true, "wait for a running task to finish (the default)")
	cmd.Flags().BoolVar(&noProgress, "noprogress", false, "do not show a progress bar")
	cmd.Flags().BoolVar(&opts.All, "all", false, "every file of every task, not only build and buildArch RPMs")
	cmd.Flags().BoolVar(&opts.DirPerTask, "dirpertask", false, "write each task's files into a directory named by its id")
	cmd.Flags().BoolVar(&opts.ParentOnly, "parentonly", false, "only the task's own files, not its children's")
	cmd.Flags().StringArrayVar(&opts.Filter, "filter", nil, "only files matching the `regex` (repeatable: all must match)")
	cmd.Flags().StringArrayVar(&opts.Skip, "skip", nil, "skip files matching the `regex` (repeatable)")
	shared.AddJSONFlag(cmd, &opts.Common)
	return cmd
}

// download is one file to fetch: the task's file and where it goes.
type download struct {
	TaskID int    `json:"task_id"`
	File   string `json:"file"`
	Volume string `json:"volume"`
	Dest   string `json:"dest"`
}

// taskRelPath is koji.PathInfo's work(volume)/taskrelpath(id)/file.
func taskRelPath(id int, volume, file string) string {
	p := path.Join("work", "tasks", strconv.Itoa(id%10000), strconv.Itoa(id), file)
	if volume != "" && volume != "DEFAULT" {
		p = path.Join("vol", volume, p)
	}
	return p
}

// fileType is koji's: "src.rpm", else the part after the last dot.
func fileType(name string) string {
	if strings.HasSuffix(name, "src.rpm") {
		return "src.rpm"
	}
	if i := strings.LastIndex(name, "."); i >= 0 {
		return name[i+1:]
	}
	return ""
}

func compileAll(exprs []string, flag string) ([]*regexp.Regexp, error) {
	var out []*regexp.Regexp
	for _, e := range exprs {
		re, err := regexp.Compile(e)
		if err != nil {
			return nil, cmdutil.FlagErrorf("%s %q: %v", flag, e, err)
		}
		out = append(out, re)
	}
	return out, nil
}

// selectFiles is koji download-task's choice of files and names.
func selectFiles(opts *TaskOptions, tasks []koji.TaskInfo, outputs map[int][]koji.TaskOutputFile) ([]download, error) {
	filters, err := compileAll(opts.Filter, "--filter")
	if err != nil {
		return nil, err
	}
	skips, err := compileAll(opts.Skip, "--skip")
	if err != nil {
		return nil, err
	}
	var arches []string
	for _, a := range opts.Arches {
		arches = append(arches, strings.Split(a, ",")...)
	}
	var out []download
	for _, t := range tasks {
		buildMethod := t.Method == "build" || t.Method == "buildArch"
		tid := strconv.Itoa(t.ID)
		for _, f := range outputs[t.ID] {
			name := f.Name
			if !allMatch(filters, name) || anyMatch(skips, name) {
				continue
			}
			ft := fileType(name)
			isRPM := ft == "rpm" || ft == "src.rpm"
			add := func(dest string) {
				if opts.DirPerTask {
					dest = tid + "/" + name
				}
				vols := f.Volumes
				if len(vols) == 0 {
					vols = []string{"DEFAULT"}
				}
				for _, v := range vols {
					out = append(out, download{TaskID: t.ID, File: name, Volume: v, Dest: dest})
				}
			}
			switch {
			case opts.All && !(buildMethod && isRPM):
				if ft != "log" {
					dest := name
					if !strings.Contains(name, t.Arch) && ft != "src.rpm" {
						dest = strings.TrimSuffix(name, "."+ft) + "." + t.Arch + "." + ft
					}
					add(dest)
				}
			case buildMethod && isRPM:
				parts := strings.Split(name, ".")
				arch := ""
				if len(parts) >= 2 {
					arch = parts[len(parts)-2]
				}
				if len(arches) == 0 || slices.Contains(arches, arch) {
					add(name)
				}
			}
			if ft == "log" && opts.Logs {
				dest := name
				if !strings.Contains(name, t.Arch) {
					dest = strings.TrimSuffix(name, ".log") + "." + t.Arch + ".log"
				}
				add(dest)
			}
		}
	}
	return out, nil
}

func allMatch(res []*regexp.Regexp, s string) bool {
	for _, re := range res {
		if !re.MatchString(s) {
			return false
		}
	}
	return true
}

func anyMatch(res []*regexp.Regexp, s string) bool {
	for _, re := range res {
		if re.MatchString(s) {
			return true
		}
	}
	return false
}

func taskRun(ctx context.Context, opts *TaskOptions) error {
	h, err := opts.Open(ctx)
	if err != nil {
		return err
	}
	base, err := h.GetTaskInfo(ctx, opts.TaskID, koji.GetTaskInfoOpts{})
	if err != nil {
		return err
	}
	if base == nil {
		return fmt.Errorf("no such task: %d", opts.TaskID)
	}
	if !base.State.Finished() && !opts.NoWait {
		opts.Statusf("Task %d is %s: watching it to the end (--nowait to refuse instead)\n", base.ID, base.State)
		if err := opts.WaitTasks(ctx, h, []int{base.ID}); err != nil {
			var ee *cmdutil.ExitError
			if !errors.As(err, &ee) {
				return err
			}
		}
		if base, err = h.GetTaskInfo(ctx, opts.TaskID, koji.GetTaskInfoOpts{}); err != nil {
			return err
		}
	}
	tasks := []koji.TaskInfo{*base}
	if !opts.ParentOnly {
		children, err := h.GetTaskChildren(ctx, base.ID, koji.GetTaskChildrenOpts{})
		if err != nil {
			return err
		}
		tasks = append(tasks, children...)
	}
	sort.Slice(tasks, func(i, j int) bool { return tasks[i].ID < tasks[j].ID })
	for _, t := range tasks {
		if t.State == koji.TaskClosed {
			continue
		}
		what := "Task"
		if t.ID != base.ID {
			what = "Child task"
		}
		switch t.State {
		case koji.TaskFailed:
			return &cmdutil.ExitError{Code: cmdutil.ExitTaskFailed, Err: fmt.Errorf("%s %d failed: its logs are fetched with osg-koji download-logs %d", what, t.ID, t.ID)}
		case koji.TaskCanceled:
			return &cmdutil.ExitError{Code: cmdutil.ExitTaskFailed, Err: fmt.Errorf("%s %d was canceled", what, t.ID)}
		default:
			return fmt.Errorf("%s %d has not finished yet (%s)", what, t.ID, t.State)
		}
	}
	outputs := map[int][]koji.TaskOutputFile{}
	for _, t := range tasks {
		files, err := h.ListTaskOutput(ctx, t.ID, koji.ListTaskOutputOpts{AllVolumes: true})
		if err != nil {
			return err
		}
		outputs[t.ID] = files
	}
	downloads, err := selectFiles(opts, tasks, outputs)
	if err != nil {
		return err
	}
	if len(downloads) == 0 {
		if opts.JSON {
			return opts.WriteJSON([]download{})
		}
		opts.Printf("No files for download found.\n")
		return nil
	}
	fetch, err := opts.Fetcher(h, opts.TopURL)
	if err != nil {
		return err
	}
	dir := opts.Dir
	if dir == "" {
		dir = "."
	}
	type key struct{ dest, volume string }
	done := map[key]bool{}
	dup := false
	var written []download
	for i, d := range downloads {
		if strings.Contains(d.File, "..") {
			return fmt.Errorf("invalid file name from the hub: %s", d.File)
		}
		dest := d.Dest
		if d.Volume != "" && d.Volume != "DEFAULT" {
			if opts.DirPerTask {
				dest = path.Join(strconv.Itoa(d.TaskID), d.Volume, d.File)
			} else {
				dest = path.Join(d.Volume, dest)
			}
		}
		if done[key{dest, d.Volume}] {
			opts.Statusf("Downloading [%d/%d]: %s\nFile %s already downloaded, skipping\n", i+1, len(downloads), dest, dest)
			dup = true
			continue
		}
		done[key{dest, d.Volume}] = true
		opts.Statusf("Downloading [%d/%d]: %s\n", i+1, len(downloads), dest)
		target := filepath.Join(dir, filepath.FromSlash(dest))
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			return err
		}
		rel := taskRelPath(d.TaskID, d.Volume, d.File)
		if err := atomicfile.Write(target, func(w io.Writer) error { return fetch(ctx, rel, w) }); err != nil {
			return fmt.Errorf("download %s of task %d: %w", d.File, d.TaskID, err)
		}
		d.Dest = dest
		written = append(written, d)
	}
	if dup {
		opts.Statusf("warning: duplicate files; to download all of them use --dirpertask\n")
	}
	if opts.JSON {
		return opts.WriteJSON(written)
	}
	return nil
}
