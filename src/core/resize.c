/* SPDX-License-Identifier: MIT */
/*
 * resize.c: an allocated block made larger or smaller where it lies, the
 * buddy allocator's in-place realloc.
 *
 * Growth of the block at pfn from order a to order n takes the pages
 * [pfn + 2^a, pfn + 2^n). In buddy terms those are the block's buddies of
 * orders a .. n - 1 (pfn ^ 2^k = pfn + 2^k, since pfn is aligned to 2^n),
 * and the growth is possible exactly when each of them is a FREE block of
 * its order: a free block of a larger order covering one would be aligned
 * to it and so cover pfn too, which is allocated. So the test is one state
 * byte compare per level, and the claim an unlink per level, as the merge
 * loop of a free does with free buddies. A chain of reallocs that doubles
 * a block fresh from a split grows in place all the way to the block it
 * was split from, with no copy and no moved-from block left behind.
 *
 * Shrinking from order a to n frees the block's upper halves, the blocks
 * at pfn + 2^k of order k for k = n .. a - 1: each one's buddy contains
 * the kept block, so none of them merges, and each goes on its list as a
 * freed block does (free page reporting notes it).
 *
 * An owned block (BUDDY_ZONE_OWNERS) shrinks with each upper half it gives
 * back told to the owner hook, as a free of that block; it does not grow,
 * since its owner would have to take the pages it gains first.
 *
 * Counters: a resize counts as the free of a block of order a and the
 * allocation of one of order n (free_count[a], alloc_count[n]), which
 * keeps I9 and the pages the counters say are allocated. A growth that
 * cannot be made is not a failure of the zone and is not counted.
 */
#include "internal.h"

/* Can the block at idx (aligned to 2^n) grow from order a to n? Each
 * buddy a FREE block of its order; from pageblock_order up also of a type
 * the block's may merge with, as a free merges (I10). */
static bool can_grow(const struct buddy_zone *z, uint32_t idx, unsigned a,
                     unsigned n, unsigned mt)
{
    unsigned k;

    for (k = a; k < n; k++) {
        uint64_t b = (uint64_t)idx + ((uint64_t)1 << k);

        if (b >= z->spanned ||
            pg_get(z, (uint32_t)b) != pg_state(BUDDY_BLOCK_FREE, k))
            return false;
        if (k >= z->pageblock_order &&
            !buddy__types_merge(buddy__pb_type(z, (uint32_t)b), mt))
            return false;
    }
    return true;
}

/* Take the buddies can_grow found free off their lists; their pages take
 * the block's owner word, as every page of an allocated block has it. */
static void grow(struct buddy_zone *z, uint32_t idx, unsigned a, unsigned n,
                 unsigned mt)
{
    uintptr_t word = buddy_load_relaxed(&z->frame[idx].word);
    uint32_t i, end = idx + ((uint32_t)1 << n);
    unsigned k;

    for (k = a; k < n; k++) {
        uint32_t b = idx + ((uint32_t)1 << k);
        unsigned bmt = buddy__pb_type(z, b);

        buddy__del_from_free_list(z, b, k, bmt);
        if (bmt != mt) /* two pcp types: the claimed pageblocks take mt */
            buddy__pb_set_block(z, b, k, mt);
        pg_set(z, b, 0);
    }
    z->free_pages -= ((uint64_t)1 << n) - ((uint64_t)1 << a);
    for (i = idx + ((uint32_t)1 << a); i < end; i++)
        buddy_store_relaxed(&z->frame[i].word, word);
}

/* Give back the upper halves, the largest first; the head says order n
 * before any of them is freed, so none sees an allocated buddy of its own
 * order there. Each half of an owned block is the owner hook's. */
static void shrink(struct buddy_zone *z, uint32_t idx, unsigned a, unsigned n)
{
    unsigned owner = z->owner != NULL ? buddy_load_relaxed(&z->owner[idx]) : 0;
    unsigned k = a;

    while (k-- > n) {
        uint32_t b = idx + ((uint32_t)1 << k);

        if (owner != 0 && z->owner_hook != NULL)
            z->owner_hook(z->owner_arg, owner, z->start_pfn + b, k);
        buddy__free_one_block(z, b, k, false);
        if (buddy_unlikely(z->reporter.report != NULL))
            buddy__note_free(z, b);
    }
}

static int resize_locked(struct buddy_zone *z, buddy_pfn_t pfn, unsigned a,
                         unsigned n)
{
    uint32_t idx = (uint32_t)(pfn - z->start_pfn);
    unsigned mt = buddy__pb_type(z, idx);
    int err;

    if (n > a) {
        /* Not aligned to the new size: its upper neighbours are not its
         * buddies, and a block of order n cannot start here. An owned
         * block does not grow. */
        if ((pfn & (((buddy_pfn_t)1 << n) - 1)) != 0 ||
            (z->owner != NULL && buddy_load_relaxed(&z->owner[idx]) != 0) ||
            !can_grow(z, idx, a, n, mt))
            return BUDDY_EBUSY;
    }
    /* The block is claimed as a free claims it, so a free of it racing
     * this call (misuse) is caught by one of the two, not both. */
    buddy__solo_end_locked(z, NULL);
    if (!buddy__free_claim(z->state, idx, a, 0)) {
        err = buddy__pfn_order_locked(z, pfn);
        return err >= 0 ? BUDDY_EDOUBLEFREE : err;
    }
    if (n > a)
        grow(z, idx, a, n, mt);
    pg_set(z, idx, pg_state(BUDDY_BLOCK_ALLOCATED, n));
    if (n < a)
        shrink(z, idx, a, n);
    buddy_stat_inc(z, free_count[a]);
    buddy_stat_inc(z, alloc_count[n]);
    if (buddy_hook_set(z)) {
        struct buddy_event ev = {.type = BUDDY_EV_RESIZE,
                                 .pfn = pfn,
                                 .order = n,
                                 .buddy = BUDDY_PFN_NONE,
                                 .old_order = a};

        buddy__emit(z, &ev);
    }
    return 0;
}

int buddy_zone_resize_pages(struct buddy_zone *z, buddy_pfn_t pfn,
                            unsigned order, unsigned new_order)
{
    buddy_pfn_t rel;
    int err;

    if (!buddy__zone_ok(z))
        return BUDDY_EBADZONE;
    rel = pfn - z->start_pfn;
    buddy__lock(z);
    /* The checks of a free, in its order, and counted as its refusals. */
    if (rel >= z->spanned) {
        err = BUDDY_ERANGE;
    } else if (order > z->max_order || new_order > z->max_order) {
        err = BUDDY_EORDER;
    } else if (pfn & (((buddy_pfn_t)1 << order) - 1)) {
        err = BUDDY_EALIGN;
    } else if (buddy__allocated_order(pg_get(z, (uint32_t)rel)) != order) {
        err = buddy__pfn_order_locked(z, pfn);
        if (err >= 0) /* an allocated head of another order */
            err = BUDDY_EWRONGORDER;
    } else if (new_order == order) {
        err = 0;
    } else {
        err = resize_locked(z, pfn, order, new_order);
    }
    if (err != 0 && err != BUDDY_EBUSY)
        buddy__reject(z, err, pfn, order);
    buddy_check_expensive(z);
    buddy__unlock(z);
    return err;
}
