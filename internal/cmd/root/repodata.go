package root

import (
	"github.com/spf13/cobra"

	"github.com/osg-htc/osg-build-go/internal/cmd/createrepo"
	"github.com/osg-htc/osg-build-go/internal/cmdutil"
)

// addRepodataCommands attaches the repodata commands.
func addRepodataCommands(root *cobra.Command, f *cmdutil.Factory) {
	c := createrepo.NewCmdCreaterepo(f, nil)
	c.GroupID = GroupTools
	root.AddCommand(c)
}
