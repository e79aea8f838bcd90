package listexternalrepos

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/osg-htc/osg-build-go/internal/cmd/koji/shared/kojicmdtest"
	"github.com/osg-htc/osg-build-go/pkg/koji"
)

func TestListExternalRepos(t *testing.T) {
	e := kojicmdtest.New(t)
	ctx := context.Background()
	e.Tag(t, "base", "", "x86_64")
	e.Tag(t, "child", "base", "x86_64")
	for _, r := range [][2]string{{"epel9", "https://epel.example/9/$arch/"}, {"centos-stream-9", "https://cs.example/9/$arch/"}} {
		_, err := e.Hub.CreateExternalRepo(ctx, r[0], r[1])
		kojicmdtest.Must(t, err)
	}
	kojicmdtest.Must(t, e.Hub.AddExternalRepoToTag(ctx, koji.ByName("base"), koji.ByName("epel9"), 5, koji.AddExternalRepoToTagOpts{}))
	kojicmdtest.Must(t, e.Hub.AddExternalRepoToTag(ctx, koji.ByName("child"), koji.ByName("centos-stream-9"), 10, koji.AddExternalRepoToTagOpts{MergeMode: "bare"}))
	f := e.Factory()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, "External repo name        URL\n" + strings.Repeat("-", 25) + " " + strings.Repeat("-", 40) + "\n" +
			"epel9                     https://epel.example/9/$arch/\ncentos-stream-9           https://cs.example/9/$arch/\n"},
		{[]string{"--name", "epel9"}, "epel9                     https://epel.example/9/$arch/\n"},
		{[]string{"--tag", "child"}, "Pri External repo name        Mode       URL\n--- " + strings.Repeat("-", 25) + " ---------- " + strings.Repeat("-", 40) + "\n" +
			"10  centos-stream-9           bare       https://cs.example/9/$arch/\n"},
		{[]string{"--tag", "child", "--inherit"}, "Tag                  Pri Mode       External repo name\n" + strings.Repeat("-", 20) + " --- ---------- " + strings.Repeat("-", 25) + "\n" +
			"child                10  bare       centos-stream-9\nbase                 5   koji       epel9\n"},
		{[]string{"--used", "--name", "epel9"}, "Tag                  Pri Mode       External repo name\n" + strings.Repeat("-", 20) + " --- ---------- " + strings.Repeat("-", 25) + "\n" +
			"base                 5   koji       epel9\n"},
	} {
		e.Reset()
		kojicmdtest.Must(t, kojicmdtest.Exec(NewCmdListExternalRepos(f, nil), tc.args...))
		got := e.Out.String()
		if len(tc.args) == 2 && tc.args[0] == "--name" {
			got = got[strings.LastIndex(got[:len(got)-1], "\n")+1:]
		}
		if got != tc.want {
			t.Errorf("list-external-repos %v:\n%s\nwant:\n%s", tc.args, got, tc.want)
		}
	}
	// at an event before the repos were attached
	ev, err := e.Hub.GetLastEvent(ctx, koji.GetLastEventOpts{})
	kojicmdtest.Must(t, err)
	before := ev.ID - 2
	e.Reset()
	kojicmdtest.Must(t, kojicmdtest.Exec(NewCmdListExternalRepos(f, nil), "--tag", "child", "--event", strconv.Itoa(before)))
	if !strings.HasPrefix(e.Out.String(), "Querying at event ") || strings.Contains(e.Out.String(), "centos") {
		t.Errorf("--event %d: %q", before, e.Out)
	}
	e.Reset()
	kojicmdtest.Must(t, kojicmdtest.Exec(NewCmdListExternalRepos(f, nil), "--tag", "child", "--json"))
	if !strings.Contains(e.Out.String(), `"merge_mode": "bare"`) {
		t.Errorf("--json: %s", e.Out)
	}
	if err := kojicmdtest.Exec(NewCmdListExternalRepos(f, nil), "--tag", "child", "--inherit", "--name", "x"); err == nil || !strings.Contains(err.Error(), "can't select by repo") {
		t.Errorf("--inherit --name: %v", err)
	}
}
