#!/usr/bin/env bash
# bench/prebuild.sh -- osg-build prebuild of the sample package with its
# sources in the warm local download cache, against a raw `rpmbuild -bs` on
# the same assembled directory, side by side (alternating), RUNS runs each.
# Prints both medians and the ratio (target: <= 1.25x). A second run does the
# same with a LARGE_MB (default 16) upstream tarball, where osg-build's fixed
# costs (process start, assembly: ~10-15 ms) weigh less; LARGE_MB=0 skips it.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
repo=$PWD
BIN=${BIN:-$repo/bin/osg-build}
RUNS=${RUNS:-11}
for tool in rpmbuild git; do
  command -v "$tool" >/dev/null || { echo "prebuild bench: $tool is not installed (make deps)" >&2; exit 1; }
done
[ -x "$BIN" ] || { echo "prebuild bench: no binary $BIN (make build)" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/osg-build-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
export XDG_CACHE_HOME=$work/cache
cp -R testdata/packages/osg-hello "$work/osg-hello"
sh testdata/packages/make-git-source.sh "$work/osg-hello" "$work/osg-hello-docs.git" >/dev/null
cache="file://$repo/testdata/packages/cache"
pkg=$work/osg-hello
final=$pkg/_final_srpm_contents

# measure LABEL RUNS: warm the cache, then alternate osg-build prebuild and
# the raw rpmbuild -bs with the same defines on the same assembled directory.
measure() {
  local label=$1 runs=$2
  "$BIN" prebuild -q --el9 -c "$cache" "$pkg" >/dev/null
  local raw=(rpmbuild -bs --nodeps
    --define "_build_name_fmt %{NAME}-%{VERSION}-%{RELEASE}.%{ARCH}.rpm"
    --define "rhel 9" --define "dist .osg.el9" --define "osg 1"
    --define "el7 0" --define "el8 0" --define "el9 1" --define "el10 0")
  for m in _topdir _builddir _buildrootdir _rpmdir _sourcedir _specdir _srcrpmdir _tmppath; do
    raw+=(--define "$m $final")
  done
  raw+=("$final/osg-hello.spec")
  local ours=() theirs=() t0 t1
  for _ in $(seq "$runs"); do
    stamp t0; "$BIN" prebuild -q --el9 -c "$cache" "$pkg" >/dev/null; stamp t1
    ours+=($((t1 - t0)))
    stamp t0; LC_ALL=C "${raw[@]}" >/dev/null 2>&1; stamp t1
    theirs+=($((t1 - t0)))
  done
  local mo mt lo lt
  mo=$(median "${ours[@]}"); mt=$(median "${theirs[@]}")
  lo=$(minimum "${ours[@]}"); lt=$(minimum "${theirs[@]}")
  awk -v o="$mo" -v t="$mt" -v lo="$lo" -v lt="$lt" -v n="$runs" -v label="$label" -v load="$(cut -d' ' -f1 /proc/loadavg 2>/dev/null)" 'BEGIN {
    printf "prebuild, %s, warm cache, %d runs each, load average %s:\n", label, n, load
    printf "  osg-build prebuild   median %8.1f ms   min %8.1f ms\n", o/1000, lo/1000
    printf "  raw rpmbuild -bs     median %8.1f ms   min %8.1f ms\n", t/1000, lt/1000
    r = o/t
    printf "  ratio of medians %.2fx (target <= 1.25x): %s; ratio of minimums %.2fx\n", r, (r <= 1.25 ? "ok" : "OVER TARGET"), lo/lt
  }'
}
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : int((a[NR/2]+a[NR/2+1])/2)}'; }
minimum() { printf '%s\n' "$@" | sort -n | head -1; }

measure "the sample package (a 223-byte tarball)" "$RUNS"

# For reading the ratio: the fixed cost of starting (and ending) the
# osg-build process at all, which the raw rpmbuild does not pay.
starts=()
for _ in $(seq "$RUNS"); do
  stamp t0; "$BIN" --version >/dev/null; stamp t1
  starts+=($((t1 - t0)))
done
awk -v s="$(median "${starts[@]}")" -v m="$(minimum "${starts[@]}")" 'BEGIN {
  printf "  (osg-build --version alone: median %.1f ms, min %.1f ms: process start-up and exit)\n", s/1000, m/1000 }'

# The same package with a realistic upstream tarball (LARGE_MB of
# incompressible data, like a typical upstream release), from a private cache
# with the .source line rewritten for it: here fixed costs matter less.
LARGE_MB=${LARGE_MB:-16}
if [ "$LARGE_MB" -gt 0 ]; then
  big=$work/bigcache/osg-hello/1.0
  mkdir -p "$big" "$work/src/osg-hello-1.0"
  head -c $((LARGE_MB * 1024 * 1024)) /dev/urandom > "$work/src/osg-hello-1.0/data.bin"
  tar -C "$work/src" -czf "$big/osg-hello-1.0.tar.gz" osg-hello-1.0
  sha1=$(sha1sum "$big/osg-hello-1.0.tar.gz" | cut -d' ' -f1)
  sha256=$(sha256sum "$big/osg-hello-1.0.tar.gz" | cut -d' ' -f1)
  echo "osg-hello/1.0/osg-hello-1.0.tar.gz sha1sum=$sha1 sha256sum=$sha256" > "$pkg/upstream/osg-hello.tarball.source"
  cache="file://$work/bigcache"
  measure "a ${LARGE_MB} MB upstream tarball" "${LARGE_RUNS:-5}"
fi
