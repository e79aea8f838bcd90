package addtaginheritance

import (
	"context"
	"strings"
	"testing"

	"github.com/osg-htc/osg-build-go/internal/cmd/koji/shared/kojicmdtest"
	"github.com/osg-htc/osg-build-go/pkg/koji"
)

func Test_addTagInheritanceRun(t *testing.T) {
	e := kojicmdtest.New(t)
	ctx := context.Background()
	e.Tag(t, "a", "", "")
	e.Tag(t, "b", "", "")
	e.Tag(t, "c", "", "")
	opts := AddTagInheritanceOptions{Common: e.Common(), Tag: "c", Parent: "a", Priority: 10, PkgFilter: "^osg-", Intransitive: true}
	opts.SetMaxDepth(2)
	kojicmdtest.Must(t, addTagInheritanceRun(ctx, &opts))

	for _, tc := range []struct {
		opts AddTagInheritanceOptions
		want string
	}{
		{AddTagInheritanceOptions{Tag: "c", Parent: "b", Priority: 10}, "already an active inheritance with priority 10"},
		{AddTagInheritanceOptions{Tag: "c", Parent: "a", Priority: 20}, "a is already a parent of c"},
		{AddTagInheritanceOptions{Tag: "c", Parent: "nope"}, "no such tag: nope"},
	} {
		o := tc.opts
		o.Common = e.Common()
		if err := addTagInheritanceRun(ctx, &o); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s->%s: err = %v, want %q", o.Tag, o.Parent, err, tc.want)
		}
	}
	o := AddTagInheritanceOptions{Common: e.Common(), Tag: "c", Parent: "b", Priority: 5, NoConfig: true}
	kojicmdtest.Must(t, addTagInheritanceRun(ctx, &o))
	inh, err := e.Hub.GetInheritanceData(ctx, koji.ByName("c"), koji.EventOpts{})
	kojicmdtest.Must(t, err)
	if len(inh) != 2 || inh[0].Name != "b" || !inh[0].NoConfig || inh[1].Name != "a" || inh[1].MaxDepth == nil || *inh[1].MaxDepth != 2 || inh[1].PkgFilter != "^osg-" || !inh[1].Intransitive {
		t.Errorf("inheritance %+v", inh)
	}
	// --force replaces the link to a
	o = AddTagInheritanceOptions{Common: e.Common(), Tag: "c", Parent: "a", Priority: 30, Force: true}
	kojicmdtest.Must(t, addTagInheritanceRun(ctx, &o))
	inh, err = e.Hub.GetInheritanceData(ctx, koji.ByName("c"), koji.EventOpts{})
	kojicmdtest.Must(t, err)
	if len(inh) != 2 || inh[1].Name != "a" || inh[1].Priority != 30 || inh[1].MaxDepth != nil {
		t.Errorf("after --force: %+v", inh)
	}
}
