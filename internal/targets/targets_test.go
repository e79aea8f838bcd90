package targets

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/osg-htc/osg-build-go/internal/testutil"
)

// kojiINIs splits testdata/vcs/koji-ini.txt (every koji.ini of the OSG
// packaging repository, each after a "## path" line) into path -> content.
func kojiINIs(t *testing.T) map[string]string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "testdata", "vcs", "koji-ini.txt"))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	var cur string
	for _, line := range strings.Split(string(data), "\n") {
		switch {
		case strings.HasPrefix(line, "## "):
			cur = strings.TrimPrefix(line, "## ")
			out[cur] = ""
		case strings.HasPrefix(line, "# "):
		case cur != "":
			out[cur] += line + "\n"
		}
	}
	return out
}

// want is written out by hand from the reference (osg-build 2.x
// DEFAULT_DVERS_BY_REPO, the hint regexes and the dist tag list), not
// derived from targets.ini.
var want = map[string]struct {
	dvers   []string
	el9     string // target for el9 ("" when el9 is not built by default)
	tag9    string
	distTag string // for the first dver
}{
	"23-main":        {[]string{"el8", "el9"}, "osg-23-main-el9", "osg-el9", ".osg23.el8"},
	"23-upcoming":    {[]string{"el8", "el9"}, "osg-23-upcoming-el9", "osg-el9", ".osg23up.el8"},
	"23-internal":    {[]string{"el8", "el9"}, "osg-23-internal-el9", "osg-el9", ".osg23int.el8"},
	"23-contrib":     {[]string{"el8", "el9"}, "osg-23-el9-contrib", "osg-el9", ".osg23.el8"},
	"23-empty":       {[]string{"el8", "el9"}, "osg-23-el9-empty", "osg-el9", ".osg23.el8"},
	"24-main":        {[]string{"el8", "el9"}, "osg-24-main-el9", "osg-el9", ".osg24.el8"},
	"24-upcoming":    {[]string{"el8", "el9"}, "osg-24-upcoming-el9", "osg-el9", ".osg24up.el8"},
	"24-internal":    {[]string{"el8", "el9"}, "osg-24-internal-el9", "osg-el9", ".osg24int.el8"},
	"24-contrib":     {[]string{"el8", "el9"}, "osg-24-el9-contrib", "osg-el9", ".osg24.el8"},
	"24-empty":       {[]string{"el8", "el9"}, "osg-24-el9-empty", "osg-el9", ".osg24.el8"},
	"25-main":        {[]string{"el8", "el9", "el10"}, "osg-25-main-el9", "osg-el9", ".osg25.el8"},
	"25-upcoming":    {[]string{"el8", "el9", "el10"}, "osg-25-upcoming-el9", "osg-el9", ".osg25up.el8"},
	"25-internal":    {[]string{"el8", "el9", "el10"}, "osg-25-internal-el9", "osg-el9", ".osg25int.el8"},
	"25-contrib":     {[]string{"el8", "el9", "el10"}, "osg-25-el9-contrib", "osg-el9", ".osg25.el8"},
	"25-empty":       {[]string{"el8", "el9", "el10"}, "osg-25-el9-empty", "osg-el9", ".osg25.el8"},
	"26-main":        {[]string{"el8", "el9", "el10"}, "osg-26-main-el9", "osg-el9", ".osg26.el8"},
	"26-upcoming":    {[]string{"el8", "el9", "el10"}, "osg-26-upcoming-el9", "osg-el9", ".osg26up.el8"},
	"26-internal":    {[]string{"el8", "el9", "el10"}, "osg-26-internal-el9", "osg-el9", ".osg26int.el8"},
	"26-contrib":     {[]string{"el8", "el9", "el10"}, "osg-26-el9-contrib", "osg-el9", ".osg26.el8"},
	"26-empty":       {[]string{"el8", "el9", "el10"}, "osg-26-el9-empty", "osg-el9", ".osg26.el8"},
	"3.6-upcoming":   {[]string{"el7", "el8", "el9"}, "osg-3.6-upcoming-el9", "osg-el9", ".osg36up.el7"},
	"osg-3.6":        {[]string{"el7", "el8", "el9"}, "osg-3.6-el9", "osg-el9", ".osg36.el7"},
	"devops":         {[]string{"el7", "el8", "el9"}, "devops-el9", "osg-el9", ".osgdevops.el7"},
	"dist-el7-build": {[]string{"el7"}, "", "", ""},
	"dist-el8-build": {[]string{"el8"}, "", "", ""},
	"dist-el9-build": {[]string{"el9"}, "dist-el9-build", "dist-el9-build", ""},
	"chtc":           {[]string{"el9"}, "chtc-el9", "chtc-el9", ".chtc.el9"},
	"hcc":            {[]string{"el8", "el9"}, "hcc-el9", "hcc-el9", ".hcc.el8"},
	"3.6":            {[]string{"el7", "el8", "el9"}, "osg-3.6-el9", "osg-el9", ".osg36.el7"},
}

func TestEveryKojiINIOfThePackagingRepoResolves(t *testing.T) {
	c := Default()
	inis := kojiINIs(t)
	if len(inis) != 26 {
		t.Fatalf("koji-ini.txt holds %d files, want 26", len(inis))
	}
	for path, content := range inis {
		t.Run(path, func(t *testing.T) {
			// Write it where a package's parent would have it, and read it back.
			dir := t.TempDir()
			sub := filepath.Join(dir, filepath.Dir(path))
			if err := os.MkdirAll(filepath.Join(sub, "pkg"), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(sub, "koji.ini"), []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
			repo, src, err := RepoFromKojiINI(filepath.Join(sub, "pkg"))
			if err != nil {
				t.Fatal(err)
			}
			if repo != filepath.Dir(path) {
				t.Errorf("repo %q, want the subtree name %q", repo, filepath.Dir(path))
			}
			res, err := c.Resolve(Request{DefaultRepo: repo, DefaultRepoSource: src})
			if err != nil {
				t.Fatal(err)
			}
			w, ok := want[repo]
			if !ok {
				t.Fatalf("no expectation for %s", repo)
			}
			if !reflect.DeepEqual(res.Dvers, w.dvers) {
				t.Errorf("dvers %v, want %v", res.Dvers, w.dvers)
			}
			if res.RepoSource != src {
				t.Errorf("source %q, want %q", res.RepoSource, src)
			}
			if w.el9 != "" {
				got, ok := res.For("el9")
				if !ok || got.Target != w.el9 || got.Tag != w.tag9 {
					t.Errorf("el9: %+v, want target %s tag %s", got, w.el9, w.tag9)
				}
			}
			if res.Targets[0].DistTag != w.distTag {
				t.Errorf("dist tag %q, want %q", res.Targets[0].DistTag, w.distTag)
			}
			if len(res.Targets) != len(res.Dvers) {
				t.Errorf("%d targets for %d dvers", len(res.Targets), len(res.Dvers))
			}
		})
	}
}

func TestEveryShippedRepoHasAnExpectation(t *testing.T) {
	c := Default()
	for _, r := range c.Repos() {
		name := r.Name
		if _, ok := want[name]; !ok {
			if _, ok := want["osg-"+name]; !ok && !strings.HasPrefix(name, "dist-el10") && name != "3.6-contrib" {
				t.Errorf("repo %s has no expectation in this test", name)
			}
		}
	}
}

func TestResolve(t *testing.T) {
	c := Default()
	type dt = DverTarget
	tests := []struct {
		name    string
		req     Request
		want    []DverTarget
		wantErr string
	}{
		{
			name: "repo gives every default dver",
			req:  Request{Repo: "25-main"},
			want: []dt{
				{"el8", "osg-25-main-el8", "osg-el8", ".osg25.el8"},
				{"el9", "osg-25-main-el9", "osg-el9", ".osg25.el9"},
				{"el10", "osg-25-main-el10", "osg-el10", ".osg25.el10"},
			},
		},
		{
			name: "alias osg-25",
			req:  Request{Repo: "osg-25", Dvers: []string{"el9"}},
			want: []dt{{"el9", "osg-25-main-el9", "osg-el9", ".osg25.el9"}},
		},
		{
			name: "explicit dvers narrow the repo",
			req:  Request{Repo: "24-upcoming", Dvers: []string{"el9"}},
			want: []dt{{"el9", "osg-24-upcoming-el9", "osg-el9", ".osg24up.el9"}},
		},
		{
			name: "dvers sorted by number, duplicates dropped",
			req:  Request{Repo: "25-internal", Dvers: []string{"el10", "el8", "el10"}},
			want: []dt{
				{"el8", "osg-25-internal-el8", "osg-el8", ".osg25int.el8"},
				{"el10", "osg-25-internal-el10", "osg-el10", ".osg25int.el10"},
			},
		},
		{
			name: "--repo wins over koji.ini",
			req:  Request{Repo: "chtc", DefaultRepo: "25-main"},
			want: []dt{{"el9", "chtc-el9", "chtc-el9", ".chtc.el9"}},
		},
		{
			name: "koji.ini repo",
			req:  Request{DefaultRepo: "devops", Dvers: []string{"el8"}},
			want: []dt{{"el8", "devops-el8", "osg-el8", ".osgdevops.el8"}},
		},
		{
			name: "hcc uses the general default dvers",
			req:  Request{Repo: "hcc"},
			want: []dt{{"el8", "hcc-el8", "hcc-el8", ".hcc.el8"}, {"el9", "hcc-el9", "hcc-el9", ".hcc.el9"}},
		},
		{
			name: "koji-target alone enables its dver and tags into the target's dest tag",
			req:  Request{KojiTargets: []string{"osg-25-main-el9"}},
			want: []dt{{"el9", "osg-25-main-el9", "TARGET", ""}},
		},
		{
			name: "koji-target overrides the repo for its dver only, and enables only it",
			req:  Request{Repo: "25-main", KojiTargets: []string{"my-scratch-el9"}},
			want: []dt{{"el9", "my-scratch-el9", "osg-el9", ".osg25.el9"}},
		},
		{
			name: "koji-target with explicit other dver from the repo",
			req:  Request{Repo: "25-main", Dvers: []string{"el8"}, KojiTargets: []string{"my-scratch-el9"}},
			want: []dt{
				{"el8", "osg-25-main-el8", "osg-el8", ".osg25.el8"},
				{"el9", "my-scratch-el9", "osg-el9", ".osg25.el9"},
			},
		},
		{
			name: "ktt sets target and tag",
			req:  Request{KTTs: []string{"osg-el9-internal", "hcc-el8"}},
			want: []dt{{"el8", "hcc-el8", "hcc-el8", ""}, {"el9", "osg-el9-internal", "osg-el9-internal", ""}},
		},
		{
			name: "koji-tag TARGET applies to every dver",
			req:  Request{Repo: "24-main", KojiTags: []string{"TARGET"}},
			want: []dt{{"el8", "osg-24-main-el8", "TARGET", ".osg24.el8"}, {"el9", "osg-24-main-el9", "TARGET", ".osg24.el9"}},
		},
		{
			name: "koji-tag and koji-target for the same dver agree",
			req:  Request{KojiTargets: []string{"osg-25-main-el10"}, KojiTags: []string{"osg-el10"}},
			want: []dt{{"el10", "osg-25-main-el10", "osg-el10", ""}},
		},
		{
			name: "the same value twice is fine",
			req:  Request{KojiTargets: []string{"osg-25-main-el9"}, KTTs: []string{"osg-25-main-el9"}},
			want: []dt{{"el9", "osg-25-main-el9", "osg-25-main-el9", ""}},
		},
		{
			name: "el1 is not el10",
			req:  Request{KojiTargets: []string{"osg-25-main-el10"}, Dvers: []string{"el10"}},
			want: []dt{{"el10", "osg-25-main-el10", "TARGET", ""}},
		},
		{
			name:    "unknown repo lists the valid ones",
			req:     Request{Repo: "25-mian"},
			wantErr: `--repo: "25-mian" is not a valid repo; valid repos are: 26-main, osg-26, 26-upcoming`,
		},
		{
			name:    "unknown koji.ini repo names the file",
			req:     Request{DefaultRepo: "27-main", DefaultRepoSource: "/x/27-main/koji.ini"},
			wantErr: `/x/27-main/koji.ini: repo: "27-main" is not a valid repo`,
		},
		{
			name:    "nothing at all",
			req:     Request{},
			wantErr: "no Koji target for el8: give --repo (see --repo-list) or --koji-target",
		},
		{
			name:    "a dver without a target",
			req:     Request{Dvers: []string{"el8"}, KojiTargets: []string{"osg-25-main-el9"}},
			wantErr: "no Koji target for el8",
		},
		{
			name:    "target without an EL version",
			req:     Request{KojiTargets: []string{"my-target"}},
			wantErr: `--koji-target "my-target": cannot tell the EL version`,
		},
		{
			name:    "rhel9 is not a word el9",
			req:     Request{KojiTags: []string{"rhel9-tag"}},
			wantErr: `--koji-tag "rhel9-tag": cannot tell the EL version`,
		},
		{
			name:    "unknown EL version in a target",
			req:     Request{KojiTargets: []string{"osg-el6"}},
			wantErr: `--koji-target "osg-el6": unknown EL version el6: known are el7, el8, el9, el10`,
		},
		{
			name:    "unknown EL version flag",
			req:     Request{Repo: "25-main", Dvers: []string{"el11"}},
			wantErr: `unknown EL version "el11"`,
		},
		{
			name:    "two targets for one dver",
			req:     Request{KojiTargets: []string{"osg-25-main-el9", "osg-24-main-el9"}},
			wantErr: "conflicting Koji targets for el9: --koji-target osg-25-main-el9 and --koji-target osg-24-main-el9",
		},
		{
			name:    "target and ktt disagree",
			req:     Request{KojiTargets: []string{"osg-25-main-el9"}, KTTs: []string{"osg-25-upcoming-el9"}},
			wantErr: "conflicting Koji targets for el9: --koji-target osg-25-main-el9 and --ktt osg-25-upcoming-el9",
		},
		{
			name:    "tag and ktt disagree",
			req:     Request{KTTs: []string{"osg-25-upcoming-el9"}, KojiTags: []string{"osg-el9"}},
			wantErr: "conflicting Koji tags for el9: --ktt osg-25-upcoming-el9 and --koji-tag osg-el9",
		},
		{
			name:    "tag TARGET and an explicit tag",
			req:     Request{Repo: "25-main", KojiTags: []string{"osg-el9", "TARGET"}},
			wantErr: "conflicting Koji tags for el9: --koji-tag osg-el9 and --koji-tag TARGET",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := c.Resolve(tt.req)
			if tt.wantErr != "" {
				if err == nil {
					t.Fatalf("no error; got %+v", res.Targets)
				}
				var re *ResolveError
				if !errors.As(err, &re) {
					t.Errorf("error %T is not a *ResolveError", err)
				}
				if !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("error %q\nwant it to contain %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(res.Targets, tt.want) {
				t.Errorf("got  %+v\nwant %+v", res.Targets, tt.want)
			}
			var dvers []string
			for _, d := range tt.want {
				dvers = append(dvers, d.Dver)
			}
			if !reflect.DeepEqual(res.Dvers, dvers) {
				t.Errorf("dvers %v, want %v", res.Dvers, dvers)
			}
		})
	}
}

func TestParseDver(t *testing.T) {
	for in, want := range map[string]string{
		"osg-25-main-el9":  "el9",
		"osg-el10":         "el10",
		"osg-el9-internal": "el9",
		"el8":              "el8",
		"rhel9":            "",
		"el9x":             "",
		"osg-3.6-el7":      "el7",
		"buildsys.el9":     "el9",
		"":                 "",
		"TARGET":           "",
	} {
		if got := ParseDver(in); got != want {
			t.Errorf("ParseDver(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestRepoList(t *testing.T) {
	c := Default()
	list := c.RepoList()
	if !strings.HasPrefix(list, "Valid repos are:\n\t26-main\n\tosg-26 (same as 26-main)\n\t26-upcoming\n") {
		t.Errorf("list starts\n%s", list[:80])
	}
	for _, r := range []string{"25-main", "25-contrib", "25-empty", "3.6-upcoming", "devops", "hcc", "chtc", "dist-el9-build", "osg-3.6 (same as 3.6)"} {
		if !strings.Contains(list, "\n\t"+r+"\n") {
			t.Errorf("list lacks %q", r)
		}
	}
	lines := strings.Split(strings.TrimRight(list, "\n"), "\n")
	for _, l := range lines[1:] {
		if !strings.HasPrefix(l, "\t") {
			t.Errorf("line %q is not tab-indented", l)
		}
	}
}

func TestDistTag(t *testing.T) {
	c := Default()
	for _, tt := range []struct{ repo, dver, want, err string }{
		{"25-main", "el9", ".osg25.el9", ""},
		{"25-upcoming", "el10", ".osg25up.el10", ""},
		{"25-internal", "el8", ".osg25int.el8", ""},
		{"25-contrib", "el9", ".osg25.el9", ""},
		{"25-empty", "el9", ".osg25.el9", ""},
		{"osg-3.6", "el7", ".osg36.el7", ""},
		{"devops", "el9", ".osgdevops.el9", ""},
		{"dist-el9-build", "el9", "", "repo dist-el9-build has no dist tag"},
		{"nope", "el9", "", `"nope" is not a valid repo`},
	} {
		got, err := c.DistTag(tt.repo, tt.dver)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("DistTag(%s, %s) error %v, want %q", tt.repo, tt.dver, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("DistTag(%s, %s) = %q, %v; want %q", tt.repo, tt.dver, got, err, tt.want)
		}
	}
}

func TestUserFileOverridesAndAdds(t *testing.T) {
	home := t.TempDir()
	xdg := filepath.Join(home, "xdg")
	env := map[string]string{"HOME": home, "XDG_CONFIG_HOME": xdg}
	getenv := func(k string) string { return env[k] }
	if got := UserFile(getenv); got != filepath.Join(xdg, "osg-build", "targets.ini") {
		t.Errorf("user file %s", got)
	}
	env["XDG_CONFIG_HOME"] = ""
	if got := UserFile(getenv); got != filepath.Join(home, ".config", "osg-build", "targets.ini") {
		t.Errorf("user file without XDG %s", got)
	}

	// No file: the shipped data.
	c, err := Load(getenv)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Repo("27-main"); err == nil {
		t.Fatal("27-main exists before the user adds it")
	}

	path := UserFile(getenv)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	user := `
[defaults]
dvers = el7 el8 el9 el10 el11

[27-main]
target = osg-27-main-%(dver)s
tag = osg-%(dver)s
dvers = el10 el11
repotag = osg27
aliases = osg-27

[hcc]
dvers = el9
`
	if err := os.WriteFile(path, []byte(user), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err = Load(getenv)
	if err != nil {
		t.Fatal(err)
	}
	res, err := c.Resolve(Request{Repo: "osg-27"})
	if err != nil {
		t.Fatal(err)
	}
	want := []DverTarget{{"el10", "osg-27-main-el10", "osg-el10", ".osg27.el10"}, {"el11", "osg-27-main-el11", "osg-el11", ".osg27.el11"}}
	if !reflect.DeepEqual(res.Targets, want) {
		t.Errorf("got %+v", res.Targets)
	}
	res, err = c.Resolve(Request{Repo: "hcc"})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(res.Dvers, []string{"el9"}) {
		t.Errorf("hcc dvers %v after the override", res.Dvers)
	}
	if r, _ := c.Repo("hcc"); r.Target != "hcc-%(dver)s" || r.Source != path {
		t.Errorf("hcc kept target %q, source %q", r.Target, r.Source)
	}
	if !strings.HasSuffix(c.RepoList(), "\t27-main\n\tosg-27 (same as 27-main)\n") {
		t.Errorf("user repo not at the end of the list:\n%s", c.RepoList())
	}
}

func TestMergeErrors(t *testing.T) {
	for _, tt := range []struct{ name, data, err string }{
		{"bad syntax", "[x\n", "parse user.ini"},
		{"unknown key", "[25-main]\ntargt = x\n", `[25-main]: unknown key "targt"`},
		{"new repo without target", "[new]\ntag = osg-%(dver)s\n", "[new]: target is missing"},
		{"new repo without tag", "[new]\ntarget = new-%(dver)s\n", "[new]: tag is missing"},
		{"unknown dver", "[new]\ntarget = n-%(dver)s\ntag = t\ndvers = el12\n", "el12 is not a known EL version"},
		{"bad dver", "[defaults]\ndvers = 9\n", `"9" is not an EL version`},
		{"alias clash", "[new]\ntarget = n\ntag = t\naliases = 25-main\n", `"25-main" is already the name of repo 25-main`},
		{"section is an alias", "[osg-25]\ntarget = x\n", "this is an alias of repo 25-main"},
		{"keys before a section", "target = x\n", "keys before the first [section]"},
		{"default dvers unknown", "[defaults]\ndefault_dvers = el11\n", "el11 is not in dvers"},
		{"repo name with a space", "[a b]\ntarget = x\ntag = y\n", "a repo name has no spaces"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := Default()
			err := c.Merge([]byte(tt.data), "user.ini")
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("error %v, want %q", err, tt.err)
			}
		})
	}
}

func TestKojiINI(t *testing.T) {
	for _, tt := range []struct{ name, data, repo, err string }{
		{"osg form", "[koji]\nrepo =  25-main\n", "25-main", ""},
		{"colon", "[koji]\nrepo: 24-main\n", "24-main", ""},
		{"other keys", "[koji]\nfoo = bar\nrepo = devops\n", "devops", ""},
		{"no section", "repo = 25-main\n", "", "no [koji] section"},
		{"no repo", "[koji]\n", "", "[koji] has no repo value"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			repo, err := ParseKojiINI([]byte(tt.data))
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Errorf("error %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil || repo != tt.repo {
				t.Errorf("got %q, %v", repo, err)
			}
		})
	}

	// No koji.ini in the parent: no repo, no error.
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "pkg"), 0o755); err != nil {
		t.Fatal(err)
	}
	repo, path, err := RepoFromKojiINI(filepath.Join(dir, "pkg"))
	if repo != "" || path != "" || err != nil {
		t.Errorf("without koji.ini: %q %q %v", repo, path, err)
	}
	// A broken one names the file.
	if err := os.WriteFile(filepath.Join(dir, "koji.ini"), []byte("[koji]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, _, err = RepoFromKojiINI(filepath.Join(dir, "pkg"))
	if err == nil || !strings.Contains(err.Error(), filepath.Join(dir, "koji.ini")) {
		t.Errorf("broken koji.ini: %v", err)
	}
}

func FuzzParseKojiINI(f *testing.F) {
	f.Add([]byte("[koji]\nrepo =  25-main\n"))
	f.Add([]byte("[koji]\nrepo\n"))
	f.Add([]byte("[koji"))
	f.Add([]byte(""))
	f.Fuzz(func(t *testing.T, data []byte) {
		repo, err := ParseKojiINI(data)
		if err == nil && repo == "" {
			t.Errorf("no error and no repo for %q", data)
		}
	})
}

func FuzzMerge(f *testing.F) {
	f.Add([]byte("[27-main]\ntarget = osg-27-main-%(dver)s\ntag = osg-%(dver)s\n"))
	f.Add([]byte("[defaults]\ndvers = el8\n"))
	f.Add([]byte("[x]\naliases = a b c\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c := Default()
		if err := c.Merge(data, "fuzz"); err != nil {
			return
		}
		// A merged config always resolves its repos.
		for _, r := range c.Repos() {
			if _, err := c.Resolve(Request{Repo: r.Name}); err != nil {
				var re *ResolveError
				if !errors.As(err, &re) {
					t.Errorf("resolve %s: %v", r.Name, err)
				}
			}
		}
	})
}

func TestRepoListGolden(t *testing.T) {
	testutil.GoldenEqual(t, []byte(Default().RepoList()))
}

func TestDverForRelease(t *testing.T) {
	c := Default()
	for in, want := range map[string]string{"9": "el9", "10": "el10", "el8": "el8", " 7 ": "el7", "EL9": "el9"} {
		if got, err := c.DverForRelease(in); err != nil || got != want {
			t.Errorf("DverForRelease(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"6", "11", "", "nine"} {
		if _, err := c.DverForRelease(in); err == nil || !strings.Contains(err.Error(), "use one of 7, 8, 9, 10") {
			t.Errorf("DverForRelease(%q) error %v", in, err)
		}
	}
}

func TestResolveFor(t *testing.T) {
	c := Default()
	dir := t.TempDir()
	pkg := filepath.Join(dir, "24-upcoming", "xrootd")
	if err := os.MkdirAll(pkg, 0o755); err != nil {
		t.Fatal(err)
	}
	ini := filepath.Join(dir, "24-upcoming", "koji.ini")
	if err := os.WriteFile(ini, []byte("[koji]\nrepo =  24-upcoming\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	res, err := c.ResolveFor(Request{Dvers: []string{"el9"}}, pkg)
	if err != nil {
		t.Fatal(err)
	}
	if res.Repo != "24-upcoming" || res.RepoSource != ini || res.Targets[0].Target != "osg-24-upcoming-el9" {
		t.Errorf("from koji.ini: %+v", res)
	}
	// --repo wins, and then koji.ini is not even read.
	if err := os.WriteFile(ini, []byte("broken"), 0o644); err != nil {
		t.Fatal(err)
	}
	res, err = c.ResolveFor(Request{Repo: "25-main", Dvers: []string{"el9"}}, pkg)
	if err != nil || res.Repo != "25-main" || res.RepoSource != "--repo" {
		t.Errorf("--repo: %+v %v", res, err)
	}
	if _, err := c.ResolveFor(Request{}, pkg); err == nil || !strings.Contains(err.Error(), ini) || !strings.Contains(err.Error(), "give --repo") {
		t.Errorf("broken koji.ini: %v", err)
	}
	// URLs have no koji.ini to read.
	if _, err := c.ResolveFor(Request{}, "git+https://github.com/osg-htc/software-packaging.git?25-main/x#1"); err == nil || !strings.Contains(err.Error(), "no Koji target for el8") {
		t.Errorf("URL: %v", err)
	}
}
