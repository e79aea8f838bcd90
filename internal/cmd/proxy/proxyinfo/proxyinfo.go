// Package proxyinfo implements `osg-build proxy info` (grid-proxy-info in
// Go).
package proxyinfo

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/osg-htc/osg-build-go/internal/cmd/proxy/gridflags"
	"github.com/osg-htc/osg-build-go/internal/cmdutil"
	"github.com/osg-htc/osg-build-go/internal/credcheck"
	"github.com/osg-htc/osg-build-go/internal/iostreams"
	"github.com/osg-htc/osg-build-go/internal/proxy"
)

// Options are the inputs of proxy info.
type Options struct {
	IO     *iostreams.IOStreams
	Getenv func(string) string
	Now    func() time.Time

	File   string
	Exists bool
	Valid  string
	Bits   int
	JSON   bool
	Debug  bool
	// Fields chosen by -subject, -issuer...: only these are printed, as
	// bare values.
	Subject, Issuer, Identity, Type, Strength, Path, TimeLeft bool
}

// NewCmdInfo returns the proxy info command.
func NewCmdInfo(f *cmdutil.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{IO: f.IOStreams, Getenv: f.Getenv, Now: f.Now}
	cmd := &cobra.Command{
		Use:   "info",
		Short: "Show the grid proxy (grid-proxy-info)",
		Long: `Show the proxy ($X509_USER_PROXY, else /tmp/x509up_u<uid>, or --file) as
grid-proxy-info does: subject, issuer, identity, type, strength, path and
time left, and the problems osg-build auth would report. -subject, -issuer,
-identity, -type, -strength, -path and -timeleft (in seconds) print just
those values.

-e/--exists prints nothing and exits 0 when the proxy exists, is usable,
and has at least --valid H:M left and a key of at least --bits bits, else 1
(for scripts: osg-build proxy info -e -valid 1:00 || osg-build proxy init).

` + cmdutil.ExitStatusHelp,
		Example:            "  osg-build proxy info\n  osg-build proxy info -e -valid 2:00 -bits 2048\n  osg-build proxy info -timeleft",
		DisableFlagParsing: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			pos, help, err := gridflags.Parse(cmd, args)
			if help || err != nil {
				return err
			}
			if len(pos) > 0 {
				return cmdutil.FlagErrorf("unexpected argument %q", pos[0])
			}
			opts.Debug, _ = cmd.Flags().GetBool("debug")
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return Run(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&opts.File, "file", "f", "", "the proxy `file` (default $X509_USER_PROXY, else /tmp/x509up_u<uid>)")
	fl.BoolVarP(&opts.Exists, "exists", "e", false, "print nothing; exit 0 if the proxy is usable (and meets --valid and --bits), else 1")
	fl.StringVar(&opts.Valid, "valid", "", "with -e: the time left needed, `H:M`")
	fl.IntVar(&opts.Bits, "bits", 0, "with -e: the key size needed, in bits")
	fl.BoolVar(&opts.JSON, "json", false, "print the result as JSON")
	fl.BoolVar(&opts.Subject, "subject", false, "print the subject")
	fl.BoolVar(&opts.Issuer, "issuer", false, "print the issuer")
	fl.BoolVar(&opts.Identity, "identity", false, "print the identity (the subject of your certificate)")
	fl.BoolVar(&opts.Type, "type", false, "print the type of proxy")
	fl.BoolVar(&opts.Strength, "strength", false, "print the key size in bits")
	fl.BoolVar(&opts.Path, "path", false, "print the path")
	fl.BoolVar(&opts.TimeLeft, "timeleft", false, "print the time left, in seconds")
	return cmd
}

// Run runs proxy info.
func Run(ctx context.Context, opts *Options) error {
	getenv := opts.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	path := opts.File
	if path == "" {
		path = credcheck.LocateX509Path(getenv)
	}
	var need time.Duration
	if opts.Valid != "" {
		d, err := proxy.ParseValid(opts.Valid)
		if err != nil {
			return &cmdutil.FlagError{Err: err}
		}
		need = d
	}
	now := time.Now()
	if opts.Now != nil {
		now = opts.Now()
	}
	r := credcheck.CheckX509(credcheck.X509Options{Path: path, Source: "proxy", CADir: credcheck.CADir(getenv), Now: now})
	if opts.Exists {
		if r.Err() != nil || r.TimeLeft < need || r.KeyBits < opts.Bits {
			return cmdutil.ErrSilent
		}
		return nil
	}
	if opts.Debug {
		for _, f := range r.List {
			fmt.Fprintf(opts.IO.ErrOut, "debug: %-7s %-11s %s\n", f.Level, f.Check, f)
		}
	}
	if r.Leaf == nil {
		return cmdutil.WithExit(cmdutil.ExitFailure, r.Err())
	}
	if opts.JSON {
		enc := json.NewEncoder(opts.IO.Out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(struct {
			*credcheck.X509Report
			TimeLeft int64 `json:"time_left_seconds"`
			OK       bool  `json:"ok"`
		}{r, int64(r.TimeLeft / time.Second), r.Err() == nil}); err != nil {
			return err
		}
		if r.Err() != nil {
			return cmdutil.ErrSilent
		}
		return nil
	}
	w := opts.IO.Out
	if opts.Subject || opts.Issuer || opts.Identity || opts.Type || opts.Strength || opts.Path || opts.TimeLeft {
		for _, f := range []struct {
			on  bool
			val string
		}{
			{opts.Subject, r.Subject}, {opts.Issuer, r.Issuer}, {opts.Identity, r.Identity}, {opts.Type, r.Type},
			{opts.Strength, fmt.Sprint(r.KeyBits)}, {opts.Path, r.Path}, {opts.TimeLeft, fmt.Sprint(int64(r.TimeLeft / time.Second))},
		} {
			if f.on {
				fmt.Fprintln(w, f.val)
			}
		}
	} else {
		fmt.Fprintf(w, "subject  : %s\nissuer   : %s\nidentity : %s\ntype     : %s\nstrength : %d bits\npath     : %s\ntimeleft : %s\n",
			r.Subject, r.Issuer, r.Identity, r.Type, r.KeyBits, r.Path, credcheck.FormatDuration(r.TimeLeft))
	}
	for _, f := range r.Warnings() {
		fmt.Fprintf(opts.IO.ErrOut, "warning: %s\n", f)
	}
	if err := r.Err(); err != nil {
		return err
	}
	return nil
}
