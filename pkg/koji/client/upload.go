package client

import (
	"context"
	"errors"
	"fmt"
	"hash/adler32"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/osg-htc/osg-build-go/internal/xmlrpc"
	"github.com/osg-htc/osg-build-go/pkg/koji"
)

// maxChunkResends bounds how often one chunk is sent again after the hub
// answered a wrong size or checksum for it.
const maxChunkResends = 3

// Upload implements koji.Hub with Koji's fast upload: the file goes in
// chunks of opts.BlockSize (Options.UploadBlockSize, 1 MiB by default)
// POSTed raw to the hub with filename, filepath, fileverify=adler32 and
// offset in the query string. Each answer is checked (size and adler32 of
// the chunk); a chunk answered wrongly is sent again; a chunk lost to a
// connection error is resent by the retry loop. At the end checkUpload must
// report the full size, and when any chunk needed a second try, the
// adler32 of the whole file must match too.
func (c *Client) Upload(ctx context.Context, path, name string, r io.Reader, size int64, opts koji.UploadOpts) error {
	if name == "" || strings.Contains(name, "/") || strings.HasPrefix(name, ".") {
		return fmt.Errorf("upload: invalid file name %q (no slash, no leading dot)", name)
	}
	bs := opts.BlockSize
	if bs <= 0 {
		bs = c.opts.UploadBlockSize
	}
	var bar *progressbar.ProgressBar
	if opts.Progress != nil {
		desc := opts.Description
		if desc == "" {
			desc = name
		}
		bar = progressbar.NewOptions64(size,
			progressbar.OptionSetWriter(opts.Progress),
			progressbar.OptionSetDescription(desc),
			progressbar.OptionShowBytes(true),
			progressbar.OptionSetWidth(30),
			progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionShowCount(),
			progressbar.OptionOnCompletion(func() { fmt.Fprintln(opts.Progress) }),
		)
	}
	var full uint32 = 1 // adler32 of the whole file, combined from the chunks'
	buf := make([]byte, bs)
	var offset int64
	problems := false
	for first := true; ; first = false {
		n, rerr := io.ReadFull(r, buf)
		if rerr != nil && rerr != io.ErrUnexpectedEOF && rerr != io.EOF {
			return fmt.Errorf("upload %s: reading: %w", name, rerr)
		}
		if n == 0 && !first {
			break
		}
		chunk := buf[:n]
		sum := adler32.Checksum(chunk)
		retried, err := c.uploadChunk(ctx, path, name, chunk, sum, offset, opts)
		if err != nil {
			return err
		}
		problems = problems || retried
		full = adler32Combine(full, sum, int64(n))
		offset += int64(n)
		if bar != nil {
			_ = bar.Add64(int64(n))
		}
		if n < bs {
			break
		}
	}
	if size >= 0 && offset != size {
		return fmt.Errorf("upload %s: read %d bytes, expected %d (file changed while uploading?)", name, offset, size)
	}
	check := koji.CheckUploadOpts{Volume: volumeArg(opts.Volume)}
	if problems {
		check.Verify = "adler32"
	}
	info, err := c.CheckUpload(ctx, path, name, check)
	if err != nil {
		return fmt.Errorf("upload %s: checking the upload: %w", name, err)
	}
	if info == nil {
		return fmt.Errorf("upload %s: the hub has no file %s/%s after the upload", name, path, name)
	}
	if info.Size != offset {
		return fmt.Errorf("upload %s: the hub has %d bytes, %d were sent", name, info.Size, offset)
	}
	if problems {
		want := fmt.Sprintf("%08x", full)
		if info.HexDigest != want {
			return fmt.Errorf("upload %s: checksum of the uploaded file is %s, want %s; upload it again", name, info.HexDigest, want)
		}
	}
	if bar != nil {
		_ = bar.Finish()
	}
	return nil
}

// adler32Combine returns the adler32 of A+B from adler32(A), adler32(B) and
// len(B) (zlib's adler32_combine), so the file is summed in one pass.
func adler32Combine(a1, a2 uint32, len2 int64) uint32 {
	const base = 65521
	rem := uint32(len2 % base)
	sum1 := a1 & 0xffff
	sum2 := (rem * sum1) % base
	sum1 += (a2 & 0xffff) + base - 1
	sum2 += (a1 >> 16) + (a2 >> 16) + base - rem
	if sum1 >= base {
		sum1 -= base
	}
	if sum1 >= base {
		sum1 -= base
	}
	if sum2 >= base<<1 {
		sum2 -= base << 1
	}
	if sum2 >= base {
		sum2 -= base
	}
	return sum1 | sum2<<16
}

func volumeArg(v string) string {
	if v == koji.DefaultVolume {
		return ""
	}
	return v
}

// uploadChunk sends one chunk until the hub confirms it; retried is true
// when it took more than one request.
func (c *Client) uploadChunk(ctx context.Context, path, name string, chunk []byte, sum uint32, offset int64, opts koji.UploadOpts) (retried bool, err error) {
	want := fmt.Sprintf("%08x", sum)
	for resend := 0; ; resend++ {
		q := url.Values{}
		q.Set("filename", name)
		q.Set("filepath", path)
		q.Set("fileverify", "adler32")
		q.Set("offset", strconv.FormatInt(offset, 10))
		// overwrite truncates at offset before writing: asked for by the
		// caller for a new file, and always when a chunk is sent again.
		if opts.Overwrite || offset > 0 || resend > 0 {
			q.Set("overwrite", "1")
		}
		if v := volumeArg(opts.Volume); v != "" {
			q.Set("volume", v)
		}
		req := &request{method: "rawUpload", contentType: "application/octet-stream", body: chunk, query: q}
		v, err := c.do(ctx, req)
		if req.attempts > 1 || resend > 0 {
			retried = true
		}
		if err != nil {
			return retried, fmt.Errorf("upload %s at offset %d: %w", name, offset, err)
		}
		var res koji.UploadChunkResult
		if err := xmlrpc.Unmarshal(v, &res); err != nil {
			return retried, fmt.Errorf("upload %s at offset %d: unexpected answer: %w", name, offset, err)
		}
		var problem string
		switch {
		case res.Size != int64(len(chunk)):
			problem = fmt.Sprintf("the hub stored %d bytes of %d", res.Size, len(chunk))
		case res.HexDigest != want:
			problem = fmt.Sprintf("checksum %s, want %s", res.HexDigest, want)
		}
		if problem == "" {
			return retried, nil
		}
		if resend >= maxChunkResends {
			return true, fmt.Errorf("upload %s at offset %d failed %d times: %s", name, offset, resend+1, problem)
		}
		c.log.Debug("resending upload chunk", "file", name, "offset", offset, "problem", problem)
	}
}

// TaskOutputURL is the URL of a task's output file under TopURL
// (<topurl>/work/tasks/<id % 10000>/<id>/<name>).
func (c *Client) TaskOutputURL(taskID int, name string) string {
	return fmt.Sprintf("%s/work/tasks/%d/%d/%s", strings.TrimSuffix(c.opts.TopURL, "/"), taskID%10000, taskID, name)
}

// DownloadTaskFile copies a task's output file to w with
// downloadTaskOutput, in ranges of the upload block size, and reports the
// bytes written. progress (a terminal, or nil) receives a progress bar.
func (c *Client) DownloadTaskFile(ctx context.Context, taskID int, name string, w io.Writer, progress io.Writer) (int64, error) {
	bs := int64(c.opts.UploadBlockSize)
	var bar *progressbar.ProgressBar
	if progress != nil {
		bar = progressbar.NewOptions64(-1, progressbar.OptionSetWriter(progress),
			progressbar.OptionSetDescription(name), progressbar.OptionShowBytes(true),
			progressbar.OptionThrottle(100*time.Millisecond))
	}
	var off int64
	for {
		b, err := c.DownloadTaskOutput(ctx, taskID, name, koji.DownloadTaskOutputOpts{Offset: off, Size: &bs})
		if err != nil {
			return off, fmt.Errorf("download %s of task %d: %w", name, taskID, err)
		}
		if _, err := w.Write(b); err != nil {
			return off, fmt.Errorf("download %s of task %d: writing: %w", name, taskID, err)
		}
		off += int64(len(b))
		if bar != nil {
			_ = bar.Add(len(b))
		}
		if int64(len(b)) < bs {
			break
		}
	}
	if bar != nil {
		_ = bar.Finish()
		fmt.Fprintln(progress)
	}
	return off, nil
}

// Fetch copies the file at rawURL (an absolute URL, or a path relative to
// TopURL) to w over HTTP GET, with the client's TLS settings, and reports
// the bytes written. progress (a terminal, or nil) receives a progress bar.
func (c *Client) Fetch(ctx context.Context, rawURL string, w io.Writer, progress io.Writer) (int64, error) {
	u := rawURL
	if !strings.Contains(u, "://") {
		if c.opts.TopURL == "" {
			return 0, errors.New("no topurl configured: set topurl in the Koji config")
		}
		u = strings.TrimSuffix(c.opts.TopURL, "/") + "/" + strings.TrimPrefix(u, "/")
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return 0, fmt.Errorf("download %s: %w", u, err)
	}
	req.Header.Set("User-Agent", "koji/1")
	resp, err := c.http.Load().Do(req)
	if err != nil {
		return 0, fmt.Errorf("download %s: %w", u, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("download %s: HTTP %s", u, resp.Status)
	}
	var dst io.Writer = w
	var bar *progressbar.ProgressBar
	if progress != nil {
		bar = progressbar.NewOptions64(resp.ContentLength, progressbar.OptionSetWriter(progress),
			progressbar.OptionSetDescription(u[strings.LastIndex(u, "/")+1:]), progressbar.OptionShowBytes(true),
			progressbar.OptionThrottle(100*time.Millisecond))
		dst = io.MultiWriter(w, bar)
	}
	n, err := io.Copy(dst, resp.Body)
	if err != nil {
		return n, fmt.Errorf("download %s: %w", u, err)
	}
	if resp.ContentLength >= 0 && n != resp.ContentLength {
		return n, fmt.Errorf("download %s: got %d of %d bytes", u, n, resp.ContentLength)
	}
	if bar != nil {
		_ = bar.Finish()
		fmt.Fprintln(progress)
	}
	return n, nil
}
