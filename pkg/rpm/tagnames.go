package rpm

import "strings"

// tagInfo is what rpm's tag table says of a tag: its number and whether
// rpm's bindings return it as a list (an ARRAY return type) or a scalar.
type tagInfo struct {
	tag   Tag
	array bool
}

// tagNames are rpm's names (RPMTAG_<NAME>, without the prefix) of the main
// header tags this reader knows, for Koji's getRPMHeaders, which names
// header fields as rpm's Python bindings do, case-insensitively.
var tagNames = map[string]tagInfo{
	"NAME": {TagName, false}, "VERSION": {TagVersion, false}, "RELEASE": {TagRelease, false},
	"EPOCH": {TagEpoch, false}, "SUMMARY": {TagSummary, false}, "DESCRIPTION": {TagDescription, false},
	"BUILDTIME": {TagBuildTime, false}, "BUILDHOST": {TagBuildHost, false}, "SIZE": {TagSize, false},
	"VENDOR": {TagVendor, false}, "LICENSE": {TagLicense, false}, "PACKAGER": {TagPackager, false},
	"GROUP": {TagGroup, false}, "URL": {TagURL, false}, "ARCH": {TagArch, false},
	"SOURCERPM": {TagSourceRPM, false}, "ARCHIVESIZE": {TagArchiveSize, false},
	"SOURCEPACKAGE": {TagSourcePackage, false}, "LONGSIZE": {TagLongSize, false},
	"DISTRIBUTION": {1010, false}, "COPYRIGHT": {TagLicense, false}, "OS": {1021, false},
	"PLATFORM": {1132, false}, "OPTFLAGS": {1122, false}, "COOKIE": {1094, false},
	"DISTTAG": {1155, false}, "DISTURL": {1123, false}, "BUGURL": {5012, false},
	"PAYLOADFORMAT": {1124, false}, "PAYLOADCOMPRESSOR": {1125, false}, "PAYLOADFLAGS": {1126, false},
	"RPMVERSION": {1064, false}, "SOURCE": {1018, true}, "PATCH": {1019, true},
	"NOSOURCE": {1051, true}, "NOPATCH": {1052, true},
	"FILEMODES": {TagFileModes, true}, "FILEFLAGS": {TagFileFlags, true}, "FILESIZES": {1028, true},
	"FILEUSERNAME": {1039, true}, "FILEGROUPNAME": {1040, true}, "FILEMTIMES": {1034, true},
	"FILEDIGESTS": {1035, true}, "FILEMD5S": {1035, true}, "FILELINKTOS": {1036, true},
	"BASENAMES": {TagBaseNames, true}, "DIRNAMES": {TagDirNames, true}, "DIRINDEXES": {TagDirIndexes, true},
	"PROVIDENAME": {TagProvideName, true}, "PROVIDES": {TagProvideName, true}, "PROVIDEVERSION": {TagProvideVer, true},
	"PROVIDEFLAGS": {TagProvideFlags, true}, "REQUIRENAME": {TagRequireName, true}, "REQUIRES": {TagRequireName, true},
	"REQUIREVERSION": {TagRequireVer, true}, "REQUIREFLAGS": {TagRequireFlags, true},
	"CONFLICTNAME": {TagConflictName, true}, "CONFLICTS": {TagConflictName, true},
	"CONFLICTVERSION": {TagConflictVer, true}, "CONFLICTFLAGS": {TagConflictFlags, true},
	"OBSOLETENAME": {TagObsoleteName, true}, "OBSOLETES": {TagObsoleteName, true},
	"OBSOLETEVERSION": {TagObsoleteVer, true}, "OBSOLETEFLAGS": {TagObsoleteFlags, true},
	"RECOMMENDNAME": {TagRecommendName, true}, "RECOMMENDVERSION": {TagRecommendVer, true}, "RECOMMENDFLAGS": {TagRecommendFlags, true},
	"SUGGESTNAME": {TagSuggestName, true}, "SUGGESTVERSION": {TagSuggestVer, true}, "SUGGESTFLAGS": {TagSuggestFlags, true},
	"SUPPLEMENTNAME": {TagSupplementName, true}, "SUPPLEMENTVERSION": {TagSupplementVer, true}, "SUPPLEMENTFLAGS": {TagSupplementFlags, true},
	"ENHANCENAME": {TagEnhanceName, true}, "ENHANCEVERSION": {TagEnhanceVer, true}, "ENHANCEFLAGS": {TagEnhanceFlags, true},
	"EXCLUDEARCH": {TagExcludeArch, true}, "EXCLUSIVEARCH": {TagExclusiveArch, true}, "BUILDARCHS": {TagBuildArchs, true},
	"CHANGELOGTIME": {TagChangelogTime, true}, "CHANGELOGNAME": {TagChangelogName, true}, "CHANGELOGTEXT": {TagChangelogText, true},
}

// HeaderField returns the value of the header field named as rpm names it
// (case-insensitive: "license", "REQUIRENAME") the way rpm's Python
// bindings return it: a string, an integer, a list of them, or nil (a
// scalar field the header lacks; an absent list field is an empty list).
// ok is false when rpm has no field of that name.
func (h *Header) HeaderField(name string) (v any, ok bool) {
	ti, ok := tagNames[strings.ToUpper(name)]
	if !ok {
		return nil, false
	}
	e, found := h.find(ti.tag)
	if !found {
		if ti.array {
			return []any{}, true
		}
		return nil, true
	}
	switch e.typ {
	case typeString, typeI18NString, typeStringArray:
		s := h.Strings(ti.tag)
		if !ti.array {
			if len(s) == 0 {
				return nil, true
			}
			return s[0], true
		}
		out := make([]any, len(s))
		for i, x := range s {
			out[i] = x
		}
		return out, true
	case typeBin:
		return h.Bytes(ti.tag), true
	}
	n := h.Uint64s(ti.tag)
	if !ti.array {
		if len(n) == 0 {
			return nil, true
		}
		return int64(n[0]), true
	}
	out := make([]any, len(n))
	for i, x := range n {
		out[i] = int64(x)
	}
	return out, true
}

// HeaderFieldNames are the names HeaderField knows that h has, in upper
// case (the fields of getRPMHeaders without a list).
func (h *Header) HeaderFieldNames() []string {
	var out []string
	for name, ti := range tagNames {
		if name == "COPYRIGHT" || name == "FILEMD5S" || name == "PROVIDES" || name == "REQUIRES" || name == "CONFLICTS" || name == "OBSOLETES" {
			continue // aliases
		}
		if h.Has(ti.tag) {
			out = append(out, name)
		}
	}
	return out
}
