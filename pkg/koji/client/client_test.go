package client

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"errors"
	"hash/adler32"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/osg-htc/osg-build-go/pkg/koji"
)

// newTestClient starts h on loopback and returns a client for it whose
// retries do not sleep.
func newTestClient(t *testing.T, h *fakeHub, mod func(*Options)) (*Client, *httptest.Server) {
	t.Helper()
	mux := http.NewServeMux()
	mux.Handle("/kojihub", h)
	mux.Handle("/kojihub/ssllogin", h)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	opts := Options{
		Server:        srv.URL + "/kojihub",
		MaxRetries:    3,
		RetryInterval: time.Millisecond,
		Sleep:         func(ctx context.Context, d time.Duration) error { return ctx.Err() },
	}
	if mod != nil {
		mod(&opts)
	}
	return New(opts), srv
}

func TestHelloAndVersion(t *testing.T) {
	h := newFakeHub(t)
	c, _ := newTestClient(t, h, nil)
	ctx := context.Background()
	if c.KojiVersion() != "" {
		t.Errorf("version known before any call: %q", c.KojiVersion())
	}
	s, err := c.Hello(ctx)
	if err != nil || s != "Hello World" {
		t.Fatalf("Hello = %q, %v", s, err)
	}
	v, err := c.GetAPIVersion(ctx)
	if err != nil || v != 1 {
		t.Fatalf("GetAPIVersion = %d, %v", v, err)
	}
	if c.KojiVersion() != "1.35.3" {
		t.Errorf("KojiVersion = %q", c.KojiVersion())
	}
	h.version = "9.9"
	if _, err := c.Hello(ctx); err != nil {
		t.Fatal(err)
	}
	if c.KojiVersion() != "1.35.3" {
		t.Errorf("KojiVersion changed to %q: it must be read once", c.KojiVersion())
	}
	for _, e := range h.entries() {
		if e.Header.Get("User-Agent") != "koji/1" || e.Header.Get("Content-Type") != "text/xml" {
			t.Errorf("%s sent User-Agent %q, Content-Type %q", e.Method, e.Header.Get("User-Agent"), e.Header.Get("Content-Type"))
		}
		if e.Header.Get("Koji-Session-Id") != "" {
			t.Errorf("anonymous call %s sent session headers", e.Method)
		}
	}
}

func TestHubVersionFallbacks(t *testing.T) {
	h := newFakeHub(t)
	h.version = ""
	c, _ := newTestClient(t, h, nil)
	h.handle("getKojiVersion", func(*fakeReq) (any, error) { return "1.30.1", nil })
	v, err := c.HubVersion(context.Background())
	if err != nil || v != "1.30.1" {
		t.Errorf("HubVersion = %q, %v", v, err)
	}
	h2 := newFakeHub(t)
	h2.version = ""
	delete(h2.methods, "getKojiVersion")
	c2, _ := newTestClient(t, h2, nil)
	if v, err := c2.HubVersion(context.Background()); err != nil || v != "1.22" {
		t.Errorf("HubVersion of an old hub = %q, %v", v, err)
	}
}

func TestGetTagNotFoundSemantics(t *testing.T) {
	h := newFakeHub(t)
	c, _ := newTestClient(t, h, nil)
	ctx := context.Background()
	tag, err := c.GetTag(ctx, koji.ByName("osg-3.6-el9-build"), koji.GetTagOpts{})
	if err != nil || tag == nil || tag.ID != 4 || tag.ArchList()[0] != "x86_64" {
		t.Fatalf("GetTag = %+v, %v", tag, err)
	}
	tag, err = c.GetTag(ctx, koji.ByName("nope"), koji.GetTagOpts{})
	if err != nil || tag != nil {
		t.Fatalf("GetTag(missing) = %+v, %v; want nil, nil", tag, err)
	}
	_, err = c.GetTag(ctx, koji.ByName("nope"), koji.GetTagOpts{Strict: true})
	if !koji.IsNotFound(err) || !koji.IsFault(err, koji.GenericError) {
		t.Fatalf("GetTag(missing, strict) error = %v", err)
	}
	_, err = c.Call(ctx, "noSuchMethod", nil, nil)
	if !koji.IsInvalidMethod(err) {
		t.Fatalf("noSuchMethod error = %v", err)
	}
}

func TestMultiCallMixedResults(t *testing.T) {
	h := newFakeHub(t)
	c, _ := newTestClient(t, h, nil)
	ctx := context.Background()
	calls := []koji.Call{
		{Method: "getTag", Args: []any{"osg-3.6-el9-build"}},
		{Method: "noSuchMethod"},
		{Method: "getTag", Args: []any{"no-such"}, Kwargs: map[string]any{"strict": true}},
		{Method: "hello"},
		{Method: "getTag", Args: []any{"no-such"}},
	}
	res, err := c.MultiCall(ctx, calls, koji.MultiCallOpts{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != len(calls) {
		t.Fatalf("%d results for %d calls", len(res), len(calls))
	}
	var tag koji.Tag
	if res[0].Err() != nil || Decode(res[0].Value, &tag) != nil || tag.Name != "osg-3.6-el9-build" {
		t.Errorf("result 0 = %+v", res[0])
	}
	if !koji.IsInvalidMethod(res[1].Err()) {
		t.Errorf("result 1 = %+v", res[1])
	}
	if !koji.IsNotFound(res[2].Err()) {
		t.Errorf("result 2 = %+v", res[2])
	}
	if res[3].Value != "Hello World" || res[4].Value != nil || res[4].Fault != nil {
		t.Errorf("results 3, 4 = %+v, %+v", res[3], res[4])
	}
	if n := len(h.entries()); n != 1 {
		t.Errorf("%d requests for one multiCall", n)
	}

	// strict: all results, and the first fault as the error
	res, err = c.MultiCall(ctx, calls, koji.MultiCallOpts{Strict: true, Batch: 2})
	if len(res) != len(calls) || !koji.IsInvalidMethod(err) {
		t.Errorf("strict multiCall = %d results, %v", len(res), err)
	}
	if n := len(h.entries()); n != 1+3 {
		t.Errorf("batch 2 of 5 calls made %d requests, want 3", n-1)
	}
}

func TestPasswordLoginSessionAndLogout(t *testing.T) {
	h := newFakeHub(t)
	c, _ := newTestClient(t, h, nil)
	ctx := context.Background()
	if err := c.LoginPassword(ctx, "alice", "wrong"); !koji.IsAuthError(err) {
		t.Fatalf("bad password: %v", err)
	}
	if err := c.Login(ctx, "", "alice", "secret"); err != nil {
		t.Fatal(err)
	}
	if at, ok := c.AuthType(); !ok || at != koji.AuthNormal {
		t.Errorf("AuthType = %v, %v", at, ok)
	}
	for range 3 {
		u, err := c.GetLoggedInUser(ctx)
		if err != nil || u == nil || u.Name != "alice" {
			t.Fatalf("GetLoggedInUser = %+v, %v", u, err)
		}
	}
	if _, err := c.MultiCall(ctx, []koji.Call{{Method: "hello"}, {Method: "hello"}}, koji.MultiCallOpts{}); err != nil {
		t.Fatal(err)
	}
	if err := c.Logout(ctx); err != nil {
		t.Fatal(err)
	}
	if c.LoggedIn() {
		t.Error("still logged in after Logout")
	}
	u, err := c.GetLoggedInUser(ctx)
	if err != nil || u != nil {
		t.Errorf("after logout GetLoggedInUser = %+v, %v", u, err)
	}
	// callnums: 0,1,2,3 (multiCall counts once), 4 for logout
	var nums []string
	for _, e := range h.entries() {
		if e.Method == "login" && e.Header.Get("Koji-Session-Id") != "" {
			t.Error("login sent session headers")
		}
		if n := e.Header.Get("Koji-Session-Callnum"); n != "" {
			nums = append(nums, n)
		}
	}
	if got := strings.Join(nums, ","); got != "0,1,2,3,4" {
		t.Errorf("callnums %s, want 0,1,2,3,4", got)
	}
	if len(h.sessions) != 0 {
		t.Errorf("the hub still has %d sessions", len(h.sessions))
	}
}

func TestConcurrentCallsOnOneSessionAreSerialized(t *testing.T) {
	h := newFakeHub(t)
	c, _ := newTestClient(t, h, nil)
	ctx := context.Background()
	if err := c.LoginPassword(ctx, "alice", "secret"); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 40)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 5 {
				if _, err := c.Hello(ctx); err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("concurrent call: %v", err)
	}
}

func TestCallnumBackwardsGetsSequenceError(t *testing.T) {
	h := newFakeHub(t)
	c, _ := newTestClient(t, h, nil)
	ctx := context.Background()
	if err := c.LoginPassword(ctx, "alice", "secret"); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if _, err := c.Hello(ctx); err != nil {
			t.Fatal(err)
		}
	}
	c.mu.Lock()
	c.session.callnum = 1 // as if another process shared the session
	c.mu.Unlock()
	_, err := c.Hello(ctx)
	if !koji.IsFault(err, koji.SequenceError) || !koji.IsAuthError(err) {
		t.Fatalf("backwards callnum: %v", err)
	}
	f, _ := koji.AsFault(err)
	if f.ExitCode() != 4 {
		t.Errorf("SequenceError exit code %d", f.ExitCode())
	}
	if n := len(h.entries()); n != 5 {
		t.Errorf("a fault was retried: %d requests", n)
	}
}

func TestAuthExpiredRenewsAndRepeatsOnce(t *testing.T) {
	h := newFakeHub(t)
	c, _ := newTestClient(t, h, nil)
	ctx := context.Background()
	if err := c.LoginPassword(ctx, "alice", "secret"); err != nil {
		t.Fatal(err)
	}
	old := c.SessionInfo()
	h.expireSessions = true
	u, err := c.GetLoggedInUser(ctx)
	if err != nil || u == nil || u.Name != "alice" {
		t.Fatalf("after expiry GetLoggedInUser = %+v, %v", u, err)
	}
	now := c.SessionInfo()
	if now.SessionID != old.SessionID || now.SessionKey == old.SessionKey {
		t.Errorf("renewal: session %+v -> %+v, want same id and a new key", old, now)
	}
	var methods []string
	for _, e := range h.entries() {
		methods = append(methods, e.Method)
	}
	if got := strings.Join(methods, ","); got != "login,getLoggedInUser,login,getLoggedInUser" {
		t.Errorf("requests %s", got)
	}
	// the renewal login carried the old session and renew=True
	if e := h.entries()[2]; e.Header.Get("Koji-Session-Id") != strconv.Itoa(old.SessionID) {
		t.Errorf("renewal login without the session headers: %v", e.Header)
	}
}

func TestServer502ThenRecovers(t *testing.T) {
	h := newFakeHub(t)
	var slept []time.Duration
	c, _ := newTestClient(t, h, func(o *Options) {
		o.RetryInterval = 7 * time.Second
		o.Sleep = func(ctx context.Context, d time.Duration) error { slept = append(slept, d); return nil }
	})
	h.fail5xx = 2
	s, err := c.Hello(context.Background())
	if err != nil || s != "Hello World" {
		t.Fatalf("Hello after 502s = %q, %v", s, err)
	}
	if len(slept) != 2 || slept[0] != 0 || slept[1] != 7*time.Second {
		t.Errorf("waits %v, want [0s 7s] (first retry immediate)", slept)
	}
	// bounded: more failures than retries
	h.fail5xx = 10
	_, err = c.Hello(context.Background())
	var he *HTTPError
	if !errors.As(err, &he) || he.StatusCode != http.StatusBadGateway {
		t.Fatalf("after too many 502s: %v", err)
	}
	if h.fail5xx != 10-4 {
		t.Errorf("%d requests, want 1 + MaxRetries(3)", 10-h.fail5xx)
	}
}

func TestAnonymousWritesAreNotRetried(t *testing.T) {
	h := newFakeHub(t)
	c, _ := newTestClient(t, h, nil)
	h.fail5xx = 1
	_, err := c.CreateTag(context.Background(), "x", koji.CreateTagOpts{})
	var he *HTTPError
	if !errors.As(err, &he) {
		t.Fatalf("anonymous createTag after a 502: %v", err)
	}
	// with anon_retry it is retried
	h2 := newFakeHub(t)
	h2.handle("createTag", func(*fakeReq) (any, error) { return 7, nil })
	c2, _ := newTestClient(t, h2, func(o *Options) { o.AnonRetry = true })
	h2.fail5xx = 1
	if id, err := c2.CreateTag(context.Background(), "x", koji.CreateTagOpts{}); err != nil || id != 7 {
		t.Fatalf("createTag with anon_retry = %d, %v", id, err)
	}
	// read-only anonymous calls are retried without anon_retry
	for _, m := range []string{"getTag", "listTagged", "queryHistory", "hasPerm", "checkUpload", "hello", "repoInfo"} {
		if !readOnlyMethod(m) {
			t.Errorf("%s not read-only", m)
		}
	}
	for _, m := range []string{"tagBuild", "createTag", "getaway", "list", "build", "untagBuild"} {
		if readOnlyMethod(m) {
			t.Errorf("%s read-only", m)
		}
	}
}

func TestCallTimesOut(t *testing.T) {
	h := newFakeHub(t)
	release := make(chan struct{})
	h.handle("slow", func(r *fakeReq) (any, error) {
		select {
		case <-r.http.Context().Done():
		case <-release:
		case <-time.After(5 * time.Second):
		}
		return 1, nil
	})
	c, _ := newTestClient(t, h, nil)
	defer close(release)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.Call(ctx, "slow", nil, nil)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("slow call: %v", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("took %v", d)
	}
	// the per-request timeout option also applies
	c2, _ := newTestClient(t, h, func(o *Options) { o.Timeout = 50 * time.Millisecond; o.MaxRetries = -1 })
	if _, err := c2.Call(context.Background(), "slow", nil, nil); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("slow call with Timeout: %v", err)
	}
}

func TestUploadResendsDroppedChunk(t *testing.T) {
	h := newFakeHub(t)
	c, _ := newTestClient(t, h, nil)
	ctx := context.Background()
	if err := c.LoginPassword(ctx, "alice", "secret"); err != nil {
		t.Fatal(err)
	}
	data := make([]byte, 5<<20+123)
	_, _ = rand.Read(data)
	h.dropChunk = 3
	var progress bytes.Buffer
	err := c.Upload(ctx, "cli-build/1.2.abc", "big.src.rpm", bytes.NewReader(data), int64(len(data)),
		koji.UploadOpts{Overwrite: true, Progress: &progress})
	if err != nil {
		t.Fatal(err)
	}
	if got := h.files["cli-build/1.2.abc/big.src.rpm"]; !bytes.Equal(got, data) {
		t.Fatalf("hub has %d bytes, want the %d sent", len(got), len(data))
	}
	if h.chunks != 7 { // 6 chunks + 1 resent
		t.Errorf("%d chunk requests, want 7", h.chunks)
	}
	var queries []string
	var nums []int
	for _, e := range h.entries() {
		if e.Method == "rawUpload" {
			queries = append(queries, e.Query)
			if e.Header.Get("Content-Type") != "application/octet-stream" {
				t.Errorf("chunk Content-Type %q", e.Header.Get("Content-Type"))
			}
		}
		if n := e.Header.Get("Koji-Session-Callnum"); n != "" {
			v, _ := strconv.Atoi(n)
			nums = append(nums, v)
		}
		if e.Method == "checkUpload" && !strings.Contains(e.Method, "") {
			t.Error("unreachable")
		}
	}
	if queries[0] != "filename=big.src.rpm&filepath=cli-build%2F1.2.abc&fileverify=adler32&offset=0&overwrite=1" {
		t.Errorf("first chunk query %q", queries[0])
	}
	if queries[2] != queries[3] {
		t.Errorf("the dropped chunk was not resent as is: %q vs %q", queries[2], queries[3])
	}
	for i := 1; i < len(nums); i++ {
		if nums[i] < nums[i-1] {
			t.Errorf("callnums went backwards: %v", nums)
		}
	}
	// a retry happened, so the final check verified the whole file
	last := h.entries()[len(h.entries())-1]
	if last.Method != "checkUpload" || len(h.checkVerify) != 1 || h.checkVerify[0] != "adler32" {
		t.Errorf("last request %s (verify %v), want checkUpload with verify=adler32", last.Method, h.checkVerify)
	}
	if !strings.Contains(progress.String(), "big.src.rpm") {
		t.Errorf("no progress bar: %q", progress.String())
	}
}

func TestUploadResendsCorruptChunkAndEmptyFile(t *testing.T) {
	h := newFakeHub(t)
	c, _ := newTestClient(t, h, nil)
	ctx := context.Background()
	if err := c.LoginPassword(ctx, "alice", "secret"); err != nil {
		t.Fatal(err)
	}
	data := bytes.Repeat([]byte("koji"), 1000)
	h.corruptChunk = 2
	if err := c.Upload(ctx, "cli-import/x", "a.rpm", bytes.NewReader(data), int64(len(data)), koji.UploadOpts{BlockSize: 1024}); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(h.files["cli-import/x/a.rpm"], data) {
		t.Error("content differs")
	}
	if len(h.checkVerify) != 1 || h.checkVerify[0] != "adler32" {
		t.Errorf("checkUpload verify %v after a resent chunk, want adler32", h.checkVerify)
	}
	if err := c.Upload(ctx, "cli-import/x", "empty.rpm", bytes.NewReader(nil), 0, koji.UploadOpts{}); err != nil {
		t.Fatal(err)
	}
	if b, ok := h.files["cli-import/x/empty.rpm"]; !ok || len(b) != 0 {
		t.Errorf("empty file: %v %v", b, ok)
	}
	if len(h.checkVerify) != 2 || h.checkVerify[1] != "<nil>" {
		t.Errorf("checkUpload verify %v for a clean upload, want none", h.checkVerify)
	}
	// uploading the same name again without overwrite: the hub refuses
	err := c.Upload(ctx, "cli-import/x", "a.rpm", bytes.NewReader(data), int64(len(data)), koji.UploadOpts{})
	if !koji.IsFault(err, koji.GenericError) {
		t.Errorf("re-upload without overwrite: %v", err)
	}
	if err := c.Upload(ctx, "cli-import/x", "../a.rpm", bytes.NewReader(data), 1, koji.UploadOpts{}); err == nil {
		t.Error("a name with a slash was accepted")
	}
	// anonymous: the hub's fault comes back
	c2, _ := newTestClient(t, h, nil)
	if err := c2.Upload(ctx, "p", "b", bytes.NewReader(data), int64(len(data)), koji.UploadOpts{}); !koji.IsFault(err, koji.ActionNotAllowed) {
		t.Errorf("anonymous upload: %v", err)
	}
}

func TestSessionInQueryStringWithoutHeaderAuth(t *testing.T) {
	h := newFakeHub(t)
	var seen []string
	h.handle("login", func(r *fakeReq) (any, error) {
		return map[string]any{"session-id": 5, "session-key": "1-abc"}, nil
	})
	h.handle("hello", func(r *fakeReq) (any, error) {
		seen = append(seen, r.http.URL.RawQuery)
		return "Hello World", nil
	})
	c, _ := newTestClient(t, h, nil)
	if err := c.LoginPassword(context.Background(), "alice", "x"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Hello(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(seen) != 1 || seen[0] != "callnum=0&session-id=5&session-key=1-abc" {
		t.Errorf("query %v", seen)
	}
	if got := redact("https://h/kojihub?callnum=0&session-id=5&session-key=1-abc&x=1"); strings.Contains(got, "1-abc") {
		t.Errorf("redact left the key: %s", got)
	}
}

func TestTransientClassification(t *testing.T) {
	if transient(errors.New("plain")) {
		t.Error("plain error is transient")
	}
	if !transient(&HTTPError{StatusCode: 503}) || transient(&HTTPError{StatusCode: 404}) {
		t.Error("HTTP status classification")
	}
	if transient(koji.NewFault(koji.GenericError, "x")) {
		t.Error("a fault is transient")
	}
	_ = tls.VersionTLS13
}

func TestAdler32Combine(t *testing.T) {
	data := make([]byte, 300000)
	_, _ = rand.Read(data)
	for _, cut := range []int{0, 1, 65521, 100000, 299999, 300000} {
		a, b := data[:cut], data[cut:]
		got := adler32Combine(adler32.Checksum(a), adler32.Checksum(b), int64(len(b)))
		if want := adler32.Checksum(data); got != want {
			t.Errorf("cut %d: %08x, want %08x", cut, got, want)
		}
	}
}
