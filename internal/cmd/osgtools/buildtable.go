package osgtools

import (
	"context"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/osg-htc/osg-build-go/internal/cmd/koji/shared"
	"github.com/osg-htc/osg-build-go/internal/cmdutil"
)

// BuildTableOptions are the options of build-table.
type BuildTableOptions struct {
	shared.Common
	// First is the first column: "build" (default) or "tag".
	First    string
	Tags     []string
	Packages []string
}

// BuildTableRow is one build of the table (--json).
type BuildTableRow struct {
	NVR     string `xmlrpc:"nvr"`
	Tag     string `xmlrpc:"tag"`
	BuildID int    `xmlrpc:"build_id"`
}

// NewCmdBuildTable returns the build-table command.
func NewCmdBuildTable(f *cmdutil.Factory, runF func(*BuildTableOptions) error) *cobra.Command {
	opts := &BuildTableOptions{Common: shared.NewCommon(f)}
	var tagFlags []string
	cmd := &cobra.Command{
		Use:   "build-table [-f tag|build] {<tag> | -t <tag>[,<tag>]...} <package>...",
		Short: "Print a promotion table of the latest builds of packages",
		Long: `Print the latest build of each package in each tag as the tables of a
promotion ticket, as koji-build-table does: an org-mode table, then a
markdown ("new JIRA") table, rows sorted by the first column. -f chooses the
first column (build, the default, or tag). The tags are the first argument,
or given with -t (repeatable, comma-separated). All tags are listed in one
multiCall request (listTagged with latest=True per tag).`,
		Example: "$ osg-build build-table osg-25-main-el9-testing osg-ce htcondor-ce\n$ osg-build build-table -f tag -t osg-25-main-el8-testing,osg-25-main-el9-testing osg-ce",
		Args:    shared.MinArgs(1, "please specify a tag and packages"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Tags = nil
			for _, t := range tagFlags {
				for _, s := range strings.Split(t, ",") {
					if s = strings.TrimSpace(s); s != "" {
						opts.Tags = append(opts.Tags, s)
					}
				}
			}
			if len(opts.Tags) == 0 {
				opts.Tags, args = args[:1], args[1:]
			}
			if len(args) == 0 {
				return cmdutil.FlagErrorf("please specify at least one package")
			}
			opts.Packages = args
			if opts.First != "build" && opts.First != "tag" {
				return cmdutil.FlagErrorf("-f must be tag or build, not %q", opts.First)
			}
			if runF != nil {
				return runF(opts)
			}
			return buildTableRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVarP(&opts.First, "first", "f", "build", "the first column: `tag` or build")
	cmd.Flags().StringArrayVarP(&tagFlags, "tag", "t", nil, "a `tag` (repeatable, comma-separated)")
	shared.AddJSONFlag(cmd, &opts.Common)
	return cmd
}

func buildTableRun(ctx context.Context, opts *BuildTableOptions) error {
	h, err := opts.Open(ctx)
	if err != nil {
		return err
	}
	lists, err := latestTagged(ctx, h, opts.Tags)
	if err != nil {
		return err
	}
	want := map[string]bool{}
	for _, p := range opts.Packages {
		want[p] = true
	}
	rows := []BuildTableRow{}
	for i, l := range lists {
		for _, b := range l {
			if want[b.PackageName] {
				rows = append(rows, BuildTableRow{NVR: b.NVR, Tag: opts.Tags[i], BuildID: b.BuildID})
			}
		}
	}
	key := func(r BuildTableRow) [2]string {
		if opts.First == "tag" {
			return [2]string{r.Tag, r.NVR}
		}
		return [2]string{r.NVR, r.Tag}
	}
	sort.Slice(rows, func(i, j int) bool {
		a, b := key(rows[i]), key(rows[j])
		return a[0] < b[0] || a[0] == b[0] && a[1] < b[1]
	})
	if opts.JSON {
		return opts.WriteJSON(rows)
	}
	head := [2]string{"Build", "Tag"}
	if opts.First == "tag" {
		head = [2]string{"Tag", "Build"}
	}
	w := [2]int{len(head[0]), len(head[1])}
	for _, r := range rows {
		k := key(r)
		w[0], w[1] = max(w[0], len(k[0])), max(w[1], len(k[1]))
	}
	orgRow := func(k [2]string) {
		opts.Printf("| %s | %s |\n", shared.Pad(k[0], w[0]), shared.Pad(k[1], w[1]))
	}
	orgRow(head)
	opts.Printf("|%s+%s|\n", strings.Repeat("-", w[0]+2), strings.Repeat("-", w[1]+2))
	for _, r := range rows {
		orgRow(key(r))
	}
	opts.Printf("\n**%s** | **%s**\n--- | ---\n", head[0], head[1])
	for _, r := range rows {
		k := key(r)
		opts.Printf("%s | %s\n", k[0], k[1])
	}
	return nil
}
