package hub_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/osg-htc/osg-build-go/pkg/koji"
)

// TestBuildroots: a recorded buildroot lists the hub's RPMs among its
// components (others are left out), and getBuildroot, listBuildroots and
// listRPMs(componentBuildrootID) read it as Koji's calls do.
func TestBuildroots(t *testing.T) {
	ctx := context.Background()
	h := openHub(t)
	for _, f := range []string{"osgtest-noarch-0.5-1.src.rpm", "osgtest-noarch-0.5-1.noarch.rpm"} {
		fh, err := os.Open(filepath.Join("..", "..", "testdata", "rpms", f))
		if err != nil {
			t.Fatal(err)
		}
		st, _ := fh.Stat()
		if err := h.Upload(ctx, "cli-import/br", f, fh, st.Size(), koji.UploadOpts{Overwrite: true}); err != nil {
			t.Fatal(err)
		}
		fh.Close()
		if _, err := h.ImportRPM(ctx, "cli-import/br", f); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := h.CreateTag(ctx, "el9-build", koji.CreateTagOpts{Arches: "x86_64"}); err != nil {
		t.Fatal(err)
	}
	if err := h.PackageListAdd(ctx, koji.ByName("el9-build"), koji.ByName("osgtest-noarch"), koji.PackageListAddOpts{Owner: koji.ByName("kojiadmin")}); err != nil {
		t.Fatal(err)
	}
	task, err := h.TagBuild(ctx, koji.ByName("el9-build"), koji.ByName("osgtest-noarch-0.5-1"), koji.TagBuildOpts{})
	if err != nil {
		t.Fatal(err)
	}
	ho, err := h.RegisterHost(ctx, "builder1", []string{"x86_64", "noarch"}, 2)
	if err != nil {
		t.Fatal(err)
	}
	id, err := ho.RecordBuildroot(ctx, int64(task), 0, "x86_64", []string{"osgtest-noarch-0.5-1.noarch", "bash-5.1-1.el9.x86_64", "garbage"})
	if err != nil {
		t.Fatal(err)
	}
	v, err := h.Call(ctx, "getBuildroot", []any{int(id)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	br, _ := v.(map[string]any)
	for k, want := range map[string]any{"arch": "x86_64", "host_name": "builder1", "br_type": 0, "state": 3, "task_id": task, "repo_id": nil} {
		if got := br[k]; fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("getBuildroot %s = %#v, want %#v", k, got, want)
		}
	}
	for _, k := range []string{"create_event_id", "create_ts", "create_event_time", "retire_event_id", "container_arch", "tag_name", "cg_name"} {
		if _, ok := br[k]; !ok {
			t.Errorf("getBuildroot lacks %s", k)
		}
	}
	if v, err := h.Call(ctx, "getBuildroot", []any{999}, nil); err != nil || v != nil {
		t.Errorf("missing buildroot: %v %v", v, err)
	}
	if _, err := h.Call(ctx, "getBuildroot", []any{999}, map[string]any{"strict": true}); err == nil || !strings.Contains(err.Error(), "No such buildroot: 999") {
		t.Errorf("strict: %v", err)
	}
	n := int(id)
	comps, err := h.ListRPMs(ctx, koji.ListRPMsOpts{ComponentBuildrootID: &n})
	if err != nil {
		t.Fatal(err)
	}
	if len(comps) != 1 || comps[0].Name != "osgtest-noarch" || comps[0].Arch != "noarch" || comps[0].IsUpdate == nil || *comps[0].IsUpdate {
		t.Errorf("components %+v", comps)
	}
	rpms, err := h.ListRPMs(ctx, koji.ListRPMsOpts{})
	if err != nil || len(rpms) != 2 || rpms[0].IsUpdate != nil {
		t.Errorf("all rpms: %d %v", len(rpms), err)
	}
	for _, tc := range []struct {
		kw   map[string]any
		want int
	}{
		{map[string]any{"rpmID": comps[0].ID, "queryOpts": map[string]any{"order": "buildroot.id"}}, 1}, // the koji CLI's rpminfo --buildroots
		{map[string]any{"rpmID": comps[0].ID + 100}, 0},
		{map[string]any{"taskID": task, "state": []any{3}}, 1},
		{map[string]any{"hostID": int(ho.ID), "state": 0}, 0},
		{map[string]any{"archiveID": 1}, 0},
	} {
		v, err := h.Call(ctx, "listBuildroots", nil, tc.kw)
		if l, _ := v.([]any); err != nil || len(l) != tc.want {
			t.Errorf("listBuildroots %v: %v %v, want %d", tc.kw, v, err, tc.want)
		}
	}
}

// TestSystemIntrospection: system.listMethods, system.methodHelp (what
// koji list-api METHOD prints) and system.methodSignature, as Koji's.
func TestSystemIntrospection(t *testing.T) {
	ctx := context.Background()
	h := openHub(t)
	v, err := h.Call(ctx, "system.listMethods", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, n := range v.([]any) {
		names[n.(string)] = true
	}
	for _, want := range []string{"getBuild", "sslLogin", "system.methodHelp", "_listapi", "repo.request", "getBuildroot", "snapshotTagModify"} {
		if !names[want] {
			t.Errorf("system.listMethods lacks %s", want)
		}
	}
	for m, want := range map[string]string{"getBuild": "getBuild(buildInfo, strict=False)", "sslLogin": "sslLogin(proxyuser=None, proxyauthtype=None, renew=False, exclusive=None)", "noSuch": ""} {
		if v, err := h.Call(ctx, "system.methodHelp", []any{m}, nil); err != nil || v != want {
			t.Errorf("system.methodHelp(%s) = %#v, %v; want %q", m, v, err, want)
		}
	}
	if v, _ := h.Call(ctx, "system.methodSignature", []any{"getBuild"}, nil); v != "signatures not supported" {
		t.Errorf("system.methodSignature = %#v", v)
	}
}
