package sign

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/osg-htc/osg-build-go/internal/hubfiles"
	"github.com/osg-htc/osg-build-go/internal/runner"
	"github.com/osg-htc/osg-build-go/pkg/koji"
	"github.com/osg-htc/osg-build-go/pkg/rpm"
)

// SignOptions are the options of SignBuild.
type SignOptions struct {
	// DryRun says what would be signed and imported and changes nothing
	// (no download, no rpmsign, no call that writes).
	DryRun bool
	// GPG runs gpg (nil = gpg on PATH with its default home).
	GPG *GPG
	// Out receives the status lines (nil = none).
	Out io.Writer
	// WorkDir is where the temporary directory of the downloads goes (""
	// = $TMPDIR, else /var/tmp: RPMs are big). It is removed at the end.
	WorkDir string
	// RPMSign is the rpmsign program ("" = rpmsign on PATH).
	RPMSign string
	// Fetch reads a file of the hub's topdir (nil = hubfiles.Fetcher of
	// the hub with its own topurl).
	Fetch hubfiles.Fetch
}

// SignResult is what SignBuild did, by RPM file name (N-V-R.A.rpm).
type SignResult struct {
	Build string `json:"build"`
	Key   string `json:"key"`
	KeyID string `json:"keyid"`
	// AlreadySigned had a signature by the key (or one of its signing
	// subkeys) in the hub before.
	AlreadySigned []string `json:"already_signed"`
	// Signed were signed here with rpmsign (in a dry run: would be).
	Signed []string `json:"signed"`
	// Imported had their signature imported into the hub and their signed
	// copy written (in a dry run: would have).
	Imported []string `json:"imported"`
	DryRun   bool     `json:"dry_run"`
}

// ErrNoSecretKey is the error of SignBuild when gpg cannot sign with the
// key.
var ErrNoSecretKey = errors.New("gpg has no secret key")

func (o *SignOptions) printf(format string, args ...any) {
	if o.Out != nil {
		fmt.Fprintf(o.Out, format, args...)
	}
}

// SignBuild signs the RPMs of the build nvr (all of them, debuginfo too)
// with key, as osg-sign does: the RPMs without a signature by the key in
// the hub (queryRPMSigs) are downloaded into a temporary directory, signed
// with rpmsign --resign, and their signatures imported (addRPMSig of the
// signed file's header, then writeSignedRPM, RPM by RPM); at the end the
// hub must have the key's signature on every RPM of the build. For RPMs
// already signed, writeSignedRPM makes sure the signed copy exists (Koji
// prunes them). Writing needs the hub's sign permission (or admin).
func SignBuild(ctx context.Context, h koji.Hub, nvr string, key *Key, opts SignOptions) (*SignResult, error) {
	g := opts.GPG
	if g == nil {
		g = &GPG{}
	}
	res := &SignResult{Build: nvr, Key: key.Name, KeyID: key.KeyID, DryRun: opts.DryRun,
		AlreadySigned: []string{}, Signed: []string{}, Imported: []string{}}
	if !g.HaveSecretKey(ctx, key.KeyID) {
		err := fmt.Errorf("%w for %s: import it with gpg --import (gpg --list-secret-keys %s lists nothing)", ErrNoSecretKey, key, key.KeyID)
		if !opts.DryRun {
			return nil, err
		}
		opts.printf("warning: %v\n", err)
	}
	b, err := h.GetBuild(ctx, koji.ByName(nvr), koji.GetBuildOpts{})
	if err != nil {
		return nil, err
	}
	if b == nil {
		return nil, fmt.Errorf("no such build: %s", nvr)
	}
	if b.State != koji.BuildComplete {
		return nil, fmt.Errorf("build %s is %s, not COMPLETE: only complete builds are signed", nvr, b.State)
	}
	res.Build = b.NVR
	id := b.ID
	rpms, err := h.ListRPMs(ctx, koji.ListRPMsOpts{BuildID: &id})
	if err != nil {
		return nil, err
	}
	if len(rpms) == 0 {
		return nil, fmt.Errorf("build %s has no RPMs", b.NVR)
	}
	sort.Slice(rpms, func(i, j int) bool { return rpms[i].Filename() < rpms[j].Filename() })

	ids, err := g.SigningKeyIDs(ctx, key.KeyID)
	if err != nil {
		if !opts.DryRun {
			return nil, err
		}
		opts.printf("warning: %v\n", err)
	}
	if !slices.Contains(ids, key.KeyID) {
		ids = append(ids, key.KeyID)
	}
	signedBy, err := rpmSigKeys(ctx, h, rpms, ids)
	if err != nil {
		return nil, err
	}
	var todo []koji.RPM
	for _, r := range rpms {
		if k := signedBy[r.ID]; k != "" {
			res.AlreadySigned = append(res.AlreadySigned, r.Filename())
			if !opts.DryRun {
				if err := h.WriteSignedRPM(ctx, koji.ByID(r.ID), k, koji.WriteSignedRPMOpts{}); err != nil {
					return res, fmt.Errorf("writing the signed copy of %s: %w", r.Filename(), err)
				}
			}
		} else {
			todo = append(todo, r)
		}
	}
	opts.printf("%s: %d of %d RPMs need a signature by %s\n", b.NVR, len(todo), len(rpms), key)
	if len(todo) == 0 {
		return res, nil
	}
	if opts.DryRun {
		for _, r := range todo {
			opts.printf("would sign and import: %s\n", r.Filename())
			res.Signed = append(res.Signed, r.Filename())
			res.Imported = append(res.Imported, r.Filename())
		}
		return res, nil
	}

	fetch := opts.Fetch
	if fetch == nil {
		if fetch, err = hubfiles.Fetcher(h, "", nil); err != nil {
			return res, err
		}
	}
	root := opts.WorkDir
	if root == "" {
		root = os.Getenv("TMPDIR")
	}
	if root == "" {
		root = "/var/tmp"
	}
	dir, err := os.MkdirTemp(root, "osg-sign-"+b.NVR+"-")
	if err != nil {
		return res, fmt.Errorf("making the work directory: %w", err)
	}
	defer os.RemoveAll(dir)
	files := make([]string, len(todo))
	for i, r := range todo {
		opts.printf("Downloading [%d/%d]: %s\n", i+1, len(todo), r.Filename())
		files[i] = filepath.Join(dir, r.Filename())
		rel := path.Join("packages", b.Name, b.Version, b.Release, r.Arch, r.Filename())
		if err := download(ctx, fetch, rel, files[i]); err != nil {
			return res, fmt.Errorf("downloading %s: %w", r.Filename(), err)
		}
	}
	opts.printf("Signing %d RPMs with %s\n", len(files), key)
	if err := rpmSign(ctx, opts.RPMSign, g, key, files); err != nil {
		return res, err
	}
	for i, r := range todo {
		res.Signed = append(res.Signed, r.Filename())
		sighdr, sigkey, err := signedHeader(files[i], &r, ids)
		if err != nil {
			return res, err
		}
		opts.printf("Importing signature [key %s] of %s\n", sigkey, r.Filename())
		err = h.AddRPMSig(ctx, koji.ByID(r.ID), sighdr)
		if err != nil && !strings.Contains(err.Error(), "Signature already exists") {
			return res, fmt.Errorf("importing the signature of %s: %w", r.Filename(), err)
		}
		if err := h.WriteSignedRPM(ctx, koji.ByID(r.ID), sigkey, koji.WriteSignedRPMOpts{}); err != nil {
			return res, fmt.Errorf("writing the signed copy of %s (the signature is imported: run again to retry): %w", r.Filename(), err)
		}
		res.Imported = append(res.Imported, r.Filename())
	}

	// The hub must now have the key's signature on every RPM.
	signedBy, err = rpmSigKeys(ctx, h, rpms, ids)
	if err != nil {
		return res, err
	}
	var missing []string
	for _, r := range rpms {
		if signedBy[r.ID] == "" {
			missing = append(missing, r.Filename())
		}
	}
	if len(missing) > 0 {
		return res, fmt.Errorf("after signing, the hub has no signature by %s on %s", key, strings.Join(missing, ", "))
	}
	return res, nil
}

// rpmSigKeys returns, by RPM id, the first of ids that the hub has a
// signature by (queryRPMSigs), "" for none.
func rpmSigKeys(ctx context.Context, h koji.Hub, rpms []koji.RPM, ids []string) (map[int]string, error) {
	out := map[int]string{}
	for _, r := range rpms {
		sigs, err := h.QueryRPMSigs(ctx, koji.QueryRPMSigsOpts{RPMID: koji.ByID(r.ID)})
		if err != nil {
			return nil, fmt.Errorf("the signatures of %s: %w", r.Filename(), err)
		}
		for _, s := range sigs {
			if slices.Contains(ids, s.SigKey) {
				out[r.ID] = s.SigKey
				break
			}
		}
	}
	return out, nil
}

func download(ctx context.Context, fetch hubfiles.Fetch, rel, dst string) error {
	f, err := os.Create(dst)
	if err != nil {
		return err
	}
	err = fetch(ctx, rel, f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// rpmSign signs files in place with rpmsign --resign (which replaces any
// other signature, as osg-sign's rpm --resign).
func rpmSign(ctx context.Context, prog string, g *GPG, key *Key, files []string) error {
	if prog == "" {
		prog = "rpmsign"
	}
	if _, ok := runner.Look(prog); !ok {
		return fmt.Errorf("%s not found on PATH: install rpm-sign (EL) or rpm (Debian)", prog)
	}
	args := []string{"--resign",
		"--define", "_signature gpg",
		"--define", "_gpg_name " + key.KeyID,
		"--define", "__gpg " + g.Path(),
		"--define", "_gpgbin " + g.Path(),
	}
	if g.Home != "" {
		args = append(args, "--define", "_gpg_path "+g.Home)
	}
	if key.DigestAlgo != "" {
		args = append(args, "--define", "_gpg_digest_algo "+key.DigestAlgo)
	}
	env := g.Env()
	if tty := gpgTTY(); tty != "" {
		env = append(env, "GPG_TTY="+tty)
	}
	if _, err := runner.Run(ctx, runner.Cmd{Name: prog, Args: append(args, files...), Env: env}); err != nil {
		return fmt.Errorf("signing with %s: %w", key, err)
	}
	return nil
}

// signedHeader rips the signature header of a file rpmsign signed and
// checks it: the RPM's payload, a signature by one of ids.
func signedHeader(file string, r *koji.RPM, ids []string) ([]byte, string, error) {
	sighdr, err := rpm.RipSigHeader(file)
	if err != nil {
		return nil, "", err
	}
	sh, err := rpm.ParseSigHeader(sighdr)
	if err != nil {
		return nil, "", fmt.Errorf("%s: %w", r.Filename(), err)
	}
	if sh.SigMD5 != r.PayloadHash {
		return nil, "", fmt.Errorf("%s: the downloaded file is not the hub's RPM (signature MD5 %s, the hub's %s)", r.Filename(), sh.SigMD5, r.PayloadHash)
	}
	sigkey, err := sh.KeyID()
	if err != nil {
		return nil, "", fmt.Errorf("%s: %w", r.Filename(), err)
	}
	if sigkey == "" || !slices.Contains(ids, sigkey) {
		return nil, "", fmt.Errorf("%s: rpmsign left a signature by key %q, not by one of %s", r.Filename(), sigkey, strings.Join(ids, ", "))
	}
	return sighdr, sigkey, nil
}
