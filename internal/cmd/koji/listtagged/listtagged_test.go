package listtagged

import (
	"context"
	"strings"
	"testing"

	"github.com/osg-htc/osg-build-go/internal/cmd/koji/shared/kojicmdtest"
)

const header = "Build                                     Tag                   Built by\n" +
	"----------------------------------------  --------------------  ----------------\n"

func row(nvr, tag string) string {
	return nvr + strings.Repeat(" ", 40-len(nvr)) + "  " + tag + strings.Repeat(" ", max(0, 20-len(tag))) + "  tester\n"
}

func Test_listTaggedRun(t *testing.T) {
	e := kojicmdtest.New(t)
	e.Tag(t, "parent", "", "")
	e.Tag(t, "child", "parent", "")
	e.Build(t, "parent", "foo", "1", "1")
	e.Build(t, "", "foo", "2", "1")
	e.Build(t, "parent", "bar", "1", "1")
	e.TagBuild(t, "parent", "foo-1-1")
	e.TagBuild(t, "parent", "bar-1-1")
	e.TagBuild(t, "child", "foo-2-1")

	tests := []struct {
		name  string
		opts  ListTaggedOptions
		quiet bool
		want  string
	}{
		{name: "tag only", opts: ListTaggedOptions{Tag: "child"}, want: header + row("foo-2-1", "child")},
		{name: "inherit", opts: ListTaggedOptions{Tag: "child", Inherit: true},
			want: header + row("bar-1-1", "parent") + row("foo-1-1", "parent") + row("foo-2-1", "child")},
		{name: "inherit latest", opts: ListTaggedOptions{Tag: "child", Inherit: true, Latest: true},
			want: header + row("bar-1-1", "parent") + row("foo-2-1", "child")},
		{name: "package quiet", opts: ListTaggedOptions{Tag: "parent", Package: "bar"}, quiet: true, want: row("bar-1-1", "parent")},
		{name: "empty", opts: ListTaggedOptions{Tag: "child", Package: "bar"}, want: header},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e.Reset()
			e.IO.SetQuiet(tt.quiet)
			defer e.IO.SetQuiet(false)
			opts := tt.opts
			opts.Common = e.Common()
			kojicmdtest.Must(t, listTaggedRun(context.Background(), &opts))
			if got := e.Out.String(); got != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
	t.Run("paths", func(t *testing.T) {
		e.Reset()
		opts := ListTaggedOptions{Common: e.Common(), Tag: "child", Paths: true}
		kojicmdtest.Must(t, listTaggedRun(context.Background(), &opts))
		if !strings.Contains(e.Out.String(), e.Hub.TopDir()+"/packages/foo/2/1") {
			t.Errorf("paths: %s", e.Out)
		}
	})
	t.Run("json", func(t *testing.T) {
		e.Reset()
		opts := ListTaggedOptions{Common: e.Common(), Tag: "child", Package: "bar"}
		opts.JSON = true
		kojicmdtest.Must(t, listTaggedRun(context.Background(), &opts))
		if got := e.Out.String(); got != "[]\n" {
			t.Errorf("json: %q", got)
		}
	})
	t.Run("unknown tag", func(t *testing.T) {
		opts := ListTaggedOptions{Common: e.Common(), Tag: "nope"}
		if err := listTaggedRun(context.Background(), &opts); err == nil || !strings.Contains(err.Error(), "no such tag: nope") {
			t.Errorf("err = %v", err)
		}
	})
}

func Test_NewCmdListTagged(t *testing.T) {
	e := kojicmdtest.New(t)
	var got *ListTaggedOptions
	cmd := NewCmdListTagged(e.Factory(), func(o *ListTaggedOptions) error { got = o; return nil })
	kojicmdtest.Must(t, kojicmdtest.Exec(cmd, "--latest", "--inherit", "--event", "7", "tag", "pkg"))
	if got.Tag != "tag" || got.Package != "pkg" || !got.Latest || !got.Inherit || got.Event != 7 {
		t.Errorf("options %+v", got)
	}
	if err := kojicmdtest.Exec(cmd, "a", "b", "c"); err == nil {
		t.Error("three arguments accepted")
	}
}
