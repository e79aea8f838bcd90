package hub_test

import (
	"context"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/osg-htc/osg-build-go/internal/testutil"
)

// The koji 1.35 CLI's write commands and the reads that need data the
// read fixture lacks (an imported RPM, tasks, a buildroot), in one ordered
// scenario on the fixture hub, logged in with the fixture's certificate,
// the task engine running (automatic regeneration off). Recorded with
// -record-koji-cli into testdata/koji-cli/writes.json and replayed by
// TestKojiCLIWriteReplay.
//
// A command's arguments may hold {srpm} and {rpm} (the test RPMs of
// ../../testdata/rpms), {task} (the last task a command created), {build}
// (the task of build --scratch) and {buildroot} (the hub's newest
// buildroot): the recording runs the CLI with their values and records
// the command as written here.
var kojiCLIWriteCommands = [][]string{
	{"add-tag", "--arches", "x86_64", "--parent", "osg-el9", "osgtest-a"},
	{"edit-tag", "--arches", "x86_64 aarch64", "-x", "mock.package_manager=dnf", "-x", "rpm.macro.dist=.osgtest", "osgtest-a"},
	{"add-pkg", "--owner", "tester", "osgtest-a", "foo", "bar"},
	{"block-pkg", "osgtest-a", "bar"},
	{"remove-pkg", "osgtest-a", "bar"},
	{"tag-build", "--wait", "osgtest-a", "foo-1.1-1.osg25.el9"},
	{"untag-build", "osgtest-a", "foo-1.1-1.osg25.el9"},
	{"tag-build", "--wait", "osgtest-a", "foo-1.0-1.osg25.el9"},
	{"add-tag", "osgtest-b"},
	{"add-pkg", "--owner", "tester", "osgtest-b", "foo"},
	{"move-build", "--wait", "osgtest-a", "osgtest-b", "foo-1.0-1.osg25.el9"},
	{"add-tag-inheritance", "--priority", "5", "osgtest-b", "osgtest-a"},
	{"edit-tag-inheritance", "--priority", "10", "--maxdepth", "1", "osgtest-b", "osgtest-a"},
	{"remove-tag-inheritance", "osgtest-b", "osgtest-a"},
	{"add-target", "osgtest-target", "osgtest-a", "osgtest-b"},
	{"edit-target", "--rename", "osgtest-target2", "--dest-tag", "osgtest-a", "osgtest-target"},
	{"remove-target", "osgtest-target2"},
	{"add-external-repo", "osgtest-ext", "https://mirror.invalid/osgtest/$arch/"},
	{"add-external-repo", "-t", "osgtest-a", "-p", "10", "osgtest-ext"},
	{"remove-external-repo", "osgtest-ext", "osgtest-a"},
	{"add-external-repo", "-t", "osgtest-a", "osgtest-ext"},
	{"remove-external-repo", "--force", "osgtest-ext"},
	{"add-user", "osgtest-user"},
	{"grant-permission", "--new", "osgtest-perm", "osgtest-user"},
	{"revoke-permission", "osgtest-perm", "osgtest-user"},
	{"clone-tag", "osgtest-a", "osgtest-c"},
	{"tag-build", "--wait", "osgtest-a", "foo-1.1-1.osg25.el9"},
	{"clone-tag", "--latest-only", "osgtest-a", "osgtest-c"},
	{"import", "{srpm}", "{rpm}"},
	{"rpminfo", "--buildroots", "osgtest-noarch-0.5-1.noarch"},
	{"list-untagged"},
	{"download-build", "osgtest-noarch-0.5-1"},
	{"search", "build", "foo-*"},
	{"search", "--regex", "tag", "^osgtest-"},
	{"search", "--exact", "package", "foo"},
	{"list-api", "getBuild"},
	{"regen-repo", "--wait", "osg-25-main-el9-build"},
	{"mock-config", "--target", "osg-25-main-el9", "--arch", "x86_64"},
	{"regen-repo", "--make-task", "--nowait", "osg-25-main-el9-build"},
	{"cancel", "{task}"},
	{"build", "--scratch", "--nowait", "osg-25-main-el9", "{srpm}"},
	{"watch-task", "{build}"},
	{"taskinfo", "-v", "{build}"},
	{"list-tasks", "--mine"},
	{"list-tasks", "--all", "--after", "2000-01-01"},
	{"list-buildroot", "-v", "{buildroot}"},
	{"download-task", "{build}"},
	{"download-logs", "-r", "{build}"},
	{"remove-tag", "osgtest-c"},
	{"remove-tag", "osgtest-b"},
}

const kojiCLIWritesFile = "writes.json"

// kojiCLIEngineOff are the commands the recording runs with the engine
// stopped (a task to cancel while it is still free).
var kojiCLIEngineOff = map[string]bool{
	"regen-repo --make-task --nowait osg-25-main-el9-build": true,
	"cancel {task}": true,
}

var createdTask = regexp.MustCompile(`Created task:? (\d+)`)

func recordKojiCLIWrites(t *testing.T, cli string) {
	h := kojiCLIFixture(t)
	eng := startServedEngine(t, h)
	r := newKojiCLIRecorder(t, h, cli)
	rpms, err := filepath.Abs("../../testdata/rpms")
	if err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{
		"{srpm}": filepath.Join(rpms, "osgtest-noarch-0.5-1.src.rpm"),
		"{rpm}":  filepath.Join(rpms, "osgtest-noarch-0.5-1.noarch.rpm"),
	}
	for _, c := range kojiCLIWriteCommands {
		name := strings.Join(c, " ")
		if kojiCLIEngineOff[name] {
			eng.stop()
		} else if eng.cancel == nil {
			eng.start()
		}
		args := make([]string, len(c))
		for i, a := range c {
			if a == "{buildroot}" && vars[a] == "" {
				vars[a] = newestBuildroot(t, h)
			}
			if v, ok := vars[a]; ok {
				a = v
			} else if strings.HasPrefix(a, "{") {
				t.Fatalf("koji %s: no value for %s", name, a)
			}
			args[i] = a
		}
		out := r.run(c, "", args...)
		if m := createdTask.FindStringSubmatch(out); m != nil {
			vars["{task}"] = m[1]
			if c[0] == "build" {
				vars["{build}"] = m[1]
			}
		}
		if eng.cancel != nil {
			settle(t, h)
		}
	}
	r.save(kojiCLIWritesFile, len(kojiCLIWriteCommands))
}

func newestBuildroot(t *testing.T, h interface {
	Call(context.Context, string, []any, map[string]any) (any, error)
}) string {
	t.Helper()
	v, err := h.Call(context.Background(), "listBuildroots", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	var newest int64
	for _, b := range v.([]any) {
		if id, ok := b.(map[string]any)["id"].(int64); ok && id > newest {
			newest = id
		}
	}
	if newest == 0 {
		t.Fatal("the hub has no buildroot")
	}
	return fmt.Sprint(newest)
}

// TestKojiCLIWriteReplay replays testdata/koji-cli/writes.json as
// TestKojiCLIRepoReplay does repos.json, the engine left idle for the
// requests the recording made with it stopped.
func TestKojiCLIWriteReplay(t *testing.T) {
	testutil.RequireTool(t, "rpmbuild") // the scratch build runs in the replay too
	if *recordKojiCLI != "" {
		recordKojiCLIWrites(t, *recordKojiCLI)
	}
	commands, methods := replayKojiCLILoggedIn(t, kojiCLIFixture(t), kojiCLIWritesFile, func(c []string) bool {
		return kojiCLIEngineOff[strings.Join(c, " ")]
	})
	for _, c := range kojiCLIWriteCommands {
		if !commands[strings.Join(c, " ")] {
			t.Errorf("the recording has no koji %s: record again with -record-koji-cli", strings.Join(c, " "))
		}
	}
	for _, m := range []string{"sslLogin", "createTag", "editTag2", "packageListAdd", "packageListBlock", "packageListRemove",
		"tagBuild", "untagBuild", "moveBuild", "setInheritanceData", "createBuildTarget", "editBuildTarget",
		"deleteBuildTarget", "createExternalRepo", "addExternalRepoToTag", "removeExternalRepoFromTag", "deleteExternalRepo",
		"createUser", "grantPermission", "revokePermission", "rawUpload", "importRPM", "deleteTag", "cancelTask", "build",
		"snapshotTag", "snapshotTagModify", "checkUpload", "newRepo", "getRPMHeaders", "downloadTaskOutput",
		"getRPM", "listBuildroots", "getTaskInfo", "getTaskChildren", "listArchives", "listTasks", "untaggedBuilds", "search", "system.methodHelp",
		"getBuildConfig", "listTaskOutput"} {
		if !methods[m] {
			t.Errorf("the recording has no %s call", m)
		}
	}
}
