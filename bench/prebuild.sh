#!/usr/bin/env bash
# bench/prebuild.sh -- osg-build prebuild of the sample package with its
# sources in the warm local download cache, against a raw `rpmbuild -bs` on
# the same assembled directory, side by side (alternating), RUNS runs each.
# Prints both medians and the ratio (target: <= 1.25x).
set -euo pipefail
cd "$(dirname "$0")/.."
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

# warm the download cache
"$BIN" prebuild -q --el9 -c "$cache" "$pkg" >/dev/null

# the raw peer: the same defines osg-build passes, on the same directory
raw=(rpmbuild -bs --nodeps
  --define "_build_name_fmt %{NAME}-%{VERSION}-%{RELEASE}.%{ARCH}.rpm"
  --define "rhel 9" --define "dist .osg.el9" --define "osg 1"
  --define "el7 0" --define "el8 0" --define "el9 1" --define "el10 0")
for m in _topdir _builddir _buildrootdir _rpmdir _sourcedir _specdir _srcrpmdir _tmppath; do
  raw+=(--define "$m $final")
done
raw+=("$final/osg-hello.spec")

now() { date +%s%N; }
ours=() theirs=()
for _ in $(seq "$RUNS"); do
  t0=$(now); "$BIN" prebuild -q --el9 -c "$cache" "$pkg" >/dev/null; t1=$(now)
  ours+=($(( (t1 - t0) / 1000 )))
  t0=$(now); LC_ALL=C "${raw[@]}" >/dev/null 2>&1; t1=$(now)
  theirs+=($(( (t1 - t0) / 1000 )))
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : int((a[NR/2]+a[NR/2+1])/2)}'; }
minimum() { printf '%s\n' "$@" | sort -n | head -1; }
mo=$(median "${ours[@]}")
mt=$(median "${theirs[@]}")
lo=$(minimum "${ours[@]}")
lt=$(minimum "${theirs[@]}")
awk -v o="$mo" -v t="$mt" -v lo="$lo" -v lt="$lt" -v n="$RUNS" -v load="$(cut -d' ' -f1 /proc/loadavg 2>/dev/null)" 'BEGIN {
  printf "prebuild (warm cache), %d runs each, load average %s:\n", n, load
  printf "  osg-build prebuild   median %7.1f ms   min %7.1f ms\n", o/1000, lo/1000
  printf "  raw rpmbuild -bs     median %7.1f ms   min %7.1f ms\n", t/1000, lt/1000
  r = o/t
  printf "  ratio of medians %.2fx (target <= 1.25x): %s; ratio of minimums %.2fx\n", r, (r <= 1.25 ? "ok" : "OVER TARGET"), lo/lt
}'
