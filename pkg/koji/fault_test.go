package koji

import (
	"errors"
	"fmt"
	"testing"
)

func TestFaultHierarchyAndExitCodes(t *testing.T) {
	tests := []struct {
		code      int
		name      string
		auth      bool
		perm      bool
		exit      int
		buildFam  bool
		pluginFam bool
	}{
		{UnknownFault, "Fault", false, false, 1, false, false},
		{GenericError, "GenericError", false, false, 1, false, false},
		{AuthError, "AuthError", true, true, 4, false, false},
		{ActionNotAllowed, "ActionNotAllowed", false, true, 4, false, false},
		{AuthLockError, "AuthLockError", true, true, 4, false, false},
		{AuthExpired, "AuthExpired", true, true, 4, false, false},
		{SequenceError, "SequenceError", true, true, 4, false, false},
		{RetryError, "RetryError", true, true, 4, false, false},
		{GSSAPIAuthError, "GSSAPIAuthError", true, true, 4, false, false},
		{BuildError, "BuildError", false, false, 1, true, false},
		{PreBuildError, "PreBuildError", false, false, 1, true, false},
		{BuildrootError, "BuildrootError", false, false, 1, true, false},
		{CallbackError, "CallbackError", false, false, 1, false, true},
		{ParameterError, "ParameterError", false, false, 1, false, false},
		{NameValidationError, "NameValidationError", false, false, 1, false, false},
		{4242, "Fault", false, false, 1, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var err error = fmt.Errorf("calling hub: %w", &Fault{Code: tt.code, String: "boom"})
			if got := FaultName(tt.code); got != tt.name {
				t.Errorf("FaultName(%d) = %q, want %q", tt.code, got, tt.name)
			}
			if got := IsAuthError(err); got != tt.auth {
				t.Errorf("IsAuthError = %v, want %v", got, tt.auth)
			}
			if got := IsPermissionError(err); got != tt.perm {
				t.Errorf("IsPermissionError = %v, want %v", got, tt.perm)
			}
			if got := IsFault(err, BuildError); got != tt.buildFam {
				t.Errorf("IsFault(BuildError) = %v, want %v", got, tt.buildFam)
			}
			if got := IsFault(err, PluginError); got != tt.pluginFam {
				t.Errorf("IsFault(PluginError) = %v, want %v", got, tt.pluginFam)
			}
			if !IsFault(err, tt.code) {
				t.Errorf("IsFault(own code) = false")
			}
			f, _ := AsFault(err)
			if got := f.ExitCode(); got != tt.exit {
				t.Errorf("ExitCode = %d, want %d", got, tt.exit)
			}
			if want := tt.name + ": boom"; f.Error() != want {
				t.Errorf("Error() = %q, want %q", f.Error(), want)
			}
		})
	}
}

func TestFaultIs(t *testing.T) {
	err := fmt.Errorf("x: %w", NewFault(TagError, "build %s not complete", "a-1-1"))
	if !errors.Is(err, &Fault{Code: TagError}) {
		t.Error("errors.Is with the same code = false")
	}
	if errors.Is(err, &Fault{Code: GenericError}) {
		t.Error("errors.Is with another code = true")
	}
	if IsFault(errors.New("plain"), GenericError) {
		t.Error("IsFault(plain error) = true")
	}
}

func TestFaultTextHelpers(t *testing.T) {
	tests := []struct {
		err                           error
		notFound, invalid, unexpected bool
	}{
		{&Fault{GenericError, "No such tagInfo: 'no-such-tag'"}, true, false, false},
		{&Fault{GenericError, "Invalid method: noSuchMethod"}, false, true, false},
		{&Fault{ParameterError, "get_tag() got an unexpected keyword argument 'bogus'"}, false, false, true},
		{&Fault{ActionNotAllowed, "tag permission required (user not logged in)"}, false, false, false},
		{NotFound("build", "a-1-1"), true, false, false},
		{fmt.Errorf("x: %w", ErrNotFound), true, false, false},
		{nil, false, false, false},
	}
	for _, tt := range tests {
		if got := IsNotFound(tt.err); got != tt.notFound {
			t.Errorf("IsNotFound(%v) = %v", tt.err, got)
		}
		if got := IsInvalidMethod(tt.err); got != tt.invalid {
			t.Errorf("IsInvalidMethod(%v) = %v", tt.err, got)
		}
		if got := IsUnexpectedKeyword(tt.err); got != tt.unexpected {
			t.Errorf("IsUnexpectedKeyword(%v) = %v", tt.err, got)
		}
	}
	if got := NotFound("tag", 7).Error(); got != "no such tag: 7" {
		t.Errorf("NotFound text = %q", got)
	}
}

func TestStates(t *testing.T) {
	if TaskClosed.String() != "CLOSED" || TaskFailed.String() != "FAILED" || TaskState(9).String() != "9" {
		t.Error("TaskState.String")
	}
	if !TaskCanceled.Finished() || TaskOpen.Finished() || TaskAssigned.Finished() {
		t.Error("TaskState.Finished")
	}
	if BuildComplete.String() != "COMPLETE" || RepoReady.String() != "READY" || RepoProblem.String() != "PROBLEM" {
		t.Error("BuildState/RepoState.String")
	}
	if s, ok := ParseBuildState("canceled"); !ok || s != BuildCanceled {
		t.Error("ParseBuildState(canceled)")
	}
	if s, ok := ParseTaskState("4"); !ok || s != TaskAssigned {
		t.Error("ParseTaskState(4)")
	}
	if _, ok := ParseRepoState("bogus"); ok {
		t.Error("ParseRepoState(bogus) ok")
	}
	if AuthSSL.Description() != "client certificate" || AuthGSSAPI.Description() != "GSSAPI" || AuthNormal.Description() != "password" {
		t.Error("AuthType.Description")
	}
	if UserTypeGroup.String() != "GROUP" || UserBlocked.String() != "BLOCKED" {
		t.Error("user enums")
	}
}

func TestRef(t *testing.T) {
	tests := []struct {
		ref   Ref
		value any
		zero  bool
		isID  bool
	}{
		{Ref{}, nil, true, false},
		{ByID(0), 0, false, true},
		{ByID(7), 7, false, true},
		{ByName("osg-3.6-el9"), "osg-3.6-el9", false, false},
		{ByFields(map[string]any{"name": "a"}), map[string]any{"name": "a"}, false, false},
	}
	for _, tt := range tests {
		if got := tt.ref.Value(); fmt.Sprint(got) != fmt.Sprint(tt.value) {
			t.Errorf("%v.Value() = %v, want %v", tt.ref, got, tt.value)
		}
		if tt.ref.IsZero() != tt.zero || tt.ref.IsID() != tt.isID {
			t.Errorf("%#v: IsZero=%v IsID=%v", tt.ref, tt.ref.IsZero(), tt.ref.IsID())
		}
	}
	for _, v := range []any{nil, int64(3), "x", map[string]any{"id": 1}} {
		r, err := RefOf(v)
		if err != nil || fmt.Sprint(r.Value()) != fmt.Sprint(v) {
			t.Errorf("RefOf(%v) = %v, %v", v, r.Value(), err)
		}
	}
	if _, err := RefOf(1.5); err == nil {
		t.Error("RefOf(1.5) accepted")
	}
}

func TestLatest(t *testing.T) {
	if Latest(0).Value() != nil || LatestOne.Value() != true || Latest(3).Value() != 3 {
		t.Error("Latest.Value")
	}
	for v, want := range map[any]Latest{true: 1, false: 0, int64(2): 2, nil: 0} {
		if got, err := LatestOf(v); err != nil || got != want {
			t.Errorf("LatestOf(%v) = %v, %v", v, got, err)
		}
	}
}

func TestTimes(t *testing.T) {
	tm, err := Time("2026-11-22 11:09:09.997915+00:00")
	if err != nil {
		t.Fatal(err)
	}
	if got := FormatTime(tm); got != "2026-11-22 11:09:09.997915+00:00" {
		t.Errorf("FormatTime = %q", got)
	}
	ts := 1795345749.997915
	if d := TS(&ts).Sub(tm); d > 1e3 || d < -1e3 {
		t.Errorf("TS and Time differ by %v", d)
	}
	if !TS(nil).IsZero() {
		t.Error("TS(nil) not zero")
	}
	if _, err := Time("yesterday"); err == nil {
		t.Error("Time(yesterday) accepted")
	}
}
