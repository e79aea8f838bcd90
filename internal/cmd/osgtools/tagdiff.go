package osgtools

import (
	"context"
	"errors"
	"sort"
	"sync"

	"github.com/spf13/cobra"

	"github.com/osg-htc/osg-build-go/internal/cmd/koji/shared"
	"github.com/osg-htc/osg-build-go/internal/cmdutil"
	"github.com/osg-htc/osg-build-go/pkg/koji"
)

// TagDiffOptions are the options of tag-diff.
type TagDiffOptions struct {
	shared.Common
	Tag1, Tag2 string
	Both       bool
}

// TagDiff is tag-diff's answer (--json).
type TagDiff struct {
	Tag1    string   `xmlrpc:"tag1"`
	Tag2    string   `xmlrpc:"tag2"`
	OnlyIn1 []string `xmlrpc:"only_in_tag1"`
	OnlyIn2 []string `xmlrpc:"only_in_tag2,omitempty"`
}

// NewCmdTagDiff returns the tag-diff command.
func NewCmdTagDiff(f *cmdutil.Factory, runF func(*TagDiffOptions) error) *cobra.Command {
	opts := &TagDiffOptions{Common: shared.NewCommon(f)}
	cmd := &cobra.Command{
		Use:   "tag-diff <tag1> <tag2>",
		Short: "List the latest builds of a tag that another tag lacks",
		Long: `Compare the latest builds of each package in two tags (listTagged with
latest=True, two calls made side by side) and print, one per line and
sorted, the NVRs in <tag1> that are not in <tag2>, as koji-tag-diff does.
With --both, also the NVRs in <tag2> that are not in <tag1>, each list under
an "Only in <tag>:" heading (dropped with --quiet).`,
		Example: "$ osg-build tag-diff osg-25-main-el9-development osg-25-main-el9-testing\n$ osg-build tag-diff --both osg-25-main-el9-testing osg-25-main-el9-release",
		Args:    shared.RangeArgs(2, 2, "please specify two tags"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Tag1, opts.Tag2 = args[0], args[1]
			if runF != nil {
				return runF(opts)
			}
			return tagDiffRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.Both, "both", false, "show both directions")
	cmd.ValidArgsFunction = shared.CompleteTags(&opts.Common, 0, 1)
	shared.AddJSONFlag(cmd, &opts.Common)
	return cmd
}

func tagDiffRun(ctx context.Context, opts *TagDiffOptions) error {
	h, err := opts.Open(ctx)
	if err != nil {
		return err
	}
	// Two listTagged calls side by side: faster than one multiCall of both
	// (which the hub answers in one transaction and encodes generically).
	var lists [2][]koji.TaggedBuild
	var errs [2]error
	var wg sync.WaitGroup
	for i, t := range []string{opts.Tag1, opts.Tag2} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			lists[i], errs[i] = h.ListTagged(ctx, shared.Ref(t), koji.ListTaggedOpts{Latest: koji.LatestOne})
			if errs[i] == nil {
				sort.Slice(lists[i], func(a, b int) bool { return lists[i][a].NVR < lists[i][b].NVR })
			}
		}()
	}
	wg.Wait()
	if err := errors.Join(errs[0], errs[1]); err != nil {
		return err
	}
	minus := func(a, b int) []string {
		in := map[string]bool{}
		for _, x := range lists[b] {
			in[x.NVR] = true
		}
		out := []string{}
		for _, x := range lists[a] {
			if !in[x.NVR] {
				out = append(out, x.NVR)
			}
		}
		sort.Strings(out)
		return out
	}
	d := TagDiff{Tag1: opts.Tag1, Tag2: opts.Tag2, OnlyIn1: minus(0, 1)}
	if opts.Both {
		d.OnlyIn2 = minus(1, 0)
	}
	if opts.JSON {
		return opts.WriteJSON(d)
	}
	if !opts.Both {
		for _, n := range d.OnlyIn1 {
			opts.Printf("%s\n", n)
		}
		return nil
	}
	for i, sec := range []struct {
		tag  string
		nvrs []string
	}{{opts.Tag1, d.OnlyIn1}, {opts.Tag2, d.OnlyIn2}} {
		if !opts.Quiet() {
			if i > 0 {
				opts.Printf("\n")
			}
			opts.Printf("Only in %s:\n", sec.tag)
		}
		for _, n := range sec.nvrs {
			opts.Printf("%s\n", n)
		}
	}
	return nil
}
