package hub

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/osg-htc/osg-build-go/internal/xmlrpc"
)

// FuzzDispatch: any methodCall, as admin or anonymous, answers a value or
// a fault, never a panic.
func FuzzDispatch(f *testing.F) {
	reqs, _ := filepath.Glob(filepath.Join(wireDir, "*.request.xml"))
	for _, r := range reqs {
		b, err := os.ReadFile(r)
		if err == nil {
			f.Add(b, false)
			f.Add(b, true)
		}
	}
	f.Add([]byte(`<?xml version='1.0'?><methodCall><methodName>setInheritanceData</methodName><params><param><value><string>t</string></value></param><param><value><array><data><value><struct><member><name>parent_id</name><value><string>x</string></value></member></struct></value></data></array></value></param></params></methodCall>`), false)
	f.Add([]byte(`<?xml version='1.0'?><methodCall><methodName>listTagged</methodName><params><param><value><int>-1</int></value></param><param><value><struct><member><name>latest</name><value><string>yes</string></value></member><member><name>__starstar</name><value><boolean>1</boolean></value></member></struct></value></param></params></methodCall>`), false)
	for _, c := range []string{
		`<methodName>groupListAdd</methodName><params><param><value><string>t</string></value></param><param><value><string>build</string></value></param></params>`,
		`<methodName>groupListAdd</methodName><params><param><value><int>1</int></value></param><param><value><int>7</int></value></param><param><value><boolean>1</boolean></value></param></params>`,
		`<methodName>groupPackageListAdd</methodName><params><param><value><string>t</string></value></param><param><value><string>build</string></value></param><param><value><string>bash</string></value></param></params>`,
		`<methodName>getTagGroups</methodName><params><param><value><string>t</string></value></param><param><value><int>-3</int></value></param></params>`,
		`<methodName>cancelBuild</methodName><params><param><value><string>foo-1-1</string></value></param><param><value><boolean>1</boolean></value></param></params>`,
		`<methodName>cancelBuild</methodName><params><param><value><struct><member><name>name</name><value><string>x</string></value></member></struct></value></param></params>`,
	} {
		f.Add([]byte(`<?xml version='1.0'?><methodCall>`+c+`</methodCall>`), false)
	}
	h, err := Open(context.Background(), f.TempDir(), WithLocalUser("kojiadmin"))
	if err != nil {
		f.Fatal(err)
	}
	defer h.Close()
	f.Fuzz(func(t *testing.T, body []byte, anonymous bool) {
		method, params, err := xmlrpc.DecodeCallBytes(body)
		if err != nil {
			return
		}
		if method == "multiCall" || method == "system.multicall" {
			return
		}
		ctx := context.Background()
		if anonymous {
			ctx = WithCaller(ctx, nil)
		}
		v, err := h.dispatch(ctx, method, params, nil)
		if err == nil {
			_, _ = toGeneric(v)
		}
	})
}
