#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/malloc/workload.sh NAME: one real program's run, in the current
# directory, printing on stdout only what the program computes (never a
# time, an address, a size the allocator chose, or an order a hash seed
# chose), so that its output under one malloc can be compared byte for
# byte with its output under another. The test (programs.sh) and the
# comparison of allocators (bench/realworld, make realworld) both run the
# programs from here; each runs this whole script under the LD_PRELOAD
# being tried, so every process it starts uses that malloc too. A run
# that fails exits non-zero with the program's error on stderr.
#
#   names        the programs, in the order the harnesses run them
#   prepare      writes their inputs (the harness runs it once, unpreloaded)
#   libc         the path of glibc's libc.so.6: the harnesses' baseline
#                preloads it, which changes nothing for a program that
#                takes malloc from libc, and puts redis-server, which
#                Debian links with jemalloc, on glibc's malloc as well
#   sort gcc bash sqlite3 python3 git perl forker redis   the programs
#   regrtest     modules of Python's regression suite (minutes, so not in
#                names; python_regrtest.sh is its test)
#
# forker needs FORKER, the path of test_malloc_forker (forker.c).
set -euo pipefail

names="sort gcc bash sqlite3 python3 git perl forker redis"

# The modules of the issue's list that Debian's libpython3.11-testsuite
# ships (it has no test_sqlite3; the sqlite3 program runs here).
regrtest_modules="test_list test_dict test_set test_tuple test_bytes
  test_unicode test_json test_re test_pickle test_collections test_deque
  test_array test_gc test_weakref test_sort test_heapq test_struct
  test_hashlib test_zlib test_io test_memoryview test_long test_threading"

need() {
  local tool
  for tool in "$@"; do
    command -v "$tool" >/dev/null || { echo "FAIL: $tool is not installed" >&2; exit 1; }
  done
}

w_prepare() {
  need awk
  # sort: 200,000 lines
  awk 'BEGIN { srand(7); for (i = 0; i < 200000; i++) printf "%08x %d line\n", int(rand() * 4294967295), i }' >lines.txt
  # gcc -O2: 1,500 generated functions
  awk 'BEGIN { for (i = 0; i < 1500; i++) {
    printf "static int t%d[%d];\nint f%d(int x) { int s = 0; for (int i = 0; i < %d; i++) { t%d[i %% %d] += x * i; s += t%d[(i * 7) %% %d]; } return s ^ %d; }\n", i, i % 50 + 1, i, i % 13 + 2, i, i % 50 + 1, i, i % 50 + 1, i } }' >gen.c
  # sqlite3: 200,000 rows with an index, aggregates, the integrity check
  cat >rows.sql <<'SQL'
CREATE TABLE t(id INTEGER PRIMARY KEY, k TEXT, v INTEGER);
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200000)
INSERT INTO t(k, v) SELECT printf('key%06d', (i * 7919) % 200000), i % 977 FROM n;
CREATE INDEX t_k ON t(k);
SELECT count(*), sum(v), min(k), max(k) FROM t;
SELECT v % 10, count(*), avg(v) FROM t GROUP BY v % 10 ORDER BY 1;
SELECT k FROM t WHERE k BETWEEN 'key100000' AND 'key100010' ORDER BY k;
PRAGMA integrity_check;
SQL
  # redis: 50,000 keys of 1 to 505 bytes, 100 lists, a sorted set, 1,000
  # hashes, 50 sets, in the protocol redis-cli --pipe sends
  awk 'function cmd(n, a, b, c, d,   s) {
      s = "*" n "\r\n$" length(a) "\r\n" a "\r\n$" length(b) "\r\n" b "\r\n"
      if (n > 2) s = s "$" length(c) "\r\n" c "\r\n"
      if (n > 3) s = s "$" length(d) "\r\n" d "\r\n"
      printf "%s", s }
    BEGIN { pad = "v"; while (length(pad) < 500) pad = pad pad
      for (i = 0; i < 50000; i++) {
        cmd(3, "SET", "key:" i, i substr(pad, 1, (i * 37) % 500))
        cmd(3, "RPUSH", "list:" i % 100, "m" i)
        cmd(4, "ZADD", "z", (i * 7919) % 50000, "m" i)
        cmd(4, "HSET", "h:" i % 1000, "f" i, i * 3)
        cmd(3, "SADD", "s:" i % 50, "m" i) } }' >redis-insert.resp
  awk 'BEGIN { for (i = 0; i < 50000; i += 3) printf "*2\r\n$3\r\nDEL\r\n$%d\r\n%s\r\n", length("key:" i), "key:" i
    for (i = 1; i < 50000; i += 5) printf "*3\r\n$6\r\nAPPEND\r\n$%d\r\n%s\r\n$600\r\n%600s\r\n", length("key:" i), "key:" i, "x" }' >redis-change.resp
}

# A stream's SHA-256, the hex alone.
digest() { sha256sum | cut -c1-64; }

w_libc() {
  ldd "$(command -v bash)" | awk '$1 ~ /^libc\.so/ { print $3 }'
}

w_sort() {
  need sort
  sort lines.txt
}

w_gcc() {
  need gcc sha256sum
  gcc -O2 -c gen.c -o gen.o
  digest <gen.o
}

# A thousand forks (each $(...) is one), and what they print summed.
w_bash() {
  local n=0 i
  # shellcheck disable=SC2116 # the echo's subshell is the fork
  for i in $(seq 1000); do n=$((n + $(echo 1))); done
  echo $n
}

w_sqlite3() {
  need sqlite3
  sqlite3 :memory: -init rows.sql .quit
}

# Every object through malloc (PYTHONMALLOC=malloc, not pymalloc's arenas).
w_python3() {
  need python3
  PYTHONMALLOC=malloc python3 -c '
import hashlib, json
d = {}
for i in range(200000):
    d[str(i) * (i % 7 + 1)] = [i, str(i), {"k": i}]
l = sorted(d.items(), key=lambda kv: kv[1][0] % 1000)
s = json.dumps(l[:2000])
del d
print(len(l), hashlib.sha256(s.encode()).hexdigest())
'
}

# git: 300 real commits (a git add and a git commit each, one or two files
# changed, a new file every tenth), gc --aggressive, fsck --strict, then
# what the history and the packed objects are. The names and dates are
# fixed, so the commit ids are the same under every malloc; the pack's
# size is not compared (the threads' delta search need not find the same
# deltas twice).
w_git() {
  need git sha256sum
  rm -rf repo
  mkdir repo
  (
    cd repo
    export HOME=$PWD/.home GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
    export GIT_AUTHOR_NAME=Ada GIT_AUTHOR_EMAIL=ada@example.org
    export GIT_COMMITTER_NAME=Bob GIT_COMMITTER_EMAIL=bob@example.org
    git init -q -b main .
    # no automatic gc or maintenance: one in the background would outlive
    # the run and race the checks
    git config gc.auto 0
    git config maintenance.auto false
    local i f
    # the first commit adds these
    for f in 0 1 2 3 4 5 6 7 8 9; do seq $((f * 100)) $((f * 100 + 40)) >"f$f.txt"; done
    for i in $(seq 300); do
      f=$((i % 10))
      echo "commit $i changes f$f: $((i * 7919 % 10007))" >>"f$f.txt"
      if [ $((i % 3)) -eq 0 ]; then
        f=$(((i * 7) % 10))
        sed -i "$((i % 40 + 1))s/\$/ edited by $i/" "f$f.txt"
      fi
      if [ $((i % 10)) -eq 0 ]; then
        mkdir -p "d$((i % 7))"
        seq "$i" $((i + 30)) >"d$((i % 7))/n$i.txt"
      fi
      git add -A
      GIT_AUTHOR_DATE="@$((1700000000 + i * 3600)) +0000" \
        GIT_COMMITTER_DATE="@$((1700000000 + i * 3600 + 60)) +0000" \
        git commit -q -m "change $i"
    done
    git gc --aggressive -q
    local fsck
    fsck=$(git fsck --strict --full 2>&1) || { echo "git fsck --strict failed: $fsck" >&2; exit 1; }
    [ -z "$fsck" ] || { echo "git fsck --strict is not clean: $fsck" >&2; exit 1; }
    echo "fsck --strict: clean"
    echo "HEAD $(git rev-parse HEAD)"
    echo "commits $(git rev-list --count HEAD)"
    echo "log $(git log --format='%H %T %P %an %ae %ad %cn %s' --date=raw | digest)"
    echo "log -p --stat $(git log -p --stat | digest)"
    echo "objects $(git cat-file --batch-all-objects --batch-check | digest)"
    echo "loose after gc $(git count-objects -v | awk '$1 == "count:" { print $2 }')"
    echo "blame $(git blame -s f3.txt | digest)"
  )
}

# perl: a hash of 300,000 keys, sorted, a quarter deleted, sorted again.
w_perl() {
  need perl
  perl -MDigest::MD5 -e '
my %h;
for my $i (0 .. 299_999) {
    $h{sprintf "k%07d", ($i * 7919) % 1_000_003} = ($i * 31) . ("v" x ($i % 23));
}
my $md5 = Digest::MD5->new;
$md5->add("$_=$h{$_}\n") for sort keys %h;
print scalar(keys %h), " ", $md5->hexdigest, "\n";
for my $i (0 .. 299_999) {
    delete $h{sprintf "k%07d", ($i * 7919) % 1_000_003} if $i % 4 == 0;
}
my @left = sort keys %h;
print scalar(@left), " ", Digest::MD5::md5_hex(map { "$_=$h{$_}\n" } @left), "\n";
'
}

# Forks while threads are inside malloc; a hang is a failure, not a stall.
w_forker() {
  [ -x "${FORKER:-}" ] || { echo "FAIL: FORKER must name test_malloc_forker" >&2; exit 1; }
  need timeout
  local rc=0
  timeout -k 5 120 "$FORKER" || rc=$?
  if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
    echo "forker hung: killed after 120 s (a fork left a lock held or a list half changed)" >&2
  fi
  return $rc
}

# redis: the server on a free loopback port, redis-benchmark against it,
# then known data through redis-cli --pipe and what the server holds.
redis_pid=""
redis_port=""
stop_redis() { # on any exit: never leave a server behind
  if [ -n "$redis_pid" ]; then kill "$redis_pid" 2>/dev/null || true; fi
}
cli() { timeout 60 redis-cli -h 127.0.0.1 -p "$redis_port" "$@"; }

# Start the server on a port nobody listens on: a port taken between the
# check and the bind makes the server exit, and the next port is tried; the
# server that answers must be ours (its pid).
start_redis() {
  local n
  rm -rf redis
  mkdir redis
  for _ in $(seq 20); do
    redis_port=$((6390 + RANDOM % 2000))
    if (exec 3<>"/dev/tcp/127.0.0.1/$redis_port") 2>/dev/null; then continue; fi
    redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no \
      --dir "$PWD/redis" --enable-debug-command local --daemonize no \
      >redis/server.log 2>&1 &
    redis_pid=$!
    for n in $(seq 100); do
      if ! kill -0 "$redis_pid" 2>/dev/null; then break; fi
      if cli info server 2>/dev/null | tr -d '\r' | grep -qx "process_id:$redis_pid"; then
        return 0
      fi
      sleep 0.1
    done
    if kill -0 "$redis_pid" 2>/dev/null; then
      echo "redis-server (pid $redis_pid, port $redis_port) did not answer in 10 s" >&2
      cat redis/server.log >&2
      exit 1
    fi
    wait "$redis_pid" || true
    redis_pid=""
  done
  echo "no free port for redis-server after 20 tries" >&2
  exit 1
}

w_redis() {
  need redis-server redis-benchmark redis-cli timeout sha256sum
  trap stop_redis EXIT
  start_redis
  timeout 120 redis-benchmark -h 127.0.0.1 -p "$redis_port" -n 20000 -q \
    -t set,get,lpush,lpop,incr >redis/benchmark.out 2>&1 ||
    { echo "redis-benchmark failed:" >&2; cat redis/benchmark.out >&2; exit 1; }
  echo "benchmark: $(tr '\r' '\n' <redis/benchmark.out | grep -c 'requests per second') tests"
  echo "counter $(cli get counter:__rand_int__) key $(cli get key:__rand_int__) list $(cli exists mylist)"
  cli --pipe <redis-insert.resp | grep '^errors'
  echo "digest $(cli debug digest)"
  cli --pipe <redis-change.resp | grep '^errors'
  echo "digest $(cli debug digest)"
  cli info keyspace | tr -d '\r' | grep '^db0'
  echo "dbsize $(cli dbsize) key:12346 $(cli strlen key:12346) $(cli get key:12347 | digest)"
  echo "list:7 $(cli llen list:7) $(cli lrange list:7 0 4 | tr '\n' ' ')"
  echo "z $(cli zcard z) $(cli zrange z 0 4 withscores | tr '\n' ' ')"
  echo "h:42 $(cli hlen h:42) $(cli hgetall h:42 | paste - - | sort | digest)"
  echo "s:3 $(cli scard s:3) $(cli smembers s:3 | sort | digest)"
  echo "sort list:7 $(cli sort list:7 alpha limit 0 5 | tr '\n' ' ')"
  cli shutdown nosave >/dev/null 2>&1 || true
  local rc=0
  wait "$redis_pid" || rc=$?
  redis_pid=""
  if [ $rc -ne 0 ] || ! grep -q 'ready to exit, bye bye' redis/server.log; then
    echo "redis-server did not shut down cleanly (exit $rc):" >&2
    tail -20 redis/server.log >&2
    exit 1
  fi
  echo "shutdown: clean"
}

# Python's own tests, every object through malloc; the summary (which
# tests ran, passed, were skipped) without its durations.
w_regrtest() {
  local py=/usr/bin/python3.11
  [ -x "$py" ] || { echo "FAIL: $py is not installed" >&2; exit 1; }
  [ -f /usr/lib/python3.11/test/test_list.py ] ||
    { echo "FAIL: libpython3.11-testsuite is not installed" >&2; exit 1; }
  rm -rf regrtest
  mkdir regrtest
  local rc=0
  # shellcheck disable=SC2086 # the list splits into module names
  (cd regrtest && PYTHONMALLOC=malloc "$py" -m test $regrtest_modules) >regrtest.log 2>&1 || rc=$?
  if [ $rc -ne 0 ]; then
    echo "python -m test exited $rc:" >&2
    cat regrtest.log >&2
    exit $rc
  fi
  sed -n '/^== Tests result/,/^Total duration/p' regrtest.log | grep -v '^Total duration'
}

case ${1:-} in
  names) echo "$names" ;;
  prepare | libc | sort | gcc | bash | sqlite3 | python3 | git | perl | forker | redis | regrtest)
    "w_$1" ;;
  *) echo "usage: workload.sh names|prepare|libc|$(echo "$names" | tr ' ' '|')|regrtest" >&2; exit 2 ;;
esac
