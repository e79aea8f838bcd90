// Package listhistory implements `osg-koji list-history`.
package listhistory

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/osg-htc/osg-build-go/internal/cmd/koji/shared"
	"github.com/osg-htc/osg-build-go/internal/cmdutil"
	"github.com/osg-htc/osg-build-go/pkg/koji"
)

// ListHistoryOptions are the options of list-history.
type ListHistoryOptions struct {
	shared.Common
	Tag        string
	Build      string
	Package    string
	User       string
	Permission string
	Target     string
	External   string
	Active     bool
	All        bool
	UTC        bool
	Events     bool
}

// NewCmdListHistory returns the list-history command.
func NewCmdListHistory(f *cmdutil.Factory, runF func(*ListHistoryOptions) error) *cobra.Command {
	opts := &ListHistoryOptions{Common: shared.NewCommon(f)}
	cmd := &cobra.Command{
		Use:   "list-history {--tag <tag> | --build <nvr> | --package <pkg> | ... | --all}",
		Short: "Show the history of tags, builds, packages, users and targets",
		Long: `Print the changes recorded by the hub's versioned tables (tagging, package
lists and owners, inheritance, tag configuration, targets, external repos,
permissions), one line per change in event order, as koji list-history does:
"<time> <what> by <user> [still active]".`,
		Example: "$ osg-koji list-history --tag osg-25-main-el9-testing\n$ osg-koji list-history --build osg-ce-25-1.osg25.el9 --utc",
		Args:    shared.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if !opts.All && opts.Tag == "" && opts.Build == "" && opts.Package == "" && opts.User == "" &&
				opts.Permission == "" && opts.Target == "" && opts.External == "" {
				return cmdutil.FlagErrorf("please specify an option to limit the query (or --all)")
			}
			if runF != nil {
				return runF(opts)
			}
			return listHistoryRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.Tag, "tag", "", "only the history of `tag`")
	cmd.Flags().StringVar(&opts.Build, "build", "", "only the history of build `nvr`")
	cmd.Flags().StringVar(&opts.Package, "package", "", "only the history of package `pkg`")
	cmd.Flags().StringVar(&opts.User, "user", "", "only the history of `user`")
	cmd.Flags().StringVar(&opts.Permission, "permission", "", "only the history of permission `perm`")
	cmd.Flags().StringVar(&opts.Target, "build-target", "", "only the history of build `target`")
	cmd.Flags().StringVar(&opts.External, "external-repo", "", "only the history of external `repo`")
	cmd.Flags().BoolVar(&opts.Active, "active", false, "only entries that are still active")
	cmd.Flags().BoolVar(&opts.All, "all", false, "allow an unlimited query")
	cmd.Flags().BoolVar(&opts.UTC, "utc", false, "show times in UTC")
	cmd.Flags().BoolVarP(&opts.Events, "events", "e", false, "show event ids")
	shared.AddJSONFlag(cmd, &opts.Common)
	return cmd
}

func listHistoryRun(ctx context.Context, opts *ListHistoryOptions) error {
	h, err := opts.Open(ctx)
	if err != nil {
		return err
	}
	q := koji.QueryHistoryOpts{}
	set := func(r *koji.Ref, v string) {
		if v != "" {
			*r = shared.Ref(v)
		}
	}
	set(&q.Tag, opts.Tag)
	set(&q.Build, opts.Build)
	set(&q.Package, opts.Package)
	set(&q.User, opts.User)
	set(&q.Permission, opts.Permission)
	set(&q.BuildTarget, opts.Target)
	set(&q.ExternalRepo, opts.External)
	if opts.Active {
		q.Active = koji.Ptr(true)
	}
	hist, err := h.QueryHistory(ctx, q)
	if err != nil {
		return err
	}
	if opts.JSON {
		return opts.WriteJSON(hist)
	}
	loc := time.Local
	if opts.UTC {
		loc = time.UTC
	}
	for _, line := range Lines(hist, loc, opts.Events) {
		opts.Printf("%s\n", line)
	}
	return nil
}

type entry struct {
	event   int
	table   string
	create  bool
	row     koji.HistoryEntry
	related []entry
}

// tableKeys are the members identifying a row across an edit (koji's
// _table_keys).
var tableKeys = map[string][]string{
	"user_perms":            {"user_id", "perm_id"},
	"user_groups":           {"user_id", "group_id"},
	"tag_inheritance":       {"tag_id", "parent_id"},
	"tag_config":            {"tag_id"},
	"tag_extra":             {"tag_id", "key"},
	"build_target_config":   {"build_target_id"},
	"external_repo_config":  {"external_repo_id"},
	"tag_external_repos":    {"tag_id", "external_repo_id"},
	"tag_listing":           {"build_id", "tag_id"},
	"tag_packages":          {"package_id", "tag_id"},
	"tag_package_owners":    {"package_id", "tag_id"},
	"group_config":          {"group_id", "tag_id"},
	"group_req_listing":     {"group_id", "tag_id", "req_id"},
	"group_package_listing": {"group_id", "tag_id", "package"},
}

// Lines renders the history as koji list-history does: a timeline of
// revocations and creations in event order, a revocation and a creation of
// the same row in one event shown as one edit.
func Lines(hist koji.History, loc *time.Location, events bool) []string {
	var timeline []entry
	for table, rows := range hist {
		for _, r := range rows {
			if ev := r.RevokeEvent(); ev != nil {
				timeline = append(timeline, entry{event: *ev, table: table, create: false, row: r})
			}
			timeline = append(timeline, entry{event: r.CreateEvent(), table: table, create: true, row: r})
		}
	}
	sort.SliceStable(timeline, func(i, j int) bool {
		a, b := timeline[i], timeline[j]
		if a.event != b.event {
			return a.event < b.event
		}
		if a.table != b.table {
			return a.table < b.table
		}
		return !a.create && b.create
	})
	var merged []*entry
	index := map[string]*entry{}
	last := -1
	for i := range timeline {
		e := &timeline[i]
		if e.event != last {
			index = map[string]*entry{}
			last = e.event
		}
		key := e.table
		for _, k := range tableKeys[e.table] {
			key += fmt.Sprintf("\x00%v", e.row[k])
		}
		if prev, ok := index[key]; ok {
			prev.related = append(prev.related, *e)
			continue
		}
		index[key] = e
		merged = append(merged, e)
	}
	var out []string
	for _, e := range merged {
		out = append(out, line(*e, loc, events))
	}
	return out
}

var formats = map[string][3]string{ // edit, create, revoke
	"tag_listing": {"%(name)s-%(version)s-%(release)s re-tagged into %(tag.name)s",
		"%(name)s-%(version)s-%(release)s tagged into %(tag.name)s",
		"%(name)s-%(version)s-%(release)s untagged from %(tag.name)s"},
	"user_perms": {"permission %(permission.name)s re-granted to %(user.name)s",
		"permission %(permission.name)s granted to %(user.name)s",
		"permission %(permission.name)s revoked for %(user.name)s"},
	"user_groups": {"user %(user.name)s re-added to group %(group.name)s",
		"user %(user.name)s added to group %(group.name)s",
		"user %(user.name)s removed from group %(group.name)s"},
	"tag_packages": {"package list entry for %(package.name)s in %(tag.name)s updated",
		"package list entry created: %(package.name)s in %(tag.name)s",
		"package list entry revoked: %(package.name)s in %(tag.name)s"},
	"tag_package_owners": {"package owner changed for %(package.name)s in %(tag.name)s",
		"package owner %(owner.name)s set for %(package.name)s in %(tag.name)s",
		"package owner %(owner.name)s revoked for %(package.name)s in %(tag.name)s"},
	"tag_inheritance": {"inheritance line %(tag.name)s->%(parent.name)s updated",
		"inheritance line %(tag.name)s->%(parent.name)s added",
		"inheritance line %(tag.name)s->%(parent.name)s removed"},
	"tag_config": {"tag configuration for %(tag.name)s altered",
		"new tag: %(tag.name)s",
		"tag deleted: %(tag.name)s"},
	"tag_extra": {"tag option %(key)s for tag %(tag.name)s altered",
		"added tag option %(key)s for tag %(tag.name)s",
		"tag option %(key)s removed for %(tag.name)s"},
	"build_target_config": {"build target configuration for %(build_target.name)s updated",
		"new build target: %(build_target.name)s",
		"build target deleted: %(build_target.name)s"},
	"external_repo_config": {"external repo configuration for %(external_repo.name)s altered",
		"new external repo: %(external_repo.name)s",
		"external repo deleted: %(external_repo.name)s"},
	"tag_external_repos": {"external repo entry for %(external_repo.name)s in tag %(tag.name)s updated",
		"external repo entry for %(external_repo.name)s added to tag %(tag.name)s",
		"external repo entry for %(external_repo.name)s removed from tag %(tag.name)s"},
	"group_config": {"group %(group.name)s configuration for tag %(tag.name)s updated",
		"group %(group.name)s added to tag %(tag.name)s",
		"group %(group.name)s removed from tag %(tag.name)s"},
	"group_req_listing": {"group dependency %(group.name)s->%(req.name)s updated in tag %(tag.name)s",
		"group dependency %(group.name)s->%(req.name)s added in tag %(tag.name)s",
		"group dependency %(group.name)s->%(req.name)s dropped from tag %(tag.name)s"},
	"group_package_listing": {"package entry %(package)s in group %(group.name)s, tag %(tag.name)s updated",
		"package %(package)s added to group %(group.name)s in tag %(tag.name)s",
		"package %(package)s removed from group %(group.name)s in tag %(tag.name)s"},
}

var member = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`%\(([^)]+)\)s`) })

// pyFormat substitutes %(key)s with the row's values (None for nil).
func pyFormat(f string, row koji.HistoryEntry) string {
	return member().ReplaceAllStringFunc(f, func(m string) string {
		k := member().FindStringSubmatch(m)[1]
		v, ok := row[k]
		if !ok || v == nil {
			return "None"
		}
		return fmt.Sprint(v)
	})
}

func line(e entry, loc *time.Location, events bool) string {
	var f string
	if fs, ok := formats[e.table]; ok {
		switch {
		case len(e.related) > 0:
			f = fs[0]
		case e.create:
			f = fs[1]
		default:
			f = fs[2]
		}
	} else if e.create {
		f = e.table + " entry created"
	} else {
		f = e.table + " entry revoked"
	}
	var ts float64
	who := ""
	if e.create {
		ts = e.row.Float("create_ts")
		if n := e.row.String("creator_name"); n != "" {
			who = "by " + n
		}
	} else {
		ts = e.row.Float("revoke_ts")
		if n := e.row.String("revoker_name"); n != "" {
			who = "by " + n
		}
	}
	parts := []string{koji.TS(&ts).In(loc).Format("Mon Jan _2 15:04:05 2006"), pyFormat(f, e.row)}
	if events {
		parts = append(parts[:1], append([]string{fmt.Sprintf("(eid %d)", e.event)}, parts[1:]...)...)
	}
	if who != "" {
		parts = append(parts, who)
	}
	if e.create && e.row.Active() {
		parts = append(parts, "[still active]")
	}
	return strings.Join(parts, " ")
}
