// Package testutil holds the helpers every test shares: [RequireTool], which
// skips a test for a missing program locally but fails it under CI=true, and
// [GoldenEqual], which compares output with a golden file (rewritten with
// -update).
package testutil

import (
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Update is the -update flag: rewrite golden files instead of comparing.
var Update = flag.Bool("update", false, "rewrite golden files")

// InCI reports whether the tests run under CI (CI=true), where a missing
// program is a failure rather than a reason to skip.
func InCI() bool {
	v := strings.ToLower(os.Getenv("CI"))
	return v == "true" || v == "1" || v == "yes"
}

// MissingTools returns the names among tools that are not on PATH.
func MissingTools(tools ...string) []string {
	var missing []string
	for _, t := range tools {
		if _, err := exec.LookPath(t); err != nil {
			missing = append(missing, t)
		}
	}
	return missing
}

// RequireTool skips the test when one of the programs is missing, or fails
// it when CI=true: CI installs every program the tests need (make deps).
func RequireTool(t testing.TB, tools ...string) {
	t.Helper()
	missing := MissingTools(tools...)
	if len(missing) == 0 {
		return
	}
	msg := "needs " + strings.Join(missing, ", ") + " on PATH (run `make deps` to install)"
	if InCI() {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

// GoldenEqual compares got with testdata/<name>.golden, where name is the
// test's name; with -update it writes the file instead.
func GoldenEqual(t testing.TB, got []byte) {
	t.Helper()
	GoldenFileEqual(t, filepath.Join("testdata", strings.ReplaceAll(t.Name(), "/", "_")+".golden"), got)
}

// GoldenFileEqual compares got with the named golden file (rewritten under -update).
func GoldenFileEqual(t testing.TB, path string, got []byte) {
	t.Helper()
	if *Update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file (run the test with -update to create it): %v", err)
	}
	if string(want) != string(got) {
		t.Errorf("output differs from %s (run with -update to accept):\n--- want\n%s\n--- got\n%s", path, want, got)
	}
}
