package web

import (
	"path/filepath"
	"strings"
	"time"

	"github.com/osg-htc/osg-build-go/pkg/koji"
	"github.com/osg-htc/osg-build-go/pkg/rpm"
)

// readHeader reads the main header of an RPM of build b from the topdir.
func (s *Server) readHeader(b *koji.Build, r *koji.RPM) (*rpm.Header, error) {
	p := filepath.Join(s.o.TopDir, "packages", b.Name, b.Version, b.Release, r.Arch, r.Filename())
	f, err := rpm.ReadFile(p)
	if err != nil {
		return nil, err
	}
	return f.Header, nil
}

// changeEntry is a changelog entry.
type changeEntry struct {
	Date   string
	Author string
	Text   string
}

// changelogOf is the first max entries of the header's changelog.
func changelogOf(h *rpm.Header, max int) []changeEntry {
	times := h.Uint32s(rpm.TagChangelogTime)
	names := h.Strings(rpm.TagChangelogName)
	texts := h.Strings(rpm.TagChangelogText)
	var out []changeEntry
	for i := 0; i < len(names) && i < len(texts) && len(out) < max; i++ {
		e := changeEntry{Author: names[i], Text: texts[i]}
		if i < len(times) {
			e.Date = time.Unix(int64(times[i]), 0).UTC().Format("Mon Jan 02 2006")
		}
		out = append(out, e)
	}
	return out
}

// dep is a dependency of an RPM.
type dep struct {
	Kind, Name, Flags, Version string
}

// header is what rpminfo shows of an RPM's header.
type header struct {
	Summary, Description, License, URL, Vendor, Packager, BuildHost, SourceRPM, Group string
	BuildTime                                                                         string
	Deps                                                                              []dep
	Files                                                                             []string
	Changelog                                                                         []changeEntry
}

func headerInfo(h *rpm.Header) *header {
	out := &header{
		Summary: h.String(rpm.TagSummary), Description: h.String(rpm.TagDescription), License: h.String(rpm.TagLicense),
		URL: h.String(rpm.TagURL), Vendor: h.String(rpm.TagVendor), Packager: h.String(rpm.TagPackager),
		BuildHost: h.String(rpm.TagBuildHost), SourceRPM: h.String(rpm.TagSourceRPM), Group: h.String(rpm.TagGroup),
		Changelog: changelogOf(h, 10),
	}
	if t, ok := h.Uint(rpm.TagBuildTime); ok {
		out.BuildTime = time.Unix(int64(t), 0).UTC().Format("2006-01-02 15:04:05 UTC")
	}
	for _, k := range []struct {
		kind             string
		name, flags, ver rpm.Tag
	}{
		{"Provides", rpm.TagProvideName, rpm.TagProvideFlags, rpm.TagProvideVer},
		{"Requires", rpm.TagRequireName, rpm.TagRequireFlags, rpm.TagRequireVer},
		{"Obsoletes", rpm.TagObsoleteName, rpm.TagObsoleteFlags, rpm.TagObsoleteVer},
		{"Conflicts", rpm.TagConflictName, rpm.TagConflictFlags, rpm.TagConflictVer},
		{"Recommends", rpm.TagRecommendName, rpm.TagRecommendFlags, rpm.TagRecommendVer},
		{"Suggests", rpm.TagSuggestName, rpm.TagSuggestFlags, rpm.TagSuggestVer},
	} {
		names, flags, vers := h.Strings(k.name), h.Uint32s(k.flags), h.Strings(k.ver)
		for i, n := range names {
			d := dep{Kind: k.kind, Name: n}
			if i < len(flags) && i < len(vers) && vers[i] != "" {
				d.Flags, d.Version = senseString(flags[i]), vers[i]
			}
			if i < len(flags) && k.kind == "Requires" && flags[i]&rpm.SenseRPMLib != 0 {
				continue // rpmlib(...) requirements, as kojiweb leaves them out
			}
			out.Deps = append(out.Deps, d)
		}
	}
	dirs, idx, bases := h.Strings(rpm.TagDirNames), h.Uint32s(rpm.TagDirIndexes), h.Strings(rpm.TagBaseNames)
	for i, b := range bases {
		if i < len(idx) && int(idx[i]) < len(dirs) {
			out.Files = append(out.Files, dirs[idx[i]]+b)
		}
	}
	return out
}

func senseString(f uint32) string {
	var b strings.Builder
	if f&rpm.SenseLess != 0 {
		b.WriteByte('<')
	}
	if f&rpm.SenseGreater != 0 {
		b.WriteByte('>')
	}
	if f&rpm.SenseEqual != 0 {
		b.WriteByte('=')
	}
	return b.String()
}
