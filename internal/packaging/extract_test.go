package packaging

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ulikunitz/xz"
)

func TestExtractArchive(t *testing.T) {
	src := t.TempDir()
	// tar.gz
	if err := os.WriteFile(filepath.Join(src, "a-1.tar.gz"), tarGz(t, map[string]string{"a-1/README": "a"}), 0o644); err != nil {
		t.Fatal(err)
	}
	// tar.xz
	var tb bytes.Buffer
	tw := tar.NewWriter(&tb)
	tw.WriteHeader(&tar.Header{Name: "b-1/x", Mode: 0o755, Size: 1, Typeflag: tar.TypeReg})
	tw.Write([]byte("b"))
	tw.WriteHeader(&tar.Header{Name: "b-1/link", Linkname: "x", Typeflag: tar.TypeSymlink})
	tw.WriteHeader(&tar.Header{Name: "b-1/evil", Linkname: "/etc/passwd", Typeflag: tar.TypeSymlink})
	tw.Close()
	var xb bytes.Buffer
	xw, _ := xz.NewWriter(&xb)
	xw.Write(tb.Bytes())
	xw.Close()
	if err := os.WriteFile(filepath.Join(src, "b-1.tar.xz"), xb.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	// zip
	var zb bytes.Buffer
	zw := zip.NewWriter(&zb)
	w, _ := zw.Create("c-1/c.txt")
	w.Write([]byte("c"))
	zw.Close()
	if err := os.WriteFile(filepath.Join(src, "c-1.zip"), zb.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	// not an archive
	if err := os.WriteFile(filepath.Join(src, "notes.txt"), []byte("n"), 0o644); err != nil {
		t.Fatal(err)
	}
	dst := t.TempDir()
	for _, n := range []string{"a-1.tar.gz", "b-1.tar.xz", "c-1.zip", "notes.txt"} {
		if err := ExtractArchive(context.Background(), filepath.Join(src, n), dst); err != nil {
			t.Fatalf("%s: %v", n, err)
		}
	}
	got := listing(t, dst)
	want := "a-1/\na-1/README 1\nb-1/\nb-1/link 1\nb-1/x 1\nc-1/\nc-1/c.txt 1\n"
	if got != want {
		t.Errorf("extracted:\n%s\nwant\n%s", got, want)
	}
	// an entry escaping the directory is refused
	if err := os.WriteFile(filepath.Join(src, "evil.tar.gz"), tarGz(t, map[string]string{"../../escape": "x"}), 0o644); err != nil {
		t.Fatal(err)
	}
	err := ExtractArchive(context.Background(), filepath.Join(src, "evil.tar.gz"), dst)
	if err == nil || !strings.Contains(err.Error(), "outside") {
		t.Errorf("escaping entry: %v", err)
	}
}
