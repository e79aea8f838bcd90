package kojibuild

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/osg-htc/osg-build-go/internal/targets"
	"github.com/osg-htc/osg-build-go/internal/testutil"
	"github.com/osg-htc/osg-build-go/pkg/koji"
)

// TestDryRunGolden prints the calls of a chain of three packages from SVN
// for two dvers in the background, without opening the hub.
func TestDryRunGolden(t *testing.T) {
	golden, err := filepath.Abs(filepath.Join("testdata", t.Name()+".golden"))
	if err != nil {
		t.Fatal(err)
	}
	co, vc := svnPackages(t, map[string]string{"libfoo": specLibfoo, "app": specApp, "tool": specTool})
	t.Chdir(co)
	var out, errb bytes.Buffer
	env := &Env{
		Hub: func(ctx context.Context) (koji.Hub, error) {
			t.Fatal("the dry run opened the hub")
			return nil, nil
		},
		Targets: targets.Default(), VCS: vc, Asker: &Asker{}, Out: &out, Err: &errb,
	}
	o := &Options{Args: []string{"app", "libfoo", "tool"}, DryRun: true, Chain: true, Background: true,
		Targets: targets.Request{Repo: "25-main", Dvers: []string{"el9", "el10"}}}
	rep, err := Run(context.Background(), env, o)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Jobs) != 6 {
		t.Errorf("%d jobs, want 6", len(rep.Jobs))
	}
	got := strings.ReplaceAll(out.String(), filepath.Join(filepath.Dir(co), "repo"), "$REPO")
	testutil.GoldenFileEqual(t, golden, []byte(got))
}
