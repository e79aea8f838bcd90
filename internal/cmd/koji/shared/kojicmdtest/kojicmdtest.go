// Package kojicmdtest gives the tests of the osg-koji verbs an embedded hub
// in a temporary directory and test streams.
package kojicmdtest

import (
	"bytes"
	"context"
	"sync"
	"testing"
	"time"

	"github.com/osg-htc/osg-build-go/internal/cmd/koji/shared"
	"github.com/osg-htc/osg-build-go/internal/cmdutil"
	"github.com/osg-htc/osg-build-go/internal/iostreams"
	"github.com/osg-htc/osg-build-go/pkg/hub"
	"github.com/osg-htc/osg-build-go/pkg/koji"
)

// User is the local admin of the test hubs.
const User = "tester"

// Env is a test hub with streams.
type Env struct {
	Hub    *cmdutil.LocalHub
	Out    *bytes.Buffer
	ErrOut *bytes.Buffer
	IO     *iostreams.IOStreams
}

// clock is a fixed clock that advances one second per reading, so events
// are ordered and outputs stable.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(time.Second)
	return c.t
}

// New opens an embedded hub in t.TempDir() (local user User, a clock
// starting at 2026-01-02 03:04:05 UTC) and test streams.
func New(t testing.TB) *Env {
	t.Helper()
	c := &clock{t: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	h, err := hub.Open(context.Background(), t.TempDir(), hub.WithLocalUser(User), hub.WithClock(c.now))
	if err != nil {
		t.Fatalf("opening the test hub: %v", err)
	}
	t.Cleanup(func() { h.Close() })
	ios, _, out, errOut := iostreams.Test()
	return &Env{Hub: &cmdutil.LocalHub{Hub: h}, Out: out, ErrOut: errOut, IO: ios}
}

// Common returns the options every verb has, bound to the env.
func (e *Env) Common() shared.Common {
	return shared.Common{IO: e.IO, Hub: func(context.Context) (koji.Hub, error) { return e.Hub, nil }}
}

// Reset empties the output buffers.
func (e *Env) Reset() {
	e.Out.Reset()
	e.ErrOut.Reset()
}

// Must fails the test on err.
func Must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// Tag creates a tag (with optional parent).
func (e *Env) Tag(t testing.TB, name, parent, arches string) int {
	t.Helper()
	opts := koji.CreateTagOpts{Arches: arches}
	if parent != "" {
		opts.Parent = koji.ByName(parent)
	}
	id, err := e.Hub.CreateTag(context.Background(), name, opts)
	Must(t, err)
	return id
}

// Build creates an empty COMPLETE build N-V-R and adds the package to tag's
// list (when tag is not "").
func (e *Env) Build(t testing.TB, tag, name, version, release string) int {
	t.Helper()
	ctx := context.Background()
	if tag != "" {
		Must(t, e.Hub.PackageListAdd(ctx, koji.ByName(tag), koji.ByName(name), koji.PackageListAddOpts{Owner: koji.ByName(User)}))
	}
	id, err := e.Hub.CreateEmptyBuild(ctx, name, version, release, nil, koji.CreateEmptyBuildOpts{})
	Must(t, err)
	return id
}

// TagBuild tags an existing build.
func (e *Env) TagBuild(t testing.TB, tag, nvr string) {
	t.Helper()
	_, err := e.Hub.TagBuild(context.Background(), koji.ByName(tag), koji.ByName(nvr), koji.TagBuildOpts{})
	Must(t, err)
}

// Factory returns a Factory whose Hub is the env's hub.
func (e *Env) Factory() *cmdutil.Factory {
	return &cmdutil.Factory{
		IOStreams: e.IO,
		Now:       func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) },
		Getenv:    func(string) string { return "" },
		Hub:       func(context.Context) (koji.Hub, error) { return e.Hub, nil },
	}
}

// Exec runs cmd with args (silencing cobra's own printing) and returns its
// error.
func Exec(cmd interface {
	SetArgs([]string)
	Execute() error
}, args ...string) error {
	if args == nil {
		args = []string{} // nil would make cobra read os.Args
	}
	cmd.SetArgs(args)
	return cmd.Execute()
}
