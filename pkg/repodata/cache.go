package repodata

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"unsafe"

	"golang.org/x/sys/unix"
)

// The cache file (CacheName) is a simple binary format, read in one go and
// sliced without copying:
//
//	magic "OSGRDC4\n", changelog limit (int64),
//	batches: body length (uint64), CRC-32 (IEEE) of the body (uint32), 0 (uint32),
//	  body: entry count (uint64), entries: href, size (int64), mtime ns
//	  (int64), primary, filelists, other; segment count (uint64),
//	  segments: key (32 bytes), then for primary, filelists and other:
//	  the CRC-32 (uint64) and length (uint64) of the open content, and
//	  the compressed segment,
//
// where strings and byte slices are a uint64 length and the bytes, all
// integers little-endian. The magic changes whenever the XML or the
// compression would be written differently, so an old cache is never
// reused.
//
// The file only grows: an update appends one batch with the entries and
// segments it made (one write, with O_APPEND) to the previous file, hard
// linked into the new repodata, instead of rewriting megabytes it already
// holds. Everything in it is keyed by its content (href, size and mtime;
// the chunk key), so a later batch shadows an earlier one and an entry
// nobody asks for again is only dead weight; a batch cut short (a killed
// run) or damaged fails its length or CRC and it and what follows are
// ignored. The file is written afresh, compacted, when it holds more dead
// weight than live data, when its tail is damaged, or without --update.
var cacheMagic = []byte("OSGRDC4\n")

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
	segs    map[segKey]cachedSegs
	mapped  []byte // the mapped file, when loaded by loadCache
	// path, dev and ino identify the loaded file; fileSize is its size and
	// clean is false when its tail was cut short or damaged (appending
	// after it would leave the new batch unreachable).
	path     string
	dev, ino uint64
	fileSize int64
	clean    bool
}

func (c *cache) lookup(href string) *cacheEntry {
	if c == nil {
		return nil
	}
	return c.entries[href]
}

// cachedSegs are a chunk's compressed segments, with the CRC-32 and length
// of their open content.
type cachedSegs struct {
	seg  [3][]byte
	crc  [3]uint32
	olen [3]int64
}

func (c *cache) segment(k segKey) (cachedSegs, bool) {
	if c == nil {
		return cachedSegs{}, false
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

// str is bytes as a string without a copy: it shares the cache's memory,
// as the fragments do, and lives no longer than they may (until release).
func (r *cacheReader) str() string {
	b := r.bytes()
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

// loadCache reads the sidecar cache; a missing, unreadable, corrupt or
// stale cache is no cache.
// The file is mapped into memory, not read: call release when done with
// the cache and everything taken from it (entries, hrefs and segments).
func loadCache(path string, limit int) *cache {
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	var st unix.Stat_t
	if err := unix.Fstat(int(f.Fd()), &st); err != nil || st.Size < int64(len(cacheMagic)) || st.Size > 1<<40 {
		return nil
	}
	data, err := unix.Mmap(int(f.Fd()), 0, int(st.Size), unix.PROT_READ, unix.MAP_PRIVATE|unix.MAP_POPULATE)
	if err != nil {
		return nil
	}
	c := parseCache(data, limit)
	if c == nil {
		unix.Munmap(data)
		return nil
	}
	c.mapped = data
	c.path, c.dev, c.ino, c.fileSize = path, uint64(st.Dev), st.Ino, st.Size
	return c
}

// release unmaps the cache file.
func (c *cache) release() {
	if c != nil && c.mapped != nil {
		unix.Munmap(c.mapped)
		c.mapped = nil
	}
}

const batchHead = 16

// parseCache decodes a cache file; nil when it is not a valid one for limit.
// Batches are read up to the first one cut short or damaged. Their CRCs
// are checked while they are parsed (a damaged batch is rare: the cache is
// then parsed again up to it).
func parseCache(data []byte, limit int) *cache {
	if !bytes.HasPrefix(data, cacheMagic) || len(data) < len(cacheMagic)+8 {
		return nil
	}
	at := len(cacheMagic)
	if int64(binary.LittleEndian.Uint64(data[at:])) != int64(limit) {
		return nil
	}
	at += 8
	clean := true
	var bodies [][]byte
	var crcs []uint32
	for at < len(data) {
		rest := data[at:]
		if len(rest) < batchHead {
			clean = false
			break
		}
		n := binary.LittleEndian.Uint64(rest)
		if n > uint64(len(rest)-batchHead) {
			clean = false
			break
		}
		bodies = append(bodies, rest[batchHead:batchHead+int(n)])
		crcs = append(crcs, binary.LittleEndian.Uint32(rest[8:]))
		at += batchHead + int(n)
	}
	firstBad := make(chan int, 1)
	go func() {
		for i, body := range bodies {
			if crc32.ChecksumIEEE(body) != crcs[i] {
				firstBad <- i
				return
			}
		}
		firstBad <- len(bodies)
	}()
	parse := func(bodies [][]byte) (*cache, int) {
		c := &cache{entries: map[string]*cacheEntry{}, segs: map[segKey]cachedSegs{}}
		for i, body := range bodies {
			if !c.parseBatch(body) {
				return c, i
			}
		}
		return c, len(bodies)
	}
	c, parsed := parse(bodies)
	if bad := <-firstBad; bad < parsed {
		c, parsed = parse(bodies[:bad])
	}
	c.clean = clean && parsed == len(bodies)
	return c
}

// parseBatch adds one batch's entries and segments; false when it does not
// parse (what it added before failing is still keyed by content, so it
// stays).
func (c *cache) parseBatch(body []byte) (ok bool) {
	defer func() {
		if r := recover(); r != nil {
			ok = false
		}
	}()
	r := &cacheReader{b: body}
	n := r.u64()
	if n > uint64(len(r.b))/minEntrySize {
		return false
	}
	if len(c.entries) == 0 {
		c.entries = make(map[string]*cacheEntry, n) // the first batch holds most
	}
	es := make([]cacheEntry, n)
	for i := range es {
		e := &es[i]
		e.Href = r.str()
		e.Size = int64(r.u64())
		e.MtimeNs = int64(r.u64())
		e.Primary, e.Filelists, e.Other = r.bytes(), r.bytes(), r.bytes()
		c.entries[e.Href] = e
	}
	ns := r.u64()
	for i := uint64(0); i < ns; i++ {
		var k segKey
		if len(r.b) < len(k) {
			return false
		}
		copy(k[:], r.b)
		r.b = r.b[len(k):]
		var s cachedSegs
		for j := range s.seg {
			crc := r.u64()
			if crc > 0xffffffff {
				return false
			}
			s.crc[j], s.olen[j] = uint32(crc), int64(r.u64())
			s.seg[j] = r.bytes()
		}
		c.segs[k] = s
	}
	return len(r.b) == 0
}

// writeBatchBody writes the body of a batch with entries and the chunks'
// segments to w.
func writeBatchBody(w io.Writer, entries []*cacheEntry, chunks []*chunk) {
	var b [8]byte
	u64 := func(v uint64) {
		binary.LittleEndian.PutUint64(b[:], v)
		w.Write(b[:])
	}
	blob := func(p []byte) {
		u64(uint64(len(p)))
		w.Write(p)
	}
	u64(uint64(len(entries)))
	for _, e := range entries {
		u64(uint64(len(e.Href)))
		io.WriteString(w, e.Href)
		u64(uint64(e.Size))
		u64(uint64(e.MtimeNs))
		blob(e.Primary)
		blob(e.Filelists)
		blob(e.Other)
	}
	u64(uint64(len(chunks)))
	for _, ch := range chunks {
		w.Write(ch.key[:])
		for j, s := range ch.seg {
			u64(uint64(ch.crc[j]))
			u64(uint64(ch.olen[j]))
			blob(s)
		}
	}
}

// batchHeader is the framing before a body: its length and CRC.
func batchHeader(n int64, crc uint32) []byte {
	h := make([]byte, batchHead)
	binary.LittleEndian.PutUint64(h, uint64(n))
	binary.LittleEndian.PutUint32(h[8:], crc)
	return h
}

// crcWriter passes writes on and keeps their CRC and length; write errors
// stay in the bufio.Writer below it.
type crcWriter struct {
	w   io.Writer
	crc uint32
	n   int64
}

func (c *crcWriter) Write(p []byte) (int, error) {
	c.crc = crc32.Update(c.crc, crc32.IEEETable, p)
	c.n += int64(len(p))
	return c.w.Write(p)
}

// entrySize is what an entry takes in the file.
func entrySize(e *cacheEntry) int64 {
	return int64(len(e.Href)+len(e.Primary)+len(e.Filelists)+len(e.Other)) + minEntrySize
}

// minEntrySize is the size of an entry with empty strings: its six
// integers.
const minEntrySize = 6 * 8

func chunkSize(ch *chunk) int64 {
	return int64(len(ch.key)+len(ch.seg[0])+len(ch.seg[1])+len(ch.seg[2])) + 9*8
}

// saveCache writes the cache of this run to path: the old cache's file
// linked there with one batch appended (the entries and segments not taken
// from it), or a new file with everything when there is no old file to
// extend, its tail is damaged, or it holds more dead weight than live data.
func saveCache(path string, old *cache, limit int, entries []*cacheEntry, chunks []chunk) error {
	var live int64
	var newEntries []*cacheEntry
	var newChunks []*chunk
	for _, e := range entries {
		live += entrySize(e)
		if old.lookup(e.Href) != e {
			newEntries = append(newEntries, e)
		}
	}
	for i := range chunks {
		live += chunkSize(&chunks[i])
		if !chunks[i].cached {
			newChunks = append(newChunks, &chunks[i])
		}
	}
	if old != nil && old.clean && old.fileSize <= 2*live+(1<<20) {
		if err := appendCache(path, old, newEntries, newChunks); err == nil {
			return nil
		}
		os.Remove(path) // and write it afresh
	}
	all := make([]*chunk, len(chunks))
	for i := range chunks {
		all[i] = &chunks[i]
	}
	if err := writeCache(path, limit, entries, all); err != nil {
		return fmt.Errorf("write repodata cache %s: %w", path, err)
	}
	return nil
}

// writeCache writes a new cache file of one batch, streamed, its framing
// written last.
func writeCache(path string, limit int, entries []*cacheEntry, chunks []*chunk) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(f, 64<<10)
	bw.Write(cacheMagic)
	bw.Write(binary.LittleEndian.AppendUint64(nil, uint64(int64(limit))))
	bw.Write(make([]byte, batchHead))
	cw := &crcWriter{w: bw}
	writeBatchBody(cw, entries, chunks)
	err = bw.Flush()
	if err == nil {
		_, err = f.WriteAt(batchHeader(cw.n, cw.crc), int64(len(cacheMagic)+8))
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// appendCache links the old cache file to path and appends a batch to it.
func appendCache(path string, old *cache, entries []*cacheEntry, chunks []*chunk) error {
	if err := os.Link(old.path, path); err != nil {
		return err
	}
	var st unix.Stat_t
	if err := unix.Stat(path, &st); err != nil {
		return err
	}
	if uint64(st.Dev) != old.dev || st.Ino != old.ino || st.Size < old.fileSize {
		return errors.New("the cache file changed since it was read")
	}
	if len(entries) == 0 && len(chunks) == 0 {
		return nil
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return err
	}
	// One write: with O_APPEND it lands whole after whatever another
	// writer appended meanwhile.
	var body bytes.Buffer
	writeBatchBody(&body, entries, chunks)
	_, err = f.Write(append(batchHeader(int64(body.Len()), crc32.ChecksumIEEE(body.Bytes())), body.Bytes()...))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
