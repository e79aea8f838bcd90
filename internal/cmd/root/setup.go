package root

import (
	"github.com/spf13/cobra"

	"github.com/osg-htc/osg-build-go/internal/cmd/setup"
	"github.com/osg-htc/osg-build-go/internal/cmdutil"
)

// addSetupCommands attaches `osg-build setup` (osg-koji setup).
func addSetupCommands(root *cobra.Command, f *cmdutil.Factory) {
	c := setup.NewCmdSetup(f, nil)
	c.GroupID = GroupKoji
	root.AddCommand(c)
}
