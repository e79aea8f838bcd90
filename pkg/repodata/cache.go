package repodata

import (
	"bufio"
	"encoding/gob"
	"fmt"
	"os"
)

// cacheVersion changes whenever the XML fragments would be written
// differently, so an old cache is never reused.
const cacheVersion = 1

type cacheFile struct {
	Version        int
	ChangelogLimit int
	Entries        []*cacheEntry
}

// cacheEntry holds one package's XML fragments and the key they are valid
// for.
type cacheEntry struct {
	Href      string
	Size      int64
	MtimeNs   int64
	Primary   []byte
	Filelists []byte
	Other     []byte
}

// loadCache reads the sidecar cache; a missing, unreadable or stale cache
// is no cache.
func loadCache(path string, limit int) map[string]*cacheEntry {
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	var c cacheFile
	if err := gob.NewDecoder(bufio.NewReaderSize(f, 1<<20)).Decode(&c); err != nil {
		return nil
	}
	if c.Version != cacheVersion || c.ChangelogLimit != limit {
		return nil
	}
	m := make(map[string]*cacheEntry, len(c.Entries))
	for _, e := range c.Entries {
		m[e.Href] = e
	}
	return m
}

func saveCache(path string, limit int, entries []*cacheEntry) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("write repodata cache: %w", err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	err = gob.NewEncoder(w).Encode(cacheFile{Version: cacheVersion, ChangelogLimit: limit, Entries: entries})
	if err == nil {
		err = w.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("write repodata cache %s: %w", path, err)
	}
	return nil
}
