package hub

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/osg-htc/osg-build-go/pkg/hub/web"
	"github.com/osg-htc/osg-build-go/pkg/koji"
	"github.com/osg-htc/osg-build-go/pkg/koji/client"
)

// servedWeb serves the hub's XML-RPC and its pages over loopback TLS, as
// hub serve does.
func servedWeb(b *testing.B, h *Hub) (base string, hc *http.Client, caFile string) {
	b.Helper()
	pages, err := web.New(h, web.Options{TopDir: h.TopDir()})
	if err != nil {
		b.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle(web.Prefix, pages)
	mux.Handle("/", h.Handler())
	base, caFile, ca := serveTLS(b, mux)
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(ca.PEM)
	hc = &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}, MaxIdleConnsPerHost: 8}}
	return base, hc, caFile
}

// run8 runs n requests from 8 workers and returns the p99 and the rate.
func run8(b *testing.B, n int, do func(w int) error) (time.Duration, float64) {
	var next atomic.Int64
	var lat latencies
	var wg sync.WaitGroup
	start := time.Now()
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for next.Add(1) <= int64(n) {
				t0 := time.Now()
				if err := do(w); err != nil {
					b.Error(err)
					return
				}
				lat.add(time.Since(t0))
			}
		}(w)
	}
	wg.Wait()
	return lat.p99(), float64(n) / time.Since(start).Seconds()
}

// BenchmarkWebPages: taginfo of the deepest tag (b0, 5 levels of
// inheritance over 20,000 builds) and builds page 1, served over TLS to 8
// clients, against the hub calls kojiweb makes for the same pages (over
// XML-RPC from its web server: kojiweb's rendering not counted).
func BenchmarkWebPages(b *testing.B) {
	h := benchHub(b, 2000, 10)
	base, hc, caFile := servedWeb(b, h)
	get := func(path, want string) func(int) error {
		return func(int) error {
			resp, err := hc.Get(base + path)
			if err != nil {
				return err
			}
			body, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil {
				return err
			}
			if resp.StatusCode != 200 || !strings.Contains(string(body), want) {
				return &httpErr{path, resp.StatusCode}
			}
			return nil
		}
	}
	var clients []*client.Client
	for i := 0; i < 8; i++ {
		clients = append(clients, client.New(client.Options{Server: base + "/kojihub", ServerCA: caFile, MaxRetries: -1}))
	}
	ctx := context.Background()
	kw := func(m map[string]any) map[string]any { return m }
	// kojiweb's taginfo: getTag, the package and build counts, the
	// inheritance, the targets, the repo, the external repos, the perms
	kojiTaginfo := func(w int) error {
		c := clients[w]
		calls := []struct {
			m  string
			a  []any
			kw map[string]any
		}{
			{"getTag", []any{"b0"}, kw(map[string]any{"strict": true})},
			{"getFullInheritance", []any{"b0"}, nil},
			{"getBuildTargets", nil, kw(map[string]any{"buildTagID": "b0"})},
			{"getBuildTargets", nil, kw(map[string]any{"destTagID": "b0"})},
			{"getRepo", []any{"b0"}, nil},
			{"getExternalRepoList", []any{"b0"}, nil},
			{"getAllPerms", nil, nil},
		}
		for _, cl := range calls {
			if _, err := c.Call(ctx, cl.m, cl.a, cl.kw); err != nil {
				return err
			}
		}
		// and its three counts: Koji's count() runs the method in the hub
		// and answers len() (run in-process here: the hub's cost without
		// sending the lists)
		if _, err := h.ListPackages(ctx, koji.ListPackagesOpts{TagID: koji.ByName("b0"), Inherited: true}); err != nil {
			return err
		}
		if _, err := h.ListPackages(ctx, koji.ListPackagesOpts{TagID: koji.ByName("b0"), Inherited: true}); err != nil {
			return err
		}
		_, err := h.ListTagged(ctx, koji.ByName("b0"), koji.ListTaggedOpts{Inherit: true})
		return err
	}
	kojiBuilds := func(w int) error {
		c := clients[w]
		// paginateMethod: the count, then the page
		if _, err := c.Call(ctx, "listBuilds", nil, map[string]any{"queryOpts": map[string]any{"countOnly": true}}); err != nil {
			return err
		}
		_, err := c.Call(ctx, "listBuilds", nil, map[string]any{"queryOpts": map[string]any{"order": "-build_id", "offset": 0, "limit": 50}})
		return err
	}
	b.ResetTimer()
	n := max(b.N, 40)
	for _, c := range []struct {
		name       string
		ours, peer func(int) error
	}{
		{"taginfo b0", get("/koji/taginfo?tagID=b0", "the latest build of each package"), kojiTaginfo},
		{"builds page 1", get("/koji/builds", "pkg1999-1.9-1.osg25.el9"), kojiBuilds},
	} {
		p99, rate := run8(b, n, c.ours)
		kp99, krate := run8(b, min(n, 40), c.peer) // seconds each: 40 are plenty
		b.Logf("%s: p99 %v (%.0f pages/s), 8 clients over TLS; kojiweb's hub calls for it: p99 %v (%.0f/s), %.1fx ours", c.name, p99.Round(time.Microsecond), rate, kp99.Round(time.Microsecond), krate, float64(kp99)/float64(p99))
		b.ReportMetric(float64(p99.Microseconds())/1000, strings.ReplaceAll(c.name, " ", "-")+"-p99-ms")
		if p99 > 50*time.Millisecond {
			b.Errorf("%s: p99 %v, over 50 ms", c.name, p99)
		}
	}
}

type httpErr struct {
	path string
	code int
}

func (e *httpErr) Error() string { return e.path + ": status " + http.StatusText(e.code) }
