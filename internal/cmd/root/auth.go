package root

import (
	"github.com/spf13/cobra"

	"github.com/osg-htc/osg-build-go/internal/cmd/auth"
	"github.com/osg-htc/osg-build-go/internal/cmdutil"
)

// addAuthCommands attaches `osg-build auth` (the credential check).
func addAuthCommands(root *cobra.Command, f *cmdutil.Factory) {
	c := auth.NewCmdAuth(f, nil)
	c.GroupID = GroupKoji
	root.AddCommand(c)
}
