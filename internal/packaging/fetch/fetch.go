// Package fetch downloads what .source files name (see
// internal/packaging/source) into a destination directory, as osg-build's
// fetch_sources does, and better:
//
//   - cached files come from a chain of upstream cache prefixes (http(s)://
//     or file://), falling back to the next prefix when one fails; when all
//     fail, the error lists every URL tried and why;
//   - SHA-1 and SHA-256 are computed while the file streams to disk and
//     checked against sha1sum= and sha256sum=; a mismatch is an error in
//     strict mode (fetch-sources, Koji non-scratch builds) and a warning
//     otherwise; a missing checksum is always a warning;
//   - a local download cache keyed by checksum makes a second run download
//     nothing; git tarballs are cached by their verified commit hash;
//   - files download in parallel, with a progress bar when asked;
//   - git and github sources are fetched with the git CLI (a shallow fetch
//     of the tag into a temporary bare repository), checked against hash=
//     (also through annotated tags), and archived with git archive and
//     gzip -n, byte for byte what osg-build makes;
//   - nothing is half-written: everything is built in a staging directory
//     inside destdir and renamed into place only when every line succeeded.
package fetch

import (
	"context"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/osg-htc/osg-build-go/internal/atomicfile"
	"github.com/osg-htc/osg-build-go/internal/packaging/source"
)

// DefaultCachePrefixes is the upstream cache chain osg-build (1.99.5+) uses.
var DefaultCachePrefixes = []string{"https://sw-upstream.svc.osg-htc.org/upstream", "https://vdt.cs.wisc.edu/upstream"}

// CachePrefixEnv names the environment variable that, when set, replaces
// DefaultCachePrefixes for every command that fetches sources without
// --cache-prefix, and for the embedded hub's builders (the strict
// fetch-sources step of SCM builds): a space-separated list of http(s)://,
// file:// prefixes or directories, tried in order. Useful for a local mirror
// of the upstream cache, or offline.
const CachePrefixEnv = "OSG_BUILD_CACHE_PREFIX"

// EnvCachePrefixes returns the prefixes of CachePrefixEnv, or
// DefaultCachePrefixes when it is unset or blank.
func EnvCachePrefixes(getenv func(string) string) []string {
	if f := strings.Fields(getenv(CachePrefixEnv)); len(f) > 0 {
		return f
	}
	return DefaultCachePrefixes
}

// Options control a [Fetcher].
type Options struct {
	// CachePrefixes are the upstream cache prefixes tried in order for
	// cached lines: http(s)://, file:// or a plain absolute directory.
	// Default: EnvCachePrefixes (OSG_BUILD_CACHE_PREFIX, else DefaultCachePrefixes).
	CachePrefixes []string
	// Strict makes a checksum or hash mismatch (and a git line without
	// hash=) an error; otherwise it is a warning. A missing file checksum is
	// always a warning.
	Strict bool
	// WantSpec extracts, for git sources, rpm/<name>.spec or spec= into
	// destdir when the repository has it.
	WantSpec bool
	// CacheDir is the local download cache, keyed by checksum; ""
	// means ${XDG_CACHE_HOME:-~/.cache}/osg-build/downloads and "-"
	// turns the cache off.
	CacheDir string
	// HTTPClient does the downloads (default: a client with connect and
	// response-header timeouts).
	HTTPClient *http.Client
	// Progress receives a progress bar when non-nil (pass only a terminal).
	Progress io.Writer
	// Jobs is how many lines are fetched at once (default 4).
	Jobs int
	// Logger receives status messages and warnings (default slog.Default()).
	Logger *slog.Logger
}

// Fetcher downloads the files named by source lines.
type Fetcher struct {
	opts   Options
	client *http.Client
	log    *slog.Logger
	cache  string // "" when off

	bar *progressbar.ProgressBar // during a FetchLines call, or nil
}

// New returns a Fetcher with opts, defaults filled in.
func New(opts Options) *Fetcher {
	if len(opts.CachePrefixes) == 0 {
		opts.CachePrefixes = EnvCachePrefixes(os.Getenv)
	}
	if opts.Jobs <= 0 {
		opts.Jobs = 4
	}
	f := &Fetcher{opts: opts, client: opts.HTTPClient, log: opts.Logger}
	if f.client == nil {
		f.client = defaultClient()
	}
	if f.log == nil {
		f.log = slog.Default()
	}
	switch opts.CacheDir {
	case "-":
	case "":
		if d, err := DefaultCacheDir(); err == nil {
			f.cache = d
		}
	default:
		f.cache = opts.CacheDir
	}
	return f
}

func defaultClient() *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.DialContext = (&net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}).DialContext
	tr.ResponseHeaderTimeout = 60 * time.Second
	return &http.Client{Transport: tr}
}

// DefaultCacheDir is ${XDG_CACHE_HOME:-~/.cache}/osg-build/downloads.
func DefaultCacheDir() (string, error) {
	base := os.Getenv("XDG_CACHE_HOME")
	if base == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("find the download cache: %w", err)
		}
		base = filepath.Join(home, ".cache")
	}
	return filepath.Join(base, "osg-build", "downloads"), nil
}

// Fetch parses the .source files in the given order and fetches every line
// into destdir. It returns the paths written, in order. A parse error in any
// file stops everything before a download starts.
func (f *Fetcher) Fetch(ctx context.Context, sourceFiles []string, destdir string) ([]string, error) {
	var all []source.Line
	for _, sf := range sourceFiles {
		lines, err := source.ParseFile(sf)
		if err != nil {
			return nil, err
		}
		all = append(all, lines...)
	}
	return f.FetchLines(ctx, all, destdir)
}

// staged is one output file waiting in the staging directory.
type staged struct {
	tmp  string // path in the staging directory
	name string // file name in destdir
}

// FetchLines fetches already parsed lines into destdir and returns the
// paths written, in line order (a git line gives its tarball, then its spec
// when one was extracted). Lines are fetched in parallel; the files are
// moved into destdir only when every line succeeded. The error reports
// every line that failed.
func (f *Fetcher) FetchLines(ctx context.Context, lines []source.Line, destdir string) ([]string, error) {
	if err := os.MkdirAll(destdir, 0o755); err != nil {
		return nil, fmt.Errorf("create destination directory: %w", err)
	}
	// Work with absolute paths (git runs in other directories); report
	// the paths under destdir as given.
	absDest, err := filepath.Abs(destdir)
	if err != nil {
		return nil, fmt.Errorf("find the destination directory: %w", err)
	}
	// Each line writes its files under temporary names in destdir itself
	// and gets a work directory only when it needs one (a git checkout):
	// on a warm cache nothing is created but the output files, because
	// making and removing directories is not free on every file system.
	stages := make([]*lineStage, len(lines))
	for i := range lines {
		stages[i] = &lineStage{dest: absDest, prefix: fmt.Sprintf(".osg-build-fetch-%d-%d-", os.Getpid(), i)}
	}
	moved := false
	defer func() {
		for _, st := range stages {
			st.cleanup(!moved)
		}
	}()

	if f.opts.Progress != nil {
		f.bar = progressbar.NewOptions64(-1,
			progressbar.OptionSetWriter(f.opts.Progress),
			progressbar.OptionSetDescription(fmt.Sprintf("fetching %d sources", len(lines))),
			progressbar.OptionShowBytes(true),
			progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionClearOnFinish(),
		)
		defer func() {
			_ = f.bar.Finish()
			f.bar = nil
		}()
	}

	results := make([][]staged, len(lines))
	errs := make([]error, len(lines))
	sem := make(chan struct{}, f.opts.Jobs)
	var wg sync.WaitGroup
	var done atomic.Int32
	for i, l := range lines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				errs[i] = ctx.Err()
				return
			}
			defer func() { <-sem }()
			switch l.Type {
			case source.Cached, source.URI:
				results[i], errs[i] = f.fetchFile(ctx, l, stages[i])
			case source.Git, source.GitHub:
				results[i], errs[i] = f.fetchGit(ctx, l, stages[i])
			default:
				errs[i] = lineErrorf(l, "unknown source type %q", l.Type)
			}
			if f.bar != nil {
				n := done.Add(1)
				f.bar.Describe(fmt.Sprintf("fetched %d/%d sources", n, len(lines)))
			}
		}()
	}
	wg.Wait()
	if ctx.Err() != nil {
		return nil, fmt.Errorf("fetch sources: %w", ctx.Err())
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}

	var paths []string
	for _, outs := range results {
		for _, o := range outs {
			if err := os.Rename(o.tmp, filepath.Join(absDest, o.name)); err != nil {
				return paths, fmt.Errorf("move %s into place: %w", o.name, err)
			}
			paths = append(paths, filepath.Join(destdir, o.name))
		}
	}
	moved = true
	return paths, nil
}

// lineStage is where one source line's fetch writes before its outputs are
// moved into the destination directory.
type lineStage struct {
	dest   string // the destination directory (absolute)
	prefix string // hidden, unique name prefix for this line
	files  []string
	work   string // the work directory, once made
}

// file returns a temporary path in the destination directory for an
// output called name.
func (s *lineStage) file(name string) string {
	p := filepath.Join(s.dest, s.prefix+name)
	s.files = append(s.files, p)
	return p
}

// dir returns the line's work directory, making it on first use.
func (s *lineStage) dir() (string, error) {
	if s.work == "" {
		d, err := os.MkdirTemp(s.dest, s.prefix+"work-")
		if err != nil {
			return "", fmt.Errorf("create a work directory: %w", err)
		}
		s.work = d
	}
	return s.work, nil
}

// cleanup removes the work directory and, when failed, the temporary
// files (after a success they have all been moved into place).
func (s *lineStage) cleanup(failed bool) {
	if s.work != "" {
		os.RemoveAll(s.work)
	}
	if failed {
		for _, p := range s.files {
			os.Remove(p)
		}
	}
}

// LineError is a failure to fetch one source line.
type LineError struct {
	Line source.Line
	Err  error
}

func (e *LineError) Error() string {
	return fmt.Sprintf("%s:%d: %v", e.Line.File, e.Line.LineNo, e.Err)
}

func (e *LineError) Unwrap() error { return e.Err }

func lineErrorf(l source.Line, format string, args ...any) error {
	return &LineError{Line: l, Err: fmt.Errorf(format, args...)}
}

// Attempt is one URL tried for a file, and why it failed.
type Attempt struct {
	URL string
	Err error
}

// DownloadError means no URL of a line gave the file.
type DownloadError struct {
	Name     string
	Attempts []Attempt
}

func (e *DownloadError) Error() string {
	var b strings.Builder
	if len(e.Attempts) == 1 {
		fmt.Fprintf(&b, "cannot download %s from %s: %v", e.Name, e.Attempts[0].URL, e.Attempts[0].Err)
	} else {
		fmt.Fprintf(&b, "cannot download %s from any of %d URLs:", e.Name, len(e.Attempts))
		for _, a := range e.Attempts {
			fmt.Fprintf(&b, "\n    %s: %v", a.URL, a.Err)
		}
	}
	b.WriteString("\n  check the path in the .source line, that the file was uploaded to the upstream cache, and the network (--cache-prefix chooses other caches)")
	return b.String()
}

// MismatchError is a checksum or git hash that differs from the .source line.
type MismatchError struct {
	What     string // "sha1sum", "sha256sum" or "hash"
	Subject  string // file name or "URL tag TAG"
	Expected string
	Got      string
}

func (e *MismatchError) Error() string {
	hint := "the upstream file changed or the .source line is wrong: check the file, then update " + e.What +
		"= (`osg-build checksum FILE` prints a new line)"
	if e.What == "hash" {
		hint = "the tag was moved or hash= is wrong: check the tag upstream, then update hash="
	}
	return fmt.Sprintf("%s mismatch for %s:\n    expected: %s\n    got:      %s\n  %s", e.What, e.Subject, e.Expected, e.Got, hint)
}

// sums holds the checksums of a file.
type sums struct{ sha1, sha256 string }

// fileURLs lists the URLs a cached or uri line may come from.
func (f *Fetcher) fileURLs(l source.Line) []string {
	if l.Type == source.URI {
		return []string{l.Path}
	}
	urls := make([]string, 0, len(f.opts.CachePrefixes))
	for _, p := range f.opts.CachePrefixes {
		if strings.HasPrefix(p, "/") {
			p = "file://" + p
		}
		urls = append(urls, strings.TrimRight(p, "/")+"/"+l.Path)
	}
	return urls
}

func (f *Fetcher) fetchFile(ctx context.Context, l source.Line, ls *lineStage) ([]staged, error) {
	name := l.OutputName()
	tmp := ls.file(name)
	if !l.Checksummed() {
		f.log.Warn(fmt.Sprintf("%s:%d: no sha1sum= or sha256sum= for %s; a checksum will be required for official builds (`osg-build checksum FILE` prints one)",
			l.File, l.LineNo, name))
	}

	got, fromCache := f.fromCache(l, tmp)
	if !fromCache {
		var attempts []Attempt
		ok := false
		for _, u := range f.fileURLs(l) {
			f.log.Info("Retrieving " + u)
			s, err := f.download(ctx, u, tmp)
			if err == nil {
				got, ok = s, true
				break
			}
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			attempts = append(attempts, Attempt{URL: u, Err: err})
			f.log.Debug("download failed", "url", u, "err", err)
		}
		if !ok {
			return nil, &LineError{Line: l, Err: &DownloadError{Name: name, Attempts: attempts}}
		}
		f.toCache(tmp, got)
	}

	for _, c := range []struct{ what, want, got string }{
		{"sha1sum", l.SHA1, got.sha1},
		{"sha256sum", l.SHA256, got.sha256},
	} {
		if c.want == "" || c.want == c.got {
			continue
		}
		err := &MismatchError{What: c.what, Subject: name, Expected: c.want, Got: c.got}
		if f.opts.Strict {
			return nil, &LineError{Line: l, Err: err}
		}
		f.log.Warn(fmt.Sprintf("%s:%d: %v\n  (ignored: not strict)", l.File, l.LineNo, err))
	}
	return []staged{{tmp: tmp, name: name}}, nil
}

// hashingWriter computes SHA-1 and SHA-256 and feeds the progress bar.
type hashingWriter struct {
	w      io.Writer
	h1, h2 hash.Hash
	bar    *progressbar.ProgressBar
}

func newHashingWriter(w io.Writer, bar *progressbar.ProgressBar) *hashingWriter {
	return &hashingWriter{w: w, h1: sha1.New(), h2: sha256.New(), bar: bar}
}

func (h *hashingWriter) Write(p []byte) (int, error) {
	n, err := h.w.Write(p)
	h.h1.Write(p[:n])
	h.h2.Write(p[:n])
	if h.bar != nil {
		_ = h.bar.Add(n)
	}
	return n, err
}

func (h *hashingWriter) sums() sums {
	return sums{sha1: hex.EncodeToString(h.h1.Sum(nil)), sha256: hex.EncodeToString(h.h2.Sum(nil))}
}

// download writes the resource at rawURL to dst (removed on failure) and
// returns its checksums.
func (f *Fetcher) download(ctx context.Context, rawURL, dst string) (sums, error) {
	body, err := f.open(ctx, rawURL)
	if err != nil {
		return sums{}, err
	}
	defer body.Close()
	s, err := writeHashed(dst, body, f.bar)
	if err != nil {
		return sums{}, err
	}
	return s, nil
}

// writeHashed copies r into a new file dst and returns its checksums; dst
// is removed on failure.
func writeHashed(dst string, r io.Reader, bar *progressbar.ProgressBar) (sums, error) {
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
	if err != nil {
		return sums{}, err
	}
	hw := newHashingWriter(out, bar)
	_, err = io.Copy(hw, r)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(dst)
		return sums{}, err
	}
	return hw.sums(), nil
}

// open starts reading a http, https or file URL.
func (f *Fetcher) open(ctx context.Context, rawURL string) (io.ReadCloser, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("bad URL: %w", err)
	}
	switch u.Scheme {
	case "http", "https":
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
		if err != nil {
			return nil, err
		}
		req.Header.Set("User-Agent", "osg-build-go (source fetch)")
		resp, err := f.client.Do(req)
		if err != nil {
			var ue *url.Error
			if errors.As(err, &ue) {
				err = ue.Err
			}
			return nil, err
		}
		if resp.StatusCode != http.StatusOK {
			resp.Body.Close()
			return nil, fmt.Errorf("HTTP %s", resp.Status)
		}
		return resp.Body, nil
	case "file":
		if u.Host != "" && u.Host != "localhost" {
			return nil, fmt.Errorf("file URL with host %q: only local files are supported", u.Host)
		}
		fh, err := os.Open(u.Path)
		if err != nil {
			if errors.Is(err, os.ErrNotExist) {
				return nil, errors.New("no such file")
			}
			return nil, err
		}
		if st, err := fh.Stat(); err == nil && st.IsDir() {
			fh.Close()
			return nil, errors.New("is a directory")
		}
		return fh, nil
	default:
		return nil, fmt.Errorf("unsupported URL scheme %q: use http, https or file", u.Scheme)
	}
}

// cachePath is where the local cache keeps a file with the given checksum.
func (f *Fetcher) cachePath(algo, sum string) string {
	return filepath.Join(f.cache, algo, sum[:2], sum)
}

// fromCache copies the cached file for l's checksum into dst, verifying
// it; a corrupt entry is removed.
func (f *Fetcher) fromCache(l source.Line, dst string) (sums, bool) {
	if f.cache == "" || !l.Checksummed() {
		return sums{}, false
	}
	algo, want := "sha256", l.SHA256
	if want == "" {
		algo, want = "sha1", l.SHA1
	}
	p := f.cachePath(algo, want)
	in, err := os.Open(p)
	if err != nil {
		return sums{}, false
	}
	defer in.Close()
	s, err := writeHashed(dst, in, f.bar)
	if err != nil {
		f.log.Debug("read download cache", "path", p, "err", err)
		return sums{}, false
	}
	if (algo == "sha256" && s.sha256 != want) || (algo == "sha1" && s.sha1 != want) {
		f.log.Warn("removing a corrupt entry from the download cache: " + p)
		os.Remove(p)
		os.Remove(dst)
		return sums{}, false
	}
	f.log.Info(fmt.Sprintf("Using cached %s (%s)", l.OutputName(), p))
	return s, true
}

// toCache stores a copy of the downloaded file under both of its checksums.
// Failures only cost a later download, so they are logged, not returned.
func (f *Fetcher) toCache(src string, s sums) {
	if f.cache == "" {
		return
	}
	first := ""
	for _, k := range []struct{ algo, sum string }{{"sha256", s.sha256}, {"sha1", s.sha1}} {
		p := f.cachePath(k.algo, k.sum)
		if _, err := os.Stat(p); err == nil {
			continue
		}
		var err error
		if first != "" {
			err = linkOrCopy(first, p)
		} else {
			err = copyFile(src, p)
		}
		if err != nil {
			f.log.Debug("write download cache", "path", p, "err", err)
			return
		}
		first = p
	}
}

// copyFile copies src to dst through a temporary file next to dst.
func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	return writeAtomic(dst, in)
}

// writeAtomic writes r to dst (its directory made if needed) through a
// temporary file renamed into place.
func writeAtomic(dst string, r io.Reader) error {
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	return atomicfile.Write(dst, func(w io.Writer) error {
		_, err := io.Copy(w, r)
		return err
	})
}

func linkOrCopy(src, dst string) error {
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	if err := os.Link(src, dst); err == nil || errors.Is(err, os.ErrExist) {
		return nil
	}
	return copyFile(src, dst)
}
