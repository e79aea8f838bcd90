package kojibuild

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/osg-htc/osg-build-go/internal/packaging"
	"github.com/osg-htc/osg-build-go/internal/targets"
	"github.com/osg-htc/osg-build-go/internal/vcs"
	"github.com/osg-htc/osg-build-go/pkg/koji"
)

// BackgroundPriority is the relative priority of --background builds (the
// koji CLI's value).
const BackgroundPriority = 5

// ForceBackgroundAt is the number of packages from which builds go to the
// background, as osg-build does.
const ForceBackgroundAt = 5

// Options are the inputs of one `osg-build koji` run.
type Options struct {
	// Args are package directories, SVN/git URLs or (scratch) SRPM files.
	Args []string
	// Scratch is --scratch; VCS is --vcs/--svn/--git (scratch from VCS).
	Scratch bool
	VCS     bool
	// Targets is what --repo, --elN, --koji-target, --koji-tag and --ktt say.
	Targets      targets.Request
	ArchOverride string
	Background   bool
	DryRun       bool
	NoWait       bool
	GetFiles     bool
	RegenRepos   bool
	Chain        bool
	JSON         bool
	// ResultsDir is where --getfiles writes (default _build_results).
	ResultsDir string
	// WaitTimeout bounds each chain and regen wait (0: 120 minutes).
	WaitTimeout time.Duration
}

// Env is what a run uses: the hub, configuration, local tools and streams.
type Env struct {
	// Hub opens the hub (only when something is submitted).
	Hub func(ctx context.Context) (koji.Hub, error)
	// Login logs in before writes.
	Login   func(ctx context.Context, h koji.Hub) error
	Targets *targets.Config
	VCS     *vcs.Config
	// Prebuild makes the SRPM of a package directory for a dver (scratch
	// builds without --vcs).
	Prebuild func(ctx context.Context, dir, dver string) (string, error)
	Asker    *Asker
	// Out receives data (dry-run calls, the summary, JSON); Err status.
	Out, Err io.Writer
	// Display is the watch display (DisplayTree on a terminal).
	Display Display
	// Interval is the poll interval.
	Interval time.Duration
	// TaskURL returns the "Task info" reference of a task.
	TaskURL func(id int) string
	// WatchCommand is the command that resumes watching ("osg-build watch-task").
	WatchCommand string
	Now          func() time.Time
	// Random returns the 8 random letters of an upload directory.
	Random func() string
	// Sleep replaces the waits between polls (tests).
	Sleep func(ctx context.Context, d time.Duration) error

	targetCache map[string]*koji.BuildTarget
}

// UsageError is a problem with the command line.
type UsageError struct{ Msg string }

func (e *UsageError) Error() string { return e.Msg }

func usagef(format string, args ...any) error { return &UsageError{fmt.Sprintf(format, args...)} }

// InterruptedError is returned when watching stopped on Ctrl-C; the tasks
// go on.
type InterruptedError struct {
	Tasks   []int
	Command string
	// InProcess is set when the embedded hub ran the tasks in this process:
	// they stopped with it.
	InProcess bool
}

func (e *InterruptedError) Error() string {
	if e.InProcess {
		return fmt.Sprintf("stopped; the embedded hub runs the tasks in this process, so the running ones stopped (failed) too: build again, or keep builds running with `osg-build hub serve`. Tasks not started yet run when watched: %s", e.Resume())
	}
	return fmt.Sprintf("stopped watching; the builds go on. Resume watching with: %s", e.Resume())
}

// Resume is the command that resumes watching.
func (e *InterruptedError) Resume() string {
	s := make([]string, len(e.Tasks))
	for i, id := range e.Tasks {
		s[i] = strconv.Itoa(id)
	}
	return e.Command + " " + strings.Join(s, " ")
}

// Package is one argument, prepared.
type Package struct {
	Arg string
	// Dir is the local package directory ("" for URLs and SRPMs).
	Dir string
	// SRPM is an SRPM given as argument.
	SRPM string
	// Source is the VCS source (nil for local scratch builds).
	Source *vcs.Source
	// Name is the Koji package name; DirName the directory's basename.
	Name    string
	DirName string
	// Resolution are the dvers and targets.
	Resolution *targets.Resolution
	deps       *Deps
}

// Job is one package built for one dver.
type Job struct {
	Package  *Package `json:"-"`
	Name     string   `json:"package"`
	Dver     string   `json:"dver"`
	Target   string   `json:"target"`
	Tag      string   `json:"tag"`
	BuildTag string   `json:"build_tag,omitempty"`
	DestTag  string   `json:"dest_tag,omitempty"`
	Src      string   `json:"source,omitempty"`
	TaskID   int      `json:"task,omitempty"`
	// State is the task's final state (CLOSED, FAILED, CANCELED), or
	// SKIPPED / NOT SUBMITTED / SUBMITTED.
	State     string     `json:"state"`
	NVR       string     `json:"nvr,omitempty"`
	Error     string     `json:"error,omitempty"`
	Diagnosis *Diagnosis `json:"diagnosis,omitempty"`
	Files     []string   `json:"files,omitempty"`
	scratch   bool
	distTag   string
}

// Report is the outcome of a run.
type Report struct {
	Jobs []*Job
	// RepoTasks are the newRepo tasks of --regen-repos.
	RepoTasks []int
}

// Failed returns the jobs that did not build.
func (r *Report) Failed() []*Job {
	var out []*Job
	for _, j := range r.Jobs {
		if j.State != koji.TaskClosed.String() {
			out = append(out, j)
		}
	}
	return out
}

// Run builds the packages: prepare, resolve, check, submit, watch, report.
func Run(ctx context.Context, env *Env, o *Options) (*Report, error) {
	if o.ArchOverride != "" && !o.Scratch {
		return nil, usagef("--arch-override (and -t/--target-arch) is only for scratch builds: add --scratch")
	}
	if o.VCS && !o.Scratch {
		o.VCS = false // non-scratch builds always come from source control
	}
	if o.Chain && o.Scratch {
		return nil, usagef("--chain builds each group into its tag so that the next group can use it; scratch builds never reach the repo: drop --scratch")
	}
	if o.Chain && o.NoWait {
		return nil, usagef("--chain waits for each group's builds: it cannot be used with --nowait")
	}
	if len(o.Args) == 0 {
		return nil, usagef("no package directory given")
	}
	pkgs, err := prepare(ctx, env, o)
	if err != nil {
		return nil, err
	}
	if len(pkgs) >= ForceBackgroundAt && !o.Background {
		o.Background = true
		fmt.Fprintf(env.Err, "Building %d packages: submitting them in the background (priority +%d), as osg-build does from %d packages\n",
			len(pkgs), BackgroundPriority, ForceBackgroundAt)
	}
	groups := [][]*Package{pkgs}
	if o.Chain {
		if groups, err = chainGroups(ctx, pkgs); err != nil {
			return nil, err
		}
	}
	if o.DryRun {
		return dryRun(env, o, groups), nil
	}
	return submitAndWatch(ctx, env, o, groups)
}

func isSRPM(arg string) bool { return strings.HasSuffix(arg, ".src.rpm") }

// prepare detects the kind of each argument, runs the working-tree checks
// (asking about findings), resolves the targets and checks protection.
func prepare(ctx context.Context, env *Env, o *Options) ([]*Package, error) {
	var pkgs []*Package
	for _, arg := range o.Args {
		p := &Package{Arg: arg}
		switch {
		case isSRPM(arg):
			if !o.Scratch {
				return nil, usagef("%s: non-scratch builds come from source control only; build an SRPM with --scratch", arg)
			}
			if o.VCS {
				return nil, usagef("%s: --vcs builds from source control, not from an SRPM", arg)
			}
			abs, err := filepath.Abs(arg)
			if err != nil {
				return nil, err
			}
			if _, err := os.Stat(abs); err != nil {
				return nil, fmt.Errorf("SRPM %s: %w", arg, err)
			}
			p.SRPM = abs
			p.DirName = filepath.Base(abs)
			p.Name = srpmNameGuess(p.DirName)
		case o.Scratch && !o.VCS:
			if vcs.IsURL(arg) {
				return nil, usagef("%s: a URL builds from source control: add --vcs (or give a local package directory)", arg)
			}
			if err := packaging.ValidatePackageDir(arg); err != nil {
				return nil, err
			}
			abs, err := filepath.Abs(arg)
			if err != nil {
				return nil, err
			}
			p.Dir, p.DirName, p.Name = abs, filepath.Base(abs), vcs.PackageName(abs)
		default:
			src, err := env.VCS.Open(ctx, arg)
			if err != nil {
				return nil, err
			}
			p.Source, p.Dir, p.DirName, p.Name = src, src.Dir, src.DirName, src.Package
			findings, err := vcs.Check(ctx, src)
			if err != nil {
				return nil, err
			}
			for _, f := range findings {
				if f.Blocking {
					return nil, fmt.Errorf("%s", f.String())
				}
				if err := env.Asker.Confirm(f.String(), "Build anyway?"); err != nil {
					return nil, err
				}
			}
		}
		res, err := env.Targets.ResolveFor(o.Targets, p.Dir)
		if err != nil {
			var re *targets.ResolveError
			var ue *targets.UnknownRepoError
			if errors.As(err, &re) || errors.As(err, &ue) {
				return nil, &UsageError{err.Error()}
			}
			return nil, err
		}
		p.Resolution = res
		if p.Source != nil {
			for _, t := range res.Targets {
				if err := env.VCS.CheckProtection(p.Source, t.Target); err != nil {
					if !o.Scratch {
						return nil, err
					}
					if err := env.Asker.Confirm(err.Error()+" (scratch build)", "Build anyway?"); err != nil {
						return nil, err
					}
				}
			}
		}
		pkgs = append(pkgs, p)
	}
	return pkgs, nil
}

// srpmNameGuess is the name part of an SRPM file name (N-V-R.src.rpm).
func srpmNameGuess(base string) string {
	nvr := strings.TrimSuffix(base, ".src.rpm")
	for range 2 {
		if i := strings.LastIndex(nvr, "-"); i > 0 {
			nvr = nvr[:i]
		}
	}
	return nvr
}

func chainGroups(ctx context.Context, pkgs []*Package) ([][]*Package, error) {
	var deps []*Deps
	byKey := map[string]*Package{}
	for i, p := range pkgs {
		key := strconv.Itoa(i)
		var d *Deps
		var err error
		switch {
		case p.SRPM != "":
			d, err = DepsOfSRPM(ctx, key, p.SRPM)
		case p.Dir != "":
			d, err = DepsOfDir(key, p.Dir)
		default:
			err = usagef("%s: --chain reads the spec of each package: give local package directories (checkouts) or SRPMs, not URLs", p.Arg)
		}
		if err != nil {
			return nil, err
		}
		p.deps = d
		byKey[key] = p
		deps = append(deps, d)
	}
	gs, err := ChainGroups(deps)
	if err != nil {
		return nil, err
	}
	out := make([][]*Package, len(gs))
	for i, g := range gs {
		for _, d := range g {
			out[i] = append(out[i], byKey[d.Key])
		}
	}
	return out, nil
}

func jobsOf(o *Options, pkgs []*Package) []*Job {
	var jobs []*Job
	for _, p := range pkgs {
		for _, t := range p.Resolution.Targets {
			jobs = append(jobs, &Job{Package: p, Name: p.Name, Dver: t.Dver, Target: t.Target, Tag: t.Tag,
				State: "NOT SUBMITTED", scratch: o.Scratch, distTag: t.DistTag})
		}
	}
	return jobs
}

// buildRequest is the opts of build() and its Python repr.
func buildRequest(o *Options) (koji.BuildRequestOpts, koji.BuildOpts) {
	req := koji.BuildRequestOpts{Scratch: o.Scratch, ArchOverride: o.ArchOverride, WaitBuilds: []string{}, CustomUserMetadata: map[string]any{}}
	var bo koji.BuildOpts
	if o.Background {
		bo.Priority = koji.Ptr(BackgroundPriority)
	}
	return req, bo
}

func pyStr(s string) string {
	return "'" + strings.ReplaceAll(strings.ReplaceAll(s, `\`, `\\`), "'", `\'`) + "'"
}

func pyBuildOpts(req koji.BuildRequestOpts) string {
	parts := []string{}
	if req.ArchOverride != "" {
		parts = append(parts, "'arch_override': "+pyStr(req.ArchOverride))
	}
	parts = append(parts, "'custom_user_metadata': {}")
	if req.Scratch {
		parts = append(parts, "'scratch': True")
	}
	parts = append(parts, "'wait_builds': []")
	return "{" + strings.Join(parts, ", ") + "}"
}

// dryRun prints the hub calls a run would make, without opening the hub.
func dryRun(env *Env, o *Options, groups [][]*Package) *Report {
	w := env.Out
	req, bo := buildRequest(o)
	prio := ""
	if bo.Priority != nil {
		prio = fmt.Sprintf(", priority=%d", *bo.Priority)
	}
	rep := &Report{}
	fmt.Fprintln(w, "# dry run: no login, nothing submitted; the hub calls are:")
	for gi, g := range groups {
		if o.Chain {
			var names []string
			for _, p := range g {
				names = append(names, p.Name)
			}
			fmt.Fprintf(w, "# chain group %d: %s\n", gi+1, strings.Join(names, " "))
		}
		jobs := jobsOf(o, g)
		for _, j := range jobs {
			p := j.Package
			fmt.Fprintf(w, "# %s for %s into %s\n", p.Arg, j.Dver, j.Target)
			fmt.Fprintf(w, "getBuildTarget(%s)\n", pyStr(j.Target))
			src := ""
			switch {
			case p.Source != nil:
				src = p.Source.SCMURL
			default:
				srpm := filepath.Base(p.SRPM)
				if p.SRPM == "" {
					fmt.Fprintf(w, "# prebuild %s for %s (local rpmbuild -bs)\n", p.Arg, j.Dver)
					srpm = fmt.Sprintf("<SRPM of %s for %s>", p.DirName, j.Dver)
				}
				fmt.Fprintf(w, "upload(%s, %s)\n", pyStr("cli-build/<time>.<random>"), pyStr(srpm))
				src = "cli-build/<time>.<random>/" + srpm
			}
			if !o.Scratch {
				tag := j.Tag
				if tag == targets.TagFromTarget {
					tag = "<dest tag of " + j.Target + ">"
				}
				fmt.Fprintf(w, "listPackages(tagID=%s, pkgID=%s, inherited=True)\n", pyStr(tag), pyStr(p.Name))
				fmt.Fprintf(w, "packageListAdd(%s, %s, owner=<logged-in user>)  # only if missing\n", pyStr(tag), pyStr(p.Name))
			}
			fmt.Fprintf(w, "build(%s, %s, %s%s)\n", pyStr(src), pyStr(j.Target), pyBuildOpts(req), prio)
			j.Src = src
			j.State = "DRY RUN"
			rep.Jobs = append(rep.Jobs, j)
		}
		if o.Chain && gi < len(groups)-1 {
			fmt.Fprintf(w, "# wait for the build tag's repo to hold group %d (listTagged, getRepo until create_event >= tagging event)\n", gi+1)
		}
	}
	if !o.NoWait {
		fmt.Fprintln(w, "# then: one multiCall per poll (getTaskInfo + getTaskChildren per task) until all tasks finish")
	}
	return rep
}

func (env *Env) now() time.Time {
	if env.Now != nil {
		return env.Now()
	}
	return time.Now()
}

func randomLetters() string {
	const letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	b := make([]byte, 8)
	for i := range b {
		n, err := rand.Int(rand.Reader, big.NewInt(int64(len(letters))))
		if err != nil {
			b[i] = 'x'
			continue
		}
		b[i] = letters[n.Int64()]
	}
	return string(b)
}

// UploadDir is the upload directory of a scratch SRPM:
// cli-build/<time>.<8 random letters>, as the koji CLI's unique_path.
func UploadDir(now time.Time, random string) string {
	return fmt.Sprintf("cli-build/%d.%06d.%s", now.Unix(), now.Nanosecond()/1000, random)
}

func submitAndWatch(ctx context.Context, env *Env, o *Options, groups [][]*Package) (*Report, error) {
	h, err := env.Hub(ctx)
	if err != nil {
		return nil, err
	}
	if env.Login != nil {
		if err := env.Login(ctx, h); err != nil {
			return nil, err
		}
	}
	owner := ""
	if !o.Scratch {
		u, err := h.GetLoggedInUser(ctx)
		if err != nil {
			return nil, fmt.Errorf("getLoggedInUser: %w", err)
		}
		if u == nil {
			return nil, fmt.Errorf("not logged in to the hub: non-scratch builds need a login (check your certificate or Kerberos ticket with `osg-build auth`)")
		}
		owner = u.Name
	}
	rep := &Report{}
	var all []*Job
	for _, g := range groups {
		all = append(all, jobsOf(o, g)...)
	}
	rep.Jobs = all
	jobsOfGroup := map[int][]*Job{}
	k := 0
	for gi, g := range groups {
		n := 0
		for _, p := range g {
			n += len(p.Resolution.Targets)
		}
		jobsOfGroup[gi] = all[k : k+n]
		k += n
	}
	for gi := range groups {
		jobs := jobsOfGroup[gi]
		if o.Chain && len(groups) > 1 {
			var names []string
			for _, j := range jobs {
				names = append(names, j.Name+" ("+j.Dver+")")
			}
			fmt.Fprintf(env.Err, "Chain group %d of %d: %s\n", gi+1, len(groups), strings.Join(names, ", "))
		}
		var ids []int
		for _, j := range jobs {
			if err := submit(ctx, env, o, h, owner, j); err != nil {
				if ctx.Err() != nil {
					return rep, ctx.Err()
				}
				j.State, j.Error = "NOT SUBMITTED", err.Error()
				fmt.Fprintf(env.Err, "error: %s (%s): %v\n", j.Name, j.Dver, err)
				continue
			}
			ids = append(ids, j.TaskID)
		}
		if len(ids) == 0 {
			break
		}
		if o.NoWait {
			for _, j := range jobs {
				if j.TaskID != 0 {
					j.State = "SUBMITTED"
				}
			}
			printWatchHint(env, o, ids)
			if _, ok := h.(TaskRunner); ok {
				fmt.Fprintln(env.Err, "The embedded hub runs these tasks when they are watched (the command above) or while `osg-build hub serve` runs.")
			}
			return rep, nil
		}
		res, err := watch(ctx, env, o, h, ids)
		if err != nil {
			return rep, err
		}
		finish(ctx, env, h, res, jobs)
		if o.GetFiles {
			for _, j := range jobs {
				if err := GetFiles(ctx, h, res, j, o.ResultsDir, env.Err); err != nil {
					fmt.Fprintf(env.Err, "warning: --getfiles for task %d: %v\n", j.TaskID, err)
				}
			}
		}
		failed := false
		for _, j := range jobs {
			if j.State != koji.TaskClosed.String() {
				failed = true
			}
		}
		if gi < len(groups)-1 {
			if failed {
				for _, later := range all[len(all)-countRest(jobsOfGroup, gi+1, len(groups)):] {
					later.State = "SKIPPED"
					later.Error = "an earlier group of the chain failed"
				}
				break
			}
			if err := waitGroupRepos(ctx, env, o, h, jobs); err != nil {
				return rep, err
			}
		}
	}
	if o.RegenRepos && !o.Scratch {
		if err := regenRepos(ctx, env, o, h, rep); err != nil {
			return rep, err
		}
	}
	return rep, nil
}

func countRest(m map[int][]*Job, from, n int) int {
	c := 0
	for i := from; i < n; i++ {
		c += len(m[i])
	}
	return c
}

func printWatchHint(env *Env, o *Options, ids []int) {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = strconv.Itoa(id)
	}
	if o.JSON {
		b, _ := json.Marshal(map[string]any{"event": "submitted", "tasks": ids, "watch": env.WatchCommand + " " + strings.Join(s, " ")})
		fmt.Fprintf(env.Out, "%s\n", b)
		return
	}
	fmt.Fprintf(env.Out, "%s %s\n", env.WatchCommand, strings.Join(s, " "))
}

func watch(ctx context.Context, env *Env, o *Options, h koji.Hub, ids []int) (*Result, error) {
	w := &Watcher{Hub: h, Interval: env.Interval, Display: env.Display, Out: env.Err, Now: env.Now, Sleep: env.Sleep}
	if o.JSON {
		w.Display, w.Out = DisplayJSON, env.Out
	}
	if w.Display == DisplayLines {
		fmt.Fprintln(env.Err, "Watching tasks (Ctrl-C stops watching, not the builds)...")
	}
	res, err := w.Watch(ctx, ids)
	if err != nil {
		if ctx.Err() != nil {
			var open []int
			for _, id := range ids {
				if t := res.Tasks[id]; t == nil || !t.State.Finished() {
					open = append(open, id)
				}
			}
			if len(open) == 0 {
				open = ids
			}
			_, inProc := h.(TaskRunner)
			return res, &InterruptedError{Tasks: open, Command: env.WatchCommand, InProcess: inProc}
		}
		return res, err
	}
	return res, nil
}

// submit resolves a job's target and tag, adds the package to the tag's
// list when needed, uploads the SRPM of a scratch build, and creates the
// build task.
func submit(ctx context.Context, env *Env, o *Options, h koji.Hub, owner string, j *Job) error {
	p := j.Package
	tgt, ok := env.targetCache[j.Target]
	if !ok {
		var err error
		if tgt, err = h.GetBuildTarget(ctx, koji.ByName(j.Target), koji.GetBuildTargetOpts{}); err != nil {
			return fmt.Errorf("getBuildTarget(%s): %w", j.Target, err)
		}
		if env.targetCache == nil {
			env.targetCache = map[string]*koji.BuildTarget{}
		}
		env.targetCache[j.Target] = tgt
	}
	var err error
	if tgt == nil {
		return fmt.Errorf("no such target %s on the hub: check --repo/--koji-target (osg-build osg-koji list-targets)", j.Target)
	}
	j.BuildTag, j.DestTag = tgt.BuildTagName, tgt.DestTagName
	if j.Tag == targets.TagFromTarget {
		j.Tag = tgt.DestTagName
	}
	if !o.Scratch {
		dest, err := h.GetTag(ctx, koji.ByName(tgt.DestTagName), koji.GetTagOpts{})
		if err != nil {
			return fmt.Errorf("getTag(%s): %w", tgt.DestTagName, err)
		}
		if dest != nil && dest.Locked {
			return fmt.Errorf("destination tag %s is locked: only scratch builds go to %s", dest.Name, j.Target)
		}
		if err := addPackage(ctx, env, h, j.Tag, p.Name, owner); err != nil {
			return err
		}
	}
	switch {
	case p.Source != nil:
		j.Src = p.Source.SCMURL
	default:
		srpm := p.SRPM
		if srpm == "" {
			if env.Prebuild == nil {
				return fmt.Errorf("no prebuild available for %s", p.Dir)
			}
			fmt.Fprintf(env.Err, "Prebuilding %s for %s\n", p.Dir, j.Dver)
			if srpm, err = env.Prebuild(ctx, p.Dir, j.Dver); err != nil {
				return fmt.Errorf("prebuild %s for %s: %w", p.Dir, j.Dver, err)
			}
		}
		rnd := randomLetters()
		if env.Random != nil {
			rnd = env.Random()
		}
		dir := UploadDir(env.now(), rnd)
		f, err := os.Open(srpm)
		if err != nil {
			return err
		}
		st, err := f.Stat()
		if err != nil {
			f.Close()
			return err
		}
		fmt.Fprintf(env.Err, "Uploading srpm: %s\n", srpm)
		err = h.Upload(ctx, dir, filepath.Base(srpm), f, st.Size(), koji.UploadOpts{Overwrite: true})
		f.Close()
		if err != nil {
			return fmt.Errorf("uploading %s: %w", srpm, err)
		}
		j.Src = dir + "/" + filepath.Base(srpm)
	}
	req, bo := buildRequest(o)
	id, err := h.Build(ctx, j.Src, j.Target, req, bo)
	if err != nil {
		return fmt.Errorf("build(%s, %s): %w", j.Src, j.Target, err)
	}
	j.TaskID, j.State = id, "SUBMITTED"
	fmt.Fprintf(env.Err, "Created task: %d\n", id)
	if env.TaskURL != nil {
		fmt.Fprintf(env.Err, "Task info: %s\n", env.TaskURL(id))
	}
	return nil
}

// addPackage adds pkg to tag's package list (owner = the logged-in user)
// when neither the tag nor its parents list it.
func addPackage(ctx context.Context, env *Env, h koji.Hub, tag, pkg, owner string) error {
	entries, err := h.ListPackages(ctx, koji.ListPackagesOpts{TagID: koji.ByName(tag), PkgID: koji.ByName(pkg), Inherited: true})
	if err != nil && !koji.IsFault(err, koji.GenericError) {
		return fmt.Errorf("listPackages(%s, %s): %w", tag, pkg, err)
	}
	if err == nil && len(entries) > 0 {
		return nil
	}
	fmt.Fprintf(env.Err, "Adding package %s to tag %s (owner %s)\n", pkg, tag, owner)
	if err := h.PackageListAdd(ctx, koji.ByName(tag), koji.ByName(pkg), koji.PackageListAddOpts{Owner: koji.ByName(owner)}); err != nil {
		return fmt.Errorf("packageListAdd(%s, %s): %w", tag, pkg, err)
	}
	return nil
}

// finish records the final state, NVR and (for failures) the diagnosis of
// each job.
func finish(ctx context.Context, env *Env, h koji.Hub, res *Result, jobs []*Job) {
	for _, j := range jobs {
		if j.TaskID == 0 {
			continue
		}
		t := res.Tasks[j.TaskID]
		if t == nil {
			continue
		}
		j.State = t.State.String()
		j.NVR = nvrOf(ctx, h, res, j)
		if t.State == koji.TaskClosed {
			continue
		}
		leaf := res.FailedLeaf(j.TaskID)
		fault := TaskFault(ctx, h, leaf.ID)
		if fault == "" && leaf.ID != j.TaskID {
			fault = TaskFault(ctx, h, j.TaskID)
		}
		logs, err := FetchLogs(ctx, h, leaf.ID)
		if err != nil {
			slog.Debug("fetching logs", "task", leaf.ID, "err", err)
		}
		dirName := j.Package.DirName
		if j.Package.SRPM != "" {
			dirName = ""
		}
		d := Diagnose(fault, logs, dirName, j.BuildTag)
		Explain(ctx, h, d, j.BuildTag)
		j.Diagnosis = d
		j.Error = d.Summary
	}
}

func nvrOf(ctx context.Context, h koji.Hub, res *Result, j *Job) string {
	if !j.scratch {
		id := j.TaskID
		if bs, err := h.ListBuilds(ctx, koji.ListBuildsOpts{TaskID: &id}); err == nil && len(bs) > 0 {
			return bs[0].NVR
		}
	}
	for _, c := range res.Descendants(j.TaskID) {
		t := res.Tasks[c]
		if t.Method != "buildArch" {
			continue
		}
		if p := t.RequestParams(); len(p) > 0 {
			if s, ok := p[0].(string); ok && strings.HasSuffix(s, ".src.rpm") {
				return strings.TrimSuffix(filepath.Base(s), ".src.rpm")
			}
		}
	}
	return ""
}

// waitGroupRepos waits, per build tag, for a repo holding the group's
// builds (the wait-repo --build logic) before the next chain group.
func waitGroupRepos(ctx context.Context, env *Env, o *Options, h koji.Hub, jobs []*Job) error {
	byTag := map[string][]string{}
	var tags []string
	for _, j := range jobs {
		if j.NVR == "" || j.scratch {
			continue
		}
		if _, ok := byTag[j.BuildTag]; !ok {
			tags = append(tags, j.BuildTag)
		}
		byTag[j.BuildTag] = append(byTag[j.BuildTag], j.NVR)
	}
	for _, tag := range tags {
		fmt.Fprintf(env.Err, "Waiting for a repo of %s with %s\n", tag, strings.Join(byTag[tag], ", "))
		r, err := WaitRepo(ctx, h, tag, WaitOptions{Builds: byTag[tag], Timeout: o.WaitTimeout, Interval: env.Interval,
			Now: env.Now, Sleep: env.Sleep, Status: env.Err})
		if err != nil {
			return fmt.Errorf("chain: %w", err)
		}
		fmt.Fprintf(env.Err, "Got repo %d of %s\n", r.ID, tag)
	}
	return nil
}

// regenRepos makes a newRepo task for the build tag of every successful
// non-scratch build and watches them.
func regenRepos(ctx context.Context, env *Env, o *Options, h koji.Hub, rep *Report) error {
	seen := map[string]bool{}
	var ids []int
	for _, j := range rep.Jobs {
		if j.State != koji.TaskClosed.String() || j.BuildTag == "" || seen[j.BuildTag] {
			continue
		}
		seen[j.BuildTag] = true
		id, err := h.NewRepo(ctx, koji.ByName(j.BuildTag), koji.NewRepoOpts{})
		if err != nil {
			return fmt.Errorf("newRepo(%s): %w", j.BuildTag, err)
		}
		fmt.Fprintf(env.Err, "Regenerating the repo of %s: task %d\n", j.BuildTag, id)
		ids = append(ids, id)
	}
	if len(ids) == 0 {
		return nil
	}
	rep.RepoTasks = ids
	res, err := watch(ctx, env, o, h, ids)
	if err != nil {
		return err
	}
	if f := res.Failed(); len(f) > 0 {
		return fmt.Errorf("repo regeneration task(s) %v did not succeed", f)
	}
	return nil
}

// WriteSummary prints the table of jobs (package, dver, target, task,
// state, NVR) and the diagnosis of each failure. With JSON each job is one
// JSON object per line.
func WriteSummary(w io.Writer, errw io.Writer, rep *Report, table func() TableWriter, asJSON bool) error {
	if asJSON {
		for _, j := range rep.Jobs {
			b, err := json.Marshal(struct {
				Event string `json:"event"`
				*Job
			}{"build", j})
			if err != nil {
				return err
			}
			fmt.Fprintf(w, "%s\n", b)
		}
		return nil
	}
	for _, j := range rep.Jobs {
		if j.Diagnosis == nil {
			continue
		}
		d := j.Diagnosis
		fmt.Fprintf(errw, "\n%s (%s, task %d) failed: %s\n", j.Name, j.Dver, j.TaskID, d.Summary)
		if d.Advice != "" {
			fmt.Fprintf(errw, "  what to do: %s\n", d.Advice)
		}
		if len(d.Excerpt) > 0 {
			fmt.Fprintf(errw, "  from %s:\n", d.Log)
			for _, l := range d.Excerpt {
				fmt.Fprintf(errw, "    %s\n", l)
			}
		}
	}
	tp := table()
	tp.Header("PACKAGE", "DVER", "TARGET", "TASK", "STATE", "NVR")
	for _, j := range rep.Jobs {
		task := "-"
		if j.TaskID != 0 {
			task = strconv.Itoa(j.TaskID)
		}
		nvr := j.NVR
		if nvr == "" {
			nvr = "-"
		}
		tp.AddRow(j.Name, j.Dver, j.Target, task, j.State, nvr)
	}
	return tp.Render()
}

// TableWriter is the table printer of the summary (iostreams.TablePrinter).
type TableWriter interface {
	Header(cols ...string)
	AddRow(cols ...string)
	Render() error
}
