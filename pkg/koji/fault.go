package koji

import (
	"errors"
	"fmt"
	"strings"
)

// Koji fault codes (koji/__init__.py). A hub fault carries one of these in
// Fault.Code; non-Koji exceptions on the hub arrive as code 1.
const (
	UnknownFault        = 1    // a non-Koji exception on the hub ("<class 'KeyError'>: ...")
	GenericError        = 1000 // catch-all: "Invalid method: X", "No such ..."
	LockError           = 1001 // upload file locked
	AuthError           = 1002 // bad credentials or session
	TagError            = 1003 // already tagged, build not complete, not in tag
	ActionNotAllowed    = 1004 // missing permission, not logged in, policy
	BuildError          = 1005 // build failures in kojid
	AuthLockError       = 1006 // exclusive session conflict (AuthError family)
	AuthExpired         = 1007 // session expired; clients log in again (AuthError family)
	SequenceError       = 1008 // callnum went backwards (AuthError family)
	RetryError          = 1009 // duplicate callnum on a non-retryable call (AuthError family)
	PreBuildError       = 1010 // BuildError family
	PostBuildError      = 1011 // BuildError family
	BuildrootError      = 1012 // BuildError family: repo not ready etc.
	FunctionDeprecated  = 1013
	ServerOffline       = 1014 // maintenance, lockout, database outage
	LiveCDError         = 1015
	PluginError         = 1016
	CallbackError       = 1017 // PluginError family
	ApplianceError      = 1018
	ParameterError      = 1019 // wrong arguments or keyword arguments, invalid values
	ImportError         = 1020
	ConfigurationError  = 1021 // client-side configuration errors
	LiveMediaError      = 1022
	GSSAPIAuthError     = 1023 // client-side GSSAPI failure (AuthError family)
	NameValidationError = 1024
)

const (
	exitCodeFailure          = 1
	exitCodeAuthOrPermission = 4
)

var faultNames = map[int]string{
	UnknownFault:        "Fault",
	GenericError:        "GenericError",
	LockError:           "LockError",
	AuthError:           "AuthError",
	TagError:            "TagError",
	ActionNotAllowed:    "ActionNotAllowed",
	BuildError:          "BuildError",
	AuthLockError:       "AuthLockError",
	AuthExpired:         "AuthExpired",
	SequenceError:       "SequenceError",
	RetryError:          "RetryError",
	PreBuildError:       "PreBuildError",
	PostBuildError:      "PostBuildError",
	BuildrootError:      "BuildrootError",
	FunctionDeprecated:  "FunctionDeprecated",
	ServerOffline:       "ServerOffline",
	LiveCDError:         "LiveCDError",
	PluginError:         "PluginError",
	CallbackError:       "CallbackError",
	ApplianceError:      "ApplianceError",
	ParameterError:      "ParameterError",
	ImportError:         "ImportError",
	ConfigurationError:  "ConfigurationError",
	LiveMediaError:      "LiveMediaError",
	GSSAPIAuthError:     "GSSAPIAuthError",
	NameValidationError: "NameValidationError",
}

// faultParents maps a code to its parent class's code, as Koji's exception
// hierarchy does (AuthExpired is an AuthError, PreBuildError a BuildError…).
var faultParents = map[int]int{
	AuthLockError:   AuthError,
	AuthExpired:     AuthError,
	SequenceError:   AuthError,
	RetryError:      AuthError,
	GSSAPIAuthError: AuthError,
	PreBuildError:   BuildError,
	PostBuildError:  BuildError,
	BuildrootError:  BuildError,
	CallbackError:   PluginError,
}

// FaultName returns the name of Koji's exception class for code
// ("GenericError", "AuthExpired"…), or "Fault" for codes Koji does not define.
func FaultName(code int) string {
	if n, ok := faultNames[code]; ok {
		return n
	}
	return "Fault"
}

// Fault is an XML-RPC fault answered by a Koji hub (or produced by the
// embedded hub), with Koji's code and text. It is always returned as *Fault.
type Fault struct {
	Code   int    `xmlrpc:"faultCode"`
	String string `xmlrpc:"faultString"`
}

// NewFault returns a *Fault with the given code and formatted text.
func NewFault(code int, format string, args ...any) *Fault {
	return &Fault{Code: code, String: fmt.Sprintf(format, args...)}
}

// Error returns "<ClassName>: <fault string>", the way the koji CLI shows a
// converted fault.
func (f *Fault) Error() string {
	return FaultName(f.Code) + ": " + f.String
}

// FaultCode returns the code; with FaultString it lets the XML-RPC server
// send a *Fault returned by the hub as the same fault.
func (f *Fault) FaultCode() int { return f.Code }

// FaultString returns Koji's fault text.
func (f *Fault) FaultString() string { return f.String }

// Name is the Koji exception class name of the fault.
func (f *Fault) Name() string { return FaultName(f.Code) }

// Is reports whether target is a *Fault with the same code (the text is not
// compared), so errors.Is(err, &koji.Fault{Code: koji.TagError}) works.
func (f *Fault) Is(target error) bool {
	t, ok := target.(*Fault)
	return ok && t.Code == f.Code
}

// ExitCode implements cmdutil.ExitCoder: 4 for the authentication family and
// ActionNotAllowed (permission), 1 for everything else.
func (f *Fault) ExitCode() int {
	if isA(f.Code, AuthError) || f.Code == ActionNotAllowed {
		return exitCodeAuthOrPermission
	}
	return exitCodeFailure
}

// isA reports whether code is class or a subclass of it.
func isA(code, class int) bool {
	for {
		if code == class {
			return true
		}
		p, ok := faultParents[code]
		if !ok {
			return false
		}
		code = p
	}
}

// AsFault returns the *Fault in err's chain, if any.
func AsFault(err error) (*Fault, bool) {
	var f *Fault
	if errors.As(err, &f) {
		return f, true
	}
	return nil, false
}

// IsFault reports whether err is (or wraps) a Koji fault of class code or one
// of its subclasses: IsFault(err, koji.AuthError) is true for AuthExpired.
func IsFault(err error, code int) bool {
	f, ok := AsFault(err)
	return ok && isA(f.Code, code)
}

// IsAuthError reports whether err is a fault of the AuthError family
// (AuthError, AuthLockError, AuthExpired, SequenceError, RetryError,
// GSSAPIAuthError).
func IsAuthError(err error) bool { return IsFault(err, AuthError) }

// IsPermissionError reports whether err is an authentication fault or
// ActionNotAllowed (a missing permission, or not logged in).
func IsPermissionError(err error) bool {
	return IsAuthError(err) || IsFault(err, ActionNotAllowed)
}

// IsInvalidMethod reports whether err is the GenericError a hub answers for a
// method it does not have ("Invalid method: X").
func IsInvalidMethod(err error) bool {
	f, ok := AsFault(err)
	return ok && f.Code == GenericError && strings.HasPrefix(f.String, "Invalid method")
}

// IsUnexpectedKeyword reports whether err is the ParameterError a hub answers
// for a keyword argument it does not know (older hubs), so callers can retry
// without it as the koji CLI does.
func IsUnexpectedKeyword(err error) bool {
	f, ok := AsFault(err)
	return ok && f.Code == ParameterError && strings.Contains(f.String, "got an unexpected keyword argument")
}

// ErrNotFound is the sentinel for "no such object". It is returned by
// NotFound errors and matched by IsNotFound; Hub methods themselves return
// (nil, nil) for a miss in their non-strict form (see the package comment).
var ErrNotFound = errors.New("not found")

// NotFoundError says which object was missing. It matches ErrNotFound with
// errors.Is.
type NotFoundError struct {
	Kind string // "tag", "build", "target", "task"…
	Key  string // the name or id asked for
}

// NotFound returns a *NotFoundError for kind and key (formatted with %v).
func NotFound(kind string, key any) error {
	return &NotFoundError{Kind: kind, Key: fmt.Sprint(key)}
}

func (e *NotFoundError) Error() string { return fmt.Sprintf("no such %s: %s", e.Kind, e.Key) }

// Is makes errors.Is(err, ErrNotFound) true.
func (e *NotFoundError) Is(target error) bool { return target == ErrNotFound }

// IsNotFound reports whether err means "no such object": ErrNotFound (or a
// *NotFoundError), or the GenericError "No such ..." / "Invalid ..." faults
// Koji raises for misses in strict calls.
func IsNotFound(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, ErrNotFound) {
		return true
	}
	f, ok := AsFault(err)
	if !ok || f.Code != GenericError {
		return false
	}
	s := strings.ToLower(f.String)
	return strings.HasPrefix(s, "no such") || strings.Contains(s, "no such ") ||
		strings.HasPrefix(s, "invalid tag") || strings.HasPrefix(s, "invalid build")
}
