package vcs

import (
	"context"
	"fmt"
	"path"
	"path/filepath"
	"strings"

	"github.com/osg-htc/osg-build-go/internal/runner"
)

func svn(ctx context.Context, args ...string) (string, error) {
	return runner.Output(ctx, runner.Cmd{Name: "svn", Args: append([]string{"--non-interactive"}, args...)})
}

// svnLines runs svn and returns its output lines untrimmed: status columns
// count from the start of the line.
func svnLines(ctx context.Context, args ...string) ([]string, error) {
	res, err := runner.Run(ctx, runner.Cmd{Name: "svn", Args: append([]string{"--non-interactive"}, args...)})
	if err != nil {
		return nil, err
	}
	return outputLines(res.Stdout), nil
}

func outputLines(b []byte) []string {
	s := strings.TrimRight(string(b), "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// svnInfo runs `svn info` and returns its "Key: value" lines.
func svnInfo(ctx context.Context, args ...string) (map[string]string, error) {
	out, err := svn(ctx, append([]string{"info"}, args...)...)
	if err != nil {
		return nil, err
	}
	info := map[string]string{}
	for _, line := range strings.Split(out, "\n") {
		if k, v, ok := strings.Cut(line, ": "); ok {
			info[strings.TrimSpace(k)] = strings.TrimSpace(v)
		}
	}
	return info, nil
}

// SVNSource returns the source of an SVN package: a checkout directory, a
// URL, or either with @REV. The URL comes from `svn info` with the
// Repository Root replaced by the public root (so file:// and svn+ssh://
// checkouts give the https form), the revision is the repository's HEAD
// revision unless @REV was given, the package must be in
// <redhat_path>/branches/<branch>/<package> (not trunk, not the old
// branches/upcoming), and `svn ls` at that revision must show osg/ or
// upstream/.
func (c *Config) SVNSource(ctx context.Context, arg string) (*Source, error) {
	target := arg
	src := &Source{Kind: SVN, Arg: arg, IsURL: IsURL(arg)}
	if strings.HasPrefix(target, "svn+http") || strings.HasPrefix(target, "svn+file") {
		// svn+https://…/pkg#REV as Koji takes it (svn+ssh:// is svn's own).
		target = strings.TrimPrefix(target, "svn+")
		if base, rev, ok := strings.Cut(target, "#"); ok {
			target = base + "@" + rev
		}
		src.IsURL = true
	}
	if !src.IsURL {
		abs, err := filepath.Abs(stripPeg(target))
		if err != nil {
			return nil, fmt.Errorf("package directory %s: %w", arg, err)
		}
		src.Dir = abs
		if m := pegRe().FindString(target); m != "" {
			target = abs + m
		} else {
			target = abs
		}
	}
	args := []string{target}
	if !pegRe().MatchString(target) {
		// Without @REV, ask about HEAD, so the revision is the repository's
		// newest, not the working copy's.
		args = append(args, "-r", "HEAD")
	}
	info, err := svnInfo(ctx, args...)
	if err != nil {
		return nil, fmt.Errorf("get the SVN info of %s: %w", arg, err)
	}
	u, root, rev := info["URL"], info["Repository Root"], info["Revision"]
	if u == "" || root == "" || rev == "" {
		return nil, fmt.Errorf("svn info for %s has no URL, Repository Root or Revision: is it an SVN checkout?", arg)
	}
	if !strings.HasPrefix(u, root) {
		return nil, fmt.Errorf("svn info for %s: URL %s is not under the repository root %s", arg, u, root)
	}
	rel := strings.TrimPrefix(u, root)
	canon := c.SVNPublicRoot + rel
	src.Path, src.Rev = canon, rev

	branch, pkg, err := c.svnBranch(rel)
	if err != nil {
		return nil, fmt.Errorf("%s (%s): %w", arg, canon, err)
	}
	src.Branch, src.DirName = branch, pkg
	src.Package = PackageName(pkg)
	if err := checkPackageName(arg, src.Package); err != nil {
		return nil, err
	}

	ls, err := svn(ctx, "ls", u, "-r", rev)
	if err != nil {
		return nil, fmt.Errorf("list %s at revision %s: %w", u, rev, err)
	}
	if !hasPackageDirs(ls) {
		return nil, fmt.Errorf("%s isn't a package directory (must have either osg/ or upstream/ dirs or both)", arg)
	}
	if strings.HasPrefix(canon, "svn:") || strings.HasPrefix(canon, "svn+") {
		src.SCMURL = canon + "#" + rev
	} else {
		src.SCMURL = "svn+" + canon + "#" + rev
	}
	return src, nil
}

// svnBranch checks that rel (the path under the repository root) is
// <redhat_path>/branches/<branch>/<package> and returns branch and package.
func (c *Config) svnBranch(rel string) (branch, pkg string, err error) {
	base := strings.TrimRight(c.SVNRedhatPath, "/") + "/"
	under, ok := strings.CutPrefix(rel, base)
	if !ok {
		return "", "", fmt.Errorf("must build from a branch in branches/: packages are in %sbranches/BRANCH/PACKAGE", base)
	}
	parts := strings.Split(strings.Trim(under, "/"), "/")
	switch {
	case parts[0] == "trunk":
		return "", "", fmt.Errorf("building from trunk is not allowed: must build from a branch in branches/ (e.g. %sbranches/25-main/%s)", base, path.Base(rel))
	case parts[0] != "branches" || len(parts) != 3:
		return "", "", fmt.Errorf("must build from a branch in branches/: the package directory must be %sbranches/BRANCH/PACKAGE", base)
	case parts[1] == "upcoming":
		return "", "", fmt.Errorf("branches/upcoming is not used any more: build from a versioned branch such as branches/25-upcoming")
	}
	return parts[1], parts[2], nil
}

// CheckSVN runs the working-tree checks of an SVN package directory:
// uncommitted changes (`svn status -q`) and files out of date
// (`svn status -u -q`, a '*' in column 9).
func CheckSVN(ctx context.Context, dir string) ([]Finding, error) {
	var fs []Finding
	st, err := svnLines(ctx, "status", "-q", dir)
	if err != nil {
		return nil, fmt.Errorf("svn status of %s: %w", dir, err)
	}
	if len(st) > 0 {
		fs = append(fs, Finding{
			Kind:    Uncommitted,
			Dir:     dir,
			Message: fmt.Sprintf("package working directory %s has uncommitted changes that will not be included in the SVN build", dir),
			Details: st,
		})
	}
	up, err := svnLines(ctx, "status", "-u", "-q", dir)
	if err != nil {
		return nil, fmt.Errorf("svn status -u of %s: %w", dir, err)
	}
	var outdated []string
	for _, line := range up {
		if len(line) > 8 && line[8] == '*' {
			outdated = append(outdated, line)
		}
	}
	if len(outdated) > 0 {
		fs = append(fs, Finding{
			Kind:    Outdated,
			Dir:     dir,
			Message: fmt.Sprintf("package working directory %s is out of date and its contents may not reflect what will be built", dir),
			Details: outdated,
		})
	}
	return fs, nil
}
