package builder

import (
	"compress/gzip"
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/osg-htc/osg-build-go/pkg/rpm"
)

// SRPMInfo is what the engine and the builders read from an SRPM header.
type SRPMInfo struct {
	Name, Version, Release string
	Epoch                  *int
	BuildArchs             []string
	ExclusiveArch          []string
	ExcludeArch            []string
	// Requires are the BuildRequires (rpmlib() ones left out).
	Requires []Dep
}

// NVR is N-V-R.
func (s *SRPMInfo) NVR() string { return s.Name + "-" + s.Version + "-" + s.Release }

// ReadSRPM reads an SRPM's header.
func ReadSRPM(path string) (*SRPMInfo, error) {
	f, err := rpm.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading the RPM header: %w", err)
	}
	h := f.Header
	info := &SRPMInfo{
		Name: h.String(rpm.TagName), Version: h.String(rpm.TagVersion), Release: h.String(rpm.TagRelease),
		Epoch:         f.Epoch(),
		BuildArchs:    h.Strings(rpm.TagBuildArchs),
		ExclusiveArch: h.Strings(rpm.TagExclusiveArch),
		ExcludeArch:   h.Strings(rpm.TagExcludeArch),
	}
	names := h.Strings(rpm.TagRequireName)
	vers := h.Strings(rpm.TagRequireVer)
	flags := h.Uint32s(rpm.TagRequireFlags)
	for i, n := range names {
		if strings.HasPrefix(n, "rpmlib(") {
			continue
		}
		d := Dep{Name: n}
		if i < len(flags) {
			d.Flags = int(flags[i]) & rpm.SenseCompare
		}
		if i < len(vers) {
			d.EVR = vers[i]
		}
		info.Requires = append(info.Requires, d)
	}
	return info, nil
}

// Dep is a versioned dependency: a name, comparison flags (RPMSENSE_LESS,
// GREATER, EQUAL) and [E:]V[-R].
type Dep struct {
	Name  string
	Flags int
	EVR   string
}

// String is the dependency as rpm and dnf print it: "foo >= 1.2".
func (d Dep) String() string {
	op := flagOp(d.Flags)
	if op == "" || d.EVR == "" {
		return d.Name
	}
	return d.Name + " " + op + " " + d.EVR
}

func flagOp(f int) string {
	switch f & rpm.SenseCompare {
	case rpm.SenseLess:
		return "<"
	case rpm.SenseGreater:
		return ">"
	case rpm.SenseEqual:
		return "="
	case rpm.SenseLess | rpm.SenseEqual:
		return "<="
	case rpm.SenseGreater | rpm.SenseEqual:
		return ">="
	}
	return ""
}

func opFlags(op string) (int, bool) {
	switch op {
	case "<", "LT":
		return rpm.SenseLess, true
	case ">", "GT":
		return rpm.SenseGreater, true
	case "=", "==", "EQ":
		return rpm.SenseEqual, true
	case "<=", "LE":
		return rpm.SenseLess | rpm.SenseEqual, true
	case ">=", "GE":
		return rpm.SenseGreater | rpm.SenseEqual, true
	}
	return 0, false
}

// Overlaps reports whether provide p satisfies requirement r (rpm's
// rpmdsCompare): same name, and an unversioned side or overlapping ranges.
func Overlaps(p, r Dep) bool {
	if p.Name != r.Name {
		return false
	}
	if r.Flags == 0 || r.EVR == "" || p.Flags == 0 || p.EVR == "" {
		return true
	}
	sense := rpm.CompareEVR(p.EVR, r.EVR)
	const lt, gt, eq = rpm.SenseLess, rpm.SenseGreater, rpm.SenseEqual
	switch {
	case sense < 0:
		return p.Flags&gt != 0 || r.Flags&lt != 0
	case sense > 0:
		return p.Flags&lt != 0 || r.Flags&gt != 0
	}
	return (p.Flags&eq != 0 && r.Flags&eq != 0) || (p.Flags&lt != 0 && r.Flags&lt != 0) || (p.Flags&gt != 0 && r.Flags&gt != 0)
}

// Provides indexes what a repository provides: Provides entries by name, and
// files.
type Provides struct {
	byName map[string][]Dep
	files  map[string]bool
	// Packages is the number of packages read.
	Packages int
	// pkgs are the packages read from repos (name-version-release.arch);
	// provPkg[name][i] is the index in pkgs of byName[name][i]'s package
	// (-1: added with Add), filePkg the package of a file.
	pkgs    []string
	provPkg map[string][]int
	filePkg map[string]int
}

// NewProvides returns an empty index.
func NewProvides() *Provides {
	return &Provides{byName: map[string][]Dep{}, files: map[string]bool{}, provPkg: map[string][]int{}, filePkg: map[string]int{}}
}

// Add records a provide.
func (p *Provides) Add(d Dep) { p.addFrom(d, -1) }

func (p *Provides) addFrom(d Dep, pkg int) {
	p.byName[d.Name] = append(p.byName[d.Name], d)
	p.provPkg[d.Name] = append(p.provPkg[d.Name], pkg)
}

// AddFile records a file.
func (p *Provides) AddFile(f string) { p.files[f] = true }

// Provider returns the package (name-version-release.arch) of a repo read
// with ReadRepoProvides that satisfies a plain requirement ("foo >= 1.2" or
// a file), the first one read when several do; "" when none does or the
// requirement is a rich one.
func (p *Provides) Provider(req string) string {
	req = strings.TrimSpace(req)
	if strings.HasPrefix(req, "(") {
		return ""
	}
	r := parseSimple(req)
	if strings.HasPrefix(r.Name, "/") {
		if i, ok := p.filePkg[r.Name]; ok {
			return p.pkgs[i]
		}
	}
	for i, d := range p.byName[r.Name] {
		if j := p.provPkg[r.Name][i]; j >= 0 && Overlaps(d, r) {
			return p.pkgs[j]
		}
	}
	return ""
}

// Satisfies reports whether the index satisfies the requirement.
func (p *Provides) Satisfies(r Dep) bool {
	if strings.HasPrefix(r.Name, "/") && p.files[r.Name] {
		return true
	}
	for _, d := range p.byName[r.Name] {
		if Overlaps(d, r) {
			return true
		}
	}
	return false
}

// SatisfiesString evaluates a requirement given as text: a plain or
// versioned one ("foo >= 1.2") or a rich dependency ("(a or b)", with and,
// or, if, else, unless, with, without).
func (p *Provides) SatisfiesString(s string) (bool, error) {
	s = strings.TrimSpace(s)
	if !strings.HasPrefix(s, "(") {
		return p.Satisfies(parseSimple(s)), nil
	}
	ps := &richParser{toks: tokenize(s)}
	v, err := ps.expr(p)
	if err != nil {
		return false, fmt.Errorf("rich dependency %q: %w", s, err)
	}
	if ps.i != len(ps.toks) {
		return false, fmt.Errorf("rich dependency %q: unexpected %q", s, ps.toks[ps.i])
	}
	return v, nil
}

func parseSimple(s string) Dep {
	f := strings.Fields(s)
	if len(f) == 3 {
		if fl, ok := opFlags(f[1]); ok {
			return Dep{Name: f[0], Flags: fl, EVR: f[2]}
		}
	}
	return Dep{Name: strings.TrimSpace(s)}
}

func tokenize(s string) []string {
	var out []string
	cur := strings.Builder{}
	flush := func() {
		if cur.Len() > 0 {
			out = append(out, cur.String())
			cur.Reset()
		}
	}
	for _, c := range s {
		switch c {
		case '(', ')':
			flush()
			out = append(out, string(c))
		case ' ', '\t':
			flush()
		default:
			cur.WriteRune(c)
		}
	}
	flush()
	return out
}

type richParser struct {
	toks []string
	i    int
}

func (r *richParser) peek() string {
	if r.i < len(r.toks) {
		return r.toks[r.i]
	}
	return ""
}

var richOps = map[string]bool{"and": true, "or": true, "if": true, "else": true, "unless": true, "with": true, "without": true}

// expr parses "( term op term ... )" or a simple dependency.
func (r *richParser) expr(p *Provides) (bool, error) {
	if r.peek() != "(" {
		// name [op evr]
		if r.i >= len(r.toks) {
			return false, fmt.Errorf("missing dependency")
		}
		name := r.toks[r.i]
		r.i++
		if fl, ok := opFlags(r.peek()); ok && r.i+1 < len(r.toks) {
			evr := r.toks[r.i+1]
			r.i += 2
			return p.Satisfies(Dep{Name: name, Flags: fl, EVR: evr}), nil
		}
		return p.Satisfies(Dep{Name: name}), nil
	}
	r.i++ // (
	left, err := r.expr(p)
	if err != nil {
		return false, err
	}
	for r.peek() != ")" {
		op := r.peek()
		if !richOps[op] {
			return false, fmt.Errorf("unexpected %q", op)
		}
		r.i++
		right, err := r.expr(p)
		if err != nil {
			return false, err
		}
		switch op {
		case "and", "with":
			left = left && right
		case "or":
			left = left || right
		case "without":
			left = left && !right
		case "if":
			cond := right
			if r.peek() == "else" {
				r.i++
				alt, err := r.expr(p)
				if err != nil {
					return false, err
				}
				if cond {
					// left stays
				} else {
					left = alt
				}
			} else if !cond {
				left = true
			}
		case "unless":
			cond := right
			if r.peek() == "else" {
				r.i++
				alt, err := r.expr(p)
				if err != nil {
					return false, err
				}
				if cond {
					left = alt
				}
			} else if cond {
				left = true
			}
		case "else":
			return false, fmt.Errorf("else without if or unless")
		}
	}
	r.i++ // )
	return left, nil
}

// ReadRepoProvides reads the provides and primary files of the repository
// whose repodata/ is in dir (repomd.xml, then its primary record).
func ReadRepoProvides(dir string, into *Provides) error {
	primary, err := primaryHref(filepath.Join(dir, "repodata", "repomd.xml"))
	if err != nil {
		return err
	}
	f, err := os.Open(filepath.Join(dir, filepath.FromSlash(primary)))
	if err != nil {
		return fmt.Errorf("opening the primary metadata of %s: %w", dir, err)
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(primary, ".gz") {
		gz, err := gzip.NewReader(f)
		if err != nil {
			return fmt.Errorf("reading %s: %w", primary, err)
		}
		defer gz.Close()
		r = gz
	}
	if err := parsePrimary(r, into); err != nil {
		return fmt.Errorf("reading %s: %w", filepath.Join(dir, primary), err)
	}
	return nil
}

func primaryHref(repomd string) (string, error) {
	b, err := os.ReadFile(repomd)
	if err != nil {
		return "", fmt.Errorf("reading the repository's repomd.xml: %w", err)
	}
	var md struct {
		Data []struct {
			Type     string `xml:"type,attr"`
			Location struct {
				Href string `xml:"href,attr"`
			} `xml:"location"`
		} `xml:"data"`
	}
	if err := xml.Unmarshal(b, &md); err != nil {
		return "", fmt.Errorf("parsing %s: %w", repomd, err)
	}
	for _, d := range md.Data {
		if d.Type == "primary" {
			return d.Location.Href, nil
		}
	}
	return "", fmt.Errorf("%s has no primary record", repomd)
}

// parsePrimary streams primary.xml: per package, its name = EVR, the
// rpm:provides entries and the files.
func parsePrimary(r io.Reader, into *Provides) error {
	dec := xml.NewDecoder(r)
	var inProvides, inFile bool
	var name, evr, arch, nvr string
	pkg := -1
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch {
			case t.Name.Local == "package":
				name, evr, arch, nvr = "", "", "", ""
				into.Packages++
				pkg = len(into.pkgs)
				into.pkgs = append(into.pkgs, "")
			case t.Name.Local == "arch" && !inProvides:
				if err := dec.DecodeElement(&arch, &t); err != nil {
					return err
				}
			case t.Name.Local == "name" && !inProvides:
				var s string
				if err := dec.DecodeElement(&s, &t); err != nil {
					return err
				}
				name = s
			case t.Name.Local == "version" && !inProvides:
				var e, v, rel string
				for _, a := range t.Attr {
					switch a.Name.Local {
					case "epoch":
						e = a.Value
					case "ver":
						v = a.Value
					case "rel":
						rel = a.Value
					}
				}
				evr = e + ":" + v + "-" + rel
				nvr = name + "-" + v + "-" + rel
				if name != "" {
					into.addFrom(Dep{Name: name, Flags: 8, EVR: evr}, pkg)
				}
			case t.Name.Local == "provides":
				inProvides = true
			case t.Name.Local == "entry" && inProvides:
				d := Dep{}
				var e, v, rel string
				for _, a := range t.Attr {
					switch a.Name.Local {
					case "name":
						d.Name = a.Value
					case "flags":
						d.Flags, _ = opFlags(a.Value)
					case "epoch":
						e = a.Value
					case "ver":
						v = a.Value
					case "rel":
						rel = a.Value
					}
				}
				if v != "" {
					d.EVR = v
					if e != "" {
						d.EVR = e + ":" + v
					}
					if rel != "" {
						d.EVR += "-" + rel
					}
				}
				into.addFrom(d, pkg)
			case t.Name.Local == "file":
				inFile = true
			}
		case xml.CharData:
			if inFile {
				into.AddFile(string(t))
				if _, ok := into.filePkg[string(t)]; !ok && pkg >= 0 {
					into.filePkg[string(t)] = pkg
				}
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "package":
				if pkg >= 0 {
					into.pkgs[pkg] = nvr + "." + arch
				}
			case "provides":
				inProvides = false
			case "file":
				inFile = false
			}
		}
	}
}

// Unresolved returns the requirements of reqs that provides cannot satisfy,
// as text ("foo >= 1.2").
func Unresolved(provides *Provides, reqs []Dep) ([]string, error) {
	var out []string
	for _, r := range reqs {
		ok, err := provides.SatisfiesString(r.String())
		if err != nil {
			return nil, err
		}
		if !ok {
			out = append(out, r.String())
		}
	}
	return out, nil
}
