// Package prebuild implements `osg-build prebuild`.
package prebuild

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/osg-htc/osg-build-go/internal/cmd/build/buildutil"
	"github.com/osg-htc/osg-build-go/internal/cmdutil"
	"github.com/osg-htc/osg-build-go/internal/iostreams"
	"github.com/osg-htc/osg-build-go/internal/packaging"
)

// PrebuildOptions are the inputs of `osg-build prebuild`.
type PrebuildOptions struct {
	IO    *iostreams.IOStreams
	Flags buildutil.Flags
	Dirs  []string
}

// NewCmdPrebuild returns the prebuild command; runF replaces the run function in tests.
func NewCmdPrebuild(f *cmdutil.Factory, runF func(context.Context, *PrebuildOptions) error) *cobra.Command {
	opts := &PrebuildOptions{IO: f.IOStreams}
	cmd := &cobra.Command{
		Use:   "prebuild [PKGDIR...]",
		Short: "Assemble the sources and build the SRPM",
		Long: `Assemble _final_srpm_contents from upstream/*.source downloads, upstream SRPM
contents, other upstream/ files and osg/ (on top), then build the SRPM with
rpmbuild -bs for each dver. The SRPM paths are printed on stdout.

Without PKGDIR, the package directory is guessed from the current directory
(its parent when in osg/ or upstream/, or the directory holding the
underscore directory you are in). Several package directories are each
attempted and summarised in a table; the exit status is 1 if any failed.

` + cmdutil.ExitStatusHelp,
		Example: `  osg-build prebuild ~/packaging/osg-hello
  osg-build prebuild --el8 --el9 pkg1 pkg2
  osg-build prebuild -c file:///srv/upstream --strict`,
		RunE: func(cmd *cobra.Command, args []string) error {
			dirs, err := buildutil.PackageDirs(args)
			if err != nil {
				return err
			}
			opts.Dirs = dirs
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return prebuildRun(cmd.Context(), opts)
		},
	}
	buildutil.AddFlags(cmd, &opts.Flags)
	return cmd
}

func prebuildRun(ctx context.Context, opts *PrebuildOptions) error {
	o, err := opts.Flags.Setup(opts.IO)
	if err != nil {
		return err
	}
	return buildutil.Run(ctx, opts.IO, packaging.TaskPrebuild, opts.Dirs, o)
}
