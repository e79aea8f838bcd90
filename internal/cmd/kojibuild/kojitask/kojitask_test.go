package kojitask

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/osg-htc/osg-build-go/internal/cmdutil"
	"github.com/osg-htc/osg-build-go/internal/iostreams"
)

func TestFlags(t *testing.T) {
	tests := []struct {
		args  []string
		check func(t *testing.T, o *KojiOptions)
	}{
		{[]string{"--scratch", "-t", "x86_64", "--el9", "--el10", "--repo", "25-main", "pkg"}, func(t *testing.T, o *KojiOptions) {
			if !o.Build.Scratch || o.Build.ArchOverride != "x86_64" || o.Build.Targets.Repo != "25-main" {
				t.Errorf("options = %+v", o.Build)
			}
			if !reflect.DeepEqual(o.Build.Targets.Dvers, []string{"el9", "el10"}) {
				t.Errorf("dvers = %q", o.Build.Targets.Dvers)
			}
			if !reflect.DeepEqual(o.Build.Args, []string{"pkg"}) {
				t.Errorf("args = %q", o.Build.Args)
			}
		}},
		{[]string{"--scratch", "--svn", "--ktt", "osg-25-main-el9", "--koji-tag", "TARGET", "a", "b"}, func(t *testing.T, o *KojiOptions) {
			if !o.Build.VCS || o.Build.Targets.KTTs[0] != "osg-25-main-el9" || o.Build.Targets.KojiTags[0] != "TARGET" {
				t.Errorf("options = %+v", o.Build)
			}
		}},
		{[]string{"--git", "-y", "--chain", "--regen-repos", "--getfiles", "--background", "--json", "--poll-interval", "2s", "--timeout", "5m", "x"}, func(t *testing.T, o *KojiOptions) {
			b := o.Build
			if !b.VCS || !o.Yes || !b.Chain || !b.RegenRepos || !b.GetFiles || !b.Background || !b.JSON || o.Poll != 2*time.Second || b.WaitTimeout != 5*time.Minute {
				t.Errorf("options = %+v %+v", o, b)
			}
		}},
		{[]string{"--dry-run", "--nowait", "--koji-target", "osg-25-main-el8", "x"}, func(t *testing.T, o *KojiOptions) {
			if !o.Build.DryRun || !o.Build.NoWait || o.Build.Targets.KojiTargets[0] != "osg-25-main-el8" {
				t.Errorf("options = %+v", o.Build)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			ios, _, _, _ := iostreams.Test()
			f := &cmdutil.Factory{IOStreams: ios, Getenv: func(string) string { return "" }, Now: time.Now}
			var got *KojiOptions
			cmd := NewCmdKoji(f, func(ctx context.Context, o *KojiOptions) error { got = o; return nil })
			cmd.SetArgs(tt.args)
			cmd.SetContext(context.Background())
			if err := cmd.Execute(); err != nil {
				t.Fatal(err)
			}
			tt.check(t, got)
		})
	}
}

func TestRepoList(t *testing.T) {
	ios, _, out, _ := iostreams.Test()
	home := t.TempDir()
	f := &cmdutil.Factory{IOStreams: ios, Getenv: func(k string) string {
		if k == "HOME" {
			return home
		}
		return ""
	}, Now: time.Now}
	cmd := NewCmdKoji(f, nil)
	cmd.SetArgs([]string{"--repo-list"})
	cmd.SetContext(context.Background())
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out.String(), "Valid repos are:\n") || !strings.Contains(out.String(), "\t25-main\n") {
		t.Errorf("output:\n%s", out.String())
	}
}
