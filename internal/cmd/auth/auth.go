// Package auth implements `osg-build auth`: check the credential the Koji
// config will log in with (grid-proxy-info and klist in one), and with
// --remote the login itself and the user's permissions on the hub.
package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/osg-htc/osg-build-go/internal/cmdutil"
	"github.com/osg-htc/osg-build-go/internal/config"
	"github.com/osg-htc/osg-build-go/internal/credcheck"
	"github.com/osg-htc/osg-build-go/internal/iostreams"
	"github.com/osg-htc/osg-build-go/pkg/koji"
)

// Options are the inputs of auth.
type Options struct {
	IO     *iostreams.IOStreams
	Getenv func(string) string
	Now    func() time.Time
	Hub    func(ctx context.Context) (koji.Hub, error)

	// HubSpec, ConfigFile and Profile are the global --hub, --config and
	// --profile.
	HubSpec    string
	ConfigFile string
	Profile    string

	Remote bool
	JSON   bool
	Debug  bool
}

// NewCmdAuth returns the auth command.
func NewCmdAuth(f *cmdutil.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{IO: f.IOStreams, Getenv: f.Getenv, Now: f.Now, Hub: func(ctx context.Context) (koji.Hub, error) {
		// f.Hub is set after the commands are made
		if f.Hub == nil {
			return nil, fmt.Errorf("no hub configured")
		}
		return f.Hub(ctx)
	}}
	cmd := &cobra.Command{
		Use:   "auth",
		Short: "Check the credential used to log in to Koji (proxy, certificate or Kerberos ticket)",
		Long: `Check, locally, the credential the Koji config's authtype will log in with,
and say how to fix it when it would not work:

  authtype = ssl    the config's cert (else $X509_USER_PROXY, else
                    /tmp/x509up_u<uid>): the PEM chain parses; it is valid
                    now and for more than an hour (a warning under that);
                    its key has 2048 bits or more (the hub's OpenSSL refuses
                    smaller ones) and matches the certificate, in a file only
                    you can read; proxies (RFC 3820, draft or legacy) are each
                    signed by their issuer, and the user certificate by a CA
                    of $X509_CERT_DIR, /etc/grid-security/certificates or the
                    config's serverca. A client.crt symlink to a proxy that is
                    gone is explained.
  authtype = kerberos
                    the credential cache ($KRB5CCNAME, FILE: or DIR:, else
                    /tmp/krb5cc_<uid>) holds an unexpired ticket-granting
                    ticket for the config's principal; otherwise the kinit
                    to run.

Every command that logs in to a remote hub runs the same checks first.
--remote then logs in to the hub and prints the user and their permissions
(as osg-koji list-permissions --mine). --debug lists every check. The
embedded hub (--hub local:DIR) needs no credential.

` + cmdutil.ExitStatusHelp,
		Example: "  osg-build auth\n  osg-build auth --remote\n  osg-build auth --json",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.HubSpec = flagString(cmd, cmdutil.FlagHub)
			opts.ConfigFile = flagString(cmd, "config")
			opts.Profile = flagString(cmd, "profile")
			opts.Debug, _ = cmd.Flags().GetBool("debug")
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return Run(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.BoolVar(&opts.Remote, "remote", false, "also log in to the hub and show the user and their permissions")
	fl.BoolVar(&opts.JSON, "json", false, "print the result as JSON")
	return cmd
}

func flagString(cmd *cobra.Command, name string) string {
	if fl := cmd.Flag(name); fl != nil {
		return fl.Value.String()
	}
	return ""
}

// Result is auth's answer (its JSON form).
type Result struct {
	Hub      string              `json:"hub,omitempty"`
	Config   string              `json:"config,omitempty"`
	Profile  string              `json:"profile,omitempty"`
	AuthType string              `json:"authtype"`
	Method   string              `json:"method"`
	OK       bool                `json:"ok"`
	Error    string              `json:"error,omitempty"`
	Note     string              `json:"note,omitempty"`
	X509     *x509Result         `json:"x509,omitempty"`
	Kerberos *kerberosResult     `json:"kerberos,omitempty"`
	Checks   []credcheck.Finding `json:"checks"`
	Remote   *remoteResult       `json:"remote,omitempty"`
}

type x509Result struct {
	*credcheck.X509Report
	TimeLeftSeconds int64 `json:"time_left_seconds"`
}

type kerberosResult struct {
	*credcheck.KrbReport
	TimeLeftSeconds int64 `json:"time_left_seconds"`
}

type remoteResult struct {
	User        string              `json:"user"`
	UserID      int                 `json:"user_id"`
	AuthType    string              `json:"authtype,omitempty"`
	Permissions map[string][]string `json:"permissions"`
}

// Run runs auth.
func Run(ctx context.Context, opts *Options) error {
	getenv := opts.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	spec := strings.TrimSpace(opts.HubSpec)
	if spec == "" {
		spec = strings.TrimSpace(getenv(cmdutil.EnvHub))
	}
	res := &Result{Hub: spec}
	if dir, ok, _ := cmdutil.LocalHubDir(spec, getenv); ok {
		res.OK, res.Method = true, "none"
		res.Note = "the embedded hub " + spec + " needs no credential (the local user is its admin)"
		if opts.JSON {
			return writeJSON(opts.IO.Out, res)
		}
		fmt.Fprintf(opts.IO.Out, "hub       : local:%s\nnote      : %s\n", dir, res.Note)
		return nil
	}
	settings := credcheck.Settings{}
	cfg, err := config.Load(config.LoadOptions{ConfigFile: opts.ConfigFile, Profile: opts.Profile, Home: getenv("HOME")})
	switch {
	case err == nil:
		res.Config, res.Profile = cfg.File, cfg.Profile
		if res.Hub == "" {
			res.Hub = cfg.Server
		}
		settings = credcheck.Settings{AuthType: cfg.AuthType, Cert: cfg.Cert, ServerCA: cfg.ServerCA, Principal: cfg.Principal, Keytab: cfg.Keytab}
	case errors.Is(err, config.ErrNoConfig) && opts.ConfigFile == "":
		// no config: check what Koji would find without one
		res.Note = "no Koji config (run osg-build setup); checking the default credentials"
		if _, serr := os.Stat(credcheck.LocateX509Path(getenv)); serr == nil {
			settings.AuthType = "ssl"
		}
	default:
		return err
	}
	var now time.Time
	if opts.Now != nil {
		now = opts.Now()
	}
	rep := credcheck.Check(credcheck.Options{Settings: settings, Getenv: getenv, Now: now})
	res.AuthType, res.Method = settings.AuthType, rep.Method
	if res.AuthType == "" {
		res.AuthType = "(default)"
	}
	if rep.X509 != nil {
		res.X509 = &x509Result{X509Report: rep.X509, TimeLeftSeconds: int64(rep.X509.TimeLeft / time.Second)}
	}
	if rep.Kerberos != nil {
		res.Kerberos = &kerberosResult{KrbReport: rep.Kerberos, TimeLeftSeconds: int64(rep.Kerberos.TimeLeft / time.Second)}
	}
	fs := rep.Findings()
	res.Checks = fs.List
	checkErr := fs.Err()
	res.OK = checkErr == nil
	if checkErr != nil {
		res.Error = checkErr.Error()
	}
	if checkErr == nil && opts.Remote {
		rr, err := remote(ctx, opts)
		if err != nil {
			res.OK, res.Error = false, err.Error()
			if opts.JSON {
				_ = writeJSON(opts.IO.Out, res)
				return cmdutil.WithExit(cmdutil.ExitAuth, nil)
			}
			printLocal(opts, res)
			return err
		}
		res.Remote = rr
	}
	if opts.JSON {
		if err := writeJSON(opts.IO.Out, res); err != nil {
			return err
		}
		if checkErr != nil {
			return cmdutil.WithExit(cmdutil.ExitAuth, nil)
		}
		return nil
	}
	printLocal(opts, res)
	if checkErr != nil {
		return cmdutil.WithExit(cmdutil.ExitAuth, checkErr)
	}
	if res.Remote != nil {
		printRemote(opts.IO.Out, res.Remote)
	}
	return nil
}

// remote logs in and reads the user and their permissions.
func remote(ctx context.Context, opts *Options) (*remoteResult, error) {
	h, err := opts.Hub(ctx)
	if err != nil {
		return nil, err
	}
	// the checks ran and were printed above
	if err := cmdutil.EnsureLogin(cmdutil.CredentialChecked(ctx), h); err != nil {
		return nil, err
	}
	u, err := h.GetLoggedInUser(ctx)
	if err != nil {
		return nil, cmdutil.WithExit(cmdutil.ExitAuth, fmt.Errorf("getLoggedInUser: %w", err))
	}
	if u == nil {
		return nil, cmdutil.WithExit(cmdutil.ExitAuth, fmt.Errorf("logged in to %s, but the hub says the session is anonymous", cmdutil.HubLocation(h)))
	}
	rr := &remoteResult{User: u.Name, UserID: u.ID, AuthType: u.AuthType.Description(), Permissions: map[string][]string{}}
	inh, err := h.GetUserPermsInheritance(ctx, koji.ByID(u.ID))
	if err != nil {
		return nil, fmt.Errorf("getUserPermsInheritance: %w", err)
	}
	for perm, from := range inh {
		var groups []string
		for _, g := range from {
			if g != nil {
				groups = append(groups, *g)
			}
		}
		rr.Permissions[perm] = groups
	}
	return rr, nil
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func printLocal(opts *Options, res *Result) {
	w := opts.IO.Out
	line := func(k, v string) {
		if v != "" {
			fmt.Fprintf(w, "%-10s: %s\n", k, v)
		}
	}
	line("hub", res.Hub)
	if res.Config != "" {
		line("config", fmt.Sprintf("%s [%s]", res.Config, res.Profile))
	}
	line("authtype", res.AuthType)
	switch {
	case res.X509 != nil:
		x := res.X509
		line("path", x.Path+" ("+x.Source+")")
		line("subject", x.Subject)
		line("issuer", x.Issuer)
		line("identity", x.Identity)
		line("type", x.Type)
		if x.KeyBits > 0 {
			line("strength", fmt.Sprintf("%d bits (%s)", x.KeyBits, x.KeyType))
		}
		if !x.NotAfter.IsZero() {
			if x.TimeLeft <= 0 {
				line("timeleft", fmt.Sprintf("expired (at %s)", x.NotAfter.UTC().Format(time.RFC3339)))
			} else {
				line("timeleft", fmt.Sprintf("%s (until %s)", credcheck.FormatDuration(x.TimeLeft), x.NotAfter.UTC().Format(time.RFC3339)))
			}
		}
	case res.Kerberos != nil:
		k := res.Kerberos
		cc := k.CCName
		if cc == "" {
			cc = "(default)"
		}
		line("ccache", cc)
		if k.Path != "" && k.Path != strings.TrimPrefix(k.CCName, "FILE:") {
			line("path", k.Path)
		}
		line("keytab", k.Keytab)
		line("principal", k.Principal)
		if k.Configured != "" && !strings.EqualFold(k.Configured, k.Principal) {
			line("configured", k.Configured)
		}
		if !k.EndTime.IsZero() {
			left := credcheck.FormatDuration(k.TimeLeft) + " left"
			if k.TimeLeft <= 0 {
				left = "expired"
			}
			line("expires", fmt.Sprintf("%s (%s)", k.EndTime.UTC().Format(time.RFC3339), left))
			if !k.RenewTill.IsZero() && k.RenewTill.After(k.EndTime) {
				line("renew till", k.RenewTill.UTC().Format(time.RFC3339))
			}
		}
	}
	line("note", res.Note)
	for _, f := range res.Checks {
		switch {
		case f.Level == credcheck.LevelWarning:
			fmt.Fprintf(opts.IO.ErrOut, "warning: %s\n", f)
		case opts.Debug:
			fmt.Fprintf(opts.IO.ErrOut, "debug: %-7s %-11s %s\n", f.Level, f.Check, f)
		}
	}
	if res.OK {
		line("status", "OK")
	}
}

func printRemote(w io.Writer, r *remoteResult) {
	fmt.Fprintf(w, "%-10s: %s (id %d, %s)\n", "user", r.User, r.UserID, r.AuthType)
	if len(r.Permissions) == 0 {
		fmt.Fprintf(w, "%-10s: (none)\n", "perms")
		return
	}
	names := make([]string, 0, len(r.Permissions))
	for p := range r.Permissions {
		names = append(names, p)
	}
	sort.Strings(names)
	for i, p := range names {
		k := ""
		if i == 0 {
			k = "perms"
		}
		v := p
		if g := r.Permissions[p]; len(g) > 0 {
			v += " (inherited from: " + strings.Join(g, ", ") + ")"
		}
		fmt.Fprintf(w, "%-10s%s %s\n", k, map[bool]string{true: ":", false: " "}[i == 0], v)
	}
}
