#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# bench/realworld/realworld.sh LIB FORKER MEASURE AFTER_FREE: `make realworld`.
#
# Real programs under five mallocs in one run, side by side: libbuddy-malloc
# (LIB), glibc, jemalloc, mimalloc and tcmalloc, each preloaded (glibc's run
# preloads libc itself: tests/malloc/workload.sh libc says why). The
# programs are workload.sh's (the ones tests/malloc/programs.sh checks,
# with the same inputs) and Python's regression modules. For each program
# and malloc: whether every run's output equals glibc's, the median wall
# time and the median peak RSS (MEASURE: the largest resident set of any
# one process of the run), and libbuddy's time and RSS over glibc's. Then
# AFTER_FREE under each malloc: RSS at the peak, after freeing everything,
# after malloc_trim(0). FORKER is the tests' test_malloc_forker.
#
# The rounds interleave the mallocs (glibc, then each other, then the next
# round), so that the machine's load falls on all of them alike; glibc goes
# first because its first output is what the others must equal.
#
# Environment: REALWORLD_RUNS (3) rounds of each program and of
# AFTER_FREE; REALWORLD_REGRTEST_RUNS (1) of the regression modules, which
# take minutes; REALWORLD_PROGRAMS a subset, by workload.sh's names (all of
# them and regrtest). Progress goes to stderr, the report (Markdown) to
# stdout. Exits 1 when a run failed, differed from glibc's, or ran on
# another malloc than the one named; the report says which, and shows the
# error after the tables.
set -uo pipefail
if [ $# -ne 4 ]; then
  echo "usage: realworld.sh LIB FORKER MEASURE AFTER_FREE" >&2
  exit 2
fi
lib=$(readlink -f "$1")
export FORKER=$2
measure=$3
after_free=$4
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
workload=$root/tests/malloc/workload.sh
runs=${REALWORLD_RUNS:-3}
regrtest_runs=${REALWORLD_REGRTEST_RUNS:-1}
programs=${REALWORLD_PROGRAMS:-"$(bash "$workload" names) regrtest"}
for f in "$lib" "$FORKER" "$measure" "$after_free"; do
  [ -e "$f" ] || { echo "realworld: $f does not exist (make build)" >&2; exit 2; }
done

# ---- the mallocs: a full path each, so the report can name them ----------
order=(glibc libbuddy jemalloc mimalloc tcmalloc) # the order they run in
columns=(libbuddy glibc jemalloc mimalloc tcmalloc)
declare -A so title
title=([libbuddy]=libbuddy-malloc [glibc]=glibc [jemalloc]=jemalloc [mimalloc]=mimalloc
       [tcmalloc]=tcmalloc)
so[libbuddy]=$lib
so[glibc]=$(bash "$workload" libc)
peer() { # NAME SONAME PACKAGE: the library's path from the loader's cache
  local path
  path=$( (ldconfig -p 2>/dev/null || /sbin/ldconfig -p) | awk -v n="$2" '$1 == n { print $NF; exit }')
  if [ -z "$path" ] || [ ! -e "$path" ]; then
    echo "realworld: $1 ($2) is not installed (Debian: $3)" >&2
    exit 2
  fi
  so[$1]=$(readlink -f "$path")
}
peer jemalloc libjemalloc.so.2 libjemalloc-dev
peer mimalloc libmimalloc.so.2 libmimalloc-dev
peer tcmalloc libtcmalloc_minimal.so.4 libgoogle-perftools-dev
so[glibc]=$(readlink -f "${so[glibc]}")

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/out"
failures=$work/failures.md
: >"$failures"
status=0
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
started=$(date -u '+%Y-%m-%d %H:%M UTC')
(cd "$work" && bash "$workload" prepare) || { echo "realworld: prepare failed" >&2; exit 1; }

declare -A res wall rss
fail() { # PROGRAM MALLOC RUN WHAT DETAILS-FILE
  res[$1,$2]="FAIL: $4"
  status=1
  {
    echo "- **$1 under ${title[$2]}** (run $3): $4"
    echo
    echo '```'
    tail -25 "$5"
    echo '```'
    echo
  } >>"$failures"
}

# One run of PROGRAM under MALLOC: its result, wall time and peak RSS.
one() {
  local prog=$1 a=$2 r=$3 base=$work/out/$1.base out=$work/out/$1.$2.$3
  local t m st
  (cd "$work" && "$measure" "$out.m" env LD_PRELOAD="${so[$a]}" bash "$workload" "$prog" \
    >"$out.out" 2>"$out.err")
  read -r t m st 2>/dev/null <"$out.m" || { t=0; m=0; st=measure; }
  if [ "$st" != 0 ]; then
    fail "$prog" "$a" "$r" "exit $st" "$out.err"
  elif [ "$a" = glibc ] && [ ! -e "$base" ]; then
    mv "$out.out" "$base"
  elif [ ! -e "$base" ]; then
    echo "glibc's run failed: nothing to compare with" >"$out.err"
    fail "$prog" "$a" "$r" "no glibc output to compare" "$out.err"
  elif ! cmp -s "$base" "$out.out"; then
    diff "$base" "$out.out" >"$out.diff"
    fail "$prog" "$a" "$r" "output differs from glibc's" "$out.diff"
  fi
  if [ "$st" = 0 ]; then
    wall[$prog,$a]+=" $t"
    rss[$prog,$a]+=" $m"
  fi
  : "${res[$prog,$a]:=ok}"
  printf 'realworld: %-8s %-15s run %s: %s, %s s, %s KiB\n' "$prog" "${title[$a]}" "$r" \
    "$([ "$st" = 0 ] && echo "exit 0" || echo "exit $st")" "$t" "$m" >&2
  rm -f "$out.out"
}

median() { # numbers on stdin, one or more per line
  tr ' ' '\n' | grep . | sort -g |
    awk '{ v[NR] = $1 } END { if (NR == 0) exit; if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
mib() { awk -v k="$1" 'BEGIN { printf "%.1f MiB", k / 1024 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2fx", a / b; else printf "-" }'; }

for prog in $programs; do
  n=$runs
  [ "$prog" = regrtest ] && n=$regrtest_runs
  for r in $(seq "$n"); do
    for a in "${order[@]}"; do one "$prog" "$a" "$r"; done
  done
done

# ---- RSS after free ---------------------------------------------------------
declare -A af_start af_peak af_free af_trim
for r in $(seq "$runs"); do
  for a in "${order[@]}"; do
    out=$work/out/after_free.$a.$r
    if ! "$measure" "$out.m" env LD_PRELOAD="${so[$a]}" "$after_free" >"$out.out" 2>"$out.err"; then
      fail after_free "$a" "$r" "exit $(cut -d' ' -f3 "$out.m" 2>/dev/null)" "$out.err"
      continue
    fi
    read -r _ start _ _ _ peak _ free_ _ trim _ from <"$out.out"
    if [ "$(readlink -f "$from")" != "${so[$a]}" ]; then
      echo "malloc came from $from, not ${so[$a]}" >"$out.err"
      fail after_free "$a" "$r" "ran on another malloc" "$out.err"
      continue
    fi
    : "${res[after_free,$a]:=ok}"
    af_start[$a]+=" $start"
    af_peak[$a]+=" $peak"
    af_free[$a]+=" $free_"
    af_trim[$a]+=" $trim"
    echo "realworld: after_free ${title[$a]} run $r: $(cat "$out.out")" >&2
  done
done

# ---- the report ------------------------------------------------------------
commit=$(git -C "$root" rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
[ -n "$(git -C "$root" status --porcelain --untracked-files=no 2>/dev/null)" ] &&
  commit="$commit (with uncommitted changes)"
cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
echo "Run: $started, libbuddy at commit \`$commit\`, host $(uname -n) ($cpu," \
  "$(nproc) CPUs, Linux $(uname -r)), \`make realworld\`" \
  "(REALWORLD_RUNS=$runs, REALWORLD_REGRTEST_RUNS=$regrtest_runs), load" \
  "$load_before before and $(cut -d' ' -f1-3 /proc/loadavg) after."
echo
echo "Each cell: ok when every run's output was identical to glibc's, then the median"
echo "wall time and the median peak RSS (the largest resident set of one process of"
echo "the run: getrusage RUSAGE_CHILDREN's ru_maxrss) of $runs runs ($regrtest_runs for regrtest)."
echo
printf '| program |'
for a in "${columns[@]}"; do printf ' %s |' "${title[$a]}"; done
printf ' libbuddy / glibc: time, RSS |\n|---|'
for a in "${columns[@]}"; do printf -- '---|'; done
printf -- '---|\n'
for prog in $programs; do
  printf '| %s |' "$prog"
  for a in "${columns[@]}"; do
    t=$(echo "${wall[$prog,$a]:-}" | median)
    m=$(echo "${rss[$prog,$a]:-}" | median)
    if [ -n "$t" ]; then
      printf ' %s, %.2f s, %s |' "${res[$prog,$a]}" "$t" "$(mib "$m")"
    else
      printf ' %s |' "${res[$prog,$a]}"
    fi
  done
  tb=$(echo "${wall[$prog,libbuddy]:-}" | median)
  tg=$(echo "${wall[$prog,glibc]:-}" | median)
  mb=$(echo "${rss[$prog,libbuddy]:-}" | median)
  mg=$(echo "${rss[$prog,glibc]:-}" | median)
  if [ -n "$tb" ] && [ -n "$tg" ]; then
    printf ' %s, %s |\n' "$(ratio "$tb" "$tg")" "$(ratio "$mb" "$mg")"
  else
    printf ' - |\n'
  fi
done
echo
echo "RSS after free (after_free.c): 512 MiB in blocks of 8 B to 1 MiB, written,"
echo "then all freed; medians of $runs runs. The peak includes the program's own table"
echo "of pointers (the same under every malloc); the readings after the frees do not."
echo
echo "| malloc | RSS at start | peak RSS | RSS 1 s after the frees | after malloc_trim(0) |"
echo "|---|---|---|---|---|"
for a in "${columns[@]}"; do
  if [ -z "${af_peak[$a]:-}" ]; then
    echo "| ${title[$a]} | ${res[after_free,$a]:-FAIL} | | | |"
    continue
  fi
  echo "| ${title[$a]} | $(mib "$(echo "${af_start[$a]}" | median)") |" \
    "$(mib "$(echo "${af_peak[$a]}" | median)") |" \
    "$(mib "$(echo "${af_free[$a]}" | median)") |" \
    "$(mib "$(echo "${af_trim[$a]}" | median)") |"
done
if [ -s "$failures" ]; then
  echo
  echo "Failures:"
  echo
  cat "$failures"
fi
exit $status
