package osgbuild_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/osg-htc/osg-build-go/internal/cli"
	"github.com/osg-htc/osg-build-go/internal/testutil"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"osg-build":     func() { os.Exit(cli.Main()) },
		"osg-koji":      func() { os.Exit(cli.Main()) },
		"osg-promote":   func() { os.Exit(cli.Main()) },
		"fetch-sources": func() { os.Exit(cli.Main()) },
	})
}

// TestScripts runs every txtar script in testdata/script against the real
// binary. Scripts guard external programs with
// `[!need:PROGRAM] skip`, which fails instead under CI=true.
func TestScripts(t *testing.T) {
	testscript.Run(t, ScriptParams(t))
}

// ScriptParams is the shared testscript setup: a private HOME, XDG dirs and
// a fixed locale and time zone, with the repository's testdata reachable as
// $TESTDATA.
func ScriptParams(t *testing.T) testscript.Params {
	testdata, err := filepath.Abs("testdata")
	if err != nil {
		t.Fatal(err)
	}
	return testscript.Params{
		Dir:                 "testdata/script",
		RequireExplicitExec: true,
		RequireUniqueNames:  true,
		UpdateScripts:       *testutil.Update,
		Cmds:                testutil.ScriptCmds(),
		Condition:           testutil.ScriptCondition,
		Setup: func(env *testscript.Env) error {
			home := filepath.Join(env.WorkDir, "home")
			if err := os.MkdirAll(home, 0o755); err != nil {
				return err
			}
			env.Setenv("HOME", home)
			env.Setenv("XDG_DATA_HOME", filepath.Join(home, ".local", "share"))
			env.Setenv("XDG_CACHE_HOME", filepath.Join(home, ".cache"))
			env.Setenv("XDG_CONFIG_HOME", filepath.Join(home, ".config"))
			env.Setenv("TZ", "UTC")
			env.Setenv("LC_ALL", "C")
			env.Setenv("NO_COLOR", "1")
			env.Setenv("TESTDATA", testdata)
			env.Setenv("GIT_CONFIG_NOSYSTEM", "1")
			env.Setenv("GIT_AUTHOR_NAME", "Test Packager")
			env.Setenv("GIT_AUTHOR_EMAIL", "packager@example.org")
			env.Setenv("GIT_COMMITTER_NAME", "Test Packager")
			env.Setenv("GIT_COMMITTER_EMAIL", "packager@example.org")
			return nil
		},
	}
}
