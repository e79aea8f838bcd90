#!/usr/bin/env bash
# A local build through the embedded hub (osg-build --hub local koji
# --scratch SRPM: upload, build task, buildArch with rpmbuild, scratch import,
# watched to the end) against a raw `rpmbuild --rebuild` of the same SRPM, in
# the same run. Target: hub <= 1.15 x raw + 200 ms. The figure is the best of
# RUNS runs of each, after one warm-up build that makes the build tag's repo.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
BIN=${BIN:-$PWD/bin/osg-build}
RUNS=${RUNS:-3}
for tool in rpmbuild; do
  command -v "$tool" >/dev/null || { echo "hubbuild: $tool is not installed: skipped"; exit 0; }
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export HOME=$work/home XDG_DATA_HOME=$work/data XDG_CACHE_HOME=$work/cache OSG_BUILD_HUB=
mkdir -p "$HOME"
arch=$(uname -m)
cat > "$work/benchpkg.spec" <<'SPEC'
Name: benchpkg
Version: 1.0
Release: 1%{?dist}
Summary: a package that takes about a second to build
License: MIT

%description
benchmark package

%build
for i in 1 2 3 4 5 6; do
  head -c 40000000 /dev/zero | gzip -1 > data$i.gz
done

%install
mkdir -p %{buildroot}/usr/share/benchpkg
cp data1.gz %{buildroot}/usr/share/benchpkg/

%files
/usr/share/benchpkg
SPEC
rpmbuild -bs --define "_topdir $work/rb" --define "_srcrpmdir $work" --define "dist .osg25.el9" "$work/benchpkg.spec" >/dev/null
srpm=$(ls "$work"/benchpkg-*.src.rpm)
"$BIN" hub init --dir "$work/hub" --arches "$arch" >/dev/null 2>&1

hub_build() {
  "$BIN" --hub "local:$work/hub" koji --scratch --el9 --repo 25-main "$srpm" >"$work/hub.out" 2>&1 || {
    cat "$work/hub.out"; echo "hubbuild: the hub build failed"; exit 1; }
}
raw_build() {
  rm -rf "$work/raw"
  rpmbuild --rebuild --define "_topdir $work/raw" --define "dist .osg25.el9" "$srpm" >"$work/raw.out" 2>&1 || {
    cat "$work/raw.out"; echo "hubbuild: rpmbuild failed"; exit 1; }
}
hub_build # warm-up: the build tag's first repo
best_hub=999999 best_raw=999999
for _ in $(seq "$RUNS"); do
  stamp t0; raw_build; stamp t1
  best_raw=$(awk -v a="$t0" -v b="$t1" -v c="$best_raw" 'BEGIN { d = (b - a) / 1e6; print (d < c) ? d : c }')
  stamp t0; hub_build; stamp t1
  best_hub=$(awk -v a="$t0" -v b="$t1" -v c="$best_hub" 'BEGIN { d = (b - a) / 1e6; print (d < c) ? d : c }')
done
awk -v h="$best_hub" -v r="$best_raw" 'BEGIN {
  limit = 1.15 * r + 0.2
  printf "hubbuild: hub build %.3f s, raw rpmbuild --rebuild %.3f s: ratio %.3f (target <= 1.15 x + 0.2 s = %.3f s): %s\n",
    h, r, h / r, limit, (h <= limit) ? "ok" : "SLOWER THAN TARGET"
  exit (h <= limit) ? 0 : 1
}'
