package client

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jcmturner/gokrb5/v8/spnego"
	"github.com/jcmturner/gokrb5/v8/test/testdata"

	"github.com/osg-htc/osg-build-go/pkg/koji"
)

const testKrb5Conf = `[libdefaults]
  default_realm = TEST.GOKRB5
  dns_lookup_kdc = false
  dns_lookup_realm = false
[realms]
  TEST.GOKRB5 = {
    kdc = 127.0.0.1:1
  }
[domain_realm]
  .test.gokrb5 = TEST.GOKRB5
`

// testCCache writes gokrb5's test credential cache (a TGT and a service
// ticket for HTTP/host.test.gokrb5, user testuser1@TEST.GOKRB5) with its
// end times moved to 2038 so the cached service ticket is used offline.
func testCCache(t *testing.T, dir string) string {
	t.Helper()
	h := strings.ReplaceAll(testdata.CCACHE_TEST, "5967044e5967ad08", "7fffffff7fffffff")
	b, err := hex.DecodeString(h)
	if err != nil {
		t.Fatal(err)
	}
	return writeFile(t, dir, "krb5cc", b)
}

func TestKerberosMissingTicket(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"KRB5CCNAME": "FILE:" + filepath.Join(dir, "nope"), "KRB5_CONFIG": writeFile(t, dir, "krb5.conf", []byte(testKrb5Conf))}
	c := New(Options{Server: "https://koji.example/kojihub", Principal: "alice@EXAMPLE.ORG", Getenv: func(k string) string { return env[k] }})
	err := c.LoginGSSAPI(context.Background())
	if err == nil || !strings.Contains(err.Error(), "no Kerberos ticket: run kinit alice@EXAMPLE.ORG") {
		t.Fatalf("error %v", err)
	}
	env["KRB5CCNAME"] = "KEYRING:persistent:1000"
	if err := c.LoginGSSAPI(context.Background()); err == nil || !strings.Contains(err.Error(), "not a file cache") {
		t.Fatalf("keyring cache: %v", err)
	}
	env["KRB5CCNAME"] = writeFile(t, dir, "garbage", []byte("not a ccache"))
	if err := c.LoginGSSAPI(context.Background()); err == nil || !strings.Contains(err.Error(), "run kinit") {
		t.Fatalf("garbage cache: %v", err)
	}
	c2 := New(Options{Server: "https://koji.example/kojihub", Keytab: filepath.Join(dir, "kt"), Principal: "alice", Getenv: func(k string) string { return env[k] }})
	if err := c2.LoginGSSAPI(context.Background()); err == nil || !strings.Contains(err.Error(), "USER@REALM") {
		t.Fatalf("keytab without realm: %v", err)
	}
}

func TestKerberosNegotiateHeader(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"KRB5CCNAME": testCCache(t, dir), "KRB5_CONFIG": writeFile(t, dir, "krb5.conf", []byte(testKrb5Conf))}
	c := New(Options{Server: "https://host.test.gokrb5/kojihub", Principal: "testuser1@TEST.GOKRB5", Getenv: func(k string) string { return env[k] }})
	neg, err := c.negotiator()
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodPost, "https://host.test.gokrb5/kojihub/ssllogin", nil)
	if err := neg(req); err != nil {
		t.Fatal(err)
	}
	auth := req.Header.Get("Authorization")
	tok, ok := strings.CutPrefix(auth, "Negotiate ")
	if !ok {
		t.Fatalf("Authorization %q", auth)
	}
	b, err := base64.StdEncoding.DecodeString(tok)
	if err != nil {
		t.Fatal(err)
	}
	var st spnego.SPNEGOToken
	if err := st.Unmarshal(b); err != nil {
		t.Fatalf("not a SPNEGO token: %v", err)
	}
	if !st.Init || len(st.NegTokenInit.MechTypes) == 0 || len(st.NegTokenInit.MechTokenBytes) == 0 {
		t.Errorf("SPNEGO token %+v", st)
	}
}

// TestKerberosLoginFlow checks that the Negotiate header goes on the
// sslLogin POST to /ssllogin and that the session is then used.
func TestKerberosLoginFlow(t *testing.T) {
	h := newFakeHub(t)
	h.handle("sslLogin", func(r *fakeReq) (any, error) {
		if r.http.URL.Path != "/kojihub/ssllogin" || r.http.Header.Get("Authorization") != "Negotiate dG9rZW4=" {
			return nil, koji.NewFault(koji.AuthError, "GSSAPI authentication failed")
		}
		return h.newSession(r, "alice", koji.AuthGSSAPI), nil
	})
	c, _ := newTestClient(t, h, nil)
	neg := func(r *http.Request) error { r.Header.Set("Authorization", "Negotiate dG9rZW4="); return nil }
	ctx := context.Background()
	if err := c.loginWithNegotiate(ctx, neg); err != nil {
		t.Fatal(err)
	}
	u, err := c.GetLoggedInUser(ctx)
	if err != nil || u.Name != "alice" || u.AuthType != koji.AuthGSSAPI {
		t.Fatalf("GetLoggedInUser = %+v, %v", u, err)
	}
	ents := h.entries()
	if ents[1].Header.Get("Authorization") != "" {
		t.Error("the Negotiate header was sent after the login")
	}
}

func TestKerberosLoginRefused(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("WWW-Authenticate", "Negotiate")
		http.Error(w, "unauthorized", http.StatusUnauthorized)
	}))
	defer srv.Close()
	c := New(Options{Server: srv.URL + "/kojihub", Principal: "alice@EXAMPLE.ORG"})
	err := c.loginWithNegotiate(context.Background(), func(r *http.Request) error {
		r.Header.Set("Authorization", "Negotiate eA==")
		return nil
	})
	if err == nil || !strings.Contains(err.Error(), "kerberos login refused") || !strings.Contains(err.Error(), "kinit alice@EXAMPLE.ORG") {
		t.Fatalf("error %v", err)
	}
}
