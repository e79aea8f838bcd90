package downloadtask

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/osg-htc/osg-build-go/internal/atomicfile"
	"github.com/osg-htc/osg-build-go/internal/cmd/koji/shared"
	"github.com/osg-htc/osg-build-go/internal/cmdutil"
	"github.com/osg-htc/osg-build-go/pkg/koji"
)

// LogsOptions are the options of download-logs.
type LogsOptions struct {
	shared.Common
	Args     []string
	Recurse  bool
	NVR      bool
	Match    []string
	Continue bool
	Dir      string
	TopURL   string
}

// failLog is the file download-logs writes for a failed task: its result.
const failLog = "task_failed.log"

// logChunk is the size of each downloadTaskOutput call, koji's.
const logChunk = 102400

// NewCmdDownloadLogs returns the download-logs command.
func NewCmdDownloadLogs(f *cmdutil.Factory, runF func(*LogsOptions) error) *cobra.Command {
	opts := &LogsOptions{Common: shared.NewCommon(f)}
	cmd := &cobra.Command{
		Use:   "download-logs <task_id>... | --nvr <n-v-r>...",
		Short: "Download the logs of tasks, or of a build's tasks",
		Long: `Download the .log files of tasks into kojilogs/ARCH-TASKID/ (-d: another
directory), as koji download-logs does: with -r/--recurse also the children's,
each in a directory below its parent's; a failed task also gets task_failed.log
with its error. --nvr takes builds instead of tasks and fetches their task
trees (a build imported without a task: its build logs, into DIR/N-V-R/ARCH/).
-m/--match keeps the log names matching a glob (repeatable); -c/--continue
appends to logs downloaded before.`,
		Example: "$ osg-koji download-logs -r 12345\n$ osg-koji download-logs --nvr osg-ce-25-1.osg25.el9 -m 'build.log'",
		Args:    shared.MinArgs(1, "please specify at least one task id or n-v-r"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Args = args
			if runF != nil {
				return runF(opts)
			}
			return logsRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVarP(&opts.Recurse, "recurse", "r", false, "also the logs of the tasks' children")
	cmd.Flags().BoolVar(&opts.NVR, "nvr", false, "the arguments are build N-V-Rs: the logs of their tasks")
	cmd.Flags().StringArrayVarP(&opts.Match, "match", "m", nil, "only log names matching the glob `PATTERN` (repeatable)")
	cmd.Flags().BoolVarP(&opts.Continue, "continue", "c", false, "continue a previous download (append)")
	cmd.Flags().StringVarP(&opts.Dir, "dir", "d", "kojilogs", "write the logs into `DIRECTORY`")
	cmd.Flags().StringVar(&opts.TopURL, "topurl", "", "the `URL` of the hub's files, for build logs (default: the config's topurl)")
	shared.AddJSONFlag(cmd, &opts.Common)
	return cmd
}

// matchAny is koji.util.multi_fnmatch: no patterns, or one matching.
func matchAny(patterns []string, name string) bool {
	if len(patterns) == 0 {
		return true
	}
	for _, p := range patterns {
		if ok, _ := path.Match(p, name); ok {
			return true
		}
	}
	return false
}

type logsRunner struct {
	opts    *LogsOptions
	h       koji.Hub
	written []string
}

func logsRun(ctx context.Context, opts *LogsOptions) error {
	for _, p := range opts.Match {
		if _, err := path.Match(p, ""); err != nil {
			return cmdutil.FlagErrorf("--match %q: %v", p, err)
		}
	}
	h, err := opts.Open(ctx)
	if err != nil {
		return err
	}
	r := &logsRunner{opts: opts, h: h}
	for _, arg := range opts.Args {
		if !opts.NVR {
			id, err := strconv.Atoi(arg)
			if err != nil {
				return cmdutil.FlagErrorf("task id must be a number: %q (--nvr for builds)", arg)
			}
			if err := r.saveTask(ctx, id, opts.Dir, opts.Recurse); err != nil {
				return err
			}
			continue
		}
		b, err := h.GetBuild(ctx, koji.ByName(arg), koji.GetBuildOpts{})
		if err != nil {
			return err
		}
		if b == nil {
			return fmt.Errorf("there is no build with n-v-r: %s", arg)
		}
		if b.TaskID != nil && *b.TaskID != 0 {
			opts.Statusf("Using task ID: %d\n", *b.TaskID)
			if err := r.saveTask(ctx, *b.TaskID, opts.Dir, true); err != nil {
				return err
			}
			continue
		}
		opts.Statusf("Using build ID: %d\n", b.ID)
		if err := r.saveBuildLogs(ctx, b, arg); err != nil {
			return err
		}
	}
	if opts.JSON {
		if r.written == nil {
			r.written = []string{}
		}
		return opts.WriteJSON(r.written)
	}
	return nil
}

// saveTask is koji's save_logs: the task's logs into DIR/ARCH-ID, then its
// children's below it.
func (r *logsRunner) saveTask(ctx context.Context, id int, parent string, recurse bool) error {
	t, err := r.h.GetTaskInfo(ctx, id, koji.GetTaskInfoOpts{})
	if err != nil {
		return err
	}
	if t == nil {
		return fmt.Errorf("no such task: %d", id)
	}
	files, err := r.h.ListTaskOutput(ctx, id, koji.ListTaskOutputOpts{AllVolumes: true})
	if err != nil {
		return err
	}
	dir := filepath.Join(parent, fmt.Sprintf("%s-%d", t.Arch, id))
	count := 0
	switch t.State {
	case koji.TaskFailed:
		if matchAny(r.opts.Match, failLog) {
			if err := r.writeFailLog(ctx, dir, id); err != nil {
				return err
			}
			count++
		}
	case koji.TaskClosed, koji.TaskCanceled:
	default:
		r.opts.Statusf("warning: task %d is %s\n", id, t.State)
	}
	for _, f := range files {
		if !strings.HasSuffix(f.Name, ".log") || !matchAny(r.opts.Match, f.Name) {
			continue
		}
		vols := f.Volumes
		if len(vols) == 0 {
			vols = []string{"DEFAULT"}
		}
		for _, v := range vols {
			if err := r.downloadLog(ctx, dir, id, f.Name, v); err != nil {
				return err
			}
			count++
		}
	}
	if count == 0 && !recurse {
		r.opts.Statusf("warning: no logs found for task %d. Perhaps try --recurse?\n", id)
	}
	if !recurse {
		return nil
	}
	children, err := r.h.GetTaskChildren(ctx, id, koji.GetTaskChildrenOpts{})
	if err != nil {
		return err
	}
	for _, c := range children {
		if err := r.saveTask(ctx, c.ID, dir, true); err != nil {
			return err
		}
	}
	return nil
}

func (r *logsRunner) writeFailLog(ctx context.Context, dir string, id int) error {
	res, err := r.h.GetTaskResult(ctx, id, koji.GetTaskResultOpts{})
	content := shared.PyRepr(res) + "\n"
	if err != nil {
		var f *koji.Fault
		if errors.As(err, &f) {
			content = "koji." + f.Error() + "\n"
		} else {
			content = err.Error() + "\n"
		}
	}
	name := filepath.Join(dir, failLog)
	r.opts.Statusf("Writing: %s\n", name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if err := atomicfile.Write(name, func(w io.Writer) error { _, err := io.WriteString(w, content); return err }); err != nil {
		return err
	}
	r.written = append(r.written, name)
	return nil
}

// downloadLog fetches a task's log with downloadTaskOutput, in koji's
// chunks; --continue appends to what an earlier run wrote.
func (r *logsRunner) downloadLog(ctx context.Context, dir string, id int, file, volume string) error {
	if strings.Contains(file, "..") {
		return fmt.Errorf("invalid file name from the hub: %s", file)
	}
	name := filepath.Join(dir, filepath.FromSlash(file))
	if volume != "" && volume != "DEFAULT" {
		name = filepath.Join(dir, volume, filepath.FromSlash(file))
	}
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		return err
	}
	copyFrom := func(w io.Writer, offset int64) error {
		size := int64(logChunk)
		for {
			b, err := r.h.DownloadTaskOutput(ctx, id, file, koji.DownloadTaskOutputOpts{Offset: offset, Size: &size, Volume: volume})
			if err != nil {
				return err
			}
			if len(b) == 0 {
				return nil
			}
			if _, err := w.Write(b); err != nil {
				return err
			}
			offset += int64(len(b))
		}
	}
	if st, err := os.Stat(name); r.opts.Continue && err == nil {
		r.opts.Statusf("Continuing: %s\n", name)
		f, err := os.OpenFile(name, os.O_WRONLY|os.O_APPEND, 0)
		if err != nil {
			return err
		}
		if err := copyFrom(f, st.Size()); err != nil {
			f.Close()
			return fmt.Errorf("download %s of task %d: %w", file, id, err)
		}
		if err := f.Close(); err != nil {
			return err
		}
	} else {
		r.opts.Statusf("Downloading: %s\n", name)
		if err := atomicfile.Write(name, func(w io.Writer) error { return copyFrom(w, 0) }); err != nil {
			return fmt.Errorf("download %s of task %d: %w", file, id, err)
		}
	}
	r.written = append(r.written, name)
	return nil
}

// saveBuildLogs fetches the build logs of a build without a task (an
// import) from the hub's files into DIR/N-V-R/.
func (r *logsRunner) saveBuildLogs(ctx context.Context, b *koji.Build, arg string) error {
	v, err := r.h.Call(ctx, "getBuildLogs", []any{b.ID}, nil)
	if err != nil {
		return err
	}
	logs, _ := v.([]any)
	fetch, err := r.opts.Fetcher(r.h, r.opts.TopURL)
	if err != nil {
		return err
	}
	for _, l := range logs {
		m, _ := l.(map[string]any)
		name, _ := m["name"].(string)
		rel, _ := m["path"].(string)
		sub, _ := m["dir"].(string)
		if !strings.HasSuffix(name, ".log") || !matchAny(r.opts.Match, name) || strings.Contains(rel, "..") {
			continue
		}
		// koji writes DIR/N-V-R/NAME, so one arch's build.log overwrites
		// another's; the arch directory is kept here.
		dest := filepath.Join(r.opts.Dir, arg, filepath.FromSlash(sub), name)
		r.opts.Statusf("Downloading: %s\n", dest)
		if err := os.MkdirAll(filepath.Dir(dest), 0o755); err != nil {
			return err
		}
		if err := atomicfile.Write(dest, func(w io.Writer) error { return fetch(ctx, rel, w) }); err != nil {
			return fmt.Errorf("download %s: %w", rel, err)
		}
		r.written = append(r.written, dest)
	}
	return nil
}
