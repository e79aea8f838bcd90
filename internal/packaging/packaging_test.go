package packaging

import (
	"errors"
	"os"
	"os/user"
	"path/filepath"
	"strings"
	"testing"
)

func TestGuessPackageDir(t *testing.T) {
	tests := []struct{ cwd, want string }{
		{"/src/pkg", "/src/pkg"},
		{"/src/pkg/osg", "/src/pkg"},
		{"/src/pkg/upstream", "/src/pkg"},
		{"/src/pkg/_build_results", "/src/pkg"},
		{"/src/pkg/_final_srpm_contents", "/src/pkg"},
		{"/src/pkg/_upstream_srpm_contents/sub/dir", "/src/pkg"},
		{"/src/pkg/_upstream_tarball_contents/pkg-1.0/src", "/src/pkg"},
		{"/src/pkg/_quilt/pkg-1.0", "/src/pkg"},
		{"/src/pkg/_build_results/BUILD/osg", "/src/pkg"},
		{"/src/pkg/other", "/src/pkg/other"},
		{"/src/_quilted", "/src/_quilted"},
	}
	for _, tt := range tests {
		if got := GuessPackageDir(tt.cwd); got != tt.want {
			t.Errorf("GuessPackageDir(%q) = %q, want %q", tt.cwd, got, tt.want)
		}
	}
}

func TestValidatePackageDir(t *testing.T) {
	root := t.TempDir()
	mk := func(p string) string {
		t.Helper()
		if err := os.MkdirAll(filepath.Join(root, p), 0o755); err != nil {
			t.Fatal(err)
		}
		return filepath.Join(root, p)
	}
	mk("both/osg")
	mk("both/upstream")
	mk("osgonly/osg")
	mk("uponly/upstream")
	mk("neither/src")
	if err := os.WriteFile(filepath.Join(root, "file"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		dir     string
		wantErr string
	}{
		{"both", ""},
		{"osgonly", ""},
		{"uponly", ""},
		{"neither", "has neither an osg/ nor an upstream/"},
		{"missing", "does not exist"},
		{"file", "is not a directory"},
	}
	for _, tt := range tests {
		err := ValidatePackageDir(filepath.Join(root, tt.dir))
		if tt.wantErr == "" {
			if err != nil {
				t.Errorf("%s: %v", tt.dir, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("%s: error %v, want %q", tt.dir, err, tt.wantErr)
		}
	}
	if err := ValidatePackageDir(filepath.Join(root, "neither")); !errors.Is(err, ErrNotPackageDir) {
		t.Errorf("neither: %v does not wrap ErrNotPackageDir", err)
	}
}

func TestNewLayout(t *testing.T) {
	cwd, _ := os.Getwd()
	tests := []struct{ pkg, work, wantRoot string }{
		{"pkg", "", filepath.Join(cwd, "pkg")},
		{"pkg", ".", filepath.Join(cwd, "pkg")},
		{"pkg", "/w", "/w/pkg"},
		{"../../a/pkg", "/w", "/w/a/pkg"},
		{"/abs/pkg", "/w", "/w/pkg"},
		{"..", "/w", filepath.Join("/w", filepath.Base(filepath.Dir(cwd)))},
	}
	for _, tt := range tests {
		l, err := NewLayout(tt.pkg, tt.work)
		if err != nil {
			t.Fatal(err)
		}
		if l.Root != tt.wantRoot {
			t.Errorf("NewLayout(%q, %q).Root = %q, want %q", tt.pkg, tt.work, l.Root, tt.wantRoot)
		}
	}
}

func TestLocalDver(t *testing.T) {
	tests := []struct{ osRelease, want string }{
		{"ID=\"rocky\"\nID_LIKE=\"rhel centos fedora\"\nVERSION_ID=\"8.10\"\n", "el8"},
		{"ID=almalinux\nID_LIKE=\"rhel centos fedora\"\nVERSION_ID=\"9.4\"\n", "el9"},
		{"ID=\"rhel\"\nVERSION_ID=\"10.0\"\n", "el10"},
		{"ID=\"centos\"\nID_LIKE=\"rhel fedora\"\nVERSION_ID=\"7\"\n", "el7"},
		{"ID=fedora\nVERSION_ID=40\n", "el9"},
		{"ID=debian\nVERSION_ID=\"12\"\n", "el9"},
		{"ID_LIKE=rhel\nVERSION_ID=\"6.10\"\n", "el9"},
		{"", "el9"},
	}
	for _, tt := range tests {
		if got := LocalDver(tt.osRelease); got != tt.want {
			t.Errorf("LocalDver(%q) = %q, want %q", tt.osRelease, got, tt.want)
		}
	}
}

func TestDverFromRedhatRelease(t *testing.T) {
	for in, want := range map[string]string{"8": "el8", "9.4": "el9", "el10": "el10", "7": "el7"} {
		got, err := DverFromRedhatRelease(in)
		if err != nil || got != want {
			t.Errorf("DverFromRedhatRelease(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"6", "x", "", "11"} {
		if _, err := DverFromRedhatRelease(in); err == nil {
			t.Errorf("DverFromRedhatRelease(%q): no error", in)
		}
	}
}

func TestCheckDistroTag(t *testing.T) {
	tests := []struct {
		tag, dver, wantErr string
	}{
		{"osg.el9", "el9", ""},
		{"osg25.el9", "el9", ""},
		{"el8", "el8", ""},
		{"osg.el10_1", "el10", ""},
		{"osg.el8", "el9", "is for el8 but the build is for el9"},
		{"osg.el9", "el10", "is for el9"},
		{"osg", "el9", "does not name a dver"},
		{".osg.el9", "el9", "without the leading dot"},
		{"", "el9", "empty"},
		{"osg el9", "el9", "spaces"},
	}
	for _, tt := range tests {
		err := CheckDistroTag(tt.tag, tt.dver)
		if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
			t.Errorf("CheckDistroTag(%q, %q) = %v, want %q", tt.tag, tt.dver, err, tt.wantErr)
		}
	}
}

func TestMockGroup(t *testing.T) {
	grp := func(name string) (*user.Group, error) {
		if name == "mock" {
			return &user.Group{Name: "mock", Gid: "135"}, nil
		}
		return nil, user.UnknownGroupError(name)
	}
	nogrp := func(name string) (*user.Group, error) { return nil, user.UnknownGroupError(name) }
	tests := []struct {
		name    string
		g       GroupChecker
		wantErr string
	}{
		{"member", GroupChecker{LookupGroup: grp, Getgroups: func() ([]int, error) { return []int{10, 135}, nil }, Geteuid: func() int { return 1000 }}, ""},
		{"not member", GroupChecker{LookupGroup: grp, Getgroups: func() ([]int, error) { return []int{10}, nil }, Geteuid: func() int { return 1000 }}, "not in the group mock"},
		{"no group", GroupChecker{LookupGroup: nogrp, Getgroups: func() ([]int, error) { return nil, nil }, Geteuid: func() int { return 1000 }}, "does not exist"},
		{"root", GroupChecker{LookupGroup: nogrp, Getgroups: func() ([]int, error) { return nil, nil }, Geteuid: func() int { return 0 }}, ""},
	}
	for _, tt := range tests {
		err := CheckMockGroup(tt.g)
		if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
			t.Errorf("%s: %v, want %q", tt.name, err, tt.wantErr)
		}
	}
}
