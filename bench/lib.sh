# bench/lib.sh -- sourced by the benchmark scripts.

# stamp VAR: the wall clock in microseconds into VAR. Where bash has
# EPOCHREALTIME (bash >= 5) no process is started, so a timing around a
# command measures the command, not also the start of a `date` (about a
# millisecond here, as much as a fifth of the shortest figures).
stamp() {
  local t=${EPOCHREALTIME:-}
  if [ -n "$t" ]; then t=${t/[.,]/}; else t=$(date +%s%6N); fi
  printf -v "$1" '%s' "$t"
}
