package hub

import (
	"context"
	"database/sql"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/osg-htc/osg-build-go/pkg/hub/store"
	"github.com/osg-htc/osg-build-go/pkg/koji"
	"github.com/osg-htc/osg-build-go/pkg/rpm"
)

// The koji CLI's admin and occasional calls (remove-tag, edit-target,
// remove-target, remove-external-repo, list-untagged, search, rpminfo,
// clone-tag, download-logs). They are *Hub methods reached by name (Call), not part of
// koji.Hub: the pipeline does not need them, osg-koji's verbs call them by
// their Koji names on any hub.

// DeleteTag is deleteTag(tagInfo) (tag permission): every versioned row
// of the tag is revoked, as Koji does; the tag's own row stays (revoked
// rows refer to it) and a new tag of that name reuses it.
func (h *Hub) DeleteTag(ctx context.Context, tag koji.Ref) error {
	return h.tagWrite(ctx, tag, func(tx *store.Tx, c *Caller, tid int64, _ string) error {
		for _, tc := range [][2]string{{"tag_config", "tag_id"}, {"tag_extra", "tag_id"}, {"tag_inheritance", "tag_id"},
			{"tag_inheritance", "parent_id"}, {"build_target_config", "build_tag"}, {"build_target_config", "dest_tag"},
			{"tag_listing", "tag_id"}, {"tag_packages", "tag_id"}, {"tag_package_owners", "tag_id"},
			{"tag_external_repos", "tag_id"}, {"group_config", "tag_id"}, {"group_req_listing", "tag_id"},
			{"group_package_listing", "tag_id"}} {
			if _, err := tx.Revoke(tc[0], c.UserID, tc[1]+" = ?", tid); err != nil {
				return err
			}
		}
		return nil
	})
}

// targetWrite runs fn for a caller with the target permission on an
// existing target.
func (h *Hub) targetWrite(ctx context.Context, target koji.Ref, fn func(tx *store.Tx, c *Caller, t koji.BuildTarget) error) error {
	return h.write(ctx, func(tx *store.Tx) error {
		c, err := h.caller(ctx, tx)
		if err != nil {
			return err
		}
		if err := h.assertPerm(tx, c, "target"); err != nil {
			return err
		}
		var ts []koji.BuildTarget
		if target.IsID() {
			ts, err = readTargets(tx, ` AND bt.id = ?`, nil, target.ID)
		} else {
			ts, err = readTargets(tx, ` AND bt.name = ?`, nil, target.Name)
		}
		if err != nil {
			return err
		}
		if len(ts) == 0 {
			return fault(koji.GenericError, "No such build target: %v", target.Value())
		}
		return fn(tx, c, ts[0])
	})
}

// EditBuildTarget is editBuildTarget(buildTargetInfo, name, build_tag,
// dest_tag) (target permission); a new name renames the target.
func (h *Hub) EditBuildTarget(ctx context.Context, target koji.Ref, name string, buildTag, destTag koji.Ref) error {
	return h.targetWrite(ctx, target, func(tx *store.Tx, c *Caller, t koji.BuildTarget) error {
		bt, _, err := activeTag(tx, buildTag)
		if err != nil {
			return err
		}
		if bt == 0 {
			return fault(koji.GenericError, "build tag '%v' does not exist", buildTag.Value())
		}
		dt, _, err := activeTag(tx, destTag)
		if err != nil {
			return err
		}
		if dt == 0 {
			return fault(koji.GenericError, "destination tag '%v' does not exist", destTag.Value())
		}
		if name != t.Name {
			var other int64
			err := tx.QueryRow(`SELECT id FROM build_target WHERE name = ?`, name).Scan(&other)
			if err == nil {
				return fault(koji.GenericError, "name \"%s\" is already taken by build target %d", name, other)
			}
			if _, err := tx.Exec(`UPDATE build_target SET name = ? WHERE id = ?`, name, t.ID); err != nil {
				return err
			}
		}
		if _, err := tx.Revoke("build_target_config", c.UserID, "build_target_id = ?", t.ID); err != nil {
			return err
		}
		return tx.InsertVersioned("build_target_config", c.UserID, []string{"build_target_id", "build_tag", "dest_tag"}, []any{t.ID, bt, dt})
	})
}

// DeleteBuildTarget is deleteBuildTarget(buildTargetInfo) (target
// permission).
func (h *Hub) DeleteBuildTarget(ctx context.Context, target koji.Ref) error {
	return h.targetWrite(ctx, target, func(tx *store.Tx, c *Caller, t koji.BuildTarget) error {
		_, err := tx.Revoke("build_target_config", c.UserID, "build_target_id = ?", t.ID)
		return err
	})
}

// activeTag is tagID for a tag that has not been deleted (0 otherwise).
func activeTag(tx *store.Tx, r koji.Ref) (int64, string, error) {
	id, name, err := tagID(tx, r)
	if err != nil || id == 0 {
		return 0, "", err
	}
	t, err := readTag(tx, id, nil)
	if err != nil || t == nil {
		return 0, "", err
	}
	return id, name, nil
}

// RemoveExternalRepoFromTag is removeExternalRepoFromTag(tag_info,
// repo_info) (tag permission).
func (h *Hub) RemoveExternalRepoFromTag(ctx context.Context, tag, repo koji.Ref) error {
	return h.tagWrite(ctx, tag, func(tx *store.Tx, c *Caller, tid int64, tname string) error {
		w, a := extRepoWhere(repo)
		rs, err := readExternalRepos(tx, w, nil, a...)
		if err != nil {
			return err
		}
		if len(rs) == 0 {
			return fault(koji.GenericError, "No such repo: %v", repo.Value())
		}
		n, err := tx.Revoke("tag_external_repos", c.UserID, "tag_id = ? AND external_repo_id = ?", tid, rs[0].ID)
		if err != nil {
			return err
		}
		if n == 0 {
			return fault(koji.GenericError, "external repo %s not associated with tag %s", rs[0].Name, tname)
		}
		return nil
	})
}

// UntaggedBuild is one answer of untaggedBuilds.
type UntaggedBuild struct {
	ID      int    `xmlrpc:"id" json:"id"`
	Name    string `xmlrpc:"name" json:"name"`
	Version string `xmlrpc:"version" json:"version"`
	Release string `xmlrpc:"release" json:"release"`
}

// UntaggedBuilds is untaggedBuilds(name=None, queryOpts=None, draft=None):
// the complete builds in no tag now.
func (h *Hub) UntaggedBuilds(ctx context.Context, name string, draft *bool) ([]UntaggedBuild, error) {
	out := []UntaggedBuild{}
	err := h.read(ctx, func(tx *store.Tx) error {
		q := `SELECT b.id, p.name, b.version, b.release FROM build b JOIN package p ON p.id = b.pkg_id
			WHERE b.state = 1 AND NOT EXISTS (SELECT 1 FROM tag_listing l WHERE l.build_id = b.id AND l.active = 1)`
		var args []any
		if name != "" {
			q += ` AND p.name = ?`
			args = append(args, name)
		}
		if draft != nil {
			q += ` AND b.draft = ?`
			args = append(args, *draft)
		}
		rows, err := tx.Query(q+` ORDER BY b.id`, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var u UntaggedBuild
			if err := rows.Scan(&u.ID, &u.Name, &u.Version, &u.Release); err != nil {
				return err
			}
			out = append(out, u)
		}
		return rows.Err()
	})
	return out, err
}

// SearchResult is one answer of search.
type SearchResult struct {
	ID   int    `xmlrpc:"id" json:"id"`
	Name string `xmlrpc:"name" json:"name"`
}

// searchSQL are search's tables: the id and the searched name of each type.
var searchSQL = map[string]string{
	"package": `SELECT id, name FROM package`,
	"build":   `SELECT b.id, p.name || '-' || b.version || '-' || b.release FROM build b JOIN package p ON p.id = b.pkg_id`,
	"tag":     `SELECT t.id, t.name FROM tag t JOIN tag_config c ON c.tag_id = t.id AND c.active = 1`,
	"target":  `SELECT t.id, t.name FROM build_target t JOIN build_target_config c ON c.build_target_id = t.id AND c.active = 1`,
	"user":    `SELECT id, name FROM users`,
	"host":    `SELECT id, name FROM host`,
	"rpm":     `SELECT id, name || '-' || version || '-' || release || '.' || arch || '.rpm' FROM rpminfo`,
}

// Search is search(terms, type, matchType, queryOpts): glob and regexp
// match case-insensitively, anything else exactly, as Koji's. Koji's
// maven and win archives are not modelled here (empty); "file" is empty
// on Koji too.
func (h *Hub) Search(ctx context.Context, terms, typ, matchType string) ([]SearchResult, error) {
	if terms == "" {
		return nil, fault(koji.GenericError, "empty search terms")
	}
	out := []SearchResult{}
	if typ == "file" || typ == "maven" || typ == "win" {
		return out, nil
	}
	q, ok := searchSQL[typ]
	if !ok {
		return nil, fault(koji.GenericError, "No such search type: %s", typ)
	}
	var match func(string) bool
	switch matchType {
	case "glob":
		re, err := regexp.Compile("(?is)^" + globToRegexp(terms) + "$")
		if err != nil {
			return nil, fault(koji.GenericError, "invalid glob %q: %v", terms, err)
		}
		match = re.MatchString
	case "regexp":
		re, err := regexp.Compile("(?i)" + terms)
		if err != nil {
			return nil, fault(koji.GenericError, "invalid regular expression %q: %v", terms, err)
		}
		match = re.MatchString
	default:
		match = func(s string) bool { return s == terms }
	}
	err := h.read(ctx, func(tx *store.Tx) error {
		rows, err := tx.Query(q)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var r SearchResult
			if err := rows.Scan(&r.ID, &r.Name); err != nil {
				return err
			}
			if match(r.Name) {
				out = append(out, r)
			}
		}
		return rows.Err()
	})
	return out, err
}

// globToRegexp is a glob as Koji's search reads it (* any run, ? one
// character, everything else literal).
func globToRegexp(g string) string {
	var b strings.Builder
	for _, r := range g {
		switch r {
		case '*':
			b.WriteString(".*")
		case '?':
			b.WriteString(".")
		default:
			b.WriteString(regexp.QuoteMeta(string(r)))
		}
	}
	return b.String()
}

// GetRPMHeaders is getRPMHeaders(rpmID, taskID, filepath, headers,
// strict): fields of an RPM's header by rpm's names, read from the file.
// An RPM that is missing, external or of a deleted build answers {} unless
// strict; a field rpm has no name for is a fault either way.
func (h *Hub) GetRPMHeaders(ctx context.Context, rpmRef koji.Ref, taskID int, path string, headers []string, strict bool) (map[string]any, error) {
	var file string
	switch {
	case !rpmRef.IsZero():
		r, err := h.GetRPM(ctx, rpmRef, koji.GetRPMOpts{Strict: strict})
		if err != nil || r == nil {
			return map[string]any{}, err
		}
		if r.ExternalRepoID != 0 {
			if strict {
				return nil, fault(koji.GenericError, "External rpm: %d", r.ID)
			}
			return map[string]any{}, nil
		}
		b, err := h.GetBuild(ctx, koji.ByID(r.BuildID), koji.GetBuildOpts{Strict: true})
		if err != nil {
			return nil, err
		}
		if b.State == koji.BuildDeleted {
			if strict {
				return nil, fault(koji.GenericError, "Build %s is deleted", b.NVR)
			}
			return map[string]any{}, nil
		}
		file = filepath.Join(h.TopDir(), "packages", b.Name, b.Version, b.Release, rpmRelPath(r.Name, r.Version, r.Release, r.Arch))
	case taskID != 0:
		if path == "" {
			return nil, fault(koji.GenericError, "filepath must be specified with taskID")
		}
		if strings.HasPrefix(path, "/") || strings.Contains(path, "../") {
			return nil, fault(koji.GenericError, "Invalid filepath: %s", path)
		}
		file = filepath.Join(h.taskDir(taskID), path)
	default:
		return nil, fault(koji.GenericError, "either rpmID or taskID and filepath must be specified")
	}
	f, err := rpm.ReadFile(file)
	if err != nil {
		if strict {
			return nil, fault(koji.GenericError, "Missing rpm file: %s", file)
		}
		return map[string]any{}, nil
	}
	if headers == nil {
		headers = f.Header.HeaderFieldNames()
		sort.Strings(headers)
	}
	out := make(map[string]any, len(headers))
	for _, name := range headers {
		v, ok := f.Header.HeaderField(name)
		if !ok {
			return nil, fault(koji.GenericError, "No such rpm header field: %s", strings.ToUpper(name))
		}
		out[name] = v
	}
	return out, nil
}

// SnapshotTagOpts are snapshotTag's options (Koji's defaults: all true
// but Event and Force).
type SnapshotTagOpts struct {
	Config, Pkgs, Builds, Groups, LatestOnly, InheritBuilds bool
	Event                                                   *int64
	Force                                                   bool
}

// SnapshotTag is snapshotTag(src, dst, ...) (tag permission): a new tag
// dst with src's config, package list (inherited), builds (the latest,
// inherited ones by default) and comps groups, without inheritance or
// external repos, as Koji's. Everything happens in one transaction.
func (h *Hub) SnapshotTag(ctx context.Context, src koji.Ref, dst string, o SnapshotTagOpts) error {
	if o.Builds && !o.Pkgs {
		return fault(koji.ParameterError, "builds can't be used without pkgs in snapshotTag")
	}
	return h.write(ctx, func(tx *store.Tx) error {
		tctx := context.WithValue(ctx, txKey{}, tx)
		c, err := h.permCaller(ctx, tx, "tag")
		if err != nil {
			return err
		}
		if id, _, err := activeTag(tx, koji.ByName(dst)); err != nil {
			return err
		} else if id != 0 {
			return fault(koji.GenericError, "Target tag already exists")
		}
		st, err := liveTag(tx, src, o.Event)
		if err != nil {
			return err
		}
		sid := st.ID
		if st.Locked && !o.Force {
			return fault(koji.GenericError, "Source tag is locked, use force to copy")
		}
		co := koji.CreateTagOpts{}
		if o.Config {
			co = koji.CreateTagOpts{Locked: st.Locked, MavenSupport: st.MavenSupport, MavenIncludeAll: st.MavenIncludeAll, Extra: map[string]any{}}
			if st.Arches != nil {
				co.Arches = *st.Arches
			}
			if st.PermID != nil {
				co.Perm = koji.ByID(int(*st.PermID))
			}
			for k, v := range st.Extra {
				if !v.Blocked {
					co.Extra[k] = v.Value
				}
			}
		}
		did, err := h.CreateTag(tctx, dst, co)
		if err != nil {
			return err
		}
		d := koji.ByID(did)
		if o.Pkgs {
			ents, err := readPackageList(tx, pkgQuery{TagID: &sid, Event: o.Event, Inherit: true, WithOwners: true, WithBlock: true})
			if err != nil {
				return err
			}
			for _, e := range ents {
				if err := pkglistAdd(tx, c.UserID, int64(did), e.PackageID, e.OwnerID, e.Blocked, e.ExtraArches); err != nil {
					return err
				}
			}
		}
		if o.Builds {
			latest := 0
			if o.LatestOnly {
				latest = 1
			}
			bs, err := readTaggedBuilds(tx, taggedQuery{TagID: sid, Event: o.Event, Inherit: o.InheritBuilds, Latest: latest})
			if err != nil {
				return err
			}
			for i := len(bs) - 1; i >= 0; i-- { // oldest first, as Koji's massTag of the reversed list
				b := bs[i].buildRow
				if err := directTagBuild(tx, c.UserID, int64(did), dst, &b, true); err != nil {
					return err
				}
			}
		}
		if o.Groups {
			groups, err := h.GetTagGroups(tctx, koji.ByID(int(sid)), o.Event, true)
			if err != nil {
				return err
			}
			for _, g := range groups {
				name, _ := g["name"].(string)
				blocked, _ := g["blocked"].(bool)
				if err := h.GroupListAdd(tctx, d, name, GroupListAddOpts{Block: blocked, Force: true}); err != nil {
					return err
				}
				pl, _ := g["packagelist"].([]any)
				for _, p := range pl {
					pm, _ := p.(map[string]any)
					pn, _ := pm["package"].(string)
					pb, _ := pm["blocked"].(bool)
					if err := h.GroupPackageListAdd(tctx, d, name, pn, GroupPackageListAddOpts{Block: pb, Force: true}); err != nil {
						return err
					}
				}
			}
		}
		return nil
	})
}

// BuildLog is a row of getBuildLogs: a log file of a build, below
// packages/N/V/R/data/logs.
type BuildLog struct {
	Name string `xmlrpc:"name"` // the file name
	Dir  string `xmlrpc:"dir"`  // its directory below the log dir (the arch)
	Path string `xmlrpc:"path"` // its path below the topdir
}

// GetBuildLogs is getBuildLogs(build): the log files of a build, possibly
// none; symlinks and other non-regular files are skipped, as Koji does.
func (h *Hub) GetBuildLogs(ctx context.Context, build koji.Ref) ([]BuildLog, error) {
	b, err := h.GetBuild(ctx, build, koji.GetBuildOpts{Strict: true})
	if err != nil {
		return nil, err
	}
	rel := filepath.Join("packages", b.Name, b.Version, b.Release, "data", "logs")
	dir := filepath.Join(h.TopDir(), rel)
	logs := []BuildLog{}
	err = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			if p == dir && errors.Is(err, fs.ErrNotExist) {
				return filepath.SkipAll
			}
			return err
		}
		if !d.Type().IsRegular() {
			return nil
		}
		sub, _ := filepath.Rel(dir, filepath.Dir(p))
		logs = append(logs, BuildLog{Name: d.Name(), Dir: filepath.ToSlash(sub), Path: filepath.ToSlash(filepath.Join(rel, sub, d.Name()))})
		return nil
	})
	return logs, err
}

// DeleteExternalRepo is deleteExternalRepo(info) (admin): the repo is
// removed from every tag that has it and its config revoked, as Koji's
// delete_external_repo (the name stays in the history).
func (h *Hub) DeleteExternalRepo(ctx context.Context, repo koji.Ref) error {
	return h.write(ctx, func(tx *store.Tx) error {
		c, r, err := h.adminExternalRepo(ctx, tx, repo)
		if err != nil {
			return err
		}
		if _, err := tx.Revoke("tag_external_repos", c.UserID, "external_repo_id = ?", r.ID); err != nil {
			return err
		}
		_, err = tx.Revoke("external_repo_config", c.UserID, "external_repo_id = ?", r.ID)
		return err
	})
}

// EditExternalRepo is editExternalRepo(info, name=None, url=None) (admin):
// a new name (not taken by another repo) and/or URL (a trailing / added).
func (h *Hub) EditExternalRepo(ctx context.Context, repo koji.Ref, name, url string) error {
	return h.write(ctx, func(tx *store.Tx) error {
		c, r, err := h.adminExternalRepo(ctx, tx, repo)
		if err != nil {
			return err
		}
		if name != "" && name != r.Name {
			var other int64
			err := tx.QueryRow(`SELECT id FROM external_repo WHERE name = ?`, name).Scan(&other)
			if err == nil {
				return fault(koji.GenericError, "name \"%s\" is already taken by external repo %d", name, other)
			}
			if !errors.Is(err, sql.ErrNoRows) {
				return err
			}
			if _, err := tx.Exec(`UPDATE external_repo SET name = ? WHERE id = ?`, name, r.ID); err != nil {
				return err
			}
		}
		if url != "" && url != r.URL {
			if !strings.HasSuffix(url, "/") {
				url += "/"
			}
			if _, err := tx.Revoke("external_repo_config", c.UserID, "external_repo_id = ?", r.ID); err != nil {
				return err
			}
			return tx.InsertVersioned("external_repo_config", c.UserID, []string{"external_repo_id", "url"}, []any{r.ID, url})
		}
		return nil
	})
}

// adminExternalRepo checks the admin permission and finds an active
// external repo (Koji's strict get_external_repo).
func (h *Hub) adminExternalRepo(ctx context.Context, tx *store.Tx, repo koji.Ref) (*Caller, *koji.ExternalRepo, error) {
	c, err := h.permCaller(ctx, tx, "admin")
	if err != nil {
		return nil, nil, err
	}
	w, a := extRepoWhere(repo)
	rs, err := readExternalRepos(tx, w, nil, a...)
	if err != nil {
		return nil, nil, err
	}
	if len(rs) == 0 {
		return nil, nil, fault(koji.GenericError, "No such repo: %s", pyRepr(repo.Value()))
	}
	return c, &rs[0], nil
}
