package root

import (
	"github.com/spf13/cobra"

	"github.com/osg-htc/osg-build-go/internal/cmd/build/fetchsources"
	"github.com/osg-htc/osg-build-go/internal/cmd/build/lint"
	"github.com/osg-htc/osg-build-go/internal/cmd/build/mock"
	"github.com/osg-htc/osg-build-go/internal/cmd/build/prebuild"
	"github.com/osg-htc/osg-build-go/internal/cmd/build/prepare"
	"github.com/osg-htc/osg-build-go/internal/cmd/build/quilt"
	"github.com/osg-htc/osg-build-go/internal/cmd/build/rpmbuild"
	"github.com/osg-htc/osg-build-go/internal/cmdutil"
)

// addPackagingCommands attaches the packaging commands: the local tasks
// and the builder-side fetch-sources.
func addPackagingCommands(root *cobra.Command, f *cmdutil.Factory) {
	for _, c := range []*cobra.Command{
		prebuild.NewCmdPrebuild(f, nil),
		prepare.NewCmdPrepare(f, nil),
		rpmbuild.NewCmdRpmbuild(f, nil),
		quilt.NewCmdQuilt(f, nil),
		lint.NewCmdLint(f, nil),
		mock.NewCmdMock(f, nil),
	} {
		c.GroupID = GroupLocal
		root.AddCommand(c)
	}
	fs := fetchsources.NewCmdFetchSources(f, nil)
	fs.GroupID = GroupTools
	root.AddCommand(fs)
}
