package credcheck_test

import (
	"os/exec"
	"sort"
	"testing"
	"time"

	"github.com/osg-htc/osg-build-go/internal/credcheck"
	"github.com/osg-htc/osg-build-go/internal/credcheck/credtest"
	"github.com/osg-htc/osg-build-go/internal/proxy"
)

// benchProxy writes a valid RFC proxy and a CA directory holding its CA.
func benchProxy(b *testing.B) (path, cadir string) {
	ca := credtest.NewCA(b, "Test CA")
	user := credtest.ValidUser(b, ca)
	dir := b.TempDir()
	return credtest.WriteFile(b, dir, "x509up", credtest.Proxy(b, user, proxy.Options{}).PEM(), 0o600), credtest.CADir(b, ca)
}

// median runs f b.N times and reports the median time of one run.
func median(b *testing.B, f func()) {
	var ds []time.Duration
	for b.Loop() {
		t0 := time.Now()
		f()
		ds = append(ds, time.Since(t0))
	}
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	b.ReportMetric(float64(ds[len(ds)/2].Microseconds())/1000, "median-ms")
}

// BenchmarkCheckValidProxy is the check `osg-build auth` and every login
// run, on a valid proxy with its CA found by subject hash (the issue's
// target: `osg-build auth` under 10 ms median, process start included;
// bench/auth.sh measures that).
func BenchmarkCheckValidProxy(b *testing.B) {
	path, cadir := benchProxy(b)
	getenv := func(k string) string {
		return map[string]string{"X509_CERT_DIR": cadir}[k]
	}
	median(b, func() {
		r := credcheck.Check(credcheck.Options{Settings: credcheck.Settings{AuthType: "ssl", Cert: path}, Getenv: getenv})
		if err := r.Err(); err != nil {
			b.Fatal(err)
		}
	})
}

// BenchmarkGridProxyInfo is grid-proxy-info on the same kind of file, for
// comparison (a process each time).
func BenchmarkGridProxyInfo(b *testing.B) {
	if _, err := exec.LookPath("grid-proxy-info"); err != nil {
		b.Skip("grid-proxy-info (globus-proxy-utils) is not installed")
	}
	path, cadir := benchProxy(b)
	median(b, func() {
		cmd := exec.Command("grid-proxy-info", "-file", path)
		cmd.Env = []string{"X509_CERT_DIR=" + cadir}
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("%v: %s", err, out)
		}
	})
}
