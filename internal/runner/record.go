package runner

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

type recordKey struct{}

// WithProcessRecord returns a context whose commands record their process
// group in the file path while they run (the pid of the group leader and
// its start time). When the process that started them is killed (kill -9),
// another process can then stop the orphaned group with [KillRecorded]
// before it reuses or removes what the group was writing to. Commands run
// one after the other overwrite the record; it is removed when a command
// ends.
func WithProcessRecord(ctx context.Context, path string) context.Context {
	return context.WithValue(ctx, recordKey{}, path)
}

func recordPath(ctx context.Context) string {
	p, _ := ctx.Value(recordKey{}).(string)
	return p
}

// writeRecord records the process group of pid (its leader) in path.
func writeRecord(path string, pid int) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, fmt.Appendf(nil, "%d %d\n", pid, ProcStart(pid)), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// KillRecorded kills (SIGKILL) the process group recorded in path by a
// command run under [WithProcessRecord], when it still runs, waits up to
// wait for it to be gone, and removes the record. It reports whether a
// group was signalled. A missing record is not an error.
//
// A recorded leader that is gone is not a reused pid: Linux does not hand
// out a pid while a process group of that id has members, so the signal can
// only reach the orphans of the recorded group. A leader that is alive with
// another start time is a reused pid, and is left alone.
func KillRecorded(path string, wait time.Duration) (bool, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	defer os.Remove(path)
	f := strings.Fields(string(b))
	if len(f) != 2 {
		return false, fmt.Errorf("%s: not a process record", path)
	}
	pid, err1 := strconv.Atoi(f[0])
	start, err2 := strconv.ParseInt(f[1], 10, 64)
	if err1 != nil || err2 != nil || pid <= 1 {
		return false, fmt.Errorf("%s: not a process record", path)
	}
	if now := ProcStart(pid); now != 0 && start != 0 && now != start {
		return false, nil // the pid now belongs to another process
	}
	if err := syscall.Kill(-pid, syscall.SIGKILL); err != nil {
		if errors.Is(err, syscall.ESRCH) {
			return false, nil
		}
		return false, fmt.Errorf("kill the process group %d: %w", pid, err)
	}
	deadline := time.Now().Add(wait)
	for time.Now().Before(deadline) && groupAlive(pid) {
		time.Sleep(10 * time.Millisecond)
	}
	return true, nil
}

// groupAlive reports whether a process of group pgid still runs (zombies,
// which can no longer write anything, do not count).
func groupAlive(pgid int) bool {
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return syscall.Kill(-pgid, 0) == nil
	}
	for _, e := range ents {
		if e.Name()[0] < '0' || e.Name()[0] > '9' {
			continue
		}
		st, ok := procStat(e.Name())
		if ok && len(st) > 2 && st[0] != "Z" && st[2] == strconv.Itoa(pgid) {
			return true
		}
	}
	return false
}

// procStat returns the fields of /proc/PID/stat after the command name
// (state, ppid, pgrp, ...).
func procStat(pid string) ([]string, bool) {
	b, err := os.ReadFile("/proc/" + pid + "/stat")
	if err != nil {
		return nil, false
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return nil, false
	}
	return strings.Fields(s[i+1:]), true
}

// ProcStart returns the start time of a process (field 22 of
// /proc/PID/stat, in clock ticks since boot), 0 when unknown.
func ProcStart(pid int) int64 {
	f, ok := procStat(strconv.Itoa(pid))
	if !ok || len(f) < 20 {
		return 0
	}
	v, _ := strconv.ParseInt(f[19], 10, 64)
	return v
}
