package listpkgs

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/osg-htc/osg-build-go/internal/cmd/koji/shared/kojicmdtest"
	"github.com/osg-htc/osg-build-go/internal/cmdutil"
	"github.com/osg-htc/osg-build-go/pkg/koji"
)

func Test_listPkgsRun(t *testing.T) {
	e := kojicmdtest.New(t)
	ctx := context.Background()
	e.Tag(t, "parent", "", "")
	e.Tag(t, "child", "parent", "")
	kojicmdtest.Must(t, e.Hub.PackageListAdd(ctx, koji.ByName("parent"), koji.ByName("foo"), koji.PackageListAddOpts{Owner: koji.ByName("tester")}))
	kojicmdtest.Must(t, e.Hub.PackageListAdd(ctx, koji.ByName("parent"), koji.ByName("bar"), koji.PackageListAddOpts{Owner: koji.ByName("tester"), ExtraArches: koji.Ptr("i686")}))
	kojicmdtest.Must(t, e.Hub.PackageListBlock(ctx, koji.ByName("child"), koji.ByName("bar"), koji.PackageListBlockOpts{}))

	head := "Package                 Tag                     Extra Arches     Owner          \n" +
		"----------------------- ----------------------- ---------------- ---------------\n"
	tests := []struct {
		name string
		opts ListPkgsOptions
		want string
	}{
		{name: "tag inherited", opts: ListPkgsOptions{Tag: "child"},
			want: head + "foo                     parent                                   tester         \n"},
		{name: "blocked shown", opts: ListPkgsOptions{Tag: "child", ShowBlocked: true},
			want: head + "bar                     child                   i686             tester          [BLOCKED]\n" +
				"foo                     parent                                   tester         \n"},
		{name: "all packages", opts: ListPkgsOptions{}, want: "Package\n" + strings.Repeat("-", 23) + "\nbar\nfoo\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e.Reset()
			opts := tt.opts
			opts.Common = e.Common()
			kojicmdtest.Must(t, listPkgsRun(ctx, &opts))
			got := e.Out.String()
			// the order of entries is the hub's; compare as sets of lines
			if !sameLines(got, tt.want) {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
	e.Reset()
	opts := ListPkgsOptions{Common: e.Common(), Tag: "child", Package: "nope"}
	if err := listPkgsRun(ctx, &opts); !errors.Is(err, cmdutil.ErrSilent) {
		t.Errorf("an empty listing: err = %v, want the silent exit 1 of koji", err)
	}
	if e.Out.Len() != 0 || !strings.Contains(e.ErrOut.String(), "(no matching packages)") {
		t.Errorf("empty listing: out %q err %q", e.Out, e.ErrOut)
	}
	opts = ListPkgsOptions{Common: e.Common(), Tag: "nope"}
	if err := listPkgsRun(ctx, &opts); err == nil || !strings.Contains(err.Error(), "no such tag") {
		t.Errorf("err = %v", err)
	}
}

func sameLines(a, b string) bool {
	la, lb := strings.Split(a, "\n"), strings.Split(b, "\n")
	if len(la) != len(lb) {
		return false
	}
	seen := map[string]int{}
	for _, l := range la {
		seen[l]++
	}
	for _, l := range lb {
		seen[l]--
	}
	for _, n := range seen {
		if n != 0 {
			return false
		}
	}
	return la[0] == lb[0]
}
