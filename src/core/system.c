/* SPDX-License-Identifier: MIT */
/*
 * system.c: nodes of zones, and the kernel's zonelist fallback.
 *
 * The kernel builds, per node, a zonelist: that node's zones from the
 * highest down, then the other nodes' zones (by distance). An allocation
 * that may use zones up to `highest_zone_idx` walks the list, skipping zones
 * above that index, and takes the first zone with a free block of the order
 * (get_page_from_freelist). We have no distances, so the
 * other nodes come in id order after the preferred one, wrapping.
 *
 * The preferred zone is the zonelist's first zone, whether or not it can
 * serve the order (the kernel's preferred_zoneref). A request served by any
 * other zone counts a fallback there: every allocation the kernel counts as
 * numa_miss (served off the preferred zone's node, numa_foreign on the
 * preferred one) is one, and so is a fall to a lower zone of the same
 * node, which the kernel counts as a numa_hit. A request that fails counts
 * one failure, on the preferred zone.
 * Cost: O(nodes * zones) zone visits, each O(1) to test and O(max_order) to
 * allocate from.
 */
#include "internal.h"

void buddy_system_init(struct buddy_system *system)
{
    struct buddy__system *sys = buddy__sys(system);

    if (sys != NULL)
        buddy_memset(sys, 0, sizeof(*sys));
}

static bool spans_overlap(const struct buddy_zone *a, const struct buddy_zone *b)
{
    return a->start_pfn < b->start_pfn + b->spanned &&
           b->start_pfn < a->start_pfn + a->spanned;
}

int buddy_system_add_zone(struct buddy_system *system, unsigned nid,
                          unsigned zone_idx, struct buddy_zone *z)
{
    struct buddy__system *sys = buddy__sys(system);
    unsigned n, i;

    if (sys == NULL)
        return BUDDY_ENULL;
    if (!buddy__zone_ok(z))
        return BUDDY_EBADZONE;
    if (nid >= BUDDY_MAX_NUMNODES || zone_idx >= BUDDY_MAX_NR_ZONES)
        return BUDDY_ENODE;
    if (z->node_id >= 0)
        return BUDDY_EINVAL;
    if (sys->zones[nid][zone_idx] != NULL)
        return BUDDY_EEXIST;
    for (n = 0; n < sys->nr_nodes; n++)
        for (i = 0; i < BUDDY_MAX_NR_ZONES; i++)
            if (sys->zones[n][i] != NULL && spans_overlap(sys->zones[n][i], z))
                return BUDDY_ESPANOVERLAP;
    sys->zones[nid][zone_idx] = z;
    z->node_id = (int8_t)nid;
    z->zone_idx = (int8_t)zone_idx;
    if (nid + 1 > sys->nr_nodes)
        sys->nr_nodes = nid + 1;
    return 0;
}

/* The zonelist's first zone, whatever its max_order (the kernel's
 * preferred_zoneref: where the request wanted to land, so what it is a
 * fallback from), or NULL when the list is empty; and whether any zone of
 * the list has blocks of `order`. O(nodes * zones). */
static bool zonelist_first(const struct buddy__system *sys, unsigned nid,
                           unsigned highest_zone_idx, unsigned order,
                           struct buddy_zone **preferred)
{
    unsigned step;
    bool servable = false;

    *preferred = NULL;
    for (step = 0; step < sys->nr_nodes; step++) {
        unsigned n = (nid + step) % sys->nr_nodes;
        unsigned zi = highest_zone_idx + 1;

        while (zi-- > 0) {
            struct buddy_zone *z = sys->zones[n][zi];

            if (z == NULL)
                continue;
            if (*preferred == NULL)
                *preferred = z;
            servable |= order <= z->max_order;
        }
    }
    return servable;
}

/* What a pass judges a zone by: a mark of enum buddy_wmark, or none. */
#define NO_WMARK (-1)

/* An allocation's request, for every pass of it. */
struct alloc_request {
    unsigned nid, highest_zone_idx, order, flags;
    unsigned mt; /* the migrate type the flags say */
    bool nofragment; /* the preferred zone has a populated zone below it
                        in its node: try that before fragmenting this one
                        (the kernel's alloc_flags_nofragment) */
    unsigned reserves; /* the flags' reserves: 0 on the fast path, as the
                          kernel applies gfp_to_alloc_flags only in its
                          slow path */
    struct buddy_zone *preferred;
    bool kswapd; /* the system has a kswapd to wake: ALLOC_KSWAPD, on
                    both paths as the kernel sets it from the gfp word */
};

/* What the request's flags let a zone give it, as the kernel's
 * alloc_flags in the slow path (gfp_to_alloc_flags): a request that may
 * not block may dig into the HIGHATOMIC reserve, and one of order > 0
 * that is also high priority (GFP_ATOMIC) tries the reserve first and
 * grows it. The fast path has none of them. */
static unsigned alloc_flags(const struct alloc_request *rq)
{
    unsigned af = rq->nofragment ? BUDDY__ALLOC_NOFRAGMENT : 0;

    if (rq->kswapd)
        af |= BUDDY__ALLOC_KSWAPD;

    if (rq->reserves & BUDDY_GFP_NOWAIT) {
        af |= BUDDY__ALLOC_NON_BLOCK;
        if (rq->order > 0 && (rq->reserves & BUDDY_GFP_HIGH))
            af |= BUDDY__ALLOC_HIGHATOMIC;
    }
    return af;
}

/* Free pages in the lists of type mt, all orders. Lock held. */
static uint64_t free_pages_of(const struct buddy_zone *z, unsigned mt)
{
    uint32_t mask = z->nonempty[mt];
    uint64_t pages = 0;

    while (mask != 0) {
        unsigned k = buddy_ctz32(mask);

        pages += (uint64_t)z->free_area[k].list[mt].nr << k;
        mask &= mask - 1;
    }
    return pages;
}

/*
 * __zone_watermark_ok: the zone's free pages, less the 2^order - 1 that
 * no block of the order can use, less those of isolated pageblocks (the
 * kernel never counts them free) and, unless the request may use
 * reserves, those of the HIGHATOMIC reserve, are above the mark plus its
 * boost (less the reserves the flags may use) plus the lowmem reserve for
 * the request's highest zone; and for order > 0 a block of the order or
 * larger is free on a list the request may take from (a pcp type's, and
 * the reserve's for ALLOC_HIGHATOMIC). With every mark 0 this is "such a
 * block is free". Lock held. O(1) unless the zone has isolated or
 * reserved free blocks, then O(max_order).
 */
static bool zone_watermark_ok_locked(const struct buddy_zone *z,
                                     const struct alloc_request *rq,
                                     int mark)
{
    uint64_t unusable = ((uint64_t)1 << rq->order) - 1;
    uint32_t orders = 0xffffffffu << rq->order;
    uint32_t pcp = z->nonempty[BUDDY_MIGRATE_UNMOVABLE] |
                   z->nonempty[BUDDY_MIGRATE_MOVABLE] |
                   z->nonempty[BUDDY_MIGRATE_RECLAIMABLE];
    uint32_t reserve = z->nonempty[BUDDY_MIGRATE_HIGHATOMIC];
    unsigned af = alloc_flags(rq) & ~BUDDY__ALLOC_KSWAPD; /* no list's */
    uint64_t min, avail;

    /* No block the request could be given at all: not worth the lock's
     * hold, nor a failure of this zone's own. */
    if (((pcp | (af != 0 || mark == NO_WMARK ? reserve : 0)) & orders) == 0)
        return false;
    if (mark == NO_WMARK)
        return true;
    if (buddy_unlikely(z->nonempty[BUDDY_MIGRATE_ISOLATE] != 0))
        unusable += free_pages_of(z, BUDDY_MIGRATE_ISOLATE);
    if (buddy_unlikely(z->nonempty[BUDDY_MIGRATE_HIGHATOMIC] != 0) &&
        (rq->reserves & (BUDDY_GFP_HIGH | BUDDY_GFP_NOWAIT)) == 0)
        unusable += free_pages_of(z, BUDDY_MIGRATE_HIGHATOMIC);
    if (z->free_pages < unusable)
        return false;
    avail = z->free_pages - unusable;
    min = z->wmarks.wmark[mark] + z->wmarks.boost;
    if (rq->reserves & BUDDY_GFP_HIGH) {
        min -= min / 2;             /* ALLOC_MIN_RESERVE */
        if (rq->reserves & BUDDY_GFP_NOWAIT)
            min -= min / 4;         /* ALLOC_NON_BLOCK, as GFP_ATOMIC */
    }
    if (!(avail > min &&
          avail - min > z->wmarks.lowmem_reserve[rq->highest_zone_idx]))
        return false;
    if (rq->order == 0)
        return true;
    /* For order > 0 the reserve's lists count only with ALLOC_HIGHATOMIC. */
    return ((pcp | (af & BUDDY__ALLOC_HIGHATOMIC ? reserve : 0)) & orders) != 0;
}

/* ZONE_BOOSTED_WATERMARK, as rmqueue ends: the allocation from z just
 * made, whether it succeeded or not, boosted the zone's marks; clear the
 * mark and say whether kswapd is to be woken for it. Lock held. */
static bool test_clear_boosted(struct buddy_zone *z)
{
    bool boosted = z->boosted_wmark != 0;

    buddy_assert_locked(z);
    z->boosted_wmark = 0;
    return boosted;
}

/* wakeup_kswapd for a boosted zone at (nid, zi): order 0, the zone's own
 * index as the highest. No lock held. */
static void wake_boosted(const struct buddy__system *sys, unsigned nid,
                         unsigned zi)
{
    if (sys->kswapd != NULL)
        sys->kswapd(sys->kswapd_arg, nid, 0, zi);
}

/* One pass along the zonelist: the first zone that passes the mark serves
 * the request; one served for another preferred zone counts a fallback.
 * With `drain`, each zone first takes back what its per-CPU caches hold
 * (the kernel drains them only once the whole zonelist came up short).
 * An allocation that boosted a zone wakes kswapd for it once the lock is
 * dropped. Returns 0, or ENOMEM without counting a failure. */
static int zonelist_pass_once(struct buddy__system *sys,
                              const struct alloc_request *rq, int mark,
                              bool drain, buddy_pfn_t *pfn,
                              struct buddy_zone **zone_out)
{
    unsigned step;

    for (step = 0; step < sys->nr_nodes; step++) {
        unsigned n = (rq->nid + step) % sys->nr_nodes;
        unsigned zi = rq->highest_zone_idx + 1;

        /* Without fragmenting, the walk stays on the preferred node: a
         * remote node comes only after the local zones were tried the
         * fragmenting way too. */
        if (rq->nofragment && n != rq->nid)
            break;
        while (zi-- > 0) {
            struct buddy_zone *z = sys->zones[n][zi];
            bool boosted;

            if (z == NULL || rq->order > z->max_order)
                continue;
            buddy__lock(z);
            if (drain)
                (void)buddy__drain_caches_locked(z);
            /* Test before calling, so a zone that cannot serve the order
             * does not count a failure of its own. */
            if (!zone_watermark_ok_locked(z, rq, mark)) {
                if (mark != NO_WMARK && buddy_hook_set(z)) {
                    struct buddy_event ev = {.type = BUDDY_EV_WMARK,
                                             .pfn = BUDDY_PFN_NONE,
                                             .order = rq->order,
                                             .buddy = BUDDY_PFN_NONE,
                                             .wmark = mark};

                    buddy__emit(z, &ev);
                }
                buddy__unlock(z);
                continue;
            }
            if (buddy__alloc_pages_flags_locked(
                    z, rq->order, buddy__request_type(z, rq->mt),
                    alloc_flags(rq), pfn) != 0) {
                boosted = test_clear_boosted(z);
                buddy__unlock(z);
                if (buddy_unlikely(boosted))
                    wake_boosted(sys, n, zi);
                continue;
            }
            if (z != rq->preferred) {
                buddy_stat_inc(z, fallbacks);
                if (buddy_hook_set(z)) {
                    struct buddy_event ev = {
                        .type = BUDDY_EV_FALLBACK,
                        .pfn = *pfn,
                        .order = rq->order,
                        .buddy = BUDDY_PFN_NONE,
                        .preferred = rq->preferred};
                    buddy__emit(z, &ev);
                }
            }
            boosted = test_clear_boosted(z);
            buddy_check_expensive(z);
            buddy__unlock(z);
            if (buddy_unlikely(boosted))
                wake_boosted(sys, n, zi);
            if (zone_out != NULL)
                *zone_out = z;
            return 0;
        }
    }
    return BUDDY_ENOMEM;
}

/* get_page_from_freelist: with ALLOC_NOFRAGMENT first, when the request
 * has it, then again without. */
static int zonelist_pass(struct buddy__system *sys,
                         const struct alloc_request *rq, int mark, bool drain,
                         buddy_pfn_t *pfn, struct buddy_zone **zone_out)
{
    struct alloc_request plain;

    if (zonelist_pass_once(sys, rq, mark, drain, pfn, zone_out) == 0)
        return 0;
    if (!rq->nofragment)
        return BUDDY_ENOMEM;
    plain = *rq;
    plain.nofragment = false;
    return zonelist_pass_once(sys, &plain, mark, false, pfn, zone_out);
}

/* Does the zone at (nid, zi) have a zone with managed pages below it in
 * its node? */
static bool lower_zone_populated(const struct buddy__system *sys,
                                 unsigned nid, int zi)
{
    while (zi-- > 0) {
        struct buddy_zone *z = sys->zones[nid][zi];

        if (z != NULL) {
            uint64_t managed;

            buddy__lock(z);
            managed = buddy__managed_pages(z);
            buddy__unlock(z);
            if (managed != 0)
                return true;
        }
    }
    return false;
}

/* unreserve_highatomic_pageblock over the zonelist: the first zone that
 * gives a reserved pageblock back to the request's type ends the walk.
 * Returns whether one did. No lock held. */
static bool unreserve_all(struct buddy__system *sys,
                          const struct alloc_request *rq, bool force)
{
    unsigned step;

    for (step = 0; step < sys->nr_nodes; step++) {
        unsigned n = (rq->nid + step) % sys->nr_nodes;
        unsigned zi = rq->highest_zone_idx + 1;

        while (zi-- > 0) {
            struct buddy_zone *z = sys->zones[n][zi];
            bool done;

            if (z == NULL)
                continue;
            buddy__lock(z);
            done = buddy__unreserve_highatomic_locked(z, rq->mt, force);
            buddy_check_expensive(z);
            buddy__unlock(z);
            if (done)
                return true;
        }
    }
    return false;
}

/* wake_all_kswapds: the callback once for each node of the zonelist that
 * has a zone the request may use. No lock held. */
static void wake_kswapds(const struct buddy__system *sys,
                         const struct alloc_request *rq)
{
    unsigned step, zi;

    if (sys->kswapd == NULL)
        return;
    for (step = 0; step < sys->nr_nodes; step++) {
        unsigned n = (rq->nid + step) % sys->nr_nodes;

        for (zi = 0; zi <= rq->highest_zone_idx; zi++)
            if (sys->zones[n][zi] != NULL) {
                sys->kswapd(sys->kswapd_arg, n, rq->order,
                            rq->highest_zone_idx);
                break;
            }
    }
}

/* The system's vm events: with the zones' counters, compiled out by
 * BUDDY_STATS=0. */
#if BUDDY_STATS
#define sys_count(sys, field, n)                                               \
    buddy_add_relaxed(&(sys)->field, (unsigned long)(n))
#else
#define sys_count(sys, field, n) ((void)(sys), (void)(n))
#endif

/* do_shrink_slab for each shrinker at reclaim priority `prio`: ask for
 * (freeable >> prio) * 4 / seeks objects, at most twice what it has, in
 * batches, each batch counted in slabs_scanned. Returns the objects
 * freed. No lock held; direct reclaim and kswapd may run it at once, so
 * the shrinkers must be thread-safe. */
static uint64_t shrink_all(struct buddy__system *sys,
                           const struct alloc_request *rq, unsigned prio)
{
    uint64_t freed = 0;
    unsigned i, nr = sys->nr_shrinkers;

    for (i = 0; i < nr && i < BUDDY_MAX_SHRINKERS; i++) {
        const struct buddy_shrinker *s = &sys->shrinkers[i];
        struct buddy_shrink_control sc = {rq->nid, rq->order, 0};
        uint64_t seeks =
            s->seeks != 0 ? s->seeks : BUDDY_SHRINKER_DEFAULT_SEEKS;
        uint64_t batch = s->batch != 0 ? s->batch : BUDDY_SHRINK_BATCH;
        uint64_t freeable = s->count(s->arg, &sc), total;

        if (freeable == 0 || freeable == BUDDY_SHRINK_EMPTY)
            continue;
        total = freeable >> prio;
        total = total > UINT64_MAX / 4 ? UINT64_MAX / seeks : total * 4 / seeks;
        if (freeable <= UINT64_MAX / 2 && total > freeable * 2)
            total = freeable * 2; /* the kernel's cap */
        while (total >= batch || total >= freeable) {
            uint64_t ret;

            sc.nr_to_scan = total < batch ? total : batch;
            ret = s->scan(s->arg, &sc);
            if (ret == BUDDY_SHRINK_STOP)
                break;
            sys_count(sys, slabs_scanned, sc.nr_to_scan);
            freed += ret;
            total -= sc.nr_to_scan;
        }
    }
    return freed;
}

/* The kernel's DEF_PRIORITY and SWAP_CLUSTER_MAX: a direct reclaim asks
 * each shrinker for 1/4096 of what it holds (times 4 / seeks), then twice
 * as much, down to priority 0, until 32 objects came back. */
#define RECLAIM_DEF_PRIORITY 12u
#define RECLAIM_ENOUGH 32u

/* do_try_to_free_pages, shrinkers only. Returns the objects freed. */
static uint64_t direct_reclaim(struct buddy__system *sys,
                               const struct alloc_request *rq)
{
    uint64_t freed = 0;
    unsigned prio = RECLAIM_DEF_PRIORITY + 1;

    while (prio-- > 0 && freed < RECLAIM_ENOUGH)
        freed += shrink_all(sys, rq, prio);
    return freed;
}

/* ---- kswapd: balancing a node ---------------------------------------------
 *
 * The kernel's balance_pgdat with shrinkers only, for whatever thread the
 * embedder runs it on (the hosted layer's is src/hosted/kswapd.c). A node
 * is balanced when one zone it may use passes the high mark (boost
 * included) at the order, as an allocation with no reserves would judge it
 * (pgdat_balanced): one zone is enough for the request to succeed, and
 * balancing the others too would reclaim more than any allocation needs.
 * Until then the shrinkers run at priorities 12 down to 1, one pass each.
 * A boost is reclaimed on top: while the zones' boost (as it was when the
 * run began) is not yet freed, a balanced node is reclaimed anyway, and
 * the priority stays at 10 while passes make progress; a pass that frees
 * nothing ends a boosted run, and a node found unbalanced forgets the
 * boost and reclaims for its marks from priority 12 again. At the end each
 * zone's boost drops by what it was at the start (a boost raised during
 * the run stays for the next), as the kernel resets it after balancing.
 * Once twice the order's pages are reclaimed the order is judged as 0
 * (kswapd_shrink_node's compact_gap): there is no compaction to assemble a
 * large block from what reclaim frees.
 *
 * Everything it touches is safe beside allocations and direct reclaim on
 * other threads: zone state only under each zone's lock, the counters by
 * atomic adds, the zonelist and shrinker table only read (they are fixed
 * once the system is shared). Cost: at most 12 passes of the shrinkers
 * (24 when a boosted run starts again), plus, while a boost is reclaimed
 * at priority 10, as many passes as it takes, each freeing something; a
 * pass is O(shrinkers) calls plus their batches and O(zones of the node)
 * lock round trips.
 */

/* Where a boosted run holds its priority (DEF_PRIORITY - 2: the kernel's
 * limit that keeps boosted reclaim light). */
#define RECLAIM_BOOST_PRIORITY (RECLAIM_DEF_PRIORITY - 2u)

/* pgdat_balanced: does some zone of the node, up to the request's highest
 * index, pass its high mark at the order? A node without managed pages
 * there is balanced: there is nothing to reclaim for. Takes each zone's
 * lock in turn. */
static bool node_balanced(const struct buddy__system *sys,
                          const struct alloc_request *rq)
{
    bool managed = false;
    unsigned zi;

    for (zi = 0; zi <= rq->highest_zone_idx; zi++) {
        struct buddy_zone *z = sys->zones[rq->nid][zi];
        bool ok = false;

        if (z == NULL)
            continue;
        buddy__lock(z);
        if (buddy__managed_pages(z) != 0) {
            managed = true;
            ok = zone_watermark_ok_locked(z, rq, BUDDY_WMARK_HIGH);
        }
        buddy__unlock(z);
        if (ok)
            return true;
    }
    return !managed;
}

/* The balance_pgdat loop, from priority 12 down; nr_boost is the boost
 * still to reclaim. Returns the objects freed. */
static uint64_t balance_loop(struct buddy__system *sys,
                             struct alloc_request *rq, uint64_t nr_boost)
{
    uint64_t total = 0;
    unsigned prio = RECLAIM_DEF_PRIORITY;

    while (prio >= 1) {
        bool balanced = node_balanced(sys, rq);
        bool lower = nr_boost == 0 || prio != RECLAIM_BOOST_PRIORITY;
        uint64_t freed;

        if (!balanced && nr_boost != 0) {
            nr_boost = 0; /* the marks first: start again without it */
            prio = RECLAIM_DEF_PRIORITY;
            continue;
        }
        if (balanced && nr_boost == 0)
            break;
        freed = shrink_all(sys, rq, prio);
        total += freed;
        if (rq->order != 0 && total >= (uint64_t)2 << rq->order)
            rq->order = 0;
        nr_boost -= nr_boost < freed ? nr_boost : freed;
        if (nr_boost != 0 && freed == 0)
            break;
        if (lower || freed == 0)
            prio--;
    }
    return total;
}

int buddy_system_balance_node(struct buddy_system *system, unsigned nid,
                              unsigned highest_zone_idx, unsigned order,
                              uint64_t *reclaimed)
{
    struct buddy__system *sys = buddy__sys(system);
    struct alloc_request rq = {nid, highest_zone_idx, order, 0,
                               BUDDY_MIGRATE_UNMOVABLE, false, 0, NULL,
                               false};
    uint64_t boosts[BUDDY_MAX_NR_ZONES] = {0}, nr_boost = 0, total;
    bool managed = false;
    unsigned zi;

    if (sys == NULL)
        return BUDDY_ENULL;
    if (nid >= sys->nr_nodes || highest_zone_idx >= BUDDY_MAX_NR_ZONES)
        return BUDDY_ENODE;
    if (order > BUDDY_MAX_ORDER_LIMIT)
        return BUDDY_EORDER;
    /* The boost of each zone now: what this run reclaims on top of the
     * marks, and takes back at the end. */
    for (zi = 0; zi <= highest_zone_idx; zi++) {
        struct buddy_zone *z = sys->zones[nid][zi];

        if (z == NULL)
            continue;
        buddy__lock(z);
        if (buddy__managed_pages(z) != 0) {
            managed = true;
            boosts[zi] = z->wmarks.boost;
        }
        buddy__unlock(z);
        nr_boost += boosts[zi];
    }
    total = 0;
    if (managed) {
        sys_count(sys, pageoutrun, 1);
        total = balance_loop(sys, &rq, nr_boost);
    }
    for (zi = 0; zi <= highest_zone_idx; zi++) {
        struct buddy_zone *z = sys->zones[nid][zi];

        if (boosts[zi] == 0)
            continue;
        buddy__lock(z);
        z->wmarks.boost -= z->wmarks.boost < boosts[zi] ? z->wmarks.boost
                                                        : boosts[zi];
        buddy__unlock(z);
    }
    if (reclaimed != NULL)
        *reclaimed = total;
    return 0;
}

static int alloc_pages_flags(struct buddy__system *sys, unsigned nid,
                             unsigned highest_zone_idx, unsigned order,
                             unsigned flags, buddy_pfn_t *pfn,
                             struct buddy_zone **zone_out)
{
    struct alloc_request rq = {nid, highest_zone_idx, order, flags,
                               BUDDY_MIGRATE_UNMOVABLE, false, 0, NULL,
                               false};
    int mark = flags & BUDDY_GFP_MEMALLOC ? NO_WMARK : BUDDY_WMARK_MIN;
    unsigned retry;
    int zi;
    struct buddy_zone *preferred;

    if (sys == NULL || pfn == NULL)
        return BUDDY_ENULL;
    if ((flags & ~BUDDY_GFP_ALL) ||
        (flags & BUDDY_GFP_MOVABLE && flags & BUDDY_GFP_RECLAIMABLE))
        return BUDDY_EINVAL;
    if (flags & BUDDY_GFP_MOVABLE)
        rq.mt = BUDDY_MIGRATE_MOVABLE;
    else if (flags & BUDDY_GFP_RECLAIMABLE)
        rq.mt = BUDDY_MIGRATE_RECLAIMABLE;
    if (nid >= sys->nr_nodes || highest_zone_idx >= BUDDY_MAX_NR_ZONES)
        return BUDDY_ENODE;
    /* No zone of the list has blocks of this order: bad input, as the
     * zone call's EORDER, and nothing is counted. */
    if (!zonelist_first(sys, nid, highest_zone_idx, order, &preferred))
        return BUDDY_EORDER;
    rq.preferred = preferred;
    rq.kswapd = sys->kswapd != NULL;
    /* Where the preferred zone sits in this zonelist (not its own zone
     * index: a lone zone's zonelist is built around it). */
    for (zi = (int)highest_zone_idx; zi >= 0; zi--)
        if (sys->zones[nid][zi] != NULL)
            break;
    rq.nofragment = zi >= 0 && sys->zones[nid][zi] == preferred &&
                    lower_zone_populated(sys, nid, zi);
    /* The fast path, against the low marks with no reserves. */
    if (zonelist_pass(sys, &rq, BUDDY_WMARK_LOW, false, pfn, zone_out) == 0)
        return 0;
    /* The slow path: kswapd, the min marks with what the flags may use,
     * the caches drained, then the shrinkers (unless NOWAIT). */
    wake_kswapds(sys, &rq);
    rq.reserves = flags;
    if (zonelist_pass(sys, &rq, mark, false, pfn, zone_out) == 0 ||
        zonelist_pass(sys, &rq, mark, true, pfn, zone_out) == 0)
        return 0;
    /* A request that may reclaim takes back a HIGHATOMIC reserve beyond
     * its last pageblock before its shrinkers run, as
     * __alloc_pages_direct_reclaim does when a reclaim came up short. */
    if (!(flags & BUDDY_GFP_NOWAIT) && unreserve_all(sys, &rq, false) &&
        zonelist_pass(sys, &rq, mark, false, pfn, zone_out) == 0)
        return 0;
    for (retry = 0; !(flags & BUDDY_GFP_NOWAIT) && sys->nr_shrinkers != 0 &&
                    retry < BUDDY_MAX_RECLAIM_RETRIES;
         retry++) {
        uint64_t freed;

        /* __perform_reclaim counts one stall per direct reclaim. */
        buddy__lock(preferred);
        buddy_stat_inc(preferred, allocstall);
        buddy__unlock(preferred);
        freed = direct_reclaim(sys, &rq);

        if (zonelist_pass(sys, &rq, mark, false, pfn, zone_out) == 0)
            return 0;
        if (freed == 0)
            break; /* no progress: the kernel's should_reclaim_retry */
    }
    /* Out of retries: should_reclaim_retry gives back the last reserved
     * pageblocks too before the allocation fails. */
    while (!(flags & BUDDY_GFP_NOWAIT) && unreserve_all(sys, &rq, true))
        if (zonelist_pass(sys, &rq, mark, false, pfn, zone_out) == 0)
            return 0;
    /* The failure is the preferred zone's, even when its max_order is
     * below the order and only other zones were tried. */
    buddy__lock(preferred);
    buddy__alloc_failed(preferred, order);
    buddy__unlock(preferred);
    return BUDDY_ENOMEM;
}

int buddy_system_alloc_pages_flags(struct buddy_system *system, unsigned nid,
                                   unsigned highest_zone_idx, unsigned order,
                                   unsigned flags, buddy_pfn_t *pfn,
                                   struct buddy_zone **zone_out)
{
    return alloc_pages_flags(buddy__sys(system), nid, highest_zone_idx, order,
                             flags, pfn, zone_out);
}

/* A zonelist of one zone: the zone as node 0's only zone, with no kswapd
 * and no shrinkers, built on the stack for the one call. The zone's own
 * place in a system, if it has one, is not touched. */
int buddy_zone_alloc_pages_flags(struct buddy_zone *z, unsigned order,
                                 unsigned flags, buddy_pfn_t *pfn)
{
    struct buddy__system alone;

    if (!buddy__zone_ok(z))
        return BUDDY_EBADZONE;
    buddy__system_of_zone(&alone, z);
    return alloc_pages_flags(&alone, 0, 0, order, flags, pfn, NULL);
}

int buddy_system_alloc_pages(struct buddy_system *system, unsigned nid,
                             unsigned highest_zone_idx, unsigned order,
                             buddy_pfn_t *pfn, struct buddy_zone **zone_out)
{
    return buddy_system_alloc_pages_flags(system, nid, highest_zone_idx, order,
                                          BUDDY_GFP_MOVABLE, pfn, zone_out);
}

int buddy_system_set_kswapd(struct buddy_system *system, buddy_kswapd_fn fn,
                            void *arg)
{
    struct buddy__system *sys = buddy__sys(system);

    if (sys == NULL)
        return BUDDY_ENULL;
    sys->kswapd = fn;
    sys->kswapd_arg = fn != NULL ? arg : NULL;
    return 0;
}

static int find_shrinker(const struct buddy__system *sys,
                         const struct buddy_shrinker *s)
{
    unsigned i;

    for (i = 0; i < sys->nr_shrinkers && i < BUDDY_MAX_SHRINKERS; i++)
        if (sys->shrinkers[i].count == s->count &&
            sys->shrinkers[i].scan == s->scan &&
            sys->shrinkers[i].arg == s->arg)
            return (int)i;
    return -1;
}

int buddy_system_register_shrinker(struct buddy_system *system,
                                   const struct buddy_shrinker *s)
{
    struct buddy__system *sys = buddy__sys(system);

    if (sys == NULL || s == NULL || s->count == NULL || s->scan == NULL)
        return BUDDY_ENULL;
    if (find_shrinker(sys, s) >= 0)
        return BUDDY_EEXIST;
    if (sys->nr_shrinkers >= BUDDY_MAX_SHRINKERS)
        return BUDDY_ENOSPC;
    sys->shrinkers[sys->nr_shrinkers++] = *s;
    return 0;
}

int buddy_system_unregister_shrinker(struct buddy_system *system,
                                     const struct buddy_shrinker *s)
{
    struct buddy__system *sys = buddy__sys(system);
    int i;

    if (sys == NULL || s == NULL)
        return BUDDY_ENULL;
    i = find_shrinker(sys, s);
    if (i < 0)
        return BUDDY_ERANGE;
    /* Keep the order of the others: they are asked in registration order. */
    for (; (unsigned)i + 1 < sys->nr_shrinkers; i++)
        sys->shrinkers[i] = sys->shrinkers[i + 1];
    sys->nr_shrinkers--;
    return 0;
}

struct buddy_zone *buddy_system_pfn_zone(const struct buddy_system *system,
                                         buddy_pfn_t pfn)
{
    const struct buddy__system *sys = buddy__sys_const(system);
    unsigned n, i;

    if (sys == NULL)
        return NULL;
    for (n = 0; n < sys->nr_nodes; n++)
        for (i = 0; i < BUDDY_MAX_NR_ZONES; i++) {
            struct buddy_zone *z = sys->zones[n][i];

            if (z != NULL && pfn - z->start_pfn < z->spanned)
                return z;
        }
    return NULL;
}

int buddy_system_free_pages(struct buddy_system *system, buddy_pfn_t pfn,
                            unsigned order)
{
    struct buddy__system *sys = buddy__sys(system);
    struct buddy_zone *z;

    if (sys == NULL)
        return BUDDY_ENULL;
    z = buddy_system_pfn_zone(system, pfn);
    if (z == NULL)
        return BUDDY_ERANGE;
    return buddy_zone_free_pages(z, pfn, order);
}
