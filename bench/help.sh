#!/usr/bin/env bash
# bench/help.sh -- median wall time of `osg-build --help` over RUNS runs
# (target: <= 20 ms), with `true` as the floor of starting a process here.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
BIN=${BIN:-$PWD/bin/osg-build}
RUNS=${RUNS:-31}
[ -x "$BIN" ] || { echo "help bench: no binary $BIN (make build)" >&2; exit 1; }
ours=() floor=()
"$BIN" --help >/dev/null
for _ in $(seq "$RUNS"); do
  stamp t0; "$BIN" --help >/dev/null; stamp t1
  ours+=($((t1 - t0)))
  stamp t0; /bin/true; stamp t1
  floor+=($((t1 - t0)))
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : int((a[NR/2]+a[NR/2+1])/2)}'; }
mo=$(median "${ours[@]}")
mf=$(median "${floor[@]}")
awk -v o="$mo" -v f="$mf" -v n="$RUNS" 'BEGIN {
  printf "osg-build --help, %d runs: median %.1f ms (target <= 20 ms: %s); /bin/true median %.1f ms; ratio %.1fx\n", n, o/1000, (o <= 20000 ? "ok" : "OVER TARGET"), f/1000, o/f
}'
