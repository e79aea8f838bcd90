package iostreams

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// TablePrinter prints rows as an aligned table with an upper-case header on
// a terminal, and as tab-separated rows without a header when piped.
type TablePrinter struct {
	out    io.Writer
	tty    bool
	header []string
	rows   [][]string
}

// NewTablePrinter returns a table printer for the given streams.
func NewTablePrinter(s *IOStreams) *TablePrinter {
	return &TablePrinter{out: s.Out, tty: s.IsStdoutTTY()}
}

// NewTablePrinterTo returns a table printer writing to w, aligned when tty.
func NewTablePrinterTo(w io.Writer, tty bool) *TablePrinter {
	return &TablePrinter{out: w, tty: tty}
}

// Header sets the column titles (printed only on a terminal).
func (t *TablePrinter) Header(cols ...string) { t.header = cols }

// AddRow adds one row.
func (t *TablePrinter) AddRow(cols ...string) { t.rows = append(t.rows, cols) }

// Render writes the table.
func (t *TablePrinter) Render() error {
	if !t.tty {
		for _, r := range t.rows {
			if _, err := fmt.Fprintln(t.out, strings.Join(r, "\t")); err != nil {
				return err
			}
		}
		return nil
	}
	all := t.rows
	if len(t.header) > 0 {
		h := make([]string, len(t.header))
		for i, c := range t.header {
			h[i] = strings.ToUpper(c)
		}
		all = append([][]string{h}, t.rows...)
	}
	var widths []int
	for _, r := range all {
		for i, c := range r {
			if i >= len(widths) {
				widths = append(widths, 0)
			}
			if n := utf8.RuneCountInString(c); n > widths[i] {
				widths[i] = n
			}
		}
	}
	for _, r := range all {
		var b strings.Builder
		for i, c := range r {
			b.WriteString(c)
			if i < len(r)-1 {
				b.WriteString(strings.Repeat(" ", widths[i]-utf8.RuneCountInString(c)+2))
			}
		}
		if _, err := fmt.Fprintln(t.out, b.String()); err != nil {
			return err
		}
	}
	return nil
}
