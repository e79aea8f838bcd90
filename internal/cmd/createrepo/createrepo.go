// Package createrepo implements `osg-build createrepo`: yum repository
// metadata for a directory of RPMs, written by pkg/repodata (a drop-in for
// createrepo_c's everyday use).
package createrepo

import (
	"bufio"
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/osg-htc/osg-build-go/internal/cmdutil"
	"github.com/osg-htc/osg-build-go/internal/iostreams"
	"github.com/osg-htc/osg-build-go/pkg/repodata"
)

// CreaterepoOptions are the flags and arguments of the command.
type CreaterepoOptions struct {
	IO             *iostreams.IOStreams
	Now            func() time.Time
	Dir            string
	OutputDir      string
	Update         bool
	SkipStat       bool
	Workers        int
	GroupFile      string
	PkgList        string
	ChangelogLimit int
	Database       bool
	Excludes       []string
	// DiscardMetadata drops, with Update, the old repodata's additional
	// records (createrepo_c's --keep-all-metadata is the default, as on EL).
	DiscardMetadata bool
}

// NewCmdCreaterepo returns the createrepo command. runF replaces the run
// function in tests.
func NewCmdCreaterepo(f *cmdutil.Factory, runF func(context.Context, *CreaterepoOptions) error) *cobra.Command {
	opts := &CreaterepoOptions{IO: f.IOStreams, Now: f.Now}
	var noDatabase, errorExit, unique, keepAll bool
	var checksum string
	cmd := &cobra.Command{
		Use:   "createrepo [flags] DIR",
		Short: "Write yum repository metadata (repodata/) for a directory of RPMs",
		Long: `Write yum repository metadata for the RPMs below DIR: repodata/repomd.xml and
gzip-compressed primary, filelists and other XML, as createrepo_c 0.17 writes
them (same elements, dependency rules, primary file lists and changelog limit).
No sqlite databases are written; dnf and yum do not need them.

Headers are read in parallel (--workers). The new repodata is written next to
the old one and swapped into place, so readers never see a half-written repo.

With --update, packages whose path, size and modification time are unchanged
reuse their metadata from repodata/osg-build-cache, a cache every run
writes; adding one package to a large repository reads only that package. A
repository without that cache (for example one written by createrepo_c) is
indexed in full. The old repodata's additional metadata (updateinfo added
with modifyrepo_c, modules, ...) is kept, as EL's createrepo_c keeps it,
unless --discard-additional-metadata is given.

A package that cannot be read fails the run (createrepo_c --error-exit-val),
and the existing repodata is left untouched.

` + cmdutil.ExitStatusHelp,
		Example: `  osg-build createrepo ./repo
  osg-build createrepo --update --workers 4 ./repo
  osg-build createrepo -g comps.xml -i pkglist -o /srv/repo-out ./topdir
  osg-build createrepo -x '*-debuginfo-*' -x '*.src.rpm' ./repo`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Dir = args[0]
			if opts.Workers < 0 {
				return cmdutil.FlagErrorf("--workers must be 1 or more, not %d", opts.Workers)
			}
			if opts.SkipStat && !opts.Update {
				return cmdutil.FlagErrorf("--skip-stat only makes sense with --update")
			}
			if !strings.EqualFold(checksum, "sha256") {
				return cmdutil.FlagErrorf("--checksum %s: only sha256 checksums are written (createrepo_c's default)", checksum)
			}
			if keepAll && opts.DiscardMetadata {
				return cmdutil.FlagErrorf("--keep-all-metadata and --discard-additional-metadata contradict each other")
			}
			if opts.ChangelogLimit < 0 {
				return cmdutil.FlagErrorf("--changelog-limit must be 0 or more, not %d", opts.ChangelogLimit)
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return createrepoRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.BoolVar(&opts.Update, "update", false, "reuse the metadata of unchanged packages from the existing repodata")
	fl.BoolVar(&opts.SkipStat, "skip-stat", false, "with --update, take packages already in the metadata as unchanged without checking their size and time")
	fl.IntVar(&opts.Workers, "workers", 0, "number of header-reading workers (default: number of CPUs)")
	fl.StringVarP(&opts.OutputDir, "outputdir", "o", "", "write repodata/ under `DIR` instead of the repository directory")
	fl.StringVarP(&opts.GroupFile, "groupfile", "g", "", "comps `FILE` to add as the group metadata")
	fl.StringVarP(&opts.PkgList, "pkglist", "i", "", "index only the packages listed in `FILE` (one path relative to DIR per line)")
	fl.IntVar(&opts.ChangelogLimit, "changelog-limit", repodata.DefaultChangelogLimit, "number of newest changelog entries kept per package")
	fl.StringArrayVarP(&opts.Excludes, "excludes", "x", nil, "do not index packages whose file name or path matches `GLOB` (* and ?, as createrepo_c's; repeatable)")
	fl.StringVarP(&checksum, "checksum", "s", "sha256", "checksum `TYPE` of the metadata and packages: sha256 only")
	fl.BoolVar(&keepAll, "keep-all-metadata", false, "with --update, keep the old repodata's additional metadata (updateinfo, modules, ...); the default")
	fl.BoolVar(&opts.DiscardMetadata, "discard-additional-metadata", false, "with --update, drop the old repodata's additional metadata")
	fl.BoolVarP(&opts.Database, "database", "d", false, "accepted for createrepo_c compatibility; sqlite databases are not written")
	fl.BoolVar(&noDatabase, "no-database", false, "accepted for createrepo_c compatibility (the default here)")
	fl.BoolVar(&errorExit, "error-exit-val", false, "accepted for createrepo_c compatibility (always on)")
	fl.BoolVar(&unique, "unique-md-filenames", false, "accepted for createrepo_c compatibility (always on)")
	for _, n := range []string{"no-database", "error-exit-val", "unique-md-filenames"} {
		_ = fl.MarkHidden(n)
	}
	return cmd
}

func createrepoRun(ctx context.Context, opts *CreaterepoOptions) error {
	now := time.Now
	if opts.Now != nil {
		now = opts.Now
	}
	start := time.Now()
	// The metadata of even a large repository is a few hundred MB at
	// most; collect garbage less often than Go's default.
	defer debug.SetGCPercent(debug.SetGCPercent(400))
	if opts.Database {
		slog.Warn("sqlite databases are not written; --database is ignored")
	}
	ropts := repodata.Options{
		Dir:       opts.Dir,
		OutputDir: opts.OutputDir,
		Workers:   opts.Workers,
		Update:    opts.Update,
		SkipStat:  opts.SkipStat,
		GroupFile: opts.GroupFile,
		Excludes:  opts.Excludes,
		Now:       now,

		KeepMetadata: !opts.DiscardMetadata,
	}
	if opts.ChangelogLimit == 0 {
		ropts.ChangelogLimit = repodata.NoChangelogs
	} else {
		ropts.ChangelogLimit = opts.ChangelogLimit
	}
	if opts.PkgList != "" {
		list, err := readPkgList(opts.PkgList)
		if err != nil {
			return err
		}
		ropts.Packages = list
	}
	res, err := repodata.Generate(ctx, ropts)
	if err != nil {
		return fmt.Errorf("createrepo %s: %w", opts.Dir, err)
	}
	if !opts.IO.Quiet() {
		reused := ""
		if opts.Update {
			reused = fmt.Sprintf(" (%d reused, %d read)", res.Reused, res.Packages-res.Reused)
		}
		rel := res.RepodataDir
		if wd, err := os.Getwd(); err == nil {
			if r, err := filepath.Rel(wd, rel); err == nil && !strings.HasPrefix(r, "..") {
				rel = r
			}
		}
		fmt.Fprintf(opts.IO.ErrOut, "%s: %d packages%s in %.2fs\n", rel, res.Packages, reused, time.Since(start).Seconds())
	}
	return nil
}

func readPkgList(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read package list: %w", err)
	}
	defer f.Close()
	list := []string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		list = append(list, line)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read package list %s: %w", path, err)
	}
	return list, nil
}
