package promote

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/osg-htc/osg-build-go/internal/cmd/kojibuild/kbutil"
	"github.com/osg-htc/osg-build-go/internal/cmdutil"
	"github.com/osg-htc/osg-build-go/internal/iostreams"
	"github.com/osg-htc/osg-build-go/internal/promote"
	"github.com/osg-htc/osg-build-go/pkg/hub"
	"github.com/osg-htc/osg-build-go/pkg/koji"
)

// promoteHub is an embedded hub made by hub init (the osg-25 preset and its
// promoter.ini) with foo-1-1 in el9 development.
func promoteHub(t *testing.T) (*cmdutil.LocalHub, func(string) string) {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	if _, err := hub.Init(ctx, dir, hub.InitOptions{Preset: "osg-25", LocalUser: "tester"}); err != nil {
		t.Fatal(err)
	}
	// (as the hub init command does)
	must(t, os.WriteFile(filepath.Join(dir, promote.HubFileName), promote.HubINI("25", []string{"el8", "el9", "el10"}), 0o644))
	lh, err := cmdutil.OpenLocalHub(ctx, dir, hub.WithLocalUser("tester"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { lh.Close() })
	id, err := lh.CreateEmptyBuild(ctx, "foo", "1", "1.osg25.el9", nil, koji.CreateEmptyBuildOpts{})
	must(t, err)
	must(t, lh.PackageListAdd(ctx, koji.ByName("osg-el9"), koji.ByName("foo"), koji.PackageListAddOpts{Owner: koji.ByName("tester")}))
	must(t, lh.TagBuildBypass(ctx, koji.ByName("osg-25-main-el9-development"), koji.ByID(id), koji.TagBuildBypassOpts{}))
	env := map[string]string{cmdutil.EnvHub: "local:" + dir, "XDG_CONFIG_HOME": t.TempDir(), "HOME": t.TempDir()}
	return lh, func(k string) string { return env[k] }
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// run runs promote -r 25-testing --el9-only foo on a terminal.
func run(ctx context.Context, t *testing.T, lh *cmdutil.LocalHub, getenv func(string) string, in io.Reader, confirm func(context.Context, string) (bool, error)) (string, string, error) {
	t.Helper()
	ios, stdin, out, errOut := iostreams.Test()
	ios.SetTTY(true, true, true)
	if in != nil {
		ios.In = io.NopCloser(in)
	} else {
		stdin.Reset()
	}
	o := &Options{
		Common:  kbutil.Common{IO: ios, Getenv: getenv, Now: time.Now, Hub: func(context.Context) (koji.Hub, error) { return lh, nil }, Poll: 10 * time.Millisecond},
		Routes:  []string{"25-testing"},
		Args:    []string{"foo"},
		Dvers:   promote.DverFlags{Only: "el9"},
		NoSign:  true,
		Confirm: confirm,
	}
	err := promoteRun(ctx, o)
	return out.String(), errOut.String(), err
}

func tagged(t *testing.T, lh *cmdutil.LocalHub) int {
	t.Helper()
	l, err := lh.ListTagged(context.Background(), koji.ByName("osg-25-main-el9-testing"), koji.ListTaggedOpts{})
	must(t, err)
	return len(l)
}

func exitCode(err error) int {
	var ee *cmdutil.ExitError
	if errors.As(err, &ee) {
		return ee.Code
	}
	if errors.Is(err, cmdutil.ErrSilent) {
		return 1
	}
	if err != nil {
		return -1
	}
	return 0
}

func TestPromptAnswers(t *testing.T) {
	lh, getenv := promoteHub(t)
	ctx := context.Background()
	var asked string
	no := func(_ context.Context, q string) (bool, error) { asked = q; return false, nil }

	out, _, err := run(ctx, t, lh, getenv, nil, no)
	if exitCode(err) != 1 || !strings.Contains(out, "Not proceeding.") || asked != "Proceed with promoting the builds?" {
		t.Errorf("no: exit %d (%v), asked %q\n%s", exitCode(err), err, asked, out)
	}
	if n := tagged(t, lh); n != 0 {
		t.Fatalf("declined, but %d builds were tagged", n)
	}

	canceled := func(context.Context, string) (bool, error) { return false, context.Canceled }
	out, _, err = run(ctx, t, lh, getenv, nil, canceled)
	if exitCode(err) != 3 || !strings.Contains(out, "Canceled.") {
		t.Errorf("canceled: exit %d (%v)\n%s", exitCode(err), err, out)
	}

	// the terminal's question itself: an answer, then end of input
	out, errOut, err := run(ctx, t, lh, getenv, strings.NewReader("n\n"), nil)
	if exitCode(err) != 1 || !strings.Contains(errOut, "Proceed with promoting the builds? [y/N] ") || !strings.Contains(out, "Not proceeding.") {
		t.Errorf("typed n: exit %d (%v)\n%s%s", exitCode(err), err, out, errOut)
	}
	out, _, err = run(ctx, t, lh, getenv, strings.NewReader(""), nil)
	if exitCode(err) != 3 || !strings.Contains(out, "Canceled.") {
		t.Errorf("end of input: exit %d (%v)\n%s", exitCode(err), err, out)
	}
	if n := tagged(t, lh); n != 0 {
		t.Fatalf("nothing was confirmed, but %d builds were tagged", n)
	}

	out, _, err = run(ctx, t, lh, getenv, strings.NewReader("y\n"), nil)
	if err != nil || !strings.Contains(out, "Promoted foo-1-1 to osg-25-main-el*-testing") {
		t.Errorf("typed y: %v\n%s", err, out)
	}
	if n := tagged(t, lh); n != 1 {
		t.Errorf("confirmed, %d builds tagged, want 1", n)
	}
}

// Ctrl-C while the question waits: the context is canceled (the CLI's
// signal handler), the read is abandoned, exit 3, nothing tagged.
func TestPromptCtrlC(t *testing.T) {
	lh, getenv := promoteHub(t)
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe() // a terminal nobody types on
	defer pw.Close()
	go func() {
		time.Sleep(100 * time.Millisecond)
		cancel()
	}()
	done := make(chan struct{})
	var out string
	var err error
	go func() {
		out, _, err = run(ctx, t, lh, getenv, pr, nil)
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the prompt did not return after Ctrl-C")
	}
	if exitCode(err) != 3 || !strings.Contains(out, "Canceled.") {
		t.Errorf("Ctrl-C: exit %d (%v)\n%s", exitCode(err), err, out)
	}
	if n := tagged(t, lh); n != 0 {
		t.Errorf("canceled, but %d builds were tagged", n)
	}
}

// Off a terminal there is no question.
func TestNoPromptOffTerminal(t *testing.T) {
	lh, getenv := promoteHub(t)
	ios, _, out, _ := iostreams.Test()
	o := &Options{
		Common: kbutil.Common{IO: ios, Getenv: getenv, Now: time.Now, Hub: func(context.Context) (koji.Hub, error) { return lh, nil }, Poll: 10 * time.Millisecond},
		Routes: []string{"25-testing"}, Args: []string{"foo"}, Dvers: promote.DverFlags{Only: "el9"},
		Confirm: func(context.Context, string) (bool, error) { t.Error("asked off a terminal"); return false, nil },
	}
	if err := promoteRun(context.Background(), o); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if n := tagged(t, lh); n != 1 {
		t.Errorf("%d builds tagged, want 1\n%s", n, out)
	}
}
