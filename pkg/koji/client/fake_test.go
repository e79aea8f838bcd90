package client

import (
	"bytes"
	"errors"
	"fmt"
	"hash/adler32"
	"io"
	"net/http"
	"strconv"
	"sync"
	"testing"

	"github.com/osg-htc/osg-build-go/internal/xmlrpc"
	"github.com/osg-htc/osg-build-go/pkg/koji"
)

// fakeHub is a small Koji hub for the tests: XML-RPC over net/http with
// internal/xmlrpc, sessions with callnum checks, logins, raw uploads and
// hooks to misbehave.
type fakeHub struct {
	t       *testing.T
	mu      sync.Mutex
	methods map[string]func(r *fakeReq) (any, error)

	sessions map[int]*fakeSession
	nextID   int
	files    map[string][]byte // "path/name" -> content
	log      []fakeLogEntry

	// hooks
	fail5xx        int               // answer this many requests with 502
	dropChunk      int               // close the connection on this upload chunk number (1-based), once
	corruptChunk   int               // answer a wrong checksum for this chunk number, once
	chunks         int               // raw upload requests seen
	expireSessions bool              // answer AuthExpired to the next non-login call
	version        string            // Koji-Version header ("" for none)
	users          map[string]string // password logins
	checkVerify    []string          // the verify kwarg of each checkUpload
}

var errDropped = errors.New("connection dropped")

type fakeSession struct {
	id      int
	key     string
	user    string
	callnum int // last seen; -1 before any
	auth    koji.AuthType
}

type fakeLogEntry struct {
	Method  string
	Path    string
	Header  http.Header
	Query   string
	Session *fakeSession
}

type fakeReq struct {
	hub    *fakeHub
	http   *http.Request
	args   []any
	kwargs map[string]any
	sess   *fakeSession
}

func newFakeHub(t *testing.T) *fakeHub {
	h := &fakeHub{
		t:        t,
		methods:  map[string]func(r *fakeReq) (any, error){},
		sessions: map[int]*fakeSession{},
		nextID:   100,
		files:    map[string][]byte{},
		version:  "1.35.3",
		users:    map[string]string{"alice": "secret"},
	}
	h.methods["hello"] = func(*fakeReq) (any, error) { return "Hello World", nil }
	h.methods["getAPIVersion"] = func(*fakeReq) (any, error) { return 1, nil }
	h.methods["getKojiVersion"] = func(*fakeReq) (any, error) { return h.version, nil }
	h.methods["getLoggedInUser"] = func(r *fakeReq) (any, error) {
		if r.sess == nil {
			return nil, nil
		}
		return koji.LoggedInUser{ID: 1, Name: r.sess.user, KrbPrincipals: []string{}, AuthType: r.sess.auth}, nil
	}
	h.methods["getTag"] = func(r *fakeReq) (any, error) {
		if len(r.args) != 1 {
			return nil, koji.NewFault(koji.ParameterError, "getTag() takes 1 positional argument")
		}
		if r.args[0] == "osg-3.6-el9-build" {
			return koji.Tag{ID: 4, Name: "osg-3.6-el9-build", Arches: koji.Ptr("x86_64"), Extra: map[string]any{}}, nil
		}
		if r.kwargs["strict"] == true {
			return nil, koji.NewFault(koji.GenericError, "No such tagInfo: '%v'", r.args[0])
		}
		return nil, nil
	}
	h.methods["login"] = func(r *fakeReq) (any, error) {
		if len(r.args) != 2 || h.users[fmt.Sprint(r.args[0])] != r.args[1] {
			return nil, koji.NewFault(koji.AuthError, "invalid username or password")
		}
		return h.newSession(r, fmt.Sprint(r.args[0]), koji.AuthNormal), nil
	}
	h.methods["sslLogin"] = func(r *fakeReq) (any, error) {
		if r.http.URL.Path != "/kojihub/ssllogin" {
			return nil, koji.NewFault(koji.AuthError, "sslLogin must be called at /ssllogin")
		}
		if r.http.TLS == nil || len(r.http.TLS.PeerCertificates) == 0 {
			return nil, koji.NewFault(koji.AuthError, "could not verify client")
		}
		return h.newSession(r, r.http.TLS.PeerCertificates[0].Subject.CommonName, koji.AuthSSL), nil
	}
	h.methods["logout"] = func(r *fakeReq) (any, error) {
		if r.sess != nil {
			delete(h.sessions, r.sess.id)
		}
		return nil, nil
	}
	h.methods["checkUpload"] = func(r *fakeReq) (any, error) {
		b, ok := h.files[fmt.Sprint(r.args[0])+"/"+fmt.Sprint(r.args[1])]
		if !ok {
			return nil, nil
		}
		h.checkVerify = append(h.checkVerify, fmt.Sprint(r.kwargs["verify"]))
		info := map[string]any{"size": len(b), "mtime": 1.5}
		if r.kwargs["verify"] == "adler32" {
			info["sumlength"] = len(b)
			info["hexdigest"] = fmt.Sprintf("%08x", adler32.Checksum(b))
		}
		return info, nil
	}
	return h
}

// newSession makes a session; a renewal (renew=True with the session
// headers) keeps the id and changes the key.
func (h *fakeHub) newSession(r *fakeReq, user string, auth koji.AuthType) any {
	if r.kwargs["renew"] == true && r.sess != nil {
		r.sess.key = fmt.Sprintf("%d-renewed%d", r.sess.id, r.sess.callnum)
		r.sess.callnum = -1
		return map[string]any{"session-id": r.sess.id, "session-key": r.sess.key, "header-auth": true}
	}
	h.nextID++
	s := &fakeSession{id: h.nextID, key: fmt.Sprintf("1-key%d", h.nextID), user: user, callnum: -1, auth: auth}
	h.sessions[s.id] = s
	return map[string]any{"session-id": s.id, "session-key": s.key, "header-auth": true}
}

func (h *fakeHub) handle(name string, f func(r *fakeReq) (any, error)) {
	h.mu.Lock()
	h.methods[name] = f
	h.mu.Unlock()
}

func (h *fakeHub) entries() []fakeLogEntry {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]fakeLogEntry(nil), h.log...)
}

func isLogin(m string) bool { return m == "login" || m == "sslLogin" }

func (h *fakeHub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	if h.version != "" {
		w.Header().Set("Koji-Version", h.version)
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return
	}
	h.mu.Lock()
	if h.fail5xx > 0 {
		h.fail5xx--
		h.mu.Unlock()
		http.Error(w, "bad gateway", http.StatusBadGateway)
		return
	}
	h.mu.Unlock()

	var method string
	var params []any
	upload := r.Header.Get("Content-Type") == "application/octet-stream"
	if upload {
		method = "rawUpload"
	} else {
		method, params, err = xmlrpc.DecodeCallBytes(body)
		if err != nil {
			http.Error(w, "Invalid request: "+err.Error(), http.StatusBadRequest)
			return
		}
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	req := &fakeReq{hub: h, http: r, args: params}
	if n := len(params); n > 0 {
		if m, ok := params[n-1].(map[string]any); ok && m["__starstar"] == true {
			req.args = params[:n-1]
			req.kwargs = map[string]any{}
			for k, v := range m {
				if k != "__starstar" {
					req.kwargs[k] = v
				}
			}
		}
	}
	h.log = append(h.log, fakeLogEntry{Method: method, Path: r.URL.Path, Header: r.Header.Clone(), Query: r.URL.RawQuery})
	answer := func(v any, err error) {
		w.Header().Set("Content-Type", "text/xml")
		if err != nil {
			f, ok := err.(*koji.Fault)
			if !ok {
				f = koji.NewFault(koji.UnknownFault, "%v", err)
			}
			_ = xmlrpc.EncodeFault(w, &xmlrpc.Fault{Code: f.Code, String: f.String})
			return
		}
		_ = xmlrpc.EncodeResponse(w, v)
	}
	// session
	if sid := r.Header.Get("Koji-Session-Id"); sid != "" {
		id, _ := strconv.Atoi(sid)
		s := h.sessions[id]
		if s == nil || s.key != r.Header.Get("Koji-Session-Key") {
			answer(nil, koji.NewFault(koji.AuthError, "Invalid session or bad credentials"))
			return
		}
		if h.expireSessions && !isLogin(method) {
			h.expireSessions = false
			answer(nil, koji.NewFault(koji.AuthExpired, "session %d expired", id))
			return
		}
		callnum, err := strconv.Atoi(r.Header.Get("Koji-Session-Callnum"))
		if err != nil {
			answer(nil, koji.NewFault(koji.AuthError, "bad callnum"))
			return
		}
		if !isLogin(method) {
			if callnum < s.callnum {
				answer(nil, koji.NewFault(koji.SequenceError, "%d > %d (session %d)", s.callnum, callnum, id))
				return
			}
			if callnum == s.callnum && method != "rawUpload" {
				answer(nil, koji.NewFault(koji.RetryError, "unable to retry call %d (method %s) for session %d", callnum, method, id))
				return
			}
			s.callnum = callnum
		}
		req.sess = s
		h.log[len(h.log)-1].Session = s
	}
	if upload {
		v, err := h.rawUpload(w, r, req, body)
		if err == errDropped {
			return
		}
		answer(v, err)
		return
	}
	if method == "multiCall" {
		var results []any
		calls, _ := params[0].([]any)
		for _, c := range calls {
			m := c.(map[string]any)
			sub := &fakeReq{hub: h, http: r, sess: req.sess}
			sub.args, _ = m["params"].([]any)
			if n := len(sub.args); n > 0 {
				if kw, ok := sub.args[n-1].(map[string]any); ok && kw["__starstar"] == true {
					sub.args = sub.args[:n-1]
					sub.kwargs = kw
				}
			}
			f := h.methods[fmt.Sprint(m["methodName"])]
			if f == nil {
				results = append(results, map[string]any{"faultCode": 1000, "faultString": "Invalid method: " + fmt.Sprint(m["methodName"])})
				continue
			}
			v, err := f(sub)
			if err != nil {
				kf := err.(*koji.Fault)
				results = append(results, map[string]any{"faultCode": kf.Code, "faultString": kf.String})
				continue
			}
			results = append(results, []any{v})
		}
		answer(results, nil)
		return
	}
	f := h.methods[method]
	if f == nil {
		answer(nil, koji.NewFault(koji.GenericError, "Invalid method: %s", method))
		return
	}
	answer(f(req))
}

// rawUpload stores a chunk like Koji's handle_upload (overwrite truncates at
// offset); it may drop the connection or lie about the checksum once.
func (h *fakeHub) rawUpload(w http.ResponseWriter, r *http.Request, req *fakeReq, body []byte) (any, error) {
	if req.sess == nil {
		return nil, koji.NewFault(koji.ActionNotAllowed, "you must be logged in to upload")
	}
	h.chunks++
	q := r.URL.Query()
	key := q.Get("filepath") + "/" + q.Get("filename")
	off, _ := strconv.ParseInt(q.Get("offset"), 10, 64)
	if h.dropChunk == h.chunks {
		h.dropChunk = 0
		hj, ok := w.(http.Hijacker)
		if ok {
			conn, _, err := hj.Hijack()
			if err == nil {
				conn.Close()
				return nil, errDropped
			}
		}
	}
	cur := h.files[key]
	if off == 0 && cur != nil && q.Get("overwrite") != "1" {
		return nil, koji.NewFault(koji.GenericError, "upload path exists: %s", key)
	}
	if q.Get("overwrite") == "1" && int64(len(cur)) > off {
		cur = cur[:off]
	}
	for int64(len(cur)) < off {
		cur = append(cur, 0)
	}
	cur = append(cur[:off], body...)
	h.files[key] = bytes.Clone(cur)
	digest := fmt.Sprintf("%08x", adler32.Checksum(body))
	if h.corruptChunk == h.chunks {
		h.corruptChunk = 0
		digest = "00000000"
	}
	return map[string]any{"size": len(body), "fileverify": "adler32", "offset": off, "hexdigest": digest}, nil
}
