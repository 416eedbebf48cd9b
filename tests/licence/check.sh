#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# check.sh: every source file of the project starts with an SPDX line naming
# the MIT licence (the second line after a #! line), and LICENSE is the MIT
# text. Source means code, build and test files; data (scripts under
# tests/e2e/cases, expected outputs, fuzz corpora, JSON) carries none.
# Usage: check.sh SRCDIR
set -euo pipefail
src=$1
cd "$src"
grep -q '^MIT License$' LICENSE || { echo "FAIL: LICENSE is missing or not the MIT licence"; exit 1; }
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  mapfile -t files < <(git ls-files --cached --others --exclude-standard)
else
  mapfile -t files < <(find . -type f -not -path './.git/*' -not -path './node_modules/*' \
    -not -path './build*' | sed 's|^\./||')
fi
bad=0 checked=0
for f in "${files[@]}"; do
  [ -f "$f" ] || continue
  case "$f" in
    *.c|*.h|*.css|*.mjs|*.js|*.html|*.sh|*.cmake|*.in|*CMakeLists.txt|Makefile|.ci/run) ;;
    *) continue ;;
  esac
  checked=$((checked + 1))
  first=$(head -n 1 "$f")
  case "$first" in '#!'*) first=$(sed -n 2p "$f") ;; esac
  case "$first" in
    *'SPDX-License-Identifier: MIT'*) ;;
    *) echo "FAIL: $f does not start with an SPDX-License-Identifier: MIT line"; bad=1 ;;
  esac
done
[ "$checked" -gt 50 ] || { echo "FAIL: only $checked source files found under $src"; exit 1; }
[ "$bad" -eq 0 ] || exit 1
echo "ok: $checked source files carry SPDX-License-Identifier: MIT"
