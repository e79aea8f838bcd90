package engine

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/osg-htc/osg-build-go/internal/packaging"
	"github.com/osg-htc/osg-build-go/internal/packaging/fetch"
	"github.com/osg-htc/osg-build-go/internal/runner"
	"github.com/osg-htc/osg-build-go/internal/xmlrpc"
	"github.com/osg-htc/osg-build-go/pkg/hub"
	"github.com/osg-htc/osg-build-go/pkg/hub/builder"
	"github.com/osg-htc/osg-build-go/pkg/koji"
)

// buildFault turns a builder's error into Koji's BuildError fault.
func buildFault(err error) error {
	var be *builder.BuildError
	if errors.As(err, &be) {
		return koji.NewFault(koji.BuildError, "%s", be.Error())
	}
	if hub.IsFault(err) {
		return err
	}
	return koji.NewFault(koji.BuildError, "%v", err)
}

// IsSCM reports whether src is an SCM URL (scheme://…#revision) rather
// than an uploaded file's path.
func IsSCM(src string) bool {
	i := strings.Index(src, "://")
	if i <= 0 {
		return false
	}
	s := src[:i]
	return s == "git" || s == "svn" || strings.HasPrefix(s, "git+") || strings.HasPrefix(s, "svn+")
}

// SCM is a parsed SCM URL: scheme://[user@]host/path?module#revision.
type SCM struct {
	Type     string // git or svn
	Repo     string // the repository URL given to git or svn
	Module   string // the query: subdirectory (git) or module (svn)
	Revision string
}

// ParseSCM parses an SCM URL as Koji's koji.daemon.SCM does.
func ParseSCM(u string) (*SCM, error) {
	i := strings.Index(u, "://")
	if i <= 0 {
		return nil, fmt.Errorf("invalid SCM URL %q: want scheme://host/path?module#revision", u)
	}
	scheme, rest := u[:i], u[i+3:]
	rev := ""
	if j := strings.LastIndexByte(rest, '#'); j >= 0 {
		rest, rev = rest[:j], rest[j+1:]
	}
	if rev == "" {
		return nil, fmt.Errorf("invalid SCM URL %q: the #revision is missing", u)
	}
	mod := ""
	if j := strings.IndexByte(rest, '?'); j >= 0 {
		rest, mod = rest[:j], rest[j+1:]
	}
	if at := strings.IndexByte(rest, '@'); at >= 0 && at < strings.IndexByte(rest+"/", '/') {
		if strings.Contains(rest[:at], ":") {
			return nil, fmt.Errorf("invalid SCM URL %q: passwords are not allowed in SCM URLs", u)
		}
	}
	s := &SCM{Module: strings.Trim(mod, "/"), Revision: rev}
	switch {
	case scheme == "git":
		s.Type, s.Repo = "git", "git://"+rest
	case strings.HasPrefix(scheme, "git+"):
		s.Type, s.Repo = "git", strings.TrimPrefix(scheme, "git+")+"://"+rest
	case scheme == "svn":
		s.Type, s.Repo = "svn", "svn://"+rest
	case strings.HasPrefix(scheme, "svn+"):
		s.Type, s.Repo = "svn", strings.TrimPrefix(scheme, "svn+")+"://"+rest
	default:
		return nil, fmt.Errorf("invalid SCM URL %q: unsupported scheme %s (git, git+https, git+file, svn, svn+https, svn+file, ...)", u, scheme)
	}
	if s.Type == "svn" && s.Module == "" && strings.Trim(rest[strings.IndexByte(rest+"/", '/'):], "/") == "" {
		return nil, fmt.Errorf("invalid SCM URL %q: an svn URL needs a path", u)
	}
	return s, nil
}

// Checkout checks the revision out into dir and returns the package
// directory (dir/module).
func (s *SCM) Checkout(ctx context.Context, dir, logPath string) (string, error) {
	switch s.Type {
	case "git":
		if _, err := runner.Run(ctx, runner.Cmd{Name: "git", Args: []string{"clone", "-n", "-q", s.Repo, dir}, LogPath: logPath}); err != nil {
			return "", err
		}
		if _, err := runner.Run(ctx, runner.Cmd{Name: "git", Args: []string{"-c", "advice.detachedHead=false", "checkout", "-q", s.Revision}, Dir: dir, LogPath: logPath}); err != nil {
			return "", err
		}
		return filepath.Join(dir, filepath.FromSlash(s.Module)), nil
	case "svn":
		// With no ?module (osg-build's svn+https://…/branches/B/PKG#REV),
		// the path itself is checked out, as Koji's SCM does.
		url := strings.TrimRight(s.Repo, "/")
		name := path.Base(url)
		if s.Module != "" {
			url += "/" + s.Module
			name = path.Base(s.Module)
		}
		target := filepath.Join(dir, name)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return "", err
		}
		if _, err := runner.Run(ctx, runner.Cmd{Name: "svn", Args: []string{"checkout", "-q", "--non-interactive", "-r", s.Revision, url, target}, LogPath: logPath}); err != nil {
			return "", err
		}
		return target, nil
	}
	return "", fmt.Errorf("unsupported SCM type %s", s.Type)
}

// buildConfigMacros returns the rpm.macro.* and rpm.env.* extras of a tag.
func buildConfigMacros(bc *koji.BuildConfig) (macros, env map[string]string) {
	macros, env = map[string]string{}, map[string]string{}
	for k, v := range bc.Extra {
		if m, ok := strings.CutPrefix(k, "rpm.macro."); ok {
			macros[m] = fmt.Sprint(v)
		}
		if m, ok := strings.CutPrefix(k, "rpm.env."); ok {
			env[m] = fmt.Sprint(v)
		}
	}
	return macros, env
}

// buildSRPMFromSCM is the task [url, build_tag, {repo_id, scratch}]: check
// the URL out, assemble the package directory in place with the strict
// fetch-sources, and build the SRPM with rpmbuild -bs and the build tag's
// macros.
func (t *task) buildSRPMFromSCM() (any, error) {
	url, _ := t.param(0).(string)
	buildTag := fmt.Sprint(t.param(1))
	if id, ok := xmlrpc.Int(t.param(1)); ok {
		ti, err := t.e.h.GetTag(t.ctx, koji.ByID(int(id)), koji.GetTagOpts{Strict: true})
		if err != nil {
			return nil, err
		}
		buildTag = ti.Name
	}
	scm, err := ParseSCM(url)
	if err != nil {
		return nil, koji.NewFault(koji.GenericError, "%v", err)
	}
	if err := os.MkdirAll(t.dir, 0o755); err != nil {
		return nil, err
	}
	work := t.e.workDir(t.t.ID)
	_ = os.RemoveAll(work)
	if err := os.MkdirAll(work, 0o755); err != nil {
		return nil, err
	}
	checkoutLog := filepath.Join(t.dir, "checkout.log")
	buildLog := filepath.Join(t.dir, "build.log")
	t.stateLog("Start: checkout %s", url)
	pkgdir, err := scm.Checkout(t.ctx, filepath.Join(work, "checkout"), checkoutLog)
	if err != nil {
		if t.ctx.Err() != nil {
			return nil, t.ctx.Err()
		}
		return nil, koji.NewFault(koji.BuildError, "checking out %s: %v", url, err)
	}
	t.stateLog("Start: fetch-sources %s", pkgdir)
	f := fetch.New(fetch.Options{CachePrefixes: t.e.opts.CachePrefixes, Strict: true, WantSpec: true})
	a, err := packaging.AssembleInPlace(t.ctx, pkgdir, pkgdir, pkgdir, packaging.AssembleOptions{Fetcher: f})
	if err != nil {
		appendLog(buildLog, "fetch-sources failed: "+err.Error())
		return nil, koji.NewFault(koji.BuildError, "fetch-sources in %s: %v", url, err)
	}
	bc, err := t.e.h.GetBuildConfig(t.ctx, koji.ByName(buildTag), koji.EventOpts{})
	if err != nil {
		return nil, err
	}
	macros, _ := buildConfigMacros(bc)
	top := filepath.Join(work, "rpmbuild")
	args := []string{"-bs", "--nodeps", "--define", "_topdir " + top, "--define", "_sourcedir " + pkgdir,
		"--define", "_specdir " + pkgdir, "--define", "_srcrpmdir " + t.dir}
	keys := make([]string, 0, len(macros))
	for k := range macros {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		args = append(args, "--define", k+" "+macros[k])
	}
	args = append(args, a.Spec)
	t.stateLog("Start: rpmbuild -bs")
	if _, err := runner.Run(t.ctx, runner.Cmd{Name: "rpmbuild", Args: args, Dir: pkgdir, LogPath: buildLog}); err != nil {
		if t.ctx.Err() != nil {
			return nil, t.ctx.Err()
		}
		return nil, koji.NewFault(koji.BuildError, "building the SRPM of %s: %v", url, err)
	}
	srpms, _ := filepath.Glob(filepath.Join(t.dir, "*.src.rpm"))
	if len(srpms) != 1 {
		return nil, koji.NewFault(koji.BuildError, "building the SRPM of %s: expected one SRPM in %s, found %d", url, t.dir, len(srpms))
	}
	t.stateLog("Finish: SRPM %s", filepath.Base(srpms[0]))
	logs := []any{}
	for _, l := range []string{checkoutLog, buildLog, filepath.Join(t.dir, "state.log")} {
		if _, err := os.Stat(l); err == nil {
			logs = append(logs, t.relWork(l))
		}
	}
	return map[string]any{"srpm": t.relWork(srpms[0]), "logs": logs, "brootid": t.t.ID,
		"source": map[string]any{"source": url, "url": url}}, nil
}

// buildTagExtra is the extra of the build tag at the repo's event (empty on
// errors: the caller's defaults apply).
func (t *task) buildTagExtra(tag string, repo *koji.Repo) map[string]any {
	bc, err := t.e.h.GetBuildConfig(t.ctx, koji.ByName(tag), koji.EventOpts{Event: &repo.CreateEvent})
	if err != nil || bc == nil {
		return map[string]any{}
	}
	return bc.Extra
}

// rebuildSRPM is the task [srpm, build_tag, {repo_id, scratch}]: the
// uploaded SRPM rebuilt with rpmbuild -rs and the build tag's macros.
func (t *task) rebuildSRPM() (any, error) {
	src, _ := t.param(0).(string)
	buildTag := fmt.Sprint(t.param(1))
	srpm := filepath.Join(t.e.h.TopDir(), "work", filepath.FromSlash(src))
	bc, err := t.e.h.GetBuildConfig(t.ctx, koji.ByName(buildTag), koji.EventOpts{})
	if err != nil {
		return nil, err
	}
	macros, _ := buildConfigMacros(bc)
	if err := os.MkdirAll(t.dir, 0o755); err != nil {
		return nil, err
	}
	work := t.e.workDir(t.t.ID)
	_ = os.RemoveAll(work)
	if err := os.MkdirAll(work, 0o755); err != nil {
		return nil, err
	}
	top := filepath.Join(work, "rpmbuild")
	args := []string{"-rs", "--nodeps", "--define", "_topdir " + top, "--define", "_srcrpmdir " + t.dir}
	keys := make([]string, 0, len(macros))
	for k := range macros {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		args = append(args, "--define", k+" "+macros[k])
	}
	args = append(args, srpm)
	buildLog := filepath.Join(t.dir, "build.log")
	t.stateLog("Start: rpmbuild -rs %s", filepath.Base(srpm))
	if _, err := runner.Run(t.ctx, runner.Cmd{Name: "rpmbuild", Args: args, Dir: work, LogPath: buildLog}); err != nil {
		if t.ctx.Err() != nil {
			return nil, t.ctx.Err()
		}
		return nil, koji.NewFault(koji.BuildError, "rebuilding the SRPM %s: %v", filepath.Base(srpm), err)
	}
	srpms, _ := filepath.Glob(filepath.Join(t.dir, "*.src.rpm"))
	if len(srpms) != 1 {
		return nil, koji.NewFault(koji.BuildError, "rebuilding the SRPM %s: expected one SRPM in %s, found %d", filepath.Base(srpm), t.dir, len(srpms))
	}
	t.stateLog("Finish: SRPM %s", filepath.Base(srpms[0]))
	return map[string]any{"srpm": t.relWork(srpms[0]), "logs": []any{t.relWork(buildLog), t.relWork(filepath.Join(t.dir, "state.log"))},
		"brootid": t.t.ID, "source": map[string]any{"source": filepath.Base(srpm), "url": filepath.Base(srpm)}}, nil
}

func appendLog(path, line string) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return
	}
	defer f.Close()
	fmt.Fprintln(f, line)
}

// archList is Koji's BuildTask.getArchList.
func archList(tagArches []string, info *builder.SRPMInfo, override string) ([]string, error) {
	canon := map[string]bool{}
	for _, a := range tagArches {
		canon[canonArch(a)] = true
	}
	if len(canon) == 0 {
		return nil, koji.NewFault(koji.BuildError, "No arches for the build tag: set them with edit-tag --arches")
	}
	var list []string
	if len(info.BuildArchs) > 0 {
		list = append(list, info.BuildArchs...)
	} else {
		list = append(list, tagArches...)
	}
	in := func(a string, l []string) bool {
		for _, x := range l {
			if x == a {
				return true
			}
		}
		return false
	}
	if len(info.ExclusiveArch) > 0 {
		var keep []string
		for _, a := range list {
			if in(a, info.ExclusiveArch) {
				keep = append(keep, a)
			}
		}
		list = keep
		if in("noarch", info.ExclusiveArch) && !in("noarch", list) {
			list = append(list, "noarch")
		}
	}
	if len(info.ExcludeArch) > 0 {
		var keep []string
		for _, a := range list {
			if !in(a, info.ExcludeArch) {
				keep = append(keep, a)
			}
		}
		list = keep
	}
	if override != "" {
		list = strings.Fields(override)
	}
	seen := map[string]bool{}
	var out []string
	for _, a := range list {
		if (a == "noarch" || canon[canonArch(a)]) && !seen[a] {
			seen[a] = true
			out = append(out, a)
		}
	}
	if len(out) == 0 {
		return nil, koji.NewFault(koji.BuildError, "No matching arches were found")
	}
	return out, nil
}

func canonArch(a string) string {
	switch a {
	case "i386", "i486", "i586", "i686", "athlon", "geode":
		return "i386"
	case "amd64", "ia32e":
		return "x86_64"
	}
	return a
}

// build is the build task [src, target, opts]: Koji's BuildTask.
func (t *task) build() (any, error) {
	src, _ := t.param(0).(string)
	target, _ := t.param(1).(string)
	opts := asMap(t.param(2))
	scratch := asBool(opts["scratch"])
	skipTag := asBool(opts["skip_tag"]) || scratch
	var buildTag, destTag string
	var destTagID int
	var repo *koji.Repo
	if rid, ok := xmlrpc.Int(opts["repo_id"]); ok {
		r, err := t.e.h.RepoInfo(t.ctx, int(rid), koji.RepoInfoOpts{Strict: true})
		if err != nil {
			return nil, err
		}
		if r.State != koji.RepoReady && r.State != koji.RepoExpired {
			return nil, koji.NewFault(koji.BuildError, "Bad repo: %d (%s)", rid, r.State)
		}
		repo = r
		buildTag = r.TagName
	}
	if target != "" {
		tg, err := t.e.h.GetBuildTarget(t.ctx, koji.ByName(target), koji.GetBuildTargetOpts{Strict: true})
		if err != nil {
			return nil, err
		}
		if repo == nil {
			buildTag = tg.BuildTagName
		}
		destTag, destTagID = tg.DestTagName, tg.DestTag
	} else {
		skipTag = true
	}
	t.stateLog("build %s for %s (build tag %s)", src, target, buildTag)

	// the repo: a given one, or the current one, waiting for a fresh one
	// when the build tag changed since (with automatic regeneration), when
	// wait_repo asks, or when there is none
	if repo == nil {
		var err error
		repo, err = t.e.h.GetRepo(t.ctx, koji.ByName(buildTag), koji.GetRepoOpts{})
		if err != nil {
			return nil, err
		}
		var nvrs []any
		if l, ok := opts["wait_builds"].([]any); ok {
			nvrs = l
		}
		need := repo == nil || asBool(opts["wait_repo"]) || len(nvrs) > 0
		var minEvent int64
		if !need && t.e.autoRegen(t.ctx) {
			last, err := t.e.host.TagLastChange(t.ctx, buildTag)
			if err != nil {
				return nil, err
			}
			if int64(repo.CreateEvent) < last {
				need, minEvent = true, last
			}
		}
		if asBool(opts["wait_repo"]) {
			last, err := t.e.host.TagLastChange(t.ctx, buildTag)
			if err != nil {
				return nil, err
			}
			minEvent = last
		}
		if need {
			var me any
			if minEvent > 0 {
				me = minEvent
			}
			res, _, err := t.runChild(hub.SubtaskSpec{Method: "waitrepo", Params: []any{buildTag, nil, nvrs, me}, Label: "waitrepo", Arch: "noarch", Weight: 0.2})
			if err != nil {
				return nil, err
			}
			rid, _ := xmlrpc.Int(asMap(res)["id"])
			if repo, err = t.e.h.RepoInfo(t.ctx, int(rid), koji.RepoInfoOpts{Strict: true}); err != nil {
				return nil, err
			}
		}
	}

	// the SRPM
	var srpm string
	if IsSCM(src) {
		res, _, err := t.runChild(hub.SubtaskSpec{Method: "buildSRPMFromSCM", Params: []any{src, buildTag, map[string]any{"repo_id": repo.ID, "scratch": scratch}},
			Label: "srpm", Arch: "noarch", Weight: 1.0})
		if err != nil {
			return nil, err
		}
		rel, _ := asMap(res)["srpm"].(string)
		srpm = filepath.Join(t.e.h.TopDir(), "work", filepath.FromSlash(rel))
	} else {
		rel := filepath.Clean(filepath.FromSlash(src))
		if filepath.IsAbs(rel) || strings.HasPrefix(rel, "..") {
			return nil, koji.NewFault(koji.GenericError, "Invalid src value: %s (an uploaded path under work/ or an SCM URL)", src)
		}
		srpm = filepath.Join(t.e.h.TopDir(), "work", rel)
		if _, err := os.Stat(srpm); err != nil {
			return nil, koji.NewFault(koji.GenericError, "No such file: %s (upload the SRPM first)", src)
		}
		// Koji rebuilds an uploaded SRPM in the buildroot (the build tag's
		// macros, such as the dist tag, get into its release) unless the
		// tag's extra rebuild_srpm is false; scratch builds may say either
		extra := t.buildTagExtra(buildTag, repo)
		rebuild := true
		if v, ok := extra["rebuild_srpm"]; ok {
			rebuild = asBool(v)
		}
		explicit := false
		if v, ok := opts["rebuild_srpm"]; ok && scratch {
			rebuild, explicit = asBool(v), true
		}
		if rebuild && !explicit {
			// an SRPM already made with the build tag's dist rebuilds to
			// the same N-V-R: the rebuild is skipped
			if info, err := builder.ReadSRPM(srpm); err == nil {
				if d, ok := extra["rpm.macro.dist"].(string); ok && d != "" && strings.HasSuffix(info.Release, d) {
					rebuild = false
				}
			}
		}
		if rebuild {
			res, _, err := t.runChild(hub.SubtaskSpec{Method: "rebuildSRPM", Params: []any{src, buildTag, map[string]any{"repo_id": repo.ID, "scratch": scratch}},
				Label: "srpm", Arch: "noarch", Weight: 1.0})
			if err != nil {
				return nil, err
			}
			rel, _ := asMap(res)["srpm"].(string)
			srpm = filepath.Join(t.e.h.TopDir(), "work", filepath.FromSlash(rel))
		}
	}
	info, err := builder.ReadSRPM(srpm)
	if err != nil {
		return nil, koji.NewFault(koji.BuildError, "%v", err)
	}
	if !skipTag {
		if err := t.e.host.PackageAllowed(t.ctx, destTag, info.Name); err != nil {
			return nil, err
		}
	}
	bc, err := t.e.h.GetBuildConfig(t.ctx, koji.ByName(buildTag), koji.EventOpts{Event: &repo.CreateEvent})
	if err != nil {
		return nil, err
	}
	override := ""
	if scratch {
		override, _ = opts["arch_override"].(string)
	}
	arches, err := archList(bc.ArchList(), info, override)
	if err != nil {
		return nil, err
	}
	var buildID int64
	if !scratch {
		buildID, err = t.e.host.InitBuild(t.ctx, hub.BuildInit{Name: info.Name, Version: info.Version, Release: info.Release,
			Epoch: info.Epoch, TaskID: t.t.ID, OwnerID: t.t.OwnerID, Source: src})
		if err != nil {
			return nil, err
		}
	}
	fail := func(err error) (any, error) {
		if buildID != 0 {
			if st, _ := t.e.host.BuildState(context.WithoutCancel(t.ctx), buildID); st == koji.BuildBuilding {
				_ = t.e.host.FailBuild(context.WithoutCancel(t.ctx), buildID)
			}
		}
		return nil, err
	}
	srpmRel := t.relWork(srpm)
	var kids []int64
	for i, a := range arches {
		id, err := t.subtask(hub.SubtaskSpec{Method: "buildArch", Params: []any{srpmRel, bc.ID, a, i == 0, map[string]any{"repo_id": repo.ID}},
			Label: a, Arch: a, Weight: 1.5})
		if err != nil {
			return fail(err)
		}
		kids = append(kids, id)
	}
	if err := t.wait(kids, true); err != nil {
		return fail(err)
	}
	var rpms []string
	logs := map[string][]string{}
	broots := map[string]int64{}
	for i, id := range kids {
		res, err := t.e.host.TaskResult(t.ctx, id)
		if err != nil {
			return fail(err)
		}
		m := asMap(res)
		broot, _ := xmlrpc.Int(m["brootid"])
		for _, p := range anyStrings(m["rpms"]) {
			path := filepath.Join(t.e.h.TopDir(), "work", filepath.FromSlash(p))
			rpms = append(rpms, path)
			broots[path] = broot
		}
		for _, p := range anyStrings(m["logs"]) {
			logs[arches[i]] = append(logs[arches[i]], filepath.Join(t.e.h.TopDir(), "work", filepath.FromSlash(p)))
		}
	}
	if scratch {
		if err := t.e.host.MoveToScratch(t.ctx, t.t.ID, t.t.OwnerName, srpm, rpms, logs); err != nil {
			return nil, err
		}
		t.stateLog("scratch build done: %d RPMs", len(rpms))
		return nil, nil
	}
	if err := t.e.host.CompleteBuild(t.ctx, buildID, srpm, rpms, logs, broots); err != nil {
		return fail(err)
	}
	t.e.notify()
	t.stateLog("build %s-%s-%s complete", info.Name, info.Version, info.Release)
	if !skipTag {
		if _, _, err := t.runChild(hub.SubtaskSpec{Method: "tagBuild", Params: []any{destTagID, buildID, false, nil, true},
			Label: "tag", Arch: "noarch", Weight: 0.1}); err != nil {
			return nil, err
		}
	}
	return nil, nil
}

func anyStrings(v any) []string {
	var out []string
	if l, ok := v.([]any); ok {
		for _, x := range l {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
	}
	return out
}

// buildArch is the task [srpm, build_tag, arch, keep_srpm, {repo_id}]: the
// builder rebuilds the SRPM for arch in a buildroot from the build tag's
// repo; results and logs land in the task's directory.
func (t *task) buildArch() (any, error) {
	rel, _ := t.param(0).(string)
	arch, _ := t.param(2).(string)
	keep := asBool(t.param(3))
	opts := asMap(t.param(4))
	rid, _ := xmlrpc.Int(opts["repo_id"])
	repo, err := t.e.h.RepoInfo(t.ctx, int(rid), koji.RepoInfoOpts{Strict: true})
	if err != nil {
		return nil, err
	}
	srpm := filepath.Join(t.e.h.TopDir(), "work", filepath.FromSlash(rel))
	bc, err := t.e.h.GetBuildConfig(t.ctx, koji.ByID(repo.TagID), koji.EventOpts{Event: &repo.CreateEvent})
	if err != nil {
		return nil, err
	}
	macros, env := buildConfigMacros(bc)
	repoArch := canonArch(arch)
	if arch == "noarch" {
		repoArch = ""
		tagArches := bc.ArchList()
		for _, a := range tagArches {
			if canonArch(a) == canonArch(builder.HostArch()) {
				repoArch = canonArch(a)
			}
		}
		if repoArch == "" && len(tagArches) > 0 {
			repoArch = canonArch(tagArches[0])
		}
	}
	archDir := filepath.Join(t.e.h.RepoDir(repo.TagName, int64(repo.ID)), repoArch)
	baseURL := "file://" + archDir
	if t.e.opts.TopURL != "" {
		baseURL = fmt.Sprintf("%s/repos/%s/%d/%s", strings.TrimRight(t.e.opts.TopURL, "/"), repo.TagName, repo.ID, repoArch)
	}
	if err := os.MkdirAll(t.dir, 0o755); err != nil {
		return nil, err
	}
	bld, why := t.e.builderFor(t.ctx, repo)
	if why != "" {
		t.stateLog("%s", why)
	}
	t.stateLog("Start: build setup for %s (%s, %s)", filepath.Base(srpm), arch, bld.Name())
	job := builder.Job{SRPM: srpm, Arch: arch, TaskID: t.t.ID, OutDir: t.dir, WorkDir: t.e.workDir(t.t.ID), Macros: macros, Env: env,
		Repo: builder.RepoRef{ID: int64(repo.ID), Tag: repo.TagName, ArchDir: archDir, BaseURL: baseURL}, TagExtra: bc.Extra,
		HostDeps: !t.e.opts.NoHostDeps}
	res, err := bld.Build(t.ctx, job)
	// the buildroot, with the build tag's packages it held, as a Koji
	// builder records it (a failed build's too)
	var broot int64
	if res != nil && t.ctx.Err() == nil {
		var berr error
		if broot, berr = t.e.host.RecordBuildroot(context.WithoutCancel(t.ctx), t.t.ID, int64(repo.ID), repoArchOr(arch, repoArch), res.Components); berr != nil {
			t.stateLog("recording the buildroot: %v", berr)
		}
	}
	if err != nil {
		if t.ctx.Err() != nil {
			t.stateLog("Finish: build canceled")
			return nil, t.ctx.Err()
		}
		t.stateLog("Finish: build failed")
		return nil, buildFault(err)
	}
	t.stateLog("Finish: build %s: %d RPMs", arch, len(res.RPMs))
	if !keep {
		for _, s := range res.SRPMs {
			_ = os.Remove(s)
		}
		res.SRPMs = nil
	}
	out := map[string]any{"rpms": relAll(t, res.RPMs), "srpms": relAll(t, res.SRPMs), "brootid": broot}
	logs := append([]string{}, res.Logs...)
	if st := filepath.Join(t.dir, "state.log"); !contains(logs, st) {
		logs = append(logs, st)
	}
	out["logs"] = relAll(t, logs)
	return out, nil
}

// repoArchOr is the buildroot's arch: the task's, or for noarch the arch
// of the repo it built from (Koji's noarch builds run on a real arch).
func repoArchOr(arch, repoArch string) string {
	if arch == "noarch" && repoArch != "" {
		return repoArch
	}
	return arch
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

func relAll(t *task, ps []string) []any {
	out := []any{}
	for _, p := range ps {
		out = append(out, t.relWork(p))
	}
	return out
}
