#!/usr/bin/env bash
# Run every benchmark of the project (make bench). Each bench/*.sh other than
# this one measures one figure against its peer in the same run and prints
# the ratio. Go benchmarks run too.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-$PWD/bin/osg-build}
export BIN
status=0
for s in bench/*.sh; do
  case $(basename "$s") in run.sh | lib.sh) continue ;; esac
  echo "== $s"
  bash "$s" || status=1
done
echo "== go benchmarks"
go test -run '^$' -bench . -benchtime 3x ./... || status=1
exit $status
