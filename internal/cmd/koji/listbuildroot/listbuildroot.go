// Package listbuildroot implements `osg-koji list-buildroot`: the RPMs a
// buildroot held, or with --built those built in it.
package listbuildroot

import (
	"context"
	"fmt"
	"sort"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/osg-htc/osg-build-go/internal/cmd/koji/shared"
	"github.com/osg-htc/osg-build-go/internal/cmdutil"
	"github.com/osg-htc/osg-build-go/pkg/koji"
)

// Options are the options of list-buildroot.
type Options struct {
	shared.Common
	ID      int
	Built   bool
	Verbose bool
}

// NewCmdListBuildroot returns the list-buildroot command.
func NewCmdListBuildroot(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{Common: shared.NewCommon(f)}
	cmd := &cobra.Command{
		Use:   "list-buildroot <buildroot-id>",
		Short: "List the RPMs installed in a buildroot, or built in it",
		Long: `List the RPMs a buildroot held (its components), or with --built the RPMs
built in it, as koji list-buildroot does; -v/--verbose marks updates and
draft builds. rpminfo names the buildroot an RPM was built in (and with
--buildroots those it was used in). The embedded hub records the buildroot of
every buildArch task, with the build tag's RPMs that it held: those the
BuildRequires resolved to for an rpmbuild build, everything from the build
repo that mock installed for a mock build.`,
		Example: "$ osg-koji list-buildroot 4242\n$ osg-koji list-buildroot --built 4242",
		Args:    shared.RangeArgs(1, 1, "please specify a buildroot id"),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := strconv.Atoi(args[0])
			if err != nil {
				return cmdutil.FlagErrorf("buildroot id must be a number: %q", args[0])
			}
			opts.ID = id
			if runF != nil {
				return runF(opts)
			}
			return run(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.Built, "built", false, "show the RPMs built in the buildroot")
	cmd.Flags().BoolVarP(&opts.Verbose, "verbose", "v", false, "mark updates and drafts")
	cmd.ValidArgsFunction = cobra.NoFileCompletions
	shared.AddJSONFlag(cmd, &opts.Common)
	return cmd
}

func run(ctx context.Context, opts *Options) error {
	h, err := opts.Open(ctx)
	if err != nil {
		return err
	}
	id := opts.ID
	q := koji.ListRPMsOpts{ComponentBuildrootID: &id}
	kw := map[string]any{"componentBuildrootID": id}
	if opts.Built {
		q = koji.ListRPMsOpts{BuildrootID: &id}
		kw = map[string]any{"buildrootID": id}
	}
	rpms, err := h.ListRPMs(ctx, q)
	if err != nil {
		return err
	}
	av, err := h.Call(ctx, "listArchives", nil, kw)
	if err != nil {
		return err
	}
	archives, _ := av.([]any)
	if len(rpms) == 0 && len(archives) == 0 {
		// koji prints nothing; say whether the buildroot exists
		br, err := h.Call(ctx, "getBuildroot", []any{id}, nil)
		if err != nil {
			return err
		}
		if br == nil {
			return fmt.Errorf("no such buildroot: %d", id)
		}
	}
	if opts.JSON {
		return opts.WriteJSON(map[string]any{"rpms": rpms, "archives": archives})
	}
	if len(rpms) > 0 {
		if opts.Built {
			opts.Printf("Built RPMs:\n")
		} else {
			opts.Printf("Component RPMs:\n")
		}
	}
	nvra := func(r koji.RPM) string { return fmt.Sprintf("%s-%s-%s.%s", r.Name, r.Version, r.Release, r.Arch) }
	sort.Slice(rpms, func(i, j int) bool { return nvra(rpms[i]) < nvra(rpms[j]) })
	for _, r := range rpms {
		line := nvra(r)
		if opts.Verbose {
			if r.Draft {
				line += fmt.Sprintf(" (,draft_%d)", r.BuildID)
			}
			if r.IsUpdate != nil && *r.IsUpdate {
				line += " [update]"
			}
		}
		opts.Printf("%s\n", line)
	}
	var names []string
	for _, a := range archives {
		if m, ok := a.(map[string]any); ok {
			if n, ok := m["filename"].(string); ok {
				names = append(names, n)
			}
		}
	}
	if len(names) > 0 {
		if len(rpms) > 0 {
			opts.Printf("\n")
		}
		if opts.Built {
			opts.Printf("Built Archives:\n")
		} else {
			opts.Printf("Component Archives:\n")
		}
		sort.Strings(names)
		for _, n := range names {
			opts.Printf("%s\n", n)
		}
	}
	return nil
}
