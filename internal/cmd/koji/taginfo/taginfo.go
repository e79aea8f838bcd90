// Package taginfo implements `osg-koji taginfo`.
package taginfo

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/osg-htc/osg-build-go/internal/cmd/koji/shared"
	"github.com/osg-htc/osg-build-go/internal/cmdutil"
	"github.com/osg-htc/osg-build-go/pkg/koji"
)

// TagInfoOptions are the options of taginfo.
type TagInfoOptions struct {
	shared.Common
	Tags  []string
	Event int
}

// NewCmdTagInfo returns the taginfo command.
func NewCmdTagInfo(f *cmdutil.Factory, runF func(*TagInfoOptions) error) *cobra.Command {
	opts := &TagInfoOptions{Common: shared.NewCommon(f)}
	cmd := &cobra.Command{
		Use:   "taginfo <tag>...",
		Short: "Print a tag's arches, options, targets, external repos and inheritance",
		Long: `Print, for each tag, the blocks of koji taginfo: arches and options (inherited
ones name the tag they come from), the targets that build into or from it, its
external repos and its direct parents with their flags (M maxdepth, F package
filter, I intransitive, N noconfig).`,
		Example: "$ osg-koji taginfo osg-25-main-el9-development",
		Args:    shared.MinArgs(1, "please specify a tag"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Tags = args
			if runF != nil {
				return runF(opts)
			}
			return tagInfoRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().IntVar(&opts.Event, "event", 0, "query at event `N`")
	cmd.ValidArgsFunction = shared.CompleteTags(&opts.Common)
	shared.AddJSONFlag(cmd, &opts.Common)
	return cmd
}

// info is the JSON form of one tag.
type info struct {
	Tag          *koji.BuildConfig      `xmlrpc:"tag"`
	DestTargets  []koji.BuildTarget     `xmlrpc:"dest_targets"`
	BuildTargets []koji.BuildTarget     `xmlrpc:"build_targets"`
	External     []koji.TagExternalRepo `xmlrpc:"external_repos"`
	Inheritance  []koji.InheritanceLink `xmlrpc:"inheritance"`
}

func tagInfoRun(ctx context.Context, opts *TagInfoOptions) error {
	h, err := opts.Open(ctx)
	if err != nil {
		return err
	}
	var ev *int
	if opts.Event > 0 {
		ev = &opts.Event
		if !opts.JSON {
			opts.Printf("%s\n", shared.EventHeader(ctx, h, opts.Event))
		}
	}
	perms := map[int]string{}
	all, err := h.GetAllPerms(ctx)
	if err != nil {
		return err
	}
	for _, p := range all {
		perms[p.ID] = p.Name
	}
	var infos []info
	for _, name := range opts.Tags {
		t, err := h.GetTag(ctx, shared.Ref(name), koji.GetTagOpts{Event: ev})
		if err != nil {
			return err
		}
		if t == nil {
			return fmt.Errorf("no such tag: %s", name)
		}
		cfg, err := h.GetBuildConfig(ctx, koji.ByID(t.ID), koji.EventOpts{Event: ev})
		if err != nil {
			return err
		}
		in := info{Tag: cfg}
		if in.DestTargets, err = h.GetBuildTargets(ctx, koji.GetBuildTargetsOpts{DestTagID: koji.ByID(t.ID), Event: ev}); err != nil {
			return err
		}
		if in.BuildTargets, err = h.GetBuildTargets(ctx, koji.GetBuildTargetsOpts{BuildTagID: koji.ByID(t.ID), Event: ev}); err != nil {
			return err
		}
		if in.External, err = h.GetTagExternalRepos(ctx, koji.GetTagExternalReposOpts{TagInfo: koji.ByID(t.ID), Event: ev}); err != nil {
			return err
		}
		if in.Inheritance, err = h.GetInheritanceData(ctx, koji.ByID(t.ID), koji.EventOpts{Event: ev}); err != nil {
			return err
		}
		infos = append(infos, in)
	}
	if opts.JSON {
		return opts.WriteJSON(infos)
	}
	for n, in := range infos {
		if n > 0 {
			opts.Printf("\n")
		}
		if err := printInfo(ctx, opts, h, in, perms, ev != nil); err != nil {
			return err
		}
	}
	return nil
}

func printInfo(ctx context.Context, opts *TagInfoOptions, h koji.Hub, in info, perms map[int]string, atEvent bool) error {
	t := in.Tag
	opts.Printf("Tag: %s [%d]\n", t.Name, t.ID)
	opts.Printf("Arches: %s\n", shared.StrOr(t.Arches, "None"))
	opts.Printf("Groups: %s\n", strings.Join(tagGroups(ctx, h, t.ID), ", "))
	if t.Locked {
		opts.Printf("LOCKED\n")
	}
	if t.PermID != nil {
		name, ok := perms[*t.PermID]
		if !ok {
			name = fmt.Sprint(*t.PermID)
		}
		opts.Printf("Required permission: '%s'\n", name)
	}
	opts.Printf("Tag options:\n")
	keys := make([]string, 0, len(t.Extra))
	for k := range t.Extra {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		line := fmt.Sprintf("  %s : %s", k, shared.PyRepr(t.Extra[k]))
		if src, ok := t.ConfigInheritance.Extra[k].(map[string]any); ok {
			if name, _ := src["name"].(string); name != "" {
				line = fmt.Sprintf("%s [%s]", shared.Pad(line, 30), name)
			}
		}
		opts.Printf("%s\n", line)
	}
	repos := map[int]string{}
	if !atEvent {
		for _, tg := range append(append([]koji.BuildTarget{}, in.DestTargets...), in.BuildTargets...) {
			if _, ok := repos[tg.BuildTag]; ok {
				continue
			}
			r, err := h.GetRepo(ctx, koji.ByID(tg.BuildTag), koji.GetRepoOpts{})
			if err != nil {
				return err
			}
			if r == nil {
				repos[tg.BuildTag] = "no active repo"
			} else {
				repos[tg.BuildTag] = fmt.Sprintf("repo#%d: %s", r.ID, r.CreationTime)
			}
		}
	}
	if len(in.DestTargets) > 0 {
		opts.Printf("Targets that build into this tag:\n")
		for _, tg := range in.DestTargets {
			if atEvent {
				opts.Printf("  %s (%s)\n", tg.Name, tg.BuildTagName)
			} else {
				opts.Printf("  %s (%s, %s)\n", tg.Name, tg.BuildTagName, repos[tg.BuildTag])
			}
		}
	}
	if len(in.BuildTargets) > 0 {
		opts.Printf("This tag is a buildroot for one or more targets\n")
		if !atEvent {
			opts.Printf("Current repo: %s\n", repos[t.ID])
		}
		opts.Printf("Targets that build from this tag:\n")
		for _, tg := range in.BuildTargets {
			opts.Printf("  %s\n", tg.Name)
		}
	}
	if len(in.External) > 0 {
		opts.Printf("External repos:\n")
		for _, r := range in.External {
			arches := shared.StrOr(r.Arches, "")
			if arches == "" {
				arches = "inherited from tag"
			}
			opts.Printf("  %3d %s (%s, merge mode: %s), arches: %s\n", r.Priority, r.ExternalRepoName, r.URL, r.MergeMode, arches)
		}
	}
	opts.Printf("Inheritance:\n")
	for _, p := range in.Inheritance {
		flags := shared.InheritanceFlags(p.MaxDepth, p.PkgFilter, p.Intransitive, p.NoConfig)
		opts.Printf("  %-4d %s %s [%d]\n", p.Priority, flags, p.Name, p.ParentID)
		if p.MaxDepth != nil {
			opts.Printf("    maxdepth: %d\n", *p.MaxDepth)
		}
		if p.PkgFilter != "" {
			opts.Printf("    package filter: %s\n", p.PkgFilter)
		}
	}
	return nil
}

// tagGroups returns the names of the tag's comps groups (getTagGroups),
// sorted; none when the hub does not answer the call.
func tagGroups(ctx context.Context, h koji.Hub, tagID int) []string {
	v, err := h.Call(ctx, "getTagGroups", []any{tagID}, nil)
	if err != nil {
		return nil
	}
	l, _ := v.([]any)
	var names []string
	for _, g := range l {
		if m, ok := g.(map[string]any); ok {
			if n, ok := m["name"].(string); ok {
				names = append(names, n)
			}
		}
	}
	sort.Strings(names)
	return names
}
