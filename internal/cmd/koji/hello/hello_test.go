package hello

import (
	"context"
	"strings"
	"testing"

	"github.com/osg-htc/osg-build-go/internal/cmd/koji/shared/kojicmdtest"
)

func Test_helloRun(t *testing.T) {
	e := kojicmdtest.New(t)
	opts := &HelloOptions{Common: e.Common()}
	if err := helloRun(context.Background(), opts); err != nil {
		t.Fatal(err)
	}
	out := e.Out.String()
	for _, want := range []string{"Hello, tester!\n\n", "You are using the hub at local:", "(Koji 1.", "Authenticated as tester, the embedded hub's local admin"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	e.Reset()
	opts.JSON = true
	if err := helloRun(context.Background(), opts); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(e.Out.String(), `"name": "tester"`) {
		t.Errorf("JSON output lacks the user:\n%s", e.Out)
	}
}

func Test_NewCmdHello(t *testing.T) {
	e := kojicmdtest.New(t)
	var got *HelloOptions
	cmd := NewCmdHello(e.Factory(), func(o *HelloOptions) error { got = o; return nil })
	if err := kojicmdtest.Exec(cmd, "--json"); err != nil {
		t.Fatal(err)
	}
	if got == nil || !got.JSON {
		t.Fatalf("options not passed: %+v", got)
	}
	if err := kojicmdtest.Exec(cmd, "extra"); err == nil {
		t.Fatal("extra argument accepted")
	}
}
