package cli

import (
	"reflect"
	"testing"

	"github.com/osg-htc/osg-build-go/internal/cmdutil"
)

func TestKojiGlobals(t *testing.T) {
	out, o, raw := kojiGlobals([]string{"-c", "F", "-pP", "-s", "https://h/kojihub", "--authtype=ssl", "--noauth", "-q", "--hub", "local", "-d", "--topdir", "/t", "hello", "-s", "x"})
	if want := []string{"--config=F", "--profile=P", "--quiet", "--hub", "local", "--debug", "hello", "-s", "x"}; !reflect.DeepEqual(out, want) {
		t.Errorf("args %q, want %q", out, want)
	}
	if want := (cmdutil.KojiOverrides{Server: "https://h/kojihub", AuthType: "ssl", NoAuth: true}); o != want {
		t.Errorf("overrides %+v", o)
	}
	if want := []string{"--server=https://h/kojihub", "--authtype=ssl", "--noauth", "--topdir=/t"}; !reflect.DeepEqual(raw, want) {
		t.Errorf("raw %q", raw)
	}
}
