package client

import (
	"reflect"
	"strings"

	"github.com/osg-htc/osg-build-go/internal/xmlrpc"
)

// kwargs turns an options struct into the keyword arguments to send: one
// entry per field with an `xmlrpc` tag whose value is set (omitempty fields
// that are empty are left out, as are nil pointers and zero Refs). Values
// implementing xmlrpc.Marshaler are marshalled here so that a Ref or a
// Latest that marshals to nil is not sent either.
func kwargs(opts any) map[string]any {
	rv := reflect.ValueOf(opts)
	if rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			return nil
		}
		rv = rv.Elem()
	}
	if rv.Kind() != reflect.Struct {
		return nil
	}
	t := rv.Type()
	var kw map[string]any
	for i := range t.NumField() {
		sf := t.Field(i)
		tag := sf.Tag.Get("xmlrpc")
		if tag == "" || tag == "-" || !sf.IsExported() {
			continue
		}
		name, tagOpts, _ := strings.Cut(tag, ",")
		fv := rv.Field(i)
		if strings.Contains(tagOpts, "omitempty") && isEmptyValue(fv) {
			continue
		}
		v := fv.Interface()
		if m, ok := v.(xmlrpc.Marshaler); ok {
			mv, err := m.MarshalXMLRPC()
			if err != nil || mv == nil {
				continue
			}
			v = mv
		}
		if kw == nil {
			kw = map[string]any{}
		}
		kw[name] = v
	}
	return kw
}

func isEmptyValue(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Slice, reflect.Map, reflect.String, reflect.Array:
		return v.Len() == 0
	}
	return v.IsZero()
}
