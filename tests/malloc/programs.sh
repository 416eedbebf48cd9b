#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/malloc/programs.sh LIB WORKDIR
#
# Real programs under libbuddy-malloc (LD_PRELOAD=LIB) must give what they
# give under glibc's malloc: sort's output, gcc's object file byte for
# byte, bash forking a thousand times, Python's dictionaries and lists
# (PYTHONMALLOC=malloc, so every object goes through us). A program that is
# not installed is a failure, not a skip: .ci/run installs them.
set -euo pipefail
lib=$1
work=$2
rm -rf "$work"
mkdir -p "$work"
cd "$work"
fail=0

run() { # NAME: compare the outputs of the same command with and without LIB
  local name=$1
  shift
  local g0 g1 t0 t1
  g0=$(date +%s.%N)
  "$@" >glibc.out 2>glibc.err || { echo "FAIL $name: failed under glibc"; cat glibc.err; fail=1; return; }
  g1=$(date +%s.%N)
  t0=$(date +%s.%N)
  if ! LD_PRELOAD=$lib "$@" >buddy.out 2>buddy.err; then
    echo "FAIL $name: failed under libbuddy-malloc"
    tail -5 buddy.err
    fail=1
    return
  fi
  t1=$(date +%s.%N)
  if ! cmp -s glibc.out buddy.out; then
    echo "FAIL $name: output differs from glibc's"
    diff glibc.out buddy.out | head -5
    fail=1
    return
  fi
  printf 'ok   %-10s same output as glibc (%s bytes); wall %.2f s, glibc %.2f s (one run each, not a benchmark)\n' \
    "$name" "$(wc -c <buddy.out)" "$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')" \
    "$(awk -v a="$g0" -v b="$g1" 'BEGIN { print b - a }')"
}

for tool in sort gcc bash python3 sqlite3 cmp awk sha256sum; do
  command -v "$tool" >/dev/null || { echo "FAIL: $tool is not installed"; exit 1; }
done

# sort: 200,000 lines
awk 'BEGIN { srand(7); for (i = 0; i < 200000; i++) printf "%08x %d line\n", int(rand() * 4294967295), i }' >lines.txt
run sort sort lines.txt

# gcc -O2: a generated file of 1,500 functions; the object must be identical
awk 'BEGIN { for (i = 0; i < 1500; i++) {
  printf "static int t%d[%d];\nint f%d(int x) { int s = 0; for (int i = 0; i < %d; i++) { t%d[i %% %d] += x * i; s += t%d[(i * 7) %% %d]; } return s ^ %d; }\n", i, i % 50 + 1, i, i % 13 + 2, i, i % 50 + 1, i, i % 50 + 1, i } }' >gen.c
run gcc bash -c 'gcc -O2 -c gen.c -o gen.o && sha256sum <gen.o'

# bash: a thousand forks
run bash bash -c 'n=0; for i in $(seq 1000); do n=$((n + $(echo 1))); done; echo $n'

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
run sqlite3 sqlite3 :memory: -init rows.sql .quit

# Python: every object through malloc
run python3 env PYTHONMALLOC=malloc python3 -c '
import hashlib, json
d = {}
for i in range(200000):
    d[str(i) * (i % 7 + 1)] = [i, str(i), {"k": i}]
l = sorted(d.items(), key=lambda kv: kv[1][0] % 1000)
s = json.dumps(l[:2000])
del d
print(len(l), hashlib.sha256(s.encode()).hexdigest())
'

exit $fail
