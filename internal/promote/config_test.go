package promote

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestDefaultRoutes(t *testing.T) {
	c := Default()
	if n := len(c.Routes); n != 26 {
		t.Errorf("%d built-in routes, want 26", n)
	}
	for _, name := range []string{"3.6-testing", "3.6-contrib", "3.6-upcoming-prerelease", "23-internal", "24-upcoming", "25-main",
		"25-main-prerelease", "25-contrib", "25-empty", "devops-production", "chtc-testing", "chtc-release", "hcc"} {
		if c.Routes[name] == nil {
			t.Errorf("no built-in route %s", name)
		}
	}
	r := c.Routes["25-main"]
	if r.FromTag("el9") != "osg-25-main-el9-development" || r.ToTag("el10") != "osg-25-main-el10-testing" || r.Repotag != "osg25" ||
		!slices.Equal(r.Dvers, []string{"el8", "el9", "el10"}) || !slices.Equal(r.RequiredKeys, []string{"OSG-25-developer"}) {
		t.Errorf("25-main = %+v", r)
	}
	if h := c.Routes["hcc"]; !slices.Equal(h.Dvers, []string{"el7"}) || !slices.Equal(h.ExtraDvers, []string{"el8", "el9"}) {
		t.Errorf("hcc = %+v", h)
	}
	for alias, want := range map[string]string{"25-testing": "25-main", "24-prerelease": "24-main-prerelease", "3.6-up-rfr": "3.6-upcoming-prerelease", "3.6-rfr": "3.6-prerelease"} {
		if got := c.Aliases[alias]; !slices.Equal(got, []string{want}) {
			t.Errorf("alias %s = %v, want %s", alias, got, want)
		}
	}
	if got := c.AllDvers(); !slices.Equal(got, []string{"el7", "el8", "el9", "el10"}) {
		t.Errorf("AllDvers = %v", got)
	}
	// osg-promote's help layout
	want := " - 25-main                  : osg-25-main-*-development       -> osg-25-main-*-testing           (el8, el9, el10)\n"
	if !strings.Contains(c.FormatRoutes(), want) {
		t.Errorf("FormatRoutes lacks %q:\n%s", want, c.FormatRoutes())
	}
	if !strings.Contains(c.FormatRoutes(), "(el9, [el8, el10])") {
		t.Errorf("FormatRoutes lacks the extra dvers of chtc")
	}
	if !strings.Contains(c.FormatAliases(), " - 25-testing               : 25-main\n") {
		t.Errorf("FormatAliases:\n%s", c.FormatAliases())
	}
}

func TestSelect(t *testing.T) {
	c := Default()
	for _, tt := range []struct {
		args []string
		want string
		err  string
	}{
		{[]string{"25-testing"}, "25-main", ""},
		{[]string{"25-main,24-main"}, "24-main 25-main", ""},
		{[]string{"25-main", "25-testing"}, "25-main", ""},
		{[]string{"25-c"}, "25-contrib", ""},
		{[]string{"devops"}, "devops-production", ""},
		{[]string{"3.6-up-rfr"}, "3.6-upcoming-prerelease", ""},
		{[]string{"25"}, "", `ambiguous route "25": matching routes are 25-contrib, 25-empty,`},
		{[]string{"chtc"}, "", "chtc-release, chtc-testing"},
		{[]string{"testing"}, "", `invalid route "testing"`},
		{nil, "", "you must specify a promotion route"},
	} {
		got, err := c.Select(tt.args)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("Select(%v) err = %v, want %q", tt.args, err, tt.err)
			}
			continue
		}
		if err != nil || strings.Join(got, " ") != tt.want {
			t.Errorf("Select(%v) = %v, %v; want %s", tt.args, got, err, tt.want)
		}
	}
}

func TestChoose(t *testing.T) {
	c := Default()
	check := func(routes []string, f DverFlags, want, wantErr string) {
		t.Helper()
		got, err := c.Choose(routes, f)
		if wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), wantErr) {
				t.Errorf("Choose(%v, %+v) err = %v, want %q", routes, f, err, wantErr)
			}
			return
		}
		var parts []string
		for _, rd := range got {
			parts = append(parts, rd.Route.Name+":"+strings.Join(rd.Dvers, ","))
		}
		if err != nil || strings.Join(parts, " ") != want {
			t.Errorf("Choose(%v, %+v) = %v, %v; want %s", routes, f, parts, err, want)
		}
	}
	check([]string{"25-main"}, DverFlags{}, "25-main:el8,el9,el10", "")
	check([]string{"25-main", "24-main"}, DverFlags{Only: "el9"}, "25-main:el9 24-main:el9", "")
	check([]string{"25-main"}, DverFlags{No: []string{"el8"}}, "25-main:el9,el10", "")
	check([]string{"chtc-testing"}, DverFlags{Extra: []string{"el10", "el8"}}, "chtc-testing:el8,el9,el10", "")
	check([]string{"chtc-testing"}, DverFlags{Extra: []string{"el7"}}, "chtc-testing:el9", "")
	check([]string{"24-main"}, DverFlags{Only: "el10"}, "", "the dver el10 is not available for route 24-main.\nThe default dver(s) for 24-main are: el8, el9")
	check([]string{"chtc-release"}, DverFlags{No: []string{"el9"}}, "", "all dvers for route chtc-release have been disabled.\nThe default dver(s) for chtc-release are: el9\nThe route optionally supports these dver(s): el8, el10")
}

func TestMergeOverridesAndAdds(t *testing.T) {
	dir := t.TempDir()
	user := filepath.Join(dir, "osg-build", UserFileName)
	if err := os.MkdirAll(filepath.Dir(user), 0o755); err != nil {
		t.Fatal(err)
	}
	// a new series, and a change of one key of a built-in route
	if err := os.WriteFile(user, []byte(`
[route 26-main]
from = osg-26-main-%s-development
to = osg-26-main-%s-testing
repotag = osg26
dvers = el9, el10 el11

[route 25-main]
required_keys =

[aliases]
26-testing = 26-main
both = 25-main 26-main
`), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := Load(LoadOptions{Getenv: func(k string) string {
		if k == "XDG_CONFIG_HOME" {
			return dir
		}
		return ""
	}})
	if err != nil {
		t.Fatal(err)
	}
	if r := c.Routes["26-main"]; r == nil || !slices.Equal(r.Dvers, []string{"el9", "el10", "el11"}) || r.Source != user {
		t.Errorf("26-main = %+v", r)
	}
	if r := c.Routes["25-main"]; len(r.RequiredKeys) != 0 || r.From != "osg-25-main-%s-development" {
		t.Errorf("25-main after the override = %+v", r)
	}
	if got, _ := c.Select([]string{"both"}); strings.Join(got, " ") != "25-main 26-main" {
		t.Errorf("alias both = %v", got)
	}
	if !slices.Contains(c.AllDvers(), "el11") {
		t.Errorf("AllDvers = %v", c.AllDvers())
	}
}

func TestMergeErrors(t *testing.T) {
	for _, tt := range []struct{ ini, want string }{
		{"[route x]\nfrom = a-%s\nto = b\nrepotag = r\ndvers = el9\n", "f.ini: [route x] to: \"b\" must hold %s once"},
		{"[route x]\nfrom = a-%s\nto = b-%s\ndvers = el9\n", "f.ini: [route x]: repotag is missing or empty"},
		{"[route x]\nfrom = a-%s\nto = b-%s\nrepotag = r\n", "f.ini: [route x]: dvers is missing or empty"},
		{"[route x]\nfrom = a-%s\nto = b-%s\nrepotag = r\ndvers = el9 9\n", `f.ini: [route x] dvers: "9" is not an EL version`},
		{"[route x]\nfrom = a-%s\nto = b-%s\nrepotag = r\ndvers = el9\ncolour = blue\n", `f.ini: [route x]: unknown key "colour"`},
		{"[route 25-main]\nrepotag = osg 25\n", `f.ini: [route 25-main] repotag: "osg 25"`},
		{"[aliases]\nt = nope\n", "f.ini: [aliases] t: route nope is not defined"},
		{"[aliases]\n25-main = 24-main\n", "f.ini: [aliases] 25-main: a route has that name"},
		{"[key K]\nkeyid = 12345678\n", "f.ini: [key K]: signing keys belong in signing_keys.ini"},
		{"[routes]\n", "f.ini: [routes]: unknown section"},
		{"from = x\n", `f.ini: key "from" before the first section`},
		{"[route x\n", "f.ini: "},
	} {
		c := Default()
		before := len(c.Routes)
		err := c.Merge("f.ini", []byte(tt.ini))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Merge(%q) = %v, want %q", tt.ini, err, tt.want)
		}
		if len(c.Routes) != before || c.Routes["25-main"].Repotag != "osg25" {
			t.Errorf("a failed Merge changed the config")
		}
	}
}

func FuzzMerge(f *testing.F) {
	f.Add(string(shippedINI))
	f.Add("[route x]\nfrom = a-%s\nto = b-%s\nrepotag = r\ndvers = el9\n[aliases]\ny = x\n")
	f.Fuzz(func(t *testing.T, data string) {
		c := Default()
		if err := c.Merge("fuzz.ini", []byte(data)); err != nil {
			return
		}
		for _, r := range c.Routes {
			if r.From == "" || r.To == "" || r.Repotag == "" || len(r.Dvers) == 0 {
				t.Fatalf("accepted an incomplete route %+v", r)
			}
		}
		for a, rs := range c.Aliases {
			for _, r := range rs {
				if c.Routes[r] == nil {
					t.Fatalf("alias %s to unknown route %s", a, r)
				}
			}
		}
	})
}

func TestHubINI(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, HubFileName), HubINI("25", []string{"el8", "el9", "el10"}), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := Load(LoadOptions{HubDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"25-main", "25-main-prerelease"} {
		r := c.Routes[name]
		if len(r.RequiredKeys) != 0 || !slices.Equal(r.Dvers, []string{"el8", "el9", "el10"}) || r.Source != filepath.Join(dir, HubFileName) {
			t.Errorf("%s = %+v", name, r)
		}
	}
	if r := c.Routes["25-main-prerelease"]; r.FromTag("el9") != "osg-25-main-el9-testing" || r.ToTag("el9") != "osg-25-main-el9-prerelease" {
		t.Errorf("prerelease route %+v", r)
	}
	if got, _ := c.Select([]string{"25-testing"}); !slices.Equal(got, []string{"25-main"}) {
		t.Errorf("25-testing = %v", got)
	}
	// 24 has its own dvers
	c = Default()
	if err := c.Merge("h", HubINI("24", []string{"el8", "el9"})); err != nil || !slices.Equal(c.Routes["24-main"].Dvers, []string{"el8", "el9"}) {
		t.Errorf("24: %v %+v", err, c.Routes["24-main"])
	}
}
