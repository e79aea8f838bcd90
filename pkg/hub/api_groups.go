package hub

import (
	"context"

	"github.com/osg-htc/osg-build-go/pkg/hub/store"
	"github.com/osg-htc/osg-build-go/pkg/koji"
)

// Comps groups of tags: what a repo's groups/comps.xml is made of, and what
// a mock buildroot installs (chroot_setup_cmd "install @build").

// GroupListAddOpts are the options of groupListAdd (Koji's **opts of
// grplist_add, as keyword arguments).
type GroupListAddOpts struct {
	Block, Force             bool
	DisplayName, Description *string
	IsDefault, UserVisible   *bool
	BiarchOnly               *bool
	LangOnly                 *string
}

// GroupListAdd is groupListAdd(taginfo, grpinfo, block, force, **opts):
// adds (or changes) the comps group grpinfo in the tag, making the group
// name when it is new. Unblocking a group blocked in the tag itself needs
// force. Needs the tag permission.
func (h *Hub) GroupListAdd(ctx context.Context, tag koji.Ref, group string, opts GroupListAddOpts) error {
	return h.tagWrite(ctx, tag, func(tx *store.Tx, c *Caller, tid int64, tname string) error {
		if group == "" {
			return fault(koji.GenericError, "no group name given")
		}
		gid, err := ensureGroup(tx, group)
		if err != nil {
			return err
		}
		prev, err := groupConfig(tx, tid, gid)
		if err != nil {
			return err
		}
		if prev != nil && prev.blocked && !opts.Block && !opts.Force {
			return fault(koji.GenericError, "group %s is blocked in tag %s", group, tname)
		}
		display := group
		if opts.DisplayName != nil {
			display = *opts.DisplayName
		}
		if _, err := tx.Revoke("group_config", c.UserID, "group_id = ? AND tag_id = ?", gid, tid); err != nil {
			return err
		}
		return tx.InsertVersioned("group_config", c.UserID,
			[]string{"group_id", "tag_id", "blocked", "exported", "display_name", "is_default", "uservisible", "description", "langonly", "biarchonly"},
			[]any{gid, tid, opts.Block, true, display, nullable(opts.IsDefault), nullable(opts.UserVisible), nullable(opts.Description),
				nullable(opts.LangOnly), nullable(opts.BiarchOnly)})
	})
}

// GroupPackageListAddOpts are the options of groupPackageListAdd.
type GroupPackageListAddOpts struct {
	Block, Force bool
	// Type is the packagereq type: mandatory (the default), default,
	// optional or conditional.
	Type         string
	BasearchOnly *bool
	Requires     *string
}

// GroupPackageListAdd is groupPackageListAdd(taginfo, grpinfo, pkg_name,
// block, force, **opts): adds a package to a group of the tag. The group
// must be in the tag (directly or by inheritance) and not blocked; a
// package blocked there needs force. Needs the tag permission.
func (h *Hub) GroupPackageListAdd(ctx context.Context, tag koji.Ref, group, pkg string, opts GroupPackageListAddOpts) error {
	return h.tagWrite(ctx, tag, func(tx *store.Tx, c *Caller, tid int64, tname string) error {
		gid, err := groupID(tx, group)
		if err != nil {
			return err
		}
		groups, err := readCompsGroups(tx, tid, nil)
		if err != nil {
			return err
		}
		var grp *compsGroup
		for i := range groups {
			if groups[i].Name == group {
				grp = &groups[i]
			}
		}
		if gid == 0 || grp == nil {
			return fault(koji.GenericError, "group %s not present in tag %s", group, tname)
		}
		typ := opts.Type
		if typ == "" {
			typ = "mandatory"
		}
		switch typ {
		case "mandatory", "default", "optional", "conditional":
		default:
			return fault(koji.GenericError, "invalid package type %q: use mandatory, default, optional or conditional", typ)
		}
		var blocked bool
		err = tx.QueryRow(`SELECT count(*) > 0 FROM group_package_listing WHERE active = 1 AND tag_id = ? AND group_id = ? AND package = ? AND blocked`,
			tid, gid, pkg).Scan(&blocked)
		if err != nil {
			return err
		}
		if blocked && !opts.Block && !opts.Force {
			return fault(koji.GenericError, "package %s blocked in group %s, tag %s", pkg, group, tname)
		}
		if _, err := tx.Revoke("group_package_listing", c.UserID, "group_id = ? AND tag_id = ? AND package = ?", gid, tid, pkg); err != nil {
			return err
		}
		return tx.InsertVersioned("group_package_listing", c.UserID,
			[]string{"group_id", "tag_id", "package", "blocked", "type", "basearchonly", "requires"},
			[]any{gid, tid, pkg, opts.Block, typ, nullable(opts.BasearchOnly), nullable(opts.Requires)})
	})
}

// GetTagGroups is getTagGroups(tag, event, inherit=True, incl_pkgs=True):
// the tag's comps groups through its inheritance (the first definition of
// a group wins; blocked groups and packages are left out), as Koji's
// get_tag_groups lists them.
func (h *Hub) GetTagGroups(ctx context.Context, tag koji.Ref, event *int64, inclPkgs bool) ([]map[string]any, error) {
	var out []map[string]any
	err := h.read(ctx, func(tx *store.Tx) error {
		tid, _, err := mustTag(tx, tag)
		if err != nil {
			return err
		}
		groups, err := readCompsGroups(tx, tid, event)
		if err != nil {
			return err
		}
		out = make([]map[string]any, 0, len(groups))
		for _, g := range groups {
			m := map[string]any{"name": g.Name, "display_name": g.DisplayName, "description": g.Description,
				"is_default": g.Default, "uservisible": g.UserVisible, "blocked": false, "tag_id": tid, "grouplist": []any{}}
			if inclPkgs {
				pkgs := make([]any, 0, len(g.Packages))
				for _, p := range g.Packages {
					pkgs = append(pkgs, map[string]any{"package": p.Name, "type": p.Type, "blocked": false})
				}
				m["packagelist"] = pkgs
			}
			out = append(out, m)
		}
		return nil
	})
	return out, err
}

// ensureGroup returns the id of the comps group name, making it if new.
func ensureGroup(tx *store.Tx, name string) (int64, error) {
	id, err := groupID(tx, name)
	if err != nil || id != 0 {
		return id, err
	}
	return tx.Insert(`INSERT INTO groups (name) VALUES (?)`, name)
}

// groupID returns the id of the comps group name, 0 when there is none.
func groupID(tx *store.Tx, name string) (int64, error) {
	var id int64
	err := tx.QueryRow(`SELECT coalesce((SELECT id FROM groups WHERE name = ?), 0)`, name).Scan(&id)
	return id, err
}

type groupCfg struct{ blocked bool }

// groupConfig returns the group's active config in the tag itself, nil when
// it has none there.
func groupConfig(tx *store.Tx, tagID, groupID int64) (*groupCfg, error) {
	var n int
	var blocked bool
	err := tx.QueryRow(`SELECT count(*), coalesce(max(blocked), 0) FROM group_config WHERE active = 1 AND tag_id = ? AND group_id = ?`,
		tagID, groupID).Scan(&n, &blocked)
	if err != nil || n == 0 {
		return nil, err
	}
	return &groupCfg{blocked: blocked}, nil
}

// nullable turns a nil pointer into SQL NULL.
func nullable[T any](p *T) any {
	if p == nil {
		return nil
	}
	return *p
}
