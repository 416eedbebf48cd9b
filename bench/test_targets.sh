#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_targets.sh BENCH: bench refuses malformed targets files with the
# file and line of the bad line (exit 2, before measuring anything), and
# reads a good one. Not timed: nothing is measured.
set -u
bench=$1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail=0

good='hot ns_per_op buddy tcmalloc > 1 first a label'

# expect_bad NAME EXPECTED_LINE MESSAGE_PART CONTENT
expect_bad() {
  local f="$dir/$1.txt" out rc
  printf '%s\n' "$4" >"$f"
  out=$("$bench" --targets "$f" --check-targets 2>&1 >/dev/null)
  rc=$?
  if [ "$rc" -ne 2 ]; then
    echo "FAIL: $1: exit $rc, expected 2"; fail=1; return
  fi
  case "$out" in
    *"$f:$2: "*"$3"*) echo "ok: $1: $out" ;;
    *) echo "FAIL: $1: expected '$f:$2: ...$3...', got: $out"; fail=1 ;;
  esac
}

expect_bad too_few 3 "expected 7" "# a comment

hot ns_per_op buddy tcmalloc > 1"
expect_bad workload 2 "unknown workload 'hott'" "$good
hott ns_per_op buddy tcmalloc > 1 first"
expect_bad metric 1 "has no metric 'p999_ns'" \
  "hot p999_ns buddy tcmalloc > 1 first"
expect_bad init_metric 1 "unknown init metric '2g_core_ns'" \
  "init 2g_core_ns buddy - <= 1e6 -"
expect_bad subject 1 "unknown allocator 'libbuddy'" \
  "hot ns_per_op libbuddy tcmalloc > 1 first"
expect_bad against 1 "unknown allocator 'tc'" \
  "hot ns_per_op buddy tc > 1 first"
expect_bad itself 1 "with itself" "hot ns_per_op buddy buddy > 1 first"
expect_bad comparison 1 "comparison '=>'" \
  "hot ns_per_op buddy tcmalloc => 1 first"
expect_bad value 1 "value '2x'" "mixed ns_per_op buddy mimalloc >= 2x first"
expect_bad touch 1 "touch 'some'" "hot ns_per_op buddy tcmalloc > 1 some"
expect_bad init_touch 1 "touch is '-'" "init 64g_core_ns buddy - <= 1e6 first"

# A missing file is an error too.
out=$("$bench" --targets "$dir/none.txt" --check-targets 2>&1 >/dev/null)
rc=$?
case "$rc:$out" in
  "2:"*"none.txt: cannot read"*) echo "ok: missing file: $out" ;;
  *) echo "FAIL: missing file: exit $rc: $out"; fail=1 ;;
esac

# A good file reads, comments and blank lines included.
printf '# comment\n\n  %s\n' "$good" >"$dir/good.txt"
if out=$("$bench" --targets "$dir/good.txt" --check-targets 2>&1) &&
   [[ "$out" == *"1 target"*"line 3: hot ns_per_op of buddy against tcmalloc > 1, touch first: a label"* ]]; then
  echo "ok: good file"
else
  echo "FAIL: good file: $out"; fail=1
fi
exit $fail
