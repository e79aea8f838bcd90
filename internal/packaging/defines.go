package packaging

import (
	"fmt"
	"strconv"
)

// Mode selects the rpm directory defines: prebuild points every directory at
// _final_srpm_contents, build mode at _build_results with BUILD, BUILDROOT
// and tmp subdirectories.
type Mode int

// The define modes.
const (
	ModePrebuild Mode = iota
	ModeBuild
)

// Define is one rpm macro definition (--define "NAME VALUE").
type Define struct {
	Name  string
	Value string
}

// BuildNameFmt is the flat RPM file name layout used by every local build.
const BuildNameFmt = "%{NAME}-%{VERSION}-%{RELEASE}.%{ARCH}.rpm"

// RpmbuildDefines returns the macro definitions for building for dver with
// the given distro tag ("" = osg.elN) in mode, with topdir as %_topdir
// (an absolute path). They are those of osg-build's get_rpmbuild_defines:
// _build_name_fmt, %rhel, %dist, %osg, %elN 1 for dver and 0 for the other
// known dvers, el7's xz payload, then the directory macros.
func RpmbuildDefines(dver, distroTag string, mode Mode, topdir string) ([]Define, error) {
	n, err := DverNumber(dver)
	if err != nil {
		return nil, err
	}
	if distroTag == "" {
		distroTag = DefaultDistroTag(dver)
	} else if err := CheckDistroTag(distroTag, dver); err != nil {
		return nil, err
	}
	defs := []Define{
		{"_build_name_fmt", BuildNameFmt},
		{"rhel", strconv.Itoa(n)},
		{"dist", "." + distroTag},
		{"osg", "1"},
	}
	known := false
	for _, d := range KnownDvers {
		v := "0"
		if d == dver {
			v, known = "1", true
		}
		defs = append(defs, Define{d, v})
	}
	if !known {
		defs = append(defs, Define{dver, "1"})
	}
	if dver == "el7" {
		defs = append(defs, Define{"_binary_payload", "w2.xzdio"})
	}
	switch mode {
	case ModePrebuild:
		defs = append(defs, Define{"_topdir", topdir})
		for _, m := range []string{"_builddir", "_buildrootdir", "_rpmdir", "_sourcedir", "_specdir", "_srcrpmdir", "_tmppath"} {
			defs = append(defs, Define{m, "%{_topdir}"})
		}
	case ModeBuild:
		defs = append(defs,
			Define{"_topdir", topdir},
			Define{"_builddir", "%{_topdir}/BUILD"},
			Define{"_buildrootdir", "%{_topdir}/BUILDROOT"},
			Define{"_rpmdir", "%{_topdir}"},
			Define{"_sourcedir", "%{_topdir}"},
			Define{"_specdir", "%{_topdir}"},
			Define{"_srcrpmdir", "%{_topdir}"},
			Define{"_tmppath", "%{_topdir}/tmp"},
		)
	default:
		return nil, fmt.Errorf("unknown define mode %d", mode)
	}
	return defs, nil
}

// DefineArgs turns definitions into rpmbuild arguments: --define "NAME VALUE"
// for each.
func DefineArgs(defs []Define) []string {
	args := make([]string, 0, 2*len(defs))
	for _, d := range defs {
		args = append(args, "--define", d.Name+" "+d.Value)
	}
	return args
}
