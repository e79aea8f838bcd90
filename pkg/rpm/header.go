// Package rpm reads the headers of RPM files (the lead, the signature header
// and the main header) and compares versions with rpm's rules. It also
// handles signature headers as Koji does: rips one out of an RPM, parses
// one alone, reads the OpenPGP key id of its signature and splices one
// into a copy of an RPM (sig.go).
//
// It is the one RPM reader of the project: repodata, the hub's importRPM,
// the builders and osg-koji import all use it. The reader never trusts the
// file: header sizes are bounded like rpm's own (hdrblob), every index entry
// is checked against the data store before it is used, and a malformed
// value reads as absent, never as a crash.
package rpm

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
)

// Tag is a header tag number. Signature header tags are numbered in the
// signature header's own space (SigMD5 is 1004 there).
type Tag uint32

// Main header tags (rpmtag.h).
const (
	TagName          Tag = 1000
	TagVersion       Tag = 1001
	TagRelease       Tag = 1002
	TagEpoch         Tag = 1003
	TagSummary       Tag = 1004
	TagDescription   Tag = 1005
	TagBuildTime     Tag = 1006
	TagBuildHost     Tag = 1007
	TagSize          Tag = 1009
	TagVendor        Tag = 1011
	TagLicense       Tag = 1014
	TagPackager      Tag = 1015
	TagGroup         Tag = 1016
	TagURL           Tag = 1020
	TagArch          Tag = 1022
	TagFileModes     Tag = 1030
	TagFileFlags     Tag = 1037
	TagSourceRPM     Tag = 1044
	TagArchiveSize   Tag = 1046
	TagProvideName   Tag = 1047
	TagRequireFlags  Tag = 1048
	TagRequireName   Tag = 1049
	TagRequireVer    Tag = 1050
	TagConflictFlags Tag = 1053
	TagConflictName  Tag = 1054
	TagConflictVer   Tag = 1055
	TagExcludeArch   Tag = 1059
	TagExclusiveArch Tag = 1061
	TagChangelogTime Tag = 1080
	TagChangelogName Tag = 1081
	TagChangelogText Tag = 1082
	TagBuildArchs    Tag = 1089
	TagObsoleteName  Tag = 1090
	TagProvideFlags  Tag = 1112
	TagProvideVer    Tag = 1113
	TagObsoleteFlags Tag = 1114
	TagObsoleteVer   Tag = 1115
	TagDirIndexes    Tag = 1116
	TagBaseNames     Tag = 1117
	TagDirNames      Tag = 1118
	TagSourcePackage Tag = 1106
	// The weak dependencies of rpm < 4.12 (SUGGESTS, ENHANCES).
	TagOldSuggestsName  Tag = 1156
	TagOldSuggestsVer   Tag = 1157
	TagOldSuggestsFlags Tag = 1158
	TagOldEnhancesName  Tag = 1159
	TagOldEnhancesVer   Tag = 1160
	TagOldEnhancesFlags Tag = 1161
	TagLongSize         Tag = 5009
	TagRecommendName    Tag = 5046
	TagRecommendVer     Tag = 5047
	TagRecommendFlags   Tag = 5048
	TagSuggestName      Tag = 5049
	TagSuggestVer       Tag = 5050
	TagSuggestFlags     Tag = 5051
	TagSupplementName   Tag = 5052
	TagSupplementVer    Tag = 5053
	TagSupplementFlags  Tag = 5054
	TagEnhanceName      Tag = 5055
	TagEnhanceVer       Tag = 5056
	TagEnhanceFlags     Tag = 5057
)

// Signature header tags.
const (
	SigTagLongArchiveSize Tag = 271  // uncompressed payload size, 64 bits
	SigTagMD5             Tag = 1004 // MD5 of the header and the payload
	SigTagPayloadSize     Tag = 1007 // uncompressed payload size, 32 bits
)

// Dependency flag bits (rpmds.h).
const (
	SenseLess       = 1 << 1
	SenseGreater    = 1 << 2
	SenseEqual      = 1 << 3
	SensePrereq     = 1 << 6
	SenseScriptPre  = 1 << 9
	SenseScriptPost = 1 << 10
	SenseRPMLib     = 1 << 24
	SenseMissingOK  = 1 << 19
	SenseStrong     = 1 << 27
	// SenseCompare are the comparison bits.
	SenseCompare = SenseLess | SenseGreater | SenseEqual
)

// File flag bits.
const FileGhost = 1 << 6

// Data types of header entries.
const (
	typeNull = iota
	typeChar
	typeInt8
	typeInt16
	typeInt32
	typeInt64
	typeString
	typeBin
	typeStringArray
	typeI18NString
)

// Limits on headers, as rpm's own: larger ones are refused before anything
// is allocated for them.
const (
	MaxEntries  = 1 << 16
	MaxDataSize = 256 << 20
)

const (
	leadSize    = 96
	leadMagic   = 0xedabeedb
	headerMagic = 0x8eade801
)

type entry struct {
	tag    Tag
	typ    uint32
	offset uint32
	count  uint32
}

// Header is one header structure: its index and data store.
type Header struct {
	index []entry // sorted by tag
	store []byte
}

// File is what Read returns: the headers of an RPM file and where the main
// header lies in it (createrepo's header range).
type File struct {
	Signature, Header *Header
	// HeaderStart and HeaderEnd are the byte offsets of the main header in
	// the file: the payload starts at HeaderEnd.
	HeaderStart, HeaderEnd int64
}

// ReadFile reads the headers of the RPM file at path.
func ReadFile(path string) (*File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	h, err := Read(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return h, nil
}

// Read reads the headers of an RPM from r, leaving r at the payload. The
// headers are read into memory with the sizes checked first.
func Read(r io.Reader) (*File, error) {
	raw, err := ReadRaw(r)
	if err != nil {
		return nil, err
	}
	return Parse(raw)
}

// ReadRaw reads the lead, the signature header (with its padding) and the
// main header from r, checking magic numbers and sizes, and returns those
// bytes for Parse.
func ReadRaw(r io.Reader) ([]byte, error) {
	buf := make([]byte, leadSize, 4096)
	if _, err := io.ReadFull(r, buf); err != nil {
		return nil, fmt.Errorf("file too short for an RPM: %w", noEOF(err))
	}
	if binary.BigEndian.Uint32(buf) != leadMagic {
		return nil, errors.New("not an RPM file (bad lead magic)")
	}
	for _, sig := range []bool{true, false} {
		start := len(buf)
		var err error
		if buf, err = readMore(r, buf, 16); err != nil {
			return nil, err
		}
		n, size, err := intro(buf[start:])
		if err != nil {
			return nil, err
		}
		length := int(n)*16 + int(size)
		if sig {
			length += pad8(16 + length)
		}
		if buf, err = readMore(r, buf, length); err != nil {
			return nil, err
		}
	}
	return buf, nil
}

// readMore appends n bytes from r to buf, growing it as the bytes arrive:
// a header that claims more than the file holds costs no more memory than
// the file.
func readMore(r io.Reader, buf []byte, n int) ([]byte, error) {
	for n > 0 {
		step := min(n, 1<<20)
		at := len(buf)
		buf = append(buf, make([]byte, step)...)
		if _, err := io.ReadFull(r, buf[at:]); err != nil {
			return nil, fmt.Errorf("RPM header truncated: %w", noEOF(err))
		}
		n -= step
	}
	return buf, nil
}

func noEOF(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

func pad8(n int) int { return (8 - n%8) % 8 }

// intro checks a header's 16-byte intro and returns its entry count and
// data size.
func intro(b []byte) (n, size uint32, err error) {
	if binary.BigEndian.Uint32(b) != headerMagic {
		return 0, 0, errors.New("bad RPM header magic")
	}
	n, size = binary.BigEndian.Uint32(b[8:]), binary.BigEndian.Uint32(b[12:])
	if n > MaxEntries || size > MaxDataSize {
		return 0, 0, fmt.Errorf("RPM header too large (%d entries, %d bytes)", n, size)
	}
	return n, size, nil
}

// Parse parses the headers of an RPM from data, which starts at the lead
// and holds at least the main header (it may hold the whole file). The
// headers keep slices of data: do not change it while they are in use.
func Parse(data []byte) (*File, error) {
	if len(data) < leadSize+16 {
		return nil, errors.New("file too short for an RPM")
	}
	if binary.BigEndian.Uint32(data) != leadMagic {
		return nil, errors.New("not an RPM file (bad lead magic)")
	}
	f := &File{}
	sig, end, err := parseHeader(data, leadSize)
	if err != nil {
		return nil, fmt.Errorf("signature header: %w", err)
	}
	end += pad8(end - leadSize)
	f.Signature = sig
	f.HeaderStart = int64(end)
	if f.Header, end, err = parseHeader(data, end); err != nil {
		return nil, err
	}
	f.HeaderEnd = int64(end)
	for _, t := range []struct {
		tag  Tag
		name string
	}{{TagName, "name"}, {TagVersion, "version"}, {TagRelease, "release"}} {
		if f.Header.String(t.tag) == "" {
			return nil, fmt.Errorf("RPM header has no %s", t.name)
		}
	}
	return f, nil
}

// parseHeader parses the header structure at data[at:], returning it and
// the offset just after it.
func parseHeader(data []byte, at int) (*Header, int, error) {
	if len(data)-at < 16 {
		return nil, 0, errors.New("RPM header truncated")
	}
	n, size, err := intro(data[at:])
	if err != nil {
		return nil, 0, err
	}
	idx := at + 16
	st := idx + int(n)*16
	end := st + int(size)
	if end > len(data) {
		return nil, 0, errors.New("RPM header truncated")
	}
	h := &Header{index: make([]entry, 0, n), store: data[st:end:end]}
	sorted := true
	for i := 0; i < int(n); i++ {
		b := data[idx+16*i:]
		e := entry{
			tag:    Tag(binary.BigEndian.Uint32(b)),
			typ:    binary.BigEndian.Uint32(b[4:]),
			offset: binary.BigEndian.Uint32(b[8:]),
			count:  binary.BigEndian.Uint32(b[12:]),
		}
		if e.typ > typeI18NString || e.offset > size {
			return nil, 0, fmt.Errorf("corrupt RPM header: bad index entry for tag %d", e.tag)
		}
		if sz := typeSize(e.typ); sz > 0 && uint64(e.offset)+uint64(e.count)*uint64(sz) > uint64(size) {
			return nil, 0, fmt.Errorf("corrupt RPM header: tag %d runs past the data", e.tag)
		}
		if len(h.index) > 0 && h.index[len(h.index)-1].tag >= e.tag {
			sorted = false
		}
		h.index = append(h.index, e)
	}
	if !sorted {
		sort.SliceStable(h.index, func(i, j int) bool { return h.index[i].tag < h.index[j].tag })
	}
	return h, end, nil
}

// typeSize is the size of one value of a fixed-size type, 0 for strings.
func typeSize(t uint32) int {
	switch t {
	case typeChar, typeInt8, typeBin:
		return 1
	case typeInt16:
		return 2
	case typeInt32:
		return 4
	case typeInt64:
		return 8
	}
	return 0
}

func (h *Header) find(tag Tag) (entry, bool) {
	if h == nil {
		return entry{}, false
	}
	i := sort.Search(len(h.index), func(i int) bool { return h.index[i].tag >= tag })
	if i < len(h.index) && h.index[i].tag == tag {
		return h.index[i], true
	}
	return entry{}, false
}

// Has reports whether the header has tag.
func (h *Header) Has(tag Tag) bool {
	_, ok := h.find(tag)
	return ok
}

// Strings returns the values of a string tag (STRING, STRING_ARRAY or
// I18NSTRING, whose first value is the untranslated one); nil when the
// tag is absent, not a string or malformed.
func (h *Header) Strings(tag Tag) []string {
	e, ok := h.find(tag)
	if !ok || (e.typ != typeString && e.typ != typeStringArray && e.typ != typeI18NString) {
		return nil
	}
	count := int(e.count)
	if e.typ == typeString {
		count = 1
	}
	b := h.store[e.offset:]
	if count > len(b) {
		return nil // each string takes at least its NUL
	}
	out := make([]string, count)
	for i := range out {
		j := bytes.IndexByte(b, 0)
		if j < 0 {
			return nil
		}
		out[i] = string(b[:j])
		b = b[j+1:]
	}
	return out
}

// String returns the first value of a string tag, "" when absent.
func (h *Header) String(tag Tag) string {
	e, ok := h.find(tag)
	if !ok || (e.typ != typeString && e.typ != typeStringArray && e.typ != typeI18NString) || e.count == 0 {
		return ""
	}
	b := h.store[e.offset:]
	if j := bytes.IndexByte(b, 0); j >= 0 {
		return string(b[:j])
	}
	return ""
}

// ints finds an integer tag: its entry and the width of its values; ok is
// false when the tag is absent or not an integer. The count was checked
// against the data store for these types.
func (h *Header) ints(tag Tag) (e entry, width int, ok bool) {
	e, ok = h.find(tag)
	if !ok || e.typ == typeBin {
		return entry{}, 0, false
	}
	width = typeSize(e.typ)
	return e, width, width > 0
}

// intAt decodes the i-th value of an integer entry of the given width.
func (h *Header) intAt(e entry, width, i int) uint64 {
	b := h.store[int(e.offset)+width*i:]
	switch width {
	case 1:
		return uint64(b[0])
	case 2:
		return uint64(binary.BigEndian.Uint16(b))
	case 4:
		return uint64(binary.BigEndian.Uint32(b))
	}
	return binary.BigEndian.Uint64(b)
}

// Uint64s returns the values of an integer tag of any width; nil when the
// tag is absent or not an integer.
func (h *Header) Uint64s(tag Tag) []uint64 {
	e, w, ok := h.ints(tag)
	if !ok {
		return nil
	}
	out := make([]uint64, e.count)
	for i := range out {
		out[i] = h.intAt(e, w, i)
	}
	return out
}

// Uint32s is Uint64s truncated to 32 bits (flags, modes, indexes).
func (h *Header) Uint32s(tag Tag) []uint32 {
	e, w, ok := h.ints(tag)
	if !ok {
		return nil
	}
	out := make([]uint32, e.count)
	for i := range out {
		out[i] = uint32(h.intAt(e, w, i))
	}
	return out
}

// Uint returns the first value of an integer tag.
func (h *Header) Uint(tag Tag) (uint64, bool) {
	e, w, ok := h.ints(tag)
	if !ok || e.count == 0 {
		return 0, false
	}
	return h.intAt(e, w, 0), true
}

// Bytes returns the value of a BIN tag (a copy).
func (h *Header) Bytes(tag Tag) []byte {
	e, ok := h.find(tag)
	if !ok || e.typ != typeBin {
		return nil
	}
	return bytes.Clone(h.store[e.offset : e.offset+e.count])
}

// IsSource reports whether the file is a source RPM: its main header has
// a non-zero SOURCEPACKAGE or no SOURCERPM (rpm's own test).
func (f *File) IsSource() bool {
	if v, ok := f.Header.Uint(TagSourcePackage); ok && v != 0 {
		return true
	}
	return f.Header.String(TagSourceRPM) == ""
}

// Epoch returns the EPOCH tag, nil when there is none.
func (f *File) Epoch() *int {
	if e, ok := f.Header.Uint(TagEpoch); ok {
		v := int(int32(e))
		return &v
	}
	return nil
}

// Arch is the package's architecture, "src" for a source RPM.
func (f *File) Arch() string {
	if f.IsSource() {
		return "src"
	}
	return f.Header.String(TagArch)
}

// SigMD5 is the hex MD5 of the header and payload from the signature
// header (Koji's payloadhash), "" when absent.
func (f *File) SigMD5() string {
	return hex.EncodeToString(f.Signature.Bytes(SigTagMD5))
}

// PayloadSize is the uncompressed payload size from the signature header.
func (f *File) PayloadSize() (int64, bool) {
	if v, ok := f.Signature.Uint(SigTagLongArchiveSize); ok {
		return int64(v), true
	}
	if v, ok := f.Signature.Uint(SigTagPayloadSize); ok {
		return int64(v), true
	}
	return 0, false
}
