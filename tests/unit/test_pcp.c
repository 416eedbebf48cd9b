/* SPDX-License-Identifier: MIT */
/* test_pcp.c: per-CPU page caches, bulk allocation and the zone lock. */
#include "helpers.h"
/* White-box: one test corrupts the zone's chain of caches by hand. */
#include "../../src/private/pcp.h"

/* The high mark a cache runs with, as buddy_pcp_get_config reports it. */
static unsigned pcp_high(const struct buddy_pcp *pcp)
{
    struct buddy_pcp_config cfg;

    assert_int_equal(buddy_pcp_get_config(pcp, &cfg), 0);
    return cfg.high;
}

/* A lock that checks its own use: never taken twice, always released. */
struct check_lock {
    int held;
    unsigned long taken;
};

static void check_lock_take(void *arg)
{
    struct check_lock *l = arg;

    assert_int_equal(l->held, 0);
    l->held = 1;
    l->taken++;
}

static void check_lock_release(void *arg)
{
    struct check_lock *l = arg;

    assert_int_equal(l->held, 1);
    l->held = 0;
}

static struct buddy_zone *locked_zone(struct fixture *f, struct check_lock *l,
                                      uint64_t pages, unsigned max_order)
{
    struct buddy_lock_ops ops = {.lock = check_lock_take, .unlock = check_lock_release, .arg = l};
    struct buddy_zone *z = zone_new_free(f, 0, pages, max_order);

    memset(l, 0, sizeof(*l));
    assert_int_equal(buddy_zone_set_lock(z, &ops), 0);
    return z;
}

static void test_cache_serves_without_the_lock(void **state)
{
    struct fixture f;
    struct check_lock l;
    struct buddy_zone *z = locked_zone(&f, &l, 1024, 10);
    struct buddy_pcp_config cfg = {3, 8, 16};
    struct buddy_pcp pcp;
    struct buddy_zone_stats st;
    buddy_pfn_t pfn, first;
    unsigned long taken;

    (void)state;
    assert_int_equal(buddy_pcp_init(&pcp, z, &cfg), 0);
    /* The first allocation refills a batch of 8 pages under one lock. */
    taken = l.taken;
    assert_int_equal(buddy_pcp_alloc_pages(&pcp, 0, &first), 0);
    assert_int_equal(l.taken, taken + 1);
    assert_int_equal(pcp_pages(&pcp), 7);
    /* The next seven come from the cache: no lock at all. */
    taken = l.taken;
    for (int i = 0; i < 7; i++)
        assert_int_equal(buddy_pcp_alloc_pages(&pcp, 0, &pfn), 0);
    assert_int_equal(l.taken, taken);
    assert_int_equal(pcp_pages(&pcp), 0);
    /* Frees go to the cache, also without the lock. */
    assert_int_equal(buddy_pcp_free_pages(&pcp, pfn, 0), 0);
    assert_int_equal(buddy_pcp_free_pages(&pcp, first, 0), 0);
    assert_int_equal(l.taken, taken);
    assert_int_equal(pcp_pages(&pcp), 2);
    /* Cached pages are neither free nor allocated. */
    assert_int_equal(buddy_zone_get_stats(z, &st), 0);
    assert_int_equal(st.cached_pages, 2);
    assert_int_equal(st.nr_caches, 1);
    assert_int_equal(st.free_pages, 1024 - 8);
    assert_int_equal(st.cache_refills, 1);
    assert_valid(z);
    buddy_pcp_fini(&pcp);
    assert_int_equal(buddy_zone_get_stats(z, &st), 0);
    assert_int_equal(st.cached_pages, 0);
    assert_int_equal(st.nr_caches, 0);
    assert_int_equal(st.free_pages, 1024 - 6);
    assert_int_equal(l.held, 0);
    assert_valid(z);
    zone_del(&f);
}

static int count_cached(void *arg, const struct buddy_block *b)
{
    if (b->kind == BUDDY_BLOCK_CACHED)
        ++*(int *)arg;
    return 0;
}

static void test_cached_blocks_are_visible(void **state)
{
    struct fixture f;
    struct buddy_zone *z = zone_new_free(&f, 0, 64, 6);
    struct buddy_pcp_config cfg = {2, 8, 32};
    struct buddy_pcp pcp;
    struct buddy_block b;
    char line[128];
    buddy_pfn_t pfn;
    int cached = 0;

    (void)state;
    assert_int_equal(buddy_pcp_init(&pcp, z, &cfg), 0);
    /* A refill of 4 order-1 blocks (0, 2, 4, 6) pushed in turn: the last
     * pushed is handed out, the other three stay cached. */
    assert_int_equal(buddy_pcp_alloc_pages(&pcp, 1, &pfn), 0);
    assert_int_equal(pfn, 6);
    assert_int_equal(buddy_zone_walk(z, count_cached, &cached), 0);
    assert_int_equal(cached, 3);
    assert_int_equal(buddy_zone_find_block(z, 5, &b), 0);
    assert_int_equal(b.kind, BUDDY_BLOCK_CACHED);
    /* buddyinfo counts only the free lists: 56 free pages = 8 + 16 + 32. */
    buddy_zone_buddyinfo(z, line, sizeof(line));
    assert_string_equal(line, "Node 0, zone   Normal      0      0      0      "
                              "1      1      1      0 \n");
    assert_valid(z);
    buddy_pcp_fini(&pcp);
    assert_int_equal(buddy_zone_free_pages(z, pfn, 1), 0);
    assert_int_equal(zone_nr_free(z, 6), 1);
    zone_del(&f);
}

static void test_bad_frees_through_a_cache(void **state)
{
    struct fixture f;
    struct buddy_zone *z = zone_new_free(&f, 0, 64, 6);
    struct buddy_pcp_config cfg = {3, 4, 64};
    struct buddy_pcp pcp;
    buddy_pfn_t a, b;

    (void)state;
    assert_int_equal(buddy_pcp_init(&pcp, z, &cfg), 0);
    assert_int_equal(buddy_pcp_alloc_pages(&pcp, 1, &a), 0);
    assert_int_equal(buddy_pcp_alloc_pages(&pcp, 0, &b), 0);
    assert_int_equal(buddy_pcp_free_pages(&pcp, b, 0), 0); /* now cached */
    EXPECT_REJECTED(z, buddy_pcp_free_pages(&pcp, b, 0), BUDDY_EDOUBLEFREE);
    EXPECT_REJECTED(z, buddy_pcp_free_pfn(&pcp, b), BUDDY_EDOUBLEFREE);
    EXPECT_REJECTED(z, buddy_zone_free_pages(z, b, 0), BUDDY_EDOUBLEFREE);
    EXPECT_REJECTED(z, buddy_pcp_free_pages(&pcp, a, 0), BUDDY_EWRONGORDER);
    EXPECT_REJECTED(z, buddy_pcp_free_pages(&pcp, a + 1, 0), BUDDY_EINTERIOR);
    EXPECT_REJECTED(z, buddy_pcp_free_pages(&pcp, a + 1, 1), BUDDY_EALIGN);
    EXPECT_REJECTED(z, buddy_pcp_free_pages(&pcp, 64, 0), BUDDY_ERANGE);
    EXPECT_REJECTED(z, buddy_pcp_free_pages(&pcp, a, 9), BUDDY_EORDER);
    /* Cached pages are the cache owner's: ranges refuse them. */
    EXPECT_REJECTED(z, buddy_zone_reserve(z, b, 1), BUDDY_EBUSY);
    EXPECT_REJECTED(z, buddy_zone_add_range(z, b, 1), BUDDY_EOVERLAP);
    assert_int_equal(buddy_pcp_free_pfn(&pcp, a), 0);
    assert_int_equal(buddy_pcp_free_pages(NULL, a, 0), BUDDY_ENULL);
    assert_int_equal(buddy_pcp_alloc_pages(&pcp, 0, NULL), BUDDY_ENULL);
    buddy_pcp_fini(&pcp);
    assert_int_equal(zone_nr_free(z, 6), 1);
    assert_valid(z);
    zone_del(&f);
}

/* Is the cache solo (its claims a plain store)? White-box. */
static int pcp_solo(struct buddy_pcp *pcp)
{
    return buddy__pcp(pcp)->solo;
}

/* A zone's first cache is solo until anyone else could claim a byte: a
 * second cache, or a zone free from outside it. Its own slow-path frees
 * and refused zone frees leave it solo; once shared, no cache is solo
 * again. A solo cache still refuses every bad free. */
static void test_solo_cache_until_shared(void **state)
{
    struct fixture f;
    struct buddy_zone *z = zone_new_free(&f, 0, 256, 8);
    struct buddy_pcp_config cfg = {2, 4, 64};
    struct buddy_pcp a, b, c;
    buddy_pfn_t p0, p1, big;

    (void)state;
    assert_int_equal(buddy_pcp_init(&a, z, &cfg), 0);
    assert_true(pcp_solo(&a));
    assert_int_equal(buddy_pcp_alloc_pages(&a, 0, &p0), 0);
    assert_int_equal(buddy_pcp_alloc_pages(&a, 0, &p1), 0);
    assert_int_equal(buddy_pcp_free_pages(&a, p0, 0), 0);
    EXPECT_REJECTED(z, buddy_pcp_free_pages(&a, p0, 0), BUDDY_EDOUBLEFREE);
    EXPECT_REJECTED(z, buddy_pcp_free_pfn(&a, p0), BUDDY_EDOUBLEFREE);
    EXPECT_REJECTED(z, buddy_pcp_free_pages(&a, p1, 1), BUDDY_EWRONGORDER);
    /* A refused zone free claims nothing: still solo. */
    EXPECT_REJECTED(z, buddy_zone_free_pages(z, p0, 0), BUDDY_EDOUBLEFREE);
    assert_true(pcp_solo(&a));
    /* The owner's own uncached free goes through the zone: still solo. */
    assert_int_equal(buddy_pcp_alloc_pages(&a, 5, &big), 0);
    assert_int_equal(buddy_pcp_free_pages(&a, big, 5), 0);
    assert_true(pcp_solo(&a));
    assert_valid(z);
    /* Detached, the zone may have a solo cache again. */
    buddy_pcp_fini(&a);
    assert_false(pcp_solo(&a));
    assert_int_equal(buddy_pcp_init(&a, z, &cfg), 0);
    assert_true(pcp_solo(&a));
    assert_int_equal(buddy_pcp_alloc_pages(&a, 0, &p0), 0);
    /* A free from outside the cache ends it, and the block is the zone's. */
    assert_int_equal(buddy_zone_free_pages(z, p1, 0), 0);
    assert_false(pcp_solo(&a));
    assert_valid(z);
    EXPECT_REJECTED(z, buddy_pcp_free_pages(&a, p1, 0), BUDDY_EDOUBLEFREE);
    assert_int_equal(buddy_pcp_free_pages(&a, p0, 0), 0);
    EXPECT_REJECTED(z, buddy_pcp_free_pfn(&a, p0), BUDDY_EDOUBLEFREE);
    /* For good: a later first cache is not solo either. */
    buddy_pcp_fini(&a);
    assert_int_equal(buddy_pcp_init(&a, z, &cfg), 0);
    assert_false(pcp_solo(&a));
    buddy_pcp_fini(&a);
    assert_valid(z);
    zone_del(&f);

    /* A second cache ends it for both. */
    z = zone_new_free(&f, 0, 256, 8);
    assert_int_equal(buddy_pcp_init(&a, z, &cfg), 0);
    assert_int_equal(buddy_pcp_alloc_pages(&a, 0, &p0), 0);
    assert_true(pcp_solo(&a));
    assert_int_equal(buddy_pcp_init(&b, z, &cfg), 0);
    assert_false(pcp_solo(&a));
    assert_false(pcp_solo(&b));
    assert_valid(z);
    assert_int_equal(buddy_pcp_free_pages(&b, p0, 0), 0); /* a's block */
    EXPECT_REJECTED(z, buddy_pcp_free_pages(&a, p0, 0), BUDDY_EDOUBLEFREE);
    buddy_pcp_fini(&b);
    buddy_pcp_fini(&a);
    assert_int_equal(buddy_pcp_init(&c, z, &cfg), 0);
    assert_false(pcp_solo(&c));
    buddy_pcp_fini(&c);
    assert_int_equal(zone_nr_free(z, 8), 1);
    assert_valid(z);
    zone_del(&f);
}

/* The byte API through a cache: the sizes it caches are served from its
 * lists, everything else and every error is exactly the zone's. */
static void test_byte_api_through_a_cache(void **state)
{
    struct fixture f;
    struct buddy_zone *z = zone_with_base(&f, 64, 64, 6, BASE);
    struct buddy_pcp_config cfg = {2, 8, 64};
    struct buddy_pcp pcp;
    struct buddy_block blk;
    char *p0, *p1, *p2, *big;
    int x;

    (void)state;
    assert_int_equal(buddy_pcp_init(&pcp, z, &cfg), 0);
    /* One page, up to two pages, up to four: orders 0, 1, 2, all cached. */
    p0 = buddy_pcp_alloc(&pcp, 1);
    p1 = buddy_pcp_alloc(&pcp, 4097);
    p2 = buddy_pcp_alloc(&pcp, 16384);
    assert_non_null(p0);
    assert_non_null(p1);
    assert_non_null(p2);
    assert_int_equal(buddy_zone_usable_size(z, p0), 4096);
    assert_int_equal(buddy_zone_usable_size(z, p1), 8192);
    assert_int_equal(buddy_zone_usable_size(z, p2), 16384);
    /* Block-aligned addresses of the right pfns. */
    assert_int_equal(((uintptr_t)p1 - BASE) % 8192, 0);
    assert_int_equal(((uintptr_t)p2 - BASE) % 16384, 0);
    assert_int_equal(buddy_zone_find_block(z, buddy_zone_addr_to_pfn(z, p2), &blk), 0);
    assert_int_equal(blk.kind, BUDDY_BLOCK_ALLOCATED);
    assert_int_equal(blk.order, 2);
    /* Above the cached orders: straight from the zone, still right. */
    big = buddy_pcp_alloc(&pcp, 8 * 4096);
    assert_non_null(big);
    assert_int_equal(buddy_zone_usable_size(z, big), 8 * 4096);
    /* What the zone refuses, the cache refuses. */
    assert_null(buddy_pcp_alloc(&pcp, 0));
    assert_null(buddy_pcp_alloc(&pcp, (size_t)4096 << 7));
    assert_null(buddy_pcp_alloc(NULL, 4096));
    assert_valid(z);

    assert_int_equal(buddy_pcp_free(&pcp, p0), 0);
    assert_int_equal(buddy_zone_find_block(z, buddy_zone_addr_to_pfn(z, p0), &blk), 0);
    assert_int_equal(blk.kind, BUDDY_BLOCK_CACHED);
    EXPECT_REJECTED(z, buddy_pcp_free(&pcp, p0), BUDDY_EDOUBLEFREE);
    EXPECT_REJECTED(z, buddy_pcp_free(&pcp, p1 + 4096), BUDDY_EINTERIOR);
    EXPECT_REJECTED(z, buddy_pcp_free(&pcp, p1 + 1), BUDDY_EALIGN);
    /* The fast free's rotated offset: every misaligned bit, and pointers
     * far above and just below the zone, all go to the zone's checks. */
    for (unsigned bit = 0; bit < 12; bit++)
        EXPECT_REJECTED(z, buddy_pcp_free(&pcp, p2 + ((size_t)1 << bit)),
                        BUDDY_EALIGN);
    EXPECT_REJECTED(z, buddy_pcp_free(&pcp, (void *)(BASE + 63 * 4096 + 1)),
                    BUDDY_EALIGN);
    EXPECT_REJECTED(z, buddy_pcp_free(&pcp, (void *)(BASE - 1)), BUDDY_ERANGE);
    EXPECT_REJECTED(z, buddy_pcp_free(&pcp, (void *)(UINTPTR_MAX & ~(uintptr_t)4095)),
                    BUDDY_ERANGE);
    EXPECT_REJECTED(z, buddy_pcp_free(&pcp, (void *)(BASE + 64 * 4096)),
                    BUDDY_ERANGE);
    EXPECT_REJECTED(z, buddy_pcp_free(&pcp, (void *)(BASE - 4096)),
                    BUDDY_ERANGE);
    EXPECT_REJECTED(z, buddy_pcp_free(&pcp, NULL), BUDDY_ENULL);
    assert_int_equal(buddy_pcp_free(NULL, p1), BUDDY_ENULL);
    assert_int_equal(buddy_pcp_free(&pcp, p1), 0);
    assert_int_equal(buddy_pcp_free(&pcp, p2), 0);
    assert_int_equal(buddy_pcp_free(&pcp, big), 0); /* uncached: the zone's */
    assert_valid(z);
    buddy_pcp_fini(&pcp);
    assert_int_equal(zone_nr_free(z, 6), 1);
    /* A detached cache serves nothing and frees nothing. */
    assert_null(buddy_pcp_alloc(&pcp, 4096));
    assert_int_equal(buddy_pcp_free(&pcp, p0), BUDDY_ENULL);
    assert_valid(z);
    zone_del(&f);

    /* Without a base address, no byte API, through a cache or not. */
    z = zone_new_free(&f, 0, 16, 4);
    assert_int_equal(buddy_pcp_init(&pcp, z, &cfg), 0);
    assert_null(buddy_pcp_alloc(&pcp, 4096));
    EXPECT_REJECTED(z, buddy_pcp_free(&pcp, &x), BUDDY_ENOBASE);
    buddy_pcp_fini(&pcp);
    assert_valid(z);
    zone_del(&f);
}

static void test_high_mark_drains_a_batch(void **state)
{
    struct fixture f;
    struct buddy_zone *z = zone_new_free(&f, 0, 256, 8);
    struct buddy_pcp_config cfg = {0, 4, 8};
    struct buddy_pcp pcp;
    struct buddy_zone_stats st;
    buddy_pfn_t pfn[16];

    (void)state;
    assert_int_equal(buddy_pcp_init(&pcp, z, &cfg), 0);
    for (int i = 0; i < 16; i++)
        assert_int_equal(buddy_pcp_alloc_pages(&pcp, 0, &pfn[i]), 0);
    for (int i = 0; i < 16; i++) {
        assert_int_equal(buddy_pcp_free_pages(&pcp, pfn[i], 0), 0);
        assert_true(pcp_pages(&pcp) <= 8);
    }
    assert_int_equal(buddy_zone_get_stats(z, &st), 0);
    assert_true(st.cache_drains >= 2);
    assert_int_equal(st.free_pages + st.cached_pages, 256);
    assert_valid(z);
    buddy_pcp_drain(&pcp);
    assert_int_equal(pcp_pages(&pcp), 0);
    assert_int_equal(zone_nr_free(z, 8), 1);
    buddy_pcp_fini(&pcp);
    zone_del(&f);
}

/* Over the high mark the list that grew is drained first: frees of pages
 * do not push out the cached order-3 blocks, which the next order-3
 * allocations would then have to refill under the lock. */
static void test_high_mark_drains_the_list_that_grew(void **state)
{
    struct fixture f;
    struct check_lock l;
    struct buddy_zone *z = locked_zone(&f, &l, 1024, 10);
    struct buddy_pcp_config cfg = {3, 8, 24};
    struct buddy_pcp pcp;
    struct buddy_zone_stats st;
    buddy_pfn_t big[2], pfn[9];
    unsigned long taken;

    (void)state;
    assert_int_equal(buddy_pcp_init(&pcp, z, &cfg), 0);
    for (int i = 0; i < 2; i++)
        assert_int_equal(buddy_pcp_alloc_pages(&pcp, 3, &big[i]), 0);
    for (int i = 0; i < 2; i++)
        assert_int_equal(buddy_pcp_free_pages(&pcp, big[i], 3), 0);
    for (int i = 0; i < 9; i++)
        assert_int_equal(buddy_pcp_alloc_pages(&pcp, 0, &pfn[i]), 0);
    assert_int_equal(pcp_pages(&pcp), 16 + 7);
    for (int i = 0; i < 9; i++) {
        assert_int_equal(buddy_pcp_free_pages(&pcp, pfn[i], 0), 0);
        assert_true(pcp_pages(&pcp) <= 24);
    }
    assert_int_equal(buddy_zone_get_stats(z, &st), 0);
    assert_int_equal(st.cache_drains, 1);
    assert_int_equal(pcp_pages(&pcp), 16 + 8);
    assert_valid(z);
    /* Both order-3 blocks are still cached: no lock to take them. */
    taken = l.taken;
    for (int i = 0; i < 2; i++)
        assert_int_equal(buddy_pcp_alloc_pages(&pcp, 3, &big[i]), 0);
    assert_int_equal(l.taken, taken);
    buddy_pcp_fini(&pcp);
    assert_int_equal(buddy_zone_free_pages(z, big[0], 3), 0);
    assert_int_equal(buddy_zone_free_pages(z, big[1], 3), 0);
    assert_int_equal(zone_nr_free(z, 10), 1);
    assert_valid(z);
    zone_del(&f);
}

/* Pages of 8 GiB: the fast free's rotate test (src/private/pcp.h) still tells a
 * misaligned pointer from a page start, however few bits are left above
 * the page shift. */
static void test_byte_frees_with_huge_pages(void **state)
{
    struct buddy_zone_config cfg = BUDDY_ZONE_CONFIG_INIT;
    struct buddy_pcp_config pc = {1, 2, 4};
    struct buddy_pcp pcp;
    struct fixture f;
    uintptr_t base;
    char *p;

    (void)state;
#if UINTPTR_MAX <= 0xffffffffu
    (void)cfg, (void)pc, (void)pcp, (void)f, (void)base, (void)p;
    skip(); /* pages of 8 GiB need a 64-bit address space */
#else
    base = (uintptr_t)1 << 44; /* made up, never touched */
    cfg.page_size = (size_t)1 << 33;
    cfg.nr_pages = 8;
    cfg.max_order = 3;
    cfg.base = (void *)base;
    f.meta = aligned_alloc(8, (buddy_zone_meta_size(&cfg) + 7) & ~(size_t)7);
    assert_non_null(f.meta);
    assert_int_equal(buddy_zone_init(f.meta, buddy_zone_meta_size(&cfg), &cfg,
                                     &f.z), 0);
    assert_int_equal(buddy_zone_add_range(f.z, 0, 8), 0);
    assert_int_equal(buddy_pcp_init(&pcp, f.z, &pc), 0);
    p = buddy_pcp_alloc(&pcp, 1);
    assert_non_null(p);
    assert_int_equal(((uintptr_t)p - base) % cfg.page_size, 0);
    EXPECT_REJECTED(f.z, buddy_pcp_free(&pcp, p + ((uintptr_t)1 << 32)),
                    BUDDY_EALIGN);
    EXPECT_REJECTED(f.z, buddy_pcp_free(&pcp, p + 4096), BUDDY_EALIGN);
    assert_int_equal(buddy_pcp_free(&pcp, p), 0);
    EXPECT_REJECTED(f.z, buddy_pcp_free(&pcp, p), BUDDY_EDOUBLEFREE);
    buddy_pcp_fini(&pcp);
    assert_int_equal(zone_nr_free(f.z, 3), 1);
    assert_valid(f.z);
    zone_del(&f);
#endif
}

/* A refill takes its batch smallest first, as the kernel's rmqueue_bulk
 * and as single allocations: the free pages that frees left (pages the
 * program has used) before any larger block is cut. */
static void test_refill_takes_holes_first(void **state)
{
    struct fixture f;
    struct buddy_zone *z = zone_new_free(&f, 0, 256, 8);
    struct buddy_pcp_config cfg = {0, 63, 378};
    struct buddy_pcp pcp;
    buddy_pfn_t pfn, got[4];
    bool seen[256] = {false};

    (void)state;
    for (buddy_pfn_t i = 0; i < 256; i++) {
        assert_int_equal(buddy_zone_alloc_pages(z, 0, &pfn), 0);
        assert_int_equal(pfn, i);
    }
    assert_int_equal(buddy_zone_free_pages(z, 1, 0), 0);
    assert_int_equal(buddy_zone_free_pages(z, 3, 0), 0);
    assert_int_equal(buddy_zone_free_pages(z, 5, 0), 0);
    for (buddy_pfn_t i = 64; i < 128; i++)
        assert_int_equal(buddy_zone_free_pages(z, i, 0), 0);
    assert_int_equal(zone_nr_free(z, 6), 1);
    assert_int_equal(buddy_pcp_init(&pcp, z, &cfg), 0);
    assert_int_equal(buddy_pcp_alloc_pages(&pcp, 0, &pfn), 0);
    assert_int_equal(pcp_pages(&pcp), 62);
    /* The three holes and 60 pages of the block (runs of 32, 16, 8, 4)
     * went to the cache; the block's last 4 pages stay free. */
    assert_int_equal(zone_nr_free(z, 0), 0);
    assert_int_equal(zone_nr_free(z, 6), 0);
    assert_int_equal(zone_nr_free(z, 2), 1);
    assert_valid(z);
    seen[pfn] = true;
    for (unsigned i = 0; i < 62; i++) {
        buddy_pfn_t q;

        assert_int_equal(buddy_pcp_alloc_pages(&pcp, 0, &q), 0);
        assert_true(q < 256 && !seen[q]);
        seen[q] = true;
    }
    assert_true(seen[1] && seen[3] && seen[5]);
    for (buddy_pfn_t i = 64; i < 124; i++)
        assert_true(seen[i]);
    assert_int_equal(buddy_zone_alloc_bulk(z, 0, 4, got), 4);
    for (unsigned i = 0; i < 4; i++)
        assert_int_equal(got[i], 124 + i);
    assert_valid(z);
    buddy_pcp_fini(&pcp);
    zone_del(&f);
}

/* A cache that cannot refill gives its own blocks back, so they can merge
 * into what it asks for. */
static void test_refill_drains_own_cache_when_short(void **state)
{
    struct fixture f;
    struct buddy_zone *z = zone_new_free(&f, 0, 16, 4);
    struct buddy_pcp_config cfg = {3, 16, 16};
    struct buddy_pcp pcp;
    buddy_pfn_t p[16], big;

    (void)state;
    assert_int_equal(buddy_pcp_init(&pcp, z, &cfg), 0);
    for (int i = 0; i < 16; i++)
        assert_int_equal(buddy_pcp_alloc_pages(&pcp, 0, &p[i]), 0);
    for (int i = 0; i < 16; i++)
        assert_int_equal(buddy_pcp_free_pages(&pcp, p[i], 0), 0);
    assert_int_equal(pcp_pages(&pcp), 16);
    assert_int_equal(buddy_pcp_alloc_pages(&pcp, 3, &big), 0);
    assert_int_equal(big % 8, 0);
    assert_valid(z);
    assert_int_equal(buddy_pcp_free_pages(&pcp, big, 3), 0);
    buddy_pcp_fini(&pcp);
    assert_int_equal(zone_nr_free(z, 4), 1);
    zone_del(&f);
}

/* So does an uncached order asked through the cache, and a zone call made
 * without one: the zone drains every cache before it fails (the kernel's
 * drain_all_pages). */
static void test_uncached_order_drains_own_cache_when_short(void **state)
{
    struct fixture f;
    struct buddy_zone *z = zone_new_free(&f, 0, 16, 4);
    struct buddy_pcp_config cfg = {0, 16, 16};
    struct buddy_zone_stats st;
    struct buddy_pcp pcp;
    buddy_pfn_t pfn, big;

    (void)state;
    memset(&pcp, 0, sizeof(pcp));
    assert_int_equal(buddy_pcp_init(&pcp, z, &cfg), 0);
    assert_int_equal(buddy_pcp_alloc_pages(&pcp, 0, &pfn), 0); /* takes all 16 */
    assert_int_equal(buddy_pcp_free_pages(&pcp, pfn, 0), 0);
    assert_int_equal(zone_free_pages(z), 0);
    assert_int_equal(buddy_zone_alloc_pages(z, 4, &big), 0); /* drains the cache */
    assert_int_equal(big, 0);
    assert_int_equal(pcp_pages(&pcp), 0);
    assert_int_equal(buddy_zone_free_pages(z, big, 4), 0);
    assert_int_equal(buddy_pcp_alloc_pages(&pcp, 0, &pfn), 0);
    assert_int_equal(buddy_pcp_free_pages(&pcp, pfn, 0), 0);
    assert_int_equal(buddy_pcp_alloc_pages(&pcp, 4, &big), 0);
    assert_int_equal(big, 0);
    assert_int_equal(buddy_zone_get_stats(z, &st), 0);
    assert_int_equal(st.alloc_failures, 0);
    assert_int_equal(pcp_pages(&pcp), 0);
    assert_valid(z);
    buddy_pcp_fini(&pcp);
    zone_del(&f);
}

static void test_bulk(void **state)
{
    struct fixture f;
    struct check_lock l;
    struct buddy_zone *z = locked_zone(&f, &l, 64, 6);
    struct buddy_pcp_config cfg = {2, 4, 16};
    struct buddy_pcp pcp;
    buddy_pfn_t pfns[80];
    unsigned long taken = l.taken;

    (void)state;
    /* Zone bulk: one lock round trip, stops when memory runs out. */
    assert_int_equal(buddy_zone_alloc_bulk(z, 2, 100, pfns), 16);
    assert_int_equal(l.taken, taken + 1);
    for (int i = 0; i < 16; i++)
        assert_int_equal(pfns[i] % 4, 0);
    assert_int_equal(buddy_zone_alloc_bulk(z, 2, 5, pfns + 16), 0);
    assert_int_equal(buddy_zone_alloc_bulk(z, 7, 5, pfns), BUDDY_EORDER);
    assert_int_equal(buddy_zone_alloc_bulk(z, 0, 5, NULL), BUDDY_ENULL);
    for (int i = 0; i < 16; i++)
        assert_int_equal(buddy_zone_free_pages(z, pfns[i], 2), 0);
    /* Cache bulk: the cached blocks first, then the zone. */
    assert_int_equal(buddy_pcp_init(&pcp, z, &cfg), 0);
    assert_int_equal(buddy_pcp_alloc_pages(&pcp, 0, &pfns[0]), 0); /* +3 cached */
    assert_int_equal(buddy_pcp_alloc_bulk(&pcp, 0, 10, pfns + 1), 10);
    assert_int_equal(pcp_pages(&pcp), 0);
    for (int i = 0; i < 11; i++)
        assert_int_equal(buddy_pcp_free_pages(&pcp, pfns[i], 0), 0);
    assert_valid(z);
    buddy_pcp_fini(&pcp);
    assert_int_equal(zone_nr_free(z, 6), 1);
    assert_int_equal(l.held, 0);
    zone_del(&f);
}

/* high 0 scales with the zone: 6 batches for a small one, 1/1024 of the
 * span for a large one; the cache drains exactly above that mark. */
static void test_scaled_high(void **state)
{
    struct fixture f;
    struct buddy_zone *z = zone_new_free(&f, 0, 4096, 10);
    struct buddy_pcp_config cfg = BUDDY_PCP_CONFIG_INIT;
    struct buddy_pcp pcp;

    (void)state;
    assert_int_equal(cfg.high, 0);
    assert_int_equal(buddy_pcp_init(&pcp, z, &cfg), 0);
    assert_int_equal(pcp_high(&pcp), 6 * BUDDY_PCP_DEFAULT_BATCH);
    buddy_pcp_fini(&pcp);
    cfg.batch = 8;
    assert_int_equal(buddy_pcp_init(&pcp, z, &cfg), 0);
    assert_int_equal(pcp_high(&pcp), 48);
    buddy_pcp_fini(&pcp);
    zone_del(&f);

    z = zone_new_free(&f, 0, (uint64_t)1 << 20, 10); /* 4 GiB of 4 KiB */
    cfg = (struct buddy_pcp_config)BUDDY_PCP_CONFIG_INIT;
    assert_int_equal(buddy_pcp_init(&pcp, z, &cfg), 0);
    assert_int_equal(pcp_high(&pcp), 1024);
    {
        static buddy_pfn_t pfn[1024 + 64];
        unsigned n = 0;
        struct buddy_zone_stats st;

        while (n < 1024 + 64)
            assert_int_equal(buddy_zone_alloc_pages(z, 0, &pfn[n++]), 0);
        for (unsigned i = 0; i < 1024; i++)
            assert_int_equal(buddy_pcp_free_pages(&pcp, pfn[i], 0), 0);
        assert_int_equal(buddy_zone_get_stats(z, &st), 0);
        assert_int_equal(st.cache_drains, 0);
        assert_int_equal(pcp_pages(&pcp), 1024);
        assert_int_equal(buddy_pcp_free_pages(&pcp, pfn[1024], 0), 0);
        assert_int_equal(buddy_zone_get_stats(z, &st), 0);
        assert_int_equal(st.cache_drains, 1);
        assert_int_equal(pcp_pages(&pcp), 1025 - 63);
        for (unsigned i = 1025; i < n; i++)
            assert_int_equal(buddy_pcp_free_pages(&pcp, pfn[i], 0), 0);
    }
    assert_valid(z);
    buddy_pcp_fini(&pcp);
    assert_int_equal(zone_free_pages(z), (uint64_t)1 << 20);
    assert_valid(z);
    zone_del(&f);
}

static void test_pcp_config_errors(void **state)
{
    struct fixture f;
    struct buddy_zone *z = zone_new_free(&f, 0, 64, 2);
    struct buddy_pcp pcp;
    struct buddy_pcp_config bad;
    struct buddy_lock_ops half = {.lock = check_lock_take};

    (void)state;
    bad = (struct buddy_pcp_config){3, 8, 16}; /* above the zone's max_order */
    assert_int_equal(buddy_pcp_init(&pcp, z, &bad), BUDDY_EINVAL);
    bad = (struct buddy_pcp_config){BUDDY_PCP_ORDER_LIMIT + 1, 8, 16};
    assert_int_equal(buddy_pcp_init(&pcp, z, &bad), BUDDY_EINVAL);
    bad = (struct buddy_pcp_config){1, 0, 16};
    assert_int_equal(buddy_pcp_init(&pcp, z, &bad), BUDDY_EINVAL);
    bad = (struct buddy_pcp_config){1, 8, 4};
    assert_int_equal(buddy_pcp_init(&pcp, z, &bad), BUDDY_EINVAL);
    bad = (struct buddy_pcp_config){1, 8, (1u << 30) + 1};
    assert_int_equal(buddy_pcp_init(&pcp, z, &bad), BUDDY_EINVAL);
    bad = (struct buddy_pcp_config){1, (1u << 30) + 1, 0};
    assert_int_equal(buddy_pcp_init(&pcp, z, &bad), BUDDY_EINVAL);
    /* A refill holds the zone lock for O(batch): the batch is bounded. */
    bad = (struct buddy_pcp_config){1, BUDDY_PCP_MAX_BATCH + 1, 0};
    assert_int_equal(buddy_pcp_init(&pcp, z, &bad), BUDDY_EINVAL);
    bad = (struct buddy_pcp_config){1, BUDDY_PCP_MAX_BATCH, 0};
    assert_int_equal(buddy_pcp_init(&pcp, z, &bad), 0);
    buddy_pcp_fini(&pcp);
    assert_int_equal(buddy_pcp_init(&pcp, z, NULL), BUDDY_ENULL);
    assert_int_equal(buddy_pcp_init(&pcp, NULL, &bad), BUDDY_EBADZONE);
    assert_int_equal(buddy_zone_set_lock(z, &half), BUDDY_ENULL);
    assert_valid(z);
    zone_del(&f);
}

/* A second init of an attached cache is refused and changes nothing; the
 * stats and the validator still return (they used to walk a cache linked
 * to itself forever). After fini, init works again. */
static void test_init_twice_refused(void **state)
{
    struct fixture f;
    struct buddy_zone *z = zone_new_free(&f, 0, 256, 4);
    struct buddy_pcp_config cfg = {1, 8, 16};
    struct buddy_zone_stats st;
    struct buddy_pcp pcp, other;
    buddy_pfn_t pfn;

    (void)state;
    assert_int_equal(buddy_pcp_init(&pcp, z, &cfg), 0);
    assert_int_equal(buddy_pcp_alloc_pages(&pcp, 0, &pfn), 0);
    assert_int_equal(buddy_pcp_free_pages(&pcp, pfn, 0), 0);
    assert_int_equal(buddy_pcp_init(&pcp, z, &cfg), BUDDY_EATTACHED);
    assert_string_equal(buddy_errname(BUDDY_EATTACHED), "EATTACHED");
    assert_int_equal(buddy_zone_get_stats(z, &st), 0);
    assert_int_equal(st.nr_caches, 1);
    assert_int_equal(st.cached_pages, pcp_pages(&pcp));
    assert_true(st.cached_pages > 0);
    assert_valid(z);
    assert_int_equal(buddy_pcp_init(&other, z, &cfg), 0);
    assert_int_equal(buddy_zone_get_stats(z, &st), 0);
    assert_int_equal(st.nr_caches, 2);
    buddy_pcp_fini(&pcp);
    buddy_pcp_fini(&other);
    assert_int_equal(buddy_pcp_init(&pcp, z, &cfg), 0);
    buddy_pcp_fini(&pcp);
    assert_int_equal(buddy_zone_get_stats(z, &st), 0);
    assert_int_equal(st.nr_caches, 0);
    assert_int_equal(st.free_pages, 256);
    assert_valid(z);
    zone_del(&f);
}

/* Re-initialising a zone's buffer while a cache is attached would leave the
 * cache writing into the new zone: refused, nothing changed. */
static void test_zone_reinit_with_a_cache_refused(void **state)
{
    struct fixture f;
    struct buddy_zone *z = zone_new_free(&f, 0, 256, 4), *z2;
    struct buddy_zone_config cfg = BUDDY_ZONE_CONFIG_INIT;
    struct buddy_pcp_config pcfg = {1, 8, 16};
    struct snapshot before, after;
    struct buddy_pcp pcp;
    buddy_pfn_t pfn;

    (void)state;
    cfg.nr_pages = 256;
    cfg.max_order = 4;
    assert_int_equal(buddy_pcp_init(&pcp, z, &pcfg), 0);
    assert_int_equal(buddy_pcp_alloc_pages(&pcp, 0, &pfn), 0);
    snapshot_take(z, &before);
    assert_int_equal(buddy_zone_init(f.meta, buddy_zone_meta_size(&cfg), &cfg,
                                     &z2),
                     BUDDY_EATTACHED);
    snapshot_take(z, &after);
    assert_string_equal(before.walk, after.walk);
    assert_memory_equal(&before.st, &after.st, sizeof(after.st));
    assert_valid(z);
    assert_int_equal(buddy_pcp_free_pages(&pcp, pfn, 0), 0);
    buddy_pcp_fini(&pcp);
    assert_int_equal(buddy_zone_init(f.meta, buddy_zone_meta_size(&cfg), &cfg,
                                     &z2),
                     0);
    assert_ptr_equal(z2, z);
    zone_del(&f);
}

/* A corrupt chain of caches (a cycle) is reported, not walked forever:
 * every walk is bounded by the count of caches attached. */
static void test_cache_chain_walks_are_bounded(void **state)
{
    struct fixture f;
    struct buddy_zone *z = zone_new_free(&f, 0, 256, 4);
    struct buddy_pcp_config cfg = {1, 8, 16};
    struct buddy_check_report rep;
    struct buddy_zone_stats st;
    struct buddy_pcp a, b;
    struct buddy__pcp *saved;

    (void)state;
    assert_int_equal(buddy_pcp_init(&a, z, &cfg), 0);
    assert_int_equal(buddy_pcp_init(&b, z, &cfg), 0);
    saved = buddy__pcp(&a)->next;
    buddy__pcp(&a)->next = buddy__pcp(&b); /* b -> a -> b -> ... */
    assert_int_equal(buddy_zone_get_stats(z, &st), 0);
    assert_int_equal(st.nr_caches, 2);
    assert_int_equal(buddy_zone_check(z, &rep), BUDDY_ECORRUPT);
    assert_non_null(strstr(rep.what, "cache list longer"));
    buddy__pcp(&a)->next = saved;
    assert_valid(z);
    buddy_pcp_fini(&a);
    buddy_pcp_fini(&b);
    zone_del(&f);
}

/* buddy_zone_drain_caches takes every cache's blocks back and returns the
 * pages; a detached cache refuses further use. */
static void test_drain_caches_and_detached_use(void **state)
{
    struct fixture f;
    struct buddy_zone *z = zone_with_base(&f, 0, 256, 4, BASE);
    struct buddy_pcp_config cfg = {1, 8, 16};
    struct buddy_pcp a, b;
    buddy_pfn_t pfn;
    uint64_t cached;

    (void)state;
    assert_int_equal(buddy_pcp_init(&a, z, &cfg), 0);
    assert_int_equal(buddy_pcp_init(&b, z, &cfg), 0);
    assert_int_equal(buddy_pcp_alloc_pages(&a, 0, &pfn), 0);
    assert_int_equal(buddy_pcp_free_pages(&b, pfn, 0), 0); /* cross-free */
    assert_int_equal(buddy_pcp_alloc_pages(&b, 1, &pfn), 0);
    cached = pcp_pages(&a) + pcp_pages(&b);
    assert_true(cached > 0);
    assert_int_equal(zone_drain(z), cached);
    assert_int_equal(pcp_pages(&a) + pcp_pages(&b), 0);
    assert_int_equal(zone_drain(z), 0);
    assert_int_equal(zone_free_pages(z), 254);
    assert_int_equal(buddy_pcp_free_pages(&b, pfn, 1), 0);
    buddy_pcp_fini(&a);
    assert_int_equal(buddy_pcp_alloc_pages(&a, 0, &pfn), BUDDY_ENULL);
    assert_int_equal(buddy_pcp_free_pages(&a, pfn, 0), BUDDY_ENULL);
    assert_null(buddy_pcp_alloc(&a, 100));
    assert_int_equal(buddy_pcp_free(&a, (void *)BASE), BUDDY_ENULL);
    buddy_pcp_fini(&a); /* twice is harmless */
    buddy_pcp_drain(&a);
    buddy_pcp_fini(&b);
    assert_int_equal(zone_free_pages(z), 256);
    assert_valid(z);
    zone_del(&f);
}

/* Lock ops with a held query: every function that expects the lock finds
 * it held (a debug build asserts it), and the hook runs under it. */
static int held_lock_taken;
static void held_lock(void *arg)
{
    (void)arg;
    assert_int_equal(held_lock_taken, 0);
    held_lock_taken = 1;
}
static void held_unlock(void *arg)
{
    (void)arg;
    assert_int_equal(held_lock_taken, 1);
    held_lock_taken = 0;
}
static bool held_query(void *arg)
{
    (void)arg;
    return held_lock_taken != 0;
}
static unsigned held_hook_calls;
static void held_hook(void *arg, const struct buddy_event *ev)
{
    (void)arg;
    (void)ev;
    assert_int_equal(held_lock_taken, 1);
    held_hook_calls++;
}

static void test_lock_held_everywhere(void **state)
{
    struct fixture f;
    struct buddy_zone *z = zone_with_base(&f, 0, 256, 4, BASE);
    struct buddy_lock_ops ops = {.lock = held_lock, .unlock = held_unlock,
                                 .held = held_query};
    struct buddy_pcp_config cfg = {1, 8, 16};
    struct buddy_pcp pcp;
    buddy_pfn_t pfn, pfns[4];
    char outside;
    void *p;

    (void)state;
    assert_int_equal(buddy_zone_set_lock(z, &ops), 0);
    buddy_zone_set_hook(z, held_hook, NULL);
    assert_int_equal(buddy_pcp_init(&pcp, z, &cfg), 0);
    assert_int_equal(buddy_zone_alloc_pages(z, 2, &pfn), 0);
    assert_int_equal(buddy_zone_free_pages(z, pfn, 2), 0);
    assert_int_equal(buddy_zone_free_pages(z, pfn, 2), BUDDY_EDOUBLEFREE);
    assert_int_equal(buddy_zone_alloc_bulk(z, 0, 4, pfns), 4);
    for (int i = 0; i < 4; i++)
        assert_int_equal(buddy_pcp_free_pages(&pcp, pfns[i], 0), 0);
    p = buddy_pcp_alloc(&pcp, 100);
    assert_non_null(p);
    assert_int_equal(buddy_pcp_free(&pcp, p), 0);
    /* A refused byte free outside the zone: counted and reported under the
     * lock like every other refusal. */
    held_hook_calls = 0;
    assert_int_equal(buddy_zone_free(z, &outside), BUDDY_ERANGE);
    assert_int_equal(buddy_pcp_free(&pcp, &outside), BUDDY_ERANGE);
    assert_int_equal(held_hook_calls, 2);
    assert_int_equal(zone_drain(z) > 0, 1);
    buddy_pcp_fini(&pcp);
    assert_int_equal(held_lock_taken, 0);
    buddy_zone_set_hook(z, NULL, NULL);
    assert_valid(z);
    zone_del(&f);
}

/* ---- one list per pcp type ------------------------------------------- */

static buddy_pfn_t pcp_alloc_type(struct buddy_pcp *pcp, unsigned order,
                                  enum buddy_migratetype mt)
{
    buddy_pfn_t pfn = BUDDY_PFN_NONE;

    assert_int_equal(buddy_pcp_alloc_pages_type(pcp, order, mt, &pfn), 0);
    return pfn;
}

/* The first block of list l of `order` (white-box), as a pfn. */
static buddy_pfn_t list_first(struct buddy_pcp *cache, unsigned l,
                              unsigned order)
{
    struct buddy__pcp *pcp = buddy__pcp(cache);
    uint32_t idx = buddy__pcp_first(pcp, l, order);

    return idx == BUDDY_NIL ? BUDDY_PFN_NONE : pcp->start_pfn + idx;
}

/* A typed request refills its own list, for its type: an unmovable one
 * claims a movable pageblock (its order-10 block, whole), and its later
 * requests come from the cache; a movable one is served from movable
 * pageblocks beside it. A free goes on the list of its pageblock's type,
 * so the next request of that type gets it back and the others do not. */
static void test_typed_lists(void **state)
{
    struct fixture f;
    struct buddy_zone *z = zone_new_free(&f, 0, 4096, 10);
    struct buddy_pcp_config cfg = {3, 16, 256};
    struct buddy_pcp pcp;
    struct buddy_zone_stats st;
    buddy_pfn_t u, u2, m, m2, r;
    uint64_t refills;

    (void)state;
    assert_int_equal(buddy_pcp_init(&pcp, z, &cfg), 0);
    u = pcp_alloc_type(&pcp, 0, BUDDY_MIGRATE_UNMOVABLE);
    assert_int_equal(pb_type(z, u), BUDDY_MIGRATE_UNMOVABLE);
    assert_int_equal(pcp_pages(&pcp), 15);
    assert_int_equal(buddy_zone_get_stats(z, &st), 0);
    refills = st.cache_refills;
    assert_int_equal(refills, 1);
    assert_int_equal(st.claims, 1);
    /* The next unmovable page is a cached one: no refill. */
    u2 = pcp_alloc_type(&pcp, 0, BUDDY_MIGRATE_UNMOVABLE);
    assert_int_equal(pb_type(z, u2), BUDDY_MIGRATE_UNMOVABLE);
    assert_int_equal(pcp_pages(&pcp), 14);
    /* Movable: list 0 is empty, so it refills from a movable pageblock. */
    m = pcp_alloc_type(&pcp, 0, BUDDY_MIGRATE_MOVABLE);
    assert_int_equal(pb_type(z, m), BUDDY_MIGRATE_MOVABLE);
    assert_int_equal(pcp_pages(&pcp), 14 + 15);
    /* The untyped call is the movable list. */
    assert_int_equal(buddy_pcp_alloc_pages(&pcp, 0, &m2), 0);
    assert_int_equal(pb_type(z, m2), BUDDY_MIGRATE_MOVABLE);
    assert_int_equal(pcp_pages(&pcp), 14 + 14);
    assert_int_equal(buddy_zone_get_stats(z, &st), 0);
    assert_int_equal(st.cache_refills, refills + 1);
    assert_valid(z);
    /* A free goes on its pageblock's list: u on list 1, m on list 0. */
    assert_int_equal(buddy_pcp_free_pages(&pcp, u, 0), 0);
    assert_int_equal(list_first(&pcp, 1, 0), u);
    assert_int_equal(buddy_pcp_free_pfn(&pcp, m), 0);
    assert_int_equal(list_first(&pcp, 0, 0), m);
    assert_int_equal(pcp_pages(&pcp), 30);
    assert_valid(z);
    /* LIFO per list: each type gets its own block back. */
    assert_int_equal(pcp_alloc_type(&pcp, 0, BUDDY_MIGRATE_MOVABLE), m);
    assert_int_equal(pcp_alloc_type(&pcp, 0, BUDDY_MIGRATE_UNMOVABLE), u);
    /* Reclaimable has a list of its own, filled from a pageblock it
     * claims. */
    r = pcp_alloc_type(&pcp, 1, BUDDY_MIGRATE_RECLAIMABLE);
    assert_int_equal(pb_type(z, r), BUDDY_MIGRATE_RECLAIMABLE);
    assert_int_equal(list_first(&pcp, 0, 1), BUDDY_PFN_NONE);
    assert_true(list_first(&pcp, 2, 1) != BUDDY_PFN_NONE);
    assert_int_equal(buddy_pcp_free_pages(&pcp, r, 1), 0);
    assert_int_equal(list_first(&pcp, 2, 1), r);
    assert_valid(z);
    /* While the zone has pageblocks of other types, frees take the typed
     * path: the free bounds are shut, the allocation bounds open. */
    assert_int_equal(buddy__pcp(&pcp)->live.spanned, 0);
    assert_int_equal(buddy__pcp(&pcp)->live.order_end, 4);
    /* Everything goes back, from every list. */
    assert_int_equal(buddy_pcp_free_pages(&pcp, u, 0), 0);
    assert_int_equal(buddy_pcp_free_pages(&pcp, u2, 0), 0);
    assert_int_equal(buddy_pcp_free_pages(&pcp, m, 0), 0);
    assert_int_equal(buddy_pcp_free_pages(&pcp, m2, 0), 0);
    buddy_pcp_drain(&pcp);
    assert_int_equal(pcp_pages(&pcp), 0);
    assert_int_equal(zone_free_pages(z), 4096);
    assert_valid(z);
    /* The claimed pageblocks keep their types, free as they are, as the
     * kernel's do: the typed path stays on. */
    {
        struct buddy_zone_pagetypes pt;

        assert_int_equal(buddy_zone_get_pagetypes(z, &pt), 0);
        assert_int_equal(pt.nr_pageblocks[BUDDY_MIGRATE_UNMOVABLE], 2);
        assert_int_equal(pt.nr_pageblocks[BUDDY_MIGRATE_RECLAIMABLE], 2);
        assert_int_equal(pt.nr_pageblocks[BUDDY_MIGRATE_MOVABLE], 4);
    }
    assert_int_equal(buddy__pcp(&pcp)->live.spanned, 0);
    buddy_pcp_fini(&pcp);
    zone_del(&f);
}

/* The byte API frees by pageblock type too: a page of an unmovable
 * pageblock freed by address goes on list 1. */
static void test_typed_byte_free(void **state)
{
    struct fixture f;
    struct buddy_zone *z = zone_with_base(&f, 0, 2048, 10, 0x10000000);
    struct buddy_pcp_config cfg = {3, 8, 64};
    struct buddy_pcp pcp;
    buddy_pfn_t u;
    void *p;

    (void)state;
    assert_int_equal(buddy_pcp_init(&pcp, z, &cfg), 0);
    u = pcp_alloc_type(&pcp, 2, BUDDY_MIGRATE_UNMOVABLE);
    p = buddy_zone_pfn_to_addr(z, u);
    assert_non_null(p);
    assert_int_equal(buddy_pcp_free(&pcp, p), 0);
    assert_int_equal(list_first(&pcp, 1, 2), u);
    assert_int_equal(list_first(&pcp, 0, 2), BUDDY_PFN_NONE);
    /* The byte allocation is movable: it does not get the page back. */
    p = buddy_pcp_alloc(&pcp, 4 * BUDDY_DEFAULT_PAGE_SIZE);
    assert_non_null(p);
    assert_int_equal(pb_type(z, buddy_zone_addr_to_pfn(z, p)),
                     BUDDY_MIGRATE_MOVABLE);
    assert_int_equal(list_first(&pcp, 1, 2), u);
    assert_int_equal(buddy_pcp_free(&pcp, p), 0);
    assert_valid(z);
    buddy_pcp_fini(&pcp);
    assert_int_equal(zone_free_pages(z), 2048);
    zone_del(&f);
}

/* A free into an ISOLATE pageblock is not cached: it goes to the zone and
 * stays on the isolate lists (the kernel's free_frozen_pages). Undone, the
 * pageblock caches again, and with every pageblock movable once more the
 * fast frees are open again. */
static void test_isolated_frees_bypass_the_cache(void **state)
{
    struct fixture f;
    struct buddy_zone *z = zone_new_free(&f, 0, 2048, 10);
    struct buddy_pcp_config cfg = {3, 8, 64};
    struct buddy_pcp pcp;
    struct buddy_zone_pagetypes pt;
    buddy_pfn_t m;
    uint64_t cached, free_before;

    (void)state;
    assert_int_equal(buddy_pcp_init(&pcp, z, &cfg), 0);
    m = pcp_alloc_type(&pcp, 0, BUDDY_MIGRATE_MOVABLE);
    cached = pcp_pages(&pcp);
    /* Every pageblock movable: the fast frees are open. */
    assert_int_equal(buddy__pcp(&pcp)->live.spanned, 2048);
    assert_int_equal(buddy_zone_isolate_range(z, m, 1), 0);
    assert_int_equal(buddy__pcp(&pcp)->live.spanned, 0);
    free_before = zone_free_pages(z);
    assert_int_equal(buddy_pcp_free_pages(&pcp, m, 0), 0);
    assert_int_equal(pcp_pages(&pcp), cached);
    assert_int_equal(zone_free_pages(z), free_before + 1);
    assert_int_equal(buddy_zone_get_pagetypes(z, &pt), 0);
    assert_true(pt.nr_free[0][BUDDY_MIGRATE_ISOLATE] >= 1);
    assert_valid(z);
    assert_int_equal(buddy_zone_undo_isolate_range(z, m, 1), 0);
    assert_int_equal(buddy__pcp(&pcp)->live.spanned, 2048);
    m = pcp_alloc_type(&pcp, 0, BUDDY_MIGRATE_MOVABLE);
    assert_int_equal(buddy_pcp_free_pages(&pcp, m, 0), 0);
    assert_int_equal(list_first(&pcp, 0, 0), m);
    assert_valid(z);
    buddy_pcp_fini(&pcp);
    assert_int_equal(zone_free_pages(z), 2048);
    zone_del(&f);
}

/* A HIGHATOMIC pageblock's pages are cached as movable, on list 0. */
static void test_highatomic_frees_cache_as_movable(void **state)
{
    struct fixture f;
    struct buddy_zone *z = zone_new_free(&f, 0, 65536, 10);
    struct buddy_system sys;
    struct buddy_wmark_config wc = BUDDY_WMARK_CONFIG_INIT;
    struct buddy_pcp_config cfg = {3, 8, 64};
    struct buddy_pcp pcp;
    buddy_pfn_t pfn, atomic;
    unsigned i;

    (void)state;
    buddy_system_init(&sys);
    assert_int_equal(buddy_system_add_zone(&sys, 0, 0, z), 0);
    wc.min_free_kbytes = 4096;
    assert_int_equal(buddy_system_set_watermarks(&sys, &wc), 0);
    for (i = 0; i < 63; i++)
        assert_int_equal(buddy_zone_alloc_pages(z, 10, &pfn), 0);
    /* Below low: a high-order atomic allocation reserves its pageblock. */
    assert_int_equal(buddy_system_alloc_pages_flags(&sys, 0, 0, 1,
                                                    BUDDY_GFP_ATOMIC, &atomic,
                                                    NULL),
                     0);
    assert_int_equal(pb_type(z, atomic), BUDDY_MIGRATE_HIGHATOMIC);
    assert_int_equal(buddy_pcp_init(&pcp, z, &cfg), 0);
    assert_int_equal(buddy_pcp_free_pages(&pcp, atomic, 1), 0);
    assert_int_equal(list_first(&pcp, 0, 1), atomic);
    assert_int_equal(pcp_pages(&pcp), 2);
    assert_valid(z);
    assert_int_equal(buddy_pcp_alloc_pages(&pcp, 1, &pfn), 0);
    assert_int_equal(pfn, atomic);
    assert_int_equal(buddy_pcp_free_pages(&pcp, pfn, 1), 0);
    buddy_pcp_fini(&pcp);
    assert_valid(z);
    zone_del(&f);
}

/* With grouping by mobility off every type is the zone's one type, and
 * shares one list. */
static void test_typed_lists_without_grouping(void **state)
{
    struct fixture f;
    struct buddy_zone_config zc = BUDDY_ZONE_CONFIG_INIT;
    struct buddy_zone *z;
    struct buddy_pcp_config cfg = {3, 8, 64};
    struct buddy_pcp pcp;
    buddy_pfn_t u;

    (void)state;
    zc.nr_pages = 2048;
    zc.max_order = 10;
    zc.flags = BUDDY_ZONE_NO_GROUPING;
    z = zone_from_config(&f, &zc);
    assert_int_equal(buddy_zone_add_range(z, 0, 2048), 0);
    assert_int_equal(buddy_pcp_init(&pcp, z, &cfg), 0);
    u = pcp_alloc_type(&pcp, 0, BUDDY_MIGRATE_UNMOVABLE);
    assert_int_equal(pcp_pages(&pcp), 7);
    assert_int_equal(buddy_pcp_free_pages(&pcp, u, 0), 0);
    assert_int_equal(list_first(&pcp, 0, 0), u);
    assert_int_equal(pcp_alloc_type(&pcp, 0, BUDDY_MIGRATE_MOVABLE), u);
    assert_int_equal(pcp_alloc_type(&pcp, 0, BUDDY_MIGRATE_RECLAIMABLE) != u,
                     1);
    assert_int_equal(pcp_pages(&pcp), 6);
    assert_valid(z);
    buddy_pcp_fini(&pcp);
    zone_del(&f);
}

/* A fenced cache (a zone lock but no sync_cpus) serves its typed lists
 * out of line without the lock, as it does list 0. */
static void test_typed_lists_fenced(void **state)
{
    struct fixture f;
    struct check_lock l;
    struct buddy_zone *z = locked_zone(&f, &l, 2048, 10);
    struct buddy_pcp_config cfg = {3, 8, 64};
    struct buddy_pcp pcp;
    buddy_pfn_t u, u2;
    unsigned long taken;

    (void)state;
    assert_int_equal(buddy_pcp_init(&pcp, z, &cfg), 0);
    u = pcp_alloc_type(&pcp, 0, BUDDY_MIGRATE_UNMOVABLE);
    taken = l.taken;
    u2 = pcp_alloc_type(&pcp, 0, BUDDY_MIGRATE_UNMOVABLE);
    assert_int_equal(buddy_pcp_free_pages(&pcp, u, 0), 0);
    assert_int_equal(l.taken, taken);
    assert_int_equal(list_first(&pcp, 1, 0), u);
    assert_int_equal(buddy_pcp_free_pages(&pcp, u2, 0), 0);
    assert_int_equal(pcp_pages(&pcp), 8);
    assert_valid(z);
    buddy_pcp_fini(&pcp);
    assert_int_equal(l.held, 0);
    assert_int_equal(zone_free_pages(z), 2048);
    zone_del(&f);
}

/* A typed request the cache cannot take gets exactly the zone call's
 * error, and nothing changes. */
static void test_typed_alloc_errors(void **state)
{
    struct fixture f;
    struct buddy_zone *z = zone_new_free(&f, 0, 1024, 10);
    struct buddy_pcp_config cfg = {3, 8, 64};
    struct buddy_pcp pcp;
    struct snapshot before, after;
    buddy_pfn_t pfn = 77;

    (void)state;
    assert_int_equal(buddy_pcp_alloc_pages_type(NULL, 0,
                                                BUDDY_MIGRATE_UNMOVABLE, &pfn),
                     BUDDY_ENULL);
    assert_int_equal(buddy_pcp_init(&pcp, z, &cfg), 0);
    snapshot_take(z, &before);
    assert_int_equal(buddy_pcp_alloc_pages_type(&pcp, 0,
                                                BUDDY_MIGRATE_HIGHATOMIC, &pfn),
                     BUDDY_EINVAL);
    assert_int_equal(buddy_pcp_alloc_pages_type(&pcp, 0, BUDDY_MIGRATE_ISOLATE,
                                                &pfn),
                     BUDDY_EINVAL);
    assert_int_equal(buddy_pcp_alloc_pages_type(
                         &pcp, 0, (enum buddy_migratetype)-1, &pfn),
                     BUDDY_EINVAL);
    assert_int_equal(buddy_pcp_alloc_pages_type(&pcp, 0,
                                                BUDDY_MIGRATE_UNMOVABLE, NULL),
                     BUDDY_ENULL);
    assert_int_equal(buddy_pcp_alloc_pages_type(&pcp, 11,
                                                BUDDY_MIGRATE_UNMOVABLE, &pfn),
                     BUDDY_EORDER);
    /* EORDER comes before EINVAL, as in the zone call. */
    assert_int_equal(buddy_pcp_alloc_pages_type(&pcp, 11,
                                                BUDDY_MIGRATE_HIGHATOMIC, &pfn),
                     BUDDY_EORDER);
    assert_int_equal(pfn, 77);
    snapshot_take(z, &after);
    assert_string_equal(before.walk, after.walk);
    assert_memory_equal(&before.st, &after.st, sizeof(after.st));
    assert_int_equal(pcp_pages(&pcp), 0);
    assert_valid(z);
    /* Uncached orders go to the zone, typed. */
    assert_int_equal(buddy_pcp_alloc_pages_type(&pcp, 9,
                                                BUDDY_MIGRATE_UNMOVABLE, &pfn),
                     0);
    assert_int_equal(pb_type(z, pfn), BUDDY_MIGRATE_UNMOVABLE);
    assert_int_equal(pcp_pages(&pcp), 0);
    assert_int_equal(buddy_pcp_free_pages(&pcp, pfn, 9), 0);
    buddy_pcp_fini(&pcp);
    assert_int_equal(buddy_pcp_alloc_pages_type(&pcp, 0,
                                                BUDDY_MIGRATE_UNMOVABLE, &pfn),
                     BUDDY_ENULL);
    assert_int_equal(buddy_pcp_alloc_pages_type(&pcp, 0,
                                                BUDDY_MIGRATE_HIGHATOMIC, &pfn),
                     BUDDY_ENULL);
    assert_valid(z);
    zone_del(&f);
}

/* The validator walks the typed lists too: a typed list head pointing at
 * an allocated block is caught. */
static void test_check_sees_typed_lists(void **state)
{
    struct fixture f;
    struct buddy_zone *z = zone_new_free(&f, 0, 1024, 10);
    struct buddy_pcp_config cfg = {3, 8, 64};
    struct buddy_pcp pcp;
    struct buddy_check_report rep;
    buddy_pfn_t u, a;
    uint32_t saved;

    (void)state;
    assert_int_equal(buddy_pcp_init(&pcp, z, &cfg), 0);
    u = pcp_alloc_type(&pcp, 0, BUDDY_MIGRATE_UNMOVABLE);
    assert_int_equal(buddy_zone_alloc_pages(z, 0, &a), 0);
    saved = buddy__pcp(&pcp)->typed[0][0];
    buddy__pcp(&pcp)->typed[0][0] = (uint32_t)a;
    assert_int_equal(buddy_zone_check(z, &rep), BUDDY_ECORRUPT);
    assert_string_equal(rep.what,
                        "cache holds a block that is not a cached block of "
                        "its order");
    buddy__pcp(&pcp)->typed[0][0] = saved;
    assert_valid(z);
    assert_int_equal(buddy_pcp_free_pages(&pcp, u, 0), 0);
    assert_int_equal(buddy_zone_free_pages(z, a, 0), 0);
    buddy_pcp_fini(&pcp);
    assert_valid(z);
    zone_del(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_init_twice_refused),
        cmocka_unit_test(test_zone_reinit_with_a_cache_refused),
        cmocka_unit_test(test_cache_chain_walks_are_bounded),
        cmocka_unit_test(test_drain_caches_and_detached_use),
        cmocka_unit_test(test_lock_held_everywhere),
        cmocka_unit_test(test_cache_serves_without_the_lock),
        cmocka_unit_test(test_cached_blocks_are_visible),
        cmocka_unit_test(test_bad_frees_through_a_cache),
        cmocka_unit_test(test_solo_cache_until_shared),
        cmocka_unit_test(test_byte_api_through_a_cache),
        cmocka_unit_test(test_high_mark_drains_a_batch),
        cmocka_unit_test(test_high_mark_drains_the_list_that_grew),
        cmocka_unit_test(test_refill_takes_holes_first),
        cmocka_unit_test(test_byte_frees_with_huge_pages),
        cmocka_unit_test(test_refill_drains_own_cache_when_short),
        cmocka_unit_test(test_uncached_order_drains_own_cache_when_short),
        cmocka_unit_test(test_bulk),
        cmocka_unit_test(test_scaled_high),
        cmocka_unit_test(test_pcp_config_errors),
        cmocka_unit_test(test_typed_lists),
        cmocka_unit_test(test_typed_byte_free),
        cmocka_unit_test(test_isolated_frees_bypass_the_cache),
        cmocka_unit_test(test_highatomic_frees_cache_as_movable),
        cmocka_unit_test(test_typed_lists_without_grouping),
        cmocka_unit_test(test_typed_lists_fenced),
        cmocka_unit_test(test_typed_alloc_errors),
        cmocka_unit_test(test_check_sees_typed_lists),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
