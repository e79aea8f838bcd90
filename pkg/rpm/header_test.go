package rpm

import (
	"bytes"
	"encoding/binary"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/osg-htc/osg-build-go/internal/testutil"
)

var rpmsDir = filepath.Join("..", "..", "testdata", "rpms")

func TestReadFile(t *testing.T) {
	f, err := ReadFile(filepath.Join(rpmsDir, "osgtest-full-1.2.3-4.x86_64.rpm"))
	if err != nil {
		t.Fatal(err)
	}
	h := f.Header
	for tag, want := range map[Tag]string{
		TagName: "osgtest-full", TagVersion: "1.2.3", TagRelease: "4", TagArch: "x86_64",
		TagSourceRPM: "osgtest-full-1.2.3-4.src.rpm",
	} {
		if got := h.String(tag); got != want {
			t.Errorf("String(%d) = %q, want %q", tag, got, want)
		}
	}
	if e := f.Epoch(); e == nil || *e != 2 {
		t.Errorf("Epoch = %v, want 2", e)
	}
	if f.IsSource() || f.Arch() != "x86_64" {
		t.Errorf("IsSource = %v, Arch = %q", f.IsSource(), f.Arch())
	}
	if got := f.SigMD5(); got != "64b74274f6b87f514942e9373052e56b" {
		t.Errorf("SigMD5 = %s", got)
	}
	if bt, ok := h.Uint(TagBuildTime); !ok || bt != 1767225600 {
		t.Errorf("BUILDTIME = %d, %v", bt, ok)
	}
	if n, ok := f.PayloadSize(); !ok || n <= 0 {
		t.Errorf("PayloadSize = %d, %v", n, ok)
	}
	if f.HeaderStart <= 96 || f.HeaderEnd <= f.HeaderStart || f.HeaderStart%8 != 0 {
		t.Errorf("header range [%d, %d)", f.HeaderStart, f.HeaderEnd)
	}
	names := h.Strings(TagRequireName)
	if len(names) == 0 || len(h.Uint32s(TagRequireFlags)) != len(names) || len(h.Strings(TagRequireVer)) != len(names) {
		t.Errorf("requires: %d names, %d flags, %d versions", len(names), len(h.Uint32s(TagRequireFlags)), len(h.Strings(TagRequireVer)))
	}
	// Wrong-type and absent tags read as absent.
	if h.Strings(TagBuildTime) != nil || h.Uint64s(TagName) != nil || h.Bytes(TagName) != nil || h.String(9999) != "" {
		t.Error("a tag read as the wrong type")
	}
	if _, ok := h.Uint(9999); ok {
		t.Error("an absent tag read as present")
	}

	src, err := ReadFile(filepath.Join(rpmsDir, "osgtest-noarch-0.5-1.src.rpm"))
	if err != nil {
		t.Fatal(err)
	}
	if !src.IsSource() || src.Arch() != "src" || src.Epoch() != nil {
		t.Errorf("source RPM: IsSource %v, Arch %q, Epoch %v", src.IsSource(), src.Arch(), src.Epoch())
	}
}

// TestSameAsRPM compares what the reader sees in every test RPM with what
// rpm -qp prints.
func TestSameAsRPM(t *testing.T) {
	testutil.RequireTool(t, "rpm")
	paths, _ := filepath.Glob(filepath.Join(rpmsDir, "*.rpm"))
	if len(paths) == 0 {
		t.Fatal("no test RPMs")
	}
	const qf = `%{NAME}|%{VERSION}|%{RELEASE}|%{EPOCH}|%{SOURCERPM}|%{SIGMD5}|%{BUILDTIME}|%{SUMMARY}|[%{REQUIRENAME},]|[%{REQUIREFLAGS},]|[%{REQUIREVERSION},]|[%{PROVIDENAME},]|[%{BASENAMES},]|[%{DIRINDEXES},]|[%{DIRNAMES},]|[%{FILEMODES},]|[%{CHANGELOGTIME},]`
	for _, p := range paths {
		out, err := exec.Command("rpm", "-qp", "--nosignature", "--nodigest", "--qf", qf, p).Output()
		if err != nil {
			t.Fatalf("rpm -qp %s: %v", p, err)
		}
		f, err := ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		h := f.Header
		or := func(s, none string) string {
			if s == "" {
				return none
			}
			return s
		}
		list := func(v []string) string {
			var b strings.Builder
			for _, s := range v {
				b.WriteString(s + ",")
			}
			return b.String()
		}
		nums := func(v []uint64) string {
			var b strings.Builder
			for _, n := range v {
				b.WriteString(strconv.FormatUint(n, 10) + ",")
			}
			return b.String()
		}
		epoch := "(none)"
		if e := f.Epoch(); e != nil {
			epoch = strconv.Itoa(*e)
		}
		bt, _ := h.Uint(TagBuildTime)
		got := strings.Join([]string{
			h.String(TagName), h.String(TagVersion), h.String(TagRelease), epoch,
			or(h.String(TagSourceRPM), "(none)"), f.SigMD5(), strconv.FormatUint(bt, 10), h.String(TagSummary),
			list(h.Strings(TagRequireName)), nums(h.Uint64s(TagRequireFlags)), list(h.Strings(TagRequireVer)),
			list(h.Strings(TagProvideName)), list(h.Strings(TagBaseNames)), nums(h.Uint64s(TagDirIndexes)),
			list(h.Strings(TagDirNames)), nums(h.Uint64s(TagFileModes)), nums(h.Uint64s(TagChangelogTime)),
		}, "|")
		if got != string(out) {
			t.Errorf("%s:\nours %s\nrpm  %s", filepath.Base(p), got, out)
		}
	}
}

func TestReadMatchesParse(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(rpmsDir, "osgtest-full-libs-1.2.3-4.x86_64.rpm"))
	if err != nil {
		t.Fatal(err)
	}
	r := bytes.NewReader(data)
	streamed, err := Read(r)
	if err != nil {
		t.Fatal(err)
	}
	if rest := int64(r.Len()); int64(len(data))-rest != streamed.HeaderEnd {
		t.Errorf("Read stopped at %d, the header ends at %d", int64(len(data))-rest, streamed.HeaderEnd)
	}
	whole, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	if whole.HeaderStart != streamed.HeaderStart || whole.HeaderEnd != streamed.HeaderEnd ||
		!reflect.DeepEqual(whole.Header.Strings(TagBaseNames), streamed.Header.Strings(TagBaseNames)) {
		t.Error("Parse of the whole file and Read of a stream differ")
	}
}

func TestBadInput(t *testing.T) {
	good, err := os.ReadFile(filepath.Join(rpmsDir, "osgtest-noarch-0.5-1.noarch.rpm"))
	if err != nil {
		t.Fatal(err)
	}
	f, err := Parse(good)
	if err != nil {
		t.Fatal(err)
	}
	mod := func(fn func(b []byte)) []byte {
		b := bytes.Clone(good)
		fn(b)
		return b
	}
	hs := f.HeaderStart
	for name, c := range map[string]struct {
		data []byte
		want string
	}{
		"empty":           {nil, "too short"},
		"lead only":       {good[:96], "too short"},
		"not an rpm":      {mod(func(b []byte) { b[0] = 'x' }), "bad lead magic"},
		"bad header":      {mod(func(b []byte) { b[hs] = 0 }), "bad RPM header magic"},
		"huge count":      {mod(func(b []byte) { binary.BigEndian.PutUint32(b[hs+8:], 1<<30) }), "too large"},
		"truncated":       {good[:f.HeaderEnd-1], "truncated"},
		"entry past data": {mod(func(b []byte) { binary.BigEndian.PutUint32(b[hs+16+12:], 1<<28) }), "runs past"},
		"bad type":        {mod(func(b []byte) { binary.BigEndian.PutUint32(b[hs+16+4:], 77) }), "bad index entry"},
		"no name": {mod(func(b []byte) {
			for i := hs + 16; ; i += 16 {
				if binary.BigEndian.Uint32(b[i:]) == uint32(TagName) {
					binary.BigEndian.PutUint32(b[i:], 999) // an unknown tag
					return
				}
			}
		}), "has no name"},
	} {
		_, err := Parse(c.data)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one with %q", name, err, c.want)
		}
		_, err = Read(bytes.NewReader(c.data))
		if err == nil && name != "entry past data" && name != "bad type" {
			t.Errorf("%s: Read accepted it", name)
		}
	}
}

// testHeaders returns the raw headers of every test RPM.
func testHeaders(t testing.TB) [][]byte {
	paths, _ := filepath.Glob(filepath.Join(rpmsDir, "*.rpm"))
	if len(paths) == 0 {
		t.Fatal("no test RPMs")
	}
	var raws [][]byte
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		raw, err := ReadRaw(f)
		f.Close()
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		raws = append(raws, raw)
	}
	return raws
}

// TestParseMutated runs the fuzz target's checks on a few thousand
// deterministic random mutations of the test RPMs' headers: the
// coverage-guided fuzzer is for longer runs (go test -fuzz FuzzParse).
func TestParseMutated(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, raw := range testHeaders(t) {
		for range 2000 {
			b := bytes.Clone(raw)
			for range 1 + rng.IntN(4) {
				b[rng.IntN(len(b))] = byte(rng.IntN(256))
			}
			checkParse(t, b)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, raw := range testHeaders(f) {
		f.Add(raw)
	}
	f.Fuzz(checkParse)
}

// checkParse parses data and, when it is accepted, reads every tag present
// with every accessor: nothing may crash or run outside data.
func checkParse(t *testing.T, data []byte) {
	file, err := Parse(data)
	if err != nil {
		return
	}
	// Every accessor on every tag present must answer without a crash.
	for _, h := range []*Header{file.Signature, file.Header} {
		for _, e := range h.index {
			h.Strings(e.tag)
			h.String(e.tag)
			h.Uint64s(e.tag)
			h.Uint32s(e.tag)
			h.Uint(e.tag)
			h.Bytes(e.tag)
		}
	}
	file.IsSource()
	file.Epoch()
	file.SigMD5()
	file.PayloadSize()
	if file.HeaderEnd > int64(len(data)) || file.HeaderStart > file.HeaderEnd {
		t.Fatalf("header range [%d, %d) outside %d bytes", file.HeaderStart, file.HeaderEnd, len(data))
	}
}

// TestReadClaimsMoreThanFile: a header that claims the largest allowed
// size over a short file is an error, read without allocating that size.
func TestReadClaimsMoreThanFile(t *testing.T) {
	raw := testHeaders(t)[0]
	b := bytes.Clone(raw[:96+16])
	binary.BigEndian.PutUint32(b[96+8:], MaxEntries)
	binary.BigEndian.PutUint32(b[96+12:], MaxDataSize)
	b = append(b, make([]byte, 4096)...)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := Read(bytes.NewReader(b))
	runtime.ReadMemStats(&after)
	if err == nil || !strings.Contains(err.Error(), "truncated") {
		t.Errorf("error %v, want a truncated header", err)
	}
	if got := after.TotalAlloc - before.TotalAlloc; got > 8<<20 {
		t.Errorf("reading a 4 KiB file allocated %d bytes", got)
	}
}
