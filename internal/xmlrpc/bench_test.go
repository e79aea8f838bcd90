package xmlrpc_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/kolo/xmlrpc"

	ours "github.com/osg-htc/osg-build-go/internal/xmlrpc"
	"github.com/osg-htc/osg-build-go/internal/xmlrpc/benchdata"
)

var (
	benchOnce       sync.Once
	benchListTagged []byte
	benchMultiCall  []byte
)

func benchBodies() {
	benchOnce.Do(func() {
		benchListTagged = benchdata.ListTagged(20000)
		benchMultiCall = benchdata.MultiCall(1000)
	})
}

func benchDecode(b *testing.B, body []byte) {
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ours.DecodeResponse(bytes.NewReader(body)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecodeListTagged decodes a 20,000-build listTagged answer (~40 MB).
func BenchmarkDecodeListTagged(b *testing.B) {
	benchBodies()
	benchDecode(b, benchListTagged)
}

// BenchmarkDecodeListTaggedBytes decodes the same body already in memory.
func BenchmarkDecodeListTaggedBytes(b *testing.B) {
	benchBodies()
	b.SetBytes(int64(len(benchListTagged)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ours.DecodeResponseBytes(benchListTagged); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecodeMultiCall decodes a 1,000-call multiCall answer.
func BenchmarkDecodeMultiCall(b *testing.B) {
	benchBodies()
	benchDecode(b, benchMultiCall)
}

// BenchmarkKoloDecodeListTagged is kolo/xmlrpc's decoder on the same bytes, for reference.
func BenchmarkKoloDecodeListTagged(b *testing.B) {
	benchBodies()
	b.SetBytes(int64(len(benchListTagged)))
	for b.Loop() {
		var v any
		if err := xmlrpc.Response(benchListTagged).Unmarshal(&v); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEncodeListTagged encodes the decoded listTagged answer again.
func BenchmarkEncodeListTagged(b *testing.B) {
	benchBodies()
	v, err := ours.DecodeResponseBytes(benchListTagged)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(benchListTagged)))
	b.ReportAllocs()
	for b.Loop() {
		if err := ours.EncodeResponse(io.Discard, v); err != nil {
			b.Fatal(err)
		}
	}
}

// benchBuild is a typed listTagged entry, the way pkg/koji decodes one.
type benchBuild struct {
	BuildID        int     `xmlrpc:"build_id"`
	CompletionTime string  `xmlrpc:"completion_time"`
	CompletionTS   float64 `xmlrpc:"completion_ts"`
	CreateEvent    int     `xmlrpc:"create_event"`
	Draft          bool    `xmlrpc:"draft"`
	Epoch          *int    `xmlrpc:"epoch"`
	ID             int     `xmlrpc:"id"`
	Name           string  `xmlrpc:"name"`
	NVR            string  `xmlrpc:"nvr"`
	OwnerName      string  `xmlrpc:"owner_name"`
	PackageID      int     `xmlrpc:"package_id"`
	Release        string  `xmlrpc:"release"`
	State          int     `xmlrpc:"state"`
	TagName        string  `xmlrpc:"tag_name"`
	TaskID         *int    `xmlrpc:"task_id"`
	Version        string  `xmlrpc:"version"`
	VolumeName     string  `xmlrpc:"volume_name"`
}

// BenchmarkUnmarshalListTagged stores the decoded 20,000 builds in Go structs.
func BenchmarkUnmarshalListTagged(b *testing.B) {
	benchBodies()
	v, err := ours.DecodeResponseBytes(benchListTagged)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		var builds []benchBuild
		if err := ours.Unmarshal(v, &builds); err != nil {
			b.Fatal(err)
		}
		if len(builds) != 20000 || builds[5].NVR == "" {
			b.Fatal("bad unmarshal")
		}
	}
}

// BenchmarkDecodeListTaggedStream decodes from a reader that does not tell
// its length, like an HTTP response body.
func BenchmarkDecodeListTaggedStream(b *testing.B) {
	benchBodies()
	b.SetBytes(int64(len(benchListTagged)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ours.DecodeResponse(io.MultiReader(bytes.NewReader(benchListTagged))); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkUploadLoopback POSTs 64 MiB in Koji's 1 MiB raw chunks (adler32
// verified) to a Server whose Upload hook is WriteChunk, over loopback.
func BenchmarkUploadLoopback(b *testing.B) {
	root := b.TempDir()
	srv := &ours.Server{Version: "1.35.3", Upload: func(ctx context.Context, u *ours.UploadCall) (any, error) {
		return ours.WriteChunk(root, u.Params, u.Body, "1")
	}}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	chunk := bytes.Repeat([]byte("0123456789abcdef"), 1<<16) // 1 MiB
	const chunks = 64
	b.SetBytes(chunks * int64(len(chunk)))
	for b.Loop() {
		for i := range chunks {
			url := fmt.Sprintf("%s/kojihub?filename=f.rpm&filepath=cli-build/x&fileverify=adler32&offset=%d&overwrite=1", ts.URL, i*len(chunk))
			resp, err := ts.Client().Post(url, "application/octet-stream", bytes.NewReader(chunk))
			if err != nil {
				b.Fatal(err)
			}
			v, err := ours.DecodeResponse(resp.Body)
			resp.Body.Close()
			if err != nil {
				b.Fatal(err)
			}
			if v.(map[string]any)["size"] != int64(len(chunk)) {
				b.Fatalf("answer %v", v)
			}
		}
	}
}
