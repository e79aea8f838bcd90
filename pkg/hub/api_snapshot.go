package hub

import (
	"context"
	"sort"

	"github.com/osg-htc/osg-build-go/pkg/hub/store"
	"github.com/osg-htc/osg-build-go/pkg/koji"
)

// SnapshotTagModify is snapshotTagModify(src, dst, config, pkgs, builds,
// groups, latest_only, inherit_builds, event, force, remove) (tag
// permission): make the existing tag dst hold what src holds (at event),
// as Koji's does for clone-tag into an existing tag: its config (arches,
// permission, lock, extra; dst's extra keys that src lacks removed), its
// package list (src's entries added, dst's others blocked), its builds (per
// package the same builds in the same order, dst's extra ones untagged with
// remove, else kept as the oldest) and its comps groups (missing groups and
// their packages added; with remove, dst's own extra groups and packages
// removed and inherited ones blocked). Inheritance and external repos are
// not touched. Everything happens in one transaction.
func (h *Hub) SnapshotTagModify(ctx context.Context, src, dst koji.Ref, o SnapshotTagOpts, remove bool) error {
	if o.Builds && !o.Pkgs {
		return fault(koji.ParameterError, "builds can't be used without pkgs in snapshotTag")
	}
	return h.write(ctx, func(tx *store.Tx) error {
		tctx := context.WithValue(ctx, txKey{}, tx)
		c, err := h.permCaller(ctx, tx, "tag")
		if err != nil {
			return err
		}
		st, err := liveTag(tx, src, o.Event)
		if err != nil {
			return err
		}
		dt, err := liveTag(tx, dst, nil)
		if err != nil {
			return err
		}
		sid, did, dname := st.ID, dt.ID, dt.Name
		if (st.Locked || dt.Locked) && !o.Force {
			return fault(koji.GenericError, "Source or destination tag is locked, use force to copy")
		}
		if o.Config {
			if err := snapshotConfig(tctx, h, st, dt); err != nil {
				return err
			}
		}
		if o.Pkgs {
			if err := snapshotPkgs(tx, c.UserID, sid, did, o.Event); err != nil {
				return err
			}
		}
		if o.Builds {
			if err := snapshotBuilds(tx, c.UserID, sid, did, dname, o, remove); err != nil {
				return err
			}
		}
		if o.Groups {
			if err := h.snapshotGroups(tctx, tx, c.UserID, sid, did, o.Event, remove); err != nil {
				return err
			}
		}
		return nil
	})
}

func snapshotConfig(tctx context.Context, h *Hub, st, dt *tagRow) error {
	e := koji.EditTagOpts{Locked: &st.Locked, MavenSupport: &st.MavenSupport, MavenIncludeAll: &st.MavenIncludeAll, Extra: map[string]any{}}
	arches := ""
	if st.Arches != nil {
		arches = *st.Arches
	}
	e.Arches = &arches
	if st.PermID != nil {
		e.Perm = koji.ByID(int(*st.PermID))
	} else {
		e.ClearPerm = true // Koji's edit_tag(perm=None)
	}
	for k, v := range st.Extra {
		if !v.Blocked {
			e.Extra[k] = v.Value
		}
	}
	for k := range dt.Extra {
		if v, ok := st.Extra[k]; !ok || v.Blocked {
			e.RemoveExtra = append(e.RemoveExtra, k)
		}
	}
	sort.Strings(e.RemoveExtra)
	if len(e.Extra) == 0 {
		e.Extra = nil
	}
	return h.EditTag2(tctx, koji.ByID(int(dt.ID)), e)
}

// snapshotPkgs makes dst's package list (with inheritance) src's: src's
// entries dst lacks are added, dst's entries src lacks are blocked.
func snapshotPkgs(tx *store.Tx, user, sid, did int64, ev *int64) error {
	list := func(tid int64, ev *int64) (map[string]pkgEntry, error) {
		ents, err := readPackageList(tx, pkgQuery{TagID: &tid, Event: ev, Inherit: true, WithOwners: true, WithBlock: true})
		if err != nil {
			return nil, err
		}
		m := map[string]pkgEntry{}
		for _, e := range ents {
			m[e.PackageName] = e
		}
		return m, nil
	}
	sp, err := list(sid, ev)
	if err != nil {
		return err
	}
	dp, err := list(did, nil)
	if err != nil {
		return err
	}
	for _, name := range sortedKeys(dp) {
		if _, ok := sp[name]; !ok {
			e := dp[name]
			if err := pkglistAdd(tx, user, did, e.PackageID, e.OwnerID, true, e.ExtraArches); err != nil {
				return err
			}
		}
	}
	for _, name := range sortedKeys(sp) {
		if _, ok := dp[name]; !ok {
			e := sp[name]
			if err := pkglistAdd(tx, user, did, e.PackageID, e.OwnerID, e.Blocked, e.ExtraArches); err != nil {
				return err
			}
		}
	}
	return nil
}

// orderedBuilds is a package's builds, oldest tagging first.
type orderedBuilds struct {
	nvrs []string
	rows map[string]taggedRow
}

func (b *orderedBuilds) add(r taggedRow) {
	nvr := r.NVR()
	if _, ok := b.rows[nvr]; ok {
		return
	}
	b.nvrs = append(b.nvrs, nvr)
	b.rows[nvr] = r
}

func (b *orderedBuilds) del(nvr string) {
	delete(b.rows, nvr)
	for i, n := range b.nvrs {
		if n == nvr {
			b.nvrs = append(b.nvrs[:i], b.nvrs[i+1:]...)
			return
		}
	}
}

func byPackage(rows []taggedRow) (map[string]*orderedBuilds, []string) {
	m := map[string]*orderedBuilds{}
	var order []string
	for i := len(rows) - 1; i >= 0; i-- { // readTaggedBuilds is newest first
		r := rows[i]
		b := m[r.Name]
		if b == nil {
			b = &orderedBuilds{rows: map[string]taggedRow{}}
			m[r.Name] = b
			order = append(order, r.Name)
		}
		b.add(r)
	}
	return m, order
}

// snapshotBuilds makes each package's builds in dst the builds (and the
// tagging order) it has in src, as Koji's snapshotTagModify does: builds
// out of order are untagged and tagged again after the ones before them.
func snapshotBuilds(tx *store.Tx, user, sid, did int64, dname string, o SnapshotTagOpts, remove bool) error {
	latest := 0
	if o.LatestOnly {
		latest = 1
	}
	srows, err := readTaggedBuilds(tx, taggedQuery{TagID: sid, Event: o.Event, Inherit: o.InheritBuilds, Latest: latest})
	if err != nil {
		return err
	}
	drows, err := readTaggedBuilds(tx, taggedQuery{TagID: did})
	if err != nil {
		return err
	}
	src, srcOrder := byPackage(srows)
	dstPkgs, dstOrder := byPackage(drows)
	untag := func(r taggedRow) error {
		if r.TagID != did { // never untag inherited builds
			return nil
		}
		_, err := tx.Revoke("tag_listing", user, "tag_id = ? AND build_id = ?", did, r.ID)
		return err
	}
	if remove {
		for _, pkg := range dstOrder {
			if _, ok := src[pkg]; ok {
				continue
			}
			for _, nvr := range dstPkgs[pkg].nvrs {
				if err := untag(dstPkgs[pkg].rows[nvr]); err != nil {
					return err
				}
			}
		}
	}
	for _, pkg := range srcOrder {
		sb := src[pkg]
		db := dstPkgs[pkg]
		if db == nil {
			db = &orderedBuilds{rows: map[string]taggedRow{}}
		}
		var order []string
		if remove {
			for _, nvr := range append([]string(nil), db.nvrs...) {
				if _, ok := sb.rows[nvr]; !ok {
					if err := untag(db.rows[nvr]); err != nil {
						return err
					}
					db.del(nvr)
				}
			}
			order = sb.nvrs
		} else {
			// dst's extra builds stay, as the oldest
			for _, nvr := range db.nvrs {
				if _, ok := sb.rows[nvr]; !ok {
					order = append(order, nvr)
				}
			}
			order = append(order, sb.nvrs...)
		}
		rows := func(nvr string) taggedRow {
			if r, ok := sb.rows[nvr]; ok {
				return r
			}
			return db.rows[nvr]
		}
		for _, nvr := range order {
			found := false
			var outOfOrder []string
			for _, dn := range db.nvrs {
				if dn == nvr {
					found = true
					break
				}
				outOfOrder = append(outOfOrder, dn)
				if err := untag(db.rows[dn]); err != nil {
					return err
				}
			}
			for _, dn := range outOfOrder {
				db.del(dn)
			}
			if found {
				db.del(nvr)
				continue
			}
			b := rows(nvr).buildRow
			if err := directTagBuild(tx, user, did, dname, &b, true); err != nil {
				return err
			}
		}
	}
	return nil
}

// snapshotGroups adds src's comps groups and group packages that dst lacks;
// with remove, dst's own groups and packages that src lacks go, and
// inherited ones are blocked.
func (h *Hub) snapshotGroups(tctx context.Context, tx *store.Tx, user, sid, did int64, ev *int64, remove bool) error {
	sg, err := readCompsGroups(tx, sid, ev)
	if err != nil {
		return err
	}
	dg, err := readCompsGroups(tx, did, nil)
	if err != nil {
		return err
	}
	dst := koji.ByID(int(did))
	dmap := map[string]compsGroup{}
	for _, g := range dg {
		dmap[g.Name] = g
	}
	smap := map[string]compsGroup{}
	for _, g := range sg {
		smap[g.Name] = g
		if _, ok := dmap[g.Name]; !ok {
			if err := h.GroupListAdd(tctx, dst, g.Name, GroupListAddOpts{Force: true}); err != nil {
				return err
			}
		}
	}
	if remove {
		for _, g := range dg {
			if _, ok := smap[g.Name]; ok {
				continue
			}
			gid, err := groupID(tx, g.Name)
			if err != nil {
				return err
			}
			own, err := groupConfig(tx, did, gid)
			if err != nil {
				return err
			}
			if own != nil {
				for _, t := range []string{"group_config", "group_package_listing", "group_req_listing"} {
					if _, err := tx.Revoke(t, user, "group_id = ? AND tag_id = ?", gid, did); err != nil {
						return err
					}
				}
			} else if err := h.GroupListAdd(tctx, dst, g.Name, GroupListAddOpts{Block: true, Force: true}); err != nil {
				return err
			}
		}
	}
	for _, g := range sg {
		have := map[string]bool{}
		for _, p := range dmap[g.Name].Packages {
			have[p.Name] = true
		}
		want := map[string]bool{}
		for _, p := range g.Packages {
			want[p.Name] = true
			if !have[p.Name] {
				if err := h.GroupPackageListAdd(tctx, dst, g.Name, p.Name, GroupPackageListAddOpts{Force: true, Type: p.Type}); err != nil {
					return err
				}
			}
		}
		if !remove {
			continue
		}
		gid, err := groupID(tx, g.Name)
		if err != nil {
			return err
		}
		for _, p := range dmap[g.Name].Packages {
			if want[p.Name] {
				continue
			}
			n, err := tx.Revoke("group_package_listing", user, "group_id = ? AND tag_id = ? AND package = ?", gid, did, p.Name)
			if err != nil {
				return err
			}
			if n == 0 { // inherited: block it here
				if err := h.GroupPackageListAdd(tctx, dst, g.Name, p.Name, GroupPackageListAddOpts{Block: true, Force: true}); err != nil {
					return err
				}
			}
		}
	}
	return nil
}
