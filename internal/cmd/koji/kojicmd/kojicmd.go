// Package kojicmd is the `osg-koji` command: the koji verbs done natively
// against any hub, and a passthrough to the koji CLI for the others.
package kojicmd

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/osg-htc/osg-build-go/internal/cmd/koji/addexternalrepo"
	"github.com/osg-htc/osg-build-go/internal/cmd/koji/addpkg"
	"github.com/osg-htc/osg-build-go/internal/cmd/koji/addtag"
	"github.com/osg-htc/osg-build-go/internal/cmd/koji/addtaginheritance"
	"github.com/osg-htc/osg-build-go/internal/cmd/koji/addtarget"
	"github.com/osg-htc/osg-build-go/internal/cmd/koji/adduser"
	"github.com/osg-htc/osg-build-go/internal/cmd/koji/admin"
	"github.com/osg-htc/osg-build-go/internal/cmd/koji/blockpkg"
	"github.com/osg-htc/osg-build-go/internal/cmd/koji/buildinfo"
	"github.com/osg-htc/osg-build-go/internal/cmd/koji/call"
	"github.com/osg-htc/osg-build-go/internal/cmd/koji/cancel"
	"github.com/osg-htc/osg-build-go/internal/cmd/koji/downloadbuild"
	"github.com/osg-htc/osg-build-go/internal/cmd/koji/downloadtask"
	"github.com/osg-htc/osg-build-go/internal/cmd/koji/edittag"
	"github.com/osg-htc/osg-build-go/internal/cmd/koji/grantpermission"
	"github.com/osg-htc/osg-build-go/internal/cmd/koji/groups"
	"github.com/osg-htc/osg-build-go/internal/cmd/koji/hello"
	"github.com/osg-htc/osg-build-go/internal/cmd/koji/importrpm"
	"github.com/osg-htc/osg-build-go/internal/cmd/koji/importsig"
	"github.com/osg-htc/osg-build-go/internal/cmd/koji/latestbuild"
	"github.com/osg-htc/osg-build-go/internal/cmd/koji/listbuildroot"
	"github.com/osg-htc/osg-build-go/internal/cmd/koji/listbuilds"
	"github.com/osg-htc/osg-build-go/internal/cmd/koji/listexternalrepos"
	"github.com/osg-htc/osg-build-go/internal/cmd/koji/listhistory"
	"github.com/osg-htc/osg-build-go/internal/cmd/koji/listpermissions"
	"github.com/osg-htc/osg-build-go/internal/cmd/koji/listpkgs"
	"github.com/osg-htc/osg-build-go/internal/cmd/koji/listtagged"
	"github.com/osg-htc/osg-build-go/internal/cmd/koji/listtags"
	"github.com/osg-htc/osg-build-go/internal/cmd/koji/listtargets"
	"github.com/osg-htc/osg-build-go/internal/cmd/koji/listtasks"
	"github.com/osg-htc/osg-build-go/internal/cmd/koji/mockconfig"
	"github.com/osg-htc/osg-build-go/internal/cmd/koji/tagbuild"
	"github.com/osg-htc/osg-build-go/internal/cmd/koji/taginfo"
	"github.com/osg-htc/osg-build-go/internal/cmd/koji/taginheritance"
	"github.com/osg-htc/osg-build-go/internal/cmd/koji/taskinfo"
	"github.com/osg-htc/osg-build-go/internal/cmd/koji/untagbuild"
	"github.com/osg-htc/osg-build-go/internal/cmd/kojibuild/regenrepo"
	"github.com/osg-htc/osg-build-go/internal/cmd/kojibuild/waitrepo"
	"github.com/osg-htc/osg-build-go/internal/cmd/kojibuild/watchtask"
	"github.com/osg-htc/osg-build-go/internal/cmd/setup"
	"github.com/osg-htc/osg-build-go/internal/cmdutil"
	"github.com/osg-htc/osg-build-go/internal/config"
	"github.com/osg-htc/osg-build-go/internal/runner"
)

// NewCmdKoji returns the osg-koji command with its verbs.
func NewCmdKoji(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "osg-koji <command> [flags]",
		Short: "Koji commands (osg-koji), natively against any hub",
		Long: `The common koji commands, done natively against the hub chosen by --hub (the
embedded hub with "local", a Koji hub URL, or by default the Koji config
~/.osg-koji/config). Output keeps the koji CLI's layout where scripts parse it;
--quiet drops headers and --json prints the hub's answers as JSON. Data goes to
stdout, status to stderr.

Any other command is passed to the koji CLI, when it is installed, as
"koji --config=~/.osg-koji/config <command>..." (with --server for a --hub
URL). Not with the embedded hub selected: koji cannot reach it, and would act
on the config's hub instead, so such a command is refused.`,
		Example: "$ osg-koji list-tagged --latest osg-25-main-el9-release\n$ osg-build --hub local osg-koji add-tag osg-el9 --arches x86_64",
		// Unknown verbs reach RunE with their flags untouched.
		DisableFlagParsing: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return cmd.Help()
			}
			switch args[0] {
			case "-h", "--help", "help":
				if len(args) > 1 {
					if c, _, err := cmd.Find(args[1:]); err == nil && c != cmd {
						return c.Help()
					}
				}
				return cmd.Help()
			}
			return passthrough(cmd.Context(), f, cmd, args)
		},
	}
	for _, c := range []*cobra.Command{
		hello.NewCmdHello(f, nil),
		listpermissions.NewCmdListPermissions(f, nil),
		listtags.NewCmdListTags(f, nil),
		taginfo.NewCmdTagInfo(f, nil),
		listtargets.NewCmdListTargets(f, nil),
		listtagged.NewCmdListTagged(f, nil),
		latestbuild.NewCmdLatestBuild(f, nil),
		mockconfig.NewCmdMockConfig(f, nil),
		groups.NewCmdAddGroup(f, nil),
		groups.NewCmdAddGroupPkg(f, nil),
		groups.NewCmdListGroups(f, nil),
		buildinfo.NewCmdBuildInfo(f, nil),
		listpkgs.NewCmdListPkgs(f, nil),
		addpkg.NewCmdAddPkg(f, nil),
		blockpkg.NewCmdBlockPkg(f, nil),
		blockpkg.NewCmdUnblockPkg(f, nil),
		blockpkg.NewCmdRemovePkg(f, nil),
		addtag.NewCmdAddTag(f, nil),
		edittag.NewCmdEditTag(f, nil),
		addtaginheritance.NewCmdAddTagInheritance(f, nil),
		taginheritance.NewCmdEditTagInheritance(f, nil),
		taginheritance.NewCmdRemoveTagInheritance(f, nil),
		addtarget.NewCmdAddTarget(f, nil),
		addexternalrepo.NewCmdAddExternalRepo(f, nil),
		listexternalrepos.NewCmdListExternalRepos(f, nil),
		adduser.NewCmdAddUser(f, nil),
		grantpermission.NewCmdGrantPermission(f, nil),
		importrpm.NewCmdImport(f, nil),
		importsig.NewCmdImportSig(f, nil),
		tagbuild.NewCmdTagBuild(f, nil),
		untagbuild.NewCmdUntagBuild(f, nil),
		listhistory.NewCmdListHistory(f, nil),
		taskinfo.NewCmdTaskInfo(f, nil),
		listtasks.NewCmdListTasks(f, nil),
		listbuilds.NewCmdListBuilds(f, nil),
		listbuildroot.NewCmdListBuildroot(f, nil),
		downloadbuild.NewCmdDownloadBuild(f, nil),
		downloadtask.NewCmdDownloadTask(f, nil),
		downloadtask.NewCmdDownloadLogs(f, nil),
		call.NewCmdCall(f, nil),
		cancel.NewCmdCancel(f, nil),
		// osg-build's own, under the names koji (and OSG's docs) give them.
		regenrepo.NewCmdRegenRepo(f, nil),
		waitrepo.NewCmdWaitRepo(f, nil),
		watchtask.NewCmdWatchTask(f, nil),
		setup.NewCmdSetup(f, nil),
	} {
		cmd.AddCommand(c)
	}
	cmd.AddCommand(admin.NewCmds(f)...)
	return cmd
}

// globalFlags are osg-build's own flags, left out of a passthrough.
var globalFlags = map[string]bool{"--hub": true, "--config": true, "--profile": true}

// passthrough runs the koji CLI with the OSG config for a verb osg-koji
// does not do itself; koji's exit status becomes ours.
//
// The koji CLI talks to the hub of the config (or of --hub URL, given to it
// as --server); it cannot reach an embedded hub, so with one selected the
// verb is refused rather than run against the config's (production) hub.
func passthrough(ctx context.Context, f *cmdutil.Factory, cmd *cobra.Command, args []string) error {
	var kept []string
	global := map[string]string{} // --hub, --config, --profile given after osg-koji
	for i := 0; i < len(args); i++ {
		a := args[i]
		name, value, hasValue := strings.Cut(a, "=")
		if globalFlags[name] {
			if !hasValue && i+1 < len(args) {
				i++
				value = args[i]
			}
			global[name] = value
			continue
		}
		kept = append(kept, a)
	}
	flag := func(name string) string { // after osg-koji, else before it
		if v, ok := global["--"+name]; ok {
			return strings.TrimSpace(v)
		}
		v, _ := cmd.Root().PersistentFlags().GetString(name)
		return strings.TrimSpace(v)
	}
	hubSpec := flag(cmdutil.FlagHub)
	if hubSpec == "" && f.Getenv != nil {
		hubSpec = strings.TrimSpace(f.Getenv(cmdutil.EnvHub))
	}
	verb := ""
	for _, a := range kept {
		if !strings.HasPrefix(a, "-") {
			verb = a
			break
		}
	}
	if dir, ok, _ := cmdutil.LocalHubDir(hubSpec, f.Getenv); ok {
		return cmdutil.FlagErrorf("%q is not an osg-koji command, and the koji CLI, which would run it, cannot reach the embedded hub (%s); osg-koji's own commands are: %s (or serve the hub with `osg-build hub serve` and point koji at it)",
			verb, dir, strings.Join(native(cmd), ", "))
	}
	if hubSpec != "" && !strings.HasPrefix(hubSpec, "https://") && !strings.HasPrefix(hubSpec, "http://") {
		return cmdutil.FlagErrorf("invalid hub %q: use local, local:DIR, sqlite:///DIR or an https:// hub URL", hubSpec)
	}
	if _, ok := runner.Look("koji"); !ok {
		return cmdutil.FlagErrorf("%q is not an osg-koji command, and the koji CLI (which would run it) is not installed; osg-koji's own commands are: %s",
			verb, strings.Join(native(cmd), ", "))
	}
	home := f.Getenv("HOME")
	conf, profile := flag("config"), flag("profile")
	if conf == "" {
		conf = filepath.Join(home, ".osg-koji", "config")
	}
	cfg, err := config.Load(config.LoadOptions{ConfigFile: conf, Profile: profile, Home: home})
	if err != nil {
		return fmt.Errorf("%q is passed to the koji CLI, which needs the OSG Koji config: %w (run `osg-koji setup`)", verb, err)
	}
	authType := cfg.AuthType
	if authType == "" {
		authType = "kerberos"
	}
	kojiArgs := []string{"--config=" + conf, "--authtype=" + authType}
	if profile != "" {
		kojiArgs = append(kojiArgs, "--profile="+profile)
	}
	if hubSpec != "" {
		kojiArgs = append(kojiArgs, "--server="+hubSpec) // a hub URL: LocalHubDir took the rest
	}
	kojiArgs = append(kojiArgs, f.KojiArgs...)
	kojiArgs = append(kojiArgs, kept...)
	_, err = runner.Run(ctx, runner.Cmd{Name: "koji", Args: kojiArgs, Stdin: f.IOStreams.In, Stdout: f.IOStreams.Out, Stderr: f.IOStreams.ErrOut})
	var ee *runner.ExitError
	if errors.As(err, &ee) && ee.Status > 0 {
		return &cmdutil.ExitError{Code: ee.Status}
	}
	if err != nil {
		return fmt.Errorf("running koji: %w", err)
	}
	return nil
}

func native(cmd *cobra.Command) []string {
	var names []string
	for _, c := range cmd.Commands() {
		if c.IsAvailableCommand() {
			names = append(names, c.Name())
		}
	}
	sort.Strings(names)
	return names
}
