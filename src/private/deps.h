/* SPDX-License-Identifier: MIT */
/*
 * deps.h: the only place the library's freestanding code reaches outside
 * itself.
 *
 * The core is freestanding C11: no libc headers, no allocation. What it needs
 * from the toolchain is mapped here to compiler builtins, so a port changes
 * this one file. The layers above the core use the same atomics for the
 * cache fast paths they inline (pcp.h). The builtins may lower to calls of
 * memset/memcpy and of the compiler's runtime helpers; tests/freestanding
 * checks that nothing else is ever needed.
 */
#ifndef BUDDY_PRIVATE_DEPS_H
#define BUDDY_PRIVATE_DEPS_H

#include <stddef.h>
#include <stdint.h>

#define buddy_memset(dst, c, n) __builtin_memset((dst), (c), (n))
#define buddy_memcpy(dst, src, n) __builtin_memcpy((dst), (src), (n))

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

/* Atomics: data one thread changes while another reads it (state bytes,
 * cache counts, a cache's handshake words, a system's reclaim counters).
 * The loads and stores are plain moves on the targets we know; the
 * compare-and-swap of a state byte, the exchange of a handshake word and
 * the add to a counter are the only read-modify-writes.
 * Where the target has no lock-free atomics at all (ARMv6-M, e.g.
 * Cortex-M0, which is single-core) an aligned byte or word access is
 * indivisible anyway and volatile keeps the compiler from splitting or
 * caching it; the read-modify-writes become a load and a store, atomic
 * against another thread of the one core only if the embedder's lock masks
 * interrupts (docs/design.md, concurrency). */
#if defined(__GCC_ATOMIC_CHAR_LOCK_FREE) && __GCC_ATOMIC_CHAR_LOCK_FREE == 2 && \
    defined(__GCC_ATOMIC_INT_LOCK_FREE) && __GCC_ATOMIC_INT_LOCK_FREE == 2
#define buddy_load_relaxed(p) __atomic_load_n((p), __ATOMIC_RELAXED)
#define buddy_store_relaxed(p, v) __atomic_store_n((p), (v), __ATOMIC_RELAXED)
#define buddy_load_acquire(p) __atomic_load_n((p), __ATOMIC_ACQUIRE)
#define buddy_store_release(p, v) __atomic_store_n((p), (v), __ATOMIC_RELEASE)
/* *p from `old` to `new` if it is `old`; true if it was. */
#define buddy_cas_relaxed(p, old, new)                                         \
    __extension__({                                                            \
        __typeof__(*(p)) buddy_cas_old_ = (old);                               \
        __atomic_compare_exchange_n((p), &buddy_cas_old_, (new), 0,            \
                                    __ATOMIC_RELAXED, __ATOMIC_RELAXED);       \
    })
#define buddy_load_seq_cst(p) __atomic_load_n((p), __ATOMIC_SEQ_CST)
#define buddy_store_seq_cst(p, v) __atomic_store_n((p), (v), __ATOMIC_SEQ_CST)
#define buddy_xchg_seq_cst(p, v) __atomic_exchange_n((p), (v), __ATOMIC_SEQ_CST)
/* *p += v, returning the new *p, ordered with every seq_cst access: a
 * counter checked against a limit right after (the tenants' usage). */
#define buddy_add_fetch_seq_cst(p, v)                                          \
    __atomic_add_fetch((p), (v), __ATOMIC_SEQ_CST)
/* *p += v, for a counter that threads bump without a common lock. */
#define buddy_add_relaxed(p, v)                                                \
    ((void)__atomic_fetch_add((p), (v), __ATOMIC_RELAXED))
/* *p |= v and *p &= v, returning the old *p: one bit of a word whose other
 * bits other threads change (the slab's owned maps). */
#define buddy_fetch_or_relaxed(p, v) __atomic_fetch_or((p), (v), __ATOMIC_RELAXED)
#define buddy_fetch_and_relaxed(p, v)                                          \
    __atomic_fetch_and((p), (v), __ATOMIC_RELAXED)
#else
#define buddy_load_relaxed(p) (*(volatile __typeof__(*(p)) *)(p))
#define buddy_store_relaxed(p, v) (*(volatile __typeof__(*(p)) *)(p) = (v))
#define buddy_load_acquire(p) buddy_load_relaxed(p)
#define buddy_store_release(p, v) buddy_store_relaxed(p, v)
#define buddy_cas_relaxed(p, old, new)                                         \
    __extension__({                                                            \
        int buddy_cas_hit_ = buddy_load_relaxed(p) == (old);                   \
        if (buddy_cas_hit_)                                                    \
            buddy_store_relaxed(p, new);                                       \
        buddy_cas_hit_;                                                        \
    })
#define buddy_xchg_seq_cst(p, v)                                               \
    __extension__({                                                            \
        __typeof__(*(p)) buddy_xchg_old_ = buddy_load_relaxed(p);              \
        buddy_store_relaxed(p, v);                                             \
        buddy_xchg_old_;                                                       \
    })
#define buddy_load_seq_cst(p) buddy_load_relaxed(p)
#define buddy_store_seq_cst(p, v) buddy_store_relaxed(p, v)
#define buddy_add_fetch_seq_cst(p, v)                                          \
    __extension__({                                                            \
        __typeof__(*(p)) buddy_rmw_new_ = buddy_load_relaxed(p) + (v);         \
        buddy_store_relaxed(p, buddy_rmw_new_);                                \
        buddy_rmw_new_;                                                        \
    })
#define buddy_add_relaxed(p, v) buddy_store_relaxed(p, buddy_load_relaxed(p) + (v))
#define buddy_fetch_or_relaxed(p, v)                                           \
    __extension__({                                                            \
        __typeof__(*(p)) buddy_rmw_old_ = buddy_load_relaxed(p);               \
        buddy_store_relaxed(p, buddy_rmw_old_ | (v));                          \
        buddy_rmw_old_;                                                        \
    })
#define buddy_fetch_and_relaxed(p, v)                                          \
    __extension__({                                                            \
        __typeof__(*(p)) buddy_rmw_old_ = buddy_load_relaxed(p);               \
        buddy_store_relaxed(p, buddy_rmw_old_ & (v));                          \
        buddy_rmw_old_;                                                        \
    })
#endif
/* Keep the compiler from moving memory accesses across this point; the
 * CPU may still reorder (a remote drain's barrier covers that). */
#define buddy_compiler_barrier() __atomic_signal_fence(__ATOMIC_SEQ_CST)

/* A pause in a spin-wait loop. */
#if defined(__x86_64__) || defined(__i386__)
#define buddy_cpu_relax() __builtin_ia32_pause()
#elif defined(__aarch64__) || (defined(__ARM_ARCH) && __ARM_ARCH >= 7)
#define buddy_cpu_relax() __asm__ __volatile__("yield" ::: "memory")
#else
#define buddy_cpu_relax() buddy_compiler_barrier()
#endif

/* The caller's address, for debug records; 0 where the target has no
 * way to say (WebAssembly without Emscripten). A macro: it must expand in
 * the function whose caller it names. */
#if defined(__wasm__)
#define buddy_caller() ((uintptr_t)0)
#else
#define buddy_caller() ((uintptr_t)__builtin_return_address(0))
#endif

/* Keep slow paths out of the hot function they hang off. */
#define noinline_ __attribute__((noinline))
/* Fold a step of a hot path into its caller whatever the inliner thinks:
 * for the chain of calls one operation goes through. */
#define always_inline_ __attribute__((always_inline)) inline

/* Stop dead on a broken internal invariant: no libc, so no abort(). */
#define buddy_trap() __builtin_trap()

#endif /* BUDDY_PRIVATE_DEPS_H */
