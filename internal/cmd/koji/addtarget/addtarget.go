// Package addtarget implements `osg-koji add-target`.
package addtarget

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/osg-htc/osg-build-go/internal/cmd/koji/shared"
	"github.com/osg-htc/osg-build-go/internal/cmdutil"
	"github.com/osg-htc/osg-build-go/pkg/koji"
)

// AddTargetOptions are the options of add-target.
type AddTargetOptions struct {
	shared.Common
	Name     string
	BuildTag string
	DestTag  string
}

// NewCmdAddTarget returns the add-target command.
func NewCmdAddTarget(f *cmdutil.Factory, runF func(*AddTargetOptions) error) *cobra.Command {
	opts := &AddTargetOptions{Common: shared.NewCommon(f)}
	cmd := &cobra.Command{
		Use:   "add-target <name> <build-tag> [<dest-tag>]",
		Short: "Create a build target",
		Long: `Create a build target that builds in build-tag (which must have arches) and
tags the result into dest-tag (the tag named like the target when not given).`,
		Example: "$ osg-koji add-target osg-25-main-el9 osg-25-main-el9-build osg-25-main-el9-development",
		Args:    shared.RangeArgs(2, 3, "please specify a target name, a build tag and optionally a destination tag"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Name, opts.BuildTag, opts.DestTag = args[0], args[1], args[0]
			if len(args) > 2 {
				opts.DestTag = args[2]
			}
			if runF != nil {
				return runF(opts)
			}
			return addTargetRun(cmd.Context(), opts)
		},
	}
	cmd.ValidArgsFunction = shared.CompleteTags(&opts.Common, 1, 2)
	shared.AddJSONFlag(cmd, &opts.Common)
	return cmd
}

func addTargetRun(ctx context.Context, opts *AddTargetOptions) error {
	h, err := opts.OpenForWrite(ctx)
	if err != nil {
		return err
	}
	dest, err := h.GetTag(ctx, shared.Ref(opts.DestTag), koji.GetTagOpts{})
	if err != nil {
		return err
	}
	if dest == nil {
		return fmt.Errorf("no such destination tag: %s", opts.DestTag)
	}
	build, err := h.GetTag(ctx, shared.Ref(opts.BuildTag), koji.GetTagOpts{})
	if err != nil {
		return err
	}
	if build == nil {
		return fmt.Errorf("no such tag: %s", opts.BuildTag)
	}
	if len(build.ArchList()) == 0 {
		return fmt.Errorf("build tag has no arches: %s (set them with --arches when creating it)", build.Name)
	}
	if err := h.CreateBuildTarget(ctx, opts.Name, koji.ByID(build.ID), koji.ByID(dest.ID)); err != nil {
		return err
	}
	opts.Statusf("Created target %s (%s -> %s)\n", opts.Name, build.Name, dest.Name)
	if opts.JSON {
		t, err := h.GetBuildTarget(ctx, koji.ByName(opts.Name), koji.GetBuildTargetOpts{})
		if err != nil {
			return err
		}
		return opts.WriteJSON(t)
	}
	return nil
}
