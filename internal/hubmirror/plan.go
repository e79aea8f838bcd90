// Package hubmirror brings a Koji hub's build environment into the
// embedded hub (`osg-build hub mirror`): the inheritance chain of a
// target's build tag (tags, inheritance links, package lists, external
// repos, comps groups), the target, and the latest builds of each tag with
// their RPMs, so that local builds see what Koji's buildroot sees.
//
// It works in three steps: Read takes a Snapshot of the remote at one
// event (a few multiCall requests whatever the number of tags), MakePlan
// compares it with the local hub's state (pure, tested with fakes), and
// Apply makes the local changes: each build's import (build, RPMs,
// taggings) is one hub transaction, downloads are checked against the
// remote's payload hash and size and resumed on a re-run, and each
// mirrored tag records the remote and its event (mirror.source,
// mirror.event) last, so an interrupted run is re-done by the next.
package hubmirror

import (
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"github.com/osg-htc/osg-build-go/pkg/koji"
)

// Extra options recorded on every mirrored tag.
const (
	ExtraSource = "mirror.source"
	ExtraEvent  = "mirror.event"
	// ExtraLocalOf marks the local tag made on top of a mirrored build
	// tag (its value is the mirrored target's name).
	ExtraLocalOf = "mirror.local_of"
)

// LocalSuffix names the local tag and target made for a mirrored target T:
// T-local, inheriting T's mirrored build tag.
const LocalSuffix = "-local"

// Group is one comps group of a tag as getTagGroups answers it.
type Group struct {
	Name        string         `xmlrpc:"name"`
	DisplayName string         `xmlrpc:"display_name"`
	Description *string        `xmlrpc:"description"`
	IsDefault   *bool          `xmlrpc:"is_default"`
	UserVisible *bool          `xmlrpc:"uservisible"`
	Blocked     bool           `xmlrpc:"blocked"`
	Packages    []GroupPackage `xmlrpc:"packagelist"`
}

// GroupPackage is a package of a comps group.
type GroupPackage struct {
	Package      string  `xmlrpc:"package"`
	Type         string  `xmlrpc:"type"`
	BasearchOnly *bool   `xmlrpc:"basearchonly"`
	Requires     *string `xmlrpc:"requires"`
	Blocked      bool    `xmlrpc:"blocked"`
}

// TagData is what the remote has for one tag of a chain.
type TagData struct {
	Tag      koji.Tag
	Parents  []koji.InheritanceLink
	Packages []koji.PackageListEntry // the tag's own entries
	ExtRepos []koji.TagExternalRepo
	Groups   []Group
	// Tagged are the builds the local tag must hold (the latest of each
	// package, or all with --rpms all), oldest tagging first.
	Tagged []koji.TaggedBuild
	// ReadBuilds is false when builds are not mirrored (--rpms none).
	ReadBuilds bool
	// PkgScope and BuildScope, when not nil, limit Packages and Tagged to
	// these packages (a --since-last run reads only what changed): local
	// entries and taggings of other packages are left alone.
	PkgScope, BuildScope map[string]bool
	// Present, when not nil, are the N-V-Rs the remote tag holds beyond
	// Tagged (older taggings, read by --since-last): they are not untagged
	// here.
	Present map[string]bool
	// ConfigOnly is true for a --since-last tag whose history shows no
	// configuration change: its arches, extra and links are not compared.
	ConfigOnly bool
}

// Snapshot is the remote's state for the mirrored targets and tags at one
// event.
type Snapshot struct {
	Source  string
	Event   int
	Version string // the remote's getKojiVersion
	Targets []koji.BuildTarget
	// Tags are every tag of the chains, parents before children.
	Tags []*TagData
	// RPMs are the RPMs to download per remote build id (filled for the
	// builds the plan imports).
	RPMs map[int][]koji.RPM
}

// Tag returns the snapshot's data for the tag name (nil when absent).
func (s *Snapshot) Tag(name string) *TagData {
	for _, t := range s.Tags {
		if t.Tag.Name == name {
			return t
		}
	}
	return nil
}

// LocalTag is the local hub's state of one tag.
type LocalTag struct {
	Tag      koji.Tag
	Parents  []koji.InheritanceLink
	Packages []koji.PackageListEntry // own entries
	ExtRepos []koji.TagExternalRepo
	Tagged   []koji.TaggedBuild // builds tagged in the tag itself
	// Groups are the comps groups the tag has (with inheritance).
	Groups []Group
}

// LocalState is what the local hub has of what the snapshot names.
type LocalState struct {
	Tags     map[string]*LocalTag
	Builds   map[string]bool // N-V-Rs present
	Users    map[string]bool
	Perms    map[string]bool
	Targets  map[string]koji.BuildTarget
	ExtRepos map[string]string // name -> URL
}

// NewTag is a tag to create.
type NewTag struct {
	Name   string
	Arches string
	Perm   string
	Extra  map[string]any
}

// TagEdit changes a tag's configuration.
type TagEdit struct {
	Name        string
	Arches      *string
	Perm        string // "" unchanged
	ClearPerm   bool
	Extra       map[string]any
	RemoveExtra []string
}

// Inheritance replaces a tag's parents (by name).
type Inheritance struct {
	Tag   string
	Links []koji.InheritanceLink
}

// PkgEntry is a package-list entry to add or change.
type PkgEntry struct {
	Tag, Package, Owner string
	Block               bool
	ExtraArches         *string
}

// TagPkg names a package in a tag (a package-list entry to remove).
type TagPkg struct{ Tag, Package string }

// ExtRepoLink attaches an external repo to a tag.
type ExtRepoLink struct {
	Tag, Repo, URL string
	Priority       int
	MergeMode      string
	Arches         string
}

// TagGroup is a comps group to set in a tag.
type TagGroup struct {
	Tag   string
	Group Group
}

// Target is a build target to create or change.
type Target struct {
	Name, BuildTag, DestTag string
	New                     bool
}

// Tagging is a build tagged into (or untagged from) a tag.
type Tagging struct {
	Tag string
	NVR string
}

// Import is a remote build to create locally, with the tags it goes in.
type Import struct {
	Build koji.TaggedBuild
	Tags  []string
}

// LocalOnTop is the local tag and target made for a mirrored target.
type LocalOnTop struct {
	Target  string // the local target (T-local)
	Tag     string // its build and destination tag (T-local)
	Parent  string // the mirrored build tag it inherits
	Arches  string
	Missing bool // the tag must be created
	NoTgt   bool // the target must be created
	// Reparent: the tag exists and must inherit Parent (only), whose
	// arches it takes.
	Reparent bool
}

// Plan is what Apply does to the local hub.
type Plan struct {
	Users       []string
	ExtRepos    map[string]string // external repos to create: name -> URL
	NewTags     []NewTag
	Edits       []TagEdit
	Inheritance []Inheritance
	PkgAdds     []PkgEntry
	PkgRemoves  []TagPkg
	RepoAdds    []ExtRepoLink
	RepoRemoves []TagPkg // Package is the external repo's name
	Groups      []TagGroup
	Targets     []Target
	Local       []LocalOnTop
	Imports     []Import
	Tag         []Tagging // existing local builds to tag
	Untag       []Tagging
	// Lock are the locked flags to set at the end (the changes before go
	// through a locked tag: the local user is the hub's admin and forces).
	Lock map[string]bool
	// Mark are the mirrored tags whose mirror.* extras are set at the end
	// (those not already marked with this source and event).
	Mark []string
	// Skipped are messages about what could not be mirrored.
	Skipped []string
}

// Empty reports whether the plan changes nothing (the marks aside).
func (p *Plan) Empty() bool {
	return len(p.Users) == 0 && len(p.ExtRepos) == 0 && len(p.NewTags) == 0 && len(p.Edits) == 0 &&
		len(p.Inheritance) == 0 && len(p.PkgAdds) == 0 && len(p.PkgRemoves) == 0 && len(p.RepoAdds) == 0 &&
		len(p.RepoRemoves) == 0 && len(p.Groups) == 0 && len(p.Targets) == 0 && len(p.Local) == 0 &&
		len(p.Imports) == 0 && len(p.Tag) == 0 && len(p.Untag) == 0
}

// MakePlan compares the snapshot with the local state.
func MakePlan(s *Snapshot, l *LocalState) *Plan {
	p := &Plan{ExtRepos: map[string]string{}, Lock: map[string]bool{}}
	users := map[string]bool{}
	needUser := func(name string) {
		if name != "" && !l.Users[name] && !users[name] {
			users[name] = true
			p.Users = append(p.Users, name)
		}
	}
	imports := map[string]int{} // NVR -> index in p.Imports
	for _, t := range s.Tags {
		name := t.Tag.Name
		lt := l.Tags[name]
		if lt == nil || fmt.Sprint(lt.Tag.Extra[ExtraEvent]) != strconv.Itoa(s.Event) || fmt.Sprint(lt.Tag.Extra[ExtraSource]) != s.Source {
			p.Mark = append(p.Mark, name)
		}
		if lt == nil && t.Tag.Locked || lt != nil && lt.Tag.Locked != t.Tag.Locked {
			p.Lock[name] = t.Tag.Locked
		}
		// configuration
		extra := map[string]any{}
		for k, v := range t.Tag.Extra {
			if !strings.HasPrefix(k, "mirror.") {
				extra[k] = v
			}
		}
		perm := ""
		if t.Tag.Perm != nil {
			perm = *t.Tag.Perm
			if !l.Perms[perm] {
				p.Skipped = append(p.Skipped, fmt.Sprintf("tag %s: permission %s does not exist here; the tag is left without it", name, perm))
				perm = ""
			}
		}
		arches := ""
		if t.Tag.Arches != nil {
			arches = *t.Tag.Arches
		}
		if lt == nil {
			p.NewTags = append(p.NewTags, NewTag{Name: name, Arches: arches, Perm: perm, Extra: extra})
		} else if !t.ConfigOnly {
			e := TagEdit{Name: name}
			if la := strOr(lt.Tag.Arches); la != arches {
				e.Arches = &arches
			}
			if lp := strOr(lt.Tag.Perm); lp != perm {
				e.Perm, e.ClearPerm = perm, perm == ""
			}
			for k, v := range extra {
				if lv, ok := lt.Tag.Extra[k]; !ok || fmt.Sprint(lv) != fmt.Sprint(v) {
					if e.Extra == nil {
						e.Extra = map[string]any{}
					}
					e.Extra[k] = v
				}
			}
			for k := range lt.Tag.Extra {
				if _, ok := extra[k]; !ok && !strings.HasPrefix(k, "mirror.") {
					e.RemoveExtra = append(e.RemoveExtra, k)
				}
			}
			sort.Strings(e.RemoveExtra)
			if e.Arches != nil || e.Perm != "" || e.ClearPerm || e.Extra != nil || e.RemoveExtra != nil {
				p.Edits = append(p.Edits, e)
			}
		}
		// inheritance, by parent name
		if !t.ConfigOnly {
			var have []koji.InheritanceLink
			if lt != nil {
				have = lt.Parents
			}
			if !sameLinks(t.Parents, have) {
				links := make([]koji.InheritanceLink, len(t.Parents))
				for i, x := range t.Parents {
					links[i] = koji.InheritanceLink{Name: x.Name, Priority: x.Priority, MaxDepth: x.MaxDepth,
						Intransitive: x.Intransitive, NoConfig: x.NoConfig, PkgFilter: x.PkgFilter}
				}
				p.Inheritance = append(p.Inheritance, Inheritance{Tag: name, Links: links})
			}
		}
		// package list
		have := map[string]koji.PackageListEntry{}
		if lt != nil {
			for _, e := range lt.Packages {
				have[e.PackageName] = e
			}
		}
		want := map[string]bool{}
		for _, e := range t.Packages {
			if t.PkgScope != nil && !t.PkgScope[e.PackageName] {
				continue
			}
			want[e.PackageName] = true
			needUser(e.OwnerName)
			h, ok := have[e.PackageName]
			if ok && h.OwnerName == e.OwnerName && h.Blocked == e.Blocked && strOr(h.ExtraArches) == strOr(e.ExtraArches) {
				continue
			}
			p.PkgAdds = append(p.PkgAdds, PkgEntry{Tag: name, Package: e.PackageName, Owner: e.OwnerName, Block: e.Blocked, ExtraArches: e.ExtraArches})
		}
		for _, pkg := range sortedKeys(have) {
			if !want[pkg] && (t.PkgScope == nil || t.PkgScope[pkg]) {
				p.PkgRemoves = append(p.PkgRemoves, TagPkg{Tag: name, Package: pkg})
			}
		}
		// external repos
		if !t.ConfigOnly {
			haveRepo := map[string]koji.TagExternalRepo{}
			if lt != nil {
				for _, r := range lt.ExtRepos {
					haveRepo[r.ExternalRepoName] = r
				}
			}
			wantRepo := map[string]bool{}
			for _, r := range t.ExtRepos {
				wantRepo[r.ExternalRepoName] = true
				if u, ok := l.ExtRepos[r.ExternalRepoName]; !ok {
					p.ExtRepos[r.ExternalRepoName] = r.URL
				} else if u != r.URL {
					p.Skipped = append(p.Skipped, fmt.Sprintf("external repo %s: the local one has the URL %s, the remote %s (kept)", r.ExternalRepoName, u, r.URL))
				}
				h, ok := haveRepo[r.ExternalRepoName]
				if ok && h.Priority == r.Priority && h.MergeMode == r.MergeMode && strOr(h.Arches) == strOr(r.Arches) {
					continue
				}
				if ok {
					p.RepoRemoves = append(p.RepoRemoves, TagPkg{Tag: name, Package: r.ExternalRepoName})
				}
				p.RepoAdds = append(p.RepoAdds, ExtRepoLink{Tag: name, Repo: r.ExternalRepoName, URL: r.URL, Priority: r.Priority,
					MergeMode: r.MergeMode, Arches: strOr(r.Arches)})
			}
			for _, rn := range sortedKeys(haveRepo) {
				if !wantRepo[rn] {
					p.RepoRemoves = append(p.RepoRemoves, TagPkg{Tag: name, Package: rn})
				}
			}
			var haveGroups []Group
			if lt != nil {
				haveGroups = lt.Groups
			}
			for _, g := range t.Groups {
				// a group a parent has the same is inherited (a hub that
				// answers getTagGroups(inherit=False) with the inherited
				// groups gives it for every tag of the chain)
				if !hasGroup(haveGroups, g) && !ancestorHas(s, t, g) {
					p.Groups = append(p.Groups, TagGroup{Tag: name, Group: g})
				}
			}
		}
		// builds
		if !t.ReadBuilds {
			continue
		}
		tagged := map[string]bool{}
		if lt != nil {
			for _, b := range lt.Tagged {
				tagged[b.NVR] = true
			}
		}
		wantNVR := map[string]bool{}
		for _, b := range t.Tagged {
			if t.BuildScope != nil && !t.BuildScope[b.PackageName] {
				continue
			}
			wantNVR[b.NVR] = true
			if tagged[b.NVR] {
				continue
			}
			switch i, ok := imports[b.NVR]; {
			case ok:
				p.Imports[i].Tags = append(p.Imports[i].Tags, name)
			case l.Builds[b.NVR]:
				p.Tag = append(p.Tag, Tagging{Tag: name, NVR: b.NVR})
			default:
				needUser(b.OwnerName)
				imports[b.NVR] = len(p.Imports)
				p.Imports = append(p.Imports, Import{Build: b, Tags: []string{name}})
			}
		}
		if lt != nil {
			for _, b := range lt.Tagged {
				if !wantNVR[b.NVR] && !t.Present[b.NVR] && (t.BuildScope == nil || t.BuildScope[b.PackageName]) {
					p.Untag = append(p.Untag, Tagging{Tag: name, NVR: b.NVR})
				}
			}
		}
	}
	// targets
	for _, tg := range s.Targets {
		lt, ok := l.Targets[tg.Name]
		if !ok || lt.BuildTagName != tg.BuildTagName || lt.DestTagName != tg.DestTagName {
			p.Targets = append(p.Targets, Target{Name: tg.Name, BuildTag: tg.BuildTagName, DestTag: tg.DestTagName, New: !ok})
		}
		local := tg.Name + LocalSuffix
		bt := s.Tag(tg.BuildTagName)
		arches := ""
		if bt != nil && bt.Tag.Arches != nil {
			arches = *bt.Tag.Arches
		}
		ltag, haveTag := l.Tags[local]
		_, haveTgt := l.Targets[local]
		// the local tag follows the target's build tag (a remote
		// editBuildTarget moves it)
		reparent := haveTag && (len(ltag.Parents) != 1 || ltag.Parents[0].Name != tg.BuildTagName)
		if !haveTag || !haveTgt || reparent {
			p.Local = append(p.Local, LocalOnTop{Target: local, Tag: local, Parent: tg.BuildTagName, Arches: arches,
				Missing: !haveTag, NoTgt: !haveTgt, Reparent: reparent})
		}
	}
	return p
}

// ancestorHas reports whether a tag t inherits from (in the snapshot)
// has the group g, the same.
func ancestorHas(s *Snapshot, t *TagData, g Group) bool {
	seen := map[string]bool{t.Tag.Name: true}
	todo := append([]koji.InheritanceLink(nil), t.Parents...)
	for len(todo) > 0 {
		l := todo[0]
		todo = todo[1:]
		if seen[l.Name] {
			continue
		}
		seen[l.Name] = true
		pt := s.Tag(l.Name)
		if pt == nil {
			continue
		}
		if hasGroup(pt.Groups, g) {
			return true
		}
		todo = append(todo, pt.Parents...)
	}
	return false
}

// hasGroup reports whether gs has g with the same packages.
func hasGroup(gs []Group, g Group) bool {
	pkgs := func(g Group) []string {
		var out []string
		for _, p := range g.Packages {
			if !p.Blocked {
				out = append(out, p.Package+"/"+p.Type)
			}
		}
		sort.Strings(out)
		return out
	}
	for _, h := range gs {
		if h.Name == g.Name && h.Blocked == g.Blocked && reflect.DeepEqual(pkgs(h), pkgs(g)) {
			return true
		}
	}
	return false
}

// sameLinks reports whether two parent lists are the same by parent name.
func sameLinks(a, b []koji.InheritanceLink) bool {
	if len(a) != len(b) {
		return false
	}
	key := func(l koji.InheritanceLink) string {
		md := "-"
		if l.MaxDepth != nil {
			md = fmt.Sprint(*l.MaxDepth)
		}
		return fmt.Sprintf("%s|%d|%s|%v|%v|%s", l.Name, l.Priority, md, l.Intransitive, l.NoConfig, l.PkgFilter)
	}
	ka, kb := make([]string, len(a)), make([]string, len(b))
	for i := range a {
		ka[i], kb[i] = key(a[i]), key(b[i])
	}
	sort.Strings(ka)
	sort.Strings(kb)
	return reflect.DeepEqual(ka, kb)
}

func strOr(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
