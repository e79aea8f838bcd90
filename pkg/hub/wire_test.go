package hub

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/osg-htc/osg-build-go/internal/xmlrpc"
	"github.com/osg-htc/osg-build-go/pkg/hub/store"
	"github.com/osg-htc/osg-build-go/pkg/koji"
)

// wireDir holds the real Koji traffic (a copy of shared/data/koji-wire).
const wireDir = "../../testdata/xmlrpc/koji-wire"

// goldenHub makes a hub holding what the real hub of koji-wire held (see
// its README), in the same order so that ids match.
func goldenHub(t *testing.T) *Hub {
	t.Helper()
	ctx := context.Background()
	h, err := Open(ctx, t.TempDir(), WithLocalUser("kojiadmin"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	step := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, n := range []string{"osg-3.6-el9-development", "osg-3.6-el9-testing", "osg-3.6-el9-release"} {
		_, err := h.CreateTag(ctx, n, koji.CreateTagOpts{})
		step(err)
	}
	_, err = h.CreateTag(ctx, "osg-3.6-el9-build", koji.CreateTagOpts{Arches: "x86_64", Parent: koji.ByName("osg-3.6-el9-development")})
	step(err)
	step(h.SetInheritanceData(ctx, koji.ByName("osg-3.6-el9-testing"), []koji.InheritanceLink{{ParentID: 3, Priority: 10}}, koji.SetInheritanceOpts{}))
	step(h.CreateBuildTarget(ctx, "osg-3.6-el9", koji.ByName("osg-3.6-el9-build"), koji.ByName("osg-3.6-el9-development")))
	for _, tg := range []string{"osg-3.6-el9-development", "osg-3.6-el9-testing", "osg-3.6-el9-release"} {
		step(h.PackageListAdd(ctx, koji.ByName(tg), koji.ByName("hello"), koji.PackageListAddOpts{Owner: koji.ByName("kojiadmin")}))
	}
	for _, r := range []string{"1.osg36.el9", "2.osg36.el9"} {
		_, err := h.CreateEmptyBuild(ctx, "hello", "1.0", r, nil, koji.CreateEmptyBuildOpts{})
		step(err)
	}
	// RPM rows as an import would make them, two of them signed
	step(h.db.Write(ctx, func(tx *store.Tx) error {
		for i, b := range []int{1, 1, 2, 2} {
			arch := []string{"src", "noarch"}[i%2]
			id, err := tx.Insert(`INSERT INTO rpminfo (build_id, name, version, release, arch, payloadhash, size, buildtime)
				VALUES (?, 'hello', '1.0', ?, ?, ?, 7517, 1795344331)`, b, fmt.Sprintf("%d.osg36.el9", b), arch, fmt.Sprintf("%032x", i))
			if err != nil {
				return err
			}
			if _, err := tx.Exec(`INSERT INTO rpmsigs (rpm_id, sigkey, sighash) VALUES (?, '', ?)`, id, fmt.Sprintf("%032x", i+10)); err != nil {
				return err
			}
			if id == 3 {
				for _, k := range []string{"c3d46f4a", "1887c61a"} {
					if _, err := tx.Exec(`INSERT INTO rpmsigs (rpm_id, sigkey, sighash) VALUES (?, ?, ?)`, id, k, fmt.Sprintf("%032x", i+20)); err != nil {
						return err
					}
				}
			}
		}
		return nil
	}))
	for _, b := range []struct{ tag, nvr string }{{"osg-3.6-el9-development", "hello-1.0-1.osg36.el9"},
		{"osg-3.6-el9-development", "hello-1.0-2.osg36.el9"}, {"osg-3.6-el9-testing", "hello-1.0-1.osg36.el9"}} {
		_, err := h.TagBuild(ctx, koji.ByName(b.tag), koji.ByName(b.nvr), koji.TagBuildOpts{})
		step(err)
	}
	// a newRepo task (id 4 here) with a createrepo child, done, and its repo
	tid, err := h.NewRepo(ctx, koji.ByName("osg-3.6-el9-build"), koji.NewRepoOpts{})
	step(err)
	step(h.db.Write(ctx, func(tx *store.Tx) error {
		ev, err := tx.Event()
		if err != nil {
			return err
		}
		label := "x86_64"
		parent := int64(tid)
		kid, err := makeTask(tx, taskSpec{Method: "createrepo", Params: []any{1, "x86_64", nil}, Owner: 1, Priority: 14,
			Arch: "noarch", Channel: "createrepo", Parent: &parent, Label: &label, Weight: 1.5})
		if err != nil {
			return err
		}
		hu, err := tx.Insert(`INSERT INTO users (name, usertype) VALUES ('builder', 1)`)
		if err != nil {
			return err
		}
		host, err := tx.Insert(`INSERT INTO host (user_id, name) VALUES (?, 'builder')`, hu)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(`UPDATE task SET host_id = ? WHERE id IN (?, ?)`, host, kid, tid); err != nil {
			return err
		}
		if _, err := tx.Exec(`UPDATE task SET awaited = CASE WHEN id = ? THEN 0 END WHERE id IN (?, ?)`, kid, kid, tid); err != nil {
			return err
		}
		if err := finishTask(tx, kid, nil, nil); err != nil {
			return err
		}
		if _, err := tx.Exec(`UPDATE task SET waiting = 0 WHERE id = ?`, tid); err != nil {
			return err
		}
		rid, err := tx.Insert(`INSERT INTO repo (creation_time, create_event, state_time, begin_event, tag_id, state, opts, custom_opts, task_id)
			VALUES (?, ?, ?, ?, 4, 1, '{"src": false, "debuginfo": false, "separate_src": false, "maven": false}', '{}', ?)`,
			tx.NowTS(), ev, tx.NowTS(), ev, tid)
		if err != nil {
			return err
		}
		if err := finishTask(tx, int64(tid), []any{rid, ev}, nil); err != nil {
			return err
		}
		dir := h.taskDir(int(kid))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dir, "createrepo.log"), []byte("ok\n"), 0o644)
	}))
	return h
}

// shape describes a decoded XML-RPC value's structure: member names and
// value kinds, nil kept apart.
func shape(v any) string {
	switch x := v.(type) {
	case nil:
		return "nil"
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var b strings.Builder
		b.WriteString("{")
		for _, k := range keys {
			fmt.Fprintf(&b, "%s:%s ", k, shape(x[k]))
		}
		return strings.TrimSpace(b.String()) + "}"
	case []any:
		if len(x) == 0 {
			return "[]"
		}
		return "[" + shape(x[0]) + "]"
	case int, int64, int32:
		return "int"
	}
	return fmt.Sprintf("%T", v)
}

// TestWireShapes answers the requests of the real Koji traffic in
// koji-wire and compares the answers' shapes (member names, types, nils)
// and fault codes and texts with the real hub's.
func TestWireShapes(t *testing.T) {
	h := goldenHub(t)
	anon := WithCaller(context.Background(), nil)
	skip := map[string]string{
		"multiCall": "covered by the handler tests",
	}
	reqs, _ := filepath.Glob(filepath.Join(wireDir, "*.request.xml"))
	n := 0
	for _, req := range reqs {
		name := strings.TrimSuffix(filepath.Base(req), ".request.xml")
		if strings.HasPrefix(name, "auth_") || skip[name] != "" {
			continue
		}
		t.Run(name, func(t *testing.T) {
			body, _ := os.ReadFile(req)
			method, params, err := xmlrpc.DecodeCallBytes(body)
			if err != nil {
				t.Fatal(err)
			}
			resp, _ := os.ReadFile(strings.TrimSuffix(req, ".request.xml") + ".response.xml")
			want, wantErr := xmlrpc.DecodeResponseBytes(resp)
			// the real hub's task 1 is task 4 here
			if method == "getTaskChildren" || method == "getTaskResult" || method == "listTaskOutput" || method == "getTaskInfo" {
				if method == "listTaskOutput" {
					params[0] = int64(5)
				} else {
					params[0] = int64(4)
				}
			}
			got, err := h.dispatch(anon, method, params, nil)
			var wf *xmlrpc.Fault
			if errors.As(wantErr, &wf) {
				f := asFault(err)
				if err == nil || f.Code != wf.Code || f.String != wf.String {
					t.Fatalf("got %v, %v; want fault %d %q", got, err, wf.Code, wf.String)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			g, err := toGeneric(got)
			if err != nil {
				t.Fatal(err)
			}
			if method == "queryHistory" {
				gm, wm := g.(map[string]any), want.(map[string]any)
				for k, wv := range wm {
					if shape(wv) == "[]" || shape(gm[k]) == "[]" {
						continue
					}
					if shape(gm[k]) != shape(wv) {
						t.Errorf("%s rows:\n got %s\nwant %s", k, shape(gm[k]), shape(wv))
					}
				}
				return
			}
			if gs, ws := shape(g), shape(want); gs != ws {
				t.Errorf("shape:\n got %s\nwant %s", gs, ws)
			}
		})
		n++
	}
	if n < 25 {
		t.Errorf("only %d golden requests compared", n)
	}
}
