package hubmirror

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"

	"github.com/osg-htc/osg-build-go/internal/xmlrpc"
	"github.com/osg-htc/osg-build-go/pkg/hub"
	"github.com/osg-htc/osg-build-go/pkg/koji"
)

// ReadLocal reads what the local hub has of what the snapshot names.
func ReadLocal(ctx context.Context, h *hub.Hub, s *Snapshot) (*LocalState, error) {
	l := &LocalState{Tags: map[string]*LocalTag{}, Builds: map[string]bool{}, Users: map[string]bool{},
		Perms: map[string]bool{}, Targets: map[string]koji.BuildTarget{}, ExtRepos: map[string]string{}}
	names := make([]string, 0, len(s.Tags)+len(s.Targets))
	for _, t := range s.Tags {
		names = append(names, t.Tag.Name)
	}
	for _, t := range s.Targets {
		names = append(names, t.Name+LocalSuffix)
	}
	for _, n := range names {
		lt, err := readLocalTag(ctx, h, n)
		if err != nil {
			return nil, err
		}
		if lt != nil {
			l.Tags[n] = lt
		}
	}
	users := map[string]bool{}
	for _, t := range s.Tags {
		for _, e := range t.Packages {
			users[e.OwnerName] = true
		}
		for _, b := range t.Tagged {
			users[b.OwnerName] = true
			if _, ok := l.Builds[b.NVR]; ok {
				continue
			}
			lb, err := h.GetBuild(ctx, koji.ByName(b.NVR), koji.GetBuildOpts{})
			if err != nil {
				return nil, err
			}
			l.Builds[b.NVR] = lb != nil && lb.State == koji.BuildComplete
		}
	}
	for u := range users {
		if u == "" {
			continue
		}
		lu, err := h.GetUser(ctx, koji.ByName(u), koji.GetUserOpts{})
		if err != nil {
			return nil, err
		}
		l.Users[u] = lu != nil
	}
	perms, err := h.GetAllPerms(ctx)
	if err != nil {
		return nil, err
	}
	for _, p := range perms {
		l.Perms[p.Name] = true
	}
	for _, t := range s.Targets {
		for _, n := range []string{t.Name, t.Name + LocalSuffix} {
			bt, err := h.GetBuildTarget(ctx, koji.ByName(n), koji.GetBuildTargetOpts{})
			if err != nil {
				return nil, err
			}
			if bt != nil {
				l.Targets[n] = *bt
			}
		}
	}
	repos, err := h.ListExternalRepos(ctx, koji.ListExternalReposOpts{})
	if err != nil {
		return nil, err
	}
	for _, r := range repos {
		l.ExtRepos[r.Name] = r.URL
	}
	return l, nil
}

func readLocalTag(ctx context.Context, h *hub.Hub, name string) (*LocalTag, error) {
	t, err := h.GetTag(ctx, koji.ByName(name), koji.GetTagOpts{})
	if err != nil || t == nil {
		return nil, err
	}
	lt := &LocalTag{Tag: *t}
	ref := koji.ByName(name)
	if lt.Parents, err = h.GetInheritanceData(ctx, ref, koji.EventOpts{}); err != nil {
		return nil, err
	}
	if lt.Packages, err = h.ListPackages(ctx, koji.ListPackagesOpts{TagID: ref, WithOwners: koji.Ptr(true)}); err != nil {
		return nil, err
	}
	if lt.ExtRepos, err = h.GetTagExternalRepos(ctx, koji.GetTagExternalReposOpts{TagInfo: ref}); err != nil {
		return nil, err
	}
	if lt.Tagged, err = h.ListTagged(ctx, ref, koji.ListTaggedOpts{}); err != nil {
		return nil, err
	}
	groups, err := h.GetTagGroups(ctx, ref, nil, true)
	if err != nil {
		return nil, err
	}
	g, err := xmlrpc.Generic(groups)
	if err == nil {
		err = xmlrpc.Unmarshal(g, &lt.Groups)
	}
	if err != nil {
		return nil, fmt.Errorf("the groups of %s: %w", name, err)
	}
	return lt, nil
}

// ApplyOptions control Apply.
type ApplyOptions struct {
	Downloader *Downloader
	// Arches are the arches of the RPMs to bring (with noarch and src);
	// empty means every arch.
	Arches []string
	// Logf writes a status line.
	Logf func(format string, args ...any)
}

// Result is what a run did.
type Result struct {
	Event                      int
	Tags                       []string
	Local                      []LocalOnTop
	Imported, Tagged, Untagged int
	Downloaded, Reused         int
	Bytes                      int64
	Repos                      map[string]int // tag -> repo id
	Failed                     map[string]error
}

// Apply makes the plan's changes in the local hub: the configuration in one
// transaction, each build's import in one transaction, then the taggings,
// and the marks (mirror.source, mirror.event) last, only when everything
// before succeeded.
func Apply(ctx context.Context, h *hub.Hub, r *Remote, s *Snapshot, p *Plan, o ApplyOptions) (*Result, error) {
	logf := o.Logf
	if logf == nil {
		logf = func(string, ...any) {}
	}
	names := make([]string, len(s.Tags))
	for i, t := range s.Tags {
		names[i] = t.Tag.Name
	}
	res := &Result{Event: s.Event, Tags: names, Local: localTargets(s), Repos: map[string]int{}, Failed: map[string]error{}}
	for _, m := range p.Skipped {
		logf("warning: %s", m)
	}
	sweepImports(h.TopDir())
	if err := applyConfig(ctx, h, p); err != nil {
		return res, fmt.Errorf("mirroring the configuration: %w", err)
	}
	// builds here already that the plan tags: their RPMs are compared
	// with the remote's (a local build of the same N-V-R is not the
	// remote's build)
	var here []koji.TaggedBuild
	seen := map[string]bool{}
	for _, t := range p.Tag {
		if b := s.build(t.NVR); b != nil && !seen[t.NVR] {
			seen[t.NVR] = true
			here = append(here, *b)
		}
	}
	if len(p.Imports)+len(here) > 0 {
		builds := make([]koji.TaggedBuild, 0, len(p.Imports)+len(here))
		for _, im := range p.Imports {
			builds = append(builds, im.Build)
		}
		if err := r.ReadRPMs(ctx, s, append(builds, here...), o.Arches); err != nil {
			return res, err
		}
	}
	for _, b := range here {
		if msg := compareRPMs(ctx, h, b, s.RPMs[b.BuildID]); msg != "" {
			logf("warning: %s", msg)
		}
	}
	if len(p.Imports) > 0 {
		var files []File
		for _, im := range p.Imports {
			for _, x := range s.RPMs[im.Build.BuildID] {
				files = append(files, File{Build: im.Build, RPM: x, Staged: o.Downloader.StagedPath(im.Build, x)})
			}
		}
		logf("Importing %d builds (%d files)", len(p.Imports), len(files))
		errs := o.Downloader.Get(ctx, files)
		res.Downloaded, res.Reused, res.Bytes = int(o.Downloader.Downloaded.Load()), int(o.Downloader.Reused.Load()), o.Downloader.Bytes.Load()
		for _, im := range p.Imports {
			nvr := im.Build.NVR
			if err := errs[nvr]; err != nil {
				res.Failed[nvr] = err
				continue
			}
			if err := importBuild(ctx, h, o.Downloader, im, s.RPMs[im.Build.BuildID]); err != nil {
				res.Failed[nvr] = err
				continue
			}
			res.Imported++
			res.Tagged += len(im.Tags)
			// the staged files are no longer needed
			for _, x := range s.RPMs[im.Build.BuildID] {
				os.Remove(o.Downloader.StagedPath(im.Build, x))
			}
		}
	}
	// taggings of builds already here, and untaggings
	if len(p.Tag) > 0 || len(p.Untag) > 0 {
		_, err := h.InTransaction(ctx, func(tctx context.Context, _ func(func(context.Context) error) error) error {
			for _, t := range p.Untag {
				if err := h.UntagBuild(tctx, koji.ByName(t.Tag), koji.ByName(t.NVR), koji.UntagBuildOpts{Strict: koji.Ptr(false), Force: true}); err != nil {
					return fmt.Errorf("untagging %s from %s: %w", t.NVR, t.Tag, err)
				}
			}
			for _, t := range p.Tag {
				if err := h.TagBuildBypass(tctx, koji.ByName(t.Tag), koji.ByName(t.NVR), koji.TagBuildBypassOpts{}); err != nil {
					return fmt.Errorf("tagging %s into %s: %w", t.NVR, t.Tag, err)
				}
			}
			return nil
		})
		if err != nil {
			return res, err
		}
		res.Tagged += len(p.Tag)
		res.Untagged = len(p.Untag)
	}
	if len(res.Failed) > 0 {
		return res, failedErr(res.Failed)
	}
	// the staged files of builds that are here (a run killed between an
	// import and its cleanup) are no longer needed
	if o.Downloader != nil {
		sweepStaged(ctx, h, o.Downloader.Dir)
	}
	// the marks and locks, last
	_, err := h.InTransaction(ctx, func(tctx context.Context, _ func(func(context.Context) error) error) error {
		marked := map[string]bool{}
		for _, t := range p.Mark {
			marked[t] = true
			eo := koji.EditTagOpts{Extra: map[string]any{ExtraSource: s.Source, ExtraEvent: strconv.Itoa(s.Event)}}
			if lock, ok := p.Lock[t]; ok {
				eo.Locked = koji.Ptr(lock)
			}
			if err := h.EditTag2(tctx, koji.ByName(t), eo); err != nil {
				return fmt.Errorf("marking %s: %w", t, err)
			}
		}
		for _, t := range sortedKeys(p.Lock) {
			if !marked[t] {
				if err := h.EditTag2(tctx, koji.ByName(t), koji.EditTagOpts{Locked: koji.Ptr(p.Lock[t])}); err != nil {
					return fmt.Errorf("locking %s: %w", t, err)
				}
			}
		}
		return nil
	})
	return res, err
}

// applyConfig makes the configuration changes (users, tags, links,
// package lists, external repos, groups, targets) in one transaction.
func applyConfig(ctx context.Context, h *hub.Hub, p *Plan) error {
	_, err := h.InTransaction(ctx, func(ctx context.Context, _ func(func(context.Context) error) error) error {
		for _, u := range p.Users {
			if _, err := h.CreateUser(ctx, u, koji.CreateUserOpts{}); err != nil {
				return fmt.Errorf("creating user %s: %w", u, err)
			}
		}
		for _, name := range sortedKeys(p.ExtRepos) {
			if _, err := h.CreateExternalRepo(ctx, name, p.ExtRepos[name]); err != nil {
				return fmt.Errorf("creating external repo %s: %w", name, err)
			}
		}
		for _, t := range p.NewTags {
			o := koji.CreateTagOpts{Arches: t.Arches, Extra: t.Extra}
			if t.Perm != "" {
				o.Perm = koji.ByName(t.Perm)
			}
			if len(o.Extra) == 0 {
				o.Extra = nil
			}
			if _, err := h.CreateTag(ctx, t.Name, o); err != nil {
				return fmt.Errorf("creating tag %s: %w", t.Name, err)
			}
		}
		for _, e := range p.Edits {
			o := koji.EditTagOpts{Arches: e.Arches, Extra: e.Extra, RemoveExtra: e.RemoveExtra}
			if e.Perm != "" {
				o.Perm = koji.ByName(e.Perm)
			}
			if err := h.EditTag2(ctx, koji.ByName(e.Name), o); err != nil {
				return fmt.Errorf("editing tag %s: %w", e.Name, err)
			}
		}
		for _, in := range p.Inheritance {
			links := make([]koji.InheritanceLink, len(in.Links))
			for i, x := range in.Links {
				pt, err := h.GetTag(ctx, koji.ByName(x.Name), koji.GetTagOpts{Strict: true})
				if err != nil {
					return fmt.Errorf("inheritance of %s: %w", in.Tag, err)
				}
				x.ParentID = pt.ID
				links[i] = x
			}
			if err := h.SetInheritanceData(ctx, koji.ByName(in.Tag), links, koji.SetInheritanceOpts{Clear: true}); err != nil {
				return fmt.Errorf("inheritance of %s: %w", in.Tag, err)
			}
		}
		for _, e := range p.PkgAdds {
			o := koji.PackageListAddOpts{Block: koji.Ptr(e.Block), ExtraArches: e.ExtraArches, Force: true}
			if e.Owner != "" {
				o.Owner = koji.ByName(e.Owner)
			}
			if err := h.PackageListAdd(ctx, koji.ByName(e.Tag), koji.ByName(e.Package), o); err != nil {
				return fmt.Errorf("adding %s to the package list of %s: %w", e.Package, e.Tag, err)
			}
		}
		for _, e := range p.PkgRemoves {
			if err := h.PackageListRemove(ctx, koji.ByName(e.Tag), koji.ByName(e.Package), koji.PackageListBlockOpts{Force: true}); err != nil {
				return fmt.Errorf("removing %s from the package list of %s: %w", e.Package, e.Tag, err)
			}
		}
		for _, e := range p.RepoRemoves {
			if err := h.RemoveExternalRepoFromTag(ctx, koji.ByName(e.Tag), koji.ByName(e.Package)); err != nil {
				return fmt.Errorf("removing external repo %s from %s: %w", e.Package, e.Tag, err)
			}
		}
		for _, e := range p.RepoAdds {
			if err := h.AddExternalRepoToTag(ctx, koji.ByName(e.Tag), koji.ByName(e.Repo), e.Priority,
				koji.AddExternalRepoToTagOpts{MergeMode: e.MergeMode, Arches: e.Arches}); err != nil {
				return fmt.Errorf("adding external repo %s to %s: %w", e.Repo, e.Tag, err)
			}
		}
		for _, g := range p.Groups {
			if err := applyGroup(ctx, h, g); err != nil {
				return err
			}
		}
		for _, t := range p.Targets {
			var err error
			if t.New {
				err = h.CreateBuildTarget(ctx, t.Name, koji.ByName(t.BuildTag), koji.ByName(t.DestTag))
			} else {
				err = h.EditBuildTarget(ctx, koji.ByName(t.Name), t.Name, koji.ByName(t.BuildTag), koji.ByName(t.DestTag))
			}
			if err != nil {
				return fmt.Errorf("target %s: %w", t.Name, err)
			}
		}
		for _, lo := range p.Local {
			if lo.Missing {
				if _, err := h.CreateTag(ctx, lo.Tag, koji.CreateTagOpts{Parent: koji.ByName(lo.Parent), Arches: lo.Arches,
					Extra: map[string]any{ExtraLocalOf: strings.TrimSuffix(lo.Target, LocalSuffix)}}); err != nil {
					return fmt.Errorf("creating the local tag %s: %w", lo.Tag, err)
				}
			}
			if lo.Reparent {
				pt, err := h.GetTag(ctx, koji.ByName(lo.Parent), koji.GetTagOpts{Strict: true})
				if err != nil {
					return fmt.Errorf("the local tag %s: %w", lo.Tag, err)
				}
				if err := h.SetInheritanceData(ctx, koji.ByName(lo.Tag), []koji.InheritanceLink{{ParentID: pt.ID, Name: pt.Name}},
					koji.SetInheritanceOpts{Clear: true}); err != nil {
					return fmt.Errorf("the local tag %s: %w", lo.Tag, err)
				}
				if err := h.EditTag2(ctx, koji.ByName(lo.Tag), koji.EditTagOpts{Arches: &lo.Arches}); err != nil {
					return fmt.Errorf("the local tag %s: %w", lo.Tag, err)
				}
			}
			if lo.NoTgt {
				if err := h.CreateBuildTarget(ctx, lo.Target, koji.ByName(lo.Tag), koji.ByName(lo.Tag)); err != nil {
					return fmt.Errorf("creating the local target %s: %w", lo.Target, err)
				}
			}
		}
		return nil
	})
	return err
}

func applyGroup(ctx context.Context, h *hub.Hub, g TagGroup) error {
	gr := g.Group
	o := hub.GroupListAddOpts{Block: gr.Blocked, Force: true, Description: gr.Description, IsDefault: gr.IsDefault, UserVisible: gr.UserVisible}
	if gr.DisplayName != "" {
		o.DisplayName = &gr.DisplayName
	}
	if err := h.GroupListAdd(ctx, koji.ByName(g.Tag), gr.Name, o); err != nil {
		return fmt.Errorf("group %s of %s: %w", gr.Name, g.Tag, err)
	}
	if gr.Blocked {
		return nil
	}
	for _, pk := range gr.Packages {
		po := hub.GroupPackageListAddOpts{Block: pk.Blocked, Force: true, Type: pk.Type, BasearchOnly: pk.BasearchOnly, Requires: pk.Requires}
		if err := h.GroupPackageListAdd(ctx, koji.ByName(g.Tag), gr.Name, pk.Package, po); err != nil {
			return fmt.Errorf("group %s of %s, package %s: %w", gr.Name, g.Tag, pk.Package, err)
		}
	}
	return nil
}

// importBuild creates a remote build here in one transaction: the build
// (its N-V-R, epoch and owner), its RPMs (source RPMs first) and its
// taggings. The staged files are linked into the hub's work directory for
// importRPM; on failure nothing of the build is left in the database.
func importBuild(ctx context.Context, h *hub.Hub, d *Downloader, im Import, rpms []koji.RPM) error {
	b := im.Build
	upload := filepath.Join("mirror-import", fmt.Sprintf("%d-%s", os.Getpid(), b.NVR))
	updir := filepath.Join(h.TopDir(), "work", upload)
	defer os.RemoveAll(updir)
	sorted := append([]koji.RPM(nil), rpms...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].Arch == "src" && sorted[j].Arch != "src" })
	_, err := h.InTransaction(ctx, func(tctx context.Context, _ func(func(context.Context) error) error) error {
		owner := koji.Ref{}
		if b.OwnerName != "" {
			owner = koji.ByName(b.OwnerName)
		}
		if _, err := h.CreateEmptyBuild(tctx, b.Name, b.Version, b.Release, b.Epoch, koji.CreateEmptyBuildOpts{Owner: owner}); err != nil {
			return err
		}
		if err := os.MkdirAll(updir, 0o755); err != nil {
			return err
		}
		for _, x := range sorted {
			dst := filepath.Join(updir, x.Filename())
			_ = os.Remove(dst)
			if err := os.Link(d.StagedPath(b, x), dst); err != nil {
				return err
			}
			if _, err := h.ImportRPM(tctx, upload, x.Filename()); err != nil {
				return fmt.Errorf("importing %s: %w", x.Filename(), err)
			}
		}
		for _, t := range im.Tags {
			if err := h.TagBuildBypass(tctx, koji.ByName(t), koji.ByName(b.NVR), koji.TagBuildBypassOpts{}); err != nil {
				return fmt.Errorf("tagging into %s: %w", t, err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("importing %s: %w", b.NVR, err)
	}
	return nil
}

// sweepImports removes what importBuild left in work/mirror-import for a
// run killed during an import (its process gone): links to RPMs that
// would keep their data on disk for ever.
func sweepImports(topdir string) {
	dir := filepath.Join(topdir, "work", "mirror-import")
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		pid, err := strconv.Atoi(strings.SplitN(e.Name(), "-", 2)[0])
		if err != nil || pid <= 0 || pid == os.Getpid() {
			continue
		}
		if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
			os.RemoveAll(filepath.Join(dir, e.Name()))
		}
	}
}

// sweepStaged removes from the staging directory dir the files of the
// builds complete here (packages/N/V/R), and the partial downloads a
// killed run left of them.
func sweepStaged(ctx context.Context, h *hub.Hub, dir string) {
	rels, _ := filepath.Glob(filepath.Join(dir, "packages", "*", "*", "*"))
	for _, r := range rels {
		v := filepath.Dir(r)
		n := filepath.Dir(v)
		nvr := filepath.Base(n) + "-" + filepath.Base(v) + "-" + filepath.Base(r)
		if b, err := h.GetBuild(ctx, koji.ByName(nvr), koji.GetBuildOpts{}); err == nil && b != nil && b.State == koji.BuildComplete {
			os.RemoveAll(r)
			// the version and name directories, when empty
			if os.Remove(v) == nil {
				os.Remove(n)
			}
		}
	}
}

// failedErr names the builds that could not be mirrored.
func failedErr(m map[string]error) error {
	var errs []error
	for _, nvr := range sortedKeys(m) {
		errs = append(errs, fmt.Errorf("%s: %w", nvr, m[nvr]))
	}
	return fmt.Errorf("%d builds not mirrored (run again to retry them):\n%w", len(m), errors.Join(errs...))
}

// Regen regenerates the repos of tags (the mirrored build tags and the
// local tags on top) with the hub's newRepo, running the tasks here.
func Regen(ctx context.Context, h *hub.Hub, tags []string) (map[string]int, error) {
	out := map[string]int{}
	ids := map[string]int{}
	for _, t := range tags {
		id, err := h.NewRepo(ctx, koji.ByName(t), koji.NewRepoOpts{})
		if err != nil {
			return out, fmt.Errorf("regenerating the repo of %s: %w", t, err)
		}
		ids[t] = id
	}
	all := make([]int, 0, len(ids))
	for _, id := range ids {
		all = append(all, id)
	}
	if err := h.RunTasks(ctx, all...); err != nil {
		return out, err
	}
	for _, t := range tags {
		ti, err := h.GetTaskInfo(ctx, ids[t], koji.GetTaskInfoOpts{})
		if err != nil {
			return out, err
		}
		if ti == nil || ti.State != koji.TaskClosed {
			_, ferr := h.GetTaskResult(ctx, ids[t], koji.GetTaskResultOpts{})
			return out, fmt.Errorf("regenerating the repo of %s (task %d) failed: %v", t, ids[t], ferr)
		}
		repo, err := h.GetRepo(ctx, koji.ByName(t), koji.GetRepoOpts{})
		if err != nil {
			return out, err
		}
		if repo != nil {
			out[t] = repo.ID
		}
	}
	return out, nil
}

// localTargets are the local tags and targets on top of the snapshot's
// targets.
func localTargets(s *Snapshot) []LocalOnTop {
	var out []LocalOnTop
	for _, t := range s.Targets {
		out = append(out, LocalOnTop{Target: t.Name + LocalSuffix, Tag: t.Name + LocalSuffix, Parent: t.BuildTagName})
	}
	return out
}

// build finds a remote build of the snapshot by N-V-R.
func (s *Snapshot) build(nvr string) *koji.TaggedBuild {
	for _, t := range s.Tags {
		for i := range t.Tagged {
			if t.Tagged[i].NVR == nvr {
				return &t.Tagged[i]
			}
		}
	}
	return nil
}

// compareRPMs says how the local build of b's N-V-R differs from the
// remote's RPMs ("" when it has them all, with the same payload hashes).
func compareRPMs(ctx context.Context, h *hub.Hub, b koji.TaggedBuild, remote []koji.RPM) string {
	lb, err := h.GetBuild(ctx, koji.ByName(b.NVR), koji.GetBuildOpts{})
	if err != nil || lb == nil {
		return ""
	}
	local, err := h.ListRPMs(ctx, koji.ListRPMsOpts{BuildID: &lb.ID})
	if err != nil {
		return ""
	}
	have := map[string]string{}
	for _, x := range local {
		have[x.Filename()] = x.PayloadHash
	}
	for _, x := range remote {
		if hash, ok := have[x.Filename()]; !ok || hash != x.PayloadHash {
			return fmt.Sprintf("%s exists here with other RPMs than the remote's (%s differs: a local build of the same N-V-R?); it is tagged as it is", b.NVR, x.Filename())
		}
	}
	return ""
}
