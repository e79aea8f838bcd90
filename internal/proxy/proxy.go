// Package proxy makes, writes and removes X.509 proxy certificates in Go,
// as grid-proxy-init and grid-proxy-destroy do: an RFC 3820 impersonation
// proxy (the proxyCertInfo extension with the inherit-all policy, subject =
// issuer + CN=<serial number>) or a legacy Globus proxy (CN=proxy), signed
// by the user's certificate key (~/.globus/usercert.pem, userkey.pem,
// encrypted or not), written with mode 0600 as proxy certificate, proxy key,
// then the user's certificate chain.
package proxy

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/osg-htc/osg-build-go/internal/credcheck"
)

// Kind is the kind of proxy to make.
type Kind int

// Kinds of proxies.
const (
	// RFC is an RFC 3820 proxy (grid-proxy-init -rfc, the default).
	RFC Kind = iota
	// Legacy is a pre-RFC Globus (GT2) proxy: CN=proxy, no extension
	// (grid-proxy-init -old).
	Legacy
	// Draft is a pre-RFC (GT3) proxy with the draft proxyCertInfo
	// extension (grid-proxy-init -draft; for tests).
	Draft
)

// Defaults of grid-proxy-init.
const (
	DefaultBits  = 2048
	DefaultValid = 12 * time.Hour
)

// Options say what proxy to make.
type Options struct {
	Kind    Kind
	Limited bool
	// Bits is the size of the proxy's RSA key (DefaultBits when 0).
	Bits int
	// Valid is the lifetime (DefaultValid when 0); it is cut to the
	// issuer's end of validity.
	Valid time.Duration
	// Now is the time of issue (time.Now when zero).
	Now time.Time
	// Key is the proxy's key (nil: a new RSA key of Bits bits).
	Key *rsa.PrivateKey
}

// Proxy is a proxy certificate with its key and the chain that issued it.
type Proxy struct {
	Cert *x509.Certificate
	Key  *rsa.PrivateKey
	// Chain is the issuer's chain (the issuer first).
	Chain []*x509.Certificate
	// Shortened is true when the lifetime was cut to the issuer's.
	Shortened bool
}

// New signs a proxy for chain[0] with its key.
func New(chain []*x509.Certificate, key crypto.Signer, o Options) (*Proxy, error) {
	if len(chain) == 0 {
		return nil, errors.New("no issuer certificate")
	}
	issuer := chain[0]
	if o.Bits == 0 {
		o.Bits = DefaultBits
	}
	if o.Bits < 512 {
		return nil, fmt.Errorf("a %d-bit key is too small (use -bits %d)", o.Bits, DefaultBits)
	}
	if o.Valid == 0 {
		o.Valid = DefaultValid
	}
	if o.Valid < 0 {
		return nil, errors.New("the lifetime must be positive")
	}
	now := o.Now
	if now.IsZero() {
		now = time.Now()
	}
	pk := o.Key
	if pk == nil {
		var err error
		if pk, err = rsa.GenerateKey(rand.Reader, o.Bits); err != nil {
			return nil, err
		}
	}
	sn, err := rand.Int(rand.Reader, big.NewInt(1<<31))
	if err != nil {
		return nil, err
	}
	sn.Add(sn, big.NewInt(1))
	cn := sn.String()
	var exts []pkix.Extension
	switch o.Kind {
	case Legacy:
		cn = "proxy"
		if o.Limited {
			cn = "limited proxy"
		}
	case RFC, Draft:
		lang := credcheck.OIDPolicyInheritAll
		if o.Limited {
			lang = credcheck.OIDPolicyLimited
		}
		v, err := asn1.Marshal(struct{ Policy credcheck.ProxyPolicy }{credcheck.ProxyPolicy{Language: lang}})
		if err != nil {
			return nil, err
		}
		id := credcheck.OIDProxyCertInfo
		if o.Kind == Draft {
			id = credcheck.OIDProxyCertInfoDraft
		}
		exts = append(exts, pkix.Extension{Id: id, Critical: true, Value: v})
	default:
		return nil, fmt.Errorf("unknown proxy kind %d", o.Kind)
	}
	subject, err := appendCN(issuer.RawSubject, cn)
	if err != nil {
		return nil, err
	}
	p := &Proxy{Key: pk, Chain: chain}
	notAfter := now.Add(o.Valid)
	if notAfter.After(issuer.NotAfter) {
		notAfter = issuer.NotAfter
		p.Shortened = true
	}
	tmpl := &x509.Certificate{
		SerialNumber:    sn,
		RawSubject:      subject,
		NotBefore:       now.Add(-5 * time.Minute), // as Globus does, for clocks a little behind
		NotAfter:        notAfter,
		KeyUsage:        x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment | x509.KeyUsageDataEncipherment,
		ExtraExtensions: exts,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, issuer, &pk.PublicKey, key)
	if err != nil {
		return nil, fmt.Errorf("signing the proxy: %w", err)
	}
	if p.Cert, err = x509.ParseCertificate(der); err != nil {
		return nil, err
	}
	return p, nil
}

// appendCN returns the DER name raw plus one RDN CN=cn.
func appendCN(raw []byte, cn string) ([]byte, error) {
	var seq asn1.RawValue
	if rest, err := asn1.Unmarshal(raw, &seq); err != nil || len(rest) > 0 {
		return nil, errors.New("the issuer's subject does not parse")
	}
	atv, err := asn1.Marshal([]struct {
		Type  asn1.ObjectIdentifier
		Value string
	}{{asn1.ObjectIdentifier{2, 5, 4, 3}, cn}})
	if err != nil {
		return nil, err
	}
	// a SET OF, not a SEQUENCE OF
	atv[0] = 0x31
	return asn1.Marshal(asn1.RawValue{Tag: asn1.TagSequence, IsCompound: true, Bytes: append(append([]byte(nil), seq.Bytes...), atv...)})
}

// PEM is the proxy file: proxy certificate, proxy key (PKCS#1), then the
// issuer's chain, as grid-proxy-init writes it.
func (p *Proxy) PEM() []byte {
	out := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: p.Cert.Raw})
	out = append(out, pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(p.Key)})...)
	for _, c := range p.Chain {
		out = append(out, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})...)
	}
	return out
}

// LoadUser reads the user's certificate chain from certFile and the key
// from keyFile (which may be the same file), decrypting it with passphrase
// when it is encrypted, and checks that they belong together.
func LoadUser(certFile, keyFile string, passphrase func() ([]byte, error)) ([]*x509.Certificate, crypto.Signer, error) {
	cb, err := os.ReadFile(certFile)
	if err != nil {
		return nil, nil, userFileError("certificate", certFile, err)
	}
	var chain []*x509.Certificate
	var keyBlk *pem.Block
	for rest := cb; ; {
		var blk *pem.Block
		if blk, rest = pem.Decode(rest); blk == nil {
			break
		}
		switch {
		case blk.Type == "CERTIFICATE":
			c, err := x509.ParseCertificate(blk.Bytes)
			if err != nil {
				return nil, nil, fmt.Errorf("%s: certificate %d does not parse: %w", certFile, len(chain)+1, err)
			}
			chain = append(chain, c)
		case credcheck.IsKeyBlock(blk) && keyBlk == nil && keyFile == certFile:
			keyBlk = blk
		}
	}
	if len(chain) == 0 {
		return nil, nil, fmt.Errorf("%s holds no PEM certificate (use --cert FILE)", certFile)
	}
	if keyFile != certFile {
		kb, err := os.ReadFile(keyFile)
		if err != nil {
			return nil, nil, userFileError("key", keyFile, err)
		}
		for rest := kb; keyBlk == nil; {
			var blk *pem.Block
			if blk, rest = pem.Decode(rest); blk == nil {
				break
			}
			if credcheck.IsKeyBlock(blk) {
				keyBlk = blk
			}
		}
	}
	if keyBlk == nil {
		return nil, nil, fmt.Errorf("%s holds no PEM private key (use --key FILE)", keyFile)
	}
	if st, err := os.Stat(keyFile); err == nil && st.Mode().Perm()&0o077 != 0 {
		return nil, nil, fmt.Errorf("%s holds a private key and can be read by others (mode %04o): chmod 600 %s", keyFile, st.Mode().Perm(), keyFile)
	}
	key, err := credcheck.ParsePrivateKey(keyBlk, passphrase)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", keyFile, err)
	}
	if eq, ok := key.Public().(interface{ Equal(crypto.PublicKey) bool }); !ok || !eq.Equal(chain[0].PublicKey) {
		return nil, nil, fmt.Errorf("the key %s does not belong to the certificate %s (%s)", keyFile, certFile, credcheck.OneLine(chain[0].RawSubject))
	}
	return chain, key, nil
}

func userFileError(what, path string, err error) error {
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("no user %s %s: get your grid certificate into ~/.globus (usercert.pem, userkey.pem), or name the files with --cert and --key", what, path)
	}
	return fmt.Errorf("reading the user %s: %w", what, err)
}

// Write writes data to path with mode 0600, atomically (a temporary file in
// the same directory, renamed into place).
func Write(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("writing the proxy: %w", err)
	}
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Chmod(0o600)
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("writing the proxy %s: %w", path, err)
	}
	return nil
}

// Destroy removes the proxy at path. A missing file is not an error
// (removed reports whether there was one).
func Destroy(path string) (removed bool, err error) {
	if err := os.Remove(path); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return false, nil
		}
		return false, err
	}
	return true, nil
}

// ParseValid reads grid-proxy-init's -valid H:M (hours may exceed 24), or a
// Go duration (12h, 90m).
func ParseValid(s string) (time.Duration, error) {
	if h, m, ok := strings.Cut(s, ":"); ok {
		hh, err1 := strconv.Atoi(h)
		mm, err2 := strconv.Atoi(m)
		if err1 != nil || err2 != nil || hh < 0 || mm < 0 || mm > 59 {
			return 0, fmt.Errorf("invalid lifetime %q: use H:M, for example 12:00", s)
		}
		return time.Duration(hh)*time.Hour + time.Duration(mm)*time.Minute, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("invalid lifetime %q: use H:M, for example 12:00", s)
	}
	return d, nil
}
