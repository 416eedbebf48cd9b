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
void typed_free(struct typed *t, unsigned which); /* live[which % nr_live] */
void typed_isolate(struct typed *t, uint32_t off, uint32_t len);
void typed_undo(struct typed *t, uint32_t off, uint32_t len);
/* Free everything, undo every isolation, and check the zone is whole. */
void typed_finish(struct typed *t);

#endif /* BUDDY_TEST_TYPED_ENGINE_H */
