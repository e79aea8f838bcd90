package listtagged

import (
	"context"
	"fmt"
	"net/http/httptest"
	"testing"

	"github.com/osg-htc/osg-build-go/internal/cmd/koji/shared/kojicmdtest"
	"github.com/osg-htc/osg-build-go/pkg/koji"
	"github.com/osg-htc/osg-build-go/pkg/koji/client"
)

// BenchmarkListTagged lists a tag of 2,000 builds (200 packages x 10) in
// koji's layout and as JSON, against the embedded hub in-process and served
// over loopback HTTP (httptest, the XML-RPC client).
func BenchmarkListTagged(b *testing.B) {
	e := kojicmdtest.New(b)
	ctx := context.Background()
	e.Tag(b, "big", "", "")
	var calls []koji.Call
	for p := 0; p < 200; p++ {
		calls = append(calls, koji.Call{Method: "packageListAdd", Args: []any{"big", fmt.Sprintf("pkg%03d", p), kojicmdtest.User}})
		for v := 0; v < 10; v++ {
			calls = append(calls, koji.Call{Method: "createEmptyBuild", Args: []any{fmt.Sprintf("pkg%03d", p), fmt.Sprintf("%d", v), "1", nil}})
			calls = append(calls, koji.Call{Method: "tagBuildBypass", Args: []any{"big", fmt.Sprintf("pkg%03d-%d-1", p, v)}})
		}
	}
	if _, err := e.Hub.MultiCall(ctx, calls, koji.MultiCallOpts{Strict: true}); err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(e.Hub.Handler())
	defer srv.Close()
	remote := client.New(client.Options{Server: srv.URL + "/kojihub", MaxRetries: -1})
	for _, tc := range []struct {
		name string
		opts ListTaggedOptions
	}{
		{"served-table", ListTaggedOptions{Tag: "big"}},
		{"table", ListTaggedOptions{Tag: "big"}},
		{"latest", ListTaggedOptions{Tag: "big", Latest: true}},
		{"json", ListTaggedOptions{Tag: "big"}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			opts := tc.opts
			opts.Common = e.Common()
			opts.JSON = tc.name == "json"
			if tc.name == "served-table" {
				opts.Hub = func(context.Context) (koji.Hub, error) { return remote, nil }
			}
			for b.Loop() {
				e.Reset()
				if err := listTaggedRun(ctx, &opts); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(e.Out.Len()), "bytes/op-out")
		})
	}
}
