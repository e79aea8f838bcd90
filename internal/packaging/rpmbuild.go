package packaging

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/osg-htc/osg-build-go/internal/runner"
)

// SpecSyntaxError reports a spec file rpmbuild could not parse.
type SpecSyntaxError struct {
	Spec    string
	Line    int // 0 when rpmbuild did not name one
	Message string
	LogPath string
}

func (e *SpecSyntaxError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "rpmbuild could not parse the spec file %s", filepath.Base(e.Spec))
	if e.Line > 0 {
		fmt.Fprintf(&b, " (line %d)", e.Line)
	}
	fmt.Fprintf(&b, ": %s\nfix the spec in osg/ (or upstream) and run again", e.Message)
	if e.LogPath != "" {
		fmt.Fprintf(&b, "; full log: %s", e.LogPath)
	}
	return b.String()
}

var (
	specLineErrRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?m)^error: (?:[^\n]*: )?line (\d+): ([^\n]*)$`) })
	specParseRe   = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`(?m)^error: ((?:parse error|query of specfile|Unknown tag|bad date|Macro )[^\n]*)$`)
	})
	buildDepsRe = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`(?m)^error: Failed build dependencies:\n((?:\s+[^\n]*\n?)+)`)
	})
	wroteRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?m)^Wrote: (\S+)\s*$`) })
)

// specSyntax recognises the output of rpmbuild failing to parse a spec.
func specSyntax(spec string, out []byte, logPath string) error {
	if m := specLineErrRe().FindSubmatch(out); m != nil {
		n, _ := strconv.Atoi(string(m[1]))
		return &SpecSyntaxError{Spec: spec, Line: n, Message: string(m[2]), LogPath: logPath}
	}
	if m := specParseRe().FindSubmatch(out); m != nil && !strings.Contains(string(out), "Bad exit status from") {
		return &SpecSyntaxError{Spec: spec, Message: string(m[1]), LogPath: logPath}
	}
	return nil
}

// rpmbuildErr turns a failed rpmbuild run into a clear error: a
// [*SpecSyntaxError] when the spec did not parse, else the runner's error
// (last lines and log path).
func rpmbuildErr(spec string, res *runner.Result, err error, logPath string) error {
	// rpmbuild's diagnostics are on stderr, where they are contiguous; in
	// the combined output stdout's lines ("Installing …") may land in the
	// middle of them, since the two are separate pipes.
	var out []byte
	if res != nil {
		out = res.Stderr
		if len(out) == 0 {
			out = res.Combined
		}
	}
	if se := specSyntax(spec, out, logPath); se != nil {
		return se
	}
	if m := buildDepsRe().FindSubmatch(out); m != nil {
		var deps []string
		for _, l := range strings.Split(strings.TrimSpace(string(m[1])), "\n") {
			dep, _, _ := strings.Cut(strings.TrimSpace(l), " is needed by ")
			deps = append(deps, dep)
		}
		return fmt.Errorf("missing build dependencies of %s: %s; install them on this machine, or build in mock (osg-build mock) or Koji", filepath.Base(spec), strings.Join(deps, ", "))
	}
	return err
}

// wroteBy returns the files a finished rpmbuild run reported: from its
// stdout, where the "Wrote:" lines are whole, else from the combined output.
func wroteBy(res *runner.Result) []string {
	if w := Wrote(res.Stdout); len(w) > 0 {
		return w
	}
	return Wrote(res.Combined)
}

// Wrote returns the files rpmbuild reported with "Wrote:" lines.
func Wrote(out []byte) []string {
	var files []string
	for _, m := range wroteRe().FindAllSubmatch(out, -1) {
		files = append(files, string(m[1]))
	}
	return files
}

// logPath returns the log file for one step under _build_results, creating
// the directory.
func (l Layout) logPath(step, dver string) (string, error) {
	dir := l.BuildResults()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("create %s: %w", dir, err)
	}
	p := filepath.Join(dir, step+"-"+dver+".log")
	_ = os.Remove(p)
	return p, nil
}

// BuildSRPM runs rpmbuild -bs --nodeps on spec in prebuild mode (every rpm
// directory is the spec's directory) for dver and returns the SRPM written.
// rpmbuild's output goes to its log and, when out is not nil, to out.
func BuildSRPM(ctx context.Context, l Layout, spec, dver, distroTag string, out io.Writer) (string, error) {
	dir := filepath.Dir(spec)
	defs, err := RpmbuildDefines(dver, distroTag, ModePrebuild, dir)
	if err != nil {
		return "", err
	}
	logPath, err := l.logPath("prebuild", dver)
	if err != nil {
		return "", err
	}
	args := append([]string{"-bs", "--nodeps"}, DefineArgs(defs)...)
	args = append(args, spec)
	res, err := runner.Run(ctx, runner.Cmd{Name: "rpmbuild", Args: args, Dir: dir, LogPath: logPath, Stdout: out, Stderr: out})
	if err != nil {
		return "", rpmbuildErr(spec, res, err, logPath)
	}
	for _, w := range wroteBy(res) {
		if strings.HasSuffix(w, ".src.rpm") {
			return w, nil
		}
	}
	return "", fmt.Errorf("rpmbuild -bs did not report the SRPM it wrote (no \"Wrote: ….src.rpm\" line); full log: %s", logPath)
}

// copyToResults copies the SRPM into _build_results and makes the build
// subdirectories; it returns the copy's path.
func (l Layout) copyToResults(srpm string) (string, error) {
	dir := l.BuildResults()
	for _, d := range []string{dir, filepath.Join(dir, "BUILD"), filepath.Join(dir, "BUILDROOT"), filepath.Join(dir, "tmp")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return "", fmt.Errorf("create %s: %w", d, err)
		}
	}
	dst := filepath.Join(dir, filepath.Base(srpm))
	if err := copyFile(srpm, dst, 0o644); err != nil {
		return "", err
	}
	return dst, nil
}

// Prepare installs the SRPM into _build_results and runs rpmbuild -bp
// --nodeps on its spec, leaving the patched sources in _build_results/BUILD.
// It returns the BUILD directory. Output goes to the log and to out (if set).
func Prepare(ctx context.Context, l Layout, srpm, dver, distroTag, targetArch string, out io.Writer) (string, error) {
	dir := l.BuildResults()
	defs, err := RpmbuildDefines(dver, distroTag, ModeBuild, dir)
	if err != nil {
		return "", err
	}
	copied, err := l.copyToResults(srpm)
	if err != nil {
		return "", err
	}
	logPath, err := l.logPath("prepare", dver)
	if err != nil {
		return "", err
	}
	args := append([]string{"-i"}, DefineArgs(defs)...)
	args = append(args, copied)
	if _, err := runner.Run(ctx, runner.Cmd{Name: "rpm", Args: args, Dir: dir, LogPath: logPath}); err != nil {
		return "", fmt.Errorf("install %s into %s: %w", filepath.Base(srpm), dir, err)
	}
	specs, _ := filepath.Glob(filepath.Join(dir, "*.spec"))
	if len(specs) != 1 {
		return "", fmt.Errorf("expected one spec in %s after installing %s, found %d", dir, filepath.Base(srpm), len(specs))
	}
	args = append([]string{"-bp", "--nodeps"}, DefineArgs(defs)...)
	if targetArch != "" {
		args = append(args, "--target", targetArch)
	}
	args = append(args, specs[0])
	res, err := runner.Run(ctx, runner.Cmd{Name: "rpmbuild", Args: args, Dir: dir, LogPath: logPath, Stdout: out, Stderr: out})
	if err != nil {
		return "", rpmbuildErr(specs[0], res, err, logPath)
	}
	return filepath.Join(dir, "BUILD"), nil
}

// Rebuild runs rpmbuild --rebuild on a copy of the SRPM in _build_results
// and returns the binary RPMs made (an error when there are none). Output
// goes to the log and to out (if set).
func Rebuild(ctx context.Context, l Layout, srpm, dver, distroTag, targetArch string, out io.Writer) ([]string, error) {
	dir := l.BuildResults()
	defs, err := RpmbuildDefines(dver, distroTag, ModeBuild, dir)
	if err != nil {
		return nil, err
	}
	copied, err := l.copyToResults(srpm)
	if err != nil {
		return nil, err
	}
	logPath, err := l.logPath("rpmbuild", dver)
	if err != nil {
		return nil, err
	}
	args := append([]string{"--rebuild"}, DefineArgs(defs)...)
	if targetArch != "" {
		args = append(args, "--target", targetArch)
	}
	args = append(args, copied)
	res, err := runner.Run(ctx, runner.Cmd{Name: "rpmbuild", Args: args, Dir: dir, LogPath: logPath, Stdout: out, Stderr: out})
	if err != nil {
		return nil, rpmbuildErr(copied, res, err, logPath)
	}
	var rpms []string
	for _, w := range wroteBy(res) {
		if strings.HasSuffix(w, ".rpm") && !strings.HasSuffix(w, ".src.rpm") {
			rpms = append(rpms, w)
		}
	}
	if len(rpms) == 0 {
		// Fall back to listing the directory, as osg-build does.
		all, _ := filepath.Glob(filepath.Join(dir, "*.rpm"))
		for _, p := range all {
			if !strings.HasSuffix(p, ".src.rpm") {
				rpms = append(rpms, p)
			}
		}
	}
	if len(rpms) == 0 {
		return nil, fmt.Errorf("rpmbuild --rebuild made no binary RPMs in %s; full log: %s", dir, logPath)
	}
	sort.Strings(rpms)
	return rpms, nil
}

// ErrQuiltMissing is returned by [Quilt] when quilt is not installed.
var ErrQuiltMissing = errors.New("the quilt task needs quilt, which is not on PATH: install it (e.g. dnf install quilt); note that EL10 has no quilt package")

// QuiltSetup runs quilt -v setup --fast on the spec in dir (the assembled
// _quilt directory), leaving the sources unpatched and ready for quilt push,
// with the output in logPath. The --fast mode is used because quilt's
// default (slow) mode does not see the sources unpacked by rpm 4.18's
// %setup (rpmuncompress -x) and fails.
func QuiltSetup(ctx context.Context, dir, spec, logPath string) error {
	if _, ok := runner.Look("quilt"); !ok {
		return ErrQuiltMissing
	}
	_ = os.Remove(logPath)
	_, err := runner.Run(ctx, runner.Cmd{Name: "quilt", Args: []string{"-v", "setup", "--fast", filepath.Base(spec)}, Dir: dir, LogPath: logPath})
	if err != nil {
		return fmt.Errorf("quilt setup %s: %w", filepath.Base(spec), err)
	}
	return nil
}
