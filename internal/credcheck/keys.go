package credcheck

import (
	"crypto"
	"crypto/aes"
	"crypto/cipher"
	"crypto/des"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/pbkdf2"
	"crypto/rsa"
	"crypto/sha1" //nolint:gosec // PBKDF2's default PRF is HMAC-SHA1
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"fmt"
	"hash"
	"strings"
)

// ErrEncrypted is returned (wrapped) for an encrypted key when no
// passphrase was given; ErrPassphrase when the passphrase is wrong.
var (
	ErrEncrypted  = errors.New("the private key is encrypted")
	ErrPassphrase = errors.New("wrong passphrase for the private key")
)

// IsKeyBlock reports whether a PEM block holds a private key.
func IsKeyBlock(blk *pem.Block) bool { return strings.HasSuffix(blk.Type, "PRIVATE KEY") }

// IsEncrypted reports whether a PEM key block is encrypted: the legacy
// OpenSSL form (Proc-Type: 4,ENCRYPTED) or PKCS#8 (ENCRYPTED PRIVATE KEY).
func IsEncrypted(blk *pem.Block) bool {
	return blk.Headers["Proc-Type"] == "4,ENCRYPTED" || blk.Type == "ENCRYPTED PRIVATE KEY"
}

// ParsePrivateKey decodes a PEM private key: PKCS#1 (RSA PRIVATE KEY), SEC 1
// (EC PRIVATE KEY) or PKCS#8 (PRIVATE KEY), and their encrypted forms, the
// legacy OpenSSL one (Proc-Type: 4,ENCRYPTED, DEK-Info) and PKCS#8 PBES2
// (PBKDF2 with AES-CBC or 3DES, what openssl and grid-cert-request write).
// passphrase is called only for an encrypted key; nil gives ErrEncrypted.
func ParsePrivateKey(blk *pem.Block, passphrase func() ([]byte, error)) (crypto.Signer, error) {
	der := blk.Bytes
	typ := blk.Type
	if IsEncrypted(blk) {
		if passphrase == nil {
			return nil, ErrEncrypted
		}
		pw, err := passphrase()
		if err != nil {
			return nil, err
		}
		if blk.Type == "ENCRYPTED PRIVATE KEY" {
			der, err = decryptPKCS8(blk.Bytes, pw)
			typ = "PRIVATE KEY"
		} else {
			der, err = x509.DecryptPEMBlock(blk, pw) //nolint:staticcheck // the legacy format is what ~/.globus/userkey.pem often is
			if errors.Is(err, x509.IncorrectPasswordError) {
				err = ErrPassphrase
			}
		}
		if err != nil {
			return nil, err
		}
	}
	var key any
	var err error
	switch typ {
	case "RSA PRIVATE KEY":
		key, err = x509.ParsePKCS1PrivateKey(der)
	case "EC PRIVATE KEY":
		key, err = x509.ParseECPrivateKey(der)
	case "PRIVATE KEY":
		key, err = x509.ParsePKCS8PrivateKey(der)
	default:
		// some tools label PKCS#8 keys oddly: try every form
		if key, err = x509.ParsePKCS8PrivateKey(der); err != nil {
			if key, err = x509.ParsePKCS1PrivateKey(der); err != nil {
				key, err = x509.ParseECPrivateKey(der)
			}
		}
	}
	if err != nil {
		if IsEncrypted(blk) {
			// a wrong passphrase often decrypts to garbage with valid padding
			return nil, ErrPassphrase
		}
		return nil, fmt.Errorf("parsing the %s: %w", strings.ToLower(blk.Type), err)
	}
	s, ok := key.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("unsupported private key type %T", key)
	}
	return s, nil
}

// KeyInfo describes a public key: its algorithm and size in bits.
func KeyInfo(pub any) (alg string, bits int) {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		return "RSA", k.N.BitLen()
	case *ecdsa.PublicKey:
		return "ECDSA", k.Curve.Params().BitSize
	case ed25519.PublicKey:
		return "Ed25519", 256
	}
	return fmt.Sprintf("%T", pub), 0
}

// PKCS#8 encryption (RFC 8018).
var (
	oidPBES2      = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 13}
	oidPBKDF2     = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 12}
	oidHMACSHA1   = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 7}
	oidHMACSHA224 = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 8}
	oidHMACSHA256 = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 9}
	oidHMACSHA384 = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 10}
	oidHMACSHA512 = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 11}
	oidAES128CBC  = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 2}
	oidAES192CBC  = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 22}
	oidAES256CBC  = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 42}
	oidDESEDE3CBC = asn1.ObjectIdentifier{1, 2, 840, 113549, 3, 7}
)

type encryptedPrivateKeyInfo struct {
	Algorithm pkix.AlgorithmIdentifier
	Data      []byte
}

type pbes2Params struct {
	KDF        pkix.AlgorithmIdentifier
	Encryption pkix.AlgorithmIdentifier
}

type pbkdf2Params struct {
	Salt       []byte
	Iterations int
	KeyLength  int                      `asn1:"optional"`
	PRF        pkix.AlgorithmIdentifier `asn1:"optional"`
}

// decryptPKCS8 decrypts an EncryptedPrivateKeyInfo made with PBES2.
func decryptPKCS8(der, pw []byte) ([]byte, error) {
	var info encryptedPrivateKeyInfo
	if _, err := asn1.Unmarshal(der, &info); err != nil {
		return nil, fmt.Errorf("parsing the encrypted PKCS#8 key: %w", err)
	}
	if !info.Algorithm.Algorithm.Equal(oidPBES2) {
		return nil, fmt.Errorf("the key is encrypted with %v, which osg-build does not read (only PBES2, openssl's default since 1.1); convert it: openssl pkcs8 -topk8 -v2 aes-256-cbc -in KEY -out NEWKEY", info.Algorithm.Algorithm)
	}
	var params pbes2Params
	if _, err := asn1.Unmarshal(info.Algorithm.Parameters.FullBytes, &params); err != nil {
		return nil, fmt.Errorf("parsing the PBES2 parameters: %w", err)
	}
	if !params.KDF.Algorithm.Equal(oidPBKDF2) {
		return nil, fmt.Errorf("the key's key derivation %v is not PBKDF2; convert it: openssl pkcs8 -topk8 -v2 aes-256-cbc -in KEY -out NEWKEY", params.KDF.Algorithm)
	}
	var kdf pbkdf2Params
	if _, err := asn1.Unmarshal(params.KDF.Parameters.FullBytes, &kdf); err != nil {
		return nil, fmt.Errorf("parsing the PBKDF2 parameters: %w", err)
	}
	var prf func() hash.Hash
	switch a := kdf.PRF.Algorithm; {
	case len(a) == 0 || a.Equal(oidHMACSHA1):
		prf = sha1.New
	case a.Equal(oidHMACSHA224):
		prf = sha256.New224
	case a.Equal(oidHMACSHA256):
		prf = sha256.New
	case a.Equal(oidHMACSHA384):
		prf = sha512.New384
	case a.Equal(oidHMACSHA512):
		prf = sha512.New
	default:
		return nil, fmt.Errorf("unsupported PBKDF2 hash %v", a)
	}
	var keyLen int
	var newCipher func([]byte) (cipher.Block, error)
	switch a := params.Encryption.Algorithm; {
	case a.Equal(oidAES128CBC):
		keyLen, newCipher = 16, aes.NewCipher
	case a.Equal(oidAES192CBC):
		keyLen, newCipher = 24, aes.NewCipher
	case a.Equal(oidAES256CBC):
		keyLen, newCipher = 32, aes.NewCipher
	case a.Equal(oidDESEDE3CBC):
		keyLen, newCipher = 24, des.NewTripleDESCipher
	default:
		return nil, fmt.Errorf("unsupported PKCS#8 cipher %v; convert the key: openssl pkcs8 -topk8 -v2 aes-256-cbc -in KEY -out NEWKEY", a)
	}
	var iv []byte
	if _, err := asn1.Unmarshal(params.Encryption.Parameters.FullBytes, &iv); err != nil {
		return nil, fmt.Errorf("parsing the cipher's IV: %w", err)
	}
	key, err := pbkdf2.Key(prf, string(pw), kdf.Salt, kdf.Iterations, keyLen)
	if err != nil {
		return nil, err
	}
	blk, err := newCipher(key)
	if err != nil {
		return nil, err
	}
	if len(iv) != blk.BlockSize() || len(info.Data) == 0 || len(info.Data)%blk.BlockSize() != 0 {
		return nil, errors.New("malformed encrypted PKCS#8 key")
	}
	out := make([]byte, len(info.Data))
	cipher.NewCBCDecrypter(blk, iv).CryptBlocks(out, info.Data)
	n := int(out[len(out)-1])
	if n == 0 || n > blk.BlockSize() {
		return nil, ErrPassphrase
	}
	for _, c := range out[len(out)-n:] {
		if int(c) != n {
			return nil, ErrPassphrase
		}
	}
	return out[:len(out)-n], nil
}
