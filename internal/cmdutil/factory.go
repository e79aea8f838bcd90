package cmdutil

import (
	"context"
	"time"

	"github.com/osg-htc/osg-build-go/internal/iostreams"
	"github.com/osg-htc/osg-build-go/pkg/koji"
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
	// Hub opens the hub chosen by --hub/--config/--profile on first use
	// (see HubFactory); later calls return the same hub.
	Hub func(ctx context.Context) (koji.Hub, error)
	// KojiArgs are the koji CLI's global options given to osg-koji before
	// the verb (other than -c, -p, -q, -d), passed to the koji CLI
	// unchanged for a verb osg-koji does not do itself.
	KojiArgs []string
}
