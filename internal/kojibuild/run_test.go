package kojibuild

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/osg-htc/osg-build-go/internal/iostreams"
	"github.com/osg-htc/osg-build-go/internal/targets"
	"github.com/osg-htc/osg-build-go/internal/vcs"
	"github.com/osg-htc/osg-build-go/pkg/koji"
)

const (
	specLibfoo = "Name: libfoo\nVersion: 1\nRelease: 1%{?dist}\nBuildRequires: gcc\n%package devel\nSummary: x\n"
	specApp    = "Name: app\nVersion: 1\nRelease: 1%{?dist}\nBuildRequires: libfoo-devel >= 1\n"
	specTool   = "Name: tool\nVersion: 1\nRelease: 1%{?dist}\n"
)

func simEnv(h koji.Hub, vc *vcs.Config) (*Env, *bytes.Buffer, *bytes.Buffer) {
	var out, errb bytes.Buffer
	return &Env{
		Hub:          func(ctx context.Context) (koji.Hub, error) { return h, nil },
		Targets:      targets.Default(),
		VCS:          vc,
		Asker:        &Asker{},
		Out:          &out,
		Err:          &errb,
		Display:      DisplayLines,
		WatchCommand: "osg-build watch-task",
		TaskURL:      func(id int) string { return "https://koji.example.org/koji/taskinfo?taskID=" + itoa(id) },
		Sleep:        func(ctx context.Context, d time.Duration) error { return ctx.Err() },
		Random:       func() string { return "abcdefgh" },
		Now:          func() time.Time { return time.Unix(1700000000, 0) },
	}, &out, &errb
}

func itoa(i int) string { return strconv.Itoa(i) }

// TestRunChain builds app (which needs libfoo-devel) and libfoo with
// --chain: libfoo is built first, the chain waits for its repo, then app;
// --getfiles and --regen-repos act after the builds.
func TestRunChain(t *testing.T) {
	co, vc := svnPackages(t, map[string]string{"libfoo": specLibfoo, "app": specApp, "tool": specTool})
	h := newSimHub()
	env, out, errb := simEnv(h, vc)
	results := filepath.Join(t.TempDir(), "_build_results")
	o := &Options{Args: []string{filepath.Join(co, "app"), filepath.Join(co, "libfoo"), filepath.Join(co, "tool")},
		Chain: true, GetFiles: true, RegenRepos: true, ResultsDir: results,
		Targets: targets.Request{Repo: "25-main", Dvers: []string{"el9"}}}
	rep, err := Run(context.Background(), env, o)
	if err != nil {
		t.Fatalf("%v\n%s", err, errb.String())
	}
	var got []string
	for _, j := range rep.Jobs {
		got = append(got, j.Name+"="+j.State+"="+j.NVR)
	}
	want := "libfoo=CLOSED=libfoo-1-1.osg25.el9 tool=CLOSED=tool-1-1.osg25.el9 app=CLOSED=app-1-1.osg25.el9"
	if strings.Join(got, " ") != want {
		t.Errorf("jobs = %q, want %q", strings.Join(got, " "), want)
	}
	es := errb.String()
	for _, w := range []string{
		"Chain group 1 of 2: libfoo (el9), tool (el9)",
		"Chain group 2 of 2: app (el9)",
		"Waiting for a repo of osg-25-main-el9-build with libfoo-1-1.osg25.el9, tool-1-1.osg25.el9",
		"Got repo ",
		"Adding package app to tag osg-el9 (owner packager)",
		"Task info: https://koji.example.org/koji/taskinfo?taskID=1",
		"Regenerating the repo of osg-25-main-el9-build",
	} {
		if !strings.Contains(es, w) {
			t.Errorf("stderr lacks %q:\n%s", w, es)
		}
	}
	if len(h.added) != 3 || h.added[0] != "osg-el9/libfoo/packager" {
		t.Errorf("package list additions = %q", h.added)
	}
	// app was submitted only after libfoo's repo was READY.
	appTask := rep.Jobs[2].TaskID
	if appTask <= rep.Jobs[0].TaskID+1 {
		t.Errorf("app task %d created with the first group", appTask)
	}
	rpm := filepath.Join(results, "osg-25-main-el9-x86_64", "libfoo-1-1.osg25.el9.noarch.rpm")
	if b, err := os.ReadFile(rpm); err != nil || string(b) != "RPM libfoo-1-1.osg25.el9" {
		t.Errorf("getfiles: %v %q", err, b)
	}
	if _, err := os.Stat(filepath.Join(results, "osg-25-main-el9-x86_64", "libfoo-1-1.osg25.el9.src.rpm")); err == nil {
		t.Errorf("getfiles downloaded the SRPM")
	}
	if len(h.newRepos) != 1 || h.newRepos[0] != "osg-25-main-el9-build" {
		t.Errorf("newRepo calls = %q", h.newRepos)
	}
	if err := WriteSummary(out, errb, rep, func() TableWriter { return iostreams.NewTablePrinterTo(out, false) }, false); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "libfoo\tel9\tosg-25-main-el9\t1\tCLOSED\tlibfoo-1-1.osg25.el9\n") {
		t.Errorf("summary:\n%s", out.String())
	}
}

// TestRunFailure builds two SRPMs as scratch builds; one fails on a missing
// BuildRequires: the summary says which, and the report has the failure.
func TestRunFailure(t *testing.T) {
	dir := t.TempDir()
	var args []string
	for _, n := range []string{"good-1-1.src.rpm", "broken-1-1.src.rpm"} {
		p := filepath.Join(dir, n)
		if err := os.WriteFile(p, []byte("srpm "+n), 0o644); err != nil {
			t.Fatal(err)
		}
		args = append(args, p)
	}
	h := newSimHub()
	h.fail["broken"] = rootLogMissing
	env, out, errb := simEnv(h, vcs.Default())
	o := &Options{Args: args, Scratch: true, ArchOverride: "x86_64", Targets: targets.Request{Repo: "25-main", Dvers: []string{"el9"}}}
	rep, err := Run(context.Background(), env, o)
	if err != nil {
		t.Fatal(err)
	}
	if len(h.uploads) != 2 || string(h.uploads["cli-build/1700000000.000000.abcdefgh/good-1-1.src.rpm"]) != "srpm good-1-1.src.rpm" {
		t.Errorf("uploads = %v", h.uploads)
	}
	f := rep.Failed()
	if len(f) != 1 || f[0].Name != "broken" || f[0].State != "FAILED" {
		t.Fatalf("failed = %+v", f)
	}
	d := f[0].Diagnosis
	if d == nil || d.Kind != MissingBuildRequires || d.Missing[0] != "voms-devel >= 2.1" {
		t.Fatalf("diagnosis = %+v", d)
	}
	if err := WriteSummary(out, errb, rep, func() TableWriter { return iostreams.NewTablePrinterTo(out, false) }, false); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(errb.String(), "broken (el9, task 2) failed: missing BuildRequires: voms-devel >= 2.1") ||
		!strings.Contains(errb.String(), "from task 4 root.log:") {
		t.Errorf("stderr:\n%s", errb.String())
	}
	if !strings.Contains(out.String(), "broken\tel9\tosg-25-main-el9\t2\tFAILED\tbroken-1-1.osg25.el9\n") {
		t.Errorf("summary:\n%s", out.String())
	}
	// JSON results: one object per line.
	out.Reset()
	if err := WriteSummary(out, errb, rep, nil, true); err != nil {
		t.Fatal(err)
	}
	if lines := strings.Split(strings.TrimSpace(out.String()), "\n"); len(lines) != 2 ||
		!strings.Contains(lines[1], `"event":"build","package":"broken"`) || !strings.Contains(lines[1], `"kind":"missing-buildrequires"`) {
		t.Errorf("json:\n%s", out.String())
	}
}

// TestRunChainStopsAfterFailure: a failed group skips the later ones.
func TestRunChainStopsAfterFailure(t *testing.T) {
	co, vc := svnPackages(t, map[string]string{"libfoo": specLibfoo, "app": specApp})
	h := newSimHub()
	h.fail["libfoo"] = rootLogStale
	env, _, errb := simEnv(h, vc)
	o := &Options{Args: []string{filepath.Join(co, "app"), filepath.Join(co, "libfoo")}, Chain: true,
		Targets: targets.Request{Repo: "25-main", Dvers: []string{"el9"}}}
	rep, err := Run(context.Background(), env, o)
	if err != nil {
		t.Fatalf("%v\n%s", err, errb.String())
	}
	if rep.Jobs[0].State != "FAILED" || rep.Jobs[0].Diagnosis.Kind != StaleRepo || rep.Jobs[1].State != "SKIPPED" {
		t.Errorf("jobs = %+v %+v", rep.Jobs[0], rep.Jobs[1])
	}
	if !strings.Contains(rep.Jobs[0].Diagnosis.Advice, "osg-build regen-repo osg-25-main-el9-build") {
		t.Errorf("advice = %q", rep.Jobs[0].Diagnosis.Advice)
	}
}

// TestRunInterrupted: Ctrl-C stops watching and says how to resume.
func TestRunInterrupted(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "good-1-1.src.rpm")
	if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	h := newSimHub()
	env, _, _ := simEnv(h, vcs.Default())
	ctx, cancel := context.WithCancel(context.Background())
	env.Sleep = func(c context.Context, d time.Duration) error { cancel(); return c.Err() }
	_, err := Run(ctx, env, &Options{Args: []string{p}, Scratch: true, Targets: targets.Request{Repo: "25-main", Dvers: []string{"el9"}}})
	var ie *InterruptedError
	if !errors.As(err, &ie) || ie.Resume() != "osg-build watch-task 1" {
		t.Fatalf("err = %v", err)
	}
}

// TestRunUsage checks the refusals that need no hub.
func TestRunUsage(t *testing.T) {
	env, _, _ := simEnv(newSimHub(), vcs.Default())
	for _, tt := range []struct {
		o    Options
		want string
	}{
		{Options{Args: []string{"x.src.rpm"}}, "non-scratch builds come from source control only"},
		{Options{Args: []string{"d"}, ArchOverride: "x86_64"}, "only for scratch builds"},
		{Options{Args: []string{"d"}, Chain: true, NoWait: true}, "cannot be used with --nowait"},
		{Options{Args: []string{"d"}, Chain: true, Scratch: true}, "scratch builds never reach the repo"},
		{Options{Args: []string{"https://example.org/svn/x"}, Scratch: true}, "add --vcs"},
	} {
		_, err := Run(context.Background(), env, &tt.o)
		var ue *UsageError
		if !errors.As(err, &ue) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%+v: err = %v, want usage error %q", tt.o, err, tt.want)
		}
	}
}

// TestRunForcedBackground: five packages go to the background (priority
// +5), as osg-build does, and the user is told.
func TestRunForcedBackground(t *testing.T) {
	dir := t.TempDir()
	var args []string
	for _, n := range []string{"a", "b", "c", "d", "e"} {
		p := filepath.Join(dir, n+"-1-1.src.rpm")
		if err := os.WriteFile(p, []byte(n), 0o644); err != nil {
			t.Fatal(err)
		}
		args = append(args, p)
	}
	h := newSimHub()
	env, _, errb := simEnv(h, vcs.Default())
	rep, err := Run(context.Background(), env, &Options{Args: args, Scratch: true, Targets: targets.Request{Repo: "25-main", Dvers: []string{"el9"}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Failed()) != 0 || len(h.prios) != 5 {
		t.Fatalf("failed %v, builds %d", rep.Failed(), len(h.prios))
	}
	for _, p := range h.prios {
		if p != BackgroundPriority {
			t.Errorf("priorities = %v, want all %d", h.prios, BackgroundPriority)
			break
		}
	}
	if !strings.Contains(errb.String(), "Building 5 packages: submitting them in the background (priority +5)") {
		t.Errorf("stderr:\n%s", errb.String())
	}
	// One watch for all five: every poll is one multiCall.
	if h.multi > 5 {
		t.Errorf("%d multiCalls for one watch of 5 builds", h.multi)
	}
}
