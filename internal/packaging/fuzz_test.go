package packaging

import (
	"path/filepath"
	"strings"
	"testing"
)

// FuzzSafeJoin checks that no archive entry name lands outside the
// extraction directory.
func FuzzSafeJoin(f *testing.F) {
	for _, s := range []string{"a/b", "../x", "/etc/passwd", "a/../../b", ".", "", "a/./b/..", "..", "....//x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		dir := "/extract/here"
		p, err := safeJoin(dir, name)
		if err != nil || p == "" {
			return
		}
		if !strings.HasPrefix(p, dir+string(filepath.Separator)) {
			t.Fatalf("safeJoin(%q) = %q, outside %s", name, p, dir)
		}
	})
}

// FuzzGuessPackageDir checks that the guess is always the path itself or
// one of its ancestors.
func FuzzGuessPackageDir(f *testing.F) {
	for _, s := range []string{"/a/pkg/osg", "/a/pkg/_quilt/x", "/", "/_build_results", "/a/upstream/_quilt"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, cwd string) {
		if !filepath.IsAbs(cwd) {
			return
		}
		clean := filepath.Clean(cwd)
		got := GuessPackageDir(cwd)
		if got != clean && !strings.HasPrefix(clean, strings.TrimSuffix(got, "/")+"/") {
			t.Fatalf("GuessPackageDir(%q) = %q, not an ancestor", cwd, got)
		}
	})
}
