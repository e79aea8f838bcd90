package call

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/osg-htc/osg-build-go/internal/cmd/koji/shared/kojicmdtest"
)

func TestParseArgs(t *testing.T) {
	pos, kw := ParseArgs([]string{"osg-el9", "42", "1.5", "None", "True", `["a",1]`, "latest=True", "inherit=1", "package=foo", "a=b=c", "x y=z"})
	wantPos := []any{"osg-el9", 42, 1.5, nil, true, []any{"a", 1}, "x y=z"}
	wantKw := map[string]any{"latest": true, "inherit": 1, "package": "foo", "a": "b=c"}
	if !reflect.DeepEqual(pos, wantPos) {
		t.Errorf("positional %#v, want %#v", pos, wantPos)
	}
	if !reflect.DeepEqual(kw, wantKw) {
		t.Errorf("kwargs %#v, want %#v", kw, wantKw)
	}
}

func Test_callRun(t *testing.T) {
	e := kojicmdtest.New(t)
	ctx := context.Background()
	e.Tag(t, "osg-el9", "", "x86_64")
	opts := CallOptions{Common: e.Common(), Method: "getTag", Args: []any{"osg-el9"}, Kwargs: map[string]any{"strict": true}}
	kojicmdtest.Must(t, callRun(ctx, &opts))
	if !strings.Contains(e.Out.String(), `"name": "osg-el9"`) || !strings.Contains(e.Out.String(), `"arches": "x86_64"`) {
		t.Errorf("output: %s", e.Out)
	}
	e.Reset()
	opts = CallOptions{Common: e.Common(), Method: "getTag", Args: []any{"nope"}}
	kojicmdtest.Must(t, callRun(ctx, &opts))
	if e.Out.Len() != 0 {
		t.Errorf("None printed as %q", e.Out)
	}
	opts = CallOptions{Common: e.Common(), Method: "noSuchMethod"}
	if err := callRun(ctx, &opts); err == nil || !strings.Contains(err.Error(), "Invalid method") {
		t.Errorf("err = %v", err)
	}
	e.Reset()
	opts = CallOptions{Common: e.Common(), Method: "createTag", Args: []any{"new"}}
	kojicmdtest.Must(t, callRun(ctx, &opts))
	if strings.TrimSpace(e.Out.String()) != "2" {
		t.Errorf("createTag answered %q", e.Out)
	}
}
