package fetch

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/osg-htc/osg-build-go/internal/packaging/source"
)

// Checksums is what `osg-build checksum` reports for a file.
type Checksums struct {
	SHA1, SHA256 string
}

// FileChecksums reads the file at path once and returns its SHA-1 and
// SHA-256.
func FileChecksums(path string) (Checksums, error) {
	f, err := os.Open(path)
	if err != nil {
		return Checksums{}, fmt.Errorf("checksum: %w", err)
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.IsDir() {
		return Checksums{}, fmt.Errorf("checksum %s: is a directory, give a file", path)
	}
	hw := newHashingWriter(io.Discard, nil)
	if _, err := io.Copy(hw, f); err != nil {
		return Checksums{}, fmt.Errorf("checksum %s: %w", path, err)
	}
	s := hw.sums()
	return Checksums{SHA1: s.sha1, SHA256: s.sha256}, nil
}

// CacheRelPath returns the upstream cache path (PKG/VERSION/FILE) of the
// file at path, and whether one was found. With root set, it is the path
// relative to root (which must contain the file). Otherwise it is the path
// after the nearest enclosing directory named "upstream" that has at least
// two directories between it and the file, as in the cache layout
// .../upstream/<PKG>/<VERSION>/<FILE> (sha1vdt's /p/vdt/public/html/upstream).
// A package's own upstream/ directory (upstream/FILE) does not count.
func CacheRelPath(path, root string) (string, bool) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", false
	}
	if root != "" {
		r, err := filepath.Abs(root)
		if err != nil {
			return "", false
		}
		rel, err := filepath.Rel(r, abs)
		if err != nil || rel == "." || rel == ".." || strings.HasPrefix(rel, "../") {
			return "", false
		}
		return filepath.ToSlash(rel), true
	}
	parts := strings.Split(filepath.ToSlash(abs), "/")
	for i := len(parts) - 4; i >= 0; i-- {
		if parts[i] == "upstream" {
			return strings.Join(parts[i+1:], "/"), true
		}
	}
	return "", false
}

// SourceLine formats a ready .source line for a cache path or file name.
func SourceLine(name string, c Checksums) string {
	if source.NeedsKeyword(name) {
		name = "type=cached relpath=" + name
	}
	return fmt.Sprintf("%s sha1sum=%s sha256sum=%s", name, c.SHA1, c.SHA256)
}
