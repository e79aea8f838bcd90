package fetch

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/osg-htc/osg-build-go/internal/testutil"
)

// BenchmarkWarmCache fetches 8 files of 8 MiB that are all in the local
// download cache (strict, SHA-1 and SHA-256 verified), and reports the
// ratio to a plain copy of the same files measured in the same run.
func BenchmarkWarmCache(b *testing.B) {
	dir := b.TempDir()
	up := filepath.Join(dir, "up")
	var src strings.Builder
	rng := rand.New(rand.NewSource(1))
	var files []string
	for i := range 8 {
		data := make([]byte, 8<<20)
		rng.Read(data)
		rel := fmt.Sprintf("pkg/1.0/f%d.tar.gz", i)
		p := filepath.Join(up, rel)
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, data, 0o644)
		files = append(files, p)
		fmt.Fprintf(&src, "%s sha1sum=%s sha256sum=%s\n", rel, sha1hex(data), sha256hex(data))
	}
	lines := parse(&testing.T{}, src.String())
	logger, _ := logBuffer()
	f := New(Options{CachePrefixes: []string{"file://" + up}, Strict: true, CacheDir: filepath.Join(dir, "cache"), Logger: logger})
	if _, err := f.FetchLines(context.Background(), lines, filepath.Join(dir, "warm")); err != nil {
		b.Fatal(err)
	}
	var fetchT, copyT time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		if _, err := f.FetchLines(context.Background(), lines, filepath.Join(dir, fmt.Sprint("f", i))); err != nil {
			b.Fatal(err)
		}
		fetchT += time.Since(start)
		start = time.Now()
		dst := filepath.Join(dir, fmt.Sprint("c", i))
		os.MkdirAll(dst, 0o755)
		for _, p := range files {
			in, _ := os.Open(p)
			out, _ := os.Create(filepath.Join(dst, filepath.Base(p)))
			io.Copy(out, in)
			in.Close()
			out.Close()
		}
		copyT += time.Since(start)
	}
	b.ReportMetric(float64(fetchT)/float64(copyT), "x-plain-copy")
	b.SetBytes(8 * 8 << 20)
}

// BenchmarkGitTarball makes the tarball of a git source (shallow fetch,
// hash check, git archive, gzip -n) and reports the ratio to osg-build's
// bare pipeline on an existing clone (git archive | gzip -n) in the same run.
func BenchmarkGitTarball(b *testing.B) {
	testutil.RequireTool(b, "git", "gzip")
	b.Setenv("GIT_CONFIG_NOSYSTEM", "1")
	b.Setenv("GIT_AUTHOR_NAME", "B")
	b.Setenv("GIT_AUTHOR_EMAIL", "b@example.org")
	b.Setenv("GIT_COMMITTER_NAME", "B")
	b.Setenv("GIT_COMMITTER_EMAIL", "b@example.org")
	repo := filepath.Join(b.TempDir(), "proj")
	os.MkdirAll(repo, 0o755)
	rng := rand.New(rand.NewSource(2))
	for i := range 200 {
		data := make([]byte, 20000)
		for j := range data {
			data[j] = "abcdefgh \n"[rng.Intn(10)]
		}
		os.WriteFile(filepath.Join(repo, fmt.Sprintf("file%03d.txt", i)), data, 0o644)
	}
	run := func(dir string, name string, args ...string) []byte {
		cmd := exec.Command(name, args...)
		cmd.Dir = dir
		out, err := cmd.Output()
		if err != nil {
			b.Fatalf("%s %v: %v", name, args, err)
		}
		return out
	}
	run(repo, "git", "init", "-q", "-b", "main")
	run(repo, "git", "add", ".")
	run(repo, "git", "commit", "-q", "-m", "x")
	run(repo, "git", "tag", "v1.0")
	hash := strings.TrimSpace(string(run(repo, "git", "rev-parse", "HEAD")))
	lines := parse(&testing.T{}, "type=git url=file://"+repo+" tag=v1.0 hash="+hash+"\n")
	logger, _ := logBuffer()
	f := New(Options{Strict: true, CacheDir: "-", Logger: logger})
	dir := b.TempDir()
	var fetchT, rawT time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		if _, err := f.FetchLines(context.Background(), lines, filepath.Join(dir, fmt.Sprint(i))); err != nil {
			b.Fatal(err)
		}
		fetchT += time.Since(start)
		start = time.Now()
		tarb := run(repo, "git", "archive", "--format=tar", "--prefix=proj-1.0/", hash)
		gz := exec.Command("gzip", "-n")
		gz.Stdin = bytes.NewReader(tarb)
		if _, err := gz.Output(); err != nil {
			b.Fatal(err)
		}
		rawT += time.Since(start)
	}
	b.ReportMetric(float64(fetchT)/float64(rawT), "x-archive-pipe")
}
