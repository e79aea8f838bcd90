package hub

import (
	"context"
	"database/sql"
	"errors"
	"strconv"

	"github.com/osg-htc/osg-build-go/internal/xmlrpc"
	"github.com/osg-htc/osg-build-go/pkg/hub/store"
	"github.com/osg-htc/osg-build-go/pkg/koji"
)

// Calls the koji CLI makes that koji.Hub has no method for (taginfo,
// buildinfo, taskinfo, watch-task, untag-build...). They answer in Koji's
// shapes; what this hub does not model (maven, comps groups, archives,
// buildroots) answers empty.

func defineExtraMethods() {
	// comps groups (api_groups.go); Koji's **opts are keyword parameters
	def("groupListAdd", "grplist_add(taginfo, grpinfo, block=False, force=False, display_name=None, description=None, is_default=None, uservisible=None, biarchonly=None, langonly=None)", true,
		func(ctx context.Context, h *Hub, a args) (any, error) {
			tag, grp, err := tagAndGroup(a)
			if err != nil {
				return nil, err
			}
			return nil, h.GroupListAdd(ctx, tag, grp, GroupListAddOpts{Block: a.bool("block"), Force: a.bool("force"),
				DisplayName: a.strp("display_name"), Description: a.strp("description"), IsDefault: a.boolp("is_default"),
				UserVisible: a.boolp("uservisible"), BiarchOnly: a.boolp("biarchonly"), LangOnly: a.strp("langonly")})
		})
	def("groupPackageListAdd", "grp_pkg_add(taginfo, grpinfo, pkg_name, block=False, force=False, type=None, basearchonly=None, requires=None)", true,
		func(ctx context.Context, h *Hub, a args) (any, error) {
			tag, grp, err := tagAndGroup(a)
			if err != nil {
				return nil, err
			}
			pkg := a.str("pkg_name")
			if pkg == "" {
				return nil, fault(koji.ParameterError, "pkg_name: a package name is needed")
			}
			return nil, h.GroupPackageListAdd(ctx, tag, grp, pkg, GroupPackageListAddOpts{Block: a.bool("block"), Force: a.bool("force"),
				Type: a.str("type"), BasearchOnly: a.boolp("basearchonly"), Requires: a.strp("requires")})
		})
	def("getTagGroups", "readTagGroups(tag, event=None, inherit=True, incl_pkgs=True, incl_reqs=True, incl_blocked=False)", false,
		func(ctx context.Context, h *Hub, a args) (any, error) {
			tag, err := a.ref("tag")
			if err != nil {
				return nil, err
			}
			ev, err := a.intp("event")
			if err != nil {
				return nil, err
			}
			var event *int64
			if ev != nil {
				e := int64(*ev)
				event = &e
			}
			incl := true
			if p := a.boolp("incl_pkgs"); p != nil {
				incl = *p
			}
			return h.GetTagGroups(ctx, tag, event, incl)
		})
	def("echo", "echo(*args)", false, func(ctx context.Context, h *Hub, a args) (any, error) {
		l, _ := a["*args"].([]any)
		if l == nil {
			l = []any{}
		}
		return l, nil
	})
	def("mavenEnabled", "mavenEnabled()", false, func(ctx context.Context, h *Hub, a args) (any, error) { return false, nil })
	def("winEnabled", "winEnabled()", false, func(ctx context.Context, h *Hub, a args) (any, error) { return false, nil })
	def("listArchives", "listArchives(buildID=None, buildrootID=None, componentBuildrootID=None, hostID=None, type=None, filename=None, size=None, checksum=None, checksum_type=None, typeInfo=None, queryOpts=None, imageID=None, archiveID=None, strict=False)", false,
		func(ctx context.Context, h *Hub, a args) (any, error) { return []any{}, nil })
	def("getChangelogEntries", "getChangelogEntries(buildID=None, taskID=None, filepath=None, author=None, before=None, after=None, queryOpts=None, strict=False)", false,
		func(ctx context.Context, h *Hub, a args) (any, error) { return []any{}, nil })
	def("listBuildroots", "listBuildroots(hostID=None, tagID=None, state=None, rpmID=None, archiveID=None, taskID=None, buildrootID=None, repoID=None, queryOpts=None)", false,
		func(ctx context.Context, h *Hub, a args) (any, error) {
			var o ListBuildrootsOpts
			for _, f := range []struct {
				k string
				p **int
			}{{"hostID", &o.HostID}, {"tagID", &o.TagID}, {"rpmID", &o.RPMID}, {"taskID", &o.TaskID}, {"buildrootID", &o.BuildrootID}, {"repoID", &o.RepoID}} {
				v, err := a.intp(f.k)
				if err != nil {
					return nil, err
				}
				*f.p = v
			}
			switch st := a["state"].(type) {
			case nil:
			case []any:
				for _, x := range st {
					n, ok := xmlrpc.Int(x)
					if !ok {
						return nil, fault(koji.ParameterError, "invalid state: %v", x)
					}
					o.States = append(o.States, int(n))
				}
			default:
				n, ok := xmlrpc.Int(st)
				if !ok {
					return nil, fault(koji.ParameterError, "invalid state: %v", st)
				}
				o.States = []int{int(n)}
			}
			if a["archiveID"] != nil {
				return []any{}, nil // no archives here
			}
			l, err := h.ListBuildroots(ctx, o)
			if err != nil {
				return nil, err
			}
			return applyQueryOpts(l, a.queryOpts("queryOpts"), func(b Buildroot, f string) (any, bool) {
				switch f {
				case "id", "buildroot.id": // the koji CLI's rpminfo orders by buildroot.id
					return b.ID, true
				case "task_id":
					if b.TaskID == nil {
						return nil, true
					}
					return *b.TaskID, true
				case "create_event_id":
					return b.CreateEventID, true
				}
				return nil, false
			})
		})
	def("getBuildroot", "getBuildroot(buildrootID, strict=False)", false, func(ctx context.Context, h *Hub, a args) (any, error) {
		id, err := a.intp("buildrootID")
		if err != nil {
			return nil, err
		}
		if id == nil {
			return nil, fault(koji.ParameterError, "buildrootID is required")
		}
		return nilPtr(h.GetBuildroot(ctx, *id, a.bool("strict")))
	})
	def("getHost", "getHost(hostInfo, strict=False, event=None)", false, func(ctx context.Context, h *Hub, a args) (any, error) {
		r, err := a.ref("hostInfo")
		if err != nil {
			return nil, err
		}
		var out any
		err = h.read(ctx, func(tx *store.Tx) error {
			q := `SELECT h.id, h.user_id, h.name, h.update_time, h.ready, h.task_load, c.arches, c.capacity, c.description, c.comment, c.enabled
				FROM host h LEFT JOIN host_config c ON c.host_id = h.id AND c.active = 1 WHERE `
			var row *store.Row
			if r.IsID() {
				row = tx.QueryRow(q+`h.id = ?`, r.ID)
			} else {
				row = tx.QueryRow(q+`h.name = ?`, r.Name)
			}
			var id, uid int64
			var name string
			var upd, capa sql.NullFloat64
			var ready, enabled sql.NullBool
			var load float64
			var arches, desc, comment sql.NullString
			err := row.Scan(&id, &uid, &name, &upd, &ready, &load, &arches, &capa, &desc, &comment, &enabled)
			if errors.Is(err, sql.ErrNoRows) {
				if a.bool("strict") {
					return fault(koji.GenericError, "Invalid hostInfo: %v", r.Value())
				}
				return nil
			}
			if err != nil {
				return err
			}
			m := map[string]any{"id": id, "user_id": uid, "name": name, "ready": ready.Bool, "task_load": load,
				"arches": nullStr(arches), "capacity": capa.Float64, "description": nullStr(desc), "comment": nullStr(comment),
				"enabled": !enabled.Valid || enabled.Bool, "update_ts": nil}
			if upd.Valid {
				m["update_ts"] = roundTS(upd.Float64)
			}
			out = m
			return nil
		})
		return out, err
	})
	def("getChannel", "getChannel(channelInfo, strict=False)", false, func(ctx context.Context, h *Hub, a args) (any, error) {
		r, err := a.ref("channelInfo")
		if err != nil {
			return nil, err
		}
		var out any
		err = h.read(ctx, func(tx *store.Tx) error {
			var id int64
			var name string
			var enabled bool
			var desc, comment sql.NullString
			q := `SELECT id, name, enabled, description, comment FROM channels WHERE `
			var row *store.Row
			if r.IsID() {
				row = tx.QueryRow(q+`id = ?`, r.ID)
			} else {
				row = tx.QueryRow(q+`name = ?`, r.Name)
			}
			err := row.Scan(&id, &name, &enabled, &desc, &comment)
			if errors.Is(err, sql.ErrNoRows) {
				if a.bool("strict") {
					return fault(koji.GenericError, "No such channel: %v", r.Value())
				}
				return nil
			}
			out = map[string]any{"id": id, "name": name, "enabled": enabled, "description": nullStr(desc), "comment": nullStr(comment)}
			return err
		})
		return out, err
	})
	def("getUserPerms", "getUserPerms(userID=None, with_groups=True)", false, func(ctx context.Context, h *Hub, a args) (any, error) {
		r, err := a.ref("userID")
		if err != nil {
			return nil, err
		}
		if r.IsZero() {
			return nilIfErr(h.GetPerms(ctx))
		}
		m, err := h.GetUserPermsInheritance(ctx, r)
		if err != nil {
			return nil, err
		}
		out := []any{}
		for _, p := range sortedKeys(m) {
			out = append(out, p)
		}
		return out, nil
	})
	def("listUsers", "listUsers(userType=0, prefix=None, queryOpts=None, perm=None, inherited_perm=False)", false,
		func(ctx context.Context, h *Hub, a args) (any, error) {
			out := []any{}
			err := h.read(ctx, func(tx *store.Tx) error {
				ut, _ := xmlrpc.Int(a["userType"])
				rows, err := tx.Query(`SELECT id FROM users WHERE usertype = ? AND name LIKE ? ESCAPE '\' ORDER BY id`, ut, likeEscape(a.str("prefix"))+"%")
				if err != nil {
					return err
				}
				var ids []int64
				for rows.Next() {
					var id int64
					if err := rows.Scan(&id); err != nil {
						rows.Close()
						return err
					}
					ids = append(ids, id)
				}
				rows.Close()
				for _, id := range ids {
					u, err := readUser(tx, id)
					if err != nil {
						return err
					}
					out = append(out, u)
				}
				return nil
			})
			return out, err
		})
	def("revokePermission", "revokePermission(userinfo, permission)", true, func(ctx context.Context, h *Hub, a args) (any, error) {
		r, err := a.ref("userinfo")
		if err != nil {
			return nil, err
		}
		return nil, h.write(ctx, func(tx *store.Tx) error {
			c, err := h.caller(ctx, tx)
			if err != nil {
				return err
			}
			if err := h.assertPerm(tx, c, "admin"); err != nil {
				return err
			}
			uid, uname, err := mustUser(tx, r)
			if err != nil {
				return err
			}
			n, err := tx.Revoke("user_perms", c.UserID, "user_id = ? AND perm_id = (SELECT id FROM permissions WHERE name = ?)", uid, a.str("permission"))
			if err != nil {
				return err
			}
			if n == 0 {
				return fault(koji.GenericError, "user %s does not have permission: %s", uname, a.str("permission"))
			}
			return nil
		})
	})
	def("untagBuildBypass", "untagBuildBypass(tag, build, strict=True, force=False, notify=False)", true, func(ctx context.Context, h *Hub, a args) (any, error) {
		rs, err := refs(a, "tag", "build")
		if err != nil {
			return nil, err
		}
		return nil, h.tagWrite(ctx, rs[0], func(tx *store.Tx, c *Caller, tid int64, tname string) error {
			b, err := mustBuild(tx, rs[1])
			if err != nil {
				return err
			}
			n, err := tx.Revoke("tag_listing", c.UserID, "tag_id = ? AND build_id = ?", tid, b.ID)
			if err != nil {
				return err
			}
			if n == 0 && (a["strict"] == nil || a.bool("strict")) {
				return fault(koji.TagError, "build %s not in tag %s", b.NVR(), tname)
			}
			return nil
		})
	})
	def("packageListSetOwner", "pkglist_setowner(taginfo, pkginfo, owner, force=False)", true, func(ctx context.Context, h *Hub, a args) (any, error) {
		rs, err := refs(a, "taginfo", "pkginfo", "owner")
		if err != nil {
			return nil, err
		}
		return nil, h.PackageListAdd(ctx, rs[0], rs[1], koji.PackageListAddOpts{Owner: rs[2], Force: a.bool("force"), Update: true})
	})
	def("packageListSetArches", "pkglist_setarches(taginfo, pkginfo, arches, force=False)", true, func(ctx context.Context, h *Hub, a args) (any, error) {
		rs, err := refs(a, "taginfo", "pkginfo")
		if err != nil {
			return nil, err
		}
		arches := a.str("arches")
		return nil, h.PackageListAdd(ctx, rs[0], rs[1], koji.PackageListAddOpts{ExtraArches: &arches, Force: a.bool("force"), Update: true})
	})
	def("getPackageConfig", "getPackageConfig(tag, pkg, event=None)", false, func(ctx context.Context, h *Hub, a args) (any, error) {
		rs, err := refs(a, "tag", "pkg")
		if err != nil {
			return nil, err
		}
		ev, err := a.intp("event")
		if err != nil {
			return nil, err
		}
		ents, err := h.ListPackages(ctx, koji.ListPackagesOpts{TagID: rs[0], PkgID: rs[1], Inherited: true, Event: ev})
		if err != nil || len(ents) == 0 {
			return nil, err
		}
		return ents[0], nil
	})
	def("checkTagPackage", "checkTagPackage(tag, pkg)", false, func(ctx context.Context, h *Hub, a args) (any, error) {
		rs, err := refs(a, "tag", "pkg")
		if err != nil {
			return nil, err
		}
		ents, err := h.ListPackages(ctx, koji.ListPackagesOpts{TagID: rs[0], PkgID: rs[1], Inherited: true})
		if err != nil {
			return nil, err
		}
		return len(ents) > 0 && !ents[0].Blocked, nil
	})
	def("getEvent", "getEvent(id, strict=True)", false, func(ctx context.Context, h *Hub, a args) (any, error) {
		id, err := a.int("id")
		if err != nil {
			return nil, err
		}
		var out any
		err = h.read(ctx, func(tx *store.Tx) error {
			var t float64
			err := tx.QueryRow(`SELECT time FROM events WHERE id = ?`, id).Scan(&t)
			if errors.Is(err, sql.ErrNoRows) {
				if a["strict"] == nil || a.bool("strict") {
					return fault(koji.GenericError, "No such event: %d", id)
				}
				return nil
			}
			out = map[string]any{"id": id, "ts": roundTS(t)}
			return err
		})
		return out, err
	})
	def("tagLastChangeEvent", "tagLastChangeEvent(tag, before=None, inherit=True)", false, func(ctx context.Context, h *Hub, a args) (any, error) {
		r, err := a.ref("tag")
		if err != nil {
			return nil, err
		}
		var out any
		err = h.read(ctx, func(tx *store.Tx) error {
			id, _, err := mustTag(tx, r)
			if err != nil {
				return err
			}
			tags := []int64{id}
			if a["inherit"] == nil || a.bool("inherit") {
				order, err := readFullInheritance(tx, id, nil, false)
				if err != nil {
					return err
				}
				for _, l := range order {
					tags = append(tags, l.ParentID)
				}
			}
			var last int64
			for _, tbl := range []string{"tag_listing", "tag_packages", "tag_inheritance", "tag_config", "tag_extra", "tag_external_repos"} {
				for _, t := range uniqueIDs(tags) {
					var c, rv sql.NullInt64
					if err := tx.QueryRow(`SELECT max(create_event), max(revoke_event) FROM `+tbl+` WHERE tag_id = ?`, t).Scan(&c, &rv); err != nil {
						return err
					}
					last = max(last, c.Int64, rv.Int64)
				}
			}
			if last > 0 {
				out = last
			}
			return nil
		})
		return out, err
	})
	def("getActiveRepos", "getActiveRepos()", false, func(ctx context.Context, h *Hub, a args) (any, error) {
		out := []*koji.Repo{}
		err := h.read(ctx, func(tx *store.Tx) error {
			l, err := readRepos(tx, ` WHERE r.state IN (0, 1, 4) ORDER BY r.id`)
			out = append(out, l...)
			return err
		})
		return out, err
	})
	def("getTaskDescendents", "getTaskDescendents(task_id, request=False)", false, func(ctx context.Context, h *Hub, a args) (any, error) {
		id, err := a.int("task_id")
		if err != nil {
			return nil, err
		}
		out := map[string]any{}
		var walk func(id int) error
		walk = func(id int) error {
			kids, err := h.GetTaskChildren(ctx, id, koji.GetTaskChildrenOpts{Request: a.bool("request")})
			if err != nil {
				return err
			}
			l := make([]any, len(kids))
			for i := range kids {
				l[i] = kids[i]
			}
			out[itoa(id)] = l
			for _, k := range kids {
				if err := walk(k.ID); err != nil {
					return err
				}
			}
			return nil
		}
		return out, walk(id)
	})
}

func itoa(i int) string { return strconv.Itoa(i) }

// tagAndGroup are the taginfo and grpinfo arguments of the group calls; the
// group is a name (Koji also takes an id; names are what its CLI sends).
func tagAndGroup(a args) (koji.Ref, string, error) {
	tag, err := a.ref("taginfo")
	if err != nil {
		return tag, "", err
	}
	if n, ok := a["grpinfo"].(string); ok && n != "" {
		return tag, n, nil
	}
	return tag, "", fault(koji.ParameterError, "grpinfo: give the group by name")
}
