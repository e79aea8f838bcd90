package hub_test

import (
	"context"
	"encoding/base64"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/osg-htc/osg-build-go/pkg/koji"
)

// TestCompatCalls: what the koji CLI's buildinfo, userinfo, list-hosts,
// list-channels and list-volumes ask, and queryOpts countOnly and
// parent=None on any method, as Koji answers them.
func TestCompatCalls(t *testing.T) {
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
	for _, n := range []string{"a", "b", "c"} {
		if _, err := h.CreateEmptyBuild(ctx, n, "1", "1", nil, koji.CreateEmptyBuildOpts{}); err != nil {
			t.Fatal(err)
		}
	}
	count := map[string]any{"countOnly": true}
	if v := call("listBuilds", nil, map[string]any{"queryOpts": count}); v != int64(3) {
		t.Errorf("listBuilds countOnly = %#v", v)
	}
	if v := call("listBuilds", nil, map[string]any{"queryOpts": map[string]any{"countOnly": true, "limit": 2}}); v != int64(2) {
		t.Errorf("listBuilds countOnly limit 2 = %#v", v)
	}
	// a top-level task (its children come when the engine runs it)
	if _, err := h.CreateTag(ctx, "t", koji.CreateTagOpts{Arches: "x86_64"}); err != nil {
		t.Fatal(err)
	}
	tid, err := h.NewRepo(ctx, koji.ByName("t"), koji.NewRepoOpts{})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range []string{"getMavenBuild", "getWinBuild", "getImageBuild"} {
		if v := call(m, []any{"a-1-1"}, nil); v != nil {
			t.Errorf("%s = %#v", m, v)
		}
	}
	if _, err := h.Call(ctx, "getMavenBuild", []any{"a-1-1"}, map[string]any{"strict": true}); err == nil {
		t.Error("getMavenBuild strict: no fault")
	}
	if v := call("listVolumes", nil, nil).([]any); len(v) != 1 || v[0].(map[string]any)["name"] != "DEFAULT" {
		t.Errorf("listVolumes = %#v", v)
	}
	if v := call("listChannels", nil, nil).([]any); len(v) < 2 || v[0].(map[string]any)["name"] != "default" {
		t.Errorf("listChannels = %#v", v)
	}
	if v := call("listHosts", nil, nil).([]any); v == nil {
		t.Errorf("listHosts = %#v", v)
	}
	if v := call("listBTypes", nil, nil).([]any); len(v) != 1 {
		t.Errorf("listBTypes = %#v", v)
	}
	all := call("listTasks", nil, map[string]any{"opts": map[string]any{}, "queryOpts": count})
	top := call("listTasks", nil, map[string]any{"opts": map[string]any{"parent": nil}, "queryOpts": count})
	if all != int64(1) || top != int64(1) {
		t.Errorf("listTasks: %v top-level of %v, want 1 of 1", top, all)
	}
	tl, err := h.ListTasks(ctx, koji.ListTasksOpts{Opts: &koji.TaskQuery{TopLevel: true}})
	if err != nil {
		t.Fatal(err)
	}
	if len(tl) != 1 || tl[0].ID != tid {
		t.Errorf("TopLevel: %+v", tl)
	}
	for _, task := range tl {
		if task.Parent != nil {
			t.Errorf("TopLevel: task %d has parent %d", task.ID, *task.Parent)
		}
	}
}

// queryHistory takes any keyword (Koji's **kwargs: the CLI's untag-build
// sends pkg=, which Koji ignores); downloadTaskOutput answers a base64
// string as Koji's (the CLI b64decodes it).
func TestCompatKwargsAndBase64(t *testing.T) {
	h := openHub(t)
	ctx := context.Background()
	if _, err := h.CreateTag(ctx, "t", koji.CreateTagOpts{Arches: "x86_64"}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.Call(ctx, "queryHistory", nil, map[string]any{"tag": "t", "pkg": "foo", "active": true}); err != nil {
		t.Errorf("queryHistory with pkg=: %v", err)
	}
	if _, err := h.Call(ctx, "listTags", nil, map[string]any{"pkg": "foo"}); err == nil {
		t.Error("listTags took an unknown keyword")
	}
	tid, err := h.NewRepo(ctx, koji.ByName("t"), koji.NewRepoOpts{})
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(h.TopDir(), "work", "tasks", strconv.Itoa(tid%10000), strconv.Itoa(tid))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "x.log"), []byte("hello\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	v, err := h.Call(ctx, "downloadTaskOutput", []any{tid, "x.log"}, nil)
	if err != nil || v != base64.StdEncoding.EncodeToString([]byte("hello\n")) {
		t.Errorf("downloadTaskOutput = %#v, %v; want a base64 string", v, err)
	}
	if b, err := h.DownloadTaskOutput(ctx, tid, "x.log", koji.DownloadTaskOutputOpts{}); err != nil || string(b) != "hello\n" {
		t.Errorf("DownloadTaskOutput = %q, %v", b, err)
	}
}
