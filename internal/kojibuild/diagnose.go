package kojibuild

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"sync"

	"github.com/osg-htc/osg-build-go/pkg/koji"
)

// DiagnosisKind names a known cause of a failed build.
type DiagnosisKind string

// Known causes.
const (
	// StaleRepo: the builder could not download packages from the build
	// tag's repo (404, "Cannot download"): the repo is out of date.
	StaleRepo DiagnosisKind = "stale-repo"
	// NotInPackageList: the build's package is not in the destination tag's
	// package list, usually because the directory name differs from the
	// spec's Name.
	NotInPackageList DiagnosisKind = "not-in-package-list"
	// MissingBuildRequires: a BuildRequires is not in the build tag's repo.
	MissingBuildRequires DiagnosisKind = "missing-buildrequires"
	// BuildExists: the hub already has a build of this N-V-R (one built
	// before, or a mirrored remote's): the Release must go up.
	BuildExists DiagnosisKind = "build-exists"
	// Unknown: none of the above; the log excerpt is all there is.
	Unknown DiagnosisKind = "unknown"
)

// Log is one log file of a failed task.
type Log struct {
	Task int
	Name string // root.log, build.log, ...
	Text string
}

// Diagnosis explains a failed build.
type Diagnosis struct {
	Kind DiagnosisKind `json:"kind"`
	// Summary is one line saying what went wrong.
	Summary string `json:"summary"`
	// Advice says what to do about it.
	Advice string `json:"advice,omitempty"`
	// Missing are the BuildRequires that could not be installed.
	Missing []string `json:"missing,omitempty"`
	// Package and Tag are the package and tag of a package-list problem.
	Package string `json:"package,omitempty"`
	Tag     string `json:"tag,omitempty"`
	// Log names the log the excerpt comes from ("task 12 root.log").
	Log string `json:"log,omitempty"`
	// Excerpt is the useful part of that log.
	Excerpt []string `json:"excerpt,omitempty"`
}

var (
	reNotInList = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`[Pp]ackage (\S+) not in list for tag (\S+)`) })
	reNoMatch   = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`No matching package to install: '([^']+)'`) })
	reNoPackage = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`No [Pp]ackage found for:? (\S+)`) })
	reNothing   = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`nothing provides (\S+(?: [<>=]+ \S+)?) needed by`) })
	reExists    = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`Build already exists \(id=\d+, state=(\w+)\): \{'name': '([^']+)', 'version': '([^']+)', 'release': '([^']+)'`)
	})
	reStale = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`(?i)(Cannot download|Status code: 404|HTTP Error 404|\b404\b.*Not Found|Failed to download packages|failed to download)`)
	})
)

// excerptLines is how many lines of a log an excerpt keeps.
const excerptLines = 25

// Diagnose recognises the cause of a failed build from the task's failure
// message (its fault text) and its logs (root.log and build.log of the
// failed buildArch task, or whatever was found). dirName is the package
// directory's name, when known, for the package-list advice; buildTag is the
// target's build tag, for the repo advice.
func Diagnose(fault string, logs []Log, dirName, buildTag string) *Diagnosis {
	for _, text := range append([]string{fault}, logTexts(logs)...) {
		if m := reNotInList().FindStringSubmatch(text); m != nil {
			d := &Diagnosis{Kind: NotInPackageList, Package: m[1], Tag: strings.TrimRight(m[2], ".,;:'\""),
				Summary: fmt.Sprintf("package %s is not in the package list of tag %s", m[1], strings.TrimRight(m[2], ".,;:'\""))}
			if dirName != "" && dirName != m[1] {
				d.Summary += fmt.Sprintf(": the spec builds %s but the package directory is named %s (osg-build adds the directory name to the list)", m[1], dirName)
				d.Advice = fmt.Sprintf("rename the directory %s to %s so that it matches the spec's Name, or add the package to the list: osg-build osg-koji add-pkg --owner <you> %s %s", dirName, m[1], d.Tag, m[1])
			} else {
				d.Advice = fmt.Sprintf("the package directory's name must be the spec's Name; add the package to the list with: osg-build osg-koji add-pkg --owner <you> %s %s", d.Tag, m[1])
			}
			attachExcerpt(d, logs, reNotInList())
			return d
		}
	}
	if m := reExists().FindStringSubmatch(fault); m != nil {
		nvr := m[2] + "-" + m[3] + "-" + m[4]
		return &Diagnosis{Kind: BuildExists, Package: m[2],
			Summary: fmt.Sprintf("the hub already has a build %s (%s): N-V-Rs are never reused", nvr, m[1]),
			Advice:  fmt.Sprintf("bump the Release in the spec of %s (and commit it) to build again; on a mirrored hub the remote's builds keep their N-V-Rs, so yours needs a newer one", m[2])}
	}
	// Missing BuildRequires before stale repos: dnf prints both kinds of
	// lines for a missing package in some versions.
	var missing []string
	seen := map[string]bool{}
	for _, l := range logs {
		for _, re := range []*regexp.Regexp{reNoMatch(), reNoPackage(), reNothing()} {
			for _, m := range re.FindAllStringSubmatch(l.Text, -1) {
				if !seen[m[1]] {
					seen[m[1]] = true
					missing = append(missing, m[1])
				}
			}
		}
	}
	if len(missing) > 0 {
		d := &Diagnosis{Kind: MissingBuildRequires, Missing: missing,
			Summary: fmt.Sprintf("missing BuildRequires: %s is not in the build tag's repo", strings.Join(missing, ", "))}
		where := "the build tag"
		if buildTag != "" {
			where = buildTag
		}
		d.Advice = fmt.Sprintf("build the package that provides it into %s first (osg-build koji --chain builds packages in dependency order), or fix the BuildRequires", where)
		attachExcerpt(d, logs, regexp.MustCompile(`No matching package|No [Pp]ackage found|nothing provides|Problem:|Error:`))
		return d
	}
	for _, l := range logs {
		if reStale().MatchString(l.Text) {
			tag := buildTag
			if tag == "" {
				tag = "<build tag>"
			}
			d := &Diagnosis{Kind: StaleRepo,
				Summary: "the build repo is stale: the builder could not download packages listed in it",
				Advice:  fmt.Sprintf("run `osg-build regen-repo %s`, then build again", tag)}
			attachExcerpt(d, logs, reStale())
			return d
		}
	}
	d := &Diagnosis{Kind: Unknown, Summary: firstLine(fault)}
	if d.Summary == "" {
		d.Summary = "the build failed"
	}
	// build.log carries the compiler's errors; root.log the buildroot's.
	for _, name := range []string{"build.log", "root.log"} {
		for _, l := range logs {
			if l.Name == name && strings.TrimSpace(l.Text) != "" {
				d.Log = fmt.Sprintf("task %d %s", l.Task, l.Name)
				d.Excerpt = tail(l.Text, excerptLines)
				return d
			}
		}
	}
	return d
}

func logTexts(logs []Log) []string {
	out := make([]string, len(logs))
	for i, l := range logs {
		out[i] = l.Text
	}
	return out
}

// attachExcerpt keeps the lines around the first match of re in the logs.
func attachExcerpt(d *Diagnosis, logs []Log, re *regexp.Regexp) {
	for _, l := range logs {
		lines := strings.Split(strings.TrimRight(l.Text, "\n"), "\n")
		for i, line := range lines {
			if re.MatchString(line) {
				lo := max(0, i-5)
				hi := min(len(lines), lo+excerptLines)
				d.Log = fmt.Sprintf("task %d %s", l.Task, l.Name)
				d.Excerpt = lines[lo:hi]
				return
			}
		}
	}
}

func tail(s string, n int) []string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return lines
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// requirementName returns the package name of a requirement ("foo >= 1.2"
// → foo, "pkgconfig(x)" stays as is).
func requirementName(req string) string {
	f := strings.Fields(req)
	if len(f) == 0 {
		return req
	}
	return f[0]
}

// PendingBuild is a build of a missing requirement that is tagged into the
// build tag but not yet in its newest repo.
type PendingBuild struct {
	Requirement string
	NVR         string
	TagEvent    int
	RepoEvent   int
}

// FindPending checks, for each missing requirement, whether a build of that
// name is tagged into buildTag after the newest READY repo was made (so it
// is waiting for a repo regeneration). It compares listTagged's create_event
// with the repo's create_event.
func FindPending(ctx context.Context, h koji.Hub, buildTag string, missing []string) ([]PendingBuild, error) {
	repo, err := h.GetRepo(ctx, koji.ByName(buildTag), koji.GetRepoOpts{})
	if err != nil {
		return nil, fmt.Errorf("getRepo(%s): %w", buildTag, err)
	}
	repoEvent := 0
	if repo != nil {
		repoEvent = repo.CreateEvent
	}
	var out []PendingBuild
	for _, m := range missing {
		name := requirementName(m)
		bs, err := h.ListTagged(ctx, koji.ByName(buildTag), koji.ListTaggedOpts{Inherit: true, Latest: koji.LatestOne, Package: name})
		if err != nil {
			return nil, fmt.Errorf("listTagged(%s, package=%s): %w", buildTag, name, err)
		}
		for _, b := range bs {
			if b.CreateEvent > repoEvent {
				out = append(out, PendingBuild{Requirement: m, NVR: b.NVR, TagEvent: b.CreateEvent, RepoEvent: repoEvent})
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].NVR < out[j].NVR })
	return out, nil
}

// Explain adds what the hub knows to a diagnosis of missing BuildRequires:
// a newer build waiting for a repo makes the advice "wait for (or regenerate)
// the repo".
func Explain(ctx context.Context, h koji.Hub, d *Diagnosis, buildTag string) {
	if d == nil || d.Kind != MissingBuildRequires || buildTag == "" {
		return
	}
	pend, err := FindPending(ctx, h, buildTag, d.Missing)
	if err != nil || len(pend) == 0 {
		return
	}
	var nvrs []string
	for _, p := range pend {
		nvrs = append(nvrs, p.NVR)
	}
	d.Summary += fmt.Sprintf("; %s is tagged into %s but not yet in its repo", strings.Join(nvrs, ", "), buildTag)
	args := ""
	for _, n := range nvrs {
		args += " --build " + n
	}
	d.Advice = fmt.Sprintf("wait for the repo (`osg-build wait-repo %s%s`, or `osg-build regen-repo %s`), then build again", buildTag, args, buildTag)
}

// FetchLogs downloads root.log and build.log (and, when neither exists, any
// other .log) of a failed task.
func FetchLogs(ctx context.Context, h koji.Hub, task int) ([]Log, error) {
	files, err := h.ListTaskOutput(ctx, task, koji.ListTaskOutputOpts{})
	if err != nil {
		return nil, fmt.Errorf("listTaskOutput(%d): %w", task, err)
	}
	var names []string
	for _, f := range files {
		if f.Name == "root.log" || f.Name == "build.log" {
			names = append(names, f.Name)
		}
	}
	if len(names) == 0 {
		for _, f := range files {
			if strings.HasSuffix(f.Name, ".log") {
				names = append(names, f.Name)
			}
		}
	}
	sort.Strings(names)
	var logs []Log
	for _, n := range names {
		b, err := h.DownloadTaskOutput(ctx, task, n, koji.DownloadTaskOutputOpts{})
		if err != nil {
			return logs, fmt.Errorf("downloadTaskOutput(%d, %s): %w", task, n, err)
		}
		logs = append(logs, Log{Task: task, Name: n, Text: string(b)})
	}
	return logs, nil
}

// TaskFault returns the failure message of a task (getTaskResult's fault).
func TaskFault(ctx context.Context, h koji.Hub, task int) string {
	_, err := h.GetTaskResult(ctx, task, koji.GetTaskResultOpts{})
	if f, ok := koji.AsFault(err); ok {
		return f.String
	}
	if err != nil {
		return err.Error()
	}
	return ""
}
