// Package blockpkg implements `osg-koji block-pkg`, `unblock-pkg` and
// `remove-pkg`: changes to packages already in a tag's package list.
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

// BlockPkgOptions are the options of block-pkg, unblock-pkg and
// remove-pkg.
type BlockPkgOptions struct {
	shared.Common
	Tag      string
	Packages []string
	Force    bool
	verb     verb
}

// verb is one of the package-list changes.
type verb struct {
	method string // the hub call
	done   string // the line for each package: package, tag
	json   string // the --json key of the packages
}

var (
	block   = verb{"packageListBlock", "Blocked %s in %s\n", "blocked"}
	unblock = verb{"packageListUnblock", "Unblocked %s in %s\n", "unblocked"}
	remove  = verb{"packageListRemove", "Removed %s from %s\n", "removed"}
)

// NewCmdBlockPkg returns the block-pkg command.
func NewCmdBlockPkg(f *cmdutil.Factory, runF func(*BlockPkgOptions) error) *cobra.Command {
	return newCmd(f, runF, block, &cobra.Command{
		Use:   "block-pkg <tag> <package>...",
		Short: "Block packages in a tag's package list",
		Long: `Block packages in the package list of a tag (which hides them, and the
builds inherited for them, in this tag and its children). Every package must be
in the tag's list, directly or inherited; otherwise nothing is changed.`,
		Example: "$ osg-koji block-pkg osg-25-main-el9-development old-package",
	})
}

// NewCmdUnblockPkg returns the unblock-pkg command.
func NewCmdUnblockPkg(f *cmdutil.Factory, runF func(*BlockPkgOptions) error) *cobra.Command {
	return newCmd(f, runF, unblock, &cobra.Command{
		Use:   "unblock-pkg <tag> <package>...",
		Short: "Unblock packages in a tag's package list",
		Long: `Unblock packages in the package list of a tag: a block set on the tag itself
is removed, one inherited from a parent is overridden on the tag. Every package
must be in the tag's list, directly or inherited; otherwise nothing is changed.`,
		Example: "$ osg-koji unblock-pkg osg-25-main-el9-development old-package",
	})
}

// NewCmdRemovePkg returns the remove-pkg command.
func NewCmdRemovePkg(f *cmdutil.Factory, runF func(*BlockPkgOptions) error) *cobra.Command {
	return newCmd(f, runF, remove, &cobra.Command{
		Use:   "remove-pkg <tag> <package>...",
		Short: "Remove packages from a tag's package list",
		Long: `Remove the tag's own entries for packages from its package list, so that
what a parent says about them (if anything) shows through; blocking is usually
what is wanted instead. Every package must be in the tag's list, directly or
inherited; otherwise nothing is changed.`,
		Example: "$ osg-koji remove-pkg osg-25-main-el9-development old-package",
	})
}

// newCmd completes cmd (its texts given) into the command of verb v.
func newCmd(f *cmdutil.Factory, runF func(*BlockPkgOptions) error, v verb, cmd *cobra.Command) *cobra.Command {
	opts := &BlockPkgOptions{Common: shared.NewCommon(f), verb: v}
	cmd.Args = shared.MinArgs(2, "please specify a tag and at least one package")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		opts.Tag, opts.Packages = args[0], args[1:]
		if runF != nil {
			return runF(opts)
		}
		return blockPkgRun(cmd.Context(), opts)
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
		return fmt.Errorf("package %s doesn't exist in tag %s: nothing %s (add it first with osg-koji add-pkg)", strings.Join(missing, ", "), opts.Tag, opts.verb.json)
	}
	var calls []koji.Call
	for _, p := range opts.Packages {
		kw := map[string]any{}
		if opts.Force {
			kw["force"] = true
		}
		calls = append(calls, koji.Call{Method: opts.verb.method, Args: []any{t.Name, p}, Kwargs: kw})
	}
	if _, err := shared.MultiCallStrict(ctx, h, calls); err != nil {
		return err
	}
	for _, p := range opts.Packages {
		opts.Statusf(opts.verb.done, p, t.Name)
	}
	if opts.JSON {
		return opts.WriteJSON(map[string]any{"tag": t.Name, opts.verb.json: opts.Packages})
	}
	return nil
}
