package client

import (
	"bytes"
	"context"
	"encoding/base64"
	"testing"

	"github.com/osg-htc/osg-build-go/pkg/koji"
)

// TestSigningCalls: addRPMSig sends the header as a base64 string, and
// writeSignedRPM sends force as a kwarg only when set, as the koji CLI
// does (session.addRPMSig(rinfo['id'], base64encode(sighdr))).
func TestSigningCalls(t *testing.T) {
	h := newFakeHub(t)
	c, _ := newTestClient(t, h, nil)
	ctx := context.Background()
	sighdr := []byte{0x8e, 0xad, 0xe8, 1, 0, 0, 0, 0, 0xff, 0xfe, '+', '/'}
	var gotSig []any
	h.handle("addRPMSig", func(r *fakeReq) (any, error) {
		gotSig = r.args
		if len(r.kwargs) != 0 {
			t.Errorf("addRPMSig kwargs %v", r.kwargs)
		}
		return nil, nil
	})
	var gotWrite []*fakeReq
	h.handle("writeSignedRPM", func(r *fakeReq) (any, error) {
		gotWrite = append(gotWrite, r)
		if r.args[1] == "nokey" {
			return nil, koji.NewFault(koji.GenericError, "No cached signature for package x-1-1.noarch, key nokey")
		}
		return nil, nil
	})
	if err := c.AddRPMSig(ctx, koji.ByID(7), sighdr); err != nil {
		t.Fatal(err)
	}
	if len(gotSig) != 2 || gotSig[0] != int64(7) {
		t.Fatalf("addRPMSig args %#v", gotSig)
	}
	s, ok := gotSig[1].(string)
	if b, err := base64.StdEncoding.DecodeString(s); !ok || err != nil || !bytes.Equal(b, sighdr) {
		t.Errorf("addRPMSig data %#v: not the header as a base64 string", gotSig[1])
	}
	if err := c.AddRPMSig(ctx, koji.ByName("x-1-1.noarch"), sighdr); err != nil || gotSig[0] != "x-1-1.noarch" {
		t.Errorf("addRPMSig by N-V-R.A: %#v, %v", gotSig, err)
	}
	if err := c.WriteSignedRPM(ctx, koji.ByID(7), "abcd1234", koji.WriteSignedRPMOpts{}); err != nil {
		t.Fatal(err)
	}
	if err := c.WriteSignedRPM(ctx, koji.ByID(7), "abcd1234", koji.WriteSignedRPMOpts{Force: true}); err != nil {
		t.Fatal(err)
	}
	if len(gotWrite) != 2 || len(gotWrite[0].args) != 2 || gotWrite[0].args[1] != "abcd1234" || len(gotWrite[0].kwargs) != 0 ||
		gotWrite[1].kwargs["force"] != true {
		t.Errorf("writeSignedRPM requests: %+v, %+v", gotWrite[0], gotWrite[len(gotWrite)-1])
	}
	err := c.WriteSignedRPM(ctx, koji.ByID(7), "nokey", koji.WriteSignedRPMOpts{})
	if f, ok := err.(*koji.Fault); !ok || f.Code != koji.GenericError {
		t.Errorf("a fault came back as %v", err)
	}
}
