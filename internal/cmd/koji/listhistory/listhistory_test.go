package listhistory

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/osg-htc/osg-build-go/internal/cmd/koji/shared/kojicmdtest"
	"github.com/osg-htc/osg-build-go/pkg/koji"
)

func Test_listHistoryRun(t *testing.T) {
	e := kojicmdtest.New(t)
	ctx := context.Background()
	e.Tag(t, "t1", "", "")
	e.Build(t, "t1", "foo", "1", "1")
	e.TagBuild(t, "t1", "foo-1-1")
	kojicmdtest.Must(t, e.Hub.UntagBuild(ctx, koji.ByName("t1"), koji.ByName("foo-1-1"), koji.UntagBuildOpts{}))
	e.TagBuild(t, "t1", "foo-1-1")

	opts := ListHistoryOptions{Common: e.Common(), Build: "foo-1-1", UTC: true, Events: true}
	kojicmdtest.Must(t, listHistoryRun(ctx, &opts))
	lines := strings.Split(strings.TrimSuffix(e.Out.String(), "\n"), "\n")
	if len(lines) != 3 {
		t.Fatalf("want 3 lines:\n%s", e.Out)
	}
	for i, want := range []string{
		"foo-1-1 tagged into t1 by tester",
		"foo-1-1 untagged from t1 by tester",
		"foo-1-1 tagged into t1 by tester [still active]",
	} {
		if !strings.HasSuffix(lines[i], want) || !strings.HasPrefix(lines[i], "Fri Jan  2 03:04:") || !strings.Contains(lines[i], " 2026 (eid ") {
			t.Errorf("line %d = %q, want the time, the event and %q", i, lines[i], want)
		}
	}

	e.Reset()
	opts = ListHistoryOptions{Common: e.Common(), Tag: "t1", Active: true, UTC: true}
	kojicmdtest.Must(t, listHistoryRun(ctx, &opts))
	out := e.Out.String()
	for _, want := range []string{"new tag: t1 by tester [still active]", "package list entry created: foo in t1 by tester [still active]",
		"package owner tester set for foo in t1 by tester [still active]", "foo-1-1 tagged into t1 by tester [still active]"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "untagged") {
		t.Errorf("--active shows revoked entries:\n%s", out)
	}
}

func TestLinesEdit(t *testing.T) {
	// a revoke and a create of the same row in one event are one edit
	ts := 1767323045.0
	hist := koji.History{"tag_inheritance": {
		{"create_event": 2, "revoke_event": 5, "create_ts": ts, "revoke_ts": ts + 3, "creator_name": "a", "revoker_name": "b",
			"tag_id": 1, "parent_id": 2, "tag.name": "c", "parent.name": "p", "active": nil},
		{"create_event": 5, "revoke_event": nil, "create_ts": ts + 3, "creator_name": "b",
			"tag_id": 1, "parent_id": 2, "tag.name": "c", "parent.name": "p", "active": true},
	}}
	got := Lines(hist, time.UTC, false)
	want := []string{
		"Fri Jan  2 03:04:05 2026 inheritance line c->p added by a",
		"Fri Jan  2 03:04:08 2026 inheritance line c->p updated by b",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func Test_NewCmdListHistory(t *testing.T) {
	e := kojicmdtest.New(t)
	cmd := NewCmdListHistory(e.Factory(), func(*ListHistoryOptions) error { return nil })
	if err := kojicmdtest.Exec(cmd); err == nil {
		t.Error("unlimited query accepted without --all")
	}
	kojicmdtest.Must(t, kojicmdtest.Exec(cmd, "--all"))
}
