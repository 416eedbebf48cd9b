/* SPDX-License-Identifier: MIT */
/*
 * cache_engine.h: the reference model (model.h) against a zone used through
 * a per-CPU page cache: the model and fuzz tests run with caches on too.
 *
 * One cache serves allocations and frees (one CPU); frees through the zone
 * API stand for other threads without a cache. What stays exact with a
 * cache in the way, and is checked after every step:
 *   - every return code, including ENOMEM: a cache that cannot refill gives
 *     its own blocks back and retries, so an allocation fails exactly when
 *     the model's free pages (cached ones included) hold no aligned run;
 *   - every refused call changes nothing but `rejected` (or
 *     `alloc_failures`), and the counts match the model's;
 *   - the validator (with I9: cached blocks are exactly the cache's lists),
 *     and a walk against the model page by page, where a cached page is a
 *     free page;
 *   - free + cached pages == the model's free pages.
 * What a cache legitimately changes (which block is handed out, split and
 * merge counts) is not compared; every `drain_every` steps the cache is
 * drained and nr_free per order must then be exactly the model's canonical
 * split. Ranges drain first (the kernel drains pcp lists before isolating a
 * range); tests/unit/test_pcp.c covers a range over cached pages.
 */
#ifndef BUDDY_TEST_CACHE_ENGINE_H
#define BUDDY_TEST_CACHE_ENGINE_H

#include "model.h"

struct cache_engine_config {
    buddy_pfn_t start_pfn;
    uint32_t nr_pages;
    unsigned max_order;
    struct buddy_pcp_config pcp;
    unsigned drain_every;   /* exact check after a drain every N steps */
};

struct cache_engine {
    struct model m;
    struct buddy_zone *z;
    void *meta;
    struct buddy_pcp pcp;
    unsigned drain_every, steps;
    struct { buddy_pfn_t pfn; unsigned order; } recent[8];
    unsigned nr_recent;
    char op[128];           /* the step being run, for reports */
    char err[512];          /* what went wrong */
};

/* 0, or -1 with e->err set. */
int cache_engine_init(struct cache_engine *e, const struct cache_engine_config *c);
void cache_engine_destroy(struct cache_engine *e);

/* One operation chosen by `op` with arguments a and b (any values: they
 * are reduced to the zone), then the checks. 0, or -1 with e->op and
 * e->err saying what disagreed. */
int cache_engine_step(struct cache_engine *e, unsigned op, uint32_t a,
                      uint32_t b);

/* Drain the cache and compare exactly (canonical nr_free). */
int cache_engine_check_drained(struct cache_engine *e);

#endif /* BUDDY_TEST_CACHE_ENGINE_H */
