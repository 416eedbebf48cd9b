/*
 * bench_core.c: the core's own costs, measured, not asserted.
 *
 * Workloads (4 KiB pages, max_order 10, a 1 GiB zone that starts all free):
 *   hot    allocate and free one order-0 block, N times: every pair splits
 *          a max-order block down and merges it back (10 splits + 10 merges)
 *   batch  allocate 100k order-0 blocks, then free them in random order
 *   mixed  random orders 0..10 with p(k) = 0.6 * 0.4^k, alloc/free at random
 *          with the live set held near half the zone
 * Each workload runs 5 times; the median ns per operation is reported, with
 * glibc malloc/free of the same sizes measured in the same run as a yardstick
 * (ratio > 1 means libbuddy is faster). Also prints the metadata cost.
 * Usage: bench_core [--quick]   (--quick: small counts, for CI smoke runs)
 */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buddy/buddy.h"

#define RUNS 5
#define ZONE_PAGES (1u << 18) /* 1 GiB of 4 KiB pages */

static uint64_t rng_state = 0x9e3779b97f4a7c15u;

static uint64_t rng_next(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15u);

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

static double now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof(*v), cmp_double);
    return v[n / 2];
}

static struct buddy_zone *zone_make(void **meta)
{
    struct buddy_zone_config cfg = BUDDY_ZONE_CONFIG_INIT;
    struct buddy_zone *z;
    size_t n;

    cfg.nr_pages = ZONE_PAGES;
    cfg.base = (void *)(uintptr_t)0x100000000u; /* never touched */
    n = buddy_zone_meta_size(&cfg);
    *meta = aligned_alloc(8, (n + 7) & ~(size_t)7);
    if (*meta == NULL || buddy_zone_init(*meta, n, &cfg, &z) != 0 ||
        buddy_zone_add_range(z, 0, ZONE_PAGES) != 0) {
        fprintf(stderr, "bench_core: zone setup failed\n");
        exit(1);
    }
    return z;
}

static void must(int ok, const char *what)
{
    if (!ok) {
        fprintf(stderr, "bench_core: %s failed\n", what);
        exit(1);
    }
}

/* ---- workloads: each returns ns per operation (alloc or free) ----------- */

static double hot_buddy(unsigned long iters)
{
    void *meta;
    struct buddy_zone *z = zone_make(&meta);
    buddy_pfn_t pfn;
    double t0 = now_ns();

    for (unsigned long i = 0; i < iters; i++) {
        must(buddy_alloc_pages(z, 0, &pfn) == 0, "alloc");
        must(buddy_free_pages(z, pfn, 0) == 0, "free");
    }
    t0 = now_ns() - t0;
    must(buddy_zone_check(z, NULL) == 0, "check");
    free(meta);
    return t0 / (2.0 * (double)iters);
}

static double hot_malloc(unsigned long iters)
{
    double t0 = now_ns();

    for (unsigned long i = 0; i < iters; i++) {
        void *volatile p = malloc(4096);
        must(p != NULL, "malloc");
        free(p);
    }
    return (now_ns() - t0) / (2.0 * (double)iters);
}

static void shuffle(void **v, size_t n)
{
    for (size_t i = n; i > 1; i--) {
        size_t j = rng_next() % i;
        void *t = v[i - 1];

        v[i - 1] = v[j];
        v[j] = t;
    }
}

static double batch_buddy(size_t n, void **ptrs)
{
    void *meta;
    struct buddy_zone *z = zone_make(&meta);
    double t0 = now_ns(), t1;

    for (size_t i = 0; i < n; i++)
        must((ptrs[i] = buddy_alloc(z, 4096)) != NULL, "buddy_alloc");
    t1 = now_ns() - t0;
    shuffle(ptrs, n);
    t0 = now_ns();
    for (size_t i = 0; i < n; i++)
        must(buddy_free(z, ptrs[i]) == 0, "buddy_free");
    t1 += now_ns() - t0;
    must(buddy_zone_check(z, NULL) == 0, "check");
    free(meta);
    return t1 / (2.0 * (double)n);
}

static double batch_malloc(size_t n, void **ptrs)
{
    double t0 = now_ns(), t1;

    for (size_t i = 0; i < n; i++)
        must((ptrs[i] = malloc(4096)) != NULL, "malloc");
    t1 = now_ns() - t0;
    shuffle(ptrs, n);
    t0 = now_ns();
    for (size_t i = 0; i < n; i++)
        free(ptrs[i]);
    t1 += now_ns() - t0;
    return t1 / (2.0 * (double)n);
}

/* Mixed orders: p(k) = 0.6 * 0.4^k, drawn from a fixed table of 1000. */
static unsigned order_table[1000];

static void order_table_init(void)
{
    double p = 0.6, acc = 0;
    unsigned k = 0, i = 0;

    for (; k <= 10 && i < 1000; k++, p *= 0.4) {
        acc += p * 1000.0;
        for (; i < (unsigned)acc && i < 1000; i++)
            order_table[i] = k;
    }
    for (; i < 1000; i++)
        order_table[i] = 10;
}

struct live {
    void *p;
    size_t size;
};

static double mixed_run(int use_buddy, unsigned long ops, struct live *live,
                        size_t cap)
{
    void *meta = NULL;
    struct buddy_zone *z = use_buddy ? zone_make(&meta) : NULL;
    size_t nlive = 0, live_pages = 0;
    double t0;

    rng_state = 42;
    t0 = now_ns();
    for (unsigned long i = 0; i < ops; i++) {
        int do_alloc = nlive == 0 ||
                       (live_pages < ZONE_PAGES / 2 && (rng_next() & 1) && nlive < cap);

        if (do_alloc) {
            unsigned k = order_table[rng_next() % 1000];
            size_t size = (size_t)4096 << k;
            void *p = use_buddy ? buddy_alloc(z, size) : malloc(size);

            if (p == NULL)
                continue;
            live[nlive].p = p;
            live[nlive].size = size;
            nlive++;
            live_pages += size / 4096;
        } else {
            size_t j = rng_next() % nlive;

            if (use_buddy)
                must(buddy_free(z, live[j].p) == 0, "buddy_free");
            else
                free(live[j].p);
            live_pages -= live[j].size / 4096;
            live[j] = live[--nlive];
        }
    }
    t0 = now_ns() - t0;
    for (size_t j = 0; j < nlive; j++) {
        if (use_buddy)
            must(buddy_free(z, live[j].p) == 0, "buddy_free");
        else
            free(live[j].p);
    }
    if (use_buddy) {
        must(buddy_zone_check(z, NULL) == 0, "check");
        must(buddy_zone_free_pages(z) == ZONE_PAGES, "all pages back");
    }
    free(meta);
    return t0 / (double)ops;
}

static void report(const char *name, double *buddy, double *peer)
{
    double b = median(buddy, RUNS), m = median(peer, RUNS);

    printf("%-8s %12.1f %14.1f %8.2fx\n", name, b, m, m / b);
}

int main(int argc, char **argv)
{
    int quick = argc > 1 && strcmp(argv[1], "--quick") == 0;
    unsigned long hot_iters = quick ? 100000ul : 10000000ul;
    size_t batch_n = quick ? 10000u : 100000u;
    unsigned long mixed_ops = quick ? 100000ul : 2000000ul;
    double hb[RUNS], hm[RUNS], bb[RUNS], bm[RUNS], mb[RUNS], mm[RUNS];
    void **ptrs = malloc(sizeof(void *) * batch_n);
    struct live *live = malloc(sizeof(*live) * 200000u);
    struct buddy_zone_config cfg = BUDDY_ZONE_CONFIG_INIT;

    must(ptrs != NULL && live != NULL, "malloc");
    order_table_init();
    cfg.nr_pages = ZONE_PAGES;
    printf("libbuddy core benchmark: 1 GiB zone, 4 KiB pages, max_order 10, "
           "median of %d runs%s\n", RUNS, quick ? " (--quick)" : "");
    printf("metadata: %zu bytes for %u pages = %.3f bytes/page\n",
           buddy_zone_meta_size(&cfg), ZONE_PAGES,
           (double)buddy_zone_meta_size(&cfg) / ZONE_PAGES);
    for (int r = 0; r < RUNS; r++) {
        hb[r] = hot_buddy(hot_iters);
        hm[r] = hot_malloc(hot_iters);
        bb[r] = batch_buddy(batch_n, ptrs);
        bm[r] = batch_malloc(batch_n, ptrs);
        mb[r] = mixed_run(1, mixed_ops, live, 200000u);
        mm[r] = mixed_run(0, mixed_ops, live, 200000u);
    }
    printf("%-8s %12s %14s %9s\n", "workload", "libbuddy ns", "glibc malloc ns",
           "ratio");
    report("hot", hb, hm);
    report("batch", bb, bm);
    report("mixed", mb, mm);
    printf("(ns per alloc or free; ratio = malloc / libbuddy, > 1 means "
           "libbuddy is faster; hot has no per-CPU cache yet: each pair "
           "splits and merges 10 times)\n");
    free(ptrs);
    free(live);
    return 0;
}
