// Package blockpkg implements `osg-koji block-pkg`.
package blockpkg

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/osg-htc/osg-build-go/internal/cmd/koji/shared"
	"github.com/osg-htc/osg-build-go/internal/cmdutil"
	"github.com/osg-htc/osg-build-go/pkg/koji"
)

// BlockPkgOptions are the options of block-pkg.
type BlockPkgOptions struct {
	shared.Common
	Tag      string
	Packages []string
	Force    bool
}

// NewCmdBlockPkg returns the block-pkg command.
func NewCmdBlockPkg(f *cmdutil.Factory, runF func(*BlockPkgOptions) error) *cobra.Command {
	opts := &BlockPkgOptions{Common: shared.NewCommon(f)}
	cmd := &cobra.Command{
		Use:   "block-pkg <tag> <package>...",
		Short: "Block packages in a tag's package list",
		Long: `Block packages in the package list of a tag (which hides them, and the
builds inherited for them, in this tag and its children). Every package must be
in the tag's list, directly or inherited; otherwise nothing is changed.`,
		Example: "$ osg-koji block-pkg osg-25-main-el9-development old-package",
		Args:    shared.MinArgs(2, "please specify a tag and at least one package"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Tag, opts.Packages = args[0], args[1:]
			if runF != nil {
				return runF(opts)
			}
			return blockPkgRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.Force, "force", false, "override blocks and owner if necessary")
	cmd.ValidArgsFunction = shared.CompleteTags(&opts.Common, 0)
	shared.AddJSONFlag(cmd, &opts.Common)
	return cmd
}

func blockPkgRun(ctx context.Context, opts *BlockPkgOptions) error {
	h, err := opts.OpenForWrite(ctx)
	if err != nil {
		return err
	}
	t, err := h.GetTag(ctx, shared.Ref(opts.Tag), koji.GetTagOpts{})
	if err != nil {
		return err
	}
	if t == nil {
		return fmt.Errorf("no such tag: %s", opts.Tag)
	}
	existing, err := h.ListPackages(ctx, koji.ListPackagesOpts{TagID: koji.ByID(t.ID), Inherited: true})
	if err != nil {
		return err
	}
	have := map[string]bool{}
	for _, p := range existing {
		have[p.PackageName] = true
	}
	var missing []string
	for _, p := range opts.Packages {
		if !have[p] {
			missing = append(missing, p)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("package %s doesn't exist in tag %s: nothing blocked (add it first with osg-koji add-pkg)", strings.Join(missing, ", "), opts.Tag)
	}
	var calls []koji.Call
	for _, p := range opts.Packages {
		kw := map[string]any{}
		if opts.Force {
			kw["force"] = true
		}
		calls = append(calls, koji.Call{Method: "packageListBlock", Args: []any{t.Name, p}, Kwargs: kw})
	}
	if _, err := shared.MultiCallStrict(ctx, h, calls); err != nil {
		return err
	}
	for _, p := range opts.Packages {
		opts.Statusf("Blocked %s in %s\n", p, t.Name)
	}
	if opts.JSON {
		return opts.WriteJSON(map[string]any{"tag": t.Name, "blocked": opts.Packages})
	}
	return nil
}
