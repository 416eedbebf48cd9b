#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/malloc/exec.sh BUDDY: `buddy exec` runs a program with the malloc
# preloaded before what LD_PRELOAD had, passes its exit status through,
# prints the views at exit with --stats, and refuses clearly: no program
# (2), an unknown option (2), a program or a library it cannot find (127).
set -u
buddy=$1
fail=0
no() { echo "FAIL exec: $*"; fail=1; }

out=$("$buddy" exec --stats bash -c 'echo hi' 2>&1)
[ "$(echo "$out" | head -1)" = hi ] || no "the program's output: $out"
echo "$out" | grep -q '^Node 0, zone   Malloc ' || no "--stats printed no buddyinfo"
echo "$out" | grep -q '^slabinfo - version: 2.1' || no "--stats printed no slabinfo"
echo "$out" | grep -q '^Free pages count per migrate type at order' || no "--stats printed no pagetypeinfo"
# The large zone's pages are 2 MiB: its buddyinfo has orders 0 to 11 (up
# to a block of 4 GiB), after the zone of 4 KiB pages' 0 to 10.
large=$(echo "$out" | grep '^Node 0, zone    Large ' | head -n 1)
[ "$(echo "$large" | wc -w)" -eq $((4 + 12)) ] || no "the large zone's buddyinfo: '$large'"
pre=$(LD_PRELOAD=/lib/x86_64-linux-gnu/libc.so.6 "$buddy" exec -- printenv LD_PRELOAD)
case $pre in *libbuddy-malloc.so:/lib/x86_64-linux-gnu/libc.so.6) ;; *) no "LD_PRELOAD is '$pre'" ;; esac
"$buddy" exec false; [ $? -eq 1 ] || no "the exit status of false"
"$buddy" exec 2>/dev/null; [ $? -eq 2 ] || no "no program: not 2"
"$buddy" exec --bogus true 2>/dev/null; [ $? -eq 2 ] || no "unknown option: not 2"
err=$("$buddy" exec /no/such/program 2>&1); [ $? -eq 127 ] || no "missing program: not 127"
echo "$err" | grep -q 'buddy: exec: /no/such/program: No such file' || no "missing program: '$err'"
BUDDY_MALLOC_LIB=/no/such.so "$buddy" exec true 2>/dev/null; [ $? -eq 127 ] || no "missing library: not 127"
[ $fail -eq 0 ] && echo "ok: buddy exec"
exit $fail
