#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_demo.sh: `buddy demo` tells the story of the reference field guide,
# with the right facts in the right order, and the same way every time.
#
# The facts are checked one by one (so a failure says which fact is wrong),
# then the whole output is compared with demo.expected so that any change
# to the text is a deliberate one: after an intended change, regenerate it
# with `buddy demo --no-color > tests/e2e/demo.expected` and review the diff.
#
# usage: test_demo.sh BUDDY SOURCE_DIR
set -u
buddy=$1
srcdir=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0

fail() {
    echo "FAIL demo: $*" >&2
    failed=1
}

"$buddy" demo --no-color >"$tmp/demo" 2>"$tmp/err"
rc=$?
[ "$rc" = 0 ] || fail "exit status $rc"
[ -s "$tmp/err" ] && fail "wrote to stderr: $(cat "$tmp/err")"
grep -q $'\033' "$tmp/demo" && fail "--no-color output has escapes"

# The lines of one part of the story: from the first line containing $1
# (a fixed string) up to, not including, the next line containing $2.
section() {
    awk -v from="$1" -v to="$2" '
        !on && index($0, from) { on = 1; print; next }
        on && index($0, to) { exit }
        on { print }' "$tmp/demo"
}

# $2 appears as a whole line (leading blanks aside) in section text $1.
has_line() {
    grep -qxF -- "$2" <(sed 's/^ *//; s/ *$//' <<<"$1")
}

# ---- facts, section by section ----------------------------------------------
s=$(section "Step 0: all 16 pages are free" "Step 1 of 3:")
has_line "$s" "free_area[4]  nr_free 1  pfn 0" || fail "start: one order-4 block at 0"

s=$(section "Step 1 of 3:" "Step 2 of 3:")
grep -qF "free_area[1..3] are empty, so the order-4 block at pfn 0 is" <<<"$s" ||
    fail "step 1: the reason for the first split"
has_line "$s" "free_area[3]  nr_free 1  pfn 8              <- upper half 8" ||
    fail "step 1: free_area[3] holds pfn 8"
has_line "$s" "free_area[4]  nr_free 0  (empty)" || fail "step 1: free_area[4] empty"
has_line "$s" "| ~   ~   ~   ~   ~   ~   ~   ~ | .   .   .   .   .   .   .   . |" ||
    fail "step 1: map: 0-7 in flight, 8-15 free"

s=$(section "Step 2 of 3:" "Step 3 of 3:")
has_line "$s" "free_area[2]  nr_free 1  pfn 4              <- upper half 4" ||
    fail "step 2: free_area[2] holds pfn 4"
has_line "$s" "free_area[3]  nr_free 1  pfn 8" || fail "step 2: free_area[3] still holds 8"

s=$(section "Step 3 of 3:" "Done:")
has_line "$s" "free_area[1]  nr_free 1  pfn 2              <- upper half 2" ||
    fail "step 3: free_area[1] holds pfn 2"
has_line "$s" "| ~   ~ | .   . | .   .   .   . | .   .   .   .   .   .   .   . |" ||
    fail "step 3: map: 0-1 in flight, then blocks of 2, 4, 8"
grep -q "Step 4" "$tmp/demo" && fail "more than three split steps"

s=$(section "Done: buddy_zone_alloc_pages returns pfn 0" "2. Buddies")
[ -n "$s" ] || fail "the allocation returns pfn 0"
has_line "$s" "| A   A | .   . | .   .   .   . | .   .   .   .   .   .   .   . |" ||
    fail "after the allocation: the order-1 block at pfn 0 is allocated"

s=$(section "2. Buddies" "3. Merging")
has_line "$s" "at order 1, block 4 = 0100 has its buddy at 4 ^ 2 = 6 = 0110" ||
    fail "the XOR rule on block 4"
has_line "$s" "| A   A | A   A | A   A | .   . | .   .   .   .   .   .   .   . |" ||
    fail "before the XOR: blocks 0, 2, 4 allocated and 6 free"
has_line "$s" "free_area[1]  nr_free 1  pfn 6" || fail "buddy 6 is on free_area[1]"

s=$(section "3. Merging" "Merge 1 of 3:")
has_line "$s" "| .   .   .   .   .   .   .   . | .   .   .   . | .   . | A   A |" ||
    fail "merge start: free 0-13 as 8 + 4 + 2, allocated 14-15"
s=$(section "Merge 1 of 3:" "Merge 2 of 3:")
grep -qF "block 14 = 1110 has its buddy at 14 ^ 2 = 12 = 1100" <<<"$s" ||
    fail "merge 1: 14 with 12"
s=$(section "Merge 2 of 3:" "Merge 3 of 3:")
grep -qF "block 12 = 1100 has its buddy at 12 ^ 4 = 8 = 1000" <<<"$s" ||
    fail "merge 2: 12 with 8"
s=$(section "Merge 3 of 3:" "Done: order 4")
grep -qF "block 8 = 1000 has its buddy at 8 ^ 8 = 0 = 0000" <<<"$s" ||
    fail "merge 3: 8 with 0"
grep -q "Merge 4" "$tmp/demo" && fail "more than three merges"
s=$(section "Done: order 4 is the zone's max_order" "4. The zone")
has_line "$s" "free_area[4]  nr_free 1  pfn 0              <- the merged block" ||
    fail "merges end with one order-4 block at pfn 0"
has_line "$s" "| .   .   .   .   .   .   .   .   .   .   .   .   .   .   .   . |" ||
    fail "merges end with one free block over all 16 pages"

s=$(section "4. The zone" "no such line")
has_line "$s" "Node 0, zone   Normal      0      0      0      0      1" ||
    fail "the buddyinfo line"
grep -qF "buddy_zone_check: ok." <<<"$s" || fail "the validator's verdict"

# ---- the facts come in the story's order -----------------------------------
last=0
for fact in "Step 0: all 16 pages" "Step 1 of 3:" "Step 2 of 3:" "Step 3 of 3:" \
    "Done: buddy_zone_alloc_pages returns pfn 0" "at order 1, block 4 = 0100" \
    "Merge 1 of 3:" "Merge 2 of 3:" "Merge 3 of 3:" "Done: order 4" \
    "Node 0, zone   Normal" "buddy_zone_check: ok."; do
    n=$(grep -nF -- "$fact" "$tmp/demo" | head -n 1 | cut -d: -f1)
    if [ -z "$n" ] || [ "$n" -le "$last" ]; then
        fail "'$fact' missing or out of order"
    else
        last=$n
    fi
done

# ---- deterministic, and exactly the reviewed text ---------------------------
"$buddy" demo --no-color >"$tmp/again" 2>&1
cmp -s "$tmp/demo" "$tmp/again" || fail "two runs differ"
if ! diff -u "$srcdir/demo.expected" "$tmp/demo" >"$tmp/diff"; then
    cat "$tmp/diff" >&2
    fail "output differs from demo.expected (- expected, + got)"
fi

# ---- colour: only when asked or on a terminal, and only ever added ---------
"$buddy" demo >"$tmp/auto" 2>&1
grep -q $'\033' "$tmp/auto" && fail "colour on a pipe without --color"
"$buddy" demo --color >"$tmp/color" 2>&1
grep -q $'\033\[' "$tmp/color" || fail "--color gave no colour"
sed 's/\x1b\[[0-9;]*m//g' "$tmp/color" | cmp -s - "$tmp/demo" ||
    fail "--color output without its escapes differs from --no-color"
NO_COLOR=1 "$buddy" demo --color >"$tmp/forced" 2>&1
cmp -s "$tmp/forced" "$tmp/color" || fail "--color does not override NO_COLOR"
"$buddy" --no-color demo >"$tmp/global" 2>&1
cmp -s "$tmp/global" "$tmp/demo" || fail "global --no-color differs"
"$buddy" demo --color --no-color >"$tmp/last" 2>&1
cmp -s "$tmp/last" "$tmp/demo" || fail "the last colour flag does not win"

# On a terminal (util-linux `script` gives one, where it is installed):
# colour by default, none with NO_COLOR or TERM=dumb.
if script -qc true /dev/null >/dev/null 2>&1; then
    tty_demo() {
        env -u NO_COLOR "$@" script -qc "'$buddy' demo" /dev/null </dev/null 2>&1 | head -n 3
    }
    tty_demo TERM=xterm | grep -q $'\033\[' || fail "no colour on a terminal"
    tty_demo TERM=xterm NO_COLOR=1 | grep -q $'\033' && fail "colour despite NO_COLOR"
    tty_demo TERM=dumb | grep -q $'\033' && fail "colour on TERM=dumb"
    tty_demo TERM=xterm NO_COLOR= | grep -q $'\033\[' || fail "empty NO_COLOR turned colour off"
fi

[ "$failed" = 0 ] && echo "ok demo"
exit "$failed"
