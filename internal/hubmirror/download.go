package hubmirror

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/osg-htc/osg-build-go/pkg/koji"
	"github.com/osg-htc/osg-build-go/pkg/rpm"
)

// Fetch writes the remote file rel (relative to its topurl) to w.
type Fetch func(ctx context.Context, rel string, w io.Writer) error

// ErrChecksum is wrapped by the error for a downloaded file that is not
// what the remote's RPM row says.
var ErrChecksum = errors.New("checksum mismatch")

// RemotePath is the path of a build's RPM under the remote's topurl
// (Koji's pathinfo: packages/N/V/R/ARCH/FILE, N-V-R of the build).
func RemotePath(b koji.TaggedBuild, r koji.RPM) string {
	return path.Join("packages", b.Name, b.Version, b.Release, r.Arch, r.Filename())
}

// File is one RPM to bring over.
type File struct {
	Build koji.TaggedBuild
	RPM   koji.RPM
	// Staged is where it is kept until its build is imported.
	Staged string
}

// Downloader downloads RPMs into a staging directory, in parallel.
type Downloader struct {
	Fetch   Fetch
	Dir     string // the staging directory
	Workers int
	// Progress, when not nil, gets a progress line (a terminal).
	Progress io.Writer

	Downloaded, Reused atomic.Int64
	Bytes              atomic.Int64
}

// StagedPath is where f is kept in the staging directory.
func (d *Downloader) StagedPath(b koji.TaggedBuild, r koji.RPM) string {
	return filepath.Join(d.Dir, filepath.FromSlash(RemotePath(b, r)))
}

// Get brings every file over; a file already staged and correct is kept
// (a re-run resumes). It answers the error of each build whose files could
// not all be had, by N-V-R.
func (d *Downloader) Get(ctx context.Context, files []File) map[string]error {
	workers := d.Workers
	if workers <= 0 {
		workers = 4
	}
	errs := map[string]error{}
	var mu sync.Mutex
	var done atomic.Int64
	jobs := make(chan File)
	var wg sync.WaitGroup
	stop := make(chan struct{})
	if d.Progress != nil && len(files) > 0 {
		go func() {
			t := time.NewTicker(200 * time.Millisecond)
			defer t.Stop()
			for {
				select {
				case <-stop:
					fmt.Fprintf(d.Progress, "\r\033[KDownloaded %d/%d files (%s)\n", done.Load(), len(files), human(d.Bytes.Load()))
					return
				case <-t.C:
					fmt.Fprintf(d.Progress, "\r\033[KDownloading %d/%d files (%s)", done.Load(), len(files), human(d.Bytes.Load()))
				}
			}
		}()
	}
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for f := range jobs {
				err := d.get(ctx, f)
				done.Add(1)
				if err != nil {
					mu.Lock()
					if errs[f.Build.NVR] == nil {
						errs[f.Build.NVR] = err
					}
					mu.Unlock()
				}
			}
		}()
	}
	for _, f := range files {
		select {
		case jobs <- f:
		case <-ctx.Done():
		}
	}
	close(jobs)
	wg.Wait()
	if d.Progress != nil && len(files) > 0 {
		close(stop)
		time.Sleep(10 * time.Millisecond)
	}
	if ctx.Err() != nil {
		for _, f := range files {
			if _, err := os.Stat(f.Staged); err != nil && errs[f.Build.NVR] == nil {
				errs[f.Build.NVR] = ctx.Err()
			}
		}
	}
	return errs
}

// get downloads one file under a temporary name, checks it and renames it
// into place; a staged file that checks out is kept.
func (d *Downloader) get(ctx context.Context, f File) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if Check(f.Staged, f.RPM) == nil {
		d.Reused.Add(1)
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(f.Staged), 0o755); err != nil {
		return err
	}
	tmp := f.Staged + ".part"
	out, err := os.Create(tmp)
	if err != nil {
		return err
	}
	rel := RemotePath(f.Build, f.RPM)
	cw := &countWriter{w: out, n: &d.Bytes}
	err = d.Fetch(ctx, rel, cw)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		if err = Check(tmp, f.RPM); err != nil {
			err = fmt.Errorf("%s: %w", rel, err)
		}
	}
	if err != nil {
		os.Remove(tmp)
		return err
	}
	d.Downloaded.Add(1)
	return os.Rename(tmp, f.Staged)
}

// Check verifies the RPM file p against the remote's row: its size, and
// the MD5 of its header and payload against the payload hash (the
// signature header's MD5, which the file must also carry).
func Check(p string, r koji.RPM) error {
	fh, err := os.Open(p)
	if err != nil {
		return err
	}
	defer fh.Close()
	st, err := fh.Stat()
	if err != nil {
		return err
	}
	if r.Size > 0 && st.Size() != r.Size {
		return fmt.Errorf("%w: %d bytes, the remote says %d", ErrChecksum, st.Size(), r.Size)
	}
	if r.PayloadHash == "" {
		return nil
	}
	f, err := rpm.Read(fh)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrChecksum, err)
	}
	if got := f.SigMD5(); got != r.PayloadHash {
		return fmt.Errorf("%w: payload hash %s, the remote says %s", ErrChecksum, got, r.PayloadHash)
	}
	if _, err := fh.Seek(f.HeaderStart, io.SeekStart); err != nil {
		return err
	}
	h := md5.New()
	if _, err := io.Copy(h, fh); err != nil {
		return err
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != r.PayloadHash {
		return fmt.Errorf("%w: header and payload MD5 %s, the remote says %s", ErrChecksum, got, r.PayloadHash)
	}
	return nil
}

type countWriter struct {
	w io.Writer
	n *atomic.Int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n.Add(int64(n))
	return n, err
}

func human(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
