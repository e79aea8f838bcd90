// Package root builds the osg-build command tree: the root command, its
// global flags and the command groups.
package root

import (
	"log/slog"

	"github.com/spf13/cobra"

	"github.com/osg-htc/osg-build-go/internal/cmd/version"
	"github.com/osg-htc/osg-build-go/internal/cmdutil"
	"github.com/osg-htc/osg-build-go/internal/logging"
	"github.com/osg-htc/osg-build-go/internal/runner"
)

// Command groups shown in the help.
const (
	GroupLocal = "local"
	GroupKoji  = "koji"
	GroupHub   = "hub"
	GroupTools = "tools"
)

// Tasks are the osg-build tasks that may be abbreviated to any unambiguous
// prefix (osg-build r = rpmbuild; osg-build pre is ambiguous).
var Tasks = []string{"koji", "lint", "mock", "prebuild", "prepare", "quilt", "rpmbuild"}

// GlobalOptions are the flags every command has.
type GlobalOptions struct {
	Debug bool
	Quiet bool
}

// Names of the global flags that choose the hub (read by cli.Run's hub
// factory).
const (
	FlagHub     = cmdutil.FlagHub
	FlagConfig  = "config"
	FlagProfile = "profile"
)

// NewCmdRoot returns the root command with every subcommand attached.
func NewCmdRoot(f *cmdutil.Factory) *cobra.Command {
	opts := &GlobalOptions{}
	cmd := &cobra.Command{
		Use:   "osg-build <command> [flags]",
		Short: "Build OSG software packages locally, in Koji, or in an embedded hub",
		Long: `osg-build assembles SRPMs from OSG package directories (osg/ and upstream/*.source),
builds them locally with rpmbuild or mock, builds them in Koji or in an embedded
Koji-compatible hub, and manages the repositories and tags around them.

The same binary answers to the names osg-koji, osg-promote and
fetch-sources.
Tasks may be abbreviated to any unambiguous prefix: "osg-build r" is rpmbuild.`,
		SilenceErrors: true,
		SilenceUsage:  true,
		Version:       f.AppVersion,
		PersistentPreRunE: func(cmd *cobra.Command, args []string) error {
			level := slog.LevelInfo
			if opts.Debug {
				level = slog.LevelDebug
			} else if opts.Quiet {
				level = slog.LevelWarn
			}
			f.IOStreams.SetQuiet(opts.Quiet)
			logger := slog.New(logging.New(f.IOStreams.ErrOut, level))
			slog.SetDefault(logger)
			runner.Logger = logger
			return nil
		},
	}
	cmd.SetOut(f.IOStreams.Out)
	cmd.SetErr(f.IOStreams.ErrOut)
	cmd.SetIn(f.IOStreams.In)
	cmd.SetVersionTemplate("osg-build {{.Version}}\n")
	cmd.Flags().Bool("version", false, "print the version of osg-build")
	cmd.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return &cmdutil.FlagError{Err: err}
	})
	cmd.PersistentFlags().BoolVar(&opts.Debug, "debug", false, "print debug messages, including every external command run")
	cmd.PersistentFlags().BoolVarP(&opts.Debug, "verbose", "v", false, "same as --debug (osg-build's -v)")
	cmd.PersistentFlags().BoolVarP(&opts.Quiet, "quiet", "q", false, "print only warnings and errors")
	cmd.PersistentFlags().String(FlagHub, "", "hub to use: local, local:DIR, sqlite:///DIR or an https:// Koji hub URL (default: $OSG_BUILD_HUB, else the Koji config)")
	cmd.PersistentFlags().String(FlagConfig, "", "Koji client config `file` (default: ~/.osg-koji/config, ~/.koji/config, /etc/koji.conf)")
	cmd.PersistentFlags().String(FlagProfile, "", "profile (section) of the Koji config (default koji)")

	cmd.AddGroup(
		&cobra.Group{ID: GroupLocal, Title: "Local packaging:"},
		&cobra.Group{ID: GroupKoji, Title: "Koji:"},
		&cobra.Group{ID: GroupHub, Title: "Embedded hub:"},
		&cobra.Group{ID: GroupTools, Title: "Other commands:"},
	)

	addSourceCommands(cmd, f)
	addPackagingCommands(cmd, f)
	addRepodataCommands(cmd, f)
	addKojiCommands(cmd, f)
	addKojiBuildCommands(cmd, f)
	addSignCommands(cmd, f)
	addAuthCommands(cmd, f)
	addSetupCommands(cmd, f)
	addProxyCommands(cmd, f)
	addPromoteCommands(cmd, f)
	addOSGToolsCommands(cmd, f)
	addHubCommands(cmd, f)

	v := version.NewCmdVersion(f)
	v.GroupID = GroupTools
	cmd.AddCommand(v)
	cmd.SetHelpCommandGroupID(GroupTools)
	cmd.SetCompletionCommandGroupID(GroupTools)
	return cmd
}
