/* SPDX-License-Identifier: MIT */
/*
 * page_alloc.c: allocation by splitting and free by merging, the heart of
 * the buddy allocator (the kernel's __rmqueue_smallest, expand() and
 * __free_one_page).
 *
 * Allocation of order n for migrate type t: t's non-empty bitmap gives the
 * smallest order k >= n with a free block of t in one ctz. The block at the
 * head of list t of free_area[k] is taken; while k > n it is halved: the
 * upper half goes onto list t of free_area[k - 1] (it lies in the same
 * pageblocks, of type t) and the lower half is kept. The lower half of
 * every split stays at the same start pfn, so the result is the block's
 * first pfn. Cost: one list pop plus (k - n) list pushes: O(max_order), no
 * search. When t's lists have no block of order n or more, the allocation
 * falls back to another type's pageblocks (pageblock.c).
 *
 * Free of (pfn, order): checked in O(1) against the state byte of pfn (it
 * must be the head of an ALLOCATED block of exactly that order), then merged
 * while the buddy at pfn ^ (1 << order) is the head of a FREE block of the
 * same order: the buddy leaves its list, the pair becomes one block at the
 * lower pfn, one order up. The block goes on the list of its pageblock's
 * type, read once per free, and again per level from pageblock_order up,
 * where a buddy is another pageblock. Cost O(max_order).
 *
 * The state byte is the kernel's PageBuddy + page order in one: a head byte
 * of FREE|k means "on free_area[k]", so page_is_buddy() is a single compare.
 *
 * Locking: the public calls take the zone lock around the _locked bodies;
 * the checks that need no zone state (a NULL zone, an order above
 * max_order) are made before it.
 */
#include "internal.h"

/* page_is_buddy: is the block at buddy_pfn a FREE block of `order` in this
 * zone? Blocks never cross the span, so a buddy outside it is never free. */
static inline bool page_is_buddy(const struct buddy_zone *z, buddy_pfn_t bpfn,
                                 unsigned order, uint32_t *bidx)
{
    buddy_pfn_t rel = bpfn - z->start_pfn;

    if (rel >= z->spanned)
        return false;
    *bidx = (uint32_t)rel;
    return pg_get(z, rel) == pg_state(BUDDY_BLOCK_FREE, order);
}

/* An ALLOC or FREE event for the block at idx/order; a freed block is
 * shown INFLIGHT while the hook runs. Out of line: the event is the only
 * thing on the allocation and free paths that needs a stack frame. */
static noinline_ void emit_block(struct buddy_zone *z,
                                 enum buddy_event_type type, uint32_t idx,
                                 unsigned order)
{
    struct buddy_event ev = {.type = type,
                             .pfn = z->start_pfn + idx,
                             .order = order,
                             .buddy = BUDDY_PFN_NONE};

    if (type == BUDDY_EV_FREE)
        pg_set(z, idx, pg_state(BUDDY_BLOCK_INFLIGHT, order));
    buddy__emit(z, &ev);
}

/* __free_one_page: put the block at idx/order, of pageblock type mt, on
 * the free lists, merging with free buddies as far as it can. Inside a
 * pageblock a buddy shares the block's type; from pageblock_order up the
 * buddy is another pageblock, which merges only when both types may be
 * mixed (the pcp types: a HIGHATOMIC or ISOLATE pageblock keeps its
 * blocks to itself) and then takes mt, so that the merged block is of one
 * type (I10). */

/* May a free block of type mt at `order` merge with its free buddy at
 * bidx? Below pageblock_order always (one pageblock, one type); from it up
 * when the types match or may be mixed, the buddy's pageblocks then taking
 * mt. Returns the buddy's type, or BUDDY_MIGRATE_TYPES for "no". */
static inline unsigned merge_type(struct buddy_zone *z, uint32_t bidx,
                                  unsigned order, unsigned mt)
{
    unsigned bmt;

    if (buddy_likely(order < z->pageblock_order))
        return mt;
    bmt = buddy__pb_type(z, bidx);
    return buddy__types_merge(bmt, mt) ? bmt : BUDDY_MIGRATE_TYPES;
}

/* The merge loop with a hook set, and the levels from pageblock_order up
 * on any free: each merge checked against the types' rule, and, with a
 * hook, reported with the merging pair shown INFLIGHT. Out of line: the
 * common free never comes here. */
static noinline_ void free_one_slow(struct buddy_zone *z, uint32_t idx,
                                    unsigned order, unsigned mt,
                                    bool to_tail)
{
    buddy_pfn_t pfn = z->start_pfn + idx;

    while (order < z->max_order) {
        buddy_pfn_t bpfn = buddy_find_buddy_pfn(pfn, order);
        uint32_t bidx, low;
        unsigned bmt;

        if (!page_is_buddy(z, bpfn, order, &bidx))
            break;
        bmt = merge_type(z, bidx, order, mt);
        if (bmt == BUDDY_MIGRATE_TYPES)
            break;
        buddy__del_from_free_list(z, bidx, order, bmt);
        if (bmt != mt)
            buddy__pb_set_block(z, bidx, order, mt);
        pg_set(z, bidx, 0);
        pg_set(z, idx, 0); /* INFLIGHT while the hook saw the free */
        buddy_stat_inc(z, merges);
        low = idx < bidx ? idx : bidx;
        if (buddy_hook_set(z)) {
            struct buddy_event ev = {
                .type = BUDDY_EV_MERGE,
                .pfn = pfn,
                .order = order,
                .buddy = bpfn};

            pg_set(z, low, pg_state(BUDDY_BLOCK_INFLIGHT, order + 1));
            buddy__emit(z, &ev);
            pg_set(z, low, 0);
        }
        /* The merged block starts at the lower of the two pfns. */
        idx = low;
        pfn &= bpfn;
        order++;
    }
    buddy__add_to_free_list(z, idx, order, mt, to_tail);
}

/* The list of type mt one order up: lists of one type are a free area
 * apart. */
static inline struct buddy_free_list *list_up(struct buddy_free_list *list)
{
    return (struct buddy_free_list *)(void *)((char *)list +
                                              sizeof(struct buddy_free_area));
}

static inline struct buddy_free_list *list_down(struct buddy_free_list *list)
{
    return (struct buddy_free_list *)(void *)((char *)list -
                                              sizeof(struct buddy_free_area));
}

/* Unlink the free buddy at rel, below max_order, from its list (of type
 * mt, whose non-empty bit is `bit`): buddy__del_from_free_list on the
 * merge loop's locals. The list's only block (no lazy blocks below
 * max_order to count) empties it without reading a link: one compare, two
 * stores and the bit; else at least one neighbour is there to relink. */
static always_inline_ void unlink_buddy(union buddy__frame *frame,
                                        struct buddy_free_list *list,
                                        uint32_t *nonempty, uint32_t rel,
                                        uint32_t bit)
{
    uint32_t n, p;

    if (list->nr == 1) {
        buddy_assert_internal(list->head == rel && list->tail == rel);
        list->nr = 0;
        list->head = list->tail = BUDDY_NIL;
        *nonempty &= ~bit;
        return;
    }
    n = frame[rel].l.next;
    p = frame[rel].l.prev;
    list->nr--;
    if (p != BUDDY_NIL)
        frame[p].l.next = n;
    else
        list->head = n;
    if (n != BUDDY_NIL)
        frame[n].l.prev = p;
    else
        list->tail = p;
}

/*
 * The merge loop of every free without a hook. What it reads of the zone
 * is in locals first (a store of a state byte may alias any field, so the
 * compiler would read them again on every level), and the order's values
 * step with it: the buddy's bit, the state byte a free buddy has, the
 * list. A level is one compare of the span, one load and compare of the
 * buddy's state byte, its unlink (two loads, up to two stores and two
 * tests for the list's ends, its count), the clear of its byte, and the
 * step up. Below pageblock_order the buddy is in the block's pageblock,
 * so of its type; from it up a level also loads the buddy's pageblock
 * type, and a buddy of another type (to merge with and retype, or not)
 * hands the rest to free_one_slow. The merged block is where pfn ended;
 * the merge counter is added once.
 */
static always_inline_ void free_one(struct buddy_zone *z, uint32_t idx,
                                    unsigned order, unsigned mt, bool to_tail)
{
    const buddy_pfn_t start = z->start_pfn;
    const uint32_t spanned = z->spanned;
    uint8_t *const state = z->state;
    union buddy__frame *const frame = z->frame;
    uint32_t *const nonempty = &z->nonempty[mt];
    unsigned pbo = z->pageblock_order < z->max_order ? z->pageblock_order
                                                     : z->max_order;
    struct buddy_free_list *list = &z->free_area[order].list[mt];
    buddy_pfn_t pfn = start + idx, bit = (buddy_pfn_t)1 << order;
    uint8_t free_state = pg_state(BUDDY_BLOCK_FREE, order);
    const uint8_t free_pb = pg_state(BUDDY_BLOCK_FREE, pbo);
    const uint8_t free_max = pg_state(BUDDY_BLOCK_FREE, z->max_order);

    if (buddy_hook_set(z)) {
        free_one_slow(z, idx, order, mt, to_tail);
        return;
    }
    for (; free_state < free_pb;
         free_state++, bit <<= 1, list = list_up(list)) {
        buddy_pfn_t bpfn = pfn ^ bit;
        buddy_pfn_t rel = bpfn - start;

        if (rel >= spanned || buddy_load_relaxed(&state[rel]) != free_state)
            goto done;
        unlink_buddy(frame, list, nonempty, (uint32_t)rel, (uint32_t)bit);
        buddy_store_relaxed(&state[rel], 0);
        pfn &= bpfn; /* the merged block starts at the lower pfn */
    }
    for (; free_state < free_max;
         free_state++, bit <<= 1, list = list_up(list)) {
        buddy_pfn_t bpfn = pfn ^ bit;
        buddy_pfn_t rel = bpfn - start;

        if (rel >= spanned || buddy_load_relaxed(&state[rel]) != free_state)
            break;
        if (buddy_unlikely(buddy__pb_type(z, (uint32_t)rel) != mt)) {
            buddy_stat_add(z, merges, pg_order(free_state) - order);
            free_one_slow(z, (uint32_t)(pfn - start), pg_order(free_state),
                          mt, to_tail);
            return;
        }
        unlink_buddy(frame, list, nonempty, (uint32_t)rel, (uint32_t)bit);
        buddy_store_relaxed(&state[rel], 0);
        pfn &= bpfn;
    }
done:
    buddy_stat_add(z, merges, pg_order(free_state) - order);
    buddy__add_to_free_list(z, (uint32_t)(pfn - start), pg_order(free_state),
                            mt, to_tail);
}

void buddy__free_one(struct buddy_zone *z, uint32_t idx, unsigned order,
                     unsigned mt, bool to_tail)
{
    free_one(z, idx, order, mt, to_tail);
}

/* A block of several pageblocks (split_large_buddy). When their types may
 * all be mixed it is freed whole, as the type of its last pageblock: what
 * freeing them one by one, each merging into the others, would leave.
 * Else each pageblock is freed with its own type and they merge where the
 * types' rule lets them. O(pageblocks). */
static noinline_ void free_large_block(struct buddy_zone *z, uint32_t idx,
                                       unsigned order, bool to_tail)
{
    unsigned pbo = z->pageblock_order;
    uint32_t pb = buddy__pb_of(z, idx);
    uint32_t n = (uint32_t)1 << (order - pbo), last;
    unsigned mt = buddy__pb_type(z, idx + ((n - 1) << pbo));

    for (last = 0; last < n; last++) {
        if (!buddy__types_merge(buddy__pb_type_at(z, pb + last), mt))
            break;
    }
    if (last == n) {
        buddy__pb_set_block(z, idx, order, mt);
        free_one(z, idx, order, mt, to_tail);
        return;
    }
    for (last = 0; last < n; last++) {
        uint32_t i = idx + (last << pbo);

        free_one(z, i, pbo, buddy__pb_type(z, i), to_tail);
    }
}

static always_inline_ void free_one_block(struct buddy_zone *z, uint32_t idx,
                                          unsigned order, bool to_tail)
{
    buddy_assert_internal(order <= z->max_order);
    z->free_pages += (uint64_t)1 << order;
    if (buddy_likely(order <= z->pageblock_order))
        free_one(z, idx, order, buddy__pb_type(z, idx), to_tail);
    else
        free_large_block(z, idx, order, to_tail);
}

void buddy__free_one_block(struct buddy_zone *z, uint32_t idx, unsigned order,
                           bool to_tail)
{
    free_one_block(z, idx, order, to_tail);
}

/* The list of max_order is empty but its count holds the lazy run (I8):
 * hand out the run's first block. Nothing to unlink; its state byte is 0
 * until the caller writes it. */
static uint32_t take_lazy_block(struct buddy_zone *z, unsigned order)
{
    struct buddy_free_area *area = &z->free_area[order];
    unsigned mt = z->pb_key;
    uint32_t idx = z->lazy_start;

    buddy_assert_internal(order == z->max_order && idx < z->lazy_end);
    z->lazy_start += (uint32_t)1 << order;
    if (--area->list[mt].nr == 0)
        z->nonempty[mt] &= ~(1u << order);
    return idx;
}

static inline uint32_t take_head(struct buddy_zone *z, unsigned order,
                                 unsigned mt)
{
    uint32_t idx = z->free_area[order].list[mt].head;

    if (buddy_likely(idx != BUDDY_NIL)) {
        buddy__del_from_free_list(z, idx, order, mt);
        return idx;
    }
    return take_lazy_block(z, order);
}

uint32_t buddy__take_head(struct buddy_zone *z, unsigned order, unsigned mt)
{
    return take_head(z, order, mt);
}

/* expand() with a hook set: each split reported, the kept half shown
 * INFLIGHT. Out of line, as free_one_slow. */
static noinline_ void expand_hooked(struct buddy_zone *z, uint32_t idx,
                                    unsigned cur, unsigned to, unsigned mt)
{
    while (cur > to) {
        uint32_t upper;
        struct buddy_event ev = {.type = BUDDY_EV_SPLIT};

        cur--;
        upper = idx + ((uint32_t)1 << cur);
        buddy__add_to_free_list(z, upper, cur, mt, false);
        buddy_stat_inc(z, splits);
        ev.pfn = z->start_pfn + idx;
        ev.order = cur + 1;
        ev.buddy = z->start_pfn + upper;
        pg_set(z, idx, pg_state(BUDDY_BLOCK_INFLIGHT, cur));
        buddy__emit(z, &ev);
    }
}

/* expand() without a hook: the upper half of each split onto the head of
 * its list, on locals and with the list stepping down (see
 * buddy__free_one). A level is the state byte, two links, the list's head
 * (and its tail when it was empty) and its count; the non-empty bits and
 * the split counter are written once. */
static inline void expand(struct buddy_zone *z, uint32_t idx, unsigned cur,
                          unsigned to, unsigned mt)
{
    union buddy__frame *const frame = z->frame;
    uint8_t *const state = z->state;
    struct buddy_free_list *list;
    uint32_t half, bits = 0;

    if (cur == to) /* the block is the size asked for: nothing to split */
        return;
    if (buddy_hook_set(z)) {
        expand_hooked(z, idx, cur, to, mt);
        return;
    }
    list = &z->free_area[cur].list[mt];
    half = (uint32_t)1 << cur;
    buddy_stat_add(z, splits, cur - to);
    while (cur > to) {
        uint32_t upper, head;

        cur--;
        half >>= 1;
        list = list_down(list);
        upper = idx + half;
        head = list->head;
        buddy_assert_internal(mt == buddy__pb_type(z, upper));
        buddy_store_relaxed(&state[upper], pg_state(BUDDY_BLOCK_FREE, cur));
        frame[upper].l.next = head;
        frame[upper].l.prev = BUDDY_NIL;
        if (head != BUDDY_NIL)
            frame[head].l.prev = upper;
        else
            list->tail = upper;
        list->head = upper;
        list->nr++;
        bits |= half;
    }
    z->nonempty[mt] |= bits; /* a half of 2^k pages is bit k: order k */
}

void buddy__expand(struct buddy_zone *z, uint32_t idx, unsigned cur,
                   unsigned to, unsigned mt)
{
    expand(z, idx, cur, to, mt);
}

/* __rmqueue_smallest: the smallest block of `order` or more on mt's
 * lists, expanded; BUDDY_NIL when they have none. */
uint32_t buddy__rmqueue_smallest(struct buddy_zone *z, unsigned order,
                                 unsigned mt)
{
    uint32_t candidates = z->nonempty[mt] & (0xffffffffu << order);
    unsigned cur;
    uint32_t idx;

    if (candidates == 0)
        return BUDDY_NIL;
    cur = buddy_ctz32(candidates);
    idx = take_head(z, cur, mt);
    expand(z, idx, cur, order, mt);
    return idx;
}

/* __rmqueue: a block of `order` for a request of type mt, its state byte
 * the caller's to write; BUDDY_NIL when none is free. The smallest block
 * on mt's lists when there is one (one mask, one ctz, one pop, a push per
 * split), else a fallback to another type's block (pageblock.c). */
static inline uint32_t rmqueue(struct buddy_zone *z, unsigned order,
                               unsigned mt, unsigned aflags, unsigned *mode)
{
    uint32_t candidates = z->nonempty[mt] & (0xffffffffu << order);
    unsigned cur;
    uint32_t idx;

    if (buddy_unlikely(candidates == 0))
        return buddy__rmqueue_fallback(z, order, mt, aflags, mode);
    cur = buddy_ctz32(candidates);
    idx = take_head(z, cur, mt);
    expand(z, idx, cur, order, mt);
    return idx;
}

/* The block at idx/order, off the free lists, is allocated: its state
 * byte, the counts and the event (out of line, emit_block). */
static inline void alloc_done(struct buddy_zone *z, uint32_t idx,
                              unsigned order)
{
    pg_set(z, idx, pg_state(BUDDY_BLOCK_ALLOCATED, order));
    z->free_pages -= (uint64_t)1 << order;
    buddy_stat_inc(z, alloc_count[order]);
    if (buddy_hook_set(z))
        emit_block(z, BUDDY_EV_ALLOC, idx, order);
}

/* Everything but the common case: the fallback, the reserve, the drain
 * and the failure. Out of line, so that the common case is a leaf. */
static noinline_ int alloc_pages_slow(struct buddy_zone *z, unsigned order,
                                      unsigned mt, unsigned aflags,
                                      buddy_pfn_t *pfn)
{
    unsigned mode = aflags & BUDDY__ALLOC_NOFRAGMENT ? BUDDY_RMQUEUE_NOFRAGMENT
                                                     : BUDDY_RMQUEUE_NORMAL;
    uint32_t idx = BUDDY_NIL;
    bool drained = false;

    for (;;) {
        /* rmqueue_buddy: a high-order atomic request tries the reserve
         * first; a request that must not fail now (atomic, or one that may
         * not block) takes from it when all else failed. */
        if (aflags & BUDDY__ALLOC_HIGHATOMIC)
            idx = buddy__rmqueue_smallest(z, order, BUDDY_MIGRATE_HIGHATOMIC);
        if (idx == BUDDY_NIL)
            idx = rmqueue(z, order, mt, aflags, &mode);
        if (idx == BUDDY_NIL && (aflags & BUDDY__ALLOC_NON_BLOCK))
            idx = buddy__rmqueue_smallest(z, order, BUDDY_MIGRATE_HIGHATOMIC);
        /* Short of blocks: take back what the per-CPU caches hold before
         * failing, as the kernel's drain_all_pages; their blocks may merge
         * into what is asked for. */
        if (idx != BUDDY_NIL || drained || buddy__drain_caches_locked(z) == 0)
            break;
        drained = true;
    }
    if (idx == BUDDY_NIL) {
        buddy__alloc_failed(z, order);
        return BUDDY_ENOMEM;
    }
    *pfn = z->start_pfn + idx;
    alloc_done(z, idx, order);
    if (aflags & BUDDY__ALLOC_HIGHATOMIC)
        buddy__reserve_highatomic_locked(z, idx, order);
    return 0;
}

/* The common case inline: no flags but ALLOC_KSWAPD (which only a
 * fallback reads), and a block on the request's own lists. One mask and
 * ctz, one pop, expand(), the state byte and counts. */
int buddy__alloc_pages_flags_locked(struct buddy_zone *z, unsigned order,
                                    unsigned mt, unsigned aflags,
                                    buddy_pfn_t *pfn)
{
    uint32_t candidates, idx;
    unsigned cur;

    buddy_assert_locked(z);
    buddy_assert_internal(mt == buddy__request_type(z, mt));
    candidates = z->nonempty[mt] & (0xffffffffu << order);
    if (buddy_unlikely(candidates == 0 ||
                       (aflags & ~BUDDY__ALLOC_KSWAPD) != 0))
        return alloc_pages_slow(z, order, mt, aflags, pfn);
    cur = buddy_ctz32(candidates);
    idx = take_head(z, cur, mt);
    expand(z, idx, cur, order, mt);
    *pfn = z->start_pfn + idx;
    alloc_done(z, idx, order);
    return 0;
}

int buddy__alloc_pages_locked(struct buddy_zone *z, unsigned order,
                              unsigned mt, buddy_pfn_t *pfn)
{
    return buddy__alloc_pages_flags_locked(z, order, mt, 0, pfn);
}

/*
 * A run of up to `want` blocks of `order` for a batch (rmqueue_bulk, bulk
 * allocation): one block of order k >= order, taken with one list pop, that
 * the caller cuts into 2^(k - order) blocks. k is the smallest free order
 * when that block fits in `want`, else order + log2(want), split off the
 * smallest free block. Repeated until `want` blocks are taken, runs leave
 * the zone exactly as `want` calls of buddy__alloc_pages_locked would: the
 * same pages (in ascending pfn order, as smallest-first takes them), the
 * same free lists, the same counters (each cut counts as the split that
 * single allocations would have made). With a hook set, a run is one block,
 * allocated and reported as a single allocation is.
 *
 * When mt's lists have no block of `order`, the run is one block from the
 * fallback (pageblock.c), and *mode keeps, for the next run of the batch,
 * how far that had to go. A batch belongs to a zone, not to a system
 * allocation, so it has no kswapd to wake (no ALLOC_KSWAPD).
 *
 * Returns the run's idx and its order in *run_order, or BUDDY_NIL when no
 * block of `order` is free (not counted as a failure: the caller decides).
 * Lock held; the state bytes of the run are the caller's to write.
 */
uint32_t buddy__alloc_run_locked(struct buddy_zone *z, unsigned order,
                                 unsigned mt, uint32_t want, unsigned *mode,
                                 unsigned *run_order)
{
    uint32_t candidates, idx, n;
    unsigned cur, k;

    buddy_assert_locked(z);
    buddy_assert_internal(mt == buddy__request_type(z, mt));
    candidates = z->nonempty[mt] & (0xffffffffu << order);
    if (want == 0)
        return BUDDY_NIL;
    if (buddy_hook_set(z)) { /* one block, reported as one allocation */
        idx = rmqueue(z, order, mt, 0, mode);
        if (idx != BUDDY_NIL)
            alloc_done(z, idx, order);
        *run_order = order;
        return idx;
    }
    if (candidates == 0) {
        /* mt's lists are empty: one block through the fallback, which
         * remembers in *mode how far it had to go, so the next block of a
         * batch starts there (the kernel's rmqueue_mode). A claim refills
         * mt's lists and the following runs are ordinary again. */
        idx = buddy__rmqueue_fallback(z, order, mt, 0, mode);
        if (idx == BUDDY_NIL)
            return BUDDY_NIL;
        z->free_pages -= (uint64_t)1 << order;
        buddy_stat_inc(z, alloc_count[order]);
        *run_order = order;
        return idx;
    }
    cur = buddy_ctz32(candidates);
    k = order + buddy_log2_64(want);
    if (k > cur)
        k = cur;
    idx = take_head(z, cur, mt);
    /* The run is one block to expand() to order k; its cut into blocks
     * counts as the splits that single allocations would have made. */
    expand(z, idx, cur, k, mt);
    n = (uint32_t)1 << (k - order);
    z->free_pages -= (uint64_t)1 << k;
    buddy_stat_add(z, alloc_count[order], n);
    buddy_stat_add(z, splits, n - 1);
    *run_order = k;
    return idx;
}

/* The block at idx, its state byte already 0, comes back: counted,
 * reported (out of line, emit_block), merged. */
static always_inline_ void free_block(struct buddy_zone *z, uint32_t idx,
                                      unsigned order)
{
    buddy_assert_locked(z);
    buddy_stat_inc(z, free_count[order]);
    if (buddy_hook_set(z))
        emit_block(z, BUDDY_EV_FREE, idx, order);
    free_one_block(z, idx, order, false);
    if (buddy_unlikely(z->reporter.report != NULL))
        buddy__note_free(z, idx);
}

void buddy__free_block_locked(struct buddy_zone *z, uint32_t idx,
                              unsigned order)
{
    pg_set(z, idx, 0);
    free_block(z, idx, order);
}

int buddy__free_pages_locked(struct buddy_zone *z, buddy_pfn_t pfn,
                             unsigned order, bool order_given,
                             const struct buddy__pcp *by)
{
    buddy_pfn_t rel = pfn - z->start_pfn;
    int err;

    buddy_assert_locked(z);
    if (buddy_unlikely(rel >= z->spanned)) {
        err = BUDDY_ERANGE;
    } else if (order_given && buddy_unlikely(order > z->max_order)) {
        err = BUDDY_EORDER;
    } else if (order_given &&
               buddy_unlikely(pfn & (((buddy_pfn_t)1 << order) - 1))) {
        err = BUDDY_EALIGN;
    } else {
        unsigned held = buddy__allocated_order(pg_get(z, (uint32_t)rel));
        bool head = held <= z->max_order && (!order_given || held == order);

        /* The whole O(1) check and claim (internal.h): a cache's owner may
         * be freeing the same block without the lock, with a plain store
         * while its cache is solo, so that ends first. The claim leaves the
         * byte 0. */
        if (head)
            buddy__solo_end_locked(z, by);
        if (buddy_likely(head && buddy__free_claim(z->state, (uintptr_t)rel,
                                                   held, 0))) {
            if (buddy_unlikely(z->owner != NULL))
                buddy__owner_freed(z, (uint32_t)rel, held);
            free_block(z, (uint32_t)rel, held);
            return 0;
        }
        err = buddy__pfn_order_locked(z, pfn);
        if (head) /* lost the race to a concurrent free of the block */
            err = BUDDY_EDOUBLEFREE;
        else if (err >= 0) /* an ALLOCATED head, of another order */
            err = BUDDY_EWRONGORDER;
    }
    buddy__reject(z, err, pfn, order);
    return err;
}

/* The zone's allocation calls: the checks, in the documented order, then
 * the lock. mt < 0: the zone's first type (movable, or with grouping off
 * its one type), what the call without a type allocates. */
static always_inline_ int zone_alloc(struct buddy_zone *z, unsigned order,
                                     int mt, buddy_pfn_t *pfn)
{
    int err;

    if (buddy_unlikely(!buddy__zone_ok(z)))
        return BUDDY_EBADZONE;
    if (buddy_unlikely(pfn == NULL))
        return BUDDY_ENULL;
    if (buddy_unlikely(order > z->max_order))
        return BUDDY_EORDER;
    if (mt >= (int)BUDDY_MIGRATE_PCPTYPES)
        return BUDDY_EINVAL;
    buddy__lock(z);
    err = buddy__alloc_pages_locked(
        z, order, mt < 0 ? z->pb_key : buddy__request_type(z, (unsigned)mt),
        pfn);
    buddy_check_expensive(z);
    buddy__unlock(z);
    return err;
}

int buddy_zone_alloc_pages(struct buddy_zone *z, unsigned order,
                           buddy_pfn_t *pfn)
{
    return zone_alloc(z, order, -1, pfn);
}

int buddy_zone_alloc_pages_type(struct buddy_zone *z, unsigned order,
                                enum buddy_migratetype mt, buddy_pfn_t *pfn)
{
    /* Unsigned, so a negative value is large and refused. */
    unsigned t = (unsigned)mt;

    return zone_alloc(z, order,
                      t < BUDDY_MIGRATE_PCPTYPES ? (int)t
                                                 : (int)BUDDY_MIGRATE_PCPTYPES,
                      pfn);
}

/* ---- owners ------------------------------------------------------------- */

void buddy__owner_freed(struct buddy_zone *z, uint32_t idx, unsigned order)
{
    unsigned o = buddy_load_relaxed(&z->owner[idx]);

    buddy_assert_locked(z);
    if (o == 0)
        return;
    buddy_store_relaxed(&z->owner[idx], 0);
    if (z->owner_hook != NULL)
        z->owner_hook(z->owner_arg, o, z->start_pfn + idx, order);
}

int buddy_zone_alloc_pages_owned(struct buddy_zone *z, unsigned order,
                                 enum buddy_migratetype mt, unsigned owner,
                                 buddy_pfn_t *pfn)
{
    unsigned t = (unsigned)mt;
    int err;

    if (buddy_unlikely(!buddy__zone_ok(z)))
        return BUDDY_EBADZONE;
    if (z->owner == NULL)
        return BUDDY_ENOTSUP;
    if (owner == 0 || owner > BUDDY_OWNER_MAX)
        return BUDDY_EINVAL;
    if (buddy_unlikely(pfn == NULL))
        return BUDDY_ENULL;
    if (buddy_unlikely(order > z->max_order))
        return BUDDY_EORDER;
    if (t >= BUDDY_MIGRATE_PCPTYPES)
        return BUDDY_EINVAL;
    buddy__lock(z);
    err = buddy__alloc_pages_locked(z, order, buddy__request_type(z, t), pfn);
    if (err == 0)
        buddy_store_relaxed(&z->owner[*pfn - z->start_pfn], (uint8_t)owner);
    buddy_check_expensive(z);
    buddy__unlock(z);
    return err;
}

int buddy_zone_get_owner(const struct buddy_zone *z, buddy_pfn_t pfn,
                         unsigned *owner)
{
    buddy_pfn_t rel;
    int err;

    if (!buddy__zone_ok(z))
        return BUDDY_EBADZONE;
    if (z->owner == NULL)
        return BUDDY_ENOTSUP;
    if (owner == NULL)
        return BUDDY_ENULL;
    rel = pfn - z->start_pfn;
    buddy__lock(z);
    err = buddy__pfn_order_locked(z, pfn);
    if (err >= 0) {
        *owner = buddy_load_relaxed(&z->owner[rel]);
        err = 0;
    }
    buddy__unlock(z);
    return err;
}

int buddy_zone_set_owner_hook(struct buddy_zone *z, buddy_owner_fn fn,
                              void *arg)
{
    if (!buddy__zone_ok(z))
        return BUDDY_EBADZONE;
    if (z->owner == NULL)
        return BUDDY_ENOTSUP;
    buddy__lock(z);
    z->owner_hook = fn;
    z->owner_arg = fn != NULL ? arg : NULL;
    buddy__unlock(z);
    return 0;
}

int buddy_zone_alloc_bulk(struct buddy_zone *z, unsigned order, unsigned nr,
                          buddy_pfn_t *pfns)
{
    unsigned n = 0, mode = BUDDY_RMQUEUE_NORMAL;
    bool drained = false;

    if (!buddy__zone_ok(z))
        return BUDDY_EBADZONE;
    if (pfns == NULL)
        return BUDDY_ENULL;
    if (order > z->max_order)
        return BUDDY_EORDER;
    if (nr > (unsigned)INT32_MAX)
        nr = (unsigned)INT32_MAX;
    buddy__lock(z);
    /* Runs cut into blocks; at the first miss drain the caches once (as a
     * single allocation would before failing), then stop rather than count
     * a failure per slot. */
    while (n < nr) {
        unsigned k;
        uint32_t idx = buddy__alloc_run_locked(
            z, order, z->pb_key, nr - n, &mode, &k);
        uint32_t end;

        if (idx == BUDDY_NIL && !drained) {
            drained = true;
            if (buddy__drain_caches_locked(z) != 0)
                continue;
        }
        if (idx == BUDDY_NIL)
            break;
        end = idx + ((uint32_t)1 << k);
        for (; idx < end; idx += (uint32_t)1 << order) {
            pg_set(z, idx, pg_state(BUDDY_BLOCK_ALLOCATED, order));
            pfns[n++] = z->start_pfn + idx;
        }
    }
    buddy_check_expensive(z);
    buddy__unlock(z);
    return (int)n;
}

int buddy__zone_free_pages_by(struct buddy_zone *z, buddy_pfn_t pfn,
                              unsigned order, bool order_given,
                              const struct buddy__pcp *by)
{
    int err;

    if (buddy_unlikely(!buddy__zone_ok(z)))
        return BUDDY_EBADZONE;
    buddy__lock(z);
    err = buddy__free_pages_locked(z, pfn, order, order_given, by);
    buddy_check_expensive(z);
    buddy__unlock(z);
    return err;
}

int buddy_zone_free_pages(struct buddy_zone *z, buddy_pfn_t pfn, unsigned order)
{
    return buddy__zone_free_pages_by(z, pfn, order, true, NULL);
}

int buddy_zone_free_pfn(struct buddy_zone *z, buddy_pfn_t pfn)
{
    return buddy__zone_free_pages_by(z, pfn, 0, false, NULL);
}

int buddy_zone_pfn_order(const struct buddy_zone *z, buddy_pfn_t pfn)
{
    int err;

    if (!buddy__zone_ok(z))
        return BUDDY_EBADZONE;
    buddy__lock(z);
    err = buddy__pfn_order_locked(z, pfn);
    buddy__unlock(z);
    return err;
}

/* ---- the owner's word of an allocated block ------------------------------
 * Kept in the frame record of each page of the block, as its word: the
 * record's links are used only by a FREE page (I3) and a CACHED one (its
 * l.next), so an ALLOCATED block's records are its owner's. Written and
 * read with relaxed atomics: a reader takes no lock and may race with the
 * zone relinking a page that is not its own (the word is then garbage it
 * must verify), and a single load, of one aligned pointer-sized word, is
 * never torn. The links share the record, so the owner lookup of a free
 * costs one load. */

static inline void private_store(struct buddy_zone *z, uint32_t idx,
                                 uintptr_t value)
{
    buddy_store_relaxed(&z->frame[idx].word, value);
}

/* The order of the ALLOCATED block whose head is pfn, or why it is not
 * one. */
static int private_head(struct buddy_zone *z, buddy_pfn_t pfn)
{
    buddy_pfn_t rel;
    unsigned order;
    int err;

    rel = pfn - z->start_pfn;
    order = rel < z->spanned ? buddy__allocated_order(pg_get(z, (uint32_t)rel))
                             : BUDDY_NR_ORDERS;
    if (order > z->max_order) {
        /* Not an allocated head: say what it is, counted and reported as
         * every refusal. A head it is by now was not the caller's. */
        buddy__lock(z);
        err = buddy__pfn_order_locked(z, pfn);
        if (err >= 0)
            err = BUDDY_EBUSY;
        buddy__reject(z, err, pfn, 0);
        buddy__unlock(z);
        return err;
    }
    return (int)order;
}

/* value into the block's first page, or into every page of it. */
static int private_set(struct buddy_zone *z, buddy_pfn_t pfn, uintptr_t value,
                       bool every)
{
    uint32_t i, n, rel;
    int order;

    if (!buddy__zone_ok(z))
        return BUDDY_EBADZONE;
    order = private_head(z, pfn);
    if (order < 0)
        return order;
    rel = (uint32_t)(pfn - z->start_pfn);
    n = every ? (uint32_t)1 << order : 1u;
    for (i = 0; i < n; i++)
        private_store(z, rel + i, value);
    return 0;
}

int buddy_zone_set_private(struct buddy_zone *z, buddy_pfn_t pfn,
                           uintptr_t value)
{
    return private_set(z, pfn, value, true);
}

int buddy_zone_set_head_private(struct buddy_zone *z, buddy_pfn_t pfn,
                                uintptr_t value)
{
    return private_set(z, pfn, value, false);
}

/* An allocated page's word: one load of its frame record. */
static inline uintptr_t page_word(const struct buddy_zone *z, uint32_t rel)
{
    return buddy_load_relaxed(&z->frame[rel].word);
}

int buddy_zone_get_private(const struct buddy_zone *z, buddy_pfn_t pfn,
                           uintptr_t *value)
{
    buddy_pfn_t rel;

    if (!buddy__zone_ok(z))
        return BUDDY_EBADZONE;
    rel = pfn - z->start_pfn;
    if (value == NULL)
        return BUDDY_ENULL;
    if (rel >= z->spanned)
        return BUDDY_ERANGE;
    *value = page_word(z, (uint32_t)rel);
    return 0;
}

/* Declared inline, so that a link-time optimised program (the malloc)
 * inlines it into the slab lookup of every free: its few checks and a
 * load, without a call or its results through memory. Still an external
 * definition: the header declares it without inline. */
inline int buddy_zone_addr_private(const struct buddy_zone *z,
                                   const void *addr, buddy_pfn_t *pfn,
                                   uintptr_t *value)
{
    uint64_t rel;

    if (!buddy__addr_rel(z, addr, &rel))
        return BUDDY_ERANGE;
    *pfn = z->start_pfn + rel;
    *value = page_word(z, (uint32_t)rel);
    return 0;
}

/* The error for a page that is not the head of an ALLOCATED block, from
 * what covers it; or the order when it is one. */
int buddy__pfn_order_locked(const struct buddy_zone *z, buddy_pfn_t pfn)
{
    buddy_pfn_t rel = pfn - z->start_pfn;
    uint32_t head;
    uint8_t s;

    buddy_assert_locked(z);
    if (rel >= z->spanned)
        return BUDDY_ERANGE;
    if (buddy_unlikely(buddy__in_lazy(z, (uint32_t)rel)))
        return BUDDY_EDOUBLEFREE; /* a deferred free block (I8) */
    s = pg_get(z, (uint32_t)rel);
    head = (uint32_t)rel;
    if (s == 0) { /* not a head: classify by the block around it */
        head = buddy__block_head(z, (uint32_t)rel);
        if (head == BUDDY_NIL)
            return BUDDY_ECORRUPT;
        s = pg_get(z, head);
    }
    switch (pg_kind(s)) {
    case BUDDY_BLOCK_ALLOCATED:
        return head == rel ? (int)pg_order(s) : BUDDY_EINTERIOR;
    case BUDDY_BLOCK_FREE:
    case BUDDY_BLOCK_CACHED: /* free, held by a per-CPU cache */
        return BUDDY_EDOUBLEFREE;
    case BUDDY_BLOCK_HOLE:
        return BUDDY_EHOLE;
    case BUDDY_BLOCK_RESERVED:
        return BUDDY_ERESERVED;
    default:
        return BUDDY_ECORRUPT;
    }
}

void buddy__alloc_failed(struct buddy_zone *z, unsigned order)
{
    buddy_assert_locked(z);
    buddy_stat_inc(z, alloc_failures);
    if (buddy_hook_set(z)) {
        struct buddy_event ev = {.type = BUDDY_EV_FAIL,
                                 .pfn = BUDDY_PFN_NONE,
                                 .order = order,
                                 .buddy = BUDDY_PFN_NONE,
                                 .error = BUDDY_ENOMEM};

        buddy__emit(z, &ev);
    }
}

void buddy__reject(struct buddy_zone *z, int err, buddy_pfn_t pfn,
                   unsigned order)
{
    buddy_assert_locked(z);
    buddy_stat_inc(z, rejected);
    if (buddy_hook_set(z)) {
        struct buddy_event ev = {
            .type = BUDDY_EV_REJECT,
            .pfn = pfn,
            .order = order,
            .buddy = BUDDY_PFN_NONE,
            .error = err};
        buddy__emit(z, &ev);
    }
}

uint32_t buddy__block_head(const struct buddy_zone *z, uint32_t idx)
{
    buddy_pfn_t pfn = z->start_pfn + idx;
    unsigned order;

    if (buddy__in_lazy(z, idx)) /* deferred blocks have no head byte yet */
        return idx - ((uint32_t)(pfn & (((buddy_pfn_t)1 << z->max_order) - 1)));
    /* The covering block of order k starts at pfn rounded down to 2^k; at
     * most one k matches because blocks tile the span. */
    for (order = 0; order <= BUDDY_MAX_ORDER_LIMIT; order++) {
        buddy_pfn_t head = pfn & ~(((buddy_pfn_t)1 << order) - 1);
        uint8_t s;

        if (head < z->start_pfn)
            break;
        s = pg_get(z, head - z->start_pfn);
        if (s != 0 && pg_order(s) == order)
            return (uint32_t)(head - z->start_pfn);
        if (s != 0 && pg_order(s) < order)
            break; /* a smaller block starts there and does not reach idx */
    }
    return BUDDY_NIL;
}
