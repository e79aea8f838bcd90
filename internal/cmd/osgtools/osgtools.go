// Package osgtools implements the OSG helper scripts as verbs of
// osg-build: tag-diff (koji-tag-diff), blame (koji-blame) and build-table
// (koji-build-table). Each makes at most two hub requests: one multiCall or
// one listTagged/queryHistory call per step.
package osgtools

import (
	"context"
	"fmt"
	"sort"

	"github.com/osg-htc/osg-build-go/internal/xmlrpc"
	"github.com/osg-htc/osg-build-go/pkg/koji"
)

// latestTagged lists the latest build of each package in every tag, in one
// multiCall request (listTagged(tag, latest=True) per tag).
func latestTagged(ctx context.Context, h koji.Hub, tags []string) ([][]koji.TaggedBuild, error) {
	calls := make([]koji.Call, len(tags))
	for i, t := range tags {
		calls[i] = koji.Call{Method: "listTagged", Args: []any{t}, Kwargs: map[string]any{"latest": true}}
	}
	res, err := h.MultiCall(ctx, calls, koji.MultiCallOpts{})
	if err != nil {
		return nil, err
	}
	out := make([][]koji.TaggedBuild, len(tags))
	for i, r := range res {
		if r.Fault != nil {
			return nil, fmt.Errorf("listing %s: %w", tags[i], r.Fault)
		}
		if err := xmlrpc.Unmarshal(r.Value, &out[i]); err != nil {
			return nil, fmt.Errorf("listing %s: %w", tags[i], err)
		}
		sort.Slice(out[i], func(a, b int) bool { return out[i][a].NVR < out[i][b].NVR })
	}
	return out, nil
}
