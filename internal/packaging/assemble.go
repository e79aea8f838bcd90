package packaging

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/osg-htc/osg-build-go/internal/runner"
)

// Fetcher downloads the files described by .source files into destdir and
// returns the paths it wrote. internal/packaging/fetch implements it.
type Fetcher interface {
	Fetch(ctx context.Context, sourceFiles []string, destdir string) ([]string, error)
}

// AssembleOptions controls [Assemble] and [AssembleInPlace].
type AssembleOptions struct {
	// Fetcher downloads upstream/*.source; nil is an error when there are
	// .source files.
	Fetcher Fetcher
	// FullExtract also unpacks every downloaded archive and the files of
	// upstream SRPMs into _upstream_tarball_contents.
	FullExtract bool
}

// Assembly is the result of assembling a package's SRPM contents.
type Assembly struct {
	// Dir is the directory holding the assembled files.
	Dir string
	// Spec is the path of the one spec file in Dir.
	Spec string
	// Downloaded are the paths (in Dir) the fetcher wrote.
	Downloaded []string
	// Files are the names of the files in Dir, sorted.
	Files []string

	removed chan struct{} // closed when the previous contents are gone
}

// Wait waits until the previous contents that the assembly replaced are
// removed. That runs in the background so that rpmbuild can start at once;
// call Wait before the process exits.
func (a *Assembly) Wait() {
	if a != nil && a.removed != nil {
		<-a.removed
	}
}

// SpecCountError reports a wrong number of spec files in the assembled sources.
type SpecCountError struct {
	// PkgDir is the package directory the sources were assembled for.
	PkgDir string
	Specs  []string // base name (origin)
}

func (e *SpecCountError) Error() string {
	if len(e.Specs) == 0 {
		return fmt.Sprintf("no .spec file among the sources assembled for %s: put the spec in osg/ (or provide it through an upstream SRPM or a git source's rpm/<name>.spec)", e.PkgDir)
	}
	return fmt.Sprintf("%d .spec files among the sources assembled for %s (%s): there must be exactly one; remove the extra ones or give osg/ a spec of the same name to override", len(e.Specs), e.PkgDir, strings.Join(e.Specs, ", "))
}

// Assemble builds the SRPM contents of the package in l into
// _final_srpm_contents, and the unpacked upstream SRPMs into
// _upstream_srpm_contents (and with FullExtract the unpacked archives into
// _upstream_tarball_contents). Everything is built in temporary directories
// next to the targets and renamed into place only when all steps succeeded,
// so a failure leaves the previous contents as they were.
func Assemble(ctx context.Context, l Layout, opts AssembleOptions) (*Assembly, error) {
	if err := os.MkdirAll(l.Root, 0o755); err != nil {
		return nil, fmt.Errorf("create %s: %w", l.Root, err)
	}
	st := &staging{root: l.Root}
	defer st.abort()
	final, err := st.dir(DirFinalSRPMContents)
	if err != nil {
		return nil, err
	}
	// The upstream SRPM contents are staged only when there is an upstream
	// SRPM (lazily, in assemble).
	srpmDir := func() (string, error) { return st.dir(DirUpstreamSRPMContents) }
	var tarDir string
	if opts.FullExtract {
		if tarDir, err = st.dir(DirUpstreamTarballContent); err != nil {
			return nil, err
		}
	}
	a, err := assemble(ctx, l.PkgDir, final, srpmDir, tarDir, opts)
	if err != nil {
		return nil, err
	}
	if err := st.commit(); err != nil {
		return nil, err
	}
	a.removed = make(chan struct{})
	go func() {
		defer close(a.removed)
		for _, d := range st.trash {
			_ = os.RemoveAll(d)
		}
	}()
	// Generated directories not made this time are stale: remove them.
	for _, name := range []string{DirUpstreamSRPMContents, DirUpstreamTarballContent} {
		if !st.has(name) {
			if err := os.RemoveAll(l.Dir(name)); err != nil {
				return nil, fmt.Errorf("remove the previous %s: %w", name, err)
			}
		}
	}
	// Report the final paths, not the staging ones.
	target := l.FinalSRPMContents()
	for i, p := range a.Downloaded {
		if rel, err := filepath.Rel(final, p); err == nil && !strings.HasPrefix(rel, "..") {
			a.Downloaded[i] = filepath.Join(target, rel)
		}
	}
	a.Dir = target
	a.Spec = filepath.Join(target, filepath.Base(a.Spec))
	return a, nil
}

// AssembleInPlace assembles the SRPM contents of the package in pkgdir into
// destdir itself (which may be pkgdir), the way Koji's builder-side
// fetch-sources does: downloads, upstream SRPM contents (unpacked into
// genRoot/_upstream_srpm_contents; genRoot "" = pkgdir), other upstream/
// files, then osg/. Nothing is staged: destdir is filled directly.
func AssembleInPlace(ctx context.Context, pkgdir, destdir, genRoot string, opts AssembleOptions) (*Assembly, error) {
	if genRoot == "" {
		genRoot = pkgdir
	}
	srpmDir := filepath.Join(genRoot, DirUpstreamSRPMContents)
	if err := os.RemoveAll(srpmDir); err != nil {
		return nil, fmt.Errorf("clean %s: %w", srpmDir, err)
	}
	var tarDir string
	if opts.FullExtract {
		tarDir = filepath.Join(genRoot, DirUpstreamTarballContent)
		if err := os.RemoveAll(tarDir); err != nil {
			return nil, fmt.Errorf("clean %s: %w", tarDir, err)
		}
	}
	for _, d := range []string{destdir, tarDir} {
		if d == "" {
			continue
		}
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, fmt.Errorf("create %s: %w", d, err)
		}
	}
	return assemble(ctx, pkgdir, destdir, func() (string, error) { return srpmDir, nil }, tarDir, opts)
}

// SourceFiles returns upstream/*.source of pkgdir in glob (sorted) order.
func SourceFiles(pkgdir string) ([]string, error) {
	files, err := filepath.Glob(filepath.Join(pkgdir, "upstream", "*.source"))
	if err != nil {
		return nil, err
	}
	var out []string
	for _, f := range files {
		if st, err := os.Stat(f); err == nil && st.Mode().IsRegular() {
			out = append(out, f)
		}
	}
	sort.Strings(out)
	return out, nil
}

// assemble does the steps of osg-build's fetch(): 1. downloads, 2. upstream
// SRPM contents, 3. other upstream/ files, 4. full extract, 5. osg/ on top,
// 6. exactly one spec.
func assemble(ctx context.Context, pkgdir, destdir string, srpmDirFn func() (string, error), tarDir string, opts AssembleOptions) (*Assembly, error) {
	origin := map[string]string{} // file name in destdir -> where it came from
	a := &Assembly{Dir: destdir}

	// 1. downloads
	sources, err := SourceFiles(pkgdir)
	if err != nil {
		return nil, err
	}
	if len(sources) > 0 {
		if opts.Fetcher == nil {
			return nil, errors.New("internal error: no fetcher for upstream/*.source")
		}
		got, err := opts.Fetcher.Fetch(ctx, sources, destdir)
		if err != nil {
			return nil, err
		}
		a.Downloaded = got
		for _, p := range got {
			origin[filepath.Base(p)] = "downloaded"
		}
	}

	// 2. upstream SRPM contents
	srpmDir := ""
	for _, p := range a.Downloaded {
		if !strings.HasSuffix(p, ".src.rpm") {
			continue
		}
		if srpmDir == "" {
			if srpmDir, err = srpmDirFn(); err != nil {
				return nil, err
			}
		}
		slog.Info("unpacking upstream SRPM", "srpm", filepath.Base(p))
		if err := unpackRPM(ctx, p, srpmDir); err != nil {
			return nil, fmt.Errorf("unpack upstream SRPM %s: %w", filepath.Base(p), err)
		}
		if err := copyFiles(srpmDir, destdir, "upstream SRPM "+filepath.Base(p), origin, func(string) bool { return true }); err != nil {
			return nil, err
		}
	}

	// 3. other upstream/ files
	if err := copyFiles(filepath.Join(pkgdir, "upstream"), destdir, "upstream/", origin, func(name string) bool {
		return !strings.HasSuffix(name, ".source")
	}); err != nil {
		return nil, err
	}

	// 4. full extract
	if tarDir != "" {
		var archives []string
		archives = append(archives, a.Downloaded...)
		if srpmDir == "" {
			// nothing unpacked
		} else if ents, err := os.ReadDir(srpmDir); err == nil {
			for _, e := range ents {
				if e.Type().IsRegular() {
					archives = append(archives, filepath.Join(srpmDir, e.Name()))
				}
			}
		}
		for _, p := range archives {
			if err := ExtractArchive(ctx, p, tarDir); err != nil {
				return nil, fmt.Errorf("full extract of %s: %w", filepath.Base(p), err)
			}
		}
	}

	// 5. osg/ on top
	if err := copyFiles(filepath.Join(pkgdir, "osg"), destdir, "osg/", origin, func(string) bool { return true }); err != nil {
		return nil, err
	}

	// 6. exactly one spec
	ents, err := os.ReadDir(destdir)
	if err != nil {
		return nil, err
	}
	var specs []string
	for _, e := range ents {
		if e.IsDir() {
			continue
		}
		a.Files = append(a.Files, e.Name())
		if strings.HasSuffix(e.Name(), ".spec") && e.Type().IsRegular() {
			specs = append(specs, e.Name())
		}
	}
	if len(specs) != 1 {
		se := &SpecCountError{PkgDir: pkgdir}
		for _, s := range specs {
			o := origin[s]
			if o == "" {
				o = "already there"
			}
			se.Specs = append(se.Specs, s+" from "+o)
		}
		return nil, se
	}
	a.Spec = filepath.Join(destdir, specs[0])
	return a, nil
}

// skipName reports the names osg-build never copies: backups (*~), hidden
// files and underscore directories.
func skipName(name string) bool {
	return strings.HasSuffix(name, "~") || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")
}

// copyFiles copies the regular files (following symlinks) directly in src
// into dst, overwriting, skipping directories and [skipName] names. A
// missing src is not an error.
func copyFiles(src, dst, what string, origin map[string]string, want func(string) bool) error {
	ents, err := os.ReadDir(src)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read %s: %w", src, err)
	}
	for _, e := range ents {
		name := e.Name()
		if skipName(name) || !want(name) {
			continue
		}
		p := filepath.Join(src, name)
		st, err := os.Stat(p)
		if err != nil {
			return fmt.Errorf("copy %s: %w", p, err)
		}
		if !st.Mode().IsRegular() {
			continue
		}
		if err := copyFile(p, filepath.Join(dst, name), st.Mode().Perm()); err != nil {
			return err
		}
		origin[name] = what
	}
	return nil
}

// copyFile copies src to dst with the permission bits perm.
func copyFile(src, dst string, perm os.FileMode) error {
	in, err := os.Open(src)
	if err != nil {
		return fmt.Errorf("copy %s: %w", src, err)
	}
	defer in.Close()
	// Remove first: dst may be a read-only file from an earlier step.
	_ = os.Remove(dst)
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, perm|0o200)
	if err != nil {
		return fmt.Errorf("copy %s: %w", src, err)
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return fmt.Errorf("copy %s to %s: %w", src, dst, err)
	}
	if err := out.Close(); err != nil {
		return fmt.Errorf("copy %s to %s: %w", src, dst, err)
	}
	return nil
}

// unpackRPM extracts the payload of an RPM into dir with rpm2cpio | cpio
// -id, the pipe made in Go (no shell).
func unpackRPM(ctx context.Context, rpmPath, dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	pr, pw := io.Pipe()
	errc := make(chan error, 1)
	go func() {
		_, err := runner.Run(ctx, runner.Cmd{Name: "rpm2cpio", Args: []string{rpmPath}, Stdout: pw})
		pw.CloseWithError(err)
		errc <- err
	}()
	_, cerr := runner.Run(ctx, runner.Cmd{
		Name:  "cpio",
		Args:  []string{"-id", "--quiet", "--no-absolute-filenames"},
		Dir:   dir,
		Stdin: pr,
	})
	pr.Close()
	rerr := <-errc
	if rerr != nil {
		return rerr
	}
	return cerr
}

// staging builds directories under root with temporary names and renames
// them to their final names together in commit.
type staging struct {
	root  string
	dirs  []string // temporary paths
	names []string // final names
	trash []string // replaced directories, to remove after commit
	done  bool
}

// dir makes a temporary directory that will become root/name.
func (s *staging) dir(name string) (string, error) {
	d, err := os.MkdirTemp(s.root, ".tmp"+name+"-")
	if err != nil {
		return "", fmt.Errorf("create a temporary directory for %s: %w", name, err)
	}
	s.dirs = append(s.dirs, d)
	s.names = append(s.names, name)
	return d, nil
}

// has reports whether name was staged.
func (s *staging) has(name string) bool {
	for _, n := range s.names {
		if n == name {
			return true
		}
	}
	return false
}

// commit replaces root/name by each temporary directory.
func (s *staging) commit() error {
	for i, d := range s.dirs {
		target := filepath.Join(s.root, s.names[i])
		if i > 0 {
			// Only the first (the final SRPM contents) is kept when empty.
			if ents, err := os.ReadDir(d); err == nil && len(ents) == 0 {
				_ = os.Remove(d)
				if err := os.RemoveAll(target); err != nil {
					return fmt.Errorf("remove the previous %s: %w", s.names[i], err)
				}
				continue
			}
		}
		old := ""
		if _, err := os.Lstat(target); err == nil {
			old = d + ".old"
			if err := os.Rename(target, old); err != nil {
				return fmt.Errorf("replace %s: %w", target, err)
			}
		}
		if err := os.Rename(d, target); err != nil {
			if old != "" {
				_ = os.Rename(old, target)
			}
			return fmt.Errorf("move the new %s into place: %w", s.names[i], err)
		}
		if old != "" {
			s.trash = append(s.trash, old)
		}
	}
	s.done = true
	return nil
}

// abort removes the temporary directories of an uncommitted staging.
func (s *staging) abort() {
	if s.done {
		return
	}
	for _, d := range s.dirs {
		_ = os.RemoveAll(d)
	}
}
