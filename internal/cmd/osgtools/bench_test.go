package osgtools

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/osg-htc/osg-build-go/internal/cmd/koji/shared/kojicmdtest"
	"github.com/osg-htc/osg-build-go/pkg/koji"
	"github.com/osg-htc/osg-build-go/pkg/koji/client"
)

// benchEnv is a hub with 20,000 builds (2,000 packages x 10) all tagged in
// "big" (20,000 tag_listing rows of history), the latest of every other
// package also in "half", and the same hub served over loopback HTTP.
type benchEnv struct {
	e      *kojicmdtest.Env
	local  *countingHub
	remote *countingHub
	posts  *atomic.Int64
}

func newBenchEnv(b *testing.B) *benchEnv {
	b.Helper()
	e := kojicmdtest.New(b)
	ctx := context.Background()
	e.Tag(b, "big", "", "")
	e.Tag(b, "half", "", "")
	start := time.Now()
	for p := 0; p < 2000; p += 100 {
		var calls []koji.Call
		for q := p; q < p+100; q++ {
			pkg := fmt.Sprintf("pkg%04d", q)
			calls = append(calls, koji.Call{Method: "packageListAdd", Args: []any{"big", pkg, kojicmdtest.User}},
				koji.Call{Method: "packageListAdd", Args: []any{"half", pkg, kojicmdtest.User}})
			for v := 0; v < 10; v++ {
				calls = append(calls, koji.Call{Method: "createEmptyBuild", Args: []any{pkg, fmt.Sprint(v), "1", nil}},
					koji.Call{Method: "tagBuildBypass", Args: []any{"big", fmt.Sprintf("%s-%d-1", pkg, v)}})
			}
			if q%2 == 0 {
				calls = append(calls, koji.Call{Method: "tagBuildBypass", Args: []any{"half", pkg + "-9-1"}})
			}
		}
		if _, err := e.Hub.MultiCall(ctx, calls, koji.MultiCallOpts{Strict: true}); err != nil {
			b.Fatal(err)
		}
	}
	b.Logf("fixture: 20,000 builds in %v", time.Since(start))
	posts := &atomic.Int64{}
	hh := e.Hub.Handler()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			posts.Add(1)
		}
		hh.ServeHTTP(w, r)
	}))
	b.Cleanup(srv.Close)
	remote := client.New(client.Options{Server: srv.URL + "/kojihub", MaxRetries: -1})
	return &benchEnv{e: e, local: &countingHub{Hub: e.Hub}, remote: &countingHub{Hub: remote}, posts: posts}
}

func (be *benchEnv) run(b *testing.B, f func(h koji.Hub) error) {
	for _, tc := range []struct {
		name string
		h    *countingHub
	}{{"embedded", be.local}, {"served", be.remote}} {
		b.Run(tc.name, func(b *testing.B) {
			tc.h.n.Store(0)
			be.posts.Store(0)
			for b.Loop() {
				be.e.Reset()
				if err := f(tc.h); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(tc.h.n.Load())/float64(b.N), "requests/op")
			if tc.name == "served" {
				b.ReportMetric(float64(be.posts.Load())/float64(b.N), "http-posts/op")
			}
			b.ReportMetric(float64(be.e.Out.Len()), "bytes-out")
		})
	}
}

// BenchmarkTagDiff compares a tag of 20,000 builds (2,000 latest) with one
// holding 1,000 of them, both directions.
func BenchmarkTagDiff(b *testing.B) {
	be := newBenchEnv(b)
	ctx := context.Background()
	be.run(b, func(h koji.Hub) error {
		opts := TagDiffOptions{Common: common(be.e, h), Tag1: "big", Tag2: "half", Both: true}
		return tagDiffRun(ctx, &opts)
	})
}

// BenchmarkBlame blames the tag of 20,000 taggings (one queryHistory call of
// 20,000 rows) and one package (10 rows).
func BenchmarkBlame(b *testing.B) {
	be := newBenchEnv(b)
	ctx := context.Background()
	for _, obj := range []string{"big", "pkg0042"} {
		b.Run(obj, func(b *testing.B) {
			be.run(b, func(h koji.Hub) error {
				opts := BlameOptions{Common: common(be.e, h), Object: obj}
				return blameRun(ctx, &opts)
			})
		})
	}
}
