// Package web is the embedded hub's web pages: kojiweb's everyday pages
// (index, builds, buildinfo, tasks, taskinfo, getfile, tags, taginfo,
// packages, packageinfo, buildtargets, repoinfo, rpminfo, search) at Koji's
// URLs under /koji/, so a koji config's weburl and the links the CLI prints
// work. Pages are rendered on the server with html/template from the hub's
// API called in-process (no XML-RPC); they are read-only and anonymous.
// Every page is also JSON with ?format=json. Nothing is loaded from outside
// the hub: one stylesheet, and a few lines of script on the live log page.
package web

import (
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/osg-htc/osg-build-go/internal/xmlrpc"
	"github.com/osg-htc/osg-build-go/pkg/koji"
)

//go:embed templates/*.html static/*
var assets embed.FS

// Prefix is where the pages are served (kojiweb's path).
const Prefix = "/koji/"

// Options configure the pages.
type Options struct {
	// TopDir is the hub's topdir on disk, for the build logs and the RPM
	// headers (changelogs, dependencies, files); "" leaves them out.
	TopDir string
	// FilesURL is the URL of the hub's files (topurl), "/kojifiles" when
	// empty.
	FilesURL string
	// HubURL is the XML-RPC URL shown in the footer.
	HubURL string
	// Logger logs the errors of pages (nil: slog.Default()).
	Logger *slog.Logger
	// Now is the clock (nil: time.Now), for "x minutes ago".
	Now func() time.Time
}

// Server serves the pages.
type Server struct {
	h    koji.Hub
	o    Options
	tmpl map[string]*template.Template
	mux  *http.ServeMux
}

// New returns the pages of hub h.
func New(h koji.Hub, o Options) (*Server, error) {
	if o.FilesURL == "" {
		o.FilesURL = "/kojifiles"
	}
	o.FilesURL = strings.TrimSuffix(o.FilesURL, "/")
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	s := &Server{h: h, o: o, tmpl: map[string]*template.Template{}, mux: http.NewServeMux()}
	layout, err := assets.ReadFile("templates/layout.html")
	if err != nil {
		return nil, err
	}
	pages, err := fs.Glob(assets, "templates/*.html")
	if err != nil {
		return nil, err
	}
	for _, p := range pages {
		name := strings.TrimSuffix(strings.TrimPrefix(p, "templates/"), ".html")
		if name == "layout" {
			continue
		}
		body, err := assets.ReadFile(p)
		if err != nil {
			return nil, err
		}
		t := template.New("layout").Funcs(s.funcs())
		if _, err := t.Parse(string(layout)); err != nil {
			return nil, fmt.Errorf("layout: %w", err)
		}
		if _, err := t.Parse(string(body)); err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		s.tmpl[name] = t
	}
	static, err := fs.Sub(assets, "static")
	if err != nil {
		return nil, err
	}
	s.mux.Handle(Prefix+"static/", http.StripPrefix(Prefix+"static/", http.FileServer(http.FS(static))))
	for name, fn := range map[string]pageFunc{
		"index": s.index, "builds": s.builds, "buildinfo": s.buildinfo,
		"tasks": s.tasks, "taskinfo": s.taskinfo, "tasklog": s.tasklog,
		"tags": s.tags, "taginfo": s.taginfo, "packages": s.packages, "packageinfo": s.packageinfo,
		"buildtargets": s.buildtargets, "repoinfo": s.repoinfo, "rpminfo": s.rpminfo, "search": s.search,
	} {
		s.mux.Handle(Prefix+name, s.page(name, fn))
	}
	s.mux.HandleFunc(Prefix+"getfile", s.getfile)
	s.mux.HandleFunc(Prefix, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == Prefix || r.URL.Path == Prefix+"index.html" {
			s.page("index", s.index).ServeHTTP(w, r)
			return
		}
		s.fail(w, r, notFound("no page %s", strings.TrimPrefix(r.URL.Path, Prefix)))
	})
	s.mux.HandleFunc(strings.TrimSuffix(Prefix, "/"), func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, Prefix, http.StatusMovedPermanently)
	})
	return s, nil
}

// SetHubURL sets the XML-RPC URL shown in the footer (before serving).
func (s *Server) SetHubURL(u string) { s.o.HubURL = u }

// ServeHTTP serves the pages (paths under Prefix; GET and HEAD only).
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	h := w.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:")
	h.Set("Referrer-Policy", "same-origin")
	s.mux.ServeHTTP(w, r)
}

// page is what a page handler returns: the template's data, with the
// title.
type page struct {
	Title string
	// Data is the page's own data (also the JSON of ?format=json).
	Data any
}

type pageFunc func(r *http.Request) (*page, error)

// httpError is an error with its status code.
type httpError struct {
	code int
	msg  string
}

func (e *httpError) Error() string { return e.msg }

func notFound(format string, args ...any) error {
	return &httpError{http.StatusNotFound, fmt.Sprintf(format, args...)}
}

func badRequest(format string, args ...any) error {
	return &httpError{http.StatusBadRequest, fmt.Sprintf(format, args...)}
}

// layoutData is what the layout sees.
type layoutData struct {
	Title    string
	Page     string
	Data     any
	Terms    string
	HubURL   string
	Now      time.Time
	Code     int
	Message  string
	FilesURL string
}

func (s *Server) page(name string, fn pageFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, err := fn(r)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		if m, ok := p.Data.(map[string]any); ok && r.URL.Query().Get("format") != "json" {
			if u, ok := m["redirect"].(string); ok && u != "" {
				http.Redirect(w, r, u, http.StatusFound) // one search result: its page
				return
			}
		}
		if r.URL.Query().Get("format") == "json" {
			w.Header().Set("Content-Type", "application/json")
			// Koji's member names (the xmlrpc tags), as the hub's API answers
			g, err := xmlrpc.Generic(p.Data)
			if err != nil {
				s.fail(w, r, err)
				return
			}
			enc := json.NewEncoder(w)
			enc.SetIndent("", "  ")
			if err := enc.Encode(g); err != nil {
				s.o.Logger.Debug("web: writing JSON", "page", name, "err", err)
			}
			return
		}
		s.render(w, http.StatusOK, name, layoutData{Title: p.Title, Page: name, Data: p.Data,
			Terms: r.URL.Query().Get("terms"), HubURL: s.o.HubURL, Now: s.o.Now(), FilesURL: s.o.FilesURL})
	})
}

func (s *Server) render(w http.ResponseWriter, code int, name string, d layoutData) {
	var b strings.Builder
	if err := s.tmpl[name].ExecuteTemplate(&b, "layout", d); err != nil {
		s.o.Logger.Error("web: rendering", "page", name, "err", err)
		http.Error(w, "error rendering the page", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(code)
	_, _ = w.Write([]byte(b.String()))
}

// fail answers an error page: 404 and 400 with their message, anything
// else 500 (logged; Koji faults for missing objects are 404s).
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	code, msg := http.StatusInternalServerError, "the hub could not answer: "+err.Error()
	var he *httpError
	var f *koji.Fault
	switch {
	case errors.As(err, &he):
		code, msg = he.code, he.msg
	case errors.As(err, &f) && f.Code == koji.ParameterError:
		code, msg = http.StatusBadRequest, f.String
	default:
		s.o.Logger.Error("web: page failed", "url", r.URL.String(), "err", err)
	}
	if r.URL.Query().Get("format") == "json" {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		_ = json.NewEncoder(w).Encode(map[string]any{"error": msg, "code": code})
		return
	}
	s.render(w, code, "error", layoutData{Title: http.StatusText(code), Page: "error", Code: code, Message: msg,
		HubURL: s.o.HubURL, Now: s.o.Now(), FilesURL: s.o.FilesURL})
}

// intArg reads a required integer argument.
func intArg(r *http.Request, name string) (int, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return 0, badRequest("missing argument %s", name)
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, badRequest("%s must be a number, not %q", name, v)
	}
	return n, nil
}

// optInt reads an optional integer argument (def when absent).
func optInt(r *http.Request, name string, def int) (int, error) {
	if r.URL.Query().Get(name) == "" {
		return def, nil
	}
	return intArg(r, name)
}

// refArg reads an id-or-name argument (kojiweb's tagID, packageID and
// userID take either).
func refArg(r *http.Request, name string) (koji.Ref, bool) {
	v := strings.TrimSpace(r.URL.Query().Get(name))
	if v == "" {
		return koji.Ref{}, false
	}
	if n, err := strconv.Atoi(v); err == nil {
		return koji.ByID(n), true
	}
	return koji.ByName(v), true
}

// query builds a query string from pairs, leaving out empty values.
func query(pairs ...any) string {
	v := url.Values{}
	for i := 0; i+1 < len(pairs); i += 2 {
		if val := fmt.Sprint(pairs[i+1]); val != "" && val != "0" {
			v.Set(fmt.Sprint(pairs[i]), val)
		}
	}
	if len(v) == 0 {
		return ""
	}
	return "?" + v.Encode()
}
