/* SPDX-License-Identifier: MIT */
/*
 * pcp.c: per-CPU page caches, the kernel's per_cpu_pages.
 *
 * A cache keeps, per order 0..max_order, a LIFO list of blocks it took from
 * its zone. Its owner (one CPU, or one thread in user space) allocates and
 * frees those orders without the zone lock:
 *
 *   alloc: pop the list head, mark the page ALLOCATED;
 *   free:  check the page's state byte is ALLOCATED of that order (the same
 *          O(1) check as a zone free), mark it CACHED, push it.
 *
 * The byte API (buddy_pcp_alloc / buddy_pcp_free) is the same pop and push
 * behind one size compare or one rotate-and-compare range and alignment
 * test, with the zone's geometry copied into the cache so the fast paths
 * read one structure; a page, the common request, has its own copy of each
 * path with the order a constant. Those fast paths live in
 * src/private/pcp.h, so the hosted heap inlines them too; their slow
 * halves are here.
 *
 * Lists are linked through l.next of the zone's frame records, which a
 * page only uses as links while it is free; a cached page is not free, so
 * the slot is the cache's.
 * When a list is empty the owner takes the zone lock once and moves
 * `batch` pages' worth of blocks in (rmqueue_bulk), cut from whole runs
 * (buddy__alloc_run_locked: one list operation per run), smallest-first
 * as the kernel's: the holes that frees left are refilled before a large
 * block is cut, so the cache hands out pages the program has already
 * faulted in (docs/design.md has the measurement). When the cache holds
 * more than `high` pages (by default 1/1024 of the zone's span, at least 6
 * batches) it moves `batch` pages out (free_pcppages_bulk), from the list
 * that grew past the mark first, then the highest orders. A cache that
 * cannot refill takes every cache's blocks back, its own included (they
 * may merge into what is asked for), and tries once more; so does every
 * allocation that finds the zone short (page_alloc.c).
 *
 * Cached blocks are counted by the zone as allocated (alloc_count counts
 * blocks leaving the free lists) but shown as CACHED: buddyinfo does not
 * count them as free, as in the kernel, and the stats report them as
 * cached_pages. Everything a cache does to shared state (refill, drain,
 * attach, detach, error reports) happens under the zone lock.
 *
 * Remote drains. Another thread may take a cache's blocks while its owner
 * runs: before an allocation fails (the kernel's drain_all_pages), for
 * buddy_zone_drain_caches and buddy_pcp_drain, and while the validator
 * looks at the lists. The drainer holds the zone lock throughout; it shuts
 * the cache's gate (the bounds its fast paths compare, set to 0, then an
 * atomic exchange of the gate word), makes that visible to every CPU (the
 * embedder's sync_cpus), and waits until the owner's active word is clear.
 * From then on the owner cannot be inside a fast path: one that starts
 * compares against a bound of 0 and goes slow, to the zone lock
 * (src/private/pcp.h has the owner's half). The drainer takes the blocks and
 * opens the gate. Since 5.19 the kernel guards each pcp with a spinlock
 * for the same purpose; the handshake costs the owner no atomic operation
 * and no extra compare when the embedder has sync_cpus, and the wait is
 * bounded by one fast path, O(1) or a bulk allocation's chunk of pops
 * (every slow path clears active before it takes the zone lock). Without
 * sync_cpus a cache is fenced: its bounds
 * stay shut and its owner runs the cached operations here, out of line,
 * with an exchange on active and a read of the gate word.
 *
 * Cost: the cached alloc is O(1) with no atomic read-modify-write, the
 * cached free one compare-and-swap of the state byte (a fenced cache adds
 * an exchange and a call to each); a refill or drain is one lock round
 * trip and O(batch * max_order); a remote drain adds one sync_cpus.
 */
#include "internal.h"

int buddy_pcp_count(const struct buddy_pcp *cache, uint64_t *pages)
{
    const struct buddy__pcp *pcp = buddy__pcp_const(cache);

    if (pcp == NULL || pages == NULL ||
        buddy_load_relaxed(&pcp->magic) != BUDDY_PCP_MAGIC)
        return BUDDY_ENULL;
    *pages = buddy__pcp_count(pcp);
    return 0;
}

int buddy_pcp_get_config(const struct buddy_pcp *cache,
                         struct buddy_pcp_config *cfg)
{
    const struct buddy__pcp *pcp = buddy__pcp_const(cache);

    if (pcp == NULL || cfg == NULL ||
        buddy_load_relaxed(&pcp->magic) != BUDDY_PCP_MAGIC)
        return BUDDY_ENULL;
    /* Set at init and not changed while attached. */
    cfg->max_order = pcp->max_order;
    cfg->batch = pcp->batch;
    cfg->high = pcp->high;
    return 0;
}

/* The high mark a config of high 0 gets: the kernel's zone_highsize grows
 * pcp->high with the zone (its low watermark over the CPUs), so that the
 * caches of a large zone do not refill and drain at every burst
 * (docs/design.md). 1/1024 of the span, at least 6 batches, at most
 * BUDDY_PCP_MAX_HIGH. */
static uint64_t scaled_high(const struct buddy_zone *z, uint64_t batch)
{
    uint64_t high = z->spanned >> 10;

    if (high < 6 * batch)
        high = 6 * batch;
    return high > BUDDY_PCP_MAX_HIGH ? BUDDY_PCP_MAX_HIGH : high;
}

/* Every list empty. */
static void lists_clear(struct buddy__pcp *pcp)
{
    unsigned l, k;

    for (l = 0; l < BUDDY_PCP_LISTS; l++)
        for (k = 0; k <= BUDDY_PCP_ORDER_LIMIT; k++)
            *buddy__pcp_list(pcp, l, k) = BUDDY_NIL;
}

/* The list a request of type mt (a pcp type) takes from: list 0 for the
 * zone's first type, and for every type with grouping off (each then
 * takes the zone's one type, buddy__request_type). */
static unsigned list_of_type(const struct buddy__pcp *pcp, unsigned mt)
{
    if (mt == pcp->pb_key || pcp->pb_key != BUDDY_MIGRATE_MOVABLE)
        return 0;
    return mt == BUDDY_MIGRATE_UNMOVABLE ? 1u : 2u;
}

/* The type list l's refills ask the zone for. */
static unsigned type_of_list(const struct buddy__pcp *pcp, unsigned l)
{
    static const uint8_t types[BUDDY_PCP_LISTS] = {
        0, BUDDY_MIGRATE_UNMOVABLE, BUDDY_MIGRATE_RECLAIMABLE};

    return l == 0 ? pcp->pb_key : types[l];
}

/* The list a block freed at idx goes on, from its pageblock's type now (the
 * kernel's free_frozen_pages): HIGHATOMIC pages are cached as list 0's
 * type, movable; -1 for an ISOLATE pageblock, whose frees go to the zone
 * and stay there. */
static int list_of_block(const struct buddy__pcp *pcp, uintptr_t idx)
{
    uint8_t byte = buddy_load_relaxed(
        &pcp->pageblock[((uint64_t)idx + pcp->pb_skew) >> pcp->pb_shift]);
    unsigned mt = (byte & BUDDY_PB_TYPE_MASK) ^ pcp->pb_key;

    if (mt == BUDDY_MIGRATE_ISOLATE)
        return -1;
    return mt < BUDDY_MIGRATE_PCPTYPES ? (int)list_of_type(pcp, mt) : 0;
}

/* Is pcp on z's list of caches? Bounded by nr_caches. Lock held. */
static bool pcp_attached_locked(const struct buddy_zone *z,
                                const struct buddy__pcp *pcp)
{
    const struct buddy__pcp *p = z->caches;
    uint32_t n;

    for (n = 0; p != NULL && n < z->nr_caches; n++, p = p->next)
        if (p == pcp)
            return true;
    return false;
}

int buddy_pcp_init(struct buddy_pcp *cache, struct buddy_zone *z,
                   const struct buddy_pcp_config *cfg)
{
    struct buddy__pcp *pcp = buddy__pcp(cache);
    uint64_t high;

    if (!buddy__zone_ok(z))
        return BUDDY_EBADZONE;
    if (pcp == NULL || cfg == NULL)
        return BUDDY_ENULL;
    if (cfg->max_order > BUDDY_PCP_ORDER_LIMIT || cfg->max_order > z->max_order ||
        cfg->batch == 0 || cfg->batch > BUDDY_PCP_MAX_BATCH ||
        (cfg->high != 0 && cfg->high < cfg->batch) ||
        cfg->high > BUDDY_PCP_MAX_HIGH)
        return BUDDY_EINVAL;
    high = cfg->high != 0 ? cfg->high : scaled_high(z, cfg->batch);
    buddy__lock(z);
    /* A cache attached to this zone already would be linked to itself and
     * its blocks lost: refuse. The storage is otherwise not read, so it may
     * hold anything (a cache attached to another zone is not caught here;
     * that zone's validator reports it, "cache attached to another zone"). */
    if (pcp_attached_locked(z, pcp)) {
        buddy__unlock(z);
        return BUDDY_EATTACHED;
    }
    buddy_memset(pcp, 0, sizeof(*pcp));
    pcp->zone = z;
    pcp->frame = z->frame;
    pcp->state = z->state;
    pcp->owner = z->owner;
    pcp->start_pfn = z->start_pfn;
    pcp->page_shift = z->page_shift;
    pcp->open.spanned = z->spanned;
    pcp->open.order_end = cfg->max_order + 1;
    if (z->base != 0) {
        /* zone init proved base + spanned pages is addressable */
        unsigned fast_shift = cfg->max_order + z->page_shift;

        pcp->base = z->base;
        pcp->open.byte_pages = z->spanned;
        pcp->open.page_bytes = (uintptr_t)1 << z->page_shift;
        /* page_shift < W (internal.h); but a cached block of 2^W bytes or
         * more lies in no address space: the bound saturates, and a size
         * it lets through that needs such a block finds its list empty
         * and takes the slow path. */
        pcp->open.fast_bytes = fast_shift < BUDDY_PTR_BITS
                                   ? (uintptr_t)1 << fast_shift
                                   : UINTPTR_MAX;
    }
    pcp->pageblock = z->pageblock;
    pcp->pb_skew = z->pb_skew;
    pcp->pb_shift = z->pageblock_order;
    pcp->pb_key = z->pb_key;
    pcp->max_order = cfg->max_order;
    pcp->batch = cfg->batch;
    pcp->high = (uint32_t)high;
    lists_clear(pcp);
    buddy__pcp_set_mode(pcp);
    /* The first cache of a zone never shared is solo; a second ends that
     * for both, for good. */
    if (z->nr_caches != 0)
        buddy__caches_share_locked(z);
    if (!z->caches_shared) {
        pcp->solo = 1;
        z->solo = 1; /* pcp is about to be z->caches */
    }
    pcp->magic = BUDDY_PCP_MAGIC;
    pcp->next = z->caches;
    z->caches = pcp;
    z->nr_caches++;
    buddy__unlock(z);
    return 0;
}

/* ---- the drainer's half of the handshake (pcp.h has the owner's) ------ */

/* The fast paths' bounds: open, or all 0 (every fast path goes slow). */
static void live_set(struct buddy__pcp *pcp, bool open)
{
    struct buddy__pcp_gate g;

    if (open) {
        g = pcp->open;
        /* Frees that must look their type or their owner up go slow. */
        if (pcp->zone->nr_pb_typed != 0 || pcp->owner != NULL)
            g.spanned = 0, g.byte_pages = 0;
    } else {
        buddy_memset(&g, 0, sizeof(g));
    }
    /* Release: what the drain did to the lists happens before a fast path
     * whose first (acquire) read of a bound sees it open. */
    buddy_store_release(&pcp->live.spanned, g.spanned);
    buddy_store_release(&pcp->live.byte_pages, g.byte_pages);
    buddy_store_release(&pcp->live.page_bytes, g.page_bytes);
    buddy_store_release(&pcp->live.fast_bytes, g.fast_bytes);
    buddy_store_release(&pcp->live.order_end, g.order_end);
}

void buddy__pcp_set_mode(struct buddy__pcp *pcp)
{
    const struct buddy_zone *z = pcp->zone;

    /* A zone shared by threads (lock ops) whose embedder cannot make every
     * CPU's stores visible (no sync_cpus) keeps its caches' fast bounds
     * shut: their cached operations run out of line, with an exchange. */
    pcp->fenced = z->lock.lock != NULL && z->lock.sync_cpus == NULL;
    live_set(pcp, !pcp->fenced && buddy_load_relaxed(&pcp->gate) == 0);
}

void buddy__caches_retype_locked(struct buddy_zone *z)
{
    struct buddy__pcp *pcp = z->caches;
    uint32_t n;

    /* A cache whose gate is open gets its bounds for the zone's types now;
     * a closed or fenced one gets them when its gate opens. An owner that
     * read the old bound frees onto list 0 meanwhile: a list choice the
     * drain corrects, never a lost block. */
    for (n = 0; pcp != NULL && n < z->nr_caches; n++, pcp = pcp->next)
        if (!pcp->fenced && buddy_load_relaxed(&pcp->gate) == 0)
            live_set(pcp, true);
}

/* Close one cache's gate: the fast bounds to 0, then the gate word with a
 * sequentially consistent exchange, so that these stores come before our
 * reads of active (Dekker's order). Lock held. */
static void gate_close(struct buddy__pcp *pcp)
{
    live_set(pcp, false);
    (void)buddy_xchg_seq_cst(&pcp->gate, 1u);
}

/* Then every CPU's store of active before its read of a bound (owners that
 * fence themselves need not), and wait until the owner is out. */
static void sync_owners(struct buddy_zone *z)
{
    if (z->lock.sync_cpus != NULL)
        z->lock.sync_cpus(z->lock.arg);
}

static void wait_owner(const struct buddy_zone *z, const struct buddy__pcp *pcp)
{
    while (buddy_load_seq_cst(&pcp->active) != 0) {
        if (z->lock.relax != NULL)
            z->lock.relax(z->lock.arg);
        else
            buddy_cpu_relax();
    }
}

/* Open it again (not for a fenced cache, whose bounds stay shut). */
static void gate_open(struct buddy__pcp *pcp)
{
    buddy_store_release(&pcp->gate, 0u);
    if (!pcp->fenced)
        live_set(pcp, true);
}

/* Close the gates of the caches that hold pages (all of them with `all`),
 * make that visible to every owner, and wait until none is inside a fast
 * path. Returns how many gates it closed. Lock held: no other drain runs,
 * so a closed gate on the list is ours. */
static uint32_t gates_close_locked(struct buddy_zone *z, bool all)
{
    struct buddy__pcp *pcp = z->caches;
    uint32_t n, closed = 0;

    buddy_assert_locked(z);
    for (n = 0; pcp != NULL && n < z->nr_caches; n++, pcp = pcp->next)
        if (all || buddy__pcp_count(pcp) != 0) {
            gate_close(pcp);
            closed++;
        }
    if (closed == 0)
        return 0;
    sync_owners(z);
    for (n = 0, pcp = z->caches; pcp != NULL && n < z->nr_caches;
         n++, pcp = pcp->next)
        if (buddy_load_relaxed(&pcp->gate) != 0)
            wait_owner(z, pcp);
    return closed;
}

/* ---- the solo cache -------------------------------------------------------
 * A zone's claims race only when two threads can free at once. While one
 * cache is the only one a zone ever had, and nobody else has freed
 * through the zone since it attached, its owner is the only thread that
 * claims a state byte without the lock, so its claim need not be atomic:
 * a plain load and store instead of a compare-and-swap, which waits for
 * the byte's line and drains every earlier store (glibc's malloc keeps a
 * single-threaded process off its atomics the same way, SINGLE_THREAD_P).
 * Every other claimer ends it first, under the lock: a second cache
 * attaching, or a zone free by anyone but the solo owner's own slow path
 * (buddy__solo_end_locked). Ending is a remote drain's handshake without
 * the drain: shut the gate, make that visible, wait for the owner to
 * leave a plain claim it may be inside, clear solo, open the gate; the
 * owner's next fast path sees solo clear (the gate's release and acquire
 * order it). It lasts for the zone's life: a program that has shared a
 * zone once tends to again, and each end costs a sync_cpus. */
void buddy__caches_share_locked(struct buddy_zone *z)
{
    struct buddy__pcp *pcp = z->caches;
    bool open;

    buddy_assert_locked(z);
    z->caches_shared = 1;
    if (!z->solo)
        return;
    z->solo = 0;
    open = buddy_load_relaxed(&pcp->gate) == 0;
    if (open) {
        gate_close(pcp);
        sync_owners(z);
        wait_owner(z, pcp);
    }
    buddy_store_relaxed(&pcp->solo, 0u);
    if (open)
        gate_open(pcp);
}

/* Open every closed gate. Lock held. */
static void gates_open_locked(struct buddy_zone *z)
{
    struct buddy__pcp *pcp = z->caches;
    uint32_t n;

    for (n = 0; pcp != NULL && n < z->nr_caches; n++, pcp = pcp->next)
        if (buddy_load_relaxed(&pcp->gate) != 0)
            gate_open(pcp);
}

/* Freeze and thaw every cache for the validator (check.c). */
void buddy__caches_freeze_locked(struct buddy_zone *z)
{
    (void)gates_close_locked(z, true);
}

void buddy__caches_thaw_locked(struct buddy_zone *z)
{
    gates_open_locked(z);
}

/* Free blocks from the head of list l of `order` until `freed` reaches
 * `pages`. Each goes to its pageblock's type list in the zone, whichever
 * cache list held it. */
static uint64_t drain_list_locked(struct buddy__pcp *pcp, unsigned l,
                                  unsigned order, uint64_t freed,
                                  uint64_t pages)
{
    struct buddy_zone *z = pcp->zone;
    uint32_t *list = buddy__pcp_list(pcp, l, order);

    while (freed < pages && *list != BUDDY_NIL) {
        uint32_t idx = *list;

        *list = z->frame[idx].l.next;
        buddy__free_block_locked(z, idx, order);
        freed += (uint64_t)1 << order;
    }
    return freed;
}

void buddy__pcp_drain_locked(struct buddy__pcp *pcp, uint64_t pages,
                             unsigned l, unsigned order)
{
    uint64_t freed;
    unsigned k = pcp->max_order + 1;

    buddy_assert_locked(pcp->zone);
    freed = drain_list_locked(pcp, l, order, 0, pages);
    while (k-- > 0)
        for (l = 0; l < BUDDY_PCP_LISTS; l++)
            freed = drain_list_locked(pcp, l, k, freed, pages);
    if (freed != 0) {
        buddy__pcp_count_set(pcp, pcp->count - (uint32_t)freed);
        buddy_stat_inc(pcp->zone, cache_drains);
    }
}

uint64_t buddy__drain_caches_locked(struct buddy_zone *z)
{
    struct buddy__pcp *pcp;
    uint64_t pages = 0;
    uint32_t n;

    if (gates_close_locked(z, false) == 0)
        return 0;
    for (n = 0, pcp = z->caches; pcp != NULL && n < z->nr_caches;
         n++, pcp = pcp->next)
        if (buddy_load_relaxed(&pcp->gate) != 0) {
            pages += buddy__pcp_count(pcp);
            buddy__pcp_drain_locked(pcp, UINT64_MAX, 0, 0);
        }
    gates_open_locked(z);
    return pages;
}

int buddy_zone_drain_caches(struct buddy_zone *z, uint64_t *pages)
{
    uint64_t n;

    if (!buddy__zone_ok(z))
        return BUDDY_EBADZONE;
    buddy__lock(z);
    n = buddy__drain_caches_locked(z);
    buddy_check_expensive(z);
    buddy__unlock(z);
    if (pages != NULL)
        *pages = n;
    return 0;
}

/* The zone pcp is attached to, or NULL (a NULL, detached or never
 * attached cache). */
static struct buddy_zone *attached_zone(const struct buddy__pcp *pcp)
{
    return pcp != NULL && pcp->magic == BUDDY_PCP_MAGIC ? pcp->zone : NULL;
}

/* Drain one cache from any thread: its gate alone closed, the same wait;
 * the gate is left closed for the caller to open (or, detaching, not). */
static void drain_one_locked(struct buddy__pcp *pcp)
{
    struct buddy_zone *z = pcp->zone;

    gate_close(pcp);
    sync_owners(z);
    wait_owner(z, pcp);
    buddy__pcp_drain_locked(pcp, UINT64_MAX, 0, 0);
}

void buddy_pcp_drain(struct buddy_pcp *cache)
{
    struct buddy__pcp *pcp = buddy__pcp(cache);
    struct buddy_zone *z;

    z = attached_zone(pcp);
    if (z == NULL)
        return;
    buddy__lock(z);
    if (buddy__pcp_count(pcp) != 0) {
        drain_one_locked(pcp);
        gate_open(pcp);
    }
    buddy_check_expensive(z);
    buddy__unlock(z);
}

/* The owner's own drain: no handshake, as no fast path of this cache can
 * run meanwhile (the hosted heap's buddy_heap_drain). */
void buddy__pcp_drain_self(struct buddy__pcp *pcp)
{
    struct buddy_zone *z;

    z = attached_zone(pcp);
    if (z == NULL)
        return;
    buddy__lock(z);
    buddy__pcp_drain_locked(pcp, UINT64_MAX, 0, 0);
    buddy_check_expensive(z);
    buddy__unlock(z);
}

void buddy_pcp_fini(struct buddy_pcp *cache)
{
    struct buddy__pcp *pcp = buddy__pcp(cache);
    struct buddy_zone *z;
    struct buddy__pcp **link;
    uint32_t n;

    z = attached_zone(pcp);
    if (z == NULL)
        return;
    buddy__lock(z);
    /* The gate stays closed, the bounds 0: a detached cache takes the slow
     * paths, which refuse it. */
    drain_one_locked(pcp);
    if (z->solo)
        z->solo = 0; /* pcp was it; a later first cache may be solo again */
    buddy_store_relaxed(&pcp->solo, 0u);
    for (n = 0, link = &z->caches; *link != NULL && n < z->nr_caches;
         n++, link = &(*link)->next)
        if (*link == pcp) {
            *link = pcp->next;
            z->nr_caches--;
            break;
        }
    pcp->magic = 0;
    pcp->zone = NULL;
    buddy_memset(&pcp->open, 0, sizeof(pcp->open));
    lists_clear(pcp);
    buddy_check_expensive(z);
    buddy__unlock(z);
}

/* Move up to batch pages' worth of order-`order` blocks from the free lists
 * onto list l (rmqueue_bulk): all of them allocated for l's type, one
 * fallback search for the batch (the mode), and all on l whichever
 * pageblocks they came from, as the kernel's refill puts them on the
 * requested type's list. Lock held. Returns the blocks moved. */
static uint32_t refill_locked(struct buddy__pcp *pcp, unsigned l,
                              unsigned order)
{
    struct buddy_zone *z = pcp->zone;
    uint32_t *list = buddy__pcp_list(pcp, l, order);
    unsigned mt = type_of_list(pcp, l);
    uint32_t want = pcp->batch >> order, got = 0;
    unsigned mode = BUDDY_RMQUEUE_NORMAL;

    buddy_assert_locked(z);
    if (want == 0)
        want = 1;
    /* Runs cut into blocks, pushed in ascending order as single allocations
     * would be; stop when nothing is left rather than count a failure. */
    while (got < want) {
        unsigned k;
        uint32_t idx = buddy__alloc_run_locked(z, order, mt, want - got,
                                               &mode, &k);
        uint32_t end;

        if (idx == BUDDY_NIL)
            break;
        end = idx + ((uint32_t)1 << k);
        for (; idx < end; idx += (uint32_t)1 << order) {
            pg_set(z, idx, pg_state(BUDDY_BLOCK_CACHED, order));
            z->frame[idx].l.next = *list;
            *list = idx;
            got++;
        }
    }
    if (got != 0) {
        buddy__pcp_count_set(pcp, pcp->count + (got << order));
        buddy_stat_inc(z, cache_refills);
    }
    return got;
}

/* ---- the slow halves ------------------------------------------------------
 *
 * A fast path goes slow for an uncached order or size, an empty list, a
 * bad free, a detached cache, a closed gate, or a fenced cache (a zone
 * with a lock but no sync_cpus), whose bounds are always shut. A fenced
 * cache's owner does here what the fast path would, with its own fence:
 * an exchange on active, then a sequentially consistent read of the gate
 * word, which a drain closes with an exchange too. */

/* Enter the fenced way; false (and nothing entered) when the cache is not
 * fenced or a drain holds its gate. */
static bool fenced_enter(struct buddy__pcp *pcp)
{
    if (!pcp->fenced)
        return false;
    (void)buddy_xchg_seq_cst(&pcp->active, 1u);
    if (buddy_load_seq_cst(&pcp->gate) == 0)
        return true;
    buddy__pcp_leave(pcp);
    return false;
}

/* Enter as a fast path would, the fenced way for a fenced cache; false
 * (and nothing entered) when the gate is shut or the order not cached. */
static bool slow_enter(struct buddy__pcp *pcp, unsigned order)
{
    buddy__pcp_enter(pcp);
    if (order < buddy_load_acquire(&pcp->live.order_end))
        return true;
    buddy__pcp_leave(pcp);
    return order <= pcp->max_order && fenced_enter(pcp);
}

/* The slow half of a cached allocation from list l. Under the zone lock
 * everything happens, the pop included: a remote drain may take the lists
 * the moment the lock is released. Out of line, so the fast path is a
 * leaf that saves no registers. */
static int alloc_pages_slow(struct buddy__pcp *pcp, unsigned l, unsigned order,
                            buddy_pfn_t *pfn)
{
    struct buddy_zone *z = pcp->zone;
    uint32_t *list;
    int err = 0;

    if (z == NULL || pfn == NULL)
        return BUDDY_ENULL;
    /* An order the cache does not hold is the zone's call, errors and
     * all; short of blocks, the zone drains every cache (this one too)
     * before it fails: they may merge into what is asked for. */
    if (order > pcp->max_order)
        return l == 0 ? buddy_zone_alloc_pages(z, order, pfn)
                      : buddy_zone_alloc_pages_type(
                            z, order,
                            (enum buddy_migratetype)type_of_list(pcp, l), pfn);
    list = buddy__pcp_list(pcp, l, order);
    if (slow_enter(pcp, order)) {
        if (*list != BUDDY_NIL) {
            *pfn = pcp->start_pfn + buddy__pcp_pop_list(pcp, list, order);
            buddy__pcp_leave(pcp);
            return 0;
        }
        buddy__pcp_leave(pcp);
    }
    buddy__lock(z);
    if (buddy_unlikely(pcp->zone != z)) { /* detached meanwhile */
        buddy__unlock(z);
        return BUDDY_ENULL;
    }
    if (*list == BUDDY_NIL && refill_locked(pcp, l, order) == 0 &&
        (buddy__drain_caches_locked(z) == 0 ||
         refill_locked(pcp, l, order) == 0)) {
        /* Nothing free even with every cache drained (ours included). */
        buddy__alloc_failed(z, order);
        err = BUDDY_ENOMEM;
    } else {
        *pfn = pcp->start_pfn + buddy__pcp_pop_list(pcp, list, order);
    }
    buddy_check_expensive(z);
    buddy__unlock(z);
    return err;
}

noinline_ int buddy__pcp_alloc_pages_slow(struct buddy__pcp *pcp,
                                          unsigned order, buddy_pfn_t *pfn)
{
    return alloc_pages_slow(pcp, 0, order, pfn);
}

int buddy_pcp_alloc_pages(struct buddy_pcp *cache, unsigned order,
                          buddy_pfn_t *pfn)
{
    struct buddy__pcp *pcp = buddy__pcp(cache);
    if (buddy_unlikely(pcp == NULL))
        return BUDDY_ENULL;
    return buddy__pcp_alloc_pages_inline(pcp, order, pfn);
}

/* A typed request of list 0's type is the untyped one; the others are its
 * pop on their own list, out of line. Errors as buddy_zone_alloc_pages_type
 * (a type that is not a pcp type is the zone's EINVAL, after ENULL and
 * EORDER). */
int buddy_pcp_alloc_pages_type(struct buddy_pcp *cache, unsigned order,
                               enum buddy_migratetype mt, buddy_pfn_t *pfn)
{
    struct buddy__pcp *pcp = buddy__pcp(cache);
    /* Unsigned, so a negative value is large and refused. */
    unsigned t = (unsigned)mt, l;
    uint32_t *list;

    if (buddy_unlikely(pcp == NULL))
        return BUDDY_ENULL;
    if (buddy_unlikely(t >= BUDDY_MIGRATE_PCPTYPES))
        return pcp->zone == NULL
                   ? BUDDY_ENULL
                   : buddy_zone_alloc_pages_type(pcp->zone, order, mt, pfn);
    l = list_of_type(pcp, t);
    if (l == 0)
        return buddy__pcp_alloc_pages_inline(pcp, order, pfn);
    buddy__pcp_enter(pcp);
    if (order < buddy_load_acquire(&pcp->live.order_end) && pfn != NULL &&
        *(list = buddy__pcp_list(pcp, l, order)) != BUDDY_NIL) {
        *pfn = pcp->start_pfn + buddy__pcp_pop_list(pcp, list, order);
        buddy__pcp_leave(pcp);
        return 0;
    }
    buddy__pcp_leave(pcp);
    return alloc_pages_slow(pcp, l, order, pfn);
}

/* Does the block at idx have an owner? Then its free is the zone's, which
 * tells the owner hook. A cache on a zone with owners keeps its fast frees
 * shut (live_set), so only this slow free asks. */
static bool owned(const struct buddy__pcp *pcp, uintptr_t idx)
{
    return pcp->owner != NULL && buddy_load_relaxed(&pcp->owner[idx]) != 0;
}

/* A free the fast path did not take, of the block at idx, of `order` (read
 * from the state byte without order_given): a fenced cache's, or one of a
 * pageblock of another type than list 0's, claimed and pushed as the fast
 * path does, on the list of its pageblock's type. Returns 1 when it did
 * not take the block (the zone path decides: a gate shut, an uncached
 * order, an ISOLATE pageblock, a bad free). */
static int slow_free(struct buddy__pcp *pcp, uintptr_t idx, unsigned order,
                     bool order_given)
{
    int l;

    if (idx >= pcp->open.spanned || owned(pcp, idx) ||
        (l = list_of_block(pcp, idx)) < 0)
        return 1; /* an owned block is the zone's to free */
    if (!order_given)
        order = buddy__allocated_order(buddy_load_relaxed(&pcp->state[idx]));
    if (order > pcp->max_order || !slow_enter(pcp, order))
        return 1;
    if (!buddy__pcp_claim(pcp, idx, order)) {
        buddy__pcp_leave(pcp);
        return 1;
    }
    return buddy__pcp_push_leave_list(pcp, (unsigned)l, idx, order);
}

/* The slow half of a cached free: a fenced cache's free as the fast path
 * would make it; anything else (a detached cache, an uncached order, a
 * frame outside the zone, a page that is not the head of an ALLOCATED
 * block of this order, a closed gate) goes to the zone path, which frees
 * it, or refuses, counts and reports it, under the lock. */
noinline_ int buddy__pcp_free_pages_slow(struct buddy__pcp *pcp,
                                         buddy_pfn_t pfn, unsigned order)
{
    int err;

    if (pcp->zone == NULL)
        return BUDDY_ENULL;
    if (pfn - pcp->start_pfn < pcp->open.spanned &&
        (err = slow_free(pcp, (uintptr_t)(pfn - pcp->start_pfn), order,
                         true)) != 1)
        return err;
    return buddy__zone_free_pages_by(pcp->zone, pfn, order, true, pcp);
}

/* Give a batch back when the cache is over its high mark: from the list
 * that just grew, the one whose frees outrun its allocations; draining the
 * highest orders first instead would empty lists that the next allocation
 * refills at once (docs/design.md). */
noinline_ int buddy__pcp_drain_batch(struct buddy__pcp *pcp, unsigned l,
                                     unsigned order)
{
    struct buddy_zone *z = pcp->zone;

    buddy__lock(z);
    if (buddy_likely(pcp->zone == z))
        buddy__pcp_drain_locked(pcp, pcp->batch, l, order);
    buddy_check_expensive(z);
    buddy__unlock(z);
    return 0;
}

int buddy_pcp_free_pages(struct buddy_pcp *cache, buddy_pfn_t pfn,
                         unsigned order)
{
    struct buddy__pcp *pcp = buddy__pcp(cache);
    if (buddy_unlikely(pcp == NULL))
        return BUDDY_ENULL;
    return buddy__pcp_free_pages_inline(pcp, pfn, order);
}

static noinline_ int free_pfn_slow(struct buddy__pcp *pcp, buddy_pfn_t pfn)
{
    int err;

    if (pcp->zone == NULL)
        return BUDDY_ENULL;
    if (pfn - pcp->start_pfn < pcp->open.spanned &&
        (err = slow_free(pcp, (uintptr_t)(pfn - pcp->start_pfn), 0,
                         false)) != 1)
        return err;
    return buddy__zone_free_pages_by(pcp->zone, pfn, 0, false, pcp);
}

/* As buddy_pcp_free_pages, with the order read from the state byte. */
int buddy_pcp_free_pfn(struct buddy_pcp *cache, buddy_pfn_t pfn)
{
    struct buddy__pcp *pcp = buddy__pcp(cache);
    buddy_pfn_t rel;
    unsigned order;

    if (buddy_unlikely(pcp == NULL))
        return BUDDY_ENULL;
    rel = pfn - pcp->start_pfn;
    buddy__pcp_enter(pcp);
    if (buddy_unlikely(rel >= buddy_load_acquire(&pcp->live.spanned)))
        goto slow;
    order = buddy__allocated_order(buddy_load_relaxed(&pcp->state[rel]));
    if (buddy_unlikely(order >= buddy_load_relaxed(&pcp->live.order_end) ||
                       !buddy__pcp_claim(pcp, (uintptr_t)rel, order)))
        goto slow;
    return buddy__pcp_push_leave(pcp, (uintptr_t)rel, order);
slow:
    buddy__pcp_leave(pcp);
    return free_pfn_slow(pcp, pfn);
}

/* ---- the byte API through the cache ------------------------------------- */

/* Everything the inline fast allocation does not take: a size beyond the
 * cached orders (or 0, or a zone without a base), an empty list, a closed
 * gate, a detached cache. Same results as buddy_zone_alloc. */
noinline_ void *buddy__pcp_alloc_slow(struct buddy__pcp *pcp, size_t size)
{
    buddy_pfn_t pfn;
    int order;

    if (pcp->zone == NULL)
        return NULL;
    order = buddy_zone_size_to_order(pcp->zone, size);
    if (order < 0 || pcp->base == 0)
        return NULL;
    if ((unsigned)order <= pcp->max_order) {
        /* The fast path found the list empty or the gate shut. */
        if (buddy__pcp_alloc_pages_slow(pcp, (unsigned)order, &pfn) != 0)
            return NULL;
    } else if (buddy_zone_alloc_pages(pcp->zone, (unsigned)order, &pfn) != 0) {
        return NULL;
    }
    return buddy__pcp_addr(pcp, (uint32_t)(pfn - pcp->start_pfn));
}

/* Everything the inline fast free does not take: a fenced cache's free as
 * the fast path would make it; anything else goes to the zone's byte
 * free, which frees it, or classifies, counts and reports it, under the
 * lock. */
noinline_ int buddy__pcp_free_slow(struct buddy__pcp *pcp, void *ptr)
{
    uintptr_t idx;
    int err;

    if (pcp->zone == NULL)
        return BUDDY_ENULL;
    idx = buddy__pcp_byte_idx(pcp, ptr);
    if (idx < pcp->open.byte_pages &&
        (err = slow_free(pcp, idx, 0, false)) != 1)
        return err;
    return buddy__zone_free_by(pcp->zone, ptr, pcp);
}

void *buddy_pcp_alloc(struct buddy_pcp *cache, size_t size)
{
    struct buddy__pcp *pcp = buddy__pcp(cache);
    if (buddy_unlikely(pcp == NULL))
        return NULL;
    return buddy__pcp_alloc_inline(pcp, size);
}

int buddy_pcp_free(struct buddy_pcp *cache, void *ptr)
{
    struct buddy__pcp *pcp = buddy__pcp(cache);
    if (buddy_unlikely(pcp == NULL))
        return BUDDY_ENULL;
    return buddy__pcp_free_inline(pcp, ptr);
}

/* Pops a bulk allocation makes from the cache per entry. */
#define BULK_CHUNK 32u

int buddy_pcp_alloc_bulk(struct buddy_pcp *cache, unsigned order, unsigned nr,
                         buddy_pfn_t *pfns)
{
    struct buddy__pcp *pcp = buddy__pcp(cache);
    struct buddy_zone *z;
    unsigned n = 0;
    int more;

    if (pcp == NULL || pcp->zone == NULL || pfns == NULL)
        return BUDDY_ENULL;
    z = pcp->zone;
    if (order > pcp->max_order)
        return buddy_zone_alloc_bulk(z, order, nr, pfns);
    if (nr > (unsigned)INT32_MAX)
        nr = (unsigned)INT32_MAX;
    /* The cached blocks first, entered as a fast path (or the fenced way)
     * for at most BULK_CHUNK pops at a time, so that a drain waits for no
     * more than that; with the gate shut, the rest from the zone. */
    while (n < nr) {
        unsigned chunk = n + BULK_CHUNK < nr ? n + BULK_CHUNK : nr;
        bool inside;

        buddy__pcp_enter(pcp);
        inside = order < buddy_load_acquire(&pcp->live.order_end);
        if (!inside) {
            buddy__pcp_leave(pcp);
            inside = fenced_enter(pcp);
        }
        if (!inside)
            break;
        while (n < chunk && pcp->head[order] != BUDDY_NIL)
            pfns[n++] = z->start_pfn + buddy__pcp_pop(pcp, order);
        buddy__pcp_leave(pcp);
        if (n < chunk)
            break; /* the list ran out */
    }
    if (n == nr)
        return (int)n;
    more = buddy_zone_alloc_bulk(z, order, nr - n, pfns + n);
    return more < 0 ? more : (int)n + more;
}
