// Package runner runs external programs (rpmbuild, git, svn, mock, quilt,
// rpmlint, createrepo_c…) the one way this project does: never through a
// shell, with LC_ALL=C, the command line logged at debug level, the process
// in its own process group so that cancelling kills all of it, and a failure
// turned into an [*ExitError] that names the program, its exit status and the
// tail of its output.
package runner

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"
)

// TailLines is how many lines of output an [ExitError] keeps.
const TailLines = 20

// Cmd describes one program run.
type Cmd struct {
	Name  string   // program name or path
	Args  []string // arguments, without the program name
	Dir   string   // working directory ("" = current)
	Env   []string // extra KEY=VALUE entries, added to the process environment
	Stdin io.Reader
	// Stdout and Stderr, when set, also receive the output as it is written
	// (for example a log file, or the terminal for interactive tools).
	Stdout io.Writer
	Stderr io.Writer
	// LogPath, when set, names a file that receives the combined output; it
	// is named in the error on failure.
	LogPath string
}

// Result is what a successful run printed.
type Result struct {
	Stdout []byte
	Stderr []byte
	// Combined holds stdout and stderr interleaved as written.
	Combined []byte
}

// ExitError reports a program that could not be started or exited non-zero.
type ExitError struct {
	Program string
	Args    []string
	Status  int // -1 when it did not start or was killed by a signal
	Tail    string
	LogPath string
	Err     error
}

func (e *ExitError) Error() string {
	var b strings.Builder
	if e.Status < 0 {
		fmt.Fprintf(&b, "%s failed: %v", e.Program, e.Err)
	} else {
		fmt.Fprintf(&b, "%s exited with status %d", e.Program, e.Status)
	}
	if e.Tail != "" {
		fmt.Fprintf(&b, "; last lines of its output:\n%s", indent(e.Tail))
	}
	if e.LogPath != "" {
		fmt.Fprintf(&b, "\nfull log: %s", e.LogPath)
	}
	return b.String()
}

func (e *ExitError) Unwrap() error { return e.Err }

func indent(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i, l := range lines {
		lines[i] = "    " + l
	}
	return strings.Join(lines, "\n")
}

// Tail returns the last n lines of b.
func Tail(b []byte, n int) string {
	s := strings.TrimRight(string(b), "\n")
	if s == "" {
		return ""
	}
	lines := strings.Split(s, "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// Logger receives the debug line for every command; nil means slog.Default().
var Logger *slog.Logger

// Look reports whether a program is on PATH.
func Look(name string) (string, bool) {
	p, err := exec.LookPath(name)
	return p, err == nil
}

// Run runs c and waits for it. On a non-zero exit it returns an *ExitError
// together with the output so far.
func Run(ctx context.Context, c Cmd) (*Result, error) {
	logger := Logger
	if logger == nil {
		logger = slog.Default()
	}
	logger.Debug("run", "cmd", commandLine(c.Name, c.Args), "dir", c.Dir)

	cmd := exec.CommandContext(ctx, c.Name, c.Args...)
	cmd.Dir = c.Dir
	cmd.Env = append(os.Environ(), "LC_ALL=C", "LANG=C")
	cmd.Env = append(cmd.Env, c.Env...)
	cmd.Stdin = c.Stdin
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error {
		// Kill the whole process group: rpmbuild and mock start children.
		if cmd.Process != nil {
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		}
		return nil
	}
	cmd.WaitDelay = 5 * time.Second

	var stdout, stderr, combined lockedBuffer
	outs := []io.Writer{&stdout, &combined}
	errs := []io.Writer{&stderr, &combined}
	if c.Stdout != nil {
		outs = append(outs, c.Stdout)
	}
	if c.Stderr != nil {
		errs = append(errs, c.Stderr)
	}
	var logFile *os.File
	if c.LogPath != "" {
		f, err := os.OpenFile(c.LogPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			return nil, fmt.Errorf("open log for %s: %w", c.Name, err)
		}
		defer f.Close()
		logFile = f
		outs = append(outs, f)
		errs = append(errs, f)
	}
	cmd.Stdout = io.MultiWriter(outs...)
	cmd.Stderr = io.MultiWriter(errs...)

	err := cmd.Start()
	if err == nil {
		if rec := recordPath(ctx); rec != "" {
			if werr := writeRecord(rec, cmd.Process.Pid); werr != nil {
				logger.Debug("record the process", "path", rec, "err", werr)
			}
			defer os.Remove(rec)
		}
		err = cmd.Wait()
	}
	res := &Result{Stdout: stdout.Bytes(), Stderr: stderr.Bytes(), Combined: combined.Bytes()}
	if err == nil {
		return res, nil
	}
	if ctx.Err() != nil {
		return res, fmt.Errorf("%s: %w", c.Name, ctx.Err())
	}
	ee := &ExitError{Program: c.Name, Args: c.Args, Status: -1, Err: err, Tail: Tail(res.Combined, TailLines)}
	if logFile != nil {
		ee.LogPath = c.LogPath
	}
	var xe *exec.ExitError
	if errors.As(err, &xe) && xe.Exited() {
		ee.Status = xe.ExitCode()
	} else if errors.Is(err, exec.ErrNotFound) {
		ee.Err = fmt.Errorf("%s not found on PATH: install it (see README.md)", c.Name)
	}
	return res, ee
}

// Output runs c and returns its stdout with surrounding space trimmed.
func Output(ctx context.Context, c Cmd) (string, error) {
	res, err := Run(ctx, c)
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(string(res.Stdout)), nil
}

func commandLine(name string, args []string) string {
	parts := make([]string, 0, len(args)+1)
	for _, a := range append([]string{name}, args...) {
		if a == "" || strings.ContainsAny(a, " \t\n'\"\\$") {
			a = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
		parts = append(parts, a)
	}
	return strings.Join(parts, " ")
}

// CommandLine formats a command line for display, quoting as a shell would.
func CommandLine(name string, args ...string) string { return commandLine(name, args) }

// lockedBuffer is written by the stdout and stderr copiers at once.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) Bytes() []byte {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Bytes()
}
