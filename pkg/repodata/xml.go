package repodata

import (
	"bytes"
	"strconv"
)

// XML namespaces of the repodata files.
const (
	nsCommon    = "http://linux.duke.edu/metadata/common"
	nsRPM       = "http://linux.duke.edu/metadata/rpm"
	nsFilelists = "http://linux.duke.edu/metadata/filelists"
	nsOther     = "http://linux.duke.edu/metadata/other"
	nsRepo      = "http://linux.duke.edu/metadata/repo"
)

const xmlDecl = `<?xml version="1.0" encoding="UTF-8"?>` + "\n"

func primaryHead(n int) []byte {
	return []byte(xmlDecl + `<metadata xmlns="` + nsCommon + `" xmlns:rpm="` + nsRPM + `" packages="` + strconv.Itoa(n) + `">` + "\n")
}

func filelistsHead(n int) []byte {
	return []byte(xmlDecl + `<filelists xmlns="` + nsFilelists + `" packages="` + strconv.Itoa(n) + `">` + "\n")
}

func otherHead(n int) []byte {
	return []byte(xmlDecl + `<otherdata xmlns="` + nsOther + `" packages="` + strconv.Itoa(n) + `">` + "\n")
}

var (
	primaryTail   = []byte("</metadata>")
	filelistsTail = []byte("</filelists>")
	otherTail     = []byte("</otherdata>")
)

// escText writes s as XML character data the way libxml2 serialises it.
func escText(b *bytes.Buffer, s string) {
	s = validUTF8(s)
	start := 0
	for i := 0; i < len(s); i++ {
		var rep string
		switch s[i] {
		case '&':
			rep = "&amp;"
		case '<':
			rep = "&lt;"
		case '>':
			rep = "&gt;"
		case '\r':
			rep = "&#13;"
		default:
			continue
		}
		b.WriteString(s[start:i])
		b.WriteString(rep)
		start = i + 1
	}
	b.WriteString(s[start:])
}

// escAttr writes s as an attribute value the way libxml2 serialises it.
func escAttr(b *bytes.Buffer, s string) {
	s = validUTF8(s)
	start := 0
	for i := 0; i < len(s); i++ {
		var rep string
		switch s[i] {
		case '&':
			rep = "&amp;"
		case '<':
			rep = "&lt;"
		case '>':
			rep = "&gt;"
		case '"':
			rep = "&quot;"
		case '\n':
			rep = "&#10;"
		case '\r':
			rep = "&#13;"
		case '\t':
			rep = "&#9;"
		default:
			continue
		}
		b.WriteString(s[start:i])
		b.WriteString(rep)
		start = i + 1
	}
	b.WriteString(s[start:])
}

func textElem(b *bytes.Buffer, indent, name, value string) {
	b.WriteString(indent)
	b.WriteByte('<')
	b.WriteString(name)
	b.WriteByte('>')
	escText(b, value)
	b.WriteString("</")
	b.WriteString(name)
	b.WriteString(">\n")
}

func attr(b *bytes.Buffer, name, value string) {
	b.WriteByte(' ')
	b.WriteString(name)
	b.WriteString(`="`)
	escAttr(b, value)
	b.WriteByte('"')
}

func intAttr(b *bytes.Buffer, name string, v int64) {
	b.WriteByte(' ')
	b.WriteString(name)
	b.WriteString(`="`)
	b.WriteString(strconv.FormatInt(v, 10))
	b.WriteByte('"')
}

func versionElem(b *bytes.Buffer, p *Package) {
	b.WriteString("  <version")
	attr(b, "epoch", p.Epoch)
	attr(b, "ver", p.Version)
	attr(b, "rel", p.Release)
	b.WriteString("/>\n")
}

// appendPrimary writes the <package> element of primary.xml.
func appendPrimary(b *bytes.Buffer, p *Package) {
	b.WriteString("<package type=\"rpm\">\n")
	textElem(b, "  ", "name", p.Name)
	textElem(b, "  ", "arch", p.Arch)
	versionElem(b, p)
	b.WriteString(`  <checksum type="sha256" pkgid="YES">`)
	escText(b, p.Checksum)
	b.WriteString("</checksum>\n")
	textElem(b, "  ", "summary", p.Summary)
	textElem(b, "  ", "description", p.Description)
	textElem(b, "  ", "packager", p.Packager)
	textElem(b, "  ", "url", p.URL)
	b.WriteString("  <time")
	intAttr(b, "file", p.FileTime)
	intAttr(b, "build", p.BuildTime)
	b.WriteString("/>\n  <size")
	intAttr(b, "package", p.PackageSize)
	intAttr(b, "installed", p.InstalledSize)
	intAttr(b, "archive", p.ArchiveSize)
	b.WriteString("/>\n  <location")
	attr(b, "href", p.Href)
	b.WriteString("/>\n  <format>\n")
	textElem(b, "    ", "rpm:license", p.License)
	textElem(b, "    ", "rpm:vendor", p.Vendor)
	textElem(b, "    ", "rpm:group", p.Group)
	textElem(b, "    ", "rpm:buildhost", p.Buildhost)
	textElem(b, "    ", "rpm:sourcerpm", p.SourceRPM)
	b.WriteString("    <rpm:header-range")
	intAttr(b, "start", p.HeaderStart)
	intAttr(b, "end", p.HeaderEnd)
	b.WriteString("/>\n")
	deps(b, "rpm:provides", p.Provides, false)
	deps(b, "rpm:requires", p.Requires, true)
	deps(b, "rpm:conflicts", p.Conflicts, false)
	deps(b, "rpm:obsoletes", p.Obsoletes, false)
	deps(b, "rpm:suggests", p.Suggests, false)
	deps(b, "rpm:enhances", p.Enhances, false)
	deps(b, "rpm:recommends", p.Recommends, false)
	deps(b, "rpm:supplements", p.Supplements, false)
	for _, f := range p.Files {
		if IsPrimaryFile(f.Path) {
			fileElem(b, "    ", f)
		}
	}
	b.WriteString("  </format>\n</package>\n")
}

func deps(b *bytes.Buffer, elem string, ds []Dependency, requires bool) {
	n := 0
	for _, d := range ds {
		if d.Name != "" {
			n++
		}
	}
	if n == 0 {
		return
	}
	b.WriteString("    <")
	b.WriteString(elem)
	b.WriteString(">\n")
	for _, d := range ds {
		if d.Name == "" {
			continue
		}
		b.WriteString("      <rpm:entry")
		attr(b, "name", d.Name)
		if d.Flags != "" {
			attr(b, "flags", d.Flags)
			if d.Epoch != "" {
				attr(b, "epoch", d.Epoch)
			}
			if d.Ver != "" {
				attr(b, "ver", d.Ver)
			}
			if d.Rel != "" {
				attr(b, "rel", d.Rel)
			}
		}
		if requires && d.Pre {
			b.WriteString(` pre="1"`)
		}
		b.WriteString("/>\n")
	}
	b.WriteString("    </")
	b.WriteString(elem)
	b.WriteString(">\n")
}

func fileElem(b *bytes.Buffer, indent string, f File) {
	b.WriteString(indent)
	b.WriteString("<file")
	if f.Type != "" {
		attr(b, "type", f.Type)
	}
	b.WriteByte('>')
	escText(b, f.Path)
	b.WriteString("</file>\n")
}

func pkgStart(b *bytes.Buffer, p *Package) {
	b.WriteString("<package")
	attr(b, "pkgid", p.Checksum)
	attr(b, "name", p.Name)
	attr(b, "arch", p.Arch)
	b.WriteString(">\n")
	versionElem(b, p)
}

// appendFilelists writes the <package> element of filelists.xml.
func appendFilelists(b *bytes.Buffer, p *Package) {
	pkgStart(b, p)
	for _, f := range p.Files {
		fileElem(b, "  ", f)
	}
	b.WriteString("</package>\n")
}

// appendOther writes the <package> element of other.xml.
func appendOther(b *bytes.Buffer, p *Package) {
	pkgStart(b, p)
	for _, c := range p.Changelogs {
		b.WriteString("  <changelog")
		attr(b, "author", c.Author)
		intAttr(b, "date", c.Date)
		b.WriteByte('>')
		escText(b, c.Text)
		b.WriteString("</changelog>\n")
	}
	b.WriteString("</package>\n")
}
