package targets

import (
	"fmt"
	"slices"
	"strings"
)

// Request is what the command line (and koji.ini) say about targets.
type Request struct {
	// Repo is --repo ("" when not given).
	Repo string
	// DefaultRepo is the repo of the package's koji.ini, used when Repo is "".
	DefaultRepo string
	// DefaultRepoSource names where DefaultRepo came from (for messages).
	DefaultRepoSource string
	// Dvers are the EL versions enabled with --el8, --el9, --redhat-release...
	Dvers []string
	// KojiTargets, KojiTags and KTTs are the values of --koji-target,
	// --koji-tag and --ktt, in the order given. A --koji-tag of TARGET
	// applies to every dver.
	KojiTargets []string
	KojiTags    []string
	KTTs        []string
}

// DverTarget is where the build for one EL version goes.
type DverTarget struct {
	Dver   string
	Target string
	// Tag is the package-list tag for add-pkg; TagFromTarget ("TARGET")
	// means the target's destination tag, which the caller looks up.
	Tag string
	// DistTag is the repo's dist tag for this dver (".osg25.el9"), or "".
	DistTag string
}

// TagIsTargetDest reports whether the tag is the target's destination tag
// (--koji-tag TARGET), which the caller must look up.
func (d DverTarget) TagIsTargetDest() bool { return d.Tag == TagFromTarget }

// Resolution is the outcome of [Config.Resolve].
type Resolution struct {
	// Repo is the canonical name of the repo used ("" when only targets were given).
	Repo string
	// RepoSource is "--repo", the koji.ini path, or "".
	RepoSource string
	// Dvers are the EL versions to build, in order.
	Dvers []string
	// Targets has one entry per element of Dvers, in the same order.
	Targets []DverTarget
}

// For returns the target of dver.
func (r *Resolution) For(dver string) (DverTarget, bool) {
	for _, t := range r.Targets {
		if t.Dver == dver {
			return t, true
		}
	}
	return DverTarget{}, false
}

// ResolveError is a usage problem in the target options; the command layer
// reports it as a usage error.
type ResolveError struct{ Msg string }

func (e *ResolveError) Error() string { return e.Msg }

func resolveErrorf(format string, args ...any) error {
	return &ResolveError{Msg: fmt.Sprintf(format, args...)}
}

type dverValues struct {
	target, targetFlag string
	tag, tagFlag       string
}

// Resolve works out, per enabled EL version, the Koji target and the
// package-list tag, with osg-build's rules:
//   - --repo (else the koji.ini repo) gives the target and tag of every dver;
//   - --koji-target, --koji-tag and --ktt name the dver in their value
//     (\bel\d+\b), enable it implicitly, and win over the repo for that dver;
//     all values for one dver must agree;
//   - --koji-tag TARGET means the target's destination tag for every dver;
//   - the dvers are those enabled on the command line or implicitly, else
//     the repo's default dvers, else [defaults] default_dvers.
//
// Nothing here needs the network.
func (c *Config) Resolve(req Request) (*Resolution, error) {
	res := &Resolution{}
	var repo *Repo
	switch {
	case req.Repo != "":
		r, err := c.Repo(req.Repo)
		if err != nil {
			return nil, &ResolveError{Msg: "--repo: " + err.Error()}
		}
		repo, res.RepoSource = r, "--repo"
	case req.DefaultRepo != "":
		r, err := c.Repo(req.DefaultRepo)
		if err != nil {
			src := req.DefaultRepoSource
			if src == "" {
				src = KojiININame
			}
			return nil, &ResolveError{Msg: fmt.Sprintf("%s: repo: %v; fix the file or give --repo", src, err)}
		}
		repo, res.RepoSource = r, req.DefaultRepoSource
	}
	if repo != nil {
		res.Repo = repo.Name
	}

	enabled := map[string]bool{}
	for _, d := range req.Dvers {
		if !slices.Contains(c.dvers, d) {
			return nil, resolveErrorf("unknown EL version %q: known are %s", d, strings.Join(c.dvers, ", "))
		}
		enabled[d] = true
	}

	values := map[string]*dverValues{}
	get := func(d string) *dverValues {
		if values[d] == nil {
			values[d] = &dverValues{}
		}
		return values[d]
	}
	tagFromTarget := ""
	parse := func(flag, v string) (string, error) {
		d := ParseDver(v)
		if d == "" {
			return "", resolveErrorf("%s %q: cannot tell the EL version: the value must contain it as a word, as in osg-25-main-el9", flag, v)
		}
		if !slices.Contains(c.dvers, d) {
			return "", resolveErrorf("%s %q: unknown EL version %s: known are %s", flag, v, d, strings.Join(c.dvers, ", "))
		}
		enabled[d] = true
		return d, nil
	}
	setTarget := func(flag, v string) error {
		d, err := parse(flag, v)
		if err != nil {
			return err
		}
		dv := get(d)
		if dv.target != "" && dv.target != v {
			return resolveErrorf("conflicting Koji targets for %s: %s %s and %s %s: give one target per EL version", d, dv.targetFlag, dv.target, flag, v)
		}
		dv.target, dv.targetFlag = v, flag
		return nil
	}
	setTag := func(flag, v string) error {
		d, err := parse(flag, v)
		if err != nil {
			return err
		}
		dv := get(d)
		if dv.tag != "" && dv.tag != v {
			return resolveErrorf("conflicting Koji tags for %s: %s %s and %s %s: give one tag per EL version", d, dv.tagFlag, dv.tag, flag, v)
		}
		dv.tag, dv.tagFlag = v, flag
		return nil
	}
	for _, v := range req.KojiTargets {
		if err := setTarget("--koji-target", v); err != nil {
			return nil, err
		}
	}
	for _, v := range req.KTTs {
		if err := setTarget("--ktt", v); err != nil {
			return nil, err
		}
		if err := setTag("--ktt", v); err != nil {
			return nil, err
		}
	}
	for _, v := range req.KojiTags {
		if v == TagFromTarget {
			tagFromTarget = "--koji-tag " + TagFromTarget
			continue
		}
		if err := setTag("--koji-tag", v); err != nil {
			return nil, err
		}
	}
	if tagFromTarget != "" {
		for d, dv := range values {
			if dv.tag != "" {
				return nil, resolveErrorf("conflicting Koji tags for %s: %s %s and --koji-tag TARGET: give one of them", d, dv.tagFlag, dv.tag)
			}
		}
	}

	switch {
	case len(enabled) > 0:
		for d := range enabled {
			res.Dvers = append(res.Dvers, d)
		}
		res.Dvers = sortDvers(res.Dvers)
	case repo != nil && len(repo.Dvers) > 0:
		res.Dvers = slices.Clone(repo.Dvers)
	default:
		res.Dvers = slices.Clone(c.defaultDvers)
	}

	for _, d := range res.Dvers {
		dt := DverTarget{Dver: d}
		dv := get(d)
		switch {
		case dv.target != "":
			dt.Target = dv.target
		case repo != nil:
			dt.Target = repo.TargetFor(d)
		default:
			return nil, resolveErrorf("no Koji target for %s: give --repo (see --repo-list) or --koji-target, or build from a directory whose parent has a koji.ini", d)
		}
		switch {
		case dv.tag != "":
			dt.Tag = dv.tag
		case tagFromTarget != "":
			dt.Tag = TagFromTarget
		case repo != nil:
			dt.Tag = repo.TagFor(d)
		default:
			// A target alone: the package goes to the target's destination tag.
			dt.Tag = TagFromTarget
		}
		if td := ParseDver(dt.Target); td != "" && td != d {
			return nil, resolveErrorf("Koji target %s is for %s, not %s: give targets that match the EL versions", dt.Target, td, d)
		}
		if dt.Tag != TagFromTarget {
			if td := ParseDver(dt.Tag); td != "" && td != d {
				return nil, resolveErrorf("Koji tag %s is for %s, not %s: give tags that match the EL versions", dt.Tag, td, d)
			}
		}
		if repo != nil {
			dt.DistTag = repo.DistTag(d)
		}
		res.Targets = append(res.Targets, dt)
	}
	return res, nil
}

// ResolveFor is [Config.Resolve] for one package: when --repo is not given,
// the koji.ini in the parent directory of pkgDir (a local checkout; "" or a
// URL skips it) names the default repo.
func (c *Config) ResolveFor(req Request, pkgDir string) (*Resolution, error) {
	if req.Repo == "" && req.DefaultRepo == "" && pkgDir != "" && !strings.Contains(pkgDir, "://") {
		repo, path, err := RepoFromKojiINI(pkgDir)
		if err != nil {
			return nil, &ResolveError{Msg: err.Error() + "; fix the file or give --repo"}
		}
		req.DefaultRepo, req.DefaultRepoSource = repo, path
	}
	return c.Resolve(req)
}
