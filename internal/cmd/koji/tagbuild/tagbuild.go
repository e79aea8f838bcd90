// Package tagbuild implements `osg-koji tag-build`.
package tagbuild

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/osg-htc/osg-build-go/internal/cmd/koji/shared"
	"github.com/osg-htc/osg-build-go/internal/cmdutil"
	"github.com/osg-htc/osg-build-go/pkg/koji"
)

// TagBuildOptions are the options of tag-build.
type TagBuildOptions struct {
	shared.Common
	Tag    string
	NVRs   []string
	Force  bool
	NoWait bool
}

// NewCmdTagBuild returns the tag-build command.
func NewCmdTagBuild(f *cmdutil.Factory, runF func(*TagBuildOptions) error) *cobra.Command {
	opts := &TagBuildOptions{Common: shared.NewCommon(f)}
	cmd := &cobra.Command{
		Use:   "tag-build <tag> <nvr>...",
		Short: "Tag builds into a tag",
		Long: `Create a tagBuild task per build and wait for them (unless --nowait). The
build must be COMPLETE and its package in the tag's package list.

` + cmdutil.ExitStatusHelp,
		Example: "$ osg-koji tag-build osg-25-main-el9-testing osg-ce-25-1.osg25.el9",
		Args:    shared.MinArgs(2, "this command takes at least two arguments: a tag name and one or more package n-v-r's"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Tag, opts.NVRs = args[0], args[1:]
			if runF != nil {
				return runF(opts)
			}
			return tagBuildRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.Force, "force", false, "force the operation (re-tag, bypass the package list as admin)")
	cmd.Flags().BoolVar(&opts.NoWait, "nowait", false, "do not wait for the tasks")
	cmd.ValidArgsFunction = shared.CompleteTags(&opts.Common, 0)
	shared.AddJSONFlag(cmd, &opts.Common)
	return cmd
}

func tagBuildRun(ctx context.Context, opts *TagBuildOptions) error {
	h, err := opts.OpenForWrite(ctx)
	if err != nil {
		return err
	}
	var tasks []int
	for _, nvr := range opts.NVRs {
		id, err := h.TagBuild(ctx, shared.Ref(opts.Tag), shared.Ref(nvr), koji.TagBuildOpts{Force: opts.Force})
		if err != nil {
			return err
		}
		opts.Statusf("Created task %d\n", id)
		tasks = append(tasks, id)
	}
	if opts.JSON {
		if err := opts.WriteJSON(tasks); err != nil {
			return err
		}
	}
	if opts.NoWait {
		return nil
	}
	return opts.WaitTasks(ctx, h, tasks)
}
