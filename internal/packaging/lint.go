package packaging

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/osg-htc/osg-build-go/internal/runner"
)

// LintFilters are the rpmlint checks osg-build suppresses (its
// data/rpmlint.cfg), carried over to rpmlint 2.x.
var LintFilters = []string{
	"description-line-too-long",
	"incoherent-version-in-changelog",
	"no-signature",
	"no-%build-section",
	"invalid-url",
	"source-or-patch-not-compressed",
	"no-packager-tag",
	"no-cleaning-of-buildroot",
	"no-buildroot-tag",
	"no-%clean-section",
	"invalid-license",
}

// LintConfig returns the rpmlint 2.x TOML configuration holding [LintFilters].
func LintConfig() string {
	var b strings.Builder
	b.WriteString("# osg-build's rpmlint filters\nFilters = [\n")
	for _, f := range LintFilters {
		fmt.Fprintf(&b, "    %q,\n", f)
	}
	b.WriteString("]\n")
	return b.String()
}

// rpmlint's exit statuses.
const (
	LintOK           = 0
	LintProblems     = 64
	LintManyProblems = 66
)

// LintResult is what rpmlint said about some packages.
type LintResult struct {
	Output []byte
	Status int // rpmlint's exit status: 0, 64 or 66
}

// Summary returns osg-build's reading of the status.
func (r *LintResult) Summary() string {
	switch r.Status {
	case LintOK:
		return "rpmlint ok"
	case LintProblems:
		return "rpmlint found problems"
	case LintManyProblems:
		return "rpmlint found many problems"
	}
	return fmt.Sprintf("rpmlint exited with status %d", r.Status)
}

// ErrRpmlintMissing is returned by [Lint] when rpmlint is not installed.
var ErrRpmlintMissing = errors.New("the lint task needs rpmlint (2.x), which is not on PATH: install it (e.g. dnf install rpmlint)")

// Lint runs rpmlint with osg-build's filters (written to a temporary TOML
// file) on the packages. Status 0, 64 and 66 give a result; any other status
// is an error running rpmlint.
func Lint(ctx context.Context, pkgs []string, logPath string) (*LintResult, error) {
	if _, ok := runner.Look("rpmlint"); !ok {
		return nil, ErrRpmlintMissing
	}
	f, err := os.CreateTemp("", "osg-build-rpmlint-*.toml")
	if err != nil {
		return nil, fmt.Errorf("write the rpmlint config: %w", err)
	}
	defer os.Remove(f.Name())
	if _, err := f.WriteString(LintConfig()); err != nil {
		f.Close()
		return nil, fmt.Errorf("write the rpmlint config: %w", err)
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("write the rpmlint config: %w", err)
	}
	args := append([]string{"-c", f.Name()}, pkgs...)
	res, err := runner.Run(ctx, runner.Cmd{Name: "rpmlint", Args: args, LogPath: logPath})
	if err == nil {
		return &LintResult{Output: res.Combined, Status: LintOK}, nil
	}
	var ee *runner.ExitError
	if errors.As(err, &ee) && (ee.Status == LintProblems || ee.Status == LintManyProblems) {
		return &LintResult{Output: res.Combined, Status: ee.Status}, nil
	}
	return nil, fmt.Errorf("error running rpmlint: %w", err)
}
