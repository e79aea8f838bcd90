package promote

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	p := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(p, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs:\n--- got\n%s--- want\n%s", name, got, want)
	}
}

func sampleTicket() *Ticket {
	const web = "https://koji.osg-htc.org/koji"
	return &Ticket{
		To: []string{"osg-23-main-el*-testing", "osg-3.6-el*-testing"},
		Promoted: []Promoted{
			{NVR: "goodpkg-2000-1.osg23.el9", NoDist: "goodpkg-2000-1", Tag: "osg-23-main-el9-testing", BuildID: 320, URL: web + "/buildinfo?buildID=320"},
			{NVR: "goodpkg-2000-1.osg23.el8", NoDist: "goodpkg-2000-1", Tag: "osg-23-main-el8-testing", BuildID: 319, URL: web + "/buildinfo?buildID=319"},
			{NVR: "goodpkg-2000-1.osg36.el8", NoDist: "goodpkg-2000-1", Tag: "osg-3.6-el8-testing", BuildID: 317, URL: web + "/buildinfo?buildID=317"},
			{NVR: "anotherpkg-1.2-3.osg23.el8", NoDist: "anotherpkg-1.2-3", Tag: "osg-23-main-el8-testing", BuildID: 400, URL: web + "/buildinfo?buildID=400"},
		},
	}
}

// The ticket block exactly as osg-promote's write_jira prints it.
func TestTicketJira(t *testing.T) {
	var b bytes.Buffer
	if err := sampleTicket().Write(&b, "jira"); err != nil {
		t.Fatal(err)
	}
	want := `**Promotions**
Promoted anotherpkg-1.2-3, goodpkg-2000-1 to osg-23-main-el*-testing, osg-3.6-el*-testing
**Build** | **Tag**
--- | ---
 [anotherpkg-1.2-3.osg23.el8](https://koji.osg-htc.org/koji/buildinfo?buildID=400) | osg-23-main-el8-testing
 [goodpkg-2000-1.osg23.el8](https://koji.osg-htc.org/koji/buildinfo?buildID=319) | osg-23-main-el8-testing
 [goodpkg-2000-1.osg23.el9](https://koji.osg-htc.org/koji/buildinfo?buildID=320) | osg-23-main-el9-testing
 [goodpkg-2000-1.osg36.el8](https://koji.osg-htc.org/koji/buildinfo?buildID=317) | osg-3.6-el8-testing
`
	if b.String() != want {
		t.Errorf("jira block:\n%s\nwant:\n%s", b.String(), want)
	}
	golden(t, "ticket.jira", b.Bytes())
}

func TestTicketFormats(t *testing.T) {
	for _, f := range []string{"markdown", "org", "json"} {
		var b bytes.Buffer
		if err := sampleTicket().Write(&b, f); err != nil {
			t.Fatal(err)
		}
		golden(t, "ticket."+f, b.Bytes())
	}
	if err := sampleTicket().Write(&bytes.Buffer{}, "html"); err == nil {
		t.Error("an unknown format was accepted")
	}
}

func samplePlan() map[string][]string {
	return map[string][]string{
		"osg-25-main-el8-testing":  {"xrootd-5.7.1-1.osg25.el8", "osg-ce-25-1.osg25.el8"},
		"osg-25-main-el9-testing":  {"xrootd-5.7.1-1.osg25.el9", "osg-ce-25-1.osg25.el9"},
		"osg-25-main-el10-testing": {"xrootd-5.7.1-1.osg25.el10", "osg-ce-25-1.osg25.el10", "htcondor-ce-25.0.1-1.osg25.el10"},
	}
}

// The plan table as osg-promote's print_table: wide enough for all columns,
// and split into sub-tables on a narrow terminal.
func TestPlanTable(t *testing.T) {
	for _, tt := range []struct {
		name  string
		width int
	}{{"plan-wide.txt", 200}, {"plan-narrow.txt", 70}, {"plan-tiny.txt", 20}} {
		var b bytes.Buffer
		WriteTable(&b, samplePlan(), tt.width)
		golden(t, tt.name, b.Bytes())
		for _, line := range bytes.Split(b.Bytes(), []byte("\n")) {
			if len(line) >= tt.width && bytes.Contains(line, []byte("  ")) {
				t.Errorf("%s: a line of %d columns holds two columns: %q", tt.name, len(line), line)
			}
		}
	}
}
