// Package builder builds binary RPMs from an SRPM for the embedded hub's
// task engine, the way a Koji builder does in a buildroot: with mock, from
// a mock config generated the way Koji's genMockConfig writes it (MockConfig)
// when mock is installed, or else with rpmbuild in a clean per-task topdir,
// the build tag's macros as defines, and the SRPM's BuildRequires resolved
// against the build tag's repo first (an unresolvable one fails the build
// with the message mock's dnf writes to root.log).
//
// Every program runs through internal/runner: its own process group, killed
// when the context is canceled (cancelTask).
package builder

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"time"

	"github.com/osg-htc/osg-build-go/internal/runner"
)

// RepoRef is the build tag's repo a build uses.
type RepoRef struct {
	// ID is the repo id; Tag the build tag's name.
	ID  int64
	Tag string
	// ArchDir is the local directory of the repo for the build arch
	// (topdir/repos/<tag>/<id>/<arch>), holding repodata/.
	ArchDir string
	// BaseURL is the yum baseurl of that directory (file://… or the hub's
	// topurl/…).
	BaseURL string
}

// Job is one buildArch: an SRPM to rebuild for one arch.
type Job struct {
	// SRPM is the path of the source RPM.
	SRPM string
	// Arch is the arch to build for ("noarch" for a noarch package: built
	// on the host's arch).
	Arch string
	// TaskID is the buildArch task (buildroot names).
	TaskID int64
	// OutDir receives the RPMs and the logs (the task's work directory).
	OutDir string
	// WorkDir is a scratch directory for the build (created, and removed
	// when the build ends).
	WorkDir string
	// Macros are the build tag's rpm.macro.* extras, without the prefix
	// (dist -> .osg25.el9).
	Macros map[string]string
	// Env are the build tag's rpm.env.* extras.
	Env map[string]string
	// Repo is the build tag's repo.
	Repo RepoRef
	// TagExtra is the build tag's extra (mock.* keys).
	TagExtra map[string]any
	// HostDeps lets BuildRequires that the repo cannot satisfy be satisfied
	// by the packages installed on the host (rpmbuild builds with the host's
	// tools, so they are what the build uses).
	HostDeps bool
}

// Result lists what a build wrote into OutDir.
type Result struct {
	RPMs  []string // binary RPMs
	SRPMs []string // the rebuilt source RPM
	Logs  []string // build.log, root.log, mock_output.log
	// Components are the build tag's packages the buildroot held
	// (name-version-release.arch): for rpmbuild, those the BuildRequires
	// resolved to; for mock, those of its installed_pkgs.log.
	Components []string
}

// Builder builds a Job.
type Builder interface {
	// Name is "rpmbuild" or "mock".
	Name() string
	// Build runs the job; the error of a failed build is a *BuildError.
	Build(ctx context.Context, j Job) (*Result, error)
}

// BuildError is a failed build: Koji's BuildError fault text, and the
// requirements that could not be resolved (when that is why).
type BuildError struct {
	Arch    string
	Msg     string
	Missing []string
	Log     string // the log to read
}

func (e *BuildError) Error() string {
	if len(e.Missing) > 0 {
		var q []string
		for _, m := range e.Missing {
			q = append(q, "No matching package to install: '"+m+"'")
		}
		return fmt.Sprintf("error building package (arch %s): %s; see %s for more information", e.Arch, strings.Join(q, "; "), e.Log)
	}
	return fmt.Sprintf("error building package (arch %s): %s; see %s for more information", e.Arch, e.Msg, e.Log)
}

// Default returns the mock builder when mock is installed, the rpmbuild
// builder otherwise; name ("mock" or "rpmbuild") forces one.
func Default(name string) (Builder, error) {
	switch name {
	case "mock":
		return &Mock{}, nil
	case "rpmbuild":
		return &RPMBuild{}, nil
	case "":
		if _, ok := runner.Look("mock"); ok {
			return &Mock{}, nil
		}
		return &RPMBuild{}, nil
	}
	return nil, fmt.Errorf("unknown builder %q: use mock or rpmbuild", name)
}

// HostArch is the RPM arch of this machine.
func HostArch() string {
	switch runtime.GOARCH {
	case "amd64":
		return "x86_64"
	case "arm64":
		return "aarch64"
	case "386":
		return "i686"
	case "ppc64le":
		return "ppc64le"
	case "s390x":
		return "s390x"
	}
	return runtime.GOARCH
}

// logFile opens (appending) a log in dir.
func logFile(dir, name string) (*os.File, error) {
	return os.OpenFile(filepath.Join(dir, name), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
}

// logf writes a line with mock's prefix style.
func logf(w io.Writer, format string, args ...any) {
	fmt.Fprintf(w, "%s "+format+"\n", append([]any{time.Now().UTC().Format("2006-01-02 15:04:05,000")}, args...)...)
}

// collect moves the RPMs under dir into out and returns their new paths,
// binary and source apart.
func collect(dir, out string) (rpms, srpms []string, err error) {
	err = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !strings.HasSuffix(p, ".rpm") {
			return nil
		}
		dst := filepath.Join(out, filepath.Base(p))
		if err := os.Rename(p, dst); err != nil {
			return fmt.Errorf("moving %s into %s: %w", p, out, err)
		}
		if strings.HasSuffix(p, ".src.rpm") || strings.HasSuffix(p, ".nosrc.rpm") {
			srpms = append(srpms, dst)
		} else {
			rpms = append(rpms, dst)
		}
		return nil
	})
	sort.Strings(rpms)
	sort.Strings(srpms)
	return rpms, srpms, err
}

// defines turns macros into rpmbuild --define arguments, sorted by name.
func defines(macros map[string]string) []string {
	keys := make([]string, 0, len(macros))
	for k := range macros {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var out []string
	for _, k := range keys {
		out = append(out, "--define", strings.TrimPrefix(k, "%")+" "+macros[k])
	}
	return out
}

// isCanceled reports whether err comes from a canceled context.
func isCanceled(ctx context.Context, err error) bool {
	return ctx.Err() != nil || errors.Is(err, context.Canceled)
}
