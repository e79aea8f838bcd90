package hub

import (
	"context"
	"database/sql"

	"github.com/osg-htc/osg-build-go/pkg/hub/store"
	"github.com/osg-htc/osg-build-go/pkg/koji"
)

// histTable describes a versioned table for queryHistory: its own columns
// (with the SQL producing each) and the joins that name things.
type histTable struct {
	cols  [][2]string // {member, sql}
	joins string
	// filter columns
	tag, build, pkg, user, perm, extRepo, target string
}

var histTables = map[string]histTable{
	"tag_listing": {cols: [][2]string{{"tag_id", "x.tag_id"}, {"build_id", "x.build_id"}, {"tag.name", "tg.name"},
		{"name", "p.name"}, {"version", "b.version"}, {"release", "b.release"}, {"epoch", "b.epoch"}, {"build.state", "b.state"}},
		joins: ` JOIN tag tg ON tg.id = x.tag_id JOIN build b ON b.id = x.build_id JOIN package p ON p.id = b.pkg_id`,
		tag:   "x.tag_id", build: "x.build_id", pkg: "b.pkg_id"},
	"tag_packages": {cols: [][2]string{{"tag_id", "x.tag_id"}, {"package_id", "x.package_id"}, {"blocked", "x.blocked"},
		{"extra_arches", "x.extra_arches"}, {"tag.name", "tg.name"}, {"package.name", "p.name"}},
		joins: ` JOIN tag tg ON tg.id = x.tag_id JOIN package p ON p.id = x.package_id`, tag: "x.tag_id", pkg: "x.package_id"},
	"tag_package_owners": {cols: [][2]string{{"tag_id", "x.tag_id"}, {"package_id", "x.package_id"}, {"owner", "x.owner"},
		{"tag.name", "tg.name"}, {"package.name", "p.name"}, {"owner.name", "ow.name"}},
		joins: ` JOIN tag tg ON tg.id = x.tag_id JOIN package p ON p.id = x.package_id JOIN users ow ON ow.id = x.owner`,
		tag:   "x.tag_id", pkg: "x.package_id", user: "x.owner"},
	"tag_inheritance": {cols: [][2]string{{"tag_id", "x.tag_id"}, {"parent_id", "x.parent_id"}, {"priority", "x.priority"},
		{"maxdepth", "x.maxdepth"}, {"intransitive", "x.intransitive"}, {"noconfig", "x.noconfig"}, {"pkg_filter", "x.pkg_filter"},
		{"tag.name", "tg.name"}, {"parent.name", "pt.name"}},
		joins: ` JOIN tag tg ON tg.id = x.tag_id JOIN tag pt ON pt.id = x.parent_id`, tag: "x.tag_id"},
	"tag_config": {cols: [][2]string{{"tag_id", "x.tag_id"}, {"arches", "x.arches"}, {"perm_id", "x.perm_id"}, {"locked", "x.locked"},
		{"maven_support", "x.maven_support"}, {"maven_include_all", "x.maven_include_all"}, {"tag.name", "tg.name"},
		{"permission.name", "pm.name"}},
		joins: ` JOIN tag tg ON tg.id = x.tag_id LEFT JOIN permissions pm ON pm.id = x.perm_id`, tag: "x.tag_id"},
	"tag_extra": {cols: [][2]string{{"tag_id", "x.tag_id"}, {"key", "x.key"}, {"value", "x.value"}, {"tag.name", "tg.name"}},
		joins: ` JOIN tag tg ON tg.id = x.tag_id`, tag: "x.tag_id"},
	"tag_external_repos": {cols: [][2]string{{"tag_id", "x.tag_id"}, {"external_repo_id", "x.external_repo_id"},
		{"priority", "x.priority"}, {"merge_mode", "x.merge_mode"}, {"arches", "x.arches"}, {"tag.name", "tg.name"},
		{"external_repo.name", "er.name"}},
		joins: ` JOIN tag tg ON tg.id = x.tag_id JOIN external_repo er ON er.id = x.external_repo_id`,
		tag:   "x.tag_id", extRepo: "x.external_repo_id"},
	"build_target_config": {cols: [][2]string{{"build_target_id", "x.build_target_id"}, {"build_tag", "x.build_tag"},
		{"dest_tag", "x.dest_tag"}, {"build_target.name", "bt.name"}, {"build_tag.name", "btg.name"}, {"dest_tag.name", "dtg.name"}},
		joins:  ` JOIN build_target bt ON bt.id = x.build_target_id JOIN tag btg ON btg.id = x.build_tag JOIN tag dtg ON dtg.id = x.dest_tag`,
		target: "x.build_target_id", tag: "x.build_tag"},
	"external_repo_config": {cols: [][2]string{{"external_repo_id", "x.external_repo_id"}, {"url", "x.url"},
		{"external_repo.name", "er.name"}},
		joins: ` JOIN external_repo er ON er.id = x.external_repo_id`, extRepo: "x.external_repo_id"},
	"user_perms": {cols: [][2]string{{"user_id", "x.user_id"}, {"perm_id", "x.perm_id"}, {"user.name", "us.name"},
		{"permission.name", "pm.name"}},
		joins: ` JOIN users us ON us.id = x.user_id JOIN permissions pm ON pm.id = x.perm_id`, user: "x.user_id", perm: "x.perm_id"},
	"user_groups": {cols: [][2]string{{"user_id", "x.user_id"}, {"group_id", "x.group_id"}, {"user.name", "us.name"},
		{"group.name", "gr.name"}},
		joins: ` JOIN users us ON us.id = x.user_id JOIN users gr ON gr.id = x.group_id`, user: "x.user_id"},
	"group_config": {cols: [][2]string{{"group_id", "x.group_id"}, {"tag_id", "x.tag_id"}, {"blocked", "x.blocked"},
		{"exported", "x.exported"}, {"display_name", "x.display_name"}, {"is_default", "x.is_default"},
		{"uservisible", "x.uservisible"}, {"description", "x.description"}, {"langonly", "x.langonly"},
		{"biarchonly", "x.biarchonly"}, {"group.name", "gr.name"}, {"tag.name", "tg.name"}},
		joins: ` JOIN groups gr ON gr.id = x.group_id JOIN tag tg ON tg.id = x.tag_id`, tag: "x.tag_id"},
	"group_req_listing": {cols: [][2]string{{"group_id", "x.group_id"}, {"tag_id", "x.tag_id"}, {"req_id", "x.req_id"},
		{"blocked", "x.blocked"}, {"type", "x.type"}, {"is_metapkg", "x.is_metapkg"}, {"group.name", "gr.name"},
		{"req.name", "rq.name"}, {"tag.name", "tg.name"}},
		joins: ` JOIN groups gr ON gr.id = x.group_id JOIN groups rq ON rq.id = x.req_id JOIN tag tg ON tg.id = x.tag_id`, tag: "x.tag_id"},
	"group_package_listing": {cols: [][2]string{{"group_id", "x.group_id"}, {"tag_id", "x.tag_id"}, {"package", "x.package"},
		{"blocked", "x.blocked"}, {"type", "x.type"}, {"basearchonly", "x.basearchonly"}, {"requires", "x.requires"},
		{"group.name", "gr.name"}, {"tag.name", "tg.name"}},
		joins: ` JOIN groups gr ON gr.id = x.group_id JOIN tag tg ON tg.id = x.tag_id`, tag: "x.tag_id"},
}

// defaultHistoryTables are the tables queryHistory reports when none are named.
var defaultHistoryTables = []string{"build_target_config", "external_repo_config", "group_config", "group_package_listing",
	"group_req_listing", "tag_config", "tag_external_repos", "tag_extra", "tag_inheritance", "tag_listing",
	"tag_package_owners", "tag_packages", "user_groups", "user_perms"}

// QueryHistory is queryHistory(tables, **filters).
func (h *Hub) QueryHistory(ctx context.Context, opts koji.QueryHistoryOpts) (koji.History, error) {
	out := koji.History{}
	err := h.read(ctx, func(tx *store.Tx) error {
		tables := opts.Tables
		if len(tables) == 0 {
			tables = defaultHistoryTables
		}
		// resolve the filters once
		var tagF, buildF, pkgF, userF, permF, extF, targetF *int64
		if !opts.Tag.IsZero() {
			id, _, err := mustTag(tx, opts.Tag)
			if err != nil {
				return err
			}
			tagF = &id
		}
		if !opts.Build.IsZero() {
			b, err := mustBuild(tx, opts.Build)
			if err != nil {
				return err
			}
			buildF = &b.ID
		}
		if !opts.Package.IsZero() {
			id, _, err := packageID(tx, opts.Package)
			if err != nil {
				return err
			}
			if id == 0 {
				return fault(koji.GenericError, "No such package: %v", opts.Package.Value())
			}
			pkgF = &id
		}
		if !opts.User.IsZero() {
			id, _, err := mustUser(tx, opts.User)
			if err != nil {
				return err
			}
			userF = &id
		}
		if !opts.Permission.IsZero() {
			p, err := permID(tx, opts.Permission)
			if err != nil {
				return err
			}
			permF = p
		}
		if !opts.ExternalRepo.IsZero() {
			w, a := extRepoWhere(opts.ExternalRepo)
			rs, err := readExternalRepos(tx, w, nil, a...)
			if err != nil {
				return err
			}
			if len(rs) == 0 {
				return fault(koji.GenericError, "No such repo: %v", opts.ExternalRepo.Value())
			}
			id := int64(rs[0].ID)
			extF = &id
		}
		if !opts.BuildTarget.IsZero() {
			var id int64
			var err error
			if opts.BuildTarget.IsID() {
				id = int64(opts.BuildTarget.ID)
			} else {
				err = tx.QueryRow(`SELECT id FROM build_target WHERE name = ?`, opts.BuildTarget.Name).Scan(&id)
			}
			if err != nil {
				return fault(koji.GenericError, "No such build target: %v", opts.BuildTarget.Value())
			}
			targetF = &id
		}
		var editorF *int64
		if !opts.Editor.IsZero() {
			id, _, err := mustUser(tx, opts.Editor)
			if err != nil {
				return err
			}
			editorF = &id
		}
		for _, name := range tables {
			t, ok := histTables[name]
			if !ok {
				return fault(koji.GenericError, "No such history table: %s", name)
			}
			rows := []koji.HistoryEntry{}
			if t.cols == nil {
				out[name] = rows
				continue
			}
			where := ` WHERE 1=1`
			var args []any
			skip := false
			for _, f := range []struct {
				v   *int64
				col string
			}{{tagF, t.tag}, {buildF, t.build}, {pkgF, t.pkg}, {userF, t.user}, {permF, t.perm}, {extF, t.extRepo}, {targetF, t.target}} {
				if f.v == nil {
					continue
				}
				if f.col == "" {
					skip = true
					break
				}
				where += ` AND ` + f.col + ` = ?`
				args = append(args, *f.v)
			}
			if skip {
				continue
			}
			if opts.Active != nil {
				if *opts.Active {
					where += ` AND x.active = 1`
				} else {
					where += ` AND x.active IS NULL`
				}
			}
			if editorF != nil {
				where += ` AND (x.creator_id = ? OR x.revoker_id = ?)`
				args = append(args, *editorF, *editorF)
			}
			if opts.AfterEvent != nil {
				where += ` AND (x.create_event > ? OR x.revoke_event > ?)`
				args = append(args, *opts.AfterEvent, *opts.AfterEvent)
			}
			if opts.BeforeEvent != nil {
				where += ` AND (x.create_event < ? OR x.revoke_event < ?)`
				args = append(args, *opts.BeforeEvent, *opts.BeforeEvent)
			}
			if opts.After != nil {
				where += ` AND (ce.time > ? OR re.time > ?)`
				args = append(args, *opts.After, *opts.After)
			}
			if opts.Before != nil {
				where += ` AND (ce.time < ? OR re.time < ?)`
				args = append(args, *opts.Before, *opts.Before)
			}
			sel := `SELECT x.create_event, x.revoke_event, x.creator_id, cu.name, x.revoker_id, ru.name, ce.time, re.time, x.active`
			for _, c := range t.cols {
				sel += `, ` + c[1]
			}
			q := sel + ` FROM ` + name + ` x JOIN events ce ON ce.id = x.create_event LEFT JOIN events re ON re.id = x.revoke_event
				JOIN users cu ON cu.id = x.creator_id LEFT JOIN users ru ON ru.id = x.revoker_id` + t.joins + where +
				` ORDER BY x.create_event, x.rowid`
			r, err := tx.Query(q, args...)
			if err != nil {
				return err
			}
			for r.Next() {
				var ce, cid int64
				var rev, rid sql.NullInt64
				var cname string
				var rname sql.NullString
				var ct float64
				var rt sql.NullFloat64
				var active sql.NullBool
				vals := make([]any, len(t.cols))
				dest := []any{&ce, &rev, &cid, &cname, &rid, &rname, &ct, &rt, &active}
				for i := range vals {
					dest = append(dest, &vals[i])
				}
				if err := r.Scan(dest...); err != nil {
					r.Close()
					return err
				}
				e := koji.HistoryEntry{"create_event": int(ce), "creator_id": int(cid), "creator_name": cname,
					"create_ts": roundTS(ct), "active": nil, "revoke_event": nil, "revoker_id": nil, "revoker_name": nil, "revoke_ts": nil}
				if active.Valid && active.Bool {
					e["active"] = true
				}
				if rev.Valid {
					e["revoke_event"] = int(rev.Int64)
					e["revoker_id"] = int(rid.Int64)
					e["revoker_name"] = rname.String
					e["revoke_ts"] = roundTS(rt.Float64)
				}
				for i, c := range t.cols {
					e[c[0]] = histValue(c[0], vals[i])
				}
				rows = append(rows, e)
			}
			r.Close()
			if err := r.Err(); err != nil {
				return err
			}
			out[name] = rows
		}
		return nil
	})
	return out, err
}

var histBools = map[string]bool{"blocked": true, "intransitive": true, "noconfig": true, "locked": true,
	"maven_support": true, "maven_include_all": true, "exported": true, "is_default": true, "uservisible": true,
	"biarchonly": true, "basearchonly": true, "is_metapkg": true}

func histValue(member string, v any) any {
	switch x := v.(type) {
	case int64:
		if histBools[member] {
			return x != 0
		}
		return int(x)
	case []byte:
		return string(x)
	}
	return v
}
