package hub

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"strings"

	"github.com/jcmturner/goidentity/v6"
	"github.com/jcmturner/gokrb5/v8/keytab"
	"github.com/jcmturner/gokrb5/v8/service"
	"github.com/jcmturner/gokrb5/v8/spnego"

	"github.com/osg-htc/osg-build-go/pkg/koji"
)

// Kerberos is the service side of Kerberos logins on the served hub:
// SPNEGO (HTTP Negotiate) on the sslLogin POST to /kojihub/ssllogin,
// checked against a keytab, as Koji's hub behind mod_auth_gssapi does.
// Make one with LoadKerberos and give it to Handler with WithKerberos.
type Kerberos struct {
	keytab    *keytab.Keytab
	path      string
	principal string          // service principal "HTTP/host@REALM" ("" = any in the keytab)
	realms    map[string]bool // allowed client realms
}

// LoadKerberos reads the keytab at path and checks that it holds keys for
// principal (HTTP/host@REALM; "" accepts tickets for any principal of the
// keytab). realms are the client realms allowed to log in; none means the
// service principal's realm (with no principal, the realms of the keytab's
// principals).
func LoadKerberos(path, principal string, realms []string) (*Kerberos, error) {
	if path == "" {
		return nil, fmt.Errorf("kerberos: no keytab file given")
	}
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("kerberos: keytab %s: %w", path, err)
	}
	kt, err := keytab.Load(path)
	if err != nil {
		return nil, fmt.Errorf("kerberos: reading keytab %s: %w (make it with kadmin: ktadd -k %s HTTP/HOST@REALM)", path, err, path)
	}
	if len(kt.Entries) == 0 {
		return nil, fmt.Errorf("kerberos: keytab %s holds no keys", path)
	}
	k := &Kerberos{keytab: kt, path: path, realms: map[string]bool{}}
	have := map[string]bool{} // principals of the keytab
	keyRealms := map[string]bool{}
	for _, e := range kt.Entries {
		have[strings.Join(e.Principal.Components, "/")+"@"+e.Principal.Realm] = true
		keyRealms[e.Principal.Realm] = true
	}
	if principal != "" {
		name, realm, ok := strings.Cut(principal, "@")
		if !ok || name == "" || realm == "" || strings.Contains(realm, "@") {
			return nil, fmt.Errorf("kerberos: invalid service principal %q: want HTTP/HOST@REALM", principal)
		}
		if !have[principal] {
			return nil, fmt.Errorf("kerberos: keytab %s holds no key for %s (it has %s)", path, principal, strings.Join(sortedKeys(have), ", "))
		}
		k.principal = principal
		keyRealms = map[string]bool{realm: true}
	}
	for _, r := range realms {
		if r = strings.TrimSpace(r); r != "" {
			k.realms[r] = true
		}
	}
	if len(k.realms) == 0 {
		k.realms = keyRealms
	}
	return k, nil
}

// Realms are the client realms allowed to log in, sorted.
func (k *Kerberos) Realms() []string { return sortedKeys(k.realms) }

// Principal is the service principal ("" when any principal of the keytab
// is accepted).
func (k *Kerberos) Principal() string { return k.principal }

// WithKerberos enables Kerberos logins: a POST to /kojihub/ssllogin with
// "Authorization: Negotiate ..." is checked against the keytab; one without
// it (and without a verified client certificate) answers 401 with
// "WWW-Authenticate: Negotiate".
func WithKerberos(k *Kerberos) HandlerOption { return func(o *handlerOptions) { o.krb = k } }

type krbPrincipalKey struct{}

// krbPrincipal is the client principal (user@REALM) SPNEGO authenticated
// for the request, "" when none.
func krbPrincipal(r *http.Request) string {
	if r == nil {
		return ""
	}
	p, _ := r.Context().Value(krbPrincipalKey{}).(string)
	return p
}

// wrap puts SPNEGO in front of sslLogin requests; other requests, and
// sslLogin with a verified client certificate and no Negotiate header, go
// to next unchanged.
func (k *Kerberos) wrap(next http.Handler, logger *slog.Logger) http.Handler {
	settings := []func(*service.Settings){service.DecodePAC(false)}
	if k.principal != "" {
		settings = append(settings, service.KeytabPrincipal(strings.SplitN(k.principal, "@", 2)[0]))
	}
	if logger != nil {
		settings = append(settings, service.Logger(slog.NewLogLogger(logger.Handler(), slog.LevelDebug)))
	}
	accepted := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := goidentity.FromHTTPRequestContext(r)
		if id == nil || !id.Authenticated() || id.UserName() == "" {
			negotiate(w, "Kerberos authentication failed")
			return
		}
		p := id.UserName() + "@" + id.Domain()
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), krbPrincipalKey{}, p)))
	})
	spnegoH := spnego.SPNEGOKRB5Authenticate(accepted, k.keytab, settings...)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || !strings.HasSuffix(strings.TrimSuffix(r.URL.Path, "/"), "/ssllogin") {
			next.ServeHTTP(w, r)
			return
		}
		if scheme, _, _ := strings.Cut(r.Header.Get("Authorization"), " "); scheme == "Negotiate" {
			spnegoH.ServeHTTP(w, r)
			return
		}
		if r.TLS != nil && len(r.TLS.VerifiedChains) > 0 {
			next.ServeHTTP(w, r) // a certificate login
			return
		}
		negotiate(w, "Kerberos (SPNEGO) or client certificate authentication required")
	})
}

// negotiate answers 401 asking for SPNEGO.
func negotiate(w http.ResponseWriter, msg string) {
	w.Header().Set("WWW-Authenticate", "Negotiate")
	http.Error(w, msg, http.StatusUnauthorized)
}

// checkKrbRealm is Koji's AllowedKrbRealms check of a client principal.
func (k *Kerberos) checkKrbRealm(principal string) error {
	i := strings.LastIndexByte(principal, '@')
	if i <= 0 {
		return fault(koji.AuthError, "invalid Kerberos principal: %s", principal)
	}
	if realm := principal[i+1:]; !k.realms[realm] {
		return fault(koji.AuthError, "Kerberos principal's realm %s is not allowed on this hub (allowed: %s)", realm, strings.Join(k.Realms(), ", "))
	}
	return nil
}
