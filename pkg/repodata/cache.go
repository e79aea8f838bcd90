package repodata

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// The cache file (CacheName) is a simple binary format, read in one go and
// sliced without copying:
//
//	magic "OSGRDC2\n", changelog limit (int64), entry count (uint64),
//	entries: href, size (int64), mtime ns (int64), primary, filelists, other,
//	segment count (uint64), segments: key (32 bytes), 3 compressed segments,
//
// where strings and byte slices are a uint64 length and the bytes, all
// integers little-endian. The magic changes whenever the XML or the
// compression would be written differently, so an old cache is never
// reused.
var cacheMagic = []byte("OSGRDC2\n")

// cacheEntry holds one package's XML fragments and the key they are valid
// for.
type cacheEntry struct {
	Href      string
	Size      int64
	MtimeNs   int64
	Primary   []byte
	Filelists []byte
	Other     []byte
}

// cache is what the previous run left: fragments per href and compressed
// segments per chunk key. A nil *cache is an empty one.
type cache struct {
	entries map[string]*cacheEntry
	segs    map[segKey][3][]byte
	mapped  []byte // the mapped file, when loaded by loadCache
}

func (c *cache) lookup(href string) *cacheEntry {
	if c == nil {
		return nil
	}
	return c.entries[href]
}

func (c *cache) segment(k segKey) ([3][]byte, bool) {
	if c == nil {
		return [3][]byte{}, false
	}
	s, ok := c.segs[k]
	return s, ok
}

func (c *cache) size() int {
	if c == nil {
		return 0
	}
	return len(c.entries)
}

var errBadCache = errors.New("bad cache")

type cacheReader struct{ b []byte }

func (r *cacheReader) u64() uint64 {
	if len(r.b) < 8 {
		panic(errBadCache)
	}
	v := binary.LittleEndian.Uint64(r.b)
	r.b = r.b[8:]
	return v
}

func (r *cacheReader) bytes() []byte {
	n := r.u64()
	if n > uint64(len(r.b)) {
		panic(errBadCache)
	}
	v := r.b[:n:n]
	r.b = r.b[n:]
	return v
}

// loadCache reads the sidecar cache; a missing, unreadable, corrupt or
// stale cache is no cache.
// The file is mapped into memory, not read: call release when done with
// the cache and everything taken from it.
func loadCache(path string, limit int) *cache {
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil || st.Size() < int64(len(cacheMagic)) || st.Size() > 1<<40 {
		return nil
	}
	data, err := unix.Mmap(int(f.Fd()), 0, int(st.Size()), unix.PROT_READ, unix.MAP_PRIVATE)
	if err != nil {
		return nil
	}
	c := parseCache(data, limit)
	if c == nil {
		unix.Munmap(data)
		return nil
	}
	c.mapped = data
	return c
}

// release unmaps the cache file.
func (c *cache) release() {
	if c != nil && c.mapped != nil {
		unix.Munmap(c.mapped)
		c.mapped = nil
	}
}

// parseCache decodes a cache file; nil when it is not a valid one for limit.
func parseCache(data []byte, limit int) (c *cache) {
	if !bytes.HasPrefix(data, cacheMagic) {
		return nil
	}
	defer func() {
		if r := recover(); r != nil {
			c = nil
		}
	}()
	r := &cacheReader{b: data[len(cacheMagic):]}
	if int64(r.u64()) != int64(limit) {
		return nil
	}
	n := r.u64()
	if n > uint64(len(r.b)) {
		return nil
	}
	c = &cache{entries: make(map[string]*cacheEntry, n), segs: map[segKey][3][]byte{}}
	for i := uint64(0); i < n; i++ {
		e := &cacheEntry{Href: string(r.bytes())}
		e.Size = int64(r.u64())
		e.MtimeNs = int64(r.u64())
		e.Primary, e.Filelists, e.Other = r.bytes(), r.bytes(), r.bytes()
		c.entries[e.Href] = e
	}
	ns := r.u64()
	for i := uint64(0); i < ns; i++ {
		var k segKey
		if len(r.b) < len(k) {
			return nil
		}
		copy(k[:], r.b)
		r.b = r.b[len(k):]
		c.segs[k] = [3][]byte{r.bytes(), r.bytes(), r.bytes()}
	}
	return c
}

func saveCache(path string, limit int, entries []*cacheEntry, chunks []chunk) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("write repodata cache: %w", err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	var b [8]byte
	u64 := func(v uint64) {
		binary.LittleEndian.PutUint64(b[:], v)
		w.Write(b[:])
	}
	blob := func(p []byte) {
		u64(uint64(len(p)))
		w.Write(p)
	}
	w.Write(cacheMagic)
	u64(uint64(int64(limit)))
	u64(uint64(len(entries)))
	for _, e := range entries {
		blob([]byte(e.Href))
		u64(uint64(e.Size))
		u64(uint64(e.MtimeNs))
		blob(e.Primary)
		blob(e.Filelists)
		blob(e.Other)
	}
	u64(uint64(len(chunks)))
	for _, ch := range chunks {
		w.Write(ch.key[:])
		for _, s := range ch.seg {
			blob(s)
		}
	}
	err = w.Flush()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("write repodata cache %s: %w", path, err)
	}
	return nil
}
