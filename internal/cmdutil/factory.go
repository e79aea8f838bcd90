package cmdutil

import (
	"time"

	"github.com/osg-htc/osg-build-go/internal/iostreams"
)

// Factory gives commands their dependencies: plain values, and lazy
// functions that open something only when a command asks for it.
type Factory struct {
	IOStreams  *iostreams.IOStreams
	AppVersion string
	// Executable is the name the binary was called by (osg-build, osg-koji…).
	Executable string
	Now        func() time.Time
	// Getenv reads the environment (tests may replace it).
	Getenv func(string) string
}
