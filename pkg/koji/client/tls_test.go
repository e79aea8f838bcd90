package client

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/osg-htc/osg-build-go/pkg/koji"
)

type testCA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	pem  []byte
}

func newTestCA(t *testing.T, cn string) *testCA {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: cn},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	return &testCA{cert: cert, key: key, pem: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})}
}

// issue makes a certificate for cn (a server for 127.0.0.1 when server)
// and returns its PEM and its key's PEM.
func (ca *testCA) issue(t *testing.T, cn string, server bool) (certPEM, keyPEM []byte) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: cn},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}
	if server {
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
		tmpl.IPAddresses = []net.IP{net.ParseIP("127.0.0.1")}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder})
}

func writeFile(t *testing.T, dir, name string, parts ...[]byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	var b []byte
	for _, part := range parts {
		b = append(b, part...)
	}
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestSSLLoginWithClientCertificate(t *testing.T) {
	ca := newTestCA(t, "Test Koji CA")
	srvCert, srvKey := ca.issue(t, "127.0.0.1", true)
	cliCert, cliKey := ca.issue(t, "kojiadmin", false)
	dir := t.TempDir()
	// key first, then the certificate: any order is accepted
	certFile := writeFile(t, dir, "client.crt", cliKey, cliCert)
	caFile := writeFile(t, dir, "serverca.crt", ca.pem)

	pool := x509.NewCertPool()
	pool.AddCert(ca.cert)
	sc, err := tls.X509KeyPair(srvCert, srvKey)
	if err != nil {
		t.Fatal(err)
	}
	h := newFakeHub(t)
	mux := http.NewServeMux()
	mux.Handle("/kojihub", h)
	mux.Handle("/kojihub/ssllogin", h)
	srv := httptest.NewUnstartedServer(mux)
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{sc}, ClientCAs: pool, ClientAuth: tls.VerifyClientCertIfGiven, MinVersion: tls.VersionTLS12}
	srv.StartTLS()
	defer srv.Close()

	ctx := context.Background()
	c := New(Options{Server: srv.URL + "/kojihub", Cert: certFile, ServerCA: caFile, MaxRetries: -1})
	if err := c.Login(ctx, "ssl", "", ""); err != nil {
		t.Fatal(err)
	}
	u, err := c.GetLoggedInUser(ctx)
	if err != nil || u == nil || u.Name != "kojiadmin" || u.AuthType != koji.AuthSSL {
		t.Fatalf("GetLoggedInUser = %+v, %v", u, err)
	}
	if err := c.Logout(ctx); err != nil {
		t.Fatal(err)
	}
	ents := h.entries()
	if ents[0].Method != "sslLogin" || ents[0].Path != "/kojihub/ssllogin" {
		t.Errorf("first request %s at %s", ents[0].Method, ents[0].Path)
	}
	if ents[1].Path != "/kojihub" || ents[1].Header.Get("Koji-Session-Callnum") != "0" || ents[2].Header.Get("Koji-Session-Callnum") != "1" {
		t.Errorf("session requests: %+v", ents[1:])
	}

	// without serverca the test CA is not trusted: a certificate error, not retried
	c2 := New(Options{Server: srv.URL + "/kojihub", Cert: certFile})
	err = c2.LoginSSL(ctx)
	if err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Errorf("login without serverca: %v", err)
	}
	// a certificate from another CA is refused by the server
	other := newTestCA(t, "Other CA")
	oc, ok := other.issue(t, "mallory", false)
	c3 := New(Options{Server: srv.URL + "/kojihub", Cert: writeFile(t, dir, "other.crt", oc, ok), ServerCA: caFile, MaxRetries: -1})
	if err := c3.LoginSSL(ctx); err == nil {
		t.Error("a certificate of another CA logged in")
	}
	// plain http with ssl login is refused client-side
	c4 := New(Options{Server: "http://127.0.0.1:1/kojihub", Cert: certFile})
	if err := c4.LoginSSL(ctx); err == nil || !strings.Contains(err.Error(), "https") {
		t.Errorf("ssl login over http: %v", err)
	}
}

func TestLoadCertificateErrors(t *testing.T) {
	ca := newTestCA(t, "CA")
	cert, key := ca.issue(t, "u", false)
	dir := t.TempDir()
	tests := []struct {
		name  string
		parts [][]byte
		want  string
	}{
		{"only-cert", [][]byte{cert}, "must hold a PEM certificate and its private key"},
		{"only-key", [][]byte{key}, "must hold a PEM certificate and its private key"},
		{"encrypted", [][]byte{cert, []byte("-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n")}, "encrypted"},
		{"proxy-chain", [][]byte{cert, key, ca.pem}, ""},
	}
	for _, tt := range tests {
		p := writeFile(t, dir, tt.name, tt.parts...)
		_, err := LoadCertificate(p)
		if tt.want == "" {
			if err != nil {
				t.Errorf("%s: %v", tt.name, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want %q", tt.name, err, tt.want)
		}
	}
	if _, err := LoadCertificate(filepath.Join(dir, "missing")); err == nil {
		t.Error("missing file accepted")
	}
}
