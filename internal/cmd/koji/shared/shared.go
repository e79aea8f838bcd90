// Package shared holds what the osg-koji verbs have in common: the options
// every verb has (streams, the lazy hub, --json), JSON output in Koji's
// member names, Koji's time formats and argument helpers.
package shared

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/osg-htc/osg-build-go/internal/cmdutil"
	"github.com/osg-htc/osg-build-go/internal/hubfiles"
	"github.com/osg-htc/osg-build-go/internal/iostreams"
	"github.com/osg-htc/osg-build-go/internal/xmlrpc"
	"github.com/osg-htc/osg-build-go/pkg/koji"
)

// Common is embedded in the options of every verb.
type Common struct {
	IO *iostreams.IOStreams
	// Hub opens the hub (lazily, once per process).
	Hub func(ctx context.Context) (koji.Hub, error)
	// JSON prints the hub's answers as JSON instead of Koji's layout.
	JSON bool
}

// NewCommon returns the Common options of a verb built from f. The hub is
// looked up at run time (cli.Run sets f.Hub after the tree is built).
func NewCommon(f *cmdutil.Factory) Common {
	return Common{
		IO: f.IOStreams,
		Hub: func(ctx context.Context) (koji.Hub, error) {
			if f.Hub == nil {
				return nil, fmt.Errorf("no hub configured")
			}
			return f.Hub(ctx)
		},
	}
}

// AddJSONFlag adds --json to cmd.
func AddJSONFlag(cmd *cobra.Command, c *Common) {
	cmd.Flags().BoolVar(&c.JSON, "json", false, "print the hub's answers as JSON (Koji's member names)")
}

// Quiet reports whether headers are dropped (the global --quiet).
func (c *Common) Quiet() bool { return c.IO.Quiet() }

// Open returns the hub.
func (c *Common) Open(ctx context.Context) (koji.Hub, error) { return c.Hub(ctx) }

// OpenForWrite returns the hub, logged in (remote hubs log in with the
// config's authtype; the embedded hub's caller is the local admin).
func (c *Common) OpenForWrite(ctx context.Context) (koji.Hub, error) {
	h, err := c.Hub(ctx)
	if err != nil {
		return nil, err
	}
	if err := cmdutil.EnsureLogin(ctx, h); err != nil {
		return nil, err
	}
	return h, nil
}

// WriteJSON writes v to the data stream as indented JSON.
func (c *Common) WriteJSON(v any) error { return WriteJSON(c.IO.Out, v) }

// Printf writes to the data stream.
func (c *Common) Printf(format string, args ...any) {
	fmt.Fprintf(c.IO.Out, format, args...)
}

// Fetcher reads files below the hub's topdir (copied from an embedded
// hub's, over HTTP from topURL or the config's topurl otherwise), with a
// progress bar on stderr when it is a terminal and neither --quiet nor
// --noprogress was given.
func (c *Common) Fetcher(h koji.Hub, topURL string) (hubfiles.Fetch, error) {
	var progress io.Writer
	if c.IO.StderrProgress() {
		progress = c.IO.ErrOut
	}
	return hubfiles.Fetcher(h, topURL, progress)
}

// Statusf writes a status line to stderr (not in quiet mode).
func (c *Common) Statusf(format string, args ...any) {
	if c.IO.Quiet() {
		return
	}
	fmt.Fprintf(c.IO.ErrOut, format, args...)
}

// Generic converts a value of pkg/koji's types to Koji's generic shape
// (maps with Koji's member names, nil for <nil/>) by the XML-RPC encoding,
// exactly as the hub would send it.
func Generic(v any) (any, error) {
	var buf bytes.Buffer
	if err := xmlrpc.EncodeResponse(&buf, v); err != nil {
		return nil, fmt.Errorf("encoding the answer: %w", err)
	}
	return xmlrpc.DecodeResponseBytes(buf.Bytes())
}

// WriteJSON writes v (in Koji's generic shape) to w as JSON indented by two
// spaces, the way `koji call --json-output` prints (Python's json.dumps with
// indent=2: non-ASCII escaped, keys sorted here).
func WriteJSON(w io.Writer, v any) error {
	g, err := Generic(v)
	if err != nil {
		return err
	}
	b, err := appendJSON(make([]byte, 0, 4096), g, 0)
	if err != nil {
		return fmt.Errorf("encoding JSON: %w", err)
	}
	b = append(b, '\n')
	_, err = w.Write(b)
	return err
}

// Ref names an object given on the command line: all digits is an id, else
// a name.
func Ref(s string) koji.Ref {
	if n, err := strconv.Atoi(s); err == nil && n >= 0 && !strings.HasPrefix(s, "+") {
		return koji.ByID(n)
	}
	return koji.ByName(s)
}

// ASCTime formats a *_ts value as Python's time.asctime(time.localtime(ts))
// ("Sun Nov 22 11:09:09 2026").
func ASCTime(ts float64) string {
	return koji.TS(&ts).Local().Format("Mon Jan _2 15:04:05 2006")
}

// TimeLong formats a *_ts value as koji.formatTimeLong
// ("Sun, 22 Nov 2026 11:09:09 UTC"); "" for nil.
func TimeLong(ts *float64) string {
	if ts == nil {
		return ""
	}
	return koji.TS(ts).Local().Format("Mon, 02 Jan 2006 15:04:05 MST")
}

// Pad left-justifies s in width columns (Python's %-Ns).
func Pad(s string, width int) string {
	if n := len([]rune(s)); n < width {
		return s + strings.Repeat(" ", width-n)
	}
	return s
}

// StrOr returns *p, or def when p is nil.
func StrOr(p *string, def string) string {
	if p == nil {
		return def
	}
	return *p
}

// NoArgs is a cobra Args validator with a usage error.
func NoArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return cmdutil.FlagErrorf("%s takes no arguments", cmd.CommandPath())
	}
	return nil
}

// MinArgs requires at least n arguments, with msg as the usage error.
func MinArgs(n int, msg string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) < n {
			return cmdutil.FlagErrorf("%s", msg)
		}
		return nil
	}
}

// RangeArgs requires between lo and hi arguments, with msg as the usage
// error.
func RangeArgs(lo, hi int, msg string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) < lo || len(args) > hi {
			return cmdutil.FlagErrorf("%s", msg)
		}
		return nil
	}
}

// PyRepr formats a value as Python's repr/pprint would for the simple
// values found in tag extras ('text', True, None, 3, [...], {...}).
func PyRepr(v any) string {
	switch x := v.(type) {
	case nil:
		return "None"
	case bool:
		if x {
			return "True"
		}
		return "False"
	case string:
		return "'" + strings.ReplaceAll(strings.ReplaceAll(x, `\`, `\\`), "'", `\'`) + "'"
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = PyRepr(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = PyRepr(k) + ": " + PyRepr(x[k])
		}
		return "{" + strings.Join(parts, ", ") + "}"
	}
	return fmt.Sprint(v)
}

// InheritanceFlags is koji's format_inheritance_flags: M (maxdepth), F
// (package filter), I (intransitive), N (noconfig), or a dot each.
func InheritanceFlags(maxdepth *int, pkgFilter string, intransitive, noconfig bool) string {
	flags := []byte("....")
	if maxdepth != nil {
		flags[0] = 'M'
	}
	if pkgFilter != "" {
		flags[1] = 'F'
	}
	if intransitive {
		flags[2] = 'I'
	}
	if noconfig {
		flags[3] = 'N'
	}
	return string(flags)
}

// EventHeader returns koji's "Querying at event N (time)" line for --event,
// asking the hub for the event's time (getEvent) when it can.
func EventHeader(ctx context.Context, h koji.Hub, event int) string {
	v, err := h.Call(ctx, "getEvent", []any{event}, nil)
	if m, ok := v.(map[string]any); ok && err == nil {
		if ts, ok := m["ts"].(float64); ok {
			return fmt.Sprintf("Querying at event %d (%s)", event, ASCTime(ts))
		}
	}
	return fmt.Sprintf("Querying at event %d", event)
}

// BuildTableHeader is the header of koji's list-tagged and latest-build.
func (c *Common) BuildTableHeader() {
	if c.Quiet() {
		return
	}
	c.Printf("%s  %s  %s\n", Pad("Build", 40), Pad("Tag", 20), "Built by")
	c.Printf("%s  %s  %s\n", strings.Repeat("-", 40), strings.Repeat("-", 20), strings.Repeat("-", 16))
}

// BuildTableRows prints tagged builds as koji does ("%(nvr)-40s
// %(tag_name)-20s  %(owner_name)s", sorted as text). With paths the first
// column is the build's directory under topdir.
func (c *Common) BuildTableRows(builds []koji.TaggedBuild, topdir string) {
	lines := make([]string, 0, len(builds))
	for _, b := range builds {
		first := b.NVR
		if topdir != "" {
			first = BuildPath(topdir, b.PackageName, b.Version, b.Release)
		}
		lines = append(lines, fmt.Sprintf("%s  %s  %s", Pad(first, 40), Pad(b.TagName, 20), b.OwnerName))
	}
	sort.Strings(lines)
	for _, l := range lines {
		c.Printf("%s\n", l)
	}
}

// BuildPath is koji.pathinfo.build: TOPDIR/packages/N/V/R.
func BuildPath(topdir, name, version, release string) string {
	return strings.TrimRight(topdir, "/") + "/packages/" + name + "/" + version + "/" + release
}

// FindUser returns the user named (or numbered) name; a missing one is
// "no such user: NAME".
func FindUser(ctx context.Context, h koji.Hub, name string) (*koji.User, error) {
	u, err := h.GetUser(ctx, Ref(name), koji.GetUserOpts{})
	if err == nil && u == nil {
		err = fmt.Errorf("no such user: %s", name)
	}
	return u, err
}

// FindPackage returns the package named (or numbered) name; a missing one
// is "no such package: NAME".
func FindPackage(ctx context.Context, h koji.Hub, name string) (*koji.Package, error) {
	p, err := h.GetPackage(ctx, Ref(name), koji.GetPackageOpts{})
	if err == nil && p == nil {
		err = fmt.Errorf("no such package: %s", name)
	}
	return p, err
}

// ParseArches is koji.parse_arches: arches separated by commas or spaces,
// joined by single spaces.
func ParseArches(s string) string {
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' }), " ")
}

// MultiCallStrict runs calls in one multiCall and returns the first fault.
func MultiCallStrict(ctx context.Context, h koji.Hub, calls []koji.Call) ([]koji.CallResult, error) {
	if len(calls) == 0 {
		return nil, nil
	}
	return h.MultiCall(ctx, calls, koji.MultiCallOpts{Strict: true})
}

// ArgValue parses a command-line value the way koji's arg_filter does with
// JSON input: an integer, a float, None/True/False, a JSON value (numbers
// in it stay integers when they are), else the text itself.
func ArgValue(s string) any {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return int(n)
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		return f
	}
	switch s {
	case "None":
		return nil
	case "True":
		return true
	case "False":
		return false
	}
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err == nil && !dec.More() {
		if _, err := dec.Token(); err == io.EOF {
			return fromJSON(v)
		}
	}
	return s
}

func fromJSON(v any) any {
	switch x := v.(type) {
	case json.Number:
		if n, err := x.Int64(); err == nil {
			return int(n)
		}
		f, _ := x.Float64()
		return f
	case []any:
		for i, e := range x {
			x[i] = fromJSON(e)
		}
	case map[string]any:
		for k, e := range x {
			x[k] = fromJSON(e)
		}
	}
	return v
}

// WaitTasks polls the tasks until each has finished, printing one status
// line per task to stderr, and returns an error with exit code 3 when one
// did not end CLOSED.
func (c *Common) WaitTasks(ctx context.Context, h koji.Hub, ids []int) error {
	poll := time.Second
	if p, ok := h.(interface{ PollInterval() time.Duration }); ok {
		poll = p.PollInterval()
	}
	var failed []string
	for _, id := range ids {
		for {
			t, err := h.GetTaskInfo(ctx, id, koji.GetTaskInfoOpts{})
			if err != nil {
				return err
			}
			if t == nil {
				return fmt.Errorf("no such task id: %d", id)
			}
			if t.State.Finished() {
				switch t.State {
				case koji.TaskClosed:
					c.Statusf("%d %s completed successfully\n", id, t.Method)
				case koji.TaskCanceled:
					c.Statusf("%d %s was canceled\n", id, t.Method)
					failed = append(failed, fmt.Sprintf("task %d was canceled", id))
				default:
					msg := "failed"
					if _, err := h.GetTaskResult(ctx, id, koji.GetTaskResultOpts{}); err != nil {
						msg = "FAILED: " + err.Error()
					}
					fmt.Fprintf(c.IO.ErrOut, "%d %s %s\n", id, t.Method, msg)
					failed = append(failed, fmt.Sprintf("task %d %s", id, msg))
				}
				break
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(poll):
			}
		}
	}
	if len(failed) > 0 {
		return &cmdutil.ExitError{Code: cmdutil.ExitTaskFailed, Err: fmt.Errorf("%s", strings.Join(failed, "; "))}
	}
	return nil
}

// CompleteTags completes tag names from the hub for the positional
// arguments at the given indexes (all of them when none are given). It
// offers nothing when the hub cannot be reached within a few seconds.
func CompleteTags(c *Common, positions ...int) cobra.CompletionFunc {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		if len(positions) > 0 && !containsInt(positions, len(args)) {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		ctx, cancel := context.WithTimeout(cmd.Context(), 3*time.Second)
		defer cancel()
		h, err := c.Hub(ctx)
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		tags, err := h.ListTags(ctx, koji.ListTagsOpts{Pattern: toComplete + "*"})
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		var out []cobra.Completion
		for _, t := range tags {
			if strings.HasPrefix(t.Name, toComplete) {
				out = append(out, t.Name)
			}
		}
		sort.Strings(out)
		return out, cobra.ShellCompDirectiveNoFileComp
	}
}

func containsInt(l []int, n int) bool {
	for _, x := range l {
		if x == n {
			return true
		}
	}
	return false
}
