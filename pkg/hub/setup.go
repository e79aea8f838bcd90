package hub

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"

	"github.com/osg-htc/osg-build-go/pkg/hub/pki"
	"github.com/osg-htc/osg-build-go/pkg/hub/store"
	"github.com/osg-htc/osg-build-go/pkg/koji"
)

// PKIDir is the directory, inside the hub directory, of the hub's CA and
// certificates.
const PKIDir = "pki"

// Presets are the names Init accepts, with the dvers of each OSG series.
var Presets = map[string][]string{
	"osg-25": {"el8", "el9", "el10"},
	"osg-24": {"el8", "el9"},
	"empty":  nil,
}

// DefaultPreset is the preset of Init when none is given.
const DefaultPreset = "osg-25"

// InitOptions configure Init.
type InitOptions struct {
	// Preset is a key of Presets ("" means DefaultPreset).
	Preset string
	// LocalUser is the admin user (the login name of the process when empty).
	LocalUser string
	// Hosts are the names and addresses of the server certificate
	// (localhost, 127.0.0.1 and ::1 when empty).
	Hosts []string
	// Arches are the arches of the build tags and the series tags
	// (development, testing...): "x86_64" when empty.
	Arches string
}

// InitResult says what Init made.
type InitResult struct {
	Dir        string
	Preset     string
	Tags       []string
	Targets    []string
	CACert     string // PEM file of the CA (the clients' serverca)
	ServerCert string
	ServerKey  string
	ClientCert string // the admin's certificate and key (the clients' cert)
	AdminUser  string
}

// Init creates a hub in dir: the database, the tags, inheritance and
// targets of the preset, a CA, a server certificate and a client
// certificate for the admin (the local user). A directory that already
// holds a hub is refused.
func Init(ctx context.Context, dir string, o InitOptions) (*InitResult, error) {
	if o.Preset == "" {
		o.Preset = DefaultPreset
	}
	dvers, ok := Presets[o.Preset]
	if !ok {
		return nil, fmt.Errorf("unknown preset %q: use one of osg-25, osg-24, empty", o.Preset)
	}
	if _, err := os.Stat(filepath.Join(dir, store.DBFile)); err == nil {
		return nil, fmt.Errorf("%s already holds a hub (%s): remove it first or use another --dir", dir, store.DBFile)
	}
	var opts []Option
	if o.LocalUser != "" {
		opts = append(opts, WithLocalUser(o.LocalUser))
	}
	h, err := Open(ctx, dir, opts...)
	if err != nil {
		return nil, err
	}
	defer h.Close()
	res := &InitResult{Dir: dir, Preset: o.Preset, AdminUser: h.LocalUser()}
	if err := h.applyPreset(ctx, o.Preset, dvers, o.Arches, res); err != nil {
		return nil, fmt.Errorf("creating the %s tags: %w", o.Preset, err)
	}
	if err := makePKI(filepath.Join(dir, PKIDir), h.LocalUser(), o.Hosts, res); err != nil {
		return nil, fmt.Errorf("creating the hub certificates: %w", err)
	}
	return res, nil
}

// applyPreset makes an OSG series' tags (koji.md, osg-build.md "Koji tags"):
// per dver the package-list tag osg-elN, dist-elN-build, and
// osg-SS-main-elN-{development,testing,prerelease,release} inheriting the
// package list (with the arches, so their repos can be made), osg-SS-main-elN-build inheriting development then
// dist-elN-build with the dist macro .osgSS.elN, and the target
// osg-SS-main-elN (build tag -build, destination -development).
func (h *Hub) applyPreset(ctx context.Context, preset string, dvers []string, arches string, res *InitResult) error {
	if len(dvers) == 0 {
		return nil
	}
	if arches == "" {
		arches = "x86_64"
	}
	series := strings.TrimPrefix(preset, "osg-")
	_, err := h.InTransaction(ctx, func(tctx context.Context, sub func(func(context.Context) error) error) error {
		return sub(func(ctx context.Context) error {
			tag := func(name string, o koji.CreateTagOpts) error {
				if t, err := h.GetTag(ctx, koji.ByName(name), koji.GetTagOpts{}); err != nil || t != nil {
					return err // the package-list and dist tags are shared by series
				}
				res.Tags = append(res.Tags, name)
				_, err := h.CreateTag(ctx, name, o)
				return err
			}
			for _, dv := range dvers {
				pl := "osg-" + dv
				dist := "dist-" + dv + "-build"
				if err := tag(pl, koji.CreateTagOpts{}); err != nil {
					return err
				}
				if err := tag(dist, koji.CreateTagOpts{Arches: arches}); err != nil {
					return err
				}
				base := "osg-" + series + "-main-" + dv
				// with arches, as OSG's: their repos are what is published
				// (osg-promote --regen, regen-repo), not kojira's
				for _, s := range []string{"development", "testing", "prerelease", "release"} {
					if err := tag(base+"-"+s, koji.CreateTagOpts{Arches: arches, Parent: koji.ByName(pl)}); err != nil {
						return err
					}
				}
				if err := tag(base+"-build", koji.CreateTagOpts{Arches: arches, Parent: koji.ByName(base + "-development"),
					Extra: map[string]any{"rpm.macro.dist": ".osg" + series + "." + dv}}); err != nil {
					return err
				}
				d, err := h.GetTag(ctx, koji.ByName(dist), koji.GetTagOpts{Strict: true})
				if err != nil {
					return err
				}
				cur, err := h.GetInheritanceData(ctx, koji.ByName(base+"-build"), koji.EventOpts{})
				if err != nil {
					return err
				}
				if err := h.SetInheritanceData(ctx, koji.ByName(base+"-build"),
					append(cur, koji.InheritanceLink{ParentID: d.ID, Priority: 10}), koji.SetInheritanceOpts{}); err != nil {
					return err
				}
				if err := h.CreateBuildTarget(ctx, base, koji.ByName(base+"-build"), koji.ByName(base+"-development")); err != nil {
					return err
				}
				res.Targets = append(res.Targets, base)
			}
			return nil
		})
	})
	return err
}

func makePKI(dir, admin string, hosts []string, res *InitResult) error {
	if len(hosts) == 0 {
		hosts = []string{"localhost", "127.0.0.1", "::1"}
		if hn, err := os.Hostname(); err == nil && hn != "" && hn != "localhost" {
			hosts = append(hosts, hn)
		}
	}
	ca, err := pki.NewCA("osg-build hub CA", 10)
	if err != nil {
		return err
	}
	if err := ca.Save(dir); err != nil {
		return err
	}
	cert, key, err := ca.Issue(hosts[0], true, hosts, 10)
	if err != nil {
		return err
	}
	res.CACert = filepath.Join(dir, "ca.crt")
	res.ServerCert = filepath.Join(dir, "server.crt")
	res.ServerKey = filepath.Join(dir, "server.key")
	if err := pki.WriteFile(res.ServerCert, cert, 0o644); err != nil {
		return err
	}
	if err := pki.WriteFile(res.ServerKey, key, 0o600); err != nil {
		return err
	}
	res.ClientCert, err = IssueUserCert(dir, ca, admin, "")
	return err
}

// IssueUserCert writes a client certificate (with its key) for user, signed
// by the hub's CA, to out (dir/<user>.pem when empty) and returns the path.
func IssueUserCert(dir string, ca *pki.CA, user, out string) (string, error) {
	if user == "" || strings.ContainsAny(user, "/\x00") {
		return "", fmt.Errorf("invalid user name %q", user)
	}
	if ca == nil {
		var err error
		if ca, err = pki.LoadCA(dir); err != nil {
			return "", err
		}
	}
	cert, key, err := ca.Issue(user, false, nil, 2)
	if err != nil {
		return "", err
	}
	if out == "" {
		out = filepath.Join(dir, user+".pem")
	}
	return out, pki.WriteFile(out, append(cert, key...), 0o600)
}

// ServerTLS loads the TLS configuration of a hub directory made by Init.
func ServerTLS(dir string) (*tls.Config, error) {
	p := filepath.Join(dir, PKIDir)
	ca, err := pki.LoadCA(p)
	if err != nil {
		return nil, err
	}
	cert, err := os.ReadFile(filepath.Join(p, "server.crt"))
	if err != nil {
		return nil, fmt.Errorf("reading the server certificate: %w", err)
	}
	key, err := os.ReadFile(filepath.Join(p, "server.key"))
	if err != nil {
		return nil, fmt.Errorf("reading the server key: %w", err)
	}
	return pki.ServerTLS(ca, cert, key)
}

// ListenURL returns the hub URL for a listen address (an unspecified host
// becomes localhost).
func ListenURL(addr string, useTLS bool) (string, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", fmt.Errorf("invalid listen address %q: %w (want HOST:PORT)", addr, err)
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "localhost"
	}
	scheme := "https"
	if !useTLS {
		scheme = "http"
	}
	return scheme + "://" + net.JoinHostPort(host, port) + "/kojihub", nil
}

// ServeInfoFile is the file, in the hub directory, that says where a
// running `hub serve` listens.
const ServeInfoFile = "serve.json"

// ServeInfo is the content of ServeInfoFile.
type ServeInfo struct {
	URL    string `json:"url"`
	TopURL string `json:"topurl"`
	PID    int    `json:"pid"`
}

// WriteServeInfo records where the hub of dir is served.
func WriteServeInfo(dir string, si ServeInfo) error {
	b, err := json.MarshalIndent(si, "", "  ")
	if err != nil {
		return err
	}
	return pki.WriteFile(filepath.Join(dir, ServeInfoFile), append(b, '\n'), 0o644)
}

// ReadServeInfo reads ServeInfoFile; nil when the hub is not served.
func ReadServeInfo(dir string) (*ServeInfo, error) {
	b, err := os.ReadFile(filepath.Join(dir, ServeInfoFile))
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var si ServeInfo
	if err := json.Unmarshal(b, &si); err != nil {
		return nil, fmt.Errorf("reading %s: %w", filepath.Join(dir, ServeInfoFile), err)
	}
	return &si, nil
}

// RemoveServeInfo removes ServeInfoFile.
func RemoveServeInfo(dir string) error {
	err := os.Remove(filepath.Join(dir, ServeInfoFile))
	if os.IsNotExist(err) {
		return nil
	}
	return err
}
