# SPDX-License-Identifier: MIT
# libbuddy: the commands the README gives. CMake does the building:
#   build/       normal build (RelWithDebInfo)
#   build-asan/  ASan + UBSan build with internal asserts (BUDDY_DEBUG=1)
# `make test` builds both and runs every test in each.

JOBS ?= $(shell nproc 2>/dev/null || echo 2)
GEN := $(shell command -v ninja >/dev/null 2>&1 && echo "-G Ninja")

.PHONY: all build asan run test bench clean fuzz playground

all: build

build/CMakeCache.txt:
	cmake -S . -B build $(GEN) -DCMAKE_BUILD_TYPE=RelWithDebInfo

build-asan/CMakeCache.txt:
	cmake -S . -B build-asan $(GEN) -DCMAKE_BUILD_TYPE=Debug \
	  -DBUDDY_SANITIZE=ON -DBUDDY_DEBUG=1 -DBUDDY_BUILD_BENCH=OFF

build: build/CMakeCache.txt
	cmake --build build -j $(JOBS)

asan: build-asan/CMakeCache.txt
	cmake --build build-asan -j $(JOBS)

run: build
	./build/tools/buddy/buddy demo

test: build asan
	ctest --test-dir build --output-on-failure -j $(JOBS)
	ctest --test-dir build-asan --output-on-failure -j $(JOBS)

bench: build
	./build/bench/bench

# Fuzz with clang's libFuzzer (own build in build-fuzz/) for FUZZ_SECONDS,
# merging new finds into tests/fuzz/corpus.
fuzz:
	bash tests/fuzz/run.sh $(FUZZ_SECONDS)

playground: build/CMakeCache.txt
	cmake --build build --target playground
	@echo "open build/web/index.html in a browser"

clean:
	rm -rf build build-asan
