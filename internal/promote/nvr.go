package promote

import (
	"regexp"
	"strings"
	"sync"
)

// SplitDist splits the dist tag off an N-V-R (or a release), as
// osg-promote's split_repotag_dver: it tries, in order, a trailing
// .<repotag>.<elN>, .<elN> and .<repotag>, where repotag must be one of
// repotags. It returns the string without the dist tag and the parts found
// ("" when absent). With repotags limited to the routes' own, a release such
// as 1.11 or 0.1.rc1 is never taken for a dist tag.
func SplitDist(s string, repotags []string) (noDist, repotag, dver string) {
	if m := distRe(repotags).FindStringSubmatch(s); m != nil {
		switch {
		case m[1] != "":
			return m[1], m[2], m[3]
		case m[4] != "":
			return m[4], "", m[5]
		case m[6] != "":
			return m[6], m[7], ""
		}
	}
	return s, "", ""
}

// distRes caches the patterns by repotag list.
var distRes sync.Map

func distRe(repotags []string) *regexp.Regexp {
	key := strings.Join(repotags, "|")
	if repotags == nil {
		key = "\x00nil"
	}
	if re, ok := distRes.Load(key); ok {
		return re.(*regexp.Regexp)
	}
	var q []string
	for _, r := range repotags {
		if r != "" {
			q = append(q, regexp.QuoteMeta(r))
		}
	}
	rt := `[a-z]\w+`
	if len(q) > 0 {
		rt = strings.Join(q, "|")
	} else if repotags != nil {
		rt = `\x00` // an empty list matches no repotag
	}
	re := regexp.MustCompile(`^(?:(.+)\.(` + rt + `)\.(el[0-9]+)|(.+)\.(el[0-9]+)|(.+)\.(` + rt + `))$`)
	distRes.Store(key, re)
	return re
}

// SplitNVR splits name-version-release at its last two dashes; ok is false
// when s is not an N-V-R.
func SplitNVR(s string) (name, version, release string, ok bool) {
	i := strings.LastIndexByte(s, '-')
	if i <= 0 || i == len(s)-1 {
		return "", "", "", false
	}
	j := strings.LastIndexByte(s[:i], '-')
	if j <= 0 || j == i-1 {
		return "", "", "", false
	}
	return s[:j], s[j+1 : i], s[i+1:], true
}
