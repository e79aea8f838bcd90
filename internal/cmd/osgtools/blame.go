package osgtools

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/osg-htc/osg-build-go/internal/cmd/koji/shared"
	"github.com/osg-htc/osg-build-go/internal/cmdutil"
	"github.com/osg-htc/osg-build-go/pkg/koji"
)

// BlameOptions are the options of blame.
type BlameOptions struct {
	shared.Common
	Object       string
	Since, Until string
	All          bool
}

// BlameEntry is one line of blame (--json).
type BlameEntry struct {
	Time    string `xmlrpc:"time"` // RFC 3339, local time
	User    string `xmlrpc:"user"`
	Action  string `xmlrpc:"action"` // tagged, untagged
	Tag     string `xmlrpc:"tag"`
	NVR     string `xmlrpc:"nvr"`
	Active  bool   `xmlrpc:"active"`
	EventID int    `xmlrpc:"event_id"`
}

// NewCmdBlame returns the blame command.
func NewCmdBlame(f *cmdutil.Factory, runF func(*BlameOptions) error) *cobra.Command {
	opts := &BlameOptions{Common: shared.NewCommon(f)}
	cmd := &cobra.Command{
		Use:   "blame <package|build|tag>",
		Short: "Show who tagged the builds of a package, a build or a tag, and when",
		Long: `Print who tagged what and when, as koji-blame does: one line per tagging
that is still active, "YYYY-MM-DD  user  what", oldest first, where what is
the build for a tag, the tag for a build and "tag/build" for a package.
The argument is looked up as a package, then a build, then a tag (one
multiCall request), and the history comes from one queryHistory call on
tag_listing. --since and --until take YYYY-MM-DD (--until includes the
whole day) or an ISO time (2026-01-02T15:04:05, with an optional zone).
With --all, untaggings and revoked taggings are shown too.`,
		Example: "$ osg-build blame osg-ce\n$ osg-build blame -s 2026-01-01 osg-25-main-el9-testing",
		Args:    shared.RangeArgs(1, 1, "please specify a package, a build or a tag"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Object = args[0]
			for _, d := range []string{opts.Since, opts.Until} {
				if d != "" {
					if _, _, err := parseDate(d); err != nil {
						return cmdutil.FlagErrorf("%v", err)
					}
				}
			}
			if runF != nil {
				return runF(opts)
			}
			return blameRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVarP(&opts.Since, "since", "s", "", "only changes from `date` on")
	cmd.Flags().StringVarP(&opts.Until, "until", "u", "", "only changes up to `date`")
	cmd.Flags().BoolVar(&opts.All, "all", false, "also show untaggings")
	shared.AddJSONFlag(cmd, &opts.Common)
	return cmd
}

var dateLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02T15:04",
	"2006-01-02 15:04", "2006-01-02 15:04:05Z07:00", "2006-01-02T15:04:05Z0700"}

// parseDate parses a date as koji-blame takes it; dateOnly reports a plain
// YYYY-MM-DD (local midnight).
func parseDate(s string) (t time.Time, dateOnly bool, err error) {
	if t, err := time.ParseInLocation("2006-01-02", s, time.Local); err == nil {
		return t, true, nil
	}
	for _, l := range dateLayouts {
		if t, err := time.ParseInLocation(l, s, time.Local); err == nil {
			return t, false, nil
		}
	}
	return time.Time{}, false, fmt.Errorf("invalid date %q (want YYYY-MM-DD or an ISO time)", s)
}

type blameKind int

const (
	kindPackage blameKind = iota
	kindBuild
	kindTag
)

// lookup finds what obj is in one multiCall: getPackage, getBuild, getTag
// (the first that answers wins, in koji-blame's order).
func lookup(ctx context.Context, h koji.Hub, obj string) (blameKind, int, error) {
	ref := shared.Ref(obj).Value()
	calls := []koji.Call{
		{Method: "getPackage", Args: []any{ref}},
		{Method: "getBuild", Args: []any{ref}},
		{Method: "getTag", Args: []any{ref}},
	}
	res, err := h.MultiCall(ctx, calls, koji.MultiCallOpts{})
	if err != nil {
		return 0, 0, err
	}
	for i, r := range res {
		if r.Fault != nil || r.Value == nil {
			continue
		}
		if m, ok := r.Value.(map[string]any); ok {
			return blameKind(i), koji.HistoryEntry(m).Int("id"), nil
		}
	}
	return 0, 0, fmt.Errorf("%s is not a package, a build or a tag", obj)
}

func blameRun(ctx context.Context, opts *BlameOptions) error {
	h, err := opts.Open(ctx)
	if err != nil {
		return err
	}
	kind, id, err := lookup(ctx, h, opts.Object)
	if err != nil {
		return err
	}
	q := koji.QueryHistoryOpts{Tables: []string{"tag_listing"}}
	switch kind {
	case kindPackage:
		q.Package = koji.ByID(id)
	case kindBuild:
		q.Build = koji.ByID(id)
	case kindTag:
		q.Tag = koji.ByID(id)
	}
	var since, until *float64
	if opts.Since != "" {
		t, _, _ := parseDate(opts.Since)
		v := float64(t.Unix())
		since = &v
	}
	if opts.Until != "" {
		t, dateOnly, _ := parseDate(opts.Until)
		if dateOnly {
			t = t.AddDate(0, 0, 1)
		} else {
			t = t.Add(time.Second)
		}
		v := float64(t.Unix())
		until = &v
	}
	hist, err := h.QueryHistory(ctx, q)
	if err != nil {
		return err
	}
	var entries []BlameEntry
	in := func(ts float64) bool {
		return (since == nil || ts >= *since) && (until == nil || ts < *until)
	}
	for _, r := range hist["tag_listing"] {
		nvr := r.String("name") + "-" + r.String("version") + "-" + r.String("release")
		if (r.Active() || opts.All) && in(r.Float("create_ts")) {
			entries = append(entries, BlameEntry{Time: tsString(r.Float("create_ts")), User: r.String("creator_name"),
				Action: "tagged", Tag: r.String("tag.name"), NVR: nvr, Active: r.Active(), EventID: r.CreateEvent()})
		}
		if opts.All && r.RevokeEvent() != nil && in(r.Float("revoke_ts")) {
			entries = append(entries, BlameEntry{Time: tsString(r.Float("revoke_ts")), User: r.String("revoker_name"),
				Action: "untagged", Tag: r.String("tag.name"), NVR: nvr, EventID: *r.RevokeEvent()})
		}
	}
	sort.SliceStable(entries, func(i, j int) bool { return entries[i].EventID < entries[j].EventID })
	if opts.JSON {
		if entries == nil {
			entries = []BlameEntry{}
		}
		return opts.WriteJSON(entries)
	}
	for _, e := range entries {
		what := e.Tag + "/" + e.NVR
		switch kind {
		case kindBuild:
			what = e.Tag
		case kindTag:
			what = e.NVR
		}
		line := e.Time[:10] + "  " + e.User + "  " + what
		if opts.All {
			line += "  " + e.Action
		}
		opts.Printf("%s\n", strings.TrimRight(line, " "))
	}
	return nil
}

func tsString(ts float64) string {
	return koji.TS(&ts).Local().Format(time.RFC3339)
}
