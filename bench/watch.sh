#!/usr/bin/env bash
# bench/watch.sh -- HTTP requests to the hub per poll while watching the
# builds of 20 packages x 2 dvers (40 build tasks) submitted to an embedded hub
# served over loopback TLS (target: <= 2 whatever the number of tasks), against
# the koji CLI's way of polling (getTaskInfo + getTaskChildren per task, one
# request each), measured on the same hub in the same run.
set -euo pipefail
cd "$(dirname "$0")/.."
line=$(go test -count=1 -run '^TestServedWatchRequestsPerPoll$' -v ./internal/kojibuild/ | grep '^WATCH_FIGURES' || true)
[ -n "$line" ] || { echo "watch bench: the test printed no figures" >&2; exit 1; }
echo "$line" | awk '{
  for (i = 2; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
  n = split(f["watch_requests_per_poll"], p, ",")
  worst = 0; for (i = 1; i <= n; i++) if (p[i] > worst) worst = p[i]
  printf "watch of %d tasks: %d HTTP request(s) per poll at most over %d polls (target <= 2: %s); koji CLI style: %d per poll; ratio %.0fx; submitting took %d requests\n",
    f["tasks"], worst, n, (worst <= 2 ? "ok" : "OVER TARGET"), f["koji_style_requests_per_poll"], f["koji_style_requests_per_poll"] / (worst ? worst : 1), f["submit_requests"]
}'
