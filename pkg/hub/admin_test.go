package hub_test

import (
	"context"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/osg-htc/osg-build-go/pkg/koji"
)

// TestAdminCalls: the koji CLI's remove-tag, edit-target, remove-target,
// remove-external-repo, list-untagged, search, move-build, rpminfo's
// getRPMHeaders and clone-tag's snapshotTag, through Call.
func TestAdminCalls(t *testing.T) {
	h := openHub(t)
	ctx := context.Background()
	call := func(m string, args []any, kw map[string]any) any {
		t.Helper()
		v, err := h.Call(ctx, m, args, kw)
		if err != nil {
			t.Fatalf("%s: %v", m, err)
		}
		return v
	}
	fails := func(m string, args []any, want string) {
		t.Helper()
		if _, err := h.Call(ctx, m, args, nil); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s%v: err = %v, want %q", m, args, err, want)
		}
	}
	for _, tg := range []string{"a", "b", "c"} {
		call("createTag", []any{tg}, map[string]any{"arches": "x86_64"})
	}
	call("editTag2", []any{"a"}, map[string]any{"extra": map[string]any{"rpm.macro.dist": ".x"}})
	call("createBuildTarget", []any{"t", "a", "b"}, nil)
	call("editBuildTarget", []any{"t", "t2", "a", "c"}, nil)
	tg := call("getBuildTarget", []any{"t2"}, nil).(map[string]any)
	if tg["dest_tag_name"] != "c" || tg["build_tag_name"] != "a" {
		t.Errorf("edited target = %v", tg)
	}
	fails("editBuildTarget", []any{"t2", "t2", "nope", "c"}, "build tag 'nope' does not exist")
	fails("editBuildTarget", []any{"t", "t", "a", "c"}, "No such build target: t")
	call("deleteBuildTarget", []any{"t2"}, nil)
	if v := call("getBuildTarget", []any{"t2"}, nil); v != nil {
		t.Errorf("deleted target = %v", v)
	}
	fails("deleteBuildTarget", []any{"t2"}, "No such build target: t2")

	call("createExternalRepo", []any{"epel", "https://example.invalid/epel/$arch/"}, nil)
	call("addExternalRepoToTag", []any{"a", "epel", int64(5)}, nil)
	call("removeExternalRepoFromTag", []any{"a", "epel"}, nil)
	fails("removeExternalRepoFromTag", []any{"a", "epel"}, "external repo epel not associated with tag a")

	// builds: foo-1-1 tagged in a, foo-2-1 untagged; a package in b for moveBuild
	call("packageListAdd", []any{"a", "foo"}, map[string]any{"owner": "kojiadmin"})
	call("packageListAdd", []any{"b", "foo"}, map[string]any{"owner": "kojiadmin"})
	for _, v := range []string{"1", "2"} {
		call("createEmptyBuild", []any{"foo", v, int64(1), nil}, nil) // the CLI's call sends numbers
	}
	call("tagBuild", []any{"a", "foo-1-1"}, nil)
	want := []any{map[string]any{"id": int64(2), "name": "foo", "version": "2", "release": "1"}}
	if v := call("untaggedBuilds", nil, nil); !reflect.DeepEqual(v, want) {
		t.Errorf("untaggedBuilds = %#v", v)
	}
	if v := call("search", []any{"FOO-?-*", "build", "glob"}, nil).([]any); len(v) != 2 {
		t.Errorf("search glob = %v", v)
	}
	if v := call("search", []any{"^f.o-2", "build", "regexp"}, map[string]any{"queryOpts": map[string]any{"limit": int64(1)}}).([]any); len(v) != 1 ||
		v[0].(map[string]any)["name"] != "foo-2-1" {
		t.Errorf("search regexp = %v", v)
	}
	if v := call("search", []any{"a", "tag", "exact"}, nil).([]any); len(v) != 1 {
		t.Errorf("search exact = %v", v)
	}
	fails("search", []any{"", "tag", "glob"}, "empty search terms")
	fails("search", []any{"x", "nosuch", "glob"}, "No such search type: nosuch")

	call("snapshotTag", []any{"a", "snap"}, nil)
	snap := call("getTag", []any{"snap"}, nil).(map[string]any)
	if snap["arches"] != "x86_64" || snap["extra"].(map[string]any)["rpm.macro.dist"] != ".x" {
		t.Errorf("snapshot config = %v", snap)
	}
	if v := call("listTagged", []any{"snap"}, nil).([]any); len(v) != 1 || v[0].(map[string]any)["nvr"] != "foo-1-1" {
		t.Errorf("snapshot builds = %v", v)
	}
	fails("snapshotTag", []any{"a", "snap"}, "Target tag already exists")

	task := call("moveBuild", []any{"a", "b", "foo-1-1"}, nil)
	if ti := call("getTaskInfo", []any{task}, nil).(map[string]any); ti["state"] != int64(koji.TaskClosed) {
		t.Errorf("moveBuild task = %v", ti)
	}
	if v := call("listTagged", []any{"a"}, nil).([]any); len(v) != 0 {
		t.Errorf("still in a after moveBuild: %v", v)
	}
	if v := call("listTagged", []any{"b"}, nil).([]any); len(v) != 1 {
		t.Errorf("not in b after moveBuild: %v", v)
	}

	call("deleteTag", []any{"snap"}, nil)
	if v := call("getTag", []any{"snap"}, nil); v != nil {
		t.Errorf("deleted tag = %v", v)
	}
	fails("tagBuild", []any{"snap", "foo-1-1"}, "")
	fails("deleteTag", []any{"snap"}, "No such tagInfo")
	call("createTag", []any{"snap"}, nil) // a deleted tag's name is free again
	if v := call("listTagged", []any{"snap"}, nil).([]any); len(v) != 0 {
		t.Errorf("a re-made tag has the old builds: %v", v)
	}

	// getRPMHeaders of an imported RPM
	rpmFile, err := os.Open("../../testdata/rpms/osgtest-noarch-0.5-1.noarch.rpm")
	if err != nil {
		t.Fatal(err)
	}
	defer rpmFile.Close()
	st, _ := rpmFile.Stat()
	if err := h.Upload(ctx, "cli-import/h", "osgtest-noarch-0.5-1.noarch.rpm", rpmFile, st.Size(), koji.UploadOpts{}); err != nil {
		t.Fatal(err)
	}
	call("createEmptyBuild", []any{"osgtest-noarch", "0.5", "1", nil}, nil)
	r, err := h.ImportRPM(ctx, "cli-import/h", "osgtest-noarch-0.5-1.noarch.rpm")
	if err != nil {
		t.Fatal(err)
	}
	hd := call("getRPMHeaders", nil, map[string]any{"rpmID": int64(r.ID), "headers": []any{"license", "NAME", "requirename", "epoch"}}).(map[string]any)
	if hd["license"] != "MIT" || hd["NAME"] != "osgtest-noarch" || hd["epoch"] != nil {
		t.Errorf("headers = %v", hd)
	}
	if req, ok := hd["requirename"].([]any); !ok || len(req) == 0 {
		t.Errorf("requirename = %#v", hd["requirename"])
	}
	if _, err := h.Call(ctx, "getRPMHeaders", nil, map[string]any{"rpmID": int64(r.ID), "headers": []any{"nope"}}); err == nil ||
		!strings.Contains(err.Error(), "No such rpm header field: NOPE") {
		t.Errorf("unknown field: %v", err)
	}
	if v := call("getRPMHeaders", nil, map[string]any{"rpmID": int64(999)}); !reflect.DeepEqual(v, map[string]any{}) {
		t.Errorf("missing rpm = %v", v)
	}
}
