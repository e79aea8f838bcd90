package taginfo

import (
	"context"
	"strings"
	"testing"

	"github.com/osg-htc/osg-build-go/internal/cmd/koji/shared/kojicmdtest"
	"github.com/osg-htc/osg-build-go/pkg/koji"
)

func Test_tagInfoRun(t *testing.T) {
	e := kojicmdtest.New(t)
	ctx := context.Background()
	e.Tag(t, "osg-el9", "", "")
	e.Tag(t, "dist-el9-build", "", "x86_64")
	id, err := e.Hub.CreateTag(ctx, "osg-25-main-el9-build", koji.CreateTagOpts{Parent: koji.ByName("osg-el9"), Extra: map[string]any{"rpm.macro.dist": ".osg25.el9"}})
	kojicmdtest.Must(t, err)
	kojicmdtest.Must(t, e.Hub.SetInheritanceData(ctx, koji.ByID(id), []koji.InheritanceLink{
		{ParentID: 2, Priority: 10, MaxDepth: koji.Ptr(1), PkgFilter: "^foo", Intransitive: true},
	}, koji.SetInheritanceOpts{}))
	e.Tag(t, "osg-25-main-el9-development", "", "")
	kojicmdtest.Must(t, e.Hub.CreateBuildTarget(ctx, "osg-25-main-el9", koji.ByName("osg-25-main-el9-build"), koji.ByName("osg-25-main-el9-development")))
	repo, err := e.Hub.CreateExternalRepo(ctx, "el9-base", "https://mirror.example.org/el9/")
	kojicmdtest.Must(t, err)
	kojicmdtest.Must(t, e.Hub.AddExternalRepoToTag(ctx, koji.ByName("dist-el9-build"), koji.ByID(repo.ID), 5, koji.AddExternalRepoToTagOpts{MergeMode: "bare"}))

	opts := TagInfoOptions{Common: e.Common(), Tags: []string{"osg-25-main-el9-build", "dist-el9-build", "osg-25-main-el9-development"}}
	kojicmdtest.Must(t, tagInfoRun(ctx, &opts))
	want := `Tag: osg-25-main-el9-build [3]
Arches: x86_64
Groups: 
Tag options:
  rpm.macro.dist : '.osg25.el9'
This tag is a buildroot for one or more targets
Current repo: no active repo
Targets that build from this tag:
  osg-25-main-el9
Inheritance:
  0    .... osg-el9 [1]
  10   MFI. dist-el9-build [2]
    maxdepth: 1
    package filter: ^foo

Tag: dist-el9-build [2]
Arches: x86_64
Groups: 
Tag options:
External repos:
    5 el9-base (https://mirror.example.org/el9/, merge mode: bare), arches: inherited from tag
Inheritance:

Tag: osg-25-main-el9-development [4]
Arches: 
Groups: 
Tag options:
Targets that build into this tag:
  osg-25-main-el9 (osg-25-main-el9-build, no active repo)
Inheritance:
`
	if got := e.Out.String(); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}

	opts.Tags = []string{"nope"}
	if err := tagInfoRun(ctx, &opts); err == nil || !strings.Contains(err.Error(), "no such tag: nope") {
		t.Errorf("err = %v", err)
	}
	e.Reset()
	opts.Tags, opts.JSON = []string{"dist-el9-build"}, true
	kojicmdtest.Must(t, tagInfoRun(ctx, &opts))
	if !strings.Contains(e.Out.String(), `"external_repo_name": "el9-base"`) {
		t.Errorf("json: %s", e.Out)
	}
}
