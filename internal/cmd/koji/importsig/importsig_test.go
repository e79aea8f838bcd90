package importsig

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/osg-htc/osg-build-go/internal/cmd/koji/shared/kojicmdtest"
	"github.com/osg-htc/osg-build-go/internal/cmdutil"
	"github.com/osg-htc/osg-build-go/internal/testutil"
	"github.com/osg-htc/osg-build-go/pkg/koji"
	"github.com/osg-htc/osg-build-go/pkg/rpm"
)

var fixtures = filepath.Join("..", "..", "..", "..", "testdata", "rpms")

// copyRPM copies a test RPM into dir (a subdirectory per copy, to keep the
// file name).
func copyRPM(t *testing.T, name, dir string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(fixtures, name))
	kojicmdtest.Must(t, err)
	kojicmdtest.Must(t, os.MkdirAll(dir, 0o755))
	p := filepath.Join(dir, name)
	kojicmdtest.Must(t, os.WriteFile(p, data, 0o644))
	return p
}

func TestRun(t *testing.T) {
	home, keyid := testutil.GPGKey(t)
	key := keyid[8:]
	e := kojicmdtest.New(t)
	ctx := context.Background()
	const name = "osgtest-noarch-0.5-1.noarch.rpm"
	_, err := e.Hub.CreateEmptyBuild(ctx, "osgtest-noarch", "0.5", "1", nil, koji.CreateEmptyBuildOpts{})
	kojicmdtest.Must(t, err)
	f, err := os.Open(filepath.Join(fixtures, name))
	kojicmdtest.Must(t, err)
	st, _ := f.Stat()
	kojicmdtest.Must(t, e.Hub.Upload(ctx, "cli-import/t", name, f, st.Size(), koji.UploadOpts{}))
	f.Close()
	r, err := e.Hub.ImportRPM(ctx, "cli-import/t", name)
	kojicmdtest.Must(t, err)

	dir := t.TempDir()
	unsigned := filepath.Join(fixtures, name)
	signed := copyRPM(t, name, filepath.Join(dir, "a"))
	testutil.RPMSign(t, home, keyid, signed)
	other := copyRPM(t, "osgtest-full-1.2.3-4.x86_64.rpm", filepath.Join(dir, "b"))
	testutil.RPMSign(t, home, keyid, other)

	// test mode: says what it would do, changes nothing
	opts := Options{Common: e.Common(), Paths: []string{unsigned, signed, other}, Test: true}
	kojicmdtest.Must(t, Run(ctx, &opts))
	for _, want := range []string{"Skipping unsigned package: " + unsigned, "Importing signature [key " + key + "] from " + signed + "...",
		"Writing signed copy", "No such rpm in system: osgtest-full-1.2.3-4.x86_64"} {
		if !strings.Contains(e.ErrOut.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, e.ErrOut)
		}
	}
	sk := key
	if sigs, _ := e.Hub.QueryRPMSigs(ctx, koji.QueryRPMSigsOpts{SigKey: &sk}); len(sigs) != 0 {
		t.Errorf("--test imported %+v", sigs)
	}

	e.Reset()
	opts.Test, opts.JSON = false, true
	kojicmdtest.Must(t, Run(ctx, &opts))
	for _, want := range []string{`"status": "unsigned"`, `"status": "imported"`, `"status": "not-found"`, `"sigkey": "` + key + `"`} {
		if !strings.Contains(e.Out.String(), want) {
			t.Errorf("JSON lacks %q:\n%s", want, e.Out)
		}
	}
	sigs, err := e.Hub.QueryRPMSigs(ctx, koji.QueryRPMSigsOpts{RPMID: koji.ByID(r.ID), SigKey: &sk})
	if err != nil || len(sigs) != 1 {
		t.Fatalf("queryRPMSigs = %+v, %v", sigs, err)
	}
	copyPath := filepath.Join(e.Hub.TopDir(), "packages/osgtest-noarch/0.5/1/data/signed", key, "noarch", name)
	testutil.RPMVerify(t, home, keyid, copyPath)

	// again, and the unsigned header with --with-unsigned: already there
	e.Reset()
	opts = Options{Common: e.Common(), Paths: []string{signed, unsigned}, WithUnsigned: true}
	kojicmdtest.Must(t, Run(ctx, &opts))
	if strings.Count(e.ErrOut.String(), "Signature already imported: ") != 2 || strings.Contains(e.ErrOut.String(), "Importing") {
		t.Errorf("second run:\n%s", e.ErrOut)
	}

	// another header for the same key (another digest): a warning
	first, err := rpm.RipSigHeader(signed)
	kojicmdtest.Must(t, err)
	var resigned string
	gpg, _ := exec.LookPath("gpg")
	for i, algo := range []string{"sha256", "sha384"} {
		resigned = copyRPM(t, name, filepath.Join(dir, "c", algo))
		out, err := exec.Command("rpmsign", "--addsign", "--define", "_gpg_name "+keyid, "--define", "_gpg_path "+home,
			"--define", "__gpg "+gpg, "--define", "_gpg_digest_algo "+algo, resigned).CombinedOutput()
		if err != nil {
			t.Fatalf("rpmsign: %v\n%s", err, out)
		}
		if again, _ := rpm.RipSigHeader(resigned); !bytes.Equal(again, first) {
			break
		} else if i == 1 {
			t.Fatal("rpmsign made the same header with three digests")
		}
	}
	e.Reset()
	opts = Options{Common: e.Common(), Paths: []string{resigned}}
	kojicmdtest.Must(t, Run(ctx, &opts))
	if !strings.Contains(e.ErrOut.String(), "warning: signature mismatch: "+resigned) ||
		!strings.Contains(e.ErrOut.String(), "already has a signature for this rpm with key "+key) {
		t.Errorf("mismatch:\n%s", e.ErrOut)
	}

	// not an RPM
	bad := filepath.Join(dir, "bad.rpm")
	kojicmdtest.Must(t, os.WriteFile(bad, []byte("nope"), 0o644))
	opts = Options{Common: e.Common(), Paths: []string{bad}}
	if err := Run(ctx, &opts); err == nil || !strings.Contains(err.Error(), "is not an RPM") {
		t.Errorf("err = %v", err)
	}
}

func TestArgs(t *testing.T) {
	f := &cmdutil.Factory{}
	for _, c := range []struct {
		args []string
		want string
	}{
		{nil, "At least one package must be specified"},
		{[]string{"/no/such.rpm"}, "No such file: /no/such.rpm"},
	} {
		cmd := NewCmdImportSig(f, func(*Options) error { return nil })
		cmd.SetArgs(c.args)
		cmd.SetOut(&strings.Builder{})
		cmd.SetErr(&strings.Builder{})
		err := cmd.Execute()
		var fe *cmdutil.FlagError
		if err == nil || !strings.Contains(err.Error(), c.want) || !errors.As(err, &fe) {
			t.Errorf("%v: %v, want a usage error %q", c.args, err, c.want)
		}
	}
	var got *Options
	cmd := NewCmdImportSig(f, func(o *Options) error { got = o; return nil })
	p := filepath.Join(fixtures, "osgtest-noarch-0.5-1.noarch.rpm")
	cmd.SetArgs([]string{"--with-unsigned", "--write", "--test", p})
	kojicmdtest.Must(t, cmd.Execute())
	if got == nil || !got.WithUnsigned || !got.Test || len(got.Paths) != 1 {
		t.Errorf("options %+v", got)
	}
}
