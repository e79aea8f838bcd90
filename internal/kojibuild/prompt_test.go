package kojibuild

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

func TestAskerConfirm(t *testing.T) {
	tests := []struct {
		name     string
		tty, yes bool
		input    string
		wantErr  string // "" = go on
		declined bool
		wantOut  string
	}{
		{name: "tty yes", tty: true, input: "y\n", wantOut: "Build anyway? [y/N] "},
		{name: "tty YES word", tty: true, input: " Yes \n"},
		{name: "tty no", tty: true, input: "n\n", wantErr: "uncommitted changes", declined: true},
		{name: "tty empty answer is no", tty: true, input: "\n", wantErr: "declined", declined: true},
		{name: "tty eof", tty: true, input: "", wantErr: "no answer", declined: true},
		{name: "flag yes on tty", tty: true, yes: true, wantOut: "going on: --yes"},
		{name: "flag yes off tty", yes: true, wantOut: "warning: uncommitted changes"},
		{name: "no tty", wantErr: "not asking without a terminal: pass -y/--yes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			a := &Asker{TTY: tt.tty, Yes: tt.yes, In: strings.NewReader(tt.input), Out: &out}
			err := a.Confirm("uncommitted changes in /src/xrootd", "Build anyway?")
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("err = %v", err)
				}
			} else if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v, want %q", err, tt.wantErr)
			}
			if got := errors.Is(err, ErrDeclined); got != tt.declined {
				t.Errorf("declined = %v, want %v", got, tt.declined)
			}
			if !strings.Contains(out.String(), tt.wantOut) {
				t.Errorf("output %q lacks %q", out.String(), tt.wantOut)
			}
		})
	}
}
