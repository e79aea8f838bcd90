// Package mockconfig implements `osg-koji mock-config`.
package mockconfig

import (
	"context"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/osg-htc/osg-build-go/internal/cmd/koji/shared"
	"github.com/osg-htc/osg-build-go/internal/cmdutil"
	"github.com/osg-htc/osg-build-go/pkg/hub/builder"
	"github.com/osg-htc/osg-build-go/pkg/koji"
)

// MockConfigOptions are the options of mock-config.
type MockConfigOptions struct {
	shared.Common
	Name   string
	Arch   string
	Tag    string
	Target string
	TopURL string
	TopDir string
	Output string
	// Distribution is the %distribution macro.
	Distribution string
}

// NewCmdMockConfig returns the mock-config command.
func NewCmdMockConfig(f *cmdutil.Factory, runF func(*MockConfigOptions) error) *cobra.Command {
	opts := &MockConfigOptions{Common: shared.NewCommon(f)}
	cmd := &cobra.Command{
		Use:   "mock-config {--tag <tag> | --target <target>} --arch <arch> [<name>]",
		Short: "Write the mock config of a build tag's newest repo",
		Long: `Write the mock config that Koji's builders use for a build tag (or a target's
build tag) and arch, as koji mock-config does: the tag's mock.* options,
rpm.macro.* macros and rpm.env.* environment, and the tag's newest READY repo
as the build repo. The config is named <tag>-repo_<id> unless a name is given.
The repo URL is under the hub's files URL (the Koji config's topurl, or
--topurl); for the embedded hub it is a file:// path under its topdir.
The config goes to stdout, or to the file -o names.`,
		Example: "$ osg-koji mock-config --tag osg-25-main-el9-build --arch x86_64 -o osg-25-el9.cfg\n$ mock -r ./osg-25-el9.cfg --rebuild foo-1-1.src.rpm",
		Args:    cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				if opts.Name != "" {
					return cmdutil.FlagErrorf("give the name once: as the argument or with --name")
				}
				opts.Name = args[0]
			}
			if (opts.Tag == "") == (opts.Target == "") {
				return cmdutil.FlagErrorf("give a build tag (--tag) or a build target (--target)")
			}
			if opts.Arch == "" {
				return cmdutil.FlagErrorf("give the arch (--arch), e.g. x86_64")
			}
			if runF != nil {
				return runF(opts)
			}
			return mockConfigRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&opts.Arch, "arch", "a", "", "the target `arch`")
	fl.StringVarP(&opts.Name, "name", "n", "", "the config's `name` (default <tag>-repo_<id>)")
	fl.StringVar(&opts.Tag, "tag", "", "the build `tag`")
	fl.StringVar(&opts.Target, "target", "", "a build `target`: its build tag")
	fl.StringVar(&opts.TopURL, "topurl", "", "the `URL` under which the hub's files are (default: the Koji config's topurl)")
	fl.StringVar(&opts.TopDir, "topdir", "", "the `directory` under which the hub's files are, instead of a URL")
	fl.StringVarP(&opts.Output, "output", "o", "", "write the config to `FILE`")
	fl.StringVar(&opts.Distribution, "distribution", "Koji Testing", "the %distribution `macro`")
	return cmd
}

func mockConfigRun(ctx context.Context, opts *MockConfigOptions) error {
	h, err := opts.Open(ctx)
	if err != nil {
		return err
	}
	tag := opts.Tag
	if opts.Target != "" {
		t, err := h.GetBuildTarget(ctx, koji.ByName(opts.Target), koji.GetBuildTargetOpts{})
		if err != nil {
			return err
		}
		if t == nil {
			return fmt.Errorf("no such build target: %s (see osg-koji list-targets)", opts.Target)
		}
		tag = t.BuildTagName
	} else if t, err := h.GetTag(ctx, koji.ByName(tag), koji.GetTagOpts{}); err != nil {
		return err
	} else if t == nil {
		return fmt.Errorf("no such tag: %s (see osg-koji list-tags)", tag)
	}
	o := builder.HubMockConfigOptions{Tag: tag, Arch: opts.Arch, Name: opts.Name, TopURL: opts.TopURL, TopDir: opts.TopDir,
		Distribution: opts.Distribution}
	if o.TopURL == "" && o.TopDir == "" {
		o.TopURL, o.TopDir = cmdutil.HubTopURL(h), cmdutil.HubTopDir(h)
	}
	text, err := builder.HubMockConfig(ctx, h, o)
	if err != nil {
		return err
	}
	if opts.Output == "" {
		_, err := fmt.Fprint(opts.IO.Out, text)
		return err
	}
	if err := os.WriteFile(opts.Output, []byte(text), 0o644); err != nil {
		return fmt.Errorf("write the mock config: %w", err)
	}
	return nil
}
