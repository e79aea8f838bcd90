package hubmirror

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/osg-htc/osg-build-go/pkg/hub"
	"github.com/osg-htc/osg-build-go/pkg/koji"
)

// Options are the inputs of a mirror run.
type Options struct {
	// Source names the remote (its URL), recorded in mirror.source.
	Source string
	// Args are the remote targets or tags.
	Args []string
	// RPMs is RPMsLatest (default), RPMsNone or RPMsAll.
	RPMs string
	// Arches limit the RPMs brought (with noarch and src); empty: the
	// build tags' arches.
	Arches []string
	// SinceLast re-syncs from the event of the last mirror.
	SinceLast bool
	// NoRepos skips the repo regeneration.
	NoRepos bool
	// ExternalCache, when set, points the mirrored external repos at a
	// local copy: file://ExternalCache/NAME/$arch/ instead of the remote
	// URL (see CacheURL).
	ExternalCache string
	// DryRun stops after the plan (Summary.Plan): nothing is written or
	// downloaded. The local hub may then be nil (an empty hub).
	DryRun     bool
	Downloader *Downloader
	Logf       func(format string, args ...any)
}

// Summary is a run's outcome and its costs.
type Summary struct {
	*Result  // nil for a dry run
	Plan     *Plan
	Requests int
	Took     time.Duration
	Event    int // the remote event read at
}

// Run mirrors o.Args from the remote r into the local hub h.
func Run(ctx context.Context, r *Remote, h *hub.Hub, o Options) (*Summary, error) {
	start := time.Now()
	logf := o.Logf
	if logf == nil {
		logf = func(string, ...any) {}
	}
	ro := ReadOptions{Args: o.Args, RPMs: o.RPMs}
	if o.SinceLast && h == nil {
		return nil, fmt.Errorf("--since-last: there is no hub here yet: mirror once without --since-last")
	}
	if o.SinceLast {
		ro.Since = func(tag string) (int, bool) {
			t, err := h.GetTag(ctx, koji.ByName(tag), koji.GetTagOpts{})
			if err != nil || t == nil {
				return 0, false
			}
			return EventOf(t.Extra)
		}
	}
	s, err := r.Read(ctx, o.Source, ro)
	if err != nil {
		return nil, err
	}
	if o.SinceLast {
		// the roots must have been mirrored
		var roots []string
		for _, t := range s.Targets {
			roots = append(roots, t.BuildTagName)
		}
		if len(roots) == 0 && len(s.Tags) > 0 {
			roots = append(roots, s.Tags[len(s.Tags)-1].Tag.Name)
		}
		for _, t := range roots {
			if d := s.Tag(t); d != nil && d.PkgScope == nil {
				return nil, fmt.Errorf("--since-last: %s was never mirrored here: mirror it once without --since-last", t)
			}
		}
	}
	if o.ExternalCache != "" {
		useExternalCache(s, o.ExternalCache, logf)
	}
	arches := o.Arches
	if len(arches) == 0 {
		seen := map[string]bool{}
		for _, t := range s.Tags {
			for _, a := range t.Tag.ArchList() {
				if !seen[a] {
					seen[a] = true
					arches = append(arches, a)
				}
			}
		}
	}
	l := emptyLocal()
	if h != nil {
		if l, err = ReadLocal(ctx, h, s); err != nil {
			return nil, fmt.Errorf("reading the local hub: %w", err)
		}
	}
	p := MakePlan(s, l)
	if o.DryRun {
		return &Summary{Plan: p, Requests: r.Requests(), Took: time.Since(start), Event: s.Event}, nil
	}
	logf("Mirroring %s and %s from %s at event %d: %s", count(len(s.Tags), "tag"), count(len(s.Targets), "target"), o.Source, s.Event, p.Counts())
	res, err := Apply(ctx, h, r, s, p, ApplyOptions{Downloader: o.Downloader, Arches: arches, Logf: logf})
	sum := &Summary{Result: res, Plan: p, Requests: r.Requests(), Event: s.Event}
	if err != nil {
		sum.Took = time.Since(start)
		return sum, err
	}
	if !o.NoRepos {
		var regen []string
		seen := map[string]bool{}
		add := func(t string) {
			if !seen[t] {
				seen[t] = true
				regen = append(regen, t)
			}
		}
		for _, t := range s.Targets {
			add(t.BuildTagName)
			add(t.Name + LocalSuffix)
		}
		if len(s.Targets) == 0 {
			for _, a := range o.Args {
				if d := s.Tag(a); d != nil && len(d.Tag.ArchList()) > 0 {
					add(a)
				}
			}
		}
		if p.Empty() && len(p.Mark) == 0 {
			// nothing changed: the repos made last time stand
			regen = haveNoRepo(ctx, h, regen)
		}
		if len(regen) > 0 {
			logf("Regenerating the repos of %s", strings.Join(regen, ", "))
		}
		repos, err := Regen(ctx, h, regen)
		res.Repos = repos
		if err != nil {
			sum.Took = time.Since(start)
			return sum, err
		}
	}
	sum.Took = time.Since(start)
	return sum, nil
}

// Counts describes the plan in a few words.
func (p *Plan) Counts() string {
	return fmt.Sprintf("%d new tags, %d tag edits, %d inheritance changes, %d package-list changes, %d builds to import, %d to tag, %d to untag",
		len(p.NewTags), len(p.Edits), len(p.Inheritance), len(p.PkgAdds)+len(p.PkgRemoves), len(p.Imports), len(p.Tag), len(p.Untag))
}

// haveNoRepo are the tags that have no ready repo.
func haveNoRepo(ctx context.Context, h *hub.Hub, tags []string) []string {
	var out []string
	for _, t := range tags {
		if r, err := h.GetRepo(ctx, koji.ByName(t), koji.GetRepoOpts{}); err != nil || r == nil {
			out = append(out, t)
		}
	}
	return out
}

// emptyLocal is the state of a hub that has nothing.
func emptyLocal() *LocalState {
	return &LocalState{Tags: map[string]*LocalTag{}, Builds: map[string]bool{}, Users: map[string]bool{},
		Perms: map[string]bool{"admin": true}, Targets: map[string]koji.BuildTarget{}, ExtRepos: map[string]string{}}
}

// Write lists what the plan would do, one line per change.
func (p *Plan) Write(w io.Writer) {
	line := func(format string, args ...any) { fmt.Fprintf(w, format+"\n", args...) }
	for _, u := range p.Users {
		line("create user %s", u)
	}
	for _, n := range sortedKeys(p.ExtRepos) {
		line("create external repo %s %s", n, p.ExtRepos[n])
	}
	for _, t := range p.NewTags {
		line("create tag %s (arches %q)", t.Name, t.Arches)
	}
	for _, e := range p.Edits {
		line("edit tag %s", e.Name)
	}
	for _, in := range p.Inheritance {
		var ps []string
		for _, l := range in.Links {
			ps = append(ps, fmt.Sprintf("%s (%d)", l.Name, l.Priority))
		}
		line("set the parents of %s: %s", in.Tag, strings.Join(ps, ", "))
	}
	for _, e := range p.PkgAdds {
		what := "add"
		if e.Block {
			what = "block"
		}
		line("%s package %s in %s (owner %s)", what, e.Package, e.Tag, e.Owner)
	}
	for _, e := range p.PkgRemoves {
		line("remove package %s from %s", e.Package, e.Tag)
	}
	for _, e := range p.RepoRemoves {
		line("remove external repo %s from %s", e.Package, e.Tag)
	}
	for _, e := range p.RepoAdds {
		line("add external repo %s to %s (priority %d, %s)", e.Repo, e.Tag, e.Priority, e.MergeMode)
	}
	for _, g := range p.Groups {
		line("set group %s in %s (%d packages)", g.Group.Name, g.Tag, len(g.Group.Packages))
	}
	for _, t := range p.Targets {
		line("set target %s: build tag %s, destination %s", t.Name, t.BuildTag, t.DestTag)
	}
	for _, lo := range p.Local {
		line("make the local tag and target %s on top of %s", lo.Target, lo.Parent)
	}
	for _, im := range p.Imports {
		line("import %s into %s", im.Build.NVR, strings.Join(im.Tags, " "))
	}
	for _, t := range p.Tag {
		line("tag %s into %s", t.NVR, t.Tag)
	}
	for _, t := range p.Untag {
		line("untag %s from %s", t.NVR, t.Tag)
	}
	for _, m := range p.Skipped {
		line("warning: %s", m)
	}
}

// count is "1 tag", "2 tags".
func count(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// CacheURL is where --external-cache DIR puts the external repo name:
// file://DIR/NAME/$arch/ (Koji substitutes $arch for each buildroot arch).
func CacheURL(dir, name string) string {
	return "file://" + filepath.ToSlash(filepath.Join(dir, name)) + "/$arch/"
}

// useExternalCache points the snapshot's external repos at their copies
// under dir, and says how to fill a copy that is missing.
func useExternalCache(s *Snapshot, dir string, logf func(string, ...any)) {
	said := map[string]bool{}
	for _, t := range s.Tags {
		for i, r := range t.ExtRepos {
			remote := r.URL
			t.ExtRepos[i].URL = CacheURL(dir, r.ExternalRepoName)
			if said[r.ExternalRepoName] {
				continue
			}
			said[r.ExternalRepoName] = true
			local := filepath.Join(dir, r.ExternalRepoName)
			if _, err := os.Stat(local); err != nil {
				logf("External repo %s: %s is not there yet; fill it for each arch A with: dnf reposync --repofrompath=%s,%s --repo=%s --download-metadata --norepopath -p %s/A",
					r.ExternalRepoName, local, r.ExternalRepoName, strings.ReplaceAll(remote, "$arch", "A"), r.ExternalRepoName, local)
			} else {
				logf("External repo %s: the local copy %s (remote %s)", r.ExternalRepoName, local, remote)
			}
		}
	}
}
