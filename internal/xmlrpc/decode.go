package xmlrpc

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// MaxDepth is how deeply arrays and structs may nest in a decoded value.
// Deeper documents are refused with an error (they are either broken or an
// attack; Koji never nests more than a handful of levels).
const MaxDepth = 256

// SyntaxError is returned for a body that is not a well-formed XML-RPC
// document: malformed XML, a truncated body, an unknown value type, too deep
// nesting, entities other than XML's five and numeric character references.
type SyntaxError struct {
	Offset int    // byte offset in the body where the problem was found
	Line   int    // 1-based line of Offset
	Msg    string // what was wrong
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("invalid XML-RPC body at line %d (byte %d): %s", e.Line, e.Offset, e.Msg)
}

// errTruncated is the message for a body that ends too early.
const errTruncated = "unexpected end of body (truncated response?)"

// DecodeResponse reads a methodResponse from r. A <fault> comes back as a
// *Fault error with a nil value; a malformed body is a *SyntaxError.
//
// The body is scanned as it arrives (a window of the stream is kept, not
// the whole body), so decoding overlaps the transfer of a large response.
func DecodeResponse(r io.Reader) (any, error) {
	return newStreamDecoder(r).response()
}

// ErrTooLarge is returned by DecodeResponseLimit for a body past its limit.
var ErrTooLarge = errors.New("XML-RPC body too large")

// DecodeResponseLimit is DecodeResponse refusing bodies of more than max
// bytes (an error wrapping ErrTooLarge), for callers that must not let a
// misbehaving server fill their memory.
func DecodeResponseLimit(r io.Reader, max int64) (any, error) {
	d := newStreamDecoder(io.LimitReader(r, max+1))
	v, err := d.response()
	if d.consumed() > max {
		return nil, fmt.Errorf("%w: more than %d bytes", ErrTooLarge, max)
	}
	return v, err
}

// DecodeResponseBytes is DecodeResponse over a body already in memory.
func DecodeResponseBytes(b []byte) (any, error) {
	d := newDecoder(b)
	return d.response()
}

// DecodeCall reads a methodCall from r: the method name and its params
// (kwargs, if any, are still the trailing struct with "__starstar"; see
// SplitKwargs). An empty <param/> or <param></param>, which kolo/xmlrpc
// sends for a Go nil, is taken as nil.
func DecodeCall(r io.Reader) (method string, params []any, err error) {
	return newStreamDecoder(r).call()
}

// DecodeCallBytes is DecodeCall over a body already in memory.
func DecodeCallBytes(b []byte) (method string, params []any, err error) {
	d := newDecoder(b)
	return d.call()
}

type kv struct {
	k string
	v any
}

// decoder scans d.b from d.p. Over a stream, d.b is a window of the body
// (d.base bytes and d.lines newlines were consumed before it) that fill
// extends; over a body in memory, eof is set from the start.
//
// Streaming works by retry: the primitive scanners (the *Once methods)
// never read; when they run off the end of the window before the body's
// end they return errMore without side effects that matter, and their
// wrapper rewinds d.p, fills the window and runs them again. Slices they
// return point into the window and are only valid until the next primitive.
type decoder struct {
	b     []byte
	p     int
	depth int
	names map[string]string // interned member names
	svals map[string]any    // boxed short string values, shared (see stringValue)
	vals  []any             // scratch stack for array items
	kvs   []kv              // scratch stack for struct members
	buf   []byte            // scratch for unescaping

	r     io.Reader // nil for a body in memory
	win   int       // least free room a fill makes (streamWindow; tiny in tests)
	eof   bool      // d.b ends where the body ends
	base  int       // stream offset of d.b[0]
	lines int       // newlines before d.b[0]
}

// errMore says a primitive needs more of the body than the window holds.
var errMore = errors.New("xmlrpc: need more input")

// streamWindow is the initial window (and the least a fill reads).
const streamWindow = 64 << 10

func newDecoder(b []byte) *decoder {
	return &decoder{b: b, eof: true, names: make(map[string]string, 64)}
}

func newStreamDecoder(r io.Reader) *decoder { return newStreamDecoderSize(r, streamWindow) }

func newStreamDecoderSize(r io.Reader, win int) *decoder {
	return &decoder{r: r, win: win, b: make([]byte, 0, win), names: make(map[string]string, 64)}
}

// consumed is how much of the stream has been read.
func (d *decoder) consumed() int64 { return int64(d.base + len(d.b)) }

// fill reads more of the stream into the window, first dropping what has
// been scanned (before d.p) when that frees enough room.
func (d *decoder) fill() error {
	if d.eof {
		return nil
	}
	if d.p > 0 && (d.p >= len(d.b)/2 || cap(d.b)-len(d.b) < (d.win+1)/2) {
		d.lines += bytes.Count(d.b[:d.p], []byte{'\n'})
		d.base += d.p
		n := copy(d.b, d.b[d.p:])
		d.b = d.b[:n]
		d.p = 0
	}
	if cap(d.b)-len(d.b) < (d.win+1)/2 {
		nb := make([]byte, len(d.b), 2*cap(d.b)+d.win)
		copy(nb, d.b)
		d.b = nb
	}
	for range 100 {
		n, err := d.r.Read(d.b[len(d.b):cap(d.b)])
		d.b = d.b[:len(d.b)+n]
		if err == io.EOF {
			d.eof = true
			return nil
		}
		if err != nil {
			return fmt.Errorf("read XML-RPC body: %w", err)
		}
		if n > 0 {
			return nil
		}
	}
	return fmt.Errorf("read XML-RPC body: %w", io.ErrNoProgress)
}

// short is what a primitive returns when it runs off the end of the window
// at p: errMore while the body goes on, else a truncation error.
func (d *decoder) short(p int) error {
	if !d.eof {
		return errMore
	}
	return d.errAt(p, errTruncated)
}

// errAt is a SyntaxError at window index p (negative: before the window,
// where the line is approximate).
func (d *decoder) errAt(p int, format string, args ...any) error {
	if p > len(d.b) {
		p = len(d.b)
	}
	line := 1 + d.lines
	if p > 0 {
		line += bytes.Count(d.b[:p], []byte{'\n'})
	}
	return &SyntaxError{Offset: d.base + p, Line: line, Msg: fmt.Sprintf(format, args...)}
}

// mark is the stream offset of d.p, stable across fills (unlike d.p).
func (d *decoder) mark() int { return d.base + d.p }

// errMark is a SyntaxError at a mark.
func (d *decoder) errMark(abs int, format string, args ...any) error {
	return d.errAt(abs-d.base, format, args...)
}

func (d *decoder) errf(format string, args ...any) error { return d.errAt(d.p, format, args...) }

func isSpace(c byte) bool { return c == ' ' || c == '\n' || c == '\t' || c == '\r' }

// skipMisc skips whitespace, comments and processing instructions between
// elements. A DOCTYPE (and with it any entity declaration) is refused.
func (d *decoder) skipMisc() error {
	for {
		start := d.p
		err := d.skipMiscOnce()
		if err != errMore {
			return err
		}
		d.p = start
		if err := d.fill(); err != nil {
			return err
		}
	}
}

func (d *decoder) skipMiscOnce() error {
	for {
		for d.p < len(d.b) && isSpace(d.b[d.p]) {
			d.p++
		}
		if d.p+1 >= len(d.b) {
			if !d.eof {
				return errMore
			}
			return nil
		}
		if d.b[d.p] != '<' {
			return nil
		}
		switch d.b[d.p+1] {
		case '?':
			end := bytes.Index(d.b[d.p+2:], []byte("?>"))
			if end < 0 {
				return d.short(d.p)
			}
			d.p += 2 + end + 2
		case '!':
			if len(d.b)-d.p < 9 && !d.eof {
				return errMore
			}
			if bytes.HasPrefix(d.b[d.p:], []byte("<!--")) {
				end := bytes.Index(d.b[d.p+4:], []byte("-->"))
				if end < 0 {
					return d.short(d.p)
				}
				d.p += 4 + end + 3
				continue
			}
			if bytes.HasPrefix(d.b[d.p:], []byte("<!DOCTYPE")) {
				return d.errf("DOCTYPE declarations are not allowed")
			}
			return d.errf("unexpected markup %q", d.peek(12))
		default:
			return nil
		}
	}
}

// peek returns up to n bytes at d.p for an error message, reading more of
// a stream if needed so that the message does not depend on the window.
func (d *decoder) peek(n int) string {
	for len(d.b)-d.p < n && !d.eof {
		if d.fill() != nil {
			break
		}
	}
	end := min(d.p+n, len(d.b))
	return string(d.b[d.p:end])
}

// localName strips a namespace prefix ("ex:nil" -> "nil"), as Python does.
func localName(n []byte) []byte {
	if i := bytes.LastIndexByte(n, ':'); i >= 0 {
		return n[i+1:]
	}
	return n
}

// openTag reads a start tag at d.p (after skipping misc) and returns its
// local name and whether it is self-closing. Attributes are skipped.
func (d *decoder) openTag() (name []byte, empty bool, err error) {
	for {
		start := d.p
		name, empty, err = d.openTagOnce()
		if err != errMore {
			return name, empty, err
		}
		d.p = start
		if err := d.fill(); err != nil {
			return nil, false, err
		}
	}
}

func (d *decoder) openTagOnce() (name []byte, empty bool, err error) {
	if err := d.skipMiscOnce(); err != nil {
		return nil, false, err
	}
	if d.p >= len(d.b) {
		return nil, false, d.short(d.p)
	}
	if d.b[d.p] != '<' {
		return nil, false, d.errf("expected a start tag, found %q", d.peek(12))
	}
	start := d.p + 1
	i := start
	for i < len(d.b) {
		c := d.b[i]
		if c == '>' || c == '/' || isSpace(c) {
			break
		}
		if c == '<' {
			return nil, false, d.errAt(i, "'<' inside a tag")
		}
		i++
	}
	if i >= len(d.b) {
		return nil, false, d.short(i)
	}
	if i == start || d.b[start] == '/' {
		return nil, false, d.errf("expected a start tag, found %q", d.peek(12))
	}
	name = d.b[start:i]
	// Attributes: skip to the closing '>' honouring quotes.
	var quote byte
	for ; i < len(d.b); i++ {
		c := d.b[i]
		if quote != 0 {
			if c == quote {
				quote = 0
			}
			continue
		}
		switch c {
		case '"', '\'':
			quote = c
		case '<':
			return nil, false, d.errAt(i, "'<' inside a tag")
		case '>':
			empty = d.b[i-1] == '/'
			d.p = i + 1
			return localName(name), empty, nil
		}
	}
	return nil, false, d.short(i)
}

// expectOpen reads a start tag that must be want. It reports whether the
// element was self-closing.
func (d *decoder) expectOpen(want string) (empty bool, err error) {
	name, empty, err := d.openTag()
	if err != nil {
		return false, err
	}
	if string(name) != want {
		return false, d.errf("expected <%s>, found <%s>", want, name)
	}
	return empty, nil
}

// closeTag reads the end tag </want> (after optional whitespace/comments).
func (d *decoder) closeTag(want string) error {
	for {
		start := d.p
		err := d.closeTagOnce(want)
		if err != errMore {
			return err
		}
		d.p = start
		if err := d.fill(); err != nil {
			return err
		}
	}
}

func (d *decoder) closeTagOnce(want string) error {
	if err := d.skipMiscOnce(); err != nil {
		return err
	}
	b := d.b
	p := d.p
	if p+2 > len(b) {
		return d.short(p)
	}
	if b[p] != '<' || b[p+1] != '/' {
		return d.errf("expected </%s>, found %q", want, d.peek(12))
	}
	i := p + 2
	for i < len(b) && b[i] != '>' && !isSpace(b[i]) {
		i++
	}
	name := localName(b[p+2 : i])
	for i < len(b) && isSpace(b[i]) {
		i++
	}
	if i >= len(b) {
		return d.short(i)
	}
	if b[i] != '>' || string(name) != want {
		return d.errf("expected </%s>, found %q", want, d.peek(len(want)+4))
	}
	d.p = i + 1
	return nil
}

// atClose reports whether the next markup (after whitespace) is an end tag.
func (d *decoder) atClose() (bool, error) {
	for {
		start := d.p
		closing, err := d.atCloseOnce()
		if err != errMore {
			return closing, err
		}
		d.p = start
		if err := d.fill(); err != nil {
			return false, err
		}
	}
}

func (d *decoder) atCloseOnce() (bool, error) {
	if err := d.skipMiscOnce(); err != nil {
		return false, err
	}
	if d.p+1 >= len(d.b) {
		return false, d.short(d.p)
	}
	return d.b[d.p] == '<' && d.b[d.p+1] == '/', nil
}

// text reads character data up to the next tag, resolving entity and
// character references and CDATA sections and normalising line ends as an
// XML parser does. The returned slice is only valid until the next call.
func (d *decoder) text() ([]byte, error) {
	for {
		start := d.p
		t, err := d.textOnce()
		if err != errMore {
			return t, err
		}
		d.p = start
		if err := d.fill(); err != nil {
			return nil, err
		}
	}
}

func (d *decoder) textOnce() ([]byte, error) {
	b := d.b
	i := bytes.IndexByte(b[d.p:], '<')
	if i < 0 {
		return nil, d.short(len(b))
	}
	if d.p+i+1 >= len(b) && !d.eof {
		return nil, errMore // is it "<!" (CDATA, comment) or a tag?
	}
	raw := b[d.p : d.p+i]
	// Fast path: no references, no CR, and the text ends at a tag.
	if bytes.IndexByte(raw, '&') < 0 && bytes.IndexByte(raw, '\r') < 0 &&
		(d.p+i+1 >= len(b) || b[d.p+i+1] != '!') {
		d.p += i
		return raw, nil
	}
	out := d.buf[:0]
	for {
		if d.p >= len(b) {
			return nil, d.short(d.p)
		}
		c := b[d.p]
		switch c {
		case '<':
			if len(b)-d.p < 9 && !d.eof {
				return nil, errMore
			}
			if bytes.HasPrefix(b[d.p:], []byte("<![CDATA[")) {
				end := bytes.Index(b[d.p+9:], []byte("]]>"))
				if end < 0 {
					return nil, d.short(d.p)
				}
				out = appendNormalized(out, b[d.p+9:d.p+9+end])
				d.p += 9 + end + 3
				continue
			}
			if bytes.HasPrefix(b[d.p:], []byte("<!--")) {
				end := bytes.Index(b[d.p+4:], []byte("-->"))
				if end < 0 {
					return nil, d.short(d.p)
				}
				d.p += 4 + end + 3
				continue
			}
			if d.p+1 < len(b) && b[d.p+1] == '!' {
				return nil, d.errf("unexpected markup %q in text", d.peek(12))
			}
			d.buf = out
			return out, nil
		case '&':
			var err error
			out, err = d.reference(out)
			if err != nil {
				return nil, err
			}
		case '\r':
			if d.p+1 >= len(b) && !d.eof {
				return nil, errMore // is it "\r\n"?
			}
			out = append(out, '\n')
			d.p++
			if d.p < len(b) && b[d.p] == '\n' {
				d.p++
			}
		default:
			j := d.p + 1
			for j < len(b) && b[j] != '<' && b[j] != '&' && b[j] != '\r' {
				j++
			}
			out = append(out, b[d.p:j]...)
			d.p = j
		}
	}
}

func appendNormalized(out, s []byte) []byte {
	for len(s) > 0 {
		i := bytes.IndexByte(s, '\r')
		if i < 0 {
			return append(out, s...)
		}
		out = append(out, s[:i]...)
		out = append(out, '\n')
		s = s[i+1:]
		if len(s) > 0 && s[0] == '\n' {
			s = s[1:]
		}
	}
	return out
}

// reference resolves the reference at d.p ('&'): the five predefined
// entities and numeric character references only. Nothing is expanded
// recursively, so entity tricks (billion laughs, external entities) cannot
// work.
func (d *decoder) reference(out []byte) ([]byte, error) {
	b := d.b
	end := bytes.IndexByte(b[d.p:min(len(b), d.p+16)], ';')
	if end < 0 {
		if len(b)-d.p < 16 {
			return nil, d.short(d.p)
		}
		return nil, d.errf("unterminated reference %q", d.peek(12))
	}
	ref := b[d.p+1 : d.p+end]
	switch string(ref) {
	case "lt":
		out = append(out, '<')
	case "gt":
		out = append(out, '>')
	case "amp":
		out = append(out, '&')
	case "quot":
		out = append(out, '"')
	case "apos":
		out = append(out, '\'')
	default:
		if len(ref) < 2 || ref[0] != '#' {
			return nil, d.errf("undefined entity &%s; (only &lt; &gt; &amp; &quot; &apos; and numeric references are allowed)", ref)
		}
		var n uint64
		var err error
		if ref[1] == 'x' {
			n, err = strconv.ParseUint(string(ref[2:]), 16, 32)
		} else {
			n, err = strconv.ParseUint(string(ref[1:]), 10, 32)
		}
		if err != nil || n == 0 || n > utf8.MaxRune || (n >= 0xD800 && n <= 0xDFFF) {
			return nil, d.errf("invalid character reference &%s;", ref)
		}
		out = utf8.AppendRune(out, rune(n))
	}
	d.p += end + 1
	return out, nil
}

// prolog skips the XML declaration, comments and a UTF-8 byte order mark.
func (d *decoder) prolog() error {
	for len(d.b) < 16 && !d.eof {
		if err := d.fill(); err != nil {
			return err
		}
	}
	if bytes.HasPrefix(d.b, []byte("\xef\xbb\xbf")) {
		d.p = 3
	}
	if bytes.HasPrefix(d.b[d.p:], []byte("<?xml")) {
		// The declaration's ?> must start within its first maxDecl
		// bytes, the same whether the body is in memory or streamed (so
		// a stream is read until maxDecl+2 bytes, or its end).
		const maxDecl = 4096
		end := bytes.Index(d.b[d.p:], []byte("?>"))
		for end < 0 && !d.eof && len(d.b)-d.p < maxDecl+2 {
			if err := d.fill(); err != nil {
				return err
			}
			end = bytes.Index(d.b[d.p:], []byte("?>"))
		}
		switch {
		case end < 0 && d.eof && len(d.b)-d.p < maxDecl+2:
			return d.errf(errTruncated)
		case end < 0 || end > maxDecl:
			return d.errf("the XML declaration is not closed by ?> within %d bytes", maxDecl)
		}
		if enc := declEncoding(d.b[d.p : d.p+end]); enc != "" && !strings.EqualFold(enc, "utf-8") &&
			!strings.EqualFold(enc, "utf8") && !strings.EqualFold(enc, "us-ascii") {
			return d.errf("unsupported encoding %q (Koji's XML-RPC is UTF-8)", enc)
		}
	}
	if err := d.skipMisc(); err != nil {
		return err
	}
	if d.p >= len(d.b) {
		if len(bytes.TrimSpace(d.b)) == 0 {
			return d.errf("empty body")
		}
		return d.errf(errTruncated)
	}
	return nil
}

// declEncoding returns the encoding="..." of an XML declaration ("" if none).
func declEncoding(decl []byte) string {
	i := bytes.Index(decl, []byte("encoding"))
	if i < 0 {
		return ""
	}
	rest := bytes.TrimLeft(decl[i+len("encoding"):], " \t\r\n")
	if len(rest) == 0 || rest[0] != '=' {
		return ""
	}
	rest = bytes.TrimLeft(rest[1:], " \t\r\n")
	if len(rest) == 0 || (rest[0] != '"' && rest[0] != '\'') {
		return ""
	}
	q := rest[0]
	end := bytes.IndexByte(rest[1:], q)
	if end < 0 {
		return ""
	}
	return string(rest[1 : 1+end])
}

// epilog checks that nothing but whitespace and comments follows the root.
func (d *decoder) epilog() error {
	for {
		if err := d.skipMisc(); err != nil {
			return err
		}
		if d.p != len(d.b) {
			return d.errf("junk after the document element: %q", d.peek(12))
		}
		if d.eof {
			return nil
		}
		if err := d.fill(); err != nil {
			return err
		}
	}
}

func (d *decoder) response() (any, error) {
	if err := d.prolog(); err != nil {
		return nil, err
	}
	if empty, err := d.expectOpen("methodResponse"); err != nil {
		return nil, err
	} else if empty {
		return nil, d.errf("empty <methodResponse/>")
	}
	p := d.mark()
	name, empty, err := d.openTag()
	if err != nil {
		return nil, err
	}
	var result any
	var fault *Fault
	switch string(name) {
	case "params":
		if empty {
			return nil, d.errMark(p, "methodResponse has no <param>")
		}
		if e, err := d.expectOpen("param"); err != nil {
			return nil, err
		} else if e {
			return nil, d.errMark(p, "empty <param/>")
		}
		if result, err = d.paramValue(); err != nil {
			return nil, err
		}
		if err := d.closeTag("param"); err != nil {
			return nil, err
		}
		if err := d.closeTag("params"); err != nil {
			return nil, err
		}
	case "fault":
		if empty {
			return nil, d.errMark(p, "empty <fault/>")
		}
		v, err := d.paramValue()
		if err != nil {
			return nil, err
		}
		fault, err = faultFromValue(v)
		if err != nil {
			return nil, d.errMark(p, "%v", err)
		}
		if err := d.closeTag("fault"); err != nil {
			return nil, err
		}
	default:
		return nil, d.errMark(p, "expected <params> or <fault>, found <%s>", name)
	}
	if err := d.closeTag("methodResponse"); err != nil {
		return nil, err
	}
	if err := d.epilog(); err != nil {
		return nil, err
	}
	if fault != nil {
		return nil, fault
	}
	return result, nil
}

func faultFromValue(v any) (*Fault, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("fault value is %s, not a struct", typeName(v))
	}
	f := &Fault{}
	switch c := m["faultCode"].(type) {
	case int64:
		f.Code = int(c)
	case string:
		n, err := strconv.Atoi(strings.TrimSpace(c))
		if err != nil {
			return nil, fmt.Errorf("faultCode %q is not a number", c)
		}
		f.Code = n
	case nil:
		return nil, errors.New("fault has no faultCode")
	default:
		return nil, fmt.Errorf("faultCode is %s, not an int", typeName(c))
	}
	switch s := m["faultString"].(type) {
	case string:
		f.String = s
	case nil:
	default:
		f.String = fmt.Sprint(s)
	}
	return f, nil
}

func (d *decoder) call() (string, []any, error) {
	if err := d.prolog(); err != nil {
		return "", nil, err
	}
	if empty, err := d.expectOpen("methodCall"); err != nil {
		return "", nil, err
	} else if empty {
		return "", nil, d.errf("empty <methodCall/>")
	}
	p := d.mark()
	empty, err := d.expectOpen("methodName")
	if err != nil {
		return "", nil, err
	}
	if empty {
		return "", nil, d.errMark(p, "empty method name")
	}
	t, err := d.text()
	if err != nil {
		return "", nil, err
	}
	method := strings.TrimSpace(string(t))
	if method == "" {
		return "", nil, d.errMark(p, "empty method name")
	}
	if err := d.closeTag("methodName"); err != nil {
		return "", nil, err
	}
	params := []any{}
	closing, err := d.atClose()
	if err != nil {
		return "", nil, err
	}
	if !closing {
		empty, err := d.expectOpen("params")
		if err != nil {
			return "", nil, err
		}
		if !empty {
			for {
				closing, err := d.atClose()
				if err != nil {
					return "", nil, err
				}
				if closing {
					break
				}
				e, err := d.expectOpen("param")
				if err != nil {
					return "", nil, err
				}
				if e { // <param/>: nil, as kolo/xmlrpc sends a Go nil
					params = append(params, nil)
					continue
				}
				if closing, err := d.atClose(); err != nil {
					return "", nil, err
				} else if closing { // <param></param>: the same
					params = append(params, nil)
				} else {
					v, err := d.paramValue()
					if err != nil {
						return "", nil, err
					}
					params = append(params, v)
				}
				if err := d.closeTag("param"); err != nil {
					return "", nil, err
				}
			}
			if err := d.closeTag("params"); err != nil {
				return "", nil, err
			}
		}
	}
	if err := d.closeTag("methodCall"); err != nil {
		return "", nil, err
	}
	if err := d.epilog(); err != nil {
		return "", nil, err
	}
	return method, params, nil
}

// paramValue reads <value>...</value>.
func (d *decoder) paramValue() (any, error) {
	empty, err := d.expectOpen("value")
	if err != nil {
		return nil, err
	}
	if empty {
		return "", nil
	}
	return d.value()
}

// value reads the content of a <value> element whose start tag has been
// consumed, and its end tag.
func (d *decoder) value() (any, error) {
	var untyped bool
	var lt int
	for {
		var err error
		untyped, lt, err = d.valueKindOnce()
		if err != errMore {
			if err != nil {
				return nil, err
			}
			break
		}
		if err := d.fill(); err != nil {
			return nil, err
		}
	}
	if untyped {
		// Untyped value: its text is a string.
		t, err := d.text()
		if err != nil {
			return nil, err
		}
		s := string(t)
		if err := d.closeTag("value"); err != nil {
			if d.p < len(d.b) && d.b[d.p] == '<' && d.p+1 < len(d.b) && d.b[d.p+1] != '/' {
				return nil, d.errf("text mixed with an element inside <value>")
			}
			return nil, err
		}
		return s, nil
	}
	d.p = lt
	p := d.mark()
	rawName, empty, err := d.openTag()
	if err != nil {
		return nil, err
	}
	// rawName points into the window, which the next fill may move: keep
	// the (constant, allocation-free) type name instead.
	name := valueType(rawName)
	if name == "" {
		return nil, d.errMark(p, "unknown value type <%s>", rawName)
	}
	var v any
	switch name {
	case "string":
		if empty {
			v = ""
			break
		}
		t, err := d.text()
		if err != nil {
			return nil, err
		}
		v = d.stringValue(t)
		err = d.closeTag("string")
		if err != nil {
			return nil, err
		}
	case "int", "i4", "i8", "i1", "i2", "biginteger":
		if empty {
			return nil, d.errMark(p, "empty <%s/>", name)
		}
		n, err := d.intText(name)
		if err != nil {
			return nil, err
		}
		v = n
	case "boolean":
		if empty {
			return nil, d.errMark(p, "empty <boolean/>")
		}
		t, err := d.text()
		if err != nil {
			return nil, err
		}
		switch string(bytes.TrimSpace(t)) {
		case "1", "true":
			v = true
		case "0", "false":
			v = false
		default:
			return nil, d.errMark(p, "bad boolean value %q", t)
		}
		if err := d.closeTag("boolean"); err != nil {
			return nil, err
		}
	case "double", "float", "bigdecimal":
		if empty {
			return nil, d.errMark(p, "empty <%s/>", name)
		}
		t, err := d.text()
		if err != nil {
			return nil, err
		}
		f, err := strconv.ParseFloat(string(bytes.TrimSpace(t)), 64)
		if err != nil && !errors.Is(err, strconv.ErrRange) {
			return nil, d.errMark(p, "bad <%s> value %q", name, t)
		}
		v = f
		if err := d.closeTag(name); err != nil {
			return nil, err
		}
	case "nil":
		v = nil
		if !empty {
			if err := d.closeTag("nil"); err != nil {
				return nil, err
			}
		}
	case "dateTime.iso8601":
		if empty {
			return nil, d.errMark(p, "empty <dateTime.iso8601/>")
		}
		t, err := d.text()
		if err != nil {
			return nil, err
		}
		tm, err := ParseDateTime(string(bytes.TrimSpace(t)))
		if err != nil {
			return nil, d.errMark(p, "%v", err)
		}
		v = tm
		if err := d.closeTag("dateTime.iso8601"); err != nil {
			return nil, err
		}
	case "base64":
		if empty {
			v = []byte{}
			break
		}
		t, err := d.text()
		if err != nil {
			return nil, err
		}
		raw, err := decodeBase64(t)
		if err != nil {
			return nil, d.errMark(p, "bad base64: %v", err)
		}
		v = raw
		if err := d.closeTag("base64"); err != nil {
			return nil, err
		}
	case "array":
		if empty {
			v = []any{}
			break
		}
		a, err := d.array(p)
		if err != nil {
			return nil, err
		}
		v = a
	case "struct":
		if empty {
			v = map[string]any{}
			break
		}
		m, err := d.structure(p)
		if err != nil {
			return nil, err
		}
		v = m
	}
	if err := d.closeTag("value"); err != nil {
		return nil, err
	}
	return v, nil
}

// valueKindOnce looks (without moving) at the content of a <value>: untyped
// text, or blanks and the window index of the type element's '<'.
func (d *decoder) valueKindOnce() (untyped bool, lt int, err error) {
	b := d.b
	i := bytes.IndexByte(b[d.p:], '<')
	if i < 0 {
		return false, 0, d.short(len(b))
	}
	lt = d.p + i
	if !isBlank(b[d.p:lt]) {
		return true, lt, nil
	}
	if lt+4 > len(b) && !d.eof {
		return false, 0, errMore
	}
	if lt+1 >= len(b) {
		return false, 0, d.short(lt)
	}
	if b[lt+1] == '/' || b[lt+1] == '!' && !bytes.HasPrefix(b[lt:], []byte("<!--")) {
		return true, lt, nil
	}
	return false, lt, nil
}

// valueType returns the XML-RPC type named n as a constant string ("" when unknown).
func valueType(n []byte) string {
	for _, t := range [...]string{"string", "int", "i4", "i8", "boolean", "double", "nil", "struct", "array",
		"base64", "dateTime.iso8601", "i1", "i2", "biginteger", "float", "bigdecimal"} {
		if string(n) == t {
			return t
		}
	}
	return ""
}

func isBlank(b []byte) bool {
	for _, c := range b {
		if !isSpace(c) {
			return false
		}
	}
	return true
}

// intText reads the digits of an integer element and its end tag.
func (d *decoder) intText(name string) (int64, error) {
	p := d.mark()
	// Fast path: plain digits followed by '<'. Over a stream, make sure the
	// window holds the digits and the '<' first (nothing moves d.p here, so
	// a fill is safe).
	for {
		b := d.b
		i := d.p
		neg := false
		if i < len(b) && (b[i] == '-' || b[i] == '+') {
			neg = b[i] == '-'
			i++
		}
		digits := i
		var n uint64
		for i < len(b) && b[i] >= '0' && b[i] <= '9' && i-digits < 19 {
			n = n*10 + uint64(b[i]-'0')
			i++
		}
		if i >= len(b) && !d.eof && i-d.p < 24 {
			if err := d.fill(); err != nil {
				return 0, err
			}
			continue
		}
		if i > digits && i < len(b) && b[i] == '<' && n <= math.MaxInt64 {
			v := int64(n)
			if neg {
				v = -v
			}
			d.p = i
			if err := d.closeTag(name); err != nil {
				return 0, err
			}
			return v, nil
		}
		break
	}
	t, err := d.text()
	if err != nil {
		return 0, err
	}
	v, err := strconv.ParseInt(string(bytes.TrimSpace(t)), 10, 64)
	if err != nil {
		return 0, d.errMark(p, "bad <%s> value %q", name, t)
	}
	if err := d.closeTag(name); err != nil {
		return 0, err
	}
	return v, nil
}

func decodeBase64(t []byte) ([]byte, error) {
	// Python splits base64 into lines; drop all whitespace first.
	clean := t
	if bytes.ContainsAny(t, " \t\r\n") {
		clean = make([]byte, 0, len(t))
		for _, c := range t {
			if !isSpace(c) {
				clean = append(clean, c)
			}
		}
	}
	out := make([]byte, base64.StdEncoding.DecodedLen(len(clean)))
	n, err := base64.StdEncoding.Decode(out, clean)
	if err != nil {
		return nil, err
	}
	return out[:n], nil
}

func (d *decoder) enter(p int) error {
	d.depth++
	if d.depth > MaxDepth {
		return d.errMark(p, "values nested deeper than %d levels", MaxDepth)
	}
	return nil
}

// array reads the rest of <array>: <data> values </data> </array>.
func (d *decoder) array(p int) ([]any, error) {
	if err := d.enter(p); err != nil {
		return nil, err
	}
	defer func() { d.depth-- }()
	closing, err := d.atClose()
	if err != nil {
		return nil, err
	}
	if closing { // <array></array>, as Python accepts
		if err := d.closeTag("array"); err != nil {
			return nil, err
		}
		return []any{}, nil
	}
	empty, err := d.expectOpen("data")
	if err != nil {
		return nil, err
	}
	mark := len(d.vals)
	if !empty {
		for {
			closing, err := d.atClose()
			if err != nil {
				return nil, err
			}
			if closing {
				break
			}
			v, err := d.paramValue()
			if err != nil {
				d.vals = d.vals[:mark]
				return nil, err
			}
			d.vals = append(d.vals, v)
		}
		if err := d.closeTag("data"); err != nil {
			return nil, err
		}
	}
	out := make([]any, len(d.vals)-mark)
	copy(out, d.vals[mark:])
	clear(d.vals[mark:])
	d.vals = d.vals[:mark]
	if err := d.closeTag("array"); err != nil {
		return nil, err
	}
	return out, nil
}

// structure reads the members of <struct> and its end tag.
func (d *decoder) structure(p int) (map[string]any, error) {
	if err := d.enter(p); err != nil {
		return nil, err
	}
	defer func() { d.depth-- }()
	mark := len(d.kvs)
	for {
		closing, err := d.atClose()
		if err != nil {
			return nil, err
		}
		if closing {
			break
		}
		mp := d.mark()
		if e, err := d.expectOpen("member"); err != nil {
			return nil, err
		} else if e {
			return nil, d.errMark(mp, "empty <member/>")
		}
		empty, err := d.expectOpen("name")
		if err != nil {
			return nil, err
		}
		var key string
		if !empty {
			t, err := d.text()
			if err != nil {
				return nil, err
			}
			key = d.intern(t)
			if err := d.closeTag("name"); err != nil {
				return nil, err
			}
		}
		v, err := d.paramValue()
		if err != nil {
			d.kvs = d.kvs[:mark]
			return nil, err
		}
		if err := d.closeTag("member"); err != nil {
			return nil, err
		}
		d.kvs = append(d.kvs, kv{key, v})
	}
	m := make(map[string]any, len(d.kvs)-mark)
	for _, e := range d.kvs[mark:] {
		m[e.k] = e.v
	}
	clear(d.kvs[mark:])
	d.kvs = d.kvs[:mark]
	if err := d.closeTag("struct"); err != nil {
		return nil, err
	}
	return m, nil
}

// stringValue boxes a <string> value, sharing one boxed copy of short
// values that repeat (tag, owner, package names, "DEFAULT"...): a hit costs
// no allocation. The cache is bounded.
func (d *decoder) stringValue(t []byte) any {
	if len(t) > 24 {
		return string(t)
	}
	if v, ok := d.svals[string(t)]; ok {
		return v
	}
	var v any = string(t)
	if d.svals == nil {
		d.svals = make(map[string]any, 256)
	}
	if len(d.svals) < 2048 {
		d.svals[v.(string)] = v
	}
	return v
}

func (d *decoder) intern(b []byte) string {
	if s, ok := d.names[string(b)]; ok {
		return s
	}
	s := string(b)
	if len(d.names) < 4096 {
		d.names[s] = s
	}
	return s
}

// ParseDateTime parses an XML-RPC dateTime.iso8601 value
// ("20060102T15:04:05", with or without dashes, optionally with a zone).
// Values without a zone are taken as UTC.
func ParseDateTime(s string) (time.Time, error) {
	for _, layout := range []string{"20060102T15:04:05", "2006-01-02T15:04:05", "20060102T15:04:05Z07:00",
		"2006-01-02T15:04:05Z07:00", "20060102T150405", "20060102T15:04:05.999999999", "2006-01-02T15:04:05.999999999Z07:00"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("bad dateTime.iso8601 value %q", s)
}

func typeName(v any) string {
	switch v.(type) {
	case nil:
		return "nil"
	case bool:
		return "boolean"
	case int64:
		return "int"
	case float64:
		return "double"
	case string:
		return "string"
	case []byte:
		return "base64"
	case time.Time:
		return "dateTime"
	case []any:
		return "array"
	case map[string]any:
		return "struct"
	}
	return fmt.Sprintf("%T", v)
}
