package client

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/osg-htc/osg-build-go/pkg/koji"
)

// bodyTransport answers every request with body (HTTP 200).
type bodyTransport struct{ body []byte }

func (t bodyTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		_, _ = io.Copy(io.Discard, r.Body)
		r.Body.Close()
	}
	return &http.Response{StatusCode: 200, Status: "200 OK", Header: http.Header{"Koji-Version": {"1.35.3"}},
		Body: io.NopCloser(bytes.NewReader(t.body)), Request: r}, nil
}

// FuzzResponses feeds arbitrary hub answers to the typed methods: an error
// is fine, a panic is not.
func FuzzResponses(f *testing.F) {
	files, _ := filepath.Glob(wireDir + "/*.response.xml")
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte("<?xml version='1.0'?><methodResponse><params><param><value><array><data><value><struct><member><name>faultCode</name><value><int>1000</int></value></member></struct></value></data></array></value></param></params></methodResponse>"))
	f.Add([]byte("<?xml version='1.0'?><methodResponse><params><param><value><struct><member><name>a.log</name><value><array><data><value>x</value></data></array></value></member></struct></value></param></params></methodResponse>"))
	f.Fuzz(func(t *testing.T, body []byte) {
		c := New(Options{Server: "http://hub.invalid/kojihub", MaxRetries: -1, HTTPClient: &http.Client{Transport: bodyTransport{body}}})
		ctx := context.Background()
		_, _ = c.GetTag(ctx, koji.ByName("t"), koji.GetTagOpts{})
		_, _ = c.ListTagged(ctx, koji.ByName("t"), koji.ListTaggedOpts{})
		_, _ = c.GetBuild(ctx, koji.ByID(1), koji.GetBuildOpts{})
		_, _ = c.GetTaskInfo(ctx, 1, koji.GetTaskInfoOpts{Request: true})
		_, _ = c.QueryHistory(ctx, koji.QueryHistoryOpts{})
		_, _ = c.GetTaskResult(ctx, 1, koji.GetTaskResultOpts{})
		for _, o := range []koji.ListTaskOutputOpts{{}, {AllVolumes: true}, {Stat: true}, {Stat: true, AllVolumes: true}} {
			_, _ = c.ListTaskOutput(ctx, 1, o)
		}
		_, _ = c.DownloadTaskOutput(ctx, 1, "x", koji.DownloadTaskOutputOpts{})
		_, _ = c.MultiCall(ctx, []koji.Call{{Method: "a"}, {Method: "b"}, {Method: "c"}}, koji.MultiCallOpts{Strict: true})
		_, _ = c.GetUserPermsInheritance(ctx, koji.ByID(1))
		err := c.LoginPassword(ctx, "u", "p")
		if err == nil && !c.LoggedIn() {
			t.Fatal("login succeeded without a session")
		}
		if err != nil && strings.Contains(err.Error(), "panic") {
			t.Fatal(err)
		}
	})
}
