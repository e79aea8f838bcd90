package root

import (
	"github.com/spf13/cobra"

	"github.com/osg-htc/osg-build-go/internal/cmd/osgtools"
	"github.com/osg-htc/osg-build-go/internal/cmd/osgtools/importsrpm"
	"github.com/osg-htc/osg-build-go/internal/cmdutil"
)

// addOSGToolsCommands attaches the OSG helper scripts: tag-diff
// (koji-tag-diff), blame (koji-blame), build-table (koji-build-table) and
// import-srpm (osg-import-srpm).
func addOSGToolsCommands(root *cobra.Command, f *cmdutil.Factory) {
	for _, c := range []*cobra.Command{
		osgtools.NewCmdTagDiff(f, nil),
		osgtools.NewCmdBlame(f, nil),
		osgtools.NewCmdBuildTable(f, nil),
		importsrpm.NewCmdImportSRPM(f, nil),
	} {
		c.GroupID = GroupKoji
		root.AddCommand(c)
	}
}
