package root

import (
	"github.com/spf13/cobra"

	"github.com/osg-htc/osg-build-go/internal/cmd/koji/kojicmd"
	"github.com/osg-htc/osg-build-go/internal/cmdutil"
)

// addKojiCommands attaches the koji commands.
func addKojiCommands(root *cobra.Command, f *cmdutil.Factory) {
	k := kojicmd.NewCmdKoji(f)
	k.GroupID = GroupKoji
	root.AddCommand(k)
}
