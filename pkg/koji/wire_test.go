package koji

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/osg-htc/osg-build-go/internal/xmlrpc"
)

// wireDir holds the traffic of a real Koji 1.35.3 hub (see its README.md).
const wireDir = "../../testdata/xmlrpc/koji-wire"

// goldenTypes maps each recorded response to the Go type it decodes into.
var goldenTypes = map[string]func() any{
	"getAPIVersion":             func() any { return new(int) },
	"getKojiVersion":            func() any { return new(string) },
	"hello":                     func() any { return new(string) },
	"getBuildTarget":            func() any { return new(BuildTarget) },
	"getBuildTargets":           func() any { return new([]BuildTarget) },
	"getTag":                    func() any { return new(Tag) },
	"getTag_missing":            func() any { return new(*Tag) },
	"getBuildConfig":            func() any { return new(BuildConfig) },
	"listTags":                  func() any { return new([]TagEntry) },
	"getInheritanceData":        func() any { return new([]InheritanceLink) },
	"getFullInheritance":        func() any { return new([]FullInheritanceLink) },
	"listTagged":                func() any { return new([]TaggedBuild) },
	"listTagged_inherit_latest": func() any { return new([]TaggedBuild) },
	"getLatestBuilds":           func() any { return new([]TaggedBuild) },
	"getBuild":                  func() any { return new(Build) },
	"listRPMs":                  func() any { return new([]RPM) },
	"queryRPMSigs":              func() any { return new([]RPMSig) },
	"listPackages":              func() any { return new([]PackageListEntry) },
	"getPackage":                func() any { return new(Package) },
	"getTaskInfo":               func() any { return new(TaskInfo) },
	"getTaskChildren":           func() any { return new([]TaskInfo) },
	"getTaskResult":             func() any { return new([]int) },
	"listTaskOutput":            func() any { return new([]string) },
	"listTasks":                 func() any { return new([]TaskInfo) },
	"getRepo":                   func() any { return new(Repo) },
	"repoInfo":                  func() any { return new(Repo) },
	"getExternalRepoList":       func() any { return new([]TagExternalRepo) },
	"getLastEvent":              func() any { return new(Event) },
	"getLoggedInUser":           func() any { return new(*LoggedInUser) },
	"getAllPerms":               func() any { return new([]Permission) },
	"queryHistory":              func() any { return new(History) },
	"auth_sslLogin":             func() any { return new(SessionInfo) },
	"auth_getLoggedInUser":      func() any { return new(LoggedInUser) },
	"auth_getPerms":             func() any { return new([]string) },
	"auth_replayed_callnum":     func() any { return new([]string) },
	"auth_callnum_backwards":    func() any { return new([]string) },
	"auth_checkUpload":          func() any { return new(UploadInfo) },
	"auth_logout":               func() any { return new(any) },
	"upload_chunk":              func() any { return new(UploadChunkResult) },
}

// goldenFaults are the recorded responses that are faults.
var goldenFaults = map[string]int{
	"getTag_strict_missing": GenericError,
	"getTag_wrong_kwarg":    ParameterError,
	"createTag_anonymous":   ActionNotAllowed,
	"noSuchMethod":          GenericError,
}

type wireIndexEntry struct {
	Name string `json:"name"`
}

func readWire(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(wireDir, name+".response.xml"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestGoldenCoverage makes sure every recorded response is checked.
func TestGoldenCoverage(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(wireDir, "index.json"))
	if err != nil {
		t.Fatal(err)
	}
	var idx []wireIndexEntry
	if err := json.Unmarshal(b, &idx); err != nil {
		t.Fatal(err)
	}
	for _, e := range idx {
		_, typed := goldenTypes[e.Name]
		_, fault := goldenFaults[e.Name]
		if !typed && !fault && e.Name != "multiCall" {
			t.Errorf("recorded response %s is not covered by the decode tests", e.Name)
		}
	}
}

// TestGoldenRoundTrip decodes every recorded response into its Go type and
// encodes it back: the result must be the same XML-RPC value (every member
// present with its type, nil where Koji sends nil, nothing added).
func TestGoldenRoundTrip(t *testing.T) {
	for name, mk := range goldenTypes {
		t.Run(name, func(t *testing.T) {
			want, err := xmlrpc.DecodeResponseBytes(readWire(t, name))
			if err != nil {
				t.Fatal(err)
			}
			dst := mk()
			if err := xmlrpc.Unmarshal(want, dst); err != nil {
				t.Fatalf("unmarshal into %T: %v", dst, err)
			}
			var buf bytes.Buffer
			if err := xmlrpc.EncodeResponse(&buf, reflect.ValueOf(dst).Elem().Interface()); err != nil {
				t.Fatal(err)
			}
			got, err := xmlrpc.DecodeResponseBytes(buf.Bytes())
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				diffValues(t, "", got, want)
			}
		})
	}
}

func diffValues(t *testing.T, path string, got, want any) {
	t.Helper()
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			t.Errorf("%s: got %T, want a struct", path, got)
			return
		}
		for k, wv := range w {
			gv, ok := g[k]
			if !ok {
				t.Errorf("%s.%s: missing after round trip (want %#v)", path, k, wv)
				continue
			}
			diffValues(t, path+"."+k, gv, wv)
		}
		for k, gv := range g {
			if _, ok := w[k]; !ok {
				t.Errorf("%s.%s: added by round trip (%#v)", path, k, gv)
			}
		}
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			t.Errorf("%s: got %#v, want %#v", path, got, want)
			return
		}
		for i := range w {
			diffValues(t, path+"[]", g[i], w[i])
		}
	default:
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: got %#v (%T), want %#v (%T)", path, got, got, want, want)
		}
	}
}

func TestGoldenFaults(t *testing.T) {
	for name, code := range goldenFaults {
		_, err := xmlrpc.DecodeResponseBytes(readWire(t, name))
		f, ok := err.(*xmlrpc.Fault)
		if !ok || f.Code != code {
			t.Errorf("%s: got %v, want fault %d", name, err, code)
		}
	}
}

// TestGoldenValues spot-checks decoded values of the recorded traffic.
func TestGoldenValues(t *testing.T) {
	decode := func(name string, dst any) {
		t.Helper()
		v, err := xmlrpc.DecodeResponseBytes(readWire(t, name))
		if err != nil {
			t.Fatal(err)
		}
		if err := xmlrpc.Unmarshal(v, dst); err != nil {
			t.Fatal(err)
		}
	}
	var b Build
	decode("getBuild", &b)
	if b.NVR != "hello-1.0-2.osg36.el9" || b.State != BuildComplete || b.Epoch != nil || b.TaskID != nil ||
		b.Extra != nil || b.CompletionTS == nil || b.VolumeName != DefaultVolume || b.EpochString() != "" {
		t.Errorf("getBuild decoded to %+v", b)
	}
	if tm, err := Time(*b.CompletionTime); err != nil || !tm.Equal(TS(b.CompletionTS)) && tm.Sub(TS(b.CompletionTS)).Abs() > 1000 {
		t.Errorf("completion time %v vs ts %v (%v)", tm, TS(b.CompletionTS), err)
	}
	var tag Tag
	decode("getTag", &tag)
	if tag.ID != 4 || tag.PermID != nil || tag.Extra == nil || len(tag.ArchList()) != 1 || tag.ArchList()[0] != "x86_64" {
		t.Errorf("getTag decoded to %+v", tag)
	}
	var missing *Tag
	decode("getTag_missing", &missing)
	if missing != nil {
		t.Errorf("getTag_missing decoded to %+v", missing)
	}
	var task TaskInfo
	decode("getTaskInfo", &task)
	if task.State != TaskClosed || task.Parent != nil || task.HostID == nil || *task.HostID != 1 ||
		task.Weight != 0.1 || len(task.RequestParams()) != 1 || task.Label != nil || task.Waiting == nil || *task.Waiting {
		t.Errorf("getTaskInfo decoded to %+v", task)
	}
	var repo Repo
	decode("getRepo", &repo)
	if repo.State != RepoReady || repo.Opts == nil || repo.Opts.Src || repo.TaskState == nil || *repo.TaskState != TaskClosed || repo.EndEvent != nil {
		t.Errorf("getRepo decoded to %+v", repo)
	}
	var h History
	decode("queryHistory", &h)
	tl := h["tag_listing"]
	if len(tl) != 1 || !tl[0].Active() || tl[0].CreateEvent() != 51 || tl[0].RevokeEvent() != nil || tl[0].String("tag.name") != "osg-3.6-el9-testing" {
		t.Errorf("queryHistory tag_listing = %+v", tl)
	}
	var u LoggedInUser
	decode("auth_getLoggedInUser", &u)
	if u.Name != "kojiadmin" || u.AuthType != AuthSSL || u.KrbPrincipal != nil || u.KrbPrincipals == nil {
		t.Errorf("getLoggedInUser decoded to %+v", u)
	}
	var si SessionInfo
	decode("auth_sslLogin", &si)
	if si.SessionID != 115 || si.SessionKey == "" || !si.HeaderAuth {
		t.Errorf("sslLogin decoded to %+v", si)
	}
	var full []FullInheritanceLink
	decode("getFullInheritance", &full)
	if len(full) != 1 || full[0].CurrDepth != 1 || full[0].NextDepth != nil || full[0].Filter == nil {
		t.Errorf("getFullInheritance decoded to %+v", full)
	}
}

// TestOptionsEncodeOnlySetFields checks that zero options send nothing and
// that Refs and Latest encode as Koji expects.
func TestOptionsEncodeOnlySetFields(t *testing.T) {
	enc := func(v any) string {
		var buf bytes.Buffer
		if err := xmlrpc.EncodeResponse(&buf, v); err != nil {
			t.Fatal(err)
		}
		got, err := xmlrpc.DecodeResponseBytes(buf.Bytes())
		if err != nil {
			t.Fatal(err)
		}
		j, _ := json.Marshal(got)
		return string(j)
	}
	tests := []struct {
		opts any
		want string
	}{
		{ListTaggedOpts{}, `{}`},
		{GetTagOpts{}, `{}`},
		{ListTaggedOpts{Inherit: true, Latest: LatestOne}, `{"inherit":true,"latest":true}`},
		{ListTaggedOpts{Latest: 3, Event: Ptr(0)}, `{"event":0,"latest":3}`},
		{ListTaggedOpts{Strict: Ptr(false)}, `{"strict":false}`},
		{ListPackagesOpts{TagID: ByID(1)}, `{"tagID":1}`},
		{TagBuildOpts{FromTag: ByName("a")}, `{"fromtag":"a"}`},
		{CreateTagOpts{Parent: ByName("p"), Extra: map[string]any{"rpm.macro.dist": ".osg36"}}, `{"extra":{"rpm.macro.dist":".osg36"},"parent":"p"}`},
		{BuildRequestOpts{Scratch: true}, `{"custom_user_metadata":null,"scratch":true,"wait_builds":null}`},
		{InheritanceLink{ParentID: 3, Delete: true, Name: "x"}, `{"child_id":0,"delete link":true,"intransitive":false,"maxdepth":null,"name":"x","noconfig":false,"parent_id":3,"pkg_filter":"","priority":0}`},
	}
	for _, tt := range tests {
		if got := enc(tt.opts); got != tt.want {
			t.Errorf("%T %+v encoded to %s, want %s", tt.opts, tt.opts, got, tt.want)
		}
	}
	// and back: kwargs as the server decodes them
	var o ListTaggedOpts
	if err := xmlrpc.Unmarshal(map[string]any{"latest": true, "inherit": true, "event": int64(5)}, &o); err != nil {
		t.Fatal(err)
	}
	if o.Latest != LatestOne || !o.Inherit || o.Event == nil || *o.Event != 5 {
		t.Errorf("decoded kwargs to %+v", o)
	}
	var p ListPackagesOpts
	if err := xmlrpc.Unmarshal(map[string]any{"tagID": "osg-el9", "userID": int64(2)}, &p); err != nil {
		t.Fatal(err)
	}
	if p.TagID.Name != "osg-el9" || !p.UserID.IsID() || p.UserID.ID != 2 || !p.PkgID.IsZero() {
		t.Errorf("decoded kwargs to %+v", p)
	}
}
