/* SPDX-License-Identifier: MIT */
/*
 * helpers.h: fixtures shared by the unit tests: a zone in a malloc'd
 * metadata buffer, a snapshot of everything observable, and the assertion
 * that a refused call changed nothing and left the validator happy.
 */
#ifndef BUDDY_TEST_HELPERS_H
#define BUDDY_TEST_HELPERS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buddy/buddy.h"

/* Pages a cache holds, the call checked. */
static inline uint64_t pcp_pages(const struct buddy_pcp *pcp)
{
    uint64_t n = UINT64_MAX;

    assert_int_equal(buddy_pcp_count(pcp, &n), 0);
    return n;
}

/* Drain every cache of z, the call checked; the pages given back. */
static inline uint64_t zone_drain(struct buddy_zone *z)
{
    uint64_t n = UINT64_MAX;

    assert_int_equal(buddy_zone_drain_caches(z, &n), 0);
    return n;
}

struct fixture {
    void *meta;
    struct buddy_zone *z;
};

/* A zone of `cfg`, all holes, its metadata from malloc. */
static inline struct buddy_zone *zone_from_config(
    struct fixture *f, const struct buddy_zone_config *cfg)
{
    size_t n = buddy_zone_meta_size(cfg);

    assert_true(n > 0);
    f->meta = aligned_alloc(8, (n + 7) & ~(size_t)7);
    assert_non_null(f->meta);
    assert_int_equal(buddy_zone_init(f->meta, n, cfg, &f->z), 0);
    return f->z;
}

/* A zone of nr_pages at start_pfn, all holes, named (NULL: the default). */
static inline struct buddy_zone *zone_new_named(struct fixture *f,
                                                const char *name,
                                                buddy_pfn_t start,
                                                uint64_t nr_pages,
                                                unsigned max_order)
{
    struct buddy_zone_config cfg = BUDDY_ZONE_CONFIG_INIT;

    cfg.start_pfn = start;
    cfg.nr_pages = nr_pages;
    cfg.max_order = max_order;
    if (name != NULL)
        cfg.name = name;
    return zone_from_config(f, &cfg);
}

/* A zone of nr_pages at start_pfn, all holes. */
static inline struct buddy_zone *zone_new(struct fixture *f, buddy_pfn_t start,
                                          uint64_t nr_pages, unsigned max_order)
{
    return zone_new_named(f, NULL, start, nr_pages, max_order);
}

/* A zone of nr_pages at start_pfn, all free. */
static inline struct buddy_zone *zone_new_free(struct fixture *f,
                                               buddy_pfn_t start,
                                               uint64_t nr_pages,
                                               unsigned max_order)
{
    zone_new(f, start, nr_pages, max_order);
    assert_int_equal(buddy_zone_add_range(f->z, start, nr_pages), 0);
    return f->z;
}

/* A made-up base address (the core never touches the managed memory):
 * 1 GiB, aligned to any block the tests make. */
#define BASE ((uintptr_t)0x40000000u)

/* A zone of nr_pages at start_pfn with a base address, all free. */
static inline struct buddy_zone *zone_with_base(struct fixture *f,
                                                buddy_pfn_t start,
                                                uint64_t nr_pages,
                                                unsigned max_order,
                                                uintptr_t base)
{
    struct buddy_zone_config cfg = BUDDY_ZONE_CONFIG_INIT;

    cfg.start_pfn = start;
    cfg.nr_pages = nr_pages;
    cfg.max_order = max_order;
    cfg.base = (void *)base;
    zone_from_config(f, &cfg);
    assert_int_equal(buddy_zone_add_range(f->z, start, nr_pages), 0);
    return f->z;
}

static inline void zone_del(struct fixture *f)
{
    free(f->meta);
    f->meta = NULL;
    f->z = NULL;
}

/* The queries' answers, for tests that expect the query to succeed. */
static inline uint64_t zone_nr_free(const struct buddy_zone *z, unsigned order)
{
    uint64_t n = UINT64_MAX;

    assert_int_equal(buddy_zone_nr_free(z, order, &n), 0);
    return n;
}

static inline uint64_t zone_free_pages(const struct buddy_zone *z)
{
    uint64_t n = UINT64_MAX;

    assert_int_equal(buddy_zone_nr_free_pages(z, &n), 0);
    return n;
}

static inline int zone_unusable_index(const struct buddy_zone *z,
                                      unsigned order)
{
    int index = INT32_MIN;

    assert_int_equal(buddy_zone_unusable_index(z, order, &index), 0);
    return index;
}

static inline int zone_fragmentation_index(const struct buddy_zone *z,
                                           unsigned order)
{
    int index = INT32_MIN;

    assert_int_equal(buddy_zone_fragmentation_index(z, order, &index), 0);
    return index;
}

/* The migrate type of the pageblock holding pfn (which must be in z). */
static inline enum buddy_migratetype pb_type(const struct buddy_zone *z,
                                             buddy_pfn_t pfn)
{
    enum buddy_migratetype mt = BUDDY_MIGRATE_TYPES;

    assert_int_equal(buddy_zone_pageblock_type(z, pfn, &mt), 0);
    return mt;
}

/* Fail the test with the validator's words if the zone is inconsistent. */
static inline void assert_valid(const struct buddy_zone *z)
{
    struct buddy_check_report rep;
    int err = buddy_zone_check(z, &rep);

    if (err != 0)
        fail_msg("validator: %s (pfn %llu order %u expected %llu actual %llu)",
                 rep.what, (unsigned long long)rep.pfn, rep.order,
                 (unsigned long long)rep.expected,
                 (unsigned long long)rep.actual);
}

/* Everything a caller can observe about a zone, to prove a refused call
 * changed nothing. */
struct snapshot {
    struct buddy_zone_stats st;
    char walk[4096];
    size_t walk_len;
};

static inline int snapshot_block(void *arg, const struct buddy_block *b)
{
    struct snapshot *s = arg;
    int n = snprintf(s->walk + s->walk_len, sizeof(s->walk) - s->walk_len,
                     "%llu+%llu:%d/%u;", (unsigned long long)b->pfn,
                     (unsigned long long)b->nr_pages, (int)b->kind, b->order);

    if (n > 0 && (size_t)n < sizeof(s->walk) - s->walk_len)
        s->walk_len += (size_t)n;
    return 0;
}

static inline void snapshot_take(const struct buddy_zone *z, struct snapshot *s)
{
    memset(s, 0, sizeof(*s));
    assert_int_equal(buddy_zone_get_stats(z, &s->st), 0);
    assert_int_equal(buddy_zone_walk(z, snapshot_block, s), 0);
}

/* A refused call: the walk and every counter are as before, except
 * `rejected`, which went up by exactly one; and the validator passes. */
static inline void assert_unchanged_but_rejected(const struct buddy_zone *z,
                                                 const struct snapshot *before)
{
    struct snapshot after;

    snapshot_take(z, &after);
    assert_string_equal(before->walk, after.walk);
    assert_int_equal(after.st.rejected, before->st.rejected + 1);
    after.st.rejected = before->st.rejected;
    assert_memory_equal(&before->st, &after.st, sizeof(after.st));
    assert_valid(z);
}

/* One bad call: expect `err`, nothing changed but `rejected`, validator
 * happy. */
#define EXPECT_REJECTED(z, call, err)                                          \
    do {                                                                       \
        struct snapshot before_;                                               \
        snapshot_take((z), &before_);                                          \
        assert_int_equal((call), (err));                                       \
        assert_unchanged_but_rejected((z), &before_);                          \
    } while (0)

#endif /* BUDDY_TEST_HELPERS_H */
