package runner

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestKillRecorded runs a shell with a child under a process record, as the
// hub's engine does, and stops the whole group through the record alone,
// the way a process taking the task back after a kill -9 does.
func TestKillRecorded(t *testing.T) {
	rec := filepath.Join(t.TempDir(), "work", ".process")
	ctx := WithProcessRecord(context.Background(), rec)
	done := make(chan error, 1)
	go func() {
		_, err := Run(ctx, Cmd{Name: "sh", Args: []string{"-c", "sleep 30 & sleep 30; wait"}})
		done <- err
	}()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, err := os.Stat(rec); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no process record written")
		}
		time.Sleep(5 * time.Millisecond)
	}
	killed, err := KillRecorded(rec, 5*time.Second)
	if err != nil || !killed {
		t.Fatalf("KillRecorded = %v, %v", killed, err)
	}
	select {
	case err := <-done:
		if err == nil {
			t.Error("the killed command reported success")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the command still runs after KillRecorded")
	}
	if _, err := os.Stat(rec); !os.IsNotExist(err) {
		t.Errorf("record left: %v", err)
	}
	// A record whose command ended is gone: nothing to kill.
	if killed, err := KillRecorded(rec, time.Second); killed || err != nil {
		t.Errorf("KillRecorded of a missing record = %v, %v", killed, err)
	}
}

// TestKillRecordedLeavesReusedPid: a record naming a live process with
// another start time (the pid was reused) kills nothing; a malformed
// record is an error naming the file.
func TestKillRecordedLeavesReusedPid(t *testing.T) {
	dir := t.TempDir()
	rec := filepath.Join(dir, "rec")
	os.WriteFile(rec, fmt.Appendf(nil, "%d %d\n", os.Getpid(), ProcStart(os.Getpid())+1), 0o644)
	if killed, err := KillRecorded(rec, time.Second); killed || err != nil {
		t.Errorf("KillRecorded of a reused pid = %v, %v", killed, err)
	}
	bad := filepath.Join(dir, "bad")
	os.WriteFile(bad, []byte("garbage\n"), 0o644)
	if _, err := KillRecorded(bad, time.Second); err == nil || !strings.Contains(err.Error(), bad) {
		t.Errorf("KillRecorded of a malformed record: %v", err)
	}
}
