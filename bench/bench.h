/* SPDX-License-Identifier: MIT */
/*
 * bench.h: what the benchmark's files share.
 *
 * The program runs in two roles. The driver (bench.c) plans the runs,
 * starts one worker process per measurement, and reports medians
 * (report.c). A worker (worker.c) is the same binary started with
 * --worker: it opens one allocator (allocators.c), runs one workload
 * (workloads.c) and prints one RESULT line of key=value pairs.
 *
 * Why processes: every peer (glibc, jemalloc, mimalloc, tcmalloc) defines
 * malloc and free, so at most one of them can be the process's malloc. A
 * worker for a peer is started with LD_PRELOAD naming the peer's Debian
 * shared library, which is exactly how users deploy these allocators: the
 * library is loaded at startup, its thread-local state uses the fast
 * initial-exec model, and every malloc in the process is the peer's. A
 * dlopen(RTLD_LOCAL) of the same library would give a second, private heap
 * beside glibc's, with whatever TLS model and initialisation path dlopen
 * allows, and a crash in one peer would take the whole run with it. A
 * fresh process per measurement also gives every run the same starting
 * state (the zone fully free, the peer's heap empty). A worker checks with
 * dladdr() that malloc really is the peer's before it measures anything,
 * so a missing library is reported as "not installed" and never silently
 * measured as glibc.
 */
#ifndef BENCH_BENCH_H
#define BENCH_BENCH_H

#include <stddef.h>
#include <stdint.h>

#include "spawn.h"

/* ---- what is measured --------------------------------------------------- */

#define BENCH_PAGE 4096u               /* bytes per page, every workload */
#define BENCH_ZONE_ORDER 18u           /* the zone: max_order 18 ... */
#define BENCH_ZONE_PAGES (1u << 20)    /* ... over 2^20 pages = 4 GiB */
#define BENCH_MIXED_MAX_ORDER 10u      /* mixed: orders 0..10 */
#define BENCH_MIXED_BAND (4u << 20)    /* mixed: live size within 4 MiB */

enum bench_workload {
    W_HOT,     /* alloc+free one 4 KiB block, COUNT pairs per thread */
    W_BATCH,   /* COUNT 4 KiB allocs, then frees in random order */
    W_MIXED,   /* fill to LIVE bytes, then COUNT random ops per thread */
    W_LATENCY, /* W_MIXED with a clock reading around every op */
    W_INIT,    /* zone init for 1 GiB, 64 GiB, 1 TiB */
    W_CROSS,   /* one thread allocates COUNT 4 KiB blocks, another frees
                  them, through a queue */
    W_COUNT
};

extern const char *const bench_workload_names[W_COUNT];
int bench_workload_parse(const char *name); /* index or -1 */

/*
 * What a workload writes into each block right after allocating it, inside
 * the measured window, the same for every allocator. libbuddy keeps its
 * metadata out of band and the malloc peers keep theirs in or next to the
 * blocks, so untouched, only the peers pay for the block's cache lines,
 * TLB entries and first-touch page faults; a user who writes what they
 * allocate pays them with any allocator. The stores are volatile, so they
 * are made whatever the compiler knows about the pointer.
 */
enum bench_touch {
    TOUCH_NONE,  /* nothing written: the allocator alone */
    TOUCH_FIRST, /* the block's first byte */
    TOUCH_PAGES, /* one byte in every BENCH_PAGE of the block */
    TOUCH_COUNT
};

extern const char *const bench_touch_names[TOUCH_COUNT];
int bench_touch_parse(const char *name); /* index or -1 */
/* The touch a workload really does: hot and batch blocks are one page, so
 * pages is first there (measured once); init allocates no blocks. */
enum bench_touch bench_touch_effective(enum bench_workload w,
                                       enum bench_touch t);

/* ---- the allocators ----------------------------------------------------- */

enum bench_kind { K_BUDDY, K_PEER, K_NULL };

/* One allocator as measured: libbuddy in one configuration, or a peer's
 * malloc or aligned_alloc. */
struct bench_variant {
    const char *name;   /* command-line and JSON id: "buddy-cpu-spin" */
    const char *label;  /* table label */
    enum bench_kind kind;
    int peer;           /* K_PEER: index into bench_peers */
    int aligned;        /* K_PEER: aligned_alloc(4096, size), not malloc */
    int cache;          /* K_BUDDY: enum buddy_cache_mode */
    int lock;           /* K_BUDDY: enum buddy_lock_kind */
    int pfn_api;        /* K_BUDDY: pfn calls instead of the byte API */
    int private_heaps;  /* one allocator per thread: K_BUDDY a heap each
                           (a diagnostic of what sharing one zone costs),
                           K_NULL a block each (touching it shares no
                           cache line between threads) */
    int wide_cache;     /* K_BUDDY: caches hold orders 0..10 with a high
                           mark of BENCH_WIDE_HIGH pages (an option, not
                           the default) */
    int handle;         /* K_BUDDY: the calling thread's cache handle
                           (buddy_heap_thread_cache) with buddy_pcp_alloc
                           and buddy_pcp_free: no thread-local lookup; one
                           thread only, the handle is that thread's */
    int shared;         /* K_BUDDY: measured in bench_shared, which links
                           libbuddy.so (every call through the PLT, as
                           the peers'); the others link libbuddy.a */
};

/* The wide cache variant: every order mixed allocates is cached, and a
 * thread keeps up to 8192 pages (32 MiB, 0.8% of the zone). */
#define BENCH_WIDE_MAX_ORDER 10u
#define BENCH_WIDE_HIGH 8192u

extern const struct bench_variant bench_variants[];
extern const unsigned bench_nr_variants;
/* The variants of the threads section, in the order it reports them. */
extern const char *const bench_thread_variants[];
extern const unsigned bench_nr_thread_variants;
extern const struct bench_peer bench_peers[];
extern const unsigned bench_nr_peers;
int bench_variant_find(const char *name); /* index or -1 */

/* The interface every workload drives, through pointers so that every
 * allocator pays the same call overhead (the null allocator measures it). */
struct bench_alloc {
    void *(*alloc)(void *ctx, size_t size); /* NULL on failure */
    int (*free)(void *ctx, void *ptr);      /* 0 or an error code */
    void *ctx;
    const struct bench_variant *v;
    void *heap;                             /* K_BUDDY: the buddy_heap */
    int pcp_max_order;                      /* K_BUDDY: largest cached
                                               order, -1 without caches */
    enum bench_touch touch;                 /* what the loops write */
};

/* Worker side. Open: make the heap, or check that the peer is the
 * process's malloc (returns 3 when it is not: "not installed"). Close:
 * for libbuddy, drain the caches, run the validator and check that every
 * page came back; 0 or 1 with a message on stderr. */
int bench_alloc_open(const struct bench_variant *v, struct bench_alloc *a);
int bench_alloc_close(struct bench_alloc *a);
/* Libbuddy's zone counters so far (all 0 for peers). lock_takes counts
 * the zone lock round trips of allocation and free: refills, drains and
 * the allocations and frees of orders no cache holds. zone_blocks counts
 * blocks that left or entered the free lists. */
struct bench_counters {
    uint64_t splits, merges;
    uint64_t lock_takes, zone_blocks;
};
void bench_alloc_counters(const struct bench_alloc *a,
                          struct bench_counters *c);
/* Which file serves buddy_heap_alloc in this process (this executable, or
 * libbuddy.so in bench_shared); 1 when it is a shared libbuddy. */
int bench_buddy_identity(char *path, size_t path_size);
/* What backs the libbuddy rows' memory (BUDDY_HUGE, BUDDY_PREFAULT as
 * buddy_heap_options_from_env reads them; the defaults without them), for
 * the report's header. */
const char *bench_huge_name(void);
int bench_prefault(void);

/* 1 in bench_shared, 0 in bench (CMake defines it). */
#ifndef BENCH_SHARED
#define BENCH_SHARED 0
#endif

/* ---- the measured loops (external, so --toggle-collect can name them) -- */

/* Mixed operations: an allocation of order k is k; a free of live[j] is
 * BENCH_OP_FREE | j (swap-remove). */
#define BENCH_OP_FREE 0x80000000u

int bench_loop_hot(const struct bench_alloc *a, size_t size, uint64_t n);
int bench_loop_mixed(const struct bench_alloc *a, const uint32_t *ops,
                     size_t n, void **live, size_t *nlive);
int bench_loop_mixed_ticks(const struct bench_alloc *a, const uint32_t *ops,
                           size_t n, void **live, size_t *nlive,
                           uint32_t *ticks);
int bench_loop_alloc(const struct bench_alloc *a, size_t size, void **ptrs,
                     size_t n);
int bench_loop_free(const struct bench_alloc *a, void *const *ptrs,
                    const uint32_t *order, size_t n);

/* Run one workload in this process (the worker role). Fills *r; returns 0,
 * 1 when an allocator call or the validator failed, 3 when the peer is
 * not loaded. */
int bench_workload_run(const struct bench_variant *v, enum bench_workload w,
                       unsigned threads, uint64_t count, uint64_t live_bytes,
                       enum bench_touch touch, struct bench_result *r);
/* The worker's main: argv after "--worker". */
int bench_worker_main(int argc, char **argv);
/* "--probe PEER": print which library serves malloc; 3 if not the peer.
 * "--probe libbuddy": which file serves libbuddy; 3 if not libbuddy.so. */
int bench_probe_main(int argc, char **argv);

/* ---- starting workers (and spawn.h) --------------------------------------- */

/* bench_exe_for_spawn's counterpart for bench_shared, the executable
 * beside this one that links libbuddy.so: opened once (bench_shared_open, 0 or -1), so that a
 * rebuild during a run cannot swap it; NULL when it is not open. */
int bench_shared_open(void);
const char *bench_shared_for_spawn(int other_program);

#endif /* BENCH_BENCH_H */
