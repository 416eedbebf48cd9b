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
 * and, beside these properties, the model below predicts every outcome
 * exactly: return codes, free blocks per order and type, every
 * pageblock's type, the claim and steal counts (model.c does the same for
 * the untyped calls).
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

/* ---- the reference model of types ----------------------------------------
 *
 * An independent, simple restatement of the rules (pageblock.c and
 * page_alloc.c in the kernel's words): every page's block head and order,
 * free or allocated, and every pageblock's type, with O(pages) scans where
 * the library keeps lists. It predicts every return code, the free blocks
 * per order and type, every pageblock's type, and the claim and steal
 * counts. The one thing it cannot know is list order: which of several
 * blocks of one order and type is a list's head. There it accepts the
 * block the library took when the rules allow it, and checks the rest of
 * the outcome against that choice (a claim below pageblock_order looks at
 * the head only: which pageblock, hence whether it is claimed, is the
 * choice; the library's type of that pageblock afterwards says which
 * legal outcome it was, and its watermark boost at which order). */

#define M_NONE 0xffu

static unsigned m_map(const struct typed *t, unsigned mt)
{
    return !t->grouping && mt < BUDDY_MIGRATE_PCPTYPES ? BUDDY_MIGRATE_UNMOVABLE
                                                       : mt;
}

static bool m_types_merge(unsigned a, unsigned b)
{
    return a == b || (a < BUDDY_MIGRATE_PCPTYPES && b < BUDDY_MIGRATE_PCPTYPES);
}

static uint32_t m_pb_of(const struct typed *t, uint32_t idx)
{
    return (uint32_t)(((uint64_t)idx + t->skew) >> t->pbo);
}

static unsigned m_type_at(const struct typed *t, uint32_t idx)
{
    return t->m_pb[m_pb_of(t, idx)];
}

static unsigned m_order(const struct typed *t, uint32_t idx)
{
    return t->m_head[idx] - 1u;
}

static bool m_is_free_head(const struct typed *t, uint32_t idx, unsigned order)
{
    return t->m_head[idx] == order + 1u && t->m_free[idx];
}

static void m_set_head(struct typed *t, uint32_t idx, unsigned order, bool free)
{
    t->m_head[idx] = (uint8_t)(order + 1u);
    t->m_free[idx] = free;
}

/* The pageblocks of the block at idx/order take type mt. */
static void m_set_block_type(struct typed *t, uint32_t idx, unsigned order,
                             unsigned mt)
{
    uint32_t pb = m_pb_of(t, idx);
    uint32_t n = order > t->pbo ? (uint32_t)1 << (order - t->pbo) : 1u, i;

    for (i = 0; i < n; i++) {
        t->m_pb[pb + i] = (uint8_t)m_map(t, mt);
        t->m_saved[pb + i] = 0;
    }
}

/* __free_one_page: merge with free buddies of the same order; from
 * pageblock_order up only when the types may be mixed, the buddy's
 * pageblocks then taking mt. */
static void m_free_one(struct typed *t, uint32_t idx, unsigned order,
                       unsigned mt)
{
    while (order < t->max_order) {
        buddy_pfn_t bpfn = (t->start + idx) ^ ((buddy_pfn_t)1 << order);
        uint64_t brel = bpfn - t->start;

        if (bpfn < t->start || brel >= t->pages ||
            !m_is_free_head(t, (uint32_t)brel, order))
            break;
        if (order >= t->pbo) {
            unsigned bmt = m_type_at(t, (uint32_t)brel);

            if (!m_types_merge(bmt, mt))
                break;
            if (bmt != mt)
                m_set_block_type(t, (uint32_t)brel, order, mt);
        }
        t->m_head[brel] = 0;
        t->m_head[idx] = 0;
        if (brel < idx)
            idx = (uint32_t)brel;
        order++;
    }
    m_set_head(t, idx, order, true);
}

/* free_one_block with split_large_buddy's outcome. */
static void m_free_block(struct typed *t, uint32_t idx, unsigned order)
{
    uint32_t n, i;
    unsigned mt;

    t->m_head[idx] = 0;
    if (order <= t->pbo) {
        m_free_one(t, idx, order, m_type_at(t, idx));
        return;
    }
    n = (uint32_t)1 << (order - t->pbo);
    mt = m_type_at(t, idx + ((n - 1) << t->pbo));
    for (i = 0; i < n; i++)
        if (!m_types_merge(t->m_pb[m_pb_of(t, idx) + i], mt))
            break;
    if (i == n) {
        m_set_block_type(t, idx, order, mt);
        m_free_one(t, idx, order, mt);
        return;
    }
    for (i = 0; i < n; i++) {
        uint32_t c = idx + (i << t->pbo);

        m_free_one(t, c, t->pbo, m_type_at(t, c));
    }
}

/* Take the free block at idx (of order `high`) and keep its first 2^low
 * pages allocated: expand(), the upper halves free, of their pageblocks'
 * types (no merging: each half's buddy is the part kept). */
static void m_take(struct typed *t, uint32_t idx, unsigned high, unsigned low)
{
    unsigned k;

    for (k = high; k-- > low;)
        m_set_head(t, idx + ((uint32_t)1 << k), k, true);
    m_set_head(t, idx, low, false);
}

/* Count the free blocks per order and type into m_cnt (one scan). */
static void m_count(struct typed *t)
{
    uint32_t i;

    memset(t->m_cnt, 0, sizeof(t->m_cnt));
    for (i = 0; i < t->pages; i++)
        if (t->m_head[i] != 0 && t->m_free[i])
            t->m_cnt[m_order(t, i)][m_type_at(t, i)]++;
}

/* Is there a free block of `order` and type mt (as m_count found)? */
static bool m_has(const struct typed *t, unsigned order, unsigned mt)
{
    return t->m_cnt[order][mt] != 0;
}

/* The fallbacks of the kernel's fallbacks[]. */
static const uint8_t m_fallbacks[3][2] = {
    {BUDDY_MIGRATE_RECLAIMABLE, BUDDY_MIGRATE_MOVABLE},
    {BUDDY_MIGRATE_RECLAIMABLE, BUDDY_MIGRATE_UNMOVABLE},
    {BUDDY_MIGRATE_UNMOVABLE, BUDDY_MIGRATE_MOVABLE},
};

/* find_suitable_fallback: the first fallback with a block of `order`, or
 * -1; -2 when a claim is not tried at this order. */
static int m_fallback(const struct typed *t, unsigned order, unsigned mt,
                      bool claim)
{
    unsigned i;

    if (claim && !(order >= t->pbo / 2 || mt != BUDDY_MIGRATE_MOVABLE ||
                   !t->grouping))
        return -2;
    for (i = 0; i < 2; i++)
        if (m_has(t, order, m_fallbacks[mt][i]))
            return m_fallbacks[mt][i];
    return -1;
}

/* The pageblock holding idx, [*first, *first + 2^pbo), when it lies
 * wholly in the span. */
static bool m_pageblock_span(const struct typed *t, uint32_t idx,
                             uint32_t *first)
{
    uint64_t size = (uint64_t)1 << t->pbo;
    uint64_t f = ((uint64_t)idx + t->skew) & ~(size - 1);

    if (f < t->skew || f - t->skew + size > t->pages)
        return false;
    *first = (uint32_t)(f - t->skew);
    return true;
}

/* try_to_claim_block below pageblock_order, for the pageblock holding the
 * free block at idx: its free pages and the pages alike the request at
 * least half of it (allocated pages of a movable pageblock count as
 * movable; everything else not free as unmovable). */
static bool m_claims(const struct typed *t, uint32_t idx, unsigned mt,
                     unsigned block_mt)
{
    uint32_t first, i, nr_free = 0, nr_movable = 0, alike;
    uint32_t size = (uint32_t)1 << t->pbo;

    if (!m_pageblock_span(t, idx, &first))
        return false;
    for (i = first; i < first + size;) {
        uint32_t n = (uint32_t)1 << m_order(t, i);

        if (t->m_free[i])
            nr_free += n;
        else if (block_mt == BUDDY_MIGRATE_MOVABLE)
            nr_movable += n;
        i += n;
    }
    if (mt == BUDDY_MIGRATE_MOVABLE)
        alike = nr_movable;
    else if (block_mt == BUDDY_MIGRATE_MOVABLE)
        alike = size - nr_free - nr_movable;
    else
        alike = 0;
    return nr_free + alike >= size / 2 || !t->grouping;
}

/* boost_watermark: a claim attempt below pageblock_order raises the marks
 * by a pageblock, up to boost_factor / 10000 of the high mark; not in a
 * zone under four pageblocks. */
static void m_boost(struct typed *t)
{
    uint64_t pages = (uint64_t)1 << t->pbo, high = t->wm[BUDDY_WMARK_HIGH];
    uint64_t max_boost;

    if (t->boost_factor == 0 || pages * 4 > t->pages)
        return;
    max_boost = high / 10000 * t->boost_factor +
                high % 10000 * t->boost_factor / 10000;
    if (max_boost == 0)
        return;
    if (max_boost < pages)
        max_boost = pages;
    t->m_boost = t->m_boost + pages < max_boost ? t->m_boost + pages
                                                : max_boost;
}

/* What the library's typed allocation of `order`, type mt (a pcp type),
 * must have done, given that it returned rc and *pfn: checked and applied
 * to the model. */
static void m_alloc(struct typed *t, unsigned order, unsigned req, int rc,
                    buddy_pfn_t pfn)
{
    unsigned mt = m_map(t, req), k, cur;
    uint32_t idx = (uint32_t)(pfn - t->start);
    bool got = rc == 0 && pfn >= t->start && pfn - t->start < t->pages;
    int f;

    m_count(t);
    /* __rmqueue_smallest: the smallest order of its own type. */
    for (k = order; k <= t->max_order; k++)
        if (m_has(t, k, mt)) {
            if (!got || !m_is_free_head(t, idx, k) || m_type_at(t, idx) != mt)
                fail(t, "model: not the smallest block of its own type");
            else
                m_take(t, idx, k, order);
            return;
        }
    /* __rmqueue_claim, from the largest order down. */
    for (cur = t->max_order + 1u; cur-- > order;) {
        uint32_t i;
        bool any_fail = false, claimed = false;

        f = m_fallback(t, cur, mt, true);
        if (f == -1)
            continue;
        if (f == -2)
            break;
        if (cur < t->pbo)
            m_boost(t); /* try_to_claim_block boosts before it looks */
        if (cur >= t->pbo) { /* always claims, whole */
            if (!got || !m_is_free_head(t, idx, cur) ||
                m_type_at(t, idx) != (unsigned)f) {
                fail(t, "model: a whole block of a fallback type should "
                        "have been claimed");
                return;
            }
            m_set_block_type(t, idx, cur, mt);
            m_take(t, idx, cur, order);
            t->m_claims++;
            return;
        }
        for (i = 0; i < t->pages; i++) {
            enum buddy_migratetype now;

            if (!m_is_free_head(t, i, cur) || m_type_at(t, i) != (unsigned)f)
                continue;
            if (!m_claims(t, i, mt, (unsigned)f)) {
                any_fail = true;
                continue;
            }
            /* A pageblock that would be claimed: was it this one? */
            if (got && m_pb_of(t, i) == m_pb_of(t, idx) &&
                buddy_zone_pageblock_type(t->z, pfn, &now) == 0 &&
                (unsigned)now == mt)
                claimed = true;
        }
        /* A pageblock claimed here, or at a lower order after this head
         * failed: the same pageblock and block either way, and only the
         * boost (one pageblock per order tried) tells which. */
        if (claimed && any_fail) {
            struct buddy_zone_watermarks wm;

            claimed = buddy_zone_get_watermarks(t->z, &wm) == 0 &&
                      wm.boost == t->m_boost;
        }
        if (claimed) {
            uint32_t first = 0, j, best = UINT32_MAX;
            unsigned best_order = BUDDY_NR_ORDERS;

            (void)m_pageblock_span(t, idx, &first);
            t->m_pb[m_pb_of(t, idx)] = (uint8_t)mt;
            /* Then the smallest of its blocks that fits, the first in the
             * pageblock of that order (they move to the tail in order). */
            for (j = first; j < first + ((uint32_t)1 << t->pbo);
                 j += (uint32_t)1 << m_order(t, j))
                if (t->m_free[j] && m_order(t, j) >= order &&
                    m_order(t, j) < best_order) {
                    best = j;
                    best_order = m_order(t, j);
                }
            if (best != idx) {
                fail(t, "model: a claimed pageblock's smallest block that "
                        "fits was not taken");
                return;
            }
            m_take(t, idx, best_order, order);
            t->m_claims++;
            return;
        }
        if (!any_fail) {
            fail(t, "model: every block of a fallback type would have been "
                    "claimed, but none was");
            return;
        }
    }
    /* __rmqueue_steal: the smallest block of the first fallback type. */
    for (cur = order; cur <= t->max_order; cur++) {
        f = m_fallback(t, cur, mt, false);
        if (f < 0)
            continue;
        if (!got || !m_is_free_head(t, idx, cur) ||
            m_type_at(t, idx) != (unsigned)f) {
            fail(t, "model: not the smallest block of the first fallback "
                    "type");
            return;
        }
        m_take(t, idx, cur, order);
        t->m_steals++;
        return;
    }
    if (rc != BUDDY_ENOMEM)
        fail(t, "model: an allocation with no block it could take");
    t->m_failures++;
}

/* __zone_watermark_ok on the model (one zone: no lowmem reserve, no
 * HIGHATOMIC pageblocks): free pages less the 2^order - 1 no block of
 * the order can use and the isolated ones above the mark plus the boost
 * (less what HIGH and HIGH with NOWAIT may use), and for order > 0 a
 * block of the order on a pcp type's list; with no mark (MEMALLOC) only
 * that block. `reserves` are the flags the pass may use. */
static bool m_wmark_ok(struct typed *t, unsigned order, int mark,
                       unsigned reserves)
{
    uint64_t free_pages = 0, unusable = ((uint64_t)1 << order) - 1, avail, min;
    bool block = false;
    unsigned k, mt;

    m_count(t);
    for (k = 0; k <= t->max_order; k++)
        for (mt = 0; mt < BUDDY_MIGRATE_TYPES; mt++) {
            free_pages += (uint64_t)t->m_cnt[k][mt] << k;
            if (mt == BUDDY_MIGRATE_ISOLATE)
                unusable += (uint64_t)t->m_cnt[k][mt] << k;
            if (mt < BUDDY_MIGRATE_PCPTYPES && t->m_cnt[k][mt] != 0 &&
                k >= order)
                block = true;
        }
    if (!block)
        return false;
    if (mark < 0)
        return true;
    if (free_pages < unusable)
        return false;
    avail = free_pages - unusable;
    min = t->wm[mark] + t->m_boost;
    if (reserves & BUDDY_GFP_HIGH) {
        min -= min / 2;
        if (reserves & BUDDY_GFP_NOWAIT)
            min -= min / 4;
    }
    return avail > min;
}

/* The block covering idx (its head). */
static uint32_t m_block_head(const struct typed *t, uint32_t idx)
{
    uint32_t i = idx;

    for (;;) {
        if (t->m_head[i] != 0 &&
            (uint64_t)i + ((uint64_t)1 << m_order(t, i)) > idx)
            return i;
        if (i == 0)
            return idx;
        i--;
    }
}

/* retype_pageblock: pageblock pb becomes `type` (saved: what an ISOLATE
 * one goes back to), its free blocks freed again as the new type; a
 * larger free block around it first cut into pageblocks. */
static void m_retype(struct typed *t, uint32_t pb, unsigned type,
                     unsigned saved)
{
    uint64_t first = (uint64_t)pb << t->pbo;
    uint64_t last = first + ((uint64_t)1 << t->pbo);
    uint32_t start = first > t->skew ? (uint32_t)(first - t->skew) : 0u;
    uint32_t end = last - t->skew < t->pages ? (uint32_t)(last - t->skew)
                                             : t->pages;
    uint32_t idx = m_block_head(t, start);
    unsigned mt;

    if (t->m_free[idx] && t->m_head[idx] != 0 && m_order(t, idx) > t->pbo) {
        uint32_t n = (uint32_t)1 << (m_order(t, idx) - t->pbo), i;

        t->m_head[idx] = 0;
        t->m_pb[pb] = (uint8_t)type;
        t->m_saved[pb] = (uint8_t)saved;
        for (i = 0; i < n; i++) {
            uint32_t c = idx + (i << t->pbo);

            m_free_one(t, c, t->pbo, m_type_at(t, c));
        }
        return;
    }
    t->m_pb[pb] = (uint8_t)type;
    t->m_saved[pb] = (uint8_t)saved;
    mt = type;
    while (idx < end && t->m_head[idx] != 0) {
        uint32_t size = (uint32_t)1 << m_order(t, idx);

        if (t->m_free[idx]) {
            unsigned o = m_order(t, idx);

            t->m_head[idx] = 0;
            m_free_one(t, idx, o, mt);
        }
        idx += size;
    }
}

/* Isolate (or undo) the pageblocks [off, off + len) touches; the expected
 * return code. */
static int m_isolate(struct typed *t, uint32_t off, uint32_t len, bool iso)
{
    uint32_t first = m_pb_of(t, off), last = m_pb_of(t, off + len - 1), pb;

    for (pb = first; iso && pb <= last; pb++)
        if (t->m_pb[pb] == BUDDY_MIGRATE_ISOLATE) {
            t->m_rejected++;
            return BUDDY_EBUSY;
        }
    for (pb = first; pb <= last; pb++) {
        if (iso)
            m_retype(t, pb, BUDDY_MIGRATE_ISOLATE, t->m_pb[pb]);
        else if (t->m_pb[pb] == BUDDY_MIGRATE_ISOLATE)
            m_retype(t, pb, m_map(t, t->m_saved[pb]), 0);
    }
    return 0;
}

/* The model against the library: every pageblock's type, the free blocks
 * per order and type, the fallback counts. */
static void m_compare(struct typed *t)
{
    struct buddy_zone_pagetypes pt;
    struct buddy_zone_stats st;
    uint64_t want[BUDDY_NR_ORDERS][BUDDY_MIGRATE_TYPES];
    uint32_t pb;
    unsigned k, mt;

    if (t->failed)
        return;
    m_count(t);
    for (k = 0; k < BUDDY_NR_ORDERS; k++)
        for (mt = 0; mt < BUDDY_MIGRATE_TYPES; mt++)
            want[k][mt] = t->m_cnt[k][mt];
    if (buddy_zone_get_pagetypes(t->z, &pt) != 0) {
        fail(t, "model: get_pagetypes");
        return;
    }
    for (k = 0; k <= t->max_order; k++)
        for (mt = 0; mt < BUDDY_MIGRATE_TYPES; mt++)
            if (pt.nr_free[k][mt] != want[k][mt]) {
                fprintf(stderr, "  nr_free[%u][%s]: library %" PRIu64
                                ", model %" PRIu64 "\n",
                        k, buddy_migratetype_name((enum buddy_migratetype)mt),
                        pt.nr_free[k][mt], want[k][mt]);
                fail(t, "model: free blocks per order and type differ");
                return;
            }
    for (pb = 0; pb < t->nr_pb; pb++) {
        buddy_pfn_t pfn = (((t->start >> t->pbo) + pb) << t->pbo);
        enum buddy_migratetype now;

        if (pfn < t->start)
            pfn = t->start;
        if (buddy_zone_pageblock_type(t->z, pfn, &now) != 0 ||
            (unsigned)now != t->m_pb[pb]) {
            fprintf(stderr, "  pageblock %u (pfn %" PRIu64 "): library %s, "
                            "model %s\n",
                    pb, pfn, buddy_migratetype_name(now),
                    buddy_migratetype_name(
                        (enum buddy_migratetype)t->m_pb[pb]));
            fail(t, "model: pageblock types differ");
            return;
        }
    }
    {
        struct buddy_zone_watermarks wm;

        if (buddy_zone_get_watermarks(t->z, &wm) != 0 ||
            wm.boost != t->m_boost)
            fail(t, "model: the watermark boost differs");
    }
    if (buddy_zone_get_stats(t->z, &st) == 0 &&
        (st.claims != t->m_claims || st.steals != t->m_steals ||
         st.alloc_failures != t->m_failures || st.rejected != t->m_rejected))
        fail(t, "model: claims, steals, failures or rejections differ");
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
    m_compare(t);
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
    uint32_t i;

    memset(t, 0, sizeof(*t));
    t->start = start;
    t->pages = pages;
    t->max_order = max_order;
    t->pbo = pageblock_order != 0 ? pageblock_order
                                  : (max_order < 9 ? max_order : 9);
    t->grouping = grouping;
    t->skew = (uint32_t)(start & (((buddy_pfn_t)1 << t->pbo) - 1));
    t->nr_pb = (uint32_t)(((start + pages - 1) >> t->pbo) - (start >> t->pbo) +
                          1);
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
    t->m_head = calloc(pages, 1);
    t->m_free = calloc(pages, 1);
    t->m_pb = calloc(t->nr_pb, 1);
    t->m_saved = calloc(t->nr_pb, 1);
    if (t->meta == NULL || t->owner == NULL || t->m_head == NULL ||
        t->m_free == NULL || t->m_pb == NULL || t->m_saved == NULL ||
        buddy_zone_init(t->meta, size, &cfg, &t->z) != 0 ||
        buddy_zone_add_range(t->z, start, pages) != 0) {
        fail(t, "zone setup");
        return false;
    }
    for (k = 0; k <= max_order; k++)
        if (buddy_zone_nr_free(t->z, k, &t->fresh[k]) != 0)
            fail(t, "nr_free");
    /* Marks a zone of this size reaches: min a sixteenth of it. */
    {
        struct buddy_wmark_config wc = BUDDY_WMARK_CONFIG_INIT;
        struct buddy_zone_watermarks wm;

        wc.min_free_kbytes = (pages / 16 + 1) * (BUDDY_DEFAULT_PAGE_SIZE / 1024);
        if (buddy_zone_set_watermarks(t->z, &wc) != 0 ||
            buddy_zone_get_watermarks(t->z, &wm) != 0) {
            fail(t, "watermarks");
            return false;
        }
        for (k = 0; k < BUDDY_NR_WMARK; k++)
            t->wm[k] = wm.wmark[k];
        t->boost_factor = wm.boost_factor;
    }
    /* The model's zone: every pageblock movable (with grouping off,
     * unmovable), the span cut into the largest aligned blocks. */
    for (i = 0; i < t->nr_pb; i++)
        t->m_pb[i] = (uint8_t)m_map(t, BUDDY_MIGRATE_MOVABLE);
    for (i = 0; i < pages;) {
        k = max_order;
        while (k > 0 && (((start + i) & (((buddy_pfn_t)1 << k) - 1)) != 0 ||
                         (uint64_t)i + ((uint64_t)1 << k) > pages))
            k--;
        m_set_head(t, i, k, true);
        i += (uint32_t)1 << k;
    }
    check(t);
    return !t->failed;
}

void typed_destroy(struct typed *t)
{
    free(t->m_head);
    free(t->m_free);
    free(t->m_pb);
    free(t->m_saved);
    free(t->owner);
    free(t->meta);
    t->owner = NULL;
    t->meta = NULL;
    t->z = NULL;
}

void typed_alloc(struct typed *t, unsigned order, unsigned mt)
{
    bool can = servable(t, order);
    buddy_pfn_t pfn = BUDDY_PFN_NONE;
    uint64_t i;
    int err;

    if (t->nr_live == TYPED_MAX_LIVE || order > t->max_order)
        return;
    err = buddy_zone_alloc_pages_type(t->z, order, (enum buddy_migratetype)mt,
                                      &pfn);
    m_alloc(t, order, mt, err, pfn);
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

void typed_alloc_flags(struct typed *t, unsigned order, unsigned mt,
                       unsigned reserves)
{
    static const unsigned type_flags[BUDDY_MIGRATE_PCPTYPES] = {
        0, BUDDY_GFP_MOVABLE, BUDDY_GFP_RECLAIMABLE};
    buddy_pfn_t pfn = BUDDY_PFN_NONE;
    int mark = reserves & BUDDY_GFP_MEMALLOC ? -1 : BUDDY_WMARK_MIN;
    bool ok;
    uint64_t i;
    int err;

    if (t->nr_live == TYPED_MAX_LIVE || order > t->max_order ||
        mt >= BUDDY_MIGRATE_PCPTYPES)
        return;
    /* GFP_ATOMIC above order 0 reserves HIGHATOMIC pageblocks, which the
     * model does not follow (tests/unit/test_migrate.c does). */
    if ((reserves & BUDDY_GFP_ATOMIC) == BUDDY_GFP_ATOMIC)
        order = 0;
    /* The fast pass against low with no reserves, then the slow one
     * against min with the flags' (one zone: no kswapd, no shrinkers). */
    ok = m_wmark_ok(t, order, BUDDY_WMARK_LOW, 0) ||
         m_wmark_ok(t, order, mark, reserves);
    err = buddy_zone_alloc_pages_flags(t->z, order, reserves | type_flags[mt],
                                       &pfn);
    if (!ok) {
        if (err != BUDDY_ENOMEM)
            fail(t, "model: the watermarks should have refused it");
        t->m_failures++;
        check(t);
        return;
    }
    if (err != 0) {
        fail(t, "model: the watermarks should have let it through");
        return;
    }
    m_alloc(t, order, mt, err, pfn);
    for (i = 0; i < ((uint64_t)1 << order) && !t->failed; i++) {
        if (t->owner[pfn - t->start + i])
            fail(t, "block overlaps a live one");
        t->owner[pfn - t->start + i] = 1;
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
    m_free_block(t, (uint32_t)(b.pfn - t->start), b.order);
    if (buddy_zone_free_pages(t->z, b.pfn, b.order) != BUDDY_EDOUBLEFREE)
        fail(t, "a second free was not EDOUBLEFREE");
    t->m_rejected++;
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
    if (err != m_isolate(t, off, len, true))
        fail(t, "model: isolation's return code differs");
    check(t);
}

void typed_undo(struct typed *t, uint32_t off, uint32_t len)
{
    off %= t->pages;
    len = 1 + len % (t->pages - off);
    if (buddy_zone_undo_isolate_range(t->z, t->start + off, len) != 0)
        fail(t, "undo refused");
    (void)m_isolate(t, off, len, false);
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
    (void)m_isolate(t, 0, t->pages, false);
    check(t);
    for (k = 0; k <= t->max_order && !t->failed; k++) {
        uint64_t now = 0;

        if (buddy_zone_nr_free(t->z, k, &now) != 0 || now != t->fresh[k])
            fail(t, "not whole again after every free and undo");
    }
}
