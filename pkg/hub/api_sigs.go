package hub

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/osg-htc/osg-build-go/internal/atomicfile"
	"github.com/osg-htc/osg-build-go/pkg/hub/store"
	"github.com/osg-htc/osg-build-go/pkg/koji"
	"github.com/osg-htc/osg-build-go/pkg/rpm"
)

// Signatures, as Koji keeps them: a row of rpmsigs (rpm_id, sigkey,
// sighash) per key, the signature header in the build's
// data/sigcache/<sigkey>/<arch>/<N-V-R.A>.rpm.sig, and, once
// writeSignedRPM made it, the signed copy in
// data/signed/<sigkey>/<arch>/<N-V-R.A>.rpm (koji.pathinfo.sighdr and
// koji.pathinfo.signed), served under /kojifiles/packages/ like the rest
// of the build.

// buildDir is the build's directory (koji.pathinfo.build).
func (h *Hub) buildDir(b *buildRow) string {
	return filepath.Join(h.TopDir(), "packages", b.Name, b.Version, b.Release)
}

// rpmRelPath is an RPM's path in its build's directory (koji.pathinfo.rpm).
func rpmRelPath(name, version, release, arch string) string {
	return filepath.Join(arch, fmt.Sprintf("%s-%s-%s.%s.rpm", name, version, release, arch))
}

func sigHdrPath(bdir, rel, sigkey string) string {
	return filepath.Join(bdir, "data", "sigcache", sigkey, rel+".sig")
}

func signedRPMPath(bdir, rel, sigkey string) string {
	return filepath.Join(bdir, "data", "signed", sigkey, rel)
}

// insertRPMSig is Koji's add_rpm_sig after the lookups: it checks sighdr
// against the RPM's payloadhash, stores its row and writes it to the
// sigcache. It answers the sigkey.
func insertRPMSig(tx *store.Tx, rpmID int64, nvra, payloadhash, bdir, rel string, sighdr []byte) (string, error) {
	sh, err := rpm.ParseSigHeader(sighdr)
	if err != nil {
		return "", fault(koji.GenericError, "%v", err)
	}
	if sh.SigMD5 != payloadhash {
		return "", fault(koji.GenericError, "wrong md5 for %s: %s", nvra, sh.SigMD5)
	}
	sigkey, err := sh.KeyID()
	if err != nil {
		return "", fault(koji.GenericError, "%s: %v", nvra, err)
	}
	sum := md5.Sum(sighdr)
	if _, err := tx.Exec(`INSERT INTO rpmsigs (rpm_id, sigkey, sighash) VALUES (?, ?, ?)`, rpmID, sigkey, hex.EncodeToString(sum[:])); err != nil {
		if store.IsConstraint(err) {
			return "", fault(koji.GenericError, "Signature already exists for package %s, key %s", nvra, sigkey)
		}
		return "", err
	}
	p := sigHdrPath(bdir, rel, sigkey)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return "", err
	}
	if err := atomicfile.WriteFile(p, sighdr); err != nil {
		return "", fmt.Errorf("writing the signature header: %w", err)
	}
	return sigkey, nil
}

// sigRPM finds the internal RPM of a signing call and its build's
// directory (Koji: get_rpm strict, then "Not an internal rpm").
func (h *Hub) sigRPM(tx *store.Tx, ref koji.Ref) (*koji.RPM, string, error) {
	r, err := h.GetRPM(context.WithValue(context.Background(), txKey{}, tx), ref, koji.GetRPMOpts{Strict: true})
	if err != nil {
		return nil, "", err
	}
	if r.ExternalRepoID != 0 {
		return nil, "", fault(koji.GenericError, "Not an internal rpm: %v (from %s)", ref.Value(), r.ExternalRepoName)
	}
	b, err := mustBuild(tx, koji.ByID(r.BuildID))
	if err != nil {
		return nil, "", err
	}
	return r, h.buildDir(b), nil
}

func nvraOf(r *koji.RPM) string {
	return r.Name + "-" + r.Version + "-" + r.Release + "." + r.Arch
}

// AddRPMSig is addRPMSig(an_rpm, data) (sign): Koji's add_rpm_sig. The
// sigkey is the lowercase key id of the header's signature, "" when it
// has none; the sighash the MD5 of the header.
func (h *Hub) AddRPMSig(ctx context.Context, ref koji.Ref, sighdr []byte) error {
	return h.write(ctx, func(tx *store.Tx) error {
		c, err := h.caller(ctx, tx)
		if err != nil {
			return err
		}
		if err := h.assertPerm(tx, c, "sign"); err != nil {
			return err
		}
		r, bdir, err := h.sigRPM(tx, ref)
		if err != nil {
			return err
		}
		if st, err := os.Stat(bdir); err != nil || !st.IsDir() {
			return fault(koji.GenericError, "No such directory: %s", bdir)
		}
		_, err = insertRPMSig(tx, int64(r.ID), nvraOf(r), r.PayloadHash, bdir,
			rpmRelPath(r.Name, r.Version, r.Release, r.Arch), sighdr)
		return err
	})
}

// WriteSignedRPM is writeSignedRPM(an_rpm, sigkey, force) (sign): Koji's
// write_signed_rpm, without its rpm_checksum rows (the hub keeps no
// checksums of signed copies). The copy is written through a temporary
// file, so a reader never sees half of it.
func (h *Hub) WriteSignedRPM(ctx context.Context, ref koji.Ref, sigkey string, opts koji.WriteSignedRPMOpts) error {
	sigkey = strings.ToLower(sigkey)
	var src, hdrPath, dst string
	err := h.read(ctx, func(tx *store.Tx) error {
		c, err := h.caller(ctx, tx)
		if err != nil {
			return err
		}
		if err := h.assertPerm(tx, c, "sign"); err != nil {
			return err
		}
		r, bdir, err := h.sigRPM(tx, ref)
		if err != nil {
			return err
		}
		rel := rpmRelPath(r.Name, r.Version, r.Release, r.Arch)
		src = filepath.Join(bdir, rel)
		st, err := os.Stat(src)
		if err != nil {
			return fault(koji.GenericError, "No such path: %s", src)
		}
		if !st.Mode().IsRegular() {
			return fault(koji.GenericError, "Not a regular file: %s", src)
		}
		var n int
		if err := tx.QueryRow(`SELECT count(*) FROM rpmsigs WHERE rpm_id = ? AND sigkey = ?`, r.ID, sigkey).Scan(&n); err != nil {
			return err
		}
		// The key comes from the table, so it is a key id; the path test
		// keeps a bad row from writing outside the build.
		if n == 0 || strings.ContainsAny(sigkey, `/\`) || sigkey == ".." || sigkey == "." {
			return fault(koji.GenericError, "No cached signature for package %s, key %s", nvraOf(r), sigkey)
		}
		hdrPath, dst = sigHdrPath(bdir, rel, sigkey), signedRPMPath(bdir, rel, sigkey)
		return nil
	})
	if err != nil {
		return err
	}
	if _, err := os.Stat(dst); err == nil && !opts.Force {
		return nil
	}
	sighdr, err := os.ReadFile(hdrPath)
	if err != nil {
		return fault(koji.GenericError, "reading the cached signature: %v", err)
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	err = atomicfile.Write(dst, func(w io.Writer) error { return rpm.SpliceFile(w, src, sighdr) })
	if err != nil {
		return fault(koji.GenericError, "writing the signed copy: %v", err)
	}
	return nil
}
