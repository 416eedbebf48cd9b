#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# e2e.serve: `buddy serve` answers on 127.0.0.1 with the whole page (GET,
# HEAD, a query string), 404, 405 with Allow, 400 and 431 for bad heads;
# a client that stalls or leaves, or a lack of descriptors, stops no other
# client; --once ends after one answer; bad options, a missing page and a
# directory are refused with status 2.
# Talks HTTP through bash's /dev/tcp, so no curl is needed. Every client is
# bounded by `timeout`, so a server that hangs fails the test instead of
# stalling it.
set -euo pipefail
buddy=$1
tmp=$(mktemp -d)
pid=
client=
# Never `kill 0` (that is the whole process group): only the server and the
# background client we started.
trap 'rm -rf "$tmp"; for p in $pid $client; do kill "$p" 2>/dev/null || true; done' EXIT
# A signal ends the script through exit, so the cleanup above runs.
trap 'exit 1' INT TERM HUP PIPE

fail() { echo "FAIL: $*"; exit 1; }

# Big enough that an answer takes several sends and fills the socket
# buffers, so a cut body or a reset shows.
{ printf '<!doctype html><title>field guide</title>\n<pre>\n'; seq 1200000; } > "$tmp/page.html"

# Start a server on a free port with the extra options given (--once, or
# none for one that serves until stop), under `ulimit -n $fd_limit` when
# that is set; sets pid and port, its stderr goes to $tmp/srv_err. Called
# in this shell (not in $(...)), so pid stays visible to the trap and to
# wait.
start() {
  : > "$tmp/out"
  (
    if [ -n "${fd_limit:-}" ]; then ulimit -n "$fd_limit"; fi
    exec "$buddy" serve --port 0 --page "$tmp/page.html" "$@"
  ) > "$tmp/out" 2> "$tmp/srv_err" &
  pid=$!
  for _ in $(seq 100); do
    grep -q 'serving' "$tmp/out" 2>/dev/null && break
    sleep 0.05
  done
  port=$(sed -n 's#.*http://127\.0\.0\.1:\([0-9]*\)/.*#\1#p' "$tmp/out")
  [ -n "$port" ] || { cat "$tmp/out"; fail "no port printed"; }
}

# wait_for WHAT CMD...: run CMD every 0.05 s until it succeeds, at most
# 10 seconds.
wait_for() {
  local what=$1
  shift
  for _ in $(seq 200); do
    "$@" && return 0
    sleep 0.05
  done
  fail "$what"
}

# Wait, bounded, for a --once server to end; it must end with status 0.
wait_exit() {
  wait_for "server still running" eval '! kill -0 "$pid" 2>/dev/null'
  wait "$pid" || fail "server status $?"
  pid=
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
  timeout 10 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1" && cat >&3 && cat <&3' \
    _ "$port" > "$1" || fail "no answer in time (status $?) to: $2"
  split "$@"
}

# split FILE WHAT: an answer in FILE into FILE.head and FILE.body.
split() {
  local off
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

# A request line that is not "METHOD TARGET [HTTP/x.y]" is 400.
for line in 'garbage' 'GET / FTP/1.0' 'GET  /' ' GET /'; do
  printf '%s\r\n\r\n' "$line" | req "$tmp/r" "'$line'"
  grep -q '^HTTP/1.0 400' "$tmp/r.head" || fail "'$line' not 400: $(head -1 "$tmp/r")"
done

# A client that connects and sends nothing holds its connection, not the
# server: the next client gets the whole page while it stays connected.
exec {idle}<>"/dev/tcp/127.0.0.1/$port"
printf 'GET / HTTP/1.0\r\nHost: x\r\n\r\n' | req "$tmp/r" "GET / beside an idle client"
expect_page "$tmp/r" "GET / beside an idle client"
# A request line whose head never ends, likewise.
exec {stalled}<>"/dev/tcp/127.0.0.1/$port"
printf 'GET / HTTP/1.0\r\n' >&"$stalled"
printf 'GET / HTTP/1.0\r\n\r\n' | req "$tmp/r" "GET / beside an unended head"
expect_page "$tmp/r" "GET / beside an unended head"
# A client that never reads its answer, likewise.
exec {deaf}<>"/dev/tcp/127.0.0.1/$port"
printf 'GET / HTTP/1.0\r\n\r\n' >&"$deaf"
printf 'GET / HTTP/1.0\r\n\r\n' | req "$tmp/r" "GET / beside a client not reading"
expect_page "$tmp/r" "GET / beside a client not reading"
exec {idle}<&- {stalled}<&- {deaf}<&-

# A NUL byte is answered 400 at once, without waiting for the end of the
# head, and the connection closed; the next client is served.
printf 'GET / HTTP/1.0\r\nX-A: a\0b' | req "$tmp/r" "a NUL in the head"
grep -q '^HTTP/1.0 400' "$tmp/r.head" || fail "NUL not 400: $(head -1 "$tmp/r")"
printf 'GET / HTTP/1.0\r\n\r\n' | req "$tmp/r" "GET / after a NUL"
expect_page "$tmp/r" "GET / after a NUL"

# A client that goes away without reading costs its connection only.
for _ in 1 2 3; do
  exec {gone}<>"/dev/tcp/127.0.0.1/$port"
  printf 'GET / HTTP/1.0\r\n\r\n' >&"$gone"
  exec {gone}<&-
done
printf 'GET / HTTP/1.0\r\n\r\n' | req "$tmp/r" "GET / after clients that left"
expect_page "$tmp/r" "GET / after clients that left"

# Heads up to 16384 bytes (request line, headers and the blank line) are
# read whole and answered whole; one byte more is 431. A head is 28 bytes
# around its Cookie value.
cookie() { head -c "$1" /dev/zero | tr '\0' a; }
for size in 2100 8192 16356; do
  printf 'GET / HTTP/1.0\r\nCookie: %s\r\n\r\n' "$(cookie "$size")" |
    req "$tmp/r" "GET / with a $size-byte cookie"
  expect_page "$tmp/r" "GET / with a $size-byte cookie"
done
for size in 16357 30000; do
  printf 'GET / HTTP/1.0\r\nCookie: %s\r\n\r\n' "$(cookie "$size")" |
    req "$tmp/r" "GET / with a $size-byte cookie"
  grep -q '^HTTP/1.0 431' "$tmp/r.head" || fail "$size-byte cookie not 431: $(head -1 "$tmp/r")"
done
printf 'GET / HTTP/1.0\r\n\r\n' | req "$tmp/r" "GET / after a 431"
expect_page "$tmp/r" "GET / after a 431"

stop

# Out of descriptors, accept() fails with EMFILE: the server waits and goes
# on. Its descriptors are filled with idle clients, one more client
# connects and waits in the backlog while the server meets EMFILE; the idle
# clients leave, and only then (so that the page can be opened) does the
# waiting client send its request, which must be served. The waiting
# client is started first, so that it holds no copy of the idle clients'
# sockets: their close must reach the server.
fd_limit=24
start
# Descriptors the server holds below the limit; any it inherited above the
# limit take no room.
low_fds() { ls "/proc/$pid/fd" | awk -v l="$fd_limit" '$1 < l' | wc -l; }
timeout 30 bash -c 'while [ ! -e "$2.connect" ]; do sleep 0.05; done
  exec 3<>"/dev/tcp/127.0.0.1/$1" || exit
  : > "$2.connected"
  while [ ! -e "$2" ]; do sleep 0.05; done
  printf "GET / HTTP/1.0\r\n\r\n" >&3; cat <&3' _ "$port" "$tmp/go" > "$tmp/emfile" &
client=$!
used=$(low_fds)
fillers=()
for _ in $(seq "$((fd_limit - used))"); do
  exec {f}<>"/dev/tcp/127.0.0.1/$port"
  fillers+=("$f")
done
touch "$tmp/go.connect"
wait_for "the waiting client did not connect" test -e "$tmp/go.connected"
wait_for "the server reported no EMFILE" grep -q 'Too many open files' "$tmp/srv_err"
for f in "${fillers[@]}"; do exec {f}<&-; done
# The idle clients are gone once the server holds at most one descriptor
# more than at the start (the waiting client's, if accepted already).
wait_for "the idle clients are still open" \
  eval '[ "$(low_fds)" -le "$((used + 1))" ]'
touch "$tmp/go"
wait "$client" || fail "GET / after EMFILE: status $?"
client=
split "$tmp/emfile" "GET / after EMFILE"
expect_page "$tmp/emfile" "GET / after EMFILE"
stop
fd_limit=

# --once counts answers, not connections: an idle client does not end it.
start --once
exec {idle}<>"/dev/tcp/127.0.0.1/$port"
printf 'GET / HTTP/1.0\r\n\r\n' | req "$tmp/r" "GET / with --once beside an idle client"
expect_page "$tmp/r" "GET / with --once beside an idle client"
wait_exit
exec {idle}<&-

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
