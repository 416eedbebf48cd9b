#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# e2e.serve: `buddy serve` answers on 127.0.0.1 with the page, 404 for
# anything else, and refuses bad options and a missing page with status 2.
# Talks HTTP through bash's /dev/tcp, so no curl is needed. Every client is
# bounded by `timeout`, so a server that hangs fails the test instead of
# stalling it.
set -euo pipefail
buddy=$1
tmp=$(mktemp -d)
pid=
# Never `kill 0` (that is the whole process group): only a server we started.
trap 'rm -rf "$tmp"; if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; fi' EXIT

fail() { echo "FAIL: $*"; exit 1; }

printf '<!doctype html><title>field guide</title>' > "$tmp/page.html"

# Start a server on a free port with the extra options given (--once, or
# none for one that serves until stop); sets pid and port. Called in this
# shell (not in $(...)), so pid stays visible to the trap and to wait.
start() {
  : > "$tmp/out"
  "$buddy" serve --port 0 --page "$tmp/page.html" "$@" > "$tmp/out" &
  pid=$!
  for _ in $(seq 100); do
    grep -q 'serving' "$tmp/out" 2>/dev/null && break
    sleep 0.05
  done
  port=$(sed -n 's#.*http://127\.0\.0\.1:\([0-9]*\)/.*#\1#p' "$tmp/out")
  [ -n "$port" ] || { cat "$tmp/out"; fail "no port printed"; }
}

# Stop a server started without --once; it must still be running.
stop() {
  kill -0 "$pid" 2>/dev/null || fail "the server died"
  kill "$pid"
  wait "$pid" 2>/dev/null || true
  pid=
}

get() { # port path -> whole response on stdout
  exec 3<>"/dev/tcp/127.0.0.1/$1"
  printf 'GET %s HTTP/1.0\r\nHost: x\r\n\r\n' "$2" >&3
  cat <&3
  exec 3<&-
}

# req FILE: send stdin to the server as it is, the whole answer into FILE,
# then split it at the blank line into FILE.head and FILE.body. Gives up
# after 10 seconds.
req() {
  local off
  timeout 10 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1" && cat >&3 && cat <&3' \
    _ "$port" > "$1" || fail "no answer in time (status $?) to: $2"
  off=$(grep -a -b -m1 $'^\r$' "$1" | cut -d: -f1) || fail "no blank line after the head: $2"
  head -c "$((off + 2))" "$1" > "$1.head"
  tail -c "+$((off + 3))" "$1" > "$1.body"
}

# The value of header $2 in the head of answer $1.
header() { tr -d '\r' < "$1.head" | sed -n "s/^$2: *//Ip"; }

# expect_page FILE WHAT: answer FILE is a 200 whose body is the whole page,
# as long as its Content-Length says.
expect_page() {
  grep -q '^HTTP/1.0 200 OK' "$1.head" || fail "$2: not 200: $(head -1 "$1")"
  [ "$(header "$1" Content-Length)" = "$(wc -c < "$tmp/page.html")" ] ||
    fail "$2: Content-Length $(header "$1" Content-Length), page $(wc -c < "$tmp/page.html")"
  cmp -s "$1.body" "$tmp/page.html" ||
    fail "$2: body of $(wc -c < "$1.body") bytes is not the page"
}

start --once
resp=$(get "$port" /)
wait "$pid"; pid=
grep -q '^HTTP/1.0 200 OK' <<<"$resp" || fail "/ not 200: $resp"
grep -q 'Content-Type: text/html' <<<"$resp" || fail "content type"
grep -q '<title>field guide</title>' <<<"$resp" || fail "body"

start --once
resp=$(get "$port" /etc/passwd)
wait "$pid"; pid=
grep -q '^HTTP/1.0 404' <<<"$resp" || fail "not 404: $resp"

start

# HEAD: the Content-Length a GET would get, and no body.
printf 'HEAD / HTTP/1.0\r\n\r\n' | req "$tmp/r" "HEAD /"
grep -q '^HTTP/1.0 200 OK' "$tmp/r.head" || fail "HEAD not 200"
[ "$(header "$tmp/r" Content-Length)" = "$(wc -c < "$tmp/page.html")" ] ||
  fail "HEAD Content-Length '$(header "$tmp/r" Content-Length)'"
[ ! -s "$tmp/r.body" ] || fail "HEAD has a body"

# Other methods: 405 with the methods that are allowed.
printf 'POST / HTTP/1.0\r\nContent-Length: 0\r\n\r\n' | req "$tmp/r" "POST /"
grep -q '^HTTP/1.0 405' "$tmp/r.head" || fail "POST not 405"
[ "$(header "$tmp/r" Allow)" = "GET, HEAD" ] || fail "405 Allow '$(header "$tmp/r" Allow)'"

# A query string or fragment changes nothing, on either name of the page.
for target in '/?x=1' '/index.html?x=1' '/index.html#top' '/?a=b&c=d#e'; do
  printf 'GET %s HTTP/1.0\r\n\r\n' "$target" | req "$tmp/r" "GET $target"
  expect_page "$tmp/r" "GET $target"
done
printf 'GET /nope?x=1 HTTP/1.0\r\n\r\n' | req "$tmp/r" "GET /nope?x=1"
grep -q '^HTTP/1.0 404' "$tmp/r.head" || fail "/nope?x=1 not 404"
printf 'GET /index.html/?x=1 HTTP/1.0\r\n\r\n' | req "$tmp/r" "GET /index.html/?x=1"
grep -q '^HTTP/1.0 404' "$tmp/r.head" || fail "/index.html/?x=1 not 404"

stop

# Bad input: status 2 and a message naming the problem.
set +e
"$buddy" serve --port 70000 2> "$tmp/err"; rc=$?
set -e
[ "$rc" = 2 ] && grep -q -- '--port must be 0..65535' "$tmp/err" || { echo "FAIL: bad port rc=$rc"; cat "$tmp/err"; exit 1; }
set +e
"$buddy" serve --page "$tmp/nope.html" 2> "$tmp/err"; rc=$?
set -e
[ "$rc" = 2 ] && grep -q 'cannot read' "$tmp/err" || { echo "FAIL: missing page rc=$rc"; exit 1; }
set +e
"$buddy" serve --frobnicate 2> "$tmp/err"; rc=$?
set -e
[ "$rc" = 2 ] && grep -q "unknown option '--frobnicate'" "$tmp/err" || { echo "FAIL: unknown option rc=$rc"; exit 1; }
# A directory reads as an empty page: refused before listening.
set +e
timeout 5 "$buddy" serve --port 0 --page "$tmp" --once 2> "$tmp/err"; rc=$?
set -e
[ "$rc" = 2 ] && grep -q 'is a directory' "$tmp/err" || { echo "FAIL: directory as page rc=$rc"; cat "$tmp/err"; exit 1; }
# An option at the end of the line without its value names the option.
for opt in --port --page; do
  set +e
  timeout 5 "$buddy" serve "$opt" 2> "$tmp/err"; rc=$?
  set -e
  [ "$rc" = 2 ] && grep -q -- "option '$opt' needs a value" "$tmp/err" || { echo "FAIL: $opt without value rc=$rc"; cat "$tmp/err"; exit 1; }
done
echo "serve: ok"
