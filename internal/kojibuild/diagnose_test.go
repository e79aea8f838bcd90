package kojibuild

import (
	"context"
	"strings"
	"testing"

	"github.com/osg-htc/osg-build-go/pkg/koji"
)

const rootLogMissing = `DEBUG util.py:446:  Last metadata expiration check: 0:00:01 ago on Tue Jul  1 10:00:00 2025.
DEBUG util.py:444:  No matching package to install: 'voms-devel >= 2.1'
DEBUG util.py:444:  No matching package to install: 'globus-common-devel'
DEBUG util.py:444:  Not all dependencies satisfied
DEBUG util.py:444:  Error: Some packages could not be found.
DEBUG util.py:598:  Child return code was: 1
`

const rootLogStale = `DEBUG util.py:444:  Downloading Packages:
DEBUG util.py:444:  [MIRROR] gcc-11.4.1-3.el9.x86_64.rpm: Status code: 404 for https://koji.osg-htc.org/kojifiles/repos/osg-25-main-el9-build/7700/x86_64/toplink/packages/gcc/11.4.1/3.el9/x86_64/gcc-11.4.1-3.el9.x86_64.rpm (IP: 128.104.100.10)
DEBUG util.py:444:  Error: Error downloading packages:
DEBUG util.py:444:    Cannot download Packages/gcc-11.4.1-3.el9.x86_64.rpm: All mirrors were tried
DEBUG util.py:598:  Child return code was: 1
`

const buildLogCompile = `+ make -j4
gcc -O2 -c hello.c
hello.c:3:1: error: expected ';' before '}' token
make: *** [Makefile:2: hello.o] Error 1
error: Bad exit status from /var/tmp/rpm-tmp.abc (%build)
    Bad exit status from /var/tmp/rpm-tmp.abc (%build)
Child return code was: 1
`

func TestDiagnose(t *testing.T) {
	tests := []struct {
		name        string
		fault       string
		logs        []Log
		dir         string
		wantKind    DiagnosisKind
		wantSummary string
		wantAdvice  string
		wantExcerpt string
	}{
		{
			name:        "missing buildrequires",
			fault:       "BuildError: error building package (arch x86_64), mock exited with status 30; see root.log for more information",
			logs:        []Log{{Task: 12, Name: "root.log", Text: rootLogMissing}, {Task: 12, Name: "build.log", Text: ""}},
			wantKind:    MissingBuildRequires,
			wantSummary: "missing BuildRequires: voms-devel >= 2.1, globus-common-devel is not in the build tag's repo",
			wantAdvice:  "osg-25-main-el9-build",
			wantExcerpt: "No matching package to install: 'voms-devel >= 2.1'",
		},
		{
			name:        "build exists",
			fault:       "GenericError: Build already exists (id=2, state=COMPLETE): {'name': 'hello', 'version': '1', 'release': '2.osg25.el9', 'epoch': None}",
			wantKind:    BuildExists,
			wantSummary: "the hub already has a build hello-1-2.osg25.el9 (COMPLETE): N-V-Rs are never reused",
			wantAdvice:  "bump the Release in the spec of hello",
		},
		{
			name:        "yum style missing",
			logs:        []Log{{Task: 3, Name: "root.log", Text: "DEBUG util.py:388:  No Package found for xrootd-devel\n"}},
			wantKind:    MissingBuildRequires,
			wantSummary: "missing BuildRequires: xrootd-devel",
		},
		{
			name:        "stale repo",
			fault:       "BuildError: error building package (arch x86_64), mock exited with status 30; see root.log for more information",
			logs:        []Log{{Task: 14, Name: "root.log", Text: rootLogStale}},
			wantKind:    StaleRepo,
			wantSummary: "the build repo is stale",
			wantAdvice:  "run `osg-build regen-repo osg-25-main-el9-build`",
			wantExcerpt: "Status code: 404",
		},
		{
			name:        "package not in list, directory mismatch",
			fault:       "TagError: package osg-hello not in list for tag osg-25-main-el9-development",
			dir:         "hello",
			wantKind:    NotInPackageList,
			wantSummary: "the spec builds osg-hello but the package directory is named hello",
			wantAdvice:  "rename the directory hello to osg-hello",
		},
		{
			name:        "package not in list, same name",
			fault:       "GenericError: package hello not in list for tag osg-el9",
			dir:         "hello",
			wantKind:    NotInPackageList,
			wantSummary: "package hello is not in the package list of tag osg-el9",
			wantAdvice:  "add-pkg --owner <you> osg-el9 hello",
		},
		{
			name:        "compile error",
			fault:       "BuildError: error building package (arch x86_64), mock exited with status 1; see build.log for more information",
			logs:        []Log{{Task: 20, Name: "root.log", Text: "DEBUG fine\n"}, {Task: 20, Name: "build.log", Text: buildLogCompile}},
			wantKind:    Unknown,
			wantSummary: "BuildError: error building package (arch x86_64)",
			wantExcerpt: "hello.c:3:1: error: expected ';' before '}' token",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := Diagnose(tt.fault, tt.logs, tt.dir, "osg-25-main-el9-build")
			if d.Kind != tt.wantKind {
				t.Fatalf("kind = %s, want %s (%+v)", d.Kind, tt.wantKind, d)
			}
			if !strings.Contains(d.Summary, tt.wantSummary) {
				t.Errorf("summary = %q, want it to contain %q", d.Summary, tt.wantSummary)
			}
			if !strings.Contains(d.Advice, tt.wantAdvice) {
				t.Errorf("advice = %q, want it to contain %q", d.Advice, tt.wantAdvice)
			}
			if tt.wantExcerpt != "" && !strings.Contains(strings.Join(d.Excerpt, "\n"), tt.wantExcerpt) {
				t.Errorf("excerpt = %q, want it to contain %q", d.Excerpt, tt.wantExcerpt)
			}
		})
	}
}

// repoHub answers getRepo and listTagged for Explain.
type repoHub struct {
	koji.Hub
	repoEvent int
	tagged    map[string]koji.TaggedBuild
}

func (h *repoHub) GetRepo(ctx context.Context, tag koji.Ref, opts koji.GetRepoOpts) (*koji.Repo, error) {
	return &koji.Repo{ID: 7, CreateEvent: h.repoEvent, State: koji.RepoReady}, nil
}

func (h *repoHub) ListTagged(ctx context.Context, tag koji.Ref, opts koji.ListTaggedOpts) ([]koji.TaggedBuild, error) {
	if b, ok := h.tagged[opts.Package]; ok {
		return []koji.TaggedBuild{b}, nil
	}
	return nil, nil
}

func TestExplainPendingBuild(t *testing.T) {
	h := &repoHub{repoEvent: 100, tagged: map[string]koji.TaggedBuild{
		"voms-devel":          {NVR: "voms-devel-2.1-1.osg25.el9", CreateEvent: 120},
		"globus-common-devel": {NVR: "globus-common-devel-18-1.osg25.el9", CreateEvent: 90},
	}}
	d := Diagnose("", []Log{{Task: 12, Name: "root.log", Text: rootLogMissing}}, "", "osg-25-main-el9-build")
	Explain(context.Background(), h, d, "osg-25-main-el9-build")
	if !strings.Contains(d.Summary, "voms-devel-2.1-1.osg25.el9 is tagged into osg-25-main-el9-build but not yet in its repo") {
		t.Errorf("summary = %q", d.Summary)
	}
	if strings.Contains(d.Summary, "globus-common-devel-18") {
		t.Errorf("a build already in the repo is reported pending: %q", d.Summary)
	}
	if !strings.Contains(d.Advice, "osg-build wait-repo osg-25-main-el9-build --build voms-devel-2.1-1.osg25.el9") {
		t.Errorf("advice = %q", d.Advice)
	}
}
