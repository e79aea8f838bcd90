package fetchsources

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/osg-htc/osg-build-go/internal/cmdutil"
	"github.com/osg-htc/osg-build-go/internal/iostreams"
)

// fakeFetcher writes one file per .source file.
type fakeFetcher struct{}

func (fakeFetcher) Fetch(_ context.Context, sources []string, destdir string) ([]string, error) {
	var out []string
	for _, s := range sources {
		p := filepath.Join(destdir, strings.TrimSuffix(filepath.Base(s), ".source")+".tar.gz")
		if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

func TestFetchSourcesInPlace(t *testing.T) {
	dir := t.TempDir()
	for p, content := range map[string]string{
		"osg/pkg.spec":        "Name: pkg\n",
		"osg/fix.patch":       "patch\n",
		"upstream/src.source": "pkg/1/src.tar.gz\n",
		"upstream/extra.conf": "conf\n",
		"upstream/old.conf~":  "backup\n",
	} {
		if err := os.MkdirAll(filepath.Join(dir, filepath.Dir(p)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, p), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ios, _, out, _ := iostreams.Test()
	f := &cmdutil.Factory{IOStreams: ios}
	cmd := NewCmdFetchSources(f, func(ctx context.Context, o *FetchSourcesOptions) error {
		o.Fetcher = fakeFetcher{}
		return fetchSourcesRun(ctx, o)
	})
	cmd.SetArgs([]string{dir})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	want := "extra.conf\nfix.patch\npkg.spec\nsrc.tar.gz\n"
	if out.String() != want {
		t.Errorf("stdout:\n%s\nwant\n%s", out, want)
	}
	if _, err := os.Stat(filepath.Join(dir, "old.conf~")); !os.IsNotExist(err) {
		t.Errorf("backup file copied")
	}
}
