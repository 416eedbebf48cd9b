/* SPDX-License-Identifier: MIT */
/*
 * pageblock.c: grouping by mobility, the kernel's defence against
 * fragmentation (mm/page_alloc.c: __rmqueue_claim, __rmqueue_steal,
 * try_to_claim_block, move_freepages_block, boost_watermark).
 *
 * A zone is cut into pageblocks of 2^pageblock_order pages, in pfn space
 * (a pageblock may reach past either end of the span). Each has a migrate
 * type, one byte of out-of-band metadata, and each free block sits on the
 * list of its pageblock's type (I10). An allocation says its type and
 * takes, smallest first, from that type's lists (page_alloc.c). Only when
 * they hold no block of its order or larger does it fall back to another
 * type's blocks, in the kernel's order (unmovable: reclaimable, movable;
 * movable: reclaimable, unmovable; reclaimable: unmovable, movable;
 * HIGHATOMIC and ISOLATE never fall back):
 *
 *   claim  from the largest order down, while the request would claim at
 *          that order (should_try_claim): a block of pageblock_order or
 *          more changes type whole; a smaller one's pageblock changes type
 *          when its free pages and the pages compatible with the request
 *          are at least half of it, and its free blocks move lists. So an
 *          unmovable allocation that has to take movable memory takes a
 *          whole pageblock, and later unmovable allocations fill it
 *          instead of spreading through the zone.
 *   steal  else, from the request's order up, the smallest block of a
 *          fallback type, its pageblock left as it was: the kernel's
 *          current rule, which takes no more than it needs from a
 *          pageblock it cannot claim.
 *
 * Which pages of a pageblock are "compatible" the kernel reads from page
 * flags (LRU pages are movable). The zone keeps no type per allocation, so
 * it assumes what grouping makes true almost always: an allocated block is
 * of its pageblock's type. Cached, reserved and hole pages, which the
 * kernel does not see as movable either, count as unmovable.
 *
 * Merging across pageblocks and freeing blocks larger than one are in
 * page_alloc.c (buddy__free_one).
 *
 * Costs: a fallback is O(max_order) list probes plus, for a claim below
 * pageblock_order, one walk of the pageblock's blocks, O(2^pageblock_order)
 * in the worst case. A batch remembers how far it fell (the mode, as the
 * kernel's rmqueue_mode) so that a cache refill that had to steal does not
 * search for a block to claim once per block.
 */
#include "internal.h"

/* The kernel's fallbacks[]: where each pcp type looks when its own lists
 * are empty, in order. */
static const uint8_t fallbacks[BUDDY_MIGRATE_PCPTYPES]
                              [BUDDY_MIGRATE_PCPTYPES - 1] = {
    {BUDDY_MIGRATE_RECLAIMABLE, BUDDY_MIGRATE_MOVABLE},   /* UNMOVABLE */
    {BUDDY_MIGRATE_RECLAIMABLE, BUDDY_MIGRATE_UNMOVABLE}, /* MOVABLE */
    {BUDDY_MIGRATE_UNMOVABLE, BUDDY_MIGRATE_MOVABLE},     /* RECLAIMABLE */
};

void buddy__pb_set_block(struct buddy_zone *z, uint32_t idx, unsigned order,
                         unsigned mt)
{
    unsigned pbo = z->pageblock_order;
    uint32_t pb = buddy__pb_of(z, idx);
    uint32_t n = order > pbo ? (uint32_t)1 << (order - pbo) : 1u, i;

    for (i = 0; i < n; i++)
        buddy__pb_set(z, pb + i, mt);
}

/* should_try_claim_block: large requests, and the types that would pollute
 * a pageblock for good, try to claim the whole of it; small movable ones
 * only steal, since what they take can move away again. */
static bool should_try_claim(const struct buddy_zone *z, unsigned order,
                             unsigned start_mt)
{
    return order >= z->pageblock_order / 2 ||
           start_mt != BUDDY_MIGRATE_MOVABLE || !buddy__grouping(z);
}

/* find_suitable_fallback: the first fallback type with a free block of
 * exactly `order`; -1 for none; -2 when a claim would not be tried at
 * this order (nor, the rule being monotonic, below it). */
static int find_fallback(const struct buddy_zone *z, unsigned order,
                         unsigned mt, bool claim)
{
    unsigned i;

    if (claim && !should_try_claim(z, order, mt))
        return -2;
    for (i = 0; i < BUDDY_MIGRATE_PCPTYPES - 1; i++) {
        unsigned f = fallbacks[mt][i];

        if ((z->nonempty[f] >> order) & 1u)
            return (int)f;
    }
    return -1;
}

/* boost_watermark: a fragmenting fallback raises the zone's marks by a
 * pageblock, up to watermark_boost_factor / 10000 of the high mark, so
 * that reclaim frees more before the next one is needed. Not in zones
 * under four pageblocks, nor before the marks are set. Returns whether
 * the zone is boosted (also when it already was at the cap), as the
 * kernel's does, so the caller wakes kswapd to reclaim it back. Balancing
 * takes the boost back (buddy_system_balance_node). Lock held. */
static bool boost_watermark(struct buddy_zone *z)
{
    uint64_t pages = (uint64_t)1 << z->pageblock_order;
    uint64_t high = z->wmarks.wmark[BUDDY_WMARK_HIGH], max_boost;

    if (z->wmarks.boost_factor == 0 || pages * 4 > buddy__managed_pages(z))
        return false;
    /* mult_frac without the overflow: high < 2^32 for any zone. */
    max_boost = high / 10000 * z->wmarks.boost_factor +
                high % 10000 * z->wmarks.boost_factor / 10000;
    if (max_boost == 0)
        return false;
    if (max_boost < pages)
        max_boost = pages;
    z->wmarks.boost = z->wmarks.boost + pages < max_boost
                          ? z->wmarks.boost + pages
                          : max_boost;
    return true;
}

/* The pageblock holding idx as [*start, *start + pages): false when it
 * reaches past either end of the span (the kernel will not move a block
 * that straddles the zone). */
static bool pageblock_span(const struct buddy_zone *z, uint32_t idx,
                           uint32_t *start)
{
    uint64_t pages = (uint64_t)1 << z->pageblock_order;
    uint64_t first = ((uint64_t)idx + z->pb_skew) & ~(pages - 1);

    if (first < z->pb_skew || first - z->pb_skew + pages > z->spanned)
        return false;
    *start = (uint32_t)(first - z->pb_skew);
    return true;
}

/* prep_move_freepages_block's count: the free pages of the pageblock at
 * start, and the allocated pages taken as movable (those of a MOVABLE
 * pageblock: the file header says why). O(blocks in it). */
static void count_pageblock(const struct buddy_zone *z, uint32_t start,
                            unsigned block_mt, uint32_t *nr_free,
                            uint32_t *nr_movable)
{
    uint32_t end = start + ((uint32_t)1 << z->pageblock_order), idx = start;

    *nr_free = *nr_movable = 0;
    while (idx < end) {
        uint8_t s = pg_get(z, idx);
        uint32_t size = (uint32_t)1 << pg_order(s);

        /* A block of order below pageblock_order is free in it, so every
         * block overlapping the pageblock lies inside it (I1, I2). */
        buddy_assert_internal(s != 0 && size <= end - idx);
        if (s == 0)
            size = 1;
        if (pg_kind(s) == BUDDY_BLOCK_FREE)
            *nr_free += size;
        else if (pg_kind(s) == BUDDY_BLOCK_ALLOCATED &&
                 block_mt == BUDDY_MIGRATE_MOVABLE)
            *nr_movable += size;
        idx += size;
    }
}

/* move_freepages_block: the pageblock at start becomes type `to` and its
 * free blocks, all on lists `from`, move to lists `to` (at the tail, as
 * the kernel's move_to_free_list). Returns the pages moved. Lock held. */
static uint32_t move_freepages_block(struct buddy_zone *z, uint32_t start,
                                     unsigned from, unsigned to)
{
    uint32_t end = start + ((uint32_t)1 << z->pageblock_order), idx = start;
    uint32_t moved = 0;

    buddy__pb_set(z, buddy__pb_of(z, start), to);
    to = buddy__pb_type(z, start); /* unmovable with grouping off */
    while (idx < end) {
        uint8_t s = pg_get(z, idx);
        unsigned order = pg_order(s);

        if (s == 0) { /* not a head: corrupt; the validator says where */
            idx++;
            continue;
        }
        if (pg_kind(s) == BUDDY_BLOCK_FREE) {
            buddy__del_from_free_list(z, idx, order, from);
            buddy__add_to_free_list(z, idx, order, to, true);
            moved += (uint32_t)1 << order;
        }
        idx += (uint32_t)1 << order;
    }
    return moved;
}

/* try_to_claim_block for the head block of list block_mt at order cur.
 * A claim below a pageblock boosts the marks; for a request that may wake
 * kswapd it marks the zone boosted, since the node may be balanced as a
 * whole and kswapd would not wake on its own to take the boost back. */
static uint32_t try_to_claim(struct buddy_zone *z, unsigned cur,
                             unsigned order, unsigned start_mt,
                             unsigned block_mt, unsigned aflags)
{
    uint32_t idx, start, nr_free, nr_movable, alike;
    uint32_t half = (uint32_t)1 << z->pageblock_order >> 1;

    if (cur >= z->pageblock_order) { /* whole pageblocks change owner */
        idx = buddy__take_head(z, cur, block_mt);
        buddy__pb_set_block(z, idx, cur, start_mt);
        buddy__expand(z, idx, cur, order, buddy__pb_type(z, idx));
        return idx;
    }
    if (boost_watermark(z) && (aflags & BUDDY__ALLOC_KSWAPD))
        z->boosted_wmark = 1;
    idx = z->free_area[cur].list[block_mt].head;
    if (!pageblock_span(z, idx, &start))
        return BUDDY_NIL;
    count_pageblock(z, start, block_mt, &nr_free, &nr_movable);
    if (start_mt == BUDDY_MIGRATE_MOVABLE)
        alike = nr_movable;
    else if (block_mt == BUDDY_MIGRATE_MOVABLE)
        alike = ((uint32_t)1 << z->pageblock_order) - nr_free - nr_movable;
    else /* unmovable and reclaimable pages cannot be told apart */
        alike = 0;
    if (nr_free + alike < half && buddy__grouping(z))
        return BUDDY_NIL;
    (void)move_freepages_block(z, start, block_mt, start_mt);
    return buddy__rmqueue_smallest(z, order, buddy__pb_type(z, start));
}

/* trace_mm_page_alloc_extfrag: the fallback, as the hook sees it, with
 * change_ownership read from the pageblock afterwards as the kernel's
 * tracepoint reads it. */
static void extfrag(struct buddy_zone *z, uint32_t idx, unsigned order,
                    unsigned fallback_order, unsigned mt, unsigned f)
{
    if (buddy_hook_set(z)) {
        struct buddy_event ev = {
            .type = BUDDY_EV_EXTFRAG,
            .pfn = z->start_pfn + idx,
            .order = order,
            .buddy = BUDDY_PFN_NONE,
            .fallback_order = fallback_order,
            .alloc_type = (enum buddy_migratetype)mt,
            .fallback_type = (enum buddy_migratetype)f,
            .change_ownership = buddy__pb_type(z, idx) == mt};

        buddy__emit(z, &ev);
    }
}

/* __rmqueue_claim: the largest free block of a fallback type first, which
 * roughly finds the pageblock with the most free pages. */
static uint32_t rmqueue_claim(struct buddy_zone *z, unsigned order,
                              unsigned mt, unsigned min_order, unsigned aflags)
{
    unsigned cur = z->max_order + 1u;

    while (cur-- > min_order) {
        int f = find_fallback(z, cur, mt, true);
        uint32_t idx;

        if (f == -1)
            continue;
        if (f == -2)
            break;
        idx = try_to_claim(z, cur, order, mt, (unsigned)f, aflags);
        if (idx != BUDDY_NIL) {
            buddy_stat_inc(z, claims);
            extfrag(z, idx, order, cur, mt, (unsigned)f);
            return idx;
        }
    }
    return BUDDY_NIL;
}

/* __rmqueue_steal: the smallest block of a fallback type, its pageblock
 * unchanged; the halves expand() leaves stay on that type's lists. */
static uint32_t rmqueue_steal(struct buddy_zone *z, unsigned order,
                              unsigned mt)
{
    unsigned cur;

    for (cur = order; cur <= z->max_order; cur++) {
        int f = find_fallback(z, cur, mt, false);
        uint32_t idx;

        if (f < 0)
            continue;
        idx = buddy__take_head(z, cur, (unsigned)f);
        buddy__expand(z, idx, cur, order, (unsigned)f);
        buddy_stat_inc(z, steals);
        extfrag(z, idx, order, cur, mt, (unsigned)f);
        return idx;
    }
    return BUDDY_NIL;
}

uint32_t buddy__rmqueue_fallback(struct buddy_zone *z, unsigned order,
                                 unsigned mt, unsigned aflags, unsigned *mode)
{
    uint32_t idx;

    buddy_assert_locked(z);
    if (mt >= BUDDY_MIGRATE_PCPTYPES)
        return BUDDY_NIL; /* HIGHATOMIC and ISOLATE never fall back */
    if (*mode == BUDDY_RMQUEUE_NOFRAGMENT) /* stays so for the request */
        return rmqueue_claim(z, order, mt,
                             order > z->pageblock_order ? order
                                                        : z->pageblock_order,
                             aflags);
    if (*mode != BUDDY_RMQUEUE_STEAL) {
        idx = rmqueue_claim(z, order, mt, order, aflags);
        if (idx != BUDDY_NIL) {
            *mode = BUDDY_RMQUEUE_NORMAL; /* mt's lists have blocks again */
            return idx;
        }
    }
    idx = rmqueue_steal(z, order, mt);
    if (idx != BUDDY_NIL)
        *mode = BUDDY_RMQUEUE_STEAL;
    return idx;
}

/* ---- retyping a pageblock with its free blocks ---------------------------
 *
 * Isolation, its undo and giving back a HIGHATOMIC reserve change the type
 * of a pageblock that may be free whole, or part of a larger free block:
 * its free blocks are taken off their lists and freed again as the new
 * type, so that they merge as far as the new type lets them (I4) and sit
 * on its lists (I10). A larger free block around the pageblock is first cut
 * into pageblocks (the kernel's split_large_buddy), each freed with its own
 * type. Lock held. O(blocks in the pageblock x max_order).
 */
static void retype_pageblock(struct buddy_zone *z, uint32_t pb, uint8_t byte)
{
    unsigned pbo = z->pageblock_order;
    uint64_t first = ((uint64_t)pb << pbo), last = first + ((uint64_t)1 << pbo);
    uint32_t start, end, idx;
    unsigned old = buddy__pb_type_at(z, pb), mt;
    uint8_t s;

    /* The pageblock in the span: [first - skew, last - skew), clipped. */
    start = first > z->pb_skew ? (uint32_t)(first - z->pb_skew) : 0u;
    end = last - z->pb_skew < z->spanned ? (uint32_t)(last - z->pb_skew)
                                         : z->spanned;
    buddy__lazy_flush(z, start, end);
    idx = buddy__block_head(z, start);
    s = pg_get(z, idx);
    if (pg_kind(s) == BUDDY_BLOCK_FREE && pg_order(s) > pbo) {
        unsigned order = pg_order(s);
        uint32_t n = (uint32_t)1 << (order - pbo), i;

        buddy__del_from_free_list(z, idx, order, old);
        pg_set(z, idx, 0);
        buddy__pb_store(z, pb, byte);
        for (i = 0; i < n; i++) {
            uint32_t c = idx + (i << pbo);

            buddy__free_one(z, c, pbo, buddy__pb_type(z, c), false);
        }
        return;
    }
    buddy__pb_store(z, pb, byte);
    mt = buddy__pb_type_at(z, pb);
    while (idx < end) {
        uint32_t size;

        s = pg_get(z, idx);
        if (s == 0) /* not a head: corrupt; the validator says where */
            break;
        size = (uint32_t)1 << pg_order(s);
        if (pg_kind(s) == BUDDY_BLOCK_FREE) {
            buddy__del_from_free_list(z, idx, pg_order(s), old);
            pg_set(z, idx, 0);
            buddy__free_one(z, idx, pg_order(s), mt, false);
        }
        idx += size;
    }
}

/* ---- isolation (mm/page_isolation.c) ------------------------------------- */

/* Isolate (`isolate`) or undo it for every pageblock [pfn, pfn +
 * nr_pages) touches: the lock, the range, the all-or-nothing check of an
 * isolation, the retypes. */
static int isolate_op(struct buddy_zone *z, buddy_pfn_t pfn,
                      uint64_t nr_pages, bool isolate)
{
    uint32_t start = 0, end = 1, first = 0, last = 0, pb;
    int err;

    if (!buddy__zone_ok(z))
        return BUDDY_EBADZONE;
    buddy__lock(z);
    err = buddy__range_to_idx(z, pfn, nr_pages, &start, &end);
    if (err == 0) {
        first = buddy__pb_of(z, start);
        last = buddy__pb_of(z, end - 1);
    }
    /* A pageblock isolated already refuses the range, as
     * start_isolate_page_range's EBUSY. */
    for (pb = first; isolate && err == 0 && pb <= last; pb++)
        if (buddy__pb_type_at(z, pb) == BUDDY_MIGRATE_ISOLATE)
            err = BUDDY_EBUSY;
    if (err != 0) {
        buddy__reject(z, err, pfn, 0);
        buddy__unlock(z);
        return err;
    }
    for (pb = first; pb <= last; pb++) {
        uint8_t byte = buddy_load_relaxed(&z->pageblock[pb]);
        unsigned mt = buddy__pb_type_at(z, pb);

        if (isolate)
            retype_pageblock(z, pb,
                             buddy__pb_byte(z, BUDDY_MIGRATE_ISOLATE, mt));
        else if (mt == BUDDY_MIGRATE_ISOLATE) /* others are left alone, as
                                                 unset_migratetype_isolate
                                                 leaves them */
            retype_pageblock(z, pb,
                             buddy__pb_byte(z, byte >> BUDDY_PB_SAVED_SHIFT, 0));
    }
    buddy_check_expensive(z);
    buddy__unlock(z);
    return 0;
}

int buddy_zone_isolate_range(struct buddy_zone *z, buddy_pfn_t pfn,
                             uint64_t nr_pages)
{
    return isolate_op(z, pfn, nr_pages, true);
}

int buddy_zone_undo_isolate_range(struct buddy_zone *z, buddy_pfn_t pfn,
                                  uint64_t nr_pages)
{
    return isolate_op(z, pfn, nr_pages, false);
}

/* ---- the HIGHATOMIC reserve ----------------------------------------------- */

/* Pages the reserve may hold: 1% of the zone rounded up to pageblocks, or
 * none when 1% is less than a pageblock. */
static uint64_t highatomic_max(const struct buddy_zone *z)
{
    uint64_t pages = (uint64_t)1 << z->pageblock_order;
    uint64_t one_percent = buddy__managed_pages(z) / 100;

    if (one_percent < pages)
        return 0;
    return (one_percent + pages - 1) & ~(pages - 1);
}

void buddy__reserve_highatomic_locked(struct buddy_zone *z, uint32_t idx,
                                      unsigned order)
{
    uint64_t max = highatomic_max(z);
    unsigned mt = buddy__pb_type(z, idx);
    uint32_t start;

    buddy_assert_locked(z);
    if (z->nr_reserved_highatomic >= max || mt >= BUDDY_MIGRATE_PCPTYPES)
        return; /* full, or not a pageblock that merges with others */
    if (order < z->pageblock_order) {
        if (!pageblock_span(z, idx, &start))
            return;
        (void)move_freepages_block(z, start, mt, BUDDY_MIGRATE_HIGHATOMIC);
        z->nr_reserved_highatomic += (uint64_t)1 << z->pageblock_order;
    } else {
        buddy__pb_set_block(z, idx, order, BUDDY_MIGRATE_HIGHATOMIC);
        z->nr_reserved_highatomic += (uint64_t)1 << order;
    }
}

bool buddy__unreserve_highatomic_locked(struct buddy_zone *z, unsigned mt,
                                        bool force)
{
    uint64_t pages = (uint64_t)1 << z->pageblock_order;
    uint32_t mask = z->nonempty[BUDDY_MIGRATE_HIGHATOMIC];

    buddy_assert_locked(z);
    /* Keep one pageblock unless pressed hard (the kernel's force). */
    if (!force && z->nr_reserved_highatomic <= pages)
        return false;
    if (mask == 0 || mt >= BUDDY_MIGRATE_PCPTYPES)
        return false;
    {
        unsigned order = buddy_ctz32(mask);
        uint32_t idx = z->free_area[order].list[BUDDY_MIGRATE_HIGHATOMIC].head;
        uint32_t pb = buddy__pb_of(z, idx);
        uint64_t size = order > z->pageblock_order ? (uint64_t)1 << order
                                                   : pages;
        uint32_t n = order > z->pageblock_order
                         ? (uint32_t)1 << (order - z->pageblock_order)
                         : 1u, i;

        z->nr_reserved_highatomic -= size < z->nr_reserved_highatomic
                                         ? size
                                         : z->nr_reserved_highatomic;
        for (i = 0; i < n; i++)
            retype_pageblock(z, pb + i, buddy__pb_byte(z, mt, 0));
    }
    return true;
}
