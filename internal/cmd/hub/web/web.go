// Package web implements `osg-build hub web`.
package web

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	hubcmd "github.com/osg-htc/osg-build-go/internal/cmd/hub"
	"github.com/osg-htc/osg-build-go/internal/cmdutil"
	"github.com/osg-htc/osg-build-go/internal/iostreams"
	"github.com/osg-htc/osg-build-go/internal/runner"
	"github.com/osg-htc/osg-build-go/pkg/hub"
	hubweb "github.com/osg-htc/osg-build-go/pkg/hub/web"
)

// Options are the inputs of `osg-build hub web`.
type Options struct {
	IO   *iostreams.IOStreams
	Dir  string
	Open bool
	// Opener opens a URL (nil: xdg-open, else sensible-browser).
	Opener func(ctx context.Context, url string) error
}

// NewCmdWeb returns the hub web command; runF replaces the run function in
// tests.
func NewCmdWeb(f *cmdutil.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{IO: f.IOStreams}
	var dir string
	cmd := &cobra.Command{
		Use:   "web",
		Short: "Print (and open) the URL of the served hub's web pages",
		Long: `Print the URL of the web pages of the hub, served by a running
"osg-build hub serve" at /koji/ (kojiweb's pages: recent builds and tasks,
buildinfo with RPMs and logs, taskinfo with the output files and a live log
view, tags with their inheritance, packages, search). With --open the page
is opened in a browser (xdg-open).

The pages are read-only and anonymous; a browser that presents a certificate
of the hub's CA (osg-build hub issue-cert) also sees its user's own builds
and tasks on the home page.

` + cmdutil.ExitStatusHelp,
		Example: `  osg-build hub serve &
  osg-build hub web --open`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			d, err := hubcmd.Dir(cmd, f, dir)
			if err != nil {
				return err
			}
			opts.Dir = d
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return Run(cmd.Context(), opts)
		},
	}
	hubcmd.AddDirFlag(cmd, &dir)
	cmd.Flags().BoolVar(&opts.Open, "open", false, "open the page in a browser")
	return cmd
}

// Run runs hub web.
func Run(ctx context.Context, opts *Options) error {
	si, err := hub.ReadServeInfo(opts.Dir)
	if err != nil {
		return err
	}
	if si == nil || si.URL == "" || !cmdutil.ProcessAlive(si.PID) {
		return fmt.Errorf("the hub in %s is not served: start it with 'osg-build hub serve --dir %s', then run this again", opts.Dir, opts.Dir)
	}
	url := strings.TrimSuffix(si.URL, "/kojihub") + hubweb.Prefix
	fmt.Fprintln(opts.IO.Out, url)
	if !opts.Open {
		return nil
	}
	open := opts.Opener
	if open == nil {
		open = openBrowser
	}
	if err := open(ctx, url); err != nil {
		return fmt.Errorf("opening %s: %w", url, err)
	}
	return nil
}

func openBrowser(ctx context.Context, url string) error {
	for _, prog := range []string{"xdg-open", "sensible-browser", "open"} {
		if _, ok := runner.Look(prog); ok {
			_, err := runner.Run(ctx, runner.Cmd{Name: prog, Args: []string{url}})
			return err
		}
	}
	return fmt.Errorf("no xdg-open or sensible-browser on PATH: open the URL by hand")
}
