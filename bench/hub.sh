#!/usr/bin/env bash
# bench/hub.sh -- the embedded hub's read path (issue 4): getLatestBuilds and
# listTagged(inherit, latest) for one package, on a tag with 20,000 tagged
# builds (2,000 packages x 10) at the bottom of a 5-level inheritance chain,
# from 8 concurrent clients over loopback TLS and in-process. Targets: served
# >= 500 calls/s with p99 < 50 ms; in-process >= 10x served.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-6000}
out=$(go test -run '^$' -bench 'BenchmarkLatest(InProcess|ServedTLS)$' -benchtime "${N}x" ./pkg/hub/)
echo "$out" | grep '^Benchmark'
echo "$out" | awk '
  /^BenchmarkLatestInProcess/ { for (i = 1; i <= NF; i++) { if ($(i+1) == "calls/s") ip = $i; if ($(i+1) == "p99-ms") ipp = $i } }
  /^BenchmarkLatestServedTLS/ { for (i = 1; i <= NF; i++) { if ($(i+1) == "calls/s") sv = $i; if ($(i+1) == "p99-ms") svp = $i } }
  END {
    if (sv == 0) { print "hub bench: no result"; exit 1 }
    printf "served TLS: %.0f calls/s (target >= 500: %s), p99 %.1f ms (target < 50: %s)\n", sv, (sv >= 500 ? "ok" : "UNDER"), svp, (svp < 50 ? "ok" : "OVER")
    printf "in-process: %.0f calls/s (target >= 5000, 10x the served target: %s), p99 %.1f ms; in-process/served measured %.1fx\n", ip, (ip >= 5000 ? "ok" : "UNDER"), ipp, ip / sv
  }'
