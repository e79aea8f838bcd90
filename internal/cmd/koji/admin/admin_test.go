package admin

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/osg-htc/osg-build-go/internal/cmd/koji/shared/kojicmdtest"
	"github.com/osg-htc/osg-build-go/pkg/koji"
)

func run(t *testing.T, e *kojicmdtest.Env, args ...string) error {
	t.Helper()
	e.Reset()
	root := &cobra.Command{Use: "osg-koji", SilenceErrors: true, SilenceUsage: true}
	root.AddCommand(NewCmds(e.Factory())...)
	return kojicmdtest.Exec(root, args...)
}

func TestAdminVerbs(t *testing.T) {
	e := kojicmdtest.New(t)
	ctx := context.Background()
	e.Tag(t, "a", "", "x86_64")
	e.Tag(t, "b", "", "x86_64")
	e.Tag(t, "noarch-tag", "", "")
	e.Build(t, "a", "foo", "1", "1")
	e.TagBuild(t, "a", "foo-1-1")
	e.Build(t, "a", "foo", "2", "1")
	if _, err := e.Hub.CreateEmptyBuild(ctx, "bar", "1", "1", nil, koji.CreateEmptyBuildOpts{}); err != nil {
		t.Fatal(err)
	}
	kojicmdtest.Must(t, e.Hub.CreateBuildTarget(ctx, "t", koji.ByName("a"), koji.ByName("b")))

	// list-untagged: sorted N-V-Rs, --paths, a package filter, an unknown package
	kojicmdtest.Must(t, run(t, e, "list-untagged"))
	if got := e.Out.String(); got != "bar-1-1\nfoo-2-1\n" {
		t.Errorf("list-untagged = %q", got)
	}
	kojicmdtest.Must(t, run(t, e, "list-untagged", "--paths", "foo"))
	if got := e.Out.String(); !strings.HasSuffix(got, "/packages/foo/2/1\n") || strings.Contains(got, "bar") {
		t.Errorf("list-untagged --paths foo = %q", got)
	}
	if err := run(t, e, "list-untagged", "nope"); err == nil || !strings.Contains(err.Error(), "no such package: nope") {
		t.Errorf("unknown package: %v", err)
	}

	// search
	kojicmdtest.Must(t, run(t, e, "search", "build", "FOO-*"))
	if got := e.Out.String(); got != "foo-1-1\nfoo-2-1\n" {
		t.Errorf("search glob = %q", got)
	}
	kojicmdtest.Must(t, run(t, e, "search", "-r", "tag", "^[ab]$"))
	if got := e.Out.String(); got != "a\nb\n" {
		t.Errorf("search regex = %q", got)
	}
	kojicmdtest.Must(t, run(t, e, "search", "--exact", "--json", "target", "t"))
	if got := e.Out.String(); !strings.Contains(got, `"name": "t"`) {
		t.Errorf("search --json = %q", got)
	}
	if err := run(t, e, "search", "nosuch", "x"); err == nil || !strings.Contains(err.Error(), "no such search type: nosuch") {
		t.Errorf("bad type: %v", err)
	}

	// edit-target, remove-target
	if err := run(t, e, "edit-target", "t", "--build-tag", "noarch-tag"); err == nil || !strings.Contains(err.Error(), "build tag has no arches") {
		t.Errorf("edit-target to a tag without arches: %v", err)
	}
	kojicmdtest.Must(t, run(t, e, "edit-target", "t", "--rename", "t2", "--dest-tag", "a"))
	bt, err := e.Hub.GetBuildTarget(ctx, koji.ByName("t2"), koji.GetBuildTargetOpts{})
	if err != nil || bt == nil || bt.DestTagName != "a" || bt.BuildTagName != "a" {
		t.Fatalf("edited target = %+v, %v", bt, err)
	}
	kojicmdtest.Must(t, run(t, e, "remove-target", "t2"))
	if err := run(t, e, "remove-target", "t2"); err == nil || !strings.Contains(err.Error(), "no such build target: t2") {
		t.Errorf("removing twice: %v", err)
	}

	// move-build: waits for the task, then the build is in b and not in a
	kojicmdtest.Must(t, e.Hub.PackageListAdd(ctx, koji.ByName("b"), koji.ByName("foo"), koji.PackageListAddOpts{Owner: koji.ByName(kojicmdtest.User)}))
	kojicmdtest.Must(t, run(t, e, "move-build", "a", "b", "foo-1-1", "nope-1-1"))
	if got := e.Out.String(); !strings.Contains(got, "No such build: nope-1-1, skipping.\n") || !strings.Contains(got, ", moving foo-1-1\n") {
		t.Errorf("move-build = %q", got)
	}
	if tb, _ := e.Hub.ListTagged(ctx, koji.ByName("b"), koji.ListTaggedOpts{}); len(tb) != 1 {
		t.Errorf("b after move-build = %v", tb)
	}

	// remove-external-repo
	if _, err := e.Hub.CreateExternalRepo(ctx, "epel", "https://example.invalid/$arch/"); err != nil {
		t.Fatal(err)
	}
	kojicmdtest.Must(t, e.Hub.AddExternalRepoToTag(ctx, koji.ByName("a"), koji.ByName("epel"), 5, koji.AddExternalRepoToTagOpts{}))
	kojicmdtest.Must(t, e.Hub.AddExternalRepoToTag(ctx, koji.ByName("b"), koji.ByName("epel"), 5, koji.AddExternalRepoToTagOpts{}))
	if err := run(t, e, "remove-external-repo", "epel"); err == nil || !strings.Contains(err.Error(), "external repo epel is used by tag(s): a, b: use --force") {
		t.Errorf("no tags: %v", err)
	}
	kojicmdtest.Must(t, run(t, e, "remove-external-repo", "epel", "a"))
	if got := e.ErrOut.String(); got != "Removed external repo epel from tag a\n" {
		t.Errorf("remove-external-repo = %q", got)
	}
	kojicmdtest.Must(t, run(t, e, "remove-external-repo", "--alltags", "epel"))
	if l, _ := e.Hub.GetTagExternalRepos(ctx, koji.GetTagExternalReposOpts{}); len(l) != 0 {
		t.Errorf("left: %v", l)
	}
	// no tags: the repo is deleted (--force when tags use it)
	kojicmdtest.Must(t, e.Hub.AddExternalRepoToTag(ctx, koji.ByName("a"), koji.ByName("epel"), 5, koji.AddExternalRepoToTagOpts{}))
	kojicmdtest.Must(t, run(t, e, "remove-external-repo", "--force", "epel"))
	if l, _ := e.Hub.ListExternalRepos(ctx, koji.ListExternalReposOpts{}); len(l) != 0 {
		t.Errorf("after delete: %v", l)
	}

	// revoke-permission
	if _, err := e.Hub.CreateUser(ctx, "packager", koji.CreateUserOpts{}); err != nil {
		t.Fatal(err)
	}
	kojicmdtest.Must(t, e.Hub.GrantPermission(ctx, koji.ByName("packager"), "build", koji.GrantPermissionOpts{Create: true}))
	if perms, _ := e.Hub.GetUserPermsInheritance(ctx, koji.ByName("packager")); perms["build"] == nil {
		t.Fatalf("the grant did not take: %v", perms)
	}
	if err := run(t, e, "revoke-permission", "build", "nobody"); err == nil || !strings.Contains(err.Error(), "no such user: nobody") {
		t.Errorf("unknown user: %v", err)
	}
	kojicmdtest.Must(t, run(t, e, "revoke-permission", "build", "packager"))
	if perms, _ := e.Hub.GetUserPermsInheritance(ctx, koji.ByName("packager")); perms["build"] != nil {
		t.Errorf("packager still has build: %v", perms)
	}

	// clone-tag
	if err := run(t, e, "clone-tag", "--builds", "a", "c"); err == nil || !strings.Contains(err.Error(), "--builds can't be used without") {
		t.Errorf("--builds alone: %v", err)
	}
	kojicmdtest.Must(t, run(t, e, "clone-tag", "--all", "b", "b-copy"))
	if tb, _ := e.Hub.ListTagged(ctx, koji.ByName("b-copy"), koji.ListTaggedOpts{}); len(tb) != 1 || tb[0].NVR != "foo-1-1" {
		t.Errorf("b-copy builds = %v", tb)
	}
	if tg, _ := e.Hub.GetTag(ctx, koji.ByName("b-copy"), koji.GetTagOpts{}); tg == nil || tg.Arches == nil || *tg.Arches != "x86_64" {
		t.Errorf("b-copy config = %+v", tg)
	}
	// into an existing tag: made to match (foo-1-1 untagged from a, as b
	// lacks it), or only added to with --no-delete
	e.TagBuild(t, "a", "foo-1-1")
	kojicmdtest.Must(t, run(t, e, "clone-tag", "--pkgs", "--builds", "--no-delete", "b", "a"))
	if tb, _ := e.Hub.ListTagged(ctx, koji.ByName("a"), koji.ListTaggedOpts{}); len(tb) != 1 || tb[0].NVR != "foo-1-1" {
		t.Errorf("a after --no-delete = %v", tb)
	}
	kojicmdtest.Must(t, run(t, e, "clone-tag", "--all", "b-copy", "a"))
	if !strings.Contains(e.ErrOut.String(), "Updated a from b-copy") {
		t.Errorf("status: %s", e.ErrOut)
	}

	// list-api
	kojicmdtest.Must(t, run(t, e, "list-api", "getBuild"))
	if got := e.Out.String(); !strings.HasPrefix(got, "getBuild(buildInfo, strict=False") {
		t.Errorf("list-api getBuild = %q", got)
	}
	if err := run(t, e, "list-api", "noSuchCall"); err == nil || !strings.Contains(err.Error(), "unknown method: noSuchCall") {
		t.Errorf("unknown method: %v", err)
	}

	// remove-tag
	kojicmdtest.Must(t, run(t, e, "remove-tag", "b"))
	if tg, _ := e.Hub.GetTag(ctx, koji.ByName("b"), koji.GetTagOpts{}); tg != nil {
		t.Errorf("b after remove-tag = %+v", tg)
	}
	if err := run(t, e, "remove-tag", "b"); err == nil || !strings.Contains(err.Error(), "no such tag: b") {
		t.Errorf("removing twice: %v", err)
	}
}

func TestRPMInfo(t *testing.T) {
	e := kojicmdtest.New(t)
	ctx := context.Background()
	f, err := os.Open("../../../../testdata/rpms/osgtest-noarch-0.5-1.noarch.rpm")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st, _ := f.Stat()
	kojicmdtest.Must(t, e.Hub.Upload(ctx, "cli-import/r", "osgtest-noarch-0.5-1.noarch.rpm", f, st.Size(), koji.UploadOpts{}))
	if _, err := e.Hub.CreateEmptyBuild(ctx, "osgtest-noarch", "0.5", "1", nil, koji.CreateEmptyBuildOpts{}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Hub.ImportRPM(ctx, "cli-import/r", "osgtest-noarch-0.5-1.noarch.rpm"); err != nil {
		t.Fatal(err)
	}
	kojicmdtest.Must(t, run(t, e, "rpminfo", "osgtest-noarch-0.5-1.noarch"))
	got := e.Out.String()
	for _, want := range []string{"RPM: osgtest-noarch-0.5-1.noarch [1]\nBuild: osgtest-noarch-0.5-1 [1]\nRPM Path: ",
		"/packages/osgtest-noarch/0.5/1/noarch/osgtest-noarch-0.5-1.noarch.rpm\nSRPM: (none)\nSRPM Path: (none)\nBuilt: ",
		"\nSize: 6394\nLicense: MIT\nBuild ID: 1\nNo buildroot data available\n"} {
		if !strings.Contains(got, want) {
			t.Errorf("rpminfo output lacks %q:\n%s", want, got)
		}
	}
	if err := run(t, e, "rpminfo", "nope-1-1.noarch"); err == nil || e.ErrOut.String() != "No such rpm: nope-1-1.noarch\n" {
		t.Errorf("missing rpm: %v, %q", err, e.ErrOut)
	}
}
