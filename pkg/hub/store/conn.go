package store

import (
	"context"
	"database/sql"
	"errors"
)

// Connections: the store keeps its connections checked out of database/sql
// for its whole life ("slots": one writer, several readers), each with a
// cache of prepared statements. SQLite's parser and planner cost more than
// most of the hub's queries themselves; a prepared statement is parsed
// once per connection.
//
// A cached statement is used by one query at a time: while the rows of a
// query are open, the same query text is prepared afresh instead.

// maxSlotStmts bounds a slot's statement cache (queries built with
// variable IN lists are not worth keeping).
const maxSlotStmts = 256

// nReaders is the number of reader connections.
const nReaders = 8

type slot struct {
	c     *sql.Conn
	stmts map[string]*cachedStmt
}

type cachedStmt struct {
	st   *sql.Stmt
	busy bool
}

func (s *slot) close() {
	for _, cs := range s.stmts {
		cs.st.Close()
	}
	s.c.Close()
}

// acquire takes a slot (a writer when write), opening its connection on
// first use.
func (d *DB) acquire(ctx context.Context, write bool) (*slot, error) {
	ch := d.rslots
	if write {
		ch = d.wslot
	}
	var s *slot
	select {
	case s = <-ch:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if s != nil {
		return s, nil
	}
	c, err := d.db.Conn(ctx)
	if err != nil {
		ch <- nil
		return nil, err
	}
	return &slot{c: c, stmts: map[string]*cachedStmt{}}, nil
}

// release gives a slot back; a broken one is closed and replaced.
func (d *DB) release(s *slot, write, broken bool) {
	ch := d.rslots
	if write {
		ch = d.wslot
	}
	if broken {
		s.close()
		s = nil
	}
	ch <- s
}

// stmt returns the cached prepared statement for q when it is free.
func (s *slot) stmt(ctx context.Context, q string) *cachedStmt {
	cs, ok := s.stmts[q]
	if ok {
		if cs.busy {
			return nil
		}
		return cs
	}
	if len(s.stmts) >= maxSlotStmts {
		return nil
	}
	st, err := s.c.PrepareContext(ctx, q)
	if err != nil {
		return nil // the error comes again from the unprepared path
	}
	cs = &cachedStmt{st: st}
	s.stmts[q] = cs
	return cs
}

// Rows are the rows of a query (database/sql's, releasing the cached
// statement when closed or read to the end).
type Rows struct {
	*sql.Rows
	cs *cachedStmt
}

func (r *Rows) done() {
	if r.cs != nil {
		r.cs.busy = false
		r.cs = nil
	}
}

// Next prepares the next row (see sql.Rows.Next).
func (r *Rows) Next() bool {
	if r.Rows.Next() {
		return true
	}
	r.done()
	return false
}

// Close closes the rows.
func (r *Rows) Close() error {
	err := r.Rows.Close()
	r.done()
	return err
}

// Row is the result of QueryRow (see sql.Row).
type Row struct {
	rows *Rows
	err  error
}

// Scan copies the row's columns into dest; sql.ErrNoRows when there is none.
func (r *Row) Scan(dest ...any) error {
	if r.err != nil {
		return r.err
	}
	defer r.rows.Close()
	if !r.rows.Next() {
		if err := r.rows.Err(); err != nil {
			return err
		}
		return sql.ErrNoRows
	}
	if err := r.rows.Scan(dest...); err != nil {
		return err
	}
	return r.rows.Close()
}

// Err is the error of the query, if any.
func (r *Row) Err() error { return r.err }

// ExecContext runs a statement.
func (t *Tx) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	if cs := t.slot.stmt(ctx, q); cs != nil {
		return cs.st.ExecContext(ctx, args...)
	}
	return t.slot.c.ExecContext(ctx, q, args...)
}

// QueryContext runs a query.
func (t *Tx) QueryContext(ctx context.Context, q string, args ...any) (*Rows, error) {
	if cs := t.slot.stmt(ctx, q); cs != nil {
		cs.busy = true
		rows, err := cs.st.QueryContext(ctx, args...)
		if err != nil {
			cs.busy = false
			return nil, err
		}
		return &Rows{Rows: rows, cs: cs}, nil
	}
	rows, err := t.slot.c.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	return &Rows{Rows: rows}, nil
}

// QueryRowContext runs a query returning one row.
func (t *Tx) QueryRowContext(ctx context.Context, q string, args ...any) *Row {
	rows, err := t.QueryContext(ctx, q, args...)
	return &Row{rows: rows, err: err}
}

// Exec runs a statement with a background context.
func (t *Tx) Exec(q string, args ...any) (sql.Result, error) {
	return t.ExecContext(context.Background(), q, args...)
}

// exec runs transaction control without the statement cache.
func (t *Tx) exec(q string) error {
	_, err := t.slot.c.ExecContext(context.Background(), q)
	return err
}

// Insert runs an INSERT and returns the new row id.
func (t *Tx) Insert(q string, args ...any) (int64, error) {
	r, err := t.ExecContext(context.Background(), q, args...)
	if err != nil {
		return 0, err
	}
	return r.LastInsertId()
}

// Query runs a query with a background context.
func (t *Tx) Query(q string, args ...any) (*Rows, error) {
	return t.QueryContext(context.Background(), q, args...)
}

// QueryRow runs a one-row query with a background context.
func (t *Tx) QueryRow(q string, args ...any) *Row {
	return t.QueryRowContext(context.Background(), q, args...)
}

var errEnded = errors.New("hub store: the transaction has ended")
