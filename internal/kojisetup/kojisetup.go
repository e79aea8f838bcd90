// Package kojisetup writes the OSG Koji client configuration as
// `osg-koji setup` does: ~/.osg-koji/config (the old one kept as
// config.bak), for ssl the client.crt of the user certificate and key (CRs
// stripped, mode 0600, an existing one backed up with a time suffix), and
// the ~/.koji symlink.
package kojisetup

import (
	"bytes"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/osg-htc/osg-build-go/pkg/hub/pki"
)

// DefaultHub is the OSG Koji hub's host name.
const DefaultHub = "koji.osg-htc.org"

// SystemCABundles are the OS CA bundles, EL's first, then Debian's.
var SystemCABundles = []string{"/etc/pki/tls/certs/ca-bundle.crt", "/etc/ssl/certs/ca-certificates.crt"}

// SystemCA returns the first OS CA bundle that exists.
func SystemCA() (string, error) {
	for _, p := range SystemCABundles {
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("no system CA bundle (%s): install ca-certificates", strings.Join(SystemCABundles, " or "))
}

// Params are what the config says.
type Params struct {
	// ServerURL is another hub's XML-RPC URL ("" = the OSG hub, written
	// with osg-koji's koji_hub interpolation). WebURL and TopURL default
	// to ServerURL's /koji and /kojifiles.
	ServerURL, WebURL, TopURL string
	ServerCA                  string
	// AuthType is "ssl" or "kerberos".
	AuthType string
	// Principal ("" = the default principal) for kerberos.
	Principal string
	// Cert is the cert line for ssl (osg-koji's ~/.osg-koji/client.crt).
	Cert string
}

// NormalizePrincipal upper-cases the realm of USER@realm; "default" means
// the default principal ("").
func NormalizePrincipal(p string) string {
	p = strings.TrimSpace(p)
	if p == "default" {
		return ""
	}
	if user, realm, ok := strings.Cut(p, "@"); ok {
		return user + "@" + strings.ToUpper(realm)
	}
	return p
}

// Render returns the config text.
func Render(p Params) (string, error) {
	var b strings.Builder
	b.WriteString("[koji]\n")
	if p.ServerURL == "" {
		b.WriteString("koji_hub = " + DefaultHub + "\n")
		b.WriteString("koji_web = %(koji_hub)s\n")
		b.WriteString("server = https://%(koji_hub)s/kojihub\n")
		b.WriteString("weburl = https://%(koji_web)s/koji\n")
		b.WriteString("topurl = https://%(koji_hub)s/kojifiles\n")
	} else {
		u, err := url.Parse(p.ServerURL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return "", fmt.Errorf("invalid hub URL %q: want https://HOST/kojihub", p.ServerURL)
		}
		base := strings.TrimSuffix(strings.TrimSuffix(p.ServerURL, "/"), "/kojihub")
		web, top := p.WebURL, p.TopURL
		if web == "" {
			web = base + "/koji"
		}
		if top == "" {
			top = base + "/kojifiles"
		}
		b.WriteString("server = " + p.ServerURL + "\n")
		b.WriteString("weburl = " + web + "\n")
		b.WriteString("topurl = " + top + "\n")
	}
	b.WriteString("serverca = " + p.ServerCA + "\n")
	switch p.AuthType {
	case "ssl":
		b.WriteString("authtype = ssl\n")
		b.WriteString("cert = " + p.Cert + "\n")
	case "kerberos":
		b.WriteString("authtype = kerberos\n")
		if pr := NormalizePrincipal(p.Principal); pr != "" {
			b.WriteString("principal = " + pr + "\n")
		} else {
			b.WriteString(";principal =\n")
		}
	default:
		return "", fmt.Errorf("invalid authtype %q: want kerberos or ssl", p.AuthType)
	}
	return b.String(), nil
}

// WriteConfig writes text to path atomically; an existing file is kept as
// path.bak (osg-koji's config.bak). It returns the backup's path, or "".
func WriteConfig(path, text string) (backup string, err error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return "", err
	}
	if old, err := os.ReadFile(path); err == nil {
		backup = path + ".bak"
		if err := pki.WriteFile(backup, old, 0o644); err != nil {
			return "", fmt.Errorf("backing up %s: %w", path, err)
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return "", err
	}
	return backup, pki.WriteFile(path, []byte(text), 0o644)
}

// ClientCert is the user certificate and key concatenated (a newline
// between them when the certificate lacks one) with every CR removed, as
// osg-koji's `cat cert key | sed`.
func ClientCert(cert, key []byte) []byte {
	var out []byte
	out = append(out, cert...)
	if len(out) > 0 && out[len(out)-1] != '\n' {
		out = append(out, '\n')
	}
	out = append(out, key...)
	return bytes.ReplaceAll(out, []byte("\r"), nil)
}

// BackupSuffix is the suffix osg-koji gives a replaced file: .YYMMDDhhmmss~.
func BackupSuffix(t time.Time) string { return "." + t.Format("060102150405") + "~" }

// WriteClientCert writes data to path (mode 0600, atomically); an existing
// file is first renamed with BackupSuffix(now). It returns the backup's
// path, or "".
func WriteClientCert(path string, data []byte, now time.Time) (backup string, err error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return "", err
	}
	if _, err := os.Lstat(path); err == nil {
		backup = path + BackupSuffix(now)
		if err := os.Rename(path, backup); err != nil {
			return "", fmt.Errorf("backing up %s: %w", path, err)
		}
	}
	return backup, pki.WriteFile(path, data, 0o600)
}

// DotKojiSymlink makes home/.koji a symlink to home/.osg-koji. It reports
// false, without error, when ~/.koji already exists.
func DotKojiSymlink(home string) (bool, error) {
	link := filepath.Join(home, ".koji")
	if _, err := os.Lstat(link); err == nil {
		return false, nil
	}
	return true, os.Symlink(".osg-koji", link)
}
