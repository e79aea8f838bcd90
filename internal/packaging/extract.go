package packaging

import (
	"archive/tar"
	"archive/zip"
	"compress/bzip2"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/ulikunitz/xz"

	"github.com/osg-htc/osg-build-go/internal/runner"
)

// archiveKind returns how to unpack a file by its name, or "" when it is not
// an archive osg-build's --full-extract knows.
func archiveKind(name string) string {
	n := strings.ToLower(name)
	switch {
	case strings.HasSuffix(n, ".tar.gz"), strings.HasSuffix(n, ".tgz"):
		return "tar.gz"
	case strings.HasSuffix(n, ".tar.bz2"), strings.HasSuffix(n, ".tbz2"), strings.HasSuffix(n, ".tbz"):
		return "tar.bz2"
	case strings.HasSuffix(n, ".tar.xz"), strings.HasSuffix(n, ".txz"):
		return "tar.xz"
	case strings.HasSuffix(n, ".tar"):
		return "tar"
	case strings.HasSuffix(n, ".zip"):
		return "zip"
	case strings.HasSuffix(n, ".rpm"):
		return "rpm"
	case strings.HasSuffix(n, ".gz"):
		return "gz"
	case strings.HasSuffix(n, ".bz2"):
		return "bz2"
	case strings.HasSuffix(n, ".xz"):
		return "xz"
	case strings.HasSuffix(n, ".tar.z"), strings.HasSuffix(n, ".z"), strings.HasSuffix(n, ".7z"), strings.HasSuffix(n, ".rar"):
		return "external"
	}
	return ""
}

// ExtractArchive unpacks the archive at path into dir, by its extension:
// tar (plain, gz, bz2, xz), zip, single gz/bz2/xz files, and RPMs (through
// rpm2cpio | cpio). Formats Go does not read (.Z, .7z, .rar) go to 7z when it
// is installed and are otherwise skipped with a warning. Other files are
// ignored. Entries that would land outside dir are refused.
func ExtractArchive(ctx context.Context, path, dir string) error {
	kind := archiveKind(filepath.Base(path))
	if kind == "" {
		return nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if kind == "rpm" {
		return unpackRPM(ctx, path, dir)
	}
	if kind == "external" {
		if _, ok := runner.Look("7z"); !ok {
			slog.Warn("not extracting: no support for this format (install 7z)", "file", filepath.Base(path))
			return nil
		}
		_, err := runner.Run(ctx, runner.Cmd{Name: "7z", Args: []string{"x", "-y", "-o" + dir, path}})
		return err
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if kind == "zip" {
		st, err := f.Stat()
		if err != nil {
			return err
		}
		return extractZip(f, st.Size(), dir)
	}
	var r io.Reader = f
	switch {
	case strings.HasSuffix(kind, "gz"):
		gz, err := gzip.NewReader(f)
		if err != nil {
			return err
		}
		defer gz.Close()
		r = gz
	case strings.HasSuffix(kind, "bz2"):
		r = bzip2.NewReader(f)
	case strings.HasSuffix(kind, "xz"):
		xr, err := xz.NewReader(f)
		if err != nil {
			return err
		}
		r = xr
	}
	if strings.HasPrefix(kind, "tar") {
		return extractTar(r, dir)
	}
	// A single compressed file: strip the extension.
	name := filepath.Base(path)
	name = name[:len(name)-len(filepath.Ext(name))]
	return writeFile(filepath.Join(dir, name), r, 0o644)
}

// safeJoin joins an archive entry name to dir, refusing names that escape.
func safeJoin(dir, name string) (string, error) {
	rel := filepath.Clean(strings.TrimLeft(name, "/"))
	if rel == "." {
		return "", nil
	}
	if rel == ".." || strings.HasPrefix(rel, "../") {
		return "", fmt.Errorf("archive entry %q is outside the extraction directory", name)
	}
	return filepath.Join(dir, rel), nil
}

func extractTar(r io.Reader, dir string) error {
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("read tar: %w", err)
		}
		p, err := safeJoin(dir, h.Name)
		if err != nil {
			return err
		}
		if p == "" {
			continue
		}
		switch h.Typeflag {
		case tar.TypeDir:
			if err := os.MkdirAll(p, 0o755); err != nil {
				return err
			}
		case tar.TypeReg:
			if err := writeFile(p, tr, os.FileMode(h.Mode).Perm()|0o600); err != nil {
				return err
			}
		case tar.TypeSymlink:
			if filepath.IsAbs(h.Linkname) || strings.HasPrefix(filepath.Clean(filepath.Join(filepath.Dir(h.Name), h.Linkname)), "..") {
				slog.Debug("skipping symlink that points outside the archive", "name", h.Name, "target", h.Linkname)
				continue
			}
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				return err
			}
			_ = os.Remove(p)
			if err := os.Symlink(h.Linkname, p); err != nil {
				return err
			}
		default:
			// hard links, devices, fifos, pax headers: not needed to read sources
		}
	}
}

func extractZip(f io.ReaderAt, size int64, dir string) error {
	zr, err := zip.NewReader(f, size)
	if err != nil {
		return fmt.Errorf("read zip: %w", err)
	}
	for _, zf := range zr.File {
		p, err := safeJoin(dir, zf.Name)
		if err != nil {
			return err
		}
		if p == "" {
			continue
		}
		if zf.FileInfo().IsDir() {
			if err := os.MkdirAll(p, 0o755); err != nil {
				return err
			}
			continue
		}
		if !zf.Mode().IsRegular() {
			continue
		}
		rc, err := zf.Open()
		if err != nil {
			return err
		}
		err = writeFile(p, rc, zf.Mode().Perm()|0o600)
		rc.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

func writeFile(p string, r io.Reader, perm os.FileMode) error {
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	_ = os.Remove(p)
	out, err := os.OpenFile(p, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, perm)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, r); err != nil {
		out.Close()
		return fmt.Errorf("write %s: %w", p, err)
	}
	return out.Close()
}
