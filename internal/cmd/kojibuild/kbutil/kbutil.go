// Package kbutil holds what the build-in-Koji commands (koji, regen-repo,
// wait-repo, watch-task) share: the watch display for the streams, the poll
// interval, the task URL and the command that resumes watching.
package kbutil

import (
	"context"
	"errors"
	"fmt"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/osg-htc/osg-build-go/internal/cmdutil"
	"github.com/osg-htc/osg-build-go/internal/config"
	"github.com/osg-htc/osg-build-go/internal/iostreams"
	"github.com/osg-htc/osg-build-go/internal/kojibuild"
	"github.com/osg-htc/osg-build-go/pkg/koji"
)

// Common are the options the commands share.
type Common struct {
	IO     *iostreams.IOStreams
	Hub    func(ctx context.Context) (koji.Hub, error)
	Getenv func(string) string
	Now    func() time.Time
	// JSON prints events and results as JSON lines.
	JSON bool
	// Poll is --poll-interval (0: the config's poll_interval, fast for the
	// embedded hub).
	Poll time.Duration
	// HubFlag, ConfigFlag and ProfileFlag are the global flags' values.
	HubFlag, ConfigFlag, ProfileFlag string
}

// NewCommon returns the shared options of a command built from f.
func NewCommon(f *cmdutil.Factory) Common {
	return Common{
		IO:     f.IOStreams,
		Getenv: f.Getenv,
		Now:    f.Now,
		Hub: func(ctx context.Context) (koji.Hub, error) {
			if f.Hub == nil {
				return nil, fmt.Errorf("no hub configured")
			}
			return f.Hub(ctx)
		},
	}
}

// AddFlags adds --json and --poll-interval.
func AddFlags(cmd *cobra.Command, c *Common) {
	cmd.Flags().BoolVar(&c.JSON, "json", false, "print one JSON object per line: task state changes and results (for CI)")
	cmd.Flags().DurationVar(&c.Poll, "poll-interval", 0, "time between polls of the hub (default: the Koji config's poll_interval, 6s; 200ms for the embedded hub)")
}

// ReadGlobals copies the global --hub/--config/--profile values (call from
// RunE).
func (c *Common) ReadGlobals(cmd *cobra.Command) {
	fl := cmd.Root().PersistentFlags()
	c.HubFlag, _ = fl.GetString("hub")
	c.ConfigFlag, _ = fl.GetString("config")
	c.ProfileFlag, _ = fl.GetString("profile")
}

// Display is the watch display for the streams: JSON lines with --json,
// a live tree on a terminal, one line per change when piped, nothing with
// --quiet.
func (c *Common) Display() kojibuild.Display {
	switch {
	case c.JSON:
		return kojibuild.DisplayJSON
	case c.IO.Quiet():
		return kojibuild.DisplayNone
	case c.IO.IsStderrTTY() && c.IO.IsStdoutTTY():
		return kojibuild.DisplayTree
	}
	return kojibuild.DisplayLines
}

// Interval is the poll interval: --poll-interval, else the hub's (the
// config's poll_interval; fast for the embedded hub).
func (c *Common) Interval(h koji.Hub) time.Duration {
	if c.Poll > 0 {
		return c.Poll
	}
	if p, ok := h.(interface{ PollInterval() time.Duration }); ok {
		return p.PollInterval()
	}
	return 6 * time.Second
}

// WatchCommand is the command that resumes watching tasks.
func (c *Common) WatchCommand() string {
	s := "osg-build"
	if c.HubFlag != "" {
		s += " --hub " + c.HubFlag
	}
	return s + " watch-task"
}

// TaskURL returns the "Task info" reference of a task: the web UI of a Koji
// hub (weburl from the config, else the hub URL with /kojihub → /koji), or
// for the embedded hub the command that shows it.
func (c *Common) TaskURL(h koji.Hub) func(id int) string {
	loc := cmdutil.HubLocation(h)
	if strings.HasPrefix(loc, "local:") {
		return func(id int) string {
			return fmt.Sprintf("osg-build --hub %s osg-koji taskinfo -r %d", loc, id)
		}
	}
	web := ""
	cfg, err := config.Load(config.LoadOptions{ConfigFile: c.ConfigFlag, Profile: c.ProfileFlag, Home: c.Getenv("HOME")})
	if err == nil && cfg.WebURL != "" && (c.HubFlag == "" || c.HubFlag == cfg.Server) {
		web = cfg.WebURL
	}
	if web == "" {
		web = strings.TrimSuffix(strings.TrimSuffix(loc, "/"), "hub")
	}
	web = strings.TrimRight(web, "/")
	return func(id int) string { return fmt.Sprintf("%s/taskinfo?taskID=%d", web, id) }
}

// BuildURL returns the link of a build for tickets: the web UI's buildinfo
// page of a Koji hub (as TaskURL finds it), or for the embedded hub the
// build's directory in its topdir (a file:// URL).
func (c *Common) BuildURL(h koji.Hub) func(id int, name, version, release string) string {
	loc := cmdutil.HubLocation(h)
	if strings.HasPrefix(loc, "local:") {
		top := cmdutil.HubTopDir(h)
		return func(id int, name, version, release string) string {
			return "file://" + path.Join(top, "packages", name, version, release)
		}
	}
	task := c.TaskURL(h)(0)
	web := strings.TrimSuffix(task, "/taskinfo?taskID=0")
	return func(id int, name, version, release string) string {
		return fmt.Sprintf("%s/buildinfo?buildID=%d", web, id)
	}
}

// Exit turns a kojibuild error into the command's error: usage errors exit
// 2, an interrupted watch prints how to resume and exits 130.
func (c *Common) Exit(err error) error {
	if err == nil {
		return nil
	}
	var ue *kojibuild.UsageError
	if errors.As(err, &ue) {
		return cmdutil.FlagErrorf("%s", ue.Msg)
	}
	var ie *kojibuild.InterruptedError
	if errors.As(err, &ie) {
		fmt.Fprintf(c.IO.ErrOut, "\n%s\n", ie.Error())
		return cmdutil.ErrCancel
	}
	return err
}

// TargetBuildTag is the build tag of the target named name (wait-repo and
// regen-repo --target, as koji's).
func TargetBuildTag(ctx context.Context, h koji.Hub, name string) (string, error) {
	t, err := h.GetBuildTarget(ctx, koji.ByName(name), koji.GetBuildTargetOpts{})
	if err != nil {
		return "", fmt.Errorf("getBuildTarget(%s): %w", name, err)
	}
	if t == nil {
		return "", fmt.Errorf("no such target: %s (check the name with `osg-koji list-targets`)", name)
	}
	return t.BuildTagName, nil
}

// Minutes is a --timeout value: a number of minutes, as koji's options
// take, or a Go duration (90s, 1h30m).
type Minutes time.Duration

func (m *Minutes) String() string { return time.Duration(*m).String() }

func (m *Minutes) Set(s string) error {
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		if f < 0 {
			return fmt.Errorf("negative timeout %s", s)
		}
		*m = Minutes(time.Duration(f * float64(time.Minute)))
		return nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return fmt.Errorf("%q is neither minutes nor a duration such as 90s or 1h30m", s)
	}
	*m = Minutes(d)
	return nil
}

func (m *Minutes) Type() string { return "minutes" }

// Table returns a table printer on stdout.
func (c *Common) Table() kojibuild.TableWriter { return iostreams.NewTablePrinter(c.IO) }
