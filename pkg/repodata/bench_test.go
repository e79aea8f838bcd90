package repodata

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// benchRepo makes a repository of n RPMs: copies of the fixtures under
// distinct names, or the RPMs of $RPMS_DIR when set (bench/repodata.sh's
// KEEP_RPMS=DIR keeps its 2,000 packages for this). bench/repodata.sh
// measures the command against createrepo_c; this measures the library
// in-process, as the hub calls it.
func benchRepo(b *testing.B, n int) string {
	b.Helper()
	dir := b.TempDir()
	if src := os.Getenv("RPMS_DIR"); src != "" {
		paths, _ := filepath.Glob(filepath.Join(src, "*.rpm"))
		if len(paths) < n {
			b.Fatalf("RPMS_DIR %s has %d RPMs, want %d", src, len(paths), n)
		}
		for _, p := range paths[:n] {
			data, err := os.ReadFile(p)
			if err != nil {
				b.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, filepath.Base(p)), data, 0o644); err != nil {
				b.Fatal(err)
			}
		}
		return dir
	}
	var data [][]byte
	for _, f := range fixtures {
		d, err := os.ReadFile(fixturePath(f))
		if err != nil {
			b.Fatal(err)
		}
		data = append(data, d)
	}
	for i := range n {
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("pkg-%05d.rpm", i)), data[i%len(data)], 0o644); err != nil {
			b.Fatal(err)
		}
	}
	return dir
}

// BenchmarkGenerate: a full run over 2,000 RPMs, and an update after
// adding one package (reported as a fraction of the full run): checking
// every package's size and mtime (createrepo_c --update), trusting the
// cache (--skip-stat), and as the hub regenerates a tag's repo (an explicit
// package list below toplink/, --skip-stat as kojid runs createrepo_c).
func BenchmarkGenerate(b *testing.B) {
	const n = 2000
	repo := benchRepo(b, n)
	extra, _ := os.ReadFile(fixturePath(fixtures[2]))
	// The added package sorts in the middle of either set.
	extraName := "pkg-01000a.rpm"
	if os.Getenv("RPMS_DIR") != "" {
		extraName = "bench-sub-1000a.rpm"
	}
	ctx := context.Background()
	var full float64
	b.Run("full", func(b *testing.B) {
		for b.Loop() {
			if _, err := Generate(ctx, Options{Dir: repo, Workers: 2}); err != nil {
				b.Fatal(err)
			}
		}
		full = float64(b.Elapsed().Nanoseconds()) / float64(b.N)
	})

	paths, _ := filepath.Glob(filepath.Join(repo, "*.rpm"))
	var hubList []string
	for _, p := range paths {
		hubList = append(hubList, "toplink/"+filepath.Base(p))
	}
	// newRepoDir makes the arch directory of a new hub repo: the packages
	// below toplink/, listed explicitly.
	hubRoot := b.TempDir()
	newRepoDir := func() string {
		d, err := os.MkdirTemp(hubRoot, "repo-")
		if err != nil {
			b.Fatal(err)
		}
		if err := os.Symlink(repo, filepath.Join(d, "toplink")); err != nil {
			b.Fatal(err)
		}
		return d
	}

	for _, mode := range []string{"", "-skip-stat", "-hub"} {
		b.Run("update-one-added"+mode, func(b *testing.B) {
			checked := false
			for b.Loop() {
				b.StopTimer()
				os.Remove(filepath.Join(repo, extraName))
				opts := Options{Dir: repo, Workers: 2}
				if mode == "-hub" {
					opts.Dir, opts.Packages = newRepoDir(), hubList
				}
				if _, err := Generate(ctx, opts); err != nil {
					b.Fatal(err)
				}
				os.WriteFile(filepath.Join(repo, extraName), extra, 0o644)
				upd := opts
				upd.Update, upd.SkipStat = true, mode != ""
				if mode == "-hub" {
					// As pkg/hub/engine regenerates a tag's repo: a new
					// repo directory, the previous repo's cache linked in.
					upd.Dir = newRepoDir()
					upd.Packages = append(slices.Clip(hubList), "toplink/"+extraName)
				}
				b.StartTimer()
				if mode == "-hub" {
					os.Mkdir(filepath.Join(upd.Dir, "repodata"), 0o755)
					if err := os.Link(filepath.Join(opts.Dir, "repodata", CacheName), filepath.Join(upd.Dir, "repodata", CacheName)); err != nil {
						b.Fatal(err)
					}
				}
				res, err := Generate(ctx, upd)
				if err != nil {
					b.Fatal(err)
				}
				if res.Reused != n || res.Packages != n+1 {
					b.Fatalf("%d packages, reused %d of %d", res.Packages, res.Reused, n)
				}
				if !checked {
					// What is measured must be right: the files read
					// whole, with their checksums and trailers.
					b.StopTimer()
					for _, typ := range []string{"primary", "filelists", "other"} {
						openMD(b, upd.Dir, typ)
					}
					checked = true
					b.StartTimer()
				}
				if mode == "-hub" {
					b.StopTimer()
					os.RemoveAll(opts.Dir)
					os.RemoveAll(upd.Dir)
					b.StartTimer()
				}
			}
			if full > 0 {
				upd := float64(b.Elapsed().Nanoseconds()) / float64(b.N)
				b.ReportMetric(upd/full, "x-full-run")
			}
		})
	}
}
