package repodata

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"

	"github.com/klauspost/compress/flate"
	"golang.org/x/sys/unix"
)

// How the XML files are compressed.
//
// Each file is one gzip member whose deflate stream is the concatenation of
// independently compressed segments: the file head, one segment per chunk
// of consecutive packages, and the tail. Every segment but the last ends
// with a sync flush, so the concatenation is a valid deflate stream that
// any gzip reader decompresses as one. Chunks are compressed in parallel by
// the workers, and the compressed segment of a chunk whose packages are all
// unchanged is taken from the cache as is: --update compresses only the
// chunks that changed.
//
// Chunk boundaries depend on the packages, not on their positions (a chunk
// ends after a package whose href hashes to 0 mod chunkSplit, or at
// maxChunk packages), so adding a package changes the chunk it falls in and
// leaves the others alone.
const (
	chunkSplit = 64
	maxChunk   = 256
	flateLevel = 5
)

type countWriter struct{ n int64 }

func (c *countWriter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

type chunk struct {
	lo, hi int // packages [lo, hi)
	err    error
	cached bool // segments taken from the cache
	key    segKey
	// seg are the compressed primary, filelists and other; crc and olen
	// the CRC-32 and length of their open content.
	seg  [3][]byte
	crc  [3]uint32
	olen [3]int64
}

type segKey [32]byte

// splitChunks cuts the ordered hrefs into chunks.
func splitChunks(hrefs []string) []chunk {
	var chunks []chunk
	lo := 0
	for i, h := range hrefs {
		if fnv32a(h)%chunkSplit == 0 || i+1-lo >= maxChunk || i == len(hrefs)-1 {
			chunks = append(chunks, chunk{lo: lo, hi: i + 1})
			lo = i + 1
		}
	}
	return chunks
}

// fnv32a is the 32-bit FNV-1a hash of s.
func fnv32a(s string) uint32 {
	h := uint32(2166136261)
	for i := 0; i < len(s); i++ {
		h ^= uint32(s[i])
		h *= 16777619
	}
	return h
}

// chunkKey identifies a chunk's content: its packages' hrefs, sizes and
// modification times. scratch is a buffer to reuse.
func chunkKey(entries []*cacheEntry, scratch *[]byte) segKey {
	b := (*scratch)[:0]
	for _, e := range entries {
		b = append(b, e.Href...)
		b = append(b, 0)
		b = binary.LittleEndian.AppendUint64(b, uint64(e.Size))
		b = binary.LittleEndian.AppendUint64(b, uint64(e.MtimeNs))
	}
	*scratch = b
	return sha256.Sum256(b)
}

func fragment(e *cacheEntry, k int) []byte {
	switch k {
	case 0:
		return e.Primary
	case 1:
		return e.Filelists
	}
	return e.Other
}

// compPool holds compressors for the next run in the process (the hub's):
// a deflate writer's tables are over a megabyte, and fresh memory costs
// page faults that an update would otherwise spend much of its time on.
var compPool = sync.Pool{New: func() any { return new(compressor) }}

// compressor makes raw deflate segments.
type compressor struct {
	buf bytes.Buffer
	fw  *flate.Writer
}

// segment compresses the parts into one deflate segment: sync-flushed, or
// final when last.
func (c *compressor) segment(last bool, parts ...[]byte) ([]byte, error) {
	c.buf.Reset()
	if c.fw == nil {
		fw, err := flate.NewWriter(&c.buf, flateLevel)
		if err != nil {
			return nil, err
		}
		c.fw = fw
	} else {
		c.fw.Reset(&c.buf)
	}
	for _, p := range parts {
		if _, err := c.fw.Write(p); err != nil {
			return nil, err
		}
	}
	var err error
	if last {
		err = c.fw.Close()
	} else {
		err = c.fw.Flush()
	}
	if err != nil {
		return nil, err
	}
	return bytes.Clone(c.buf.Bytes()), nil
}

// layout is the part of writeMetadata's work that does not depend on the
// cache (Generate makes it while the cache loads): the packages' chunks
// and the three files, their heads hashed.
type layout struct {
	hrefs  []string
	chunks []chunk
	files  [3]*gzFile
}

func newLayout(tmp string, hrefs []string) *layout {
	n := len(hrefs)
	l := &layout{hrefs: hrefs, chunks: splitChunks(hrefs)}
	names := []string{"primary", "filelists", "other"}
	heads := [][]byte{primaryHead(n), filelistsHead(n), otherHead(n)}
	for k := range l.files {
		l.files[k] = newGzFile(tmp, names[k], heads[k])
		l.files[k].queues(len(l.chunks))
	}
	return l
}

// writeMetadata reads the packages with a worker pool and streams the three
// XML files, in order, into tmp: whichever worker completes the next chunk
// in order writes it (and any completed chunks after it) to the files, so
// no goroutine waits for another chunk by chunk. It returns every package's
// entry and the chunks with their compressed segments, for the next cache.
func writeMetadata(ctx context.Context, dir string, l *layout, c *cache, workers, limit int, skipStat bool) ([]*cacheEntry, []chunk, int, []Record, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	hrefs, chunks, files := l.hrefs, l.chunks, l.files
	tmp := files[0].dir
	entries := make([]*cacheEntry, len(hrefs))
	tails := [][]byte{primaryTail, filelistsTail, otherTail}
	dirfd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, nil, 0, nil, fmt.Errorf("open repository directory: %w", &fs.PathError{Op: "open", Path: dir, Err: err})
	}
	defer unix.Close(dirfd)

	// The files (see newLayout), each with a goroutine that creates it and
	// writes the compressed segments and one that hashes its open content
	// (primary's: the goroutine that waits for the workers, below), so that
	// neither the three files nor hashing and file creation (slow on some
	// file systems) wait for each other.
	var (
		mu        sync.Mutex
		listed    = make([]bool, len(chunks)) // entries known
		completed = make([]bool, len(chunks)) // segments made too
		ncompleted,
		opened, written int
		saveDone sync.WaitGroup
		saveErr  error
	)
	defer func() {
		for _, g := range files {
			g.stop()
			if g.f != nil {
				g.f.Close()
			}
		}
	}()
	// Whatever happens, the cache writer is done before we return (the
	// caller removes tmp on failure).
	defer saveDone.Wait()
	if len(chunks) == 0 {
		saveDone.Add(1)
		go func() {
			defer saveDone.Done()
			saveErr = saveCache(filepath.Join(tmp, CacheName), c, limit, entries, chunks)
		}()
	}
	// flush hands the files, in order, the open content of the chunks whose
	// entries are known (to hash: that need not wait for a changed chunk's
	// compression) and the segments of the completed ones (to write); mu
	// held.
	flush := func() {
		for opened < len(chunks) && listed[opened] {
			ch := &chunks[opened]
			for k, g := range files {
				g.opens <- openChunk{entries: entries[ch.lo:ch.hi], k: k, crc: ch.crc[k], n: ch.olen[k]}
			}
			opened++
		}
		for written < opened && completed[written] {
			for k, g := range files {
				g.segs <- chunks[written].seg[k]
			}
			written++
		}
	}

	var reused atomic.Int64
	// complete marks chunk ci done; mu held. When every chunk is, the next
	// cache is written while the files are being finished.
	complete := func(ci int) {
		listed[ci], completed[ci] = true, true
		ncompleted++
		if ncompleted == len(chunks) {
			saveDone.Add(1)
			go func() {
				defer saveDone.Done()
				saveErr = saveCache(filepath.Join(tmp, CacheName), c, limit, entries, chunks)
			}()
		}
	}
	// The chunks with a package the cache does not have are certainly
	// compressed again: they are queued first, and the workers started
	// before anything else, so that their compression overlaps the rest
	// instead of ending the run. With skipStat, the entries of the cached
	// packages are the cache's.
	work := make(chan int, len(chunks))
	dirty := make([]bool, len(chunks))
	for i := range chunks {
		for j := chunks[i].lo; j < chunks[i].hi; j++ {
			e := c.lookup(hrefs[j])
			if e == nil && !dirty[i] {
				dirty[i] = true
				work <- i
			}
			if skipStat {
				entries[j] = e
			}
		}
	}
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := &reader{limit: limit, dirfd: dirfd, skipStat: skipStat}
			comp := compPool.Get().(*compressor)
			defer compPool.Put(comp)
			for ci := range work {
				ch := &chunks[ci]
				read := func() {
					mu.Lock()
					listed[ci] = true
					flush()
					mu.Unlock()
				}
				if err := r.chunk(ctx, dir, hrefs, entries, ch, c, comp, &reused, read); err != nil {
					ch.err = err
					cancel()
					return
				}
				mu.Lock()
				complete(ci)
				flush()
				mu.Unlock()
			}
		}()
	}
	for k, g := range files {
		g.start(k == 0, cancel)
	}
	// With skipStat, a chunk of packages the cache has, whose segments it
	// has too, is the cache's: it is done here and now, so that hashing it
	// need not wait for a worker. The other chunks are queued.
	// They are handed to the files in one flush: a flush per chunk would
	// wake the hashers once per chunk.
	var key []byte
	var done []int
	for i := range chunks {
		if dirty[i] {
			continue
		}
		ch := &chunks[i]
		if skipStat {
			ch.key = chunkKey(entries[ch.lo:ch.hi], &key)
			if s, ok := c.segment(ch.key); ok {
				ch.seg, ch.crc, ch.olen, ch.cached = s.seg, s.crc, s.olen, true
				reused.Add(int64(ch.hi - ch.lo))
				done = append(done, i)
				continue
			}
		}
		work <- i
	}
	close(work)
	if len(done) > 0 {
		mu.Lock()
		for _, i := range done {
			complete(i)
		}
		flush()
		mu.Unlock()
	}
	// The primary file has the most open content to hash, and hashing it
	// is what ends the run: that is done here, by a goroutine already
	// running, rather than by one queued for a processor behind the others.
	files[0].hashChunks(ctx, len(chunks))
	wg.Wait()
	// The first package error explains best what went wrong.
	for i := range chunks {
		if e := chunks[i].err; e != nil && !errors.Is(e, context.Canceled) {
			return nil, nil, 0, nil, e
		}
	}
	for _, g := range files {
		g.stop()
		if g.err != nil {
			return nil, nil, 0, nil, fmt.Errorf("write repodata: %w", g.err)
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, nil, 0, nil, err
	}
	records := make([]Record, 3)
	saveDone.Wait()
	if saveErr != nil {
		return nil, nil, 0, nil, saveErr
	}
	for k, g := range files {
		rec, err := g.finish(tails[k])
		if err != nil {
			return nil, nil, 0, nil, fmt.Errorf("write repodata: %w", err)
		}
		records[k] = rec
	}
	return entries, chunks, int(reused.Load()), records, nil
}

// chunk fills the entries of one chunk and its compressed segments; read
// is called when the entries are known, before any compression.
func (r *reader) chunk(ctx context.Context, dir string, hrefs []string, entries []*cacheEntry, ch *chunk, c *cache, comp *compressor, reused *atomic.Int64, read func()) error {
	allHit := true
	for i := ch.lo; i < ch.hi; i++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		e, hit, err := r.entry(dir, hrefs[i], c.lookup(hrefs[i]))
		if err != nil {
			return err
		}
		if hit {
			reused.Add(1)
		} else {
			allHit = false
		}
		entries[i] = e
	}
	ch.key = chunkKey(entries[ch.lo:ch.hi], &r.key)
	if allHit {
		if s, ok := c.segment(ch.key); ok {
			ch.seg, ch.crc, ch.olen = s.seg, s.crc, s.olen
			ch.cached = true
			return nil
		}
	}
	for k := range ch.seg {
		var crc uint32
		var n int64
		for i := ch.lo; i < ch.hi; i++ {
			b := fragment(entries[i], k)
			crc = crc32.Update(crc, crc32.IEEETable, b)
			n += int64(len(b))
		}
		ch.crc[k], ch.olen[k] = crc, n
	}
	read()
	parts := make([][]byte, ch.hi-ch.lo)
	for k := range ch.seg {
		for i := ch.lo; i < ch.hi; i++ {
			parts[i-ch.lo] = fragment(entries[i], k)
		}
		seg, err := comp.segment(false, parts...)
		if err != nil {
			return err
		}
		ch.seg[k] = seg
	}
	return nil
}

// storedBlock returns data (at most 65535 bytes: the file heads and tails)
// as one uncompressed deflate block, final or not. It starts on a byte
// boundary as every segment ends on one.
func storedBlock(final bool, data []byte) []byte {
	b := make([]byte, 5, 5+len(data))
	if final {
		b[0] = 1
	}
	binary.LittleEndian.PutUint16(b[1:], uint16(len(data)))
	binary.LittleEndian.PutUint16(b[3:], ^uint16(len(data)))
	return append(b, data...)
}

// bufPool holds the files' write buffers, for the next run in the process
// (the hub's).
var bufPool = sync.Pool{New: func() any { return bufio.NewWriterSize(nil, 64<<10) }}

// gzipHeader is a gzip member header: deflate, no flags, no mtime, Unix.
var gzipHeader = []byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3}

// gzFile is one metadata file being written: a gzip header, deflate
// segments, then the trailer, with the checksums and sizes of both its
// compressed and its open content.
type gzFile struct {
	name    string
	dir     string
	tmpPath string
	head    []byte
	f       *os.File
	buf     *bufio.Writer
	out     io.Writer
	zsum    hash.Hash
	zsize   countWriter
	osum    hash.Hash
	crc     uint32
	osize   int64
	err     error

	opens chan openChunk // chunks' open content to hash, in order
	segs  chan []byte    // chunks' compressed segments to write, in order
	done  sync.WaitGroup // the goroutines
}

// queues makes the queues of the open content and the segments of n
// chunks, which start's goroutines drain.
func (g *gzFile) queues(n int) {
	g.opens = make(chan openChunk, n)
	g.segs = make(chan []byte, n)
}

// start starts the goroutine that creates the file and writes the queued
// segments and, unless the caller hashes the queued open content itself
// (hashChunks), the one that hashes it; a failure to create or write calls
// fail (to stop the readers) and is kept in g.err.
func (g *gzFile) start(callerHashes bool, fail func()) {
	if !callerHashes {
		g.done.Add(1)
		go func() {
			defer g.done.Done()
			for o := range g.opens {
				g.hash(o)
			}
		}()
	}
	g.done.Add(1)
	go func() {
		defer g.done.Done()
		if g.err = g.create(); g.err != nil {
			fail()
		}
		for seg := range g.segs {
			if g.err != nil {
				continue // drain
			}
			g.write(seg)
			if g.err != nil {
				fail()
			}
		}
	}()
}

// hashChunks hashes the open content of n chunks, in order, as they are
// queued, on the calling goroutine; it returns early when ctx is done.
func (g *gzFile) hashChunks(ctx context.Context, n int) {
	for ; n > 0; n-- {
		select {
		case o := <-g.opens:
			g.hash(o)
		case <-ctx.Done():
			return
		}
	}
}

// hash accounts for the open content of one chunk.
func (g *gzFile) hash(o openChunk) {
	for _, e := range o.entries {
		g.osum.Write(fragment(e, o.k))
	}
	g.crc = crcCombine(g.crc, o.crc, o.n)
	g.osize += o.n
}

// stop closes the queues and waits until they are drained; it may be
// called more than once.
func (g *gzFile) stop() {
	if g.opens == nil {
		return
	}
	close(g.opens)
	close(g.segs)
	g.done.Wait()
	g.opens, g.segs = nil, nil
}

// newGzFile returns the file name.xml.gz in dir, to be created by start,
// beginning with head.
func newGzFile(dir, name string, head []byte) *gzFile {
	g := &gzFile{name: name, dir: dir, tmpPath: filepath.Join(dir, name+".xml.gz"),
		head: head, zsum: sha256.New(), osum: sha256.New()}
	g.open(head)
	return g
}

// create creates the file and writes the gzip header and the head.
func (g *gzFile) create() error {
	f, err := os.Create(g.tmpPath)
	if err != nil {
		return err
	}
	g.f = f
	g.buf = bufPool.Get().(*bufio.Writer)
	g.buf.Reset(f)
	g.out = io.MultiWriter(g.buf, g.zsum, &g.zsize)
	g.write(gzipHeader)
	g.write(storedBlock(false, g.head))
	return g.err
}

// openChunk is the open content of one chunk of a file: fragment k of its
// entries, to hash, and the CRC and length of it all (known already: see
// crcCombine).
type openChunk struct {
	entries []*cacheEntry
	k       int
	crc     uint32
	n       int64
}

// open accounts for uncompressed content.
func (g *gzFile) open(b []byte) {
	g.osum.Write(b)
	g.crc = crc32.Update(g.crc, crc32.IEEETable, b)
	g.osize += int64(len(b))
}

// write writes compressed bytes.
func (g *gzFile) write(b []byte) {
	if g.err == nil {
		_, g.err = g.out.Write(b)
	}
}

// finish writes the tail and the trailer, closes the file and renames it
// to its checksummed name.
func (g *gzFile) finish(tail []byte) (Record, error) {
	g.open(tail)
	g.write(storedBlock(true, tail))
	var trailer [8]byte
	binary.LittleEndian.PutUint32(trailer[:4], g.crc)
	binary.LittleEndian.PutUint32(trailer[4:], uint32(g.osize))
	g.write(trailer[:])
	if g.err == nil {
		g.err = g.buf.Flush()
		g.buf.Reset(nil)
		bufPool.Put(g.buf)
		g.buf = nil
	}
	if g.err == nil {
		g.err = g.f.Close()
	}
	if g.err != nil {
		return Record{}, g.err
	}
	sum := hex.EncodeToString(g.zsum.Sum(nil))
	final := filepath.Join(g.dir, sum+"-"+g.name+".xml.gz")
	if err := os.Rename(g.tmpPath, final); err != nil {
		return Record{}, err
	}
	st, err := os.Stat(final)
	if err != nil {
		return Record{}, err
	}
	return Record{
		Type: g.name, Href: "repodata/" + filepath.Base(final), Checksum: sum,
		OpenChecksum: hex.EncodeToString(g.osum.Sum(nil)),
		Timestamp:    st.ModTime().Unix(), Size: g.zsize.n, OpenSize: g.osize,
	}, nil
}
