// Package hubfiles reads the files of a hub's topdir (Koji's /mnt/koji,
// served under its topurl): from disk for the embedded hub opened in this
// process, over HTTP from the topurl for any other hub. download-build and
// sign fetch a build's RPMs through it.
package hubfiles

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/osg-htc/osg-build-go/pkg/koji"
)

// Fetch writes the file rel (slash-separated, relative to the topdir, such
// as packages/N/V/R/ARCH/F.rpm) to w. A missing file of the embedded hub is
// an error wrapping fs.ErrNotExist.
type Fetch func(ctx context.Context, rel string, w io.Writer) error

// Fetcher returns how to read h's files. topURL overrides the hub's topurl
// (the Koji config's); with it empty, an embedded hub (cmdutil.LocalHub,
// whose Location is local:DIR, or a *hub.Hub) is read from its topdir.
// progress, when not nil, receives the progress bar of HTTP downloads.
func Fetcher(h koji.Hub, topURL string, progress io.Writer) (Fetch, error) {
	if top, ok := localTopDir(h); ok && topURL == "" {
		return func(_ context.Context, rel string, w io.Writer) error {
			f, err := os.Open(filepath.Join(top, filepath.FromSlash(rel)))
			if err != nil {
				return err
			}
			defer f.Close()
			_, err = io.Copy(w, f)
			return err
		}, nil
	}
	c, ok := h.(interface {
		Fetch(ctx context.Context, rawURL string, w io.Writer, progress io.Writer) (int64, error)
	})
	if !ok {
		return nil, fmt.Errorf("this hub cannot serve files")
	}
	base := strings.TrimSuffix(topURL, "/")
	return func(ctx context.Context, rel string, w io.Writer) error {
		u := rel
		if base != "" {
			u = base + "/" + rel
		}
		_, err := c.Fetch(ctx, u, w, progress)
		return err
	}, nil
}

// localTopDir is the topdir of an embedded hub opened in this process.
func localTopDir(h koji.Hub) (string, bool) {
	td, ok := h.(interface{ TopDir() string })
	if !ok {
		return "", false
	}
	if l, ok := h.(interface{ Location() string }); ok && !strings.HasPrefix(l.Location(), "local:") {
		return "", false // a remote hub: its TopDir is the config's, for paths only
	}
	return td.TopDir(), true
}
