// Package fetchsources implements `fetch-sources [DIR]`, the builder-side
// entry point (Koji's builder runs it in the checked-out package directory).
package fetchsources

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/osg-htc/osg-build-go/internal/cmd/build/buildutil"
	"github.com/osg-htc/osg-build-go/internal/cmdutil"
	"github.com/osg-htc/osg-build-go/internal/iostreams"
	"github.com/osg-htc/osg-build-go/internal/packaging"
)

// FetchSourcesOptions are the inputs of fetch-sources.
type FetchSourcesOptions struct {
	IO            *iostreams.IOStreams
	Dir           string
	CachePrefixes []string
	NoCheck       bool
	FullExtract   bool
	Fetcher       packaging.Fetcher // nil = the real one
	// Version is osg-build's version, logged as the Python tool does.
	Version string
}

// NewCmdFetchSources returns the fetch-sources command; runF replaces the run
// function in tests.
func NewCmdFetchSources(f *cmdutil.Factory, runF func(context.Context, *FetchSourcesOptions) error) *cobra.Command {
	opts := &FetchSourcesOptions{IO: f.IOStreams, Version: f.AppVersion}
	cmd := &cobra.Command{
		Use:   "fetch-sources [DIR]",
		Short: "Assemble a package's SRPM sources in place (strict; for Koji builders)",
		Long: `Assemble the SRPM sources of the package directory DIR (default: the current
directory) in DIR itself, as Koji's builder does after checking out a package:
download every upstream/*.source, unpack upstream SRPMs (into
DIR/_upstream_srpm_contents) and copy their files, copy the other upstream/
files, then osg/ on top. Exactly one .spec must result.

Checksums are strict: a sha1sum/sha256sum or git hash mismatch is an error.
The names of the files assembled are printed on stdout.

The binary runs this command when called as fetch-sources.

` + cmdutil.ExitStatusHelp,
		Example: `  fetch-sources .
  osg-build fetch-sources -c file:///srv/upstream pkg`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Dir = "."
			if len(args) == 1 {
				opts.Dir = args[0]
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return fetchSourcesRun(cmd.Context(), opts)
		},
	}
	fs := cmd.Flags()
	fs.StringArrayVarP(&opts.CachePrefixes, "cache-prefix", "c", nil, "upstream cache `PREFIX` (http://, https:// or file://; repeatable, tried in order)")
	fs.BoolVar(&opts.NoCheck, "nocheck", false, "make checksum and hash mismatches warnings (scratch builds only)")
	fs.BoolVar(&opts.FullExtract, "full-extract", false, "also unpack every upstream archive into _upstream_tarball_contents")
	return cmd
}

func fetchSourcesRun(ctx context.Context, opts *FetchSourcesOptions) error {
	slog.Info("Built against: osg-build " + opts.Version)
	if err := packaging.ValidatePackageDir(opts.Dir); err != nil {
		return err
	}
	dir, err := filepath.Abs(opts.Dir)
	if err != nil {
		return err
	}
	fetcher := opts.Fetcher
	if fetcher == nil {
		prefixes, err := buildutil.ParseCachePrefixes(opts.CachePrefixes)
		if err != nil {
			return err
		}
		fetcher = buildutil.NewFetcher(opts.IO, prefixes, !opts.NoCheck)
	}
	a, err := packaging.AssembleInPlace(ctx, dir, dir, dir, packaging.AssembleOptions{Fetcher: fetcher, FullExtract: opts.FullExtract})
	if err != nil {
		return err
	}
	for _, f := range a.Files {
		fmt.Fprintln(opts.IO.Out, f)
	}
	if _, err := os.Stat(a.Spec); err != nil {
		return err
	}
	return nil
}
