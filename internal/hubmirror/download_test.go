package hubmirror

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/osg-htc/osg-build-go/pkg/koji"
	"github.com/osg-htc/osg-build-go/pkg/rpm"
)

const testRPM = "../../testdata/rpms/osgtest-noarch-0.5-1.noarch.rpm"

func testFile(t *testing.T, dir string) (File, []byte, *Downloader) {
	t.Helper()
	data, err := os.ReadFile(testRPM)
	if err != nil {
		t.Fatal(err)
	}
	f, err := rpm.ReadFile(testRPM)
	if err != nil {
		t.Fatal(err)
	}
	b := koji.TaggedBuild{Name: "osgtest-noarch", Version: "0.5", Release: "1", NVR: "osgtest-noarch-0.5-1"}
	r := koji.RPM{Name: "osgtest-noarch", Version: "0.5", Release: "1", Arch: "noarch", Size: int64(len(data)), PayloadHash: f.SigMD5()}
	d := &Downloader{Dir: dir, Workers: 2}
	return File{Build: b, RPM: r, Staged: d.StagedPath(b, r)}, data, d
}

func TestDownloadResume(t *testing.T) {
	dir := t.TempDir()
	file, data, d := testFile(t, dir)
	var fetches atomic.Int64
	d.Fetch = func(ctx context.Context, rel string, w io.Writer) error {
		fetches.Add(1)
		if rel != "packages/osgtest-noarch/0.5/1/noarch/osgtest-noarch-0.5-1.noarch.rpm" {
			t.Errorf("fetched %s", rel)
		}
		_, err := w.Write(data)
		return err
	}
	if errs := d.Get(context.Background(), []File{file}); len(errs) != 0 {
		t.Fatal(errs)
	}
	if got, _ := os.ReadFile(file.Staged); !bytes.Equal(got, data) {
		t.Fatal("staged file differs")
	}
	// a second run finds it staged and checked
	if errs := d.Get(context.Background(), []File{file}); len(errs) != 0 {
		t.Fatal(errs)
	}
	if fetches.Load() != 1 || d.Downloaded.Load() != 1 || d.Reused.Load() != 1 {
		t.Errorf("fetches %d downloaded %d reused %d", fetches.Load(), d.Downloaded.Load(), d.Reused.Load())
	}
	// a staged file that went bad is fetched again
	if err := os.WriteFile(file.Staged, data[:100], 0o644); err != nil {
		t.Fatal(err)
	}
	if errs := d.Get(context.Background(), []File{file}); len(errs) != 0 || fetches.Load() != 2 {
		t.Errorf("errs %v, fetches %d", errs, fetches.Load())
	}
}

func TestDownloadMismatch(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func([]byte) []byte
		want   string
	}{
		{"payload", func(b []byte) []byte { b[len(b)-1] ^= 0xff; return b }, "header and payload MD5"},
		{"size", func(b []byte) []byte { return append(b, 0) }, "bytes, the remote says"},
		{"not an rpm", func(b []byte) []byte { return bytes.Repeat([]byte{'x'}, len(b)) }, "checksum mismatch"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			file, data, d := testFile(t, dir)
			bad := tc.change(append([]byte(nil), data...))
			d.Fetch = func(ctx context.Context, rel string, w io.Writer) error {
				_, err := w.Write(bad)
				return err
			}
			errs := d.Get(context.Background(), []File{file})
			err := errs[file.Build.NVR]
			if !errors.Is(err, ErrChecksum) || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "osgtest-noarch-0.5-1.noarch.rpm") {
				t.Fatalf("err %v: want a checksum mismatch naming the file (%s)", err, tc.want)
			}
			left, _ := filepath.Glob(filepath.Join(filepath.Dir(file.Staged), "*"))
			if len(left) != 0 {
				t.Errorf("left behind: %v", left)
			}
		})
	}
}

func TestDownloadFetchError(t *testing.T) {
	file, _, d := testFile(t, t.TempDir())
	d.Fetch = func(ctx context.Context, rel string, w io.Writer) error { return errors.New("HTTP 404 Not Found") }
	errs := d.Get(context.Background(), []File{file})
	if err := errs[file.Build.NVR]; err == nil || !strings.Contains(err.Error(), "404") {
		t.Errorf("err %v", err)
	}
	if _, err := os.Stat(file.Staged + ".part"); err == nil {
		t.Error("the partial file was left")
	}
}

// TestDownloadInterrupted: a run interrupted after one file keeps it; the
// next run fetches only the rest.
func TestDownloadInterrupted(t *testing.T) {
	dir := t.TempDir()
	f1, data, d := testFile(t, dir)
	f2 := f1
	f2.Build.NVR, f2.Build.Release, f2.Staged = "osgtest-noarch-0.5-2", "2", filepath.Join(dir, "other.rpm")
	ctx, cancel := context.WithCancel(context.Background())
	var fetched []string
	d.Workers = 1
	d.Fetch = func(c context.Context, rel string, w io.Writer) error {
		fetched = append(fetched, rel)
		if _, err := w.Write(data); err != nil {
			return err
		}
		cancel() // interrupted after the first file
		return nil
	}
	errs := d.Get(ctx, []File{f1, f2})
	if errs[f1.Build.NVR] != nil || !errors.Is(errs[f2.Build.NVR], context.Canceled) {
		t.Fatalf("errs %v: want the first kept, the second canceled", errs)
	}
	fetched = nil
	d.Downloaded.Store(0)
	if errs := d.Get(context.Background(), []File{f1, f2}); len(errs) != 0 {
		t.Fatal(errs)
	}
	if len(fetched) != 1 || d.Downloaded.Load() != 1 {
		t.Errorf("the re-run fetched %v: want only the second file", fetched)
	}
}
