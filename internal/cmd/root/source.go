package root

import (
	"github.com/spf13/cobra"

	"github.com/osg-htc/osg-build-go/internal/cmdutil"
)

// addSourceCommands attaches the source commands.
func addSourceCommands(root *cobra.Command, f *cmdutil.Factory) {
}
