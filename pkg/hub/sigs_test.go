package hub_test

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/osg-htc/osg-build-go/internal/testutil"
	"github.com/osg-htc/osg-build-go/pkg/koji"
	"github.com/osg-htc/osg-build-go/pkg/rpm"
)

const sigTestRPM = "../../testdata/rpms/osgtest-noarch-0.5-1.noarch.rpm"

// importSigTestRPM imports the unsigned test RPM into a new build through
// kh and returns its row.
func importSigTestRPM(t *testing.T, kh koji.Hub) *koji.RPM {
	t.Helper()
	ctx := context.Background()
	if _, err := kh.CreateEmptyBuild(ctx, "osgtest-noarch", "0.5", "1", nil, koji.CreateEmptyBuildOpts{}); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(sigTestRPM)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st, _ := f.Stat()
	if err := kh.Upload(ctx, "cli-import/sig", filepath.Base(sigTestRPM), f, st.Size(), koji.UploadOpts{Overwrite: true}); err != nil {
		t.Fatal(err)
	}
	r, err := kh.ImportRPM(ctx, "cli-import/sig", filepath.Base(sigTestRPM))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// signedCopy signs a copy of the test RPM with a throwaway key and returns
// the copy, its signature header, the GNUPGHOME and the key's long id.
func signedCopy(t *testing.T) (path string, sighdr []byte, home, keyid string) {
	t.Helper()
	home, keyid = testutil.GPGKey(t)
	data, err := os.ReadFile(sigTestRPM)
	if err != nil {
		t.Fatal(err)
	}
	path = filepath.Join(t.TempDir(), filepath.Base(sigTestRPM))
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	testutil.RPMSign(t, home, keyid, path)
	if sighdr, err = rpm.RipSigHeader(path); err != nil {
		t.Fatal(err)
	}
	return path, sighdr, home, keyid
}

const sigBuildDir = "packages/osgtest-noarch/0.5/1/"

// checkSigning runs addRPMSig and writeSignedRPM through kh (in-process or
// served); file reads a file of the hub's topdir by its relative path.
func checkSigning(t *testing.T, kh koji.Hub, alice koji.Hub, aliceCtx context.Context, file func(rel string) ([]byte, error)) {
	ctx := context.Background()
	r := importSigTestRPM(t, kh)
	signed, sighdr, home, keyid := signedCopy(t)
	key := keyid[8:]

	// importRPM recorded the file's own (unsigned) header, as Koji does.
	unsigned, err := rpm.RipSigHeader(sigTestRPM)
	if err != nil {
		t.Fatal(err)
	}
	sigs, err := kh.QueryRPMSigs(ctx, koji.QueryRPMSigsOpts{RPMID: koji.ByID(r.ID)})
	if sum := md5.Sum(unsigned); err != nil || len(sigs) != 1 || sigs[0].SigKey != "" || sigs[0].SigHash != hex.EncodeToString(sum[:]) {
		t.Errorf("after import, queryRPMSigs = %+v, %v", sigs, err)
	}

	// alice without the sign permission
	err = alice.AddRPMSig(aliceCtx, koji.ByID(r.ID), sighdr)
	wantFault(t, err, koji.ActionNotAllowed, "sign permission required")
	err = alice.WriteSignedRPM(aliceCtx, koji.ByID(r.ID), key, koji.WriteSignedRPMOpts{})
	wantFault(t, err, koji.ActionNotAllowed, "sign permission required")

	// the signature of another package
	other, err := rpm.RipSigHeader("../../testdata/rpms/osgtest-full-1.2.3-4.x86_64.rpm")
	if err != nil {
		t.Fatal(err)
	}
	err = kh.AddRPMSig(ctx, koji.ByID(r.ID), other)
	wantFault(t, err, koji.GenericError, "wrong md5 for osgtest-noarch-0.5-1.noarch: ")
	err = kh.AddRPMSig(ctx, koji.ByName("nope-1-1.noarch"), sighdr)
	wantFault(t, err, koji.GenericError, "No such rpm")
	err = kh.AddRPMSig(ctx, koji.ByID(r.ID), sighdr[:len(sighdr)-8])
	wantFault(t, err, koji.GenericError, "signature header")

	// no signature stored yet for the key
	err = kh.WriteSignedRPM(ctx, koji.ByID(r.ID), key, koji.WriteSignedRPMOpts{})
	wantFault(t, err, koji.GenericError, "No cached signature for package osgtest-noarch-0.5-1.noarch, key "+key)

	// by N-V-R.A, as the map of getRPM and by id
	if err := kh.AddRPMSig(ctx, koji.ByName("osgtest-noarch-0.5-1.noarch"), sighdr); err != nil {
		t.Fatal(err)
	}
	err = kh.AddRPMSig(ctx, koji.ByFields(map[string]any{"name": "osgtest-noarch", "version": "0.5", "release": "1", "arch": "noarch"}), sighdr)
	wantFault(t, err, koji.GenericError, "Signature already exists for package osgtest-noarch-0.5-1.noarch, key "+key)
	sigs, err = kh.QueryRPMSigs(ctx, koji.QueryRPMSigsOpts{RPMID: koji.ByID(r.ID), SigKey: &key})
	if sum := md5.Sum(sighdr); err != nil || len(sigs) != 1 || sigs[0].SigKey != key || sigs[0].SigHash != hex.EncodeToString(sum[:]) {
		t.Errorf("queryRPMSigs(key) = %+v, %v", sigs, err)
	}
	cached, err := file(sigBuildDir + "data/sigcache/" + key + "/noarch/osgtest-noarch-0.5-1.noarch.rpm.sig")
	if err != nil || !bytes.Equal(cached, sighdr) {
		t.Errorf("sigcache: %d bytes, %v", len(cached), err)
	}

	// the signed copy, by a key in upper case as Koji lowers it
	if err := kh.WriteSignedRPM(ctx, koji.ByID(r.ID), hexUpper(key), koji.WriteSignedRPMOpts{}); err != nil {
		t.Fatal(err)
	}
	rel := sigBuildDir + "data/signed/" + key + "/noarch/osgtest-noarch-0.5-1.noarch.rpm"
	got, err := file(rel)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := os.ReadFile(signed)
	if !bytes.Equal(got, want) {
		t.Error("the signed copy is not the file rpmsign signed")
	}
	out := filepath.Join(t.TempDir(), "signed.rpm")
	os.WriteFile(out, got, 0o644)
	testutil.RPMVerify(t, home, keyid, out)
	if f, err := rpm.ReadFile(out); err != nil || f.Signature.Bytes(rpm.SigTagRSA) == nil && f.Signature.Bytes(rpm.SigTagPGP) == nil {
		t.Errorf("the signed copy's header has no signature (%v)", err)
	}
}

func hexUpper(s string) string { return string(bytes.ToUpper([]byte(s))) }

// TestSigningInProcess: addRPMSig and writeSignedRPM on the hub itself; an
// existing signed copy is kept unless force.
func TestSigningInProcess(t *testing.T) {
	h := openHub(t)
	ctx := context.Background()
	if _, err := h.CreateUser(ctx, "alice", koji.CreateUserOpts{}); err != nil {
		t.Fatal(err)
	}
	alice, actx := asUser(t, h, "alice")
	file := func(rel string) ([]byte, error) { return os.ReadFile(filepath.Join(h.TopDir(), rel)) }
	checkSigning(t, h, alice, actx, file)

	// the sign permission is enough
	if err := h.GrantPermission(ctx, koji.ByName("alice"), "sign", koji.GrantPermissionOpts{}); err != nil {
		t.Fatal(err)
	}
	sigs, _ := h.QueryRPMSigs(ctx, koji.QueryRPMSigsOpts{})
	var key string
	for _, s := range sigs {
		if s.SigKey != "" {
			key = s.SigKey
		}
	}
	rel := filepath.Join(h.TopDir(), sigBuildDir, "data/signed", key, "noarch/osgtest-noarch-0.5-1.noarch.rpm")
	good, _ := os.ReadFile(rel)
	os.WriteFile(rel, []byte("stale"), 0o644)
	if err := alice.WriteSignedRPM(actx, koji.ByName("osgtest-noarch-0.5-1.noarch"), key, koji.WriteSignedRPMOpts{}); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(rel); string(b) != "stale" {
		t.Error("writeSignedRPM without force replaced an existing copy")
	}
	if err := alice.WriteSignedRPM(actx, koji.ByName("osgtest-noarch-0.5-1.noarch"), key, koji.WriteSignedRPMOpts{Force: true}); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(rel); !bytes.Equal(b, good) {
		t.Error("writeSignedRPM with force did not rewrite the copy")
	}
	ents, _ := os.ReadDir(filepath.Dir(rel))
	if len(ents) != 1 {
		t.Errorf("left in the signed directory: %v", ents)
	}
}

// TestSigningServed: the same through the client and the served hub (the
// header travels as a base64 string, as the koji CLI sends it), and the
// signed copy is served under /kojifiles where Koji keeps it.
func TestSigningServed(t *testing.T) {
	s := serve(t)
	admin := s.client(t, "kojiadmin")
	alice := s.client(t, "alice")
	file := func(rel string) ([]byte, error) {
		resp, err := s.srv.Client().Get(s.srv.URL + "/kojifiles/" + rel)
		if err != nil {
			return nil, err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err == nil && resp.StatusCode != 200 {
			return nil, &os.PathError{Op: "GET", Path: rel, Err: os.ErrNotExist}
		}
		return b, err
	}
	checkSigning(t, admin, alice, context.Background(), file)
}
