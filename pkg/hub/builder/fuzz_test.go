package builder

import (
	"strings"
	"testing"
)

func FuzzSatisfiesString(f *testing.F) {
	for _, s := range []string{"foo", "foo >= 1.2", "(foo or bar)", "((a and b) or (c if d else e))", "(a unless b else c)", "(", ")", "(a or", "foo > 1:2.3-4~rc1"} {
		f.Add(s)
	}
	p := NewProvides()
	p.Add(Dep{"foo", eq, "1.2-1"})
	p.Add(Dep{"b", 0, ""})
	f.Fuzz(func(t *testing.T, s string) {
		_, _ = p.SatisfiesString(s) // never panics
	})
}

func FuzzParsePrimary(f *testing.F) {
	f.Add(`<metadata><package><name>a</name><version epoch="0" ver="1" rel="1"/><format><rpm:provides><rpm:entry name="a" flags="EQ" ver="1"/></rpm:provides><file>/x</file></format></package></metadata>`)
	f.Add(`<metadata><package>`)
	f.Fuzz(func(t *testing.T, s string) {
		p := NewProvides()
		_ = parsePrimary(strings.NewReader(s), p)
		_, _ = p.SatisfiesString("a >= 1")
	})
}
