package fetch

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"

	"github.com/osg-htc/osg-build-go/internal/packaging/source"
	"github.com/osg-htc/osg-build-go/internal/runner"
)

// gitCacheVersion changes when the way tarballs are made changes, so that
// old cached tarballs are not reused.
const gitCacheVersion = "git-archive-gzip-n-v1"

var fullHashRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^([0-9a-f]{40}|[0-9a-f]{64})$`) })

// gitRun runs git with the given environment in dir and returns its
// trimmed stdout.
func gitRun(ctx context.Context, dir string, env []string, args ...string) (string, error) {
	return runner.Output(ctx, runner.Cmd{Name: "git", Args: args, Dir: dir, Env: env})
}

// gitEnv is the environment of every git command: no terminal prompts for
// credentials, which would hang a build.
func gitEnv(extra ...string) []string {
	return append([]string{"GIT_TERMINAL_PROMPT=0", "GIT_ASK_YESNO=false"}, extra...)
}

func (f *Fetcher) fetchGit(ctx context.Context, l source.Line, ls *lineStage) ([]staged, error) {
	if _, ok := runner.Look("git"); !ok {
		return nil, lineErrorf(l, "git is not on PATH: install git to fetch git sources")
	}
	prefix, tarball := l.GitPrefixAndTarball()
	spec := ""
	if f.opts.WantSpec {
		spec = l.SpecPath()
	}

	// A tarball made from a verified full hash is the same every time.
	key := ""
	if f.cache != "" && fullHashRE().MatchString(strings.ToLower(l.Hash)) {
		sum := sha256.Sum256([]byte(strings.Join([]string{gitCacheVersion, strings.ToLower(l.Hash), prefix,
			fmt.Sprint(l.Submodules), spec}, "\x00")))
		key = hex.EncodeToString(sum[:])
		if outs, ok := f.gitFromCache(key, ls, tarball, spec); ok {
			f.log.Info(fmt.Sprintf("Using cached %s (%s tag %s)", tarball, l.URL, l.Tag))
			return outs, nil
		}
	}

	remote, err := resolveGitURL(l.URL)
	if err != nil {
		return nil, &LineError{Line: l, Err: err}
	}
	f.log.Info(fmt.Sprintf("Retrieving %s %s", l.URL, l.Tag))
	dir, err := ls.dir()
	if err != nil {
		return nil, &LineError{Line: l, Err: err}
	}
	work := filepath.Join(dir, "work")
	var env []string
	var gitDir string
	if l.Submodules {
		if _, err := gitRun(ctx, dir, gitEnv(), "init", "-q", work); err != nil {
			return nil, &LineError{Line: l, Err: err}
		}
		gitDir = filepath.Join(work, ".git")
		env = gitEnv("GIT_DIR="+gitDir, "GIT_WORK_TREE="+work)
	} else {
		gitDir = work
		env = gitEnv("GIT_DIR=" + gitDir)
		if _, err := gitRun(ctx, dir, env, "init", "-q", "--bare"); err != nil {
			return nil, &LineError{Line: l, Err: err}
		}
	}
	if _, err := gitRun(ctx, dir, env, "remote", "add", "origin", remote); err != nil {
		return nil, &LineError{Line: l, Err: err}
	}

	fetchArgs := []string{"fetch", "-q", "--depth=1", "origin"}
	if l.Tag != "HEAD" {
		_, err = gitRun(ctx, dir, env, append(fetchArgs, "tag", l.Tag)...)
	}
	if l.Tag == "HEAD" || err != nil {
		_, err = gitRun(ctx, dir, env, append(fetchArgs, l.Tag)...)
	}
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, lineErrorf(l, "cannot fetch tag %q from %s: %w\n  check that the tag exists (git ls-remote --tags %s) and that the URL is right and reachable",
			l.Tag, l.URL, tail(err), l.URL)
	}
	got, err := gitRun(ctx, dir, env, "rev-parse", "FETCH_HEAD")
	if err != nil {
		return nil, &LineError{Line: l, Err: err}
	}
	if first, _, ok := strings.Cut(got, "\n"); ok {
		got = first
	}

	verified := false
	switch {
	case l.Hash == "":
		msg := fmt.Sprintf("no hash= for %s tag %s (it is at %s): add hash=%s", l.URL, l.Tag, got, got)
		if f.opts.Strict {
			return nil, lineErrorf(l, "%s", msg)
		}
		f.log.Warn(fmt.Sprintf("%s:%d: %s; it will be required for official builds", l.File, l.LineNo, msg))
	case l.Hash == got || f.deref(ctx, dir, env, l.Hash) == f.deref(ctx, dir, env, got):
		verified = true
	default:
		err := &MismatchError{What: "hash", Subject: fmt.Sprintf("%s tag %s", l.URL, l.Tag), Expected: l.Hash, Got: got}
		if f.opts.Strict {
			return nil, &LineError{Line: l, Err: err}
		}
		f.log.Warn(fmt.Sprintf("%s:%d: %v\n  (ignored: not strict)", l.File, l.LineNo, err))
	}

	tarPath := filepath.Join(dir, "archive.tar")
	if l.Submodules {
		err = f.archiveWithSubmodules(ctx, dir, env, work, got, prefix, tarPath, remote)
	} else {
		_, err = gitRun(ctx, dir, env, "archive", "--format=tar", "--prefix="+prefix+"/", "--output="+tarPath, got)
	}
	if err != nil {
		return nil, lineErrorf(l, "make the tarball of %s tag %s: %w", l.URL, l.Tag, err)
	}
	// gzip -n stores no name and no time: the same tar gives the same bytes
	// (and the same bytes as osg-build's `git archive | gzip -n`).
	if _, err := runner.Run(ctx, runner.Cmd{Name: "gzip", Args: []string{"-n", "-f", tarPath}, Dir: dir}); err != nil {
		return nil, lineErrorf(l, "compress the tarball of %s tag %s: %w", l.URL, l.Tag, err)
	}
	outs := []staged{{tmp: tarPath + ".gz", name: tarball}}

	if spec != "" {
		rev := got + ":" + spec
		if _, err := gitRun(ctx, dir, env, "rev-parse", "-q", "--verify", rev); err != nil {
			f.log.Debug("no spec file in the repository", "rev", rev)
		} else {
			res, err := runner.Run(ctx, runner.Cmd{Name: "git", Args: []string{"cat-file", "blob", rev}, Dir: dir, Env: env})
			if err != nil {
				return nil, lineErrorf(l, "read %s from %s: %w", spec, l.URL, err)
			}
			specTmp := filepath.Join(dir, "spec")
			if err := os.WriteFile(specTmp, res.Stdout, 0o644); err != nil {
				return nil, lineErrorf(l, "write %s: %w", spec, err)
			}
			outs = append(outs, staged{tmp: specTmp, name: filepath.Base(spec)})
		}
	}
	if key != "" && verified {
		f.gitToCache(key, outs, spec != "")
	}
	return outs, nil
}

// deref is osg-build's deref_git_sha: the commit an annotated tag points
// to, or sha itself when git cannot resolve it.
func (f *Fetcher) deref(ctx context.Context, dir string, env []string, sha string) string {
	out, err := gitRun(ctx, dir, env, "rev-parse", "-q", "--verify", sha+"^{}")
	if err != nil || out == "" {
		return sha
	}
	return out
}

// tail shortens a runner error to the tail of git's output.
func tail(err error) error {
	var ee *runner.ExitError
	if errors.As(err, &ee) && ee.Tail != "" {
		return errors.New(strings.TrimSpace(ee.Tail))
	}
	return err
}

// resolveGitURL makes a relative local repository path (url=. in
// osg-build's own test source) absolute, relative to the current
// directory as osg-build's git commands saw it; git runs elsewhere here.
func resolveGitURL(u string) (string, error) {
	if u == "" || strings.Contains(u, "://") || strings.HasPrefix(u, "/") {
		return u, nil
	}
	if i := strings.IndexByte(u, ':'); i > 0 && !strings.Contains(u[:i], "/") {
		return u, nil // scp-like user@host:path
	}
	abs, err := filepath.Abs(u)
	if err != nil {
		return "", fmt.Errorf("resolve git url %q: %w", u, err)
	}
	return abs, nil
}

// isLocalURL reports whether a git URL points at the local file system.
func isLocalURL(u string) bool {
	return strings.HasPrefix(u, "file://") || strings.HasPrefix(u, "/") || strings.HasPrefix(u, ".")
}

// archiveWithSubmodules checks out sha in the work tree, fetches its
// submodules (recursively) and writes one tar: the repository's own
// archive followed by each submodule's, under prefix/<path>/.
func (f *Fetcher) archiveWithSubmodules(ctx context.Context, dir string, env []string, work, sha, prefix, tarPath, url string) error {
	if _, err := gitRun(ctx, work, env, "-c", "advice.detachedHead=false", "checkout", "-q", sha); err != nil {
		return fmt.Errorf("check out %s: %w", sha, err)
	}
	// Submodules over the file transport are refused by default since git
	// 2.38.1; allow them only when the repository itself is local.
	subArgs := []string{"submodule", "update", "--init", "--recursive", "-q"}
	if isLocalURL(url) {
		subArgs = append([]string{"-c", "protocol.file.allow=always"}, subArgs...)
	}
	// The submodule commands need the work tree as their directory and no
	// GIT_DIR override (each submodule has its own).
	if _, err := gitRun(ctx, work, gitEnv(), subArgs...); err != nil {
		return fmt.Errorf("fetch the submodules: %w", tail(err))
	}

	out, err := os.Create(tarPath)
	if err != nil {
		return err
	}
	defer out.Close()
	tw := &tarConcat{w: out}
	main := filepath.Join(dir, "main.tar")
	if _, err := gitRun(ctx, work, gitEnv(), "archive", "--format=tar", "--prefix="+prefix+"/", "--output="+main, sha); err != nil {
		return err
	}
	if err := tw.appendFile(main, false); err != nil {
		return err
	}
	n := 0
	var walk func(repo, rev, rel string) error
	walk = func(repo, rev, rel string) error {
		res, err := runner.Run(ctx, runner.Cmd{Name: "git", Args: []string{"ls-tree", "-r", "-z", rev}, Dir: repo, Env: gitEnv()})
		if err != nil {
			return err
		}
		for _, ent := range bytes.Split(res.Stdout, []byte{0}) {
			meta, path, ok := strings.Cut(string(ent), "\t")
			if !ok || !strings.HasPrefix(meta, "160000 commit ") {
				continue
			}
			subSHA := strings.TrimPrefix(meta, "160000 commit ")
			subRepo := filepath.Join(repo, path)
			subRel := rel + path + "/"
			n++
			subTar := filepath.Join(dir, fmt.Sprintf("sub%d.tar", n))
			if _, err := gitRun(ctx, subRepo, gitEnv(), "archive", "--format=tar", "--prefix="+prefix+"/"+subRel,
				"--output="+subTar, subSHA); err != nil {
				return fmt.Errorf("archive submodule %s: %w", subRel, err)
			}
			if err := tw.appendFile(subTar, true); err != nil {
				return err
			}
			if err := walk(subRepo, subSHA, subRel); err != nil {
				return err
			}
		}
		return nil
	}
	if err := walk(work, sha, ""); err != nil {
		return err
	}
	if err := tw.close(); err != nil {
		return err
	}
	return out.Close()
}

// tarConcat joins tar archives: the entries of each, then one end-of-archive
// marker, padded to git archive's 10240-byte records.
type tarConcat struct {
	w io.Writer
	n int64
}

const tarBlock = 512

func (t *tarConcat) write(p []byte) error {
	n, err := t.w.Write(p)
	t.n += int64(n)
	return err
}

// appendFile copies the entries of the tar file at path, without its end
// marker; skipGlobal drops pax global headers (git's commit id comment),
// so that only the first archive's stays.
func (t *tarConcat) appendFile(path string, skipGlobal bool) error {
	in, err := os.Open(path)
	if err != nil {
		return err
	}
	defer in.Close()
	hdr := make([]byte, tarBlock)
	for {
		if _, err := io.ReadFull(in, hdr); err != nil {
			return fmt.Errorf("read %s: %w", path, err)
		}
		if bytes.Count(hdr, []byte{0}) == tarBlock {
			return nil
		}
		size, err := tarSize(hdr[124:136])
		if err != nil {
			return fmt.Errorf("read %s: %w", path, err)
		}
		data := (size + tarBlock - 1) / tarBlock * tarBlock
		if skipGlobal && hdr[156] == 'g' {
			if _, err := io.CopyN(io.Discard, in, data); err != nil {
				return err
			}
			continue
		}
		if err := t.write(hdr); err != nil {
			return err
		}
		n, err := io.CopyN(t.w, in, data)
		t.n += n
		if err != nil {
			return fmt.Errorf("read %s: %w", path, err)
		}
	}
}

// tarSize decodes a tar size field (octal, or base-256 for large files).
func tarSize(field []byte) (int64, error) {
	if field[0]&0x80 != 0 {
		var v int64
		for i, b := range field {
			if i == 0 {
				b &= 0x7f
			}
			v = v<<8 | int64(b)
		}
		return v, nil
	}
	s := strings.Trim(string(field), " \x00")
	var v int64
	for _, c := range s {
		if c < '0' || c > '7' {
			return 0, fmt.Errorf("bad tar size field %q", s)
		}
		v = v*8 + int64(c-'0')
	}
	return v, nil
}

func (t *tarConcat) close() error {
	const record = 20 * tarBlock
	pad := record - t.n%record
	if pad < 2*tarBlock {
		pad += record
	}
	return t.write(make([]byte, pad))
}

// gitCacheDir is the cache directory for a git tarball key.
func (f *Fetcher) gitCacheDir(key string) string {
	return filepath.Join(f.cache, "git", key[:2], key)
}

// gitFromCache copies a cached tarball (and spec) into dir.
func (f *Fetcher) gitFromCache(key string, ls *lineStage, tarball, spec string) ([]staged, bool) {
	cdir := f.gitCacheDir(key)
	want, err := os.ReadFile(filepath.Join(cdir, "archive.tar.gz.sha256"))
	if err != nil {
		return nil, false
	}
	tmp := ls.file("archive.tar.gz")
	in, err := os.Open(filepath.Join(cdir, "archive.tar.gz"))
	if err != nil {
		return nil, false
	}
	s, err := writeHashed(tmp, in, f.bar)
	in.Close()
	if err != nil || s.sha256 != strings.TrimSpace(string(want)) {
		f.log.Warn("removing a corrupt entry from the download cache: " + cdir)
		os.RemoveAll(cdir)
		os.Remove(tmp)
		return nil, false
	}
	outs := []staged{{tmp: tmp, name: tarball}}
	if spec != "" {
		cspec := filepath.Join(cdir, "spec")
		if _, err := os.Stat(cspec); err == nil {
			specTmp := ls.file("spec")
			if err := copyFile(cspec, specTmp); err != nil {
				return nil, false
			}
			outs = append(outs, staged{tmp: specTmp, name: filepath.Base(spec)})
		}
	}
	return outs, true
}

// gitToCache stores a verified tarball (and spec) under key.
func (f *Fetcher) gitToCache(key string, outs []staged, wantSpec bool) {
	cdir := f.gitCacheDir(key)
	if err := os.MkdirAll(filepath.Dir(cdir), 0o755); err != nil {
		return
	}
	tmp, err := os.MkdirTemp(filepath.Dir(cdir), ".tmp-")
	if err != nil {
		return
	}
	defer os.RemoveAll(tmp)
	in, err := os.Open(outs[0].tmp)
	if err != nil {
		return
	}
	s, err := writeHashed(filepath.Join(tmp, "archive.tar.gz"), in, nil)
	in.Close()
	if err != nil {
		return
	}
	if wantSpec && len(outs) > 1 {
		if err := copyFile(outs[1].tmp, filepath.Join(tmp, "spec")); err != nil {
			return
		}
	}
	if err := os.WriteFile(filepath.Join(tmp, "archive.tar.gz.sha256"), []byte(s.sha256+"\n"), 0o644); err != nil {
		return
	}
	if err := os.Rename(tmp, cdir); err != nil {
		f.log.Debug("write git cache", "dir", cdir, "err", err)
	}
}
