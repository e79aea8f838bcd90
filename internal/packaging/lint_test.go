package packaging

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/osg-htc/osg-build-go/internal/testutil"
)

func TestLintConfig(t *testing.T) {
	cfg := LintConfig()
	if len(LintFilters) != 11 {
		t.Errorf("%d filters, osg-build has 11", len(LintFilters))
	}
	for _, f := range []string{"no-signature", "invalid-license", "no-%build-section", "description-line-too-long"} {
		if !strings.Contains(cfg, `"`+f+`",`) {
			t.Errorf("config lacks %s:\n%s", f, cfg)
		}
	}
	if !strings.HasPrefix(strings.SplitN(cfg, "\n", 2)[1], "Filters = [") {
		t.Errorf("config does not set Filters:\n%s", cfg)
	}
}

func TestLintSample(t *testing.T) {
	testutil.RequireTool(t, "rpmbuild", "rpmlint")
	ctx := context.Background()
	pkg, f := samplePackage(t)
	l, _ := NewLayout(pkg, "")
	a, err := Assemble(ctx, l, AssembleOptions{Fetcher: f})
	if err != nil {
		t.Fatal(err)
	}
	srpm, err := BuildSRPM(ctx, l, a.Spec, "el9", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Lint(ctx, []string{srpm}, filepath.Join(t.TempDir(), "lint.log"))
	if err != nil {
		t.Fatal(err)
	}
	// the filters hide no-signature, which every local SRPM has
	if strings.Contains(string(res.Output), "no-signature") {
		t.Errorf("filtered check reported:\n%s", res.Output)
	}
	if !strings.Contains(string(res.Output), "1 packages and 0 specfiles checked") {
		t.Errorf("unexpected output:\n%s", res.Output)
	}
	// a file that is not an RPM: rpmlint reports an error (status 64)
	bad := filepath.Join(t.TempDir(), "bad.src.rpm")
	if err := os.WriteFile(bad, []byte("not an rpm"), 0o644); err != nil {
		t.Fatal(err)
	}
	res, err = Lint(ctx, []string{bad}, "")
	if err != nil {
		t.Logf("rpmlint on a non-RPM: %v", err)
	} else if res.Status != LintProblems && res.Status != LintManyProblems {
		t.Errorf("status %d for a non-RPM", res.Status)
	}
}
