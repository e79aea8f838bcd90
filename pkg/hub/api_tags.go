package hub

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/osg-htc/osg-build-go/pkg/hub/store"
	"github.com/osg-htc/osg-build-go/pkg/koji"
)

func (t *tagRow) toKoji(blocked bool) *koji.Tag {
	out := &koji.Tag{ID: int(t.ID), Name: t.Name, Arches: t.Arches, Locked: t.Locked,
		MavenSupport: t.MavenSupport, MavenIncludeAll: t.MavenIncludeAll, Perm: t.Perm, PermID: intp(t.PermID),
		Extra: map[string]any{}}
	for k, v := range t.Extra {
		switch {
		case blocked:
			out.Extra[k] = []any{v.Blocked, v.Value}
		case !v.Blocked:
			out.Extra[k] = v.Value
		}
	}
	if t.QueryEvent != nil {
		out.QueryEvent = intp(t.QueryEvent)
	}
	return out
}

// GetTag is getTag(tagInfo, strict, event, blocked).
func (h *Hub) GetTag(ctx context.Context, ref koji.Ref, opts koji.GetTagOpts) (*koji.Tag, error) {
	var out *koji.Tag
	err := h.read(ctx, func(tx *store.Tx) error {
		id, _, err := tagID(tx, ref)
		if err != nil {
			return err
		}
		var t *tagRow
		if id != 0 {
			t, err = readTag(tx, id, evp(opts.Event))
			if err != nil {
				return err
			}
		}
		if t == nil {
			if opts.Strict {
				return fault(koji.GenericError, "No such tagInfo: %s", pyRepr(ref.Value()))
			}
			return nil
		}
		t.QueryEvent = evp(opts.Event)
		out = t.toKoji(opts.Blocked)
		return nil
	})
	return out, err
}

// ListTags is listTags(build, package, perms, queryOpts, pattern).
func (h *Hub) ListTags(ctx context.Context, opts koji.ListTagsOpts) ([]koji.TagEntry, error) {
	var out []koji.TagEntry
	err := h.read(ctx, func(tx *store.Tx) error {
		q := `SELECT t.id, t.name, c.arches, c.locked, c.maven_support, c.maven_include_all, c.perm_id, pm.name`
		from := ` FROM tag_config c JOIN tag t ON t.id = c.tag_id LEFT JOIN permissions pm ON pm.id = c.perm_id`
		where := ` WHERE c.active = 1`
		var args []any
		withPkg := false
		if !opts.Build.IsZero() && !opts.Package.IsZero() {
			return fault(koji.GenericError, "only one of build and package may be specified")
		}
		if !opts.Build.IsZero() {
			b, err := findBuild(tx, opts.Build)
			if err != nil {
				return err
			}
			if b == nil {
				return fault(koji.GenericError, "No such build: %s", fmt.Sprint(opts.Build.Value()))
			}
			from += ` JOIN tag_listing tl ON tl.tag_id = t.id`
			where += ` AND tl.active = 1 AND tl.build_id = ?`
			args = append(args, b.ID)
		} else if !opts.Package.IsZero() {
			pid, _, err := packageID(tx, opts.Package)
			if err != nil {
				return err
			}
			if pid == 0 {
				return fault(koji.GenericError, "No such package: %s", fmt.Sprint(opts.Package.Value()))
			}
			withPkg = true
			q += `, u.id, u.name, tp.blocked, tp.extra_arches`
			from += ` JOIN tag_packages tp ON tp.tag_id = t.id JOIN tag_package_owners o ON o.tag_id = tp.tag_id
				AND o.package_id = tp.package_id AND o.active = 1 JOIN users u ON u.id = o.owner`
			where += ` AND tp.active = 1 AND tp.package_id = ?`
			args = append(args, pid)
		}
		if opts.Pattern != "" {
			where += ` AND t.name LIKE ? ESCAPE '\'`
			args = append(args, globToLike(opts.Pattern))
		}
		rows, err := tx.Query(q+from+where+` ORDER BY t.id`, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var e koji.TagEntry
			var arches, perm sql.NullString
			var permID sql.NullInt64
			dest := []any{&e.ID, &e.Name, &arches, &e.Locked, &e.MavenSupport, &e.MavenIncludeAll, &permID, &perm}
			var oid int
			var oname string
			var blocked bool
			var ea sql.NullString
			if withPkg {
				dest = append(dest, &oid, &oname, &blocked, &ea)
			}
			if err := rows.Scan(dest...); err != nil {
				return err
			}
			e.Arches = nullStr(arches)
			if opts.Perms == nil || *opts.Perms {
				e.PermID = intp(nullInt(permID))
				e.Perm = nullStr(perm)
			}
			if withPkg {
				e.OwnerID, e.OwnerName, e.Blocked, e.ExtraArches = &oid, &oname, &blocked, nullStr(ea)
			}
			out = append(out, e)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		out, err = applyQueryOpts(out, opts.QueryOpts, tagEntryField)
		return err
	})
	return out, err
}

func tagEntryField(e koji.TagEntry, f string) (any, bool) {
	switch f {
	case "id":
		return e.ID, true
	case "name":
		return e.Name, true
	}
	return nil, false
}

// globToLike converts a glob to an SQL LIKE pattern (escape '\').
func globToLike(g string) string {
	var b strings.Builder
	for _, r := range g {
		switch r {
		case '*':
			b.WriteByte('%')
		case '?':
			b.WriteByte('_')
		case '%', '_', '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// parseArches normalises a space- or comma-separated arch list.
func parseArches(s string) string {
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == ',' || r == '\t' }), " ")
}

func permID(tx *store.Tx, r koji.Ref) (*int64, error) {
	if r.IsZero() {
		return nil, nil
	}
	var id int64
	var err error
	if r.IsID() {
		err = tx.QueryRow(`SELECT id FROM permissions WHERE id = ?`, r.ID).Scan(&id)
	} else {
		err = tx.QueryRow(`SELECT id FROM permissions WHERE name = ?`, r.Name).Scan(&id)
	}
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fault(koji.GenericError, "No such permission: %s", pyRepr(r.Value()))
	}
	return &id, err
}

// CreateTag is createTag(name, parent, arches, perm, locked, maven_support,
// maven_include_all, extra) (tag permission).
func (h *Hub) CreateTag(ctx context.Context, name string, opts koji.CreateTagOpts) (int, error) {
	var id int64
	err := h.write(ctx, func(tx *store.Tx) error {
		c, err := h.caller(ctx, tx)
		if err != nil {
			return err
		}
		if err := h.assertPerm(tx, c, "tag"); err != nil {
			return err
		}
		if strings.TrimSpace(name) == "" || strings.ContainsAny(name, " \t\n/") {
			return fault(koji.GenericError, "Invalid tag name: %q", name)
		}
		if old, _, err := activeTag(tx, koji.ByName(name)); err != nil {
			return err
		} else if old != 0 {
			return fault(koji.GenericError, "A tag with the name %s already exists", pyRepr(name))
		}
		// a deleted tag's row is reused, as Koji's get_tag_id(create=True)
		deleted, _, err := tagID(tx, koji.ByName(name))
		if err != nil {
			return err
		}
		var parentID int64
		if !opts.Parent.IsZero() {
			parentID, _, err = mustTag(tx, opts.Parent)
			if err != nil {
				return err
			}
		}
		pid, err := permID(tx, opts.Perm)
		if err != nil {
			return err
		}
		if id = deleted; id == 0 {
			id, err = tx.Insert(`INSERT INTO tag (name) VALUES (?)`, name)
			if err != nil {
				return err
			}
		}
		var perm any
		if pid != nil {
			perm = *pid
		}
		if err := tx.InsertVersioned("tag_config", c.UserID,
			[]string{"tag_id", "arches", "perm_id", "locked", "maven_support", "maven_include_all"},
			[]any{id, parseArches(opts.Arches), perm, opts.Locked, opts.MavenSupport, opts.MavenIncludeAll}); err != nil {
			return err
		}
		for _, k := range sortedKeys(opts.Extra) {
			if err := setTagExtra(tx, c.UserID, id, k, opts.Extra[k], false); err != nil {
				return err
			}
		}
		if parentID != 0 {
			return tx.InsertVersioned("tag_inheritance", c.UserID,
				[]string{"tag_id", "parent_id", "priority", "maxdepth", "intransitive", "noconfig", "pkg_filter"},
				[]any{id, parentID, 0, nil, false, false, ""})
		}
		return nil
	})
	return int(id), err
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

func setTagExtra(tx *store.Tx, user, tagID int64, key string, value any, block bool) error {
	if _, err := tx.Revoke("tag_extra", user, "tag_id = ? AND key = ?", tagID, key); err != nil {
		return err
	}
	var v any
	if !block {
		b, err := json.Marshal(value)
		if err != nil {
			return fault(koji.GenericError, "extra %s: value is not JSON-serialisable: %v", key, err)
		}
		v = string(b)
	}
	return tx.InsertVersioned("tag_extra", user, []string{"tag_id", "key", "value"}, []any{tagID, key, v})
}

// EditTag2 is editTag2(tagInfo, **kwargs) (tag permission).
func (h *Hub) EditTag2(ctx context.Context, ref koji.Ref, opts koji.EditTagOpts) error {
	return h.tagWrite(ctx, ref, func(tx *store.Tx, c *Caller, id int64, _ string) error {
		if opts.Name != nil {
			if old, _, err := tagID(tx, koji.ByName(*opts.Name)); err != nil {
				return err
			} else if old != 0 && old != id {
				return fault(koji.GenericError, "Name %s already taken by tag %d", *opts.Name, old)
			}
			if _, err := tx.Exec(`UPDATE tag SET name = ? WHERE id = ?`, *opts.Name, id); err != nil {
				return err
			}
		}
		t, err := readTag(tx, id, nil)
		if err != nil {
			return err
		}
		changed := false
		if opts.Arches != nil {
			a := parseArches(*opts.Arches)
			if t.Arches == nil || *t.Arches != a {
				t.Arches = &a
				changed = true
			}
		}
		if opts.Locked != nil && *opts.Locked != t.Locked {
			t.Locked, changed = *opts.Locked, true
		}
		if opts.MavenSupport != nil && *opts.MavenSupport != t.MavenSupport {
			t.MavenSupport, changed = *opts.MavenSupport, true
		}
		if opts.MavenIncludeAll != nil && *opts.MavenIncludeAll != t.MavenIncludeAll {
			t.MavenIncludeAll, changed = *opts.MavenIncludeAll, true
		}
		if !opts.Perm.IsZero() {
			pid, err := permID(tx, opts.Perm)
			if err != nil {
				return err
			}
			t.PermID, changed = pid, true
		} else if opts.ClearPerm && t.PermID != nil {
			t.PermID, changed = nil, true
		}
		if changed {
			if _, err := tx.Revoke("tag_config", c.UserID, "tag_id = ?", id); err != nil {
				return err
			}
			var perm, arches any
			if t.PermID != nil {
				perm = *t.PermID
			}
			if t.Arches != nil {
				arches = *t.Arches
			}
			if err := tx.InsertVersioned("tag_config", c.UserID,
				[]string{"tag_id", "arches", "perm_id", "locked", "maven_support", "maven_include_all"},
				[]any{id, arches, perm, t.Locked, t.MavenSupport, t.MavenIncludeAll}); err != nil {
				return err
			}
		}
		for _, k := range sortedKeys(opts.Extra) {
			if err := setTagExtra(tx, c.UserID, id, k, opts.Extra[k], false); err != nil {
				return err
			}
		}
		for _, k := range opts.BlockExtra {
			if err := setTagExtra(tx, c.UserID, id, k, nil, true); err != nil {
				return err
			}
		}
		for _, k := range opts.RemoveExtra {
			n, err := tx.Revoke("tag_extra", c.UserID, "tag_id = ? AND key = ?", id, k)
			if err != nil {
				return err
			}
			if n == 0 {
				return fault(koji.GenericError, "Extra %s is not defined for tag %d", k, id)
			}
		}
		return nil
	})
}

// GetBuildConfig is getBuildConfig(tag, event).
func (h *Hub) GetBuildConfig(ctx context.Context, ref koji.Ref, opts koji.EventOpts) (*koji.BuildConfig, error) {
	var out *koji.BuildConfig
	err := h.read(ctx, func(tx *store.Tx) error {
		id, _, err := mustTag(tx, ref)
		if err != nil {
			return err
		}
		bc, err := readBuildConfig(tx, id, evp(opts.Event))
		if err != nil {
			return err
		}
		if bc == nil {
			return fault(koji.GenericError, "No such tagInfo: %s", pyRepr(ref.Value()))
		}
		t := bc.Tag
		out = &koji.BuildConfig{ID: int(t.ID), Name: t.Name, Arches: t.Arches, Locked: t.Locked,
			MavenSupport: t.MavenSupport, MavenIncludeAll: t.MavenIncludeAll, Perm: t.Perm, PermID: intp(t.PermID),
			Extra: bc.Extra, ConfigInheritance: koji.ConfigInheritance{Extra: map[string]any{}}}
		if bc.ArchesFrom != nil {
			out.ConfigInheritance.Arches = map[string]any{"id": int(bc.ArchesFrom[0].(int64)), "name": bc.ArchesFrom[1]}
		}
		for k, v := range bc.ExtraFrom {
			out.ConfigInheritance.Extra[k] = map[string]any{"id": int(v[0].(int64)), "name": v[1]}
		}
		out.QueryEvent = opts.Event
		return nil
	})
	return out, err
}

func linkToKoji(l inhLink) koji.InheritanceLink {
	return koji.InheritanceLink{ParentID: int(l.ParentID), ChildID: int(l.TagID), Name: l.Name, Priority: int(l.Priority),
		MaxDepth: intp(l.MaxDepth), Intransitive: l.Intransitive, NoConfig: l.NoConfig, PkgFilter: l.PkgFilter}
}

// GetInheritanceData is getInheritanceData(tag, event).
func (h *Hub) GetInheritanceData(ctx context.Context, ref koji.Ref, opts koji.EventOpts) ([]koji.InheritanceLink, error) {
	out := []koji.InheritanceLink{}
	err := h.read(ctx, func(tx *store.Tx) error {
		id, _, err := mustTag(tx, ref)
		if err != nil {
			return err
		}
		links, err := readInheritanceData(tx, id, evp(opts.Event))
		for _, l := range links {
			out = append(out, linkToKoji(l))
		}
		return err
	})
	return out, err
}

// GetFullInheritance is getFullInheritance(tag, event, reverse).
func (h *Hub) GetFullInheritance(ctx context.Context, ref koji.Ref, opts koji.GetFullInheritanceOpts) ([]koji.FullInheritanceLink, error) {
	out := []koji.FullInheritanceLink{}
	err := h.read(ctx, func(tx *store.Tx) error {
		id, _, err := mustTag(tx, ref)
		if err != nil {
			return err
		}
		links, err := readFullInheritance(tx, id, evp(opts.Event), opts.Reverse)
		for _, l := range links {
			f := l.Filter
			if f == nil {
				f = []string{}
			}
			out = append(out, koji.FullInheritanceLink{ParentID: int(l.ParentID), ChildID: int(l.TagID), Name: l.Name,
				Priority: int(l.Priority), MaxDepth: intp(l.MaxDepth), Intransitive: l.Intransitive, NoConfig: l.NoConfig,
				PkgFilter: l.PkgFilter, CurrDepth: int(l.CurrDepth), NextDepth: intp(l.NextDepth), Filter: f})
		}
		return err
	})
	return out, err
}

// SetInheritanceData is setInheritanceData(tag, data, clear) (tag permission).
func (h *Hub) SetInheritanceData(ctx context.Context, ref koji.Ref, data []koji.InheritanceLink, opts koji.SetInheritanceOpts) error {
	return h.tagWrite(ctx, ref, func(tx *store.Tx, c *Caller, id int64, _ string) error {
		for _, l := range data {
			if int64(l.ParentID) == id {
				return fault(koji.GenericError, "Can't inherit from self")
			}
			if pid, _, err := tagID(tx, koji.ByID(l.ParentID)); err != nil {
				return err
			} else if pid == 0 {
				return fault(koji.GenericError, "No such tagInfo: %d", l.ParentID)
			}
			if l.PkgFilter != "" && !l.Delete {
				if _, err := compileFilter(l.PkgFilter); err != nil {
					return err
				}
			}
		}
		cur, err := readInheritanceData(tx, id, nil)
		if err != nil {
			return err
		}
		type entry struct {
			link   koji.InheritanceLink
			update bool
		}
		byParent := map[int]*entry{}
		var order []int
		for _, l := range cur {
			byParent[int(l.ParentID)] = &entry{link: linkToKoji(l)}
			order = append(order, int(l.ParentID))
		}
		same := func(a, b koji.InheritanceLink) bool {
			return a.Priority == b.Priority && eqIntp(a.MaxDepth, b.MaxDepth) && a.Intransitive == b.Intransitive &&
				a.NoConfig == b.NoConfig && a.PkgFilter == b.PkgFilter
		}
		for _, l := range data {
			orig := byParent[l.ParentID]
			switch {
			case l.Delete:
				if orig != nil {
					byParent[l.ParentID] = &entry{link: l, update: true}
				}
			case orig == nil || opts.Clear || !same(orig.link, l):
				if orig == nil {
					order = append(order, l.ParentID)
				}
				byParent[l.ParentID] = &entry{link: l, update: true}
			}
		}
		if opts.Clear {
			for _, e := range byParent {
				if !e.update {
					e.link.Delete, e.update = true, true
				}
			}
		}
		changed := false
		prio := map[int][]int{}
		for _, p := range order {
			e := byParent[p]
			changed = changed || e.update
			if !e.link.Delete {
				prio[e.link.Priority] = append(prio[e.link.Priority], p)
			}
		}
		if !changed {
			return nil
		}
		for _, p := range order {
			if ids := prio[byParent[p].link.Priority]; len(ids) > 1 && !byParent[p].link.Delete {
				return fault(koji.GenericError, "Multiple parent tags (%s) cannot have the same priority value (%d) on child tag %d",
					pyList(ids), byParent[p].link.Priority, id)
			}
		}
		for _, p := range order {
			e := byParent[p]
			if !e.update {
				continue
			}
			if _, err := tx.Revoke("tag_inheritance", c.UserID, "tag_id = ? AND parent_id = ?", id, p); err != nil {
				return err
			}
		}
		for _, p := range order {
			e := byParent[p]
			if !e.update || e.link.Delete {
				continue
			}
			var md any
			if e.link.MaxDepth != nil {
				md = *e.link.MaxDepth
			}
			if err := tx.InsertVersioned("tag_inheritance", c.UserID,
				[]string{"tag_id", "parent_id", "priority", "maxdepth", "intransitive", "noconfig", "pkg_filter"},
				[]any{id, p, e.link.Priority, md, e.link.Intransitive, e.link.NoConfig, e.link.PkgFilter}); err != nil {
				return err
			}
		}
		return nil
	})
}

func eqIntp(a, b *int) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return *a == *b
}

func pyList(ids []int) string {
	s := make([]string, len(ids))
	for i, v := range ids {
		s[i] = fmt.Sprint(v)
	}
	return "[" + strings.Join(s, ", ") + "]"
}

// --- targets ---

func readTargets(tx *store.Tx, where string, ev *int64, args ...any) ([]koji.BuildTarget, error) {
	cond, cargs := store.ActiveAt("c", ev)
	rows, err := tx.Query(`SELECT bt.id, bt.name, c.build_tag, b.name, c.dest_tag, d.name
		FROM build_target bt JOIN build_target_config c ON c.build_target_id = bt.id
		JOIN tag b ON b.id = c.build_tag JOIN tag d ON d.id = c.dest_tag
		WHERE `+cond+where+` ORDER BY bt.name`, append(cargs, args...)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []koji.BuildTarget{}
	for rows.Next() {
		var t koji.BuildTarget
		if err := rows.Scan(&t.ID, &t.Name, &t.BuildTag, &t.BuildTagName, &t.DestTag, &t.DestTagName); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// GetBuildTarget is getBuildTarget(info, event, strict).
func (h *Hub) GetBuildTarget(ctx context.Context, ref koji.Ref, opts koji.GetBuildTargetOpts) (*koji.BuildTarget, error) {
	var out *koji.BuildTarget
	err := h.read(ctx, func(tx *store.Tx) error {
		var ts []koji.BuildTarget
		var err error
		if ref.IsID() {
			ts, err = readTargets(tx, ` AND bt.id = ?`, evp(opts.Event), ref.ID)
		} else {
			ts, err = readTargets(tx, ` AND bt.name = ?`, evp(opts.Event), ref.Name)
		}
		if err != nil {
			return err
		}
		if len(ts) == 0 {
			if opts.Strict {
				return fault(koji.GenericError, "No such build target: %s", pyRepr(ref.Value()))
			}
			return nil
		}
		out = &ts[0]
		return nil
	})
	return out, err
}

// GetBuildTargets is getBuildTargets(info, event, buildTagID, destTagID, queryOpts).
func (h *Hub) GetBuildTargets(ctx context.Context, opts koji.GetBuildTargetsOpts) ([]koji.BuildTarget, error) {
	var out []koji.BuildTarget
	err := h.read(ctx, func(tx *store.Tx) error {
		where := ""
		var args []any
		if !opts.Info.IsZero() {
			if opts.Info.IsID() {
				where += ` AND bt.id = ?`
				args = append(args, opts.Info.ID)
			} else {
				where += ` AND bt.name = ?`
				args = append(args, opts.Info.Name)
			}
		}
		for _, f := range []struct {
			ref koji.Ref
			col string
		}{{opts.BuildTagID, "c.build_tag"}, {opts.DestTagID, "c.dest_tag"}} {
			if f.ref.IsZero() {
				continue
			}
			id, _, err := tagID(tx, f.ref)
			if err != nil {
				return err
			}
			where += ` AND ` + f.col + ` = ?`
			args = append(args, id)
		}
		var err error
		out, err = readTargets(tx, where, evp(opts.Event), args...)
		if err != nil {
			return err
		}
		out, err = applyQueryOpts(out, opts.QueryOpts, func(t koji.BuildTarget, f string) (any, bool) {
			switch f {
			case "id":
				return t.ID, true
			case "name":
				return t.Name, true
			}
			return nil, false
		})
		return err
	})
	return out, err
}

// CreateBuildTarget is createBuildTarget(name, build_tag, dest_tag) (target permission).
func (h *Hub) CreateBuildTarget(ctx context.Context, name string, buildTag, destTag koji.Ref) error {
	return h.write(ctx, func(tx *store.Tx) error {
		c, err := h.caller(ctx, tx)
		if err != nil {
			return err
		}
		if err := h.assertPerm(tx, c, "target"); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRow(`SELECT count(*) FROM build_target WHERE name = ?`, name).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return fault(koji.GenericError, "A build target with the name '%s' already exists", name)
		}
		bt, _, err := tagID(tx, buildTag)
		if err != nil {
			return err
		}
		if bt == 0 {
			return fault(koji.GenericError, "build tag '%v' does not exist", buildTag.Value())
		}
		dt, _, err := tagID(tx, destTag)
		if err != nil {
			return err
		}
		if dt == 0 {
			return fault(koji.GenericError, "destination tag '%v' does not exist", destTag.Value())
		}
		id, err := tx.Insert(`INSERT INTO build_target (name) VALUES (?)`, name)
		if err != nil {
			return err
		}
		return tx.InsertVersioned("build_target_config", c.UserID, []string{"build_target_id", "build_tag", "dest_tag"}, []any{id, bt, dt})
	})
}

// --- external repos ---

func readExternalRepos(tx *store.Tx, where string, ev *int64, args ...any) ([]koji.ExternalRepo, error) {
	cond, cargs := store.ActiveAt("c", ev)
	rows, err := tx.Query(`SELECT r.id, r.name, c.url FROM external_repo r JOIN external_repo_config c ON c.external_repo_id = r.id
		WHERE `+cond+where+` ORDER BY r.id`, append(cargs, args...)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []koji.ExternalRepo{}
	for rows.Next() {
		var r koji.ExternalRepo
		if err := rows.Scan(&r.ID, &r.Name, &r.URL); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

func extRepoWhere(r koji.Ref) (string, []any) {
	if r.IsID() {
		return ` AND r.id = ?`, []any{r.ID}
	}
	return ` AND r.name = ?`, []any{r.Name}
}

// CreateExternalRepo is createExternalRepo(name, url) (admin).
func (h *Hub) CreateExternalRepo(ctx context.Context, name, url string) (*koji.ExternalRepo, error) {
	var out *koji.ExternalRepo
	err := h.write(ctx, func(tx *store.Tx) error {
		c, err := h.caller(ctx, tx)
		if err != nil {
			return err
		}
		if err := h.assertPerm(tx, c, "admin"); err != nil {
			return err
		}
		if rs, err := readExternalRepos(tx, ` AND r.name = ?`, nil, name); err != nil {
			return err
		} else if len(rs) > 0 {
			return fault(koji.GenericError, "An external repo named \"%s\" already exists", name)
		}
		if !strings.HasSuffix(url, "/") {
			url += "/"
		}
		// a deleted repo's name row stays (its history): reuse its id, as
		// Koji's get_external_repo_id(create=True)
		var id int64
		err = tx.QueryRow(`SELECT id FROM external_repo WHERE name = ?`, name).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			id, err = tx.Insert(`INSERT INTO external_repo (name) VALUES (?)`, name)
		}
		if err != nil {
			return err
		}
		out = &koji.ExternalRepo{ID: int(id), Name: name, URL: url}
		return tx.InsertVersioned("external_repo_config", c.UserID, []string{"external_repo_id", "url"}, []any{id, url})
	})
	return out, err
}

// GetExternalRepo is getExternalRepo(info, strict, event).
func (h *Hub) GetExternalRepo(ctx context.Context, ref koji.Ref, opts koji.GetExternalRepoOpts) (*koji.ExternalRepo, error) {
	var out *koji.ExternalRepo
	err := h.read(ctx, func(tx *store.Tx) error {
		w, a := extRepoWhere(ref)
		rs, err := readExternalRepos(tx, w, evp(opts.Event), a...)
		if err != nil {
			return err
		}
		if len(rs) == 0 {
			if opts.Strict {
				return fault(koji.GenericError, "No such repo: %v", ref.Value())
			}
			return nil
		}
		out = &rs[0]
		return nil
	})
	return out, err
}

// ListExternalRepos is listExternalRepos(info, url, event, queryOpts).
func (h *Hub) ListExternalRepos(ctx context.Context, opts koji.ListExternalReposOpts) ([]koji.ExternalRepo, error) {
	var out []koji.ExternalRepo
	err := h.read(ctx, func(tx *store.Tx) error {
		where := ""
		var args []any
		if !opts.Info.IsZero() {
			where, args = extRepoWhere(opts.Info)
		}
		if opts.URL != "" {
			where += ` AND c.url = ?`
			args = append(args, opts.URL)
		}
		var err error
		out, err = readExternalRepos(tx, where, evp(opts.Event), args...)
		return err
	})
	return out, err
}

// AddExternalRepoToTag is addExternalRepoToTag(tag_info, repo_info, priority,
// merge_mode, arches) (tag permission).
func (h *Hub) AddExternalRepoToTag(ctx context.Context, tag, repo koji.Ref, priority int, opts koji.AddExternalRepoToTagOpts) error {
	return h.tagWrite(ctx, tag, func(tx *store.Tx, c *Caller, tid int64, tname string) error {
		w, a := extRepoWhere(repo)
		rs, err := readExternalRepos(tx, w, nil, a...)
		if err != nil {
			return err
		}
		if len(rs) == 0 {
			return fault(koji.GenericError, "No such repo: %v", repo.Value())
		}
		mode := opts.MergeMode
		if mode == "" {
			mode = "koji"
		}
		if mode != "koji" && mode != "simple" && mode != "bare" {
			return fault(koji.GenericError, "No such merge mode: %s", mode)
		}
		cur, err := readTagExternalRepos(tx, ` AND t.id = ?`, nil, tid)
		if err != nil {
			return err
		}
		for _, e := range cur {
			if e.ExternalRepoID == rs[0].ID {
				return fault(koji.GenericError, "tag %s already associated with external repo %s", tname, rs[0].Name)
			}
			if e.Priority == priority {
				return fault(koji.GenericError, "tag %s already associated with an external repo at priority %d", tname, priority)
			}
		}
		var arches any
		if opts.Arches != "" {
			arches = parseArches(opts.Arches)
		}
		return tx.InsertVersioned("tag_external_repos", c.UserID,
			[]string{"tag_id", "external_repo_id", "priority", "merge_mode", "arches"},
			[]any{tid, rs[0].ID, priority, mode, arches})
	})
}

func readTagExternalRepos(tx *store.Tx, where string, ev *int64, args ...any) ([]koji.TagExternalRepo, error) {
	cond, cargs := store.ActiveAt("x", ev)
	ccond, ccargs := store.ActiveAt("c", ev)
	rows, err := tx.Query(`SELECT r.id, r.name, x.priority, t.id, t.name, c.url, x.merge_mode, x.arches
		FROM tag_external_repos x JOIN tag t ON t.id = x.tag_id JOIN external_repo r ON r.id = x.external_repo_id
		JOIN external_repo_config c ON c.external_repo_id = r.id AND `+ccond+`
		WHERE `+cond+where+` ORDER BY t.id, x.priority`, append(append(ccargs, cargs...), args...)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []koji.TagExternalRepo{}
	for rows.Next() {
		var e koji.TagExternalRepo
		var arches sql.NullString
		if err := rows.Scan(&e.ExternalRepoID, &e.ExternalRepoName, &e.Priority, &e.TagID, &e.TagName, &e.URL, &e.MergeMode, &arches); err != nil {
			return nil, err
		}
		e.Arches = nullStr(arches)
		out = append(out, e)
	}
	return out, rows.Err()
}

// GetTagExternalRepos is getTagExternalRepos(tag_info, repo_info, event).
func (h *Hub) GetTagExternalRepos(ctx context.Context, opts koji.GetTagExternalReposOpts) ([]koji.TagExternalRepo, error) {
	var out []koji.TagExternalRepo
	err := h.read(ctx, func(tx *store.Tx) error {
		where := ""
		var args []any
		if !opts.TagInfo.IsZero() {
			id, _, err := mustTag(tx, opts.TagInfo)
			if err != nil {
				return err
			}
			where += ` AND t.id = ?`
			args = append(args, id)
		}
		if !opts.RepoInfo.IsZero() {
			w, a := extRepoWhere(opts.RepoInfo)
			where += w
			args = append(args, a...)
		}
		var err error
		out, err = readTagExternalRepos(tx, where, evp(opts.Event), args...)
		return err
	})
	return out, err
}

// GetExternalRepoList is getExternalRepoList(tag_info, event): the tag's
// external repos, then its ancestors' in inheritance order, first
// occurrence of a repo wins.
func (h *Hub) GetExternalRepoList(ctx context.Context, ref koji.Ref, opts koji.EventOpts) ([]koji.TagExternalRepo, error) {
	out := []koji.TagExternalRepo{}
	err := h.read(ctx, func(tx *store.Tx) error {
		id, _, err := mustTag(tx, ref)
		if err != nil {
			return err
		}
		ev := evp(opts.Event)
		tags := []int64{id}
		order, err := readFullInheritance(tx, id, ev, false)
		if err != nil {
			return err
		}
		for _, l := range order {
			tags = append(tags, l.ParentID)
		}
		seen := map[int]bool{}
		for _, t := range tags {
			rs, err := readTagExternalRepos(tx, ` AND t.id = ?`, ev, t)
			if err != nil {
				return err
			}
			for _, r := range rs {
				if !seen[r.ExternalRepoID] {
					seen[r.ExternalRepoID] = true
					out = append(out, r)
				}
			}
		}
		return nil
	})
	return out, err
}
