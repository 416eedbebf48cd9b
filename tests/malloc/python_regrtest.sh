#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/malloc/python_regrtest.sh LIB: Debian's Python 3.11 runs modules of
# its own regression test suite with every object through libbuddy-malloc
# (PYTHONMALLOC=malloc, LD_PRELOAD=LIB); all must pass. The modules of the
# issue's list that Debian's libpython3.11-testsuite ships (it has no
# test_sqlite3; the sqlite3 program runs in programs.sh).
set -euo pipefail
lib=$1
py=/usr/bin/python3.11
[ -x "$py" ] || { echo "FAIL: $py is not installed"; exit 1; }
[ -f /usr/lib/python3.11/test/test_list.py ] ||
  { echo "FAIL: libpython3.11-testsuite is not installed"; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
PYTHONMALLOC=malloc LD_PRELOAD=$lib "$py" -m test \
  test_list test_dict test_set test_tuple test_bytes test_unicode test_json \
  test_re test_pickle test_collections test_deque test_array test_gc \
  test_weakref test_sort test_heapq test_struct test_hashlib test_zlib \
  test_io test_memoryview test_long test_threading
