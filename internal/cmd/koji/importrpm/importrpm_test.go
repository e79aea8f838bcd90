package importrpm

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/osg-htc/osg-build-go/internal/cmd/koji/shared/kojicmdtest"
	"github.com/osg-htc/osg-build-go/pkg/koji"
)

var fixtures = filepath.Join("..", "..", "..", "..", "testdata", "rpms")

func Test_importRun(t *testing.T) {
	e := kojicmdtest.New(t)
	ctx := context.Background()
	full := filepath.Join(fixtures, "osgtest-full-1.2.3-4.x86_64.rpm")
	libs := filepath.Join(fixtures, "osgtest-full-libs-1.2.3-4.x86_64.rpm")
	noarch := filepath.Join(fixtures, "osgtest-noarch-0.5-1.noarch.rpm")

	opts := ImportOptions{Common: e.Common(), Paths: []string{full, libs, noarch}}
	kojicmdtest.Must(t, importRun(ctx, &opts))
	for _, want := range []string{"Creating empty build: osgtest-full-1.2.3-4", "Creating empty build: osgtest-noarch-0.5-1", "importing " + libs} {
		if !strings.Contains(e.ErrOut.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, e.ErrOut)
		}
	}
	if e.Out.Len() != 0 {
		t.Errorf("stdout: %q", e.Out)
	}
	b, err := e.Hub.GetBuild(ctx, koji.ByName("osgtest-full-1.2.3-4"), koji.GetBuildOpts{})
	kojicmdtest.Must(t, err)
	if b == nil || b.State != koji.BuildComplete {
		t.Fatalf("build %+v", b)
	}
	rpms, err := e.Hub.ListRPMs(ctx, koji.ListRPMsOpts{BuildID: &b.ID})
	kojicmdtest.Must(t, err)
	if len(rpms) != 2 {
		t.Fatalf("rpms %+v", rpms)
	}
	if _, err := os.Stat(filepath.Join(e.Hub.TopDir(), "packages", "osgtest-full", "1.2.3", "4", "x86_64", "osgtest-full-libs-1.2.3-4.x86_64.rpm")); err != nil {
		t.Error(err)
	}

	// again: already imported, nothing uploaded
	e.Reset()
	opts.JSON = true
	kojicmdtest.Must(t, importRun(ctx, &opts))
	if strings.Count(e.ErrOut.String(), "RPM already imported") != 3 || strings.Contains(e.ErrOut.String(), "uploading") {
		t.Errorf("second import:\n%s", e.ErrOut)
	}
	if !strings.Contains(e.Out.String(), `"status": "skipped"`) {
		t.Errorf("json: %s", e.Out)
	}

	// not an RPM
	bad := filepath.Join(t.TempDir(), "bad.rpm")
	kojicmdtest.Must(t, os.WriteFile(bad, []byte("nope"), 0o644))
	opts = ImportOptions{Common: e.Common(), Paths: []string{bad}}
	if err := importRun(ctx, &opts); err == nil || !strings.Contains(err.Error(), "is not an RPM") {
		t.Errorf("err = %v", err)
	}
}

func Test_splitNVR(t *testing.T) {
	for in, want := range map[string][3]string{
		"foo-1.0-1.el9":     {"foo", "1.0", "1.el9"},
		"foo-bar-2-3.osg25": {"foo-bar", "2", "3.osg25"},
	} {
		n, v, r, err := splitNVR(in)
		if err != nil || [3]string{n, v, r} != want {
			t.Errorf("splitNVR(%q) = %q %q %q %v", in, n, v, r, err)
		}
	}
	if _, _, _, err := splitNVR("foo-1"); err == nil {
		t.Error("foo-1 accepted")
	}
}
