package repodata

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"unicode/utf8"

	rpmutils "github.com/sassoftware/go-rpmutils"
)

// Header tags go-rpmutils has no names for.
const (
	tagSourcePackage     = 1106
	tagOldSuggestsName   = 1156
	tagOldSuggestsVer    = 1157
	tagOldSuggestsFlags  = 1158
	tagOldEnhancesName   = 1159
	tagOldEnhancesVer    = 1160
	tagOldEnhancesFlags  = 1161
	tagRecommendName     = 5046
	tagRecommendVersion  = 5047
	tagRecommendFlags    = 5048
	tagSuggestName       = 5049
	tagSuggestVersion    = 5050
	tagSuggestFlags      = 5051
	tagSupplementName    = 5052
	tagSupplementVersion = 5053
	tagSupplementFlags   = 5054
	tagEnhanceName       = 5055
	tagEnhanceVersion    = 5056
	tagEnhanceFlags      = 5057
)

// Dependency flag bits (rpmds.h).
const (
	senseLess       = 1 << 1
	senseGreater    = 1 << 2
	senseEqual      = 1 << 3
	sensePrereq     = 1 << 6
	senseScriptPre  = 1 << 9
	senseScriptPost = 1 << 10
	senseMissingOK  = 1 << 19
	senseStrong     = 1 << 27
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
	raw, err := readHeaderBytes(br)
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
	raw, err := readHeaderBytes(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(data)
	return parsePackage(raw, hex.EncodeToString(sum[:]), int64(len(data)), mtime, href, changelogLimit)
}

// parsePackage parses the raw headers (lead, signature, main header).
func parsePackage(raw []byte, checksum string, size, mtime int64, href string, changelogLimit int) (p *Package, err error) {
	// go-rpmutils trusts the offsets in the header index; a corrupt
	// header must be an error, not a crash.
	defer func() {
		if r := recover(); r != nil {
			p, err = nil, fmt.Errorf("corrupt RPM header: %v", r)
		}
	}()
	hdr, err := rpmutils.ReadHeader(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("read RPM header: %w", err)
	}
	p, err = packageFromHeader(hdr, changelogLimit)
	if err != nil {
		return nil, err
	}
	p.Checksum = checksum
	p.PackageSize = size
	p.FileTime = mtime
	p.Href = href
	return p, nil
}

// Limits on header sizes, as rpm's own (hdrblob): go-rpmutils allocates
// what a header says before reading it, so the headers are first read here,
// checked and bounded, and handed to it from memory.
const (
	maxHeaderEntries = 1 << 16
	maxHeaderData    = 256 << 20
)

// readHeaderBytes reads the lead, the signature header (padded to 8 bytes)
// and the main header, checking their magic numbers and sizes.
func readHeaderBytes(r io.Reader) ([]byte, error) {
	var buf bytes.Buffer
	if _, err := io.CopyN(&buf, r, 96); err != nil {
		return nil, fmt.Errorf("file too short for an RPM: %w", err)
	}
	if binary.BigEndian.Uint32(buf.Bytes()[0:4]) != 0xedabeedb {
		return nil, errors.New("not an RPM file (bad lead magic)")
	}
	for _, sig := range []bool{true, false} {
		start := buf.Len()
		if _, err := io.CopyN(&buf, r, 16); err != nil {
			return nil, fmt.Errorf("RPM header truncated: %w", err)
		}
		intro := buf.Bytes()[start:]
		if binary.BigEndian.Uint32(intro[0:4]) != 0x8eade801 {
			return nil, errors.New("bad RPM header magic")
		}
		n, size := int64(binary.BigEndian.Uint32(intro[8:12])), int64(binary.BigEndian.Uint32(intro[12:16]))
		if n > maxHeaderEntries || size > maxHeaderData {
			return nil, fmt.Errorf("RPM header too large (%d entries, %d bytes)", n, size)
		}
		length := n*16 + size
		if sig {
			length = (int64(start)+16+length+7)&^7 - int64(start) - 16
		}
		if _, err := io.CopyN(&buf, r, length); err != nil {
			return nil, fmt.Errorf("RPM header truncated: %w", err)
		}
	}
	return buf.Bytes(), nil
}

// str returns the first string of a tag, "" when it is absent.
func str(h *rpmutils.RpmHeader, tag int) string {
	v, err := h.GetStrings(tag)
	if err != nil || len(v) == 0 {
		return ""
	}
	return v[0]
}

func num(h *rpmutils.RpmHeader, tag int) int64 {
	v, err := h.GetUint64s(tag)
	if err != nil || len(v) == 0 {
		return 0
	}
	return int64(v[0])
}

func packageFromHeader(h *rpmutils.RpmHeader, changelogLimit int) (*Package, error) {
	p := &Package{
		Name:        str(h, rpmutils.NAME),
		Version:     str(h, rpmutils.VERSION),
		Release:     str(h, rpmutils.RELEASE),
		Epoch:       fmt.Sprint(uint64(num(h, rpmutils.EPOCH))),
		Summary:     str(h, rpmutils.SUMMARY),
		Description: str(h, rpmutils.DESCRIPTION),
		URL:         str(h, rpmutils.URL),
		BuildTime:   num(h, rpmutils.BUILDTIME),
		License:     str(h, rpmutils.LICENSE),
		Vendor:      str(h, rpmutils.VENDOR),
		Group:       str(h, rpmutils.GROUP),
		Buildhost:   str(h, rpmutils.BUILDHOST),
		SourceRPM:   str(h, rpmutils.SOURCERPM),
		Packager:    str(h, rpmutils.PACKAGER),
	}
	if p.Name == "" {
		return nil, errors.New("RPM header has no name")
	}
	if num(h, tagSourcePackage) != 0 {
		p.Arch = "src"
	} else {
		p.Arch = str(h, rpmutils.ARCH)
	}
	if h.HasTag(rpmutils.LONGSIZE) {
		p.InstalledSize = num(h, rpmutils.LONGSIZE)
	} else {
		p.InstalledSize = num(h, rpmutils.SIZE)
	}
	if n, err := h.PayloadSize(); err == nil {
		p.ArchiveSize = n
	} else {
		p.ArchiveSize = num(h, rpmutils.ARCHIVESIZE)
	}
	r := h.GetRange()
	p.HeaderStart, p.HeaderEnd = int64(r.Start), int64(r.End)

	// Files.
	fileSet := map[string]struct{}{}
	if h.HasTag(rpmutils.BASENAMES) {
		dirs, _ := h.GetStrings(rpmutils.DIRNAMES)
		idx, _ := h.GetUint32s(rpmutils.DIRINDEXES)
		bases, _ := h.GetStrings(rpmutils.BASENAMES)
		flags, _ := h.GetUint32s(rpmutils.FILEFLAGS)
		modes, _ := h.GetUint32s(rpmutils.FILEMODES)
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
			} else if flags[i]&rpmutils.RPMFILE_GHOST != 0 {
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
	name, flags, version int
}{
	{depProvides, rpmutils.PROVIDENAME, rpmutils.PROVIDEFLAGS, rpmutils.PROVIDEVERSION},
	{depConflicts, rpmutils.CONFLICTNAME, rpmutils.CONFLICTFLAGS, rpmutils.CONFLICTVERSION},
	{depObsoletes, rpmutils.OBSOLETENAME, rpmutils.OBSOLETEFLAGS, rpmutils.OBSOLETEVERSION},
	{depRequires, rpmutils.REQUIRENAME, rpmutils.REQUIREFLAGS, rpmutils.REQUIREVERSION},
	{depSuggests, tagSuggestName, tagSuggestFlags, tagSuggestVersion},
	{depEnhances, tagEnhanceName, tagEnhanceFlags, tagEnhanceVersion},
	{depRecommends, tagRecommendName, tagRecommendFlags, tagRecommendVersion},
	{depSupplements, tagSupplementName, tagSupplementFlags, tagSupplementVersion},
	{depOldSuggests, tagOldSuggestsName, tagOldSuggestsFlags, tagOldSuggestsVer},
	{depOldEnhances, tagOldEnhancesName, tagOldEnhancesFlags, tagOldEnhancesVer},
}

// flagString is createrepo_c's cr_flag_to_str.
func flagString(f uint32) string {
	switch f & 0xf {
	case senseLess:
		return "LT"
	case senseGreater:
		return "GT"
	case senseEqual:
		return "EQ"
	case senseLess | senseEqual:
		return "LE"
	case senseGreater | senseEqual:
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
func readDeps(h *rpmutils.RpmHeader, p *Package, fileSet map[string]struct{}) {
	provided := map[string]struct{}{}
	seen := map[string]seenReq{}
	for _, dt := range depTags {
		if !h.HasTag(dt.name) {
			continue
		}
		names, err1 := h.GetStrings(dt.name)
		flags, err2 := h.GetUint32s(dt.flags)
		vers, err3 := h.GetStrings(dt.version)
		if err1 != nil || err2 != nil || err3 != nil {
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
				pre = fl&(sensePrereq|senseScriptPre|senseScriptPost) != 0
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
				if fl&senseMissingOK != 0 {
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
				if fl&senseStrong != 0 {
					p.Recommends = append(p.Recommends, d)
				} else {
					p.Suggests = append(p.Suggests, d)
				}
			case depOldEnhances:
				if fl&senseStrong != 0 {
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
	switch rpmutils.Vercmp(a[v1:e1], b[v2:e2]) {
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
func readChangelogs(h *rpmutils.RpmHeader, limit int) []Changelog {
	if limit == 0 || !h.HasTag(rpmutils.CHANGELOGTIME) {
		return nil
	}
	times, err1 := h.GetUint64s(rpmutils.CHANGELOGTIME)
	names, err2 := h.GetStrings(rpmutils.CHANGELOGNAME)
	texts, err3 := h.GetStrings(rpmutils.CHANGELOGTEXT)
	if err1 != nil || err2 != nil || err3 != nil {
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
