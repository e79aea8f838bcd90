// Package cmdutil holds what every command shares: the [Factory] of lazy
// dependencies, the error types that carry intent to the one place that maps
// errors to exit codes, and argument helpers.
package cmdutil

import (
	"errors"
	"fmt"
)

// Exit codes of every osg-build command (documented in each command's help).
const (
	ExitOK          = 0   // success; an empty listing is also success
	ExitFailure     = 1   // the tool failed
	ExitUsage       = 2   // usage error
	ExitTaskFailed  = 3   // a Koji task or build ended FAILED or CANCELED
	ExitAuth        = 4   // authentication or permission
	ExitInterrupted = 130 // interrupted (Ctrl-C)
)

// ExitStatusHelp is appended to the long help of commands.
const ExitStatusHelp = `EXIT STATUS
  0    success
  1    failure
  2    usage error
  3    a Koji task or build failed or was canceled
  4    authentication or permission problem
  130  interrupted`

// FlagError is a usage error: the message is printed with a pointer to --help.
type FlagError struct{ Err error }

func (e *FlagError) Error() string { return e.Err.Error() }
func (e *FlagError) Unwrap() error { return e.Err }

// FlagErrorf returns a [FlagError] with a formatted message.
func FlagErrorf(format string, args ...any) error {
	return &FlagError{Err: fmt.Errorf(format, args...)}
}

// ErrSilent means the failure was already reported; exit 1 without a message.
var ErrSilent = errors.New("SilentError")

// ErrCancel means the user declined or interrupted; exit 130 quietly... the
// message, if any, has been printed.
var ErrCancel = errors.New("CancelError")

// ExitError carries a specific exit code. When Err is nil nothing is printed.
type ExitError struct {
	Code int
	Err  error
}

func (e *ExitError) Error() string {
	if e.Err == nil {
		return fmt.Sprintf("exit status %d", e.Code)
	}
	return e.Err.Error()
}
func (e *ExitError) Unwrap() error { return e.Err }

// ExitCode returns the code to exit with.
func (e *ExitError) ExitCode() int { return e.Code }

// WithExit wraps err so that the process exits with code.
func WithExit(code int, err error) error { return &ExitError{Code: code, Err: err} }

// ExitCoder is implemented by domain errors that know their exit code (for
// example Koji faults for authentication, code 4, and failed tasks, code 3),
// so that the CLI can map them without importing every domain package.
type ExitCoder interface {
	error
	ExitCode() int
}
