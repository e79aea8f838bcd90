package xmlrpc

import (
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"hash/adler32"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
)

// UploadParams are the query arguments of a raw chunk upload
// (POST <hub>?filename=..&filepath=..&fileverify=adler32&offset=..&overwrite=1&volume=..).
type UploadParams struct {
	Filename   string // file name, no '/' and not starting with '.'
	Filepath   string // directory relative to the upload root (e.g. "cli-build/1751480000.1.AbCd")
	Fileverify string // "", "adler32", "md5" or "sha256"
	Offset     int64  // where the chunk goes; -1 appends
	Overwrite  bool   // truncate at Offset before writing
	Volume     string // Koji volume, "DEFAULT" when absent
}

// ParseUploadQuery parses the query string of a raw upload as Koji's
// handle_upload does (any non-empty overwrite value means true, as in Python).
func ParseUploadQuery(rawQuery string) (UploadParams, error) {
	q, err := url.ParseQuery(rawQuery)
	if err != nil {
		return UploadParams{}, &Fault{Code: CodeUnknown, String: fmt.Sprintf("<class 'ValueError'>: bad query string: %v", err)}
	}
	p := UploadParams{Volume: "DEFAULT"}
	if _, ok := q["filename"]; !ok {
		return p, &Fault{Code: CodeUnknown, String: "<class 'KeyError'>: 'filename'"}
	}
	p.Filename = q.Get("filename")
	p.Filepath = q.Get("filepath")
	p.Fileverify = q.Get("fileverify")
	p.Overwrite = q.Get("overwrite") != ""
	if v := q.Get("volume"); v != "" {
		p.Volume = v
	}
	if o := q.Get("offset"); o != "" {
		n, err := strconv.ParseInt(strings.TrimSpace(o), 10, 64)
		if err != nil || n < -1 {
			return p, &Fault{Code: CodeUnknown, String: fmt.Sprintf("<class 'ValueError'>: invalid literal for int() with base 10: '%s'", o)}
		}
		p.Offset = n
	}
	return p, nil
}

// UploadCall is a raw upload request as the Server's Upload hook sees it.
type UploadCall struct {
	Params   UploadParams
	Body     io.Reader // the chunk; read it in pieces (WriteChunk does)
	Identity any       // what Authenticate returned
	Request  *http.Request
}

func (s *Server) serveUpload(w http.ResponseWriter, r *http.Request) {
	sess, err := s.session(r)
	if err != nil {
		s.writeFault(w, faultOf(err))
		return
	}
	params, err := ParseUploadQuery(r.URL.RawQuery)
	if err != nil {
		s.writeFault(w, faultOf(err))
		return
	}
	if s.Upload == nil {
		s.writeFault(w, &Fault{Code: CodeGenericError, String: "uploads are not supported by this hub"})
		return
	}
	ctx := r.Context()
	var tx Tx
	if s.Tx != nil {
		ctx, tx, err = s.Tx.Begin(ctx, UploadMethod)
		if err != nil {
			s.writeFault(w, faultOf(err))
			return
		}
		g := &guardedTx{Tx: tx}
		defer g.finish()
		tx = g
	}
	identity, err := s.authenticate(ctx, r, UploadMethod, sess)
	var res any
	if err == nil {
		ctx = context.WithValue(ctx, identityKey, identity)
		res, err = s.Upload(ctx, &UploadCall{Params: params, Body: r.Body, Identity: identity, Request: r})
	}
	if tx != nil {
		if err != nil {
			_ = tx.Rollback()
		} else {
			err = tx.Commit()
		}
	}
	if err != nil {
		f := faultOf(err)
		s.logger().Debug("hub upload", "file", params.Filename, "fault", f.Code, "error", f.String)
		s.writeFault(w, f)
		return
	}
	s.writeResult(w, res)
}

// UploadPath checks an upload directory and file name as Koji's
// get_upload_path does and returns the directory and file under root
// (normally <topdir>/work or a volume's work dir): the name must not
// contain '/' nor start with '.', the directory must be relative and not
// leave root.
func UploadPath(root, reldir, name string) (dir, file string, err error) {
	if name == "" || strings.Contains(name, "/") || strings.HasPrefix(name, ".") || strings.ContainsRune(name, 0) {
		return "", "", &Fault{Code: CodeGenericError, String: "Invalid upload filename: " + name}
	}
	clean := path.Clean(reldir)
	if reldir == "" || path.IsAbs(reldir) || clean == ".." || strings.HasPrefix(clean, "../") || strings.ContainsRune(reldir, 0) {
		return "", "", &Fault{Code: CodeGenericError, String: "Invalid upload directory: " + reldir}
	}
	dir = filepath.Join(root, filepath.FromSlash(clean))
	if rel, err := filepath.Rel(root, dir); err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return "", "", &Fault{Code: CodeGenericError, String: "Invalid upload directory: " + reldir}
	}
	return dir, filepath.Join(dir, name), nil
}

// ensureUploadDir creates dir and checks its ".user" owner file: a directory
// belongs to the first user who uploads into it; another user is refused.
// An empty owner (a builder host) skips the check.
func ensureUploadDir(dir, reldir, owner string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("create upload directory %s: %w", dir, err)
	}
	if owner == "" {
		return nil
	}
	fn := filepath.Join(dir, ".user")
	b, err := os.ReadFile(fn)
	switch {
	case err == nil:
		if strings.TrimSpace(string(b)) != owner {
			return &Fault{Code: CodeGenericError, String: "Invalid upload directory, not owner: " + reldir}
		}
		return nil
	case errors.Is(err, fs.ErrNotExist):
		f, err := os.OpenFile(fn, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if errors.Is(err, fs.ErrExist) { // lost a race: check the winner
			return ensureUploadDir(dir, reldir, owner)
		}
		if err != nil {
			return fmt.Errorf("write upload owner file %s: %w", fn, err)
		}
		_, err = f.WriteString(owner)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		return err
	default:
		return fmt.Errorf("read upload owner file %s: %w", fn, err)
	}
}

func verifyHash(verify string) (hash.Hash, error) {
	switch verify {
	case "":
		return nil, nil
	case "adler32":
		return adler32.New(), nil
	case "md5":
		return md5.New(), nil
	case "sha256":
		return sha256.New(), nil
	}
	return nil, &Fault{Code: CodeGenericError, String: "Unsupported verify type: " + verify}
}

func hexDigest(h hash.Hash) string {
	if a, ok := h.(hash.Hash32); ok && len(h.Sum(nil)) == 4 {
		return fmt.Sprintf("%08x", a.Sum32())
	}
	return hex.EncodeToString(h.Sum(nil))
}

// UploadChunkSize is how much of the body WriteChunk reads at a time (64 KiB, as Koji).
const UploadChunkSize = 64 << 10

// WriteChunk writes one raw upload chunk under root with Koji's semantics
// (kojihub handle_upload): path checks (UploadPath), the ".user" owner of
// the directory (owner is the uploading user's id; empty for hosts), "upload
// path exists" when offset is 0, the file exists and overwrite is not set,
// an exclusive non-blocking lock (LockError 1001 when busy), offset -1
// appends, overwrite truncates at offset, otherwise the chunk is written at
// offset and the file must then end where the chunk ends. It returns Koji's
// answer {size, fileverify, offset[, hexdigest]} (hexdigest "%08x" for
// adler32).
func WriteChunk(root string, p UploadParams, body io.Reader, owner string) (map[string]any, error) {
	dir, fn, err := UploadPath(root, p.Filepath, p.Filename)
	if err != nil {
		return nil, err
	}
	sum, err := verifyHash(p.Fileverify)
	if err != nil {
		return nil, err
	}
	if err := ensureUploadDir(dir, p.Filepath, owner); err != nil {
		return nil, err
	}
	if st, err := os.Lstat(fn); err == nil {
		if !st.Mode().IsRegular() {
			return nil, &Fault{Code: CodeGenericError, String: "destination not a file: " + fn}
		}
		if p.Offset == 0 && !p.Overwrite {
			return nil, &Fault{Code: CodeGenericError, String: "upload path exists: " + fn}
		}
	}
	f, err := os.OpenFile(fn, os.O_RDWR|os.O_CREATE|oNoFollow, 0o644)
	if err != nil {
		return nil, fmt.Errorf("open upload file %s: %w", fn, err)
	}
	defer f.Close()
	if err := lockFile(f, true); err != nil {
		return nil, &Fault{Code: CodeLockError, String: fmt.Sprintf("upload file %s is locked by another upload: %v", fn, err)}
	}
	offset := p.Offset
	switch {
	case offset == -1:
		if offset, err = f.Seek(0, io.SeekEnd); err != nil {
			return nil, fmt.Errorf("seek in %s: %w", fn, err)
		}
	default:
		if p.Overwrite {
			if err := f.Truncate(offset); err != nil {
				return nil, fmt.Errorf("truncate %s: %w", fn, err)
			}
		}
		if _, err := f.Seek(offset, io.SeekStart); err != nil {
			return nil, fmt.Errorf("seek in %s: %w", fn, err)
		}
	}
	buf := make([]byte, UploadChunkSize)
	var size int64
	for {
		n, rerr := io.ReadFull(body, buf)
		if n > 0 {
			if sum != nil {
				sum.Write(buf[:n])
			}
			if _, err := f.Write(buf[:n]); err != nil {
				return nil, fmt.Errorf("write %s: %w", fn, err)
			}
			size += int64(n)
		}
		if rerr == io.EOF || rerr == io.ErrUnexpectedEOF {
			break
		}
		if rerr != nil {
			return nil, fmt.Errorf("read upload body for %s: %w", fn, rerr)
		}
	}
	if p.Offset != -1 && !p.Overwrite {
		st, err := f.Stat()
		if err != nil {
			return nil, fmt.Errorf("stat %s: %w", fn, err)
		}
		if st.Size() != offset+size {
			return nil, &Fault{Code: CodeGenericError, String: fmt.Sprintf("unexpected file size after upload: %s is %d bytes, expected %d", fn, st.Size(), offset+size)}
		}
	}
	ret := map[string]any{"size": size, "fileverify": p.Fileverify, "offset": offset}
	if sum != nil {
		ret["hexdigest"] = hexDigest(sum)
	}
	return ret, nil
}

// CheckUpload answers Koji's checkUpload(path, name, verify=None,
// tail=None) for a file under root: nil when the file does not exist, else
// {size, mtime} plus {sumlength, hexdigest} when verify is "md5",
// "adler32" or "sha256" (over the last tail bytes when tail is not nil).
func CheckUpload(root, reldir, name, verify string, tail *int64) (any, error) {
	_, fn, err := UploadPath(root, reldir, name)
	if err != nil {
		return nil, err
	}
	sum, err := verifyHash(verify)
	if err != nil {
		return nil, err
	}
	f, err := os.OpenFile(fn, os.O_RDONLY|oNoFollow, 0)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("open uploaded file %s: %w", fn, err)
	}
	defer f.Close()
	if err := lockFile(f, false); err != nil {
		return nil, &Fault{Code: CodeLockError, String: fmt.Sprintf("uploaded file %s is locked: %v", fn, err)}
	}
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("stat %s: %w", fn, err)
	}
	if !st.Mode().IsRegular() {
		return nil, &Fault{Code: CodeGenericError, String: "Not a regular file: " + fn}
	}
	mt := st.ModTime()
	data := map[string]any{"size": st.Size(), "mtime": float64(mt.Unix()) + float64(mt.Nanosecond())/1e9}
	if sum != nil {
		if tail != nil {
			if *tail < 0 {
				return nil, &Fault{Code: CodeGenericError, String: fmt.Sprintf("invalid tail value: %d", *tail)}
			}
			if _, err := f.Seek(max(st.Size()-*tail, 0), io.SeekStart); err != nil {
				return nil, fmt.Errorf("seek in %s: %w", fn, err)
			}
		}
		n, err := io.Copy(sum, f)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", fn, err)
		}
		data["sumlength"] = n
		data["hexdigest"] = hexDigest(sum)
	}
	return data, nil
}
