package mock

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/osg-htc/osg-build-go/internal/cmdutil"
	"github.com/osg-htc/osg-build-go/internal/iostreams"
)

func TestNewCmdMockFlags(t *testing.T) {
	ios, _, _, _ := iostreams.Test()
	f := &cmdutil.Factory{IOStreams: ios}
	tests := []struct {
		args    []string
		check   func(*MockOptions) string
		wantErr string
	}{
		{[]string{"-m", "rocky-9", "--no-mock-clean", "--el9", "-t", "i686", "pkg"}, func(o *MockOptions) string {
			if o.MockConfig != "rocky-9" || !o.NoMockClean || o.Flags.TargetArch != "i686" || strings.Join(o.Dirs, ",") != "pkg" {
				return "options not parsed"
			}
			return ""
		}, ""},
		{[]string{"--mock-config-from-koji", "osg-25-main-el9-build", "pkg"}, func(o *MockOptions) string {
			if o.ConfigFromKoji != "osg-25-main-el9-build" || o.MockConfig != "" {
				return "options not parsed"
			}
			return ""
		}, ""},
		{[]string{"--mock-config-from-koji", "osg-25-main-el9-build", "-m", "rocky-9", "pkg"}, nil, "either -m/--mock-config or --mock-config-from-koji"},
	}
	for _, tt := range tests {
		var got *MockOptions
		cmd := NewCmdMock(f, func(_ context.Context, o *MockOptions) error { got = o; return nil })
		cmd.SetArgs(tt.args)
		err := cmd.Execute()
		if tt.wantErr != "" {
			var fe *cmdutil.FlagError
			if !errors.As(err, &fe) || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("%v: error %v, want a usage error with %q", tt.args, err, tt.wantErr)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%v: %v", tt.args, err)
		}
		if msg := tt.check(got); msg != "" {
			t.Errorf("%v: %s: %+v", tt.args, msg, got)
		}
	}
}
