package osgtools

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/osg-htc/osg-build-go/internal/cmd/koji/shared"
	"github.com/osg-htc/osg-build-go/internal/cmd/koji/shared/kojicmdtest"
	"github.com/osg-htc/osg-build-go/pkg/koji"
)

// countingHub counts the hub requests the verbs make (a multiCall is one).
type countingHub struct {
	koji.Hub
	n atomic.Int64
}

func (c *countingHub) MultiCall(ctx context.Context, calls []koji.Call, o koji.MultiCallOpts) ([]koji.CallResult, error) {
	c.n.Add(1)
	return c.Hub.MultiCall(ctx, calls, o)
}

func (c *countingHub) QueryHistory(ctx context.Context, o koji.QueryHistoryOpts) (koji.History, error) {
	c.n.Add(1)
	return c.Hub.QueryHistory(ctx, o)
}

func (c *countingHub) ListTagged(ctx context.Context, t koji.Ref, o koji.ListTaggedOpts) ([]koji.TaggedBuild, error) {
	c.n.Add(1)
	return c.Hub.ListTagged(ctx, t, o)
}

func (c *countingHub) Call(ctx context.Context, m string, a []any, k map[string]any) (any, error) {
	c.n.Add(1)
	return c.Hub.Call(ctx, m, a, k)
}

func common(e *kojicmdtest.Env, h koji.Hub) shared.Common {
	c := e.Common()
	c.Hub = func(context.Context) (koji.Hub, error) { return h, nil }
	return c
}

// fixture: dev has foo-2-1, bar-1-1, baz-1-1; test has foo-1-1, bar-1-1,
// qux-1-1 (baz-1-1 was tagged into test and untagged again).
func fixture(t *testing.T) (*kojicmdtest.Env, *countingHub) {
	e := kojicmdtest.New(t)
	e.Tag(t, "dev", "", "")
	e.Tag(t, "test", "", "")
	for _, p := range [][3]string{{"foo", "1", "1"}, {"foo", "2", "1"}, {"bar", "1", "1"}, {"baz", "1", "1"}, {"qux", "1", "1"}} {
		if p[1] == "1" {
			kojicmdtest.Must(t, e.Hub.PackageListAdd(context.Background(), koji.ByName("dev"), koji.ByName(p[0]), koji.PackageListAddOpts{Owner: koji.ByName(kojicmdtest.User)}))
			kojicmdtest.Must(t, e.Hub.PackageListAdd(context.Background(), koji.ByName("test"), koji.ByName(p[0]), koji.PackageListAddOpts{Owner: koji.ByName(kojicmdtest.User)}))
		}
		e.Build(t, "", p[0], p[1], p[2])
	}
	e.TagBuild(t, "dev", "foo-1-1")
	e.TagBuild(t, "dev", "foo-2-1")
	e.TagBuild(t, "dev", "bar-1-1")
	e.TagBuild(t, "dev", "baz-1-1")
	e.TagBuild(t, "test", "foo-1-1")
	e.TagBuild(t, "test", "bar-1-1")
	e.TagBuild(t, "test", "qux-1-1")
	e.TagBuild(t, "test", "baz-1-1")
	err := e.Hub.UntagBuild(context.Background(), koji.ByName("test"), koji.ByName("baz-1-1"), koji.UntagBuildOpts{})
	kojicmdtest.Must(t, err)
	return e, &countingHub{Hub: e.Hub}
}

func TestTagDiff(t *testing.T) {
	e, h := fixture(t)
	for _, tt := range []struct {
		name  string
		opts  TagDiffOptions
		quiet bool
		want  string
	}{
		{name: "one way", opts: TagDiffOptions{Tag1: "dev", Tag2: "test"}, want: "baz-1-1\nfoo-2-1\n"},
		{name: "reverse", opts: TagDiffOptions{Tag1: "test", Tag2: "dev"}, want: "foo-1-1\nqux-1-1\n"},
		{name: "both", opts: TagDiffOptions{Tag1: "dev", Tag2: "test", Both: true},
			want: "Only in dev:\nbaz-1-1\nfoo-2-1\n\nOnly in test:\nfoo-1-1\nqux-1-1\n"},
		{name: "both quiet", opts: TagDiffOptions{Tag1: "dev", Tag2: "test", Both: true}, quiet: true,
			want: "baz-1-1\nfoo-2-1\nfoo-1-1\nqux-1-1\n"},
		{name: "same", opts: TagDiffOptions{Tag1: "dev", Tag2: "dev"}, want: ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e.Reset()
			h.n.Store(0)
			e.IO.SetQuiet(tt.quiet)
			defer e.IO.SetQuiet(false)
			opts := tt.opts
			opts.Common = common(e, h)
			kojicmdtest.Must(t, tagDiffRun(context.Background(), &opts))
			if got := e.Out.String(); got != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
			if n := h.n.Load(); n > 2 {
				t.Errorf("%d requests", n)
			}
		})
	}
	t.Run("json", func(t *testing.T) {
		e.Reset()
		opts := TagDiffOptions{Common: common(e, h), Tag1: "dev", Tag2: "test", Both: true}
		opts.JSON = true
		kojicmdtest.Must(t, tagDiffRun(context.Background(), &opts))
		if got := e.Out.String(); !strings.Contains(got, `"only_in_tag1": [`) || !strings.Contains(got, `"qux-1-1"`) {
			t.Errorf("json: %s", got)
		}
	})
	t.Run("unknown tag", func(t *testing.T) {
		opts := TagDiffOptions{Common: common(e, h), Tag1: "dev", Tag2: "nope"}
		if err := tagDiffRun(context.Background(), &opts); err == nil || !strings.Contains(err.Error(), "nope") {
			t.Errorf("err = %v", err)
		}
	})
}

func TestBlame(t *testing.T) {
	e, h := fixture(t)
	day := "2026-01-02  tester  "
	for _, tt := range []struct {
		name string
		opts BlameOptions
		want string
	}{
		{name: "tag", opts: BlameOptions{Object: "test"}, want: day + "foo-1-1\n" + day + "bar-1-1\n" + day + "qux-1-1\n"},
		{name: "build", opts: BlameOptions{Object: "foo-1-1"}, want: day + "dev\n" + day + "test\n"},
		{name: "package", opts: BlameOptions{Object: "foo"}, want: day + "dev/foo-1-1\n" + day + "dev/foo-2-1\n" + day + "test/foo-1-1\n"},
		{name: "all", opts: BlameOptions{Object: "baz", All: true},
			want: day + "dev/baz-1-1  tagged\n" + day + "test/baz-1-1  tagged\n" + day + "test/baz-1-1  untagged\n"},
		{name: "since later", opts: BlameOptions{Object: "test", Since: "2026-01-03"}, want: ""},
		{name: "until day", opts: BlameOptions{Object: "foo", Until: "2026-01-02"}, want: day + "dev/foo-1-1\n" + day + "dev/foo-2-1\n" + day + "test/foo-1-1\n"},
		{name: "until before", opts: BlameOptions{Object: "foo", Until: "2026-01-01T23:59:59"}, want: ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e.Reset()
			h.n.Store(0)
			opts := tt.opts
			opts.Common = common(e, h)
			kojicmdtest.Must(t, blameRun(context.Background(), &opts))
			if got := e.Out.String(); got != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
			if n := h.n.Load(); n != 2 {
				t.Errorf("%d requests", n)
			}
		})
	}
	t.Run("json", func(t *testing.T) {
		e.Reset()
		opts := BlameOptions{Common: common(e, h), Object: "qux-1-1"}
		opts.JSON = true
		kojicmdtest.Must(t, blameRun(context.Background(), &opts))
		if got := e.Out.String(); !strings.Contains(got, `"tag": "test"`) || !strings.Contains(got, `"user": "tester"`) {
			t.Errorf("json: %s", got)
		}
	})
	t.Run("unknown", func(t *testing.T) {
		opts := BlameOptions{Common: common(e, h), Object: "nothing"}
		if err := blameRun(context.Background(), &opts); err == nil || !strings.Contains(err.Error(), "not a package, a build or a tag") {
			t.Errorf("err = %v", err)
		}
	})
}

func TestParseDate(t *testing.T) {
	for _, s := range []string{"2026-01-02", "2026-01-02T03:04:05", "2026-01-02 03:04", "2026-01-02T03:04:05Z", "2026-01-02T03:04:05+02:00"} {
		if _, _, err := parseDate(s); err != nil {
			t.Errorf("%s: %v", s, err)
		}
	}
	if _, _, err := parseDate("yesterday"); err == nil {
		t.Error("yesterday parsed")
	}
}

func TestBuildTable(t *testing.T) {
	e, h := fixture(t)
	opts := BuildTableOptions{Common: common(e, h), First: "build", Tags: []string{"dev", "test"}, Packages: []string{"foo", "qux"}}
	kojicmdtest.Must(t, buildTableRun(context.Background(), &opts))
	want := "| Build   | Tag  |\n" +
		"|---------+------|\n" +
		"| foo-1-1 | test |\n" +
		"| foo-2-1 | dev  |\n" +
		"| qux-1-1 | test |\n" +
		"\n**Build** | **Tag**\n--- | ---\n" +
		"foo-1-1 | test\nfoo-2-1 | dev\nqux-1-1 | test\n"
	if got := e.Out.String(); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if n := h.n.Load(); n != 1 {
		t.Errorf("%d requests", n)
	}
	e.Reset()
	opts.First = "tag"
	kojicmdtest.Must(t, buildTableRun(context.Background(), &opts))
	if got := e.Out.String(); !strings.HasPrefix(got, "| Tag  | Build   |\n|------+---------|\n| dev  | foo-2-1 |\n| test | foo-1-1 |\n") {
		t.Errorf("-f tag:\n%s", got)
	}
}

func TestNewCmds(t *testing.T) {
	e := kojicmdtest.New(t)
	var bt *BuildTableOptions
	cmd := NewCmdBuildTable(e.Factory(), func(o *BuildTableOptions) error { bt = o; return nil })
	kojicmdtest.Must(t, kojicmdtest.Exec(cmd, "-f", "tag", "-t", "a,b", "-t", "c", "p1", "p2"))
	if bt.First != "tag" || strings.Join(bt.Tags, " ") != "a b c" || strings.Join(bt.Packages, " ") != "p1 p2" {
		t.Errorf("build-table %+v", bt)
	}
	cmd = NewCmdBuildTable(e.Factory(), func(o *BuildTableOptions) error { bt = o; return nil })
	kojicmdtest.Must(t, kojicmdtest.Exec(cmd, "tag1", "p1"))
	if strings.Join(bt.Tags, " ") != "tag1" || strings.Join(bt.Packages, " ") != "p1" || bt.First != "build" {
		t.Errorf("build-table %+v", bt)
	}
	cmd = NewCmdBuildTable(e.Factory(), func(o *BuildTableOptions) error { return nil })
	if err := kojicmdtest.Exec(cmd, "tag1"); err == nil {
		t.Error("build-table without packages")
	}
	var bl *BlameOptions
	bc := NewCmdBlame(e.Factory(), func(o *BlameOptions) error { bl = o; return nil })
	kojicmdtest.Must(t, kojicmdtest.Exec(bc, "-s", "2026-01-01", "-u", "2026-02-01T10:00:00", "foo"))
	if bl.Object != "foo" || bl.Since != "2026-01-01" || bl.Until == "" {
		t.Errorf("blame %+v", bl)
	}
	bc = NewCmdBlame(e.Factory(), func(o *BlameOptions) error { return nil })
	if err := kojicmdtest.Exec(bc, "-s", "junk", "foo"); err == nil {
		t.Error("blame -s junk")
	}
	var td *TagDiffOptions
	tc := NewCmdTagDiff(e.Factory(), func(o *TagDiffOptions) error { td = o; return nil })
	kojicmdtest.Must(t, kojicmdtest.Exec(tc, "--both", "a", "b"))
	if td.Tag1 != "a" || td.Tag2 != "b" || !td.Both {
		t.Errorf("tag-diff %+v", td)
	}
}
