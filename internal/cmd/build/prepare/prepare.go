// Package prepare implements `osg-build prepare`.
package prepare

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/osg-htc/osg-build-go/internal/cmd/build/buildutil"
	"github.com/osg-htc/osg-build-go/internal/cmdutil"
	"github.com/osg-htc/osg-build-go/internal/iostreams"
	"github.com/osg-htc/osg-build-go/internal/packaging"
)

// PrepareOptions are the inputs of `osg-build prepare`.
type PrepareOptions struct {
	IO    *iostreams.IOStreams
	Flags buildutil.Flags
	Dirs  []string
}

// NewCmdPrepare returns the prepare command; runF replaces the run function in tests.
func NewCmdPrepare(f *cmdutil.Factory, runF func(context.Context, *PrepareOptions) error) *cobra.Command {
	opts := &PrepareOptions{IO: f.IOStreams}
	cmd := &cobra.Command{
		Use:   "prepare [PKGDIR...]",
		Short: "Build the SRPM and unpack and patch its sources (rpmbuild -bp)",
		Long: `Run prebuild, install the SRPM into _build_results and run rpmbuild -bp on it.
The patched sources are left in _build_results/BUILD, whose path is printed.

` + cmdutil.ExitStatusHelp,
		Example: `  osg-build prepare
  osg-build prepare --el9 pkg`,
		RunE: func(cmd *cobra.Command, args []string) error {
			dirs, err := buildutil.PackageDirs(args)
			if err != nil {
				return err
			}
			opts.Dirs = dirs
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return prepareRun(cmd.Context(), opts)
		},
	}
	buildutil.AddFlags(cmd, &opts.Flags)
	return cmd
}

func prepareRun(ctx context.Context, opts *PrepareOptions) error {
	o, err := opts.Flags.Setup(opts.IO)
	if err != nil {
		return err
	}
	return buildutil.Run(ctx, opts.IO, packaging.TaskPrepare, opts.Dirs, o)
}
