package promote

import "testing"

func TestSplitDist(t *testing.T) {
	rt := []string{"osg25up", "osg25", "osg24"}
	for _, tt := range []struct{ in, noDist, repotag, dver string }{
		{"foo-1.0-1.osg25.el9", "foo-1.0-1", "osg25", "el9"},
		{"foo-1.0-1.osg25up.el10", "foo-1.0-1", "osg25up", "el10"},
		{"foo-1.0-1.el9", "foo-1.0-1", "", "el9"},
		{"foo-1.0-1.osg24", "foo-1.0-1", "osg24", ""},
		{"foo-1.0-1.11", "foo-1.0-1.11", "", ""},              // SOFTWARE-1420: 1.11 is no repotag
		{"foo-1.0-0.1.rc1", "foo-1.0-0.1.rc1", "", ""},        // nor rc1
		{"foo-1.0-1.osg36.el9", "foo-1.0-1.osg36", "", "el9"}, // not a route's repotag
		{"foo", "foo", "", ""},
		{"osg-ce", "osg-ce", "", ""},
	} {
		n, r, d := SplitDist(tt.in, rt)
		if n != tt.noDist || r != tt.repotag || d != tt.dver {
			t.Errorf("SplitDist(%q) = %q %q %q, want %q %q %q", tt.in, n, r, d, tt.noDist, tt.repotag, tt.dver)
		}
	}
	// without a list, osg-promote's [a-z]\w+
	if n, r, _ := SplitDist("foo-1-1.osg36", nil); n != "foo-1-1" || r != "osg36" {
		t.Errorf("SplitDist without repotags = %q %q", n, r)
	}
}

func TestSplitNVR(t *testing.T) {
	for _, tt := range []struct {
		in      string
		n, v, r string
		ok      bool
	}{
		{"foo-1.0-1", "foo", "1.0", "1", true},
		{"osg-ce-25-1.osg25.el9", "osg-ce", "25", "1.osg25.el9", true},
		{"osg-ce", "", "", "", false},
		{"foo--1", "", "", "", false},
		{"-1-1", "", "", "", false},
		{"foo-1-", "", "", "", false},
	} {
		n, v, r, ok := SplitNVR(tt.in)
		if n != tt.n || v != tt.v || r != tt.r || ok != tt.ok {
			t.Errorf("SplitNVR(%q) = %q %q %q %v", tt.in, n, v, r, ok)
		}
	}
}

func FuzzSplitDist(f *testing.F) {
	for _, s := range []string{"foo-1.0-1.osg25.el9", "a.el9", "x.osg25", "...", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, r, d := SplitDist(s, []string{"osg25"})
		if r == "" && d == "" {
			if n != s {
				t.Fatalf("no dist but %q != %q", n, s)
			}
			return
		}
		rebuilt := n
		for _, p := range []string{r, d} {
			if p != "" {
				rebuilt += "." + p
			}
		}
		if rebuilt != s {
			t.Fatalf("SplitDist(%q) = %q %q %q does not rebuild it", s, n, r, d)
		}
	})
}
