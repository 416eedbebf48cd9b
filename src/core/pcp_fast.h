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
 * Budget, in structure: an alloc is one size or order compare, the
 * handshake (a store, a load and a compare), one pop (two loads, three
 * stores) and the leaving store; a free is the range compare, the
 * handshake, one compare-and-swap of the state byte, one push and the
 * leaving store. bench --callgrind measures both in place
 * (docs/performance.md).
 */
#ifndef BUDDY_CORE_PCP_FAST_H
#define BUDDY_CORE_PCP_FAST_H

#include "internal.h"

/* The out-of-line halves (pcp.c). Each is entered with the cache's
 * active word clear: a slow path may take the zone lock, and a remote drain
 * holding it waits for active to clear. */
int buddy__pcp_alloc_pages_slow(struct buddy_pcp *pcp, unsigned order,
                                buddy_pfn_t *pfn);
int buddy__pcp_free_pages_slow(struct buddy_pcp *pcp, buddy_pfn_t pfn,
                               unsigned order);
void *buddy__pcp_alloc_slow(struct buddy_pcp *pcp, size_t size);
int buddy__pcp_free_slow(struct buddy_pcp *pcp, void *ptr);
/* Give a batch back when the cache is over its high mark. */
int buddy__pcp_drain_batch(struct buddy_pcp *pcp, unsigned order);

#define BUDDY_PCP_MAGIC 0x50435031u /* "PCP1" while attached */

/* Only the owner writes count; other threads read it atomically. */
static inline void buddy__pcp_count_set(struct buddy_pcp *pcp, uint32_t pages)
{
    buddy_store_relaxed(&pcp->count, pages);
}

/*
 * The owner's half of the remote-drain handshake (pcp.c has the drainer's):
 * say "inside" in active, then read the gate. A drain closes the gate, makes
 * every CPU's stores visible (the zone's sync_cpus) and then reads active:
 * either it sees the owner inside and waits, or the owner sees the gate
 * closed and goes slow, under the zone lock. This is Dekker's exclusion with
 * the fence on the drainer's side only (the asymmetric barrier of
 * membarrier(2)): the owner pays a store, a compiler barrier and a load.
 * Without sync_cpus the owner's store is an exchange, which is a full
 * fence. Returns false when the gate is closed: leave and go slow.
 */
static inline bool buddy__pcp_enter(struct buddy_pcp *pcp)
{
    /* Two threads inside one cache at once is misuse; catch it where we can. */
    buddy_assert_internal(buddy_load_relaxed(&pcp->active) == 0);
    if (buddy_unlikely(pcp->owner_fence))
        (void)buddy_xchg_seq_cst(&pcp->active, 1u);
    else
        buddy_store_relaxed(&pcp->active, 1u);
    buddy_compiler_barrier();
    return buddy_likely(buddy_load_seq_cst(&pcp->gate) == 0);
}

/* Leave the fast path: everything it did to the lists happens before a
 * drain that then sees active clear. One store. */
static inline void buddy__pcp_leave(struct buddy_pcp *pcp)
{
    buddy_store_release(&pcp->active, 0u);
}

/* Take the head of the non-empty list of `order`: mark it ALLOCATED. Inside
 * the fast path or under the zone lock. */
static inline uint32_t buddy__pcp_pop(struct buddy_pcp *pcp, unsigned order)
{
    uint32_t idx = pcp->head[order];

    pcp->head[order] = pcp->links[idx];
    buddy__pcp_count_set(pcp, pcp->count - ((uint32_t)1 << order));
    buddy_store_relaxed(&pcp->state[idx],
                        pg_state(BUDDY_BLOCK_ALLOCATED, order));
    return idx;
}

/* Claim the ALLOCATED block at idx for the cache: one compare-and-swap of
 * its state byte to CACHED, so that of two concurrent frees exactly one
 * wins. False when the byte is not ALLOCATED of that order (any more). */
static inline bool buddy__pcp_claim(struct buddy_pcp *pcp, uintptr_t idx,
                                    unsigned order)
{
    return buddy_cas_relaxed(&pcp->state[idx],
                             pg_state(BUDDY_BLOCK_ALLOCATED, order),
                             pg_state(BUDDY_BLOCK_CACHED, order));
}

/* Push the claimed block at idx onto the cache and leave the fast path;
 * drain a batch when that took the cache over its high mark. */
static inline int buddy__pcp_push_leave(struct buddy_pcp *pcp, uintptr_t idx,
                                        unsigned order)
{
    uint32_t count;

    pcp->links[idx] = pcp->head[order];
    pcp->head[order] = (uint32_t)idx;
    count = pcp->count + ((uint32_t)1 << order);
    buddy__pcp_count_set(pcp, count);
    buddy__pcp_leave(pcp);
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
 * test, the handshake, a list pop, the state byte, the count. */
static inline int buddy__pcp_alloc_pages_inline(struct buddy_pcp *pcp,
                                                unsigned order,
                                                buddy_pfn_t *pfn)
{
    if (buddy_unlikely(order > pcp->max_order || pfn == NULL))
        return buddy__pcp_alloc_pages_slow(pcp, order, pfn);
    if (buddy_unlikely(!buddy__pcp_enter(pcp) ||
                       pcp->head[order] == BUDDY_NIL)) {
        buddy__pcp_leave(pcp);
        return buddy__pcp_alloc_pages_slow(pcp, order, pfn);
    }
    *pfn = pcp->start_pfn + buddy__pcp_pop(pcp, order);
    buddy__pcp_leave(pcp);
    return 0;
}

/* buddy_pcp_free_pages without its NULL test: the handshake, then the O(1)
 * check and claim of the state byte in one compare-and-swap (which also
 * proves the pfn is a block head of this order, hence aligned), a list
 * push, the count. */
static inline int buddy__pcp_free_pages_inline(struct buddy_pcp *pcp,
                                               buddy_pfn_t pfn, unsigned order)
{
    buddy_pfn_t rel = pfn - pcp->start_pfn;

    if (buddy_unlikely(!buddy__pcp_enter(pcp) || order > pcp->max_order ||
                       rel >= pcp->spanned ||
                       !buddy__pcp_claim(pcp, (uintptr_t)rel, order))) {
        buddy__pcp_leave(pcp);
        return buddy__pcp_free_pages_slow(pcp, pfn, order);
    }
    return buddy__pcp_push_leave(pcp, (uintptr_t)rel, order);
}

/* buddy_pcp_alloc without its NULL test: one compare for the size, the
 * handshake, a list pop, the state byte, the count. One page, the common
 * request, has its own copy of the pop with the order a constant. */
static inline void *buddy__pcp_alloc_inline(struct buddy_pcp *pcp, size_t size)
{
    unsigned order;
    void *p;

    /* Size 0 wraps to the largest value and, like a size too large or a
     * zone without a base (page_bytes and fast_bytes 0), goes slow. */
    if (buddy_likely((uintptr_t)size - 1 < pcp->page_bytes)) {
        if (buddy_unlikely(!buddy__pcp_enter(pcp) ||
                           pcp->head[0] == BUDDY_NIL)) {
            buddy__pcp_leave(pcp);
            return buddy__pcp_alloc_slow(pcp, size);
        }
        p = buddy__pcp_addr(pcp, buddy__pcp_pop(pcp, 0));
        buddy__pcp_leave(pcp);
        return p;
    }
    if (buddy_unlikely((uintptr_t)size - 1 >= pcp->fast_bytes))
        return buddy__pcp_alloc_slow(pcp, size);
    order = buddy_log2_64((uint64_t)size - 1) + 1 - pcp->page_shift;
    if (buddy_unlikely(!buddy__pcp_enter(pcp) ||
                       pcp->head[order] == BUDDY_NIL)) {
        buddy__pcp_leave(pcp);
        return buddy__pcp_alloc_slow(pcp, size);
    }
    p = buddy__pcp_addr(pcp, buddy__pcp_pop(pcp, order));
    buddy__pcp_leave(pcp);
    return p;
}

/* buddy_pcp_free without its NULL test. The offset from the base, rotated
 * right by the page shift, is below byte_pages exactly when the pointer is
 * a page start inside the zone, so one compare tests range and alignment:
 * a misaligned offset's low bits rotate in at bit W - page_shift or above
 * (W = pointer width), a value of 2^(W - page_shift) pages or more, which
 * is the whole address space and more than any zone with a base spans
 * (zone init checked that base + span fits); a pointer below the base
 * wraps to a huge offset. Then the handshake, the state byte's order and
 * its claim in one compare-and-swap, a push, the count. */
static inline int buddy__pcp_free_inline(struct buddy_pcp *pcp, void *ptr)
{
    uintptr_t off = (uintptr_t)ptr - pcp->base;
    unsigned shift = pcp->page_shift;
    uintptr_t idx = off >> shift | off << ((0u - shift) & (sizeof(off) * 8 - 1));
    unsigned order;

    if (buddy_unlikely(!buddy__pcp_enter(pcp) || idx >= pcp->byte_pages))
        goto slow;
    order = buddy__allocated_order(buddy_load_relaxed(&pcp->state[idx]));
    if (buddy_unlikely(order > pcp->max_order ||
                       !buddy__pcp_claim(pcp, idx, order)))
        goto slow;
    return buddy__pcp_push_leave(pcp, idx, order);
slow:
    buddy__pcp_leave(pcp);
    return buddy__pcp_free_slow(pcp, ptr);
}

#endif /* BUDDY_CORE_PCP_FAST_H */
