package createrepo

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/osg-htc/osg-build-go/internal/cmdutil"
	"github.com/osg-htc/osg-build-go/internal/iostreams"
)

func TestFlags(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		want    CreaterepoOptions
		wantErr string
	}{
		{name: "defaults", args: []string{"repo"}, want: CreaterepoOptions{Dir: "repo", ChangelogLimit: 10}},
		{name: "everything", args: []string{"--update", "--workers", "3", "-o", "out", "-g", "comps.xml", "-i", "list", "--changelog-limit", "0", "--no-database", "repo"},
			want: CreaterepoOptions{Dir: "repo", Update: true, Workers: 3, OutputDir: "out", GroupFile: "comps.xml", PkgList: "list"}},
		{name: "skip-stat", args: []string{"--update", "--skip-stat", "repo"}, want: CreaterepoOptions{Dir: "repo", Update: true, SkipStat: true, ChangelogLimit: 10}},
		{name: "skip-stat without update", args: []string{"--skip-stat", "repo"}, wantErr: "--skip-stat only makes sense with --update"},
		{name: "no dir", args: []string{}, wantErr: "accepts 1 arg"},
		{name: "bad workers", args: []string{"--workers", "-2", "repo"}, wantErr: "--workers must be 1 or more"},
		{name: "bad changelog limit", args: []string{"--changelog-limit", "-1", "repo"}, wantErr: "--changelog-limit"},
		{name: "excludes and checksum", args: []string{"-x", "*debuginfo*", "--excludes", "*.src.rpm", "-s", "SHA256", "repo"},
			want: CreaterepoOptions{Dir: "repo", ChangelogLimit: 10, Excludes: []string{"*debuginfo*", "*.src.rpm"}}},
		{name: "other checksum", args: []string{"--checksum", "sha1", "repo"}, wantErr: "only sha256"},
		{name: "keep all metadata", args: []string{"--update", "--keep-all-metadata", "repo"}, want: CreaterepoOptions{Dir: "repo", Update: true, ChangelogLimit: 10}},
		{name: "discard metadata", args: []string{"--update", "--discard-additional-metadata", "repo"}, want: CreaterepoOptions{Dir: "repo", Update: true, ChangelogLimit: 10, DiscardMetadata: true}},
		{name: "keep and discard", args: []string{"--keep-all-metadata", "--discard-additional-metadata", "repo"}, wantErr: "contradict"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ios, _, _, _ := iostreams.Test()
			f := &cmdutil.Factory{IOStreams: ios}
			var got *CreaterepoOptions
			cmd := NewCmdCreaterepo(f, func(ctx context.Context, o *CreaterepoOptions) error {
				got = o
				return nil
			})
			cmd.SetArgs(tt.args)
			cmd.SetOut(ios.ErrOut)
			cmd.SetErr(ios.ErrOut)
			err := cmd.Execute()
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got.IO, got.Now = nil, nil
			if !reflect.DeepEqual(*got, tt.want) {
				t.Errorf("options = %+v, want %+v", *got, tt.want)
			}
		})
	}
}

func TestRunOnFixtures(t *testing.T) {
	repo := t.TempDir()
	for _, name := range []string{"osgtest-noarch-0.5-1.noarch.rpm", "osgtest-full-libs-1.2.3-4.x86_64.rpm"} {
		data, err := os.ReadFile(filepath.Join("..", "..", "..", "testdata", "rpms", name))
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(repo, name), data, 0o644)
	}
	list := filepath.Join(t.TempDir(), "pkglist")
	os.WriteFile(list, []byte("# comment\nosgtest-noarch-0.5-1.noarch.rpm\n\n"), 0o644)
	ios, _, _, stderr := iostreams.Test()
	err := createrepoRun(context.Background(), &CreaterepoOptions{IO: ios, Dir: repo, PkgList: list, ChangelogLimit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stderr.String(), ": 1 packages in ") {
		t.Errorf("summary = %q", stderr.String())
	}
	err = createrepoRun(context.Background(), &CreaterepoOptions{IO: ios, Dir: repo, PkgList: filepath.Join(repo, "missing")})
	if err == nil || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing package list: err = %v", err)
	}
}
