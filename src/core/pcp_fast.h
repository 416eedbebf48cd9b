/* SPDX-License-Identifier: MIT */
/*
 * pcp_fast.h: the cached fast paths as inline functions.
 *
 * A cached alloc is a list pop and a cached free a checked list push
 * (pcp.c says how the caches work). They are written once, here, so that
 * both the core's buddy_pcp_alloc/free and the hosted heap's per-thread
 * path (src/hosted/heap.c) compile them into their own body: the heap's
 * hot path is then one function per operation, with no call, no second
 * NULL test and no stack frame. Everything else (an empty list, an
 * uncached size, any bad free) leaves through one out-of-line call into
 * pcp.c, as a tail call.
 *
 * Budget (x86-64, gcc -O2, a page, inlined in the heap): buddy_heap_alloc
 * 25 instructions and buddy_heap_free 29, their thread-local lookup (7)
 * included; bench --callgrind measures the pair in place (52 net).
 */
#ifndef BUDDY_CORE_PCP_FAST_H
#define BUDDY_CORE_PCP_FAST_H

#include "internal.h"

/* The out-of-line halves (pcp.c). */
int buddy__pcp_alloc_pages_slow(struct buddy_pcp *pcp, unsigned order,
                                buddy_pfn_t *pfn);
int buddy__pcp_free_pages_slow(struct buddy_pcp *pcp, buddy_pfn_t pfn,
                               unsigned order);
void *buddy__pcp_alloc_slow(struct buddy_pcp *pcp, size_t size);
int buddy__pcp_free_slow(struct buddy_pcp *pcp, void *ptr);
/* Give a batch back when the cache is over its high mark. */
int buddy__pcp_drain_batch(struct buddy_pcp *pcp, unsigned order);

/* Only the owner writes count; other threads read it atomically. */
static inline void buddy__pcp_count_set(struct buddy_pcp *pcp, uint32_t pages)
{
    buddy_store_relaxed(&pcp->count, pages);
}

/* Take the head of the non-empty list of `order`: mark it ALLOCATED. */
static inline uint32_t buddy__pcp_pop(struct buddy_pcp *pcp, unsigned order)
{
    uint32_t idx = pcp->head[order];

    pcp->head[order] = pcp->links[idx];
    buddy__pcp_count_set(pcp, pcp->count - ((uint32_t)1 << order));
    buddy_store_relaxed(&pcp->state[idx],
                        pg_state(BUDDY_BLOCK_ALLOCATED, order));
    return idx;
}

/* Push the checked ALLOCATED block at idx onto the cache; drain a batch
 * when that takes the cache over its high mark. */
static inline int buddy__pcp_push(struct buddy_pcp *pcp, uintptr_t idx,
                                  unsigned order)
{
    uint32_t count;

    buddy_store_relaxed(&pcp->state[idx], pg_state(BUDDY_BLOCK_CACHED, order));
    pcp->links[idx] = pcp->head[order];
    pcp->head[order] = (uint32_t)idx;
    count = pcp->count + ((uint32_t)1 << order);
    buddy__pcp_count_set(pcp, count);
    if (buddy_unlikely(count > pcp->high))
        return buddy__pcp_drain_batch(pcp, order);
    return 0;
}

/* The order of a state byte that is an ALLOCATED block head; for any other
 * byte, a value above every order (kind and order in one compare). */
static inline unsigned buddy__allocated_order(uint8_t s)
{
    return (uint8_t)(s - pg_state(BUDDY_BLOCK_ALLOCATED, 0));
}

/* The address of the block at idx (the zone has a base). */
static inline void *buddy__pcp_addr(const struct buddy_pcp *pcp, uint32_t idx)
{
    return (void *)(pcp->base + ((uintptr_t)idx << pcp->page_shift));
}

/* buddy_pcp_alloc_pages without its NULL test: an order and out-parameter
 * test, a list pop, the state byte, the count. */
static inline int buddy__pcp_alloc_pages_inline(struct buddy_pcp *pcp,
                                                unsigned order,
                                                buddy_pfn_t *pfn)
{
    if (buddy_unlikely(order > pcp->max_order || pfn == NULL ||
                       pcp->head[order] == BUDDY_NIL))
        return buddy__pcp_alloc_pages_slow(pcp, order, pfn);
    *pfn = pcp->start_pfn + buddy__pcp_pop(pcp, order);
    return 0;
}

/* buddy_pcp_free_pages without its NULL test: the O(1) check of the state
 * byte (which also proves the pfn is a block head of this order, hence
 * aligned), a list push, the count. */
static inline int buddy__pcp_free_pages_inline(struct buddy_pcp *pcp,
                                               buddy_pfn_t pfn, unsigned order)
{
    buddy_pfn_t rel = pfn - pcp->start_pfn;

    if (buddy_unlikely(order > pcp->max_order || rel >= pcp->spanned ||
                       buddy_load_relaxed(&pcp->state[rel]) !=
                           pg_state(BUDDY_BLOCK_ALLOCATED, order)))
        return buddy__pcp_free_pages_slow(pcp, pfn, order);
    return buddy__pcp_push(pcp, (uintptr_t)rel, order);
}

/* buddy_pcp_alloc without its NULL test: one compare for the size, a list
 * pop, the state byte, the count. One page, the common request, has its own
 * copy of the pop with the order a constant. */
static inline void *buddy__pcp_alloc_inline(struct buddy_pcp *pcp, size_t size)
{
    unsigned order;

    /* Size 0 wraps to the largest value and, like a size too large or a
     * zone without a base (page_bytes and fast_bytes 0), goes slow. */
    if (buddy_likely((uintptr_t)size - 1 < pcp->page_bytes)) {
        if (buddy_unlikely(pcp->head[0] == BUDDY_NIL))
            return buddy__pcp_alloc_slow(pcp, size);
        return buddy__pcp_addr(pcp, buddy__pcp_pop(pcp, 0));
    }
    if (buddy_unlikely((uintptr_t)size - 1 >= pcp->fast_bytes))
        return buddy__pcp_alloc_slow(pcp, size);
    order = buddy_log2_64((uint64_t)size - 1) + 1 - pcp->page_shift;
    if (buddy_unlikely(pcp->head[order] == BUDDY_NIL))
        return buddy__pcp_alloc_slow(pcp, size);
    return buddy__pcp_addr(pcp, buddy__pcp_pop(pcp, order));
}

/* buddy_pcp_free without its NULL test. The offset from the base, rotated
 * right by the page shift, is below byte_pages exactly when the pointer is
 * a page start inside the zone, so one compare tests range and alignment:
 * a misaligned offset's low bits rotate in at bit W - page_shift or above
 * (W = pointer width), a value of 2^(W - page_shift) pages or more, which
 * is the whole address space and more than any zone with a base spans
 * (zone init checked that base + span fits); a pointer below the base
 * wraps to a huge offset. Then the O(1) state-byte check, a push, the
 * count. */
static inline int buddy__pcp_free_inline(struct buddy_pcp *pcp, void *ptr)
{
    uintptr_t off = (uintptr_t)ptr - pcp->base;
    unsigned shift = pcp->page_shift;
    uintptr_t idx = off >> shift | off << ((0u - shift) & (sizeof(off) * 8 - 1));
    unsigned order;
    uint8_t s;

    if (buddy_unlikely(idx >= pcp->byte_pages))
        return buddy__pcp_free_slow(pcp, ptr);
    s = buddy_load_relaxed(&pcp->state[idx]);
    if (buddy_likely(s == pg_state(BUDDY_BLOCK_ALLOCATED, 0)))
        return buddy__pcp_push(pcp, idx, 0); /* a page */
    order = buddy__allocated_order(s);
    if (buddy_unlikely(order > pcp->max_order))
        return buddy__pcp_free_slow(pcp, ptr);
    return buddy__pcp_push(pcp, idx, order);
}

#endif /* BUDDY_CORE_PCP_FAST_H */
