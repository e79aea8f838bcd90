// Package issuecert implements `osg-build hub issue-cert`.
package issuecert

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/spf13/cobra"

	hubcmd "github.com/osg-htc/osg-build-go/internal/cmd/hub"
	"github.com/osg-htc/osg-build-go/internal/cmdutil"
	"github.com/osg-htc/osg-build-go/internal/iostreams"
	"github.com/osg-htc/osg-build-go/pkg/hub"
)

// IssueCertOptions are the inputs of `osg-build hub issue-cert`.
type IssueCertOptions struct {
	IO     *iostreams.IOStreams
	Dir    string
	User   string
	Output string
}

// NewCmdIssueCert returns the hub issue-cert command; runF replaces the run function in tests.
func NewCmdIssueCert(f *cmdutil.Factory, runF func(context.Context, *IssueCertOptions) error) *cobra.Command {
	opts := &IssueCertOptions{IO: f.IOStreams}
	var dir string
	cmd := &cobra.Command{
		Use:   "issue-cert USER",
		Short: "Make a client certificate for a hub user",
		Long: `Make a client certificate, signed by the hub's CA, whose CN is USER. A served
hub logs its holder in as USER (sslLogin), creating the user on first login;
grant permissions with osg-koji grant-permission. The certificate and its key
are written in one PEM file (the koji config's "cert"), DIR/pki/USER.pem unless
--output is given.

` + cmdutil.ExitStatusHelp,
		Example: `  osg-build hub issue-cert alice
  osg-build hub issue-cert alice -o ~/.osg-koji/hub-alice.pem`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			d, err := hubcmd.Dir(cmd, f, dir)
			if err != nil {
				return err
			}
			opts.Dir, opts.User = d, args[0]
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return issueRun(cmd.Context(), opts)
		},
	}
	hubcmd.AddDirFlag(cmd, &dir)
	cmd.Flags().StringVarP(&opts.Output, "output", "o", "", "write the certificate and key to `FILE`")
	return cmd
}

func issueRun(ctx context.Context, opts *IssueCertOptions) error {
	p, err := hub.IssueUserCert(filepath.Join(opts.Dir, hub.PKIDir), nil, opts.User, opts.Output)
	if err != nil {
		return err
	}
	fmt.Fprintln(opts.IO.Out, p)
	return nil
}
