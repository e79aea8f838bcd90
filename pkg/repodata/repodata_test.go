package repodata

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/osg-htc/osg-build-go/internal/testutil"
)

// fixtures are the committed RPMs (testdata/rpms, rebuilt by regen.sh).
var fixtures = []string{
	"osgtest-full-1.2.3-4.x86_64.rpm",
	"osgtest-full-libs-1.2.3-4.x86_64.rpm",
	"osgtest-noarch-0.5-1.noarch.rpm",
}

func fixturePath(name string) string {
	return filepath.Join("..", "..", "testdata", "rpms", name)
}

// copyFile copies src to dst keeping the modification time.
func copyFile(t testing.TB, src, dst string) {
	t.Helper()
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, data, 0o644); err != nil {
		t.Fatal(err)
	}
	mt := time.Unix(1767225600, 0)
	if err := os.Chtimes(dst, mt, mt); err != nil {
		t.Fatal(err)
	}
}

// fixtureRepo makes a repository directory with the fixtures, the noarch
// one in a subdirectory.
func fixtureRepo(t testing.TB) string {
	dir := t.TempDir()
	for _, f := range fixtures {
		dst := filepath.Join(dir, f)
		if strings.Contains(f, "noarch") {
			dst = filepath.Join(dir, "sub", f)
		}
		copyFile(t, fixturePath(f), dst)
	}
	return dir
}

// Structural view of the metadata, for comparisons.
type xDep struct {
	Name  string `xml:"name,attr"`
	Flags string `xml:"flags,attr"`
	Epoch string `xml:"epoch,attr"`
	Ver   string `xml:"ver,attr"`
	Rel   string `xml:"rel,attr"`
	Pre   string `xml:"pre,attr"`
}

type xFile struct {
	Type string `xml:"type,attr"`
	Path string `xml:",chardata"`
}

type xPackage struct {
	Name    string `xml:"name"`
	Arch    string `xml:"arch"`
	Version struct {
		Epoch string `xml:"epoch,attr"`
		Ver   string `xml:"ver,attr"`
		Rel   string `xml:"rel,attr"`
	} `xml:"version"`
	Checksum struct {
		Type  string `xml:"type,attr"`
		PkgID string `xml:"pkgid,attr"`
		Value string `xml:",chardata"`
	} `xml:"checksum"`
	Summary     string `xml:"summary"`
	Description string `xml:"description"`
	Packager    string `xml:"packager"`
	URL         string `xml:"url"`
	Time        struct {
		File  string `xml:"file,attr"`
		Build string `xml:"build,attr"`
	} `xml:"time"`
	Size struct {
		Package   string `xml:"package,attr"`
		Installed string `xml:"installed,attr"`
		Archive   string `xml:"archive,attr"`
	} `xml:"size"`
	Location struct {
		Href string `xml:"href,attr"`
	} `xml:"location"`
	Format struct {
		License     string `xml:"license"`
		Vendor      string `xml:"vendor"`
		Group       string `xml:"group"`
		Buildhost   string `xml:"buildhost"`
		SourceRPM   string `xml:"sourcerpm"`
		HeaderRange struct {
			Start string `xml:"start,attr"`
			End   string `xml:"end,attr"`
		} `xml:"header-range"`
		Provides    []xDep  `xml:"provides>entry"`
		Requires    []xDep  `xml:"requires>entry"`
		Conflicts   []xDep  `xml:"conflicts>entry"`
		Obsoletes   []xDep  `xml:"obsoletes>entry"`
		Suggests    []xDep  `xml:"suggests>entry"`
		Enhances    []xDep  `xml:"enhances>entry"`
		Recommends  []xDep  `xml:"recommends>entry"`
		Supplements []xDep  `xml:"supplements>entry"`
		Files       []xFile `xml:"file"`
	} `xml:"format"`
}

type xPrimary struct {
	Count    string     `xml:"packages,attr"`
	Packages []xPackage `xml:"package"`
}

type xRepomd struct {
	Revision string `xml:"revision"`
	Data     []struct {
		Type         string `xml:"type,attr"`
		Checksum     string `xml:"checksum"`
		OpenChecksum string `xml:"open-checksum"`
		Location     struct {
			Href string `xml:"href,attr"`
		} `xml:"location"`
		Size     int64 `xml:"size"`
		OpenSize int64 `xml:"open-size"`
	} `xml:"data"`
}

func readRepomd(t testing.TB, repo string) xRepomd {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(repo, "repodata", "repomd.xml"))
	if err != nil {
		t.Fatal(err)
	}
	var r xRepomd
	if err := xml.Unmarshal(data, &r); err != nil {
		t.Fatalf("parse repomd.xml: %v", err)
	}
	return r
}

// openMD returns the uncompressed content of one metadata type, checking
// the repomd.xml checksums and sizes on the way.
func openMD(t testing.TB, repo, typ string) []byte {
	t.Helper()
	for _, d := range readRepomd(t, repo).Data {
		if d.Type != typ {
			continue
		}
		z, err := os.ReadFile(filepath.Join(repo, d.Location.Href))
		if err != nil {
			t.Fatal(err)
		}
		if got := sha256hex(z); got != d.Checksum {
			t.Errorf("%s: checksum %s in repomd.xml, file has %s", typ, d.Checksum, got)
		}
		if int64(len(z)) != d.Size {
			t.Errorf("%s: size %d in repomd.xml, file has %d", typ, d.Size, len(z))
		}
		if !strings.HasSuffix(d.Location.Href, ".gz") {
			return z
		}
		zr, err := gzip.NewReader(bytes.NewReader(z))
		if err != nil {
			t.Fatal(err)
		}
		open, err := io.ReadAll(zr)
		if err != nil {
			t.Fatal(err)
		}
		if got := sha256hex(open); got != d.OpenChecksum {
			t.Errorf("%s: open-checksum %s in repomd.xml, content has %s", typ, d.OpenChecksum, got)
		}
		if int64(len(open)) != d.OpenSize {
			t.Errorf("%s: open-size %d in repomd.xml, content has %d", typ, d.OpenSize, len(open))
		}
		return open
	}
	t.Fatalf("no %s record in %s/repodata/repomd.xml", typ, repo)
	return nil
}

func sha256hex(b []byte) string { return hexSum(b) }

func hexSum(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func parsePrimary(t testing.TB, data []byte) xPrimary {
	t.Helper()
	var p xPrimary
	if err := xml.Unmarshal(data, &p); err != nil {
		t.Fatalf("parse primary.xml: %v", err)
	}
	return p
}

func generate(t testing.TB, opts Options) *Result {
	t.Helper()
	res, err := Generate(context.Background(), opts)
	if err != nil {
		t.Fatalf("Generate: %v", err)
	}
	return res
}

func findPkg(t testing.TB, p xPrimary, name string) xPackage {
	t.Helper()
	for _, x := range p.Packages {
		if x.Name == name {
			return x
		}
	}
	t.Fatalf("package %s not in primary.xml", name)
	return xPackage{}
}

func depNames(ds []xDep) []string {
	var out []string
	for _, d := range ds {
		s := d.Name
		if d.Flags != "" {
			s += " " + d.Flags + " " + d.Epoch + ":" + d.Ver
			if d.Rel != "" {
				s += "-" + d.Rel
			}
		}
		if d.Pre != "" {
			s += " pre"
		}
		out = append(out, s)
	}
	return out
}

// TestFixtureMetadata checks what the metadata says about the fixtures,
// rule by rule (no external program needed).
func TestFixtureMetadata(t *testing.T) {
	repo := fixtureRepo(t)
	res := generate(t, Options{Dir: repo, Workers: 2})
	if res.Packages != 3 {
		t.Fatalf("Packages = %d, want 3", res.Packages)
	}
	prim := parsePrimary(t, openMD(t, repo, "primary"))
	if prim.Count != "3" || len(prim.Packages) != 3 {
		t.Fatalf("primary.xml has packages=%q and %d packages", prim.Count, len(prim.Packages))
	}
	var hrefs []string
	for _, p := range prim.Packages {
		hrefs = append(hrefs, p.Location.Href)
	}
	wantHrefs := []string{"osgtest-full-1.2.3-4.x86_64.rpm", "osgtest-full-libs-1.2.3-4.x86_64.rpm", "sub/osgtest-noarch-0.5-1.noarch.rpm"}
	if !slices.Equal(hrefs, wantHrefs) {
		t.Errorf("hrefs = %q, want %q", hrefs, wantHrefs)
	}

	full := findPkg(t, prim, "osgtest-full")
	data, _ := os.ReadFile(fixturePath(fixtures[0]))
	if full.Checksum.Value != hexSum(data) || full.Checksum.PkgID != "YES" || full.Checksum.Type != "sha256" {
		t.Errorf("checksum = %+v, want sha256 pkgid=YES %s", full.Checksum, hexSum(data))
	}
	if v := full.Version; v.Epoch != "2" || v.Ver != "1.2.3" || v.Rel != "4" {
		t.Errorf("version = %+v", v)
	}
	if full.Summary != "Fixture with every kind of dependency & <markup>" || !strings.Contains(full.Description, "Ümlauts") {
		t.Errorf("summary %q / description %q", full.Summary, full.Description)
	}
	if full.Format.HeaderRange.Start != "4504" || full.Size.Package != "9904" {
		t.Errorf("header-range %+v size %+v", full.Format.HeaderRange, full.Size)
	}
	if full.Time.File != "1767225600" || full.Time.Build != "1767225600" {
		t.Errorf("time = %+v", full.Time)
	}

	tests := []struct {
		name string
		got  []xDep
		want []string
	}{
		{"provides", full.Format.Provides, []string{
			"config(osgtest-full) EQ 2:1.2.3-4", "osgtest-cap(x86-64)", "osgtest-dash EQ 0:1.0~rc1-2",
			"osgtest-full EQ 2:1.2.3-4", "osgtest-full(x86-64) EQ 2:1.2.3-4", "osgtest-virtual EQ 0:5"}},
		// rpmlib() dropped; /etc/osgtest/osgtest.conf (own primary file)
		// dropped, /usr/share/osgtest/data.txt (own, not primary) kept;
		// config(osgtest-full) = its own provide dropped, osgtest-virtual
		// (provided with a version, required without) kept; /bin/sh
		// repeated only when flags or pre-ness change.
		{"requires", full.Format.Requires, []string{
			"(osgtest-foo >= 1.0 if osgtest-bar)", "(python3 or python2)", "/bin/sh", "/bin/sh pre", "/bin/sh",
			"/usr/share/osgtest/data.txt", "coreutils GE 0:8.0 pre", "libosgfoo GE 1:2.0-3", "osgtest-bash GT 0:1",
			"osgtest-full-libs(x86-64) EQ 2:1.2.3-4", "osgtest-glibc LE 0:3", "osgtest-nover", "osgtest-virtual",
			"osgtest-zlib LT 0:2", "procps", "shadow-utils pre"}},
		{"conflicts", full.Format.Conflicts, []string{"osgtest-old LT 0:1.0"}},
		{"obsoletes", full.Format.Obsoletes, []string{"osgtest-ancient LE 0:0.9"}},
		{"suggests", full.Format.Suggests, []string{"(osgtest-sug1 or osgtest-sug2)"}},
		{"enhances", full.Format.Enhances, []string{"osgtest-enh GE 0:2"}},
		{"recommends", full.Format.Recommends, []string{"osgtest-rec"}},
		{"supplements", full.Format.Supplements, []string{"osgtest-supp"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := depNames(tt.got); !slices.Equal(got, tt.want) {
				t.Errorf("%s:\n got %q\nwant %q", tt.name, got, tt.want)
			}
		})
	}

	// Primary file list: /etc/*, */bin/* (including the dir /etc/osgtest),
	// but not /usr/share/osgtest/bin (no "bin/" in it) nor the ghost log.
	var pf []string
	for _, f := range full.Format.Files {
		pf = append(pf, f.Type+":"+f.Path)
	}
	wantPF := []string{"dir:/etc/osgtest", ":/etc/osgtest/osgtest.conf", ":/usr/bin/osgtest", ":/usr/bin/osgtest-link",
		":/usr/sbin/osgtestd", ":/usr/share/osgtest/bin/helper"}
	if !slices.Equal(pf, wantPF) {
		t.Errorf("primary files:\n got %q\nwant %q", pf, wantPF)
	}

	// filelists.xml: every file, with dir and ghost types.
	fl := string(openMD(t, repo, "filelists"))
	for _, want := range []string{`<file type="ghost">/var/log/osgtest.log</file>`, `<file type="dir">/run/osgtest</file>`,
		`<file type="dir">/usr/share/osgtest/bin</file>`, `<file>/usr/share/osgtest/data.txt</file>`,
		`<file>/usr/lib64/libosgtest.so.1</file>`} {
		if !strings.Contains(fl, want) {
			t.Errorf("filelists.xml lacks %s", want)
		}
	}

	// other.xml: the 10 newest of 12 changelog entries, oldest first; the
	// newest shares its day with the next one and is moved a second later.
	other := string(openMD(t, repo, "other"))
	fullOther := other[:strings.Index(other, `name="osgtest-full-libs"`)]
	if n := strings.Count(fullOther, "<changelog "); n != 10 {
		t.Errorf("osgtest-full has %d changelog entries, want 10", n)
	}
	for _, want := range []string{
		`<changelog author="Test Packager &lt;packager@example.org&gt; - 1:1.0.0-1" date="1767009600">- Third entry</changelog>`,
		`date="1767700800">- Eleventh entry, same day as the twelfth</changelog>`,
		`date="1767700801">- Twelfth entry, newest, with &lt;markup&gt; &amp; "quotes"</changelog>`,
	} {
		if !strings.Contains(fullOther, want) {
			t.Errorf("other.xml lacks %s", want)
		}
	}
	if strings.Contains(fullOther, "Second entry") {
		t.Error("other.xml keeps more than 10 changelog entries")
	}

	// The sidecar cache sits beside repomd.xml, and nothing else is left.
	ents, _ := os.ReadDir(filepath.Join(repo, "repodata"))
	if len(ents) != 5 {
		t.Errorf("repodata has %d files, want 5 (3 xml.gz, repomd.xml, cache)", len(ents))
	}
	top, _ := os.ReadDir(repo)
	for _, e := range top {
		if strings.HasPrefix(e.Name(), ".repodata") {
			t.Errorf("temporary directory %s left behind", e.Name())
		}
	}
}

func TestSourceRPM(t *testing.T) {
	p, err := ReadPackage(fixturePath("osgtest-noarch-0.5-1.src.rpm"), "x.src.rpm", 10)
	if err != nil {
		t.Fatal(err)
	}
	if p.Arch != "src" || p.SourceRPM != "" || p.NEVRA() != "osgtest-noarch-0.5-1.src" {
		t.Errorf("source RPM read as %s (sourcerpm %q)", p.NEVRA(), p.SourceRPM)
	}
}

func TestChangelogLimit(t *testing.T) {
	tests := []struct {
		limit int
		want  int
	}{
		{0, 10}, {3, 3}, {AllChangelogs, 12}, {NoChangelogs, 0},
	}
	for _, tt := range tests {
		p, err := ReadPackage(fixturePath(fixtures[0]), "x.rpm", func() int {
			switch tt.limit {
			case 0:
				return DefaultChangelogLimit
			case NoChangelogs:
				return 0
			}
			return tt.limit
		}())
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Changelogs) != tt.want {
			t.Errorf("limit %d: %d entries, want %d", tt.limit, len(p.Changelogs), tt.want)
		}
		repo := fixtureRepo(t)
		generate(t, Options{Dir: repo, ChangelogLimit: tt.limit})
		other := string(openMD(t, repo, "other"))
		if n := strings.Count(other, "<changelog ") - 2*0; tt.limit == NoChangelogs && n != 0 {
			t.Errorf("NoChangelogs: other.xml has %d entries", n)
		}
	}
}

func TestUpdateReusesUnchangedPackages(t *testing.T) {
	repo := fixtureRepo(t)
	// Start with two of the three packages.
	os.Rename(filepath.Join(repo, fixtures[1]), filepath.Join(t.TempDir(), "aside.rpm"))
	generate(t, Options{Dir: repo})

	copyFile(t, fixturePath(fixtures[1]), filepath.Join(repo, fixtures[1]))
	res := generate(t, Options{Dir: repo, Update: true})
	if res.Packages != 3 || res.Reused != 2 {
		t.Errorf("update: %d packages, %d reused; want 3 and 2", res.Packages, res.Reused)
	}
	updated := map[string][]byte{}
	for _, typ := range []string{"primary", "filelists", "other"} {
		updated[typ] = openMD(t, repo, typ)
	}
	// A full run gives the same content.
	full := generate(t, Options{Dir: repo})
	if full.Reused != 0 {
		t.Errorf("full run reused %d packages", full.Reused)
	}
	for typ, want := range updated {
		if got := openMD(t, repo, typ); !bytes.Equal(got, want) {
			t.Errorf("%s after --update differs from a full run", typ)
		}
	}
	// A package whose mtime changed is read again; a removed one is gone.
	mt := time.Unix(1767225700, 0)
	os.Chtimes(filepath.Join(repo, fixtures[0]), mt, mt)
	os.Remove(filepath.Join(repo, "sub", fixtures[2]))
	res = generate(t, Options{Dir: repo, Update: true})
	if res.Packages != 2 || res.Reused != 1 {
		t.Errorf("second update: %d packages, %d reused; want 2 and 1", res.Packages, res.Reused)
	}
	prim := parsePrimary(t, openMD(t, repo, "primary"))
	if findPkg(t, prim, "osgtest-full").Time.File != "1767225700" {
		t.Error("changed package not re-read")
	}
	// With SkipStat a changed mtime goes unnoticed, as with createrepo_c.
	mt = time.Unix(1767225800, 0)
	os.Chtimes(filepath.Join(repo, fixtures[0]), mt, mt)
	res = generate(t, Options{Dir: repo, Update: true, SkipStat: true})
	if res.Reused != 2 {
		t.Errorf("SkipStat: %d reused, want 2", res.Reused)
	}
	// A different changelog limit invalidates the cache.
	res = generate(t, Options{Dir: repo, Update: true, ChangelogLimit: 2})
	if res.Reused != 0 {
		t.Errorf("cache reused across changelog limits (%d)", res.Reused)
	}
}

// TestUpdateManyChunks: with many packages, --update (with and without
// --skip-stat) after adding a package recompresses only the chunk it falls
// in, after removing one only the chunk it leaves, and with nothing changed
// nothing; the files are byte for byte those of a full run each time.
func TestUpdateManyChunks(t *testing.T) {
	for _, skipStat := range []bool{false, true} {
		t.Run(fmt.Sprintf("skipStat=%v", skipStat), func(t *testing.T) {
			repo := t.TempDir()
			for i := range 400 {
				copyFile(t, fixturePath(fixtures[i%3]), filepath.Join(repo, fmt.Sprintf("pkg-%03d.rpm", i)))
			}
			first := generate(t, Options{Dir: repo, Workers: 3})
			if first.Chunks < 4 || first.ChunksReused != 0 {
				t.Fatalf("full run: %d chunks, %d reused", first.Chunks, first.ChunksReused)
			}
			// sameAsFull checks the files of an update against a full run's.
			sameAsFull := func(what string, upd *Result) {
				t.Helper()
				updated := map[string][]byte{}
				for _, r := range upd.Records {
					data, err := os.ReadFile(filepath.Join(repo, r.Href))
					if err != nil {
						t.Fatal(err)
					}
					updated[r.Type] = data
				}
				// Each file is a single gzip member that any reader
				// takes whole, its trailer (CRC, length) right.
				openMD(t, repo, "primary")
				openMD(t, repo, "filelists")
				openMD(t, repo, "other")
				// The full run writes elsewhere: the next update starts
				// from this update's cache.
				out := t.TempDir()
				full := generate(t, Options{Dir: repo, OutputDir: out, Workers: 1})
				for _, r := range full.Records {
					data, _ := os.ReadFile(filepath.Join(out, r.Href))
					if !bytes.Equal(data, updated[r.Type]) {
						t.Errorf("%s: %s output differs from a full run's", what, r.Type)
					}
				}
			}

			copyFile(t, fixturePath(fixtures[2]), filepath.Join(repo, "pkg-200a.rpm"))
			upd := generate(t, Options{Dir: repo, Workers: 3, Update: true, SkipStat: skipStat})
			if upd.Reused != 400 || upd.Packages != 401 {
				t.Errorf("update: %d packages, %d reused", upd.Packages, upd.Reused)
			}
			if upd.ChunksReused < upd.Chunks-2 || upd.ChunksReused == upd.Chunks {
				t.Errorf("update: %d of %d chunks reused, want all but one or two", upd.ChunksReused, upd.Chunks)
			}
			sameAsFull("adding a package", upd)
			prim := parsePrimary(t, openMD(t, repo, "primary"))
			if len(prim.Packages) != 401 {
				t.Errorf("primary.xml has %d packages", len(prim.Packages))
			}

			os.Remove(filepath.Join(repo, "pkg-100.rpm"))
			upd = generate(t, Options{Dir: repo, Workers: 3, Update: true, SkipStat: skipStat})
			if upd.Reused != 400 || upd.Packages != 400 || upd.ChunksReused < upd.Chunks-2 || upd.ChunksReused == upd.Chunks {
				t.Errorf("update after a removal: %d packages, %d reused, %d of %d chunks reused", upd.Packages, upd.Reused, upd.ChunksReused, upd.Chunks)
			}
			sameAsFull("removing a package", upd)

			upd = generate(t, Options{Dir: repo, Workers: 3, Update: true, SkipStat: skipStat})
			if upd.Reused != 400 || upd.ChunksReused != upd.Chunks {
				t.Errorf("unchanged update: %d reused, %d of %d chunks reused", upd.Reused, upd.ChunksReused, upd.Chunks)
			}
			sameAsFull("no change", upd)
		})
	}
}

func TestGroupFile(t *testing.T) {
	repo := fixtureRepo(t)
	comps := filepath.Join(t.TempDir(), "comps.xml")
	content := []byte(`<?xml version="1.0" encoding="UTF-8"?>
<comps><group><id>build</id><name>build</name><packagelist><packagereq type="default">osgtest-noarch</packagereq></packagelist></group></comps>
`)
	os.WriteFile(comps, content, 0o644)
	res := generate(t, Options{Dir: repo, GroupFile: comps})
	var types []string
	for _, r := range res.Records {
		types = append(types, r.Type)
	}
	if !slices.Equal(types, []string{"primary", "filelists", "other", "group", "group_gz"}) {
		t.Fatalf("records %q", types)
	}
	if got := openMD(t, repo, "group"); !bytes.Equal(got, content) {
		t.Error("group record is not the comps file")
	}
	if got := openMD(t, repo, "group_gz"); !bytes.Equal(got, content) {
		t.Error("group_gz record does not decompress to the comps file")
	}
	rm := readRepomd(t, repo)
	if rm.Data[3].OpenChecksum != "" || rm.Data[4].OpenChecksum != rm.Data[3].Checksum {
		t.Errorf("group checksums: %+v", rm.Data[3:])
	}
	if !strings.HasSuffix(rm.Data[3].Location.Href, "-comps.xml") || !strings.HasSuffix(rm.Data[4].Location.Href, "-comps.xml.gz") {
		t.Errorf("group hrefs: %s %s", rm.Data[3].Location.Href, rm.Data[4].Location.Href)
	}
}

func TestPackageListAndOutputDir(t *testing.T) {
	repo := fixtureRepo(t)
	out := t.TempDir()
	res := generate(t, Options{Dir: repo, OutputDir: out, Packages: []string{"sub/" + fixtures[2], filepath.Join(repo, fixtures[0])}})
	if res.Packages != 2 || res.RepodataDir != filepath.Join(out, "repodata") {
		t.Fatalf("result %+v", res)
	}
	prim := parsePrimary(t, openMD(t, out, "primary"))
	if prim.Packages[0].Location.Href != fixtures[0] || prim.Packages[1].Location.Href != "sub/"+fixtures[2] {
		t.Errorf("hrefs %s, %s", prim.Packages[0].Location.Href, prim.Packages[1].Location.Href)
	}
	if _, err := os.Stat(filepath.Join(repo, "repodata")); err == nil {
		t.Error("repodata written into the repository despite OutputDir")
	}
	if _, err := Generate(context.Background(), Options{Dir: repo, Packages: []string{"/elsewhere/x.rpm"}}); err == nil ||
		!strings.Contains(err.Error(), "not below the repository directory") {
		t.Errorf("package outside the repository: err = %v", err)
	}
}

func TestBadPackageLeavesOldRepodata(t *testing.T) {
	repo := fixtureRepo(t)
	generate(t, Options{Dir: repo})
	before, _ := os.ReadFile(filepath.Join(repo, "repodata", "repomd.xml"))
	os.WriteFile(filepath.Join(repo, "broken.rpm"), []byte("this is not an RPM"), 0o644)
	_, err := Generate(context.Background(), Options{Dir: repo, Workers: 3})
	if err == nil || !strings.Contains(err.Error(), "broken.rpm") {
		t.Fatalf("err = %v, want an error naming broken.rpm", err)
	}
	after, _ := os.ReadFile(filepath.Join(repo, "repodata", "repomd.xml"))
	if !bytes.Equal(before, after) {
		t.Error("repodata changed by a failed run")
	}
	top, _ := os.ReadDir(repo)
	for _, e := range top {
		if strings.HasPrefix(e.Name(), ".repodata") {
			t.Errorf("temporary directory %s left behind", e.Name())
		}
	}
}

func TestListPackages(t *testing.T) {
	repo := fixtureRepo(t)
	copyFile(t, fixturePath(fixtures[2]), filepath.Join(repo, "repodata", "ignored.rpm"))
	copyFile(t, fixturePath(fixtures[2]), filepath.Join(repo, ".repodata.tmp-1", "ignored.rpm"))
	os.WriteFile(filepath.Join(repo, "README"), []byte("not a package"), 0o644)
	os.Symlink(fixtures[0], filepath.Join(repo, "link.rpm"))
	os.Symlink("sub", filepath.Join(repo, "dirlink.rpm"))
	os.Symlink("missing.rpm", filepath.Join(repo, "dangling.rpm"))
	got, stale, err := listPackages(repo, repo, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"link.rpm", fixtures[0], fixtures[1], "sub/" + fixtures[2]}
	if !slices.Equal(got, want) {
		t.Errorf("listPackages:\n got %q\nwant %q", got, want)
	}
	if !slices.Equal(stale, []string{filepath.Join(repo, ".repodata.tmp-1")}) {
		t.Errorf("temporary directories seen: %q", stale)
	}
}

func TestStaleTempRemoved(t *testing.T) {
	repo := fixtureRepo(t)
	stale := filepath.Join(repo, ".repodata.tmp-123")
	fresh := filepath.Join(repo, ".repodata.tmp-456")
	os.MkdirAll(stale, 0o755)
	os.MkdirAll(fresh, 0o755)
	old := time.Now().Add(-2 * time.Hour)
	os.Chtimes(stale, old, old)
	generate(t, Options{Dir: repo})
	if _, err := os.Stat(stale); err == nil {
		t.Error("stale temporary directory not removed")
	}
	if _, err := os.Stat(fresh); err != nil {
		t.Error("recent temporary directory (maybe a concurrent run's) removed")
	}
}

func TestCancelled(t *testing.T) {
	repo := fixtureRepo(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Generate(ctx, Options{Dir: repo}); err == nil {
		t.Fatal("Generate with a cancelled context succeeded")
	}
	if _, err := os.Stat(filepath.Join(repo, "repodata")); err == nil {
		t.Error("repodata written despite cancellation")
	}
}

func TestEmptyRepo(t *testing.T) {
	repo := t.TempDir()
	res := generate(t, Options{Dir: repo})
	if res.Packages != 0 {
		t.Fatalf("Packages = %d", res.Packages)
	}
	if got := string(openMD(t, repo, "primary")); !strings.Contains(got, `packages="0"`) {
		t.Errorf("primary.xml = %s", got)
	}
}

func TestSplitEVR(t *testing.T) {
	tests := []struct {
		in, e, v, r string
		ok          bool
	}{
		{"", "", "", "", true},
		{"1.0", "0", "1.0", "", true},
		{"1.0-2", "0", "1.0", "2", true},
		{"3:1.0-2", "3", "1.0", "2", true},
		{"1:2.0-3-4", "1", "2.0", "3-4", true},
		{":1.0", "0", "1.0", "", true},
		{"x:1.0", "", "", "", false},
	}
	for _, tt := range tests {
		e, v, r, ok := splitEVR(tt.in)
		if e != tt.e || v != tt.v || r != tt.r || ok != tt.ok {
			t.Errorf("splitEVR(%q) = %q %q %q %v, want %q %q %q %v", tt.in, e, v, r, ok, tt.e, tt.v, tt.r, tt.ok)
		}
	}
}

func TestFlagString(t *testing.T) {
	for f, want := range map[uint32]string{0: "", 2: "LT", 4: "GT", 8: "EQ", 10: "LE", 12: "GE", 8 | 1<<24: "EQ", 6: "", 1 << 9: ""} {
		if got := flagString(f); got != want {
			t.Errorf("flagString(%d) = %q, want %q", f, got, want)
		}
	}
}

func TestCompareLibc(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"libc.so.6()(64bit)", "libc.so.6(GLIBC_2.34)(64bit)", 2},
		{"libc.so.6(GLIBC_2.34)(64bit)", "libc.so.6(GLIBC_2.4)(64bit)", 1},
		{"libc.so.6(GLIBC_2.4)", "libc.so.6(GLIBC_2.4)", 0},
		{"libc.so.6", "libc.so.6(GLIBC_2.4)", 2},
	}
	for _, tt := range tests {
		if got := compareLibc(tt.a, tt.b); got != tt.want {
			t.Errorf("compareLibc(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestIsPrimaryFile(t *testing.T) {
	for path, want := range map[string]bool{
		"/etc/foo": true, "/etc": false, "/usr/bin/x": true, "/opt/x/sbin/y": true, "/usr/lib/sendmail": true,
		"/usr/share/bin": false, "/usr/share/doc/x": false,
	} {
		if got := IsPrimaryFile(path); got != want {
			t.Errorf("IsPrimaryFile(%q) = %v", path, got)
		}
	}
}

func TestEscaping(t *testing.T) {
	var b bytes.Buffer
	escText(&b, "a&b<c>d\"e\rf\n")
	if got := b.String(); got != "a&amp;b&lt;c&gt;d\"e&#13;f\n" {
		t.Errorf("escText = %q", got)
	}
	b.Reset()
	escAttr(&b, "a&b<c>d\"e\rf\n\t")
	if got := b.String(); got != "a&amp;b&lt;c&gt;d&quot;e&#13;f&#10;&#9;" {
		t.Errorf("escAttr = %q", got)
	}
	b.Reset()
	escText(&b, "caf\xe9") // Latin-1, converted
	if got := b.String(); got != "café" {
		t.Errorf("escText(latin1) = %q", got)
	}
}

// TestSameAsCreaterepoC runs createrepo_c 0.17 and Generate on the same
// RPMs and compares the results: structurally (NEVRA, checksums, every
// dependency list, primary file lists...) and byte for byte once
// uncompressed. The gzip streams themselves differ (another compressor),
// and so do repomd.xml's checksums of them, timestamps and revision.
func TestSameAsCreaterepoC(t *testing.T) {
	testutil.RequireTool(t, "createrepo_c")
	repo := fixtureRepo(t)
	// Copies under other names and directories, to check the order.
	for _, name := range []string{"B.rpm", "Z/zz.rpm", "aa/b.rpm", "10.rpm", "9.rpm"} {
		copyFile(t, fixturePath(fixtures[2]), filepath.Join(repo, name))
	}
	// A source RPM.
	copyFile(t, fixturePath("osgtest-noarch-0.5-1.src.rpm"), filepath.Join(repo, "SRPMS", "osgtest-noarch-0.5-1.src.rpm"))
	// Enough packages for several compressed chunks.
	for i := range 150 {
		copyFile(t, fixturePath(fixtures[i%3]), filepath.Join(repo, fmt.Sprintf("d%d/copy-%03d.rpm", i%4, i)))
	}
	theirs := t.TempDir()
	cmd := exec.Command("createrepo_c", "--no-database", "-o", theirs, repo)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("createrepo_c: %v\n%s", err, out)
	}
	ours := t.TempDir()
	generate(t, Options{Dir: repo, OutputDir: ours})

	a := parsePrimary(t, openMD(t, theirs, "primary"))
	b := parsePrimary(t, openMD(t, ours, "primary"))
	if len(a.Packages) != len(b.Packages) {
		t.Fatalf("createrepo_c has %d packages, we have %d", len(a.Packages), len(b.Packages))
	}
	for i := range a.Packages {
		pa, pb := a.Packages[i], b.Packages[i]
		if !reflect.DeepEqual(pa, pb) {
			t.Errorf("package %d differs:\ncreaterepo_c %+v\nours         %+v", i, pa, pb)
		}
	}
	for _, typ := range []string{"primary", "filelists", "other"} {
		if x, y := openMD(t, theirs, typ), openMD(t, ours, typ); !bytes.Equal(x, y) {
			t.Errorf("%s.xml differs from createrepo_c's:\n--- createrepo_c\n%s\n--- ours\n%s", typ, x, y)
		}
	}
	ra, rb := readRepomd(t, theirs), readRepomd(t, ours)
	if len(ra.Data) != len(rb.Data) {
		t.Fatalf("repomd.xml: %d records vs %d", len(ra.Data), len(rb.Data))
	}
	for i := range ra.Data {
		if ra.Data[i].Type != rb.Data[i].Type || ra.Data[i].OpenChecksum != rb.Data[i].OpenChecksum || ra.Data[i].OpenSize != rb.Data[i].OpenSize {
			t.Errorf("repomd record %d: %+v vs %+v", i, ra.Data[i], rb.Data[i])
		}
	}
}

// dnfArgs are what dnf (4.x, also on Debian) needs to read one file:// repo
// and nothing else, offline.
func dnfArgs(repo, cache string, extra ...string) []string {
	args := []string{"-q", "-y", "--setopt=reposdir=/dev/null", "--setopt=cachedir=" + cache,
		"--repofrompath=t,file://" + repo, "--repo=t", "--releasever=9", "--nogpgcheck",
		"--disableplugin=*", "--setopt=install_weak_deps=False"}
	return append(args, extra...)
}

func TestDnfReadsRepo(t *testing.T) {
	testutil.RequireTool(t, "dnf")
	repo := fixtureRepo(t)
	generate(t, Options{Dir: repo})
	run := func(args ...string) string {
		t.Helper()
		cmd := exec.Command("dnf", dnfArgs(repo, t.TempDir(), args...)...)
		cmd.Env = append(os.Environ(), "LC_ALL=C")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("dnf %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	lines := func(s string) []string {
		var out []string
		for _, l := range strings.Split(strings.TrimSpace(s), "\n") {
			if l = strings.TrimSpace(l); l != "" {
				out = append(out, l)
			}
		}
		slices.Sort(out)
		return out
	}
	qf := "--qf=%{name}-%{epoch}:%{version}-%{release}.%{arch}"
	got := lines(run("repoquery", qf))
	want := []string{"osgtest-full-2:1.2.3-4.x86_64", "osgtest-full-libs-2:1.2.3-4.x86_64", "osgtest-noarch-0:0.5-1.noarch"}
	if !slices.Equal(got, want) {
		t.Errorf("repoquery:\n got %q\nwant %q", got, want)
	}
	for cap, want := range map[string]string{
		"osgtest-virtual":                     "osgtest-full-2:1.2.3-4.x86_64",
		"libosgtest.so.1()(64bit)":            "osgtest-full-libs-2:1.2.3-4.x86_64",
		"/usr/bin/osgtest":                    "osgtest-full-2:1.2.3-4.x86_64",
		"/usr/share/osgtest-noarch/hello.txt": "osgtest-noarch-0:0.5-1.noarch",
	} {
		if got := lines(run("repoquery", qf, "--whatprovides", cap)); !slices.Equal(got, []string{want}) {
			t.Errorf("--whatprovides %s = %q, want %s", cap, got, want)
		}
	}

	root := t.TempDir()
	run("--installroot="+root, "install", "osgtest-noarch")
	if data, err := os.ReadFile(filepath.Join(root, "usr/share/osgtest-noarch/hello.txt")); err != nil || string(data) != "hello\n" {
		t.Errorf("installed file: %q, %v", data, err)
	}
}

// FuzzReadPackage feeds corrupted RPMs to the header reader: it must
// return an error or a package, never crash.
func FuzzReadPackage(f *testing.F) {
	for _, name := range fixtures {
		data, err := os.ReadFile(fixturePath(name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
		f.Add(data[:200])
		f.Add(data[:5000])
	}
	f.Add([]byte("not an rpm"))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := readPackage(bytes.NewReader(data), int64(len(data)), 0, "x.rpm", 10)
		if err == nil {
			var b bytes.Buffer
			appendPrimary(&b, p)
			appendFilelists(&b, p)
			appendOther(&b, p)
		}
	})
}

// FuzzParseCache: a corrupt cache file is no cache, never a crash. The
// fuzzer mutates what follows the magic and the changelog limit (a
// mutated magic is simply no cache), so it reaches the batches.
func FuzzParseCache(f *testing.F) {
	repo := fixtureRepo(f)
	generate(f, Options{Dir: repo})
	data, err := os.ReadFile(filepath.Join(repo, "repodata", CacheName))
	if err != nil {
		f.Fatal(err)
	}
	head := len(cacheMagic) + 8
	f.Add(data[head:])
	f.Add(data[head : head+(len(data)-head)/2])
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, batches []byte) {
		data := append(bytes.Clone(data[:head]), batches...)
		if c := parseCache(data, DefaultChangelogLimit); c != nil {
			for _, e := range c.entries {
				_ = len(e.Primary) + len(e.Filelists) + len(e.Other)
			}
		}
		// A mutated body almost never passes the CRC: parse the first
		// batch's body as it is too (what a CRC collision would let in).
		if len(batches) > batchHead {
			c := &cache{entries: map[string]*cacheEntry{}, segs: map[segKey]cachedSegs{}}
			c.parseBatch(batches[batchHead:])
		}
	})
}

// TestCacheAppends: an update appends one small batch to the previous cache
// file (the same inode, linked into the new repodata) instead of rewriting
// it; a batch cut short or damaged is ignored and the file is written
// afresh; dead weight is compacted away.
func TestCacheAppends(t *testing.T) {
	repo := t.TempDir()
	for i := range 200 {
		copyFile(t, fixturePath(fixtures[i%3]), filepath.Join(repo, fmt.Sprintf("pkg-%03d.rpm", i)))
	}
	cachePath := filepath.Join(repo, "repodata", CacheName)
	stat := func() (uint64, int64) {
		t.Helper()
		var st unix.Stat_t
		if err := unix.Stat(cachePath, &st); err != nil {
			t.Fatal(err)
		}
		return st.Ino, st.Size
	}
	generate(t, Options{Dir: repo})
	ino0, size0 := stat()

	// Nothing changed: the same file, not a byte more.
	res := generate(t, Options{Dir: repo, Update: true})
	if ino, size := stat(); ino != ino0 || size != size0 || res.Reused != 200 {
		t.Errorf("unchanged update: inode %d→%d, size %d→%d, %d reused", ino0, ino, size0, size, res.Reused)
	}
	// One package added: one batch of one entry and a chunk or two.
	copyFile(t, fixturePath(fixtures[0]), filepath.Join(repo, "pkg-100a.rpm"))
	generate(t, Options{Dir: repo, Update: true})
	ino1, size1 := stat()
	if ino1 != ino0 || size1 <= size0 || size1-size0 > size0/4 {
		t.Errorf("update after adding one package: inode %d→%d, size %d→%d (want the same file, a little longer)", ino0, ino1, size0, size1)
	}
	// The appended cache serves the next update completely.
	res = generate(t, Options{Dir: repo, Update: true})
	if res.Reused != 201 || res.ChunksReused != res.Chunks {
		t.Errorf("update on the appended cache: %d reused, %d of %d chunks", res.Reused, res.ChunksReused, res.Chunks)
	}
	want := openMD(t, repo, "primary")

	// A batch cut short (a run killed while appending): the batches before
	// it still count, and the next save writes a new, clean file.
	copyFile(t, fixturePath(fixtures[1]), filepath.Join(repo, "pkg-100b.rpm"))
	generate(t, Options{Dir: repo, Update: true})
	_, size2 := stat()
	if err := os.Truncate(cachePath, size2-7); err != nil {
		t.Fatal(err)
	}
	res = generate(t, Options{Dir: repo, Update: true})
	if res.Reused != 201 || res.Packages != 202 {
		t.Errorf("after a cut batch: %d of %d reused, want 201 of 202 (the cut batch's entry read again)", res.Reused, res.Packages)
	}
	if ino, _ := stat(); ino == ino1 {
		t.Error("a cache with a cut batch was appended to, not written afresh")
	}
	// A damaged byte fails the CRC: the entries are read again, the output
	// is right.
	data, err := os.ReadFile(cachePath)
	if err != nil {
		t.Fatal(err)
	}
	data[len(data)-100] ^= 0xff
	if err := os.WriteFile(cachePath, data, 0o644); err != nil {
		t.Fatal(err)
	}
	res = generate(t, Options{Dir: repo, Update: true})
	if res.Reused != 0 {
		t.Errorf("a damaged cache gave %d entries", res.Reused)
	}
	os.Remove(filepath.Join(repo, "pkg-100b.rpm"))
	generate(t, Options{Dir: repo, Update: true})
	if got := openMD(t, repo, "primary"); !bytes.Equal(got, want) {
		t.Error("primary.xml after the damaged cache differs from before")
	}

	// Packages replaced again and again: the file never grows past about
	// twice the live data (plus the 1 MiB allowance).
	_, base := stat()
	for i := range 60 {
		p := filepath.Join(repo, fmt.Sprintf("pkg-%03d.rpm", i))
		mt := time.Unix(1767225600+int64(i), 0)
		os.Chtimes(p, mt, mt)
		generate(t, Options{Dir: repo, Update: true})
		if _, size := stat(); size > 2*base+(1<<20)+base/2 {
			t.Fatalf("after %d replacements the cache is %d bytes (live about %d)", i+1, size, base)
		}
	}
	generate(t, Options{Dir: repo})
	if got := openMD(t, repo, "primary"); len(parsePrimary(t, got).Packages) != 201 {
		t.Error("wrong package count after the replacements")
	}
}

// TestConcurrentUpdates: updates running at the same time on one
// repository each append to the shared cache file and swap their repodata
// in; the repodata left is whole and the cache serves a later update.
func TestConcurrentUpdates(t *testing.T) {
	repo := t.TempDir()
	for i := range 100 {
		copyFile(t, fixturePath(fixtures[i%3]), filepath.Join(repo, fmt.Sprintf("pkg-%03d.rpm", i)))
	}
	generate(t, Options{Dir: repo})
	for i := range 4 {
		copyFile(t, fixturePath(fixtures[i%3]), filepath.Join(repo, fmt.Sprintf("pkg-%03da.rpm", i*20)))
	}
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = Generate(context.Background(), Options{Dir: repo, Update: true, Workers: 2})
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := len(parsePrimary(t, openMD(t, repo, "primary")).Packages); n != 104 {
		t.Errorf("primary.xml has %d packages, want 104", n)
	}
	res := generate(t, Options{Dir: repo, Update: true})
	if res.Reused != 104 || res.ChunksReused != res.Chunks {
		t.Errorf("after the concurrent updates: %d of 104 reused, %d of %d chunks", res.Reused, res.ChunksReused, res.Chunks)
	}
	left, _ := filepath.Glob(filepath.Join(repo, ".repodata*"))
	if len(left) != 0 {
		t.Errorf("temporary directories left: %v", left)
	}
}

// TestUpdateRandomChanges: a random sequence of additions, removals and
// replacements (new content under an old name), each followed by an
// update, with and without --skip-stat (which is then told only of new
// names, as the hub's packages are immutable): every update's files are
// byte for byte a full run's.
func TestUpdateRandomChanges(t *testing.T) {
	for _, skipStat := range []bool{false, true} {
		t.Run(fmt.Sprintf("skipStat=%v", skipStat), func(t *testing.T) {
			r := rand.New(rand.NewPCG(7, uint64(len(fmt.Sprint(skipStat)))))
			repo := t.TempDir()
			names := map[string]bool{}
			add := func() {
				n := fmt.Sprintf("p-%04d.rpm", r.IntN(10000))
				copyFile(t, fixturePath(fixtures[r.IntN(len(fixtures))]), filepath.Join(repo, n))
				names[n] = true
			}
			for range 300 {
				add()
			}
			generate(t, Options{Dir: repo, Workers: 2})
			for step := range 12 {
				for range 1 + r.IntN(4) {
					switch k := r.IntN(3); {
					case k == 0 || len(names) < 50:
						add()
					case k == 1:
						for n := range names {
							os.Remove(filepath.Join(repo, n))
							delete(names, n)
							break
						}
					case !skipStat:
						// Other content under an old name, with another
						// size and time: a stat-checking update sees it.
						for n := range names {
							copyFile(t, fixturePath(fixtures[0]), filepath.Join(repo, n))
							os.Chtimes(filepath.Join(repo, n), time.Unix(int64(1700000000+step), 0), time.Unix(int64(1700000000+step), 0))
							break
						}
					}
				}
				upd := generate(t, Options{Dir: repo, Workers: 2, Update: true, SkipStat: skipStat})
				out := t.TempDir()
				full := generate(t, Options{Dir: repo, OutputDir: out, Workers: 2})
				if upd.Packages != full.Packages || upd.Packages != len(names) {
					t.Fatalf("step %d: update has %d packages, full run %d, repo %d", step, upd.Packages, full.Packages, len(names))
				}
				for i, rec := range full.Records {
					a, _ := os.ReadFile(filepath.Join(repo, upd.Records[i].Href))
					b, _ := os.ReadFile(filepath.Join(out, rec.Href))
					if upd.Records[i].Type != rec.Type || !bytes.Equal(a, b) {
						t.Fatalf("step %d: %s after the update differs from a full run's", step, rec.Type)
					}
				}
			}
		})
	}
}

func TestGlobMatch(t *testing.T) {
	for _, c := range []struct {
		p, s string
		want bool
	}{
		{"*debuginfo*", "foo-debuginfo-1.0-1.x86_64.rpm", true},
		{"*debuginfo*", "foo-1.0-1.x86_64.rpm", false},
		{"*.src.rpm", "sub/dir/foo-1.0-1.src.rpm", true}, // * crosses /
		{"foo-?.0*", "foo-1.0-1.noarch.rpm", true},
		{"foo-?.0*", "foo-10.0-1.noarch.rpm", false},
		{"a*b*c", "axxbyyc", true},
		{"a*b*c", "axxbyy", false},
		{"*", "", true},
		{"", "", true},
		{"", "x", false},
		{"é?", "éü", true},        // ? is one character, not one byte
		{"[ab]*", "a.rpm", false}, // brackets are literal, as in GLib
		{"**x", "yyx", true},
	} {
		if got := globMatch(c.p, c.s); got != c.want {
			t.Errorf("globMatch(%q, %q) = %v, want %v", c.p, c.s, got, c.want)
		}
	}
}

func FuzzGlobMatch(f *testing.F) {
	f.Add("*debuginfo*", "foo-debuginfo-1.rpm")
	f.Add("a*?b", "aXYb")
	f.Fuzz(func(t *testing.T, p, s string) {
		// A pattern without wildcards matches only itself, and "*" + p
		// + "*" matches whatever contains a match of p's literal text.
		if !strings.ContainsAny(p, "*?") && globMatch(p, s) != (p == s) {
			t.Fatalf("literal %q vs %q", p, s)
		}
		if globMatch(p, s) && !globMatch("*"+p, "x"+s) {
			t.Fatalf("%q matches %q but *%q does not match x%q", p, s, p, s)
		}
	})
}

func TestExcludes(t *testing.T) {
	repo := fixtureRepo(t)
	// One pattern on the file name, one on the path below the repository.
	res := generate(t, Options{Dir: repo, Excludes: []string{"*-libs-*", "sub/*"}})
	prim := parsePrimary(t, openMD(t, repo, "primary"))
	if res.Packages != 1 || len(prim.Packages) != 1 || prim.Packages[0].Location.Href != fixtures[0] {
		t.Fatalf("indexed %d packages, want only %s", res.Packages, fixtures[0])
	}
	// Excludes apply to an explicit package list too.
	res = generate(t, Options{Dir: repo, Packages: []string{fixtures[0], fixtures[1]}, Excludes: []string{"osgtest-full-1*"}})
	if res.Packages != 1 {
		t.Errorf("explicit list: %d packages, want 1", res.Packages)
	}
}

func TestKeepMetadata(t *testing.T) {
	repo := fixtureRepo(t)
	rd := filepath.Join(repo, "repodata")
	res := generate(t, Options{Dir: repo})
	// As modifyrepo_c would add them: an updateinfo, and a record with
	// another checksum type.
	upd, err := writeGzRecord(rd, "updateinfo", "updateinfo.xml.gz", []byte("<?xml version=\"1.0\"?>\n<updates></updates>\n"))
	if err != nil {
		t.Fatal(err)
	}
	mod, err := writeGzRecord(rd, "modules", "modules.yaml.gz", []byte("---\n"))
	if err != nil {
		t.Fatal(err)
	}
	mod.ChecksumType = "sha512"
	alias := upd // a second record of the same file
	alias.Type = "updateinfo_alias"
	if err := writeRepomd(filepath.Join(rd, "repomd.xml"), 1, append(res.Records, upd, mod, alias)); err != nil {
		t.Fatal(err)
	}
	comps := filepath.Join(t.TempDir(), "comps.xml")
	os.WriteFile(comps, []byte("<comps/>\n"), 0o644)

	res = generate(t, Options{Dir: repo, Update: true, KeepMetadata: true, GroupFile: comps})
	types := map[string]Record{}
	for _, r := range res.Records {
		types[r.Type] = r
	}
	if got := types["updateinfo"]; got.Checksum != upd.Checksum || got.Href != upd.Href || got.OpenSize != upd.OpenSize {
		t.Errorf("updateinfo kept as %+v, want %+v", got, upd)
	}
	if len(res.Records) != 8 { // primary, filelists, other, group, group_gz, updateinfo, modules, alias
		t.Errorf("records %v", res.Records)
	}
	if _, err := os.Stat(filepath.Join(repo, upd.Href)); err != nil {
		t.Errorf("kept file: %v", err)
	}
	if got := openMD(t, repo, "updateinfo"); !bytes.Contains(got, []byte("<updates>")) {
		t.Errorf("updateinfo reads %q", got)
	}
	repomd, _ := os.ReadFile(filepath.Join(rd, "repomd.xml"))
	if !bytes.Contains(repomd, []byte(`<checksum type="sha512">`+mod.Checksum)) {
		t.Errorf("the modules record lost its checksum type:\n%s", repomd)
	}

	// A new group file replaces the old group records; without
	// KeepMetadata the additional records go.
	res = generate(t, Options{Dir: repo, Update: true, KeepMetadata: true, GroupFile: comps})
	if len(res.Records) != 8 {
		t.Errorf("second update: records %v", res.Records)
	}
	res = generate(t, Options{Dir: repo, Update: true})
	if len(res.Records) != 3 {
		t.Errorf("without KeepMetadata: records %v", res.Records)
	}
	if _, err := os.Stat(filepath.Join(repo, upd.Href)); err == nil {
		t.Error("the dropped updateinfo's file is still there")
	}
}
