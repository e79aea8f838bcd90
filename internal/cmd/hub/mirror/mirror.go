// Package mirror implements `osg-build hub mirror`.
package mirror

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	hubcmd "github.com/osg-htc/osg-build-go/internal/cmd/hub"
	"github.com/osg-htc/osg-build-go/internal/cmdutil"
	"github.com/osg-htc/osg-build-go/internal/hubfiles"
	"github.com/osg-htc/osg-build-go/internal/hubmirror"
	"github.com/osg-htc/osg-build-go/internal/iostreams"
	"github.com/osg-htc/osg-build-go/pkg/hub"
	"github.com/osg-htc/osg-build-go/pkg/hub/store"
)

// Options are the inputs of `osg-build hub mirror`.
type Options struct {
	IO        *iostreams.IOStreams
	Getenv    func(string) string
	Dir       string
	From      string
	Config    string // the global --config
	TopURL    string
	Args      []string
	RPMs      string
	Arches    []string
	SinceLast bool
	NoRepos   bool
	DryRun    bool
	// ExternalCache is --external-cache (made absolute).
	ExternalCache string
	Workers       int
}

// NewCmdMirror returns the hub mirror command; runF replaces the run
// function in tests.
func NewCmdMirror(f *cmdutil.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{IO: f.IOStreams, Getenv: f.Getenv}
	var dir string
	cmd := &cobra.Command{
		Use:   "mirror --from PROFILE|URL TARGET|TAG...",
		Short: "Bring a Koji hub's build environment into the embedded hub",
		Long: `Mirror what a Koji hub's buildroot sees into the embedded hub, so that local
builds see the same packages.

For each target (or tag) it mirrors the whole inheritance chain of the build
tag: the tags (arches, permission, lock, extra options such as
rpm.macro.dist), the inheritance links (priority, maxdepth, intransitive,
noconfig, pkg_filter), the package lists with owners and blocks, the external
repos (priority, merge mode), the comps groups and the target itself. With
--rpms latest (the default) it imports the latest build of each package of
each tag of the chain, with its RPMs and source RPM, keeping the remote's
N-V-Rs and owners (the owners are made local users); --rpms all imports every
tagged build, --rpms none only the configuration.

The remote is read anonymously, at one event, in a few multiCall requests;
the RPMs are downloaded from its topurl (packages/N/V/R/ARCH/FILE) four at a
time, each checked against the remote's payload hash (the MD5 of its header
and payload) and size, and staged under the hub's work directory: an
interrupted run continues where it stopped. Each build is imported in one
transaction (build, RPMs, taggings): a build whose files cannot all be had or
checked is not imported at all, and the run fails naming it.

Each mirrored tag records the remote and its event in the extra options
mirror.source and mirror.event (see osg-koji taginfo), once everything
else succeeded: a failed run records nothing, and the next run redoes what it
missed. For a target T, the local tag and target T-local (build and
destination tag T-local, inheriting T's build tag) are made for local builds:
they go on top of the mirror, never into a mirrored tag, and later mirrors
leave them alone (build with --koji-target T-local --koji-tag TARGET, so the
package list is T-local's too). The repos of the mirrored build tags and of
T-local are regenerated at the end.

--since-last reads the remote's history after each tag's mirror.event
(tag_listing, tag_packages, tag_inheritance, tag_config, tag_extra...) and
applies only those changes: new taggings, untaggings, package-list changes,
configuration changes. A full run makes each mirrored tag hold exactly the
remote's latest builds; --since-last untags only what the remote untagged.

External repos stay the remote's URLs (the buildroot still needs them);
--external-cache DIR points them at local copies instead,
file://DIR/NAME/$arch/, and says how to fill a copy that is not there yet
(dnf reposync). An external repo that exists here already keeps its URL.

--dry-run (-n) reads the remote and prints, one line each, what the mirror
would change here (tags, parents, package lists, builds to import, tag and
untag), and changes nothing.

--from is a profile of the Koji config (--config, ~/.koji/config...) or a hub
URL (the config's TLS settings are used when it has them). The topurl is the
profile's, else --topurl, else the hub URL with /kojihub replaced by
/kojifiles.

` + cmdutil.ExitStatusHelp,
		Example: `  osg-build hub mirror --from osg osg-25-main-el9
  osg-build hub mirror --from https://koji.osg-htc.org/kojihub --dir /srv/hub osg-25-main-el9 osg-25-main-el8
  osg-build hub mirror --from osg --since-last osg-25-main-el9
  osg-build hub mirror --from osg --since-last --dry-run osg-25-main-el9
  osg-build --hub local:/srv/hub koji --koji-target osg-25-main-el9-local --koji-tag TARGET PKGDIR`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.From == "" {
				return cmdutil.FlagErrorf("give the remote hub with --from PROFILE or --from URL")
			}
			switch opts.RPMs {
			case hubmirror.RPMsLatest, hubmirror.RPMsNone, hubmirror.RPMsAll:
			default:
				return cmdutil.FlagErrorf("invalid --rpms %q: use latest, none or all", opts.RPMs)
			}
			if opts.SinceLast && opts.RPMs == hubmirror.RPMsAll {
				return cmdutil.FlagErrorf("--since-last works with --rpms latest or none")
			}
			d, err := hubcmd.Dir(cmd, f, dir)
			if err != nil {
				return err
			}
			opts.Dir = d
			opts.Args = args
			if opts.ExternalCache != "" {
				if opts.ExternalCache, err = filepath.Abs(opts.ExternalCache); err != nil {
					return err
				}
			}
			if fl := cmd.Flag("config"); fl != nil {
				opts.Config = fl.Value.String()
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return run(cmd.Context(), opts)
		},
	}
	hubcmd.AddDirFlag(cmd, &dir)
	cmd.Flags().StringVar(&dir, "into", "", "the same as --dir: the local hub `directory` to mirror into")
	cmd.Flags().StringVar(&opts.ExternalCache, "external-cache", "", "point the external repos at local copies: file://`DIR`/NAME/$arch/ (the buildroot reads them there)")
	cmd.Flags().StringVar(&opts.From, "from", "", "the remote hub: a Koji config `PROFILE` or a hub URL")
	cmd.Flags().StringVar(&opts.TopURL, "topurl", "", "`URL` of the remote's files (default: the profile's topurl, or the hub URL's /kojifiles)")
	cmd.Flags().StringVar(&opts.RPMs, "rpms", hubmirror.RPMsLatest, "which builds to import: `MODE` is latest, all or none")
	cmd.Flags().StringSliceVar(&opts.Arches, "arch", nil, "import the RPMs of `ARCH` only (with noarch and src; repeatable; default: the tags' arches)")
	cmd.Flags().BoolVar(&opts.SinceLast, "since-last", false, "apply only the remote's changes since the last mirror")
	cmd.Flags().BoolVar(&opts.NoRepos, "no-repos", false, "do not regenerate the repos at the end")
	cmd.Flags().BoolVarP(&opts.DryRun, "dry-run", "n", false, "print what would be done, change nothing")
	cmd.Flags().IntVar(&opts.Workers, "workers", 4, "download `N` files at a time")
	return cmd
}

// openRemote opens the remote hub: a profile of the Koji config, or a URL.
func openRemote(ctx context.Context, o *Options) (*cmdutil.RemoteHub, error) {
	s := cmdutil.HubSettings{ConfigFile: o.Config}
	if strings.Contains(o.From, "://") {
		s.Hub = o.From
	} else {
		s.Profile = o.From
	}
	// the remote is never the embedded hub $OSG_BUILD_HUB names
	getenv := func(k string) string {
		if k == cmdutil.EnvHub {
			return ""
		}
		return o.Getenv(k)
	}
	hf := cmdutil.NewHubFactory(func() cmdutil.HubSettings { return s }, getenv)
	h, err := hf.Hub(ctx)
	if err != nil {
		return nil, fmt.Errorf("opening the remote hub %s: %w", o.From, err)
	}
	rh, ok := h.(*cmdutil.RemoteHub)
	if !ok {
		return nil, fmt.Errorf("--from %s is not a remote hub", o.From)
	}
	return rh, nil
}

// topURL is the remote's topurl.
func topURL(o *Options, rh *cmdutil.RemoteHub) string {
	if o.TopURL != "" {
		return o.TopURL
	}
	if t := rh.Options().TopURL; t != "" {
		return t
	}
	srv := strings.TrimSuffix(rh.Server(), "/")
	if base, ok := strings.CutSuffix(srv, "/kojihub"); ok {
		return base + "/kojifiles"
	}
	return ""
}

func run(ctx context.Context, o *Options) error {
	errOut := o.IO.ErrOut
	logf := func(format string, args ...any) {
		if !o.IO.Quiet() {
			fmt.Fprintf(errOut, format+"\n", args...)
		}
	}
	rh, err := openRemote(ctx, o)
	if err != nil {
		return err
	}
	top := topURL(o, rh)
	if top == "" {
		return cmdutil.FlagErrorf("cannot tell where %s serves its files: give --topurl", rh.Server())
	}
	fetch, err := hubfiles.Fetcher(rh, top, nil)
	if err != nil {
		return err
	}
	remote := &hubmirror.Remote{Hub: rh}
	unreachable := func(err error) error {
		var ue *url.Error
		var oe *net.OpError
		if errors.As(err, &ue) || errors.As(err, &oe) {
			return fmt.Errorf("cannot reach %s: %w", rh.Server(), err)
		}
		return err
	}
	dir, err := filepath.Abs(o.Dir)
	if err != nil {
		return err
	}
	_, err = os.Stat(filepath.Join(dir, store.DBFile))
	// The remote must answer before anything is made here. With a hub
	// already here the first read is that check (nothing is written before
	// the reads), one request fewer for a --since-last refresh.
	if err != nil || o.DryRun {
		if perr := remote.Ping(ctx); perr != nil {
			return unreachable(perr)
		}
	}
	if o.DryRun {
		var lh *cmdutil.LocalHub
		if err == nil {
			if lh, err = cmdutil.OpenLocalHub(ctx, dir); err != nil {
				return err
			}
			defer lh.Close()
		}
		return dryRun(ctx, o, remote, rh.Server(), lh)
	}
	if errors.Is(err, os.ErrNotExist) {
		if o.SinceLast {
			return fmt.Errorf("--since-last: there is no hub at %s yet: mirror once without --since-last", dir)
		}
		if _, err := hub.Init(ctx, dir, hub.InitOptions{Preset: "empty"}); err != nil {
			return err
		}
		logf("Created hub %s (preset empty)", dir)
	}
	lh, err := cmdutil.OpenLocalHub(ctx, dir)
	if err != nil {
		return err
	}
	defer lh.Close()
	dl := &hubmirror.Downloader{
		Fetch: hubmirror.Fetch(fetch),
		Dir:   filepath.Join(lh.TopDir(), "work", "mirror-cache"), Workers: o.Workers,
	}
	if o.IO.ProgressEnabled() {
		dl.Progress = errOut
	}
	sum, err := hubmirror.Run(ctx, remote, lh.Hub, hubmirror.Options{
		Source: rh.Server(), Args: o.Args, RPMs: o.RPMs, Arches: o.Arches, SinceLast: o.SinceLast,
		NoRepos: o.NoRepos, ExternalCache: o.ExternalCache, Downloader: dl, Logf: logf,
	})
	if sum != nil && sum.Result != nil {
		report(o, dir, sum)
	}
	if err != nil && (sum == nil || sum.Result == nil) {
		err = unreachable(err)
	}
	if err != nil && ctx.Err() != nil {
		logf("The mirror was interrupted: each build is imported whole or not at all, and the tags are marked mirrored only at the end; the files downloaded are kept: run the same command again to continue")
	}
	return err
}

// dryRun prints the plan against the local hub lh (nil: none yet).
func dryRun(ctx context.Context, o *Options, remote *hubmirror.Remote, source string, lh *cmdutil.LocalHub) error {
	var h *hub.Hub
	if lh != nil {
		h = lh.Hub
	}
	sum, err := hubmirror.Run(ctx, remote, h, hubmirror.Options{Source: source, Args: o.Args, RPMs: o.RPMs,
		Arches: o.Arches, SinceLast: o.SinceLast, ExternalCache: o.ExternalCache, DryRun: true})
	if err != nil {
		return err
	}
	sum.Plan.Write(o.IO.Out)
	fmt.Fprintf(o.IO.ErrOut, "Dry run at event %d of %s: %s (%d requests); nothing was changed\n",
		sum.Event, source, sum.Plan.Counts(), sum.Requests)
	return nil
}

// report prints what the run did (stdout) and the next command (stderr).
func report(o *Options, dir string, sum *hubmirror.Summary) {
	out := o.IO.Out
	r := sum.Result
	what := "Mirrored"
	if len(r.Failed) > 0 {
		what = "Incomplete mirror of"
	}
	fmt.Fprintf(out, "%s %d tags at event %d: %d builds imported, %d taggings, %d untaggings\n",
		what, len(r.Tags), r.Event, r.Imported, r.Tagged, r.Untagged)
	fmt.Fprintf(out, "Files: %d downloaded (%s), %d already here\n", r.Downloaded, size(r.Bytes), r.Reused)
	for _, t := range slices.Sorted(maps.Keys(r.Repos)) {
		fmt.Fprintf(out, "Repo: %s %d\n", t, r.Repos[t])
	}
	per := 0.0
	if len(r.Tags) > 0 {
		per = float64(sum.Requests) / float64(len(r.Tags))
	}
	fmt.Fprintf(out, "Requests: %d (%.2f per tag) in %s\n", sum.Requests, per, sum.Took.Round(time.Millisecond))
	for _, lo := range r.Local {
		fmt.Fprintf(out, "Local target: %s (builds into %s, which inherits %s)\n", lo.Target, lo.Tag, lo.Parent)
	}
	if len(r.Failed) > 0 {
		return
	}
	for _, lo := range r.Local {
		fmt.Fprintf(o.IO.ErrOut, "Build on top of the mirror with: osg-build --hub local:%s koji --koji-target %s --koji-tag TARGET PKGDIR\n", dir, lo.Target)
	}
}

func size(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
