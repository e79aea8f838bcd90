package xmlrpc

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/adler32"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
)

// fakeTx records what the Server asks of a transaction.
type fakeTx struct {
	mu     sync.Mutex
	events []string
	failSP int // Savepoint(i) fails for i == failSP-1
}

func (f *fakeTx) log(s string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.events = append(f.events, s)
}

func (f *fakeTx) Begin(ctx context.Context, method string) (context.Context, Tx, error) {
	f.log("begin " + method)
	return context.WithValue(ctx, fakeTxKey{}, f), f, nil
}
func (f *fakeTx) Savepoint(i int) error {
	if f.failSP == i+1 {
		return errors.New("savepoint failed")
	}
	f.log(fmt.Sprintf("savepoint %d", i))
	return nil
}
func (f *fakeTx) RollbackTo(i int) error { f.log(fmt.Sprintf("rollback-to %d", i)); return nil }
func (f *fakeTx) Release(i int) error    { f.log(fmt.Sprintf("release %d", i)); return nil }
func (f *fakeTx) Commit() error          { f.log("commit"); return nil }
func (f *fakeTx) Rollback() error        { f.log("rollback"); return nil }

func (f *fakeTx) take() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	e := f.events
	f.events = nil
	return e
}

type fakeTxKey struct{}

type kojiErr struct {
	code int
	msg  string
}

func (e *kojiErr) Error() string  { return "koji error: " + e.msg }
func (e *kojiErr) FaultCode() int { return e.code }
func (e *kojiErr) FaultString() string {
	return e.msg
}

type keyError string

func (k keyError) Error() string       { return "'" + string(k) + "'" }
func (k keyError) PythonClass() string { return "KeyError" }

type testHub struct {
	*httptest.Server
	srv      *Server
	tx       *fakeTx
	mu       sync.Mutex
	sessions []Session
	writes   []string
	root     string
}

func newTestHub(t *testing.T) *testHub {
	t.Helper()
	h := &testHub{tx: &fakeTx{}, root: t.TempDir()}
	s := &Server{Version: "1.35.3", Tx: h.tx, MaxRequestLength: 64 << 10, Logger: slog.New(slog.DiscardHandler)}
	s.Authenticate = func(ctx context.Context, r *http.Request, method string, sess Session) (any, error) {
		if ctx.Value(fakeTxKey{}) == nil {
			return nil, errors.New("authenticate outside the transaction")
		}
		h.mu.Lock()
		h.sessions = append(h.sessions, sess)
		h.mu.Unlock()
		if !sess.Present() {
			return nil, nil
		}
		if sess.Key != "7-secret" {
			return nil, &Fault{Code: CodeAuthError, String: "Invalid session or bad credentials"}
		}
		if sess.HasCallnum && sess.Callnum < 0 {
			return nil, &Fault{Code: CodeSequenceError, String: "callnum went backwards"}
		}
		return "user7", nil
	}
	s.Register("hello", &Signature{Name: "RootExports.hello", Self: true, VarArgs: true}, func(ctx context.Context, c *Call) (any, error) {
		return "Hello World", nil
	})
	s.Register("echo", nil, func(ctx context.Context, c *Call) (any, error) {
		return []any{c.Args, c.Kwargs}, nil
	})
	s.Register("getTag", Sig("get_tag", Req("tagInfo"), Opt("strict", false), Opt("event", nil), Opt("blocked", false)),
		func(ctx context.Context, c *Call) (any, error) {
			var a struct {
				TagInfo any  `xmlrpc:"tagInfo"`
				Strict  bool `xmlrpc:"strict"`
				Event   *int `xmlrpc:"event"`
			}
			if err := c.Bind(&a); err != nil {
				return nil, err
			}
			if a.TagInfo == "no-such" {
				if a.Strict {
					return nil, &Fault{Code: CodeGenericError, String: fmt.Sprintf("No such tagInfo: '%v'", a.TagInfo)}
				}
				return nil, nil
			}
			return map[string]any{"name": a.TagInfo, "id": 4, "strict": a.Strict, "event": a.Event}, nil
		})
	s.Register("whoami", nil, func(ctx context.Context, c *Call) (any, error) {
		if IdentityFrom(ctx) != c.Identity || CallFrom(ctx) != c {
			return nil, errors.New("context does not carry the call")
		}
		return map[string]any{"identity": c.Identity, "ssllogin": c.SSLLogin, "multi": c.InMultiCall}, nil
	})
	s.Register("write", Sig("RootExports.write", Req("what")), func(ctx context.Context, c *Call) (any, error) {
		w, ok := c.Arg("what").(string)
		if !ok {
			return nil, &ParameterError{Msg: "what must be a string"}
		}
		if w == "bad" {
			return nil, &kojiErr{CodeActionNotAllowed, "not allowed to write bad"}
		}
		h.mu.Lock()
		h.writes = append(h.writes, w)
		h.mu.Unlock()
		return true, nil
	})
	s.Register("goError", nil, func(ctx context.Context, c *Call) (any, error) {
		return nil, fmt.Errorf("lookup: %w", keyError("arches"))
	})
	s.Register("plainError", nil, func(ctx context.Context, c *Call) (any, error) {
		return nil, errors.New("disk full")
	})
	s.Register("panic", nil, func(ctx context.Context, c *Call) (any, error) {
		panic("boom")
	})
	s.Register("unencodable", nil, func(ctx context.Context, c *Call) (any, error) {
		return make(chan int), nil
	})
	s.Register("checkUpload", Sig("RootExports.checkUpload", Req("path"), Req("name"), Opt("verify", nil), Opt("tail", nil), Opt("volume", nil)),
		func(ctx context.Context, c *Call) (any, error) {
			var a struct {
				Path   string `xmlrpc:"path"`
				Name   string `xmlrpc:"name"`
				Verify string `xmlrpc:"verify"`
				Tail   *int64 `xmlrpc:"tail"`
			}
			if err := c.Bind(&a); err != nil {
				return nil, err
			}
			return CheckUpload(h.root, a.Path, a.Name, a.Verify, a.Tail)
		})
	s.Upload = func(ctx context.Context, u *UploadCall) (any, error) {
		if u.Identity == nil {
			return nil, &Fault{Code: CodeActionNotAllowed, String: "you must be logged-in to upload a file"}
		}
		owner := "7"
		if u.Request.Header.Get("X-Test-User") != "" {
			owner = u.Request.Header.Get("X-Test-User")
		}
		return WriteChunk(h.root, u.Params, u.Body, owner)
	}
	h.srv = s
	h.Server = httptest.NewServer(s)
	t.Cleanup(h.Close)
	return h
}

// post sends body to path and returns the status, headers and decoded result or fault.
func (h *testHub) post(t *testing.T, path string, body []byte, hdr map[string]string) (int, http.Header, any, error) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, h.URL+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "text/xml")
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := h.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		return resp.StatusCode, resp.Header, string(raw), nil
	}
	v, err := DecodeResponseBytes(raw)
	return resp.StatusCode, resp.Header, v, err
}

func (h *testHub) call(t *testing.T, method string, params ...any) (any, error) {
	t.Helper()
	var buf bytes.Buffer
	if err := EncodeCall(&buf, method, params...); err != nil {
		t.Fatal(err)
	}
	status, hdr, v, err := h.post(t, "/kojihub", buf.Bytes(), nil)
	if status != http.StatusOK {
		t.Fatalf("%s: HTTP %d: %v", method, status, v)
	}
	if hdr.Get("Koji-Version") != "1.35.3" || hdr.Get("Content-Type") != "text/xml" {
		t.Errorf("%s: headers %v", method, hdr)
	}
	return v, err
}

func wantFault(t *testing.T, err error, code int, msg string) {
	t.Helper()
	var f *Fault
	if !errors.As(err, &f) {
		t.Fatalf("err = %v, want fault %d %q", err, code, msg)
	}
	if f.Code != code || f.String != msg {
		t.Errorf("fault = %d %q, want %d %q", f.Code, f.String, code, msg)
	}
}

func TestServerCalls(t *testing.T) {
	h := newTestHub(t)
	v, err := h.call(t, "hello", "a", 1)
	if err != nil || v != "Hello World" {
		t.Errorf("hello = %v, %v", v, err)
	}
	v, err = h.call(t, "echo", "x", Kwargs(map[string]any{"k": nil}))
	if err != nil || !reflect.DeepEqual(v, []any{[]any{"x"}, map[string]any{"k": nil}}) {
		t.Errorf("echo = %#v, %v", v, err)
	}
	v, err = h.call(t, "getTag", "osg", Kwargs(map[string]any{"event": 5}))
	if err != nil || !reflect.DeepEqual(v, map[string]any{"name": "osg", "id": int64(4), "strict": false, "event": int64(5)}) {
		t.Errorf("getTag = %#v, %v", v, err)
	}
	v, err = h.call(t, "getTag", "no-such")
	if err != nil || v != nil {
		t.Errorf("getTag missing = %#v, %v", v, err)
	}
	_, err = h.call(t, "getTag", "no-such", Kwargs(map[string]any{"strict": true}))
	wantFault(t, err, 1000, "No such tagInfo: 'no-such'")
	_, err = h.call(t, "getTag", "x", Kwargs(map[string]any{"strict": "yes"}))
	wantFault(t, err, 1019, "getTag: strict: cannot store string \"yes\" in a Go bool")
	_, err = h.call(t, "getTag")
	wantFault(t, err, 1019, "get_tag() missing 1 required positional argument: 'tagInfo'")
	_, err = h.call(t, "getTag", 1, 2, 3, 4, 5)
	wantFault(t, err, 1019, "get_tag() takes from 1 to 4 positional arguments but 5 were given")
	_, err = h.call(t, "getTag", 1, Kwargs(map[string]any{"tagInfo": 2}))
	wantFault(t, err, 1019, "get_tag() got multiple values for argument 'tagInfo'")
	_, err = h.call(t, "write")
	wantFault(t, err, 1019, "RootExports.write() missing 1 required positional argument: 'what'")
	_, err = h.call(t, "noSuchMethod")
	wantFault(t, err, 1000, "Invalid method: noSuchMethod")
	_, err = h.call(t, "write", "bad")
	wantFault(t, err, 1004, "not allowed to write bad")
	_, err = h.call(t, "goError")
	wantFault(t, err, 1, "<class 'KeyError'>: lookup: 'arches'")
	_, err = h.call(t, "plainError")
	wantFault(t, err, 1, "<class 'Exception'>: disk full")
	_, err = h.call(t, "panic")
	wantFault(t, err, 1, "<class 'Exception'>: internal error in panic: boom")
	_, err = h.call(t, "unencodable")
	var f *Fault
	if !errors.As(err, &f) || f.Code != 1 || !strings.Contains(f.String, "cannot encode") {
		t.Errorf("unencodable = %v", err)
	}
	if got := h.srv.Methods(); len(got) != 10 || got[0] != "checkUpload" {
		t.Errorf("Methods() = %v", got)
	}
}

func TestServerGoldenWire(t *testing.T) {
	h := newTestHub(t)
	for _, name := range []string{"getTag_wrong_kwarg", "noSuchMethod"} {
		req, err := os.ReadFile(filepath.Join(wireDir, name+".request.xml"))
		if err != nil {
			t.Fatal(err)
		}
		want, err := os.ReadFile(filepath.Join(wireDir, name+".response.xml"))
		if err != nil {
			t.Fatal(err)
		}
		resp, err := h.Client().Post(h.URL+"/kojihub", "text/xml", bytes.NewReader(req))
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || string(got) != string(want) {
			t.Errorf("%s: HTTP %d, body differs from Koji's:\n%s", name, resp.StatusCode, got)
		}
	}
}

func TestServerHTTP(t *testing.T) {
	h := newTestHub(t)
	for _, m := range []string{http.MethodGet, http.MethodPut, http.MethodHead} {
		req, _ := http.NewRequest(m, h.URL+"/kojihub", nil)
		resp, err := h.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 405 || resp.Header.Get("Allow") != "POST" || resp.Header.Get("Koji-Version") != "1.35.3" {
			t.Errorf("%s: %d %v", m, resp.StatusCode, resp.Header)
		}
	}
	for name, body := range map[string]string{"empty": "", "spaces": " \n", "garbage": "<html>", "truncated": "<methodCall><methodName>hello</methodName><params>"} {
		status, hdr, v, _ := h.post(t, "/kojihub", []byte(body), nil)
		if status != 400 || hdr.Get("Koji-Version") != "1.35.3" {
			t.Errorf("%s: %d %v", name, status, v)
		}
		if name == "empty" && !strings.Contains(v.(string), "Empty request") {
			t.Errorf("empty: %q", v)
		}
		if name == "garbage" && !strings.Contains(v.(string), "Invalid request") {
			t.Errorf("garbage: %q", v)
		}
	}
	// Size cap: a body past MaxRequestLength is a fault, with or without Content-Length.
	var big bytes.Buffer
	if err := EncodeCall(&big, "echo", strings.Repeat("x", 70<<10)); err != nil {
		t.Fatal(err)
	}
	status, _, _, err := h.post(t, "/kojihub", big.Bytes(), nil)
	if status != 200 {
		t.Fatalf("too long: HTTP %d", status)
	}
	wantFault(t, err, 1000, "Request too long")
	req, _ := http.NewRequest(http.MethodPost, h.URL+"/kojihub", io.MultiReader(bytes.NewReader(big.Bytes())))
	req.ContentLength = -1
	resp, err := h.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	_, err = DecodeResponseBytes(raw)
	wantFault(t, err, 1000, "Request too long")
	// Just under the cap works.
	var ok bytes.Buffer
	if err := EncodeCall(&ok, "echo", strings.Repeat("x", 60<<10)); err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := h.post(t, "/kojihub", ok.Bytes(), nil); err != nil {
		t.Errorf("under the cap: %v", err)
	}
}

func TestServerSessions(t *testing.T) {
	h := newTestHub(t)
	body := func(method string) []byte {
		var b bytes.Buffer
		if err := EncodeCall(&b, method); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	tests := []struct {
		name    string
		path    string
		hdr     map[string]string
		want    Session
		result  any
		wantErr string
	}{
		{"anonymous", "/kojihub", nil, Session{}, map[string]any{"identity": nil, "ssllogin": false, "multi": false}, ""},
		{"headers", "/kojihub", map[string]string{"Koji-Session-Id": "42", "Koji-Session-Key": "7-secret", "Koji-Session-Callnum": "3"},
			Session{ID: 42, Key: "7-secret", Callnum: 3, HasCallnum: true}, map[string]any{"identity": "user7", "ssllogin": false, "multi": false}, ""},
		{"legacy callnum", "/kojihub", map[string]string{"Koji-Session-Id": "42", "Koji-Session-Key": "7-secret", "Koji-Callnum": "9"},
			Session{ID: 42, Key: "7-secret", Callnum: 9, HasCallnum: true}, nil, ""},
		{"query", "/kojihub?session-id=42&session-key=7-secret&callnum=5", nil,
			Session{ID: 42, Key: "7-secret", Callnum: 5, HasCallnum: true, FromQuery: true}, nil, ""},
		{"no callnum", "/kojihub", map[string]string{"Koji-Session-Id": "42", "Koji-Session-Key": "7-secret"},
			Session{ID: 42, Key: "7-secret"}, nil, ""},
		{"bad key", "/kojihub", map[string]string{"Koji-Session-Id": "42", "Koji-Session-Key": "7-wrong"},
			Session{ID: 42, Key: "7-wrong"}, nil, "Invalid session or bad credentials (fault 1002)"},
		{"callnum backwards", "/kojihub", map[string]string{"Koji-Session-Id": "42", "Koji-Session-Key": "7-secret", "Koji-Session-Callnum": "-1"},
			Session{ID: 42, Key: "7-secret", Callnum: -1, HasCallnum: true}, nil, "callnum went backwards (fault 1008)"},
		{"ssllogin", "/kojihub/ssllogin", nil, Session{}, map[string]any{"identity": nil, "ssllogin": true, "multi": false}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h.sessions = nil
			_, _, v, err := h.post(t, tt.path, body("whoami"), tt.hdr)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Errorf("err = %v, want %q", err, tt.wantErr)
				}
			} else if err != nil {
				t.Fatal(err)
			}
			if len(h.sessions) != 1 || h.sessions[0] != tt.want {
				t.Errorf("sessions = %+v, want %+v", h.sessions, tt.want)
			}
			if tt.result != nil && !reflect.DeepEqual(v, tt.result) {
				t.Errorf("result = %#v", v)
			}
		})
	}
	// A session id that is not a number is refused before Authenticate.
	h.sessions = nil
	_, _, _, err := h.post(t, "/kojihub", body("whoami"), map[string]string{"Koji-Session-Id": "x", "Koji-Session-Key": "k"})
	wantFault(t, err, 1002, "Invalid session or bad credentials")
	// Query sessions can be disabled.
	h.srv.DisableURLSessions = true
	h.sessions = nil
	if _, _, _, err := h.post(t, "/kojihub?session-id=42&session-key=7-secret", body("whoami"), nil); err != nil || h.sessions[0].Present() {
		t.Errorf("DisableURLSessions: %v %+v", err, h.sessions)
	}
}

func TestServerMultiCall(t *testing.T) {
	h := newTestHub(t)
	h.tx.take()
	calls := []any{
		map[string]any{"methodName": "write", "params": []any{"one"}},
		map[string]any{"methodName": "noSuchMethod", "params": []any{}},
		map[string]any{"methodName": "getTag", "params": []any{"no-such", Kwargs(map[string]any{"strict": true})}},
		map[string]any{"methodName": "write", "params": []any{"bad"}},
		map[string]any{"methodName": "whoami", "params": []any{}},
		map[string]any{"methodName": "write", "params": []any{"two"}},
		map[string]any{"methodName": "multiCall", "params": []any{[]any{}}},
		map[string]any{"params": []any{}},
		"junk",
		map[string]any{"methodName": "getTag", "params": []any{"t", 1, 2, 3, 4}},
	}
	v, err := h.call(t, "multiCall", calls)
	if err != nil {
		t.Fatal(err)
	}
	fault := func(code int, s string) any { return map[string]any{"faultCode": int64(code), "faultString": s} }
	want := []any{
		[]any{true},
		fault(1000, "Invalid method: noSuchMethod"),
		fault(1000, "No such tagInfo: 'no-such'"),
		fault(1004, "not allowed to write bad"),
		[]any{map[string]any{"identity": nil, "ssllogin": false, "multi": true}},
		[]any{true},
		fault(1000, "multicall in progress"),
		fault(1, "<class 'KeyError'>: 'methodName'"),
		fault(1, "<class 'TypeError'>: multiCall entry is string, not a struct"),
		fault(1019, "get_tag() takes from 1 to 4 positional arguments but 5 were given"),
	}
	if !reflect.DeepEqual(v, want) {
		t.Errorf("multiCall =\n%#v\nwant\n%#v", v, want)
	}
	ev := h.tx.take()
	wantEv := []string{"begin multiCall"}
	for i, ok := range []bool{true, false, false, false, true, true, false, false, false, false} {
		wantEv = append(wantEv, fmt.Sprintf("savepoint %d", i))
		if ok {
			wantEv = append(wantEv, fmt.Sprintf("release %d", i))
		} else {
			wantEv = append(wantEv, fmt.Sprintf("rollback-to %d", i))
		}
	}
	wantEv = append(wantEv, "commit")
	if !reflect.DeepEqual(ev, wantEv) {
		t.Errorf("tx events =\n%v\nwant\n%v", ev, wantEv)
	}

	// system.multicall is the same thing.
	v, err = h.call(t, "system.multicall", []any{map[string]any{"methodName": "hello", "params": []any{}}})
	if err != nil || !reflect.DeepEqual(v, []any{[]any{"Hello World"}}) {
		t.Errorf("system.multicall = %#v, %v", v, err)
	}
	h.tx.take()

	// Single calls: commit on success, rollback on a fault.
	if _, err := h.call(t, "write", "x"); err != nil {
		t.Fatal(err)
	}
	if _, err := h.call(t, "write", "bad"); err == nil {
		t.Fatal("no fault")
	}
	if ev := h.tx.take(); !reflect.DeepEqual(ev, []string{"begin write", "commit", "begin write", "rollback"}) {
		t.Errorf("single-call tx events = %v", ev)
	}

	// Bad multiCall arguments.
	_, err = h.call(t, "multiCall")
	wantFault(t, err, 1019, "RootExports.multiCall() missing 1 required positional argument: 'calls'")
	_, err = h.call(t, "multiCall", "x")
	wantFault(t, err, 1, "<class 'TypeError'>: multiCall expects an array of calls, got string")
	if ev := h.tx.take(); !reflect.DeepEqual(ev, []string{"begin multiCall", "rollback", "begin multiCall", "rollback"}) {
		t.Errorf("bad multiCall tx events = %v", ev)
	}

	// A failing savepoint aborts the whole multiCall.
	h.tx.failSP = 2
	_, err = h.call(t, "multiCall", []any{map[string]any{"methodName": "hello", "params": []any{}}, map[string]any{"methodName": "hello", "params": []any{}}})
	wantFault(t, err, 1, "<class 'Exception'>: savepoint failed")
	if ev := h.tx.take(); !reflect.DeepEqual(ev, []string{"begin multiCall", "savepoint 0", "release 0", "rollback"}) {
		t.Errorf("failed savepoint tx events = %v", ev)
	}
}

// uploadChunk POSTs one raw chunk.
func (h *testHub) uploadChunk(t *testing.T, query string, data []byte, hdr map[string]string) (map[string]any, error) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, h.URL+"/kojihub?"+query, bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/octet-stream")
	req.Header.Set("Koji-Session-Id", "42")
	req.Header.Set("Koji-Session-Key", "7-secret")
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := h.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Koji-Version") != "1.35.3" {
		t.Fatalf("upload: HTTP %d %v", resp.StatusCode, resp.Header)
	}
	v, err := DecodeResponse(resp.Body)
	if err != nil {
		return nil, err
	}
	return v.(map[string]any), nil
}

func TestServerUpload(t *testing.T) {
	h := newTestHub(t)
	// The recorded chunk gives Koji's answer.
	golden, err := os.ReadFile(filepath.Join(wireDir, "upload_chunk.request.bin"))
	if err != nil {
		t.Fatal(err)
	}
	q := "filename=test.txt&filepath=cli-build%2F1795346351.7950485.recorded&fileverify=adler32&offset=0&overwrite=1"
	got, err := h.uploadChunk(t, q, golden, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"size": int64(1300), "fileverify": "adler32", "offset": int64(0), "hexdigest": "10dfdc3c"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("upload answer = %#v, want %#v", got, want)
	}
	cu, err := h.call(t, "checkUpload", "cli-build/1795346351.7950485.recorded", "test.txt", Kwargs(map[string]any{"verify": "adler32"}))
	if err != nil {
		t.Fatal(err)
	}
	if m := cu.(map[string]any); m["size"] != int64(1300) || m["sumlength"] != int64(1300) || m["hexdigest"] != "10dfdc3c" || m["mtime"].(float64) < 1e9 {
		t.Errorf("checkUpload = %#v", cu)
	}
	owner, _ := os.ReadFile(filepath.Join(h.root, "cli-build/1795346351.7950485.recorded/.user"))
	if string(owner) != "7" {
		t.Errorf(".user = %q", owner)
	}

	// A 1 MiB file in 64 KiB+1 chunks, one chunk sent twice (a retry), then checked.
	data := make([]byte, 1<<20)
	r := rand.New(rand.NewPCG(1, 2))
	for i := range data {
		data[i] = byte(r.UintN(256))
	}
	const bs = 64<<10 + 1
	dir := "cli-build/1751480000.123456.AbCdEfGh"
	for off, n := 0, 0; off < len(data); n++ {
		end := min(off+bs, len(data))
		chunk := data[off:end]
		q := fmt.Sprintf("filename=big.src.rpm&filepath=%s&fileverify=adler32&offset=%d&overwrite=1", dir, off)
		got, err := h.uploadChunk(t, q, chunk, nil)
		if err != nil {
			t.Fatalf("chunk at %d: %v", off, err)
		}
		if got["size"] != int64(len(chunk)) || got["offset"] != int64(off) || got["hexdigest"] != fmt.Sprintf("%08x", adler32.Checksum(chunk)) {
			t.Fatalf("chunk at %d: %#v", off, got)
		}
		if n == 3 { // resend the same chunk, as a client does after a lost answer
			if _, err := h.uploadChunk(t, q, chunk, nil); err != nil {
				t.Fatalf("resent chunk: %v", err)
			}
		}
		off = end
	}
	onDisk, err := os.ReadFile(filepath.Join(h.root, dir, "big.src.rpm"))
	if err != nil || !bytes.Equal(onDisk, data) {
		t.Fatalf("uploaded file differs (err %v, %d bytes)", err, len(onDisk))
	}
	for verify, sum := range map[string]string{
		"adler32": fmt.Sprintf("%08x", adler32.Checksum(data)),
		"md5":     md5hex(data),
		"sha256":  sha256hex(data),
	} {
		cu, err := h.call(t, "checkUpload", dir, "big.src.rpm", verify)
		if err != nil {
			t.Fatal(err)
		}
		if m := cu.(map[string]any); m["hexdigest"] != sum || m["size"] != int64(len(data)) {
			t.Errorf("checkUpload %s = %#v", verify, m)
		}
	}
	cu, err = h.call(t, "checkUpload", dir, "big.src.rpm", "md5", 10)
	if err != nil || cu.(map[string]any)["sumlength"] != int64(10) || cu.(map[string]any)["hexdigest"] != md5hex(data[len(data)-10:]) {
		t.Errorf("checkUpload tail = %#v, %v", cu, err)
	}
	cu, err = h.call(t, "checkUpload", dir, "missing.rpm")
	if err != nil || cu != nil {
		t.Errorf("checkUpload missing = %#v, %v", cu, err)
	}
	_, err = h.call(t, "checkUpload", dir, "big.src.rpm", "crc")
	wantFault(t, err, 1000, "Unsupported verify type: crc")

	// Append with offset -1, then a write without overwrite that leaves a longer file.
	got, err = h.uploadChunk(t, "filename=log&filepath=tasks%2Fx&offset=-1", []byte("abc"), nil)
	if err != nil || got["offset"] != int64(0) || got["fileverify"] != "" || got["hexdigest"] != nil {
		t.Errorf("append 1: %#v %v", got, err)
	}
	got, err = h.uploadChunk(t, "filename=log&filepath=tasks%2Fx&offset=-1", []byte("def"), nil)
	if err != nil || got["offset"] != int64(3) {
		t.Errorf("append 2: %#v %v", got, err)
	}
	_, err = h.uploadChunk(t, "filename=log&filepath=tasks%2Fx&offset=1", []byte("X"), nil)
	if err == nil || !strings.Contains(err.Error(), "unexpected file size") {
		t.Errorf("short rewrite: %v", err)
	}
	if b, _ := os.ReadFile(filepath.Join(h.root, "tasks/x/log")); string(b) != "aXcdef" {
		t.Errorf("log = %q", b)
	}

	attacks := []struct{ name, query, want string }{
		{"exists", "filename=log&filepath=tasks%2Fx&offset=0", "upload path exists: "},
		{"dotdot dir", "filename=a&filepath=..%2Fetc", "Invalid upload directory: ../etc"},
		{"dotdot inner", "filename=a&filepath=x%2F..%2F..%2Fetc", "Invalid upload directory: x/../../etc"},
		{"absolute", "filename=a&filepath=%2Fetc", "Invalid upload directory: /etc"},
		{"empty dir", "filename=a&filepath=", "Invalid upload directory: "},
		{"slash name", "filename=a%2Fb&filepath=x", "Invalid upload filename: a/b"},
		{"dot name", "filename=.user&filepath=x", "Invalid upload filename: .user"},
		{"dotdot name", "filename=..&filepath=x", "Invalid upload filename: .."},
		{"no filename", "filepath=x", "<class 'KeyError'>: 'filename'"},
		{"bad offset", "filename=a&filepath=x&offset=abc", "<class 'ValueError'>: invalid literal for int() with base 10: 'abc'"},
		{"bad verify", "filename=a&filepath=x&fileverify=crc", "Unsupported verify type: crc"},
	}
	for _, a := range attacks {
		_, err := h.uploadChunk(t, a.query, []byte("x"), nil)
		if err == nil || !strings.Contains(err.Error(), a.want) {
			t.Errorf("%s: err = %v, want %q", a.name, err, a.want)
		}
	}
	// Another user may not write into someone else's directory.
	_, err = h.uploadChunk(t, "filename=other&filepath="+dir+"&offset=0", []byte("x"), map[string]string{"X-Test-User": "8"})
	wantFault(t, err, 1000, "Invalid upload directory, not owner: "+dir)
	// A symlink is not a destination.
	if err := os.Symlink("/etc/passwd", filepath.Join(h.root, dir, "link")); err != nil {
		t.Fatal(err)
	}
	_, err = h.uploadChunk(t, "filename=link&filepath="+dir+"&offset=0&overwrite=1", []byte("x"), nil)
	if err == nil || !strings.Contains(err.Error(), "destination not a file") {
		t.Errorf("symlink: %v", err)
	}
	// Anonymous uploads are refused by the hook.
	req, _ := http.NewRequest(http.MethodPost, h.URL+"/kojihub?filename=a&filepath=x", strings.NewReader("x"))
	req.Header.Set("Content-Type", "application/octet-stream")
	resp, err := h.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_, err = DecodeResponse(resp.Body)
	resp.Body.Close()
	wantFault(t, err, 1004, "you must be logged-in to upload a file")
	if !strings.Contains(strings.Join(h.tx.take(), ","), "begin (upload),rollback") {
		t.Error("upload did not run in a transaction")
	}
}

func TestServerPanicInHookRollsBack(t *testing.T) {
	h := newTestHub(t)
	h.srv.Authenticate = func(ctx context.Context, r *http.Request, method string, s Session) (any, error) {
		panic("authenticate exploded")
	}
	var buf bytes.Buffer
	if err := EncodeCall(&buf, "hello"); err != nil {
		t.Fatal(err)
	}
	h.tx.take()
	func() {
		defer func() {
			if recover() == nil {
				t.Error("the panic did not reach net/http")
			}
		}()
		h.srv.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodPost, "/kojihub", &buf))
	}()
	if ev := h.tx.take(); !reflect.DeepEqual(ev, []string{"begin hello", "rollback"}) {
		t.Errorf("tx events after a panic = %v", ev)
	}
}

func TestUploadLock(t *testing.T) {
	root := t.TempDir()
	p := UploadParams{Filename: "f", Filepath: "d", Offset: 0, Overwrite: true}
	if _, err := WriteChunk(root, p, strings.NewReader("abc"), ""); err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(filepath.Join(root, "d", "f"), os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := lockFile(f, true); err != nil {
		t.Fatal(err)
	}
	_, err = WriteChunk(root, p, strings.NewReader("abc"), "")
	var fl *Fault
	if !errors.As(err, &fl) || fl.Code != CodeLockError || !strings.Contains(fl.String, "locked") {
		t.Errorf("locked file: %v", err)
	}
	_, err = CheckUpload(root, "d", "f", "", nil)
	if !errors.As(err, &fl) || fl.Code != CodeLockError {
		t.Errorf("checkUpload of a locked file: %v", err)
	}
}

func md5hex(b []byte) string {
	s := md5.Sum(b)
	return hex.EncodeToString(s[:])
}

func sha256hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func TestServerConcurrent(t *testing.T) {
	h := newTestHub(t)
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for g := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 10 {
				var buf bytes.Buffer
				name := fmt.Sprintf("tag-%d-%d", g, i)
				if err := EncodeCall(&buf, "multiCall", []any{
					map[string]any{"methodName": "getTag", "params": []any{name}},
					map[string]any{"methodName": "write", "params": []any{name}},
				}); err != nil {
					errs <- err
					return
				}
				resp, err := h.Client().Post(h.URL+"/kojihub", "text/xml", &buf)
				if err != nil {
					errs <- err
					return
				}
				v, err := DecodeResponse(resp.Body)
				resp.Body.Close()
				if err != nil {
					errs <- err
					return
				}
				res := v.([]any)
				if tag := res[0].([]any)[0].(map[string]any); tag["name"] != name || res[1].([]any)[0] != true {
					errs <- fmt.Errorf("%s: got %#v", name, v)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if len(h.writes) != 160 {
		t.Errorf("%d writes, want 160", len(h.writes))
	}
}
