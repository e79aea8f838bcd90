// Package source parses the upstream/*.source files of an OSG package
// directory, with the grammar of osg-build's fetch_sources.py:
//
//   - '#' starts a comment at the beginning of a line or after whitespace;
//     blank lines are ignored;
//   - a line is split on whitespace; a token matching ^\w+= is a keyword
//     field, any other token is positional;
//   - without type=, the type is inferred from the first positional token:
//     ^\w+:// or a leading / gives uri (a bare /path becomes file:///path),
//     anything else is a cached relpath; a first token ending in .git is an
//     error, since git sources need an explicit type;
//   - positional tokens fill, in order: cached "relpath sha1sum",
//     uri "uri sha1sum", git "url tag hash", github "repo tag hash".
//
// Every line yields one [Line]. Mistakes are [*ParseError] values that
// name the file and line and say what to do. This package only parses;
// internal/packaging/fetch downloads.
package source

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"regexp"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// Type is the kind of a source line.
type Type string

// The source types.
const (
	Cached Type = "cached" // a file in the upstream cache: prefix + "/" + relpath
	URI    Type = "uri"    // a file at a URL (http, https, file)
	Git    Type = "git"    // a tarball made by git archive from url and tag
	GitHub Type = "github" // same as git, with url https://github.com/<repo>
)

// Types lists the valid types in the order osg-build documents them.
var Types = []Type{Cached, URI, Git, GitHub}

// GitHubURLPrefix is the URL a github line's repo= is appended to.
const GitHubURLPrefix = "https://github.com/"

// Line is one parsed source line.
type Line struct {
	File   string // the .source file name as given to the parser
	LineNo int    // 1-based line number
	Raw    string // the line as written, without the newline

	Type Type
	// Path is, for cached lines, the relpath in the upstream cache
	// (<PKG>/<VERSION>/<FILE>); for uri lines, the URI (file:///path for a
	// bare /path). Empty for git and github lines.
	Path string
	// SHA1 comes from sha1sum= or the positional checksum; SHA256 from
	// sha256sum=. Both are lower-case hex when set.
	SHA1, SHA256 string
	// Filename is the output name of a uri line (filename=), as written.
	Filename string
	// Git and github fields. URL is filled in for github lines
	// (GitHubURLPrefix + Repo).
	URL, Tag, Hash, Name, Tarball, Prefix, Spec, Repo string
	// Submodules (submodules=true) puts the git submodules into the tarball.
	Submodules bool
	// NoSpec is set by an empty spec= field: no spec is taken from the
	// repository even when the caller asks for one (as in osg-build).
	NoSpec bool
}

// ParseError is a mistake in a .source file.
type ParseError struct {
	File string
	Line int
	Msg  string
}

func (e *ParseError) Error() string { return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg) }

// fieldsByType lists the keyword fields each type accepts; the first
// entries are also its positional parameters, in order.
var (
	positional = map[Type][]string{
		Cached: {"relpath", "sha1sum"},
		URI:    {"uri", "sha1sum"},
		Git:    {"url", "tag", "hash"},
		GitHub: {"repo", "tag", "hash"},
	}
	keywords = map[Type][]string{
		Cached: {"relpath", "sha1sum", "sha256sum"},
		URI:    {"uri", "sha1sum", "sha256sum", "filename"},
		Git:    {"url", "tag", "hash", "name", "tarball", "prefix", "spec", "submodules"},
		GitHub: {"repo", "tag", "hash", "name", "tarball", "prefix", "spec", "submodules"},
	}
	required = map[Type][]string{
		Cached: {"relpath"},
		URI:    {"uri"},
		Git:    {"url", "tag"},
		GitHub: {"repo", "tag"},
	}
)

var (
	hexRE    = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[0-9a-fA-F]+$`) })
	githubRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^([^\s/]+)/([^\s/]+?)(?:.git)?$`) })
	// ErrBlank is returned by ParseLine for a blank or comment-only line.
	ErrBlank = errors.New("blank or comment-only line")
)

// isWord reports whether r is a Python regular-expression \w character
// (str.isalnum() or '_').
func isWord(r rune) bool { return r == '_' || unicode.IsLetter(r) || unicode.IsNumber(r) }

// keyword splits "key=value" when key matches ^\w+; ok is false for a
// positional token.
func keyword(tok string) (key, value string, ok bool) {
	i := strings.IndexByte(tok, '=')
	if i <= 0 {
		return "", "", false
	}
	for _, r := range tok[:i] {
		if !isWord(r) {
			return "", "", false
		}
	}
	return tok[:i], tok[i+1:], true
}

// hasScheme reports whether s matches ^\w+://.
func hasScheme(s string) bool {
	i := strings.Index(s, "://")
	if i <= 0 {
		return false
	}
	for _, r := range s[:i] {
		if !isWord(r) {
			return false
		}
	}
	return true
}

// StripComment removes a comment: '#' at the start of the line or after
// whitespace, to the end of the line, as fetch_sources.py's
// re.sub(r"(^|\s)#.*", "", line) does.
func StripComment(line string) string {
	for i, r := range line {
		if r == '#' {
			if i == 0 {
				return ""
			}
			if prev, _ := utf8.DecodeLastRuneInString(line[:i]); isSpace(prev) {
				return line[:i]
			}
		}
	}
	return line
}

// isSpace is Python's str.isspace(), which str.split(), str.strip() and
// the \s of fetch_sources.py's regular expressions use.
func isSpace(r rune) bool { return unicode.IsSpace(r) || (r >= 0x1c && r <= 0x1f) }

// Parse reads a .source file's contents; filename is used in errors and
// stored in each Line. Lines that are blank or only a comment yield nothing.
// The first mistake stops the parse.
func Parse(r io.Reader, filename string) ([]Line, error) {
	var lines []Line
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 16*1024*1024)
	n := 0
	for sc.Scan() {
		n++
		raw := strings.TrimSuffix(sc.Text(), "\r")
		l, err := ParseLine(raw, filename, n)
		if errors.Is(err, ErrBlank) {
			continue
		}
		if err != nil {
			return nil, err
		}
		lines = append(lines, l)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", filename, err)
	}
	return lines, nil
}

// ParseFile parses the named .source file.
func ParseFile(name string) ([]Line, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, fmt.Errorf("read source file: %w", err)
	}
	defer f.Close()
	return Parse(f, name)
}

// IsBlank reports whether a raw line holds nothing but whitespace and a comment.
func IsBlank(raw string) bool { return strings.TrimFunc(StripComment(raw), isSpace) == "" }

// ParseLine parses one raw line (lineNo is 1-based). A blank or comment-only
// line returns [ErrBlank]; use [Parse] for files.
func ParseLine(raw, filename string, lineNo int) (Line, error) {
	text := strings.TrimFunc(StripComment(raw), isSpace)
	if text == "" {
		return Line{}, ErrBlank
	}
	fail := func(format string, args ...any) (Line, error) {
		return Line{}, &ParseError{File: filename, Line: lineNo, Msg: fmt.Sprintf(format, args...)}
	}

	var args []string
	kw := map[string]string{}
	for _, tok := range strings.FieldsFunc(text, isSpace) {
		k, v, ok := keyword(tok)
		if !ok {
			args = append(args, tok)
			continue
		}
		if old, dup := kw[k]; dup {
			return fail("field %q is given twice (%q and %q): keep one", k, old, v)
		}
		kw[k] = v
	}

	var typ Type
	// An empty type= counts as none, as in osg-build.
	t := kw["type"]
	delete(kw, "type")
	if t != "" {
		typ = Type(t)
		if !slices.Contains(Types, typ) {
			return fail("unknown type %q: the valid types are cached, uri, git and github", t)
		}
	} else {
		if len(args) == 0 {
			return fail("no type= and no positional argument to infer the type from: " +
				"start the line with a cache path (PKG/VERSION/FILE) or a URL, or add type=")
		}
		switch first := args[0]; {
		case strings.HasSuffix(first, ".git"):
			return fail("%q looks like a git repository, but git sources need an explicit type: "+
				"write type=git url=%s tag=TAG hash=COMMIT (or type=github repo=OWNER/PROJECT ...)", first, first)
		case hasScheme(first) || strings.HasPrefix(first, "/"):
			typ = URI
		default:
			typ = Cached
		}
	}

	pos := positional[typ]
	if len(args) > len(pos) {
		return fail("too many positional arguments for type=%s (%s): at most %d are allowed (%s); "+
			"write the others as field=value", typ, strings.Join(args, " "), len(pos), strings.Join(pos, " "))
	}
	fields := map[string]string{}
	for i, a := range args {
		if _, dup := kw[pos[i]]; dup {
			return fail("positional argument %q and field %s= both give %s: keep one", a, pos[i], pos[i])
		}
		fields[pos[i]] = a
	}
	for k, v := range kw {
		if !slices.Contains(keywords[typ], k) {
			return fail("unknown field %q for type=%s: the valid fields are %s",
				k, typ, strings.Join(keywords[typ], ", "))
		}
		fields[k] = v
	}
	for _, k := range required[typ] {
		if fields[k] == "" {
			return fail("type=%s needs %s=: add it", typ, k)
		}
	}

	l := Line{File: filename, LineNo: lineNo, Raw: raw, Type: typ}
	if v, ok := fields["sha1sum"]; ok {
		if len(v) != 40 || !hexRE().MatchString(v) {
			return fail("sha1sum %q is not 40 hexadecimal digits: run `osg-build checksum FILE` to get it", v)
		}
		l.SHA1 = strings.ToLower(v)
	}
	if v, ok := fields["sha256sum"]; ok {
		if len(v) != 64 || !hexRE().MatchString(v) {
			return fail("sha256sum %q is not 64 hexadecimal digits: run `osg-build checksum FILE` to get it", v)
		}
		l.SHA256 = strings.ToLower(v)
	}

	switch typ {
	case Cached:
		l.Path = fields["relpath"]
		if name := basename(l.Path); name == "" || name == "." || name == ".." {
			return fail("cache path %q does not name a file: write PKG/VERSION/FILE", l.Path)
		}
	case URI:
		l.Path = fields["uri"]
		if strings.HasPrefix(l.Path, "/") {
			l.Path = "file://" + l.Path
		}
		if v, ok := fields["filename"]; ok {
			if base := path.Base(v); v == "" || base == "." || base == "/" || base == ".." {
				return fail("filename %q does not name a file: give a plain file name", v)
			}
			l.Filename = v
		}
		if name := l.OutputName(); name == "" || name == "." || name == ".." {
			return fail("cannot tell the output file name from %q: add filename=NAME", l.Path)
		}
	case Git, GitHub:
		l.URL = fields["url"]
		l.Repo = fields["repo"]
		l.Tag = fields["tag"]
		l.Hash = fields["hash"]
		l.Name = fields["name"]
		l.Tarball = fields["tarball"]
		l.Prefix = fields["prefix"]
		if v, ok := fields["spec"]; ok {
			if b := path.Base(v); v != "" && (b == "." || b == ".." || b == "/") {
				return fail("spec=%q does not name a file: give the spec's path in the repository, or spec= for none", v)
			}
			l.Spec = v
			l.NoSpec = v == ""
		}
		if v, ok := fields["submodules"]; ok {
			switch strings.ToLower(v) {
			case "true", "yes", "1", "on":
				l.Submodules = true
			case "false", "no", "0", "off", "":
			default:
				return fail("submodules=%q: write submodules=true or leave the field out", v)
			}
		}
		for _, k := range []string{"url", "repo", "tag", "hash"} {
			if strings.HasPrefix(fields[k], "-") {
				return fail("%s=%q starts with '-', which git would read as an option: fix the value", k, fields[k])
			}
		}
		if typ == GitHub {
			if !githubRE().MatchString(l.Repo) {
				return fail("repo=%q: for type=github, repo must be OWNER/PROJECT", l.Repo)
			}
			l.URL = GitHubURLPrefix + l.Repo
		}
		if l.Tarball != "" && !strings.HasSuffix(l.Tarball, ".tar.gz") {
			return fail("tarball=%q must end with .tar.gz", l.Tarball)
		}
		if l.GitName() == "" {
			return fail("cannot tell the package name from url %q: add name=NAME", l.URL)
		}
		prefix, tarball := l.GitPrefixAndTarball()
		if prefix == "" || tarball == "" || tarball == ".tar.gz" {
			return fail("cannot make a tarball name from tag %q: add tarball=NAME-VERSION.tar.gz", l.Tag)
		}
		// osg-build would write such a tarball into a subdirectory of the
		// destination, or outside it.
		if strings.Contains(tarball, "/") {
			return fail("the tarball name %q (from name=, prefix= or the tag) is not a plain file name: add tarball=NAME-VERSION.tar.gz", tarball)
		}
	}
	return l, nil
}

// OutputName is the name of the file the line writes into the destination
// directory: the relpath's or URI's base name (or filename=) for cached
// and uri lines, the tarball for git and github lines (a spec taken from
// the repository is written as well; see SpecPath).
func (l Line) OutputName() string {
	switch l.Type {
	case Cached:
		return basename(l.Path)
	case URI:
		if l.Filename != "" {
			return path.Base(l.Filename)
		}
		return basename(l.Path)
	case Git, GitHub:
		_, t := l.GitPrefixAndTarball()
		return t
	}
	return ""
}

// basename is Python's os.path.basename: what follows the last '/'.
func basename(s string) string {
	if i := strings.LastIndexByte(s, '/'); i >= 0 {
		return s[i+1:]
	}
	return s
}

// GitName is the package name of a git or github line: name=, or the base
// name of the URL without .git.
func (l Line) GitName() string {
	if l.Name != "" {
		return l.Name
	}
	return strings.TrimSuffix(basename(l.URL), ".git")
}

// GitPrefixAndTarball returns the directory prefix inside the tarball and
// the tarball's file name, by osg-build's rules: prefix= (without
// surrounding slashes) wins; otherwise tarball= minus .tar.gz; otherwise
// NAME-VERSION, where VERSION is the base name of the tag without a 'v'
// before a digit and without anything from the first '-' (v1.2.3-4 gives
// 1.2.3). The tarball is tarball= (its base name) or PREFIX.tar.gz.
func (l Line) GitPrefixAndTarball() (prefix, tarball string) {
	prefix = strings.Trim(l.Prefix, "/")
	if prefix == "" {
		if l.Tarball != "" {
			prefix = strings.TrimSuffix(basename(l.Tarball), ".tar.gz")
		} else if v := TagVersion(l.Tag); v != "" {
			prefix = l.GitName() + "-" + v
		}
	}
	if l.Tarball != "" {
		tarball = basename(l.Tarball)
	} else if prefix != "" {
		tarball = prefix + ".tar.gz"
	}
	return prefix, tarball
}

// TagVersion is the version osg-build derives from a git tag: the tag's
// base name, without a leading 'v' that is followed by a digit, up to the
// first '-' (re.match(r'(?:v(?=\d))?([^-]+)', basename(tag))). It is ""
// when nothing is left.
func TagVersion(tag string) string {
	t := basename(tag)
	if len(t) >= 2 && t[0] == 'v' && t[1] >= '0' && t[1] <= '9' {
		t = t[1:]
	}
	if i := strings.IndexByte(t, '-'); i >= 0 {
		t = t[:i]
	}
	return t
}

// SpecPath is the path in the repository of the spec file to extract for a
// git or github line: spec=, or rpm/<name>.spec. It is "" for other types
// and when spec= was given empty.
func (l Line) SpecPath() string {
	if l.Type != Git && l.Type != GitHub || l.NoSpec {
		return ""
	}
	if l.Spec != "" {
		return l.Spec
	}
	return "rpm/" + l.GitName() + ".spec"
}

// Checksummed reports whether a cached or uri line carries a checksum.
func (l Line) Checksummed() bool { return l.SHA1 != "" || l.SHA256 != "" }

// NeedsKeyword reports whether a path must be written as a keyword field
// (relpath=, uri=) rather than as a positional token: with an "=" it could
// read as a field itself, and a leading "#" would start a comment.
func NeedsKeyword(v string) bool {
	return strings.Contains(v, "=") || strings.HasPrefix(v, "#")
}

// String formats the line back in the .source syntax, with every field
// named (keyword order is fixed), for messages and tests.
func (l Line) String() string {
	var parts []string
	add := func(k, v string) {
		if v != "" {
			parts = append(parts, k+"="+v)
		}
	}
	switch l.Type {
	case Cached, URI:
		parts = append(parts, "type="+string(l.Type))
		if NeedsKeyword(l.Path) {
			key := "relpath"
			if l.Type == URI {
				key = "uri"
			}
			parts = append(parts, key+"="+l.Path)
		} else {
			parts = append(parts, l.Path)
		}
		add("sha1sum", l.SHA1)
		add("sha256sum", l.SHA256)
		add("filename", l.Filename)
	default:
		parts = append(parts, "type="+string(l.Type))
		if l.Type == GitHub {
			add("repo", l.Repo)
		} else {
			add("url", l.URL)
		}
		add("tag", l.Tag)
		add("hash", l.Hash)
		add("name", l.Name)
		add("tarball", l.Tarball)
		add("prefix", l.Prefix)
		add("spec", l.Spec)
		if l.NoSpec {
			parts = append(parts, "spec=")
		}
		if l.Submodules {
			add("submodules", "true")
		}
	}
	return strings.Join(parts, " ")
}
