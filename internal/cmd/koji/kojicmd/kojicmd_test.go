package kojicmd

import (
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/osg-htc/osg-build-go/internal/cmd/koji/shared/kojicmdtest"
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
	err := exec("list-builds", "--package", "foo")
	if _, ok := runner.Look("koji"); !ok {
		if err == nil || !strings.Contains(err.Error(), `"list-builds" is not an osg-koji command`) || !strings.Contains(err.Error(), "list-tagged") {
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
