/* SPDX-License-Identifier: MIT */
/*
 * typed_engine.c: what must hold after typed allocation, free, isolation
 * and its undo, whatever the allocator chose:
 *
 *   - a block it hands out lies in the span, is aligned, does not overlap
 *     a live block, and no page of it is in an isolated pageblock;
 *   - a live block always frees, and a freed one is refused the second
 *     time (EDOUBLEFREE);
 *   - the free pages it reports are the span's pages less the live ones;
 *   - an allocation is refused (ENOMEM) exactly when no free block of its
 *     order or larger is on a pcp type's list (its own, or the fallback's);
 *   - with grouping off nothing falls back, and no pageblock is movable
 *     or reclaimable;
 *   - once every block is freed and every isolation undone, the zone is
 *     whole again: the same free blocks per order as when it was full;
 *   - and the validator passes after every operation.
 *
 * The reference model (model.c) predicts the untyped calls exactly; the
 * typed ones are checked by these properties instead.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "typed_engine.h"

static void fail(struct typed *t, const char *what)
{
    fprintf(stderr, "FAIL typed: %s (%s)\n", what, t->where);
    t->failed = true;
}

static void check(struct typed *t)
{
    struct buddy_check_report rep;
    uint64_t free_pages = 0;

    if (buddy_zone_check(t->z, &rep) != 0) {
        fprintf(stderr, "FAIL typed: validator: %s pfn %" PRIu64
                        " order %u (%s)\n",
                rep.what, rep.pfn, rep.order, t->where);
        t->failed = true;
        return;
    }
    if (buddy_zone_nr_free_pages(t->z, &free_pages) != 0 ||
        free_pages != t->pages - t->live_pages)
        fail(t, "free pages differ from the span less the live blocks");
}

/* Is a free block of `order` or larger on a pcp type's list? */
static bool servable(const struct typed *t, unsigned order)
{
    struct buddy_zone_pagetypes pt;
    unsigned k, mt;

    if (buddy_zone_get_pagetypes(t->z, &pt) != 0)
        return true;
    for (k = order; k <= t->max_order; k++)
        for (mt = 0; mt < BUDDY_MIGRATE_PCPTYPES; mt++)
            if (pt.nr_free[k][mt] != 0)
                return true;
    return false;
}

bool typed_init(struct typed *t, buddy_pfn_t start, uint32_t pages,
                unsigned max_order, unsigned pageblock_order, bool grouping)
{
    struct buddy_zone_config cfg = BUDDY_ZONE_CONFIG_INIT;
    size_t size;
    unsigned k;

    memset(t, 0, sizeof(*t));
    t->start = start;
    t->pages = pages;
    t->max_order = max_order;
    t->pbo = pageblock_order;
    t->grouping = grouping;
    snprintf(t->where, sizeof(t->where),
             "%u pages at %" PRIu64 ", max_order %u, pageblock_order %u, "
             "grouping %s",
             pages, start, max_order, pageblock_order, grouping ? "on" : "off");
    cfg.start_pfn = start;
    cfg.nr_pages = pages;
    cfg.max_order = max_order;
    cfg.pageblock_order = pageblock_order;
    cfg.flags = grouping ? 0 : BUDDY_ZONE_NO_GROUPING;
    size = buddy_zone_meta_size(&cfg);
    t->meta = size ? aligned_alloc(8, (size + 7) & ~(size_t)7) : NULL;
    t->owner = calloc(pages, 1);
    if (t->meta == NULL || t->owner == NULL ||
        buddy_zone_init(t->meta, size, &cfg, &t->z) != 0 ||
        buddy_zone_add_range(t->z, start, pages) != 0) {
        fail(t, "zone setup");
        return false;
    }
    for (k = 0; k <= max_order; k++)
        if (buddy_zone_nr_free(t->z, k, &t->fresh[k]) != 0)
            fail(t, "nr_free");
    return !t->failed;
}

void typed_destroy(struct typed *t)
{
    free(t->owner);
    free(t->meta);
    t->owner = NULL;
    t->meta = NULL;
    t->z = NULL;
}

void typed_alloc(struct typed *t, unsigned order, unsigned mt)
{
    bool can = servable(t, order);
    buddy_pfn_t pfn;
    uint64_t i;
    int err;

    if (t->nr_live == TYPED_MAX_LIVE || order > t->max_order)
        return;
    err = buddy_zone_alloc_pages_type(t->z, order, (enum buddy_migratetype)mt,
                                      &pfn);
    if (err == BUDDY_ENOMEM) {
        if (can)
            fail(t, "ENOMEM with a block it could take");
        check(t);
        return;
    }
    if (err != 0) {
        fail(t, "typed allocation refused");
        return;
    }
    if (!can)
        fail(t, "an allocation with no block it could take");
    if (pfn < t->start || pfn - t->start + ((uint64_t)1 << order) > t->pages ||
        (pfn & (((buddy_pfn_t)1 << order) - 1)) != 0) {
        fail(t, "block outside the span or misaligned");
        return;
    }
    for (i = 0; i < ((uint64_t)1 << order); i++) {
        enum buddy_migratetype pt;

        if (t->owner[pfn - t->start + i])
            fail(t, "block overlaps a live one");
        t->owner[pfn - t->start + i] = 1;
        if (buddy_zone_pageblock_type(t->z, pfn + i, &pt) == 0 &&
            pt == BUDDY_MIGRATE_ISOLATE)
            fail(t, "block in an isolated pageblock");
    }
    t->live[t->nr_live].pfn = pfn;
    t->live[t->nr_live].order = order;
    t->nr_live++;
    t->live_pages += (uint64_t)1 << order;
    check(t);
}

void typed_free(struct typed *t, unsigned which)
{
    struct typed_live b;
    unsigned k;
    uint64_t i;

    if (t->nr_live == 0)
        return;
    k = which % t->nr_live;
    b = t->live[k];
    if (buddy_zone_free_pages(t->z, b.pfn, b.order) != 0)
        fail(t, "a live block did not free");
    if (buddy_zone_free_pages(t->z, b.pfn, b.order) != BUDDY_EDOUBLEFREE)
        fail(t, "a second free was not EDOUBLEFREE");
    for (i = 0; i < ((uint64_t)1 << b.order); i++)
        t->owner[b.pfn - t->start + i] = 0;
    t->live[k] = t->live[--t->nr_live];
    t->live_pages -= (uint64_t)1 << b.order;
    check(t);
}

void typed_isolate(struct typed *t, uint32_t off, uint32_t len)
{
    int err;

    off %= t->pages;
    len = 1 + len % (t->pages - off);
    err = buddy_zone_isolate_range(t->z, t->start + off, len);
    if (err != 0 && err != BUDDY_EBUSY)
        fail(t, "isolation refused");
    check(t);
}

void typed_undo(struct typed *t, uint32_t off, uint32_t len)
{
    off %= t->pages;
    len = 1 + len % (t->pages - off);
    if (buddy_zone_undo_isolate_range(t->z, t->start + off, len) != 0)
        fail(t, "undo refused");
    check(t);
}

void typed_finish(struct typed *t)
{
    struct buddy_zone_stats st;
    struct buddy_zone_pagetypes pt;
    unsigned k;

    if (buddy_zone_get_stats(t->z, &st) == 0 && !t->grouping &&
        st.claims + st.steals != 0)
        fail(t, "a fallback with grouping off");
    if (buddy_zone_get_pagetypes(t->z, &pt) == 0 && !t->grouping &&
        (pt.nr_pageblocks[BUDDY_MIGRATE_MOVABLE] != 0 ||
         pt.nr_pageblocks[BUDDY_MIGRATE_RECLAIMABLE] != 0))
        fail(t, "a pcp type but unmovable with grouping off");
    while (t->nr_live != 0 && !t->failed)
        typed_free(t, t->nr_live - 1);
    if (buddy_zone_undo_isolate_range(t->z, t->start, t->pages) != 0)
        fail(t, "the last undo");
    check(t);
    for (k = 0; k <= t->max_order && !t->failed; k++) {
        uint64_t now = 0;

        if (buddy_zone_nr_free(t->z, k, &now) != 0 || now != t->fresh[k])
            fail(t, "not whole again after every free and undo");
    }
}
