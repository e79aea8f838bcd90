package client

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"sync"
	"testing"

	"github.com/osg-htc/osg-build-go/internal/xmlrpc"
	"github.com/osg-htc/osg-build-go/pkg/koji"
)

// replayHub answers the recorded response of a real Koji 1.35.3 hub for the
// request it expects, and records whether the client's request was the
// recorded one (byte for byte, or at least the same decoded call).
type replayHub struct {
	mu       sync.Mutex
	name     string
	sameBody bool
	sameCall bool
	err      error
}

func (h *replayHub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.mu.Lock()
	defer h.mu.Unlock()
	body, _ := io.ReadAll(r.Body)
	want, err := os.ReadFile(filepath.Join(wireDir, h.name+".request.xml"))
	if err != nil {
		h.err = err
		return
	}
	h.sameBody = bytes.Equal(body, want)
	gm, gp, err1 := xmlrpc.DecodeCallBytes(body)
	wm, wp, err2 := xmlrpc.DecodeCallBytes(want)
	h.sameCall = err1 == nil && err2 == nil && gm == wm && reflect.DeepEqual(gp, wp)
	if !h.sameCall {
		h.err = &koji.Fault{Code: 1, String: "sent " + string(body)}
	}
	resp, err := os.ReadFile(filepath.Join(wireDir, h.name+".response.xml"))
	if err != nil {
		h.err = err
		return
	}
	w.Header().Set("Koji-Version", "1.35.3")
	w.Header().Set("Content-Type", "text/xml")
	_, _ = w.Write(resp)
}

// TestReplayKojiWire drives the typed client methods with the arguments of
// every recorded anonymous call: the request must be the one Koji's own
// client sent, and the recorded answer must decode.
func TestReplayKojiWire(t *testing.T) {
	rh := &replayHub{}
	srv := httptest.NewServer(rh)
	defer srv.Close()
	c := New(Options{Server: srv.URL + "/kojihub", MaxRetries: -1})
	ctx := context.Background()
	b := koji.ByName
	check := func(ok bool, what string, v any) error {
		if !ok {
			return &koji.Fault{Code: 1, String: what}
		}
		return nil
	}
	tests := []struct {
		name string
		run  func() error
	}{
		{"getAPIVersion", func() error { v, err := c.GetAPIVersion(ctx); return first(err, check(v == 1, "version", v)) }},
		{"getKojiVersion", func() error {
			v, err := c.GetKojiVersion(ctx)
			return first(err, check(v == "1.35.3", "version", v))
		}},
		{"hello", func() error { v, err := c.Hello(ctx); return first(err, check(v == "Hello World", "hello", v)) }},
		{"getBuildTarget", func() error {
			v, err := c.GetBuildTarget(ctx, b("osg-3.6-el9"), koji.GetBuildTargetOpts{})
			return first(err, check(v != nil && v.BuildTagName == "osg-3.6-el9-build" && v.DestTag == 1, "target", v))
		}},
		{"getBuildTargets", func() error {
			v, err := c.GetBuildTargets(ctx, koji.GetBuildTargetsOpts{})
			return first(err, check(len(v) == 1, "targets", v))
		}},
		{"getTag", func() error {
			v, err := c.GetTag(ctx, b("osg-3.6-el9-build"), koji.GetTagOpts{})
			return first(err, check(v != nil && v.ID == 4, "tag", v))
		}},
		{"getTag_missing", func() error {
			v, err := c.GetTag(ctx, b("no-such-tag"), koji.GetTagOpts{})
			return first(err, check(v == nil, "missing tag", v))
		}},
		{"getTag_strict_missing", func() error {
			_, err := c.GetTag(ctx, b("no-such-tag"), koji.GetTagOpts{Strict: true})
			return check(koji.IsNotFound(err) && err.Error() == "GenericError: No such tagInfo: 'no-such-tag'", "strict miss", err)
		}},
		{"getTag_wrong_kwarg", func() error {
			_, err := c.Call(ctx, "getTag", []any{"osg-3.6-el9-build"}, map[string]any{"bogus": 1})
			return check(koji.IsUnexpectedKeyword(err), "wrong kwarg", err)
		}},
		{"getBuildConfig", func() error {
			v, err := c.GetBuildConfig(ctx, b("osg-3.6-el9-build"), koji.EventOpts{})
			return first(err, check(v != nil && v.ConfigInheritance.Arches == nil && v.ConfigInheritance.Extra != nil, "config", v))
		}},
		{"listTags", func() error {
			v, err := c.ListTags(ctx, koji.ListTagsOpts{})
			return first(err, check(len(v) == 4 && v[0].Arches != nil && *v[0].Arches == "", "tags", v))
		}},
		{"getInheritanceData", func() error {
			v, err := c.GetInheritanceData(ctx, b("osg-3.6-el9-testing"), koji.EventOpts{})
			return first(err, check(len(v) == 1 && v[0].Priority == 10 && v[0].Name == "osg-3.6-el9-release", "inheritance", v))
		}},
		{"getFullInheritance", func() error {
			v, err := c.GetFullInheritance(ctx, b("osg-3.6-el9-build"), koji.GetFullInheritanceOpts{})
			return first(err, check(len(v) == 1 && v[0].CurrDepth == 1, "full inheritance", v))
		}},
		{"listTagged", func() error {
			v, err := c.ListTagged(ctx, b("osg-3.6-el9-development"), koji.ListTaggedOpts{})
			return first(err, check(len(v) == 2 && v[0].CreateEvent == 50, "tagged", v))
		}},
		{"listTagged_inherit_latest", func() error {
			v, err := c.ListTagged(ctx, b("osg-3.6-el9-build"), koji.ListTaggedOpts{Inherit: true, Latest: koji.LatestOne})
			return first(err, check(len(v) == 1 && v[0].NVR == "hello-1.0-2.osg36.el9", "latest", v))
		}},
		{"getLatestBuilds", func() error {
			v, err := c.GetLatestBuilds(ctx, b("osg-3.6-el9-build"), koji.GetLatestBuildsOpts{})
			return first(err, check(len(v) == 1 && v[0].TagName == "osg-3.6-el9-development", "latest builds", v))
		}},
		{"getBuild", func() error {
			v, err := c.GetBuild(ctx, b("hello-1.0-2.osg36.el9"), koji.GetBuildOpts{})
			return first(err, check(v != nil && v.State == koji.BuildComplete, "build", v))
		}},
		{"listRPMs", func() error {
			v, err := c.ListRPMs(ctx, koji.ListRPMsOpts{BuildID: koji.Ptr(2)})
			return first(err, check(len(v) == 2 && v[0].Filename() == "hello-1.0-2.osg36.el9.src.rpm", "rpms", v))
		}},
		{"queryRPMSigs", func() error {
			v, err := c.QueryRPMSigs(ctx, koji.QueryRPMSigsOpts{RPMID: koji.ByID(3)})
			return first(err, check(len(v) == 3 && v[1].SigKey == "c3d46f4a", "sigs", v))
		}},
		{"listPackages", func() error {
			v, err := c.ListPackages(ctx, koji.ListPackagesOpts{TagID: koji.ByID(1)})
			return first(err, check(len(v) == 1 && v[0].OwnerName == "kojiadmin" && v[0].ExtraArches == nil, "packages", v))
		}},
		{"getPackage", func() error {
			v, err := c.GetPackage(ctx, b("hello"), koji.GetPackageOpts{})
			return first(err, check(v != nil && v.ID == 1, "package", v))
		}},
		{"getTaskInfo", func() error {
			v, err := c.GetTaskInfo(ctx, 1, koji.GetTaskInfoOpts{Request: true})
			return first(err, check(v != nil && v.Method == "newRepo" && len(v.RequestParams()) == 1, "task", v))
		}},
		{"getTaskChildren", func() error {
			v, err := c.GetTaskChildren(ctx, 1, koji.GetTaskChildrenOpts{})
			return first(err, check(len(v) == 1 && *v[0].Parent == 1 && *v[0].Label == "x86_64", "children", v))
		}},
		{"getTaskResult", func() error {
			v, err := c.GetTaskResult(ctx, 1, koji.GetTaskResultOpts{})
			return first(err, check(reflect.DeepEqual(v, []any{int64(1), int64(52)}) || len(v.([]any)) == 2, "result", v))
		}},
		{"listTaskOutput", func() error {
			v, err := c.ListTaskOutput(ctx, 2, koji.ListTaskOutputOpts{})
			return first(err, check(len(v) == 1 && v[0].Name == "createrepo.log", "output", v))
		}},
		{"listTasks", func() error {
			v, err := c.ListTasks(ctx, koji.ListTasksOpts{Opts: &koji.TaskQuery{Method: "newRepo"}})
			return first(err, check(len(v) == 1 && v[0].OwnerName != nil && *v[0].OwnerName == "kojiadmin", "tasks", v))
		}},
		{"getRepo", func() error {
			v, err := c.GetRepo(ctx, b("osg-3.6-el9-build"), koji.GetRepoOpts{})
			return first(err, check(v != nil && v.State == koji.RepoReady, "repo", v))
		}},
		{"repoInfo", func() error {
			v, err := c.RepoInfo(ctx, 1, koji.RepoInfoOpts{})
			return first(err, check(v != nil && v.ID == 1, "repo", v))
		}},
		{"getExternalRepoList", func() error {
			v, err := c.GetExternalRepoList(ctx, b("osg-3.6-el9-build"), koji.EventOpts{})
			return first(err, check(v != nil && len(v) == 0, "external repos", v))
		}},
		{"getLastEvent", func() error {
			v, err := c.GetLastEvent(ctx, koji.GetLastEventOpts{})
			return first(err, check(v != nil && v.ID == 68, "event", v))
		}},
		{"getLoggedInUser", func() error {
			v, err := c.GetLoggedInUser(ctx)
			return first(err, check(v == nil, "anonymous user", v))
		}},
		{"getAllPerms", func() error {
			v, err := c.GetAllPerms(ctx)
			return first(err, check(len(v) == 15 && v[0].Name == "admin", "perms", v))
		}},
		{"queryHistory", func() error {
			v, err := c.QueryHistory(ctx, koji.QueryHistoryOpts{Tag: b("osg-3.6-el9-testing")})
			return first(err, check(len(v["tag_inheritance"]) == 1 && v["tag_inheritance"][0].Int("priority") == 10, "history", v))
		}},
		{"createTag_anonymous", func() error {
			_, err := c.CreateTag(ctx, "evil", koji.CreateTagOpts{})
			f, _ := koji.AsFault(err)
			return check(f != nil && f.Code == koji.ActionNotAllowed && f.ExitCode() == 4, "anonymous write", err)
		}},
		{"noSuchMethod", func() error {
			_, err := c.Call(ctx, "noSuchMethod", nil, nil)
			return check(koji.IsInvalidMethod(err), "invalid method", err)
		}},
		{"multiCall", func() error {
			res, err := c.MultiCall(ctx, []koji.Call{
				{Method: "getTag", Args: []any{"osg-3.6-el9-build"}},
				{Method: "noSuchMethod", Args: []any{}},
				{Method: "getTag", Args: []any{"no-such"}, Kwargs: map[string]any{"strict": true}},
			}, koji.MultiCallOpts{})
			return first(err, check(len(res) == 3 && res[0].Fault == nil && koji.IsInvalidMethod(res[1].Err()) && koji.IsNotFound(res[2].Err()), "multicall", res))
		}},
	}
	byteIdentical := 0
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rh.mu.Lock()
			rh.name, rh.err, rh.sameBody, rh.sameCall = tt.name, nil, false, false
			rh.mu.Unlock()
			err := tt.run()
			rh.mu.Lock()
			defer rh.mu.Unlock()
			if rh.err != nil {
				t.Fatalf("replay: %v", rh.err)
			}
			if err != nil {
				t.Fatalf("%v", err)
			}
			if !rh.sameCall {
				t.Errorf("the request differs from Koji's")
			}
			if rh.sameBody {
				byteIdentical++
			} else {
				t.Errorf("the request is not byte-identical to the koji CLI's")
			}
		})
	}
	t.Logf("%d of %d requests byte-identical to the koji CLI's", byteIdentical, len(tests))
}

func first(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

// wireDir holds the traffic of a real Koji 1.35.3 hub (a copy of
// shared/data/koji-wire), shared by the codec, client and hub tests.
const wireDir = "../../../testdata/xmlrpc/koji-wire"
