package kbutil

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/osg-htc/osg-build-go/internal/cmdutil"
	"github.com/osg-htc/osg-build-go/internal/iostreams"
	"github.com/osg-htc/osg-build-go/internal/kojibuild"
	"github.com/osg-htc/osg-build-go/pkg/koji"
)

type locHub struct {
	koji.Hub
	loc  string
	poll time.Duration
}

func (h locHub) Location() string            { return h.loc }
func (h locHub) PollInterval() time.Duration { return h.poll }

func TestCommon(t *testing.T) {
	ios, _, _, errb := iostreams.Test()
	home := t.TempDir()
	c := &Common{IO: ios, Getenv: func(k string) string {
		if k == "HOME" {
			return home
		}
		return ""
	}}
	if d := c.Display(); d != kojibuild.DisplayLines {
		t.Errorf("piped display = %v", d)
	}
	ios.SetTTY(false, true, true)
	if d := c.Display(); d != kojibuild.DisplayTree {
		t.Errorf("terminal display = %v", d)
	}
	c.JSON = true
	if d := c.Display(); d != kojibuild.DisplayJSON {
		t.Errorf("json display = %v", d)
	}
	if got := c.WatchCommand(); got != "osg-build watch-task" {
		t.Errorf("watch command = %q", got)
	}
	c.HubFlag = "local:/h"
	if got := c.WatchCommand(); got != "osg-build --hub local:/h watch-task" {
		t.Errorf("watch command = %q", got)
	}
	if got := c.TaskURL(locHub{loc: "local:/h"})(5); got != "osg-build --hub local:/h osg-koji taskinfo -r 5" {
		t.Errorf("local task url = %q", got)
	}
	c.HubFlag = ""
	if got := c.TaskURL(locHub{loc: "https://koji.example.org/kojihub"})(7); got != "https://koji.example.org/koji/taskinfo?taskID=7" {
		t.Errorf("remote task url = %q", got)
	}
	if got := c.Interval(locHub{poll: 200 * time.Millisecond}); got != 200*time.Millisecond {
		t.Errorf("interval = %v", got)
	}
	c.Poll = time.Second
	if got := c.Interval(locHub{poll: 200 * time.Millisecond}); got != time.Second {
		t.Errorf("--poll-interval = %v", got)
	}
	var fe *cmdutil.FlagError
	if err := c.Exit(&kojibuild.UsageError{Msg: "bad"}); !errors.As(err, &fe) {
		t.Errorf("usage error = %v", err)
	}
	if err := c.Exit(&kojibuild.InterruptedError{Tasks: []int{3, 4}, Command: "osg-build watch-task"}); !errors.Is(err, cmdutil.ErrCancel) {
		t.Errorf("interrupt = %v", err)
	}
	if !strings.Contains(errb.String(), "Resume watching with: osg-build watch-task 3 4") {
		t.Errorf("stderr = %q", errb.String())
	}
}
