package packaging

import (
	"strings"
	"testing"

	"strconv"
)

func TestParseMockVersion(t *testing.T) {
	tests := map[string]string{"5.6\n": "5.6.0", "mock 1.4.21": "1.4.21", "2": "2.0.0", "6.0.1-1.el9": "6.0.1"}
	for in, want := range tests {
		v, err := ParseMockVersion(in)
		if err != nil || v.String() != want {
			t.Errorf("ParseMockVersion(%q) = %v, %v; want %s", in, v, err, want)
		}
	}
	if _, err := ParseMockVersion("no version"); err == nil {
		t.Error("ParseMockVersion(no version): no error")
	}
}

func TestMockRebuildArgs(t *testing.T) {
	v := func(s string) *MockVersion {
		var n [3]int
		for i, p := range strings.SplitN(s, ".", 3) {
			n[i], _ = strconv.Atoi(p)
		}
		return &MockVersion{Major: n[0], Minor: n[1], Patch: n[2]}
	}
	tests := []struct {
		name string
		o    MockOptions
		want string
	}{
		{"mock 5 default config", MockOptions{ResultDir: "/r", SRPM: "x.src.rpm", Version: v("5.6")},
			"--resultdir /r --no-cleanup-after --enable-network --isolation=simple rebuild x.src.rpm"},
		{"mock 4 with config and arch", MockOptions{Config: "../../home/u/my", ResultDir: "/r", SRPM: "x.src.rpm", TargetArch: "i686", Version: v("4.1")},
			"-r ../../home/u/my --resultdir /r --no-cleanup-after --enable-network --config-opts=use_nspawn=False --arch i686 rebuild x.src.rpm"},
		{"old mock", MockOptions{ResultDir: "/r", SRPM: "x.src.rpm", Version: v("1.2.0")},
			"--resultdir /r --no-cleanup-after --disable-plugin=ccache rebuild x.src.rpm"},
		{"el9 on el7 host", MockOptions{ResultDir: "/r", SRPM: "x.src.rpm", Version: v("2.9"), TargetDver: "el9", HostDver: "el7"},
			"--resultdir /r --no-cleanup-after --enable-network --config-opts=use_nspawn=False --bootstrap-chroot rebuild x.src.rpm"},
		{"exactly 5.0", MockOptions{ResultDir: "/r", SRPM: "x.src.rpm", Version: v("5.0"), TargetDver: "el9", HostDver: "el9"},
			"--resultdir /r --no-cleanup-after --enable-network --isolation=simple rebuild x.src.rpm"},
		{"unknown version", MockOptions{ResultDir: "/r", SRPM: "x.src.rpm"},
			"--resultdir /r --no-cleanup-after --enable-network --isolation=simple rebuild x.src.rpm"},
	}
	for _, tt := range tests {
		if got := strings.Join(MockRebuildArgs(tt.o), " "); got != tt.want {
			t.Errorf("%s:\n got %s\nwant %s", tt.name, got, tt.want)
		}
	}
	if got := strings.Join(MockCleanArgs("../../x"), " "); got != "-r ../../x clean" {
		t.Errorf("MockCleanArgs = %s", got)
	}
	if got := strings.Join(MockCleanArgs(""), " "); got != "clean" {
		t.Errorf("MockCleanArgs = %s", got)
	}
}

func TestResolveMockConfig(t *testing.T) {
	files := map[string]bool{
		"/home/u/pkg/local.cfg":        true,
		"/etc/mock/rocky-9-x86_64.cfg": true,
		"/abs/my.cfg":                  true,
	}
	exists := func(p string) bool { return files[p] }
	tests := []struct{ arg, want, wantErr string }{
		{"", "", ""},
		{"local", "../../home/u/pkg/local", ""},
		{"local.cfg", "../../home/u/pkg/local", ""},
		{"rocky-9-x86_64", "../../etc/mock/rocky-9-x86_64", ""},
		{"/abs/my.cfg", "../../abs/my", ""},
		{"/abs/my", "../../abs/my", ""},
		{"/abs/missing.cfg", "", "does not exist"},
		{"nowhere", "", "not found: looked for /home/u/pkg/nowhere.cfg and /etc/mock/nowhere.cfg"},
	}
	for _, tt := range tests {
		got, err := ResolveMockConfig(tt.arg, "/home/u/pkg", "/etc/mock", exists)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("ResolveMockConfig(%q) error = %v, want %q", tt.arg, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ResolveMockConfig(%q) = %q, %v; want %q", tt.arg, got, err, tt.want)
		}
	}
}
