package xmlrpc

import (
	"fmt"
	"strconv"
	"strings"
)

// SplitKwargs separates Koji's keyword arguments from positional params:
// if the last param is a struct whose "__starstar" member is true (Python's
// koji.encode_args), it is removed and returned (without the marker) as
// kwargs. kwargs is nil when there are none.
func SplitKwargs(params []any) (args []any, kwargs map[string]any) {
	if len(params) == 0 {
		return params, nil
	}
	last, ok := params[len(params)-1].(map[string]any)
	if !ok {
		return params, nil
	}
	if ss, ok := last["__starstar"].(bool); !ok || !ss {
		return params, nil
	}
	kwargs = make(map[string]any, len(last)-1)
	for k, v := range last {
		if k != "__starstar" {
			kwargs[k] = v
		}
	}
	return params[:len(params)-1], kwargs
}

// Param is one parameter of a [Signature]: a name and, when Optional, the
// default value used when the caller does not pass it.
type Param struct {
	Name     string
	Optional bool
	Default  any
}

// Req is a required parameter.
func Req(name string) Param { return Param{Name: name} }

// Opt is an optional parameter with its default.
func Opt(name string, def any) Param { return Param{Name: name, Optional: true, Default: def} }

// Signature describes a Koji hub function the way Python sees it, so that
// wrong arguments produce exactly Python's TypeError texts (which Koji sends
// as ParameterError, fault 1019, and which Koji's CLI parses in places).
//
// Name is what Python prints before "()": the function's __qualname__, e.g.
// "get_tag" for getTag (a staticmethod alias of kojihub.get_tag) or
// "RootExports.listTaskOutput" for a method. Self, for methods, makes the
// counts in "takes N positional arguments" include self as Python's do.
// Params are positional-or-keyword parameters in order (required ones
// first); VarArgs accepts extra positional arguments (*args), VarKw extra
// keyword arguments (**kwargs).
type Signature struct {
	Name    string
	Self    bool
	Params  []Param
	VarArgs bool
	VarKw   bool
}

// Sig is a short way to write a Signature without *args/**kwargs.
func Sig(name string, params ...Param) *Signature {
	return &Signature{Name: name, Params: params}
}

// Bound is the result of binding a call's arguments to a Signature.
type Bound struct {
	// Values holds every parameter by name: the caller's value or the default.
	Values map[string]any
	// Extra holds positional arguments beyond Params (only with VarArgs).
	Extra []any
	// ExtraKw holds unknown keyword arguments (only with VarKw).
	ExtraKw map[string]any
}

// ParameterError is Python's TypeError at the call boundary, sent as Koji's
// ParameterError (fault 1019).
type ParameterError struct{ Msg string }

func (e *ParameterError) Error() string { return e.Msg }

// FaultCode returns 1019.
func (e *ParameterError) FaultCode() int { return CodeParameterError }

// Bind binds positional args and kwargs to the signature in Python's order
// of checks (unexpected or duplicate keywords, too many positional
// arguments, missing required ones) with Python 3's messages.
func (s *Signature) Bind(args []any, kwargs map[string]any) (*Bound, error) {
	b := &Bound{Values: make(map[string]any, len(s.Params))}
	n := min(len(args), len(s.Params))
	for i := range n {
		b.Values[s.Params[i].Name] = args[i]
	}
	if len(args) > len(s.Params) && s.VarArgs {
		b.Extra = append([]any(nil), args[len(s.Params):]...)
	}
	// Keywords in a stable order so the first bad one named is deterministic.
	for _, k := range sortedKeys(kwargs) {
		idx := -1
		for i, p := range s.Params {
			if p.Name == k {
				idx = i
				break
			}
		}
		if idx < 0 {
			if s.VarKw {
				if b.ExtraKw == nil {
					b.ExtraKw = map[string]any{}
				}
				b.ExtraKw[k] = kwargs[k]
				continue
			}
			return nil, &ParameterError{fmt.Sprintf("%s() got an unexpected keyword argument '%s'", s.Name, k)}
		}
		if idx < n {
			return nil, &ParameterError{fmt.Sprintf("%s() got multiple values for argument '%s'", s.Name, k)}
		}
		b.Values[k] = kwargs[k]
	}
	if len(args) > len(s.Params) && !s.VarArgs {
		return nil, &ParameterError{s.tooMany(len(args))}
	}
	var missing []string
	for _, p := range s.Params {
		if _, ok := b.Values[p.Name]; ok {
			continue
		}
		if p.Optional {
			b.Values[p.Name] = p.Default
			continue
		}
		missing = append(missing, p.Name)
	}
	if len(missing) > 0 {
		return nil, &ParameterError{fmt.Sprintf("%s() missing %d required positional argument%s: %s",
			s.Name, len(missing), plural(len(missing)), pyNameList(missing))}
	}
	return b, nil
}

func (s *Signature) tooMany(given int) string {
	self := 0
	if s.Self {
		self = 1
	}
	argc := len(s.Params) + self
	defaults := 0
	for _, p := range s.Params {
		if p.Optional {
			defaults++
		}
	}
	var sig string
	pl := "s"
	if defaults > 0 {
		sig = fmt.Sprintf("from %d to %d", argc-defaults, argc)
	} else {
		sig = strconv.Itoa(argc)
		pl = plural(argc)
	}
	given += self
	verb := "were"
	if given == 1 {
		verb = "was"
	}
	return fmt.Sprintf("%s() takes %s positional argument%s but %d %s given", s.Name, sig, pl, given, verb)
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// pyNameList formats names as CPython does: 'a'; 'a' and 'b'; 'a', 'b', and 'c'.
func pyNameList(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = "'" + n + "'"
	}
	switch len(q) {
	case 1:
		return q[0]
	case 2:
		return q[0] + " and " + q[1]
	}
	return strings.Join(q[:len(q)-1], ", ") + ", and " + q[len(q)-1]
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	// small maps: insertion sort keeps this allocation-free beyond keys
	for i := 1; i < len(keys); i++ {
		for j := i; j > 0 && keys[j] < keys[j-1]; j-- {
			keys[j], keys[j-1] = keys[j-1], keys[j]
		}
	}
	return keys
}
