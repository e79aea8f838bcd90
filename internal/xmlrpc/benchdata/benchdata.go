// Package benchdata generates large Koji responses for the XML-RPC decoder
// benchmarks: a listTagged answer with Koji's build members and a multiCall
// answer with results and faults side by side. The bytes are deterministic.
package benchdata

import (
	"bytes"
	"fmt"

	"github.com/osg-htc/osg-build-go/internal/xmlrpc"
)

// Build is one listTagged entry with the members Koji 1.35 sends
// (testdata/xmlrpc/koji-wire/listTagged.response.xml).
func Build(i int) map[string]any {
	pkg := fmt.Sprintf("package-%d", i%1500)
	version := fmt.Sprintf("%d.%d.%d", 1+i%7, i%13, i%29)
	release := fmt.Sprintf("%d.osg36.el9", 1+i%5)
	var epoch any
	if i%4 == 0 {
		epoch = int64(i % 3)
	}
	var taskID any
	if i%3 != 0 {
		taskID = int64(100000 + i)
	}
	ts := 1795346351.0 + float64(i)*37.123456
	when := fmt.Sprintf("2026-11-%02d %02d:%02d:%02d.%06d+00:00", 1+i%28, i%24, i%60, (i*7)%60, (i*7919)%1000000)
	return map[string]any{
		"build_id":          int64(i + 1),
		"completion_time":   when,
		"create_event":      int64(5000 + i*3),
		"creation_event_id": int64(5000 + i*3 - 2),
		"creation_time":     when,
		"draft":             false,
		"epoch":             epoch,
		"id":                int64(i + 1),
		"name":              pkg,
		"nvr":               pkg + "-" + version + "-" + release,
		"owner_id":          int64(1 + i%40),
		"owner_name":        fmt.Sprintf("user%02d", i%40),
		"package_id":        int64(1 + i%1500),
		"package_name":      pkg,
		"promoter_id":       nil,
		"promoter_name":     nil,
		"promotion_time":    nil,
		"release":           release,
		"start_time":        when,
		"state":             int64(1),
		"tag_id":            int64(12),
		"tag_name":          "osg-3.6-el9-development",
		"task_id":           taskID,
		"version":           version,
		"volume_id":         int64(0),
		"volume_name":       "DEFAULT",
		"completion_ts":     ts,
	}
}

// ListTagged returns a methodResponse holding n builds (20,000 give about
// 40 MB, the size of a big OSG tag).
func ListTagged(n int) []byte {
	builds := make([]any, n)
	for i := range builds {
		builds[i] = Build(i)
	}
	var buf bytes.Buffer
	if err := xmlrpc.EncodeResponse(&buf, builds); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

// MultiCall returns a multiCall methodResponse of n results: mostly
// one-element arrays holding a build, every tenth a fault struct with a
// traceback as Koji sends it.
func MultiCall(n int) []byte {
	res := make([]any, n)
	for i := range res {
		if i%10 == 9 {
			res[i] = map[string]any{
				"faultCode":   int64(1000),
				"faultString": fmt.Sprintf("No such build: 'package-%d-1-1'", i),
				"traceback": []any{
					"Traceback (most recent call last):\n",
					"  File \"/usr/share/koji-hub/kojixmlrpc.py\", line 366, in multiCall\n    result = self._dispatch(call['methodName'], call['params'])\n",
					fmt.Sprintf("koji.GenericError: No such build: 'package-%d-1-1'\n", i),
				},
			}
			continue
		}
		res[i] = []any{Build(i)}
	}
	var buf bytes.Buffer
	if err := xmlrpc.EncodeResponse(&buf, res); err != nil {
		panic(err)
	}
	return buf.Bytes()
}
