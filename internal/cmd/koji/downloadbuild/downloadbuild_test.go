package downloadbuild

import (
	"strings"
	"testing"

	"github.com/osg-htc/osg-build-go/internal/cmd/koji/shared/kojicmdtest"
	"github.com/osg-htc/osg-build-go/internal/cmdutil"
)

func TestIsDebuginfo(t *testing.T) {
	for name, want := range map[string]bool{
		"foo-debuginfo": true, "foo-debugsource": true, "foo-debuginfo-common": true,
		"foo": false, "debuginfo-install": false, "foo-devel": false,
	} {
		if got := isDebuginfo(name); got != want {
			t.Errorf("isDebuginfo(%q) = %v", name, got)
		}
	}
}

func TestFlags(t *testing.T) {
	e := kojicmdtest.New(t)
	for _, tc := range []struct {
		args    []string
		wantErr string
	}{
		{[]string{}, "please specify a package N-V-R or build ID"},
		{[]string{"--rpm", "--task-id", "1"}, "cannot be used together"},
		{[]string{"--latestfrom", "t", "--rpm", "x"}, "cannot be used together"},
		{[]string{"--arch", "noarch", "--arch", "src", "--debuginfo", "foo-1-1"}, ""},
	} {
		var got *DownloadBuildOptions
		cmd := NewCmdDownloadBuild(&cmdutil.Factory{IOStreams: e.IO}, func(o *DownloadBuildOptions) error { got = o; return nil })
		cmd.SetArgs(tc.args)
		cmd.SetOut(e.ErrOut)
		cmd.SetErr(e.ErrOut)
		err := cmd.Execute()
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("%v: err = %v, want %q", tc.args, err, tc.wantErr)
			}
			continue
		}
		if err != nil || got.Build != "foo-1-1" || len(got.Arches) != 2 || !got.Debuginfo {
			t.Errorf("%v: %v, %+v", tc.args, err, got)
		}
	}
}
