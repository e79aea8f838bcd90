package root

import (
	"github.com/spf13/cobra"

	"github.com/osg-htc/osg-build-go/internal/cmd/kojibuild/kojitask"
	"github.com/osg-htc/osg-build-go/internal/cmd/kojibuild/regenrepo"
	"github.com/osg-htc/osg-build-go/internal/cmd/kojibuild/waitrepo"
	"github.com/osg-htc/osg-build-go/internal/cmd/kojibuild/watchtask"
	"github.com/osg-htc/osg-build-go/internal/cmdutil"
)

// addKojiBuildCommands attaches `osg-build koji` (the build task), the repo
// commands regen-repo and wait-repo, and watch-task.
func addKojiBuildCommands(root *cobra.Command, f *cmdutil.Factory) {
	for _, c := range []*cobra.Command{
		kojitask.NewCmdKoji(f, nil),
		regenrepo.NewCmdRegenRepo(f, nil),
		waitrepo.NewCmdWaitRepo(f, nil),
		watchtask.NewCmdWatchTask(f, nil),
	} {
		c.GroupID = GroupKoji
		root.AddCommand(c)
	}
}
