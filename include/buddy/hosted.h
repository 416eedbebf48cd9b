/* SPDX-License-Identifier: MIT */
/*
 * libbuddy hosted layer: a zone made ready for a multi-threaded program,
 * and a background reclaimer thread for a system of zones (buddy_kswapd).
 *
 * A buddy_heap is one zone whose metadata (and, if asked, the managed memory
 * itself) comes from mmap, guarded by a lock, with page caches in front of
 * it so small orders are served without the lock:
 *
 *   BUDDY_CACHE_PER_THREAD  one cache per thread, found through thread-local
 *                           storage, drained when the thread exits (default)
 *   BUDDY_CACHE_PER_CPU     one cache per CPU (sched_getcpu), each guarded
 *                           by its own uncontended spinlock
 *   BUDDY_CACHE_NONE        every call takes the zone lock: bounded time,
 *                           for real-time users
 *
 * docs/performance.md has the measurements behind the defaults. Everything
 * here needs POSIX threads and mmap; the freestanding core does not.
 */
#ifndef BUDDY_HOSTED_H
#define BUDDY_HOSTED_H

#include "buddy/buddy.h"
#include "buddy/tenant.h"

#ifdef __cplusplus
extern "C" {
#endif

enum buddy_cache_mode {
    BUDDY_CACHE_NONE = 0,
    BUDDY_CACHE_PER_THREAD = 1,
    BUDDY_CACHE_PER_CPU = 2
};

/* The zone lock. The default is ADAPTIVE: it spins while the holder runs
 * and, unlike the spinlock, sleeps when it does not (docs/performance.md
 * compares the three). */
enum buddy_lock_kind {
    BUDDY_LOCK_MUTEX = 0,   /* pthread mutex: sleeps when contended */
    BUDDY_LOCK_SPIN = 1,    /* test-and-test-and-set spinlock (yields) */
    BUDDY_LOCK_ADAPTIVE = 2 /* spins briefly, then sleeps on a futex */
};

/* How a remote drain (buddy_heap_drain_all, the drain before ENOMEM, a
 * check) keeps a cache's owner out of its fast path (buddy.h,
 * buddy_lock_ops.sync_cpus). */
enum buddy_sync_kind {
    BUDDY_SYNC_AUTO = 0,  /* membarrier(2) where the kernel has it: owners
                             pay no fence; else as FENCE */
    BUDDY_SYNC_FENCE = 1  /* each cached operation runs out of line with
                             one atomic exchange; drains need no system
                             call */
};

/* What backs a heap's managed memory (with_memory; a heap without memory
 * ignores it). */
enum buddy_huge_kind {
    BUDDY_HUGE_NONE = 0, /* base pages, faulted in as they are first written */
    BUDDY_HUGE_THP = 1,  /* transparent huge pages: the mapping aligned to a
                            huge page at least and advised MADV_HUGEPAGE, so
                            the kernel backs each aligned huge-page run with
                            one huge page when it has one (THP "always" or
                            "madvise"; with THP "never" or absent, base
                            pages) */
    BUDDY_HUGE_TLB = 2   /* hugetlbfs pages the administrator reserved
                            (vm.nr_hugepages), taken from the pool at create:
                            ENOMEM when it has too few; the size rounds up
                            to whole huge pages, and the memory is aligned
                            to one huge page (not to a larger block: pfns
                            then come from a window, see below) */
};

/* The default start_pfn: the heap numbers its frames so that its pfns are
 * its own in the process. With memory aligned to its largest block (blocks
 * up to 1 GiB), pfn = address >> page_shift, as an identity map; otherwise
 * a window of pfns no other heap of the process uses. A pfn of one heap
 * given to another of the same page size is then ERANGE, not a free of
 * someone else's block (docs/design.md says what stays undetectable). */
#define BUDDY_HEAP_PFN_AUTO BUDDY_PFN_NONE

struct buddy_heap_options {
    buddy_pfn_t start_pfn;        /* first pfn of the zone, or
                                     BUDDY_HEAP_PFN_AUTO (the default) */
    uint64_t nr_pages;            /* pages in the zone, all given as free */
    size_t page_size;             /* power of two >= 16 */
    unsigned max_order;           /* <= 31 */
    int with_memory;              /* also mmap the managed memory, so the
                                     byte API returns usable memory */
    enum buddy_cache_mode cache;  /* see above */
    struct buddy_pcp_config pcp;  /* cache orders, batch, high */
    enum buddy_lock_kind lock;    /* the zone lock */
    const char *name;             /* zone name for buddyinfo */
    enum buddy_sync_kind sync;    /* see above */
    enum buddy_huge_kind huge;    /* the managed memory's pages */
    int prefault;                 /* fault every page of the managed memory
                                     in at create, so no allocation pays a
                                     page fault (the memory is then committed:
                                     nr_pages * page_size of RSS); ENOTSUP
                                     where the kernel cannot
                                     (MADV_POPULATE_WRITE, Linux 5.14) */
    void *memory;                 /* with_memory: NULL (the heap maps its
                                     own), or the caller's mapping of
                                     nr_pages * page_size bytes, aligned to
                                     a page, readable and writable, which
                                     the heap then manages and never
                                     unmaps (huge must be NONE): so one
                                     reservation can serve several heaps */
    struct buddy_tenants *tenants; /* NULL, or a group whose tenants the
                                     heap's pages can be charged to: the
                                     zone is made with BUDDY_ZONE_OWNERS
                                     (a byte a page more) and attached to
                                     it (buddy_heap_alloc_pages_tenant) */
};

#define BUDDY_HEAP_OPTIONS_INIT                                                \
    {BUDDY_HEAP_PFN_AUTO, 0, BUDDY_DEFAULT_PAGE_SIZE, BUDDY_DEFAULT_MAX_ORDER, \
     0, BUDDY_CACHE_PER_THREAD, BUDDY_PCP_CONFIG_INIT, BUDDY_LOCK_ADAPTIVE,    \
     NULL, BUDDY_SYNC_AUTO, BUDDY_HUGE_NONE, 0, NULL, NULL}

/*
 * Override options from the environment: BUDDY_CACHE=none|thread|cpu,
 * BUDDY_LOCK=mutex|spin|adaptive, BUDDY_SYNC=auto|fence,
 * BUDDY_HUGE=none|thp|hugetlb, BUDDY_PREFAULT=0|1,
 * BUDDY_PCP_MAX_ORDER, BUDDY_PCP_BATCH,
 * BUDDY_PCP_HIGH (decimal; high 0 scales with the zone, see
 * buddy_pcp_config). A malformed value returns EINVAL, names the
 * variable in *bad (may be NULL) and leaves *opts unchanged.
 */
BUDDY_NODISCARD
BUDDY_API int buddy_heap_options_from_env(struct buddy_heap_options *opts,
                                          const char **bad);

struct buddy_heap; /* opaque */

/* Map the metadata (and memory), make the zone, give it all the pages.
 * Errors: those of buddy_zone_init and buddy_pcp_init, ESPAN also when
 * with_memory and nr_pages * page_size does not fit size_t, ENOMEM when
 * mmap fails. O(log pages): the metadata stays untouched until used. */
BUDDY_NODISCARD
BUDDY_API int buddy_heap_create(const struct buddy_heap_options *opts,
                                struct buddy_heap **out);
/* Unmap everything. No thread may use the heap any more. */
BUDDY_API void buddy_heap_destroy(struct buddy_heap *h);

/* The zone calls, through the calling thread's (or CPU's) cache where the
 * order is cached. Thread-safe. Errors as the zone calls. */
BUDDY_NODISCARD
BUDDY_API int buddy_heap_alloc_pages(struct buddy_heap *h, unsigned order,
                                     buddy_pfn_t *pfn);
BUDDY_API int buddy_heap_free_pages(struct buddy_heap *h, buddy_pfn_t pfn,
                                    unsigned order);
BUDDY_API int buddy_heap_free_pfn(struct buddy_heap *h, buddy_pfn_t pfn);
/* As buddy_zone_alloc_pages_type, through the cache's list for the type
 * (buddy_pcp_alloc_pages_type). Blocks are freed with the calls above. */
BUDDY_NODISCARD
BUDDY_API int buddy_heap_alloc_pages_type(struct buddy_heap *h, unsigned order,
                                          enum buddy_migratetype mt,
                                          buddy_pfn_t *pfn);
BUDDY_NODISCARD
BUDDY_API int buddy_heap_alloc_bulk(struct buddy_heap *h, unsigned order,
                                    unsigned nr, buddy_pfn_t *pfns);
BUDDY_NODISCARD BUDDY_MALLOC BUDDY_ALLOC_SIZE(2)
BUDDY_API void *buddy_heap_alloc(struct buddy_heap *h, size_t size);
BUDDY_API int buddy_heap_free(struct buddy_heap *h, void *ptr);

/* Pages charged to tenant id of the heap's group (options.tenants), as
 * buddy_tenant_alloc_pages: the charge through stock first (reclaimers,
 * OOM callback, high's throttle), then a block of the zone, past the
 * caches (a cache leaves owned blocks to the zone). Every free of it by
 * the heap's calls, from any thread, uncharges id. The _tenant byte call
 * takes the order size needs and gives the address in *out. Errors: ENULL,
 * ENOTSUP (a heap without tenants), the charge's (ENOMEM past a max,
 * ENOTENANT), the zone's (ENOMEM, EORDER, EZERO, ENOBASE for bytes of a
 * heap without memory), nothing charged. */
BUDDY_NODISCARD
BUDDY_API int buddy_heap_alloc_pages_tenant(struct buddy_heap *h,
                                            struct buddy_tenant_stock *stock,
                                            unsigned id, unsigned order,
                                            enum buddy_migratetype mt,
                                            buddy_pfn_t *pfn);
BUDDY_NODISCARD
BUDDY_API int buddy_heap_alloc_tenant(struct buddy_heap *h,
                                      struct buddy_tenant_stock *stock,
                                      unsigned id, size_t size, void **out);

/* The calling thread's own cache of h (made on first use), for a caller
 * that keeps it at hand: buddy_pcp_alloc, buddy_pcp_free and the other
 * buddy_pcp_* calls on it do what the heap calls do on this thread, less
 * the thread-local lookup, and their blocks may be freed through any of
 * the heap's calls on any thread. The handle is the calling thread's: it
 * lives until the thread exits or the heap is destroyed, no other thread
 * may allocate or free through it (any may drain it), and it is never
 * given to buddy_pcp_fini. Debug builds (BUDDY_DEBUG >= 1) trap when two
 * threads are inside it at once. NULL when h has no per-thread caches (a
 * thread may move between CPUs, so a per-CPU cache is never one thread's)
 * or the cache cannot be made. */
BUDDY_API struct buddy_pcp *buddy_heap_thread_cache(struct buddy_heap *h);

/* Fault the pages of [addr, addr + size) in for writing now, without
 * changing a byte (MADV_POPULATE_WRITE), so that the caller's first
 * writes there take no page fault: for a block it is about to use on a
 * path that must not fault. Any part of the heap's memory, allocated or
 * not. Errors: ENULL; EINVAL when the heap has no memory or size is 0;
 * ERANGE when the range is not inside it; ENOTSUP where the kernel cannot;
 * ENOMEM when the kernel has no memory for it. Thread-safe. */
BUDDY_NODISCARD
BUDDY_API int buddy_heap_prefault(struct buddy_heap *h, const void *addr,
                                  size_t size);

/* Give the calling thread's (or CPU's) cached pages back to the zone. */
BUDDY_API void buddy_heap_drain(struct buddy_heap *h);
/* Give every cache's pages back, while their owners run or not (the
 * kernel's drain_all_pages). An allocation that finds the zone short does
 * the same before it fails. */
BUDDY_API void buddy_heap_drain_all(struct buddy_heap *h);

/* Take and release the heap's zone lock from outside: around fork
 * (pthread_atfork's prepare, then parent and child), so that no child
 * inherits it held by a thread the child does not have. Nothing on the
 * heap may be called in between. Lock order: after every lock of a
 * layer above (a slab cache's), as inside the library. */
BUDDY_API void buddy_heap_lock(struct buddy_heap *h);
BUDDY_API void buddy_heap_unlock(struct buddy_heap *h);

/* The zone, for stats, buddyinfo, walks and checks (all take its lock; a
 * check holds the caches' owners out of their fast paths while it runs). */
BUDDY_NODISCARD
BUDDY_API struct buddy_zone *buddy_heap_zone(struct buddy_heap *h);

/*
 * A background reclaimer for a buddy_system: the kernel's kswapd on a
 * thread of its own, keeping a node between its low and high marks so
 * that allocations seldom reclaim directly. buddy_kswapd_start installs
 * itself as the system's kswapd callback (buddy_system_set_kswapd) and
 * starts a thread that sleeps until an allocation wakes it (a zonelist
 * below its low marks, or a zone whose marks a fallback boosted), then
 * runs buddy_system_balance_node for each woken node, with the largest
 * order and zone index asked since its last run, and sleeps again. It
 * never wakes on a timer: only an allocation brings free memory below a
 * mark, and every such allocation wakes it.
 *
 * Start it before the system is shared, and stop it only when no thread
 * allocates from the system any more, as buddy_system_set_kswapd asks:
 * the system has no lock of its own for its callback. One per system: a
 * second start replaces the first's callback, and that one then never
 * wakes. The registered shrinkers run on its thread as well as in
 * allocating threads' direct reclaim, so they must be thread-safe; the
 * zones need lock ops (a heap's zone has them).
 *
 * start: ENULL (sys or out); ENOMEM when the thread or its state cannot
 * be made, the system's callback then left as it was. stop: clears the
 * callback, wakes the thread, waits for its current run to end and frees
 * it; NULL does nothing.
 */
struct buddy_kswapd; /* opaque */

BUDDY_NODISCARD
BUDDY_API int buddy_kswapd_start(struct buddy_system *sys,
                                 struct buddy_kswapd **out);
BUDDY_API void buddy_kswapd_stop(struct buddy_kswapd *k);

/* Nothing in this header is async-signal-safe (buddy.h says why). */

#ifdef __cplusplus
}
#endif

#endif /* BUDDY_HOSTED_H */
