// Package latestbuild implements `osg-koji latest-build`.
package latestbuild

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/osg-htc/osg-build-go/internal/cmd/koji/shared"
	"github.com/osg-htc/osg-build-go/internal/cmdutil"
	"github.com/osg-htc/osg-build-go/pkg/koji"
)

// LatestBuildOptions are the options of latest-build.
type LatestBuildOptions struct {
	shared.Common
	Tag      string
	Packages []string
	All      bool
	Paths    bool
}

// NewCmdLatestBuild returns the latest-build command.
func NewCmdLatestBuild(f *cmdutil.Factory, runF func(*LatestBuildOptions) error) *cobra.Command {
	opts := &LatestBuildOptions{Common: shared.NewCommon(f)}
	cmd := &cobra.Command{
		Use:   "latest-build <tag> {<package>... | --all}",
		Short: "Print the latest builds of packages in a tag (following inheritance)",
		Long: `Print the latest build of each package in the tag, following inheritance.
The first argument is a tag, not a target: for a target's buildroot use its
build tag (osg-koji list-targets --name <target>).`,
		Example: "$ osg-koji latest-build osg-25-main-el9-development osg-ce\n$ osg-koji latest-build --all osg-25-main-el9-release --quiet",
		Args:    shared.MinArgs(1, "a tag name must be specified"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Tag = args[0]
			opts.Packages = args[1:]
			if opts.All && len(opts.Packages) > 0 {
				return cmdutil.FlagErrorf("a package name may not be combined with --all")
			}
			if !opts.All && len(opts.Packages) == 0 {
				return cmdutil.FlagErrorf("a tag name and package name must be specified")
			}
			if runF != nil {
				return runF(opts)
			}
			return latestBuildRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.All, "all", false, "the latest build of every package in the tag")
	cmd.Flags().BoolVar(&opts.Paths, "paths", false, "show the builds' directories")
	cmd.ValidArgsFunction = shared.CompleteTags(&opts.Common, 0)
	shared.AddJSONFlag(cmd, &opts.Common)
	return cmd
}

func latestBuildRun(ctx context.Context, opts *LatestBuildOptions) error {
	h, err := opts.Open(ctx)
	if err != nil {
		return err
	}
	pkgs := opts.Packages
	if opts.All {
		pkgs = []string{""}
	}
	topdir := ""
	if opts.Paths {
		topdir = cmdutil.HubTopDir(h)
	}
	all := []koji.TaggedBuild{}
	for i, p := range pkgs {
		builds, err := h.GetLatestBuilds(ctx, shared.Ref(opts.Tag), koji.GetLatestBuildsOpts{Package: p})
		if err != nil {
			return err
		}
		if opts.JSON {
			all = append(all, builds...)
			continue
		}
		if i == 0 {
			opts.BuildTableHeader()
		}
		opts.BuildTableRows(builds, topdir)
	}
	if opts.JSON {
		return opts.WriteJSON(all)
	}
	return nil
}
