package xmlrpc_test

import (
	"bytes"
	"math"
	"reflect"
	"testing"
	"time"

	"github.com/osg-htc/osg-build-go/internal/xmlrpc"
	"github.com/osg-htc/osg-build-go/pkg/koji"
)

// encodeDecode is what Generic must equal: v encoded in a response and decoded.
func encodeDecode(t testing.TB, v any) (any, error) {
	t.Helper()
	var buf bytes.Buffer
	if err := xmlrpc.EncodeResponse(&buf, v); err != nil {
		return nil, err
	}
	return xmlrpc.DecodeResponseBytes(buf.Bytes())
}

type marsh struct{ n int }

func (m marsh) MarshalXMLRPC() (any, error) { return map[string]any{"n": m.n}, nil }

type ptrMarsh struct{ s string }

func (m *ptrMarsh) MarshalXMLRPC() (any, error) { return m.s, nil }

type inner struct {
	A string `xmlrpc:"a"`
	B int    `xmlrpc:"b,omitempty"`
}

type outer struct {
	inner
	P      *inner            `xmlrpc:"p"`
	L      []inner           `xmlrpc:"l"`
	M      map[string]uint16 `xmlrpc:"m"`
	F32    float32           `xmlrpc:"f32"`
	Arr    [2]int8           `xmlrpc:"arr"`
	Bytes  [3]byte           `xmlrpc:"bytes"`
	Skip   string            `xmlrpc:"-"`
	Plain  bool
	Any    any       `xmlrpc:"any"`
	T      time.Time `xmlrpc:"t"`
	Marsh  marsh     `xmlrpc:"marsh"`
	PM     ptrMarsh  `xmlrpc:"pm"`
	NilPM  *ptrMarsh `xmlrpc:"nilpm"`
	hidden int
}

func TestGenericIsTheRoundTrip(t *testing.T) {
	when := time.Date(2026, 12, 7, 13, 4, 5, 987654321, time.FixedZone("X", -5*3600))
	vals := []any{
		nil, "", "plain", "a\x00b\x01c\td\ne\rf\r\ng", "bad \xff\xfe utf8 \xed\xa0\x80", "nonchar \uFFFE\uFFFF\uFFFD",
		"<&>'\"", int64(math.MaxInt64), int64(math.MinInt32 - 1), 7, true, false, 0.1, -0.0, 1e300, 5e-324,
		[]byte(nil), []byte{}, []byte("\x00\x01binary"), when, time.Time{},
		map[string]any(nil), map[string]any{}, map[string]any{"k\x01ey": "v", "n": []any{1, "x", nil}},
		[]any(nil), []any{}, []any{[]any{map[string]any{"deep": int64(1)}}},
		&xmlrpc.Fault{Code: 1000, String: "fault\x02"}, (*xmlrpc.Fault)(nil),
		marsh{3}, &ptrMarsh{"p"}, (*ptrMarsh)(nil),
		outer{inner: inner{A: "x"}, P: &inner{A: "y", B: 2}, L: []inner{{}, {A: "z"}}, M: map[string]uint16{"u": 65535},
			F32: 1.5, Arr: [2]int8{-1, 1}, Bytes: [3]byte{1, 2, 3}, Skip: "no", Plain: true, Any: []string{"s"}, T: when,
			Marsh: marsh{1}, PM: ptrMarsh{"q"}},
		[]outer{{}}, map[string]*inner{"nil": nil, "one": {A: "1"}},
		koji.Build{ID: 1, Name: "foo", Version: "1", Release: "1.el9", NVR: "foo-1-1.el9", State: koji.BuildComplete},
		[]koji.TaggedBuild{{BuildID: 2, NVR: "bar-2-1"}},
		koji.Ref{}, koji.ByName("n"), koji.ByID(5),
		[]koji.RPM{{ID: 3, Name: "r", Arch: "noarch"}},
		uint64(math.MaxInt64), []uint{1, 2},
	}
	for i, v := range vals {
		want, werr := encodeDecode(t, v)
		got, gerr := xmlrpc.Generic(v)
		if (werr != nil) != (gerr != nil) {
			t.Errorf("%d %#v: round trip err %v, Generic err %v", i, v, werr, gerr)
			continue
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%d %#v:\nGeneric    %#v\nround trip %#v", i, v, got, want)
		}
	}
	// what the encoder refuses, Generic refuses
	for _, v := range []any{uint64(math.MaxUint64), map[int]string{1: "x"}, make(chan int), func() {}} {
		if _, err := xmlrpc.Generic(v); err == nil {
			t.Errorf("Generic(%T) succeeded; the encoder refuses it", v)
		}
	}
	var cyc []any
	cyc = append(cyc, nil)
	cyc[0] = cyc
	if _, err := xmlrpc.Generic(cyc); err == nil {
		t.Error("Generic of a cyclic value succeeded")
	}
	// NaN (not DeepEqual to itself)
	if g, _ := xmlrpc.Generic(math.NaN()); !math.IsNaN(g.(float64)) {
		t.Errorf("NaN became %v", g)
	}
}

func TestGenericSharesNothing(t *testing.T) {
	b := []byte("abc")
	m := map[string]any{"b": b, "l": []any{"x"}}
	g, err := xmlrpc.Generic(m)
	if err != nil {
		t.Fatal(err)
	}
	b[0] = 'z'
	m["l"].([]any)[0] = "y"
	gm := g.(map[string]any)
	if string(gm["b"].([]byte)) != "abc" || gm["l"].([]any)[0] != "x" {
		t.Errorf("the result shares memory with the input: %#v", gm)
	}
}

func FuzzGenericString(f *testing.F) {
	for _, s := range []string{"", "x", "\x00", "\r\n", "\xff", "\uFFFE", "a&b<c>"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, err := encodeDecode(t, s)
		if err != nil {
			t.Fatal(err)
		}
		got, err := xmlrpc.Generic(map[string]any{s: s})
		if err != nil {
			t.Fatal(err)
		}
		if g := got.(map[string]any)[want.(string)]; g != want {
			t.Errorf("Generic %q, round trip %q", g, want)
		}
	})
}

func BenchmarkGeneric(b *testing.B) {
	l := make([]koji.TaggedBuild, 1000)
	for i := range l {
		l[i] = koji.TaggedBuild{BuildID: i, NVR: "foo-1-1.osg25.el9", Name: "foo", Version: "1", Release: "1.osg25.el9", TagName: "osg-25-main-el9-development"}
	}
	b.Run("Generic", func(b *testing.B) {
		for range b.N {
			if _, err := xmlrpc.Generic(l); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("RoundTrip", func(b *testing.B) {
		for range b.N {
			if _, err := encodeDecode(b, l); err != nil {
				b.Fatal(err)
			}
		}
	})
}
