package client

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"hash/adler32"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/osg-htc/osg-build-go/internal/runner"
	"github.com/osg-htc/osg-build-go/internal/testutil"
	"github.com/osg-htc/osg-build-go/internal/xmlrpc"
	"github.com/osg-htc/osg-build-go/pkg/koji"
)

// uploadSink is a minimal hub for the upload benchmark: login, raw chunks
// written into files of a temporary directory (as Koji's handle_upload
// does: offset, overwrite, adler32 of the chunk) and checkUpload.
type uploadSink struct {
	dir string
}

func (s *uploadSink) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Koji-Version", "1.35.3")
	w.Header().Set("Content-Type", "text/xml")
	if r.Header.Get("Content-Type") == "application/octet-stream" {
		q := r.URL.Query()
		off, _ := strconv.ParseInt(q.Get("offset"), 10, 64)
		p := filepath.Join(s.dir, filepath.Base(q.Get("filename")))
		flags := os.O_WRONLY | os.O_CREATE
		f, err := os.OpenFile(p, flags, 0o644)
		if err != nil {
			_ = xmlrpc.EncodeFault(w, &xmlrpc.Fault{Code: 1000, String: err.Error()})
			return
		}
		defer f.Close()
		if q.Get("overwrite") == "1" {
			_ = f.Truncate(off)
		}
		h := adler32.New()
		buf := make([]byte, 64<<10)
		var n int64
		for {
			m, rerr := r.Body.Read(buf)
			if m > 0 {
				if _, err := f.WriteAt(buf[:m], off+n); err != nil {
					_ = xmlrpc.EncodeFault(w, &xmlrpc.Fault{Code: 1000, String: err.Error()})
					return
				}
				h.Write(buf[:m])
				n += int64(m)
			}
			if rerr == io.EOF {
				break
			}
			if rerr != nil {
				return
			}
		}
		_ = xmlrpc.EncodeResponse(w, map[string]any{"size": n, "fileverify": "adler32", "offset": off, "hexdigest": fmt.Sprintf("%08x", h.Sum32())})
		return
	}
	method, params, err := xmlrpc.DecodeCall(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	switch method {
	case "login":
		_ = xmlrpc.EncodeResponse(w, map[string]any{"session-id": 1, "session-key": "1-k", "header-auth": true})
	case "checkUpload":
		st, err := os.Stat(filepath.Join(s.dir, filepath.Base(fmt.Sprint(params[1]))))
		if err != nil {
			_ = xmlrpc.EncodeResponse(w, nil)
			return
		}
		_ = xmlrpc.EncodeResponse(w, map[string]any{"size": st.Size(), "mtime": 1.0})
	default:
		_ = xmlrpc.EncodeFault(w, &xmlrpc.Fault{Code: 1000, String: "Invalid method: " + method})
	}
}

// BenchmarkUpload measures the fast upload over loopback (1 MiB chunks, a
// 64 MiB file written to a temporary directory by the server); the MB/s
// column is the throughput. The goal is at least 200 MB/s.
func BenchmarkUpload(b *testing.B) {
	srv := httptest.NewServer(&uploadSink{dir: b.TempDir()})
	defer srv.Close()
	c := New(Options{Server: srv.URL + "/kojihub"})
	ctx := context.Background()
	if err := c.LoginPassword(ctx, "u", "p"); err != nil {
		b.Fatal(err)
	}
	data := make([]byte, 64<<20)
	_, _ = rand.Read(data)
	b.SetBytes(int64(len(data)))
	// warm up: the file exists and the connection is open
	if err := c.Upload(ctx, "cli-build/bench", "big.bin", bytes.NewReader(data), int64(len(data)), koji.UploadOpts{Overwrite: true}); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := c.Upload(ctx, "cli-build/bench", "big.bin", bytes.NewReader(data), int64(len(data)), koji.UploadOpts{Overwrite: true}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkUploadVsPython uploads the same 64 MiB file over loopback with
// the Go client and with Koji's own upload loop in Python (requests,
// testdata/upload_peer.py) against the same server, and reports both
// throughputs and their ratio (go-MB/s, python-MB/s, x-python).
func BenchmarkUploadVsPython(b *testing.B) {
	testutil.RequireTool(b, "python3")
	dir := b.TempDir()
	srv := httptest.NewServer(&uploadSink{dir: dir})
	defer srv.Close()
	c := New(Options{Server: srv.URL + "/kojihub"})
	ctx := context.Background()
	if err := c.LoginPassword(ctx, "u", "p"); err != nil {
		b.Fatal(err)
	}
	data := make([]byte, 64<<20)
	_, _ = rand.Read(data)
	src := filepath.Join(dir, "src.bin")
	if err := os.WriteFile(src, data, 0o644); err != nil {
		b.Fatal(err)
	}
	if err := c.Upload(ctx, "cli-build/bench", "big.bin", bytes.NewReader(data), int64(len(data)), koji.UploadOpts{Overwrite: true}); err != nil {
		b.Fatal(err)
	}
	var goTime, pyTime time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		if err := c.Upload(ctx, "cli-build/bench", "big.bin", bytes.NewReader(data), int64(len(data)), koji.UploadOpts{Overwrite: true}); err != nil {
			b.Fatal(err)
		}
		goTime += time.Since(start)
		res, err := runner.Run(ctx, runner.Cmd{Name: "python3", Args: []string{"testdata/upload_peer.py", srv.URL + "/kojihub", src, strconv.Itoa(DefaultBlockSize)}})
		if err != nil {
			b.Fatal(err)
		}
		secs, err := strconv.ParseFloat(strings.TrimSpace(string(res.Stdout)), 64)
		if err != nil {
			b.Fatalf("python peer printed %q", res.Stdout)
		}
		pyTime += time.Duration(secs * float64(time.Second))
	}
	mb := float64(len(data)) * float64(b.N) / 1e6
	goRate, pyRate := mb/goTime.Seconds(), mb/pyTime.Seconds()
	b.ReportMetric(goRate, "go-MB/s")
	b.ReportMetric(pyRate, "python-MB/s")
	b.ReportMetric(goRate/pyRate, "x-python")
}
