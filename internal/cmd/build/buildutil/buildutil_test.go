package buildutil

import (
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/osg-htc/osg-build-go/internal/packaging"
)

func TestDvers(t *testing.T) {
	tests := []struct {
		args    []string
		want    string
		wantErr string
	}{
		{[]string{"--el9"}, "el9", ""},
		{[]string{"--el10", "--el8"}, "el8,el10", ""},
		{[]string{"--redhat-release", "8", "--el9"}, "el8,el9", ""},
		{[]string{"--redhat-release", "9.4", "--el9"}, "el9", ""},
		{[]string{"--el7"}, "el7", ""},
		{nil, packaging.DefaultDver(), ""},
		{[]string{"--redhat-release", "5"}, "", "invalid --redhat-release"},
	}
	for _, tt := range tests {
		var fl Flags
		cmd := &cobra.Command{Use: "x", RunE: func(*cobra.Command, []string) error { return nil }}
		AddFlags(cmd, &fl)
		if err := cmd.ParseFlags(tt.args); err != nil {
			t.Fatal(err)
		}
		got, err := fl.Dvers()
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("%v: error %v, want %q", tt.args, err, tt.wantErr)
			}
			continue
		}
		if err != nil || strings.Join(got, ",") != tt.want {
			t.Errorf("%v: %v, %v; want %s", tt.args, got, err, tt.want)
		}
	}
}

func TestParseCachePrefixes(t *testing.T) {
	got, err := ParseCachePrefixes([]string{"https://a.example/upstream/", "file:///srv/cache", "/srv/other", "AUTO"})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, " ") != "https://a.example/upstream file:///srv/cache file:///srv/other" {
		t.Errorf("got %q", got)
	}
	for _, bad := range []string{"ftp://x/y", "relative/dir", "file://relative"} {
		if _, err := ParseCachePrefixes([]string{bad}); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

func TestPackageDirs(t *testing.T) {
	got, err := PackageDirs([]string{"a", "b"})
	if err != nil || strings.Join(got, ",") != "a,b" {
		t.Errorf("PackageDirs(a b) = %v, %v", got, err)
	}
	got, err = PackageDirs(nil)
	if err != nil || len(got) != 1 {
		t.Errorf("PackageDirs() = %v, %v", got, err)
	}
}
