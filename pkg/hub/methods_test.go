package hub_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/osg-htc/osg-build-go/pkg/koji"
)

// TestExtraCalls: calls of the koji CLI beyond koji.Hub, through Call.
func TestExtraCalls(t *testing.T) {
	h := openHub(t)
	ctx := context.Background()
	call := func(m string, args []any, kw map[string]any) any {
		t.Helper()
		v, err := h.Call(ctx, m, args, kw)
		if err != nil {
			t.Fatalf("%s: %v", m, err)
		}
		return v
	}
	if v := call("echo", []any{"a", int64(1)}, nil); !reflect.DeepEqual(v, []any{"a", int64(1)}) {
		t.Errorf("echo = %#v", v)
	}
	if v := call("mavenEnabled", nil, nil); v != false {
		t.Errorf("mavenEnabled = %v", v)
	}
	if v := call("getHost", []any{"nohost"}, nil); v != nil {
		t.Errorf("getHost = %v", v)
	}
	if _, err := h.CreateTag(ctx, "p", koji.CreateTagOpts{}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.CreateTag(ctx, "c", koji.CreateTagOpts{Parent: koji.ByName("p")}); err != nil {
		t.Fatal(err)
	}
	if err := h.PackageListAdd(ctx, koji.ByName("p"), koji.ByName("x"), koji.PackageListAddOpts{Owner: koji.ByName("kojiadmin"), Block: koji.Ptr(true)}); err != nil {
		t.Fatal(err)
	}
	if v := call("checkTagPackage", []any{"c", "x"}, nil); v != false {
		t.Errorf("checkTagPackage of a blocked package = %v", v)
	}
	call("packageListUnblock", []any{"c", "x"}, nil) // an inherited block: an unblocked override
	if v := call("checkTagPackage", []any{"c", "x"}, nil); v != true {
		t.Errorf("checkTagPackage after unblock in the child = %v", v)
	}
	call("packageListUnblock", []any{"p", "x"}, nil) // a local block: removed, re-added unblocked
	cfg := call("getPackageConfig", []any{"p", "x"}, nil).(map[string]any)
	if cfg["blocked"] != false || cfg["tag_name"] != "p" {
		t.Errorf("getPackageConfig = %v", cfg)
	}
	call("packageListRemove", []any{"c", "x"}, nil)
	if v := call("getPackageConfig", []any{"c", "x"}, nil).(map[string]any); v["tag_name"] != "p" {
		t.Errorf("after removing the override: %v", v)
	}
	ev := call("tagLastChangeEvent", []any{"c"}, nil)
	last, _ := h.GetLastEvent(ctx, koji.GetLastEventOpts{})
	if ev != int64(last.ID) {
		t.Errorf("tagLastChangeEvent = %v, last event %d", ev, last.ID)
	}
	if _, err := h.CreateUser(ctx, "u", koji.CreateUserOpts{}); err != nil {
		t.Fatal(err)
	}
	if err := h.GrantPermission(ctx, koji.ByName("u"), "repo", koji.GrantPermissionOpts{}); err != nil {
		t.Fatal(err)
	}
	if v := call("getUserPerms", []any{"u"}, nil); !reflect.DeepEqual(v, []any{"repo"}) {
		t.Errorf("getUserPerms = %v", v)
	}
	call("revokePermission", []any{"u", "repo"}, nil)
	if v := call("getUserPerms", []any{"u"}, nil); !reflect.DeepEqual(v, []any{}) {
		t.Errorf("getUserPerms after revoke = %v", v)
	}
	if _, err := h.Call(ctx, "revokePermission", []any{"u", "repo"}, nil); err == nil {
		t.Error("revoking a missing permission succeeded")
	}
	_, err := h.Call(ctx, "getTag", []any{"p", false, nil, false, "extra"}, nil)
	if f, ok := koji.AsFault(err); !ok || f.Code != koji.ParameterError || f.String != "get_tag() takes from 1 to 4 positional arguments but 5 were given" {
		t.Errorf("too many arguments: %v", err)
	}
	_, err = h.Call(ctx, "getTag", nil, nil)
	if f, ok := koji.AsFault(err); !ok || f.String != "get_tag() missing 1 required positional argument: 'tagInfo'" {
		t.Errorf("missing argument: %v", err)
	}
}
