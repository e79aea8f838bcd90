// Package hello implements `osg-koji hello`: log in and greet.
package hello

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/osg-htc/osg-build-go/internal/cmd/koji/shared"
	"github.com/osg-htc/osg-build-go/internal/cmdutil"
	"github.com/osg-htc/osg-build-go/pkg/koji"
)

// HelloOptions are the options of hello.
type HelloOptions struct {
	shared.Common
}

// NewCmdHello returns the hello command.
func NewCmdHello(f *cmdutil.Factory, runF func(*HelloOptions) error) *cobra.Command {
	opts := &HelloOptions{Common: shared.NewCommon(f)}
	cmd := &cobra.Command{
		Use:     "hello",
		Aliases: []string{"moshimoshi"},
		Short:   "Log in to the hub and say who you are",
		Long: `Log in to the hub (as a write would) and print the user name, the hub and
how the session was authenticated, like koji hello.`,
		Example: "$ osg-koji hello\n$ osg-build --hub local osg-koji hello",
		Args:    shared.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return helloRun(cmd.Context(), opts)
		},
	}
	shared.AddJSONFlag(cmd, &opts.Common)
	return cmd
}

func helloRun(ctx context.Context, opts *HelloOptions) error {
	h, err := opts.OpenForWrite(ctx)
	if err != nil {
		return err
	}
	u, err := h.GetLoggedInUser(ctx)
	if err != nil {
		return err
	}
	version, err := h.GetKojiVersion(ctx)
	if err != nil {
		return err
	}
	if opts.JSON {
		return opts.WriteJSON(map[string]any{"user": u, "hub": cmdutil.HubLocation(h), "version": version})
	}
	name := "anonymous user"
	if u == nil {
		opts.Printf("Not authenticated\n")
	} else {
		name = u.Name
	}
	opts.Printf("Hello, %s!\n\n", name)
	opts.Printf("You are using the hub at %s (Koji %s)\n", cmdutil.HubLocation(h), version)
	if u == nil {
		return nil
	}
	if l, ok := h.(interface{ LocalUser() string }); ok {
		opts.Printf("Authenticated as %s, the embedded hub's local admin\n", l.LocalUser())
		return nil
	}
	switch u.AuthType {
	case koji.AuthSSL:
		cert := ""
		if c, ok := h.(interface{ CertFile() string }); ok {
			cert = " " + c.CertFile()
		}
		opts.Printf("Authenticated via client certificate%s\n", cert)
	default:
		opts.Printf("Authenticated via %s\n", u.AuthType.Description())
	}
	return nil
}
