// Package listexternalrepos implements `osg-koji list-external-repos`.
package listexternalrepos

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/osg-htc/osg-build-go/internal/cmd/koji/shared"
	"github.com/osg-htc/osg-build-go/internal/cmdutil"
	"github.com/osg-htc/osg-build-go/pkg/koji"
)

// Options are the options of list-external-repos.
type Options struct {
	shared.Common
	URL, Name, Tag string
	ID             int
	Used, Inherit  bool
	Event, Repo    int
	TS             float64
	tsSet          bool
}

// NewCmdListExternalRepos returns the list-external-repos command.
func NewCmdListExternalRepos(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{Common: shared.NewCommon(f)}
	cmd := &cobra.Command{
		Use:   "list-external-repos [--name <repo> | --id <id> | --url <url>] [--tag <tag> [--inherit]] [--used]",
		Short: "List external repos, those of a tag, or the tags that use them",
		Long: `List the external repos (name and URL); with --tag, those attached to the
tag with their priority and merge mode (--inherit: also those the tag inherits,
with the tag each comes from); with --used, the tags that use the repos. As of
an earlier event with --event, --ts (the last event before a Unix time) or
--repo (the event of a repo).`,
		Example: "$ osg-koji list-external-repos\n$ osg-koji list-external-repos --tag osg-25-main-el9-build --inherit\n$ osg-koji list-external-repos --used --name epel9",
		Args:    shared.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.tsSet = cmd.Flags().Changed("ts")
			if runF != nil {
				return runF(opts)
			}
			return run(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.URL, "url", "", "only the repo with this `url`")
	cmd.Flags().StringVar(&opts.Name, "name", "", "only the repo `name`")
	cmd.Flags().IntVar(&opts.ID, "id", 0, "only the repo with this `id`")
	cmd.Flags().StringVar(&opts.Tag, "tag", "", "the repos of `tag`")
	cmd.Flags().BoolVar(&opts.Used, "used", false, "list the tags that use the repos")
	cmd.Flags().BoolVar(&opts.Inherit, "inherit", false, "with --tag: follow the tag's inheritance")
	cmd.Flags().IntVar(&opts.Event, "event", 0, "query at event `N`")
	cmd.Flags().Float64Var(&opts.TS, "ts", 0, "query at the last event before this Unix `time`")
	cmd.Flags().IntVar(&opts.Repo, "repo", 0, "query at the event of repo `N`")
	cmd.ValidArgsFunction = cobra.NoFileCompletions
	shared.AddJSONFlag(cmd, &opts.Common)
	return cmd
}

// eventFromOpts is koji.util.eventFromOpts: the event of --event, --ts
// or --repo, with its time; nil without them.
func eventFromOpts(ctx context.Context, h koji.Hub, opts *Options) (map[string]any, error) {
	var v any
	var err error
	switch {
	case opts.Event > 0:
		v, err = h.Call(ctx, "getEvent", []any{opts.Event}, nil)
	case opts.tsSet:
		v, err = h.Call(ctx, "getLastEvent", nil, map[string]any{"before": opts.TS})
	case opts.Repo > 0:
		r, err := h.Call(ctx, "repoInfo", []any{opts.Repo}, map[string]any{"strict": true})
		if err != nil {
			return nil, err
		}
		m, _ := r.(map[string]any)
		return map[string]any{"id": m["create_event"], "ts": m["create_ts"]}, nil
	default:
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	m, _ := v.(map[string]any)
	if m == nil {
		return nil, fmt.Errorf("the hub returned no event")
	}
	return m, nil
}

func asInt(v any) int {
	switch n := v.(type) {
	case int:
		return n
	case int64:
		return int(n)
	case float64:
		return int(n)
	}
	return 0
}

func run(ctx context.Context, opts *Options) error {
	if opts.Inherit && opts.Tag != "" && (opts.ID != 0 || opts.Name != "") {
		return cmdutil.FlagErrorf("can't select by repo when using --inherit")
	}
	h, err := opts.Open(ctx)
	if err != nil {
		return err
	}
	ev, err := eventFromOpts(ctx, h, opts)
	if err != nil {
		return err
	}
	var event *int
	if ev != nil {
		id := asInt(ev["id"])
		event = &id
		if !opts.JSON {
			ts, _ := ev["ts"].(float64)
			opts.Printf("Querying at event %d (%s)\n", id, shared.ASCTime(ts))
		}
	}
	var repoRef koji.Ref
	switch {
	case opts.ID != 0:
		repoRef = koji.ByID(opts.ID)
	case opts.Name != "":
		repoRef = koji.ByName(opts.Name)
	}
	switch {
	case opts.Tag != "" && opts.Inherit:
		data, err := h.GetExternalRepoList(ctx, shared.Ref(opts.Tag), koji.EventOpts{Event: event})
		if err != nil {
			return err
		}
		return printTagRepos(opts, data, true)
	case opts.Tag != "" || opts.Used:
		q := koji.GetTagExternalReposOpts{RepoInfo: repoRef, Event: event}
		if opts.Tag != "" {
			q.TagInfo = shared.Ref(opts.Tag)
		}
		data, err := h.GetTagExternalRepos(ctx, q)
		if err != nil {
			return err
		}
		return printTagRepos(opts, data, opts.Tag == "")
	}
	data, err := h.ListExternalRepos(ctx, koji.ListExternalReposOpts{Info: repoRef, URL: opts.URL, Event: event})
	if err != nil {
		return err
	}
	if opts.JSON {
		return opts.WriteJSON(data)
	}
	if !opts.Quiet() {
		opts.Printf("%-25s %s\n%s %s\n", "External repo name", "URL", strings.Repeat("-", 25), strings.Repeat("-", 40))
	}
	for _, r := range data {
		opts.Printf("%-25s %s\n", r.Name, r.URL)
	}
	return nil
}

// printTagRepos prints koji's "tag" layout (one tag: priority, name, mode,
// URL) or its "multitag" layout (tag, priority, mode, name).
func printTagRepos(opts *Options, data []koji.TagExternalRepo, multitag bool) error {
	if opts.JSON {
		if data == nil {
			data = []koji.TagExternalRepo{}
		}
		return opts.WriteJSON(data)
	}
	mode := func(r koji.TagExternalRepo) string {
		if r.MergeMode == "" {
			return "None" // an older hub without merge modes
		}
		return r.MergeMode
	}
	if multitag {
		if !opts.Quiet() {
			opts.Printf("%-20s %-3s %-10s %s\n%s %s %s %s\n", "Tag", "Pri", "Mode", "External repo name",
				strings.Repeat("-", 20), strings.Repeat("-", 3), strings.Repeat("-", 10), strings.Repeat("-", 25))
		}
		for _, r := range data {
			opts.Printf("%-20s %-3d %-10s %s\n", r.TagName, r.Priority, mode(r), r.ExternalRepoName)
		}
		return nil
	}
	if !opts.Quiet() {
		opts.Printf("%-3s %-25s %-10s URL\n%s %s %s %s\n", "Pri", "External repo name", "Mode",
			strings.Repeat("-", 3), strings.Repeat("-", 25), strings.Repeat("-", 10), strings.Repeat("-", 40))
	}
	for _, r := range data {
		opts.Printf("%-3d %-25s %-10s %s\n", r.Priority, r.ExternalRepoName, mode(r), r.URL)
	}
	return nil
}
