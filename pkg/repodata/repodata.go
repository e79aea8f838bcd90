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
// The XML files are gzip files whose deflate stream is made of segments
// compressed independently, one per chunk of packages (see write.go): the
// workers compress the chunks in parallel, and any gzip reader reads the
// result as one stream. The price is a compressed size up to about 15%
// larger than one deflate stream over the whole file.
//
// Incremental regeneration (Options.Update): every run also writes a sidecar
// cache, repodata/osg-build-cache, holding each package's three XML
// fragments keyed by location href, file size and modification time, and
// each chunk's compressed segments. With Update, packages whose key is
// unchanged reuse their fragments without opening the RPM, and chunks whose
// packages are all unchanged reuse their compressed segments; only the
// chunk a new package falls in is compressed again. A repository without
// the cache (written by createrepo_c, or with another cache format or
// changelog limit) is regenerated in full.
package repodata

import (
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

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
	// Excludes are glob patterns (createrepo_c's --excludes: * matches any
	// characters, / included, and ? any one character) of packages not to
	// index, matched against each package's file name and its path
	// relative to Dir.
	Excludes []string
	// Workers is the number of header readers; runtime.NumCPU() when < 1.
	Workers int
	// Update reuses the metadata of unchanged packages from the existing
	// repodata (see the package comment).
	Update bool
	// SkipStat, with Update, trusts that a package whose href is in the
	// cache is unchanged, without checking its size and modification time
	// (createrepo_c's --skip-stat; Koji's createrepo task uses it).
	SkipStat bool
	// KeepMetadata, with Update, keeps the records of the existing
	// repomd.xml that this run does not write (updateinfo, modules,
	// pkgorigins, ...: everything but primary, filelists and other, their
	// sqlite and zchunk variants, and group and group_gz when GroupFile
	// is given), their files linked into the new repodata: createrepo_c's
	// --keep-all-metadata, the default of EL's createrepo_c.
	KeepMetadata bool
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
	// ChecksumType and OpenChecksumType are "sha256" when empty (a kept
	// record may have another).
	ChecksumType, OpenChecksumType string
}

// Result describes the repodata written.
type Result struct {
	// RepodataDir is the repodata directory written.
	RepodataDir string
	// Packages is the number of packages in the repository.
	Packages int
	// Reused is the number of packages whose metadata came from the cache.
	Reused int
	// Chunks is the number of chunks the packages were cut into, and
	// ChunksReused the number whose compressed data came from the cache.
	Chunks, ChunksReused int
	// Revision is the repomd.xml revision.
	Revision int64
	// Records are the repomd.xml records, in file order.
	Records []Record
}

// CacheName is the sidecar file, in repodata/, that makes Update fast.
const CacheName = "osg-build-cache"

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

	// List the packages, load the old cache and make the temporary
	// directory at the same time.
	t0 := time.Now()
	var (
		old    *cache
		tmp    string
		tmpErr error
	)
	loaded := make(chan struct{})
	go func() {
		defer close(loaded)
		if opts.Update {
			old = loadCache(filepath.Join(repodata, CacheName), limit)
		}
	}()
	made := make(chan struct{})
	go func() {
		defer close(made)
		tmp, tmpErr = makeTempRepodata(out)
	}()
	hrefs, stale, err := listPackages(dir, out, opts.Packages)
	if len(opts.Excludes) > 0 {
		hrefs = slices.DeleteFunc(hrefs, func(h string) bool { return excluded(h, opts.Excludes) })
	}
	<-made
	// What does not depend on the cache is laid out while it loads.
	var l *layout
	if err == nil && tmpErr == nil {
		l = newLayout(tmp, hrefs)
	}
	<-loaded
	defer old.release()
	if tmpErr != nil {
		return nil, tmpErr
	}
	ok := false
	defer func() {
		if !ok {
			os.RemoveAll(tmp)
		}
	}()
	if err != nil {
		return nil, err
	}
	slog.Debug("repodata: listed packages and loaded cache", "count", len(hrefs), "cached", old.size(), "took", time.Since(t0))
	removeStaleTemp(out, dir, opts.Packages == nil, stale)

	t0 = time.Now()
	entries, chunks, reused, records, err := writeMetadata(ctx, dir, l, old, workers, limit, opts.SkipStat)
	if err != nil {
		return nil, err
	}
	slog.Debug("repodata: wrote metadata", "packages", len(entries), "reused", reused, "took", time.Since(t0))
	if opts.GroupFile != "" {
		recs, err := writeGroup(tmp, opts.GroupFile)
		if err != nil {
			return nil, err
		}
		records = append(records, recs...)
	}
	if opts.Update && opts.KeepMetadata {
		recs, err := keepRecords(repodata, tmp, records)
		if err != nil {
			return nil, err
		}
		records = append(records, recs...)
	}
	rev := now().Unix()
	if err := writeRepomd(filepath.Join(tmp, "repomd.xml"), rev, records); err != nil {
		return nil, err
	}
	t0 = time.Now()
	if err := swapInto(tmp, repodata); err != nil {
		return nil, err
	}
	slog.Debug("repodata: swapped into place", "took", time.Since(t0))
	ok = true
	res := &Result{RepodataDir: repodata, Packages: len(hrefs), Reused: reused, Revision: rev, Records: records, Chunks: len(chunks)}
	for _, ch := range chunks {
		if ch.cached {
			res.ChunksReused++
		}
	}
	return res, nil
}

// makeTempRepodata makes the temporary directory a new repodata is
// written in, next to out/repodata (swapInto puts it in place).
func makeTempRepodata(out string) (string, error) {
	tmp, err := os.MkdirTemp(out, ".repodata.tmp-")
	if err != nil {
		return "", fmt.Errorf("create temporary repodata directory: %w", err)
	}
	if err := os.Chmod(tmp, 0o755); err != nil {
		os.RemoveAll(tmp)
		return "", err
	}
	return tmp, nil
}

// staleAge is how old a temporary repodata directory must be before a run
// takes it for the leftover of a killed run and removes it.
const staleAge = time.Hour

// removeStaleTemp removes the temporary directories that killed runs left
// next to repodata/ (younger ones may belong to a run still going). When
// out is the repository directory and it was just walked, the walk noted
// them (seen): a second read of a big directory is not free.
func removeStaleTemp(out, dir string, walked bool, seen []string) {
	matches := seen
	if !walked || out != dir {
		matches, _ = filepath.Glob(filepath.Join(out, ".repodata.tmp-*"))
	}
	for _, m := range matches {
		if st, err := os.Lstat(m); err == nil && st.IsDir() && time.Since(st.ModTime()) > staleAge {
			slog.Debug("repodata: removing stale temporary directory", "dir", m)
			os.RemoveAll(m)
		}
	}
}

// listPackages returns the location hrefs of the RPMs, in the order the
// metadata lists them, and the temporary repodata directories seen at the
// top of dir.
func listPackages(dir, out string, list []string) ([]string, []string, error) {
	var hrefs, stale []string
	if list != nil {
		for _, p := range list {
			p = strings.TrimSpace(p)
			if p == "" {
				continue
			}
			if filepath.IsAbs(p) {
				rel, err := filepath.Rel(dir, p)
				if err != nil || strings.HasPrefix(rel, "..") {
					return nil, nil, fmt.Errorf("package %s is not below the repository directory %s", p, dir)
				}
				p = rel
			}
			hrefs = append(hrefs, filepath.ToSlash(filepath.Clean(p)))
		}
	} else {
		skip := map[string]bool{filepath.Join(dir, "repodata"): true, filepath.Join(out, "repodata"): true}
		var err error
		if hrefs, err = walkRPMs(dir, "", skip, hrefs, &stale); err != nil {
			return nil, nil, fmt.Errorf("list packages: %w", err)
		}
	}
	// createrepo_c's order: by file name, then (our tie-breaker) by path.
	type key struct{ base, href string }
	keys := make([]key, len(hrefs))
	for i, h := range hrefs {
		keys[i] = key{path.Base(h), h}
	}
	slices.SortFunc(keys, func(a, b key) int {
		if c := strings.Compare(a.base, b.base); c != 0 {
			return c
		}
		return strings.Compare(a.href, b.href)
	})
	for i, k := range keys {
		hrefs[i] = k.href
	}
	return slices.Compact(hrefs), stale, nil
}

// excluded says whether a package's href or file name matches one of the
// patterns.
func excluded(href string, patterns []string) bool {
	base := path.Base(href)
	for _, p := range patterns {
		if globMatch(p, base) || globMatch(p, href) {
			return true
		}
	}
	return false
}

// globMatch matches s against a pattern of GLib's kind (createrepo_c's
// --excludes): '*' matches any run of characters, '/' included, '?' any one
// character, and nothing else is special.
func globMatch(pattern, s string) bool {
	p, r := chars(pattern), chars(s)
	pi, si := 0, 0
	star, mark := -1, 0
	for si < len(r) {
		switch {
		case pi < len(p) && p[pi] == "*":
			star, mark = pi, si
			pi++
		case pi < len(p) && (p[pi] == "?" || p[pi] == r[si]):
			pi++
			si++
		case star >= 0:
			pi = star + 1
			mark++
			si = mark
		default:
			return false
		}
	}
	for pi < len(p) && p[pi] == "*" {
		pi++
	}
	return pi == len(p)
}

// chars cuts s into its UTF-8 characters, a byte that is not part of one
// standing for itself.
func chars(s string) []string {
	c := make([]string, 0, len(s))
	for len(s) > 0 {
		_, n := utf8.DecodeRuneInString(s)
		c = append(c, s[:n])
		s = s[n:]
	}
	return c
}

// walkRPMs appends the *.rpm files (regular, or symlinks to regular files)
// below dir/rel to hrefs, skipping repodata directories and our temporary
// ones. Directory entries are not sorted here; the caller sorts.
func walkRPMs(dir, rel string, skip map[string]bool, hrefs []string, stale *[]string) ([]string, error) {
	full := dir
	if rel != "" {
		full = dir + "/" + rel
	}
	f, err := os.Open(full)
	if err != nil {
		return hrefs, err
	}
	ents, err := f.ReadDir(-1)
	f.Close()
	if err != nil {
		return hrefs, err
	}
	for _, d := range ents {
		name := d.Name()
		r := name
		if rel != "" {
			r = rel + "/" + name
		}
		switch t := d.Type(); {
		case t.IsDir():
			if rel == "" && strings.HasPrefix(name, ".repodata.tmp-") {
				*stale = append(*stale, full+"/"+name)
			}
			if skip[full+"/"+name] || strings.HasPrefix(name, ".repodata") {
				continue
			}
			if hrefs, err = walkRPMs(dir, r, skip, hrefs, stale); err != nil {
				return hrefs, err
			}
		case !strings.HasSuffix(name, ".rpm"):
		case t.IsRegular():
			hrefs = append(hrefs, r)
		case t&fs.ModeSymlink != 0:
			if st, err := os.Stat(full + "/" + name); err == nil && st.Mode().IsRegular() {
				hrefs = append(hrefs, r)
			}
		}
	}
	return hrefs, nil
}

// reader turns packages into XML fragments; one per worker, reusing its
// buffers.
type reader struct {
	limit    int
	skipStat bool
	dirfd    int // the repository directory, for *at system calls
	file     []byte
	xml      bytes.Buffer
	key      []byte // chunkKey's buffer
}

// maxInMemory is the largest RPM read whole into memory; bigger ones are
// streamed.
const maxInMemory = 8 << 20

// entry returns the XML fragments of one package, from the cache when its
// href, size and mtime are unchanged.
func (r *reader) entry(dir, href string, e *cacheEntry) (*cacheEntry, bool, error) {
	if e != nil && r.skipStat {
		return e, true, nil
	}
	if e != nil {
		var st unix.Stat_t
		if err := unix.Fstatat(r.dirfd, href, &st, 0); err != nil {
			path := filepath.Join(dir, filepath.FromSlash(href))
			return nil, false, fmt.Errorf("package %s: %w", path, &fs.PathError{Op: "stat", Path: path, Err: err})
		}
		if e.Size == st.Size && e.MtimeNs == st.Mtim.Nano() {
			return e, true, nil
		}
	}
	path := filepath.Join(dir, filepath.FromSlash(href))
	// Plain system calls: the runtime's poller has nothing to offer for
	// regular files and costs several extra calls per file.
	fd, err := unix.Openat(r.dirfd, href, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, false, fmt.Errorf("package %s: %w", path, &fs.PathError{Op: "open", Path: path, Err: err})
	}
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		unix.Close(fd)
		return nil, false, fmt.Errorf("package %s: %w", path, err)
	}
	size, mtimeNs := st.Size, st.Mtim.Nano()
	var p *Package
	if size <= maxInMemory {
		if cap(r.file) < int(size)+1 {
			r.file = make([]byte, size+1)
		}
		buf := r.file[:size+1]
		got := 0
		for got < len(buf) {
			m, err := unix.Read(fd, buf[got:])
			if err == unix.EINTR {
				continue
			}
			if err != nil {
				unix.Close(fd)
				return nil, false, fmt.Errorf("package %s: read: %w", path, err)
			}
			if m == 0 {
				break
			}
			got += m
		}
		unix.Close(fd)
		if int64(got) != size {
			return nil, false, fmt.Errorf("package %s: changed while being read (size %d, read %d)", path, size, got)
		}
		p, err = readPackageBytes(buf[:got], mtimeNs/1e9, href, r.limit)
	} else {
		f := os.NewFile(uintptr(fd), path)
		p, err = readPackage(f, size, mtimeNs/1e9, href, r.limit)
		f.Close()
	}
	if err != nil {
		return nil, false, fmt.Errorf("package %s: %w (is it a valid RPM? remove it or rebuild it)", path, err)
	}
	e = &cacheEntry{Href: href, Size: size, MtimeNs: mtimeNs}
	b := &r.xml
	b.Reset()
	appendPrimary(b, p)
	e.Primary = bytes.Clone(b.Bytes())
	b.Reset()
	appendFilelists(b, p)
	e.Filelists = bytes.Clone(b.Bytes())
	b.Reset()
	appendOther(b, p)
	e.Other = bytes.Clone(b.Bytes())
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

	groupGz, err := writeGzRecord(tmp, "group_gz", base+".gz", data)
	if err != nil {
		return nil, err
	}
	return []Record{group, groupGz}, nil
}

// keepRecords links into tmp the files of the records of the old
// repodata's repomd.xml that records (what this run wrote) does not
// replace, and returns those records as they were. No old repomd.xml is
// nothing to keep; a record whose file is missing is dropped with a
// warning, as a reader could not use it either.
func keepRecords(old, tmp string, records []Record) ([]Record, error) {
	data, err := os.ReadFile(filepath.Join(old, "repomd.xml"))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("read the old repomd.xml to keep its metadata: %w", err)
	}
	var md repomdData
	if err := xml.Unmarshal(data, &md); err != nil {
		slog.Warn("the old repomd.xml does not parse: its additional metadata is not kept", "path", filepath.Join(old, "repomd.xml"), "err", err)
		return nil, nil
	}
	written := map[string]bool{}
	for _, r := range records {
		written[r.Type] = true
	}
	var kept []Record
	for _, d := range md.Data {
		base, _, _ := strings.Cut(d.Type, "_")
		if written[d.Type] || base == "primary" || base == "filelists" || base == "other" ||
			(written["group"] && (d.Type == "group" || d.Type == "group_gz" || d.Type == "group_zck")) {
			continue
		}
		name := path.Base(d.Location.Href)
		if d.Location.Href != "repodata/"+name || name == "repomd.xml" || name == CacheName {
			slog.Warn("not keeping metadata outside repodata/", "type", d.Type, "href", d.Location.Href)
			continue
		}
		src, dst := filepath.Join(old, name), filepath.Join(tmp, name)
		if err := os.Link(src, dst); err != nil && !errors.Is(err, fs.ErrExist) { // two records, one file
			if _, serr := os.Stat(src); serr != nil {
				slog.Warn("not keeping metadata whose file is missing", "type", d.Type, "file", src)
				continue
			}
			if err := copyNew(src, dst); err != nil {
				return nil, fmt.Errorf("keep %s metadata: %w", d.Type, err)
			}
		}
		r := Record{Type: d.Type, Href: d.Location.Href, Checksum: strings.TrimSpace(d.Checksum.Value), ChecksumType: d.Checksum.Type,
			OpenChecksum: strings.TrimSpace(d.OpenChecksum.Value), OpenChecksumType: d.OpenChecksum.Type,
			Timestamp: d.Timestamp, Size: d.Size, OpenSize: -1}
		if d.OpenSize != nil {
			r.OpenSize = *d.OpenSize
		}
		kept = append(kept, r)
	}
	return kept, nil
}

// copyNew copies src to dst, a new file.
func copyNew(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// writeGzRecord gzips data into tmp/<checksum>-name and returns its
// record, of type typ.
func writeGzRecord(tmp, typ, name string, data []byte) (Record, error) {
	var zb bytes.Buffer
	gz, _ := gzip.NewWriterLevel(&zb, gzip.DefaultCompression)
	gz.Header.OS = 3
	gz.Write(data)
	if err := gz.Close(); err != nil {
		return Record{}, err
	}
	zsum, osum := sha256.Sum256(zb.Bytes()), sha256.Sum256(data)
	file := hex.EncodeToString(zsum[:]) + "-" + name
	path := filepath.Join(tmp, file)
	if err := os.WriteFile(path, zb.Bytes(), 0o644); err != nil {
		return Record{}, err
	}
	st, err := os.Stat(path)
	if err != nil {
		return Record{}, err
	}
	return Record{Type: typ, Href: "repodata/" + file, Checksum: hex.EncodeToString(zsum[:]), OpenChecksum: hex.EncodeToString(osum[:]),
		Timestamp: st.ModTime().Unix(), Size: int64(zb.Len()), OpenSize: int64(len(data))}, nil
}

// writeRepomd writes repomd.xml as createrepo_c formats it.
func writeRepomd(path string, rev int64, records []Record) error {
	var b bytes.Buffer
	b.WriteString(xmlDecl)
	b.WriteString(`<repomd xmlns="` + nsRepo + `" xmlns:rpm="` + nsRPM + `">` + "\n")
	fmt.Fprintf(&b, "  <revision>%d</revision>\n", rev)
	for _, r := range records {
		fmt.Fprintf(&b, "  <data type=\"%s\">\n", r.Type)
		fmt.Fprintf(&b, "    <checksum type=\"%s\">%s</checksum>\n", cmp.Or(r.ChecksumType, "sha256"), r.Checksum)
		if r.OpenChecksum != "" {
			fmt.Fprintf(&b, "    <open-checksum type=\"%s\">%s</open-checksum>\n", cmp.Or(r.OpenChecksumType, "sha256"), r.OpenChecksum)
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
