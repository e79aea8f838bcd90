package hubmirror

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/osg-htc/osg-build-go/pkg/hub"
	"github.com/osg-htc/osg-build-go/pkg/koji"
)

func openHub(t *testing.T, user string) *hub.Hub {
	t.Helper()
	h, err := hub.Open(context.Background(), t.TempDir(), hub.WithLocalUser(user))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	return h
}

// remoteHub is an in-process hub with a target t (build tag t-build
// inheriting base) and the testdata RPMs of osgtest-noarch imported and
// tagged into base, owned by packager.
func remoteHub(t *testing.T) *hub.Hub {
	t.Helper()
	ctx := context.Background()
	a := openHub(t, "kojiadmin")
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	_, err := a.CreateUser(ctx, "packager", koji.CreateUserOpts{})
	must(err)
	_, err = a.CreateTag(ctx, "base", koji.CreateTagOpts{Arches: "x86_64", Extra: map[string]any{"rpm.macro.dist": ".osg"}})
	must(err)
	_, err = a.CreateTag(ctx, "t-build", koji.CreateTagOpts{Parent: koji.ByName("base"), Arches: "x86_64"})
	must(err)
	must(a.CreateBuildTarget(ctx, "t", koji.ByName("t-build"), koji.ByName("base")))
	must(a.PackageListAdd(ctx, koji.ByName("base"), koji.ByName("osgtest-noarch"), koji.PackageListAddOpts{Owner: koji.ByName("packager")}))
	_, err = a.CreateEmptyBuild(ctx, "osgtest-noarch", "0.5", "1", nil, koji.CreateEmptyBuildOpts{Owner: koji.ByName("packager")})
	must(err)
	for _, f := range []string{"osgtest-noarch-0.5-1.src.rpm", "osgtest-noarch-0.5-1.noarch.rpm"} {
		fh, err := os.Open(filepath.Join("../../testdata/rpms", f))
		must(err)
		st, _ := fh.Stat()
		must(a.Upload(ctx, "imp", f, fh, st.Size(), koji.UploadOpts{Overwrite: true}))
		fh.Close()
		_, err = a.ImportRPM(ctx, "imp", f)
		must(err)
	}
	must(a.TagBuildBypass(ctx, koji.ByName("base"), koji.ByName("osgtest-noarch-0.5-1"), koji.TagBuildBypassOpts{}))
	return a
}

// topFetch reads a hub's topdir, as a served hub's /kojifiles would.
func topFetch(h *hub.Hub, fail string) Fetch {
	return func(ctx context.Context, rel string, w io.Writer) error {
		if fail != "" && strings.HasSuffix(rel, fail) {
			return errors.New("download " + rel + ": HTTP 500")
		}
		f, err := os.Open(filepath.Join(h.TopDir(), filepath.FromSlash(rel)))
		if err != nil {
			return err
		}
		defer f.Close()
		_, err = io.Copy(w, f)
		return err
	}
}

func TestRunInProcess(t *testing.T) {
	ctx := context.Background()
	a := remoteHub(t)
	b := openHub(t, "me")
	run := func(fail string, since bool) (*Summary, error) {
		dl := &Downloader{Fetch: topFetch(a, fail), Dir: filepath.Join(b.TopDir(), "work", "mirror-cache")}
		return Run(ctx, &Remote{Hub: a}, b, Options{Source: "remote-a", Args: []string{"t"}, Downloader: dl, NoRepos: true, SinceLast: since})
	}
	sum, err := run("", false)
	if err != nil {
		t.Fatal(err)
	}
	// 3 reads and the listRPMs (the command's Ping is not Run's)
	if sum.Imported != 1 || sum.Downloaded != 2 || sum.Requests != 4 {
		t.Errorf("imported %d, downloaded %d, %d requests; want 1, 2, 4", sum.Imported, sum.Downloaded, sum.Requests)
	}
	bld, err := b.GetBuild(ctx, koji.ByName("osgtest-noarch-0.5-1"), koji.GetBuildOpts{Strict: true})
	if err != nil {
		t.Fatal(err)
	}
	if bld.OwnerName != "packager" || bld.State != koji.BuildComplete {
		t.Errorf("build %+v: want the remote owner, COMPLETE", bld)
	}
	rpms, _ := b.ListRPMs(ctx, koji.ListRPMsOpts{BuildID: &bld.ID})
	if len(rpms) != 2 {
		t.Errorf("%d RPMs, want 2", len(rpms))
	}
	lt, err := b.ListTagged(ctx, koji.ByName("t-build"), koji.ListTaggedOpts{Inherit: true, Latest: koji.LatestOne})
	if err != nil || len(lt) != 1 || lt[0].TagName != "base" {
		t.Errorf("latest in t-build: %+v %v", lt, err)
	}
	bt, _ := b.GetTag(ctx, koji.ByName("base"), koji.GetTagOpts{})
	if bt == nil || bt.Extra["rpm.macro.dist"] != ".osg" || bt.Extra[ExtraSource] != "remote-a" || bt.Extra[ExtraEvent] == nil {
		t.Errorf("base %+v", bt)
	}
	loc, _ := b.GetBuildTarget(ctx, koji.ByName("t-local"), koji.GetBuildTargetOpts{})
	if loc == nil || loc.BuildTagName != "t-local" || loc.DestTagName != "t-local" {
		t.Errorf("local target %+v", loc)
	}
	parents, _ := b.GetInheritanceData(ctx, koji.ByName("t-local"), koji.EventOpts{})
	if len(parents) != 1 || parents[0].Name != "t-build" {
		t.Errorf("t-local's parents %+v", parents)
	}
	if left, _ := filepath.Glob(filepath.Join(b.TopDir(), "work", "mirror-cache", "packages", "*", "*", "*", "*", "*")); len(left) != 0 {
		t.Errorf("staged files left after the import: %v", left)
	}

	// a second build on the remote whose binary RPM cannot be fetched: not
	// imported at all, the run fails naming it, the event is not recorded
	before := bt.Extra[ExtraEvent]
	if _, err := a.CreateEmptyBuild(ctx, "osgtest-noarch", "0.5", "2", nil, koji.CreateEmptyBuildOpts{}); err != nil {
		t.Fatal(err)
	}
	// (its RPMs are the 0.5-1 files under the new build's N-V-R: listRPMs
	// answers rows; only the noarch one fails to download)
	if err := a.TagBuildBypass(ctx, koji.ByName("base"), koji.ByName("osgtest-noarch-0.5-2"), koji.TagBuildBypassOpts{}); err != nil {
		t.Fatal(err)
	}
	sum, err = run("", true)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Imported != 1 || sum.Untagged != 0 {
		t.Errorf("since-last: imported %d, untagged %d; want 1, 0 (the new latest in, the old one still tagged there)", sum.Imported, sum.Untagged)
	}
	if bt, _ = b.GetTag(ctx, koji.ByName("base"), koji.GetTagOpts{}); bt.Extra[ExtraEvent] == before {
		t.Errorf("mirror.event not moved: %v", bt.Extra)
	}
	if lt, _ = b.ListTagged(ctx, koji.ByName("t-build"), koji.ListTaggedOpts{Inherit: true, Latest: koji.LatestOne}); len(lt) != 1 || lt[0].NVR != "osgtest-noarch-0.5-2" {
		t.Errorf("latest in t-build: %+v", lt)
	}
	// the remote untags the old one: so does the next --since-last
	if err := a.UntagBuild(ctx, koji.ByName("base"), koji.ByName("osgtest-noarch-0.5-1"), koji.UntagBuildOpts{}); err != nil {
		t.Fatal(err)
	}
	if sum, err = run("", true); err != nil || sum.Untagged != 1 || sum.Imported != 0 {
		t.Errorf("since-last after an untag: %+v %v", sum, err)
	}
}

func TestRunAllOrNothing(t *testing.T) {
	ctx := context.Background()
	a := remoteHub(t)
	b := openHub(t, "me")
	dl := &Downloader{Fetch: topFetch(a, ".noarch.rpm"), Dir: filepath.Join(b.TopDir(), "work", "mirror-cache")}
	sum, err := Run(ctx, &Remote{Hub: a}, b, Options{Source: "remote-a", Args: []string{"t"}, Downloader: dl, NoRepos: true})
	if err == nil || !strings.Contains(err.Error(), "osgtest-noarch-0.5-1") || !strings.Contains(err.Error(), "HTTP 500") {
		t.Fatalf("err %v: want the build and the download named", err)
	}
	if sum == nil || sum.Imported != 0 || len(sum.Failed) != 1 {
		t.Errorf("summary %+v", sum)
	}
	if bld, _ := b.GetBuild(ctx, koji.ByName("osgtest-noarch-0.5-1"), koji.GetBuildOpts{}); bld != nil {
		t.Errorf("the build was made without its RPMs: %+v", bld)
	}
	// the tags are there, but not marked: the next run redoes it all
	bt, _ := b.GetTag(ctx, koji.ByName("base"), koji.GetTagOpts{})
	if bt == nil || bt.Extra[ExtraEvent] != nil {
		t.Errorf("base %+v: want it made, without mirror.event", bt)
	}
	// the source RPM stays staged, and is reused
	dl2 := &Downloader{Fetch: topFetch(a, ""), Dir: dl.Dir}
	sum, err = Run(ctx, &Remote{Hub: a}, b, Options{Source: "remote-a", Args: []string{"t"}, Downloader: dl2, NoRepos: true})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Imported != 1 || sum.Reused != 1 || sum.Downloaded != 1 {
		t.Errorf("re-run: imported %d, reused %d, downloaded %d; want 1, 1, 1", sum.Imported, sum.Reused, sum.Downloaded)
	}
}

// TestRunLocalSameNVR: a build of the remote's N-V-R made here (not the
// remote's) is tagged as it is, with a warning naming it.
func TestRunLocalSameNVR(t *testing.T) {
	ctx := context.Background()
	a := remoteHub(t)
	b := openHub(t, "me")
	if _, err := b.CreateEmptyBuild(ctx, "osgtest-noarch", "0.5", "1", nil, koji.CreateEmptyBuildOpts{}); err != nil {
		t.Fatal(err)
	}
	var log []string
	dl := &Downloader{Fetch: topFetch(a, ""), Dir: filepath.Join(b.TopDir(), "work", "mirror-cache")}
	sum, err := Run(ctx, &Remote{Hub: a}, b, Options{Source: "remote-a", Args: []string{"t"}, Downloader: dl, NoRepos: true,
		Logf: func(f string, args ...any) { log = append(log, fmt.Sprintf(f, args...)) }})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Imported != 0 || sum.Tagged != 1 || sum.Downloaded != 0 {
		t.Errorf("imported %d, tagged %d, downloaded %d; want 0, 1, 0", sum.Imported, sum.Tagged, sum.Downloaded)
	}
	if !strings.Contains(strings.Join(log, "\n"), "warning: osgtest-noarch-0.5-1 exists here with other RPMs than the remote's") {
		t.Errorf("log %q: want the warning", log)
	}
}

// TestRunRPMsModes: --rpms none mirrors the configuration only; --rpms all
// every tagged build, in tagging order (the latest stays the latest).
func TestRunRPMsModes(t *testing.T) {
	ctx := context.Background()
	a := remoteHub(t)
	if _, err := a.CreateEmptyBuild(ctx, "osgtest-noarch", "0.4", "1", nil, koji.CreateEmptyBuildOpts{}); err != nil {
		t.Fatal(err)
	}
	// 0.4-1 tagged after 0.5-1: the latest by tagging
	if err := a.TagBuildBypass(ctx, koji.ByName("base"), koji.ByName("osgtest-noarch-0.4-1"), koji.TagBuildBypassOpts{}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		mode     string
		imported int
	}{{RPMsNone, 0}, {RPMsLatest, 1}, {RPMsAll, 2}} {
		b := openHub(t, "me")
		dl := &Downloader{Fetch: topFetch(a, ""), Dir: filepath.Join(b.TopDir(), "work", "mirror-cache")}
		sum, err := Run(ctx, &Remote{Hub: a}, b, Options{Source: "remote-a", Args: []string{"t"}, RPMs: tc.mode, Downloader: dl, NoRepos: true})
		if err != nil {
			t.Fatalf("%s: %v", tc.mode, err)
		}
		if sum.Imported != tc.imported {
			t.Errorf("--rpms %s: %d builds imported, want %d", tc.mode, sum.Imported, tc.imported)
		}
		if pk, _ := b.ListPackages(ctx, koji.ListPackagesOpts{TagID: koji.ByName("base")}); len(pk) != 1 || pk[0].OwnerName != "packager" {
			t.Errorf("--rpms %s: package list %+v", tc.mode, pk)
		}
		lt, _ := b.ListTagged(ctx, koji.ByName("t-build"), koji.ListTaggedOpts{Inherit: true, Latest: koji.LatestOne})
		if tc.imported > 0 && (len(lt) != 1 || lt[0].NVR != "osgtest-noarch-0.4-1") {
			t.Errorf("--rpms %s: latest %+v, want 0.4-1 (the remote's latest tagging)", tc.mode, lt)
		}
	}
}

// TestRunLockedTag: a locked remote tag is locked here, and later mirrors
// still change it (the local user is the hub's admin).
func TestRunLockedTag(t *testing.T) {
	ctx := context.Background()
	a := remoteHub(t)
	if err := a.EditTag2(ctx, koji.ByName("base"), koji.EditTagOpts{Locked: koji.Ptr(true)}); err != nil {
		t.Fatal(err)
	}
	b := openHub(t, "me")
	run := func(since bool) *Summary {
		t.Helper()
		dl := &Downloader{Fetch: topFetch(a, ""), Dir: filepath.Join(b.TopDir(), "work", "mirror-cache")}
		sum, err := Run(ctx, &Remote{Hub: a}, b, Options{Source: "remote-a", Args: []string{"t"}, Downloader: dl, NoRepos: true, SinceLast: since})
		if err != nil {
			t.Fatal(err)
		}
		return sum
	}
	run(false)
	if bt, _ := b.GetTag(ctx, koji.ByName("base"), koji.GetTagOpts{}); bt == nil || !bt.Locked {
		t.Fatalf("base %+v: want it locked", bt)
	}
	if _, err := a.CreateEmptyBuild(ctx, "osgtest-noarch", "0.6", "1", nil, koji.CreateEmptyBuildOpts{}); err != nil {
		t.Fatal(err)
	}
	if err := a.TagBuildBypass(ctx, koji.ByName("base"), koji.ByName("osgtest-noarch-0.6-1"), koji.TagBuildBypassOpts{}); err != nil {
		t.Fatal(err)
	}
	if err := a.UntagBuild(ctx, koji.ByName("base"), koji.ByName("osgtest-noarch-0.5-1"), koji.UntagBuildOpts{Force: true}); err != nil {
		t.Fatal(err)
	}
	if sum := run(true); sum.Imported != 1 || sum.Untagged != 1 {
		t.Errorf("into the locked tag: imported %d, untagged %d; want 1, 1", sum.Imported, sum.Untagged)
	}
	if bt, _ := b.GetTag(ctx, koji.ByName("base"), koji.GetTagOpts{}); bt == nil || !bt.Locked {
		t.Errorf("base %+v: want it still locked", bt)
	}
}

// TestRunAfterKill: what a run killed with SIGKILL after an import's commit
// leaves (its staged files, its links in work/mirror-import, a partial
// download, no marks) is cleaned up by the next run, which completes.
func TestRunAfterKill(t *testing.T) {
	ctx := context.Background()
	a := remoteHub(t)
	b := openHub(t, "me")
	cache := filepath.Join(b.TopDir(), "work", "mirror-cache")
	run := func() *Summary {
		t.Helper()
		dl := &Downloader{Fetch: topFetch(a, ""), Dir: cache}
		sum, err := Run(ctx, &Remote{Hub: a}, b, Options{Source: "remote-a", Args: []string{"t"}, Downloader: dl, NoRepos: true})
		if err != nil {
			t.Fatal(err)
		}
		return sum
	}
	run()
	// the state of a run killed after the import of osgtest-noarch-0.5-1
	// committed: its files still staged and linked, a .part, no marks
	stagedDir := filepath.Join(cache, "packages", "osgtest-noarch", "0.5", "1")
	stale := filepath.Join(b.TopDir(), "work", "mirror-import", "999999999-osgtest-noarch-0.5-1")
	for _, d := range []string{filepath.Join(stagedDir, "noarch"), filepath.Join(stagedDir, "src"), stale} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range []string{"osgtest-noarch-0.5-1.noarch.rpm", "osgtest-noarch-0.5-1.src.rpm"} {
		data, err := os.ReadFile(filepath.Join("../../testdata/rpms", f))
		if err != nil {
			t.Fatal(err)
		}
		arch := strings.Split(f, ".")[len(strings.Split(f, "."))-2]
		p := filepath.Join(stagedDir, arch, f)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Link(p, filepath.Join(stale, f)); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(stagedDir, "noarch", "osgtest-noarch-0.5-1.noarch.rpm.part"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	// a live process's import directory is left alone
	live := filepath.Join(b.TopDir(), "work", "mirror-import", fmt.Sprintf("%d-other-1-1", os.Getppid()))
	if err := os.MkdirAll(live, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, tag := range []string{"base", "t-build"} {
		if err := b.EditTag2(ctx, koji.ByName(tag), koji.EditTagOpts{RemoveExtra: []string{ExtraEvent, ExtraSource}}); err != nil {
			t.Fatal(err)
		}
	}
	// a second remote build, so the next run imports
	if _, err := a.CreateEmptyBuild(ctx, "osgtest-noarch", "0.5", "2", nil, koji.CreateEmptyBuildOpts{}); err != nil {
		t.Fatal(err)
	}
	if err := a.TagBuildBypass(ctx, koji.ByName("t-build"), koji.ByName("osgtest-noarch-0.5-2"), koji.TagBuildBypassOpts{}); err != nil {
		t.Fatal(err)
	}
	if sum := run(); sum.Imported != 1 || len(sum.Plan.Mark) != 2 {
		t.Errorf("imported %d, marks %v; want 1, both tags", sum.Imported, sum.Plan.Mark)
	}
	if bt, _ := b.GetTag(ctx, koji.ByName("base"), koji.GetTagOpts{}); bt.Extra[ExtraEvent] == nil {
		t.Errorf("base not marked: %v", bt.Extra)
	}
	for _, p := range []string{stale, filepath.Join(cache, "packages", "osgtest-noarch", "0.5")} {
		if _, err := os.Stat(p); err == nil {
			t.Errorf("%s left behind", p)
		}
	}
	if _, err := os.Stat(live); err != nil {
		t.Errorf("a live process's import directory was removed: %v", err)
	}
}

// goneHub is a remote that stops answering after its first n requests.
type goneHub struct {
	koji.Hub
	n int
}

func (g *goneHub) MultiCall(ctx context.Context, calls []koji.Call, o koji.MultiCallOpts) ([]koji.CallResult, error) {
	if g.n <= 0 {
		return nil, errors.New(`Post "https://koji.example/kojihub": dial tcp 127.0.0.1:4443: connect: connection refused`)
	}
	g.n--
	return g.Hub.MultiCall(ctx, calls, o)
}

// TestRunRemoteGone: the remote goes away after the metadata was read
// (before the RPMs' list): the run fails saying it was reading the remote,
// the configuration is here but nothing is marked mirrored and no build is
// made; with the remote back the re-run completes.
func TestRunRemoteGone(t *testing.T) {
	ctx := context.Background()
	a := remoteHub(t)
	b := openHub(t, "me")
	g := &goneHub{Hub: a, n: 3}
	dl := &Downloader{Fetch: topFetch(a, ""), Dir: filepath.Join(b.TopDir(), "work", "mirror-cache")}
	_, err := Run(ctx, &Remote{Hub: g}, b, Options{Source: "remote-a", Args: []string{"t"}, Downloader: dl, NoRepos: true})
	if err == nil || !strings.Contains(err.Error(), "reading the remote hub") || !strings.Contains(err.Error(), "connection refused") {
		t.Fatalf("err %v: want the remote read named", err)
	}
	bt, _ := b.GetTag(ctx, koji.ByName("base"), koji.GetTagOpts{})
	if bt == nil || bt.Extra[ExtraEvent] != nil {
		t.Errorf("base %+v: want it made, not marked", bt)
	}
	if bld, _ := b.GetBuild(ctx, koji.ByName("osgtest-noarch-0.5-1"), koji.GetBuildOpts{}); bld != nil {
		t.Errorf("a build was made: %+v", bld)
	}
	g.n = 100
	sum, err := Run(ctx, &Remote{Hub: g}, b, Options{Source: "remote-a", Args: []string{"t"}, Downloader: dl, NoRepos: true})
	if err != nil || sum.Imported != 1 || len(sum.Plan.Mark) != 2 {
		t.Fatalf("re-run: %+v %v", sum, err)
	}
	if bt, _ = b.GetTag(ctx, koji.ByName("base"), koji.GetTagOpts{}); bt.Extra[ExtraEvent] == nil {
		t.Errorf("base not marked after the re-run: %v", bt.Extra)
	}
}
