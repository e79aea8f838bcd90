package xmlrpc

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"
)

// UnmarshalError says which part of a decoded value could not be stored and why.
type UnmarshalError struct {
	Path string // e.g. "[3].epoch"; empty for the top level
	Msg  string
}

func (e *UnmarshalError) Error() string {
	if e.Path == "" {
		return "xmlrpc: " + e.Msg
	}
	return "xmlrpc: " + e.Path + ": " + e.Msg
}

var unmarshalerType = reflect.TypeFor[Unmarshaler]()

// Unmarshal stores a decoded value v (as returned by DecodeResponse or
// DecodeCall) in dst, which must be a non-nil pointer.
//
// Rules: structs are filled from structs by `xmlrpc` tag (or field name;
// members without a field are ignored, fields without a member are left
// alone), maps with string keys from structs, slices and arrays from arrays,
// pointers are allocated (nil leaves a nil pointer), interfaces receive the
// value as is. Loose typing as Koji needs it: nil stores the zero value; an
// int fits any integer kind (range-checked) and any float kind; a float with
// an integral value fits an integer kind; []byte takes base64 or a string.
// time.Time takes a dateTime, a Koji time string ("2025-07-02
// 16:29:15.123456+00:00", the hub's isoformat) or an int/float of seconds
// since the epoch. Strings and numbers are otherwise never converted into
// each other. Types implementing [Unmarshaler] decode themselves (also
// from nil).
func Unmarshal(v any, dst any) error {
	rv := reflect.ValueOf(dst)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return &UnmarshalError{Msg: fmt.Sprintf("Unmarshal needs a non-nil pointer, got %T", dst)}
	}
	return unmarshal(v, rv.Elem())
}

// inField and atIndex prefix the path of an error coming back from a
// member or an item (paths are only built on failure, so that the happy path
// does not allocate).
func inField(err error, name string) error {
	if ue, ok := err.(*UnmarshalError); ok {
		ue.Path = "." + name + ue.Path
	}
	return err
}

func atIndex(err error, i int) error {
	if ue, ok := err.(*UnmarshalError); ok {
		ue.Path = "[" + strconv.Itoa(i) + "]" + ue.Path
	}
	return err
}

func mismatch(v any, t reflect.Type) error {
	return &UnmarshalError{Msg: fmt.Sprintf("cannot store %s %s in a Go %s", typeName(v), short(v), t)}
}

var unmarshalerCache sync.Map // reflect.Type (pointer type) -> bool

func implementsUnmarshaler(pt reflect.Type) bool {
	if b, ok := unmarshalerCache.Load(pt); ok {
		return b.(bool)
	}
	b := pt.Implements(unmarshalerType)
	unmarshalerCache.Store(pt, b)
	return b
}

func short(v any) string {
	switch x := v.(type) {
	case map[string]any, []any:
		return ""
	case string:
		if len(x) > 40 {
			x = x[:40] + "..."
		}
		return fmt.Sprintf("%q", x)
	case []byte:
		return fmt.Sprintf("(%d bytes)", len(x))
	}
	return fmt.Sprint(v)
}

func unmarshal(v any, dst reflect.Value) error {
	if dst.CanAddr() && dst.Kind() != reflect.Interface {
		if implementsUnmarshaler(dst.Addr().Type()) {
			if err := dst.Addr().Interface().(Unmarshaler).UnmarshalXMLRPC(v); err != nil {
				var ue *UnmarshalError
				if errors.As(err, &ue) {
					return err
				}
				return &UnmarshalError{Msg: err.Error()}
			}
			return nil
		}
	}
	if v == nil {
		dst.SetZero()
		return nil
	}
	switch dst.Kind() {
	case reflect.Interface:
		if dst.NumMethod() == 0 {
			dst.Set(reflect.ValueOf(v))
			return nil
		}
		val := reflect.ValueOf(v)
		if val.Type().AssignableTo(dst.Type()) {
			dst.Set(val)
			return nil
		}
		return mismatch(v, dst.Type())
	case reflect.Pointer:
		if dst.IsNil() {
			dst.Set(reflect.New(dst.Type().Elem()))
		}
		return unmarshal(v, dst.Elem())
	case reflect.Bool:
		if b, ok := v.(bool); ok {
			dst.SetBool(b)
			return nil
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		var n int64
		switch x := v.(type) {
		case int64:
			n = x
		case float64:
			if x != math.Trunc(x) || x < math.MinInt64 || x >= math.MaxInt64 {
				return mismatch(v, dst.Type())
			}
			n = int64(x)
		default:
			return mismatch(v, dst.Type())
		}
		if dst.OverflowInt(n) {
			return &UnmarshalError{Msg: fmt.Sprintf("%d overflows a Go %s", n, dst.Type())}
		}
		dst.SetInt(n)
		return nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		var n int64
		switch x := v.(type) {
		case int64:
			n = x
		case float64:
			if x != math.Trunc(x) || x < 0 || x >= math.MaxInt64 {
				return mismatch(v, dst.Type())
			}
			n = int64(x)
		default:
			return mismatch(v, dst.Type())
		}
		if n < 0 || dst.OverflowUint(uint64(n)) {
			return &UnmarshalError{Msg: fmt.Sprintf("%d overflows a Go %s", n, dst.Type())}
		}
		dst.SetUint(uint64(n))
		return nil
	case reflect.Float32, reflect.Float64:
		switch x := v.(type) {
		case float64:
			dst.SetFloat(x)
			return nil
		case int64:
			dst.SetFloat(float64(x))
			return nil
		}
	case reflect.String:
		if s, ok := v.(string); ok {
			dst.SetString(s)
			return nil
		}
	case reflect.Slice:
		if dst.Type().Elem().Kind() == reflect.Uint8 {
			switch x := v.(type) {
			case []byte:
				dst.SetBytes(append([]byte(nil), x...))
				return nil
			case string:
				dst.SetBytes([]byte(x))
				return nil
			}
		}
		a, ok := v.([]any)
		if !ok {
			return mismatch(v, dst.Type())
		}
		s := reflect.MakeSlice(dst.Type(), len(a), len(a))
		for i, item := range a {
			if err := unmarshal(item, s.Index(i)); err != nil {
				return atIndex(err, i)
			}
		}
		dst.Set(s)
		return nil
	case reflect.Array:
		a, ok := v.([]any)
		if !ok {
			return mismatch(v, dst.Type())
		}
		if len(a) != dst.Len() {
			return &UnmarshalError{Msg: fmt.Sprintf("array of %d items does not fit a Go %s", len(a), dst.Type())}
		}
		for i, item := range a {
			if err := unmarshal(item, dst.Index(i)); err != nil {
				return atIndex(err, i)
			}
		}
		return nil
	case reflect.Map:
		m, ok := v.(map[string]any)
		if !ok || dst.Type().Key().Kind() != reflect.String {
			return mismatch(v, dst.Type())
		}
		out := reflect.MakeMapWithSize(dst.Type(), len(m))
		et := dst.Type().Elem()
		for k, item := range m {
			ev := reflect.New(et).Elem()
			if err := unmarshal(item, ev); err != nil {
				return inField(err, k)
			}
			out.SetMapIndex(reflect.ValueOf(k).Convert(dst.Type().Key()), ev)
		}
		dst.Set(out)
		return nil
	case reflect.Struct:
		if dst.Type() == timeType {
			t, err := toTime(v)
			if err != nil {
				return &UnmarshalError{Msg: err.Error()}
			}
			dst.Set(reflect.ValueOf(t))
			return nil
		}
		m, ok := v.(map[string]any)
		if !ok {
			return mismatch(v, dst.Type())
		}
		for _, f := range structFields(dst.Type()) {
			item, present := m[f.name]
			if !present {
				continue
			}
			fv, err := fieldForSet(dst, f.index)
			if err != nil {
				return err
			}
			if err := unmarshal(item, fv); err != nil {
				return inField(err, f.name)
			}
		}
		return nil
	}
	return mismatch(v, dst.Type())
}

// fieldForSet walks to a (possibly embedded) field, allocating nil embedded pointers.
func fieldForSet(v reflect.Value, index []int) (reflect.Value, error) {
	for i, x := range index {
		if i > 0 && v.Kind() == reflect.Pointer {
			if v.IsNil() {
				if !v.CanSet() {
					return reflect.Value{}, &UnmarshalError{Msg: "cannot set embedded pointer to unexported struct " + v.Type().Elem().String()}
				}
				v.Set(reflect.New(v.Type().Elem()))
			}
			v = v.Elem()
		}
		v = v.Field(x)
	}
	return v, nil
}

// TimeLayouts are the string forms Unmarshal accepts for a time.Time:
// Python's datetime.isoformat(' ') as Koji sends it, with or without
// fraction and zone, and with 'T'.
var TimeLayouts = []string{
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02T15:04:05.999999999Z07:00",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02",
}

func toTime(v any) (time.Time, error) {
	switch x := v.(type) {
	case time.Time:
		return x, nil
	case string:
		s := strings.TrimSpace(x)
		for _, l := range TimeLayouts {
			if t, err := time.Parse(l, s); err == nil {
				return t, nil
			}
		}
		if t, err := ParseDateTime(s); err == nil {
			return t, nil
		}
		return time.Time{}, fmt.Errorf("cannot parse time %q", x)
	case float64:
		sec, frac := math.Modf(x)
		return time.Unix(int64(sec), int64(frac*1e9)).UTC(), nil
	case int64:
		return time.Unix(x, 0).UTC(), nil
	}
	return time.Time{}, fmt.Errorf("cannot store %s in a Go time.Time", typeName(v))
}

// Int returns a decoded number as an int64: the decoder's int64, a
// float64 (truncated; Koji sends some ids as doubles), or a Go int or
// int32 built by the caller. ok is false for anything else (nil, strings).
func Int(v any) (n int64, ok bool) {
	switch x := v.(type) {
	case int:
		return int64(x), true
	case int64:
		return x, true
	case int32:
		return int64(x), true
	case float64:
		return int64(x), true
	}
	return 0, false
}
