package rpm

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/osg-htc/osg-build-go/internal/testutil"
)

// vercmpCases are rpm's own test cases (rpmvercmp.at), and a few more.
var vercmpCases = []struct {
	a, b string
	want int
}{
	{"1.0", "1.0", 0}, {"1.0", "2.0", -1}, {"2.0", "1.0", 1},
	{"2.0.1", "2.0.1", 0}, {"2.0", "2.0.1", -1}, {"2.0.1", "2.0", 1},
	{"2.0.1a", "2.0.1a", 0}, {"2.0.1a", "2.0.1", 1}, {"2.0.1", "2.0.1a", -1},
	{"5.5p1", "5.5p1", 0}, {"5.5p1", "5.5p2", -1}, {"5.5p2", "5.5p1", 1},
	{"5.5p10", "5.5p10", 0}, {"5.5p1", "5.5p10", -1}, {"5.5p10", "5.5p1", 1},
	{"10xyz", "10.1xyz", -1}, {"10.1xyz", "10xyz", 1},
	{"xyz10", "xyz10", 0}, {"xyz10", "xyz10.1", -1}, {"xyz10.1", "xyz10", 1},
	{"xyz.4", "xyz.4", 0}, {"xyz.4", "8", -1}, {"8", "xyz.4", 1},
	{"xyz.4", "2", -1}, {"2", "xyz.4", 1},
	{"5.5p2", "5.6p1", -1}, {"5.6p1", "5.5p2", 1},
	{"5.6p1", "6.5p1", -1}, {"6.5p1", "5.6p1", 1},
	{"6.0.rc1", "6.0", 1}, {"6.0", "6.0.rc1", -1},
	{"10b2", "10a1", 1}, {"10a2", "10b2", -1},
	{"1.0aa", "1.0aa", 0}, {"1.0a", "1.0aa", -1}, {"1.0aa", "1.0a", 1},
	{"10.0001", "10.0001", 0}, {"10.0001", "10.1", 0}, {"10.1", "10.0001", 0},
	{"10.0001", "10.0039", -1}, {"10.0039", "10.0001", 1},
	{"4.999.9", "5.0", -1}, {"5.0", "4.999.9", 1},
	{"20101121", "20101121", 0}, {"20101121", "20101122", -1}, {"20101122", "20101121", 1},
	{"2_0", "2_0", 0}, {"2.0", "2_0", 0}, {"2_0", "2.0", 0},
	{"a", "a", 0}, {"a+", "a+", 0}, {"a+", "a_", 0}, {"a_", "a+", 0},
	{"+a", "+a", 0}, {"+a", "_a", 0}, {"_a", "+a", 0},
	{"+_", "+_", 0}, {"_+", "+_", 0}, {"_+", "_+", 0}, {"+", "_", 0}, {"_", "+", 0},
	{"1.0~rc1", "1.0~rc1", 0}, {"1.0~rc1", "1.0", -1}, {"1.0", "1.0~rc1", 1},
	{"1.0~rc1", "1.0~rc2", -1}, {"1.0~rc2", "1.0~rc1", 1},
	{"1.0~rc1~git123", "1.0~rc1~git123", 0}, {"1.0~rc1~git123", "1.0~rc1", -1}, {"1.0~rc1", "1.0~rc1~git123", 1},
	{"1.0^", "1.0^", 0}, {"1.0^", "1.0", 1}, {"1.0", "1.0^", -1},
	{"1.0^git1", "1.0^git1", 0}, {"1.0^git1", "1.0", 1}, {"1.0", "1.0^git1", -1},
	{"1.0^git1", "1.0^git2", -1}, {"1.0^git2", "1.0^git1", 1},
	{"1.0^git1", "1.01", -1}, {"1.01", "1.0^git1", 1},
	{"1.0^20160101", "1.0^20160101", 0}, {"1.0^20160101", "1.0.1", -1}, {"1.0.1", "1.0^20160101", 1},
	{"1.0^20160101^git1", "1.0^20160101^git1", 0}, {"1.0^20160102", "1.0^20160101^git1", 1},
	{"1.0^20160101^git1", "1.0^20160102", -1},
	{"1.0~rc1^git1", "1.0~rc1^git1", 0}, {"1.0~rc1^git1", "1.0~rc1", 1}, {"1.0~rc1", "1.0~rc1^git1", -1},
	{"1.0^git1~pre", "1.0^git1~pre", 0}, {"1.0^git1", "1.0^git1~pre", 1}, {"1.0^git1~pre", "1.0^git1", -1},
	// Beyond rpm's list: OSG-style releases and odd inputs.
	{"1.osg25.el9", "1.osg24.el9", 1}, {"2.osg.el9", "10.osg.el9", -1},
	{"", "", 0}, {"", "1", -1}, {"1", "", 1}, {"~", "", -1}, {"^", "", 1},
	{"1.0", "1.0.", 0}, {"é1", "1", 0}, {"00", "0", 0}, {"a", "1", -1}, {"1", "a", 1},
}

func TestVercmp(t *testing.T) {
	for _, c := range vercmpCases {
		if got := Vercmp(c.a, c.b); got != c.want {
			t.Errorf("Vercmp(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
}

// TestVercmpSameAsRPM asks rpm itself (its Lua rpm.vercmp) about every
// case, and more pairs made from their parts.
func TestVercmpSameAsRPM(t *testing.T) {
	testutil.RequireTool(t, "rpm")
	var pairs [][2]string
	seen := map[string]bool{}
	for _, c := range vercmpCases {
		for _, s := range []string{c.a, c.b} {
			seen[s] = true
		}
		pairs = append(pairs, [2]string{c.a, c.b})
	}
	var vs []string
	for s := range seen {
		vs = append(vs, s)
	}
	for _, a := range vs {
		for _, b := range vs {
			pairs = append(pairs, [2]string{a, b})
		}
	}
	var lua strings.Builder
	lua.WriteString("local function cmp(a, b) local ok, r = pcall(rpm.vercmp, a, b) if ok then print(r) else print('x') end print(' ') end\n")
	for _, p := range pairs {
		fmt.Fprintf(&lua, "cmp(%q, %q)\n", p[0], p[1])
	}
	script := filepath.Join(t.TempDir(), "vercmp.lua")
	if err := os.WriteFile(script, []byte(lua.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("rpm", "--eval", fmt.Sprintf("%%{lua: dofile(%q)}", script)).CombinedOutput()
	if err != nil {
		t.Fatalf("rpm --eval: %v\n%s", err, out)
	}
	got := strings.Fields(string(out))
	if len(got) != len(pairs) {
		t.Fatalf("rpm printed %d answers for %d pairs:\n%s", len(got), len(pairs), out)
	}
	compared := 0
	for i, p := range pairs {
		if got[i] == "x" {
			continue // rpm.vercmp refuses it as a version (empty ones)
		}
		compared++
		if want := fmt.Sprint(Vercmp(p[0], p[1])); got[i] != want {
			t.Errorf("Vercmp(%q, %q) = %s, rpm says %s", p[0], p[1], want, got[i])
		}
	}
	if compared < len(pairs)*9/10 {
		t.Fatalf("rpm compared only %d of %d pairs", compared, len(pairs))
	}
	t.Logf("%d pairs compared with rpm", compared)
}

func TestCompareEVR(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want int
	}{
		{"1.0-1", "1.0-1", 0},
		{"1:1.0-1", "2.0-1", 1},
		{"0:1.0-1", "1.0-1", 0},
		{"1.0", "1.0-5", 0}, // no release on one side: not compared
		{"1.0-2", "1.0-10", -1},
		{"2:1", "10:1", -1},
	} {
		if got := CompareEVR(c.a, c.b); got != c.want {
			t.Errorf("CompareEVR(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
	if got := Compare("0", "1.0", "", "0", "1.0", "1"); got != -1 {
		t.Errorf("Compare with an empty release = %d, want -1 (releases always compared)", got)
	}
}

func FuzzVercmp(f *testing.F) {
	for _, c := range vercmpCases {
		f.Add(c.a, c.b)
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		x, y := Vercmp(a, b), Vercmp(b, a)
		if x != -y || x < -1 || x > 1 {
			t.Fatalf("Vercmp(%q, %q) = %d but Vercmp(%q, %q) = %d", a, b, x, b, a, y)
		}
		if Vercmp(a, a) != 0 {
			t.Fatalf("Vercmp(%q, itself) != 0", a)
		}
	})
}

func FuzzCompareEVR(f *testing.F) {
	f.Add("1:2.3-4", "2.3")
	f.Add("", "0:0-")
	f.Fuzz(func(t *testing.T, a, b string) {
		if c, d := CompareEVR(a, b), CompareEVR(b, a); c != -d {
			t.Errorf("CompareEVR(%q, %q) = %d but CompareEVR(%q, %q) = %d", a, b, c, b, a, d)
		}
	})
}
