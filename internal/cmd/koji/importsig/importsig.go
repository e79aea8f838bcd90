// Package importsig implements `osg-koji import-sig`: import the signature
// headers of signed copies of RPMs the hub has (addRPMSig) and write the
// signed copies (writeSignedRPM), as koji's import-sig does.
package importsig

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/osg-htc/osg-build-go/internal/cmd/koji/shared"
	"github.com/osg-htc/osg-build-go/internal/cmdutil"
	"github.com/osg-htc/osg-build-go/pkg/koji"
	"github.com/osg-htc/osg-build-go/pkg/rpm"
)

// Options are the options of import-sig.
type Options struct {
	shared.Common
	Paths        []string
	WithUnsigned bool
	Test         bool
}

// NewCmdImportSig returns the import-sig command.
func NewCmdImportSig(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{Common: shared.NewCommon(f)}
	var write bool
	cmd := &cobra.Command{
		Use:   "import-sig <rpm>...",
		Short: "Import RPM signatures into the hub and write signed copies (sign)",
		Long: `Import the signature header of each signed RPM file into the hub (addRPMSig)
and have the hub write its signed copy (writeSignedRPM), as koji import-sig
does. The hub must have the RPM (by name, version, release and arch) with the
same signature MD5: the file is a signed copy of it. A file whose signature
the hub already has is skipped; a different header for the same key is a
warning. Unsigned files are skipped unless --with-unsigned. Needs the sign
permission (or admin).`,
		Example: "$ osg-koji import-sig signed/*.rpm",
		Args:    shared.MinArgs(1, "At least one package must be specified"),
		RunE: func(cmd *cobra.Command, args []string) error {
			for _, p := range args {
				if _, err := os.Stat(p); err != nil {
					return cmdutil.FlagErrorf("No such file: %s", p)
				}
			}
			opts.Paths = args
			if runF != nil {
				return runF(opts)
			}
			return Run(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.WithUnsigned, "with-unsigned", false, "also import unsigned sig headers")
	cmd.Flags().BoolVar(&write, "write", false, "write the signed copies (always done)")
	_ = cmd.Flags().MarkHidden("write")
	cmd.Flags().BoolVar(&opts.Test, "test", false, "test mode: don't actually import")
	shared.AddJSONFlag(cmd, &opts.Common)
	return cmd
}

// Result is what import-sig did with one file (--json).
type Result struct {
	Path string `xmlrpc:"path"`
	// Status is imported, test, unsigned, not-found, external,
	// already-imported or mismatch.
	Status string `xmlrpc:"status"`
	SigKey string `xmlrpc:"sigkey"`
	RPMID  int    `xmlrpc:"rpm_id,omitempty"`
}

// Statuses of Result.
const (
	StatusImported        = "imported"
	StatusTest            = "test"
	StatusUnsigned        = "unsigned"
	StatusNotFound        = "not-found"
	StatusExternal        = "external"
	StatusAlreadyImported = "already-imported"
	StatusMismatch        = "mismatch"
)

// file is what import-sig reads from an RPM file.
type file struct {
	name, version, release, arch string
	sighdr                       []byte
	sigkey                       string
	signed                       bool
}

func (f *file) nvra() string { return f.name + "-" + f.version + "-" + f.release + "." + f.arch }

func readFile(path string) (*file, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	raw, err := rpm.ReadRaw(fh)
	if err != nil {
		return nil, fmt.Errorf("%s is not an RPM: %w", path, err)
	}
	h, err := rpm.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("%s is not an RPM: %w", path, err)
	}
	sighdr := raw[96:h.HeaderStart]
	sh, err := rpm.ParseSigHeader(sighdr)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	key, err := sh.KeyID()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &file{
		name: h.Header.String(rpm.TagName), version: h.Header.String(rpm.TagVersion), release: h.Header.String(rpm.TagRelease),
		arch: h.Arch(), sighdr: sighdr, sigkey: key, signed: sh.Signature != nil,
	}, nil
}

// Run imports the signatures of opts.Paths.
func Run(ctx context.Context, opts *Options) error {
	h, err := opts.OpenForWrite(ctx)
	if err != nil {
		return err
	}
	results := []Result{}
	for _, p := range opts.Paths {
		r, err := importOne(ctx, opts, h, p)
		if err != nil {
			return err
		}
		results = append(results, r)
	}
	if opts.JSON {
		return opts.WriteJSON(results)
	}
	return nil
}

func importOne(ctx context.Context, opts *Options, h koji.Hub, path string) (Result, error) {
	f, err := readFile(path)
	if err != nil {
		return Result{}, err
	}
	res := Result{Path: path, SigKey: f.sigkey}
	if !f.signed && !opts.WithUnsigned {
		opts.Statusf("Skipping unsigned package: %s\n", path)
		res.Status = StatusUnsigned
		return res, nil
	}
	ri, err := h.GetRPM(ctx, koji.ByFields(map[string]any{"name": f.name, "version": f.version, "release": f.release, "arch": f.arch}), koji.GetRPMOpts{})
	if err != nil {
		return Result{}, err
	}
	if ri == nil {
		opts.Statusf("No such rpm in system: %s\n", f.nvra())
		res.Status = StatusNotFound
		return res, nil
	}
	res.RPMID = ri.ID
	if ri.ExternalRepoID != 0 {
		opts.Statusf("Skipping external rpm: %s@%s\n", f.nvra(), ri.ExternalRepoName)
		res.Status = StatusExternal
		return res, nil
	}
	prev, err := h.QueryRPMSigs(ctx, koji.QueryRPMSigsOpts{RPMID: koji.ByID(ri.ID), SigKey: &f.sigkey})
	if err != nil {
		return Result{}, err
	}
	if len(prev) > 0 {
		sum := md5.Sum(f.sighdr)
		if prev[0].SigHash == hex.EncodeToString(sum[:]) {
			opts.Statusf("Signature already imported: %s\n", path)
			res.Status = StatusAlreadyImported
			return res, nil
		}
		fmt.Fprintf(opts.IO.ErrOut, "warning: signature mismatch: %s\n", path)
		fmt.Fprintf(opts.IO.ErrOut, "warning:   The system already has a signature for this rpm with key %s\n", f.sigkey)
		fmt.Fprintf(opts.IO.ErrOut, "warning:   The two signature headers are not the same\n")
		res.Status = StatusMismatch
		return res, nil
	}
	opts.Statusf("Importing signature [key %s] from %s...\n", f.sigkey, path)
	if !opts.Test {
		if err := h.AddRPMSig(ctx, koji.ByID(ri.ID), f.sighdr); err != nil {
			return Result{}, fmt.Errorf("importing the signature of %s: %w", path, err)
		}
	}
	opts.Statusf("Writing signed copy\n")
	if !opts.Test {
		if err := h.WriteSignedRPM(ctx, koji.ByID(ri.ID), f.sigkey, koji.WriteSignedRPMOpts{}); err != nil {
			return Result{}, fmt.Errorf("writing the signed copy of %s: %w", path, err)
		}
		res.Status = StatusImported
	} else {
		res.Status = StatusTest
	}
	return res, nil
}
