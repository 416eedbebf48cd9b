/* SPDX-License-Identifier: MIT */
/*
 * mbench.h: what the malloc benchmark's files share.
 *
 * mbench measures malloc and free, whoever serves them: it calls the plain
 * C functions, and its driver (mbench.c) runs each measurement in a worker
 * process (workloads.c) started with one allocator's library in
 * LD_PRELOAD: libbuddy-malloc.so, jemalloc, mimalloc, tcmalloc, or none
 * for glibc, as bench does and for the same reasons (bench/bench.h). A
 * worker checks that malloc really is the allocator it was started for
 * before it measures anything.
 *
 * The fast-path section (fastpath.c) also measures the slab layer itself,
 * buddy_slab_alloc and buddy_kmalloc, linked from libbuddy.a: that is the
 * only part that knows libbuddy.
 */
#ifndef BENCH_MBENCH_H
#define BENCH_MBENCH_H

#include <stddef.h>
#include <stdint.h>

#include "../spawn.h"

/* ---- the allocators --------------------------------------------------- */

struct mb_alloc {
    const char *name;     /* "libbuddy", "glibc", .. */
    const char *stem;     /* what the file serving malloc is named */
    const char *sonames[3]; /* LD_PRELOAD candidates; none for glibc */
};

/* libbuddy first, then bench_peers' order. */
#define MB_MAX_ALLOCS 8
extern struct mb_alloc mb_allocs[MB_MAX_ALLOCS];
extern unsigned mb_nr_allocs;
void mb_allocs_init(void);
int mb_alloc_find(const char *name); /* index or -1 */
/* Is the process's malloc this allocator's? */
int mb_alloc_loaded(const struct mb_alloc *a);

/* ---- the workloads ----------------------------------------------------- */

enum mb_workload {
    MW_LARSON,   /* server: slots replaced at random, threads succeed
                    each other and free what the dead ones allocated */
    MW_XMALLOC,  /* producers allocate, consumers free, through queues */
    MW_THRASH,   /* each thread writes its small objects over and over */
    MW_SWEEP,    /* sizes 8 B .. 1 MiB, every page written */
    MW_FASTPATH, /* one thread, alloc+free of 64 bytes */
    MW_COUNT
};

extern const char *const mb_workload_names[MW_COUNT];
int mb_workload_parse(const char *name); /* index or -1 */

/* The counts, the record's or --quick's (one table, so that the report
 * prints what the workers ran). */
struct mb_params {
    uint32_t larson_slots;    /* per thread */
    uint32_t larson_epochs;   /* generations of threads */
    uint64_t larson_ops;      /* slot replacements per thread per epoch */
    uint64_t xmalloc_objs;    /* per producer */
    uint32_t thrash_iters;    /* objects per thread, one after another */
    uint32_t thrash_reps;     /* writes of each byte of an object */
    uint64_t sweep_max_pairs; /* per size and thread, at most .. */
    uint64_t sweep_bytes;     /* .. or this many bytes' worth */
    uint64_t sweep_min_pairs; /* and at least this many */
    uint64_t fast_pairs;      /* timed fast-path pairs */
};

const struct mb_params *mb_params_get(int quick);

#define MB_LARSON_MIN 8u       /* larson: sizes U[MIN, MAX] */
#define MB_LARSON_MAX 1000u
#define MB_XMALLOC_MIN 8u      /* xmalloc: sizes U[MIN, MAX] */
#define MB_XMALLOC_MAX 256u
#define MB_XMALLOC_BATCH 64u   /* objects per queue entry */
#define MB_XMALLOC_DEPTH 16u   /* batches in flight per queue */
#define MB_THRASH_SIZE 8u      /* thrash: bytes per object */
#define MB_SWEEP_MIN 8u        /* sweep: powers of two MIN .. MAX */
#define MB_SWEEP_MAX (1u << 20)
#define MB_SWEEP_SIZES 18u
#define MB_SWEEP_BATCH 16u     /* objects live at once per thread */
#define MB_FAST_SIZE 64u       /* fast path: bytes per object */
#define MB_PAGE 4096u          /* the sweep writes a byte in each */

/* The worker's main: argv after "--worker". Prints "RESULT k=v .." and
 * returns 0; 1 when an allocation failed or a checksum was wrong, 2 on
 * bad arguments, 3 when malloc is not the allocator named. */
int mb_worker_main(int argc, char **argv);
/* "--probe ALLOC": "PROBE library=PATH version=V", 0 or 3. */
int mb_probe_main(int argc, char **argv);

/* ---- the fast path (fastpath.c) ------------------------------------------ */

/*
 * One row per way of allocating and freeing: X(name, per_malloc, label,
 * alloc, free), with `f` the fixture (struct mb_fixture) in both
 * expressions and `p` the object in the free, which yields 0 or an error.
 * per_malloc 1: the row calls the process's malloc, and is measured once
 * per allocator; 0: once, with glibc as the process's malloc, which it
 * never calls. A row is one entry here (and a field in struct mb_fixture
 * when its allocator keeps state of its own, as a magazine would).
 */
#define MB_FASTPATH_ROWS(X)                                                  \
    X(slab, 0, "buddy_slab_alloc/free, a 64 B cache, no lock",               \
      buddy_slab_alloc(&f->cache), buddy_slab_free(&f->cache, p))            \
    X(slab_mag, 0, "buddy_slab_alloc_mag/free_mag, a magazine",              \
      buddy_slab_alloc_mag(&f->cache, &f->mag),                              \
      buddy_slab_free_mag(&f->cache, &f->mag, p))                            \
    X(kmalloc, 0, "buddy_kmalloc/kfree(64), no lock",                        \
      buddy_kmalloc(&f->km, MB_FAST_SIZE, 0), buddy_kfree(&f->km, p))        \
    X(kmalloc_mag, 0, "buddy_kmalloc_mag/kfree_mag(64), magazines",          \
      buddy_kmalloc_mag(&f->km, &f->mags, MB_FAST_SIZE, 0),                  \
      buddy_kfree_mag(&f->km, &f->mags, p))                                  \
    X(malloc, 1, "malloc/free(64)", malloc(MB_FAST_SIZE), (free(p), 0))

struct mb_fixture;

/* The rows, for the driver and the worker. */
struct mb_fast_row {
    const char *name, *label;
    int per_malloc;
    uint64_t (*pairs)(struct mb_fixture *f, uint64_t n, int *err);
    const char *symbol; /* the loop's name, for --toggle-collect */
};

extern const struct mb_fast_row mb_fast_rows[];
extern const unsigned mb_nr_fast_rows;
int mb_fast_find(const char *name); /* index or -1 */

/* Set up the fixture (a zone, the cache, the kmalloc), run n pairs of row
 * r, tear it down and check it. Fills ns (per pair) and returns 0, or 1
 * on a failed call or checksum. */
int mb_fast_run(unsigned r, uint64_t n, double *ns);

#endif /* BENCH_MBENCH_H */
