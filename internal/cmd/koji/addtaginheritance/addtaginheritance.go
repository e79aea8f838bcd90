// Package addtaginheritance implements `osg-koji add-tag-inheritance`.
package addtaginheritance

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/osg-htc/osg-build-go/internal/cmd/koji/shared"
	"github.com/osg-htc/osg-build-go/internal/cmdutil"
	"github.com/osg-htc/osg-build-go/pkg/koji"
)

// AddTagInheritanceOptions are the options of add-tag-inheritance.
type AddTagInheritanceOptions struct {
	shared.Common
	Tag          string
	Parent       string
	Priority     int
	MaxDepth     int
	Intransitive bool
	NoConfig     bool
	PkgFilter    string
	Force        bool
	maxDepthSet  bool
}

// NewCmdAddTagInheritance returns the add-tag-inheritance command.
func NewCmdAddTagInheritance(f *cmdutil.Factory, runF func(*AddTagInheritanceOptions) error) *cobra.Command {
	opts := &AddTagInheritanceOptions{Common: shared.NewCommon(f)}
	cmd := &cobra.Command{
		Use:   "add-tag-inheritance <tag> <parent-tag>",
		Short: "Add a parent to a tag's inheritance",
		Long: `Add parent-tag to the inheritance of tag at --priority (0 by default; lower
is searched first). A priority already used by another parent is refused; a
parent that is already one is refused unless --force, which replaces that link.`,
		Example: "$ osg-koji add-tag-inheritance osg-25-main-el9-build osg-el9 --priority 10",
		Args:    shared.RangeArgs(2, 2, "please specify a tag and a parent tag"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Tag, opts.Parent = args[0], args[1]
			opts.maxDepthSet = cmd.Flags().Changed("maxdepth")
			if runF != nil {
				return runF(opts)
			}
			return addTagInheritanceRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().IntVar(&opts.Priority, "priority", 0, "priority `N` of the link")
	cmd.Flags().IntVar(&opts.MaxDepth, "maxdepth", 0, "follow the parent's own parents at most `N` levels")
	cmd.Flags().BoolVar(&opts.Intransitive, "intransitive", false, "don't pass the link on to children")
	cmd.Flags().BoolVar(&opts.NoConfig, "noconfig", false, "don't inherit arches and options through the link")
	cmd.Flags().StringVar(&opts.PkgFilter, "pkg-filter", "", "only inherit packages matching the `regex`")
	cmd.Flags().BoolVar(&opts.Force, "force", false, "replace an existing link to the same parent")
	cmd.ValidArgsFunction = shared.CompleteTags(&opts.Common, 0, 1)
	shared.AddJSONFlag(cmd, &opts.Common)
	return cmd
}

// SetMaxDepth sets --maxdepth (for callers that build the options
// themselves).
func (o *AddTagInheritanceOptions) SetMaxDepth(n int) { o.MaxDepth, o.maxDepthSet = n, true }

func addTagInheritanceRun(ctx context.Context, opts *AddTagInheritanceOptions) error {
	h, err := opts.OpenForWrite(ctx)
	if err != nil {
		return err
	}
	tag, err := h.GetTag(ctx, shared.Ref(opts.Tag), koji.GetTagOpts{})
	if err != nil {
		return err
	}
	if tag == nil {
		return fmt.Errorf("no such tag: %s", opts.Tag)
	}
	parent, err := h.GetTag(ctx, shared.Ref(opts.Parent), koji.GetTagOpts{})
	if err != nil {
		return err
	}
	if parent == nil {
		return fmt.Errorf("no such tag: %s", opts.Parent)
	}
	data, err := h.GetInheritanceData(ctx, koji.ByID(tag.ID), koji.EventOpts{})
	if err != nil {
		return err
	}
	var kept []koji.InheritanceLink
	for _, l := range data {
		if l.ParentID == parent.ID {
			if !opts.Force {
				return fmt.Errorf("%s is already a parent of %s: use --force to replace the link", parent.Name, tag.Name)
			}
			continue
		}
		if l.Priority == opts.Priority {
			return fmt.Errorf("there is already an active inheritance with priority %d on %s (%s): choose another with --priority", opts.Priority, tag.Name, l.Name)
		}
		kept = append(kept, l)
	}
	link := koji.InheritanceLink{
		ParentID: parent.ID, ChildID: tag.ID, Name: parent.Name, Priority: opts.Priority,
		Intransitive: opts.Intransitive, NoConfig: opts.NoConfig, PkgFilter: opts.PkgFilter,
	}
	if opts.maxDepthSet {
		link.MaxDepth = &opts.MaxDepth
	}
	kept = append(kept, link)
	if err := h.SetInheritanceData(ctx, koji.ByID(tag.ID), kept, koji.SetInheritanceOpts{}); err != nil {
		return err
	}
	opts.Statusf("Added %s as a parent of %s (priority %d)\n", parent.Name, tag.Name, opts.Priority)
	if opts.JSON {
		return opts.WriteJSON(link)
	}
	return nil
}
