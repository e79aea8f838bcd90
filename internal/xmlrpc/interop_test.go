package xmlrpc

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	kolo "github.com/kolo/xmlrpc"

	"github.com/osg-htc/osg-build-go/internal/runner"
	"github.com/osg-htc/osg-build-go/internal/testutil"
)

// tagged converts a decoded value to the tagged JSON form of
// testdata/xmlrpc/pyxmlrpc.py, where types survive the trip through JSON.
func tagged(v any) any {
	switch x := v.(type) {
	case nil:
		return map[string]any{"nil": nil}
	case bool:
		return map[string]any{"bool": x}
	case int64:
		return map[string]any{"int": strconv.FormatInt(x, 10)}
	case float64:
		return map[string]any{"double": string(appendPyFloat(nil, x))}
	case string:
		return map[string]any{"string": x}
	case []byte:
		return map[string]any{"base64": base64.StdEncoding.EncodeToString(x)}
	case time.Time:
		return map[string]any{"datetime": x.UTC().Format("20060102T15:04:05")}
	case []any:
		out := make([]any, len(x))
		for i, item := range x {
			out[i] = tagged(item)
		}
		return map[string]any{"array": out}
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, item := range x {
			out[k] = tagged(item)
		}
		return map[string]any{"struct": out}
	}
	panic(fmt.Sprintf("cannot tag %T", v))
}

// normJSON round-trips v through JSON so that values compare as Python's do.
func normJSON(t *testing.T, v any) any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// python runs testdata/xmlrpc/pyxmlrpc.py in mode with in as JSON on stdin.
func python(t *testing.T, mode string, in any, out any) {
	t.Helper()
	testutil.RequireTool(t, "python3")
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	res, err := runner.Run(ctx, runner.Cmd{Name: "python3", Args: []string{"../../testdata/xmlrpc/pyxmlrpc.py", mode}, Stdin: bytes.NewReader(b)})
	if err != nil {
		t.Fatalf("python3 pyxmlrpc.py %s: %v", mode, err)
	}
	if err := json.Unmarshal(res.Stdout, out); err != nil {
		t.Fatalf("python3 output: %v\n%s", err, res.Stdout)
	}
}

// interopValues are decoded values Python represents exactly.
func interopValues() []any {
	return []any{
		nil, true, false,
		int64(0), int64(-1), int64(math.MaxInt32), int64(math.MinInt32), int64(math.MaxInt32) + 1, int64(math.MinInt32) - 1,
		int64(math.MaxInt64), int64(math.MinInt64),
		0.0, 0.1, -2.5, 1e300, -1e-300, 1e16, 123456789.123, 1795346351.8044174, math.Inf(1),
		"", "plain", "a&b<c>d]]>", "quotes \" '", "unicode é 漢 😀 \u00a0", "tab\tnl\n", "  spaces  ", "&amp; literally",
		[]byte{}, []byte("hello"), func() []byte {
			b := make([]byte, 300)
			for i := range b {
				b[i] = byte(i)
			}
			return b
		}(),
		time.Date(2025, 7, 2, 16, 29, 15, 0, time.UTC),
		[]any{}, []any{int64(1), "two", nil, []any{[]any{}}},
		map[string]any{}, map[string]any{"": "empty key", "a&b": int64(1), "nested": map[string]any{"x": []any{nil, map[string]any{}}}},
		map[string]any{"build_id": int64(2), "epoch": nil, "extra": map[string]any{}, "completion_ts": 1751480000.25, "nvr": "hello-1.0-2.osg36.el9"},
	}
}

func TestPythonLoadsKojiWire(t *testing.T) {
	files := append(wireFiles(t, "*.request.xml"), wireFiles(t, "*.response.xml")...)
	bodies := make([]string, len(files))
	for i, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		bodies[i] = string(b)
	}
	var py []map[string]any
	python(t, "loads", bodies, &py)
	for i, f := range files {
		name := filepath.Base(f)
		var ours map[string]any
		if strings.HasSuffix(name, ".request.xml") {
			m, params, err := DecodeCallBytes([]byte(bodies[i]))
			if err != nil {
				t.Errorf("%s: %v", name, err)
				continue
			}
			tp := make([]any, len(params))
			for j, p := range params {
				tp[j] = tagged(p)
			}
			ours = map[string]any{"method": m, "params": tp}
		} else {
			v, err := DecodeResponseBytes([]byte(bodies[i]))
			if f, ok := err.(*Fault); ok {
				ours = map[string]any{"fault": []any{f.Code, f.String}}
			} else if err != nil {
				t.Errorf("%s: %v", name, err)
				continue
			} else {
				ours = map[string]any{"method": nil, "params": []any{tagged(v)}}
			}
		}
		if got, want := normJSON(t, ours), normJSON(t, py[i]); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: ours %v\npython %v", name, got, want)
		}
	}
}

func TestPythonLoadsOurEncoding(t *testing.T) {
	values := interopValues()
	values = append(values, "bad\x01\x0b\x1fchars\uFFFE!", "cr\r\nlf")
	want := make([]any, len(values))
	bodies := make([]string, 0, len(values)+1)
	for i, v := range values {
		var buf bytes.Buffer
		if err := EncodeResponse(&buf, v); err != nil {
			t.Fatal(err)
		}
		bodies = append(bodies, buf.String())
		want[i] = map[string]any{"method": nil, "params": []any{tagged(v)}}
	}
	// XML-illegal characters are dropped; \r survives as a character reference.
	want[len(values)-2] = map[string]any{"method": nil, "params": []any{tagged("badchars!")}}
	var call bytes.Buffer
	if err := EncodeCall(&call, "getTag", "osg-3.6-el9-build", Kwargs(map[string]any{"strict": true, "event": nil})); err != nil {
		t.Fatal(err)
	}
	bodies = append(bodies, call.String())
	want = append(want, map[string]any{"method": "getTag", "params": []any{tagged("osg-3.6-el9-build"),
		tagged(map[string]any{"strict": true, "event": nil, "__starstar": true})}})
	var fault bytes.Buffer
	if err := EncodeFault(&fault, &Fault{Code: 1019, String: "get_tag() got an unexpected keyword argument 'x'"}); err != nil {
		t.Fatal(err)
	}
	bodies = append(bodies, fault.String())
	want = append(want, map[string]any{"fault": []any{1019, "get_tag() got an unexpected keyword argument 'x'"}})

	var py []any
	python(t, "loads", bodies, &py)
	for i := range bodies {
		if got, w := normJSON(t, py[i]), normJSON(t, want[i]); !reflect.DeepEqual(got, w) {
			t.Errorf("body %d: python loaded %v\nwant %v\n%s", i, got, w, bodies[i])
		}
	}
}

func TestPythonDumpsWeDecode(t *testing.T) {
	values := interopValues()
	in := make([]any, len(values))
	for i, v := range values {
		in[i] = tagged(v)
	}
	var bodies []string
	python(t, "dumps-response", in, &bodies)
	for i, body := range bodies {
		got, err := DecodeResponseBytes([]byte(body))
		if err != nil {
			t.Errorf("value %d: %v\n%s", i, err, body)
			continue
		}
		if !reflect.DeepEqual(normJSON(t, tagged(got)), normJSON(t, in[i])) {
			t.Errorf("value %d: decoded %#v from\n%s", i, got, body)
		}
		// Same layout as our encoder (Python keeps the JSON's sorted key order).
		var ours bytes.Buffer
		if err := EncodeResponse(&ours, values[i]); err != nil {
			t.Fatal(err)
		}
		if ours.String() != body {
			t.Errorf("value %d: our encoding differs from Python's:\nours\n%s\npython\n%s", i, ours.String(), body)
		}
	}

	calls := []any{
		[]any{"getTag", []any{tagged("osg"), tagged(map[string]any{"strict": true, "__starstar": true})}},
		[]any{"hello", []any{}},
		[]any{"multiCall", []any{tagged([]any{map[string]any{"methodName": "getAPIVersion", "params": []any{}}})}},
	}
	python(t, "dumps-call", calls, &bodies)
	for i, body := range bodies {
		m, params, err := DecodeCallBytes([]byte(body))
		if err != nil {
			t.Fatalf("call %d: %v\n%s", i, err, body)
		}
		c := calls[i].([]any)
		tp := make([]any, len(params))
		for j, p := range params {
			tp[j] = tagged(p)
		}
		if m != c[0] || !reflect.DeepEqual(normJSON(t, tp), normJSON(t, c[1])) {
			t.Errorf("call %d: decoded %q %#v", i, m, params)
		}
		if _, kw := SplitKwargs(params); kw != nil {
			continue // the JSON trip sorted "__starstar" first; Python's client puts it last, as we do
		}
		var ours bytes.Buffer
		if err := EncodeCall(&ours, m, params...); err != nil {
			t.Fatal(err)
		}
		if ours.String() != body {
			t.Errorf("call %d: our encoding differs from Python's:\nours\n%s\npython\n%s", i, ours.String(), body)
		}
	}
}

func TestPythonArgumentErrors(t *testing.T) {
	const src = `
def get_tag(tagInfo, strict=False, event=None, blocked=False):
    pass
def hello(*args):
    pass
def no_args():
    pass
def one(a):
    pass
def three(a, b, c):
    pass
def kw(a, b=1, **kwargs):
    pass
class RootExports:
    def listTaskOutput(self, taskID, stat=False, all_volumes=False, strict=False):
        pass
    def logout(self):
        pass
`
	sigs := map[string]*Signature{
		"get_tag":                      Sig("get_tag", Req("tagInfo"), Opt("strict", false), Opt("event", nil), Opt("blocked", false)),
		"hello":                        {Name: "hello", VarArgs: true},
		"no_args":                      Sig("no_args"),
		"one":                          Sig("one", Req("a")),
		"three":                        Sig("three", Req("a"), Req("b"), Req("c")),
		"kw":                           {Name: "kw", Params: []Param{Req("a"), Opt("b", 1)}, VarKw: true},
		"RootExports().listTaskOutput": {Name: "RootExports.listTaskOutput", Self: true, Params: []Param{Req("taskID"), Opt("stat", false), Opt("all_volumes", false), Opt("strict", false)}},
		"RootExports().logout":         {Name: "RootExports.logout", Self: true},
	}
	type tc struct {
		call   string
		args   []any
		kwargs map[string]any
	}
	cases := []tc{
		{"get_tag", []any{"x"}, map[string]any{}},
		{"get_tag", []any{}, map[string]any{}},
		{"get_tag", []any{"x"}, map[string]any{"bogus": 1}},
		{"get_tag", []any{"x"}, map[string]any{"tagInfo": 1}},
		{"get_tag", []any{1, 2, 3, 4, 5}, map[string]any{}},
		{"get_tag", []any{1, 2, 3, 4, 5}, map[string]any{"zzz": 1}},
		{"get_tag", []any{}, map[string]any{"strict": true}},
		{"get_tag", []any{}, map[string]any{"tagInfo": "x", "blocked": true}},
		{"hello", []any{1, 2, 3}, map[string]any{}},
		{"hello", []any{}, map[string]any{"x": 1}},
		{"no_args", []any{1}, map[string]any{}},
		{"no_args", []any{1, 2}, map[string]any{}},
		{"one", []any{1, 2}, map[string]any{}},
		{"one", []any{}, map[string]any{}},
		{"three", []any{}, map[string]any{}},
		{"three", []any{1}, map[string]any{}},
		{"three", []any{1, 2, 3, 4}, map[string]any{}},
		{"three", []any{}, map[string]any{"b": 2}},
		{"kw", []any{1}, map[string]any{"anything": 2}},
		{"kw", []any{1, 2, 3}, map[string]any{}},
		{"kw", []any{}, map[string]any{}},
		{"RootExports().listTaskOutput", []any{1, 2, 3, 4, 5}, map[string]any{}},
		{"RootExports().listTaskOutput", []any{1}, map[string]any{"all_volumes": true}},
		{"RootExports().listTaskOutput", []any{1}, map[string]any{"volume": true}},
		{"RootExports().listTaskOutput", []any{}, map[string]any{}},
		{"RootExports().logout", []any{}, map[string]any{"session_id": nil}},
		{"RootExports().logout", []any{1}, map[string]any{}},
		{"RootExports().logout", []any{1, 2}, map[string]any{}},
	}
	in := make([]any, len(cases))
	for i, c := range cases {
		in[i] = map[string]any{"src": src, "call": c.call, "args": c.args, "kwargs": c.kwargs}
	}
	var want []string
	python(t, "bind", in, &want)
	for i, c := range cases {
		_, err := sigs[c.call].Bind(c.args, c.kwargs)
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != want[i] {
			t.Errorf("%s(*%v, **%v): got %q, python says %q", c.call, c.args, c.kwargs, got, want[i])
		}
	}
}

func TestKoloInterop(t *testing.T) {
	// Our encoder -> kolo's decoder. kolo reads base64 as text and has no
	// <i8> range issues, so compare everything but []byte.
	for i, v := range interopValues() {
		if _, isBytes := v.([]byte); isBytes {
			continue
		}
		if f, ok := v.(float64); ok && math.IsInf(f, 0) {
			continue
		}
		if koloQuirk(v) {
			continue
		}
		var buf bytes.Buffer
		if err := EncodeResponse(&buf, v); err != nil {
			t.Fatal(err)
		}
		var got any
		if err := kolo.Response(buf.Bytes()).Unmarshal(&got); err != nil {
			t.Errorf("value %d: kolo cannot decode our encoding: %v\n%s", i, err, buf.String())
			continue
		}
		if !reflect.DeepEqual(got, v) {
			t.Errorf("value %d: kolo decoded %#v, want %#v", i, got, v)
		}
	}
	// A fault.
	var buf bytes.Buffer
	if err := EncodeFault(&buf, &Fault{Code: 1000, String: "Invalid method: x"}); err != nil {
		t.Fatal(err)
	}
	if err := kolo.Response(buf.Bytes()).Err(); err == nil || !strings.Contains(err.Error(), "Invalid method: x") {
		t.Errorf("kolo fault: %v", err)
	}

	// kolo's EncodeMethodCall -> our DecodeCall.
	type opts struct {
		Strict bool   `xmlrpc:"strict"`
		Name   string `xmlrpc:"name"`
		Star   bool   `xmlrpc:"__starstar"`
	}
	tm := time.Date(2025, 7, 2, 16, 29, 15, 0, time.UTC)
	body, err := kolo.EncodeMethodCall("getTag", "osg <&> é\n\t", 42, int64(1)<<40, 1.5, true, tm,
		[]any{"a", 1}, map[string]any{"k": "v", "n": 2}, opts{Strict: true, Name: "x", Star: true})
	if err != nil {
		t.Fatal(err)
	}
	m, params, err := DecodeCallBytes(body)
	if err != nil {
		t.Fatalf("decode kolo call: %v\n%s", err, body)
	}
	want := []any{"osg <&> é\n\t", int64(42), int64(1) << 40, 1.5, true, tm,
		[]any{"a", int64(1)}, map[string]any{"k": "v", "n": int64(2)}, map[string]any{"strict": true, "name": "x", "__starstar": true}}
	if m != "getTag" || !reflect.DeepEqual(params, want) {
		t.Errorf("kolo call decoded as %q %#v", m, params)
	}
	args, kw := SplitKwargs(params)
	if len(args) != 8 || !reflect.DeepEqual(kw, map[string]any{"strict": true, "name": "x"}) {
		t.Errorf("SplitKwargs = %v %v", args, kw)
	}
	// kolo sends a nil param as <param></param> (we take it as nil) and a
	// nil inside a struct as <value/>: an empty string for Python and for us.
	body, err = kolo.EncodeMethodCall("x", nil, map[string]any{"n": nil})
	if err != nil {
		t.Fatal(err)
	}
	if _, params, err := DecodeCallBytes(body); err != nil || !reflect.DeepEqual(params, []any{nil, map[string]any{"n": ""}}) {
		t.Errorf("kolo nil = %#v, %v", params, err)
	}
}

// koloQuirk reports values kolo/xmlrpc cannot read back: it decodes an
// empty <string></string> as nil and an empty struct as a nil map, and
// refuses an empty <name></name>.
func koloQuirk(v any) bool {
	switch x := v.(type) {
	case string:
		return x == ""
	case []any:
		for _, i := range x {
			if koloQuirk(i) {
				return true
			}
		}
	case map[string]any:
		if len(x) == 0 {
			return true
		}
		for k, i := range x {
			if k == "" || koloQuirk(i) {
				return true
			}
		}
	}
	return false
}

func TestSplitKwargs(t *testing.T) {
	tests := []struct {
		in   []any
		args []any
		kw   map[string]any
	}{
		{nil, nil, nil},
		{[]any{}, []any{}, nil},
		{[]any{"a"}, []any{"a"}, nil},
		{[]any{"a", map[string]any{"x": int64(1)}}, []any{"a", map[string]any{"x": int64(1)}}, nil},
		{[]any{"a", map[string]any{"x": int64(1), "__starstar": false}}, []any{"a", map[string]any{"x": int64(1), "__starstar": false}}, nil},
		{[]any{"a", map[string]any{"x": int64(1), "__starstar": true}}, []any{"a"}, map[string]any{"x": int64(1)}},
		{[]any{map[string]any{"__starstar": true}}, []any{}, map[string]any{}},
		{[]any{map[string]any{"__starstar": true}, "b"}, []any{map[string]any{"__starstar": true}, "b"}, nil},
	}
	for i, tt := range tests {
		args, kw := SplitKwargs(tt.in)
		if !reflect.DeepEqual(args, tt.args) || !reflect.DeepEqual(kw, tt.kw) {
			t.Errorf("%d: got %#v %#v", i, args, kw)
		}
	}
}
