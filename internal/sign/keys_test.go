package sign

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// TestDefaultKeys: the built-in keys are osg-build 2.x's signing_keys.ini.
func TestDefaultKeys(t *testing.T) {
	keys := DefaultKeys()
	want := map[string]Key{
		"HCC":              {"HCC", "bcbf0dad", []string{"el7", "el8"}, ""},
		"HCC-2":            {"HCC-2", "311f9282", []string{"el9"}, "sha256"},
		"OSG-2":            {"OSG-2", "96d2b90f", []string{"el7", "el8"}, ""},
		"OSG-4":            {"OSG-4", "1887c61a", []string{"el9"}, "sha256"},
		"OSG-23-auto":      {"OSG-23-auto", "4d4384d0", []string{"el8", "el9"}, "sha256"},
		"OSG-23-developer": {"OSG-23-developer", "92897c00", []string{"el8", "el9"}, "sha256"},
		"OSG-24-auto":      {"OSG-24-auto", "34e958b3", []string{"el8", "el9"}, "sha256"},
		"OSG-24-developer": {"OSG-24-developer", "effc3be6", []string{"el8", "el9"}, "sha256"},
		"CHTC":             {"CHTC", "30ad7213", []string{"el8", "el9"}, "sha256"},
	}
	if len(keys) != len(want) {
		t.Errorf("%d keys, want %d", len(keys), len(want))
	}
	for n, w := range want {
		if k := keys[n]; k == nil || !reflect.DeepEqual(*k, w) {
			t.Errorf("%s = %+v, want %+v", n, k, w)
		}
	}
}

func TestParseKeysErrors(t *testing.T) {
	for name, c := range map[string]struct {
		ini  string
		want []string
	}{
		"no keyid":     {"[key A]\ndvers = el9\n", []string{"f.ini: [key A]: keyid is missing"}},
		"short keyid":  {"[key A]\nkeyid = 1234567\ndvers = el9\n", []string{`keyid "1234567" is not 8 hex digits`}},
		"long keyid":   {"[key A]\nkeyid = 123456789\ndvers = el9\n", []string{`keyid "123456789" is not 8 hex digits`}},
		"not hex":      {"[key A]\nkeyid = 1234567z\ndvers = el9\n", []string{`"1234567z" is not 8 hex digits`}},
		"no dvers":     {"[key A]\nkeyid = 12345678\n", []string{"[key A]: dvers is missing or empty"}},
		"empty dvers":  {"[key A]\nkeyid = 12345678\ndvers = , \n", []string{"dvers is missing or empty"}},
		"no name":      {"[key ]\nkeyid = 12345678\ndvers = el9\n", []string{"names no key"}},
		"bad digest":   {"[key A]\nkeyid = 12345678\ndvers = el9\ndigest_algo = sha1 sha256\n", []string{"digest_algo"}},
		"two sections": {"[key A]\ndvers = el9\n[key B]\nkeyid = x\ndvers = el9\n", []string{"[key A]: keyid is missing", "[key B]: keyid \"x\""}},
		"syntax":       {"[key A\nkeyid = 12345678\n", []string{"parse f.ini"}},
	} {
		_, err := ParseKeys([]byte(c.ini), "f.ini")
		for _, w := range c.want {
			if err == nil || !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %v, want %q", name, err, w)
			}
		}
	}
	keys, err := ParseKeys([]byte("[other]\nx = 1\n[key Mine]\nKeyID: ABCDEF01\ndvers = el8,el9 el10\n"), "f.ini")
	if err != nil {
		t.Fatal(err)
	}
	if k := keys["Mine"]; len(keys) != 1 || k.KeyID != "abcdef01" || !reflect.DeepEqual(k.Dvers, []string{"el8", "el9", "el10"}) || k.DigestAlgo != "" {
		t.Errorf("keys = %+v", keys)
	}
}

// TestLoadKeys: the user's file, then the given files, add and replace
// keys by name.
func TestLoadKeys(t *testing.T) {
	cfg := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", cfg)
	keys, err := LoadKeys()
	if err != nil || len(keys) != len(DefaultKeys()) {
		t.Fatalf("no user file: %d keys, %v", len(keys), err)
	}
	if err := os.MkdirAll(filepath.Join(cfg, "osg-build"), 0o755); err != nil {
		t.Fatal(err)
	}
	user := filepath.Join(cfg, "osg-build", KeysFile)
	os.WriteFile(user, []byte("[key OSG-4]\nkeyid = 11111111\ndvers = el10\n[key Mine]\nkeyid = 22222222\ndvers = el9\n"), 0o644)
	extra := filepath.Join(t.TempDir(), "more.ini")
	os.WriteFile(extra, []byte("[key Mine]\nkeyid = 33333333\ndvers = el9\ndigest_algo = sha512\n"), 0o644)
	keys, err = LoadKeys(extra)
	if err != nil {
		t.Fatal(err)
	}
	if keys["OSG-4"].KeyID != "11111111" || keys["Mine"].KeyID != "33333333" || keys["Mine"].DigestAlgo != "sha512" || keys["CHTC"] == nil {
		t.Errorf("merged keys: OSG-4 %+v, Mine %+v", keys["OSG-4"], keys["Mine"])
	}
	if _, err := LoadKeys(filepath.Join(cfg, "nope.ini")); err == nil {
		t.Error("a missing --signing-keys file was accepted")
	}
	os.WriteFile(user, []byte("[key Bad]\nkeyid = 1\n"), 0o644)
	if _, err := LoadKeys(); err == nil || !strings.Contains(err.Error(), user) {
		t.Errorf("a bad user file: %v", err)
	}
}

func TestFindKey(t *testing.T) {
	keys := DefaultKeys()
	for in, want := range map[string]string{"OSG-4": "OSG-4", "1887c61a": "OSG-4", "1887C61A": "OSG-4", "deadbeef": "deadbeef"} {
		k, err := FindKey(keys, in)
		if err != nil || k.Name != want {
			t.Errorf("FindKey(%q) = %v, %v; want %s", in, k, err, want)
		}
	}
	if _, err := FindKey(keys, "OSG-99"); !errors.Is(err, ErrUnknownKey) || !strings.Contains(err.Error(), "--list-keys") {
		t.Errorf("unknown key: %v", err)
	}
	if got := Sorted(keys); got[0].Name != "CHTC" || len(got) != len(keys) {
		t.Errorf("Sorted: %v", got)
	}
}

func TestParseColons(t *testing.T) {
	out := `tru::1:1767225600:0:3:1:5
pub:u:2048:1:AAAABBBBCCCCDDDD:1767225600:::u:::scSC::::::23::0:
fpr:::::::::0123456789ABCDEF0123AAAABBBBCCCCDDDD:
uid:u::::1767225600::X::Test <t@example.org>::::::::::0:
sub:u:2048:1:1111222233334444:1767225600::::::e::::::23:
sub:u:2048:1:5555666677778888:1767225600::::::s::::::23:
`
	ids, err := parseColons(out)
	if err != nil || !reflect.DeepEqual(ids, []string{"ccccdddd", "77778888"}) {
		t.Errorf("ids = %v, %v", ids, err)
	}
	if _, err := parseColons("pub:u:2048\n"); err == nil {
		t.Error("a short record was accepted")
	}
}
