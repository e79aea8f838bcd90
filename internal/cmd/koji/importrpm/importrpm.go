// Package importrpm implements `osg-koji import`: upload RPMs and import
// them (importRPM), creating their build when needed.
package importrpm

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/osg-htc/osg-build-go/internal/cmd/koji/shared"
	"github.com/osg-htc/osg-build-go/internal/cmdutil"
	"github.com/osg-htc/osg-build-go/pkg/koji"
	"github.com/osg-htc/osg-build-go/pkg/rpm"
)

// ImportOptions are the options of import.
type ImportOptions struct {
	shared.Common
	Paths []string
	Test  bool
	// Now names the upload directory (time.Now when nil).
	Now func() time.Time
}

// NewCmdImport returns the import command.
func NewCmdImport(f *cmdutil.Factory, runF func(*ImportOptions) error) *cobra.Command {
	opts := &ImportOptions{Common: shared.NewCommon(f), Now: f.Now}
	cmd := &cobra.Command{
		Use:   "import <rpm>...",
		Short: "Import RPMs built elsewhere into the hub (admin)",
		Long: `Upload RPMs to the hub and import them (importRPM), source RPMs first. A
build with no source RPM among the files is created empty (createEmptyBuild)
when it does not exist yet; an RPM already imported with the same signature
MD5 is skipped; one with a different MD5 is an error.`,
		Example: "$ osg-koji import foo-1.0-1.osg25.el9.src.rpm foo-1.0-1.osg25.el9.x86_64.rpm",
		Args:    shared.MinArgs(1, "at least one package must be specified"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Paths = args
			if runF != nil {
				return runF(opts)
			}
			return importRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.Test, "test", false, "don't actually import")
	shared.AddJSONFlag(cmd, &opts.Common)
	return cmd
}

// header is what import reads from an RPM.
type header struct {
	Path                         string
	Name, Version, Release, Arch string
	Epoch                        *int
	SigMD5                       string
	Source                       bool
	SourceRPM                    string
}

func readHeader(path string) (*header, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	f, err := rpm.Read(fh)
	if err != nil {
		return nil, fmt.Errorf("%s is not an RPM: %w", path, err)
	}
	h := f.Header
	return &header{
		Path: path, Name: h.String(rpm.TagName), Version: h.String(rpm.TagVersion), Release: h.String(rpm.TagRelease),
		Arch: f.Arch(), Epoch: f.Epoch(), SigMD5: f.SigMD5(), Source: f.IsSource(), SourceRPM: h.String(rpm.TagSourceRPM),
	}, nil
}

// nvr is the N-V-R of the build the RPM belongs to.
func (h *header) nvr() (string, error) {
	if h.Source {
		return h.Name + "-" + h.Version + "-" + h.Release, nil
	}
	s := strings.TrimSuffix(h.SourceRPM, ".rpm")
	i := strings.LastIndex(s, ".")
	if i <= 0 {
		return "", fmt.Errorf("%s: invalid sourcerpm header %q", h.Path, h.SourceRPM)
	}
	return s[:i], nil
}

type imported struct {
	Path   string    `xmlrpc:"path"`
	Status string    `xmlrpc:"status"` // imported, skipped, created-build
	RPM    *koji.RPM `xmlrpc:"rpm"`
}

func importRun(ctx context.Context, opts *ImportOptions) error {
	byNVR := map[string][]*header{}
	for _, p := range opts.Paths {
		h, err := readHeader(p)
		if err != nil {
			return err
		}
		nvr, err := h.nvr()
		if err != nil {
			return err
		}
		byNVR[nvr] = append(byNVR[nvr], h)
	}
	nvrs := make([]string, 0, len(byNVR))
	for n := range byNVR {
		nvrs = append(nvrs, n)
	}
	sort.Strings(nvrs)
	hub, err := opts.OpenForWrite(ctx)
	if err != nil {
		return err
	}
	var results []imported
	for _, nvr := range nvrs {
		hdrs := byNVR[nvr]
		sort.SliceStable(hdrs, func(i, j int) bool { return hdrs[i].Source && !hdrs[j].Source })
		b, err := hub.GetBuild(ctx, koji.ByName(nvr), koji.GetBuildOpts{})
		if err != nil {
			return err
		}
		if b != nil && b.State != koji.BuildComplete {
			return fmt.Errorf("build %s exists with state %s: not importing into it", nvr, b.State)
		}
		if b == nil && !hdrs[0].Source {
			opts.Statusf("Creating empty build: %s\n", nvr)
			if !opts.Test {
				name, ver, rel, err := splitNVR(nvr)
				if err != nil {
					return err
				}
				if _, err := hub.CreateEmptyBuild(ctx, name, ver, rel, hdrs[0].Epoch, koji.CreateEmptyBuildOpts{}); err != nil {
					return err
				}
			}
		}
		for _, h := range hdrs {
			r, err := importOne(ctx, opts, hub, h)
			if err != nil {
				return err
			}
			results = append(results, r)
		}
	}
	if opts.JSON {
		return opts.WriteJSON(results)
	}
	return nil
}

func importOne(ctx context.Context, opts *ImportOptions, hub koji.Hub, h *header) (imported, error) {
	prev, err := hub.GetRPM(ctx, koji.ByFields(map[string]any{"name": h.Name, "version": h.Version, "release": h.Release, "arch": h.Arch}), koji.GetRPMOpts{})
	if err != nil {
		return imported{}, err
	}
	if prev != nil && prev.ExternalRepoID == 0 {
		if prev.PayloadHash == h.SigMD5 {
			opts.Statusf("RPM already imported: %s\n", h.Path)
			return imported{Path: h.Path, Status: "skipped", RPM: prev}, nil
		}
		return imported{}, fmt.Errorf("md5sum mismatch for %s: the hub has another %s (payload hash %s, file %s)", h.Path, prev.Filename(), prev.PayloadHash, h.SigMD5)
	}
	if opts.Test {
		opts.Statusf("Would import %s\n", h.Path)
		return imported{Path: h.Path, Status: "test"}, nil
	}
	f, err := os.Open(h.Path)
	if err != nil {
		return imported{}, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return imported{}, err
	}
	dir := uniquePath(opts.Now)
	base := filepath.Base(h.Path)
	opts.Statusf("uploading %s...\n", h.Path)
	up := koji.UploadOpts{Overwrite: true}
	if opts.IO.ProgressEnabled() {
		up.Progress = opts.IO.ErrOut
	}
	if err := hub.Upload(ctx, dir, base, f, st.Size(), up); err != nil {
		return imported{}, fmt.Errorf("uploading %s: %w", h.Path, err)
	}
	opts.Statusf("importing %s...\n", h.Path)
	r, err := hub.ImportRPM(ctx, dir, base)
	if err != nil {
		return imported{}, fmt.Errorf("importing %s: %w", h.Path, err)
	}
	opts.Statusf("done\n")
	return imported{Path: h.Path, Status: "imported", RPM: r}, nil
}

// uniquePath is koji's unique_path('cli-import'): a fresh upload directory.
func uniquePath(now func() time.Time) string {
	if now == nil {
		now = time.Now
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("cli-import/%s.%s", now().Format("20060102150405"), hex.EncodeToString(b[:]))
}

// splitNVR splits N-V-R at its last two dashes.
func splitNVR(nvr string) (name, version, release string, err error) {
	i := strings.LastIndex(nvr, "-")
	if i > 0 {
		j := strings.LastIndex(nvr[:i], "-")
		if j > 0 {
			return nvr[:j], nvr[j+1 : i], nvr[i+1:], nil
		}
	}
	return "", "", "", fmt.Errorf("invalid N-V-R %q", nvr)
}
