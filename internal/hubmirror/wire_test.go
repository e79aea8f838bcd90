package hubmirror

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/osg-htc/osg-build-go/internal/testutil"
	"github.com/osg-htc/osg-build-go/internal/xmlrpc"
	"github.com/osg-htc/osg-build-go/pkg/koji"
	"github.com/osg-htc/osg-build-go/pkg/rpm"
)

// wireDir holds the traffic of a real Koji 1.35.3 hub (see its README.md):
// tags osg-3.6-el9-development (1), -testing (2, inherits -release),
// -release (3), -build (4, x86_64, inherits -development); target
// osg-3.6-el9; package hello; builds hello-1.0-1.osg36.el9 (development and
// testing) and hello-1.0-2.osg36.el9 (development).
const wireDir = "../../testdata/xmlrpc/koji-wire"

// wireSigs are the parameters of Koji 1.35's hub calls the mirror makes
// (kojihub.py): a call with another keyword argument is refused as Koji
// refuses it (getTag_wrong_kwarg).
var wireSigs = map[string][]string{
	"getLastEvent":        {"before", "strict"},
	"getKojiVersion":      {},
	"getBuildTarget":      {"info", "event", "strict"},
	"getTag":              {"tagInfo", "strict", "event", "blocked"},
	"getFullInheritance":  {"tag", "event", "reverse"},
	"getInheritanceData":  {"tag", "event"},
	"getTagExternalRepos": {"tag_info", "repo_info", "event"},
	"getTagGroups":        {"tag", "event", "inherit", "incl_pkgs", "incl_reqs", "incl_blocked"},
	"listPackages": {"tagID", "userID", "pkgID", "prefix", "inherited", "with_dups", "event", "queryOpts",
		"with_owners", "with_blocked"},
	"listTagged":   {"tag", "event", "inherit", "prefix", "latest", "package", "owner", "type", "strict", "extra", "draft"},
	"listRPMs":     {"buildID", "buildrootID", "imageID", "componentBuildrootID", "hostID", "arches", "queryOpts", "draft"},
	"queryHistory": nil, // queryHistory(tables=None, **kwargs)
}

// historyKwargs are the keyword arguments Koji 1.35's queryHistory takes.
var historyKwargs = []string{"tables", "tag", "build", "package", "user", "permission", "cg", "external_repo", "build_target",
	"group", "host", "channel", "xkey", "before", "after", "beforeEvent", "afterEvent", "active", "editor"}

// wireFuncs are the Python names in Koji's "unexpected keyword" faults.
var wireFuncs = map[string]string{"getTag": "get_tag", "getTagGroups": "readTagGroups", "listPackages": "list_packages",
	"listTagged": "list_tagged", "listRPMs": "list_rpms", "getFullInheritance": "getFullInheritance",
	"getInheritanceData": "getInheritanceData", "getTagExternalRepos": "get_tag_external_repos",
	"getBuildTarget": "get_build_target", "getLastEvent": "getLastEvent", "getKojiVersion": "getKojiVersion"}

func wireValue(t *testing.T, name string) any {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(wireDir, name+".response.xml"))
	if err != nil {
		t.Fatal(err)
	}
	v, err := xmlrpc.DecodeResponseBytes(b)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return v
}

func wireFault(t *testing.T, name string) *xmlrpc.Fault {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(wireDir, name+".response.xml"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = xmlrpc.DecodeResponseBytes(b)
	f, ok := err.(*xmlrpc.Fault)
	if !ok {
		t.Fatalf("%s: %v, want a fault", name, err)
	}
	return f
}

// clone deep-copies a decoded XML-RPC value.
func clone(v any) any {
	switch x := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = clone(e)
		}
		return m
	case []any:
		s := make([]any, len(x))
		for i, e := range x {
			s[i] = clone(e)
		}
		return s
	}
	return v
}

func structs(v any) []map[string]any {
	var out []map[string]any
	for _, e := range v.([]any) {
		out = append(out, e.(map[string]any))
	}
	return out
}

func anys(ms []map[string]any) []any {
	out := make([]any, len(ms))
	for i, m := range ms {
		out[i] = m
	}
	return out
}

func num(v any) int {
	n, _ := xmlrpc.Int(v)
	return int(n)
}

// wireHub is a remote that answers multiCall with the values a real Koji
// 1.35.3 answered (the recordings), adapted to each call's arguments.
type wireHub struct {
	koji.Hub
	t     *testing.T
	tags  map[string]map[string]any // getTag answers by name
	ids   map[int]string            // tag names by id
	links map[string][]any          // getInheritanceData answers
	full  map[string][]any          // getFullInheritance answers
	pkgs  map[string][]map[string]any
	// tagged are each tag's taggings (listTagged), newest first as Koji
	// orders them
	tagged map[string][]map[string]any
	rpms   map[int][]any // listRPMs by build id
	hist   map[string]map[string]any
	event  any
	faults struct{ strictMissing, wrongKwarg, noMethod *xmlrpc.Fault }
	calls  []string
}

func newWireHub(t *testing.T) *wireHub {
	w := &wireHub{t: t, tags: map[string]map[string]any{}, ids: map[int]string{}, links: map[string][]any{},
		full: map[string][]any{}, pkgs: map[string][]map[string]any{}, tagged: map[string][]map[string]any{},
		rpms: map[int][]any{}, hist: map[string]map[string]any{}}
	w.event = wireValue(t, "getLastEvent")
	w.faults.strictMissing = wireFault(t, "getTag_strict_missing")
	w.faults.wrongKwarg = wireFault(t, "getTag_wrong_kwarg")
	w.faults.noMethod = wireFault(t, "noSuchMethod")
	// every tag with the recorded getTag shape, its name, id and arches
	// from listTags
	shape := wireValue(t, "getTag").(map[string]any)
	for _, e := range structs(wireValue(t, "listTags")) {
		tag := clone(shape).(map[string]any)
		for _, k := range []string{"name", "id", "arches", "locked", "perm", "perm_id"} {
			tag[k] = e[k]
		}
		name := e["name"].(string)
		w.tags[name] = tag
		w.ids[num(e["id"])] = name
	}
	// inheritance: the build tag's full inheritance and testing's data
	// are recorded; each is the other's shape
	bfull := wireValue(t, "getFullInheritance").([]any)
	tdata := wireValue(t, "getInheritanceData").([]any)
	w.full["osg-3.6-el9-build"] = bfull
	w.links["osg-3.6-el9-testing"] = tdata
	var blinks []any
	for _, l := range structs(clone(bfull)) {
		delete(l, "currdepth")
		delete(l, "nextdepth")
		delete(l, "filter")
		blinks = append(blinks, l)
	}
	w.links["osg-3.6-el9-build"] = blinks
	var tfull []any
	for _, l := range structs(clone(tdata)) {
		l["currdepth"], l["nextdepth"], l["filter"] = 1, nil, []any{}
		tfull = append(tfull, l)
	}
	w.full["osg-3.6-el9-testing"] = tfull
	// package lists: development's is recorded; testing's entry is in its
	// history (tag_packages)
	dev := structs(wireValue(t, "listPackages"))
	w.pkgs["osg-3.6-el9-development"] = dev
	te := clone(dev[0]).(map[string]any)
	te["tag_id"], te["tag_name"] = 2, "osg-3.6-el9-testing"
	w.pkgs["osg-3.6-el9-testing"] = []map[string]any{te}
	// taggings: development's are recorded (newest first); testing holds
	// hello-1.0-1 (tagged at event 51, its history)
	dt := structs(wireValue(t, "listTagged"))
	w.tagged["osg-3.6-el9-development"] = dt
	for _, b := range dt {
		if b["nvr"] == "hello-1.0-1.osg36.el9" {
			tb := clone(b).(map[string]any)
			tb["tag_id"], tb["tag_name"], tb["create_event"] = 2, "osg-3.6-el9-testing", 51
			w.tagged["osg-3.6-el9-testing"] = []map[string]any{tb}
		}
	}
	// the RPMs of build 2 are recorded; build 1's are the same files of
	// its N-V-R
	r2 := wireValue(t, "listRPMs").([]any)
	w.rpms[2] = r2
	var r1 []any
	for _, x := range structs(clone(r2)) {
		x["build_id"], x["id"] = 1, num(x["id"])-2
		x["nvr"], x["release"] = "hello-1.0-1.osg36.el9", "1.osg36.el9"
		r1 = append(r1, x)
	}
	w.rpms[1] = r1
	w.hist["osg-3.6-el9-testing"] = wireValue(t, "queryHistory").(map[string]any)
	return w
}

// argsOf maps a call's positional and keyword arguments to Koji's
// parameter names, refusing what Koji refuses.
func (w *wireHub) argsOf(c koji.Call) (map[string]any, *xmlrpc.Fault) {
	sig, ok := wireSigs[c.Method]
	if !ok {
		return nil, &xmlrpc.Fault{Code: w.faults.noMethod.Code, String: strings.Replace(w.faults.noMethod.String, "noSuchMethod", c.Method, 1)}
	}
	a := map[string]any{}
	if c.Method == "queryHistory" {
		sig = []string{"tables"}
	}
	if len(c.Args) > len(sig) {
		return nil, &xmlrpc.Fault{Code: koji.ParameterError, String: fmt.Sprintf("%s() takes %d positional arguments", c.Method, len(sig))}
	}
	for i, v := range c.Args {
		a[sig[i]] = v
	}
	for k, v := range c.Kwargs {
		if c.Method != "queryHistory" && !contains(sig, k) {
			return nil, &xmlrpc.Fault{Code: w.faults.wrongKwarg.Code,
				String: strings.NewReplacer("get_tag", wireFuncs[c.Method], "bogus", k).Replace(w.faults.wrongKwarg.String)}
		}
		if _, dup := a[k]; dup {
			return nil, &xmlrpc.Fault{Code: koji.ParameterError, String: fmt.Sprintf("%s() got multiple values for argument '%s'", c.Method, k)}
		}
		a[k] = v
	}
	return a, nil
}

func contains(s []string, x string) bool {
	for _, e := range s {
		if e == x {
			return true
		}
	}
	return false
}

// tagName resolves a tag given by name or id.
func (w *wireHub) tagName(v any) string {
	if n, ok := xmlrpc.Int(v); ok {
		return w.ids[int(n)]
	}
	return fmt.Sprint(v)
}

func (w *wireHub) answer(c koji.Call) (any, *xmlrpc.Fault) {
	a, f := w.argsOf(c)
	if f != nil {
		return nil, f
	}
	if ev, ok := a["event"]; ok && num(ev) != num(w.event.(map[string]any)["id"]) {
		w.t.Errorf("%s at event %v, want the last event", c.Method, ev)
	}
	switch c.Method {
	case "getLastEvent":
		return w.event, nil
	case "getKojiVersion":
		return wireValue(w.t, "getKojiVersion"), nil
	case "getBuildTarget":
		if a["info"] == "osg-3.6-el9" {
			return wireValue(w.t, "getBuildTarget"), nil
		}
		return nil, nil
	case "getTag":
		name := w.tagName(a["tagInfo"])
		if tag, ok := w.tags[name]; ok {
			return tag, nil
		}
		if a["strict"] == true {
			return nil, &xmlrpc.Fault{Code: w.faults.strictMissing.Code, String: strings.Replace(w.faults.strictMissing.String, "no-such-tag", name, 1)}
		}
		return nil, nil
	}
	// the calls on a tag
	key := map[string]string{"getFullInheritance": "tag", "getInheritanceData": "tag", "getTagExternalRepos": "tag_info",
		"getTagGroups": "tag", "listPackages": "tagID", "listTagged": "tag", "queryHistory": "tag"}[c.Method]
	name := ""
	if key != "" {
		name = w.tagName(a[key])
		if _, ok := w.tags[name]; !ok {
			return nil, &xmlrpc.Fault{Code: w.faults.strictMissing.Code, String: strings.Replace(w.faults.strictMissing.String, "no-such-tag", name, 1)}
		}
	}
	switch c.Method {
	case "getFullInheritance":
		return orEmpty(w.full[name]), nil
	case "getInheritanceData":
		return orEmpty(w.links[name]), nil
	case "getTagExternalRepos", "getTagGroups":
		// none recorded for a tag: what Koji answers for none (the build
		// tag's recorded getExternalRepoList is that)
		return wireValue(w.t, "getExternalRepoList"), nil
	case "listPackages":
		var out []map[string]any
		for _, e := range w.pkgs[name] {
			if p, ok := a["pkgID"]; !ok || p == e["package_name"] {
				out = append(out, e)
			}
		}
		return orEmpty(anys(out)), nil
	case "listTagged":
		if a["inherit"] == true {
			w.t.Errorf("listTagged %s with inherit", name)
		}
		var out []map[string]any
		seen := map[string]bool{}
		bs := append([]map[string]any(nil), w.tagged[name]...)
		sort.SliceStable(bs, func(i, j int) bool { return num(bs[i]["create_event"]) > num(bs[j]["create_event"]) })
		for _, b := range bs {
			pn := b["package_name"].(string)
			if p, ok := a["package"]; ok && p != pn {
				continue
			}
			if a["latest"] == true && seen[pn] {
				continue
			}
			seen[pn] = true
			out = append(out, b)
		}
		return orEmpty(anys(out)), nil
	case "listRPMs":
		return orEmpty(w.rpms[num(a["buildID"])]), nil
	case "queryHistory":
		for k := range a {
			if !contains(historyKwargs, k) {
				return nil, &xmlrpc.Fault{Code: koji.ParameterError, String: "invalid parameter: " + k}
			}
		}
		after := num(a["afterEvent"])
		out := map[string]any{}
		rec := w.hist[name]
		tables, _ := a["tables"].([]string)
		for _, table := range tables {
			// the recorded answer (no tables asked) has every table
			if _, ok := w.hist["osg-3.6-el9-testing"][table]; !ok {
				return nil, &xmlrpc.Fault{Code: koji.GenericError, String: "No such history table: " + table}
			}
			var rows []any
			if rec != nil {
				for _, row := range structs(rec[table]) {
					if num(row["create_event"]) > after || row["revoke_event"] != nil && num(row["revoke_event"]) > after {
						rows = append(rows, row)
					}
				}
			}
			out[table] = orEmpty(rows)
		}
		return out, nil
	}
	return nil, &xmlrpc.Fault{Code: koji.GenericError, String: "unhandled " + c.Method}
}

func orEmpty(v []any) []any {
	if v == nil {
		return []any{}
	}
	return v
}

func (w *wireHub) MultiCall(ctx context.Context, calls []koji.Call, o koji.MultiCallOpts) ([]koji.CallResult, error) {
	out := make([]koji.CallResult, len(calls))
	for i, c := range calls {
		w.calls = append(w.calls, c.Method)
		v, f := w.answer(c)
		if f != nil {
			out[i] = koji.CallResult{Fault: &koji.Fault{Code: f.Code, String: f.String}}
			continue
		}
		// as the client decodes it (ints set here as Go ints)
		g, err := xmlrpc.Generic(clone(v))
		if err != nil {
			return nil, err
		}
		out[i] = koji.CallResult{Value: g}
	}
	return out, nil
}

// wireRPMs builds hello-1.0-1 and -2.osg36.el9 (noarch and source RPMs)
// with rpmbuild and puts their sizes and payload hashes in the remote's
// listRPMs answers, as the real hub's would be for these files; it
// answers the files by their path under the topurl.
func wireRPMs(t *testing.T, w *wireHub) Fetch {
	t.Helper()
	testutil.RequireTool(t, "rpmbuild")
	top := t.TempDir()
	spec := filepath.Join(top, "hello.spec")
	if err := os.WriteFile(spec, []byte(`Name: hello
Version: 1.0
Release: %{rel}%{?dist}
Summary: Says hello
License: MIT
BuildArch: noarch
%description
Says hello.
%install
mkdir -p %{buildroot}%{_datadir}/hello
echo hello > %{buildroot}%{_datadir}/hello/hello.txt
%files
%{_datadir}/hello/hello.txt
`), 0o644); err != nil {
		t.Fatal(err)
	}
	files := map[string]string{} // remote path -> local file
	for _, rel := range []int{1, 2} {
		cmd := exec.Command("rpmbuild", "-ba", "--quiet", "--define", "_topdir "+top, "--define", "dist .osg36.el9",
			"--define", fmt.Sprintf("rel %d", rel), spec)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("rpmbuild: %v\n%s", err, out)
		}
		for _, x := range structs(w.rpms[rel]) {
			fn := fmt.Sprintf("hello-1.0-%d.osg36.el9.%s.rpm", rel, x["arch"])
			p := filepath.Join(top, "RPMS", "noarch", fn)
			if x["arch"] == "src" {
				p = filepath.Join(top, "SRPMS", fn)
			}
			f, err := rpm.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			st, err := os.Stat(p)
			if err != nil {
				t.Fatal(err)
			}
			x["payloadhash"], x["size"] = f.SigMD5(), int(st.Size())
			files[path.Join("packages", "hello", "1.0", fmt.Sprintf("%d.osg36.el9", rel), x["arch"].(string), fn)] = p
		}
	}
	return func(ctx context.Context, rel string, wr io.Writer) error {
		p, ok := files[rel]
		if !ok {
			return fmt.Errorf("download %s: HTTP 404", rel)
		}
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		_, err = io.Copy(wr, f)
		return err
	}
}

// TestWireMirror mirrors the real hub of the recordings (the target and the
// testing tag, whose chain has release) into an embedded hub and checks
// what the local hub then has.
func TestWireMirror(t *testing.T) {
	ctx := context.Background()
	const source = "https://koji.example/kojihub"
	args := []string{"osg-3.6-el9", "osg-3.6-el9-testing"}
	for _, mode := range []string{RPMsNone, RPMsLatest} {
		t.Run(mode, func(t *testing.T) {
			w := newWireHub(t)
			// the recorded build tag's extra is empty: give it what OSG's
			// have (a string, and a boolean as Koji keeps them)
			w.tags["osg-3.6-el9-build"]["extra"] = map[string]any{"rpm.macro.dist": ".osg36.el9", "mock.new_chroot": false}
			var fetch Fetch
			if mode == RPMsLatest {
				fetch = wireRPMs(t, w)
			}
			b := openHub(t, "me")
			run := func(since bool) *Summary {
				t.Helper()
				dl := &Downloader{Fetch: fetch, Dir: filepath.Join(b.TopDir(), "work", "mirror-cache")}
				sum, err := Run(ctx, &Remote{Hub: w}, b, Options{Source: source, Args: args, RPMs: mode, Downloader: dl, NoRepos: true, SinceLast: since})
				if err != nil {
					t.Fatal(err)
				}
				return sum
			}
			sum := run(false)
			wantReq, wantImp := 3, 0
			if mode == RPMsLatest {
				wantReq, wantImp = 4, 2
			}
			if sum.Requests != wantReq || sum.Imported != wantImp || sum.Event != 68 {
				t.Errorf("%d requests, %d imported, event %d; want %d, %d, 68", sum.Requests, sum.Imported, sum.Event, wantReq, wantImp)
			}
			// the four tags, their arches, extra, marks and parents
			for name, want := range map[string]struct {
				arches, parent string
				prio           int
			}{
				"osg-3.6-el9-build": {"x86_64", "osg-3.6-el9-development", 0}, "osg-3.6-el9-development": {"", "", 0},
				"osg-3.6-el9-testing": {"", "osg-3.6-el9-release", 10}, "osg-3.6-el9-release": {"", "", 0},
			} {
				tag, err := b.GetTag(ctx, koji.ByName(name), koji.GetTagOpts{Strict: true})
				if err != nil {
					t.Fatal(err)
				}
				if strOr(tag.Arches) != want.arches || tag.Extra[ExtraSource] != source || tag.Extra[ExtraEvent] != "68" || tag.Perm != nil || tag.Locked {
					t.Errorf("%s: %+v", name, tag)
				}
				parents, err := b.GetInheritanceData(ctx, koji.ByName(name), koji.EventOpts{})
				if err != nil {
					t.Fatal(err)
				}
				if want.parent == "" && len(parents) != 0 ||
					want.parent != "" && (len(parents) != 1 || parents[0].Name != want.parent || parents[0].Priority != want.prio || parents[0].MaxDepth != nil) {
					t.Errorf("%s's parents %+v, want %s (%d)", name, parents, want.parent, want.prio)
				}
			}
			bt, _ := b.GetTag(ctx, koji.ByName("osg-3.6-el9-build"), koji.GetTagOpts{})
			if bt.Extra["rpm.macro.dist"] != ".osg36.el9" || bt.Extra["mock.new_chroot"] != false {
				t.Errorf("build tag extra %v", bt.Extra)
			}
			tgt, _ := b.GetBuildTarget(ctx, koji.ByName("osg-3.6-el9"), koji.GetBuildTargetOpts{})
			if tgt == nil || tgt.BuildTagName != "osg-3.6-el9-build" || tgt.DestTagName != "osg-3.6-el9-development" {
				t.Errorf("target %+v", tgt)
			}
			loc, _ := b.GetBuildTarget(ctx, koji.ByName("osg-3.6-el9-local"), koji.GetBuildTargetOpts{})
			if loc == nil || loc.BuildTagName != "osg-3.6-el9-local" {
				t.Errorf("local target %+v", loc)
			}
			for _, name := range []string{"osg-3.6-el9-development", "osg-3.6-el9-testing"} {
				pk, err := b.ListPackages(ctx, koji.ListPackagesOpts{TagID: koji.ByName(name), WithOwners: koji.Ptr(true)})
				if err != nil || len(pk) != 1 || pk[0].PackageName != "hello" || pk[0].OwnerName != "kojiadmin" || pk[0].Blocked {
					t.Errorf("%s's package list %+v %v", name, pk, err)
				}
			}
			// the builds, with the remote N-V-Rs and owner
			for name, want := range map[string]string{"osg-3.6-el9-development": "hello-1.0-2.osg36.el9", "osg-3.6-el9-testing": "hello-1.0-1.osg36.el9",
				"osg-3.6-el9-build": "", "osg-3.6-el9-release": ""} {
				lt, err := b.ListTagged(ctx, koji.ByName(name), koji.ListTaggedOpts{})
				if err != nil {
					t.Fatal(err)
				}
				var got []string
				for _, x := range lt {
					got = append(got, x.NVR+"/"+x.OwnerName)
				}
				if mode == RPMsNone || want == "" {
					if len(got) != 0 {
						t.Errorf("%s holds %v, want nothing", name, got)
					}
					continue
				}
				if len(got) != 1 || got[0] != want+"/kojiadmin" {
					t.Errorf("%s holds %v, want %s/kojiadmin", name, got, want)
				}
				bld, _ := b.GetBuild(ctx, koji.ByName(want), koji.GetBuildOpts{})
				if bld == nil || bld.State != koji.BuildComplete || bld.Epoch != nil {
					t.Errorf("build %+v", bld)
					continue
				}
				rpms, _ := b.ListRPMs(ctx, koji.ListRPMsOpts{BuildID: &bld.ID})
				if len(rpms) != 2 {
					t.Errorf("%s has %d RPMs, want 2", want, len(rpms))
				}
			}
			if mode == RPMsLatest {
				lt, _ := b.ListTagged(ctx, koji.ByName("osg-3.6-el9-build"), koji.ListTaggedOpts{Inherit: true, Latest: koji.LatestOne})
				if len(lt) != 1 || lt[0].NVR != "hello-1.0-2.osg36.el9" {
					t.Errorf("latest in the build tag %+v (the recorded listTagged_inherit_latest has hello-1.0-2)", lt)
				}
			}
			// a re-run at the same event changes nothing
			if sum := run(false); !sum.Plan.Empty() || len(sum.Plan.Mark) != 0 || sum.Imported != 0 {
				t.Errorf("re-run plans %s, marks %v", sum.Plan.Counts(), sum.Plan.Mark)
			}
			// --since-last from an earlier event of testing: its recorded
			// history (hello tagged at 51) is read, and nothing changes
			if err := b.EditTag2(ctx, koji.ByName("osg-3.6-el9-testing"), koji.EditTagOpts{Extra: map[string]any{ExtraEvent: "50"}}); err != nil {
				t.Fatal(err)
			}
			w.calls = nil
			sum = run(true)
			if !sum.Plan.Empty() || !reflectEqual(sum.Plan.Mark, []string{"osg-3.6-el9-testing"}) {
				t.Errorf("--since-last plans %s, marks %v", sum.Plan.Counts(), sum.Plan.Mark)
			}
			if n := strings.Count(strings.Join(w.calls, " "), "queryHistory"); n != 4 {
				t.Errorf("%d queryHistory calls, want 4: %v", n, w.calls)
			}
			if mode == RPMsLatest && !contains(w.calls, "listTagged") {
				t.Errorf("--since-last did not re-read hello's taggings in testing: %v", w.calls)
			}
			if tag, _ := b.GetTag(ctx, koji.ByName("osg-3.6-el9-testing"), koji.GetTagOpts{}); tag.Extra[ExtraEvent] != "68" {
				t.Errorf("testing's event %v", tag.Extra[ExtraEvent])
			}
		})
	}
}

func reflectEqual(a, b []string) bool { return strings.Join(a, "\x00") == strings.Join(b, "\x00") }

// TestWireReadFaults: an unknown name is not found (getTag answers nil, as
// the recorded getTag_missing), and a fault of a real hub is named with
// what was asked.
func TestWireReadFaults(t *testing.T) {
	w := newWireHub(t)
	r := &Remote{Hub: w}
	_, err := r.Read(context.Background(), "https://koji.example/kojihub", ReadOptions{Args: []string{"no-such-tag"}})
	if err == nil || !strings.Contains(err.Error(), "no such target or tag on https://koji.example/kojihub: no-such-tag") {
		t.Errorf("err %v", err)
	}
	// the fake refuses what Koji refuses, with its fault
	err = r.batch(context.Background(), []call{{what: "getTag", Call: koji.Call{Method: "getTag", Args: []any{"osg-3.6-el9-build"},
		Kwargs: map[string]any{"bogus": 1}}}})
	if !koji.IsUnexpectedKeyword(err) || !strings.Contains(err.Error(), "get_tag() got an unexpected keyword argument 'bogus'") {
		t.Errorf("err %v: want the recorded getTag_wrong_kwarg fault", err)
	}
	// a tag of the chain gone between the reads: the strict getTag's fault
	delete(w.tags, "osg-3.6-el9-development")
	_, err = r.Read(context.Background(), "https://koji.example/kojihub", ReadOptions{Args: []string{"osg-3.6-el9"}})
	if err == nil || !strings.Contains(err.Error(), "No such tagInfo: 'osg-3.6-el9-development'") {
		t.Errorf("err %v", err)
	}
}
