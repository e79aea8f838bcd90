package vcs

import (
	"context"
	"fmt"
	"net/url"
	"path"
	"path/filepath"
	"strings"

	"github.com/osg-htc/osg-build-go/internal/runner"
)

func git(ctx context.Context, dir string, args ...string) (string, error) {
	return runner.Output(ctx, runner.Cmd{Name: "git", Args: args, Dir: dir})
}

// gitRemote is one (fetch) line of `git remote -v`.
type gitRemote struct{ name, url string }

func gitFetchRemotes(ctx context.Context, dir string) ([]gitRemote, error) {
	out, err := git(ctx, dir, "remote", "-v")
	if err != nil {
		return nil, fmt.Errorf("list git remotes of %s: %w", dir, err)
	}
	var rs []gitRemote
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		if len(f) == 3 && f[2] == "(fetch)" {
			rs = append(rs, gitRemote{f[0], f[1]})
		}
	}
	return rs, nil
}

// gitBranchInfo is the current branch, its configured remote and the
// branch on that remote it tracks.
type gitBranchInfo struct {
	branch   string // local branch
	remote   string // branch.<b>.remote
	upstream string // remote branch name (branch.<b>.merge without refs/heads/, else the branch)
}

func gitBranch(ctx context.Context, dir string) (*gitBranchInfo, error) {
	b, err := git(ctx, dir, "symbolic-ref", "-q", "--short", "HEAD")
	if err != nil || b == "" {
		return nil, fmt.Errorf("no branch is checked out in %s (detached HEAD): check out the branch to build from", dir)
	}
	info := &gitBranchInfo{branch: b, upstream: b}
	info.remote, _ = git(ctx, dir, "config", "branch."+b+".remote")
	if info.remote == "" {
		return nil, fmt.Errorf("branch %s in %s has no remote: push it with `git push -u REMOTE %s`, so that Koji can fetch what it builds", b, dir, b)
	}
	if m, _ := git(ctx, dir, "config", "branch."+b+".merge"); strings.HasPrefix(m, "refs/heads/") {
		info.upstream = strings.TrimPrefix(m, "refs/heads/")
	}
	return info, nil
}

// GitSource returns the source of a package directory in a git checkout:
// the known remote (which must be the current branch's remote), the path in
// the repository (the package dir's basename in the legacy layout,
// <subtree>/<package> in the subtree layout) and the local HEAD, which must
// be pushed.
func (c *Config) GitSource(ctx context.Context, dir string) (*Source, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("package directory %s: %w", dir, err)
	}
	prefix, err := git(ctx, abs, "rev-parse", "--show-prefix")
	if err != nil {
		return nil, fmt.Errorf("%s is not in a git checkout: %w", dir, err)
	}
	prefix = strings.Trim(prefix, "/")
	if prefix == "" {
		return nil, fmt.Errorf("%s is the top of its git checkout, not a package directory: give the package's directory", dir)
	}
	files, err := git(ctx, abs, "ls-files", "--", "osg", "upstream")
	if err != nil {
		return nil, fmt.Errorf("list the files of %s: %w", dir, err)
	}
	if !hasPackageDirs(files) {
		return nil, fmt.Errorf("%s isn't a package directory (must have either osg/ or upstream/ dirs or both, committed to git)", dir)
	}

	remotes, err := gitFetchRemotes(ctx, abs)
	if err != nil {
		return nil, err
	}
	var known *Remote
	var knownName, public string
	for _, r := range remotes {
		if k, pub := c.KnownRemote(r.url); k != nil {
			known, knownName, public = k, r.name, pub
			break
		}
	}
	if known == nil {
		return nil, c.unknownRemoteError(dir, remotes)
	}
	bi, err := gitBranch(ctx, abs)
	if err != nil {
		return nil, err
	}
	if bi.remote != knownName {
		return nil, fmt.Errorf("remote %s of branch %s in %s is not an officially known remote; the known one here is %s (%s): run `git branch -u %s/%s`",
			bi.remote, bi.branch, dir, knownName, known.Repo(), knownName, bi.upstream)
	}
	if known.GitSVN {
		out, err := git(ctx, abs, "log", "-n", "1")
		if err != nil {
			return nil, fmt.Errorf("read the last commit of %s: %w", dir, err)
		}
		if !strings.Contains(out, "git-svn-id:") {
			return nil, fmt.Errorf("last git commit in %s is not from SVN (no git-svn-id: line): possible inconsistency between git and SVN; the %s repository is a mirror of SVN, so build from SVN", dir, known.Repo())
		}
	}

	parts := strings.Split(prefix, "/")
	src := &Source{
		Kind:       Git,
		Arg:        dir,
		Dir:        abs,
		Path:       prefix,
		DirName:    parts[len(parts)-1],
		Branch:     bi.branch,
		Remote:     known,
		RemoteName: knownName,
		RemoteURL:  public,
	}
	switch known.Layout {
	case Subtree:
		if len(parts) != 2 {
			return nil, fmt.Errorf("%s is at %s in the %s repository, whose layout is <subtree>/<package> (e.g. 25-main/xrootd): give a package directory inside a subtree", dir, prefix, known.Repo())
		}
		src.Subtree = parts[0]
	default:
		if len(parts) != 1 {
			return nil, fmt.Errorf("%s is at %s in the %s repository, whose layout has one package per top-level directory: give a top-level package directory", dir, prefix, known.Repo())
		}
	}
	src.Package = PackageName(src.DirName)
	if err := checkPackageName(dir, src.Package); err != nil {
		return nil, err
	}

	sha, err := git(ctx, abs, "log", "-1", "--pretty=format:%H")
	if err != nil {
		return nil, fmt.Errorf("read the HEAD commit of %s: %w", dir, err)
	}
	src.Rev = sha
	if err := checkPushed(ctx, abs, bi, sha); err != nil {
		return nil, err
	}
	src.SCMURL = "git+" + public + "?" + prefix + "#" + sha
	return src, nil
}

func hasPackageDirs(lsFiles string) bool {
	for _, l := range strings.Split(lsFiles, "\n") {
		if strings.HasPrefix(l, "osg/") || strings.HasPrefix(l, "upstream/") {
			return true
		}
	}
	return false
}

func (c *Config) unknownRemoteError(dir string, remotes []gitRemote) error {
	var have []string
	for _, r := range remotes {
		have = append(have, r.name+" "+r.url)
	}
	var known []string
	for _, r := range c.Remotes {
		known = append(known, r.Name+" ("+r.Repo()+")")
	}
	h := "none"
	if len(have) > 0 {
		h = strings.Join(have, ", ")
	}
	return fmt.Errorf("known remote not found for directory %s (its remotes: %s); Koji builds only from %s: clone one of them, or add the remote to ~/.config/osg-build/%s",
		dir, h, strings.Join(known, ", "), UserFileName)
}

// remoteTracking returns the hash of refs/remotes/<remote>/<upstream>, or "".
func remoteTracking(ctx context.Context, dir string, bi *gitBranchInfo) string {
	h, err := git(ctx, dir, "rev-parse", "-q", "--verify", "refs/remotes/"+bi.remote+"/"+bi.upstream+"^{commit}")
	if err != nil {
		return ""
	}
	return h
}

func isAncestor(ctx context.Context, dir, a, b string) bool {
	_, err := git(ctx, dir, "merge-base", "--is-ancestor", a, b)
	return err == nil
}

func checkPushed(ctx context.Context, dir string, bi *gitBranchInfo, sha string) error {
	tracking := remoteTracking(ctx, dir, bi)
	if tracking == sha || (tracking != "" && isAncestor(ctx, dir, sha, tracking)) {
		return nil
	}
	return unpushedError(dir, bi, sha, tracking)
}

func unpushedError(dir string, bi *gitBranchInfo, sha, tracking string) error {
	if tracking == "" {
		return fmt.Errorf("branch %s of %s is not on remote %s (no %s/%s): perhaps you need to perform 'git push -u %s %s'?", bi.branch, dir, bi.remote, bi.remote, bi.upstream, bi.remote, bi.branch)
	}
	return fmt.Errorf("local hash (%s) does not match remote hash (%s) for directory %s: perhaps you need to perform 'git push'?", sha, tracking, dir)
}

// CheckGit runs the working-tree checks of a package directory in a git
// checkout: uncommitted changes under it (`git status --porcelain`), HEAD
// not pushed (the branch against refs/remotes/<remote>/<branch>), and the
// checkout out of date (`git ls-remote --heads <remote>` against the
// branch).
func CheckGit(ctx context.Context, dir string) ([]Finding, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	var fs []Finding
	res, err := runner.Run(ctx, runner.Cmd{Name: "git", Args: []string{"status", "--porcelain", "--", "."}, Dir: abs})
	if err != nil {
		return nil, fmt.Errorf("git status of %s: %w", dir, err)
	}
	if st := outputLines(res.Stdout); len(st) > 0 {
		fs = append(fs, Finding{
			Kind:    Uncommitted,
			Dir:     dir,
			Message: fmt.Sprintf("package working directory %s has uncommitted changes that will not be included in the git build", dir),
			Details: st,
		})
	}
	bi, err := gitBranch(ctx, abs)
	if err != nil {
		return nil, err
	}
	local, err := git(ctx, abs, "rev-parse", "refs/heads/"+bi.branch)
	if err != nil {
		return nil, fmt.Errorf("unable to determine the hash of local branch %s in %s: %w", bi.branch, dir, err)
	}
	tracking := remoteTracking(ctx, abs, bi)
	if tracking != local && (tracking == "" || !isAncestor(ctx, abs, local, tracking)) {
		fs = append(fs, Finding{
			Kind:     Unpushed,
			Dir:      dir,
			Message:  unpushedError(dir, bi, local, tracking).Error(),
			Blocking: true,
		})
	}

	out, err := git(ctx, abs, "ls-remote", "--heads", bi.remote)
	if err != nil {
		return nil, fmt.Errorf("get the branches of remote %s for %s: %w", bi.remote, dir, err)
	}
	remoteHash := ""
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		if len(f) == 2 && f[1] == "refs/heads/"+bi.upstream {
			remoteHash = f[0]
		}
	}
	switch {
	case remoteHash == "":
		if tracking != "" {
			// The branch was deleted on the remote since the last fetch.
			fs = append(fs, Finding{
				Kind:     Unpushed,
				Dir:      dir,
				Message:  fmt.Sprintf("branch %s no longer exists on remote %s: push it, or build from another branch", bi.upstream, bi.remote),
				Blocking: true,
			})
		}
	case remoteHash == local:
	case isAncestor(ctx, abs, remoteHash, local):
		// The remote is behind: the local commits are unpushed, reported above.
	default:
		fs = append(fs, Finding{
			Kind:    Outdated,
			Dir:     dir,
			Message: fmt.Sprintf("package working directory %s is out of date and its contents may not reflect what will be built", dir),
			Details: []string{fmt.Sprintf("Remote hash (%s) does not match local hash (%s) for branch %s.", remoteHash, local, bi.branch)},
		})
	}
	return fs, nil
}

// parseGitURL reads a git URL of the form Koji builds from,
// git+REPO?PATH#REF (REF defaults to HEAD), as osg-build accepts it as-is.
func (c *Config) parseGitURL(arg string) (*Source, error) {
	u, err := url.Parse(arg)
	if err != nil {
		return nil, fmt.Errorf("git URL %s: %w", arg, err)
	}
	scheme := u.Scheme
	if i := strings.LastIndex(scheme, "+"); i >= 0 {
		scheme = scheme[i+1:]
	}
	if u.Path == "" || u.RawQuery == "" || (u.Host == "" && scheme != "file") {
		return nil, fmt.Errorf("URL %s failed to parse as a git URL: use git+https://HOST/REPO.git?PACKAGE_PATH#COMMIT", arg)
	}
	repo := normalizeRemoteURL(scheme + "://" + u.Host + u.Path)
	p := strings.Trim(u.RawQuery, "/")
	rev := u.Fragment
	if rev == "" {
		rev = "HEAD"
	}
	src := &Source{
		Kind:      Git,
		Arg:       arg,
		IsURL:     true,
		Path:      p,
		DirName:   path.Base(p),
		Rev:       rev,
		Branch:    rev,
		RemoteURL: repo,
	}
	if k, pub := c.KnownRemote(repo); k != nil {
		src.Remote, src.RemoteURL = k, pub
		if k.Layout == Subtree {
			first, _, ok := strings.Cut(p, "/")
			if !ok {
				return nil, fmt.Errorf("git URL %s: the %s repository's layout is <subtree>/<package>, but the path %q has no subtree", arg, k.Repo(), p)
			}
			src.Subtree = first
		}
	}
	src.Package = PackageName(src.DirName)
	if err := checkPackageName(arg, src.Package); err != nil {
		return nil, err
	}
	src.SCMURL = "git+" + src.RemoteURL + "?" + p + "#" + rev
	return src, nil
}
