/* SPDX-License-Identifier: MIT */
/*
 * model.h: a reference model of one buddy zone, for the randomised test and
 * the fuzzer.
 *
 * The model is deliberately naive: one state per page (hole, free, allocated
 * head or interior, reserved) and linear scans. It knows nothing of free
 * lists, splitting or merging, yet it predicts the library exactly, because a
 * correctly merged buddy system is a function of which pages are free: its
 * free blocks are the unique "canonical" tiling of the free pages into the
 * largest naturally aligned blocks of order <= max_order inside the span
 * (if two free buddies of one order were left unmerged, the tiling would not
 * be maximal). So the model can say which call must fail with which error,
 * how many blocks each free_area[order] holds, and which list an allocation
 * must split.
 *
 * Every model_* call that mirrors a library call returns the code the
 * library must return and applies the effect, counters included; the
 * comparison itself lives in harness.c.
 */
#ifndef BUDDY_TEST_MODEL_H
#define BUDDY_TEST_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buddy/buddy.h"

/* What the model knows of one page. */
enum model_page {
    MODEL_HOLE = 0,     /* never given to the zone */
    MODEL_FREE,         /* free, whatever block the library keeps it in */
    MODEL_HEAD,         /* first page of an allocated block */
    MODEL_INTERIOR,     /* any other page of an allocated block */
    MODEL_RESERVED      /* taken out by buddy_zone_reserve */
};

struct model {
    buddy_pfn_t start_pfn;  /* first pfn of the span */
    uint32_t nr_pages;      /* pages spanned */
    unsigned max_order;     /* largest block order */
    unsigned page_shift;    /* log2 of the page size */
    uintptr_t base;         /* address of start_pfn, or 0 */
    uint8_t *page;          /* [nr_pages] enum model_page */
    uint8_t *order;         /* [nr_pages] block order of HEAD and INTERIOR */
    int8_t *canon;          /* [nr_pages] scratch: order of the canonical free
                               block starting here, or -1 */
    uint32_t *live;         /* [nr_pages] indices of allocated heads, any order */
    uint32_t *live_pos;     /* [nr_pages] position of a head in live[] */
    uint32_t nr_live;       /* entries in live[] */
    /* The library's counters as they must be: every call the library counts
     * is counted here the same way. */
    uint64_t alloc_count[BUDDY_NR_ORDERS];
    uint64_t free_count[BUDDY_NR_ORDERS];
    uint64_t alloc_failures;
    uint64_t rejected;
};

/* ---- the model alone --------------------------------------------------- */

/* All pages start as holes, as in buddy_zone_init. 0 or -1 (no memory). */
int model_init(struct model *m, buddy_pfn_t start_pfn, uint32_t nr_pages,
               unsigned max_order, unsigned page_shift, uintptr_t base);
void model_destroy(struct model *m);

/* Page state of an in-span pfn. */
enum model_page model_page_at(const struct model *m, buddy_pfn_t pfn);
bool model_in_span(const struct model *m, buddy_pfn_t pfn);

/* Fill m->canon with the canonical free blocks and count them per order in
 * nr_free[BUDDY_NR_ORDERS]. O(nr_pages). */
void model_canonical(const struct model *m, uint64_t *nr_free);
/* Order of the canonical free block containing pfn (which must be FREE), and
 * its first pfn in *head. O(nr_pages). */
unsigned model_free_block_of(const struct model *m, buddy_pfn_t pfn,
                             buddy_pfn_t *head);

/* buddy_zone_alloc_pages: 0, BUDDY_EORDER or BUDDY_ENOMEM. On 0, *from_order is
 * the order of the free list the library must take the block from (the
 * smallest non-empty one >= order). Changes nothing. */
int model_alloc_expect(const struct model *m, unsigned order,
                       unsigned *from_order);
/* Record a successful allocation at pfn: false if the block is not a
 * naturally aligned run of free pages in the span (the library lied). */
bool model_alloc_commit(struct model *m, buddy_pfn_t pfn, unsigned order);
/* Record an ENOMEM: the library counts it. */
void model_alloc_failed(struct model *m);

/* Each returns the code the library must return, and applies it: on success
 * the pages change state, on failure only the `rejected` counter moves. */
int model_free_pages(struct model *m, buddy_pfn_t pfn, unsigned order);
/* buddy_zone_resize_pages: EBUSY (not counted) when a growth cannot be
 * made in place. */
int model_resize_pages(struct model *m, buddy_pfn_t pfn, unsigned order,
                       unsigned new_order);
int model_free_pfn(struct model *m, buddy_pfn_t pfn);
int model_add_range(struct model *m, buddy_pfn_t pfn, uint64_t nr_pages);
int model_reserve(struct model *m, buddy_pfn_t pfn, uint64_t nr_pages);
/* buddy_zone_free by address. */
int model_free_ptr(struct model *m, uintptr_t addr);

/* buddy_zone_pfn_order: the order of the allocated block at pfn, or the error a
 * free_pfn would get. Changes nothing. */
int model_pfn_order(const struct model *m, buddy_pfn_t pfn);
/* buddy_zone_size_to_order. */
int model_size_to_order(const struct model *m, size_t size);
/* buddy_zone_addr_align. */
size_t model_addr_align(const struct model *m);
/* buddy_zone_usable_size. */
size_t model_usable_size(const struct model *m, uintptr_t addr);
/* buddy_zone_alloc_aligned before it reaches buddy_zone_alloc_pages: 0 with the order
 * it will ask for in *order, or -1 when it returns NULL without counting
 * anything (zero or too large size, bad align, no base). */
int model_alloc_aligned_order(const struct model *m, size_t size,
                              size_t align, unsigned *order);
/* Address of an in-span pfn (needs a base). */
uintptr_t model_pfn_addr(const struct model *m, buddy_pfn_t pfn);

/* ---- the library's answers -------------------------------------------- */

/* Blocks on the zone's free_area[order]: 0 above its max_order (EORDER, as
 * the model has no such list either), UINT64_MAX for any other error, which
 * no count equals. */
static inline uint64_t model_zone_nr_free(const struct buddy_zone *z,
                                          unsigned order)
{
    uint64_t n;
    int err = buddy_zone_nr_free(z, order, &n);

    return err == 0 ? n : err == BUDDY_EORDER ? 0 : UINT64_MAX;
}

/* The zone's free pages, UINT64_MAX on error. */
static inline uint64_t model_zone_free_pages(const struct buddy_zone *z)
{
    uint64_t n;

    return buddy_zone_nr_free_pages(z, &n) == 0 ? n : UINT64_MAX;
}

#endif /* BUDDY_TEST_MODEL_H */
