package promote

import (
	"context"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"

	"github.com/osg-htc/osg-build-go/internal/xmlrpc"
	"github.com/osg-htc/osg-build-go/pkg/koji"
)

// Key is a signing key a route may require (a [key NAME] section of
// signing_keys.ini).
type Key struct {
	Name  string
	KeyID string // 8 hex digits, lower case
	Dvers []string
}

func (k *Key) String() string { return fmt.Sprintf("%s (%s)", k.Name, k.KeyID) }

// Signer is what signature checks need from gpg and osg-sign; nil means no
// subkeys are known and nothing is signed.
type Signer interface {
	// KeyIDs returns the ids of the key and of its signing subkeys when gpg
	// has its public key (nil otherwise).
	KeyIDs(ctx context.Context, k *Key) []string
	// CanSign reports whether gpg has the secret key of k.
	CanSign(ctx context.Context, k *Key) bool
	// Sign signs the RPMs of the build with k and imports the signatures
	// into the hub.
	Sign(ctx context.Context, nvr string, k *Key) error
}

// Build is a build found in a from-tag.
type Build struct {
	ID                     int
	NVR                    string
	Name, Version, Release string
}

// Promotion is one build to tag into one destination tag.
type Promotion struct {
	Arg     string
	Route   string
	Dver    string
	FromTag string
	ToTag   string
	Build   Build
	// NoDist is the N-V-R without its dist tag.
	NoDist string
	// Tagged says the build is in ToTag already (it is skipped).
	Tagged bool
}

// Reason is why an argument or build is rejected.
type Reason int

// The reasons of a Reject.
const (
	// NoMatch: no build of the argument for a dver (--ignore-rejects).
	NoMatch Reason = iota
	// Distinct: the builds of an argument differ in version-release across
	// dvers or routes (--ignore-rejects).
	Distinct
	// MissingTag: a from- or to-tag of the route does not exist for a dver
	// (--ignore-rejects).
	MissingTag
	// Unsigned: RPMs of the build lack a required signature
	// (--ignore-signatures).
	Unsigned
	// UnknownKey: the route requires a key no signing_keys.ini defines
	// (--ignore-signatures).
	UnknownKey
)

// Reject is a rejected argument or build.
type Reject struct {
	Arg    string // the argument, or the N-V-R for signature rejects
	Reason Reason
	Dist   string   // NoMatch: the dist tag looked for (osg25.el9)
	Tag    string   // MissingTag: the tag
	Route  string   // MissingTag, UnknownKey
	RPMs   []string // Unsigned: the RPM file names
	Keys   []string // Unsigned: "NAME (keyid)"; UnknownKey: the key name
}

func (r Reject) String() string {
	switch r.Reason {
	case NoMatch:
		return fmt.Sprintf("%s: No matching build for dist %s", r.Arg, r.Dist)
	case Distinct:
		return fmt.Sprintf("%s: Matching build versions distinct across dist tags", r.Arg)
	case MissingTag:
		return fmt.Sprintf("%s: Tag %s of route %s does not exist", r.Arg, r.Tag, r.Route)
	case Unsigned:
		return fmt.Sprintf("%s: RPM(s) %s missing required signature (%s)", r.Arg, strings.Join(r.RPMs, ", "), strings.Join(r.Keys, " or "))
	case UnknownKey:
		return fmt.Sprintf("%s: route %s requires key %s, which no signing_keys.ini defines", r.Arg, r.Route, strings.Join(r.Keys, ", "))
	}
	return r.Arg
}

// Override is the flag that promotes despite the reject.
func (r Reject) Override() string {
	if r.Reason == Unsigned || r.Reason == UnknownKey {
		return "--ignore-signatures"
	}
	return "--ignore-rejects"
}

// Options are the inputs of MakePlan.
type Options struct {
	Routes []RouteDvers
	// Args are package names or N-V-Rs, with or without the dist tag.
	Args []string
	// Keys are the signing keys by name (signing_keys.ini).
	Keys             map[string]*Key
	IgnoreRejects    bool
	IgnoreSignatures bool
	// Signer finds subkeys and, with TrySign, signs rejected builds.
	Signer  Signer
	TrySign bool
	// Log receives warnings and signing progress (nil: discarded).
	Log io.Writer
}

// Plan is what MakePlan found.
type Plan struct {
	Promotions []Promotion
	Rejects    []Reject
	// Warnings are rejects ignored with --ignore-signatures.
	Warnings []string
	// Requests is the number of hub requests (multiCalls) planning made.
	Requests int
}

// ToTags returns the destination tags of the plan, sorted.
func (p *Plan) ToTags() []string {
	set := map[string]bool{}
	for _, pr := range p.Promotions {
		set[pr.ToTag] = true
	}
	return sortedKeys(set)
}

// batch collects the calls of one multiCall, each asked once.
type batch struct {
	calls []koji.Call
	index map[string]int
	res   []koji.CallResult
}

func newBatch() *batch { return &batch{index: map[string]int{}} }

func (b *batch) add(method string, args []any, kw map[string]any) int {
	key := fmt.Sprintf("%s%v%v", method, args, kw)
	if i, ok := b.index[key]; ok {
		return i
	}
	b.calls = append(b.calls, koji.Call{Method: method, Args: args, Kwargs: kw})
	b.index[key] = len(b.calls) - 1
	return len(b.calls) - 1
}

func (b *batch) run(ctx context.Context, h koji.Hub, p *Plan) error {
	if len(b.calls) == 0 {
		return nil
	}
	res, err := h.MultiCall(ctx, b.calls, koji.MultiCallOpts{Batch: multiCallBatch})
	if err != nil {
		return err
	}
	p.Requests += (len(b.calls) + multiCallBatch - 1) / multiCallBatch
	b.res = res
	return nil
}

// multiCallBatch bounds the calls of one multiCall request.
const multiCallBatch = 5000

// lookup is the hub's answers about one argument in one from-tag.
type lookup struct {
	byName int // listTagged(tag, package=NAME): every build of the N-V-R's package
	latest int // listTagged(tag, package=ARG, latest): the argument as a package
	hasNVR bool
}

// MakePlan finds the builds to promote and the rejects. It makes at most
// three multiCalls: the tags and the from-tags' builds of the arguments;
// then the tags each candidate build is in (to skip those already in the
// destination) with the RPMs of the builds whose signatures are checked;
// then the RPMs' signatures (more only when it signs builds).
func MakePlan(ctx context.Context, h koji.Hub, o Options) (*Plan, error) {
	p := &Plan{}
	repotags := Repotags(o.Routes)
	b := newBatch()
	tagCall := map[string]int{}
	for _, rd := range o.Routes {
		for _, dv := range rd.Dvers {
			for _, t := range []string{rd.Route.FromTag(dv), rd.Route.ToTag(dv)} {
				tagCall[t] = b.add("getTag", []any{t}, nil)
			}
		}
	}
	// per argument and from-tag: the builds of the argument's package
	look := map[[2]string]lookup{}
	for _, arg := range o.Args {
		noDist, _, _ := SplitDist(arg, repotags)
		for _, rd := range o.Routes {
			for _, dv := range rd.Dvers {
				t := rd.Route.FromTag(dv)
				l := lookup{latest: b.add("listTagged", []any{t}, map[string]any{"package": noDist, "latest": true})}
				if name, _, _, ok := SplitNVR(noDist); ok {
					l.byName, l.hasNVR = b.add("listTagged", []any{t}, map[string]any{"package": name}), true
				}
				look[[2]string{arg, t}] = l
			}
		}
	}
	if err := b.run(ctx, h, p); err != nil {
		return nil, fmt.Errorf("reading the tags: %w", err)
	}
	tagExists := func(t string) bool {
		r := b.res[tagCall[t]]
		return r.Fault == nil && r.Value != nil
	}
	builds := func(i int) ([]koji.TaggedBuild, error) {
		r := b.res[i]
		if r.Fault != nil {
			return nil, r.Fault
		}
		var tb []koji.TaggedBuild
		if err := xmlrpc.Unmarshal(r.Value, &tb); err != nil {
			return nil, err
		}
		return tb, nil
	}
	// find is osg-promote's _get_build: the argument with the route's dist
	// tag, else the latest build of the argument as a package, else the
	// argument as an exact N-V-R.
	find := func(arg, tag, repotag, dver string) (*koji.TaggedBuild, error) {
		noDist, _, _ := SplitDist(arg, repotags)
		l := look[[2]string{arg, tag}]
		var all []koji.TaggedBuild
		if l.hasNVR {
			var err error
			if all, err = builds(l.byName); err != nil {
				return nil, err
			}
			want := noDist + "." + repotag + "." + dver
			for i := range all {
				if all[i].NVR == want {
					return &all[i], nil
				}
			}
		}
		latest, err := builds(l.latest)
		if err != nil {
			return nil, err
		}
		if len(latest) > 0 {
			return &latest[0], nil
		}
		for i := range all {
			if all[i].NVR == noDist {
				return &all[i], nil
			}
		}
		return nil, nil
	}

	var cands []Promotion
	argCands := map[string][]int{}
	for _, arg := range o.Args {
		for _, rd := range o.Routes {
			r := rd.Route
			var found []Promotion
			ok := true
			for _, dv := range rd.Dvers {
				from, to := r.FromTag(dv), r.ToTag(dv)
				missing := ""
				if !tagExists(from) {
					missing = from
				} else if !tagExists(to) {
					missing = to
				}
				if missing != "" {
					if !o.IgnoreRejects {
						p.Rejects = append(p.Rejects, Reject{Arg: arg, Reason: MissingTag, Tag: missing, Route: r.Name, Dist: r.Repotag + "." + dv})
						ok = false
						break
					}
					continue
				}
				tb, err := find(arg, from, r.Repotag, dv)
				if err != nil {
					return nil, fmt.Errorf("listTagged(%s): %w", from, err)
				}
				if tb == nil {
					if !o.IgnoreRejects {
						p.Rejects = append(p.Rejects, Reject{Arg: arg, Reason: NoMatch, Dist: r.Repotag + "." + dv})
						ok = false
						break
					}
					continue
				}
				bd := Build{ID: tb.BuildID, NVR: tb.NVR, Name: tb.Name, Version: tb.Version, Release: tb.Release}
				rel, _, _ := SplitDist(tb.Release, repotags)
				found = append(found, Promotion{Arg: arg, Route: r.Name, Dver: dv, FromTag: from, ToTag: to,
					Build: bd, NoDist: tb.Name + "-" + tb.Version + "-" + rel})
			}
			if !ok {
				continue
			}
			for _, f := range found {
				argCands[arg] = append(argCands[arg], len(cands))
				cands = append(cands, f)
			}
		}
	}

	// signatures: which keys each candidate needs
	need := make([][]*Key, len(cands))
	sigRejected := make([]bool, len(cands))
	routeOf := map[string]*Route{}
	for _, rd := range o.Routes {
		routeOf[rd.Route.Name] = rd.Route
	}
	for i, c := range cands {
		r := routeOf[c.Route]
		var unknown []string
		for _, kn := range r.RequiredKeys {
			k := o.Keys[kn]
			switch {
			case k == nil:
				unknown = append(unknown, kn)
			case slices.Contains(k.Dvers, c.Dver):
				need[i] = append(need[i], k)
			}
		}
		if len(unknown) > 0 {
			rj := Reject{Arg: c.Build.NVR, Reason: UnknownKey, Route: r.Name, Keys: unknown}
			if o.IgnoreSignatures {
				p.Warnings = append(p.Warnings, rj.String()+" (ignored)")
			} else {
				p.Rejects = append(p.Rejects, rj)
				sigRejected[i] = true
			}
			need[i] = nil
		}
	}
	// the second multiCall: the tags of every candidate build, with the
	// RPMs of the builds whose signatures are checked
	b2 := newBatch()
	tagsCall := map[int]int{}
	for _, c := range cands {
		if _, ok := tagsCall[c.Build.ID]; !ok {
			tagsCall[c.Build.ID] = b2.add("listTags", nil, map[string]any{"build": c.Build.ID})
		}
	}
	bad, err := checkSignatures(ctx, h, o, cands, need, p, b2)
	if err != nil {
		return nil, err
	}
	tagsOf := map[int][]koji.Tag{}
	for id, i := range tagsCall {
		r := b2.res[i]
		if r.Fault != nil {
			return nil, fmt.Errorf("listTags(build=%d): %w", id, r.Fault)
		}
		var l []koji.Tag
		if err := xmlrpc.Unmarshal(r.Value, &l); err != nil {
			return nil, fmt.Errorf("listTags(build=%d): %w", id, err)
		}
		tagsOf[id] = l
	}
	for i := range cands {
		cands[i].Tagged = slices.ContainsFunc(tagsOf[cands[i].Build.ID], func(t koji.Tag) bool { return t.Name == cands[i].ToTag })
	}
	for i, c := range cands {
		if len(bad[i]) == 0 {
			continue
		}
		var names []string
		for _, k := range need[i] {
			names = append(names, k.String())
		}
		rj := Reject{Arg: c.Build.NVR, Reason: Unsigned, RPMs: bad[i], Keys: names}
		if o.IgnoreSignatures {
			p.Warnings = append(p.Warnings, rj.String()+" (ignored)")
			continue
		}
		p.Rejects = append(p.Rejects, rj)
		sigRejected[i] = true
	}

	for _, arg := range o.Args {
		var ok []Promotion
		for _, i := range argCands[arg] {
			if !sigRejected[i] {
				ok = append(ok, cands[i])
			}
		}
		distinct := map[string]bool{}
		for _, c := range ok {
			distinct[c.NoDist] = true
		}
		if len(distinct) > 1 && !o.IgnoreRejects {
			p.Rejects = append(p.Rejects, Reject{Arg: arg, Reason: Distinct})
			continue
		}
		p.Promotions = append(p.Promotions, ok...)
	}
	p.Promotions = dedupe(p.Promotions)
	sort.SliceStable(p.Rejects, func(i, j int) bool {
		a, b := p.Rejects[i], p.Rejects[j]
		if a.Arg != b.Arg {
			return a.Arg < b.Arg
		}
		if a.Dist != b.Dist {
			return a.Dist < b.Dist
		}
		return a.Reason < b.Reason
	})
	p.Rejects = slices.CompactFunc(p.Rejects, func(a, b Reject) bool { return a.String() == b.String() })
	return p, nil
}

// dedupe drops a second promotion of one build into one tag (two arguments
// naming the same build).
func dedupe(l []Promotion) []Promotion {
	seen := map[string]bool{}
	out := l[:0]
	for _, p := range l {
		k := p.ToTag + "\x00" + p.Build.NVR
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, p)
	}
	return out
}

// checkSignatures answers, per candidate, the RPMs that lack a signature by
// one of its keys: listRPMs of every build in one multiCall (first, with the
// calls in first; first is run even when no signature is checked),
// queryRPMSigs of every RPM in another. With TrySign, a build that fails is
// signed with a key gpg has the secret of, then checked again.
func checkSignatures(ctx context.Context, h koji.Hub, o Options, cands []Promotion, need [][]*Key, p *Plan, first *batch) ([][]string, error) {
	bad := make([][]string, len(cands))
	var ids []int
	for i, c := range cands {
		if len(need[i]) > 0 && !slices.Contains(ids, c.Build.ID) {
			ids = append(ids, c.Build.ID)
		}
	}
	if len(ids) == 0 {
		return bad, first.run(ctx, h, p)
	}
	sigs, err := buildSigs(ctx, h, ids, p, first)
	if err != nil {
		return nil, err
	}
	allowed := func(ks []*Key) map[string]bool {
		set := map[string]bool{}
		for _, k := range ks {
			set[strings.ToLower(k.KeyID)] = true
			if o.Signer != nil {
				for _, id := range o.Signer.KeyIDs(ctx, k) {
					set[strings.ToLower(id)] = true
				}
			}
		}
		return set
	}
	failedKeys := map[string]bool{}
	for i, c := range cands {
		if len(need[i]) == 0 {
			continue
		}
		ok := allowed(need[i])
		bad[i] = unsignedRPMs(sigs[c.Build.ID], ok)
		if len(bad[i]) == 0 || !o.TrySign || o.Signer == nil {
			continue
		}
		signed, tried := false, false
		for _, k := range need[i] {
			if failedKeys[k.Name] || !o.Signer.CanSign(ctx, k) {
				continue
			}
			tried = true
			logf(o.Log, "Signing %s with key %s: %s\n", c.Build.NVR, k, strings.Join(bad[i], ", "))
			if err := o.Signer.Sign(ctx, c.Build.NVR, k); err != nil {
				logf(o.Log, "error: signing %s with key %s: %v\n", c.Build.NVR, k, err)
				failedKeys[k.Name] = true
				continue
			}
			again, err := buildSigs(ctx, h, []int{c.Build.ID}, p, nil)
			if err != nil {
				return nil, err
			}
			sigs[c.Build.ID] = again[c.Build.ID]
			if left := unsignedRPMs(again[c.Build.ID], ok); len(left) > 0 {
				return nil, fmt.Errorf("signing %s with key %s appeared to succeed but these RPMs still lack the signature: %s", c.Build.NVR, k, strings.Join(left, ", "))
			}
			signed = true
			break
		}
		switch {
		case signed:
			bad[i] = nil
		case tried:
			// the error is above
		case slices.ContainsFunc(need[i], func(k *Key) bool { return failedKeys[k.Name] }):
			logf(o.Log, "Not signing %s: signing with %s failed above\n", c.Build.NVR, keyNames(need[i]))
		default:
			logf(o.Log, "No secret key to sign %s with (gpg --list-secret-keys has none of %s)\n", c.Build.NVR, keyNames(need[i]))
		}
	}
	return bad, nil
}

func keyNames(ks []*Key) string {
	var l []string
	for _, k := range ks {
		l = append(l, k.String())
	}
	return strings.Join(l, ", ")
}

// rpmSigs are the RPMs of a build with the keys that signed each.
type rpmSigs struct {
	file string
	keys []string
}

func unsignedRPMs(rpms []rpmSigs, ok map[string]bool) []string {
	var bad []string
	for _, r := range rpms {
		if !slices.ContainsFunc(r.keys, func(k string) bool { return ok[strings.ToLower(k)] }) {
			bad = append(bad, r.file)
		}
	}
	sort.Strings(bad)
	return bad
}

// buildSigs reads the RPMs of the builds and their signature keys in two
// multiCalls; the first is b's when b is not nil.
func buildSigs(ctx context.Context, h koji.Hub, ids []int, p *Plan, b *batch) (map[int][]rpmSigs, error) {
	if b == nil {
		b = newBatch()
	}
	idx := make([]int, len(ids))
	for i, id := range ids {
		idx[i] = b.add("listRPMs", nil, map[string]any{"buildID": id})
	}
	if err := b.run(ctx, h, p); err != nil {
		return nil, fmt.Errorf("listing the RPMs of the builds: %w", err)
	}
	rpms := map[int][]koji.RPM{}
	sb := newBatch()
	var order []int // rpm ids in call order
	for i, id := range ids {
		r := b.res[idx[i]]
		if r.Fault != nil {
			return nil, fmt.Errorf("listRPMs(buildID=%d): %w", id, r.Fault)
		}
		var l []koji.RPM
		if err := xmlrpc.Unmarshal(r.Value, &l); err != nil {
			return nil, fmt.Errorf("listRPMs(buildID=%d): %w", id, err)
		}
		rpms[id] = l
		for _, rp := range l {
			sb.add("queryRPMSigs", nil, map[string]any{"rpm_id": rp.ID})
			order = append(order, rp.ID)
		}
	}
	if err := sb.run(ctx, h, p); err != nil {
		return nil, fmt.Errorf("reading the signatures: %w", err)
	}
	keys := map[int][]string{}
	for i, rid := range order {
		r := sb.res[i]
		if r.Fault != nil {
			return nil, fmt.Errorf("queryRPMSigs(rpm_id=%d): %w", rid, r.Fault)
		}
		var l []koji.RPMSig
		if err := xmlrpc.Unmarshal(r.Value, &l); err != nil {
			return nil, fmt.Errorf("queryRPMSigs(rpm_id=%d): %w", rid, err)
		}
		for _, s := range l {
			if s.SigKey != "" {
				keys[rid] = append(keys[rid], s.SigKey)
			}
		}
	}
	out := map[int][]rpmSigs{}
	for id, l := range rpms {
		for _, rp := range l {
			out[id] = append(out[id], rpmSigs{file: fmt.Sprintf("%s-%s-%s.%s.rpm", rp.Name, rp.Version, rp.Release, rp.Arch), keys: keys[rp.ID]})
		}
	}
	return out, nil
}

func logf(w io.Writer, format string, args ...any) {
	if w != nil {
		fmt.Fprintf(w, format, args...)
	}
}
