#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/freestanding/check.sh SRC_DIR BIN_DIR TARGET
#
# Proves that the core (src/core/*.c), the slab caches (src/slab/*.c), the
# tenants (src/tenant/*.c) and
# the script interpreter on top of the core (src/script/*.c, which the web
# playground compiles for wasm32 too) are
# freestanding C11 for TARGET:
#
#   includes   no core or script file, nor the public header, includes
#              anything but <stddef.h> <stdint.h> <stdbool.h> and the
#              project's own headers; a script file names only its own
#              headers and the public ones (a layer sees only the public
#              headers of the layer below it)
#   x86_64     bare-metal x86_64 (what a kernel or firmware on a PC builds for)
#   wasm32     WebAssembly; the objects are also linked into a .wasm module
#              with wasm-ld, with nothing else on the command line
#   cortex-m3  ARMv7-M Thumb-2, no FPU
#   cortex-m0  ARMv6-M Thumb: no hardware divide, the smallest 32-bit ARM
#
# For a compiler target, each core file is compiled with clang, -nostdinc and
# only clang's own builtin headers, warnings as errors, at -O2 with
# BUDDY_DEBUG=0 and =2 and at -Os with and without BUDDY_STATS; then
# llvm-nm -u shows what the objects need from outside the core. Anything not on the allowlist below fails the test,
# naming the symbol and the object. The core's size is printed for embedders.
#
# Exit status: 0 pass, 1 fail, 77 skip (ctest SKIP_RETURN_CODE): only when the
# toolchain truly lacks something, and it says what. Checks that can run still
# run first, so a skip never hides a failure.
set -euo pipefail
export LC_ALL=C

if [ $# -ne 3 ]; then
  echo "usage: $0 SRC_DIR BIN_DIR TARGET" >&2
  exit 2
fi
src=$(cd "$1" && pwd)
bin=$2
target=$3
readonly SKIP=77

fail() {
  echo "FAIL [$target]: $*" >&2
  exit 1
}

core_sources=("$src"/src/core/*.c "$src"/src/slab/*.c "$src"/src/tenant/*.c "$src"/src/script/*.c)
[ -e "${core_sources[0]}" ] || fail "no sources in $src/src/core"
[ -e "$src/src/script/script.c" ] || fail "no sources in $src/src/script"

# ---- includes ---------------------------------------------------------------

# A quoted include must name one of the project's own headers: for the public
# header, another public header; for a core file, a core, private or public
# header;
# for a script file, a script or public header, never a path into the core.
resolve_quoted() { # FILE NAME -> 0 when NAME is a project header
  local file=$1 name=$2 dir
  local dirs=("$(dirname "$file")" "$src/include")
  case $file in
    "$src"/src/core/*) dirs+=("$src/src/core") ;;
    "$src"/src/script/*)
      case $name in */*) case $name in buddy/*) ;; *) return 1 ;; esac ;; esac
      ;;
    "$src"/src/slab/* | "$src"/src/tenant/*) # the public headers and
      # src/private, not the core's
      case $name in *core/*) return 1 ;; esac
      ;;
  esac
  for dir in "${dirs[@]}"; do
    [ -f "$dir/$name" ] && return 0
  done
  return 1
}

check_includes() {
  local bad=0 file hit line directive arg name
  for file in "$src"/src/core/*.c "$src"/src/core/*.h "$src"/src/private/*.h \
    "$src"/src/slab/*.c "$src"/src/tenant/*.c "$src"/src/script/*.c "$src"/src/script/*.h "$src"/include/buddy/*.h; do
    [ -e "$file" ] || continue
    while IFS= read -r hit; do
      line=${hit%%:*}
      directive=$(sed -E 's/^[[:space:]]*#[[:space:]]*([a-z_]+).*/\1/' <<<"${hit#*:}")
      arg=$(sed -E 's/^[[:space:]]*#[[:space:]]*[a-z_]+[[:space:]]*//' <<<"${hit#*:}")
      if [ "$directive" != include ]; then
        echo "  ${file#"$src"/}:$line: #$directive is not allowed in the core" >&2
        bad=1
        continue
      fi
      case $arg in
        '<stddef.h>'* | '<stdint.h>'* | '<stdbool.h>'*) ;;
        '"'*'"'*)
          name=${arg#\"}
          name=${name%%\"*}
          if ! resolve_quoted "$file" "$name"; then
            echo "  ${file#"$src"/}:$line: \"$name\" is not a header of the project" >&2
            bad=1
          fi
          ;;
        *)
          echo "  ${file#"$src"/}:$line: $arg: only <stddef.h> <stdint.h> <stdbool.h> and project headers" >&2
          bad=1
          ;;
      esac
    done < <(grep -nE '^[[:space:]]*#[[:space:]]*(include|import)' "$file" || true)
  done
  [ $bad -eq 0 ] || fail "the core or the script interpreter includes headers it must not (above)"
  echo "PASS [includes]: src/core, src/private, src/slab, src/tenant, src/script and include/buddy include only <stddef.h> <stdint.h> <stdbool.h> and project headers"
}

if [ "$target" = includes ]; then
  check_includes
  exit 0
fi

# ---- toolchain ---------------------------------------------------------------

# An environment variable (CLANG, LLVM_NM, LLVM_SIZE, WASM_LD) wins; else the
# plain name; else the newest versioned one (Debian's clang-14 ...).
find_tool() { # VAR NAME
  local var=$1 name=$2 v
  if [ -n "${!var:-}" ]; then
    command -v "${!var}" && return 0
    return 1
  fi
  command -v "$name" && return 0
  for v in 20 19 18 17 16 15 14 13 12; do
    command -v "$name-$v" && return 0
  done
  return 1
}

clang=$(find_tool CLANG clang) ||
  { echo "SKIP [$target]: clang not found (Debian package clang)"; exit $SKIP; }
nm=$(find_tool LLVM_NM llvm-nm) || nm=""
size=$(find_tool LLVM_SIZE llvm-size) || size=""
resource_dir=$("$clang" -print-resource-dir)
[ -f "$resource_dir/include/stddef.h" ] ||
  fail "clang's builtin headers are not in $resource_dir/include"

# ---- the allowlist -----------------------------------------------------------
#
# What the core may need from outside itself: the memory functions (which
# __builtin_memset and struct copies lower to; the ARM run-time ABI names
# them __aeabi_mem*), and the compiler's integer runtime helpers that
# libgcc / compiler-rt provide on every target (64-bit arithmetic and bit
# counting on 32-bit cores). Each name is listed: no floating point helper,
# no libc function, no stack protector, no 128-bit arithmetic. Which helpers
# a target actually uses depends on the optimisation level and the compiler
# version (at -Oz clang calls __aeabi_llsl on Cortex-M3, at -O2 it does not),
# so the list is of what is acceptable, and the test prints what is used.
allowed_mem=(memset memcpy memmove memcmp
  __aeabi_memset __aeabi_memset4 __aeabi_memset8
  __aeabi_memclr __aeabi_memclr4 __aeabi_memclr8
  __aeabi_memcpy __aeabi_memcpy4 __aeabi_memcpy8
  __aeabi_memmove __aeabi_memmove4 __aeabi_memmove8)
allowed_helpers=(
  # ARM run-time ABI: integer division, 64-bit shifts, multiply, compare
  __aeabi_uidiv __aeabi_uidivmod __aeabi_idiv __aeabi_idivmod
  __aeabi_uldivmod __aeabi_ldivmod
  __aeabi_llsl __aeabi_llsr __aeabi_lasr __aeabi_lmul
  __aeabi_lcmp __aeabi_ulcmp
  # libgcc / compiler-rt generic integer helpers
  __udivsi3 __umodsi3 __divsi3 __modsi3 __udivmodsi4 __divmodsi4
  __udivdi3 __umoddi3 __divdi3 __moddi3 __udivmoddi4 __divmoddi4
  __ashldi3 __lshrdi3 __ashrdi3 __muldi3
  __clzsi2 __clzdi2 __ctzsi2 __ctzdi2 __ffssi2 __ffsdi2
  __popcountsi2 __popcountdi2 __paritysi2 __paritydi2
  __bswapsi2 __bswapdi2)
allowed_linker=()

case $target in
  x86_64)
    triple=x86_64-unknown-none-elf
    tflags=()
    ;;
  wasm32)
    triple=wasm32-unknown-unknown
    tflags=()
    # Globals wasm-ld itself defines in every module.
    allowed_linker=(__stack_pointer __indirect_function_table)
    ;;
  cortex-m3)
    triple=thumbv7m-none-eabi
    tflags=(-mcpu=cortex-m3 -mthumb)
    ;;
  cortex-m0)
    triple=thumbv6m-none-eabi
    tflags=(-mcpu=cortex-m0 -mthumb)
    ;;
  *)
    echo "unknown target '$target' (includes x86_64 wasm32 cortex-m3 cortex-m0)" >&2
    exit 2
    ;;
esac

out=$bin/$target
rm -rf "$out"
mkdir -p "$out"

# Does this clang have the target's backend at all?
if ! echo 'int buddy_probe;' |
  "$clang" --target="$triple" "${tflags[@]}" -ffreestanding -nostdinc \
    -x c -c - -o "$out/probe.o" >"$out/probe.log" 2>&1; then
  cat "$out/probe.log"
  echo "SKIP [$target]: $clang cannot compile for $triple"
  exit $SKIP
fi

cflags=(--target="$triple" "${tflags[@]}"
  -std=c11 -ffreestanding -nostdinc -isystem "$resource_dir/include"
  -I"$src/include" -I"$src/src/core"
  -fvisibility=hidden
  -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Werror)

echo "== $target: $clang --target=$triple ${tflags[*]}"

# ---- compile -----------------------------------------------------------------

# Each variant: name, optimisation, BUDDY_DEBUG, BUDDY_STATS. O2-debug0 is
# the release build; debug2 turns every assert on; Os is what embedded users
# build, and Os-nostats the same without the zones' counters.
variants=("O2-debug0 -O2 0 1" "O2-debug2 -O2 2 1" "Os-debug0 -Os 0 1" "Os-nostats -Os 0 0")

compile_variant() { # NAME OPT LEVEL STATS
  local name=$1 opt=$2 level=$3 stats=$4 f obj bad=0
  mkdir -p "$out/$name"
  for f in "${core_sources[@]}"; do
    obj=$out/$name/$(basename "$f" .c).o
    case $f in "$src"/src/script/*) obj=$out/$name/script_$(basename "$f" .c).o ;; esac
    if ! "$clang" "${cflags[@]}" "$opt" -DBUDDY_DEBUG="$level" \
      -DBUDDY_STATS="$stats" -c "$f" -o "$obj" 2>"$obj.log"; then
      echo "--- ${f#"$src"/} ($target $opt BUDDY_DEBUG=$level BUDDY_STATS=$stats):" >&2
      cat "$obj.log" >&2
      bad=1
    elif [ -s "$obj.log" ]; then
      cat "$obj.log"
    fi
  done
  [ $bad -eq 0 ] || fail "core or script files do not compile freestanding for $triple $opt BUDDY_DEBUG=$level BUDDY_STATS=$stats (diagnostics above)"
}

for v in "${variants[@]}"; do
  # shellcheck disable=SC2086
  compile_variant $v
done
echo "compiled ${#core_sources[@]} core and script files freestanding, -Wall -Wextra -Werror, for: ${variants[*]%% *}"

if [ -z "$nm" ]; then
  echo "SKIP [$target]: compiled cleanly, but llvm-nm is missing (Debian package llvm): symbols not checked"
  exit $SKIP
fi

# ---- undefined symbols -------------------------------------------------------

in_list() { # WORD LIST...
  local w=$1 x
  shift
  for x in "$@"; do [ "$x" = "$w" ] && return 0; done
  return 1
}

check_symbols() { # NAME
  local name=$1 obj sym bad=0
  local objs=("$out/$name"/*.o)
  # Symbols some core object defines: calls between core files are fine.
  local defined
  defined=$("$nm" -P --defined-only --extern-only "${objs[@]}" 2>/dev/null |
    awk 'NF >= 2 && $1 !~ /:$/ { print $1 }' | sort -u)
  : >"$out/$name/needs.txt"
  for obj in "${objs[@]}"; do
    while read -r sym _; do
      [ -n "$sym" ] || continue
      if grep -qxF -- "$sym" <<<"$defined"; then
        continue
      fi
      if in_list "$sym" "${allowed_mem[@]}" "${allowed_helpers[@]}" ${allowed_linker[@]+"${allowed_linker[@]}"}; then
        echo "$sym" >>"$out/$name/needs.txt"
      else
        echo "  $(basename "$obj") needs '$sym'" >&2
        bad=1
      fi
    done < <("$nm" -P -u "$obj")
  done
  [ $bad -eq 0 ] || fail "$name: the core needs symbols outside the allowlist (above): use deps.h builtins, or add a genuine compiler runtime helper to the allowlist in $0"
  sort -u -o "$out/$name/needs.txt" "$out/$name/needs.txt"
  echo "needs ($name): $(tr '\n' ' ' <"$out/$name/needs.txt")"
}

for v in "${variants[@]}"; do
  check_symbols "${v%% *}"
done

# ---- wasm32: link into a module ----------------------------------------------

skip_reason=""
if [ "$target" = wasm32 ]; then
  if wasm_ld=$(find_tool WASM_LD wasm-ld); then
    # Only the memory functions may stay undefined: they become imports, as
    # an embedder provides them (or a wasm libc does). Everything else must
    # resolve inside the core, or the link fails.
    printf '%s\n' memset memcpy memmove memcmp >"$out/memory-functions.txt"
    for v in "${variants[@]}"; do
      name=${v%% *}
      objs=("$out/$name"/*.o)
      "$wasm_ld" --no-entry --export-dynamic \
        --allow-undefined-file="$out/memory-functions.txt" \
        -o "$out/$name/core.wasm" "${objs[@]}" ||
        fail "$name: wasm-ld cannot link the core objects by themselves"
      # The same link keeping its symbol table, to list the imports.
      "$wasm_ld" --no-entry --export-dynamic --emit-relocs \
        --allow-undefined-file="$out/memory-functions.txt" \
        -o "$out/$name/core-symbols.wasm" "${objs[@]}"
      imports=$("$nm" -P -u "$out/$name/core-symbols.wasm" | awk '{ print $1 }' | tr '\n' ' ')
      echo "linked $name/core.wasm: $(wc -c <"$out/$name/core.wasm") bytes, imports: ${imports:-none}"
    done
  else
    skip_reason="wasm-ld not found (Debian package lld): the wasm32 link is not checked"
  fi
fi

# ---- size --------------------------------------------------------------------

if [ -n "$size" ]; then
  for v in O2-debug0 Os-debug0 Os-nostats; do
    objs=("$out/$v"/*.o)
    echo "size of the core objects, $target $v (bytes):"
    "$size" -t "${objs[@]}" | sed -e "s|$out/$v/||" -e 's/^/  /'
    "$size" -t "${objs[@]}" | awk -v t="$target" -v v="$v" \
      '/TOTALS/ { printf "SIZE %s %s: text %d data %d bss %d total %d\n", t, v, $1, $2, $3, $4 }' |
      tee -a "$out/size.txt"
    if [ -f "$out/$v/core.wasm" ]; then
      "$size" -A "$out/$v/core.wasm" | awk -v t="$target" -v v="$v" \
        '$1 == "CODE" { c = $2 } $1 == "DATA" { d = $2 }
         END { printf "SIZE %s %s linked module: CODE section %d DATA section %d\n", t, v, c, d }' |
        tee -a "$out/size.txt"
    fi
  done
else
  echo "note: llvm-size not found (Debian package llvm): sizes not printed"
fi

if [ -n "$skip_reason" ]; then
  echo "SKIP [$target]: $skip_reason"
  exit $SKIP
fi
echo "PASS [$target]"
