package repodata

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/osg-htc/osg-build-go/internal/testutil"
)

// mergeRepos builds the repos of the merge tests with rpmbuild: "koji" (the
// Koji content: relative locations, gz, written by Generate) and "ext" (an
// external repo written by createrepo_c with xz compression) holding a
// newer build of a package the Koji content has, the same RPM again, other
// arches, multilib, a blocked package and a package built from an SRPM of
// another name.
func mergeRepos(t *testing.T) (kojiRepo, extRepo string) {
	t.Helper()
	testutil.RequireTool(t, "rpmbuild", "createrepo_c")
	dir := t.TempDir()
	top := filepath.Join(dir, "top")
	build := func(name, version, arch, srcName string) string {
		t.Helper()
		spec := fmt.Sprintf("Name: %s\nVersion: %s\nRelease: 1\nSummary: s\nLicense: MIT\n", srcName, version)
		if arch == "noarch" {
			spec += "BuildArch: noarch\n"
		}
		spec += "%description\nd\n%files\n"
		if name != srcName {
			spec += fmt.Sprintf("%%package -n %s\nSummary: s\n%%description -n %s\nd\n%%files -n %s\n", name, name, name)
		}
		path := filepath.Join(dir, name+"-"+version+"-"+arch+".spec")
		if err := os.WriteFile(path, []byte(spec), 0o644); err != nil {
			t.Fatal(err)
		}
		args := []string{"-bb", "--quiet", "--define", "_topdir " + top, "--define", "_build_id_links none", path}
		if arch != "noarch" {
			args = append([]string{"--target", arch}, args...)
		}
		if out, err := exec.Command("rpmbuild", args...).CombinedOutput(); err != nil {
			t.Fatalf("rpmbuild %s: %v\n%s", name, err, out)
		}
		return filepath.Join(top, "RPMS", arch, fmt.Sprintf("%s-%s-1.%s.rpm", name, version, arch))
	}
	kojiRepo = filepath.Join(dir, "koji")
	extRepo = filepath.Join(dir, "ext")
	for _, d := range []string{kojiRepo, extRepo} {
		os.MkdirAll(d, 0o755)
	}
	put := func(repo, rpm string) {
		t.Helper()
		copyFile(t, rpm, filepath.Join(repo, filepath.Base(rpm)))
	}
	common2 := build("common", "2", "noarch", "common")
	put(kojiRepo, common2)
	put(kojiRepo, build("pkga", "1", "noarch", "pkga"))
	put(extRepo, common2) // the same RPM again
	put(extRepo, build("common", "3", "noarch", "common"))
	put(extRepo, build("pkgb", "1", "noarch", "pkgb"))
	put(extRepo, build("aaa", "1", "noarch", "aaa"))
	put(extRepo, build("blocked", "1", "noarch", "blocked"))
	put(extRepo, build("sub", "1", "noarch", "parent")) // from parent-1-1.src.rpm
	put(extRepo, build("old", "1", "noarch", "old"))
	put(extRepo, build("old", "2", "noarch", "old")) // two SRPMs of one name in one repo
	for _, a := range []string{"x86_64", "i686", "aarch64"} {
		put(extRepo, build("arch"+a, "1", a, "arch"+a))
	}
	generate(t, Options{Dir: kojiRepo})
	if out, err := exec.Command("createrepo_c", "-q", "--no-database", "--general-compress-type=xz", extRepo).CombinedOutput(); err != nil {
		t.Fatalf("createrepo_c: %v\n%s", err, out)
	}
	return kojiRepo, extRepo
}

var (
	pkgRE  = regexp.MustCompile(`(?s)<package type="rpm">.*?</package>`)
	nameRE = regexp.MustCompile(`<name>([^<]*)</name>`)
	verRE  = regexp.MustCompile(`<version epoch="([^"]*)" ver="([^"]*)" rel="([^"]*)"/>`)
	archRE = regexp.MustCompile(`<arch>([^<]*)</arch>`)
	locRE  = regexp.MustCompile(`<location[^>]*/>`)
	pkgID  = regexp.MustCompile(`<package pkgid="([^"]*)"`)
)

// summary lists a merged repo's packages, in order: name, EVR, arch and
// location element of primary, then the pkgids of filelists and other.
func summary(t *testing.T, repo string) (prim []string, fl, oth []string) {
	t.Helper()
	for _, p := range pkgRE.FindAll(openMD(t, repo, "primary"), -1) {
		v := verRE.FindSubmatch(p)
		prim = append(prim, fmt.Sprintf("%s-%s:%s-%s.%s %s", nameRE.FindSubmatch(p)[1], v[1], v[2], v[3], archRE.FindSubmatch(p)[1], locRE.Find(p)))
	}
	for _, m := range pkgID.FindAllSubmatch(openMD(t, repo, "filelists"), -1) {
		fl = append(fl, string(m[1]))
	}
	for _, m := range pkgID.FindAllSubmatch(openMD(t, repo, "other"), -1) {
		oth = append(oth, string(m[1]))
	}
	return prim, fl, oth
}

// TestMergeSameAsMergerepoC merges the Koji content and an external repo
// in each of Koji's merge modes, with Merge and with mergerepo_c as kojid
// runs it: the same packages, in the same order, at the same locations.
func TestMergeSameAsMergerepoC(t *testing.T) {
	testutil.RequireTool(t, "mergerepo_c")
	kojiRepo, extRepo := mergeRepos(t)
	blocklist := filepath.Join(t.TempDir(), "blocklist")
	os.WriteFile(blocklist, []byte("blocked\n"), 0o644)
	repos := []string{"file://" + kojiRepo + "/", "file://" + extRepo + "/"}
	for _, tt := range []struct {
		mode string
		args []string
		want []string // a few packages that must (not) be there, "!" = absent
	}{
		{MergeKoji, []string{"--koji", "-b", blocklist}, []string{"common-0:2-1", "!common-0:3-1", "!blocked-", "old-0:2-1", "!old-0:1-1", "sub-0:1-1", "archi686-", "!archaarch64-"}},
		{MergeSimple, []string{"--koji", "--simple", "-b", blocklist}, []string{"common-0:3-1", "!blocked-", "old-0:1-1"}},
		{MergeBare, []string{"--pkgorigins", "--all"}, []string{"common-0:3-1", "blocked-0:1-1"}},
	} {
		t.Run(tt.mode, func(t *testing.T) {
			theirs := filepath.Join(t.TempDir(), "theirs")
			args := append([]string{"--arch-expand", "-a", "x86_64", "-o", theirs}, "-r", repos[0], "-r", repos[1])
			if out, err := exec.Command("mergerepo_c", append(args, tt.args...)...).CombinedOutput(); err != nil {
				t.Fatalf("mergerepo_c: %v\n%s", err, out)
			}
			ours := filepath.Join(t.TempDir(), "ours")
			res, err := Merge(context.Background(), MergeOptions{OutputDir: ours, Repos: repos, Arch: "x86_64", Mode: tt.mode, Blocked: []string{"blocked"}})
			if err != nil {
				t.Fatal(err)
			}
			op, of, oo := summary(t, ours)
			tp, tf, to := summary(t, theirs)
			if !slices.Equal(op, tp) {
				t.Errorf("primary differs:\nours:\n  %s\nmergerepo_c:\n  %s", strings.Join(op, "\n  "), strings.Join(tp, "\n  "))
			}
			if !slices.Equal(of, tf) || !slices.Equal(oo, to) {
				t.Errorf("filelists/other differ:\nours %v %v\nmergerepo_c %v %v", of, oo, tf, to)
			}
			// The same lines; mergerepo_c orders a repo's by its hash table.
			lines := func(b []byte) []string { l := strings.Split(string(b), "\n"); slices.Sort(l); return l }
			if o, th := openMD(t, ours, "origin"), openMD(t, theirs, "origin"); !slices.Equal(lines(o), lines(th)) || !bytes.HasSuffix(o, []byte("/\n")) {
				t.Errorf("pkgorigins differ:\nours:\n%s\nmergerepo_c:\n%s", o, th)
			}
			if res.Packages != len(op) || res.PerRepo[0]+res.PerRepo[1] != res.Packages {
				t.Errorf("result %+v for %d packages", res, len(op))
			}
			all := strings.Join(op, "\n")
			for _, w := range tt.want {
				if absent, ok := strings.CutPrefix(w, "!"); ok {
					if strings.Contains(all, absent) {
						t.Errorf("%s is merged", absent)
					}
				} else if !strings.Contains(all, w) {
					t.Errorf("%s is missing", w)
				}
			}
		})
	}
}

// TestMergeHTTP reads the external repo over http and gives its packages
// the http URL as xml:base; dnf reads the merged repo.
func TestMergeHTTP(t *testing.T) {
	kojiRepo, extRepo := mergeRepos(t)
	srv := httptest.NewServer(http.FileServer(http.Dir(extRepo)))
	defer srv.Close()
	out := filepath.Join(t.TempDir(), "merged")
	res, err := Merge(context.Background(), MergeOptions{OutputDir: out,
		Repos: []string{"file://" + kojiRepo + "/", srv.URL + "/"}, Arch: "aarch64"})
	if err != nil {
		t.Fatal(err)
	}
	prim, _, _ := summary(t, out)
	all := strings.Join(prim, "\n")
	if !strings.Contains(all, `archaarch64-0:1-1.aarch64 <location xml:base="`+srv.URL+`" href="archaarch64-1-1.aarch64.rpm"/>`) ||
		strings.Contains(all, "x86_64") || strings.Contains(all, "i686") {
		t.Errorf("merged for aarch64:\n%s", all)
	}
	if !strings.Contains(all, `pkga-0:1-1.noarch <location href="pkga-1-1.noarch.rpm"/>`) {
		t.Errorf("the Koji content's locations changed:\n%s", all)
	}
	if res.PerRepo[0] != 2 {
		t.Errorf("per repo %v", res.PerRepo)
	}
	testutil.RequireTool(t, "dnf") // the checks above are done
	{
		cmd := exec.Command("dnf", dnfArgs(out, t.TempDir(), "--forcearch=aarch64", "repoquery", "--qf", "%{name}", "archaarch64", "pkga")...)
		cmd.Env = append(os.Environ(), "LC_ALL=C")
		got, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("dnf repoquery: %v\n%s", err, got)
		}
		if !slices.Equal(strings.Fields(string(got)), []string{"archaarch64", "pkga"}) {
			t.Errorf("dnf repoquery:\n%s", got)
		}
	}

	// a corrupt metadata file is refused, naming it
	for _, d := range readRepomd(t, extRepo).Data {
		if d.Type == "other" {
			os.WriteFile(filepath.Join(extRepo, d.Location.Href), []byte("garbage"), 0o644)
		}
	}
	_, err = Merge(context.Background(), MergeOptions{OutputDir: out, Repos: []string{"file://" + kojiRepo, srv.URL}})
	if err == nil || !strings.Contains(err.Error(), "other.xml") {
		t.Errorf("corrupt repo merged: %v", err)
	}
	if _, err := os.Stat(filepath.Join(out, "repodata", "repomd.xml")); err != nil {
		t.Errorf("the previous merged repodata was lost: %v", err)
	}
}

// FuzzSplitPackages cuts arbitrary metadata into <package> fragments: no
// panic, no endless loop, and every fragment is a whole element ending a
// line, whose fields parse or fail cleanly.
func FuzzSplitPackages(f *testing.F) {
	f.Add([]byte("<metadata packages=\"1\">\n<package type=\"rpm\">\n  <name>a</name>\n  <arch>noarch</arch>\n  <checksum type=\"sha256\" pkgid=\"YES\">ab</checksum>\n</package>\n</metadata>"))
	f.Add([]byte(`<filelists><package pkgid="x" name="a" arch="noarch"><file>/a</file></package><packages/></filelists>`))
	f.Add([]byte("<package"))
	f.Add([]byte("<packagex><package>"))
	f.Fuzz(func(t *testing.T, data []byte) {
		sc := bufio.NewScanner(bytes.NewReader(data))
		sc.Buffer(make([]byte, 0, 16), 1<<20)
		sc.Split(splitPackages)
		n := 0
		for sc.Scan() {
			frag := sc.Bytes()
			if !bytes.HasPrefix(frag, pkgOpen) || !bytes.HasSuffix(frag, []byte("</package>\n")) {
				t.Fatalf("fragment %q", frag)
			}
			if n++; n > len(data) {
				t.Fatal("more fragments than bytes")
			}
			_, _ = parsePrimaryFragment(frag)
			_, _ = fragmentPkgid(frag)
		}
	})
}
