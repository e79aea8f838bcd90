// Package credtest makes the CAs, user certificates, proxies and encrypted
// keys the credential tests need, in Go.
package credtest

import (
	"crypto"
	"crypto/aes"
	"crypto/cipher"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/osg-htc/osg-build-go/internal/credcheck"
	"github.com/osg-htc/osg-build-go/internal/proxy"
)

// keys are made once per size: RSA generation is the slow part of these
// tests.
var (
	keyMu sync.Mutex
	keys  = map[string]*rsa.PrivateKey{}
)

// Key returns the RSA key called name of the given size, made once per test binary.
func Key(t testing.TB, name string, bits int) *rsa.PrivateKey {
	t.Helper()
	keyMu.Lock()
	defer keyMu.Unlock()
	id := fmt.Sprintf("%s/%d", name, bits)
	if k := keys[id]; k != nil {
		return k
	}
	k, err := rsa.GenerateKey(rand.Reader, bits)
	if err != nil {
		t.Fatal(err)
	}
	keys[id] = k
	return k
}

// Pair is a certificate and its key.
type Pair struct {
	Cert *x509.Certificate
	Key  crypto.Signer
}

// CertPEM encodes certificates.
func CertPEM(cs ...*x509.Certificate) []byte {
	var out []byte
	for _, c := range cs {
		out = append(out, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})...)
	}
	return out
}

// KeyPEM encodes a key in PKCS#8.
func KeyPEM(t testing.TB, k crypto.Signer) []byte {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
}

var (
	serialMu sync.Mutex
	serial   int64 = 100
)

// NewCA makes a self-signed grid-style CA.
func NewCA(t testing.TB, name string) Pair {
	t.Helper()
	k := Key(t, "ca-"+name, 2048)
	serialMu.Lock()
	serial++
	sn := serial
	serialMu.Unlock()
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(sn),
		Subject:               pkix.Name{Country: []string{"US"}, Organization: []string{"Test Grid"}, CommonName: name},
		NotBefore:             time.Now().Add(-24 * time.Hour),
		NotAfter:              time.Now().AddDate(5, 0, 0),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := x509.ParseCertificate(der)
	return Pair{c, k}
}

// UserCert makes an end-entity certificate /DC=org/DC=example/O=People/CN=name.
func UserCert(t testing.TB, ca Pair, name string, bits int, nb, na time.Time) Pair {
	t.Helper()
	return UserCertWithKey(t, ca, name, Key(t, "user-"+name, bits), nb, na)
}

// UserCertWithKey is UserCert with a given key.
func UserCertWithKey(t testing.TB, ca Pair, name string, k *rsa.PrivateKey, nb, na time.Time) Pair {
	t.Helper()
	serialMu.Lock()
	serial++
	sn := serial
	serialMu.Unlock()
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(sn),
		Subject: pkix.Name{ExtraNames: []pkix.AttributeTypeAndValue{
			{Type: []int{0, 9, 2342, 19200300, 100, 1, 25}, Value: "org"},
			{Type: []int{0, 9, 2342, 19200300, 100, 1, 25}, Value: "example"},
			{Type: []int{2, 5, 4, 10}, Value: "People"},
			{Type: []int{2, 5, 4, 3}, Value: name},
		}},
		NotBefore:             nb,
		NotAfter:              na,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.Cert, &k.PublicKey, ca.Key)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := x509.ParseCertificate(der)
	return Pair{c, k}
}

// ValidUser is a user certificate valid for a year, 2048 bits.
func ValidUser(t testing.TB, ca Pair) Pair {
	return UserCert(t, ca, "Jane Packager", 2048, time.Now().Add(-time.Hour), time.Now().AddDate(1, 0, 0))
}

// Proxy signs a proxy for the user with the given options.
func Proxy(t testing.TB, user Pair, o proxy.Options) *proxy.Proxy {
	t.Helper()
	if o.Key == nil {
		bits := o.Bits
		if bits == 0 {
			bits = 2048
		}
		o.Key = Key(t, "proxy", bits)
	}
	p, err := proxy.New([]*x509.Certificate{user.Cert}, user.Key, o)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// WriteFile writes data with mode and returns the path.
func WriteFile(t testing.TB, dir, name string, data []byte, mode os.FileMode) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(p, mode); err != nil {
		t.Fatal(err)
	}
	return p
}

// CADir writes CA certificates as c_rehash names them.
func CADir(t testing.TB, cas ...Pair) string {
	t.Helper()
	dir := t.TempDir()
	for _, ca := range cas {
		h, err := credcheck.SubjectHash(ca.Cert.RawSubject)
		if err != nil {
			t.Fatal(err)
		}
		WriteFile(t, dir, fmt.Sprintf("%08x.0", h), CertPEM(ca.Cert), 0o644)
	}
	return dir
}

// EncryptedPKCS1 is the legacy OpenSSL encrypted PEM (Proc-Type: 4,ENCRYPTED).
func EncryptedPKCS1(t testing.TB, k crypto.Signer, pass string) []byte {
	t.Helper()
	blk, err := x509.EncryptPEMBlock(rand.Reader, "RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(k.(*rsa.PrivateKey)), []byte(pass), x509.PEMCipherAES256) //nolint:staticcheck // the format under test
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(blk)
}

// EncryptedPKCS8 is openssl's default encrypted key: PBES2, PBKDF2 with
// HMAC-SHA256, AES-256-CBC.
func EncryptedPKCS8(t testing.TB, k crypto.Signer, pass string) []byte {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	salt, iv := make([]byte, 16), make([]byte, 16)
	rand.Read(salt)
	rand.Read(iv)
	key, err := pbkdf2.Key(sha256.New, pass, salt, 2048, 32)
	if err != nil {
		t.Fatal(err)
	}
	n := 16 - len(der)%16
	for i := 0; i < n; i++ {
		der = append(der, byte(n))
	}
	blk, _ := aes.NewCipher(key)
	cipher.NewCBCEncrypter(blk, iv).CryptBlocks(der, der)
	mustDER := func(v any) asn1.RawValue {
		b, err := asn1.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return asn1.RawValue{FullBytes: b}
	}
	kdf := struct {
		Salt       []byte
		Iterations int
		PRF        pkix.AlgorithmIdentifier
	}{salt, 2048, pkix.AlgorithmIdentifier{Algorithm: asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 9}, Parameters: asn1.NullRawValue}}
	params := struct {
		KDF pkix.AlgorithmIdentifier
		Enc pkix.AlgorithmIdentifier
	}{
		pkix.AlgorithmIdentifier{Algorithm: asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 12}, Parameters: mustDER(kdf)},
		pkix.AlgorithmIdentifier{Algorithm: asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 42}, Parameters: mustDER(iv)},
	}
	info := struct {
		Alg  pkix.AlgorithmIdentifier
		Data []byte
	}{pkix.AlgorithmIdentifier{Algorithm: asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 13}, Parameters: mustDER(params)}, der}
	out, err := asn1.Marshal(info)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "ENCRYPTED PRIVATE KEY", Bytes: out})
}
