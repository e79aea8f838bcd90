package kojibuild

import (
	"strings"
	"testing"
)

// FuzzParseSpecDeps: any spec text parses without panicking; a spec with a
// Name provides it first, and no dependency name is empty.
func FuzzParseSpecDeps(f *testing.F) {
	for _, s := range []string{specLibfoo, specApp, specTool, "%global n x\nName: %{n}\n%package -n %{n}-y\n",
		"Name: a\nBuildRequires: b >= , c\n", "%define a %{a}\nName: %{a}\n", "Name:\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, spec string) {
		d, err := ParseSpecDeps("k", []byte(spec))
		if err != nil {
			return
		}
		if d.Name == "" || len(d.Provides) == 0 || d.Provides[0] != d.Name {
			t.Fatalf("deps = %+v", d)
		}
		for _, b := range d.BuildRequires {
			if strings.TrimSpace(b) == "" {
				t.Fatalf("empty BuildRequires in %+v", d)
			}
		}
	})
}

// FuzzDiagnose: any log text gives a diagnosis with a summary.
func FuzzDiagnose(f *testing.F) {
	for _, s := range []string{rootLogMissing, rootLogStale, buildLogCompile, "package x not in list for tag y", ""} {
		f.Add("BuildError: x", s)
	}
	f.Fuzz(func(t *testing.T, fault, log string) {
		d := Diagnose(fault, []Log{{Task: 1, Name: "root.log", Text: log}}, "dir", "tag-build")
		if d == nil || d.Summary == "" || d.Kind == "" {
			t.Fatalf("diagnosis = %+v", d)
		}
		if len(d.Excerpt) > excerptLines {
			t.Fatalf("excerpt of %d lines", len(d.Excerpt))
		}
	})
}
