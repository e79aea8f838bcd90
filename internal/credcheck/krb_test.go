package credcheck_test

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/osg-htc/osg-build-go/internal/credcheck"
)

type ccEntry struct {
	server         []string // name components; the realm is the client's
	start, end, rt time.Time
}

// writeCCache writes a version 4 FILE credential cache (MIT's format) for
// principal user@realm with the given entries.
func writeCCache(t *testing.T, path, user, realm string, entries ...ccEntry) {
	t.Helper()
	var b []byte
	u16 := func(v uint16) { b = binary.BigEndian.AppendUint16(b, v) }
	u32 := func(v uint32) { b = binary.BigEndian.AppendUint32(b, v) }
	data := func(s []byte) { u32(uint32(len(s))); b = append(b, s...) }
	princ := func(realm string, comps ...string) {
		u32(1) // KRB5_NT_PRINCIPAL
		u32(uint32(len(comps)))
		data([]byte(realm))
		for _, c := range comps {
			data([]byte(c))
		}
	}
	b = append(b, 5, 4)
	u16(12) // header: the KDC time offset tag
	u16(1)
	u16(8)
	u32(0)
	u32(0)
	princ(realm, user)
	for _, e := range entries {
		princ(realm, user)
		princ(realm, e.server...)
		u16(18) // aes256-cts
		data(make([]byte, 32))
		for _, tm := range []time.Time{e.start, e.start, e.end, e.rt} {
			u32(uint32(tm.Unix()))
		}
		b = append(b, 0)       // is_skey
		u32(0x40e10000)        // flags
		u32(0)                 // addresses
		u32(0)                 // authdata
		data([]byte("ticket")) // ticket
		data(nil)              // second ticket
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestKerberos(t *testing.T) {
	dir := t.TempDir()
	now := time.Now()
	tgt := func(start, end time.Time) ccEntry {
		return ccEntry{[]string{"krbtgt", "AD.WISC.EDU"}, start, end, end.Add(24 * time.Hour)}
	}
	good := filepath.Join(dir, "good")
	writeCCache(t, good, "jane", "AD.WISC.EDU", tgt(now.Add(-time.Hour), now.Add(9*time.Hour)),
		ccEntry{[]string{"HTTP", "koji.osg-htc.org"}, now, now.Add(9 * time.Hour), now})
	expired := filepath.Join(dir, "expired")
	writeCCache(t, expired, "jane", "AD.WISC.EDU", tgt(now.Add(-11*time.Hour), now.Add(-time.Hour)))
	short := filepath.Join(dir, "short")
	writeCCache(t, short, "jane", "AD.WISC.EDU", tgt(now.Add(-9*time.Hour), now.Add(20*time.Minute)))
	notgt := filepath.Join(dir, "notgt")
	writeCCache(t, notgt, "jane", "AD.WISC.EDU", ccEntry{[]string{"HTTP", "koji.osg-htc.org"}, now, now.Add(time.Hour), now})
	// a DIR: collection whose primary cache is tktA
	coll := filepath.Join(dir, "coll")
	os.Mkdir(coll, 0o700)
	writeCCache(t, filepath.Join(coll, "tktA"), "jane", "AD.WISC.EDU", tgt(now.Add(-time.Hour), now.Add(5*time.Hour)))
	os.WriteFile(filepath.Join(coll, "primary"), []byte("tktA\n"), 0o600)
	trunc := filepath.Join(dir, "trunc")
	b, _ := os.ReadFile(good)
	os.WriteFile(trunc, append([]byte("\x05\x04\x00"), b[3:40]...), 0o600)

	for _, tt := range []struct {
		name, ccname, principal string
		check                   string // the failing check, "" = fine
		want                    []string
	}{
		{"valid", "FILE:" + good, "jane@AD.WISC.EDU", "", nil},
		{"valid-plain-path", good, "", "", nil},
		{"valid-dir-collection", "DIR:" + coll, "jane@ad.wisc.edu", "", nil},
		{"valid-dir-cache", "DIR::" + filepath.Join(coll, "tktA"), "", "", nil},
		{"expired", "FILE:" + expired, "jane@AD.WISC.EDU", "tgt", []string{"expired at", "kinit -R", "kinit jane@AD.WISC.EDU"}},
		{"other-principal", "FILE:" + good, "joe@FNAL.GOV", "principal", []string{"for jane@AD.WISC.EDU, not for joe@FNAL.GOV", "kinit joe@FNAL.GOV"}},
		{"no-tgt", "FILE:" + notgt, "jane@AD.WISC.EDU", "tgt", []string{"no ticket-granting ticket"}},
		{"missing", "FILE:" + filepath.Join(dir, "none"), "jane@AD.WISC.EDU", "ccache", []string{"does not exist", "kinit jane@AD.WISC.EDU"}},
		{"truncated", trunc, "jane@AD.WISC.EDU", "ccache", []string{"cannot read"}},
		{"keyring", "KEYRING:persistent:1000", "jane@AD.WISC.EDU", "ccache", []string{"KEYRING: cache", "KRB5CCNAME=FILE:"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := credcheck.CheckKerberos(credcheck.KrbOptions{CCName: tt.ccname, Principal: tt.principal, Now: now})
			for _, f := range r.List {
				t.Logf("%s %s: %s", f.Level, f.Check, f)
			}
			err := r.Err()
			if tt.check == "" {
				if err != nil {
					t.Fatal(err)
				}
				if r.Principal != "jane@AD.WISC.EDU" || r.TGT != "krbtgt/AD.WISC.EDU@AD.WISC.EDU" || r.TimeLeft < 4*time.Hour {
					t.Errorf("principal %q tgt %q left %v", r.Principal, r.TGT, r.TimeLeft)
				}
				return
			}
			if err == nil {
				t.Fatalf("no error, want %s", tt.check)
			}
			if c := err.(*credcheck.Error).Check; c != tt.check {
				t.Errorf("check %q, want %q (%v)", c, tt.check, err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("%q does not mention %q", err, w)
				}
			}
		})
	}
	t.Run("under-an-hour", func(t *testing.T) {
		r := credcheck.CheckKerberos(credcheck.KrbOptions{CCName: short, Now: now})
		if r.Err() != nil || len(r.Warnings()) != 1 {
			t.Fatalf("err %v warnings %v", r.Err(), r.Warnings())
		}
	})
	t.Run("keytab", func(t *testing.T) {
		kt := filepath.Join(dir, "kt")
		os.WriteFile(kt, []byte{5, 2}, 0o600)
		if r := credcheck.CheckKerberos(credcheck.KrbOptions{Keytab: kt, Principal: "svc@FNAL.GOV"}); r.Err() != nil {
			t.Fatal(r.Err())
		}
		if r := credcheck.CheckKerberos(credcheck.KrbOptions{Keytab: kt + "x", Principal: "svc@FNAL.GOV"}); r.Err() == nil {
			t.Fatal("missing keytab accepted")
		}
	})
}

func TestCheckPicksTheAuthtype(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"KRB5CCNAME": filepath.Join(dir, "none"), "X509_USER_PROXY": filepath.Join(dir, "proxy")}
	getenv := func(k string) string { return env[k] }
	for _, tt := range []struct {
		s      credcheck.Settings
		method string
	}{
		{credcheck.Settings{AuthType: "ssl"}, "x509"},
		{credcheck.Settings{AuthType: "kerberos"}, "kerberos"},
		{credcheck.Settings{AuthType: "GSSAPI"}, "kerberos"},
		{credcheck.Settings{}, "kerberos"},
		{credcheck.Settings{Cert: filepath.Join(dir, "none")}, "kerberos"},
		{credcheck.Settings{AuthType: "password"}, ""},
		{credcheck.Settings{AuthType: "noauth"}, ""},
	} {
		r := credcheck.Check(credcheck.Options{Settings: tt.s, Getenv: getenv})
		if r.Method != tt.method {
			t.Errorf("%+v: method %q, want %q", tt.s, r.Method, tt.method)
		}
		if (tt.method == "") != (r.Err() == nil) {
			t.Errorf("%+v: err %v", tt.s, r.Err())
		}
		if tt.method == "x509" && !strings.Contains(r.Err().Error(), "proxy") {
			t.Errorf("X509_USER_PROXY not used: %v", r.Err())
		}
	}
}
