#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/fuzz/run.sh: build the libFuzzer target with clang in its own build
# directory, fuzz for a while starting from the saved corpus, and merge what
# it found back into tests/fuzz/corpus, minimised (only inputs that add
# coverage are kept, so the corpus stays small enough to replay in ctest).
#
# usage: tests/fuzz/run.sh [SECONDS] [extra libFuzzer flags...]
#   SECONDS              how long to fuzz (default 60)
#   BUDDY_FUZZ_BUILD     build directory (default build-fuzz/)
#   BUDDY_FUZZ_FORK      run N fuzzing processes in parallel (default 1)
#   BUDDY_FUZZ_TARGET    fuzz_zone (default: the zone API, corpus/),
#                        fuzz_cache (a zone behind a per-CPU cache,
#                        corpus_cache/), fuzz_typed (typed allocation
#                        and isolation, corpus_typed/) or fuzz_slab (slab
#                        caches and magazines, corpus_slab/)
#
# A crash or model mismatch stops the run; the input is copied to
# tests/fuzz/crashes/ (never into the corpus) and the script exits 1.
# Reproduce it with: build-fuzz/tests/fuzz/$TARGET tests/fuzz/crashes/FILE
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
secs=${1:-60}
[ $# -gt 0 ] && shift
build=${BUDDY_FUZZ_BUILD:-$root/build-fuzz}
fork=${BUDDY_FUZZ_FORK:-1}
target=${BUDDY_FUZZ_TARGET:-fuzz_zone}
case $target in
  fuzz_zone)  corpus=$root/tests/fuzz/corpus; seeds=$root/tests/fuzz/seeds ;;
  fuzz_cache) corpus=$root/tests/fuzz/corpus_cache; seeds=$corpus ;;
  fuzz_typed) corpus=$root/tests/fuzz/corpus_typed
              seeds=$root/tests/fuzz/seeds_typed ;;
  fuzz_slab)  corpus=$root/tests/fuzz/corpus_slab
              seeds=$root/tests/fuzz/seeds_slab ;;
  *) echo "run.sh: unknown BUDDY_FUZZ_TARGET $target" >&2; exit 2 ;;
esac
crashes=$root/tests/fuzz/crashes

gen=()
command -v ninja >/dev/null 2>&1 && gen=(-G Ninja)
cmake -S "$root" -B "$build" "${gen[@]}" -DCMAKE_C_COMPILER=clang \
      -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBUDDY_BUILD_TOOLS=OFF \
      -DBUDDY_BUILD_BENCH=OFF >/dev/null
cmake --build "$build" --target "$target"
fuzzer=$build/tests/fuzz/$target

# Fresh scratch space each run: new inputs land in `new`, crashes in
# `artifacts`; only the merge below touches the saved corpus.
work=$build/fuzz-work
rm -rf "$work"
mkdir -p "$work/new" "$work/artifacts" "$work/merged" "$corpus"

# 1 KiB inputs are 250 operations on up to 600 pages: enough to reach every
# state, short enough to keep hundreds of runs a second. Long inputs from the
# start (len_control=0), because the deep states (fragmented zones, ranges
# cut through split blocks) need long operation sequences; coverage of the
# code alone saturates within seconds on short ones.
flags=(-max_len=1024 -len_control=0 -max_total_time="$secs"
       -print_final_stats=1 -artifact_prefix="$work/artifacts/")
[ "$fork" -gt 1 ] && flags+=(-fork="$fork")

status=0
"$fuzzer" "${flags[@]}" "$@" "$work/new" "$corpus" "$seeds" || status=$?

if compgen -G "$work/artifacts/*" >/dev/null; then
    mkdir -p "$crashes"
    cp "$work/artifacts/"* "$crashes/"
    echo "run.sh: the fuzzer found a failure; inputs saved in $crashes:" >&2
    ls -l "$work/artifacts" >&2
    exit 1
fi
if [ "$status" -ne 0 ]; then
    echo "run.sh: fuzzer exited with status $status" >&2
    exit "$status"
fi

# Keep a small set of inputs that covers everything the old corpus and the
# new finds cover, then make it the corpus. set_cover_merge picks a smaller
# set than plain -merge=1 where this libFuzzer has it.
merge=-merge=1
help=$("$fuzzer" -help=1 2>&1 || true)
case $help in *set_cover_merge*) merge=-set_cover_merge=1 ;; esac
"$fuzzer" "$merge" -max_len=1024 "$work/merged" "$corpus" "$work/new"
find "$corpus" -type f -delete
cp "$work/merged/"* "$corpus/"
echo "run.sh: corpus now $(find "$corpus" -type f | wc -l) files," \
     "$(cat "$corpus"/* | wc -c) bytes"
