#!/usr/bin/env bash
# scripts/demo.sh BIN -- the demo of `make demo`: build the sample package
# testdata/packages/osg-hello with the osg-build binary BIN, offline, as
# root or not.
#
#  1. copy the sample package into a temporary work directory;
#  2. create the local git repository of its git source and write the
#     .source line that points at it (testdata/packages/make-git-source.sh);
#  3. prebuild: assemble _final_srpm_contents (the upstream tarball from a
#     local upstream cache given with --cache-prefix file://..., the git
#     tarball, the upstream/ file, osg/ on top) and build the SRPM;
#  4. rpmbuild: build the RPMs, and show what they hold.
#
# The download cache is private to the work directory, so the first
# prebuild downloads and the rpmbuild after it reuses the cache.
set -euo pipefail

if [ $# -lt 1 ]; then
  echo "usage: $0 BIN" >&2
  exit 2
fi
BIN=$1
case $BIN in /*) ;; *) BIN=$PWD/$BIN ;; esac
repo=$(cd "$(dirname "$0")/.." && pwd)
for tool in rpmbuild rpm git; do
  command -v "$tool" >/dev/null || { echo "demo: $tool is not installed (run make deps)" >&2; exit 1; }
done

work=$(mktemp -d "${TMPDIR:-/tmp}/osg-build-demo.XXXXXX")
export XDG_CACHE_HOME=$work/cache
cache="file://$repo/testdata/packages/cache"

if [ -t 1 ]; then bold=$'\033[1m' off=$'\033[0m'; else bold='' off=''; fi
step() { printf '\n%s==> %s%s\n' "$bold" "$*" "$off"; }
show() { printf '$ %s\n' "$*" >&2; "$@"; }

step "Sample package copied to $work/osg-hello"
cp -R "$repo/testdata/packages/osg-hello" "$work/osg-hello"
(cd "$work" && find osg-hello -type f | sort)

step "Local git repository for the git source"
hash=$(sh "$repo/testdata/packages/make-git-source.sh" "$work/osg-hello" "$work/git/osg-hello-docs.git")
echo "created $work/git/osg-hello-docs.git (tag v1.0 = $hash)"
for f in "$work"/osg-hello/upstream/*.source; do
  echo "--- upstream/$(basename "$f")"
  cat "$f"
done

step "prebuild: assemble the sources and build the SRPM"
show "$BIN" prebuild --cache-prefix "$cache" "$work/osg-hello"
echo "assembled in _final_srpm_contents:"
ls -1 "$work/osg-hello/_final_srpm_contents" | sed 's/^/    /'

step "rpmbuild: build the RPMs (the download cache is warm now)"
show "$BIN" rpmbuild --cache-prefix "$cache" "$work/osg-hello" | tee "$work/rpms.txt"

step "The RPMs"
while read -r rpmfile; do
  show rpm -qp --qf '%{NAME}-%{VERSION}-%{RELEASE}.%{ARCH}: %{SUMMARY}\n' "$rpmfile"
  rpm -qlp "$rpmfile" | sed 's/^/    /'
done < "$work/rpms.txt"

printf '\nDemo done. Everything is in %s (remove it when done).\n' "$work"
