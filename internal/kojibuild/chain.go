package kojibuild

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"

	"github.com/osg-htc/osg-build-go/internal/runner"
)

// Deps are what a package provides and needs to build, for --chain.
type Deps struct {
	// Key identifies the package (its argument).
	Key string
	// Name is the source package name.
	Name string
	// Provides are the names of its binary packages and explicit Provides.
	Provides []string
	// BuildRequires are the names (without versions) it needs to build.
	BuildRequires []string
}

var (
	reSpecTag     = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^(?i)(Name|Provides|BuildRequires)\s*:\s*(.*)$`) })
	reSpecPackage = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^%package\s+(?:(-n)\s+)?(\S+)`) })
	reMacro       = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`%\{\??([A-Za-z_][A-Za-z0-9_]*)\}|%([A-Za-z_][A-Za-z0-9_]*)`)
	})
)

// maxExpansion bounds the length of an expanded macro (specs whose macros
// double in size at each definition would otherwise take forever).
const maxExpansion = 16 << 10

// ParseSpecDeps reads a spec's Name, subpackages, Provides and
// BuildRequires. Macros defined with %global/%define in the spec and
// %{name} are expanded; unknown macros are left as they are.
func ParseSpecDeps(key string, spec []byte) (*Deps, error) {
	d := &Deps{Key: key}
	macros := map[string]string{}
	expand := func(s string) string {
		for range 5 {
			n := reMacro().ReplaceAllStringFunc(s, func(m string) string {
				sm := reMacro().FindStringSubmatch(m)
				k := sm[1] + sm[2]
				if v, ok := macros[k]; ok {
					return v
				}
				if strings.HasPrefix(m, "%{?") {
					return ""
				}
				return m
			})
			if n == s || len(n) > maxExpansion {
				break
			}
			s = n
		}
		return s
	}
	sc := bufio.NewScanner(strings.NewReader(string(spec)))
	sc.Buffer(make([]byte, 0, 64*1024), 1024*1024)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if f := strings.Fields(line); len(f) >= 3 && (f[0] == "%global" || f[0] == "%define") {
			if v := expand(strings.Join(f[2:], " ")); len(v) <= maxExpansion {
				macros[f[1]] = v
			}
			continue
		}
		if m := reSpecPackage().FindStringSubmatch(line); m != nil {
			name := expand(m[2])
			if m[1] == "" {
				name = d.Name + "-" + name
			}
			d.Provides = append(d.Provides, name)
			continue
		}
		m := reSpecTag().FindStringSubmatch(line)
		if m == nil {
			continue
		}
		val := expand(m[2])
		switch strings.ToLower(m[1]) {
		case "name":
			// The first non-empty Name: counts (an empty one is an rpm
			// error; rpmbuild will say so when it builds).
			if v := strings.TrimSpace(val); d.Name == "" && v != "" {
				d.Name = v
				macros["name"] = d.Name
			}
		case "provides":
			d.Provides = append(d.Provides, depNames(val)...)
		case "buildrequires":
			d.BuildRequires = append(d.BuildRequires, depNames(val)...)
		}
	}
	if d.Name == "" {
		return nil, fmt.Errorf("%s: the spec has no Name", key)
	}
	d.Provides = append([]string{d.Name}, d.Provides...)
	return d, sc.Err()
}

// depNames splits a dependency list ("a >= 1, b c") into names.
func depNames(v string) []string {
	var out []string
	skip := false
	for _, f := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' }) {
		if skip {
			skip = false
			continue
		}
		switch f {
		case "<", "<=", "=", "==", ">=", ">":
			skip = true
			continue
		}
		out = append(out, f)
	}
	return out
}

// DepsOfDir reads the deps of a package directory from its osg/*.spec (or
// the only spec anywhere under it when osg/ has none).
func DepsOfDir(key, dir string) (*Deps, error) {
	specs, _ := filepath.Glob(filepath.Join(dir, "osg", "*.spec"))
	if len(specs) == 0 {
		specs, _ = filepath.Glob(filepath.Join(dir, "*", "*.spec"))
	}
	if len(specs) != 1 {
		return nil, fmt.Errorf("%s: --chain reads the spec to order the packages, and found %d specs in osg/ (want 1)", dir, len(specs))
	}
	b, err := os.ReadFile(specs[0])
	if err != nil {
		return nil, err
	}
	return ParseSpecDeps(key, b)
}

// DepsOfSRPM reads the name and BuildRequires of an SRPM with rpm -qp.
func DepsOfSRPM(ctx context.Context, key, srpm string) (*Deps, error) {
	out, err := runner.Output(ctx, runner.Cmd{Name: "rpm", Args: []string{"-qp", "--nosignature", "--qf", "%{NAME}\n", srpm}})
	if err != nil {
		return nil, fmt.Errorf("read the name of %s: %w", srpm, err)
	}
	d := &Deps{Key: key, Name: strings.TrimSpace(out)}
	d.Provides = []string{d.Name}
	req, err := runner.Output(ctx, runner.Cmd{Name: "rpm", Args: []string{"-qp", "--nosignature", "--requires", srpm}})
	if err != nil {
		return nil, fmt.Errorf("read the BuildRequires of %s: %w", srpm, err)
	}
	for _, l := range strings.Split(req, "\n") {
		if f := strings.Fields(l); len(f) > 0 && !strings.HasPrefix(f[0], "rpmlib(") {
			d.BuildRequires = append(d.BuildRequires, f[0])
		}
	}
	return d, nil
}

// ChainGroups orders packages into groups: every package's BuildRequires
// that another package of the chain provides is in an earlier group.
// Packages of one group do not need each other and build together. Within a
// group the order of the arguments is kept. A cycle is an error naming the
// packages in it.
func ChainGroups(pkgs []*Deps) ([][]*Deps, error) {
	provider := map[string]int{}
	for i, p := range pkgs {
		for _, pr := range p.Provides {
			if _, ok := provider[pr]; !ok {
				provider[pr] = i
			}
		}
	}
	needs := make([]map[int]bool, len(pkgs))
	for i, p := range pkgs {
		needs[i] = map[int]bool{}
		for _, br := range p.BuildRequires {
			if j, ok := provider[br]; ok && j != i {
				needs[i][j] = true
			}
		}
	}
	done := map[int]bool{}
	var groups [][]*Deps
	for len(done) < len(pkgs) {
		var g []int
		for i := range pkgs {
			if done[i] {
				continue
			}
			ready := true
			for j := range needs[i] {
				if !done[j] {
					ready = false
					break
				}
			}
			if ready {
				g = append(g, i)
			}
		}
		if len(g) == 0 {
			var cyc []string
			for i, p := range pkgs {
				if !done[i] {
					cyc = append(cyc, p.Name)
				}
			}
			sort.Strings(cyc)
			return nil, fmt.Errorf("--chain: the BuildRequires of %s form a cycle; build one of them first without --chain", strings.Join(cyc, ", "))
		}
		var grp []*Deps
		for _, i := range g {
			done[i] = true
			grp = append(grp, pkgs[i])
		}
		groups = append(groups, grp)
	}
	return groups, nil
}
