package client

import (
	"bytes"
	"context"
	"encoding/base64"
	"hash/adler32"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/osg-htc/osg-build-go/pkg/koji"
)

func TestListTaskOutputShapes(t *testing.T) {
	h := newFakeHub(t)
	h.handle("listTaskOutput", func(r *fakeReq) (any, error) {
		switch {
		case r.kwargs["all_volumes"] == true && r.kwargs["stat"] == true:
			return map[string]any{"b.log": map[string]any{"DEFAULT": map[string]any{"st_size": "12"}}}, nil
		case r.kwargs["all_volumes"] == true:
			return map[string]any{"b.log": []any{"DEFAULT"}, "a.rpm": []any{"DEFAULT", "vol2"}}, nil
		case r.kwargs["stat"] == true:
			return map[string]any{"b.log": map[string]any{"st_size": "12"}}, nil
		}
		return []any{"b.log", "a.rpm"}, nil
	})
	c, _ := newTestClient(t, h, nil)
	ctx := context.Background()
	files, err := c.ListTaskOutput(ctx, 2, koji.ListTaskOutputOpts{})
	if err != nil || len(files) != 2 || files[0].Name != "a.rpm" || files[1].Name != "b.log" {
		t.Errorf("plain: %+v, %v", files, err)
	}
	files, err = c.ListTaskOutput(ctx, 2, koji.ListTaskOutputOpts{AllVolumes: true})
	if err != nil || len(files) != 2 || strings.Join(files[0].Volumes, ",") != "DEFAULT,vol2" {
		t.Errorf("all_volumes: %+v, %v", files, err)
	}
	files, err = c.ListTaskOutput(ctx, 2, koji.ListTaskOutputOpts{Stat: true})
	if err != nil || len(files) != 1 || files[0].Stat["st_size"] != "12" {
		t.Errorf("stat: %+v, %v", files, err)
	}
	files, err = c.ListTaskOutput(ctx, 2, koji.ListTaskOutputOpts{Stat: true, AllVolumes: true})
	if err != nil || len(files) != 1 || files[0].Stat["st_size"] != "12" || files[0].Volumes[0] != "DEFAULT" {
		t.Errorf("stat+all_volumes: %+v, %v", files, err)
	}
}

func TestDownloadTaskFileInRanges(t *testing.T) {
	content := bytes.Repeat([]byte("0123456789"), 1000) // 10000 bytes
	h := newFakeHub(t)
	var ranges []string
	h.handle("downloadTaskOutput", func(r *fakeReq) (any, error) {
		if r.args[0] != int64(7) || r.args[1] != "build.log" {
			return nil, koji.NewFault(koji.GenericError, "no file")
		}
		off, _ := r.kwargs["offset"].(int64)
		size, _ := r.kwargs["size"].(int64)
		ranges = append(ranges, strings.TrimSpace(strings.Join([]string{itoa(off), itoa(size)}, "+")))
		end := min(off+size, int64(len(content)))
		if off > end {
			off = end
		}
		return base64.StdEncoding.EncodeToString(content[off:end]), nil
	})
	c, _ := newTestClient(t, h, func(o *Options) { o.UploadBlockSize = 4096 })
	var out, progress bytes.Buffer
	n, err := c.DownloadTaskFile(context.Background(), 7, "build.log", &out, &progress)
	if err != nil || n != int64(len(content)) || !bytes.Equal(out.Bytes(), content) {
		t.Fatalf("download = %d, %v", n, err)
	}
	if strings.Join(ranges, " ") != "0+4096 4096+4096 8192+4096" {
		t.Errorf("ranges %v", ranges)
	}
	if _, err := c.DownloadTaskFile(context.Background(), 7, "other.log", &out, nil); !koji.IsFault(err, koji.GenericError) {
		t.Errorf("missing file: %v", err)
	}
	if got := c.TaskOutputURL(12345, "x.log"); got != "/work/tasks/2345/12345/x.log" {
		t.Errorf("TaskOutputURL = %q", got)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestFetchFromTopURL(t *testing.T) {
	content := bytes.Repeat([]byte("rpm"), 5000)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/kojifiles/packages/hello/1.0/1/noarch/hello-1.0-1.noarch.rpm" {
			http.NotFound(w, r)
			return
		}
		_, _ = w.Write(content)
	}))
	defer srv.Close()
	c := New(Options{Server: srv.URL + "/kojihub", TopURL: srv.URL + "/kojifiles/"})
	var out, progress bytes.Buffer
	n, err := c.Fetch(context.Background(), "packages/hello/1.0/1/noarch/hello-1.0-1.noarch.rpm", &out, &progress)
	if err != nil || n != int64(len(content)) || !bytes.Equal(out.Bytes(), content) {
		t.Fatalf("Fetch = %d, %v", n, err)
	}
	if progress.Len() == 0 {
		t.Error("no progress drawn")
	}
	if _, err := c.Fetch(context.Background(), srv.URL+"/kojifiles/missing", &out, nil); err == nil || !strings.Contains(err.Error(), "404") {
		t.Errorf("missing: %v", err)
	}
	c2 := New(Options{Server: srv.URL + "/kojihub"})
	if _, err := c2.Fetch(context.Background(), "x", &out, nil); err == nil || !strings.Contains(err.Error(), "topurl") {
		t.Errorf("no topurl: %v", err)
	}
}

func adlerOf(b []byte) uint32 { return adler32.Checksum(b) }
