package credcheck

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/jcmturner/gokrb5/v8/credentials"
)

// KrbOptions say which credential cache to check.
type KrbOptions struct {
	// CCName is KRB5CCNAME ("" = /tmp/krb5cc_<uid>).
	CCName string
	// Principal is the config's principal ("" = the cache's own).
	Principal string
	// Keytab is the config's keytab: with one, no cache is needed.
	Keytab      string
	UID         int
	Now         time.Time
	MinTimeLeft time.Duration
}

// KrbReport is what CheckKerberos found.
type KrbReport struct {
	CCName string `json:"ccache"`
	// Path is the cache file read.
	Path string `json:"path,omitempty"`
	// Principal is the cache's default principal; Configured the config's.
	Principal  string `json:"principal,omitempty"`
	Configured string `json:"configured_principal,omitempty"`
	Keytab     string `json:"keytab,omitempty"`
	// TGT is the ticket-granting ticket's server (krbtgt/REALM@REALM).
	TGT       string        `json:"tgt,omitempty"`
	StartTime time.Time     `json:"start_time"`
	EndTime   time.Time     `json:"end_time"`
	RenewTill time.Time     `json:"renew_till"`
	TimeLeft  time.Duration `json:"-"`
	Findings
}

// CCachePath resolves KRB5CCNAME to a cache file: FILE:PATH or a plain
// path, DIR:DIR (its primary cache, named in DIR/primary) or DIR::PATH; ""
// means /tmp/krb5cc_<uid>. Other cache types (KEYRING:, KCM:, API:) cannot
// be read here.
func CCachePath(ccname string, uid int) (string, error) {
	if uid <= 0 {
		uid = os.Getuid()
	}
	if ccname == "" {
		return fmt.Sprintf("/tmp/krb5cc_%d", uid), nil
	}
	typ, rest, ok := strings.Cut(ccname, ":")
	if !ok || strings.Contains(typ, "/") {
		return ccname, nil
	}
	switch strings.ToUpper(typ) {
	case "FILE":
		return rest, nil
	case "DIR":
		if p, ok := strings.CutPrefix(rest, ":"); ok {
			return p, nil
		}
		name := "tkt"
		if b, err := os.ReadFile(filepath.Join(rest, "primary")); err == nil {
			if n := strings.TrimSpace(string(b)); n != "" {
				name = n
			}
		}
		return filepath.Join(rest, name), nil
	}
	return "", fmt.Errorf("the Kerberos credential cache %s is a %s: cache, which osg-build cannot read", ccname, strings.ToUpper(typ))
}

// CheckKerberos reads the credential cache and checks that it holds an
// unexpired TGT for the configured principal.
func CheckKerberos(o KrbOptions) (r *KrbReport) {
	now := o.Now
	if now.IsZero() {
		now = time.Now()
	}
	if o.MinTimeLeft == 0 {
		o.MinTimeLeft = DefaultMinTimeLeft
	}
	r = &KrbReport{CCName: o.CCName, Configured: o.Principal, Keytab: o.Keytab}
	principal := o.Principal
	if principal == "" {
		principal = "USER@REALM"
	}
	kinit := "kinit " + principal
	if o.Keytab != "" {
		if _, err := os.Stat(o.Keytab); err != nil {
			r.errorf("keytab", "fix keytab in the Koji config, or remove it to use your ticket (kinit "+principal+")", "keytab %s: %v", o.Keytab, err)
			return r
		}
		if o.Principal == "" || !strings.Contains(o.Principal, "@") {
			r.errorf("keytab", "set principal = USER@REALM in the Koji config", "a keytab login needs a principal USER@REALM, not %q", o.Principal)
			return r
		}
		r.okf("keytab", "keytab %s for %s (a ticket is obtained at login)", o.Keytab, o.Principal)
		return r
	}
	path, err := CCachePath(o.CCName, o.UID)
	if err != nil {
		r.errorf("ccache", fmt.Sprintf("use a file cache: export KRB5CCNAME=FILE:/tmp/krb5cc_%d; %s", o.uid(), kinit), "%v", err)
		return r
	}
	r.Path = path
	cc, err := loadCCache(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			r.errorf("ccache", "run "+kinit, "no Kerberos ticket: the credential cache %s does not exist", path)
		} else {
			r.errorf("ccache", "run "+kinit, "cannot read the Kerberos credential cache %s: %v", path, err)
		}
		return r
	}
	r.Principal = cc.DefaultPrincipal.PrincipalName.PrincipalNameString() + "@" + cc.DefaultPrincipal.Realm
	r.okf("ccache", "%s: principal %s, %d entries", path, r.Principal, len(cc.Credentials))
	if o.Principal != "" && !strings.EqualFold(o.Principal, r.Principal) {
		r.errorf("principal", "run "+kinit+" (or fix principal in the Koji config)", "the Kerberos ticket in %s is for %s, not for %s (the Koji config's principal)", path, r.Principal, o.Principal)
		return r
	}
	realm := cc.DefaultPrincipal.Realm
	var tgt *credentials.Credential
	for _, c := range cc.GetEntries() {
		ns := c.Server.PrincipalName.NameString
		if len(ns) == 2 && ns[0] == "krbtgt" && ns[1] == realm && c.Server.Realm == realm {
			if tgt == nil || c.EndTime.After(tgt.EndTime) {
				tgt = c
			}
		}
	}
	if tgt == nil {
		r.errorf("tgt", "run "+kinit, "the credential cache %s holds no ticket-granting ticket (krbtgt/%s@%s)", path, realm, realm)
		return r
	}
	r.TGT = "krbtgt/" + realm + "@" + realm
	r.StartTime, r.EndTime, r.RenewTill = tgt.StartTime, tgt.EndTime, tgt.RenewTill
	switch {
	case !now.Before(tgt.EndTime):
		fix := "run " + kinit
		if tgt.RenewTill.After(now) {
			fix = "run kinit -R (renewable until " + tgt.RenewTill.UTC().Format(time.RFC3339) + ") or " + kinit
		}
		r.errorf("tgt", fix, "the Kerberos ticket of %s expired at %s (%s ago)", r.Principal, tgt.EndTime.UTC().Format(time.RFC3339), FormatDuration(now.Sub(tgt.EndTime)))
		return r
	case now.Before(tgt.StartTime):
		r.errorf("tgt", "check the clock of this machine (date -u), or run "+kinit, "the Kerberos ticket of %s is not valid until %s", r.Principal, tgt.StartTime.UTC().Format(time.RFC3339))
		return r
	}
	r.TimeLeft = tgt.EndTime.Sub(now)
	if r.TimeLeft < o.MinTimeLeft {
		r.warnf("tgt", "run kinit -R or "+kinit, "the Kerberos ticket of %s expires in %s (at %s)", r.Principal, FormatDuration(r.TimeLeft), tgt.EndTime.UTC().Format(time.RFC3339))
		return r
	}
	r.okf("tgt", "%s: %s left (until %s)", r.TGT, FormatDuration(r.TimeLeft), tgt.EndTime.UTC().Format(time.RFC3339))
	return r
}

func (o KrbOptions) uid() int {
	if o.UID <= 0 {
		return os.Getuid()
	}
	return o.UID
}

// loadCCache parses a cache file; gokrb5's parser indexes without bounds
// checks, so a truncated file is an error here, not a panic.
func loadCCache(path string) (cc *credentials.CCache, err error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if len(b) < 2 {
		return nil, errors.New("not a credential cache (too short)")
	}
	defer func() {
		if recover() != nil {
			cc, err = nil, errors.New("truncated or corrupt credential cache")
		}
	}()
	cc = new(credentials.CCache)
	if err := cc.Unmarshal(b); err != nil {
		return nil, err
	}
	if name := cc.DefaultPrincipal.PrincipalName.PrincipalNameString(); name == "" || strings.HasPrefix(name, "/") || cc.DefaultPrincipal.Realm == "" {
		return nil, errors.New("truncated or corrupt credential cache (no principal)")
	}
	cc.Path = path
	return cc, nil
}
