package repodata

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"unicode/utf8"

	"github.com/osg-htc/osg-build-go/pkg/rpm"
)

// Dependency is one provides/requires/... entry as repodata records it:
// the comparison flag (EQ, LT, GT, LE, GE or empty) and the version split
// into epoch, version and release.
type Dependency struct {
	Name  string
	Flags string
	Epoch string
	Ver   string
	Rel   string
	// Pre marks a requirement needed by a %pre or %post scriptlet
	// (Requires(pre), Requires(post), PreReq).
	Pre bool
}

// File is one file of a package: its full path and its type, "" for a
// regular file (or symlink), "dir" or "ghost".
type File struct {
	Path string
	Type string
}

// Changelog is one changelog entry as other.xml records it.
type Changelog struct {
	Author string
	Date   int64
	Text   string
}

// Package is the metadata of one RPM, as createrepo_c reads it.
type Package struct {
	Name, Arch, Epoch, Version, Release string
	// Checksum is the sha256 of the whole RPM file (the pkgid).
	Checksum                   string
	Summary, Description       string
	Packager, URL              string
	FileTime, BuildTime        int64
	PackageSize, InstalledSize int64
	ArchiveSize                int64
	Href                       string
	License, Vendor, Group     string
	Buildhost, SourceRPM       string
	HeaderStart, HeaderEnd     int64
	Provides, Requires         []Dependency
	Conflicts, Obsoletes       []Dependency
	Suggests, Enhances         []Dependency
	Recommends, Supplements    []Dependency
	Files                      []File
	Changelogs                 []Changelog
}

// NEVRA returns name-[epoch:]version-release.arch, the epoch only when it is
// not 0.
func (p *Package) NEVRA() string {
	if p.Epoch != "" && p.Epoch != "0" {
		return fmt.Sprintf("%s-%s:%s-%s.%s", p.Name, p.Epoch, p.Version, p.Release, p.Arch)
	}
	return fmt.Sprintf("%s-%s-%s.%s", p.Name, p.Version, p.Release, p.Arch)
}

// ReadPackage reads the RPM at path: its headers and the sha256 of the whole
// file, in one pass. href is the location recorded in the metadata;
// changelogLimit is the number of newest changelog entries kept (negative:
// all).
func ReadPackage(path, href string, changelogLimit int) (*Package, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	return readPackage(f, st.Size(), st.ModTime().Unix(), href, changelogLimit)
}

func readPackage(f io.Reader, size, mtime int64, href string, changelogLimit int) (*Package, error) {
	h := sha256.New()
	br := bufio.NewReaderSize(io.TeeReader(f, h), 64<<10)
	raw, err := rpm.ReadRaw(br)
	if err != nil {
		return nil, err
	}
	// The rest of the file only feeds the checksum.
	if _, err := io.Copy(io.Discard, br); err != nil {
		return nil, fmt.Errorf("read RPM payload: %w", err)
	}
	return parsePackage(raw, hex.EncodeToString(h.Sum(nil)), size, mtime, href, changelogLimit)
}

// readPackageBytes is readPackage for an RPM already in memory.
func readPackageBytes(data []byte, mtime int64, href string, changelogLimit int) (*Package, error) {
	sum := sha256.Sum256(data)
	return parsePackage(data, hex.EncodeToString(sum[:]), int64(len(data)), mtime, href, changelogLimit)
}

// parsePackage parses the headers at the start of data (the lead, the
// signature header and the main header; data may hold the whole file).
func parsePackage(data []byte, checksum string, size, mtime int64, href string, changelogLimit int) (*Package, error) {
	f, err := rpm.Parse(data)
	if err != nil {
		return nil, fmt.Errorf("read RPM header: %w", err)
	}
	p, err := packageFromHeader(f, changelogLimit)
	if err != nil {
		return nil, err
	}
	p.Checksum = checksum
	p.PackageSize = size
	p.FileTime = mtime
	p.Href = href
	return p, nil
}

func num(h *rpm.Header, tag rpm.Tag) int64 {
	v, _ := h.Uint(tag)
	return int64(v)
}

func packageFromHeader(f *rpm.File, changelogLimit int) (*Package, error) {
	h := f.Header
	p := &Package{
		Name:        h.String(rpm.TagName),
		Version:     h.String(rpm.TagVersion),
		Release:     h.String(rpm.TagRelease),
		Epoch:       fmt.Sprint(uint64(num(h, rpm.TagEpoch))),
		Summary:     h.String(rpm.TagSummary),
		Description: h.String(rpm.TagDescription),
		URL:         h.String(rpm.TagURL),
		BuildTime:   num(h, rpm.TagBuildTime),
		License:     h.String(rpm.TagLicense),
		Vendor:      h.String(rpm.TagVendor),
		Group:       h.String(rpm.TagGroup),
		Buildhost:   h.String(rpm.TagBuildHost),
		SourceRPM:   h.String(rpm.TagSourceRPM),
		Packager:    h.String(rpm.TagPackager),
	}
	if p.Name == "" {
		return nil, errors.New("RPM header has no name")
	}
	if num(h, rpm.TagSourcePackage) != 0 {
		p.Arch = "src"
	} else {
		p.Arch = h.String(rpm.TagArch)
	}
	if h.Has(rpm.TagLongSize) {
		p.InstalledSize = num(h, rpm.TagLongSize)
	} else {
		p.InstalledSize = num(h, rpm.TagSize)
	}
	if n, ok := f.PayloadSize(); ok {
		p.ArchiveSize = n
	} else {
		p.ArchiveSize = num(h, rpm.TagArchiveSize)
	}
	p.HeaderStart, p.HeaderEnd = f.HeaderStart, f.HeaderEnd

	// Files.
	fileSet := map[string]struct{}{}
	if h.Has(rpm.TagBaseNames) {
		dirs := h.Strings(rpm.TagDirNames)
		idx := h.Uint32s(rpm.TagDirIndexes)
		bases := h.Strings(rpm.TagBaseNames)
		flags := h.Uint32s(rpm.TagFileFlags)
		modes := h.Uint32s(rpm.TagFileModes)
		n := min(len(idx), len(bases), len(flags), len(modes))
		p.Files = make([]File, 0, n)
		for i := 0; i < n; i++ {
			dir := ""
			if int(idx[i]) < len(dirs) {
				dir = dirs[idx[i]]
			}
			full := dir + bases[i]
			typ := ""
			if modes[i]&0o170000 == 0o040000 {
				typ = "dir"
			} else if flags[i]&rpm.FileGhost != 0 {
				typ = "ghost"
			}
			p.Files = append(p.Files, File{Path: full, Type: typ})
			fileSet[full] = struct{}{}
		}
	}

	readDeps(h, p, fileSet)
	p.Changelogs = readChangelogs(h, changelogLimit)
	return p, nil
}

type depKind int

const (
	depProvides depKind = iota
	depConflicts
	depObsoletes
	depRequires
	depSuggests
	depEnhances
	depRecommends
	depSupplements
	depOldSuggests
	depOldEnhances
)

var depTags = []struct {
	kind                 depKind
	name, flags, version rpm.Tag
}{
	{depProvides, rpm.TagProvideName, rpm.TagProvideFlags, rpm.TagProvideVer},
	{depConflicts, rpm.TagConflictName, rpm.TagConflictFlags, rpm.TagConflictVer},
	{depObsoletes, rpm.TagObsoleteName, rpm.TagObsoleteFlags, rpm.TagObsoleteVer},
	{depRequires, rpm.TagRequireName, rpm.TagRequireFlags, rpm.TagRequireVer},
	{depSuggests, rpm.TagSuggestName, rpm.TagSuggestFlags, rpm.TagSuggestVer},
	{depEnhances, rpm.TagEnhanceName, rpm.TagEnhanceFlags, rpm.TagEnhanceVer},
	{depRecommends, rpm.TagRecommendName, rpm.TagRecommendFlags, rpm.TagRecommendVer},
	{depSupplements, rpm.TagSupplementName, rpm.TagSupplementFlags, rpm.TagSupplementVer},
	{depOldSuggests, rpm.TagOldSuggestsName, rpm.TagOldSuggestsFlags, rpm.TagOldSuggestsVer},
	{depOldEnhances, rpm.TagOldEnhancesName, rpm.TagOldEnhancesFlags, rpm.TagOldEnhancesVer},
}

// flagString is createrepo_c's cr_flag_to_str.
func flagString(f uint32) string {
	switch f & 0xf {
	case rpm.SenseLess:
		return "LT"
	case rpm.SenseGreater:
		return "GT"
	case rpm.SenseEqual:
		return "EQ"
	case rpm.SenseLess | rpm.SenseEqual:
		return "LE"
	case rpm.SenseGreater | rpm.SenseEqual:
		return "GE"
	}
	return ""
}

// splitEVR is createrepo_c's cr_str_to_evr: "[E:]V[-R]", the epoch "0"
// when absent; ok is false for a non-numeric epoch.
func splitEVR(s string) (e, v, r string, ok bool) {
	if s == "" {
		return "", "", "", true
	}
	rest := s
	if i := strings.IndexByte(s, ':'); i >= 0 {
		ep := s[:i]
		for _, c := range ep {
			if c < '0' || c > '9' {
				return "", "", "", false
			}
		}
		e = ep
		rest = s[i+1:]
	}
	if e == "" {
		e = "0"
	}
	if i := strings.IndexByte(rest, '-'); i >= 0 {
		v, r = rest[:i], rest[i+1:]
	} else {
		v = rest
	}
	return e, v, r, true
}

// IsPrimaryFile reports whether a file belongs in primary.xml's file list
// (createrepo_c's cr_is_primary): /etc/*, /usr/lib/sendmail, anything with
// "bin/" in it.
func IsPrimaryFile(path string) bool {
	return strings.HasPrefix(path, "/etc/") || path == "/usr/lib/sendmail" || strings.Contains(path, "bin/")
}

type seenReq struct {
	flags, version string
	pre            bool
}

// readDeps fills the dependency lists the way createrepo_c 0.17 does
// (parsehdr.c): rpmlib() requires, requires on the package's own primary
// files and requires identical to one of its provides are dropped, a
// requirement repeated with the same flags, version and pre-ness is written
// once, only the highest libc.so.6(...) requirement is kept (written last),
// and legacy weak dependencies are mapped to the new ones.
func readDeps(h *rpm.Header, p *Package, fileSet map[string]struct{}) {
	provided := map[string]struct{}{}
	seen := map[string]seenReq{}
	for _, dt := range depTags {
		names, flags, vers := h.Strings(dt.name), h.Uint32s(dt.flags), h.Strings(dt.version)
		if names == nil || flags == nil || vers == nil {
			continue
		}
		n := min(len(names), len(flags), len(vers))
		var libc *Dependency
		for i := 0; i < n; i++ {
			name, fl, ver := names[i], flags[i], vers[i]
			fs := flagString(fl)
			nfv := name + fs + ver
			pre := false
			if dt.kind == depRequires {
				if strings.HasPrefix(name, "rpmlib(") {
					continue
				}
				if strings.HasPrefix(name, "/") {
					if _, ok := fileSet[name]; ok && IsPrimaryFile(name) {
						continue
					}
				}
				if _, ok := provided[nfv]; ok {
					continue
				}
				pre = fl&(rpm.SensePrereq|rpm.SenseScriptPre|rpm.SenseScriptPost) != 0
				if s, ok := seen[name]; ok && s.flags == fs && s.version == ver && s.pre == pre {
					continue
				}
			}
			e, v, r, ok := splitEVR(ver)
			if !ok {
				continue // createrepo_c warns "Bad epoch" and skips it
			}
			d := Dependency{Name: name, Flags: fs, Epoch: e, Ver: v, Rel: r}
			switch dt.kind {
			case depProvides:
				provided[nfv] = struct{}{}
				p.Provides = append(p.Provides, d)
			case depConflicts:
				p.Conflicts = append(p.Conflicts, d)
			case depObsoletes:
				p.Obsoletes = append(p.Obsoletes, d)
			case depRequires:
				if fl&rpm.SenseMissingOK != 0 {
					p.Recommends = append(p.Recommends, d)
					break
				}
				d.Pre = pre
				if strings.HasPrefix(name, "libc.so.6") {
					if libc == nil || compareLibc(libc.Name, name) == 2 {
						dd := d
						libc = &dd
					}
					break
				}
				p.Requires = append(p.Requires, d)
				seen[name] = seenReq{flags: fs, version: ver, pre: pre}
			case depSuggests:
				p.Suggests = append(p.Suggests, d)
			case depEnhances:
				p.Enhances = append(p.Enhances, d)
			case depRecommends:
				p.Recommends = append(p.Recommends, d)
			case depSupplements:
				p.Supplements = append(p.Supplements, d)
			case depOldSuggests:
				if fl&rpm.SenseStrong != 0 {
					p.Recommends = append(p.Recommends, d)
				} else {
					p.Suggests = append(p.Suggests, d)
				}
			case depOldEnhances:
				if fl&rpm.SenseStrong != 0 {
					p.Supplements = append(p.Supplements, d)
				} else {
					p.Enhances = append(p.Enhances, d)
				}
			}
		}
		if dt.kind == depRequires && libc != nil {
			p.Requires = append(p.Requires, *libc)
		}
	}
}

// compareLibc is createrepo_c's cr_compare_dependency for two
// libc.so.6(...) names: 0 same, 1 first bigger, 2 second bigger.
func compareLibc(a, b string) int {
	if a == b {
		return 0
	}
	i1, i2 := strings.IndexByte(a, '('), strings.IndexByte(b, '(')
	switch {
	case i1 < 0 && i2 < 0:
		return 0
	case i1 < 0:
		return 2
	case i2 < 0:
		return 1
	}
	e1, e2 := strings.IndexByte(a[i1:], ')'), strings.IndexByte(b[i2:], ')')
	switch {
	case e1 < 0 && e2 < 0:
		return -1
	case e1 < 0:
		return 2
	case e2 < 0:
		return 1
	}
	e1 += i1
	e2 += i2
	v1, v2 := i1+1, i2+1
	switch {
	case v1 == e1 && v2 == e2:
		return 0
	case v1 == e1:
		return 2
	case v2 == e2:
		return 1
	}
	for v1 < len(a) && (a[v1] < '0' || a[v1] > '9') {
		v1++
	}
	for v2 < len(b) && (b[v2] < '0' || b[v2] > '9') {
		v2++
	}
	switch {
	case v1 > e1 && v2 > e2:
		return 0
	case v1 > e1:
		return 2
	case v2 > e2:
		return 1
	}
	switch rpm.Vercmp(a[v1:e1], b[v2:e2]) {
	case -1:
		return 2
	case 1:
		return 1
	}
	return 0
}

// readChangelogs keeps the newest limit entries (all when limit < 0),
// oldest first, and makes equal timestamps distinct the way createrepo_c
// does (an older entry with the same time as a newer one is moved one
// second later, repeatedly).
func readChangelogs(h *rpm.Header, limit int) []Changelog {
	if limit == 0 {
		return nil
	}
	times, names, texts := h.Uint64s(rpm.TagChangelogTime), h.Strings(rpm.TagChangelogName), h.Strings(rpm.TagChangelogText)
	if times == nil || names == nil || texts == nil {
		return nil
	}
	n := min(len(times), len(names), len(texts))
	if limit >= 0 && n > limit {
		n = limit
	}
	// Header order is newest first; build the list newest first as
	// createrepo_c's prepend does, in reverse: out[0] is the oldest kept.
	out := make([]Changelog, n)
	var last int64
	for i := 0; i < n; i++ {
		t := int64(times[i])
		author := names[i]
		if len(author) > 1 {
			j := len(author) - 1
			for j > 0 && author[j] == ' ' {
				j--
			}
			author = author[:j+1]
		}
		pos := n - 1 - i
		out[pos] = Changelog{Author: author, Date: t, Text: texts[i]}
		if i > 0 && last == t {
			// Entries after pos (newer, already placed) with the same
			// date move one second later each, in a chain.
			tmp := t
			for k := pos + 1; k < n && out[k].Date == tmp; k++ {
				out[k].Date++
				tmp++
			}
		} else {
			last = t
		}
	}
	return out
}

// validUTF8 returns s, converted from Latin-1 when it is not valid UTF-8
// (what createrepo_c does before writing XML).
func validUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		b.WriteRune(rune(s[i]))
	}
	return b.String()
}
