package hub

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/osg-htc/osg-build-go/internal/xmlrpc"
	"github.com/osg-htc/osg-build-go/pkg/hub/store"
	"github.com/osg-htc/osg-build-go/pkg/koji"
	"github.com/osg-htc/osg-build-go/pkg/rpm"
)

var buildStateNames = []string{"BUILDING", "COMPLETE", "DELETED", "FAILED", "CANCELED"}

func buildStateName(s int64) string {
	if s >= 0 && int(s) < len(buildStateNames) {
		return buildStateNames[s]
	}
	return fmt.Sprint(s)
}

func jsonMap(s *string) map[string]any {
	if s == nil {
		return nil
	}
	var v any
	if err := unmarshalValue([]byte(*s), &v); err != nil {
		return nil
	}
	m, _ := v.(map[string]any)
	return m
}

func (b *buildRow) toKoji() *koji.Build {
	out := &koji.Build{ID: int(b.ID), BuildID: int(b.ID), PackageID: int(b.PackageID), PackageName: b.Name, Name: b.Name,
		Version: b.Version, Release: b.Release, Epoch: intp(b.Epoch), NVR: b.NVR(), Draft: b.Draft,
		State: koji.BuildState(b.State), TaskID: intp(b.TaskID), OwnerID: int(b.OwnerID), OwnerName: b.OwnerName,
		VolumeID: int(b.VolumeID), VolumeName: b.VolumeName, CreationEventID: int(b.CreateEvent),
		CreationTime: fmtTS(b.CreationTime), CreationTS: roundTS(b.CreationTime),
		PromoterID: intp(b.PromoterID), PromoterName: b.PromoterName, CGID: intp(b.CGID), Source: b.Source,
		Extra: jsonMap(b.Extra)}
	out.StartTime, out.StartTS = optTime(b.StartTime)
	out.CompletionTime, out.CompletionTS = optTime(b.CompletionTime)
	out.PromotionTime, out.PromotionTS = optTime(b.PromotionTime)
	return out
}

func (r *taggedRow) toKoji(extra bool) koji.TaggedBuild {
	out := koji.TaggedBuild{TagID: int(r.TagID), TagName: r.TagName, ID: int(r.ID), BuildID: int(r.ID),
		PackageID: int(r.PackageID), PackageName: r.Name, Name: r.Name, Version: r.Version, Release: r.Release,
		Epoch: intp(r.Epoch), NVR: r.NVR(), Draft: r.Draft, State: koji.BuildState(r.State), TaskID: intp(r.TaskID),
		OwnerID: int(r.OwnerID), OwnerName: r.OwnerName, VolumeID: int(r.VolumeID), VolumeName: r.VolumeName,
		CreationEventID: int(r.CreateEvent), CreationTime: fmtTS(r.CreationTime),
		PromoterID: intp(r.PromoterID), PromoterName: r.PromoterName, CreateEvent: int(r.TagEvent)}
	out.StartTime, _ = optTime(r.StartTime)
	out.CompletionTime, _ = optTime(r.CompletionTime)
	out.PromotionTime, _ = optTime(r.PromotionTime)
	if extra {
		out.Extra = jsonMap(r.Extra)
	}
	return out
}

// --- packages ---

// GetPackage is getPackage(info, strict, create).
func (h *Hub) GetPackage(ctx context.Context, ref koji.Ref, opts koji.GetPackageOpts) (*koji.Package, error) {
	var out *koji.Package
	do := h.read
	if opts.Create {
		do = h.write
	}
	err := do(ctx, func(tx *store.Tx) error {
		id, name, err := packageID(tx, ref)
		if err != nil {
			return err
		}
		if id == 0 && opts.Create && ref.Name != "" {
			id, err = tx.Insert(`INSERT INTO package (name) VALUES (?)`, ref.Name)
			if err != nil {
				return err
			}
			name = ref.Name
		}
		if id == 0 {
			if opts.Strict {
				return fault(koji.GenericError, "No such package name: %s", fmt.Sprint(ref.Value()))
			}
			return nil
		}
		out = &koji.Package{ID: int(id), Name: name}
		return nil
	})
	return out, err
}

// ListPackages is listPackages(tagID, userID, pkgID, prefix, inherited,
// with_dups, event, queryOpts, with_owners, with_blocked).
func (h *Hub) ListPackages(ctx context.Context, opts koji.ListPackagesOpts) ([]koji.PackageListEntry, error) {
	out := []koji.PackageListEntry{}
	err := h.read(ctx, func(tx *store.Tx) error {
		q := pkgQuery{Event: evp(opts.Event), Inherit: opts.Inherited, Prefix: opts.Prefix, WithDups: opts.WithDups,
			WithOwners: opts.WithOwners == nil || *opts.WithOwners, WithBlock: opts.WithBlocked == nil || *opts.WithBlocked}
		if !opts.TagID.IsZero() {
			id, _, err := mustTag(tx, opts.TagID)
			if err != nil {
				return err
			}
			q.TagID = &id
		}
		if !opts.UserID.IsZero() {
			id, _, err := mustUser(tx, opts.UserID)
			if err != nil {
				return err
			}
			q.UserID = &id
			q.WithOwners = true
		}
		if !opts.PkgID.IsZero() {
			id, _, err := packageID(tx, opts.PkgID)
			if err != nil {
				return err
			}
			if id == 0 {
				return nil
			}
			q.PkgID = &id
		}
		if q.TagID == nil && q.UserID == nil && q.PkgID == nil {
			// just the packages
			where, args := "", []any{}
			if opts.Prefix != "" {
				where, args = ` WHERE name LIKE ? ESCAPE '\'`, []any{likeEscape(opts.Prefix) + "%"}
			}
			rows, err := tx.Query(`SELECT id, name FROM package`+where+` ORDER BY name`, args...)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				var e koji.PackageListEntry
				if err := rows.Scan(&e.PackageID, &e.PackageName); err != nil {
					return err
				}
				out = append(out, e)
			}
			return rows.Err()
		}
		ents, err := readPackageList(tx, q)
		if err != nil {
			return err
		}
		for _, e := range ents {
			out = append(out, koji.PackageListEntry{PackageID: int(e.PackageID), PackageName: e.PackageName,
				TagID: int(e.TagID), TagName: e.TagName, ExtraArches: e.ExtraArches, Blocked: e.Blocked,
				OwnerID: int(e.OwnerID), OwnerName: e.OwnerName})
		}
		out, err = applyQueryOpts(out, opts.QueryOpts, func(e koji.PackageListEntry, f string) (any, bool) {
			switch f {
			case "package_id":
				return e.PackageID, true
			case "package_name":
				return e.PackageName, true
			case "tag_id":
				return e.TagID, true
			case "tag_name":
				return e.TagName, true
			}
			return nil, false
		})
		return err
	})
	return out, err
}

// assertPackageListPolicy is the default package_list policy: admin or the
// tag permission.
func (h *Hub) assertPackageListPolicy(tx *store.Tx, c *Caller) error {
	if err := assertLogin(c); err != nil && !c.LocalAdmin {
		return err
	}
	if c.LocalAdmin {
		return nil
	}
	ps, err := userPerms(tx, c.UserID)
	if err != nil {
		return err
	}
	if ps["admin"] || ps["tag"] {
		return nil
	}
	return fault(koji.ActionNotAllowed, "policy violation (package_list)")
}

func pkglistAdd(tx *store.Tx, user, tagID, pkgID, owner int64, block bool, extraArches *string) error {
	if _, err := tx.Revoke("tag_packages", user, "tag_id = ? AND package_id = ?", tagID, pkgID); err != nil {
		return err
	}
	var ea any
	if extraArches != nil {
		ea = parseArches(*extraArches)
	}
	if err := tx.InsertVersioned("tag_packages", user, []string{"package_id", "tag_id", "blocked", "extra_arches"},
		[]any{pkgID, tagID, block, ea}); err != nil {
		return err
	}
	return pkglistOwnerAdd(tx, user, tagID, pkgID, owner)
}

func pkglistOwnerAdd(tx *store.Tx, user, tagID, pkgID, owner int64) error {
	if _, err := tx.Revoke("tag_package_owners", user, "tag_id = ? AND package_id = ?", tagID, pkgID); err != nil {
		return err
	}
	return tx.InsertVersioned("tag_package_owners", user, []string{"package_id", "tag_id", "owner"}, []any{pkgID, tagID, owner})
}

// PackageListAdd is packageListAdd(taginfo, pkginfo, owner, block,
// extra_arches, force, update).
func (h *Hub) PackageListAdd(ctx context.Context, tag, pkg koji.Ref, opts koji.PackageListAddOpts) error {
	return h.write(ctx, func(tx *store.Tx) error {
		c, err := h.caller(ctx, tx)
		if err != nil {
			return err
		}
		return h.pkglistAdd(tx, c, tag, pkg, opts, true)
	})
}

func (h *Hub) pkglistAdd(tx *store.Tx, c *Caller, tag, pkg koji.Ref, opts koji.PackageListAddOpts, policy bool) error {
	tid, tname, err := mustTag(tx, tag)
	if err != nil {
		return err
	}
	pid, pname, err := packageID(tx, pkg)
	if err != nil {
		return err
	}
	if pid == 0 && pkg.Name == "" {
		return fault(koji.GenericError, "No such package: %v", pkg.Value())
	}
	var owner int64
	if !opts.Owner.IsZero() {
		owner, _, err = mustUser(tx, opts.Owner)
		if err != nil {
			return err
		}
	}
	if policy {
		if err := h.assertPackageListPolicy(tx, c); err != nil {
			return err
		}
	}
	if pid == 0 {
		if pid, err = ensurePackage(tx, pkg.Name); err != nil {
			return err
		}
		pname = pkg.Name
	}
	ents, err := readPackageList(tx, pkgQuery{TagID: &tid, PkgID: &pid, Inherit: true, WithOwners: true, WithBlock: true})
	if err != nil {
		return err
	}
	block := opts.Block != nil && *opts.Block
	extra := opts.ExtraArches
	changed, changedOwner := false, false
	if len(ents) == 0 {
		if opts.Update && !opts.Force {
			return fault(koji.GenericError, "cannot update: tag %s has no data for package %s", tname, pname)
		}
	} else {
		prev := ents[0]
		if owner == 0 {
			owner = prev.OwnerID
		}
		changedOwner = prev.OwnerID != owner
		if opts.Block == nil {
			block = prev.Blocked
		}
		if extra == nil {
			extra = prev.ExtraArches
		}
		if prev.Blocked != block || !eqStrp(prev.ExtraArches, extra) {
			changed = true
		}
		if !changed && !changedOwner && !opts.Force {
			return nil
		}
		if prev.Blocked && !block && !opts.Force {
			return fault(koji.GenericError, "package %s is blocked in tag %s", pname, tname)
		}
	}
	if owner == 0 {
		if opts.Force {
			owner = c.UserID
		} else {
			return fault(koji.GenericError, "owner not specified")
		}
	}
	if len(ents) == 0 || changed || opts.Force && !changedOwner {
		return pkglistAdd(tx, c.UserID, tid, pid, owner, block, extra)
	}
	return pkglistOwnerAdd(tx, c.UserID, tid, pid, owner)
}

func eqStrp(a, b *string) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return *a == *b
}

// PackageListBlock is packageListBlock(taginfo, pkginfo, force).
func (h *Hub) PackageListBlock(ctx context.Context, tag, pkg koji.Ref, opts koji.PackageListBlockOpts) error {
	return h.write(ctx, func(tx *store.Tx) error {
		c, err := h.caller(ctx, tx)
		if err != nil {
			return err
		}
		tid, tname, err := mustTag(tx, tag)
		if err != nil {
			return err
		}
		pid, pname, err := packageID(tx, pkg)
		if err != nil {
			return err
		}
		if pid == 0 {
			return fault(koji.GenericError, "No such package: %v", pkg.Value())
		}
		ents, err := readPackageList(tx, pkgQuery{TagID: &tid, PkgID: &pid, Inherit: true, WithBlock: true})
		if err != nil {
			return err
		}
		if len(ents) == 0 {
			return fault(koji.GenericError, "Package %s is not in tag listing for %s", pname, tname)
		}
		return h.pkglistAdd(tx, c, koji.ByID(int(tid)), koji.ByID(int(pid)), koji.PackageListAddOpts{Block: koji.Ptr(true), Force: opts.Force}, true)
	})
}

// PackageListUnblock is packageListUnblock(taginfo, pkginfo, force), as
// Koji's pkglist_unblock: a block set on the tag itself is removed (and an
// unblocked entry added if what then shows through is missing or blocked
// too); a block inherited from a parent is overridden by an unblocked
// entry on the tag.
func (h *Hub) PackageListUnblock(ctx context.Context, tag, pkg koji.Ref, opts koji.PackageListBlockOpts) error {
	return h.write(ctx, func(tx *store.Tx) error {
		c, tid, tname, pid, pname, err := h.pkglistTarget(ctx, tx, tag, pkg)
		if err != nil {
			return err
		}
		ents, err := readPackageList(tx, pkgQuery{TagID: &tid, PkgID: &pid, Inherit: true, WithOwners: true, WithBlock: true})
		if err != nil {
			return err
		}
		if len(ents) == 0 {
			return fault(koji.GenericError, "no data (blocked or otherwise) for package %s in tag %s", pname, tname)
		}
		prev := ents[0]
		if !prev.Blocked {
			return fault(koji.GenericError, "package %s NOT blocked in tag %s", pname, tname)
		}
		if prev.TagID != tid {
			return pkglistAdd(tx, c.UserID, tid, pid, prev.OwnerID, false, prev.ExtraArches)
		}
		if err := pkglistRemove(tx, c.UserID, tid, pid); err != nil {
			return err
		}
		after, err := readPackageList(tx, pkgQuery{TagID: &tid, PkgID: &pid, Inherit: true, WithBlock: true})
		if err != nil {
			return err
		}
		if len(after) == 0 || after[0].Blocked {
			return pkglistAdd(tx, c.UserID, tid, pid, prev.OwnerID, false, prev.ExtraArches)
		}
		return nil
	})
}

// PackageListRemove is packageListRemove(taginfo, pkginfo, force): the
// tag's own entry for the package is revoked, so one inherited from a
// parent (if any) shows through.
func (h *Hub) PackageListRemove(ctx context.Context, tag, pkg koji.Ref, opts koji.PackageListBlockOpts) error {
	return h.write(ctx, func(tx *store.Tx) error {
		c, tid, _, pid, _, err := h.pkglistTarget(ctx, tx, tag, pkg)
		if err != nil {
			return err
		}
		return pkglistRemove(tx, c.UserID, tid, pid)
	})
}

// pkglistTarget resolves the tag and the package of a package-list change
// made by a logged-in caller the package_list policy allows.
func (h *Hub) pkglistTarget(ctx context.Context, tx *store.Tx, tag, pkg koji.Ref) (c *Caller, tid int64, tname string, pid int64, pname string, err error) {
	if c, err = h.loggedIn(ctx, tx); err != nil {
		return
	}
	if tid, tname, err = mustTag(tx, tag); err != nil {
		return
	}
	if pid, pname, err = packageID(tx, pkg); err != nil {
		return
	}
	if pid == 0 {
		err = fault(koji.GenericError, "No such package: %v", pkg.Value())
		return
	}
	err = h.assertPackageListPolicy(tx, c)
	return
}

func pkglistRemove(tx *store.Tx, user, tagID, pkgID int64) error {
	if _, err := tx.Revoke("tag_packages", user, "tag_id = ? AND package_id = ?", tagID, pkgID); err != nil {
		return err
	}
	_, err := tx.Revoke("tag_package_owners", user, "tag_id = ? AND package_id = ?", tagID, pkgID)
	return err
}

// --- builds ---

// GetBuild is getBuild(buildInfo, strict).
func (h *Hub) GetBuild(ctx context.Context, ref koji.Ref, opts koji.GetBuildOpts) (*koji.Build, error) {
	var out *koji.Build
	err := h.read(ctx, func(tx *store.Tx) error {
		b, err := findBuild(tx, ref)
		if err != nil {
			var f *koji.Fault
			if errors.As(err, &f) && !opts.Strict {
				return nil
			}
			return err
		}
		if b == nil {
			if opts.Strict {
				return fault(koji.GenericError, "No such build: %s", pyRepr(ref.Value()))
			}
			return nil
		}
		out = b.toKoji()
		return nil
	})
	return out, err
}

// ListBuilds is listBuilds(...).
func (h *Hub) ListBuilds(ctx context.Context, opts koji.ListBuildsOpts) ([]koji.Build, error) {
	out := []koji.Build{}
	err := h.read(ctx, func(tx *store.Tx) error {
		where := ` WHERE 1=1`
		var args []any
		if !opts.PackageID.IsZero() {
			id, _, err := packageID(tx, opts.PackageID)
			if err != nil {
				return err
			}
			where += ` AND b.pkg_id = ?`
			args = append(args, id)
		}
		if !opts.UserID.IsZero() {
			id, _, err := userID(tx, opts.UserID)
			if err != nil {
				return err
			}
			where += ` AND b.owner = ?`
			args = append(args, id)
		}
		if opts.TaskID != nil {
			where += ` AND b.task_id = ?`
			args = append(args, *opts.TaskID)
		}
		if opts.Prefix != "" {
			where += ` AND p.name LIKE ? ESCAPE '\'`
			args = append(args, likeEscape(opts.Prefix)+"%")
		}
		if opts.Pattern != "" {
			where += ` AND (p.name || '-' || b.version || '-' || b.release) LIKE ? ESCAPE '\'`
			args = append(args, globToLike(opts.Pattern))
		}
		if opts.State != nil {
			where += ` AND b.state = ?`
			args = append(args, int(*opts.State))
		}
		if opts.VolumeID != nil {
			where += ` AND b.volume_id = ?`
			args = append(args, *opts.VolumeID)
		}
		if opts.Source != "" {
			where += ` AND b.source LIKE ?`
			args = append(args, opts.Source)
		}
		for _, f := range []struct {
			v   *float64
			sql string
		}{{opts.CreatedBefore, ` AND e.time < ?`}, {opts.CreatedAfter, ` AND e.time > ?`},
			{opts.CompleteBefore, ` AND b.completion_time < ?`}, {opts.CompleteAfter, ` AND b.completion_time > ?`}} {
			if f.v != nil {
				where += f.sql
				args = append(args, *f.v)
			}
		}
		if opts.Draft != nil {
			where += ` AND b.draft = ?`
			args = append(args, *opts.Draft)
		}
		// the usual page (by id, with offset and limit) is asked of SQLite;
		// other orders are sorted here after reading every match
		order, pushed := ` ORDER BY b.id`, false
		if q := opts.QueryOpts; q != nil && !q.CountOnly && !q.AsList {
			switch strings.TrimSpace(q.Order) {
			case "", "id", "build_id":
				pushed = true
			case "-id", "-build_id":
				order, pushed = ` ORDER BY b.id DESC`, true
			}
			if pushed && (q.Limit > 0 || q.Offset > 0) {
				limit := q.Limit
				if limit <= 0 {
					limit = -1
				}
				order += ` LIMIT ? OFFSET ?`
				args = append(args, limit, max(q.Offset, 0))
			}
		}
		rows, err := tx.Query(buildSelect+buildFrom+where+order, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			b, err := scanBuild(rows)
			if err != nil {
				return err
			}
			out = append(out, *b.toKoji())
		}
		if err := rows.Err(); err != nil {
			return err
		}
		if pushed {
			return nil
		}
		out, err = applyQueryOpts(out, opts.QueryOpts, func(b koji.Build, f string) (any, bool) {
			switch f {
			case "id", "build_id":
				return b.ID, true
			case "nvr":
				return b.NVR, true
			case "name", "package_name":
				return b.Name, true
			case "creation_time", "creation_ts":
				return b.CreationTS, true
			case "state":
				return int(b.State), true
			case "completion_time", "completion_ts":
				if b.CompletionTS == nil {
					return nil, true
				}
				return *b.CompletionTS, true
			}
			return nil, false
		})
		return err
	})
	return out, err
}

// GetLatestBuilds is getLatestBuilds(tag, event, package, type, draft).
func (h *Hub) GetLatestBuilds(ctx context.Context, tag koji.Ref, opts koji.GetLatestBuildsOpts) ([]koji.TaggedBuild, error) {
	return h.ListTagged(ctx, tag, koji.ListTaggedOpts{Event: opts.Event, Inherit: true, Latest: koji.LatestOne,
		Package: opts.Package, Type: opts.Type, Draft: opts.Draft})
}

// ListTagged is listTagged(tag, event, inherit, prefix, latest, package,
// owner, type, strict, extra, draft).
func (h *Hub) ListTagged(ctx context.Context, tag koji.Ref, opts koji.ListTaggedOpts) ([]koji.TaggedBuild, error) {
	out := []koji.TaggedBuild{}
	err := h.read(ctx, func(tx *store.Tx) error {
		id, _, err := tagID(tx, tag)
		if err != nil {
			return err
		}
		if id == 0 {
			if opts.Strict == nil || *opts.Strict {
				return fault(koji.GenericError, "No such tagInfo: %s", pyRepr(tag.Value()))
			}
			return nil
		}
		if opts.Type != "" && opts.Type != "rpm" {
			return fault(koji.GenericError, "unsupported build type: %s", opts.Type)
		}
		rows, err := readTaggedBuilds(tx, taggedQuery{TagID: id, Event: evp(opts.Event), Inherit: opts.Inherit,
			Latest: int(opts.Latest), Package: opts.Package, Owner: opts.Owner, Prefix: opts.Prefix, Draft: opts.Draft})
		if err != nil {
			return err
		}
		out = make([]koji.TaggedBuild, 0, len(rows))
		for i := range rows {
			out = append(out, rows[i].toKoji(opts.Extra))
		}
		return nil
	})
	return out, err
}

// checkTagAccess is Koji's check_tag_access: (access, override, reason).
func (h *Hub) checkTagAccess(tx *store.Tx, c *Caller, tagID int64) (bool, bool, string, error) {
	t, err := readTag(tx, tagID, nil)
	if err != nil {
		return false, false, "", err
	}
	if t == nil {
		return false, false, "", fault(koji.GenericError, "No such tagInfo: %d", tagID)
	}
	perms := map[string]bool{}
	if c.LocalAdmin {
		perms["admin"] = true
	} else if c.UserID != 0 {
		if perms, err = userPerms(tx, c.UserID); err != nil {
			return false, false, "", err
		}
	}
	override := perms["admin"]
	if t.Locked {
		return false, override, "tag is locked", nil
	}
	if t.Perm != nil && !perms[*t.Perm] {
		return false, override, fmt.Sprintf("tag requires %s permission", *t.Perm), nil
	}
	return true, override, "", nil
}

func (h *Hub) assertTagAccess(tx *store.Tx, c *Caller, tagID int64, force bool) error {
	access, override, reason, err := h.checkTagAccess(tx, c, tagID)
	if err != nil {
		return err
	}
	if !access && !(override && force) {
		return fault(koji.ActionNotAllowed, "%s", reason)
	}
	return nil
}

// directTagBuild is _direct_tag_build: the build must be COMPLETE; an
// already tagged build is a TagError unless force (which retags).
func directTagBuild(tx *store.Tx, user int64, tagID int64, tagName string, b *buildRow, force bool) error {
	if b.State != 1 {
		return fault(koji.TagError, "build %s not complete: state %s", b.NVR(), buildStateName(b.State))
	}
	var n int
	if err := tx.QueryRow(`SELECT count(*) FROM tag_listing WHERE tag_id = ? AND build_id = ? AND active = 1`, tagID, b.ID).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		if !force {
			return fault(koji.TagError, "build %s already tagged (%s)", b.NVR(), tagName)
		}
		if _, err := tx.Revoke("tag_listing", user, "tag_id = ? AND build_id = ?", tagID, b.ID); err != nil {
			return err
		}
	}
	return tx.InsertVersioned("tag_listing", user, []string{"tag_id", "build_id"}, []any{tagID, b.ID})
}

// TagBuild is tagBuild(tag, build, force, fromtag): pre-checks, then a
// tagBuild task. The task's work (host.tagBuild) is done at once in the
// same transaction: the task is CLOSED, or FAILED with the fault the real
// task would raise (e.g. already tagged).
func (h *Hub) TagBuild(ctx context.Context, tag, build koji.Ref, opts koji.TagBuildOpts) (int, error) {
	var taskID int64
	err := h.write(ctx, func(tx *store.Tx) error {
		c, err := h.loggedIn(ctx, tx)
		if err != nil {
			return err
		}
		tid, tname, err := mustTag(tx, tag)
		if err != nil {
			return err
		}
		b, err := mustBuild(tx, build)
		if err != nil {
			return err
		}
		var fromID any
		if !opts.FromTag.IsZero() {
			fid, _, err := mustTag(tx, opts.FromTag)
			if err != nil {
				return err
			}
			fromID = fid
		}
		if b.State != 1 {
			return fault(koji.TagError, "build %s not complete: state %s", b.NVR(), buildStateName(b.State))
		}
		if err := h.assertTagAccess(tx, c, tid, opts.Force); err != nil {
			return err
		}
		pid := b.PackageID
		ents, err := readPackageList(tx, pkgQuery{TagID: &tid, PkgID: &pid, Inherit: true, WithBlock: true})
		if err != nil {
			return err
		}
		pkgErr := ""
		if len(ents) == 0 {
			pkgErr = fmt.Sprintf("Package %s not in list for %s", b.Name, tname)
		} else if ents[0].Blocked {
			pkgErr = fmt.Sprintf("Package %s blocked in %s", b.Name, tname)
		}
		if pkgErr != "" {
			admin, err := h.isAdmin(tx, c)
			if err != nil {
				return err
			}
			if !(opts.Force && admin) {
				return fault(koji.TagError, "%s", pkgErr)
			}
			if err := h.pkglistAdd(tx, c, koji.ByID(int(tid)), koji.ByID(int(pid)), koji.PackageListAddOpts{Force: true, Block: koji.Ptr(false)}, true); err != nil {
				return err
			}
		}
		taskID, err = makeTask(tx, taskSpec{Method: "tagBuild", Params: []any{tid, b.ID, opts.Force, fromID},
			Owner: c.UserID, Priority: 10, Arch: "noarch", Channel: "default"})
		if err != nil {
			return err
		}
		// the task's work, now: in a savepoint so a failure only fails the task
		werr := tx.Savepoint(func() error {
			if fromID != nil {
				if _, err := tx.Revoke("tag_listing", c.UserID, "tag_id = ? AND build_id = ?", fromID, b.ID); err != nil {
					return err
				}
			}
			return directTagBuild(tx, c.UserID, tid, tname, b, opts.Force)
		})
		return finishTask(tx, taskID, nil, werr)
	})
	return int(taskID), err
}

// TagBuildBypass is tagBuildBypass(tag, build, force, notify) (tag permission).
func (h *Hub) TagBuildBypass(ctx context.Context, tag, build koji.Ref, opts koji.TagBuildBypassOpts) error {
	return h.tagWrite(ctx, tag, func(tx *store.Tx, c *Caller, tid int64, tname string) error {
		b, err := mustBuild(tx, build)
		if err != nil {
			return err
		}
		return directTagBuild(tx, c.UserID, tid, tname, b, opts.Force)
	})
}

// UntagBuild is untagBuild(tag, build, strict, force).
func (h *Hub) UntagBuild(ctx context.Context, tag, build koji.Ref, opts koji.UntagBuildOpts) error {
	return h.write(ctx, func(tx *store.Tx) error {
		c, err := h.loggedIn(ctx, tx)
		if err != nil {
			return err
		}
		tid, tname, err := mustTag(tx, tag)
		if err != nil {
			return err
		}
		b, err := mustBuild(tx, build)
		if err != nil {
			return err
		}
		if err := h.assertTagAccess(tx, c, tid, opts.Force); err != nil {
			return err
		}
		n, err := tx.Revoke("tag_listing", c.UserID, "tag_id = ? AND build_id = ?", tid, b.ID)
		if err != nil {
			return err
		}
		if n == 0 && (opts.Strict == nil || *opts.Strict) {
			return fault(koji.TagError, "build %s not in tag %s", b.NVR(), tname)
		}
		return nil
	})
}

// newBuild is Koji's new_build: a build row, recycling a FAILED or
// CANCELED build of the same N-V-R with no history.
func newBuild(tx *store.Tx, name, version, release string, epoch *int, owner int64, state int, taskID *int64, draft bool) (int64, error) {
	pid, err := ensurePackage(tx, name)
	if err != nil {
		return 0, err
	}
	ev, err := tx.Event()
	if err != nil {
		return 0, err
	}
	now := tx.NowTS()
	var completion any
	if state == 1 {
		completion = now
	}
	var ep, task any
	if epoch != nil {
		ep = *epoch
	}
	if taskID != nil {
		task = *taskID
	}
	old, err := findBuild(tx, koji.ByFields(map[string]any{"name": name, "version": version, "release": release}))
	if err != nil {
		return 0, err
	}
	if old != nil {
		desc := buildStateName(old.State)
		switch desc {
		case "BUILDING":
			if state == 0 && taskID != nil && old.TaskID != nil && *old.TaskID == *taskID {
				return old.ID, nil
			}
			tid := int64(0)
			if old.TaskID != nil {
				tid = *old.TaskID
			}
			return 0, fault(koji.GenericError, "Build already in progress (task %d)", tid)
		case "FAILED", "CANCELED":
		default:
			return 0, fault(koji.GenericError, "Build already exists (id=%d, state=%s): {'name': '%s', 'version': '%s', 'release': '%s'}",
				old.ID, desc, name, version, release)
		}
		var n int
		if err := tx.QueryRow(`SELECT count(*) FROM tag_listing WHERE build_id = ?`, old.ID).Scan(&n); err != nil {
			return 0, err
		}
		if n > 0 {
			return 0, fault(koji.GenericError, "Build already exists. Unable to recycle, has tag history")
		}
		if err := tx.QueryRow(`SELECT count(*) FROM rpminfo WHERE build_id = ?`, old.ID).Scan(&n); err != nil {
			return 0, err
		}
		if n > 0 {
			return 0, fault(koji.GenericError, "Build already exists. Unable to recycle, has rpm data")
		}
		_, err := tx.Exec(`UPDATE build SET epoch = ?, state = ?, owner = ?, task_id = ?, create_event = ?, start_time = ?,
			completion_time = ?, draft = ?, source = NULL, extra = NULL WHERE id = ?`, ep, state, owner, task, ev, now, completion, draft, old.ID)
		return old.ID, err
	}
	return tx.Insert(`INSERT INTO build (pkg_id, version, release, epoch, draft, create_event, start_time, completion_time, state, task_id, owner)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, pid, version, release, ep, draft, ev, now, completion, state, task, owner)
}

// CreateEmptyBuild is createEmptyBuild(name, version, release, epoch, owner, draft) (admin).
func (h *Hub) CreateEmptyBuild(ctx context.Context, name, version, release string, epoch *int, opts koji.CreateEmptyBuildOpts) (int, error) {
	var id int64
	err := h.write(ctx, func(tx *store.Tx) error {
		c, err := h.caller(ctx, tx)
		if err != nil {
			return err
		}
		if err := h.assertPerm(tx, c, "admin"); err != nil {
			return err
		}
		if name == "" || version == "" || release == "" || strings.Contains(version, "-") || strings.Contains(release, "-") {
			return fault(koji.GenericError, "Invalid build N-V-R: %s-%s-%s", name, version, release)
		}
		owner := c.UserID
		if !opts.Owner.IsZero() {
			if owner, _, err = mustUser(tx, opts.Owner); err != nil {
				return err
			}
		}
		id, err = newBuild(tx, name, version, release, epoch, owner, 1, nil, opts.Draft)
		return err
	})
	return int(id), err
}

// --- RPMs ---

const rpmSelect = `SELECT r.id, r.name, r.version, r.release, r.arch, r.epoch, r.draft, r.payloadhash, r.size, r.buildtime,
	r.build_id, r.buildroot_id, r.external_repo_id, x.name, r.metadata_only, r.extra
	FROM rpminfo r JOIN external_repo x ON x.id = r.external_repo_id`

func scanRPM(sc interface{ Scan(...any) error }) (*koji.RPM, error) {
	var r koji.RPM
	var epoch, build, broot sql.NullInt64
	var extra sql.NullString
	if err := sc.Scan(&r.ID, &r.Name, &r.Version, &r.Release, &r.Arch, &epoch, &r.Draft, &r.PayloadHash, &r.Size, &r.BuildTime,
		&build, &broot, &r.ExternalRepoID, &r.ExternalRepoName, &r.MetadataOnly, &extra); err != nil {
		return nil, err
	}
	r.Epoch = intp(nullInt(epoch))
	r.BuildID = int(build.Int64)
	r.BuildrootID = intp(nullInt(broot))
	r.Extra = jsonMap(nullStr(extra))
	return &r, nil
}

// ListRPMs is listRPMs(buildID, buildrootID, ..., arches, queryOpts, draft).
func (h *Hub) ListRPMs(ctx context.Context, opts koji.ListRPMsOpts) ([]koji.RPM, error) {
	out := []koji.RPM{}
	err := h.read(ctx, func(tx *store.Tx) error {
		where := ` WHERE 1=1`
		var args []any
		if opts.BuildID != nil {
			where += ` AND r.build_id = ?`
			args = append(args, *opts.BuildID)
		}
		if opts.BuildrootID != nil {
			where += ` AND r.buildroot_id = ?`
			args = append(args, *opts.BuildrootID)
		}
		var comps map[int]bool
		if opts.ComponentBuildrootID != nil {
			var err error
			if comps, err = componentRPMs(tx, *opts.ComponentBuildrootID); err != nil {
				return err
			}
			where += ` AND r.id IN (SELECT rpm_id FROM buildroot_listing WHERE buildroot_id = ?)`
			args = append(args, *opts.ComponentBuildrootID)
		}
		if len(opts.Arches) > 0 {
			where += ` AND r.arch IN (` + strings.TrimSuffix(strings.Repeat("?,", len(opts.Arches)), ",") + `)`
			for _, a := range opts.Arches {
				args = append(args, a)
			}
		}
		if opts.Draft != nil {
			where += ` AND r.draft = ?`
			args = append(args, *opts.Draft)
		}
		rows, err := tx.Query(rpmSelect+where+` ORDER BY r.id`, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			r, err := scanRPM(rows)
			if err != nil {
				return err
			}
			r.NVR = r.Name + "-" + r.Version + "-" + r.Release
			if comps != nil {
				upd := comps[r.ID]
				r.IsUpdate = &upd
			}
			out = append(out, *r)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		out, err = applyQueryOpts(out, opts.QueryOpts, func(r koji.RPM, f string) (any, bool) {
			switch f {
			case "id":
				return r.ID, true
			case "name":
				return r.Name, true
			case "arch":
				return r.Arch, true
			case "nvr":
				return r.NVR, true
			}
			return nil, false
		})
		return err
	})
	return out, err
}

// GetRPM is getRPM(rpminfo, strict).
func (h *Hub) GetRPM(ctx context.Context, ref koji.Ref, opts koji.GetRPMOpts) (*koji.RPM, error) {
	var out *koji.RPM
	err := h.read(ctx, func(tx *store.Tx) error {
		var row *store.Row
		switch {
		case ref.IsID():
			row = tx.QueryRow(rpmSelect+` WHERE r.id = ?`, ref.ID)
		case ref.Name != "":
			nvr, arch, ok := cutLast(strings.TrimSuffix(ref.Name, ".rpm"), ".")
			n, v, r, ok2 := splitNVR(nvr)
			if !ok || !ok2 {
				return fault(koji.GenericError, "invalid format: %s", ref.Name)
			}
			row = tx.QueryRow(rpmSelect+` WHERE r.name = ? AND r.version = ? AND r.release = ? AND r.arch = ? ORDER BY r.external_repo_id LIMIT 1`, n, v, r, arch)
		case ref.Fields != nil:
			if i, ok := xmlrpc.Int(ref.Fields["id"]); ok {
				row = tx.QueryRow(rpmSelect+` WHERE r.id = ?`, i)
				break
			}
			n, _ := ref.Fields["name"].(string)
			v, _ := ref.Fields["version"].(string)
			r, _ := ref.Fields["release"].(string)
			a, _ := ref.Fields["arch"].(string)
			ext, _ := xmlrpc.Int(ref.Fields["location"])
			row = tx.QueryRow(rpmSelect+` WHERE r.name = ? AND r.version = ? AND r.release = ? AND r.arch = ? AND r.external_repo_id = ?`, n, v, r, a, ext)
		default:
			return fault(koji.GenericError, "Invalid type for rpminfo: %v", ref.Value())
		}
		r, err := scanRPM(row)
		if errors.Is(err, sql.ErrNoRows) {
			if opts.Strict {
				return fault(koji.GenericError, "No such rpm: %v", ref.Value())
			}
			return nil
		}
		out = r
		return err
	})
	return out, err
}

func cutLast(s, sep string) (string, string, bool) {
	i := strings.LastIndex(s, sep)
	if i < 0 {
		return s, "", false
	}
	return s[:i], s[i+len(sep):], true
}

// QueryRPMSigs is queryRPMSigs(rpm_id, sigkey, queryOpts).
func (h *Hub) QueryRPMSigs(ctx context.Context, opts koji.QueryRPMSigsOpts) ([]koji.RPMSig, error) {
	out := []koji.RPMSig{}
	err := h.read(ctx, func(tx *store.Tx) error {
		where := ` WHERE 1=1`
		var args []any
		if !opts.RPMID.IsZero() {
			id := int64(opts.RPMID.ID)
			if !opts.RPMID.IsID() {
				r, err := h.GetRPM(context.WithValue(context.Background(), txKey{}, tx), opts.RPMID, koji.GetRPMOpts{})
				if err != nil {
					return err
				}
				if r == nil {
					return nil
				}
				id = int64(r.ID)
			}
			where += ` AND rpm_id = ?`
			args = append(args, id)
		}
		if opts.SigKey != nil {
			where += ` AND sigkey = ?`
			args = append(args, strings.ToLower(*opts.SigKey))
		}
		rows, err := tx.Query(`SELECT rpm_id, sigkey, sighash FROM rpmsigs`+where+` ORDER BY rpm_id, rowid`, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var s koji.RPMSig
			if err := rows.Scan(&s.RPMID, &s.SigKey, &s.SigHash); err != nil {
				return err
			}
			out = append(out, s)
		}
		return rows.Err()
	})
	return out, err
}

// rpmHeaderInfo is what importRPM reads from an RPM file.
type rpmHeaderInfo struct {
	Name, Version, Release, Arch string
	Epoch                        *int
	SourceRPM                    string // "" for a source RPM
	BuildTime                    int64
	SigMD5                       string
	SigHdr                       []byte // the raw signature header (Koji's rip_rpm_sighdr)
}

func readRPMHeader(path string) (*rpmHeaderInfo, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("reading the RPM header: %w", err)
	}
	raw, err := rpm.ReadRaw(fh)
	fh.Close()
	var f *rpm.File
	if err == nil {
		f, err = rpm.Parse(raw)
	}
	if err != nil {
		return nil, fmt.Errorf("reading the RPM header: %s: %w", path, err)
	}
	h := f.Header
	bt, _ := h.Uint(rpm.TagBuildTime)
	return &rpmHeaderInfo{
		Name: h.String(rpm.TagName), Version: h.String(rpm.TagVersion), Release: h.String(rpm.TagRelease),
		Arch: f.Arch(), Epoch: f.Epoch(), SourceRPM: h.String(rpm.TagSourceRPM),
		BuildTime: int64(bt), SigMD5: f.SigMD5(), SigHdr: raw[96:f.HeaderStart:f.HeaderStart],
	}, nil
}

// nvra is the RPM's N-V-R.A.
func (i *rpmHeaderInfo) nvra() string {
	return i.Name + "-" + i.Version + "-" + i.Release + "." + i.Arch
}

// ImportRPM is importRPM(path, basename) (admin): imports the uploaded RPM
// work/<path>/<basename>. A source RPM creates its COMPLETE build when none
// exists; a binary RPM needs its build (from the sourcerpm header). The
// file is moved to packages/N/V/R/ARCH/.
func (h *Hub) ImportRPM(ctx context.Context, path, basename string) (*koji.RPM, error) {
	var out *koji.RPM
	var src, dst string
	err := h.write(ctx, func(tx *store.Tx) error {
		c, err := h.caller(ctx, tx)
		if err != nil {
			return err
		}
		if err := h.assertPerm(tx, c, "admin"); err != nil {
			return err
		}
		rel, err := safeRelPath(filepath.Join(path, basename))
		if err != nil {
			return err
		}
		src = filepath.Join(h.TopDir(), "work", rel)
		st, err := os.Stat(src)
		if err != nil {
			return fault(koji.GenericError, "No such file: %s", filepath.Join(path, basename))
		}
		info, err := readRPMHeader(src)
		if err != nil {
			return fault(koji.GenericError, "%v", err)
		}
		want := fmt.Sprintf("%s-%s-%s.%s.rpm", info.Name, info.Version, info.Release, info.Arch)
		if basename != want {
			return fault(koji.GenericError, "bad filename: %s (expected %s)", basename, want)
		}
		var b *buildRow
		if info.SourceRPM == "" {
			b, err = findBuild(tx, koji.ByFields(map[string]any{"name": info.Name, "version": info.Version, "release": info.Release}))
			if err != nil {
				return err
			}
			if b == nil {
				if _, err := newBuild(tx, info.Name, info.Version, info.Release, info.Epoch, c.UserID, 1, nil, false); err != nil {
					return err
				}
				if b, err = mustBuild(tx, koji.ByName(info.Name+"-"+info.Version+"-"+info.Release)); err != nil {
					return err
				}
			}
		} else {
			nvr := strings.TrimSuffix(strings.TrimSuffix(info.SourceRPM, ".rpm"), ".src")
			nvr = strings.TrimSuffix(nvr, ".nosrc")
			b, err = findBuild(tx, koji.ByName(nvr))
			if err != nil {
				return err
			}
			if b == nil {
				return fault(koji.GenericError, "No such build: %s", nvr)
			}
		}
		if b.State != 1 && b.State != 0 {
			return fault(koji.GenericError, "Unable to complete build: state is %s", buildStateName(b.State))
		}
		var ep any
		if info.Epoch != nil {
			ep = *info.Epoch
		}
		id, err := tx.Insert(`INSERT INTO rpminfo (build_id, name, version, release, epoch, arch, external_repo_id, payloadhash, size, buildtime)
			VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?, ?)`, b.ID, info.Name, info.Version, info.Release, ep, info.Arch, info.SigMD5, st.Size(), info.BuildTime)
		if err != nil {
			if store.IsConstraint(err) {
				return fault(koji.GenericError, "RPM already imported: %s", basename)
			}
			return err
		}
		if out, err = scanRPM(tx.QueryRow(rpmSelect+` WHERE r.id = ?`, id)); err != nil {
			return err
		}
		dst = filepath.Join(h.buildDir(b), info.Arch, basename)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		// Koji's import_rpm: the file's own signature header, under its
		// key ('' when unsigned).
		if _, err := insertRPMSig(tx, id, info.nvra(), info.SigMD5, h.buildDir(b), filepath.Join(info.Arch, basename), info.SigHdr); err != nil {
			return err
		}
		// a hard link now (the transaction may still fail); the upload is
		// removed after the commit
		_ = os.Remove(dst)
		if err := os.Link(src, dst); err != nil {
			if err := copyFile(src, dst); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	_ = os.Remove(src)
	return out, nil
}
