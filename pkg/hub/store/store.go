// Package store is the SQLite store of the embedded Koji-compatible hub.
//
// It holds Koji's data model (schemas/schema.sql of Koji 1.35, adapted to
// SQLite) in hub.db inside the hub directory, with embedded, versioned
// migrations. It knows nothing of Koji's semantics: it offers transactions,
// events and helpers for versioned tables. pkg/hub builds Koji's behaviour
// on top of it.
//
// Writes run in BEGIN IMMEDIATE transactions, serialised inside the process
// and retried when another process holds the write lock (SQLITE_BUSY). Each
// write transaction gets at most one new event, created lazily by the first
// versioned write (Tx.Event). Savepoints let a multiCall run every call in
// one transaction and roll back only the calls that fault.
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// DBFile is the name of the database file inside the hub directory.
const DBFile = "hub.db"

// TopDir is the name of the directory, inside the hub directory, that holds
// the files in Koji's layout (packages/, work/, repos/, scratch/).
const TopDir = "topdir"

// DefaultDir returns the default hub directory:
// ${XDG_DATA_HOME:-~/.local/share}/osg-build/hub.
func DefaultDir(getenv func(string) string) (string, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	if d := getenv("XDG_DATA_HOME"); d != "" {
		return filepath.Join(d, "osg-build", "hub"), nil
	}
	home := getenv("HOME")
	if home == "" {
		h, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("finding the default hub directory: %w (set XDG_DATA_HOME or HOME)", err)
		}
		home = h
	}
	return filepath.Join(home, ".local", "share", "osg-build", "hub"), nil
}

// DB is an open hub database.
type DB struct {
	db     *sql.DB
	dir    string
	wslot  chan *slot // the writer connection (one: serialises writers in the process)
	rslots chan *slot // reader connections
	now    func() time.Time
	closed bool
}

// Options tune Open.
type Options struct {
	// Now returns the current time (tests); time.Now when nil.
	Now func() time.Time
	// BusyTimeout is SQLite's busy_timeout; 10 s when zero.
	BusyTimeout time.Duration
}

// Open opens (creating if needed) the hub database in dir and migrates it to
// the current schema. The directory and its topdir are created.
func Open(ctx context.Context, dir string, opts Options) (*DB, error) {
	if dir == "" {
		return nil, errors.New("opening the hub: no hub directory given")
	}
	if err := os.MkdirAll(filepath.Join(dir, TopDir), 0o755); err != nil {
		return nil, fmt.Errorf("creating the hub directory: %w", err)
	}
	bt := opts.BusyTimeout
	if bt <= 0 {
		bt = 10 * time.Second
	}
	q := url.Values{}
	q.Add("_pragma", "busy_timeout("+strconv.Itoa(int(bt/time.Millisecond))+")")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(NORMAL)")
	dsn := "file:" + filepath.Join(dir, DBFile) + "?" + q.Encode()
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("opening %s: %w", filepath.Join(dir, DBFile), err)
	}
	db.SetMaxOpenConns(nReaders + 2)
	db.SetMaxIdleConns(nReaders + 2)
	d := &DB{db: db, dir: dir, now: opts.Now, wslot: make(chan *slot, 1), rslots: make(chan *slot, nReaders)}
	d.wslot <- nil
	for i := 0; i < nReaders; i++ {
		d.rslots <- nil
	}
	if d.now == nil {
		d.now = time.Now
	}
	if err := d.migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return d, nil
}

// Dir is the hub directory.
func (d *DB) Dir() string { return d.dir }

// TopDir is the directory of files in Koji's layout.
func (d *DB) TopDir() string { return filepath.Join(d.dir, TopDir) }

// Now is the store's clock.
func (d *DB) Now() time.Time { return d.now() }

// SQL returns the underlying database (for checks such as integrity_check).
func (d *DB) SQL() *sql.DB { return d.db }

// Close closes the database.
func (d *DB) Close() error {
	if d.closed {
		return nil
	}
	d.closed = true
	for _, ch := range []chan *slot{d.wslot, d.rslots} {
		for i := 0; i < cap(ch); i++ {
			if s := <-ch; s != nil {
				s.close()
			}
		}
	}
	return d.db.Close()
}

type migration struct {
	version int
	name    string
	sql     string
}

func migrations() ([]migration, error) {
	ents, err := fs.ReadDir(migrationFS, "migrations")
	if err != nil {
		return nil, err
	}
	var ms []migration
	for _, e := range ents {
		name := e.Name()
		num, _, ok := strings.Cut(name, "_")
		if !ok || !strings.HasSuffix(name, ".sql") {
			return nil, fmt.Errorf("migration %s: name must be NNNN_what.sql", name)
		}
		v, err := strconv.Atoi(num)
		if err != nil {
			return nil, fmt.Errorf("migration %s: %w", name, err)
		}
		b, err := migrationFS.ReadFile("migrations/" + name)
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{version: v, name: name, sql: string(b)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	return ms, nil
}

// SchemaVersion is the schema version this code migrates to.
func SchemaVersion() int {
	ms, _ := migrations()
	if len(ms) == 0 {
		return 0
	}
	return ms[len(ms)-1].version
}

func (d *DB) migrate(ctx context.Context) error {
	ms, err := migrations()
	if err != nil {
		return fmt.Errorf("reading embedded migrations: %w", err)
	}
	return d.Write(ctx, func(tx *Tx) error {
		c := tx.slot.c
		if _, err := c.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL, applied REAL NOT NULL)`); err != nil {
			return err
		}
		var cur sql.NullInt64
		if err := c.QueryRowContext(ctx, `SELECT max(version) FROM schema_version`).Scan(&cur); err != nil {
			return err
		}
		latest := 0
		if len(ms) > 0 {
			latest = ms[len(ms)-1].version
		}
		if int(cur.Int64) > latest {
			return fmt.Errorf("hub database %s has schema version %d, newer than this osg-build knows (%d): use a newer osg-build", filepath.Join(d.dir, DBFile), cur.Int64, latest)
		}
		for _, m := range ms {
			if m.version <= int(cur.Int64) {
				continue
			}
			if _, err := c.ExecContext(ctx, m.sql); err != nil {
				return fmt.Errorf("applying migration %s: %w", m.name, err)
			}
			if _, err := c.ExecContext(ctx, `INSERT INTO schema_version (version, applied) VALUES (?, ?)`, m.version, ts(d.now())); err != nil {
				return err
			}
		}
		return nil
	})
}

func ts(t time.Time) float64 { return float64(t.UnixMicro()) / 1e6 }

// IsBusy reports whether err is SQLite's "database is locked/busy".
func IsBusy(err error) bool {
	var se *sqlite.Error
	if errors.As(err, &se) {
		c := se.Code() & 0xff
		return c == sqlite3.SQLITE_BUSY || c == sqlite3.SQLITE_LOCKED
	}
	return false
}

// IsConstraint reports whether err is a constraint violation (UNIQUE, CHECK, FK).
func IsConstraint(err error) bool {
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code()&0xff == sqlite3.SQLITE_CONSTRAINT
	}
	return false
}

// Querier is what both transactions kinds offer for queries.
type Querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *Row
}

// Tx is a read or write transaction.
type Tx struct {
	slot  *slot
	db    *DB
	write bool
	event int64 // 0 until the first versioned write
	now   time.Time
	sp    int
	ended bool
	marks []int64 // events saved by Mark
}

// Begin starts a transaction that the caller ends with Commit or Rollback.
// A write transaction (BEGIN IMMEDIATE) holds the process's writer
// connection until it ends; SQLITE_BUSY from another process is retried
// while beginning.
func (d *DB) Begin(ctx context.Context, write bool) (*Tx, error) {
	s, err := d.acquire(ctx, write)
	if err != nil {
		return nil, err
	}
	stmt := "BEGIN"
	if write {
		stmt = "BEGIN IMMEDIATE"
	}
	for attempt := 0; ; attempt++ {
		_, err = s.c.ExecContext(ctx, stmt)
		if err == nil || !IsBusy(err) || attempt >= 20 {
			break
		}
		select {
		case <-ctx.Done():
			err = ctx.Err()
		case <-time.After(time.Duration(attempt*attempt+1) * 10 * time.Millisecond):
			continue
		}
		break
	}
	if err != nil {
		d.release(s, write, !IsBusy(err) && ctx.Err() == nil)
		return nil, err
	}
	return &Tx{slot: s, db: d, write: write, now: d.now()}, nil
}

// Commit commits the transaction.
func (t *Tx) Commit() error {
	if t.ended {
		return errEnded
	}
	err := t.exec("COMMIT")
	if err != nil {
		_ = t.exec("ROLLBACK")
	}
	t.end()
	return err
}

// Rollback rolls the transaction back (a no-op once it has ended).
func (t *Tx) Rollback() error {
	if t.ended {
		return nil
	}
	err := t.exec("ROLLBACK")
	t.end()
	return err
}

func (t *Tx) end() {
	t.ended = true
	for _, cs := range t.slot.stmts {
		cs.busy = false // rows left open die with the transaction
	}
	t.db.release(t.slot, t.write, false)
}

// Write runs fn in a write transaction (BEGIN IMMEDIATE) and commits it;
// fn's error rolls everything back. A commit that fails with SQLITE_BUSY is
// retried, running fn again: fn must not have effects outside the
// transaction.
func (d *DB) Write(ctx context.Context, fn func(tx *Tx) error) error {
	for attempt := 0; ; attempt++ {
		tx, err := d.Begin(ctx, true)
		if err != nil {
			return err
		}
		if err := fn(tx); err != nil {
			tx.Rollback()
			return err
		}
		err = tx.Commit()
		if err == nil || !IsBusy(err) || attempt >= 5 {
			return err
		}
	}
}

// Read runs fn in a read transaction (a consistent snapshot).
func (d *DB) Read(ctx context.Context, fn func(tx *Tx) error) error {
	tx, err := d.Begin(ctx, false)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	return fn(tx)
}

// Writable reports whether the transaction may write.
func (t *Tx) Writable() bool { return t.write }

// Now is the transaction's time (fixed when it began).
func (t *Tx) Now() time.Time { return t.now }

// NowTS is Now as seconds since the epoch.
func (t *Tx) NowTS() float64 { return ts(t.now) }

// DB is the store the transaction belongs to.
func (t *Tx) DB() *DB { return t.db }

// ErrReadOnly is returned by write helpers called in a read transaction.
var ErrReadOnly = errors.New("hub store: write in a read-only transaction")

// Event returns this transaction's event id, creating the event on the
// first call (Koji's get_event: one event per writing call).
func (t *Tx) Event() (int64, error) {
	if !t.write {
		return 0, ErrReadOnly
	}
	if t.event != 0 {
		return t.event, nil
	}
	id, err := t.Insert(`INSERT INTO events (time) VALUES (?)`, t.NowTS())
	if err != nil {
		return 0, fmt.Errorf("creating an event: %w", err)
	}
	t.event = id
	return id, nil
}

// HasEvent reports whether this transaction (or savepoint) created an event.
func (t *Tx) HasEvent() bool { return t.event != 0 }

// Savepoint runs fn inside a SAVEPOINT: when fn fails, its changes are
// rolled back and the rest of the transaction is kept. The event cache is
// reset around it, so each savepoint's writes get their own event (Koji
// resets context.event_id between the calls of a multiCall).
func (t *Tx) Savepoint(fn func() error) (err error) {
	if !t.write {
		return fn()
	}
	t.sp++
	name := "sp" + strconv.Itoa(t.sp)
	if err := t.exec("SAVEPOINT " + name); err != nil {
		return err
	}
	saved := t.event
	t.event = 0
	defer func() {
		if err != nil {
			_ = t.exec("ROLLBACK TO " + name)
			_ = t.exec("RELEASE " + name)
			t.event = saved
			return
		}
		err = t.exec("RELEASE " + name)
		if t.event == 0 {
			t.event = saved
		}
	}()
	return fn()
}

// Revoke revokes the active rows of a versioned table that match where
// (an SQL condition over the table's columns, with args) at this
// transaction's event by user. It returns the number of rows revoked.
func (t *Tx) Revoke(table string, user int64, where string, args ...any) (int64, error) {
	ev, err := t.Event()
	if err != nil {
		return 0, err
	}
	q := "UPDATE " + table + " SET active = NULL, revoke_event = ?, revoker_id = ? WHERE active = 1 AND (" + where + ")"
	r, err := t.Exec(q, append([]any{ev, user}, args...)...)
	if err != nil {
		return 0, fmt.Errorf("revoking %s rows: %w", table, err)
	}
	return r.RowsAffected()
}

// InsertVersioned inserts one active row into a versioned table, created at
// this transaction's event by user. cols and vals are the table's own columns.
func (t *Tx) InsertVersioned(table string, user int64, cols []string, vals []any) error {
	ev, err := t.Event()
	if err != nil {
		return err
	}
	all := append(append([]string{}, cols...), "create_event", "creator_id", "active")
	ph := strings.TrimSuffix(strings.Repeat("?, ", len(all)), ", ")
	args := append(append([]any{}, vals...), ev, user, 1)
	q := "INSERT INTO " + table + " (" + strings.Join(all, ", ") + ") VALUES (" + ph + ")"
	if _, err := t.Exec(q, args...); err != nil {
		return fmt.Errorf("inserting into %s: %w", table, err)
	}
	return nil
}

// ActiveAt returns an SQL condition selecting the rows of a versioned table
// (alias a) in force at event ev, or the current rows when ev is nil.
func ActiveAt(a string, ev *int64) (string, []any) {
	p := ""
	if a != "" {
		p = a + "."
	}
	if ev == nil {
		return p + "active = 1", nil
	}
	return "(" + p + "create_event <= ? AND (" + p + "revoke_event IS NULL OR ? < " + p + "revoke_event))", []any{*ev, *ev}
}

// Setting reads a hub setting ("" when absent).
func (t *Tx) Setting(key string) (string, error) {
	var v string
	err := t.QueryRow(`SELECT value FROM hub_settings WHERE key = ?`, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return v, err
}

// SetSetting writes a hub setting.
func (t *Tx) SetSetting(key, value string) error {
	_, err := t.Exec(`INSERT INTO hub_settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`, key, value)
	return err
}

// IntegrityCheck runs PRAGMA integrity_check and returns its verdict ("ok").
func (d *DB) IntegrityCheck(ctx context.Context) (string, error) {
	var s string
	err := d.db.QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&s)
	return s, err
}

// Mark starts savepoint i (a multiCall entry): the event cache is reset so
// the entry's writes get their own event.
func (t *Tx) Mark(i int) error {
	if !t.write {
		return nil
	}
	if err := t.exec("SAVEPOINT mc" + strconv.Itoa(i)); err != nil {
		return err
	}
	t.marks = append(t.marks, t.event)
	t.event = 0
	return nil
}

// RollbackTo undoes savepoint i and ends it.
func (t *Tx) RollbackTo(i int) error {
	if !t.write {
		return nil
	}
	name := "mc" + strconv.Itoa(i)
	if err := t.exec("ROLLBACK TO " + name); err != nil {
		return err
	}
	err := t.exec("RELEASE " + name)
	t.popMark(true)
	return err
}

// Release keeps savepoint i's changes and ends it.
func (t *Tx) Release(i int) error {
	if !t.write {
		return nil
	}
	err := t.exec("RELEASE mc" + strconv.Itoa(i))
	t.popMark(false)
	return err
}

func (t *Tx) popMark(undo bool) {
	if n := len(t.marks); n > 0 {
		prev := t.marks[n-1]
		t.marks = t.marks[:n-1]
		if undo || t.event == 0 {
			t.event = prev
		}
	}
}
