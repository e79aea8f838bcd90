package root

import (
	"github.com/spf13/cobra"

	"github.com/osg-htc/osg-build-go/internal/cmdutil"
)

// addHubCommands attaches the hub commands.
func addHubCommands(root *cobra.Command, f *cmdutil.Factory) {
}
