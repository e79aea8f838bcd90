package listtags

import (
	"context"
	"testing"

	"github.com/osg-htc/osg-build-go/internal/cmd/koji/shared/kojicmdtest"
)

func Test_listTagsRun(t *testing.T) {
	e := kojicmdtest.New(t)
	e.Tag(t, "osg-el9", "", "")
	e.Tag(t, "osg-25-main-el9-development", "osg-el9", "")
	e.Tag(t, "dist-el9-build", "", "x86_64")
	e.Build(t, "osg-el9", "foo", "1", "1")
	e.TagBuild(t, "osg-25-main-el9-development", "foo-1-1")

	tests := []struct {
		name string
		opts ListTagsOptions
		want string
	}{
		{name: "all", want: "dist-el9-build\nosg-25-main-el9-development\nosg-el9\n"},
		{name: "pattern", opts: ListTagsOptions{Patterns: []string{"osg-*", "nomatch"}}, want: "osg-25-main-el9-development\nosg-el9\n"},
		{name: "show id", opts: ListTagsOptions{Patterns: []string{"osg-el9"}, ShowID: true}, want: "osg-el9 [1]\n"},
		{name: "build", opts: ListTagsOptions{Build: "foo-1-1"}, want: "osg-25-main-el9-development\n"},
		{name: "verbose", opts: ListTagsOptions{Patterns: []string{"dist-*"}, Verbose: true}, want: "dist-el9-build [3] None False x86_64\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e.Reset()
			opts := tt.opts
			opts.Common = e.Common()
			kojicmdtest.Must(t, listTagsRun(context.Background(), &opts))
			if got := e.Out.String(); got != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
	opts := ListTagsOptions{Common: e.Common(), Build: "nope-1-1"}
	if err := listTagsRun(context.Background(), &opts); err == nil {
		t.Error("unknown build accepted")
	}
}
