package hub_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/osg-htc/osg-build-go/pkg/hub"
	"github.com/osg-htc/osg-build-go/pkg/hub/engine"
	"github.com/osg-htc/osg-build-go/pkg/koji"
)

// TestRepoRequestAPI: Koji 1.35's repo.* calls through Call, the requests
// fulfilled by the task engine (automatic regeneration off, so only the
// requests make repos).
func TestRepoRequestAPI(t *testing.T) {
	h := kojiCLIFixture(t)
	ctx := context.Background()
	off := false
	e, err := engine.New(ctx, h, engine.Options{AutoRegen: &off})
	if err != nil {
		t.Fatal(err)
	}
	call := func(m string, args []any, kw map[string]any) any {
		t.Helper()
		v, err := h.Call(ctx, m, args, kw)
		if err != nil {
			t.Fatalf("%s%v %v: %v", m, args, kw, err)
		}
		return v
	}
	wantFault := func(code int, text, m string, args []any, kw map[string]any) {
		t.Helper()
		_, err := h.Call(ctx, m, args, kw)
		var f *koji.Fault
		if !errors.As(err, &f) || f.Code != code || !strings.Contains(f.String, text) {
			t.Errorf("%s%v %v: got %v, want fault %d %q", m, args, kw, err, code, text)
		}
	}
	run := func() {
		t.Helper()
		if err := e.RunUntilIdle(ctx); err != nil {
			t.Fatal(err)
		}
	}
	const tag = "osg-25-main-el9-build"
	tinfo, err := h.GetTag(ctx, koji.ByName(tag), koji.GetTagOpts{Strict: true})
	if err != nil {
		t.Fatal(err)
	}
	tagID := int64(tinfo.ID)

	if v := call("repo.get", []any{tag}, nil); v != nil {
		t.Fatalf("repo.get of a tag without repos = %v", v)
	}
	wantFault(koji.GenericError, "No such tagInfo", "repo.get", []any{"nosuchtag"}, nil)

	// anonymous callers may not request
	anon := hub.WithCaller(ctx, nil)
	if _, err := h.Call(anon, "repo.request", []any{tag}, nil); err == nil || !strings.Contains(err.Error(), "logged in") {
		t.Errorf("anonymous repo.request: %v", err)
	}

	res := call("repo.request", []any{tagID}, map[string]any{"min_event": "last"}).(map[string]any)
	if res["repo"] != nil || res["duplicate"] != false {
		t.Fatalf("first request = %v", res)
	}
	req := res["request"].(map[string]any)
	wantKeys(t, "request", req, "active", "at_event", "create_time", "create_ts", "id", "min_event", "opts", "owner",
		"owner_name", "priority", "repo_id", "tag_id", "tag_name", "task_id", "task_state", "tries", "update_time", "update_ts")
	if req["active"] != true || req["tag_id"] != tagID || req["tag_name"] != tag || req["task_id"] != nil || req["repo_id"] != nil ||
		req["tries"] != int64(0) || req["priority"] != int64(koji.PriorityDefault) || req["at_event"] != nil || req["owner_name"] != "tester" {
		t.Errorf("request = %v", req)
	}
	if m, ok := req["opts"].(map[string]any); !ok || len(m) != 0 {
		t.Errorf("request opts = %#v", req["opts"])
	}
	last := call("tagLastChangeEvent", []any{tag}, nil).(int64)
	if me, _ := req["min_event"].(int64); me < last {
		t.Errorf("min_event %v before the tag's last change %d", req["min_event"], last)
	}
	reqID := req["id"]

	// the same request again is a duplicate
	res = call("repo.request", []any{tag}, map[string]any{"min_event": "last"}).(map[string]any)
	if res["duplicate"] != true || res["request"].(map[string]any)["id"] != reqID {
		t.Errorf("second request = %v", res)
	}
	chk := call("repo.checkRequest", []any{reqID}, nil).(map[string]any)
	if chk["repo"] != nil || chk["request"].(map[string]any)["id"] != reqID {
		t.Errorf("checkRequest before the engine = %v", chk)
	}
	if _, ok := chk["task"]; ok {
		t.Errorf("checkRequest has a task before the queue was checked: %v", chk)
	}
	wantFault(koji.GenericError, "No such request", "repo.checkRequest", []any{999}, nil)

	// the engine gives the request its newRepo task and the repo
	run()
	chk = call("repo.checkRequest", []any{reqID}, nil).(map[string]any)
	repo, _ := chk["repo"].(map[string]any)
	if repo == nil {
		t.Fatalf("checkRequest after the engine = %v", chk)
	}
	wantKeys(t, "repo", repo, "begin_event", "begin_ts", "create_event", "create_ts", "creation_time", "creation_ts", "custom_opts",
		"dist", "end_event", "end_ts", "id", "opts", "state", "state_time", "state_ts", "tag_id", "tag_name", "task_id", "task_state")
	req = chk["request"].(map[string]any)
	if req["active"] != false || req["repo_id"] != repo["id"] || req["tries"] != int64(1) || req["task_id"] == nil ||
		req["task_state"] != int64(koji.TaskClosed) {
		t.Errorf("fulfilled request = %v", req)
	}
	if repo["state"] != int64(koji.RepoReady) || repo["tag_id"] != tagID {
		t.Errorf("repo = %v", repo)
	}
	repoID, repoEvent := repo["id"], repo["create_event"].(int64)

	// now a request answers the repo, and repo.get finds it
	res = call("repo.request", []any{tag}, nil).(map[string]any)
	if r, _ := res["repo"].(map[string]any); r == nil || r["id"] != repoID || res["request"] != nil {
		t.Errorf("request with a current repo = %v", res)
	}
	if r, _ := call("repo.get", []any{tag}, map[string]any{"min_event": repoEvent}).(map[string]any); r == nil || r["id"] != repoID {
		t.Errorf("repo.get(min_event) = %v", r)
	}
	if v := call("repo.get", []any{tag}, map[string]any{"min_event": repoEvent + 1}); v != nil {
		t.Errorf("repo.get(min_event later) = %v", v)
	}
	if v := call("repo.get", []any{tag}, map[string]any{"opts": map[string]any{"debuginfo": true}}); v != nil {
		t.Errorf("repo.get(debuginfo) = %v", v)
	}

	// a debuginfo request: a repo with custom_opts, which a default
	// repo.get does not return
	res = call("repo.request", []any{tag}, map[string]any{"opts": map[string]any{"debuginfo": true}}).(map[string]any)
	dreq := res["request"].(map[string]any)
	if dreq["opts"].(map[string]any)["debuginfo"] != true {
		t.Errorf("debuginfo request = %v", dreq)
	}
	run()
	chk = call("repo.checkRequest", []any{dreq["id"]}, nil).(map[string]any)
	drepo, _ := chk["repo"].(map[string]any)
	if drepo == nil || drepo["custom_opts"].(map[string]any)["debuginfo"] != true || drepo["opts"].(map[string]any)["debuginfo"] != true {
		t.Fatalf("debuginfo repo = %v", chk)
	}
	if r, _ := call("repo.get", []any{tag}, nil).(map[string]any); r == nil || r["id"] != repoID {
		t.Errorf("repo.get after a debuginfo repo = %v, want repo %v", r, repoID)
	}

	// at_event: a repo of the tag as it was at that event
	res = call("repo.request", []any{tag}, map[string]any{"at_event": repoEvent, "force": true}).(map[string]any)
	areq := res["request"].(map[string]any)
	if areq["at_event"] != repoEvent || areq["min_event"] != nil {
		t.Errorf("at_event request = %v", areq)
	}
	run()
	chk = call("repo.checkRequest", []any{areq["id"]}, nil).(map[string]any)
	if r, _ := chk["repo"].(map[string]any); r == nil || r["create_event"] != repoEvent || r["id"] == repoID {
		t.Errorf("at_event repo = %v", chk)
	}
	// repos/<tag>/latest is never the debuginfo repo (custom options); the
	// at_event repo has the same content as the default one (same event),
	// so, as in Koji (newer means a later create_event), either may be it
	if l, err := os.Readlink(filepath.Join(filepath.Dir(h.RepoDir(tag, 1)), "latest")); err != nil || l == fmt.Sprint(drepo["id"]) {
		t.Errorf("latest -> %q (%v), the debuginfo repo is %v", l, err, drepo["id"])
	}
	res = call("repo.request", []any{tag}, map[string]any{"at_event": repoEvent - 1}).(map[string]any)
	run()
	chk = call("repo.checkRequest", []any{res["request"].(map[string]any)["id"]}, nil).(map[string]any)
	old, _ := chk["repo"].(map[string]any)
	if old == nil || old["create_event"] != repoEvent-1 {
		t.Fatalf("repo at an older event = %v", chk)
	}
	if l, _ := os.Readlink(filepath.Join(filepath.Dir(h.RepoDir(tag, 1)), "latest")); l == fmt.Sprint(old["id"]) {
		t.Errorf("latest -> the repo of an older event %v", l)
	}

	// faults with Koji's texts
	wantFault(koji.ParameterError, "The min_event and at_event options conflict", "repo.request", []any{tag},
		map[string]any{"min_event": int64(1), "at_event": int64(1)})
	wantFault(koji.ParameterError, "Invalid event: 99999", "repo.request", []any{tag}, map[string]any{"min_event": int64(99999)})
	wantFault(koji.ParameterError, "Invalid repo option: foo", "repo.request", []any{tag}, map[string]any{"opts": map[string]any{"foo": true}})
	wantFault(koji.ParameterError, "Repo opts must be a dictionary", "repo.get", []any{tag}, map[string]any{"opts": "src"})
	wantFault(koji.GenericError, "Maven support not enabled", "repo.request", []any{tag}, map[string]any{"opts": map[string]any{"maven": true}})
	wantFault(koji.ParameterError, "request_repo() got an unexpected keyword argument 'event'", "repo.request", []any{tag}, map[string]any{"event": 1})
	u, err := h.GetUser(ctx, koji.ByName("tester"), koji.GetUserOpts{Strict: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.Call(ctx, "createUser", []any{"plain"}, nil); err != nil {
		t.Fatal(err)
	}
	p, _ := h.GetUser(ctx, koji.ByName("plain"), koji.GetUserOpts{Strict: true})
	plain := hub.WithCaller(ctx, &hub.Caller{UserID: int64(p.ID), Name: "plain", AuthType: int(koji.AuthSSL)})
	if _, err := h.Call(plain, "repo.request", []any{tag}, map[string]any{"priority": int64(-5), "force": true}); err == nil ||
		!strings.Contains(err.Error(), "only admins may create high-priority requests") {
		t.Errorf("high priority by a non-admin: %v", err)
	}
	_ = u

	// repo.query and repo.queryQueue: Koji's QueryView
	l := call("repo.query", []any{[]any{[]any{"tag_id", "=", tagID}}}, nil).([]any)
	if len(l) != 4 {
		t.Fatalf("repo.query(tag_id) = %v", l)
	}
	wantKeys(t, "repo.query default fields", l[0].(map[string]any), "create_event", "custom_opts", "dist", "id", "opts", "state", "tag_id", "task_id")
	l = call("repo.query", []any{[]any{[]any{"id", repoID}}, []any{"id", "tag_name", "state"}}, nil).([]any)
	if len(l) != 1 || l[0].(map[string]any)["tag_name"] != tag || len(l[0].(map[string]any)) != 3 {
		t.Errorf("repo.query(id; fields) = %v", l)
	}
	l = call("repo.query", []any{[]any{[]any{"tag_id", "=", tagID}, []any{"custom_opts", "@>", `{"debuginfo": true}`}}, "*"}, nil).([]any)
	if len(l) != 1 || l[0].(map[string]any)["id"] != drepo["id"] {
		t.Errorf("repo.query(custom_opts @>) = %v", l)
	}
	if _, ok := l[0].(map[string]any)["tag_name"]; ok {
		t.Errorf("'*' includes a joined field: %v", l[0])
	}
	l = call("repo.query", []any{[]any{}, "id"}, map[string]any{"opts": map[string]any{"order": "-id", "limit": int64(2)}}).([]any)
	if len(l) != 2 || l[0].(map[string]any)["id"].(int64) < l[1].(map[string]any)["id"].(int64) {
		t.Errorf("repo.query(order -id, limit 2) = %v", l)
	}
	if n := call("repo.query", []any{[]any{[]any{"state", "IN", []any{int64(1)}}}}, map[string]any{"opts": map[string]any{"countOnly": true}}); n != int64(3) {
		// (the engine's expiry made the repo of the older event EXPIRED)
		t.Errorf("repo.query countOnly = %v", n)
	}
	wantFault(koji.ParameterError, "Invalid field for query nosuch", "repo.query", []any{[]any{[]any{"nosuch", "=", 1}}}, nil)
	wantFault(koji.ParameterError, "Invalid operator: LIKE", "repo.query", []any{[]any{[]any{"id", "like", 1}}}, nil)
	wantFault(koji.ParameterError, "query() missing 1 required positional argument: 'clauses'", "repo.query", nil, nil)
	if l := call("repo.queryQueue", []any{[]any{[]any{"active", "IS", true}}}, nil).([]any); len(l) != 0 {
		t.Errorf("active requests: %v", l)
	}
	q := call("repo.queryQueue", nil, nil).([]any)
	if len(q) != 4 {
		t.Fatalf("repo.queryQueue() = %v", q)
	}
	wantKeys(t, "queryQueue default fields", q[0].(map[string]any), "active", "at_event", "create_ts", "id", "min_event", "opts", "repo_id", "tag_id", "task_id", "tries", "update_ts")
	for _, r := range q {
		if r.(map[string]any)["active"] != false {
			t.Errorf("request still active: %v", r)
		}
	}

	// setState: forward only, DELETED final
	wantFault(koji.GenericError, "Invalid repo state transition", "repo.setState", []any{repoID, int64(koji.RepoInit)}, nil)
	call("repo.setState", []any{repoID, int64(koji.RepoExpired)}, nil)
	if r := call("repoInfo", []any{repoID}, nil).(map[string]any); r["state"] != int64(koji.RepoExpired) {
		t.Errorf("state after setState = %v", r["state"])
	}
	if _, err := h.Call(plain, "repo.setState", []any{repoID, int64(koji.RepoDeleted)}, nil); err == nil {
		t.Error("setState without the repo permission worked")
	}
	if v := call("repo.references", []any{repoID}, nil).([]any); len(v) != 0 {
		t.Errorf("references = %v", v)
	}
	wantFault(koji.GenericError, "", "repo.getExternalRepoData", []any{"nosuchrepo"}, nil)
	if v := call("repo.getExternalRepoData", []any{"el9-base"}, nil); v != nil {
		t.Errorf("getExternalRepoData = %v", v)
	}

	// _listapi shows the repo calls with Koji's parameters
	var got []string
	for _, m := range call("_listapi", nil, nil).([]any) {
		mm := m.(map[string]any)
		if n := mm["name"].(string); strings.HasPrefix(n, "repo.") {
			got = append(got, n+mm["argdesc"].(string))
		}
	}
	for _, w := range []string{
		"repo.request(tag, min_event=None, at_event=None, opts=None, priority=None, force=False)",
		"repo.get(tag, min_event=None, at_event=None, opts=None)",
		"repo.checkRequest(req_id)",
		"repo.query(clauses, fields=None, opts=None)",
		"repo.queryQueue(clauses=None, fields=None, opts=None)",
	} {
		found := false
		for _, g := range got {
			found = found || g == w
		}
		if !found {
			t.Errorf("_listapi lacks %s (has %v)", w, got)
		}
	}
	if v := call("getKojiVersion", nil, nil); v != "1.35.3" {
		t.Errorf("getKojiVersion = %v", v)
	}
}

// TestRepoRequestRetry: a request whose newRepo task fails is given a new
// task, up to Koji's RepoRetries, then made inactive.
func TestRepoRequestRetry(t *testing.T) {
	h := kojiCLIFixture(t)
	ctx := context.Background()
	off := false
	e, err := engine.New(ctx, h, engine.Options{AutoRegen: &off})
	if err != nil {
		t.Fatal(err)
	}
	// a tag without arches: its repo cannot be made
	if _, err := h.Call(ctx, "createTag", []any{"noarch-build"}, nil); err != nil {
		t.Fatal(err)
	}
	res, err := h.Call(ctx, "repo.request", []any{"noarch-build"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	id := res.(map[string]any)["request"].(map[string]any)["id"]
	if err := e.RunUntilIdle(ctx); err != nil {
		t.Fatal(err)
	}
	chk, err := h.Call(ctx, "repo.checkRequest", []any{id}, nil)
	if err != nil {
		t.Fatal(err)
	}
	req := chk.(map[string]any)["request"].(map[string]any)
	if req["active"] != false || req["repo_id"] != nil || req["tries"] != int64(4) || req["task_state"] != int64(koji.TaskFailed) {
		t.Errorf("given-up request = %v", req)
	}
	tasks, err := h.Call(ctx, "listTasks", []any{map[string]any{"method": "newRepo"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(tasks.([]any)); n != 4 {
		t.Errorf("%d newRepo tasks, want 4 (the first and RepoRetries=3 more)", n)
	}
}

func wantKeys(t *testing.T, what string, m map[string]any, keys ...string) {
	t.Helper()
	var got []string
	for k := range m {
		got = append(got, k)
	}
	sort.Strings(got)
	sort.Strings(keys)
	if strings.Join(got, " ") != strings.Join(keys, " ") {
		t.Errorf("%s members:\n got  %v\n want %v", what, got, keys)
	}
}
