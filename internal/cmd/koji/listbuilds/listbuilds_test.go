package listbuilds

import (
	"context"
	"strings"
	"testing"

	"github.com/osg-htc/osg-build-go/internal/cmd/koji/shared/kojicmdtest"
	"github.com/osg-htc/osg-build-go/internal/cmdutil"
)

func TestListBuilds(t *testing.T) {
	e := kojicmdtest.New(t)
	ctx := context.Background()
	e.Tag(t, "t1", "", "")
	e.Build(t, "t1", "foo", "2", "1")
	e.Build(t, "t1", "foo", "10", "1")
	e.Build(t, "t1", "bar", "1", "1")

	opts := ListBuildsOptions{Common: e.Common(), Package: "foo"}
	kojicmdtest.Must(t, listBuildsRun(ctx, &opts))
	want := "Build                                                    Built by          State\n" +
		strings.Repeat("-", 55) + "  " + strings.Repeat("-", 16) + "  " + strings.Repeat("-", 16) + "\n" +
		"foo-10-1                                                 " + kojicmdtest.User + strings.Repeat(" ", 16-len(kojicmdtest.User)) + "  COMPLETE\n" +
		"foo-2-1                                                  " + kojicmdtest.User + strings.Repeat(" ", 16-len(kojicmdtest.User)) + "  COMPLETE\n"
	if got := e.Out.String(); got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}

	// -k build_id -r, --quiet
	e.Reset()
	e.IO.SetQuiet(true)
	opts.SortKeys, opts.Reverse = []string{"build_id"}, true
	kojicmdtest.Must(t, listBuildsRun(ctx, &opts))
	if got := strings.Fields(e.Out.String()); len(got) != 6 || got[0] != "foo-10-1" || got[3] != "foo-2-1" {
		t.Errorf("reversed by id: %q", got)
	}

	// --prefix, and errors
	e.Reset()
	opts = ListBuildsOptions{Common: e.Common(), Prefix: "ba"}
	kojicmdtest.Must(t, listBuildsRun(ctx, &opts))
	if got := strings.Fields(e.Out.String()); len(got) != 3 || got[0] != "bar-1-1" {
		t.Errorf("--prefix ba: %q", got)
	}
	opts = ListBuildsOptions{Common: e.Common(), Package: "nosuch"}
	if err := listBuildsRun(ctx, &opts); err == nil || !strings.Contains(err.Error(), "no such package: nosuch") {
		t.Errorf("unknown package: %v", err)
	}
	for _, args := range [][]string{{}, {"--state", "DONE"}, {"--package", "foo", "-k", "size"}} {
		cmd := NewCmdListBuilds(&cmdutil.Factory{IOStreams: e.IO}, func(*ListBuildsOptions) error { return nil })
		cmd.SetArgs(args)
		cmd.SetOut(e.ErrOut)
		cmd.SetErr(e.ErrOut)
		if err := cmd.Execute(); err == nil {
			t.Errorf("%v: no error", args)
		}
	}
}
