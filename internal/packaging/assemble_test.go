package packaging

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/osg-htc/osg-build-go/internal/testutil"
)

// sampleDir is the sample package kept in the repository.
var sampleDir = filepath.Join("..", "..", "testdata", "packages")

// fakeFetcher "downloads" by calling files[basename of the .source file],
// which writes into destdir and returns the names written.
type fakeFetcher struct {
	files map[string]func(destdir string) ([]string, error)
	calls int
}

func (f *fakeFetcher) Fetch(ctx context.Context, sourceFiles []string, destdir string) ([]string, error) {
	f.calls++
	var out []string
	for _, s := range sourceFiles {
		fn, ok := f.files[filepath.Base(s)]
		if !ok {
			return nil, fmt.Errorf("%s:1: unexpected source file", s)
		}
		names, err := fn(destdir)
		if err != nil {
			return nil, err
		}
		for _, n := range names {
			out = append(out, filepath.Join(destdir, n))
		}
	}
	return out, nil
}

// tarGz returns a .tar.gz holding files (name -> content).
func tarGz(t testing.TB, files map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if err := tw.WriteHeader(&tar.Header{Name: n, Mode: 0o644, Size: int64(len(files[n])), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		if _, err := io.WriteString(tw, files[n]); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := gz.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// samplePackage copies testdata/packages/osg-hello into a temporary
// directory, adds the git source's .source file and returns the package dir
// and a fetcher serving both sources.
func samplePackage(t testing.TB) (string, *fakeFetcher) {
	t.Helper()
	dst := filepath.Join(t.TempDir(), "osg-hello")
	copyTree(t, filepath.Join(sampleDir, "osg-hello"), dst)
	if err := os.WriteFile(filepath.Join(dst, "upstream", "osg-hello-docs.git.source"), []byte("type=git url=file:///nowhere/osg-hello-docs.git tag=v1.0 hash=0\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	man, err := os.ReadFile(filepath.Join(sampleDir, "git", "osg-hello-docs", "osg-hello.1"))
	if err != nil {
		t.Fatal(err)
	}
	docs := tarGz(t, map[string]string{"osg-hello-docs-1.0/osg-hello.1": string(man)})
	f := &fakeFetcher{files: map[string]func(string) ([]string, error){
		"osg-hello.tarball.source": func(d string) ([]string, error) {
			b, err := os.ReadFile(filepath.Join(sampleDir, "cache", "osg-hello", "1.0", "osg-hello-1.0.tar.gz"))
			if err != nil {
				return nil, err
			}
			return []string{"osg-hello-1.0.tar.gz"}, os.WriteFile(filepath.Join(d, "osg-hello-1.0.tar.gz"), b, 0o644)
		},
		"osg-hello-docs.git.source": func(d string) ([]string, error) {
			return []string{"osg-hello-docs-1.0.tar.gz"}, os.WriteFile(filepath.Join(d, "osg-hello-docs-1.0.tar.gz"), docs, 0o644)
		},
	}}
	return dst, f
}

func copyTree(t testing.TB, src, dst string) {
	t.Helper()
	err := filepath.Walk(src, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		if info.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		return copyFile(p, target, info.Mode().Perm())
	})
	if err != nil {
		t.Fatal(err)
	}
}

// listing returns "relpath size" lines for every file under dir.
func listing(t testing.TB, dir string) string {
	t.Helper()
	var lines []string
	err := filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if info.IsDir() {
			if rel != "." {
				lines = append(lines, rel+"/")
			}
			return nil
		}
		lines = append(lines, fmt.Sprintf("%s %d", rel, info.Size()))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return strings.Join(lines, "\n") + "\n"
}

// TestAssembleSample keeps the assembled directory of the sample package
// (names and sizes) in a golden file.
func TestAssembleSample(t *testing.T) {
	pkg, f := samplePackage(t)
	// a backup file and a subdirectory in osg/ are not copied
	if err := os.WriteFile(filepath.Join(pkg, "osg", "osg-hello.spec~"), []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(pkg, "osg", "subdir"), 0o755); err != nil {
		t.Fatal(err)
	}
	l, err := NewLayout(pkg, "")
	if err != nil {
		t.Fatal(err)
	}
	a, err := Assemble(context.Background(), l, AssembleOptions{Fetcher: f})
	if err != nil {
		t.Fatal(err)
	}
	if a.Spec != filepath.Join(l.FinalSRPMContents(), "osg-hello.spec") {
		t.Errorf("spec = %s", a.Spec)
	}
	for _, p := range a.Downloaded {
		if filepath.Dir(p) != l.FinalSRPMContents() {
			t.Errorf("downloaded path %s is not in the final directory", p)
		}
	}
	var b strings.Builder
	b.WriteString("== " + DirFinalSRPMContents + "\n")
	b.WriteString(listing(t, l.FinalSRPMContents()))
	ents, _ := os.ReadDir(pkg)
	b.WriteString("== package directory\n")
	for _, e := range ents {
		b.WriteString(e.Name() + "\n")
	}
	testutil.GoldenEqual(t, []byte(b.String()))
}

// TestAssembleFailureKeepsPrevious checks that a failed assembly leaves the
// previous _final_srpm_contents as it was and no temporary directory.
func TestAssembleFailureKeepsPrevious(t *testing.T) {
	pkg, f := samplePackage(t)
	l, _ := NewLayout(pkg, "")
	if _, err := Assemble(context.Background(), l, AssembleOptions{Fetcher: f}); err != nil {
		t.Fatal(err)
	}
	before := listing(t, l.FinalSRPMContents())
	f.files["osg-hello-docs.git.source"] = func(string) ([]string, error) {
		return nil, errors.New("git tag v1.0 missing")
	}
	_, err := Assemble(context.Background(), l, AssembleOptions{Fetcher: f})
	if err == nil || !strings.Contains(err.Error(), "git tag v1.0 missing") {
		t.Fatalf("error = %v", err)
	}
	if after := listing(t, l.FinalSRPMContents()); after != before {
		t.Errorf("previous contents changed:\n%s\nwas\n%s", after, before)
	}
	ents, _ := os.ReadDir(pkg)
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), ".tmp") {
			t.Errorf("temporary directory %s left behind", e.Name())
		}
	}
}

func TestAssembleSpecCount(t *testing.T) {
	tests := []struct {
		name    string
		setup   func(pkg string) error
		wantErr string
	}{
		{"zero", func(pkg string) error { return os.Remove(filepath.Join(pkg, "osg", "osg-hello.spec")) }, "no .spec file"},
		{"two", func(pkg string) error {
			return os.WriteFile(filepath.Join(pkg, "upstream", "other.spec"), []byte("Name: other\n"), 0o644)
		}, "2 .spec files among the sources assembled for"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pkg, f := samplePackage(t)
			if err := tt.setup(pkg); err != nil {
				t.Fatal(err)
			}
			l, _ := NewLayout(pkg, "")
			_, err := Assemble(context.Background(), l, AssembleOptions{Fetcher: f})
			var se *SpecCountError
			if !errors.As(err, &se) || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("error = %v, want a SpecCountError with %q", err, tt.wantErr)
			}
			if tt.name == "two" && !strings.Contains(err.Error(), "other.spec from upstream/") || tt.name == "two" && !strings.Contains(err.Error(), "osg-hello.spec from osg/") {
				t.Errorf("error does not say where the specs came from: %v", err)
			}
			if _, err := os.Stat(l.FinalSRPMContents()); !os.IsNotExist(err) {
				t.Errorf("_final_srpm_contents exists after a failed assembly")
			}
		})
	}
}

func TestAssembleInPlace(t *testing.T) {
	pkg, f := samplePackage(t)
	a, err := AssembleInPlace(context.Background(), pkg, pkg, "", AssembleOptions{Fetcher: f})
	if err != nil {
		t.Fatal(err)
	}
	if a.Spec != filepath.Join(pkg, "osg-hello.spec") {
		t.Errorf("spec = %s", a.Spec)
	}
	for _, n := range []string{"osg-hello-1.0.tar.gz", "osg-hello-docs-1.0.tar.gz", "osg-hello.conf", "osg-hello-greeting.patch", "osg-hello.spec"} {
		if _, err := os.Stat(filepath.Join(pkg, n)); err != nil {
			t.Errorf("%s not assembled in place: %v", n, err)
		}
	}
}

func TestAssembleWorkDir(t *testing.T) {
	pkg, f := samplePackage(t)
	work := t.TempDir()
	l, err := NewLayout(pkg, work)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Assemble(context.Background(), l, AssembleOptions{Fetcher: f, FullExtract: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(work, "osg-hello", DirFinalSRPMContents, "osg-hello.spec")); err != nil {
		t.Errorf("not assembled under the working directory: %v", err)
	}
	if _, err := os.Stat(filepath.Join(work, "osg-hello", DirUpstreamTarballContent, "osg-hello-1.0", "hello.sh")); err != nil {
		t.Errorf("--full-extract did not unpack the tarball: %v", err)
	}
	if _, err := os.Stat(filepath.Join(work, "osg-hello", DirUpstreamTarballContent, "osg-hello-docs-1.0", "osg-hello.1")); err != nil {
		t.Errorf("--full-extract did not unpack the git tarball: %v", err)
	}
	if _, err := os.Stat(filepath.Join(pkg, DirFinalSRPMContents)); !os.IsNotExist(err) {
		t.Errorf("underscore directory made in the package directory despite -w")
	}
}

// TestAssembleRemovesStale checks that generated directories of an earlier
// run that this run does not make (upstream SRPM and tarball contents) are
// removed when the assembly succeeds.
func TestAssembleRemovesStale(t *testing.T) {
	pkg, f := samplePackage(t)
	l, _ := NewLayout(pkg, "")
	for _, d := range []string{DirUpstreamSRPMContents, DirUpstreamTarballContent} {
		if err := os.MkdirAll(filepath.Join(l.Dir(d), "old"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := Assemble(context.Background(), l, AssembleOptions{Fetcher: f}); err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{DirUpstreamSRPMContents, DirUpstreamTarballContent} {
		if _, err := os.Stat(l.Dir(d)); !os.IsNotExist(err) {
			t.Errorf("stale %s left: %v", d, err)
		}
	}
}

// TestAssembleReplacesPrevious assembles twice: the second assembly
// replaces the first, and once Wait returns the replaced directory (removed
// in the background) is gone too.
func TestAssembleReplacesPrevious(t *testing.T) {
	pkg, f := samplePackage(t)
	l, _ := NewLayout(pkg, "")
	first, err := Assemble(context.Background(), l, AssembleOptions{Fetcher: f})
	if err != nil {
		t.Fatal(err)
	}
	first.Wait()
	if err := os.WriteFile(filepath.Join(l.FinalSRPMContents(), "stray"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	second, err := Assemble(context.Background(), l, AssembleOptions{Fetcher: f})
	if err != nil {
		t.Fatal(err)
	}
	second.Wait()
	if _, err := os.Stat(filepath.Join(l.FinalSRPMContents(), "stray")); !os.IsNotExist(err) {
		t.Errorf("a file of the previous contents survived: %v", err)
	}
	if _, err := os.Stat(second.Spec); err != nil {
		t.Error(err)
	}
	ents, _ := os.ReadDir(pkg)
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), ".") {
			t.Errorf("%s left behind", e.Name())
		}
	}
	var nilAssembly *Assembly
	nilAssembly.Wait() // a failed Assemble's nil result may be waited on
}
