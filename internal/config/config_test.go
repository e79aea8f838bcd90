package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// osgKojiConfig is what osg-koji setup writes.
const osgKojiConfig = `[koji]
koji_hub = koji.osg-htc.org
koji_web = %(koji_hub)s
server = https://%(koji_hub)s/kojihub
weburl = https://%(koji_web)s/koji
topurl = https://%(koji_hub)s/kojifiles
serverca = /etc/pki/tls/certs/ca-bundle.crt
authtype = kerberos
principal = alice@AD.WISC.EDU
;principal =
`

func write(t *testing.T, dir, rel, content string) string {
	t.Helper()
	p := filepath.Join(dir, rel)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestParseOSGKojiConfig(t *testing.T) {
	k, err := Parse("config", []byte(osgKojiConfig), "", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if k.Server != "https://koji.osg-htc.org/kojihub" || k.WebURL != "https://koji.osg-htc.org/koji" || k.TopURL != "https://koji.osg-htc.org/kojifiles" {
		t.Errorf("urls %q %q %q", k.Server, k.WebURL, k.TopURL)
	}
	if k.AuthType != "kerberos" || k.Principal != "alice@AD.WISC.EDU" || k.ServerCA != "/etc/pki/tls/certs/ca-bundle.crt" {
		t.Errorf("auth %+v", k)
	}
	if k.MaxRetries != 30 || k.RetryInterval != 20*time.Second || k.PollInterval != 6*time.Second || k.UploadBlockSize != 1<<20 || k.Timeout != 12*time.Hour {
		t.Errorf("defaults %+v", k)
	}
	if k.Values["koji_hub"] != "koji.osg-htc.org" {
		t.Errorf("Values %v", k.Values)
	}
	if err := k.Require("server", "weburl", "topurl"); err != nil {
		t.Error(err)
	}
	o := k.ClientOptions()
	if o.Server != k.Server || o.Principal != k.Principal || o.MaxRetries != 30 {
		t.Errorf("client options %+v", o)
	}
}

func TestParseTypesAndProfiles(t *testing.T) {
	home := t.TempDir()
	cfg := `# comment
[DEFAULT]
hub = h.example
max_retries = 3

[koji]
server = https://%(hub)s/kojihub

[osg]
server = https://%(hub)s:8443/kojihub
no_ssl_verify = False
anon_retry = yes
retry_interval = 0.5
poll_interval = 2
timeout = 60
upload_blocksize = 4096
cert = ~/.osg-koji/client.crt
keytab = ~/k.keytab
authtype = SSL
weburl = https://w/koji
  continued
percent = 100%%
`
	k, err := Parse("f", []byte(cfg), "osg", home)
	if err != nil {
		t.Fatal(err)
	}
	if k.Server != "https://h.example:8443/kojihub" || k.NoSSLVerify || !k.AnonRetry || k.MaxRetries != 3 {
		t.Errorf("osg profile %+v", k)
	}
	if k.RetryInterval != 500*time.Millisecond || k.PollInterval != 2*time.Second || k.Timeout != time.Minute || k.UploadBlockSize != 4096 {
		t.Errorf("numbers %+v", k)
	}
	if k.Cert != filepath.Join(home, ".osg-koji/client.crt") || k.Keytab != filepath.Join(home, "k.keytab") || k.AuthType != "ssl" {
		t.Errorf("paths %q %q %q", k.Cert, k.Keytab, k.AuthType)
	}
	if k.WebURL != "https://w/koji\ncontinued" || k.Values["percent"] != "100%" {
		t.Errorf("continuation/percent %q %q", k.WebURL, k.Values["percent"])
	}
	k2, err := Parse("f", []byte(cfg), "", home)
	if err != nil || k2.Server != "https://h.example/kojihub" || k2.MaxRetries != 3 {
		t.Errorf("koji profile %+v, %v", k2, err)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, cfg, profile, want string
	}{
		{"no-profile", "[koji]\nserver = x\n", "osg", "f: no configuration for profile name: osg (the file has [koji])"},
		{"bad-bool", "[koji]\n\nno_ssl_verify = maybe\n", "", `f:3: [koji] no_ssl_verify: "maybe" is not a boolean`},
		{"bad-int", "[koji]\nmax_retries = lots\n", "", `f:2: [koji] max_retries: "lots" is not a whole number`},
		{"bad-seconds", "[koji]\ntimeout = -1\n", "", `[koji] timeout: "-1" is not a number of seconds`},
		{"bad-authtype", "[koji]\nauthtype = kerb\n", "", `unknown authtype "kerb"`},
		{"unknown-ref", "[koji]\nserver = https://%(hub)s/kojihub\n", "", "f:2: [koji] server refers to %(hub)s, which is not set"},
		{"loop", "[koji]\na = %(b)s\nb = %(a)s\n", "", "interpolation deeper"},
		{"lone-percent", "[koji]\na = 5%\n", "", "a lone % must be written %%"},
		{"no-section", "server = x\n", "", "f:1: \"server = x\" comes before any [section] header"},
		{"bad-line", "[koji]\njunk\n", "", `f:2: expected "key = value"`},
		{"bad-header", "[koji\n", "", "lacks the closing ]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("f", []byte(tt.cfg), tt.profile, "/home/u")
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want it to contain %q", err, tt.want)
			}
		})
	}
	k, _ := Parse("f", []byte("[koji]\nserver = x\n"), "", "/home/u")
	if err := k.Require("server", "weburl", "topurl"); err == nil || !strings.Contains(err.Error(), "lacks weburl, topurl") {
		t.Errorf("Require: %v", err)
	}
}

func TestClientOptionsZeroes(t *testing.T) {
	k, err := Parse("f", []byte("[koji]\nmax_retries = 0\nretry_interval = 0\n"), "", "/home/u")
	if err != nil {
		t.Fatal(err)
	}
	if o := k.ClientOptions(); o.MaxRetries != -1 || o.RetryInterval <= 0 || o.RetryInterval > time.Microsecond {
		t.Errorf("explicit zeroes: %+v", o)
	}
	bare := &Koji{Server: "https://h/kojihub"}
	if o := bare.ClientOptions(); o.MaxRetries != 0 || o.RetryInterval != 0 {
		t.Errorf("a hand-made Koji: %+v (want the client's defaults)", o)
	}
}

func TestFalseIsFalse(t *testing.T) {
	for _, s := range []string{"False", "false", "no", "0", "off", " OFF "} {
		if b, err := ParseBool(s); err != nil || b {
			t.Errorf("ParseBool(%q) = %v, %v", s, b, err)
		}
	}
	for _, s := range []string{"True", "yes", "1", "on"} {
		if b, err := ParseBool(s); err != nil || !b {
			t.Errorf("ParseBool(%q) = %v, %v", s, b, err)
		}
	}
}

func TestLookupOrder(t *testing.T) {
	home := t.TempDir()
	sys := filepath.Join(home, "etc-koji.conf")
	opts := LoadOptions{Home: home, SystemFile: sys}
	if _, err := Load(opts); !errors.Is(err, ErrNoConfig) || !strings.Contains(err.Error(), ".osg-koji/config") {
		t.Fatalf("no config: %v", err)
	}
	write(t, home, "etc-koji.conf", "[koji]\nserver = https://sys/kojihub\n")
	if k, err := Load(opts); err != nil || k.Server != "https://sys/kojihub" || k.File != sys {
		t.Fatalf("system file: %+v, %v", k, err)
	}
	write(t, home, ".koji/config", "[koji]\nserver = https://dotkoji/kojihub\n")
	if k, err := Load(opts); err != nil || k.Server != "https://dotkoji/kojihub" {
		t.Fatalf("~/.koji: %+v, %v", k, err)
	}
	write(t, home, ".osg-koji/config", osgKojiConfig)
	write(t, home, ".osg-koji/client.crt", "pem")
	k, err := Load(opts)
	if err != nil || k.Server != "https://koji.osg-htc.org/kojihub" {
		t.Fatalf("~/.osg-koji: %+v, %v", k, err)
	}
	if k.Cert != filepath.Join(home, ".osg-koji/client.crt") {
		t.Errorf("default cert %q", k.Cert)
	}
	explicit := write(t, home, "other.conf", "[mykoji]\nserver = https://other/kojihub\n")
	if k, err := Load(LoadOptions{Home: home, SystemFile: sys, ConfigFile: "~/other.conf", Profile: "mykoji"}); err != nil || k.Server != "https://other/kojihub" || k.File != explicit {
		t.Fatalf("--config: %+v, %v", k, err)
	}
	if _, err := Load(LoadOptions{Home: home, ConfigFile: filepath.Join(home, "missing")}); err == nil || !strings.Contains(err.Error(), "missing") {
		t.Fatalf("missing --config: %v", err)
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(osgKojiConfig), "koji")
	f.Add([]byte("[DEFAULT]\na=%(b)s\nb=%%\n[koji]\nc = %(a)s\n  more\n"), "koji")
	f.Add([]byte("[koji]\na = %(a)s\n"), "koji")
	f.Add([]byte("\ufeff[x]\r\nk: v\r\n"), "x")
	f.Fuzz(func(t *testing.T, data []byte, profile string) {
		k, err := Parse("fuzz", data, profile, "/home/u")
		if err == nil && k == nil {
			t.Fatal("nil config without error")
		}
	})
}
