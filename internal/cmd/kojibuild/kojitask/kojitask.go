// Package kojitask implements `osg-build koji`: build package directories,
// SVN/git URLs or (scratch) SRPMs in Koji or the embedded hub and watch the
// builds to the end.
package kojitask

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/osg-htc/osg-build-go/internal/cmd/build/buildutil"
	"github.com/osg-htc/osg-build-go/internal/cmd/kojibuild/kbutil"
	"github.com/osg-htc/osg-build-go/internal/cmdutil"
	"github.com/osg-htc/osg-build-go/internal/kojibuild"
	"github.com/osg-htc/osg-build-go/internal/packaging"
	"github.com/osg-htc/osg-build-go/internal/targets"
	"github.com/osg-htc/osg-build-go/internal/vcs"
	"github.com/osg-htc/osg-build-go/pkg/koji"
)

// KojiOptions are the inputs of `osg-build koji`.
type KojiOptions struct {
	kbutil.Common
	Build    kojibuild.Options
	El       map[string]*bool
	RepoList bool
	Yes      bool
	SVN, Git bool
}

// NewCmdKoji returns the koji task command; runF replaces the run function
// in tests.
func NewCmdKoji(f *cmdutil.Factory, runF func(context.Context, *KojiOptions) error) *cobra.Command {
	opts := &KojiOptions{Common: kbutil.NewCommon(f), El: map[string]*bool{}}
	cmd := &cobra.Command{
		Use:   "koji [PKGDIR|URL|SRPM...]",
		Short: "Build packages in Koji (or the embedded hub) and watch the builds",
		Long: `Build each package directory (an SVN or git checkout), SVN/git URL, or, for
scratch builds, SRPM, for every enabled EL version, and watch the builds to the
end with a live task tree (one line per state change when piped, JSON lines
with --json). Without PKGDIR the package directory is guessed from the current
directory.

Non-scratch builds come from source control only: the SCM URL of the checkout
(svn+https://...#REV, git+https://...?PATH#SHA) is sent to Koji, after checks of
the working tree (uncommitted changes, HEAD not pushed, checkout out of date):
on a terminal you are asked whether to go on, and the answer is honoured;
-y/--yes goes on; elsewhere the build fails with the reason. The branch must be
allowed to build into the target (the protection table). A package missing
from the tag's package list is added with you as owner.

Scratch builds prebuild the SRPM locally and upload it (or build from source
control with --vcs). Several packages are submitted together and watched in one
poll (one multiCall per poll, however many tasks); a summary table follows, and
a failure comes with the relevant part of its log and a diagnosis. With five or
more packages the builds go to the background (priority +5), as osg-build does.

--chain orders the packages by their BuildRequires and Provides and builds them
in groups, waiting for the build tag's repo to hold each group before the next.

Ctrl-C stops watching, not the builds, and prints the command that resumes
watching.

` + cmdutil.ExitStatusHelp,
		Example: `  osg-build koji --scratch ~/packaging/25-main/xrootd
  osg-build koji --repo 25-main --el9 xrootd
  osg-build --hub local koji --scratch --getfiles osg-hello
  osg-build koji --chain --repo 25-upcoming voms xrootd xrootd-voms
  osg-build koji --dry-run --ktt osg-25-main-el9 xrootd`,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.ReadGlobals(cmd)
			if len(args) == 0 && !opts.RepoList {
				dirs, err := buildutil.PackageDirs(args)
				if err != nil {
					return err
				}
				args = dirs
			}
			opts.Build.Args = args
			if opts.SVN || opts.Git {
				opts.Build.VCS = true
			}
			for _, d := range packaging.KnownDvers {
				if b := opts.El[d]; b != nil && *b {
					opts.Build.Targets.Dvers = append(opts.Build.Targets.Dvers, d)
				}
			}
			opts.Build.JSON = opts.JSON
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return kojiRun(cmd.Context(), opts)
		},
	}
	fs := cmd.Flags()
	b := &opts.Build
	fs.BoolVar(&b.Scratch, "scratch", false, "scratch build: not tagged, may come from a local SRPM")
	fs.BoolVar(&b.VCS, "vcs", false, "scratch build from source control (the SCM URL) instead of a local SRPM")
	fs.BoolVar(&opts.SVN, "svn", false, "same as --vcs")
	fs.BoolVar(&opts.Git, "git", false, "same as --vcs")
	fs.StringVar(&b.Targets.Repo, "repo", "", "build for `REPO` (25-main, 25-upcoming, devops, ...; see --repo-list; default: koji.ini of the packaging subtree)")
	for _, d := range packaging.KnownDvers {
		opts.El[d] = new(bool)
		fs.BoolVar(opts.El[d], d, false, "build for "+strings.ToUpper(d[:1])+d[1:])
		if d == "el7" {
			_ = fs.MarkHidden(d)
		}
	}
	fs.StringArrayVar(&b.Targets.KojiTargets, "koji-target", nil, "build into Koji target `T` (names its dver; repeatable)")
	fs.StringArrayVar(&b.Targets.KojiTags, "koji-tag", nil, "add the package to tag `T` (TARGET: the target's destination tag)")
	fs.StringArrayVar(&b.Targets.KTTs, "ktt", nil, "same as --koji-target T --koji-tag T")
	fs.BoolVar(&opts.RepoList, "repo-list", false, "list the valid --repo values and exit")
	fs.StringVar(&b.ArchOverride, "arch-override", "", "build only for `ARCHES` (space-separated; scratch only)")
	fs.StringVarP(&b.ArchOverride, "target-arch", "t", "", "same as --arch-override")
	fs.BoolVar(&b.Background, "background", false, "submit at background priority (+5); forced with 5 or more packages")
	fs.BoolVar(&b.DryRun, "dry-run", false, "print the hub calls that would be made; no login, nothing submitted")
	fs.BoolVar(&b.NoWait, "nowait", false, "submit and print the command that watches the tasks, without watching")
	fs.BoolVar(&b.GetFiles, "getfiles", false, "download the results into _build_results/<build tag without -build>-<arch>/")
	fs.BoolVar(&b.RegenRepos, "regen-repos", false, "after the builds, regenerate the build tags' repos and wait for them")
	fs.BoolVarP(&opts.Yes, "yes", "y", false, "go on despite working-tree problems without asking")
	fs.BoolVar(&b.Chain, "chain", false, "build the packages in groups ordered by BuildRequires, waiting for each group's repo")
	fs.DurationVar(&b.WaitTimeout, "timeout", 0, "how long --chain and --regen-repos wait for a repo (default 2h)")
	kbutil.AddFlags(cmd, &opts.Common)
	return cmd
}

func kojiRun(ctx context.Context, opts *KojiOptions) error {
	tc, err := targets.Load(opts.Getenv)
	if err != nil {
		return err
	}
	if opts.RepoList {
		fmt.Fprint(opts.IO.Out, tc.RepoList())
		return nil
	}
	vc, err := vcs.Load(opts.Getenv)
	if err != nil {
		return err
	}
	ios := opts.IO
	var h koji.Hub
	env := &kojibuild.Env{
		Hub: func(ctx context.Context) (koji.Hub, error) {
			var err error
			h, err = opts.Hub(ctx)
			return h, err
		},
		Login:   cmdutil.EnsureLogin,
		Targets: tc,
		VCS:     vc,
		Prebuild: func(ctx context.Context, dir, dver string) (string, error) {
			rs := packaging.RunTask(ctx, packaging.TaskPrebuild, dir, packaging.TaskOptions{
				Dvers: []string{dver}, Fetcher: buildutil.NewFetcher(ios, nil, true)})
			for _, r := range rs {
				if r.Err != nil {
					return "", r.Err
				}
				for _, o := range r.Outputs {
					if strings.HasSuffix(o, ".src.rpm") {
						return o, nil
					}
				}
			}
			return "", fmt.Errorf("prebuild of %s made no SRPM", dir)
		},
		Asker:        &kojibuild.Asker{TTY: ios.IsStdinTTY() && ios.IsStderrTTY(), Yes: opts.Yes, In: ios.In, Out: ios.ErrOut},
		Out:          ios.Out,
		Err:          ios.ErrOut,
		Display:      opts.Display(),
		WatchCommand: opts.WatchCommand(),
		Now:          opts.Now,
	}
	env.TaskURL = func(id int) string { return opts.TaskURL(h)(id) }
	// The poll interval depends on the hub, known once it is opened.
	openHub := env.Hub
	env.Hub = func(ctx context.Context) (koji.Hub, error) {
		hh, err := openHub(ctx)
		if err == nil {
			env.Interval = opts.Interval(hh)
		}
		return hh, err
	}
	rep, err := kojibuild.Run(ctx, env, &opts.Build)
	if err != nil {
		return opts.Exit(err)
	}
	if opts.Build.DryRun || opts.Build.NoWait {
		return nil
	}
	if err := kojibuild.WriteSummary(ios.Out, ios.ErrOut, rep, opts.Table, opts.JSON); err != nil {
		return err
	}
	if failed := rep.Failed(); len(failed) > 0 {
		return cmdutil.WithExit(cmdutil.ExitTaskFailed, fmt.Errorf("%d of %d builds failed", len(failed), len(rep.Jobs)))
	}
	return nil
}
