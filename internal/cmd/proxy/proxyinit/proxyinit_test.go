package proxyinit

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/osg-htc/osg-build-go/internal/credcheck"
	"github.com/osg-htc/osg-build-go/internal/credcheck/credtest"
	"github.com/osg-htc/osg-build-go/internal/iostreams"
)

func TestInitWithEncryptedKey(t *testing.T) {
	home := t.TempDir()
	ca := credtest.NewCA(t, "Test CA")
	user := credtest.ValidUser(t, ca)
	os.Mkdir(filepath.Join(home, ".globus"), 0o700)
	credtest.WriteFile(t, home, ".globus/usercert.pem", credtest.CertPEM(user.Cert), 0o644)
	credtest.WriteFile(t, home, ".globus/userkey.pem", credtest.EncryptedPKCS1(t, user.Key, "pw"), 0o400)
	pwFile := credtest.WriteFile(t, home, "pw", []byte("pw\n"), 0o600)
	out := filepath.Join(home, "x509up")
	env := map[string]string{"HOME": home, "X509_USER_PROXY": out}
	ios, _, stdout, _ := iostreams.Test()
	opts := &Options{IO: ios, Getenv: func(k string) string { return env[k] }, Bits: 2048, Valid: "1:30", PassphraseFile: pwFile}
	if err := Run(context.Background(), opts); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stdout.String(), "Your identity: /DC=org/DC=example/O=People/CN=Jane Packager") {
		t.Errorf("stdout %q", stdout)
	}
	r := credcheck.CheckX509(credcheck.X509Options{Path: out})
	if r.Err() != nil || r.Type != credcheck.TypeRFC || r.TimeLeft > 90*time.Minute {
		t.Errorf("proxy: %v %s %v", r.Err(), r.Type, r.TimeLeft)
	}

	// --old, the passphrase from the prompt function
	opts = &Options{IO: ios, Getenv: opts.Getenv, Bits: 2048, Valid: "12:00", Old: true,
		ReadPassphrase: func() ([]byte, error) { return []byte("pw"), nil }}
	if err := Run(context.Background(), opts); err != nil {
		t.Fatal(err)
	}
	if r := credcheck.CheckX509(credcheck.X509Options{Path: out}); r.Type != credcheck.TypeLegacy {
		t.Errorf("type %s", r.Type)
	}

	// no terminal, no --passphrase-file
	opts = &Options{IO: ios, Getenv: opts.Getenv, Bits: 2048, Valid: "12:00"}
	if err := Run(context.Background(), opts); err == nil || !strings.Contains(err.Error(), "--passphrase-file") {
		t.Errorf("err %v", err)
	}
}
