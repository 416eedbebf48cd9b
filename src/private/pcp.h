/* SPDX-License-Identifier: MIT */
/*
 * pcp.h: the per-CPU cache's layout and its fast paths, as inline
 * functions, private to the library.
 *
 * The public header gives a cache only its size (struct buddy_pcp is
 * opaque storage, as pthread_mutex_t is), so that an embedder can place
 * caches statically or per CPU while none of the fields below is theirs to
 * touch. This header is the one definition; the core (src/core/pcp.c) and
 * the hosted heap (src/hosted/heap.c) both use it.
 *
 * A cached alloc is a list pop and a cached free a checked list push
 * (pcp.c says how the caches work). They are written once, here, so that
 * both the core's buddy_pcp_alloc/free and the hosted heap's per-thread
 * path compile them into their own body: the heap's hot path is then one
 * function per operation, with no call, no second NULL test and no stack
 * frame. Everything else (an empty list, an uncached size, any bad free)
 * leaves through one out-of-line call into pcp.c, as a tail call.
 *
 * Budget, in structure: an alloc is the entering store, one size or order
 * compare (which is also the remote-drain gate), one pop (two loads, three
 * stores) and the leaving store; a free is the entering store, one range
 * compare (the gate too), the state byte's claim (one compare-and-swap, or
 * a plain store for a solo cache: pcp.c), one push and the leaving store. bench --callgrind measures both in place
 * (docs/performance.md).
 *
 * Invariants (an attached cache; buddy_zone_check checks the lists and
 * the count): head[k] and typed[l - 1][k] start lists 0 and l of CACHED
 * blocks of order k linked through l.next of the zone's frame records,
 * ending in BUDDY_NIL; count == sum over lists and k of their lengths << k;
 * live is open or all 0 (gate shut, fenced, or detached); magic ==
 * BUDDY_PCP_MAGIC iff zone != NULL. Which list a block is on says how it
 * came in (the request a refill served, or its pageblock's type when it
 * was freed), not its pageblock's type now: a claim may convert the
 * pageblock meanwhile, as in the kernel. Locking: the lists, links of
 * CACHED pages and count belong to the owner inside a fast path and to
 * the zone lock holder once the gate is shut; everything else is written
 * under the zone lock.
 *
 * The fast paths serve list 0 only. While every pageblock of the zone is
 * of list 0's type (the zone's nr_pb_typed is 0) a free is list 0's with
 * no lookup; once one is not, the free bounds in live stay 0 (spanned and
 * byte_pages: the allocation bounds stay open), so every free takes the
 * typed path out of line, which reads the block's pageblock type and
 * pushes onto that list (pcp.c). A typed allocation of another type than
 * list 0's is that path's pop. A zone used without types thus pays
 * nothing for them, and a typed one one call per free.
 */
#ifndef BUDDY_PRIVATE_PCP_H
#define BUDDY_PRIVATE_PCP_H

#include "buddy/buddy.h"
#include "debug.h"
#include "deps.h"
#include "page_state.h"

struct buddy__pcp_gate { /* what the fast paths compare against */
    uint32_t spanned;      /* pfn frees below start_pfn + this */
    uintptr_t byte_pages;  /* byte frees of pages below this index */
    uintptr_t page_bytes;  /* byte allocs up to this: one page */
    uintptr_t fast_bytes;  /* byte allocs below this: a cached order */
    uint32_t order_end;    /* orders below this: max_order + 1 */
};

/* The lists a cache keeps per order, as the kernel's pcp lists: list 0
 * for the zone's first type (movable; with grouping by mobility off,
 * every type), then unmovable and reclaimable. A HIGHATOMIC pageblock's
 * pages go on list 0, as the kernel caches them as movable; an ISOLATE
 * pageblock's are not cached. */
#define BUDDY_PCP_LISTS BUDDY_MIGRATE_PCPTYPES

struct buddy__pcp {
    uint32_t head[BUDDY_PCP_ORDER_LIMIT + 1]; /* list 0: idx of the first
                                   cached block per order, linked through
                                   l.next of the zone's frame records */
    uint32_t count;            /* pages cached, all orders (atomic) */
    uint32_t active;           /* the owner is inside a fast path (atomic;
                                  the remote-drain handshake) */
    struct buddy__pcp_gate live; /* the fast paths' bounds (atomic): `open`
                                  while the gate is open, all 0 while a
                                  drain holds it or the cache is detached */
    uint32_t high, batch;      /* see buddy_pcp_config */
    unsigned max_order;        /* orders 0..max_order are cached */
    uint8_t solo;              /* the zone's solo cache: claims are a plain
                                  load and store (atomic; pcp.c) */
    union buddy__frame *frame; /* the zone's frame records (copied for the
                                  fast paths, which then touch no zone
                                  field) */
    uint8_t *state;            /* the zone's state[] */
    const uint8_t *owner;      /* the zone's owner[], or NULL: an owned
                                  block is never claimed here (its fast
                                  frees shut, the slow one asks) */
    buddy_pfn_t start_pfn;     /* the zone's first pfn */
    uintptr_t base;            /* the zone's base address, 0 without one */
    unsigned page_shift;       /* the zone's */
    uint32_t gate;             /* closed (1) by a drain, under the zone
                                  lock (atomic) */
    uint8_t fenced;            /* the zone has a lock but no sync_cpus: live
                                  stays 0 and the cached operations run
                                  out of line, fenced by an exchange */
    uint32_t magic;            /* BUDDY_PCP_MAGIC while attached */
    struct buddy__pcp_gate open; /* the bounds themselves: the zone's span,
                                  its pages and block sizes in bytes (0
                                  without a base) */
    const uint8_t *pageblock;  /* the zone's pageblock types */
    uint32_t pb_skew;          /* the zone's: pageblock of idx is */
    uint8_t pb_shift;          /* (idx + pb_skew) >> pb_shift */
    uint8_t pb_key;            /* the zone's: the type a stored 0 means */
    uint32_t typed[BUDDY_PCP_LISTS - 1][BUDDY_PCP_ORDER_LIMIT + 1];
                               /* lists 1 and 2, as head */
    struct buddy_zone *zone;   /* the zone it caches; NULL once detached */
    struct buddy__pcp *next;   /* the zone's list of caches (zone lock) */
};

_Static_assert(sizeof(struct buddy__pcp) <= sizeof(struct buddy_pcp),
               "BUDDY_PCP_SIZE must hold the cache");
_Static_assert(_Alignof(struct buddy__pcp) <= _Alignof(struct buddy_pcp),
               "struct buddy_pcp must be aligned for the cache");

/* The cache in a caller's storage. The library reads and writes that
 * storage only through this type. */
static inline struct buddy__pcp *buddy__pcp(struct buddy_pcp *p)
{
    return (struct buddy__pcp *)(void *)p;
}

static inline const struct buddy__pcp *
buddy__pcp_const(const struct buddy_pcp *p)
{
    return (const struct buddy__pcp *)(const void *)p;
}

/* The out-of-line halves (pcp.c). Each is entered with the cache's
 * active word clear: a slow path may take the zone lock, and a remote drain
 * holding it waits for active to clear. */
int buddy__pcp_alloc_pages_slow(struct buddy__pcp *pcp, unsigned order,
                                buddy_pfn_t *pfn);
int buddy__pcp_free_pages_slow(struct buddy__pcp *pcp, buddy_pfn_t pfn,
                               unsigned order);
void *buddy__pcp_alloc_slow(struct buddy__pcp *pcp, size_t size);
int buddy__pcp_free_slow(struct buddy__pcp *pcp, void *ptr);
/* Give a batch back when the cache is over its high mark, starting with
 * list l of `order`, the one that just grew. */
int buddy__pcp_drain_batch(struct buddy__pcp *pcp, unsigned l, unsigned order);
/* The owner's own drain, without the handshake (the hosted heap). */
void buddy__pcp_drain_self(struct buddy__pcp *pcp);

#define BUDDY_PCP_MAGIC 0x50435031u /* "PCP1" while attached */

/* Pages cached: any thread may ask. */
static inline uint32_t buddy__pcp_count(const struct buddy__pcp *pcp)
{
    return buddy_load_relaxed(&pcp->count);
}

/* Only the owner writes count; other threads read it atomically. */
static inline void buddy__pcp_count_set(struct buddy__pcp *pcp, uint32_t pages)
{
    buddy_store_relaxed(&pcp->count, pages);
}

/*
 * The owner's half of the remote-drain handshake (pcp.c has the drainer's).
 * The owner says "inside" in active, then reads the bounds its fast path
 * compares anyway (live): a drain first sets them all to 0, which sends
 * every fast path slow, makes its stores visible to every CPU (the zone's
 * sync_cpus) and then reads active. Either it sees the owner inside and
 * waits, or the owner reads a bound of 0 and goes slow, to the zone lock.
 * This is Dekker's exclusion with the fence on the drainer's side only (the
 * asymmetric barrier of membarrier(2)), and the gate is the compare the fast
 * path makes in any case: the owner pays two stores and a compiler barrier.
 * The first bound read after enter is an acquire load, so what a drain did
 * to the lists happens before the fast path that sees its bounds back.
 */
static inline void buddy__pcp_enter(struct buddy__pcp *pcp)
{
    /* Two threads inside one cache at once is misuse; catch it where we can. */
    buddy_assert_internal(buddy_load_relaxed(&pcp->active) == 0);
    buddy_store_relaxed(&pcp->active, 1u);
    buddy_compiler_barrier();
}

/* Leave the fast path: everything it did to the lists happens before a
 * drain that then sees active clear. One store. */
static inline void buddy__pcp_leave(struct buddy__pcp *pcp)
{
    buddy_store_release(&pcp->active, 0u);
}

/* List l of `order` (l < BUDDY_PCP_LISTS). */
static inline uint32_t *buddy__pcp_list(struct buddy__pcp *pcp, unsigned l,
                                        unsigned order)
{
    return l == 0 ? &pcp->head[order] : &pcp->typed[l - 1][order];
}

/* The first block on list l of `order`, or BUDDY_NIL. */
static inline uint32_t buddy__pcp_first(const struct buddy__pcp *pcp,
                                        unsigned l, unsigned order)
{
    return l == 0 ? pcp->head[order] : pcp->typed[l - 1][order];
}

/* Take the head of the non-empty *list of `order`: mark it ALLOCATED.
 * Inside the fast path or under the zone lock. */
static inline uint32_t buddy__pcp_pop_list(struct buddy__pcp *pcp,
                                           uint32_t *list, unsigned order)
{
    uint32_t idx = *list;

    *list = pcp->frame[idx].l.next;
    buddy__pcp_count_set(pcp, pcp->count - ((uint32_t)1 << order));
    buddy_store_relaxed(&pcp->state[idx],
                        pg_state(BUDDY_BLOCK_ALLOCATED, order));
    return idx;
}

/* The same on list 0. */
static inline uint32_t buddy__pcp_pop(struct buddy__pcp *pcp, unsigned order)
{
    return buddy__pcp_pop_list(pcp, &pcp->head[order], order);
}

/* Claim the ALLOCATED block at idx for the cache, its state byte to
 * CACHED. A solo cache's owner is the only thread that can claim a byte
 * of its zone (pcp.c): one load, one compare, one plain store. Any other
 * cache makes it one compare-and-swap, so that of two concurrent frees
 * exactly one wins. False when the byte is not ALLOCATED of that order
 * (any more). */
static inline bool buddy__pcp_claim(struct buddy__pcp *pcp, uintptr_t idx,
                                    unsigned order)
{
    uint8_t from = pg_state(BUDDY_BLOCK_ALLOCATED, order);
    uint8_t to = pg_state(BUDDY_BLOCK_CACHED, order);

    if (buddy_likely(buddy_load_relaxed(&pcp->solo) != 0)) {
        if (buddy_load_relaxed(&pcp->state[idx]) != from)
            return false;
        buddy_store_relaxed(&pcp->state[idx], to);
        return true;
    }
    return buddy__free_claim(pcp->state, idx, order, to);
}

/* The same for a byte the caller just read as ALLOCATED of `order`: a solo
 * cache stores without reading it again. */
static inline bool buddy__pcp_claim_seen(struct buddy__pcp *pcp, uintptr_t idx,
                                         unsigned order)
{
    uint8_t to = pg_state(BUDDY_BLOCK_CACHED, order);

    if (buddy_likely(buddy_load_relaxed(&pcp->solo) != 0)) {
        buddy_store_relaxed(&pcp->state[idx], to);
        return true;
    }
    return buddy__free_claim(pcp->state, idx, order, to);
}

/* Push the claimed block at idx onto list l of the cache and leave the
 * fast path; drain a batch when that took the cache over its high mark. */
static inline int buddy__pcp_push_leave_list(struct buddy__pcp *pcp,
                                             unsigned l, uintptr_t idx,
                                             unsigned order)
{
    uint32_t *list = buddy__pcp_list(pcp, l, order);
    uint32_t count;

    pcp->frame[idx].l.next = *list;
    *list = (uint32_t)idx;
    count = pcp->count + ((uint32_t)1 << order);
    buddy__pcp_count_set(pcp, count);
    buddy__pcp_leave(pcp);
    if (buddy_unlikely(count > pcp->high))
        return buddy__pcp_drain_batch(pcp, l, order);
    return 0;
}

/* The same on list 0. */
static inline int buddy__pcp_push_leave(struct buddy__pcp *pcp, uintptr_t idx,
                                        unsigned order)
{
    return buddy__pcp_push_leave_list(pcp, 0, idx, order);
}

/* The address of the block at idx (the zone has a base). */
static inline void *buddy__pcp_addr(const struct buddy__pcp *pcp, uint32_t idx)
{
    return (void *)(pcp->base + ((uintptr_t)idx << pcp->page_shift));
}

/* The byte free's index: the offset from the base, rotated right by the
 * page shift, is below the zone's pages exactly when the pointer is a page
 * start inside the zone, so one compare tests range and alignment: a
 * misaligned offset's low bits rotate in at bit W - page_shift or above
 * (W = pointer width), a value of 2^(W - page_shift) pages or more, which
 * is the whole address space and more than any zone with a base spans
 * (zone init checked that base + span fits); a pointer below the base
 * wraps to a huge offset. */
static inline uintptr_t buddy__pcp_byte_idx(const struct buddy__pcp *pcp,
                                            const void *ptr)
{
    uintptr_t off = (uintptr_t)ptr - pcp->base;
    unsigned shift = pcp->page_shift;

    return off >> shift | off << ((0u - shift) & (sizeof(off) * 8 - 1));
}

/* buddy_pcp_alloc_pages without its NULL test: the handshake, one compare
 * of the order against the live bound (the gate), a list pop, the state
 * byte, the count. */
static inline int buddy__pcp_alloc_pages_inline(struct buddy__pcp *pcp,
                                                unsigned order,
                                                buddy_pfn_t *pfn)
{
    buddy__pcp_enter(pcp);
    if (buddy_unlikely(order >= buddy_load_acquire(&pcp->live.order_end) ||
                       pfn == NULL || pcp->head[order] == BUDDY_NIL)) {
        buddy__pcp_leave(pcp);
        return buddy__pcp_alloc_pages_slow(pcp, order, pfn);
    }
    *pfn = pcp->start_pfn + buddy__pcp_pop(pcp, order);
    buddy__pcp_leave(pcp);
    return 0;
}

/* buddy_pcp_free_pages without its NULL test: the handshake, the range
 * and order compares against the live bounds, then the O(1) check and
 * claim of the state byte in one compare-and-swap (which also proves the
 * pfn is a block head of this order, hence aligned), a list push, the
 * count. */
static inline int buddy__pcp_free_pages_inline(struct buddy__pcp *pcp,
                                               buddy_pfn_t pfn, unsigned order)
{
    buddy_pfn_t rel = pfn - pcp->start_pfn;

    buddy__pcp_enter(pcp);
    if (buddy_unlikely(rel >= buddy_load_acquire(&pcp->live.spanned) ||
                       order >= buddy_load_relaxed(&pcp->live.order_end) ||
                       !buddy__pcp_claim(pcp, (uintptr_t)rel, order))) {
        buddy__pcp_leave(pcp);
        return buddy__pcp_free_pages_slow(pcp, pfn, order);
    }
    return buddy__pcp_push_leave(pcp, (uintptr_t)rel, order);
}

/* buddy_pcp_alloc without its NULL test: the handshake, one compare for
 * the size (the gate), a list pop, the state byte, the count. One page,
 * the common request, has its own copy of the pop with the order a
 * constant. */
static inline void *buddy__pcp_alloc_inline(struct buddy__pcp *pcp, size_t size)
{
    unsigned order;
    void *p;

    buddy__pcp_enter(pcp);
    /* Size 0 wraps to the largest value and, like a size too large, a zone
     * without a base or a closed gate (bounds 0), goes slow. */
    if (buddy_likely((uintptr_t)size - 1 <
                     buddy_load_acquire(&pcp->live.page_bytes))) {
        if (buddy_unlikely(pcp->head[0] == BUDDY_NIL))
            goto slow;
        p = buddy__pcp_addr(pcp, buddy__pcp_pop(pcp, 0));
        buddy__pcp_leave(pcp);
        return p;
    }
    if (buddy_unlikely((uintptr_t)size - 1 >=
                       buddy_load_relaxed(&pcp->live.fast_bytes)))
        goto slow;
    order = buddy_log2_64((uint64_t)size - 1) + 1 - pcp->page_shift;
    if (buddy_unlikely(pcp->head[order] == BUDDY_NIL))
        goto slow;
    p = buddy__pcp_addr(pcp, buddy__pcp_pop(pcp, order));
    buddy__pcp_leave(pcp);
    return p;
slow:
    buddy__pcp_leave(pcp);
    return buddy__pcp_alloc_slow(pcp, size);
}

/* buddy_pcp_free without its NULL test: the rotate-and-compare against the
 * live bound (range, alignment and gate in one), then the state byte's
 * claim in one compare-and-swap (a page with constants, any other order
 * read from the byte), a push, the count. */
static inline int buddy__pcp_free_inline(struct buddy__pcp *pcp, void *ptr)
{
    uintptr_t idx = buddy__pcp_byte_idx(pcp, ptr);
    unsigned order;
    uint8_t s;

    buddy__pcp_enter(pcp);
    if (buddy_unlikely(idx >= buddy_load_acquire(&pcp->live.byte_pages)))
        goto slow;
    s = buddy_load_relaxed(&pcp->state[idx]);
    if (buddy_likely(s == pg_state(BUDDY_BLOCK_ALLOCATED, 0))) {
        if (buddy_unlikely(!buddy__pcp_claim_seen(pcp, idx, 0)))
            goto slow;
        return buddy__pcp_push_leave(pcp, idx, 0); /* a page */
    }
    order = buddy__allocated_order(s);
    if (buddy_unlikely(order >= buddy_load_relaxed(&pcp->live.order_end) ||
                       !buddy__pcp_claim_seen(pcp, idx, order)))
        goto slow;
    return buddy__pcp_push_leave(pcp, idx, order);
slow:
    buddy__pcp_leave(pcp);
    return buddy__pcp_free_slow(pcp, ptr);
}

#endif /* BUDDY_PRIVATE_PCP_H */
