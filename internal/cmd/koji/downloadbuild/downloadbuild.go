// Package downloadbuild implements `osg-koji download-build`: a build's
// RPMs into the current directory.
package downloadbuild

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/osg-htc/osg-build-go/internal/atomicfile"
	"github.com/osg-htc/osg-build-go/internal/cmd/koji/shared"
	"github.com/osg-htc/osg-build-go/internal/cmdutil"
	"github.com/osg-htc/osg-build-go/internal/hubfiles"
	"github.com/osg-htc/osg-build-go/pkg/koji"
)

// DownloadBuildOptions are the options of download-build.
type DownloadBuildOptions struct {
	shared.Common
	Build      string
	Arches     []string
	Debuginfo  bool
	LatestFrom string
	TaskID     bool
	RPM        bool
	Key        string
	TopURL     string
	Dir        string // where to write (the current directory)
}

// NewCmdDownloadBuild returns the download-build command.
func NewCmdDownloadBuild(f *cmdutil.Factory, runF func(*DownloadBuildOptions) error) *cobra.Command {
	opts := &DownloadBuildOptions{Common: shared.NewCommon(f)}
	var noProgress bool
	cmd := &cobra.Command{
		Use:   "download-build <n-v-r | build_id | package>",
		Short: "Download a build's RPMs into the current directory",
		Long: `Download the RPMs of a build (by N-V-R or id; with --latestfrom TAG the latest
build of a package in TAG; with --task-id the build of a task; with --rpm
one RPM by N-V-R.A) into the current directory, as koji download-build does:
all arches (--arch: only those, "src" for the SRPM), debuginfo packages only
with --debuginfo, the copies signed with --key KEY when given. From the
embedded hub the files are copied from its topdir; from a Koji hub they are
fetched from the config's topurl (or --topurl). Each file is written under
a temporary name and renamed into place.`,
		Example: "$ osg-koji download-build osg-ce-25-1.osg25.el9\n$ osg-koji download-build --arch noarch --arch src --latestfrom osg-25-main-el9-testing osg-ce",
		Args:    shared.RangeArgs(1, 1, "please specify a package N-V-R or build ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Build = args[0]
			if noProgress {
				opts.IO.SetNoProgress(true)
			}
			n := 0
			for _, b := range []bool{opts.LatestFrom != "", opts.TaskID, opts.RPM} {
				if b {
					n++
				}
			}
			if n > 1 {
				return cmdutil.FlagErrorf("--latestfrom, --task-id and --rpm cannot be used together")
			}
			if runF != nil {
				return runF(opts)
			}
			return downloadBuildRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringArrayVar(&opts.Arches, "arch", nil, "only the RPMs of `ARCH` (repeatable; src for the SRPM)")
	fl.BoolVar(&opts.Debuginfo, "debuginfo", false, "download the debuginfo and debugsource RPMs too")
	fl.StringVar(&opts.LatestFrom, "latestfrom", "", "the argument is a package: its latest build in `TAG`")
	fl.BoolVar(&opts.TaskID, "task-id", false, "the argument is the id of the build's task")
	fl.BoolVar(&opts.RPM, "rpm", false, "the argument is one RPM's N-V-R.A: download only it")
	fl.StringVar(&opts.Key, "key", "", "download the copies signed with `KEY` (data/signed/KEY/...)")
	fl.StringVar(&opts.TopURL, "topurl", "", "the hub's files `URL` (default: the Koji config's topurl)")
	fl.BoolVar(&noProgress, "noprogress", false, "do not show a progress bar")
	return cmd
}

// isDebuginfo is koji.is_debuginfo.
func isDebuginfo(name string) bool {
	return strings.HasSuffix(name, "-debuginfo") || strings.Contains(name, "-debuginfo-") || strings.HasSuffix(name, "-debugsource")
}

func downloadBuildRun(ctx context.Context, opts *DownloadBuildOptions) error {
	h, err := opts.Open(ctx)
	if err != nil {
		return err
	}
	var build *koji.Build
	var rpms []koji.RPM
	switch {
	case opts.LatestFrom != "":
		tagged, err := h.ListTagged(ctx, shared.Ref(opts.LatestFrom), koji.ListTaggedOpts{Inherit: true, Latest: koji.LatestOne, Package: opts.Build})
		if err != nil {
			return err
		}
		if len(tagged) == 0 {
			return fmt.Errorf("%s has no builds of %s", opts.LatestFrom, opts.Build)
		}
		build, err = h.GetBuild(ctx, koji.ByID(tagged[0].BuildID), koji.GetBuildOpts{})
		if err != nil {
			return err
		}
	case opts.TaskID:
		id, err := strconv.Atoi(opts.Build)
		if err != nil {
			return cmdutil.FlagErrorf("--task-id: %q is not a task id", opts.Build)
		}
		builds, err := h.ListBuilds(ctx, koji.ListBuildsOpts{TaskID: &id})
		if err != nil {
			return err
		}
		if len(builds) == 0 {
			return fmt.Errorf("no build from task %d", id)
		}
		build = &builds[0]
	case opts.RPM:
		r, err := h.GetRPM(ctx, shared.Ref(opts.Build), koji.GetRPMOpts{})
		if err != nil {
			return err
		}
		if r == nil {
			return fmt.Errorf("no such rpm: %s", opts.Build)
		}
		if build, err = h.GetBuild(ctx, koji.ByID(r.BuildID), koji.GetBuildOpts{}); err != nil {
			return err
		}
		rpms = []koji.RPM{*r}
	default:
		if build, err = h.GetBuild(ctx, shared.Ref(opts.Build), koji.GetBuildOpts{}); err != nil {
			return err
		}
	}
	if build == nil {
		return fmt.Errorf("no such build: %s", opts.Build)
	}
	if rpms == nil {
		id := build.ID
		if rpms, err = h.ListRPMs(ctx, koji.ListRPMsOpts{BuildID: &id, Arches: opts.Arches}); err != nil {
			return err
		}
	}
	var want []koji.RPM
	for _, r := range rpms {
		if opts.Debuginfo || opts.RPM || !isDebuginfo(r.Name) {
			want = append(want, r)
		}
	}
	if len(want) == 0 {
		return fmt.Errorf("no packages available for %s", build.NVR)
	}
	slices.SortFunc(want, func(a, b koji.RPM) int { return strings.Compare(a.Filename(), b.Filename()) })
	fetch, err := fetcher(h, opts)
	if err != nil {
		return err
	}
	dir := opts.Dir
	if dir == "" {
		dir = "."
	}
	for i, r := range want {
		// koji.PathInfo: the build directory, then the RPM's (or its
		// signed copy's) path in it.
		rel := path.Join("packages", build.Name, build.Version, build.Release, r.Arch, r.Filename())
		if opts.Key != "" {
			rel = path.Join("packages", build.Name, build.Version, build.Release, "data/signed", strings.ToLower(opts.Key), r.Arch, r.Filename())
		}
		opts.Statusf("Downloading [%d/%d]: %s\n", i+1, len(want), r.Filename())
		if err := atomicfile.Write(filepath.Join(dir, r.Filename()), func(w io.Writer) error { return fetch(ctx, rel, w) }); err != nil {
			return fmt.Errorf("download %s: %w", r.Filename(), err)
		}
	}
	return nil
}

// fetcher returns how to read a file below the hub's topdir: a copy for
// the embedded hub, HTTP from the topurl for a Koji hub.
func fetcher(h koji.Hub, opts *DownloadBuildOptions) (hubfiles.Fetch, error) {
	fetch, err := opts.Fetcher(h, opts.TopURL)
	if err != nil {
		return nil, err
	}
	return func(ctx context.Context, rel string, w io.Writer) error {
		err := fetch(ctx, rel, w)
		if errors.Is(err, fs.ErrNotExist) && opts.Key != "" {
			return fmt.Errorf("the hub has no copy signed with key %s (%s)", opts.Key, rel)
		}
		return err
	}, nil
}
