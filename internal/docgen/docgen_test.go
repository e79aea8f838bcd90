package docgen

import (
	"os"
	"path/filepath"
	"testing"
)

// TestGeneratedFilesAreCurrent regenerates man/ and completions/ and
// compares them with the committed copies.
func TestGeneratedFilesAreCurrent(t *testing.T) {
	tmp := t.TempDir()
	if err := Generate(tmp); err != nil {
		t.Fatal(err)
	}
	repo := filepath.Join("..", "..")
	for _, sub := range []string{"man/man1", "completions"} {
		got, _ := os.ReadDir(filepath.Join(tmp, sub))
		want, _ := os.ReadDir(filepath.Join(repo, sub))
		if len(got) != len(want) {
			t.Fatalf("%s: %d generated files, %d committed: run `go generate ./...`", sub, len(got), len(want))
		}
		for _, e := range got {
			g, _ := os.ReadFile(filepath.Join(tmp, sub, e.Name()))
			w, err := os.ReadFile(filepath.Join(repo, sub, e.Name()))
			if err != nil || string(g) != string(w) {
				t.Errorf("%s/%s is out of date: run `go generate ./...`", sub, e.Name())
			}
		}
	}
}
