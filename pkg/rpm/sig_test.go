package rpm

import (
	"bytes"
	"encoding/binary"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/osg-htc/osg-build-go/internal/testutil"
)

// TestRipSigHeader: the signature header of every test RPM is the bytes
// between the lead and the main header, and parses alone.
func TestRipSigHeader(t *testing.T) {
	paths, _ := filepath.Glob(filepath.Join(rpmsDir, "*.rpm"))
	if len(paths) == 0 {
		t.Fatal("no test RPMs")
	}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		f, err := Parse(data)
		if err != nil {
			t.Fatal(err)
		}
		sig, err := RipSigHeader(p)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(sig, data[96:f.HeaderStart]) {
			t.Errorf("%s: the signature header is not the bytes 96:%d", p, f.HeaderStart)
		}
		sh, err := ParseSigHeader(sig)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		if sh.SigMD5 != f.SigMD5() || sh.SigMD5 == "" {
			t.Errorf("%s: SigMD5 %q, the file's %q", p, sh.SigMD5, f.SigMD5())
		}
		if id, err := sh.KeyID(); id != "" || err != nil || sh.SigTag != 0 {
			t.Errorf("%s: unsigned RPM has key %q (tag %d), %v", p, id, sh.SigTag, err)
		}
		// Splicing a file's own header gives the file back.
		var out bytes.Buffer
		if err := SpliceFile(&out, p, sig); err != nil || !bytes.Equal(out.Bytes(), data) {
			t.Errorf("%s: splicing its own header changed it (%v)", p, err)
		}
	}
}

// TestSignedRPM signs a test RPM with a throwaway key and reads the key id
// of its signature as rpm does; splicing the signed header into the
// unsigned file gives a file rpm verifies with that key.
func TestSignedRPM(t *testing.T) {
	testutil.RequireTool(t, "rpm")
	home, keyid := testutil.GPGKey(t)
	dir := t.TempDir()
	orig := filepath.Join(rpmsDir, "osgtest-noarch-0.5-1.noarch.rpm")
	signed := filepath.Join(dir, "signed.rpm")
	data, err := os.ReadFile(orig)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(signed, data, 0o644); err != nil {
		t.Fatal(err)
	}
	testutil.RPMSign(t, home, keyid, signed)

	sig, err := RipSigHeader(signed)
	if err != nil {
		t.Fatal(err)
	}
	sh, err := ParseSigHeader(sig)
	if err != nil {
		t.Fatal(err)
	}
	id, err := sh.KeyID()
	if err != nil {
		t.Fatal(err)
	}
	if id != keyid[8:] {
		t.Errorf("KeyID = %q (tag %d), want %q", id, sh.SigTag, keyid[8:])
	}
	f, _ := ReadFile(orig)
	if sh.SigMD5 != f.SigMD5() {
		t.Errorf("signed SigMD5 %s, unsigned %s", sh.SigMD5, f.SigMD5())
	}
	// rpm names the same key.
	out, err := exec.Command("rpm", "-qp", "--qf", "%{RSAHEADER:pgpsig}|%{SIGPGP:pgpsig}|%{SIGGPG:pgpsig}|%{DSAHEADER:pgpsig}", signed).Output()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.ToLower(string(out)), keyid) {
		t.Errorf("rpm -qp says %q, want key %s", out, keyid)
	}

	spliced := filepath.Join(dir, "spliced.rpm")
	var buf bytes.Buffer
	if err := SpliceFile(&buf, orig, sig); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(spliced, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadFile(spliced); err != nil {
		t.Fatal(err)
	}
	// rpm verifies the spliced file with the key; it is the signed file.
	testutil.RPMVerify(t, home, keyid, spliced)
	if want, _ := os.ReadFile(signed); !bytes.Equal(buf.Bytes(), want) {
		t.Error("the unsigned file with the signed header spliced in is not the signed file")
	}

	// Another package's header is refused.
	other := filepath.Join(rpmsDir, "osgtest-full-1.2.3-4.x86_64.rpm")
	if err := SpliceFile(&bytes.Buffer{}, other, sig); err == nil || !strings.Contains(err.Error(), "another package's") {
		t.Errorf("splicing another package's header: %v", err)
	}
}

// v4body makes a v4 signature packet body with the given hashed and
// unhashed subpacket areas.
func v4body(hashed, unhashed []byte) []byte {
	b := []byte{4, 0, 1, 8}
	b = binary.BigEndian.AppendUint16(b, uint16(len(hashed)))
	b = append(b, hashed...)
	b = binary.BigEndian.AppendUint16(b, uint16(len(unhashed)))
	b = append(b, unhashed...)
	return append(b, 0xab, 0xcd, 0, 8, 0xff) // hash start, a tiny MPI
}

func sub(typ byte, data ...byte) []byte { return append([]byte{byte(len(data) + 1), typ}, data...) }

// newPacket wraps body in a new-format packet header of tag 2.
func newPacket(body []byte) []byte {
	switch n := len(body); {
	case n < 192:
		return append([]byte{0xc2, byte(n)}, body...)
	case n < 8384:
		n -= 192
		return append([]byte{0xc2, byte(n>>8) + 192, byte(n)}, body...)
	default:
		return append(binary.BigEndian.AppendUint32([]byte{0xc2, 255}, uint32(n)), body...)
	}
}

// oldPacket wraps body in an old-format packet header of tag 2 with a
// length of size bytes (0 for indeterminate).
func oldPacket(body []byte, size int) []byte {
	switch size {
	case 1:
		return append([]byte{0x88, byte(len(body))}, body...)
	case 2:
		return append(binary.BigEndian.AppendUint16([]byte{0x89}, uint16(len(body))), body...)
	case 4:
		return append(binary.BigEndian.AppendUint32([]byte{0x8a}, uint32(len(body))), body...)
	}
	return append([]byte{0x8b}, body...)
}

func TestSigPacketKeyID(t *testing.T) {
	issuer := []byte{1, 2, 3, 4, 0xde, 0xad, 0xbe, 0xef}
	fpr4 := append([]byte{4}, bytes.Repeat([]byte{0x11}, 16)...)
	fpr4 = append(fpr4, 0xca, 0xfe, 0xf0, 0x0d)
	fpr6 := append([]byte{6, 0x22, 0x22, 0x22, 0x22, 0x12, 0x34, 0x56, 0x78}, bytes.Repeat([]byte{0x33}, 24)...)
	created := sub(2, 0x60, 0, 0, 0)
	v3 := []byte{3, 5, 0, 0x60, 0, 0, 0, 1, 2, 3, 4, 0xde, 0xad, 0xbe, 0xef, 1, 8, 0xab, 0xcd, 0, 8, 0xff}
	long := v4body(append(bytes.Repeat(sub(20, bytes.Repeat([]byte{'x'}, 100)...), 3), created...), sub(16, issuer...))
	huge := v4body(nil, append(sub(16, issuer...), append([]byte{255, 0, 0, 0, 40, 20}, make([]byte, 39)...)...))
	v6 := func(hashed, unhashed []byte) []byte {
		b := []byte{6, 0, 1, 8}
		b = binary.BigEndian.AppendUint32(b, uint32(len(hashed)))
		b = append(b, hashed...)
		b = binary.BigEndian.AppendUint32(b, uint32(len(unhashed)))
		return append(append(b, unhashed...), 0xab, 0xcd)
	}
	for name, c := range map[string]struct {
		packet []byte
		want   string // the key id, or a part of the error
	}{
		"v3":                    {newPacket(v3), "deadbeef"},
		"v3 old 1-byte length":  {oldPacket(v3, 1), "deadbeef"},
		"v3 old 2-byte length":  {oldPacket(v3, 2), "deadbeef"},
		"v3 old 4-byte length":  {oldPacket(v3, 4), "deadbeef"},
		"v3 old indeterminate":  {oldPacket(v3, 0), "deadbeef"},
		"v4 unhashed issuer":    {newPacket(v4body(created, sub(16, issuer...))), "deadbeef"},
		"v4 hashed issuer":      {newPacket(v4body(append(created, sub(16, issuer...)...), nil)), "deadbeef"},
		"v4 critical issuer":    {newPacket(v4body(sub(16|0x80, issuer...), nil)), "deadbeef"},
		"v4 fingerprint only":   {newPacket(v4body(append(created, sub(33, fpr4...)...), nil)), "cafef00d"},
		"v4 both, agreeing":     {newPacket(v4body(sub(33, fpr4...), sub(16, 0, 0, 0, 0, 0xca, 0xfe, 0xf0, 0x0d))), "cafef00d"},
		"v4 two-byte lengths":   {newPacket(long), "deadbeef"},
		"v4 five-byte sublen":   {newPacket(huge), "deadbeef"},
		"v4 old 2-byte length":  {oldPacket(long, 2), "deadbeef"},
		"v6 fingerprint":        {newPacket(v6(sub(33, fpr6...), nil)), "12345678"},
		"v4 both, disagreeing":  {newPacket(v4body(sub(33, fpr4...), sub(16, issuer...))), "two issuers"},
		"v4 no issuer":          {newPacket(v4body(created, nil)), "no issuer"},
		"v4 short issuer":       {newPacket(v4body(sub(16, 1, 2, 3), nil)), "not 8"},
		"v4 bad fingerprint":    {newPacket(v4body(sub(33, 4, 1, 2), nil)), "fingerprint"},
		"v4 subpacket past":     {newPacket(v4body([]byte{9, 16, 1}, nil)), "runs past"},
		"v4 zero subpacket":     {newPacket(v4body([]byte{0}, nil)), "without a type"},
		"v4 area past":          {newPacket([]byte{4, 0, 1, 8, 0, 50, 1}), "run past"},
		"v4 truncated":          {newPacket([]byte{4, 0}), "truncated"},
		"v4 no unhashed length": {newPacket([]byte{4, 0, 1, 8, 0, 0, 1}), "truncated before its unhashed"},
		"v3 short":              {newPacket(v3[:10]), "too short"},
		"v5":                    {newPacket([]byte{5, 0, 0}), "version 5"},
		"empty body":            {[]byte{0xc2, 0}, "empty"},
		"empty":                 {nil, "empty"},
		"not a packet":          {[]byte{0x42, 1, 2}, "not an OpenPGP packet"},
		"not a signature":       {append([]byte{0xc6, byte(len(v3))}, v3...), "tag 6"},
		"partial lengths":       {append([]byte{0xc2, 0xe1}, v3...), "partial body"},
		"length too long":       {append([]byte{0xc2, byte(len(v3) + 1)}, v3...), "invalid OpenPGP packet length"},
		"length too short":      {append([]byte{0xc2, byte(len(v3) - 1)}, v3...), "invalid OpenPGP packet length"},
		"header truncated":      {[]byte{0xc2}, "truncated"},
		"old header truncated":  {[]byte{0x8a, 0, 0}, "truncated"},
	} {
		got, err := SigPacketKeyID(c.packet)
		if err != nil {
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("%s: error %v, want %q", name, err, c.want)
			}
			continue
		}
		if got != c.want {
			t.Errorf("%s: %q, want %q", name, got, c.want)
		}
	}
}

func TestParseSigHeaderErrors(t *testing.T) {
	sig, err := RipSigHeader(filepath.Join(rpmsDir, "osgtest-noarch-0.5-1.noarch.rpm"))
	if err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]struct {
		data []byte
		want string
	}{
		"empty":      {nil, "truncated"},
		"short":      {sig[:len(sig)-8], "bytes, but"},
		"long":       {append(bytes.Clone(sig), 0, 0, 0, 0, 0, 0, 0, 0), "bytes, but"},
		"bad magic":  {append([]byte{0}, sig[1:]...), "magic"},
		"huge":       {append(bytes.Clone(sig[:8]), 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0), "too large"},
		"bad entry":  {func() []byte { b := bytes.Clone(sig); binary.BigEndian.PutUint32(b[16+4:], 99); return b }(), "bad index entry"},
		"past store": {func() []byte { b := bytes.Clone(sig); binary.BigEndian.PutUint32(b[16+12:], 1<<20); return b }(), "runs past"},
	} {
		if _, err := ParseSigHeader(c.data); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want %q", name, err, c.want)
		}
	}
	if _, err := ReadSigHeader(bytes.NewReader(make([]byte, 200))); err == nil || !strings.Contains(err.Error(), "lead magic") {
		t.Errorf("ReadSigHeader of zeros: %v", err)
	}
	if err := Splice(&bytes.Buffer{}, bytes.NewReader(nil), sig); err == nil || !strings.Contains(err.Error(), "too short") {
		t.Errorf("Splice of nothing: %v", err)
	}
	if err := Splice(&bytes.Buffer{}, bytes.NewReader(nil), sig[:20]); err == nil || !strings.Contains(err.Error(), "new signature header") {
		t.Errorf("Splice of a bad header: %v", err)
	}
}

// TestSigParsersMutated runs the fuzz targets' checks on deterministic
// random mutations of the test RPMs' signature headers.
func TestSigParsersMutated(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, raw := range testHeaders(t) {
		size, err := SigHeaderSize(raw[96:])
		if err != nil {
			t.Fatal(err)
		}
		sig := raw[96 : 96+size]
		for range 2000 {
			b := bytes.Clone(sig)
			for range 1 + rng.IntN(4) {
				b[rng.IntN(len(b))] = byte(rng.IntN(256))
			}
			checkSigHeader(t, b)
		}
	}
}

func FuzzParseSigHeader(f *testing.F) {
	for _, raw := range testHeaders(f) {
		if size, err := SigHeaderSize(raw[96:]); err == nil {
			f.Add(raw[96 : 96+size])
		}
	}
	f.Fuzz(checkSigHeader)
}

// checkSigHeader parses data as a signature header and, when accepted,
// reads its key id and splices it into a test RPM: errors are fine, crashes
// are not.
func checkSigHeader(t *testing.T, data []byte) {
	sh, err := ParseSigHeader(data)
	if err != nil {
		return
	}
	sh.KeyID()
	var out bytes.Buffer
	if err := Splice(&out, bytes.NewReader(spliceTarget(t)), data); err == nil {
		if _, err := Parse(out.Bytes()); err != nil {
			t.Fatalf("a spliced header made an unreadable RPM: %v", err)
		}
	}
}

var spliceTargetData []byte

func spliceTarget(t testing.TB) []byte {
	if spliceTargetData == nil {
		b, err := os.ReadFile(filepath.Join(rpmsDir, "osgtest-noarch-0.5-1.noarch.rpm"))
		if err != nil {
			t.Fatal(err)
		}
		spliceTargetData = b
	}
	return spliceTargetData
}

func FuzzSigPacketKeyID(f *testing.F) {
	v3 := []byte{3, 5, 0, 0x60, 0, 0, 0, 1, 2, 3, 4, 0xde, 0xad, 0xbe, 0xef, 1, 8, 0xab, 0xcd, 0, 8, 0xff}
	fpr4 := append([]byte{4}, bytes.Repeat([]byte{0x11}, 20)...)
	f.Add(newPacket(v3))
	f.Add(oldPacket(v3, 2))
	f.Add(oldPacket(v3, 0))
	f.Add(newPacket(v4body(sub(2, 0, 0, 0, 1), sub(16, 1, 2, 3, 4, 5, 6, 7, 8))))
	f.Add(newPacket(v4body(sub(33, fpr4...), nil)))
	f.Fuzz(func(t *testing.T, packet []byte) {
		id, err := SigPacketKeyID(packet)
		if err == nil && len(id) != 8 {
			t.Fatalf("key id %q", id)
		}
	})
}
