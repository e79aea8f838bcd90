package root

import (
	"github.com/spf13/cobra"

	"github.com/osg-htc/osg-build-go/internal/cmd/promote"
	"github.com/osg-htc/osg-build-go/internal/cmdutil"
)

// addPromoteCommands attaches `osg-build promote` (osg-promote).
func addPromoteCommands(root *cobra.Command, f *cmdutil.Factory) {
	c := promote.NewCmdPromote(f, nil)
	c.GroupID = GroupKoji
	root.AddCommand(c)
}
