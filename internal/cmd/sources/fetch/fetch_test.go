package fetch

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/osg-htc/osg-build-go/internal/cmdutil"
	"github.com/osg-htc/osg-build-go/internal/iostreams"
)

func TestNewCmdFetch(t *testing.T) {
	tests := []struct {
		args    []string
		want    FetchOptions
		wantErr string
	}{
		{args: []string{"a.source"}, want: FetchOptions{SourceFiles: []string{"a.source"}, DestDir: ".", Jobs: 4}},
		{args: []string{"-d", "out", "-n", "-s", "-c", "file:///a", "--cache-prefix", "https://b", "--no-cache", "-j", "2", "a.source", "b.source"},
			want: FetchOptions{SourceFiles: []string{"a.source", "b.source"}, DestDir: "out", NoCheck: true, WantSpec: true,
				CachePrefixes: []string{"file:///a", "https://b"}, NoCache: true, Jobs: 2}},
		{args: []string{}, wantErr: "give at least one .source file"},
		{args: []string{"-j", "0", "a.source"}, wantErr: "--jobs must be at least 1"},
	}
	for _, tt := range tests {
		ios, _, _, _ := iostreams.Test()
		var got *FetchOptions
		cmd := NewCmdFetch(&cmdutil.Factory{IOStreams: ios}, func(_ context.Context, o *FetchOptions) error {
			got = o
			return nil
		})
		cmd.SetArgs(tt.args)
		cmd.SetOut(ios.ErrOut)
		cmd.SetErr(ios.ErrOut)
		err := cmd.Execute()
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("%v: got %v, want %q", tt.args, err, tt.wantErr)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%v: %v", tt.args, err)
		}
		got.IO = nil
		if !reflect.DeepEqual(*got, tt.want) {
			t.Errorf("%v:\n got %+v\nwant %+v", tt.args, *got, tt.want)
		}
	}
}

func TestFetchRun(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "up", "p", "1"), 0o755)
	os.WriteFile(filepath.Join(dir, "up", "p", "1", "f"), []byte("x\n"), 0o644)
	src := filepath.Join(dir, "a.source")
	os.WriteFile(src, []byte("p/1/f sha1sum=6fcf9dfbd479ed82697fee719b9f8c610a11ff2a\n"), 0o644)
	t.Setenv("XDG_CACHE_HOME", filepath.Join(dir, "cache"))
	ios, _, out, _ := iostreams.Test()
	opts := &FetchOptions{IO: ios, SourceFiles: []string{src}, DestDir: filepath.Join(dir, "out"),
		CachePrefixes: []string{dir + "/up"}, Jobs: 1}
	if err := fetchRun(context.Background(), opts); err != nil {
		t.Fatal(err)
	}
	if out.String() != filepath.Join(dir, "out", "f")+"\n" {
		t.Errorf("stdout %q", out)
	}
	if _, err := os.Stat(filepath.Join(dir, "cache", "osg-build", "downloads", "sha1")); err != nil {
		t.Errorf("no download cache: %v", err)
	}
	// A mismatch fails in the default strict mode.
	os.WriteFile(src, []byte("p/1/f sha1sum=0000000000000000000000000000000000000000\n"), 0o644)
	if err := fetchRun(context.Background(), opts); err == nil || !strings.Contains(err.Error(), "sha1sum mismatch") {
		t.Errorf("strict: %v", err)
	}
	opts.NoCheck = true
	if err := fetchRun(context.Background(), opts); err != nil {
		t.Errorf("nocheck: %v", err)
	}
}
