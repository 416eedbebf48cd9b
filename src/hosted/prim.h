/* SPDX-License-Identifier: MIT */
/*
 * prim.h: the operating-system primitives the hosted layer needs, in one
 * place (mimalloc's prim layer is the model): mapping memory, the two lock
 * kinds, the current CPU. Everything OS-specific in src/hosted/ goes
 * through here.
 */
#ifndef BUDDY_HOSTED_PRIM_H
#define BUDDY_HOSTED_PRIM_H

#include <stddef.h>
#include <stdint.h>

/* Anonymous, zero-filled, lazily committed memory aligned to `align` (a
 * power of two >= the OS page size), or NULL. */
void *buddy__prim_map(size_t size, size_t align);
void buddy__prim_unmap(void *p, size_t size);

/* The same with a backing, for a heap's managed memory: */
#define BUDDY__MAP_THP 1u      /* transparent huge pages (MADV_HUGEPAGE) */
#define BUDDY__MAP_HUGETLB 2u  /* hugetlbfs pages, reserved at map time */
/* *mapped is what to unmap (a hugetlb mapping rounds up to its pages);
 * NULL when it cannot be made (hugetlb: not enough reserved pages). */
void *buddy__prim_map_memory(size_t size, size_t align, unsigned flags,
                             size_t *mapped);
/* Fault [p, p + size) in for writing without changing a byte
 * (MADV_POPULATE_WRITE): 0; -1 when the kernel has no such call; -2 when
 * it could not (out of memory). */
int buddy__prim_populate(void *p, size_t size);
/* The size of a huge page (a PMD on x86-64: 2 MiB), 0 if none. */
size_t buddy__prim_huge_page_size(void);
/* The OS page size. */
size_t buddy__prim_page_size(void);

/* A test-and-test-and-set spinlock on its own cache line. */
struct buddy__spin {
    _Alignas(64) int held;
};
void buddy__spin_lock(void *spin);
void buddy__spin_unlock(void *spin);

/* A lock that spins briefly and then sleeps: 0 free, 1 held, 2 held with
 * sleepers (a futex on Linux; elsewhere the sleep is a sched_yield). */
struct buddy__park {
    _Alignas(64) uint32_t state;
};
void buddy__park_lock(void *park);
void buddy__park_unlock(void *park);

/* A memory barrier on every CPU running a thread of this process
 * (membarrier(2) MEMBARRIER_CMD_PRIVATE_EXPEDITED). buddy__prim_sync_init
 * registers for it once per process and says whether the kernel has it;
 * buddy__prim_sync is only called after it said yes. */
int buddy__prim_sync_init(void);
void buddy__prim_sync(void *unused);
/* Give the CPU to another thread (a wait on a cache's owner). */
void buddy__prim_yield(void *unused);

/* The CPU the calling thread runs on (a hint: it may move right after). */
unsigned buddy__prim_cpu(void);
/* CPUs configured in the system, at least 1. */
unsigned buddy__prim_nr_cpus(void);

#endif /* BUDDY_HOSTED_PRIM_H */
