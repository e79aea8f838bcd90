package xmlrpc

import (
	"bytes"
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

// seedFuzz adds every koji-wire file matching pattern and a few broken bodies.
func seedFuzz(f *testing.F, pattern string) {
	for _, file := range wireFiles(f, pattern) {
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
		f.Add(b[:len(b)/2])
	}
	for _, s := range []string{
		"", "<", "<?xml version='1.0'?>", "<methodResponse><params><param><value><i8>-9223372036854775808</i8></value></param></params></methodResponse>",
		"<methodCall><methodName>x</methodName><params><param><value><base64>AA==</base64></value></param></params></methodCall>",
		"<methodResponse><params><param><value><string>&#x10FFFF;&lt;<![CDATA[x]]></string></value></param></params></methodResponse>",
		"<!DOCTYPE x [<!ENTITY a \"aaaa\">]><methodResponse/>",
		strings.Repeat("<value><array><data>", 300),
	} {
		f.Add([]byte(s))
	}
}

// cleanForRoundTrip reports whether every string in v survives our encoder
// unchanged (valid UTF-8 without the characters XML cannot carry).
func cleanForRoundTrip(v any) bool {
	switch x := v.(type) {
	case string:
		if !utf8.ValidString(x) {
			return false
		}
		for _, r := range x {
			if (r < 0x20 && r != '\t' && r != '\n' && r != '\r') || r == 0xFFFE || r == 0xFFFF {
				return false
			}
		}
	case []any:
		for _, i := range x {
			if !cleanForRoundTrip(i) {
				return false
			}
		}
	case map[string]any:
		for k, i := range x {
			if !cleanForRoundTrip(k) || !cleanForRoundTrip(i) {
				return false
			}
		}
	}
	return true
}

func FuzzDecodeResponse(f *testing.F) {
	seedFuzz(f, "*.response.xml")
	f.Fuzz(func(t *testing.T, body []byte) {
		v, err := DecodeResponseBytes(body)
		var fault *Fault
		if errors.As(err, &fault) {
			var buf bytes.Buffer
			if err := EncodeFault(&buf, fault); err != nil {
				t.Fatal(err)
			}
			_, err2 := DecodeResponseBytes(buf.Bytes())
			var f2 *Fault
			if !errors.As(err2, &f2) || f2.Code != fault.Code || (cleanForRoundTrip(fault.String) && f2.String != fault.String) {
				t.Fatalf("fault %+v came back as %v", fault, err2)
			}
			return
		}
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("error %v is %T, not a *SyntaxError", err, err)
			}
			return
		}
		var buf bytes.Buffer
		if err := EncodeResponse(&buf, v); err != nil {
			t.Fatalf("re-encode %#v: %v", v, err)
		}
		v2, err := DecodeResponseBytes(buf.Bytes())
		if err != nil {
			t.Fatalf("decode our own encoding: %v\n%s", err, buf.Bytes())
		}
		if cleanForRoundTrip(v) && !reflect.DeepEqual(tagged(v), tagged(v2)) {
			t.Fatalf("round trip changed the value:\n%#v\n%#v", v, v2)
		}
	})
}

func FuzzDecodeCall(f *testing.F) {
	seedFuzz(f, "*.request.xml")
	f.Fuzz(func(t *testing.T, body []byte) {
		m, params, err := DecodeCallBytes(body)
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("error %v is %T, not a *SyntaxError", err, err)
			}
			return
		}
		var buf bytes.Buffer
		if err := EncodeCall(&buf, m, params...); err != nil {
			if !validMethodName(m) {
				return
			}
			t.Fatalf("re-encode: %v", err)
		}
		m2, p2, err := DecodeCallBytes(buf.Bytes())
		if err != nil {
			t.Fatalf("decode our own encoding: %v\n%s", err, buf.Bytes())
		}
		if cleanForRoundTrip(m) && cleanForRoundTrip(params) && (m2 != m || !reflect.DeepEqual(tagged(params), tagged(p2))) {
			t.Fatalf("round trip changed the call: %q %#v -> %q %#v", m, params, m2, p2)
		}
	})
}
