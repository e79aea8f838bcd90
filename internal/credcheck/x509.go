package credcheck

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Proxy certificate extensions and policy languages.
var (
	// OIDProxyCertInfo is RFC 3820's proxyCertInfo extension.
	OIDProxyCertInfo = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 1, 14}
	// OIDProxyCertInfoDraft is the pre-RFC (GT3) proxyCertInfo extension.
	OIDProxyCertInfoDraft = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 3536, 1, 222}
	// OIDPolicyInheritAll is id-ppl-inheritAll (an impersonation proxy).
	OIDPolicyInheritAll = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 21, 1}
	// OIDPolicyIndependent is id-ppl-independent.
	OIDPolicyIndependent = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 21, 2}
	// OIDPolicyLimited is Globus's limited proxy policy.
	OIDPolicyLimited = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 3536, 1, 1, 1, 9}
	oidCommonName    = asn1.ObjectIdentifier{2, 5, 4, 3}
)

// Kinds of credential, in grid-proxy-info's words.
const (
	TypeEndEntity   = "end entity credential"
	TypeRFC         = "RFC 3820 compliant impersonation proxy"
	TypeRFCLimited  = "RFC 3820 compliant limited proxy"
	TypeRFCIndep    = "RFC 3820 compliant independent proxy"
	TypeRFCRestrict = "RFC 3820 compliant restricted proxy"
	TypeDraft       = "Proxy draft (pre-RFC) compliant impersonation proxy"
	TypeDraftLim    = "Proxy draft (pre-RFC) compliant limited proxy"
	TypeDraftIndep  = "Proxy draft (pre-RFC) compliant independent proxy"
	TypeDraftRestr  = "Proxy draft (pre-RFC) compliant restricted proxy"
	TypeLegacy      = "full legacy globus proxy"
	TypeLegacyLim   = "limited legacy globus proxy"
)

// MinKeyBits is the smallest RSA key the hub's OpenSSL accepts (security
// level 2).
const MinKeyBits = 2048

// DefaultMinTimeLeft is the time left under which a credential draws a
// warning.
const DefaultMinTimeLeft = time.Hour

// ProxyPolicy is the policy part of a proxyCertInfo extension.
type ProxyPolicy struct {
	Language asn1.ObjectIdentifier
	Policy   []byte `asn1:"optional"`
}

// ProxyType says what kind of credential c is. Legacy (GT2) proxies have no
// extension: their subject is the issuer's plus CN=proxy or CN=limited
// proxy.
func ProxyType(c *x509.Certificate) (typ string, proxy bool) {
	for _, ext := range c.Extensions {
		rfc := ext.Id.Equal(OIDProxyCertInfo)
		if !rfc && !ext.Id.Equal(OIDProxyCertInfoDraft) {
			continue
		}
		lang := proxyLanguage(ext.Value)
		switch {
		case lang.Equal(OIDPolicyInheritAll) && rfc:
			return TypeRFC, true
		case lang.Equal(OIDPolicyLimited) && rfc:
			return TypeRFCLimited, true
		case lang.Equal(OIDPolicyIndependent) && rfc:
			return TypeRFCIndep, true
		case rfc:
			return TypeRFCRestrict, true
		case lang.Equal(OIDPolicyInheritAll):
			return TypeDraft, true
		case lang.Equal(OIDPolicyLimited):
			return TypeDraftLim, true
		case lang.Equal(OIDPolicyIndependent):
			return TypeDraftIndep, true
		}
		return TypeDraftRestr, true
	}
	if cn, ok := lastCN(c.RawSubject); ok && subjectExtends(c.RawSubject, c.RawIssuer) {
		switch cn {
		case "proxy":
			return TypeLegacy, true
		case "limited proxy":
			return TypeLegacyLim, true
		}
	}
	return TypeEndEntity, false
}

// proxyLanguage reads the policy language of a proxyCertInfo value
// (SEQUENCE { pCPathLenConstraint INTEGER OPTIONAL, proxyPolicy }); the
// GT3 draft puts the same fields in either order.
func proxyLanguage(v []byte) asn1.ObjectIdentifier {
	var seq asn1.RawValue
	if _, err := asn1.Unmarshal(v, &seq); err != nil {
		return nil
	}
	for rest := seq.Bytes; len(rest) > 0; {
		var el asn1.RawValue
		var err error
		if rest, err = asn1.Unmarshal(rest, &el); err != nil {
			return nil
		}
		if el.Tag == asn1.TagSequence {
			var p ProxyPolicy
			if _, err := asn1.Unmarshal(el.FullBytes, &p); err == nil {
				return p.Language
			}
		}
	}
	return nil
}

// rdns splits a DER name into its RDNs (each a DER SET).
func rdns(raw []byte) [][]byte {
	var seq asn1.RawValue
	if _, err := asn1.Unmarshal(raw, &seq); err != nil {
		return nil
	}
	var out [][]byte
	for rest := seq.Bytes; len(rest) > 0; {
		var set asn1.RawValue
		var err error
		if rest, err = asn1.Unmarshal(rest, &set); err != nil {
			return nil
		}
		out = append(out, set.FullBytes)
	}
	return out
}

// subjectExtends reports whether subject is issuer plus one more RDN (the
// shape of every proxy's subject).
func subjectExtends(subject, issuer []byte) bool {
	s, i := rdns(subject), rdns(issuer)
	if len(s) != len(i)+1 {
		return false
	}
	for k := range i {
		if !bytes.Equal(s[k], i[k]) {
			return false
		}
	}
	return true
}

// lastCN is the value of the last RDN when it is a single CN.
func lastCN(raw []byte) (string, bool) {
	r := rdns(raw)
	if len(r) == 0 {
		return "", false
	}
	var set []struct {
		Type  asn1.ObjectIdentifier
		Value asn1.RawValue
	}
	if _, err := asn1.UnmarshalWithParams(r[len(r)-1], &set, "set"); err != nil || len(set) != 1 || !set[0].Type.Equal(oidCommonName) {
		return "", false
	}
	s, ok := decodeString(set[0].Value)
	return s, ok
}

// Cert describes one certificate of a chain.
type Cert struct {
	Subject   string    `json:"subject"`
	Issuer    string    `json:"issuer"`
	Type      string    `json:"type"`
	KeyType   string    `json:"key_type"`
	KeyBits   int       `json:"key_bits"`
	NotBefore time.Time `json:"not_before"`
	NotAfter  time.Time `json:"not_after"`
}

// X509Options say what to check.
type X509Options struct {
	// Path is the PEM file: a certificate (chain) and its key, or a proxy
	// (proxy, key, then the chain).
	Path string
	// KeyPath is a separate key file ("" = the key is in Path).
	KeyPath string
	// Source says where Path came from (for messages): "cert in the Koji
	// config", "X509_USER_PROXY"...
	Source string
	// CADir is a directory of CA certificates named by subject hash
	// (X509_CERT_DIR, /etc/grid-security/certificates); CAFile a PEM
	// bundle. Without either the chain is not verified.
	CADir  string
	CAFile string
	// Now is the time to check against (time.Now when zero).
	Now time.Time
	// MinTimeLeft is the time left under which to warn
	// (DefaultMinTimeLeft when zero).
	MinTimeLeft time.Duration
	// Passphrase decrypts an encrypted key (nil: an encrypted key is an
	// error, since Koji's login cannot ask for it).
	Passphrase func() ([]byte, error)
}

// X509Report is what CheckX509 found.
type X509Report struct {
	Path     string `json:"path"`
	Source   string `json:"source,omitempty"`
	KeyPath  string `json:"key_path,omitempty"`
	Subject  string `json:"subject,omitempty"`
	Issuer   string `json:"issuer,omitempty"`
	Identity string `json:"identity,omitempty"`
	Type     string `json:"type,omitempty"`
	Proxy    bool   `json:"proxy"`
	KeyType  string `json:"key_type,omitempty"`
	KeyBits  int    `json:"key_bits,omitempty"`
	// NotBefore and NotAfter bound the whole chain's validity (the latest
	// start and the earliest end).
	NotBefore time.Time `json:"not_before"`
	NotAfter  time.Time `json:"not_after"`
	// TimeLeft is how long until NotAfter (0 when expired).
	TimeLeft time.Duration `json:"-"`
	Chain    []Cert        `json:"chain,omitempty"`
	Findings
	// Leaf, Key and Certs are the parsed credential (nil when unparsable).
	Leaf  *x509.Certificate   `json:"-"`
	Key   crypto.Signer       `json:"-"`
	Certs []*x509.Certificate `json:"-"`
}

// CheckX509 reads and checks a certificate or proxy file: that it exists
// (a dangling symlink explained), parses, holds a key matching the
// certificate in a file only its owner may read, that every certificate is
// within its validity and has a key the hub accepts, that proxies are
// signed by their issuers and the end-entity certificate by a CA of CADir or
// CAFile.
func CheckX509(o X509Options) *X509Report {
	now := o.Now
	if now.IsZero() {
		now = time.Now()
	}
	if o.MinTimeLeft == 0 {
		o.MinTimeLeft = DefaultMinTimeLeft
	}
	r := &X509Report{Path: o.Path, Source: o.Source, KeyPath: o.KeyPath}
	data, ok := r.readFile(o.Path, "certificate")
	if !ok {
		return r
	}
	var keyBlk *pem.Block
	for rest := data; ; {
		var blk *pem.Block
		blk, rest = pem.Decode(rest)
		if blk == nil {
			break
		}
		switch {
		case blk.Type == "CERTIFICATE":
			c, err := x509.ParseCertificate(blk.Bytes)
			if err != nil {
				r.errorf("parse", "", "%s: certificate %d does not parse: %v", o.Path, len(r.Certs)+1, err)
				return r
			}
			r.Certs = append(r.Certs, c)
		case IsKeyBlock(blk) && keyBlk == nil:
			keyBlk = blk
		}
	}
	if len(r.Certs) == 0 {
		r.errorf("parse", "make a proxy with `osg-build proxy init`, or point cert in the Koji config at your certificate with `osg-build setup`",
			"%s holds no PEM certificate", o.Path)
		return r
	}
	r.okf("parse", "%s: %d certificate(s)", o.Path, len(r.Certs))
	keyFile := o.Path
	if o.KeyPath != "" {
		kdata, ok := r.readFile(o.KeyPath, "key")
		if !ok {
			return r
		}
		keyBlk = nil
		for rest := kdata; keyBlk == nil; {
			var blk *pem.Block
			if blk, rest = pem.Decode(rest); blk == nil {
				break
			}
			if IsKeyBlock(blk) {
				keyBlk = blk
			}
		}
		keyFile = o.KeyPath
	}
	r.Leaf = r.Certs[0]
	r.describe()
	r.checkKey(keyFile, keyBlk, o.Passphrase)
	r.checkTimes(now, o.MinTimeLeft)
	r.checkKeySizes()
	r.checkChain(o, now)
	return r
}

// readFile reads path, explaining a missing file or dangling symlink.
func (r *X509Report) readFile(path, what string) ([]byte, bool) {
	data, err := os.ReadFile(path)
	if err == nil {
		return data, true
	}
	if errors.Is(err, fs.ErrNotExist) {
		if target, lerr := os.Readlink(path); lerr == nil {
			r.errorf("exists", "make a new proxy with `osg-build proxy init` (it writes "+defaultProxyName()+"), or point cert in the Koji config at your certificate with `osg-build setup`",
				"%s is a symlink to %s, which no longer exists: the proxy it pointed to is gone (proxies expire and /tmp is cleaned)", path, target)
			return nil, false
		}
		r.errorf("exists", "make a proxy with `osg-build proxy init`, or write the Koji config's cert with `osg-build setup`", "%s file %s does not exist", what, path)
		return nil, false
	}
	r.errorf("exists", "", "reading %s: %v", path, err)
	return nil, false
}

func defaultProxyName() string { return fmt.Sprintf("/tmp/x509up_u%d", os.Getuid()) }

func (r *X509Report) describe() {
	for _, c := range r.Certs {
		typ, _ := ProxyType(c)
		alg, bits := KeyInfo(c.PublicKey)
		r.Chain = append(r.Chain, Cert{Subject: OneLine(c.RawSubject), Issuer: OneLine(c.RawIssuer), Type: typ,
			KeyType: alg, KeyBits: bits, NotBefore: c.NotBefore, NotAfter: c.NotAfter})
	}
	leaf := r.Chain[0]
	r.Subject, r.Issuer, r.Type, r.KeyType, r.KeyBits = leaf.Subject, leaf.Issuer, leaf.Type, leaf.KeyType, leaf.KeyBits
	_, r.Proxy = ProxyType(r.Leaf)
	r.Identity = leaf.Subject
	for _, c := range r.Chain {
		if c.Type == TypeEndEntity {
			r.Identity = c.Subject
			break
		}
	}
	r.okf("type", "%s: %s, subject %s", r.Path, r.Type, r.Subject)
}

func (r *X509Report) checkKey(keyFile string, blk *pem.Block, passphrase func() ([]byte, error)) {
	if blk == nil {
		r.errorf("key", "a Koji cert file holds the certificate and its private key: run `osg-build setup`, or make a proxy with `osg-build proxy init`",
			"%s holds no private key", keyFile)
		return
	}
	if st, err := os.Stat(keyFile); err == nil {
		if st.Mode().Perm()&0o077 != 0 {
			r.errorf("permissions", "chmod 600 "+keyFile,
				"%s holds a private key and can be read by others (mode %04o); OpenSSL and the grid tools refuse it", keyFile, st.Mode().Perm())
		} else {
			r.okf("permissions", "%s: mode %04o", keyFile, st.Mode().Perm())
		}
	}
	key, err := ParsePrivateKey(blk, passphrase)
	if err != nil {
		if errors.Is(err, ErrEncrypted) {
			r.errorf("key", "make an unencrypted proxy from it with `osg-build proxy init` and point cert at it (or use Kerberos)",
				"the private key in %s is encrypted, and a Koji login cannot ask for its passphrase", keyFile)
			return
		}
		r.errorf("key", "", "%s: %v", keyFile, err)
		return
	}
	r.Key = key
	if eq, ok := key.Public().(interface{ Equal(crypto.PublicKey) bool }); !ok || !eq.Equal(r.Leaf.PublicKey) {
		r.errorf("key", "put the certificate and the key that belong together in one file (`osg-build setup`), or make a new proxy with `osg-build proxy init`",
			"the private key in %s does not match the certificate %s", keyFile, r.Subject)
		return
	}
	r.okf("key", "%s: the private key matches the certificate", keyFile)
}

func (r *X509Report) checkTimes(now time.Time, minLeft time.Duration) {
	// the chain up to and including the end-entity certificate bounds the
	// credential's life
	for i, c := range r.Certs {
		if i == 0 || c.NotBefore.After(r.NotBefore) {
			r.NotBefore = c.NotBefore
		}
		if i == 0 || c.NotAfter.Before(r.NotAfter) {
			r.NotAfter = c.NotAfter
		}
		if r.Chain[i].Type == TypeEndEntity {
			break
		}
	}
	fix := "make a new proxy with `osg-build proxy init`"
	if !r.Proxy {
		fix = "renew your certificate, then run `osg-build setup`"
	}
	expired := -1
	for i, c := range r.Certs {
		name := r.Chain[i].Subject
		if now.Before(c.NotBefore) {
			r.errorf("validity", "check the clock of this machine (date -u), or wait", "%s is not valid yet: %s starts at %s (in %s)", r.Path, name, c.NotBefore.UTC().Format(time.RFC3339), FormatDuration(c.NotBefore.Sub(now)))
			return
		}
		if !now.Before(c.NotAfter) && (expired < 0 || r.Chain[i].Type == TypeEndEntity) {
			// an expired user certificate is the news, not its proxy
			expired = i
		}
		if r.Chain[i].Type == TypeEndEntity {
			break
		}
	}
	if expired >= 0 {
		c, name := r.Certs[expired], r.Chain[expired].Subject
		if expired > 0 && r.Chain[expired].Type == TypeEndEntity {
			fix = "renew your certificate (" + name + "), then make a new proxy"
		}
		r.errorf("validity", fix, "%s has expired: %s ended at %s (%s ago)", r.Path, name, c.NotAfter.UTC().Format(time.RFC3339), FormatDuration(now.Sub(c.NotAfter)))
		return
	}
	r.TimeLeft = r.NotAfter.Sub(now)
	if r.TimeLeft < minLeft {
		r.warnf("validity", fix, "%s expires in %s (at %s)", r.Path, FormatDuration(r.TimeLeft), r.NotAfter.UTC().Format(time.RFC3339))
		return
	}
	r.okf("validity", "%s: %s left (until %s)", r.Path, FormatDuration(r.TimeLeft), r.NotAfter.UTC().Format(time.RFC3339))
}

func (r *X509Report) checkKeySizes() {
	for i, c := range r.Chain {
		if c.KeyType != "RSA" || c.KeyBits >= MinKeyBits {
			continue
		}
		fix := "make a new proxy with `osg-build proxy init -bits 2048` (grid-proxy-init -bits 2048, voms-proxy-init -bits 2048)"
		if c.Type == TypeEndEntity {
			fix = "request a new certificate with a key of 2048 bits or more"
		}
		r.errorf("key-size", fix, "%s: the key of %s is %d bits; the hub's OpenSSL refuses RSA keys under %d bits (EE_KEY_TOO_SMALL, \"ee key too small\")", r.Path, c.Subject, c.KeyBits, MinKeyBits)
		if i == 0 {
			return
		}
	}
	r.okf("key-size", "%s: %s %d bits", r.Path, r.KeyType, r.KeyBits)
}

// checkChain checks that each proxy is signed by the next certificate and
// verifies the end-entity certificate against the CAs.
func (r *X509Report) checkChain(o X509Options, now time.Time) {
	ee := -1
	for i, c := range r.Chain {
		if c.Type == TypeEndEntity {
			ee = i
			break
		}
	}
	if ee < 0 {
		r.errorf("chain", "the file must hold the proxy, its key and the certificate chain, as `osg-build proxy init` writes it", "%s holds proxies but not the end-entity certificate that issued them", r.Path)
		return
	}
	for i := 0; i < ee; i++ {
		c, parent := r.Certs[i], r.Certs[i+1]
		if !bytes.Equal(c.RawIssuer, parent.RawSubject) {
			r.errorf("chain", "make a new proxy with `osg-build proxy init`", "%s: the proxy %s was issued by %s, but the next certificate is %s", r.Path, r.Chain[i].Subject, r.Chain[i].Issuer, r.Chain[i+1].Subject)
			return
		}
		// CheckSignatureFrom would insist the parent is a CA
		if err := parent.CheckSignature(c.SignatureAlgorithm, c.RawTBSCertificate, c.Signature); err != nil {
			r.errorf("chain", "make a new proxy with `osg-build proxy init`", "%s: the proxy %s is not signed by its issuer's key: %v", r.Path, r.Chain[i].Subject, err)
			return
		}
		if !subjectExtends(c.RawSubject, parent.RawSubject) {
			r.errorf("chain", "make a new proxy with `osg-build proxy init`", "%s: the proxy's subject %s is not its issuer's subject plus one CN", r.Path, r.Chain[i].Subject)
			return
		}
	}
	if ee > 0 {
		r.okf("chain", "%s: %d proxy certificate(s), each signed by its issuer", r.Path, ee)
	}
	anchors := o.CADir
	if anchors == "" {
		anchors = o.CAFile
	}
	if anchors == "" {
		r.notef("ca", "no CA directory (X509_CERT_DIR, /etc/grid-security/certificates) or CA file: the chain to a CA is not verified")
		return
	}
	eeCert := r.Certs[ee]
	roots, inter := x509.NewCertPool(), x509.NewCertPool()
	for _, c := range r.Certs[ee+1:] {
		inter.AddCert(c)
	}
	if o.CADir != "" {
		addFromCADir(o.CADir, eeCert, r.Certs[ee+1:], roots, inter)
	} else if err := addFromFile(o.CAFile, roots, inter); err != nil {
		r.warnf("ca", "", "%v", err)
		return
	}
	_, err := eeCert.Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter, CurrentTime: now, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}})
	if err != nil {
		var ua x509.UnknownAuthorityError
		var ci x509.CertificateInvalidError
		switch {
		case errors.As(err, &ua):
			r.warnf("ca", "install the CA certificates (osg-ca-certs or igtf-ca-certs), or set X509_CERT_DIR",
				"the issuer of %s (%s) is not among the CAs of %s; the hub may still trust it", r.Chain[ee].Subject, r.Chain[ee].Issuer, anchors)
		case errors.As(err, &ci) && ci.Reason == x509.Expired:
			r.errorf("ca", "update the CA certificates (osg-ca-certs / igtf-ca-certs), or renew your certificate", "verifying %s against %s: %v", r.Chain[ee].Subject, anchors, err)
		default:
			r.errorf("ca", "", "verifying %s against %s: %v", r.Chain[ee].Subject, anchors, err)
		}
		return
	}
	r.okf("ca", "%s: issued by a CA of %s", r.Chain[ee].Subject, anchors)
}

// addFromCADir adds the CAs of dir that issued c (and their issuers) by
// subject hash: <hash>.0, <hash>.1... as c_rehash names them. Self-signed
// certificates become roots, others intermediates. When the hash finds
// nothing the directory is read whole.
func addFromCADir(dir string, c *x509.Certificate, chain []*x509.Certificate, roots, inter *x509.CertPool) {
	want := c.RawIssuer
	if len(chain) > 0 {
		want = chain[len(chain)-1].RawIssuer
	}
	found := false
	seen := map[string]bool{}
	for depth := 0; depth < 8 && !seen[string(want)]; depth++ {
		seen[string(want)] = true
		h, err := SubjectHash(want)
		if err != nil {
			break
		}
		var next []byte
		for i := 0; i < 10; i++ {
			b, err := os.ReadFile(filepath.Join(dir, fmt.Sprintf("%08x.%d", h, i)))
			if err != nil {
				break
			}
			for _, ca := range parsePEMCerts(b) {
				if !bytes.Equal(ca.RawSubject, want) {
					continue
				}
				found = true
				if bytes.Equal(ca.RawSubject, ca.RawIssuer) {
					roots.AddCert(ca)
				} else {
					inter.AddCert(ca)
					next = ca.RawIssuer
				}
			}
		}
		if next == nil {
			break
		}
		want = next
	}
	if found {
		return
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		n := e.Name()
		if !(strings.HasSuffix(n, ".pem") || strings.HasSuffix(n, ".crt") || isHashName(n)) {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, n))
		if err != nil {
			continue
		}
		for _, ca := range parsePEMCerts(b) {
			if bytes.Equal(ca.RawSubject, ca.RawIssuer) {
				roots.AddCert(ca)
			} else {
				inter.AddCert(ca)
			}
		}
	}
}

func isHashName(n string) bool {
	base, ext, ok := strings.Cut(n, ".")
	if !ok || len(base) != 8 || len(ext) != 1 || ext[0] < '0' || ext[0] > '9' {
		return false
	}
	for _, c := range base {
		if !strings.ContainsRune("0123456789abcdef", c) {
			return false
		}
	}
	return true
}

func addFromFile(path string, roots, inter *x509.CertPool) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("reading the CA file: %w", err)
	}
	cas := parsePEMCerts(b)
	if len(cas) == 0 {
		return fmt.Errorf("CA file %s holds no PEM certificate", path)
	}
	for _, ca := range cas {
		if bytes.Equal(ca.RawSubject, ca.RawIssuer) {
			roots.AddCert(ca)
		} else {
			// a bundle's intermediates are trusted as OpenSSL's -CAfile would
			roots.AddCert(ca)
			inter.AddCert(ca)
		}
	}
	return nil
}

func parsePEMCerts(b []byte) []*x509.Certificate {
	var out []*x509.Certificate
	for {
		var blk *pem.Block
		blk, b = pem.Decode(b)
		if blk == nil {
			return out
		}
		if blk.Type != "CERTIFICATE" {
			continue
		}
		if c, err := x509.ParseCertificate(blk.Bytes); err == nil {
			out = append(out, c)
		}
	}
}

// FormatDuration is grid-proxy-info's h:mm:ss (hours may exceed 24).
func FormatDuration(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	s := int64(d / time.Second)
	return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
}
