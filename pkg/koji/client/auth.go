package client

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"

	krbclient "github.com/jcmturner/gokrb5/v8/client"
	krbconfig "github.com/jcmturner/gokrb5/v8/config"
	"github.com/jcmturner/gokrb5/v8/credentials"
	"github.com/jcmturner/gokrb5/v8/keytab"
	"github.com/jcmturner/gokrb5/v8/spnego"

	"github.com/osg-htc/osg-build-go/internal/xmlrpc"
	"github.com/osg-htc/osg-build-go/pkg/koji"
)

type x509UnknownAuthority = x509.UnknownAuthorityError

// Authentication types accepted by Login (Koji's --authtype values).
const (
	AuthTypeSSL      = "ssl"
	AuthTypePassword = "password"
	AuthTypeKerberos = "kerberos"
	AuthTypeGSSAPI   = "gssapi"
	AuthTypeNoAuth   = "noauth"
)

func (c *Client) getenv(k string) string {
	if c.opts.Getenv != nil {
		return c.opts.Getenv(k)
	}
	return os.Getenv(k)
}

// tlsConfig is the TLS configuration for the hub: ServerCA, or no
// verification with NoSSLVerify.
func (c *Client) tlsConfig() (*tls.Config, error) {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	switch {
	case c.opts.ServerCA != "":
		b, err := os.ReadFile(c.opts.ServerCA)
		if err != nil {
			return nil, fmt.Errorf("reading serverca: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(b) {
			return nil, fmt.Errorf("serverca %s holds no PEM certificate", c.opts.ServerCA)
		}
		cfg.RootCAs = pool
	case c.opts.NoSSLVerify:
		cfg.InsecureSkipVerify = true //nolint:gosec // the user asked for it (no_ssl_verify)
	}
	return cfg, nil
}

// LoadCertificate reads a PEM file holding a certificate and its private key
// in any order, or a proxy certificate followed by its key and chain (the
// files osg-koji setup and grid tools write).
func LoadCertificate(path string) (tls.Certificate, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("reading client certificate: %w", err)
	}
	var certs, keys [][]byte
	for rest := b; ; {
		var blk *pem.Block
		blk, rest = pem.Decode(rest)
		if blk == nil {
			break
		}
		switch {
		case blk.Type == "CERTIFICATE":
			certs = append(certs, pem.EncodeToMemory(blk))
		case strings.HasSuffix(blk.Type, "PRIVATE KEY"):
			if blk.Headers["Proc-Type"] == "4,ENCRYPTED" || blk.Type == "ENCRYPTED PRIVATE KEY" {
				return tls.Certificate{}, fmt.Errorf("client certificate %s: the private key is encrypted; decrypt it (openssl rsa -in KEY -out KEY) or use Kerberos", path)
			}
			keys = append(keys, pem.EncodeToMemory(blk))
		}
	}
	if len(certs) == 0 || len(keys) == 0 {
		return tls.Certificate{}, fmt.Errorf("client certificate %s must hold a PEM certificate and its private key (found %d certificates, %d keys); run osg-build setup", path, len(certs), len(keys))
	}
	cert, err := tls.X509KeyPair(bytes.Join(certs, nil), keys[0])
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("client certificate %s: %w", path, err)
	}
	return cert, nil
}

// Login logs in with the method Koji's CLI would pick: authType "ssl" (or
// empty with a Cert) uses the client certificate, "password" (or empty with
// a user) the password, "kerberos"/"gssapi" (or empty otherwise) Kerberos,
// and "noauth" stays anonymous.
func (c *Client) Login(ctx context.Context, authType, user, password string) error {
	switch strings.ToLower(authType) {
	case AuthTypeNoAuth:
		return nil
	case AuthTypeSSL:
		return c.LoginSSL(ctx)
	case AuthTypePassword:
		return c.LoginPassword(ctx, user, password)
	case AuthTypeKerberos, AuthTypeGSSAPI:
		return c.LoginGSSAPI(ctx)
	case "":
		if c.opts.Cert != "" {
			if _, err := os.Stat(c.opts.Cert); err == nil {
				return c.LoginSSL(ctx)
			}
		}
		if user != "" {
			return c.LoginPassword(ctx, user, password)
		}
		return c.LoginGSSAPI(ctx)
	}
	return fmt.Errorf("unknown authtype %q: use ssl, kerberos, password or noauth", authType)
}

// LoginSSL logs in with the client certificate opts.Cert (sslLogin at
// <server>/ssllogin). Later calls use the same certificate.
func (c *Client) LoginSSL(ctx context.Context) error {
	if c.opts.Cert == "" {
		return errors.New("ssl login needs a client certificate: set cert in the Koji config")
	}
	cert, err := LoadCertificate(c.opts.Cert)
	if err != nil {
		return err
	}
	if _, err := c.tlsConfig(); err != nil {
		return err
	}
	if c.server != nil && c.server.Scheme != "https" {
		return fmt.Errorf("ssl login needs an https:// server, not %s", c.opts.Server)
	}
	hc := c.opts.HTTPClient
	if hc == nil {
		hc = &http.Client{Transport: c.newTransport(&cert)}
	} else if t, ok := hc.Transport.(*http.Transport); ok {
		t = t.Clone()
		if t.TLSClientConfig == nil {
			t.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12}
		}
		t.TLSClientConfig = t.TLSClientConfig.Clone()
		withClientCert(t.TLSClientConfig, cert)
		hc = &http.Client{Transport: t, Timeout: hc.Timeout}
	}
	login := func(ctx context.Context, renew bool) (*session, error) {
		var kw map[string]any
		if renew {
			kw = map[string]any{"renew": true}
		}
		return c.loginCall(ctx, "sslLogin", nil, kw, &request{path: "/ssllogin", httpClient: hc}, koji.AuthSSL)
	}
	if err := c.startSession(ctx, login); err != nil {
		return err
	}
	c.http.Store(hc)
	return nil
}

// LoginPassword logs in with login(user, password).
func (c *Client) LoginPassword(ctx context.Context, user, password string) error {
	if user == "" {
		return errors.New("password login needs a user name (--user)")
	}
	login := func(ctx context.Context, renew bool) (*session, error) {
		var kw map[string]any
		if renew {
			kw = map[string]any{"renew": true}
		}
		return c.loginCall(ctx, "login", []any{user, password}, kw, &request{}, koji.AuthNormal)
	}
	return c.startSession(ctx, login)
}

// LoginGSSAPI logs in with Kerberos: SPNEGO on the sslLogin POST to
// <server>/ssllogin, with a ticket from the credential cache (KRB5CCNAME)
// or from opts.Keytab for opts.Principal.
func (c *Client) LoginGSSAPI(ctx context.Context) error {
	neg, err := c.negotiator()
	if err != nil {
		return err
	}
	return c.loginWithNegotiate(ctx, neg)
}

func (c *Client) loginWithNegotiate(ctx context.Context, neg func(*http.Request) error) error {
	login := func(ctx context.Context, renew bool) (*session, error) {
		var kw map[string]any
		if renew {
			kw = map[string]any{"renew": true}
		}
		return c.loginCall(ctx, "sslLogin", nil, kw, &request{path: "/ssllogin", negotiate: neg}, koji.AuthGSSAPI)
	}
	if err := c.startSession(ctx, login); err != nil {
		var he *HTTPError
		if errors.As(err, &he) && he.StatusCode == http.StatusUnauthorized {
			return fmt.Errorf("kerberos login refused by %s (HTTP 401): check your ticket with klist, or run kinit %s", c.opts.Server, c.principalHint())
		}
		return err
	}
	return nil
}

// negotiator returns the function that sets the SPNEGO Authorization header
// of a request.
func (c *Client) negotiator() (func(*http.Request) error, error) {
	cl, err := c.krbClient()
	if err != nil {
		return nil, err
	}
	host := ""
	if c.server != nil {
		host = c.server.Hostname()
	}
	spn := "HTTP/" + host
	return func(r *http.Request) error {
		if err := spnego.SetSPNEGOHeader(cl, r, spn); err != nil {
			return fmt.Errorf("kerberos: getting a ticket for %s: %w (check the ticket with klist, or run kinit %s)", spn, err, c.principalHint())
		}
		return nil
	}, nil
}

func (c *Client) principalHint() string {
	if c.opts.Principal != "" {
		return c.opts.Principal
	}
	return "USER@REALM"
}

// ccachePath is the credential cache file: KRB5CCNAME (FILE: caches only)
// or /tmp/krb5cc_<uid>.
func (c *Client) ccachePath() (string, error) {
	name := c.getenv("KRB5CCNAME")
	if name == "" {
		return fmt.Sprintf("/tmp/krb5cc_%d", os.Getuid()), nil
	}
	if typ, rest, ok := strings.Cut(name, ":"); ok && !strings.Contains(typ, "/") {
		if !strings.EqualFold(typ, "FILE") {
			return "", fmt.Errorf("kerberos credential cache %q is not a file cache; set KRB5CCNAME=FILE:/tmp/krb5cc_%d and run kinit %s", name, os.Getuid(), c.principalHint())
		}
		name = rest
	}
	return name, nil
}

// krbClient makes a gokrb5 client from the keytab or the credential cache.
func (c *Client) krbClient() (*krbclient.Client, error) {
	var ccache *credentials.CCache
	if c.opts.Keytab == "" {
		path, err := c.ccachePath()
		if err != nil {
			return nil, err
		}
		if _, err := os.Stat(path); err != nil {
			return nil, fmt.Errorf("no Kerberos ticket: run kinit %s (no credential cache %s)", c.principalHint(), path)
		}
		ccache, err = credentials.LoadCCache(path)
		if err != nil {
			return nil, fmt.Errorf("no Kerberos ticket: run kinit %s (cannot read credential cache %s: %v)", c.principalHint(), path, err)
		}
	}
	confPath := c.getenv("KRB5_CONFIG")
	if confPath == "" {
		confPath = "/etc/krb5.conf"
	}
	cfg, err := krbconfig.Load(confPath)
	if err != nil {
		var uerr krbconfig.UnsupportedDirective
		if !errors.As(err, &uerr) {
			return nil, fmt.Errorf("kerberos: reading %s: %w", confPath, err)
		}
	}
	if c.opts.Keytab != "" {
		user, realm, ok := strings.Cut(c.opts.Principal, "@")
		if !ok || user == "" || realm == "" {
			return nil, fmt.Errorf("kerberos: a keytab needs principal = USER@REALM in the Koji config, not %q", c.opts.Principal)
		}
		kt, err := keytab.Load(c.opts.Keytab)
		if err != nil {
			return nil, fmt.Errorf("kerberos: reading keytab %s: %w", c.opts.Keytab, err)
		}
		cl := krbclient.NewWithKeytab(user, realm, kt, cfg, krbclient.DisablePAFXFAST(true))
		if err := cl.Login(); err != nil {
			return nil, fmt.Errorf("kerberos: login as %s with keytab %s: %w", c.opts.Principal, c.opts.Keytab, err)
		}
		return cl, nil
	}
	cl, err := krbclient.NewFromCCache(ccache, cfg, krbclient.DisablePAFXFAST(true))
	if err != nil {
		return nil, fmt.Errorf("no valid Kerberos ticket: run kinit %s (%v)", c.principalHint(), err)
	}
	if c.opts.Principal != "" {
		got := cl.Credentials.CName().PrincipalNameString() + "@" + cl.Credentials.Realm()
		if !strings.EqualFold(got, c.opts.Principal) {
			c.log.Warn("the Kerberos ticket is not for the configured principal", "ticket", got, "principal", c.opts.Principal)
		}
	}
	return cl, nil
}

// startSession runs login and installs the session.
func (c *Client) startSession(ctx context.Context, login loginFunc) error {
	s, err := login(ctx, false)
	if err != nil {
		return err
	}
	c.mu.Lock()
	c.session = s
	c.login = login
	c.mu.Unlock()
	return nil
}

// renew logs in again with the stored login method and renew=True (the hub
// keeps the session id and issues a new key).
func (c *Client) renew(ctx context.Context) error {
	c.mu.Lock()
	login := c.login
	c.mu.Unlock()
	if login == nil {
		return errors.New("no login to renew")
	}
	c.log.Debug("Koji session expired; renewing it")
	s, err := login(ctx, true)
	if err != nil {
		return err
	}
	c.mu.Lock()
	c.session = s
	c.mu.Unlock()
	return nil
}

// loginCall performs a login method. During a renewal the old session's
// headers go along (the hub renews that session).
func (c *Client) loginCall(ctx context.Context, method string, args []any, kw map[string]any, req *request, at koji.AuthType) (*session, error) {
	params := args
	if len(kw) > 0 {
		params = append(append([]any(nil), args...), xmlrpc.Kwargs(kw))
	}
	var buf bytes.Buffer
	if err := xmlrpc.EncodeCall(&buf, method, params...); err != nil {
		return nil, err
	}
	req.method = method
	req.contentType = "text/xml"
	req.body = buf.Bytes()
	req.auth = true
	v, err := c.doSession(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("login to %s failed: %w", c.opts.Server, err)
	}
	var si koji.SessionInfo
	if err := xmlrpc.Unmarshal(v, &si); err != nil || si.SessionKey == "" {
		return nil, fmt.Errorf("login to %s failed: unexpected answer %v", c.opts.Server, v)
	}
	return &session{SessionInfo: si, authType: at}, nil
}

// Logout closes the session on the hub (logout()) and forgets it. Without a
// session it does nothing.
func (c *Client) Logout(ctx context.Context) error {
	if !c.LoggedIn() {
		return nil
	}
	_, err := c.call(ctx, nil, "logout", nil, nil)
	c.mu.Lock()
	c.session = nil
	c.login = nil
	c.mu.Unlock()
	if err != nil {
		return fmt.Errorf("logout: %w", err)
	}
	return nil
}

// AuthType is how the current session was made (koji.AuthSSL…); ok is false
// when anonymous.
func (c *Client) AuthType() (koji.AuthType, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.session == nil {
		return 0, false
	}
	return c.session.authType, true
}
