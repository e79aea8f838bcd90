// Package adduser implements `osg-koji add-user`.
package adduser

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/osg-htc/osg-build-go/internal/cmd/koji/shared"
	"github.com/osg-htc/osg-build-go/internal/cmdutil"
	"github.com/osg-htc/osg-build-go/pkg/koji"
)

// AddUserOptions are the options of add-user.
type AddUserOptions struct {
	shared.Common
	Name      string
	Principal string
	Disable   bool
}

// NewCmdAddUser returns the add-user command.
func NewCmdAddUser(f *cmdutil.Factory, runF func(*AddUserOptions) error) *cobra.Command {
	opts := &AddUserOptions{Common: shared.NewCommon(f)}
	cmd := &cobra.Command{
		Use:     "add-user <name> [--principal <principal>] [--disable]",
		Short:   "Create a user (admin)",
		Example: "$ osg-koji add-user alice --principal alice@AD.WISC.EDU",
		Args:    shared.RangeArgs(1, 1, "please specify the user name (one argument)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Name = args[0]
			if runF != nil {
				return runF(opts)
			}
			return addUserRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.Principal, "principal", "", "the user's Kerberos `principal`")
	cmd.Flags().BoolVar(&opts.Disable, "disable", false, "prohibit logins by this user")
	shared.AddJSONFlag(cmd, &opts.Common)
	return cmd
}

func addUserRun(ctx context.Context, opts *AddUserOptions) error {
	h, err := opts.OpenForWrite(ctx)
	if err != nil {
		return err
	}
	status := koji.UserStatus(0)
	if opts.Disable {
		status = 1
	}
	id, err := h.CreateUser(ctx, opts.Name, koji.CreateUserOpts{Status: &status, KrbPrincipal: opts.Principal})
	if err != nil {
		return err
	}
	opts.Statusf("Added user %s (%d)\n", opts.Name, id)
	if opts.JSON {
		return opts.WriteJSON(map[string]any{"id": id, "name": opts.Name})
	}
	return nil
}
