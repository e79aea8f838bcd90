// Package grantpermission implements `osg-koji grant-permission`.
package grantpermission

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/osg-htc/osg-build-go/internal/cmd/koji/shared"
	"github.com/osg-htc/osg-build-go/internal/cmdutil"
	"github.com/osg-htc/osg-build-go/pkg/koji"
)

// GrantPermissionOptions are the options of grant-permission.
type GrantPermissionOptions struct {
	shared.Common
	Permission  string
	Users       []string
	New         bool
	Description string
}

// NewCmdGrantPermission returns the grant-permission command.
func NewCmdGrantPermission(f *cmdutil.Factory, runF func(*GrantPermissionOptions) error) *cobra.Command {
	opts := &GrantPermissionOptions{Common: shared.NewCommon(f)}
	cmd := &cobra.Command{
		Use:     "grant-permission [--new] <permission> <user>...",
		Short:   "Grant a permission to users (admin)",
		Example: "$ osg-koji grant-permission tag alice bob",
		Args:    shared.MinArgs(2, "please specify a permission and at least one user"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Permission, opts.Users = args[0], args[1:]
			if opts.Description != "" && !opts.New {
				return cmdutil.FlagErrorf("--description only goes with --new")
			}
			if runF != nil {
				return runF(opts)
			}
			return grantPermissionRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.New, "new", false, "create the permission if it does not exist")
	cmd.Flags().StringVar(&opts.Description, "description", "", "`text` describing a new permission")
	shared.AddJSONFlag(cmd, &opts.Common)
	return cmd
}

func grantPermissionRun(ctx context.Context, opts *GrantPermissionOptions) error {
	h, err := opts.OpenForWrite(ctx)
	if err != nil {
		return err
	}
	var names []string
	for _, n := range opts.Users {
		u, err := h.GetUser(ctx, shared.Ref(n), koji.GetUserOpts{})
		if err != nil {
			return err
		}
		if u == nil {
			return fmt.Errorf("no such user: %s (create it with osg-koji add-user)", n)
		}
		names = append(names, u.Name)
	}
	for _, n := range names {
		if err := h.GrantPermission(ctx, koji.ByName(n), opts.Permission, koji.GrantPermissionOpts{Create: opts.New, Description: opts.Description}); err != nil {
			return err
		}
		opts.Statusf("Granted %s to %s\n", opts.Permission, n)
	}
	if opts.JSON {
		return opts.WriteJSON(map[string]any{"permission": opts.Permission, "users": names})
	}
	return nil
}
