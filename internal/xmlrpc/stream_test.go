package xmlrpc_test

import (
	"bytes"
	"io"
	"reflect"
	"testing"
	"testing/iotest"

	ours "github.com/osg-htc/osg-build-go/internal/xmlrpc"
	"github.com/osg-htc/osg-build-go/internal/xmlrpc/benchdata"
)

// TestStreamingLargeBodies decodes multi-megabyte bodies (many window
// moves) from readers of several shapes and compares with the body decoded
// in memory and with the values that were encoded.
func TestStreamingLargeBodies(t *testing.T) {
	for name, body := range map[string][]byte{
		"listTagged": benchdata.ListTagged(3000),
		"multiCall":  benchdata.MultiCall(500),
	} {
		want, err := ours.DecodeResponseBytes(body)
		if err != nil {
			t.Fatal(err)
		}
		for rname, r := range map[string]io.Reader{
			"bytes":   bytes.NewReader(body),
			"half":    iotest.HalfReader(bytes.NewReader(body)),
			"unsized": io.MultiReader(bytes.NewReader(body[:len(body)/3]), bytes.NewReader(body[len(body)/3:])),
		} {
			got, err := ours.DecodeResponse(r)
			if err != nil {
				t.Fatalf("%s from %s: %v", name, rname, err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("%s from %s: streaming decode differs from decoding in memory", name, rname)
			}
		}
		if name == "listTagged" {
			for i, b := range want.([]any) {
				if !reflect.DeepEqual(b, roundTrip(t, benchdata.Build(i))) {
					t.Fatalf("build %d differs from what was encoded", i)
				}
			}
		}
	}
}

// roundTrip turns Go-typed values into what the decoder returns.
func roundTrip(t *testing.T, v any) any {
	t.Helper()
	var buf bytes.Buffer
	if err := ours.EncodeResponse(&buf, v); err != nil {
		t.Fatal(err)
	}
	out, err := ours.DecodeResponseBytes(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	return out
}
