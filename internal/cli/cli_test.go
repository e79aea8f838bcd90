package cli

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/osg-htc/osg-build-go/internal/cmdutil"
	"github.com/osg-htc/osg-build-go/internal/iostreams"
	"github.com/osg-htc/osg-build-go/internal/runner"
)

// fakeRoot builds a root command with the given subcommands, each recording
// that it ran.
func fakeRoot(ran *string, names ...string) *cobra.Command {
	r := &cobra.Command{Use: "osg-build", SilenceErrors: true, SilenceUsage: true}
	r.PersistentFlags().String("hub", "", "")
	r.PersistentFlags().Bool("debug", false, "")
	for _, n := range names {
		n := n
		r.AddCommand(&cobra.Command{Use: n, RunE: func(*cobra.Command, []string) error { *ran = n; return nil }})
	}
	return r
}

func TestExpandTask(t *testing.T) {
	var ran string
	r := fakeRoot(&ran, "koji", "lint", "mock", "prebuild", "prepare", "quilt", "rpmbuild", "regen-repo")
	tests := []struct {
		name    string
		args    []string
		want    []string
		wantErr string
	}{
		{"exact", []string{"rpmbuild", "."}, []string{"rpmbuild", "."}, ""},
		{"r is rpmbuild", []string{"r", "pkg"}, []string{"rpmbuild", "pkg"}, ""},
		{"k is koji", []string{"k"}, []string{"koji"}, ""},
		{"prep", []string{"prep"}, []string{"prepare"}, ""},
		{"preb", []string{"preb"}, []string{"prebuild"}, ""},
		{"pre is ambiguous", []string{"pre"}, nil, `task "pre" is ambiguous: it could be prebuild, prepare`},
		{"p is ambiguous", []string{"p"}, nil, "ambiguous"},
		{"other commands are not abbreviated", []string{"regen"}, []string{"regen"}, ""},
		{"flags before the task", []string{"--debug", "q"}, []string{"--debug", "quilt"}, ""},
		{"flag value skipped", []string{"--hub", "r", "l"}, []string{"--hub", "r", "lint"}, ""},
		{"flag=value", []string{"--hub=x", "m"}, []string{"--hub=x", "mock"}, ""},
		{"no positional", []string{"--debug"}, []string{"--debug"}, ""},
		{"after --", []string{"--", "r"}, []string{"--", "rpmbuild"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := expandTask(r, tt.args)
			if tt.wantErr != "" {
				var fe *cmdutil.FlagError
				if err == nil || !errors.As(err, &fe) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want a usage error containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(got, " ") != strings.Join(tt.want, " ") {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

type codeErr struct{ code int }

func (e codeErr) Error() string { return "task failed" }
func (e codeErr) ExitCode() int { return e.code }

func TestExitCode(t *testing.T) {
	r := &cobra.Command{Use: "osg-build"}
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name    string
		ctx     context.Context
		err     error
		want    int
		wantErr string
	}{
		{"ok", context.Background(), nil, 0, ""},
		{"failure", context.Background(), errors.New("boom"), 1, "error: boom\n"},
		{"usage", context.Background(), cmdutil.FlagErrorf("bad flag"), 2, "error: bad flag\nRun 'osg-build --help' for usage.\n"},
		{"cobra usage", context.Background(), errors.New(`unknown command "x" for "osg-build"`), 2, "Run 'osg-build --help'"},
		{"silent", context.Background(), cmdutil.ErrSilent, 1, ""},
		{"exit coder", context.Background(), codeErr{3}, 3, "error: task failed\n"},
		{"wrapped exit coder", context.Background(), cmdutil.WithExit(4, errors.New("not logged in")), 4, "error: not logged in\n"},
		{"bare exit", context.Background(), &cmdutil.ExitError{Code: 3}, 3, ""},
		{"interrupted", canceled, context.Canceled, 130, "interrupted\n"},
		{"cancel", context.Background(), cmdutil.ErrCancel, 130, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ios, _, _, stderr := iostreams.Test()
			if got := exitCode(tt.ctx, ios, r, nil, tt.err); got != tt.want {
				t.Errorf("code = %d, want %d", got, tt.want)
			}
			if tt.wantErr == "" && stderr.Len() != 0 {
				t.Errorf("stderr = %q, want nothing", stderr.String())
			}
			if !strings.Contains(stderr.String(), tt.wantErr) {
				t.Errorf("stderr = %q, want %q", stderr.String(), tt.wantErr)
			}
		})
	}
}

func TestRunPersonalityAndHelp(t *testing.T) {
	ios, _, stdout, _ := iostreams.Test()
	if code := Run(context.Background(), []string{"/usr/bin/osg-build", "--help"}, ios); code != 0 {
		t.Fatalf("--help exit %d", code)
	}
	if !strings.Contains(stdout.String(), "Usage:") {
		t.Errorf("help output: %q", stdout.String())
	}
	// An unknown personality falls back to osg-build's tree.
	ios, _, stdout, _ = iostreams.Test()
	if code := Run(context.Background(), []string{"/tmp/some-link", "version"}, ios); code != 0 {
		t.Fatalf("version exit %d", code)
	}
	if !strings.HasPrefix(stdout.String(), "osg-build ") {
		t.Errorf("version output: %q", stdout.String())
	}
	// osg-promote is the promote command under its own name
	ios, _, stdout, stderr := iostreams.Test()
	if code := Run(context.Background(), []string{"/usr/bin/osg-promote", "--help"}, ios); code != cmdutil.ExitOK {
		t.Errorf("osg-promote --help exit %d: %s", code, stderr.String())
	}
	if !strings.Contains(stdout.String(), "osg-promote -r ROUTE...") || !strings.Contains(stdout.String(), "--el9-only") {
		t.Errorf("osg-promote --help:\n%s", stdout.String())
	}
}

// A failing external program must not set osg-build's exit code: exec's
// ExitError also has an ExitCode method.
func TestChildExitStatusIsAFailure(t *testing.T) {
	_, err := runner.Run(context.Background(), runner.Cmd{Name: "sh", Args: []string{"-c", "exit 128"}})
	if err == nil {
		t.Fatal("want an error")
	}
	ios, _, _, stderr := iostreams.Test()
	if got := exitCode(context.Background(), ios, &cobra.Command{Use: "osg-build"}, nil, err); got != 1 {
		t.Errorf("exit code %d, want 1 (stderr %q)", got, stderr.String())
	}
}

// Called as osg-koji, a usage error points at "osg-koji VERB --help".
func TestPersonalityUsageHint(t *testing.T) {
	ios, _, _, stderr := iostreams.Test()
	code := Run(context.Background(), []string{"/usr/bin/osg-koji", "list-tags", "--no-such-flag"}, ios)
	if code != 2 {
		t.Fatalf("exit %d, want 2 (stderr %q)", code, stderr.String())
	}
	if !strings.Contains(stderr.String(), "Run 'osg-koji list-tags --help'") {
		t.Errorf("stderr %q", stderr.String())
	}
}

// Called as osg-koji, help shows "osg-koji VERB", not "osg-koji osg-koji
// VERB"; called as osg-build, the family keeps its full path.
func TestPersonalityHelpUsageLine(t *testing.T) {
	for _, tt := range []struct {
		argv       []string
		want, nope string
	}{
		{[]string{"/usr/bin/osg-koji", "list-tagged", "--help"}, "\n  osg-koji list-tagged <tag>", "osg-koji osg-koji"},
		{[]string{"/usr/bin/osg-koji", "--help"}, `Use "osg-koji [command] --help"`, "osg-koji osg-koji"},
		{[]string{"osg-build", "osg-koji", "list-tagged", "--help"}, "\n  osg-build osg-koji list-tagged <tag>", "\n  osg-koji list-tagged"},
	} {
		ios, _, stdout, stderr := iostreams.Test()
		if code := Run(context.Background(), tt.argv, ios); code != 0 {
			t.Fatalf("%v: exit %d (stderr %q)", tt.argv, code, stderr.String())
		}
		out := stdout.String()
		if !strings.Contains(out, tt.want) || strings.Contains(out, tt.nope) {
			t.Errorf("%v: help\n%s\nwant %q, not %q", tt.argv, out, tt.want, tt.nope)
		}
	}
}
