// Package rpmbuild implements `osg-build rpmbuild`.
package rpmbuild

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/osg-htc/osg-build-go/internal/cmd/build/buildutil"
	"github.com/osg-htc/osg-build-go/internal/cmdutil"
	"github.com/osg-htc/osg-build-go/internal/iostreams"
	"github.com/osg-htc/osg-build-go/internal/packaging"
)

// RpmbuildOptions are the inputs of `osg-build rpmbuild`.
type RpmbuildOptions struct {
	IO    *iostreams.IOStreams
	Flags buildutil.Flags
	Dirs  []string
}

// NewCmdRpmbuild returns the rpmbuild command; runF replaces the run function in tests.
func NewCmdRpmbuild(f *cmdutil.Factory, runF func(context.Context, *RpmbuildOptions) error) *cobra.Command {
	opts := &RpmbuildOptions{IO: f.IOStreams}
	cmd := &cobra.Command{
		Use:   "rpmbuild [PKGDIR...]",
		Short: "Build RPMs locally with rpmbuild",
		Long: `Run prebuild, then rpmbuild --rebuild the SRPM into _build_results. The RPMs
made are printed on stdout; making none is an error. When rpmbuild fails,
the last lines of its output are shown with the path of the full log.

` + cmdutil.ExitStatusHelp,
		Example: `  osg-build rpmbuild pkg
  osg-build r --el8 -t x86_64 pkg`,
		RunE: func(cmd *cobra.Command, args []string) error {
			dirs, err := buildutil.PackageDirs(args)
			if err != nil {
				return err
			}
			opts.Dirs = dirs
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return rpmbuildRun(cmd.Context(), opts)
		},
	}
	buildutil.AddFlags(cmd, &opts.Flags)
	return cmd
}

func rpmbuildRun(ctx context.Context, opts *RpmbuildOptions) error {
	o, err := opts.Flags.Setup(opts.IO)
	if err != nil {
		return err
	}
	return buildutil.Run(ctx, opts.IO, packaging.TaskRpmbuild, opts.Dirs, o)
}
