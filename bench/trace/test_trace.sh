#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# bench/trace/test_trace.sh RECORDER REPLAY MALLOC: a trace of sort
# recorded, then replayed under glibc and under libbuddy-malloc (MALLOC):
# both must reach the same op with the same live bytes and blocks (what
# the program held there, whoever serves it), and a file that is no trace
# must be refused with its error.
set -euo pipefail
rec=$1 replay=$2 lib=$3
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

awk 'BEGIN { srand(3); for (i = 0; i < 20000; i++) printf "%08x %d\n", int(rand() * 4294967295), i }' >"$dir/in.txt"
mkdir "$dir/t"
BUDDY_TRACE_DIR="$dir/t" LD_PRELOAD="$rec" sort "$dir/in.txt" >"$dir/sorted.txt"
sort "$dir/in.txt" | cmp -s - "$dir/sorted.txt" || fail "sort under the recorder printed something else"
trace=$(ls -S "$dir"/t/trace.* | head -n 1)
size=$(stat -c %s "$trace")
[ "$size" -gt 0 ] && [ $((size % 32)) -eq 0 ] || fail "$trace: $size bytes, not whole records"

line_re='^ops [0-9]+ of [0-9]+, live [0-9]+ bytes in [0-9]+ blocks, anon [0-9]+ KiB, rss [0-9]+ KiB$'
g=$("$replay" "$trace")
b=$(LD_PRELOAD="$lib" "$replay" "$trace")
[[ $g =~ $line_re ]] || fail "glibc's replay printed: $g"
[[ $b =~ $line_re ]] || fail "libbuddy-malloc's replay printed: $b"
[ "${g%%, anon*}" = "${b%%, anon*}" ] || fail "the replays reached other points: '$g' and '$b'"
# the peak is the most the program held: a later op holds no more
ops=$(echo "$g" | awk '{ print $2 }')
total=$(echo "$g" | awk '{ print $4 }' | tr -d ,)
peak_live=$(echo "$g" | awk '{ print $6 }')
if [ "$ops" -lt "$total" ]; then
  later=$("$replay" --at "$total" "$trace" | awk '{ print $6 }')
  [ "$later" -le "$peak_live" ] || fail "the end holds $later bytes, more than the peak's $peak_live"
fi
# the classes' peaks: each at least what the class holds at the end
c=$("$replay" --classes 16,32,64,128,256,512,1024,4096 "$trace" | sed -n 2p)
[[ $c =~ ^classes:\ the\ sum\ of\ each\ class\'s\ peak\ ([0-9]+)\ bytes,\ at\ the\ end\ ([0-9]+)$ ]] ||
  fail "--classes printed: $c"
[ "${BASH_REMATCH[1]}" -ge "${BASH_REMATCH[2]}" ] && [ "${BASH_REMATCH[1]}" -gt 0 ] ||
  fail "--classes: a sum of peaks below the end: $c"
LD_PRELOAD="$lib" "$replay" --stats "$trace" 2>"$dir/stats.txt" >/dev/null
grep -q '^slabinfo - version: 2.1' "$dir/stats.txt" || fail "--stats printed no slabinfo under libbuddy-malloc"

# Bad input: refused with its error, exit 2.
expect_refused() {
  local want=$1 out rc
  shift
  set +e
  out=$("$replay" "$@" 2>&1)
  rc=$?
  set -e
  [ "$rc" -eq 2 ] || fail "trace_replay $*: exit $rc, not 2"
  [[ $out == *"$want"* ]] || fail "trace_replay $*: said '$out', not '$want'"
}
printf 'short' >"$dir/short"
expect_refused "not a trace" "$dir/short"
: >"$dir/empty"
expect_refused "not a trace" "$dir/empty"
printf '\x09\0\0\0\0\0\0\0\x10\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\x08\0\0\0\0\0\0\0' >"$dir/badop"
expect_refused "is none" "$dir/badop"
expect_refused "No such file" "$dir/missing"
expect_refused "usage" --at x "$trace"
expect_refused "usage" --classes 64,32 "$trace"
expect_refused "usage" --classes 16,,32 "$trace"
expect_refused "usage"
echo "trace: sort recorded ($((size / 32)) calls) and replayed alike under both"
