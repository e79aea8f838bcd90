package engine

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/osg-htc/osg-build-go/internal/xmlrpc"
	"github.com/osg-htc/osg-build-go/pkg/hub"
	"github.com/osg-htc/osg-build-go/pkg/koji"
	"github.com/osg-htc/osg-build-go/pkg/repodata"
)

// newRepo is the newRepo task [tag, {event, src, debuginfo,
// separate_src}]: repoInit (the package lists, of the tag at event when
// given), repodata per arch written
// by pkg/repodata, the tag's external repos merged in (repodata.Merge) and
// the merge mode (koji, simple, bare), then repoDone (READY, latest). The
// result is [repo_id, event_id].
func (t *task) newRepo() (any, error) {
	tag, _ := t.param(0).(string)
	kw := asMap(t.param(1))
	opts := koji.RepoOpts{Src: asBool(kw["src"]), Debuginfo: asBool(kw["debuginfo"]), SeparateSrc: asBool(kw["separate_src"])}
	if err := os.MkdirAll(t.dir, 0o755); err != nil {
		return nil, err
	}
	var at *int64
	if ev, ok := xmlrpc.Int(kw["event"]); ok {
		at = &ev
	}
	plan, err := t.e.host.RepoInitAt(t.ctx, tag, t.t.ID, opts, at)
	if err != nil {
		return nil, err
	}
	fail := func(err error) (any, error) {
		_ = t.e.host.RepoProblem(context.WithoutCancel(t.ctx), plan.ID)
		_ = os.RemoveAll(plan.Dir)
		return nil, err
	}
	// one createrepo subtask per arch, as kojid's NewRepoTask does
	var kids []int64
	for _, arch := range plan.Arches {
		id, err := t.subtask(hub.SubtaskSpec{Method: "createrepo", Params: []any{plan.ID, arch, nil}, Label: arch,
			Arch: "noarch", Channel: "createrepo", Weight: 0.5})
		if err != nil {
			return fail(err)
		}
		kids = append(kids, id)
	}
	if err := t.wait(kids, true); err != nil {
		return fail(err)
	}
	if err := t.e.host.RepoDone(t.ctx, plan); err != nil {
		return fail(err)
	}
	t.e.notify()
	return []any{plan.ID, plan.Event}, nil
}

// createrepoTask is the task [repo_id, arch, oldrepo]: the repodata of one
// arch of an INIT repo, from the pkglist repoInit wrote. The result is
// [path, files] as kojid's [uploadpath, files]: the repodata directory
// (relative to the topdir: it is written in place) and its files.
func (t *task) createrepoTask() (any, error) {
	rid, ok := xmlrpc.Int(t.param(0))
	arch, _ := t.param(1).(string)
	if !ok || arch == "" {
		return nil, koji.NewFault(koji.ParameterError, "createrepo: bad request %v", t.params)
	}
	r, err := t.e.h.RepoInfo(t.ctx, int(rid), koji.RepoInfoOpts{Strict: true})
	if err != nil {
		return nil, err
	}
	if r.State != koji.RepoInit {
		return nil, koji.NewFault(koji.GenericError, "repo %d is %s, not INIT", rid, r.State)
	}
	plan := &hub.RepoPlan{ID: int64(r.ID), TagID: int64(r.TagID), TagName: r.TagName, Event: int64(r.CreateEvent),
		Dir: t.e.h.RepoDir(r.TagName, int64(r.ID)), Packages: map[string][]string{}}
	dir := filepath.Join(plan.Dir, arch)
	b, err := os.ReadFile(filepath.Join(dir, "pkglist"))
	if err != nil {
		return nil, koji.NewFault(koji.GenericError, "repo %d has no pkglist for %s: %v", rid, arch, err)
	}
	for _, l := range strings.Split(string(b), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			plan.Packages[arch] = append(plan.Packages[arch], l)
		}
	}
	if comps := filepath.Join(plan.Dir, "groups", "comps.xml"); fileExists(comps) {
		plan.CompsFile = comps
	}
	ev := r.CreateEvent
	if plan.External, err = t.e.h.GetExternalRepoList(t.ctx, koji.ByID(r.TagID), koji.EventOpts{Event: &ev}); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(t.dir, 0o755); err != nil {
		return nil, err
	}
	if err := t.createrepo(plan, arch); err != nil {
		if t.ctx.Err() != nil {
			return nil, t.ctx.Err()
		}
		return nil, koji.NewFault(koji.GenericError, "creating the %s repo of %s (repo %d): %v", arch, plan.TagName, plan.ID, err)
	}
	files := []any{}
	ents, _ := os.ReadDir(filepath.Join(dir, "repodata"))
	for _, e := range ents {
		files = append(files, e.Name())
	}
	rel, _ := filepath.Rel(t.e.h.TopDir(), filepath.Join(dir, "repodata"))
	return []any{filepath.ToSlash(rel), files}, nil
}

// linkOrCopy hard-links src to dst, or copies it where links fail.
func linkOrCopy(src, dst string) error {
	if os.Link(src, dst) == nil {
		return nil
	}
	b, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	return os.WriteFile(dst, b, 0o644)
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// createrepo writes the repodata of one arch.
func (t *task) createrepo(plan *hub.RepoPlan, arch string) error {
	dir := filepath.Join(plan.Dir, arch)
	pkgs := plan.Packages[arch]
	if pkgs == nil {
		pkgs = []string{}
	}
	// Koji's createrepo_update: the metadata of the packages the previous
	// repo of the tag already had is reused (pkg/repodata's cache, keyed by
	// href: toplink/packages/N/V/R/ARCH/FILE). The cache file is linked,
	// not copied: pkg/repodata only appends to it, and everything in it is
	// keyed by content.
	//
	// Like kojid (createrepo_skip_stat, on by default), the packages are
	// not stat'ed: a build's files never change once imported, since an
	// N-V-R with RPMs or tag history cannot be reused (newBuild; there is
	// no resetBuild), and only tagged builds are in a repo.
	update := false
	if old := t.previousRepoCache(plan, arch); old != "" {
		if err := os.MkdirAll(filepath.Join(dir, "repodata"), 0o755); err == nil {
			update = linkOrCopy(old, filepath.Join(dir, "repodata", repodata.CacheName)) == nil
		}
	}
	res, err := repodata.Generate(t.ctx, repodata.Options{Dir: dir, Packages: pkgs, GroupFile: plan.CompsFile, Workers: 2, Update: update, SkipStat: update})
	if err != nil {
		return err
	}
	t.stateLog("createrepo %s: %d packages, %d reused from the previous repo", arch, res.Packages, res.Reused)
	var ext []koji.TagExternalRepo
	for _, x := range plan.External {
		if x.Arches != nil && *x.Arches != "" && !contains(strings.Fields(*x.Arches), arch) {
			continue
		}
		ext = append(ext, x)
	}
	if len(ext) == 0 {
		return nil
	}
	return t.mergeRepos(plan, arch, dir, ext)
}

// mergeRepos merges the external repos into the arch's repodata, as
// kojid's CreaterepoTask.merge_repos does with mergerepo_c, in Go
// (pkg/repodata.Merge): the Koji content first, then each external repo by
// priority, in the merge mode of the repos (koji: only the RPMs of one SRPM
// per source name, blocked names dropped; simple: every package but the
// blocked ones; bare: every package). The Koji content's repodata cache is
// kept for the next regeneration.
func (t *task) mergeRepos(plan *hub.RepoPlan, arch, dir string, ext []koji.TagExternalRepo) error {
	mode := ext[0].MergeMode
	for _, x := range ext {
		if x.MergeMode != mode {
			return fmt.Errorf("the external repos of %s have different merge modes (%s: %s, %s: %s): they must share one", plan.TagName, ext[0].ExternalRepoName, mode, x.ExternalRepoName, x.MergeMode)
		}
	}
	repos := []string{"file://" + dir + "/"}
	var log strings.Builder
	fmt.Fprintf(&log, "Merging for %s (%s), merge mode %s\nAdding repo: %s (the Koji content)\n", plan.TagName, arch, orDefault(mode, repodata.MergeKoji), repos[0])
	for _, x := range ext {
		u := strings.ReplaceAll(x.URL, "$arch", arch)
		repos = append(repos, u)
		fmt.Fprintf(&log, "Adding repo: %s (%s, priority %d)\n", u, x.ExternalRepoName, x.Priority)
	}
	var blocked []string
	if b, err := os.ReadFile(filepath.Join(dir, "blocklist")); err == nil {
		blocked = strings.Fields(string(b))
	}
	out := filepath.Join(dir, "merged")
	_ = os.RemoveAll(out)
	defer os.RemoveAll(out)
	logPath := filepath.Join(t.dir, "mergerepos.log")
	res, err := repodata.Merge(t.ctx, repodata.MergeOptions{OutputDir: out, Repos: repos, Arch: arch, Mode: mode,
		Blocked: blocked, GroupFile: plan.CompsFile})
	if err != nil {
		fmt.Fprintf(&log, "Error: %v\n", err)
		_ = os.WriteFile(logPath, []byte(log.String()), 0o644)
		return err
	}
	for i, n := range res.PerRepo {
		fmt.Fprintf(&log, "%d packages from %s\n", n, repos[i])
	}
	fmt.Fprintf(&log, "%d packages merged\n", res.Packages)
	_ = os.WriteFile(logPath, []byte(log.String()), 0o644)
	t.stateLog("merged %d external repos for %s: %d packages", len(ext), arch, res.Packages)
	// keep the Koji content's cache (pkg/repodata ignores it for anything
	// but the packages it describes)
	cache := filepath.Join(dir, "repodata", repodata.CacheName)
	if _, err := os.Stat(cache); err == nil {
		_ = os.Link(cache, filepath.Join(out, "repodata", repodata.CacheName))
	}
	old := filepath.Join(dir, "repodata.premerge")
	_ = os.RemoveAll(old)
	if err := os.Rename(filepath.Join(dir, "repodata"), old); err != nil {
		return err
	}
	if err := os.Rename(filepath.Join(out, "repodata"), filepath.Join(dir, "repodata")); err != nil {
		return err
	}
	return os.RemoveAll(old)
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// previousRepoCache returns the repodata cache of the arch in the tag's
// latest repo, "" when there is none.
func (t *task) previousRepoCache(plan *hub.RepoPlan, arch string) string {
	latest, err := os.Readlink(filepath.Join(filepath.Dir(plan.Dir), "latest"))
	if err != nil || latest == fmt.Sprint(plan.ID) {
		return ""
	}
	p := filepath.Join(filepath.Dir(plan.Dir), latest, arch, "repodata", repodata.CacheName)
	if _, err := os.Stat(p); err != nil {
		return ""
	}
	return p
}
