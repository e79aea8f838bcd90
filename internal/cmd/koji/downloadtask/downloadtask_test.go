package downloadtask

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/osg-htc/osg-build-go/internal/cmd/koji/shared/kojicmdtest"
	"github.com/osg-htc/osg-build-go/pkg/koji"
)

func TestSelectFiles(t *testing.T) {
	tasks := []koji.TaskInfo{{ID: 1, Method: "build", Arch: "noarch"}, {ID: 2, Method: "buildArch", Arch: "x86_64"}, {ID: 3, Method: "tagBuild", Arch: "noarch"}}
	out := map[int][]koji.TaskOutputFile{
		1: {{Name: "foo-1-1.src.rpm"}},
		2: {{Name: "foo-1-1.x86_64.rpm"}, {Name: "foo-doc-1-1.noarch.rpm"}, {Name: "build.log"}, {Name: "mock_config.cfg", Volumes: []string{"DEFAULT", "vol2"}}},
		3: {{Name: "other.txt"}},
	}
	for _, tc := range []struct {
		opts TaskOptions
		want string
	}{
		{TaskOptions{}, "1:foo-1-1.src.rpm 2:foo-1-1.x86_64.rpm 2:foo-doc-1-1.noarch.rpm"},
		{TaskOptions{Arches: []string{"x86_64,src"}}, "1:foo-1-1.src.rpm 2:foo-1-1.x86_64.rpm"},
		{TaskOptions{Logs: true, Skip: []string{`\.rpm$`}}, "2:build.x86_64.log"},
		{TaskOptions{All: true, Filter: []string{"o", `^[mo]`}}, "2:mock_config.x86_64.cfg 2:mock_config.x86_64.cfg@vol2 3:other.noarch.txt"},
		{TaskOptions{DirPerTask: true, Logs: true, Filter: []string{"x86_64|log"}}, "2:2/foo-1-1.x86_64.rpm 2:2/build.log"},
	} {
		o := tc.opts
		got, err := selectFiles(&o, tasks, out)
		kojicmdtest.Must(t, err)
		var s []string
		for _, d := range got {
			e := strconv.Itoa(d.TaskID) + ":" + d.Dest
			if d.Volume != "DEFAULT" {
				e += "@" + d.Volume
			}
			s = append(s, e)
		}
		if strings.Join(s, " ") != tc.want {
			t.Errorf("%+v: %s, want %s", tc.opts, strings.Join(s, " "), tc.want)
		}
	}
	o := TaskOptions{Filter: []string{"("}}
	if _, err := selectFiles(&o, tasks, out); err == nil || !strings.Contains(err.Error(), `--filter "("`) {
		t.Errorf("bad regex: %v", err)
	}
	if p := taskRelPath(12345, "vol2", "a.log"); p != "vol/vol2/work/tasks/2345/12345/a.log" {
		t.Errorf("taskRelPath %s", p)
	}
}

// a closed task with files in its work directory
func taskWithFiles(t *testing.T, e *kojicmdtest.Env, files map[string]string) int {
	t.Helper()
	ctx := context.Background()
	e.Tag(t, "t1", "", "")
	e.Build(t, "t1", "foo", "1", "1")
	id, err := e.Hub.TagBuild(ctx, koji.ByName("t1"), koji.ByName("foo-1-1"), koji.TagBuildOpts{})
	kojicmdtest.Must(t, err)
	dir := filepath.Join(e.Hub.TopDir(), "work", "tasks", strconv.Itoa(id%10000), strconv.Itoa(id))
	kojicmdtest.Must(t, os.MkdirAll(dir, 0o755))
	for n, c := range files {
		kojicmdtest.Must(t, os.WriteFile(filepath.Join(dir, n), []byte(c), 0o644))
	}
	return id
}

func TestDownloadTask(t *testing.T) {
	e := kojicmdtest.New(t)
	id := taskWithFiles(t, e, map[string]string{"foo-1-1.noarch.rpm": "rpm", "tag.log": "log text\n"})
	ctx := context.Background()
	dir := t.TempDir()
	// a tagBuild task has no build RPMs
	o := TaskOptions{Common: e.Common(), TaskID: id, Dir: dir}
	kojicmdtest.Must(t, taskRun(ctx, &o))
	if e.Out.String() != "No files for download found.\n" {
		t.Errorf("out %q", e.Out)
	}
	o = TaskOptions{Common: e.Common(), TaskID: id, Dir: dir, All: true, Logs: true}
	kojicmdtest.Must(t, taskRun(ctx, &o))
	for n, want := range map[string]string{"foo-1-1.noarch.rpm": "rpm", "tag.noarch.log": "log text\n"} {
		if b, err := os.ReadFile(filepath.Join(dir, n)); err != nil || string(b) != want {
			t.Errorf("%s: %q %v", n, b, err)
		}
	}
	if !strings.Contains(e.ErrOut.String(), "Downloading [2/2]: tag.noarch.log") {
		t.Errorf("stderr %s", e.ErrOut)
	}
	o = TaskOptions{Common: e.Common(), TaskID: 999}
	if err := taskRun(ctx, &o); err == nil || err.Error() != "no such task: 999" {
		t.Errorf("missing task: %v", err)
	}
	kojicmdtest.Must(t, e.Hub.CancelTask(ctx, id, koji.CancelTaskOpts{}))
}

func TestDownloadLogs(t *testing.T) {
	e := kojicmdtest.New(t)
	id := taskWithFiles(t, e, map[string]string{"foo-1-1.noarch.rpm": "rpm", "tag.log": strings.Repeat("x", logChunk+10), "other.log": "o"})
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "kojilogs")
	o := LogsOptions{Common: e.Common(), Args: []string{strconv.Itoa(id)}, Dir: dir, Match: []string{"tag*"}}
	kojicmdtest.Must(t, logsRun(ctx, &o))
	logFile := filepath.Join(dir, "noarch-"+strconv.Itoa(id), "tag.log")
	if b, err := os.ReadFile(logFile); err != nil || len(b) != logChunk+10 {
		t.Errorf("tag.log: %d bytes, %v", len(b), err)
	}
	if _, err := os.Stat(filepath.Join(dir, "noarch-"+strconv.Itoa(id), "other.log")); err == nil {
		t.Errorf("other.log downloaded despite -m tag*")
	}
	// --continue appends what is missing
	kojicmdtest.Must(t, os.Truncate(logFile, 100))
	e.Reset()
	o = LogsOptions{Common: e.Common(), Args: []string{strconv.Itoa(id)}, Dir: dir, Continue: true}
	kojicmdtest.Must(t, logsRun(ctx, &o))
	if b, _ := os.ReadFile(logFile); len(b) != logChunk+10 {
		t.Errorf("after --continue: %d bytes", len(b))
	}
	if !strings.Contains(e.ErrOut.String(), "Continuing: "+logFile) || !strings.Contains(e.ErrOut.String(), "Downloading: "+filepath.Join(dir, "noarch-"+strconv.Itoa(id), "other.log")) {
		t.Errorf("stderr %s", e.ErrOut)
	}
	// --nvr: the build has no task (an empty build): its build logs
	logs := filepath.Join(e.Hub.TopDir(), "packages", "foo", "1", "1", "data", "logs", "noarch")
	kojicmdtest.Must(t, os.MkdirAll(logs, 0o755))
	kojicmdtest.Must(t, os.WriteFile(filepath.Join(logs, "build.log"), []byte("b"), 0o644))
	e.Reset()
	o = LogsOptions{Common: e.Common(), Args: []string{"foo-1-1"}, Dir: dir, NVR: true}
	o.JSON = true
	kojicmdtest.Must(t, logsRun(ctx, &o))
	if b, err := os.ReadFile(filepath.Join(dir, "foo-1-1", "noarch", "build.log")); err != nil || string(b) != "b" {
		t.Errorf("build log: %q %v (%s)", b, err, e.ErrOut)
	}
	if !strings.Contains(e.Out.String(), "build.log") || !strings.Contains(e.ErrOut.String(), "Using build ID: 1") {
		t.Errorf("json %s / %s", e.Out, e.ErrOut)
	}
	for _, tc := range []struct {
		o    LogsOptions
		want string
	}{
		{LogsOptions{Args: []string{"x"}}, "task id must be a number"},
		{LogsOptions{Args: []string{"no-1-1"}, NVR: true}, "there is no build with n-v-r: no-1-1"},
		{LogsOptions{Args: []string{"77"}}, "no such task: 77"},
		{LogsOptions{Args: []string{"1"}, Match: []string{"["}}, "--match"},
	} {
		o := tc.o
		o.Common, o.Dir = e.Common(), dir
		if err := logsRun(ctx, &o); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: %v, want %q", tc.o.Args, err, tc.want)
		}
	}
}
