package packaging

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/osg-htc/osg-build-go/internal/runner"
	"github.com/osg-htc/osg-build-go/internal/testutil"
)

func TestBuildSRPMPrepareRebuild(t *testing.T) {
	testutil.RequireTool(t, "rpmbuild", "rpm")
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
	if want := filepath.Join(l.FinalSRPMContents(), "osg-hello-1.0-1.osg.el9.src.rpm"); srpm != want {
		t.Errorf("srpm = %s, want %s", srpm, want)
	}
	build, err := Prepare(ctx, l, srpm, "el9", "", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(build, "osg-hello-1.0", "hello.sh"))
	if err != nil || !strings.Contains(string(b), "Hello from the OSG!") {
		t.Errorf("patched source: %q, %v", b, err)
	}
	rpms, err := Rebuild(ctx, l, srpm, "el8", "osg25.el8", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(rpms) != 1 || rpms[0] != filepath.Join(l.BuildResults(), "osg-hello-1.0-1.osg25.el8.noarch.rpm") {
		t.Errorf("rpms = %v", rpms)
	}

	// a pass-through package: the upstream SRPM plus an OSG spec change
	pt := filepath.Join(t.TempDir(), "passthrough")
	for _, d := range []string{"upstream", "osg"} {
		if err := os.MkdirAll(filepath.Join(pt, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(pt, "upstream", "epel.srpm.source"), []byte("osg-hello/1.0/osg-hello-1.0-1.osg.el9.src.rpm\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	spec, _ := os.ReadFile(a.Spec)
	spec = []byte(strings.Replace(string(spec), "Release:        1%{?dist}", "Release:        1.1%{?dist}", 1))
	if err := os.WriteFile(filepath.Join(pt, "osg", "osg-hello.spec"), spec, 0o644); err != nil {
		t.Fatal(err)
	}
	pf := &fakeFetcher{files: map[string]func(string) ([]string, error){
		"epel.srpm.source": func(d string) ([]string, error) {
			n := filepath.Base(srpm)
			return []string{n}, copyFile(srpm, filepath.Join(d, n), 0o644)
		},
	}}
	pl, _ := NewLayout(pt, "")
	pa, err := Assemble(ctx, pl, AssembleOptions{Fetcher: pf, FullExtract: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{
		filepath.Join(pt, DirUpstreamSRPMContents, "osg-hello.spec"),
		filepath.Join(pt, DirUpstreamSRPMContents, "osg-hello-1.0.tar.gz"),
		filepath.Join(pt, DirFinalSRPMContents, "osg-hello-greeting.patch"),
		filepath.Join(pt, DirUpstreamTarballContent, "osg-hello-1.0", "hello.sh"),
	} {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("missing %s: %v", p, err)
		}
	}
	psrpm, err := BuildSRPM(ctx, pl, pa.Spec, "el9", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Base(psrpm) != "osg-hello-1.0-1.1.osg.el9.src.rpm" {
		t.Errorf("pass-through srpm = %s", psrpm)
	}
}

func TestBuildSRPMErrors(t *testing.T) {
	testutil.RequireTool(t, "rpmbuild")
	ctx := context.Background()
	tests := []struct {
		name     string
		edit     func(string) string
		syntax   bool
		wantErr  string
		wantLine int
	}{
		{"unknown tag", func(s string) string { return strings.Replace(s, "BuildArch:", "Frobnicate: yes\nBuildArch:", 1) }, true, "Unknown tag", 8},
		{"unclosed %if", func(s string) string { return strings.Replace(s, "\n%build", "\n%if 1\n%build", 1) }, true, "Unclosed %if", 29},
		{"unclosed macro", func(s string) string { return strings.Replace(s, "1%{?dist}", "1%{?dist", 1) }, true, "unclosed macro", 3},
		{"failing %install", func(s string) string { return s }, false, "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pkg, f := samplePackage(t)
			specPath := filepath.Join(pkg, "osg", "osg-hello.spec")
			b, _ := os.ReadFile(specPath)
			if err := os.WriteFile(specPath, []byte(tt.edit(string(b))), 0o644); err != nil {
				t.Fatal(err)
			}
			l, _ := NewLayout(pkg, "")
			a, err := Assemble(ctx, l, AssembleOptions{Fetcher: f})
			if err != nil {
				t.Fatal(err)
			}
			_, err = BuildSRPM(ctx, l, a.Spec, "el9", "", nil)
			if !tt.syntax {
				if err != nil {
					t.Fatalf("BuildSRPM: %v", err)
				}
				return
			}
			var se *SpecSyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("error %v is not a SpecSyntaxError", err)
			}
			if !strings.Contains(se.Message, tt.wantErr) || tt.wantLine != 0 && se.Line != tt.wantLine {
				t.Errorf("error = %+v, want %q at line %d", se, tt.wantErr, tt.wantLine)
			}
			if !strings.Contains(err.Error(), "full log: "+l.BuildResults()) {
				t.Errorf("error does not name the log: %v", err)
			}
		})
	}
}

func TestRebuildFailureShowsTail(t *testing.T) {
	testutil.RequireTool(t, "rpmbuild", "rpm")
	ctx := context.Background()
	pkg, f := samplePackage(t)
	specPath := filepath.Join(pkg, "osg", "osg-hello.spec")
	b, _ := os.ReadFile(specPath)
	spec := strings.Replace(string(b), "# nothing to build", "echo 'compiler says: boom' >&2; exit 3", 1)
	if err := os.WriteFile(specPath, []byte(spec), 0o644); err != nil {
		t.Fatal(err)
	}
	l, _ := NewLayout(pkg, "")
	a, err := Assemble(ctx, l, AssembleOptions{Fetcher: f})
	if err != nil {
		t.Fatal(err)
	}
	srpm, err := BuildSRPM(ctx, l, a.Spec, "el9", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Rebuild(ctx, l, srpm, "el9", "", "", nil)
	var ee *runner.ExitError
	if !errors.As(err, &ee) {
		t.Fatalf("error %v is not a runner.ExitError", err)
	}
	if !strings.Contains(ee.Tail, "compiler says: boom") || ee.LogPath != filepath.Join(l.BuildResults(), "rpmbuild-el9.log") {
		t.Errorf("tail %q, log %q", ee.Tail, ee.LogPath)
	}
	log, _ := os.ReadFile(ee.LogPath)
	if !strings.Contains(string(log), "compiler says: boom") {
		t.Errorf("log does not hold the output")
	}
}

func TestWrote(t *testing.T) {
	out := []byte("Executing(%prep)...\nWrote: /a/b/x-1-1.src.rpm\nWrote: /a/b/x-1-1.noarch.rpm\n")
	got := Wrote(out)
	if len(got) != 2 || got[0] != "/a/b/x-1-1.src.rpm" || got[1] != "/a/b/x-1-1.noarch.rpm" {
		t.Errorf("Wrote = %q", got)
	}
}

func TestRebuildMissingBuildDeps(t *testing.T) {
	testutil.RequireTool(t, "rpmbuild", "rpm")
	ctx := context.Background()
	pkg, f := samplePackage(t)
	specPath := filepath.Join(pkg, "osg", "osg-hello.spec")
	b, _ := os.ReadFile(specPath)
	spec := strings.Replace(string(b), "BuildArch:", "BuildRequires: osg-no-such-package >= 9\nBuildRequires: another-missing-dep\nBuildArch:", 1)
	if err := os.WriteFile(specPath, []byte(spec), 0o644); err != nil {
		t.Fatal(err)
	}
	l, _ := NewLayout(pkg, "")
	a, err := Assemble(ctx, l, AssembleOptions{Fetcher: f})
	if err != nil {
		t.Fatal(err)
	}
	srpm, err := BuildSRPM(ctx, l, a.Spec, "el9", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Rebuild(ctx, l, srpm, "el9", "", "", nil)
	if err == nil || !strings.Contains(err.Error(), "missing build dependencies of osg-hello-1.0-1.osg.el9.src.rpm: another-missing-dep, osg-no-such-package >= 9") {
		t.Errorf("error = %v", err)
	}
}

// rpmbuild's stdout and stderr are separate pipes: in the combined output
// an "Installing …" line may split "error: Failed build dependencies:". The
// missing dependencies are still named (read from stderr).
func TestRpmbuildErrInterleavedOutput(t *testing.T) {
	stderr := "error: Failed build dependencies:\n\tfoo-devel is needed by x-1-1.noarch\n\tbar >= 2 is needed by x-1-1.noarch\n"
	res := &runner.Result{
		Stdout:   []byte("Installing /tmp/x-1-1.src.rpm\n"),
		Stderr:   []byte(stderr),
		Combined: []byte("error: Installing /tmp/x-1-1.src.rpm\nFailed build dependencies:\n\tfoo-devel is needed by x-1-1.noarch\n\tbar >= 2 is needed by x-1-1.noarch\n"),
	}
	err := rpmbuildErr("/tmp/x.spec", res, errors.New("rpmbuild exited with status 11"), "/tmp/log")
	if err == nil || !strings.Contains(err.Error(), "missing build dependencies of x.spec: foo-devel, bar >= 2") {
		t.Errorf("error = %v", err)
	}
}
