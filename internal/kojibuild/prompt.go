package kojibuild

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"
)

// ErrDeclined is returned when the user answered no.
var ErrDeclined = errors.New("declined")

// Asker asks yes/no questions about problems found before a build: on a
// terminal it asks and honours the answer (osg-build ignored it); with Yes
// it goes on; elsewhere it fails with the reason.
type Asker struct {
	// TTY says whether the user can be asked (stdin and stderr terminals).
	TTY bool
	// Yes is -y/--yes: go on without asking.
	Yes bool
	In  io.Reader
	Out io.Writer // where the question goes (stderr)

	in *bufio.Reader
}

// Confirm asks whether to go on despite problem. It returns nil to go on,
// an error wrapping ErrDeclined when the user said no, and an error naming
// the problem and the way out when nobody can be asked.
func (a *Asker) Confirm(problem, question string) error {
	if a.Yes {
		fmt.Fprintf(a.Out, "warning: %s (going on: --yes)\n", problem)
		return nil
	}
	if !a.TTY {
		return fmt.Errorf("%s; not asking without a terminal: pass -y/--yes to go on anyway", problem)
	}
	if a.in == nil {
		a.in = bufio.NewReader(a.In)
	}
	fmt.Fprintf(a.Out, "%s\n%s [y/N] ", problem, question)
	line, err := a.in.ReadString('\n')
	if err != nil && line == "" {
		fmt.Fprintln(a.Out)
		return fmt.Errorf("%s: no answer: %w", problem, ErrDeclined)
	}
	switch strings.ToLower(strings.TrimSpace(line)) {
	case "y", "yes":
		return nil
	}
	return fmt.Errorf("%s: %w", problem, ErrDeclined)
}
