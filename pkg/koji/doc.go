// Package koji is Koji's hub API in Go: the types the hub answers, the Hub
// interface with one method per hub call the project uses, Koji's faults as
// typed errors, and the task, build, repo and user state constants.
//
// There are two implementations of Hub: pkg/koji/client talks XML-RPC to
// any Koji hub (a real Koji or `osg-build hub serve`), and pkg/hub is the
// embedded hub, in-process. Commands receive a Hub and never know which one
// they have.
//
// # Types and Koji's loose typing
//
// Every field of the answer types carries an explicit `xmlrpc:"member"` tag
// with Koji's exact member name (checked against the traffic of a real Koji
// 1.35.3 hub), so values decode from Koji and encode back to Koji's shapes.
// Members Koji sends as nil-or-value are pointers (*int, *string,
// *float64), `extra`-like members are map[string]any (nil map = <nil/>),
// times are Koji's strings ("2026-11-22 11:09:09.997915+00:00") with their
// float *_ts twins; Time and TS convert them.
//
// # Arguments
//
// Positional arguments of a Koji call are Go arguments in Koji's order;
// objects named "by id or name" are a Ref (ByID, ByName, ByFields). Keyword
// arguments are an options struct per call whose zero value means Koji's
// defaults; a field that is not set is not sent (pointers for values whose
// Koji default is not the Go zero value, omitempty otherwise).
//
// # Not found
//
// Decided once for every method: a Get* call whose Koji counterpart answers
// None for a missing object returns (nil, nil), exactly like Koji; with
// Strict set in its options the miss is Koji's GenericError fault
// ("No such tagInfo: 'x'"), for which IsNotFound is true. Callers that need
// an error from a nil result use NotFound(kind, key), which also satisfies
// IsNotFound and errors.Is(err, ErrNotFound). List calls return an empty
// slice, never nil-as-error. Calls whose Koji counterpart always raises on a
// missing argument (an unknown tag for ListTagged, GetInheritanceData…) say
// so in their comment and return the *Fault.
//
// # Errors
//
// A fault answered by the hub is a *Fault with Koji's code (GenericError,
// AuthError, ActionNotAllowed, ParameterError…). IsFault follows Koji's
// exception hierarchy (AuthExpired is an AuthError). *Fault implements
// ExitCode for the CLI: 4 for the AuthError family and ActionNotAllowed, 1
// otherwise.
package koji
