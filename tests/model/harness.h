/* SPDX-License-Identifier: MIT */
/*
 * harness.h: a real zone and the reference model (model.h) in lock step.
 *
 * The harness owns a zone whose metadata it allocates on the heap, next to a
 * model of the same configuration. Each harness_* call performs one operation
 * on both and compares everything public: the return code, the returned
 * block, the counters, and for a refused call that not one byte of per-page
 * metadata changed; harness_check then compares the validator, every block of
 * a walk, the canonical nr_free per order and the stats. A call returns 0 or
 * -1 with the reason in h->err; the callers (tests/model/model_test.c and
 * tests/fuzz/fuzz_zone.c) decide what a mismatch costs them.
 */
#ifndef BUDDY_TEST_HARNESS_H
#define BUDDY_TEST_HARNESS_H

#include "model.h"

/* How a zone starts. */
struct harness_config {
    buddy_pfn_t start_pfn;
    uint32_t nr_pages;
    unsigned max_order;
    size_t page_size;
    bool with_base;    /* give the zone a fake base for the byte API */
    bool meta_zeroed;  /* pass BUDDY_ZONE_META_ZEROED (the buffer is zeroed
                          either way) */
    unsigned pageblock_order; /* 0: the default, min(9, max_order) */
};

/* Return codes counted in seen[]: 0 and every BUDDY_E* (down to -23). */
#define HARNESS_CODES 24u

/* Most blocks one harness_alloc_bulk asks for. */
#define HARNESS_BULK_MAX 16u

/* Recently freed blocks, for double frees. */
#define HARNESS_RECENT 16u

struct harness {
    struct model m;
    struct buddy_zone *z;
    void *meta;                /* the zone's metadata buffer */
    size_t meta_size;
    size_t page_meta_off;      /* where the per-page metadata starts */
    uint8_t *snap;             /* copy of the per-page metadata, to prove a
                                  refused call wrote nothing */
    struct { buddy_pfn_t pfn; unsigned order; } recent[HARNESS_RECENT];
    unsigned nr_recent, recent_next;
    bool check_each_op;        /* run harness_check after every call */
    uint64_t seen[HARNESS_CODES]; /* calls that returned 0, -1, -2 ...: what
                                     the caller's mix of calls reaches */
    char op[160];              /* the operation being run, for reports */
    char err[640];             /* what went wrong */
};

/* The fake base of zones with a byte API: page aligned for any page size the
 * tests use; the core never dereferences it. */
#define HARNESS_FAKE_BASE ((uintptr_t)0x10000000u)

/* 0, or -1 with h->err set (bad config or no memory). */
int harness_init(struct harness *h, const struct harness_config *cfg);
void harness_destroy(struct harness *h);

/* One operation each, library and model; 0 if they agree, else -1 and the
 * reason in h->err. Run harness_check after when check_each_op is set. */
int harness_alloc(struct harness *h, unsigned order);
/* buddy_zone_alloc_bulk of up to nr (<= HARNESS_BULK_MAX) blocks. */
int harness_alloc_bulk(struct harness *h, unsigned order, unsigned nr);
int harness_free(struct harness *h, buddy_pfn_t pfn, unsigned order);
int harness_resize(struct harness *h, buddy_pfn_t pfn, unsigned order,
                   unsigned new_order);
int harness_free_pfn(struct harness *h, buddy_pfn_t pfn);
int harness_add_range(struct harness *h, buddy_pfn_t pfn, uint64_t nr_pages);
int harness_reserve(struct harness *h, buddy_pfn_t pfn, uint64_t nr_pages);
/* buddy_zone_alloc_aligned (align 1 is buddy_zone_alloc). */
int harness_alloc_bytes(struct harness *h, size_t size, size_t align);
/* buddy_zone_free and buddy_zone_usable_size on an arbitrary address. */
int harness_free_ptr(struct harness *h, uintptr_t addr);
/* The read-only calls on one pfn: buddy_zone_pfn_order, buddy_zone_find_block,
 * buddy_zone_usable_size of its address. */
int harness_query(struct harness *h, buddy_pfn_t pfn);

/* The full comparison: validator, walk against the model page by page,
 * canonical nr_free per order, stats. O(nr_pages). */
int harness_check(struct harness *h);

/* Remember a block just freed, for a later double free. */
void harness_note_freed(struct harness *h, buddy_pfn_t pfn, unsigned order);

#endif /* BUDDY_TEST_HARNESS_H */
