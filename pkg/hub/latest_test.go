package hub

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// Repos of one tag finishing at once, in any order, leave latest naming the
// newest of them, with no temporary links left behind.
func TestPointLatestConcurrentAndForwardOnly(t *testing.T) {
	dir := t.TempDir()
	var wg sync.WaitGroup
	errs := make([]error, 20)
	for i := range errs {
		wg.Add(1)
		go func() { defer wg.Done(); errs[i] = pointLatest(dir, int64(i+1)) }()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("repo %d: %v", i+1, err)
		}
	}
	if err := pointLatest(dir, 3); err != nil { // an older repo finishing late
		t.Fatal(err)
	}
	got, err := os.Readlink(filepath.Join(dir, "latest"))
	if err != nil || got != fmt.Sprint(len(errs)) {
		t.Errorf("latest -> %q (%v), want %d", got, err, len(errs))
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 { // latest and .latest.lock
		t.Errorf("left behind: %v", entries)
	}
}
