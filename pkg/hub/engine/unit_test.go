package engine

import (
	"strings"
	"testing"

	"github.com/osg-htc/osg-build-go/pkg/hub/builder"
)

func TestParseSCM(t *testing.T) {
	tests := []struct {
		in                string
		typ, repo, module string
		rev               string
		err               string
	}{
		{in: "git+https://github.com/opensciencegrid/Software-Redhat.git?rpm/foo#0123abc", typ: "git", repo: "https://github.com/opensciencegrid/Software-Redhat.git", module: "rpm/foo", rev: "0123abc"},
		{in: "git+file:///srv/repo.git?pkg#HEAD", typ: "git", repo: "file:///srv/repo.git", module: "pkg", rev: "HEAD"},
		{in: "git://host/repo.git#abc", typ: "git", repo: "git://host/repo.git", rev: "abc"},
		{in: "svn+https://vdt.cs.wisc.edu/svn?native/redhat/trunk/foo#12345", typ: "svn", repo: "https://vdt.cs.wisc.edu/svn", module: "native/redhat/trunk/foo", rev: "12345"},
		{in: "git+https://host/repo.git?pkg", err: "#revision is missing"},
		{in: "svn+https://vdt.cs.wisc.edu/svn/native/redhat/branches/24-main/xrootd#28000", typ: "svn", repo: "https://vdt.cs.wisc.edu/svn/native/redhat/branches/24-main/xrootd", rev: "28000"},
		{in: "svn+https://host#12", err: "needs a path"},
		{in: "cvs://host/x?m#1", err: "unsupported scheme"},
		{in: "git+https://user:pw@host/repo.git#1", err: "passwords"},
	}
	for _, tt := range tests {
		s, err := ParseSCM(tt.in)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("ParseSCM(%q) error %v, want %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseSCM(%q): %v", tt.in, err)
			continue
		}
		if s.Type != tt.typ || s.Repo != tt.repo || s.Module != tt.module || s.Revision != tt.rev {
			t.Errorf("ParseSCM(%q) = %+v", tt.in, s)
		}
	}
	if !IsSCM("git+https://h/r#1") || IsSCM("cli-build/123/foo.src.rpm") {
		t.Error("IsSCM")
	}
}

func TestArchList(t *testing.T) {
	tests := []struct {
		tag      []string
		info     builder.SRPMInfo
		override string
		want     string
	}{
		{tag: []string{"x86_64", "aarch64"}, want: "x86_64 aarch64"},
		{tag: []string{"x86_64", "aarch64"}, info: builder.SRPMInfo{BuildArchs: []string{"noarch"}}, want: "noarch"},
		{tag: []string{"x86_64", "aarch64"}, info: builder.SRPMInfo{ExclusiveArch: []string{"x86_64"}}, want: "x86_64"},
		{tag: []string{"x86_64", "aarch64"}, info: builder.SRPMInfo{ExcludeArch: []string{"aarch64"}}, want: "x86_64"},
		{tag: []string{"x86_64"}, info: builder.SRPMInfo{ExclusiveArch: []string{"x86_64", "noarch"}}, want: "x86_64 noarch"},
		{tag: []string{"x86_64", "aarch64"}, override: "aarch64", want: "aarch64"},
		{tag: []string{"x86_64"}, info: builder.SRPMInfo{ExclusiveArch: []string{"ppc64le"}}, want: "error: No matching arches"},
		{tag: nil, want: "error: No arches"},
	}
	for _, tt := range tests {
		info := tt.info
		got, err := archList(tt.tag, &info, tt.override)
		s := strings.Join(got, " ")
		if err != nil {
			s = "error: " + err.Error()
		}
		if w, isErr := strings.CutPrefix(tt.want, "error: "); (isErr && (err == nil || !strings.Contains(s, w))) || (!isErr && s != tt.want) {
			t.Errorf("archList(%v, %+v, %q) = %s, want %s", tt.tag, tt.info, tt.override, s, tt.want)
		}
	}
}

func FuzzParseSCM(f *testing.F) {
	for _, s := range []string{"git+https://h/r.git?p#1", "svn+https://h/svn?m#12", "git://h/r#x", "x", "git+://?#", "svn+file:///r?#1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		scm, err := ParseSCM(s)
		if err == nil && (scm.Revision == "" || (scm.Type != "git" && scm.Type != "svn")) {
			t.Errorf("ParseSCM(%q) = %+v without an error", s, scm)
		}
	})
}
