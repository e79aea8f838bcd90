package client

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/osg-htc/osg-build-go/internal/xmlrpc"
	"github.com/osg-htc/osg-build-go/pkg/koji"
)

// TestReplayAuthenticatedSession replays the recorded logged-in traffic:
// sslLogin at /ssllogin, calls with the session headers, one raw upload
// chunk (query string and body as Koji's client sent them), checkUpload and
// logout.
func TestReplayAuthenticatedSession(t *testing.T) {
	wire := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join(wireDir, name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	type exchange struct {
		name, path, query string
		sameBody          bool // byte-identical request expected
	}
	script := []exchange{
		{"auth_sslLogin", "/kojihub/ssllogin", "", true},
		{"auth_getLoggedInUser", "/kojihub", "", true},
		{"auth_getPerms", "/kojihub", "", true},
		{"upload_chunk", "/kojihub", "", true},
		{"auth_checkUpload", "/kojihub", "", true},
		{"auth_logout", "/kojihub", "", false}, // Koji sends logout(session_id=None); we send no kwargs
	}
	step := 0
	var problems []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if step >= len(script) {
			problems = append(problems, "unexpected request "+r.URL.String())
			return
		}
		ex := script[step]
		step++
		body, _ := io.ReadAll(r.Body)
		if r.URL.Path != ex.path {
			problems = append(problems, ex.name+": path "+r.URL.Path)
		}
		var want []byte
		if ex.name == "upload_chunk" {
			want = wire("upload_chunk.request.bin")
			q := strings.TrimSpace(strings.SplitN(string(wire("upload_chunk.query.txt")), "\n", 2)[0])
			if got := "POST " + r.URL.Path + "?" + r.URL.RawQuery; got != q {
				problems = append(problems, "upload query "+got+", want "+q)
			}
		} else {
			want = wire(ex.name + ".request.xml")
			gm, gp, err1 := xmlrpc.DecodeCallBytes(body)
			wm, _, err2 := xmlrpc.DecodeCallBytes(want)
			if err1 != nil || err2 != nil || gm != wm {
				problems = append(problems, ex.name+": sent "+gm+" "+string(body))
			}
			_ = gp
		}
		if ex.sameBody && !bytes.Equal(body, want) {
			problems = append(problems, ex.name+": request not byte-identical: "+string(body))
		}
		if ex.name != "auth_sslLogin" {
			if r.Header.Get("Koji-Session-Id") != "115" || r.Header.Get("Koji-Session-Key") != "1-W9DvKvn0lODTYBOAY7a" ||
				r.Header.Get("Koji-Session-Callnum") != itoa(int64(step-2)) {
				problems = append(problems, ex.name+": session headers "+r.Header.Get("Koji-Session-Id")+" "+r.Header.Get("Koji-Session-Callnum"))
			}
		}
		w.Header().Set("Koji-Version", "1.35.3")
		_, _ = w.Write(wire(ex.name + ".response.xml"))
	}))
	defer srv.Close()
	c := New(Options{Server: srv.URL + "/kojihub", MaxRetries: -1})
	ctx := context.Background()
	// sslLogin as LoginSSL sends it (the TLS part is tested elsewhere)
	login := func(ctx context.Context, renew bool) (*session, error) {
		return c.loginCall(ctx, "sslLogin", nil, nil, &request{path: "/ssllogin"}, koji.AuthSSL)
	}
	if err := c.startSession(ctx, login); err != nil {
		t.Fatal(err)
	}
	u, err := c.GetLoggedInUser(ctx)
	if err != nil || u == nil || u.Name != "kojiadmin" || u.AuthType != koji.AuthSSL {
		t.Fatalf("GetLoggedInUser = %+v, %v", u, err)
	}
	perms, err := c.GetPerms(ctx)
	if err != nil || len(perms) != 1 || perms[0] != "admin" {
		t.Fatalf("GetPerms = %v, %v", perms, err)
	}
	chunk := wire("upload_chunk.request.bin")
	// one chunk as Upload sends it, then the recorded checkUpload (which
	// asked for verify=adler32, as Upload does after a retried chunk)
	retried, err := c.uploadChunk(ctx, "cli-build/1795346351.7950485.recorded", "test.txt", chunk, adlerOf(chunk), 0, koji.UploadOpts{Overwrite: true})
	if err != nil || retried {
		t.Fatalf("upload chunk: retried=%v, %v", retried, err)
	}
	info, err := c.CheckUpload(ctx, "cli-build/1795346351.7950485.recorded", "test.txt", koji.CheckUploadOpts{Verify: "adler32"})
	if err != nil || info == nil || info.Size != 1300 || info.HexDigest != "10dfdc3c" {
		t.Fatalf("CheckUpload = %+v, %v", info, err)
	}
	if err := c.Logout(ctx); err != nil {
		t.Fatal(err)
	}
	if step != len(script) {
		t.Errorf("%d of %d exchanges happened", step, len(script))
	}
	for _, p := range problems {
		t.Error(p)
	}
}
