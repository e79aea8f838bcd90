#!/usr/bin/env bash
# scripts/fuzz.sh [PATTERN] -- run every fuzz target of the project (or
# those whose package path or name matches PATTERN, a grep -E expression)
# for FUZZTIME each (default 30s), one after the other. `go test` alone only
# replays the seed corpora; this is the long run (make fuzz).
#
# Minimisation is kept short (FUZZMINIMIZE, default 100x runs): Go's default
# spends up to a minute minimising every new interesting input, and with
# inputs of kilobytes (RPM headers, repodata caches) that shows as a fuzzer
# stuck at 0 execs/s. A crasher found is written under the package's
# testdata/fuzz/ as usual; run `go test -run 'FuzzX/ID' ./pkg` to replay it.
set -euo pipefail
cd "$(dirname "$0")/.."
FUZZTIME=${FUZZTIME:-30s}
FUZZMINIMIZE=${FUZZMINIMIZE:-100x}
pattern=${1:-.}
status=0
while read -r file name; do
  pkg=./$(dirname "$file")
  echo "$pkg $name" | grep -qE -- "$pattern" || continue
  echo "== $pkg $name ($FUZZTIME)"
  if ! go test -run '^$' -fuzz "^${name}\$" -fuzztime "$FUZZTIME" -fuzzminimizetime "$FUZZMINIMIZE" "$pkg" 2>&1 | tail -3; then
    status=1
  fi
done < <(git grep -o '^func Fuzz[A-Za-z0-9_]*' -- '*_test.go' | sed 's/:func / /')
exit $status
