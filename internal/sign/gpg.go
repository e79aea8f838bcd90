package sign

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/osg-htc/osg-build-go/internal/runner"
)

// GPG runs gpg for the signing checks.
type GPG struct {
	// Bin is the gpg program ("" = gpg on PATH).
	Bin string
	// Home is the GNUPGHOME ("" = gpg's default, or $GNUPGHOME).
	Home string
}

// Path returns the gpg program to run, as a path when it is on PATH (rpm
// runs its __gpg by path).
func (g *GPG) Path() string {
	name := "gpg"
	if g != nil && g.Bin != "" {
		name = g.Bin
	}
	if p, ok := runner.Look(name); ok {
		return p
	}
	return name
}

// Env is the environment for gpg and rpmsign: GNUPGHOME when Home is set.
func (g *GPG) Env() []string {
	if g == nil || g.Home == "" {
		return nil
	}
	return []string{"GNUPGHOME=" + g.Home}
}

func (g *GPG) run(ctx context.Context, args ...string) (*runner.Result, error) {
	return runner.Run(ctx, runner.Cmd{Name: g.Path(), Args: append([]string{"--batch"}, args...), Env: g.Env()})
}

// HaveSecretKey reports whether gpg has the secret key keyid.
func (g *GPG) HaveSecretKey(ctx context.Context, keyid string) bool {
	_, err := g.run(ctx, "--list-secret-keys", keyid)
	return err == nil
}

// HavePublicKey reports whether gpg has the public key keyid.
func (g *GPG) HavePublicKey(ctx context.Context, keyid string) bool {
	_, err := g.run(ctx, "--list-keys", keyid)
	return err == nil
}

// SigningKeyIDs returns the short ids (the last 8 hex digits, lowercase) of
// the key keyid and of its subkeys that can sign, from gpg --with-colons
// --list-keys, as osg-sign does: rpm may sign with a subkey, and a
// signature by any of them is the key's.
func (g *GPG) SigningKeyIDs(ctx context.Context, keyid string) ([]string, error) {
	res, err := g.run(ctx, "--with-colons", "--list-keys", keyid)
	if err != nil {
		return nil, fmt.Errorf("listing the key %s: %w", keyid, err)
	}
	return parseColons(string(res.Stdout))
}

// parseColons reads the pub and sub records of gpg --with-colons: field 5
// is the key id, field 12 the capabilities (s: this key signs; S on the
// primary key: the whole key signs), as osg-sign reads them.
func parseColons(out string) ([]string, error) {
	var ids []string
	for _, line := range strings.Split(out, "\n") {
		f := strings.Split(line, ":")
		if len(f) == 0 || (f[0] != "pub" && f[0] != "sub") {
			continue
		}
		if len(f) < 12 || len(f[4]) < 8 {
			return nil, fmt.Errorf("unexpected output from gpg: %q", line)
		}
		if strings.ContainsAny(f[11], "sS") { // S on pub: the key signs (with a subkey)
			ids = append(ids, strings.ToLower(f[4][len(f[4])-8:]))
		}
	}
	return ids, nil
}

// gpgTTY is the terminal on stdin, for GPG_TTY: gpg-agent's pinentry asks
// for a passphrase there ("" when stdin is not a terminal).
func gpgTTY() string {
	if os.Getenv("GPG_TTY") != "" {
		return ""
	}
	st, err := os.Stdin.Stat()
	if err != nil || st.Mode()&os.ModeCharDevice == 0 {
		return ""
	}
	p, err := os.Readlink("/proc/self/fd/0")
	if err != nil || !strings.HasPrefix(p, "/dev/") {
		return ""
	}
	return p
}
