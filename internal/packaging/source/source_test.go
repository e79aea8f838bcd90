package source

import (
	"bufio"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// realLine is one row of testdata/sources/source-lines.tsv: every line of
// every upstream/*.source file of the OSG packaging repository.
type realLine struct{ file, text string }

func readRealLines(t testing.TB) []realLine {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "..", "..", "testdata", "sources", "source-lines.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var rows []realLine
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		file, text, ok := strings.Cut(sc.Text(), "\t")
		if !ok {
			continue // the header comment
		}
		rows = append(rows, realLine{file, text})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return rows
}

func TestParseRealSourceLines(t *testing.T) {
	rows := readRealLines(t)
	if len(rows) != 720 {
		t.Fatalf("read %d rows, want 720", len(rows))
	}
	counts := map[Type]int{}
	comments := 0
	byRaw := map[string]Line{}
	for i, r := range rows {
		lines, err := Parse(strings.NewReader(r.text+"\n"), r.file)
		if err != nil {
			t.Errorf("row %d (%s): %v", i+1, r.file, err)
			continue
		}
		if IsBlank(r.text) {
			comments++
			if len(lines) != 0 {
				t.Errorf("row %d: comment line %q parsed into %v", i+1, r.text, lines)
			}
			continue
		}
		if len(lines) != 1 {
			t.Errorf("row %d: %q gave %d lines", i+1, r.text, len(lines))
			continue
		}
		l := lines[0]
		counts[l.Type]++
		byRaw[r.text] = l
		if l.File != r.file || l.LineNo != 1 || l.Raw != r.text {
			t.Errorf("row %d: position %s:%d %q", i+1, l.File, l.LineNo, l.Raw)
		}
		switch l.Type {
		case Cached:
			if l.SHA1 == "" || l.Path == "" || strings.Count(l.Path, "/") < 2 {
				t.Errorf("row %d: cached line without sha1sum or PKG/VER/FILE: %+v", i+1, l)
			}
		case Git, GitHub:
			if l.URL == "" || l.Tag == "" || len(l.Hash) != 40 {
				t.Errorf("row %d: git line without url, tag or hash: %+v", i+1, l)
			}
			if !strings.HasSuffix(l.OutputName(), ".tar.gz") {
				t.Errorf("row %d: output %q", i+1, l.OutputName())
			}
		}
		// String() gives a line that parses back to the same fields.
		again, err := ParseLine(l.String(), l.File, l.LineNo)
		if err != nil {
			t.Errorf("row %d: reparse %q: %v", i+1, l.String(), err)
			continue
		}
		again.Raw = l.Raw
		if !reflect.DeepEqual(again, l) {
			t.Errorf("row %d: round trip\n got %+v\nwant %+v", i+1, again, l)
		}
	}
	want := map[Type]int{Cached: 319, GitHub: 146, Git: 33}
	if !reflect.DeepEqual(counts, want) {
		t.Errorf("type counts %v, want %v", counts, want)
	}
	if comments != 222 {
		t.Errorf("%d comment lines, want 222", comments)
	}
	withSpec, withTarball, withSub := 0, 0, 0
	for _, l := range byRaw {
		if l.Spec != "" {
			withSpec++
		}
		if l.Tarball != "" {
			withTarball++
		}
		if l.Submodules {
			withSub++
		}
	}
	if withSpec == 0 || withTarball == 0 || withSub == 0 {
		t.Errorf("distinct lines with spec=%d tarball=%d submodules=%d; want some of each", withSpec, withTarball, withSub)
	}

	// Spot checks of real lines.
	spot := []struct {
		raw    string
		want   Line
		output string
		prefix string
	}{
		{
			raw: "xrootd/4.12.6/xrootd-4.12.6.tar.gz sha1sum=2932899094fceed10cc424067f58049aa998284b",
			want: Line{Type: Cached, Path: "xrootd/4.12.6/xrootd-4.12.6.tar.gz",
				SHA1: "2932899094fceed10cc424067f58049aa998284b"},
			output: "xrootd-4.12.6.tar.gz",
		},
		{
			raw: "type=github repo=pboettch/json-schema-validator tag=2.3.0 hash=349cba9f7e3cb423bbc1811bdd9f6770f520b468",
			want: Line{Type: GitHub, Repo: "pboettch/json-schema-validator", URL: "https://github.com/pboettch/json-schema-validator",
				Tag: "2.3.0", Hash: "349cba9f7e3cb423bbc1811bdd9f6770f520b468"},
			output: "json-schema-validator-2.3.0.tar.gz", prefix: "json-schema-validator-2.3.0",
		},
		{
			raw: "type=git url=https://github.com/cvmfs-contrib/cvmfs-manage-replicas.git tag=v1.5 hash=11e3c094865c24234cb415d96dbfbfe52b7743ae",
			want: Line{Type: Git, URL: "https://github.com/cvmfs-contrib/cvmfs-manage-replicas.git",
				Tag: "v1.5", Hash: "11e3c094865c24234cb415d96dbfbfe52b7743ae"},
			output: "cvmfs-manage-replicas-1.5.tar.gz", prefix: "cvmfs-manage-replicas-1.5",
		},
		{
			raw: "type=github repo=osg-htc/koji-plugin-sign tag=v1.4.0-17 hash=a4e93b933014e668fe9d262d17f2ca5d3e95435e",
			want: Line{Type: GitHub, Repo: "osg-htc/koji-plugin-sign", URL: "https://github.com/osg-htc/koji-plugin-sign",
				Tag: "v1.4.0-17", Hash: "a4e93b933014e668fe9d262d17f2ca5d3e95435e"},
			output: "koji-plugin-sign-1.4.0.tar.gz", prefix: "koji-plugin-sign-1.4.0",
		},
		{
			raw: "type=github repo=opensciencegrid/osg-vo-config tag=release-142-2 name=vo-client tarball=vo-client-142-2.tar.gz hash=08a89edd65edef5f10a27f1023ce6c4f6da064f7",
			want: Line{Type: GitHub, Repo: "opensciencegrid/osg-vo-config", URL: "https://github.com/opensciencegrid/osg-vo-config",
				Tag: "release-142-2", Name: "vo-client", Tarball: "vo-client-142-2.tar.gz", Hash: "08a89edd65edef5f10a27f1023ce6c4f6da064f7"},
			output: "vo-client-142-2.tar.gz", prefix: "vo-client-142-2",
		},
		{
			raw: "type=github repo=opensciencegrid/osg-flock spec=rpm/ospool-ap.spec tag=1.10-3 hash=061a8d95a31da59f522c1fffccb206764b7a58c5",
			want: Line{Type: GitHub, Repo: "opensciencegrid/osg-flock", URL: "https://github.com/opensciencegrid/osg-flock",
				Spec: "rpm/ospool-ap.spec", Tag: "1.10-3", Hash: "061a8d95a31da59f522c1fffccb206764b7a58c5"},
			output: "osg-flock-1.10.tar.gz", prefix: "osg-flock-1.10",
		},
		{
			raw: "type=github  repo=PelicanPlatform/xrdcl-pelican  tag=v1.5.6  hash=fd1fe6cf379f6c87fe6ffb877c3986814051c854",
			want: Line{Type: GitHub, Repo: "PelicanPlatform/xrdcl-pelican", URL: "https://github.com/PelicanPlatform/xrdcl-pelican",
				Tag: "v1.5.6", Hash: "fd1fe6cf379f6c87fe6ffb877c3986814051c854"},
			output: "xrdcl-pelican-1.5.6.tar.gz", prefix: "xrdcl-pelican-1.5.6",
		},
	}
	for _, s := range spot {
		got, ok := byRaw[s.raw]
		if !ok {
			t.Errorf("spot line not in the corpus: %q", s.raw)
			continue
		}
		s.want.File, s.want.LineNo, s.want.Raw = got.File, got.LineNo, got.Raw
		if !reflect.DeepEqual(got, s.want) {
			t.Errorf("%q:\n got %+v\nwant %+v", s.raw, got, s.want)
		}
		if got.OutputName() != s.output {
			t.Errorf("%q: output %q, want %q", s.raw, got.OutputName(), s.output)
		}
		if p, _ := got.GitPrefixAndTarball(); p != s.prefix {
			t.Errorf("%q: prefix %q, want %q", s.raw, p, s.prefix)
		}
	}
	// Every real submodules line is a github line with submodules=true.
	for raw, l := range byRaw {
		if strings.Contains(raw, "submodules=true") && (!l.Submodules || l.Type != GitHub) {
			t.Errorf("%q: %+v", raw, l)
		}
	}
}

func TestParseRules(t *testing.T) {
	const h1 = "2932899094fceed10cc424067f58049aa998284b"
	const h256 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
	tests := []struct {
		name string
		line string
		want Line // File, LineNo and Raw are filled in
	}{
		{"cached positional checksum", "pkg/1.0/pkg-1.0.tar.gz " + h1,
			Line{Type: Cached, Path: "pkg/1.0/pkg-1.0.tar.gz", SHA1: h1}},
		{"cached keyword checksum", "pkg/1.0/pkg-1.0.tar.gz sha1sum=" + h1,
			Line{Type: Cached, Path: "pkg/1.0/pkg-1.0.tar.gz", SHA1: h1}},
		{"cached sha256", "pkg/1.0/f sha1sum=" + h1 + " sha256sum=" + strings.ToUpper(h256),
			Line{Type: Cached, Path: "pkg/1.0/f", SHA1: h1, SHA256: h256}},
		{"cached no checksum", "pkg/1.0/f", Line{Type: Cached, Path: "pkg/1.0/f"}},
		{"explicit cached relpath field", "type=cached relpath=a/b/c", Line{Type: Cached, Path: "a/b/c"}},
		{"uri https", "https://example.org/x/y-1.tar.bz2 sha1sum=" + h1,
			Line{Type: URI, Path: "https://example.org/x/y-1.tar.bz2", SHA1: h1}},
		{"uri bare path", "/srv/files/a.tgz", Line{Type: URI, Path: "file:///srv/files/a.tgz"}},
		{"uri file url", "file:///srv/a.tgz", Line{Type: URI, Path: "file:///srv/a.tgz"}},
		{"uri filename", "https://example.org/download?id=3 filename=sub/x.tar.gz",
			Line{Type: URI, Path: "https://example.org/download?id=3", Filename: "sub/x.tar.gz"}},
		{"uri explicit keyword", "type=uri uri=/a/b", Line{Type: URI, Path: "file:///a/b"}},
		{"comment after whitespace", "pkg/1/f # sha1sum=nothing", Line{Type: Cached, Path: "pkg/1/f"}},
		{"hash not after whitespace is text", "pkg/1/f#x", Line{Type: Cached, Path: "pkg/1/f#x"}},
		{"tabs and spaces", "\t type=git\turl=https://h/o/p.git   tag=1.0  \t",
			Line{Type: Git, URL: "https://h/o/p.git", Tag: "1.0"}},
		{"empty type infers", "type= pkg/1/f", Line{Type: Cached, Path: "pkg/1/f"}},
		{"value with equals", "type=git url=https://h/p.git?a=b tag=t=1",
			Line{Type: Git, URL: "https://h/p.git?a=b", Tag: "t=1"}},
		{"git positional", "type=git https://h/o/proj.git v2.0 abc",
			Line{Type: Git, URL: "https://h/o/proj.git", Tag: "v2.0", Hash: "abc"}},
		{"github positional", "type=github o/p 1.0",
			Line{Type: GitHub, Repo: "o/p", URL: "https://github.com/o/p", Tag: "1.0"}},
		{"github .git repo", "type=github repo=o/p.git tag=1.0",
			Line{Type: GitHub, Repo: "o/p.git", URL: "https://github.com/o/p.git", Tag: "1.0"}},
		{"git all fields", "type=git url=/srv/r.git tag=HEAD hash=0 name=n tarball=dir/n-1.tar.gz prefix=/p/ spec=s.spec submodules=True",
			Line{Type: Git, URL: "/srv/r.git", Tag: "HEAD", Hash: "0", Name: "n", Tarball: "dir/n-1.tar.gz",
				Prefix: "/p/", Spec: "s.spec", Submodules: true}},
		{"empty spec disables", "type=git url=u/r.git tag=1 spec=",
			Line{Type: Git, URL: "u/r.git", Tag: "1", NoSpec: true}},
		{"submodules false", "type=git url=u/r.git tag=1 submodules=false",
			Line{Type: Git, URL: "u/r.git", Tag: "1"}},
		{"unicode word key", "pkg/1/f sha1sum=" + h1 + " # ünïcode",
			Line{Type: Cached, Path: "pkg/1/f", SHA1: h1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lines, err := Parse(strings.NewReader("# header\n\n"+tt.line+"\n"), "x.source")
			if err != nil {
				t.Fatal(err)
			}
			if len(lines) != 1 {
				t.Fatalf("got %d lines", len(lines))
			}
			tt.want.File, tt.want.LineNo, tt.want.Raw = "x.source", 3, tt.line
			if !reflect.DeepEqual(lines[0], tt.want) {
				t.Errorf("\n got %+v\nwant %+v", lines[0], tt.want)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, line, want string
	}{
		{"git without type", "https://github.com/o/p.git", "git sources need an explicit type"},
		{"bare .git without type", "o/p.git", "git sources need an explicit type"},
		{"unknown type", "type=svn url=x", `unknown type "svn"`},
		{"no positional", "sha1sum=2932899094fceed10cc424067f58049aa998284b", "no type= and no positional"},
		{"git missing url", "type=git tag=1", "type=git needs url="},
		{"git missing tag", "type=git url=https://h/p.git", "type=git needs tag="},
		{"git empty tag", "type=git url=https://h/p.git tag=", "type=git needs tag="},
		{"github missing repo", "type=github tag=1", "type=github needs repo="},
		{"github bad repo", "type=github repo=onlyone tag=1", "repo must be OWNER/PROJECT"},
		{"github three parts", "type=github repo=a/b/c tag=1", "repo must be OWNER/PROJECT"},
		{"tarball suffix", "type=git url=u/p.git tag=1 tarball=p-1.zip", "must end with .tar.gz"},
		{"too many positional", "a/b/c 2932899094fceed10cc424067f58049aa998284b extra", "too many positional arguments"},
		{"positional and keyword", "a/b/c 2932899094fceed10cc424067f58049aa998284b sha1sum=2932899094fceed10cc424067f58049aa998284b", "both give sha1sum"},
		{"unknown field cached", "a/b/c tag=1", `unknown field "tag" for type=cached`},
		{"url on github", "type=github repo=o/p tag=1 url=x", `unknown field "url" for type=github`},
		{"filename on cached", "a/b/c filename=x", `unknown field "filename"`},
		{"duplicate field", "type=git url=u/p.git tag=1 tag=2", `field "tag" is given twice`},
		{"bad sha1", "a/b/c sha1sum=xyz", "is not 40 hexadecimal digits"},
		{"bad sha256", "a/b/c sha256sum=2932899094fceed10cc424067f58049aa998284b", "is not 64 hexadecimal digits"},
		{"bad submodules", "type=git url=u/p.git tag=1 submodules=maybe", "submodules="},
		{"no tag version", "type=git url=u/p.git tag=x/-1", "cannot make a tarball name"},
		{"no name", "type=git url=https://h/ tag=1", "cannot tell the package name"},
		{"tarball outside", "type=git url=u/p.git name=../up tag=v1.0", "is not a plain file name"},
		{"tarball in a subdirectory", "type=github repo=o/p prefix=a/b tag=1", "is not a plain file name"},
		{"spec not a file", "type=github repo=o/p tag=1 spec=rpm/..", "does not name a file"},
		{"uri without name", "https://h/dir/", "add filename="},
		{"cached dir", "type=cached relpath=a/b/", "does not name a file"},
		{"option-like tag", "type=git url=u/p.git tag=--upload-pack=x tarball=p-1.tar.gz", "which git would read as an option"},
		{"option-like url", "type=git url=--x/p.git tag=1", "which git would read as an option"},
		{"option-like hash", "type=github repo=o/p tag=1 hash=-x", "which git would read as an option"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(strings.NewReader("# c\n"+tt.line+"\n"), "dir/x.source")
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("got %v, want a ParseError", err)
			}
			if pe.File != "dir/x.source" || pe.Line != 2 {
				t.Errorf("position %s:%d", pe.File, pe.Line)
			}
			if !strings.HasPrefix(err.Error(), "dir/x.source:2: ") || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestGitNaming(t *testing.T) {
	tests := []struct {
		line            string
		prefix, tarball string
		spec            string
	}{
		{"type=git url=https://h/o/proj.git tag=v1.2.3-4", "proj-1.2.3", "proj-1.2.3.tar.gz", "rpm/proj.spec"},
		{"type=git url=https://h/o/proj.git tag=1.2.3", "proj-1.2.3", "proj-1.2.3.tar.gz", "rpm/proj.spec"},
		{"type=git url=https://h/o/proj.git tag=version-2", "proj-version", "proj-version.tar.gz", "rpm/proj.spec"},
		{"type=git url=https://h/o/proj.git tag=refs/tags/v3", "proj-3", "proj-3.tar.gz", "rpm/proj.spec"},
		{"type=git url=https://h/o/proj.git tag=v", "proj-v", "proj-v.tar.gz", "rpm/proj.spec"},
		{"type=git url=https://h/o/proj tag=1 name=other", "other-1", "other-1.tar.gz", "rpm/other.spec"},
		{"type=git url=https://h/o/proj.git tag=1 tarball=x/y-2.tar.gz", "y-2", "y-2.tar.gz", "rpm/proj.spec"},
		{"type=git url=https://h/o/proj.git tag=1 prefix=/top/ spec=a/b.spec", "top", "top.tar.gz", "a/b.spec"},
		{"type=git url=https://h/o/proj.git tag=1 prefix=top tarball=t.tar.gz", "top", "t.tar.gz", "rpm/proj.spec"},
		{"type=github repo=o/proj.git tag=v9", "proj-9", "proj-9.tar.gz", "rpm/proj.spec"},
		{"type=git url=https://h/o/proj.git tag=1 spec=", "proj-1", "proj-1.tar.gz", ""},
	}
	for _, tt := range tests {
		l, err := ParseLine(tt.line, "x", 1)
		if err != nil {
			t.Errorf("%q: %v", tt.line, err)
			continue
		}
		p, tb := l.GitPrefixAndTarball()
		if p != tt.prefix || tb != tt.tarball || l.OutputName() != tt.tarball || l.SpecPath() != tt.spec {
			t.Errorf("%q: prefix %q tarball %q output %q spec %q; want %q %q %q",
				tt.line, p, tb, l.OutputName(), l.SpecPath(), tt.prefix, tt.tarball, tt.spec)
		}
	}
	for _, c := range []struct{ line, out string }{
		{"pkg/1/a.tar.gz", "a.tar.gz"},
		{"https://h/x/b.zip", "b.zip"},
		{"https://h/x/b.zip filename=dir/c.zip", "c.zip"},
		{"/abs/d.rpm", "d.rpm"},
	} {
		l, err := ParseLine(c.line, "x", 1)
		if err != nil || l.OutputName() != c.out || l.SpecPath() != "" {
			t.Errorf("%q: %v %q", c.line, err, l.OutputName())
		}
	}
}

func TestStripComment(t *testing.T) {
	for in, want := range map[string]string{
		"# all":           "",
		"a # b":           "a ",
		"a\t#b":           "a\t",
		"a#b":             "a#b",
		"a#b #c":          "a#b ",
		"url=x#frag tag=": "url=x#frag tag=",
		"x\u00a0#c":       "x\u00a0",
	} {
		if got := StripComment(in); got != want {
			t.Errorf("StripComment(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParseFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "a.source")
	if err := os.WriteFile(p, []byte("# comment\r\n\r\npkg/1/f\r\n  \n type=github repo=o/p tag=1 # c\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	lines, err := ParseFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if len(lines) != 2 || lines[0].LineNo != 3 || lines[1].LineNo != 5 || lines[0].Path != "pkg/1/f" || lines[1].Type != GitHub {
		t.Errorf("got %+v", lines)
	}
	if _, err := ParseFile(filepath.Join(dir, "missing.source")); err == nil || !strings.Contains(err.Error(), "missing.source") {
		t.Errorf("missing file: %v", err)
	}
}

func FuzzParse(f *testing.F) {
	for _, r := range readRealLines(f)[:60] {
		f.Add(r.text)
	}
	for _, s := range []string{
		"", "#", "a#b", "type=", "type=git", "x.git", "/abs", "https://h/", "type=git url=u tag=-",
		"type=github repo=a/b tag=v1-2 tarball=x.tar.gz prefix=/", "a b c d", "a=b=c", "=x", "ü=v w",
		"type=uri uri=/ filename=..", "type=git url=u.git tag=1 spec=",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		lines, err := Parse(strings.NewReader(text), "f.source")
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error is not a ParseError: %v", err)
			}
			if pe.Line < 1 || !strings.HasPrefix(err.Error(), "f.source:") {
				t.Fatalf("bad error position: %v", err)
			}
			return
		}
		for _, l := range lines {
			if !strings.Contains(text, l.Raw) || l.LineNo < 1 {
				t.Fatalf("bad position %d %q", l.LineNo, l.Raw)
			}
			if !containsType(l.Type) {
				t.Fatalf("bad type %q", l.Type)
			}
			out := l.OutputName()
			if out == "" || strings.Contains(out, "/") || out == "." || out == ".." {
				t.Fatalf("%q: bad output name %q", l.Raw, out)
			}
			if (l.SHA1 != "" && len(l.SHA1) != 40) || (l.SHA256 != "" && len(l.SHA256) != 64) {
				t.Fatalf("%q: bad checksums %+v", l.Raw, l)
			}
			switch l.Type {
			case Git, GitHub:
				if l.URL == "" || l.Tag == "" {
					t.Fatalf("%q: git line without url or tag", l.Raw)
				}
				if p, tb := l.GitPrefixAndTarball(); p == "" || !strings.HasSuffix(tb, ".tar.gz") {
					t.Fatalf("%q: prefix %q tarball %q", l.Raw, p, tb)
				}
			default:
				if l.Path == "" {
					t.Fatalf("%q: no path", l.Raw)
				}
			}
			// The canonical form parses back to the same fields.
			again, err := ParseLine(l.String(), l.File, l.LineNo)
			if err != nil {
				t.Fatalf("%q: reparse of %q: %v", l.Raw, l.String(), err)
			}
			again.Raw = l.Raw
			if !reflect.DeepEqual(again, l) {
				t.Fatalf("%q: round trip\n got %+v\nwant %+v", l.Raw, again, l)
			}
		}
	})
}

func containsType(t Type) bool {
	for _, x := range Types {
		if x == t {
			return true
		}
	}
	return false
}
