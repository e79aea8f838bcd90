package gridflags

import (
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

func TestRewrite(t *testing.T) {
	cmd := &cobra.Command{Use: "x"}
	cmd.Flags().Int("bits", 0, "")
	cmd.Flags().String("valid", "", "")
	cmd.Flags().BoolP("exists", "e", false, "")
	got := Rewrite(cmd, []string{"-bits", "2048", "-valid=1:00", "-e", "--exists", "-xyz", "--", "-bits"})
	want := "--bits 2048 --valid=1:00 -e --exists -xyz -- -bits"
	if strings.Join(got, " ") != want {
		t.Errorf("got %q, want %q", strings.Join(got, " "), want)
	}
}
