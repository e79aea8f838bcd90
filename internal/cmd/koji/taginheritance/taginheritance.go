// Package taginheritance implements `osg-koji edit-tag-inheritance` and
// `osg-koji remove-tag-inheritance`: change or drop one link of a tag's
// inheritance, found by its parent and priority as the koji CLI finds it.
package taginheritance

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/osg-htc/osg-build-go/internal/cmd/koji/shared"
	"github.com/osg-htc/osg-build-go/internal/cmdutil"
	"github.com/osg-htc/osg-build-go/pkg/koji"
)

// Options are the options of edit-tag-inheritance and
// remove-tag-inheritance.
type Options struct {
	shared.Common
	Args []string // <tag> [<parent> [<priority>]]

	// edit-tag-inheritance
	Priority     string // empty: unchanged
	MaxDepth     string // N, "none", or empty: unchanged
	Intransitive bool
	NoConfig     bool
	PkgFilter    string
}

// NewCmdEditTagInheritance returns the edit-tag-inheritance command.
func NewCmdEditTagInheritance(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{Common: shared.NewCommon(f)}
	cmd := &cobra.Command{
		Use:   "edit-tag-inheritance <tag> [<parent> [<priority>]]",
		Short: "Change a link of a tag's inheritance",
		Long: `Change one link of a tag's inheritance: its priority, maxdepth (a number,
or "none" for no limit), intransitive and noconfig (set only, as koji does) and
package filter. The link is found by the parent and its priority; with a
single link neither is needed. A priority another link already has is refused.`,
		Example: "$ osg-koji edit-tag-inheritance osg-25-main-el9-build osg-el9 --priority 20\n$ osg-koji edit-tag-inheritance my-tag my-parent --maxdepth none",
		Args:    shared.RangeArgs(1, 3, "this command takes a tag name or ID, and optionally a parent tag and a priority"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Args = args
			if runF != nil {
				return runF(opts)
			}
			return editRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.Priority, "priority", "", "the new priority `N` of the link")
	cmd.Flags().StringVar(&opts.MaxDepth, "maxdepth", "", "the new maxdepth `N` (\"none\": no limit)")
	cmd.Flags().BoolVar(&opts.Intransitive, "intransitive", false, "make the link intransitive")
	cmd.Flags().BoolVar(&opts.NoConfig, "noconfig", false, "inherit packages only, not arches and options")
	cmd.Flags().StringVar(&opts.PkgFilter, "pkg-filter", "", "the new package filter `regex`")
	cmd.ValidArgsFunction = shared.CompleteTags(&opts.Common, 0, 1)
	shared.AddJSONFlag(cmd, &opts.Common)
	return cmd
}

// NewCmdRemoveTagInheritance returns the remove-tag-inheritance command.
func NewCmdRemoveTagInheritance(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{Common: shared.NewCommon(f)}
	cmd := &cobra.Command{
		Use:   "remove-tag-inheritance <tag> [<parent> [<priority>]]",
		Short: "Remove a link of a tag's inheritance",
		Long: `Remove one link of a tag's inheritance, found by the parent and its
priority; with a single link neither is needed. The link stays in the history.`,
		Example: "$ osg-koji remove-tag-inheritance my-tag my-parent",
		Args:    shared.RangeArgs(1, 3, "this command takes a tag name or ID, and optionally a parent tag and a priority"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Args = args
			if runF != nil {
				return runF(opts)
			}
			return removeRun(cmd.Context(), opts)
		},
	}
	cmd.ValidArgsFunction = shared.CompleteTags(&opts.Common, 0, 1)
	shared.AddJSONFlag(cmd, &opts.Common)
	return cmd
}

// findLink returns the tag, its inheritance data, and the index in it of
// the one link that <parent> and <priority> select.
func findLink(ctx context.Context, h koji.Hub, args []string, verb string) (*koji.Tag, []koji.InheritanceLink, int, error) {
	tag, err := h.GetTag(ctx, shared.Ref(args[0]), koji.GetTagOpts{})
	if err != nil {
		return nil, nil, 0, err
	}
	if tag == nil {
		return nil, nil, 0, cmdutil.FlagErrorf("no such tag: %s", args[0])
	}
	var parent *koji.Tag
	priority, havePriority := 0, false
	if len(args) > 1 {
		if parent, err = h.GetTag(ctx, shared.Ref(args[1]), koji.GetTagOpts{}); err != nil {
			return nil, nil, 0, err
		}
		if parent == nil {
			return nil, nil, 0, cmdutil.FlagErrorf("no such tag: %s", args[1])
		}
	}
	if len(args) > 2 {
		if priority, err = strconv.Atoi(args[2]); err != nil {
			return nil, nil, 0, cmdutil.FlagErrorf("priority %q is not a number", args[2])
		}
		havePriority = true
	}
	data, err := h.GetInheritanceData(ctx, koji.ByID(tag.ID), koji.EventOpts{})
	if err != nil {
		return nil, nil, 0, err
	}
	var matches []int
	for i, l := range data {
		if parent != nil && l.ParentID != parent.ID {
			continue
		}
		if havePriority && l.Priority != priority {
			continue
		}
		matches = append(matches, i)
	}
	switch {
	case len(matches) == 0:
		return nil, nil, 0, fmt.Errorf("no inheritance link found to %s: %s has %s", verb, tag.Name, describe(data))
	case len(matches) > 1 && parent == nil:
		return nil, nil, 0, fmt.Errorf("multiple matches for tag %s: please specify a parent on the command line", tag.Name)
	case len(matches) > 1:
		return nil, nil, 0, fmt.Errorf("multiple links from %s to %s: please specify a priority on the command line", tag.Name, parent.Name)
	}
	return tag, data, matches[0], nil
}

func describe(data []koji.InheritanceLink) string {
	if len(data) == 0 {
		return "no parents"
	}
	var s []string
	for _, l := range data {
		s = append(s, fmt.Sprintf("%s (priority %d)", l.Name, l.Priority))
	}
	return "the parents " + strings.Join(s, ", ")
}

func editRun(ctx context.Context, opts *Options) error {
	h, err := opts.OpenForWrite(ctx)
	if err != nil {
		return err
	}
	tag, data, i, err := findLink(ctx, h, opts.Args, "edit")
	if err != nil {
		return err
	}
	link := data[i]
	if opts.Priority != "" {
		p, err := strconv.Atoi(opts.Priority)
		if err != nil {
			return cmdutil.FlagErrorf("--priority %q is not a number", opts.Priority)
		}
		// koji refuses a priority any link has, the edited one included;
		// keeping the link's own priority is not a conflict.
		for j, l := range data {
			if j != i && l.Priority == p {
				return fmt.Errorf("there is already an active inheritance with priority %d on %s (%s): please specify a different priority with --priority", p, tag.Name, l.Name)
			}
		}
		link.Priority = p
	}
	switch strings.ToLower(opts.MaxDepth) {
	case "":
	case "none":
		link.MaxDepth = nil
	default:
		n, err := strconv.Atoi(opts.MaxDepth)
		if err != nil || n < 0 {
			return cmdutil.FlagErrorf("invalid maxdepth: %s (a number, or none)", opts.MaxDepth)
		}
		link.MaxDepth = &n
	}
	if opts.Intransitive {
		link.Intransitive = true
	}
	if opts.NoConfig {
		link.NoConfig = true
	}
	if opts.PkgFilter != "" {
		link.PkgFilter = opts.PkgFilter
	}
	data[i] = link
	if err := h.SetInheritanceData(ctx, koji.ByID(tag.ID), data, koji.SetInheritanceOpts{}); err != nil {
		return err
	}
	if opts.JSON {
		return opts.WriteJSON(link)
	}
	return nil
}

func removeRun(ctx context.Context, opts *Options) error {
	h, err := opts.OpenForWrite(ctx)
	if err != nil {
		return err
	}
	tag, data, i, err := findLink(ctx, h, opts.Args, "remove")
	if err != nil {
		return err
	}
	link := data[i]
	link.Delete = true
	if err := h.SetInheritanceData(ctx, koji.ByID(tag.ID), []koji.InheritanceLink{link}, koji.SetInheritanceOpts{}); err != nil {
		return err
	}
	if opts.JSON {
		return opts.WriteJSON(map[string]any{"tag": tag.Name, "removed_parent": link.Name, "priority": link.Priority})
	}
	return nil
}
