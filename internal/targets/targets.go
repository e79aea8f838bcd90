// Package targets knows which Koji target and package-list tag a build goes
// to: the repos of --repo (23-main, 25-upcoming, devops, chtc, ...), their
// target and tag templates per EL version (dver), the dvers each repo builds
// by default, and the repotag of the dist tag (.osg25.el9).
//
// All of it is data: targets.ini is embedded in the binary, a user file in
// the same format (${XDG_CONFIG_HOME:-~/.config}/osg-build/targets.ini)
// changes or adds repos, and a koji.ini in a package's parent directory (the
// subtree of the packaging repository) names the default repo. Nothing here
// talks to Koji: resolving --repo needs no network and no login.
//
// [Config.Resolve] applies osg-build's rules for --repo, --el8/--el9/--el10,
// --koji-target, --koji-tag (with the special value TARGET) and --ktt.
package targets

import (
	_ "embed"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"

	"gopkg.in/ini.v1"

	"github.com/osg-htc/osg-build-go/internal/userconfig"
)

//go:embed targets.ini
var shippedINI []byte

// TagFromTarget is the special --koji-tag value meaning "the destination
// tag of the target"; the caller resolves it with getBuildTarget.
const TagFromTarget = "TARGET"

// UserFileName is the name of the user's override file under
// ${XDG_CONFIG_HOME:-~/.config}/osg-build/.
const UserFileName = "targets.ini"

// KojiININame is the name of the per-subtree file that names the default
// repo ([koji] repo = 25-main).
const KojiININame = "koji.ini"

// Repo is one value of --repo.
type Repo struct {
	Name    string
	Target  string   // target template with %(dver)s
	Tag     string   // package-list tag template with %(dver)s
	Dvers   []string // default dvers
	RepoTag string   // first part of the dist tag ("" = none)
	Aliases []string
	Source  string // file that last defined or changed it
}

// TargetFor returns the Koji target of the repo for dver.
func (r *Repo) TargetFor(dver string) string { return expand(r.Target, dver) }

// TagFor returns the package-list tag of the repo for dver.
func (r *Repo) TagFor(dver string) string { return expand(r.Tag, dver) }

// DistTag returns the dist tag of builds of the repo for dver
// (".osg25.el9"), or "" when the repo has no repotag.
func (r *Repo) DistTag(dver string) string {
	if r.RepoTag == "" {
		return ""
	}
	return "." + r.RepoTag + "." + dver
}

func expand(tmpl, dver string) string { return strings.ReplaceAll(tmpl, "%(dver)s", dver) }

// Config is the set of known repos and dvers.
type Config struct {
	dvers        []string
	defaultDvers []string
	repos        []*Repo          // in file order
	byName       map[string]*Repo // names and aliases
}

// Default returns the configuration shipped in the binary.
func Default() *Config {
	c := &Config{byName: map[string]*Repo{}}
	if err := c.merge(shippedINI, "targets.ini (built in)"); err != nil {
		panic(fmt.Sprintf("built-in targets.ini: %v", err))
	}
	return c
}

// UserFile returns the path of the user's override file for the given
// environment lookup (XDG_CONFIG_HOME, else HOME/.config).
func UserFile(getenv func(string) string) string {
	return userconfig.Path(getenv, UserFileName)
}

// Load returns the shipped configuration changed by the user's file, when
// that file exists.
func Load(getenv func(string) string) (*Config, error) {
	c := Default()
	data, path, err := userconfig.Read(getenv, UserFileName)
	if err != nil || data == nil {
		return c, err
	}
	if err := c.Merge(data, path); err != nil {
		return nil, err
	}
	return c, nil
}

var (
	dverRe     = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\bel\d+\b`) })
	dverOnlyRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^el\d+$`) })
)

// ParseDver returns the first EL version (el9) found in s as a word, as
// osg-build does with \bel\d+\b, or "".
func ParseDver(s string) string { return dverRe().FindString(s) }

// Merge reads a targets file (the format of the shipped targets.ini) over c.
// name is used in error messages. On error c is left unchanged.
func (c *Config) Merge(data []byte, name string) error {
	n := c.clone()
	if err := n.merge(data, name); err != nil {
		return err
	}
	*c = *n
	return nil
}

func (c *Config) clone() *Config {
	n := &Config{
		dvers:        slices.Clone(c.dvers),
		defaultDvers: slices.Clone(c.defaultDvers),
		byName:       map[string]*Repo{},
	}
	copies := map[*Repo]*Repo{}
	for _, r := range c.repos {
		cp := *r
		cp.Dvers = slices.Clone(r.Dvers)
		cp.Aliases = slices.Clone(r.Aliases)
		copies[r] = &cp
		n.repos = append(n.repos, &cp)
	}
	for k, r := range c.byName {
		n.byName[k] = copies[r]
	}
	return n
}

func (c *Config) merge(data []byte, name string) error {
	f, err := ini.LoadSources(ini.LoadOptions{
		IgnoreInlineComment: true,
		KeyValueDelimiters:  "=",
	}, data)
	if err != nil {
		return fmt.Errorf("parse %s: %w: fix the file's syntax (INI: [section] and key = value lines)", name, err)
	}
	for _, sec := range f.Sections() {
		sname := sec.Name()
		if sname == ini.DefaultSection {
			if len(sec.Keys()) > 0 {
				return fmt.Errorf("%s: keys before the first [section]: put them under [defaults] or a [repo] section", name)
			}
			continue
		}
		if sname == "defaults" {
			for _, k := range sec.Keys() {
				vals := strings.Fields(k.Value())
				for _, d := range vals {
					if !dverOnlyRe().MatchString(d) {
						return fmt.Errorf("%s: [defaults] %s: %q is not an EL version such as el9", name, k.Name(), d)
					}
				}
				switch k.Name() {
				case "dvers":
					c.dvers = sortDvers(vals)
				case "default_dvers":
					c.defaultDvers = sortDvers(vals)
				default:
					return fmt.Errorf("%s: [defaults]: unknown key %q (known: dvers, default_dvers)", name, k.Name())
				}
			}
			continue
		}
		if err := c.mergeRepo(sec, name); err != nil {
			return err
		}
	}
	return c.validate(name)
}

func (c *Config) mergeRepo(sec *ini.Section, name string) error {
	rname := sec.Name()
	if strings.ContainsAny(rname, " \t/") || rname == "" {
		return fmt.Errorf("%s: [%s]: a repo name has no spaces or slashes", name, rname)
	}
	r := c.byName[rname]
	if r != nil && r.Name != rname {
		return fmt.Errorf("%s: [%s]: this is an alias of repo %s; change [%s] instead", name, rname, r.Name, r.Name)
	}
	if r == nil {
		r = &Repo{Name: rname}
		c.repos = append(c.repos, r)
		c.byName[rname] = r
	}
	r.Source = name
	for _, k := range sec.Keys() {
		v := strings.TrimSpace(k.Value())
		switch k.Name() {
		case "target":
			r.Target = v
		case "tag":
			r.Tag = v
		case "dvers":
			r.Dvers = sortDvers(strings.Fields(v))
		case "repotag":
			r.RepoTag = v
		case "aliases":
			for _, a := range r.Aliases {
				if c.byName[a] == r {
					delete(c.byName, a)
				}
			}
			r.Aliases = strings.Fields(v)
			for _, a := range r.Aliases {
				if other := c.byName[a]; other != nil && other != r {
					return fmt.Errorf("%s: [%s] aliases: %q is already the name of repo %s", name, rname, a, other.Name)
				}
				c.byName[a] = r
			}
		default:
			return fmt.Errorf("%s: [%s]: unknown key %q (known: target, tag, dvers, repotag, aliases)", name, rname, k.Name())
		}
	}
	return nil
}

func (c *Config) validate(name string) error {
	if len(c.dvers) == 0 {
		return fmt.Errorf("%s: [defaults] dvers is missing", name)
	}
	if len(c.defaultDvers) == 0 {
		return fmt.Errorf("%s: [defaults] default_dvers is missing", name)
	}
	for _, d := range c.defaultDvers {
		if !slices.Contains(c.dvers, d) {
			return fmt.Errorf("%s: [defaults] default_dvers: %s is not in dvers (%s)", name, d, strings.Join(c.dvers, " "))
		}
	}
	for _, r := range c.repos {
		if r.Target == "" {
			return fmt.Errorf("%s: [%s]: target is missing", r.Source, r.Name)
		}
		if r.Tag == "" {
			return fmt.Errorf("%s: [%s]: tag is missing", r.Source, r.Name)
		}
		for _, d := range r.Dvers {
			if !slices.Contains(c.dvers, d) {
				return fmt.Errorf("%s: [%s] dvers: %s is not a known EL version (%s); add it to [defaults] dvers", r.Source, r.Name, d, strings.Join(c.dvers, " "))
			}
		}
	}
	return nil
}

// sortDvers orders EL versions by number (el7 < el8 < el10) and drops duplicates.
func sortDvers(ds []string) []string {
	out := slices.Clone(ds)
	slices.SortFunc(out, func(a, b string) int { return dverNum(a) - dverNum(b) })
	return slices.Compact(out)
}

func dverNum(d string) int {
	n, err := strconv.Atoi(strings.TrimPrefix(d, "el"))
	if err != nil {
		return 1 << 30
	}
	return n
}

// DverForRelease returns the EL version of --redhat-release N ("9" → el9),
// or an error naming the valid values.
func (c *Config) DverForRelease(n string) (string, error) {
	d := "el" + strings.TrimPrefix(strings.ToLower(strings.TrimSpace(n)), "el")
	if !slices.Contains(c.dvers, d) {
		var valid []string
		for _, x := range c.dvers {
			valid = append(valid, strings.TrimPrefix(x, "el"))
		}
		return "", fmt.Errorf("invalid redhat release value %q: use one of %s", n, strings.Join(valid, ", "))
	}
	return d, nil
}

// Dvers returns every known EL version, in order.
func (c *Config) Dvers() []string { return slices.Clone(c.dvers) }

// DefaultDvers returns the EL versions built when nothing else says.
func (c *Config) DefaultDvers() []string { return slices.Clone(c.defaultDvers) }

// Repos returns the repos in the order of the files.
func (c *Config) Repos() []*Repo { return slices.Clone(c.repos) }

// UnknownRepoError is returned for a --repo value that names no repo.
type UnknownRepoError struct {
	Repo  string
	Valid []string
}

func (e *UnknownRepoError) Error() string {
	return fmt.Sprintf("%q is not a valid repo; valid repos are: %s (add others in %s)",
		e.Repo, strings.Join(e.Valid, ", "), filepath.Join("~/.config/osg-build", UserFileName))
}

// Repo returns the repo with the given name or alias.
func (c *Config) Repo(name string) (*Repo, error) {
	if r := c.byName[name]; r != nil {
		return r, nil
	}
	return nil, &UnknownRepoError{Repo: name, Valid: c.names()}
}

func (c *Config) names() []string {
	var names []string
	for _, r := range c.repos {
		names = append(names, r.Name)
		names = append(names, r.Aliases...)
	}
	return names
}

// RepoList is the text of --repo-list: "Valid repos are:" then one repo per
// line, tab-indented, aliases after the name they stand for.
func (c *Config) RepoList() string {
	var b strings.Builder
	b.WriteString("Valid repos are:\n")
	for _, r := range c.repos {
		fmt.Fprintf(&b, "\t%s\n", r.Name)
		for _, a := range r.Aliases {
			fmt.Fprintf(&b, "\t%s (same as %s)\n", a, r.Name)
		}
	}
	return b.String()
}

// DistTag returns the dist tag (".osg25.el9") of builds of repo for dver.
func (c *Config) DistTag(repo, dver string) (string, error) {
	r, err := c.Repo(repo)
	if err != nil {
		return "", err
	}
	if r.RepoTag == "" {
		return "", fmt.Errorf("repo %s has no dist tag (no repotag in %s)", r.Name, r.Source)
	}
	return r.DistTag(dver), nil
}

// RepoFromKojiINI reads the koji.ini in the parent directory of pkgDir (the
// subtree directory of the packaging repository) and returns its [koji]
// repo value and the file's path. It returns "", "", nil when there is no
// such file.
func RepoFromKojiINI(pkgDir string) (repo, path string, err error) {
	abs, err := filepath.Abs(pkgDir)
	if err != nil {
		return "", "", fmt.Errorf("find koji.ini for %s: %w", pkgDir, err)
	}
	path = filepath.Join(filepath.Dir(abs), KojiININame)
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return "", "", nil
	}
	if err != nil {
		return "", "", fmt.Errorf("read %s: %w", path, err)
	}
	repo, err = ParseKojiINI(data)
	if err != nil {
		return "", path, fmt.Errorf("%s: %w", path, err)
	}
	return repo, path, nil
}

// ParseKojiINI returns the repo named by a koji.ini ([koji] repo = NAME).
func ParseKojiINI(data []byte) (string, error) {
	f, err := ini.LoadSources(ini.LoadOptions{KeyValueDelimiters: "=:"}, data)
	if err != nil {
		return "", fmt.Errorf("not a valid INI file: %w", err)
	}
	sec, err := f.GetSection("koji")
	if err != nil {
		return "", errors.New("no [koji] section: the file should read \"[koji]\" then \"repo = REPO\"")
	}
	repo := strings.TrimSpace(sec.Key("repo").Value())
	if repo == "" {
		return "", errors.New("[koji] has no repo value: add \"repo = REPO\" (see osg-build koji --repo-list)")
	}
	return repo, nil
}
