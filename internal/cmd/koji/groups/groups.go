// Package groups implements the comps group verbs of osg-koji: add-group,
// add-group-pkg and list-groups.
package groups

import (
	"context"
	"fmt"
	"sort"

	"github.com/spf13/cobra"

	"github.com/osg-htc/osg-build-go/internal/cmd/koji/shared"
	"github.com/osg-htc/osg-build-go/internal/cmdutil"
	"github.com/osg-htc/osg-build-go/internal/xmlrpc"
	"github.com/osg-htc/osg-build-go/pkg/koji"
)

// Options are the options of the group verbs.
type Options struct {
	shared.Common
	Tag      string
	Group    string
	Packages []string
	Type     string
}

// NewCmdAddGroup returns add-group.
func NewCmdAddGroup(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{Common: shared.NewCommon(f)}
	cmd := &cobra.Command{
		Use:   "add-group <tag> <group>",
		Short: "Add a comps group to a tag",
		Long: `Add a comps group to a tag (its repos then carry it in comps.xml). A mock
buildroot installs the group "build" of its build tag, and an SRPM build
"srpm-build": give them their packages with add-group-pkg.`,
		Example: "$ osg-koji add-group dist-el9-build build\n$ osg-koji add-group-pkg dist-el9-build build bash coreutils rpm-build",
		Args:    shared.RangeArgs(2, 2, "please specify a tag name and a group name"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Tag, opts.Group = args[0], args[1]
			if runF != nil {
				return runF(opts)
			}
			return addGroupRun(cmd.Context(), opts)
		},
	}
	cmd.ValidArgsFunction = shared.CompleteTags(&opts.Common, 0)
	return cmd
}

// NewCmdAddGroupPkg returns add-group-pkg.
func NewCmdAddGroupPkg(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{Common: shared.NewCommon(f)}
	cmd := &cobra.Command{
		Use:     "add-group-pkg <tag> <group> <package>...",
		Short:   "Add packages to a comps group of a tag",
		Example: "$ osg-koji add-group-pkg dist-el9-build build bash coreutils rpm-build",
		Args:    shared.MinArgs(3, "you must specify a tag name, group name, and one or more package names"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Tag, opts.Group, opts.Packages = args[0], args[1], args[2:]
			if runF != nil {
				return runF(opts)
			}
			return addGroupPkgRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.Type, "type", "", "packagereq type: mandatory (default), default, optional or conditional")
	cmd.ValidArgsFunction = shared.CompleteTags(&opts.Common, 0)
	return cmd
}

// NewCmdListGroups returns list-groups.
func NewCmdListGroups(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{Common: shared.NewCommon(f)}
	cmd := &cobra.Command{
		Use:     "list-groups <tag> [<group>]",
		Short:   "Print the comps groups of a tag and their packages (following inheritance)",
		Example: "$ osg-koji list-groups osg-25-main-el9-build build",
		Args:    shared.RangeArgs(1, 2, "incorrect number of arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Tag = args[0]
			if len(args) == 2 {
				opts.Group = args[1]
			}
			if runF != nil {
				return runF(opts)
			}
			return listGroupsRun(cmd.Context(), opts)
		},
	}
	cmd.ValidArgsFunction = shared.CompleteTags(&opts.Common, 0)
	shared.AddJSONFlag(cmd, &opts.Common)
	return cmd
}

// tagGroup is one group of getTagGroups.
type tagGroup struct {
	Name     string `xmlrpc:"name" json:"name"`
	Packages []struct {
		Package string `xmlrpc:"package" json:"package"`
		Type    string `xmlrpc:"type" json:"type"`
	} `xmlrpc:"packagelist" json:"packagelist"`
}

func tagGroups(ctx context.Context, h koji.Hub, tag string) ([]tagGroup, error) {
	t, err := h.GetTag(ctx, shared.Ref(tag), koji.GetTagOpts{})
	if err != nil {
		return nil, err
	}
	if t == nil {
		return nil, fmt.Errorf("no such tag: %s", tag)
	}
	v, err := h.Call(ctx, "getTagGroups", []any{t.ID}, nil)
	if err != nil {
		return nil, err
	}
	var gs []tagGroup
	if err := xmlrpc.Unmarshal(v, &gs); err != nil {
		return nil, fmt.Errorf("getTagGroups(%s): %w", tag, err)
	}
	return gs, nil
}

func addGroupRun(ctx context.Context, opts *Options) error {
	h, err := opts.OpenForWrite(ctx)
	if err != nil {
		return err
	}
	gs, err := tagGroups(ctx, h, opts.Tag)
	if err != nil {
		return err
	}
	for _, g := range gs {
		if g.Name == opts.Group {
			return fmt.Errorf("group %s already exists for tag %s", opts.Group, opts.Tag)
		}
	}
	_, err = h.Call(ctx, "groupListAdd", []any{opts.Tag, opts.Group}, nil)
	return err
}

func addGroupPkgRun(ctx context.Context, opts *Options) error {
	h, err := opts.OpenForWrite(ctx)
	if err != nil {
		return err
	}
	var calls []koji.Call
	for _, p := range opts.Packages {
		var kw map[string]any
		if opts.Type != "" {
			kw = map[string]any{"type": opts.Type}
		}
		calls = append(calls, koji.Call{Method: "groupPackageListAdd", Args: []any{opts.Tag, opts.Group, p}, Kwargs: kw})
	}
	res, err := h.MultiCall(ctx, calls, koji.MultiCallOpts{})
	if err != nil {
		return err
	}
	for i, r := range res {
		if r.Fault != nil {
			return fmt.Errorf("adding %s to group %s of %s: %w", opts.Packages[i], opts.Group, opts.Tag, r.Fault)
		}
	}
	return nil
}

func listGroupsRun(ctx context.Context, opts *Options) error {
	h, err := opts.Open(ctx)
	if err != nil {
		return err
	}
	gs, err := tagGroups(ctx, h, opts.Tag)
	if err != nil {
		return err
	}
	var out []tagGroup
	for _, g := range gs {
		if opts.Group == "" || g.Name == opts.Group {
			out = append(out, g)
		}
	}
	if opts.JSON {
		return opts.WriteJSON(out)
	}
	for _, g := range out {
		fmt.Fprintf(opts.IO.Out, "%s  [%s]\n", g.Name, opts.Tag)
		sort.Slice(g.Packages, func(i, j int) bool { return g.Packages[i].Package < g.Packages[j].Package })
		for _, p := range g.Packages {
			fmt.Fprintf(opts.IO.Out, "  package %s: %s\n", p.Package, p.Type)
		}
	}
	return nil
}
