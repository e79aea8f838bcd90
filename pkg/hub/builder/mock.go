package builder

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/osg-htc/osg-build-go/internal/runner"
	"github.com/osg-htc/osg-build-go/pkg/koji"
)

// MockConfigOptions are the inputs of MockConfig (the arguments of Koji's
// koji.genMockConfig).
type MockConfigOptions struct {
	// Name is the chroot (root) name: "<tag>-<buildroot id>-<repo id>" for
	// a Koji buildroot, "<tag>-repo_<repo id>" for koji mock-config.
	Name string
	// Arch is the repo arch; TargetArch the build arch (Arch when empty).
	Arch       string
	TargetArch string
	// TagName and RepoID locate the build tag's repo.
	TagName string
	RepoID  int
	// TopURL is the hub's file URL (…/kojifiles); when empty the repo is
	// read from TopDir (/mnt/koji when empty) with a file:// URL. URL, when
	// set, is the baseurl itself.
	TopURL string
	TopDir string
	URL    string
	// InstallGroup is the comps group of chroot_setup_cmd: "build" (the
	// default) or "srpm-build".
	InstallGroup string
	// MockDir is the mock basedir (/var/lib/mock when empty).
	MockDir string
	// Distribution is the %distribution macro ("Unknown" when empty, as
	// genMockConfig writes it for the builders).
	Distribution string
	// UseHostResolv turns networking on in the chroot (SCM checkouts).
	UseHostResolv bool
	// Managed adds the buildroot comment block with BuildrootID.
	Managed     bool
	BuildrootID int
	// TagExtra is the build tag's extra (getBuildConfig): rpm.macro.*,
	// rpm.env.*, mock.package_manager, mock.yum.module_hotfixes,
	// mock.yum.best, mock.forcearch, mock.releasever, mock.use_bootstrap,
	// mock.bootstrap_image, mock.module_setup_commands.
	TagExtra map[string]any
}

// pyRepr renders a value as Python's repr does (what genMockConfig's %r
// writes).
func pyRepr(v any) string {
	switch x := v.(type) {
	case string:
		q := "'"
		if strings.Contains(x, "'") && !strings.Contains(x, `"`) {
			q = `"`
		}
		var b strings.Builder
		b.WriteString(q)
		for _, c := range x {
			switch c {
			case '\\':
				b.WriteString(`\\`)
			case '\n':
				b.WriteString(`\n`)
			case '\t':
				b.WriteString(`\t`)
			case '\r':
				b.WriteString(`\r`)
			default:
				if string(c) == q {
					b.WriteString(`\` + q)
				} else {
					b.WriteRune(c)
				}
			}
		}
		b.WriteString(q)
		return b.String()
	case bool:
		if x {
			return "True"
		}
		return "False"
	case nil:
		return "None"
	case []any:
		var parts []string
		for _, e := range x {
			parts = append(parts, pyRepr(e))
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case []string:
		var parts []string
		for _, e := range x {
			parts = append(parts, pyRepr(e))
		}
		return "[" + strings.Join(parts, ", ") + "]"
	}
	return fmt.Sprint(v)
}

func truthy(v any) bool {
	switch x := v.(type) {
	case bool:
		return x
	case string:
		return x != "" && x != "0" && !strings.EqualFold(x, "false") && !strings.EqualFold(x, "no")
	case int:
		return x != 0
	case int64:
		return x != 0
	case float64:
		return x != 0
	}
	return v != nil
}

// MockConfig writes a mock config the way Koji's genMockConfig does: the
// config_opts (root, basedir, target_arch, chroothome, chroot_setup_cmd,
// networking off, rpmbuild_timeout, dnf_warning and the tag's mock.*
// options), the plugin_conf with the caches off, the macros (rpm file
// name, vendor and packager Koji, the tag's rpm.macro.*, then the fixed
// %_topdir, %_host_cpu and %_host), the environment (rpm.env.*), and the
// yum.conf text with [main] and one [build] repo whose baseurl is the build
// tag's repo for the arch.
func MockConfig(o MockConfigOptions) string {
	if o.MockDir == "" {
		o.MockDir = "/var/lib/mock"
	}
	target := o.TargetArch
	if target == "" {
		target = o.Arch
	}
	group := o.InstallGroup
	if group == "" {
		group = "build"
	}
	url := o.URL
	if url == "" {
		if o.TopURL != "" {
			url = fmt.Sprintf("%s/repos/%s/%d/%s", strings.TrimRight(o.TopURL, "/"), o.TagName, o.RepoID, o.Arch)
		} else {
			top := o.TopDir
			if top == "" {
				top = "/mnt/koji"
			}
			url = fmt.Sprintf("file://%s/repos/%s/%d/%s", top, o.TagName, o.RepoID, o.Arch)
		}
	}
	extra := o.TagExtra
	if extra == nil {
		extra = map[string]any{}
	}
	co := map[string]any{
		"root":                o.Name,
		"basedir":             o.MockDir,
		"target_arch":         target,
		"chroothome":          "/builddir",
		"chroot_setup_cmd":    "install @" + group, // a comps group, as genMockConfig writes it
		"rpmbuild_networking": o.UseHostResolv,
		"use_host_resolv":     o.UseHostResolv,
		"rpmbuild_timeout":    86400,
		"dnf_warning":         false,
	}
	if v, ok := extra["mock.package_manager"]; ok {
		co["package_manager"] = fmt.Sprint(v)
	}
	if v, ok := extra["mock.forcearch"]; ok && truthy(v) {
		co["forcearch"] = target
	}
	if v, ok := extra["mock.releasever"]; ok {
		co["releasever"] = fmt.Sprint(v)
	}
	if v, ok := extra["mock.use_bootstrap"]; ok {
		co["use_bootstrap"] = truthy(v)
	}
	if v, ok := extra["mock.bootstrap_image"]; ok {
		co["use_bootstrap_image"] = true
		co["bootstrap_image"] = fmt.Sprint(v)
	}
	if v, ok := extra["mock.module_setup_commands"]; ok {
		co["module_setup_commands"] = v
	}
	plugin := map[string]any{"ccache_enable": false, "yum_cache_enable": false, "root_cache_enable": false}
	macros := map[string]string{
		"%_rpmfilename": "%%{NAME}-%%{VERSION}-%%{RELEASE}.%%{ARCH}.rpm",
		"%vendor":       "Koji",
		"%packager":     "Koji",
		"%distribution": "Unknown",
	}
	if o.Distribution != "" {
		macros["%distribution"] = o.Distribution
	}
	env := map[string]string{}
	for k, v := range extra {
		if m, ok := strings.CutPrefix(k, "rpm.macro."); ok {
			macros["%"+m] = fmt.Sprint(v)
		}
		if e, ok := strings.CutPrefix(k, "rpm.env."); ok {
			env[e] = fmt.Sprint(v)
		}
	}
	macros["%_topdir"] = "/builddir/build"
	macros["%_host_cpu"] = target
	macros["%_host"] = target + "-koji-linux-gnu"

	var b strings.Builder
	b.WriteString("# Auto-generated by the Koji build system\n")
	if o.Managed {
		fmt.Fprintf(&b, "\n# Koji buildroot id: %d\n# Koji buildroot name: %s\n# Koji repo id: %d\n# Koji tag: %s\n", o.BuildrootID, o.Name, o.RepoID, o.TagName)
	}
	b.WriteString("\n")
	for _, k := range sortedKeys(co) {
		fmt.Fprintf(&b, "config_opts[%s] = %s\n", pyRepr(k), pyRepr(co[k]))
	}
	b.WriteString("\n")
	for _, k := range sortedKeys(plugin) {
		fmt.Fprintf(&b, "config_opts['plugin_conf'][%s] = %s\n", pyRepr(k), pyRepr(plugin[k]))
	}
	b.WriteString("\n")
	for _, k := range sortedKeys(macros) {
		fmt.Fprintf(&b, "config_opts['macros'][%s] = %s\n", pyRepr(k), pyRepr(macros[k]))
	}
	b.WriteString("\n")
	if len(env) > 0 {
		for _, k := range sortedKeys(env) {
			fmt.Fprintf(&b, "config_opts['environment'][%s] = %s\n", pyRepr(k), pyRepr(env[k]))
		}
		b.WriteString("\n")
	}
	var yc strings.Builder
	yc.WriteString("[main]\ncachedir=/var/cache/yum\ndebuglevel=1\nlogfile=/var/log/yum.log\nreposdir=/dev/null\nretries=20\nobsoletes=1\ngpgcheck=0\nassumeyes=1\nkeepcache=1\ninstall_weak_deps=0\nstrict=1\n\n# repos\n\n[build]\nname=build\n")
	fmt.Fprintf(&yc, "baseurl=%s\n", url)
	if v, ok := extra["mock.yum.module_hotfixes"]; ok && truthy(v) {
		yc.WriteString("module_hotfixes=1\n")
	}
	if v, ok := extra["mock.yum.best"]; ok {
		if truthy(v) {
			yc.WriteString("best=1\n")
		} else {
			yc.WriteString("best=0\n")
		}
	}
	fmt.Fprintf(&b, "config_opts['yum.conf'] = %s\n", pyRepr(yc.String()))
	return b.String()
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// HubMockConfigOptions choose the mock config HubMockConfig writes.
type HubMockConfigOptions struct {
	// Tag is the build tag; Arch the target arch (the host's when empty).
	Tag, Arch string
	// RepoID is the repo to use; 0 for the tag's newest READY one.
	RepoID int
	// Name is the config's name; "<tag>-repo_<id>" when empty.
	Name string
	// TopURL is the hub's file URL ("" for a local hub, whose files are
	// read from TopDir).
	TopURL, TopDir string
	// ModuleHotfixes sets module_hotfixes=1 on the build repo whatever the
	// tag says (osg-build's --mock-config-from-koji does).
	ModuleHotfixes bool
	// Distribution is the %distribution macro ("Unknown" when empty).
	Distribution string
}

// HubMockConfig is `koji mock-config --tag` on any hub: the tag's build
// config and repo, written by MockConfig.
func HubMockConfig(ctx context.Context, h koji.Hub, o HubMockConfigOptions) (string, error) {
	bc, err := h.GetBuildConfig(ctx, koji.ByName(o.Tag), koji.EventOpts{})
	if err != nil {
		return "", fmt.Errorf("reading the build config of %s: %w", o.Tag, err)
	}
	if o.RepoID == 0 {
		r, err := h.GetRepo(ctx, koji.ByName(o.Tag), koji.GetRepoOpts{})
		if err != nil {
			return "", fmt.Errorf("reading the repo of %s: %w", o.Tag, err)
		}
		if r == nil {
			return "", fmt.Errorf("tag %s has no ready repo: regenerate it (osg-build regen-repo %s)", o.Tag, o.Tag)
		}
		o.RepoID = r.ID
	}
	if o.Arch == "" {
		o.Arch = HostArch()
	}
	if o.Name == "" {
		o.Name = fmt.Sprintf("%s-repo_%d", o.Tag, o.RepoID)
	}
	extra := map[string]any{}
	for k, v := range bc.Extra {
		extra[k] = v
	}
	if o.ModuleHotfixes {
		extra["mock.yum.module_hotfixes"] = true
	}
	return MockConfig(MockConfigOptions{Name: o.Name, Arch: o.Arch, TagName: o.Tag, RepoID: o.RepoID,
		TopURL: o.TopURL, TopDir: o.TopDir, TagExtra: extra, Distribution: o.Distribution}), nil
}

// Mock builds with mock, from a config MockConfig writes for the job.
type Mock struct{}

// Name is "mock".
func (*Mock) Name() string { return "mock" }

// Build runs mock --rebuild with the results and logs in OutDir.
func (m *Mock) Build(ctx context.Context, j Job) (*Result, error) {
	if err := os.MkdirAll(j.WorkDir, 0o755); err != nil {
		return nil, err
	}
	defer os.RemoveAll(j.WorkDir)
	if err := os.MkdirAll(j.OutDir, 0o755); err != nil {
		return nil, err
	}
	target := j.Arch
	if target == "noarch" || target == "" {
		target = HostArch()
	}
	name := fmt.Sprintf("%s-%d-%d", j.Repo.Tag, j.TaskID, j.Repo.ID)
	extra := map[string]any{}
	for k, v := range j.TagExtra {
		extra[k] = v
	}
	for k, v := range j.Macros {
		extra["rpm.macro."+k] = v
	}
	// The chroot lives in mock's own basedir (/var/lib/mock), as a Koji
	// builder's does: mock makes it as root, so only mock can remove it,
	// which it does with --scrub when the build is over.
	cfg := MockConfig(MockConfigOptions{Name: name, Arch: target, TagName: j.Repo.Tag, RepoID: int(j.Repo.ID), URL: j.Repo.BaseURL,
		Managed: true, BuildrootID: int(j.TaskID), TagExtra: extra})
	cfgPath := filepath.Join(j.WorkDir, name+".cfg")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o644); err != nil {
		return nil, err
	}
	defer func() {
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Minute)
		defer cancel()
		_, _ = runner.Run(sctx, runner.Cmd{Name: "mock", Args: []string{"-r", cfgPath, "--scrub=all"}, Dir: j.WorkDir})
	}()
	res := &Result{}
	args := []string{"-r", cfgPath, "--resultdir", j.OutDir, "--rebuild", j.SRPM}
	_, err := runner.Run(ctx, runner.Cmd{Name: "mock", Args: args, Dir: j.WorkDir, LogPath: filepath.Join(j.OutDir, "mock_output.log")})
	for _, l := range []string{"build.log", "root.log", "state.log", "hw_info.log", "mock_output.log", "installed_pkgs.log"} {
		if _, err := os.Stat(filepath.Join(j.OutDir, l)); err == nil {
			res.Logs = append(res.Logs, filepath.Join(j.OutDir, l))
		}
	}
	res.Components = installedPackages(filepath.Join(j.OutDir, "installed_pkgs.log"))
	if err != nil {
		if isCanceled(ctx, err) {
			return res, ctx.Err()
		}
		be := &BuildError{Arch: j.Arch, Msg: "mock exited with an error: " + lastLine(err), Log: "root.log"}
		be.Missing = missingFromRootLog(filepath.Join(j.OutDir, "root.log"))
		if len(be.Missing) == 0 {
			be.Log = "build.log"
		}
		return res, be
	}
	ents, err := os.ReadDir(j.OutDir)
	if err != nil {
		return nil, err
	}
	for _, e := range ents {
		n := e.Name()
		switch {
		case strings.HasSuffix(n, ".src.rpm") || strings.HasSuffix(n, ".nosrc.rpm"):
			res.SRPMs = append(res.SRPMs, filepath.Join(j.OutDir, n))
		case strings.HasSuffix(n, ".rpm"):
			res.RPMs = append(res.RPMs, filepath.Join(j.OutDir, n))
		}
	}
	return res, nil
}

// missingFromRootLog finds dnf's "No matching package to install: 'X'"
// lines.
func missingFromRootLog(path string) []string {
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		l := sc.Text()
		if i := strings.Index(l, "No matching package to install: '"); i >= 0 {
			rest := l[i+len("No matching package to install: '"):]
			if j := strings.LastIndexByte(rest, '\''); j >= 0 {
				out = append(out, rest[:j])
			}
		}
	}
	return out
}

// installedPackages reads mock's installed_pkgs.log (one "NEVRA BUILDTIME
// SIZE ..." line per package of the chroot) into name-version-release.arch
// entries, the epoch dropped.
func installedPackages(path string) []string {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	var out []string
	for _, l := range strings.Split(string(b), "\n") {
		f := strings.Fields(l)
		if len(f) == 0 {
			continue
		}
		nevra := f[0]
		// name-[epoch:]version-release.arch
		if i := strings.LastIndex(nevra, "-"); i > 0 {
			if j := strings.LastIndex(nevra[:i], "-"); j > 0 {
				if k := strings.Index(nevra[j+1:i], ":"); k >= 0 {
					nevra = nevra[:j+1] + nevra[j+1+k+1:]
				}
			}
		}
		out = append(out, nevra)
	}
	return out
}
