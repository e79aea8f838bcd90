// Package userconfig finds and reads the user's osg-build override files
// (${XDG_CONFIG_HOME:-~/.config}/osg-build/NAME), such as targets.ini and
// vcs.ini, which change the data shipped in the binary.
package userconfig

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// Path returns the path of the user's file name for the given environment
// lookup (XDG_CONFIG_HOME, else HOME/.config), or "" when neither is set.
func Path(getenv func(string) string, name string) string {
	if d := getenv("XDG_CONFIG_HOME"); d != "" {
		return filepath.Join(d, "osg-build", name)
	}
	if h := getenv("HOME"); h != "" {
		return filepath.Join(h, ".config", "osg-build", name)
	}
	return ""
}

// Read returns the content and path of the user's file name; data is nil
// (and err nil) when there is no such file.
func Read(getenv func(string) string, name string) (data []byte, path string, err error) {
	path = Path(getenv, name)
	if path == "" {
		return nil, "", nil
	}
	data, err = os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, path, nil
	}
	if err != nil {
		return nil, path, fmt.Errorf("read %s: %w", path, err)
	}
	return data, path, nil
}
