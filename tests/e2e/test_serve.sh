#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# e2e.serve: `buddy serve` answers on 127.0.0.1 with the page, 404 for
# anything else, and refuses bad options and a missing page with status 2.
# Talks HTTP through bash's /dev/tcp, so no curl is needed.
set -euo pipefail
buddy=$1
tmp=$(mktemp -d)
pid=
# Never `kill 0` (that is the whole process group): only a server we started.
trap 'rm -rf "$tmp"; if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; fi' EXIT

printf '<!doctype html><title>field guide</title>' > "$tmp/page.html"

# Start a one-request server on a free port; sets pid and port. Called in
# this shell (not in $(...)), so pid stays visible to the trap and to wait.
start() {
  : > "$tmp/out"
  "$buddy" serve --port 0 --page "$tmp/page.html" --once > "$tmp/out" &
  pid=$!
  for _ in $(seq 100); do
    grep -q 'serving' "$tmp/out" 2>/dev/null && break
    sleep 0.05
  done
  port=$(sed -n 's#.*http://127\.0\.0\.1:\([0-9]*\)/.*#\1#p' "$tmp/out")
}

get() { # port path -> whole response on stdout
  exec 3<>"/dev/tcp/127.0.0.1/$1"
  printf 'GET %s HTTP/1.0\r\nHost: x\r\n\r\n' "$2" >&3
  cat <&3
  exec 3<&-
}

start
[ -n "$port" ] || { echo "FAIL: no port printed"; cat "$tmp/out"; exit 1; }
resp=$(get "$port" /)
wait "$pid"; pid=
grep -q '^HTTP/1.0 200 OK' <<<"$resp" || { echo "FAIL: / not 200: $resp"; exit 1; }
grep -q 'Content-Type: text/html' <<<"$resp" || { echo "FAIL: content type"; exit 1; }
grep -q '<title>field guide</title>' <<<"$resp" || { echo "FAIL: body"; exit 1; }

start
resp=$(get "$port" /etc/passwd)
wait "$pid"; pid=
grep -q '^HTTP/1.0 404' <<<"$resp" || { echo "FAIL: not 404: $resp"; exit 1; }

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
