#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# check.sh: the version is written once and said the same everywhere. The
# first versioned heading of CHANGELOG.md ("## X.Y.Z - YYYY-MM-DD", under
# an optional "## Unreleased") names the version buddy.h defines, which
# CMake reads for the project, the shared library and the package; a
# program linked with the library gets it from buddy_version().
# Usage: check.sh SRCDIR VERSION [PROGRAM]: PROGRAM prints buddy_version().
set -euo pipefail
src=$1 version=$2 program=${3:-}
fail() { echo "FAIL: $*" >&2; exit 1; }

heading=$(grep -m1 -E '^## [0-9]' "$src/CHANGELOG.md" || true)
[ -n "$heading" ] || fail "CHANGELOG.md has no versioned heading (## X.Y.Z - YYYY-MM-DD)"
[[ $heading =~ ^'## '([0-9]+\.[0-9]+\.[0-9]+)' - '([0-9]{4}-[0-9]{2}-[0-9]{2})$ ]] ||
  fail "CHANGELOG.md: '$heading' is not '## X.Y.Z - YYYY-MM-DD'"
logged=${BASH_REMATCH[1]} date=${BASH_REMATCH[2]}
date -d "$date" +%F >/dev/null 2>&1 || fail "CHANGELOG.md: $date is not a date"
first=$(grep -m1 -E '^## ' "$src/CHANGELOG.md")
[ "$first" = "$heading" ] || [ "$first" = "## Unreleased" ] ||
  fail "CHANGELOG.md: '$first' comes before the newest version"
[ "$logged" = "$version" ] ||
  fail "CHANGELOG.md's newest version is $logged, buddy.h says $version"
if [ -n "$program" ]; then
  got=$("$program")
  IFS=. read -r major minor patch <<<"$version"
  want=$((major * 10000 + minor * 100 + patch))
  [ "$got" = "$want" ] || fail "buddy_version() returns $got, want $want ($version)"
fi
echo "PASS: version $version ($date) in buddy.h, CMake, CHANGELOG.md${program:+ and buddy_version()}"
