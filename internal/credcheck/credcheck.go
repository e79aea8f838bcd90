// Package credcheck finds the credential a Koji login will use and checks
// it before the login, in the spirit of grid-proxy-info and klist, so that
// an expired proxy, a small key, a key file others can read or a missing
// Kerberos ticket is reported with its fix instead of as a TLS or GSSAPI
// error deep inside the login.
//
// X.509: the config's cert, else X509_USER_PROXY, else /tmp/x509up_u<uid>
// ([LocateX509]); the file is parsed and checked by [CheckX509] (RFC 3820,
// draft (GT3) and legacy (GT2) proxies and end-entity certificates are told
// apart by [ProxyType]). Kerberos: the credential cache of KRB5CCNAME (FILE:
// and DIR: caches) or /tmp/krb5cc_<uid>, checked by [CheckKerberos] for an
// unexpired TGT of the configured principal. [Check] picks the one Koji's
// authtype selects. Everything is local and cheap: no network, and the CA
// of a certificate is found by its subject hash in the CA directory.
package credcheck

import (
	"fmt"
	"os"
	"strings"
	"time"
)

// Levels of a finding.
const (
	LevelOK      = "ok"
	LevelNote    = "note"
	LevelWarning = "warning"
	LevelError   = "error"
)

// Finding is the result of one check.
type Finding struct {
	Level   string `json:"level"`
	Check   string `json:"check"`
	Message string `json:"message"`
	Fix     string `json:"fix,omitempty"`
}

func (f Finding) String() string {
	if f.Fix == "" {
		return f.Message
	}
	return f.Message + ": " + f.Fix
}

// Findings collects the findings of a report.
type Findings struct {
	List []Finding `json:"checks"`
}

func (f *Findings) add(level, check, fix, format string, args ...any) {
	f.List = append(f.List, Finding{Level: level, Check: check, Message: fmt.Sprintf(format, args...), Fix: fix})
}
func (f *Findings) okf(check, format string, args ...any) {
	f.add(LevelOK, check, "", format, args...)
}
func (f *Findings) notef(check, format string, args ...any) {
	f.add(LevelNote, check, "", format, args...)
}
func (f *Findings) warnf(check, fix, format string, args ...any) {
	f.add(LevelWarning, check, fix, format, args...)
}
func (f *Findings) errorf(check, fix, format string, args ...any) {
	f.add(LevelError, check, fix, format, args...)
}

// OK reports whether no check failed (warnings allowed).
func (f *Findings) OK() bool { return f.Err() == nil }

// Err is the first failed check as an *Error, or nil.
func (f *Findings) Err() error {
	for _, x := range f.List {
		if x.Level == LevelError {
			return &Error{Finding: x}
		}
	}
	return nil
}

// Warnings are the findings of level warning.
func (f *Findings) Warnings() []Finding {
	var out []Finding
	for _, x := range f.List {
		if x.Level == LevelWarning {
			out = append(out, x)
		}
	}
	return out
}

// Error is a failed check: the problem and what to do about it.
type Error struct {
	Finding
}

func (e *Error) Error() string { return e.Finding.String() }

// Settings are the login settings of a Koji config that decide the
// credential.
type Settings struct {
	// AuthType is the config's authtype (ssl, kerberos, gssapi, password,
	// noauth, or "" for Koji's choice).
	AuthType  string
	Cert      string
	ServerCA  string
	Principal string
	Keytab    string
}

// Options are the environment of a check.
type Options struct {
	Settings
	// Getenv reads X509_USER_PROXY, X509_CERT_DIR and KRB5CCNAME
	// (os.Getenv when nil).
	Getenv func(string) string
	// UID names the default proxy and credential cache (os.Getuid() when
	// 0).
	UID int
	Now time.Time
	// MinTimeLeft is the time left under which to warn.
	MinTimeLeft time.Duration
}

// Method is the credential Koji's authtype selects: "x509", "kerberos" or
// "" (password or noauth: nothing to check).
func Method(s Settings) string {
	switch strings.ToLower(s.AuthType) {
	case "ssl":
		return "x509"
	case "kerberos", "gssapi":
		return "kerberos"
	case "":
		if s.Cert != "" {
			if _, err := os.Lstat(s.Cert); err == nil {
				return "x509"
			}
		}
		return "kerberos"
	}
	return ""
}

// Report is the result of Check.
type Report struct {
	AuthType string      `json:"authtype"`
	Method   string      `json:"method"`
	X509     *X509Report `json:"x509,omitempty"`
	Kerberos *KrbReport  `json:"kerberos,omitempty"`
	Other    *Findings   `json:"-"`
}

// Findings are the findings of the checked credential.
func (r *Report) Findings() *Findings {
	switch {
	case r.X509 != nil:
		return &r.X509.Findings
	case r.Kerberos != nil:
		return &r.Kerberos.Findings
	case r.Other != nil:
		return r.Other
	}
	return &Findings{}
}

// Err is the first failed check, or nil.
func (r *Report) Err() error { return r.Findings().Err() }

func (o Options) getenv(k string) string {
	if o.Getenv == nil {
		return os.Getenv(k)
	}
	return o.Getenv(k)
}

func (o Options) uid() int {
	if o.UID <= 0 {
		return os.Getuid()
	}
	return o.UID
}

// Check checks the credential the settings' authtype will use.
func Check(o Options) *Report {
	r := &Report{AuthType: o.AuthType, Method: Method(o.Settings)}
	switch r.Method {
	case "x509":
		path, source := LocateX509(o.Cert, o.getenv, o.uid())
		r.X509 = CheckX509(X509Options{Path: path, Source: source, CADir: CADir(o.getenv), CAFile: o.ServerCA, Now: o.Now, MinTimeLeft: o.MinTimeLeft})
	case "kerberos":
		r.Kerberos = CheckKerberos(KrbOptions{CCName: o.getenv("KRB5CCNAME"), Principal: o.Principal, Keytab: o.Keytab, UID: o.uid(), Now: o.Now, MinTimeLeft: o.MinTimeLeft})
	default:
		r.Other = &Findings{}
		r.Other.notef("authtype", "authtype %s: no certificate or ticket to check", o.AuthType)
	}
	return r
}

// LocateX509 returns the X.509 credential to check and where it came from:
// the Koji config's cert, else X509_USER_PROXY, else /tmp/x509up_u<uid>.
func LocateX509(cfgCert string, getenv func(string) string, uid int) (path, source string) {
	if getenv == nil {
		getenv = os.Getenv
	}
	if cfgCert != "" {
		return cfgCert, "cert in the Koji config"
	}
	if p := getenv("X509_USER_PROXY"); p != "" {
		return p, "X509_USER_PROXY"
	}
	return DefaultProxyPath(uid), "default proxy"
}

// LocateX509Path is the proxy Koji-less grid tools would use:
// X509_USER_PROXY, else /tmp/x509up_u<uid>.
func LocateX509Path(getenv func(string) string) string {
	p, _ := LocateX509("", getenv, 0)
	return p
}

// DefaultProxyPath is /tmp/x509up_u<uid>, where grid-proxy-init writes.
func DefaultProxyPath(uid int) string {
	if uid <= 0 {
		uid = os.Getuid()
	}
	return fmt.Sprintf("/tmp/x509up_u%d", uid)
}

// CADir is the directory of trusted CAs: X509_CERT_DIR, else
// /etc/grid-security/certificates when it exists, else "".
func CADir(getenv func(string) string) string {
	if getenv == nil {
		getenv = os.Getenv
	}
	if d := getenv("X509_CERT_DIR"); d != "" {
		return d
	}
	const grid = "/etc/grid-security/certificates"
	if st, err := os.Stat(grid); err == nil && st.IsDir() {
		return grid
	}
	return ""
}
