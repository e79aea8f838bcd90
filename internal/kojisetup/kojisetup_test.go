package kojisetup

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestRender(t *testing.T) {
	got, err := Render(Params{ServerCA: "/etc/pki/tls/certs/ca-bundle.crt", AuthType: "kerberos", Principal: "alice@ad.wisc.edu"})
	if err != nil {
		t.Fatal(err)
	}
	want := `[koji]
koji_hub = koji.osg-htc.org
koji_web = %(koji_hub)s
server = https://%(koji_hub)s/kojihub
weburl = https://%(koji_web)s/koji
topurl = https://%(koji_hub)s/kojifiles
serverca = /etc/pki/tls/certs/ca-bundle.crt
authtype = kerberos
principal = alice@AD.WISC.EDU
`
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	got, _ = Render(Params{ServerCA: "/ca", AuthType: "kerberos", Principal: "default"})
	if want := ";principal =\n"; got[len(got)-len(want):] != want {
		t.Errorf("default principal: %s", got)
	}
	got, _ = Render(Params{ServerURL: "https://h:1/kojihub", ServerCA: "/ca", AuthType: "ssl", Cert: "~/.osg-koji/client.crt"})
	want = "[koji]\nserver = https://h:1/kojihub\nweburl = https://h:1/koji\ntopurl = https://h:1/kojifiles\nserverca = /ca\nauthtype = ssl\ncert = ~/.osg-koji/client.crt\n"
	if got != want {
		t.Errorf("ssl: got\n%s", got)
	}
	if _, err := Render(Params{AuthType: "password"}); err == nil {
		t.Error("password authtype accepted")
	}
}

func TestWriteConfigBackup(t *testing.T) {
	p := filepath.Join(t.TempDir(), ".osg-koji", "config")
	if bak, err := WriteConfig(p, "one\n"); err != nil || bak != "" {
		t.Fatal(bak, err)
	}
	bak, err := WriteConfig(p, "two\n")
	if err != nil || bak != p+".bak" {
		t.Fatal(bak, err)
	}
	if b, _ := os.ReadFile(p); string(b) != "two\n" {
		t.Errorf("config %q", b)
	}
	if b, _ := os.ReadFile(bak); string(b) != "one\n" {
		t.Errorf("backup %q", b)
	}
	ents, _ := os.ReadDir(filepath.Dir(p))
	if len(ents) != 2 {
		t.Errorf("left behind: %v", ents) // no temporary files
	}
}

func TestClientCert(t *testing.T) {
	got := ClientCert([]byte("CERT\r\nLINE\r\n-----END"), []byte("KEY\r\n"))
	if string(got) != "CERT\nLINE\n-----END\nKEY\n" {
		t.Errorf("%q", got)
	}
	p := filepath.Join(t.TempDir(), "client.crt")
	now := time.Date(2026, 12, 7, 20, 1, 2, 0, time.UTC)
	if bak, err := WriteClientCert(p, []byte("a"), now); err != nil || bak != "" {
		t.Fatal(bak, err)
	}
	bak, err := WriteClientCert(p, got, now)
	if err != nil || bak != p+".261207200102~" {
		t.Fatal(bak, err)
	}
	st, err := os.Stat(p)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("mode %v %v", st.Mode(), err)
	}
	if b, _ := os.ReadFile(bak); string(b) != "a" {
		t.Errorf("backup %q", b)
	}
}

func TestDotKojiSymlink(t *testing.T) {
	home := t.TempDir()
	if made, err := DotKojiSymlink(home); !made || err != nil {
		t.Fatal(made, err)
	}
	if l, _ := os.Readlink(filepath.Join(home, ".koji")); l != ".osg-koji" {
		t.Errorf("link %q", l)
	}
	if made, _ := DotKojiSymlink(home); made {
		t.Error("replaced an existing ~/.koji")
	}
}
