package fetch

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/osg-htc/osg-build-go/internal/testutil"
)

// git runs git in dir for test setup.
func git(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

func gitIdentity(t *testing.T) {
	t.Setenv("GIT_CONFIG_NOSYSTEM", "1")
	t.Setenv("GIT_CONFIG_GLOBAL", filepath.Join(t.TempDir(), "gitconfig"))
	t.Setenv("GIT_AUTHOR_NAME", "Test Packager")
	t.Setenv("GIT_AUTHOR_EMAIL", "packager@example.org")
	t.Setenv("GIT_COMMITTER_NAME", "Test Packager")
	t.Setenv("GIT_COMMITTER_EMAIL", "packager@example.org")
	t.Setenv("GIT_AUTHOR_DATE", "2024-01-02T03:04:05Z")
	t.Setenv("GIT_COMMITTER_DATE", "2024-01-02T03:04:05Z")
}

// testRepo is a local upstream repository with a lightweight tag
// v1.2.3-4, an annotated tag v2.0 and a branch main.
type testRepo struct {
	dir       string
	url       string
	commit1   string // tagged v1.2.3-4
	commit2   string // tagged v2.0 (annotated), the head of main
	tagObject string // the v2.0 tag object
}

func newTestRepo(t *testing.T) *testRepo {
	t.Helper()
	testutil.RequireTool(t, "git", "gzip")
	gitIdentity(t)
	dir := filepath.Join(t.TempDir(), "proj.git")
	os.MkdirAll(filepath.Join(dir, "rpm"), 0o755)
	git(t, dir, "init", "-q", "-b", "main")
	os.WriteFile(filepath.Join(dir, "README"), []byte("version 1\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "rpm", "proj.spec"), []byte("Name: proj\nVersion: 1.2.3\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "other.spec"), []byte("Name: other\n"), 0o644)
	git(t, dir, "add", ".")
	git(t, dir, "commit", "-q", "-m", "one")
	git(t, dir, "tag", "v1.2.3-4")
	r := &testRepo{dir: dir, url: "file://" + dir, commit1: git(t, dir, "rev-parse", "HEAD")}
	os.WriteFile(filepath.Join(dir, "README"), []byte("version 2\n"), 0o644)
	git(t, dir, "commit", "-q", "-am", "two")
	git(t, dir, "tag", "-a", "-m", "release 2.0", "v2.0")
	r.commit2 = git(t, dir, "rev-parse", "HEAD")
	r.tagObject = git(t, dir, "rev-parse", "v2.0")
	if r.tagObject == r.commit2 {
		t.Fatal("v2.0 is not an annotated tag")
	}
	return r
}

// tarEntries lists the names in a .tar.gz and returns the pax comment.
func tarEntries(t *testing.T, path string) (map[string]string, string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	if zr.Name != "" || !zr.ModTime.IsZero() {
		t.Errorf("gzip header has name %q time %v", zr.Name, zr.ModTime)
	}
	tr := tar.NewReader(zr)
	entries := map[string]string{}
	comment := ""
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if c, ok := h.PAXRecords["comment"]; ok && comment == "" {
			comment = c
		}
		b, _ := io.ReadAll(tr)
		entries[h.Name] = string(b)
	}
	return entries, comment
}

// tarCommitID runs git get-tar-commit-id on a .tar.gz.
func tarCommitID(t *testing.T, path string) string {
	t.Helper()
	f, _ := os.Open(path)
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("git", "get-tar-commit-id")
	cmd.Stdin = zr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("git get-tar-commit-id: %v", err)
	}
	return strings.TrimSpace(string(out))
}

func TestGitLightweightTag(t *testing.T) {
	r := newTestRepo(t)
	logger, _ := logBuffer()
	lines := parse(t, "type=git url="+r.url+" tag=v1.2.3-4 hash="+r.commit1+"\n")
	dest := t.TempDir()
	paths, err := New(Options{Strict: true, WantSpec: true, CacheDir: "-", Logger: logger}).FetchLines(context.Background(), lines, dest)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{filepath.Join(dest, "proj-1.2.3.tar.gz"), filepath.Join(dest, "proj.spec")}
	if !reflect.DeepEqual(paths, want) {
		t.Fatalf("paths %v, want %v", paths, want)
	}
	if got := tarCommitID(t, paths[0]); got != r.commit1 {
		t.Errorf("get-tar-commit-id %s, want %s", got, r.commit1)
	}
	entries, _ := tarEntries(t, paths[0])
	if entries["proj-1.2.3/README"] != "version 1\n" || entries["proj-1.2.3/rpm/proj.spec"] == "" {
		t.Errorf("entries %v", entries)
	}
	if string(readFile(t, paths[1])) != "Name: proj\nVersion: 1.2.3\n" {
		t.Errorf("spec %q", readFile(t, paths[1]))
	}
	if names := dirNames(t, dest); !reflect.DeepEqual(names, []string{"proj-1.2.3.tar.gz", "proj.spec"}) {
		t.Errorf("destdir %v", names)
	}

	// The same bytes as osg-build's `git archive --format=tar --prefix=P/ SHA | gzip -n`.
	archive := exec.Command("git", "archive", "--format=tar", "--prefix=proj-1.2.3/", r.commit1)
	archive.Dir = r.dir
	tarBytes, err := archive.Output()
	if err != nil {
		t.Fatal(err)
	}
	gz := exec.Command("gzip", "-n")
	gz.Stdin = bytes.NewReader(tarBytes)
	want0, err := gz.Output()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(readFile(t, paths[0]), want0) {
		t.Error("tarball differs from git archive | gzip -n")
	}
}

func TestGitAnnotatedTagAndReproducible(t *testing.T) {
	r := newTestRepo(t)
	logger, _ := logBuffer()
	for _, hash := range []string{r.commit2, r.tagObject} {
		lines := parse(t, "type=git url="+r.url+" tag=v2.0 hash="+hash+" name=thing spec=other.spec\n")
		var tarballs [][]byte
		for range 2 {
			dest := t.TempDir()
			paths, err := New(Options{Strict: true, WantSpec: true, CacheDir: "-", Logger: logger}).
				FetchLines(context.Background(), lines, dest)
			if err != nil {
				t.Fatalf("hash %s: %v", hash, err)
			}
			if len(paths) != 2 || filepath.Base(paths[0]) != "thing-2.0.tar.gz" || filepath.Base(paths[1]) != "other.spec" {
				t.Fatalf("paths %v", paths)
			}
			if got := tarCommitID(t, paths[0]); got != r.commit2 {
				t.Errorf("get-tar-commit-id %s, want %s", got, r.commit2)
			}
			tarballs = append(tarballs, readFile(t, paths[0]))
		}
		if !bytes.Equal(tarballs[0], tarballs[1]) {
			t.Error("two runs gave different tarballs")
		}
	}
}

func TestGitHashChecks(t *testing.T) {
	r := newTestRepo(t)
	ctx := context.Background()

	// A wrong hash: an error in strict mode, a warning otherwise.
	lines := parse(t, "type=git url="+r.url+" tag=v2.0 hash="+r.commit1+"\n")
	logger, logs := logBuffer()
	dest := t.TempDir()
	_, err := New(Options{Strict: true, CacheDir: "-", Logger: logger}).FetchLines(ctx, lines, dest)
	var me *MismatchError
	if !errors.As(err, &me) || me.What != "hash" || me.Expected != r.commit1 || me.Got != r.tagObject {
		t.Fatalf("strict: %v", err)
	}
	if names := dirNames(t, dest); len(names) != 0 {
		t.Errorf("left %v", names)
	}
	paths, err := New(Options{CacheDir: "-", Logger: logger}).FetchLines(ctx, lines, dest)
	if err != nil || len(paths) != 1 {
		t.Fatalf("not strict: %v %v", paths, err)
	}
	if !strings.Contains(logs.String(), "hash mismatch") {
		t.Errorf("no warning: %s", logs)
	}

	// No hash: strict names the hash to add; otherwise a warning.
	lines = parse(t, "type=git url="+r.url+" tag=v1.2.3-4\n")
	_, err = New(Options{Strict: true, CacheDir: "-", Logger: logger}).FetchLines(ctx, lines, t.TempDir())
	if err == nil || !strings.Contains(err.Error(), "add hash="+r.commit1) {
		t.Fatalf("strict without hash: %v", err)
	}
	if _, err := New(Options{CacheDir: "-", Logger: logger}).FetchLines(ctx, lines, t.TempDir()); err != nil {
		t.Fatal(err)
	}

	// hash=0 tag=main: the branch-head trick for scratch builds.
	lines = parse(t, "type=git url="+r.url+" tag=main hash=0\n")
	paths, err = New(Options{CacheDir: "-", Logger: logger}).FetchLines(ctx, lines, t.TempDir())
	if err != nil || filepath.Base(paths[0]) != "proj-main.tar.gz" || tarCommitID(t, paths[0]) != r.commit2 {
		t.Fatalf("hash=0: %v %v", paths, err)
	}
	if _, err := New(Options{Strict: true, CacheDir: "-", Logger: logger}).FetchLines(ctx, lines, t.TempDir()); err == nil {
		t.Error("hash=0 passed in strict mode")
	}

	// A missing tag and an unreachable repository are clear errors.
	for _, c := range []struct{ line, want string }{
		{"type=git url=" + r.url + " tag=v9.9 hash=" + r.commit1, `cannot fetch tag "v9.9"`},
		{"type=git url=file:///nonexistent/repo.git tag=v1 hash=" + r.commit1, "cannot fetch tag"},
		{"type=git url=http://127.0.0.1:1/repo.git tag=v1 hash=" + r.commit1, "cannot fetch tag"},
	} {
		_, err := New(Options{Strict: true, CacheDir: "-", Logger: logger}).FetchLines(ctx, parse(t, c.line+"\n"), t.TempDir())
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "test.source:1:") ||
			!strings.Contains(err.Error(), "git ls-remote") {
			t.Errorf("%s: %v", c.line, err)
		}
	}
}

func TestGitSpecRules(t *testing.T) {
	r := newTestRepo(t)
	logger, _ := logBuffer()
	for _, c := range []struct {
		line     string
		wantSpec bool
		want     []string
	}{
		{"tag=v1.2.3-4 hash=" + r.commit1, false, []string{"proj-1.2.3.tar.gz"}},
		{"tag=v1.2.3-4 hash=" + r.commit1 + " spec=", true, []string{"proj-1.2.3.tar.gz"}},
		{"tag=v1.2.3-4 hash=" + r.commit1 + " name=nospec", true, []string{"nospec-1.2.3.tar.gz"}},
		{"tag=v1.2.3-4 hash=" + r.commit1 + " tarball=x-7.tar.gz", true, []string{"x-7.tar.gz", "proj.spec"}},
		{"tag=v1.2.3-4 hash=" + r.commit1 + " prefix=/top/", true, []string{"top.tar.gz", "proj.spec"}},
	} {
		dest := t.TempDir()
		paths, err := New(Options{Strict: true, WantSpec: c.wantSpec, CacheDir: "-", Logger: logger}).
			FetchLines(context.Background(), parse(t, "type=git url="+r.url+" "+c.line+"\n"), dest)
		if err != nil {
			t.Fatalf("%s: %v", c.line, err)
		}
		var names []string
		for _, p := range paths {
			names = append(names, filepath.Base(p))
		}
		if !reflect.DeepEqual(names, c.want) {
			t.Errorf("%s: %v, want %v", c.line, names, c.want)
		}
		entries, _ := tarEntries(t, paths[0])
		prefix := strings.TrimSuffix(c.want[0], ".tar.gz") + "/"
		if strings.Contains(c.line, "prefix=/top/") {
			prefix = "top/"
		}
		if _, ok := entries[prefix+"README"]; !ok {
			t.Errorf("%s: no %sREADME in %v", c.line, prefix, entries)
		}
	}
}

func TestGitCacheZeroFetches(t *testing.T) {
	r := newTestRepo(t)
	logger, logs := logBuffer()
	cache := t.TempDir()
	lines := parse(t, "type=github repo=o/proj tag=v2.0 hash="+r.commit2+"\n")
	// Point the github line at the local repository.
	lines[0].URL = r.url
	first, err := New(Options{Strict: true, WantSpec: true, CacheDir: cache, Logger: logger}).
		FetchLines(context.Background(), lines, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	// Remove the upstream: the second run must not need it.
	if err := os.RemoveAll(r.dir); err != nil {
		t.Fatal(err)
	}
	second, err := New(Options{Strict: true, WantSpec: true, CacheDir: cache, Logger: logger}).
		FetchLines(context.Background(), lines, t.TempDir())
	if err != nil {
		t.Fatalf("second run: %v\n%s", err, logs)
	}
	if len(first) != 2 || len(second) != 2 {
		t.Fatalf("%v %v", first, second)
	}
	for i := range first {
		if !bytes.Equal(readFile(t, first[i]), readFile(t, second[i])) {
			t.Errorf("%s differs between runs", filepath.Base(first[i]))
		}
	}
	if !strings.Contains(logs.String(), "Using cached proj-2.0.tar.gz") {
		t.Errorf("logs: %s", logs)
	}
}

func TestGitSubmodules(t *testing.T) {
	r := newTestRepo(t)
	// A library repository used as a submodule, itself with a submodule.
	inner := filepath.Join(t.TempDir(), "inner")
	os.MkdirAll(inner, 0o755)
	git(t, inner, "init", "-q", "-b", "main")
	os.WriteFile(filepath.Join(inner, "inner.txt"), []byte("inner\n"), 0o644)
	git(t, inner, "add", ".")
	git(t, inner, "commit", "-q", "-m", "inner")
	lib := filepath.Join(t.TempDir(), "lib")
	os.MkdirAll(lib, 0o755)
	git(t, lib, "init", "-q", "-b", "main")
	os.WriteFile(filepath.Join(lib, "lib.c"), []byte("int lib;\n"), 0o644)
	git(t, lib, "add", ".")
	git(t, lib, "-c", "protocol.file.allow=always", "submodule", "add", "-q", "file://"+inner, "deps/inner")
	git(t, lib, "commit", "-q", "-m", "lib")
	git(t, r.dir, "-c", "protocol.file.allow=always", "submodule", "add", "-q", "file://"+lib, "vendor/lib")
	git(t, r.dir, "commit", "-q", "-m", "with lib")
	git(t, r.dir, "tag", "v3.0")
	commit := git(t, r.dir, "rev-parse", "HEAD")

	logger, logs := logBuffer()
	lines := parse(t, "type=git url="+r.url+" tag=v3.0 hash="+commit+" submodules=true\n")
	var tarballs [][]byte
	for range 2 {
		paths, err := New(Options{Strict: true, CacheDir: "-", Logger: logger}).FetchLines(context.Background(), lines, t.TempDir())
		if err != nil {
			t.Fatalf("%v\n%s", err, logs)
		}
		entries, comment := tarEntries(t, paths[0])
		if comment != commit || tarCommitID(t, paths[0]) != commit {
			t.Errorf("commit id %q, want %s", comment, commit)
		}
		for name, want := range map[string]string{
			"proj-3.0/README":                          "version 2\n",
			"proj-3.0/vendor/lib/lib.c":                "int lib;\n",
			"proj-3.0/vendor/lib/deps/inner/inner.txt": "inner\n",
		} {
			if entries[name] != want {
				var names []string
				for n := range entries {
					names = append(names, n)
				}
				sort.Strings(names)
				t.Errorf("%s: %q, want %q; entries %v", name, entries[name], want, names)
			}
		}
		tarballs = append(tarballs, readFile(t, paths[0]))
		// GNU tar reads the joined archive too.
		if _, err := exec.LookPath("tar"); err == nil {
			out, err := exec.Command("tar", "-tzf", paths[0]).CombinedOutput()
			if err != nil || !strings.Contains(string(out), "proj-3.0/vendor/lib/deps/inner/inner.txt") {
				t.Errorf("tar -t: %v\n%s", err, out)
			}
		}
	}
	if !bytes.Equal(tarballs[0], tarballs[1]) {
		t.Error("submodule tarballs differ between runs")
	}
	// Without submodules=true the submodule directory is empty.
	lines = parse(t, "type=git url="+r.url+" tag=v3.0 hash="+commit+"\n")
	paths, err := New(Options{Strict: true, CacheDir: "-", Logger: logger}).FetchLines(context.Background(), lines, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	entries, _ := tarEntries(t, paths[0])
	if _, ok := entries["proj-3.0/vendor/lib/lib.c"]; ok {
		t.Error("submodule content without submodules=true")
	}
}

func TestGitRelativeDestdir(t *testing.T) {
	r := newTestRepo(t)
	logger, _ := logBuffer()
	t.Chdir(t.TempDir())
	paths, err := New(Options{Strict: true, WantSpec: true, CacheDir: "-", Logger: logger}).
		FetchLines(context.Background(), parse(t, "type=git url="+r.url+" tag=v1.2.3-4 hash="+r.commit1+"\n"), "out/sub")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(paths, []string{"out/sub/proj-1.2.3.tar.gz", "out/sub/proj.spec"}) {
		t.Errorf("paths %v", paths)
	}
	for _, p := range paths {
		if _, err := os.Stat(p); err != nil {
			t.Error(err)
		}
	}
}

// url=. tag=HEAD is how osg-build's Makefile builds osg-build itself.
func TestGitRelativeURLAndHEAD(t *testing.T) {
	r := newTestRepo(t)
	logger, _ := logBuffer()
	t.Chdir(r.dir)
	lines := parse(t, "type=git url=. name=self tag=HEAD tarball=self-9.tar.gz hash="+r.commit2+"\n")
	paths, err := New(Options{Strict: true, CacheDir: "-", Logger: logger}).FetchLines(context.Background(), lines, filepath.Join(t.TempDir(), "out"))
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Base(paths[0]) != "self-9.tar.gz" || tarCommitID(t, paths[0]) != r.commit2 {
		t.Errorf("paths %v", paths)
	}
	for in, want := range map[string]string{
		"git@github.com:o/p.git": "git@github.com:o/p.git",
		"https://h/p.git":        "https://h/p.git",
		"/abs/p":                 "/abs/p",
		"sub/p":                  filepath.Join(r.dir, "sub/p"),
	} {
		if got, _ := resolveGitURL(in); got != want {
			t.Errorf("resolveGitURL(%q) = %q, want %q", in, got, want)
		}
	}
}
