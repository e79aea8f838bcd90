package shared

import (
	"bytes"
	"reflect"
	"testing"

	"github.com/osg-htc/osg-build-go/pkg/koji"
)

func TestArgValue(t *testing.T) {
	tests := []struct {
		in   string
		want any
	}{
		{"42", 42}, {"-3", -3}, {"1.5", 1.5}, {"None", nil}, {"True", true}, {"False", false},
		{"osg-el9", "osg-el9"}, {`{"a": [1, 2.5, "x"]}`, map[string]any{"a": []any{1, 2.5, "x"}}},
		{`"quoted"`, "quoted"}, {"[1] trailing", "[1] trailing"}, {"true", true}, {"", ""},
	}
	for _, tt := range tests {
		if got := ArgValue(tt.in); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ArgValue(%q) = %#v, want %#v", tt.in, got, tt.want)
		}
	}
}

func TestPyRepr(t *testing.T) {
	tests := []struct {
		in   any
		want string
	}{
		{".osg25.el9", "'.osg25.el9'"}, {"it's", `'it\'s'`}, {nil, "None"}, {true, "True"}, {3, "3"},
		{[]any{"a", 1}, "['a', 1]"}, {map[string]any{"b": 1, "a": "x"}, "{'a': 'x', 'b': 1}"},
	}
	for _, tt := range tests {
		if got := PyRepr(tt.in); got != tt.want {
			t.Errorf("PyRepr(%#v) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

func TestWriteJSON(t *testing.T) {
	var buf bytes.Buffer
	tag := koji.Tag{ID: 3, Name: "t", Arches: koji.Ptr("x86_64"), Extra: map[string]any{}}
	if err := WriteJSON(&buf, []koji.Tag{tag}); err != nil {
		t.Fatal(err)
	}
	want := `[
  {
    "arches": "x86_64",
    "extra": {},
    "id": 3,
    "locked": false,
    "maven_include_all": false,
    "maven_support": false,
    "name": "t",
    "perm": null,
    "perm_id": null
  }
]
`
	if buf.String() != want {
		t.Errorf("got\n%s\nwant\n%s", buf.String(), want)
	}
}

func TestHelpers(t *testing.T) {
	if got := ParseArches("x86_64, aarch64,,ppc64le"); got != "x86_64 aarch64 ppc64le" {
		t.Errorf("ParseArches = %q", got)
	}
	if got := InheritanceFlags(koji.Ptr(1), "", true, false); got != "M.I." {
		t.Errorf("InheritanceFlags = %q", got)
	}
	if r := Ref("12"); !r.IsID() || r.ID != 12 {
		t.Errorf("Ref(12) = %+v", r)
	}
	if r := Ref("foo-1-1"); r.IsID() || r.Name != "foo-1-1" {
		t.Errorf("Ref(foo-1-1) = %+v", r)
	}
	if got := BuildPath("/mnt/koji/", "foo", "1", "2.el9"); got != "/mnt/koji/packages/foo/1/2.el9" {
		t.Errorf("BuildPath = %q", got)
	}
}

func FuzzArgValue(f *testing.F) {
	for _, s := range []string{"1", "None", `{"a":1}`, "[1,", "x=y", "1e400", `"\u0000"`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v := ArgValue(s)
		var buf bytes.Buffer
		_ = WriteJSON(&buf, []any{v})
	})
}
