package cmdutil

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/user"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/osg-htc/osg-build-go/internal/config"
	"github.com/osg-htc/osg-build-go/internal/credcheck"
	"github.com/osg-htc/osg-build-go/pkg/hub"
	"github.com/osg-htc/osg-build-go/pkg/hub/engine"
	"github.com/osg-htc/osg-build-go/pkg/hub/store"
	"github.com/osg-htc/osg-build-go/pkg/koji"
	"github.com/osg-htc/osg-build-go/pkg/koji/client"
)

// Environment variables read by the hub factory.
const (
	// EnvHub selects the hub when --hub (FlagHub) is not given.
	EnvHub = "OSG_BUILD_HUB"
	// FlagHub is the global flag that selects the hub.
	FlagHub = "hub"
	// EnvHubUser and EnvHubPassword are the credentials of a password
	// login (authtype = password), which Koji never reads from its config.
	EnvHubUser     = "OSG_BUILD_HUB_USER"
	EnvHubPassword = "OSG_BUILD_HUB_PASSWORD"
)

// HubSettings are the global flags that choose the hub.
type HubSettings struct {
	// Hub is --hub: "local", "local:DIR", "sqlite:///DIR", an http(s) URL,
	// or "" for the Koji config.
	Hub string
	// ConfigFile is --config and Profile is --profile (Koji's INI config).
	ConfigFile string
	Profile    string
	// Koji are the koji CLI's global options given to osg-koji (they
	// override the config's keys).
	Koji KojiOverrides
}

// KojiOverrides are the koji CLI's global options that override the
// config: -s/--server, --weburl, --topurl, --authtype, --cert,
// --principal, --keytab, --user, --password and --noauth.
type KojiOverrides struct {
	Server, WebURL, TopURL, AuthType, Cert, Principal, Keytab string
	User, Password                                            string
	NoAuth                                                    bool
}

// apply sets the overridden keys of cfg.
func (o KojiOverrides) apply(cfg *config.Koji) {
	set := func(dst *string, v string) {
		if v != "" {
			*dst = v
		}
	}
	set(&cfg.Server, o.Server)
	set(&cfg.WebURL, o.WebURL)
	set(&cfg.TopURL, o.TopURL)
	set(&cfg.AuthType, o.AuthType)
	set(&cfg.Cert, o.Cert)
	set(&cfg.Principal, o.Principal)
	set(&cfg.Keytab, o.Keytab)
	if o.NoAuth {
		cfg.AuthType = client.AuthTypeNoAuth
	}
}

// HubFactory opens the hub a command asks for, once, and closes it at exit.
// Its Hub method is the Factory's Hub lazy function.
type HubFactory struct {
	settings func() HubSettings
	getenv   func(string) string
	opts     []hub.Option

	mu     sync.Mutex
	opened koji.Hub
	err    error
}

// NewHubFactory returns a factory that reads the settings when the first
// command asks for the hub (after flags are parsed). getenv reads
// OSG_BUILD_HUB, XDG_DATA_HOME and HOME; opts are passed to hub.Open.
func NewHubFactory(settings func() HubSettings, getenv func(string) string, opts ...hub.Option) *HubFactory {
	if getenv == nil {
		getenv = os.Getenv
	}
	return &HubFactory{settings: settings, getenv: getenv, opts: opts}
}

// Hub opens the hub (once) and returns it.
func (f *HubFactory) Hub(ctx context.Context) (koji.Hub, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.opened == nil && f.err == nil {
		h, err := f.open(ctx)
		if err != nil {
			f.err = err
		} else {
			f.opened = h
		}
	}
	return f.opened, f.err
}

// Close logs out of a remote hub and closes an embedded one. It does nothing
// when no hub was opened.
func (f *HubFactory) Close(ctx context.Context) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	h := f.opened
	f.opened = nil
	switch h := h.(type) {
	case *LocalHub:
		return h.Close()
	case *RemoteHub:
		if h.LoggedIn() {
			return h.Logout(context.WithoutCancel(ctx))
		}
	}
	return nil
}

func (f *HubFactory) open(ctx context.Context) (koji.Hub, error) {
	s := HubSettings{}
	if f.settings != nil {
		s = f.settings()
	}
	spec := strings.TrimSpace(s.Hub)
	if spec == "" {
		spec = strings.TrimSpace(f.getenv(EnvHub))
	}
	if dir, ok, err := LocalHubDir(spec, f.getenv); ok {
		if err != nil {
			return nil, err
		}
		return openLocal(ctx, dir, f.opts...)
	}
	switch {
	case strings.HasPrefix(spec, "https://") || strings.HasPrefix(spec, "http://"):
		return f.openRemote(s, spec)
	case spec == "":
		return f.openRemote(s, "")
	}
	return nil, fmt.Errorf("invalid hub %q: use local, local:DIR, sqlite:///DIR or an https:// hub URL (or leave --hub out to use the Koji config)", spec)
}

// LocalHubDir returns the directory of the embedded hub that spec, a --hub
// value, names: local (the default directory), local:DIR or sqlite://DIR.
// ok is false for any other spec (a hub URL, or none).
func LocalHubDir(spec string, getenv func(string) string) (dir string, ok bool, err error) {
	switch spec = strings.TrimSpace(spec); {
	case spec == "local" || spec == "embedded":
		dir, err = store.DefaultDir(getenv)
		return dir, true, err
	case strings.HasPrefix(spec, "local:"):
		return strings.TrimPrefix(spec, "local:"), true, nil
	case strings.HasPrefix(spec, "sqlite://"):
		return strings.TrimPrefix(spec, "sqlite://"), true, nil
	}
	return "", false, nil
}

// openRemote makes a client from the Koji config. With a URL the config is
// optional (its authentication settings are used when one is found) and the
// URL replaces its server.
func (f *HubFactory) openRemote(s HubSettings, url string) (koji.Hub, error) {
	if url == "" {
		url = s.Koji.Server
	}
	home := f.getenv("HOME")
	cfg, err := config.Load(config.LoadOptions{ConfigFile: s.ConfigFile, Profile: s.Profile, Home: home})
	if err != nil {
		if url == "" || s.ConfigFile != "" || !errors.Is(err, config.ErrNoConfig) {
			return nil, err
		}
		// no config: a few quick retries, so a mistyped URL fails fast
		cfg = &config.Koji{Server: url, Values: map[string]string{}, MaxRetries: 3, RetryInterval: 2 * time.Second,
			Timeout: client.DefaultTimeout, UploadBlockSize: client.DefaultBlockSize}
	}
	s.Koji.apply(cfg)
	opts := cfg.ClientOptions()
	if url != "" {
		opts.Server = url
	}
	opts.Getenv = f.getenv
	user, password := f.getenv(EnvHubUser), f.getenv(EnvHubPassword)
	if s.Koji.User != "" {
		user, password = s.Koji.User, s.Koji.Password
	}
	topdir := cfg.Values["topdir"]
	if topdir == "" {
		topdir = "/mnt/koji"
	}
	return &RemoteHub{
		Client:   client.New(opts),
		check:    credentialCheck(cfg, f.getenv),
		authType: cfg.AuthType,
		user:     user,
		password: password,
		topDir:   topdir,
		poll:     cfg.PollInterval,
	}, nil
}

// openLocal opens the hub in dir: through its server when `osg-build hub
// serve` is running for it (so the database is not opened behind the
// server's back), else in-process.
func openLocal(ctx context.Context, dir string, opts ...hub.Option) (koji.Hub, error) {
	if abs, err := filepath.Abs(dir); err == nil {
		if rh := servedHub(abs); rh != nil {
			return rh, nil
		}
	}
	h, err := OpenLocalHub(ctx, dir, opts...)
	if err != nil {
		return nil, err
	}
	return h, nil
}

// servedHub returns a client for the server of the hub in dir, or nil when
// none is running. The client logs in with the local user's certificate
// from DIR/pki (made by hub init or hub issue-cert).
func servedHub(dir string) *RemoteHub {
	si, err := hub.ReadServeInfo(dir)
	if err != nil || si == nil || si.URL == "" || !ProcessAlive(si.PID) {
		return nil
	}
	opts := client.Options{Server: si.URL, TopURL: si.TopURL, MaxRetries: 3, RetryInterval: time.Second}
	pkiDir := filepath.Join(dir, hub.PKIDir)
	if _, err := os.Stat(filepath.Join(pkiDir, "ca.crt")); err == nil {
		opts.ServerCA = filepath.Join(pkiDir, "ca.crt")
	}
	authType := client.AuthTypeSSL
	if name := localUser(); name != "" {
		if _, err := os.Stat(filepath.Join(pkiDir, name+".pem")); err == nil {
			opts.Cert = filepath.Join(pkiDir, name+".pem")
		}
	}
	if opts.Cert == "" {
		authType = client.AuthTypeNoAuth
	}
	return &RemoteHub{Client: client.New(opts), authType: authType, topDir: filepath.Join(dir, store.TopDir), poll: 200 * time.Millisecond}
}

// ProcessAlive reports whether the process pid exists (a served hub's
// serve.json may name a dead one).
func ProcessAlive(pid int) bool {
	if pid <= 0 {
		return false
	}
	p, err := os.FindProcess(pid)
	if err != nil {
		return false
	}
	return p.Signal(syscall.Signal(0)) == nil
}

func localUser() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	return os.Getenv("USER")
}

// LocalHub is the embedded hub opened by the factory: the local user acts as
// the hub's admin.
type LocalHub struct {
	*hub.Hub
}

// OpenLocalHub opens the embedded hub in dir, which must have been created
// with `osg-build hub init`.
func OpenLocalHub(ctx context.Context, dir string, opts ...hub.Option) (*LocalHub, error) {
	if dir == "" {
		return nil, fmt.Errorf("empty hub directory: use --hub local:DIR")
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(filepath.Join(abs, store.DBFile)); err != nil {
		return nil, fmt.Errorf("no hub at %s: make one with `osg-build hub init --dir %s` (or choose another with --hub local:DIR)", abs, abs)
	}
	// in-process, the tasks a command creates run in this process
	opts = append([]hub.Option{hub.WithTaskRunner(engine.RunUntilIdle)}, opts...)
	h, err := hub.Open(ctx, abs, opts...)
	if err != nil {
		return nil, fmt.Errorf("opening the hub at %s: %w", abs, err)
	}
	return &LocalHub{Hub: h}, nil
}

// Location is "local:DIR".
func (h *LocalHub) Location() string { return "local:" + h.Dir() }

// PollInterval is how often to poll while waiting for tasks.
func (h *LocalHub) PollInterval() time.Duration { return 200 * time.Millisecond }

// EnsureLogin does nothing: the in-process caller is the local admin.
func (h *LocalHub) EnsureLogin(ctx context.Context) error { return nil }

// RemoteHub is a Koji client with the login settings of the Koji config.
type RemoteHub struct {
	*client.Client
	// check runs the local credential checks before a login (nil for a
	// served embedded hub, whose certificate osg-build made itself).
	check    func(authType string) error
	authType string
	user     string
	password string
	topDir   string
	poll     time.Duration

	mu sync.Mutex
}

// PollInterval is how often to poll the hub while waiting for tasks (the
// config's poll_interval, 6 s by default).
func (h *RemoteHub) PollInterval() time.Duration {
	if h.poll <= 0 {
		return 6 * time.Second
	}
	return h.poll
}

// CertFile is the client certificate used for SSL logins.
func (h *RemoteHub) CertFile() string { return h.Options().Cert }

// Location is the hub URL.
func (h *RemoteHub) Location() string { return h.Server() }

// TopDir is the config's topdir (Koji's default /mnt/koji), for paths.
func (h *RemoteHub) TopDir() string { return h.topDir }

// EnsureLogin logs in with the config's authtype unless a session exists.
func (h *RemoteHub) EnsureLogin(ctx context.Context) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.LoggedIn() {
		return nil
	}
	at := h.authType
	if at == "" && h.user != "" && h.Options().Cert == "" {
		at = client.AuthTypePassword
	}
	if h.check != nil && ctx.Value(credentialCheckedKey{}) == nil {
		if err := h.check(at); err != nil {
			return &ExitError{Code: ExitAuth, Err: fmt.Errorf("cannot log in to %s: %w", h.Server(), err)}
		}
	}
	if err := h.Login(ctx, at, h.user, h.password); err != nil {
		return &ExitError{Code: ExitAuth, Err: fmt.Errorf("logging in to %s: %w", h.Server(), err)}
	}
	return nil
}

// credentialCheck returns the check EnsureLogin runs before logging in to a
// remote hub: the certificate or Kerberos ticket the config's authtype will
// use, read and checked locally (internal/credcheck), so that an expired
// proxy or a missing ticket stops the command with its fix instead of a
// TLS or GSSAPI error. Warnings (under an hour left) are logged; a CA not
// found locally is only a debug message (the hub may trust it).
func credentialCheck(cfg *config.Koji, getenv func(string) string) func(authType string) error {
	return func(authType string) error {
		start := time.Now()
		r := credcheck.Check(credcheck.Options{
			Settings: credcheck.Settings{AuthType: authType, Cert: cfg.Cert, ServerCA: cfg.ServerCA, Principal: cfg.Principal, Keytab: cfg.Keytab},
			Getenv:   getenv,
		})
		fs := r.Findings()
		for _, x := range fs.List {
			switch {
			case x.Level == credcheck.LevelWarning && x.Check != "ca":
				slog.Warn(x.String())
			default:
				slog.Debug("credential check: "+x.String(), "check", x.Check, "level", x.Level)
			}
		}
		slog.Debug("credential check done", "method", r.Method, "took", time.Since(start))
		return fs.Err()
	}
}

type credentialCheckedKey struct{}

// CredentialChecked returns ctx marked as having run the local credential
// check already (osg-build auth runs and prints it itself), so that
// EnsureLogin does not run it, and log its warnings, a second time.
func CredentialChecked(ctx context.Context) context.Context {
	return context.WithValue(ctx, credentialCheckedKey{}, true)
}

// Loginer is a hub that may need a login before writes.
type Loginer interface {
	EnsureLogin(ctx context.Context) error
}

// EnsureLogin logs in to h if it needs it (a remote hub); reads stay
// anonymous, writes call this first.
func EnsureLogin(ctx context.Context, h koji.Hub) error {
	if l, ok := h.(Loginer); ok {
		return l.EnsureLogin(ctx)
	}
	return nil
}

// HubLocation describes where h is ("local:DIR" or the hub URL).
func HubLocation(h koji.Hub) string {
	if l, ok := h.(interface{ Location() string }); ok {
		return l.Location()
	}
	return "(unknown hub)"
}

// HubTopURL returns the URL of a remote hub's files (the Koji config's
// topurl, or a served local hub's), "" when unknown or for the embedded hub
// (whose files are read from HubTopDir).
func HubTopURL(h koji.Hub) string {
	if r, ok := h.(interface{ Options() client.Options }); ok {
		return r.Options().TopURL
	}
	return ""
}

// HubTopDir is the directory of the hub's files (for paths shown to users).
func HubTopDir(h koji.Hub) string {
	if l, ok := h.(interface{ TopDir() string }); ok {
		return l.TopDir()
	}
	return "/mnt/koji"
}
