package hub

import (
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"hash/adler32"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/osg-htc/osg-build-go/pkg/hub/store"
	"github.com/osg-htc/osg-build-go/pkg/koji"
)

// safeRelPath checks an upload or output path: relative, no "..".
func safeRelPath(p string) (string, error) {
	if p == "" || strings.HasPrefix(p, "/") || filepath.IsAbs(p) {
		return "", fault(koji.GenericError, "Invalid upload directory: %s", p)
	}
	clean := path.Clean(filepath.ToSlash(p))
	for _, part := range strings.Split(clean, "/") {
		if part == ".." {
			return "", fault(koji.GenericError, "Invalid upload directory: %s", p)
		}
	}
	return filepath.FromSlash(clean), nil
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	tmp := dst + ".tmp"
	out, err := os.Create(tmp)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		os.Remove(tmp)
		return err
	}
	if err := out.Close(); err != nil {
		os.Remove(tmp)
		return err
	}
	return os.Rename(tmp, dst)
}

// workPath returns the absolute path of work/<dir>/<name>, checked.
func (h *Hub) workPath(dir, name string) (string, error) {
	rel, err := safeRelPath(path.Join(filepath.ToSlash(dir), name))
	if err != nil {
		return "", err
	}
	if strings.Contains(name, "/") {
		return "", fault(koji.GenericError, "Invalid file name: %s", name)
	}
	return filepath.Join(h.TopDir(), "work", rel), nil
}

// Upload stores size bytes from r as work/<path>/<name> (needs a login).
func (h *Hub) Upload(ctx context.Context, dir, name string, r io.Reader, size int64, opts koji.UploadOpts) error {
	var c *Caller
	if err := h.read(ctx, func(tx *store.Tx) error {
		var err error
		c, err = h.caller(ctx, tx)
		return err
	}); err != nil {
		return err
	}
	if err := assertLogin(c); err != nil && !c.LocalAdmin {
		return err
	}
	dst, err := h.workPath(dir, name)
	if err != nil {
		return err
	}
	if _, err := os.Stat(dst); err == nil && !opts.Overwrite {
		return fault(koji.GenericError, "upload path exists: %s", path.Join(dir, name))
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(dst), "."+name+".*")
	if err != nil {
		return err
	}
	n, err := io.Copy(tmp, r)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil && size >= 0 && n != size {
		err = fmt.Errorf("uploading %s: got %d bytes, want %d", name, n, size)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return os.Rename(tmp.Name(), dst)
}

// CheckUpload is checkUpload(path, name, verify, tail, volume).
func (h *Hub) CheckUpload(ctx context.Context, dir, name string, opts koji.CheckUploadOpts) (*koji.UploadInfo, error) {
	p, err := h.workPath(dir, name)
	if err != nil {
		return nil, err
	}
	st, err := os.Stat(p)
	if err != nil {
		return nil, nil
	}
	info := &koji.UploadInfo{Size: st.Size(), MTime: float64(st.ModTime().UnixNano()) / 1e9}
	if opts.Verify == "" {
		return info, nil
	}
	var hs hash.Hash
	switch opts.Verify {
	case "adler32":
		hs = adler32.New()
	case "md5":
		hs = md5.New()
	case "sha256":
		hs = sha256.New()
	default:
		return nil, fault(koji.GenericError, "Unsupported verify type: %s", opts.Verify)
	}
	f, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var rd io.Reader = f
	if opts.Tail != nil && int64(*opts.Tail) < st.Size() {
		if _, err := f.Seek(-int64(*opts.Tail), io.SeekEnd); err != nil {
			return nil, err
		}
	}
	n, err := io.Copy(hs, rd)
	if err != nil {
		return nil, err
	}
	info.SumLength = &n
	if opts.Verify == "adler32" {
		info.HexDigest = fmt.Sprintf("%08x", hs.(hash.Hash32).Sum32())
	} else {
		info.HexDigest = hex.EncodeToString(hs.Sum(nil))
	}
	return info, nil
}
