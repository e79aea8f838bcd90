package userconfig

import (
	"os"
	"path/filepath"
	"testing"
)

func TestPathAndRead(t *testing.T) {
	home := t.TempDir()
	env := map[string]string{"HOME": home}
	getenv := func(k string) string { return env[k] }
	if got := Path(getenv, "vcs.ini"); got != filepath.Join(home, ".config", "osg-build", "vcs.ini") {
		t.Errorf("HOME path %s", got)
	}
	data, _, err := Read(getenv, "vcs.ini")
	if data != nil || err != nil {
		t.Errorf("missing file: %q %v", data, err)
	}
	xdg := t.TempDir()
	env["XDG_CONFIG_HOME"] = xdg
	if err := os.MkdirAll(filepath.Join(xdg, "osg-build"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(xdg, "osg-build", "vcs.ini"), []byte("[svn]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	data, path, err := Read(getenv, "vcs.ini")
	if err != nil || string(data) != "[svn]\n" || path != filepath.Join(xdg, "osg-build", "vcs.ini") {
		t.Errorf("got %q %s %v", data, path, err)
	}
	if Path(func(string) string { return "" }, "x") != "" {
		t.Error("no HOME and no XDG_CONFIG_HOME: want no path")
	}
}
