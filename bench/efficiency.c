/* SPDX-License-Identifier: MIT */
/*
 * efficiency.c: heap efficiency, as the talc allocator's benchmark defines
 * it (talc's benches/src/heap_efficiency.rs and the size and alignment
 * generators of benches/src/lib.rs): how full can an arena get before the
 * first allocation fails?
 *
 *   bench_efficiency [--seeds N] [--seed FIRST] [--arena-mib N]
 *                    [--mix LIST] [--quick]
 *
 * One run, from an empty arena of 16 MiB: steps chosen at random until the
 * first request fails; its score is the bytes requested by the live
 * allocations at that moment over the arena's bytes. Each step is
 *
 *   allocate  size: a bound drawn uniformly in [16, 10000), then the size
 *             uniformly in [4, bound): small sizes favoured, as talc's
 *             generate_size(10000); alignment 8 << (ctz(u) / 2) for a
 *             uniform 16-bit u (ctz(0) = 16): 8 three times in four, 16
 *             in 19%, up to 2048, as talc's generate_align;
 *   free      a live allocation picked uniformly (swap-remove);
 *   resize    (the talc mix only) a live allocation picked uniformly, to
 *             a size drawn uniformly in [1, 100000), as talc's realloc.
 *
 * Two mixes: alloc-free, five allocations per free (talc's weights without
 * its resizes: the headline), and talc, talc's own 5:1:4 of allocations,
 * frees and resizes, where a failed resize ends the run as a failed
 * allocation does. Talc's arena is 128 MiB; this one is 16 MiB by default
 * (--arena-mib). Talc reports the mean over 300 runs;
 * this prints the median, the minimum and the mean over the seeds (one run
 * per seed), and what the arena held at each failure, averaged: the bytes
 * requested, what rounding each request up to its block or size class
 * added, free objects in slabs, the slabs' unused tails, slab descriptors
 * when they live in the arena, and free pages.
 *
 * The allocators, each over the arena alone (no mmap, no peers):
 *
 *   buddy      a pure power-of-two byte buddy: a libbuddy zone of 16-byte
 *              pages over the arena, so a request is one block of the
 *              smallest power of two >= max(size, align, 16) bytes
 *              (buddy_zone_alloc_aligned; blocks are naturally aligned).
 *              Its metadata (9 bytes a page) is out of band and not counted.
 *   kmalloc    buddy_kmalloc on a zone of 4 KiB pages over the arena, its
 *              slab descriptors in a separate zone that is not counted.
 *              A request asks for its size rounded up to its alignment, as
 *              the Linux kernel's Rust allocator pads a layout for kmalloc:
 *              every class then gives that alignment (the power-of-two
 *              classes are naturally aligned, 96 is 32-aligned, 192
 *              64-aligned, a large block is aligned to its size).
 *   kmalloc-shared-meta  the same with the descriptors in the arena's own
 *              zone (meta_zone NULL), so they are counted.
 *
 * A resize keeps the allocation while the new size fits its usable size
 * (the block, or the class's slot), as buddy_krealloc does; else it
 * allocates anew, copies and frees. Nothing is timed: every figure is a
 * count that the seed decides, the same on any machine. Every allocation's
 * first bytes carry its serial number, checked at its free and after each
 * move, and every pointer is checked to lie in the arena and be aligned:
 * an overlap or a wrong copy fails the run. After each run everything is
 * freed, the caches destroyed, and the zones must be whole again and pass
 * buddy_zone_check (the caches pass buddy_slab_check at the failure).
 * Exit status 1 on any of those, 2 on a bad argument; a score below a
 * target is reported, never failed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_commit.h"
#include "buddy/buddy.h"
#include "buddy/slab.h"
#include "util.h"

#define ARENA_MIB_DEFAULT 16u
#define TARGET_KMALLOC 0.75  /* the slab classes' (docs/performance.md) */
#define SIZE_BOUND_MIN 16u   /* talc's generate_size: bound in [16, max) */
#define SIZE_MAX_ALLOC 10000u
#define SIZE_MIN_ALLOC 4u
#define RESIZE_MAX 100000u   /* talc's realloc: [1, 10 * max) */
#define BYTE_PAGE 16u        /* the byte buddy's page: libbuddy's smallest */
#define KM_PAGE 4096u
#define META_ZONE_PAGES 2048u /* the separate descriptors' zone: 8 MiB */

/* Uniform in [lo, hi), hi > lo (the modulo's bias is below 2^-40). */
static size_t rng_range(uint64_t *r, size_t lo, size_t hi)
{
    return lo + (size_t)(splitmix64(r) % (hi - lo));
}

static size_t gen_size(uint64_t *r)
{
    size_t bound = rng_range(r, SIZE_BOUND_MIN, SIZE_MAX_ALLOC);

    return rng_range(r, SIZE_MIN_ALLOC, bound);
}

static size_t gen_align(uint64_t *r)
{
    unsigned u = (unsigned)(splitmix64(r) & 0xffffu);
    unsigned tz = u == 0 ? 16u : (unsigned)__builtin_ctz(u);

    return (size_t)8 << (tz / 2);
}

/* ---- the arena and the allocators over it ------------------------------- */

/* What the arena holds at a failure, in bytes; the parts sum to it. */
enum part {
    P_REQUESTED, /* asked for by the live allocations: the score */
    P_ROUNDING,  /* their blocks' or slots' bytes beyond that */
    P_SLAB_FREE, /* free objects in slabs */
    P_SLAB_TAIL, /* slab bytes no object fits in */
    P_META,      /* slab descriptors in the arena (kmalloc-shared-meta) */
    P_FREE,      /* free pages of the arena's zone */
    P_COUNT
};

static const char *const part_names[P_COUNT] = {
    "requested", "rounding", "slab free", "slab tail", "descriptors",
    "free pages"};

struct live {
    void *p;
    size_t size, align;
    uint64_t serial;
};

struct eff {
    unsigned char *arena;
    size_t arena_bytes;
    void *meta, *meta2, *meta_arena; /* zone metadata; the second zone's */
    size_t meta_bytes;               /* the arena zone's metadata */
    struct buddy_zone *z, *mz;       /* the arena's zone; descriptors' */
    uint64_t z_pages, mz_pages;
    size_t page;                     /* z's page size */
    struct buddy_kmalloc km;
    bool km_ready;
};

struct variant {
    const char *name;
    const char *label;
    int kmalloc;      /* 0: the byte buddy; 1: kmalloc; 2: its descriptors
                         in the arena */
    bool fine;        /* kmalloc's fine classes too (the malloc's) */
};

static const struct variant variants[] = {
    {"buddy", "power-of-two byte buddy (16 B pages)", 0, false},
    {"kmalloc", "kmalloc, descriptors in their own zone (not counted)", 1,
     false},
    {"kmalloc-shared-meta", "kmalloc, descriptors in the arena (counted)", 2,
     false},
    {"kmalloc-fine", "kmalloc with the fine classes (the malloc's), "
     "descriptors in their own zone (not counted)", 1, true},
    {"kmalloc-fine-shared-meta", "kmalloc with the fine classes, "
     "descriptors in the arena (counted)", 2, true},
};
#define NR_VARIANTS (sizeof(variants) / sizeof(variants[0]))

static int fail(const char *what, int err)
{
    fprintf(stderr, "bench_efficiency: %s: %s\n", what,
            err != 0 ? buddy_strerror(err) : "failed");
    return 1;
}

static int zone_make(void **meta, size_t page, uint64_t pages,
                     unsigned max_order, void *base, const char *name,
                     struct buddy_zone **out, size_t *meta_bytes)
{
    struct buddy_zone_config cfg = BUDDY_ZONE_CONFIG_INIT;
    size_t size;
    int err;

    cfg.nr_pages = pages;
    cfg.page_size = page;
    cfg.max_order = max_order;
    cfg.base = base;
    cfg.name = name;
    size = buddy_zone_meta_size(&cfg);
    *meta = calloc(1, size);
    if (*meta == NULL)
        return fail("zone metadata", BUDDY_ENOMEM);
    if (meta_bytes != NULL)
        *meta_bytes = size;
    err = buddy_zone_init(*meta, size, &cfg, out);
    if (err == 0)
        err = buddy_zone_add_range(*out, 0, pages);
    return err != 0 ? fail("zone", err) : 0;
}

static unsigned log2_floor(uint64_t v)
{
    return 63u - (unsigned)__builtin_clzll(v);
}

static int eff_open(struct eff *e, const struct variant *v)
{
    struct buddy_kmalloc_config kc = {0};
    int err;

    e->page = v->kmalloc ? KM_PAGE : BYTE_PAGE;
    e->z_pages = e->arena_bytes / e->page;
    if (zone_make(&e->meta, e->page, e->z_pages, log2_floor(e->z_pages),
                  e->arena, "arena", &e->z, &e->meta_bytes) != 0)
        return 1;
    if (!v->kmalloc)
        return 0;
    if (v->kmalloc == 1) {
        e->mz_pages = META_ZONE_PAGES;
        e->meta_arena = aligned_alloc(KM_PAGE, META_ZONE_PAGES * KM_PAGE);
        if (e->meta_arena == NULL)
            return fail("descriptors' memory", BUDDY_ENOMEM);
        if (zone_make(&e->meta2, KM_PAGE, e->mz_pages,
                      log2_floor(e->mz_pages), e->meta_arena, "meta", &e->mz,
                      NULL) != 0)
            return 1;
    }
    kc.zone = e->z;
    kc.meta_zone = e->mz;
    kc.nr_cpus = 1;
    kc.fine = v->fine;
    err = buddy_kmalloc_init(&e->km, &kc);
    if (err != 0)
        return fail("kmalloc init", err);
    e->km_ready = true;
    return 0;
}

static size_t round_up(size_t size, size_t align)
{
    return (size + align - 1) & ~(align - 1);
}

static void *eff_alloc(struct eff *e, size_t size, size_t align)
{
    if (!e->km_ready)
        return buddy_zone_alloc_aligned(e->z, size, align);
    return buddy_kmalloc(&e->km, round_up(size, align), 0);
}

static size_t eff_usable(struct eff *e, const void *p)
{
    return e->km_ready ? buddy_ksize(&e->km, p)
                       : buddy_zone_usable_size(e->z, p);
}

static int eff_free(struct eff *e, void *p)
{
    return e->km_ready ? buddy_kfree(&e->km, p) : buddy_zone_free(e->z, p);
}

/* NULL with p untouched when there is no room. */
static void *eff_resize(struct eff *e, void *p, size_t old, size_t size,
                        size_t align)
{
    void *q;
    int err;

    if (e->km_ready)
        return buddy_krealloc(&e->km, p, round_up(size, align), 0);
    if (size <= eff_usable(e, p))
        return p;
    q = buddy_zone_alloc_aligned(e->z, size, align);
    if (q == NULL)
        return NULL;
    memcpy(q, p, old < size ? old : size);
    err = buddy_zone_free(e->z, p);
    if (err != 0) {
        fail("free after a move", err);
        exit(1);
    }
    return q;
}

/* The slab caches' share of the arena at a failure, and their check. */
static int eff_account(struct eff *e, uint64_t parts[P_COUNT])
{
    uint64_t free_pages = 0;
    int err;

    err = buddy_zone_nr_free_pages(e->z, &free_pages);
    if (err != 0)
        return fail("free pages", err);
    parts[P_FREE] = free_pages * e->page;
    for (unsigned set = 0; e->km_ready && set < 2; set++)
        for (unsigned i = 0; i < BUDDY_KMALLOC_CLASSES; i++) {
            struct buddy_slab_cache *c = buddy_kmalloc_cache(&e->km, set, i);
            struct buddy_slab_info info;
            struct buddy_check_report rep;
            uint64_t bytes;

            if (c == NULL)
                continue;
            if (buddy_slab_get_info(c, &info) != 0)
                return fail("slab info", 0);
            if (buddy_slab_check(c, &rep) != 0) {
                fprintf(stderr, "bench_efficiency: %s: %s\n", info.name,
                        rep.what);
                return 1;
            }
            bytes = info.num_slabs * ((uint64_t)KM_PAGE << info.order);
            parts[P_SLAB_FREE] += (info.num_objs - info.active_objs) *
                                  info.size;
            parts[P_SLAB_TAIL] += bytes - info.num_objs * info.size;
        }
    return 0;
}

static int zone_whole(struct buddy_zone *z, uint64_t pages, const char *name)
{
    struct buddy_check_report rep;
    uint64_t free_pages = 0;
    int err = buddy_zone_nr_free_pages(z, &free_pages);

    if (err != 0)
        return fail("free pages", err);
    if (buddy_zone_check(z, &rep) != 0) {
        fprintf(stderr, "bench_efficiency: %s zone: %s\n", name, rep.what);
        return 1;
    }
    if (free_pages != pages) {
        fprintf(stderr, "bench_efficiency: %s zone: %llu of %llu pages free "
                "after everything was freed\n", name,
                (unsigned long long)free_pages, (unsigned long long)pages);
        return 1;
    }
    return 0;
}

static int eff_close(struct eff *e)
{
    int ret = 0, err;

    if (e->km_ready) {
        err = buddy_kmalloc_fini(&e->km);
        if (err != 0)
            ret = fail("kmalloc fini (objects left?)", err);
        e->km_ready = false;
    }
    if (ret == 0 && e->z != NULL)
        ret = zone_whole(e->z, e->z_pages, "arena");
    if (ret == 0 && e->mz != NULL)
        ret = zone_whole(e->mz, e->mz_pages, "descriptors'");
    free(e->meta);
    free(e->meta2);
    free(e->meta_arena);
    e->meta = e->meta2 = e->meta_arena = NULL;
    e->z = e->mz = NULL;
    return ret;
}

/* ---- one run ------------------------------------------------------------ */

enum mix { MIX_ALLOC_FREE, MIX_TALC, MIX_COUNT };

static const char *const mix_names[MIX_COUNT] = {"alloc-free", "talc"};
static const char *const mix_labels[MIX_COUNT] = {
    "5 allocations per free",
    "talc's mix: 5 allocations, 1 free, 4 resizes in 10 steps"};

/* Live bytes by the block or slot that holds them: 2^k + j 2^(k-2)
 * (j = 0..3: a power of two, and the classes between it and the next,
 * 96 and 192 among them) at index 4k + j. */
#define NR_BUCKETS 256u

static unsigned bucket_of(size_t usable)
{
    unsigned k = log2_floor(usable);

    return 4 * k + (k >= 2 ? (unsigned)(usable >> (k - 2)) & 3u : 0u);
}

struct score {
    double eff;                  /* requested / arena */
    uint64_t asked[NR_BUCKETS];  /* requested bytes by bucket */
    uint64_t held[NR_BUCKETS];   /* and the usable bytes holding them */
    uint64_t parts[P_COUNT];
    uint64_t live, steps;
    size_t failed_size;          /* the request that failed */
    uint64_t meta_zone_used;     /* kmalloc: bytes of the descriptors'
                                    own zone in use (not counted) */
};

static void tag_write(void *p, size_t size, uint64_t serial)
{
    memcpy(p, &serial, size < sizeof(serial) ? size : sizeof(serial));
}

static int tag_check(const struct live *l, const char *when)
{
    uint64_t got = 0, want = l->serial;
    size_t n = l->size < sizeof(got) ? l->size : sizeof(got);

    memcpy(&got, l->p, n);
    if (n < sizeof(want))
        want &= ((uint64_t)1 << (8 * n)) - 1;
    if (n < sizeof(got))
        got &= ((uint64_t)1 << (8 * n)) - 1;
    if (got != want) {
        fprintf(stderr, "bench_efficiency: allocation %llu at %p (%zu "
                "bytes) overwritten, seen %s\n",
                (unsigned long long)l->serial, l->p, l->size, when);
        return 1;
    }
    return 0;
}

static int placed(const struct eff *e, const void *p, size_t size,
                  size_t align)
{
    const unsigned char *c = p;

    if (c < e->arena || c + size > e->arena + e->arena_bytes ||
        (uintptr_t)p % align != 0) {
        fprintf(stderr, "bench_efficiency: %p (%zu bytes, align %zu) is "
                "not an aligned block of the arena\n", p, size, align);
        return 0;
    }
    return 1;
}

static int run(struct eff *e, const struct variant *v, enum mix mix,
               uint64_t seed, struct score *s)
{
    uint64_t r = seed;
    size_t cap = 1024, n = 0;
    struct live *live = malloc(cap * sizeof(*live));
    uint64_t serial = 0, requested = 0;
    int ret = 1;

    memset(s, 0, sizeof(*s));
    if (live == NULL || eff_open(e, v) != 0)
        goto out;
    for (;;) {
        unsigned action = (unsigned)rng_range(&r, 0, mix == MIX_TALC ? 10 : 6);

        s->steps++;
        if (action <= 4) {
            size_t size = gen_size(&r), align = gen_align(&r);
            void *p = eff_alloc(e, size, align);

            if (p == NULL) {
                s->failed_size = size;
                break;
            }
            if (!placed(e, p, size, align))
                goto out;
            if (n == cap) {
                struct live *grown = realloc(live, 2 * cap * sizeof(*live));

                if (grown == NULL)
                    goto out;
                live = grown;
                cap *= 2;
            }
            live[n] = (struct live){p, size, align, ++serial};
            tag_write(p, size, serial);
            requested += size;
            n++;
        } else if (n == 0) {
            continue;
        } else if (action == 5) {
            size_t i = rng_range(&r, 0, n);
            int err;

            if (tag_check(&live[i], "at its free") != 0)
                goto out;
            err = eff_free(e, live[i].p);
            if (err != 0) {
                fail("free", err);
                goto out;
            }
            requested -= live[i].size;
            live[i] = live[--n];
        } else {
            size_t i = rng_range(&r, 0, n), size = rng_range(&r, 1, RESIZE_MAX);
            struct live *l = &live[i];
            void *q;

            if (tag_check(l, "before a resize") != 0)
                goto out;
            q = eff_resize(e, l->p, l->size, size, l->align);
            if (q == NULL) {
                s->failed_size = size;
                break;
            }
            if (!placed(e, q, size, l->align))
                goto out;
            l->p = q;
            requested = requested - l->size + size;
            if (size < l->size)
                l->size = size; /* what the move had to keep */
            if (tag_check(l, "after a resize") != 0)
                goto out;
            l->size = size;
            tag_write(q, size, l->serial);
        }
    }
    /* The failure: what the arena holds. */
    s->live = n;
    s->parts[P_REQUESTED] = requested;
    for (size_t i = 0; i < n; i++) {
        size_t usable = eff_usable(e, live[i].p);

        if (usable < live[i].size) {
            fprintf(stderr, "bench_efficiency: %p: usable %zu < %zu asked\n",
                    live[i].p, usable, live[i].size);
            goto out;
        }
        s->parts[P_ROUNDING] += usable - live[i].size;
        s->asked[bucket_of(usable)] += live[i].size;
        s->held[bucket_of(usable)] += usable;
    }
    if (eff_account(e, s->parts) != 0)
        goto out;
    if (e->mz != NULL) {
        uint64_t mz_free = 0;

        if (buddy_zone_nr_free_pages(e->mz, &mz_free) != 0 ||
            mz_free < META_ZONE_PAGES / 4) {
            fprintf(stderr, "bench_efficiency: the descriptors' zone is "
                    "nearly full (%llu pages free): make it larger\n",
                    (unsigned long long)mz_free);
            goto out;
        }
        s->meta_zone_used = (e->mz_pages - mz_free) * KM_PAGE;
    }
    {
        uint64_t sum = 0;

        for (unsigned p = 0; p < P_COUNT; p++)
            sum += p == P_META ? 0 : s->parts[p];
        if (sum > e->arena_bytes ||
            (v->kmalloc != 2 && sum != e->arena_bytes)) {
            fprintf(stderr, "bench_efficiency: %s: the parts sum to %llu of "
                    "%zu bytes\n", v->name, (unsigned long long)sum,
                    e->arena_bytes);
            goto out;
        }
        s->parts[P_META] = e->arena_bytes - sum;
    }
    s->eff = (double)requested / (double)e->arena_bytes;
    /* Everything back, in a seeded random order. */
    while (n != 0) {
        size_t i = rng_range(&r, 0, n);
        int err;

        if (tag_check(&live[i], "at the final free") != 0)
            goto out;
        err = eff_free(e, live[i].p);
        if (err != 0) {
            fail("final free", err);
            goto out;
        }
        live[i] = live[--n];
    }
    ret = 0;
out:
    if (eff_close(e) != 0)
        ret = 1;
    free(live);
    return ret;
}

/* ---- the report --------------------------------------------------------- */

static double median(double *v, unsigned n)
{
    qsort(v, n, sizeof(*v), cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Means over the seeds of one allocator and mix. */
struct summary {
    double share[P_COUNT];       /* of the arena */
    double asked[NR_BUCKETS], held[NR_BUCKETS]; /* bytes */
    double live, steps, meta_used;
};

/* Run every seed; effs gets the scores, sorted. 0 or 1. */
static int run_seeds(struct eff *e, const struct variant *v, enum mix m,
                     uint64_t first, uint64_t seeds, double *effs,
                     struct summary *sum)
{
    double n = (double)seeds;

    memset(sum, 0, sizeof(*sum));
    for (uint64_t k = 0; k < seeds; k++) {
        struct score s;

        if (run(e, v, m, first + k, &s) != 0) {
            fprintf(stderr, "bench_efficiency: %s, mix %s, seed %llu "
                    "failed\n", v->name, mix_names[m],
                    (unsigned long long)(first + k));
            return 1;
        }
        effs[k] = s.eff;
        for (unsigned p = 0; p < P_COUNT; p++)
            sum->share[p] += (double)s.parts[p] / (double)e->arena_bytes / n;
        for (unsigned b = 0; b < NR_BUCKETS; b++) {
            sum->asked[b] += (double)s.asked[b] / n;
            sum->held[b] += (double)s.held[b] / n;
        }
        sum->live += (double)s.live / n;
        sum->steps += (double)s.steps / n;
        sum->meta_used += (double)s.meta_zone_used / n;
    }
    qsort(effs, seeds, sizeof(*effs), cmp_double);
    return 0;
}

/* Where kmalloc's rounding goes: the bytes each size class (then each
 * large block size) holds at the failure, and how much of that was asked
 * for. */
static void print_classes(const struct eff *e, const struct summary *sum)
{
    printf("  kmalloc-fine at the failure, by the slot or block that holds the "
           "bytes (means; shares of the arena):\n");
    printf("    %-10s %8s %8s %10s\n", "slot", "held", "asked",
           "asked/held");
    for (unsigned b = 12; b < NR_BUCKETS; b++) { /* 8 B up, in order */
        size_t size = ((size_t)1 << (b / 4)) +
                      (size_t)(b % 4) * ((size_t)1 << (b / 4 - 2));

        if (sum->held[b] == 0)
            continue;
        printf("    %-10zu %7.1f%% %7.1f%% %9.1f%%\n", size,
               100 * sum->held[b] / (double)e->arena_bytes,
               100 * sum->asked[b] / (double)e->arena_bytes,
               100 * sum->asked[b] / sum->held[b]);
    }
}

/* One mix: a line per allocator, then kmalloc's classes. */
static int report_mix(struct eff *e, enum mix m, uint64_t first,
                      uint64_t seeds, double *effs, double *km_median)
{
    struct summary sum, km_sum;

    printf("\nmix %s: %s\n", mix_names[m], mix_labels[m]);
    printf("  %-21s %7s %7s %7s %7s  at the failure, mean share of the "
           "arena:\n", "allocator", "median", "min", "mean", "max");
    printf("  %-21s %7s %7s %7s %7s ", "", "", "", "", "");
    for (unsigned p = 1; p < P_COUNT; p++)
        printf(" %11s", part_names[p]);
    printf(" %7s %7s\n", "live", "steps");
    for (unsigned vi = 0; vi < NR_VARIANTS; vi++) {
        const struct variant *v = &variants[vi];
        double mean = 0, med;

        if (run_seeds(e, v, m, first, seeds, effs, &sum) != 0)
            return 1;
        for (uint64_t k = 0; k < seeds; k++)
            mean += effs[k] / (double)seeds;
        med = median(effs, (unsigned)seeds);
        printf("  %-21s %6.1f%% %6.1f%% %6.1f%% %6.1f%% ", v->name,
               100 * med, 100 * effs[0], 100 * mean, 100 * effs[seeds - 1]);
        for (unsigned p = 1; p < P_COUNT; p++)
            printf(" %10.1f%%", 100 * sum.share[p]);
        printf(" %7.0f %7.0f", sum.live, sum.steps);
        if (v->kmalloc == 1) {
            printf("  (+%.0f KiB of descriptors in their own zone)",
                   sum.meta_used / 1024);
            if (v->fine) { /* the malloc's classes: the target's row */
                km_sum = sum;
                if (m == MIX_ALLOC_FREE)
                    *km_median = med;
            }
        }
        putchar('\n');
    }
    print_classes(e, &km_sum);
    return 0;
}

static void usage(FILE *f)
{
    fprintf(f,
        "usage: bench_efficiency [--seeds N] [--seed FIRST] [--arena-mib N]\n"
        "                        [--mix alloc-free,talc] [--quick]\n"
        "  --seeds N      runs per allocator and mix, seeds FIRST.. (default "
        "300,\n"
        "                 talc's count; 3 with --quick)\n"
        "  --seed FIRST   the first seed (default 1)\n"
        "  --arena-mib N  the arena, a power of two of MiB (default %u)\n"
        "  --mix LIST     alloc-free (5 allocations per free), talc (5 "
        "allocations,\n"
        "                 1 free, 4 resizes in 10); default both\n"
        "  --quick        3 seeds: a smoke run that proves every path works\n",
        ARENA_MIB_DEFAULT);
}

int main(int argc, char **argv)
{
    uint64_t seeds = 300, first = 1, mib = ARENA_MIB_DEFAULT;
    unsigned mixes = (1u << MIX_COUNT) - 1;
    static struct eff e;
    double *effs, km_median = 0;
    int quick = 0;

    for (int a = 1; a < argc; a++) {
        if (strcmp(argv[a], "--seeds") == 0 && a + 1 < argc &&
            parse_u64(argv[a + 1], &seeds) == 0 && seeds > 0 &&
            seeds <= 100000) {
            a++;
        } else if (strcmp(argv[a], "--seed") == 0 && a + 1 < argc &&
                   parse_u64(argv[a + 1], &first) == 0) {
            a++;
        } else if (strcmp(argv[a], "--arena-mib") == 0 && a + 1 < argc &&
                   parse_u64(argv[a + 1], &mib) == 0 && mib > 0 &&
                   mib <= 1024 && (mib & (mib - 1)) == 0) {
            a++;
        } else if (strcmp(argv[a], "--mix") == 0 && a + 1 < argc) {
            char buf[64], *tok, *save = NULL;

            snprintf(buf, sizeof(buf), "%s", argv[++a]);
            mixes = 0;
            for (tok = strtok_r(buf, ",", &save); tok != NULL;
                 tok = strtok_r(NULL, ",", &save)) {
                unsigned m;

                for (m = 0; m < MIX_COUNT; m++)
                    if (strcmp(tok, mix_names[m]) == 0)
                        break;
                if (m == MIX_COUNT) {
                    usage(stderr);
                    return 2;
                }
                mixes |= 1u << m;
            }
        } else if (strcmp(argv[a], "--quick") == 0) {
            quick = 1;
        } else if (strcmp(argv[a], "--help") == 0) {
            usage(stdout);
            return 0;
        } else {
            usage(stderr);
            return 2;
        }
    }
    if (quick)
        seeds = 3;
    e.arena_bytes = (size_t)mib << 20;
    /* Aligned to its size, so every buddy block is naturally aligned in
     * address space too. */
    e.arena = aligned_alloc(e.arena_bytes, e.arena_bytes);
    effs = calloc(seeds, sizeof(*effs));
    if (e.arena == NULL || effs == NULL)
        return fail("arena", BUDDY_ENOMEM);
    printf("libbuddy %u.%u.%u, commit %s\n", BUDDY_VERSION_MAJOR,
           BUDDY_VERSION_MINOR, BUDDY_VERSION_PATCH, BENCH_COMMIT);
    printf("heap efficiency (talc's definition): an arena of %llu MiB, "
           "steps until the first failed request;\n"
           "score = bytes requested by the live allocations then / arena "
           "bytes; %llu seeds (%llu..%llu), one run each\n",
           (unsigned long long)mib, (unsigned long long)seeds,
           (unsigned long long)first, (unsigned long long)(first + seeds - 1));
    printf("  sizes: bound U[16, 10000), size U[4, bound); alignment 8 << "
           "(ctz(u16) / 2): 8 (75%%), 16 (19%%), .. 2048\n");
    for (unsigned m = 0; m < MIX_COUNT; m++)
        if ((mixes & (1u << m)) &&
            report_mix(&e, (enum mix)m, first, seeds, effs, &km_median) != 0)
            return 1;
    printf("\nallocators:\n");
    for (unsigned vi = 0; vi < NR_VARIANTS; vi++)
        printf("  %-21s %s\n", variants[vi].name, variants[vi].label);
    printf("  out of band in every row, not counted: the arena zone's "
           "metadata (%u bytes a page: %.1f MiB for the byte buddy's 16 B "
           "pages, %.0f KiB for 4 KiB pages)\n",
           BUDDY_META_BYTES_PER_PAGE,
           (double)BUDDY_META_BYTES_PER_PAGE * (double)(e.arena_bytes /
                                                        BYTE_PAGE) / 1048576,
           (double)BUDDY_META_BYTES_PER_PAGE * (double)(e.arena_bytes /
                                                        KM_PAGE) / 1024);
    if (mixes & (1u << MIX_ALLOC_FREE))
        printf("target: kmalloc-fine (the malloc's classes) >= %.0f%% "
               "(median, mix alloc-free): %s "
               "(%.1f%%)\n", 100 * TARGET_KMALLOC,
               km_median >= TARGET_KMALLOC ? "met" : "missed",
               100 * km_median);
    free(effs);
    free(e.arena);
    return 0;
}
