// Package listpkgs implements `osg-koji list-pkgs`.
package listpkgs

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/osg-htc/osg-build-go/internal/cmd/koji/shared"
	"github.com/osg-htc/osg-build-go/internal/cmdutil"
	"github.com/osg-htc/osg-build-go/pkg/koji"
)

// ListPkgsOptions are the options of list-pkgs.
type ListPkgsOptions struct {
	shared.Common
	Tag         string
	Package     string
	Owner       string
	NoInherit   bool
	ShowBlocked bool
	ShowDups    bool
	Event       int
}

// NewCmdListPkgs returns the list-pkgs command.
func NewCmdListPkgs(f *cmdutil.Factory, runF func(*ListPkgsOptions) error) *cobra.Command {
	opts := &ListPkgsOptions{Common: shared.NewCommon(f)}
	cmd := &cobra.Command{
		Use:   "list-pkgs [--tag <tag>] [--package <pkg>] [--owner <user>]",
		Short: "List package-list entries of a tag, a package or an owner",
		Long: `Print package-list entries in koji's layout ("Package  Tag  Extra Arches
Owner"); blocked entries are hidden unless --show-blocked, and marked [BLOCKED].
Without --tag, --package or --owner every package name is listed.`,
		Example: "$ osg-koji list-pkgs --tag osg-el9\n$ osg-koji list-pkgs --package osg-ce --quiet",
		Args:    shared.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.Tag == "" && opts.Package == "" && opts.Owner == "" {
				if opts.Event > 0 {
					return cmdutil.FlagErrorf("--event makes sense only with --tag, --owner or --package")
				}
				if opts.ShowBlocked {
					return cmdutil.FlagErrorf("--show-blocked makes sense only with --tag, --owner or --package")
				}
			}
			if runF != nil {
				return runF(opts)
			}
			return listPkgsRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.Tag, "tag", "", "entries of `tag`")
	cmd.Flags().StringVar(&opts.Package, "package", "", "entries of package `pkg`")
	cmd.Flags().StringVar(&opts.Owner, "owner", "", "entries owned by `user`")
	cmd.Flags().BoolVar(&opts.NoInherit, "noinherit", false, "don't follow inheritance")
	cmd.Flags().BoolVar(&opts.ShowBlocked, "show-blocked", false, "show blocked packages")
	cmd.Flags().BoolVar(&opts.ShowDups, "show-dups", false, "show superseded owners")
	cmd.Flags().IntVar(&opts.Event, "event", 0, "query at event `N`")
	shared.AddJSONFlag(cmd, &opts.Common)
	return cmd
}

func listPkgsRun(ctx context.Context, opts *ListPkgsOptions) error {
	h, err := opts.Open(ctx)
	if err != nil {
		return err
	}
	q := koji.ListPackagesOpts{Inherited: !opts.NoInherit}
	if opts.Owner != "" {
		u, err := shared.FindUser(ctx, h, opts.Owner)
		if err != nil {
			return err
		}
		q.UserID = koji.ByID(u.ID)
	}
	if opts.Tag != "" {
		t, err := h.GetTag(ctx, shared.Ref(opts.Tag), koji.GetTagOpts{})
		if err != nil {
			return err
		}
		if t == nil {
			return fmt.Errorf("no such tag: %s", opts.Tag)
		}
		q.TagID = koji.ByID(t.ID)
		q.WithDups = opts.ShowDups
	} else {
		q.WithDups = true
	}
	if opts.Package != "" {
		q.PkgID = shared.Ref(opts.Package)
	}
	allPkgs := q.TagID.IsZero() && q.UserID.IsZero() && q.PkgID.IsZero()
	if opts.Event > 0 {
		q.Event = &opts.Event
		if !opts.JSON {
			opts.Printf("%s\n", shared.EventHeader(ctx, h, opts.Event))
		}
	}
	data, err := h.ListPackages(ctx, q)
	if err != nil {
		return err
	}
	if !opts.ShowBlocked && !allPkgs {
		kept := data[:0]
		for _, p := range data {
			if !p.Blocked {
				kept = append(kept, p)
			}
		}
		data = kept
	}
	if opts.JSON {
		if data == nil {
			data = []koji.PackageListEntry{}
		}
		if allPkgs {
			names := make([]map[string]any, len(data))
			for i, p := range data {
				names[i] = map[string]any{"package_id": p.PackageID, "package_name": p.PackageName}
			}
			return opts.WriteJSON(names)
		}
		return opts.WriteJSON(data)
	}
	if len(data) == 0 {
		// koji exits 1 here, and scripts test package-list membership
		// with it (`if osg-koji list-pkgs --tag T --package P; then`)
		fmt.Fprintln(opts.IO.ErrOut, "(no matching packages)")
		return cmdutil.ErrSilent
	}
	if !opts.Quiet() {
		if allPkgs {
			opts.Printf("Package\n%s\n", strings.Repeat("-", 23))
		} else {
			opts.Printf("%s %s %s %s\n", shared.Pad("Package", 23), shared.Pad("Tag", 23), shared.Pad("Extra Arches", 16), shared.Pad("Owner", 15))
			opts.Printf("%s %s %s %s\n", strings.Repeat("-", 23), strings.Repeat("-", 23), strings.Repeat("-", 16), strings.Repeat("-", 15))
		}
	}
	for _, p := range data {
		if allPkgs {
			opts.Printf("%s\n", p.PackageName)
			continue
		}
		line := fmt.Sprintf("%s %s %s %s", shared.Pad(p.PackageName, 23), shared.Pad(p.TagName, 23), shared.Pad(shared.StrOr(p.ExtraArches, ""), 16), shared.Pad(p.OwnerName, 15))
		if p.Blocked {
			line += " [BLOCKED]"
		}
		opts.Printf("%s\n", line)
	}
	return nil
}
