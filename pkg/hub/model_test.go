package hub

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/osg-htc/osg-build-go/pkg/hub/store"
	"github.com/osg-htc/osg-build-go/pkg/koji"
)

func testHub(t *testing.T) *Hub {
	t.Helper()
	h, err := Open(context.Background(), t.TempDir(), WithLocalUser("kojiadmin"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	return h
}

// TestRecycleRules: FAILED and CANCELED builds are reused, BUILDING ones
// are in progress, COMPLETE ones exist; a build with tag history is not
// recycled (koji.md 5.6).
func TestRecycleRules(t *testing.T) {
	h := testHub(t)
	ctx := context.Background()
	mk := func(nvr []string, state int) (int64, error) {
		var id int64
		err := h.db.Write(ctx, func(tx *store.Tx) error {
			var err error
			task := int64(0)
			var tp *int64
			if state == 0 {
				task, err = makeTask(tx, taskSpec{Method: "build", Owner: 1})
				if err != nil {
					return err
				}
				tp = &task
			}
			id, err = newBuild(tx, nvr[0], nvr[1], nvr[2], nil, 1, state, tp, false)
			return err
		})
		return id, err
	}
	failed, err := mk([]string{"r", "1", "1"}, 3)
	if err != nil {
		t.Fatal(err)
	}
	again, err := h.CreateEmptyBuild(ctx, "r", "1", "1", nil, koji.CreateEmptyBuildOpts{})
	if err != nil || int64(again) != failed {
		t.Fatalf("recycling a FAILED build: id %d (was %d), %v", again, failed, err)
	}
	b, _ := h.GetBuild(ctx, koji.ByID(again), koji.GetBuildOpts{})
	if b.State != koji.BuildComplete {
		t.Errorf("recycled build state = %v", b.State)
	}
	if _, err := mk([]string{"s", "1", "1"}, 0); err != nil {
		t.Fatal(err)
	}
	_, err = h.CreateEmptyBuild(ctx, "s", "1", "1", nil, koji.CreateEmptyBuildOpts{})
	if f, ok := koji.AsFault(err); !ok || !strings.HasPrefix(f.String, "Build already in progress (task ") {
		t.Errorf("BUILDING: %v", err)
	}
	// a CANCELED build that was once tagged keeps its history
	if _, err := h.CreateTag(ctx, "tg", koji.CreateTagOpts{}); err != nil {
		t.Fatal(err)
	}
	c, err := h.CreateEmptyBuild(ctx, "u", "1", "1", nil, koji.CreateEmptyBuildOpts{})
	if err != nil {
		t.Fatal(err)
	}
	if err := h.TagBuildBypass(ctx, koji.ByName("tg"), koji.ByID(c), koji.TagBuildBypassOpts{}); err != nil {
		t.Fatal(err)
	}
	if err := h.UntagBuild(ctx, koji.ByName("tg"), koji.ByID(c), koji.UntagBuildOpts{}); err != nil {
		t.Fatal(err)
	}
	if err := h.db.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.Exec(`UPDATE build SET state = 4 WHERE id = ?`, c)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	_, err = h.CreateEmptyBuild(ctx, "u", "1", "1", nil, koji.CreateEmptyBuildOpts{})
	if f, ok := koji.AsFault(err); !ok || !strings.Contains(f.String, "Unable to recycle, has tag history") {
		t.Errorf("CANCELED with history: %v", err)
	}
	// tagging a build that is not COMPLETE
	_, err = h.TagBuild(ctx, koji.ByName("tg"), koji.ByID(c), koji.TagBuildOpts{})
	if f, ok := koji.AsFault(err); !ok || f.Code != koji.TagError || f.String != "build u-1-1 not complete: state CANCELED" {
		t.Errorf("tagging a CANCELED build: %v", err)
	}
}

// TestInheritanceReemission: a tag reached again by a less restricted path
// is emitted again (Koji's readFullInheritance history check).
func TestInheritanceReemission(t *testing.T) {
	h := testHub(t)
	ctx := context.Background()
	for _, n := range []string{"top", "x", "y", "shared", "deep"} {
		if _, err := h.CreateTag(ctx, n, koji.CreateTagOpts{}); err != nil {
			t.Fatal(err)
		}
	}
	id := func(n string) int {
		tg, _ := h.GetTag(ctx, koji.ByName(n), koji.GetTagOpts{})
		return tg.ID
	}
	set := func(child string, links ...koji.InheritanceLink) {
		if err := h.SetInheritanceData(ctx, koji.ByName(child), links, koji.SetInheritanceOpts{}); err != nil {
			t.Fatal(err)
		}
	}
	// top -> x (filter) -> shared -> deep ; top -> y -> shared
	set("top", koji.InheritanceLink{ParentID: id("x"), Priority: 1, PkgFilter: "^a"}, koji.InheritanceLink{ParentID: id("y"), Priority: 2})
	set("x", koji.InheritanceLink{ParentID: id("shared"), Priority: 1})
	set("y", koji.InheritanceLink{ParentID: id("shared"), Priority: 1})
	set("shared", koji.InheritanceLink{ParentID: id("deep"), Priority: 1})
	full, err := h.GetFullInheritance(ctx, koji.ByName("top"), koji.GetFullInheritanceOpts{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, l := range full {
		got = append(got, l.Name)
	}
	// shared was first reached with a filter, so the unfiltered path through
	// y emits it (and deep) again
	if strings.Join(got, " ") != "x shared deep y shared deep" {
		t.Errorf("full inheritance = %v", got)
	}
	// with no filter on top -> x the second path adds nothing
	set("top", koji.InheritanceLink{ParentID: id("x"), Priority: 1}, koji.InheritanceLink{ParentID: id("y"), Priority: 2})
	full, _ = h.GetFullInheritance(ctx, koji.ByName("top"), koji.GetFullInheritanceOpts{})
	got = got[:0]
	for _, l := range full {
		got = append(got, l.Name)
	}
	if strings.Join(got, " ") != "x shared deep y" {
		t.Errorf("full inheritance without the filter = %v", got)
	}
}

// TestRepoOptsKeys: repo rows carry Koji's opts keys, and rows written
// with Go's field names (before RepoOpts had json tags) still read.
func TestRepoOptsKeys(t *testing.T) {
	h := testHub(t)
	ctx := context.Background()
	tid, err := h.CreateTag(ctx, "t", koji.CreateTagOpts{Arches: "x86_64"})
	if err != nil {
		t.Fatal(err)
	}
	var ids [2]int64
	err = h.write(ctx, func(tx *store.Tx) error {
		for i, opts := range []string{`{"src": true, "separate_src": true}`, `{"Src": false, "SeparateSrc": true, "Debuginfo": true}`} {
			id, err := tx.Insert(`INSERT INTO repo (creation_time, create_event, state_time, tag_id, state, opts, custom_opts) VALUES (?, 1, ?, ?, 1, ?, '{}')`,
				tx.NowTS(), tx.NowTS(), tid, opts)
			if err != nil {
				return err
			}
			ids[i] = id
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []koji.RepoOpts{{Src: true, SeparateSrc: true}, {SeparateSrc: true, Debuginfo: true}} {
		r, err := h.RepoInfo(ctx, int(ids[i]), koji.RepoInfoOpts{})
		if err != nil || r == nil || r.Opts == nil || *r.Opts != want {
			t.Errorf("repo %d: %+v, %v; want opts %+v", ids[i], r, err, want)
		}
	}
}

// TestPackageListUnblockRemove follows Koji's pkglist_unblock and
// pkglist_remove through inheritance.
func TestPackageListUnblockRemove(t *testing.T) {
	h := testHub(t)
	ctx := context.Background()
	if _, err := h.CreateTag(ctx, "parent", koji.CreateTagOpts{}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.CreateTag(ctx, "child", koji.CreateTagOpts{Parent: koji.ByName("parent")}); err != nil {
		t.Fatal(err)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	// state says where child's effective entry for foo comes from and
	// whether it is blocked ("" when there is none).
	state := func() string {
		t.Helper()
		l, err := h.ListPackages(ctx, koji.ListPackagesOpts{TagID: koji.ByName("child"), PkgID: koji.ByName("foo"), Inherited: true})
		must(err)
		if len(l) == 0 {
			return ""
		}
		return fmt.Sprintf("%s blocked=%v", l[0].TagName, l[0].Blocked)
	}
	must(h.PackageListAdd(ctx, koji.ByName("parent"), koji.ByName("foo"), koji.PackageListAddOpts{Owner: koji.ByName("kojiadmin")}))
	must(h.PackageListBlock(ctx, koji.ByName("child"), koji.ByName("foo"), koji.PackageListBlockOpts{}))
	if s := state(); s != "child blocked=true" {
		t.Fatalf("after block: %s", s)
	}
	// a block on the tag itself is removed: the parent's entry shows
	must(h.PackageListUnblock(ctx, koji.ByName("child"), koji.ByName("foo"), koji.PackageListBlockOpts{}))
	if s := state(); s != "parent blocked=false" {
		t.Errorf("after unblock: %s", s)
	}
	if err := h.PackageListUnblock(ctx, koji.ByName("child"), koji.ByName("foo"), koji.PackageListBlockOpts{}); err == nil || !strings.Contains(err.Error(), "NOT blocked") {
		t.Errorf("unblock of an unblocked package: %v", err)
	}
	// an inherited block is overridden on the tag
	must(h.PackageListBlock(ctx, koji.ByName("parent"), koji.ByName("foo"), koji.PackageListBlockOpts{}))
	must(h.PackageListUnblock(ctx, koji.ByName("child"), koji.ByName("foo"), koji.PackageListBlockOpts{}))
	if s := state(); s != "child blocked=false" {
		t.Errorf("after unblocking an inherited block: %s", s)
	}
	// remove drops the override: the parent's block shows again
	must(h.PackageListRemove(ctx, koji.ByName("child"), koji.ByName("foo"), koji.PackageListBlockOpts{}))
	if s := state(); s != "parent blocked=true" {
		t.Errorf("after remove: %s", s)
	}
	if err := h.PackageListUnblock(ctx, koji.ByName("child"), koji.ByName("nosuch"), koji.PackageListBlockOpts{}); err == nil || !strings.Contains(err.Error(), "No such package") {
		t.Errorf("unknown package: %v", err)
	}
}
