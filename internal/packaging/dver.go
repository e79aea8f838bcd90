package packaging

import (
	"bufio"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
)

// KnownDvers are the distribution versions osg-build knows, oldest first.
var KnownDvers = []string{"el7", "el8", "el9", "el10"}

// FallbackDver is the dver used when the local machine is not an EL host.
const FallbackDver = "el9"

var dverRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^el(\d+)$`) })

// DverNumber returns N for the dver "elN".
func DverNumber(dver string) (int, error) {
	m := dverRe().FindStringSubmatch(dver)
	if m == nil {
		return 0, fmt.Errorf("invalid dver %q: expected elN, one of %s", dver, strings.Join(KnownDvers, ", "))
	}
	return strconv.Atoi(m[1])
}

// IsKnownDver reports whether dver is in [KnownDvers].
func IsKnownDver(dver string) bool {
	for _, d := range KnownDvers {
		if d == dver {
			return true
		}
	}
	return false
}

// DverFromRedhatRelease turns the argument of --redhat-release (8, 8.10,
// el8) into a known dver.
func DverFromRedhatRelease(v string) (string, error) {
	v = strings.TrimPrefix(strings.TrimSpace(v), "el")
	major, _, _ := strings.Cut(v, ".")
	if _, err := strconv.Atoi(major); err != nil || !IsKnownDver("el"+major) {
		return "", fmt.Errorf("invalid --redhat-release %q: expected one of 7, 8, 9, 10", v)
	}
	return "el" + major, nil
}

// LocalDver returns the dver of the machine described by the contents of
// /etc/os-release: "elN" when ID or ID_LIKE names rhel and VERSION_ID's major
// number is N, otherwise [FallbackDver].
func LocalDver(osRelease string) string {
	vals := map[string]string{}
	sc := bufio.NewScanner(strings.NewReader(osRelease))
	for sc.Scan() {
		k, v, ok := strings.Cut(strings.TrimSpace(sc.Text()), "=")
		if !ok {
			continue
		}
		vals[k] = strings.Trim(v, `"'`)
	}
	like := strings.Fields(vals["ID_LIKE"] + " " + vals["ID"])
	rhel := false
	for _, l := range like {
		if l == "rhel" {
			rhel = true
		}
	}
	if !rhel {
		return FallbackDver
	}
	major, _, _ := strings.Cut(vals["VERSION_ID"], ".")
	if d := "el" + major; IsKnownDver(d) {
		return d
	}
	return FallbackDver
}

// DefaultDver returns the local machine's dver (see [LocalDver]).
func DefaultDver() string {
	b, err := os.ReadFile("/etc/os-release")
	if err != nil {
		return FallbackDver
	}
	return LocalDver(string(b))
}

// DefaultDistroTag returns the distro tag of local builds for dver: osg.elN.
func DefaultDistroTag(dver string) string { return "osg." + dver }

var distroElRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?:^|[._-])(el\d+)(?:$|[._-])`) })

// CheckDistroTag checks that a --distro-tag value is usable for dver: it is
// non-empty, has no leading dot or whitespace, and names the same elN as
// dver (osg.el9, osg25.el9 for el9).
func CheckDistroTag(tag, dver string) error {
	switch {
	case tag == "":
		return fmt.Errorf("empty --distro-tag: give a tag such as %s", DefaultDistroTag(dver))
	case strings.HasPrefix(tag, "."):
		return fmt.Errorf("--distro-tag %q: give it without the leading dot (%%dist becomes .%s)", tag, strings.TrimLeft(tag, "."))
	case strings.ContainsAny(tag, " \t\n%{}"):
		return fmt.Errorf("--distro-tag %q: must not contain spaces or macro characters", tag)
	}
	m := distroElRe().FindAllStringSubmatch(tag, -1)
	if len(m) == 0 {
		return fmt.Errorf("--distro-tag %q does not name a dver: it must contain %s (e.g. %s)", tag, dver, DefaultDistroTag(dver))
	}
	for _, x := range m {
		if x[1] != dver {
			return fmt.Errorf("--distro-tag %q is for %s but the build is for %s: use a tag containing %s or build with --%s", tag, x[1], dver, dver, x[1])
		}
	}
	return nil
}
