// Package cli is the testable entry point of the osg-build binary: it picks
// the personality from the name the binary was called by, expands task
// prefixes, runs the command tree and maps the resulting error to an exit
// code in one place.
package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/osg-htc/osg-build-go/internal/buildinfo"
	"github.com/osg-htc/osg-build-go/internal/cmd/root"
	"github.com/osg-htc/osg-build-go/internal/cmdutil"
	"github.com/osg-htc/osg-build-go/internal/iostreams"
)

// Main runs the binary with the process's arguments and streams and returns
// the exit code.
func Main() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return Run(ctx, os.Args, iostreams.System())
}

// personalities maps the names the binary may be called by to the command
// that name stands for.
var personalities = map[string]string{
	"osg-koji":      "osg-koji",
	"osg-promote":   "promote",
	"fetch-sources": "fetch-sources",
}

// Run runs argv (argv[0] is the program name) and returns the exit code.
func Run(ctx context.Context, argv []string, ios *iostreams.IOStreams) int {
	version, _, _ := buildinfo.Get()
	exe := "osg-build"
	if len(argv) > 0 {
		exe = filepath.Base(argv[0])
	}
	f := &cmdutil.Factory{
		IOStreams:  ios,
		AppVersion: version,
		Executable: exe,
		Now:        time.Now,
		Getenv:     os.Getenv,
	}
	rootCmd := root.NewCmdRoot(f)
	var overrides cmdutil.KojiOverrides
	hubs := cmdutil.NewHubFactory(func() cmdutil.HubSettings {
		fl := rootCmd.PersistentFlags()
		s := cmdutil.HubSettings{}
		s.Hub, _ = fl.GetString(root.FlagHub)
		s.ConfigFile, _ = fl.GetString(root.FlagConfig)
		s.Profile, _ = fl.GetString(root.FlagProfile)
		s.Koji = overrides
		return s
	}, f.Getenv)
	f.Hub = hubs.Hub
	defer hubs.Close(ctx)
	args := argv[1:]
	if name, ok := personalities[exe]; ok {
		c, _, err := rootCmd.Find([]string{name})
		if err != nil || c == rootCmd {
			// A name whose command is not in this build:
			// osg-build's own commands would only confuse.
			fmt.Fprintf(ios.ErrOut, "error: %s is not in this version of osg-build yet; see `osg-build --help` for what is\n", exe)
			return cmdutil.ExitUsage
		}
		rootCmd.Use = exe
		if name == "osg-koji" {
			args, overrides, f.KojiArgs = kojiGlobals(args)
			for _, a := range f.KojiArgs {
				if a == "--noprogress" {
					ios.SetNoProgress(true)
				}
			}
		}
		args = append([]string{name}, args...)
		routeUsage(rootCmd, name)
	}
	args, err := expandTask(rootCmd, args)
	if err == nil {
		rootCmd.SetArgs(args)
		err = rootCmd.ExecuteContext(ctx)
	}
	return exitCode(ctx, ios, rootCmd, args, err)
}

// annRouted, on the root command, names the command a personality routes
// to (osg-koji -> "osg-koji", osg-promote -> "promote").
const annRouted = "osg-build/routed"

var templateFuncs sync.Once

// routeUsage makes the usage texts of a routed personality read
// "osg-koji list-tagged", not "osg-koji osg-koji list-tagged".
func routeUsage(rootCmd *cobra.Command, routed string) {
	if rootCmd.Annotations == nil {
		rootCmd.Annotations = map[string]string{}
	}
	rootCmd.Annotations[annRouted] = routed
	templateFuncs.Do(func() { cobra.AddTemplateFunc("userPath", userPath) })
	t := rootCmd.UsageTemplate()
	t = strings.ReplaceAll(t, "{{.UseLine}}", "{{userPath . .UseLine}}")
	t = strings.ReplaceAll(t, "{{.CommandPath}}", "{{userPath . .CommandPath}}")
	rootCmd.SetUsageTemplate(t)
}

// userPath returns p, a command path or usage line of c, as the user
// typed it: without the command a personality routed to.
func userPath(c *cobra.Command, p string) string {
	root := c.Root()
	if r := root.Annotations[annRouted]; r != "" {
		return strings.Replace(p, root.Name()+" "+r, root.Name(), 1)
	}
	return p
}

// expandTask replaces an abbreviated osg-build task (the first positional
// argument) by its full name, and refuses an ambiguous one.
func expandTask(rootCmd *cobra.Command, args []string) ([]string, error) {
	i := firstPositional(rootCmd.PersistentFlags(), args)
	if i < 0 {
		return args, nil
	}
	word := args[i]
	for _, c := range rootCmd.Commands() {
		if c.Name() == word || c.HasAlias(word) {
			return args, nil
		}
	}
	var matches []string
	for _, t := range root.Tasks {
		if strings.HasPrefix(t, word) {
			if c, _, err := rootCmd.Find([]string{t}); err == nil && c != rootCmd {
				matches = append(matches, t)
			}
		}
	}
	switch len(matches) {
	case 0:
		return args, nil
	case 1:
		out := append([]string{}, args...)
		out[i] = matches[0]
		return out, nil
	default:
		sort.Strings(matches)
		return nil, cmdutil.FlagErrorf("task %q is ambiguous: it could be %s", word, strings.Join(matches, ", "))
	}
}

// firstPositional returns the index of the first argument that is neither a
// flag nor a flag's value, or -1.
func firstPositional(flags *pflag.FlagSet, args []string) int {
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			if i+1 < len(args) {
				return i + 1
			}
			return -1
		}
		if !strings.HasPrefix(a, "-") || a == "-" {
			return i
		}
		if strings.Contains(a, "=") {
			continue
		}
		var fl *pflag.Flag
		if strings.HasPrefix(a, "--") {
			fl = flags.Lookup(a[2:])
		} else if len(a) == 2 {
			fl = flags.ShorthandLookup(a[1:])
		}
		if fl != nil && fl.NoOptDefVal == "" && fl.Value.Type() != "bool" {
			i++ // skip the flag's value
		}
	}
	return -1
}

// exitCode prints err once and returns the documented exit code.
func exitCode(ctx context.Context, ios *iostreams.IOStreams, rootCmd *cobra.Command, args []string, err error) int {
	if err == nil {
		return cmdutil.ExitOK
	}
	var flagErr *cmdutil.FlagError
	var coder cmdutil.ExitCoder
	switch {
	case errors.Is(err, cmdutil.ErrSilent):
		return cmdutil.ExitFailure
	case errors.Is(err, cmdutil.ErrCancel):
		return cmdutil.ExitInterrupted
	case ctx.Err() != nil && errors.Is(err, context.Canceled):
		fmt.Fprintln(ios.ErrOut, "interrupted")
		return cmdutil.ExitInterrupted
	case errors.As(err, &flagErr) || isCobraUsageError(err):
		fmt.Fprintf(ios.ErrOut, "error: %v\nRun '%s --help' for usage.\n", err, commandPath(rootCmd, args))
		return cmdutil.ExitUsage
	case errors.As(err, &coder) && !isChildExit(coder):
		if msg := err.Error(); msg != "" && !strings.HasPrefix(msg, "exit status ") {
			fmt.Fprintf(ios.ErrOut, "error: %s\n", msg)
		}
		return coder.ExitCode()
	default:
		fmt.Fprintf(ios.ErrOut, "error: %s\n", err)
		return cmdutil.ExitFailure
	}
}

// isChildExit reports whether coder is the exit status of a program we ran
// (os/exec's ExitError also has ExitCode): that status is the child's, not
// ours, so such errors map to a plain failure (1).
func isChildExit(coder cmdutil.ExitCoder) bool {
	_, ok := coder.(*exec.ExitError)
	return ok
}

// isCobraUsageError recognises the argument errors cobra itself produces.
func isCobraUsageError(err error) bool {
	msg := err.Error()
	for _, p := range []string{"unknown command ", "unknown flag", "unknown shorthand flag", "accepts ", "requires at least ", "requires at most "} {
		if strings.HasPrefix(msg, p) {
			return true
		}
	}
	return false
}

// commandPath is the command line to give --help to: the command args
// name, spelled as the user called it (osg-koji add-pkg, not osg-koji
// osg-koji add-pkg, when the personality routed to the osg-koji family).
func commandPath(rootCmd *cobra.Command, args []string) string {
	c, _, err := rootCmd.Find(args)
	if err != nil || c == nil {
		return rootCmd.Name()
	}
	return userPath(c, c.CommandPath())
}
