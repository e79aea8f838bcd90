// Package serve implements `osg-build hub serve`.
package serve

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	hubcmd "github.com/osg-htc/osg-build-go/internal/cmd/hub"
	"github.com/osg-htc/osg-build-go/internal/cmdutil"
	"github.com/osg-htc/osg-build-go/internal/iostreams"
	"github.com/osg-htc/osg-build-go/pkg/hub"
	"github.com/osg-htc/osg-build-go/pkg/hub/engine"
	"github.com/osg-htc/osg-build-go/pkg/hub/web"
)

// ServeOptions are the inputs of `osg-build hub serve`.
type ServeOptions struct {
	IO            *iostreams.IOStreams
	Dir           string
	Listen        string
	Insecure      bool
	PasswordLogin bool
	// Keytab, Principal and KrbRealms enable Kerberos logins (SPNEGO).
	Keytab    string
	Principal string
	KrbRealms []string
	// Ready, when set, receives the URL once the server listens (tests).
	Ready func(url string)
}

// NewCmdServe returns the hub serve command; runF replaces the run function in tests.
func NewCmdServe(f *cmdutil.Factory, runF func(context.Context, *ServeOptions) error) *cobra.Command {
	opts := &ServeOptions{IO: f.IOStreams}
	var dir string
	cmd := &cobra.Command{
		Use:   "serve [--listen HOST:PORT]",
		Short: "Serve the embedded hub to Koji clients",
		Long: `Serve the hub over Koji's XML-RPC protocol: the hub at /kojihub, certificate
logins at /kojihub/ssllogin and the hub's files at /kojifiles (Koji's topurl).

TLS uses the certificates made by osg-build hub init. Clients log in with a
client certificate signed by the hub's CA (the CN is the user name); anonymous
clients may read; every write needs a login and the permission. With
--insecure the hub is served over plain HTTP (anonymous use only, or password
logins with --password-login): for tests on loopback only.

With --keytab the hub also accepts Kerberos logins (authtype = kerberos in
the Koji config), as Koji's hub behind mod_auth_gssapi does: the sslLogin
POST to /kojihub/ssllogin carries "Authorization: Negotiate" (SPNEGO), checked
against the keytab's key for --principal (HTTP/HOST@REALM, where HOST is the
host name in the clients' server URL; default: any principal of the keytab).
The user is the client principal's part before the '@', created on its first
login; only client realms given with --krb-realm may log in (default: the
service principal's realm). A login without a ticket or with a refused one
answers HTTP 401 with "WWW-Authenticate: Negotiate". Certificate logins keep
working beside it.

The server stops gracefully on SIGINT or SIGTERM, finishing the requests in
flight.

` + cmdutil.ExitStatusHelp,
		Example: `  osg-build hub serve
  osg-build hub serve --listen 127.0.0.1:8443 --dir /srv/hub
  osg-build hub serve --listen koji.example.org:443 --keytab /etc/osg-build/http.keytab \
      --principal HTTP/koji.example.org@EXAMPLE.ORG --krb-realm EXAMPLE.ORG`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			d, err := hubcmd.Dir(cmd, f, dir)
			if err != nil {
				return err
			}
			opts.Dir = d
			if _, _, err := net.SplitHostPort(opts.Listen); err != nil {
				return cmdutil.FlagErrorf("invalid --listen %q: want HOST:PORT", opts.Listen)
			}
			if opts.Keytab == "" && (opts.Principal != "" || len(opts.KrbRealms) > 0) {
				return cmdutil.FlagErrorf("--principal and --krb-realm need --keytab")
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return serveRun(cmd.Context(), opts)
		},
	}
	hubcmd.AddDirFlag(cmd, &dir)
	cmd.Flags().StringVar(&opts.Listen, "listen", "127.0.0.1:8443", "`HOST:PORT` to listen on")
	cmd.Flags().BoolVar(&opts.Insecure, "insecure", false, "serve plain HTTP without TLS (loopback tests only)")
	cmd.Flags().BoolVar(&opts.PasswordLogin, "password-login", false, "allow login(user, password) for users with a password")
	cmd.Flags().StringVar(&opts.Keytab, "keytab", "", "accept Kerberos (SPNEGO) logins with the service keys of keytab `FILE`")
	cmd.Flags().StringVar(&opts.Principal, "principal", "", "service `PRINCIPAL` of the keytab to accept tickets for (HTTP/HOST@REALM; default: any in the keytab)")
	cmd.Flags().StringArrayVar(&opts.KrbRealms, "krb-realm", nil, "allow Kerberos logins from client `REALM` (repeatable; default: the service principal's realm)")
	return cmd
}

func serveRun(ctx context.Context, opts *ServeOptions) error {
	handlerOpts := []hub.HandlerOption{hub.WithPasswordLogin(opts.PasswordLogin), hub.WithLogger(slog.Default())}
	if opts.Keytab != "" {
		krb, err := hub.LoadKerberos(opts.Keytab, opts.Principal, opts.KrbRealms)
		if err != nil {
			return err
		}
		handlerOpts = append(handlerOpts, hub.WithKerberos(krb))
		slog.Debug("kerberos logins", "keytab", opts.Keytab, "principal", krb.Principal(), "realms", krb.Realms())
	}
	h, err := hub.Open(ctx, opts.Dir)
	if err != nil {
		return err
	}
	defer h.Close()
	stopEngine, err := engine.StartServed(ctx, h)
	if err != nil {
		return err
	}
	defer stopEngine()
	// the web pages at /koji/ beside /kojihub and /kojifiles
	pages, err := web.New(h, web.Options{TopDir: h.TopDir(), Logger: slog.Default()})
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.Handle(web.Prefix, pages)
	mux.Handle(strings.TrimSuffix(web.Prefix, "/"), pages)
	mux.Handle("/", h.Handler(handlerOpts...))
	srv := &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: 30 * time.Second,
	}
	if !opts.Insecure {
		tc, err := hub.ServerTLS(opts.Dir)
		if err != nil {
			return fmt.Errorf("%w (run 'osg-build hub init --dir %s' first, or use --insecure)", err, opts.Dir)
		}
		srv.TLSConfig = tc
	}
	ln, err := net.Listen("tcp", opts.Listen)
	if err != nil {
		return fmt.Errorf("listening on %s: %w", opts.Listen, err)
	}
	url, err := hub.ListenURL(ln.Addr().String(), !opts.Insecure)
	if err != nil {
		return err
	}
	pages.SetHubURL(url)
	errc := make(chan error, 1)
	go func() {
		if opts.Insecure {
			errc <- srv.Serve(ln)
		} else {
			errc <- srv.ServeTLS(ln, "", "")
		}
	}()
	topurl := strings.TrimSuffix(url, "/kojihub") + "/kojifiles"
	if err := hub.WriteServeInfo(opts.Dir, hub.ServeInfo{URL: url, TopURL: topurl, PID: os.Getpid()}); err != nil {
		srv.Close()
		return fmt.Errorf("recording the hub URL: %w", err)
	}
	defer hub.RemoveServeInfo(opts.Dir)
	fmt.Fprintln(opts.IO.Out, url)
	slog.Info("serving the hub", "dir", opts.Dir, "url", url)
	if opts.Ready != nil {
		opts.Ready(url)
	}
	select {
	case err := <-errc:
		return fmt.Errorf("serving the hub: %w", err)
	case <-ctx.Done():
	}
	slog.Info("stopping the hub")
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("stopping the hub: %w", err)
	}
	return nil
}
