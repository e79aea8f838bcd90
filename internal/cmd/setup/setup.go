// Package setup implements `osg-build setup` and `osg-koji setup`: write
// ~/.osg-koji/config (and client.crt for ssl) as osg-koji setup does, for
// the OSG hub, another hub (--hub-url) or a served embedded hub (--local).
package setup

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/osg-htc/osg-build-go/internal/cmdutil"
	"github.com/osg-htc/osg-build-go/internal/credcheck"
	"github.com/osg-htc/osg-build-go/internal/iostreams"
	"github.com/osg-htc/osg-build-go/internal/kojisetup"
	"github.com/osg-htc/osg-build-go/pkg/hub"
	"github.com/osg-htc/osg-build-go/pkg/hub/store"
)

// Options are the inputs of setup.
type Options struct {
	IO     *iostreams.IOStreams
	Getenv func(string) string
	Now    func() time.Time
	// Prog is the name to advise (osg-koji).
	Prog string

	UserCert, UserKey string
	AuthType          string // kerberos, ssl, ask
	Principal         string
	PrincipalSet      bool
	WriteClientConf   *bool
	DotKojiSymlink    *bool
	HubURL            string
	Local             bool
	HubDir            string
}

// NewCmdSetup returns the setup command.
func NewCmdSetup(f *cmdutil.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{IO: f.IOStreams, Getenv: f.Getenv, Now: f.Now, Prog: "osg-koji"}
	var write, noWrite, link, noLink bool
	cmd := &cobra.Command{
		Use:   "setup",
		Short: "Write the Koji client config ~/.osg-koji/config (and client.crt for ssl)",
		Long: `Write ~/.osg-koji/config as osg-koji setup does: the OSG hub (koji.osg-htc.org),
the system CA bundle as serverca, and authtype kerberos (with the principal,
its realm upper-cased; the default proposed from your Kerberos ticket) or ssl
(~/.osg-koji/client.crt: your user certificate and key, mode 0600). An old
config is kept as config.bak, an old client.crt with a .YYMMDDhhmmss~ suffix.
--hub-url writes another hub; --local a served embedded hub (its CA, and a
certificate for you issued by its CA). Questions are asked only on a terminal
and only for what the flags leave open. The result is checked as
"osg-build auth" checks it.

` + cmdutil.ExitStatusHelp,
		Example: "  osg-koji setup --authtype kerberos --principal alice@ad.wisc.edu\n  osg-koji setup --authtype ssl -u ~/.globus/usercert.pem -k ~/.globus/userkey.pem\n  osg-build setup --local --hub-dir ~/hub --authtype ssl",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if write && noWrite || link && noLink {
				return cmdutil.FlagErrorf("contradictory flags")
			}
			if write || noWrite {
				opts.WriteClientConf = &write
			}
			if link || noLink {
				opts.DotKojiSymlink = &link
			}
			opts.PrincipalSet = cmd.Flags().Changed("principal")
			switch opts.AuthType {
			case "ask", "ssl", "kerberos":
			default:
				return cmdutil.FlagErrorf("invalid --authtype %q: want kerberos, ssl or ask", opts.AuthType)
			}
			if opts.HubDir != "" {
				opts.Local = true
			}
			if opts.Local && opts.HubURL != "" {
				return cmdutil.FlagErrorf("--local and --hub-url exclude each other")
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return Run(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&opts.UserCert, "usercert", "u", "~/.globus/usercert.pem", "user certificate `file` (for ssl)")
	fl.StringVar(&opts.UserCert, "user-cert", "~/.globus/usercert.pem", "same as --usercert")
	fl.StringVarP(&opts.UserKey, "userkey", "k", "~/.globus/userkey.pem", "user key `file` (for ssl)")
	fl.StringVar(&opts.UserKey, "user-key", "~/.globus/userkey.pem", "same as --userkey")
	fl.StringVar(&opts.AuthType, "authtype", "ask", "kerberos, ssl or ask")
	fl.StringVar(&opts.Principal, "principal", "", "Kerberos `principal` (default or empty: the default principal)")
	fl.BoolVar(&write, "write-client-conf", false, "write the config (replacing an existing one) without asking")
	fl.BoolVar(&noWrite, "no-write-client-conf", false, "do not write the config")
	fl.BoolVar(&link, "dot-koji-symlink", false, "make ~/.koji a symlink to ~/.osg-koji without asking")
	fl.BoolVar(&noLink, "no-dot-koji-symlink", false, "do not make the ~/.koji symlink")
	fl.StringVar(&opts.HubURL, "hub-url", "", "another hub's `URL` (https://HOST/kojihub)")
	fl.BoolVar(&opts.Local, "local", false, "configure the served embedded hub")
	fl.StringVar(&opts.HubDir, "hub-dir", "", "the embedded hub's `directory` (implies --local)")
	_ = fl.MarkHidden("user-cert")
	_ = fl.MarkHidden("user-key")
	return cmd
}

type prompter struct {
	tty bool
	in  *bufio.Reader
	out *os.File
	io  *iostreams.IOStreams
}

func (p *prompter) ask(q, def string) string {
	fmt.Fprintf(p.io.ErrOut, "%s [%s]: ", q, def)
	line, _ := p.in.ReadString('\n')
	line = strings.TrimSpace(line)
	if line == "" {
		return def
	}
	return line
}

func (p *prompter) yes(q string, def bool) bool {
	d := "y/N"
	if def {
		d = "Y/n"
	}
	a := strings.ToLower(p.ask(q, d))
	if a == strings.ToLower(d) {
		return def
	}
	return strings.HasPrefix(a, "y")
}

func expand(p, home string) string {
	if p == "~" {
		return home
	}
	if strings.HasPrefix(p, "~/") {
		return filepath.Join(home, p[2:])
	}
	return p
}

// Run writes the config.
func Run(ctx context.Context, o *Options) error {
	getenv := o.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	now := time.Now
	if o.Now != nil {
		now = o.Now
	}
	home := getenv("HOME")
	if home == "" {
		return fmt.Errorf("HOME is not set")
	}
	tty := o.IO.IsStdinTTY() && o.IO.IsStderrTTY()
	pr := &prompter{tty: tty, in: bufio.NewReader(o.IO.In), io: o.IO}
	dir := filepath.Join(home, ".osg-koji")
	cfgPath := filepath.Join(dir, "config")

	authType := o.AuthType
	if authType == "ask" {
		if !tty {
			return cmdutil.FlagErrorf("--authtype is needed when not on a terminal (kerberos or ssl)")
		}
		a := pr.ask("Authentication type (kerberos or ssl)", "kerberos")
		if a != "kerberos" && a != "ssl" {
			return cmdutil.FlagErrorf("invalid authentication type %q: want kerberos or ssl", a)
		}
		authType = a
	}

	p := kojisetup.Params{AuthType: authType}
	var localCert string
	if o.Local {
		hubDir := o.HubDir
		if hubDir == "" {
			d, err := store.DefaultDir(getenv)
			if err != nil {
				return err
			}
			hubDir = d
		}
		si, err := hub.ReadServeInfo(hubDir)
		if err != nil {
			return err
		}
		if si == nil {
			return fmt.Errorf("the embedded hub %s is not served: start it with `osg-build hub serve --dir %s`, then run setup again", hubDir, hubDir)
		}
		p.ServerURL, p.TopURL = si.URL, si.TopURL
		p.ServerCA = filepath.Join(hubDir, hub.PKIDir, "ca.crt")
		if authType == "ssl" {
			user := getenv("USER")
			if user == "" {
				user = "user"
			}
			localCert = filepath.Join(hubDir, hub.PKIDir, user+".pem")
			if _, err := hub.IssueUserCert(filepath.Join(hubDir, hub.PKIDir), nil, user, localCert); err != nil {
				return fmt.Errorf("issuing a certificate for %s: %w", user, err)
			}
		}
	} else {
		p.ServerURL = o.HubURL
		ca, err := kojisetup.SystemCA()
		if err != nil {
			return err
		}
		p.ServerCA = ca
	}

	if authType == "kerberos" {
		principal := o.Principal
		if !o.PrincipalSet {
			def := ""
			if r := credcheck.CheckKerberos(credcheck.KrbOptions{CCName: getenv("KRB5CCNAME")}); r.Principal != "" {
				def = r.Principal
			}
			if tty {
				principal = pr.ask("Kerberos principal (USER@REALM, or default)", or(def, "default"))
			} else {
				principal = def
			}
		}
		p.Principal = kojisetup.NormalizePrincipal(principal)
	} else {
		p.Cert = "~/.osg-koji/client.crt"
	}

	text, err := kojisetup.Render(p)
	if err != nil {
		return err
	}
	write := true
	if _, err := os.Stat(cfgPath); err == nil {
		switch {
		case o.WriteClientConf != nil:
			write = *o.WriteClientConf
		case tty:
			write = pr.yes(cfgPath+" exists; replace it (the old one is kept as config.bak)?", false)
		default:
			return cmdutil.FlagErrorf("%s exists: give --write-client-conf to replace it (kept as config.bak) or --no-write-client-conf to keep it", cfgPath)
		}
	} else if o.WriteClientConf != nil {
		write = *o.WriteClientConf
	}
	if write {
		bak, err := kojisetup.WriteConfig(cfgPath, text)
		if err != nil {
			return err
		}
		if bak != "" {
			fmt.Fprintf(o.IO.ErrOut, "The old config is kept as %s\n", bak)
		}
		fmt.Fprintf(o.IO.ErrOut, "Wrote %s\n", cfgPath)
	}

	if authType == "ssl" {
		var data []byte
		if localCert != "" {
			if data, err = os.ReadFile(localCert); err != nil {
				return err
			}
		} else {
			cert, err := os.ReadFile(expand(o.UserCert, home))
			if err != nil {
				return fmt.Errorf("reading the user certificate: %w (give -u/--usercert FILE)", err)
			}
			key, err := os.ReadFile(expand(o.UserKey, home))
			if err != nil {
				return fmt.Errorf("reading the user key: %w (give -k/--userkey FILE)", err)
			}
			data = kojisetup.ClientCert(cert, key)
		}
		crt := filepath.Join(dir, "client.crt")
		bak, err := kojisetup.WriteClientCert(crt, data, now())
		if err != nil {
			return err
		}
		if bak != "" {
			fmt.Fprintf(o.IO.ErrOut, "The old client.crt is kept as %s\n", bak)
		}
		fmt.Fprintf(o.IO.ErrOut, "Wrote %s\n", crt)
	}

	if _, err := os.Lstat(filepath.Join(home, ".koji")); os.IsNotExist(err) {
		link := false
		switch {
		case o.DotKojiSymlink != nil:
			link = *o.DotKojiSymlink
		case tty:
			link = pr.yes("Make ~/.koji a symlink to ~/.osg-koji (so the plain koji CLI uses it)?", false)
		}
		if link {
			if _, err := kojisetup.DotKojiSymlink(home); err != nil {
				return err
			}
			fmt.Fprintf(o.IO.ErrOut, "Made %s -> .osg-koji\n", filepath.Join(home, ".koji"))
		}
	}

	// The checks osg-build auth runs.
	s := credcheck.Settings{AuthType: authType, ServerCA: p.ServerCA, Principal: p.Principal}
	if authType == "ssl" {
		s.Cert = filepath.Join(dir, "client.crt")
	}
	rep := credcheck.Check(credcheck.Options{Settings: s, Getenv: getenv})
	for _, w := range rep.Findings().Warnings() {
		fmt.Fprintf(o.IO.ErrOut, "warning: %s\n", w)
	}
	if err := rep.Err(); err != nil {
		fmt.Fprintf(o.IO.ErrOut, "The config is written, but the credential does not work yet: %v\n", err)
	}
	if authType == "kerberos" {
		fmt.Fprintf(o.IO.ErrOut, "Get a Kerberos ticket (kinit %s), then run: %s hello\n", or(p.Principal, "USER@REALM"), o.Prog)
	} else {
		fmt.Fprintf(o.IO.ErrOut, "Now run: %s hello\n", o.Prog)
	}
	return nil
}

func or(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
