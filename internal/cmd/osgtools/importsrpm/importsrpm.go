// Package importsrpm implements `osg-build import-srpm` (osg-import-srpm):
// download an SRPM into the upstream cache layout
// (<root>/<name>/<version>/<file>), write <dir>/upstream/<provider>.srpm.source
// and, with -e, put its spec in <dir>/osg/ (with -3, merged three ways with
// the spec already there). New files are added to the SVN or git checkout.
package importsrpm

import (
	"bytes"
	"context"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/spf13/cobra"

	"github.com/osg-htc/osg-build-go/internal/cmdutil"
	"github.com/osg-htc/osg-build-go/internal/iostreams"
	"github.com/osg-htc/osg-build-go/internal/packaging"
)

// Options are the options of import-srpm.
type Options struct {
	IO       *iostreams.IOStreams
	URL      string
	Root     string // upstream cache root
	Dir      string // package dir (default: the SRPM's name)
	Provider string
	Extract  bool
	Merge3   bool
	Client   *http.Client
}

// NewCmdImportSRPM returns the import-srpm command.
func NewCmdImportSRPM(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{IO: f.IOStreams}
	cmd := &cobra.Command{
		Use:   "import-srpm <url>",
		Short: "Import an upstream SRPM into the upstream cache and a package dir",
		Long: `Download an SRPM (http(s) URL or local file), read its name and version
(rpm -qp), store it as <root>/<name>/<version>/<file> in the upstream cache
layout (-u, default ${XDG_CACHE_HOME:-~/.cache}/osg-build/upstream; upload
that tree to the cache host) and write <dir>/upstream/<provider>.srpm.source
("<name>/<version>/<file> sha1sum=..." and "# Downloaded from URL"), as
osg-import-srpm does. The provider is guessed from the URL (centos, epel,
fedora, ...; else developer; -p overrides). -e extracts the SRPM's spec into
<dir>/osg/; -3 merges it three ways (git merge-file, or diff3 -m) with the
spec in osg/, the base being the spec of the SRPM the old .source named
(looked up in the upstream root); conflicts are left marked. New files are
added to the checkout when <dir> is in an SVN or git working copy.`,
		Example: "$ osg-build import-srpm https://dl.fedoraproject.org/.../foo-1.2-1.fc40.src.rpm\n$ osg-build import-srpm -3 --dirname foo https://.../foo-1.3-1.fc40.src.rpm",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.URL = args[0]
			if opts.Merge3 {
				opts.Extract = true
			}
			if runF != nil {
				return runF(opts)
			}
			return Run(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVarP(&opts.Root, "upstream-root", "u", "", "the upstream cache `dir`")
	cmd.Flags().StringVar(&opts.Dir, "dirname", "", "the package `dir` (default: the SRPM's name)")
	cmd.Flags().StringVarP(&opts.Provider, "provider", "p", "", "the `provider` naming the .source file")
	cmd.Flags().BoolVarP(&opts.Extract, "extract-spec", "e", false, "put the SRPM's spec into osg/")
	cmd.Flags().BoolVarP(&opts.Merge3, "diff3", "3", false, "merge the new spec three ways into osg/")
	return cmd
}

var providers = []struct{ re, name string }{
	{`centos`, "centos"}, {`emi`, "emi"}, {`epel`, "epel"}, {`fedora`, "fedora"}, {`globus`, "globus"}, {`xrootd`, "xrootd"},
}

// Provider guesses the provider from the URL.
func Provider(url string) string {
	for _, p := range providers {
		if regexp.MustCompile(`(?i)` + p.re).MatchString(url) {
			return p.name
		}
	}
	return "developer"
}

// Run imports the SRPM.
func Run(ctx context.Context, o *Options) error {
	if o.Root == "" {
		d, err := os.UserCacheDir()
		if err != nil {
			return err
		}
		o.Root = filepath.Join(d, "osg-build", "upstream")
	}
	tmp, err := os.MkdirTemp("", "import-srpm")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	file := filepath.Base(strings.SplitN(o.URL, "?", 2)[0])
	if !strings.HasSuffix(file, ".src.rpm") {
		return fmt.Errorf("%s does not name an SRPM (*.src.rpm)", o.URL)
	}
	dl := filepath.Join(tmp, file)
	sum, err := download(ctx, o, dl)
	if err != nil {
		return err
	}
	out, err := exec.CommandContext(ctx, "rpm", "-qp", "--nosignature", "--qf", "%{NAME} %{VERSION}", dl).Output()
	if err != nil {
		return fmt.Errorf("%s is not a readable RPM: %w", o.URL, err)
	}
	nv := strings.Fields(string(out))
	if len(nv) != 2 {
		return fmt.Errorf("rpm -qp %s: %q", file, out)
	}
	name, version := nv[0], nv[1]
	rel := name + "/" + version + "/" + file
	dest := filepath.Join(o.Root, name, version, file)
	if err := os.MkdirAll(filepath.Dir(dest), 0o755); err != nil {
		return err
	}
	if err := copyFile(dl, dest); err != nil {
		return err
	}
	fmt.Fprintf(o.IO.ErrOut, "Stored %s\n", dest)
	dir := o.Dir
	if dir == "" {
		dir = name
	}
	provider := o.Provider
	if provider == "" {
		provider = Provider(o.URL)
	}
	srcFile := filepath.Join(dir, "upstream", provider+".srpm.source")
	oldBase := ""
	if o.Merge3 {
		oldBase = oldSRPM(srcFile, o.Root)
	}
	if err := os.MkdirAll(filepath.Dir(srcFile), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(srcFile, []byte(fmt.Sprintf("%s sha1sum=%s\n# Downloaded from %s\n", rel, sum, o.URL)), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(o.IO.ErrOut, "Wrote %s\n", srcFile)
	added := []string{srcFile}
	if o.Extract {
		spec, err := extractSpec(ctx, dl, filepath.Join(tmp, "new"))
		if err != nil {
			return err
		}
		osgSpec := filepath.Join(dir, "osg", filepath.Base(spec))
		if err := os.MkdirAll(filepath.Dir(osgSpec), 0o755); err != nil {
			return err
		}
		_, statErr := os.Stat(osgSpec)
		switch {
		case o.Merge3 && statErr == nil && oldBase != "":
			base, err := extractSpec(ctx, oldBase, filepath.Join(tmp, "old"))
			if err != nil {
				return err
			}
			conflicts, err := merge3(ctx, osgSpec, base, spec)
			if err != nil {
				return err
			}
			if conflicts {
				fmt.Fprintf(o.IO.ErrOut, "Merged %s with conflicts: resolve the marked hunks\n", osgSpec)
			} else {
				fmt.Fprintf(o.IO.ErrOut, "Merged %s\n", osgSpec)
			}
		case o.Merge3 && statErr == nil:
			return fmt.Errorf("-3: no base spec (the old %s names no SRPM in %s)", srcFile, o.Root)
		default:
			if err := copyFile(spec, osgSpec); err != nil {
				return err
			}
			fmt.Fprintf(o.IO.ErrOut, "Wrote %s\n", osgSpec)
			added = append(added, osgSpec)
		}
	}
	vcsAdd(ctx, o, dir, added)
	fmt.Fprintf(o.IO.Out, "%s\n", srcFile)
	return nil
}

func download(ctx context.Context, o *Options, dst string) (string, error) {
	var r io.ReadCloser
	if strings.HasPrefix(o.URL, "http://") || strings.HasPrefix(o.URL, "https://") {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, o.URL, nil)
		if err != nil {
			return "", err
		}
		c := o.Client
		if c == nil {
			c = http.DefaultClient
		}
		resp, err := c.Do(req)
		if err != nil {
			return "", err
		}
		if resp.StatusCode != http.StatusOK {
			resp.Body.Close()
			return "", fmt.Errorf("downloading %s: %s", o.URL, resp.Status)
		}
		r = resp.Body
	} else {
		f, err := os.Open(strings.TrimPrefix(o.URL, "file://"))
		if err != nil {
			return "", err
		}
		r = f
	}
	defer r.Close()
	w, err := os.Create(dst)
	if err != nil {
		return "", err
	}
	h := sha1.New()
	if _, err := io.Copy(io.MultiWriter(w, h), r); err != nil {
		w.Close()
		return "", fmt.Errorf("downloading %s: %w", o.URL, err)
	}
	return hex.EncodeToString(h.Sum(nil)), w.Close()
}

func copyFile(src, dst string) error {
	b, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	return os.WriteFile(dst, b, 0o644)
}

// oldSRPM is the SRPM the existing .source file names, in root ("" if none).
func oldSRPM(srcFile, root string) string {
	b, err := os.ReadFile(srcFile)
	if err != nil {
		return ""
	}
	for _, l := range strings.Split(string(b), "\n") {
		f := strings.Fields(strings.SplitN(l, "#", 2)[0])
		if len(f) > 0 && strings.HasSuffix(f[0], ".src.rpm") {
			p := filepath.Join(root, filepath.FromSlash(f[0]))
			if _, err := os.Stat(p); err == nil {
				return p
			}
		}
	}
	return ""
}

func extractSpec(ctx context.Context, srpm, dir string) (string, error) {
	if err := packaging.ExtractArchive(ctx, srpm, dir); err != nil {
		return "", err
	}
	specs, _ := filepath.Glob(filepath.Join(dir, "*.spec"))
	if len(specs) != 1 {
		return "", fmt.Errorf("%s holds %d spec files", filepath.Base(srpm), len(specs))
	}
	return specs[0], nil
}

// merge3 merges into ours the changes from base to theirs (git merge-file,
// else diff3 -m); it reports conflicts.
func merge3(ctx context.Context, ours, base, theirs string) (bool, error) {
	var cmd *exec.Cmd
	if p, err := exec.LookPath("git"); err == nil {
		cmd = exec.CommandContext(ctx, p, "merge-file", "-p", "-L", "osg", "-L", "old upstream", "-L", "new upstream", ours, base, theirs)
	} else {
		cmd = exec.CommandContext(ctx, "diff3", "-m", "-L", "osg", "-L", "old upstream", "-L", "new upstream", ours, base, theirs)
	}
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	conflicts := false
	if ee, ok := err.(*exec.ExitError); ok && ee.ExitCode() >= 1 && errb.Len() == 0 {
		conflicts, err = true, nil
	}
	if err != nil {
		return false, fmt.Errorf("merging %s: %v: %s", ours, err, errb.String())
	}
	return conflicts, os.WriteFile(ours, out.Bytes(), 0o644)
}

// vcsAdd adds the new files to the SVN or git working copy holding dir.
func vcsAdd(ctx context.Context, o *Options, dir string, files []string) {
	abs := make([]string, len(files))
	for i, f := range files {
		abs[i], _ = filepath.Abs(f)
	}
	wd, _ := filepath.Abs(dir)
	if inSVN(ctx, wd) {
		args := append([]string{"add", "-q", "--force", "--parents"}, abs...)
		if out, err := exec.CommandContext(ctx, "svn", args...).CombinedOutput(); err != nil {
			fmt.Fprintf(o.IO.ErrOut, "warning: svn add: %v: %s\n", err, out)
		}
		return
	}
	if exec.CommandContext(ctx, "git", "-C", wd, "rev-parse", "--git-dir").Run() == nil {
		args := append([]string{"-C", wd, "add", "--"}, abs...)
		if out, err := exec.CommandContext(ctx, "git", args...).CombinedOutput(); err != nil {
			fmt.Fprintf(o.IO.ErrOut, "warning: git add: %v: %s\n", err, out)
		}
	}
}

// inSVN reports whether dir or one of its parents is an SVN working copy
// (a new package dir is not versioned yet).
func inSVN(ctx context.Context, dir string) bool {
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := exec.LookPath("svn"); err != nil {
			return false
		}
		if exec.CommandContext(ctx, "svn", "info", d).Run() == nil {
			return true
		}
		if filepath.Dir(d) == d {
			return false
		}
	}
}
