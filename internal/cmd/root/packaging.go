package root

import (
	"github.com/spf13/cobra"

	"github.com/osg-htc/osg-build-go/internal/cmdutil"
)

// addPackagingCommands attaches the packaging commands.
func addPackagingCommands(root *cobra.Command, f *cmdutil.Factory) {
}
