// Package iostreams decides where output goes and how it looks: TTY
// detection, colour (NO_COLOR, CLICOLOR, CLICOLOR_FORCE), and whether
// progress bars and live displays may be drawn. Every command writes through
// an [IOStreams]; tests use [Test] to capture both streams.
package iostreams

import (
	"bytes"
	"io"
	"os"
	"strconv"

	"golang.org/x/term"
)

// ForceTTYEnv, when set to a true value, makes stdout and stderr count as
// terminals (so tests and scripts can exercise the TTY paths).
const ForceTTYEnv = "OSG_BUILD_FORCE_TTY"

// IOStreams carries the three standard streams and what is known about them.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer

	stdinTTY  bool
	stdoutTTY bool
	stderrTTY bool
	color     bool
	quiet     bool
	noProg    bool
	width     int
}

// System returns the process's streams with TTY and colour detected from the
// environment.
func System() *IOStreams {
	s := &IOStreams{In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr}
	s.stdinTTY = isTerminal(os.Stdin)
	s.stdoutTTY = isTerminal(os.Stdout)
	s.stderrTTY = isTerminal(os.Stderr)
	if b, err := strconv.ParseBool(os.Getenv(ForceTTYEnv)); err == nil && b {
		s.stdoutTTY, s.stderrTTY = true, true
	}
	s.color = colorFromEnv(s.stdoutTTY, os.Getenv)
	if s.stdoutTTY {
		if w, _, err := term.GetSize(int(os.Stdout.Fd())); err == nil {
			s.width = w
		}
	}
	return s
}

// Test returns streams backed by buffers: stdin, stdout, stderr.
func Test() (*IOStreams, *bytes.Buffer, *bytes.Buffer, *bytes.Buffer) {
	in, out, errOut := &bytes.Buffer{}, &bytes.Buffer{}, &bytes.Buffer{}
	return &IOStreams{In: in, Out: out, ErrOut: errOut}, in, out, errOut
}

func isTerminal(f *os.File) bool { return term.IsTerminal(int(f.Fd())) }

// colorFromEnv applies the NO_COLOR / CLICOLOR / CLICOLOR_FORCE conventions.
func colorFromEnv(tty bool, getenv func(string) string) bool {
	if getenv("NO_COLOR") != "" {
		return false
	}
	if f := getenv("CLICOLOR_FORCE"); f != "" && f != "0" {
		return true
	}
	if getenv("CLICOLOR") == "0" {
		return false
	}
	return tty
}

// IsStdinTTY reports whether stdin is a terminal (prompts are allowed).
func (s *IOStreams) IsStdinTTY() bool { return s.stdinTTY }

// IsStdoutTTY reports whether stdout is a terminal (aligned tables).
func (s *IOStreams) IsStdoutTTY() bool { return s.stdoutTTY }

// IsStderrTTY reports whether stderr is a terminal.
func (s *IOStreams) IsStderrTTY() bool { return s.stderrTTY }

// SetTTY sets the TTY state of all three streams (for tests).
func (s *IOStreams) SetTTY(in, out, err bool) { s.stdinTTY, s.stdoutTTY, s.stderrTTY = in, out, err }

// ColorEnabled reports whether colour escapes may be written.
func (s *IOStreams) ColorEnabled() bool { return s.color }

// SetColorEnabled turns colour on or off (for tests).
func (s *IOStreams) SetColorEnabled(on bool) { s.color = on }

// SetQuiet turns off progress and informational output.
func (s *IOStreams) SetQuiet(q bool) { s.quiet = q }

// Quiet reports whether informational output is suppressed.
func (s *IOStreams) Quiet() bool { return s.quiet }

// ProgressEnabled reports whether progress bars and live displays may be
// drawn: only when stdout and stderr are both terminals and not quiet.
func (s *IOStreams) ProgressEnabled() bool {
	return s.stdoutTTY && s.stderrTTY && !s.quiet && !s.noProg
}

// SetNoProgress turns progress bars off (the koji CLI's --noprogress).
func (s *IOStreams) SetNoProgress(off bool) { s.noProg = off }

// StderrProgress reports whether a progress bar may be drawn on stderr
// while data goes to stdout or files: stderr is a terminal, and neither
// --quiet nor --noprogress was given.
func (s *IOStreams) StderrProgress() bool { return s.stderrTTY && !s.quiet && !s.noProg }

// TerminalWidth returns the width of the terminal, or 80 when unknown.
func (s *IOStreams) TerminalWidth() int {
	if s.width > 0 {
		return s.width
	}
	if c, err := strconv.Atoi(os.Getenv("COLUMNS")); err == nil && c > 0 {
		return c
	}
	return 80
}

// ColorScheme returns helpers that colour text only when colour is enabled.
func (s *IOStreams) ColorScheme() *ColorScheme { return &ColorScheme{on: s.color} }

// ColorScheme wraps text in ANSI colours when enabled, and returns it
// unchanged otherwise.
type ColorScheme struct{ on bool }

func (c *ColorScheme) wrap(code, s string) string {
	if !c.on {
		return s
	}
	return "\x1b[" + code + "m" + s + "\x1b[0m"
}

// Red colours s red.
func (c *ColorScheme) Red(s string) string { return c.wrap("31", s) }

// Green colours s green.
func (c *ColorScheme) Green(s string) string { return c.wrap("32", s) }

// Yellow colours s yellow.
func (c *ColorScheme) Yellow(s string) string { return c.wrap("33", s) }

// Bold makes s bold.
func (c *ColorScheme) Bold(s string) string { return c.wrap("1", s) }

// SuccessIcon is a green check mark.
func (c *ColorScheme) SuccessIcon() string { return c.Green("✓") }

// FailureIcon is a red cross.
func (c *ColorScheme) FailureIcon() string { return c.Red("X") }

// WarningIcon is a yellow exclamation mark.
func (c *ColorScheme) WarningIcon() string { return c.Yellow("!") }
