/* SPDX-License-Identifier: MIT */
/*
 * frag.c: does grouping by mobility keep a zone unfragmented?
 *
 *   bench_frag [--ops N] [--seed N] [--quick] [--json]
 *
 * The workload of mmtests' thpchallenge and stress-highalloc, on one zone
 * of 1 GiB (4 KiB pages, max_order 10, pageblock_order 9): long-lived
 * unmovable allocations (orders 0..3) held at 5-10% of memory, while
 * movable ones (orders 0..4, and now and then order 9, a huge page) churn
 * the zone between 80% and 90% full. The same seeded run is made twice,
 * with grouping by mobility on and off (BUDDY_ZONE_NO_GROUPING), and
 * reports for each:
 *
 *   polluted   pageblocks holding any unmovable page, against the fewest
 *              that could hold them (unmovable pages / 512, rounded up):
 *              at the end, and the mean and worst of samples taken
 *              through the run;
 *   large      once every movable block is freed, the share of free
 *              memory in blocks of order >= 9;
 *   order-9    the share of order-9 movable allocations that succeeded;
 *   fallbacks  the zone's claims and steals.
 *
 * Nothing is timed: every figure is a count the seeded workload
 * determines, the same on any machine. The zone's metadata per page is
 * printed too. The exit status is nonzero only when an allocator call or
 * the validator fails, or on a bad argument (2); a missed target is
 * reported, not failed.
 */
#define _POSIX_C_SOURCE 200809L /* bench/util.h: strtok_r */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buddy/buddy.h"
#include "util.h"

#define ZONE_PAGES (1u << 18) /* 1 GiB of 4 KiB pages */
#define MAX_ORDER 10u
#define PB_ORDER 9u
#define PB_PAGES (1u << PB_ORDER)
#define NR_PB (ZONE_PAGES / PB_PAGES)
#define SAMPLES 200u

/* The targets (docs/performance.md, fragmentation). */
#define TARGET_POLLUTION 1.5 /* polluted pageblocks over the fewest */
#define TARGET_LARGE 0.95    /* free memory in blocks >= order 9 */

static uint32_t rng_below(uint64_t *r, uint32_t n)
{
    return (uint32_t)(splitmix64(r) % n);
}

struct block {
    buddy_pfn_t pfn;
    unsigned order;
};

/* A set of held blocks, freed in random order (swap with the last). */
struct held {
    struct block *b;
    uint32_t n, cap;
    uint64_t pages;
};

static bool held_push(struct held *h, buddy_pfn_t pfn, unsigned order)
{
    if (h->n == h->cap) {
        uint32_t cap = h->cap ? h->cap * 2 : 1024;
        struct block *b = realloc(h->b, cap * sizeof(*b));

        if (b == NULL)
            return false;
        h->b = b;
        h->cap = cap;
    }
    h->b[h->n].pfn = pfn;
    h->b[h->n].order = order;
    h->n++;
    h->pages += (uint64_t)1 << order;
    return true;
}

static struct block held_take(struct held *h, uint32_t i)
{
    struct block b = h->b[i];

    h->b[i] = h->b[--h->n];
    h->pages -= (uint64_t)1 << b.order;
    return b;
}

struct result {
    bool grouping;
    uint64_t ops, unmovable_pages;
    uint32_t polluted, fewest;        /* at the end */
    double pollution_mean, pollution_max; /* polluted / fewest, sampled */
    double large_share;               /* after the movable memory is freed */
    uint64_t huge_tries, huge_ok;
    uint64_t claims, steals, small_failures;
    double meta_per_page;
};

/* Movable orders 0..4, small ones most often. */
static unsigned movable_order(uint64_t *r)
{
    static const unsigned cdf[] = {70, 82, 92, 97, 100};
    uint32_t x = rng_below(r, 100);
    unsigned k = 0;

    while (x >= cdf[k])
        k++;
    return k;
}

static int fail(const char *what, int err)
{
    fprintf(stderr, "bench_frag: %s: %s\n", what, buddy_strerror(err));
    return 1;
}

static int check(const struct buddy_zone *z)
{
    struct buddy_check_report rep;

    if (buddy_zone_check(z, &rep) != 0) {
        fprintf(stderr, "bench_frag: validator: %s (pfn %llu order %u)\n",
                rep.what, (unsigned long long)rep.pfn, rep.order);
        return 1;
    }
    return 0;
}

static int run(bool grouping, uint64_t ops, uint64_t seed, struct result *res)
{
    struct buddy_zone_config cfg = BUDDY_ZONE_CONFIG_INIT;
    struct buddy_zone *z;
    struct buddy_zone_stats st;
    struct held unmov = {0}, mov = {0};
    uint32_t *pb_unmov = calloc(NR_PB, sizeof(*pb_unmov));
    uint64_t r = seed;
    uint64_t i, low = ZONE_PAGES / 20, high = ZONE_PAGES / 10;
    uint64_t full_lo = ZONE_PAGES / 10 * 8, full_hi = ZONE_PAGES / 10 * 9;
    uint64_t free_pages, large = 0, every = ops / SAMPLES ? ops / SAMPLES : 1;
    double sum = 0;
    unsigned samples = 0, k;
    size_t meta_size;
    void *meta;
    int err, ret = 1;

    memset(res, 0, sizeof(*res));
    res->grouping = grouping;
    res->ops = ops;
    cfg.nr_pages = ZONE_PAGES;
    cfg.max_order = MAX_ORDER;
    cfg.pageblock_order = PB_ORDER;
    cfg.flags = grouping ? 0 : BUDDY_ZONE_NO_GROUPING;
    cfg.name = "Normal";
    meta_size = buddy_zone_meta_size(&cfg);
    meta = aligned_alloc(8, (meta_size + 7) & ~(size_t)7);
    if (meta == NULL || pb_unmov == NULL)
        goto out;
    res->meta_per_page = (double)meta_size / ZONE_PAGES;
    err = buddy_zone_init(meta, meta_size, &cfg, &z);
    if (err == 0)
        err = buddy_zone_add_range(z, 0, ZONE_PAGES);
    if (err != 0) {
        fail("zone", err);
        goto out;
    }
    for (i = 0; i < ops; i++) {
        buddy_pfn_t pfn;

        if (rng_below(&r, 100) < 5) {
            /* The long-lived unmovable set: between 5% and 10%. */
            bool grow = unmov.pages < low ||
                        (unmov.pages < high && rng_below(&r, 2) == 0);

            if (grow) {
                k = rng_below(&r, 4);
                err = buddy_zone_alloc_pages_type(z, k, BUDDY_MIGRATE_UNMOVABLE,
                                                  &pfn);
                if (err == 0) {
                    if (!held_push(&unmov, pfn, k))
                        goto out;
                    pb_unmov[pfn >> PB_ORDER] += 1u << k;
                } else if (err != BUDDY_ENOMEM) {
                    fail("unmovable allocation", err);
                    goto out;
                } else {
                    res->small_failures++;
                }
            } else if (unmov.n != 0) {
                struct block b = held_take(&unmov, rng_below(&r, unmov.n));

                pb_unmov[b.pfn >> PB_ORDER] -= 1u << b.order;
                err = buddy_zone_free_pages(z, b.pfn, b.order);
                if (err != 0) {
                    fail("unmovable free", err);
                    goto out;
                }
            }
        } else {
            /* The movable churn: between 80% and 90% of the zone in use. */
            uint64_t used = unmov.pages + mov.pages;
            bool grow = used < full_lo ||
                        (used < full_hi && rng_below(&r, 2) == 0);

            if (grow) {
                bool huge = rng_below(&r, 500) == 0;

                k = huge ? PB_ORDER : movable_order(&r);
                err = buddy_zone_alloc_pages_type(z, k, BUDDY_MIGRATE_MOVABLE,
                                                  &pfn);
                res->huge_tries += huge;
                if (err == 0) {
                    res->huge_ok += huge;
                    if (!held_push(&mov, pfn, k))
                        goto out;
                } else if (err != BUDDY_ENOMEM) {
                    fail("movable allocation", err);
                    goto out;
                } else if (!huge) {
                    res->small_failures++;
                }
            } else if (mov.n != 0) {
                struct block b = held_take(&mov, rng_below(&r, mov.n));

                err = buddy_zone_free_pages(z, b.pfn, b.order);
                if (err != 0) {
                    fail("movable free", err);
                    goto out;
                }
            }
        }
        if ((i + 1) % every == 0 && unmov.pages != 0) {
            uint32_t polluted = 0, fewest, p;
            double ratio;

            for (p = 0; p < NR_PB; p++)
                polluted += pb_unmov[p] != 0;
            fewest = (uint32_t)((unmov.pages + PB_PAGES - 1) / PB_PAGES);
            ratio = (double)polluted / fewest;
            sum += ratio;
            samples++;
            if (ratio > res->pollution_max)
                res->pollution_max = ratio;
        }
    }
    if (check(z) != 0)
        goto out;
    res->unmovable_pages = unmov.pages;
    for (k = 0; k < NR_PB; k++)
        res->polluted += pb_unmov[k] != 0;
    res->fewest = (uint32_t)((unmov.pages + PB_PAGES - 1) / PB_PAGES);
    res->pollution_mean = samples ? sum / samples : 0;
    /* Every movable block back: what is left free of large blocks? */
    while (mov.n != 0) {
        struct block b = held_take(&mov, mov.n - 1);

        err = buddy_zone_free_pages(z, b.pfn, b.order);
        if (err != 0) {
            fail("movable free", err);
            goto out;
        }
    }
    if (check(z) != 0)
        goto out;
    err = buddy_zone_get_stats(z, &st);
    if (err != 0) {
        fail("stats", err);
        goto out;
    }
    free_pages = st.free_pages;
    for (k = PB_ORDER; k <= MAX_ORDER; k++)
        large += st.nr_free[k] << k;
    res->large_share = free_pages ? (double)large / free_pages : 0;
    res->claims = st.claims;
    res->steals = st.steals;
    ret = 0;
out:
    free(unmov.b);
    free(mov.b);
    free(pb_unmov);
    free(meta);
    return ret;
}

static const char *verdict(bool met)
{
    return met ? "met" : "missed";
}

int main(int argc, char **argv)
{
    uint64_t ops = 4000000, seed = 1;
    bool json = false;
    struct result res[2];
    int a, g;

    for (a = 1; a < argc; a++) {
        if (strcmp(argv[a], "--ops") == 0 && a + 1 < argc) {
            ops = strtoull(argv[++a], NULL, 10);
        } else if (strcmp(argv[a], "--seed") == 0 && a + 1 < argc) {
            seed = strtoull(argv[++a], NULL, 10);
        } else if (strcmp(argv[a], "--quick") == 0) {
            ops = 200000;
        } else if (strcmp(argv[a], "--json") == 0) {
            json = true;
        } else {
            fprintf(stderr, "usage: bench_frag [--ops N] [--seed N] [--quick] "
                            "[--json]\n");
            return 2;
        }
    }
    if (ops == 0) {
        fprintf(stderr, "bench_frag: --ops must be at least 1\n");
        return 2;
    }
    for (g = 0; g < 2; g++)
        if (run(g == 0, ops, seed, &res[g]) != 0)
            return 1;
    if (json) {
        printf("{\"ops\": %llu, \"seed\": %llu, \"zone_pages\": %u, "
               "\"pageblock_order\": %u, \"meta_bytes_per_page\": %.4f, "
               "\"runs\": [",
               (unsigned long long)ops, (unsigned long long)seed, ZONE_PAGES,
               PB_ORDER, res[0].meta_per_page);
        for (g = 0; g < 2; g++)
            printf("%s{\"grouping\": %s, \"unmovable_pages\": %llu, "
                   "\"polluted\": %u, \"fewest\": %u, "
                   "\"pollution_end\": %.3f, \"pollution_mean\": %.3f, "
                   "\"pollution_max\": %.3f, \"large_share\": %.4f, "
                   "\"huge_tries\": %llu, \"huge_ok\": %llu, "
                   "\"claims\": %llu, \"steals\": %llu, "
                   "\"small_failures\": %llu}",
                   g ? ", " : "", res[g].grouping ? "true" : "false",
                   (unsigned long long)res[g].unmovable_pages, res[g].polluted,
                   res[g].fewest, (double)res[g].polluted / res[g].fewest,
                   res[g].pollution_mean, res[g].pollution_max,
                   res[g].large_share, (unsigned long long)res[g].huge_tries,
                   (unsigned long long)res[g].huge_ok,
                   (unsigned long long)res[g].claims,
                   (unsigned long long)res[g].steals,
                   (unsigned long long)res[g].small_failures);
        printf("]}\n");
        return 0;
    }
    printf("frag: one zone of %u pages (1 GiB of 4 KiB pages), max_order %u, "
           "pageblock_order %u; %llu operations, seed %llu\n",
           ZONE_PAGES, MAX_ORDER, PB_ORDER, (unsigned long long)ops,
           (unsigned long long)seed);
    printf("  unmovable orders 0..3 held at 5-10%% of memory; movable orders "
           "0..4 and 1 in 500 of order 9 churning at 80-90%% full\n");
    printf("  metadata: %.4f bytes per page (header, 9 a page, 1 a "
           "pageblock)\n",
           res[0].meta_per_page);
    printf("  %-9s %9s %7s %9s %9s %9s %8s %9s %7s %8s %8s\n", "grouping",
           "polluted", "fewest", "x (end)", "x (mean)", "x (worst)",
           "large", "order-9", "tries", "claims", "steals");
    for (g = 0; g < 2; g++)
        printf("  %-9s %9u %7u %9.2f %9.2f %9.2f %7.1f%% %8.1f%% %7llu %8llu "
               "%8llu\n",
               res[g].grouping ? "on" : "off", res[g].polluted, res[g].fewest,
               (double)res[g].polluted / res[g].fewest, res[g].pollution_mean,
               res[g].pollution_max, 100 * res[g].large_share,
               res[g].huge_tries
                   ? 100.0 * (double)res[g].huge_ok / (double)res[g].huge_tries
                   : 0.0,
               (unsigned long long)res[g].huge_tries,
               (unsigned long long)res[g].claims,
               (unsigned long long)res[g].steals);
    printf("  polluted: pageblocks holding an unmovable page; fewest: "
           "unmovable pages / 512; x: their ratio\n");
    printf("  large: free memory in blocks of order >= 9 once every movable "
           "block is freed; order-9: movable order-9 allocations that "
           "succeeded\n");
    printf("targets (grouping on):\n");
    printf("  %-6s polluted <= %.1fx the fewest, at the end: %.2fx\n",
           verdict((double)res[0].polluted <= TARGET_POLLUTION * res[0].fewest),
           TARGET_POLLUTION, (double)res[0].polluted / res[0].fewest);
    printf("  %-6s large >= %.0f%%: %.1f%%\n",
           verdict(res[0].large_share >= TARGET_LARGE), 100 * TARGET_LARGE,
           100 * res[0].large_share);
    return 0;
}
