// Package listtags implements `osg-koji list-tags`.
package listtags

import (
	"context"
	"fmt"
	"path"
	"sort"

	"github.com/spf13/cobra"

	"github.com/osg-htc/osg-build-go/internal/cmd/koji/shared"
	"github.com/osg-htc/osg-build-go/internal/cmdutil"
	"github.com/osg-htc/osg-build-go/pkg/koji"
)

// ListTagsOptions are the options of list-tags.
type ListTagsOptions struct {
	shared.Common
	Patterns []string
	ShowID   bool
	Verbose  bool
	Unlocked bool
	Build    string
	Package  string
}

// NewCmdListTags returns the list-tags command.
func NewCmdListTags(f *cmdutil.Factory, runF func(*ListTagsOptions) error) *cobra.Command {
	opts := &ListTagsOptions{Common: shared.NewCommon(f)}
	cmd := &cobra.Command{
		Use:   "list-tags [<pattern>...]",
		Short: "List tags, optionally those matching glob patterns",
		Long: `Print the names of the hub's tags, sorted, one per line. Patterns are shell
globs ("osg-25-*"); a tag is listed when it matches any of them.`,
		Example: "$ osg-koji list-tags 'osg-25-main-el9*'\n$ osg-koji list-tags --build foo-1.0-1.osg25.el9",
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Patterns = args
			for _, p := range args {
				if _, err := path.Match(p, ""); err != nil {
					return cmdutil.FlagErrorf("invalid pattern %q: %v", p, err)
				}
			}
			if runF != nil {
				return runF(opts)
			}
			return listTagsRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.ShowID, "show-id", false, "show tag ids")
	cmd.Flags().BoolVar(&opts.Verbose, "verbose", false, "show ids, permissions, locks and arches")
	cmd.Flags().BoolVar(&opts.Unlocked, "unlocked", false, "only show unlocked tags without a required permission")
	cmd.Flags().StringVar(&opts.Build, "build", "", "only tags of `nvr`")
	cmd.Flags().StringVar(&opts.Package, "package", "", "only tags whose package list has `pkg`")
	shared.AddJSONFlag(cmd, &opts.Common)
	return cmd
}

func listTagsRun(ctx context.Context, opts *ListTagsOptions) error {
	h, err := opts.Open(ctx)
	if err != nil {
		return err
	}
	q := koji.ListTagsOpts{}
	if opts.Build != "" {
		b, err := h.GetBuild(ctx, shared.Ref(opts.Build), koji.GetBuildOpts{})
		if err != nil {
			return err
		}
		if b == nil {
			return fmt.Errorf("no such build: %s", opts.Build)
		}
		q.Build = koji.ByID(b.ID)
	}
	if opts.Package != "" {
		p, err := shared.FindPackage(ctx, h, opts.Package)
		if err != nil {
			return err
		}
		q.Package = koji.ByID(p.ID)
	}
	tags, err := h.ListTags(ctx, q)
	if err != nil {
		return err
	}
	sort.Slice(tags, func(i, j int) bool { return tags[i].Name < tags[j].Name })
	out := []koji.TagEntry{}
	for _, t := range tags {
		if len(opts.Patterns) > 0 && !matchAny(opts.Patterns, t.Name) {
			continue
		}
		if opts.Unlocked && (t.Locked || t.PermID != nil) {
			continue
		}
		out = append(out, t)
	}
	if opts.JSON {
		return opts.WriteJSON(out)
	}
	for _, t := range out {
		switch {
		case opts.Verbose:
			line := fmt.Sprintf("%s [%d] %s %s %s", t.Name, t.ID, shared.StrOr(t.Perm, "None"), pyBool(t.Locked), shared.StrOr(t.Arches, "None"))
			if t.Locked {
				line += " [LOCKED]"
			}
			if t.PermID != nil {
				line += fmt.Sprintf(" [%s perm required]", shared.StrOr(t.Perm, ""))
			}
			opts.Printf("%s\n", line)
		case opts.ShowID:
			opts.Printf("%s [%d]\n", t.Name, t.ID)
		default:
			opts.Printf("%s\n", t.Name)
		}
	}
	return nil
}

func matchAny(patterns []string, name string) bool {
	for _, p := range patterns {
		if ok, _ := path.Match(p, name); ok {
			return true
		}
	}
	return false
}

func pyBool(b bool) string {
	if b {
		return "True"
	}
	return "False"
}
