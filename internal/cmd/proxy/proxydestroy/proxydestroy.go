// Package proxydestroy implements `osg-build proxy destroy`
// (grid-proxy-destroy).
package proxydestroy

import (
	"context"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/osg-htc/osg-build-go/internal/cmdutil"
	"github.com/osg-htc/osg-build-go/internal/credcheck"
	"github.com/osg-htc/osg-build-go/internal/iostreams"
	"github.com/osg-htc/osg-build-go/internal/proxy"
)

// Options are the inputs of proxy destroy.
type Options struct {
	IO     *iostreams.IOStreams
	Getenv func(string) string
	Files  []string
}

// NewCmdDestroy returns the proxy destroy command.
func NewCmdDestroy(f *cmdutil.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{IO: f.IOStreams, Getenv: f.Getenv}
	cmd := &cobra.Command{
		Use:   "destroy [FILE...]",
		Short: "Remove the grid proxy (grid-proxy-destroy)",
		Long: `Remove the proxy: the FILEs given, else $X509_USER_PROXY, else
/tmp/x509up_u<uid>. A proxy that does not exist is not an error.

` + cmdutil.ExitStatusHelp,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Files = args
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return Run(cmd.Context(), opts)
		},
	}
	return cmd
}

// Run runs proxy destroy.
func Run(ctx context.Context, opts *Options) error {
	files := opts.Files
	if len(files) == 0 {
		getenv := opts.Getenv
		if getenv == nil {
			getenv = os.Getenv
		}
		files = []string{credcheck.LocateX509Path(getenv)}
	}
	for _, p := range files {
		removed, err := proxy.Destroy(p)
		if err != nil {
			return fmt.Errorf("removing the proxy: %w", err)
		}
		if !removed && !opts.IO.Quiet() {
			fmt.Fprintf(opts.IO.ErrOut, "no proxy at %s\n", p)
		}
	}
	return nil
}
