// Package hubinit implements `osg-build hub init`.
package hubinit

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/osg-htc/osg-build-go/internal/atomicfile"
	hubcmd "github.com/osg-htc/osg-build-go/internal/cmd/hub"
	"github.com/osg-htc/osg-build-go/internal/cmdutil"
	"github.com/osg-htc/osg-build-go/internal/iostreams"
	"github.com/osg-htc/osg-build-go/internal/promote"
	"github.com/osg-htc/osg-build-go/pkg/hub"
)

// InitOptions are the inputs of `osg-build hub init`.
type InitOptions struct {
	IO     *iostreams.IOStreams
	Dir    string
	Preset string
	User   string
	Hosts  []string
	Arches string
}

// NewCmdInit returns the hub init command; runF replaces the run function in tests.
func NewCmdInit(f *cmdutil.Factory, runF func(context.Context, *InitOptions) error) *cobra.Command {
	opts := &InitOptions{IO: f.IOStreams}
	var dir string
	cmd := &cobra.Command{
		Use:   "init [--preset osg-25|osg-24|empty]",
		Short: "Create an embedded hub",
		Long: `Create an embedded Koji-compatible hub in the hub directory: its database,
the tags, inheritance and targets of an OSG release series, and the
certificates to serve it.

The osg-25 and osg-24 presets make, for each dver of the series (osg-25:
el8 el9 el10, osg-24: el8 el9): the package-list tag osg-elN, dist-elN-build,
osg-SS-main-elN-development, -testing, -prerelease and -release (inheriting
osg-elN), osg-SS-main-elN-build (inheriting -development, then dist-elN-build,
with the dist macro .osgSS.elN), and the target osg-SS-main-elN. The empty
preset makes no tags.

The local user becomes the hub's admin. The certificates go to DIR/pki: a CA
(ca.crt), a server certificate for this host, and the admin's client
certificate (USER.pem) for koji clients (cert = ..., serverca = ca.crt).

` + cmdutil.ExitStatusHelp,
		Example: `  osg-build hub init
  osg-build hub init --preset osg-24 --dir /srv/hub --host koji.example.org`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if _, ok := hub.Presets[opts.Preset]; !ok {
				return cmdutil.FlagErrorf("unknown --preset %q: use osg-25, osg-24 or empty", opts.Preset)
			}
			d, err := hubcmd.Dir(cmd, f, dir)
			if err != nil {
				return err
			}
			opts.Dir = d
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return initRun(cmd.Context(), opts)
		},
	}
	hubcmd.AddDirFlag(cmd, &dir)
	cmd.Flags().StringVar(&opts.Preset, "preset", hub.DefaultPreset, "tags to create: osg-25, osg-24 or empty")
	cmd.Flags().StringVar(&opts.User, "user", "", "name of the admin user (default: your login name)")
	cmd.Flags().StringSliceVar(&opts.Hosts, "host", nil, "host `name` or address for the server certificate (repeatable; default localhost, 127.0.0.1, ::1 and this host)")
	cmd.Flags().StringVar(&opts.Arches, "arches", "x86_64", "arches of the build tags")
	return cmd
}

func initRun(ctx context.Context, opts *InitOptions) error {
	res, err := hub.Init(ctx, opts.Dir, hub.InitOptions{Preset: opts.Preset, LocalUser: opts.User, Hosts: opts.Hosts, Arches: opts.Arches})
	if err != nil {
		return err
	}
	out := opts.IO.Out
	fmt.Fprintf(out, "Created hub %s (preset %s, admin %s)\n", res.Dir, res.Preset, res.AdminUser)
	var routes string
	if dvers := hub.Presets[res.Preset]; len(dvers) > 0 {
		// the promotion routes of the preset's tags, for osg-build promote
		series := strings.TrimPrefix(res.Preset, "osg-")
		if err := atomicfile.WriteFile(filepath.Join(res.Dir, promote.HubFileName), promote.HubINI(series, dvers)); err != nil {
			return fmt.Errorf("writing the hub's promotion routes: %w", err)
		}
		routes = fmt.Sprintf("%[1]s-main (development -> testing), %[1]s-main-prerelease (testing -> prerelease), in %[2]s", series, filepath.Join(res.Dir, promote.HubFileName))
	}
	if len(res.Targets) > 0 {
		fmt.Fprintf(out, "Targets: %s\n", strings.Join(res.Targets, " "))
	}
	fmt.Fprintf(out, "Tags: %d\n", len(res.Tags))
	if routes != "" {
		fmt.Fprintf(out, "Promotion routes: %s\n", routes)
	}
	fmt.Fprintf(out, "CA certificate (serverca): %s\n", res.CACert)
	fmt.Fprintf(out, "Admin client certificate (cert): %s\n", res.ClientCert)
	fmt.Fprintf(opts.IO.ErrOut, "Serve it with: osg-build hub serve --dir %s\n", res.Dir)
	return nil
}
