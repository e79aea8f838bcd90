package hub_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/osg-htc/osg-build-go/pkg/koji"
)

// listBuilds pages by id in SQL: the same rows as sorting everything, for
// both directions, offsets past the end, and an offset without a limit.
func TestListBuildsPages(t *testing.T) {
	h := openHub(t)
	ctx := context.Background()
	for i := 1; i <= 5; i++ {
		if _, err := h.CreateEmptyBuild(ctx, fmt.Sprintf("p%d", i), "1", "1", nil, koji.CreateEmptyBuildOpts{}); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []struct {
		q    koji.QueryOpts
		want string
	}{
		{koji.QueryOpts{Order: "-build_id", Limit: 2}, "[5 4]"},
		{koji.QueryOpts{Order: "-id", Limit: 2, Offset: 1}, "[4 3]"},
		{koji.QueryOpts{Order: "id", Offset: 3}, "[4 5]"},
		{koji.QueryOpts{Limit: 1, Offset: 9}, "[]"},
		{koji.QueryOpts{Order: "-nvr", Limit: 2}, "[5 4]"},
		{koji.QueryOpts{}, "[1 2 3 4 5]"},
	} {
		q := c.q
		l, err := h.ListBuilds(ctx, koji.ListBuildsOpts{QueryOpts: &q})
		if err != nil {
			t.Fatal(err)
		}
		ids := []int{}
		for _, b := range l {
			ids = append(ids, b.ID)
		}
		if got := fmt.Sprint(ids); got != c.want {
			t.Errorf("%+v: %s, want %s", c.q, got, c.want)
		}
	}
}
