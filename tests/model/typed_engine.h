/* SPDX-License-Identifier: MIT */
/*
 * typed_engine.h: typed allocation, free, isolation and its undo on one
 * zone, with the checks that hold whatever the allocator chose (see
 * typed_engine.c), for the seeded test (typed_test.c) and the fuzz target
 * (tests/fuzz/fuzz_typed.c).
 */
#ifndef BUDDY_TEST_TYPED_ENGINE_H
#define BUDDY_TEST_TYPED_ENGINE_H

#include <stdbool.h>
#include <stdint.h>

#include "buddy/buddy.h"

#define TYPED_MAX_LIVE 512u

struct typed_live {
    buddy_pfn_t pfn;
    unsigned order;
};

struct typed {
    struct buddy_zone *z;
    void *meta;
    buddy_pfn_t start;
    uint32_t pages;
    unsigned max_order, pbo;
    bool grouping;
    uint8_t *owner; /* [pages] 1 while a live block covers the page */
    struct typed_live live[TYPED_MAX_LIVE];
    unsigned nr_live;
    uint64_t live_pages;
    uint64_t fresh[BUDDY_NR_ORDERS]; /* nr_free of the zone when full */
    /* The reference model (typed_engine.c): */
    uint32_t skew, nr_pb;   /* pageblock of idx: (idx + skew) >> pbo */
    uint8_t *m_head;        /* [pages] 1 + order on a block head, else 0 */
    uint8_t *m_free;        /* [pages] on a head: the block is free */
    uint8_t *m_pb;          /* [nr_pb] each pageblock's type */
    uint8_t *m_saved;       /* [nr_pb] an ISOLATE one's type to go back to */
    uint64_t m_claims, m_steals, m_failures, m_rejected;
    uint32_t m_cnt[BUDDY_NR_ORDERS][BUDDY_MIGRATE_TYPES]; /* m_count's */
    uint64_t wm[BUDDY_NR_WMARK]; /* the zone's marks, set at init */
    uint64_t boost_factor, m_boost; /* and the boost the model expects */
    char where[160];  /* names the zone in a failure */
    bool failed;
};

/* A zone of `pages` (1..) at `start`, all free: false (and t->failed) when
 * it cannot be made. */
bool typed_init(struct typed *t, buddy_pfn_t start, uint32_t pages,
                unsigned max_order, unsigned pageblock_order, bool grouping);
void typed_destroy(struct typed *t);

/* The operations; each checks what it can, then typed_check. */
void typed_alloc(struct typed *t, unsigned order, unsigned mt);
/* Through buddy_zone_alloc_pages_flags: the zone's marks judge it, with
 * the reserves BUDDY_GFP_HIGH, _NOWAIT or _MEMALLOC in `reserves` let it
 * use. */
void typed_alloc_flags(struct typed *t, unsigned order, unsigned mt,
                       unsigned reserves);
void typed_free(struct typed *t, unsigned which); /* live[which % nr_live] */
void typed_isolate(struct typed *t, uint32_t off, uint32_t len);
void typed_undo(struct typed *t, uint32_t off, uint32_t len);
/* Free everything, undo every isolation, and check the zone is whole. */
void typed_finish(struct typed *t);

#endif /* BUDDY_TEST_TYPED_ENGINE_H */
