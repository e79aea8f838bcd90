package hub

// Repos for the task engine (Koji's host.repoInit and host.repoDone) and
// kojira's queries: which build tags changed since their newest repo, and
// which repos expire or are deleted.

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/osg-htc/osg-build-go/internal/xmlrpc"
	"github.com/osg-htc/osg-build-go/pkg/hub/store"
	"github.com/osg-htc/osg-build-go/pkg/koji"
)

// RepoPlan is a repo being generated: its row (INIT) and what goes in it.
type RepoPlan struct {
	ID      int64
	TagID   int64
	TagName string
	TaskID  int64
	Event   int64
	// Dir is repos/<tag>/<id>.
	Dir string
	// Arches are the tag's arches (noarch excluded); each gets Dir/<arch>/.
	Arches []string
	// Packages maps an arch to its pkglist lines (toplink/packages/...).
	Packages map[string][]string
	// Blocked are the blocked package names (blocklist).
	Blocked []string
	// CompsFile is Dir/groups/comps.xml, "" when the tag has no groups.
	CompsFile string
	// External are the tag's external repos (inherited), by priority.
	External []koji.TagExternalRepo
	Opts     koji.RepoOpts
}

// canonArch is Koji's canonArch for the arches a hub host meets.
func canonArch(a string) string {
	switch a {
	case "i386", "i486", "i586", "i686", "athlon", "geode":
		return "i386"
	case "amd64", "ia32e":
		return "x86_64"
	case "armv7hl", "armv7hnl":
		return "armhfp"
	}
	return a
}

func isDebugPkg(name string) bool {
	return strings.HasSuffix(name, "-debuginfo") || strings.HasSuffix(name, "-debugsource") ||
		strings.Contains(name, "-debuginfo-")
}

// RepoInit creates a repo of tag for the newRepo task taskID at the current
// event (INIT) and writes its repo.json, groups/comps.xml and, per tag arch,
// pkglist, rpmlist.jsonl, blocklist and the toplink symlink, as Koji's
// host.repoInit does: the latest builds of the tag through inheritance,
// blocked packages out, noarch RPMs in every arch, arch RPMs in their
// canonical arch, src only with opts Src or SeparateSrc, debuginfo only with
// opts Debuginfo. A failure after the row exists sets it PROBLEM.
func (ho *Host) RepoInit(ctx context.Context, tag string, taskID int64, opts koji.RepoOpts) (*RepoPlan, error) {
	return ho.RepoInitAt(ctx, tag, taskID, opts, nil)
}

// RepoInitAt is RepoInit of the tag's content at event (newRepo's event
// argument, a repo request's at_event); nil is the current event. The
// repo's custom_opts are its options that differ from the tag's defaults
// (Koji's get_repo_opts).
func (ho *Host) RepoInitAt(ctx context.Context, tag string, taskID int64, opts koji.RepoOpts, at *int64) (*RepoPlan, error) {
	p := &RepoPlan{TaskID: taskID, Opts: opts, Packages: map[string][]string{}}
	custom := map[string]bool{}
	type rpmRow struct {
		name, version, release, arch string
		bname, bver, brel            string
		epoch                        sql.NullInt64
		id, buildID, size, buildtime int64
		payload                      string
	}
	var rpms []rpmRow
	var groups []compsGroup
	err := ho.h.db.Write(ctx, func(tx *store.Tx) error {
		var err error
		p.TagID, p.TagName, err = mustTag(tx, koji.ByName(tag))
		if err != nil {
			return err
		}
		ev, err := tx.Event()
		if err != nil {
			return err
		}
		if at != nil {
			if ok, err := eventExists(tx, *at); err != nil {
				return err
			} else if !ok || *at > ev {
				return fault(koji.ParameterError, "Invalid event: %d", *at)
			}
			ev = *at
		}
		p.Event = ev
		defaults, err := tagRepoDefaults(tx, p.TagID)
		if err != nil {
			return err
		}
		for k, v := range optsMap(opts) {
			if defaults[k] != v {
				custom[k] = v
			}
		}
		bc, err := readBuildConfig(tx, p.TagID, &ev)
		if err != nil {
			return err
		}
		seen := map[string]bool{}
		if bc != nil && bc.Tag.Arches != nil {
			for _, a := range strings.Fields(*bc.Tag.Arches) {
				a = canonArch(a)
				if a == "noarch" || seen[a] {
					continue
				}
				seen[a] = true
				p.Arches = append(p.Arches, a)
			}
		}
		if len(p.Arches) == 0 {
			return fault(koji.GenericError, "tag %s has no arches: set them with edit-tag --arches", p.TagName)
		}
		builds, err := readTaggedBuilds(tx, taggedQuery{TagID: p.TagID, Event: &ev, Inherit: true, Latest: 1})
		if err != nil {
			return err
		}
		if len(builds) > 0 {
			args := make([]any, len(builds))
			for i, b := range builds {
				args[i] = b.ID
			}
			rows, err := tx.Query(`SELECT r.id, r.build_id, r.name, r.version, r.release, r.epoch, r.arch, r.size, r.buildtime, r.payloadhash,
				p.name, b.version, b.release FROM rpminfo r JOIN build b ON b.id = r.build_id JOIN package p ON p.id = b.pkg_id
				WHERE r.build_id IN (`+placeholders(len(args))+`) ORDER BY r.name, r.arch`, args...)
			if err != nil {
				return err
			}
			for rows.Next() {
				var r rpmRow
				if err := rows.Scan(&r.id, &r.buildID, &r.name, &r.version, &r.release, &r.epoch, &r.arch, &r.size, &r.buildtime, &r.payload,
					&r.bname, &r.bver, &r.brel); err != nil {
					rows.Close()
					return err
				}
				rpms = append(rpms, r)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
		}
		tid := p.TagID
		pl, err := readPackageList(tx, pkgQuery{TagID: &tid, Event: &ev, Inherit: true, WithBlock: true})
		if err != nil {
			return err
		}
		for _, e := range pl {
			if e.Blocked {
				p.Blocked = append(p.Blocked, e.PackageName)
			}
		}
		sort.Strings(p.Blocked)
		p.External, err = readTagExternalReposInherited(tx, p.TagID, &ev)
		if err != nil {
			return err
		}
		groups, err = readCompsGroups(tx, p.TagID, &ev)
		if err != nil {
			return err
		}
		ob, _ := json.Marshal(opts)
		cb, _ := json.Marshal(custom)
		now := tx.NowTS()
		p.ID, err = tx.Insert(`INSERT INTO repo (creation_time, create_event, state_time, tag_id, state, dist, opts, custom_opts, task_id)
			VALUES (?, ?, ?, ?, 0, 0, ?, ?, ?)`, now, ev, now, p.TagID, string(ob), string(cb), taskID)
		return err
	})
	if err != nil {
		return nil, err
	}
	p.Dir = ho.h.repoDir(p.TagName, p.ID)
	fail := func(err error) (*RepoPlan, error) {
		_ = ho.RepoProblem(context.WithoutCancel(ctx), p.ID)
		_ = os.RemoveAll(p.Dir)
		return nil, fmt.Errorf("writing repo %d of %s: %w", p.ID, p.TagName, err)
	}
	archSet := map[string]bool{}
	for _, a := range p.Arches {
		archSet[a] = true
	}
	jsonl := map[string]*bytes.Buffer{}
	for _, a := range p.Arches {
		jsonl[a] = &bytes.Buffer{}
	}
	for _, r := range rpms {
		var targets []string
		switch {
		case r.arch == "src" || r.arch == "nosrc":
			if opts.Src || opts.SeparateSrc {
				targets = p.Arches
			}
		case isDebugPkg(r.name) && !opts.Debuginfo:
		case r.arch == "noarch":
			targets = p.Arches
		case archSet[canonArch(r.arch)]:
			targets = []string{canonArch(r.arch)}
		}
		line := fmt.Sprintf("toplink/packages/%s/%s/%s/%s/%s-%s-%s.%s.rpm", r.bname, r.bver, r.brel, r.arch, r.name, r.version, r.release, r.arch)
		var ep any
		if r.epoch.Valid {
			ep = r.epoch.Int64
		}
		js, _ := json.Marshal(map[string]any{"id": r.id, "build_id": r.buildID, "name": r.name, "version": r.version,
			"release": r.release, "epoch": ep, "arch": r.arch, "payloadhash": r.payload, "size": r.size, "buildtime": r.buildtime,
			"external_repo_id": 0, "external_repo_name": "INTERNAL"})
		for _, a := range targets {
			p.Packages[a] = append(p.Packages[a], line)
			jsonl[a].Write(js)
			jsonl[a].WriteByte('\n')
		}
	}
	if err := os.MkdirAll(p.Dir, 0o755); err != nil {
		return fail(err)
	}
	rj, _ := json.MarshalIndent(map[string]any{"id": p.ID, "tag": p.TagName, "tag_id": p.TagID, "task_id": taskID,
		"event_id": p.Event, "opts": opts, "custom_opts": custom, "with_src": opts.Src,
		"with_separate_src": opts.SeparateSrc, "with_debuginfo": opts.Debuginfo}, "", "  ")
	if err := os.WriteFile(filepath.Join(p.Dir, "repo.json"), append(rj, '\n'), 0o644); err != nil {
		return fail(err)
	}
	if len(groups) > 0 {
		p.CompsFile = filepath.Join(p.Dir, "groups", "comps.xml")
		if err := os.MkdirAll(filepath.Dir(p.CompsFile), 0o755); err != nil {
			return fail(err)
		}
		if err := os.WriteFile(p.CompsFile, compsXML(groups), 0o644); err != nil {
			return fail(err)
		}
	}
	for _, a := range p.Arches {
		ad := filepath.Join(p.Dir, a)
		if err := os.MkdirAll(ad, 0o755); err != nil {
			return fail(err)
		}
		rel, _ := filepath.Rel(ad, ho.h.TopDir())
		if err := os.Symlink(rel, filepath.Join(ad, "toplink")); err != nil {
			return fail(err)
		}
		sort.Strings(p.Packages[a])
		if err := writeLines(filepath.Join(ad, "pkglist"), p.Packages[a]); err != nil {
			return fail(err)
		}
		if err := os.WriteFile(filepath.Join(ad, "rpmlist.jsonl"), jsonl[a].Bytes(), 0o644); err != nil {
			return fail(err)
		}
		if err := writeLines(filepath.Join(ad, "blocklist"), p.Blocked); err != nil {
			return fail(err)
		}
	}
	return p, nil
}

func writeLines(path string, lines []string) error {
	var b strings.Builder
	for _, l := range lines {
		b.WriteString(l)
		b.WriteByte('\n')
	}
	return os.WriteFile(path, []byte(b.String()), 0o644)
}

// readTagExternalReposInherited is getExternalRepoList: the external repos
// of the tag and its ancestors, the first occurrence of a repo winning, by
// priority within each tag, in inheritance order.
func readTagExternalReposInherited(tx *store.Tx, tagID int64, ev *int64) ([]koji.TagExternalRepo, error) {
	order, err := readFullInheritance(tx, tagID, ev, false)
	if err != nil {
		return nil, err
	}
	tags := []int64{tagID}
	for _, l := range order {
		tags = append(tags, l.ParentID)
	}
	var out []koji.TagExternalRepo
	seen := map[int]bool{}
	prioSeen := map[int]bool{}
	for _, t := range tags {
		rs, err := readTagExternalRepos(tx, ` AND x.tag_id = ?`, ev, t)
		if err != nil {
			return nil, err
		}
		sort.Slice(rs, func(i, j int) bool { return rs[i].Priority < rs[j].Priority })
		for _, r := range rs {
			if seen[r.ExternalRepoID] || prioSeen[r.Priority] {
				continue
			}
			seen[r.ExternalRepoID] = true
			prioSeen[r.Priority] = true
			out = append(out, r)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Priority < out[j].Priority })
	return out, nil
}

type compsGroup struct {
	Name, DisplayName, Description string
	Default, UserVisible           bool
	Packages                       []compsPkg
}

type compsPkg struct {
	Name, Type string
}

// readCompsGroups reads the tag's groups through inheritance (first
// definition of a group wins; blocked groups and packages dropped).
func readCompsGroups(tx *store.Tx, tagID int64, ev *int64) ([]compsGroup, error) {
	order, err := readFullInheritance(tx, tagID, ev, false)
	if err != nil {
		return nil, err
	}
	tags := []int64{tagID}
	for _, l := range order {
		tags = append(tags, l.ParentID)
	}
	gcond, gargs := store.ActiveAt("gc", ev)
	pcond, pargs := store.ActiveAt("gp", ev)
	byName := map[string]*compsGroup{}
	blocked := map[string]bool{}
	var names []string
	pkgSeen := map[string]map[string]bool{}
	for _, t := range tags {
		rows, err := tx.Query(`SELECT g.id, g.name, gc.display_name, coalesce(gc.description, ''), coalesce(gc.is_default, 0),
			coalesce(gc.uservisible, 1), gc.blocked FROM group_config gc JOIN groups g ON g.id = gc.group_id WHERE `+gcond+` AND gc.tag_id = ?`,
			append(append([]any{}, gargs...), t)...)
		if err != nil {
			return nil, err
		}
		type gid struct {
			id   int64
			name string
		}
		var here []gid
		for rows.Next() {
			var g compsGroup
			var id int64
			var bl bool
			if err := rows.Scan(&id, &g.Name, &g.DisplayName, &g.Description, &g.Default, &g.UserVisible, &bl); err != nil {
				rows.Close()
				return nil, err
			}
			if _, ok := byName[g.Name]; ok || blocked[g.Name] {
				here = append(here, gid{id, g.Name})
				continue
			}
			if bl {
				blocked[g.Name] = true
				continue
			}
			gg := g
			byName[g.Name] = &gg
			names = append(names, g.Name)
			pkgSeen[g.Name] = map[string]bool{}
			here = append(here, gid{id, g.Name})
		}
		rows.Close()
		for _, g := range here {
			grp := byName[g.name]
			if grp == nil {
				continue
			}
			prow, err := tx.Query(`SELECT gp.package, gp.type, gp.blocked FROM group_package_listing gp WHERE `+pcond+` AND gp.tag_id = ? AND gp.group_id = ? ORDER BY gp.package`,
				append(append([]any{}, pargs...), t, g.id)...)
			if err != nil {
				return nil, err
			}
			for prow.Next() {
				var name, typ string
				var bl bool
				if err := prow.Scan(&name, &typ, &bl); err != nil {
					prow.Close()
					return nil, err
				}
				if pkgSeen[g.name][name] {
					continue
				}
				pkgSeen[g.name][name] = true
				if !bl {
					grp.Packages = append(grp.Packages, compsPkg{Name: name, Type: typ})
				}
			}
			prow.Close()
		}
	}
	sort.Strings(names)
	out := make([]compsGroup, 0, len(names))
	for _, n := range names {
		out = append(out, *byName[n])
	}
	return out, nil
}

func xmlEsc(s string) string {
	var b bytes.Buffer
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

// compsXML writes the groups as Koji's generate_comps does.
func compsXML(groups []compsGroup) []byte {
	var b bytes.Buffer
	b.WriteString("<?xml version=\"1.0\"?>\n<!DOCTYPE comps PUBLIC \"-//Red Hat, Inc.//DTD Comps info//EN\" \"comps.dtd\">\n\n<!-- Auto-generated by the build system -->\n<comps>\n")
	for _, g := range groups {
		fmt.Fprintf(&b, "  <group>\n    <id>%s</id>\n    <name>%s</name>\n    <description>%s</description>\n    <default>%t</default>\n    <uservisible>%t</uservisible>\n",
			xmlEsc(g.Name), xmlEsc(g.DisplayName), xmlEsc(g.Description), g.Default, g.UserVisible)
		b.WriteString("    <packagelist>\n")
		for _, p := range g.Packages {
			typ := p.Type
			if typ == "" {
				typ = "mandatory"
			}
			fmt.Fprintf(&b, "      <packagereq type=\"%s\">%s</packagereq>\n", xmlEsc(typ), xmlEsc(p.Name))
		}
		b.WriteString("    </packagelist>\n  </group>\n")
	}
	b.WriteString("</comps>\n")
	return b.Bytes()
}

// RepoDone sets an INIT repo READY and points repos/<tag>/latest at it (a
// repo with the tag's default options and the newest content), as Koji's
// host.repoDone does, and gives it to
// the waiting repo requests it satisfies (repo_done_hook).
func (ho *Host) RepoDone(ctx context.Context, p *RepoPlan) error {
	link := false
	err := ho.h.db.Write(ctx, func(tx *store.Tx) error {
		res, err := tx.Exec(`UPDATE repo SET state = 1, state_time = ? WHERE id = ? AND state = 0`, tx.NowTS(), p.ID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return fault(koji.GenericError, "repo %d is not in the INIT state", p.ID)
		}
		// Koji's symlink_if_latest: a repo with the tag's default options
		// (no custom_opts), unless a ready one of newer content exists (a
		// repo of an older event, for an at_event request, is not latest)
		var newer int
		if err := tx.QueryRow(`SELECT count(*) FROM repo r WHERE r.tag_id = (SELECT tag_id FROM repo WHERE id = ?) AND r.state = 1
			AND r.dist = 0 AND coalesce(r.custom_opts, '{}') = '{}' AND r.create_event > (SELECT create_event FROM repo WHERE id = ?)`,
			p.ID, p.ID).Scan(&newer); err != nil {
			return err
		}
		var custom sql.NullString
		if err := tx.QueryRow(`SELECT custom_opts FROM repo WHERE id = ?`, p.ID).Scan(&custom); err != nil {
			return err
		}
		link = newer == 0 && (!custom.Valid || custom.String == "{}" || custom.String == "")
		return fulfilRequests(tx, p.ID)
	})
	if err != nil || !link {
		return err
	}
	return pointLatest(filepath.Dir(p.Dir), p.ID)
}

// pointLatest points the tag's repos/<tag>/latest symlink at repo id,
// unless it already names a newer repo. Several processes may finish repos
// of one tag at once, so the new link is made under a name of its own and
// renamed over the old one (atomic for readers), under a lock on
// repos/<tag>/.latest.lock so that the newest repo always wins.
func pointLatest(tagDir string, id int64) error {
	lock, err := os.OpenFile(filepath.Join(tagDir, ".latest.lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return err
	}
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		return fmt.Errorf("lock %s: %w", lock.Name(), err)
	}
	defer syscall.Flock(int(lock.Fd()), syscall.LOCK_UN)
	latest := filepath.Join(tagDir, "latest")
	if cur, err := os.Readlink(latest); err == nil {
		if n, err := strconv.ParseInt(cur, 10, 64); err == nil && n >= id {
			return nil
		}
	}
	tmp := fmt.Sprintf("%s.tmp-%d-%d", latest, id, os.Getpid())
	_ = os.Remove(tmp)
	if err := os.Symlink(fmt.Sprint(id), tmp); err != nil {
		return err
	}
	if err := os.Rename(tmp, latest); err != nil {
		_ = os.Remove(tmp)
		return err
	}
	return nil
}

// RepoProblem sets a repo PROBLEM.
func (ho *Host) RepoProblem(ctx context.Context, id int64) error {
	return ho.h.db.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.Exec(`UPDATE repo SET state = 4, state_time = ? WHERE id = ? AND state IN (0, 1)`, tx.NowTS(), id)
		return err
	})
}

// autoRegenKey is the hub setting that turns kojira's automatic
// regeneration off ("off").
const autoRegenKey = "kojira.auto_regen"

// AutoRegen reports whether repos are regenerated automatically after tag
// changes (on unless turned off with SetAutoRegen).
func (h *Hub) AutoRegen(ctx context.Context) (bool, error) {
	var v string
	err := h.db.Read(ctx, func(tx *store.Tx) error {
		var err error
		v, err = tx.Setting(autoRegenKey)
		return err
	})
	return v != "off", err
}

// SetAutoRegen turns automatic repo regeneration on or off (a hub setting,
// seen by every process that opens the hub).
func (h *Hub) SetAutoRegen(ctx context.Context, on bool) error {
	v := "on"
	if !on {
		v = "off"
	}
	return h.db.Write(ctx, func(tx *store.Tx) error { return tx.SetSetting(autoRegenKey, v) })
}

// StaleTag is a build tag whose newest repo is older than its last change.
type StaleTag struct {
	TagID int64
	Name  string
	// LastChange is the event of the tag's (or an ancestor's) last change,
	// and ChangeTime its time.
	LastChange int64
	ChangeTime time.Time
	// RepoEvent is the create event of the newest repo (0 when none).
	RepoEvent int64
}

var changeTables = []string{"tag_listing", "tag_config", "tag_extra", "tag_packages", "tag_external_repos",
	"group_config", "group_package_listing", "group_req_listing", "tag_inheritance"}

// tagLastChange is tagLastChangeEvent(tag, inherit=True): the newest
// create or revoke event of the tag's data or its ancestors'.
func tagLastChange(tx *store.Tx, tagID int64) (int64, error) {
	order, err := readFullInheritance(tx, tagID, nil, false)
	if err != nil {
		return 0, err
	}
	tags := []any{tagID}
	for _, l := range order {
		tags = append(tags, l.ParentID)
	}
	ph := placeholders(len(tags))
	var best int64
	for _, t := range changeTables {
		var c, r sql.NullInt64
		q := `SELECT max(create_event), max(revoke_event) FROM ` + t + ` WHERE tag_id IN (` + ph + `)`
		if err := tx.QueryRow(q, tags...).Scan(&c, &r); err != nil {
			return 0, fmt.Errorf("reading the last change of tag %d (%s): %w", tagID, t, err)
		}
		best = max(best, c.Int64, r.Int64)
	}
	var u sql.NullInt64
	if err := tx.QueryRow(`SELECT max(update_event) FROM tag_updates WHERE tag_id IN (`+ph+`)`, tags...).Scan(&u); err != nil {
		return 0, err
	}
	return max(best, u.Int64), nil
}

// failedRegenRetry is how long kojira waits before it tries again to
// regenerate a build tag whose last regeneration failed, when the tag has
// not changed since (a change, or regen-repo, asks at once).
const failedRegenRetry = 10 * time.Minute

// StaleBuildTags returns the build tags of the build targets whose newest
// INIT or READY repo (if any) was created before the tag's last change and
// for which no newRepo task is pending (kojira's regeneration check), leaving
// out for failedRegenRetry those whose regeneration failed since.
func (ho *Host) StaleBuildTags(ctx context.Context) ([]StaleTag, error) {
	var out []StaleTag
	err := ho.h.db.Read(ctx, func(tx *store.Tx) error {
		pending := map[string]bool{}
		rows, err := tx.Query(`SELECT request FROM task WHERE method = 'newRepo' AND state IN (0, 1, 4)`)
		if err != nil {
			return err
		}
		for rows.Next() {
			var req string
			if err := rows.Scan(&req); err != nil {
				rows.Close()
				return err
			}
			if _, ps, err := xmlrpc.DecodeCallBytes([]byte(req)); err == nil && len(ps) > 0 {
				if s, ok := ps[0].(string); ok {
					pending[s] = true
				}
			}
		}
		rows.Close()
		trows, err := tx.Query(`SELECT DISTINCT t.id, t.name FROM build_target_config c JOIN tag t ON t.id = c.build_tag WHERE c.active = 1 ORDER BY t.id`)
		if err != nil {
			return err
		}
		type tg struct {
			id   int64
			name string
		}
		var tags []tg
		for trows.Next() {
			var x tg
			if err := trows.Scan(&x.id, &x.name); err != nil {
				trows.Close()
				return err
			}
			tags = append(tags, x)
		}
		trows.Close()
		for _, t := range tags {
			if pending[t.name] {
				continue
			}
			last, err := tagLastChange(tx, t.id)
			if err != nil {
				return err
			}
			var re sql.NullInt64
			if err := tx.QueryRow(`SELECT max(create_event) FROM repo WHERE tag_id = ? AND dist = 0 AND state IN (0, 1)`, t.id).Scan(&re); err != nil {
				return err
			}
			if re.Valid && re.Int64 >= last {
				continue
			}
			// A regeneration that failed since the last change (a PROBLEM
			// repo) is retried only after failedRegenRetry: at every pass
			// an unreachable external repo made another failing task, and
			// an in-process command waiting for the engine never ended.
			var pe sql.NullInt64
			var pt sql.NullFloat64
			if err := tx.QueryRow(`SELECT create_event, state_time FROM repo WHERE tag_id = ? AND dist = 0 AND state = 4
				ORDER BY create_event DESC LIMIT 1`, t.id).Scan(&pe, &pt); err != nil && !errors.Is(err, sql.ErrNoRows) {
				return err
			}
			if pe.Valid && pe.Int64 >= last && tx.NowTS()-pt.Float64 < failedRegenRetry.Seconds() {
				continue
			}
			var et float64
			_ = tx.QueryRow(`SELECT time FROM events WHERE id = ?`, last).Scan(&et)
			out = append(out, StaleTag{TagID: t.id, Name: t.name, LastChange: last, ChangeTime: tsTime(et), RepoEvent: re.Int64})
		}
		return nil
	})
	return out, err
}

// NewRepoTask creates a newRepo task for tag owned by the local user (as
// kojira's requests are).
func (ho *Host) NewRepoTask(ctx context.Context, tag string) (int64, error) {
	id, err := ho.h.NewRepo(ctx, koji.ByName(tag), koji.NewRepoOpts{})
	return int64(id), err
}

// ExpireRepos is kojira's pruning: a READY repo with a newer READY repo of
// the same tag and options becomes EXPIRED; EXPIRED and PROBLEM repos whose
// state changed more than lifetime ago become DELETED, and their
// directories are returned for removal (the newest READY repo of a tag is
// never touched).
func (ho *Host) ExpireRepos(ctx context.Context, lifetime time.Duration) ([]string, error) {
	var dirs []string
	err := ho.h.db.Write(ctx, func(tx *store.Tx) error {
		dirs = nil
		now := tx.NowTS()
		if _, err := tx.Exec(`UPDATE repo SET state = 2, state_time = ? WHERE state = 1 AND EXISTS
			(SELECT 1 FROM repo n WHERE n.tag_id = repo.tag_id AND n.state = 1 AND n.dist = repo.dist
				AND coalesce(n.opts, '') = coalesce(repo.opts, '') AND n.create_event > repo.create_event)`, now); err != nil {
			return err
		}
		cut := now - lifetime.Seconds()
		rows, err := tx.Query(`SELECT r.id, t.name FROM repo r JOIN tag t ON t.id = r.tag_id WHERE r.state IN (2, 4) AND r.state_time <= ?`, cut)
		if err != nil {
			return err
		}
		var ids []int64
		for rows.Next() {
			var id int64
			var tag string
			if err := rows.Scan(&id, &tag); err != nil {
				rows.Close()
				return err
			}
			ids = append(ids, id)
			dirs = append(dirs, ho.h.repoDir(tag, id))
		}
		rows.Close()
		for _, id := range ids {
			if _, err := tx.Exec(`UPDATE repo SET state = 3, state_time = ? WHERE id = ?`, now, id); err != nil {
				return err
			}
		}
		return nil
	})
	return dirs, err
}

// RepoDirsInState returns the directories of the repos in the given states.
func (ho *Host) RepoDirsInState(ctx context.Context, states ...koji.RepoState) (map[int64]string, error) {
	out := map[int64]string{}
	err := ho.h.db.Read(ctx, func(tx *store.Tx) error {
		args := make([]any, len(states))
		for i, s := range states {
			args[i] = int(s)
		}
		rows, err := tx.Query(`SELECT r.id, t.name FROM repo r JOIN tag t ON t.id = r.tag_id WHERE r.state IN (`+placeholders(len(states))+`)`, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			var tag string
			if err := rows.Scan(&id, &tag); err != nil {
				return err
			}
			out[id] = ho.h.repoDir(tag, id)
		}
		return rows.Err()
	})
	return out, err
}

// TagLastChange is tagLastChangeEvent(tag, inherit=True) for a tag name.
func (ho *Host) TagLastChange(ctx context.Context, tag string) (int64, error) {
	var ev int64
	err := ho.h.db.Read(ctx, func(tx *store.Tx) error {
		id, _, err := mustTag(tx, koji.ByName(tag))
		if err != nil {
			return err
		}
		ev, err = tagLastChange(tx, id)
		return err
	})
	return ev, err
}

// PendingNewRepo returns the newest FREE or OPEN newRepo task of tag, 0 when
// there is none.
func (ho *Host) PendingNewRepo(ctx context.Context, tag string) (int64, error) {
	var out int64
	err := ho.h.db.Read(ctx, func(tx *store.Tx) error {
		rows, err := tx.Query(`SELECT id, request FROM task WHERE method = 'newRepo' AND state IN (0, 1, 4) ORDER BY id DESC`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			var req string
			if err := rows.Scan(&id, &req); err != nil {
				return err
			}
			if _, ps, err := xmlrpc.DecodeCallBytes([]byte(req)); err == nil && len(ps) > 0 {
				if s, ok := ps[0].(string); ok && s == tag {
					out = id
					return nil
				}
			}
		}
		return rows.Err()
	})
	return out, err
}

// CheckRepoQueue is kojira's repo.checkQueue (Koji's check_repo_queue): a
// waiting repo request whose newRepo task closed gets the task's repo (when
// it satisfies the request), one whose task failed or was cancelled is
// tried again (up to RepoRetries times, then made inactive), and requests
// without a task get one (MaxRepoTasks at most running). It returns the
// tasks it created.
func (ho *Host) CheckRepoQueue(ctx context.Context) ([]int64, error) {
	var out []int64
	err := ho.h.db.Write(ctx, func(tx *store.Tx) error {
		var err error
		out, err = checkRepoQueue(tx)
		return err
	})
	return out, err
}

func checkRepoQueue(tx *store.Tx) ([]int64, error) {
	rows, err := tx.Query(queueSelect + ` WHERE q.repo_id IS NULL AND q.active = 1 ORDER BY q.priority, q.id`)
	if err != nil {
		return nil, err
	}
	var waiting []*RepoRequest
	for rows.Next() {
		r, err := scanRequest(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		waiting = append(waiting, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	now := tx.NowTS()
	updated := false
	nTasks := 0
	for _, req := range waiting {
		if req.TaskID == nil {
			continue
		}
		retry := false
		switch {
		case req.TaskState != nil && *req.TaskState == koji.TaskClosed:
			repo, err := repoOfTask(tx, int64(*req.TaskID))
			if err != nil {
				return nil, err
			}
			if repo != nil && requestSatisfied(req, repo) {
				if _, err := tx.Exec(`UPDATE repo_queue SET repo_id = ?, active = 0, update_time = ? WHERE id = ?`, repo.ID, now, req.ID); err != nil {
					return nil, err
				}
				updated = true
				req.RepoID = &repo.ID
			} else {
				retry = true
			}
		case req.TaskState != nil && (*req.TaskState == koji.TaskFailed || *req.TaskState == koji.TaskCanceled):
			retry = true
		default:
			nTasks++
		}
		if retry {
			updated = true
			if req.Tries > repoRetries {
				if _, err := tx.Exec(`UPDATE repo_queue SET active = 0, update_time = ? WHERE id = ?`, now, req.ID); err != nil {
					return nil, err
				}
				req.Active = false
			} else {
				if _, err := tx.Exec(`UPDATE repo_queue SET task_id = NULL, update_time = ? WHERE id = ?`, now, req.ID); err != nil {
					return nil, err
				}
				req.TaskID = nil
			}
		}
	}
	var created []int64
	for _, req := range waiting {
		if req.TaskID != nil || req.RepoID != nil || !req.Active {
			continue
		}
		if nTasks >= maxRepoTasks {
			break
		}
		id, isNew, err := repoQueueTask(tx, req)
		if err != nil {
			return nil, err
		}
		nTasks++
		if isNew {
			created = append(created, id)
		}
		if _, err := tx.Exec(`UPDATE repo_queue SET task_id = ?, tries = tries + 1, update_time = ? WHERE id = ?`, id, now, req.ID); err != nil {
			return nil, err
		}
		updated = true
	}
	if updated {
		if _, err := tx.Exec(`DELETE FROM repo_queue WHERE active = 0 AND update_time < ?`, now-requestCleanTime.Seconds()); err != nil {
			return nil, err
		}
	}
	return created, nil
}

// repoOfTask is Koji's get_repo_from_task: the repo of a closed newRepo
// task's result [repo_id, event_id].
func repoOfTask(tx *store.Tx, taskID int64) (*koji.Repo, error) {
	var res sql.NullString
	if err := tx.QueryRow(`SELECT result FROM task WHERE id = ?`, taskID).Scan(&res); err != nil {
		return nil, err
	}
	v, err := xmlrpc.DecodeResponseBytes([]byte(res.String))
	if err != nil {
		return nil, nil
	}
	l, _ := v.([]any)
	if len(l) == 0 {
		return nil, nil
	}
	id, ok := xmlrpc.Int(l[0])
	if !ok {
		return nil, nil
	}
	r, err := scanRepo(tx.QueryRow(repoSelect+` WHERE r.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return r, err
}

// repoQueueTask is Koji's repo_queue_task: the newRepo task of a request,
// with the tag's default options overridden by the request's (and its
// at_event), owned by the request's owner. A FREE newRepo task with the
// same request (kojira's, say) is taken instead of making a second one.
func repoQueueTask(tx *store.Tx, req *RepoRequest) (id int64, isNew bool, err error) {
	opts, err := tagRepoDefaults(tx, int64(req.TagID))
	if err != nil {
		return 0, false, err
	}
	for k, v := range req.Opts {
		if repoOptNames[k] {
			opts[k] = truthy(v)
		}
	}
	kw := map[string]any{}
	for _, k := range []string{"src", "debuginfo", "separate_src"} {
		if opts[k] {
			kw[k] = true
		}
	}
	if req.AtEvent != nil {
		kw["event"] = int64(*req.AtEvent)
	}
	params := []any{req.TagName}
	if len(kw) > 0 {
		params = append(params, xmlrpc.Kwargs(kw))
	}
	var enc bytes.Buffer
	if err := xmlrpc.EncodeCall(&enc, "newRepo", params...); err != nil {
		return 0, false, err
	}
	err = tx.QueryRow(`SELECT id FROM task WHERE method = 'newRepo' AND state = 0 AND request = ? ORDER BY id LIMIT 1`, enc.String()).Scan(&id)
	if err == nil {
		return id, false, nil
	} else if !errors.Is(err, sql.ErrNoRows) {
		return 0, false, err
	}
	id, err = makeTask(tx, taskSpec{Method: "newRepo", Params: params, Owner: int64(req.Owner), Priority: 15,
		Arch: "noarch", Channel: "createrepo", Weight: 0.1})
	return id, true, err
}
