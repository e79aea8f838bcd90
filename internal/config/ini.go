package config

import (
	"bufio"
	"bytes"
	"fmt"
	"strings"
)

// iniFile is a parsed INI file with Python configparser's rules: sections
// in brackets, "key = value" or "key: value", option names lower-cased,
// comment lines starting with # or ;, indented continuation lines, and the
// DEFAULT section whose keys every section inherits.
type iniFile struct {
	path     string
	sections map[string]*iniSection
	order    []string
}

type iniSection struct {
	name string
	keys map[string]iniValue
}

type iniValue struct {
	value string
	line  int
}

const defaultSection = "DEFAULT"

// SyntaxError is a malformed line of a config file.
type SyntaxError struct {
	File string
	Line int
	Msg  string
}

func (e *SyntaxError) Error() string { return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg) }

func parseINI(path string, data []byte) (*iniFile, error) {
	f := &iniFile{path: path, sections: map[string]*iniSection{}}
	var cur *iniSection
	var lastKey string
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	lineNo := 0
	for sc.Scan() {
		lineNo++
		raw := strings.TrimRight(sc.Text(), "\r")
		if lineNo == 1 {
			raw = strings.TrimPrefix(raw, "\ufeff")
		}
		trimmed := strings.TrimSpace(raw)
		if trimmed == "" || trimmed[0] == '#' || trimmed[0] == ';' {
			if trimmed == "" {
				lastKey = ""
			}
			continue
		}
		// continuation of the previous value
		if raw[0] == ' ' || raw[0] == '\t' {
			if cur != nil && lastKey != "" {
				v := cur.keys[lastKey]
				v.value += "\n" + trimmed
				cur.keys[lastKey] = v
				continue
			}
		}
		if trimmed[0] == '[' {
			end := strings.IndexByte(trimmed, ']')
			if end < 0 {
				return nil, &SyntaxError{path, lineNo, fmt.Sprintf("section header %q lacks the closing ]", trimmed)}
			}
			name := strings.TrimSpace(trimmed[1:end])
			if name == "" {
				return nil, &SyntaxError{path, lineNo, "empty section name"}
			}
			if f.sections[name] == nil {
				f.sections[name] = &iniSection{name: name, keys: map[string]iniValue{}}
				f.order = append(f.order, name)
			}
			cur = f.sections[name]
			lastKey = ""
			continue
		}
		i := strings.IndexAny(trimmed, "=:")
		if i <= 0 {
			return nil, &SyntaxError{path, lineNo, fmt.Sprintf("expected \"key = value\", got %q", trimmed)}
		}
		if cur == nil {
			return nil, &SyntaxError{path, lineNo, fmt.Sprintf("%q comes before any [section] header", trimmed)}
		}
		key := strings.ToLower(strings.TrimSpace(trimmed[:i]))
		cur.keys[key] = iniValue{value: strings.TrimSpace(trimmed[i+1:]), line: lineNo}
		lastKey = key
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	return f, nil
}

// lookup returns key of section (falling back to DEFAULT), raw.
func (f *iniFile) lookup(section, key string) (iniValue, bool) {
	if s := f.sections[section]; s != nil {
		if v, ok := s.keys[key]; ok {
			return v, true
		}
	}
	if s := f.sections[defaultSection]; s != nil {
		v, ok := s.keys[key]
		return v, ok
	}
	return iniValue{}, false
}

// keys lists the keys of section and DEFAULT.
func (f *iniFile) keys(section string) []string {
	seen := map[string]bool{}
	var out []string
	for _, name := range []string{section, defaultSection} {
		if s := f.sections[name]; s != nil {
			for k := range s.keys {
				if !seen[k] {
					seen[k] = true
					out = append(out, k)
				}
			}
		}
	}
	return out
}

// get returns the value of key in section with configparser's
// interpolation: %(name)s is replaced by the (interpolated) value of name in
// the same section or DEFAULT, and %% is a literal %.
func (f *iniFile) get(section, key string) (string, bool, error) {
	v, ok := f.lookup(section, key)
	if !ok {
		return "", false, nil
	}
	s, err := f.interpolate(section, key, v, 0)
	return s, true, err
}

const maxInterpolationDepth = 10

func (f *iniFile) interpolate(section, key string, v iniValue, depth int) (string, error) {
	if depth > maxInterpolationDepth {
		return "", &SyntaxError{f.path, v.line, fmt.Sprintf("[%s] %s: interpolation deeper than %d levels (a loop?)", section, key, maxInterpolationDepth)}
	}
	s := v.value
	if !strings.Contains(s, "%") {
		return s, nil
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '%' {
			b.WriteByte(s[i])
			continue
		}
		if i+1 < len(s) && s[i+1] == '%' {
			b.WriteByte('%')
			i++
			continue
		}
		if i+1 < len(s) && s[i+1] == '(' {
			end := strings.Index(s[i:], ")s")
			if end < 0 {
				return "", &SyntaxError{f.path, v.line, fmt.Sprintf("[%s] %s: bad interpolation %q (want %%(name)s)", section, key, s[i:])}
			}
			name := strings.ToLower(s[i+2 : i+end])
			ref, ok := f.lookup(section, name)
			if !ok {
				return "", &SyntaxError{f.path, v.line, fmt.Sprintf("[%s] %s refers to %%(%s)s, which is not set in [%s] or [DEFAULT]", section, key, name, section)}
			}
			r, err := f.interpolate(section, name, ref, depth+1)
			if err != nil {
				return "", err
			}
			b.WriteString(r)
			i += end + 1
			continue
		}
		return "", &SyntaxError{f.path, v.line, fmt.Sprintf("[%s] %s: a lone %% must be written %%%% (in %q)", section, key, s)}
	}
	return b.String(), nil
}
