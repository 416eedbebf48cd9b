#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/malloc/misuse.sh MISUSE TEST_MALLOC: each misuse (misuse.c) must be
# reported on stderr with its address and what was wrong, then abort (the
# default); with BUDDY_MALLOC_ON_ERROR=report the program goes on (the
# misuse returns: exit 3). The overflows, underflows and the write after
# free are found in the debug mode (BUDDY_MALLOC_DEBUG=1), and go unseen
# without it (the bytes are another slot's or the slot's own). The
# impossible and zero-size requests must fail or succeed cleanly. Then the
# whole entry-point test runs in the debug mode.
set -u
prog=$1
entry=$2
fail=0
hex='0x[0-9a-f]+'

# CASE ENV PATTERN: abort (134) with a line matching PATTERN
expect_abort() {
  local name=$1 env=$2 pattern=$3 out rc
  out=$(env $env "$prog" "$name" 2>&1)
  rc=$?
  if [ $rc -ne 134 ]; then
    echo "FAIL $name: exit status $rc, expected 134 (SIGABRT)"; echo "$out"; fail=1; return
  fi
  if ! echo "$out" | grep -Eq "$pattern"; then
    echo "FAIL $name: no report matching $pattern"; echo "$out"; fail=1; return
  fi
  echo "ok   $name: $(echo "$out" | grep -E "$pattern" | head -1)"
}

# CASE ENV STATUS: exit with STATUS, nothing on stderr from the allocator
expect_status() {
  local name=$1 env=$2 status=$3 out rc
  out=$(env $env "$prog" "$name" 2>&1)
  rc=$?
  if [ $rc -ne "$status" ]; then
    echo "FAIL $name ($env): exit status $rc, expected $status"; echo "$out"; fail=1; return
  fi
  if echo "$out" | grep -q '^libbuddy-malloc:'; then
    echo "FAIL $name ($env): an unexpected report"; echo "$out"; fail=1; return
  fi
  echo "ok   $name ($env): exit $rc"
}

for c in double delayed-double interleaved-double large-double huge-double; do
  expect_abort "$c" "" "^libbuddy-malloc: free\\($hex\\): EDOUBLEFREE: "
done
expect_abort wild "" "^libbuddy-malloc: free\\($hex\\): ERANGE: "
expect_abort stack "" "^libbuddy-malloc: free\\($hex\\): ERANGE: "
expect_abort global "" "^libbuddy-malloc: free\\($hex\\): ERANGE: "
expect_abort interior "" "^libbuddy-malloc: free\\($hex\\): EINTERIOR: "
expect_abort large-interior "" "^libbuddy-malloc: free\\($hex\\): EINTERIOR: "
expect_abort huge-interior "" "^libbuddy-malloc: free\\($hex\\): EINTERIOR: "
expect_abort huge-later-page "" "^libbuddy-malloc: free\\($hex\\): EINTERIOR: "
# report: the same line, then the program goes on
out=$(BUDDY_MALLOC_ON_ERROR=report "$prog" double 2>&1)
rc=$?
if [ $rc -ne 3 ] || ! echo "$out" | grep -q 'EDOUBLEFREE'; then
  echo "FAIL double with report: status $rc, expected 3 and a report"; echo "$out"; fail=1
else
  echo "ok   double with BUDDY_MALLOC_ON_ERROR=report: reported, went on"
fi
expect_status double BUDDY_MALLOC_ON_ERROR=ignore 3

dbg=BUDDY_MALLOC_DEBUG=1
expect_abort overflow-1 $dbg "^libbuddy-malloc: kmalloc-32: Redzone overwritten in $hex at $hex: 0x78 instead of 0xcc"
expect_abort overflow-32 $dbg "^libbuddy-malloc: kmalloc-48: Redzone overwritten in $hex"
expect_abort underflow-1 $dbg "^libbuddy-malloc: kmalloc-32: Redzone overwritten in $hex at $hex: 0x78 instead of 0xcc"
expect_abort underflow-32 $dbg "^libbuddy-malloc: kmalloc-64: Redzone overwritten in $hex"
expect_abort write-after-free $dbg "^libbuddy-malloc: kmalloc-32: Poison overwritten in $hex at $hex: 0x78 instead of 0x6b"
for c in overflow-1 underflow-1 write-after-free; do
  expect_status "$c" "" 3
done
expect_status impossible "" 0
expect_status zero "" 0
expect_status impossible $dbg 0
expect_status zero $dbg 0

BUDDY_MALLOC_DEBUG=1 "$entry" >/dev/null || { echo "FAIL: the entry points under BUDDY_MALLOC_DEBUG=1"; fail=1; }
exit $fail
