// Package buildutil holds what the local packaging commands (prebuild,
// prepare, rpmbuild, quilt, lint, mock, fetch-sources) share: their common
// flags, turning those flags into [packaging.TaskOptions], guessing the
// package directories, the fetcher, and running a task over several package
// directories with a summary table.
package buildutil

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/osg-htc/osg-build-go/internal/cmdutil"
	"github.com/osg-htc/osg-build-go/internal/iostreams"
	"github.com/osg-htc/osg-build-go/internal/packaging"
	"github.com/osg-htc/osg-build-go/internal/packaging/fetch"
)

// Flags are the options every local task has (osg-build's common options).
type Flags struct {
	El            map[string]*bool
	RedhatRelease []string
	DistroTag     string
	WorkDir       string
	TargetArch    string
	FullExtract   bool
	CachePrefixes []string
	Strict        bool
	Autoclean     bool
	NoAutoclean   bool
	JSON          bool
}

// AddFlags registers the common flags on cmd.
func AddFlags(cmd *cobra.Command, fl *Flags) {
	fs := cmd.Flags()
	fl.El = map[string]*bool{}
	for _, d := range packaging.KnownDvers {
		fl.El[d] = new(bool)
		fs.BoolVar(fl.El[d], d, false, "build for "+strings.ToUpper(d)+" (with several --elN, each is built)")
		if d == "el7" {
			_ = fs.MarkHidden(d)
		}
	}
	fs.StringArrayVar(&fl.RedhatRelease, "redhat-release", nil, "same as --elN for `N` (7, 8, 9, 10)")
	fs.StringVar(&fl.DistroTag, "distro-tag", "", "set %dist to .`TAG` (default osg.elN; must name the dver being built)")
	fs.StringVarP(&fl.WorkDir, "working-directory", "w", "", "put the underscore directories under `DIR` instead of the package directory; TEMP makes a new temporary directory")
	fs.StringVarP(&fl.TargetArch, "target-arch", "t", "", "build for `ARCH` (rpmbuild --target, mock --arch)")
	fs.BoolVar(&fl.FullExtract, "full-extract", false, "also unpack every upstream archive into _upstream_tarball_contents")
	fs.StringArrayVarP(&fl.CachePrefixes, "cache-prefix", "c", nil, "upstream cache `PREFIX` (http://, https:// or file://; repeatable, tried in order; default: $OSG_BUILD_CACHE_PREFIX, else the OSG upstream caches)")
	fs.BoolVar(&fl.Strict, "strict", false, "make a checksum or hash mismatch an error (the default for local tasks is a warning)")
	fs.BoolVarP(&fl.Autoclean, "autoclean", "a", true, "accepted for compatibility: earlier results are always cleaned")
	fs.BoolVar(&fl.NoAutoclean, "no-autoclean", false, "accepted for compatibility and ignored")
	_ = fs.MarkHidden("no-autoclean")
	fs.BoolVar(&fl.JSON, "json", false, "print the results as JSON (one object per package and dver) on stdout")
}

// Dvers returns the dvers selected with --elN and --redhat-release, in the
// known order; none selected means the local machine's dver.
func (fl *Flags) Dvers() ([]string, error) {
	want := map[string]bool{}
	for d, on := range fl.El {
		if *on {
			want[d] = true
		}
	}
	for _, r := range fl.RedhatRelease {
		d, err := packaging.DverFromRedhatRelease(r)
		if err != nil {
			return nil, cmdutil.FlagErrorf("%v", err)
		}
		want[d] = true
	}
	var out []string
	for _, d := range packaging.KnownDvers {
		if want[d] {
			out = append(out, d)
		}
	}
	if len(out) == 0 {
		out = []string{packaging.DefaultDver()}
	}
	return out, nil
}

// ParseCachePrefixes checks --cache-prefix values. osg-build's old names
// AUTO, VDT and AFS mean the default chain (as in osg-build 1.99.5+); a plain
// absolute directory becomes a file:// URL.
func ParseCachePrefixes(vals []string) ([]string, error) {
	var out []string
	for _, v := range vals {
		switch strings.ToUpper(v) {
		case "AUTO", "VDT", "AFS":
			slog.Warn("--cache-prefix " + v + " is obsolete; using the default upstream caches")
			continue
		}
		switch {
		case strings.HasPrefix(v, "http://"), strings.HasPrefix(v, "https://"):
		case strings.HasPrefix(v, "file://"):
			if !strings.HasPrefix(v, "file:///") {
				return nil, cmdutil.FlagErrorf("--cache-prefix %q: a file:// prefix needs an absolute path (file:///path/to/cache)", v)
			}
		case filepath.IsAbs(v):
			v = "file://" + v
		default:
			return nil, cmdutil.FlagErrorf("--cache-prefix %q: expected an http://, https:// or file:/// URL", v)
		}
		out = append(out, strings.TrimRight(v, "/"))
	}
	return out, nil
}

// Setup turns the flags into task options: the dvers, the distro tag
// (checked against each dver), the working directory (-w TEMP makes a new
// temporary directory, which is kept since it holds the results) and the
// fetcher.
func (fl *Flags) Setup(ios *iostreams.IOStreams) (Options, error) {
	var o Options
	dvers, err := fl.Dvers()
	if err != nil {
		return o, err
	}
	if fl.DistroTag != "" {
		for _, d := range dvers {
			if err := packaging.CheckDistroTag(fl.DistroTag, d); err != nil {
				return o, cmdutil.FlagErrorf("%v", err)
			}
		}
	}
	prefixes, err := ParseCachePrefixes(fl.CachePrefixes)
	if err != nil {
		return o, err
	}
	o.Dvers = dvers
	o.DistroTag = fl.DistroTag
	o.TargetArch = fl.TargetArch
	o.FullExtract = fl.FullExtract
	o.WorkDir = fl.WorkDir
	if fl.WorkDir == "TEMP" {
		d, err := os.MkdirTemp("", "osg-build-")
		if err != nil {
			return o, fmt.Errorf("make the temporary working directory: %w", err)
		}
		slog.Info("working directory", "dir", d)
		o.WorkDir = d
	}
	o.Fetcher = NewFetcher(ios, prefixes, fl.Strict)
	o.JSON = fl.JSON
	return o, nil
}

// Options are the task options plus how to print the results.
type Options struct {
	packaging.TaskOptions
	// JSON prints the results as a JSON array instead of paths or a table.
	JSON bool
}

// JSONResult is one element of the --json output.
type JSONResult struct {
	Package string   `json:"package"`
	Dir     string   `json:"dir"`
	Dver    string   `json:"dver"`
	OK      bool     `json:"ok"`
	Outputs []string `json:"outputs"`
	Lint    string   `json:"lint,omitempty"`
	Error   string   `json:"error,omitempty"`
}

// NewFetcher returns the fetcher of the local tasks: the given cache
// prefixes (default chain when empty), spec extraction from git sources,
// the local download cache, and a progress bar on a terminal.
func NewFetcher(ios *iostreams.IOStreams, prefixes []string, strict bool) packaging.Fetcher {
	var progress io.Writer
	if ios.ProgressEnabled() {
		progress = ios.ErrOut
	}
	return fetch.New(fetch.Options{
		CachePrefixes: prefixes,
		Strict:        strict,
		WantSpec:      true,
		Progress:      progress,
		Logger:        slog.Default(),
	})
}

// PackageDirs returns the package directories to work on: the arguments,
// or the one guessed from the current directory.
func PackageDirs(args []string) ([]string, error) {
	if len(args) > 0 {
		return args, nil
	}
	cwd, err := os.Getwd()
	if err != nil {
		return nil, fmt.Errorf("find the current directory: %w", err)
	}
	return []string{packaging.GuessPackageDir(cwd)}, nil
}

// Run runs task on every package directory, each attempted even when an
// earlier one failed. With one package and one dver it prints the outputs
// (SRPM, RPMs…) one per line on stdout and returns the error, if any.
// Otherwise it reports each failure on stderr as it happens and prints a
// summary table (package, dver, result, output) on stdout, and returns
// [cmdutil.ErrSilent] when any failed.
//
// rpmbuild's and mock's output is shown as it is written on a terminal for
// the tasks that build (rpmbuild, prepare, mock), and for every task with
// --debug; it is always in the log files under _build_results.
func Run(ctx context.Context, ios *iostreams.IOStreams, task packaging.Task, dirs []string, o Options) error {
	if o.Output == nil {
		switch {
		case slog.Default().Enabled(ctx, slog.LevelDebug):
			o.Output = ios.ErrOut
		case ios.IsStderrTTY() && !ios.Quiet() && (task == packaging.TaskRpmbuild || task == packaging.TaskPrepare || task == packaging.TaskMock):
			o.Output = ios.ErrOut
		}
	}
	var all []packaging.Result
	for _, d := range dirs {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		rs := packaging.RunTask(ctx, task, d, o.TaskOptions)
		for _, r := range rs {
			if r.Lint != nil && !o.JSON {
				ios.Out.Write(r.Lint.Output)
				msg := fmt.Sprintf("%s for %s (%s)", r.Lint.Summary(), r.Package, r.Dver)
				if r.Lint.Status == packaging.LintOK {
					slog.Info(msg)
				} else {
					slog.Warn(msg)
				}
			}
			if r.Err != nil && (len(dirs) > 1 || len(rs) > 1) {
				fmt.Fprintf(ios.ErrOut, "error: %s (%s): %v\n", r.Package, r.Dver, r.Err)
			}
		}
		all = append(all, rs...)
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if o.JSON {
		return printJSON(ios, all)
	}
	if len(all) == 1 {
		r := all[0]
		if r.Err != nil {
			return r.Err
		}
		if task != packaging.TaskLint {
			for _, p := range r.Outputs {
				fmt.Fprintln(ios.Out, p)
			}
		}
		return nil
	}
	failed := 0
	tp := iostreams.NewTablePrinter(ios)
	tp.Header("package", "dver", "result", "output")
	// No colour in the cells: the table printer aligns by rune count.
	for _, r := range all {
		result, output := "ok", strings.Join(r.Outputs, " ")
		switch {
		case r.Err != nil:
			failed++
			result = "FAILED"
			output = firstLine(r.Err.Error())
		case r.Lint != nil:
			result = strings.TrimPrefix(r.Lint.Summary(), "rpmlint ")
			output = strings.Join(r.Outputs, " ")
		}
		tp.AddRow(r.Package, r.Dver, result, output)
	}
	if err := tp.Render(); err != nil {
		return err
	}
	if failed > 0 {
		fmt.Fprintf(ios.ErrOut, "%d of %d builds failed\n", failed, len(all))
		return cmdutil.ErrSilent
	}
	return nil
}

// printJSON prints the results as a JSON array; it returns ErrSilent when
// any failed (the errors are in the JSON and were printed on stderr).
func printJSON(ios *iostreams.IOStreams, all []packaging.Result) error {
	out := make([]JSONResult, 0, len(all))
	failed := false
	for _, r := range all {
		j := JSONResult{Package: r.Package, Dir: r.PkgDir, Dver: r.Dver, OK: r.Err == nil, Outputs: r.Outputs}
		if j.Outputs == nil {
			j.Outputs = []string{}
		}
		if r.Lint != nil {
			j.Lint = strings.TrimPrefix(r.Lint.Summary(), "rpmlint ")
		}
		if r.Err != nil {
			failed = true
			j.Error = r.Err.Error()
			if len(all) == 1 {
				fmt.Fprintf(ios.ErrOut, "error: %v\n", r.Err)
			}
		}
		out = append(out, j)
	}
	enc := json.NewEncoder(ios.Out)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		return err
	}
	if failed {
		return cmdutil.ErrSilent
	}
	return nil
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	s = strings.TrimSuffix(s, "; last lines of its output:")
	return s
}
