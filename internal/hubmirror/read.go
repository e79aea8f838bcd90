package hubmirror

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/osg-htc/osg-build-go/internal/xmlrpc"
	"github.com/osg-htc/osg-build-go/pkg/koji"
)

// RPM modes of --rpms.
const (
	RPMsLatest = "latest"
	RPMsNone   = "none"
	RPMsAll    = "all"
)

// batchSize is the most calls sent in one multiCall request.
const batchSize = 500

// historyTables are the tables --since-last reads.
var historyTables = []string{"tag_listing", "tag_packages", "tag_package_owners", "tag_inheritance", "tag_config", "tag_extra",
	"tag_external_repos", "group_config", "group_package_listing", "group_req_listing"}

// Remote reads the remote hub with multiCall requests and counts them.
type Remote struct {
	Hub      koji.Hub
	requests atomic.Int64
}

// Requests is the number of hub requests made so far.
func (r *Remote) Requests() int { return int(r.requests.Load()) }

// Ping checks that the remote answers (getAPIVersion), before anything is
// made locally.
func (r *Remote) Ping(ctx context.Context) error {
	r.requests.Add(1)
	_, err := r.Hub.GetAPIVersion(ctx)
	return err
}

// call is one call of a batch and where its answer goes.
type call struct {
	what string
	dst  any
	koji.Call
	// fault, when set, takes the call's fault instead of failing the batch.
	fault func(*koji.Fault)
}

// batch runs calls in multiCall requests and decodes each answer into its
// dst; a fault names what was asked.
func (r *Remote) batch(ctx context.Context, calls []call) error {
	if len(calls) == 0 {
		return nil
	}
	kc := make([]koji.Call, len(calls))
	for i, c := range calls {
		kc[i] = c.Call
	}
	r.requests.Add(int64((len(calls) + batchSize - 1) / batchSize))
	res, err := r.Hub.MultiCall(ctx, kc, koji.MultiCallOpts{Batch: batchSize})
	if err != nil {
		return fmt.Errorf("reading the remote hub: %w", err)
	}
	for i, c := range calls {
		if res[i].Fault != nil {
			if c.fault != nil {
				c.fault(res[i].Fault)
				continue
			}
			return fmt.Errorf("%s: %w", c.what, res[i].Fault)
		}
		if c.dst == nil {
			continue
		}
		if err := xmlrpc.Unmarshal(res[i].Value, c.dst); err != nil {
			return fmt.Errorf("%s: %w", c.what, err)
		}
	}
	return nil
}

// ReadOptions are what Read mirrors.
type ReadOptions struct {
	Args []string // targets or tags
	RPMs string   // RPMsLatest (default), RPMsNone, RPMsAll
	// Since gives, for a tag mirrored before, the remote event it was
	// mirrored at (--since-last): only what changed after it is read.
	Since func(tag string) (int, bool)
}

// ErrNotFound is wrapped by the error for an argument that is neither a
// target nor a tag of the remote.
var ErrNotFound = errors.New("no such target or tag")

// Read takes the snapshot of the remote for the targets and tags of o.
func (r *Remote) Read(ctx context.Context, source string, o ReadOptions) (*Snapshot, error) {
	if o.RPMs == "" {
		o.RPMs = RPMsLatest
	}
	// 1: the event, then what each argument is
	var last koji.Event
	targets := make([]*koji.BuildTarget, len(o.Args))
	tags := make([]*koji.Tag, len(o.Args))
	var version string
	var versionFault *koji.Fault
	calls := []call{{what: "getLastEvent", dst: &last, Call: koji.Call{Method: "getLastEvent"}},
		{what: "getKojiVersion", dst: &version, Call: koji.Call{Method: "getKojiVersion"}, fault: func(f *koji.Fault) { versionFault = f }}}
	for i, a := range o.Args {
		calls = append(calls,
			call{what: "getBuildTarget " + a, dst: &targets[i], Call: koji.Call{Method: "getBuildTarget", Args: []any{a}}},
			call{what: "getTag " + a, dst: &tags[i], Call: koji.Call{Method: "getTag", Args: []any{a}}})
	}
	if err := r.batch(ctx, calls); err != nil {
		return nil, err
	}
	if err := checkVersion(source, version, versionFault, o.Since != nil); err != nil {
		return nil, err
	}
	s := &Snapshot{Source: source, Event: last.ID, Version: version, RPMs: map[int][]koji.RPM{}}
	ev := map[string]any{"event": s.Event}
	var roots []string
	seenRoot := map[string]bool{}
	addRoot := func(t string) {
		if !seenRoot[t] {
			seenRoot[t] = true
			roots = append(roots, t)
		}
	}
	for i, a := range o.Args {
		switch {
		case targets[i] != nil:
			s.Targets = append(s.Targets, *targets[i])
			addRoot(targets[i].BuildTagName)
			addRoot(targets[i].DestTagName)
		case tags[i] != nil:
			addRoot(tags[i].Name)
		default:
			return nil, fmt.Errorf("%w on %s: %s", ErrNotFound, source, a)
		}
	}
	// 2: the chains
	chains := make([][]koji.FullInheritanceLink, len(roots))
	calls = nil
	for i, t := range roots {
		calls = append(calls, call{what: "getFullInheritance " + t, dst: &chains[i],
			Call: koji.Call{Method: "getFullInheritance", Args: []any{t}, Kwargs: ev}})
	}
	if err := r.batch(ctx, calls); err != nil {
		return nil, err
	}
	var names []string
	seen := map[string]bool{}
	for i, t := range roots {
		for _, n := range append([]string{t}, linkNames(chains[i])...) {
			if !seen[n] {
				seen[n] = true
				names = append(names, n)
			}
		}
	}
	// 3: each tag, and its history since its last mirror
	data := make([]*TagData, len(names))
	hist := make([]koji.History, len(names))
	calls = nil
	for i, n := range names {
		d := &TagData{ReadBuilds: o.RPMs != RPMsNone}
		data[i] = d
		calls = append(calls,
			call{what: "getTag " + n, dst: &d.Tag, Call: koji.Call{Method: "getTag", Args: []any{n}, Kwargs: map[string]any{"event": s.Event, "strict": true}}},
			call{what: "getInheritanceData " + n, dst: &d.Parents, Call: koji.Call{Method: "getInheritanceData", Args: []any{n}, Kwargs: ev}},
			call{what: "getTagExternalRepos " + n, dst: &d.ExtRepos, Call: koji.Call{Method: "getTagExternalRepos", Kwargs: map[string]any{"tag_info": n, "event": s.Event}}},
			call{what: "getTagGroups " + n, dst: &d.Groups, Call: koji.Call{Method: "getTagGroups", Args: []any{n}, Kwargs: map[string]any{"event": s.Event, "inherit": false}}})
		since, ok := 0, false
		if o.Since != nil {
			since, ok = o.Since(n)
		}
		if ok {
			calls = append(calls, call{what: "queryHistory " + n, dst: &hist[i], Call: koji.Call{Method: "queryHistory",
				Kwargs: map[string]any{"tables": historyTables, "tag": n, "afterEvent": since}}})
			d.PkgScope, d.BuildScope = map[string]bool{}, map[string]bool{}
			continue
		}
		calls = append(calls, call{what: "listPackages " + n, dst: &d.Packages, Call: koji.Call{Method: "listPackages",
			Kwargs: map[string]any{"tagID": n, "event": s.Event, "inherited": false, "with_owners": true}}})
		if d.ReadBuilds {
			calls = append(calls, listTagged(n, "", s.Event, o.RPMs, &d.Tagged))
		}
	}
	if err := r.batch(ctx, calls); err != nil {
		return nil, err
	}
	// 3b: for tags read by history, the packages whose entries or
	// taggings changed
	calls = nil
	type scoped struct {
		d      *TagData
		pkgs   []koji.PackageListEntry
		tagged []koji.TaggedBuild
	}
	var extra []*scoped
	for i, d := range data {
		if d.PkgScope == nil {
			continue
		}
		config := false
		for table, rows := range hist[i] {
			switch table {
			case "tag_listing":
				for _, row := range rows {
					d.BuildScope[fmt.Sprint(row["name"])] = true
				}
			case "tag_packages", "tag_package_owners":
				for _, row := range rows {
					d.PkgScope[fmt.Sprint(row["package.name"])] = true
				}
			default:
				if len(rows) > 0 {
					config = true
				}
			}
		}
		d.ConfigOnly = !config
		for _, pkg := range sortedKeys(d.PkgScope) {
			sc := &scoped{d: d}
			extra = append(extra, sc)
			calls = append(calls, call{what: "listPackages " + d.Tag.Name + " " + pkg, dst: &sc.pkgs, Call: koji.Call{Method: "listPackages",
				Kwargs: map[string]any{"tagID": d.Tag.Name, "pkgID": pkg, "event": s.Event, "inherited": false, "with_owners": true}}})
		}
		if !d.ReadBuilds {
			continue
		}
		for _, pkg := range sortedKeys(d.BuildScope) {
			sc := &scoped{d: d}
			extra = append(extra, sc)
			// all its taggings: the latest comes in, and only what the
			// remote untagged goes
			calls = append(calls, listTagged(d.Tag.Name, pkg, s.Event, RPMsAll, &sc.tagged))
		}
	}
	if err := r.batch(ctx, calls); err != nil {
		return nil, err
	}
	for _, sc := range extra {
		for _, e := range sc.pkgs {
			if e.TagName == "" || e.TagName == sc.d.Tag.Name {
				sc.d.Packages = append(sc.d.Packages, e)
			}
		}
		if len(sc.tagged) == 0 {
			continue
		}
		if sc.d.Present == nil {
			sc.d.Present = map[string]bool{}
		}
		latest := sc.tagged[0]
		for _, b := range sc.tagged {
			sc.d.Present[b.NVR] = true
			if b.CreateEvent > latest.CreateEvent {
				latest = b
			}
		}
		if o.RPMs == RPMsAll {
			sc.d.Tagged = append(sc.d.Tagged, sc.tagged...)
		} else {
			sc.d.Tagged = append(sc.d.Tagged, latest)
		}
	}
	for _, d := range data {
		// oldest tagging first, so the local latest is the remote's
		sort.SliceStable(d.Tagged, func(a, b int) bool { return d.Tagged[a].CreateEvent < d.Tagged[b].CreateEvent })
	}
	// parents before children: reverse the order found (a root comes
	// before its ancestors)
	for i := len(data) - 1; i >= 0; i-- {
		s.Tags = append(s.Tags, data[i])
	}
	return s, nil
}

// listTagged is the listTagged call of a tag (one package when pkg is
// given) at event, the latest build per package unless mode is RPMsAll.
func listTagged(tag, pkg string, event int, mode string, dst *[]koji.TaggedBuild) call {
	kw := map[string]any{"event": event}
	if mode != RPMsAll {
		kw["latest"] = true
	}
	what := "listTagged " + tag
	if pkg != "" {
		kw["package"] = pkg
		what += " " + pkg
	}
	return call{what: what, dst: dst, Call: koji.Call{Method: "listTagged", Args: []any{tag}, Kwargs: kw}}
}

// ReadRPMs fills s.RPMs with the RPMs of the builds to import (one
// request), keeping the arches given (all when empty) plus noarch and src,
// and leaving out debuginfo (not in build repos).
func (r *Remote) ReadRPMs(ctx context.Context, s *Snapshot, builds []koji.TaggedBuild, arches []string) error {
	lists := make([][]koji.RPM, len(builds))
	calls := make([]call, len(builds))
	for i, b := range builds {
		calls[i] = call{what: "listRPMs " + b.NVR, dst: &lists[i], Call: koji.Call{Method: "listRPMs", Kwargs: map[string]any{"buildID": b.BuildID}}}
	}
	if err := r.batch(ctx, calls); err != nil {
		return err
	}
	keep := map[string]bool{"noarch": true, "src": true}
	for _, a := range arches {
		keep[a] = true
	}
	for i, b := range builds {
		var out []koji.RPM
		for _, x := range lists[i] {
			if len(arches) > 0 && !keep[x.Arch] || isDebug(x.Name) || x.ExternalRepoID != 0 {
				continue
			}
			out = append(out, x)
		}
		s.RPMs[b.BuildID] = out
	}
	return nil
}

func isDebug(name string) bool {
	return strings.HasSuffix(name, "-debuginfo") || strings.HasSuffix(name, "-debugsource") || strings.Contains(name, "-debuginfo-")
}

func linkNames(ls []koji.FullInheritanceLink) []string {
	out := make([]string, len(ls))
	for i, l := range ls {
		out[i] = l.Name
	}
	return out
}

// EventOf reads a tag's mirror.event extra.
func EventOf(extra map[string]any) (int, bool) {
	v, ok := extra[ExtraEvent]
	if !ok {
		return 0, false
	}
	n, err := strconv.Atoi(strings.TrimSpace(fmt.Sprint(v)))
	return n, err == nil
}

// The Koji versions the mirror needs: getKojiVersion came in 1.25 (older
// hubs lack calls and members the reads use), the history of package
// owners (tag_package_owners, read by --since-last) in 1.34.
var (
	minKoji          = [2]int{1, 25}
	minKojiSinceLast = [2]int{1, 34}
)

// checkVersion refuses a remote older than the mirror can read.
func checkVersion(source, version string, fault *koji.Fault, sinceLast bool) error {
	if fault != nil {
		return fmt.Errorf("%s answers no getKojiVersion (%v): it is older than Koji %d.%d, which hub mirror needs", source, fault, minKoji[0], minKoji[1])
	}
	var major, minor int
	if _, err := fmt.Sscanf(version, "%d.%d", &major, &minor); err != nil {
		return nil // an unknown version string: try
	}
	older := func(v [2]int) bool { return major < v[0] || major == v[0] && minor < v[1] }
	if older(minKoji) {
		return fmt.Errorf("%s is Koji %s: hub mirror needs Koji %d.%d or later", source, version, minKoji[0], minKoji[1])
	}
	if sinceLast && older(minKojiSinceLast) {
		return fmt.Errorf("%s is Koji %s: --since-last needs Koji %d.%d or later (the history of package owners); mirror without --since-last", source, version, minKojiSinceLast[0], minKojiSinceLast[1])
	}
	return nil
}
