// Package client is a koji.Hub that talks Koji's XML-RPC to any Koji hub: a
// real Koji or the embedded hub served by `osg-build hub serve`.
//
// It does what Koji's Python ClientSession does, with Go's context:
//
//   - Requests: POST to the hub URL with `User-Agent: koji/1` and
//     `Content-Type: text/xml`; keyword arguments as a trailing struct with
//     "__starstar": true (unset options are never sent, not even as nil);
//     responses decoded by the streaming decoder of internal/xmlrpc.
//   - Sessions: after a login the Koji-Session-Id/Key/Callnum headers (or the
//     query string for hubs whose login does not say header-auth). The
//     callnum grows by one per request (a multiCall and each upload chunk
//     count once) and logged-in requests are serialized, because a hub
//     refuses a callnum lower than one it has stored (SequenceError).
//   - Logins: client certificate (sslLogin at <server>/ssllogin), Kerberos
//     (SPNEGO on the same POST, ticket from KRB5CCNAME or a keytab) and
//     password (login). An AuthExpired fault renews the session with the same
//     login method and repeats the call once.
//   - Retries (see Options.MaxRetries): connection errors and HTTP 5xx
//     answers are retried with the same callnum, the first retry at once and
//     then every RetryInterval, at most MaxRetries times; faults are never
//     retried. Logged-in calls are always retryable (the hub's callnum check
//     refuses a replayed write with RetryError). Anonymous calls are retried
//     when AnonRetry is set or the method only reads (get*, list*, query*,
//     has*, check*, repoInfo, hello, getAPIVersion, downloadTaskOutput, and
//     a multiCall made only of such calls): unlike Koji's client, which never
//     retries anonymous calls unless anon_retry, because a read cannot do
//     harm twice.
//   - The Koji-Version response header is read once and kept (KojiVersion).
package client

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/osg-htc/osg-build-go/internal/xmlrpc"
	"github.com/osg-htc/osg-build-go/pkg/koji"
)

// Defaults, as Koji's client has them.
const (
	DefaultMaxRetries    = 30
	DefaultRetryInterval = 20 * time.Second
	DefaultTimeout       = 12 * time.Hour
	DefaultAuthTimeout   = 60 * time.Second
	DefaultBlockSize     = 1 << 20
)

// Options configure a Client. The zero value of a field means Koji's
// default.
type Options struct {
	// Server is the hub URL (".../kojihub").
	Server string
	// TopURL is the URL of the hub's files ("/kojifiles"), for downloads.
	TopURL string

	// Cert is a PEM file holding the client certificate and its key (or a
	// proxy certificate with its chain), for sslLogin.
	Cert string
	// ServerCA is a PEM bundle to verify the hub's certificate with (the
	// system pool when empty).
	ServerCA string
	// NoSSLVerify turns off verification of the hub's certificate (ignored
	// when ServerCA is set).
	NoSSLVerify bool
	// Principal and Keytab are the Kerberos identity: without Keytab the
	// ticket comes from the credential cache (KRB5CCNAME).
	Principal string
	Keytab    string

	// MaxRetries bounds the retries of one call (0: DefaultMaxRetries;
	// negative: none).
	MaxRetries int
	// RetryInterval is the wait between retries after the first, immediate
	// one (0: DefaultRetryInterval).
	RetryInterval time.Duration
	// AnonRetry retries anonymous calls that may write, too.
	AnonRetry bool
	// Timeout bounds one HTTP request (0: DefaultTimeout); AuthTimeout a
	// login request (0: DefaultAuthTimeout).
	Timeout     time.Duration
	AuthTimeout time.Duration
	// UploadBlockSize is the chunk size of uploads (0: DefaultBlockSize).
	UploadBlockSize int

	// HTTPClient replaces the client built from the TLS options (tests).
	HTTPClient *http.Client
	// Getenv looks up environment variables (KRB5CCNAME, KRB5_CONFIG); nil
	// means os.Getenv.
	Getenv func(string) string
	// Logger receives debug messages (retries, logins); nil means
	// slog.Default().
	Logger *slog.Logger
	// Sleep waits between retries; nil means a context-aware time.Sleep
	// (tests replace it).
	Sleep func(ctx context.Context, d time.Duration) error
}

// Client is a koji.Hub over XML-RPC. It is safe for concurrent use; calls of
// a logged-in session are serialized.
type Client struct {
	opts    Options
	server  *url.URL
	http    atomic.Pointer[http.Client] // replaced by LoginSSL (client certificate)
	log     *slog.Logger
	version versionOnce

	// mu serializes logged-in requests and guards the session.
	mu      sync.Mutex
	session *session
	login   loginFunc // to renew on AuthExpired
}

type session struct {
	koji.SessionInfo
	callnum  int
	authType koji.AuthType
}

type loginFunc func(ctx context.Context, renew bool) (*session, error)

type versionOnce struct {
	mu sync.Mutex
	v  string
}

func (v *versionOnce) set(s string) {
	if s == "" {
		return
	}
	v.mu.Lock()
	if v.v == "" {
		v.v = s
	}
	v.mu.Unlock()
}

func (v *versionOnce) get() string {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.v
}

var _ koji.Hub = (*Client)(nil)

// New returns a Client for the hub at opts.Server. It does not contact the
// hub. An invalid server URL or TLS file makes every call fail with the
// reason.
func New(opts Options) *Client {
	c := &Client{opts: opts, log: opts.Logger}
	if c.log == nil {
		c.log = slog.Default()
	}
	if c.opts.MaxRetries == 0 {
		c.opts.MaxRetries = DefaultMaxRetries
	}
	if c.opts.MaxRetries < 0 {
		c.opts.MaxRetries = 0
	}
	if c.opts.RetryInterval == 0 {
		c.opts.RetryInterval = DefaultRetryInterval
	}
	if c.opts.Timeout == 0 {
		c.opts.Timeout = DefaultTimeout
	}
	if c.opts.AuthTimeout == 0 {
		c.opts.AuthTimeout = DefaultAuthTimeout
	}
	if c.opts.UploadBlockSize <= 0 {
		c.opts.UploadBlockSize = DefaultBlockSize
	}
	if c.opts.Sleep == nil {
		c.opts.Sleep = sleepCtx
	}
	if u, err := url.Parse(opts.Server); err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" {
		c.server = u
	}
	hc := opts.HTTPClient
	if hc == nil {
		hc = &http.Client{Transport: c.newTransport(nil)}
	}
	c.http.Store(hc)
	return c
}

// newTransport builds the HTTP transport with the TLS settings, plus a
// client certificate when given.
func (c *Client) newTransport(cert *tls.Certificate) http.RoundTripper {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = 4
	t.WriteBufferSize = 64 << 10
	t.ReadBufferSize = 64 << 10
	cfg, err := c.tlsConfig()
	if err == nil {
		if cert != nil {
			withClientCert(cfg, *cert)
		}
		t.TLSClientConfig = cfg
	}
	return t
}

// withClientCert adds the client certificate to cfg. Koji's Apache setup
// asks for it only under /kojihub/ssllogin (SSLVerifyClient in a
// <Location>), which Apache does by renegotiating the TLS session; Go
// supports renegotiation only in TLS 1.2 (not TLS 1.3's post-handshake
// authentication), so the certificate-carrying connection is kept at TLS
// 1.2 and accepts one renegotiation.
func withClientCert(cfg *tls.Config, cert tls.Certificate) {
	cfg.Certificates = []tls.Certificate{cert}
	cfg.MaxVersion = tls.VersionTLS12
	cfg.Renegotiation = tls.RenegotiateOnceAsClient
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Server is the hub URL.
func (c *Client) Server() string { return c.opts.Server }

// Options returns the options the client was made with (defaults filled).
func (c *Client) Options() Options { return c.opts }

// KojiVersion is the hub version from the Koji-Version header of the first
// answer that had one ("" before any call, or for hubs older than 1.23;
// HubVersion asks the hub in that case).
func (c *Client) KojiVersion() string { return c.version.get() }

// HubVersion returns the hub's version: the Koji-Version header, else
// getKojiVersion, else "1.22" for hubs without that call (as the koji CLI
// assumes).
func (c *Client) HubVersion(ctx context.Context) (string, error) {
	if v := c.KojiVersion(); v != "" {
		return v, nil
	}
	v, err := c.GetKojiVersion(ctx)
	if koji.IsInvalidMethod(err) {
		return "1.22", nil
	}
	if err != nil {
		return "", err
	}
	c.version.set(v)
	return v, nil
}

// LoggedIn reports whether the client holds a session.
func (c *Client) LoggedIn() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.session != nil
}

// SessionInfo returns the current session (nil when anonymous).
func (c *Client) SessionInfo() *koji.SessionInfo {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.session == nil {
		return nil
	}
	si := c.session.SessionInfo
	return &si
}

// HTTPError is a non-200 answer of the hub.
type HTTPError struct {
	URL        string
	StatusCode int
	Status     string
	Body       string // the start of the body
}

func (e *HTTPError) Error() string {
	msg := fmt.Sprintf("hub %s answered HTTP %s", e.URL, e.Status)
	if e.Body != "" {
		msg += ": " + e.Body
	}
	return msg
}

// temporary reports whether a retry may help (5xx, 408, 429).
func (e *HTTPError) temporary() bool {
	return e.StatusCode >= 500 || e.StatusCode == http.StatusRequestTimeout || e.StatusCode == http.StatusTooManyRequests
}

// request is one prepared HTTP request (sent again as is on retries).
type request struct {
	method      string // XML-RPC method (for messages and the retry rule)
	path        string // "" or "/ssllogin"
	query       url.Values
	contentType string
	body        []byte
	auth        bool // a login: AuthTimeout, no session renewal
	readOnly    bool
	negotiate   func(*http.Request) error // SPNEGO header
	httpClient  *http.Client
	attempts    int // HTTP requests made (set by send)
}

// call performs an XML-RPC call and decodes its value into dst (a pointer,
// or nil to get the raw value back).
func (c *Client) call(ctx context.Context, dst any, method string, args []any, kwargs map[string]any) (any, error) {
	params := args
	if len(kwargs) > 0 {
		params = append(append([]any(nil), args...), xmlrpc.Kwargs(kwargs))
	}
	var buf bytes.Buffer
	if err := xmlrpc.EncodeCall(&buf, method, params...); err != nil {
		return nil, fmt.Errorf("koji %s: %w", method, err)
	}
	req := &request{method: method, contentType: "text/xml", body: buf.Bytes(), readOnly: readOnlyMethod(method)}
	if method == "multiCall" && len(args) == 1 {
		req.readOnly = readOnlyMultiCall(args[0])
	}
	v, err := c.do(ctx, req)
	if err != nil {
		return nil, err
	}
	if dst != nil {
		if err := xmlrpc.Unmarshal(v, dst); err != nil {
			return nil, fmt.Errorf("koji %s: unexpected answer from %s: %w", method, c.opts.Server, err)
		}
	}
	return v, nil
}

// do sends req with the session, renewing an expired session once.
func (c *Client) do(ctx context.Context, req *request) (any, error) {
	v, err := c.doSession(ctx, req)
	if err == nil || req.auth || !koji.IsFault(err, koji.AuthExpired) {
		return v, err
	}
	if rerr := c.renew(ctx); rerr != nil {
		return nil, fmt.Errorf("%w (renewing the session failed: %v)", err, rerr)
	}
	return c.doSession(ctx, req)
}

// doSession sends req once (with retries) under the session lock when
// logged in.
func (c *Client) doSession(ctx context.Context, req *request) (any, error) {
	if c.server == nil {
		return nil, fmt.Errorf("invalid Koji hub URL %q: set server in the Koji config to https://HOST/kojihub", c.opts.Server)
	}
	c.mu.Lock()
	s := c.session
	if s == nil {
		c.mu.Unlock()
		return c.send(ctx, req, nil, 0)
	}
	defer c.mu.Unlock()
	callnum := s.callnum
	s.callnum++
	return c.send(ctx, req, s, callnum)
}

// send performs the HTTP exchange with the retry loop.
func (c *Client) send(ctx context.Context, req *request, s *session, callnum int) (any, error) {
	u := *c.server
	u.Path = strings.TrimSuffix(u.Path, "/") + req.path
	q := u.Query()
	for k, vs := range req.query {
		q[k] = vs
	}
	headers := http.Header{}
	headers.Set("User-Agent", "koji/1")
	headers.Set("Content-Type", req.contentType)
	if s != nil {
		if s.HeaderAuth {
			headers.Set("Koji-Session-Id", strconv.Itoa(s.SessionID))
			headers.Set("Koji-Session-Key", s.SessionKey)
			headers.Set("Koji-Session-Callnum", strconv.Itoa(callnum))
		} else {
			q.Set("session-id", strconv.Itoa(s.SessionID))
			q.Set("session-key", s.SessionKey)
			q.Set("callnum", strconv.Itoa(callnum))
		}
	}
	u.RawQuery = encodeQuery(q, req.query)
	retryable := s != nil || c.opts.AnonRetry || req.readOnly
	maxRetries := c.opts.MaxRetries
	if !retryable || req.negotiate != nil {
		maxRetries = 0
	}
	for attempt := 0; ; attempt++ {
		req.attempts++
		v, err := c.sendOnce(ctx, req, u.String(), headers)
		if err == nil {
			return v, nil
		}
		var f *koji.Fault
		if errors.As(err, &f) || ctx.Err() != nil || !transient(err) || attempt >= maxRetries {
			return nil, err
		}
		wait := c.opts.RetryInterval
		if attempt == 0 {
			wait = 0
		}
		c.log.Debug("retrying Koji call", "method", req.method, "attempt", attempt+1, "error", err)
		if serr := c.opts.Sleep(ctx, wait); serr != nil {
			return nil, err
		}
	}
}

// encodeQuery keeps the order of the upload arguments (Koji's client sends
// filename, filepath, fileverify, offset, overwrite) and appends the rest
// sorted.
func encodeQuery(q url.Values, ordered url.Values) string {
	if len(q) == 0 {
		return ""
	}
	var b strings.Builder
	seen := map[string]bool{}
	add := func(k string) {
		for _, v := range q[k] {
			if b.Len() > 0 {
				b.WriteByte('&')
			}
			b.WriteString(url.QueryEscape(k) + "=" + url.QueryEscape(v))
		}
		seen[k] = true
	}
	for _, k := range []string{"filename", "filepath", "fileverify", "offset", "overwrite", "volume"} {
		if _, ok := ordered[k]; ok {
			add(k)
		}
	}
	rest := url.Values{}
	for k, v := range q {
		if !seen[k] {
			rest[k] = v
		}
	}
	if s := rest.Encode(); s != "" {
		if b.Len() > 0 {
			b.WriteByte('&')
		}
		b.WriteString(s)
	}
	return b.String()
}

// transient reports whether err is worth a retry: connection-level errors and
// temporary HTTP statuses, but not TLS certificate problems.
func transient(err error) bool {
	var he *HTTPError
	if errors.As(err, &he) {
		return he.temporary()
	}
	var ue *url.Error
	if !errors.As(err, &ue) {
		return false
	}
	var certErr *tls.CertificateVerificationError
	var unknownAuth x509UnknownAuthority
	if errors.As(err, &certErr) || errors.As(err, &unknownAuth) {
		return false
	}
	var recErr tls.RecordHeaderError
	var alert tls.AlertError
	var hostErr x509.HostnameError
	if errors.As(err, &recErr) || errors.As(err, &alert) || errors.As(err, &hostErr) {
		return false // TLS problems do not go away by trying again
	}
	var opErr *net.OpError
	if errors.As(err, &opErr) {
		return true
	}
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || ue.Timeout() ||
		strings.Contains(err.Error(), "connection reset") || strings.Contains(err.Error(), "server closed")
}

// sendOnce performs one HTTP request and decodes the XML-RPC answer.
func (c *Client) sendOnce(ctx context.Context, req *request, u string, headers http.Header) (any, error) {
	timeout := c.opts.Timeout
	if req.auth {
		timeout = c.opts.AuthTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	hr, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(req.body))
	if err != nil {
		return nil, fmt.Errorf("koji %s: %w", req.method, err)
	}
	hr.Header = headers.Clone()
	hr.ContentLength = int64(len(req.body))
	if req.negotiate != nil {
		if err := req.negotiate(hr); err != nil {
			return nil, err
		}
	}
	hc := c.http.Load()
	if req.httpClient != nil {
		hc = req.httpClient
	}
	resp, err := hc.Do(hr)
	if err != nil {
		return nil, c.connError(req, err)
	}
	defer resp.Body.Close()
	c.version.set(resp.Header.Get("Koji-Version"))
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return nil, &HTTPError{URL: redact(u), StatusCode: resp.StatusCode, Status: resp.Status, Body: strings.TrimSpace(string(b))}
	}
	v, err := xmlrpc.DecodeResponse(resp.Body)
	if err != nil {
		var xf *xmlrpc.Fault
		if errors.As(err, &xf) {
			return nil, &koji.Fault{Code: xf.Code, String: xf.String}
		}
		if ctx.Err() != nil {
			return nil, c.connError(req, ctx.Err())
		}
		var se *xmlrpc.SyntaxError
		if errors.As(err, &se) {
			return nil, fmt.Errorf("koji %s: invalid answer from %s: %w", req.method, redact(u), err)
		}
		// a body cut short by the connection: retryable
		return nil, c.connError(req, &url.Error{Op: "Post", URL: redact(u), Err: err})
	}
	return v, nil
}

// connError words a transport error, without session keys in the URL.
func (c *Client) connError(req *request, err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		ue.URL = redact(ue.URL)
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("koji %s: no answer from %s in time: %w", req.method, c.opts.Server, err)
	}
	return fmt.Errorf("koji %s: cannot reach %s: %w", req.method, c.opts.Server, err)
}

// redact masks session-key values in a URL.
func redact(u string) string {
	i := strings.Index(u, "session-key=")
	if i < 0 {
		return u
	}
	j := strings.IndexByte(u[i:], '&')
	if j < 0 {
		return u[:i] + "session-key=XXX"
	}
	return u[:i] + "session-key=XXX" + u[i+j:]
}

// readOnlyMethod reports whether method only reads (safe to send twice).
func readOnlyMethod(m string) bool {
	switch m {
	case "hello", "echo", "getAPIVersion", "getKojiVersion", "repoInfo", "downloadTaskOutput",
		"showSession", "taskFinished", "mavenEnabled", "winEnabled", "showOpts":
		return true
	}
	for _, p := range []string{"get", "list", "query", "has", "check"} {
		if strings.HasPrefix(m, p) && len(m) > len(p) && m[len(p)] >= 'A' && m[len(p)] <= 'Z' {
			return true
		}
	}
	return false
}

func readOnlyMultiCall(arg any) bool {
	calls, ok := arg.([]any)
	if !ok {
		return false
	}
	for _, call := range calls {
		m, ok := call.(map[string]any)
		if !ok {
			return false
		}
		name, _ := m["methodName"].(string)
		if !readOnlyMethod(name) {
			return false
		}
	}
	return true
}
