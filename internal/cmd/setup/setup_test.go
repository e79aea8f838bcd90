package setup

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/osg-htc/osg-build-go/internal/cmdutil"
	"github.com/osg-htc/osg-build-go/internal/iostreams"
)

// Off a terminal, setup never asks: a missing --authtype is a usage error
// naming the flag.
func TestNoTTYUsageError(t *testing.T) {
	ios, _, _, _ := iostreams.Test()
	home := t.TempDir()
	o := &Options{IO: ios, AuthType: "ask", Getenv: func(k string) string {
		if k == "HOME" {
			return home
		}
		return ""
	}}
	err := Run(context.Background(), o)
	var fe *cmdutil.FlagError
	if !errors.As(err, &fe) || !strings.Contains(err.Error(), "--authtype") {
		t.Fatalf("got %v, want a usage error naming --authtype", err)
	}
	if m, _ := filepath.Glob(filepath.Join(home, ".osg-koji", "*")); len(m) != 0 {
		t.Errorf("wrote %v before the usage error", m)
	}
}
