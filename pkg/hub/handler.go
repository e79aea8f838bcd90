package hub

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/osg-htc/osg-build-go/internal/xmlrpc"
	"github.com/osg-htc/osg-build-go/pkg/hub/store"
	"github.com/osg-htc/osg-build-go/pkg/koji"
)

// HandlerOption configures Handler.
type HandlerOption func(*handlerOptions)

type handlerOptions struct {
	passwordLogin  bool
	maxRequest     int64
	logger         *slog.Logger
	sessionTimeout time.Duration
	krb            *Kerberos
}

// DefaultSessionTimeout is Koji's SessionRenewalTimeout (1440 minutes):
// a session older than this since its login answers AuthExpired, and
// clients log in again.
const DefaultSessionTimeout = 24 * time.Hour

// WithSessionTimeout sets how long a session lasts after its login.
func WithSessionTimeout(d time.Duration) HandlerOption {
	return func(o *handlerOptions) { o.sessionTimeout = d }
}

// WithPasswordLogin enables login(user, password) against users.password
// (off by default: logins are by client certificate).
func WithPasswordLogin(on bool) HandlerOption {
	return func(o *handlerOptions) { o.passwordLogin = on }
}

// WithMaxRequestLength caps XML-RPC request bodies (Koji's 4 MiB default).
func WithMaxRequestLength(n int64) HandlerOption { return func(o *handlerOptions) { o.maxRequest = n } }

// WithLogger sets the logger of the XML-RPC server.
func WithLogger(l *slog.Logger) HandlerOption { return func(o *handlerOptions) { o.logger = l } }

// Handler serves the hub over Koji's XML-RPC dialect: /kojihub (and
// /kojihub/ssllogin for certificate logins) and the topdir, read-only, at
// /kojifiles/. Served callers are anonymous until they log in; the session
// headers identify them afterwards. sslLogin takes the user name from the
// CN of a verified TLS client certificate (the server's tls.Config decides
// which CAs it trusts) and creates the user on first login, as Koji's
// LoginCreatesUser does; with WithKerberos, it also takes the user from the
// Kerberos principal that SPNEGO authenticated.
func (h *Hub) Handler(opts ...HandlerOption) http.Handler {
	o := handlerOptions{sessionTimeout: DefaultSessionTimeout}
	for _, f := range opts {
		f(&o)
	}
	srv := &xmlrpc.Server{
		Version:          KojiVersion,
		MaxRequestLength: o.maxRequest,
		Logger:           o.logger,
		Tx:               transactor{h},
		Authenticate: func(ctx context.Context, r *http.Request, method string, s xmlrpc.Session) (any, error) {
			return h.authenticate(ctx, method, s, o.sessionTimeout)
		},
		Upload: h.upload,
	}
	for name := range methodTable() {
		name := name
		srv.Register(name, nil, func(ctx context.Context, c *xmlrpc.Call) (any, error) {
			caller, _ := c.Identity.(*Caller)
			if caller == nil {
				caller = &Caller{}
			}
			return h.dispatch(WithCaller(ctx, caller), name, c.Args, c.Kwargs)
		})
	}
	srv.Register("login", nil, func(ctx context.Context, c *xmlrpc.Call) (any, error) {
		if !o.passwordLogin {
			return nil, fault(koji.AuthError, "password logins are disabled on this hub: log in with a client certificate (sslLogin)")
		}
		if len(c.Args) < 2 {
			return nil, fault(koji.ParameterError, "login() missing required positional arguments: 'user' and 'password'")
		}
		user, _ := c.Args[0].(string)
		pw, _ := c.Args[1].(string)
		return h.passwordLogin(ctx, user, pw)
	})
	srv.Register("sslLogin", nil, func(ctx context.Context, c *xmlrpc.Call) (any, error) {
		r := c.Request
		if !c.SSLLogin {
			return nil, fault(koji.AuthError, "sslLogin must be called at <hub>/ssllogin")
		}
		if p := krbPrincipal(r); p != "" && o.krb != nil {
			if err := o.krb.checkKrbRealm(p); err != nil {
				return nil, err
			}
			return h.externalLogin(ctx, "", p, koji.AuthGSSAPI)
		}
		if r.TLS == nil || len(r.TLS.VerifiedChains) == 0 || len(r.TLS.PeerCertificates) == 0 {
			if o.krb != nil {
				return nil, fault(koji.AuthError, "could not verify client: no Kerberos ticket (Negotiate) and no verified client certificate")
			}
			return nil, fault(koji.AuthError, "could not verify client: no verified client certificate")
		}
		cn := r.TLS.PeerCertificates[0].Subject.CommonName
		if cn == "" {
			return nil, fault(koji.AuthError, "unable to get user information (CN) from client certificate")
		}
		return h.externalLogin(ctx, cn, "", koji.AuthSSL)
	})
	srv.Register("logout", nil, func(ctx context.Context, c *xmlrpc.Call) (any, error) {
		caller, _ := c.Identity.(*Caller)
		if caller == nil || caller.SessionID == 0 {
			return nil, nil
		}
		tx, _ := ctx.Value(txKey{}).(*store.Tx)
		_, err := tx.Exec(`UPDATE sessions SET expired = 1, closed = 1 WHERE id = ? OR master = ?`, caller.SessionID, caller.SessionID)
		return nil, err
	})
	srv.Register("getKojiVersion", nil, func(ctx context.Context, c *xmlrpc.Call) (any, error) { return KojiVersion, nil })
	mux := http.NewServeMux()
	mux.Handle("/kojihub", srv)
	mux.Handle("/kojihub/", srv)
	files := http.StripPrefix("/kojifiles/", http.FileServer(http.Dir(h.TopDir())))
	mux.HandleFunc("/kojifiles/", func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		files.ServeHTTP(w, r)
	})
	if o.krb != nil {
		return o.krb.wrap(mux, o.logger)
	}
	return mux
}

// transactor runs each served request in one store transaction: a write
// transaction for writing methods, multiCall, logins and uploads, a read
// transaction (a snapshot) otherwise.
type transactor struct{ h *Hub }

var writeMethods = map[string]bool{"multiCall": true, "system.multicall": true, "login": true, "sslLogin": true,
	"logout": true, xmlrpc.UploadMethod: true}

func (t transactor) Begin(ctx context.Context, method string) (context.Context, xmlrpc.Tx, error) {
	write := writeMethods[method] || IsWrite(method)
	tx, err := t.h.db.Begin(ctx, write)
	if err != nil {
		return ctx, nil, fault(koji.ServerOffline, "database outage: %v", err)
	}
	return context.WithValue(ctx, txKey{}, tx), txAdapter{tx}, nil
}

type txAdapter struct{ tx *store.Tx }

func (a txAdapter) Savepoint(i int) error  { return a.tx.Mark(i) }
func (a txAdapter) RollbackTo(i int) error { return a.tx.RollbackTo(i) }
func (a txAdapter) Release(i int) error    { return a.tx.Release(i) }
func (a txAdapter) Commit() error          { return a.tx.Commit() }
func (a txAdapter) Rollback() error        { return a.tx.Rollback() }

var loginMethods = map[string]bool{"login": true, "sslLogin": true, "logout": true}

// authenticate checks a request's session (koji.md 1.2): id and key must
// match an open session; an expired one is AuthExpired; the callnum must
// grow (SequenceError when lower than the stored one, RetryError when
// equal); it is stored only in write transactions, so only when the call
// commits a write.
func (h *Hub) authenticate(ctx context.Context, method string, s xmlrpc.Session, timeout time.Duration) (any, error) {
	if !s.Present() {
		return &Caller{}, nil
	}
	tx, _ := ctx.Value(txKey{}).(*store.Tx)
	if tx == nil {
		return nil, errors.New("hub: no transaction for the request")
	}
	var c Caller
	var key string
	var callnum sql.NullInt64
	var expired, closed bool
	var status int
	var renewed float64
	err := tx.QueryRow(`SELECT s.user_id, u.name, s.key, s.authtype, s.callnum, s.expired, s.closed, u.status, coalesce(s.renew_time, s.start_time)
		FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id = ?`, s.ID).
		Scan(&c.UserID, &c.Name, &key, &c.AuthType, &callnum, &expired, &closed, &status, &renewed)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && (key != s.Key || closed)) {
		return nil, fault(koji.AuthError, "Invalid session or bad credentials")
	}
	if err != nil {
		return nil, err
	}
	if status != 0 {
		return nil, fault(koji.AuthError, "logins by %s are not allowed", c.Name)
	}
	if !expired && timeout > 0 && tx.NowTS()-renewed > timeout.Seconds() {
		expired = true
		if tx.Writable() {
			if _, err := tx.Exec(`UPDATE sessions SET expired = 1 WHERE id = ?`, s.ID); err != nil {
				return nil, err
			}
		}
	}
	if expired && !loginMethods[method] {
		return nil, fault(koji.AuthExpired, "session %d expired", s.ID)
	}
	if s.HasCallnum && callnum.Valid {
		switch {
		case callnum.Int64 > s.Callnum:
			return nil, fault(koji.SequenceError, "%d > %d (session %d)", callnum.Int64, s.Callnum, s.ID)
		case callnum.Int64 == s.Callnum:
			return nil, fault(koji.RetryError, "unable to retry call %d (method %s) for session %d", s.Callnum, method, s.ID)
		}
	}
	if s.HasCallnum && tx.Writable() {
		if _, err := tx.Exec(`UPDATE sessions SET callnum = ?, update_time = ? WHERE id = ?`, s.Callnum, tx.NowTS(), s.ID); err != nil {
			return nil, err
		}
	}
	c.SessionID = s.ID
	return &c, nil
}

const keyChars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

func randomKey(n int) (string, error) {
	b := make([]byte, n)
	for i := range b {
		j, err := rand.Int(rand.Reader, big.NewInt(int64(len(keyChars))))
		if err != nil {
			return "", err
		}
		b[i] = keyChars[j.Int64()]
	}
	return string(b), nil
}

// newSession creates a session for a user; key "<user_id>-<19 alnum>".
func newSession(tx *store.Tx, userID int64, authtype int) (*koji.SessionInfo, error) {
	r, err := randomKey(19)
	if err != nil {
		return nil, err
	}
	key := strconv.FormatInt(userID, 10) + "-" + r
	now := tx.NowTS()
	id, err := tx.Insert(`INSERT INTO sessions (user_id, key, hostip, authtype, start_time, update_time, renew_time)
		VALUES (?, ?, '-', ?, ?, ?, ?)`, userID, key, authtype, now, now, now)
	if err != nil {
		return nil, err
	}
	return &koji.SessionInfo{SessionID: int(id), SessionKey: key, HeaderAuth: true}, nil
}

// externalLogin is the one place where a user authenticated outside the
// hub (a verified certificate's CN, or a Kerberos principal checked by
// SPNEGO) gets a session; the user is created on first login, as Koji's
// LoginCreatesUser does. For a principal, the user is the one holding it,
// else the user named by the principal's part before the '@' (created if
// missing), and the principal is recorded for that user.
func (h *Hub) externalLogin(ctx context.Context, name, principal string, authtype koji.AuthType) (*koji.SessionInfo, error) {
	tx, _ := ctx.Value(txKey{}).(*store.Tx)
	if tx == nil {
		return nil, errors.New("hub: no transaction for the login")
	}
	var id int64
	var status int
	err := sql.ErrNoRows
	if principal != "" {
		err = tx.QueryRow(`SELECT u.id, u.name, u.status FROM users u JOIN user_krb_principals k ON k.user_id = u.id WHERE k.krb_principal = ?`, principal).
			Scan(&id, &name, &status)
		if errors.Is(err, sql.ErrNoRows) {
			i := strings.LastIndexByte(principal, '@')
			if i <= 0 {
				return nil, fault(koji.AuthError, "invalid Kerberos principal: %s", principal)
			}
			name = principal[:i]
		}
	}
	if errors.Is(err, sql.ErrNoRows) {
		err = tx.QueryRow(`SELECT id, status FROM users WHERE name = ?`, name).Scan(&id, &status)
		if errors.Is(err, sql.ErrNoRows) {
			id, err = tx.Insert(`INSERT INTO users (name, status, usertype) VALUES (?, 0, 0)`, name)
		}
		if err == nil && principal != "" {
			_, err = tx.Exec(`INSERT INTO user_krb_principals (user_id, krb_principal) VALUES (?, ?)`, id, principal)
		}
	}
	if err != nil {
		return nil, err
	}
	if status != 0 {
		return nil, fault(koji.AuthError, "logins by %s are not allowed", name)
	}
	return newSession(tx, id, int(authtype))
}

func (h *Hub) passwordLogin(ctx context.Context, name, password string) (*koji.SessionInfo, error) {
	tx, _ := ctx.Value(txKey{}).(*store.Tx)
	if tx == nil {
		return nil, errors.New("hub: no transaction for the login")
	}
	var id int64
	var status int
	var pw sql.NullString
	err := tx.QueryRow(`SELECT id, status, password FROM users WHERE name = ?`, name).Scan(&id, &status, &pw)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && (!pw.Valid || pw.String != password)) {
		return nil, fault(koji.AuthError, "Invalid username or password")
	}
	if err != nil {
		return nil, err
	}
	if status != 0 {
		return nil, fault(koji.AuthError, "logins by %s are not allowed", name)
	}
	return newSession(tx, id, int(koji.AuthNormal))
}

// SetPassword sets a user's password for password logins (in-process admin
// operation; Koji stores it as given).
func (h *Hub) SetPassword(ctx context.Context, user, password string) error {
	return h.write(ctx, func(tx *store.Tx) error {
		r, err := tx.Exec(`UPDATE users SET password = ? WHERE name = ?`, password, user)
		if err != nil {
			return err
		}
		if n, _ := r.RowsAffected(); n == 0 {
			return fault(koji.GenericError, "No such user: %s", pyRepr(user))
		}
		return nil
	})
}

// upload handles a raw chunk upload: a logged-in user writes under
// work/<filepath>/, in a directory that is theirs.
func (h *Hub) upload(ctx context.Context, c *xmlrpc.UploadCall) (any, error) {
	caller, _ := c.Identity.(*Caller)
	if caller == nil || caller.UserID == 0 {
		return nil, fault(koji.ActionNotAllowed, "you must be logged in for this operation")
	}
	return xmlrpc.WriteChunk(filepath.Join(h.TopDir(), "work"), c.Params, c.Body, fmt.Sprint(caller.UserID))
}
