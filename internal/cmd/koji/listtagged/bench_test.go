package listtagged

import (
	"context"
	"fmt"
	"testing"

	"github.com/osg-htc/osg-build-go/internal/cmd/koji/shared/kojicmdtest"
	"github.com/osg-htc/osg-build-go/pkg/koji"
)

// BenchmarkListTagged lists a tag of 2,000 builds (200 packages x 10) in
// koji's layout and as JSON, against the embedded hub.
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
	for _, tc := range []struct {
		name string
		opts ListTaggedOptions
	}{
		{"table", ListTaggedOptions{Tag: "big"}},
		{"latest", ListTaggedOptions{Tag: "big", Latest: true}},
		{"json", ListTaggedOptions{Tag: "big"}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			opts := tc.opts
			opts.Common = e.Common()
			opts.JSON = tc.name == "json"
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
