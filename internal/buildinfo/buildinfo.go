// Package buildinfo holds the version data stamped into the binary by the
// linker (goreleaser sets it), with a fallback to the module build info.
package buildinfo

import (
	"runtime/debug"
	"sync"
)

// Set by -ldflags "-X github.com/osg-htc/osg-build-go/internal/buildinfo.Version=...".
var (
	Version = ""
	Commit  = ""
	Date    = ""
)

var once sync.Once

// Get returns the version, commit and date of this binary. When the linker
// did not set them, the module's build info is used, and "devel" otherwise.
func Get() (version, commit, date string) {
	once.Do(func() {
		if Version != "" {
			return
		}
		Version = "devel"
		bi, ok := debug.ReadBuildInfo()
		if !ok {
			return
		}
		if v := bi.Main.Version; v != "" && v != "(devel)" {
			Version = v
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				if Commit == "" {
					Commit = s.Value
				}
			case "vcs.time":
				if Date == "" {
					Date = s.Value
				}
			}
		}
	})
	return Version, Commit, Date
}
