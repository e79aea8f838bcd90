package rpm

import (
	"strconv"
	"strings"
)

// Vercmp compares two version (or release) strings the way rpm's
// rpmvercmp does: -1, 0 or 1. Both are cut into runs of ASCII digits and
// of ASCII letters, anything else separating them; runs are compared in
// turn, numbers numerically (a number is newer than letters), letters
// byte-wise. "~" sorts before anything, even the end of the string
// (1.0~rc1 < 1.0); "^" sorts after the end of the string but before
// anything else (1.0 < 1.0^git1 < 1.0.1).
func Vercmp(a, b string) int {
	if a == b {
		return 0
	}
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		for i < len(a) && !isAlnum(a[i]) && a[i] != '~' && a[i] != '^' {
			i++
		}
		for j < len(b) && !isAlnum(b[j]) && b[j] != '~' && b[j] != '^' {
			j++
		}
		ca, cb := at(a, i), at(b, j)
		if ca == '~' || cb == '~' {
			if ca != '~' {
				return 1
			}
			if cb != '~' {
				return -1
			}
			i, j = i+1, j+1
			continue
		}
		if ca == '^' || cb == '^' {
			switch {
			case i == len(a):
				return -1
			case j == len(b):
				return 1
			case ca != '^':
				return 1
			case cb != '^':
				return -1
			}
			i, j = i+1, j+1
			continue
		}
		if i == len(a) || j == len(b) {
			break
		}
		si, sj := i, j
		num := isDigit(a[i])
		if num {
			for i < len(a) && isDigit(a[i]) {
				i++
			}
			for j < len(b) && isDigit(b[j]) {
				j++
			}
		} else {
			for i < len(a) && isAlpha(a[i]) {
				i++
			}
			for j < len(b) && isAlpha(b[j]) {
				j++
			}
		}
		// a's run is never empty here; b's is when the kinds differ.
		if j == sj {
			if num {
				return 1
			}
			return -1
		}
		ra, rb := a[si:i], b[sj:j]
		if num {
			ra, rb = strings.TrimLeft(ra, "0"), strings.TrimLeft(rb, "0")
			if len(ra) != len(rb) {
				if len(ra) > len(rb) {
					return 1
				}
				return -1
			}
		}
		if c := strings.Compare(ra, rb); c != 0 {
			return c
		}
	}
	switch {
	case i >= len(a) && j >= len(b):
		return 0
	case i >= len(a):
		return -1
	}
	return 1
}

func at(s string, i int) byte {
	if i < len(s) {
		return s[i]
	}
	return 0
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
func isAlpha(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isAlnum(c byte) bool { return isDigit(c) || isAlpha(c) }

// SplitEVR splits "[E:]V[-R]" at the first colon and the last hyphen; the
// epoch is "" when absent.
func SplitEVR(s string) (e, v, r string) {
	if i := strings.IndexByte(s, ':'); i >= 0 {
		e, s = s[:i], s[i+1:]
	}
	if i := strings.LastIndexByte(s, '-'); i >= 0 {
		return e, s[:i], s[i+1:]
	}
	return e, s, ""
}

// CompareEVR compares two "[E:]V[-R]" strings as rpm compares dependency
// versions: a missing epoch is 0, and a release missing on either side is
// not compared.
func CompareEVR(a, b string) int {
	ae, av, ar := SplitEVR(a)
	be, bv, br := SplitEVR(b)
	if c := compareEpoch(ae, be); c != 0 {
		return c
	}
	if c := Vercmp(av, bv); c != 0 {
		return c
	}
	if ar == "" || br == "" {
		return 0
	}
	return Vercmp(ar, br)
}

func compareEpoch(a, b string) int {
	x, _ := strconv.ParseUint(orZero(a), 10, 64)
	y, _ := strconv.ParseUint(orZero(b), 10, 64)
	switch {
	case x < y:
		return -1
	case x > y:
		return 1
	}
	return 0
}

func orZero(s string) string {
	if s == "" {
		return "0"
	}
	return s
}

// Compare compares two packages by epoch, version and release, all three
// always compared (an empty epoch is 0).
func Compare(ae, av, ar, be, bv, br string) int {
	if c := compareEpoch(ae, be); c != 0 {
		return c
	}
	if c := Vercmp(av, bv); c != 0 {
		return c
	}
	return Vercmp(ar, br)
}
