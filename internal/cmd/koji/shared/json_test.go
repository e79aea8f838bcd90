package shared

import (
	"bytes"
	"os/exec"
	"strings"
	"testing"

	"github.com/osg-htc/osg-build-go/internal/testutil"
)

// TestAppendJSONMatchesPython compares the JSON of generic values with
// Python's json.dumps(indent=2, separators=(',', ': '), sort_keys=True),
// what koji call --json-output prints.
func TestAppendJSONMatchesPython(t *testing.T) {
	testutil.RequireTool(t, "python3")
	v := map[string]any{
		"name": "osg-el9", "id": 7, "big": int64(1) << 40, "none": nil, "t": true, "f": false,
		"floats": []any{1.0, 1.5, 0.0001, 0.00001, 1e15, 1e16, 1e21, -2.5e-7, 0.0, 123456.789},
		"text":   "tab\there \"quoted\" back\\slash <html> & é ☃ 🎉 \x01 \x7f",
		"empty":  map[string]any{}, "list": []any{}, "nested": []any{map[string]any{"a": []any{1, "x"}}},
	}
	got, err := appendJSON(nil, v, 0)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("python3", "-c", `import json, sys
v = json.load(sys.stdin)
sys.stdout.write(json.dumps(v, indent=2, separators=(',', ': '), sort_keys=True))`)
	cmd.Stdin = bytes.NewReader(got)
	want, err := cmd.Output()
	if err != nil {
		t.Fatalf("python3: %v", err)
	}
	if string(got) != string(want) {
		t.Errorf("got\n%s\nwant (python)\n%s", got, want)
	}
	if !strings.Contains(string(got), `\u00e9`) {
		t.Error("non-ASCII not escaped")
	}
}
