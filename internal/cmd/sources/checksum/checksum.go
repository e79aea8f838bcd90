// Package checksum implements `osg-build checksum`, the replacement of
// osg-build's sha1vdt: print a ready .source line for a file.
package checksum

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"unicode"

	"github.com/spf13/cobra"

	"github.com/osg-htc/osg-build-go/internal/cmdutil"
	"github.com/osg-htc/osg-build-go/internal/iostreams"
	pfetch "github.com/osg-htc/osg-build-go/internal/packaging/fetch"
)

// ChecksumOptions are the inputs of osg-build checksum.
type ChecksumOptions struct {
	IO        *iostreams.IOStreams
	Files     []string
	CacheRoot string
}

// NewCmdChecksum returns the checksum command; runF replaces the run function in tests.
func NewCmdChecksum(f *cmdutil.Factory, runF func(context.Context, *ChecksumOptions) error) *cobra.Command {
	opts := &ChecksumOptions{IO: f.IOStreams}
	cmd := &cobra.Command{
		Use:   "checksum [flags] FILE...",
		Short: "Print a ready .source line with the checksums of a file",
		Long: `Print, for each FILE, a line ready to paste into a .source file:

  NAME sha1sum=<SHA-1> sha256sum=<SHA-256>

NAME is the file's path in the upstream cache (PKG/VERSION/FILE) when the
file lies in a cache laid out as .../upstream/PKG/VERSION/FILE, or relative
to --cache-root; otherwise it is the file's base name, to be edited into
PKG/VERSION/FILE once the file is in the cache.

` + cmdutil.ExitStatusHelp,
		Example: `  $ osg-build checksum /osgsw/upstream/xrootd/5.9.7/xrootd-5.9.7.tar.gz
  xrootd/5.9.7/xrootd-5.9.7.tar.gz sha1sum=... sha256sum=...
  $ osg-build checksum --cache-root ~/mirror ~/mirror/foo/1.0/foo-1.0.tar.gz`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return cmdutil.FlagErrorf("give at least one file")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Files = args
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return checksumRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.CacheRoot, "cache-root", "", "name files by their path relative to the upstream cache `DIR`")
	return cmd
}

func checksumRun(ctx context.Context, opts *ChecksumOptions) error {
	failed := false
	for _, p := range opts.Files {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		c, err := pfetch.FileChecksums(p)
		if err != nil {
			fmt.Fprintf(opts.IO.ErrOut, "error: %v\n", err)
			failed = true
			continue
		}
		name, ok := pfetch.CacheRelPath(p, opts.CacheRoot)
		if !ok {
			if opts.CacheRoot != "" {
				fmt.Fprintf(opts.IO.ErrOut, "error: %s is not under the cache root %s\n", p, opts.CacheRoot)
				failed = true
				continue
			}
			name = filepath.Base(p)
			slog.Info(fmt.Sprintf("%s is not in an upstream cache layout (.../upstream/PKG/VERSION/FILE): "+
				"the line names it %s; change that to PKG/VERSION/%s once it is in the cache", p, name, name))
		}
		if strings.ContainsFunc(name, unicode.IsSpace) {
			// .source lines are split on whitespace: no line can name it.
			fmt.Fprintf(opts.IO.ErrOut, "error: %s: a .source line cannot name a file with whitespace in its path (%q): rename it "+
				"(sha1sum=%s sha256sum=%s)\n", p, name, c.SHA1, c.SHA256)
			failed = true
			continue
		}
		fmt.Fprintln(opts.IO.Out, pfetch.SourceLine(name, c))
	}
	if failed {
		return cmdutil.ErrSilent
	}
	return nil
}
