package packaging

import (
	"errors"
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
)

// MockConfigDir is where mock looks up -r names.
const MockConfigDir = "/etc/mock"

// ResolveMockConfig turns the -m/--mock-config argument into the value of
// mock's -r, as osg-build does: ".cfg" is appended when missing; an absolute
// path is used as it is; a relative one is looked up relative to cwd, then
// under /etc/mock. Because mock reads -r relative to /etc/mock, the result
// is "../../<absolute path without .cfg>".
func ResolveMockConfig(arg, cwd, etcMock string, exists func(string) bool) (string, error) {
	if arg == "" {
		return "", nil
	}
	name := arg
	if !strings.HasSuffix(name, ".cfg") {
		name += ".cfg"
	}
	var path string
	switch {
	case filepath.IsAbs(name):
		path = name
		if !exists(path) {
			return "", fmt.Errorf("mock config %s does not exist", path)
		}
	case exists(filepath.Join(cwd, name)):
		path = filepath.Join(cwd, name)
	case exists(filepath.Join(etcMock, name)):
		path = filepath.Join(etcMock, name)
	default:
		return "", fmt.Errorf("mock config %q not found: looked for %s and %s; give an existing file or a name from %s", arg, filepath.Join(cwd, name), filepath.Join(etcMock, name), etcMock)
	}
	return "../.." + strings.TrimSuffix(filepath.Clean(path), ".cfg"), nil
}

var mockVersionRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(\d+)(?:\.(\d+))?(?:\.(\d+))?`) })

// MockVersion is mock's version: major.minor.patch, all that decides its
// arguments. (A three-number type rather than a semver library, whose
// package init costs every command start-up half a millisecond.)
type MockVersion struct{ Major, Minor, Patch int }

// String is "major.minor.patch".
func (v MockVersion) String() string { return fmt.Sprintf("%d.%d.%d", v.Major, v.Minor, v.Patch) }

// Less reports whether v is older than o.
func (v MockVersion) Less(o MockVersion) bool {
	if v.Major != o.Major {
		return v.Major < o.Major
	}
	if v.Minor != o.Minor {
		return v.Minor < o.Minor
	}
	return v.Patch < o.Patch
}

// ParseMockVersion reads the output of mock --version ("5.6", "mock 1.4.21").
func ParseMockVersion(out string) (*MockVersion, error) {
	m := mockVersionRe().FindStringSubmatch(out)
	if m == nil {
		return nil, fmt.Errorf("cannot read a version from mock --version output %q", strings.TrimSpace(out))
	}
	var n [3]int
	for i, p := range m[1:4] {
		if p == "" {
			continue
		}
		v, err := strconv.Atoi(p)
		if err != nil {
			return nil, fmt.Errorf("cannot read a version from mock --version output %q: %w", strings.TrimSpace(out), err)
		}
		n[i] = v
	}
	return &MockVersion{Major: n[0], Minor: n[1], Patch: n[2]}, nil
}

// MockOptions describe one mock rebuild.
type MockOptions struct {
	// Config is the value of -r ("" = mock's default config).
	Config    string
	ResultDir string
	SRPM      string
	// TargetArch, when set, is passed as --arch.
	TargetArch string
	// Version is mock's version (nil = assume a current mock).
	Version *MockVersion
	// TargetDver and HostDver decide --bootstrap-chroot (el8+ on an older host).
	TargetDver, HostDver string
}

// MockRebuildArgs returns the arguments of the mock rebuild command, with
// the version-dependent ones of osg-build: --enable-network and
// --isolation=simple (mock >= 5) or --config-opts=use_nspawn=False
// (1.4 <= mock < 5), --disable-plugin=ccache for older mock, and
// --bootstrap-chroot when building el8+ on an older host.
func MockRebuildArgs(o MockOptions) []string {
	var args []string
	if o.Config != "" {
		args = append(args, "-r", o.Config)
	}
	args = append(args, "--resultdir", o.ResultDir, "--no-cleanup-after")
	v := MockVersion{Major: 5}
	if o.Version != nil {
		v = *o.Version
	}
	if !v.Less(MockVersion{Major: 1, Minor: 4}) {
		args = append(args, "--enable-network")
		if v.Less(MockVersion{Major: 5}) {
			args = append(args, "--config-opts=use_nspawn=False")
		} else {
			args = append(args, "--isolation=simple")
		}
		if t, err := DverNumber(o.TargetDver); err == nil && t >= 8 {
			if h, err := DverNumber(o.HostDver); err == nil && h < 8 {
				args = append(args, "--bootstrap-chroot")
			}
		}
	} else {
		args = append(args, "--disable-plugin=ccache")
	}
	if o.TargetArch != "" {
		args = append(args, "--arch", o.TargetArch)
	}
	return append(args, "rebuild", o.SRPM)
}

// MockCleanArgs returns the arguments of the mock clean run after a build.
func MockCleanArgs(config string) []string {
	var args []string
	if config != "" {
		args = append(args, "-r", config)
	}
	return append(args, "clean")
}

// GroupChecker says which groups exist and which the process is in (tests
// replace it).
type GroupChecker struct {
	LookupGroup func(name string) (*user.Group, error)
	Getgroups   func() ([]int, error)
	Geteuid     func() int
}

// SystemGroups is the [GroupChecker] of the running process.
var SystemGroups = GroupChecker{LookupGroup: user.LookupGroup, Getgroups: os.Getgroups, Geteuid: os.Geteuid}

// CheckMockGroup checks that the unix group mock exists and that the user is
// in it (root always passes), as mock requires.
func CheckMockGroup(g GroupChecker) error {
	if g.Geteuid != nil && g.Geteuid() == 0 {
		return nil
	}
	grp, err := g.LookupGroup("mock")
	if err != nil {
		var unk user.UnknownGroupError
		if errors.As(err, &unk) {
			return errors.New("the group mock does not exist: install mock (it creates the group) and add yourself to it with 'usermod -a -G mock $USER'")
		}
		return fmt.Errorf("look up the group mock: %w", err)
	}
	gid, err := strconv.Atoi(grp.Gid)
	if err != nil {
		return fmt.Errorf("group mock has a non-numeric gid %q", grp.Gid)
	}
	gids, err := g.Getgroups()
	if err != nil {
		return fmt.Errorf("read the groups of this process: %w", err)
	}
	for _, x := range gids {
		if x == gid {
			return nil
		}
	}
	return errors.New("you are not in the group mock, which mock requires: run 'sudo usermod -a -G mock $USER' and log in again")
}
