package listpermissions

import (
	"context"
	"strings"
	"testing"

	"github.com/osg-htc/osg-build-go/internal/cmd/koji/shared/kojicmdtest"
	"github.com/osg-htc/osg-build-go/pkg/koji"
)

func Test_listPermissionsRun(t *testing.T) {
	e := kojicmdtest.New(t)
	ctx := context.Background()
	_, err := e.Hub.CreateUser(ctx, "alice", koji.CreateUserOpts{})
	kojicmdtest.Must(t, err)
	kojicmdtest.Must(t, e.Hub.GrantPermission(ctx, koji.ByName("alice"), "tag", koji.GrantPermissionOpts{}))
	kojicmdtest.Must(t, e.Hub.GrantPermission(ctx, koji.ByName("alice"), "repo", koji.GrantPermissionOpts{}))

	tests := []struct {
		name  string
		opts  ListPermissionsOptions
		quiet bool
		want  string
	}{
		{name: "user", opts: ListPermissionsOptions{User: "alice"},
			want: "Permission name   \n------------------\nrepo              \ntag               \n"},
		{name: "user quiet", opts: ListPermissionsOptions{User: "alice"}, quiet: true,
			want: "repo              \ntag               \n"},
		{name: "mine", opts: ListPermissionsOptions{Mine: true}, quiet: true,
			want: "admin             \n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e.Reset()
			e.IO.SetQuiet(tt.quiet)
			defer e.IO.SetQuiet(false)
			opts := tt.opts
			opts.Common = e.Common()
			if err := listPermissionsRun(ctx, &opts); err != nil {
				t.Fatal(err)
			}
			if got := e.Out.String(); got != tt.want {
				t.Errorf("got\n%q\nwant\n%q", got, tt.want)
			}
		})
	}

	t.Run("all with descriptions", func(t *testing.T) {
		e.Reset()
		opts := ListPermissionsOptions{Common: e.Common()}
		kojicmdtest.Must(t, listPermissionsRun(ctx, &opts))
		lines := strings.Split(e.Out.String(), "\n")
		if !strings.HasPrefix(lines[0], "Permission name      Description") {
			t.Errorf("header %q", lines[0])
		}
		if strings.Trim(lines[1], "-") != "" || len(lines[1]) != len(lines[0]) {
			t.Errorf("rule %q does not match the header", lines[1])
		}
		if !strings.HasPrefix(lines[2], "admin                Full administrator") {
			t.Errorf("first row %q", lines[2])
		}
	})

	t.Run("unknown user", func(t *testing.T) {
		opts := ListPermissionsOptions{Common: e.Common(), User: "nobody"}
		err := listPermissionsRun(ctx, &opts)
		if err == nil || !strings.Contains(err.Error(), "no such user: nobody") {
			t.Fatalf("err = %v", err)
		}
	})

	t.Run("json", func(t *testing.T) {
		e.Reset()
		opts := ListPermissionsOptions{Common: e.Common(), User: "alice"}
		opts.JSON = true
		kojicmdtest.Must(t, listPermissionsRun(ctx, &opts))
		if !strings.Contains(e.Out.String(), `"name": "repo"`) {
			t.Errorf("json: %s", e.Out)
		}
	})
}

func Test_NewCmdListPermissions(t *testing.T) {
	e := kojicmdtest.New(t)
	cmd := NewCmdListPermissions(e.Factory(), func(*ListPermissionsOptions) error { return nil })
	if err := kojicmdtest.Exec(cmd, "--mine", "--user", "x"); err == nil {
		t.Fatal("--mine with --user accepted")
	}
}
