#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_demo_tenants.sh: `buddy demo tenants` shows what limits do for a
# server's tenants, from the numbers the demo prints: without limits the
# well-behaved tenants fail allocations once batch has the zone; with
# them they fail none, batch's peak stays at its memory.max, and its
# memory.events count high, max and oom. The whole output is then compared
# with demo_tenants.expected (the workload is seeded), so a change to the
# text or to the allocator's choices is a deliberate one: regenerate it
# with `buddy demo tenants > tests/e2e/demo_tenants.expected` and review
# the diff.
#
# usage: test_demo_tenants.sh BUDDY SOURCE_DIR
set -u
buddy=$1
srcdir=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0

fail() {
    echo "FAIL demo tenants: $*" >&2
    failed=1
}

"$buddy" demo tenants >"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" = 0 ] || fail "exit status $rc"
[ -s "$tmp/err" ] && fail "wrote to stderr: $(cat "$tmp/err")"

# The events table: "  NAME peak low high max oom allocs failed", once a
# run; field 8 is the failures.
failures() { # RUN (1: without limits, 2: with) NAME
    awk -v run="$1" -v who="$2" '
        /^ +peak +low +high/ { n++ }
        n == run && $1 == who { print $8; exit }' "$tmp/out"
}
for who in web api cache; do
    free=$(failures 1 "$who")
    limited=$(failures 2 "$who")
    [ -n "$free" ] && [ "$free" -gt 0 ] ||
        fail "$who did not fail without limits (${free:-no line})"
    [ "$limited" = 0 ] || fail "$who failed ${limited:-?} with limits"
done
peak=$(awk '/^ +peak +low +high/ { n++ } n == 2 && $1 == "batch" { print $2; exit }' "$tmp/out")
max=$(sed -n 's/^With limits: batch at memory.high [0-9]* and memory.max \([0-9]*\) pages$/\1/p' "$tmp/out")
[ -n "$peak" ] && [ -n "$max" ] && [ "$peak" -le "$max" ] ||
    fail "batch's peak ${peak:-?} passed its max ${max:-?}"
for ev in "high [1-9]" "max [1-9]" "oom [1-9]"; do
    grep -Eq "^    $ev[0-9]*$" "$tmp/out" || fail "no '$ev' in batch's memory.events"
done
diff -u "$srcdir/demo_tenants.expected" "$tmp/out" >"$tmp/diff" ||
    fail "output differs from demo_tenants.expected:
$(cat "$tmp/diff")"
[ $failed = 0 ] && echo "ok demo tenants: limits keep the others' share"
exit $failed
