// Package kojitest is the conformance suite of koji.Hub implementations:
// Koji's semantics (koji.md section 5) checked through the Hub interface,
// so the same tests run against the embedded hub in-process and against
// the client talking to a served hub.
//
// Usage:
//
//	kojitest.Suite{New: newHub, AsUser: asUser}.Run(t)
//
// New returns a fresh, empty hub whose default caller is an admin. AsUser
// returns a hub and context through which calls are made as another user
// (created beforehand by the suite with CreateUser); the name "" means an
// anonymous caller.
package kojitest

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/osg-htc/osg-build-go/pkg/koji"
)

// Suite is the conformance suite.
type Suite struct {
	// New returns a fresh hub; calls through it are made by an admin.
	New func(t *testing.T) koji.Hub
	// AsUser returns a hub and a context for calls made as user name (""
	// for anonymous) on the same hub as h. Required.
	AsUser func(t *testing.T, h koji.Hub, name string) (koji.Hub, context.Context)
}

// Run runs every test of the suite as a subtest.
func (s Suite) Run(t *testing.T) {
	tests := []struct {
		name string
		fn   func(t *testing.T, h koji.Hub)
	}{
		{"Handshake", testHandshake},
		{"TagShapes", testTagShapes},
		{"InheritanceOrder", testInheritanceOrder},
		{"MaxDepth", testMaxDepth},
		{"Intransitive", testIntransitive},
		{"PkgFilter", testPkgFilter},
		{"Blocks", testBlocks},
		{"Latest", testLatest},
		{"NVRUniqueness", testNVRUniqueness},
		{"EventQueries", testEventQueries},
		{"TagBuildChecks", testTagBuildChecks},
		{"BuildConfig", testBuildConfig},
		{"Targets", testTargets},
		{"ExternalRepos", testExternalRepos},
		{"History", testHistory},
		{"Tasks", testTasks},
		{"MultiCallRollback", testMultiCallRollback},
		{"Permissions", func(t *testing.T, h koji.Hub) { testPermissions(t, h, s) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				if r := recover(); r != nil {
					f, ok := r.(mustFailure)
					if !ok {
						panic(r)
					}
					t.Fatalf("%s: %v", f.at, f.err)
				}
			}()
			tc.fn(t, s.New(t))
		})
	}
}

var ctx = context.Background()

// mustFailure is the panic of must, turned into t.Fatal by Run.
type mustFailure struct {
	at  string
	err error
}

// must returns v, or stops the test (through Run) when err is not nil.
func must[T any](v T, err error) T {
	if err != nil {
		_, file, line, _ := runtime.Caller(1)
		panic(mustFailure{at: fmt.Sprintf("%s:%d", filepath.Base(file), line), err: err})
	}
	return v
}

func ok(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// wantFault checks err is a fault with code and a text containing sub.
func wantFault(t *testing.T, err error, code int, sub string) {
	t.Helper()
	var f *koji.Fault
	if !errors.As(err, &f) {
		t.Fatalf("err = %v, want fault %d containing %q", err, code, sub)
	}
	if f.Code != code || !strings.Contains(f.String, sub) {
		t.Fatalf("fault = %d %q, want %d containing %q", f.Code, f.String, code, sub)
	}
}

func tag(t *testing.T, h koji.Hub, name string, opts koji.CreateTagOpts) int {
	t.Helper()
	return must(h.CreateTag(ctx, name, opts))
}

// link adds an inheritance link child -> parent.
func link(t *testing.T, h koji.Hub, child, parent string, l koji.InheritanceLink) {
	t.Helper()
	p := must(h.GetTag(ctx, koji.ByName(parent), koji.GetTagOpts{Strict: true}))
	l.ParentID = p.ID
	cur := must(h.GetInheritanceData(ctx, koji.ByName(child), koji.EventOpts{}))
	ok(t, h.SetInheritanceData(ctx, koji.ByName(child), append(cur, l), koji.SetInheritanceOpts{}))
}

func me(t *testing.T, h koji.Hub) string {
	t.Helper()
	u := must(h.GetLoggedInUser(ctx))
	if u == nil {
		t.Fatal("the suite's default caller is anonymous")
	}
	return u.Name
}

func addPkg(t *testing.T, h koji.Hub, tagName, pkg string, block bool) {
	t.Helper()
	o := koji.PackageListAddOpts{Owner: koji.ByName(me(t, h))}
	if block {
		o.Block = koji.Ptr(true)
	}
	ok(t, h.PackageListAdd(ctx, koji.ByName(tagName), koji.ByName(pkg), o))
}

func build(t *testing.T, h koji.Hub, nvr string) int {
	t.Helper()
	parts := strings.Split(nvr, "-")
	n := strings.Join(parts[:len(parts)-2], "-")
	return must(h.CreateEmptyBuild(ctx, n, parts[len(parts)-2], parts[len(parts)-1], nil, koji.CreateEmptyBuildOpts{}))
}

func tagBuild(t *testing.T, h koji.Hub, tagName, nvr string) {
	t.Helper()
	id := must(h.TagBuild(ctx, koji.ByName(tagName), koji.ByName(nvr), koji.TagBuildOpts{}))
	if _, err := h.GetTaskResult(ctx, id, koji.GetTaskResultOpts{}); err != nil {
		t.Fatalf("tagBuild task %d of %s into %s: %v", id, nvr, tagName, err)
	}
}

func nvrs(bs []koji.TaggedBuild) []string {
	out := []string{}
	for _, b := range bs {
		out = append(out, b.NVR)
	}
	return out
}

func names(ls []koji.FullInheritanceLink) []string {
	out := []string{}
	for _, l := range ls {
		out = append(out, l.Name)
	}
	return out
}

func pkgs(es []koji.PackageListEntry) []string {
	out := []string{}
	for _, e := range es {
		s := e.PackageName + "@" + e.TagName
		if e.Blocked {
			s += "(blocked)"
		}
		out = append(out, s)
	}
	slices.Sort(out)
	return out
}

func eq[T comparable](t *testing.T, what string, got, want []T) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("%s = %v, want %v", what, got, want)
	}
}

func testHandshake(t *testing.T, h koji.Hub) {
	if v := must(h.GetAPIVersion(ctx)); v != 1 {
		t.Errorf("getAPIVersion = %d", v)
	}
	if s := must(h.Hello(ctx)); s != "Hello World" {
		t.Errorf("hello = %q", s)
	}
	if v := must(h.GetKojiVersion(ctx)); !strings.HasPrefix(v, "1.") {
		t.Errorf("getKojiVersion = %q", v)
	}
	perms := must(h.GetAllPerms(ctx))
	if len(perms) < 15 || perms[0].Name != "admin" {
		t.Errorf("getAllPerms = %v", perms)
	}
	ev := must(h.GetLastEvent(ctx, koji.GetLastEventOpts{}))
	if ev.ID <= 0 || ev.TS <= 0 {
		t.Errorf("getLastEvent = %+v", ev)
	}
}

func testTagShapes(t *testing.T, h koji.Hub) {
	id := tag(t, h, "t-build", koji.CreateTagOpts{Arches: "x86_64 aarch64", Extra: map[string]any{"rpm.macro.dist": ".osg25.el9"}})
	got := must(h.GetTag(ctx, koji.ByName("t-build"), koji.GetTagOpts{}))
	if got.ID != id || got.Name != "t-build" || got.Arches == nil || *got.Arches != "x86_64 aarch64" || got.Locked ||
		got.Perm != nil || got.PermID != nil || got.Extra["rpm.macro.dist"] != ".osg25.el9" {
		t.Errorf("getTag = %+v", got)
	}
	if byID := must(h.GetTag(ctx, koji.ByID(id), koji.GetTagOpts{})); byID == nil || byID.Name != "t-build" {
		t.Errorf("getTag by id = %+v", byID)
	}
	if miss := must(h.GetTag(ctx, koji.ByName("no-such-tag"), koji.GetTagOpts{})); miss != nil {
		t.Errorf("getTag of a missing tag = %+v, want nil", miss)
	}
	_, err := h.GetTag(ctx, koji.ByName("no-such-tag"), koji.GetTagOpts{Strict: true})
	wantFault(t, err, koji.GenericError, "No such tagInfo: 'no-such-tag'")
	_, err = h.CreateTag(ctx, "t-build", koji.CreateTagOpts{})
	wantFault(t, err, koji.GenericError, "already exists")
	ok(t, h.EditTag2(ctx, koji.ByName("t-build"), koji.EditTagOpts{Locked: koji.Ptr(true), Perm: koji.ByName("tag")}))
	got = must(h.GetTag(ctx, koji.ByName("t-build"), koji.GetTagOpts{}))
	if !got.Locked || got.Perm == nil || *got.Perm != "tag" {
		t.Errorf("after editTag2: %+v", got)
	}
	tags := must(h.ListTags(ctx, koji.ListTagsOpts{Pattern: "t-*"}))
	if len(tags) != 1 || tags[0].Name != "t-build" {
		t.Errorf("listTags(pattern) = %+v", tags)
	}
}

// chain makes the tags of the inheritance tests:
//
//	A -> B (10), C (20); B -> D (10); C -> E (10); D -> F (10)
func chain(t *testing.T, h koji.Hub, ab, bd koji.InheritanceLink) {
	for _, n := range []string{"A", "B", "C", "D", "E", "F"} {
		tag(t, h, n, koji.CreateTagOpts{})
	}
	ab.Priority = 10
	link(t, h, "A", "B", ab)
	link(t, h, "A", "C", koji.InheritanceLink{Priority: 20})
	bd.Priority = 10
	link(t, h, "B", "D", bd)
	link(t, h, "C", "E", koji.InheritanceLink{Priority: 10})
	link(t, h, "D", "F", koji.InheritanceLink{Priority: 10})
}

func testInheritanceOrder(t *testing.T, h koji.Hub) {
	chain(t, h, koji.InheritanceLink{}, koji.InheritanceLink{})
	full := must(h.GetFullInheritance(ctx, koji.ByName("A"), koji.GetFullInheritanceOpts{}))
	eq(t, "full inheritance of A", names(full), []string{"B", "D", "F", "C", "E"})
	var depths []int
	for _, l := range full {
		depths = append(depths, l.CurrDepth)
	}
	eq(t, "currdepth", depths, []int{1, 2, 3, 1, 2})
	direct := must(h.GetInheritanceData(ctx, koji.ByName("A"), koji.EventOpts{}))
	if len(direct) != 2 || direct[0].Name != "B" || direct[1].Name != "C" || direct[0].Priority != 10 {
		t.Errorf("getInheritanceData(A) = %+v", direct)
	}
	// duplicate priority
	e := must(h.GetTag(ctx, koji.ByName("E"), koji.GetTagOpts{}))
	err := h.SetInheritanceData(ctx, koji.ByName("A"), []koji.InheritanceLink{{ParentID: e.ID, Priority: 10}}, koji.SetInheritanceOpts{})
	wantFault(t, err, koji.GenericError, "cannot have the same priority")
	// a loop is pruned
	a := must(h.GetTag(ctx, koji.ByName("A"), koji.GetTagOpts{}))
	ok(t, h.SetInheritanceData(ctx, koji.ByName("F"), []koji.InheritanceLink{{ParentID: a.ID, Priority: 5}}, koji.SetInheritanceOpts{}))
	full = must(h.GetFullInheritance(ctx, koji.ByName("A"), koji.GetFullInheritanceOpts{}))
	eq(t, "full inheritance with a loop", names(full), []string{"B", "D", "F", "C", "E"})
	// delete a link
	b := must(h.GetTag(ctx, koji.ByName("B"), koji.GetTagOpts{}))
	ok(t, h.SetInheritanceData(ctx, koji.ByName("A"), []koji.InheritanceLink{{ParentID: b.ID, Delete: true}}, koji.SetInheritanceOpts{}))
	full = must(h.GetFullInheritance(ctx, koji.ByName("A"), koji.GetFullInheritanceOpts{}))
	eq(t, "after deleting A->B", names(full), []string{"C", "E"})
	// reverse
	rev := must(h.GetFullInheritance(ctx, koji.ByName("E"), koji.GetFullInheritanceOpts{Reverse: true}))
	eq(t, "descendants of E", names(rev), []string{"C", "A", "F", "D", "B"})
}

func testMaxDepth(t *testing.T, h koji.Hub) {
	chain(t, h, koji.InheritanceLink{MaxDepth: koji.Ptr(1)}, koji.InheritanceLink{})
	full := must(h.GetFullInheritance(ctx, koji.ByName("A"), koji.GetFullInheritanceOpts{}))
	eq(t, "A with maxdepth 1 on A->B", names(full), []string{"B", "D", "C", "E"})
	if full[0].NextDepth == nil || *full[0].NextDepth != 1 || full[1].NextDepth == nil || *full[1].NextDepth != 0 {
		t.Errorf("nextdepth of A->B, B->D = %v, %v, want 1, 0", full[0].NextDepth, full[1].NextDepth)
	}
	b := must(h.GetTag(ctx, koji.ByName("B"), koji.GetTagOpts{}))
	ok(t, h.SetInheritanceData(ctx, koji.ByName("A"), []koji.InheritanceLink{{ParentID: b.ID, Priority: 10, MaxDepth: koji.Ptr(0)}}, koji.SetInheritanceOpts{}))
	full = must(h.GetFullInheritance(ctx, koji.ByName("A"), koji.GetFullInheritanceOpts{}))
	eq(t, "A with maxdepth 0 on A->B", names(full), []string{"B", "C", "E"})
}

func testIntransitive(t *testing.T, h koji.Hub) {
	chain(t, h, koji.InheritanceLink{}, koji.InheritanceLink{Intransitive: true})
	eq(t, "A (B->D intransitive)", names(must(h.GetFullInheritance(ctx, koji.ByName("A"), koji.GetFullInheritanceOpts{}))),
		[]string{"B", "C", "E"})
	eq(t, "B (its own intransitive link counts)", names(must(h.GetFullInheritance(ctx, koji.ByName("B"), koji.GetFullInheritanceOpts{}))),
		[]string{"D", "F"})
}

func testPkgFilter(t *testing.T, h koji.Hub) {
	chain(t, h, koji.InheritanceLink{PkgFilter: "foo|bar"}, koji.InheritanceLink{PkgFilter: "ba"})
	addPkg(t, h, "B", "foo", false)
	addPkg(t, h, "B", "xfoo", false) // filters are anchored at the start
	addPkg(t, h, "D", "bar", false)
	addPkg(t, h, "D", "foo2", false) // matches foo|bar but not ba
	addPkg(t, h, "C", "other", false)
	got := pkgs(must(h.ListPackages(ctx, koji.ListPackagesOpts{TagID: koji.ByName("A"), Inherited: true})))
	eq(t, "package list of A", got, []string{"bar@D", "foo@B", "other@C"})
	full := must(h.GetFullInheritance(ctx, koji.ByName("A"), koji.GetFullInheritanceOpts{}))
	if !slices.Equal(full[1].Filter, []string{"foo|bar", "ba"}) {
		t.Errorf("accumulated filter of B->D = %q", full[1].Filter)
	}
}

func testBlocks(t *testing.T, h koji.Hub) {
	tag(t, h, "parent", koji.CreateTagOpts{})
	tag(t, h, "child", koji.CreateTagOpts{Parent: koji.ByName("parent")})
	tag(t, h, "grandchild", koji.CreateTagOpts{Parent: koji.ByName("child")})
	addPkg(t, h, "parent", "pkg", false)
	build(t, h, "pkg-1-1")
	tagBuild(t, h, "parent", "pkg-1-1")
	eq(t, "latest in grandchild", nvrs(must(h.GetLatestBuilds(ctx, koji.ByName("grandchild"), koji.GetLatestBuildsOpts{}))), []string{"pkg-1-1"})
	ok(t, h.PackageListBlock(ctx, koji.ByName("child"), koji.ByName("pkg"), koji.PackageListBlockOpts{}))
	eq(t, "package list of grandchild",
		pkgs(must(h.ListPackages(ctx, koji.ListPackagesOpts{TagID: koji.ByName("grandchild"), Inherited: true}))),
		[]string{"pkg@child(blocked)"})
	eq(t, "latest in grandchild after the block", nvrs(must(h.GetLatestBuilds(ctx, koji.ByName("grandchild"), koji.GetLatestBuildsOpts{}))), []string{})
	eq(t, "latest in parent", nvrs(must(h.GetLatestBuilds(ctx, koji.ByName("parent"), koji.GetLatestBuildsOpts{}))), []string{"pkg-1-1"})
	// tagging into a tag that blocks the package
	_, err := h.TagBuild(ctx, koji.ByName("grandchild"), koji.ByName("pkg-1-1"), koji.TagBuildOpts{})
	wantFault(t, err, koji.TagError, "Package pkg blocked in grandchild")
	// an explicit unblocked entry in the grandchild overrides the block
	err = h.PackageListAdd(ctx, koji.ByName("grandchild"), koji.ByName("pkg"), koji.PackageListAddOpts{Block: koji.Ptr(false)})
	wantFault(t, err, koji.GenericError, "package pkg is blocked in tag grandchild")
	ok(t, h.PackageListAdd(ctx, koji.ByName("grandchild"), koji.ByName("pkg"), koji.PackageListAddOpts{Block: koji.Ptr(false), Force: true}))
	eq(t, "package list of grandchild with_dups",
		pkgs(must(h.ListPackages(ctx, koji.ListPackagesOpts{TagID: koji.ByName("grandchild"), Inherited: true, WithDups: true}))),
		[]string{"pkg@child(blocked)", "pkg@grandchild", "pkg@parent"})
	eq(t, "latest in grandchild after the override", nvrs(must(h.GetLatestBuilds(ctx, koji.ByName("grandchild"), koji.GetLatestBuildsOpts{}))), []string{"pkg-1-1"})
	// a new entry needs an owner
	err = h.PackageListAdd(ctx, koji.ByName("parent"), koji.ByName("newpkg"), koji.PackageListAddOpts{})
	wantFault(t, err, koji.GenericError, "owner not specified")
}

func testLatest(t *testing.T, h koji.Hub) {
	tag(t, h, "base", koji.CreateTagOpts{})
	tag(t, h, "top", koji.CreateTagOpts{Parent: koji.ByName("base")})
	addPkg(t, h, "base", "a", false)
	addPkg(t, h, "base", "b", false)
	for _, nvr := range []string{"a-2-1", "a-1-1", "a-3-1", "b-1-1"} {
		build(t, h, nvr)
	}
	// newest tagged wins, not the highest version
	tagBuild(t, h, "base", "a-2-1")
	tagBuild(t, h, "base", "a-1-1")
	tagBuild(t, h, "base", "b-1-1")
	eq(t, "latest of base", nvrs(must(h.GetLatestBuilds(ctx, koji.ByName("base"), koji.GetLatestBuildsOpts{}))), []string{"b-1-1", "a-1-1"})
	eq(t, "listTagged(base)", nvrs(must(h.ListTagged(ctx, koji.ByName("base"), koji.ListTaggedOpts{}))), []string{"b-1-1", "a-1-1", "a-2-1"})
	eq(t, "listTagged(base, latest=2, package=a)", nvrs(must(h.ListTagged(ctx, koji.ByName("base"),
		koji.ListTaggedOpts{Latest: 2, Package: "a"}))), []string{"a-1-1", "a-2-1"})
	// a build tagged in the tag itself beats the parent's
	tagBuild(t, h, "base", "a-3-1")
	tagBuild(t, h, "top", "a-2-1")
	eq(t, "latest of top", nvrs(must(h.GetLatestBuilds(ctx, koji.ByName("top"), koji.GetLatestBuildsOpts{}))), []string{"a-2-1", "b-1-1"})
	lt := must(h.ListTagged(ctx, koji.ByName("top"), koji.ListTaggedOpts{Inherit: true, Latest: koji.LatestOne}))
	if len(lt) != 2 || lt[0].TagName != "top" || lt[1].TagName != "base" {
		t.Errorf("tags of listTagged(top, inherit, latest) = %+v", lt)
	}
	eq(t, "listTagged(top) without inherit", nvrs(must(h.ListTagged(ctx, koji.ByName("top"), koji.ListTaggedOpts{}))), []string{"a-2-1"})
	// retagging needs force, and force makes it the newest
	_, err := h.GetTaskResult(ctx, must(h.TagBuild(ctx, koji.ByName("base"), koji.ByName("a-1-1"), koji.TagBuildOpts{})), koji.GetTaskResultOpts{})
	wantFault(t, err, koji.TagError, "build a-1-1 already tagged (base)")
	id := must(h.TagBuild(ctx, koji.ByName("base"), koji.ByName("a-1-1"), koji.TagBuildOpts{Force: true}))
	_ = must(h.GetTaskResult(ctx, id, koji.GetTaskResultOpts{}))
	eq(t, "latest of base after a forced retag", nvrs(must(h.GetLatestBuilds(ctx, koji.ByName("base"), koji.GetLatestBuildsOpts{Package: "a"}))), []string{"a-1-1"})
	ok(t, h.UntagBuild(ctx, koji.ByName("base"), koji.ByName("a-1-1"), koji.UntagBuildOpts{}))
	eq(t, "latest of base after untagging", nvrs(must(h.GetLatestBuilds(ctx, koji.ByName("base"), koji.GetLatestBuildsOpts{Package: "a"}))), []string{"a-3-1"})
	err = h.UntagBuild(ctx, koji.ByName("base"), koji.ByName("a-1-1"), koji.UntagBuildOpts{})
	wantFault(t, err, koji.TagError, "build a-1-1 not in tag base")
	ok(t, h.UntagBuild(ctx, koji.ByName("base"), koji.ByName("a-1-1"), koji.UntagBuildOpts{Strict: koji.Ptr(false)}))
}

func testNVRUniqueness(t *testing.T, h koji.Hub) {
	id := build(t, h, "u-1-1")
	_, err := h.CreateEmptyBuild(ctx, "u", "1", "1", koji.Ptr(3), koji.CreateEmptyBuildOpts{})
	wantFault(t, err, koji.GenericError, fmt.Sprintf("Build already exists (id=%d, state=COMPLETE)", id))
	b := must(h.GetBuild(ctx, koji.ByName("u-1-1"), koji.GetBuildOpts{}))
	if b == nil || b.ID != id || b.State != koji.BuildComplete || b.Epoch != nil || b.NVR != "u-1-1" || b.VolumeName != "DEFAULT" ||
		b.CompletionTime == nil || b.CreationTime == "" || b.TaskID != nil {
		t.Errorf("getBuild = %+v", b)
	}
	byFields := must(h.GetBuild(ctx, koji.ByFields(map[string]any{"name": "u", "version": "1", "release": "1"}), koji.GetBuildOpts{}))
	if byFields == nil || byFields.ID != id {
		t.Errorf("getBuild by fields = %+v", byFields)
	}
	if miss := must(h.GetBuild(ctx, koji.ByName("u-1-2"), koji.GetBuildOpts{})); miss != nil {
		t.Errorf("getBuild of a missing build = %+v", miss)
	}
	_, err = h.GetBuild(ctx, koji.ByName("u-1-2"), koji.GetBuildOpts{Strict: true})
	wantFault(t, err, koji.GenericError, "No such build")
	bs := must(h.ListBuilds(ctx, koji.ListBuildsOpts{PackageID: koji.ByName("u")}))
	if len(bs) != 1 || bs[0].ID != id {
		t.Errorf("listBuilds = %+v", bs)
	}
}

func testEventQueries(t *testing.T, h koji.Hub) {
	tag(t, h, "ev", koji.CreateTagOpts{Arches: "x86_64"})
	addPkg(t, h, "ev", "p", false)
	build(t, h, "p-1-1")
	build(t, h, "p-2-1")
	tagBuild(t, h, "ev", "p-1-1")
	e1 := must(h.GetLastEvent(ctx, koji.GetLastEventOpts{})).ID
	tagBuild(t, h, "ev", "p-2-1")
	ok(t, h.EditTag2(ctx, koji.ByName("ev"), koji.EditTagOpts{Arches: koji.Ptr("aarch64")}))
	e2 := must(h.GetLastEvent(ctx, koji.GetLastEventOpts{})).ID
	ok(t, h.UntagBuild(ctx, koji.ByName("ev"), koji.ByName("p-1-1"), koji.UntagBuildOpts{}))
	eq(t, "listTagged now", nvrs(must(h.ListTagged(ctx, koji.ByName("ev"), koji.ListTaggedOpts{}))), []string{"p-2-1"})
	eq(t, "listTagged at e1", nvrs(must(h.ListTagged(ctx, koji.ByName("ev"), koji.ListTaggedOpts{Event: &e1}))), []string{"p-1-1"})
	eq(t, "listTagged at e2", nvrs(must(h.ListTagged(ctx, koji.ByName("ev"), koji.ListTaggedOpts{Event: &e2}))), []string{"p-2-1", "p-1-1"})
	old := must(h.GetTag(ctx, koji.ByName("ev"), koji.GetTagOpts{Event: &e1}))
	if old.Arches == nil || *old.Arches != "x86_64" || old.QueryEvent == nil || *old.QueryEvent != e1 {
		t.Errorf("getTag at e1 = %+v", old)
	}
	cur := must(h.GetTag(ctx, koji.ByName("ev"), koji.GetTagOpts{}))
	if cur.Arches == nil || *cur.Arches != "aarch64" {
		t.Errorf("getTag now = %+v", cur)
	}
}

func testTagBuildChecks(t *testing.T, h koji.Hub) {
	tag(t, h, "dest", koji.CreateTagOpts{})
	build(t, h, "q-1-1")
	_, err := h.TagBuild(ctx, koji.ByName("dest"), koji.ByName("q-1-1"), koji.TagBuildOpts{})
	wantFault(t, err, koji.TagError, "Package q not in list for dest")
	// admin + force adds the package
	id := must(h.TagBuild(ctx, koji.ByName("dest"), koji.ByName("q-1-1"), koji.TagBuildOpts{Force: true}))
	_ = must(h.GetTaskResult(ctx, id, koji.GetTaskResultOpts{}))
	task := must(h.GetTaskInfo(ctx, id, koji.GetTaskInfoOpts{Request: true}))
	if task.Method != "tagBuild" || task.State != koji.TaskClosed || task.Priority != 10 || len(task.RequestParams()) != 4 {
		t.Errorf("tagBuild task = %+v", task)
	}
	eq(t, "dest", nvrs(must(h.ListTagged(ctx, koji.ByName("dest"), koji.ListTaggedOpts{}))), []string{"q-1-1"})
	_, err = h.TagBuild(ctx, koji.ByName("no-such"), koji.ByName("q-1-1"), koji.TagBuildOpts{})
	wantFault(t, err, koji.GenericError, "No such tagInfo")
	// a locked tag
	tag(t, h, "locked", koji.CreateTagOpts{Locked: true})
	addPkg(t, h, "locked", "q", false)
	_, err = h.TagBuild(ctx, koji.ByName("locked"), koji.ByName("q-1-1"), koji.TagBuildOpts{})
	wantFault(t, err, koji.ActionNotAllowed, "tag is locked")
	ok(t, h.TagBuildBypass(ctx, koji.ByName("dest"), koji.ByName("q-1-1"), koji.TagBuildBypassOpts{Force: true}))
	tags := must(h.ListTags(ctx, koji.ListTagsOpts{Build: koji.ByName("q-1-1")}))
	if len(tags) != 1 || tags[0].Name != "dest" {
		t.Errorf("listTags(build) = %+v", tags)
	}
}

func testBuildConfig(t *testing.T, h koji.Hub) {
	tag(t, h, "cfg-base", koji.CreateTagOpts{Arches: "x86_64", Extra: map[string]any{"rpm.macro.dist": ".base", "k": "v"}})
	tag(t, h, "cfg-mid", koji.CreateTagOpts{Parent: koji.ByName("cfg-base"), Extra: map[string]any{"rpm.macro.dist": ".mid"}})
	tag(t, h, "cfg-build", koji.CreateTagOpts{Parent: koji.ByName("cfg-mid")})
	bc := must(h.GetBuildConfig(ctx, koji.ByName("cfg-build"), koji.EventOpts{}))
	if bc.Arches == nil || *bc.Arches != "x86_64" || bc.Extra["rpm.macro.dist"] != ".mid" || bc.Extra["k"] != "v" {
		t.Errorf("getBuildConfig = %+v", bc)
	}
	if bc.ConfigInheritance.Arches == nil || bc.ConfigInheritance.Arches["name"] != "cfg-base" {
		t.Errorf("config_inheritance = %+v", bc.ConfigInheritance)
	}
	ok(t, h.EditTag2(ctx, koji.ByName("cfg-build"), koji.EditTagOpts{BlockExtra: []string{"k"}}))
	bc = must(h.GetBuildConfig(ctx, koji.ByName("cfg-build"), koji.EventOpts{}))
	if _, has := bc.Extra["k"]; has {
		t.Errorf("blocked extra still present: %+v", bc.Extra)
	}
	own := must(h.GetBuildConfig(ctx, koji.ByName("cfg-base"), koji.EventOpts{}))
	if own.ConfigInheritance.Arches != nil || own.Extra == nil {
		t.Errorf("getBuildConfig of a tag with its own config = %+v", own)
	}
}

func testTargets(t *testing.T, h koji.Hub) {
	tag(t, h, "tb", koji.CreateTagOpts{})
	tag(t, h, "td", koji.CreateTagOpts{})
	ok(t, h.CreateBuildTarget(ctx, "tgt", koji.ByName("tb"), koji.ByName("td")))
	got := must(h.GetBuildTarget(ctx, koji.ByName("tgt"), koji.GetBuildTargetOpts{}))
	if got == nil || got.BuildTagName != "tb" || got.DestTagName != "td" {
		t.Errorf("getBuildTarget = %+v", got)
	}
	if miss := must(h.GetBuildTarget(ctx, koji.ByName("nope"), koji.GetBuildTargetOpts{})); miss != nil {
		t.Errorf("getBuildTarget(nope) = %+v", miss)
	}
	err := h.CreateBuildTarget(ctx, "tgt", koji.ByName("tb"), koji.ByName("td"))
	wantFault(t, err, koji.GenericError, "already exists")
	all := must(h.GetBuildTargets(ctx, koji.GetBuildTargetsOpts{DestTagID: koji.ByName("td")}))
	if len(all) != 1 || all[0].Name != "tgt" {
		t.Errorf("getBuildTargets(destTagID) = %+v", all)
	}
}

func testExternalRepos(t *testing.T, h koji.Hub) {
	tag(t, h, "xb", koji.CreateTagOpts{})
	tag(t, h, "xc", koji.CreateTagOpts{Parent: koji.ByName("xb")})
	r := must(h.CreateExternalRepo(ctx, "epel", "https://example.invalid/epel/$arch"))
	if r.URL != "https://example.invalid/epel/$arch/" {
		t.Errorf("url = %q, want a trailing slash", r.URL)
	}
	must(h.CreateExternalRepo(ctx, "other", "file:///srv/other/"))
	ok(t, h.AddExternalRepoToTag(ctx, koji.ByName("xb"), koji.ByName("epel"), 10, koji.AddExternalRepoToTagOpts{MergeMode: "bare"}))
	ok(t, h.AddExternalRepoToTag(ctx, koji.ByName("xc"), koji.ByName("other"), 5, koji.AddExternalRepoToTagOpts{}))
	err := h.AddExternalRepoToTag(ctx, koji.ByName("xc"), koji.ByName("epel"), 5, koji.AddExternalRepoToTagOpts{})
	wantFault(t, err, koji.GenericError, "priority")
	list := must(h.GetExternalRepoList(ctx, koji.ByName("xc"), koji.EventOpts{}))
	if len(list) != 2 || list[0].ExternalRepoName != "other" || list[1].ExternalRepoName != "epel" || list[1].MergeMode != "bare" || list[0].MergeMode != "koji" {
		t.Errorf("getExternalRepoList = %+v", list)
	}
}

func testHistory(t *testing.T, h koji.Hub) {
	tag(t, h, "hist", koji.CreateTagOpts{})
	addPkg(t, h, "hist", "hp", false)
	build(t, h, "hp-1-1")
	tagBuild(t, h, "hist", "hp-1-1")
	ok(t, h.UntagBuild(ctx, koji.ByName("hist"), koji.ByName("hp-1-1"), koji.UntagBuildOpts{}))
	tagBuild(t, h, "hist", "hp-1-1")
	hs := must(h.QueryHistory(ctx, koji.QueryHistoryOpts{Tables: []string{"tag_listing"}, Tag: koji.ByName("hist")}))
	rows := hs["tag_listing"]
	if len(rows) != 2 || rows[0].Active() || rows[0].RevokeEvent() == nil || !rows[1].Active() || rows[1].String("name") != "hp" ||
		rows[0].String("tag.name") != "hist" {
		t.Errorf("tag_listing history = %v", rows)
	}
	active := must(h.QueryHistory(ctx, koji.QueryHistoryOpts{Tables: []string{"tag_listing"}, Tag: koji.ByName("hist"), Active: koji.Ptr(true)}))
	if len(active["tag_listing"]) != 1 {
		t.Errorf("active tag_listing history = %v", active["tag_listing"])
	}
	all := must(h.QueryHistory(ctx, koji.QueryHistoryOpts{Tag: koji.ByName("hist")}))
	if len(all["tag_config"]) != 1 || len(all["tag_packages"]) != 1 {
		t.Errorf("history of hist = %v", all)
	}
}

func testTasks(t *testing.T, h koji.Hub) {
	tag(t, h, "bt", koji.CreateTagOpts{Arches: "x86_64"})
	tag(t, h, "dt", koji.CreateTagOpts{})
	ok(t, h.CreateBuildTarget(ctx, "target", koji.ByName("bt"), koji.ByName("dt")))
	id := must(h.Build(ctx, "git+https://example.invalid/repo.git#abc", "target", koji.BuildRequestOpts{Scratch: true}, koji.BuildOpts{}))
	ti := must(h.GetTaskInfo(ctx, id, koji.GetTaskInfoOpts{Request: true}))
	if ti == nil || ti.Method != "build" || ti.State != koji.TaskFree || ti.Priority != 20 || ti.Parent != nil {
		t.Fatalf("build task = %+v", ti)
	}
	req := ti.RequestParams()
	if len(req) != 3 || req[0] != "git+https://example.invalid/repo.git#abc" || req[1] != "target" {
		t.Errorf("build request = %#v", req)
	}
	if o, _ := req[2].(map[string]any); o == nil || o["scratch"] != true {
		t.Errorf("build opts = %#v", req[2])
	}
	_, err := h.GetTaskResult(ctx, id, koji.GetTaskResultOpts{})
	wantFault(t, err, koji.GenericError, fmt.Sprintf("Task %d is not finished", id))
	_, err = h.Build(ctx, "x.src.rpm", "no-target", koji.BuildRequestOpts{}, koji.BuildOpts{})
	wantFault(t, err, koji.GenericError, "No such build target")
	ok(t, h.CancelTask(ctx, id, koji.CancelTaskOpts{}))
	_, err = h.GetTaskResult(ctx, id, koji.GetTaskResultOpts{})
	wantFault(t, err, koji.GenericError, "is canceled")
	rid := must(h.NewRepo(ctx, koji.ByName("bt"), koji.NewRepoOpts{}))
	nr := must(h.GetTaskInfo(ctx, rid, koji.GetTaskInfoOpts{Request: true}))
	if nr.Method != "newRepo" || nr.Priority != 15 || len(nr.RequestParams()) < 1 || nr.RequestParams()[0] != "bt" {
		t.Errorf("newRepo task = %+v", nr)
	}
	if miss := must(h.GetTaskInfo(ctx, 99999, koji.GetTaskInfoOpts{})); miss != nil {
		t.Errorf("getTaskInfo(99999) = %+v", miss)
	}
	if repo := must(h.GetRepo(ctx, koji.ByName("bt"), koji.GetRepoOpts{})); repo != nil {
		t.Errorf("getRepo with no repo = %+v", repo)
	}
	tasks := must(h.ListTasks(ctx, koji.ListTasksOpts{Opts: &koji.TaskQuery{Method: "newRepo", Decode: true}}))
	if len(tasks) != 1 || tasks[0].ID != rid {
		t.Errorf("listTasks(method=newRepo) = %+v", tasks)
	}
}

func testMultiCallRollback(t *testing.T, h koji.Hub) {
	tag(t, h, "mc", koji.CreateTagOpts{Arches: "x86_64"})
	res, err := h.MultiCall(ctx, []koji.Call{
		{Method: "createTag", Args: []any{"mc-1"}},
		{Method: "createTag", Args: []any{"mc"}}, // exists: fault
		{Method: "editTag2", Args: []any{"mc"}, Kwargs: map[string]any{"arches": "ppc64le", "remove_extra": []any{"nope"}}}, // writes, then faults
		{Method: "noSuchMethod"},
		{Method: "getTag", Args: []any{"mc-1"}},
		{Method: "createTag", Args: []any{"mc-2"}},
	}, koji.MultiCallOpts{})
	ok(t, err)
	if len(res) != 6 {
		t.Fatalf("%d results", len(res))
	}
	if res[0].Fault != nil || res[5].Fault != nil || res[4].Fault != nil {
		t.Errorf("good calls faulted: %+v", res)
	}
	if res[1].Fault == nil || res[1].Fault.Code != koji.GenericError {
		t.Errorf("duplicate createTag = %+v", res[1])
	}
	if res[2].Fault == nil {
		t.Errorf("editTag2 with a bad remove_extra = %+v", res[2])
	}
	if res[3].Fault == nil || res[3].Fault.String != "Invalid method: noSuchMethod" {
		t.Errorf("noSuchMethod = %+v", res[3])
	}
	if m, _ := res[4].Value.(map[string]any); m == nil || m["name"] != "mc-1" {
		t.Errorf("getTag in the multicall = %#v", res[4].Value)
	}
	for _, n := range []string{"mc-1", "mc-2"} {
		if must(h.GetTag(ctx, koji.ByName(n), koji.GetTagOpts{})) == nil {
			t.Errorf("%s was not created", n)
		}
	}
	got := must(h.GetTag(ctx, koji.ByName("mc"), koji.GetTagOpts{}))
	if got.Arches == nil || *got.Arches != "x86_64" {
		t.Errorf("the failed editTag2 was not rolled back: arches = %v", got.Arches)
	}
	_, err = h.MultiCall(ctx, []koji.Call{{Method: "hello"}, {Method: "getTag", Args: []any{"nope"}, Kwargs: map[string]any{"strict": true}}},
		koji.MultiCallOpts{Strict: true})
	wantFault(t, err, koji.GenericError, "No such tagInfo")
	v, err := h.Call(ctx, "getTag", []any{"mc"}, map[string]any{"bogus": 1})
	_ = v
	wantFault(t, err, koji.ParameterError, "unexpected keyword argument 'bogus'")
}

func testPermissions(t *testing.T, h koji.Hub, s Suite) {
	admin := me(t, h)
	if !must(h.HasPerm(ctx, "admin", koji.HasPermOpts{})) {
		t.Errorf("hasPerm(admin) is false for %s", admin)
	}
	if must(h.HasPerm(ctx, "tag", koji.HasPermOpts{})) {
		t.Errorf("hasPerm(tag) is true for an admin: hasPerm is exact")
	}
	_ = must(h.CreateUser(ctx, "alice", koji.CreateUserOpts{}))
	_ = must(h.CreateUser(ctx, "bob", koji.CreateUserOpts{}))
	_, err := h.CreateUser(ctx, "alice", koji.CreateUserOpts{})
	wantFault(t, err, koji.GenericError, "already exists")
	ok(t, h.GrantPermission(ctx, koji.ByName("alice"), "tag", koji.GrantPermissionOpts{}))
	err = h.GrantPermission(ctx, koji.ByName("alice"), "tag", koji.GrantPermissionOpts{})
	wantFault(t, err, koji.GenericError, "already has permission")
	pi := must(h.GetUserPermsInheritance(ctx, koji.ByName("alice")))
	if _, has := pi["tag"]; !has || len(pi) != 1 {
		t.Errorf("getUserPermsInheritance(alice) = %v", pi)
	}
	tag(t, h, "p", koji.CreateTagOpts{})
	build(t, h, "pp-1-1")

	alice, actx := s.AsUser(t, h, "alice")
	if u := must(alice.GetLoggedInUser(actx)); u == nil || u.Name != "alice" {
		t.Fatalf("getLoggedInUser as alice = %+v", u)
	}
	if got := must(alice.GetPerms(actx)); !slices.Equal(got, []string{"tag"}) {
		t.Errorf("getPerms as alice = %v", got)
	}
	_ = must(alice.CreateTag(actx, "alices", koji.CreateTagOpts{}))
	ok(t, alice.PackageListAdd(actx, koji.ByName("p"), koji.ByName("pp"), koji.PackageListAddOpts{Owner: koji.ByName("alice")}))
	wantFault(t, alice.CreateBuildTarget(actx, "t", koji.ByName("p"), koji.ByName("p")), koji.ActionNotAllowed, "target permission required (logged in as alice)")
	_, err = alice.CreateEmptyBuild(actx, "x", "1", "1", nil, koji.CreateEmptyBuildOpts{})
	wantFault(t, err, koji.ActionNotAllowed, "admin permission required")

	bob, bctx := s.AsUser(t, h, "bob")
	_, err = bob.CreateTag(bctx, "bobs", koji.CreateTagOpts{})
	wantFault(t, err, koji.ActionNotAllowed, "tag permission required (logged in as bob)")
	err = bob.PackageListAdd(bctx, koji.ByName("p"), koji.ByName("other"), koji.PackageListAddOpts{Owner: koji.ByName("bob")})
	wantFault(t, err, koji.ActionNotAllowed, "policy")
	// tagging into an unlocked tag without a perm needs only a login
	tid := must(bob.TagBuild(bctx, koji.ByName("p"), koji.ByName("pp-1-1"), koji.TagBuildOpts{}))
	_ = must(bob.GetTaskResult(bctx, tid, koji.GetTaskResultOpts{}))
	// a tag that requires a permission
	ok(t, h.EditTag2(ctx, koji.ByName("p"), koji.EditTagOpts{Perm: koji.ByName("admin")}))
	err = bob.UntagBuild(bctx, koji.ByName("p"), koji.ByName("pp-1-1"), koji.UntagBuildOpts{})
	wantFault(t, err, koji.ActionNotAllowed, "tag requires admin permission")

	anon, nctx := s.AsUser(t, h, "")
	if u := must(anon.GetLoggedInUser(nctx)); u != nil {
		t.Errorf("getLoggedInUser anonymously = %+v", u)
	}
	_, err = anon.CreateTag(nctx, "evil", koji.CreateTagOpts{})
	wantFault(t, err, koji.ActionNotAllowed, "tag permission required (user not logged in)")
	_, err = anon.TagBuild(nctx, koji.ByName("p"), koji.ByName("pp-1-1"), koji.TagBuildOpts{})
	wantFault(t, err, koji.ActionNotAllowed, "you must be logged in for this operation")
	if got := must(anon.GetTag(nctx, koji.ByName("p"), koji.GetTagOpts{})); got == nil {
		t.Errorf("anonymous read of tag p failed")
	}
}
