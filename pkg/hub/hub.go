// Package hub is the embedded Koji-compatible hub: Koji's model (in
// pkg/hub/store, SQLite) with Koji's semantics (inheritance, package lists
// and blocks, "latest", events, permissions), implementing koji.Hub
// in-process and served over Koji's XML-RPC dialect by Handler.
//
// Callers are identified through the context: WithCaller sets who is
// calling (a served request sets the session's user, or anonymous). A
// context without a caller is the in-process caller: the hub's local user,
// acting as admin (DESIGN.md, "In-process use").
//
// Tasks are only created here (the task engine is a separate component),
// except tagBuild, whose work is done at once in the same transaction: the
// tagBuild task is created and immediately closed (or failed with the
// TagError the real task would raise), so "koji tag-build" and watchers see
// Koji's task life cycle.
package hub

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"os"
	"os/user"
	"time"

	"github.com/osg-htc/osg-build-go/internal/xmlrpc"
	"github.com/osg-htc/osg-build-go/pkg/hub/store"
	"github.com/osg-htc/osg-build-go/pkg/koji"
)

// KojiVersion is the hub version the embedded hub advertises: 1.35, whose
// repo request API (repo.request, repo.get, repo.checkRequest...,
// api_repos.go) a 1.35 koji CLI's wait-repo and regen-repo use; getRepo and
// newRepo stay for older clients.
const KojiVersion = "1.35.3"

// APIVersion is Koji's API_VERSION.
const APIVersion = 1

// Hub is the embedded hub. It is safe for concurrent use.
type Hub struct {
	db        *store.DB
	localUser string
	now       func() time.Time
	runner    TaskRunner
}

var _ koji.Hub = (*Hub)(nil)

// Option configures Open.
type Option func(*options)

type options struct {
	localUser string
	now       func() time.Time
	runner    TaskRunner
}

// WithLocalUser sets the name of the in-process (local admin) user. By
// default it is the admin the hub was created with (recorded in the hub),
// or, for a new hub, the login name of the process.
func WithLocalUser(name string) Option { return func(o *options) { o.localUser = name } }

// WithTaskRunner sets what runs the tasks in-process commands create
// (RunTasks): pkg/hub/engine's RunUntilIdle. Without one, tasks wait for a
// served hub's engine.
func WithTaskRunner(r TaskRunner) Option { return func(o *options) { o.runner = r } }

// WithClock sets the hub's clock (tests).
func WithClock(now func() time.Time) Option { return func(o *options) { o.now = now } }

// Open opens the hub in dir (created if needed; "" means store.DefaultDir).
// The local user is created on first use and granted admin.
func Open(ctx context.Context, dir string, opts ...Option) (*Hub, error) {
	o := options{now: time.Now}
	for _, f := range opts {
		f(&o)
	}
	if dir == "" {
		d, err := store.DefaultDir(os.Getenv)
		if err != nil {
			return nil, err
		}
		dir = d
	}
	db, err := store.Open(ctx, dir, store.Options{Now: o.now})
	if err != nil {
		return nil, err
	}
	h := &Hub{db: db, localUser: o.localUser, now: o.now, runner: o.runner}
	if err := h.ensureLocalUser(ctx, o.localUser == ""); err != nil {
		db.Close()
		return nil, err
	}
	return h, nil
}

func localUserName() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	if n := os.Getenv("USER"); n != "" {
		return n
	}
	return "admin"
}

// Close closes the hub's database.
func (h *Hub) Close() error { return h.db.Close() }

// Store is the hub's store (tests, the task engine).
func (h *Hub) Store() *store.DB { return h.db }

// Dir is the hub directory.
func (h *Hub) Dir() string { return h.db.Dir() }

// TopDir is the directory of files in Koji's layout (served as /kojifiles).
func (h *Hub) TopDir() string { return h.db.TopDir() }

// LocalUser is the name of the in-process admin user.
func (h *Hub) LocalUser() string { return h.localUser }

// settingLocalUser is the hub setting naming the in-process admin.
const settingLocalUser = "local_user"

func (h *Hub) ensureLocalUser(ctx context.Context, fromSetting bool) error {
	return h.db.Write(ctx, func(tx *store.Tx) error {
		recorded, err := tx.Setting(settingLocalUser)
		if err != nil {
			return err
		}
		if fromSetting {
			h.localUser = recorded
			if h.localUser == "" {
				h.localUser = localUserName()
			}
		}
		if recorded == "" {
			if err := tx.SetSetting(settingLocalUser, h.localUser); err != nil {
				return err
			}
		}
		var id int64
		err = tx.QueryRow(`SELECT id FROM users WHERE name = ?`, h.localUser).Scan(&id)
		if err == nil {
			return nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		id, err = tx.Insert(`INSERT INTO users (name, status, usertype) VALUES (?, 0, 0)`, h.localUser)
		if err != nil {
			return fmt.Errorf("creating the local user %s: %w", h.localUser, err)
		}
		return tx.InsertVersioned("user_perms", id, []string{"user_id", "perm_id"}, []any{id, 1})
	})
}

// Caller is who is calling the hub.
type Caller struct {
	// UserID is the user's id; 0 for an anonymous caller.
	UserID int64
	// Name is the user's name.
	Name string
	// AuthType is how the session was authenticated (koji.AuthType).
	AuthType int
	// SessionID is the session's id (served callers).
	SessionID int64
	// LocalAdmin marks the in-process caller: every permission check passes.
	LocalAdmin bool
}

type callerKey struct{}
type txKey struct{}

// WithCaller returns a context in which the hub sees c as the caller. A nil
// c means anonymous.
func WithCaller(ctx context.Context, c *Caller) context.Context {
	if c == nil {
		c = &Caller{}
	}
	return context.WithValue(ctx, callerKey{}, c)
}

// caller returns the caller of ctx, resolving the in-process default.
func (h *Hub) caller(ctx context.Context, tx *store.Tx) (*Caller, error) {
	if c, ok := ctx.Value(callerKey{}).(*Caller); ok {
		return c, nil
	}
	var id int64
	if err := tx.QueryRow(`SELECT id FROM users WHERE name = ?`, h.localUser).Scan(&id); err != nil {
		return nil, fmt.Errorf("looking up the local user %s: %w", h.localUser, err)
	}
	return &Caller{UserID: id, Name: h.localUser, LocalAdmin: true}, nil
}

// withTx runs fn in the transaction of ctx (a multiCall) or a new one.
func (h *Hub) read(ctx context.Context, fn func(tx *store.Tx) error) error {
	if tx, ok := ctx.Value(txKey{}).(*store.Tx); ok {
		return fn(tx)
	}
	return h.db.Read(ctx, fn)
}

func (h *Hub) write(ctx context.Context, fn func(tx *store.Tx) error) error {
	if tx, ok := ctx.Value(txKey{}).(*store.Tx); ok {
		if !tx.Writable() {
			return store.ErrReadOnly
		}
		return fn(tx)
	}
	return h.db.Write(ctx, fn)
}

// permCaller is the caller of ctx, who must have the permission perm.
func (h *Hub) permCaller(ctx context.Context, tx *store.Tx, perm string) (*Caller, error) {
	c, err := h.caller(ctx, tx)
	if err != nil {
		return nil, err
	}
	if err := h.assertPerm(tx, c, perm); err != nil {
		return nil, err
	}
	return c, nil
}

// liveTag reads a tag as it is at ev (nil: now); a tag unknown or deleted
// then is Koji's "No such tagInfo" fault.
func liveTag(tx *store.Tx, ref koji.Ref, ev *int64) (*tagRow, error) {
	id, _, err := mustTag(tx, ref)
	if err != nil {
		return nil, err
	}
	t, err := readTag(tx, id, ev)
	if err != nil {
		return nil, err
	}
	if t == nil {
		return nil, fault(koji.GenericError, "No such tagInfo: %s", pyRepr(ref.Value()))
	}
	return t, nil
}

// tagWrite runs fn in a write transaction for a caller with the tag
// permission, on the tag (its id and name).
func (h *Hub) tagWrite(ctx context.Context, tag koji.Ref, fn func(tx *store.Tx, c *Caller, tid int64, tname string) error) error {
	return h.write(ctx, func(tx *store.Tx) error {
		c, err := h.permCaller(ctx, tx, "tag")
		if err != nil {
			return err
		}
		t, err := liveTag(tx, tag, nil) // a deleted tag is no tag
		if err != nil {
			return err
		}
		return fn(tx, c, t.ID, t.Name)
	})
}

// InTransaction runs fn with a context whose hub calls all run in one write
// transaction; calls made through sub run in a savepoint each, rolled back
// when they fail (Koji's multiCall). wrote reports whether anything was
// written (an event was created).
func (h *Hub) InTransaction(ctx context.Context, fn func(ctx context.Context, sub func(func(ctx context.Context) error) error) error) (wrote bool, err error) {
	err = h.db.Write(ctx, func(tx *store.Tx) error {
		wrote = false
		tctx := context.WithValue(ctx, txKey{}, tx)
		sub := func(call func(ctx context.Context) error) error {
			return tx.Savepoint(func() error {
				err := call(tctx)
				if err == nil && tx.HasEvent() {
					wrote = true
				}
				return err
			})
		}
		return fn(tctx, sub)
	})
	return wrote, err
}

func fault(code int, format string, args ...any) error {
	return koji.NewFault(code, format, args...)
}

// pyRepr renders a value as Python's %r would (strings quoted).
func pyRepr(v any) string {
	switch x := v.(type) {
	case string:
		return "'" + x + "'"
	case koji.Ref:
		return pyRepr(x.Value())
	case nil:
		return "None"
	}
	return fmt.Sprint(v)
}

// tsTime converts stored seconds to a time.
func tsTime(f float64) time.Time {
	return time.UnixMicro(int64(math.Round(f * 1e6))).UTC()
}

func fmtTS(f float64) string { return koji.FormatTime(tsTime(f)) }

func optTime(f *float64) (*string, *float64) {
	if f == nil {
		return nil, nil
	}
	s := fmtTS(*f)
	v := roundTS(*f)
	return &s, &v
}

func roundTS(f float64) float64 { return math.Round(f*1e6) / 1e6 }

func intp(p *int64) *int {
	if p == nil {
		return nil
	}
	v := int(*p)
	return &v
}

func evp(p *int) *int64 {
	if p == nil {
		return nil
	}
	v := int64(*p)
	return &v
}

// --- permissions ---

// userPerms returns the permission names of a user, direct and through
// groups.
func userPerms(tx *store.Tx, userID int64) (map[string]bool, error) {
	rows, err := tx.Query(`SELECT p.name FROM user_perms up JOIN permissions p ON p.id = up.perm_id
		WHERE up.active = 1 AND (up.user_id = ? OR up.user_id IN
			(SELECT group_id FROM user_groups WHERE user_id = ? AND active = 1))`, userID, userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		out[n] = true
	}
	return out, rows.Err()
}

func (h *Hub) hasPerm(tx *store.Tx, c *Caller, perm string) (bool, error) {
	if c.UserID == 0 {
		return false, nil
	}
	ps, err := userPerms(tx, c.UserID)
	if err != nil {
		return false, err
	}
	return ps[perm], nil
}

// loggedIn is caller for the calls that need a login (Koji's
// context.session.assertLogin); the local admin passes.
func (h *Hub) loggedIn(ctx context.Context, tx *store.Tx) (*Caller, error) {
	c, err := h.caller(ctx, tx)
	if err != nil {
		return nil, err
	}
	if err := assertLogin(c); err != nil && !c.LocalAdmin {
		return nil, err
	}
	return c, nil
}

// assertLogin refuses anonymous callers.
func assertLogin(c *Caller) error {
	if c.UserID == 0 {
		return fault(koji.ActionNotAllowed, "you must be logged in for this operation")
	}
	return nil
}

// assertPerm is Koji's session.assertPerm: the permission or admin.
func (h *Hub) assertPerm(tx *store.Tx, c *Caller, perm string) error {
	if c.LocalAdmin {
		return nil
	}
	if c.UserID != 0 {
		ps, err := userPerms(tx, c.UserID)
		if err != nil {
			return err
		}
		if ps[perm] || ps["admin"] {
			return nil
		}
		return fault(koji.ActionNotAllowed, "%s permission required (logged in as %s)", perm, c.Name)
	}
	return fault(koji.ActionNotAllowed, "%s permission required (user not logged in)", perm)
}

func (h *Hub) isAdmin(tx *store.Tx, c *Caller) (bool, error) {
	if c.LocalAdmin {
		return true, nil
	}
	return h.hasPerm(tx, c, "admin")
}

// --- lookups ---

// tagID resolves a tag Ref; strict makes a miss a fault.
func tagID(tx *store.Tx, r koji.Ref) (int64, string, error) {
	var id int64
	var name string
	var err error
	switch {
	case r.IsID():
		id, name, err = lookupTagID(tx, int64(r.ID), "")
	case r.Name != "":
		id, name, err = lookupTagID(tx, 0, r.Name)
	case r.Fields != nil:
		if n, ok := r.Fields["name"].(string); ok {
			id, name, err = lookupTagID(tx, 0, n)
		} else if i, ok := xmlrpc.Int(r.Fields["id"]); ok {
			id, name, err = lookupTagID(tx, i, "")
		}
	}
	return id, name, err
}

func mustTag(tx *store.Tx, r koji.Ref) (int64, string, error) {
	id, name, err := tagID(tx, r)
	if err != nil {
		return 0, "", err
	}
	if id == 0 {
		return 0, "", fault(koji.GenericError, "No such tagInfo: %s", pyRepr(r.Value()))
	}
	return id, name, nil
}

// userID resolves a user Ref (0 when absent).
func userID(tx *store.Tx, r koji.Ref) (int64, string, error) {
	var id int64
	var name string
	var err error
	switch {
	case r.IsID():
		err = tx.QueryRow(`SELECT id, name FROM users WHERE id = ?`, r.ID).Scan(&id, &name)
	case r.Name != "":
		err = tx.QueryRow(`SELECT id, name FROM users WHERE name = ?`, r.Name).Scan(&id, &name)
		if errors.Is(err, sql.ErrNoRows) {
			err = tx.QueryRow(`SELECT u.id, u.name FROM users u JOIN user_krb_principals k ON k.user_id = u.id WHERE k.krb_principal = ?`, r.Name).Scan(&id, &name)
		}
	case r.Fields != nil:
		if n, ok := r.Fields["name"].(string); ok {
			return userID(tx, koji.ByName(n))
		}
		if i, ok := xmlrpc.Int(r.Fields["id"]); ok {
			return userID(tx, koji.ByID(int(i)))
		}
	}
	if errors.Is(err, sql.ErrNoRows) {
		return 0, "", nil
	}
	return id, name, err
}

func mustUser(tx *store.Tx, r koji.Ref) (int64, string, error) {
	id, name, err := userID(tx, r)
	if err == nil && id == 0 {
		err = fault(koji.GenericError, "No such user: %s", pyRepr(r.Value()))
	}
	return id, name, err
}

// packageID resolves a package Ref (0 when absent).
func packageID(tx *store.Tx, r koji.Ref) (int64, string, error) {
	var id int64
	var name string
	var err error
	switch {
	case r.IsID():
		err = tx.QueryRow(`SELECT id, name FROM package WHERE id = ?`, r.ID).Scan(&id, &name)
	case r.Name != "":
		err = tx.QueryRow(`SELECT id, name FROM package WHERE name = ?`, r.Name).Scan(&id, &name)
	case r.Fields != nil:
		if n, ok := r.Fields["name"].(string); ok {
			return packageID(tx, koji.ByName(n))
		}
	}
	if errors.Is(err, sql.ErrNoRows) {
		return 0, "", nil
	}
	return id, name, err
}

func ensurePackage(tx *store.Tx, name string) (int64, error) {
	id, _, err := packageID(tx, koji.ByName(name))
	if err != nil || id != 0 {
		return id, err
	}
	return tx.Insert(`INSERT INTO package (name) VALUES (?)`, name)
}

// findBuild resolves a build Ref: id, "N-V-R" or {name, version, release}.
func findBuild(tx *store.Tx, r koji.Ref) (*buildRow, error) {
	var row *store.Row
	switch {
	case r.IsID():
		row = tx.QueryRow(buildSelect+buildFrom+` WHERE b.id = ?`, r.ID)
	case r.Name != "":
		n, v, rel, ok := splitNVR(r.Name)
		if !ok {
			return nil, fault(koji.GenericError, "invalid format: %s", r.Name)
		}
		row = tx.QueryRow(buildSelect+buildFrom+` WHERE p.name = ? AND b.version = ? AND b.release = ?`, n, v, rel)
	case r.Fields != nil:
		if i, ok := xmlrpc.Int(r.Fields["id"]); ok {
			return findBuild(tx, koji.ByID(int(i)))
		}
		n, _ := r.Fields["name"].(string)
		v, _ := r.Fields["version"].(string)
		rel, _ := r.Fields["release"].(string)
		row = tx.QueryRow(buildSelect+buildFrom+` WHERE p.name = ? AND b.version = ? AND b.release = ?`, n, v, rel)
	default:
		return nil, nil
	}
	b, err := scanBuild(row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return b, err
}

func mustBuild(tx *store.Tx, r koji.Ref) (*buildRow, error) {
	b, err := findBuild(tx, r)
	if err == nil && b == nil {
		err = fault(koji.GenericError, "No such build: %s", pyRepr(r.Value()))
	}
	return b, err
}

// splitNVR splits N-V-R at the last two dashes.
func splitNVR(s string) (n, v, r string, ok bool) {
	i := lastIndex(s, '-')
	if i <= 0 {
		return "", "", "", false
	}
	j := lastIndex(s[:i], '-')
	if j <= 0 {
		return "", "", "", false
	}
	return s[:j], s[j+1 : i], s[i+1:], true
}

func lastIndex(s string, c byte) int {
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] == c {
			return i
		}
	}
	return -1
}
