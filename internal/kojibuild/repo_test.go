package kojibuild

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/osg-htc/osg-build-go/pkg/koji"
)

// waitHub scripts the repos of a tag: repos[i] is getRepo's answer at the
// i-th call (the last one sticks); the build is tagged from listTagged call
// taggedAt on.
type waitHub struct {
	koji.Hub
	repos      []*koji.Repo
	repoCalls  int
	taggedAt   int
	listCalls  int
	tagEvent   int
	lastChange *int
}

func (h *waitHub) GetTag(ctx context.Context, tag koji.Ref, opts koji.GetTagOpts) (*koji.Tag, error) {
	if tag.Name == "nope" {
		return nil, nil
	}
	return &koji.Tag{ID: 4, Name: tag.Name}, nil
}

func (h *waitHub) GetBuild(ctx context.Context, b koji.Ref, opts koji.GetBuildOpts) (*koji.Build, error) {
	return &koji.Build{Name: strings.SplitN(b.Name, "-", 2)[0], NVR: b.Name}, nil
}

func (h *waitHub) ListTagged(ctx context.Context, tag koji.Ref, opts koji.ListTaggedOpts) ([]koji.TaggedBuild, error) {
	h.listCalls++
	if h.listCalls < h.taggedAt {
		return nil, nil
	}
	return []koji.TaggedBuild{{NVR: "hello-1-1.osg25.el9", CreateEvent: h.tagEvent}}, nil
}

func (h *waitHub) GetRepo(ctx context.Context, tag koji.Ref, opts koji.GetRepoOpts) (*koji.Repo, error) {
	i := min(h.repoCalls, len(h.repos)-1)
	h.repoCalls++
	return h.repos[i], nil
}

func (h *waitHub) Call(ctx context.Context, method string, args []any, kw map[string]any) (any, error) {
	if method == "tagLastChangeEvent" && h.lastChange != nil {
		return int64(*h.lastChange), nil
	}
	return nil, koji.NewFault(koji.GenericError, "Invalid method: %s", method)
}

func TestWaitRepo(t *testing.T) {
	r := func(id, ev int) *koji.Repo { return &koji.Repo{ID: id, CreateEvent: ev, State: koji.RepoReady} }
	tests := []struct {
		name    string
		hub     *waitHub
		builds  []string
		tag     string
		wantID  int
		wantErr string
	}{
		{name: "build tagged late, repo after it", hub: &waitHub{taggedAt: 3, tagEvent: 50,
			repos: []*koji.Repo{r(1, 40), r(1, 40), r(2, 50)}}, builds: []string{"hello-1-1.osg25.el9"}, wantID: 2},
		{name: "repo already has it", hub: &waitHub{taggedAt: 1, tagEvent: 50, repos: []*koji.Repo{r(3, 60)}},
			builds: []string{"hello-1-1.osg25.el9"}, wantID: 3},
		{name: "no builds, old hub: a new repo", hub: &waitHub{repos: []*koji.Repo{r(5, 10), r(5, 10), r(6, 12)}}, wantID: 6},
		{name: "no builds, last change event", hub: &waitHub{lastChange: new(int), repos: []*koji.Repo{r(5, 10)}}, wantID: 5},
		{name: "timeout", hub: &waitHub{taggedAt: 1, tagEvent: 50, repos: []*koji.Repo{r(1, 40)}},
			builds: []string{"hello-1-1.osg25.el9"}, wantErr: "timed out after 1m0s waiting for a new repo of osg-25-main-el9-build: run `osg-build regen-repo"},
		{name: "never tagged", hub: &waitHub{taggedAt: 1 << 30, repos: []*koji.Repo{r(1, 40)}},
			builds: []string{"hello-1-1.osg25.el9"}, wantErr: "hello-1-1.osg25.el9 not tagged into"},
		{name: "no tag", tag: "nope", hub: &waitHub{}, wantErr: "no such tag: nope"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := time.Unix(0, 0)
			tag := tt.tag
			if tag == "" {
				tag = "osg-25-main-el9-build"
			}
			repo, err := WaitRepo(context.Background(), tt.hub, tag, WaitOptions{Builds: tt.builds, Timeout: time.Minute,
				Now:   func() time.Time { return clock },
				Sleep: func(ctx context.Context, d time.Duration) error { clock = clock.Add(d); return nil }})
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if repo.ID != tt.wantID {
				t.Errorf("repo = %d, want %d", repo.ID, tt.wantID)
			}
		})
	}
}
