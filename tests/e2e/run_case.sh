#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# run_case.sh: run one scripted case of `buddy run` and check everything it
# prints. A case is a buddy script whose comments carry its expectations
# (the interpreter ignores them, so the file runs as it is):
#
#   #= rc N        expected exit status (default 0)
#   #= args ...    extra arguments to `buddy run` (e.g. --stop-on-error)
#   #> text        the next line of stdout in text mode ("#>" alone: empty)
#   #! text        the next line of stderr in text mode
#   #j {...}       a line that must appear in the --json output; #j lines
#                  must appear in this order (other lines may lie between)
#
# Text mode must print exactly the #> and #! lines (trailing blanks aside,
# so an editor that trims them does not break a case). JSON mode must exit
# the same way, print nothing on stderr, pass jsonl_check (strict JSON, one
# object per command line), and contain the #j lines. The case also runs
# from stdin, which must give the same output.
#
# usage: run_case.sh BUDDY JSONL_CHECK CASE
set -u
buddy=$1
jsonl_check=$2
case_file=$3
name=$(basename "$case_file")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0

fail() {
    echo "FAIL $name: $*" >&2
    failed=1
}

# The lines after a marker, with "#X" alone meaning an empty line.
expected() {
    sed -n -e "s/^$1\$//p" -e "s/^$1 //p" "$case_file"
}

# Compare two files, trailing blanks ignored; show a diff when they differ.
same() {
    sed 's/[[:space:]]*$//' "$1" >"$1.trim"
    sed 's/[[:space:]]*$//' "$2" >"$2.trim"
    diff -u "$1.trim" "$2.trim" >"$tmp/diff" && return 0
    cat "$tmp/diff" >&2
    return 1
}

want_rc=$(sed -n 's/^#= rc //p' "$case_file")
want_rc=${want_rc:-0}
read -r -a args <<<"$(sed -n 's/^#= args //p' "$case_file")"

# ---- text mode ------------------------------------------------------------
expected '#>' >"$tmp/want.out"
expected '#!' >"$tmp/want.err"
"$buddy" run "${args[@]}" "$case_file" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" = "$want_rc" ] || fail "text mode exited $rc, expected $want_rc"
same "$tmp/want.out" "$tmp/out" || fail "stdout differs (- expected, + got)"
same "$tmp/want.err" "$tmp/err" || fail "stderr differs (- expected, + got)"

# ---- the same script from stdin --------------------------------------------
"$buddy" run "${args[@]}" - <"$case_file" >"$tmp/out2" 2>"$tmp/err2"
rc=$?
[ "$rc" = "$want_rc" ] || fail "stdin run exited $rc, expected $want_rc"
cmp -s "$tmp/out" "$tmp/out2" || fail "stdin run printed other output"
cmp -s "$tmp/err" "$tmp/err2" || fail "stdin run printed other errors"

# ---- JSON mode --------------------------------------------------------------
"$buddy" run --json "${args[@]}" "$case_file" >"$tmp/json" 2>"$tmp/jerr"
rc=$?
[ "$rc" = "$want_rc" ] || fail "--json exited $rc, expected $want_rc"
[ -s "$tmp/jerr" ] && fail "--json wrote to stderr: $(head -n 3 "$tmp/jerr")"
if count=$("$jsonl_check" "$tmp/json"); then
    # One object per command line, unless the run was told to stop early.
    commands=$(grep -cvE '^[[:space:]]*(#|$)' "$case_file")
    if [[ " ${args[*]-} " != *" --stop-on-error "* ]] && [ "$count" != "$commands" ]; then
        fail "--json printed $count objects for $commands command lines"
    fi
else
    fail "--json output is not valid JSON Lines"
fi
mapfile -t got <"$tmp/json"
i=0
while IFS= read -r want; do
    while [ "$i" -lt "${#got[@]}" ] && [ "${got[i]}" != "$want" ]; do
        i=$((i + 1))
    done
    if [ "$i" -ge "${#got[@]}" ]; then
        fail "--json lacks (in order): $want"
        cat "$tmp/json" >&2
        break
    fi
    i=$((i + 1))
done < <(expected '#j')

[ "$failed" = 0 ] && echo "ok $name"
exit "$failed"
