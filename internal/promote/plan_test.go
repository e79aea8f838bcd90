package promote

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/osg-htc/osg-build-go/internal/cmdutil"
	"github.com/osg-htc/osg-build-go/internal/kojibuild"
	"github.com/osg-htc/osg-build-go/pkg/hub"
	"github.com/osg-htc/osg-build-go/pkg/koji"
)

// testHub is an embedded hub with the osg-25 preset's tags, counting
// requests (MultiCall calls).
type testHub struct {
	*cmdutil.LocalHub
	multiCalls atomic.Int32
}

func (h *testHub) MultiCall(ctx context.Context, calls []koji.Call, o koji.MultiCallOpts) ([]koji.CallResult, error) {
	h.multiCalls.Add(1)
	return h.LocalHub.MultiCall(ctx, calls, o)
}

func newTestHub(t testing.TB) *testHub {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	if _, err := hub.Init(ctx, dir, hub.InitOptions{Preset: "osg-25", LocalUser: "tester"}); err != nil {
		t.Fatal(err)
	}
	lh, err := cmdutil.OpenLocalHub(ctx, dir, hub.WithLocalUser("tester"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { lh.Close() })
	return &testHub{LocalHub: lh}
}

// build makes a COMPLETE build N-V-R in tag (its package added to the
// dver's package list).
func (h *testHub) build(t testing.TB, tag, nvr string) int {
	t.Helper()
	ctx := context.Background()
	n, v, r, ok := SplitNVR(nvr)
	if !ok {
		t.Fatalf("bad nvr %s", nvr)
	}
	b, err := h.GetBuild(ctx, koji.ByName(nvr), koji.GetBuildOpts{})
	must(t, err)
	id := 0
	if b == nil {
		id, err = h.CreateEmptyBuild(ctx, n, v, r, nil, koji.CreateEmptyBuildOpts{})
		must(t, err)
	} else {
		id = b.ID
	}
	dver := tag[strings.Index(tag, "-el")+1:]
	dver = dver[:strings.Index(dver, "-")]
	must(t, h.PackageListAdd(ctx, koji.ByName("osg-"+dver), koji.ByName(n), koji.PackageListAddOpts{Owner: koji.ByName("tester")}))
	must(t, h.TagBuildBypass(ctx, koji.ByName(tag), koji.ByID(id), koji.TagBuildBypassOpts{}))
	return id
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func routes(t testing.TB, c *Config, names string, f DverFlags) []RouteDvers {
	t.Helper()
	sel, err := c.Select(strings.Split(names, " "))
	must(t, err)
	rd, err := c.Choose(sel, f)
	must(t, err)
	return rd
}

// noKeys is the config of the embedded hub: 25-main without signatures.
func noKeys(t testing.TB) *Config {
	c := Default()
	must(t, c.Merge("hub.ini", []byte("[route 25-main]\nrequired_keys =\n[route 25-main-prerelease]\nrequired_keys =\n")))
	return c
}

func planString(p *Plan) string {
	var b strings.Builder
	for _, pr := range p.Promotions {
		fmt.Fprintf(&b, "%s -> %s", pr.Build.NVR, pr.ToTag)
		if pr.Tagged {
			b.WriteString(" (tagged)")
		}
		b.WriteString("\n")
	}
	for _, r := range p.Rejects {
		fmt.Fprintf(&b, "reject %s [%s]\n", r, r.Override())
	}
	return b.String()
}

func TestMakePlan(t *testing.T) {
	h := newTestHub(t)
	ctx := context.Background()
	for _, dv := range []string{"el8", "el9", "el10"} {
		h.build(t, "osg-25-main-"+dv+"-development", "foo-1.0-1.osg25."+dv)
		h.build(t, "osg-25-main-"+dv+"-development", "foo-1.1-1.osg25."+dv) // latest
		h.build(t, "osg-25-main-"+dv+"-development", "bar-2-1.osg25."+dv)
	}
	h.build(t, "osg-25-main-el9-development", "only9-1-1.osg25.el9")
	h.build(t, "osg-25-main-el8-development", "mixed-1-1.osg25.el8")
	h.build(t, "osg-25-main-el9-development", "mixed-1-2.osg25.el9")
	h.build(t, "osg-25-main-el10-development", "mixed-1-2.osg25.el10")
	h.build(t, "osg-25-main-el9-development", "nodist-3-1")
	h.build(t, "osg-25-main-el9-testing", "bar-2-1.osg25.el9") // already there
	// in testing, but not the latest there
	h.build(t, "osg-25-main-el9-development", "baz-1-1.osg25.el9")
	h.build(t, "osg-25-main-el9-testing", "baz-1-1.osg25.el9")
	h.build(t, "osg-25-main-el9-testing", "baz-2-1.osg25.el9")
	c := noKeys(t)

	for _, tt := range []struct {
		name  string
		args  []string
		f     DverFlags
		o     Options
		want  string
		route string
	}{
		{name: "by package: the latest build", args: []string{"foo"}, want: `
foo-1.1-1.osg25.el8 -> osg-25-main-el8-testing
foo-1.1-1.osg25.el9 -> osg-25-main-el9-testing
foo-1.1-1.osg25.el10 -> osg-25-main-el10-testing
`},
		{name: "by NVR with a dist tag of another dver", args: []string{"foo-1.0-1.osg25.el9"}, want: `
foo-1.0-1.osg25.el8 -> osg-25-main-el8-testing
foo-1.0-1.osg25.el9 -> osg-25-main-el9-testing
foo-1.0-1.osg25.el10 -> osg-25-main-el10-testing
`},
		{name: "by NVR without dist", args: []string{"foo-1.0-1"}, f: DverFlags{Only: "el9"}, want: `
foo-1.0-1.osg25.el9 -> osg-25-main-el9-testing
`},
		{name: "already tagged", args: []string{"bar"}, f: DverFlags{No: []string{"el10"}}, want: `
bar-2-1.osg25.el8 -> osg-25-main-el8-testing
bar-2-1.osg25.el9 -> osg-25-main-el9-testing (tagged)
`},
		{name: "already tagged, a later build of the package there", args: []string{"baz"}, f: DverFlags{Only: "el9"}, want: `
baz-1-1.osg25.el9 -> osg-25-main-el9-testing (tagged)
`},
		{name: "missing dver", args: []string{"only9"}, want: `
reject only9: No matching build for dist osg25.el8 [--ignore-rejects]
`},
		{name: "missing dver ignored", args: []string{"only9"}, o: Options{IgnoreRejects: true}, want: `
only9-1-1.osg25.el9 -> osg-25-main-el9-testing
`},
		{name: "distinct versions", args: []string{"mixed"}, want: `
reject mixed: Matching build versions distinct across dist tags [--ignore-rejects]
`},
		{name: "exact N-V-R without a dist tag", args: []string{"nodist-3-1"}, f: DverFlags{Only: "el9"}, want: `
nodist-3-1 -> osg-25-main-el9-testing
`},
		{name: "unknown package", args: []string{"nope", "foo-9-9"}, f: DverFlags{Only: "el9"}, want: `
reject foo-9-9: No matching build for dist osg25.el9 [--ignore-rejects]
reject nope: No matching build for dist osg25.el9 [--ignore-rejects]
`},
		{name: "two routes, a missing tag", args: []string{"bar"}, route: "25-main 25-main-prerelease", f: DverFlags{Only: "el9"}, want: `
bar-2-1.osg25.el9 -> osg-25-main-el9-testing (tagged)
bar-2-1.osg25.el9 -> osg-25-main-el9-prerelease
`},
		{name: "a route whose tags do not exist", args: []string{"bar"}, route: "24-main", f: DverFlags{Only: "el9"}, o: Options{IgnoreSignatures: true}, want: `
reject bar: Tag osg-24-main-el9-development of route 24-main does not exist [--ignore-rejects]
`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := tt.route
			if r == "" {
				r = "25-main"
			}
			o := tt.o
			o.Routes, o.Args = routes(t, c, r, tt.f), tt.args
			h.multiCalls.Store(0)
			p, err := MakePlan(ctx, h, o)
			must(t, err)
			if got := planString(p); got != strings.TrimPrefix(tt.want, "\n") {
				t.Errorf("plan:\n%s\nwant:\n%s", got, strings.TrimPrefix(tt.want, "\n"))
			}
			// the tags and builds; then the tags of the candidates
			want := 1
			if strings.Contains(tt.want, "->") || strings.Contains(tt.want, "distinct") {
				want = 2
			}
			if n := h.multiCalls.Load(); n != int32(want) || p.Requests != want {
				t.Errorf("%d multiCalls (plan says %d), want %d without signature checks", n, p.Requests, want)
			}
		})
	}
}

func TestPlanUnknownKey(t *testing.T) {
	h := newTestHub(t)
	h.build(t, "osg-25-main-el9-development", "foo-1-1.osg25.el9")
	c := Default() // 25-main requires OSG-25-developer, which no file defines
	o := Options{Routes: routes(t, c, "25-main", DverFlags{Only: "el9"}), Args: []string{"foo"}}
	p, err := MakePlan(context.Background(), h, o)
	must(t, err)
	want := "reject foo-1-1.osg25.el9: route 25-main requires key OSG-25-developer, which no signing_keys.ini defines [--ignore-signatures]\n"
	if got := planString(p); got != want {
		t.Errorf("plan:\n%s", got)
	}
	o.IgnoreSignatures = true
	p, err = MakePlan(context.Background(), h, o)
	must(t, err)
	if len(p.Promotions) != 1 || len(p.Warnings) != 1 {
		t.Errorf("with --ignore-signatures: %+v", p)
	}
}

func TestTag(t *testing.T) {
	h := newTestHub(t)
	ctx := context.Background()
	for _, dv := range []string{"el8", "el9"} {
		h.build(t, "osg-25-main-"+dv+"-development", "foo-1-1.osg25."+dv)
		h.build(t, "osg-25-main-"+dv+"-development", "bar-1-1.osg25."+dv)
	}
	h.build(t, "osg-25-main-el9-testing", "bar-1-1.osg25.el9")
	c := noKeys(t)
	p, err := MakePlan(ctx, h, Options{Routes: routes(t, c, "25-main", DverFlags{No: []string{"el10"}}), Args: []string{"foo", "bar"}})
	must(t, err)
	// a build that cannot be tagged: its package is blocked in el8
	must(t, h.PackageListBlock(ctx, koji.ByName("osg-25-main-el8-testing"), koji.ByName("foo"), koji.PackageListBlockOpts{}))

	var out bytes.Buffer
	w := &kojibuild.Watcher{Hub: h, Display: kojibuild.DisplayNone, Out: &out}
	h.multiCalls.Store(0)
	res, err := Tag(ctx, h, p, TagOptions{Out: &out, Watch: w.Watch})
	must(t, err)
	if len(res.Promoted) != 2 || len(res.Skipped) != 1 || len(res.Failed) != 1 {
		t.Fatalf("promoted %d, skipped %d, failed %d:\n%s", len(res.Promoted), len(res.Skipped), len(res.Failed), out.String())
	}
	for _, want := range []string{"--- Tagging builds\n", "Skipping bar-1-1.osg25.el9, already in osg-25-main-el9-testing\n",
		"* Error promoting build foo-1-1.osg25.el8 into osg-25-main-el8-testing: TagError: Package foo blocked in osg-25-main-el8-testing"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	tagged, err := h.ListTagged(ctx, koji.ByName("osg-25-main-el9-testing"), koji.ListTaggedOpts{})
	must(t, err)
	if len(tagged) != 2 {
		t.Errorf("el9 testing holds %+v", tagged)
	}
	// one multiCall for the tagging, one for the failure's reason, the
	// watch's polls (one here: the hub tags at once)
	if n := h.multiCalls.Load(); n > 3 || w.Polls != 1 {
		t.Errorf("%d multiCalls, %d polls", n, w.Polls)
	}

	// a dry run prints the calls
	out.Reset()
	p, err = MakePlan(ctx, h, Options{Routes: routes(t, c, "25-main-prerelease", DverFlags{Only: "el9"}), Args: []string{"foo"}})
	must(t, err)
	res, err = Tag(ctx, h, p, TagOptions{Out: &out, DryRun: true, Regen: true})
	must(t, err)
	if want := "--- Tagging builds\ntagBuild('osg-25-main-el9-prerelease', 'foo-1-1.osg25.el9')\nnewRepo('osg-25-main-el9-prerelease')\n"; out.String() != want || len(res.Promoted) != 1 {
		t.Errorf("dry run:\n%s", out.String())
	}
}
