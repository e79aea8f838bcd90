package testutil

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
)

// KDCTools are the MIT Kerberos programs StartKDC and the scripts use
// (Debian: krb5-kdc krb5-admin-server krb5-user; EL: krb5-server
// krb5-workstation).
var KDCTools = []string{"krb5kdc", "kdb5_util", "kadmin.local", "kinit", "klist"}

// KDC is a throwaway MIT Kerberos realm: its database, kdc.conf and
// krb5.conf in Dir, and krb5kdc listening on 127.0.0.1:Port only (UDP and
// TCP).
type KDC struct {
	Realm string
	Dir   string
	Port  int
	// Krb5Conf and KDCProfile are the files for KRB5_CONFIG and
	// KRB5_KDC_PROFILE; CCache is a FILE: credential cache in Dir.
	Krb5Conf, KDCProfile, CCache string
	cmd                          *exec.Cmd
	done                         chan struct{}
}

// Env is the environment for the realm's programs and clients.
func (k *KDC) Env() []string {
	return []string{"KRB5_CONFIG=" + k.Krb5Conf, "KRB5_KDC_PROFILE=" + k.KDCProfile, "KRB5CCNAME=FILE:" + k.CCache}
}

// freeLoopbackPort finds a port of 127.0.0.1 free for both TCP and UDP.
func freeLoopbackPort() (int, error) {
	var last error
	for i := 0; i < 20; i++ {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return 0, err
		}
		port := ln.Addr().(*net.TCPAddr).Port
		pc, err := net.ListenPacket("udp", "127.0.0.1:"+strconv.Itoa(port))
		ln.Close()
		if err != nil {
			last = err
			continue
		}
		pc.Close()
		return port, nil
	}
	return 0, fmt.Errorf("no free port for TCP and UDP on 127.0.0.1: %v", last)
}

// StartKDC makes a realm in dir (kdb5_util create) and runs krb5kdc in the
// foreground on a free port of 127.0.0.1, waiting (at most 10s) until it
// answers on TCP. Stop it with Stop.
func StartKDC(dir, realm string) (*KDC, error) {
	port, err := freeLoopbackPort()
	if err != nil {
		return nil, err
	}
	k := &KDC{Realm: realm, Dir: dir, Port: port, Krb5Conf: filepath.Join(dir, "krb5.conf"),
		KDCProfile: filepath.Join(dir, "kdc.conf"), CCache: filepath.Join(dir, "ccache")}
	listen := "127.0.0.1:" + strconv.Itoa(port)
	enctypes := "aes256-cts-hmac-sha1-96"
	kdcConf := fmt.Sprintf(`[kdcdefaults]
	kdc_listen = %[2]s
	kdc_tcp_listen = %[2]s

[realms]
	%[1]s = {
		database_name = %[3]s/principal
		key_stash_file = %[3]s/stash
		acl_file = %[3]s/kadm5.acl
		kdc_listen = %[2]s
		kdc_tcp_listen = %[2]s
		max_life = 10h
		max_renewable_life = 0
		master_key_type = %[4]s
		supported_enctypes = %[4]s:normal
	}

[logging]
	kdc = FILE:%[3]s/kdc.log
	admin_server = FILE:%[3]s/kadmin.log
	default = FILE:%[3]s/krb5.log
`, realm, listen, dir, enctypes)
	krb5Conf := fmt.Sprintf(`[libdefaults]
	default_realm = %[1]s
	dns_lookup_kdc = false
	dns_lookup_realm = false
	rdns = false
	dns_canonicalize_hostname = false
	udp_preference_limit = 1
	noaddresses = true
	forwardable = false
	ticket_lifetime = 10h
	default_tkt_enctypes = %[3]s
	default_tgs_enctypes = %[3]s
	permitted_enctypes = %[3]s

[realms]
	%[1]s = {
		kdc = %[2]s
	}

[domain_realm]
	127.0.0.1 = %[1]s
`, realm, listen, enctypes)
	for name, text := range map[string]string{k.KDCProfile: kdcConf, k.Krb5Conf: krb5Conf, filepath.Join(dir, "kadm5.acl"): ""} {
		if err := os.WriteFile(name, []byte(text), 0o600); err != nil {
			return nil, err
		}
	}
	if out, err := k.Command("kdb5_util", "create", "-s", "-P", "master-pw", "-r", realm).CombinedOutput(); err != nil {
		return nil, fmt.Errorf("kdb5_util create: %v: %s", err, out)
	}
	log, err := os.Create(filepath.Join(dir, "krb5kdc.out"))
	if err != nil {
		return nil, err
	}
	defer log.Close()
	k.cmd = k.Command("krb5kdc", "-n", "-r", realm, "-P", filepath.Join(dir, "krb5kdc.pid"))
	k.cmd.Stdout, k.cmd.Stderr = log, log
	if err := k.cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting krb5kdc: %w", err)
	}
	k.done = make(chan struct{})
	go func() { _ = k.cmd.Wait(); close(k.done) }()
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", listen, 200*time.Millisecond)
		if err == nil {
			c.Close()
			return k, nil
		}
		select {
		case <-k.done:
			b, _ := os.ReadFile(filepath.Join(dir, "kdc.log"))
			o, _ := os.ReadFile(log.Name())
			return nil, fmt.Errorf("krb5kdc exited: %s%s", o, b)
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			k.Stop()
			return nil, fmt.Errorf("krb5kdc does not answer on %s after 10s", listen)
		}
	}
}

// Command is a command of the realm's environment.
func (k *KDC) Command(name string, args ...string) *exec.Cmd {
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), k.Env()...)
	cmd.Dir = k.Dir
	return cmd
}

// Admin runs kadmin.local -q query.
func (k *KDC) Admin(query string) error {
	out, err := k.Command("kadmin.local", "-r", k.Realm, "-q", query).CombinedOutput()
	if err != nil {
		return fmt.Errorf("kadmin.local -q %q: %v: %s", query, err, out)
	}
	return nil
}

// Stop ends krb5kdc (SIGTERM, then SIGKILL after 2s) and waits for it.
func (k *KDC) Stop() {
	if k.cmd == nil || k.cmd.Process == nil {
		return
	}
	_ = k.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-k.done:
	case <-time.After(2 * time.Second):
		_ = k.cmd.Process.Kill()
		<-k.done
	}
}

// kdcCmd is the script command
//
//	kdc REALM
//
// which makes a throwaway realm in $WORK/krb5 with krb5kdc on a free port
// of 127.0.0.1 (stopped when the script ends), and sets KRB5_CONFIG,
// KRB5_KDC_PROFILE, KRB5CCNAME (a FILE: cache in $WORK/krb5) and KDC_PORT
// for the rest of the script. Scripts guard it with [!need:krb5kdc] skip
// and the like for KDCTools.
func kdcCmd(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: kdc REALM")
	}
	dir := ts.MkAbs("krb5")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		ts.Fatalf("%v", err)
	}
	k, err := StartKDC(dir, args[0])
	if err != nil {
		ts.Fatalf("%v", err)
	}
	ts.Defer(k.Stop)
	for _, kv := range k.Env() {
		name, value, _ := strings.Cut(kv, "=")
		ts.Setenv(name, value)
	}
	ts.Setenv("KDC_PORT", strconv.Itoa(k.Port))
}
