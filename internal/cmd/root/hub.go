package root

import (
	"github.com/spf13/cobra"

	"github.com/osg-htc/osg-build-go/internal/cmd/hub/hubinit"
	"github.com/osg-htc/osg-build-go/internal/cmd/hub/issuecert"
	"github.com/osg-htc/osg-build-go/internal/cmd/hub/mirror"
	"github.com/osg-htc/osg-build-go/internal/cmd/hub/serve"
	hubweb "github.com/osg-htc/osg-build-go/internal/cmd/hub/web"
	"github.com/osg-htc/osg-build-go/internal/cmdutil"
)

// addHubCommands attaches the hub commands.
func addHubCommands(root *cobra.Command, f *cmdutil.Factory) {
	cmd := &cobra.Command{
		Use:   "hub",
		Short: "Create, serve and administer the embedded Koji-compatible hub",
		Long: `The embedded hub is Koji's data model and API on one machine: tags with
inheritance, package lists, builds, targets, tasks and repos in a SQLite
database, usable in-process (--hub local) or served to Koji clients.`,
		GroupID: GroupHub,
	}
	cmd.AddCommand(hubinit.NewCmdInit(f, nil), serve.NewCmdServe(f, nil), issuecert.NewCmdIssueCert(f, nil), hubweb.NewCmdWeb(f, nil), mirror.NewCmdMirror(f, nil))
	root.AddCommand(cmd)
}
