package web

import (
	"encoding/json"
	"fmt"
	"html/template"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/osg-htc/osg-build-go/pkg/koji"
)

func (s *Server) funcs() template.FuncMap {
	return template.FuncMap{
		"ts":         func(v any) string { return formatTime(v) },
		"ago":        func(v any) string { return s.ago(v) },
		"files":      func() string { return s.o.FilesURL },
		"q":          query,
		"deref":      deref,
		"size":       humanSize,
		"join":       strings.Join,
		"lower":      strings.ToLower,
		"value":      formatValue,
		"depth":      func(n int) int { return min(n, 10) },
		"buildstate": func(st koji.BuildState) string { return strings.ToLower(st.String()) },
		"taskstate":  func(st koji.TaskState) string { return strings.ToLower(st.String()) },
		"repostate":  func(st koji.RepoState) string { return strings.ToLower(st.String()) },
		"arches": func(p *string) string {
			if p == nil || strings.TrimSpace(*p) == "" {
				return "(none)"
			}
			return *p
		},
		"finished": func(st koji.TaskState) bool {
			return st == koji.TaskClosed || st == koji.TaskFailed || st == koji.TaskCanceled
		},
	}
}

// formatTime shows a timestamp (seconds as float64, or Koji's time text)
// in UTC to the second.
func formatTime(v any) string {
	v = deref(v)
	switch x := v.(type) {
	case nil:
		return ""
	case float64:
		if x == 0 {
			return ""
		}
		sec := int64(x)
		return time.Unix(sec, int64((x-float64(sec))*1e9)).UTC().Format("2006-01-02 15:04:05")
	case string:
		for _, layout := range []string{"2006-01-02 15:04:05.999999-07:00", "2006-01-02 15:04:05-07:00", "2006-01-02 15:04:05.999999", "2006-01-02 15:04:05"} {
			if t, err := time.Parse(layout, x); err == nil {
				return t.UTC().Format("2006-01-02 15:04:05")
			}
		}
		return x
	}
	return fmt.Sprint(v)
}

func (s *Server) ago(v any) string {
	f, ok := deref(v).(float64)
	if !ok || f == 0 {
		return ""
	}
	d := s.o.Now().Sub(time.Unix(int64(f), 0))
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return fmt.Sprintf("%d min ago", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%d h ago", int(d.Hours()))
	}
	return fmt.Sprintf("%d days ago", int(d.Hours()/24))
}

// deref follows pointers (nil for a nil one).
func deref(v any) any {
	rv := reflect.ValueOf(v)
	for rv.IsValid() && rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			return nil
		}
		rv = rv.Elem()
	}
	if !rv.IsValid() {
		return nil
	}
	return rv.Interface()
}

func humanSize(v any) string {
	var n float64
	switch x := deref(v).(type) {
	case int64:
		n = float64(x)
	case int:
		n = float64(x)
	case float64:
		n = x
	case string: // Koji's st_size is a string
		f, err := strconv.ParseFloat(x, 64)
		if err != nil {
			return x
		}
		n = f
	case nil:
		return ""
	default:
		return fmt.Sprint(x)
	}
	for _, u := range []string{"B", "KiB", "MiB", "GiB"} {
		if n < 1024 || u == "GiB" {
			if u == "B" {
				return fmt.Sprintf("%.0f B", n)
			}
			return fmt.Sprintf("%.1f %s", n, u)
		}
		n /= 1024
	}
	return ""
}

// formatValue shows a task parameter or result readably: scalars as they
// are, lists and structs as compact JSON with sorted keys.
func formatValue(v any) string {
	switch x := v.(type) {
	case nil:
		return "None"
	case string:
		return x
	case bool:
		if x {
			return "True"
		}
		return "False"
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var parts []string
		for _, k := range keys {
			if k == "__starstar" {
				continue
			}
			parts = append(parts, k+": "+formatValue(x[k]))
		}
		return "{" + strings.Join(parts, ", ") + "}"
	case []any:
		var parts []string
		for _, e := range x {
			parts = append(parts, formatValue(e))
		}
		return "[" + strings.Join(parts, ", ") + "]"
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}
