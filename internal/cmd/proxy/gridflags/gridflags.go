// Package gridflags lets the proxy commands take the grid tools'
// single-dash long options (grid-proxy-init -bits 2048 -valid 12:00,
// grid-proxy-info -e -valid 1:00) as well as the usual --bits: such commands
// set DisableFlagParsing and call Parse.
package gridflags

import (
	"strings"

	"github.com/spf13/cobra"

	"github.com/osg-htc/osg-build-go/internal/cmdutil"
)

// Rewrite turns -name and -name=value into --name... for the long flags
// of cmd whose names have more than one letter; -- ends the options.
func Rewrite(cmd *cobra.Command, args []string) []string {
	out := make([]string, 0, len(args))
	for i, a := range args {
		if a == "--" {
			return append(out, args[i:]...)
		}
		if len(a) > 2 && a[0] == '-' && a[1] != '-' {
			name, _, _ := strings.Cut(a[1:], "=")
			if len(name) > 1 && cmd.Flags().Lookup(name) != nil {
				a = "-" + a
			}
		}
		out = append(out, a)
	}
	return out
}

// Parse parses args (grid spellings included) into cmd's flags, applies
// the root's global flags given there (--debug, --quiet), and returns the
// positional arguments. help is true when --help was asked for (the help
// has been printed).
func Parse(cmd *cobra.Command, args []string) (pos []string, help bool, err error) {
	if err := cmd.Flags().Parse(Rewrite(cmd, args)); err != nil {
		return nil, false, &cmdutil.FlagError{Err: err}
	}
	if h, _ := cmd.Flags().GetBool("help"); h {
		return nil, true, cmd.Help()
	}
	if root := cmd.Root(); root.PersistentPreRunE != nil {
		if err := root.PersistentPreRunE(cmd, nil); err != nil {
			return nil, false, err
		}
	}
	return cmd.Flags().Args(), false, nil
}
