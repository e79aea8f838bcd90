package credcheck_test

import (
	"crypto/x509"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/osg-htc/osg-build-go/internal/credcheck"
	. "github.com/osg-htc/osg-build-go/internal/credcheck/credtest"
	"github.com/osg-htc/osg-build-go/internal/proxy"
	"github.com/osg-htc/osg-build-go/internal/testutil"
)

func check(t *testing.T, o credcheck.X509Options) *credcheck.X509Report {
	t.Helper()
	r := credcheck.CheckX509(o)
	for _, f := range r.List {
		t.Logf("%s %s: %s", f.Level, f.Check, f)
	}
	return r
}

func wantError(t *testing.T, r *credcheck.X509Report, check string, parts ...string) {
	t.Helper()
	err := r.Err()
	if err == nil {
		t.Fatalf("no error; want %s", check)
	}
	e := err.(*credcheck.Error)
	if e.Check != check {
		t.Errorf("failed check %q (%v), want %q", e.Check, err, check)
	}
	for _, p := range parts {
		if !strings.Contains(err.Error(), p) {
			t.Errorf("error %q does not mention %q", err, p)
		}
	}
}

func TestValidProxies(t *testing.T) {
	ca := NewCA(t, "Test CA")
	user := ValidUser(t, ca)
	dir := t.TempDir()
	cad := CADir(t, ca)
	for _, tt := range []struct {
		name string
		o    proxy.Options
		typ  string
		cn   string
	}{
		{"rfc", proxy.Options{}, credcheck.TypeRFC, ""},
		{"rfc-limited", proxy.Options{Limited: true}, credcheck.TypeRFCLimited, ""},
		{"legacy", proxy.Options{Kind: proxy.Legacy}, credcheck.TypeLegacy, "/CN=proxy"},
		{"legacy-limited", proxy.Options{Kind: proxy.Legacy, Limited: true}, credcheck.TypeLegacyLim, "/CN=limited proxy"},
		{"draft", proxy.Options{Kind: proxy.Draft}, credcheck.TypeDraft, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := Proxy(t, user, tt.o)
			path := WriteFile(t, dir, tt.name, p.PEM(), 0o600)
			r := check(t, credcheck.X509Options{Path: path, CADir: cad})
			if err := r.Err(); err != nil {
				t.Fatal(err)
			}
			if len(r.Warnings()) > 0 {
				t.Errorf("warnings: %v", r.Warnings())
			}
			if r.Type != tt.typ || !r.Proxy {
				t.Errorf("type %q proxy %v, want %q", r.Type, r.Proxy, tt.typ)
			}
			ident := "/DC=org/DC=example/O=People/CN=Jane Packager"
			if r.Identity != ident || r.Issuer != ident || !strings.HasPrefix(r.Subject, ident+"/CN=") {
				t.Errorf("subject %q issuer %q identity %q", r.Subject, r.Issuer, r.Identity)
			}
			if tt.cn != "" && r.Subject != ident+tt.cn {
				t.Errorf("subject %q, want %q", r.Subject, ident+tt.cn)
			}
			if r.KeyBits != 2048 || r.KeyType != "RSA" {
				t.Errorf("key %s %d", r.KeyType, r.KeyBits)
			}
			if r.TimeLeft < 11*time.Hour || r.TimeLeft > 12*time.Hour {
				t.Errorf("time left %v", r.TimeLeft)
			}
		})
	}
}

func TestEndEntityCert(t *testing.T) {
	ca := NewCA(t, "Test CA")
	user := ValidUser(t, ca)
	dir := t.TempDir()
	// the key first, as osg-koji setup's client.crt may have it
	path := WriteFile(t, dir, "client.crt", append(KeyPEM(t, user.Key), CertPEM(user.Cert)...), 0o600)
	r := check(t, credcheck.X509Options{Path: path, CAFile: WriteFile(t, dir, "ca.pem", CertPEM(ca.Cert), 0o644)})
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	if r.Type != credcheck.TypeEndEntity || r.Proxy {
		t.Errorf("type %q", r.Type)
	}
}

func TestBadCredentials(t *testing.T) {
	ca := NewCA(t, "Test CA")
	other := NewCA(t, "Other CA")
	user := ValidUser(t, ca)
	dir := t.TempDir()
	cad := CADir(t, ca)
	now := time.Now()

	t.Run("expired", func(t *testing.T) {
		p := Proxy(t, user, proxy.Options{Now: now.Add(-48 * time.Hour)})
		r := check(t, credcheck.X509Options{Path: WriteFile(t, dir, "expired", p.PEM(), 0o600), CADir: cad})
		wantError(t, r, "validity", "has expired", "osg-build proxy init")
	})
	t.Run("not-yet-valid", func(t *testing.T) {
		p := Proxy(t, user, proxy.Options{Now: now.Add(2 * time.Hour)})
		r := check(t, credcheck.X509Options{Path: WriteFile(t, dir, "future", p.PEM(), 0o600), CADir: cad})
		wantError(t, r, "validity", "not valid yet", "clock")
	})
	t.Run("expired-user-cert", func(t *testing.T) {
		old := UserCert(t, ca, "Old User", 2048, now.Add(-72*time.Hour), now.Add(-24*time.Hour))
		p := Proxy(t, old, proxy.Options{Now: now.Add(-30 * time.Hour)})
		r := check(t, credcheck.X509Options{Path: WriteFile(t, dir, "olduser", p.PEM(), 0o600), CADir: cad})
		wantError(t, r, "validity", "expired", "renew your certificate")
	})
	t.Run("under-an-hour", func(t *testing.T) {
		p := Proxy(t, user, proxy.Options{Valid: 30 * time.Minute})
		r := check(t, credcheck.X509Options{Path: WriteFile(t, dir, "short", p.PEM(), 0o600), CADir: cad})
		if err := r.Err(); err != nil {
			t.Fatal(err)
		}
		w := r.Warnings()
		if len(w) != 1 || !strings.Contains(w[0].Message, "expires in 0:") {
			t.Errorf("warnings %v", w)
		}
	})
	t.Run("1024-bit-proxy", func(t *testing.T) {
		p := Proxy(t, user, proxy.Options{Bits: 1024})
		r := check(t, credcheck.X509Options{Path: WriteFile(t, dir, "small", p.PEM(), 0o600), CADir: cad})
		wantError(t, r, "key-size", "1024 bits", "EE_KEY_TOO_SMALL", "-bits 2048")
	})
	t.Run("1024-bit-user", func(t *testing.T) {
		small := UserCert(t, ca, "Small Key", 1024, now.Add(-time.Hour), now.AddDate(1, 0, 0))
		path := WriteFile(t, dir, "smalluser", append(CertPEM(small.Cert), KeyPEM(t, small.Key)...), 0o600)
		r := check(t, credcheck.X509Options{Path: path, CADir: cad})
		wantError(t, r, "key-size", "1024 bits", "request a new certificate")
	})
	t.Run("mismatched-key", func(t *testing.T) {
		path := WriteFile(t, dir, "mismatch", append(CertPEM(user.Cert), KeyPEM(t, Key(t, "proxy", 2048))...), 0o600)
		r := check(t, credcheck.X509Options{Path: path, CADir: cad})
		wantError(t, r, "key", "does not match")
	})
	t.Run("no-key", func(t *testing.T) {
		r := check(t, credcheck.X509Options{Path: WriteFile(t, dir, "nokey", CertPEM(user.Cert), 0o600)})
		wantError(t, r, "key", "holds no private key")
	})
	t.Run("mode-0644", func(t *testing.T) {
		p := Proxy(t, user, proxy.Options{})
		path := WriteFile(t, dir, "open", p.PEM(), 0o644)
		r := check(t, credcheck.X509Options{Path: path, CADir: cad})
		wantError(t, r, "permissions", "chmod 600 "+path, "mode 0644")
	})
	t.Run("broken-symlink", func(t *testing.T) {
		link := filepath.Join(dir, "client.crt")
		if err := os.Symlink(filepath.Join(dir, "x509up_u12345"), link); err != nil {
			t.Fatal(err)
		}
		r := check(t, credcheck.X509Options{Path: link})
		wantError(t, r, "exists", "symlink to", "no longer exists", "osg-build proxy init")
	})
	t.Run("missing", func(t *testing.T) {
		r := check(t, credcheck.X509Options{Path: filepath.Join(dir, "none")})
		wantError(t, r, "exists", "does not exist")
	})
	t.Run("not-pem", func(t *testing.T) {
		r := check(t, credcheck.X509Options{Path: WriteFile(t, dir, "junk", []byte("hello\n"), 0o600)})
		wantError(t, r, "parse", "holds no PEM certificate")
	})
	t.Run("encrypted-key", func(t *testing.T) {
		path := WriteFile(t, dir, "enc", append(CertPEM(user.Cert), EncryptedPKCS1(t, user.Key, "secret")...), 0o600)
		r := check(t, credcheck.X509Options{Path: path})
		wantError(t, r, "key", "is encrypted")
	})
	t.Run("unknown-ca", func(t *testing.T) {
		p := Proxy(t, user, proxy.Options{})
		r := check(t, credcheck.X509Options{Path: WriteFile(t, dir, "unknownca", p.PEM(), 0o600), CADir: CADir(t, other)})
		if err := r.Err(); err != nil {
			t.Fatal(err)
		}
		if w := r.Warnings(); len(w) != 1 || w[0].Check != "ca" {
			t.Errorf("warnings %v", w)
		}
	})
	t.Run("proxy-not-signed-by-issuer", func(t *testing.T) {
		// the chain holds a certificate of the same DN with another key
		p := Proxy(t, user, proxy.Options{})
		twin := UserCertWithKey(t, ca, "Jane Packager", Key(t, "twin", 2048), now.Add(-time.Hour), now.AddDate(1, 0, 0))
		p.Chain = []*x509.Certificate{twin.Cert}
		r := check(t, credcheck.X509Options{Path: WriteFile(t, dir, "forged", p.PEM(), 0o600), CADir: cad})
		wantError(t, r, "chain", "not signed by its issuer")
	})
	t.Run("proxy-without-chain", func(t *testing.T) {
		p := Proxy(t, user, proxy.Options{})
		p.Chain = nil
		r := check(t, credcheck.X509Options{Path: WriteFile(t, dir, "nochain", p.PEM(), 0o600), CADir: cad})
		wantError(t, r, "chain", "not the end-entity certificate")
	})
}

func TestSubjectHashMatchesOpenSSL(t *testing.T) {
	testutil.RequireTool(t, "openssl")
	ca := NewCA(t, "Test  CA ")
	user := UserCert(t, ca, "  Jane   PACKAGER ", 2048, time.Now().Add(-time.Hour), time.Now().Add(time.Hour))
	dir := t.TempDir()
	for i, c := range []*x509.Certificate{ca.Cert, user.Cert} {
		path := WriteFile(t, dir, fmt.Sprint(i), CertPEM(c), 0o644)
		out, err := exec.Command("openssl", "x509", "-noout", "-hash", "-subject", "-nameopt", "compat", "-in", path).Output()
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSpace(string(out)), "\n")
		h, err := credcheck.SubjectHash(c.RawSubject)
		if err != nil {
			t.Fatal(err)
		}
		if got := fmt.Sprintf("%08x", h); got != lines[0] {
			t.Errorf("hash %s, openssl says %s", got, lines[0])
		}
		if got := "subject=" + credcheck.OneLine(c.RawSubject); strings.TrimSpace(got) != lines[1] {
			t.Errorf("%q, openssl says %q", got, lines[1])
		}
	}
}
