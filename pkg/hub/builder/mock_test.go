package builder

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/osg-htc/osg-build-go/internal/runner"
	"github.com/osg-htc/osg-build-go/internal/testutil"
)

// fakeMock is a mock stand-in: it checks its arguments, keeps the config,
// and rebuilds the SRPM with rpmbuild into the result directory (or fails
// the way mock's dnf does when FAKE_MOCK_MISSING is set).
const fakeMock = `#!/bin/sh
set -e
while [ $# -gt 1 ]; do
  case "$1" in
    -r) cfg=$2; shift 2 ;;
    --resultdir) out=$2; shift 2 ;;
    --rebuild) shift ;;
    *) echo "fake mock: unexpected $1" >&2; exit 2 ;;
  esac
done
if [ "$1" = --scrub=all ]; then
  echo "scrub $(basename "$cfg")" >> "$FAKE_MOCK_LOG"
  exit 0
fi
srpm=$1
cp "$cfg" "$out/used.cfg"
echo "Start: build setup" > "$out/state.log"
if [ -n "$FAKE_MOCK_MISSING" ]; then
  echo "DEBUG util.py:446:  No matching package to install: '$FAKE_MOCK_MISSING'" > "$out/root.log"
  exit 30
fi
echo "installed @build" > "$out/root.log"
rpmbuild --rebuild --define "_topdir $out/tmp" "$srpm" > "$out/build.log" 2>&1
cp "$srpm" "$out/"
find "$out/tmp" -name '*.rpm' -exec mv {} "$out/" \;
rm -rf "$out/tmp"
`

func TestMockBuilderWithFakeMock(t *testing.T) {
	testutil.RequireTool(t, "rpmbuild")
	bin := t.TempDir()
	if err := os.WriteFile(filepath.Join(bin, "mock"), []byte(fakeMock), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	mockLog := filepath.Join(bin, "calls")
	t.Setenv("FAKE_MOCK_LOG", mockLog)
	if b, _ := Default(""); b.Name() != "mock" {
		t.Errorf("Default with mock on PATH = %s", b.Name())
	}
	// an SRPM
	src := t.TempDir()
	spec := filepath.Join(src, "m.spec")
	os.WriteFile(spec, []byte("Name: m\nVersion: 1\nRelease: 1\nSummary: m\nLicense: MIT\nBuildArch: noarch\n\n%description\nm\n\n%files\n"), 0o644)
	if _, err := runner.Run(context.Background(), runner.Cmd{Name: "rpmbuild", Args: []string{"-bs", "--define", "_topdir " + src, "--define", "_srcrpmdir " + src, spec}}); err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	job := Job{SRPM: filepath.Join(src, "m-1-1.src.rpm"), Arch: "noarch", TaskID: 7, OutDir: out, WorkDir: filepath.Join(t.TempDir(), "w"),
		Macros: map[string]string{"dist": ".osg25.el9"}, Repo: RepoRef{ID: 3, Tag: "t-build", BaseURL: "file:///hub/topdir/repos/t-build/3/x86_64"}}
	res, err := (&Mock{}).Build(context.Background(), job)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.RPMs) != 1 || !strings.HasSuffix(res.RPMs[0], "m-1-1.noarch.rpm") || len(res.SRPMs) != 1 {
		t.Errorf("results %+v", res)
	}
	for _, l := range []string{"build.log", "root.log", "state.log", "mock_output.log"} {
		if !contains(res.Logs, filepath.Join(out, l)) {
			t.Errorf("logs %v lack %s", res.Logs, l)
		}
	}
	cfg, _ := os.ReadFile(filepath.Join(out, "used.cfg"))
	for _, want := range []string{"config_opts['root'] = 't-build-7-3'", "config_opts['macros']['%dist'] = '.osg25.el9'",
		`baseurl=file:///hub/topdir/repos/t-build/3/x86_64\n`, "# Koji buildroot id: 7"} {
		if !strings.Contains(string(cfg), want) {
			t.Errorf("config lacks %q:\n%s", want, cfg)
		}
	}
	if _, err := os.Stat(job.WorkDir); !os.IsNotExist(err) {
		t.Errorf("work directory left: %v", err)
	}
	// the chroot is in mock's basedir, and mock scrubs it afterwards
	if !strings.Contains(string(cfg), "config_opts['basedir'] = '/var/lib/mock'") {
		t.Errorf("basedir:\n%s", cfg)
	}
	if calls, _ := os.ReadFile(mockLog); string(calls) != "scrub t-build-7-3.cfg\n" {
		t.Errorf("mock calls after the build: %q", calls)
	}
	// a missing BuildRequires: the requirement from root.log
	t.Setenv("FAKE_MOCK_MISSING", "foo-devel >= 2")
	_, err = (&Mock{}).Build(context.Background(), Job{SRPM: job.SRPM, Arch: "noarch", TaskID: 8, OutDir: t.TempDir(), WorkDir: filepath.Join(t.TempDir(), "w"), Repo: job.Repo})
	be, ok := err.(*BuildError)
	if !ok || len(be.Missing) != 1 || be.Missing[0] != "foo-devel >= 2" || !strings.Contains(be.Error(), "No matching package to install: 'foo-devel >= 2'") {
		t.Errorf("error %v", err)
	}
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}
