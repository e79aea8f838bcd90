package root

import (
	"github.com/spf13/cobra"

	"github.com/osg-htc/osg-build-go/internal/cmd/sign"
	"github.com/osg-htc/osg-build-go/internal/cmdutil"
)

// addSignCommands attaches `osg-build sign` (osg-sign's job).
func addSignCommands(root *cobra.Command, f *cmdutil.Factory) {
	c := sign.NewCmdSign(f, nil)
	c.GroupID = GroupKoji
	root.AddCommand(c)
}
