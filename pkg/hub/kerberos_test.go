package hub_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	krbclient "github.com/jcmturner/gokrb5/v8/client"
	krbconfig "github.com/jcmturner/gokrb5/v8/config"
	"github.com/jcmturner/gokrb5/v8/iana/etypeID"
	"github.com/jcmturner/gokrb5/v8/iana/nametype"
	"github.com/jcmturner/gokrb5/v8/keytab"
	"github.com/jcmturner/gokrb5/v8/messages"
	"github.com/jcmturner/gokrb5/v8/spnego"
	"github.com/jcmturner/gokrb5/v8/types"

	"github.com/osg-htc/osg-build-go/internal/xmlrpc"
	"github.com/osg-htc/osg-build-go/pkg/hub"
	"github.com/osg-htc/osg-build-go/pkg/koji"
)

const testRealm = "EXAMPLE.ORG"

// serviceKeytab writes a keytab holding HTTP/127.0.0.1@EXAMPLE.ORG's key
// made from password.
func serviceKeytab(t *testing.T, password string) (string, *keytab.Keytab) {
	t.Helper()
	kt := keytab.New()
	if err := kt.AddEntry("HTTP/127.0.0.1", testRealm, password, time.Now(), 1, etypeID.AES256_CTS_HMAC_SHA1_96); err != nil {
		t.Fatal(err)
	}
	b, err := kt.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "http.keytab")
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return p, kt
}

// negotiateHeader makes the SPNEGO header a client with a service ticket
// for HTTP/127.0.0.1 would send: the ticket made here in Go (as the KDC
// would, encrypted with the service key of kt) for user@realm.
func negotiateHeader(t *testing.T, kt *keytab.Keytab, user, realm string) string {
	t.Helper()
	now := time.Now().UTC()
	cname := types.NewPrincipalName(nametype.KRB_NT_PRINCIPAL, user)
	sname := types.NewPrincipalName(nametype.KRB_NT_SRV_HST, "HTTP/127.0.0.1")
	tkt, key, err := messages.NewTicket(cname, realm, sname, testRealm, types.NewKrbFlags(), kt,
		etypeID.AES256_CTS_HMAC_SHA1_96, 1, now, now, now.Add(time.Hour), now.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	cl := krbclient.NewWithPassword(user, realm, "unused", krbconfig.New(), krbclient.DisablePAFXFAST(true))
	init, err := spnego.NewNegTokenInitKRB5(cl, tkt, key)
	if err != nil {
		t.Fatal(err)
	}
	b, err := (&spnego.SPNEGOToken{Init: true, NegTokenInit: init}).Marshal()
	if err != nil {
		t.Fatal(err)
	}
	return "Negotiate " + base64.StdEncoding.EncodeToString(b)
}

// postLogin posts sslLogin to /kojihub/ssllogin with the Authorization
// header auth ("" for none).
func postLogin(t *testing.T, s *servedHub, hc *http.Client, auth string) *http.Response {
	t.Helper()
	var body bytes.Buffer
	if err := xmlrpc.EncodeCall(&body, "sslLogin"); err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodPost, s.srv.URL+"/kojihub/ssllogin", &body)
	req.Header.Set("Content-Type", "text/xml")
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	if hc == nil {
		hc = s.srv.Client()
	}
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func sessionOf(t *testing.T, resp *http.Response) (*koji.SessionInfo, error) {
	t.Helper()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("sslLogin: HTTP %s, WWW-Authenticate %q", resp.Status, resp.Header.Get("WWW-Authenticate"))
	}
	v, err := xmlrpc.DecodeResponse(resp.Body)
	if err != nil {
		return nil, err
	}
	var si koji.SessionInfo
	if err := xmlrpc.Unmarshal(v, &si); err != nil {
		t.Fatal(err)
	}
	return &si, nil
}

func want401(t *testing.T, resp *http.Response) {
	t.Helper()
	if resp.StatusCode != http.StatusUnauthorized || !strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Negotiate") {
		t.Fatalf("got HTTP %s, WWW-Authenticate %q; want 401 Negotiate", resp.Status, resp.Header.Get("WWW-Authenticate"))
	}
}

func TestKerberosLogin(t *testing.T) {
	ktPath, kt := serviceKeytab(t, "service-secret")
	krb, err := hub.LoadKerberos(ktPath, "HTTP/127.0.0.1@"+testRealm, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(krb.Realms(), ","); got != testRealm {
		t.Errorf("default realms = %q, want the service principal's", got)
	}
	s := serve(t, hub.WithKerberos(krb))
	ctx := context.Background()

	// a valid ticket: the user is created on first login, with its principal
	si, err := sessionOf(t, postLogin(t, s, nil, negotiateHeader(t, kt, "alice", testRealm)))
	if err != nil {
		t.Fatal(err)
	}
	v, err := raw(t, s, nil, "/kojihub", "getLoggedInUser", si, 1)
	if err != nil {
		t.Fatal(err)
	}
	var me koji.LoggedInUser
	if err := xmlrpc.Unmarshal(v, &me); err != nil {
		t.Fatal(err)
	}
	if me.Name != "alice" || me.AuthType != koji.AuthGSSAPI || me.KrbPrincipal == nil || *me.KrbPrincipal != "alice@"+testRealm {
		t.Fatalf("getLoggedInUser = %+v, want alice by GSSAPI", me)
	}
	u, err := s.h.GetUser(ctx, koji.ByName("alice@"+testRealm), koji.GetUserOpts{})
	if err != nil || u == nil || u.ID != me.ID {
		t.Fatalf("user by principal = %+v, %v", u, err)
	}
	// a second login is the same user
	si2, err := sessionOf(t, postLogin(t, s, nil, negotiateHeader(t, kt, "alice", testRealm)))
	if err != nil {
		t.Fatal(err)
	}
	if si2.SessionID == si.SessionID {
		t.Error("second login reused the session")
	}
	// a user made before (by certificate) gets the principal on its first Kerberos login
	login(t, s, s.certClient(t, s.ca, "bob"))
	if _, err := sessionOf(t, postLogin(t, s, nil, negotiateHeader(t, kt, "bob", testRealm))); err != nil {
		t.Fatal(err)
	}
	u, err = s.h.GetUser(ctx, koji.ByName("bob@"+testRealm), koji.GetUserOpts{})
	if err != nil || u == nil || u.Name != "bob" {
		t.Fatalf("bob by principal = %+v, %v", u, err)
	}

	// no ticket and no certificate: 401 Negotiate
	want401(t, postLogin(t, s, nil, ""))
	// a ticket for another key (not this service's): 401
	_, otherKT := serviceKeytab(t, "another-secret")
	want401(t, postLogin(t, s, nil, negotiateHeader(t, otherKT, "alice", testRealm)))
	// garbage
	want401(t, postLogin(t, s, nil, "Negotiate bm90IGEgdG9rZW4="))
	// a realm not allowed: Koji's AuthError
	_, err = sessionOf(t, postLogin(t, s, nil, negotiateHeader(t, kt, "mallory", "OTHER.ORG")))
	wantFault(t, err, koji.AuthError, "realm OTHER.ORG is not allowed")
	// certificate logins keep working beside Kerberos
	login(t, s, s.certClient(t, s.ca, "carol"))
	// other paths are not behind Negotiate
	if _, err := raw(t, s, nil, "/kojihub", "getAPIVersion", nil, 0); err != nil {
		t.Fatal(err)
	}
}

func TestKerberosRealms(t *testing.T) {
	ktPath, kt := serviceKeytab(t, "service-secret")
	krb, err := hub.LoadKerberos(ktPath, "", []string{"OTHER.ORG", testRealm})
	if err != nil {
		t.Fatal(err)
	}
	if krb.Principal() != "" || strings.Join(krb.Realms(), ",") != "EXAMPLE.ORG,OTHER.ORG" {
		t.Fatalf("principal %q, realms %v", krb.Principal(), krb.Realms())
	}
	s := serve(t, hub.WithKerberos(krb))
	si, err := sessionOf(t, postLogin(t, s, nil, negotiateHeader(t, kt, "mallory", "OTHER.ORG")))
	if err != nil || si.SessionID == 0 {
		t.Fatalf("login from an allowed realm: %+v, %v", si, err)
	}
}

func TestKerberosOff(t *testing.T) {
	// without a keytab, a Negotiate header changes nothing: the login wants a certificate
	_, kt := serviceKeytab(t, "service-secret")
	s := serve(t)
	_, err := sessionOf(t, postLogin(t, s, nil, negotiateHeader(t, kt, "alice", testRealm)))
	wantFault(t, err, koji.AuthError, "no verified client certificate")
}

func TestLoadKerberosErrors(t *testing.T) {
	ktPath, _ := serviceKeytab(t, "service-secret")
	dir := t.TempDir()
	garbage := filepath.Join(dir, "garbage.keytab")
	if err := os.WriteFile(garbage, []byte("not a keytab"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ path, principal, want string }{
		{filepath.Join(dir, "missing.keytab"), "", "missing.keytab: stat"},
		{garbage, "", "reading keytab " + garbage},
		{ktPath, "HTTP/koji.example.org@EXAMPLE.ORG", "keytab " + ktPath + " holds no key for HTTP/koji.example.org@EXAMPLE.ORG (it has HTTP/127.0.0.1@EXAMPLE.ORG)"},
		{ktPath, "HTTP/127.0.0.1", "invalid service principal"},
	} {
		_, err := hub.LoadKerberos(tc.path, tc.principal, nil)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("LoadKerberos(%s, %q) = %v, want %q", tc.path, tc.principal, err, tc.want)
		}
	}
}
