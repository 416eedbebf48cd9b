#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/malloc/tenants.sh LIB: real programs under a cap on the process
# (BUDDY_MALLOC_MAX) with the malloc preloaded. python3 asked for more
# than the cap fails as it does when the system is out of memory
# (MemoryError), and under a larger cap succeeds; sort under a cap prints
# what it prints under glibc's malloc; the exit statistics show the
# tenant's files in cgroup v2's format.
set -u
lib=$1
fail=0
say() { echo "tenants.sh: $*"; }

out=$(LD_PRELOAD=$lib BUDDY_MALLOC_MAX=64m \
      python3 -c 'b = bytearray(200 << 20)' 2>&1)
rc=$?
if [ $rc -ne 1 ] || ! grep -q MemoryError <<<"$out"; then
    say "python3 past a 64 MiB cap: exit $rc, expected 1 and a MemoryError"
    say "$out"
    fail=1
fi
out=$(LD_PRELOAD=$lib BUDDY_MALLOC_MAX=400m \
      python3 -c 'b = bytearray(200 << 20); print(len(b))' 2>&1)
if [ "$out" != 209715200 ]; then
    say "python3 under a 400 MiB cap: '$out'"
    fail=1
fi
input=$(mktemp)
trap 'rm -f "$input"' EXIT
seq 200000 | awk '{ printf "%d\n", ($1 * 7919) % 200003 }' >"$input"
want=$(sort -n "$input" | md5sum)
got=$(LD_PRELOAD=$lib BUDDY_MALLOC_MAX=256m sort -n "$input" | md5sum)
if [ "$want" != "$got" ]; then
    say "sort under a cap printed other lines than under glibc"
    fail=1
fi
stats=$(LD_PRELOAD=$lib BUDDY_MALLOC_MAX=64m BUDDY_MALLOC_STATS=1 \
        python3 -c 'pass' 2>&1 >/dev/null)
for line in "tenant process:" "memory.max 67108864" "max 0" "slab "; do
    if ! grep -q "^$line" <<<"$stats"; then
        say "the exit statistics have no line '$line'"
        fail=1
    fi
done
[ $fail -eq 0 ] && say "ok: python3 stopped at its cap and ran under a larger one, sort's output as glibc's, the tenant's files printed"
exit $fail
