// Package promote is osg-promote: it moves builds along promotion routes
// (osg-25-main-elN-development -> osg-25-main-elN-testing) for every EL
// version (dver) of the route at once, checks that the builds of one
// package agree across dvers and carry the route's signatures, prints the
// plan, tags the builds in one multiCall and writes the ticket table.
//
// The routes are data (promoter.ini, embedded here, overridden by the user's
// file and --promoter-config); the signing keys come from signing_keys.ini
// (internal/sign). Planning reads the hub in three multiCalls whatever the
// number of packages and dvers (osg-promote makes one listTagged per tag and
// several calls per build).
package promote

import (
	_ "embed"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/ini.v1"

	"github.com/osg-htc/osg-build-go/internal/userconfig"
)

//go:embed promoter.ini
var shippedINI []byte

// ShippedName is how the embedded promoter.ini is named in messages.
const ShippedName = "promoter.ini (built in)"

// UserFileName is the user's override file under
// ${XDG_CONFIG_HOME:-~/.config}/osg-build/.
const UserFileName = "promoter.ini"

// HubFileName is the file in an embedded hub's directory with the routes of
// the tags `hub init` made.
const HubFileName = "promoter.ini"

// Route is one promotion route.
type Route struct {
	Name string
	// From and To are tag templates with %s for the dver.
	From, To string
	// Repotag is the repo part of the dist tag (osg25 in .osg25.el9).
	Repotag string
	// Dvers are promoted by default; ExtraDvers only when asked (--elN).
	Dvers, ExtraDvers []string
	// RequiredKeys are names of signing keys; every RPM of a build must be
	// signed by one of those whose dvers include the build's dver.
	RequiredKeys []string
	// Source is the file that last defined or changed the route.
	Source string
}

// FromTag is the source tag of the route for dver.
func (r *Route) FromTag(dver string) string { return strings.ReplaceAll(r.From, "%s", dver) }

// ToTag is the destination tag of the route for dver.
func (r *Route) ToTag(dver string) string { return strings.ReplaceAll(r.To, "%s", dver) }

// Supports reports whether dver is a default or extra dver of the route.
func (r *Route) Supports(dver string) bool {
	return slices.Contains(r.Dvers, dver) || slices.Contains(r.ExtraDvers, dver)
}

// Config is the set of routes and aliases.
type Config struct {
	Routes  map[string]*Route
	Aliases map[string][]string
	// Files are the files merged, in order.
	Files []string
}

// Default returns the routes shipped in the binary.
func Default() *Config {
	c := &Config{Routes: map[string]*Route{}, Aliases: map[string][]string{}}
	if err := c.Merge(ShippedName, shippedINI); err != nil {
		panic("built-in promoter.ini: " + err.Error())
	}
	return c
}

// LoadOptions say which files Load merges over the built-in routes.
type LoadOptions struct {
	// Getenv finds the user's file (XDG_CONFIG_HOME, HOME); nil: none.
	Getenv func(string) string
	// HubDir is the directory of an embedded hub whose promoter.ini (the
	// routes of its tags) is merged before the user's file; "": none.
	HubDir string
	// Files are --promoter-config files, merged last (they must exist).
	Files []string
}

// Load returns the built-in routes with the hub's, the user's and the given
// files merged over them, in that order.
func Load(o LoadOptions) (*Config, error) {
	c := Default()
	if o.HubDir != "" {
		p := filepath.Join(o.HubDir, HubFileName)
		data, err := os.ReadFile(p)
		switch {
		case err == nil:
			if err := c.Merge(p, data); err != nil {
				return nil, err
			}
		case !os.IsNotExist(err):
			return nil, fmt.Errorf("read %s: %w", p, err)
		}
	}
	if o.Getenv != nil {
		data, path, err := userconfig.Read(o.Getenv, UserFileName)
		if err != nil {
			return nil, err
		}
		if data != nil {
			if err := c.Merge(path, data); err != nil {
				return nil, err
			}
		}
	}
	for _, f := range o.Files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("--promoter-config: %w", err)
		}
		if err := c.Merge(f, data); err != nil {
			return nil, err
		}
	}
	return c, nil
}

var (
	dverRe    = regexp.MustCompile(`^el[0-9]+$`)
	repotagRe = regexp.MustCompile(`^[A-Za-z0-9_]+$`)
	nameRe    = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._+-]*$`)
)

// Merge reads one promoter.ini (named name in messages) over c. A [route X]
// section for an existing route changes only the keys it sets; a new route
// must set from, to, repotag and dvers. [aliases] entries replace aliases of
// the same name. On error c is unchanged.
func (c *Config) Merge(name string, data []byte) error {
	f, err := ini.LoadSources(ini.LoadOptions{
		IgnoreInlineComment: true,
		KeyValueDelimiters:  "=:",
		AllowShadows:        false,
	}, data)
	if err != nil {
		return fmt.Errorf("%s: %w: fix the file's syntax ([route NAME] sections of key = value lines)", name, err)
	}
	n := c.clone()
	for _, sec := range f.Sections() {
		sname := sec.Name()
		switch {
		case sname == ini.DefaultSection:
			if len(sec.Keys()) > 0 {
				return fmt.Errorf("%s: key %q before the first section: put it in a [route NAME] section", name, sec.Keys()[0].Name())
			}
		case sname == "aliases":
			for _, k := range sec.Keys() {
				if !nameRe.MatchString(k.Name()) {
					return fmt.Errorf("%s: [aliases] %q: not a valid alias name", name, k.Name())
				}
				n.Aliases[k.Name()] = splitList(k.Value())
			}
		case strings.HasPrefix(sname, "route "):
			if err := n.mergeRoute(name, sec); err != nil {
				return err
			}
		case strings.HasPrefix(sname, "key "):
			return fmt.Errorf("%s: [%s]: signing keys belong in signing_keys.ini, not promoter.ini", name, sname)
		default:
			return fmt.Errorf("%s: [%s]: unknown section (promoter.ini has [route NAME] and [aliases])", name, sname)
		}
	}
	if err := n.validate(name); err != nil {
		return err
	}
	n.Files = append(n.Files, name)
	*c = *n
	return nil
}

func (c *Config) clone() *Config {
	n := &Config{Routes: map[string]*Route{}, Aliases: map[string][]string{}, Files: slices.Clone(c.Files)}
	for k, r := range c.Routes {
		cp := *r
		cp.Dvers, cp.ExtraDvers, cp.RequiredKeys = slices.Clone(r.Dvers), slices.Clone(r.ExtraDvers), slices.Clone(r.RequiredKeys)
		n.Routes[k] = &cp
	}
	for k, v := range c.Aliases {
		n.Aliases[k] = slices.Clone(v)
	}
	return n
}

func (c *Config) mergeRoute(file string, sec *ini.Section) error {
	rname := strings.TrimSpace(strings.TrimPrefix(sec.Name(), "route "))
	where := fmt.Sprintf("%s: [%s]", file, sec.Name())
	if !nameRe.MatchString(rname) {
		return fmt.Errorf("%s: %q is not a valid route name (letters, digits, . _ + -)", where, rname)
	}
	r := c.Routes[rname]
	if r == nil {
		r = &Route{Name: rname}
		c.Routes[rname] = r
	}
	r.Source = file
	for _, k := range sec.Keys() {
		v := strings.TrimSpace(k.Value())
		switch k.Name() {
		case "from", "to":
			if strings.Count(v, "%s") != 1 || strings.Count(v, "%") != 1 {
				return fmt.Errorf("%s %s: %q must hold %%s once, where the dver goes (osg-25-main-%%s-testing)", where, k.Name(), v)
			}
			if k.Name() == "from" {
				r.From = v
			} else {
				r.To = v
			}
		case "repotag":
			if !repotagRe.MatchString(v) {
				return fmt.Errorf("%s repotag: %q is not a dist tag part such as osg25", where, v)
			}
			r.Repotag = v
		case "dvers", "extra_dvers":
			l := splitList(v)
			for _, d := range l {
				if !dverRe.MatchString(d) {
					return fmt.Errorf("%s %s: %q is not an EL version such as el9", where, k.Name(), d)
				}
			}
			if k.Name() == "dvers" {
				r.Dvers = SortDvers(l)
			} else {
				r.ExtraDvers = SortDvers(l)
			}
		case "required_keys":
			r.RequiredKeys = splitList(v)
		default:
			return fmt.Errorf("%s: unknown key %q (known: from, to, repotag, dvers, extra_dvers, required_keys)", where, k.Name())
		}
	}
	return nil
}

func (c *Config) validate(file string) error {
	for _, name := range sortedKeys(c.Routes) {
		r := c.Routes[name]
		where := fmt.Sprintf("%s: [route %s]", r.Source, name)
		for _, m := range []struct{ key, val string }{{"from", r.From}, {"to", r.To}, {"repotag", r.Repotag}} {
			if m.val == "" {
				return fmt.Errorf("%s: %s is missing or empty", where, m.key)
			}
		}
		if len(r.Dvers) == 0 {
			return fmt.Errorf("%s: dvers is missing or empty", where)
		}
		for _, d := range r.ExtraDvers {
			if slices.Contains(r.Dvers, d) {
				return fmt.Errorf("%s: %s is in both dvers and extra_dvers", where, d)
			}
		}
	}
	for _, a := range sortedKeys(c.Aliases) {
		if _, ok := c.Routes[a]; ok {
			return fmt.Errorf("%s: [aliases] %s: a route has that name; use another alias name", file, a)
		}
		if len(c.Aliases[a]) == 0 {
			return fmt.Errorf("%s: [aliases] %s: no route given", file, a)
		}
		for _, r := range c.Aliases[a] {
			if _, ok := c.Routes[r]; !ok {
				return fmt.Errorf("%s: [aliases] %s: route %s is not defined (aliases of aliases are not allowed)", file, a, r)
			}
		}
	}
	return nil
}

// Names returns every route and alias name, sorted.
func (c *Config) Names() []string {
	names := append(sortedKeys(c.Routes), sortedKeys(c.Aliases)...)
	sort.Strings(names)
	return names
}

// expand returns the routes a route or alias name stands for.
func (c *Config) expand(name string) []string {
	if _, ok := c.Routes[name]; ok {
		return []string{name}
	}
	return c.Aliases[name]
}

// SelectError is a bad -r/--route value (a usage error).
type SelectError struct{ Msg string }

func (e *SelectError) Error() string { return e.Msg }

// Select resolves -r/--route values (each may be a comma list) to route
// names, sorted: a route or alias name, or an unambiguous prefix of one.
func (c *Config) Select(args []string) ([]string, error) {
	if len(args) == 0 {
		return nil, &SelectError{"you must specify a promotion route with -r/--route (see --list-routes)"}
	}
	names := c.Names()
	seen := map[string]bool{}
	for _, a := range args {
		for _, r := range strings.Split(a, ",") {
			r = strings.TrimSpace(r)
			if r == "" {
				continue
			}
			match := r
			if c.expand(r) == nil {
				var cands []string
				for _, n := range names {
					if strings.HasPrefix(n, r) {
						cands = append(cands, n)
					}
				}
				switch len(cands) {
				case 0:
					return nil, &SelectError{fmt.Sprintf("invalid route %q: see --list-routes for the routes and aliases", r)}
				case 1:
					match = cands[0]
				default:
					return nil, &SelectError{fmt.Sprintf("ambiguous route %q: matching routes are %s", r, strings.Join(cands, ", "))}
				}
			}
			for _, n := range c.expand(match) {
				seen[n] = true
			}
		}
	}
	if len(seen) == 0 {
		return nil, &SelectError{"you must specify a promotion route with -r/--route (see --list-routes)"}
	}
	return sortedKeys(seen), nil
}

// AllDvers returns every dver of every route (default and extra), sorted by
// version: the dvers that get --elN flags.
func (c *Config) AllDvers() []string {
	set := map[string]bool{}
	for _, r := range c.Routes {
		for _, d := range append(slices.Clone(r.Dvers), r.ExtraDvers...) {
			set[d] = true
		}
	}
	return SortDvers(sortedKeys(set))
}

// RouteDvers is a route with the dvers to promote on it.
type RouteDvers struct {
	Route *Route
	Dvers []string
}

// DverFlags are the per-dver flags: --elN-only, --no-elN and --elN.
type DverFlags struct {
	Only  string
	No    []string
	Extra []string
}

// Choose returns the dvers to promote for each route: the route's default
// dvers plus the extra dvers asked for, minus the disabled ones; with Only,
// just that dver (which the route must support). Errors are usage errors.
func (c *Config) Choose(routes []string, f DverFlags) ([]RouteDvers, error) {
	var out []RouteDvers
	for _, name := range routes {
		r := c.Routes[name]
		if r == nil {
			return nil, &SelectError{fmt.Sprintf("no route %s", name)}
		}
		if f.Only != "" {
			if !r.Supports(f.Only) {
				return nil, &SelectError{fmt.Sprintf("the dver %s is not available for route %s.\n%s", f.Only, name, dverHelp(r))}
			}
			out = append(out, RouteDvers{Route: r, Dvers: []string{f.Only}})
			continue
		}
		var dv []string
		for _, d := range r.Dvers {
			if !slices.Contains(f.No, d) {
				dv = append(dv, d)
			}
		}
		for _, d := range f.Extra {
			if slices.Contains(r.ExtraDvers, d) && !slices.Contains(f.No, d) && !slices.Contains(dv, d) {
				dv = append(dv, d)
			}
		}
		if len(dv) == 0 {
			return nil, &SelectError{fmt.Sprintf("all dvers for route %s have been disabled.\n%s", name, dverHelp(r))}
		}
		out = append(out, RouteDvers{Route: r, Dvers: SortDvers(dv)})
	}
	return out, nil
}

func dverHelp(r *Route) string {
	s := fmt.Sprintf("The default dver(s) for %s are: %s", r.Name, strings.Join(r.Dvers, ", "))
	if len(r.ExtraDvers) > 0 {
		s += fmt.Sprintf("\nThe route optionally supports these dver(s): %s", strings.Join(r.ExtraDvers, ", "))
	}
	return s
}

// FormatRoutes lists the routes as osg-promote's help does:
// " - NAME: from -> to (dvers, [extra dvers])".
func (c *Config) FormatRoutes() string {
	var b strings.Builder
	for _, name := range sortedKeys(c.Routes) {
		r := c.Routes[name]
		dv := strings.Join(r.Dvers, ", ")
		if len(r.ExtraDvers) > 0 {
			dv += ", [" + strings.Join(r.ExtraDvers, ", ") + "]"
		}
		fmt.Fprintf(&b, " - %-25s: %-31s -> %-31s (%s)\n", name, r.FromTag("*"), r.ToTag("*"), dv)
	}
	return b.String()
}

// FormatAliases lists the aliases as osg-promote's help does.
func (c *Config) FormatAliases() string {
	var b strings.Builder
	for _, name := range sortedKeys(c.Aliases) {
		fmt.Fprintf(&b, " - %-25s: %s\n", name, strings.Join(c.Aliases[name], ", "))
	}
	return b.String()
}

// Repotags returns the repotags of the given routes, longest first (so a
// pattern tries osg25up before osg25).
func Repotags(routes []RouteDvers) []string {
	set := map[string]bool{}
	for _, r := range routes {
		set[r.Route.Repotag] = true
	}
	l := sortedKeys(set)
	sort.SliceStable(l, func(i, j int) bool { return len(l[i]) > len(l[j]) })
	return l
}

func splitList(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' || r == '\n' })
}

// SortDvers sorts EL versions by number (el8 < el9 < el10), without
// duplicates.
func SortDvers(l []string) []string {
	l = slices.Clone(l)
	num := func(d string) int {
		n, _ := strconv.Atoi(strings.TrimPrefix(d, "el"))
		return n
	}
	sort.SliceStable(l, func(i, j int) bool {
		if a, b := num(l[i]), num(l[j]); a != b {
			return a < b
		}
		return l[i] < l[j]
	})
	return slices.Compact(l)
}

func sortedKeys[V any](m map[string]V) []string {
	l := make([]string, 0, len(m))
	for k := range m {
		l = append(l, k)
	}
	sort.Strings(l)
	return l
}

// HubINI returns the promoter.ini that `hub init` writes into an embedded
// hub made with the tags of OSG series (25) for dvers: the series' main
// routes to testing and prerelease, without required signatures (the
// embedded hub does not sign builds). Routes are read from DIR/promoter.ini
// when --hub names the hub.
func HubINI(series string, dvers []string) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, `# The promotion routes of this hub's osg-%[1]s tags, written by osg-build hub
# init and read by osg-build promote (osg-promote) when --hub names this hub,
# over the built-in routes of the same names. This hub does not sign builds,
# so no signature is required: set required_keys to [key NAME] sections of
# signing_keys.ini to check signatures (import them with osg-koji
# import-sig, or sign with osg-build sign).
`, series)
	for _, r := range []struct{ suffix, from, to string }{{"main", "development", "testing"}, {"main-prerelease", "testing", "prerelease"}} {
		fmt.Fprintf(&b, "\n[route %[1]s-%[2]s]\nfrom = osg-%[1]s-main-%%s-%[3]s\nto = osg-%[1]s-main-%%s-%[4]s\nrepotag = osg%[1]s\ndvers = %[5]s\nextra_dvers =\nrequired_keys =\n",
			series, r.suffix, r.from, r.to, strings.Join(dvers, " "))
	}
	fmt.Fprintf(&b, "\n[aliases]\n%[1]s-testing = %[1]s-main\n%[1]s-prerelease = %[1]s-main-prerelease\n", series)
	return []byte(b.String())
}
