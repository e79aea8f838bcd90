package proxy_test

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/osg-htc/osg-build-go/internal/credcheck"
	"github.com/osg-htc/osg-build-go/internal/credcheck/credtest"
	"github.com/osg-htc/osg-build-go/internal/proxy"
	"github.com/osg-htc/osg-build-go/internal/testutil"
)

func TestNewRFCProxy(t *testing.T) {
	ca := credtest.NewCA(t, "Test CA")
	user := credtest.ValidUser(t, ca)
	p, err := proxy.New([]*x509.Certificate{user.Cert}, user.Key, proxy.Options{Key: credtest.Key(t, "proxy", 2048), Valid: 2 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	c := p.Cert
	var ext bool
	for _, e := range c.Extensions {
		if e.Id.Equal(credcheck.OIDProxyCertInfo) {
			ext = e.Critical
		}
	}
	if !ext {
		t.Error("no critical proxyCertInfo extension")
	}
	want := credcheck.OneLine(user.Cert.RawSubject) + "/CN=" + c.SerialNumber.String()
	if got := credcheck.OneLine(c.RawSubject); got != want {
		t.Errorf("subject %s, want %s", got, want)
	}
	if !bytes.Equal(c.RawIssuer, user.Cert.RawSubject) {
		t.Error("issuer is not the user's subject")
	}
	if err := user.Cert.CheckSignature(c.SignatureAlgorithm, c.RawTBSCertificate, c.Signature); err != nil {
		t.Error(err)
	}
	if d := c.NotAfter.Sub(time.Now()); d < 119*time.Minute || d > 2*time.Hour {
		t.Errorf("lifetime %v", d)
	}
	// proxy certificate, proxy key, user certificate
	var types []string
	for rest := p.PEM(); ; {
		var blk *pem.Block
		if blk, rest = pem.Decode(rest); blk == nil {
			break
		}
		types = append(types, blk.Type)
	}
	if strings.Join(types, ",") != "CERTIFICATE,RSA PRIVATE KEY,CERTIFICATE" {
		t.Errorf("file blocks %v", types)
	}
}

func TestLifetimeCutToTheIssuer(t *testing.T) {
	ca := credtest.NewCA(t, "Test CA")
	user := credtest.UserCert(t, ca, "Short Lived", 2048, time.Now().Add(-time.Hour), time.Now().Add(3*time.Hour))
	p := credtest.Proxy(t, user, proxy.Options{Valid: 12 * time.Hour})
	if !p.Shortened || !p.Cert.NotAfter.Equal(user.Cert.NotAfter) {
		t.Errorf("shortened %v, ends %v (user %v)", p.Shortened, p.Cert.NotAfter, user.Cert.NotAfter)
	}
}

func TestLoadUser(t *testing.T) {
	ca := credtest.NewCA(t, "Test CA")
	user := credtest.ValidUser(t, ca)
	dir := t.TempDir()
	cert := credtest.WriteFile(t, dir, "usercert.pem", credtest.CertPEM(user.Cert), 0o644)
	pass := func() ([]byte, error) { return []byte("pw"), nil }
	for name, key := range map[string][]byte{
		"plain":     credtest.KeyPEM(t, user.Key),
		"pkcs1-enc": credtest.EncryptedPKCS1(t, user.Key, "pw"),
		"pkcs8-enc": credtest.EncryptedPKCS8(t, user.Key, "pw"),
	} {
		t.Run(name, func(t *testing.T) {
			kf := credtest.WriteFile(t, dir, name, key, 0o400)
			chain, k, err := proxy.LoadUser(cert, kf, pass)
			if err != nil {
				t.Fatal(err)
			}
			if len(chain) != 1 || k == nil {
				t.Fatalf("chain %d key %v", len(chain), k)
			}
		})
	}
	t.Run("open-key", func(t *testing.T) {
		kf := credtest.WriteFile(t, dir, "open", credtest.KeyPEM(t, user.Key), 0o644)
		if _, _, err := proxy.LoadUser(cert, kf, pass); err == nil || !strings.Contains(err.Error(), "chmod 600 "+kf) {
			t.Errorf("err %v", err)
		}
	})
	t.Run("wrong-key", func(t *testing.T) {
		kf := credtest.WriteFile(t, dir, "wrong", credtest.KeyPEM(t, credtest.Key(t, "other", 2048)), 0o600)
		if _, _, err := proxy.LoadUser(cert, kf, pass); err == nil || !strings.Contains(err.Error(), "does not belong") {
			t.Errorf("err %v", err)
		}
	})
	t.Run("wrong-passphrase", func(t *testing.T) {
		kf := credtest.WriteFile(t, dir, "enc2", credtest.EncryptedPKCS8(t, user.Key, "pw"), 0o600)
		bad := func() ([]byte, error) { return []byte("nope"), nil }
		if _, _, err := proxy.LoadUser(cert, kf, bad); err == nil || !strings.Contains(err.Error(), "wrong passphrase") {
			t.Errorf("err %v", err)
		}
	})
	t.Run("one-file", func(t *testing.T) {
		both := credtest.WriteFile(t, dir, "client.crt", append(credtest.CertPEM(user.Cert), credtest.KeyPEM(t, user.Key)...), 0o600)
		if _, _, err := proxy.LoadUser(both, both, nil); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("missing", func(t *testing.T) {
		if _, _, err := proxy.LoadUser(filepath.Join(dir, "nope"), filepath.Join(dir, "nope"), nil); err == nil || !strings.Contains(err.Error(), "~/.globus") {
			t.Errorf("err %v", err)
		}
	})
}

func TestWriteAndDestroy(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "x509up_u1")
	os.WriteFile(path, []byte("old"), 0o644)
	if err := proxy.Write(path, []byte("new")); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v %v", st.Mode(), err)
	}
	if b, _ := os.ReadFile(path); string(b) != "new" {
		t.Errorf("content %q", b)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 1 {
		t.Errorf("left behind: %v", ents)
	}
	if removed, err := proxy.Destroy(path); !removed || err != nil {
		t.Errorf("destroy %v %v", removed, err)
	}
	if removed, err := proxy.Destroy(path); removed || err != nil {
		t.Errorf("second destroy %v %v", removed, err)
	}
}

func TestParseValid(t *testing.T) {
	for in, want := range map[string]time.Duration{"12:00": 12 * time.Hour, "0:30": 30 * time.Minute, "168:00": 168 * time.Hour, "90m": 90 * time.Minute} {
		if got, err := proxy.ParseValid(in); err != nil || got != want {
			t.Errorf("%s: %v %v", in, got, err)
		}
	}
	for _, in := range []string{"12", "1:60", "a:b", "-1:00"} {
		if _, err := proxy.ParseValid(in); err == nil {
			t.Errorf("%s accepted", in)
		}
	}
}

// realTools writes an RFC and a legacy proxy, the CA (as a file and as a CA
// directory, dir) and the user certificate for the grid tools.
func realTools(t *testing.T) (dir, rfc, legacy, caFile, userFile string) {
	ca := credtest.NewCA(t, "Test CA")
	user := credtest.ValidUser(t, ca)
	dir = t.TempDir()
	rfc = credtest.WriteFile(t, dir, "rfc", credtest.Proxy(t, user, proxy.Options{}).PEM(), 0o600)
	legacy = credtest.WriteFile(t, dir, "legacy", credtest.Proxy(t, user, proxy.Options{Kind: proxy.Legacy}).PEM(), 0o600)
	caFile = credtest.WriteFile(t, dir, "ca.pem", credtest.CertPEM(ca.Cert), 0o644)
	userFile = credtest.WriteFile(t, dir, "user.pem", credtest.CertPEM(user.Cert), 0o644)
	dir = credtest.CADir(t, ca)
	return
}

func run(t *testing.T, env []string, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	t.Logf("%s %s:\n%s", name, strings.Join(args, " "), out)
	return string(out)
}

// TestOpenSSLVerifiesOurProxy: openssl verify accepts the proxy chain
// (with -allow_proxy_certs).
func TestOpenSSLVerifiesOurProxy(t *testing.T) {
	testutil.RequireTool(t, "openssl")
	_, rfc, legacy, caFile, userFile := realTools(t)
	out := run(t, nil, "openssl", "verify", "-allow_proxy_certs", "-CAfile", caFile, "-untrusted", userFile, rfc)
	if !strings.Contains(out, ": OK") {
		t.Errorf("openssl verify %s: %s", rfc, out)
	}
	// OpenSSL knows RFC 3820 proxies only: a legacy proxy is a certificate
	// issued by a non-CA, which it refuses, as the hub's OpenSSL would
	cmd := exec.Command("openssl", "verify", "-allow_proxy_certs", "-CAfile", caFile, "-untrusted", userFile, legacy)
	if out, err := cmd.CombinedOutput(); err == nil {
		t.Errorf("openssl accepted a legacy proxy:\n%s", out)
	}
}

// TestGridProxyInfoReadsOurProxy: globus-proxy-utils' grid-proxy-info
// reads our proxies and tells their types as we do.
func TestGridProxyInfoReadsOurProxy(t *testing.T) {
	testutil.RequireTool(t, "grid-proxy-info")
	_, rfc, legacy, _, _ := realTools(t)
	for p, typ := range map[string]string{rfc: credcheck.TypeRFC, legacy: credcheck.TypeLegacy} {
		out := run(t, nil, "grid-proxy-info", "-file", p)
		r := credcheck.CheckX509(credcheck.X509Options{Path: p})
		if !strings.Contains(out, "type     : "+typ) || !strings.Contains(out, "subject  : "+r.Subject) ||
			!strings.Contains(out, "identity : "+r.Identity) || !strings.Contains(out, "strength : 2048 bits") {
			t.Errorf("grid-proxy-info disagrees (%s, %s):\n%s", typ, r.Subject, out)
		}
		run(t, nil, "grid-proxy-info", "-file", p, "-exists", "-valid", "11:00", "-bits", "2048")
	}
}

// TestVOMSProxyInfoReadsOurProxy: voms-clients' voms-proxy-info reads our
// RFC proxy.
func TestVOMSProxyInfoReadsOurProxy(t *testing.T) {
	testutil.RequireTool(t, "voms-proxy-info")
	dir, rfc, _, _, _ := realTools(t)
	out := run(t, []string{"X509_CERT_DIR=" + dir}, "voms-proxy-info", "--file", rfc, "--all")
	if !strings.Contains(out, "type      : RFC compliant proxy") || !strings.Contains(out, "strength  : 2048 bits") {
		t.Errorf("voms-proxy-info:\n%s", out)
	}
	run(t, []string{"X509_CERT_DIR=" + dir}, "voms-proxy-info", "--file", rfc, "--exists", "--valid", "11:00")
}

// TestLoadUserKeysFromOpenSSL: the encrypted keys openssl writes (PKCS#8
// PBES2 by default, the legacy PEM with -traditional) are read.
func TestLoadUserKeysFromOpenSSL(t *testing.T) {
	testutil.RequireTool(t, "openssl")
	dir := t.TempDir()
	ca := credtest.NewCA(t, "Test CA")
	user := credtest.ValidUser(t, ca)
	plain := credtest.WriteFile(t, dir, "plain.pem", credtest.KeyPEM(t, user.Key), 0o600)
	cert := credtest.WriteFile(t, dir, "usercert.pem", credtest.CertPEM(user.Cert), 0o644)
	for name, args := range map[string][]string{
		"pkcs8-aes256": {"pkey", "-aes256"},
		"pkcs8-des3":   {"pkey", "-des3"},
		"pkcs1-des3":   {"rsa", "-des3", "-traditional"},
		"pkcs1-aes128": {"rsa", "-aes128", "-traditional"},
	} {
		t.Run(name, func(t *testing.T) {
			out := filepath.Join(dir, name)
			run(t, nil, "openssl", append(args, "-in", plain, "-out", out, "-passout", "pass:pw")...)
			os.Chmod(out, 0o600)
			if _, _, err := proxy.LoadUser(cert, out, func() ([]byte, error) { return []byte("pw"), nil }); err != nil {
				t.Fatal(err)
			}
		})
	}
}
