#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_demo_frag.sh: `buddy demo fragmentation` shows grouping by mobility
# doing its job: with it, the unmovable pages pin fewer pageblocks and more
# of the memory freed at the end is in whole pageblocks than without, from
# the numbers the demo reads off its two zones. The whole output is then
# compared with demo_fragmentation.expected (the workload is seeded), so a
# change to the text or to the allocator's choices is a deliberate one:
# regenerate it with `buddy demo fragmentation >
# tests/e2e/demo_fragmentation.expected` and review the diff.
#
# usage: test_demo_frag.sh BUDDY SOURCE_DIR
set -u
buddy=$1
srcdir=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0

fail() {
    echo "FAIL demo fragmentation: $*" >&2
    failed=1
}

"$buddy" demo fragmentation >"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" = 0 ] || fail "exit status $rc"
[ -s "$tmp/err" ] && fail "wrote to stderr: $(cat "$tmp/err")"

# "With grouping: N unmovable pages pin P pageblocks (F would" and, two
# lines on, "  hold them); S% of ..."
summary() {
    awk -v who="$1" '
        index($0, who ":") == 1 { split($0, w, " "); pin = w[7]; on = 1; next }
        on { sub(/%.*/, "", $3); print pin, $3; exit }' "$tmp/out"
}
read -r pin_on share_on <<<"$(summary "With grouping")"
read -r pin_off share_off <<<"$(summary "Without grouping")"
[ -n "${pin_on:-}" ] && [ -n "${pin_off:-}" ] || fail "no summary lines"
if [ -n "${pin_on:-}" ] && [ -n "${pin_off:-}" ]; then
    [ "$pin_on" -lt "$pin_off" ] ||
        fail "grouping pins $pin_on pageblocks, not fewer than $pin_off"
    [ "$share_on" -gt "$share_off" ] ||
        fail "grouping leaves $share_on% in whole pageblocks, not more than $share_off%"
fi
grep -q "^Then every movable block is freed:" "$tmp/out" ||
    fail "the end state is missing"
diff -u "$srcdir/demo_fragmentation.expected" "$tmp/out" >"$tmp/diff" ||
    fail "output differs from demo_fragmentation.expected:
$(cat "$tmp/diff")"
"$buddy" demo fragmentation bogus >/dev/null 2>&1
[ $? = 2 ] || fail "an unknown argument is not a usage error"
[ "$failed" = 0 ] && echo "ok demo fragmentation (pinned $pin_on vs $pin_off, whole $share_on% vs $share_off%)"
exit "$failed"
