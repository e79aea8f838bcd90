// Package version implements `osg-build version`.
package version

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/osg-htc/osg-build-go/internal/buildinfo"
	"github.com/osg-htc/osg-build-go/internal/cmdutil"
)

// NewCmdVersion returns the version command.
func NewCmdVersion(f *cmdutil.Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version of osg-build",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			v, c, d := buildinfo.Get()
			fmt.Fprintf(f.IOStreams.Out, "osg-build %s\n", v)
			if c != "" {
				fmt.Fprintf(f.IOStreams.Out, "commit %s\n", c)
			}
			if d != "" {
				fmt.Fprintf(f.IOStreams.Out, "built %s\n", d)
			}
			return nil
		},
	}
}
