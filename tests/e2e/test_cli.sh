#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_cli.sh: the command line around the subcommands: help, version, exit
# statuses and one-line messages for usage errors, write errors, input from
# stdin, and the input edge cases a case file cannot hold (NUL bytes, CRLF
# line ends, no final newline, control characters, long lines, a byte-order
# mark, zones too big for the machine).
#
# usage: test_cli.sh BUDDY
set -u
buddy=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0

fail() {
    echo "FAIL cli: $*" >&2
    failed=1
}

# expect RC STDOUT_GREP STDERR_GREP -- ARGS...: run buddy, check the exit
# status and that each stream matches its pattern ("" = must be empty,
# "*" = anything).
expect() {
    local want_rc=$1 out_pat=$2 err_pat=$3
    shift 4
    "$buddy" "$@" <"${STDIN:-/dev/null}" >"$tmp/out" 2>"$tmp/err"
    local rc=$?
    [ "$rc" = "$want_rc" ] || fail "buddy $*: exit $rc, expected $want_rc"
    check_stream "$tmp/out" "$out_pat" "buddy $*: stdout"
    check_stream "$tmp/err" "$err_pat" "buddy $*: stderr"
}

check_stream() {
    case $2 in
    '*') ;;
    '') [ -s "$1" ] && fail "$3 should be empty, got: $(head -n 2 "$1")" ;;
    *) grep -qE -- "$2" "$1" || fail "$3 lacks /$2/, got: $(head -n 2 "$1")" ;;
    esac
}

# ---- help, version, usage errors --------------------------------------------
expect 0 '^usage: buddy' '' -- --help
expect 0 '^usage: buddy' '' -- help
expect 0 '^usage: buddy' '' -- -h
expect 0 '^usage: buddy' '' -- run --help
expect 0 '^usage: buddy' '' -- demo --help
"$buddy" help >"$tmp/help"
for word in demo run zone alloc free add reserve info check stats walk frag watermarks zoneinfo \
    --json --stop-on-error --color --no-color NO_COLOR 'exit status'; do
    grep -qF -- "$word" "$tmp/help" || fail "help does not mention $word"
done
grep -qF "the run goes on" "$tmp/help" || fail "help does not explain the error decision"
expect 0 '^buddy [0-9]+\.[0-9]+\.[0-9]+$' '' -- version
expect 0 '^buddy [0-9]+\.[0-9]+\.[0-9]+$' '' -- --version
expect 2 '' '^usage: buddy' --
expect 2 '' "unknown command 'frobnicate'" -- frobnicate
expect 2 '' "unknown argument 'now'" -- demo now
expect 2 '' "unknown option '--frob'" -- run --frob
expect 2 '' "cannot open '$tmp/missing.buddy'" -- run "$tmp/missing.buddy"
expect 2 '' "only one FILE" -- run a.buddy b.buddy
expect 2 '' "$tmp: Is a directory" -- run "$tmp"

# ---- stdin, "-" and "--" -----------------------------------------------------
printf 'zone 16 4\nalloc 1\nalloc 1\n' >"$tmp/s.buddy"
STDIN=$tmp/s.buddy expect 0 '^2$' '' -- run
STDIN=$tmp/s.buddy expect 0 '^2$' '' -- run -
STDIN=$tmp/s.buddy expect 0 '"pfn":2}$' '' -- run --json -
cp "$tmp/s.buddy" "$tmp/-x"
(cd "$tmp" && "$buddy" run -- -x >"$tmp/out" 2>&1) || fail "run -- -x failed"
grep -qx 2 "$tmp/out" || fail "'--' does not end the options"

# ---- input edge cases ---------------------------------------------------------
# A NUL byte would hide the words after it: the line is refused.
printf 'zone 16 4\nalloc 1\0 9\ncheck\n' >"$tmp/nul.buddy"
expect 1 '^ok$' '^buddy: line 2: line contains a NUL byte$' -- run "$tmp/nul.buddy"
"$buddy" run --json "$tmp/nul.buddy" >"$tmp/out"
grep -qxF '{"line":2,"cmd":"","ok":false,"error":"ESYNTAX","message":"line contains a NUL byte"}' \
    "$tmp/out" || fail "NUL byte in --json: $(cat "$tmp/out")"
# CRLF line ends and a last line without a newline.
printf 'zone 16 4\r\nalloc 1\r\n\r\n# note\r\ninfo\r\ncheck' >"$tmp/crlf.buddy"
expect 0 '^ok$' '' -- run "$tmp/crlf.buddy"
grep -qx 0 "$tmp/out" || fail "CRLF: alloc did not print 0"
# An empty script is a successful run that prints nothing.
: >"$tmp/empty.buddy"
expect 0 '' '' -- run "$tmp/empty.buddy"
# Errors interleave with results in line order when both go to one place.
printf 'zone 16 4\nalloc 1\nfree 2\nalloc 1\n' >"$tmp/mix.buddy"
"$buddy" run "$tmp/mix.buddy" >"$tmp/out" 2>&1
printf '0\nbuddy: line 3: free: block is already free (double free) [EDOUBLEFREE]\n2\n' |
    cmp -s - "$tmp/out" || fail "stdout and stderr out of order: $(cat "$tmp/out")"

# ---- usage errors: one line, and where to look --------------------------------
usage_error() {
    "$buddy" "$@" </dev/null >"$tmp/out" 2>"$tmp/err"
    local rc=$? lines
    lines=$(wc -l <"$tmp/err")
    [ "$rc" = 2 ] || fail "buddy $*: exit $rc, expected 2"
    [ -s "$tmp/out" ] && fail "buddy $*: usage error on stdout"
    [ "$lines" = 1 ] || fail "buddy $*: $lines lines on stderr, expected one"
    grep -qF "see 'buddy help'" "$tmp/err" || fail "buddy $*: no pointer to 'buddy help': $(head -n 2 "$tmp/err")"
}
usage_error
usage_error --no-color
usage_error frobnicate
usage_error demo now
usage_error run --frob
usage_error run a.buddy b.buddy

# ---- output errors ---------------------------------------------------------------
# A full disk is an error for every subcommand, never a silent success.
if [ -w /dev/full ]; then
    for args in demo help version "run $tmp/s.buddy" "run --json $tmp/s.buddy" "run --help"; do
        # shellcheck disable=SC2086 # the words of args are the arguments
        "$buddy" $args >/dev/full 2>"$tmp/err"
        rc=$?
        [ "$rc" = 1 ] || fail "buddy $args >/dev/full: exit $rc, expected 1"
        grep -qx 'buddy: write error: No space left on device' "$tmp/err" ||
            fail "buddy $args >/dev/full: stderr: $(cat "$tmp/err")"
    done
fi

# ---- what the input holds, as the messages show it ------------------------------
# Control characters are escaped (\xHH), in the text and in the JSON: a
# script cannot set the terminal's title or clear its screen.
printf 'zone 16 4\n\033]0;PWNED\a\nalloc \033[2J\n' >"$tmp/ctl.buddy"
expect 1 '' '^buddy: line 2: \\x1b\]0;PWNED\\x07: unknown command' -- run "$tmp/ctl.buddy"
grep -qxF "buddy: line 3: alloc: ORDER must be a number 0..31, got '\\x1b[2J'" "$tmp/err" ||
    fail "control characters in a word: $(cat -v "$tmp/err")"
LC_ALL=C grep -q $'[\033\a]' "$tmp/err" && fail "raw ESC or BEL on stderr: $(cat -v "$tmp/err")"
"$buddy" run --json "$tmp/ctl.buddy" >"$tmp/out"
LC_ALL=C grep -q $'[\033\a]' "$tmp/out" && fail "raw ESC or BEL in --json: $(cat -v "$tmp/out")"
grep -qF '"cmd":"\u001b]0;PWNED\u0007"' "$tmp/out" || fail "--json cmd not escaped: $(cat -v "$tmp/out")"
# C1 controls and bidirectional overrides are escaped even as valid UTF-8
# (\uHHHH), bytes that are not UTF-8 as \xHH, and a backslash doubled; the
# rest of UTF-8 shows as it is.
printf 'zone 16 4\nalloc \302\233x\nal\342\200\256loc 1\nfree \377\nfree a\\b\nfr\303\251e 1\n' >"$tmp/utf.buddy"
"$buddy" run "$tmp/utf.buddy" >/dev/null 2>"$tmp/err" && fail "odd words: exit 0"
printf '%s\n' "buddy: line 2: alloc: ORDER must be a number 0..31, got '\\u009bx'" \
    'buddy: line 3: al\u202eloc: unknown command (expected zone, alloc, free, add, reserve, info, check, stats, walk, frag, watermarks, zoneinfo, pagetypeinfo, vmstat, isolate, undo-isolate, map, tenant, limit, charge, untenant, tenants or memory)' \
    "buddy: line 4: free: PFN must be a number 0..18446744073709551615, got '\\xff'" \
    "buddy: line 5: free: PFN must be a number 0..18446744073709551615, got 'a\\\\b'" \
    "buddy: line 6: $(printf 'fr\303\251e'): unknown command (expected zone, alloc, free, add, reserve, info, check, stats, walk, frag, watermarks, zoneinfo, pagetypeinfo, vmstat, isolate, undo-isolate, map, tenant, limit, charge, untenant, tenants or memory)" |
    cmp -s - "$tmp/err" || fail "UTF-8 and odd bytes: $(cat -v "$tmp/err")"
"$buddy" run --json "$tmp/utf.buddy" >"$tmp/out"
grep -qF '"cmd":"al\u202eloc"' "$tmp/out" || fail "--json: bidi override not escaped: $(cat -v "$tmp/out")"
# Arguments are input too.
expect 2 '' "^buddy: unknown command '\\\\x1b\\]0;X\\\\x07'" -- $'\033]0;X\a'

# A long line, or a long word, is quoted as a bounded prefix: 80 characters
# and "...". A line over 4095 bytes is refused, as by the playground, and
# read without keeping it whole.
{
    printf 'zone 16 4\n'
    head -c 1048576 /dev/zero | tr '\0' x
    printf '\nalloc '
    head -c 3000 /dev/zero | tr '\0' 7
    printf '\ncheck\n'
} >"$tmp/long.buddy"
x80=$(printf 'x%.0s' {1..80})
s80=$(printf '7%.0s' {1..80})
expect 1 '^ok$' '*' -- run "$tmp/long.buddy"
printf '%s\n' "buddy: line 2: line too long (more than 4095 bytes): '$x80...'" \
    "buddy: line 3: alloc: ORDER must be a number 0..31, got '$s80...'" |
    cmp -s - "$tmp/err" || fail "long lines: $(head -c 600 "$tmp/err")"
"$buddy" run --json "$tmp/long.buddy" >"$tmp/out"
size=$(wc -c <"$tmp/out")
[ "$size" -lt 1000 ] || fail "--json of the long lines is $size bytes"
grep -qF "{\"line\":2,\"cmd\":\"\",\"ok\":false,\"error\":\"ESYNTAX\",\"message\":\"line too long (more than 4095 bytes): '$x80...'\"}" \
    "$tmp/out" || fail "--json long line: $(head -c 600 "$tmp/out")"
# A long unknown command is cut in "cmd" as well.
{ printf 'zone 16 4\n'; head -c 4000 /dev/zero | tr '\0' q; printf '\n'; } >"$tmp/word.buddy"
"$buddy" run --json "$tmp/word.buddy" >"$tmp/out"
q80=$(printf 'q%.0s' {1..80})
grep -qF "\"line\":2,\"cmd\":\"$q80...\",\"ok\":false" "$tmp/out" || fail "--json long cmd: $(head -c 600 "$tmp/out")"
"$buddy" run "$tmp/word.buddy" >/dev/null 2>"$tmp/err"
grep -q "^buddy: line 2: $q80\.\.\.: unknown command" "$tmp/err" || fail "long cmd: $(head -c 600 "$tmp/err")"
# A line of exactly 4095 bytes (here a comment) still runs.
{ printf 'zone 16 4\n# '; head -c 4093 /dev/zero | tr '\0' c; printf '\r\ncheck\n'; } >"$tmp/max.buddy"
expect 0 '^ok$' '' -- run "$tmp/max.buddy"

# A UTF-8 byte-order mark starts no word at the start of a script; anywhere
# else it is what it is, and shown escaped.
printf '\357\273\277zone 16 4\r\nalloc 1\n\357\273\277info\n' >"$tmp/bom.buddy"
expect 1 '^0$' '^buddy: line 3: \\ufeffinfo: unknown command' -- run "$tmp/bom.buddy"
printf '\357\273\277# a comment first\nzone 16 4\ncheck\n' >"$tmp/bom2.buddy"
expect 0 '^ok$' '' -- run "$tmp/bom2.buddy"
STDIN=$tmp/bom2.buddy expect 0 '"cmd":"check","ok":true' '' -- run --json

# ---- zones whose metadata cannot be allocated ---------------------------------------
# 536870912 pages need 4.5 GiB of metadata: more than a 32-bit size_t holds,
# which must be refused, not wrapped; on 64 bits calloc may give it (the
# pages stay untouched), and then the zone works.
printf 'zone 536870912 10\ninfo\n' >"$tmp/huge.buddy"
"$buddy" run "$tmp/huge.buddy" >"$tmp/out" 2>"$tmp/err"
rc=$?
case $rc in
0) grep -q '^Node 0, zone   Normal' "$tmp/out" || fail "huge zone made, but info: $(cat "$tmp/out")" ;;
1) printf '%s\n' "buddy: line 2: info: no zone: the 'zone' command on line 1 failed" >"$tmp/want"
    grep -q "^buddy: line 1: zone: cannot allocate the zone's metadata: " "$tmp/err" &&
        sed -n 2p "$tmp/err" | cmp -s - "$tmp/want" || fail "huge zone refused: $(cat "$tmp/err")" ;;
*) fail "huge zone: exit $rc: $(cat "$tmp/err")" ;;
esac
# With the address space limited it cannot be given (skipped where the
# binary cannot run so limited, as under ASan).
if (ulimit -v 262144 && exec "$buddy" version) >/dev/null 2>&1; then
    (ulimit -v 262144 && exec "$buddy" run "$tmp/huge.buddy") >"$tmp/out" 2>"$tmp/err"
    rc=$?
    [ "$rc" = 1 ] || fail "huge zone in 256 MiB: exit $rc"
    grep -q "^buddy: line 1: zone: cannot allocate the zone's metadata: " "$tmp/err" ||
        fail "huge zone in 256 MiB: $(cat "$tmp/err")"
    grep -qxF "buddy: line 2: info: no zone: the 'zone' command on line 1 failed" "$tmp/err" ||
        fail "huge zone in 256 MiB: $(cat "$tmp/err")"
    (ulimit -v 262144 && exec "$buddy" run --json "$tmp/huge.buddy") >"$tmp/out" 2>&1
    grep -qF '{"line":1,"cmd":"zone","ok":false,"error":"ENOMETA","message":"cannot allocate the zone'"'"'s metadata: ' \
        "$tmp/out" || fail "huge zone in 256 MiB, --json: $(cat "$tmp/out")"
fi

[ "$failed" = 0 ] && echo "ok cli"
exit "$failed"
