/* SPDX-License-Identifier: MIT */
/*
 * zone.c: making a zone and feeding it memory.
 *
 * A zone starts as one span of holes. Memory enters it as free ranges, the
 * way the kernel hands memblock ranges to the buddy allocator at boot
 * (memblock_free_all -> __free_pages_core): each range is carved into the
 * largest naturally aligned blocks that fit and each block is freed, merging
 * with free neighbours, onto the tail of its list so that the first
 * allocations after boot come in ascending address order (FPI_TO_TAIL). Reserving takes free pages out again and marks them
 * RESERVED (memblock_reserve); adding a reserved range back frees it
 * (free_reserved_area).
 *
 * Both operations first walk the blocks the range overlaps and refuse, before
 * touching anything, if one is of the wrong kind. Then each overlapping block
 * is cut out: its parts outside the range are carved again with their old
 * kind, and the range itself is carved with its new kind. The cost is the
 * number of blocks overlapped plus the number made:
 * O(nr_pages / 2^max_order + max_order).
 *
 * Events during a range operation: while a range is being carved, part of
 * it belongs to no block, so a hook that walked the zone would see it half
 * made. range_op therefore unhooks the zone for the carving. The merges
 * inside a range operation are neither reported one by one nor counted in
 * `merges` (which so stays the number of MERGE events, and independent of
 * how much of a range the lazy run defers); the operation reports one
 * ADD_RANGE or RESERVE event once the zone is whole.
 *
 * Errors, first match wins: EBADZONE; EINVAL (nr_pages 0); ERANGE (not
 * inside the span); then the first overlapped block, in address order,
 * whose kind the operation refuses decides (add: EOVERLAP for free or
 * allocated memory; reserve: EHOLE, EBUSY). So an empty range is EINVAL
 * wherever it lies, and a range past the span is ERANGE whatever it
 * overlaps.
 */
#include "internal.h"

/* ---- configuration ----------------------------------------------------- */

/* Header size, rounded so the frame records after it are 8-aligned (the
 * buffer is). */
static size_t header_size(void)
{
    return (sizeof(struct buddy_zone) + 7u) & ~(size_t)7u;
}

/* The configuration's pageblock order: 0 asks for the default. */
static unsigned pageblock_order_of(const struct buddy_zone_config *cfg)
{
    if (cfg->pageblock_order != 0)
        return cfg->pageblock_order;
    return cfg->max_order < BUDDY_DEFAULT_PAGEBLOCK_ORDER
               ? cfg->max_order
               : BUDDY_DEFAULT_PAGEBLOCK_ORDER;
}

/* Pageblocks the span [start_pfn, start_pfn + nr_pages) touches: at most
 * nr_pages + 1. */
static uint64_t nr_pageblocks_of(buddy_pfn_t start_pfn, uint64_t nr_pages,
                                 unsigned pbo)
{
    return ((start_pfn + nr_pages - 1) >> pbo) - (start_pfn >> pbo) + 1;
}

/* Bytes of metadata for a span of nr_pages (at most BUDDY_MAX_ZONE_PAGES)
 * and its pageblocks: under 2^37, so exact in uint64_t on every target.
 * Whether it fits size_t is check_config's question. */
static uint64_t meta_bytes(const struct buddy_zone_config *cfg, unsigned pbo)
{
    return (uint64_t)header_size() +
           (uint64_t)BUDDY_META_BYTES_PER_PAGE * cfg->nr_pages +
           nr_pageblocks_of(cfg->start_pfn, cfg->nr_pages, pbo) +
           (cfg->flags & BUDDY_ZONE_OWNERS ? cfg->nr_pages : 0);
}

/* Every size limit of a zone is checked here, once, before anything is
 * written; after it, every index, pfn, byte offset and metadata offset the
 * zone computes fits its type (docs/design.md, size arithmetic). */
static int check_config(const struct buddy_zone_config *cfg, unsigned *shift)
{
    if (cfg == NULL)
        return BUDDY_ENULL;
    if (cfg->page_size < BUDDY_MIN_PAGE_SIZE ||
        (cfg->page_size & (cfg->page_size - 1)) != 0)
        return BUDDY_EPAGESIZE;
    if (cfg->max_order > BUDDY_MAX_ORDER_LIMIT)
        return BUDDY_EMAXORDER;
    if (cfg->flags & ~(BUDDY_ZONE_META_ZEROED | BUDDY_ZONE_NO_GROUPING |
                       BUDDY_ZONE_OWNERS))
        return BUDDY_EINVAL;
    /* A pageblock holds whole blocks of every order up to it, and the
     * kernel's pageblock_order is at most MAX_PAGE_ORDER. */
    if (cfg->pageblock_order > cfg->max_order)
        return BUDDY_EINVAL;
    /* start_pfn + nr_pages <= BUDDY_PFN_NONE, tested without the sum: the
     * last pfn is below BUDDY_PFN_NONE, and pfn + idx never wraps. */
    if (cfg->nr_pages == 0 || cfg->nr_pages > BUDDY_MAX_ZONE_PAGES ||
        cfg->start_pfn > BUDDY_PFN_NONE - cfg->nr_pages)
        return BUDDY_ESPAN;
    /* On a 32-bit target a span of about 2^28.8 pages needs more metadata
     * than size_t can count: no buffer can hold it. */
    if (meta_bytes(cfg, pageblock_order_of(cfg)) > SIZE_MAX)
        return BUDDY_ESPAN;
    *shift = buddy_log2_64(cfg->page_size);
    if (cfg->base != NULL) {
        uintptr_t base = (uintptr_t)cfg->base;

        if (base & (cfg->page_size - 1))
            return BUDDY_EALIGN;
        /* The span's end, base + nr_pages * page_size, must be an address:
         * then every page address and every block size in bytes fits
         * uintptr_t. Tested without the product: base and the top of the
         * address space + 1 are page aligned, so this says
         * base + span <= 2^W - page_size (W the pointer width). */
        if (cfg->nr_pages > (uint64_t)(UINTPTR_MAX - base) >> *shift)
            return BUDDY_ESPAN;
    }
    return 0;
}

size_t buddy_zone_meta_size(const struct buddy_zone_config *cfg)
{
    unsigned shift;

    if (check_config(cfg, &shift) != 0)
        return 0;
    /* fits: check_config */
    return (size_t)meta_bytes(cfg, pageblock_order_of(cfg));
}

int buddy_zone_init(void *meta, size_t meta_size,
                    const struct buddy_zone_config *cfg,
                    struct buddy_zone **zone_out)
{
    struct buddy_zone *z = meta;
    unsigned shift, k;
    int err;
    const char *name;
    uint8_t *p;

    if (meta == NULL || zone_out == NULL)
        return BUDDY_ENULL;
    err = check_config(cfg, &shift);
    if (err != 0)
        return err;
    if ((uintptr_t)meta & 7u)
        return BUDDY_EALIGN;
    /* [meta, meta + meta_size) must be addresses, its end included. */
    if (meta_size > UINTPTR_MAX - (uintptr_t)meta)
        return BUDDY_EINVAL;
    /* The configuration is valid, so its size fits size_t and is never 0:
     * no buffer passes for one that does not. */
    if (meta_size < (size_t)meta_bytes(cfg, pageblock_order_of(cfg)))
        return BUDDY_ENOSPC;
    /* A live zone with caches attached: the caches point into this buffer
     * and would corrupt the new zone. buddy_pcp_fini them first. */
    if (z->magic == BUDDY_ZONE_MAGIC && z->nr_caches != 0)
        return BUDDY_EATTACHED;

    buddy_memset(z, 0, sizeof(*z));
    p = (uint8_t *)meta + header_size();
    z->frame = (union buddy__frame *)(void *)p;
    /* Past the records half a record a page at a time: on a 32-bit target
     * the records of the largest spans pass 2^31 bytes, more than one
     * pointer step (a ptrdiff_t) carries; half of them never do. */
    p += sizeof(union buddy__frame) / 2 * cfg->nr_pages;
    p += sizeof(union buddy__frame) / 2 * cfg->nr_pages;
    z->state = p;
    p += cfg->nr_pages;
    z->pageblock = p;
    z->pageblock_order = (uint8_t)pageblock_order_of(cfg);
    z->nr_pageblocks = (uint32_t)nr_pageblocks_of(
        cfg->start_pfn, cfg->nr_pages, z->pageblock_order);
    /* The owners after the pageblocks' bytes, so the arrays before keep
     * their places with and without them. */
    if (cfg->flags & BUDDY_ZONE_OWNERS)
        z->owner = p + z->nr_pageblocks;
    z->pb_skew = (uint32_t)(cfg->start_pfn &
                            (((buddy_pfn_t)1 << z->pageblock_order) - 1));
    /* A stored 0 is the type every pageblock starts as: MOVABLE, as the
     * kernel's at boot, or UNMOVABLE when grouping is off. */
    z->pb_key = cfg->flags & BUDDY_ZONE_NO_GROUPING ? BUDDY_MIGRATE_UNMOVABLE
                                                    : BUDDY_MIGRATE_MOVABLE;
    /* Every non-head page must read 0 (I1), every pageblock its first
     * type (I10). This is the only O(spanned) step, skipped when the
     * caller promises a zeroed buffer; the frame records are never read
     * as links before they are written. */
    if (!(cfg->flags & BUDDY_ZONE_META_ZEROED))
        buddy_memset(z->state, 0,
                     (size_t)cfg->nr_pages + z->nr_pageblocks +
                         (z->owner != NULL ? (size_t)cfg->nr_pages : 0));

    z->start_pfn = cfg->start_pfn;
    z->spanned = (uint32_t)cfg->nr_pages;
    z->max_order = (uint8_t)cfg->max_order;
    z->page_shift = (uint8_t)shift;
    z->node_id = -1;
    z->zone_idx = -1;
    z->base = (uintptr_t)cfg->base;
    z->addr_pages = z->base != 0 ? z->spanned : 0;
    if (z->base != 0) {
        /* Address of pfn P is base - start_pfn * page_size + P * page_size:
         * blocks of order k are address-aligned iff that origin is a
         * multiple of 2^k pages. start_pfn * page_size can pass 2^64, but
         * only its residue mod 2^W decides alignments below 2^W, the only
         * ones an address has; so the origin is computed in uintptr_t
         * (page_shift < W), and an origin of 0 is aligned to all of them. */
        uintptr_t origin = z->base - ((uintptr_t)cfg->start_pfn << shift);

        z->addr_align_shift = (uint8_t)(origin == 0 ? BUDDY_PTR_BITS - 1u
                                                    : buddy_ctz64(origin));
    }
    for (k = 0; k < BUDDY_NR_ORDERS; k++) {
        unsigned t;

        for (t = 0; t < BUDDY_MIGRATE_TYPES; t++)
            z->free_area[k].list[t].head = z->free_area[k].list[t].tail =
                BUDDY_NIL;
    }
    name = cfg->name != NULL ? cfg->name : "Normal";
    for (k = 0; k < BUDDY_ZONE_NAME_MAX && name[k] != '\0'; k++)
        z->name[k] = name[k];
    z->name[k] = '\0';

    buddy__carve(z, 0, z->spanned, BUDDY_BLOCK_HOLE);
    z->magic = BUDDY_ZONE_MAGIC;
    *zone_out = z;
    return 0;
}

int buddy_zone_set_hook(struct buddy_zone *z, buddy_event_fn fn, void *arg)
{
    if (!buddy__zone_ok(z))
        return BUDDY_EBADZONE;
    buddy__lock(z);
    z->hook = fn;
    z->hook_arg = arg;
    buddy__unlock(z);
    return 0;
}

int buddy_zone_set_lock(struct buddy_zone *z, const struct buddy_lock_ops *ops)
{
    struct buddy__pcp *pcp;
    uint32_t n;

    if (!buddy__zone_ok(z))
        return BUDDY_EBADZONE;
    if (ops != NULL && (ops->lock == NULL || ops->unlock == NULL))
        return BUDDY_ENULL;
    if (ops != NULL)
        z->lock = *ops;
    else
        buddy_memset(&z->lock, 0, sizeof(z->lock));
    /* Caches attached already run fenced when the zone has a lock but no
     * sync_cpus (pcp.c). */
    for (pcp = z->caches, n = 0; pcp != NULL && n < z->nr_caches;
         pcp = pcp->next, n++)
        buddy__pcp_set_mode(pcp);
    return 0;
}

/* ---- carving ----------------------------------------------------------- */

void buddy__carve(struct buddy_zone *z, uint32_t idx, uint32_t end,
                  unsigned kind)
{
    unsigned cap = kind == BUDDY_BLOCK_FREE ? z->max_order
                                            : BUDDY_MAX_ORDER_LIMIT;

    while (idx < end) {
        buddy_pfn_t pfn = z->start_pfn + idx;
        unsigned order = pfn == 0 ? cap : buddy_ctz64(pfn);

        if (order > cap)
            order = cap;
        while (((uint64_t)1 << order) > (uint64_t)(end - idx))
            order--;
        if (kind == BUDDY_BLOCK_FREE)
            buddy__free_one_block(z, idx, order, true);
        else
            pg_set(z, idx, pg_state(kind, order));
        idx += (uint32_t)1 << order;
    }
}

/* ---- ranges ------------------------------------------------------------ */

/* Which kinds a range operation accepts, and the error for each other kind. */
struct range_rule {
    int hole, free, allocated, reserved; /* 0 = accepted, else the error */
};

int buddy__range_to_idx(const struct buddy_zone *z, buddy_pfn_t pfn,
                        uint64_t nr_pages, uint32_t *start, uint32_t *end)
{
    buddy_pfn_t rel = pfn - z->start_pfn;

    if (nr_pages == 0)
        return BUDDY_EINVAL;
    if (pfn < z->start_pfn || rel >= z->spanned ||
        nr_pages > z->spanned - rel)
        return BUDDY_ERANGE;
    *start = (uint32_t)rel;
    *end = (uint32_t)(rel + nr_pages);
    return 0;
}

/* First pass: refuse if any overlapped block's kind is not accepted. */
static int range_check(const struct buddy_zone *z, uint32_t start,
                       uint32_t end, const struct range_rule *rule,
                       buddy_pfn_t *bad_pfn)
{
    uint32_t idx = buddy__block_head(z, start);

    if (idx == BUDDY_NIL)
        return BUDDY_ECORRUPT;
    while (idx < end) {
        uint8_t s = buddy__in_lazy(z, idx)
                        ? pg_state(BUDDY_BLOCK_FREE, z->max_order)
                        : pg_get(z, idx);
        int err;

        switch (pg_kind(s)) {
        case BUDDY_BLOCK_HOLE:
            err = rule->hole;
            break;
        case BUDDY_BLOCK_FREE:
            err = rule->free;
            break;
        case BUDDY_BLOCK_ALLOCATED:
        case BUDDY_BLOCK_CACHED: /* its cache's owner holds it */
            err = rule->allocated;
            break;
        case BUDDY_BLOCK_RESERVED:
            err = rule->reserved;
            break;
        default:
            err = BUDDY_ECORRUPT;
            break;
        }
        if (err != 0) {
            *bad_pfn = z->start_pfn + (idx > start ? idx : start);
            return err;
        }
        idx += (uint32_t)1 << pg_order(s);
    }
    return 0;
}

/* Second pass: cut every overlapped block out of the way, re-carving its
 * parts outside [start, end) with its old kind. Returns the pages inside
 * the range that were of `count_kind`. Leaves [start, end) all zero. */
static uint64_t range_isolate(struct buddy_zone *z, uint32_t start,
                              uint32_t end, unsigned count_kind)
{
    uint32_t idx = buddy__block_head(z, start);
    uint64_t counted = 0;

    while (idx < end) {
        uint8_t s = pg_get(z, idx);
        unsigned kind = pg_kind(s), order = pg_order(s);
        uint32_t bend = idx + ((uint32_t)1 << order);
        uint32_t in_lo = idx > start ? idx : start;
        uint32_t in_hi = bend < end ? bend : end;

        if (kind == BUDDY_BLOCK_FREE) {
            buddy__del_from_free_list(z, idx, order, buddy__pb_type(z, idx));
            z->free_pages -= (uint64_t)1 << order;
        }
        pg_set(z, idx, 0);
        if (kind == count_kind)
            counted += in_hi - in_lo;
        if (idx < start)
            buddy__carve(z, idx, start, kind);
        if (bend > end)
            buddy__carve(z, end, bend, kind);
        idx = bend;
    }
    return counted;
}

/* ---- the lazy run (I8) -------------------------------------------------- */

void buddy__lazy_flush(struct buddy_zone *z, uint32_t start, uint32_t end)
{
    uint32_t ls = z->lazy_start, le = z->lazy_end, size, lo, hi, idx;
    struct buddy_free_area *area;

    if (start >= le || end <= ls)
        return;
    size = (uint32_t)1 << z->max_order;
    /* The lazy blocks the range touches: [lo, hi), block aligned. No sum
     * wraps: the run is whole blocks inside a span below 2^32 pages, so
     * le - ls <= 2^32 - size, and end - ls + size - 1 <= 2^32 - 2. */
    lo = ls + (((start > ls ? start : ls) - ls) & ~(size - 1));
    hi = end < le ? ls + ((end - ls + size - 1) & ~(size - 1)) : le;
    /* Write out the cheaper side: the run's prefix up to hi, or its suffix
     * from lo. A prefix joins the list tail in the run's order; a suffix
     * lands before the blocks left in the run, which only changes which
     * free block a later allocation takes. */
    if (hi - ls <= le - lo) {
        lo = ls;
        z->lazy_start = hi;
    } else {
        hi = le;
        z->lazy_end = lo;
    }
    area = &z->free_area[z->max_order];
    area->list[z->pb_key].nr -= (hi - lo) >> z->max_order; /* re-added one by one */
    for (idx = lo; idx < hi; idx += size)
        buddy__add_to_free_list(z, idx, z->max_order, z->pb_key, true);
    if (z->lazy_start == z->lazy_end)
        z->lazy_start = z->lazy_end = 0;
}

/* Free [start, end) as add_range does: the max_order-aligned middle
 * becomes the lazy run, counted but not written (I8), when the zone has no
 * run or the middle extends it at either end (ranges added in address
 * order, as memory maps list them); a zone keeps one run, so any other
 * middle is carved now, O(its blocks). The edges, all below max_order, are
 * carved now. */
static void carve_free_lazily(struct buddy_zone *z, uint32_t start,
                              uint32_t end)
{
    uint64_t mask = ((uint64_t)1 << z->max_order) - 1;
    uint64_t off = z->start_pfn & mask; /* pfn alignment of idx 0 */
    uint64_t first = ((start + off + mask) & ~mask) - off;
    uint64_t last = ((end + off) & ~mask) - off;
    struct buddy_free_area *area = &z->free_area[z->max_order];
    uint32_t n;

    bool fresh = z->lazy_start == z->lazy_end;

    /* In uint64_t nothing here wraps but last, below 0 when no aligned
     * block end lies in [0, end): end < last catches that. */
    if (first >= last || end < last ||
        !(fresh || last == z->lazy_start || first == z->lazy_end)) {
        buddy__carve(z, start, end, BUDDY_BLOCK_FREE);
        return;
    }
    buddy__carve(z, start, (uint32_t)first, BUDDY_BLOCK_FREE);
    buddy__carve(z, (uint32_t)last, end, BUDDY_BLOCK_FREE);
    n = (uint32_t)((last - first) >> z->max_order);
    if (fresh || last == z->lazy_start)
        z->lazy_start = (uint32_t)first;
    if (fresh || first == z->lazy_end)
        z->lazy_end = (uint32_t)last;
    area->list[z->pb_key].nr += n;
    z->nonempty[z->pb_key] |= 1u << z->max_order;
    z->free_pages += (uint64_t)n << z->max_order;
}

/* Memory given to a zone starts as the zone's first type (MOVABLE, as
 * the kernel's pageblocks at boot and after hotplug): every pageblock that
 * lies wholly in [start, end) gets it back, leaving the HIGHATOMIC
 * reserve if it was one. Nothing to do while no pageblock has changed
 * type, so adding a range to a fresh zone stays O(1) in its middle;
 * else O(pageblocks in the range). */
static void reset_pageblocks(struct buddy_zone *z, uint32_t start,
                             uint32_t end)
{
    uint64_t mask = ((uint64_t)1 << z->pageblock_order) - 1;
    uint64_t first = ((uint64_t)start + z->pb_skew + mask) >> z->pageblock_order;
    uint64_t last = ((uint64_t)end + z->pb_skew) >> z->pageblock_order;
    uint64_t pb;

    if (z->nr_pb_typed == 0)
        return;
    for (pb = first; pb < last; pb++) {
        uint8_t byte = z->pageblock[pb];
        unsigned mt = buddy__pb_type_at(z, (uint32_t)pb);

        if (mt == BUDDY_MIGRATE_HIGHATOMIC ||
            (mt == BUDDY_MIGRATE_ISOLATE &&
             byte >> BUDDY_PB_SAVED_SHIFT == BUDDY_MIGRATE_HIGHATOMIC))
            z->nr_reserved_highatomic -= (uint64_t)1 << z->pageblock_order;
        buddy__pb_store(z, (uint32_t)pb, 0);
    }
}

/* The frame both range operations share: lock; resolve and check the
 * range, refusing with nothing changed; apply it with the per-step events
 * off (the file header says why); report one event; unlock. */
static int range_op(struct buddy_zone *z, buddy_pfn_t pfn, uint64_t nr_pages,
                    enum buddy_event_type type)
{
    /* add: holes and reserved pages become free; reserve: free pages
     * (and already reserved ones) become reserved. */
    static const struct range_rule add_rule = {0, BUDDY_EOVERLAP,
                                               BUDDY_EOVERLAP, 0};
    static const struct range_rule reserve_rule = {BUDDY_EHOLE, 0,
                                                   BUDDY_EBUSY, 0};
    uint32_t start, end;
    buddy_pfn_t bad = pfn;
    buddy_event_fn hook;
    uint64_t merges;
    int err;

    if (!buddy__zone_ok(z))
        return BUDDY_EBADZONE;
    buddy__lock(z);
    err = buddy__range_to_idx(z, pfn, nr_pages, &start, &end);
    if (err == 0)
        err = range_check(z, start, end,
                          type == BUDDY_EV_ADD_RANGE ? &add_rule : &reserve_rule,
                          &bad);
    if (err != 0) {
        buddy__reject(z, err, bad, 0);
        buddy__unlock(z);
        return err;
    }
    hook = z->hook;
    z->hook = NULL;
    /* Nor are its merges counted: splits and merges count what allocations
     * and frees do, as their events report it, and the merges a range
     * makes depend on how much of it the lazy run defers. */
    merges = buddy_stat_get(z, merges);
    if (type == BUDDY_EV_ADD_RANGE) {
        uint64_t holes = range_isolate(z, start, end, BUDDY_BLOCK_HOLE);

        z->present_pages += holes;
        z->reserved_pages -= nr_pages - holes;
        reset_pageblocks(z, start, end);
        carve_free_lazily(z, start, end);
    } else {
        buddy__lazy_flush(z, start, end);
        z->reserved_pages += range_isolate(z, start, end, BUDDY_BLOCK_FREE);
        buddy__carve(z, start, end, BUDDY_BLOCK_RESERVED);
    }
    z->hook = hook;
    buddy_stat_set(z, merges, merges);
    if (buddy_hook_set(z)) {
        struct buddy_event ev = {
            .type = type,
            .pfn = pfn,
            .buddy = BUDDY_PFN_NONE,
            .nr_pages = nr_pages};

        buddy__emit(z, &ev);
    }
    buddy_assert_expensive(buddy_zone_check_locked(z, NULL) == 0);
    buddy__unlock(z);
    return 0;
}

int buddy_zone_add_range(struct buddy_zone *z, buddy_pfn_t pfn,
                         uint64_t nr_pages)
{
    return range_op(z, pfn, nr_pages, BUDDY_EV_ADD_RANGE);
}

int buddy_zone_reserve(struct buddy_zone *z, buddy_pfn_t pfn,
                       uint64_t nr_pages)
{
    return range_op(z, pfn, nr_pages, BUDDY_EV_RESERVE);
}
