/* SPDX-License-Identifier: MIT */
/*
 * fastpath.c: the cost of one alloc+free pair of 64 bytes on one thread,
 * the steady state every allocator's fast path is built for: the same
 * object comes back at once, from a cache that already has a slab.
 *
 * Rows (MB_FASTPATH_ROWS in mbench.h): the slab layer's own calls on a
 * cache of 64-byte objects without a lock, kmalloc's on its classes
 * without a lock, and malloc/free as the process's malloc serves them
 * (libbuddy-malloc.so and each peer, preloaded by the driver). The slab
 * and kmalloc rows run on a fixture of their own: a zone of 16 MiB of
 * 4 KiB pages whose memory and metadata come from mmap, so they never
 * call malloc.
 *
 * Each row's loop is an external function, mb_pairs_<row>, never inlined,
 * so that callgrind's --toggle-collect can count the instructions inside
 * it and nothing else. A loop writes the object's first word and reads it
 * back through volatile accesses, and sums what it read: the compiler can
 * neither drop the pair nor reuse one object, and the sum, n(n-1)/2, says
 * every pair ran. Every run first makes MB_FAST_WARMUP pairs (the first
 * slab, a peer's first page), the same number whatever n is, so the
 * driver's difference of two counts under callgrind cancels them.
 */
#define _GNU_SOURCE
#include "mbench.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "../timer.h"
#include "buddy/buddy.h"
#include "buddy/slab.h"

#define FIX_PAGES 4096u    /* 16 MiB of 4 KiB pages */
#define FIX_MAX_ORDER 12u
#define MB_FAST_WARMUP 1000u

struct mb_fixture {
    void *mem, *meta;      /* mmap'd: the zone's memory and metadata */
    size_t mem_size, meta_size;
    struct buddy_zone *z;
    struct buddy_slab_cache cache; /* the slab row's */
    struct buddy_slab_mag mag;     /* the slab_mag row's */
    struct buddy_kmalloc km;       /* the kmalloc row's */
    struct buddy_kmalloc_mags mags; /* the kmalloc_mag row's */
    int cache_ready, km_ready;
};

/* The loops: one per row, external so callgrind can name them. */
#define MB_PAIRS_DECL(name, per_malloc, label, alloc, free_)                 \
    uint64_t mb_pairs_##name(struct mb_fixture *f, uint64_t n, int *err);
MB_FASTPATH_ROWS(MB_PAIRS_DECL)

#define MB_PAIRS_DEF(name, per_malloc, label, alloc, free_)                  \
    __attribute__((noinline)) uint64_t mb_pairs_##name(                      \
        struct mb_fixture *f, uint64_t n, int *err)                          \
    {                                                                        \
        uint64_t sum = 0;                                                    \
                                                                             \
        (void)f;                                                             \
        for (uint64_t i = 0; i < n; i++) {                                   \
            void *p = (alloc);                                               \
                                                                             \
            if (p == NULL) {                                                 \
                *err = 1;                                                    \
                break;                                                       \
            }                                                                \
            *(volatile uint64_t *)p = i;                                     \
            sum += *(volatile uint64_t *)p;                                  \
            if ((free_) != 0) {                                              \
                *err = 1;                                                    \
                break;                                                       \
            }                                                                \
        }                                                                    \
        return sum;                                                          \
    }
MB_FASTPATH_ROWS(MB_PAIRS_DEF)

#define MB_ROW(name, per_malloc, label, alloc, free_)                        \
    {#name, label, per_malloc, mb_pairs_##name, "mb_pairs_" #name},
const struct mb_fast_row mb_fast_rows[] = {MB_FASTPATH_ROWS(MB_ROW)};
const unsigned mb_nr_fast_rows = sizeof(mb_fast_rows) / sizeof(mb_fast_rows[0]);

int mb_fast_find(const char *name)
{
    for (unsigned i = 0; i < mb_nr_fast_rows; i++)
        if (strcmp(mb_fast_rows[i].name, name) == 0)
            return (int)i;
    return -1;
}

static int fx_fail(const char *what, int err)
{
    fprintf(stderr, "mbench: fast path: %s: %s\n", what, buddy_strerror(err));
    return 1;
}

static void *map(size_t size)
{
    void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

    return p == MAP_FAILED ? NULL : p;
}

static int fx_open(struct mb_fixture *f)
{
    struct buddy_zone_config zc = BUDDY_ZONE_CONFIG_INIT;
    struct buddy_slab_config sc = BUDDY_SLAB_CONFIG_INIT;
    struct buddy_kmalloc_config kc = {0};
    int err;

    memset(f, 0, sizeof(*f));
    zc.nr_pages = FIX_PAGES;
    zc.max_order = FIX_MAX_ORDER;
    zc.flags = BUDDY_ZONE_META_ZEROED;
    zc.name = "mbench";
    f->mem_size = (size_t)FIX_PAGES * BUDDY_DEFAULT_PAGE_SIZE;
    f->meta_size = buddy_zone_meta_size(&zc);
    f->mem = map(f->mem_size);
    f->meta = map(f->meta_size);
    if (f->mem == NULL || f->meta == NULL)
        return fx_fail("mmap", BUDDY_ENOMEM);
    zc.base = f->mem;
    err = buddy_zone_init(f->meta, f->meta_size, &zc, &f->z);
    if (err == 0)
        err = buddy_zone_add_range(f->z, 0, FIX_PAGES);
    if (err != 0)
        return fx_fail("zone", err);
    sc.name = "mbench-64";
    sc.size = MB_FAST_SIZE;
    sc.zone = f->z;
    sc.nr_cpus = 1;
    err = buddy_slab_cache_create(&f->cache, &sc);
    if (err != 0)
        return fx_fail("slab cache", err);
    f->cache_ready = 1;
    kc.zone = f->z;
    kc.nr_cpus = 1;
    err = buddy_kmalloc_init(&f->km, &kc);
    if (err != 0)
        return fx_fail("kmalloc", err);
    f->km_ready = 1;
    return 0;
}

/* Destroy the cache and the kmalloc (each refuses while objects are
 * left), then the zone must be whole and valid. */
static int fx_close(struct mb_fixture *f)
{
    struct buddy_check_report rep;
    uint64_t free_pages = 0;
    int err, ret = 0;

    if (f->cache_ready && (err = buddy_slab_mag_flush(&f->cache, &f->mag)) != 0)
        ret = fx_fail("magazine flush", err);
    if (f->km_ready && (err = buddy_kmalloc_mags_flush(&f->km, &f->mags)) != 0)
        ret = fx_fail("kmalloc magazines flush", err);
    if (f->cache_ready && (err = buddy_slab_cache_destroy(&f->cache)) != 0)
        ret = fx_fail("cache destroy", err);
    if (f->km_ready && (err = buddy_kmalloc_fini(&f->km)) != 0)
        ret = fx_fail("kmalloc fini", err);
    if (ret == 0 && f->z != NULL) {
        if (buddy_zone_check(f->z, &rep) != 0) {
            fprintf(stderr, "mbench: fast path: zone: %s\n", rep.what);
            ret = 1;
        } else if (buddy_zone_nr_free_pages(f->z, &free_pages) != 0 ||
                   free_pages != FIX_PAGES) {
            fprintf(stderr, "mbench: fast path: %llu of %u pages free at "
                    "the end\n", (unsigned long long)free_pages, FIX_PAGES);
            ret = 1;
        }
    }
    if (f->mem != NULL)
        munmap(f->mem, f->mem_size);
    if (f->meta != NULL)
        munmap(f->meta, f->meta_size);
    return ret;
}

int mb_fast_run(unsigned r, uint64_t n, double *ns)
{
    static struct mb_fixture f;
    const struct mb_fast_row *row = &mb_fast_rows[r];
    uint64_t t0, t1, sum, warm;
    int err = 0, ret;

    if (fx_open(&f) != 0) {
        (void)fx_close(&f);
        return 1;
    }
    warm = row->pairs(&f, MB_FAST_WARMUP, &err);
    t0 = bench_now_ns();
    sum = row->pairs(&f, n, &err);
    t1 = bench_now_ns();
    ret = fx_close(&f);
    if (err != 0) {
        fprintf(stderr, "mbench: fast path %s: an allocation or a free "
                "failed\n", row->name);
        return 1;
    }
    if (warm != (uint64_t)MB_FAST_WARMUP * (MB_FAST_WARMUP - 1) / 2 ||
        sum != n * (n - 1) / 2) {
        fprintf(stderr, "mbench: fast path %s: wrong checksum\n", row->name);
        return 1;
    }
    *ns = n != 0 ? (double)(t1 - t0) / (double)n : 0;
    return ret;
}
