/* SPDX-License-Identifier: MIT */
/*
 * check.c: the validator and the walker.
 *
 * buddy_zone_check proves the invariants I1..I9 of internal.h from the raw
 * metadata, trusting nothing it has not checked: it walks the state bytes
 * block by block (I1, I2, I4 and the counts of I6), then follows every free
 * list with a step bound so a cycle cannot hang it (I3, I5), then every
 * per-CPU cache's lists (I9), then compares the counters (I6). Caches are
 * their owners' to change without the lock, so buddy_zone_check holds
 * their gates shut while it runs (pcp.c). It returns the first violation
 * it finds in a report rather than aborting, so tests, fuzzers and the
 * playground can show it.
 * Cost: O(spanned pages), reading each state byte once; debug builds only
 * call it where that is affordable.
 *
 * The walker visits blocks in address order in O(blocks), merging runs of
 * hole blocks into one hole. Blocks of the lazy run (I8) are reported as the
 * free max_order blocks they are.
 */
#include "internal.h"
#include "../private/check_report.h"

static int check_zone_locked(const struct buddy_zone *z,
                             struct buddy_check_report *rep, bool caches);

/* Fill the report and return BUDDY_ECORRUPT. */
static int fail(struct buddy_check_report *rep, const char *what,
                buddy_pfn_t pfn, unsigned order, uint64_t expected,
                uint64_t actual)
{
    return buddy__check_fail(rep, what, pfn, order, expected, actual);
}

/* What the block pass counts, for the list and counter passes. */
struct tally {
    uint64_t free_heads[BUDDY_NR_ORDERS][BUDDY_MIGRATE_TYPES];
    uint64_t alloc_heads[BUDDY_NR_ORDERS];
    uint64_t cached_heads[BUDDY_NR_ORDERS];
    uint64_t hole_pages;
    uint64_t reserved_pages;
    uint64_t free_pages;
};

/* I8: the lazy run is aligned, inside the span, and has no head bytes. */
static int check_lazy(const struct buddy_zone *z, struct tally *t,
                      struct buddy_check_report *rep)
{
    uint64_t mask = ((uint64_t)1 << z->max_order) - 1;
    uint32_t i;

    if (z->lazy_start == z->lazy_end)
        return 0;
    if (z->lazy_start > z->lazy_end || z->lazy_end > z->spanned ||
        ((z->start_pfn + z->lazy_start) & mask) ||
        ((z->start_pfn + z->lazy_end) & mask))
        return fail(rep, "lazy run misaligned or outside the zone",
                    z->start_pfn + z->lazy_start, z->max_order,
                    z->lazy_start, z->lazy_end);
    for (i = z->lazy_start; i < z->lazy_end; i++)
        if (pg_get(z, i) != 0)
            return fail(rep, "block head inside the lazy run",
                        z->start_pfn + i, z->max_order, 0, pg_get(z, i));
    for (i = z->lazy_start; i < z->lazy_end;
         i += (uint32_t)1 << z->pageblock_order)
        if (buddy__pb_type(z, i) != z->pb_key)
            return fail(rep, "pageblock of the lazy run changed type",
                        z->start_pfn + i, z->max_order, z->pb_key,
                        buddy__pb_type(z, i));
    t->free_heads[z->max_order][z->pb_key] += buddy__lazy_blocks(z);
    t->free_pages += (uint64_t)(z->lazy_end - z->lazy_start);
    return 0;
}

/* I1, I2, I4: walk the state bytes block by block. */
static int check_blocks(const struct buddy_zone *z, struct tally *t,
                        struct buddy_check_report *rep)
{
    uint32_t idx = 0;
    int err = check_lazy(z, t, rep);

    if (err != 0)
        return err;
    while (idx < z->spanned) {
        uint8_t s = pg_get(z, idx);

        if (z->lazy_start != z->lazy_end && idx == z->lazy_start) {
            idx = z->lazy_end; /* counted by check_lazy */
            continue;
        }
        unsigned kind = pg_kind(s), order = pg_order(s);
        buddy_pfn_t pfn = z->start_pfn + idx;
        uint64_t size = (uint64_t)1 << order;
        uint32_t i;

        if (s == 0)
            return fail(rep, "page belongs to no block", pfn, 0, 0, 0);
        if (kind < BUDDY_BLOCK_HOLE || kind > BUDDY_BLOCK_CACHED ||
            kind == BUDDY_BLOCK_INFLIGHT)
            return fail(rep, kind == BUDDY_BLOCK_INFLIGHT
                                 ? "in-flight block outside an operation"
                                 : "unknown block kind",
                        pfn, order, 0, kind);
        if (pfn & (size - 1))
            return fail(rep, "block not aligned to its order", pfn, order, 0,
                        0);
        if (size > (uint64_t)(z->spanned - idx))
            return fail(rep, "block runs past the end of the zone", pfn,
                        order, 0, 0);
        if ((kind == BUDDY_BLOCK_FREE || kind == BUDDY_BLOCK_ALLOCATED ||
             kind == BUDDY_BLOCK_CACHED) &&
            order > z->max_order)
            return fail(rep, "block above max_order", pfn, order,
                        z->max_order, order);
        for (i = 1; i < size; i++)
            if (pg_get(z, idx + i) != 0)
                return fail(rep, "block head inside another block",
                            pfn + i, order, 0, pg_get(z, idx + i));
        /* I11: owners only on allocated heads. */
        if (z->owner != NULL)
            for (i = kind == BUDDY_BLOCK_ALLOCATED ? 1 : 0; i < size; i++)
                if (buddy_load_relaxed(&z->owner[idx + i]) != 0)
                    return fail(rep, "an owner on a page that is no "
                                     "allocated block's head",
                                pfn + i, order, 0,
                                buddy_load_relaxed(&z->owner[idx + i]));
        switch (kind) {
        case BUDDY_BLOCK_HOLE:
            t->hole_pages += size;
            break;
        case BUDDY_BLOCK_RESERVED:
            t->reserved_pages += size;
            break;
        case BUDDY_BLOCK_ALLOCATED:
            t->alloc_heads[order]++;
            break;
        case BUDDY_BLOCK_CACHED:
            t->cached_heads[order]++;
            break;
        case BUDDY_BLOCK_FREE: {
            buddy_pfn_t bpfn = buddy_find_buddy_pfn(pfn, order);
            buddy_pfn_t brel = bpfn - z->start_pfn;
            unsigned mt = buddy__pb_type(z, idx);

            if (mt >= BUDDY_MIGRATE_TYPES)
                break; /* check_pageblocks says so */
            t->free_heads[order][mt]++;
            t->free_pages += size;
            if (order > z->pageblock_order) {
                uint32_t n = (uint32_t)1 << (order - z->pageblock_order), j;

                for (j = 1; j < n; j++)
                    if (buddy__pb_type(z, idx + (j << z->pageblock_order)) !=
                        mt)
                        return fail(rep, "free block over pageblocks of "
                                         "different types",
                                    pfn, order, mt,
                                    buddy__pb_type(
                                        z, idx + (j << z->pageblock_order)));
            }
            if (order < z->max_order && brel < z->spanned &&
                pg_get(z, brel) == s) {
                unsigned bmt = buddy__pb_type(z, (uint32_t)brel);

                /* Across pageblocks only types that may mix merge
                 * (buddy__types_merge). */
                if (buddy__types_merge(bmt, mt))
                    return fail(rep, "free block beside a free buddy of the "
                                     "same order (merge missed)",
                                pfn, order, 0, bpfn);
            }
            break;
        }
        }
        idx += (uint32_t)size;
    }
    return 0;
}

/* I10: every pageblock has a type, and with grouping off no pcp type but
 * unmovable; the HIGHATOMIC reserve and nr_pb_typed count their
 * pageblocks. */
static int check_pageblocks(const struct buddy_zone *z,
                            struct buddy_check_report *rep)
{
    uint64_t highatomic = 0;
    uint32_t pb, typed = 0;

    for (pb = 0; pb < z->nr_pageblocks; pb++) {
        uint8_t byte = buddy_load_relaxed(&z->pageblock[pb]);
        unsigned mt = buddy__pb_type_at(z, pb);
        unsigned saved = byte >> BUDDY_PB_SAVED_SHIFT;
        buddy_pfn_t pfn = ((z->start_pfn >> z->pageblock_order) + pb)
                          << z->pageblock_order;

        if ((byte & ~BUDDY_PB_TYPE_MASK & ((1u << BUDDY_PB_SAVED_SHIFT) - 1)) ||
            mt >= BUDDY_MIGRATE_TYPES ||
            (!buddy__grouping(z) && mt < BUDDY_MIGRATE_PCPTYPES &&
             mt != BUDDY_MIGRATE_UNMOVABLE))
            return fail(rep, "pageblock type out of range", pfn,
                        z->pageblock_order, BUDDY_MIGRATE_TYPES, byte);
        /* Only an isolated pageblock keeps a type to go back to, and that
         * is never ISOLATE itself. */
        if (mt == BUDDY_MIGRATE_ISOLATE ? saved >= BUDDY_MIGRATE_ISOLATE
                                        : saved != 0)
            return fail(rep, "pageblock's saved type out of range", pfn,
                        z->pageblock_order, BUDDY_MIGRATE_ISOLATE, saved);
        if (mt == BUDDY_MIGRATE_HIGHATOMIC ||
            (mt == BUDDY_MIGRATE_ISOLATE && saved == BUDDY_MIGRATE_HIGHATOMIC))
            highatomic += (uint64_t)1 << z->pageblock_order;
        typed += byte != 0;
    }
    if (typed != z->nr_pb_typed)
        return fail(rep, "count of typed pageblocks differs from the "
                         "pageblocks",
                    BUDDY_PFN_NONE, z->pageblock_order, typed, z->nr_pb_typed);
    if (highatomic != z->nr_reserved_highatomic)
        return fail(rep, "HIGHATOMIC reserve differs from its pageblocks",
                    BUDDY_PFN_NONE, z->pageblock_order, highatomic,
                    z->nr_reserved_highatomic);
    return 0;
}

/* I3, I5, I10: every list holds exactly the FREE heads of its order whose
 * pageblock is of its type. */
static int check_list(const struct buddy_zone *z, const struct tally *t,
                      unsigned order, unsigned mt,
                      struct buddy_check_report *rep)
{
    const struct buddy_free_area *area = &z->free_area[order];
    const struct buddy_free_list *list = &area->list[mt];
    uint32_t idx = list->head, prev = BUDDY_NIL;
    uint64_t lazy = order == z->max_order && mt == z->pb_key
                        ? buddy__lazy_blocks(z)
                        : 0;
    uint64_t on_list = t->free_heads[order][mt] - lazy;
    uint64_t n = 0;

    while (idx != BUDDY_NIL) {
        buddy_pfn_t pfn = z->start_pfn + idx;

        if (idx >= z->spanned)
            return fail(rep, "free list link outside the zone",
                        BUDDY_PFN_NONE, order, z->spanned, idx);
        if (pg_get(z, idx) != pg_state(BUDDY_BLOCK_FREE, order))
            return fail(rep, "free list holds a block that is not a "
                             "free block of its order",
                        pfn, order, pg_state(BUDDY_BLOCK_FREE, order),
                        pg_get(z, idx));
        if (buddy__pb_type(z, idx) != mt)
            return fail(rep, "free block on the list of another type than "
                             "its pageblock's",
                        pfn, order, buddy__pb_type(z, idx), mt);
        if (z->frame[idx].l.prev != prev)
            return fail(rep, "free list back link broken", pfn, order, prev,
                        z->frame[idx].l.prev);
        if (++n > on_list)
            return fail(rep, "free list longer than the free blocks of "
                             "its order (cycle or stray entry)",
                        pfn, order, on_list, n);
        prev = idx;
        idx = z->frame[idx].l.next;
    }
    if (list->tail != prev)
        return fail(rep, "free list tail is not its last block",
                    BUDDY_PFN_NONE, order, prev, list->tail);
    if (n != on_list)
        return fail(rep, "free block missing from the list of its order",
                    BUDDY_PFN_NONE, order, on_list, n);
    if (area->list[mt].nr != n + lazy)
        return fail(rep, "nr_free differs from the list length",
                    BUDDY_PFN_NONE, order, n + lazy, area->list[mt].nr);
    if (((z->nonempty[mt] >> order) & 1u) != (n + lazy != 0))
        return fail(rep, "non-empty index bit wrong", BUDDY_PFN_NONE, order,
                    n + lazy != 0, (z->nonempty[mt] >> order) & 1u);
    return 0;
}

static int check_lists(const struct buddy_zone *z, const struct tally *t,
                       struct buddy_check_report *rep)
{
    unsigned order, mt;

    for (order = 0; order < BUDDY_NR_ORDERS; order++)
        for (mt = 0; mt < BUDDY_MIGRATE_TYPES; mt++) {
            int err = check_list(z, t, order, mt, rep);

            if (err != 0)
                return err;
        }
    return 0;
}

/* I6: the counters add up. */
static int check_counters(const struct buddy_zone *z, const struct tally *t,
                          struct buddy_check_report *rep)
{
    unsigned order;

    if (z->free_pages != t->free_pages)
        return fail(rep, "free_pages differs from the free blocks",
                    BUDDY_PFN_NONE, 0, t->free_pages, z->free_pages);
    if (z->present_pages != z->spanned - t->hole_pages)
        return fail(rep, "present_pages differs from spanned minus holes",
                    BUDDY_PFN_NONE, 0, z->spanned - t->hole_pages,
                    z->present_pages);
    if (z->reserved_pages != t->reserved_pages)
        return fail(rep, "reserved_pages differs from the reserved blocks",
                    BUDDY_PFN_NONE, 0, t->reserved_pages, z->reserved_pages);
    if (z->addr_pages != (z->base != 0 ? z->spanned : 0))
        return fail(rep, "addr_pages differs from the pages the base maps",
                    BUDDY_PFN_NONE, 0, z->base != 0 ? z->spanned : 0,
                    z->addr_pages);
#if BUDDY_STATS
    for (order = 0; order <= z->max_order; order++)
        if (z->alloc_count[order] - z->free_count[order] !=
            t->alloc_heads[order] + t->cached_heads[order])
            return fail(rep, "allocations minus frees differ from the "
                             "allocated and cached blocks",
                        BUDDY_PFN_NONE, order,
                        t->alloc_heads[order] + t->cached_heads[order],
                        z->alloc_count[order] - z->free_count[order]);
#else
    (void)order;
#endif
    return 0;
}

/* I9: the caches hold exactly the CACHED blocks, and count them right. */
static int check_caches(const struct buddy_zone *z, const struct tally *t,
                        struct buddy_check_report *rep)
{
    uint64_t on_lists[BUDDY_NR_ORDERS] = {0};
    const struct buddy__pcp *pcp;
    unsigned order, list;
    uint32_t n = 0;

    for (pcp = z->caches; pcp != NULL; pcp = pcp->next) {
        uint64_t pages = 0;

        if (n++ == z->nr_caches)
            return fail(rep, "cache list longer than the caches attached "
                             "(a cycle, or a cache attached twice)",
                        BUDDY_PFN_NONE, 0, z->nr_caches, n);

        if (pcp->zone != z)
            return fail(rep, "cache attached to another zone", BUDDY_PFN_NONE,
                        0, 0, 0);
        for (list = 0; list < BUDDY_PCP_LISTS * (pcp->max_order + 1u);
             list++) {
            uint32_t idx;

            order = list % (pcp->max_order + 1u);
            idx = buddy__pcp_first(pcp, list / (pcp->max_order + 1u), order);

            while (idx != BUDDY_NIL) {
                if (idx >= z->spanned)
                    return fail(rep, "cache link outside the zone",
                                BUDDY_PFN_NONE, order, z->spanned, idx);
                if (pg_get(z, idx) != pg_state(BUDDY_BLOCK_CACHED, order))
                    return fail(rep, "cache holds a block that is not a "
                                     "cached block of its order",
                                z->start_pfn + idx, order,
                                pg_state(BUDDY_BLOCK_CACHED, order),
                                pg_get(z, idx));
                if (++on_lists[order] > t->cached_heads[order])
                    return fail(rep, "cache lists longer than the cached "
                                     "blocks (cycle or shared block)",
                                z->start_pfn + idx, order,
                                t->cached_heads[order], on_lists[order]);
                pages += (uint64_t)1 << order;
                idx = z->frame[idx].l.next;
            }
        }
        if (pages != buddy__pcp_count(pcp))
            return fail(rep, "cache count differs from its lists",
                        BUDDY_PFN_NONE, 0, pages, buddy__pcp_count(pcp));
    }
    if (n != z->nr_caches)
        return fail(rep, "cache list shorter than the caches attached",
                    BUDDY_PFN_NONE, 0, z->nr_caches, n);
    /* A solo cache is the zone's one cache, the only one marked so, and
     * there is none once the zone has been shared. */
    for (pcp = z->caches; pcp != NULL; pcp = pcp->next)
        if (buddy_load_relaxed(&pcp->solo) != z->solo)
            return fail(rep, "cache solo mark differs from the zone's",
                        BUDDY_PFN_NONE, 0, z->solo,
                        buddy_load_relaxed(&pcp->solo));
    if (z->solo && (z->caches_shared || z->nr_caches != 1))
        return fail(rep, "solo cache on a shared zone", BUDDY_PFN_NONE, 0,
                    z->caches_shared, z->nr_caches);
    for (order = 0; order < BUDDY_NR_ORDERS; order++)
        if (on_lists[order] != t->cached_heads[order])
            return fail(rep, "cached block on no cache list", BUDDY_PFN_NONE,
                        order, t->cached_heads[order], on_lists[order]);
    return 0;
}

int buddy_zone_check(const struct buddy_zone *z, struct buddy_check_report *rep)
{
    struct buddy_zone *zw = (struct buddy_zone *)(uintptr_t)z;
    int err;

    if (!buddy__zone_ok(z))
        return buddy_zone_check_locked(z, rep);
    buddy__lock(z);
    /* The caches' owners change their lists without the lock: hold every
     * cache's gate shut while the lists are read (pcp.c), so a check is
     * safe while they run. The gates are the zone lock's to change, hence
     * the cast: nothing the validator reports is changed. */
    buddy__caches_freeze_locked(zw);
    err = check_zone_locked(z, rep, true);
    buddy__caches_thaw_locked(zw);
    buddy__unlock(z);
    return err;
}

int buddy_zone_check_locked(const struct buddy_zone *z,
                            struct buddy_check_report *rep)
{
    if (!buddy__zone_ok(z))
        return check_zone_locked(z, rep, true);
    buddy_assert_locked(z);
    /* From a hook or a walk callback the caches' owners may be running
     * (and a drain may hold their gates): their lists are read only on a
     * zone no other thread shares. */
    return check_zone_locked(z, rep, z->lock.lock == NULL);
}

#if BUDDY_DEBUG >= 2
int buddy__check_zone_locked(const struct buddy_zone *z)
{
    struct buddy_check_report rep;

    return check_zone_locked(z, &rep, false);
}
#endif

static int check_zone_locked(const struct buddy_zone *z,
                             struct buddy_check_report *rep, bool caches)
{
    struct tally t;
    int err;

    buddy__check_clear(rep);
    if (!buddy__zone_ok(z)) {
        if (rep != NULL) {
            rep->error = BUDDY_EBADZONE;
            rep->what = "not an initialised zone";
        }
        return BUDDY_EBADZONE;
    }
    buddy_memset(&t, 0, sizeof(t));
    err = check_pageblocks(z, rep);
    if (err == 0)
        err = check_blocks(z, &t, rep);
    if (err == 0)
        err = check_lists(z, &t, rep);
    if (err == 0 && caches)
        err = check_caches(z, &t, rep);
    if (err == 0)
        err = check_counters(z, &t, rep);
    return err;
}

int buddy_system_check(const struct buddy_system *system,
                       struct buddy_check_report *rep)
{
    const struct buddy__system *sys = buddy__sys_const(system);
    unsigned nid, zi;

    if (sys == NULL)
        return BUDDY_ENULL;
    for (nid = 0; nid < sys->nr_nodes; nid++)
        for (zi = 0; zi < BUDDY_MAX_NR_ZONES; zi++) {
            const struct buddy_zone *z = sys->zones[nid][zi];
            int err;

            if (z == NULL)
                continue;
            err = buddy_zone_check(z, rep);
            if (err != 0)
                return err;
        }
    return 0;
}

/* ---- walking ----------------------------------------------------------- */

int buddy_zone_walk(const struct buddy_zone *z, buddy_walk_fn fn, void *arg)
{
    int ret;

    if (!buddy__zone_ok(z))
        return BUDDY_EBADZONE;
    buddy__lock(z);
    ret = buddy_zone_walk_locked(z, fn, arg);
    buddy__unlock(z);
    return ret;
}

int buddy_zone_walk_locked(const struct buddy_zone *z, buddy_walk_fn fn,
                           void *arg)
{
    struct buddy_block hole = {0, 0, 0, BUDDY_BLOCK_HOLE, 0,
                               BUDDY_MIGRATE_UNMOVABLE};
    uint32_t idx = 0;
    int ret;

    if (!buddy__zone_ok(z))
        return BUDDY_EBADZONE;
    buddy_assert_locked(z);
    if (fn == NULL)
        return BUDDY_ENULL;
    while (idx < z->spanned) {
        uint8_t s = buddy__in_lazy(z, idx)
                        ? pg_state(BUDDY_BLOCK_FREE, z->max_order)
                        : pg_get(z, idx);
        uint64_t size = (uint64_t)1 << pg_order(s);
        struct buddy_block b;

        if (s == 0 || size > (uint64_t)(z->spanned - idx))
            return BUDDY_ECORRUPT;
        if (pg_kind(s) == BUDDY_BLOCK_HOLE) {
            if (hole.nr_pages == 0)
                hole.pfn = z->start_pfn + idx;
            hole.nr_pages += size;
            idx += (uint32_t)size;
            continue;
        }
        if (hole.nr_pages != 0) {
            ret = fn(arg, &hole);
            if (ret != 0)
                return ret;
            hole.nr_pages = 0;
        }
        b.pfn = z->start_pfn + idx;
        b.nr_pages = size;
        b.order = pg_order(s);
        b.kind = (enum buddy_block_kind)pg_kind(s);
        b.owner = z->owner != NULL && b.kind == BUDDY_BLOCK_ALLOCATED
                      ? buddy_load_relaxed(&z->owner[idx])
                      : 0u;
        b.mt = (enum buddy_migratetype)buddy__pb_type(z, idx);
        ret = fn(arg, &b);
        if (ret != 0)
            return ret;
        idx += (uint32_t)size;
    }
    if (hole.nr_pages != 0)
        return fn(arg, &hole);
    return 0;
}

int buddy_zone_walk_free_list(const struct buddy_zone *z, unsigned order,
                              buddy_walk_fn fn, void *arg)
{
    struct buddy_block b = {0, (uint64_t)1 << (order & 31u), order,
                            BUDDY_BLOCK_FREE, 0, BUDDY_MIGRATE_UNMOVABLE};
    uint32_t idx;
    unsigned mt;
    int ret = 0;

    if (!buddy__zone_ok(z))
        return BUDDY_EBADZONE;
    if (fn == NULL)
        return BUDDY_ENULL;
    if (order > z->max_order)
        return BUDDY_EORDER;
    buddy__lock(z);
    for (mt = 0; mt < BUDDY_MIGRATE_TYPES; mt++) {
        b.mt = (enum buddy_migratetype)mt; /* the list's */
        for (idx = z->free_area[order].list[mt].head;
             idx != BUDDY_NIL && ret == 0; idx = z->frame[idx].l.next) {
            b.pfn = z->start_pfn + idx;
            ret = fn(arg, &b);
        }
        if (order == z->max_order && mt == z->pb_key)
            for (idx = z->lazy_start; idx < z->lazy_end && ret == 0;
                 idx += (uint32_t)1 << order) {
                b.pfn = z->start_pfn + idx;
                ret = fn(arg, &b);
            }
    }
    buddy__unlock(z);
    return ret;
}

int buddy_zone_find_block(const struct buddy_zone *z, buddy_pfn_t pfn,
                          struct buddy_block *out)
{
    buddy_pfn_t rel;
    uint32_t head;
    uint8_t s;

    if (!buddy__zone_ok(z))
        return BUDDY_EBADZONE;
    if (out == NULL)
        return BUDDY_ENULL;
    rel = pfn - z->start_pfn;
    if (rel >= z->spanned)
        return BUDDY_ERANGE;
    buddy__lock(z);
    head = buddy__block_head(z, (uint32_t)rel);
    s = head == BUDDY_NIL ? 0
        : buddy__in_lazy(z, head) ? pg_state(BUDDY_BLOCK_FREE, z->max_order)
                                  : pg_get(z, head);
    if (s != 0) {
        out->owner = z->owner != NULL && pg_kind(s) == BUDDY_BLOCK_ALLOCATED
                         ? buddy_load_relaxed(&z->owner[head])
                         : 0u;
        out->mt = (enum buddy_migratetype)buddy__pb_type(z, head);
    }
    buddy__unlock(z);
    if (s == 0)
        return BUDDY_ECORRUPT;
    out->pfn = z->start_pfn + head;
    out->order = pg_order(s);
    out->nr_pages = (uint64_t)1 << out->order;
    out->kind = (enum buddy_block_kind)pg_kind(s);
    if (out->kind == BUDDY_BLOCK_HOLE)
        out->order = 0; /* holes are runs, not buddy blocks */
    return 0;
}
