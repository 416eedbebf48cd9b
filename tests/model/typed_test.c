/* SPDX-License-Identifier: MIT */
/*
 * typed_test.c: randomised runs of typed allocation, free, isolation, its
 * undo, reserve and add, on zones of many shapes (pageblock orders from 1
 * to max_order, grouping on and off, unaligned starts), checking after
 * every operation the validator and what must hold whatever the allocator
 * chose:
 *
 *   - a block it hands out lies in the span, is aligned, does not overlap
 *     a live block, and no page of it is in an isolated pageblock;
 *   - a live block always frees, and a freed one is refused the second
 *     time (EDOUBLEFREE);
 *   - the free pages it reports are the span's pages minus the live,
 *     reserved and hole pages this test knows of;
 *   - with grouping off nothing falls back (one type) and no pageblock
 *     but an isolated one is other than unmovable;
 *   - an allocation is refused (ENOMEM) only when no free block of its
 *     order or larger is left on a list it may take from;
 *   - once every block is freed and the isolation undone, the zone is
 *     whole again: the same free blocks per order as a fresh one.
 *
 * The reference model (model.c) predicts the untyped calls exactly; this
 * test checks the typed ones by these properties instead. Seeded, the same
 * every run: `typed_test SEED` repeats one.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buddy/buddy.h"

#define RUNS 40u
#define STEPS 4000u
#define MAX_LIVE 512u

struct rng {
    uint64_t s;
};

static uint64_t rng_next(struct rng *r)
{
    uint64_t z = (r->s += 0x9e3779b97f4a7c15u);

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

static uint32_t below(struct rng *r, uint32_t n)
{
    return (uint32_t)(rng_next(r) % n);
}

struct live {
    buddy_pfn_t pfn;
    unsigned order;
};

struct run {
    struct buddy_zone *z;
    void *meta;
    buddy_pfn_t start;
    uint32_t pages;
    unsigned max_order, pbo;
    bool grouping;
    uint8_t *owner; /* [pages] 1 while a live block covers the page */
    struct live live[MAX_LIVE];
    unsigned nr_live;
    uint64_t live_pages;
    char where[160];
};

static int failed;

static void fail(const struct run *r, const char *what)
{
    fprintf(stderr, "FAIL typed: %s (%s)\n", what, r->where);
    failed = 1;
}

static void check(struct run *r)
{
    struct buddy_check_report rep;
    uint64_t free_pages = 0;

    if (buddy_zone_check(r->z, &rep) != 0) {
        fprintf(stderr, "FAIL typed: validator: %s pfn %" PRIu64
                        " order %u (%s)\n",
                rep.what, rep.pfn, rep.order, r->where);
        failed = 1;
        return;
    }
    if (buddy_zone_nr_free_pages(r->z, &free_pages) != 0 ||
        free_pages != r->pages - r->live_pages)
        fail(r, "free pages differ from the span less the live blocks");
}

/* Is a free block of `order` or larger on a list a pcp type may take
 * from: any pcp type's, its own or through the fallback? */
static bool servable(const struct buddy_zone *z, unsigned order,
                     unsigned max_order)
{
    struct buddy_zone_pagetypes pt;
    unsigned k, t;

    if (buddy_zone_get_pagetypes(z, &pt) != 0)
        return true;
    for (k = order; k <= max_order; k++)
        for (t = 0; t < BUDDY_MIGRATE_PCPTYPES; t++)
            if (pt.nr_free[k][t] != 0)
                return true;
    return false;
}

static void do_alloc(struct run *r, struct rng *g)
{
    unsigned small = below(g, 3), any = below(g, r->max_order + 1);
    unsigned order = below(g, 100) < 70 && small <= r->max_order ? small : any;
    unsigned mt = below(g, 3);
    bool can = servable(r->z, order, r->max_order);
    buddy_pfn_t pfn;
    int err;
    uint64_t i;

    if (r->nr_live == MAX_LIVE)
        return;
    err = buddy_zone_alloc_pages_type(r->z, order, (enum buddy_migratetype)mt,
                                      &pfn);
    if (err == BUDDY_ENOMEM) {
        if (can)
            fail(r, "ENOMEM with a block it could take");
        return;
    }
    if (err != 0) {
        fail(r, "typed allocation refused");
        return;
    }
    if (!can)
        fail(r, "an allocation with no block it could take");
    if (pfn < r->start || pfn - r->start + ((uint64_t)1 << order) > r->pages ||
        (pfn & (((buddy_pfn_t)1 << order) - 1)) != 0) {
        fail(r, "block outside the span or misaligned");
        return;
    }
    for (i = 0; i < ((uint64_t)1 << order); i++) {
        enum buddy_migratetype pt;

        if (r->owner[pfn - r->start + i])
            fail(r, "block overlaps a live one");
        r->owner[pfn - r->start + i] = 1;
        if (buddy_zone_pageblock_type(r->z, pfn + i, &pt) == 0 &&
            pt == BUDDY_MIGRATE_ISOLATE)
            fail(r, "block in an isolated pageblock");
    }
    r->live[r->nr_live].pfn = pfn;
    r->live[r->nr_live].order = order;
    r->nr_live++;
    r->live_pages += (uint64_t)1 << order;
}

static void do_free(struct run *r, struct rng *g)
{
    unsigned k;
    struct live b;
    uint64_t i;

    if (r->nr_live == 0)
        return;
    k = below(g, r->nr_live);
    b = r->live[k];
    if (buddy_zone_free_pages(r->z, b.pfn, b.order) != 0)
        fail(r, "a live block did not free");
    if (buddy_zone_free_pages(r->z, b.pfn, b.order) != BUDDY_EDOUBLEFREE)
        fail(r, "a second free was not EDOUBLEFREE");
    for (i = 0; i < ((uint64_t)1 << b.order); i++)
        r->owner[b.pfn - r->start + i] = 0;
    r->live[k] = r->live[--r->nr_live];
    r->live_pages -= (uint64_t)1 << b.order;
}

static void one_run(unsigned n, uint64_t seed)
{
    struct rng g = {seed};
    struct run r;
    struct buddy_zone_config cfg = BUDDY_ZONE_CONFIG_INIT;
    struct buddy_zone_stats st;
    struct buddy_zone_pagetypes pt;
    uint64_t fresh[BUDDY_NR_ORDERS] = {0};
    size_t size;
    unsigned step, k;

    memset(&r, 0, sizeof(r));
    r.max_order = 1 + below(&g, 10);
    r.pbo = below(&g, 2) ? 0 : 1 + below(&g, r.max_order);
    r.grouping = below(&g, 4) != 0;
    r.pages = 1 + below(&g, 3000);
    r.start = below(&g, 2) ? 0 : below(&g, 5000);
    snprintf(r.where, sizeof(r.where),
             "run %u seed %" PRIu64 ": %u pages at %" PRIu64
             ", max_order %u, pageblock_order %u, grouping %s",
             n, seed, r.pages, r.start, r.max_order, r.pbo,
             r.grouping ? "on" : "off");
    cfg.start_pfn = r.start;
    cfg.nr_pages = r.pages;
    cfg.max_order = r.max_order;
    cfg.pageblock_order = r.pbo;
    cfg.flags = r.grouping ? 0 : BUDDY_ZONE_NO_GROUPING;
    size = buddy_zone_meta_size(&cfg);
    r.meta = aligned_alloc(8, (size + 7) & ~(size_t)7);
    r.owner = calloc(r.pages, 1);
    if (size == 0 || r.meta == NULL || r.owner == NULL ||
        buddy_zone_init(r.meta, size, &cfg, &r.z) != 0 ||
        buddy_zone_add_range(r.z, r.start, r.pages) != 0) {
        fail(&r, "zone setup");
        goto out;
    }
    for (k = 0; k <= r.max_order; k++)
        if (buddy_zone_nr_free(r.z, k, &fresh[k]) != 0)
            fail(&r, "nr_free");
    for (step = 0; step < STEPS && !failed; step++) {
        uint32_t op = below(&g, 100);

        if (op < 50) {
            do_alloc(&r, &g);
        } else if (op < 90) {
            do_free(&r, &g);
        } else if (op < 95) {
            buddy_pfn_t pfn = r.start + below(&g, r.pages);
            uint32_t len = 1 + below(&g, r.pages - (uint32_t)(pfn - r.start));
            int err = buddy_zone_isolate_range(r.z, pfn, len);

            if (err != 0 && err != BUDDY_EBUSY)
                fail(&r, "isolation refused");
        } else {
            buddy_pfn_t pfn = r.start + below(&g, r.pages);
            uint32_t len = 1 + below(&g, r.pages - (uint32_t)(pfn - r.start));

            if (buddy_zone_undo_isolate_range(r.z, pfn, len) != 0)
                fail(&r, "undo refused");
        }
        check(&r);
    }
    if (buddy_zone_get_stats(r.z, &st) == 0 && !r.grouping &&
        st.claims + st.steals != 0)
        fail(&r, "a fallback with grouping off");
    if (buddy_zone_get_pagetypes(r.z, &pt) == 0 && !r.grouping &&
        (pt.nr_pageblocks[BUDDY_MIGRATE_MOVABLE] != 0 ||
         pt.nr_pageblocks[BUDDY_MIGRATE_RECLAIMABLE] != 0))
        fail(&r, "a pcp type but unmovable with grouping off");
    /* Everything back, every isolation undone: the zone is whole again. */
    while (r.nr_live != 0 && !failed)
        do_free(&r, &g);
    if (buddy_zone_undo_isolate_range(r.z, r.start, r.pages) != 0)
        fail(&r, "the last undo");
    check(&r);
    for (k = 0; k <= r.max_order && !failed; k++) {
        uint64_t now = 0;

        if (buddy_zone_nr_free(r.z, k, &now) != 0 || now != fresh[k])
            fail(&r, "not whole again after every free and undo");
    }
out:
    free(r.owner);
    free(r.meta);
}

int main(int argc, char **argv)
{
    unsigned n;

    if (argc > 1) {
        one_run(0, strtoull(argv[1], NULL, 10));
        return failed;
    }
    for (n = 0; n < RUNS && !failed; n++)
        one_run(n, 1000 + n);
    if (!failed)
        printf("ok typed: %u runs of %u steps\n", RUNS, STEPS);
    return failed;
}
