// Package proxyinit implements `osg-build proxy init` (grid-proxy-init in
// Go): a proxy certificate signed by the user's grid certificate.
package proxyinit

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/osg-htc/osg-build-go/internal/cmd/proxy/gridflags"
	"github.com/osg-htc/osg-build-go/internal/cmdutil"
	"github.com/osg-htc/osg-build-go/internal/credcheck"
	"github.com/osg-htc/osg-build-go/internal/iostreams"
	"github.com/osg-htc/osg-build-go/internal/proxy"
)

// Options are the inputs of proxy init.
type Options struct {
	IO     *iostreams.IOStreams
	Getenv func(string) string

	Cert, Key      string
	Out            string
	Bits           int
	Valid          string
	Hours          int
	Old, RFC       bool
	Limited        bool
	PassphraseFile string
	// ReadPassphrase asks for the passphrase (nil: from the terminal).
	ReadPassphrase func() ([]byte, error)
}

// NewCmdInit returns the proxy init command.
func NewCmdInit(f *cmdutil.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{IO: f.IOStreams, Getenv: f.Getenv}
	cmd := &cobra.Command{
		Use:   "init",
		Short: "Make a grid proxy from your certificate (grid-proxy-init)",
		Long: `Make a proxy certificate signed by your grid certificate, as grid-proxy-init
does, without the Globus tools: by default an RFC 3820 impersonation proxy
(subject = your subject + CN=<serial number>) with a 2048-bit key, valid for
12 hours (never beyond your certificate), written with mode 0600 to
$X509_USER_PROXY or /tmp/x509up_u<uid> as the proxy certificate, its key and
your certificate chain. --old makes a legacy Globus proxy (CN=proxy).

The certificate and key are ~/.globus/usercert.pem and userkey.pem (or
$X509_USER_CERT, $X509_USER_KEY, --cert, --key); an encrypted key
(PKCS#1 "Proc-Type: 4,ENCRYPTED" or encrypted PKCS#8) is decrypted with the
passphrase read from the terminal without echo, or from --passphrase-file.
The grid tools' spellings work too: -bits 2048 -valid 12:00 -out FILE -old.

` + cmdutil.ExitStatusHelp,
		Example:            "  osg-build proxy init\n  osg-build proxy init -bits 2048 -valid 24:00\n  osg-build proxy init --cert ~/.osg-koji/client.crt --key ~/.osg-koji/client.crt --out ~/proxy.pem",
		DisableFlagParsing: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			pos, help, err := gridflags.Parse(cmd, args)
			if help || err != nil {
				return err
			}
			if len(pos) > 0 {
				return cmdutil.FlagErrorf("unexpected argument %q", pos[0])
			}
			if opts.Old && opts.RFC {
				return cmdutil.FlagErrorf("--old and --rfc cannot be used together")
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return Run(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Cert, "cert", "", "your certificate `file` (default $X509_USER_CERT, else ~/.globus/usercert.pem)")
	fl.StringVar(&opts.Key, "key", "", "your private key `file` (default $X509_USER_KEY, else ~/.globus/userkey.pem)")
	fl.StringVar(&opts.Out, "out", "", "the proxy `file` to write (default $X509_USER_PROXY, else /tmp/x509up_u<uid>)")
	fl.IntVar(&opts.Bits, "bits", proxy.DefaultBits, "size of the proxy's RSA key, in bits")
	fl.StringVar(&opts.Valid, "valid", "12:00", "lifetime as `H:M`")
	fl.IntVar(&opts.Hours, "hours", 0, "lifetime in hours (instead of --valid)")
	fl.BoolVar(&opts.RFC, "rfc", false, "an RFC 3820 proxy (the default)")
	fl.BoolVar(&opts.Old, "old", false, "a legacy Globus proxy (CN=proxy), for old services")
	fl.BoolVar(&opts.Limited, "limited", false, "a limited proxy")
	fl.StringVar(&opts.PassphraseFile, "passphrase-file", "", "read the key's passphrase from `file` (its first line) instead of the terminal")
	return cmd
}

func (o *Options) getenv(k string) string {
	if o.Getenv == nil {
		return os.Getenv(k)
	}
	return o.Getenv(k)
}

// Run runs proxy init.
func Run(ctx context.Context, opts *Options) error {
	home := opts.getenv("HOME")
	certFile := firstOf(opts.Cert, opts.getenv("X509_USER_CERT"), filepath.Join(home, ".globus", "usercert.pem"))
	keyFile := firstOf(opts.Key, opts.getenv("X509_USER_KEY"), filepath.Join(home, ".globus", "userkey.pem"))
	out := firstOf(opts.Out, opts.getenv("X509_USER_PROXY"), credcheck.DefaultProxyPath(0))
	valid, err := proxy.ParseValid(opts.Valid)
	if err != nil {
		return &cmdutil.FlagError{Err: err}
	}
	if opts.Hours > 0 {
		valid = time.Duration(opts.Hours) * time.Hour
	}
	if opts.Bits < credcheck.MinKeyBits {
		fmt.Fprintf(opts.IO.ErrOut, "warning: a %d-bit proxy will be refused by the hub (EE_KEY_TOO_SMALL); use -bits %d\n", opts.Bits, proxy.DefaultBits)
	}
	chain, key, err := proxy.LoadUser(certFile, keyFile, opts.passphrase())
	if err != nil {
		return err
	}
	if !opts.IO.Quiet() {
		fmt.Fprintf(opts.IO.Out, "Your identity: %s\n", credcheck.OneLine(chain[0].RawSubject))
	}
	kind := proxy.RFC
	if opts.Old {
		kind = proxy.Legacy
	}
	p, err := proxy.New(chain, key, proxy.Options{Kind: kind, Limited: opts.Limited, Bits: opts.Bits, Valid: valid})
	if err != nil {
		return err
	}
	if err := proxy.Write(out, p.PEM()); err != nil {
		return err
	}
	if p.Shortened {
		fmt.Fprintf(opts.IO.ErrOut, "warning: your certificate expires at %s: the proxy ends then, before the %s asked for\n", chain[0].NotAfter.UTC().Format(time.RFC3339), opts.Valid)
	}
	if !opts.IO.Quiet() {
		fmt.Fprintf(opts.IO.Out, "Your proxy %s is valid until: %s\n", out, p.Cert.NotAfter.Local().Format(time.ANSIC))
	}
	return nil
}

func firstOf(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}

// passphrase returns the function that reads the key's passphrase, called
// only when the key is encrypted.
func (o *Options) passphrase() func() ([]byte, error) {
	return func() ([]byte, error) {
		if o.PassphraseFile != "" {
			b, err := os.ReadFile(o.PassphraseFile)
			if err != nil {
				return nil, fmt.Errorf("reading the passphrase: %w", err)
			}
			line, _, _ := bytes.Cut(b, []byte("\n"))
			return bytes.TrimSuffix(line, []byte("\r")), nil
		}
		if o.ReadPassphrase != nil {
			return o.ReadPassphrase()
		}
		in, ok := o.IO.In.(*os.File)
		if !ok || !term.IsTerminal(int(in.Fd())) {
			return nil, errors.New("the key is encrypted and there is no terminal to ask for its passphrase: use --passphrase-file FILE")
		}
		fmt.Fprint(o.IO.ErrOut, "Enter GRID pass phrase for this identity: ")
		pw, err := term.ReadPassword(int(in.Fd()))
		fmt.Fprintln(o.IO.ErrOut)
		if err != nil {
			return nil, fmt.Errorf("reading the passphrase: %w", err)
		}
		if strings.TrimSpace(string(pw)) == "" {
			return nil, errors.New("no passphrase given")
		}
		return pw, nil
	}
}
