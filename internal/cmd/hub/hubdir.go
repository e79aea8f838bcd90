// Package hubcmd holds what the hub commands share: the hub directory.
package hubcmd

import (
	"github.com/spf13/cobra"

	"github.com/osg-htc/osg-build-go/internal/cmdutil"
	"github.com/osg-htc/osg-build-go/pkg/hub/store"
)

// AddDirFlag adds --dir, the hub directory.
func AddDirFlag(cmd *cobra.Command, dir *string) {
	cmd.Flags().StringVar(dir, "dir", "", "hub `directory` (default: the embedded hub --hub or $OSG_BUILD_HUB names, else ${XDG_DATA_HOME:-~/.local/share}/osg-build/hub)")
}

// Dir resolves the hub directory of cmd: --dir (flag), else the embedded
// hub that the global --hub names (local, local:DIR, sqlite://DIR; a hub
// URL is an error), else the one $OSG_BUILD_HUB names, else the default.
func Dir(cmd *cobra.Command, f *cmdutil.Factory, flag string) (string, error) {
	if flag != "" {
		return flag, nil
	}
	if fl := cmd.Flag(cmdutil.FlagHub); fl != nil && fl.Value.String() != "" {
		dir, ok, err := cmdutil.LocalHubDir(fl.Value.String(), f.Getenv)
		if !ok {
			return "", cmdutil.FlagErrorf("--hub %s is not an embedded hub: the hub commands work on the directory of one (--dir DIR, or --hub local:DIR)", fl.Value.String())
		}
		return nonEmpty(dir, "--hub "+fl.Value.String(), err)
	}
	if spec := f.Getenv(cmdutil.EnvHub); spec != "" {
		if dir, ok, err := cmdutil.LocalHubDir(spec, f.Getenv); ok {
			return nonEmpty(dir, "$"+cmdutil.EnvHub+"="+spec, err)
		}
	}
	return store.DefaultDir(f.Getenv)
}

// nonEmpty refuses an empty hub directory (from "local:"), naming where it
// came from.
func nonEmpty(dir, from string, err error) (string, error) {
	if err == nil && dir == "" {
		err = cmdutil.FlagErrorf("%s names no hub directory: use local:DIR", from)
	}
	return dir, err
}
