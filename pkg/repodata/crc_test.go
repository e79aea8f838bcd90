package repodata

import (
	"hash/crc32"
	"math/rand/v2"
	"testing"
)

func TestCRCCombine(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	data := make([]byte, 1<<17)
	for i := range data {
		data[i] = byte(r.Uint32())
	}
	for range 500 {
		n := r.IntN(len(data) + 1)
		cut := r.IntN(n + 1)
		a, b := data[:cut], data[cut:n]
		got := crcCombine(crc32.ChecksumIEEE(a), crc32.ChecksumIEEE(b), int64(len(b)))
		if want := crc32.ChecksumIEEE(data[:n]); got != want {
			t.Fatalf("crcCombine over %d+%d bytes = %08x, want %08x", len(a), len(b), got, want)
		}
	}
	// Many small pieces, as the chunks of a metadata file are combined.
	var crc uint32
	at := 0
	for at < len(data) {
		n := min(r.IntN(300), len(data)-at)
		crc = crcCombine(crc, crc32.ChecksumIEEE(data[at:at+n]), int64(n))
		at += n
	}
	if want := crc32.ChecksumIEEE(data); crc != want {
		t.Fatalf("combined pieces = %08x, want %08x", crc, want)
	}
}

func FuzzCRCCombine(f *testing.F) {
	f.Add([]byte("hello, world"), uint16(5))
	f.Fuzz(func(t *testing.T, data []byte, cut uint16) {
		c := int(cut) % (len(data) + 1)
		got := crcCombine(crc32.ChecksumIEEE(data[:c]), crc32.ChecksumIEEE(data[c:]), int64(len(data)-c))
		if want := crc32.ChecksumIEEE(data); got != want {
			t.Fatalf("crcCombine at %d of %d = %08x, want %08x", c, len(data), got, want)
		}
	})
}
