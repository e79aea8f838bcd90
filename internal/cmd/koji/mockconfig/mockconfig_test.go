package mockconfig

import (
	"testing"

	"github.com/osg-htc/osg-build-go/internal/cmd/koji/shared/kojicmdtest"
)

func Test_NewCmdMockConfig(t *testing.T) {
	e := kojicmdtest.New(t)
	var got *MockConfigOptions
	for _, tt := range []struct {
		args []string
		ok   bool
		name string
	}{
		{[]string{"--tag", "t-build", "--arch", "x86_64"}, true, ""},
		{[]string{"--target", "t", "-a", "aarch64", "mycfg"}, true, "mycfg"},
		{[]string{"--tag", "t-build", "--arch", "x86_64", "-n", "x", "y"}, false, ""},
		{[]string{"--tag", "t-build"}, false, ""},
		{[]string{"--arch", "x86_64"}, false, ""},
		{[]string{"--tag", "t-build", "--target", "t", "--arch", "x86_64"}, false, ""},
	} {
		got = nil
		c := NewCmdMockConfig(e.Factory(), func(o *MockConfigOptions) error { got = o; return nil })
		err := kojicmdtest.Exec(c, tt.args...)
		if tt.ok != (err == nil) {
			t.Errorf("%v: err = %v", tt.args, err)
			continue
		}
		if tt.ok && (got == nil || got.Name != tt.name || got.Distribution != "Koji Testing") {
			t.Errorf("%v: options %+v", tt.args, got)
		}
	}
}
