#!/usr/bin/env bash
# Benchmark: repodata for 2,000 RPMs, osg-build createrepo (pkg/repodata)
# against createrepo_c on the same directory in the same run.
#
#   1. full run: ours (--workers 2) vs `createrepo_c --workers 2 --no-database`
#      (ours writes no sqlite databases either), median of RUNS runs, ratio
#      (target <= 1.0x);
#   2. regeneration after adding one package: ours --update vs our full run
#      and vs createrepo_c's, and createrepo_c --update for reference, as
#      processes; then in-process, as the hub runs it (target <= 0.1x of
#      the full run: a process's start-up alone is about 0.1x).
#
# The 2,000 RPMs come from ONE rpmbuild of a generated spec with 2,000
# subpackages. Needs rpmbuild and createrepo_c. $BIN is the osg-build
# binary (built here when unset). N and RUNS may be overridden; RPMS_DIR,
# a directory of RPMs made by an earlier run (KEEP_RPMS=DIR keeps them),
# skips the 3-minute rpmbuild.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
N=${N:-2000}
RUNS=${RUNS:-5}
for tool in rpmbuild createrepo_c; do
  command -v "$tool" >/dev/null || { echo "repodata bench: $tool not found (make deps)"; exit 1; }
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if [ -z "${BIN:-}" ] || [ ! -x "$BIN" ]; then
  BIN=$work/osg-build
  go build -o "$BIN" ./cmd/osg-build
fi

calc() { awk "BEGIN { printf \"%.6f\n\", $1 }"; }

# --- make the RPMs -------------------------------------------------------
spec=$work/bench.spec
{
  cat <<'HDR'
%global debug_package %{nil}
%global _build_id_links none
%global __os_install_post %{nil}
Name: benchpkg
Version: 1.0
Release: 1
Summary: Benchmark package
License: MIT
BuildArch: noarch
%description
Benchmark package for repodata generation.
HDR
  for i in $(seq -w 1 "$N"); do
    printf '%%package -n bench-sub-%s\nSummary: Benchmark subpackage %s\nRequires: bench-common >= 1.0\nProvides: bench-cap-%s = 1.0\n%%description -n bench-sub-%s\nSubpackage %s of the repodata benchmark.\n' "$i" "$i" "$i" "$i" "$i"
  done
  printf '%%install\nmkdir -p %%{buildroot}/usr/share/bench %%{buildroot}/usr/bin\n'
  printf 'for i in $(seq -w 1 %s); do echo $i > %%{buildroot}/usr/share/bench/file-$i; printf "#!/bin/sh\\necho $i\\n" > %%{buildroot}/usr/bin/bench-$i; done\n' "$N"
  for i in $(seq -w 1 "$N"); do
    printf '%%files -n bench-sub-%s\n/usr/share/bench/file-%s\n%%attr(0755,root,root) /usr/bin/bench-%s\n' "$i" "$i" "$i"
  done
  printf '%%changelog\n* Thu Jan 01 2026 Bench <bench@example.org> - 1.0-1\n- Benchmark\n'
} > "$spec"
cat > "$work/extra.spec" <<'EOF2'
Name: bench-extra
Version: 1.0
Release: 1
Summary: The one package added for the --update measurement
License: MIT
BuildArch: noarch
%description
Added package.
%install
mkdir -p %{buildroot}/usr/share/bench-extra
echo extra > %{buildroot}/usr/share/bench-extra/file
%files
/usr/share/bench-extra/file
EOF2
stamp t0
repo=$work/repo
mkdir -p "$repo"
if [ -n "${RPMS_DIR:-}" ]; then
  cp -p "$RPMS_DIR"/bench-sub-*.rpm "$repo"/
else
  rpmbuild -bb --quiet --define "_topdir $work/top" --define "_binary_payload w1.gzdio" "$spec" >/dev/null 2>&1
  mv "$work"/top/RPMS/noarch/bench-sub-*.rpm "$repo"/
  if [ -n "${KEEP_RPMS:-}" ]; then
    mkdir -p "$KEEP_RPMS" && cp -p "$repo"/bench-sub-*.rpm "$KEEP_RPMS"/
  fi
fi
rpmbuild -bb --quiet --define "_topdir $work/top" "$work/extra.spec" >/dev/null 2>&1
stamp t1
extra=$(ls "$work"/top/RPMS/noarch/bench-extra-*.rpm)
count=$(ls "$repo" | wc -l)
printf 'made %d RPMs with one rpmbuild in %.1fs\n' "$count" "$(calc "($t1 - $t0) / 1000000")"

# --- helpers ---------------------------------------------------------------
# elapsed command... -> wall seconds on stdout, measured around the command
# alone (no subshell or date process inside the timing); the CPU seconds
# (user+sys) are appended to $cpu_log.
cpu_log=$work/cpu.log
elapsed() {
  local s e
  stamp s
  { TIMEFORMAT='%U %S'; time "$@" >/dev/null 2>&1; } 2>"$work/time.out"
  stamp e
  echo "$* | $(<"$work/time.out")" >> "$cpu_log"
  calc "($e - $s) / 1000000"
}
cpu_median() { # tool-prefix mode(full|update|skip) -> median user+sys of the matching runs
  grep -F "$1" "$cpu_log" | awk -F'|' -v m="$2" '{
    mode = index($1, "--skip-stat") ? "skip" : (index($1, "--update") ? "update" : "full")
    if (mode == m) { split($2, a, " "); print a[1] + a[2] } }' | median
}
median() { sort -n | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else printf "%.4f\n", (a[NR/2]+a[NR/2+1])/2}'; }
minimum() { sort -n | head -1; }

ours=$work/out-ours
theirs=$work/out-createrepo_c
mkdir -p "$ours" "$theirs"

# --- full runs ---------------------------------------------------------------
o_full=() c_full=()
for r in $(seq 1 "$RUNS"); do
  rm -rf "$ours/repodata" "$theirs/repodata"
  c_full+=("$(elapsed createrepo_c --workers 2 --no-database -o "$theirs" "$repo")")
  o_full+=("$(elapsed "$BIN" createrepo --workers 2 -o "$ours" "$repo")")
done
om=$(printf '%s\n' "${o_full[@]}" | median)
cm=$(printf '%s\n' "${c_full[@]}" | median)
omin=$(printf '%s\n' "${o_full[@]}" | minimum)
cmin=$(printf '%s\n' "${c_full[@]}" | minimum)
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPUs"
echo "full run, $count RPMs, median (min) of $RUNS (no sqlite databases on either side):"
printf '  createrepo_c --workers 2 --no-database  %.3fs (%.3fs)\n' "$cm" "$cmin"
printf '  osg-build createrepo --workers 2        %.3fs (%.3fs)\n' "$om" "$omin"
printf '  ratio ours/createrepo_c: %.2fx, of the minimums %.2fx (target <= 1.0x)\n' "$(calc "$om / $cm")" "$(calc "$omin / $cmin")"
ocpu=$(cpu_median "$BIN" full); ccpu=$(cpu_median createrepo_c full)
printf '  CPU time (user+sys), median: createrepo_c %.3fs, ours %.3fs, ratio %.2fx\n' "$ccpu" "$ocpu" "$(calc "$ocpu / $ccpu")"

# --- regeneration after adding one package ---------------------------------
o_upd=() c_upd=() o_skip=() c_skip=()
name=$(basename "$extra")
for r in $(seq 1 "$RUNS"); do
  rm -f "$repo/$name"
  "$BIN" createrepo --workers 2 -o "$ours" "$repo" >/dev/null 2>&1
  createrepo_c --workers 2 --no-database -o "$theirs" "$repo" >/dev/null 2>&1
  cp "$extra" "$repo/$name"
  o_upd+=("$(elapsed "$BIN" createrepo --update --workers 2 -o "$ours" "$repo")")
  c_upd+=("$(elapsed createrepo_c --update --workers 2 --no-database -o "$theirs" "$repo")")
  # The same with --skip-stat (what Koji's createrepo task passes).
  rm -f "$repo/$name"
  "$BIN" createrepo --workers 2 -o "$ours" "$repo" >/dev/null 2>&1
  createrepo_c --workers 2 --no-database -o "$theirs" "$repo" >/dev/null 2>&1
  cp "$extra" "$repo/$name"
  o_skip+=("$(elapsed "$BIN" createrepo --update --skip-stat --workers 2 -o "$ours" "$repo")")
  c_skip+=("$(elapsed createrepo_c --update --skip-stat --workers 2 --no-database -o "$theirs" "$repo")")
done
ou=$(printf '%s\n' "${o_upd[@]}" | median)
cu=$(printf '%s\n' "${c_upd[@]}" | median)
oumin=$(printf '%s\n' "${o_upd[@]}" | minimum)
cumin=$(printf '%s\n' "${c_upd[@]}" | minimum)
echo "after adding one package to $count, median (min) of $RUNS:"
printf '  osg-build createrepo --update           %.3fs (%.3fs)\n' "$ou" "$oumin"
printf '  createrepo_c --update (reference)       %.3fs (%.3fs)\n' "$cu" "$cumin"
# A process pays its start-up (measured here with --version) before any
# work: the target is met or missed by the regeneration itself, which is
# what the hub runs in-process (update-one-added-hub, below).
o_ver=()
for r in $(seq 1 "$RUNS"); do
  stamp s; "$BIN" --version >/dev/null; stamp e
  o_ver+=("$(calc "($e - $s) / 1000000")")
done
ov=$(printf '%s\n' "${o_ver[@]}" | median)
printf '  ratio ours --update / ours full: %.3fx, of the minimums %.3fx, as processes\n' "$(calc "$ou / $om")" "$(calc "$oumin / $omin")"
printf '    (osg-build --version alone takes %.3fs = %.3fx of our full run; the target <= 0.1x\n' "$ov" "$(calc "$ov / $om")"
printf '    is for the regeneration, measured in-process below as update-one-added-hub)\n'
printf '  ratio ours --update / createrepo_c full: %.3fx, of the minimums %.3fx\n' "$(calc "$ou / $cm")" "$(calc "$oumin / $cmin")"
printf '  ratio createrepo_c --update / createrepo_c full: %.2fx\n' "$(calc "$cu / $cm")"
oucpu=$(cpu_median "$BIN" update); cucpu=$(cpu_median createrepo_c update)
printf '  CPU time (user+sys), median: ours --update %.3fs = %.3fx of ours full; createrepo_c --update %.3fs\n' "$oucpu" "$(calc "$oucpu / $ocpu")" "$cucpu"

# Sanity: both see the same packages.
n_ours=$(zcat "$ours"/repodata/*-primary.xml.gz | grep -c '<package type="rpm">')
n_theirs=$(zcat "$theirs"/repodata/*-primary.xml.gz | grep -c '<package type="rpm">')
os=$(printf '%s\n' "${o_skip[@]}" | median)
cs=$(printf '%s\n' "${c_skip[@]}" | median)
oscpu=$(cpu_median "$BIN" skip); cscpu=$(cpu_median createrepo_c skip)
echo "the same with --update --skip-stat (as Koji runs createrepo_c), median of $RUNS:"
printf '  osg-build createrepo --update --skip-stat  %.3fs = %.3fx of ours full (CPU %.3fs = %.3fx)\n' "$os" "$(calc "$os / $om")" "$oscpu" "$(calc "$oscpu / $ocpu")"
printf '  createrepo_c --update --skip-stat          %.3fs = %.2fx of createrepo_c full\n' "$cs" "$(calc "$cs / $cm")"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "packages in primary.xml: ours $n_ours, createrepo_c $n_theirs"
same=0
[ "$n_ours" = "$n_theirs" ] && [ "$n_ours" = "$((count + 1))" ] || same=1

# In-process, as the hub calls pkg/repodata (no process start-up, which
# alone is about a tenth of our full run): BenchmarkGenerate on the same
# RPMs; "-hub" is how the hub regenerates a tag's repo (a new repo
# directory with the previous cache linked in, the package list, and
# --skip-stat as kojid runs createrepo_c).
if command -v go >/dev/null; then
  rm -f "$repo/$name"
  echo "in-process (BenchmarkGenerate on the same $count RPMs, ${GO_RUNS:-40} runs each):"
  RPMS_DIR=$repo go test -run '^$' -bench 'Generate' -benchtime "${GO_RUNS:-40}x" ./pkg/repodata |
    awk '/^BenchmarkGenerate/ {
      sub(/^BenchmarkGenerate\//, "", $1); sub(/-[0-9]+$/, "", $1)
      line = sprintf("  %-30s %7.1f ms", $1, $3 / 1e6)
      for (i = 4; i < NF; i++) if ($(i+1) == "x-full-run") line = line sprintf("  = %.3fx of the full run", $i)
      if ($1 == "update-one-added-hub") line = line " (target <= 0.1x)"
      print line }'
fi
exit $same
