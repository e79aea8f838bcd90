// Package fetch implements `osg-build fetch`, the replacement of
// osg-build's fetch-dot-source: download what .source files name into a
// directory.
package fetch

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/spf13/cobra"

	"github.com/osg-htc/osg-build-go/internal/cmd/build/buildutil"
	"github.com/osg-htc/osg-build-go/internal/cmdutil"
	"github.com/osg-htc/osg-build-go/internal/iostreams"
	pfetch "github.com/osg-htc/osg-build-go/internal/packaging/fetch"
)

// FetchOptions are the inputs of osg-build fetch.
type FetchOptions struct {
	IO            *iostreams.IOStreams
	SourceFiles   []string
	DestDir       string
	NoCheck       bool
	WantSpec      bool
	CachePrefixes []string
	NoCache       bool
	Jobs          int
}

// NewCmdFetch returns the fetch command; runF replaces the run function in tests.
func NewCmdFetch(f *cmdutil.Factory, runF func(context.Context, *FetchOptions) error) *cobra.Command {
	opts := &FetchOptions{IO: f.IOStreams}
	cmd := &cobra.Command{
		Use:   "fetch [flags] FILE.source...",
		Short: "Download the files that .source files name",
		Long: `Download every file that the given .source files name into a directory (the
current one by default), as osg-build's fetch-dot-source did, and print the
paths written, one per line, on stdout.

Cached lines (PKG/VERSION/FILE) come from the upstream caches, tried in order
(--cache-prefix, repeatable; default the OSG caches at
https://sw-upstream.svc.osg-htc.org/upstream then https://vdt.cs.wisc.edu/upstream).
uri lines come from their URL (http, https, file). git and github lines are
fetched with git and archived into a reproducible .tar.gz.

Checking is strict: a sha1sum=, sha256sum= or git hash= mismatch is an error
unless --nocheck. A line without a checksum gives a warning.

Files already downloaded once are reused from the local download cache
(${XDG_CACHE_HOME:-~/.cache}/osg-build/downloads), looked up by checksum.
Nothing is written unless every line succeeds.

` + cmdutil.ExitStatusHelp,
		Example: `  $ osg-build fetch upstream/*.source
  $ osg-build fetch -d /tmp/src -c file:///srv/upstream upstream/developer.tarball.source
  $ osg-build fetch --spec --nocheck upstream/github.source`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return cmdutil.FlagErrorf("give at least one .source file")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.SourceFiles = args
			if opts.Jobs < 1 {
				return cmdutil.FlagErrorf("--jobs must be at least 1")
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return fetchRun(cmd.Context(), opts)
		},
	}
	fs := cmd.Flags()
	fs.StringVarP(&opts.DestDir, "destdir", "d", ".", "write the files into `DIR`")
	fs.BoolVarP(&opts.NoCheck, "nocheck", "n", false, "make checksum and hash mismatches warnings instead of errors")
	fs.BoolVarP(&opts.WantSpec, "spec", "s", false, "also extract the spec file (rpm/NAME.spec or spec=) of git sources")
	fs.StringArrayVarP(&opts.CachePrefixes, "cache-prefix", "c", nil, "upstream cache `PREFIX` (http://, https:// or file://; repeatable, tried in order)")
	fs.BoolVar(&opts.NoCache, "no-cache", false, "neither read nor fill the local download cache")
	fs.IntVarP(&opts.Jobs, "jobs", "j", 4, "download `N` sources at once")
	return cmd
}

func fetchRun(ctx context.Context, opts *FetchOptions) error {
	for _, s := range opts.SourceFiles {
		if !strings.HasSuffix(s, ".source") {
			slog.Warn(s + " does not end in .source; reading it as a .source file anyway")
		}
	}
	prefixes, err := buildutil.ParseCachePrefixes(opts.CachePrefixes)
	if err != nil {
		return err
	}
	var progress io.Writer
	if opts.IO.ProgressEnabled() {
		progress = opts.IO.ErrOut
	}
	cacheDir := ""
	if opts.NoCache {
		cacheDir = "-"
	}
	f := pfetch.New(pfetch.Options{
		CachePrefixes: prefixes,
		Strict:        !opts.NoCheck,
		WantSpec:      opts.WantSpec,
		CacheDir:      cacheDir,
		Progress:      progress,
		Jobs:          opts.Jobs,
		Logger:        slog.Default(),
	})
	paths, err := f.Fetch(ctx, opts.SourceFiles, opts.DestDir)
	if err != nil {
		return err
	}
	for _, p := range paths {
		fmt.Fprintln(opts.IO.Out, p)
	}
	return nil
}
