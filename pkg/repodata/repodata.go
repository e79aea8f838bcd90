// Package repodata writes yum repository metadata (repodata/) for a set of
// RPMs, in Go: primary.xml.gz, filelists.xml.gz, other.xml.gz and
// repomd.xml, with the structure, namespaces, element order and dependency
// rules of createrepo_c 0.17 (no sqlite databases are written).
//
// Headers are read by a pool of workers; the three XML files are written as
// the results arrive, in a deterministic order: createrepo_c's, by file name,
// then by path for equal names. The new
// repodata is built in a temporary directory next to repodata/ and swapped
// into place, so readers never see a half-written repository.
//
// Incremental regeneration (Options.Update): every run also writes a sidecar
// cache, repodata/osg-build-cache.gob, holding each package's three XML
// fragments keyed by location href, file size and modification time. With
// Update, packages whose key is unchanged reuse their fragments without
// opening the RPM. A repository without the cache (written by createrepo_c,
// or by an older cache format) is regenerated in full.
package repodata

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/klauspost/compress/gzip"
	"golang.org/x/sys/unix"
)

// DefaultChangelogLimit is createrepo_c's default --changelog-limit.
const DefaultChangelogLimit = 10

// Special values of Options.ChangelogLimit.
const (
	AllChangelogs = -1 // keep every changelog entry
	NoChangelogs  = -2 // keep none
)

// Options say what to index and how.
type Options struct {
	// Dir is the repository directory: RPMs are found below it and their
	// location hrefs are relative to it.
	Dir string
	// OutputDir is where repodata/ is written; Dir when empty.
	OutputDir string
	// Packages, when not nil, is the explicit list of RPMs (paths relative
	// to Dir, or absolute paths below it) instead of every *.rpm below Dir.
	Packages []string
	// Workers is the number of header readers; runtime.NumCPU() when < 1.
	Workers int
	// Update reuses the metadata of unchanged packages from the existing
	// repodata (see the package comment).
	Update bool
	// GroupFile is a comps.xml to add as the group and group_gz records.
	GroupFile string
	// ChangelogLimit is the number of newest changelog entries kept per
	// package: 0 means DefaultChangelogLimit; see AllChangelogs and
	// NoChangelogs.
	ChangelogLimit int
	// Now gives the repository revision; time.Now when nil.
	Now func() time.Time
}

// Record is one <data> record of repomd.xml.
type Record struct {
	Type         string
	Href         string // relative to the output directory
	Checksum     string
	OpenChecksum string // empty for uncompressed files
	Timestamp    int64
	Size         int64
	OpenSize     int64 // -1 for uncompressed files
}

// Result describes the repodata written.
type Result struct {
	// RepodataDir is the repodata directory written.
	RepodataDir string
	// Packages is the number of packages in the repository.
	Packages int
	// Reused is the number of packages whose metadata came from the cache.
	Reused int
	// Revision is the repomd.xml revision.
	Revision int64
	// Records are the repomd.xml records, in file order.
	Records []Record
}

// CacheName is the sidecar file, in repodata/, that makes Update fast.
const CacheName = "osg-build-cache.gob"

// Generate writes repodata for the RPMs of opts.Dir.
func Generate(ctx context.Context, opts Options) (*Result, error) {
	if opts.Dir == "" {
		return nil, errors.New("no repository directory given")
	}
	dir, err := filepath.Abs(opts.Dir)
	if err != nil {
		return nil, err
	}
	if st, err := os.Stat(dir); err != nil {
		return nil, fmt.Errorf("repository directory: %w", err)
	} else if !st.IsDir() {
		return nil, fmt.Errorf("repository directory %s is not a directory", dir)
	}
	out := dir
	if opts.OutputDir != "" {
		if out, err = filepath.Abs(opts.OutputDir); err != nil {
			return nil, err
		}
		if err := os.MkdirAll(out, 0o755); err != nil {
			return nil, fmt.Errorf("create output directory: %w", err)
		}
	}
	workers := opts.Workers
	if workers < 1 {
		workers = runtime.NumCPU()
	}
	limit := opts.ChangelogLimit
	switch {
	case limit == 0:
		limit = DefaultChangelogLimit
	case limit == NoChangelogs:
		limit = 0
	case limit < 0:
		limit = -1
	}
	now := time.Now
	if opts.Now != nil {
		now = opts.Now
	}
	repodata := filepath.Join(out, "repodata")

	hrefs, err := listPackages(dir, out, opts.Packages)
	if err != nil {
		return nil, err
	}
	var cache map[string]*cacheEntry
	if opts.Update {
		cache = loadCache(filepath.Join(repodata, CacheName), limit)
	}

	tmp, err := os.MkdirTemp(out, ".repodata.tmp-")
	if err != nil {
		return nil, fmt.Errorf("create temporary repodata directory: %w", err)
	}
	ok := false
	defer func() {
		if !ok {
			os.RemoveAll(tmp)
		}
	}()
	if err := os.Chmod(tmp, 0o755); err != nil {
		return nil, err
	}

	entries, reused, records, err := writeMetadata(ctx, dir, tmp, hrefs, cache, workers, limit)
	if err != nil {
		return nil, err
	}
	if opts.GroupFile != "" {
		recs, err := writeGroup(tmp, opts.GroupFile)
		if err != nil {
			return nil, err
		}
		records = append(records, recs...)
	}
	if err := saveCache(filepath.Join(tmp, CacheName), limit, entries); err != nil {
		return nil, err
	}
	rev := now().Unix()
	if err := writeRepomd(filepath.Join(tmp, "repomd.xml"), rev, records); err != nil {
		return nil, err
	}
	if err := swapInto(tmp, repodata); err != nil {
		return nil, err
	}
	ok = true
	return &Result{RepodataDir: repodata, Packages: len(hrefs), Reused: reused, Revision: rev, Records: records}, nil
}

// listPackages returns the location hrefs of the RPMs, in the order the
// metadata lists them.
func listPackages(dir, out string, list []string) ([]string, error) {
	var hrefs []string
	if list != nil {
		for _, p := range list {
			p = strings.TrimSpace(p)
			if p == "" {
				continue
			}
			if filepath.IsAbs(p) {
				rel, err := filepath.Rel(dir, p)
				if err != nil || strings.HasPrefix(rel, "..") {
					return nil, fmt.Errorf("package %s is not below the repository directory %s", p, dir)
				}
				p = rel
			}
			hrefs = append(hrefs, filepath.ToSlash(filepath.Clean(p)))
		}
	} else {
		skip := map[string]bool{filepath.Join(dir, "repodata"): true, filepath.Join(out, "repodata"): true}
		err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return fmt.Errorf("list packages: %w", err)
			}
			if d.IsDir() {
				if path != dir && (skip[path] || strings.HasPrefix(d.Name(), ".repodata")) {
					return filepath.SkipDir
				}
				return nil
			}
			if !strings.HasSuffix(d.Name(), ".rpm") {
				return nil
			}
			if d.Type()&fs.ModeSymlink != 0 {
				if st, err := os.Stat(path); err != nil || !st.Mode().IsRegular() {
					return nil
				}
			} else if !d.Type().IsRegular() {
				return nil
			}
			rel, err := filepath.Rel(dir, path)
			if err != nil {
				return err
			}
			hrefs = append(hrefs, filepath.ToSlash(rel))
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	// createrepo_c's order: by file name, then (our tie-breaker) by path.
	slices.SortFunc(hrefs, func(a, b string) int {
		if c := strings.Compare(path.Base(a), path.Base(b)); c != 0 {
			return c
		}
		return strings.Compare(a, b)
	})
	return slices.Compact(hrefs), nil
}

// xmlFile is one gzip-compressed metadata file being written, with the
// checksums and sizes of both its compressed and its open form.
type xmlFile struct {
	name     string // primary, filelists, other
	f        *os.File
	zsum     hash.Hash
	zsize    countWriter
	osum     hash.Hash
	osize    countWriter
	gz       *gzip.Writer
	open     io.Writer
	tmpPath  string
	finalRel string
}

type countWriter struct{ n int64 }

func (c *countWriter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

func newXMLFile(dir, name string) (*xmlFile, error) {
	x := &xmlFile{name: name, zsum: sha256.New(), osum: sha256.New()}
	x.tmpPath = filepath.Join(dir, name+".xml.gz")
	f, err := os.Create(x.tmpPath)
	if err != nil {
		return nil, err
	}
	x.f = f
	gz, err := gzip.NewWriterLevel(io.MultiWriter(f, x.zsum, &x.zsize), gzip.DefaultCompression)
	if err != nil {
		f.Close()
		return nil, err
	}
	gz.Header.OS = 3 // Unix, as zlib writes
	x.gz = gz
	x.open = io.MultiWriter(gz, x.osum, &x.osize)
	return x, nil
}

// finish closes the file and renames it to its checksummed name.
func (x *xmlFile) finish(dir string) (Record, error) {
	if err := x.gz.Close(); err != nil {
		x.f.Close()
		return Record{}, err
	}
	if err := x.f.Close(); err != nil {
		return Record{}, err
	}
	sum := hex.EncodeToString(x.zsum.Sum(nil))
	final := sum + "-" + x.name + ".xml.gz"
	if err := os.Rename(x.tmpPath, filepath.Join(dir, final)); err != nil {
		return Record{}, err
	}
	st, err := os.Stat(filepath.Join(dir, final))
	if err != nil {
		return Record{}, err
	}
	return Record{
		Type: x.name, Href: "repodata/" + final, Checksum: sum,
		OpenChecksum: hex.EncodeToString(x.osum.Sum(nil)),
		Timestamp:    st.ModTime().Unix(), Size: x.zsize.n, OpenSize: x.osize.n,
	}, nil
}

func (x *xmlFile) abort() {
	x.f.Close()
}

type slot struct {
	done  chan struct{}
	entry *cacheEntry
	err   error
}

// writeMetadata reads the packages with a worker pool and streams the three
// XML files, in href order, into tmp.
func writeMetadata(ctx context.Context, dir, tmp string, hrefs []string, cache map[string]*cacheEntry, workers, limit int) ([]*cacheEntry, int, []Record, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	n := len(hrefs)
	slots := make([]slot, n)
	for i := range slots {
		slots[i].done = make(chan struct{})
	}

	// Producers.
	var reusedMu sync.Mutex
	reused := 0
	jobs := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var buf bytes.Buffer
			for i := range jobs {
				s := &slots[i]
				if ctx.Err() != nil {
					s.err = ctx.Err()
					close(s.done)
					continue
				}
				e, hit, err := buildEntry(dir, hrefs[i], cache, limit, &buf)
				if err != nil {
					s.err = err
					cancel()
				} else if hit {
					reusedMu.Lock()
					reused++
					reusedMu.Unlock()
				}
				s.entry = e
				close(s.done)
			}
		}()
	}
	go func() {
		defer close(jobs)
		for i := 0; i < n; i++ {
			select {
			case jobs <- i:
			case <-ctx.Done():
				// Mark the rest as cancelled so writers don't wait.
				for j := i; j < n; j++ {
					slots[j].err = ctx.Err()
					close(slots[j].done)
				}
				return
			}
		}
	}()

	// Consumers: one goroutine per file.
	type fileSpec struct {
		name string
		head []byte
		tail []byte
		frag func(*cacheEntry) []byte
	}
	specs := []fileSpec{
		{"primary", primaryHead(n), primaryTail, func(e *cacheEntry) []byte { return e.Primary }},
		{"filelists", filelistsHead(n), filelistsTail, func(e *cacheEntry) []byte { return e.Filelists }},
		{"other", otherHead(n), otherTail, func(e *cacheEntry) []byte { return e.Other }},
	}
	records := make([]Record, len(specs))
	errs := make([]error, len(specs))
	var cwg sync.WaitGroup
	for k, sp := range specs {
		cwg.Add(1)
		go func() {
			defer cwg.Done()
			x, err := newXMLFile(tmp, sp.name)
			if err != nil {
				errs[k] = err
				cancel()
				return
			}
			write := func(b []byte) {
				if err == nil {
					_, err = x.open.Write(b)
				}
			}
			write(sp.head)
			for i := 0; i < n && err == nil; i++ {
				<-slots[i].done
				if slots[i].err != nil {
					err = slots[i].err
					break
				}
				write(sp.frag(slots[i].entry))
			}
			write(sp.tail)
			if err != nil {
				x.abort()
				errs[k] = err
				cancel()
				return
			}
			records[k], errs[k] = x.finish(tmp)
		}()
	}
	cwg.Wait()
	wg.Wait()
	// The first package error explains best what went wrong.
	for i := range slots {
		if e := slots[i].err; e != nil && !errors.Is(e, context.Canceled) {
			return nil, 0, nil, e
		}
	}
	if err := errors.Join(errs...); err != nil {
		if cerr := context.Cause(ctx); cerr != nil && errors.Is(err, context.Canceled) {
			return nil, 0, nil, cerr
		}
		return nil, 0, nil, fmt.Errorf("write repodata: %w", err)
	}
	entries := make([]*cacheEntry, n)
	for i := range slots {
		entries[i] = slots[i].entry
	}
	return entries, reused, records, nil
}

// buildEntry returns the XML fragments of one package, from the cache when
// its href, size and mtime are unchanged.
func buildEntry(dir, href string, cache map[string]*cacheEntry, limit int, buf *bytes.Buffer) (*cacheEntry, bool, error) {
	path := filepath.Join(dir, filepath.FromSlash(href))
	f, err := os.Open(path)
	if err != nil {
		return nil, false, fmt.Errorf("package %s: %w", href, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, false, fmt.Errorf("package %s: %w", href, err)
	}
	if e, ok := cache[href]; ok && e.Size == st.Size() && e.MtimeNs == st.ModTime().UnixNano() {
		return e, true, nil
	}
	p, err := readPackage(f, st.Size(), st.ModTime().Unix(), href, limit)
	if err != nil {
		return nil, false, fmt.Errorf("package %s: %w (is it a valid RPM? remove it or rebuild it)", path, err)
	}
	e := &cacheEntry{Href: href, Size: st.Size(), MtimeNs: st.ModTime().UnixNano()}
	buf.Reset()
	appendPrimary(buf, p)
	e.Primary = bytes.Clone(buf.Bytes())
	buf.Reset()
	appendFilelists(buf, p)
	e.Filelists = bytes.Clone(buf.Bytes())
	buf.Reset()
	appendOther(buf, p)
	e.Other = bytes.Clone(buf.Bytes())
	return e, false, nil
}

// writeGroup adds the comps file: as is (group) and gzipped (group_gz).
func writeGroup(tmp, groupFile string) ([]Record, error) {
	data, err := os.ReadFile(groupFile)
	if err != nil {
		return nil, fmt.Errorf("read group file: %w", err)
	}
	base := filepath.Base(groupFile)
	sum := sha256.Sum256(data)
	plainSum := hex.EncodeToString(sum[:])
	plainName := plainSum + "-" + base
	if err := os.WriteFile(filepath.Join(tmp, plainName), data, 0o644); err != nil {
		return nil, err
	}
	st, err := os.Stat(filepath.Join(tmp, plainName))
	if err != nil {
		return nil, err
	}
	group := Record{Type: "group", Href: "repodata/" + plainName, Checksum: plainSum, Timestamp: st.ModTime().Unix(), Size: int64(len(data)), OpenSize: -1}

	var zb bytes.Buffer
	gz, _ := gzip.NewWriterLevel(&zb, gzip.DefaultCompression)
	gz.Header.OS = 3
	gz.Write(data)
	if err := gz.Close(); err != nil {
		return nil, err
	}
	zsum := sha256.Sum256(zb.Bytes())
	gzSum := hex.EncodeToString(zsum[:])
	gzName := gzSum + "-" + base + ".gz"
	if err := os.WriteFile(filepath.Join(tmp, gzName), zb.Bytes(), 0o644); err != nil {
		return nil, err
	}
	if st, err = os.Stat(filepath.Join(tmp, gzName)); err != nil {
		return nil, err
	}
	groupGz := Record{Type: "group_gz", Href: "repodata/" + gzName, Checksum: gzSum, OpenChecksum: plainSum,
		Timestamp: st.ModTime().Unix(), Size: int64(zb.Len()), OpenSize: int64(len(data))}
	return []Record{group, groupGz}, nil
}

// writeRepomd writes repomd.xml as createrepo_c formats it.
func writeRepomd(path string, rev int64, records []Record) error {
	var b bytes.Buffer
	b.WriteString(xmlDecl)
	b.WriteString(`<repomd xmlns="` + nsRepo + `" xmlns:rpm="` + nsRPM + `">` + "\n")
	fmt.Fprintf(&b, "  <revision>%d</revision>\n", rev)
	for _, r := range records {
		fmt.Fprintf(&b, "  <data type=\"%s\">\n", r.Type)
		fmt.Fprintf(&b, "    <checksum type=\"sha256\">%s</checksum>\n", r.Checksum)
		if r.OpenChecksum != "" {
			fmt.Fprintf(&b, "    <open-checksum type=\"sha256\">%s</open-checksum>\n", r.OpenChecksum)
		}
		b.WriteString("    <location")
		attr(&b, "href", r.Href)
		b.WriteString("/>\n")
		fmt.Fprintf(&b, "    <timestamp>%d</timestamp>\n", r.Timestamp)
		fmt.Fprintf(&b, "    <size>%d</size>\n", r.Size)
		if r.OpenSize >= 0 {
			fmt.Fprintf(&b, "    <open-size>%d</open-size>\n", r.OpenSize)
		}
		b.WriteString("  </data>\n")
	}
	b.WriteString("</repomd>\n")
	return os.WriteFile(path, b.Bytes(), 0o644)
}

// swapInto puts the finished tmp directory at repodata: atomically
// exchanged with an existing one (renameat2 RENAME_EXCHANGE), whose old
// content is then removed.
func swapInto(tmp, repodata string) error {
	if _, err := os.Lstat(repodata); errors.Is(err, fs.ErrNotExist) {
		if err := os.Rename(tmp, repodata); err != nil {
			return fmt.Errorf("move new repodata into place: %w", err)
		}
		return nil
	}
	err := unix.Renameat2(unix.AT_FDCWD, tmp, unix.AT_FDCWD, repodata, unix.RENAME_EXCHANGE)
	if err != nil {
		// No RENAME_EXCHANGE here (old kernel, some file systems): move
		// the old one aside, then the new one in.
		old := tmp + ".old"
		if err := os.Rename(repodata, old); err != nil {
			return fmt.Errorf("move old repodata aside: %w", err)
		}
		if err := os.Rename(tmp, repodata); err != nil {
			os.Rename(old, repodata)
			return fmt.Errorf("move new repodata into place: %w", err)
		}
		return os.RemoveAll(old)
	}
	// tmp now holds the old repodata.
	if err := os.RemoveAll(tmp); err != nil {
		return fmt.Errorf("remove old repodata: %w", err)
	}
	return nil
}
