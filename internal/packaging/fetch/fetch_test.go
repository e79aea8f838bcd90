package fetch

import (
	"bytes"
	"context"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/osg-htc/osg-build-go/internal/packaging/source"
)

func sha1hex(b []byte) string {
	s := sha1.Sum(b)
	return hex.EncodeToString(s[:])
}

func sha256hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// upstream is an httptest upstream cache: files under /good/ exist,
// everything under /missing/ is 404. It counts requests.
type upstream struct {
	srv   *httptest.Server
	files map[string][]byte // path -> content
	n     atomic.Int64
	mu    sync.Mutex
	paths []string
}

func newUpstream(t *testing.T, files map[string][]byte) *upstream {
	u := &upstream{files: files}
	u.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u.n.Add(1)
		u.mu.Lock()
		u.paths = append(u.paths, r.URL.Path)
		u.mu.Unlock()
		if b, ok := u.files[r.URL.Path]; ok {
			w.Write(b)
			return
		}
		http.NotFound(w, r)
	}))
	t.Cleanup(u.srv.Close)
	return u
}

// logBuffer returns a logger that writes into a buffer.
func logBuffer() (*slog.Logger, *syncBuffer) {
	b := &syncBuffer{}
	return slog.New(slog.NewTextHandler(b, &slog.HandlerOptions{Level: slog.LevelDebug})), b
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func parse(t *testing.T, text string) []source.Line {
	t.Helper()
	lines, err := source.Parse(strings.NewReader(text), "test.source")
	if err != nil {
		t.Fatal(err)
	}
	return lines
}

func readFile(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// dirNames lists a directory (staging leftovers would show up here).
func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	return names
}

func TestCachedFallbackAndLocalCache(t *testing.T) {
	a := []byte("tarball a\n")
	b := bytes.Repeat([]byte("b"), 300000)
	up := newUpstream(t, map[string][]byte{
		"/good/pkg/1.0/a.tar.gz": a,
		"/good/pkg/1.0/b.tar.gz": b,
	})
	src := "pkg/1.0/a.tar.gz sha1sum=" + sha1hex(a) + "\n" +
		"# a comment\n" +
		"pkg/1.0/b.tar.gz sha1sum=" + sha1hex(b) + " sha256sum=" + sha256hex(b) + "\n"
	lines := parse(t, src)
	cache := t.TempDir()
	logger, logs := logBuffer()
	f := New(Options{
		CachePrefixes: []string{up.srv.URL + "/missing", up.srv.URL + "/good/"},
		Strict:        true, CacheDir: cache, Logger: logger, Jobs: 2,
	})
	dest := filepath.Join(t.TempDir(), "dest")
	paths, err := f.FetchLines(context.Background(), lines, dest)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{filepath.Join(dest, "a.tar.gz"), filepath.Join(dest, "b.tar.gz")}
	if !reflect.DeepEqual(paths, want) {
		t.Errorf("paths %v, want %v", paths, want)
	}
	if !bytes.Equal(readFile(t, paths[0]), a) || !bytes.Equal(readFile(t, paths[1]), b) {
		t.Error("content differs")
	}
	// Each file: a 404 on the first prefix, then the second.
	if got := up.n.Load(); got != 4 {
		t.Errorf("%d requests, want 4: %v", got, up.paths)
	}
	if names := dirNames(t, dest); !reflect.DeepEqual(names, []string{"a.tar.gz", "b.tar.gz"}) {
		t.Errorf("destdir holds %v", names)
	}
	if !strings.Contains(logs.String(), "Retrieving "+up.srv.URL+"/good/pkg/1.0/a.tar.gz") {
		t.Errorf("logs: %s", logs)
	}

	// Second run into a fresh directory: zero requests.
	before := up.n.Load()
	dest2 := t.TempDir()
	paths, err = New(Options{CachePrefixes: []string{up.srv.URL + "/missing", up.srv.URL + "/good"},
		Strict: true, CacheDir: cache, Logger: logger}).FetchLines(context.Background(), lines, dest2)
	if err != nil {
		t.Fatal(err)
	}
	if n := up.n.Load() - before; n != 0 {
		t.Errorf("second run made %d requests, want 0", n)
	}
	if !bytes.Equal(readFile(t, paths[1]), b) {
		t.Error("cached content differs")
	}

	// A corrupt cache entry is noticed, removed and downloaded again.
	entry := filepath.Join(cache, "sha256", sha256hex(b)[:2], sha256hex(b))
	if err := os.WriteFile(entry, []byte("corrupt"), 0o644); err != nil {
		t.Fatal(err)
	}
	before = up.n.Load()
	paths, err = New(Options{CachePrefixes: []string{up.srv.URL + "/good"}, Strict: true, CacheDir: cache, Logger: logger}).
		FetchLines(context.Background(), lines, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if n := up.n.Load() - before; n != 1 || !bytes.Equal(readFile(t, paths[1]), b) {
		t.Errorf("after corruption: %d requests", n)
	}
	if !strings.Contains(logs.String(), "corrupt entry") {
		t.Error("no warning about the corrupt entry")
	}
}

func TestAllPrefixesFail(t *testing.T) {
	up := newUpstream(t, nil)
	closed := httptest.NewServer(http.NotFoundHandler())
	closedURL := closed.URL
	closed.Close()
	lines := parse(t, "pkg/1.0/gone.tar.gz sha1sum=2932899094fceed10cc424067f58049aa998284b\n")
	logger, _ := logBuffer()
	dest := t.TempDir()
	filePrefix := "file://" + t.TempDir()
	_, err := New(Options{
		CachePrefixes: []string{up.srv.URL + "/missing", closedURL + "/up", filePrefix},
		Strict:        true, CacheDir: "-", Logger: logger,
	}).FetchLines(context.Background(), lines, dest)
	var de *DownloadError
	if !errors.As(err, &de) {
		t.Fatalf("got %v, want a DownloadError", err)
	}
	msg := err.Error()
	for _, want := range []string{
		"test.source:1:",
		up.srv.URL + "/missing/pkg/1.0/gone.tar.gz: HTTP 404 Not Found",
		closedURL + "/up/pkg/1.0/gone.tar.gz: ",
		"connection refused",
		filePrefix + "/pkg/1.0/gone.tar.gz: no such file",
		"any of 3 URLs",
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("error lacks %q:\n%s", want, msg)
		}
	}
	if len(de.Attempts) != 3 {
		t.Errorf("attempts %v", de.Attempts)
	}
	if names := dirNames(t, dest); len(names) != 0 {
		t.Errorf("destdir holds %v after a failure", names)
	}
}

func TestFilePrefixesAndURIs(t *testing.T) {
	root := t.TempDir()
	content := []byte("from the file cache\n")
	if err := os.MkdirAll(filepath.Join(root, "pkg", "2"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "pkg", "2", "f.txt"), content, 0o644); err != nil {
		t.Fatal(err)
	}
	up := newUpstream(t, map[string][]byte{"/dl": []byte("uri content")})
	src := "pkg/2/f.txt sha256sum=" + sha256hex(content) + "\n" +
		up.srv.URL + "/dl filename=renamed.bin sha1sum=" + sha1hex([]byte("uri content")) + "\n" +
		filepath.Join(root, "pkg", "2", "f.txt") + " " + sha1hex(content) + "\n" +
		"type=uri uri=file://" + filepath.Join(root, "pkg", "2", "f.txt") + " filename=copy.txt\n"
	for _, prefix := range []string{"file://" + root, root} {
		t.Run(prefix, func(t *testing.T) {
			logger, logs := logBuffer()
			dest := t.TempDir()
			paths, err := New(Options{CachePrefixes: []string{prefix}, Strict: true, CacheDir: "-", Logger: logger}).
				FetchLines(context.Background(), parse(t, src), dest)
			if err != nil {
				t.Fatal(err)
			}
			names := []string{"f.txt", "renamed.bin", "f.txt", "copy.txt"}
			for i, p := range paths {
				if filepath.Base(p) != names[i] {
					t.Errorf("path %d: %s, want %s", i, p, names[i])
				}
			}
			if string(readFile(t, filepath.Join(dest, "renamed.bin"))) != "uri content" {
				t.Error("uri content")
			}
			if !bytes.Equal(readFile(t, filepath.Join(dest, "copy.txt")), content) {
				t.Error("copy content")
			}
			// The last line has no checksum: a warning, not an error.
			if !strings.Contains(logs.String(), "test.source:4: no sha1sum= or sha256sum= for copy.txt") {
				t.Errorf("no missing-checksum warning:\n%s", logs)
			}
		})
	}
}

func TestChecksumMismatch(t *testing.T) {
	content := []byte("the real content\n")
	up := newUpstream(t, map[string][]byte{"/up/p/1/f": content})
	wrong1 := sha1hex([]byte("other"))
	wrong256 := sha256hex([]byte("other"))
	tests := []struct {
		name, line, what string
	}{
		{"sha1", "p/1/f sha1sum=" + wrong1, "sha1sum"},
		{"sha256", "p/1/f sha1sum=" + sha1hex(content) + " sha256sum=" + wrong256, "sha256sum"},
		{"sha256 only", "p/1/f sha256sum=" + wrong256, "sha256sum"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lines := parse(t, tt.line+"\n")
			logger, logs := logBuffer()
			dest := t.TempDir()
			opts := Options{CachePrefixes: []string{up.srv.URL + "/up"}, Strict: true, CacheDir: t.TempDir(), Logger: logger}
			_, err := New(opts).FetchLines(context.Background(), lines, dest)
			var me *MismatchError
			if !errors.As(err, &me) || me.What != tt.what {
				t.Fatalf("strict: got %v, want a %s MismatchError", err, tt.what)
			}
			if !strings.Contains(err.Error(), "expected: ") || !strings.Contains(err.Error(), "test.source:1:") {
				t.Errorf("message: %v", err)
			}
			if names := dirNames(t, dest); len(names) != 0 {
				t.Errorf("strict failure left %v", names)
			}
			opts.Strict = false
			paths, err := New(opts).FetchLines(context.Background(), lines, dest)
			if err != nil {
				t.Fatalf("not strict: %v", err)
			}
			if !bytes.Equal(readFile(t, paths[0]), content) {
				t.Error("content")
			}
			if !strings.Contains(logs.String(), tt.what+" mismatch") || !strings.Contains(logs.String(), "ignored") {
				t.Errorf("no warning:\n%s", logs)
			}
		})
	}
	// Correct sha1 and sha256 both pass.
	lines := parse(t, "p/1/f sha1sum="+sha1hex(content)+" sha256sum="+sha256hex(content)+"\n")
	logger, _ := logBuffer()
	if _, err := New(Options{CachePrefixes: []string{up.srv.URL + "/up"}, Strict: true, CacheDir: "-", Logger: logger}).
		FetchLines(context.Background(), lines, t.TempDir()); err != nil {
		t.Fatal(err)
	}
}

func TestParallelOrderAndErrors(t *testing.T) {
	files := map[string][]byte{}
	var src strings.Builder
	for i := range 12 {
		name := "/up/p/1/f" + string(rune('a'+i))
		files[name] = bytes.Repeat([]byte{byte('a' + i)}, 1000*(i+1))
		src.WriteString("p/1/f" + string(rune('a'+i)) + " sha1sum=" + sha1hex(files[name]) + "\n")
	}
	src.WriteString("p/1/missing1\np/1/missing2\n")
	up := newUpstream(t, files)
	logger, _ := logBuffer()
	var bar bytes.Buffer
	f := New(Options{CachePrefixes: []string{up.srv.URL + "/up"}, Strict: true, CacheDir: "-", Logger: logger, Jobs: 3, Progress: &bar})
	lines := parse(t, src.String())
	_, err := f.FetchLines(context.Background(), lines, t.TempDir())
	// Both failing lines are reported.
	if err == nil || !strings.Contains(err.Error(), "test.source:13:") || !strings.Contains(err.Error(), "test.source:14:") {
		t.Fatalf("got %v", err)
	}
	paths, err := f.FetchLines(context.Background(), lines[:12], t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range paths {
		if filepath.Base(p) != "f"+string(rune('a'+i)) {
			t.Errorf("order: %v", paths)
			break
		}
	}
	if bar.Len() == 0 {
		t.Error("no progress output")
	}
}

func TestFetchParsesFiles(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "a.source")
	bad := filepath.Join(dir, "b.source")
	os.WriteFile(good, []byte("p/1/f\n"), 0o644)
	os.WriteFile(bad, []byte("# x\nhttps://h/p.git\n"), 0o644)
	up := newUpstream(t, map[string][]byte{"/p/1/f": []byte("x")})
	logger, _ := logBuffer()
	f := New(Options{CachePrefixes: []string{up.srv.URL}, CacheDir: "-", Logger: logger})
	_, err := f.Fetch(context.Background(), []string{good, bad}, t.TempDir())
	var pe *source.ParseError
	if !errors.As(err, &pe) || pe.Line != 2 {
		t.Fatalf("got %v", err)
	}
	if up.n.Load() != 0 {
		t.Error("downloaded before all files parsed")
	}
	paths, err := f.Fetch(context.Background(), []string{good}, t.TempDir())
	if err != nil || len(paths) != 1 {
		t.Fatalf("%v %v", paths, err)
	}
}

func TestUnsupportedScheme(t *testing.T) {
	logger, _ := logBuffer()
	_, err := New(Options{CacheDir: "-", Logger: logger}).FetchLines(context.Background(),
		parse(t, "ftp://h/x.tar.gz\n"), t.TempDir())
	if err == nil || !strings.Contains(err.Error(), `unsupported URL scheme "ftp"`) {
		t.Fatalf("got %v", err)
	}
}

func TestChecksumHelpers(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "upstream", "xrootd", "5.9.7", "xrootd-5.9.7.tar.gz")
	os.MkdirAll(filepath.Dir(p), 0o755)
	os.WriteFile(p, []byte("hello\n"), 0o644)
	c, err := FileChecksums(p)
	if err != nil {
		t.Fatal(err)
	}
	if c.SHA1 != sha1hex([]byte("hello\n")) || c.SHA256 != sha256hex([]byte("hello\n")) {
		t.Errorf("%+v", c)
	}
	if _, err := FileChecksums(dir); err == nil || !strings.Contains(err.Error(), "is a directory") {
		t.Errorf("dir: %v", err)
	}
	for _, tt := range []struct {
		path, root, want string
		ok               bool
	}{
		{p, "", "xrootd/5.9.7/xrootd-5.9.7.tar.gz", true},
		{p, filepath.Join(dir, "upstream", "xrootd"), "5.9.7/xrootd-5.9.7.tar.gz", true},
		{p, filepath.Join(dir, "elsewhere"), "", false},
		{"/home/u/pkg/upstream/foo.tar.gz", "", "", false},
		{"/home/u/pkg/upstream/a/foo.tar.gz", "", "", false},
		{"/p/vdt/public/html/upstream/a/b/c/foo.rpm", "", "a/b/c/foo.rpm", true},
		{"/upstream/x/upstream/a/1/f", "", "a/1/f", true},
	} {
		got, ok := CacheRelPath(tt.path, tt.root)
		if got != tt.want || ok != tt.ok {
			t.Errorf("CacheRelPath(%q, %q) = %q %v, want %q %v", tt.path, tt.root, got, ok, tt.want, tt.ok)
		}
	}
	for _, name := range []string{"xrootd/5.9.7/xrootd-5.9.7.tar.gz", "odd/1/name=with-equals.tar.gz", "#odd/1/hash-first.tar.gz"} {
		line := SourceLine(name, c)
		l, err := source.ParseLine(line, "x", 1)
		if err != nil || l.SHA1 != c.SHA1 || l.SHA256 != c.SHA256 || l.Path != name {
			t.Errorf("%q: %+v %v", line, l, err)
		}
	}
}

func TestServerErrorFallsBackAndCancel(t *testing.T) {
	content := []byte("ok\n")
	block := make(chan struct{})
	started := make(chan struct{}, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.HasPrefix(r.URL.Path, "/broken/"):
			http.Error(w, "boom", http.StatusInternalServerError)
		case strings.HasPrefix(r.URL.Path, "/slow/"):
			w.Write([]byte("partial"))
			w.(http.Flusher).Flush()
			started <- struct{}{}
			select {
			case <-block:
			case <-r.Context().Done():
			}
		default:
			w.Write(content)
		}
	}))
	defer srv.Close()
	defer close(block)
	logger, _ := logBuffer()
	lines := parse(t, "p/1/f sha1sum="+sha1hex(content)+"\n")
	paths, err := New(Options{CachePrefixes: []string{srv.URL + "/broken", srv.URL + "/good"}, Strict: true, CacheDir: "-", Logger: logger}).
		FetchLines(context.Background(), lines, t.TempDir())
	if err != nil || !bytes.Equal(readFile(t, paths[0]), content) {
		t.Fatalf("500 then 200: %v", err)
	}

	// Cancelling stops a hanging download and leaves nothing behind.
	ctx, cancel := context.WithCancel(context.Background())
	dest := t.TempDir()
	errc := make(chan error, 1)
	go func() {
		_, err := New(Options{CachePrefixes: []string{srv.URL + "/slow"}, CacheDir: "-", Logger: logger}).FetchLines(ctx, lines, dest)
		errc <- err
	}()
	<-started
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Errorf("cancel: %v", err)
	}
	if names := dirNames(t, dest); len(names) != 0 {
		t.Errorf("left %v", names)
	}
}

func TestEnvCachePrefixes(t *testing.T) {
	env := map[string]string{}
	getenv := func(k string) string { return env[k] }
	if got := EnvCachePrefixes(getenv); strings.Join(got, " ") != strings.Join(DefaultCachePrefixes, " ") {
		t.Errorf("unset: %v", got)
	}
	env[CachePrefixEnv] = "  "
	if got := EnvCachePrefixes(getenv); len(got) != 2 {
		t.Errorf("blank: %v", got)
	}
	env[CachePrefixEnv] = "file:///srv/upstream https://mirror.example/upstream"
	if got := EnvCachePrefixes(getenv); len(got) != 2 || got[0] != "file:///srv/upstream" {
		t.Errorf("set: %v", got)
	}
}
