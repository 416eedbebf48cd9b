# SPDX-License-Identifier: MIT
# Toolchain file: a 32-bit x86 build on an x86-64 Linux host, with the host's
# gcc and its multilib (Debian: gcc-multilib, and the i386 architecture's
# libcmocka-dev:i386 for the unit tests; .ci/run installs them).
#   cmake -S . -B build-m32 -DCMAKE_TOOLCHAIN_FILE=cmake/m32.cmake
# The host runs the result, so this is not a cross build: ctest runs the
# tests as in any other build directory, on a 32-bit size_t and pointer.
set(CMAKE_C_FLAGS_INIT "-m32")
set(CMAKE_EXE_LINKER_FLAGS_INIT "-m32")
set(CMAKE_SHARED_LINKER_FLAGS_INIT "-m32")
set(CMAKE_MODULE_LINKER_FLAGS_INIT "-m32")
# Where Debian's multiarch i386 libraries live (find_library looks there).
set(CMAKE_LIBRARY_ARCHITECTURE i386-linux-gnu)
