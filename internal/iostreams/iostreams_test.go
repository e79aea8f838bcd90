package iostreams

import (
	"bytes"
	"testing"
)

func TestColorFromEnv(t *testing.T) {
	tests := []struct {
		name string
		tty  bool
		env  map[string]string
		want bool
	}{
		{"tty", true, nil, true},
		{"pipe", false, nil, false},
		{"no color", true, map[string]string{"NO_COLOR": "1"}, false},
		{"clicolor 0", true, map[string]string{"CLICOLOR": "0"}, false},
		{"force", false, map[string]string{"CLICOLOR_FORCE": "1"}, true},
		{"no color beats force", false, map[string]string{"NO_COLOR": "1", "CLICOLOR_FORCE": "1"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := colorFromEnv(tt.tty, func(k string) string { return tt.env[k] })
			if got != tt.want {
				t.Errorf("got %v want %v", got, tt.want)
			}
		})
	}
}

func TestTablePrinter(t *testing.T) {
	var b bytes.Buffer
	tp := NewTablePrinterTo(&b, true)
	tp.Header("package", "result")
	tp.AddRow("osg-hello", "ok")
	tp.AddRow("x", "FAILED")
	if err := tp.Render(); err != nil {
		t.Fatal(err)
	}
	want := "PACKAGE    RESULT\nosg-hello  ok\nx          FAILED\n"
	if b.String() != want {
		t.Errorf("tty table:\n%q\nwant\n%q", b.String(), want)
	}
	b.Reset()
	tp = NewTablePrinterTo(&b, false)
	tp.Header("package", "result")
	tp.AddRow("osg-hello", "ok")
	_ = tp.Render()
	if b.String() != "osg-hello\tok\n" {
		t.Errorf("piped table: %q", b.String())
	}
}

func TestProgressOnlyOnTTY(t *testing.T) {
	s, _, _, _ := Test()
	if s.ProgressEnabled() {
		t.Error("progress on buffers")
	}
	s.SetTTY(true, true, true)
	if !s.ProgressEnabled() {
		t.Error("no progress on a TTY")
	}
	s.SetQuiet(true)
	if s.ProgressEnabled() {
		t.Error("progress despite --quiet")
	}
}

func TestNoProgress(t *testing.T) {
	s, _, _, _ := Test()
	s.SetTTY(false, true, true)
	if !s.ProgressEnabled() || !s.StderrProgress() {
		t.Fatal("a terminal shows progress")
	}
	s.SetNoProgress(true)
	if s.ProgressEnabled() || s.StderrProgress() {
		t.Error("--noprogress still shows progress")
	}
	s.SetNoProgress(false)
	s.SetTTY(false, false, true)
	if s.ProgressEnabled() || !s.StderrProgress() {
		t.Error("stdout piped: a download's bar on stderr only")
	}
}
