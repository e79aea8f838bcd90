// Package listtargets implements `osg-koji list-targets`.
package listtargets

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/osg-htc/osg-build-go/internal/cmd/koji/shared"
	"github.com/osg-htc/osg-build-go/internal/cmdutil"
	"github.com/osg-htc/osg-build-go/pkg/koji"
)

// ListTargetsOptions are the options of list-targets.
type ListTargetsOptions struct {
	shared.Common
	Name string
}

// NewCmdListTargets returns the list-targets command.
func NewCmdListTargets(f *cmdutil.Factory, runF func(*ListTargetsOptions) error) *cobra.Command {
	opts := &ListTargetsOptions{Common: shared.NewCommon(f)}
	cmd := &cobra.Command{
		Use:     "list-targets [--name <target>]",
		Short:   "List build targets with their build and destination tags",
		Example: "$ osg-koji list-targets\n$ osg-koji list-targets --name osg-25-main-el9 --quiet",
		Args:    shared.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return listTargetsRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.Name, "name", "", "only the target `name`")
	shared.AddJSONFlag(cmd, &opts.Common)
	return cmd
}

func listTargetsRun(ctx context.Context, opts *ListTargetsOptions) error {
	h, err := opts.Open(ctx)
	if err != nil {
		return err
	}
	q := koji.GetBuildTargetsOpts{}
	if opts.Name != "" {
		q.Info = koji.ByName(opts.Name)
	}
	targets, err := h.GetBuildTargets(ctx, q)
	if err != nil {
		return err
	}
	if len(targets) == 0 {
		if opts.Name != "" {
			return fmt.Errorf("no such build target: %s", opts.Name)
		}
		if opts.JSON {
			return opts.WriteJSON([]koji.BuildTarget{})
		}
		return fmt.Errorf("no targets were found")
	}
	sort.Slice(targets, func(i, j int) bool { return targets[i].Name < targets[j].Name })
	if opts.JSON {
		return opts.WriteJSON(targets)
	}
	if !opts.Quiet() {
		opts.Printf("%s %s %s\n%s\n", shared.Pad("Name", 30), shared.Pad("Buildroot", 30), shared.Pad("Destination", 30), strings.Repeat("-", 93))
	}
	for _, t := range targets {
		opts.Printf("%s %s %s\n", shared.Pad(t.Name, 30), shared.Pad(t.BuildTagName, 30), shared.Pad(t.DestTagName, 30))
	}
	return nil
}
