// Package vcs turns a package directory or URL into the source Koji builds
// from, the way osg-build's koji task does: it detects an SVN or git
// checkout (or an svn/git URL), checks the working tree (uncommitted
// changes, HEAD not pushed, checkout out of date) and reports structured
// [Finding]s for the command layer to ask about, builds the SCM URL Koji
// builders expect (svn+https://…/path#REV, git+https://…/repo.git?PATH#SHA),
// and applies the branch/target protection table.
//
// The known remotes, the public SVN root and the protection table are data
// (vcs.ini, embedded; a user file in the same format adds to it). Every
// external program runs through internal/runner.
package vcs

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"

	"github.com/osg-htc/osg-build-go/internal/runner"
)

// Kind is the version control system of a source.
type Kind string

// Kinds.
const (
	SVN Kind = "svn"
	Git Kind = "git"
)

// Source is what Koji will build, and what is known about where it came from.
type Source struct {
	Kind  Kind
	Arg   string // as given
	IsURL bool   // Arg was a URL, not a checkout
	Dir   string // absolute package directory of a checkout ("" for URLs)

	// SCMURL is the URL given to Koji's build call.
	SCMURL string
	// Rev is the SVN revision or git commit (or ref, for git URLs) built.
	Rev string
	// Path is the package's path: the public SVN URL of the package
	// directory, or the path inside the git repository (the ?query).
	Path string
	// DirName is the basename of the package directory.
	DirName string
	// Package is the Koji package name for add-pkg (see [PackageName]).
	Package string

	// Branch is the SVN branch (the directory under branches/) or the git
	// branch (for a git URL: its #fragment).
	Branch string
	// Subtree is the subtree directory of a subtree-layout git repository.
	Subtree string
	// Remote is the known git remote, or nil (unknown remote, SVN).
	Remote *Remote
	// RemoteName is the local name of the git remote (origin).
	RemoteName string
	// RemoteURL is the repository URL Koji gets (git).
	RemoteURL string
}

// ProtectedBranch returns the name the protection table checks: the
// subtree for subtree-layout git remotes, else the branch.
func (s *Source) ProtectedBranch() string {
	if s.Kind == Git && s.Remote != nil && s.Remote.Layout == Subtree {
		return s.Subtree
	}
	return s.Branch
}

var urlRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.-]*://`) })

// IsURL reports whether arg is a URL (scheme://…) rather than a path.
func IsURL(arg string) bool { return urlRe().MatchString(arg) }

// URLKind returns the kind of a URL argument: git when its scheme contains
// "git" (git+https://, git://), else SVN.
func URLKind(u string) Kind {
	scheme, _, _ := strings.Cut(u, "://")
	if strings.Contains(strings.ToLower(scheme), "git") {
		return Git
	}
	return SVN
}

// Detect tells whether arg is an SVN checkout (`svn info` works in it), a
// git checkout (`git rev-parse` works), or a URL (by its scheme).
func Detect(ctx context.Context, arg string) (Kind, error) {
	if IsURL(arg) {
		return URLKind(arg), nil
	}
	dir := stripPeg(arg)
	fi, err := os.Stat(dir)
	if err != nil {
		return "", fmt.Errorf("%s is not a valid package directory: %w", arg, err)
	}
	if !fi.IsDir() {
		return "", fmt.Errorf("%s is not a valid package directory: not a directory", arg)
	}
	if _, ok := runner.Look("svn"); ok {
		if _, err := runner.Run(ctx, runner.Cmd{Name: "svn", Args: []string{"info", "--non-interactive"}, Dir: dir}); err == nil {
			return SVN, nil
		} else if ctx.Err() != nil {
			return "", ctx.Err()
		}
	}
	if _, ok := runner.Look("git"); ok {
		out, err := runner.Output(ctx, runner.Cmd{Name: "git", Args: []string{"rev-parse", "--is-inside-work-tree"}, Dir: dir})
		if err == nil && out == "true" {
			return Git, nil
		}
		if ctx.Err() != nil {
			return "", ctx.Err()
		}
	}
	return "", &NotVCSError{Dir: arg}
}

// NotVCSError is returned by [Detect] for a directory that is in neither an
// SVN nor a git checkout.
type NotVCSError struct{ Dir string }

func (e *NotVCSError) Error() string {
	return fmt.Sprintf("%s is in neither an SVN nor a git checkout: Koji builds from version control, so build from a checkout, give an svn or git+ URL, or make a scratch build from an SRPM (--scratch without --vcs)", e.Dir)
}

// Open detects the kind of arg and returns its [Source], with the SCM URL
// Koji builds from.
func (c *Config) Open(ctx context.Context, arg string) (*Source, error) {
	kind, err := Detect(ctx, arg)
	if err != nil {
		return nil, err
	}
	switch {
	case kind == Git && IsURL(arg):
		return c.parseGitURL(arg)
	case kind == Git:
		return c.GitSource(ctx, arg)
	default:
		return c.SVNSource(ctx, arg)
	}
}

// FindingKind says what is wrong with a working tree.
type FindingKind string

// Finding kinds.
const (
	// Uncommitted: local changes will not be in the build.
	Uncommitted FindingKind = "uncommitted"
	// Unpushed: the commit to build is not on the remote, so Koji cannot
	// fetch it; a build cannot succeed.
	Unpushed FindingKind = "unpushed"
	// Outdated: the remote has changes the checkout lacks; the build may
	// not be what the checkout shows.
	Outdated FindingKind = "outdated"
)

// Finding is one problem of a working tree. The command layer asks whether
// to go on (or fails when it cannot ask); a Blocking finding cannot be
// overridden.
type Finding struct {
	Kind     FindingKind
	Dir      string
	Message  string
	Details  []string // the lines of status output behind it
	Blocking bool
}

func (f Finding) String() string {
	if len(f.Details) == 0 {
		return f.Message
	}
	return f.Message + "\n    " + strings.Join(f.Details, "\n    ")
}

// Check runs the working-tree checks of a source: none for URLs.
func Check(ctx context.Context, src *Source) ([]Finding, error) {
	if src.IsURL || src.Dir == "" {
		return nil, nil
	}
	switch src.Kind {
	case Git:
		return CheckGit(ctx, src.Dir)
	case SVN:
		if pegRe().MatchString(src.Arg) {
			// path@REV builds that revision: local state does not matter.
			return nil, nil
		}
		return CheckSVN(ctx, src.Dir)
	}
	return nil, nil
}

var (
	elSuffixRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(\.el\d+)+$`) })
	pegRe      = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`@\d+$`) })
)

// PackageName returns the Koji package name of a package directory: its
// basename without a "__variant" suffix and without trailing .elN parts
// (buildsys-macros.el9 → buildsys-macros, xrootd__el9fix → xrootd).
func PackageName(dir string) string {
	name := filepath.Base(strings.TrimRight(dir, "/"))
	if i := strings.Index(name, "__"); i > 0 {
		name = name[:i]
	}
	return elSuffixRe().ReplaceAllString(name, "")
}

var pkgNameRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^\w[\w.+-]*$`) })

func checkPackageName(arg, name string) error {
	if !pkgNameRe().MatchString(name) {
		return fmt.Errorf("%s gives the invalid package name %q: a package directory is named after the package (letters, digits, . _ + -)", arg, name)
	}
	return nil
}

func stripPeg(arg string) string { return pegRe().ReplaceAllString(arg, "") }
