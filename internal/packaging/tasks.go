package packaging

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/osg-htc/osg-build-go/internal/runner"
)

// Task names the local tasks.
type Task string

// The local tasks.
const (
	TaskPrebuild Task = "prebuild"
	TaskPrepare  Task = "prepare"
	TaskRpmbuild Task = "rpmbuild"
	TaskQuilt    Task = "quilt"
	TaskLint     Task = "lint"
	TaskMock     Task = "mock"
)

// TaskOptions are the settings shared by the local tasks.
type TaskOptions struct {
	// Dvers to build for (each is built); empty = [DefaultDver].
	Dvers []string
	// DistroTag overrides %dist (without the dot); "" = osg.elN.
	DistroTag string
	// WorkDir is where the underscore directories go ("" = the package dir).
	WorkDir string
	// TargetArch is passed to rpmbuild --target or mock --arch.
	TargetArch  string
	FullExtract bool
	Fetcher     Fetcher

	// Mock settings: the -r value ("" = mock's default), whether to skip
	// mock clean, mock's version and the host's dver.
	MockConfig  string
	MockNoClean bool
	MockVersion *MockVersion
	HostDver    string

	// Output, when set, receives the output of rpmbuild and mock as it is
	// written (it is always in the log files).
	Output io.Writer
}

// Result is the outcome of one task for one package and dver (one row of
// the summary table).
type Result struct {
	Package string
	PkgDir  string
	Dver    string
	// Outputs are the files or directories made (SRPM, RPMs, BUILD dir).
	Outputs []string
	// Lint holds rpmlint's result for the lint task.
	Lint *LintResult
	Err  error
}

// OK reports whether the task succeeded.
func (r Result) OK() bool { return r.Err == nil }

// RunTask runs task on the package directory pkgdir for every dver in
// o.Dvers and returns one result per dver (one result in all when the
// package could not be assembled, or for quilt, which has no dver).
func RunTask(ctx context.Context, task Task, pkgdir string, o TaskOptions) []Result {
	dvers := o.Dvers
	if len(dvers) == 0 {
		dvers = []string{DefaultDver()}
	}
	name := filepath.Base(filepath.Clean(pkgdir))
	if abs, err := filepath.Abs(pkgdir); err == nil {
		name = filepath.Base(abs)
	}
	fail := func(dver string, err error) []Result {
		return []Result{{Package: name, PkgDir: pkgdir, Dver: dver, Err: err}}
	}
	allDvers := strings.Join(dvers, ",")
	if task == TaskQuilt {
		allDvers = "-"
	}
	if err := ValidatePackageDir(pkgdir); err != nil {
		return fail(allDvers, err)
	}
	l, err := NewLayout(pkgdir, o.WorkDir)
	if err != nil {
		return fail(allDvers, err)
	}
	if task == TaskQuilt {
		dir, err := quilt(ctx, l, o)
		if err != nil {
			return fail(allDvers, err)
		}
		return []Result{{Package: name, PkgDir: pkgdir, Dver: "-", Outputs: []string{dir}}}
	}
	if err := l.CleanPrevious(); err != nil {
		return fail(allDvers, err)
	}
	slog.Info("assembling sources", "package", name, "into", l.FinalSRPMContents())
	a, err := Assemble(ctx, l, AssembleOptions{Fetcher: o.Fetcher, FullExtract: o.FullExtract})
	if err != nil {
		return fail(allDvers, err)
	}
	defer a.Wait()
	var results []Result
	for _, dver := range dvers {
		r := Result{Package: name, PkgDir: pkgdir, Dver: dver}
		r.Outputs, r.Lint, r.Err = runDver(ctx, task, l, a, dver, o)
		results = append(results, r)
	}
	return results
}

func runDver(ctx context.Context, task Task, l Layout, a *Assembly, dver string, o TaskOptions) ([]string, *LintResult, error) {
	slog.Info("building the SRPM", "package", l.Name(), "dver", dver)
	srpm, err := BuildSRPM(ctx, l, a.Spec, dver, o.DistroTag, o.Output)
	if err != nil {
		return nil, nil, err
	}
	switch task {
	case TaskPrebuild:
		return []string{srpm}, nil, nil
	case TaskPrepare:
		slog.Info("preparing the sources (rpmbuild -bp)", "dver", dver, "log", filepath.Join(l.BuildResults(), "prepare-"+dver+".log"))
		dir, err := Prepare(ctx, l, srpm, dver, o.DistroTag, o.TargetArch, o.Output)
		if err != nil {
			return nil, nil, err
		}
		return []string{dir}, nil, nil
	case TaskRpmbuild:
		slog.Info("building RPMs (rpmbuild --rebuild)", "dver", dver, "log", filepath.Join(l.BuildResults(), "rpmbuild-"+dver+".log"))
		rpms, err := Rebuild(ctx, l, srpm, dver, o.DistroTag, o.TargetArch, o.Output)
		return rpms, nil, err
	case TaskLint:
		if err := os.MkdirAll(l.BuildResults(), 0o755); err != nil {
			return nil, nil, err
		}
		res, err := Lint(ctx, []string{srpm}, filepath.Join(l.BuildResults(), "lint-"+dver+".log"))
		if err != nil {
			return nil, nil, err
		}
		return []string{srpm}, res, nil
	case TaskMock:
		rpms, err := MockRebuild(ctx, l, srpm, dver, o)
		return rpms, nil, err
	}
	return nil, nil, fmt.Errorf("unknown task %q", task)
}

// quilt assembles the sources into _quilt and runs quilt setup there.
func quilt(ctx context.Context, l Layout, o TaskOptions) (string, error) {
	if _, ok := runner.Look("quilt"); !ok {
		return "", ErrQuiltMissing
	}
	dir := l.Dir(DirQuilt)
	if err := os.RemoveAll(dir); err != nil {
		return "", fmt.Errorf("clean %s: %w", dir, err)
	}
	slog.Info("assembling sources", "package", l.Name(), "into", dir)
	a, err := AssembleInPlace(ctx, l.PkgDir, dir, l.Root, AssembleOptions{Fetcher: o.Fetcher, FullExtract: o.FullExtract})
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(l.BuildResults(), 0o755); err != nil {
		return "", err
	}
	if err := QuiltSetup(ctx, dir, a.Spec, filepath.Join(l.BuildResults(), "quilt.log")); err != nil {
		return "", err
	}
	return dir, nil
}

// MockRebuild runs mock rebuild on the SRPM with the results in
// _build_results, then mock clean unless o.MockNoClean, and returns the
// binary RPMs made.
func MockRebuild(ctx context.Context, l Layout, srpm, dver string, o TaskOptions) ([]string, error) {
	dir := l.BuildResults()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	logPath, err := l.logPath("mock", dver)
	if err != nil {
		return nil, err
	}
	args := MockRebuildArgs(MockOptions{
		Config: o.MockConfig, ResultDir: dir, SRPM: srpm, TargetArch: o.TargetArch,
		Version: o.MockVersion, TargetDver: dver, HostDver: o.HostDver,
	})
	slog.Info("building in mock", "dver", dver, "log", logPath)
	_, err = runner.Run(ctx, runner.Cmd{Name: "mock", Args: args, LogPath: logPath, Stdout: o.Output, Stderr: o.Output})
	if !o.MockNoClean {
		if _, cerr := runner.Run(ctx, runner.Cmd{Name: "mock", Args: MockCleanArgs(o.MockConfig), LogPath: logPath}); cerr != nil {
			slog.Warn("mock clean failed", "err", cerr)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("mock build of %s failed (see also %s/build.log and root.log): %w", filepath.Base(srpm), dir, err)
	}
	all, _ := filepath.Glob(filepath.Join(dir, "*.rpm"))
	var rpms []string
	for _, p := range all {
		if !strings.HasSuffix(p, ".src.rpm") {
			rpms = append(rpms, p)
		}
	}
	if len(rpms) == 0 {
		return nil, fmt.Errorf("mock made no binary RPMs in %s; log: %s", dir, logPath)
	}
	sort.Strings(rpms)
	return rpms, nil
}
