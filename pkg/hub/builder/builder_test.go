package builder

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/osg-htc/osg-build-go/pkg/rpm"
)

const (
	lt = rpm.SenseLess
	gt = rpm.SenseGreater
	eq = rpm.SenseEqual
)

func TestOverlaps(t *testing.T) {
	tests := []struct {
		p, r Dep
		want bool
	}{
		{Dep{"a", eq, "1.0-1"}, Dep{"a", 0, ""}, true},
		{Dep{"a", 0, ""}, Dep{"a", gt | eq, "2"}, true}, // unversioned provide
		{Dep{"a", eq, "1.0-1"}, Dep{"a", gt | eq, "1.0"}, true},
		{Dep{"a", eq, "1.0-1"}, Dep{"a", gt, "1.0"}, false}, // release not compared when missing
		{Dep{"a", eq, "1.2-1"}, Dep{"a", gt, "1.10"}, false},
		{Dep{"a", eq, "1.10-1"}, Dep{"a", gt, "1.9"}, true},
		{Dep{"a", eq, "1:1.0-1"}, Dep{"a", gt | eq, "2.0"}, true}, // epoch wins
		{Dep{"a", eq, "1.0-1"}, Dep{"a", gt | eq, "1:0.1"}, false},
		{Dep{"a", eq, "1.0-1"}, Dep{"a", lt, "1.0-2"}, true},
		{Dep{"a", eq, "1.0~rc1-1"}, Dep{"a", gt | eq, "1.0"}, false}, // tilde sorts before
		{Dep{"a", gt | eq, "2.0"}, Dep{"a", lt, "3.0"}, true},        // ranges
		{Dep{"a", lt, "2.0"}, Dep{"a", gt, "3.0"}, false},
		{Dep{"b", eq, "1"}, Dep{"a", 0, ""}, false},
	}
	for _, tt := range tests {
		if got := Overlaps(tt.p, tt.r); got != tt.want {
			t.Errorf("Overlaps(%s, %s) = %v, want %v", tt.p, tt.r, got, tt.want)
		}
	}
}

func TestSatisfiesString(t *testing.T) {
	p := NewProvides()
	p.Add(Dep{"foo", eq, "1.2-1"})
	p.Add(Dep{"bar", eq, "0.5-1"})
	p.AddFile("/usr/bin/foo")
	tests := []struct {
		req  string
		want bool
	}{
		{"foo", true},
		{"foo >= 1.2", true},
		{"foo > 1.2", false},
		{"baz", false},
		{"/usr/bin/foo", true},
		{"/usr/bin/baz", false},
		{"(foo or baz)", true},
		{"(baz or qux)", false},
		{"(foo and bar >= 0.5)", true},
		{"(foo and bar >= 1)", false},
		{"(baz if qux)", true},
		{"(baz if foo)", false},
		{"(foo if bar else baz)", true},
		{"(baz unless foo)", true},
		{"((baz or foo) and (bar or qux))", true},
		{"(foo with bar)", true},
		{"(foo without bar)", false},
	}
	for _, tt := range tests {
		got, err := p.SatisfiesString(tt.req)
		if err != nil {
			t.Errorf("%s: %v", tt.req, err)
			continue
		}
		if got != tt.want {
			t.Errorf("SatisfiesString(%q) = %v, want %v", tt.req, got, tt.want)
		}
	}
	if _, err := p.SatisfiesString("(foo nand bar)"); err == nil {
		t.Error("bad rich dependency accepted")
	}
}

func TestParsePrimary(t *testing.T) {
	const primary = `<?xml version="1.0" encoding="UTF-8"?>
<metadata xmlns="http://linux.duke.edu/metadata/common" xmlns:rpm="http://linux.duke.edu/metadata/rpm" packages="1">
<package type="rpm">
  <name>libfoo</name>
  <arch>x86_64</arch>
  <version epoch="0" ver="2.1" rel="3.el9"/>
  <format>
    <rpm:provides>
      <rpm:entry name="libfoo.so.2()(64bit)"/>
      <rpm:entry name="libfoo" flags="EQ" epoch="0" ver="2.1" rel="3.el9"/>
      <rpm:entry name="foo-api" flags="EQ" epoch="0" ver="7"/>
    </rpm:provides>
    <rpm:requires>
      <rpm:entry name="glibc"/>
    </rpm:requires>
    <file>/usr/bin/foo-config</file>
  </format>
</package>
</metadata>`
	p := NewProvides()
	if err := parsePrimary(strings.NewReader(primary), p); err != nil {
		t.Fatal(err)
	}
	for req, want := range map[string]bool{
		"libfoo >= 2.1": true, "libfoo > 2.1-3.el9": false, "libfoo.so.2()(64bit)": true,
		"foo-api = 7": true, "/usr/bin/foo-config": true, "glibc": false,
	} {
		if got, _ := p.SatisfiesString(req); got != want {
			t.Errorf("%s: %v, want %v", req, got, want)
		}
	}
	if p.Packages != 1 {
		t.Errorf("packages = %d", p.Packages)
	}
	// the package that provides a requirement: the buildroot's component
	for req, want := range map[string]string{
		"libfoo >= 2.1": "libfoo-2.1-3.el9.x86_64", "foo-api": "libfoo-2.1-3.el9.x86_64", "/usr/bin/foo-config": "libfoo-2.1-3.el9.x86_64",
		"glibc": "", "(libfoo or bar)": "", "libfoo > 3": "",
	} {
		if got := p.Provider(req); got != want {
			t.Errorf("Provider(%s) = %q, want %q", req, got, want)
		}
	}
	p.Add(Dep{Name: "hostpkg"})
	if got := p.Provider("hostpkg"); got != "" {
		t.Errorf("a provide added by hand has no package: %q", got)
	}
}

func TestInstalledPackages(t *testing.T) {
	f := filepath.Join(t.TempDir(), "installed_pkgs.log")
	if err := os.WriteFile(f, []byte("bash-5.1.8-9.el9.x86_64 1700000000 123 abc installed\nperl-IO-1:1.43-481.el9.x86_64 1 2 3 installed\n\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := installedPackages(f); strings.Join(got, " ") != "bash-5.1.8-9.el9.x86_64 perl-IO-1.43-481.el9.x86_64" {
		t.Errorf("installedPackages = %q", got)
	}
	if got := installedPackages(f + ".missing"); got != nil {
		t.Errorf("missing log: %q", got)
	}
}

func TestMockConfig(t *testing.T) {
	cfg := MockConfig(MockConfigOptions{Name: "osg-25-main-el9-build-12-34", Arch: "x86_64", TagName: "osg-25-main-el9-build", RepoID: 34,
		TopDir: "/hub/topdir", Managed: true, BuildrootID: 12,
		TagExtra: map[string]any{"rpm.macro.dist": ".osg25.el9", "mock.yum.module_hotfixes": 1, "rpm.env.FOO": "bar", "mock.package_manager": "dnf"}})
	for _, want := range []string{
		"# Auto-generated by the Koji build system\n",
		"# Koji buildroot id: 12\n# Koji buildroot name: osg-25-main-el9-build-12-34\n# Koji repo id: 34\n# Koji tag: osg-25-main-el9-build\n",
		"config_opts['root'] = 'osg-25-main-el9-build-12-34'\n",
		"config_opts['basedir'] = '/var/lib/mock'\n",
		"config_opts['target_arch'] = 'x86_64'\n",
		"config_opts['chroot_setup_cmd'] = 'install @build'\n",
		"config_opts['chroothome'] = '/builddir'\n",
		"config_opts['rpmbuild_networking'] = False\n",
		"config_opts['rpmbuild_timeout'] = 86400\n",
		"config_opts['package_manager'] = 'dnf'\n",
		"config_opts['plugin_conf']['ccache_enable'] = False\n",
		"config_opts['macros']['%dist'] = '.osg25.el9'\n",
		"config_opts['macros']['%_topdir'] = '/builddir/build'\n",
		"config_opts['macros']['%_host'] = 'x86_64-koji-linux-gnu'\n",
		"config_opts['macros']['%vendor'] = 'Koji'\n",
		"config_opts['macros']['%_rpmfilename'] = '%%{NAME}-%%{VERSION}-%%{RELEASE}.%%{ARCH}.rpm'\n",
		"config_opts['environment']['FOO'] = 'bar'\n",
		`config_opts['yum.conf'] = '[main]\ncachedir=/var/cache/yum\n`,
		`reposdir=/dev/null\n`,
		`[build]\nname=build\nbaseurl=file:///hub/topdir/repos/osg-25-main-el9-build/34/x86_64\nmodule_hotfixes=1\n'`,
	} {
		if !strings.Contains(cfg, want) {
			t.Errorf("config lacks %q:\n%s", want, cfg)
		}
	}
	// the sorted key order of genMockConfig
	if strings.Index(cfg, "config_opts['basedir']") > strings.Index(cfg, "config_opts['root']") {
		t.Error("config_opts are not sorted")
	}
	withURL := MockConfig(MockConfigOptions{Name: "t-repo_1", Arch: "aarch64", TagName: "t", RepoID: 1, TopURL: "https://hub.example/kojifiles/"})
	if !strings.Contains(withURL, `baseurl=https://hub.example/kojifiles/repos/t/1/aarch64\n`) || strings.Contains(withURL, "Koji buildroot id") {
		t.Errorf("topurl config:\n%s", withURL)
	}
}

func TestPyRepr(t *testing.T) {
	for in, want := range map[any]string{
		"a'b":   `"a'b"`,
		"a\nb":  `'a\nb'`,
		`a\b`:   `'a\\b'`,
		true:    "True",
		nil:     "None",
		86400:   "86400",
		"a'b\"": `'a\'b"'`,
	} {
		if got := pyRepr(in); got != want {
			t.Errorf("pyRepr(%q) = %s, want %s", in, got, want)
		}
	}
}

func TestBuildErrorNamesRequirement(t *testing.T) {
	e := &BuildError{Arch: "x86_64", Missing: []string{"foo >= 1.2"}, Log: "root.log"}
	if !strings.Contains(e.Error(), "No matching package to install: 'foo >= 1.2'") {
		t.Error(e.Error())
	}
}
