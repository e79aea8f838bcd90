package hub

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/osg-htc/osg-build-go/internal/xmlrpc"
	"github.com/osg-htc/osg-build-go/pkg/hub/store"
	"github.com/osg-htc/osg-build-go/pkg/koji"
)

// taskSpec describes a task to create.
type taskSpec struct {
	Method   string
	Params   []any
	Owner    int64
	Priority int
	Arch     string
	Channel  string
	Parent   *int64
	Label    *string
	Weight   float64
}

// makeTask inserts a FREE task with its request stored as XML-RPC text, as
// Koji stores it.
func makeTask(tx *store.Tx, s taskSpec) (int64, error) {
	var req bytes.Buffer
	if err := xmlrpc.EncodeCall(&req, s.Method, s.Params...); err != nil {
		return 0, fmt.Errorf("encoding the %s task request: %w", s.Method, err)
	}
	if s.Channel == "" {
		s.Channel = "default"
	}
	var ch int64
	if err := tx.QueryRow(`SELECT id FROM channels WHERE name = ?`, s.Channel).Scan(&ch); err != nil {
		return 0, fault(koji.GenericError, "No such channel: %s", s.Channel)
	}
	if s.Arch == "" {
		s.Arch = "noarch"
	}
	if s.Weight == 0 {
		s.Weight = 1.0
	}
	var parent, label any
	if s.Parent != nil {
		parent = *s.Parent
	}
	if s.Label != nil {
		label = *s.Label
	}
	return tx.Insert(`INSERT INTO task (state, create_time, channel_id, parent, label, owner, method, request, arch, priority, weight)
		VALUES (0, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, tx.NowTS(), ch, parent, label, s.Owner, s.Method, req.String(), s.Arch, s.Priority, s.Weight)
}

// finishTask closes a task with result, or fails it with werr (stored as a
// fault, as Koji stores the exception of a failed task).
func finishTask(tx *store.Tx, id int64, result any, werr error) error {
	var buf bytes.Buffer
	state := int(koji.TaskClosed)
	if werr != nil {
		state = int(koji.TaskFailed)
		f := &xmlrpc.Fault{Code: koji.UnknownFault, String: werr.Error()}
		var kf *koji.Fault
		if errors.As(werr, &kf) {
			f = &xmlrpc.Fault{Code: kf.Code, String: kf.String}
		}
		if err := xmlrpc.EncodeFault(&buf, f); err != nil {
			return err
		}
	} else if err := xmlrpc.EncodeResponse(&buf, result); err != nil {
		return err
	}
	now := tx.NowTS()
	_, err := tx.Exec(`UPDATE task SET state = ?, result = ?, start_time = coalesce(start_time, ?), completion_time = ? WHERE id = ?`,
		state, buf.String(), now, now, id)
	return err
}

const taskSelect = `SELECT t.id, t.state, t.create_time, t.start_time, t.completion_time, t.channel_id, t.host_id, t.parent,
	t.label, t.waiting, t.awaited, t.owner, t.method, t.arch, t.priority, t.weight, t.request, t.result, u.name, u.usertype
	FROM task t JOIN users u ON u.id = t.owner`

type taskRow struct {
	info    koji.TaskInfo
	request string
	result  sql.NullString
}

func scanTask(sc interface{ Scan(...any) error }) (*taskRow, error) {
	var r taskRow
	var ct float64
	var st, cmp sql.NullFloat64
	var host, parent sql.NullInt64
	var label sql.NullString
	var waiting, awaited sql.NullBool
	var oname string
	var otype int
	var state int
	t := &r.info
	if err := sc.Scan(&t.ID, &state, &ct, &st, &cmp, &t.ChannelID, &host, &parent, &label, &waiting, &awaited,
		&t.Owner, &t.Method, &t.Arch, &t.Priority, &t.Weight, &r.request, &r.result, &oname, &otype); err != nil {
		return nil, err
	}
	t.State = koji.TaskState(state)
	t.CreateTime, t.CreateTS = fmtTS(ct), roundTS(ct)
	t.StartTime, t.StartTS = optTime(nullFloat(st))
	t.CompletionTime, t.CompletionTS = optTime(nullFloat(cmp))
	t.HostID = intp(nullInt(host))
	t.Parent = intp(nullInt(parent))
	t.Label = nullStr(label)
	if waiting.Valid {
		t.Waiting = &waiting.Bool
	}
	if awaited.Valid {
		t.Awaited = &awaited.Bool
	}
	r.info.OwnerName = &oname
	r.info.OwnerType = &otype
	return &r, nil
}

func decodeRequest(s string) (any, error) {
	_, params, err := xmlrpc.DecodeCallBytes([]byte(s))
	if err != nil {
		return nil, err
	}
	if params == nil {
		params = []any{}
	}
	return params, nil
}

func (r *taskRow) out(request bool) koji.TaskInfo {
	t := r.info
	t.OwnerName, t.OwnerType = nil, nil
	if request {
		t.Request, _ = decodeRequest(r.request)
	}
	return t
}

// Build is build(src, target, opts, priority, channel): creates the build
// task (request [src, target, opts]); the task engine runs it.
func (h *Hub) Build(ctx context.Context, src, target string, req koji.BuildRequestOpts, opts koji.BuildOpts) (int, error) {
	var id int64
	err := h.write(ctx, func(tx *store.Tx) error {
		c, err := h.loggedIn(ctx, tx)
		if err != nil {
			return err
		}
		if src == "" {
			return fault(koji.GenericError, "Invalid src value: %s", pyRepr(src))
		}
		prio := 20
		if opts.Priority != nil {
			if *opts.Priority < 0 {
				if err := h.assertPerm(tx, c, "admin"); err != nil {
					return fault(koji.ActionNotAllowed, "only admins may create high-priority tasks")
				}
			}
			prio += *opts.Priority
		}
		var tgt any = target
		if target == "" {
			if req.RepoID == nil {
				return fault(koji.GenericError, "target not specified")
			}
			tgt = nil
		} else {
			ts, err := readTargets(tx, ` AND bt.name = ?`, nil, target)
			if err != nil {
				return err
			}
			if len(ts) == 0 {
				return fault(koji.GenericError, "No such build target: %s", target)
			}
		}
		o := buildOptsMap(req)
		id, err = makeTask(tx, taskSpec{Method: "build", Params: []any{src, tgt, o}, Owner: c.UserID, Priority: prio,
			Arch: "noarch", Channel: orDefault(opts.Channel, "default"), Weight: 0.2})
		return err
	})
	return int(id), err
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

// buildOptsMap is the opts struct of a build request, as the koji CLI sends it.
func buildOptsMap(r koji.BuildRequestOpts) map[string]any {
	m := map[string]any{}
	if r.Scratch {
		m["scratch"] = true
	}
	if r.SkipTag {
		m["skip_tag"] = true
	}
	if r.ArchOverride != "" {
		m["arch_override"] = r.ArchOverride
	}
	if r.RepoID != nil {
		m["repo_id"] = *r.RepoID
	}
	if r.WaitRepo {
		m["wait_repo"] = true
	}
	wb := []any{}
	for _, b := range r.WaitBuilds {
		wb = append(wb, b)
	}
	m["wait_builds"] = wb
	if r.FailFast {
		m["fail_fast"] = true
	}
	if r.RebuildSRPM {
		m["rebuild_srpm"] = true
	}
	if r.Draft {
		m["draft"] = true
	}
	cm := map[string]any{}
	for k, v := range r.CustomUserMetadata {
		cm[k] = v
	}
	m["custom_user_metadata"] = cm
	return m
}

// GetTaskInfo is getTaskInfo(task_id, request, strict).
func (h *Hub) GetTaskInfo(ctx context.Context, id int, opts koji.GetTaskInfoOpts) (*koji.TaskInfo, error) {
	var out *koji.TaskInfo
	err := h.read(ctx, func(tx *store.Tx) error {
		r, err := scanTask(tx.QueryRow(taskSelect+` WHERE t.id = ?`, id))
		if errors.Is(err, sql.ErrNoRows) {
			if opts.Strict {
				return fault(koji.GenericError, "No such task: %d", id)
			}
			return nil
		}
		if err != nil {
			return err
		}
		t := r.out(opts.Request)
		out = &t
		return nil
	})
	return out, err
}

// GetTaskChildren is getTaskChildren(task_id, request, strict).
func (h *Hub) GetTaskChildren(ctx context.Context, id int, opts koji.GetTaskChildrenOpts) ([]koji.TaskInfo, error) {
	out := []koji.TaskInfo{}
	err := h.read(ctx, func(tx *store.Tx) error {
		if opts.Strict {
			var n int
			if err := tx.QueryRow(`SELECT count(*) FROM task WHERE id = ?`, id).Scan(&n); err != nil {
				return err
			}
			if n == 0 {
				return fault(koji.GenericError, "No such task: %d", id)
			}
		}
		rows, err := tx.Query(taskSelect+` WHERE t.parent = ? ORDER BY t.id`, id)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			r, err := scanTask(rows)
			if err != nil {
				return err
			}
			out = append(out, r.out(opts.Request))
		}
		return rows.Err()
	})
	return out, err
}

// GetTaskResult is getTaskResult(taskId, raise_fault).
func (h *Hub) GetTaskResult(ctx context.Context, id int, opts koji.GetTaskResultOpts) (any, error) {
	var out any
	err := h.read(ctx, func(tx *store.Tx) error {
		var state int
		var result sql.NullString
		err := tx.QueryRow(`SELECT state, result FROM task WHERE id = ?`, id).Scan(&state, &result)
		if errors.Is(err, sql.ErrNoRows) {
			return fault(koji.GenericError, "No such task: %d", id)
		}
		if err != nil {
			return err
		}
		switch koji.TaskState(state) {
		case koji.TaskCanceled:
			return fault(koji.GenericError, "Task %d is canceled", id)
		case koji.TaskClosed, koji.TaskFailed:
		default:
			return fault(koji.GenericError, "Task %d is not finished", id)
		}
		v, err := xmlrpc.DecodeResponseBytes([]byte(result.String))
		var xf *xmlrpc.Fault
		if errors.As(err, &xf) {
			f := &koji.Fault{Code: xf.Code, String: xf.String}
			if opts.RaiseFault == nil || *opts.RaiseFault {
				return f
			}
			out = map[string]any{"faultCode": xf.Code, "faultString": xf.String}
			return nil
		}
		out = v
		return err
	})
	return out, err
}

func (h *Hub) taskDir(id int) string {
	return filepath.Join(h.TopDir(), "work", "tasks", fmt.Sprint(id%10000), fmt.Sprint(id))
}

// ListTaskOutput is listTaskOutput(taskID, stat, all_volumes, strict).
func (h *Hub) ListTaskOutput(ctx context.Context, id int, opts koji.ListTaskOutputOpts) ([]koji.TaskOutputFile, error) {
	out := []koji.TaskOutputFile{}
	if opts.Strict {
		t, err := h.GetTaskInfo(ctx, id, koji.GetTaskInfoOpts{})
		if err != nil {
			return nil, err
		}
		if t == nil {
			return nil, fault(koji.GenericError, "No such task: %d", id)
		}
	}
	dir := h.taskDir(id)
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			if os.IsNotExist(err) {
				return filepath.SkipAll
			}
			return err
		}
		if d.IsDir() {
			return nil
		}
		rel, _ := filepath.Rel(dir, p)
		f := koji.TaskOutputFile{Name: filepath.ToSlash(rel)}
		if opts.AllVolumes {
			f.Volumes = []string{"DEFAULT"}
		}
		if opts.Stat {
			if st, err := d.Info(); err == nil {
				m := float64(st.ModTime().UnixNano()) / 1e9
				f.Stat = map[string]any{"st_size": fmt.Sprint(st.Size()), "st_atime": m, "st_mtime": m, "st_ctime": m}
			}
		}
		out = append(out, f)
		return nil
	})
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, err
}

// DownloadTaskOutput is downloadTaskOutput(taskID, fileName, offset, size, volume).
func (h *Hub) DownloadTaskOutput(ctx context.Context, id int, name string, opts koji.DownloadTaskOutputOpts) ([]byte, error) {
	rel, err := safeRelPath(name)
	if err != nil {
		return nil, err
	}
	b, err := os.ReadFile(filepath.Join(h.taskDir(id), rel))
	if err != nil {
		return nil, fault(koji.GenericError, "no file \"%s\" output by task %d", name, id)
	}
	off := opts.Offset
	if off < 0 {
		off += int64(len(b))
		if off < 0 {
			off = 0
		}
	}
	if off > int64(len(b)) {
		off = int64(len(b))
	}
	b = b[off:]
	if opts.Size != nil && *opts.Size >= 0 && *opts.Size < int64(len(b)) {
		b = b[:*opts.Size]
	}
	return b, nil
}

// CancelTask is cancelTask(task_id, recurse): owner or admin. Children are
// canceled with recurse, and the BUILDING build of the task too.
func (h *Hub) CancelTask(ctx context.Context, id int, opts koji.CancelTaskOpts) error {
	return h.write(ctx, func(tx *store.Tx) error {
		c, err := h.loggedIn(ctx, tx)
		if err != nil {
			return err
		}
		var owner int64
		if err := tx.QueryRow(`SELECT owner FROM task WHERE id = ?`, id).Scan(&owner); errors.Is(err, sql.ErrNoRows) {
			return fault(koji.GenericError, "No such task: %d", id)
		} else if err != nil {
			return err
		}
		if owner != c.UserID {
			if err := h.assertPerm(tx, c, "admin"); err != nil {
				return fault(koji.ActionNotAllowed, "Cannot cancel task, not owner")
			}
		}
		return cancelTaskTree(tx, int64(id), opts.Recurse == nil || *opts.Recurse)
	})
}

// CancelBuild is cancelBuild(buildID, strict): as Koji's cancel_build, a
// BUILDING build is set CANCELED and its task tree is canceled from the top
// (cancelFull); false, or with Strict a fault, when it was not BUILDING.
func (h *Hub) CancelBuild(ctx context.Context, build koji.Ref, opts koji.CancelBuildOpts) (bool, error) {
	canceled := false
	err := h.write(ctx, func(tx *store.Tx) error {
		c, err := h.loggedIn(ctx, tx)
		if err != nil {
			return err
		}
		b, err := mustBuild(tx, build)
		if err != nil {
			return err
		}
		if b.OwnerID != c.UserID {
			if err := h.assertPerm(tx, c, "admin"); err != nil {
				return fault(koji.ActionNotAllowed, "Cannot cancel build, not owner")
			}
		}
		if b.State != int64(koji.BuildBuilding) {
			if opts.Strict {
				return fault(koji.GenericError, "Failed to cancel build %s-%s-%s", b.Name, b.Version, b.Release)
			}
			return nil
		}
		now := tx.NowTS()
		if _, err := tx.Exec(`UPDATE build SET state = 4, completion_time = ? WHERE id = ? AND state = 0`, now, b.ID); err != nil {
			return err
		}
		canceled = true
		if b.TaskID == nil {
			return nil
		}
		top, err := taskRoot(tx, *b.TaskID)
		if err != nil {
			return err
		}
		return cancelTaskTree(tx, top, true)
	})
	return canceled, err
}

// taskRoot is the top task of id's tree.
func taskRoot(tx *store.Tx, id int64) (int64, error) {
	for {
		var p sql.NullInt64
		if err := tx.QueryRow(`SELECT parent FROM task WHERE id = ?`, id).Scan(&p); err != nil {
			return 0, err
		}
		if !p.Valid {
			return id, nil
		}
		id = p.Int64
	}
}

func cancelTaskTree(tx *store.Tx, id int64, recurse bool) error {
	now := tx.NowTS()
	if _, err := tx.Exec(`UPDATE task SET state = 3, completion_time = ? WHERE id = ? AND state IN (0, 1, 4)`, now, id); err != nil {
		return err
	}
	if _, err := tx.Exec(`UPDATE build SET state = 4, completion_time = ? WHERE task_id = ? AND state = 0`, now, id); err != nil {
		return err
	}
	if !recurse {
		return nil
	}
	rows, err := tx.Query(`SELECT id FROM task WHERE parent = ?`, id)
	if err != nil {
		return err
	}
	var kids []int64
	for rows.Next() {
		var k int64
		if err := rows.Scan(&k); err != nil {
			rows.Close()
			return err
		}
		kids = append(kids, k)
	}
	rows.Close()
	for _, k := range kids {
		if err := cancelTaskTree(tx, k, true); err != nil {
			return err
		}
	}
	return nil
}

// ListTasks is listTasks(opts, queryOpts).
func (h *Hub) ListTasks(ctx context.Context, opts koji.ListTasksOpts) ([]koji.TaskInfo, error) {
	out := []koji.TaskInfo{}
	err := h.read(ctx, func(tx *store.Tx) error {
		where := ` WHERE 1=1`
		var args []any
		q := opts.Opts
		if q == nil {
			q = &koji.TaskQuery{}
		}
		in := func(col string, vals []any, not bool) {
			if len(vals) == 0 {
				return
			}
			op := " IN ("
			if not {
				op = " NOT IN ("
			}
			where += ` AND ` + col + op + strings.TrimSuffix(strings.Repeat("?,", len(vals)), ",") + `)`
			args = append(args, vals...)
		}
		anyOf := func(v any) []any {
			var out []any
			switch x := v.(type) {
			case []string:
				for _, s := range x {
					out = append(out, s)
				}
			case []int:
				for _, s := range x {
					out = append(out, s)
				}
			case []koji.TaskState:
				for _, s := range x {
					out = append(out, int(s))
				}
			}
			return out
		}
		in("t.arch", anyOf(q.Arch), false)
		in("t.arch", anyOf(q.NotArch), true)
		in("t.state", anyOf(q.State), false)
		in("t.state", anyOf(q.NotState), true)
		in("t.owner", anyOf(q.Owner), false)
		in("t.owner", anyOf(q.NotOwner), true)
		in("t.host_id", anyOf(q.HostID), false)
		in("t.channel_id", anyOf(q.ChannelID), false)
		in("t.parent", anyOf(q.Parent), false)
		if q.TopLevel {
			where += ` AND t.parent IS NULL`
		}
		if q.Method != "" {
			where += ` AND t.method = ?`
			args = append(args, q.Method)
		}
		for _, f := range []struct {
			v   *float64
			sql string
		}{{q.CreatedBefore, ` AND t.create_time < ?`}, {q.CreatedAfter, ` AND t.create_time > ?`},
			{q.StartedBefore, ` AND t.start_time < ?`}, {q.StartedAfter, ` AND t.start_time > ?`},
			{q.CompleteBefore, ` AND t.completion_time < ?`}, {q.CompleteAfter, ` AND t.completion_time > ?`}} {
			if f.v != nil {
				where += f.sql
				args = append(args, *f.v)
			}
		}
		rows, err := tx.Query(taskSelect+where+` ORDER BY t.id`, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			r, err := scanTask(rows)
			if err != nil {
				return err
			}
			t := r.info
			if q.Decode {
				t.Request, _ = decodeRequest(r.request)
				if r.result.Valid {
					v, err := xmlrpc.DecodeResponseBytes([]byte(r.result.String))
					var xf *xmlrpc.Fault
					if errors.As(err, &xf) {
						v = map[string]any{"faultCode": xf.Code, "faultString": xf.String}
					}
					t.Result = v
				}
			} else {
				t.Request = r.request
				if r.result.Valid {
					t.Result = r.result.String
				}
			}
			out = append(out, t)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		out, err = applyQueryOpts(out, opts.QueryOpts, func(t koji.TaskInfo, f string) (any, bool) {
			switch f {
			case "id":
				return t.ID, true
			case "priority":
				return t.Priority, true
			case "create_time", "create_ts":
				return t.CreateTS, true
			case "state":
				return int(t.State), true
			case "method":
				return t.Method, true
			}
			return nil, false
		})
		return err
	})
	return out, err
}

// --- repos ---

const repoSelect = `SELECT r.id, r.tag_id, t.name, r.state, r.creation_time, r.state_time, r.create_event, ce.time,
	r.begin_event, be.time, r.end_event, ee.time, r.dist, r.opts, r.custom_opts, r.task_id, k.state
	FROM repo r JOIN tag t ON t.id = r.tag_id JOIN events ce ON ce.id = r.create_event
	LEFT JOIN events be ON be.id = r.begin_event LEFT JOIN events ee ON ee.id = r.end_event
	LEFT JOIN task k ON k.id = r.task_id`

func scanRepo(sc interface{ Scan(...any) error }) (*koji.Repo, error) {
	var r koji.Repo
	var state int
	var ct, stt, cet float64
	var be, ee, task, tstate sql.NullInt64
	var bet, eet sql.NullFloat64
	var opts, copts sql.NullString
	if err := sc.Scan(&r.ID, &r.TagID, &r.TagName, &state, &ct, &stt, &r.CreateEvent, &cet, &be, &bet, &ee, &eet,
		&r.Dist, &opts, &copts, &task, &tstate); err != nil {
		return nil, err
	}
	r.State = koji.RepoState(state)
	r.CreationTime, r.CreationTS = fmtTS(ct), roundTS(ct)
	r.StateTime, r.StateTS = fmtTS(stt), roundTS(stt)
	r.CreateTS = roundTS(cet)
	r.BeginEvent, r.EndEvent = intp(nullInt(be)), intp(nullInt(ee))
	if bet.Valid {
		v := roundTS(bet.Float64)
		r.BeginTS = &v
	}
	if eet.Valid {
		v := roundTS(eet.Float64)
		r.EndTS = &v
	}
	r.Opts = &koji.RepoOpts{}
	if opts.Valid {
		_ = json.Unmarshal([]byte(opts.String), r.Opts)
		// Rows written before RepoOpts had json tags spell separate_src
		// SeparateSrc (the other keys match case-insensitively).
		var legacy struct{ SeparateSrc bool }
		if json.Unmarshal([]byte(opts.String), &legacy) == nil && legacy.SeparateSrc {
			r.Opts.SeparateSrc = true
		}
	}
	r.CustomOpts = map[string]any{}
	if copts.Valid {
		_ = json.Unmarshal([]byte(copts.String), &r.CustomOpts)
	}
	r.TaskID = intp(nullInt(task))
	if tstate.Valid {
		s := koji.TaskState(tstate.Int64)
		r.TaskState = &s
	}
	return &r, nil
}

// GetRepo is getRepo(tag, state, event, dist, min_event).
func (h *Hub) GetRepo(ctx context.Context, tag koji.Ref, opts koji.GetRepoOpts) (*koji.Repo, error) {
	var out *koji.Repo
	err := h.read(ctx, func(tx *store.Tx) error {
		id, _, err := mustTag(tx, tag)
		if err != nil {
			return err
		}
		where := ` WHERE r.tag_id = ? AND r.dist = ?`
		args := []any{id, opts.Dist}
		if opts.Event != nil {
			where += ` AND r.create_event <= ?`
			args = append(args, *opts.Event)
		} else {
			st := int(koji.RepoReady)
			if opts.State != nil {
				st = int(*opts.State)
			}
			where += ` AND r.state = ?`
			args = append(args, st)
		}
		if opts.MinEvent != nil {
			where += ` AND r.create_event >= ?`
			args = append(args, *opts.MinEvent)
		}
		r, err := scanRepo(tx.QueryRow(repoSelect+where+` ORDER BY r.create_event DESC, r.id DESC LIMIT 1`, args...))
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		out = r
		return err
	})
	return out, err
}

// RepoInfo is repoInfo(repo_id, strict).
func (h *Hub) RepoInfo(ctx context.Context, id int, opts koji.RepoInfoOpts) (*koji.Repo, error) {
	var out *koji.Repo
	err := h.read(ctx, func(tx *store.Tx) error {
		r, err := scanRepo(tx.QueryRow(repoSelect+` WHERE r.id = ?`, id))
		if errors.Is(err, sql.ErrNoRows) {
			if opts.Strict {
				return fault(koji.GenericError, "Repo %d does not exist", id)
			}
			return nil
		}
		out = r
		return err
	})
	return out, err
}

// NewRepo is newRepo(tag, event, src, debuginfo, separate_src): creates the
// newRepo task (request [tag_name, kwargs]); the task engine runs it.
func (h *Hub) NewRepo(ctx context.Context, tag koji.Ref, opts koji.NewRepoOpts) (int, error) {
	var id int64
	err := h.write(ctx, func(tx *store.Tx) error {
		c, err := h.caller(ctx, tx)
		if err != nil {
			return err
		}
		if !c.LocalAdmin {
			ok, err := h.hasPerm(tx, c, "regen-repo")
			if err != nil {
				return err
			}
			if !ok {
				if err := h.assertPerm(tx, c, "repo"); err != nil {
					return err
				}
			}
		}
		_, name, err := mustTag(tx, tag)
		if err != nil {
			return err
		}
		params := []any{name}
		kw := map[string]any{}
		if opts.Event != nil {
			kw["event"] = *opts.Event
		}
		if opts.Src {
			kw["src"] = true
		}
		if opts.Debuginfo {
			kw["debuginfo"] = true
		}
		if opts.SeparateSrc {
			kw["separate_src"] = true
		}
		if len(kw) > 0 {
			params = append(params, xmlrpc.Kwargs(kw))
		}
		id, err = makeTask(tx, taskSpec{Method: "newRepo", Params: params, Owner: c.UserID, Priority: 15,
			Arch: "noarch", Channel: "createrepo", Weight: 0.1})
		return err
	})
	return int(id), err
}
