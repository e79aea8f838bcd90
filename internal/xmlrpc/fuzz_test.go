package xmlrpc

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
	"unicode/utf8"
)

// seedFuzz adds every koji-wire file (those matching pattern first, whole
// and cut in half; then all the others, the recorded upload chunk too) and a
// few broken bodies.
func seedFuzz(f *testing.F, pattern string) {
	seen := map[string]bool{}
	for _, file := range wireFiles(f, pattern) {
		seen[file] = true
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
		f.Add(b[:len(b)/2])
	}
	for _, file := range wireFiles(f, "*") {
		if seen[file] || strings.HasSuffix(file, ".md") {
			continue
		}
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
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

// sameOutcome checks that streaming decoding (a, aerr) and decoding the
// body in memory (b, berr) agree: the same value, or errors at the same
// offset with the same message.
func sameOutcome(t *testing.T, a any, aerr error, b any, berr error) {
	t.Helper()
	if (aerr == nil) != (berr == nil) {
		t.Fatalf("in memory: %v; streaming: %v", aerr, berr)
	}
	if aerr != nil {
		var se1, se2 *SyntaxError
		if errors.As(aerr, &se1) != errors.As(berr, &se2) {
			t.Fatalf("in memory: %v; streaming: %v", aerr, berr)
		}
		if se1 != nil && (se1.Offset != se2.Offset || se1.Msg != se2.Msg) {
			t.Fatalf("in memory: %v; streaming: %v", aerr, berr)
		}
		if se1 == nil && aerr.Error() != berr.Error() {
			t.Fatalf("in memory: %v; streaming: %v", aerr, berr)
		}
		return
	}
	if !reflect.DeepEqual(taggedAll(a), taggedAll(b)) {
		t.Fatalf("in memory: %#v\nstreaming: %#v", a, b)
	}
}

// taggedAll is tagged() that also takes the call shape []any{method, params}.
func taggedAll(v any) any {
	if c, ok := v.([]any); ok && len(c) == 2 {
		if m, ok := c[0].(string); ok {
			if p, ok := c[1].([]any); ok {
				return []any{m, tagged(p)}
			}
		}
	}
	return tagged(v)
}

func FuzzDecodeResponse(f *testing.F) {
	seedFuzz(f, "*.response.xml")
	f.Fuzz(func(t *testing.T, body []byte) {
		v, err := DecodeResponseBytes(body)
		sv, serr := DecodeResponse(iotest.HalfReader(bytes.NewReader(body)))
		sameOutcome(t, v, err, sv, serr)
		tv, terr := newStreamDecoderSize(iotest.OneByteReader(bytes.NewReader(body)), 1).response()
		sameOutcome(t, v, err, tv, terr)
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
		sm, sp, serr := DecodeCall(iotest.OneByteReader(bytes.NewReader(body)))
		sameOutcome(t, []any{m, params}, err, []any{sm, sp}, serr)
		tm, tp, terr := newStreamDecoderSize(iotest.HalfReader(bytes.NewReader(body)), 3).call()
		sameOutcome(t, []any{m, params}, err, []any{tm, tp}, terr)
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

// FuzzServeHTTP posts arbitrary bodies to a Server: every answer is a
// well-formed fault or result (HTTP 200) or an HTTP 400, never a panic.
func FuzzServeHTTP(f *testing.F) {
	seedFuzz(f, "*.request.xml")
	s := &Server{Version: "1.35.3", MaxRequestLength: 1 << 16, Logger: slog.New(slog.DiscardHandler)}
	s.Register("getTag", Sig("get_tag", Req("tagInfo"), Opt("strict", false), Opt("event", nil)), func(ctx context.Context, c *Call) (any, error) {
		var a struct {
			TagInfo any  `xmlrpc:"tagInfo"`
			Strict  bool `xmlrpc:"strict"`
			Event   *int `xmlrpc:"event"`
		}
		if err := c.Bind(&a); err != nil {
			return nil, err
		}
		return map[string]any{"name": a.TagInfo, "event": a.Event}, nil
	})
	s.Register("echo", nil, func(ctx context.Context, c *Call) (any, error) { return []any{c.Args, c.Kwargs}, nil })
	f.Fuzz(func(t *testing.T, body []byte) {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodPost, "/kojihub", bytes.NewReader(body))
		s.ServeHTTP(rec, req)
		switch rec.Code {
		case http.StatusOK:
			_, err := DecodeResponseBytes(rec.Body.Bytes())
			var fault *Fault
			if err != nil && !errors.As(err, &fault) {
				t.Fatalf("the server sent a body it cannot decode: %v\n%s", err, rec.Body.Bytes())
			}
		case http.StatusBadRequest:
		default:
			t.Fatalf("HTTP %d", rec.Code)
		}
		if rec.Header().Get("Koji-Version") != "1.35.3" {
			t.Fatal("no Koji-Version header")
		}
	})
}
