package hub_test

import (
	"context"
	"strings"
	"testing"

	"github.com/osg-htc/osg-build-go/pkg/hub"
	"github.com/osg-htc/osg-build-go/pkg/koji"
)

// TestSnapshotTagModify: clone-tag into an existing tag makes it match the
// source: config (extra keys the source lacks removed), package list
// (extra entries blocked), builds (the same ones, in the source's order;
// extra ones untagged with remove, kept without) and groups.
func TestSnapshotTagModify(t *testing.T) {
	ctx := context.Background()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	setup := func(t *testing.T) *hub.Hub {
		h := openHub(t)
		_, err := h.CreateTag(ctx, "src", koji.CreateTagOpts{Arches: "x86_64", Extra: map[string]any{"rpm.macro.dist": ".el9"}})
		must(err)
		_, err = h.CreateTag(ctx, "dst", koji.CreateTagOpts{Arches: "aarch64", Extra: map[string]any{"old.key": "1"}})
		must(err)
		for tag, pkgs := range map[string][]string{"src": {"foo", "bar"}, "dst": {"foo", "baz"}} {
			for _, p := range pkgs {
				must(h.PackageListAdd(ctx, koji.ByName(tag), koji.ByName(p), koji.PackageListAddOpts{Owner: koji.ByName("kojiadmin")}))
			}
		}
		for _, nvr := range [][3]string{{"foo", "1", "1"}, {"foo", "2", "1"}, {"bar", "1", "1"}, {"baz", "1", "1"}, {"foo", "0", "1"}} {
			_, err := h.CreateEmptyBuild(ctx, nvr[0], nvr[1], nvr[2], nil, koji.CreateEmptyBuildOpts{})
			must(err)
		}
		tag := func(tag string, nvrs ...string) {
			for _, n := range nvrs {
				_, err := h.TagBuild(ctx, koji.ByName(tag), koji.ByName(n), koji.TagBuildOpts{})
				must(err)
			}
		}
		tag("src", "foo-1-1", "foo-2-1", "bar-1-1")
		tag("dst", "foo-2-1", "foo-0-1", "foo-1-1", "baz-1-1") // foo out of order, foo-0 extra
		must(h.GroupListAdd(ctx, koji.ByName("src"), "build", hub.GroupListAddOpts{}))
		must(h.GroupPackageListAdd(ctx, koji.ByName("src"), "build", "bash", hub.GroupPackageListAddOpts{}))
		must(h.GroupListAdd(ctx, koji.ByName("dst"), "old", hub.GroupListAddOpts{}))
		return h
	}
	tagged := func(h *hub.Hub) string {
		l, err := h.ListTagged(ctx, koji.ByName("dst"), koji.ListTaggedOpts{})
		must(err)
		var s []string
		for _, b := range l {
			s = append(s, b.NVR)
		}
		return strings.Join(s, " ")
	}
	all := hub.SnapshotTagOpts{Config: true, Pkgs: true, Builds: true, Groups: true}

	t.Run("remove", func(t *testing.T) {
		h := setup(t)
		must(h.SnapshotTagModify(ctx, koji.ByName("src"), koji.ByName("dst"), all, true))
		tg, err := h.GetTag(ctx, koji.ByName("dst"), koji.GetTagOpts{})
		must(err)
		if tg.Arches == nil || *tg.Arches != "x86_64" || tg.Extra["rpm.macro.dist"] != ".el9" || tg.Extra["old.key"] != nil {
			t.Errorf("config: arches %v extra %v", tg.Arches, tg.Extra)
		}
		yes := true
		pkgs, err := h.ListPackages(ctx, koji.ListPackagesOpts{TagID: koji.ByName("dst"), WithBlocked: &yes, Inherited: true})
		must(err)
		state := map[string]bool{}
		for _, p := range pkgs {
			state[p.PackageName] = p.Blocked
		}
		if b, ok := state["baz"]; !ok || !b || state["foo"] || state["bar"] || len(state) != 3 {
			t.Errorf("package list: %v", state)
		}
		// newest tagging first: src's order, foo-0 and baz gone
		if got := tagged(h); got != "bar-1-1 foo-2-1 foo-1-1" {
			t.Errorf("builds: %s", got)
		}
		groups, err := h.GetTagGroups(ctx, koji.ByName("dst"), nil, true)
		must(err)
		if len(groups) != 1 || groups[0]["name"] != "build" {
			t.Fatalf("groups: %v", groups)
		}
		if pl, _ := groups[0]["packagelist"].([]any); len(pl) != 1 {
			t.Errorf("build group packages: %v", pl)
		}
		// a second run changes nothing
		before := tagged(h)
		must(h.SnapshotTagModify(ctx, koji.ByName("src"), koji.ByName("dst"), all, true))
		if got := tagged(h); got != before {
			t.Errorf("second run: %s, was %s", got, before)
		}
	})
	t.Run("keep", func(t *testing.T) {
		h := setup(t)
		o := all
		o.Config, o.Groups = false, false
		must(h.SnapshotTagModify(ctx, koji.ByName("src"), koji.ByName("dst"), o, false))
		// foo-0 stays as the oldest; baz's package is blocked, so not listed
		if got := tagged(h); got != "bar-1-1 foo-2-1 foo-1-1 foo-0-1" {
			t.Errorf("builds: %s", got)
		}
		tg, _ := h.GetTag(ctx, koji.ByName("dst"), koji.GetTagOpts{})
		if *tg.Arches != "aarch64" {
			t.Errorf("config copied without config: %v", *tg.Arches)
		}
	})
	t.Run("errors", func(t *testing.T) {
		h := setup(t)
		if err := h.SnapshotTagModify(ctx, koji.ByName("src"), koji.ByName("nope"), all, true); err == nil || !strings.Contains(err.Error(), "nope") {
			t.Errorf("missing dst: %v", err)
		}
		if err := h.SnapshotTagModify(ctx, koji.ByName("src"), koji.ByName("dst"), hub.SnapshotTagOpts{Builds: true}, true); err == nil || !strings.Contains(err.Error(), "builds can't be used without pkgs") {
			t.Errorf("builds without pkgs: %v", err)
		}
		locked := true
		must(h.EditTag2(ctx, koji.ByName("dst"), koji.EditTagOpts{Locked: &locked}))
		if err := h.SnapshotTagModify(ctx, koji.ByName("src"), koji.ByName("dst"), all, true); err == nil || !strings.Contains(err.Error(), "locked, use force") {
			t.Errorf("locked: %v", err)
		}
		o := all
		o.Force = true
		must(h.SnapshotTagModify(ctx, koji.ByName("src"), koji.ByName("dst"), o, true))
	})
}

// TestSnapshotTagNoneFlags: the koji CLI sends inherit_builds=None without
// --inherit-builds; as in Python that is false (a flag left out is True).
func TestSnapshotTagNoneFlags(t *testing.T) {
	ctx := context.Background()
	h := openHub(t)
	if _, err := h.CreateTag(ctx, "parent", koji.CreateTagOpts{}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.CreateTag(ctx, "child", koji.CreateTagOpts{Parent: koji.ByName("parent")}); err != nil {
		t.Fatal(err)
	}
	if err := h.PackageListAdd(ctx, koji.ByName("parent"), koji.ByName("foo"), koji.PackageListAddOpts{Owner: koji.ByName("kojiadmin")}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.CreateEmptyBuild(ctx, "foo", "1", "1", nil, koji.CreateEmptyBuildOpts{}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.TagBuild(ctx, koji.ByName("parent"), koji.ByName("foo-1-1"), koji.TagBuildOpts{}); err != nil {
		t.Fatal(err)
	}
	for dst, kw := range map[string]map[string]any{"none": {"inherit_builds": nil}, "absent": {}} {
		if _, err := h.Call(ctx, "snapshotTag", []any{"child", dst}, kw); err != nil {
			t.Fatal(err)
		}
		l, err := h.ListTagged(ctx, koji.ByName(dst), koji.ListTaggedOpts{})
		if err != nil {
			t.Fatal(err)
		}
		if want := map[string]int{"none": 0, "absent": 1}[dst]; len(l) != want {
			t.Errorf("snapshotTag %v: %d builds, want %d", kw, len(l), want)
		}
	}
}

// TestDeleteEditExternalRepo: deleteExternalRepo takes the repo off every
// tag and revokes it (the name can be made again), editExternalRepo renames
// it and changes its URL, as Koji's.
func TestDeleteEditExternalRepo(t *testing.T) {
	ctx := context.Background()
	h := openHub(t)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, tag := range []string{"a", "b"} {
		_, err := h.CreateTag(ctx, tag, koji.CreateTagOpts{})
		must(err)
	}
	_, err := h.CreateExternalRepo(ctx, "epel", "https://epel.example/$arch")
	must(err)
	_, err = h.CreateExternalRepo(ctx, "other", "https://other.example/")
	must(err)
	must(h.AddExternalRepoToTag(ctx, koji.ByName("a"), koji.ByName("epel"), 5, koji.AddExternalRepoToTagOpts{}))
	must(h.AddExternalRepoToTag(ctx, koji.ByName("b"), koji.ByName("epel"), 5, koji.AddExternalRepoToTagOpts{}))

	if _, err := h.Call(ctx, "editExternalRepo", []any{"epel"}, map[string]any{"name": "other"}); err == nil || !strings.Contains(err.Error(), `name "other" is already taken by external repo`) {
		t.Errorf("rename onto a taken name: %v", err)
	}
	_, err = h.Call(ctx, "editExternalRepo", []any{"epel"}, map[string]any{"name": "epel9", "url": "https://epel.example/9/$arch"})
	must(err)
	r, err := h.GetExternalRepo(ctx, koji.ByName("epel9"), koji.GetExternalRepoOpts{Strict: true})
	must(err)
	if r.URL != "https://epel.example/9/$arch/" {
		t.Errorf("url after edit: %s", r.URL)
	}
	_, err = h.Call(ctx, "deleteExternalRepo", []any{"epel9"}, nil)
	must(err)
	for _, tag := range []string{"a", "b"} {
		l, err := h.GetTagExternalRepos(ctx, koji.GetTagExternalReposOpts{TagInfo: koji.ByName(tag)})
		must(err)
		if len(l) != 0 {
			t.Errorf("%s still has %v", tag, l)
		}
	}
	if l, _ := h.ListExternalRepos(ctx, koji.ListExternalReposOpts{}); len(l) != 1 || l[0].Name != "other" {
		t.Errorf("external repos after delete: %v", l)
	}
	if _, err := h.Call(ctx, "deleteExternalRepo", []any{"epel9"}, nil); err == nil || !strings.Contains(err.Error(), "No such repo: 'epel9'") {
		t.Errorf("deleting twice: %v", err)
	}
	// the name can be made again, with its old id
	again, err := h.CreateExternalRepo(ctx, "epel9", "https://new.example/")
	must(err)
	if again.ID != r.ID {
		t.Errorf("re-created with id %d, was %d", again.ID, r.ID)
	}
	if _, err := h.CreateExternalRepo(ctx, "epel9", "https://new.example/"); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Errorf("creating twice: %v", err)
	}
}
