package hub_test

import (
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/osg-htc/osg-build-go/pkg/hub"
	"github.com/osg-htc/osg-build-go/pkg/hub/pki"
	"github.com/osg-htc/osg-build-go/pkg/koji"
	"github.com/osg-htc/osg-build-go/pkg/koji/client"
	"github.com/osg-htc/osg-build-go/pkg/koji/kojitest"
)

// servedHub serves a fresh hub over loopback TLS with client certificates.
type servedHub struct {
	h   *hub.Hub
	srv *httptest.Server
	ca  *pki.CA
	dir string
}

func serve(t *testing.T, opts ...hub.HandlerOption) *servedHub {
	t.Helper()
	h := openHub(t)
	ca, err := pki.NewCA("test hub CA", 1)
	if err != nil {
		t.Fatal(err)
	}
	cert, key, err := ca.Issue("127.0.0.1", true, []string{"127.0.0.1"}, 1)
	if err != nil {
		t.Fatal(err)
	}
	tc, err := pki.ServerTLS(ca, cert, key)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(h.Handler(opts...))
	srv.TLS = tc
	srv.StartTLS()
	t.Cleanup(srv.Close)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "ca.crt"), ca.PEM, 0o644); err != nil {
		t.Fatal(err)
	}
	return &servedHub{h: h, srv: srv, ca: ca, dir: dir}
}

// client returns a client for user (logged in with a certificate; "" is
// anonymous).
func (s *servedHub) client(t *testing.T, user string) *client.Client {
	t.Helper()
	o := client.Options{Server: s.srv.URL + "/kojihub", TopURL: s.srv.URL + "/kojifiles",
		ServerCA: filepath.Join(s.dir, "ca.crt"), MaxRetries: -1, Timeout: 30 * time.Second}
	if user != "" {
		cert, key, err := s.ca.Issue(user, false, nil, 1)
		if err != nil {
			t.Fatal(err)
		}
		o.Cert = filepath.Join(s.dir, user+".pem")
		if err := os.WriteFile(o.Cert, append(cert, key...), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	c := client.New(o)
	if user != "" {
		if err := c.LoginSSL(context.Background()); err != nil {
			t.Fatalf("login as %s: %v", user, err)
		}
	}
	return c
}

func TestConformanceServed(t *testing.T) {
	servers := map[koji.Hub]*servedHub{}
	kojitest.Suite{
		New: func(t *testing.T) koji.Hub {
			s := serve(t)
			c := s.client(t, "kojiadmin")
			servers[c] = s
			return c
		},
		AsUser: func(t *testing.T, h koji.Hub, name string) (koji.Hub, context.Context) {
			return servers[h].client(t, name), context.Background()
		},
	}.Run(t)
}
