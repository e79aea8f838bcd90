package addexternalrepo

import (
	"context"
	"strings"
	"testing"

	"github.com/osg-htc/osg-build-go/internal/cmd/koji/shared/kojicmdtest"
	"github.com/osg-htc/osg-build-go/pkg/koji"
)

func Test_addExternalRepoRun(t *testing.T) {
	e := kojicmdtest.New(t)
	ctx := context.Background()
	e.Tag(t, "t1", "", "")
	e.Tag(t, "t2", "", "")
	opts := AddExternalRepoOptions{Common: e.Common(), Name: "base", URL: "https://mirror.example.org/base", Tags: []string{"t1", "t2::20"}, Mode: "bare"}
	kojicmdtest.Must(t, addExternalRepoRun(ctx, &opts))
	if !strings.Contains(e.ErrOut.String(), "Added external repo base to tag t1 (priority 5)") ||
		!strings.Contains(e.ErrOut.String(), "Added external repo base to tag t2 (priority 20)") {
		t.Errorf("stderr:\n%s", e.ErrOut)
	}
	// an existing repo, automatic priority after 5 is 10
	opts2 := AddExternalRepoOptions{Common: e.Common(), Name: "updates", URL: "https://mirror.example.org/updates", Tags: []string{"t1"}}
	kojicmdtest.Must(t, addExternalRepoRun(ctx, &opts2))
	repos, err := e.Hub.GetTagExternalRepos(ctx, koji.GetTagExternalReposOpts{TagInfo: koji.ByName("t1")})
	kojicmdtest.Must(t, err)
	if len(repos) != 2 || repos[0].ExternalRepoName != "base" || repos[0].MergeMode != "bare" || repos[1].Priority != 10 {
		t.Errorf("repos %+v", repos)
	}
	// attaching an existing repo by name
	opts3 := AddExternalRepoOptions{Common: e.Common(), Name: "updates", Tags: []string{"t2"}}
	opts3.SetPriority(3)
	kojicmdtest.Must(t, addExternalRepoRun(ctx, &opts3))
	opts4 := AddExternalRepoOptions{Common: e.Common(), Name: "nope", Tags: []string{"t2"}}
	if err := addExternalRepoRun(ctx, &opts4); err == nil || !strings.Contains(err.Error(), "no such external repo: nope") {
		t.Errorf("err = %v", err)
	}
}

func Test_parseTagPri(t *testing.T) {
	if tag, pri, ok, err := parseTagPri("t::15"); tag != "t" || pri != 15 || !ok || err != nil {
		t.Errorf("t::15 = %q %d %v %v", tag, pri, ok, err)
	}
	if _, _, _, err := parseTagPri("t::x"); err == nil {
		t.Error("t::x accepted")
	}
}

func Test_NewCmdAddExternalRepo(t *testing.T) {
	e := kojicmdtest.New(t)
	cmd := NewCmdAddExternalRepo(e.Factory(), func(*AddExternalRepoOptions) error { return nil })
	for _, args := range [][]string{{"name"}, {"name", "url", "--mode", "weird"}} {
		if err := kojicmdtest.Exec(cmd, args...); err == nil {
			t.Errorf("%v accepted", args)
		}
	}
}
