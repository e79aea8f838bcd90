#!/usr/bin/env bash
# bench/mirror.sh -- osg-build hub mirror of a served hub's target over
# loopback TLS: hub A holds N packages (a real SRPM and noarch RPM each)
# tagged into osg-25-main-el9-development; hub B mirrors osg-25-main-el9
# (its 4-tag chain). Reports the hub requests (total and per tag), the files
# and the wall time of a first mirror, of a re-run with nothing to do, and of
# a --since-last after one new build on A. There is no peer tool to compare
# with (koji has no mirror): the figures are reported as they are.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
BIN=${BIN:-$PWD/bin/osg-build}
N=${N:-50}
[ -x "$BIN" ] || { echo "mirror bench: no binary $BIN (make build)" >&2; exit 1; }
command -v rpmbuild >/dev/null || { echo "mirror: rpmbuild is not installed: skipped"; exit 0; }
work=$(mktemp -d)
serve_pid=
cleanup() { [ -n "$serve_pid" ] && kill -INT "$serve_pid" 2>/dev/null && wait "$serve_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
export HOME=$work/home XDG_DATA_HOME=$work/data XDG_CACHE_HOME=$work/cache OSG_BUILD_HUB=
mkdir -p "$HOME"
"$BIN" hub init --dir "$work/hubA" >/dev/null 2>&1
me=$(id -un)

mkpkg() { # NAME VERSION: an SRPM and a noarch RPM in $work/rpms
  cat > "$work/$1.spec" <<SPEC
Name: $1
Version: $2
Release: 1%{?dist}
Summary: mirror bench package
License: MIT
BuildArch: noarch
%description
mirror bench package
%install
mkdir -p %{buildroot}/usr/share/$1
head -c 20000 /dev/urandom > %{buildroot}/usr/share/$1/data
%files
/usr/share/$1
SPEC
  rpmbuild -ba --quiet --define "_topdir $work/rb" --define "_srcrpmdir $work/rpms" --define "_rpmdir $work/rpms" \
    --define '_build_name_fmt %%{NAME}-%%{VERSION}-%%{RELEASE}.%%{ARCH}.rpm' --define "dist .osg25.el9" "$work/$1.spec" >/dev/null 2>&1
}
mkdir -p "$work/rpms"
pkgs=() nvrs=()
for i in $(seq "$N"); do
  mkpkg "bench$i" 1
  pkgs+=("bench$i") nvrs+=("bench$i-1-1.osg25.el9")
done
A=(--hub "local:$work/hubA")
"$BIN" "${A[@]}" osg-koji import "$work"/rpms/*.src.rpm >/dev/null 2>&1
"$BIN" "${A[@]}" osg-koji import "$work"/rpms/*.noarch.rpm >/dev/null 2>&1
"$BIN" "${A[@]}" osg-koji add-pkg --owner "$me" osg-el9 "${pkgs[@]}" >/dev/null 2>&1
"$BIN" "${A[@]}" osg-koji tag-build osg-25-main-el9-development "${nvrs[@]}" >/dev/null 2>&1

"$BIN" hub serve --dir "$work/hubA" --listen 127.0.0.1:0 >"$work/serve.out" 2>&1 &
serve_pid=$!
for _ in $(seq 200); do [ -s "$work/hubA/serve.json" ] && break; sleep 0.05; done
url=$(sed -n 's/.*"url": *"\([^"]*\)".*/\1/p' "$work/hubA/serve.json")
top=$(sed -n 's/.*"topurl": *"\([^"]*\)".*/\1/p' "$work/hubA/serve.json")
cert=$(ls "$work/hubA/pki/"*.pem | head -1)
printf '[koji]\nserver = %s\ntopurl = %s\nserverca = %s\ncert = %s\nauthtype = ssl\n' \
  "$url" "$top" "$work/hubA/pki/ca.crt" "$cert" >"$work/koji.conf"

mirror() { # LABEL ARGS...: one mirror run into hub B, its figures
  local label=$1; shift
  stamp t0
  "$BIN" --config "$work/koji.conf" hub mirror --from koji --dir "$work/hubB" "$@" osg-25-main-el9 >"$work/m.out" 2>"$work/m.err" || {
    cat "$work/m.out" "$work/m.err"; echo "mirror bench: $label failed"; exit 1; }
  stamp t1
  awk -v l="$label" -v us=$((t1 - t0)) '
    /^Mirrored/ { split($0, a, ": "); what = a[2] }
    /^Files:/ { files = substr($0, 8) }
    /^Requests:/ { req = $2; per = $3; gsub(/[(]/, "", per) }
    END { printf "%-22s %6.0f ms  %s requests (%s per tag)  %s; %s\n", l, us/1000, req, per, what, files }' "$work/m.out"
}
echo "hub mirror of osg-25-main-el9 (4 tags) with $N builds, $((2 * N)) files, over loopback TLS:"
mirror "first mirror"
mirror "re-run (nothing new)" --no-repos
mkpkg benchnew 1
"$BIN" --config "$work/koji.conf" osg-koji import "$work"/rpms/benchnew-1-1.osg25.el9.src.rpm "$work"/rpms/benchnew-1-1.osg25.el9.noarch.rpm >/dev/null 2>&1
"$BIN" --config "$work/koji.conf" osg-koji add-pkg --owner "$me" osg-el9 benchnew >/dev/null 2>&1
"$BIN" --config "$work/koji.conf" osg-koji tag-build osg-25-main-el9-development benchnew-1-1.osg25.el9 >/dev/null 2>&1
mirror "--since-last (1 new)" --since-last
