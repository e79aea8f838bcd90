package runner

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/osg-htc/osg-build-go/internal/testutil"
)

func TestRunOutputAndLocale(t *testing.T) {
	testutil.RequireTool(t, "sh")
	res, err := Run(context.Background(), Cmd{Name: "sh", Args: []string{"-c", `echo "out $LC_ALL"; echo err >&2`}})
	if err != nil {
		t.Fatal(err)
	}
	if string(res.Stdout) != "out C\n" || string(res.Stderr) != "err\n" {
		t.Errorf("stdout %q stderr %q", res.Stdout, res.Stderr)
	}
	if !strings.Contains(string(res.Combined), "out C") || !strings.Contains(string(res.Combined), "err") {
		t.Errorf("combined %q", res.Combined)
	}
}

func TestRunFailureNamesProgramStatusTailAndLog(t *testing.T) {
	testutil.RequireTool(t, "sh")
	log := filepath.Join(t.TempDir(), "build.log")
	_, err := Run(context.Background(), Cmd{Name: "sh", Args: []string{"-c", "for i in $(seq 1 30); do echo line$i; done; exit 7"}, LogPath: log})
	var ee *ExitError
	if !errors.As(err, &ee) {
		t.Fatalf("err = %v, want *ExitError", err)
	}
	if ee.Status != 7 || ee.Program != "sh" {
		t.Errorf("status %d program %s", ee.Status, ee.Program)
	}
	msg := err.Error()
	for _, want := range []string{"sh exited with status 7", "line30", "full log: " + log} {
		if !strings.Contains(msg, want) {
			t.Errorf("message %q lacks %q", msg, want)
		}
	}
	if strings.Contains(msg, "line10\n") {
		t.Errorf("message keeps more than the tail: %q", msg)
	}
	b, _ := os.ReadFile(log)
	if !strings.Contains(string(b), "line1\n") {
		t.Errorf("log file lacks the full output")
	}
}

func TestRunMissingProgram(t *testing.T) {
	_, err := Run(context.Background(), Cmd{Name: "no-such-program-osg-build"})
	if err == nil || !strings.Contains(err.Error(), "not found on PATH") {
		t.Fatalf("err = %v", err)
	}
}

func TestCancelKillsProcessGroup(t *testing.T) {
	testutil.RequireTool(t, "sh", "sleep")
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	// The child sleep keeps stdout open; only killing the group ends it fast.
	_, err := Run(ctx, Cmd{Name: "sh", Args: []string{"-c", "sleep 30 & sleep 30; wait"}})
	if err == nil || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want deadline exceeded", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %v: the process group was not killed", d)
	}
}

func TestCommandLineQuoting(t *testing.T) {
	got := CommandLine("rpmbuild", "--define", "_topdir /tmp/a b", "x")
	want := `rpmbuild --define '_topdir /tmp/a b' x`
	if got != want {
		t.Errorf("got %s want %s", got, want)
	}
}
