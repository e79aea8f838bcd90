// Package edittag implements `osg-koji edit-tag`.
package edittag

import (
	"context"
	"strings"

	"github.com/spf13/cobra"

	"github.com/osg-htc/osg-build-go/internal/cmd/koji/shared"
	"github.com/osg-htc/osg-build-go/internal/cmdutil"
	"github.com/osg-htc/osg-build-go/pkg/koji"
)

// EditTagOptions are the options of edit-tag.
type EditTagOptions struct {
	shared.Common
	Tag         string
	Edit        koji.EditTagOpts
	Extra       []string
	RemoveExtra []string
	BlockExtra  []string
}

// NewCmdEditTag returns the edit-tag command.
func NewCmdEditTag(f *cmdutil.Factory, runF func(*EditTagOptions) error) *cobra.Command {
	opts := &EditTagOptions{Common: shared.NewCommon(f)}
	var arches, rename, perm string
	var lock, unlock, maven, noMaven, noPerm bool
	cmd := &cobra.Command{
		Use:   "edit-tag <name> [flags]",
		Short: "Change a tag: arches, name, lock, extra options",
		Long: `Change a tag (needs the tag or admin permission): its arches, its name, the
permission needed to change it, its lock, Maven support, and its extra options. -x sets an option (the value is
parsed as JSON, a number, True/False/None, else kept as text), -r removes one
set on this tag, -b blocks one inherited from a parent. For example, a build
tag's dist macro is rpm.macro.dist, and mock.yum.module_hotfixes=True lets
mock use modular packages from its external repos.`,
		Example: "$ osg-koji edit-tag osg-25-main-el9-build --arches 'x86_64 aarch64'\n$ osg-koji edit-tag osg-25-main-el9-build -x mock.yum.module_hotfixes=True -r rpm.macro.old",
		Args:    shared.RangeArgs(1, 1, "please specify a name for the tag"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Tag = args[0]
			e := &opts.Edit
			fl := cmd.Flags()
			if fl.Changed("arches") {
				a := shared.ParseArches(arches)
				e.Arches = &a
			}
			if rename != "" {
				e.Name = &rename
			}
			if perm != "" && noPerm {
				return cmdutil.FlagErrorf("--perm and --no-perm cannot be used together")
			}
			if perm != "" {
				e.Perm = shared.Ref(perm)
			}
			e.ClearPerm = noPerm
			if lock && unlock {
				return cmdutil.FlagErrorf("--lock and --unlock cannot be used together")
			}
			if lock || unlock {
				e.Locked = &lock
			}
			if maven && noMaven {
				return cmdutil.FlagErrorf("--maven-support and --no-maven-support cannot be used together")
			}
			if maven || noMaven {
				e.MavenSupport = &maven
			}
			for _, x := range opts.Extra {
				k, v, ok := strings.Cut(x, "=")
				if !ok || k == "" {
					return cmdutil.FlagErrorf("invalid --extra %q: use key=value", x)
				}
				if e.Extra == nil {
					e.Extra = map[string]any{}
				}
				e.Extra[k] = shared.ArgValue(v)
			}
			e.RemoveExtra, e.BlockExtra = opts.RemoveExtra, opts.BlockExtra
			if e.Arches == nil && e.Name == nil && e.Locked == nil && e.MavenSupport == nil && e.Extra == nil &&
				len(e.RemoveExtra) == 0 && len(e.BlockExtra) == 0 && e.Perm.IsZero() && !e.ClearPerm {
				return cmdutil.FlagErrorf("nothing to change: give --arches, --rename, --perm/--no-perm, --lock/--unlock, -x, -r or -b")
			}
			if runF != nil {
				return runF(opts)
			}
			return editTagRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&arches, "arches", "", "the tag's `arches`, separated by commas or spaces")
	fl.StringVar(&rename, "rename", "", "rename the tag to `NAME`")
	fl.StringVar(&perm, "perm", "", "require the permission `PERM` to change the tag")
	fl.BoolVar(&noPerm, "no-perm", false, "remove the tag's permission requirement")
	fl.BoolVar(&lock, "lock", false, "lock the tag")
	fl.BoolVar(&unlock, "unlock", false, "unlock the tag")
	fl.BoolVar(&maven, "maven-support", false, "enable Maven repos for the tag")
	fl.BoolVar(&noMaven, "no-maven-support", false, "disable Maven repos for the tag")
	fl.StringArrayVarP(&opts.Extra, "extra", "x", nil, "set the extra option `key=value` (repeatable)")
	fl.StringArrayVarP(&opts.RemoveExtra, "remove-extra", "r", nil, "remove the extra option `key` (repeatable)")
	fl.StringArrayVarP(&opts.BlockExtra, "block-extra", "b", nil, "block the inherited extra option `key` (repeatable)")
	return cmd
}

func editTagRun(ctx context.Context, opts *EditTagOptions) error {
	h, err := opts.OpenForWrite(ctx)
	if err != nil {
		return err
	}
	return h.EditTag2(ctx, shared.Ref(opts.Tag), opts.Edit)
}
