#!/bin/sh
# make-git-source.sh PKGDIR REPODIR
#
# Makes the git source of the sample package osg-hello: a local git
# repository REPODIR (a bare repository, tag v1.0, also an annotated tag
# v1.0-annotated) from testdata/packages/git/osg-hello-docs, and writes
# PKGDIR/upstream/osg-hello-docs.git.source pointing at it with the commit
# hash. Git repositories cannot be committed inside this repository, so the
# demo and the tests make it. The commit is reproducible (fixed dates and
# author), so the hash is the same on every machine.
set -eu
pkgdir=$1
repo=$2
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export GIT_AUTHOR_NAME="Test Packager" GIT_AUTHOR_EMAIL="packager@example.org"
export GIT_COMMITTER_NAME="Test Packager" GIT_COMMITTER_EMAIL="packager@example.org"
export GIT_AUTHOR_DATE="2026-01-01T00:00:00Z" GIT_COMMITTER_DATE="2026-01-01T00:00:00Z"
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
cp -R "$here/git/osg-hello-docs/." "$tmp/"
git -C "$tmp" init -q -b main
git -C "$tmp" add -A
git -C "$tmp" commit -q -m "osg-hello documentation 1.0"
git -C "$tmp" tag v1.0
git -C "$tmp" tag -a -m "release 1.0" v1.0-annotated
rm -rf "$repo"
git clone -q --bare "$tmp" "$repo"
hash=$(git -C "$repo" rev-parse v1.0)
case $repo in /*) abs=$repo ;; *) abs=$(pwd)/$repo ;; esac
cat > "$pkgdir/upstream/osg-hello-docs.git.source" <<SRC
# the documentation, from a git repository (made by make-git-source.sh)
type=git url=file://$abs tag=v1.0 hash=$hash name=osg-hello-docs
SRC
echo "$hash"
