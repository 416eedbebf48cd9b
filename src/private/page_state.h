/* SPDX-License-Identifier: MIT */
/*
 * page_state.h: the metadata every page of a zone has (its state byte and
 * its frame record), and the one free check on the byte.
 *
 * A block's first page (its head) carries kind << 5 | order; every other
 * page carries 0. The byte is read and written with relaxed atomics: a
 * cache's owner moves its pages between ALLOCATED and CACHED without the
 * zone lock (src/core/internal.h has the locking rules). The core and the
 * cache fast paths the hosted layer inlines (pcp.h) both use it.
 */
#ifndef BUDDY_PRIVATE_PAGE_STATE_H
#define BUDDY_PRIVATE_PAGE_STATE_H

#include "buddy/buddy.h"
#include "deps.h"

/* ---- page state byte --------------------------------------------------- */

#define BUDDY_NIL 0xffffffffu
#define PG_KIND_SHIFT 5u
#define PG_ORDER_MASK 0x1fu

_Static_assert(BUDDY_MAX_ORDER_LIMIT <= PG_ORDER_MASK,
               "the order must fit the state byte's order field");
_Static_assert(BUDDY_BLOCK_CACHED < (1u << (8u - PG_KIND_SHIFT)),
               "the kind must fit the state byte's kind field");
_Static_assert(BUDDY_NR_ORDERS <= 32u,
               "the non-empty index is one 32-bit word");

static inline uint8_t pg_state(unsigned kind, unsigned order)
{
    return (uint8_t)(kind << PG_KIND_SHIFT | order);
}

static inline unsigned pg_kind(uint8_t s)
{
    return s >> PG_KIND_SHIFT;
}

static inline unsigned pg_order(uint8_t s)
{
    return s & PG_ORDER_MASK;
}

/* ---- the one free check ---------------------------------------------------
 * Every free, through the zone or a cache, by pfn or by pointer, passes
 * here: the page must be the head of an ALLOCATED block of the given order
 * (which also proves the alignment), and the free claims it by moving the
 * state byte away from ALLOCATED in one compare-and-swap, so that of two
 * concurrent frees of a block exactly one wins. */

/* The order of a state byte that is an ALLOCATED block head; for any other
 * byte, a value above every order (kind and order in one compare). */
static inline unsigned buddy__allocated_order(uint8_t s)
{
    return (uint8_t)(s - pg_state(BUDDY_BLOCK_ALLOCATED, 0));
}

/* Claim the ALLOCATED head of `order` at state[idx] for a free: its byte
 * becomes `to` (CACHED|order for a cache, 0 for the zone). False, and
 * nothing changed, when the byte is not that (any more). */
static inline bool buddy__free_claim(uint8_t *state, uintptr_t idx,
                                     unsigned order, uint8_t to)
{
    return buddy_cas_relaxed(&state[idx],
                             pg_state(BUDDY_BLOCK_ALLOCATED, order), to);
}

/* ---- the frame record ------------------------------------------------------
 * A page's two free-list links and its owner's word, in one 8-byte record:
 * l.next and l.prev while the page is a FREE head, l.next alone while it
 * heads a CACHED block, word while it belongs to an ALLOCATED block (a
 * page uses one of them at a time, so they share the bytes). The links a
 * split or a merge reads and writes for a block are then one cache line
 * and one page of metadata, not one in each of two arrays, and an owner's
 * word is one aligned load. The word is only ever written and read as
 * word, the links as l.next and l.prev: which bytes of one the other
 * overlaps (the endianness; on a 32-bit target the word is 4 bytes) never
 * matters. Aligned to its size, so no record straddles a line. */
union buddy__frame {
    _Alignas(8) struct {
        uint32_t next; /* free or cache list successor, or BUDDY_NIL */
        uint32_t prev; /* free list predecessor (FREE heads only) */
    } l;
    uintptr_t word;    /* the owner's (buddy_zone_set_private) */
};

_Static_assert(sizeof(union buddy__frame) == 8 &&
                   _Alignof(union buddy__frame) == 8,
               "a frame record is 8 bytes, aligned to them");
_Static_assert(sizeof(union buddy__frame) + 1u == BUDDY_META_BYTES_PER_PAGE,
               "a page's metadata is its frame record and its state byte");

#endif /* BUDDY_PRIVATE_PAGE_STATE_H */
