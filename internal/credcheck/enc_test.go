package credcheck_test

import (
	"crypto/rsa"
	"encoding/pem"
	"errors"
	"testing"

	"github.com/osg-htc/osg-build-go/internal/credcheck"
	. "github.com/osg-htc/osg-build-go/internal/credcheck/credtest"
)

func TestEncryptedKeys(t *testing.T) {
	k := Key(t, "enc", 2048)
	for name, data := range map[string][]byte{
		"pkcs1": EncryptedPKCS1(t, k, "s3cret"),
		"pkcs8": EncryptedPKCS8(t, k, "s3cret"),
	} {
		t.Run(name, func(t *testing.T) {
			blk, _ := pem.Decode(data)
			if !credcheck.IsEncrypted(blk) {
				t.Fatal("not seen as encrypted")
			}
			if _, err := credcheck.ParsePrivateKey(blk, nil); !errors.Is(err, credcheck.ErrEncrypted) {
				t.Errorf("no passphrase: %v", err)
			}
			if _, err := credcheck.ParsePrivateKey(blk, func() ([]byte, error) { return []byte("wrong"), nil }); !errors.Is(err, credcheck.ErrPassphrase) {
				t.Errorf("wrong passphrase: %v", err)
			}
			got, err := credcheck.ParsePrivateKey(blk, func() ([]byte, error) { return []byte("s3cret"), nil })
			if err != nil {
				t.Fatal(err)
			}
			if !got.(*rsa.PrivateKey).Equal(k) {
				t.Error("another key")
			}
		})
	}
}
