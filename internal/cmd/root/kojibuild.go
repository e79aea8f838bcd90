package root

import (
	"github.com/spf13/cobra"

	"github.com/osg-htc/osg-build-go/internal/cmdutil"
)

// addKojiBuildCommands attaches `osg-build koji` (the build task) and the
// repo commands regen-repo and wait-repo.
func addKojiBuildCommands(root *cobra.Command, f *cmdutil.Factory) {
}
