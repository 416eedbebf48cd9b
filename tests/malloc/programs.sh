#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/malloc/programs.sh LIB WORKDIR FORKER
#
# Real programs under libbuddy-malloc (LD_PRELOAD=LIB) must give what they
# give under glibc's malloc: sort's output, gcc's object file byte for
# byte, bash forking a thousand times, sqlite3's queries, Python's
# dictionaries and lists (PYTHONMALLOC=malloc, so every object goes
# through us), git's 300 commits, gc and fsck, perl's hash of 300,000
# keys, forks while threads are inside malloc (FORKER), redis-server under
# redis-benchmark. workload.sh defines each run and prints only what does
# not depend on the allocator. A program that is not installed is a
# failure, not a skip: .ci/run installs them.
set -euo pipefail
lib=$1
work=$2
export FORKER=$3
workload=$(cd "$(dirname "$0")" && pwd)/workload.sh
rm -rf "$work"
mkdir -p "$work"
cd "$work"
fail=0
bash "$workload" prepare
# glibc's run preloads libc itself (workload.sh libc says why)
libc=$(bash "$workload" libc)
[ -f "$libc" ] || { echo "FAIL: no libc.so.6 found for the glibc runs"; exit 1; }

secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

run() { # NAME: the same workload under glibc's malloc and under LIB
  local name=$1 g0 g1 t0 t1
  g0=$(date +%s.%N)
  LD_PRELOAD=$libc bash "$workload" "$name" >glibc.out 2>glibc.err ||
    { echo "FAIL $name: failed under glibc"; tail -20 glibc.err; fail=1; return; }
  g1=$(date +%s.%N)
  t0=$(date +%s.%N)
  if ! LD_PRELOAD=$lib bash "$workload" "$name" >buddy.out 2>buddy.err; then
    echo "FAIL $name: failed under libbuddy-malloc"
    tail -20 buddy.err
    fail=1
    return
  fi
  t1=$(date +%s.%N)
  if ! cmp -s glibc.out buddy.out; then
    echo "FAIL $name: output differs from glibc's"
    diff glibc.out buddy.out | head -10
    fail=1
    return
  fi
  printf 'ok   %-10s same output as glibc (%s bytes); wall %s s, glibc %s s (one run each, not a benchmark)\n' \
    "$name" "$(wc -c <buddy.out)" "$(secs "$t0" "$t1")" "$(secs "$g0" "$g1")"
}

for name in $(bash "$workload" names); do
  run "$name"
done
exit $fail
