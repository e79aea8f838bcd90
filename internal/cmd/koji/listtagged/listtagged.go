// Package listtagged implements `osg-koji list-tagged`.
package listtagged

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/osg-htc/osg-build-go/internal/cmd/koji/shared"
	"github.com/osg-htc/osg-build-go/internal/cmdutil"
	"github.com/osg-htc/osg-build-go/pkg/koji"
)

// ListTaggedOptions are the options of list-tagged.
type ListTaggedOptions struct {
	shared.Common
	Tag     string
	Package string
	Latest  bool
	LatestN int
	Inherit bool
	Event   int
	Paths   bool
}

// NewCmdListTagged returns the list-tagged command.
func NewCmdListTagged(f *cmdutil.Factory, runF func(*ListTaggedOptions) error) *cobra.Command {
	opts := &ListTaggedOptions{Common: shared.NewCommon(f)}
	cmd := &cobra.Command{
		Use:   "list-tagged <tag> [<package>]",
		Short: "List the builds in a tag",
		Long: `List the builds tagged in a tag (and its parents with --inherit), in koji's
layout: "Build  Tag  Built by" with a rule of dashes (no header with --quiet).`,
		Example: "$ osg-koji list-tagged --latest --inherit osg-25-main-el9-development\n$ osg-koji list-tagged osg-25-main-el9-testing osg-ce --quiet",
		Args:    shared.RangeArgs(1, 2, "please specify a tag and at most one package"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Tag = args[0]
			if len(args) > 1 {
				opts.Package = args[1]
			}
			if opts.LatestN < 0 {
				return cmdutil.FlagErrorf("--latest-n must be positive")
			}
			if runF != nil {
				return runF(opts)
			}
			return listTaggedRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.Latest, "latest", false, "only the latest build of each package")
	cmd.Flags().IntVar(&opts.LatestN, "latest-n", 0, "only the latest `N` builds of each package")
	cmd.Flags().BoolVar(&opts.Inherit, "inherit", false, "follow inheritance")
	cmd.Flags().IntVar(&opts.Event, "event", 0, "query at event `N`")
	cmd.Flags().BoolVar(&opts.Paths, "paths", false, "show the builds' directories")
	cmd.ValidArgsFunction = shared.CompleteTags(&opts.Common, 0)
	shared.AddJSONFlag(cmd, &opts.Common)
	return cmd
}

func listTaggedRun(ctx context.Context, opts *ListTaggedOptions) error {
	h, err := opts.Open(ctx)
	if err != nil {
		return err
	}
	q := koji.ListTaggedOpts{Inherit: opts.Inherit, Package: opts.Package}
	if opts.Latest {
		q.Latest = koji.LatestOne
	}
	if opts.LatestN > 0 {
		q.Latest = koji.Latest(opts.LatestN)
	}
	if opts.Event > 0 {
		q.Event = &opts.Event
		if !opts.Quiet() && !opts.JSON {
			opts.Printf("%s\n", shared.EventHeader(ctx, h, opts.Event))
		}
	}
	t, err := h.GetTag(ctx, shared.Ref(opts.Tag), koji.GetTagOpts{Event: q.Event})
	if err != nil {
		return err
	}
	if t == nil {
		return fmt.Errorf("no such tag: %s", opts.Tag)
	}
	builds, err := h.ListTagged(ctx, koji.ByID(t.ID), q)
	if err != nil {
		return err
	}
	if opts.JSON {
		if builds == nil {
			builds = []koji.TaggedBuild{}
		}
		return opts.WriteJSON(builds)
	}
	opts.BuildTableHeader()
	topdir := ""
	if opts.Paths {
		topdir = cmdutil.HubTopDir(h)
	}
	opts.BuildTableRows(builds, topdir)
	return nil
}
