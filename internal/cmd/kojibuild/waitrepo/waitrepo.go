// Package waitrepo implements `osg-build wait-repo`: wait until a tag's repo
// holds given builds (or is current).
package waitrepo

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/osg-htc/osg-build-go/internal/cmd/kojibuild/kbutil"
	"github.com/osg-htc/osg-build-go/internal/cmdutil"
	"github.com/osg-htc/osg-build-go/internal/kojibuild"
	"github.com/osg-htc/osg-build-go/pkg/koji"
)

// WaitRepoOptions are the inputs of wait-repo.
type WaitRepoOptions struct {
	kbutil.Common
	Tag     string
	Builds  []string
	Timeout time.Duration
	// Target says Tag is a target name, whose build tag is waited for.
	Target bool
}

// NewCmdWaitRepo returns the wait-repo command.
func NewCmdWaitRepo(f *cmdutil.Factory, runF func(context.Context, *WaitRepoOptions) error) *cobra.Command {
	opts := &WaitRepoOptions{Common: kbutil.NewCommon(f)}
	cmd := &cobra.Command{
		Use:   "wait-repo TAG",
		Short: "Wait until a tag's repo holds the given builds",
		Long: `Wait until TAG has a READY repo made at or after the event that tagged each
--build NVR into TAG (directly or by inheritance). Without --build, wait for a
repo that reflects the tag's last change (hubs without tagLastChangeEvent: for
a repo newer than the current one). As koji wait-repo, a tag that is not the
build tag of a target is refused: no repo is made for it when it changes.
Needs no login.

Prints the repo id on stdout. Exit status 1 on timeout.

` + cmdutil.ExitStatusHelp,
		Example: "  osg-build wait-repo osg-25-main-el9-build --build xrootd-5.9.1-1.osg25.el9",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.ReadGlobals(cmd)
			opts.Tag = args[0]
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return waitRepoRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringArrayVar(&opts.Builds, "build", nil, "wait for build `NVR` to be in the repo (repeatable)")
	opts.Timeout = 120 * time.Minute
	cmd.Flags().Var((*kbutil.Minutes)(&opts.Timeout), "timeout", "give up after `MINUTES` (or a duration: 90s, 1h30m)")
	cmd.Flags().BoolVar(&opts.Target, "target", false, "TAG is a target: wait for its build tag's repo")
	kbutil.AddFlags(cmd, &opts.Common)
	return cmd
}

func waitRepoRun(ctx context.Context, opts *WaitRepoOptions) error {
	h, err := opts.Hub(ctx)
	if err != nil {
		return err
	}
	if opts.Target {
		if opts.Tag, err = kbutil.TargetBuildTag(ctx, h, opts.Tag); err != nil {
			return err
		}
	}
	if err := checkBuildTag(ctx, h, opts.Tag); err != nil {
		return err
	}
	start := time.Now()
	status := opts.IO.ErrOut
	if opts.IO.Quiet() {
		status = nil
	}
	r, err := kojibuild.WaitRepo(ctx, h, opts.Tag, kojibuild.WaitOptions{Builds: opts.Builds, Timeout: opts.Timeout,
		Interval: opts.Interval(h), Status: status})
	if err != nil {
		return err
	}
	if opts.JSON {
		b, _ := json.Marshal(map[string]any{"event": "repo", "tag": opts.Tag, "repo": r.ID, "create_event": r.CreateEvent, "builds": opts.Builds})
		fmt.Fprintf(opts.IO.Out, "%s\n", b)
		return nil
	}
	el := time.Since(start).Truncate(time.Second)
	fmt.Fprintf(opts.IO.ErrOut, "Got repo %d of %s (event %d) after %s\n", r.ID, opts.Tag, r.CreateEvent, el)
	fmt.Fprintf(opts.IO.Out, "%d\n", r.ID)
	return nil
}

// checkBuildTag refuses, as koji wait-repo does, a tag that is no target's
// build tag: its repos are not regenerated when it changes, so the wait
// would last until the timeout. When targets build into the tag, their
// build tags are suggested.
func checkBuildTag(ctx context.Context, h koji.Hub, tag string) error {
	t, err := h.GetTag(ctx, koji.ByName(tag), koji.GetTagOpts{})
	if err != nil || t == nil {
		return nil // WaitRepo reports it
	}
	targets, err := h.GetBuildTargets(ctx, koji.GetBuildTargetsOpts{BuildTagID: koji.ByID(t.ID)})
	if err != nil || len(targets) > 0 {
		return err
	}
	msg := fmt.Sprintf("%s is not a build tag for any target, so no repo is made for it when it changes; ", tag)
	if dest, err := h.GetBuildTargets(ctx, koji.GetBuildTargetsOpts{DestTagID: koji.ByID(t.ID)}); err == nil && len(dest) > 0 {
		var names []string
		for _, d := range dest {
			if !slices.Contains(names, d.BuildTagName) {
				names = append(names, d.BuildTagName)
			}
		}
		slices.Sort(names)
		msg += fmt.Sprintf("builds into it use the repos of %s: wait for that instead, or ", strings.Join(names, ", "))
	}
	return fmt.Errorf("%smake one with `osg-build regen-repo %s`", msg, tag)
}
