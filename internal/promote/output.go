package promote

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
)

// WriteTable prints columns (one per header, sorted by header; each column
// the header, a dashed line and its sorted values) as osg-promote's
// print_table: cells padded to the column width plus two spaces, and the
// columns split into sub-tables, separated by a blank line, so that each
// fits in width (a sub-table always holds at least one column). Trailing
// spaces are trimmed.
func WriteTable(w io.Writer, columns map[string][]string, width int) {
	const pad = 2
	if width < 10 {
		width = 80
	}
	var cols [][]string
	var widths []int
	for _, h := range sortedKeys(columns) {
		vals := append([]string(nil), columns[h]...)
		sort.Strings(vals)
		wd := len(h)
		for _, v := range vals {
			wd = max(wd, len(v))
		}
		cols = append(cols, append([]string{h, strings.Repeat("-", wd)}, vals...))
		widths = append(widths, wd)
	}
	first := true
	for start := 0; start < len(cols); {
		end, total := start, 0
		for end < len(cols) && (total == 0 || total+widths[end]+pad < width) {
			total += widths[end] + pad
			end++
		}
		if !first {
			fmt.Fprintln(w)
		}
		first = false
		rows := 0
		for _, c := range cols[start:end] {
			rows = max(rows, len(c))
		}
		for r := 0; r < rows; r++ {
			var line strings.Builder
			for i, c := range cols[start:end] {
				cell := ""
				if r < len(c) {
					cell = c[r]
				}
				fmt.Fprintf(&line, "%-*s", widths[start+i]+pad, cell)
			}
			fmt.Fprintln(w, strings.TrimRight(line.String(), " "))
		}
		start = end
	}
}

// PlanColumns returns the plan as table columns: the N-V-Rs to tag, by
// destination tag.
func (p *Plan) PlanColumns() map[string][]string {
	cols := map[string][]string{}
	for _, pr := range p.Promotions {
		cols[pr.ToTag] = append(cols[pr.ToTag], pr.Build.NVR)
	}
	return cols
}

// Promoted is a build tagged into a tag, for the ticket.
type Promoted struct {
	NVR     string `json:"nvr"`
	NoDist  string `json:"nvr_no_dist"`
	Tag     string `json:"tag"`
	BuildID int    `json:"build_id"`
	URL     string `json:"url"`
}

// Ticket is the record of a set of promotions for the ticket.
type Ticket struct {
	// To are the routes' destination tags with el* for the dver.
	To       []string   `json:"to"`
	Promoted []Promoted `json:"promoted"`
	Skipped  []Promoted `json:"skipped,omitempty"`
	Failed   []Promoted `json:"failed,omitempty"`
	Rejects  []string   `json:"rejects,omitempty"`
}

// Formats are the values of --format.
var Formats = []string{"jira", "markdown", "org", "json"}

func (t *Ticket) sorted() []Promoted {
	l := append([]Promoted(nil), t.Promoted...)
	sort.SliceStable(l, func(i, j int) bool {
		if l[i].NVR != l[j].NVR {
			return l[i].NVR < l[j].NVR
		}
		return l[i].Tag < l[j].Tag
	})
	return l
}

func (t *Ticket) promotedLine() string {
	set := map[string]bool{}
	for _, p := range t.Promoted {
		set[p.NoDist] = true
	}
	return fmt.Sprintf("Promoted %s to %s", strings.Join(sortedKeys(set), ", "), strings.Join(t.To, ", "))
}

// Write prints the ticket block in format: jira is osg-promote's "new
// syntax" block exactly; markdown a GitHub table; org an org-mode table;
// json the Ticket.
func (t *Ticket) Write(w io.Writer, format string) error {
	switch format {
	case "", "jira":
		fmt.Fprintf(w, "**Promotions**\n%s\n**Build** | **Tag**\n--- | ---\n", t.promotedLine())
		for _, p := range t.sorted() {
			fmt.Fprintf(w, " [%s](%s) | %s\n", p.NVR, p.URL, p.Tag)
		}
	case "markdown":
		fmt.Fprintf(w, "%s\n\n| Build | Tag |\n| --- | --- |\n", t.promotedLine())
		for _, p := range t.sorted() {
			fmt.Fprintf(w, "| [%s](%s) | %s |\n", mdEscape(p.NVR), p.URL, mdEscape(p.Tag))
		}
	case "org":
		fmt.Fprintf(w, "%s\n\n| Build | Tag |\n|-------+-----|\n", t.promotedLine())
		for _, p := range t.sorted() {
			fmt.Fprintf(w, "| [[%s][%s]] | %s |\n", p.URL, p.NVR, p.Tag)
		}
	case "json":
		if t.Promoted == nil {
			t.Promoted = []Promoted{}
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(t)
	default:
		return fmt.Errorf("unknown format %q (one of %s)", format, strings.Join(Formats, ", "))
	}
	return nil
}

func mdEscape(s string) string {
	return strings.NewReplacer("|", `\|`, "[", `\[`, "]", `\]`).Replace(s)
}
