// Package packaging does the local work on an OSG package directory (osg/
// plus upstream/*.source): it finds and validates the directory, assembles
// the SRPM contents the way osg-build and Koji's fetch-sources do (downloads,
// upstream SRPM contents, other upstream/ files, then osg/ on top), computes
// the rpmbuild defines for a distribution version, and runs the local tasks
// (prebuild, prepare, rpmbuild, quilt, lint, mock) through the runner.
//
// It knows nothing of cobra or terminals; the commands in internal/cmd/build
// wire it up. Downloads are done by a [Fetcher] (internal/packaging/fetch).
package packaging

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// The directories osg-build generates next to osg/ and upstream/.
const (
	DirBuildResults           = "_build_results"
	DirFinalSRPMContents      = "_final_srpm_contents"
	DirUpstreamSRPMContents   = "_upstream_srpm_contents"
	DirUpstreamTarballContent = "_upstream_tarball_contents"
	DirQuilt                  = "_quilt"
)

// UnderscoreDirs are the generated directories, in the order osg-build lists them.
var UnderscoreDirs = []string{DirBuildResults, DirFinalSRPMContents, DirUpstreamSRPMContents, DirUpstreamTarballContent, DirQuilt}

// GuessPackageDir returns the package directory to use when none was given,
// from the current directory cwd: cwd itself, its parent when cwd is named
// osg or upstream, or the path up to an underscore directory cwd is inside.
func GuessPackageDir(cwd string) string {
	cwd = filepath.Clean(cwd)
	parts := strings.Split(cwd, string(filepath.Separator))
	for i, p := range parts {
		for _, u := range UnderscoreDirs {
			if p == u && i > 0 {
				dir := strings.Join(parts[:i], string(filepath.Separator))
				if dir == "" {
					dir = string(filepath.Separator)
				}
				return dir
			}
		}
	}
	switch filepath.Base(cwd) {
	case "osg", "upstream":
		return filepath.Dir(cwd)
	}
	return cwd
}

// ErrNotPackageDir is wrapped by the error of [ValidatePackageDir] for a
// directory that holds neither osg/ nor upstream/.
var ErrNotPackageDir = errors.New("not a package directory")

// ValidatePackageDir checks that dir exists, is a directory and holds osg/
// or upstream/ (or both).
func ValidatePackageDir(dir string) error {
	st, err := os.Stat(dir)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return fmt.Errorf("package directory %s does not exist: give the path of a directory holding osg/ and/or upstream/", dir)
	case err != nil:
		return fmt.Errorf("package directory %s: %w", dir, err)
	case !st.IsDir():
		return fmt.Errorf("package directory %s is not a directory: give the path of a directory holding osg/ and/or upstream/", dir)
	}
	for _, sub := range []string{"osg", "upstream"} {
		if st, err := os.Stat(filepath.Join(dir, sub)); err == nil && st.IsDir() {
			return nil
		}
	}
	return fmt.Errorf("%s has neither an osg/ nor an upstream/ subdirectory: %w (run the command in, or give the path of, a package directory)", dir, ErrNotPackageDir)
}

// Layout says where the generated directories of one package go.
type Layout struct {
	// PkgDir is the package directory (holding osg/ and/or upstream/).
	PkgDir string
	// Root is where the underscore directories are made: PkgDir itself, or
	// a directory under the working directory given with -w.
	Root string
}

// NewLayout returns the layout for the package directory pkgdir with the
// underscore directories under workdir ("" or "." = inside pkgdir). Like
// osg-build, the package path is joined to workdir with its leading ../
// parts stripped; an absolute package path contributes its base name.
func NewLayout(pkgdir, workdir string) (Layout, error) {
	abs, err := filepath.Abs(pkgdir)
	if err != nil {
		return Layout{}, fmt.Errorf("package directory %s: %w", pkgdir, err)
	}
	l := Layout{PkgDir: abs, Root: abs}
	if workdir == "" || workdir == "." {
		return l, nil
	}
	wabs, err := filepath.Abs(workdir)
	if err != nil {
		return Layout{}, fmt.Errorf("working directory %s: %w", workdir, err)
	}
	rel := filepath.Clean(pkgdir)
	if filepath.IsAbs(rel) {
		rel = filepath.Base(rel)
	}
	for rel == ".." || strings.HasPrefix(rel, "../") {
		rel = strings.TrimPrefix(strings.TrimPrefix(rel, ".."), "/")
	}
	if rel == "" || rel == "." {
		rel = filepath.Base(abs)
	}
	l.Root = filepath.Join(wabs, rel)
	return l, nil
}

// Dir returns the path of one of the underscore directories.
func (l Layout) Dir(name string) string { return filepath.Join(l.Root, name) }

// FinalSRPMContents is the directory the SRPM is built from.
func (l Layout) FinalSRPMContents() string { return l.Dir(DirFinalSRPMContents) }

// BuildResults is the directory binary builds write to.
func (l Layout) BuildResults() string { return l.Dir(DirBuildResults) }

// Name returns the package name used in messages: the base name of the
// package directory.
func (l Layout) Name() string { return filepath.Base(l.PkgDir) }

// CleanPrevious removes the generated directories of earlier runs
// (_build_results, _upstream_srpm_contents, _upstream_tarball_contents), as
// osg-build 1.99.5+ always does. _final_srpm_contents is replaced by
// [Assemble] only when the new contents are complete; _quilt is the quilt
// task's own.
func (l Layout) CleanPrevious() error {
	for _, d := range []string{DirBuildResults, DirUpstreamSRPMContents, DirUpstreamTarballContent} {
		if err := os.RemoveAll(l.Dir(d)); err != nil {
			return fmt.Errorf("clean previous %s: %w", d, err)
		}
	}
	return nil
}
