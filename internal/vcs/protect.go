package vcs

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
)

// ProtectionReason says why a build into a target was refused.
type ProtectionReason string

// Reasons.
const (
	// NotFromSVN: the target's record has no SVN/subtree branch pattern.
	NotFromSVN ProtectionReason = "not-from-svn"
	// NotFromGit: the target's record has no git branch pattern.
	NotFromGit ProtectionReason = "not-from-git"
	// UnknownRemote: the git repository is not a known remote.
	UnknownRemote ProtectionReason = "unknown-remote"
	// WrongRemote: the known remote is not allowed for the target.
	WrongRemote ProtectionReason = "wrong-remote"
	// Mismatch: the branch (or subtree) does not go with the target.
	Mismatch ProtectionReason = "mismatch"
)

// ProtectionError is a build refused by the branch/target protection table.
// For scratch builds the command layer may make it a warning.
type ProtectionError struct {
	Reason ProtectionReason
	Record string // name of the protection record (upcoming, newmain, ...)
	Target string
	Branch string // branch or subtree
	Remote string // remote URL or repo
}

func (e *ProtectionError) Error() string {
	switch e.Reason {
	case NotFromSVN:
		return fmt.Sprintf("cannot build into %s from SVN: build from git, or choose another target", e.Target)
	case NotFromGit:
		return fmt.Sprintf("cannot build into %s from Git: choose another target", e.Target)
	case UnknownRemote:
		return fmt.Sprintf("cannot build into %s from unrecognized remote %s: build from a checkout of a known remote", e.Target, e.Remote)
	case WrongRemote:
		return fmt.Sprintf("cannot build into %s from the %s remote: build from a checkout of the repository that owns the target", e.Target, e.Remote)
	default:
		return fmt.Sprintf("branch/target mismatch: branch %s does not match target %s (forbidden to build from %s branch into %s target): build from the matching branch, or choose the target of this branch with --repo",
			e.Branch, e.Target, e.Branch, e.Target)
	}
}

// groups returns the named groups of re matched against s, or nil when re
// does not match. Groups that did not take part are absent (Python's None).
func groups(re *regexp.Regexp, s string) map[string]string {
	m := re.FindStringSubmatchIndex(s)
	if m == nil {
		return nil
	}
	g := map[string]string{}
	for i, name := range re.SubexpNames() {
		if name == "" || m[2*i] < 0 {
			continue
		}
		g[name] = s[m[2*i]:m[2*i+1]]
	}
	return g
}

// CheckProtection applies the branch/target protection table to a build of
// src into target, as osg-build 2.x does: a target no record matches is
// unrestricted; otherwise the first matching record decides. SVN builds need
// the record's SVN pattern to match the branch; git builds need a known
// remote listed by the record, and the git branch (legacy layout) or the
// subtree (subtree layout) to match; the named groups (osgver) of branch and
// target must be equal.
func (c *Config) CheckProtection(src *Source, target string) error {
	if target == "" {
		return nil
	}
	for _, p := range c.Protections {
		tg := groups(p.KojiTarget, target)
		if tg == nil {
			continue
		}
		var branchRe *regexp.Regexp
		branch := src.ProtectedBranch()
		switch src.Kind {
		case SVN:
			if p.SubtreeBranch == nil {
				return &ProtectionError{Reason: NotFromSVN, Record: p.Name, Target: target, Branch: branch}
			}
			branchRe = p.SubtreeBranch
		case Git:
			// A subtree-layout remote is checked against the subtree
			// pattern, so a record with only that one still admits it.
			subtreeOnly := src.Remote != nil && src.Remote.Layout == Subtree && p.SubtreeBranch != nil
			if p.GitBranch == nil && !subtreeOnly {
				return &ProtectionError{Reason: NotFromGit, Record: p.Name, Target: target, Branch: branch}
			}
			if src.Remote == nil {
				return &ProtectionError{Reason: UnknownRemote, Record: p.Name, Target: target, Branch: branch, Remote: src.RemoteURL}
			}
			if !slices.Contains(p.Remotes, src.Remote.Name) {
				return &ProtectionError{Reason: WrongRemote, Record: p.Name, Target: target, Branch: branch, Remote: src.Remote.Repo()}
			}
			branchRe = p.GitBranch
			if src.Remote.Layout == Subtree {
				branchRe = p.SubtreeBranch
			}
			if branchRe == nil {
				// This remote's branches are not restricted for the record.
				continue
			}
		default:
			return fmt.Errorf("unknown source kind %q", src.Kind)
		}
		bg := groups(branchRe, branch)
		if bg == nil || !maps.Equal(bg, tg) {
			return &ProtectionError{Reason: Mismatch, Record: p.Name, Target: target, Branch: branch}
		}
		return nil
	}
	return nil
}
