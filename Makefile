# SPDX-License-Identifier: MIT
# libbuddy: the commands the README gives. CMake does the building:
#   build/       normal build (RelWithDebInfo)
#   build-asan/  ASan + UBSan build with internal asserts (BUDDY_DEBUG=1)
#   build-m32/   the same checks on a 32-bit target: x86 -m32 (cmake/m32.cmake),
#                ASan + UBSan at -O2, BUDDY_DEBUG=1; no benchmarks, no
#                playground (its wasm module is the same in every build)
# `make test` builds all three and runs every test in each; in build-m32
# all but the freestanding and package checks, which use their own
# toolchains and so test nothing there that build/ has not.

JOBS ?= $(shell nproc 2>/dev/null || echo 2)
GEN := $(shell command -v ninja >/dev/null 2>&1 && echo "-G Ninja")

.PHONY: all build asan m32 run test bench realworld clean fuzz playground

all: build

build/CMakeCache.txt:
	cmake -S . -B build $(GEN) -DCMAKE_BUILD_TYPE=RelWithDebInfo

build-asan/CMakeCache.txt:
	cmake -S . -B build-asan $(GEN) -DCMAKE_BUILD_TYPE=Debug \
	  -DBUDDY_SANITIZE=ON -DBUDDY_DEBUG=1 -DBUDDY_BUILD_BENCH=OFF

# A host without a 32-bit toolchain fails here, saying what to install,
# rather than in CMake's compiler check.
build-m32/CMakeCache.txt:
	@printf '%s\n' '#include <stdarg.h>' '#include <stddef.h>' \
	  '#include <stdint.h>' '#include <setjmp.h>' '#include <cmocka.h>' \
	  'int main(void) { return 0; }' | \
	  $${CC:-cc} -m32 -x c - -o /dev/null -lcmocka 2>/dev/null || \
	  { echo "make test: build-m32 needs a 32-bit" \
	  "toolchain and cmocka: on Debian, dpkg --add-architecture i386," \
	  "apt-get update, apt-get install gcc-multilib libcmocka-dev:i386" \
	  "(.ci/run does this)" >&2; exit 1; }
	cmake -S . -B build-m32 $(GEN) -DCMAKE_TOOLCHAIN_FILE=cmake/m32.cmake \
	  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBUDDY_SANITIZE=ON -DBUDDY_DEBUG=1 \
	  -DBUDDY_BUILD_BENCH=OFF -DBUDDY_BUILD_PLAYGROUND=OFF

build: build/CMakeCache.txt
	cmake --build build -j $(JOBS)

asan: build-asan/CMakeCache.txt
	cmake --build build-asan -j $(JOBS)

m32: build-m32/CMakeCache.txt
	cmake --build build-m32 -j $(JOBS)

run: build
	./build/tools/buddy/buddy demo

test: build asan m32
	ctest --test-dir build --output-on-failure -j $(JOBS)
	ctest --test-dir build-asan --output-on-failure -j $(JOBS)
	ctest --test-dir build-m32 --output-on-failure -j $(JOBS) \
	  -LE 'freestanding|package'

bench: build
	./build/bench/bench
	./build/bench/bench_frag
	./build/bench/malloc/mbench
	./build/bench/bench_efficiency
	./build/bench/bench_tenants

# Real programs (git, redis, perl, sqlite3, gcc, Python's tests...) under
# libbuddy-malloc, glibc, jemalloc, mimalloc and tcmalloc, side by side:
# a Markdown report on stdout (bench/realworld/realworld.sh). The
# environment's REALWORLD_RUNS, REALWORLD_REGRTEST_RUNS and
# REALWORLD_PROGRAMS choose the rounds and the programs.
realworld: build
	cmake --build build --target realworld

# Fuzz with clang's libFuzzer (own build in build-fuzz/) for FUZZ_SECONDS,
# merging new finds into tests/fuzz/corpus.
fuzz:
	bash tests/fuzz/run.sh $(FUZZ_SECONDS)

playground: build/CMakeCache.txt
	cmake --build build --target playground
	@echo "open build/web/index.html in a browser"

clean:
	rm -rf build build-asan build-m32
