// Package addpkg implements `osg-koji add-pkg`.
package addpkg

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/osg-htc/osg-build-go/internal/cmd/koji/shared"
	"github.com/osg-htc/osg-build-go/internal/cmdutil"
	"github.com/osg-htc/osg-build-go/pkg/koji"
)

// AddPkgOptions are the options of add-pkg.
type AddPkgOptions struct {
	shared.Common
	Tag         string
	Packages    []string
	Owner       string
	Force       bool
	ExtraArches string
}

// NewCmdAddPkg returns the add-pkg command.
func NewCmdAddPkg(f *cmdutil.Factory, runF func(*AddPkgOptions) error) *cobra.Command {
	opts := &AddPkgOptions{Common: shared.NewCommon(f)}
	cmd := &cobra.Command{
		Use:   "add-pkg --owner <user> <tag> <package>...",
		Short: "Add packages to a tag's package list",
		Long: `Add packages to the package list of a tag, owned by --owner, in one
multiCall. Packages already in the list are reported and skipped.`,
		Example: "$ osg-koji add-pkg --owner alice osg-el9 osg-ce htcondor",
		Args:    shared.MinArgs(2, "please specify a tag and at least one package"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Tag, opts.Packages = args[0], args[1:]
			if opts.Owner == "" {
				return cmdutil.FlagErrorf("please specify an owner for the package(s) with --owner")
			}
			if runF != nil {
				return runF(opts)
			}
			return addPkgRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.Owner, "owner", "", "owner `user` of the new entries (required)")
	cmd.Flags().BoolVar(&opts.Force, "force", false, "override blocks if necessary")
	cmd.Flags().StringVar(&opts.ExtraArches, "extra-arches", "", "extra `arches` of the entries")
	cmd.ValidArgsFunction = shared.CompleteTags(&opts.Common, 0)
	shared.AddJSONFlag(cmd, &opts.Common)
	return cmd
}

func addPkgRun(ctx context.Context, opts *AddPkgOptions) error {
	h, err := opts.OpenForWrite(ctx)
	if err != nil {
		return err
	}
	u, err := h.GetUser(ctx, koji.ByName(opts.Owner), koji.GetUserOpts{})
	if err != nil {
		return err
	}
	if u == nil {
		return fmt.Errorf("user %s does not exist: create it with osg-koji add-user", opts.Owner)
	}
	t, err := h.GetTag(ctx, shared.Ref(opts.Tag), koji.GetTagOpts{})
	if err != nil {
		return err
	}
	if t == nil {
		return fmt.Errorf("no such tag: %s", opts.Tag)
	}
	existing, err := h.ListPackages(ctx, koji.ListPackagesOpts{TagID: koji.ByID(t.ID)})
	if err != nil {
		return err
	}
	have := map[string]bool{}
	for _, p := range existing {
		have[p.PackageName] = true
	}
	kw := map[string]any{"force": opts.Force, "block": false}
	if opts.ExtraArches != "" {
		kw["extra_arches"] = shared.ParseArches(opts.ExtraArches)
	}
	var calls []koji.Call
	added := []string{}
	for _, p := range opts.Packages {
		if have[p] {
			opts.Statusf("Package %s already exists in tag %s\n", p, opts.Tag)
			continue
		}
		have[p] = true
		added = append(added, p)
		calls = append(calls, koji.Call{Method: "packageListAdd", Args: []any{t.Name, p, u.Name}, Kwargs: kw})
	}
	opts.Statusf("Adding %d packages to tag %s\n", len(calls), t.Name)
	if _, err := shared.MultiCallStrict(ctx, h, calls); err != nil {
		return err
	}
	if opts.JSON {
		return opts.WriteJSON(map[string]any{"tag": t.Name, "added": added})
	}
	return nil
}
