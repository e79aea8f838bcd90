package sign

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/osg-htc/osg-build-go/internal/cmdutil"
	"github.com/osg-htc/osg-build-go/internal/iostreams"
	"github.com/osg-htc/osg-build-go/internal/sign"
	"github.com/osg-htc/osg-build-go/internal/testutil"
)

func TestArgs(t *testing.T) {
	ios, _, _, _ := iostreams.Test()
	f := &cmdutil.Factory{IOStreams: ios}
	for _, c := range []struct {
		args []string
		want string
	}{
		{nil, "signing key not specified"},
		{[]string{"OSG-4"}, "no builds specified"},
		{[]string{"--list-keys", "OSG-4"}, "--list-keys takes no arguments"},
	} {
		cmd := NewCmdSign(f, func(context.Context, *Options) error { return nil })
		cmd.SetArgs(c.args)
		cmd.SetOut(&strings.Builder{})
		cmd.SetErr(&strings.Builder{})
		err := cmd.Execute()
		var fe *cmdutil.FlagError
		if !errors.As(err, &fe) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: %v, want a usage error %q", c.args, err, c.want)
		}
	}
	var got *Options
	cmd := NewCmdSign(f, func(_ context.Context, o *Options) error { got = o; return nil })
	cmd.SetArgs([]string{"--dry-run", "--signing-keys", "a.ini", "--signing-keys", "b.ini", "--json", "OSG-4", "foo-1-1", "bar-2-2"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if got.Key != "OSG-4" || strings.Join(got.NVRs, " ") != "foo-1-1 bar-2-2" || !got.DryRun || !got.JSON || len(got.SigningKeys) != 2 {
		t.Errorf("options %+v", got)
	}
}

func TestListKeysAndUnknownKey(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	home, keyid := testutil.GPGKey(t)
	extra := filepath.Join(t.TempDir(), "keys.ini")
	if err := os.WriteFile(extra, []byte("[key Test]\nkeyid = "+keyid[8:]+"\ndvers = el9 el10\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ios, _, out, _ := iostreams.Test()
	opts := &Options{IO: ios, ListKeys: true, SigningKeys: []string{extra}, GPG: &sign.GPG{Home: home}}
	if err := Run(context.Background(), opts); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Test\t" + keyid[8:] + "\tel9,el10\tdefault\tyes\tyes\n", "OSG-4\t1887c61a\tel9\tsha256\tno\tno\n"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("--list-keys lacks %q:\n%s", want, out)
		}
	}
	out.Reset()
	opts.JSON = true
	if err := Run(context.Background(), opts); err != nil || !strings.Contains(out.String(), `"secret": true`) {
		t.Errorf("--list-keys --json: %v\n%s", err, out)
	}
	opts = &Options{IO: ios, Key: "Nope", NVRs: []string{"x-1-1"}}
	var fe *cmdutil.FlagError
	if err := Run(context.Background(), opts); !errors.As(err, &fe) || !strings.Contains(err.Error(), "unknown signing key") {
		t.Errorf("unknown key: %v", err)
	}
}
