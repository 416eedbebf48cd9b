/* SPDX-License-Identifier: MIT */
/*
 * deps.h: the only place the core reaches outside itself.
 *
 * The core is freestanding C11: no libc headers, no allocation. What it needs
 * from the toolchain is mapped here to compiler builtins, so a port changes
 * this one file. The builtins may lower to calls of memset/memcpy and of the
 * compiler's runtime helpers; tests/freestanding checks that nothing else is
 * ever needed.
 */
#ifndef BUDDY_CORE_DEPS_H
#define BUDDY_CORE_DEPS_H

#include <stddef.h>
#include <stdint.h>

#define buddy_memset(dst, c, n) __builtin_memset((dst), (c), (n))

#define buddy_likely(x) __builtin_expect(!!(x), 1)
#define buddy_unlikely(x) __builtin_expect(!!(x), 0)

/* Count trailing zeros; x must not be 0. */
static inline unsigned buddy_ctz32(uint32_t x)
{
    return (unsigned)__builtin_ctz(x);
}

static inline unsigned buddy_ctz64(uint64_t x)
{
    return (unsigned)__builtin_ctzll(x);
}

/* floor(log2(x)); x must not be 0. */
static inline unsigned buddy_log2_64(uint64_t x)
{
    return 63u - (unsigned)__builtin_clzll(x);
}

/* Relaxed atomic load/store of a byte or 32-bit word: data one thread
 * changes while another reads it (state bytes, cache counts). Where the
 * target has no lock-free atomics at all (ARMv6-M, e.g. Cortex-M0, which is
 * single-core) an aligned byte or word access is indivisible anyway, and
 * volatile keeps the compiler from splitting or caching it. */
#if defined(__GCC_ATOMIC_CHAR_LOCK_FREE) && __GCC_ATOMIC_CHAR_LOCK_FREE == 2 && \
    defined(__GCC_ATOMIC_INT_LOCK_FREE) && __GCC_ATOMIC_INT_LOCK_FREE == 2
#define buddy_load_relaxed(p) __atomic_load_n((p), __ATOMIC_RELAXED)
#define buddy_store_relaxed(p, v) __atomic_store_n((p), (v), __ATOMIC_RELAXED)
#else
#define buddy_load_relaxed(p) (*(volatile __typeof__(*(p)) *)(p))
#define buddy_store_relaxed(p, v) (*(volatile __typeof__(*(p)) *)(p) = (v))
#endif

/* Keep slow paths out of the hot function they hang off. */
#define noinline_ __attribute__((noinline))

/* Stop dead on a broken internal invariant: no libc, so no abort(). */
#define buddy_trap() __builtin_trap()

#endif /* BUDDY_CORE_DEPS_H */
