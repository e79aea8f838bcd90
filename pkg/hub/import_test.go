package hub_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/osg-htc/osg-build-go/internal/testutil"
	"github.com/osg-htc/osg-build-go/pkg/koji"
)

const importSpec = `Name: imp
Version: 2.0
Release: 3
Epoch: 1
Summary: import test
License: MIT
BuildArch: noarch
%description
import test
%files
`

// TestImportSRPMAndRPM: importRPM of an SRPM makes its COMPLETE build; the
// binary RPM then joins it; both land in packages/N/V/R/ARCH/.
func TestImportSRPMAndRPM(t *testing.T) {
	testutil.RequireTool(t, "rpmbuild")
	ctx := context.Background()
	top := t.TempDir()
	spec := filepath.Join(top, "imp.spec")
	if err := os.WriteFile(spec, []byte(importSpec), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.CommandContext(ctx, "rpmbuild", "-ba", "--define", "_topdir "+top, spec).CombinedOutput()
	if err != nil {
		t.Fatalf("rpmbuild: %v\n%s", err, out)
	}
	h := openHub(t)
	upload := func(p string) {
		t.Helper()
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		st, _ := f.Stat()
		if err := h.Upload(ctx, "cli-import/t1", filepath.Base(p), f, st.Size(), koji.UploadOpts{Overwrite: true}); err != nil {
			t.Fatal(err)
		}
	}
	srpm := filepath.Join(top, "SRPMS", "imp-2.0-3.src.rpm")
	rpm := filepath.Join(top, "RPMS", "noarch", "imp-2.0-3.noarch.rpm")
	upload(srpm)
	upload(rpm)
	// the binary first: its build does not exist yet
	if _, err := h.ImportRPM(ctx, "cli-import/t1", "imp-2.0-3.noarch.rpm"); err == nil || !strings.Contains(err.Error(), "No such build: imp-2.0-3") {
		t.Errorf("importing the binary first: %v", err)
	}
	s, err := h.ImportRPM(ctx, "cli-import/t1", "imp-2.0-3.src.rpm")
	if err != nil {
		t.Fatal(err)
	}
	if s.Arch != "src" || s.Epoch == nil || *s.Epoch != 1 || len(s.PayloadHash) != 32 || s.BuildTime == 0 {
		t.Errorf("SRPM row = %+v", s)
	}
	b, err := h.GetBuild(ctx, koji.ByName("imp-2.0-3"), koji.GetBuildOpts{Strict: true})
	if err != nil {
		t.Fatal(err)
	}
	if b.State != koji.BuildComplete || b.Epoch == nil || *b.Epoch != 1 || b.OwnerName != "kojiadmin" {
		t.Errorf("imported build = %+v", b)
	}
	r, err := h.ImportRPM(ctx, "cli-import/t1", "imp-2.0-3.noarch.rpm")
	if err != nil {
		t.Fatal(err)
	}
	if r.BuildID != b.ID || r.Arch != "noarch" {
		t.Errorf("RPM row = %+v", r)
	}
	rpms, err := h.ListRPMs(ctx, koji.ListRPMsOpts{BuildID: &b.ID})
	if err != nil || len(rpms) != 2 {
		t.Errorf("listRPMs = %+v, %v", rpms, err)
	}
	for _, p := range []string{"packages/imp/2.0/3/src/imp-2.0-3.src.rpm", "packages/imp/2.0/3/noarch/imp-2.0-3.noarch.rpm"} {
		if _, err := os.Stat(filepath.Join(h.TopDir(), p)); err != nil {
			t.Error(err)
		}
	}
	got, err := h.GetRPM(ctx, koji.ByName("imp-2.0-3.noarch"), koji.GetRPMOpts{})
	if err != nil || got == nil || got.ID != r.ID {
		t.Errorf("getRPM(N-V-R.A) = %+v, %v", got, err)
	}
	sigs, err := h.QueryRPMSigs(ctx, koji.QueryRPMSigsOpts{RPMID: koji.ByID(r.ID)})
	if err != nil || len(sigs) != 1 || sigs[0].SigKey != "" {
		t.Errorf("queryRPMSigs = %+v, %v", sigs, err)
	}
	// a second import of the same RPM
	upload(rpm)
	if _, err := h.ImportRPM(ctx, "cli-import/t1", "imp-2.0-3.noarch.rpm"); err == nil || !strings.Contains(err.Error(), "already imported") {
		t.Errorf("importing twice: %v", err)
	}
}
