package hub

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"github.com/osg-htc/osg-build-go/pkg/hub/store"
	"github.com/osg-htc/osg-build-go/pkg/koji"
)

// Buildroots: the buildroot each buildArch task built in (Koji's
// standard buildroots), with the hub's RPMs it held (buildroot_listing) and
// the RPMs built in it (rpminfo.buildroot_id). getBuildroot, listBuildroots
// and listRPMs(componentBuildrootID=...) read them; list-buildroot and
// rpminfo print them.

// brExpired is koji.BR_STATES['EXPIRED']: the buildroot of a finished task.
const brExpired = 3 // INIT 0, WAITING 1, BUILDING 2, EXPIRED 3

// Buildroot is a row of getBuildroot and listBuildroots, with Koji's
// member names.
type Buildroot struct {
	ID                  int            `xmlrpc:"id"`
	BRType              int            `xmlrpc:"br_type"`
	CGID                *int           `xmlrpc:"cg_id"`
	CGName              *string        `xmlrpc:"cg_name"`
	CGVersion           *string        `xmlrpc:"cg_version"`
	ContainerArch       *string        `xmlrpc:"container_arch"`
	Arch                *string        `xmlrpc:"arch"`
	ContainerType       *string        `xmlrpc:"container_type"`
	HostOS              *string        `xmlrpc:"host_os"`
	HostArch            *string        `xmlrpc:"host_arch"`
	Extra               map[string]any `xmlrpc:"extra"`
	State               *int           `xmlrpc:"state"`
	TaskID              *int           `xmlrpc:"task_id"`
	HostID              *int           `xmlrpc:"host_id"`
	HostName            *string        `xmlrpc:"host_name"`
	RepoID              *int           `xmlrpc:"repo_id"`
	RepoState           *int           `xmlrpc:"repo_state"`
	TagID               *int           `xmlrpc:"tag_id"`
	TagName             *string        `xmlrpc:"tag_name"`
	CreateEventID       int            `xmlrpc:"create_event_id"`
	CreateEventTime     string         `xmlrpc:"create_event_time"`
	CreateTS            float64        `xmlrpc:"create_ts"`
	RetireEventID       *int           `xmlrpc:"retire_event_id"`
	RetireEventTime     *string        `xmlrpc:"retire_event_time"`
	RetireTS            *float64       `xmlrpc:"retire_ts"`
	RepoCreateEventID   *int           `xmlrpc:"repo_create_event_id"`
	RepoCreateEventTime *string        `xmlrpc:"repo_create_event_time"`
}

// ListBuildrootsOpts are listBuildroots' filters (nil: any).
type ListBuildrootsOpts struct {
	HostID, TagID, RPMID, TaskID, BuildrootID, RepoID *int
	States                                            []int
}

// splitNVRA splits name-version-release.arch.
func splitNVRA(s string) (n, v, r, a string, ok bool) {
	i := strings.LastIndex(s, ".")
	if i <= 0 {
		return
	}
	a, s = s[i+1:], s[:i]
	j := strings.LastIndex(s, "-")
	if j <= 0 {
		return
	}
	r, s = s[j+1:], s[:j]
	k := strings.LastIndex(s, "-")
	if k <= 0 {
		return
	}
	return s[:k], s[k+1:], r, a, true
}

// RecordBuildroot records the buildroot a buildArch task built in, as a
// Koji builder's initBuildroot, setBuildRootList and the final EXPIRED
// state do, in one transaction: its repo and arch, the build host, and the
// components (name-version-release.arch) that are the hub's own RPMs
// (others, from the host or external repos, are not recorded). It returns
// the buildroot id.
func (ho *Host) RecordBuildroot(ctx context.Context, taskID, repoID int64, arch string, components []string) (int64, error) {
	var id int64
	err := ho.h.db.Write(ctx, func(tx *store.Tx) error {
		ev, err := tx.Event()
		if err != nil {
			return err
		}
		var repo any
		if repoID > 0 {
			repo = repoID
		}
		id, err = tx.Insert(`INSERT INTO buildroot (br_type, container_type, container_arch, host_os, host_arch, host_id, repo_id, task_id, create_event, retire_event, state)
			VALUES (0, 'chroot', ?, NULL, ?, ?, ?, ?, ?, ?, ?)`, arch, arch, ho.ID, repo, taskID, ev, ev, brExpired)
		if err != nil {
			return err
		}
		for _, c := range components {
			n, v, r, a, ok := splitNVRA(c)
			if !ok {
				continue
			}
			var rid int64
			err := tx.QueryRow(`SELECT id FROM rpminfo WHERE name = ? AND version = ? AND release = ? AND arch = ? AND external_repo_id = 0`, n, v, r, a).Scan(&rid)
			if errors.Is(err, sql.ErrNoRows) {
				continue
			}
			if err != nil {
				return err
			}
			if _, err := tx.Exec(`INSERT OR IGNORE INTO buildroot_listing (buildroot_id, rpm_id, is_update) VALUES (?, ?, 0)`, id, rid); err != nil {
				return err
			}
		}
		return nil
	})
	return id, err
}

const buildrootSelect = `SELECT b.id, b.br_type, b.container_arch, b.container_type, b.host_os, b.host_arch, b.extra, b.state, b.task_id,
	h.id, h.name, r.id, r.state, t.id, t.name, b.create_event, ce.time, b.retire_event, re.time, r.create_event, rce.time
	FROM buildroot b
	LEFT JOIN host h ON h.id = b.host_id
	LEFT JOIN repo r ON r.id = b.repo_id
	LEFT JOIN tag t ON t.id = r.tag_id
	JOIN events ce ON ce.id = b.create_event
	LEFT JOIN events re ON re.id = b.retire_event
	LEFT JOIN events rce ON rce.id = r.create_event`

func scanBuildroot(sc interface{ Scan(...any) error }) (*Buildroot, error) {
	var b Buildroot
	var carch, ctype, hos, harch, extra, hname, tname sql.NullString
	var state, task, hid, rid, rstate, tid, retire, rce sql.NullInt64
	var cet float64
	var ret, rcet sql.NullFloat64
	if err := sc.Scan(&b.ID, &b.BRType, &carch, &ctype, &hos, &harch, &extra, &state, &task, &hid, &hname, &rid, &rstate, &tid, &tname,
		&b.CreateEventID, &cet, &retire, &ret, &rce, &rcet); err != nil {
		return nil, err
	}
	b.ContainerArch, b.Arch, b.ContainerType = nullStr(carch), nullStr(carch), nullStr(ctype)
	b.HostOS, b.HostArch = nullStr(hos), nullStr(harch)
	b.Extra = jsonMap(nullStr(extra))
	b.State, b.TaskID, b.HostID, b.HostName = intp(nullInt(state)), intp(nullInt(task)), intp(nullInt(hid)), nullStr(hname)
	b.RepoID, b.RepoState, b.TagID, b.TagName = intp(nullInt(rid)), intp(nullInt(rstate)), intp(nullInt(tid)), nullStr(tname)
	b.CreateEventTime, b.CreateTS = fmtTS(cet), roundTS(cet)
	b.RetireEventID = intp(nullInt(retire))
	if ret.Valid {
		b.RetireEventTime, b.RetireTS = optTime(&ret.Float64)
	}
	b.RepoCreateEventID = intp(nullInt(rce))
	if rcet.Valid {
		b.RepoCreateEventTime, _ = optTime(&rcet.Float64)
	}
	return &b, nil
}

// ListBuildroots is listBuildroots(hostID, tagID, state, rpmID, archiveID,
// taskID, buildrootID, repoID): possibly empty, by id.
func (h *Hub) ListBuildroots(ctx context.Context, o ListBuildrootsOpts) ([]Buildroot, error) {
	out := []Buildroot{}
	err := h.read(ctx, func(tx *store.Tx) error {
		where := ` WHERE 1=1`
		var args []any
		add := func(cond string, p *int) {
			if p != nil {
				where += ` AND ` + cond
				args = append(args, *p)
			}
		}
		add(`b.id = ?`, o.BuildrootID)
		add(`b.host_id = ?`, o.HostID)
		add(`r.tag_id = ?`, o.TagID)
		add(`b.task_id = ?`, o.TaskID)
		add(`b.repo_id = ?`, o.RepoID)
		add(`b.id IN (SELECT buildroot_id FROM buildroot_listing WHERE rpm_id = ?)`, o.RPMID)
		if len(o.States) > 0 {
			where += ` AND b.state IN (` + strings.TrimSuffix(strings.Repeat("?,", len(o.States)), ",") + `)`
			for _, s := range o.States {
				args = append(args, s)
			}
		}
		rows, err := tx.Query(buildrootSelect+where+` ORDER BY b.id`, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			b, err := scanBuildroot(rows)
			if err != nil {
				return err
			}
			out = append(out, *b)
		}
		return rows.Err()
	})
	return out, err
}

// GetBuildroot is getBuildroot(buildrootID, strict): nil for a missing one
// unless strict (Koji's GenericError "No such buildroot: N").
func (h *Hub) GetBuildroot(ctx context.Context, id int, strict bool) (*Buildroot, error) {
	l, err := h.ListBuildroots(ctx, ListBuildrootsOpts{BuildrootID: &id})
	if err != nil {
		return nil, err
	}
	if len(l) == 0 {
		if strict {
			return nil, fault(koji.GenericError, "No such buildroot: %d", id)
		}
		return nil, nil
	}
	return &l[0], nil
}

// componentRPMs returns the rpm ids listed in a buildroot, with is_update.
func componentRPMs(tx *store.Tx, buildroot int) (map[int]bool, error) {
	rows, err := tx.Query(`SELECT rpm_id, is_update FROM buildroot_listing WHERE buildroot_id = ?`, buildroot)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int]bool{}
	for rows.Next() {
		var id int
		var upd bool
		if err := rows.Scan(&id, &upd); err != nil {
			return nil, err
		}
		out[id] = upd
	}
	return out, rows.Err()
}

// brootIDs maps the RPM files of a build to the buildroot they were built
// in (the brootid of the buildArch results).
type brootIDs map[string]int64

func (b brootIDs) of(path string) any {
	if id, ok := b[path]; ok && id > 0 {
		return id
	}
	return nil
}
