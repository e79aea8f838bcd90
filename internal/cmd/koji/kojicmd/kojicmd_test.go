package kojicmd

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/osg-htc/osg-build-go/internal/cmd/koji/shared/kojicmdtest"
	"github.com/osg-htc/osg-build-go/internal/cmdutil"
	"github.com/osg-htc/osg-build-go/internal/runner"
)

func TestNewCmdKoji(t *testing.T) {
	e := kojicmdtest.New(t)
	f := e.Factory()
	f.Getenv = func(k string) string {
		if k == "HOME" {
			return t.TempDir()
		}
		return ""
	}
	root := &cobra.Command{Use: "osg-build", SilenceErrors: true, SilenceUsage: true}
	root.AddCommand(NewCmdKoji(f))
	root.SetOut(e.Out)
	root.SetErr(e.ErrOut)
	exec := func(args ...string) error { return kojicmdtest.Exec(root, append([]string{"osg-koji"}, args...)...) }

	// a native verb runs against the hub
	kojicmdtest.Must(t, exec("list-tags"))

	// an unknown verb goes to the koji CLI, or says what osg-koji can do
	err := exec("list-rpms", "--package", "foo")
	if _, ok := runner.Look("koji"); !ok {
		if err == nil || !strings.Contains(err.Error(), `"list-rpms" is not an osg-koji command`) || !strings.Contains(err.Error(), "list-tagged") {
			t.Errorf("err = %v", err)
		}
	}

	// help
	e.Reset()
	kojicmdtest.Must(t, exec())
	if !strings.Contains(e.Out.String(), "list-tagged") {
		t.Errorf("help: %s", e.Out)
	}
}

func TestPassthrough(t *testing.T) {
	e := kojicmdtest.New(t)
	bin := t.TempDir()
	home := t.TempDir()
	script := "#!/bin/sh\necho \"koji $*\"\nexit 3\n"
	kojicmdtest.Must(t, os.WriteFile(filepath.Join(bin, "koji"), []byte(script), 0o755))
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	f := e.Factory()
	f.Getenv = func(k string) string {
		if k == "HOME" {
			return home
		}
		return ""
	}
	root := &cobra.Command{Use: "osg-build", SilenceErrors: true, SilenceUsage: true}
	root.PersistentFlags().String("hub", "", "")
	root.AddCommand(NewCmdKoji(f))
	root.SetOut(e.Out)
	root.SetErr(e.ErrOut)

	// no OSG config: refused before running koji
	err := kojicmdtest.Exec(root, "osg-koji", "list-rpms")
	if err == nil || !strings.Contains(err.Error(), "needs the OSG Koji config") {
		t.Fatalf("err = %v", err)
	}
	kojicmdtest.Must(t, os.MkdirAll(filepath.Join(home, ".osg-koji"), 0o755))
	kojicmdtest.Must(t, os.WriteFile(filepath.Join(home, ".osg-koji", "config"), []byte("[koji]\nserver = https://koji.example.org/kojihub\nauthtype = ssl\n"), 0o644))
	err = kojicmdtest.Exec(root, "osg-koji", "list-rpms", "--package", "foo")
	var ee *cmdutil.ExitError
	if !errors.As(err, &ee) || ee.Code != 3 {
		t.Fatalf("err = %v, want koji's exit status 3", err)
	}
	conf := "--config=" + filepath.Join(home, ".osg-koji", "config") + " --authtype=ssl"
	if got, want := e.Out.String(), "koji "+conf+" list-rpms --package foo\n"; got != want {
		t.Errorf("koji ran as %q, want %q", got, want)
	}

	// --config and --profile reach koji too.
	e.Reset()
	other := filepath.Join(home, "other.conf")
	kojicmdtest.Must(t, os.WriteFile(other, []byte("[osg]\nserver = https://other.example.org/kojihub\nauthtype = kerberos\n"), 0o644))
	_ = kojicmdtest.Exec(root, "osg-koji", "--config", other, "--profile=osg", "list-rpms")
	if got, want := e.Out.String(), "koji --config="+other+" --authtype=kerberos --profile=osg list-rpms\n"; got != want {
		t.Errorf("koji ran as %q, want %q", got, want)
	}

	// A hub URL is given to koji as its server.
	e.Reset()
	err = kojicmdtest.Exec(root, "osg-koji", "--hub", "https://hub.example.org/kojihub", "list-rpms")
	if got, want := e.Out.String(), "koji "+conf+" --server=https://hub.example.org/kojihub list-rpms\n"; got != want {
		t.Errorf("koji ran as %q, want %q (err %v)", got, want, err)
	}

	// The koji CLI cannot reach an embedded hub: never run it then (it
	// would act on the config's hub), however the hub was chosen.
	for _, tc := range []struct {
		args []string
		env  string
	}{
		{args: []string{"--hub", "local", "osg-koji", "list-hosts", "5"}},
		{args: []string{"osg-koji", "list-hosts", "--hub=local:/srv/hub", "5"}},
		{args: []string{"osg-koji", "list-hosts", "5"}, env: "local"},
	} {
		e.Reset()
		f.Getenv = func(k string) string {
			switch k {
			case "HOME":
				return home
			case cmdutil.EnvHub:
				return tc.env
			}
			return ""
		}
		root.PersistentFlags().Set("hub", "")
		err := kojicmdtest.Exec(root, tc.args...)
		if err == nil || !strings.Contains(err.Error(), "cannot reach the embedded hub") || !strings.Contains(err.Error(), "wait-repo") {
			t.Errorf("%v (env %q): err = %v", tc.args, tc.env, err)
		}
		if e.Out.Len() > 0 {
			t.Errorf("%v: koji ran: %s", tc.args, e.Out)
		}
	}
	e.Reset()
	if err := kojicmdtest.Exec(root, "osg-koji", "--hub=x", "list-hosts", "5"); err == nil || !strings.Contains(err.Error(), "invalid hub") || e.Out.Len() > 0 {
		t.Errorf("--hub=x: err = %v, out %q", err, e.Out)
	}
}
