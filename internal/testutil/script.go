package testutil

import (
	"fmt"
	"os/exec"
	"strings"

	"github.com/rogpeppe/go-internal/testscript"
)

// ScriptCondition implements the condition [need:PROGRAM], true when the
// program is on PATH. When it is missing under CI=true the condition is an
// error, so the script fails instead of skipping. Scripts write:
//
//	[!need:rpmbuild] skip 'needs rpmbuild'
func ScriptCondition(cond string) (bool, error) {
	name, ok := strings.CutPrefix(cond, "need:")
	if !ok {
		return false, fmt.Errorf("unknown condition %q", cond)
	}
	if _, err := exec.LookPath(name); err == nil {
		return true, nil
	}
	if InCI() {
		return false, fmt.Errorf("%s is not on PATH, and CI=true needs every tool (run `make deps`)", name)
	}
	return false, nil
}

// ScriptCmds are the custom commands available to every txtar script:
//
//	stdout2env NAME      set $NAME to the last command's stdout, trimmed
//	kdc REALM            run a throwaway MIT Kerberos realm (see kdcCmd)
func ScriptCmds() map[string]func(ts *testscript.TestScript, neg bool, args []string) {
	return map[string]func(ts *testscript.TestScript, neg bool, args []string){
		"stdout2env": func(ts *testscript.TestScript, neg bool, args []string) {
			if neg || len(args) != 1 {
				ts.Fatalf("usage: stdout2env NAME")
			}
			ts.Setenv(args[0], strings.TrimSpace(ts.ReadFile("stdout")))
		},
		"kdc": kdcCmd,
	}
}
