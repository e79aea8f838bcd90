// Package listpermissions implements `osg-koji list-permissions`.
package listpermissions

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/osg-htc/osg-build-go/internal/cmd/koji/shared"
	"github.com/osg-htc/osg-build-go/internal/cmdutil"
	"github.com/osg-htc/osg-build-go/pkg/koji"
)

// ListPermissionsOptions are the options of list-permissions.
type ListPermissionsOptions struct {
	shared.Common
	Mine bool
	User string
}

// NewCmdListPermissions returns the list-permissions command.
func NewCmdListPermissions(f *cmdutil.Factory, runF func(*ListPermissionsOptions) error) *cobra.Command {
	opts := &ListPermissionsOptions{Common: shared.NewCommon(f)}
	cmd := &cobra.Command{
		Use:   "list-permissions [--mine | --user <user>]",
		Short: "List permissions: all of them, yours, or a user's",
		Long: `Without options, list every permission of the hub with its description. With
--mine (which logs in) or --user, list that user's permissions; those that come
from a group say "inherited from: <groups>".`,
		Example: "$ osg-koji list-permissions --mine\n$ osg-koji list-permissions --user alice --quiet",
		Args:    shared.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.Mine && opts.User != "" {
				return cmdutil.FlagErrorf("--mine and --user are exclusive")
			}
			if runF != nil {
				return runF(opts)
			}
			return listPermissionsRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.Mine, "mine", false, "list your permissions (logs in)")
	cmd.Flags().StringVar(&opts.User, "user", "", "list the permissions of `user`")
	shared.AddJSONFlag(cmd, &opts.Common)
	return cmd
}

type perm struct {
	Name        string   `xmlrpc:"name"`
	Description *string  `xmlrpc:"description"`
	Groups      []string `xmlrpc:"inherited_from,omitempty"`
}

func listPermissionsRun(ctx context.Context, opts *ListPermissionsOptions) error {
	var h koji.Hub
	var err error
	if opts.Mine {
		h, err = opts.OpenForWrite(ctx)
	} else {
		h, err = opts.Open(ctx)
	}
	if err != nil {
		return err
	}
	var perms []perm
	if opts.Mine || opts.User != "" {
		var uid int
		if opts.Mine {
			u, err := h.GetLoggedInUser(ctx)
			if err != nil {
				return err
			}
			if u == nil {
				return &cmdutil.ExitError{Code: cmdutil.ExitAuth, Err: fmt.Errorf("not logged in: check your Koji config's authtype and credentials")}
			}
			uid = u.ID
		} else {
			u, err := shared.FindUser(ctx, h, opts.User)
			if err != nil {
				return err
			}
			uid = u.ID
		}
		inh, err := h.GetUserPermsInheritance(ctx, koji.ByID(uid))
		if err != nil {
			return err
		}
		for name, groups := range inh {
			p := perm{Name: name}
			var gs []string
			for _, g := range groups {
				if g != nil {
					gs = append(gs, *g)
				}
			}
			if len(gs) > 0 {
				d := "inherited from: " + strings.Join(gs, ", ")
				p.Description = &d
				p.Groups = gs
			}
			perms = append(perms, p)
		}
	} else {
		all, err := h.GetAllPerms(ctx)
		if err != nil {
			return err
		}
		for _, p := range all {
			perms = append(perms, perm{Name: p.Name, Description: p.Description})
		}
	}
	sort.Slice(perms, func(i, j int) bool { return perms[i].Name < perms[j].Name })
	if opts.JSON {
		if perms == nil {
			perms = []perm{}
		}
		return opts.WriteJSON(perms)
	}
	longest := len("Permission name   ")
	for _, p := range perms {
		longest = max(longest, len(p.Name))
	}
	if !opts.Quiet() {
		hdr := shared.Pad("Permission name", longest)
		if len(perms) > 0 && shared.StrOr(perms[0].Description, "") != "" {
			hdr += shared.Pad("   Description", 53)
		}
		opts.Printf("%s\n%s\n", hdr, strings.Repeat("-", len(hdr)))
	}
	for _, p := range perms {
		line := shared.Pad(p.Name, longest)
		if d := shared.StrOr(p.Description, ""); d != "" {
			line += "   " + d
		}
		opts.Printf("%s\n", line)
	}
	return nil
}
