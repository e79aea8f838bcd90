// Package hubcmd holds what the hub commands share: the --dir flag.
package hubcmd

import (
	"github.com/spf13/cobra"

	"github.com/osg-htc/osg-build-go/internal/cmdutil"
	"github.com/osg-htc/osg-build-go/pkg/hub/store"
)

// AddDirFlag adds --dir, the hub directory.
func AddDirFlag(cmd *cobra.Command, dir *string) {
	cmd.Flags().StringVar(dir, "dir", "", "hub `directory` (default ${XDG_DATA_HOME:-~/.local/share}/osg-build/hub)")
}

// Dir resolves the hub directory: the flag, else the default.
func Dir(f *cmdutil.Factory, flag string) (string, error) {
	if flag != "" {
		return flag, nil
	}
	return store.DefaultDir(f.Getenv)
}
