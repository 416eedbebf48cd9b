#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/package/check.sh SRC_DIR BIN_DIR CMAKE GENERATOR MAKE_PROGRAM CC VERSION WERROR
#
# Installs libbuddy the way a user or a distribution would and builds against
# the installed copy only:
#
#   1. configure + build SRC_DIR afresh (tests, tools, bench, sanitizers off),
#      with one install prefix, then `cmake --install --prefix` another: the
#      installed files must not mention the first (the package relocates);
#   2. the installed libbuddy.so exports buddy_* and nothing else (hidden
#      visibility), every BUDDY_API function of the header among them, and
#      its soname is libbuddy.so.MAJOR;
#   3. a separate CMake project (consumer/) finds the package with
#      find_package(buddy VERSION) and links buddy::buddy,
#      buddy::buddy_static and buddy::core (the core alone: no Threads in
#      its link interface, no pthread symbol in libbuddy_core.a, no
#      libbuddy.so at run time); all three programs run;
#   4. plain CC with `pkg-config --cflags --libs buddy` builds the same program;
#      it runs against the installed libbuddy.so.
#
# Exit status: 0 pass, 1 fail, 77 skip (only when pkg-config is not installed,
# after everything else has been checked).
set -euo pipefail
export LC_ALL=C

if [ $# -ne 8 ]; then
  echo "usage: $0 SRC_DIR BIN_DIR CMAKE GENERATOR MAKE_PROGRAM CC VERSION WERROR" >&2
  exit 2
fi
src=$(cd "$1" && pwd)
bin=$2
cmake=$3
generator=$4
make_program=$5
cc=$6
version=$7
werror=$8
readonly SKIP=77

fail() {
  echo "FAIL [package]: $*" >&2
  exit 1
}

# Run a command with its output in a log; show the log only when it fails.
run_logged() { # LOG WHAT COMMAND...
  local log=$1 what=$2
  shift 2
  if ! "$@" >"$log" 2>&1; then
    cat "$log" >&2
    fail "$what failed: $*"
  fi
}

find_tool() { # NAME... -> the first one found
  local name
  for name in "$@"; do
    command -v "$name" && return 0
  done
  return 1
}

nm=$(find_tool nm llvm-nm) || fail "neither nm (Debian package binutils) nor llvm-nm found"
readelf=$(find_tool readelf llvm-readelf) || fail "neither readelf (binutils) nor llvm-readelf found"

work=$(mkdir -p "$bin" && cd "$bin" && pwd)/work
rm -rf "$work"
mkdir -p "$work"
prefix=$work/prefix
configured_prefix=$work/configured-prefix-never-installed

gen_args=(-G "$generator")
if [ -n "$make_program" ]; then
  gen_args+=(-DCMAKE_MAKE_PROGRAM="$make_program")
fi

# ---- 1. build and install ---------------------------------------------------

run_logged "$work/configure.log" "configuring a fresh copy of libbuddy" \
  "$cmake" -S "$src" -B "$work/build" "${gen_args[@]}" \
  -DCMAKE_C_COMPILER="$cc" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_INSTALL_PREFIX="$configured_prefix" \
  -DBUDDY_BUILD_TESTS=OFF -DBUDDY_BUILD_TOOLS=OFF -DBUDDY_BUILD_BENCH=OFF \
  -DBUDDY_SANITIZE=OFF -DBUDDY_WERROR="$werror"
run_logged "$work/build.log" "building libbuddy" "$cmake" --build "$work/build"
run_logged "$work/install.log" "installing libbuddy" \
  "$cmake" --install "$work/build" --prefix "$prefix"
echo "installed libbuddy $version into $prefix:"
(cd "$prefix" && find . -mindepth 1 \( -type f -o -type l \) | sort | sed 's|^\./|  |')

# GNUInstallDirs picks lib, lib64 or lib/<multiarch>: find the libdir from the
# .pc file rather than guess.
pcs=$(cd "$prefix" && find . -name buddy.pc -path '*/pkgconfig/*' | sort)
if [ -z "$pcs" ] || [ "$(wc -l <<<"$pcs")" -ne 1 ]; then
  fail "expected exactly one pkgconfig/buddy.pc under $prefix, found: ${pcs:-none}"
fi
pcdir=$prefix/$(dirname "${pcs#./}")
libdir=$(dirname "$pcdir")

major=${version%%.*}
for f in include/buddy/buddy.h \
  "${libdir#"$prefix"/}/libbuddy.so" \
  "${libdir#"$prefix"/}/libbuddy.so.$major" \
  "${libdir#"$prefix"/}/libbuddy.so.$version" \
  "${libdir#"$prefix"/}/libbuddy.a" \
  "${libdir#"$prefix"/}/libbuddy_core.a" \
  "${libdir#"$prefix"/}/cmake/buddy/buddyConfig.cmake" \
  "${libdir#"$prefix"/}/cmake/buddy/buddyConfigVersion.cmake" \
  "${libdir#"$prefix"/}/cmake/buddy/buddyTargets.cmake" \
  share/licenses/buddy/LICENSE; do
  [ -e "$prefix/$f" ] || fail "not installed: $f"
done
# The licence is stated where each kind of consumer looks for it.
grep -qx 'License: MIT' "$pcdir/buddy.pc" || fail "buddy.pc has no 'License: MIT' line"
grep -q 'set(buddy_LICENSE "MIT")' "$libdir/cmake/buddy/buddyConfig.cmake" ||
  fail "buddyConfig.cmake does not set buddy_LICENSE to MIT"
cmp -s "$src/LICENSE" "$prefix/share/licenses/buddy/LICENSE" || fail "installed LICENSE differs from the source tree's"

if stale=$(grep -rlF "$configured_prefix" "$prefix"); then
  fail "installed with --prefix $prefix, but these files name the configure-time prefix $configured_prefix:
$stale"
fi

# ---- 2. exported symbols ----------------------------------------------------

so=$libdir/libbuddy.so.$version
exports=$("$nm" -D --defined-only "$so" | awk 'NF >= 3 { print $3 }' | sed 's/@.*//' | sort -u) ||
  fail "$nm -D cannot read $so"
[ -n "$exports" ] || fail "$so exports no symbols at all"
# buddy_x is public; buddy__x is the core's internal namespace and must stay
# hidden, as must everything else.
if bad=$(grep -vE '^buddy_[a-z0-9]' <<<"$exports"); then
  fail "$so exports symbols outside the public buddy_* API (hidden visibility / BUDDY_API broken):
$(sed 's/^/  /' <<<"$bad")"
fi
# Every function the public header marks BUDDY_API must be there.
declared=$(grep -oE 'BUDDY_API[^(;]*\(' "$src/include/buddy/buddy.h" |
  grep -oE 'buddy_[a-z0-9_]+[[:space:]]*\($' | sed 's/[[:space:]]*($//' | sort -u) || true
[ -n "$declared" ] || fail "found no BUDDY_API declarations in include/buddy/buddy.h"
if missing=$(comm -23 <(echo "$declared") <(echo "$exports") | grep .); then
  fail "declared BUDDY_API in buddy.h but not exported by $so:
$(sed 's/^/  /' <<<"$missing")"
fi
soname=$("$readelf" -d "$so" | sed -nE 's/.*\(SONAME\).*\[(.*)\].*/\1/p')
[ "$soname" = "libbuddy.so.$major" ] ||
  fail "$so has soname '${soname:-none}', expected libbuddy.so.$major"
echo "libbuddy.so ($soname) exports $(wc -l <<<"$exports") symbols, all buddy_*; all $(wc -l <<<"$declared") BUDDY_API functions present"

# ---- 3. a CMake consumer ----------------------------------------------------

needed() { # BINARY -> its DT_NEEDED libraries
  "$readelf" -d "$1" | sed -nE 's/.*\(NEEDED\).*\[(.*)\].*/\1/p'
}

consumer=$work/consumer-cmake
run_logged "$work/consumer-configure.log" "configuring the CMake consumer (find_package(buddy $version))" \
  "$cmake" -S "$src/tests/package/consumer" -B "$consumer" "${gen_args[@]}" \
  -DCMAKE_C_COMPILER="$cc" -DCMAKE_PREFIX_PATH="$prefix" \
  -DBUDDY_EXPECTED_VERSION="$version"
found_dir=$(sed -n 's/^buddy_DIR:PATH=//p' "$consumer/CMakeCache.txt")
case $found_dir in
  "$prefix"/*) ;;
  *) fail "find_package(buddy) used '$found_dir', not the package installed in $prefix" ;;
esac
run_logged "$work/consumer-build.log" "building the CMake consumer" \
  "$cmake" --build "$consumer"

needed "$consumer/consumer_shared" | grep -x "libbuddy.so.$major" >/dev/null ||
  fail "consumer_shared (buddy::buddy) does not load libbuddy.so.$major; needs: $(needed "$consumer/consumer_shared" | tr '\n' ' ')"
if needed "$consumer/consumer_static" | grep '^libbuddy' >/dev/null; then
  fail "consumer_static (buddy::buddy_static) loads libbuddy dynamically"
fi

run_consumer() { # BINARY NAME
  local out
  if ! out=$(LD_LIBRARY_PATH="$libdir" "$1" "$2" 2>&1); then
    echo "$out" >&2
    fail "$2 ($1) failed"
  fi
  echo "$out"
}
if needed "$consumer/consumer_core" | grep '^libbuddy' >/dev/null; then
  fail "consumer_core (buddy::core) loads libbuddy dynamically"
fi
if core_pthread=$("$nm" -u "$libdir/libbuddy_core.a" | grep -i pthread); then
  fail "libbuddy_core.a (buddy::core) needs pthread symbols:
$core_pthread"
fi

run_consumer "$consumer/consumer_shared" "find_package, buddy::buddy"
run_consumer "$consumer/consumer_static" "find_package, buddy::buddy_static"
run_consumer "$consumer/consumer_core" "find_package, buddy::core"
if command -v ldd >/dev/null 2>&1; then
  LD_LIBRARY_PATH="$libdir" ldd "$consumer/consumer_shared" |
    grep -F "libbuddy.so.$major => $libdir/libbuddy.so.$major" >/dev/null ||
    fail "consumer_shared does not resolve libbuddy.so.$major to $libdir"
fi

# ---- 4. pkg-config ----------------------------------------------------------

pkg_config=$(find_tool pkg-config pkgconf) || {
  echo "SKIP [package]: pkg-config not found (Debian package pkg-config): the buddy.pc consumer is not checked"
  exit $SKIP
}
# Only the installed package: no buddy.pc from the system can answer.
export PKG_CONFIG_LIBDIR=$pcdir PKG_CONFIG_PATH=$pcdir
unset PKG_CONFIG_SYSROOT_DIR
pc_version=$("$pkg_config" --modversion buddy) || fail "$pkg_config cannot read $pcdir/buddy.pc"
[ "$pc_version" = "$version" ] || fail "buddy.pc says version $pc_version, expected $version"
read -r -a pc_cflags <<<"$("$pkg_config" --cflags buddy)"
read -r -a pc_libs <<<"$("$pkg_config" --libs buddy)"
echo "pkg-config --cflags --libs buddy: ${pc_cflags[*]} ${pc_libs[*]}"
run_logged "$work/consumer-pkgconfig.log" "building the consumer with $cc and pkg-config" \
  "$cc" -std=c11 -Wall -Wextra -Wpedantic -Werror ${pc_cflags[@]+"${pc_cflags[@]}"} \
  "$src/tests/package/consumer/consumer.c" -o "$work/consumer_pkgconfig" "${pc_libs[@]}"
run_consumer "$work/consumer_pkgconfig" "pkg-config, cc"

echo "PASS [package]"
