#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# bench/realworld/tools_check.sh MEASURE AFTER_FREE LIB: make realworld's
# tools report what they claim. measure passes the exit status through
# and writes it, and its peak RSS is the command's (a small one for true,
# at least the 64 MiB after_free writes); after_free runs on the malloc it
# is preloaded with, keeps its blocks intact and says so.
set -u
measure=$1
after_free=$2
lib=$(readlink -f "$3")
fail=0
no() { echo "FAIL realworld_tools: $*"; fail=1; }
m_out=$(mktemp)
af_out=$(mktemp)
trap 'rm -f "$m_out" "$af_out"' EXIT

"$measure" "$m_out" bash -c 'exit 3'
[ $? -eq 3 ] || no "measure did not exit with the command's status 3"
read -r _ _ st <"$m_out"
[ "$st" = 3 ] || no "measure wrote status '$st' for exit 3"

"$measure" "$m_out" true || no "measure true failed"
read -r t m st <"$m_out"
[ "$m" -gt 0 ] && [ "$m" -lt 16384 ] || no "measure true: peak RSS $m KiB"

"$measure" "$m_out" env LD_PRELOAD="$lib" "$after_free" 64 >"$af_out" ||
  no "after_free 64 failed under $lib: $(cat "$af_out")"
read -r t m st <"$m_out"
[ "$m" -ge 65536 ] || no "measure: peak RSS $m KiB for 64 MiB written"
awk -v t="$t" 'BEGIN { exit !(t > 0 && t < 60) }' || no "measure: wall time '$t' s"
read -r _ start _ _ _ peak _ free_ _ trim _ from <"$af_out"
[ "$(readlink -f "$from")" = "$lib" ] || no "after_free's malloc came from '$from', not $lib"
[ "$peak" -ge 65536 ] || no "after_free: peak $peak KiB for 64 MiB written"
[ "$start" -gt 0 ] && [ "$free_" -gt 0 ] && [ "$trim" -gt 0 ] || no "after_free: $(cat "$af_out")"
[ $fail -eq 0 ] && echo "ok: measure and after_free ($(cat "$af_out"))"
exit $fail
