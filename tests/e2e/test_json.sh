#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_json.sh: `buddy run --json` output, checked by parsing it (with the
# jsonl_check built next to this test, so nothing beyond bash is needed):
# every line is strict JSON with the common fields, and the values of each
# command's fields are read back member by member.
#
# usage: test_json.sh BUDDY JSONL_CHECK
set -u
buddy=$1
jsonl_check=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0

fail() {
    echo "FAIL json: $*" >&2
    failed=1
}

# field N KEY EXPECTED: member KEY of output line N is the JSON text EXPECTED.
field() {
    local got
    got=$("$jsonl_check" --get "$1" "$2" "$tmp/out") || {
        fail "line $1 has no \"$2\""
        return
    }
    [ "$got" = "$3" ] || fail "line $1 \"$2\": got $got, expected $3"
}

cat >"$tmp/s.buddy" <<'SCRIPT'
zone 16 4
alloc 1
free 0
free 0
stats
walk
frag
info
map
check
reserve 0 2
alloc x
SCRIPT
"$buddy" run --json "$tmp/s.buddy" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" = 1 ] || fail "exit status $rc, expected 1 (two lines fail)"
[ -s "$tmp/err" ] && fail "stderr is not empty: $(cat "$tmp/err")"
n=$("$jsonl_check" "$tmp/out") || fail "not valid JSON Lines"
[ "$n" = 12 ] || fail "$n objects for 12 command lines"

field 1 cmd '"zone"'
field 1 ok true
field 1 pages 16
field 1 max_order 4
field 1 free_pages 16
field 2 line 2
field 2 order 1
field 2 pfn 0
field 3 order 1
field 4 ok false
field 4 error '"EDOUBLEFREE"'
field 4 message '"block is already free (double free)"'
field 4 line 4
field 5 nr_free '[0,0,0,0,1]'
field 5 alloc_count '[0,1,0,0,0]'
field 5 free_count '[0,1,0,0,0]'
field 5 splits 3
field 5 merges 3
field 5 rejected 1
field 5 cached_pages 0
field 6 blocks '[{"pfn":0,"kind":"free","order":4,"pages":16}]'
field 7 unusable '[0.000,0.000,0.000,0.000,0.000]'
field 7 fragmentation '[-1.000,-1.000,-1.000,-1.000,-1.000]'
field 8 buddyinfo '"Node 0, zone   Normal      0      0      0      0      1 "'
"$jsonl_check" --get 9 map "$tmp/out" | grep -qF '| .   .   .   .' ||
    fail "map is not the picture"
field 10 cmd '"check"'
field 10 ok true
field 11 ok true
field 11 pfn 0
field 11 count 2
field 12 error '"ESYNTAX"'
field 12 message "\"ORDER must be a number 0..31, got 'x'\""

# Whatever bytes a script holds, the output stays valid JSON (quotes,
# backslashes, control characters and bytes that are not UTF-8 are escaped).
printf 'zone 16 4\nal"loc\\ 1\n\001x\nf\377\376 1\n\303\251t\303\251 2\ncheck\n' >"$tmp/odd.buddy"
"$buddy" run --json "$tmp/odd.buddy" >"$tmp/out"
n=$("$jsonl_check" "$tmp/out") || fail "odd bytes broke the JSON: $(cat "$tmp/out")"
[ "$n" = 6 ] || fail "$n objects for 6 odd command lines"
field 2 cmd '"al\"loc\\"'
field 3 cmd '"\u0001x"'
field 4 cmd '"f\ufffd\ufffd"'
field 5 cmd "\"$(printf '\303\251t\303\251')\""
field 6 ok true

# The checker itself must refuse what is not JSON Lines.
for bad in '{"line":1,"cmd":"x","ok":true,}' '{"line":1,"cmd":"x"}' \
    '{"line":1,"cmd":"x","ok":false}' '{"line":01,"cmd":"x","ok":true}' \
    '[1]' '{"line":1,"cmd":"x","ok":true} x' '{"line":1,"cmd":"\x","ok":true}'; do
    printf '%s\n' "$bad" >"$tmp/bad"
    "$jsonl_check" "$tmp/bad" >/dev/null 2>&1 && fail "jsonl_check accepted: $bad"
done

[ "$failed" = 0 ] && echo "ok json"
exit "$failed"
