package hubmirror

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/osg-htc/osg-build-go/internal/xmlrpc"
	"github.com/osg-htc/osg-build-go/pkg/koji"
)

func sp(s string) *string { return &s }

func tb(tag, nvr, owner string, ev int) koji.TaggedBuild {
	n, v, r := splitNVR(nvr)
	return koji.TaggedBuild{TagName: tag, NVR: nvr, Name: n, PackageName: n, Version: v, Release: r, OwnerName: owner, CreateEvent: ev, BuildID: ev}
}

func splitNVR(nvr string) (string, string, string) {
	i := strings.LastIndex(nvr, "-")
	j := strings.LastIndex(nvr[:i], "-")
	return nvr[:j], nvr[j+1 : i], nvr[i+1:]
}

func pkg(tag, name, owner string, blocked bool) koji.PackageListEntry {
	return koji.PackageListEntry{TagName: tag, PackageName: name, OwnerName: owner, Blocked: blocked}
}

// remote is a small OSG-like chain: build -> development -> osg-el9.
func remote() *Snapshot {
	return &Snapshot{
		Source: "https://koji.example/kojihub", Event: 100,
		Targets: []koji.BuildTarget{{Name: "t-el9", BuildTagName: "t-el9-build", DestTagName: "t-el9-development"}},
		Tags: []*TagData{
			{Tag: koji.Tag{Name: "osg-el9"}, ReadBuilds: true,
				Packages: []koji.PackageListEntry{pkg("osg-el9", "libfoo", "alice", false), pkg("osg-el9", "hello", "bob", false), pkg("osg-el9", "bad", "alice", true)}},
			{Tag: koji.Tag{Name: "t-el9-development", Arches: sp("x86_64")}, ReadBuilds: true,
				Parents: []koji.InheritanceLink{{Name: "osg-el9", Priority: 0}},
				Tagged:  []koji.TaggedBuild{tb("t-el9-development", "libfoo-1-1.el9", "alice", 10), tb("t-el9-development", "hello-1-1.el9", "bob", 11)}},
			{Tag: koji.Tag{Name: "t-el9-build", Arches: sp("x86_64"), Perm: sp("admin"), Locked: true,
				Extra: map[string]any{"rpm.macro.dist": ".el9", "mirror.event": "3"}}, ReadBuilds: true,
				Parents:  []koji.InheritanceLink{{Name: "t-el9-development", Priority: 0, MaxDepth: koji.Ptr(2), PkgFilter: "^lib"}},
				ExtRepos: []koji.TagExternalRepo{{ExternalRepoName: "el9-base", URL: "https://x/el9/$arch/", Priority: 5, MergeMode: "bare"}},
				Groups:   []Group{{Name: "build", Packages: []GroupPackage{{Package: "bash", Type: "mandatory"}}}},
				Tagged:   []koji.TaggedBuild{tb("t-el9-build", "hello-1-1.el9", "bob", 12)}},
		},
	}
}

func testLocal() *LocalState {
	l := emptyLocal()
	l.Users["alice"] = true
	return l
}

func TestPlanFresh(t *testing.T) {
	p := MakePlan(remote(), testLocal())
	var names []string
	for _, n := range p.NewTags {
		names = append(names, n.Name)
	}
	if want := []string{"osg-el9", "t-el9-development", "t-el9-build"}; !reflect.DeepEqual(names, want) {
		t.Errorf("new tags %v, want %v", names, want)
	}
	bt := p.NewTags[2]
	if bt.Arches != "x86_64" || bt.Perm != "admin" || bt.Extra["rpm.macro.dist"] != ".el9" || bt.Extra["mirror.event"] != nil {
		t.Errorf("build tag %+v: want arches, perm, the dist macro and no remote mirror.* extra", bt)
	}
	if !p.Lock["t-el9-build"] || len(p.Lock) != 1 {
		t.Errorf("locks %v: want t-el9-build locked at the end", p.Lock)
	}
	if !reflect.DeepEqual(p.Users, []string{"bob"}) {
		t.Errorf("users %v, want bob (alice exists)", p.Users)
	}
	if len(p.Inheritance) != 2 || p.Inheritance[1].Tag != "t-el9-build" || p.Inheritance[1].Links[0].Name != "t-el9-development" ||
		*p.Inheritance[1].Links[0].MaxDepth != 2 || p.Inheritance[1].Links[0].PkgFilter != "^lib" {
		t.Errorf("inheritance %+v", p.Inheritance)
	}
	if len(p.PkgAdds) != 3 || !p.PkgAdds[2].Block || p.PkgAdds[1].Owner != "bob" {
		t.Errorf("package adds %+v", p.PkgAdds)
	}
	if p.ExtRepos["el9-base"] != "https://x/el9/$arch/" || len(p.RepoAdds) != 1 || p.RepoAdds[0].MergeMode != "bare" || p.RepoAdds[0].Priority != 5 {
		t.Errorf("external repos %v %+v", p.ExtRepos, p.RepoAdds)
	}
	if len(p.Groups) != 1 || p.Groups[0].Group.Packages[0].Package != "bash" {
		t.Errorf("groups %+v", p.Groups)
	}
	// the same group answered for a child (inherited) is not set again there
	s := remote()
	s.Tags = append(s.Tags, &TagData{Tag: koji.Tag{Name: "child"}, Parents: []koji.InheritanceLink{{Name: "t-el9-build"}},
		Groups: s.Tags[2].Groups})
	if p := MakePlan(s, testLocal()); len(p.Groups) != 1 || p.Groups[0].Tag != "t-el9-build" {
		t.Errorf("groups %+v: want only t-el9-build's", p.Groups)
	}
	// hello is in two tags: one import, tagged twice
	if len(p.Imports) != 2 || p.Imports[0].Build.NVR != "libfoo-1-1.el9" ||
		!reflect.DeepEqual(p.Imports[1].Tags, []string{"t-el9-development", "t-el9-build"}) {
		t.Errorf("imports %+v", p.Imports)
	}
	if len(p.Tag) != 0 || len(p.Untag) != 0 {
		t.Errorf("tag %v untag %v: want none", p.Tag, p.Untag)
	}
	if len(p.Targets) != 1 || !p.Targets[0].New || p.Targets[0].BuildTag != "t-el9-build" {
		t.Errorf("targets %+v", p.Targets)
	}
	if len(p.Local) != 1 || p.Local[0].Tag != "t-el9-local" || p.Local[0].Parent != "t-el9-build" || p.Local[0].Arches != "x86_64" || !p.Local[0].Missing {
		t.Errorf("local %+v", p.Local)
	}
	if !reflect.DeepEqual(p.Mark, []string{"osg-el9", "t-el9-development", "t-el9-build"}) {
		t.Errorf("marks %v", p.Mark)
	}
}

// localFrom is the local state after a complete mirror of s.
func localFrom(s *Snapshot) *LocalState {
	l := testLocal()
	l.Users["bob"] = true
	for _, t := range s.Tags {
		lt := &LocalTag{Tag: t.Tag, Parents: t.Parents, Packages: t.Packages, ExtRepos: t.ExtRepos, Tagged: t.Tagged, Groups: t.Groups}
		lt.Tag.Extra = map[string]any{}
		for k, v := range t.Tag.Extra {
			lt.Tag.Extra[k] = v
		}
		lt.Tag.Extra[ExtraEvent], lt.Tag.Extra[ExtraSource] = strconv.Itoa(s.Event), s.Source
		l.Tags[t.Tag.Name] = lt
		for _, b := range t.Tagged {
			l.Builds[b.NVR] = true
		}
		for _, r := range t.ExtRepos {
			l.ExtRepos[r.ExternalRepoName] = r.URL
		}
	}
	for _, tg := range s.Targets {
		l.Targets[tg.Name] = tg
		l.Targets[tg.Name+LocalSuffix] = koji.BuildTarget{Name: tg.Name + LocalSuffix}
		l.Tags[tg.Name+LocalSuffix] = &LocalTag{Parents: []koji.InheritanceLink{{Name: tg.BuildTagName}}}
	}
	return l
}

func TestPlanUpToDate(t *testing.T) {
	s := remote()
	p := MakePlan(s, localFrom(s))
	if !p.Empty() {
		t.Errorf("a second run plans %s, %+v", p.Counts(), p)
	}
	if len(p.Groups) != 0 || len(p.Lock) != 0 || len(p.Mark) != 0 {
		t.Errorf("groups %+v, locks %v, marks %v: want none", p.Groups, p.Lock, p.Mark)
	}
	// a later event: the marks move
	l := localFrom(s)
	s.Event = 101
	if p = MakePlan(s, l); len(p.Mark) != 3 {
		t.Errorf("marks %v: want every tag", p.Mark)
	}
}

func TestPlanChanges(t *testing.T) {
	s := remote()
	l := localFrom(s)
	// local differences the remote does not have
	dev := l.Tags["t-el9-development"]
	dev.Tagged = append(dev.Tagged, tb("t-el9-development", "gone-1-1.el9", "alice", 5))
	dev.Packages = append(dev.Packages, pkg("t-el9-development", "gone", "alice", false))
	l.Tags["t-el9-build"].Tag.Extra["old"] = "x"
	l.Tags["t-el9-build"].Tag.Extra["rpm.macro.dist"] = ".el9.old"
	// a remote change: a new libfoo, and a build that exists here already
	s.Tags[1].Tagged[0] = tb("t-el9-development", "libfoo-2-1.el9", "alice", 20)
	s.Tags[0].Tagged = []koji.TaggedBuild{tb("osg-el9", "local-1-1.el9", "alice", 21)}
	l.Builds["local-1-1.el9"] = true
	p := MakePlan(s, l)
	if len(p.Imports) != 1 || p.Imports[0].Build.NVR != "libfoo-2-1.el9" {
		t.Errorf("imports %+v", p.Imports)
	}
	if !reflect.DeepEqual(p.Tag, []Tagging{{Tag: "osg-el9", NVR: "local-1-1.el9"}}) {
		t.Errorf("tag %+v", p.Tag)
	}
	want := []Tagging{{Tag: "t-el9-development", NVR: "libfoo-1-1.el9"}, {Tag: "t-el9-development", NVR: "gone-1-1.el9"}}
	if !reflect.DeepEqual(p.Untag, want) {
		t.Errorf("untag %+v, want %+v", p.Untag, want)
	}
	if !reflect.DeepEqual(p.PkgRemoves, []TagPkg{{Tag: "t-el9-development", Package: "gone"}}) {
		t.Errorf("package removes %+v", p.PkgRemoves)
	}
	if len(p.Edits) != 1 || p.Edits[0].Extra["rpm.macro.dist"] != ".el9" || !reflect.DeepEqual(p.Edits[0].RemoveExtra, []string{"old"}) {
		t.Errorf("edits %+v", p.Edits)
	}
}

func TestPlanSinceLastScope(t *testing.T) {
	s := remote()
	l := localFrom(s)
	dev := l.Tags["t-el9-development"]
	dev.Tagged = append(dev.Tagged, tb("t-el9-development", "other-1-1.el9", "alice", 5))
	// history: only hello changed in development (untagged remotely), and
	// the package list of osg-el9 got "new"
	s.Tags[1].BuildScope = map[string]bool{"hello": true}
	s.Tags[1].PkgScope = map[string]bool{}
	s.Tags[1].Tagged = nil
	s.Tags[1].ConfigOnly = true
	s.Tags[0].PkgScope = map[string]bool{"new": true}
	s.Tags[0].BuildScope = map[string]bool{}
	s.Tags[0].Packages = []koji.PackageListEntry{pkg("osg-el9", "new", "carol", false)}
	s.Tags[0].ConfigOnly = true
	s.Tags[2].BuildScope, s.Tags[2].PkgScope, s.Tags[2].ConfigOnly = map[string]bool{}, map[string]bool{}, true
	s.Tags[2].Packages, s.Tags[2].Tagged = nil, nil
	p := MakePlan(s, l)
	if !reflect.DeepEqual(p.Untag, []Tagging{{Tag: "t-el9-development", NVR: "hello-1-1.el9"}}) {
		t.Errorf("untag %+v: want only hello (other is out of scope)", p.Untag)
	}
	if len(p.PkgAdds) != 1 || p.PkgAdds[0].Package != "new" || len(p.PkgRemoves) != 0 {
		t.Errorf("package changes %+v %+v: want only new added", p.PkgAdds, p.PkgRemoves)
	}
	if !reflect.DeepEqual(p.Users, []string{"carol"}) {
		t.Errorf("users %v", p.Users)
	}
	if len(p.Imports) != 0 || len(p.Tag) != 0 || len(p.Edits) != 0 || len(p.Inheritance) != 0 || len(p.RepoAdds) != 0 || len(p.Groups) != 0 {
		t.Errorf("plan %s: want only the untagging and the package", p.Counts())
	}
}

func TestPlanMissingPerm(t *testing.T) {
	l := testLocal()
	l.Perms = map[string]bool{}
	p := MakePlan(remote(), l)
	if p.NewTags[2].Perm != "" || len(p.Skipped) != 1 || !strings.Contains(p.Skipped[0], "permission admin") {
		t.Errorf("tag %+v, skipped %v", p.NewTags[2], p.Skipped)
	}
}

// fakeHub answers multiCall from a table keyed by "method arg".
type fakeHub struct {
	koji.Hub
	answers  map[string]any
	requests int
	calls    []string
}

func (f *fakeHub) MultiCall(ctx context.Context, calls []koji.Call, o koji.MultiCallOpts) ([]koji.CallResult, error) {
	f.requests++
	out := make([]koji.CallResult, len(calls))
	for i, c := range calls {
		key := c.Method
		if len(c.Args) > 0 {
			key += " " + fmt.Sprint(c.Args[0])
		} else if v, ok := c.Kwargs["tagID"]; ok {
			key += " " + fmt.Sprint(v)
			if p, ok := c.Kwargs["pkgID"]; ok {
				key += " " + fmt.Sprint(p)
			}
		} else if v, ok := c.Kwargs["tag_info"]; ok {
			key += " " + fmt.Sprint(v)
		} else if v, ok := c.Kwargs["tag"]; ok {
			key += " " + fmt.Sprint(v)
		}
		if p, ok := c.Kwargs["package"]; ok && c.Method == "listTagged" {
			key += " " + fmt.Sprint(p)
		}
		f.calls = append(f.calls, key)
		v, ok := f.answers[key]
		if !ok {
			v = []any{}
			switch {
			case strings.HasPrefix(key, "getBuildTarget") || strings.HasPrefix(key, "getTag "):
				v = nil
			case strings.HasPrefix(key, "queryHistory"):
				v = map[string]any{}
			}
		}
		g, err := xmlrpc.Generic(v)
		if err != nil {
			return nil, err
		}
		out[i] = koji.CallResult{Value: g}
	}
	return out, nil
}

func fakeRemote() *fakeHub {
	return &fakeHub{answers: map[string]any{
		"getLastEvent":                         koji.Event{ID: 100},
		"getKojiVersion":                       "1.35.3",
		"getBuildTarget t-el9":                 koji.BuildTarget{Name: "t-el9", BuildTagName: "t-el9-build", DestTagName: "t-el9-development"},
		"getFullInheritance t-el9-build":       []koji.FullInheritanceLink{{Name: "t-el9-development"}, {Name: "osg-el9"}},
		"getFullInheritance t-el9-development": []koji.FullInheritanceLink{{Name: "osg-el9"}},
		"getTag t-el9-build":                   koji.Tag{Name: "t-el9-build", Arches: sp("x86_64"), Extra: map[string]any{ExtraEvent: "90"}},
		"getTag t-el9-development":             koji.Tag{Name: "t-el9-development", Extra: map[string]any{}},
		"getTag osg-el9":                       koji.Tag{Name: "osg-el9", Extra: map[string]any{}},
		"listTagged t-el9-development":         []koji.TaggedBuild{tb("t-el9-development", "hello-1-1.el9", "bob", 11), tb("t-el9-development", "libfoo-1-1.el9", "alice", 10)},
		"listPackages osg-el9":                 []koji.PackageListEntry{pkg("osg-el9", "hello", "bob", false)},
		"queryHistory t-el9-development":       map[string]any{"tag_listing": []any{map[string]any{"name": "hello"}}},
		"listTagged t-el9-development hello":   []koji.TaggedBuild{tb("t-el9-development", "hello-2-1.el9", "bob", 95)},
	}}
}

func TestReadFull(t *testing.T) {
	f := fakeRemote()
	r := &Remote{Hub: f}
	s, err := r.Read(context.Background(), "src", ReadOptions{Args: []string{"t-el9"}})
	if err != nil {
		t.Fatal(err)
	}
	if r.Requests() != 3 || f.requests != 3 {
		t.Errorf("%d requests, want 3 (what the arguments are, the chains, the tags)", r.Requests())
	}
	var names []string
	for _, d := range s.Tags {
		names = append(names, d.Tag.Name)
	}
	if want := []string{"osg-el9", "t-el9-development", "t-el9-build"}; !reflect.DeepEqual(names, want) {
		t.Errorf("tags %v, want %v (parents first)", names, want)
	}
	dev := s.Tag("t-el9-development")
	if len(dev.Tagged) != 2 || dev.Tagged[0].NVR != "libfoo-1-1.el9" {
		t.Errorf("development's builds %+v: want oldest tagging first", dev.Tagged)
	}
	if s.Event != 100 || len(s.Targets) != 1 || len(s.Tag("osg-el9").Packages) != 1 {
		t.Errorf("snapshot %+v", s)
	}
}

func TestReadSinceLast(t *testing.T) {
	f := fakeRemote()
	r := &Remote{Hub: f}
	since := func(tag string) (int, bool) { return 90, tag != "osg-el9" }
	s, err := r.Read(context.Background(), "src", ReadOptions{Args: []string{"t-el9"}, Since: since})
	if err != nil {
		t.Fatal(err)
	}
	if r.Requests() != 4 {
		t.Errorf("%d requests, want 4", r.Requests())
	}
	dev := s.Tag("t-el9-development")
	if !dev.BuildScope["hello"] || len(dev.BuildScope) != 1 || len(dev.Tagged) != 1 || dev.Tagged[0].NVR != "hello-2-1.el9" || !dev.ConfigOnly {
		t.Errorf("development %+v", dev)
	}
	if s.Tag("osg-el9").PkgScope != nil {
		t.Errorf("osg-el9, never mirrored, must be read whole")
	}
	for _, c := range f.calls {
		if c == "listTagged t-el9-development" {
			t.Errorf("the whole of development was listed: %v", f.calls)
		}
	}
}

func TestReadNotFound(t *testing.T) {
	r := &Remote{Hub: fakeRemote()}
	_, err := r.Read(context.Background(), "https://koji.example/kojihub", ReadOptions{Args: []string{"nope"}})
	if !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "https://koji.example/kojihub: nope") {
		t.Errorf("err %v", err)
	}
}

func TestReadRPMsArches(t *testing.T) {
	rpm := func(name, arch string) koji.RPM { return koji.RPM{Name: name, Version: "1", Release: "1", Arch: arch} }
	f := &fakeHub{answers: map[string]any{}}
	// listRPMs is called with kwargs only: answer every call with the same rows
	f.answers["listRPMs"] = []koji.RPM{rpm("foo", "src"), rpm("foo", "x86_64"), rpm("foo", "aarch64"), rpm("foo-doc", "noarch"),
		rpm("foo-debuginfo", "x86_64"), rpm("foo-debugsource", "x86_64")}
	r := &Remote{Hub: f}
	s := &Snapshot{RPMs: map[int][]koji.RPM{}}
	if err := r.ReadRPMs(context.Background(), s, []koji.TaggedBuild{{BuildID: 7, NVR: "foo-1-1"}}, []string{"x86_64"}); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, x := range s.RPMs[7] {
		got = append(got, x.Filename())
	}
	want := []string{"foo-1-1.src.rpm", "foo-1-1.x86_64.rpm", "foo-doc-1-1.noarch.rpm"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("RPMs %v, want %v (the arch asked, noarch and src; no debuginfo)", got, want)
	}
}

// TestPlanTargetMoved: the remote target's build tag changed: the target
// and the local tag on top follow.
func TestPlanTargetMoved(t *testing.T) {
	s := remote()
	l := localFrom(s)
	s.Targets[0].BuildTagName = "t-el9-development"
	p := MakePlan(s, l)
	if len(p.Targets) != 1 || p.Targets[0].New || p.Targets[0].BuildTag != "t-el9-development" {
		t.Errorf("targets %+v", p.Targets)
	}
	if len(p.Local) != 1 || !p.Local[0].Reparent || p.Local[0].Missing || p.Local[0].Parent != "t-el9-development" {
		t.Errorf("local %+v", p.Local)
	}
}

// TestReadOldKoji: a remote older than the mirror can read is refused in
// the first request, with what it needs.
func TestReadOldKoji(t *testing.T) {
	for _, tc := range []struct {
		version   any
		sinceLast bool
		want      string
	}{
		{"1.24.1", false, "is Koji 1.24.1: hub mirror needs Koji 1.25 or later"},
		{"1.33.0", true, "is Koji 1.33.0: --since-last needs Koji 1.34 or later"},
		{"1.33.0", false, ""},
		{"1.35.3", true, ""},
		{"2.0", true, ""},
		{"devel", true, ""},
	} {
		f := fakeRemote()
		f.answers["getKojiVersion"] = tc.version
		r := &Remote{Hub: f}
		o := ReadOptions{Args: []string{"t-el9"}}
		if tc.sinceLast {
			o.Since = func(string) (int, bool) { return 90, true }
		}
		_, err := r.Read(context.Background(), "https://old.example/kojihub", o)
		if tc.want == "" {
			if err != nil {
				t.Errorf("%v: %v", tc.version, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v (since-last %v): %v, want %q", tc.version, tc.sinceLast, err, tc.want)
		}
		if r.Requests() != 1 {
			t.Errorf("%v: %d requests before the refusal", tc.version, r.Requests())
		}
	}
	if err := checkVersion("https://x", "", koji.NewFault(koji.GenericError, "Invalid method: getKojiVersion"), false); err == nil || !strings.Contains(err.Error(), "older than Koji 1.25") {
		t.Errorf("no getKojiVersion: %v", err)
	}
}
