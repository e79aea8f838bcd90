// Package untagbuild implements `osg-koji untag-build`.
package untagbuild

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/osg-htc/osg-build-go/internal/cmd/koji/shared"
	"github.com/osg-htc/osg-build-go/internal/cmdutil"
	"github.com/osg-htc/osg-build-go/pkg/koji"
)

// UntagBuildOptions are the options of untag-build.
type UntagBuildOptions struct {
	shared.Common
	Tag   string
	NVRs  []string
	Force bool
	Test  bool
}

// NewCmdUntagBuild returns the untag-build command.
func NewCmdUntagBuild(f *cmdutil.Factory, runF func(*UntagBuildOptions) error) *cobra.Command {
	opts := &UntagBuildOptions{Common: shared.NewCommon(f)}
	cmd := &cobra.Command{
		Use:   "untag-build <tag> <nvr>...",
		Short: "Remove builds from a tag",
		Long: `Untag builds from a tag in one multiCall. Every build is checked first: one
that does not exist or is not tagged in the tag (directly) is an error, and then
nothing is untagged.`,
		Example: "$ osg-koji untag-build osg-25-main-el9-testing osg-ce-25-1.osg25.el9",
		Args:    shared.MinArgs(2, "this command takes at least two arguments: a tag name and one or more package n-v-r's"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Tag, opts.NVRs = args[0], args[1:]
			if runF != nil {
				return runF(opts)
			}
			return untagBuildRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.Force, "force", false, "force the operation")
	cmd.Flags().BoolVarP(&opts.Test, "test", "n", false, "test mode: show what would be untagged")
	cmd.ValidArgsFunction = shared.CompleteTags(&opts.Common, 0)
	shared.AddJSONFlag(cmd, &opts.Common)
	return cmd
}

func untagBuildRun(ctx context.Context, opts *UntagBuildOptions) error {
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
	var builds []*koji.Build
	for _, nvr := range opts.NVRs {
		b, err := h.GetBuild(ctx, shared.Ref(nvr), koji.GetBuildOpts{})
		if err != nil {
			return err
		}
		if b == nil {
			return fmt.Errorf("no such build: %s", nvr)
		}
		tagged, err := h.ListTagged(ctx, koji.ByID(t.ID), koji.ListTaggedOpts{Package: b.Name})
		if err != nil {
			return err
		}
		found := false
		for _, tb := range tagged {
			found = found || tb.ID == b.ID
		}
		if !found && !opts.Force {
			return fmt.Errorf("build %s is not in tag %s: nothing untagged", b.NVR, t.Name)
		}
		builds = append(builds, b)
	}
	var calls []koji.Call
	nvrs := []string{}
	for _, b := range builds {
		nvrs = append(nvrs, b.NVR)
		if opts.Test {
			opts.Statusf("would untag %s\n", b.NVR)
			continue
		}
		kw := map[string]any{}
		if opts.Force {
			kw["force"] = true
		}
		calls = append(calls, koji.Call{Method: "untagBuild", Args: []any{t.Name, b.NVR}, Kwargs: kw})
	}
	if _, err := shared.MultiCallStrict(ctx, h, calls); err != nil {
		return err
	}
	if !opts.Test {
		for _, n := range nvrs {
			opts.Statusf("Untagged %s from %s\n", n, t.Name)
		}
	}
	if opts.JSON {
		return opts.WriteJSON(map[string]any{"tag": t.Name, "untagged": nvrs, "test": opts.Test})
	}
	return nil
}
