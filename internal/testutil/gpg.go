package testutil

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// GPGKey makes a throwaway OpenPGP signing key (RSA 2048, no passphrase)
// in a new GNUPGHOME and returns that directory and the key's id (16
// lowercase hex digits). The directory is short (gpg-agent's socket lives
// in it and socket paths are limited) and is removed, and its gpg-agent
// stopped, when the test ends. It needs gpg (RequireTool).
func GPGKey(t testing.TB) (home, keyid string) {
	t.Helper()
	RequireTool(t, "gpg", "gpgconf")
	home, err := os.MkdirTemp("", "gpg")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(home, 0o700); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd := exec.Command("gpgconf", "--kill", "gpg-agent")
		cmd.Env = append(os.Environ(), "GNUPGHOME="+home)
		_ = cmd.Run()
		os.RemoveAll(home)
	})
	gpg := func(args ...string) string {
		t.Helper()
		cmd := exec.Command("gpg", append([]string{"--batch", "--homedir", home}, args...)...)
		cmd.Env = append(os.Environ(), "GNUPGHOME="+home, "LC_ALL=C")
		out, err := cmd.Output()
		if err != nil {
			stderr := ""
			if ee, ok := err.(*exec.ExitError); ok {
				stderr = string(ee.Stderr)
			}
			t.Fatalf("gpg %s: %v\n%s", strings.Join(args, " "), err, stderr)
		}
		return string(out)
	}
	gpg("--pinentry-mode", "loopback", "--passphrase", "", "--quick-gen-key", "Test Signer <t@example.org>", "rsa2048", "sign", "never")
	for _, line := range strings.Split(gpg("--with-colons", "--list-secret-keys"), "\n") {
		if f := strings.Split(line, ":"); len(f) > 4 && f[0] == "sec" {
			return home, strings.ToLower(f[4])
		}
	}
	t.Fatal("gpg made no secret key")
	return "", ""
}

// RPMSign signs the RPM files in place with the key of GPGKey (rpmsign
// --addsign). It needs rpmsign (RequireTool).
func RPMSign(t testing.TB, home, keyid string, paths ...string) {
	t.Helper()
	RequireTool(t, "rpmsign", "gpg")
	gpg, _ := exec.LookPath("gpg")
	args := []string{"--addsign", "--define", "_gpg_name " + keyid, "--define", "_gpg_path " + home, "--define", "__gpg " + gpg}
	cmd := exec.Command("rpmsign", append(args, paths...)...)
	cmd.Env = append(os.Environ(), "GNUPGHOME="+home, "LC_ALL=C")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("rpmsign: %v\n%s", err, out)
	}
}

// RPMVerify checks the signature of the RPM file with rpm -Kv against the
// public key of GPGKey, imported into a throwaway rpm database, and returns
// rpm's output. The test fails when rpm does not find the key's signature
// valid. It needs rpm and gpg (RequireTool).
func RPMVerify(t testing.TB, home, keyid, path string) string {
	t.Helper()
	RequireTool(t, "rpm", "gpg")
	pub, err := exec.Command("gpg", "--homedir", home, "--armor", "--export", keyid).Output()
	if err != nil {
		t.Fatalf("gpg --export: %v", err)
	}
	dir := t.TempDir()
	keyfile := dir + "/key.asc"
	if err := os.WriteFile(keyfile, pub, 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("rpm", "--dbpath", dir+"/db", "--import", keyfile).CombinedOutput(); err != nil {
		t.Fatalf("rpm --import: %v\n%s", err, out)
	}
	out, err := exec.Command("rpm", "--dbpath", dir+"/db", "-Kv", path).CombinedOutput()
	s := string(out)
	if err != nil || !strings.Contains(strings.ToLower(s), keyid[len(keyid)-8:]) || strings.Contains(s, "NOKEY") || strings.Contains(s, "BAD") {
		t.Fatalf("rpm -Kv %s: %v\n%s", path, err, s)
	}
	return s
}
