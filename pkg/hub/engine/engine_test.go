package engine

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/osg-htc/osg-build-go/internal/runner"
	"github.com/osg-htc/osg-build-go/internal/testutil"
	"github.com/osg-htc/osg-build-go/pkg/hub"
	"github.com/osg-htc/osg-build-go/pkg/koji"
)

// testHub makes a hub with a small tag set: dest tag "dest" (package list
// holder), build tag "dest-build" (x86_64, dist .t1, inheriting dest), and
// the target "tgt".
func testHub(t *testing.T, pkgs ...string) *hub.Hub {
	t.Helper()
	ctx := context.Background()
	h, err := hub.Open(ctx, t.TempDir(), hub.WithLocalUser("tester"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	must(t, func() error { _, err := h.CreateTag(ctx, "dest", koji.CreateTagOpts{}); return err })
	must(t, func() error {
		_, err := h.CreateTag(ctx, "dest-build", koji.CreateTagOpts{Parent: koji.ByName("dest"), Arches: builderHostArch(),
			Extra: map[string]any{"rpm.macro.dist": ".t1"}})
		return err
	})
	must(t, func() error { return h.CreateBuildTarget(ctx, "tgt", koji.ByName("dest-build"), koji.ByName("dest")) })
	for _, p := range pkgs {
		must(t, func() error {
			return h.PackageListAdd(ctx, koji.ByName("dest"), koji.ByName(p), koji.PackageListAddOpts{Owner: koji.ByName("tester")})
		})
	}
	return h
}

func builderHostArch() string {
	out, err := exec.Command("uname", "-m").Output()
	if err != nil {
		return "x86_64"
	}
	return strings.TrimSpace(string(out))
}

func must(t *testing.T, f func() error) {
	t.Helper()
	if err := f(); err != nil {
		t.Fatal(err)
	}
}

type specOpts struct {
	name, version, release string
	buildRequires          []string
	noarch                 bool
	sleep                  int
	fail                   bool
	nodist                 bool // the SRPM is made without the dist macro
}

func specText(o specOpts) string {
	if o.release == "" {
		o.release = "1%{?dist}"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Name: %s\nVersion: %s\nRelease: %s\nSummary: test package %s\nLicense: MIT\n", o.name, o.version, o.release, o.name)
	if o.noarch {
		b.WriteString("BuildArch: noarch\n")
	}
	for _, r := range o.buildRequires {
		fmt.Fprintf(&b, "BuildRequires: %s\n", r)
	}
	fmt.Fprintf(&b, "\n%%description\ntest package %s\n\n%%install\nmkdir -p %%{buildroot}/usr/share/%s\necho %s > %%{buildroot}/usr/share/%s/version\n", o.name, o.name, o.version, o.name)
	if o.sleep > 0 {
		fmt.Fprintf(&b, "sleep %d\n", o.sleep)
	}
	if o.fail {
		b.WriteString("exit 1\n")
	}
	fmt.Fprintf(&b, "\n%%files\n/usr/share/%s\n\n%%changelog\n* Mon Jan 01 2024 Tester <t@example.org> - %s-1\n- test\n", o.name, o.version)
	return b.String()
}

// makeSRPM builds an SRPM of the spec and returns its path.
func makeSRPM(t *testing.T, o specOpts) string {
	t.Helper()
	dir := t.TempDir()
	spec := filepath.Join(dir, o.name+".spec")
	if err := os.WriteFile(spec, []byte(specText(o)), 0o644); err != nil {
		t.Fatal(err)
	}
	args := []string{"-bs", "--nodeps", "--define", "_topdir " + dir, "--define", "_srcrpmdir " + dir}
	if !o.nodist {
		args = append(args, "--define", "dist .t1")
	}
	_, err := runner.Run(context.Background(), runner.Cmd{Name: "rpmbuild", Args: append(args, spec)})
	if err != nil {
		t.Fatal(err)
	}
	m, _ := filepath.Glob(filepath.Join(dir, "*.src.rpm"))
	if len(m) != 1 {
		t.Fatalf("no SRPM in %s", dir)
	}
	return m[0]
}

// upload puts the SRPM under work/ as the CLI's upload does and returns
// the src of build().
func upload(t *testing.T, h *hub.Hub, srpm string) string {
	t.Helper()
	rel := filepath.Join("cli-build", fmt.Sprintf("%d", time.Now().UnixNano()), filepath.Base(srpm))
	dst := filepath.Join(h.TopDir(), "work", rel)
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(srpm)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return filepath.ToSlash(rel)
}

func newEngine(t *testing.T, h *hub.Hub, o Options) *Engine {
	t.Helper()
	if o.Poll == 0 {
		o.Poll = 50 * time.Millisecond
	}
	o.NoHostDeps = true
	e, err := New(context.Background(), h, o)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func build(t *testing.T, h *hub.Hub, e *Engine, o specOpts, req koji.BuildRequestOpts) (int, *koji.TaskInfo) {
	t.Helper()
	ctx := context.Background()
	src := upload(t, h, makeSRPM(t, o))
	id, err := h.Build(ctx, src, "tgt", req, koji.BuildOpts{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	if err := e.RunUntilIdle(ctx, id); err != nil {
		t.Fatal(err)
	}
	ti, err := h.GetTaskInfo(context.Background(), id, koji.GetTaskInfoOpts{Strict: true})
	if err != nil {
		t.Fatal(err)
	}
	return id, ti
}

func taskFault(t *testing.T, h *hub.Hub, id int) string {
	t.Helper()
	_, err := h.GetTaskResult(context.Background(), id, koji.GetTaskResultOpts{})
	if err == nil {
		return ""
	}
	return err.Error()
}

// repoquery lists the NEVRAs dnf sees in the latest repo of tag.
func repoquery(t *testing.T, h *hub.Hub, tag string) []string {
	t.Helper()
	dir := filepath.Join(h.TopDir(), "repos", tag, "latest", builderHostArch())
	res, err := runner.Run(context.Background(), runner.Cmd{Name: "dnf", Args: []string{"-q", "--disablerepo=*",
		"--repofrompath=hub,file://" + dir, "--enablerepo=hub", "--setopt=reposdir=/dev/null", "--setopt=cachedir=" + t.TempDir(),
		"--setopt=hub.gpgcheck=0", "repoquery", "--qf", "%{name}-%{version}-%{release}.%{arch}"}})
	if err != nil {
		t.Fatalf("dnf repoquery: %v", err)
	}
	var out []string
	for _, l := range strings.Split(strings.TrimSpace(string(res.Stdout)), "\n") {
		if l != "" {
			out = append(out, l)
		}
	}
	sort.Strings(out)
	return out
}

func TestBuildChainWithAutoRegen(t *testing.T) {
	testutil.RequireTool(t, "rpmbuild", "dnf")
	h := testHub(t, "pkga", "pkgb")
	e := newEngine(t, h, Options{})
	id, ti := build(t, h, e, specOpts{name: "pkga", version: "1.0", noarch: true}, koji.BuildRequestOpts{})
	if ti.State != koji.TaskClosed {
		t.Fatalf("build of pkga: task %d %s: %s", id, ti.State, taskFault(t, h, id))
	}
	id, ti = build(t, h, e, specOpts{name: "pkgb", version: "2.0", buildRequires: []string{"pkga >= 1.0"}}, koji.BuildRequestOpts{})
	if ti.State != koji.TaskClosed {
		t.Fatalf("build of pkgb: task %d %s: %s", id, ti.State, taskFault(t, h, id))
	}
	ctx := context.Background()
	b, err := h.GetBuild(ctx, koji.ByName("pkgb-2.0-1.t1"), koji.GetBuildOpts{})
	if err != nil || b == nil || b.State != koji.BuildComplete {
		t.Fatalf("pkgb build: %+v %v", b, err)
	}
	// the task tree: waitrepo? buildArch, tagBuild
	kids, err := h.GetTaskChildren(ctx, id, koji.GetTaskChildrenOpts{})
	if err != nil {
		t.Fatal(err)
	}
	var methods []string
	for _, k := range kids {
		methods = append(methods, k.Method)
		if k.State != koji.TaskClosed {
			t.Errorf("child %d %s is %s", k.ID, k.Method, k.State)
		}
	}
	if !strings.Contains(strings.Join(methods, " "), "buildArch") || !strings.Contains(strings.Join(methods, " "), "tagBuild") {
		t.Errorf("children: %v", methods)
	}
	// files in Koji's layout
	arch := builderHostArch()
	for _, p := range []string{
		"packages/pkgb/2.0/1.t1/src/pkgb-2.0-1.t1.src.rpm",
		"packages/pkgb/2.0/1.t1/" + arch + "/pkgb-2.0-1.t1." + arch + ".rpm",
		"packages/pkgb/2.0/1.t1/data/logs/" + arch + "/build.log",
		"packages/pkgb/2.0/1.t1/data/logs/" + arch + "/root.log",
		"packages/pkga/1.0/1.t1/noarch/pkga-1.0-1.t1.noarch.rpm",
	} {
		if _, err := os.Stat(filepath.Join(h.TopDir(), p)); err != nil {
			t.Errorf("missing %s", p)
		}
	}
	rpms, err := h.ListRPMs(ctx, koji.ListRPMsOpts{BuildID: koji.Ptr(b.ID)})
	if err != nil || len(rpms) != 2 {
		t.Fatalf("rpms of pkgb: %v %v", rpms, err)
	}
	for _, r := range rpms {
		if len(r.PayloadHash) != 32 {
			t.Errorf("payload hash of %s: %q", r.Name, r.PayloadHash)
		}
	}
	// buildArch result shape
	for _, k := range kids {
		if k.Method != "buildArch" {
			continue
		}
		res, err := h.GetTaskResult(ctx, k.ID, koji.GetTaskResultOpts{})
		if err != nil {
			t.Fatal(err)
		}
		m := res.(map[string]any)
		for _, key := range []string{"rpms", "srpms", "logs", "brootid"} {
			if _, ok := m[key]; !ok {
				t.Errorf("buildArch result has no %s: %v", key, m)
			}
		}
		out, err := h.ListTaskOutput(ctx, k.ID, koji.ListTaskOutputOpts{})
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, f := range out {
			names = append(names, f.Name)
		}
		for _, l := range []string{"build.log", "root.log", "mock_output.log", "state.log"} {
			if !contains(names, l) {
				t.Errorf("task output %v has no %s", names, l)
			}
		}
	}
	// the repo after the chain: dnf sees exactly the latest builds
	e.RunUntilIdle(ctx)
	got := repoquery(t, h, "dest-build")
	want := []string{"pkga-1.0-1.t1.noarch", "pkgb-2.0-1.t1." + arch}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("dnf sees %v, want %v", got, want)
	}
	// a newer pkga replaces the old one in the repo
	_, ti = build(t, h, e, specOpts{name: "pkga", version: "1.1", noarch: true}, koji.BuildRequestOpts{})
	if ti.State != koji.TaskClosed {
		t.Fatalf("pkga 1.1: %s", ti.State)
	}
	got = repoquery(t, h, "dest-build")
	want = []string{"pkga-1.1-1.t1.noarch", "pkgb-2.0-1.t1." + arch}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("dnf sees %v, want %v", got, want)
	}
	// the last regeneration reused pkgb's metadata from the previous repo
	last, err := h.GetRepo(ctx, koji.ByName("dest-build"), koji.GetRepoOpts{})
	if err != nil || last == nil || last.TaskID == nil {
		t.Fatalf("repo %+v %v", last, err)
	}
	crs, _ := h.GetTaskChildren(ctx, *last.TaskID, koji.GetTaskChildrenOpts{})
	if len(crs) != 1 || crs[0].Method != "createrepo" {
		t.Fatalf("children of newRepo %d: %+v", *last.TaskID, crs)
	}
	if b, _ := os.ReadFile(filepath.Join(h.TaskDir(int64(crs[0].ID)), "state.log")); !strings.Contains(string(b), "2 packages, 1 reused") {
		t.Errorf("createrepo state.log: %s", b)
	}
	// dnf installs from it into an installroot (pkgb needs nothing)
	root := t.TempDir()
	dir := filepath.Join(h.TopDir(), "repos", "dest-build", "latest", arch)
	if _, err := runner.Run(ctx, runner.Cmd{Name: "dnf", Args: []string{"-y", "-q", "--installroot=" + root, "--releasever=9",
		"--disablerepo=*", "--repofrompath=hub,file://" + dir, "--enablerepo=hub", "--setopt=reposdir=/dev/null",
		"--setopt=cachedir=" + t.TempDir(), "--setopt=hub.gpgcheck=0", "--nogpgcheck", "install", "pkga"}}); err != nil {
		t.Fatalf("dnf install: %v", err)
	}
	if b, err := os.ReadFile(filepath.Join(root, "usr/share/pkga/version")); err != nil || strings.TrimSpace(string(b)) != "1.1" {
		t.Errorf("installed pkga: %q %v", b, err)
	}
	// the old repos expired; repo states are consistent
	checkConsistent(t, h)
}

// checkConsistent checks the invariants after any run: no OPEN task
// without a live lease, no BUILDING build, every READY repo has repodata.
func checkConsistent(t *testing.T, h *hub.Hub) {
	t.Helper()
	db := h.Store().SQL()
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM task WHERE state IN (0, 1, 4)`).Scan(&n); err != nil || n != 0 {
		t.Errorf("%d unfinished tasks (%v)", n, err)
	}
	if err := db.QueryRow(`SELECT count(*) FROM build WHERE state = 0`).Scan(&n); err != nil || n != 0 {
		t.Errorf("%d BUILDING builds (%v)", n, err)
	}
	if err := db.QueryRow(`SELECT count(*) FROM task_lease`).Scan(&n); err != nil || n != 0 {
		t.Errorf("%d leases left (%v)", n, err)
	}
	if err := db.QueryRow(`SELECT count(*) FROM repo WHERE state = 0`).Scan(&n); err != nil || n != 0 {
		t.Errorf("%d INIT repos (%v)", n, err)
	}
	prows, err := db.Query(`SELECT r.id, t.name FROM repo r JOIN tag t ON t.id = r.tag_id WHERE r.state IN (3, 4)`)
	if err != nil {
		t.Fatal(err)
	}
	for prows.Next() {
		var id int64
		var tag string
		if err := prows.Scan(&id, &tag); err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(h.RepoDir(tag, id)); err == nil {
			t.Errorf("deleted or PROBLEM repo %d of %s still has its directory", id, tag)
		}
	}
	prows.Close()
	rows, err := db.Query(`SELECT r.id, t.name FROM repo r JOIN tag t ON t.id = r.tag_id WHERE r.state = 1`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var tag string
		if err := rows.Scan(&id, &tag); err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(filepath.Join(h.RepoDir(tag, id), builderHostArch(), "repodata", "repomd.xml")); err != nil {
			t.Errorf("READY repo %d of %s has no repodata: %v", id, tag, err)
		}
	}
}

func TestBuildFailsOnMissingRequirementWithoutRegen(t *testing.T) {
	testutil.RequireTool(t, "rpmbuild")
	h := testHub(t, "pkga", "pkgb")
	ctx := context.Background()
	if err := h.SetAutoRegen(ctx, false); err != nil {
		t.Fatal(err)
	}
	e := newEngine(t, h, Options{})
	// the first repo, by hand
	rid, err := h.NewRepo(ctx, koji.ByName("dest-build"), koji.NewRepoOpts{})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.RunUntilIdle(ctx, rid); err != nil {
		t.Fatal(err)
	}
	_, ti := build(t, h, e, specOpts{name: "pkga", version: "1.0", noarch: true}, koji.BuildRequestOpts{})
	if ti.State != koji.TaskClosed {
		t.Fatalf("pkga: %s", ti.State)
	}
	id, ti := build(t, h, e, specOpts{name: "pkgb", version: "2.0", buildRequires: []string{"pkga >= 1.0"}}, koji.BuildRequestOpts{})
	if ti.State != koji.TaskFailed {
		t.Fatalf("pkgb built without pkga in the repo: %s", ti.State)
	}
	msg := taskFault(t, h, id)
	if !strings.Contains(msg, "No matching package to install: 'pkga >= 1.0'") {
		t.Errorf("fault %q does not name the requirement", msg)
	}
	b, _ := h.GetBuild(ctx, koji.ByName("pkgb-2.0-1.t1"), koji.GetBuildOpts{})
	if b == nil || b.State != koji.BuildFailed {
		t.Errorf("pkgb build: %+v", b)
	}
	// root.log of the buildArch says it as mock does
	kids, _ := h.GetTaskChildren(ctx, id, koji.GetTaskChildrenOpts{})
	for _, k := range kids {
		if k.Method == "buildArch" {
			root, err := h.DownloadTaskOutput(ctx, k.ID, "root.log", koji.DownloadTaskOutputOpts{})
			if err != nil || !strings.Contains(string(root), "No matching package to install: 'pkga >= 1.0'") {
				t.Errorf("root.log: %q %v", root, err)
			}
		}
	}
	// regen, then the rebuild succeeds (the FAILED build is recycled)
	rid, err = h.NewRepo(ctx, koji.ByName("dest-build"), koji.NewRepoOpts{})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.RunUntilIdle(ctx, rid); err != nil {
		t.Fatal(err)
	}
	id, ti = build(t, h, e, specOpts{name: "pkgb", version: "2.0", buildRequires: []string{"pkga >= 1.0"}}, koji.BuildRequestOpts{})
	if ti.State != koji.TaskClosed {
		t.Fatalf("pkgb after regen: %s: %s", ti.State, taskFault(t, h, id))
	}
	checkConsistent(t, h)
}

func TestBuildFromGit(t *testing.T) {
	testutil.RequireTool(t, "rpmbuild", "git")
	h := testHub(t, "gitpkg")
	e := newEngine(t, h, Options{})
	repo := t.TempDir()
	pkgdir := filepath.Join(repo, "gitpkg", "osg")
	if err := os.MkdirAll(pkgdir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(pkgdir, "gitpkg.spec"), []byte(specText(specOpts{name: "gitpkg", version: "3.0", noarch: true})), 0o644); err != nil {
		t.Fatal(err)
	}
	git := func(args ...string) string {
		res, err := runner.Run(context.Background(), runner.Cmd{Name: "git", Args: args, Dir: repo,
			Env: []string{"GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.org", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.org"}})
		if err != nil {
			t.Fatal(err)
		}
		return strings.TrimSpace(string(res.Stdout))
	}
	git("init", "-q")
	git("add", ".")
	git("commit", "-q", "-m", "gitpkg 3.0")
	sha := git("rev-parse", "HEAD")
	ctx := context.Background()
	url := "git+file://" + repo + "?gitpkg#" + sha
	id, err := h.Build(ctx, url, "tgt", koji.BuildRequestOpts{}, koji.BuildOpts{})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.RunUntilIdle(ctx, id); err != nil {
		t.Fatal(err)
	}
	ti, _ := h.GetTaskInfo(ctx, id, koji.GetTaskInfoOpts{})
	if ti.State != koji.TaskClosed {
		t.Fatalf("git build: %s: %s", ti.State, taskFault(t, h, id))
	}
	b, err := h.GetBuild(ctx, koji.ByName("gitpkg-3.0-1.t1"), koji.GetBuildOpts{})
	if err != nil || b == nil || b.State != koji.BuildComplete {
		t.Fatalf("gitpkg build: %+v %v", b, err)
	}
	kids, _ := h.GetTaskChildren(ctx, id, koji.GetTaskChildrenOpts{})
	for _, k := range kids {
		if k.Method != "buildSRPMFromSCM" {
			continue
		}
		res, err := h.GetTaskResult(ctx, k.ID, koji.GetTaskResultOpts{})
		if err != nil {
			t.Fatal(err)
		}
		m := res.(map[string]any)
		if !strings.HasSuffix(m["srpm"].(string), "/gitpkg-3.0-1.t1.src.rpm") {
			t.Errorf("srpm result %v", m)
		}
		return
	}
	t.Errorf("no buildSRPMFromSCM child in %v", kids)
}

// TestCancelKillsTheBuilder cancels a running build by its task
// (cancelTask) and by its N-V-R (cancelBuild, as koji cancel NVR does).
func TestCancelKillsTheBuilder(t *testing.T) {
	testutil.RequireTool(t, "rpmbuild")
	for _, by := range []string{"task", "build"} {
		t.Run(by, func(t *testing.T) { testCancelKillsTheBuilder(t, by) })
	}
}

func testCancelKillsTheBuilder(t *testing.T, by string) {
	h := testHub(t, "slow")
	e := newEngine(t, h, Options{})
	ctx := context.Background()
	src := upload(t, h, makeSRPM(t, specOpts{name: "slow", version: "1", sleep: 60}))
	id, err := h.Build(ctx, src, "tgt", koji.BuildRequestOpts{}, koji.BuildOpts{})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	start := time.Now()
	go func() { done <- e.RunUntilIdle(ctx, id) }()
	// wait for the buildArch to run rpmbuild
	deadline := time.Now().Add(30 * time.Second)
	for {
		tasks, _ := h.ListTasks(ctx, koji.ListTasksOpts{Opts: &koji.TaskQuery{Method: "buildArch", State: []koji.TaskState{koji.TaskOpen}}})
		if len(tasks) == 1 {
			// the log is readable through the hub while the task runs
			b, _ := h.DownloadTaskOutput(ctx, tasks[0].ID, "build.log", koji.DownloadTaskOutputOpts{})
			if strings.Contains(string(b), "%install") {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("the buildArch never started")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if by == "task" {
		if err := h.CancelTask(ctx, id, koji.CancelTaskOpts{}); err != nil {
			t.Fatal(err)
		}
	} else {
		// by the build's N-V-R: the whole tree goes, from the top
		if ok, err := h.CancelBuild(ctx, koji.ByName("slow-1-1.t1"), koji.CancelBuildOpts{}); err != nil || !ok {
			t.Fatalf("cancelBuild = %v, %v", ok, err)
		}
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("RunUntilIdle did not return after cancelTask")
	}
	if d := time.Since(start); d > 30*time.Second {
		t.Errorf("took %v: the builder was not killed", d)
	}
	ti, _ := h.GetTaskInfo(ctx, id, koji.GetTaskInfoOpts{})
	if ti.State != koji.TaskCanceled {
		t.Errorf("build task %s", ti.State)
	}
	kids, _ := h.GetTaskChildren(ctx, id, koji.GetTaskChildrenOpts{})
	for _, k := range kids {
		if k.State != koji.TaskCanceled && k.State != koji.TaskClosed {
			t.Errorf("child %d %s: %s", k.ID, k.Method, k.State)
		}
	}
	b, _ := h.GetBuild(ctx, koji.ByName("slow-1-1.t1"), koji.GetBuildOpts{})
	if b == nil || b.State != koji.BuildCanceled {
		t.Errorf("build %+v", b)
	}
	// A build no longer BUILDING is not canceled again: false, or a fault
	// with strict.
	if ok, err := h.CancelBuild(ctx, koji.ByName("slow-1-1.t1"), koji.CancelBuildOpts{}); ok || err != nil {
		t.Errorf("second cancelBuild = %v, %v", ok, err)
	}
	if _, err := h.CancelBuild(ctx, koji.ByName("slow-1-1.t1"), koji.CancelBuildOpts{Strict: true}); err == nil {
		t.Error("strict cancelBuild of a canceled build did not fail")
	}
	if _, err := h.CancelBuild(ctx, koji.ByName("nosuch-1-1"), koji.CancelBuildOpts{}); err == nil || !strings.Contains(err.Error(), "No such build") {
		t.Errorf("cancelBuild of a missing build: %v", err)
	}
}

func TestUploadedSRPMRebuiltAndScratch(t *testing.T) {
	testutil.RequireTool(t, "rpmbuild")
	h := testHub(t, "nodist")
	e := newEngine(t, h, Options{})
	ctx := context.Background()
	// made without the dist tag: rebuildSRPM gives it the build tag's
	id, ti := build(t, h, e, specOpts{name: "nodist", version: "1", noarch: true, nodist: true}, koji.BuildRequestOpts{})
	if ti.State != koji.TaskClosed {
		t.Fatalf("%s: %s", ti.State, taskFault(t, h, id))
	}
	if b, _ := h.GetBuild(ctx, koji.ByName("nodist-1-1.t1"), koji.GetBuildOpts{}); b == nil || b.State != koji.BuildComplete {
		t.Fatalf("build nodist-1-1.t1: %+v", b)
	}
	// a scratch build: scratch/USER/task_ID, no build row, not tagged
	id, ti = build(t, h, e, specOpts{name: "nodist", version: "2", noarch: true}, koji.BuildRequestOpts{Scratch: true})
	if ti.State != koji.TaskClosed {
		t.Fatalf("scratch: %s: %s", ti.State, taskFault(t, h, id))
	}
	dir := filepath.Join(h.TopDir(), "scratch", "tester", fmt.Sprintf("task_%d", id))
	for _, f := range []string{"nodist-2-1.t1.noarch.rpm", "nodist-2-1.t1.src.rpm", "logs/noarch/build.log"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("scratch: %v", err)
		}
	}
	if b, _ := h.GetBuild(ctx, koji.ByName("nodist-2-1.t1"), koji.GetBuildOpts{}); b != nil {
		t.Errorf("scratch build has a build row: %+v", b)
	}
	checkConsistent(t, h)
}

// TestWaitRepoOption: with automatic regeneration off, a build with
// wait_repo waits for (and asks for) a repo made after the build tag's last
// change, so B sees A without a manual regeneration.
func TestWaitRepoOption(t *testing.T) {
	testutil.RequireTool(t, "rpmbuild")
	h := testHub(t, "pkga", "pkgb")
	ctx := context.Background()
	off := false
	e := newEngine(t, h, Options{AutoRegen: &off})
	_, ti := build(t, h, e, specOpts{name: "pkga", version: "1.0", noarch: true}, koji.BuildRequestOpts{})
	if ti.State != koji.TaskClosed {
		t.Fatalf("pkga: %s", ti.State)
	}
	id, ti := build(t, h, e, specOpts{name: "pkgb", version: "2.0", noarch: true, buildRequires: []string{"pkga"}}, koji.BuildRequestOpts{WaitRepo: true})
	if ti.State != koji.TaskClosed {
		t.Fatalf("pkgb with wait_repo: %s: %s", ti.State, taskFault(t, h, id))
	}
	kids, _ := h.GetTaskChildren(ctx, id, koji.GetTaskChildrenOpts{})
	if len(kids) == 0 || kids[0].Method != "waitrepo" {
		t.Errorf("first child %+v, want waitrepo", kids)
	} else if res, err := h.GetTaskResult(ctx, kids[0].ID, koji.GetTaskResultOpts{}); err != nil || res.(map[string]any)["state"] == nil {
		t.Errorf("waitrepo result %v %v", res, err)
	}
	checkConsistent(t, h)
}
