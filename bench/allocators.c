/* SPDX-License-Identifier: MIT */
/*
 * allocators.c: every allocator the benchmark measures, behind one
 * interface (struct bench_alloc: alloc(ctx, size), free(ctx, ptr)).
 *
 * libbuddy is a buddy_heap over a 4 GiB zone of 4 KiB pages with
 * max_order 18, metadata and memory from mmap(MAP_NORESERVE); libbuddy
 * never touches the memory, the workloads do when asked (bench.h, enum
 * bench_touch). It is measured through the byte API
 * (buddy_heap_alloc/buddy_heap_free), which returns usable memory as the
 * peers do, in each cache mode and zone lock kind; and, for the hot
 * workload, through the pfn API. A plain buddy (no cache) splits an
 * order-18 block 18 times for the first 4 KiB and merges it back 18 times.
 *
 * The same file is compiled twice: into bench, linked with libbuddy.a (a
 * direct call into the library), and into bench_shared, linked with
 * libbuddy.so (a PLT call and a GOT load, as every call into a peer). The
 * "buddy-shared" variant runs in bench_shared only, and checks there that
 * libbuddy.so really serves it.
 *
 * A peer is the process's own malloc: the worker was started with the
 * peer's library in LD_PRELOAD (see bench.h for why), so malloc, free and
 * aligned_alloc here are the peer's, called through their usual PLT entry.
 *
 * The null allocator returns a fixed block and frees nothing: it measures
 * what the harness itself costs per operation (the loop, the two indirect
 * calls and the touch's stores, always to resident memory), which
 * --callgrind subtracts. Each thread has its own block.
 */
#define _GNU_SOURCE
#include "bench.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "buddy/hosted.h"

#define BUDDY_VARIANT(n, l, c, k, p)                                            \
    {.name = n, .label = l, .kind = K_BUDDY, .cache = c, .lock = k,           \
     .pfn_api = p}
#define PEER_VARIANT(n, l, i, a)                                               \
    {.name = n, .label = l, .kind = K_PEER, .peer = i, .aligned = a}

const struct bench_variant bench_variants[] = {
    BUDDY_VARIANT("buddy", "libbuddy (static)", BUDDY_CACHE_PER_THREAD,
                  BUDDY_LOCK_ADAPTIVE, 0),
    {.name = "buddy-shared", .label = "libbuddy (shared)", .kind = K_BUDDY,
     .cache = BUDDY_CACHE_PER_THREAD, .lock = BUDDY_LOCK_ADAPTIVE,
     .shared = 1},
    BUDDY_VARIANT("buddy-pfn", "libbuddy pfn API", BUDDY_CACHE_PER_THREAD,
                  BUDDY_LOCK_ADAPTIVE, 1),
    BUDDY_VARIANT("buddy-cpu", "libbuddy per-CPU cache", BUDDY_CACHE_PER_CPU,
                  BUDDY_LOCK_ADAPTIVE, 0),
    BUDDY_VARIANT("buddy-none", "libbuddy no cache", BUDDY_CACHE_NONE,
                  BUDDY_LOCK_ADAPTIVE, 0),
    BUDDY_VARIANT("buddy-mutex", "libbuddy mutex", BUDDY_CACHE_PER_THREAD,
                  BUDDY_LOCK_MUTEX, 0),
    BUDDY_VARIANT("buddy-spin", "libbuddy spin lock", BUDDY_CACHE_PER_THREAD,
                  BUDDY_LOCK_SPIN, 0),
    BUDDY_VARIANT("buddy-cpu-spin", "libbuddy per-CPU, spin",
                  BUDDY_CACHE_PER_CPU, BUDDY_LOCK_SPIN, 0),
    BUDDY_VARIANT("buddy-none-mutex", "libbuddy no cache, mutex",
                  BUDDY_CACHE_NONE, BUDDY_LOCK_MUTEX, 0),
    BUDDY_VARIANT("buddy-none-spin", "libbuddy no cache, spin",
                  BUDDY_CACHE_NONE, BUDDY_LOCK_SPIN, 0),
    {.name = "buddy-wide", .label = "libbuddy, wide cache", .kind = K_BUDDY,
     .cache = BUDDY_CACHE_PER_THREAD, .lock = BUDDY_LOCK_ADAPTIVE,
     .wide_cache = 1},
    {.name = "buddy-handle", .label = "libbuddy, cache handle",
     .kind = K_BUDDY, .cache = BUDDY_CACHE_PER_THREAD,
     .lock = BUDDY_LOCK_ADAPTIVE, .handle = 1},
    {.name = "buddy-private", .label = "libbuddy, heap per thread",
     .kind = K_BUDDY, .cache = BUDDY_CACHE_PER_THREAD,
     .lock = BUDDY_LOCK_ADAPTIVE, .private_heaps = 1},
    PEER_VARIANT("glibc", "glibc malloc", 0, 0),
    PEER_VARIANT("glibc-aligned", "glibc aligned_alloc", 0, 1),
    PEER_VARIANT("jemalloc", "jemalloc malloc", 1, 0),
    PEER_VARIANT("jemalloc-aligned", "jemalloc aligned_alloc", 1, 1),
    PEER_VARIANT("mimalloc", "mimalloc malloc", 2, 0),
    PEER_VARIANT("mimalloc-aligned", "mimalloc aligned_alloc", 2, 1),
    PEER_VARIANT("tcmalloc", "tcmalloc malloc", 3, 0),
    PEER_VARIANT("tcmalloc-aligned", "tcmalloc aligned_alloc", 3, 1),
    {.name = "null", .label = "harness only (null)", .kind = K_NULL,
     .private_heaps = 1},
};
const unsigned bench_nr_variants =
    sizeof(bench_variants) / sizeof(bench_variants[0]);

const char *const bench_thread_variants[] = {
    "buddy", "buddy-shared", "buddy-mutex", "buddy-spin", "buddy-wide",
    "buddy-cpu", "buddy-cpu-spin",
    "buddy-none", "buddy-none-mutex", "buddy-none-spin", "buddy-private",
    "glibc", "jemalloc", "mimalloc", "tcmalloc",
    "null" /* shares nothing: how well the machine scales */};
const unsigned bench_nr_thread_variants =
    sizeof(bench_thread_variants) / sizeof(bench_thread_variants[0]);

int bench_variant_find(const char *name)
{
    for (unsigned i = 0; i < bench_nr_variants; i++)
        if (strcmp(bench_variants[i].name, name) == 0)
            return (int)i;
    return -1;
}

/* ---- libbuddy ------------------------------------------------------------ */

static void *buddy_bytes_alloc(void *heap, size_t size)
{
    return buddy_heap_alloc(heap, size);
}

static int buddy_bytes_free(void *heap, void *ptr)
{
    return buddy_heap_free(heap, ptr);
}

/* The cache handle: what a caller that keeps its thread's cache at hand
 * pays, with no thread-local lookup. */
static void *buddy_handle_alloc(void *pcp, size_t size)
{
    return buddy_pcp_alloc(pcp, size);
}

static int buddy_handle_free(void *pcp, void *ptr)
{
    return buddy_pcp_free(pcp, ptr);
}

/* The pfn API behind the same interface, order 0 only (the hot
 * workload). The pointer is the page's address, base + pfn * page size, as
 * a pfn user who writes the page computes it (the zone starts at pfn 0):
 * a shift and an add each way. One pfn heap per process. */
#define BENCH_PAGE_SHIFT 12
_Static_assert(BENCH_PAGE == 1u << BENCH_PAGE_SHIFT, "page shift");

static char *pfn_base;

static void *buddy_pfn_alloc(void *heap, size_t size)
{
    buddy_pfn_t pfn;

    (void)size;
    if (buddy_heap_alloc_pages(heap, 0, &pfn) != 0)
        return NULL;
    return pfn_base + ((size_t)pfn << BENCH_PAGE_SHIFT);
}

static int buddy_pfn_free(void *heap, void *ptr)
{
    return buddy_heap_free_pages(
        heap, (buddy_pfn_t)((size_t)((char *)ptr - pfn_base) >>
                            BENCH_PAGE_SHIFT), 0);
}

/* ---- the process's malloc (a peer) ------------------------------------- */

static void *peer_malloc(void *ctx, size_t size)
{
    (void)ctx;
    return malloc(size);
}

static void *peer_aligned_alloc(void *ctx, size_t size)
{
    (void)ctx;
    return aligned_alloc(BENCH_PAGE, size);
}

static int peer_free(void *ctx, void *ptr)
{
    (void)ctx;
    free(ptr);
    return 0;
}

/* ---- the null allocator -------------------------------------------------- */

static void *null_alloc(void *ctx, size_t size)
{
    (void)size;
    return ctx;
}

static int null_free(void *ctx, void *ptr)
{
    (void)ctx;
    (void)ptr;
    return 0;
}

/* The null allocator's block: as large as mixed's largest, so touching
 * every page of it stays inside; written once at open, so the touches
 * never fault. */
#define NULL_BLOCK_SIZE ((size_t)BENCH_PAGE << BENCH_MIXED_MAX_ORDER)

int bench_buddy_identity(char *path, size_t path_size)
{
    void *(*fn)(struct buddy_heap *, size_t) = buddy_heap_alloc;
    const char *base;
    void *addr;
    Dl_info info;

    memcpy(&addr, &fn, sizeof(addr));
    snprintf(path, path_size, "?");
    if (dladdr(addr, &info) != 0 && info.dli_fname != NULL)
        snprintf(path, path_size, "%s", info.dli_fname);
    base = strrchr(path, '/');
    base = base != NULL ? base + 1 : path;
    return strncmp(base, "libbuddy.so", 11) == 0;
}

/* Is the process's malloc the peer's? */
static int peer_loaded(const struct bench_peer *p)
{
    char path[512], version[64];
    const char *base;

    bench_malloc_identity(path, sizeof(path), version, sizeof(version));
    base = strrchr(path, '/');
    base = base != NULL ? base + 1 : path;
    return strstr(base, p->stem) != NULL;
}

/* ---- open / close -------------------------------------------------------- */

int bench_alloc_open(const struct bench_variant *v, struct bench_alloc *a)
{
    memset(a, 0, sizeof(*a));
    a->v = v;
    if (v->kind == K_NULL) {
        void *block = mmap(NULL, NULL_BLOCK_SIZE, PROT_READ | PROT_WRITE,
                           MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

        if (block == MAP_FAILED) {
            fprintf(stderr, "bench: null: mmap failed\n");
            return 1;
        }
        memset(block, 1, NULL_BLOCK_SIZE);
        a->alloc = null_alloc;
        a->free = null_free;
        a->ctx = block;
        return 0;
    }
    if (v->kind == K_PEER) {
        if (!peer_loaded(&bench_peers[v->peer])) {
            fprintf(stderr, "bench: %s is not the process's malloc "
                    "(not installed?)\n", bench_peers[v->peer].name);
            return 3;
        }
        a->alloc = v->aligned ? peer_aligned_alloc : peer_malloc;
        a->free = peer_free;
        return 0;
    }
    if (v->shared) {
        char path[512];

        if (!bench_buddy_identity(path, sizeof(path))) {
            fprintf(stderr, "bench: %s: buddy_heap_alloc comes from %s, "
                    "not libbuddy.so\n", v->name, path);
            return 3;
        }
    }
    {
        struct buddy_heap_options o = BUDDY_HEAP_OPTIONS_INIT;
        struct buddy_heap *h;
        int err;

        o.nr_pages = BENCH_ZONE_PAGES;
        o.page_size = BENCH_PAGE;
        o.max_order = BENCH_ZONE_ORDER;
        o.with_memory = 1;
        o.cache = (enum buddy_cache_mode)v->cache;
        o.lock = (enum buddy_lock_kind)v->lock;
        o.name = "bench";
        if (v->wide_cache) {
            o.pcp.max_order = BENCH_WIDE_MAX_ORDER;
            o.pcp.high = BENCH_WIDE_HIGH;
        }
        {
            /* BUDDY_PCP_{MAX_ORDER,BATCH,HIGH} tune every variant's caches
             * and BUDDY_HUGE / BUDDY_PREFAULT its memory (to try a
             * setting); the cache mode and lock stay the variant's. */
            struct buddy_heap_options env = o;
            const char *bad = NULL;

            if (buddy_heap_options_from_env(&env, &bad) != 0) {
                fprintf(stderr, "bench: bad %s\n", bad ? bad : "option");
                return 1;
            }
            o.pcp = env.pcp;
            o.huge = env.huge;
            o.prefault = env.prefault;
        }
        a->pcp_max_order = o.cache == BUDDY_CACHE_NONE ? -1
                                                       : (int)o.pcp.max_order;
        err = buddy_heap_create(&o, &h);
        if (err != 0) {
            fprintf(stderr, "bench: buddy_heap_create: %s\n",
                    buddy_strerror(err));
            return 1;
        }
        a->heap = h;
        a->ctx = h;
        if (v->pfn_api)
            pfn_base = buddy_zone_pfn_to_addr(buddy_heap_zone(h), 0);
        a->alloc = v->pfn_api ? buddy_pfn_alloc : buddy_bytes_alloc;
        a->free = v->pfn_api ? buddy_pfn_free : buddy_bytes_free;
        if (v->handle) {
            /* The opening thread runs a 1-thread job (workloads.c). */
            a->ctx = buddy_heap_thread_cache(h);
            if (a->ctx == NULL) {
                fprintf(stderr, "bench: buddy_heap_thread_cache failed\n");
                return 1;
            }
            a->alloc = buddy_handle_alloc;
            a->free = buddy_handle_free;
        }
    }
    return 0;
}

void bench_alloc_counters(const struct bench_alloc *a,
                          struct bench_counters *c)
{
    struct buddy_zone_stats st;

    memset(c, 0, sizeof(*c));
    if (a->heap == NULL)
        return;
    if (buddy_zone_get_stats(buddy_heap_zone(a->heap), &st) != 0)
        return;
    c->splits = st.splits;
    c->merges = st.merges;
    c->lock_takes = st.cache_refills + st.cache_drains;
    for (unsigned k = 0; k < BUDDY_NR_ORDERS; k++) {
        c->zone_blocks += st.alloc_count[k] + st.free_count[k];
        if ((int)k > a->pcp_max_order)
            c->lock_takes += st.alloc_count[k] + st.free_count[k];
    }
}

int bench_alloc_close(struct bench_alloc *a)
{
    struct buddy_check_report rep;
    struct buddy_zone *z;
    uint64_t free_pages;
    int bad = 0;

    if (a->v->kind == K_NULL) {
        munmap(a->ctx, NULL_BLOCK_SIZE);
        return 0;
    }
    if (a->heap == NULL)
        return 0;
    /* Every other thread has exited, so every cache is quiet. */
    buddy_heap_drain_all(a->heap);
    z = buddy_heap_zone(a->heap);
    if (buddy_zone_check(z, &rep) != 0) {
        fprintf(stderr, "bench: %s: validator: %s (pfn %llu order %u)\n",
                a->v->name, rep.what, (unsigned long long)rep.pfn, rep.order);
        bad = 1;
    }
    if (buddy_zone_nr_free_pages(z, &free_pages) != 0 ||
        free_pages != BENCH_ZONE_PAGES) {
        fprintf(stderr, "bench: %s: %llu of %u pages free after the "
                "workload freed everything\n", a->v->name,
                (unsigned long long)free_pages, BENCH_ZONE_PAGES);
        bad = 1;
    }
    buddy_heap_destroy(a->heap);
    a->heap = NULL;
    return bad;
}

/* The heap options the environment gives the libbuddy rows' memory. */
static struct buddy_heap_options bench_env_options(void)
{
    struct buddy_heap_options o = BUDDY_HEAP_OPTIONS_INIT;

    if (buddy_heap_options_from_env(&o, NULL) != 0) {
        struct buddy_heap_options d = BUDDY_HEAP_OPTIONS_INIT;

        return d; /* bench_alloc_open reports the bad variable */
    }
    return o;
}

const char *bench_huge_name(void)
{
    switch (bench_env_options().huge) {
    case BUDDY_HUGE_THP:
        return "transparent huge pages (MADV_HUGEPAGE)";
    case BUDDY_HUGE_TLB:
        return "hugetlbfs pages";
    default:
        return "base pages";
    }
}

int bench_prefault(void)
{
    return bench_env_options().prefault;
}
