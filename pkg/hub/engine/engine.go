// Package engine runs the embedded hub's tasks, as kojid does on one build
// host and kojira does for repos, inside the hub's process.
//
// An Engine registers a host record (the machine's arch and noarch, a
// capacity), claims FREE tasks in the order of priority then creation, each
// claim atomic and carrying a lease (host, pid, process start time, a
// heartbeat), runs the task's handler (build, buildSRPMFromSCM, buildArch,
// tagBuild, newRepo, waitrepo) and closes or fails the task with its result
// or fault, as Koji stores them. Parents wait for their children without
// holding capacity. Several processes may run engines on one hub directory:
// a task is claimed by one only, and the tasks of a process that died are
// taken back (Recover): FAILED, newRepo tasks FREE to rerun, their BUILDING
// builds FAILED, their INIT repos PROBLEM, their half-written files removed.
//
// Two modes: RunUntilIdle runs the tasks a command created (and their
// children, and the repo regenerations they cause) to the end, for
// in-process commands; Start runs every task continuously, for `osg-build
// hub serve`. In both, kojira's job is done too: after a tag changes, the
// repos of the build tags that see it are regenerated (unless automatic
// regeneration is off: Hub.SetAutoRegen or Options.AutoRegen), old repos
// expire and are deleted after a lifetime.
package engine

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/osg-htc/osg-build-go/internal/runner"
	"github.com/osg-htc/osg-build-go/pkg/hub"
	"github.com/osg-htc/osg-build-go/pkg/hub/builder"
	"github.com/osg-htc/osg-build-go/pkg/koji"
)

// Options configure an Engine.
type Options struct {
	// HostName is the host record's name (the machine's host name when
	// empty).
	HostName string
	// Capacity is the sum of task weights run at once (max(2, CPUs) when 0).
	Capacity float64
	// Builder builds binary RPMs; when nil it is chosen per build: mock when
	// it is installed and the build tag can make a mock buildroot, else
	// rpmbuild ($OSG_BUILD_HUB_BUILDER forces one).
	Builder builder.Builder
	// AutoRegen overrides the hub's automatic repo regeneration setting.
	AutoRegen *bool
	// NoHostDeps makes the rpmbuild builder resolve BuildRequires against
	// the build tag's repo only (not the host's installed packages too).
	NoHostDeps bool
	// Poll is how often the engine looks for work and watches other
	// processes' tasks (200 ms when 0).
	Poll time.Duration
	// LeaseTimeout is how old the heartbeat of another machine's lease may
	// get before its task is taken back (60 s when 0).
	LeaseTimeout time.Duration
	// RegenDelay is kojira's debounce in served mode: a build tag is
	// regenerated once its last change is this old (2 s when 0).
	RegenDelay time.Duration
	// RepoLifetime is how long expired repos are kept before deletion (24 h
	// when 0; negative: at once).
	RepoLifetime time.Duration
	// TopURL is the hub's files URL given to mock as the repo baseurl
	// (file://<topdir> when empty).
	TopURL string
	// CachePrefixes are the upstream cache prefixes of the strict
	// fetch-sources step of SCM builds (the default prefixes when empty).
	CachePrefixes []string
	// Logger receives the engine's messages (slog.Default() when nil).
	Logger *slog.Logger
}

// Engine runs tasks of one hub.
type Engine struct {
	h     *hub.Hub
	host  *hub.Host
	opts  Options
	lease hub.Lease
	log   *slog.Logger
	bld   builder.Builder

	mu       sync.Mutex
	running  map[int64]*running
	changeCh chan struct{}
	extra    []int64 // tasks this engine created outside the scopes (repo requests)

	hbMu    sync.Mutex
	hbUsers int
	hbStop  chan struct{}
	hbDone  chan struct{}

	served sync.WaitGroup
}

type running struct {
	weight  float64
	waiting bool
	cancel  context.CancelFunc
	done    chan struct{}
}

// New returns an engine for h: it registers the host and takes back the
// tasks of dead processes.
func New(ctx context.Context, h *hub.Hub, opts Options) (*Engine, error) {
	if opts.HostName == "" {
		n, err := os.Hostname()
		if err != nil || n == "" {
			n = "localhost"
		}
		opts.HostName = n
	}
	if opts.Capacity <= 0 {
		opts.Capacity = float64(max(2, runtime.NumCPU()))
	}
	if opts.Poll <= 0 {
		opts.Poll = 200 * time.Millisecond
	}
	if opts.LeaseTimeout <= 0 {
		opts.LeaseTimeout = 60 * time.Second
	}
	if opts.RegenDelay <= 0 {
		opts.RegenDelay = 2 * time.Second
	}
	if opts.RepoLifetime == 0 {
		opts.RepoLifetime = 24 * time.Hour
	}
	e := &Engine{h: h, opts: opts, running: map[int64]*running{}, changeCh: make(chan struct{})}
	e.log = opts.Logger
	if e.log == nil {
		e.log = slog.Default()
	}
	e.bld = opts.Builder
	if e.bld == nil {
		if name := os.Getenv(EnvBuilder); name != "" {
			b, err := builder.Default(name)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", EnvBuilder, err)
			}
			e.bld = b
		}
	}
	hostArch := builder.HostArch()
	host, err := h.RegisterHost(ctx, opts.HostName, []string{hostArch, "noarch"}, opts.Capacity)
	if err != nil {
		return nil, err
	}
	e.host = host
	tok := make([]byte, 8)
	_, _ = rand.Read(tok)
	e.lease = hub.Lease{Hostname: opts.HostName, PID: os.Getpid(), ProcStart: runner.ProcStart(os.Getpid()), Token: hex.EncodeToString(tok)}
	if _, err := e.Recover(ctx); err != nil {
		return nil, err
	}
	return e, nil
}

// Host is the engine's host record.
func (e *Engine) Host() *hub.Host { return e.host }

// EnvBuilder forces the builder of the engines of this process: mock or
// rpmbuild.
const EnvBuilder = "OSG_BUILD_HUB_BUILDER"

// Builder is the builder the engine was given (Options.Builder or
// $OSG_BUILD_HUB_BUILDER); nil means chosen per build (builderFor).
func (e *Engine) Builder() builder.Builder { return e.bld }

// builderFor chooses the builder of a buildArch: the one given, else mock
// when it is installed and the build tag's repo can make a mock buildroot
// (a comps "build" group and external repos for the base system), else
// rpmbuild (with a line in the log saying why).
func (e *Engine) builderFor(ctx context.Context, repo *koji.Repo) (builder.Builder, string) {
	if e.bld != nil {
		return e.bld, ""
	}
	if _, ok := runner.Look("mock"); !ok {
		return &builder.RPMBuild{}, ""
	}
	comps, _ := os.ReadFile(filepath.Join(e.h.RepoDir(repo.TagName, int64(repo.ID)), "groups", "comps.xml"))
	if !strings.Contains(string(comps), "<id>build</id>") {
		return &builder.RPMBuild{}, fmt.Sprintf("mock is installed, but the build tag %s has no comps group 'build' to install a buildroot from: building with rpmbuild on the host", repo.TagName)
	}
	ext, err := e.h.GetExternalRepoList(ctx, koji.ByName(repo.TagName), koji.EventOpts{Event: &repo.CreateEvent})
	if err != nil || len(ext) == 0 {
		return &builder.RPMBuild{}, fmt.Sprintf("mock is installed, but the build tag %s has no external repos for the base system: building with rpmbuild on the host", repo.TagName)
	}
	return &builder.Mock{}, ""
}

func pidAlive(pid int) bool {
	if pid <= 0 {
		return false
	}
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

// dead judges a lease: ours is alive; another process on this machine is
// dead when its pid is gone or runs a different process; another machine's
// lease is dead when its heartbeat is older than LeaseTimeout.
func (e *Engine) dead(l hub.Lease) bool {
	if l.Token == e.lease.Token {
		return false // this process: its tasks finish through FinishTask
	}
	if l.Hostname == e.lease.Hostname {
		if !pidAlive(l.PID) {
			return true
		}
		if l.ProcStart != 0 {
			if ps := runner.ProcStart(l.PID); ps != 0 && ps != l.ProcStart {
				return true
			}
		}
		return false
	}
	now := float64(time.Now().UnixNano()) / 1e9
	return now-l.Heartbeat > e.opts.LeaseTimeout.Seconds()
}

// Recover takes back the tasks of dead processes (see hub.Host.RecoverDead)
// and removes their half-written files: the INIT repos' directories, the
// build work directories, and the packages/N/V/R directories of the builds
// set FAILED.
func (e *Engine) Recover(ctx context.Context) (*hub.Recovery, error) {
	rec, err := e.host.RecoverDead(ctx, e.dead)
	if err != nil {
		return nil, fmt.Errorf("taking back the tasks of dead processes: %w", err)
	}
	for _, d := range rec.RepoDirs {
		_ = os.RemoveAll(d)
	}
	for _, id := range append(append([]int64{}, rec.Failed...), rec.Freed...) {
		e.removeWorkDir(id)
	}
	for _, b := range rec.Builds {
		if bi, err := e.h.GetBuild(ctx, koji.ByID(int(b)), koji.GetBuildOpts{}); err == nil && bi != nil {
			_ = os.RemoveAll(filepath.Join(e.h.TopDir(), "packages", bi.Name, bi.Version, bi.Release))
		}
	}
	if len(rec.Failed)+len(rec.Freed) > 0 {
		e.log.Warn("took back the tasks of processes that died", "failed", rec.Failed, "rerun", rec.Freed, "builds_failed", rec.Builds)
	}
	e.sweepWorkDirs(ctx)
	return rec, nil
}

// sweepWorkDirs removes the build work directories of tasks that no longer
// run (left by a process that died, or written by its orphaned builder
// after the recovery).
func (e *Engine) sweepWorkDirs(ctx context.Context) {
	ents, err := os.ReadDir(filepath.Join(e.h.Dir(), "tmp"))
	if err != nil {
		return
	}
	var ids []int64
	for _, d := range ents {
		if n, ok := strings.CutPrefix(d.Name(), "task-"); ok {
			if id, err := strconv.ParseInt(n, 10, 64); err == nil {
				ids = append(ids, id)
			}
		}
	}
	if len(ids) == 0 {
		return
	}
	states, err := e.host.TaskStates(ctx, ids)
	if err != nil {
		return
	}
	for _, id := range ids {
		st, ok := states[id]
		if ok && !st.Finished() {
			continue
		}
		e.removeWorkDir(id)
	}
}

// workDir is the scratch directory of a task's build, outside the topdir.
func (e *Engine) workDir(id int64) string {
	return filepath.Join(e.h.Dir(), "tmp", fmt.Sprintf("task-%d", id))
}

// processRecord is where a task's running program (rpmbuild, mock, git,
// svn) records its process group: in the work directory, so that a process
// taking the task back after a kill -9 can stop it.
func (e *Engine) processRecord(id int64) string {
	return filepath.Join(e.workDir(id), ".process")
}

// removeWorkDir removes the work directory of a task that no longer runs,
// after stopping a program the dead process running the task left behind
// (an orphaned rpmbuild would go on writing there).
func (e *Engine) removeWorkDir(id int64) {
	if killed, err := runner.KillRecorded(e.processRecord(id), 5*time.Second); err != nil {
		e.log.Warn("stopping an orphaned builder", "task", id, "err", err)
	} else if killed {
		e.log.Warn("stopped the orphaned builder of an interrupted task", "task", id)
	}
	_ = os.RemoveAll(e.workDir(id))
}

// notify wakes everything waiting for a task change in this process.
func (e *Engine) notify() {
	e.mu.Lock()
	close(e.changeCh)
	e.changeCh = make(chan struct{})
	e.mu.Unlock()
}

// changes returns the channel closed at the next change: take it before
// looking at the state, then wait on it (no change is missed in between).
func (e *Engine) changes() <-chan struct{} {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.changeCh
}

// waitChange waits for a change after ch was taken, d, or the end of ctx.
func (e *Engine) waitChange(ctx context.Context, ch <-chan struct{}, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ch:
	case <-t.C:
	case <-ctx.Done():
	}
}

func (e *Engine) load() (float64, int) {
	e.mu.Lock()
	defer e.mu.Unlock()
	var l float64
	for _, r := range e.running {
		if !r.waiting {
			l += r.weight
		}
	}
	return l, len(e.running)
}

// EnvAutoRegen turns automatic repo regeneration off for the engines of
// this process when set to 0, off, false or no (the acceptance test of a
// missing BuildRequires; Hub.SetAutoRegen turns it off for the hub).
const EnvAutoRegen = "OSG_BUILD_HUB_AUTOREGEN"

func (e *Engine) autoRegen(ctx context.Context) bool {
	if e.opts.AutoRegen != nil {
		return *e.opts.AutoRegen
	}
	switch strings.ToLower(os.Getenv(EnvAutoRegen)) {
	case "0", "off", "false", "no":
		return false
	}
	on, err := e.h.AutoRegen(ctx)
	return err == nil && on
}

// claimAll starts as many tasks as the capacity allows; it reports how many.
func (e *Engine) claimAll(ctx context.Context, roots []int64) (int, error) {
	n := 0
	for ctx.Err() == nil {
		l, nrun := e.load()
		f := hub.ClaimFilter{Roots: roots, AlsoMethods: []string{"newRepo"}, MaxWeight: e.opts.Capacity - l, Idle: nrun == 0 || l == 0}
		if roots == nil {
			f.AlsoMethods = nil
		}
		t, err := e.host.Claim(ctx, e.lease, f)
		if err != nil {
			return n, err
		}
		if t == nil {
			return n, nil
		}
		n++
		e.start(ctx, t)
	}
	return n, ctx.Err()
}

// heartbeat keeps the leases of this engine fresh and stops the tasks that
// were canceled (by cancelTask, here or in another process).
func (e *Engine) startHeartbeat() {
	e.hbMu.Lock()
	defer e.hbMu.Unlock()
	e.hbUsers++
	if e.hbUsers > 1 {
		return
	}
	e.hbStop, e.hbDone = make(chan struct{}), make(chan struct{})
	go func(stop, done chan struct{}) {
		defer close(done)
		t := time.NewTicker(500 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
			}
			e.mu.Lock()
			n := len(e.running)
			e.mu.Unlock()
			if n == 0 {
				continue
			}
			gone, err := e.host.Heartbeat(context.Background(), e.lease.Token)
			if err != nil {
				e.log.Debug("heartbeat", "err", err)
				continue
			}
			e.mu.Lock()
			for _, id := range gone {
				if r, ok := e.running[id]; ok {
					r.cancel()
				}
			}
			e.mu.Unlock()
		}
	}(e.hbStop, e.hbDone)
}

func (e *Engine) stopHeartbeat() {
	e.hbMu.Lock()
	defer e.hbMu.Unlock()
	e.hbUsers--
	if e.hbUsers > 0 {
		return
	}
	close(e.hbStop)
	<-e.hbDone
}

// start runs a claimed task in a goroutine.
func (e *Engine) start(ctx context.Context, t *hub.ClaimedTask) {
	tctx, cancel := context.WithCancel(runner.WithProcessRecord(ctx, e.processRecord(t.ID)))
	// A waitrepo task only sleeps until a repo exists: it takes none of
	// the capacity, or builds waiting for a repo could fill the host and
	// leave no room for the newRepo task they wait for.
	weight := t.Weight
	if t.Method == "waitrepo" {
		weight = 0
	}
	r := &running{weight: weight, cancel: cancel, done: make(chan struct{})}
	e.mu.Lock()
	e.running[t.ID] = r
	e.mu.Unlock()
	go func() {
		defer close(r.done)
		defer cancel()
		result, err := e.runHandler(tctx, t)
		if err != nil && tctx.Err() != nil && ctx.Err() != nil {
			// the engine itself is stopping: the task is interrupted
			err = koji.NewFault(koji.GenericError, "task %d was interrupted: the process running it stopped (%v)", t.ID, ctx.Err())
		}
		if ferr := e.host.FinishTask(context.WithoutCancel(ctx), t.ID, result, err); ferr != nil {
			e.log.Error("finishing a task", "task", t.ID, "err", ferr)
		}
		_ = os.RemoveAll(e.workDir(t.ID))
		e.mu.Lock()
		delete(e.running, t.ID)
		e.mu.Unlock()
		e.notify()
	}()
}

// RunUntilIdle runs the tasks ids (and their descendants, and the repo
// regenerations they need or cause) until every one of them is finished;
// with no ids, every task of the hub until none is left. Tasks of other
// processes are left alone, except FREE newRepo tasks. When ctx ends first,
// the running tasks are stopped and failed.
func (e *Engine) RunUntilIdle(ctx context.Context, ids ...int) error {
	var roots []int64 // nil: every task
	for _, id := range ids {
		roots = append(roots, int64(id))
	}
	e.mu.Lock()
	e.extra = nil
	e.mu.Unlock()
	e.startHeartbeat()
	defer e.stopHeartbeat()
	defer e.waitRunning()
	lastRecover := time.Now()
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		ch := e.changes()
		var scope []int64
		if roots != nil {
			e.mu.Lock()
			scope = append(append([]int64{}, roots...), e.extra...)
			e.mu.Unlock()
		}
		if _, err := e.claimAll(ctx, scope); err != nil {
			return err
		}
		free, open, err := e.host.ScopeState(ctx, scope, nil)
		if err != nil {
			return err
		}
		_, nrun := e.load()
		if len(free) == 0 && len(open) == 0 && nrun == 0 {
			created, err := e.kojira(ctx, 0)
			if err != nil {
				return err
			}
			if len(created) == 0 {
				e.expire(ctx)
				return nil
			}
			e.mu.Lock()
			e.extra = append(e.extra, created...)
			e.mu.Unlock()
			continue
		}
		if nrun == 0 && len(open) == 0 && len(free) > 0 {
			// nothing runs and nothing could be claimed: no host for them
			if err := e.failUnrunnable(ctx, free); err != nil {
				return err
			}
			continue
		}
		if len(open) > nrun && time.Since(lastRecover) > time.Second {
			// tasks of other processes: are they alive?
			lastRecover = time.Now()
			if _, err := e.Recover(ctx); err != nil {
				return err
			}
		}
		e.waitChange(ctx, ch, e.opts.Poll)
	}
}

func (e *Engine) waitRunning() {
	for {
		e.mu.Lock()
		var r *running
		for _, x := range e.running {
			r = x
			break
		}
		e.mu.Unlock()
		if r == nil {
			return
		}
		r.cancel()
		<-r.done
	}
}

// failUnrunnable fails FREE tasks no host of this hub can run.
func (e *Engine) failUnrunnable(ctx context.Context, ids []int64) error {
	for _, id := range ids {
		t, err := e.h.GetTaskInfo(ctx, int(id), koji.GetTaskInfoOpts{})
		if err != nil || t == nil || t.State != koji.TaskFree {
			continue
		}
		if err := e.host.FailFree(ctx, id, koji.NewFault(koji.GenericError,
			"no build host of this hub can run task %d (%s, arch %s, channel %d): this machine builds %s",
			id, t.Method, t.Arch, t.ChannelID, strings.Join(e.host.Arches, " "))); err != nil {
			return err
		}
	}
	e.notify()
	return nil
}

// kojira gives the waiting repo requests their newRepo tasks (Koji's
// repo.checkQueue, whether or not automatic regeneration is on), then
// regenerates the repos of stale build tags whose last change is older
// than delay (when automatic regeneration is on) and returns the newRepo
// tasks it created.
func (e *Engine) kojira(ctx context.Context, delay time.Duration) ([]int64, error) {
	out, err := e.host.CheckRepoQueue(ctx)
	if err != nil {
		return nil, fmt.Errorf("checking the repo queue: %w", err)
	}
	for _, id := range out {
		e.log.Debug("kojira: regenerating for a repo request", "task", id)
	}
	if !e.autoRegen(ctx) {
		return out, nil
	}
	stale, err := e.host.StaleBuildTags(ctx)
	if err != nil {
		return out, err
	}
	for _, s := range stale {
		if delay > 0 && time.Since(s.ChangeTime) < delay {
			continue
		}
		id, err := e.host.NewRepoTask(ctx, s.Name)
		if err != nil {
			return out, fmt.Errorf("requesting a new repo of %s: %w", s.Name, err)
		}
		e.log.Debug("kojira: regenerating", "tag", s.Name, "task", id)
		out = append(out, id)
	}
	return out, nil
}

// expire is kojira's pruning of old repos.
func (e *Engine) expire(ctx context.Context) {
	life := e.opts.RepoLifetime
	if life < 0 {
		life = 0
	}
	dirs, err := e.host.ExpireRepos(ctx, life)
	if err != nil {
		e.log.Warn("expiring old repos", "err", err)
		return
	}
	for _, d := range dirs {
		_ = os.RemoveAll(d)
	}
}

// Start runs every task of the hub continuously (served mode) until ctx
// ends; Wait waits for the running tasks to stop after that.
func (e *Engine) Start(ctx context.Context) {
	e.served.Add(1)
	go func() {
		defer e.served.Done()
		if err := e.Serve(ctx); err != nil && ctx.Err() == nil {
			e.log.Error("task engine stopped", "err", err)
		}
	}()
}

// Wait waits for Start's loop to end (after its context ended).
func (e *Engine) Wait() { e.served.Wait() }

// Serve runs every task of the hub until ctx ends (the loop of Start).
func (e *Engine) Serve(ctx context.Context) error {
	e.startHeartbeat()
	defer e.stopHeartbeat()
	defer e.waitRunning()
	var lastRecover, lastExpire time.Time
	every := 10 * e.opts.Poll // kojira's and the recovery's period (2 s by default)
	for ctx.Err() == nil {
		ch := e.changes()
		if _, err := e.claimAll(ctx, nil); err != nil && ctx.Err() == nil {
			e.log.Warn("claiming tasks", "err", err)
		}
		if time.Since(lastRecover) > every {
			lastRecover = time.Now()
			if _, err := e.Recover(ctx); err != nil && ctx.Err() == nil {
				e.log.Warn("recovering tasks", "err", err)
			}
			if _, err := e.kojira(ctx, e.opts.RegenDelay); err != nil && ctx.Err() == nil {
				e.log.Warn("kojira", "err", err)
			}
		}
		if time.Since(lastExpire) > 3*every {
			lastExpire = time.Now()
			e.expire(ctx)
		}
		e.waitChange(ctx, ch, e.opts.Poll)
	}
	return nil
}

var (
	enginesMu sync.Mutex
	engines   = map[*hub.Hub]*Engine{}
)

// For returns the engine of h with default options, made on first use and
// kept for the hub's life in this process.
func For(ctx context.Context, h *hub.Hub) (*Engine, error) {
	enginesMu.Lock()
	defer enginesMu.Unlock()
	if e, ok := engines[h]; ok {
		return e, nil
	}
	e, err := New(ctx, h, Options{})
	if err != nil {
		return nil, err
	}
	engines[h] = e
	return e, nil
}

// RunUntilIdle runs the tasks ids of h to the end (every task of h when
// there are none) with h's engine (see Engine.RunUntilIdle): what an
// in-process command calls after creating tasks. It is a hub.TaskRunner:
// hub.Open(ctx, dir, hub.WithTaskRunner(engine.RunUntilIdle)).
func RunUntilIdle(ctx context.Context, h *hub.Hub, ids ...int) error {
	e, err := For(ctx, h)
	if err != nil {
		return err
	}
	return e.RunUntilIdle(ctx, ids...)
}

// StartServed starts the engine of a served hub (`osg-build hub serve`):
// every task runs continuously, with kojira's regeneration, until ctx ends
// or the returned stop function is called; stop waits for the running
// tasks to be stopped.
func StartServed(ctx context.Context, h *hub.Hub) (stop func(), err error) {
	e, err := For(ctx, h)
	if err != nil {
		return nil, err
	}
	sctx, cancel := context.WithCancel(ctx)
	e.Start(sctx)
	return func() { cancel(); e.Wait() }, nil
}
