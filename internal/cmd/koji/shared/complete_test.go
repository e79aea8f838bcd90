package shared_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/spf13/cobra"

	"github.com/osg-htc/osg-build-go/internal/cmd/koji/shared"
	"github.com/osg-htc/osg-build-go/internal/cmd/koji/shared/kojicmdtest"
)

func TestCompleteTags(t *testing.T) {
	e := kojicmdtest.New(t)
	for _, n := range []string{"osg-el9", "osg-25-main-el9-build", "dist-el9-build"} {
		e.Tag(t, n, "", "")
	}
	c := e.Common()
	cmd := &cobra.Command{}
	cmd.SetContext(context.Background())
	got, dir := shared.CompleteTags(&c, 0)(cmd, nil, "osg-")
	if want := []cobra.Completion{"osg-25-main-el9-build", "osg-el9"}; !reflect.DeepEqual(got, want) || dir != cobra.ShellCompDirectiveNoFileComp {
		t.Errorf("got %v %v, want %v", got, dir, want)
	}
	if got, _ := shared.CompleteTags(&c, 0)(cmd, []string{"x"}, ""); got != nil {
		t.Errorf("second argument completed with %v", got)
	}
}
