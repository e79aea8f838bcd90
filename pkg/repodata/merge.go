package repodata

import (
	"bufio"
	"bytes"
	"compress/bzip2"
	"context"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"hash"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
	"github.com/osg-htc/osg-build-go/pkg/rpm"
	"github.com/ulikunitz/xz"
	"golang.org/x/sys/unix"
)

// Merge modes of a tag's external repos, as Koji names them.
const (
	// MergeKoji keeps, per source package name, only the RPMs of one SRPM:
	// the first repo that has the name wins (the Koji content first), and
	// within that repo the highest EVR; blocked source names are dropped.
	MergeKoji = "koji"
	// MergeSimple keeps every package (even identical NEVRAs), except
	// those of blocked source names.
	MergeSimple = "simple"
	// MergeBare keeps every package, the first of identical NEVRAs, and
	// ignores the block list.
	MergeBare = "bare"
)

// MergeOptions says what Merge merges.
type MergeOptions struct {
	// OutputDir receives repodata/.
	OutputDir string
	// Repos are the repository URLs (file://, http://, https://), highest
	// priority first. The first is the Koji content: its locations are
	// kept as they are; the packages of the others get their repo's URL
	// as xml:base.
	Repos []string
	// Arch is the tag arch the repo is for: packages of other arches are
	// left out (noarch and the arch's compatible arches, multilib
	// included, are kept; src never). "" keeps every arch.
	Arch string
	// Mode is MergeKoji (the default), MergeSimple or MergeBare.
	Mode string
	// Blocked are the blocked source package names (not used by MergeBare).
	Blocked []string
	// GroupFile, when set, is a comps file added to the repodata.
	GroupFile string
	// HTTPClient fetches http(s) repos (nil: a client with connect and
	// response-header timeouts).
	HTTPClient *http.Client
	// Now is the clock of the repomd revision (nil: time.Now).
	Now func() time.Time
}

// MergeResult describes a merged repodata.
type MergeResult struct {
	RepodataDir string
	Packages    int
	// PerRepo counts the packages kept from each repo, in Repos order.
	PerRepo []int
	Records []Record
}

// mergeHTTPClient fetches http(s) repos when MergeOptions has no client:
// a server that stops answering fails the merge instead of hanging it.
var mergeHTTPClient = &http.Client{Transport: &http.Transport{
	Proxy:                 http.ProxyFromEnvironment,
	DialContext:           (&net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
	TLSHandshakeTimeout:   30 * time.Second,
	ResponseHeaderTimeout: 60 * time.Second,
	MaxIdleConnsPerHost:   4,
}}

// mergedPkg is one package of an input repo.
type mergedPkg struct {
	repo, seq       int
	name, arch      string
	epoch, ver, rel string
	srpm, srpmName  string
	pkgid           string
	frag            [3]spoolRef // primary, filelists, other
	hasBase         bool        // its location has an xml:base already
	srpmE, srpmV    string
	srpmR           string
}

type spoolRef struct{ off, n int64 }

// Merge merges repositories into OutputDir/repodata the way kojid merges
// a build tag's external repos (with mergerepo_c): packages filtered by
// arch and by the merge mode, sorted by name (ties in repo order), the
// external packages pointing at their repos through xml:base.
func Merge(ctx context.Context, opts MergeOptions) (*MergeResult, error) {
	if len(opts.Repos) == 0 {
		return nil, errors.New("merge: no repositories given")
	}
	mode := opts.Mode
	switch mode {
	case "":
		mode = MergeKoji
	case MergeKoji, MergeSimple, MergeBare:
	default:
		return nil, fmt.Errorf("merge: unknown merge mode %q: use koji, simple or bare", mode)
	}
	out, err := filepath.Abs(opts.OutputDir)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return nil, fmt.Errorf("create output directory: %w", err)
	}
	client := opts.HTTPClient
	if client == nil {
		client = mergeHTTPClient
	}
	tmp, err := makeTempRepodata(out)
	if err != nil {
		return nil, err
	}
	ok := false
	defer func() {
		if !ok {
			os.RemoveAll(tmp)
		}
	}()
	spool, err := os.CreateTemp(tmp, ".spool-")
	if err != nil {
		return nil, err
	}
	defer func() {
		spool.Close()
		os.Remove(spool.Name())
	}()
	sw := &spoolWriter{f: spool, w: bufio.NewWriterSize(spool, 1<<20)}

	arches := compatibleArches(opts.Arch)
	var all []*mergedPkg
	for i, u := range opts.Repos {
		pkgs, err := readRepo(ctx, client, u, i, arches, sw)
		if err != nil {
			return nil, fmt.Errorf("merge: repo %s: %w", u, err)
		}
		all = append(all, pkgs...)
	}
	if err := sw.w.Flush(); err != nil {
		return nil, err
	}

	blocked := map[string]bool{}
	if mode != MergeBare {
		for _, b := range opts.Blocked {
			if b = strings.TrimSpace(b); b != "" {
				blocked[b] = true
			}
		}
	}
	kept := selectPackages(all, mode, blocked)
	slices.SortStableFunc(kept, func(a, b *mergedPkg) int { return strings.Compare(a.name, b.name) })

	res := &MergeResult{PerRepo: make([]int, len(opts.Repos)), Packages: len(kept)}
	for _, p := range kept {
		res.PerRepo[p.repo]++
	}
	// the fragments are read back in name order: map the spool once and
	// slice it (it can go from the directory at once)
	var frags []byte
	if sw.off > 0 {
		if frags, err = unix.Mmap(int(spool.Fd()), 0, int(sw.off), unix.PROT_READ, unix.MAP_PRIVATE); err != nil {
			return nil, fmt.Errorf("read back the merged metadata: %w", err)
		}
		defer unix.Munmap(frags)
	}
	spool.Close()
	os.Remove(spool.Name())
	records, err := writeMerged(tmp, kept, opts.Repos, frags)
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
	origins, err := writeOrigins(tmp, kept, opts.Repos)
	if err != nil {
		return nil, err
	}
	records = append(records, origins)
	now := time.Now
	if opts.Now != nil {
		now = opts.Now
	}
	if err := writeRepomd(filepath.Join(tmp, "repomd.xml"), now().Unix(), records); err != nil {
		return nil, err
	}
	repodata := filepath.Join(out, "repodata")
	if err := swapInto(tmp, repodata); err != nil {
		return nil, err
	}
	ok = true
	res.RepodataDir = repodata
	res.Records = records
	return res, nil
}

// selectPackages applies the merge mode to the packages, given in repo
// order then in each repo's order.
func selectPackages(all []*mergedPkg, mode string, blocked map[string]bool) []*mergedPkg {
	var kept []*mergedPkg
	switch mode {
	case MergeSimple:
		for _, p := range all {
			if !blocked[p.srpmName] {
				kept = append(kept, p)
			}
		}
		return kept
	case MergeBare:
		seen := map[string]bool{}
		for _, p := range all {
			k := p.nevra()
			if !seen[k] {
				seen[k] = true
				kept = append(kept, p)
			}
		}
		return kept
	}
	// koji: which SRPM (and repo) each source name comes from
	type choice struct {
		srpm string
		repo int
		p    *mergedPkg
	}
	chosen := map[string]*choice{}
	for _, p := range all {
		c := chosen[p.srpmName]
		switch {
		case c == nil:
			if !blocked[p.srpmName] {
				chosen[p.srpmName] = &choice{srpm: p.srpm, repo: p.repo, p: p}
			}
		case c.repo == p.repo && c.srpm != p.srpm:
			if rpm.Compare(p.srpmE, p.srpmV, p.srpmR, c.p.srpmE, c.p.srpmV, c.p.srpmR) > 0 {
				chosen[p.srpmName] = &choice{srpm: p.srpm, repo: p.repo, p: p}
			}
		}
	}
	seen := map[string]bool{}
	for _, p := range all {
		c := chosen[p.srpmName]
		if c == nil || c.srpm != p.srpm {
			continue
		}
		k := p.nevra()
		if seen[k] {
			continue // the same RPM again in a later repo
		}
		seen[k] = true
		kept = append(kept, p)
	}
	return kept
}

func (p *mergedPkg) nevra() string {
	return p.name + "-" + p.epoch + ":" + p.ver + "-" + p.rel + "." + p.arch
}

// compatibleArches returns the arches a repo for arch holds (Koji's
// mergerepos expansion: the arch, its variants, its multilib arch and
// noarch), nil for every arch.
func compatibleArches(arch string) map[string]bool {
	if arch == "" {
		return nil
	}
	expand := map[string][]string{
		"i386":    {"i486", "i586", "geode", "i686", "athlon"},
		"x86_64":  {"ia32e", "amd64"},
		"ppc64":   {"ppc64pseries", "ppc64iseries"},
		"sparc64": {"sparc64v", "sparc64v2"},
		"sparc":   {"sparcv8", "sparcv9", "sparcv9v", "sparcv9v2"},
		"alpha":   {"alphaev4", "alphaev45", "alphaev5", "alphaev56", "alphapca56", "alphaev6", "alphaev67", "alphaev68", "alphaev7"},
		"armhfp":  {"armv7hl", "armv7hnl", "armv6hl", "armv6hnl"},
		"arm":     {"armv5tel", "armv5tejl", "armv6l", "armv7l"},
		"sh4":     {"sh4a"},
	}
	multilib := map[string]string{"x86_64": "i386", "ppc64": "ppc", "s390x": "s390"}
	out := map[string]bool{arch: true, "noarch": true}
	for _, a := range expand[arch] {
		out[a] = true
	}
	if m, ok := multilib[arch]; ok {
		out[m] = true
		for _, a := range expand[m] {
			out[a] = true
		}
	}
	return out
}

// spoolWriter appends fragments to the spool file.
type spoolWriter struct {
	f   *os.File
	w   *bufio.Writer
	off int64
}

func (s *spoolWriter) put(b []byte) (spoolRef, error) {
	r := spoolRef{off: s.off, n: int64(len(b))}
	_, err := s.w.Write(b)
	s.off += int64(len(b))
	return r, err
}

// repomdData is the part of repomd.xml that Merge and keepRecords read.
type repomdData struct {
	Data []struct {
		Type         string       `xml:"type,attr"`
		Checksum     repomdDigest `xml:"checksum"`
		OpenChecksum repomdDigest `xml:"open-checksum"`
		Location     struct {
			Href string `xml:"href,attr"`
		} `xml:"location"`
		Timestamp int64  `xml:"timestamp"`
		Size      int64  `xml:"size"`
		OpenSize  *int64 `xml:"open-size"`
	} `xml:"data"`
}

// repomdDigest is a <checksum> or <open-checksum>.
type repomdDigest struct {
	Type  string `xml:"type,attr"`
	Value string `xml:",chardata"`
}

// readRepo reads the primary, filelists and other metadata of the repo at
// u, keeps the packages of the wanted arches and spools their fragments.
func readRepo(ctx context.Context, client *http.Client, u string, repo int, arches map[string]bool, sw *spoolWriter) ([]*mergedPkg, error) {
	base := strings.TrimRight(u, "/") + "/"
	rd, err := openURL(ctx, client, base+"repodata/repomd.xml")
	if err != nil {
		return nil, err
	}
	var md repomdData
	err = xml.NewDecoder(io.LimitReader(rd, 64<<20)).Decode(&md)
	rd.Close()
	if err != nil {
		return nil, fmt.Errorf("repodata/repomd.xml: %w", err)
	}
	files := map[string]int{"primary": 0, "filelists": 1, "other": 2}
	var locs [3]string
	var sums [3][2]string
	for _, d := range md.Data {
		if k, ok := files[d.Type]; ok {
			locs[k] = d.Location.Href
			sums[k] = [2]string{d.Checksum.Type, strings.TrimSpace(d.Checksum.Value)}
		}
	}
	for k, name := range []string{"primary", "filelists", "other"} {
		if locs[k] == "" {
			return nil, fmt.Errorf("repodata/repomd.xml lists no %s metadata", name)
		}
	}

	var pkgs []*mergedPkg
	byID := map[string][]*mergedPkg{} // pkgid -> packages kept, in order
	for k := 0; k < 3; k++ {
		n := 0
		err := readMetadata(ctx, client, base+locs[k], sums[k], func(frag []byte) error {
			if k == 0 {
				p, err := parsePrimaryFragment(frag)
				if err != nil {
					return fmt.Errorf("package %d: %w", n+1, err)
				}
				n++
				if p.arch == "src" || (arches != nil && !arches[p.arch]) {
					return nil
				}
				p.repo, p.seq = repo, len(pkgs)
				if p.frag[0], err = sw.put(frag); err != nil {
					return err
				}
				pkgs = append(pkgs, p)
				byID[p.pkgid] = append(byID[p.pkgid], p)
				return nil
			}
			id, err := fragmentPkgid(frag)
			if err != nil {
				return err
			}
			q := byID[id]
			for _, p := range q {
				if p.frag[k].n == 0 {
					p.frag[k], err = sw.put(frag)
					return err
				}
			}
			return nil // a package left out (arch), or an extra entry
		})
		if err != nil {
			return nil, fmt.Errorf("%s: %w", locs[k], err)
		}
	}
	for _, p := range pkgs {
		if p.frag[1].n == 0 || p.frag[2].n == 0 {
			return nil, fmt.Errorf("package %s (%s) is missing from the filelists or other metadata", p.nevra(), p.pkgid)
		}
	}
	return pkgs, nil
}

// openURL opens a file://, http:// or https:// URL.
func openURL(ctx context.Context, client *http.Client, raw string) (io.ReadCloser, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, err
	}
	switch u.Scheme {
	case "file", "":
		return os.Open(u.Path)
	case "http", "https":
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, raw, nil)
		if err != nil {
			return nil, err
		}
		resp, err := client.Do(req)
		if err != nil {
			return nil, err
		}
		if resp.StatusCode != http.StatusOK {
			resp.Body.Close()
			return nil, fmt.Errorf("GET %s: %s", raw, resp.Status)
		}
		return resp.Body, nil
	}
	return nil, fmt.Errorf("unsupported URL scheme in %s (file, http, https)", raw)
}

// readMetadata streams one metadata file: checksum-verified, decompressed
// by its name, cut into <package> fragments handed to fn.
func readMetadata(ctx context.Context, client *http.Client, u string, sum [2]string, fn func([]byte) error) error {
	rc, err := openURL(ctx, client, u)
	if err != nil {
		return err
	}
	defer rc.Close()
	var h hash.Hash
	switch sum[0] {
	case "sha256":
		h = sha256.New()
	case "sha", "sha1":
		h = sha1.New()
	case "sha512":
		h = sha512.New()
	case "sha384":
		h = sha512.New384()
	}
	var src io.Reader = rc
	if h != nil {
		src = io.TeeReader(rc, h)
	}
	br := bufio.NewReaderSize(src, 1<<20)
	var r io.Reader
	switch {
	case strings.HasSuffix(u, ".gz"):
		zr, err := gzip.NewReader(br)
		if err != nil {
			return err
		}
		defer zr.Close()
		r = zr
	case strings.HasSuffix(u, ".xz"):
		xr, err := xz.NewReader(br)
		if err != nil {
			return err
		}
		r = xr
	case strings.HasSuffix(u, ".zst"):
		zr, err := zstd.NewReader(br)
		if err != nil {
			return err
		}
		defer zr.Close()
		r = zr
	case strings.HasSuffix(u, ".bz2"):
		r = bzip2.NewReader(br)
	default:
		r = br
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 1<<20), 512<<20)
	sc.Split(splitPackages)
	for sc.Scan() {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := fn(sc.Bytes()); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		return err
	}
	if h != nil {
		// read what the decompressor left (padding) so the checksum covers
		// the whole file
		if _, err := io.Copy(io.Discard, br); err != nil {
			return err
		}
		if got := hex.EncodeToString(h.Sum(nil)); got != sum[1] {
			return fmt.Errorf("checksum mismatch: repomd.xml says %s %s, the file has %s", sum[0], sum[1], got)
		}
	}
	return nil
}

var (
	pkgOpen  = []byte("<package")
	pkgClose = []byte("</package>")
)

// splitPackages is a bufio.SplitFunc returning each <package>…</package>
// element (with its line end), skipping what is between them. A package
// element never nests, and "<" is always escaped in text, so the first
// "</package>" after a "<package" ends it.
func splitPackages(data []byte, atEOF bool) (int, []byte, error) {
	start := -1
	for from := 0; ; {
		i := bytes.Index(data[from:], pkgOpen)
		if i < 0 {
			break
		}
		i += from
		if j := i + len(pkgOpen); j < len(data) && (data[j] == ' ' || data[j] == '>' || data[j] == '\t' || data[j] == '\n') {
			start = i
			break
		} else if j >= len(data) && !atEOF {
			return i, nil, nil // need more to tell <package from <packages
		}
		from = i + len(pkgOpen)
	}
	if start < 0 {
		if atEOF {
			return len(data), nil, nil
		}
		// keep a tail that may hold the start of "<package"
		if keep := len(pkgOpen); len(data) > keep {
			return len(data) - keep, nil, nil
		}
		return 0, nil, nil
	}
	end := bytes.Index(data[start:], pkgClose)
	if end < 0 {
		if atEOF {
			return 0, nil, errors.New("unterminated <package> element")
		}
		return start, nil, nil
	}
	end += start + len(pkgClose)
	tokEnd := end
	if tokEnd < len(data) && data[tokEnd] == '\n' {
		tokEnd++
	} else if tokEnd == len(data) && !atEOF {
		return start, nil, nil // see whether a line end follows
	}
	frag := data[start:tokEnd]
	if frag[len(frag)-1] != '\n' {
		frag = append(frag[:len(frag):len(frag)], '\n')
	}
	return tokEnd, frag, nil
}

// primaryPackage is what Merge reads of a primary <package>.
type primaryPackage struct {
	Name    string `xml:"name"`
	Arch    string `xml:"arch"`
	Version struct {
		Epoch string `xml:"epoch,attr"`
		Ver   string `xml:"ver,attr"`
		Rel   string `xml:"rel,attr"`
	} `xml:"version"`
	Checksum string `xml:"checksum"`
	Location struct {
		Href string `xml:"href,attr"`
		Base string `xml:"http://www.w3.org/XML/1998/namespace base,attr"`
	} `xml:"location"`
	SourceRPM string `xml:"format>sourcerpm"`
}

func parsePrimaryFragment(frag []byte) (*mergedPkg, error) {
	var pp primaryPackage
	if err := xml.Unmarshal(frag, &pp); err != nil {
		return nil, err
	}
	if pp.Name == "" || pp.Arch == "" || pp.Checksum == "" {
		return nil, errors.New("no name, arch or checksum")
	}
	p := &mergedPkg{name: pp.Name, arch: pp.Arch, epoch: pp.Version.Epoch, ver: pp.Version.Ver, rel: pp.Version.Rel,
		pkgid: strings.TrimSpace(pp.Checksum), srpm: pp.SourceRPM, hasBase: pp.Location.Base != ""}
	if p.epoch == "" {
		p.epoch = "0"
	}
	p.srpmName, p.srpmE, p.srpmV, p.srpmR = splitSRPM(p.srpm, p.name)
	return p, nil
}

// splitSRPM splits a source RPM file name (N-V-R.src.rpm) into its name and
// EVR; with none, the package's own name stands for it.
func splitSRPM(srpm, fallback string) (name, e, v, r string) {
	s := strings.TrimSuffix(strings.TrimSuffix(srpm, ".rpm"), ".src")
	i := strings.LastIndexByte(s, '-')
	if srpm == "" || i <= 0 {
		return fallback, "0", "", ""
	}
	r = s[i+1:]
	s = s[:i]
	j := strings.LastIndexByte(s, '-')
	if j <= 0 {
		return fallback, "0", "", ""
	}
	name, v = s[:j], s[j+1:]
	e = "0"
	if k := strings.IndexByte(v, ':'); k >= 0 {
		e, v = v[:k], v[k+1:]
	}
	return name, e, v, r
}

// fragmentPkgid reads the pkgid attribute of a filelists or other
// <package> start tag.
func fragmentPkgid(frag []byte) (string, error) {
	end := bytes.IndexByte(frag, '>')
	if end < 0 {
		return "", errors.New("malformed <package> element")
	}
	tag := frag[:end]
	i := bytes.Index(tag, []byte(`pkgid="`))
	if i < 0 {
		return "", errors.New("a <package> element without pkgid")
	}
	rest := tag[i+len(`pkgid="`):]
	j := bytes.IndexByte(rest, '"')
	if j < 0 {
		return "", errors.New("malformed pkgid attribute")
	}
	return string(rest[:j]), nil
}

// writeMerged writes the three metadata files of the kept packages into
// tmp, the external ones' locations given their repo's URL as xml:base;
// frags is the spool the fragments were written to.
func writeMerged(tmp string, kept []*mergedPkg, repos []string, frags []byte) ([]Record, error) {
	heads := [][]byte{primaryHead(len(kept)), filelistsHead(len(kept)), otherHead(len(kept))}
	tails := [][]byte{primaryTail, filelistsTail, otherTail}
	records := make([]Record, 3)
	comp := compPool.Get().(*compressor)
	defer compPool.Put(comp)
	for k, name := range []string{"primary", "filelists", "other"} {
		rec, err := writeMergedFile(tmp, name, heads[k], tails[k], comp, func(emit func([]byte) error) error {
			for _, p := range kept {
				ref := p.frag[k]
				b := frags[ref.off : ref.off+ref.n]
				if k == 0 && p.repo > 0 && !p.hasBase {
					b = withBase(b, strings.TrimRight(repos[p.repo], "/"))
				}
				if err := emit(b); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		records[k] = rec
	}
	return records, nil
}

// writeMergedFile writes one gzipped metadata file: head, the fragments
// each emits (compressed in segments of about 256 KB), tail.
func writeMergedFile(tmp, name string, head, tail []byte, comp *compressor, each func(emit func([]byte) error) error) (Record, error) {
	g := newGzFile(tmp, name, head)
	if err := g.create(); err != nil {
		return Record{}, err
	}
	defer g.f.Close()
	var parts [][]byte
	size := 0
	flush := func() error {
		if len(parts) == 0 {
			return nil
		}
		seg, err := comp.segment(false, parts...)
		if err != nil {
			return err
		}
		g.write(seg)
		parts, size = parts[:0], 0
		return nil
	}
	err := each(func(b []byte) error {
		g.open(b)
		parts = append(parts, b)
		if size += len(b); size >= 256<<10 {
			return flush()
		}
		return nil
	})
	if err == nil {
		err = flush()
	}
	if err != nil {
		return Record{}, err
	}
	return g.finish(tail)
}

// writeOrigins writes pkgorigins.gz, the "origin" record mergerepo_c
// writes (and kojid reads to tell which repo a buildroot's package came
// from): a line "N-V-R.A<TAB>repo URL/" per package, the repos in their
// order, each in its own order (mergerepo_c's order within a repo is its
// hash table's), and one line per N-V-R.A, the first repo's, as
// mergerepo_c keeps one.
func writeOrigins(tmp string, kept []*mergedPkg, repos []string) (Record, error) {
	byRepo := slices.Clone(kept)
	slices.SortFunc(byRepo, func(a, b *mergedPkg) int {
		if a.repo != b.repo {
			return a.repo - b.repo
		}
		return a.seq - b.seq
	})
	var b bytes.Buffer
	seen := make(map[string]bool, len(byRepo))
	for _, p := range byRepo {
		nvra := p.name + "-" + p.ver + "-" + p.rel + "." + p.arch
		if seen[nvra] {
			continue
		}
		seen[nvra] = true
		u := repos[p.repo]
		if !strings.HasSuffix(u, "/") {
			u += "/"
		}
		b.WriteString(nvra + "\t" + u + "\n")
	}
	return writeGzRecord(tmp, "origin", "pkgorigins.gz", b.Bytes())
}

// withBase adds xml:base="base" to the <location> of a primary fragment.
func withBase(frag []byte, base string) []byte {
	i := bytes.Index(frag, []byte("<location "))
	if i < 0 {
		return frag
	}
	var b bytes.Buffer
	b.Grow(len(frag) + len(base) + 12)
	b.Write(frag[:i+len("<location")])
	attr(&b, "xml:base", base)
	b.Write(frag[i+len("<location"):])
	return b.Bytes()
}
