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
#  4. rpmbuild: build the RPMs, and show what they hold;
#  5. the embedded hub: create one (osg-build hub init, the OSG 25 preset),
#     commit the package to a git packaging repository (subtree layout,
#     25-main/koji.ini, a bare file:// remote allowed in a private vcs.ini),
#     build it with `osg-build koji` in the hub (the hub's builder checks the
#     commit out, runs fetch-sources in it, builds and tags the build), show
#     it in the destination tag and in the build tag's repo (read by dnf when
#     it is installed), then promote it to -testing with osg-promote (a
#     symlink to BIN), which prints the ticket table.
#
# Nothing outside the work directory is touched: HOME's config and data
# directories are private to it (XDG_CONFIG_HOME, XDG_DATA_HOME).
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
export XDG_CACHE_HOME=$work/cache XDG_CONFIG_HOME=$work/config XDG_DATA_HOME=$work/data
cache="file://$repo/testdata/packages/cache"
# the hub's builders fetch the upstream tarball from the same local cache
export OSG_BUILD_CACHE_PREFIX=$cache

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

step "The embedded hub: create it with the OSG 25 tags and targets"
hub=$work/hub
show "$BIN" hub init --dir "$hub" | sed -n '1,12p'
H=(--hub "local:$hub")

step "A git packaging repository (subtree layout) with the package committed and pushed"
git init -q --bare "$work/git/software-packaging.git"
git clone -q "file://$work/git/software-packaging.git" "$work/checkout" 2>/dev/null
git -C "$work/checkout" checkout -q -b main
mkdir -p "$work/checkout/25-main"
printf '[koji]\nrepo = 25-main\n' > "$work/checkout/25-main/koji.ini"
printf '_*/\n' > "$work/checkout/.gitignore"
cp -R "$repo/testdata/packages/osg-hello" "$work/checkout/25-main/osg-hello"
cp "$work/osg-hello/upstream/"*.source "$work/checkout/25-main/osg-hello/upstream/"
git -C "$work/checkout" add -A
git -C "$work/checkout" -c user.name=Demo -c user.email=demo@example.org commit -q -m "osg-hello 1.0"
git -C "$work/checkout" push -q -u origin main 2>/dev/null
mkdir -p "$XDG_CONFIG_HOME/osg-build"
printf '[remote osg2]\nurls = file://%s/git/software-packaging.git\n' "$work" > "$XDG_CONFIG_HOME/osg-build/vcs.ini"
echo "pushed $(git -C "$work/checkout" rev-parse --short HEAD) to file://$work/git/software-packaging.git (allowed as remote osg2)"

step "osg-build koji: build it from git in the hub and watch it to the end"
show "$BIN" "${H[@]}" koji --el9 "$work/checkout/25-main/osg-hello"

step "The build is in the destination tag"
show "$BIN" "${H[@]}" osg-koji list-tagged osg-25-main-el9-development
nvr=$("$BIN" "${H[@]}" osg-koji list-tagged --quiet osg-25-main-el9-development | awk '/^osg-hello-/ {print $1; exit}')

step "The build tag's repo holds it (the hub regenerates repos when tags change)"
show "$BIN" "${H[@]}" wait-repo osg-25-main-el9-build --build "$nvr"
repodir=$(ls -d "$hub"/topdir/repos/osg-25-main-el9-build/latest/x86_64 2>/dev/null || true)
if [ -n "$repodir" ]; then
  echo "repo: $repodir"
  if command -v dnf >/dev/null; then
    show dnf -q --setopt=reposdir=/dev/null --setopt=cachedir="$work/dnf-cache" --disableplugin='*' \
      --releasever=9 --repofrompath=osg-demo,"file://$repodir" --repo=osg-demo repoquery --qf '%{name}-%{evr}.%{arch}' 2>/dev/null
  else
    ls "$repodir/repodata"
  fi
fi

step "Promote it to testing with osg-promote (the same binary under that name)"
mkdir -p "$work/bin"
ln -sf "$BIN" "$work/bin/osg-promote"
show "$work/bin/osg-promote" "${H[@]}" --list-routes | grep -E '^ - 25-(main|testing) '
show "$work/bin/osg-promote" "${H[@]}" -r 25-testing --el9-only -y osg-hello
show "$BIN" "${H[@]}" osg-koji list-tagged osg-25-main-el9-testing

printf '\nDemo done. Everything is in %s (remove it when done).\n' "$work"
