package vcs

import (
	"errors"
	"strings"
	"testing"
)

func TestProtectionTable(t *testing.T) {
	c := Default()
	osg, osg2, hcc, chtc := c.Remote("osg"), c.Remote("osg2"), c.Remote("hcc"), c.Remote("chtc")
	gitLegacy := func(r *Remote, branch string) *Source {
		return &Source{Kind: Git, Remote: r, Branch: branch, RemoteURL: "https://github.com/" + r.GitHub}
	}
	subtree := func(sub, branch string) *Source {
		return &Source{Kind: Git, Remote: osg2, Branch: branch, Subtree: sub, RemoteURL: "https://github.com/osg-htc/software-packaging.git"}
	}
	svnBranch := func(b string) *Source { return &Source{Kind: SVN, Branch: b} }
	unknown := &Source{Kind: Git, Branch: "25-main", RemoteURL: "https://github.com/someone/fork.git"}

	tests := []struct {
		name   string
		src    *Source
		target string
		reason ProtectionReason // "" = allowed
		msg    string
	}{
		// Legacy git, OSG (Software-Redhat)
		{"legacy osg-3.6 into 3.6", gitLegacy(osg, "osg-3.6"), "osg-3.6-el9", "", ""},
		{"legacy osg-3.6 into 3.5", gitLegacy(osg, "osg-3.6"), "osg-3.5-el8", Mismatch, "branch/target mismatch: branch osg-3.6 does not match target osg-3.5-el8"},
		{"legacy 25-main into 25-main", gitLegacy(osg, "25-main"), "osg-25-main-el9", "", ""},
		{"legacy user/25-main into 25-main", gitLegacy(osg, "matyas/25-main"), "osg-25-main-el10", "", ""},
		{"legacy 24-main into 25-main", gitLegacy(osg, "24-main"), "osg-25-main-el9", Mismatch, "branch 24-main does not match target osg-25-main-el9"},
		{"legacy two-level prefix is not allowed", gitLegacy(osg, "a/b/25-main"), "osg-25-main-el9", Mismatch, ""},
		{"legacy feature branch into main", gitLegacy(osg, "feature-x"), "osg-25-main-el9", Mismatch, "forbidden to build from feature-x branch into osg-25-main-el9 target"},
		{"legacy feature branch into custom target", gitLegacy(osg, "feature-x"), "my-test-el9", "", ""},
		{"legacy main branch into custom target", gitLegacy(osg, "25-main"), "my-test-el9", "", ""},
		{"legacy 25-main into upcoming", gitLegacy(osg, "25-main"), "osg-25-upcoming-el9", Mismatch, ""},
		{"legacy 25-upcoming into upcoming", gitLegacy(osg, "25-upcoming"), "osg-25-upcoming-el8", "", ""},
		{"legacy 3.6-upcoming into 3.6 upcoming", gitLegacy(osg, "3.6-upcoming"), "osg-3.6-upcoming-el7", "", ""},
		{"legacy 25-upcoming into 24 upcoming", gitLegacy(osg, "25-upcoming"), "osg-24-upcoming-el9", Mismatch, ""},
		{"legacy 25-internal into internal", gitLegacy(osg, "25-internal"), "osg-25-internal-el9", "", ""},
		{"legacy 25-main into internal", gitLegacy(osg, "25-main"), "osg-25-internal-el9", Mismatch, ""},
		{"legacy internal into old internal", gitLegacy(osg, "internal"), "osg-el9-internal", "", ""},
		{"legacy 25-internal into old internal", gitLegacy(osg, "25-internal"), "osg-el9-internal", Mismatch, ""},
		{"legacy devops into devops", gitLegacy(osg, "devops"), "devops-el9", "", ""},
		{"legacy 25-main into devops", gitLegacy(osg, "25-main"), "devops-el9", Mismatch, ""},
		{"legacy osg-3.5 into versioned 3.6", gitLegacy(osg, "osg-3.5"), "osg-3.6-el8", Mismatch, ""},
		{"old osg-elN target is unrestricted", gitLegacy(osg, "anything"), "osg-el9", "", ""},
		{"contrib target is unrestricted", gitLegacy(osg, "anything"), "osg-25-el9-contrib", "", ""},
		{"osg remote into chtc", gitLegacy(osg, "main"), "chtc-el9", WrongRemote, "cannot build into chtc-el9 from the opensciencegrid/Software-Redhat.git remote"},
		{"osg remote into hcc", gitLegacy(osg, "master"), "hcc-el9", WrongRemote, ""},

		// Legacy git, CHTC and HCC
		{"chtc main", gitLegacy(chtc, "main"), "chtc-el9", "", ""},
		{"chtc any branch", gitLegacy(chtc, "feature"), "chtc-el8", "", ""},
		{"chtc into osg", gitLegacy(chtc, "main"), "osg-25-main-el9", WrongRemote, "cannot build into osg-25-main-el9 from the CHTC/packaging.git remote"},
		{"chtc into hcc", gitLegacy(chtc, "main"), "hcc-el9", WrongRemote, ""},
		{"hcc master", gitLegacy(hcc, "master"), "hcc-el9", "", ""},
		{"hcc into chtc", gitLegacy(hcc, "master"), "chtc-el9", WrongRemote, ""},
		{"hcc into custom target", gitLegacy(hcc, "master"), "hcc-test-el9", "", ""},

		// Subtree git, osg-htc/software-packaging: the subtree is the branch
		{"subtree 25-main into 25-main", subtree("25-main", "main"), "osg-25-main-el9", "", ""},
		{"subtree ignores the git branch", subtree("25-main", "my-feature"), "osg-25-main-el10", "", ""},
		{"subtree 24-main into 25-main", subtree("24-main", "main"), "osg-25-main-el9", Mismatch, "branch/target mismatch: branch 24-main does not match target osg-25-main-el9"},
		{"subtree 25-upcoming into upcoming", subtree("25-upcoming", "main"), "osg-25-upcoming-el9", "", ""},
		{"subtree 25-main into upcoming", subtree("25-main", "25-upcoming"), "osg-25-upcoming-el9", Mismatch, ""},
		{"subtree 26-internal into internal", subtree("26-internal", "main"), "osg-26-internal-el8", "", ""},
		{"subtree osg-3.6 into 3.6", subtree("osg-3.6", "main"), "osg-3.6-el9", "", ""},
		{"subtree 3.6-upcoming into 3.6 upcoming", subtree("3.6-upcoming", "main"), "osg-3.6-upcoming-el9", "", ""},
		{"subtree devops", subtree("devops", "main"), "devops-el8", "", ""},
		{"subtree osg-internal into old internal", subtree("osg-internal", "main"), "osg-el8-internal", "", ""},
		{"subtree 25-contrib into contrib target", subtree("25-contrib", "main"), "osg-25-el9-contrib", "", ""},
		{"subtree 25-contrib into main", subtree("25-contrib", "main"), "osg-25-main-el9", Mismatch, ""},
		{"subtree dist-el9-build into custom", subtree("dist-el9-build", "main"), "dist-el9-build", "", ""},
		{"subtree into chtc", subtree("25-main", "main"), "chtc-el9", WrongRemote, "from the osg-htc/software-packaging.git remote"},

		// Unknown remote
		{"fork into main", unknown, "osg-25-main-el9", UnknownRemote, "cannot build into osg-25-main-el9 from unrecognized remote https://github.com/someone/fork.git"},
		{"fork into custom target", unknown, "my-target-el9", "", ""},

		// SVN
		{"svn 25-main", svnBranch("25-main"), "osg-25-main-el9", "", ""},
		{"svn osg-3.6", svnBranch("osg-3.6"), "osg-3.6-el7", "", ""},
		{"svn 24-main into 25-main", svnBranch("24-main"), "osg-25-main-el9", Mismatch, "branch/target mismatch: branch 24-main does not match target osg-25-main-el9"},
		{"svn 3.6-upcoming", svnBranch("3.6-upcoming"), "osg-3.6-upcoming-el8", "", ""},
		{"svn osg-internal", svnBranch("osg-internal"), "osg-el9-internal", "", ""},
		{"svn internal is not osg-internal", svnBranch("internal"), "osg-el9-internal", Mismatch, ""},
		{"svn user/25-main has no prefix form", svnBranch("me/25-main"), "osg-25-main-el9", Mismatch, ""},
		{"svn devops", svnBranch("devops"), "devops-el9", "", ""},
		{"svn into chtc", svnBranch("25-main"), "chtc-el9", NotFromSVN, "cannot build into chtc-el9 from SVN"},
		{"svn into hcc", svnBranch("25-main"), "hcc-el9", NotFromSVN, "cannot build into hcc-el9 from SVN"},
		{"svn personal branch into custom", svnBranch("matyas"), "my-test-el9", "", ""},
		{"svn personal branch into main", svnBranch("matyas"), "osg-25-main-el9", Mismatch, ""},
		{"no target", svnBranch("matyas"), "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := c.CheckProtection(tt.src, tt.target)
			if tt.reason == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			var pe *ProtectionError
			if !errors.As(err, &pe) {
				t.Fatalf("error %v, want a *ProtectionError", err)
			}
			if pe.Reason != tt.reason {
				t.Errorf("reason %s, want %s (%v)", pe.Reason, tt.reason, err)
			}
			if tt.msg != "" && !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("message %q\nwant it to contain %q", err, tt.msg)
			}
		})
	}
}

func TestProtectionAsData(t *testing.T) {
	c := Default()
	err := c.Merge([]byte(`
[remote lab]
urls = file:///srv/git/lab.git
layout = subtree

[protect lab]
remotes = lab
koji_target = lab-(?P<series>\d+)-(el\d+)
subtree_branch = lab-(?P<series>\d+)

[protect svnonly]
remotes = osg
koji_target = svnonly-(el\d+)
subtree_branch = svnonly
`), "test.ini")
	if err != nil {
		t.Fatal(err)
	}
	lab := c.Remote("lab")
	r, pub := c.KnownRemote("file:///srv/git/lab")
	if r != lab || pub != "file:///srv/git/lab.git" {
		t.Fatalf("KnownRemote = %v, %q", r, pub)
	}
	src := &Source{Kind: Git, Remote: lab, Subtree: "lab-2", Branch: "main"}
	if err := c.CheckProtection(src, "lab-2-el9"); err != nil {
		t.Errorf("lab-2 into lab-2-el9: %v", err)
	}
	if err := c.CheckProtection(src, "lab-3-el9"); err == nil || !strings.Contains(err.Error(), "branch lab-2 does not match target lab-3-el9") {
		t.Errorf("lab-2 into lab-3-el9: %v", err)
	}
	legacy := &Source{Kind: Git, Remote: c.Remote("osg"), Branch: "svnonly"}
	if err := c.CheckProtection(legacy, "svnonly-el9"); err == nil || err.Error() != "cannot build into svnonly-el9 from Git: choose another target" {
		t.Errorf("git into svn-only target: %v", err)
	}
	if err := c.CheckProtection(&Source{Kind: SVN, Branch: "svnonly"}, "svnonly-el9"); err != nil {
		t.Errorf("svn into svn-only target: %v", err)
	}
}

func TestConfigMergeErrors(t *testing.T) {
	for _, tt := range []struct{ name, data, err string }{
		{"unknown section", "[remotes]\n", "unknown section"},
		{"bad layout", "[remote x]\nurls = file:///x\nlayout = flat\n", `layout "flat"`},
		{"remote without url", "[remote x]\nlayout = legacy\n", "give github = owner/repo.git or urls"},
		{"bad regex", "[protect x]\nremotes = osg\nkoji_target = (\n", "[protect x]: koji_target"},
		{"protection without target", "[protect x]\nremotes = osg\n", "koji_target is missing"},
		{"protection without remotes", "[protect x]\nkoji_target = x\n", "remotes is missing"},
		{"protection with unknown remote", "[protect x]\nkoji_target = x\nremotes = nope\n", "no [remote nope]"},
		{"unknown key", "[svn]\nroot = x\n", `unknown key "root"`},
		{"bad bool", "[remote osg]\ngit_svn = maybe\n", `git_svn "maybe"`},
		{"keys before a section", "x = y\n", "keys before the first [section]"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := Default()
			before := len(c.Protections)
			err := c.Merge([]byte(tt.data), "user.ini")
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("error %v, want %q", err, tt.err)
			}
			if len(c.Protections) != before {
				t.Errorf("a failed merge changed the config")
			}
		})
	}
}

func TestKnownRemote(t *testing.T) {
	c := Default()
	for _, tt := range []struct{ url, name, public string }{
		{"https://github.com/osg-htc/software-packaging.git", "osg2", "https://github.com/osg-htc/software-packaging.git"},
		{"https://github.com/osg-htc/software-packaging", "osg2", "https://github.com/osg-htc/software-packaging.git"},
		{"git@github.com:osg-htc/software-packaging.git", "osg2", "https://github.com/osg-htc/software-packaging.git"},
		{"ssh://git@github.com/osg-htc/software-packaging.git", "osg2", "https://github.com/osg-htc/software-packaging.git"},
		{"git@github.com:opensciencegrid/software-redhat", "osg", "https://github.com/opensciencegrid/Software-Redhat.git"},
		{"https://github.com/opensciencegrid/Software-Redhat.git/", "osg", "https://github.com/opensciencegrid/Software-Redhat.git"},
		{"git@github.com:unlhcc/hcc-packaging.git", "hcc", "https://github.com/unlhcc/hcc-packaging.git"},
		{"https://github.com/CHTC/packaging", "chtc", "https://github.com/CHTC/packaging.git"},
		{"https://packager:token@github.com/osg-htc/software-packaging.git", "osg2", "https://github.com/osg-htc/software-packaging.git"},
		{"https://github.com/someone/software-packaging.git", "", ""},
		{"https://gitlab.com/osg-htc/software-packaging.git", "", ""},
	} {
		r, pub := c.KnownRemote(tt.url)
		name := ""
		if r != nil {
			name = r.Name
		}
		if name != tt.name || pub != tt.public {
			t.Errorf("KnownRemote(%s) = %q, %q; want %q, %q", tt.url, name, pub, tt.name, tt.public)
		}
	}
}

func TestPackageName(t *testing.T) {
	for in, want := range map[string]string{
		"xrootd":                        "xrootd",
		"buildsys-macros.el9":           "buildsys-macros",
		"osg-release-x86_64_v2.el10":    "osg-release-x86_64_v2",
		"foobar.el7.el8":                "foobar",
		"xrootd__el9fix":                "xrootd",
		"condor__test.el9":              "condor",
		"condor.el9__test":              "condor",
		"/x/25-main/osg-ca-certs/":      "osg-ca-certs",
		"python3-el9-thing":             "python3-el9-thing",
		"htcondor-ce.elx":               "htcondor-ce.elx",
		"25-main/buildsys-macros.el9.1": "buildsys-macros.el9.1",
	} {
		if got := PackageName(in); got != want {
			t.Errorf("PackageName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestURLKind(t *testing.T) {
	for _, tt := range []struct {
		arg   string
		isURL bool
		kind  Kind
	}{
		{"git+https://github.com/osg-htc/software-packaging.git?25-main/xrootd#abc", true, Git},
		{"git://example.org/x.git?a#b", true, Git},
		{"https://vdt.cs.wisc.edu/svn/native/redhat/branches/25-main/xrootd", true, SVN},
		{"svn+ssh://host/svn/x", true, SVN},
		{"file:///tmp/repo/native/redhat/branches/25-main/x", true, SVN},
		{"25-main/xrootd", false, ""},
		{"/abs/dir@123", false, ""},
	} {
		if got := IsURL(tt.arg); got != tt.isURL {
			t.Errorf("IsURL(%s) = %v", tt.arg, got)
		}
		if tt.isURL {
			if got := URLKind(tt.arg); got != tt.kind {
				t.Errorf("URLKind(%s) = %s, want %s", tt.arg, got, tt.kind)
			}
		}
	}
}

func TestGitURLArgument(t *testing.T) {
	c := Default()
	for _, tt := range []struct {
		arg                          string
		scm, pkg, branch, sub, rname string
		err                          string
	}{
		{
			arg: "git+https://github.com/osg-htc/software-packaging.git?25-main/xrootd#0123abc",
			scm: "git+https://github.com/osg-htc/software-packaging.git?25-main/xrootd#0123abc",
			pkg: "xrootd", branch: "0123abc", sub: "25-main", rname: "osg2",
		},
		{
			arg: "git+https://github.com/opensciencegrid/software-redhat?buildsys-macros.el9",
			scm: "git+https://github.com/opensciencegrid/Software-Redhat.git?buildsys-macros.el9#HEAD",
			pkg: "buildsys-macros", branch: "HEAD", rname: "osg",
		},
		{
			arg: "git+https://example.org/mine.git?pkg#main",
			scm: "git+https://example.org/mine.git?pkg#main",
			pkg: "pkg", branch: "main",
		},
		{arg: "git+https://github.com/osg-htc/software-packaging.git?xrootd#1", err: "has no subtree"},
		{arg: "git+https://github.com/osg-htc/software-packaging.git#1", err: "failed to parse as a git URL"},
		{arg: "git+https://github.com/x/y.git?%25bad#1", err: "invalid package name"},
	} {
		t.Run(tt.arg, func(t *testing.T) {
			src, err := c.parseGitURL(tt.arg)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			rname := ""
			if src.Remote != nil {
				rname = src.Remote.Name
			}
			if src.SCMURL != tt.scm || src.Package != tt.pkg || src.Branch != tt.branch || src.Subtree != tt.sub || rname != tt.rname || !src.IsURL {
				t.Errorf("got %+v", src)
			}
		})
	}
}

func FuzzParseGitURL(f *testing.F) {
	f.Add("git+https://github.com/osg-htc/software-packaging.git?25-main/xrootd#0123abc")
	f.Add("git+file:///tmp/x.git?a/b#c")
	f.Add("git://h/p?q")
	f.Fuzz(func(t *testing.T, s string) {
		c := Default()
		src, err := c.parseGitURL(s)
		if err != nil {
			return
		}
		if !strings.HasPrefix(src.SCMURL, "git+") || src.Package == "" || src.Rev == "" {
			t.Errorf("bad source from %q: %+v", s, src)
		}
	})
}

func TestLoadUserFile(t *testing.T) {
	home := t.TempDir()
	env := map[string]string{"HOME": home}
	getenv := func(k string) string { return env[k] }
	c, err := Load(getenv)
	if err != nil || len(c.Remotes) != 4 || len(c.Protections) != 8 {
		t.Fatalf("without a user file: %d remotes, %d protections, %v", len(c.Remotes), len(c.Protections), err)
	}
	path := UserFile(getenv)
	if path != home+"/.config/osg-build/vcs.ini" {
		t.Errorf("user file %s", path)
	}
	env["XDG_CONFIG_HOME"] = home + "/xdg"
	path = UserFile(getenv)
	if path != home+"/xdg/osg-build/vcs.ini" {
		t.Errorf("user file with XDG_CONFIG_HOME %s", path)
	}
	write(t, path, "[remote osg2]\nurls = file:///srv/git/software-packaging.git\n\n[svn]\npublic_root = https://svn.example.org/svn/\n")
	c, err = Load(getenv)
	if err != nil {
		t.Fatal(err)
	}
	if r, pub := c.KnownRemote("file:///srv/git/software-packaging"); r == nil || r.Name != "osg2" || pub != "file:///srv/git/software-packaging.git" {
		t.Errorf("user remote: %v %q", r, pub)
	}
	if r, _ := c.KnownRemote("git@github.com:osg-htc/software-packaging.git"); r == nil || r.Name != "osg2" {
		t.Errorf("the GitHub URLs of osg2 were lost: %v", r)
	}
	if c.SVNPublicRoot != "https://svn.example.org/svn" {
		t.Errorf("public root %q", c.SVNPublicRoot)
	}
	write(t, path, "[remote osg2]\nlayout = sideways\n")
	if _, err := Load(getenv); err == nil || !strings.Contains(err.Error(), path) {
		t.Errorf("broken user file: %v", err)
	}
}

func FuzzConfigMerge(f *testing.F) {
	f.Add([]byte("[remote lab]\nurls = file:///x.git\nlayout = subtree\n[protect lab]\nremotes = lab\nkoji_target = lab-(el\\d+)\nsubtree_branch = lab\n"))
	f.Add([]byte("[svn]\npublic_root = https://x/svn\n"))
	f.Add([]byte("[protect x]\nremotes = osg\nkoji_target = (?P<osgver>\\d+)-(el\\d+)\ngit_branch = (?P<osgver>\\d+)\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c := Default()
		if err := c.Merge(data, "fuzz"); err != nil {
			return
		}
		// A merged config checks any source against any target without panicking.
		for _, src := range []*Source{
			{Kind: SVN, Branch: "25-main"},
			{Kind: Git, Branch: "main", Remote: c.Remotes[0]},
			{Kind: Git, Branch: "main", Subtree: "25-main", Remote: c.Remotes[len(c.Remotes)-1]},
			{Kind: Git, Branch: "main"},
		} {
			for _, target := range []string{"osg-25-main-el9", "lab-el9", "chtc-el9", "x"} {
				_ = c.CheckProtection(src, target)
			}
		}
	})
}
