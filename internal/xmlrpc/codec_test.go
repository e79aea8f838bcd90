package xmlrpc

import (
	"bytes"
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
	"time"
)

const wireDir = "../../testdata/xmlrpc/koji-wire"

func wireFiles(t testing.TB, pattern string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(wireDir, pattern))
	if err != nil || len(files) == 0 {
		t.Fatalf("no koji-wire files %s in %s: %v", pattern, wireDir, err)
	}
	return files
}

func TestDecodeWireRequests(t *testing.T) {
	for _, f := range wireFiles(t, "*.request.xml") {
		t.Run(filepath.Base(f), func(t *testing.T) {
			body, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			method, params, err := DecodeCall(bytes.NewReader(body))
			if err != nil {
				t.Fatalf("DecodeCall: %v", err)
			}
			want := strings.TrimSuffix(filepath.Base(f), ".request.xml")
			want = strings.TrimPrefix(want, "auth_")
			if i := strings.IndexByte(want, '_'); i > 0 {
				want = want[:i]
			}
			if method != want && !strings.HasPrefix(want, "callnum") && want != "replayed" {
				// auth_callnum_backwards etc. carry other methods; check the rest by name
				if !strings.HasPrefix(filepath.Base(f), "auth_") {
					t.Errorf("method = %q, want %q", method, want)
				}
			}
			if params == nil {
				t.Errorf("params is nil, want a (possibly empty) slice")
			}
		})
	}
}

func TestDecodeWireSpecific(t *testing.T) {
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join(wireDir, name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	m, p, err := DecodeCallBytes(read("getTag_wrong_kwarg.request.xml"))
	if err != nil {
		t.Fatal(err)
	}
	wantP := []any{"osg-3.6-el9-build", map[string]any{"bogus": int64(1), "__starstar": true}}
	if m != "getTag" || !reflect.DeepEqual(p, wantP) {
		t.Errorf("got %q %#v", m, p)
	}

	_, err = DecodeResponseBytes(read("getTag_wrong_kwarg.response.xml"))
	var f *Fault
	if !errors.As(err, &f) || f.Code != 1019 || f.String != "get_tag() got an unexpected keyword argument 'bogus'" {
		t.Errorf("fault = %v", err)
	}

	v, err := DecodeResponseBytes(read("multiCall.response.xml"))
	if err != nil {
		t.Fatal(err)
	}
	res := v.([]any)
	if len(res) != 3 {
		t.Fatalf("multiCall results = %d", len(res))
	}
	tag := res[0].([]any)[0].(map[string]any)
	if tag["name"] != "osg-3.6-el9-build" || tag["id"] != int64(4) || tag["perm"] != nil || tag["locked"] != false {
		t.Errorf("tag = %#v", tag)
	}
	if ex, ok := tag["extra"].(map[string]any); !ok || len(ex) != 0 {
		t.Errorf("extra = %#v", tag["extra"])
	}
	f2 := res[1].(map[string]any)
	if f2["faultCode"] != int64(1000) || f2["faultString"] != "Invalid method: noSuchMethod" || len(f2["traceback"].([]any)) != 6 {
		t.Errorf("fault entry = %#v", f2)
	}

	v, err = DecodeResponseBytes(read("auth_checkUpload.response.xml"))
	if err != nil {
		t.Fatal(err)
	}
	if cu := v.(map[string]any); cu["mtime"] != 1795346351.8044174 || cu["hexdigest"] != "10dfdc3c" || cu["size"] != int64(1300) {
		t.Errorf("checkUpload = %#v", cu)
	}

	v, err = DecodeResponseBytes(read("getLoggedInUser.response.xml"))
	if err != nil || v != nil {
		t.Errorf("getLoggedInUser = %#v, %v", v, err)
	}
}

func TestDecodeAllWireResponses(t *testing.T) {
	for _, f := range wireFiles(t, "*.response.xml") {
		body, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		v, err := DecodeResponseBytes(body)
		var fault *Fault
		if err != nil && !errors.As(err, &fault) {
			t.Errorf("%s: %v", filepath.Base(f), err)
			continue
		}
		if fault != nil {
			if fault.Code < 1000 || fault.String == "" {
				t.Errorf("%s: odd fault %+v", filepath.Base(f), fault)
			}
			continue
		}
		// Re-encoding and decoding again gives the same value.
		var buf bytes.Buffer
		if err := EncodeResponse(&buf, v); err != nil {
			t.Fatalf("%s: encode: %v", filepath.Base(f), err)
		}
		v2, err := DecodeResponseBytes(buf.Bytes())
		if err != nil {
			t.Fatalf("%s: decode re-encoded: %v", filepath.Base(f), err)
		}
		if !reflect.DeepEqual(v, v2) {
			t.Errorf("%s: round trip differs", filepath.Base(f))
		}
	}
}

func resp(inner string) string {
	return "<?xml version='1.0'?>\n<methodResponse><params><param>" + inner + "</param></params></methodResponse>"
}

func TestDecodeValues(t *testing.T) {
	tm := time.Date(2025, 7, 2, 16, 29, 15, 0, time.UTC)
	tests := []struct {
		name string
		in   string
		want any
	}{
		{"untyped", "<value>plain &amp; simple</value>", "plain & simple"},
		{"untyped empty", "<value></value>", ""},
		{"self-closing value", "<value/>", ""},
		{"untyped spaces", "<value>  </value>", "  "},
		{"string", "<value><string>a&lt;b&gt;c&quot;&apos;</string></value>", "a<b>c\"'"},
		{"empty string", "<value><string/></value>", ""},
		{"string spaces around", "<value>\n  <string>x</string>\n</value>", "x"},
		{"char refs", "<value><string>&#233;&#x1F600;</string></value>", "é😀"},
		{"cdata", "<value><string>a<![CDATA[<b>&]]>c</string></value>", "a<b>&c"},
		{"crlf normalised", "<value><string>a\r\nb\rc</string></value>", "a\nb\nc"},
		{"int", "<value><int>42</int></value>", int64(42)},
		{"i4 negative", "<value><i4>-7</i4></value>", int64(-7)},
		{"i8 big", "<value><i8>9223372036854775807</i8></value>", int64(math.MaxInt64)},
		{"i8 min", "<value><i8>-9223372036854775808</i8></value>", int64(math.MinInt64)},
		{"int spaces", "<value><int> 5 </int></value>", int64(5)},
		{"int plus", "<value><int>+5</int></value>", int64(5)},
		{"namespaced i8", "<value><ex:i8 xmlns:ex='x'>5</ex:i8></value>", int64(5)},
		{"boolean", "<value><boolean>1</boolean></value>", true},
		{"boolean false", "<value><boolean>0</boolean></value>", false},
		{"double", "<value><double>1795346351.8044174</double></value>", 1795346351.8044174},
		{"double exp", "<value><double>-1.5e-05</double></value>", -1.5e-05},
		{"nil", "<value><nil/></value>", nil},
		{"nil long", "<value><nil></nil></value>", nil},
		{"ex nil", "<value><ex:nil/></value>", nil},
		{"base64", "<value><base64>\naGVsbG8g\nd29ybGQ=\n</base64></value>", []byte("hello world")},
		{"base64 empty", "<value><base64></base64></value>", []byte{}},
		{"datetime", "<value><dateTime.iso8601>20250702T16:29:15</dateTime.iso8601></value>", tm},
		{"datetime dashes", "<value><dateTime.iso8601>2025-07-02T16:29:15Z</dateTime.iso8601></value>", tm},
		{"array", "<value><array><data><value><int>1</int></value><value>x</value><value><nil/></value></data></array></value>", []any{int64(1), "x", nil}},
		{"array empty data", "<value><array><data/></array></value>", []any{}},
		{"array no data", "<value><array></array></value>", []any{}},
		{"struct", "<value><struct><member><name>a</name><value><int>1</int></value></member><member><name>b</name><value><struct></struct></value></member></struct></value>", map[string]any{"a": int64(1), "b": map[string]any{}}},
		{"struct dup last wins", "<value><struct><member><name>a</name><value>1</value></member><member><name>a</name><value>2</value></member></struct></value>", map[string]any{"a": "2"}},
		{"comments", "<!-- c --><value><!-- c --><int>3</int><!-- c --></value>", int64(3)},
		{"attributes", "<value a=\"1 > 0\"><string b='x'>y</string></value>", "y"},
		{"utf8", "<value><string>naïve – 漢字</string></value>", "naïve – 漢字"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DecodeResponseBytes([]byte(resp(tt.in)))
			if err != nil {
				t.Fatalf("decode %q: %v", tt.in, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %#v, want %#v", got, tt.want)
			}
		})
	}
}

func TestDecodeErrors(t *testing.T) {
	deep := strings.Repeat("<value><array><data>", 300) + strings.Repeat("</data></array></value>", 300)
	okDeep := strings.Repeat("<value><array><data>", 200) + "<value><int>1</int></value>" + strings.Repeat("</data></array></value>", 200)
	if _, err := DecodeResponseBytes([]byte(resp(okDeep))); err != nil {
		t.Fatalf("200 levels should decode: %v", err)
	}
	tests := []struct {
		name, body, want string
	}{
		{"empty", "", "empty body"},
		{"spaces", "  \n ", "empty body"},
		{"not xml", "hello", "expected a start tag"},
		{"html", "<html><body>502 Bad Gateway</body></html>", "expected <methodResponse>"},
		{"truncated", resp("<value><string>abc")[:60], "unexpected end"},
		{"truncated tag", "<?xml version='1.0'?><methodResponse><par", "unexpected end"},
		{"unknown type", resp("<value><float128>1</float128></value>"), "unknown value type <float128>"},
		{"bad int", resp("<value><int>12a</int></value>"), "bad <int> value"},
		{"int overflow", resp("<value><i8>9223372036854775808</i8></value>"), "bad <i8> value"},
		{"bad boolean", resp("<value><boolean>2</boolean></value>"), "bad boolean"},
		{"bad double", resp("<value><double>x</double></value>"), "bad <double>"},
		{"bad base64", resp("<value><base64>!!!</base64></value>"), "bad base64"},
		{"bad date", resp("<value><dateTime.iso8601>yesterday</dateTime.iso8601></value>"), "bad dateTime"},
		{"too deep", resp(deep), "nested deeper than 256"},
		{"doctype", "<?xml version='1.0'?><!DOCTYPE lolz [<!ENTITY lol \"lol\">]><methodResponse/>", "DOCTYPE"},
		{"custom entity", resp("<value><string>&lol;</string></value>"), "undefined entity &lol;"},
		{"external entity", resp("<value><string>&xxe;</string></value>"), "undefined entity"},
		{"bad char ref", resp("<value><string>&#0;</string></value>"), "invalid character reference"},
		{"surrogate ref", resp("<value><string>&#xD800;</string></value>"), "invalid character reference"},
		{"huge char ref", resp("<value><string>&#99999999999;</string></value>"), "invalid character reference"},
		{"unterminated ref", resp("<value><string>a &amp b c d e f g h i j k</string></value>"), "unterminated reference"},
		{"mismatched close", resp("<value><string>x</int></value>"), "expected </string>"},
		{"mixed", resp("<value>text<int>1</int></value>"), "text mixed"},
		{"junk after", resp("<value>x</value>") + "<extra/>", "junk after"},
		{"two params", "<methodResponse><params><param><value>1</value></param><param><value>2</value></param></params></methodResponse>", "expected </params>"},
		{"no params", "<methodResponse><params/></methodResponse>", "no <param>"},
		{"fault not struct", "<methodResponse><fault><value><int>1</int></value></fault></methodResponse>", "not a struct"},
		{"fault no code", "<methodResponse><fault><value><struct></struct></value></fault></methodResponse>", "no faultCode"},
		{"member without value", resp("<value><struct><member><name>a</name></member></struct></value>"), "expected a start tag"},
		{"lt in tag", resp("<value><str<ing>x</string></value>"), "'<' inside a tag"},
		{"latin-1", "<?xml version='1.0' encoding='ISO-8859-1'?><methodResponse/>", "unsupported encoding \"ISO-8859-1\""},
		{"call as response", "<methodCall><methodName>x</methodName></methodCall>", "expected <methodResponse>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := DecodeResponseBytes([]byte(tt.body))
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("err = %v (%T), want a *SyntaxError", err, err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %q, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestDecodeCallForms(t *testing.T) {
	tests := []struct {
		name, body string
		method     string
		params     []any
		wantErr    string
	}{
		{"no params element", "<methodCall><methodName>hello</methodName></methodCall>", "hello", []any{}, ""},
		{"empty params", "<methodCall><methodName>hello</methodName><params/></methodCall>", "hello", []any{}, ""},
		{"two params", "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<methodCall>\n<methodName>a.b</methodName>\n<params>\n<param><value><int>1</int></value></param>\n<param><value>s</value></param>\n</params>\n</methodCall>\n", "a.b", []any{int64(1), "s"}, ""},
		{"kolo nil params", "<methodCall><methodName>x</methodName><params><param></param><param/><param><value>1</value></param></params></methodCall>", "x", []any{nil, nil, "1"}, ""},
		{"no name", "<methodCall><methodName></methodName></methodCall>", "", nil, "empty method name"},
		{"response", "<methodResponse></methodResponse>", "", nil, "expected <methodCall>"},
		{"truncated", "<methodCall><methodName>x</methodName><params><param><value>", "", nil, "unexpected end"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, p, err := DecodeCall(strings.NewReader(tt.body))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if m != tt.method || !reflect.DeepEqual(p, tt.params) {
				t.Errorf("got %q %#v", m, p)
			}
		})
	}
}

type marshalMe struct{ n int }

func (m marshalMe) MarshalXMLRPC() (any, error) { return map[string]any{"n": m.n}, nil }

type inner struct {
	X int `xmlrpc:"x"`
}

type outer struct {
	Name    string         `xmlrpc:"name"`
	ID      int64          `xmlrpc:"id"`
	Epoch   *int           `xmlrpc:"epoch"`
	Skip    string         `xmlrpc:"-"`
	Opt     string         `xmlrpc:"opt,omitempty"`
	Untag   bool           // by Go name
	private int            //nolint:unused
	Items   []string       `xmlrpc:"items"`
	Extra   map[string]any `xmlrpc:"extra"`
	In      inner          `xmlrpc:"in"`
	InP     *inner         `xmlrpc:"inp"`
	inner
}

func TestEncodeLayout(t *testing.T) {
	var buf bytes.Buffer
	if err := EncodeResponse(&buf, map[string]any{"b": nil, "a": int64(1) << 40, "c": []any{"x<&>", 1.5, true}}); err != nil {
		t.Fatal(err)
	}
	want := "<?xml version='1.0'?>\n<methodResponse>\n<params>\n<param>\n<value><struct>\n<member>\n<name>a</name>\n<value><i8>1099511627776</i8></value>\n</member>\n<member>\n<name>b</name>\n<value><nil/></value></member>\n<member>\n<name>c</name>\n<value><array><data>\n<value><string>x&lt;&amp;&gt;</string></value>\n<value><double>1.5</double></value>\n<value><boolean>1</boolean></value>\n</data></array></value>\n</member>\n</struct></value>\n</param>\n</params>\n</methodResponse>\n"
	if buf.String() != want {
		t.Errorf("got\n%s\nwant\n%s", buf.String(), want)
	}

	// A fault is byte-for-byte what Koji sends.
	golden, err := os.ReadFile(filepath.Join(wireDir, "noSuchMethod.response.xml"))
	if err != nil {
		t.Fatal(err)
	}
	buf.Reset()
	if err := EncodeFault(&buf, &Fault{Code: 1000, String: "Invalid method: noSuchMethod"}); err != nil {
		t.Fatal(err)
	}
	if buf.String() != string(golden) {
		t.Errorf("fault layout differs from Koji:\n%s", buf.String())
	}

	// A call is byte-for-byte what the Python client sends.
	golden, err = os.ReadFile(filepath.Join(wireDir, "getTag_wrong_kwarg.request.xml"))
	if err != nil {
		t.Fatal(err)
	}
	buf.Reset()
	// __starstar goes last, as Python sends it.
	if err := EncodeCall(&buf, "getTag", "osg-3.6-el9-build", Kwargs(map[string]any{"bogus": 1})); err != nil {
		t.Fatal(err)
	}
	if buf.String() != string(golden) {
		t.Errorf("call layout differs from Python's:\n%s", buf.String())
	}
}

func TestEncodeGoTypes(t *testing.T) {
	epoch := 3
	var nilPtr *inner
	var nilIface error
	tests := []struct {
		name string
		in   any
		want any
	}{
		{"nil", nil, nil},
		{"nil ptr", nilPtr, nil},
		{"nil iface", nilIface, nil},
		{"nil slice", []string(nil), nil},
		{"nil map", map[string]int(nil), nil},
		{"int8", int8(-3), int64(-3)},
		{"uint32 max", uint32(math.MaxUint32), int64(math.MaxUint32)},
		{"int64 min", int64(math.MinInt64), int64(math.MinInt64)},
		{"float32", float32(0.5), 0.5},
		{"bytes", []byte{0, 1, 2}, []byte{0, 1, 2}},
		{"byte array", [3]byte{1, 2, 3}, []byte{1, 2, 3}},
		{"string slice", []string{"a", "b"}, []any{"a", "b"}},
		{"int array", [2]int{1, 2}, []any{int64(1), int64(2)}},
		{"typed map", map[string]int{"z": 1, "a": 2}, map[string]any{"z": int64(1), "a": int64(2)}},
		{"time", time.Date(2020, 1, 2, 3, 4, 5, 0, time.FixedZone("x", 3600)), time.Date(2020, 1, 2, 2, 4, 5, 0, time.UTC)},
		{"marshaler", marshalMe{7}, map[string]any{"n": int64(7)}},
		{"marshaler ptr", &marshalMe{8}, map[string]any{"n": int64(8)}},
		{"nil marshaler ptr", (*marshalMe)(nil), nil},
		{"fault", &Fault{Code: 1, String: "x"}, map[string]any{"faultCode": int64(1), "faultString": "x"}},
		{"control chars", "a\x00b\x01c\td\ne\x1f\uFFFEf", "abc\td\nef"},
		{"invalid utf8", "a\xffb", "a\uFFFDb"},
		{"cr kept", "a\r\nb", "a\r\nb"},
		{"struct", outer{Name: "n", ID: 1 << 33, Epoch: &epoch, Skip: "s", Untag: true, Items: []string{"i"}, In: inner{1}, inner: inner{9}},
			map[string]any{"name": "n", "id": int64(1 << 33), "epoch": int64(3), "Untag": true, "items": []any{"i"}, "extra": nil,
				"in": map[string]any{"x": int64(1)}, "inp": nil, "x": int64(9)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := EncodeResponse(&buf, tt.in); err != nil {
				t.Fatal(err)
			}
			got, err := DecodeResponseBytes(buf.Bytes())
			if err != nil {
				t.Fatalf("decode %s: %v", buf.String(), err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %#v, want %#v\n%s", got, tt.want, buf.String())
			}
		})
	}
}

func TestEncodeErrors(t *testing.T) {
	cyc := []any{nil}
	cyc[0] = cyc
	for name, v := range map[string]any{
		"chan":       make(chan int),
		"func":       func() {},
		"int map":    map[int]string{1: "a"},
		"uint64 big": uint64(math.MaxUint64),
		"cyclic":     cyc,
	} {
		if err := EncodeResponse(&bytes.Buffer{}, v); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestPyFloat(t *testing.T) {
	for f, want := range map[float64]string{
		1: "1.0", 1.5: "1.5", 1e16: "1e+16", 1e15: "1000000000000000.0", 0.0001: "0.0001", 0.00001: "1e-05",
		-2.5e-7: "-2.5e-07", 1795346351.8044174: "1795346351.8044174", 0: "0.0", math.Inf(1): "inf", 123456789.0: "123456789.0",
	} {
		if got := string(appendPyFloat(nil, f)); got != want {
			t.Errorf("%v: got %q, want %q", f, got, want)
		}
	}
}

// nilOrInt is the kind of type pkg/koji defines for Koji's nil-or-int members.
type nilOrInt struct {
	Valid bool
	N     int
}

func (n *nilOrInt) UnmarshalXMLRPC(v any) error {
	if v == nil {
		*n = nilOrInt{}
		return nil
	}
	return Unmarshal(v, &n.N)
}

type build struct {
	ID         int               `xmlrpc:"build_id"`
	NVR        string            `xmlrpc:"nvr"`
	Epoch      *int              `xmlrpc:"epoch"`
	TaskID     nilOrInt          `xmlrpc:"task_id"`
	Completion time.Time         `xmlrpc:"completion_time"`
	TS         float64           `xmlrpc:"create_event"`
	Extra      map[string]any    `xmlrpc:"extra"`
	Volume     string            `xmlrpc:"volume_name"`
	Unknown    map[string]string `xmlrpc:"nope"`
}

func TestUnmarshal(t *testing.T) {
	body, err := os.ReadFile(filepath.Join(wireDir, "listTagged.response.xml"))
	if err != nil {
		t.Fatal(err)
	}
	v, err := DecodeResponseBytes(body)
	if err != nil {
		t.Fatal(err)
	}
	var builds []build
	if err := Unmarshal(v, &builds); err != nil {
		t.Fatal(err)
	}
	if len(builds) == 0 {
		t.Fatal("no builds")
	}
	b := builds[0]
	if b.ID != 2 || b.NVR != "hello-1.0-2.osg36.el9" || b.Epoch != nil || b.Completion.IsZero() || b.TS == 0 {
		t.Errorf("build = %+v", b)
	}
	if b.Completion.Year() != 2026 || b.Completion.Nanosecond() != 997915000 {
		t.Errorf("completion_time = %v", b.Completion)
	}

	tests := []struct {
		name    string
		in      any
		dst     any
		want    any
		wantErr string
	}{
		{"int to int32", int64(5), new(int32), int32(5), ""},
		{"int overflow int8", int64(300), new(int8), nil, "overflows"},
		{"int to float", int64(5), new(float64), 5.0, ""},
		{"integral float to int", 5.0, new(int), 5, ""},
		{"fractional float to int", 5.5, new(int), nil, "cannot store double"},
		{"negative to uint", int64(-1), new(uint), nil, "overflows"},
		{"string to int refused", "5", new(int), nil, "cannot store string"},
		{"int to string refused", int64(5), new(string), nil, "cannot store int"},
		{"nil to int", nil, func() *int { i := 4; return &i }(), 0, ""},
		{"nil to ptr", nil, func() **int { i := 4; p := &i; return &p }(), (*int)(nil), ""},
		{"int to ptr", int64(4), new(*int), func() *int { i := 4; return &i }(), ""},
		{"string to bytes", "ab", new([]byte), []byte("ab"), ""},
		{"any", map[string]any{"a": nil}, new(any), map[string]any{"a": nil}, ""},
		{"map", map[string]any{"a": int64(1)}, new(map[string]int), map[string]int{"a": 1}, ""},
		{"map bad item", map[string]any{"a": "x"}, new(map[string]int), nil, "xmlrpc: .a: cannot store string"},
		{"slice bad item", []any{int64(1), "x"}, new([]int), nil, "[1]: cannot store string"},
		{"array", []any{int64(1), int64(2)}, new([2]int), [2]int{1, 2}, ""},
		{"array size", []any{int64(1)}, new([2]int), nil, "does not fit"},
		{"time from float", 1.5, new(time.Time), time.Unix(1, 5e8).UTC(), ""},
		{"time from iso", "2025-07-02 16:29:15.123456+00:00", new(time.Time), time.Date(2025, 7, 2, 16, 29, 15, 123456000, time.UTC), ""},
		{"nil or int nil", nil, new(nilOrInt), nilOrInt{}, ""},
		{"nil or int", int64(3), new(nilOrInt), nilOrInt{N: 3}, ""},
		{"struct from array", []any{}, new(inner), nil, "cannot store array"},
		{"bool", true, new(bool), true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Unmarshal(tt.in, tt.dst)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := reflect.ValueOf(tt.dst).Elem().Interface()
			if tm, ok := got.(time.Time); ok {
				if !tm.Equal(tt.want.(time.Time)) {
					t.Errorf("got %v, want %v", tm, tt.want)
				}
				return
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %#v, want %#v", got, tt.want)
			}
		})
	}
	if err := Unmarshal(int64(1), nil); err == nil {
		t.Error("nil dst: no error")
	}
	var o outer
	if err := Unmarshal(map[string]any{"name": "n", "x": int64(5), "in": map[string]any{"x": int64(2)}, "inp": map[string]any{"x": int64(3)}, "Untag": true}, &o); err != nil {
		t.Fatal(err)
	}
	if o.Name != "n" || o.inner.X != 5 || o.In.X != 2 || o.InP == nil || o.InP.X != 3 || !o.Untag {
		t.Errorf("outer = %+v", o)
	}
}

func TestDecodeReaders(t *testing.T) {
	body, err := os.ReadFile(filepath.Join(wireDir, "multiCall.response.xml"))
	if err != nil {
		t.Fatal(err)
	}
	want, err := DecodeResponseBytes(body)
	if err != nil {
		t.Fatal(err)
	}
	big := bytes.Repeat([]byte(" "), 300<<10) // pieces of the unknown-length reader
	for name, r := range map[string]io.Reader{
		"one byte":     iotest.OneByteReader(bytes.NewReader(body)),
		"data err":     iotest.DataErrReader(bytes.NewReader(body)),
		"half":         iotest.HalfReader(bytes.NewReader(body)),
		"many pieces":  io.MultiReader(bytes.NewReader(body), bytes.NewReader(big)),
		"bytes.Buffer": bytes.NewBuffer(body),
	} {
		got, err := DecodeResponse(r)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := DecodeResponse(iotest.TimeoutReader(iotest.OneByteReader(bytes.NewReader(body)))); !errors.Is(err, iotest.ErrTimeout) {
		t.Errorf("timeout reader: %v", err)
	}
	if _, _, err := DecodeCall(iotest.ErrReader(io.ErrClosedPipe)); !errors.Is(err, io.ErrClosedPipe) {
		t.Errorf("err reader: %v", err)
	}
	if _, err := DecodeResponse(strings.NewReader("")); err == nil || !strings.Contains(err.Error(), "empty body") {
		t.Errorf("empty: %v", err)
	}
}

func TestDecodeResponseLimit(t *testing.T) {
	body := []byte(resp("<value><string>" + strings.Repeat("x", 1000) + "</string></value>"))
	if v, err := DecodeResponseLimit(bytes.NewReader(body), int64(len(body))); err != nil || len(v.(string)) != 1000 {
		t.Errorf("at the limit: %v", err)
	}
	if _, err := DecodeResponseLimit(bytes.NewReader(body), int64(len(body))-1); !errors.Is(err, ErrTooLarge) {
		t.Errorf("past the limit: %v", err)
	}
}

// TestStreamingTinyWindows decodes every koji-wire body and the interop
// values through windows of a few bytes, so that the window moves under
// every scanner, and compares with decoding the body in memory.
func TestStreamingTinyWindows(t *testing.T) {
	var bodies [][]byte
	for _, f := range append(wireFiles(t, "*.response.xml"), wireFiles(t, "*.request.xml")...) {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		bodies = append(bodies, b)
	}
	for _, v := range interopValues() {
		var buf bytes.Buffer
		if err := EncodeResponse(&buf, v); err != nil {
			t.Fatal(err)
		}
		bodies = append(bodies, buf.Bytes())
	}
	bodies = append(bodies, []byte(resp("<value><string>a&amp;b\r\nc<![CDATA[x]]>&#233;</string></value>")),
		[]byte("<?xml version='1.0'?>\n<!-- c -->\n"+resp("<value>  <!-- c -->  <double>1.5</double> </value>")+"\n<!-- end -->\n"))
	for i, body := range bodies {
		isCall := bytes.Contains(body[:min(len(body), 60)], []byte("<methodCall>"))
		for _, win := range []int{1, 2, 3, 5, 8, 13, 64} {
			for name, r := range map[string]io.Reader{
				"one byte": iotest.OneByteReader(bytes.NewReader(body)),
				"half":     iotest.HalfReader(bytes.NewReader(body)),
				"whole":    bytes.NewReader(body),
			} {
				d := newStreamDecoderSize(r, win)
				if isCall {
					m, p, err := d.call()
					m2, p2, err2 := DecodeCallBytes(body)
					if err != nil || err2 != nil || m != m2 || !reflect.DeepEqual(tagged(p), tagged(p2)) {
						t.Fatalf("body %d, window %d, %s: %v %v", i, win, name, err, err2)
					}
					continue
				}
				v, err := d.response()
				v2, err2 := DecodeResponseBytes(body)
				if (err == nil) != (err2 == nil) || (err != nil && err.Error() != err2.Error()) {
					t.Fatalf("body %d, window %d, %s: %v, in memory %v", i, win, name, err, err2)
				}
				if err == nil && !reflect.DeepEqual(tagged(v), tagged(v2)) {
					t.Fatalf("body %d, window %d, %s: %#v, in memory %#v", i, win, name, v, v2)
				}
			}
		}
	}
}
