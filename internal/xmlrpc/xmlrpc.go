// Package xmlrpc is Koji's dialect of XML-RPC: a fast decoder and an encoder
// for method calls and responses, reflection-based conversion between
// decoded values and Go types, and the server side of Koji's hub protocol
// (an http.Handler dispatching to Go functions, multiCall, kwargs, sessions
// and the raw chunk upload endpoint; see server.go and upload.go).
//
// # Values
//
// Decoded values are nil (<nil/>), bool, int64 (<int>, <i4>, <i8>), float64
// (<double>), string (<string> and untyped <value>text</value>), []byte
// (<base64>), time.Time (<dateTime.iso8601>, UTC unless a zone is given),
// []any (<array>) and map[string]any (<struct>).
//
// The decoder is a hand-written byte scanner (no encoding/xml, which is
// several times slower). DecodeResponse and DecodeCall stream: they scan a
// window of the body that moves as the body arrives, so a 40 MB listTagged
// answer is decoded while it is received and never held whole in memory;
// DecodeResponseBytes and DecodeCallBytes scan a body already in memory. It
// accepts only XML's five predefined entities and numeric character
// references, refuses DOCTYPEs and non-UTF-8 encodings, caps nesting at
// [MaxDepth] and returns a *[SyntaxError] (never panics) for anything
// malformed.
//
// The encoder writes the same layout as Python's xmlrpc.client with Koji's
// extensions (allow_none, <i8> for integers outside 32 bits), so that its
// output is byte-for-byte what Koji sends for the same data. Map keys are
// sorted (Koji's "__starstar" kwargs marker last, where Python puts it).
// Nil slices, maps, pointers and interfaces are <nil/> (Python's None): a
// hub function that means "an empty list" must return an empty, non-nil
// slice, as Koji answers [] and Python callers iterate over it. Characters XML 1.0 cannot carry (most C0 controls, U+FFFE/U+FFFF)
// are dropped and invalid UTF-8 becomes U+FFFD.
package xmlrpc

import "fmt"

// Fault is an XML-RPC fault: Koji's error codes (1 for non-Koji errors,
// 1000-1024 for koji.GenericError and its subclasses) and message.
type Fault struct {
	Code   int
	String string
}

// Error implements error: "<String> (fault <Code>)".
func (f *Fault) Error() string { return fmt.Sprintf("%s (fault %d)", f.String, f.Code) }

// FaultCode returns the fault code (see [FaultCoder]).
func (f *Fault) FaultCode() int { return f.Code }

// FaultString returns the fault text.
func (f *Fault) FaultString() string { return f.String }

// FaultCoder is implemented by errors that carry a Koji fault code. The
// server sends such an error as a fault with that code and the error's text
// (FaultString() if the error has that method, else Error()).
type FaultCoder interface {
	FaultCode() int
}

// Koji's fault codes (koji/__init__.py). The client-facing typed errors live
// in pkg/koji; these are what the server side needs.
const (
	CodeUnknown            = 1
	CodeGenericError       = 1000
	CodeLockError          = 1001
	CodeAuthError          = 1002
	CodeActionNotAllowed   = 1004
	CodeAuthExpired        = 1007
	CodeSequenceError      = 1008
	CodeRetryError         = 1009
	CodeServerOffline      = 1014
	CodeParameterError     = 1019
	CodeNameValidationErr  = 1024
	defaultMaxRequestBytes = 4194304
)

// Marshaler is implemented by types that encode themselves: MarshalXMLRPC
// returns the value to encode in their place (any value the encoder accepts).
type Marshaler interface {
	MarshalXMLRPC() (any, error)
}

// Unmarshaler is implemented by types that decode themselves from a decoded
// value (nil, bool, int64, float64, string, []byte, time.Time, []any or
// map[string]any). Unmarshal calls it on a pointer to the destination, also
// for nil values.
type Unmarshaler interface {
	UnmarshalXMLRPC(v any) error
}
