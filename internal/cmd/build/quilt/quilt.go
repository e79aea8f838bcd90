// Package quilt implements `osg-build quilt`.
package quilt

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/osg-htc/osg-build-go/internal/cmd/build/buildutil"
	"github.com/osg-htc/osg-build-go/internal/cmdutil"
	"github.com/osg-htc/osg-build-go/internal/iostreams"
	"github.com/osg-htc/osg-build-go/internal/packaging"
)

// QuiltOptions are the inputs of `osg-build quilt`.
type QuiltOptions struct {
	IO    *iostreams.IOStreams
	Flags buildutil.Flags
	Dirs  []string
}

// NewCmdQuilt returns the quilt command; runF replaces the run function in tests.
func NewCmdQuilt(f *cmdutil.Factory, runF func(context.Context, *QuiltOptions) error) *cobra.Command {
	opts := &QuiltOptions{IO: f.IOStreams}
	cmd := &cobra.Command{
		Use:   "quilt [PKGDIR...]",
		Short: "Assemble the sources into _quilt and run quilt setup",
		Long: `Assemble the sources into _quilt (no SRPM is built) and run quilt -v setup on
the spec there. The tree is left unpatched, ready for quilt push. Needs quilt.

` + cmdutil.ExitStatusHelp,
		Example: `  osg-build quilt pkg && cd pkg/_quilt/* && quilt push -a`,
		RunE: func(cmd *cobra.Command, args []string) error {
			dirs, err := buildutil.PackageDirs(args)
			if err != nil {
				return err
			}
			opts.Dirs = dirs
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return quiltRun(cmd.Context(), opts)
		},
	}
	buildutil.AddFlags(cmd, &opts.Flags)
	return cmd
}

func quiltRun(ctx context.Context, opts *QuiltOptions) error {
	o, err := opts.Flags.Setup(opts.IO)
	if err != nil {
		return err
	}
	return buildutil.Run(ctx, opts.IO, packaging.TaskQuilt, opts.Dirs, o)
}
