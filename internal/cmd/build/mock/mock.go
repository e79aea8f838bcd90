// Package mock implements `osg-build mock`.
package mock

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/osg-htc/osg-build-go/internal/cmd/build/buildutil"
	"github.com/osg-htc/osg-build-go/internal/cmdutil"
	"github.com/osg-htc/osg-build-go/internal/iostreams"
	"github.com/osg-htc/osg-build-go/internal/packaging"
	"github.com/osg-htc/osg-build-go/internal/runner"
	"github.com/osg-htc/osg-build-go/pkg/hub/builder"
	"github.com/osg-htc/osg-build-go/pkg/koji"
)

// MockOptions are the inputs of `osg-build mock`.
type MockOptions struct {
	IO             *iostreams.IOStreams
	Flags          buildutil.Flags
	Dirs           []string
	MockConfig     string
	ConfigFromKoji string
	NoMockClean    bool
	MockClean      bool
	// Hub opens the hub for --mock-config-from-koji.
	Hub func(ctx context.Context) (koji.Hub, error)

	tempDir string // holds the generated config; removed at the end
}

// NewCmdMock returns the mock command; runF replaces the run function in tests.
func NewCmdMock(f *cmdutil.Factory, runF func(context.Context, *MockOptions) error) *cobra.Command {
	opts := &MockOptions{IO: f.IOStreams, Hub: f.Hub}
	cmd := &cobra.Command{
		Use:   "mock [PKGDIR...]",
		Short: "Build RPMs in a mock chroot",
		Long: `Run prebuild, then build the SRPM with mock rebuild into _build_results, and
run mock clean afterwards unless --no-mock-clean.

-m/--mock-config FILE selects the mock config: ".cfg" is added when missing; a
relative name is looked up in the current directory, then in /etc/mock.
--mock-config-from-koji TAG instead generates the config from a Koji build tag on
the hub chosen by --hub (Koji's mock-config: the tag's build config and newest
ready repo, with module_hotfixes), as a Koji builder would use it; no login.
Without either, mock's default config is used. You must be in the group mock.
The mock arguments depend on mock's version (--isolation=simple for mock 5+,
--config-opts=use_nspawn=False before), and -t/--target-arch becomes --arch.

` + cmdutil.ExitStatusHelp,
		Example: `  osg-build mock -m rocky-9-x86_64 pkg
  osg-build mock -m ./my-el9.cfg --no-mock-clean`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.ConfigFromKoji != "" && opts.MockConfig != "" {
				return cmdutil.FlagErrorf("give either -m/--mock-config or --mock-config-from-koji, not both")
			}
			dirs, err := buildutil.PackageDirs(args)
			if err != nil {
				return err
			}
			opts.Dirs = dirs
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return mockRun(cmd.Context(), opts)
		},
	}
	buildutil.AddFlags(cmd, &opts.Flags)
	fs := cmd.Flags()
	fs.StringVarP(&opts.MockConfig, "mock-config", "m", "", "mock config `FILE` (or a name in /etc/mock)")
	fs.StringVar(&opts.ConfigFromKoji, "mock-config-from-koji", "", "generate the mock config from a Koji build `TAG` (needs a hub)")
	fs.BoolVar(&opts.NoMockClean, "no-mock-clean", false, "do not run mock clean after the build")
	fs.BoolVar(&opts.MockClean, "mock-clean", true, "run mock clean after the build (the default)")
	return cmd
}

// Prepare checks mock's preconditions and fills the mock settings of o:
// the group, the config (-m rules) and the version.
func Prepare(ctx context.Context, opts *MockOptions, o *packaging.TaskOptions) error {
	if _, ok := runner.Look("mock"); !ok {
		return fmt.Errorf("the mock task needs mock, which is not on PATH: install it (dnf install mock) and add yourself to the group mock")
	}
	if err := packaging.CheckMockGroup(packaging.SystemGroups); err != nil {
		return err
	}
	if opts.ConfigFromKoji != "" {
		path, err := configFromKoji(ctx, opts, o.TargetArch)
		if err != nil {
			return err
		}
		opts.MockConfig = path
	}
	cwd, err := os.Getwd()
	if err != nil {
		return err
	}
	cfg, err := packaging.ResolveMockConfig(opts.MockConfig, cwd, packaging.MockConfigDir, func(p string) bool {
		st, err := os.Stat(p)
		return err == nil && st.Mode().IsRegular()
	})
	if err != nil {
		return cmdutil.FlagErrorf("-m/--mock-config: %v", err)
	}
	out, err := runner.Output(ctx, runner.Cmd{Name: "mock", Args: []string{"--version"}})
	if err != nil {
		return fmt.Errorf("run mock --version: %w", err)
	}
	v, err := packaging.ParseMockVersion(out)
	if err != nil {
		return err
	}
	slog.Debug("mock", "version", v.String(), "config", cfg)
	o.MockConfig = cfg
	o.MockVersion = v
	o.MockNoClean = opts.NoMockClean || !opts.MockClean
	o.HostDver = packaging.DefaultDver()
	if opts.IO.IsStderrTTY() {
		o.Output = opts.IO.ErrOut
	}
	return nil
}

// configFromKoji writes the mock config of the build tag opts.ConfigFromKoji
// (the way `koji mock-config` does) into a new temporary directory, as
// mock-koji-<TAG>-<arch>.<uid>.cfg, and returns its path. mockRun removes
// the directory at the end.
func configFromKoji(ctx context.Context, opts *MockOptions, arch string) (string, error) {
	if opts.Hub == nil {
		return "", fmt.Errorf("--mock-config-from-koji needs a hub (--hub or a Koji config)")
	}
	h, err := opts.Hub(ctx)
	if err != nil {
		return "", err
	}
	if arch == "" {
		arch = builder.HostArch()
	}
	// osg-build's --mock-config-from-koji always adds module_hotfixes=1 to
	// the build repo, whatever the tag says.
	text, err := builder.HubMockConfig(ctx, h, builder.HubMockConfigOptions{Tag: opts.ConfigFromKoji, Arch: arch,
		TopURL: cmdutil.HubTopURL(h), TopDir: cmdutil.HubTopDir(h), ModuleHotfixes: true})
	if err != nil {
		return "", fmt.Errorf("--mock-config-from-koji %s: %w", opts.ConfigFromKoji, err)
	}
	dir, err := os.MkdirTemp("", "osg-build-mock-")
	if err != nil {
		return "", err
	}
	opts.tempDir = dir
	path := filepath.Join(dir, fmt.Sprintf("mock-koji-%s-%s.%d.cfg", opts.ConfigFromKoji, arch, os.Getuid()))
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		return "", fmt.Errorf("write the mock config: %w", err)
	}
	slog.Info("generated the mock config from Koji", "tag", opts.ConfigFromKoji, "file", path)
	return path, nil
}

func mockRun(ctx context.Context, opts *MockOptions) error {
	defer func() {
		if opts.tempDir != "" {
			_ = os.RemoveAll(opts.tempDir)
		}
	}()
	o, err := opts.Flags.Setup(opts.IO)
	if err != nil {
		return err
	}
	if err := Prepare(ctx, opts, &o.TaskOptions); err != nil {
		return err
	}
	return buildutil.Run(ctx, opts.IO, packaging.TaskMock, opts.Dirs, o)
}
