package taginheritance

import (
	"context"
	"strings"
	"testing"

	"github.com/osg-htc/osg-build-go/internal/cmd/koji/shared/kojicmdtest"
	"github.com/osg-htc/osg-build-go/pkg/koji"
)

func TestEditAndRemove(t *testing.T) {
	e := kojicmdtest.New(t)
	ctx := context.Background()
	e.Tag(t, "a", "", "")
	b := e.Tag(t, "b", "", "")
	e.Tag(t, "c", "a", "")
	two := 2
	kojicmdtest.Must(t, e.Hub.SetInheritanceData(ctx, koji.ByName("c"), []koji.InheritanceLink{{ParentID: b, Priority: 10, MaxDepth: &two}}, koji.SetInheritanceOpts{}))
	inherit := func() []koji.InheritanceLink {
		t.Helper()
		d, err := e.Hub.GetInheritanceData(ctx, koji.ByName("c"), koji.EventOpts{})
		kojicmdtest.Must(t, err)
		return d
	}
	run := func(f func(context.Context, *Options) error, o Options) error {
		o.Common = e.Common()
		return f(ctx, &o)
	}
	for _, tc := range []struct {
		f    func(context.Context, *Options) error
		o    Options
		want string
	}{
		{editRun, Options{Args: []string{"c"}, Priority: "5"}, "multiple matches for tag c: please specify a parent"},
		{editRun, Options{Args: []string{"c", "a"}, Priority: "10"}, "already an active inheritance with priority 10 on c (b)"},
		{editRun, Options{Args: []string{"c", "a", "7"}}, "no inheritance link found to edit: c has the parents a (priority 0), b (priority 10)"},
		{editRun, Options{Args: []string{"c", "a"}, MaxDepth: "deep"}, "invalid maxdepth: deep"},
		{editRun, Options{Args: []string{"nope"}}, "no such tag: nope"},
		{removeRun, Options{Args: []string{"a"}}, "no inheritance link found to remove: a has no parents"},
		{removeRun, Options{Args: []string{"c", "nope"}}, "no such tag: nope"},
	} {
		if err := run(tc.f, tc.o); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: err = %v, want %q", tc.o.Args, err, tc.want)
		}
	}
	// the link's own priority is not a conflict; maxdepth none clears it
	kojicmdtest.Must(t, run(editRun, Options{Args: []string{"c", "b"}, Priority: "10", MaxDepth: "none", NoConfig: true, PkgFilter: "^osg-"}))
	kojicmdtest.Must(t, run(editRun, Options{Args: []string{"c", "a", "0"}, Priority: "20", MaxDepth: "3", Intransitive: true}))
	d := inherit()
	if len(d) != 2 || d[0].Name != "b" || d[0].Priority != 10 || d[0].MaxDepth != nil || !d[0].NoConfig || d[0].PkgFilter != "^osg-" ||
		d[1].Name != "a" || d[1].Priority != 20 || d[1].MaxDepth == nil || *d[1].MaxDepth != 3 || !d[1].Intransitive || d[1].NoConfig {
		t.Errorf("after edits: %+v", d)
	}
	kojicmdtest.Must(t, run(removeRun, Options{Args: []string{"c", "a"}}))
	if d := inherit(); len(d) != 1 || d[0].Name != "b" {
		t.Errorf("after remove: %+v", d)
	}
	// the one link left needs no parent
	kojicmdtest.Must(t, run(removeRun, Options{Args: []string{"c"}}))
	if d := inherit(); len(d) != 0 {
		t.Errorf("after second remove: %+v", d)
	}
}

func TestCommands(t *testing.T) {
	e := kojicmdtest.New(t)
	e.Tag(t, "a", "", "")
	e.Tag(t, "c", "a", "")
	f := e.Factory()
	kojicmdtest.Must(t, kojicmdtest.Exec(NewCmdEditTagInheritance(f, nil), "c", "a", "--priority", "3", "--json"))
	if !strings.Contains(e.Out.String(), `"priority": 3`) {
		t.Errorf("edit --json: %s", e.Out)
	}
	if err := kojicmdtest.Exec(NewCmdRemoveTagInheritance(f, nil), "c", "a", "4"); err == nil || !strings.Contains(err.Error(), "no inheritance link found") {
		t.Errorf("remove with a wrong priority: %v", err)
	}
	if err := kojicmdtest.Exec(NewCmdRemoveTagInheritance(f, nil), "c", "a", "b", "c"); err == nil || !strings.Contains(err.Error(), "optionally a parent tag and a priority") {
		t.Errorf("four arguments: %v", err)
	}
	kojicmdtest.Must(t, kojicmdtest.Exec(NewCmdRemoveTagInheritance(f, nil), "c", "a", "3"))
}
