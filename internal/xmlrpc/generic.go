package xmlrpc

import (
	"fmt"
	"math"
	"reflect"
	"strings"
	"time"
	"unicode/utf8"
)

// Generic converts v to the form a decoder gives back for it (nil, bool,
// int64, float64, string, []byte, time.Time, []any, map[string]any)
// without the XML: the same value as encoding v in a response and decoding
// that, in a fraction of the time. Strings lose what XML cannot carry, as
// the encoder drops or replaces it; times are UTC to the second; ints and
// uints become int64; nil slices, maps and pointers become nil; structs
// become maps by their xmlrpc tags; a Marshaler's value is converted in
// turn. Nothing of v is shared with the result.
func Generic(v any) (any, error) {
	return genericValue(v, 0)
}

func genericValue(v any, depth int) (any, error) {
	if depth > MaxDepth {
		return nil, fmt.Errorf("value nested deeper than %d levels (cyclic data?)", MaxDepth)
	}
	switch x := v.(type) {
	case nil:
		return nil, nil
	case string:
		return CleanString(x), nil
	case int64:
		return x, nil
	case int:
		return int64(x), nil
	case bool:
		return x, nil
	case float64:
		return x, nil
	case []byte:
		if x == nil {
			return nil, nil
		}
		return append([]byte{}, x...), nil
	case time.Time:
		return genericTime(x), nil
	case map[string]any:
		if x == nil {
			return nil, nil
		}
		m := make(map[string]any, len(x))
		for k, item := range x {
			g, err := genericValue(item, depth+1)
			if err != nil {
				return nil, fmt.Errorf("member %q: %w", k, err)
			}
			m[CleanString(k)] = g
		}
		return m, nil
	case []any:
		if x == nil {
			return nil, nil
		}
		l := make([]any, len(x))
		for i, item := range x {
			g, err := genericValue(item, depth+1)
			if err != nil {
				return nil, err
			}
			l[i] = g
		}
		return l, nil
	case *Fault:
		if x == nil {
			return nil, nil
		}
		return map[string]any{"faultCode": int64(x.Code), "faultString": CleanString(x.String)}, nil
	case Marshaler:
		rv := reflect.ValueOf(v)
		if rv.Kind() == reflect.Pointer && rv.IsNil() {
			return nil, nil
		}
		m, err := x.MarshalXMLRPC()
		if err != nil {
			return nil, err
		}
		return genericValue(m, depth+1)
	}
	return genericReflect(reflect.ValueOf(v), depth)
}

// genericTime is t as dateTime.iso8601 carries it: UTC, whole seconds.
func genericTime(t time.Time) time.Time {
	t = t.UTC()
	return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), 0, time.UTC)
}

func genericReflect(rv reflect.Value, depth int) (any, error) {
	if depth > MaxDepth {
		return nil, fmt.Errorf("value nested deeper than %d levels (cyclic data?)", MaxDepth)
	}
	if !rv.IsValid() {
		return nil, nil
	}
	if rv.Type().Implements(marshalerType) {
		if (rv.Kind() == reflect.Pointer || rv.Kind() == reflect.Interface) && rv.IsNil() {
			return nil, nil
		}
		m, err := rv.Interface().(Marshaler).MarshalXMLRPC()
		if err != nil {
			return nil, err
		}
		return genericValue(m, depth+1)
	}
	if rv.Kind() != reflect.Pointer && rv.CanAddr() && rv.Addr().Type().Implements(marshalerType) {
		return genericReflect(rv.Addr(), depth)
	}
	switch rv.Kind() {
	case reflect.Pointer, reflect.Interface:
		if rv.IsNil() {
			return nil, nil
		}
		return genericReflect(rv.Elem(), depth+1)
	case reflect.Bool:
		return rv.Bool(), nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return rv.Int(), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		u := rv.Uint()
		if u > math.MaxInt64 {
			return nil, fmt.Errorf("integer %d does not fit in 64 signed bits", u)
		}
		return int64(u), nil
	case reflect.Float32, reflect.Float64:
		return rv.Float(), nil
	case reflect.String:
		return CleanString(rv.String()), nil
	case reflect.Slice:
		if rv.IsNil() {
			return nil, nil
		}
		if rv.Type().Elem().Kind() == reflect.Uint8 {
			return append([]byte{}, rv.Bytes()...), nil
		}
		return genericList(rv, depth)
	case reflect.Array:
		if rv.Type().Elem().Kind() == reflect.Uint8 {
			b := make([]byte, rv.Len())
			reflect.Copy(reflect.ValueOf(b), rv)
			return b, nil
		}
		return genericList(rv, depth)
	case reflect.Map:
		if rv.Type().Key().Kind() != reflect.String {
			return nil, fmt.Errorf("map key type %s is not a string (XML-RPC structs have string keys)", rv.Type().Key())
		}
		if rv.IsNil() {
			return nil, nil
		}
		m := make(map[string]any, rv.Len())
		it := rv.MapRange()
		for it.Next() {
			k := it.Key().String()
			g, err := genericReflect(it.Value(), depth+1)
			if err != nil {
				return nil, fmt.Errorf("member %q: %w", k, err)
			}
			m[CleanString(k)] = g
		}
		return m, nil
	case reflect.Struct:
		if rv.Type() == timeType {
			return genericTime(rv.Interface().(time.Time)), nil
		}
		fields := structFields(rv.Type())
		m := make(map[string]any, len(fields))
		for _, f := range fields {
			fv, ok := fieldByIndex(rv, f.index)
			if !ok {
				continue // nil embedded pointer
			}
			if f.omitEmpty && isEmpty(fv) {
				continue
			}
			g, err := genericReflect(fv, depth+1)
			if err != nil {
				return nil, fmt.Errorf("field %s: %w", f.name, err)
			}
			m[CleanString(f.name)] = g
		}
		return m, nil
	}
	return nil, fmt.Errorf("cannot encode a %s as XML-RPC", rv.Type())
}

func genericList(rv reflect.Value, depth int) (any, error) {
	l := make([]any, rv.Len())
	for i := range rv.Len() {
		g, err := genericReflect(rv.Index(i), depth+1)
		if err != nil {
			return nil, fmt.Errorf("item %d: %w", i, err)
		}
		l[i] = g
	}
	return l, nil
}

// CleanString is s as it arrives after the encoder's escape: control
// characters other than tab, newline and carriage return dropped, U+FFFE
// and U+FFFF dropped, each byte of invalid UTF-8 replaced by U+FFFD. s
// itself when it has none of those (the usual case).
func CleanString(s string) string {
	i := 0
	for i < len(s) {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 && c != '\t' && c != '\n' && c != '\r' {
				break
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && size == 1) || r == 0xFFFE || r == 0xFFFF {
			break
		}
		i += size
	}
	if i == len(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteString(s[:i])
	for i < len(s) {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 || c == '\t' || c == '\n' || c == '\r' {
				b.WriteByte(c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b.WriteRune(utf8.RuneError)
		case r == 0xFFFE || r == 0xFFFF:
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}
