// Package listbuilds implements `osg-koji list-builds`.
package listbuilds

import (
	"cmp"
	"context"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/osg-htc/osg-build-go/internal/cmd/koji/shared"
	"github.com/osg-htc/osg-build-go/internal/cmdutil"
	"github.com/osg-htc/osg-build-go/pkg/koji"
)

// ListBuildsOptions are the options of list-builds.
type ListBuildsOptions struct {
	shared.Common
	Package, Owner, State, Prefix, Pattern, Source, Type string
	Task                                                 int
	SortKeys                                             []string
	Reverse                                              bool
}

// sortKeys are the fields -k takes, as koji's.
var sortKeys = []string{"nvr", "build_id", "owner_name", "state"}

// NewCmdListBuilds returns the list-builds command.
func NewCmdListBuilds(f *cmdutil.Factory, runF func(*ListBuildsOptions) error) *cobra.Command {
	opts := &ListBuildsOptions{Common: shared.NewCommon(f)}
	cmd := &cobra.Command{
		Use:   "list-builds [flags]",
		Short: "Print the builds that match a filter",
		Long: `Print the builds of a package, an owner, a state, a task, an N-V-R prefix or
pattern, a source or a type, in koji list-builds's columns (Build, Built by,
State), sorted by N-V-R (-k: build_id, owner_name or state; -r reverses).
At least one filter is needed.`,
		Example: "$ osg-koji list-builds --package osg-ce\n$ osg-koji list-builds --owner alice --state FAILED",
		Args:    shared.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.Package == "" && opts.Owner == "" && opts.State == "" && opts.Prefix == "" && opts.Pattern == "" &&
				opts.Source == "" && opts.Type == "" && opts.Task == 0 {
				return cmdutil.FlagErrorf("Filter must be provided for list")
			}
			if opts.State != "" {
				if _, ok := koji.ParseBuildState(opts.State); !ok {
					return cmdutil.FlagErrorf("invalid --state %q: use BUILDING, COMPLETE, DELETED, FAILED or CANCELED", opts.State)
				}
			}
			for _, k := range opts.SortKeys {
				if !slices.Contains(sortKeys, k) {
					return cmdutil.FlagErrorf("invalid sort key %q: use %s", k, strings.Join(sortKeys, ", "))
				}
			}
			if runF != nil {
				return runF(opts)
			}
			return listBuildsRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Package, "package", "", "the builds of `PACKAGE`")
	fl.StringVar(&opts.Owner, "owner", "", "the builds built by `USER`")
	fl.StringVar(&opts.State, "state", "", "the builds in `STATE` (BUILDING, COMPLETE, FAILED, CANCELED, DELETED)")
	fl.StringVar(&opts.Prefix, "prefix", "", "the builds whose N-V-R starts with `PREFIX`")
	fl.StringVar(&opts.Pattern, "pattern", "", "the builds whose N-V-R matches the glob `PATTERN`")
	fl.StringVar(&opts.Source, "source", "", "the builds whose source matches the glob `PATTERN`")
	fl.StringVar(&opts.Type, "type", "", "the builds of `TYPE` (rpm, ...)")
	fl.IntVar(&opts.Task, "task", 0, "the builds of task `ID`")
	fl.StringArrayVarP(&opts.SortKeys, "sort-key", "k", nil, "sort by `FIELD`: nvr (the default), build_id, owner_name, state (repeatable)")
	fl.BoolVarP(&opts.Reverse, "reverse", "r", false, "print in reverse order")
	shared.AddJSONFlag(cmd, &opts.Common)
	return cmd
}

func listBuildsRun(ctx context.Context, opts *ListBuildsOptions) error {
	h, err := opts.Open(ctx)
	if err != nil {
		return err
	}
	q := koji.ListBuildsOpts{Prefix: opts.Prefix, Pattern: opts.Pattern, Source: opts.Source, Type: opts.Type}
	if opts.Package != "" {
		p, err := shared.FindPackage(ctx, h, opts.Package)
		if err != nil {
			return err
		}
		q.PackageID = koji.ByID(p.ID)
	}
	if opts.Owner != "" {
		u, err := shared.FindUser(ctx, h, opts.Owner)
		if err != nil {
			return err
		}
		q.UserID = koji.ByID(u.ID)
	}
	if opts.State != "" {
		st, _ := koji.ParseBuildState(opts.State)
		q.State = &st
	}
	if opts.Task != 0 {
		q.TaskID = &opts.Task
	}
	builds, err := h.ListBuilds(ctx, q)
	if err != nil {
		return err
	}
	keys := opts.SortKeys
	if len(keys) == 0 {
		keys = []string{"nvr"}
	}
	slices.SortStableFunc(builds, func(a, b koji.Build) int {
		for _, k := range keys {
			var c int
			switch k {
			case "nvr":
				c = strings.Compare(a.NVR, b.NVR)
			case "build_id":
				c = cmp.Compare(a.ID, b.ID)
			case "owner_name":
				c = strings.Compare(a.OwnerName, b.OwnerName)
			case "state":
				c = cmp.Compare(a.State, b.State)
			}
			if c != 0 {
				if opts.Reverse {
					return -c
				}
				return c
			}
		}
		return 0
	})
	if opts.JSON {
		return opts.WriteJSON(builds)
	}
	if !opts.Quiet() {
		opts.Printf("%-55s  %-16s  %s\n", "Build", "Built by", "State")
		opts.Printf("%s  %s  %s\n", strings.Repeat("-", 55), strings.Repeat("-", 16), strings.Repeat("-", 16))
	}
	for _, b := range builds {
		opts.Printf("%-55s  %-16s  %s\n", b.NVR, b.OwnerName, b.State)
	}
	return nil
}
