package xmlrpc

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
)

// Server is an http.Handler speaking Koji's hub protocol (kojixmlrpc.py):
//
//   - POST only; anything else is 405 with "Allow: POST". Every response
//     carries "Koji-Version: <Version>".
//   - A path ending in "/ssllogin" is accepted like the hub path; the call
//     sees Call.SSLLogin (Koji's certificate/GSSAPI login endpoint).
//   - Content-Type application/octet-stream goes to the Upload hook (raw
//     chunk upload with query arguments, see [UploadParams] and [WriteChunk]).
//   - Otherwise the body is a methodCall of at most MaxRequestLength bytes
//     (fault 1000 "Request too long" beyond). An empty or unparseable body
//     is HTTP 400, a timeout reading it 408. Faults are HTTP 200
//     methodResponses.
//   - Kwargs (the trailing "__starstar" struct) are split off; the method
//     is looked up among the registered functions (fault 1000 "Invalid
//     method: X" if unknown); with a Signature the arguments are bound with
//     Python's ParameterError (1019) texts.
//   - multiCall and system.multicall run an array of {methodName, params}
//     and answer [result] or {faultCode, faultString} per call.
//   - Errors become faults: an error with FaultCode() keeps its code (and
//     sends FaultString() if it has one, else Error()); any other error is
//     fault 1 with Python's "<class 'Exception'>: msg" form (the class can
//     be chosen with a PythonClass() string method). Panics in handlers are
//     recovered as fault 1.
//
// Sessions: the Koji-Session-Id/-Key/-Callnum headers (legacy Koji-Callnum,
// and the session-id/session-key/callnum query form unless
// DisableURLSessions) are parsed into a [Session] and handed to
// Authenticate, whose identity is put in the context ([IdentityFrom]) and
// in Call.Identity.
//
// Transactions: with Tx set, every request (a single call, a whole
// multiCall, an upload) runs in one transaction; see [Transactor].
//
// Register all methods before serving; the Server is safe for concurrent
// requests.
type Server struct {
	// Version is sent as the Koji-Version header (e.g. "1.35.3"; Koji's CLI
	// picks code paths from it).
	Version string
	// MaxRequestLength caps XML-RPC bodies (Koji's default 4194304 when 0).
	// Uploads are not capped by it.
	MaxRequestLength int64
	// Authenticate checks the session of a request (it is called for every
	// request, with an empty Session for anonymous ones) and returns the
	// identity handlers see. method is the XML-RPC method, or UploadMethod
	// for a raw upload. An error is sent as a fault (use FaultCode() errors:
	// AuthError 1002, AuthExpired 1007, SequenceError 1008, RetryError 1009).
	// When Tx is set it runs inside the request's transaction (ctx carries
	// it), so a callnum it stores is only kept if the request commits.
	Authenticate func(ctx context.Context, r *http.Request, method string, s Session) (identity any, err error)
	// DisableURLSessions ignores session arguments in the query string.
	DisableURLSessions bool
	// Tx, if set, wraps each request in a transaction with a savepoint per
	// multiCall entry.
	Tx Transactor
	// Upload handles raw chunk uploads (Content-Type application/octet-stream).
	// Its result is sent as a methodResponse, its error as a fault. Without
	// it uploads are refused with a fault.
	Upload func(ctx context.Context, c *UploadCall) (any, error)
	// Logger receives one debug line per call; slog.Default() when nil.
	Logger *slog.Logger

	mu      sync.RWMutex
	methods map[string]*method
}

// UploadMethod is the method name Authenticate and Transactor.Begin see for
// a raw upload request.
const UploadMethod = "(upload)"

// Func is a registered hub function.
type Func func(ctx context.Context, c *Call) (any, error)

type method struct {
	sig *Signature
	fn  Func
}

// Call is one method call as a handler sees it.
type Call struct {
	Method string
	// Args are the positional params and Kwargs the keyword params
	// (without "__starstar"; nil when none).
	Args   []any
	Kwargs map[string]any
	// Bound is the binding to the registered Signature (nil without one).
	Bound *Bound
	// SSLLogin is set when the request came to <path>/ssllogin.
	SSLLogin bool
	// InMultiCall is set for the entries of a multiCall.
	InMultiCall bool
	// Identity is what Authenticate returned.
	Identity any
	// Request is the HTTP request (headers, TLS state, remote address).
	Request *http.Request
}

// Arg returns a bound parameter by name (nil if unknown or without Signature).
func (c *Call) Arg(name string) any {
	if c.Bound == nil {
		return nil
	}
	return c.Bound.Values[name]
}

// Bind stores the bound parameters in dst, a pointer to a struct whose
// fields carry `xmlrpc:"<param name>"` tags, with [Unmarshal]'s rules. A
// type mismatch is a ParameterError (fault 1019).
func (c *Call) Bind(dst any) error {
	if c.Bound == nil {
		return fmt.Errorf("method %s has no signature to bind", c.Method)
	}
	m := make(map[string]any, len(c.Bound.Values))
	for k, v := range c.Bound.Values {
		m[k] = v
	}
	if err := Unmarshal(m, dst); err != nil {
		return &ParameterError{Msg: fmt.Sprintf("%s: %v", c.Method, strings.TrimPrefix(err.Error(), "xmlrpc: ."))}
	}
	return nil
}

// Session is the session information a request carried.
type Session struct {
	ID         int64
	Key        string
	Callnum    int64
	HasCallnum bool
	// FromQuery is set when the session came in the query string (Koji
	// before 1.31, or a client not told "header-auth").
	FromQuery bool
}

// Present reports whether the request carried a session at all.
func (s Session) Present() bool { return s.Key != "" || s.ID != 0 }

// Transactor lets the hub run each request in one database transaction, as
// Koji does: a single call is committed unless it faults; a multiCall is one
// transaction with a savepoint per entry, an entry that faults is rolled
// back to its savepoint and the others are kept.
//
// The Server calls, for one request:
//
//	ctx, tx, err := Begin(ctx, method)      // method: the call, "multiCall" or UploadMethod
//	Authenticate(ctx, ...)                  // inside the transaction
//	single call:  fn(ctx); fault -> tx.Rollback() else tx.Commit()
//	multiCall:    for each entry i: tx.Savepoint(i); fn(ctx);
//	                fault -> tx.RollbackTo(i) else tx.Release(i)
//	              then tx.Commit()          (Rollback() if Authenticate failed)
//
// A Begin or Commit error is sent as a fault; a Savepoint, RollbackTo or
// Release error becomes that entry's fault and ends the multiCall with a
// rollback of everything (the transaction is no longer trustworthy).
type Transactor interface {
	Begin(ctx context.Context, method string) (context.Context, Tx, error)
}

// Tx is one request's transaction (see Transactor).
type Tx interface {
	Savepoint(i int) error
	RollbackTo(i int) error
	Release(i int) error
	Commit() error
	Rollback() error
}

type ctxKey int

const (
	identityKey ctxKey = iota
	callKey
)

// IdentityFrom returns the identity Authenticate returned for the request
// ctx belongs to (nil when anonymous or without Authenticate).
func IdentityFrom(ctx context.Context) any { return ctx.Value(identityKey) }

// CallFrom returns the call being served (nil outside a handler).
func CallFrom(ctx context.Context) *Call {
	c, _ := ctx.Value(callKey).(*Call)
	return c
}

// Register adds a hub function under name. With a non-nil sig the call's
// arguments are bound to it first (wrong arguments: ParameterError 1019
// with Python's text) and the function sees Call.Bound.
func (s *Server) Register(name string, sig *Signature, fn Func) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.methods == nil {
		s.methods = make(map[string]*method)
	}
	s.methods[name] = &method{sig: sig, fn: fn}
}

// Methods lists the registered method names (for system.listMethods).
func (s *Server) Methods() []string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	names := make([]string, 0, len(s.methods))
	for n := range s.methods {
		names = append(names, n)
	}
	return sortStrings(names)
}

func sortStrings(s []string) []string {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
	return s
}

func (s *Server) logger() *slog.Logger {
	if s.Logger != nil {
		return s.Logger
	}
	return slog.Default()
}

func (s *Server) maxLen() int64 {
	if s.MaxRequestLength > 0 {
		return s.MaxRequestLength
	}
	return defaultMaxRequestBytes
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if s.Version != "" {
		w.Header().Set("Koji-Version", s.Version)
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		http.Error(w, "Method Not Allowed: the Koji hub accepts only POST", http.StatusMethodNotAllowed)
		return
	}
	sslLogin := strings.HasSuffix(strings.TrimSuffix(r.URL.Path, "/"), "/ssllogin")
	ct := r.Header.Get("Content-Type")
	if i := strings.IndexByte(ct, ';'); i >= 0 {
		ct = ct[:i]
	}
	if strings.EqualFold(strings.TrimSpace(ct), "application/octet-stream") {
		s.serveUpload(w, r)
		return
	}

	// Read the body, refusing more than MaxRequestLength.
	maxLen := s.maxLen()
	if r.ContentLength > maxLen {
		s.writeFault(w, &Fault{Code: CodeGenericError, String: "Request too long"})
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxLen+1))
	if err != nil {
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			http.Error(w, "Timeout reading request", http.StatusRequestTimeout)
			return
		}
		http.Error(w, "Error reading request: "+err.Error(), http.StatusBadRequest)
		return
	}
	if int64(len(body)) > maxLen {
		s.writeFault(w, &Fault{Code: CodeGenericError, String: "Request too long"})
		return
	}
	if len(bytes.TrimSpace(body)) == 0 {
		http.Error(w, "Empty request", http.StatusBadRequest)
		return
	}
	methodName, params, err := DecodeCallBytes(body)
	if err != nil {
		http.Error(w, "Invalid request: "+err.Error(), http.StatusBadRequest)
		return
	}

	sess, err := s.session(r)
	if err != nil {
		s.writeFault(w, faultOf(err))
		return
	}

	ctx := r.Context()
	var tx Tx
	if s.Tx != nil {
		ctx, tx, err = s.Tx.Begin(ctx, methodName)
		if err != nil {
			s.writeFault(w, faultOf(err))
			return
		}
		g := &guardedTx{Tx: tx}
		defer g.finish()
		tx = g
	}
	identity, err := s.authenticate(ctx, r, methodName, sess)
	if err != nil {
		if tx != nil {
			_ = tx.Rollback()
		}
		s.writeFault(w, faultOf(err))
		return
	}
	ctx = context.WithValue(ctx, identityKey, identity)

	var result any
	var fault *Fault
	if methodName == "multiCall" || methodName == "system.multicall" {
		result, fault = s.multiCall(ctx, r, identity, sslLogin, params, tx)
	} else {
		args, kwargs := SplitKwargs(params)
		result, fault = s.dispatch(ctx, &Call{Method: methodName, Args: args, Kwargs: kwargs,
			SSLLogin: sslLogin, Identity: identity, Request: r})
		if tx != nil {
			if fault != nil {
				_ = tx.Rollback()
			} else if err := tx.Commit(); err != nil {
				fault = faultOf(err)
			}
		}
	}
	if fault != nil {
		s.writeFault(w, fault)
		return
	}
	s.writeResult(w, result)
}

func (s *Server) authenticate(ctx context.Context, r *http.Request, method string, sess Session) (any, error) {
	if s.Authenticate == nil {
		return nil, nil
	}
	return s.Authenticate(ctx, r, method, sess)
}

// session parses the Koji session arguments of r.
func (s *Server) session(r *http.Request) (Session, error) {
	var sess Session
	h := r.Header
	id, key, callnum := h.Get("Koji-Session-Id"), h.Get("Koji-Session-Key"), h.Get("Koji-Session-Callnum")
	if callnum == "" {
		callnum = h.Get("Koji-Callnum")
	}
	if id == "" && key == "" && !s.DisableURLSessions {
		q, err := url.ParseQuery(r.URL.RawQuery)
		if err == nil && (q.Get("session-id") != "" || q.Get("session-key") != "") {
			id, key = q.Get("session-id"), q.Get("session-key")
			if callnum == "" {
				callnum = q.Get("callnum")
			}
			sess.FromQuery = true
		}
	}
	if id == "" && key == "" {
		return Session{}, nil
	}
	n, err := strconv.ParseInt(strings.TrimSpace(id), 10, 64)
	if err != nil || key == "" {
		return Session{}, &Fault{Code: CodeAuthError, String: "Invalid session or bad credentials"}
	}
	sess.ID, sess.Key = n, key
	if callnum != "" {
		c, err := strconv.ParseInt(strings.TrimSpace(callnum), 10, 64)
		if err != nil {
			return Session{}, &Fault{Code: CodeGenericError, String: fmt.Sprintf("invalid callnum %q", callnum)}
		}
		sess.Callnum, sess.HasCallnum = c, true
	}
	return sess, nil
}

// dispatch runs one call and converts its error to a fault.
func (s *Server) dispatch(ctx context.Context, c *Call) (result any, fault *Fault) {
	s.mu.RLock()
	m := s.methods[c.Method]
	s.mu.RUnlock()
	if m == nil {
		return nil, &Fault{Code: CodeGenericError, String: "Invalid method: " + c.Method}
	}
	if m.sig != nil {
		b, err := m.sig.Bind(c.Args, c.Kwargs)
		if err != nil {
			return nil, faultOf(err)
		}
		c.Bound = b
	}
	defer func() {
		if p := recover(); p != nil {
			s.logger().Error("panic in hub method", "method", c.Method, "panic", p, "stack", string(debug.Stack()))
			result, fault = nil, &Fault{Code: CodeUnknown, String: fmt.Sprintf("<class 'Exception'>: internal error in %s: %v", c.Method, p)}
		}
	}()
	ctx = context.WithValue(ctx, callKey, c)
	res, err := m.fn(ctx, c)
	if err != nil {
		f := faultOf(err)
		s.logger().Debug("hub call", "method", c.Method, "fault", f.Code, "error", f.String)
		return nil, f
	}
	s.logger().Debug("hub call", "method", c.Method)
	return res, nil
}

// multiCall runs Koji's multiCall: params[0] is an array of
// {methodName, params} structs.
func (s *Server) multiCall(ctx context.Context, r *http.Request, identity any, sslLogin bool, params []any, tx Tx) (any, *Fault) {
	args, kwargs := SplitKwargs(params)
	sig := Sig("RootExports.multiCall", Req("calls"))
	sig.Self = true
	b, err := sig.Bind(args, kwargs)
	if err != nil {
		if tx != nil {
			_ = tx.Rollback()
		}
		return nil, faultOf(err)
	}
	calls, ok := b.Values["calls"].([]any)
	if !ok {
		if tx != nil {
			_ = tx.Rollback()
		}
		return nil, &Fault{Code: CodeUnknown, String: fmt.Sprintf("<class 'TypeError'>: multiCall expects an array of calls, got %s", typeName(b.Values["calls"]))}
	}
	results := make([]any, len(calls))
	for i, entry := range calls {
		if tx != nil {
			if err := tx.Savepoint(i); err != nil {
				_ = tx.Rollback()
				return nil, faultOf(err)
			}
		}
		res, fault := s.multiEntry(ctx, r, identity, sslLogin, entry)
		if fault != nil {
			results[i] = map[string]any{"faultCode": int64(fault.Code), "faultString": fault.String}
		} else {
			results[i] = []any{res}
		}
		if tx != nil {
			var err error
			if fault != nil {
				err = tx.RollbackTo(i)
			} else {
				err = tx.Release(i)
			}
			if err != nil {
				_ = tx.Rollback()
				return nil, faultOf(err)
			}
		}
	}
	if tx != nil {
		if err := tx.Commit(); err != nil {
			return nil, faultOf(err)
		}
	}
	return results, nil
}

func (s *Server) multiEntry(ctx context.Context, r *http.Request, identity any, sslLogin bool, entry any) (any, *Fault) {
	m, ok := entry.(map[string]any)
	if !ok {
		return nil, &Fault{Code: CodeUnknown, String: fmt.Sprintf("<class 'TypeError'>: multiCall entry is %s, not a struct", typeName(entry))}
	}
	name, ok := m["methodName"].(string)
	if !ok {
		return nil, &Fault{Code: CodeUnknown, String: "<class 'KeyError'>: 'methodName'"}
	}
	var params []any
	switch p := m["params"].(type) {
	case []any:
		params = p
	case nil:
		if _, present := m["params"]; !present {
			return nil, &Fault{Code: CodeUnknown, String: "<class 'KeyError'>: 'params'"}
		}
	default:
		return nil, &Fault{Code: CodeUnknown, String: fmt.Sprintf("<class 'TypeError'>: params of %s is %s, not an array", name, typeName(p))}
	}
	if name == "multiCall" || name == "system.multicall" {
		return nil, &Fault{Code: CodeGenericError, String: "multicall in progress"}
	}
	args, kwargs := SplitKwargs(params)
	return s.dispatch(ctx, &Call{Method: name, Args: args, Kwargs: kwargs, SSLLogin: sslLogin,
		InMultiCall: true, Identity: identity, Request: r})
}

// faultOf converts an error into the fault Koji would send.
func faultOf(err error) *Fault {
	var f *Fault
	if errors.As(err, &f) {
		return f
	}
	var fc FaultCoder
	if errors.As(err, &fc) {
		msg := err.Error()
		if fs, ok := fc.(interface{ FaultString() string }); ok {
			msg = fs.FaultString()
		}
		return &Fault{Code: fc.FaultCode(), String: msg}
	}
	class := "Exception"
	var pc interface{ PythonClass() string }
	if errors.As(err, &pc) {
		class = pc.PythonClass()
	}
	return &Fault{Code: CodeUnknown, String: fmt.Sprintf("<class '%s'>: %s", class, err.Error())}
}

// FaultOf converts an error to the fault the Server sends for it (see Server).
func FaultOf(err error) *Fault { return faultOf(err) }

func (s *Server) writeFault(w http.ResponseWriter, f *Fault) {
	var buf bytes.Buffer
	if err := EncodeFault(&buf, f); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	writeXML(w, buf.Bytes())
}

func (s *Server) writeResult(w http.ResponseWriter, v any) {
	var buf bytes.Buffer
	if err := EncodeResponse(&buf, v); err != nil {
		// An unencodable result is a server bug: tell the client as Koji would.
		s.logger().Error("cannot encode hub result", "error", err)
		s.writeFault(w, &Fault{Code: CodeUnknown, String: "<class 'TypeError'>: " + err.Error()})
		return
	}
	writeXML(w, buf.Bytes())
}

func writeXML(w http.ResponseWriter, b []byte) {
	w.Header().Set("Content-Type", "text/xml")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b)
}

// guardedTx makes sure a request's transaction ends even when a hook or a
// handler panics (net/http recovers the panic; the transaction must not
// stay open and block the next writer).
type guardedTx struct {
	Tx
	done bool
}

func (g *guardedTx) Commit() error   { g.done = true; return g.Tx.Commit() }
func (g *guardedTx) Rollback() error { g.done = true; return g.Tx.Rollback() }

func (g *guardedTx) finish() {
	if !g.done {
		g.done = true
		_ = g.Tx.Rollback()
	}
}
