package cmdutil

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/osg-htc/osg-build-go/internal/credcheck/credtest"
	"github.com/osg-htc/osg-build-go/internal/proxy"
)

// TestLoginChecksTheCredentialFirst: a login to a remote hub with an
// unusable credential stops before any request, with the fix and exit 4.
func TestLoginChecksTheCredentialFirst(t *testing.T) {
	ctx := context.Background()
	var requests atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		http.Error(w, "no", http.StatusInternalServerError)
	}))
	defer srv.Close()
	home := t.TempDir()
	ca := credtest.NewCA(t, "Test CA")
	user := credtest.ValidUser(t, ca)
	expired := credtest.WriteFile(t, home, "expired", credtest.Proxy(t, user, proxy.Options{Now: time.Now().Add(-13 * time.Hour)}).PEM(), 0o600)
	open := credtest.WriteFile(t, home, "open", credtest.Proxy(t, user, proxy.Options{}).PEM(), 0o644)
	gone := filepath.Join(home, "client.crt")
	os.Symlink(filepath.Join(home, "x509up_u4242"), gone)
	env := map[string]string{"HOME": home, "KRB5CCNAME": "FILE:" + filepath.Join(home, "krb5cc_none")}
	getenv := func(k string) string { return env[k] }
	for _, tt := range []struct {
		name, auth, want string
	}{
		{"expired proxy", "authtype = ssl\ncert = " + expired, "has expired"},
		{"key readable by others", "authtype = ssl\ncert = " + open, "chmod 600 " + open},
		{"dangling client.crt", "cert = " + gone, "no longer exists"},
		{"no ticket", "authtype = kerberos\nprincipal = jane@AD.WISC.EDU", "kinit jane@AD.WISC.EDU"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cfg := filepath.Join(home, "config")
			os.WriteFile(cfg, []byte(fmt.Sprintf("[koji]\nserver = %s/kojihub\n%s\n", srv.URL, tt.auth)), 0o644)
			f := NewHubFactory(func() HubSettings { return HubSettings{ConfigFile: cfg} }, getenv)
			defer f.Close(ctx)
			h, err := f.Hub(ctx)
			if err != nil {
				t.Fatal(err)
			}
			err = EnsureLogin(ctx, h)
			var ee *ExitError
			if !errors.As(err, &ee) || ee.Code != ExitAuth || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "cannot log in to "+srv.URL) {
				t.Fatalf("err = %v, want exit 4 and %q", err, tt.want)
			}
			if n := requests.Load(); n != 0 {
				t.Errorf("%d requests to the hub", n)
			}
		})
	}
}
