// Package sign implements `osg-build sign` (osg-sign's job): sign the RPMs
// of builds in the hub with a signing key and import the signatures.
package sign

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/osg-htc/osg-build-go/internal/cmdutil"
	"github.com/osg-htc/osg-build-go/internal/iostreams"
	"github.com/osg-htc/osg-build-go/internal/sign"
	"github.com/osg-htc/osg-build-go/pkg/koji"
)

// Options are the inputs of sign.
type Options struct {
	IO   *iostreams.IOStreams
	Hub  func(ctx context.Context) (koji.Hub, error)
	Key  string
	NVRs []string

	ListKeys    bool
	DryRun      bool
	SigningKeys []string
	JSON        bool
	// GPG runs gpg (tests set GNUPGHOME through it; nil = gpg's default).
	GPG *sign.GPG
}

// NewCmdSign returns the sign command.
func NewCmdSign(f *cmdutil.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{IO: f.IOStreams, Hub: func(ctx context.Context) (koji.Hub, error) {
		if f.Hub == nil {
			return nil, fmt.Errorf("no hub configured")
		}
		return f.Hub(ctx)
	}}
	cmd := &cobra.Command{
		Use:   "sign KEY NVR...",
		Short: "Sign the RPMs of builds with a signing key (osg-sign)",
		Long: `Sign every RPM of each build (debuginfo too) with KEY, as osg-sign does: the
RPMs the hub has no signature by the key for (or one of its signing subkeys)
are downloaded into a temporary directory, signed with rpmsign --resign and
gpg, and their signatures imported into the hub (addRPMSig), which writes the
signed copies (writeSignedRPM). A build already signed is left as it is; its
signed copies are written again if they were removed.

KEY is a key name or key id of signing_keys.ini: osg-build's own keys, then
~/.config/osg-build/signing_keys.ini and --signing-keys files, which add keys
or replace them by name ([key NAME] sections with keyid, dvers and an
optional digest_algo). --list-keys shows them, and whether gpg has their
public and secret keys. gpg must have the secret key; the hub needs the sign
permission (or admin).

` + cmdutil.ExitStatusHelp,
		Example: "  osg-build sign --list-keys\n  osg-build sign OSG-24-developer foo-1.0-1.osg24.el9\n  osg-build sign --dry-run 1887c61a foo-1.0-1.osg24.el9 bar-2-1.osg24.el9",
		RunE: func(cmd *cobra.Command, args []string) error {
			if !opts.ListKeys {
				switch {
				case len(args) == 0:
					return cmdutil.FlagErrorf("signing key not specified: run `osg-build sign --list-keys` to see which keys are available")
				case len(args) == 1:
					return cmdutil.FlagErrorf("no builds specified")
				}
				opts.Key, opts.NVRs = args[0], args[1:]
			} else if len(args) > 0 {
				return cmdutil.FlagErrorf("--list-keys takes no arguments")
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return Run(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.BoolVar(&opts.ListKeys, "list-keys", false, "list the signing keys, and whether gpg has their public and secret keys")
	fl.BoolVar(&opts.DryRun, "dry-run", false, "say what would be signed and imported; change nothing")
	fl.StringArrayVar(&opts.SigningKeys, "signing-keys", nil, "a signing_keys.ini `file` whose keys add to or replace the others (repeatable)")
	fl.BoolVar(&opts.JSON, "json", false, "print the results as JSON")
	return cmd
}

// Run runs sign.
func Run(ctx context.Context, opts *Options) error {
	keys, err := sign.LoadKeys(opts.SigningKeys...)
	if err != nil {
		return err
	}
	g := opts.GPG
	if g == nil {
		g = &sign.GPG{}
	}
	if opts.ListKeys {
		return listKeys(ctx, opts, keys, g)
	}
	key, err := sign.FindKey(keys, opts.Key)
	if err != nil {
		return &cmdutil.FlagError{Err: err}
	}
	h, err := opts.Hub(ctx)
	if err != nil {
		return err
	}
	if !opts.DryRun {
		if err := cmdutil.EnsureLogin(ctx, h); err != nil {
			return err
		}
	}
	var status io.Writer
	if !opts.IO.Quiet() {
		status = opts.IO.ErrOut
	}
	var results []*sign.SignResult
	for _, nvr := range opts.NVRs {
		res, err := sign.SignBuild(ctx, h, nvr, key, sign.SignOptions{DryRun: opts.DryRun, GPG: g, Out: status})
		if err != nil {
			if errors.Is(err, sign.ErrNoSecretKey) {
				return &cmdutil.ExitError{Code: cmdutil.ExitAuth, Err: err}
			}
			return err
		}
		results = append(results, res)
	}
	if opts.JSON {
		return writeJSON(opts.IO.Out, results)
	}
	t := iostreams.NewTablePrinter(opts.IO)
	t.Header("build", "rpm", "status")
	for _, r := range results {
		done := "signed"
		if r.DryRun {
			done = "would sign"
		}
		for _, f := range r.Signed {
			t.AddRow(r.Build, f, done)
		}
		for _, f := range r.AlreadySigned {
			t.AddRow(r.Build, f, "already signed")
		}
	}
	return t.Render()
}

type keyInfo struct {
	Name       string   `json:"name"`
	KeyID      string   `json:"keyid"`
	Dvers      []string `json:"dvers"`
	DigestAlgo string   `json:"digest_algo"`
	Public     bool     `json:"public"`
	Secret     bool     `json:"secret"`
}

func listKeys(ctx context.Context, opts *Options, keys map[string]*sign.Key, g *sign.GPG) error {
	var infos []keyInfo
	for _, k := range sign.Sorted(keys) {
		infos = append(infos, keyInfo{Name: k.Name, KeyID: k.KeyID, Dvers: k.Dvers, DigestAlgo: k.DigestAlgo,
			Public: g.HavePublicKey(ctx, k.KeyID), Secret: g.HaveSecretKey(ctx, k.KeyID)})
	}
	if opts.JSON {
		return writeJSON(opts.IO.Out, infos)
	}
	yn := map[bool]string{true: "yes", false: "no"}
	t := iostreams.NewTablePrinter(opts.IO)
	t.Header("name", "keyid", "dvers", "digest", "public", "secret")
	for _, k := range infos {
		digest := k.DigestAlgo
		if digest == "" {
			digest = "default"
		}
		t.AddRow(k.Name, k.KeyID, strings.Join(k.Dvers, ","), digest, yn[k.Public], yn[k.Secret])
	}
	return t.Render()
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
