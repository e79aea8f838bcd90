package hub

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/osg-htc/osg-build-go/pkg/hub/pki"
	"github.com/osg-htc/osg-build-go/pkg/hub/store"
	"github.com/osg-htc/osg-build-go/pkg/koji"
	"github.com/osg-htc/osg-build-go/pkg/koji/client"
)

// benchHub makes the issue's benchmark hub: a tag with 20,000 tagged
// builds (2,000 packages x 10 builds) at the bottom of a 5-level
// inheritance chain (b0 inherits b1 ... inherits b4, which holds the
// builds and the package list).
func benchHub(b *testing.B, pkgs, per int) *Hub {
	b.Helper()
	ctx := context.Background()
	h, err := Open(ctx, b.TempDir(), WithLocalUser("kojiadmin"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { h.Close() })
	for i := 4; i >= 0; i-- {
		o := koji.CreateTagOpts{}
		if i < 4 {
			o.Parent = koji.ByName(fmt.Sprintf("b%d", i+1))
		}
		if _, err := h.CreateTag(ctx, fmt.Sprintf("b%d", i), o); err != nil {
			b.Fatal(err)
		}
	}
	err = h.db.Write(ctx, func(tx *store.Tx) error {
		var bottom int64
		if err := tx.QueryRow(`SELECT id FROM tag WHERE name = 'b4'`).Scan(&bottom); err != nil {
			return err
		}
		ev, err := tx.Event()
		if err != nil {
			return err
		}
		for p := 0; p < pkgs; p++ {
			pid, err := tx.Insert(`INSERT INTO package (name) VALUES (?)`, fmt.Sprintf("pkg%04d", p))
			if err != nil {
				return err
			}
			if _, err := tx.Exec(`INSERT INTO tag_packages (package_id, tag_id, blocked, create_event, creator_id, active) VALUES (?, ?, 0, ?, 1, 1)`, pid, bottom, ev); err != nil {
				return err
			}
			if _, err := tx.Exec(`INSERT INTO tag_package_owners (package_id, tag_id, owner, create_event, creator_id, active) VALUES (?, ?, 1, ?, 1, 1)`, pid, bottom, ev); err != nil {
				return err
			}
			for v := 0; v < per; v++ {
				bid, err := tx.Insert(`INSERT INTO build (pkg_id, version, release, create_event, start_time, completion_time, state, owner)
					VALUES (?, ?, '1.osg25.el9', ?, ?, ?, 1, 1)`, pid, fmt.Sprintf("1.%d", v), ev, tx.NowTS(), tx.NowTS())
				if err != nil {
					return err
				}
				tev, err := tx.Insert(`INSERT INTO events (time) VALUES (?)`, tx.NowTS())
				if err != nil {
					return err
				}
				if _, err := tx.Exec(`INSERT INTO tag_listing (build_id, tag_id, create_event, creator_id, active) VALUES (?, ?, ?, 1, 1)`, bid, bottom, tev); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return h
}

// latencies collects call durations for a p99.
type latencies struct {
	mu sync.Mutex
	d  []time.Duration
}

func (l *latencies) add(d time.Duration) {
	l.mu.Lock()
	l.d = append(l.d, d)
	l.mu.Unlock()
}

func (l *latencies) p99() time.Duration {
	sort.Slice(l.d, func(i, j int) bool { return l.d[i] < l.d[j] })
	if len(l.d) == 0 {
		return 0
	}
	return l.d[len(l.d)*99/100]
}

// runLatest runs b.N getLatestBuilds / listTagged(inherit, latest) calls
// for one package each from 8 workers and reports calls/s and p99.
func runLatest(b *testing.B, hubs []koji.Hub, pkgs int) {
	var n atomic.Int64
	var lat latencies
	var wg sync.WaitGroup
	b.ResetTimer()
	start := time.Now()
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			h := hubs[w%len(hubs)]
			ctx := context.Background()
			for {
				i := n.Add(1)
				if i > int64(b.N) {
					return
				}
				pkg := fmt.Sprintf("pkg%04d", int(i)%pkgs)
				t0 := time.Now()
				var got []koji.TaggedBuild
				var err error
				if i%2 == 0 {
					got, err = h.GetLatestBuilds(ctx, koji.ByName("b0"), koji.GetLatestBuildsOpts{Package: pkg})
				} else {
					got, err = h.ListTagged(ctx, koji.ByName("b0"), koji.ListTaggedOpts{Inherit: true, Latest: koji.LatestOne, Package: pkg})
				}
				lat.add(time.Since(t0))
				if err != nil || len(got) != 1 || got[0].Version != "1.9" {
					b.Errorf("latest of %s = %v, %v", pkg, got, err)
					return
				}
			}
		}(w)
	}
	wg.Wait()
	el := time.Since(start)
	b.ReportMetric(float64(b.N)/el.Seconds(), "calls/s")
	b.ReportMetric(float64(lat.p99().Microseconds())/1000, "p99-ms")
}

// BenchmarkLatestInProcess: 8 concurrent in-process callers.
func BenchmarkLatestInProcess(b *testing.B) {
	h := benchHub(b, 2000, 10)
	runLatest(b, []koji.Hub{h}, 2000)
}

// serveTLS serves handler over loopback TLS with a throwaway CA: the URL,
// the CA's file and the CA.
func serveTLS(b *testing.B, handler http.Handler) (url, caFile string, ca *pki.CA) {
	b.Helper()
	ca, err := pki.NewCA("bench CA", 1)
	if err != nil {
		b.Fatal(err)
	}
	cert, key, err := ca.Issue("127.0.0.1", true, []string{"127.0.0.1"}, 1)
	if err != nil {
		b.Fatal(err)
	}
	tc, err := pki.ServerTLS(ca, cert, key)
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(handler)
	srv.TLS = tc
	srv.StartTLS()
	b.Cleanup(srv.Close)
	caFile = filepath.Join(b.TempDir(), "ca.crt")
	if err := os.WriteFile(caFile, ca.PEM, 0o644); err != nil {
		b.Fatal(err)
	}
	return srv.URL, caFile, ca
}

// BenchmarkLatestServedTLS: 8 clients over loopback TLS.
func BenchmarkLatestServedTLS(b *testing.B) {
	h := benchHub(b, 2000, 10)
	url, caFile, _ := serveTLS(b, h.Handler())
	var hubs []koji.Hub
	for i := 0; i < 8; i++ {
		hubs = append(hubs, client.New(client.Options{Server: url + "/kojihub", ServerCA: caFile, MaxRetries: -1}))
	}
	runLatest(b, hubs, 2000)
}

// BenchmarkListTaggedAllInProcess: the whole latest list (2,000 builds out
// of 20,000) in-process.
func BenchmarkListTaggedAllInProcess(b *testing.B) {
	h := benchHub(b, 2000, 10)
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		got, err := h.ListTagged(ctx, koji.ByName("b0"), koji.ListTaggedOpts{Inherit: true, Latest: koji.LatestOne})
		if err != nil || len(got) != 2000 {
			b.Fatalf("%d builds, %v", len(got), err)
		}
	}
}
