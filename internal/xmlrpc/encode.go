package xmlrpc

import (
	"encoding/base64"
	"fmt"
	"io"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

const xmlHeader = "<?xml version='1.0'?>\n"

// EncodeCall writes a methodCall of method with params. Keyword arguments
// go last as a struct made with [Kwargs].
func EncodeCall(w io.Writer, method string, params ...any) error {
	if !validMethodName(method) {
		return fmt.Errorf("encode call: invalid method name %q (empty, or with spaces or control characters)", method)
	}
	e := newEncoder(w)
	e.str(xmlHeader + "<methodCall>\n<methodName>")
	e.escape(method)
	e.str("</methodName>\n<params>\n")
	for i, p := range params {
		e.str("<param>\n")
		if err := e.value(p, 0); err != nil {
			return fmt.Errorf("encode %s param %d: %w", method, i+1, err)
		}
		e.str("</param>\n")
	}
	e.str("</params>\n</methodCall>\n")
	return e.flush()
}

// EncodeResponse writes a methodResponse carrying v.
func EncodeResponse(w io.Writer, v any) error {
	e := newEncoder(w)
	e.str(xmlHeader + "<methodResponse>\n<params>\n<param>\n")
	if err := e.value(v, 0); err != nil {
		return fmt.Errorf("encode response: %w", err)
	}
	e.str("</param>\n</params>\n</methodResponse>\n")
	return e.flush()
}

// EncodeFault writes a methodResponse carrying the fault f.
func EncodeFault(w io.Writer, f *Fault) error {
	e := newEncoder(w)
	e.str(xmlHeader + "<methodResponse>\n<fault>\n")
	e.faultStruct(f.Code, f.String)
	e.str("</fault>\n</methodResponse>\n")
	return e.flush()
}

// Kwargs returns kw (a copy) with "__starstar": true added: Koji's way of
// sending keyword arguments, as the last param of a call.
func Kwargs(kw map[string]any) map[string]any {
	m := make(map[string]any, len(kw)+1)
	for k, v := range kw {
		m[k] = v
	}
	m["__starstar"] = true
	return m
}

type encoder struct {
	w   io.Writer
	buf []byte
	err error
}

func newEncoder(w io.Writer) *encoder {
	return &encoder{w: w, buf: make([]byte, 0, 4096)}
}

func (e *encoder) str(s string) {
	e.buf = append(e.buf, s...)
}

func (e *encoder) maybeFlush() {
	if len(e.buf) >= 64<<10 && e.err == nil {
		_, e.err = e.w.Write(e.buf)
		e.buf = e.buf[:0]
	}
}

func (e *encoder) flush() error {
	if e.err != nil {
		return e.err
	}
	if len(e.buf) > 0 {
		_, e.err = e.w.Write(e.buf)
		e.buf = e.buf[:0]
	}
	return e.err
}

func (e *encoder) faultStruct(code int, s string) {
	e.str("<value><struct>\n<member>\n<name>faultCode</name>\n")
	e.int(int64(code))
	e.str("</member>\n<member>\n<name>faultString</name>\n")
	e.string(s)
	e.str("</member>\n</struct></value>\n")
}

func (e *encoder) int(n int64) {
	if n >= math.MinInt32 && n <= math.MaxInt32 {
		e.str("<value><int>")
		e.buf = strconv.AppendInt(e.buf, n, 10)
		e.str("</int></value>\n")
		return
	}
	e.str("<value><i8>")
	e.buf = strconv.AppendInt(e.buf, n, 10)
	e.str("</i8></value>\n")
}

func (e *encoder) string(s string) {
	e.str("<value><string>")
	e.escape(s)
	e.str("</string></value>\n")
}

func (e *encoder) bool(b bool) {
	if b {
		e.str("<value><boolean>1</boolean></value>\n")
	} else {
		e.str("<value><boolean>0</boolean></value>\n")
	}
}

// float writes f the way Python's repr() does.
func (e *encoder) float(f float64) {
	e.str("<value><double>")
	e.buf = appendPyFloat(e.buf, f)
	e.str("</double></value>\n")
}

func appendPyFloat(b []byte, f float64) []byte {
	switch {
	case math.IsNaN(f):
		return append(b, "nan"...)
	case math.IsInf(f, 1):
		return append(b, "inf"...)
	case math.IsInf(f, -1):
		return append(b, "-inf"...)
	}
	if f == 0 {
		if math.Signbit(f) {
			return append(b, "-0.0"...)
		}
		return append(b, "0.0"...)
	}
	exp := int(math.Floor(math.Log10(math.Abs(f))))
	es := strconv.FormatFloat(f, 'e', -1, 64)
	if i := strings.LastIndexByte(es, 'e'); i >= 0 {
		if n, err := strconv.Atoi(es[i+1:]); err == nil {
			exp = n
		}
	}
	if exp < -4 || exp >= 16 {
		return append(b, es...)
	}
	start := len(b)
	b = strconv.AppendFloat(b, f, 'f', -1, 64)
	for _, c := range b[start:] {
		if c == '.' {
			return b
		}
	}
	return append(b, ".0"...)
}

func (e *encoder) base64(p []byte) {
	e.str("<value><base64>\n")
	// Python's base64.encodebytes: lines of 76 characters.
	for len(p) > 0 {
		n := min(len(p), 57)
		e.buf = base64.StdEncoding.AppendEncode(e.buf, p[:n])
		e.buf = append(e.buf, '\n')
		p = p[n:]
	}
	e.str("</base64></value>\n")
}

func (e *encoder) time(t time.Time) {
	e.str("<value><dateTime.iso8601>")
	e.buf = t.UTC().AppendFormat(e.buf, "20060102T15:04:05")
	e.str("</dateTime.iso8601></value>\n")
}

// escape appends s with &, < and > escaped (as Python does), \r as a
// character reference so that it survives, characters XML cannot carry
// dropped and invalid UTF-8 replaced by U+FFFD.
func (e *encoder) escape(s string) {
	b := e.buf
	last := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			var rep string
			switch {
			case c == '&':
				rep = "&amp;"
			case c == '<':
				rep = "&lt;"
			case c == '>':
				rep = "&gt;"
			case c == '\r':
				rep = "&#13;"
			case c < 0x20 && c != '\t' && c != '\n':
				rep = ""
			default:
				i++
				continue
			}
			b = append(b, s[last:i]...)
			b = append(b, rep...)
			i++
			last = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[last:i]...)
			b = append(b, "\uFFFD"...)
			i++
			last = i
			continue
		}
		if r == 0xFFFE || r == 0xFFFF {
			b = append(b, s[last:i]...)
			i += size
			last = i
			continue
		}
		i += size
	}
	b = append(b, s[last:]...)
	e.buf = b
}

// value encodes v. depth guards against cyclic data.
func (e *encoder) value(v any, depth int) error {
	if depth > MaxDepth {
		return fmt.Errorf("value nested deeper than %d levels (cyclic data?)", MaxDepth)
	}
	e.maybeFlush()
	switch x := v.(type) {
	case nil:
		e.str("<value><nil/></value>")
		return nil
	case string:
		e.string(x)
		return nil
	case int64:
		e.int(x)
		return nil
	case int:
		e.int(int64(x))
		return nil
	case bool:
		e.bool(x)
		return nil
	case float64:
		e.float(x)
		return nil
	case []byte:
		if x == nil {
			e.str("<value><nil/></value>")
			return nil
		}
		e.base64(x)
		return nil
	case time.Time:
		e.time(x)
		return nil
	case map[string]any:
		return e.anyMap(x, depth)
	case []any:
		if x == nil {
			e.str("<value><nil/></value>")
			return nil
		}
		e.str("<value><array><data>\n")
		for _, item := range x {
			if err := e.value(item, depth+1); err != nil {
				return err
			}
		}
		e.str("</data></array></value>\n")
		return nil
	case *Fault:
		if x == nil {
			e.str("<value><nil/></value>")
			return nil
		}
		e.faultStruct(x.Code, x.String)
		return nil
	case Marshaler:
		rv := reflect.ValueOf(v)
		if rv.Kind() == reflect.Pointer && rv.IsNil() {
			e.str("<value><nil/></value>")
			return nil
		}
		m, err := x.MarshalXMLRPC()
		if err != nil {
			return err
		}
		return e.value(m, depth+1)
	}
	return e.reflectValue(reflect.ValueOf(v), depth)
}

func (e *encoder) anyMap(m map[string]any, depth int) error {
	if m == nil {
		e.str("<value><nil/></value>")
		return nil
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	starstarLast(keys, func(k string) string { return k })
	e.str("<value><struct>\n")
	for _, k := range keys {
		e.str("<member>\n<name>")
		e.escape(k)
		e.str("</name>\n")
		if err := e.value(m[k], depth+1); err != nil {
			return fmt.Errorf("member %q: %w", k, err)
		}
		e.str("</member>\n")
	}
	e.str("</struct></value>\n")
	return nil
}

var (
	marshalerType = reflect.TypeFor[Marshaler]()
	timeType      = reflect.TypeFor[time.Time]()
)

func (e *encoder) reflectValue(rv reflect.Value, depth int) error {
	if depth > MaxDepth {
		return fmt.Errorf("value nested deeper than %d levels (cyclic data?)", MaxDepth)
	}
	if !rv.IsValid() {
		e.str("<value><nil/></value>")
		return nil
	}
	if rv.Type().Implements(marshalerType) {
		if (rv.Kind() == reflect.Pointer || rv.Kind() == reflect.Interface) && rv.IsNil() {
			e.str("<value><nil/></value>")
			return nil
		}
		m, err := rv.Interface().(Marshaler).MarshalXMLRPC()
		if err != nil {
			return err
		}
		return e.value(m, depth+1)
	}
	if rv.Kind() != reflect.Pointer && rv.CanAddr() && rv.Addr().Type().Implements(marshalerType) {
		return e.reflectValue(rv.Addr(), depth)
	}
	switch rv.Kind() {
	case reflect.Pointer, reflect.Interface:
		if rv.IsNil() {
			e.str("<value><nil/></value>")
			return nil
		}
		return e.reflectValue(rv.Elem(), depth+1)
	case reflect.Bool:
		e.bool(rv.Bool())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		e.int(rv.Int())
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		u := rv.Uint()
		if u > math.MaxInt64 {
			return fmt.Errorf("integer %d does not fit in 64 signed bits", u)
		}
		e.int(int64(u))
	case reflect.Float32, reflect.Float64:
		e.float(rv.Float())
	case reflect.String:
		e.string(rv.String())
	case reflect.Slice:
		if rv.IsNil() {
			e.str("<value><nil/></value>")
			return nil
		}
		if rv.Type().Elem().Kind() == reflect.Uint8 {
			e.base64(rv.Bytes())
			return nil
		}
		return e.list(rv, depth)
	case reflect.Array:
		if rv.Type().Elem().Kind() == reflect.Uint8 {
			b := make([]byte, rv.Len())
			reflect.Copy(reflect.ValueOf(b), rv)
			e.base64(b)
			return nil
		}
		return e.list(rv, depth)
	case reflect.Map:
		if rv.Type().Key().Kind() != reflect.String {
			return fmt.Errorf("map key type %s is not a string (XML-RPC structs have string keys)", rv.Type().Key())
		}
		if rv.IsNil() {
			e.str("<value><nil/></value>")
			return nil
		}
		keys := rv.MapKeys()
		slices.SortFunc(keys, func(a, b reflect.Value) int { return strings.Compare(a.String(), b.String()) })
		starstarLast(keys, reflect.Value.String)
		e.str("<value><struct>\n")
		for _, k := range keys {
			e.str("<member>\n<name>")
			e.escape(k.String())
			e.str("</name>\n")
			if err := e.reflectValue(rv.MapIndex(k), depth+1); err != nil {
				return fmt.Errorf("member %q: %w", k.String(), err)
			}
			e.str("</member>\n")
		}
		e.str("</struct></value>\n")
	case reflect.Struct:
		if rv.Type() == timeType {
			e.time(rv.Interface().(time.Time))
			return nil
		}
		e.str("<value><struct>\n")
		for _, f := range structFields(rv.Type()) {
			fv, ok := fieldByIndex(rv, f.index)
			if !ok {
				continue // nil embedded pointer
			}
			if f.omitEmpty && isEmpty(fv) {
				continue
			}
			e.str("<member>\n<name>")
			e.escape(f.name)
			e.str("</name>\n")
			if err := e.reflectValue(fv, depth+1); err != nil {
				return fmt.Errorf("field %s: %w", f.name, err)
			}
			e.str("</member>\n")
		}
		e.str("</struct></value>\n")
	default:
		return fmt.Errorf("cannot encode a %s as XML-RPC", rv.Type())
	}
	return nil
}

func (e *encoder) list(rv reflect.Value, depth int) error {
	e.str("<value><array><data>\n")
	for i := range rv.Len() {
		if err := e.reflectValue(rv.Index(i), depth+1); err != nil {
			return fmt.Errorf("item %d: %w", i, err)
		}
	}
	e.str("</data></array></value>\n")
	return nil
}

func isEmpty(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Slice, reflect.Map, reflect.String, reflect.Array:
		return v.Len() == 0
	}
	return v.IsZero()
}

func fieldByIndex(v reflect.Value, index []int) (reflect.Value, bool) {
	for i, x := range index {
		if i > 0 && v.Kind() == reflect.Pointer {
			if v.IsNil() {
				return reflect.Value{}, false
			}
			v = v.Elem()
		}
		v = v.Field(x)
	}
	return v, true
}

type field struct {
	name      string
	index     []int
	omitEmpty bool
}

var fieldCache sync.Map // reflect.Type -> []field

// structFields lists the encoded fields of a struct type: `xmlrpc:"name,omitempty"`
// tags ("-" skips a field), untagged exported fields by their Go name, and
// the fields of untagged embedded structs in place.
func structFields(t reflect.Type) []field {
	if f, ok := fieldCache.Load(t); ok {
		return f.([]field)
	}
	var fields []field
	var walk func(t reflect.Type, index []int, depth int)
	walk = func(t reflect.Type, index []int, depth int) {
		for i := range t.NumField() {
			sf := t.Field(i)
			tag := sf.Tag.Get("xmlrpc")
			if tag == "-" {
				continue
			}
			name, opts, _ := strings.Cut(tag, ",")
			idx := append(slices.Clone(index), i)
			if sf.Anonymous && name == "" && depth < 8 {
				ft := sf.Type
				if ft.Kind() == reflect.Pointer {
					ft = ft.Elem()
				}
				if ft.Kind() == reflect.Struct {
					walk(ft, idx, depth+1)
					continue
				}
			}
			if !sf.IsExported() {
				continue
			}
			if name == "" {
				name = sf.Name
			}
			fields = append(fields, field{name: name, index: idx, omitEmpty: strings.Contains(opts, "omitempty")})
		}
	}
	walk(t, nil, 0)
	fieldCache.Store(t, fields)
	return fields
}

// starstarLast moves Koji's "__starstar" kwargs marker to the end of sorted
// keys, where Python's client puts it.
func starstarLast[T any](keys []T, name func(T) string) {
	for i, k := range keys {
		if name(k) == "__starstar" {
			copy(keys[i:], keys[i+1:])
			keys[len(keys)-1] = k
			return
		}
	}
}

func validMethodName(m string) bool {
	if m == "" || !utf8.ValidString(m) {
		return false
	}
	for _, r := range m {
		if r <= ' ' || r == 0x7f || r == 0xFFFE || r == 0xFFFF {
			return false
		}
	}
	return true
}
