// Package atomicfile writes files that readers see whole or not at all:
// through a temporary file in the same directory, renamed into place.
package atomicfile

import (
	"io"
	"os"
	"path/filepath"
)

// Write makes path (mode 0644) from what write writes; when write fails,
// nothing is left behind and an existing path is untouched.
func Write(path string, write func(io.Writer) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	err = write(tmp)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp.Name(), 0o644)
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
	}
	return err
}

// WriteFile makes path (mode 0644) holding data.
func WriteFile(path string, data []byte) error {
	return Write(path, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}
