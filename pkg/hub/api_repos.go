package hub

// Koji 1.35's repo API (hub/repos.py's RepoExports, the repo.* calls):
// repo.get, repo.request, repo.checkRequest, repo.query, repo.queryQueue,
// repo.setRequestPriority, repo.references, repo.setState,
// repo.getExternalRepoData. A request for a tag whose ready repo is new
// enough answers that repo at once; otherwise it is a row of repo_queue
// that the task engine's kojira pass (Host.CheckRepoQueue) gives a newRepo
// task, and that repoDone (Host.RepoDone) marks fulfilled with its repo.

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/osg-htc/osg-build-go/internal/xmlrpc"
	"github.com/osg-htc/osg-build-go/pkg/hub/store"
	"github.com/osg-htc/osg-build-go/pkg/koji"
)

// Koji's hub options for the repo queue, at their defaults.
const (
	repoRetries   = 3    // RepoRetries
	repoLag       = 3600 // RepoLag, seconds
	repoLagWindow = 600  // RepoLagWindow, seconds
	maxRepoTasks  = 10   // MaxRepoTasks
	// requestCleanTime is RequestCleanTime: inactive requests are deleted
	// this long after their last update.
	requestCleanTime = 24 * time.Hour
)

// RepoRequest is a request of the repo queue with every field of Koji's
// RepoQueueQuery (fields='**').
type RepoRequest struct {
	ID         int             `xmlrpc:"id"`
	CreateTime string          `xmlrpc:"create_time"`
	CreateTS   float64         `xmlrpc:"create_ts"`
	Owner      int             `xmlrpc:"owner"`
	OwnerName  string          `xmlrpc:"owner_name"`
	Priority   int             `xmlrpc:"priority"`
	TagID      int             `xmlrpc:"tag_id"`
	TagName    string          `xmlrpc:"tag_name"`
	AtEvent    *int            `xmlrpc:"at_event"`
	MinEvent   *int            `xmlrpc:"min_event"`
	Opts       map[string]any  `xmlrpc:"opts"`
	UpdateTime string          `xmlrpc:"update_time"`
	UpdateTS   float64         `xmlrpc:"update_ts"`
	Active     bool            `xmlrpc:"active"`
	TaskID     *int            `xmlrpc:"task_id"`
	TaskState  *koji.TaskState `xmlrpc:"task_state"`
	Tries      int             `xmlrpc:"tries"`
	RepoID     *int            `xmlrpc:"repo_id"`
}

// RepoRequestResult is repo.request's answer: the repo when one already
// satisfies the request, else the request (duplicate when an active one
// matched).
type RepoRequestResult struct {
	Repo      *koji.Repo   `xmlrpc:"repo"`
	Request   *RepoRequest `xmlrpc:"request"`
	Duplicate bool         `xmlrpc:"duplicate"`
}

// RepoRequestOpts are repo.request's keyword arguments.
type RepoRequestOpts struct {
	// MinEvent is an event id, "last" (the tag's last change) or nil (the
	// default: the tag's last change, or the last event an hour ago when
	// the tag changed since).
	MinEvent any
	AtEvent  *int
	// Opts are repo options overriding the tag's (src, debuginfo,
	// separate_src, maven); nil for the defaults.
	Opts any
	// Priority is relative to the default (negative for admins only).
	Priority *int
	Force    bool
}

const queueSelect = `SELECT q.id, q.create_time, q.owner, u.name, q.priority, q.tag_id, t.name, q.at_event, q.min_event,
	q.opts, q.update_time, q.active, q.task_id, k.state, q.tries, q.repo_id
	FROM repo_queue q JOIN tag t ON t.id = q.tag_id JOIN users u ON u.id = q.owner LEFT JOIN task k ON k.id = q.task_id`

func scanRequest(sc interface{ Scan(...any) error }) (*RepoRequest, error) {
	var r RepoRequest
	var ct, ut float64
	var at, minEv, task, tstate, repo sql.NullInt64
	var opts string
	if err := sc.Scan(&r.ID, &ct, &r.Owner, &r.OwnerName, &r.Priority, &r.TagID, &r.TagName, &at, &minEv,
		&opts, &ut, &r.Active, &task, &tstate, &r.Tries, &repo); err != nil {
		return nil, err
	}
	r.CreateTime, r.CreateTS = fmtTS(ct), roundTS(ct)
	r.UpdateTime, r.UpdateTS = fmtTS(ut), roundTS(ut)
	r.AtEvent, r.MinEvent = intp(nullInt(at)), intp(nullInt(minEv))
	r.TaskID, r.RepoID = intp(nullInt(task)), intp(nullInt(repo))
	if tstate.Valid {
		s := koji.TaskState(tstate.Int64)
		r.TaskState = &s
	}
	r.Opts = map[string]any{}
	_ = json.Unmarshal([]byte(opts), &r.Opts)
	return &r, nil
}

func readRequest(tx *store.Tx, id int64) (*RepoRequest, error) {
	r, err := scanRequest(tx.QueryRow(queueSelect+` WHERE q.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return r, err
}

// repoOptNames are Koji's repo options (convert_repo_opts' all_opts).
var repoOptNames = map[string]bool{"src": true, "debuginfo": true, "separate_src": true, "maven": true}

// convertRepoOpts is Koji's convert_repo_opts(opts, strict=True): the
// given options as booleans (None values dropped).
func convertRepoOpts(v any) (map[string]bool, error) {
	out := map[string]bool{}
	if v == nil {
		return out, nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fault(koji.ParameterError, "Repo opts must be a dictionary")
	}
	for _, k := range sortedKeys(m) {
		if !repoOptNames[k] {
			return nil, fault(koji.ParameterError, "Invalid repo option: %s", k)
		}
		switch x := m[k].(type) {
		case nil:
			continue
		case bool:
			out[k] = x
		case int64:
			out[k] = x != 0
		case string:
			out[k] = x != "" // Python's bool(value)
		default:
			return nil, fault(koji.ParameterError, "Invalid value for %s: %v", k, x)
		}
	}
	return out, nil
}

func optsMap(o koji.RepoOpts) map[string]bool {
	return map[string]bool{"src": o.Src, "debuginfo": o.Debuginfo, "separate_src": o.SeparateSrc, "maven": o.Maven}
}

func repoOptsOf(m map[string]bool) koji.RepoOpts {
	return koji.RepoOpts{Src: m["src"], Debuginfo: m["debuginfo"], SeparateSrc: m["separate_src"], Maven: m["maven"]}
}

// tagRepoDefaults is Koji's get_repo_opts(tag) without hub-wide patterns:
// all false, then the tag's extra repo.opts (and the legacy
// with_debuginfo). maven stays off (no maven support).
func tagRepoDefaults(tx *store.Tx, tagID int64) (map[string]bool, error) {
	d := map[string]bool{"src": false, "debuginfo": false, "separate_src": false, "maven": false}
	ex, err := readTagExtra(tx, tagID, nil)
	if err != nil {
		return nil, err
	}
	if e, ok := ex["repo.opts"]; ok && !e.Blocked {
		if m, ok := e.Value.(map[string]any); ok {
			for k, v := range m {
				if repoOptNames[k] {
					d[k] = truthy(v)
				}
			}
		}
	} else if e, ok := ex["with_debuginfo"]; ok && !e.Blocked {
		d["debuginfo"] = truthy(e.Value)
	}
	d["maven"] = false
	return d, nil
}

func truthy(v any) bool {
	switch x := v.(type) {
	case nil:
		return false
	case bool:
		return x
	case int64:
		return x != 0
	case float64:
		return x != 0
	case string:
		return x != ""
	case []any:
		return len(x) > 0
	case map[string]any:
		return len(x) > 0
	}
	return true
}

// repoSatisfies is the opts condition of Koji's get_repo and repo_done_hook:
// the repo has every option asked for, and its custom options (those that
// differ from the tag's defaults) were all asked for.
func repoSatisfies(r *koji.Repo, want map[string]bool) bool {
	have := optsMap(koji.RepoOpts{})
	if r.Opts != nil {
		have = optsMap(*r.Opts)
	}
	for k, v := range want {
		if have[k] != v {
			return false
		}
	}
	for k, v := range r.CustomOpts {
		w, ok := want[k]
		if !ok || w != truthy(v) {
			return false
		}
	}
	return true
}

func eventExists(tx *store.Tx, id int64) (bool, error) {
	var n int
	err := tx.QueryRow(`SELECT count(*) FROM events WHERE id = ?`, id).Scan(&n)
	return n > 0, err
}

// readBestRepo is Koji's get_repo: the newest READY non-dist repo of the
// tag matching the events and the options, nil when none.
func readBestRepo(tx *store.Tx, tagID int64, minEvent, atEvent *int64, opts map[string]bool) (*koji.Repo, error) {
	where := ` WHERE r.tag_id = ? AND r.dist = 0 AND r.state = 1`
	qa := []any{tagID}
	if atEvent != nil {
		where += ` AND r.create_event = ?`
		qa = append(qa, *atEvent)
	} else if minEvent != nil {
		where += ` AND r.create_event >= ?`
		qa = append(qa, *minEvent)
	}
	rows, err := tx.Query(repoSelect+where+` ORDER BY r.create_event DESC, r.id DESC`, qa...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		r, err := scanRepo(rows)
		if err != nil {
			return nil, err
		}
		if repoSatisfies(r, opts) {
			return r, nil
		}
	}
	return nil, rows.Err()
}

// RepoGet is repo.get(tag, min_event=None, at_event=None, opts=None): the
// best ready repo of the tag for the conditions, nil when none.
func (h *Hub) RepoGet(ctx context.Context, tag koji.Ref, minEvent, atEvent *int, opts any) (*koji.Repo, error) {
	o, err := convertRepoOpts(opts)
	if err != nil {
		return nil, err
	}
	var out *koji.Repo
	err = h.read(ctx, func(tx *store.Tx) error {
		id, _, err := mustTag(tx, tag)
		if err != nil {
			return err
		}
		out, err = readBestRepo(tx, id, int64p(minEvent), int64p(atEvent), o)
		return err
	})
	return out, err
}

func int64p(p *int) *int64 {
	if p == nil {
		return nil
	}
	v := int64(*p)
	return &v
}

// defaultMinEvent is Koji's default_min_event: the tag's last change, or,
// when it changed within the last repoLag seconds, the last event before
// that (rounded down to repoLagWindow), so that a repo may lag a little.
func defaultMinEvent(tx *store.Tx, tagID int64) (int64, error) {
	last, err := tagLastChange(tx, tagID)
	if err != nil {
		return 0, err
	}
	lag := float64(repoLag)
	if ex, err := readTagExtra(tx, tagID, nil); err != nil {
		return 0, err
	} else if e, ok := ex["repo.lag"]; ok && !e.Blocked {
		if v, ok := e.Value.(int64); ok {
			lag = float64(v)
		}
	}
	base := math.Floor((tx.NowTS()-lag)/repoLagWindow) * repoLagWindow
	var ev sql.NullInt64
	if err := tx.QueryRow(`SELECT max(id) FROM events WHERE time < ?`, base).Scan(&ev); err != nil {
		return 0, err
	}
	if !ev.Valid {
		// a new hub: the tag's first event
		if err := tx.QueryRow(`SELECT min(create_event) FROM tag_config WHERE tag_id = ?`, tagID).Scan(&ev); err != nil {
			return 0, err
		}
	}
	if ev.Valid && ev.Int64 < last {
		return ev.Int64, nil
	}
	return last, nil
}

// RepoRequestCreate is repo.request(tag, min_event=None, at_event=None,
// opts=None, priority=None, force=False) (Koji's request_repo).
func (h *Hub) RepoRequestCreate(ctx context.Context, tag koji.Ref, o RepoRequestOpts) (*RepoRequestResult, error) {
	opts, err := convertRepoOpts(o.Opts)
	if err != nil {
		return nil, err
	}
	ret := &RepoRequestResult{}
	err = h.write(ctx, func(tx *store.Tx) error {
		*ret = RepoRequestResult{}
		c, err := h.loggedIn(ctx, tx)
		if err != nil {
			return err
		}
		tagID, _, err := mustTag(tx, tag)
		if err != nil {
			return err
		}
		if opts["maven"] {
			return fault(koji.GenericError, "Maven support not enabled")
		}
		var minEvent, atEvent *int64
		switch {
		case o.AtEvent != nil:
			if o.MinEvent != nil {
				return fault(koji.ParameterError, "The min_event and at_event options conflict")
			}
			v := int64(*o.AtEvent)
			if ok, err := eventExists(tx, v); err != nil {
				return err
			} else if !ok {
				return fault(koji.ParameterError, "Invalid event: %d", v)
			}
			atEvent = &v
		case o.MinEvent == "last":
			v, err := tagLastChange(tx, tagID)
			if err != nil {
				return err
			}
			minEvent = &v
		case o.MinEvent == nil:
			v, err := defaultMinEvent(tx, tagID)
			if err != nil {
				return err
			}
			minEvent = &v
		default:
			v, ok := xmlrpc.Int(o.MinEvent)
			if !ok {
				return fault(koji.ParameterError, "Invalid value for min_event: %s", pyRepr(o.MinEvent))
			}
			if ok, err := eventExists(tx, v); err != nil {
				return err
			} else if !ok {
				return fault(koji.ParameterError, "Invalid event: %d", v)
			}
			minEvent = &v
		}
		prio := koji.PriorityDefault
		if o.Priority != nil {
			if *o.Priority < 0 {
				if ok, err := h.isAdmin(tx, c); err != nil {
					return err
				} else if !ok {
					return fault(koji.ActionNotAllowed, "only admins may create high-priority requests")
				}
			}
			prio += *o.Priority
		}
		if !o.Force {
			r, err := readBestRepo(tx, tagID, minEvent, atEvent, opts)
			if err != nil {
				return err
			}
			if r != nil {
				ret.Repo = r
				return nil
			}
		}
		ob, _ := json.Marshal(opts)
		where := ` WHERE q.tag_id = ? AND q.active = 1 AND q.opts = ?`
		qa := []any{tagID, string(ob)}
		if atEvent != nil {
			where += ` AND q.at_event = ?`
			qa = append(qa, *atEvent)
		} else {
			where += ` AND q.min_event >= ?`
			qa = append(qa, *minEvent)
		}
		dup, err := scanRequest(tx.QueryRow(queueSelect+where+` ORDER BY q.priority, q.id LIMIT 1`, qa...))
		if err == nil {
			if dup.Priority > prio {
				if _, err := tx.Exec(`UPDATE repo_queue SET priority = ? WHERE id = ?`, prio, dup.ID); err != nil {
					return err
				}
				dup.Priority = prio
			}
			ret.Request, ret.Duplicate = dup, true
			return nil
		} else if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		now := tx.NowTS()
		var at, mn any
		if atEvent != nil {
			at = *atEvent
		}
		if minEvent != nil {
			mn = *minEvent
		}
		id, err := tx.Insert(`INSERT INTO repo_queue (create_time, owner, priority, tag_id, at_event, min_event, opts, update_time)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, now, c.UserID, prio, tagID, at, mn, string(ob), now)
		if err != nil {
			return err
		}
		ret.Request, err = readRequest(tx, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	return ret, nil
}

// RepoCheckRequest is repo.checkRequest(req_id): {repo, request} and, while
// the request has a task but no repo, task (the task's info).
func (h *Hub) RepoCheckRequest(ctx context.Context, id int) (map[string]any, error) {
	var req *RepoRequest
	var repo *koji.Repo
	var task *koji.TaskInfo
	err := h.read(ctx, func(tx *store.Tx) error {
		var err error
		req, err = readRequest(tx, int64(id))
		if err != nil {
			return err
		}
		if req == nil {
			return fault(koji.GenericError, "No such request")
		}
		switch {
		case req.RepoID != nil:
			repo, err = scanRepo(tx.QueryRow(repoSelect+` WHERE r.id = ?`, *req.RepoID))
			if errors.Is(err, sql.ErrNoRows) {
				err = nil
			}
			return err
		case req.TaskID != nil:
			tctx := context.WithValue(ctx, txKey{}, tx)
			task, err = h.GetTaskInfo(tctx, *req.TaskID, koji.GetTaskInfoOpts{})
			return err
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := map[string]any{"repo": repo, "request": req}
	if req.RepoID == nil && task != nil {
		out["task"] = task
	}
	return out, nil
}

// RepoSetRequestPriority is repo.setRequestPriority(req_id, priority)
// (admin).
func (h *Hub) RepoSetRequestPriority(ctx context.Context, id, priority int) error {
	return h.write(ctx, func(tx *store.Tx) error {
		if _, err := h.permCaller(ctx, tx, "admin"); err != nil {
			return err
		}
		_, err := tx.Exec(`UPDATE repo_queue SET priority = ? WHERE id = ?`, priority, id)
		return err
	})
}

// RepoSetState is repo.setState(repo_id, state) (repo permission), with
// Koji's repo_set_state checks: states move forward (DELETED from any),
// DELETED is final, the same state is a no-op.
func (h *Hub) RepoSetState(ctx context.Context, id int, state int) error {
	return h.write(ctx, func(tx *store.Tx) error {
		_, err := h.permCaller(ctx, tx, "repo")
		if err != nil {
			return err
		}
		if state < 0 || state > int(koji.RepoProblem) {
			return fault(koji.ParameterError, "Unknown repo state: %d", state)
		}
		var old int
		if err := tx.QueryRow(`SELECT state FROM repo WHERE id = ?`, id).Scan(&old); errors.Is(err, sql.ErrNoRows) {
			return fault(koji.GenericError, "query returned no rows")
		} else if err != nil {
			return err
		}
		switch {
		case old > state && state != int(koji.RepoDeleted):
			return fault(koji.GenericError, "Invalid repo state transition for repo %d: %s -> %s", id, koji.RepoState(old), koji.RepoState(state))
		case old == state:
			return nil
		case old == int(koji.RepoDeleted):
			return fault(koji.GenericError, "Repo %d is deleted", id)
		}
		_, err = tx.Exec(`UPDATE repo SET state = ?, state_time = ? WHERE id = ?`, state, tx.NowTS(), id)
		if err == nil && state == int(koji.RepoReady) {
			err = fulfilRequests(tx, int64(id))
		}
		return err
	})
}

// fulfilRequests is Koji's repo_done_hook: the active requests of the
// repo's tag that it satisfies (events and options) get it as their repo
// and become inactive.
func fulfilRequests(tx *store.Tx, repoID int64) error {
	r, err := scanRepo(tx.QueryRow(repoSelect+` WHERE r.id = ?`, repoID))
	if err != nil {
		return err
	}
	if r.Dist || r.State != koji.RepoReady {
		return nil
	}
	rows, err := tx.Query(queueSelect+` WHERE q.tag_id = ? AND q.active = 1 AND q.repo_id IS NULL
		AND (q.min_event <= ? OR q.at_event = ?) ORDER BY q.id`, r.TagID, r.CreateEvent, r.CreateEvent)
	if err != nil {
		return err
	}
	var ids []int
	for rows.Next() {
		q, err := scanRequest(rows)
		if err != nil {
			rows.Close()
			return err
		}
		if requestSatisfied(q, r) {
			ids = append(ids, q.ID)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	now := tx.NowTS()
	for _, id := range ids {
		if _, err := tx.Exec(`UPDATE repo_queue SET repo_id = ?, active = 0, update_time = ? WHERE id = ?`, repoID, now, id); err != nil {
			return err
		}
	}
	return nil
}

// requestSatisfied is Koji's valid_repo.
func requestSatisfied(q *RepoRequest, r *koji.Repo) bool {
	if r.TagID != q.TagID || r.State != koji.RepoReady || r.Dist {
		return false
	}
	if q.AtEvent != nil {
		if r.CreateEvent != *q.AtEvent {
			return false
		}
	} else if q.MinEvent != nil && r.CreateEvent < *q.MinEvent {
		return false
	}
	want := map[string]bool{}
	for k, v := range q.Opts {
		want[k] = truthy(v)
	}
	return repoSatisfies(r, want)
}

// queryView is Koji's QueryView over rows already in their answer form:
// clauses [[field, op, value]...] (or [field, value]), fields ('*' the
// fields without joins, '**' all), opts order (comma-separated, '-' for
// descending), offset, limit, countOnly.
type queryView struct {
	fields   []string          // every field, in Koji's fieldmap order
	joins    map[string]string // field -> join key (absent: no join)
	defaults []string
}

var repoView = queryView{
	fields: []string{"id", "tag_id", "creation_time", "creation_ts", "state_time", "state_ts", "create_event", "create_ts",
		"begin_event", "begin_ts", "end_event", "end_ts", "state", "dist", "opts", "custom_opts", "task_id", "task_state", "tag_name"},
	joins:    map[string]string{"create_ts": "create_ev", "begin_ts": "begin_ev", "end_ts": "end_ev", "task_state": "task", "tag_name": "tag"},
	defaults: []string{"id", "tag_id", "create_event", "state", "dist", "task_id", "opts", "custom_opts"},
}

var queueView = queryView{
	fields: []string{"id", "create_time", "create_ts", "owner", "owner_name", "priority", "tag_id", "tag_name", "at_event",
		"min_event", "opts", "update_time", "update_ts", "active", "task_id", "task_state", "tries", "repo_id"},
	joins:    map[string]string{"owner_name": "users", "tag_name": "tag", "task_state": "task"},
	defaults: []string{"id", "tag_id", "at_event", "min_event", "create_ts", "task_id", "tries", "repo_id", "opts", "active", "update_ts"},
}

type qClause struct {
	field, op string
	value     any
}

func (v *queryView) known(f string) bool {
	for _, x := range v.fields {
		if x == f {
			return true
		}
	}
	return false
}

func invalidField(f any) error {
	return fault(koji.ParameterError, "Invalid field for query %v", f)
}

// run filters, orders, pages and projects rows (generic maps of every
// field).
func (v *queryView) run(rows []map[string]any, clausesArg, fieldsArg, optsArg any) (any, error) {
	joined := map[string]bool{}
	opts, _ := optsArg.(map[string]any)
	if optsArg != nil && opts == nil {
		return nil, fault(koji.ParameterError, "Invalid query options: %v", optsArg)
	}
	var order []string
	if s, ok := opts["order"].(string); ok && s != "" {
		order = strings.Split(s, ",")
		for _, k := range order {
			k = strings.TrimPrefix(k, "-")
			if !v.known(k) {
				return nil, invalidField(k)
			}
			if j := v.joins[k]; j != "" {
				joined[j] = true
			}
		}
	}
	var clauses []qClause
	if clausesArg != nil {
		cl, ok := clausesArg.([]any)
		if !ok {
			return nil, fault(koji.ParameterError, "Invalid clauses: %v", clausesArg)
		}
		for _, c := range cl {
			l, _ := c.([]any)
			var q qClause
			switch len(l) {
			case 2:
				q.field, _ = l[0].(string)
				q.value = l[1]
				q.op = "="
				if _, ok := l[1].([]any); ok {
					q.op = "IN"
				}
			case 3:
				q.field, _ = l[0].(string)
				op, _ := l[1].(string)
				q.op = strings.ToUpper(op)
				q.value = l[2]
				switch q.op {
				case "IN", "=", "!=", ">", "<", ">=", "<=", "IS", "IS NOT", "@>", "<@":
				default:
					return nil, fault(koji.ParameterError, "Invalid operator: %s", q.op)
				}
			default:
				return nil, fault(koji.ParameterError, "Invalid clause: %v", c)
			}
			if !v.known(q.field) {
				return nil, invalidField(l[0])
			}
			if j := v.joins[q.field]; j != "" {
				joined[j] = true
			}
			clauses = append(clauses, q)
		}
	}
	var fields []string
	switch f := fieldsArg.(type) {
	case nil:
	case string:
		fields = []string{f}
	case []any:
		for _, x := range f {
			s, _ := x.(string)
			fields = append(fields, s)
		}
	default:
		return nil, fault(koji.ParameterError, "Invalid fields: %v", fieldsArg)
	}
	if len(fields) == 0 {
		fields = v.defaults
	}
	var pick []string
	for _, f := range fields {
		switch f {
		case "*":
			for _, x := range v.fields {
				if j := v.joins[x]; j == "" || joined[j] {
					pick = append(pick, x)
				}
			}
		case "**":
			pick = append(pick, v.fields...)
		default:
			if !v.known(f) {
				return nil, invalidField(f)
			}
			pick = append(pick, f)
		}
	}
	var kept []map[string]any
	for _, r := range rows {
		ok := true
		for _, c := range clauses {
			if !clauseMatch(r[c.field], c.op, c.value) {
				ok = false
				break
			}
		}
		if ok {
			kept = append(kept, r)
		}
	}
	if len(order) > 0 {
		sort.SliceStable(kept, func(i, j int) bool {
			for _, k := range order {
				desc := strings.HasPrefix(k, "-")
				k = strings.TrimPrefix(k, "-")
				c := orderCmp(kept[i][k], kept[j][k])
				if c == 0 {
					continue
				}
				if desc {
					return c > 0
				}
				return c < 0
			}
			return false
		})
	}
	if n, ok := xmlrpc.Int(opts["offset"]); ok && n > 0 {
		if int(n) >= len(kept) {
			kept = nil
		} else {
			kept = kept[n:]
		}
	}
	if n, ok := xmlrpc.Int(opts["limit"]); ok && n >= 0 && int(n) < len(kept) {
		kept = kept[:n]
	}
	if b, _ := opts["countOnly"].(bool); b {
		return int64(len(kept)), nil
	}
	out := make([]any, 0, len(kept))
	for _, r := range kept {
		m := make(map[string]any, len(pick))
		for _, f := range pick {
			m[f] = r[f]
		}
		out = append(out, m)
	}
	return out, nil
}

// orderCmp orders values as PostgreSQL does (NULLs after everything).
func orderCmp(a, b any) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return 1
	case b == nil:
		return -1
	}
	if c, ok := valCmp(a, b); ok {
		return c
	}
	return strings.Compare(fmt.Sprint(a), fmt.Sprint(b))
}

func num(v any) (float64, bool) {
	switch x := v.(type) {
	case int64:
		return float64(x), true
	case int:
		return float64(x), true
	case float64:
		return x, true
	}
	return 0, false
}

// valCmp compares two non-nil values of comparable kinds.
func valCmp(a, b any) (int, bool) {
	if x, ok := num(a); ok {
		if y, ok := num(b); ok {
			switch {
			case x < y:
				return -1, true
			case x > y:
				return 1, true
			}
			return 0, true
		}
		return 0, false
	}
	switch x := a.(type) {
	case string:
		if y, ok := b.(string); ok {
			return strings.Compare(x, y), true
		}
	case bool:
		if y, ok := b.(bool); ok {
			switch {
			case x == y:
				return 0, true
			case !x:
				return -1, true
			}
			return 1, true
		}
	}
	return 0, false
}

func jsonArg(v any) any {
	if s, ok := v.(string); ok {
		var out any
		if json.Unmarshal([]byte(s), &out) == nil {
			return out
		}
	}
	return v
}

// contains is jsonb's @>: a contains b.
func contains(a, b any) bool {
	switch y := b.(type) {
	case map[string]any:
		x, ok := a.(map[string]any)
		if !ok {
			return false
		}
		for k, bv := range y {
			av, ok := x[k]
			if !ok || !contains(av, bv) {
				return false
			}
		}
		return true
	case []any:
		x, ok := a.([]any)
		if !ok {
			return false
		}
		for _, bv := range y {
			found := false
			for _, av := range x {
				if contains(av, bv) {
					found = true
					break
				}
			}
			if !found {
				return false
			}
		}
		return true
	case nil:
		return a == nil
	}
	if a == nil {
		return false
	}
	c, ok := valCmp(a, b)
	return ok && c == 0
}

func clauseMatch(field any, op string, value any) bool {
	switch op {
	case "IS":
		if value == nil || field == nil {
			return value == nil && field == nil
		}
		c, ok := valCmp(field, value)
		return ok && c == 0
	case "IS NOT":
		return !clauseMatch(field, "IS", value)
	case "IN":
		l, _ := value.([]any)
		for _, v := range l {
			if clauseMatch(field, "=", v) {
				return true
			}
		}
		return false
	case "@>":
		return contains(field, jsonArg(value))
	case "<@":
		return contains(jsonArg(value), field)
	}
	if field == nil || value == nil {
		return false // SQL NULL
	}
	c, ok := valCmp(field, value)
	if !ok {
		return false
	}
	switch op {
	case "=":
		return c == 0
	case "!=":
		return c != 0
	case ">":
		return c > 0
	case "<":
		return c < 0
	case ">=":
		return c >= 0
	case "<=":
		return c <= 0
	}
	return false
}

func genericRows[T any](l []T) ([]map[string]any, error) {
	out := make([]map[string]any, 0, len(l))
	for _, x := range l {
		g, err := xmlrpc.Generic(x)
		if err != nil {
			return nil, err
		}
		m, _ := g.(map[string]any)
		out = append(out, m)
	}
	return out, nil
}

// RepoQuery is repo.query(clauses, fields=None, opts=None) (RepoQuery).
func (h *Hub) RepoQuery(ctx context.Context, clauses, fields, opts any) (any, error) {
	var repos []*koji.Repo
	err := h.read(ctx, func(tx *store.Tx) error {
		var err error
		repos, err = readRepos(tx, ` ORDER BY r.id`)
		return err
	})
	if err != nil {
		return nil, err
	}
	g, err := genericRows(repos)
	if err != nil {
		return nil, err
	}
	return repoView.run(g, clauses, fields, opts)
}

// RepoQueryQueue is repo.queryQueue(clauses=None, fields=None, opts=None)
// (RepoQueueQuery).
func (h *Hub) RepoQueryQueue(ctx context.Context, clauses, fields, opts any) (any, error) {
	var reqs []*RepoRequest
	err := h.read(ctx, func(tx *store.Tx) error {
		rows, err := tx.Query(queueSelect + ` ORDER BY q.id`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			r, err := scanRequest(rows)
			if err != nil {
				return err
			}
			reqs = append(reqs, r)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	g, err := genericRows(reqs)
	if err != nil {
		return nil, err
	}
	return queueView.run(g, clauses, fields, opts)
}

// RepoReferences is repo.references(repo_id) (Koji's repo_references): the
// buildroots not retired that use the repo, as {id, host_id, task_id,
// create_event, state}; expired ones are left out.
func (h *Hub) RepoReferences(ctx context.Context, repoID int) ([]any, error) {
	out := []any{}
	err := h.read(ctx, func(tx *store.Tx) error {
		rows, err := tx.Query(`SELECT id, host_id, task_id, create_event, state FROM buildroot
			WHERE repo_id = ? AND retire_event IS NULL ORDER BY id`, repoID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id, ev int64
			var host, task, state sql.NullInt64
			if err := rows.Scan(&id, &host, &task, &ev, &state); err != nil {
				return err
			}
			if state.Valid && state.Int64 == brExpired {
				continue
			}
			out = append(out, map[string]any{"id": id, "host_id": nullAny(host), "task_id": nullAny(task),
				"create_event": ev, "state": nullAny(state)})
		}
		return rows.Err()
	})
	return out, err
}

func nullAny(n sql.NullInt64) any {
	if n.Valid {
		return n.Int64
	}
	return nil
}

// readRepos reads the repos that repoSelect+tail selects.
func readRepos(tx *store.Tx, tail string, args ...any) ([]*koji.Repo, error) {
	rows, err := tx.Query(repoSelect+tail, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*koji.Repo
	for rows.Next() {
		r, err := scanRepo(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
