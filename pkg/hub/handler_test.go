package hub_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/osg-htc/osg-build-go/internal/testutil"
	"github.com/osg-htc/osg-build-go/internal/xmlrpc"
	"github.com/osg-htc/osg-build-go/pkg/hub"
	"github.com/osg-htc/osg-build-go/pkg/hub/pki"
	"github.com/osg-htc/osg-build-go/pkg/koji"
)

// raw posts a methodCall with optional session headers and returns the
// decoded answer.
func raw(t *testing.T, s *servedHub, hc *http.Client, path, method string, sess *koji.SessionInfo, callnum int, params ...any) (any, error) {
	t.Helper()
	var body bytes.Buffer
	if err := xmlrpc.EncodeCall(&body, method, params...); err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodPost, s.srv.URL+path, &body)
	req.Header.Set("Content-Type", "text/xml")
	if sess != nil {
		req.Header.Set("Koji-Session-Id", fmt.Sprint(sess.SessionID))
		req.Header.Set("Koji-Session-Key", sess.SessionKey)
		req.Header.Set("Koji-Session-Callnum", fmt.Sprint(callnum))
	}
	if hc == nil {
		hc = s.srv.Client()
	}
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("%s: HTTP %d %s", method, resp.StatusCode, b)
	}
	if v := resp.Header.Get("Koji-Version"); v != hub.KojiVersion {
		t.Errorf("Koji-Version header = %q", v)
	}
	return xmlrpc.DecodeResponse(resp.Body)
}

func wantFault(t *testing.T, err error, code int, sub string) {
	t.Helper()
	f := xmlrpc.FaultOf(err)
	if err == nil || f.Code != code || !strings.Contains(f.String, sub) {
		t.Fatalf("err = %v, want fault %d containing %q", err, code, sub)
	}
}

// certClient returns an HTTP client presenting user's certificate.
func (s *servedHub) certClient(t *testing.T, ca *pki.CA, user string) *http.Client {
	t.Helper()
	cert, key, err := ca.Issue(user, false, nil, 1)
	if err != nil {
		t.Fatal(err)
	}
	kp, err := tls.X509KeyPair(cert, key)
	if err != nil {
		t.Fatal(err)
	}
	tr := s.srv.Client().Transport.(*http.Transport).Clone()
	tr.TLSClientConfig.Certificates = []tls.Certificate{kp}
	return &http.Client{Transport: tr, Timeout: 10 * time.Second}
}

func login(t *testing.T, s *servedHub, hc *http.Client) *koji.SessionInfo {
	t.Helper()
	v, err := raw(t, s, hc, "/kojihub/ssllogin", "sslLogin", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var si koji.SessionInfo
	if err := xmlrpc.Unmarshal(v, &si); err != nil {
		t.Fatal(err)
	}
	if !si.HeaderAuth || !strings.HasPrefix(si.SessionKey, "") || si.SessionID == 0 {
		t.Fatalf("sslLogin = %+v", si)
	}
	return &si
}

func TestSessionsAndCallnums(t *testing.T) {
	s := serve(t)
	hc := s.certClient(t, s.ca, "kojiadmin")
	si := login(t, s, hc)
	// reads do not store the callnum: replays and lower callnums pass
	for _, n := range []int{5, 5, 3} {
		if _, err := raw(t, s, hc, "/kojihub", "getPerms", si, n); err != nil {
			t.Fatalf("getPerms with callnum %d: %v", n, err)
		}
	}
	// a write stores it
	if _, err := raw(t, s, hc, "/kojihub", "createTag", si, 10, "t1"); err != nil {
		t.Fatal(err)
	}
	_, err := raw(t, s, hc, "/kojihub", "getPerms", si, 9)
	wantFault(t, err, koji.SequenceError, "10 > 9")
	_, err = raw(t, s, hc, "/kojihub", "createTag", si, 10, "t2")
	wantFault(t, err, koji.RetryError, "unable to retry call 10")
	// a write that faults is rolled back with its callnum
	_, err = raw(t, s, hc, "/kojihub", "createTag", si, 20, "t1")
	wantFault(t, err, koji.GenericError, "already exists")
	if _, err := raw(t, s, hc, "/kojihub", "createTag", si, 15, "t3"); err != nil {
		t.Fatalf("callnum 15 after a rolled-back 20: %v", err)
	}
	u, err := raw(t, s, hc, "/kojihub", "getLoggedInUser", si, 16)
	if err != nil || u.(map[string]any)["name"] != "kojiadmin" || u.(map[string]any)["authtype"] != int64(koji.AuthSSL) {
		t.Fatalf("getLoggedInUser = %v, %v", u, err)
	}
	// bad key
	bad := *si
	bad.SessionKey += "x"
	_, err = raw(t, s, hc, "/kojihub", "getPerms", &bad, 17)
	wantFault(t, err, koji.AuthError, "Invalid session or bad credentials")
	// logout closes the session
	if _, err := raw(t, s, hc, "/kojihub", "logout", si, 18, xmlrpc.Kwargs(map[string]any{"session_id": nil})); err != nil {
		t.Fatal(err)
	}
	_, err = raw(t, s, hc, "/kojihub", "getPerms", si, 19)
	wantFault(t, err, koji.AuthError, "Invalid session")
	// anonymous
	_, err = raw(t, s, nil, "/kojihub", "createTag", nil, 0, "evil")
	wantFault(t, err, koji.ActionNotAllowed, "tag permission required (user not logged in)")
	_, err = raw(t, s, nil, "/kojihub", "tagBuild", nil, 0, "t1", "x-1-1")
	wantFault(t, err, koji.ActionNotAllowed, "you must be logged in for this operation")
	// sslLogin without a certificate, and not at /ssllogin
	_, err = raw(t, s, nil, "/kojihub/ssllogin", "sslLogin", nil, 0)
	wantFault(t, err, koji.AuthError, "no verified client certificate")
	_, err = raw(t, s, hc, "/kojihub", "sslLogin", nil, 0)
	wantFault(t, err, koji.AuthError, "/ssllogin")
	// password logins are off by default
	_, err = raw(t, s, nil, "/kojihub", "login", nil, 0, "kojiadmin", "x")
	wantFault(t, err, koji.AuthError, "password logins are disabled")
}

func TestForeignCARefused(t *testing.T) {
	s := serve(t)
	other, err := pki.NewCA("another CA", 1)
	if err != nil {
		t.Fatal(err)
	}
	// Go's client does not offer a certificate the server's CAs did not
	// sign: the login is anonymous and refused
	hc := s.certClient(t, other, "kojiadmin")
	_, err = raw(t, s, hc, "/kojihub/ssllogin", "sslLogin", nil, 0)
	wantFault(t, err, koji.AuthError, "no verified client certificate")
	// a client that insists on sending it fails the TLS handshake
	tr := hc.Transport.(*http.Transport).Clone()
	tr.DisableKeepAlives = true
	hc = &http.Client{Transport: tr, Timeout: 10 * time.Second}
	forced := tr.TLSClientConfig.Certificates[0]
	tr.TLSClientConfig.Certificates = nil
	tr.TLSClientConfig.GetClientCertificate = func(*tls.CertificateRequestInfo) (*tls.Certificate, error) { return &forced, nil }
	req, _ := http.NewRequest(http.MethodPost, s.srv.URL+"/kojihub/ssllogin", strings.NewReader("<methodCall><methodName>sslLogin</methodName><params/></methodCall>"))
	resp, err := hc.Do(req)
	if err == nil {
		resp.Body.Close()
		t.Fatalf("a client certificate from another CA was accepted (HTTP %d)", resp.StatusCode)
	}
}

func TestUploadsAndFiles(t *testing.T) {
	s := serve(t)
	admin := s.certClient(t, s.ca, "kojiadmin")
	si := login(t, s, admin)
	post := func(hc *http.Client, sess *koji.SessionInfo, callnum int, query string, data []byte) (any, error) {
		req, _ := http.NewRequest(http.MethodPost, s.srv.URL+"/kojihub?"+query, bytes.NewReader(data))
		req.Header.Set("Content-Type", "application/octet-stream")
		if sess != nil {
			req.Header.Set("Koji-Session-Id", fmt.Sprint(sess.SessionID))
			req.Header.Set("Koji-Session-Key", sess.SessionKey)
			req.Header.Set("Koji-Session-Callnum", fmt.Sprint(callnum))
		}
		resp, err := hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		return xmlrpc.DecodeResponse(resp.Body)
	}
	rpm, err := os.ReadFile("../../testdata/rpms/osgtest-noarch-0.5-1.noarch.rpm")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := post(admin, si, 1, "filename=osgtest-noarch-0.5-1.noarch.rpm&filepath=cli-import/x1&offset=0&fileverify=adler32", rpm); err != nil {
		t.Fatal(err)
	}
	_, err = post(admin, si, 2, "filename=a&filepath=../../etc&offset=0", []byte("x"))
	wantFault(t, err, koji.GenericError, "Invalid upload directory")
	_, err = post(admin, si, 3, "filename=a&filepath=/etc&offset=0", []byte("x"))
	wantFault(t, err, koji.GenericError, "Invalid upload directory")
	_, err = post(s.srv.Client(), nil, 0, "filename=a&filepath=cli-import/x2&offset=0", []byte("x"))
	wantFault(t, err, koji.ActionNotAllowed, "logged in")
	// another user may not write into kojiadmin's directory
	alice := s.certClient(t, s.ca, "alice")
	asi := login(t, s, alice)
	_, err = post(alice, asi, 1, "filename=b&filepath=cli-import/x1&offset=0", []byte("x"))
	wantFault(t, err, koji.GenericError, "not owner")
	// checkUpload, then import the RPM into its build
	v, err := raw(t, s, admin, "/kojihub", "checkUpload", si, 4, "cli-import/x1", "osgtest-noarch-0.5-1.noarch.rpm", xmlrpc.Kwargs(map[string]any{"verify": "adler32"}))
	if err != nil || v.(map[string]any)["size"] != int64(len(rpm)) {
		t.Fatalf("checkUpload = %v, %v", v, err)
	}
	_, err = raw(t, s, admin, "/kojihub", "importRPM", si, 5, "cli-import/x1", "osgtest-noarch-0.5-1.noarch.rpm")
	wantFault(t, err, koji.GenericError, "No such build: osgtest-noarch-0.5-1")
	if _, err := raw(t, s, admin, "/kojihub", "createEmptyBuild", si, 6, "osgtest-noarch", "0.5", "1", nil); err != nil {
		t.Fatal(err)
	}
	v, err = raw(t, s, admin, "/kojihub", "importRPM", si, 7, "cli-import/x1", "osgtest-noarch-0.5-1.noarch.rpm")
	if err != nil {
		t.Fatal(err)
	}
	r := v.(map[string]any)
	if r["arch"] != "noarch" || r["name"] != "osgtest-noarch" || len(r["payloadhash"].(string)) != 32 || r["size"] != int64(len(rpm)) {
		t.Errorf("importRPM = %v", r)
	}
	// the file is in Koji's layout, served at /kojifiles
	resp, err := s.srv.Client().Get(s.srv.URL + "/kojifiles/packages/osgtest-noarch/0.5/1/noarch/osgtest-noarch-0.5-1.noarch.rpm")
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !bytes.Equal(got, rpm) {
		t.Errorf("GET /kojifiles/...: HTTP %d, %d bytes", resp.StatusCode, len(got))
	}
	_, err = raw(t, s, admin, "/kojihub", "importRPM", si, 8, "../x", "y.rpm")
	wantFault(t, err, koji.GenericError, "Invalid upload directory")
}

// TestPythonClient: a Python script using only xmlrpc.client talks to an
// anonymous served hub and gets Koji's shapes.
func TestPythonClient(t *testing.T) {
	testutil.RequireTool(t, "python3")
	s := serve(t)
	ctx := context.Background()
	if _, err := s.h.CreateTag(ctx, "pt", koji.CreateTagOpts{Arches: "x86_64"}); err != nil {
		t.Fatal(err)
	}
	caFile := filepath.Join(s.dir, "ca.crt")
	script := `
import ssl, sys, xmlrpc.client
ctx = ssl.create_default_context(cafile=sys.argv[2])
p = xmlrpc.client.ServerProxy(sys.argv[1], allow_none=True, context=ctx)
assert p.getAPIVersion() == 1
t = p.getTag("pt")
assert t["name"] == "pt" and t["arches"] == "x86_64" and t["perm"] is None and t["extra"] == {}, t
assert p.listTagged("pt") == []
m = xmlrpc.client.MultiCall(p)
m.getTag("pt")
m.noSuchMethod()
r = m()
assert r[0]["id"] == t["id"]
try:
    r[1]
    raise SystemExit("no fault")
except xmlrpc.client.Fault as f:
    assert f.faultCode == 1000 and f.faultString == "Invalid method: noSuchMethod", f
print("ok")
`
	out, err := exec.CommandContext(ctx, "python3", "-c", script, s.srv.URL+"/kojihub", caFile).CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "ok" {
		t.Fatalf("python3: %v\n%s", err, out)
	}
}

// TestConcurrentWriters: 8 served clients tag, untag and create builds for
// a bounded time; only the expected faults occur and the invariants hold.
func TestConcurrentWriters(t *testing.T) {
	dur := 2 * time.Second
	if testing.Short() {
		dur = 500 * time.Millisecond
	}
	// the issue's 20 s soak: HUB_SOAK=20s go test -run ConcurrentWriters ./pkg/hub/
	if d, err := time.ParseDuration(os.Getenv("HUB_SOAK")); err == nil && d > 0 {
		dur = d
	}
	concurrentWriters(t, dur)
}

func concurrentWriters(t *testing.T, dur time.Duration) {
	s := serve(t)
	ctx := context.Background()
	h := s.h
	for _, n := range []string{"c1", "c2"} {
		if _, err := h.CreateTag(ctx, n, koji.CreateTagOpts{}); err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 4; i++ {
			if err := h.PackageListAdd(ctx, koji.ByName(n), koji.ByName(fmt.Sprintf("p%d", i)), koji.PackageListAddOpts{Owner: koji.ByName("kojiadmin")}); err != nil {
				t.Fatal(err)
			}
		}
	}
	var wg sync.WaitGroup
	deadline := time.Now().Add(dur)
	var mu sync.Mutex
	calls := 0
	unexpected := []error{}
	for w := 0; w < 8; w++ {
		c := s.client(t, "kojiadmin")
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; time.Now().Before(deadline); i++ {
				pkg := fmt.Sprintf("p%d", i%4)
				nvr := fmt.Sprintf("%s-1-%d", pkg, i%6)
				tg := []string{"c1", "c2"}[(i+w)%2]
				var err error
				switch (i + w) % 3 {
				case 0:
					_, err = c.CreateEmptyBuild(ctx, pkg, "1", fmt.Sprint(i%6), nil, koji.CreateEmptyBuildOpts{})
				case 1:
					var id int
					id, err = c.TagBuild(ctx, koji.ByName(tg), koji.ByName(nvr), koji.TagBuildOpts{})
					if err == nil {
						_, err = c.GetTaskResult(ctx, id, koji.GetTaskResultOpts{})
					}
				case 2:
					err = c.UntagBuild(ctx, koji.ByName(tg), koji.ByName(nvr), koji.UntagBuildOpts{})
				}
				mu.Lock()
				calls++
				if err != nil {
					f, ok := koji.AsFault(err)
					expected := ok && (strings.Contains(f.String, "Build already exists") || strings.Contains(f.String, "already tagged") ||
						strings.Contains(f.String, "not in tag") || strings.Contains(f.String, "No such build"))
					if !expected {
						unexpected = append(unexpected, err)
					}
				}
				mu.Unlock()
			}
		}(w)
	}
	wg.Wait()
	for _, err := range unexpected {
		t.Errorf("unexpected error: %v", err)
	}
	db := h.Store().SQL()
	if v, err := h.Store().IntegrityCheck(ctx); err != nil || v != "ok" {
		t.Errorf("integrity_check = %q, %v", v, err)
	}
	var dup int
	db.QueryRow(`SELECT count(*) FROM (SELECT pkg_id, version, release FROM build GROUP BY 1, 2, 3 HAVING count(*) > 1)`).Scan(&dup)
	if dup != 0 {
		t.Errorf("%d N-V-Rs with more than one build", dup)
	}
	// the current listing equals the event history replayed
	var bad int
	db.QueryRow(`SELECT count(*) FROM (SELECT tag_id, build_id FROM tag_listing WHERE active = 1 GROUP BY 1, 2 HAVING count(*) > 1)`).Scan(&bad)
	if bad != 0 {
		t.Errorf("%d builds tagged twice at once", bad)
	}
	var lastEv int
	db.QueryRow(`SELECT max(id) FROM events`).Scan(&lastEv)
	for _, tg := range []string{"c1", "c2"} {
		now, err := h.ListTagged(ctx, koji.ByName(tg), koji.ListTaggedOpts{})
		if err != nil {
			t.Fatal(err)
		}
		at, err := h.ListTagged(ctx, koji.ByName(tg), koji.ListTaggedOpts{Event: &lastEv})
		if err != nil {
			t.Fatal(err)
		}
		if len(now) != len(at) {
			t.Errorf("%s: %d builds now, %d at the last event", tg, len(now), len(at))
		}
	}
	t.Logf("%d calls from 8 clients in %v (%.0f calls/s)", calls, dur, float64(calls)/dur.Seconds())
}

// TestRequestCap: a body over the cap is refused with Koji's fault; GET is 405.
func TestRequestCap(t *testing.T) {
	s := serve(t)
	big := strings.Repeat("x", 4194304+10)
	_, err := raw(t, s, nil, "/kojihub", "getTag", nil, 0, big)
	wantFault(t, err, koji.GenericError, "Request too long")
	resp, err := s.srv.Client().Get(s.srv.URL + "/kojihub")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != "POST" {
		t.Errorf("GET /kojihub: HTTP %d, Allow %q", resp.StatusCode, resp.Header.Get("Allow"))
	}
}

// TestSessionExpiry: a session older than the timeout answers AuthExpired;
// the Go client logs in again and repeats the call.
func TestSessionExpiry(t *testing.T) {
	s := serve(t, hub.WithSessionTimeout(300*time.Millisecond))
	hc := s.certClient(t, s.ca, "kojiadmin")
	si := login(t, s, hc)
	if _, err := raw(t, s, hc, "/kojihub", "getPerms", si, 1); err != nil {
		t.Fatal(err)
	}
	time.Sleep(400 * time.Millisecond)
	_, err := raw(t, s, hc, "/kojihub", "getPerms", si, 2)
	wantFault(t, err, koji.AuthExpired, "expired")
	c := s.client(t, "kojiadmin")
	time.Sleep(400 * time.Millisecond)
	if _, err := c.CreateTag(context.Background(), "after-expiry", koji.CreateTagOpts{}); err != nil {
		t.Fatalf("the client did not renew its session: %v", err)
	}
}
