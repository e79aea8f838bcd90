package latestbuild

import (
	"context"
	"strings"
	"testing"

	"github.com/osg-htc/osg-build-go/internal/cmd/koji/shared/kojicmdtest"
)

func Test_latestBuildRun(t *testing.T) {
	e := kojicmdtest.New(t)
	e.Tag(t, "parent", "", "")
	e.Tag(t, "child", "parent", "")
	e.Build(t, "parent", "foo", "1", "1")
	e.Build(t, "", "foo", "2", "1")
	e.Build(t, "parent", "bar", "1", "1")
	e.TagBuild(t, "parent", "foo-2-1")
	e.TagBuild(t, "parent", "foo-1-1") // tagged last: the latest
	e.TagBuild(t, "parent", "bar-1-1")

	opts := LatestBuildOptions{Common: e.Common(), Tag: "child", Packages: []string{"foo", "bar"}}
	kojicmdtest.Must(t, latestBuildRun(context.Background(), &opts))
	lines := strings.Split(strings.TrimSuffix(e.Out.String(), "\n"), "\n")
	if len(lines) != 4 || !strings.HasPrefix(lines[0], "Build ") || !strings.HasPrefix(lines[2], "foo-1-1 ") || !strings.HasPrefix(lines[3], "bar-1-1 ") {
		t.Errorf("output:\n%s", e.Out)
	}
	e.Reset()
	e.IO.SetQuiet(true)
	opts = LatestBuildOptions{Common: e.Common(), Tag: "child", All: true}
	kojicmdtest.Must(t, latestBuildRun(context.Background(), &opts))
	e.IO.SetQuiet(false)
	if got := e.Out.String(); !strings.HasPrefix(got, "bar-1-1 ") || !strings.Contains(got, "\nfoo-1-1 ") || strings.Count(got, "\n") != 2 {
		t.Errorf("--all --quiet:\n%s", got)
	}
	opts = LatestBuildOptions{Common: e.Common(), Tag: "nope", Packages: []string{"foo"}}
	if err := latestBuildRun(context.Background(), &opts); err == nil {
		t.Error("unknown tag accepted")
	}
}

func Test_NewCmdLatestBuild(t *testing.T) {
	e := kojicmdtest.New(t)
	cmd := NewCmdLatestBuild(e.Factory(), func(*LatestBuildOptions) error { return nil })
	for _, args := range [][]string{{"tag"}, {"--all", "tag", "pkg"}} {
		if err := kojicmdtest.Exec(cmd, args...); err == nil {
			t.Errorf("%v accepted", args)
		}
	}
}
