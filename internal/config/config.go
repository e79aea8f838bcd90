// Package config reads Koji's client configuration: the INI file of the
// koji CLI (and of osg-koji) with profiles and %(name)s interpolation.
//
// A profile is a section name ([koji] by default); keys of [DEFAULT] apply
// to every profile. The file is the one given with --config, else the first
// that exists of ~/.osg-koji/config, ~/.koji/config and /etc/koji.conf.
// Unlike the koji CLI, every boolean key is parsed as a boolean (the string
// "False" is false), numbers are checked, and `~` is expanded in paths;
// errors name the file, the line and the key.
package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/osg-htc/osg-build-go/pkg/koji/client"
)

// DefaultProfile is the section read when no profile is given.
const DefaultProfile = "koji"

// Koji is one profile of a Koji client config.
type Koji struct {
	// File is the config file read and Profile its section.
	File    string
	Profile string

	Server   string // hub URL (.../kojihub)
	WebURL   string // kojiweb URL (.../koji)
	TopURL   string // files URL (.../kojifiles)
	AuthType string // ssl, kerberos, password, noauth, or "" (Koji's choice)

	Cert      string // client certificate (+key) PEM file
	ServerCA  string // CA bundle for the hub's certificate
	Principal string // Kerberos principal
	Keytab    string // Kerberos keytab

	NoSSLVerify     bool
	AnonRetry       bool
	MaxRetries      int
	RetryInterval   time.Duration
	PollInterval    time.Duration
	Timeout         time.Duration
	UploadBlockSize int

	// Values holds every key of the profile (with [DEFAULT]), interpolated,
	// for keys not modelled above (koji_hub, repo…).
	Values map[string]string
}

// Koji's defaults for the keys of Koji.
const (
	defaultServer = "http://localhost/kojihub"
)

// LoadOptions says where to look.
type LoadOptions struct {
	// ConfigFile is --config: the file must exist.
	ConfigFile string
	// Profile is the section to read (DefaultProfile when empty).
	Profile string
	// Home is the home directory for ~ and the lookup (os.UserHomeDir when
	// empty).
	Home string
	// SystemFile replaces /etc/koji.conf (tests).
	SystemFile string
}

// ErrNoConfig is returned (wrapped) when no config file exists.
var ErrNoConfig = errors.New("no Koji config found")

// Candidates lists the files looked at, in order, when no --config is given.
func Candidates(opts LoadOptions) []string {
	home := opts.Home
	sys := opts.SystemFile
	if sys == "" {
		sys = "/etc/koji.conf"
	}
	var out []string
	if home != "" {
		out = append(out, filepath.Join(home, ".osg-koji", "config"), filepath.Join(home, ".koji", "config"))
	}
	return append(out, sys)
}

// Find returns the config file to read: opts.ConfigFile, or the first
// candidate that exists.
func Find(opts LoadOptions) (string, error) {
	opts = withHome(opts)
	if opts.ConfigFile != "" {
		p := expandHome(opts.ConfigFile, opts.Home)
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("koji config %s: %w", p, err)
		}
		return p, nil
	}
	cands := Candidates(opts)
	for _, p := range cands {
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			return p, nil
		}
	}
	return "", fmt.Errorf("%w (looked for %s): run osg-build setup", ErrNoConfig, strings.Join(cands, ", "))
}

func withHome(opts LoadOptions) LoadOptions {
	if opts.Home == "" {
		if h, err := os.UserHomeDir(); err == nil {
			opts.Home = h
		}
	}
	if opts.Profile == "" {
		opts.Profile = DefaultProfile
	}
	return opts
}

// Load finds the config file and reads the profile.
func Load(opts LoadOptions) (*Koji, error) {
	opts = withHome(opts)
	path, err := Find(opts)
	if err != nil {
		return nil, err
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading koji config: %w", err)
	}
	return Parse(path, data, opts.Profile, opts.Home)
}

// Parse reads profile from the contents of the config file path. home is
// used to expand ~ (and for the default cert and serverca).
func Parse(path string, data []byte, profile, home string) (*Koji, error) {
	if profile == "" {
		profile = DefaultProfile
	}
	f, err := parseINI(path, data)
	if err != nil {
		return nil, err
	}
	if f.sections[profile] == nil {
		return nil, fmt.Errorf("%s: no configuration for profile name: %s (the file has %s)", path, profile, sectionList(f))
	}
	k := &Koji{
		File: path, Profile: profile,
		Server:          defaultServer,
		MaxRetries:      client.DefaultMaxRetries,
		RetryInterval:   client.DefaultRetryInterval,
		PollInterval:    6 * time.Second,
		Timeout:         client.DefaultTimeout,
		UploadBlockSize: client.DefaultBlockSize,
		Values:          map[string]string{},
	}
	for _, key := range f.keys(profile) {
		v, _, err := f.get(profile, key)
		if err != nil {
			return nil, err
		}
		k.Values[key] = v
	}
	p := parser{f: f, k: k, home: home}
	p.str("server", &k.Server)
	p.str("weburl", &k.WebURL)
	p.str("topurl", &k.TopURL)
	p.str("authtype", &k.AuthType)
	p.path("cert", &k.Cert)
	p.path("serverca", &k.ServerCA)
	p.str("principal", &k.Principal)
	p.path("keytab", &k.Keytab)
	p.boolean("no_ssl_verify", &k.NoSSLVerify)
	p.boolean("anon_retry", &k.AnonRetry)
	p.integer("max_retries", &k.MaxRetries, 0)
	p.integer("upload_blocksize", &k.UploadBlockSize, 1)
	p.seconds("retry_interval", &k.RetryInterval)
	p.seconds("poll_interval", &k.PollInterval)
	p.seconds("timeout", &k.Timeout)
	if p.err != nil {
		return nil, p.err
	}
	k.AuthType = strings.ToLower(k.AuthType)
	switch k.AuthType {
	case "", client.AuthTypeSSL, client.AuthTypeKerberos, client.AuthTypeGSSAPI, client.AuthTypePassword, client.AuthTypeNoAuth:
	default:
		return nil, p.errorf("authtype", "unknown authtype %q: use ssl, kerberos, password or noauth", k.AuthType)
	}
	if k.Cert == "" {
		k.Cert = firstExisting(filepath.Join(filepath.Dir(path), "client.crt"), filepath.Join(home, ".koji", "client.crt"))
	}
	if k.ServerCA == "" {
		k.ServerCA = firstExisting(filepath.Join(filepath.Dir(path), "serverca.crt"), filepath.Join(home, ".koji", "serverca.crt"))
	}
	return k, nil
}

// Require checks that keys are set (non-empty) in the profile, e.g.
// Require("server", "weburl", "topurl") as osg-koji does.
func (k *Koji) Require(keys ...string) error {
	var missing []string
	for _, key := range keys {
		if strings.TrimSpace(k.Values[key]) == "" {
			missing = append(missing, key)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("%s: [%s] lacks %s: run osg-build setup or add them", k.File, k.Profile, strings.Join(missing, ", "))
	}
	return nil
}

// ClientOptions converts the profile to options of the Koji client.
func (k *Koji) ClientOptions() client.Options {
	o := client.Options{
		Server:          k.Server,
		TopURL:          k.TopURL,
		Cert:            k.Cert,
		ServerCA:        k.ServerCA,
		NoSSLVerify:     k.NoSSLVerify,
		Principal:       k.Principal,
		Keytab:          k.Keytab,
		MaxRetries:      k.MaxRetries,
		RetryInterval:   k.RetryInterval,
		AnonRetry:       k.AnonRetry,
		Timeout:         k.Timeout,
		UploadBlockSize: k.UploadBlockSize,
	}
	// An explicit max_retries = 0 means no retries, retry_interval = 0 no
	// wait (the client reads 0 as "default"); a Koji made by hand without
	// those keys gets the client's defaults.
	if _, set := k.Values["max_retries"]; set && o.MaxRetries == 0 {
		o.MaxRetries = -1
	}
	if _, set := k.Values["retry_interval"]; set && o.RetryInterval == 0 {
		o.RetryInterval = time.Nanosecond
	}
	return o
}

func firstExisting(paths ...string) string {
	for _, p := range paths {
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			return p
		}
	}
	return ""
}

func sectionList(f *iniFile) string {
	var names []string
	for _, n := range f.order {
		if n != defaultSection {
			names = append(names, "["+n+"]")
		}
	}
	if len(names) == 0 {
		return "no sections"
	}
	return strings.Join(names, ", ")
}

// expandHome replaces a leading ~ or ~/ with home.
func expandHome(p, home string) string {
	if home == "" {
		return p
	}
	if p == "~" {
		return home
	}
	if strings.HasPrefix(p, "~/") {
		return filepath.Join(home, p[2:])
	}
	return p
}

// parser reads typed keys of the profile, keeping the first error.
type parser struct {
	f    *iniFile
	k    *Koji
	home string
	err  error
}

func (p *parser) errorf(key, format string, args ...any) error {
	line := 0
	if v, ok := p.f.lookup(p.k.Profile, key); ok {
		line = v.line
	}
	loc := p.f.path
	if line > 0 {
		loc = fmt.Sprintf("%s:%d", p.f.path, line)
	}
	return fmt.Errorf("%s: [%s] %s: %s", loc, p.k.Profile, key, fmt.Sprintf(format, args...))
}

func (p *parser) value(key string) (string, bool) {
	v, ok := p.k.Values[key]
	return strings.TrimSpace(v), ok
}

func (p *parser) str(key string, dst *string) {
	if v, ok := p.value(key); ok && v != "" {
		*dst = v
	}
}

func (p *parser) path(key string, dst *string) {
	if v, ok := p.value(key); ok && v != "" {
		*dst = expandHome(v, p.home)
	}
}

func (p *parser) boolean(key string, dst *bool) {
	v, ok := p.value(key)
	if !ok || p.err != nil {
		return
	}
	b, err := ParseBool(v)
	if err != nil {
		p.err = p.errorf(key, "%v", err)
		return
	}
	*dst = b
}

func (p *parser) integer(key string, dst *int, min int) {
	v, ok := p.value(key)
	if !ok || p.err != nil {
		return
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < min {
		p.err = p.errorf(key, "%q is not a whole number >= %d", v, min)
		return
	}
	*dst = n
}

func (p *parser) seconds(key string, dst *time.Duration) {
	v, ok := p.value(key)
	if !ok || p.err != nil {
		return
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f < 0 || f > 1e9 {
		p.err = p.errorf(key, "%q is not a number of seconds", v)
		return
	}
	*dst = time.Duration(f * float64(time.Second))
}

// ParseBool parses a boolean as Python's configparser does (1/yes/true/on,
// 0/no/false/off, any case).
func ParseBool(s string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "1", "yes", "true", "on":
		return true, nil
	case "0", "no", "false", "off":
		return false, nil
	}
	return false, fmt.Errorf("%q is not a boolean (use true or false)", s)
}
