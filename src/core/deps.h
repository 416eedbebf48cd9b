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

/* Stop dead on a broken internal invariant: no libc, so no abort(). */
#define buddy_trap() __builtin_trap()

#endif /* BUDDY_CORE_DEPS_H */
