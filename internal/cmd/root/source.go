package root

import (
	"github.com/spf13/cobra"

	"github.com/osg-htc/osg-build-go/internal/cmd/sources/checksum"
	"github.com/osg-htc/osg-build-go/internal/cmd/sources/fetch"
	"github.com/osg-htc/osg-build-go/internal/cmdutil"
)

// addSourceCommands attaches the source commands: fetch (fetch-dot-source)
// and checksum (sha1vdt).
func addSourceCommands(root *cobra.Command, f *cmdutil.Factory) {
	for _, c := range []*cobra.Command{
		fetch.NewCmdFetch(f, nil),
		checksum.NewCmdChecksum(f, nil),
	} {
		c.GroupID = GroupTools
		root.AddCommand(c)
	}
}
