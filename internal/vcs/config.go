package vcs

import (
	_ "embed"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"

	"gopkg.in/ini.v1"

	"github.com/osg-htc/osg-build-go/internal/userconfig"
)

//go:embed vcs.ini
var shippedINI []byte

// UserFileName is the name of the user's override file under
// ${XDG_CONFIG_HOME:-~/.config}/osg-build/.
const UserFileName = "vcs.ini"

// Default public SVN root and the path of the packages under it.
const (
	DefaultSVNPublicRoot = "https://vdt.cs.wisc.edu/svn"
	DefaultSVNRedhatPath = "/native/redhat"
)

// Layout is how a git repository holds its packages.
type Layout string

// Layouts.
const (
	// Legacy: one package per top-level directory; the branch is the series.
	Legacy Layout = "legacy"
	// Subtree: <subtree>/<package>; the subtree directory is the series.
	Subtree Layout = "subtree"
)

// Remote is a git repository Koji may build from.
type Remote struct {
	Name   string
	GitHub string // owner/repo.git, or ""
	URLs   []string
	Public string // what Koji gets for URLs ("" = the URL itself)
	Layout Layout
	GitSVN bool // the last commit must carry git-svn-id:
}

// Repo returns a short name of the repository for messages (owner/repo.git
// or the first URL).
func (r *Remote) Repo() string {
	if r.GitHub != "" {
		return r.GitHub
	}
	if len(r.URLs) > 0 {
		return r.URLs[0]
	}
	return r.Name
}

// match reports whether the normalised fetch URL u names this remote, and
// returns the URL Koji must use.
func (r *Remote) match(u string) (public string, ok bool) {
	if r.GitHub != "" {
		gh := normalizeRemoteURL(r.GitHub)
		for _, form := range []string{
			"https://github.com/" + gh,
			"git@github.com:" + gh,
			"ssh://git@github.com/" + gh,
			"git://github.com/" + gh,
		} {
			if strings.EqualFold(u, form) {
				return "https://github.com/" + gh, true
			}
		}
	}
	for _, x := range r.URLs {
		if u == normalizeRemoteURL(x) {
			if r.Public != "" {
				return normalizeRemoteURL(r.Public), true
			}
			return u, true
		}
	}
	return "", false
}

// normalizeRemoteURL appends .git and fixes the case of Software-Redhat, as
// osg-build does, and drops a trailing slash.
func normalizeRemoteURL(u string) string {
	u = strings.TrimRight(strings.TrimSpace(u), "/")
	if !strings.HasSuffix(u, ".git") {
		u += ".git"
	}
	return softwareRedhatRe().ReplaceAllString(u, "Software-Redhat")
}

var softwareRedhatRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?i)software-redhat`) })

// stripUserinfo drops a user (and token) from an http(s) URL:
// https://me@github.com/x.git names the same repository as
// https://github.com/x.git.
func stripUserinfo(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.User == nil || (u.Scheme != "https" && u.Scheme != "http") {
		return s
	}
	u.User = nil
	return u.String()
}

// Protection is one record of the branch/target protection table.
type Protection struct {
	Name          string
	Remotes       []string
	KojiTarget    *regexp.Regexp
	SubtreeBranch *regexp.Regexp // SVN branch or subtree directory; nil = SVN may not build
	GitBranch     *regexp.Regexp // nil = git may not build
}

// Config is the source control data: the SVN public root, the known git
// remotes and the protection table.
type Config struct {
	SVNPublicRoot string
	SVNRedhatPath string
	Remotes       []*Remote
	Protections   []*Protection
}

// Default returns the configuration shipped in the binary.
func Default() *Config {
	c := &Config{}
	if err := c.merge(shippedINI, "vcs.ini (built in)"); err != nil {
		panic(fmt.Sprintf("built-in vcs.ini: %v", err))
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

// Remote returns the known remote with the given name, or nil.
func (c *Config) Remote(name string) *Remote {
	for _, r := range c.Remotes {
		if r.Name == name {
			return r
		}
	}
	return nil
}

// KnownRemote returns the known remote a fetch URL names and the URL Koji
// must use for it, or nil.
func (c *Config) KnownRemote(fetchURL string) (*Remote, string) {
	u := normalizeRemoteURL(stripUserinfo(fetchURL))
	for _, r := range c.Remotes {
		if pub, ok := r.match(u); ok {
			return r, pub
		}
	}
	return nil, ""
}

// Merge reads a file in the format of the shipped vcs.ini over c. On error c
// is left unchanged.
func (c *Config) Merge(data []byte, name string) error {
	n := c.clone()
	if err := n.merge(data, name); err != nil {
		return err
	}
	*c = *n
	return nil
}

func (c *Config) clone() *Config {
	n := &Config{SVNPublicRoot: c.SVNPublicRoot, SVNRedhatPath: c.SVNRedhatPath}
	for _, r := range c.Remotes {
		cp := *r
		cp.URLs = slices.Clone(r.URLs)
		n.Remotes = append(n.Remotes, &cp)
	}
	for _, p := range c.Protections {
		cp := *p
		cp.Remotes = slices.Clone(p.Remotes)
		n.Protections = append(n.Protections, &cp)
	}
	return n
}

func (c *Config) merge(data []byte, name string) error {
	f, err := ini.LoadSources(ini.LoadOptions{IgnoreInlineComment: true, KeyValueDelimiters: "="}, data)
	if err != nil {
		return fmt.Errorf("parse %s: %w: fix the file's syntax (INI: [section] and key = value lines)", name, err)
	}
	for _, sec := range f.Sections() {
		sname := sec.Name()
		kind, rest, _ := strings.Cut(sname, " ")
		rest = strings.TrimSpace(rest)
		var err error
		switch {
		case sname == ini.DefaultSection:
			if len(sec.Keys()) > 0 {
				err = errors.New("keys before the first [section]")
			}
		case sname == "svn":
			err = c.mergeSVN(sec)
		case kind == "remote" && rest != "":
			err = c.mergeRemote(rest, sec)
		case kind == "protect" && rest != "":
			err = c.mergeProtection(rest, sec)
		default:
			err = errors.New("unknown section: use [svn], [remote NAME] or [protect NAME]")
		}
		if err != nil {
			return fmt.Errorf("%s: [%s]: %w", name, sname, err)
		}
	}
	return c.validate(name)
}

func (c *Config) mergeSVN(sec *ini.Section) error {
	for _, k := range sec.Keys() {
		v := strings.TrimSpace(k.Value())
		switch k.Name() {
		case "public_root":
			c.SVNPublicRoot = strings.TrimRight(v, "/")
		case "redhat_path":
			c.SVNRedhatPath = "/" + strings.Trim(v, "/")
		default:
			return fmt.Errorf("unknown key %q (known: public_root, redhat_path)", k.Name())
		}
	}
	return nil
}

func (c *Config) mergeRemote(name string, sec *ini.Section) error {
	r := c.Remote(name)
	if r == nil {
		r = &Remote{Name: name, Layout: Legacy}
		c.Remotes = append(c.Remotes, r)
	}
	for _, k := range sec.Keys() {
		v := strings.TrimSpace(k.Value())
		switch k.Name() {
		case "github":
			r.GitHub = strings.TrimPrefix(v, "/")
		case "urls":
			r.URLs = strings.Fields(v)
		case "public":
			r.Public = v
		case "layout":
			switch Layout(v) {
			case Legacy, Subtree:
				r.Layout = Layout(v)
			default:
				return fmt.Errorf("layout %q: use legacy or subtree", v)
			}
		case "git_svn":
			b, err := k.Bool()
			if err != nil {
				return fmt.Errorf("git_svn %q: use true or false", v)
			}
			r.GitSVN = b
		default:
			return fmt.Errorf("unknown key %q (known: github, urls, public, layout, git_svn)", k.Name())
		}
	}
	return nil
}

func (c *Config) mergeProtection(name string, sec *ini.Section) error {
	var p *Protection
	for _, x := range c.Protections {
		if x.Name == name {
			p = x
		}
	}
	if p == nil {
		p = &Protection{Name: name}
		c.Protections = append(c.Protections, p)
	}
	compile := func(key, v string) (*regexp.Regexp, error) {
		if v == "" {
			return nil, nil
		}
		// Every pattern must match the whole string (Python's fullmatch).
		re, err := regexp.Compile(`^(?:` + v + `)$`)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", key, err)
		}
		return re, nil
	}
	for _, k := range sec.Keys() {
		v := strings.TrimSpace(k.Value())
		var err error
		switch k.Name() {
		case "remotes":
			p.Remotes = strings.Fields(v)
		case "koji_target":
			p.KojiTarget, err = compile(k.Name(), v)
		case "subtree_branch", "svn_branch":
			p.SubtreeBranch, err = compile(k.Name(), v)
		case "git_branch":
			p.GitBranch, err = compile(k.Name(), v)
		default:
			err = fmt.Errorf("unknown key %q (known: remotes, koji_target, subtree_branch, git_branch)", k.Name())
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func (c *Config) validate(name string) error {
	if c.SVNPublicRoot == "" {
		return fmt.Errorf("%s: [svn] public_root is missing", name)
	}
	for _, r := range c.Remotes {
		if r.GitHub == "" && len(r.URLs) == 0 {
			return fmt.Errorf("%s: [remote %s]: give github = owner/repo.git or urls = URL...", name, r.Name)
		}
	}
	for _, p := range c.Protections {
		if p.KojiTarget == nil {
			return fmt.Errorf("%s: [protect %s]: koji_target is missing", name, p.Name)
		}
		if len(p.Remotes) == 0 {
			return fmt.Errorf("%s: [protect %s]: remotes is missing (the names of the remotes allowed)", name, p.Name)
		}
		for _, rn := range p.Remotes {
			if c.Remote(rn) == nil {
				return fmt.Errorf("%s: [protect %s]: remotes: no [remote %s]", name, p.Name, rn)
			}
		}
	}
	return nil
}
