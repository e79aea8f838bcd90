package builder

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/osg-htc/osg-build-go/internal/runner"
)

// RPMBuild builds with rpmbuild on the host: a clean topdir per task, the
// build tag's macros as defines, BuildRequires checked against the build
// tag's repo (and, with Job.HostDeps, the host's installed packages), then
// rpmbuild --rebuild --nodeps.
type RPMBuild struct{}

// Name is "rpmbuild".
func (*RPMBuild) Name() string { return "rpmbuild" }

// Build runs the job.
func (b *RPMBuild) Build(ctx context.Context, j Job) (*Result, error) {
	if err := os.MkdirAll(j.OutDir, 0o755); err != nil {
		return nil, err
	}
	root, err := logFile(j.OutDir, "root.log")
	if err != nil {
		return nil, err
	}
	defer root.Close()
	mo, err := logFile(j.OutDir, "mock_output.log")
	if err != nil {
		return nil, err
	}
	defer mo.Close()
	res := &Result{Logs: []string{filepath.Join(j.OutDir, "build.log"), filepath.Join(j.OutDir, "root.log"), filepath.Join(j.OutDir, "mock_output.log")}}
	// build.log exists from the start, so it can be read while building
	if f, err := logFile(j.OutDir, "build.log"); err == nil {
		f.Close()
	}

	info, err := ReadSRPM(j.SRPM)
	if err != nil {
		return nil, err
	}
	logf(root, "INFO buildroot: rpmbuild on the host, build tag %s, repo %d (%s)", j.Repo.Tag, j.Repo.ID, j.Repo.BaseURL)
	missing, comps, err := resolveDeps(ctx, j, info, root)
	res.Components = comps
	if err != nil {
		return nil, err
	}
	if len(missing) > 0 {
		for _, m := range missing {
			logf(root, "DEBUG util.py:446:  No matching package to install: '%s'", m)
		}
		logf(root, "DEBUG util.py:446:  Not all dependencies satisfied")
		logf(root, "DEBUG util.py:446:  Error: Some packages could not be found.")
		logf(root, "DEBUG util.py:598:  Child return code was: 1")
		fmt.Fprintf(mo, "ERROR: Command failed: dnf builddep %s: missing %s\n", filepath.Base(j.SRPM), strings.Join(missing, ", "))
		return res, &BuildError{Arch: j.Arch, Missing: missing, Log: "root.log"}
	}
	logf(root, "DEBUG util.py:446:  Dependencies resolved: %d BuildRequires satisfied", len(info.Requires))

	top := filepath.Join(j.WorkDir, "rpmbuild")
	if err := os.RemoveAll(top); err != nil {
		return nil, err
	}
	for _, d := range []string{"BUILD", "BUILDROOT", "RPMS", "SOURCES", "SPECS", "SRPMS"} {
		if err := os.MkdirAll(filepath.Join(top, d), 0o755); err != nil {
			return nil, err
		}
	}
	defer os.RemoveAll(j.WorkDir)
	args := []string{"--rebuild", "--nodeps", "--define", "_topdir " + top}
	macros := map[string]string{}
	for k, v := range j.Macros {
		macros[k] = v
	}
	args = append(args, defines(macros)...)
	if j.Arch != "noarch" && j.Arch != HostArch() && j.Arch != "" {
		args = append(args, "--target", j.Arch)
	}
	args = append(args, j.SRPM)
	var env []string
	for k, v := range j.Env {
		env = append(env, k+"="+v)
	}
	fmt.Fprintf(mo, "INFO: rpmbuild %s\n", strings.Join(args, " "))
	_, err = runner.Run(ctx, runner.Cmd{Name: "rpmbuild", Args: args, Env: env, Dir: j.WorkDir, LogPath: filepath.Join(j.OutDir, "build.log")})
	if err != nil {
		if isCanceled(ctx, err) {
			return res, ctx.Err()
		}
		fmt.Fprintf(mo, "ERROR: Exception(%s) Config(%s) see build.log\n", filepath.Base(j.SRPM), j.Repo.Tag)
		return res, &BuildError{Arch: j.Arch, Msg: "rpmbuild failed: " + lastLine(err), Log: "build.log"}
	}
	res.RPMs, res.SRPMs, err = collect(top, j.OutDir)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(mo, "INFO: Done(%s) Config(%s) %d RPMs\n", filepath.Base(j.SRPM), j.Repo.Tag, len(res.RPMs))
	return res, nil
}

func lastLine(err error) string {
	if ee, ok := err.(*runner.ExitError); ok && ee.Tail != "" {
		lines := strings.Split(strings.TrimSpace(ee.Tail), "\n")
		return strings.TrimSpace(lines[len(lines)-1])
	}
	return err.Error()
}

// resolveDeps returns the BuildRequires that neither the repo nor (with
// HostDeps) the host provides, and the repo's packages that the others
// resolved to (the buildroot's components from the build tag).
func resolveDeps(ctx context.Context, j Job, info *SRPMInfo, log *os.File) ([]string, []string, error) {
	if len(info.Requires) == 0 {
		return nil, nil, nil
	}
	prov := NewProvides()
	if j.Repo.ArchDir != "" {
		if err := ReadRepoProvides(j.Repo.ArchDir, prov); err != nil {
			return nil, nil, fmt.Errorf("reading the build tag's repo: %w", err)
		}
	}
	logf(log, "DEBUG util.py:446:  build repo: %d packages", prov.Packages)
	var comps []string
	seen := map[string]bool{}
	for _, r := range info.Requires {
		if p := prov.Provider(r.String()); p != "" && !seen[p] {
			seen[p] = true
			comps = append(comps, p)
			logf(log, "DEBUG util.py:446:  %s: provided by %s from the build repo", r.String(), p)
		}
	}
	missing, err := Unresolved(prov, info.Requires)
	if err != nil || len(missing) == 0 || !j.HostDeps {
		return missing, comps, err
	}
	missing, err = hostUnresolved(ctx, missing, log)
	return missing, comps, err
}

// hostUnresolved asks the host's rpm database which of the requirements no
// installed package provides.
func hostUnresolved(ctx context.Context, reqs []string, log *os.File) ([]string, error) {
	if _, ok := runner.Look("rpm"); !ok {
		return reqs, nil
	}
	var simple, out []string
	for _, r := range reqs {
		if strings.HasPrefix(r, "(") {
			out = append(out, r) // rich dependencies: the repo only
			continue
		}
		simple = append(simple, r)
	}
	if len(simple) == 0 {
		return out, nil
	}
	// by name: rpm's --whatprovides takes no versions
	names := make([]string, len(simple))
	for i, r := range simple {
		names[i] = strings.Fields(r)[0]
	}
	args := append([]string{"-q", "--qf", "%{NAME}\n", "--whatprovides"}, names...)
	res, _ := runner.Run(ctx, runner.Cmd{Name: "rpm", Args: args})
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	notProvided := map[string]bool{}
	if res != nil {
		for _, l := range strings.Split(string(res.Stdout), "\n") {
			if n, ok := strings.CutPrefix(l, "no package provides "); ok {
				notProvided[strings.TrimSpace(n)] = true
			} else if n, ok := strings.CutPrefix(l, "file "); ok && strings.HasSuffix(l, " is not owned by any package") {
				notProvided[strings.TrimSuffix(n, " is not owned by any package")] = true
			}
		}
	}
	for i, r := range simple {
		if notProvided[names[i]] || res == nil {
			out = append(out, r)
			continue
		}
		logf(log, "DEBUG util.py:446:  %s: provided by a package installed on the host", r)
	}
	return out, nil
}
