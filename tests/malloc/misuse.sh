#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/malloc/misuse.sh PROGRAM: a double free is reported on stderr with
# its address and aborts (the default); with BUDDY_MALLOC_ON_ERROR=report
# it is reported and the program goes on (and returns 3, the test's code
# for "the free returned").
set -u
prog=$1
out=$("$prog" misuse 2>&1)
rc=$?
echo "$out"
[ $rc -eq 134 ] || { echo "FAIL: exit status $rc, expected 134 (SIGABRT)"; exit 1; }
echo "$out" | grep -Eq '^libbuddy-malloc: free\(0x[0-9a-f]+\): EDOUBLEFREE: ' ||
  { echo "FAIL: no report of the double free"; exit 1; }
out=$(BUDDY_MALLOC_ON_ERROR=report "$prog" misuse 2>&1)
rc=$?
[ $rc -eq 3 ] || { echo "FAIL: with report, exit status $rc, expected 3"; exit 1; }
echo "$out" | grep -q 'EDOUBLEFREE' || { echo "FAIL: with report, no report"; exit 1; }
# The debug mode: a write one byte past an object is found at its free.
out=$(BUDDY_MALLOC_DEBUG=1 "$prog" overflow 2>&1)
rc=$?
[ $rc -eq 134 ] || { echo "FAIL: overflow: exit status $rc, expected 134"; echo "$out"; exit 1; }
echo "$out" | grep -Eq '^libbuddy-malloc: free\(0x[0-9a-f]+\): ECORRUPT: ' ||
  { echo "FAIL: overflow: no report"; echo "$out"; exit 1; }
# Without it, the same write goes unseen (the byte is the next slot's).
out=$("$prog" overflow 2>&1)
rc=$?
[ $rc -eq 3 ] || { echo "FAIL: overflow without debug: status $rc, expected 3"; exit 1; }
# And the debug mode runs the whole entry-point test.
BUDDY_MALLOC_DEBUG=1 "$prog" >/dev/null || { echo "FAIL: the entry points under BUDDY_MALLOC_DEBUG=1"; exit 1; }
echo "ok: the double free aborts, and with report goes on; the debug mode finds an overflow"
