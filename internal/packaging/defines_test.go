package packaging

import (
	"fmt"
	"strings"
	"testing"

	"github.com/osg-htc/osg-build-go/internal/testutil"
)

// TestRpmbuildDefines keeps the defines of every dver and mode in a golden
// file (testdata/TestRpmbuildDefines.golden).
func TestRpmbuildDefines(t *testing.T) {
	var b strings.Builder
	for _, dver := range KnownDvers {
		for _, mode := range []struct {
			name string
			m    Mode
			top  string
		}{{"prebuild", ModePrebuild, "/pkg/_final_srpm_contents"}, {"build", ModeBuild, "/pkg/_build_results"}} {
			defs, err := RpmbuildDefines(dver, "", mode.m, mode.top)
			if err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(&b, "== %s %s\n", dver, mode.name)
			for _, d := range defs {
				fmt.Fprintf(&b, "%s %s\n", d.Name, d.Value)
			}
		}
	}
	defs, err := RpmbuildDefines("el9", "osg25.el9", ModePrebuild, "/pkg/_final_srpm_contents")
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(&b, "== el9 prebuild --distro-tag osg25.el9\n")
	for _, d := range defs[:4] {
		fmt.Fprintf(&b, "%s %s\n", d.Name, d.Value)
	}
	testutil.GoldenEqual(t, []byte(b.String()))
}

func TestRpmbuildDefinesChecks(t *testing.T) {
	el8, err := RpmbuildDefines("el8", "", ModeBuild, "/r")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"rhel": "8", "el8": "1", "el7": "0", "el9": "0", "el10": "0", "dist": ".osg.el8", "osg": "1"}
	got := map[string]string{}
	for _, d := range el8 {
		got[d.Name] = d.Value
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("el8 %%%s = %q, want %q", k, got[k], v)
		}
	}
	if _, ok := got["_binary_payload"]; ok {
		t.Errorf("el8 has _binary_payload; only el7 should")
	}
	if _, err := RpmbuildDefines("el9", "osg.el8", ModeBuild, "/r"); err == nil {
		t.Errorf("distro tag osg.el8 for el9: no error")
	}
	if _, err := RpmbuildDefines("fc40", "", ModeBuild, "/r"); err == nil {
		t.Errorf("dver fc40: no error")
	}
	args := DefineArgs([]Define{{"a", "1"}, {"_topdir", "/x y"}})
	if strings.Join(args, "|") != "--define|a 1|--define|_topdir /x y" {
		t.Errorf("DefineArgs = %q", args)
	}
}
