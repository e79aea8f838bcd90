package hub

// The hub side of the task engine (pkg/hub/engine): what kojid asks of
// Koji's hub through the host.* calls, here as Go methods: host records,
// atomic task claims with a lease, subtasks, waiting, closing and failing
// tasks, and taking back the tasks of processes that died.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/osg-htc/osg-build-go/internal/xmlrpc"
	"github.com/osg-htc/osg-build-go/pkg/hub/store"
	"github.com/osg-htc/osg-build-go/pkg/koji"
)

// Host is a build host of the embedded hub: the hub-side API the task engine
// uses (Koji's host.* calls).
type Host struct {
	h *Hub
	// ID and Name are the host record's.
	ID   int64
	Name string
	// Arches are the arches the host builds (noarch included).
	Arches []string
	// Capacity is the host's capacity (the sum of the weights of the tasks it
	// runs at once).
	Capacity float64
}

// Hub returns the hub of the host.
func (ho *Host) Hub() *Hub { return ho.h }

// RegisterHost returns the host record name (created on first use, with a
// host user of the same name, the default and createrepo channels, and the
// arches and capacity given; an existing record's config is updated when they
// changed).
func (h *Hub) RegisterHost(ctx context.Context, name string, arches []string, capacity float64) (*Host, error) {
	ho := &Host{h: h, Name: name, Arches: arches, Capacity: capacity}
	archStr := strings.Join(arches, " ")
	err := h.db.Write(ctx, func(tx *store.Tx) error {
		err := tx.QueryRow(`SELECT id FROM host WHERE name = ?`, name).Scan(&ho.ID)
		if errors.Is(err, sql.ErrNoRows) {
			var uid int64
			err = tx.QueryRow(`SELECT id FROM users WHERE name = ?`, name).Scan(&uid)
			if errors.Is(err, sql.ErrNoRows) {
				uid, err = tx.Insert(`INSERT INTO users (name, status, usertype) VALUES (?, 0, 1)`, name)
			}
			if err != nil {
				return err
			}
			if ho.ID, err = tx.Insert(`INSERT INTO host (user_id, name, update_time, ready) VALUES (?, ?, ?, 1)`, uid, name, tx.NowTS()); err != nil {
				return err
			}
			for _, ch := range []int64{1, 2} {
				if err := tx.InsertVersioned("host_channels", uid, []string{"host_id", "channel_id"}, []any{ho.ID, ch}); err != nil {
					return err
				}
			}
		} else if err != nil {
			return err
		}
		var cur sql.NullString
		var capa sql.NullFloat64
		err = tx.QueryRow(`SELECT arches, capacity FROM host_config WHERE host_id = ? AND active = 1`, ho.ID).Scan(&cur, &capa)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if err == nil && cur.String == archStr && capa.Float64 == capacity {
			_, err = tx.Exec(`UPDATE host SET update_time = ?, ready = 1 WHERE id = ?`, tx.NowTS(), ho.ID)
			return err
		}
		var uid int64
		if err := tx.QueryRow(`SELECT user_id FROM host WHERE id = ?`, ho.ID).Scan(&uid); err != nil {
			return err
		}
		if _, err := tx.Revoke("host_config", uid, "host_id = ?", ho.ID); err != nil {
			return err
		}
		return tx.InsertVersioned("host_config", uid, []string{"host_id", "arches", "capacity", "enabled"}, []any{ho.ID, archStr, capacity, 1})
	})
	if err != nil {
		return nil, fmt.Errorf("registering the build host %s: %w", name, err)
	}
	return ho, nil
}

// Lease identifies the process that runs a task.
type Lease struct {
	Hostname  string
	PID       int
	ProcStart int64 // the process's start time (clock ticks since boot), against pid reuse
	Token     string
	Heartbeat float64 // seconds since the epoch (set by the hub)
	TaskID    int64
}

// ClaimFilter says which tasks a claim may take.
type ClaimFilter struct {
	// Roots limits the claim to these tasks and their descendants (nil: any
	// task). AlsoMethods are methods claimable outside Roots (newRepo).
	Roots       []int64
	AlsoMethods []string
	// MaxWeight is the spare capacity: a task heavier than this is skipped,
	// unless Idle (nothing runs: any one task may start).
	MaxWeight float64
	Idle      bool
}

// ClaimedTask is a task the engine now runs.
type ClaimedTask struct {
	ID        int64
	Method    string
	Arch      string
	Params    []any
	Weight    float64
	Priority  int
	Parent    *int64
	OwnerID   int64
	OwnerName string
	Channel   string
}

func scopeSQL(roots []int64, also []string) (string, []any) {
	if roots == nil {
		return "", nil
	}
	var args []any
	q := `WITH RECURSIVE tree(id) AS (SELECT id FROM task WHERE id IN (` + placeholders(len(roots)) + `)
		UNION SELECT t.id FROM task t JOIN tree ON t.parent = tree.id) `
	for _, r := range roots {
		args = append(args, r)
	}
	_ = also
	return q, args
}

func placeholders(n int) string {
	if n == 0 {
		return "NULL"
	}
	return strings.TrimSuffix(strings.Repeat("?,", n), ",")
}

func (ho *Host) archOK(arch string) bool {
	if arch == "noarch" {
		return true
	}
	for _, a := range ho.Arches {
		if a == arch {
			return true
		}
	}
	return false
}

// Claim takes the next runnable FREE task (priority, then creation order)
// for the host: OPEN, host_id set, start_time set, and a lease row for l, all
// in one write transaction, so two processes never take the same task. It
// returns nil when there is nothing to take.
func (ho *Host) Claim(ctx context.Context, l Lease, f ClaimFilter) (*ClaimedTask, error) {
	var out *ClaimedTask
	err := ho.h.db.Write(ctx, func(tx *store.Tx) error {
		with, args := scopeSQL(f.Roots, f.AlsoMethods)
		where := ` WHERE t.state = 0`
		if f.Roots != nil {
			where += ` AND (t.id IN (SELECT id FROM tree)`
			if len(f.AlsoMethods) > 0 {
				where += ` OR t.method IN (` + placeholders(len(f.AlsoMethods)) + `)`
				for _, m := range f.AlsoMethods {
					args = append(args, m)
				}
			}
			where += `)`
		}
		rows, err := tx.Query(with+`SELECT t.id, t.method, t.arch, t.weight, t.priority, t.parent, t.owner, u.name, c.name, t.request
			FROM task t JOIN users u ON u.id = t.owner JOIN channels c ON c.id = t.channel_id`+where+` ORDER BY t.priority, t.id`, args...)
		if err != nil {
			return err
		}
		var cand *ClaimedTask
		var req string
		for rows.Next() {
			var c ClaimedTask
			var parent sql.NullInt64
			var r string
			if err := rows.Scan(&c.ID, &c.Method, &c.Arch, &c.Weight, &c.Priority, &parent, &c.OwnerID, &c.OwnerName, &c.Channel, &r); err != nil {
				rows.Close()
				return err
			}
			if !ho.archOK(c.Arch) || (c.Channel != "default" && c.Channel != "createrepo") {
				continue
			}
			if !f.Idle && c.Weight > f.MaxWeight {
				continue
			}
			c.Parent = nullInt(parent)
			cand, req = &c, r
			break
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if cand == nil {
			return nil
		}
		params, err := decodeRequest(req)
		if err != nil {
			return fmt.Errorf("decoding the request of task %d: %w", cand.ID, err)
		}
		cand.Params, _ = params.([]any)
		now := tx.NowTS()
		res, err := tx.Exec(`UPDATE task SET state = 1, host_id = ?, start_time = ? WHERE id = ? AND state = 0`, ho.ID, now, cand.ID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return nil
		}
		if _, err := tx.Exec(`INSERT OR REPLACE INTO task_lease (task_id, host_id, hostname, pid, proc_start, token, heartbeat) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			cand.ID, ho.ID, l.Hostname, l.PID, l.ProcStart, l.Token, now); err != nil {
			return err
		}
		out = cand
		return nil
	})
	return out, err
}

// Heartbeat renews the leases of token and returns those of its tasks that
// are no longer OPEN (canceled by someone: the engine stops them).
func (ho *Host) Heartbeat(ctx context.Context, token string) ([]int64, error) {
	var gone []int64
	err := ho.h.db.Write(ctx, func(tx *store.Tx) error {
		if _, err := tx.Exec(`UPDATE task_lease SET heartbeat = ? WHERE token = ?`, tx.NowTS(), token); err != nil {
			return err
		}
		if _, err := tx.Exec(`UPDATE host SET update_time = ? WHERE id = ?`, tx.NowTS(), ho.ID); err != nil {
			return err
		}
		rows, err := tx.Query(`SELECT l.task_id FROM task_lease l JOIN task t ON t.id = l.task_id WHERE l.token = ? AND t.state != 1`, token)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				return err
			}
			gone = append(gone, id)
		}
		return rows.Err()
	})
	return gone, err
}

// encodeFault is the fault stored for a failed task: a *koji.Fault as it
// is, any other error as a GenericError.
func encodeFault(werr error) *xmlrpc.Fault {
	var kf *koji.Fault
	if errors.As(werr, &kf) {
		return &xmlrpc.Fault{Code: kf.Code, String: kf.String}
	}
	return &xmlrpc.Fault{Code: koji.GenericError, String: werr.Error()}
}

// FinishTask closes the OPEN task id with result (werr nil) or fails it with
// werr stored as a fault (a *koji.Fault keeps its code; any other error is a
// GenericError), and drops its lease. A task that is no longer OPEN
// (canceled) is left as it is.
func (ho *Host) FinishTask(ctx context.Context, id int64, result any, werr error) error {
	return ho.h.db.Write(ctx, func(tx *store.Tx) error {
		var st int
		if err := tx.QueryRow(`SELECT state FROM task WHERE id = ?`, id).Scan(&st); err != nil {
			return err
		}
		if _, err := tx.Exec(`DELETE FROM task_lease WHERE task_id = ?`, id); err != nil {
			return err
		}
		if koji.TaskState(st) != koji.TaskOpen {
			return nil
		}
		if werr != nil {
			f := encodeFault(werr)
			werr = &koji.Fault{Code: f.Code, String: f.String}
		}
		if _, err := tx.Exec(`UPDATE task SET waiting = NULL WHERE id = ?`, id); err != nil {
			return err
		}
		return finishTask(tx, id, result, werr)
	})
}

// SubtaskSpec describes a subtask.
type SubtaskSpec struct {
	Method string
	Params []any
	Label  string
	Arch   string
	Weight float64
	// Channel is the subtask's channel ("" = the parent's).
	Channel string
	// Priority overrides the parent's priority minus one.
	Priority *int
}

// Subtask creates a child of parent (Koji's session.host.subtask): owner and
// channel from the parent, priority parent-1. A child with the same label
// already there is returned instead (idempotent retries).
func (ho *Host) Subtask(ctx context.Context, parent int64, s SubtaskSpec) (int64, error) {
	var id int64
	err := ho.h.db.Write(ctx, func(tx *store.Tx) error {
		if s.Label != "" {
			err := tx.QueryRow(`SELECT id FROM task WHERE parent = ? AND label = ?`, parent, s.Label).Scan(&id)
			if err == nil {
				return nil
			}
			if !errors.Is(err, sql.ErrNoRows) {
				return err
			}
		}
		var owner int64
		var prio int
		var ch string
		if err := tx.QueryRow(`SELECT t.owner, t.priority, c.name FROM task t JOIN channels c ON c.id = t.channel_id WHERE t.id = ?`, parent).Scan(&owner, &prio, &ch); err != nil {
			return err
		}
		if s.Channel != "" {
			ch = s.Channel
		}
		p := prio - 1
		if s.Priority != nil {
			p = *s.Priority
		}
		spec := taskSpec{Method: s.Method, Params: s.Params, Owner: owner, Priority: p, Arch: s.Arch, Channel: ch,
			Parent: &parent, Weight: s.Weight}
		if s.Label != "" {
			l := s.Label
			spec.Label = &l
		}
		var err error
		id, err = makeTask(tx, spec)
		if err != nil {
			return err
		}
		_, err = tx.Exec(`UPDATE task SET awaited = 1 WHERE id = ?`, id)
		return err
	})
	return id, err
}

// SetWaiting marks the task as waiting for its children (its weight no
// longer counts against the host's capacity) or not.
func (ho *Host) SetWaiting(ctx context.Context, id int64, waiting bool) error {
	return ho.h.db.Write(ctx, func(tx *store.Tx) error {
		var w any
		if waiting {
			w = 1
		}
		_, err := tx.Exec(`UPDATE task SET waiting = ? WHERE id = ?`, w, id)
		return err
	})
}

// TaskStates returns the states of the tasks.
func (ho *Host) TaskStates(ctx context.Context, ids []int64) (map[int64]koji.TaskState, error) {
	out := map[int64]koji.TaskState{}
	if len(ids) == 0 {
		return out, nil
	}
	err := ho.h.db.Read(ctx, func(tx *store.Tx) error {
		args := make([]any, len(ids))
		for i, id := range ids {
			args[i] = id
		}
		rows, err := tx.Query(`SELECT id, state FROM task WHERE id IN (`+placeholders(len(ids))+`)`, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			var st int
			if err := rows.Scan(&id, &st); err != nil {
				return err
			}
			out[id] = koji.TaskState(st)
		}
		return rows.Err()
	})
	return out, err
}

// TaskResult returns a finished task's result, or its fault as the error.
func (ho *Host) TaskResult(ctx context.Context, id int64) (any, error) {
	return ho.h.GetTaskResult(ctx, int(id), koji.GetTaskResultOpts{})
}

// ScopeState returns the unfinished tasks of the trees of roots (plus those
// of the methods also; every unfinished task when roots is nil): FREE (or
// ASSIGNED) ones and OPEN ones.
func (ho *Host) ScopeState(ctx context.Context, roots []int64, also []string) (free, open []int64, err error) {
	err = ho.h.db.Read(ctx, func(tx *store.Tx) error {
		with, args := scopeSQL(roots, nil)
		where := ` WHERE t.state IN (0, 1, 4)`
		if roots != nil {
			where += ` AND (t.id IN (SELECT id FROM tree)`
			if len(also) > 0 {
				where += ` OR t.method IN (` + placeholders(len(also)) + `)`
				for _, m := range also {
					args = append(args, m)
				}
			}
			where += `)`
		}
		rows, err := tx.Query(with+`SELECT t.id, t.state FROM task t`+where+` ORDER BY t.id`, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			var st int
			if err := rows.Scan(&id, &st); err != nil {
				return err
			}
			if st == 1 {
				open = append(open, id)
			} else {
				free = append(free, id)
			}
		}
		return rows.Err()
	})
	return free, open, err
}

// Leases returns the leases of the OPEN tasks.
func (ho *Host) Leases(ctx context.Context) ([]Lease, error) {
	var out []Lease
	err := ho.h.db.Read(ctx, func(tx *store.Tx) error {
		rows, err := tx.Query(`SELECT task_id, hostname, pid, proc_start, token, heartbeat FROM task_lease ORDER BY task_id`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var l Lease
			if err := rows.Scan(&l.TaskID, &l.Hostname, &l.PID, &l.ProcStart, &l.Token, &l.Heartbeat); err != nil {
				return err
			}
			out = append(out, l)
		}
		return rows.Err()
	})
	return out, err
}

// Recovery says what RecoverDead did.
type Recovery struct {
	// Failed are the tasks failed because the process running them died;
	// Freed are tasks set FREE to rerun (none at present).
	Failed, Freed []int64
	// Builds are the BUILDING builds set FAILED.
	Builds []int64
	// Repos are the INIT repos set PROBLEM (their directories are removed
	// by the caller: RepoDirs).
	Repos    []int64
	RepoDirs []string
	// TaskDirs are the work directories of the failed tasks.
	TaskDirs []string
}

// RecoverDead takes back the tasks whose lease dead() judges dead, and the
// OPEN tasks without any lease: each is FAILED with a fault saying the
// process died, its unfinished descendants are canceled and its OPEN
// ancestors failed, the BUILDING builds of the tree become FAILED and its
// INIT repos PROBLEM (kojira or a waiting build asks for a new repo).
func (ho *Host) RecoverDead(ctx context.Context, dead func(Lease) bool) (*Recovery, error) {
	leases, err := ho.Leases(ctx)
	if err != nil {
		return nil, err
	}
	deadTask := map[int64]Lease{}
	for _, l := range leases {
		if dead(l) {
			deadTask[l.TaskID] = l
		}
	}
	rec := &Recovery{}
	err = ho.h.db.Write(ctx, func(tx *store.Tx) error {
		*rec = Recovery{}
		// OPEN tasks with no lease at all were claimed by an engine that
		// wrote no lease (impossible here) or whose lease row was lost.
		rows, err := tx.Query(`SELECT t.id FROM task t LEFT JOIN task_lease l ON l.task_id = t.id WHERE t.state = 1 AND l.task_id IS NULL AND t.method != 'tagBuild'`)
		if err != nil {
			return err
		}
		var orphans []int64
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			orphans = append(orphans, id)
		}
		rows.Close()
		ids := make([]int64, 0, len(deadTask)+len(orphans))
		for id := range deadTask {
			ids = append(ids, id)
		}
		ids = append(ids, orphans...)
		sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
		for _, id := range ids {
			var method string
			var st int
			if err := tx.QueryRow(`SELECT method, state FROM task WHERE id = ?`, id).Scan(&method, &st); err != nil {
				return err
			}
			if _, err := tx.Exec(`DELETE FROM task_lease WHERE task_id = ?`, id); err != nil {
				return err
			}
			if st != 1 {
				continue
			}
			l := deadTask[id]
			msg := fmt.Sprintf("task %d was interrupted: the process running it (pid %d on %s) is gone", id, l.PID, l.Hostname)
			if l.PID == 0 {
				msg = fmt.Sprintf("task %d was interrupted: no process holds it", id)
			}
			if err := finishTask(tx, id, nil, &koji.Fault{Code: koji.GenericError, String: msg}); err != nil {
				return err
			}
			rec.Failed = append(rec.Failed, id)
			rec.TaskDirs = append(rec.TaskDirs, ho.h.taskDir(int(id)))
			if err := ho.failBuildsOfTree(tx, id, rec); err != nil {
				return err
			}
		}
		return nil
	})
	return rec, err
}

// failBuildsOfTree cancels the unfinished tasks of id's tree (failing the
// OPEN ones), fails the BUILDING builds of the tree's tasks (a dead
// buildArch fails its build, as the parent build task would) and sets the
// tree's INIT repos PROBLEM.
func (ho *Host) failBuildsOfTree(tx *store.Tx, id int64, rec *Recovery) error {
	root, err := taskRoot(tx, id)
	if err != nil {
		return err
	}
	rows, err := tx.Query(`WITH RECURSIVE tree(id) AS (SELECT ? UNION SELECT t.id FROM task t JOIN tree ON t.parent = tree.id)
		SELECT id FROM tree`, root)
	if err != nil {
		return err
	}
	var tree []int64
	for rows.Next() {
		var x int64
		if err := rows.Scan(&x); err != nil {
			rows.Close()
			return err
		}
		tree = append(tree, x)
	}
	rows.Close()
	now := tx.NowTS()
	for _, t := range tree {
		if t == id {
			continue
		}
		var st int
		if err := tx.QueryRow(`SELECT state FROM task WHERE id = ?`, t).Scan(&st); err != nil {
			return err
		}
		switch st {
		case 0, 4:
			if _, err := tx.Exec(`UPDATE task SET state = 3, completion_time = ? WHERE id = ?`, now, t); err != nil {
				return err
			}
		case 1:
			// an ancestor still OPEN (waiting on this one): failed too
			if err := finishTask(tx, t, nil, &koji.Fault{Code: koji.GenericError,
				String: fmt.Sprintf("subtask %d was interrupted: the process running it is gone", id)}); err != nil {
				return err
			}
			if _, err := tx.Exec(`DELETE FROM task_lease WHERE task_id = ?`, t); err != nil {
				return err
			}
			rec.Failed = append(rec.Failed, t)
		}
	}
	args := make([]any, len(tree))
	for i, t := range tree {
		args[i] = t
	}
	// the tree's INIT repos: PROBLEM, their directories removed by the caller
	rrows, err := tx.Query(`SELECT r.id, t.name FROM repo r JOIN tag t ON t.id = r.tag_id WHERE r.state = 0 AND r.task_id IN (`+placeholders(len(tree))+`)`, args...)
	if err != nil {
		return err
	}
	type repoRef struct {
		id  int64
		tag string
	}
	var repos []repoRef
	for rrows.Next() {
		var x repoRef
		if err := rrows.Scan(&x.id, &x.tag); err != nil {
			rrows.Close()
			return err
		}
		repos = append(repos, x)
	}
	rrows.Close()
	for _, r := range repos {
		if _, err := tx.Exec(`UPDATE repo SET state = 4, state_time = ? WHERE id = ?`, now, r.id); err != nil {
			return err
		}
		rec.Repos = append(rec.Repos, r.id)
		rec.RepoDirs = append(rec.RepoDirs, ho.h.repoDir(r.tag, r.id))
	}
	brows, err := tx.Query(`SELECT id FROM build WHERE state = 0 AND task_id IN (`+placeholders(len(tree))+`)`, args...)
	if err != nil {
		return err
	}
	var builds []int64
	for brows.Next() {
		var b int64
		if err := brows.Scan(&b); err != nil {
			brows.Close()
			return err
		}
		builds = append(builds, b)
	}
	brows.Close()
	for _, b := range builds {
		if _, err := tx.Exec(`UPDATE build SET state = 3, completion_time = ? WHERE id = ?`, now, b); err != nil {
			return err
		}
		rec.Builds = append(rec.Builds, b)
	}
	return nil
}

// TaskDir is the work directory of a task: work/tasks/<id%10000>/<id>.
func (h *Hub) TaskDir(id int64) string { return h.taskDir(int(id)) }

// FailFree fails a task that is still FREE (no host can run it).
func (ho *Host) FailFree(ctx context.Context, id int64, werr error) error {
	return ho.h.db.Write(ctx, func(tx *store.Tx) error {
		var st int
		if err := tx.QueryRow(`SELECT state FROM task WHERE id = ?`, id).Scan(&st); err != nil {
			return err
		}
		if st != int(koji.TaskFree) {
			return nil
		}
		f := encodeFault(werr)
		return finishTask(tx, id, nil, &koji.Fault{Code: f.Code, String: f.String})
	})
}
