package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func openTest(t *testing.T) *DB {
	t.Helper()
	d, err := Open(context.Background(), t.TempDir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

func TestOpenMigratesOnce(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	for i := 0; i < 2; i++ {
		d, err := Open(ctx, dir, Options{})
		if err != nil {
			t.Fatal(err)
		}
		var n, v int
		if err := d.SQL().QueryRow(`SELECT count(*), max(version) FROM schema_version`).Scan(&n, &v); err != nil {
			t.Fatal(err)
		}
		if ms, _ := migrations(); n != len(ms) || v != SchemaVersion() {
			t.Fatalf("schema_version rows=%d version=%d, want %d and %d", n, v, len(ms), SchemaVersion())
		}
		var perms int
		d.SQL().QueryRow(`SELECT count(*) FROM permissions`).Scan(&perms)
		if perms != 15 {
			t.Errorf("permissions = %d, want Koji's 15", perms)
		}
		var mode string
		d.SQL().QueryRow(`PRAGMA journal_mode`).Scan(&mode)
		if mode != "wal" {
			t.Errorf("journal_mode = %q", mode)
		}
		d.Close()
	}
	if _, err := filepath.Glob(filepath.Join(dir, TopDir)); err != nil {
		t.Fatal(err)
	}
}

func TestEventsAndSavepoints(t *testing.T) {
	d := openTest(t)
	ctx := context.Background()
	var evs []int64
	err := d.Write(ctx, func(tx *Tx) error {
		if _, err := tx.Exec(`INSERT INTO users (name) VALUES ('u')`); err != nil {
			return err
		}
		e1, _ := tx.Event()
		e2, _ := tx.Event()
		if e1 != e2 {
			t.Errorf("one transaction got two events %d %d", e1, e2)
		}
		evs = append(evs, e1)
		// a failing savepoint: its writes and event vanish
		err := tx.Savepoint(func() error {
			if _, err := tx.Exec(`INSERT INTO package (name) VALUES ('gone')`); err != nil {
				return err
			}
			if _, err := tx.Event(); err != nil {
				return err
			}
			return errors.New("fault")
		})
		if err == nil {
			t.Error("savepoint error lost")
		}
		// a good savepoint gets its own event
		return tx.Savepoint(func() error {
			e, err := tx.Event()
			evs = append(evs, e)
			_, err2 := tx.Exec(`INSERT INTO package (name) VALUES ('kept')`)
			return errors.Join(err, err2)
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	if evs[0] == evs[1] {
		t.Errorf("savepoint shared the event %v", evs)
	}
	var names []string
	rows, _ := d.SQL().Query(`SELECT name FROM package ORDER BY name`)
	for rows.Next() {
		var n string
		rows.Scan(&n)
		names = append(names, n)
	}
	rows.Close()
	if len(names) != 1 || names[0] != "kept" {
		t.Errorf("packages = %v, want [kept]", names)
	}
}

func TestVersionedHelpers(t *testing.T) {
	d := openTest(t)
	ctx := context.Background()
	var uid int64
	var e1, e2 int64
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(d.Write(ctx, func(tx *Tx) error {
		var err error
		uid, err = tx.Insert(`INSERT INTO users (name) VALUES ('admin')`)
		if err != nil {
			return err
		}
		tid, err := tx.Insert(`INSERT INTO tag (name) VALUES ('t')`)
		if err != nil {
			return err
		}
		e1, _ = tx.Event()
		return tx.InsertVersioned("tag_config", uid, []string{"tag_id", "arches"}, []any{tid, "x86_64"})
	}))
	must(d.Write(ctx, func(tx *Tx) error {
		if _, err := tx.Revoke("tag_config", uid, "tag_id = ?", 1); err != nil {
			return err
		}
		e2, _ = tx.Event()
		return tx.InsertVersioned("tag_config", uid, []string{"tag_id", "arches"}, []any{1, "aarch64"})
	}))
	arches := func(ev *int64) string {
		var a string
		must(d.Read(ctx, func(tx *Tx) error {
			cond, args := ActiveAt("", ev)
			return tx.QueryRow(`SELECT arches FROM tag_config WHERE tag_id = 1 AND `+cond, args...).Scan(&a)
		}))
		return a
	}
	if got := arches(&e1); got != "x86_64" {
		t.Errorf("at event %d arches = %q", e1, got)
	}
	if got := arches(&e2); got != "aarch64" {
		t.Errorf("at event %d arches = %q", e2, got)
	}
	if got := arches(nil); got != "aarch64" {
		t.Errorf("current arches = %q", got)
	}
	// two active rows for one tag are refused by the unique index
	err := d.Write(ctx, func(tx *Tx) error {
		return tx.InsertVersioned("tag_config", uid, []string{"tag_id", "arches"}, []any{1, "i386"})
	})
	if !IsConstraint(err) {
		t.Errorf("duplicate active row: err = %v, want a constraint error", err)
	}
}

// TestConcurrentWriters: writers from two store handles (as two processes
// would) on one file; nothing is lost.
func TestConcurrentWriters(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	a, err := Open(ctx, dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := Open(ctx, dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	var wg sync.WaitGroup
	deadline := time.Now().Add(time.Second)
	counts := make([]int, 8)
	errs := make(chan error, 8)
	for w := 0; w < 8; w++ {
		db := a
		if w%2 == 1 {
			db = b
		}
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for time.Now().Before(deadline) {
				err := db.Write(ctx, func(tx *Tx) error {
					if _, err := tx.Event(); err != nil {
						return err
					}
					_, err := tx.Exec(`INSERT INTO package (name) VALUES (?)`, time.Now().String()+string(rune('a'+w)))
					return err
				})
				if err != nil {
					errs <- err
					return
				}
				counts[w]++
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	total := 0
	for _, c := range counts {
		total += c
	}
	var n, ev int
	a.SQL().QueryRow(`SELECT count(*) FROM package`).Scan(&n)
	a.SQL().QueryRow(`SELECT count(*) FROM events`).Scan(&ev)
	if n != total || ev != total {
		t.Errorf("rows %d events %d, want %d", n, ev, total)
	}
	if s, err := a.IntegrityCheck(ctx); err != nil || s != "ok" {
		t.Errorf("integrity_check = %q, %v", s, err)
	}
	t.Logf("%d write transactions in 1 s from 8 writers over 2 handles", total)
}

// TestNestedSameQuery: a query run again while its first rows are still
// open (the cached statement is busy) gets its own statement.
func TestNestedSameQuery(t *testing.T) {
	d := openTest(t)
	ctx := context.Background()
	if err := d.Write(ctx, func(tx *Tx) error {
		for _, n := range []string{"a", "b", "c"} {
			if _, err := tx.Exec(`INSERT INTO package (name) VALUES (?)`, n); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	const q = `SELECT name FROM package WHERE name >= ? ORDER BY name`
	var got []string
	err := d.Read(ctx, func(tx *Tx) error {
		for i := 0; i < 2; i++ { // the second pass uses the cached statement
			got = got[:0]
			outer, err := tx.Query(q, "a")
			if err != nil {
				return err
			}
			for outer.Next() {
				var n string
				if err := outer.Scan(&n); err != nil {
					return err
				}
				inner, err := tx.Query(q, "c")
				if err != nil {
					return err
				}
				for inner.Next() {
					var m string
					inner.Scan(&m)
					got = append(got, n+m)
				}
				inner.Close()
			}
			if err := outer.Close(); err != nil {
				return err
			}
			var one string
			if err := tx.QueryRow(q, "b").Scan(&one); err != nil || one != "b" {
				return fmt.Errorf("QueryRow = %q, %v", one, err)
			}
			if err := tx.QueryRow(q, "z").Scan(&one); !errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("QueryRow of nothing: %v", err)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, " ") != "ac bc cc" {
		t.Errorf("nested results = %v", got)
	}
}
