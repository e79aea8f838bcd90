// Package addtag implements `osg-koji add-tag`.
package addtag

import (
	"context"
	"strings"

	"github.com/spf13/cobra"

	"github.com/osg-htc/osg-build-go/internal/cmd/koji/shared"
	"github.com/osg-htc/osg-build-go/internal/cmdutil"
	"github.com/osg-htc/osg-build-go/pkg/koji"
)

// AddTagOptions are the options of add-tag.
type AddTagOptions struct {
	shared.Common
	Name   string
	Parent string
	Arches string
	Extra  []string
}

// NewCmdAddTag returns the add-tag command.
func NewCmdAddTag(f *cmdutil.Factory, runF func(*AddTagOptions) error) *cobra.Command {
	opts := &AddTagOptions{Common: shared.NewCommon(f)}
	cmd := &cobra.Command{
		Use:   "add-tag <name> [--parent <tag>] [--arches <arches>] [--extra <key>=<value>]...",
		Short: "Create a tag",
		Long: `Create a tag (needs the tag or admin permission). --parent adds an
inheritance link at priority 0; --extra sets tag options such as
rpm.macro.dist=.osg25.el9 (values are parsed as JSON, numbers, True/False/None,
else kept as text).`,
		Example: "$ osg-koji add-tag osg-25-main-el9-development --parent osg-el9 --arches x86_64,aarch64",
		Args:    shared.RangeArgs(1, 1, "please specify a name for the tag"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Name = args[0]
			for _, e := range opts.Extra {
				if !strings.Contains(e, "=") {
					return cmdutil.FlagErrorf("invalid --extra %q: use key=value", e)
				}
			}
			if runF != nil {
				return runF(opts)
			}
			return addTagRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.Parent, "parent", "", "parent `tag` (priority 0)")
	cmd.Flags().StringVar(&opts.Arches, "arches", "", "`arches` separated by commas or spaces")
	cmd.Flags().StringArrayVar(&opts.Extra, "extra", nil, "tag option `key=value` (repeatable)")
	shared.AddJSONFlag(cmd, &opts.Common)
	return cmd
}

func addTagRun(ctx context.Context, opts *AddTagOptions) error {
	h, err := opts.OpenForWrite(ctx)
	if err != nil {
		return err
	}
	c := koji.CreateTagOpts{Arches: shared.ParseArches(opts.Arches)}
	if opts.Parent != "" {
		c.Parent = koji.ByName(opts.Parent)
	}
	for _, e := range opts.Extra {
		k, v, _ := strings.Cut(e, "=")
		if c.Extra == nil {
			c.Extra = map[string]any{}
		}
		c.Extra[k] = shared.ArgValue(v)
	}
	id, err := h.CreateTag(ctx, opts.Name, c)
	if err != nil {
		return err
	}
	opts.Statusf("Created tag %s [%d]\n", opts.Name, id)
	if opts.JSON {
		return opts.WriteJSON(map[string]any{"id": id, "name": opts.Name})
	}
	return nil
}
