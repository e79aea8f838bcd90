#!/usr/bin/env bash
# bench/auth.sh -- median wall time of `osg-build auth` on a valid proxy
# (target: <= 10 ms), against grid-proxy-info on the same file when
# installed (globus-proxy-utils), over RUNS runs.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
BIN=${BIN:-$PWD/bin/osg-build}
RUNS=${RUNS:-31}
[ -x "$BIN" ] || { echo "auth bench: no binary $BIN (make build)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export HOME=$work
"$BIN" hub init --dir "$work/hub" >/dev/null 2>&1
"$BIN" hub issue-cert --dir "$work/hub" bench -o "$work/bench.pem" >/dev/null 2>&1
"$BIN" proxy init --quiet --cert "$work/bench.pem" --key "$work/bench.pem" --out "$work/x509up"
printf '[koji]\nserver = https://127.0.0.1:9/kojihub\nauthtype = ssl\ncert = %s\nserverca = %s\n' \
  "$work/x509up" "$work/hub/pki/ca.crt" >"$work/config"
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : int((a[NR/2]+a[NR/2+1])/2)}'; }
ours=() theirs=()
"$BIN" auth --config "$work/config" >/dev/null
for _ in $(seq "$RUNS"); do
  stamp t0; "$BIN" auth --config "$work/config" >/dev/null; stamp t1
  ours+=($((t1 - t0)))
  if command -v grid-proxy-info >/dev/null; then
    stamp t0; grid-proxy-info -file "$work/x509up" >/dev/null; stamp t1
    theirs+=($((t1 - t0)))
  fi
done
mo=$(median "${ours[@]}")
awk -v o="$mo" -v n="$RUNS" 'BEGIN {
  printf "osg-build auth (valid proxy), %d runs: median %.1f ms (target <= 10 ms: %s)\n", n, o/1000, (o <= 10000 ? "ok" : "OVER TARGET")
}'
if [ ${#theirs[@]} -gt 0 ]; then
  mt=$(median "${theirs[@]}")
  awk -v o="$mo" -v t="$mt" 'BEGIN { printf "grid-proxy-info, same file: median %.1f ms; ratio %.2fx\n", t/1000, o/t }'
else
  echo "grid-proxy-info: not installed (globus-proxy-utils), no comparison"
fi
