// Package regenrepo implements `osg-build regen-repo`: make a newRepo task
// for a tag and (by default) watch it.
package regenrepo

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/osg-htc/osg-build-go/internal/cmd/kojibuild/kbutil"
	"github.com/osg-htc/osg-build-go/internal/cmd/kojibuild/watchtask"
	"github.com/osg-htc/osg-build-go/internal/cmdutil"
	"github.com/osg-htc/osg-build-go/pkg/koji"
)

// RegenRepoOptions are the inputs of regen-repo.
type RegenRepoOptions struct {
	kbutil.Common
	Tag    string
	Wait   bool
	NoWait bool
	// Target says Tag is a target name, whose build tag is regenerated.
	Target bool
}

// NewCmdRegenRepo returns the regen-repo command.
func NewCmdRegenRepo(f *cmdutil.Factory, runF func(context.Context, *RegenRepoOptions) error) *cobra.Command {
	opts := &RegenRepoOptions{Common: kbutil.NewCommon(f)}
	cmd := &cobra.Command{
		Use:   "regen-repo TAG",
		Short: "Regenerate the repo of a build tag",
		Long: `Create a newRepo task for TAG (usually a build tag, osg-25-main-el9-build) and
watch it until it finishes (--nowait: print the command that watches it).
Needs the repo or regen-repo permission.

` + cmdutil.ExitStatusHelp,
		Example: "  osg-build regen-repo osg-25-main-el9-build\n  osg-build --hub local regen-repo --nowait osg-25-main-el9-build",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.ReadGlobals(cmd)
			opts.Tag = args[0]
			if opts.Wait && opts.NoWait {
				return cmdutil.FlagErrorf("--wait and --nowait cannot be used together")
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return regenRepoRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.Wait, "wait", false, "watch the newRepo task until it finishes (the default)")
	cmd.Flags().BoolVar(&opts.NoWait, "nowait", false, "do not watch: print the command that watches the task")
	cmd.Flags().BoolVar(&opts.Target, "target", false, "TAG is a target: regenerate its build tag's repo")
	kbutil.AddFlags(cmd, &opts.Common)
	return cmd
}

func regenRepoRun(ctx context.Context, opts *RegenRepoOptions) error {
	h, err := opts.Hub(ctx)
	if err != nil {
		return err
	}
	if err := cmdutil.EnsureLogin(ctx, h); err != nil {
		return err
	}
	if opts.Target {
		if opts.Tag, err = kbutil.TargetBuildTag(ctx, h, opts.Tag); err != nil {
			return err
		}
	}
	// As koji regen-repo: the tag must exist; a tag that is no target's
	// build tag, or has no arches, gets a warning.
	t, err := h.GetTag(ctx, koji.ByName(opts.Tag), koji.GetTagOpts{})
	if err != nil {
		return fmt.Errorf("getTag(%s): %w", opts.Tag, err)
	}
	if t == nil {
		return fmt.Errorf("no such tag: %s (check the name with `osg-build osg-koji list-tags`)", opts.Tag)
	}
	if targets, err := h.GetBuildTargets(ctx, koji.GetBuildTargetsOpts{BuildTagID: koji.ByID(t.ID)}); err == nil && len(targets) == 0 {
		fmt.Fprintf(opts.IO.ErrOut, "warning: %s is not a build tag\n", t.Name)
	}
	if t.Arches == nil || strings.TrimSpace(*t.Arches) == "" {
		fmt.Fprintf(opts.IO.ErrOut, "warning: tag %s has an empty arch list\n", t.Name)
	}
	id, err := h.NewRepo(ctx, koji.ByName(opts.Tag), koji.NewRepoOpts{})
	if err != nil {
		return fmt.Errorf("newRepo(%s): %w", opts.Tag, err)
	}
	fmt.Fprintf(opts.IO.ErrOut, "Created task: %d\nTask info: %s\n", id, opts.TaskURL(h)(id))
	if opts.NoWait {
		fmt.Fprintf(opts.IO.Out, "%s %d\n", opts.WatchCommand(), id)
		return nil
	}
	return watchtask.WatchAndReport(ctx, &opts.Common, h, []int{id})
}
