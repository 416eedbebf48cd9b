#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/malloc/python_regrtest.sh LIB: Debian's Python 3.11 runs modules of
# its own regression test suite with every object through libbuddy-malloc
# (PYTHONMALLOC=malloc, LD_PRELOAD=LIB); all must pass. workload.sh names
# the modules (its regrtest), and prints the whole log on a failure.
set -euo pipefail
lib=$1
workload=$(cd "$(dirname "$0")" && pwd)/workload.sh
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
LD_PRELOAD=$lib bash "$workload" regrtest
