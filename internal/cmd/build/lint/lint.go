// Package lint implements `osg-build lint`.
package lint

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/osg-htc/osg-build-go/internal/cmd/build/buildutil"
	"github.com/osg-htc/osg-build-go/internal/cmdutil"
	"github.com/osg-htc/osg-build-go/internal/iostreams"
	"github.com/osg-htc/osg-build-go/internal/packaging"
)

// LintOptions are the inputs of `osg-build lint`.
type LintOptions struct {
	IO    *iostreams.IOStreams
	Flags buildutil.Flags
	Dirs  []string
}

// NewCmdLint returns the lint command; runF replaces the run function in tests.
func NewCmdLint(f *cmdutil.Factory, runF func(context.Context, *LintOptions) error) *cobra.Command {
	opts := &LintOptions{IO: f.IOStreams}
	cmd := &cobra.Command{
		Use:   "lint [PKGDIR...]",
		Short: "Check the SRPM with rpmlint",
		Long: `Run prebuild, then rpmlint (2.x) on the SRPM with osg-build's filters (written
to a temporary TOML config). rpmlint's output goes to stdout; its exit status
is read as: 0 ok, 64 problems, 66 many problems, anything else an error
running rpmlint (exit 1). Problems found do not make lint fail.

` + cmdutil.ExitStatusHelp,
		Example: `  osg-build lint pkg`,
		RunE: func(cmd *cobra.Command, args []string) error {
			dirs, err := buildutil.PackageDirs(args)
			if err != nil {
				return err
			}
			opts.Dirs = dirs
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return lintRun(cmd.Context(), opts)
		},
	}
	buildutil.AddFlags(cmd, &opts.Flags)
	return cmd
}

func lintRun(ctx context.Context, opts *LintOptions) error {
	o, err := opts.Flags.Setup(opts.IO)
	if err != nil {
		return err
	}
	return buildutil.Run(ctx, opts.IO, packaging.TaskLint, opts.Dirs, o)
}
