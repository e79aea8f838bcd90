package sign

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/osg-htc/osg-build-go/internal/testutil"
	"github.com/osg-htc/osg-build-go/pkg/hub"
	"github.com/osg-htc/osg-build-go/pkg/koji"
)

var fixtures = filepath.Join("..", "..", "testdata", "rpms")

// testHub opens an embedded hub with the builds osgtest-full-1.2.3-4 (two
// x86_64 RPMs) and osgtest-noarch-0.5-1, imported from the test RPMs.
func testHub(t *testing.T) *hub.Hub {
	t.Helper()
	ctx := context.Background()
	h, err := hub.Open(ctx, t.TempDir(), hub.WithLocalUser("tester"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	for _, b := range []struct {
		n, v, r string
		files   []string
	}{
		{"osgtest-full", "1.2.3", "4", []string{"osgtest-full-1.2.3-4.x86_64.rpm", "osgtest-full-libs-1.2.3-4.x86_64.rpm"}},
		{"osgtest-noarch", "0.5", "1", []string{"osgtest-noarch-0.5-1.noarch.rpm"}},
	} {
		if _, err := h.CreateEmptyBuild(ctx, b.n, b.v, b.r, nil, koji.CreateEmptyBuildOpts{}); err != nil {
			t.Fatal(err)
		}
		for _, name := range b.files {
			f, err := os.Open(filepath.Join(fixtures, name))
			if err != nil {
				t.Fatal(err)
			}
			st, _ := f.Stat()
			err = h.Upload(ctx, "cli-import/sign", name, f, st.Size(), koji.UploadOpts{Overwrite: true})
			f.Close()
			if err != nil {
				t.Fatal(err)
			}
			if _, err := h.ImportRPM(ctx, "cli-import/sign", name); err != nil {
				t.Fatal(err)
			}
		}
	}
	return h
}

func TestSignBuild(t *testing.T) {
	testutil.RequireTool(t, "rpmsign", "rpm")
	home, longID := testutil.GPGKey(t)
	ctx := context.Background()
	h := testHub(t)
	key := &Key{Name: "Test", KeyID: longID[8:], Dvers: []string{"el9"}, DigestAlgo: "sha256"}
	g := &GPG{Home: home}
	if !g.HaveSecretKey(ctx, key.KeyID) || !g.HavePublicKey(ctx, key.KeyID) {
		t.Fatal("gpg does not see the test key")
	}
	if ids, err := g.SigningKeyIDs(ctx, key.KeyID); err != nil || len(ids) != 1 || ids[0] != key.KeyID {
		t.Errorf("SigningKeyIDs = %v, %v", ids, err)
	}
	work := t.TempDir()
	var out bytes.Buffer
	opts := SignOptions{GPG: g, Out: &out, WorkDir: work}

	// a dry run changes nothing
	dry := opts
	dry.DryRun = true
	res, err := SignBuild(ctx, h, "osgtest-full-1.2.3-4", key, dry)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Signed) != 2 || len(res.Imported) != 2 || len(res.AlreadySigned) != 0 || !strings.Contains(out.String(), "would sign and import: osgtest-full-libs-1.2.3-4.x86_64.rpm") {
		t.Errorf("dry run: %+v\n%s", res, out.String())
	}
	if sigs, _ := h.QueryRPMSigs(ctx, koji.QueryRPMSigsOpts{SigKey: &key.KeyID}); len(sigs) != 0 {
		t.Errorf("the dry run imported %+v", sigs)
	}

	out.Reset()
	res, err = SignBuild(ctx, h, "osgtest-full-1.2.3-4", key, opts)
	if err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	want := []string{"osgtest-full-1.2.3-4.x86_64.rpm", "osgtest-full-libs-1.2.3-4.x86_64.rpm"}
	if strings.Join(res.Signed, " ") != strings.Join(want, " ") || strings.Join(res.Imported, " ") != strings.Join(want, " ") || len(res.AlreadySigned) != 0 {
		t.Errorf("result %+v", res)
	}
	for _, name := range []string{"osgtest-full-1.2.3-4.x86_64", "osgtest-full-libs-1.2.3-4.x86_64"} {
		sigs, err := h.QueryRPMSigs(ctx, koji.QueryRPMSigsOpts{RPMID: koji.ByName(name), SigKey: &key.KeyID})
		if err != nil || len(sigs) != 1 {
			t.Errorf("%s: queryRPMSigs = %+v, %v", name, sigs, err)
		}
		copyPath := filepath.Join(h.TopDir(), "packages/osgtest-full/1.2.3/4/data/signed", key.KeyID, "x86_64", name+".rpm")
		testutil.RPMVerify(t, home, longID, copyPath)
		qf, _ := exec.Command("rpm", "-qp", "--qf", "%{RSAHEADER:pgpsig}", copyPath).Output()
		if !strings.Contains(string(qf), "SHA256") {
			t.Errorf("%s: digest_algo sha256 not used: %s", name, qf)
		}
	}
	if ents, _ := os.ReadDir(work); len(ents) != 0 {
		t.Errorf("left in the work directory: %v", ents)
	}
	// the other build is untouched
	if sigs, _ := h.QueryRPMSigs(ctx, koji.QueryRPMSigsOpts{RPMID: koji.ByName("osgtest-noarch-0.5-1.noarch"), SigKey: &key.KeyID}); len(sigs) != 0 {
		t.Errorf("osgtest-noarch signed: %+v", sigs)
	}

	// a second run imports nothing; a pruned signed copy is written again
	pruned := filepath.Join(h.TopDir(), "packages/osgtest-full/1.2.3/4/data/signed", key.KeyID, "x86_64", want[0])
	os.Remove(pruned)
	out.Reset()
	res, err = SignBuild(ctx, h, "osgtest-full-1.2.3-4", key, opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.AlreadySigned) != 2 || len(res.Signed) != 0 || len(res.Imported) != 0 || !strings.Contains(out.String(), "0 of 2 RPMs need a signature") {
		t.Errorf("second run: %+v\n%s", res, out.String())
	}
	if _, err := os.Stat(pruned); err != nil {
		t.Errorf("the pruned signed copy: %v", err)
	}

	// errors
	if _, err := SignBuild(ctx, h, "nope-1-1", key, opts); err == nil || !strings.Contains(err.Error(), "no such build: nope-1-1") {
		t.Errorf("missing build: %v", err)
	}
	other := &Key{Name: "Other", KeyID: "deadbeef", Dvers: []string{"el9"}}
	if _, err := SignBuild(ctx, h, "osgtest-noarch-0.5-1", other, opts); !errors.Is(err, ErrNoSecretKey) || !strings.Contains(err.Error(), "gpg --import") {
		t.Errorf("no secret key: %v", err)
	}
	bad := opts
	bad.RPMSign = "false"
	if _, err := SignBuild(ctx, h, "osgtest-noarch-0.5-1", key, bad); err == nil || !strings.Contains(err.Error(), "signing with Test") {
		t.Errorf("rpmsign failing: %v", err)
	}
	if sigs, _ := h.QueryRPMSigs(ctx, koji.QueryRPMSigsOpts{RPMID: koji.ByName("osgtest-noarch-0.5-1.noarch"), SigKey: &key.KeyID}); len(sigs) != 0 {
		t.Errorf("a failed signing imported %+v", sigs)
	}
	if ents, _ := os.ReadDir(work); len(ents) != 0 {
		t.Errorf("left in the work directory after a failure: %v", ents)
	}
}
