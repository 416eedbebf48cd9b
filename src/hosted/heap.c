/* SPDX-License-Identifier: MIT */
/*
 * heap.c: a zone made ready for threads: mmap'd metadata, a lock, and page
 * caches in front (include/buddy/hosted.h).
 *
 * Per-thread caches (the default) are found through a one-entry
 * thread-local pair {heap id, cache}: the hot path compares one word and
 * calls the core's lock-free cache path. A thread's first call on a heap
 * makes its cache (malloc). Every cache is on two lists: its heap's and
 * its thread's, both under one process-wide mutex, so that a thread's exit
 * (one pthread key's destructor gives back every cache the thread has)
 * and a heap's destroy (which gives back every cache of the heap) can run
 * at once and each cache is given back by exactly one of them (a thread
 * that alternates between heaps takes that mutex at each switch, to find
 * its cache of the other heap on its list). Heap ids
 * are unique for the life of the process, so a stale thread-local pair can
 * never match a new heap that reuses an old heap's address.
 *
 * Per-CPU caches are an array indexed by sched_getcpu(); a thread can be
 * moved or preempted at any moment, so each cache has its own spinlock,
 * almost never contended. docs/performance.md compares the two.
 *
 * Lock order: the cache lists' mutex, then a cache's spinlock, then the
 * zone lock (taken inside the core). Every zone
 * lock records its holder, for the core's debug assertions (lock ops
 * `held`). Remote drains (drain_all, the core's drain before ENOMEM, a
 * check) keep owners out of their fast paths with membarrier(2) as the
 * zone's sync_cpus where the kernel has it, so the owners fence nothing.
 *
 * Frame numbers: by default a heap with memory numbers its frames from
 * their addresses (pfn = address >> page_shift) when its mapping is
 * aligned to its largest block; otherwise, and without memory, it takes a
 * window of 2^32 pfns above every address-derived pfn, never reused in the
 * process, so that a pfn freed into a heap of the same page size is out
 * of its range.
 */
#define _GNU_SOURCE
#include "buddy/hosted.h"
#include "../private/pcp.h" /* the cached fast paths, inlined below */
#include "prim.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct thread_cache {
    struct buddy_pcp pcp;          /* first: the pcp is the cache */
    struct buddy_heap *heap;       /* owner heap */
    struct thread_cache *next;     /* heap's list */
    struct thread_cache **pprev;
    struct thread_cache *tnext;    /* its thread's list */
    struct thread_cache **tpprev;
};

/* Both lists of every cache, of every heap and thread. */
static pthread_mutex_t caches_mutex = PTHREAD_MUTEX_INITIALIZER;

struct cpu_cache {
    struct buddy__spin lock;       /* guards pcp against a moved thread */
    struct buddy_pcp pcp;
};

struct buddy_heap;

/* The calling thread's way to a cache of the heap, for every path but the
 * per-thread hot one: the cache and the lock that guards it (a per-CPU
 * cache's; NULL for a thread's own). */
struct cache_ref {
    struct buddy_pcp *pcp;
    struct buddy__spin *lock;
};

/* Fill ref and return true, or false when the call goes to the zone (no
 * caches, or a thread cache that could not be made). Chosen once, at
 * create, from the cache mode. */
typedef bool (*cache_get_fn)(struct buddy_heap *h, struct cache_ref *ref);

struct buddy_heap {
    struct buddy_zone *zone;
    uint64_t id;                   /* unique: thread-local lookups match it */
    cache_get_fn cache_get;        /* the cache mode's way to a cache */
    enum buddy_cache_mode cache;
    struct buddy_pcp_config pcp_cfg;
    void *meta;                    /* mmap'd zone metadata */
    size_t meta_size;
    void *mem;                     /* mmap'd managed memory, or NULL */
    size_t mem_size;               /* bytes at mem (0 without memory) */
    bool mem_given;                /* mem is the caller's: never unmapped */
    size_t mem_mapped;             /* bytes mapped there (a hugetlb
                                      mapping rounds up) */
    enum buddy_huge_kind huge;     /* what backs mem */
    struct thread_cache *threads;  /* PER_THREAD: every live cache
                                      (caches_mutex) */
    struct cpu_cache *cpus;        /* PER_CPU: one per CPU */
    unsigned nr_cpus;
    enum buddy_lock_kind lock_kind;
    pthread_mutex_t mutex;         /* the zone lock, as a mutex */
    struct buddy__spin spin;       /* or as a spinlock */
    struct buddy__park park;       /* or as an adaptive lock */
    const void *lock_holder;       /* &tl_self of the thread holding it */
    struct buddy_tenants *tenants; /* its pages' owners' group, or NULL */
};

static uint64_t next_heap_id = 1;

/* Windows of pfns for heaps without memory: window n is [2^56 + n * 2^32,
 * + 2^32), above any pfn an address gives (addresses stay below 2^60 on
 * every 64-bit target we know, so address >> 4 < 2^56). */
#define PFN_WINDOW_BASE ((buddy_pfn_t)1 << 56)
#define PFN_WINDOW_SHIFT 32u
static uint64_t next_pfn_window;

/* A per-thread address: who holds a zone lock. */
static __thread char tl_self __attribute__((tls_model("initial-exec")));

static __thread struct {
    uint64_t heap_id;
    struct buddy__pcp *pcp;
} tl_cache __attribute__((tls_model("initial-exec")));

/* This thread's caches, one per heap it used (caches_mutex). */
static __thread struct thread_cache *tl_caches
    __attribute__((tls_model("initial-exec")));

/* ---- the zone lock ------------------------------------------------------ */

/* Each kind records the holder after taking the lock and clears it before
 * releasing, so `held` is exact for the calling thread. */
static inline void holder_set(struct buddy_heap *h, const void *who)
{
    __atomic_store_n(&h->lock_holder, who, __ATOMIC_RELAXED);
}

/* One pair of lock ops per lock kind: take the primitive `field` of the
 * heap with `take`, record the holder; clear it, release. */
#define HEAP_LOCK_KIND(kind, field, take, release)                             \
    static void kind##_lock(void *arg)                                         \
    {                                                                          \
        struct buddy_heap *h = arg;                                            \
                                                                               \
        (void)take(&h->field);                                                 \
        holder_set(h, &tl_self);                                               \
    }                                                                          \
    static void kind##_unlock(void *arg)                                       \
    {                                                                          \
        struct buddy_heap *h = arg;                                            \
                                                                               \
        holder_set(h, NULL);                                                   \
        (void)release(&h->field);                                              \
    }

HEAP_LOCK_KIND(mutex, mutex, pthread_mutex_lock, pthread_mutex_unlock)
HEAP_LOCK_KIND(spin, spin, buddy__spin_lock, buddy__spin_unlock)
HEAP_LOCK_KIND(park, park, buddy__park_lock, buddy__park_unlock)

static bool lock_held(void *arg)
{
    struct buddy_heap *h = arg;

    return __atomic_load_n(&h->lock_holder, __ATOMIC_RELAXED) == &tl_self;
}

void buddy_heap_lock(struct buddy_heap *h)
{
    switch (h->lock_kind) {
    case BUDDY_LOCK_MUTEX: mutex_lock(h); break;
    case BUDDY_LOCK_SPIN: spin_lock(h); break;
    default: park_lock(h); break;
    }
}

void buddy_heap_unlock(struct buddy_heap *h)
{
    switch (h->lock_kind) {
    case BUDDY_LOCK_MUTEX: mutex_unlock(h); break;
    case BUDDY_LOCK_SPIN: spin_unlock(h); break;
    default: park_unlock(h); break;
    }
}

/* ---- per-thread caches -------------------------------------------------- */

/* One key for the process: its value is set in every thread that has a
 * cache, so that its destructor runs when the thread exits. */
static pthread_key_t exit_key;
static pthread_once_t exit_key_once = PTHREAD_ONCE_INIT;
static int exit_key_err;

/* Off both lists, its pages back to the zone, freed. caches_mutex held. */
static void thread_cache_destroy_locked(struct thread_cache *tc)
{
    *tc->pprev = tc->next;
    if (tc->next != NULL)
        tc->next->pprev = tc->pprev;
    *tc->tpprev = tc->tnext;
    if (tc->tnext != NULL)
        tc->tnext->tpprev = tc->tpprev;
    buddy_pcp_fini(&tc->pcp);
    free(tc);
}

/* The thread exits: every cache it has goes back. A heap destroyed
 * meanwhile has taken its own cache off this thread's list already. */
static void thread_exit(void *unused)
{
    (void)unused;
    pthread_mutex_lock(&caches_mutex);
    while (tl_caches != NULL)
        thread_cache_destroy_locked(tl_caches);
    tl_cache.heap_id = 0;
    tl_cache.pcp = NULL;
    pthread_mutex_unlock(&caches_mutex);
}

static void exit_key_make(void)
{
    exit_key_err = pthread_key_create(&exit_key, thread_exit);
}

/* This thread's cache of h, NULL if it has none. caches_mutex held. */
static struct thread_cache *thread_cache_find_locked(const struct buddy_heap *h)
{
    struct thread_cache *tc;

    for (tc = tl_caches; tc != NULL; tc = tc->tnext)
        if (tc->heap == h)
            return tc;
    return NULL;
}

static __attribute__((noinline)) struct buddy_pcp *
thread_cache_slow(struct buddy_heap *h)
{
    struct thread_cache *tc;

    if (pthread_once(&exit_key_once, exit_key_make) != 0 || exit_key_err != 0)
        return NULL; /* the caller falls back to the zone */
    pthread_mutex_lock(&caches_mutex);
    tc = thread_cache_find_locked(h);
    if (tc == NULL) {
        tc = calloc(1, sizeof(*tc));
        if (tc == NULL || pthread_setspecific(exit_key, &tl_caches) != 0 ||
            buddy_pcp_init(&tc->pcp, h->zone, &h->pcp_cfg) != 0) {
            pthread_mutex_unlock(&caches_mutex);
            free(tc);
            return NULL;
        }
        tc->heap = h;
        tc->next = h->threads;
        tc->pprev = &h->threads;
        if (h->threads != NULL)
            h->threads->pprev = &tc->next;
        h->threads = tc;
        tc->tnext = tl_caches;
        tc->tpprev = &tl_caches;
        if (tl_caches != NULL)
            tl_caches->tpprev = &tc->tnext;
        tl_caches = tc;
    }
    tl_cache.heap_id = h->id;
    tl_cache.pcp = buddy__pcp(&tc->pcp);
    pthread_mutex_unlock(&caches_mutex);
    return &tc->pcp;
}

/* ---- the cache modes' ways to a cache ----------------------------------- */

static bool cache_get_none(struct buddy_heap *h, struct cache_ref *ref)
{
    (void)h;
    (void)ref;
    return false;
}

static bool cache_get_thread(struct buddy_heap *h, struct cache_ref *ref)
{
    ref->pcp = thread_cache_slow(h);
    ref->lock = NULL;
    return ref->pcp != NULL;
}

/* The CPU's cache, its spinlock taken: a thread may be moved between
 * reading its CPU and using the cache. */
static bool cache_get_cpu(struct buddy_heap *h, struct cache_ref *ref)
{
    struct cpu_cache *c = &h->cpus[buddy__prim_cpu() % h->nr_cpus];

    buddy__spin_lock(&c->lock);
    ref->pcp = &c->pcp;
    ref->lock = &c->lock;
    return true;
}

static inline void cache_put(struct cache_ref *ref)
{
    if (ref->lock != NULL)
        buddy__spin_unlock(ref->lock);
}

/* ---- create / destroy --------------------------------------------------- */

static int heap_fail(struct buddy_heap *h, int err)
{
    buddy_heap_destroy(h);
    return err;
}

/* Why the core refuses a configuration buddy_zone_meta_size gave 0 for:
 * no buffer of size 0 is big enough, so init only checks it and says. */
static int config_refusal(const struct buddy_zone_config *cfg)
{
    struct buddy_zone *z;
    uint64_t none;
    int err = buddy_zone_init(&none, 0, cfg, &z);

    return err != 0 ? err : BUDDY_EINVAL;
}

/* The pfn of the heap's first frame (see the file header). */
static int heap_start_pfn(const struct buddy_heap_options *o, const void *mem,
                          buddy_pfn_t *start)
{
    uint64_t window;

    if (o->start_pfn != BUDDY_HEAP_PFN_AUTO) {
        *start = o->start_pfn;
        return 0;
    }
    if (mem != NULL) {
        unsigned block_shift = buddy_log2_64(o->page_size) + o->max_order;

        /* An address-derived pfn keeps the largest blocks aligned only
         * when the mapping is aligned to them (it is up to 1 GiB); larger
         * blocks take a window, whose pfns are aligned to 2^32. */
        if (block_shift < sizeof(uintptr_t) * 8 &&
            ((uintptr_t)mem & (((uintptr_t)1 << block_shift) - 1)) == 0) {
            *start = (uintptr_t)mem >> buddy_log2_64(o->page_size);
            return 0;
        }
    }
    window = __atomic_fetch_add(&next_pfn_window, 1, __ATOMIC_RELAXED);
    if (window >= (UINT64_MAX - PFN_WINDOW_BASE) >> PFN_WINDOW_SHIFT)
        return BUDDY_ESPAN; /* 2^32 heaps made in this process */
    *start = PFN_WINDOW_BASE + (window << PFN_WINDOW_SHIFT);
    return 0;
}

int buddy_heap_create(const struct buddy_heap_options *o, struct buddy_heap **out)
{
    struct buddy_zone_config cfg = BUDDY_ZONE_CONFIG_INIT;
    struct buddy_lock_ops ops;
    struct buddy_heap *h;
    int err;

    if (o == NULL || out == NULL)
        return BUDDY_ENULL;
    if (o->cache != BUDDY_CACHE_NONE && o->cache != BUDDY_CACHE_PER_THREAD &&
        o->cache != BUDDY_CACHE_PER_CPU)
        return BUDDY_EINVAL;
    if (o->lock != BUDDY_LOCK_MUTEX && o->lock != BUDDY_LOCK_SPIN &&
        o->lock != BUDDY_LOCK_ADAPTIVE)
        return BUDDY_EINVAL;
    if (o->sync != BUDDY_SYNC_AUTO && o->sync != BUDDY_SYNC_FENCE)
        return BUDDY_EINVAL;
    if ((o->huge != BUDDY_HUGE_NONE && o->huge != BUDDY_HUGE_THP &&
         o->huge != BUDDY_HUGE_TLB) ||
        (o->prefault != 0 && o->prefault != 1))
        return BUDDY_EINVAL;
    if (o->memory != NULL &&
        (!o->with_memory || o->huge != BUDDY_HUGE_NONE ||
         ((uintptr_t)o->memory & (o->page_size - 1)) != 0 ||
         ((uintptr_t)o->memory & 4095u) != 0))
        return BUDDY_EINVAL;
    cfg.nr_pages = o->nr_pages;
    cfg.page_size = o->page_size;
    cfg.max_order = o->max_order;
    cfg.name = o->name;
    cfg.flags = BUDDY_ZONE_META_ZEROED | /* fresh mmap */
                (o->tenants != NULL ? BUDDY_ZONE_OWNERS : 0u);
    /* Let the core judge the configuration before anything is made. */
    if (buddy_zone_meta_size(&cfg) == 0)
        return config_refusal(&cfg);
    /* The locks sit on their own cache lines: the heap is line-aligned. */
    h = aligned_alloc(64, (sizeof(*h) + 63) & ~(size_t)63);
    if (h == NULL)
        return BUDDY_ENOMEM;
    memset(h, 0, sizeof(*h));
    h->id = __atomic_fetch_add(&next_heap_id, 1, __ATOMIC_RELAXED);
    h->cache = o->cache;
    h->cache_get = o->cache == BUDDY_CACHE_PER_THREAD ? cache_get_thread
                   : o->cache == BUDDY_CACHE_PER_CPU  ? cache_get_cpu
                                                      : cache_get_none;
    h->pcp_cfg = o->pcp;
    h->lock_kind = o->lock;
    pthread_mutex_init(&h->mutex, NULL);
    if (o->with_memory) {
        /* Align the memory to the largest block (up to 1 GiB, and at least
         * a page) so blocks are aligned to their size in address space
         * too, and an address-derived pfn is exact. As a shift:
         * page_size << max_order can pass 2^64. */
        unsigned block_shift = buddy_log2_64(o->page_size) + o->max_order;
        size_t align = block_shift >= 30 ? (size_t)1 << 30
                       : block_shift < 12 ? 4096 : (size_t)1 << block_shift;

        if (align < o->page_size)
            align = o->page_size;
        if (o->nr_pages > SIZE_MAX / o->page_size)
            return heap_fail(h, BUDDY_ESPAN);
        h->mem_size = (size_t)o->nr_pages * o->page_size;
        h->huge = o->huge;
        if (o->memory != NULL) {
            if ((uintptr_t)o->memory > UINTPTR_MAX - h->mem_size)
                return heap_fail(h, BUDDY_ESPAN);
            h->mem = o->memory;
            h->mem_mapped = h->mem_size;
            h->mem_given = true;
        } else {
            h->mem = buddy__prim_map_memory(
                h->mem_size, align,
                o->huge == BUDDY_HUGE_THP   ? BUDDY__MAP_THP
                : o->huge == BUDDY_HUGE_TLB ? BUDDY__MAP_HUGETLB
                                            : 0u,
                &h->mem_mapped);
        }
        if (h->mem == NULL)
            return heap_fail(h, BUDDY_ENOMEM);
        if (o->prefault) {
            /* The whole mapping: a hugetlb one is whole huge pages. */
            int r = buddy__prim_populate(h->mem, h->mem_mapped);

            if (r != 0)
                return heap_fail(h, r == -1 ? BUDDY_ENOTSUP : BUDDY_ENOMEM);
        }
        cfg.base = h->mem;
    }
    err = heap_start_pfn(o, h->mem, &cfg.start_pfn);
    if (err != 0)
        return heap_fail(h, err);
    h->meta_size = buddy_zone_meta_size(&cfg);
    if (h->meta_size == 0) /* the start pfn made the span too long */
        return heap_fail(h, config_refusal(&cfg));
    h->meta = buddy__prim_map(h->meta_size, 4096);
    if (h->meta == NULL)
        return heap_fail(h, BUDDY_ENOMEM);
    err = buddy_zone_init(h->meta, h->meta_size, &cfg, &h->zone);
    if (err != 0)
        return heap_fail(h, err);
    memset(&ops, 0, sizeof(ops));
    ops.arg = h;
    ops.held = lock_held;
    ops.relax = buddy__prim_yield;
    if (o->sync == BUDDY_SYNC_AUTO && buddy__prim_sync_init())
        ops.sync_cpus = buddy__prim_sync;
    if (o->lock == BUDDY_LOCK_SPIN) {
        ops.lock = spin_lock;
        ops.unlock = spin_unlock;
    } else if (o->lock == BUDDY_LOCK_ADAPTIVE) {
        ops.lock = park_lock;
        ops.unlock = park_unlock;
    } else {
        ops.lock = mutex_lock;
        ops.unlock = mutex_unlock;
    }
    err = buddy_zone_set_lock(h->zone, &ops);
    if (err == 0)
        err = buddy_zone_add_range(h->zone, cfg.start_pfn, o->nr_pages);
    if (err == 0 && o->tenants != NULL) {
        err = buddy_tenants_attach_zone(o->tenants, h->zone);
        h->tenants = o->tenants;
    }
    if (err != 0)
        return heap_fail(h, err);

    if (o->cache == BUDDY_CACHE_PER_THREAD) {
        struct buddy_pcp probe;

        /* Check the cache configuration now rather than on first use. */
        memset(&probe, 0, sizeof(probe));
        err = buddy_pcp_init(&probe, h->zone, &o->pcp);
        if (err != 0)
            return heap_fail(h, err);
        buddy_pcp_fini(&probe);
        if (pthread_once(&exit_key_once, exit_key_make) != 0 ||
            exit_key_err != 0)
            return heap_fail(h, BUDDY_ENOMEM);
    } else if (o->cache == BUDDY_CACHE_PER_CPU) {
        unsigned i;

        h->nr_cpus = buddy__prim_nr_cpus();
        h->cpus = aligned_alloc(64, sizeof(*h->cpus) * h->nr_cpus);
        if (h->cpus == NULL)
            return heap_fail(h, BUDDY_ENOMEM);
        memset(h->cpus, 0, sizeof(*h->cpus) * h->nr_cpus);
        for (i = 0; i < h->nr_cpus; i++) {
            err = buddy_pcp_init(&h->cpus[i].pcp, h->zone, &o->pcp);
            if (err != 0) {
                while (i-- > 0)
                    buddy_pcp_fini(&h->cpus[i].pcp);
                free(h->cpus);
                h->cpus = NULL;
                return heap_fail(h, err);
            }
        }
    }
    *out = h;
    return 0;
}

void buddy_heap_destroy(struct buddy_heap *h)
{
    if (h == NULL)
        return;
    /* Every thread's cache of h, a thread exiting now included: it gives
     * back only what is still on its list. */
    pthread_mutex_lock(&caches_mutex);
    while (h->threads != NULL)
        thread_cache_destroy_locked(h->threads);
    pthread_mutex_unlock(&caches_mutex);
    if (tl_cache.heap_id == h->id)
        tl_cache.heap_id = 0;
    if (h->cpus != NULL) {
        unsigned i;

        for (i = 0; i < h->nr_cpus; i++)
            buddy_pcp_fini(&h->cpus[i].pcp);
        free(h->cpus);
    }
    if (!h->mem_given)
        buddy__prim_unmap(h->mem, h->mem_mapped);
    buddy__prim_unmap(h->meta, h->meta_size);
    pthread_mutex_destroy(&h->mutex);
    free(h);
}

int buddy_heap_prefault(struct buddy_heap *h, const void *addr, size_t size)
{
    uintptr_t start, end, page, first, last;
    int r;

    if (h == NULL || addr == NULL)
        return BUDDY_ENULL;
    if (h->mem == NULL || size == 0)
        return BUDDY_EINVAL;
    start = (uintptr_t)addr;
    if (start < (uintptr_t)h->mem ||
        start - (uintptr_t)h->mem >= h->mem_size ||
        size > h->mem_size - (start - (uintptr_t)h->mem))
        return BUDDY_ERANGE;
    end = start + size;
    /* The kernel's call takes whole pages: OS pages, or a hugetlb
     * mapping's huge pages (the mapping is aligned to one and rounded up
     * to them, so the rounded range stays inside it). */
    page = h->huge == BUDDY_HUGE_TLB ? buddy__prim_huge_page_size()
                                     : buddy__prim_page_size();
    first = start & ~(page - 1);
    last = (end + page - 1) & ~(page - 1);
    r = buddy__prim_populate((void *)first, last - first);
    return r == 0 ? 0 : r == -1 ? BUDDY_ENOTSUP : BUDDY_ENOMEM;
}

struct buddy_zone *buddy_heap_zone(struct buddy_heap *h)
{
    return h == NULL ? NULL : h->zone;
}

/* ---- allocation ---------------------------------------------------------
 * Each call has one shape: the per-thread hot path where it has one (one
 * thread-local compare, then the cached fast path inlined from
 * src/private/pcp.h, in one function with no frame), else the heap's way
 * to a cache (cache_get), else the zone. */

/* The body of every call's general path: `call` through the heap's way to
 * a cache (naming it c.pcp), or `zone_call` when it has none. */
#define VIA_CACHE(type, h, call, zone_call)                                    \
    do {                                                                       \
        struct cache_ref c;                                                    \
        type result;                                                           \
                                                                               \
        if (!(h)->cache_get((h), &c))                                          \
            return zone_call;                                                  \
        result = call;                                                         \
        cache_put(&c);                                                         \
        return result;                                                         \
    } while (0)

static __attribute__((noinline)) int
heap_alloc_slow(struct buddy_heap *h, unsigned order, buddy_pfn_t *pfn)
{
    if (h == NULL)
        return BUDDY_ENULL;
    VIA_CACHE(int, h, buddy_pcp_alloc_pages(c.pcp, order, pfn),
              buddy_zone_alloc_pages(h->zone, order, pfn));
}

int buddy_heap_alloc_pages(struct buddy_heap *h, unsigned order,
                           buddy_pfn_t *pfn)
{
    if (__builtin_expect(h != NULL && tl_cache.heap_id == h->id, 1))
        return buddy__pcp_alloc_pages_inline(tl_cache.pcp, order, pfn);
    return heap_alloc_slow(h, order, pfn);
}

static __attribute__((noinline)) int
heap_free_slow(struct buddy_heap *h, buddy_pfn_t pfn, unsigned order)
{
    if (h == NULL)
        return BUDDY_ENULL;
    VIA_CACHE(int, h, buddy_pcp_free_pages(c.pcp, pfn, order),
              buddy_zone_free_pages(h->zone, pfn, order));
}

int buddy_heap_free_pages(struct buddy_heap *h, buddy_pfn_t pfn,
                          unsigned order)
{
    if (__builtin_expect(h != NULL && tl_cache.heap_id == h->id, 1))
        return buddy__pcp_free_pages_inline(tl_cache.pcp, pfn, order);
    return heap_free_slow(h, pfn, order);
}

int buddy_heap_alloc_pages_type(struct buddy_heap *h, unsigned order,
                                enum buddy_migratetype mt, buddy_pfn_t *pfn)
{
    if (h == NULL)
        return BUDDY_ENULL;
    VIA_CACHE(int, h, buddy_pcp_alloc_pages_type(c.pcp, order, mt, pfn),
              buddy_zone_alloc_pages_type(h->zone, order, mt, pfn));
}

int buddy_heap_free_pfn(struct buddy_heap *h, buddy_pfn_t pfn)
{
    if (h == NULL)
        return BUDDY_ENULL;
    VIA_CACHE(int, h, buddy_pcp_free_pfn(c.pcp, pfn),
              buddy_zone_free_pfn(h->zone, pfn));
}

int buddy_heap_alloc_bulk(struct buddy_heap *h, unsigned order, unsigned nr,
                          buddy_pfn_t *pfns)
{
    if (h == NULL)
        return BUDDY_ENULL;
    VIA_CACHE(int, h, buddy_pcp_alloc_bulk(c.pcp, order, nr, pfns),
              buddy_zone_alloc_bulk(h->zone, order, nr, pfns));
}

static __attribute__((noinline)) void *heap_alloc_bytes_slow(struct buddy_heap *h,
                                                             size_t size)
{
    if (h == NULL || h->mem == NULL)
        return NULL;
    VIA_CACHE(void *, h, buddy_pcp_alloc(c.pcp, size),
              buddy_zone_alloc(h->zone, size));
}

void *buddy_heap_alloc(struct buddy_heap *h, size_t size)
{
    if (__builtin_expect(h != NULL && tl_cache.heap_id == h->id, 1))
        return buddy__pcp_alloc_inline(tl_cache.pcp, size);
    return heap_alloc_bytes_slow(h, size);
}

int buddy_heap_alloc_pages_tenant(struct buddy_heap *h,
                                  struct buddy_tenant_stock *stock,
                                  unsigned id, unsigned order,
                                  enum buddy_migratetype mt, buddy_pfn_t *pfn)
{
    if (h == NULL || pfn == NULL)
        return BUDDY_ENULL;
    if (h->tenants == NULL)
        return BUDDY_ENOTSUP;
    return buddy_tenant_alloc_pages(h->tenants, stock, id, h->zone, order, mt,
                                    pfn);
}

int buddy_heap_alloc_tenant(struct buddy_heap *h,
                            struct buddy_tenant_stock *stock, unsigned id,
                            size_t size, void **out)
{
    buddy_pfn_t pfn;
    int order, err;

    if (h == NULL || out == NULL)
        return BUDDY_ENULL;
    *out = NULL;
    if (h->tenants == NULL)
        return BUDDY_ENOTSUP;
    if (h->mem == NULL)
        return BUDDY_ENOBASE;
    order = buddy_zone_size_to_order(h->zone, size);
    if (order < 0)
        return order;
    err = buddy_tenant_alloc_pages(h->tenants, stock, id, h->zone,
                                   (unsigned)order, BUDDY_MIGRATE_MOVABLE,
                                   &pfn);
    if (err == 0)
        *out = buddy_zone_pfn_to_addr(h->zone, pfn);
    return err;
}

static __attribute__((noinline)) int heap_free_bytes_slow(struct buddy_heap *h,
                                                          void *ptr)
{
    if (h == NULL)
        return BUDDY_ENULL;
    VIA_CACHE(int, h, buddy_pcp_free(c.pcp, ptr),
              buddy_zone_free(h->zone, ptr));
}

int buddy_heap_free(struct buddy_heap *h, void *ptr)
{
    if (__builtin_expect(h != NULL && tl_cache.heap_id == h->id, 1)) {
        /* A cached free goes to its list's head, so the next allocation
         * of its order returns it and its caller writes the first line:
         * ask for that line now, while the free runs (a hint: it never
         * faults and writes nothing). The peers pay for the line at the
         * free, writing a link into it. */
        __builtin_prefetch(ptr, 1, 3);
        return buddy__pcp_free_inline(tl_cache.pcp, ptr);
    }
    return heap_free_bytes_slow(h, ptr);
}

struct buddy_pcp *buddy_heap_thread_cache(struct buddy_heap *h)
{
    if (h == NULL || h->cache != BUDDY_CACHE_PER_THREAD)
        return NULL;
    return thread_cache_slow(h);
}

void buddy_heap_drain(struct buddy_heap *h)
{
    struct cache_ref c;

    if (h == NULL)
        return;
    /* A thread drains only a cache it already has: draining makes none.
     * The caller is the cache's owner (or holds its CPU's lock), so no
     * handshake. */
    if (h->cache == BUDDY_CACHE_PER_THREAD && tl_cache.heap_id != h->id) {
        struct thread_cache *tc;

        pthread_mutex_lock(&caches_mutex);
        tc = thread_cache_find_locked(h);
        pthread_mutex_unlock(&caches_mutex);
        if (tc == NULL)
            return;
    }
    if (!h->cache_get(h, &c))
        return;
    buddy__pcp_drain_self(buddy__pcp(c.pcp));
    cache_put(&c);
}

void buddy_heap_drain_all(struct buddy_heap *h)
{
    if (h == NULL)
        return;
    /* Every cache of the zone, whatever the mode: the core's remote drain
     * waits for each owner to leave its fast path. */
    (void)buddy_zone_drain_caches(h->zone, NULL);
}
