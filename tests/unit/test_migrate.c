/* SPDX-License-Identifier: MIT */
/*
 * test_migrate.c: pageblocks and migrate types. Each test builds the state
 * a kernel rule decides on and checks the decision: which list a block
 * comes from, which pageblocks change type, what merges, and what
 * pagetypeinfo prints.
 */
#include "helpers.h"

/* A zone with a chosen pageblock order and flags, all free. */
static struct buddy_zone *zone_typed(struct fixture *f, buddy_pfn_t start,
                                     uint64_t nr_pages, unsigned max_order,
                                     unsigned pageblock_order, unsigned flags)
{
    struct buddy_zone_config cfg = BUDDY_ZONE_CONFIG_INIT;

    cfg.start_pfn = start;
    cfg.nr_pages = nr_pages;
    cfg.max_order = max_order;
    cfg.pageblock_order = pageblock_order;
    cfg.flags = flags;
    zone_from_config(f, &cfg);
    assert_int_equal(buddy_zone_add_range(f->z, start, nr_pages), 0);
    return f->z;
}

static buddy_pfn_t alloc_type(struct buddy_zone *z, unsigned order,
                              enum buddy_migratetype mt)
{
    buddy_pfn_t pfn = BUDDY_PFN_NONE;

    assert_int_equal(buddy_zone_alloc_pages_type(z, order, mt, &pfn), 0);
    assert_valid(z);
    return pfn;
}

static struct buddy_zone_stats stats_of(const struct buddy_zone *z)
{
    struct buddy_zone_stats st;

    assert_int_equal(buddy_zone_get_stats(z, &st), 0);
    return st;
}

static struct buddy_zone_pagetypes pagetypes_of(const struct buddy_zone *z)
{
    struct buddy_zone_pagetypes pt;

    assert_int_equal(buddy_zone_get_pagetypes(z, &pt), 0);
    return pt;
}

/* Memory given to a zone starts movable, and the default pageblock order
 * is min(9, max_order). */
static void test_fresh_zone_is_movable(void **state)
{
    struct fixture f, g;
    struct buddy_zone *z = zone_new_free(&f, 0, 2048, 10);
    struct buddy_zone *small = zone_new_free(&g, 0, 64, 4);
    struct buddy_zone_pagetypes pt = pagetypes_of(z);

    (void)state;
    assert_int_equal(pt.pageblock_order, 9);
    assert_true(pt.grouping);
    assert_int_equal(pt.nr_pageblocks[BUDDY_MIGRATE_MOVABLE], 4);
    assert_int_equal(pt.nr_pageblocks[BUDDY_MIGRATE_UNMOVABLE], 0);
    assert_int_equal(pt.nr_free[10][BUDDY_MIGRATE_MOVABLE], 2);
    assert_int_equal(pb_type(z, 2047), BUDDY_MIGRATE_MOVABLE);
    assert_int_equal(pagetypes_of(small).pageblock_order, 4);
    assert_int_equal(pagetypes_of(small).nr_pageblocks[BUDDY_MIGRATE_MOVABLE],
                     4);
    zone_del(&f);
    zone_del(&g);
}

/* An unmovable request in a movable zone falls back and, finding a block
 * of pageblock_order or more, takes its pageblocks over whole: the next
 * unmovable requests are served from them, with no further fallback. */
static void test_claim_whole_pageblocks(void **state)
{
    struct fixture f;
    struct buddy_zone *z = zone_new_free(&f, 0, 2048, 10);
    struct buddy_zone_pagetypes pt;
    buddy_pfn_t pfn;
    unsigned i;

    (void)state;
    pfn = alloc_type(z, 0, BUDDY_MIGRATE_UNMOVABLE);
    assert_int_equal(pfn, 0); /* the largest block: the list head */
    assert_int_equal(stats_of(z).claims, 1);
    assert_int_equal(pb_type(z, 0), BUDDY_MIGRATE_UNMOVABLE);
    assert_int_equal(pb_type(z, 512), BUDDY_MIGRATE_UNMOVABLE);
    assert_int_equal(pb_type(z, 1024), BUDDY_MIGRATE_MOVABLE);
    pt = pagetypes_of(z);
    assert_int_equal(pt.nr_pageblocks[BUDDY_MIGRATE_UNMOVABLE], 2);
    assert_int_equal(pt.nr_free[9][BUDDY_MIGRATE_UNMOVABLE], 1);
    assert_int_equal(pt.nr_free[0][BUDDY_MIGRATE_UNMOVABLE], 1);
    for (i = 1; i < 64; i++)
        assert_int_equal(alloc_type(z, 0, BUDDY_MIGRATE_UNMOVABLE), i);
    assert_int_equal(stats_of(z).claims, 1);
    assert_int_equal(stats_of(z).steals, 0);
    /* A movable request is served from movable memory, untouched. */
    assert_int_equal(alloc_type(z, 0, BUDDY_MIGRATE_MOVABLE), 1024);
    zone_del(&f);
}

/* Below pageblock_order a pageblock is claimed when at least half of it is
 * free or compatible: here an unmovable request takes a movable pageblock
 * with one movable page allocated, and its free blocks move lists. */
static void test_claim_below_pageblock_order(void **state)
{
    struct fixture f;
    struct buddy_zone *z = zone_new_free(&f, 0, 512, 9);
    struct buddy_zone_pagetypes pt;

    (void)state;
    assert_int_equal(alloc_type(z, 0, BUDDY_MIGRATE_MOVABLE), 0);
    assert_int_equal(alloc_type(z, 0, BUDDY_MIGRATE_UNMOVABLE), 1);
    assert_int_equal(stats_of(z).claims, 1);
    assert_int_equal(pb_type(z, 0), BUDDY_MIGRATE_UNMOVABLE);
    pt = pagetypes_of(z);
    assert_int_equal(pt.nr_free[8][BUDDY_MIGRATE_UNMOVABLE], 1);
    assert_int_equal(pt.nr_free[8][BUDDY_MIGRATE_MOVABLE], 0);
    /* A movable request falls back the other way. The claim rule looks at
     * the order of the block found (the kernel's current_order), here 8:
     * large enough, so the mostly free pageblock is claimed back. */
    assert_int_equal(alloc_type(z, 0, BUDDY_MIGRATE_MOVABLE), 2);
    assert_int_equal(stats_of(z).claims, 2);
    assert_int_equal(stats_of(z).steals, 0);
    assert_int_equal(pb_type(z, 0), BUDDY_MIGRATE_MOVABLE);
    zone_del(&f);
}

/* A pageblock with less than half of it free is not claimed: the request
 * steals the smallest block that fits and the pageblock keeps its type
 * (the kernel's current rule), the rest of the split staying on its lists. */
static void test_steal_when_claim_fails(void **state)
{
    struct fixture f;
    struct buddy_zone *z = zone_new_free(&f, 0, 512, 9);
    struct buddy_zone_pagetypes pt;
    buddy_pfn_t pfn;

    (void)state;
    assert_int_equal(alloc_type(z, 8, BUDDY_MIGRATE_MOVABLE), 0);
    assert_int_equal(alloc_type(z, 7, BUDDY_MIGRATE_MOVABLE), 256);
    assert_int_equal(alloc_type(z, 6, BUDDY_MIGRATE_MOVABLE), 384);
    /* 64 pages free of 512, all movable. */
    pfn = alloc_type(z, 0, BUDDY_MIGRATE_UNMOVABLE);
    assert_int_equal(pfn, 448);
    assert_int_equal(stats_of(z).claims, 0);
    assert_int_equal(stats_of(z).steals, 1);
    assert_int_equal(pb_type(z, 0), BUDDY_MIGRATE_MOVABLE);
    pt = pagetypes_of(z);
    assert_int_equal(pt.nr_free[5][BUDDY_MIGRATE_MOVABLE], 1);
    assert_int_equal(pt.nr_free[0][BUDDY_MIGRATE_MOVABLE], 1);
    zone_del(&f);
}

/* A movable request that finds only small blocks of other types (below
 * pageblock_order / 2) does not claim: it steals the smallest block, and
 * the pageblock keeps its type. */
static void test_small_movable_steals_smallest(void **state)
{
    struct fixture f;
    struct buddy_zone *z = zone_new_free(&f, 0, 1024, 9);
    unsigned i;

    (void)state;
    assert_int_equal(alloc_type(z, 0, BUDDY_MIGRATE_UNMOVABLE), 0);
    for (i = 1; i < 504; i++)
        assert_int_equal(alloc_type(z, 0, BUDDY_MIGRATE_UNMOVABLE), i);
    assert_int_equal(alloc_type(z, 9, BUDDY_MIGRATE_UNMOVABLE), 512);
    assert_int_equal(stats_of(z).claims, 2);
    /* Free now: 504..511, one unmovable order-3 block. */
    assert_int_equal(alloc_type(z, 0, BUDDY_MIGRATE_MOVABLE), 504);
    assert_int_equal(stats_of(z).steals, 1);
    assert_int_equal(alloc_type(z, 0, BUDDY_MIGRATE_MOVABLE), 505);
    assert_int_equal(stats_of(z).steals, 2);
    assert_int_equal(stats_of(z).claims, 2);
    assert_int_equal(pb_type(z, 0), BUDDY_MIGRATE_UNMOVABLE);
    assert_int_equal(pagetypes_of(z).nr_free[1][BUDDY_MIGRATE_UNMOVABLE], 1);
    zone_del(&f);
}

/* Reclaimable falls back to unmovable first, then movable. */
static void test_fallback_order(void **state)
{
    struct fixture f;
    struct buddy_zone *z = zone_new_free(&f, 0, 1536, 9);

    (void)state;
    assert_int_equal(alloc_type(z, 9, BUDDY_MIGRATE_UNMOVABLE), 0);
    assert_int_equal(buddy_zone_free_pages(z, 0, 9), 0);
    assert_int_equal(pb_type(z, 0), BUDDY_MIGRATE_UNMOVABLE);
    /* Unmovable pageblock 0, movable 1 and 2: reclaimable takes 0. */
    assert_int_equal(alloc_type(z, 9, BUDDY_MIGRATE_RECLAIMABLE), 0);
    assert_int_equal(pb_type(z, 0), BUDDY_MIGRATE_RECLAIMABLE);
    assert_int_equal(buddy_zone_free_pages(z, 0, 9), 0);
    /* Unmovable now prefers the reclaimable pageblock to movable ones. */
    assert_int_equal(alloc_type(z, 9, BUDDY_MIGRATE_UNMOVABLE), 0);
    zone_del(&f);
}

/* Freeing across pageblocks: two pcp types merge, the merged block taking
 * the freed block's type for all its pageblocks (I10). */
static void test_merge_across_pageblocks(void **state)
{
    struct fixture f;
    struct buddy_zone *z = zone_new_free(&f, 0, 1024, 10);
    struct buddy_zone_pagetypes pt;

    (void)state;
    assert_int_equal(alloc_type(z, 9, BUDDY_MIGRATE_MOVABLE), 0);
    assert_int_equal(alloc_type(z, 9, BUDDY_MIGRATE_UNMOVABLE), 512);
    assert_int_equal(pb_type(z, 512), BUDDY_MIGRATE_UNMOVABLE);
    assert_int_equal(buddy_zone_free_pages(z, 0, 9), 0);
    assert_valid(z);
    assert_int_equal(buddy_zone_free_pages(z, 512, 9), 0);
    assert_valid(z);
    pt = pagetypes_of(z);
    assert_int_equal(pt.nr_free[10][BUDDY_MIGRATE_UNMOVABLE], 1);
    assert_int_equal(pt.nr_pageblocks[BUDDY_MIGRATE_UNMOVABLE], 2);
    assert_int_equal(zone_nr_free(z, 10), 1);
    zone_del(&f);
}

/* An order above pageblock_order frees whole when its pageblocks may mix,
 * as the type of its last one. */
static void test_free_above_pageblock_order(void **state)
{
    struct fixture f;
    struct buddy_zone *z = zone_new_free(&f, 0, 2048, 10);
    struct buddy_zone_pagetypes pt;

    (void)state;
    assert_int_equal(alloc_type(z, 10, BUDDY_MIGRATE_UNMOVABLE), 0);
    assert_int_equal(pb_type(z, 0), BUDDY_MIGRATE_UNMOVABLE);
    assert_int_equal(pb_type(z, 512), BUDDY_MIGRATE_UNMOVABLE);
    assert_int_equal(buddy_zone_free_pages(z, 0, 10), 0);
    assert_valid(z);
    pt = pagetypes_of(z);
    assert_int_equal(pt.nr_free[10][BUDDY_MIGRATE_UNMOVABLE], 1);
    assert_int_equal(pt.nr_free[10][BUDDY_MIGRATE_MOVABLE], 1);
    zone_del(&f);
}

/* A block freed at pageblock_order or above still merges up to
 * max_order: here order 10 in a zone of max_order 11, pageblock_order 9. */
static void test_free_merges_above_pageblock_order(void **state)
{
    struct fixture f;
    struct buddy_zone *z = zone_new_free(&f, 0, 4096, 11);
    buddy_pfn_t a = alloc_type(z, 10, BUDDY_MIGRATE_MOVABLE);
    buddy_pfn_t b = alloc_type(z, 10, BUDDY_MIGRATE_MOVABLE);

    (void)state;
    assert_int_equal(a, 0);
    assert_int_equal(b, 1024);
    assert_int_equal(buddy_zone_free_pages(z, a, 10), 0);
    assert_valid(z);
    assert_int_equal(buddy_zone_free_pages(z, b, 10), 0);
    assert_valid(z);
    assert_int_equal(zone_nr_free(z, 11), 2);
    zone_del(&f);
}

/* Grouping off: one type for every request and pageblock, no fallbacks,
 * and the same blocks as smallest-first without types. */
static void test_grouping_off(void **state)
{
    struct fixture f, g;
    struct buddy_zone *off = zone_typed(&f, 0, 1024, 10, 0,
                                        BUDDY_ZONE_NO_GROUPING);
    struct buddy_zone *on = zone_new_free(&g, 0, 1024, 10);
    struct buddy_zone_pagetypes pt = pagetypes_of(off);
    unsigned i;

    (void)state;
    assert_false(pt.grouping);
    assert_int_equal(pt.nr_pageblocks[BUDDY_MIGRATE_UNMOVABLE], 2);
    assert_int_equal(pt.nr_pageblocks[BUDDY_MIGRATE_MOVABLE], 0);
    for (i = 0; i < 40; i++) {
        enum buddy_migratetype mt = (enum buddy_migratetype)(i % 3);
        buddy_pfn_t a = alloc_type(off, i % 4, mt);
        buddy_pfn_t b = alloc_type(on, i % 4, BUDDY_MIGRATE_MOVABLE);

        assert_int_equal(a, b);
    }
    assert_int_equal(stats_of(off).claims + stats_of(off).steals, 0);
    assert_int_equal(pb_type(off, 0), BUDDY_MIGRATE_UNMOVABLE);
    zone_del(&f);
    zone_del(&g);
}

/* A fragmenting claim (of a pageblock that is not free whole) boosts the
 * watermarks by a pageblock, up to watermark_boost_factor / 10000 of the
 * high mark; zoneinfo shows the marks boosted; setting the marks resets
 * the boost. */
static void test_watermark_boost(void **state)
{
    struct fixture f;
    struct buddy_zone *z = zone_new_free(&f, 0, 2048, 10);
    struct buddy_wmark_config wc = BUDDY_WMARK_CONFIG_INIT;
    struct buddy_zone_watermarks wm;
    buddy_pfn_t pfn;
    char buf[2048];
    unsigned i;

    (void)state;
    wc.min_free_kbytes = 1024; /* min 256, low 320, high 384 */
    assert_int_equal(buddy_zone_set_watermarks(z, &wc), 0);
    assert_int_equal(buddy_zone_get_watermarks(z, &wm), 0);
    assert_int_equal(wm.wmark[BUDDY_WMARK_HIGH], 384);
    assert_int_equal(wm.boost, 0);
    assert_int_equal(wm.boost_factor, 15000);
    /* One movable page at the start of each pageblock, the rest free: no
     * free block of pageblock_order is left. */
    for (i = 0; i < 2048; i++)
        assert_int_equal(alloc_type(z, 0, BUDDY_MIGRATE_MOVABLE), i);
    for (i = 0; i < 2048; i++)
        if (i % 512 != 0)
            assert_int_equal(buddy_zone_free_pages(z, i, 0), 0);
    assert_valid(z);
    pfn = alloc_type(z, 0, BUDDY_MIGRATE_UNMOVABLE);
    assert_int_equal(stats_of(z).claims, 1);
    assert_int_equal(pb_type(z, pfn), BUDDY_MIGRATE_UNMOVABLE);
    assert_int_equal(buddy_zone_get_watermarks(z, &wm), 0);
    assert_int_equal(wm.boost, 512);
    assert_true(buddy_zone_zoneinfo(z, buf, sizeof(buf)) < sizeof(buf));
    assert_non_null(strstr(buf, "\n        boost    512\n        min      768\n"));
    /* Fill that pageblock; the next claim boosts to the cap, 576. */
    for (i = 0; i < 510; i++)
        assert_int_equal(pb_type(z, alloc_type(z, 0, BUDDY_MIGRATE_UNMOVABLE)),
                         BUDDY_MIGRATE_UNMOVABLE);
    assert_int_equal(stats_of(z).claims, 1);
    (void)alloc_type(z, 0, BUDDY_MIGRATE_UNMOVABLE);
    assert_int_equal(stats_of(z).claims, 2);
    assert_int_equal(buddy_zone_get_watermarks(z, &wm), 0);
    assert_int_equal(wm.boost, 576);
    assert_int_equal(buddy_zone_set_watermarks(z, &wc), 0);
    assert_int_equal(buddy_zone_get_watermarks(z, &wm), 0);
    assert_int_equal(wm.boost, 0);
    /* A factor of 0 turns boosting off. */
    wc.watermark_boost_factor = 0;
    assert_int_equal(buddy_zone_set_watermarks(z, &wc), 0);
    for (i = 0; i < 511; i++)
        (void)alloc_type(z, 0, BUDDY_MIGRATE_UNMOVABLE);
    assert_int_equal(stats_of(z).claims, 3);
    assert_int_equal(buddy_zone_get_watermarks(z, &wm), 0);
    assert_int_equal(wm.boost, 0);
    zone_del(&f);
}

/* The pagetypeinfo text, against the kernel's (Linux 6.18) layout: the
 * headers byte for byte, and a zone like the golden's DMA line. */
static void test_pagetypeinfo_text(void **state)
{
    struct fixture f;
    struct buddy_system sys;
    struct buddy_zone *z = zone_new_named(&f, "DMA", 1, 4095, 10);
    char buf[4096];
    size_t n;

    (void)state;
    assert_int_equal(buddy_zone_add_range(z, 1, 4095), 0);
    buddy_system_init(&sys);
    assert_int_equal(buddy_system_add_zone(&sys, 0, 0, z), 0);
    (void)alloc_type(z, 9, BUDDY_MIGRATE_UNMOVABLE);
    n = buddy_system_pagetypeinfo(&sys, buf, sizeof(buf));
    assert_true(n > 0 && n < sizeof(buf));
    assert_non_null(strstr(buf, "Page block order: 9\n"
                                "Pages per block:  512\n\n"
                                "Free pages count per migrate type at order "
                                "      0      1      2      3      4      5  "
                                "    6      7      8      9     10 \n"));
    assert_non_null(strstr(buf, "Node    0, zone      DMA, type    Unmovable "));
    assert_non_null(strstr(buf, "Node    0, zone      DMA, type   HighAtomic "));
    assert_non_null(strstr(buf, "\nNumber of blocks type     Unmovable      "
                                "Movable  Reclaimable   HighAtomic      "
                                "Isolate \n"));
    /* The claim took an order-10 block: two pageblocks. */
    assert_non_null(strstr(buf, "Node 0, zone      DMA            2            "
                                "6            0            0            0 \n"));
    /* The zone alone prints what its node prints. */
    {
        char node[4096];

        assert_int_equal(buddy_system_pagetypeinfo(&sys, node, sizeof(node)),
                         n);
        n = buddy_zone_pagetypeinfo(z, buf, sizeof(buf));
        assert_string_equal(buf, node);
    }
    /* Bounded writes, and the length as snprintf. */
    assert_int_equal(buddy_zone_pagetypeinfo(z, buf, 10), n);
    assert_int_equal(strlen(buf), 9);
    assert_int_equal(buddy_zone_pagetypeinfo(z, NULL, 0), n);
    zone_del(&f);
}

/* Bad input is refused with nothing changed. */
static void test_bad_input(void **state)
{
    struct fixture f;
    struct buddy_zone *z = zone_new_free(&f, 0, 1024, 10);
    struct buddy_zone_config cfg = BUDDY_ZONE_CONFIG_INIT;
    struct buddy_system sys;
    enum buddy_migratetype mt;
    buddy_pfn_t pfn = 7;
    struct snapshot before, after;

    (void)state;
    snapshot_take(z, &before);
    assert_int_equal(buddy_zone_alloc_pages_type(z, 0, BUDDY_MIGRATE_HIGHATOMIC,
                                                 &pfn),
                     BUDDY_EINVAL);
    assert_int_equal(buddy_zone_alloc_pages_type(z, 0, BUDDY_MIGRATE_ISOLATE,
                                                 &pfn),
                     BUDDY_EINVAL);
    assert_int_equal(buddy_zone_alloc_pages_type(
                         z, 0, (enum buddy_migratetype)99, &pfn),
                     BUDDY_EINVAL);
    assert_int_equal(buddy_zone_alloc_pages_type(z, 11, BUDDY_MIGRATE_MOVABLE,
                                                 &pfn),
                     BUDDY_EORDER);
    assert_int_equal(buddy_zone_alloc_pages_type(NULL, 0, BUDDY_MIGRATE_MOVABLE,
                                                 &pfn),
                     BUDDY_EBADZONE);
    assert_int_equal(buddy_zone_alloc_pages_type(z, 0, BUDDY_MIGRATE_MOVABLE,
                                                 NULL),
                     BUDDY_ENULL);
    assert_int_equal(pfn, 7);
    assert_int_equal(buddy_zone_pageblock_type(z, 1024, &mt), BUDDY_ERANGE);
    assert_int_equal(buddy_zone_pageblock_type(z, 0, NULL), BUDDY_ENULL);
    assert_int_equal(buddy_zone_get_pagetypes(z, NULL), BUDDY_ENULL);
    assert_int_equal(buddy_zone_get_pagetypes(NULL, NULL), BUDDY_EBADZONE);
    snapshot_take(z, &after);
    assert_string_equal(before.walk, after.walk);
    assert_memory_equal(&before.st, &after.st, sizeof(after.st));
    assert_valid(z);
    /* Both type flags at once, as the kernel forbids. */
    buddy_system_init(&sys);
    assert_int_equal(buddy_system_add_zone(&sys, 0, 0, z), 0);
    assert_int_equal(buddy_system_alloc_pages_flags(
                         &sys, 0, 0, 0,
                         BUDDY_GFP_MOVABLE | BUDDY_GFP_RECLAIMABLE, &pfn, NULL),
                     BUDDY_EINVAL);
    assert_valid(z);
    /* A pageblock order above max_order. */
    cfg.nr_pages = 64;
    cfg.max_order = 4;
    cfg.pageblock_order = 5;
    assert_int_equal(buddy_zone_meta_size(&cfg), 0);
    cfg.pageblock_order = 4;
    assert_true(buddy_zone_meta_size(&cfg) > 0);
    cfg.flags = 0x80;
    assert_int_equal(buddy_zone_meta_size(&cfg), 0);
    assert_string_equal(buddy_migratetype_name(BUDDY_MIGRATE_RECLAIMABLE),
                        "Reclaimable");
    assert_string_equal(buddy_migratetype_name(BUDDY_MIGRATE_TYPES), "?");
    zone_del(&f);
}

/* System allocations say their type in the gfp word: 0 is unmovable, as
 * GFP_KERNEL; the call without flags allocates as movable. */
static void test_system_types(void **state)
{
    struct fixture f;
    struct buddy_zone *z = zone_new_free(&f, 0, 2048, 10);
    struct buddy_system sys;
    buddy_pfn_t pfn;

    (void)state;
    buddy_system_init(&sys);
    assert_int_equal(buddy_system_add_zone(&sys, 0, 0, z), 0);
    assert_int_equal(buddy_system_alloc_pages(&sys, 0, 0, 0, &pfn, NULL), 0);
    assert_int_equal(stats_of(z).claims, 0);
    assert_int_equal(buddy_system_alloc_pages_flags(&sys, 0, 0, 0, 0, &pfn,
                                                    NULL),
                     0);
    assert_int_equal(stats_of(z).claims, 1);
    assert_int_equal(pb_type(z, pfn), BUDDY_MIGRATE_UNMOVABLE);
    assert_int_equal(buddy_system_alloc_pages_flags(
                         &sys, 0, 0, 0, BUDDY_GFP_RECLAIMABLE, &pfn, NULL),
                     0);
    assert_int_equal(pb_type(z, pfn), BUDDY_MIGRATE_RECLAIMABLE);
    assert_valid(z);
    zone_del(&f);
}

/* Isolation: a pageblock taken out of use, its free blocks on the
 * ISOLATE lists (a larger free block cut at its edges), nothing allocated
 * from it, frees into it kept there; the undo gives its type back and
 * lets its blocks merge again. */
static void test_isolate(void **state)
{
    struct fixture f;
    struct buddy_zone *z = zone_new_free(&f, 0, 2048, 10);
    struct buddy_zone_pagetypes pt;
    struct snapshot before;
    buddy_pfn_t pfn, got[2];
    unsigned i;

    (void)state;
    pfn = alloc_type(z, 0, BUDDY_MIGRATE_MOVABLE);
    assert_int_equal(pfn, 0);
    assert_int_equal(buddy_zone_isolate_range(z, 600, 1), 0); /* pageblock 1 */
    assert_valid(z);
    assert_int_equal(pb_type(z, 512), BUDDY_MIGRATE_ISOLATE);
    assert_int_equal(pb_type(z, 0), BUDDY_MIGRATE_MOVABLE);
    pt = pagetypes_of(z);
    assert_int_equal(pt.nr_free[9][BUDDY_MIGRATE_ISOLATE], 1);
    assert_int_equal(pt.nr_pageblocks[BUDDY_MIGRATE_ISOLATE], 1);
    /* Nothing comes from it: three order-9 blocks are left elsewhere. */
    for (i = 0; i < 2; i++)
        got[i] = alloc_type(z, 9, BUDDY_MIGRATE_MOVABLE);
    assert_int_equal(got[0], 1024);
    assert_int_equal(got[1], 1536);
    assert_int_equal(buddy_zone_alloc_pages_type(z, 9, BUDDY_MIGRATE_UNMOVABLE,
                                                 &pfn),
                     BUDDY_ENOMEM);
    for (i = 0; i < 2; i++)
        assert_int_equal(buddy_zone_free_pages(z, got[i], 9), 0);
    /* Twice is refused, with nothing changed. */
    snapshot_take(z, &before);
    assert_int_equal(buddy_zone_isolate_range(z, 0, 1024), BUDDY_EBUSY);
    assert_unchanged_but_rejected(z, &before);
    snapshot_take(z, &before);
    assert_int_equal(buddy_zone_isolate_range(z, 0, 0), BUDDY_EINVAL);
    assert_unchanged_but_rejected(z, &before);
    snapshot_take(z, &before);
    assert_int_equal(buddy_zone_isolate_range(z, 2000, 100), BUDDY_ERANGE);
    assert_unchanged_but_rejected(z, &before);
    snapshot_take(z, &before);
    assert_int_equal(buddy_zone_undo_isolate_range(z, 2048, 1), BUDDY_ERANGE);
    assert_unchanged_but_rejected(z, &before);
    assert_int_equal(buddy_zone_isolate_range(NULL, 0, 1), BUDDY_EBADZONE);
    /* The undo: pageblock 1 is movable again and merges back. */
    assert_int_equal(buddy_zone_undo_isolate_range(z, 0, 2048), 0);
    assert_valid(z);
    assert_int_equal(pb_type(z, 512), BUDDY_MIGRATE_MOVABLE);
    assert_int_equal(buddy_zone_free_pages(z, 0, 0), 0);
    assert_int_equal(zone_nr_free(z, 10), 2);
    zone_del(&f);
}

/* A whole free max_order block isolated: its two pageblocks' blocks merge
 * with each other as ISOLATE, not with anything else; a free into it stays
 * isolated; the undo merges it all back. */
static void test_isolate_merges_within(void **state)
{
    struct fixture f;
    struct buddy_zone *z = zone_new_free(&f, 0, 2048, 10);
    struct buddy_zone_pagetypes pt;
    buddy_pfn_t pfn = alloc_type(z, 0, BUDDY_MIGRATE_MOVABLE);

    (void)state;
    assert_int_equal(pfn, 0);
    assert_int_equal(buddy_zone_isolate_range(z, 0, 1024), 0);
    assert_valid(z);
    assert_int_equal(buddy_zone_free_pages(z, 0, 0), 0);
    assert_valid(z);
    pt = pagetypes_of(z);
    assert_int_equal(pt.nr_free[10][BUDDY_MIGRATE_ISOLATE], 1);
    assert_int_equal(pt.nr_free[10][BUDDY_MIGRATE_MOVABLE], 1);
    assert_int_equal(pt.nr_pageblocks[BUDDY_MIGRATE_ISOLATE], 2);
    assert_int_equal(buddy_zone_undo_isolate_range(z, 512, 512), 0);
    assert_valid(z);
    assert_int_equal(pb_type(z, 0), BUDDY_MIGRATE_ISOLATE);
    assert_int_equal(pb_type(z, 512), BUDDY_MIGRATE_MOVABLE);
    assert_int_equal(buddy_zone_undo_isolate_range(z, 0, 1), 0);
    assert_valid(z);
    pt = pagetypes_of(z);
    assert_int_equal(pt.nr_free[10][BUDDY_MIGRATE_MOVABLE], 2);
    assert_int_equal(pt.nr_pageblocks[BUDDY_MIGRATE_MOVABLE], 4);
    /* An isolated pageblock keeps its own type for the undo. */
    assert_int_equal(alloc_type(z, 0, BUDDY_MIGRATE_UNMOVABLE), 0);
    assert_int_equal(buddy_zone_isolate_range(z, 0, 2048), 0);
    assert_valid(z);
    assert_int_equal(buddy_zone_undo_isolate_range(z, 0, 2048), 0);
    assert_valid(z);
    assert_int_equal(pb_type(z, 0), BUDDY_MIGRATE_UNMOVABLE);
    assert_int_equal(pb_type(z, 1024), BUDDY_MIGRATE_MOVABLE);
    zone_del(&f);
}

/* The HIGHATOMIC reserve: a high-order atomic allocation in the slow path
 * reserves its pageblock; normal requests cannot use it, an atomic order-0
 * one can; under pressure the last reserved pageblock is given back. */
static void test_highatomic_reserve(void **state)
{
    struct fixture f;
    struct buddy_zone *z = zone_new_free(&f, 0, 65536, 10);
    struct buddy_system sys;
    struct buddy_wmark_config wc = BUDDY_WMARK_CONFIG_INIT;
    struct buddy_zone_pagetypes pt;
    buddy_pfn_t pfn, atomic;
    unsigned i;

    (void)state;
    buddy_system_init(&sys);
    assert_int_equal(buddy_system_add_zone(&sys, 0, 0, z), 0);
    wc.min_free_kbytes = 4096; /* min 1024, low 1280 */
    assert_int_equal(buddy_system_set_watermarks(&sys, &wc), 0);
    for (i = 0; i < 63; i++)
        (void)alloc_type(z, 10, BUDDY_MIGRATE_MOVABLE);
    /* 1024 pages free: below low, above GFP_ATOMIC's share of min. */
    assert_int_equal(buddy_system_alloc_pages_flags(&sys, 0, 0, 1,
                                                    BUDDY_GFP_ATOMIC, &atomic,
                                                    NULL),
                     0);
    assert_valid(z);
    pt = pagetypes_of(z);
    assert_int_equal(pt.nr_pageblocks[BUDDY_MIGRATE_HIGHATOMIC], 1);
    assert_int_equal(pb_type(z, atomic), BUDDY_MIGRATE_HIGHATOMIC);
    /* The rest of memory goes; the reserve stays out of zone calls. */
    (void)alloc_type(z, 9, BUDDY_MIGRATE_UNMOVABLE);
    assert_int_equal(buddy_zone_alloc_pages_type(z, 0, BUDDY_MIGRATE_UNMOVABLE,
                                                 &pfn),
                     BUDDY_ENOMEM);
    /* Not above min even with the reserve: NOWAIT alone fails. */
    assert_int_equal(buddy_system_alloc_pages_flags(&sys, 0, 0, 0,
                                                    BUDDY_GFP_NOWAIT, &pfn,
                                                    NULL),
                     BUDDY_ENOMEM);
    /* GFP_ATOMIC may go lower, and may not block: it takes the reserve. */
    assert_int_equal(buddy_system_alloc_pages_flags(&sys, 0, 0, 0,
                                                    BUDDY_GFP_ATOMIC, &pfn,
                                                    NULL),
                     0);
    assert_int_equal(pb_type(z, pfn), BUDDY_MIGRATE_HIGHATOMIC);
    assert_int_equal(buddy_zone_free_pages(z, pfn, 0), 0);
    /* A GFP_KERNEL request gets it only once the reserve is given back,
     * which happens when nothing else helps (the forced unreserve). */
    wc.min_free_kbytes = 1; /* marks near 0: only the reserve is short */
    assert_int_equal(buddy_system_set_watermarks(&sys, &wc), 0);
    assert_int_equal(buddy_system_alloc_pages_flags(&sys, 0, 0, 0, 0, &pfn,
                                                    NULL),
                     0);
    assert_valid(z);
    pt = pagetypes_of(z);
    assert_int_equal(pt.nr_pageblocks[BUDDY_MIGRATE_HIGHATOMIC], 0);
    assert_int_equal(pb_type(z, pfn), BUDDY_MIGRATE_UNMOVABLE);
    zone_del(&f);
}

/* Events, as the kernel's mm_page_alloc_extfrag tracepoint has them: a
 * claim changes ownership, a steal does not; watermark crossings. */
struct ev_log {
    struct buddy_event ev[64];
    unsigned n;
};

static void log_event(void *arg, const struct buddy_event *ev)
{
    struct ev_log *log = arg;

    if (log->n < 64)
        log->ev[log->n++] = *ev;
}

static const struct buddy_event *find_event(const struct ev_log *log,
                                            enum buddy_event_type type)
{
    unsigned i;

    for (i = 0; i < log->n; i++)
        if (log->ev[i].type == type)
            return &log->ev[i];
    return NULL;
}

static void test_events(void **state)
{
    struct fixture f;
    struct buddy_zone *z = zone_new_free(&f, 0, 512, 9);
    struct ev_log log = {.n = 0};
    const struct buddy_event *e;
    buddy_pfn_t pfn;
    unsigned i;

    (void)state;
    assert_int_equal(buddy_zone_set_hook(z, log_event, &log), 0);
    assert_int_equal(alloc_type(z, 0, BUDDY_MIGRATE_UNMOVABLE), 0);
    e = find_event(&log, BUDDY_EV_EXTFRAG);
    assert_non_null(e);
    assert_int_equal(e->pfn, 0);
    assert_int_equal(e->order, 0);
    assert_int_equal(e->fallback_order, 9);
    assert_int_equal(e->alloc_type, BUDDY_MIGRATE_UNMOVABLE);
    assert_int_equal(e->fallback_type, BUDDY_MIGRATE_MOVABLE);
    assert_true(e->change_ownership);
    assert_true(e < find_event(&log, BUDDY_EV_ALLOC)); /* before the alloc */
    /* A small movable request into a nearly full unmovable pageblock
     * steals: no change of ownership. */
    for (i = 1; i < 508; i++)
        (void)alloc_type(z, 0, BUDDY_MIGRATE_UNMOVABLE);
    log.n = 0;
    assert_int_equal(buddy_zone_alloc_pages_type(z, 0, BUDDY_MIGRATE_MOVABLE,
                                                 &pfn),
                     0);
    e = find_event(&log, BUDDY_EV_EXTFRAG);
    assert_non_null(e);
    assert_int_equal(e->pfn, pfn);
    assert_int_equal(e->fallback_order, 2);
    assert_int_equal(e->alloc_type, BUDDY_MIGRATE_MOVABLE);
    assert_int_equal(e->fallback_type, BUDDY_MIGRATE_UNMOVABLE);
    assert_false(e->change_ownership);
    assert_string_equal(buddy_event_name(BUDDY_EV_EXTFRAG), "extfrag");
    assert_string_equal(buddy_event_name(BUDDY_EV_WMARK), "wmark");
    /* A system allocation that passes a zone by reports the mark. */
    {
        struct buddy_wmark_config wc = BUDDY_WMARK_CONFIG_INIT;

        wc.min_free_kbytes = 1024; /* min 256: only 3 pages are free */
        assert_int_equal(buddy_zone_set_watermarks(z, &wc), 0);
        log.n = 0;
        assert_int_equal(buddy_zone_alloc_pages_flags(z, 0, 0, &pfn),
                         BUDDY_ENOMEM);
        e = find_event(&log, BUDDY_EV_WMARK);
        assert_non_null(e);
        assert_int_equal(e->wmark, BUDDY_WMARK_LOW);
        assert_int_equal(e->order, 0);
        assert_non_null(find_event(&log, BUDDY_EV_FAIL));
    }
    assert_valid(z);
    zone_del(&f);
}

/* ALLOC_NOFRAGMENT: a request preferring a zone with a populated zone
 * below it takes a whole pageblock of the lower zone before it fragments
 * its own; only when nothing is left that way does it fragment. */
static void test_nofragment(void **state)
{
    struct fixture f, g;
    struct buddy_zone *dma32 = zone_new_named(&f, "DMA32", 0, 1024, 9);
    struct buddy_zone *normal = zone_new_named(&g, "Normal", 1024, 1024, 9);
    struct buddy_system sys;
    struct buddy_zone *from = NULL;
    buddy_pfn_t pfn;
    unsigned i;

    (void)state;
    assert_int_equal(buddy_zone_add_range(dma32, 0, 1024), 0);
    assert_int_equal(buddy_zone_add_range(normal, 1024, 1024), 0);
    buddy_system_init(&sys);
    assert_int_equal(buddy_system_add_zone(&sys, 0, 1, dma32), 0);
    assert_int_equal(buddy_system_add_zone(&sys, 0, 2, normal), 0);
    /* Normal: one pageblock whole but allocated, the other broken. */
    assert_int_equal(alloc_type(normal, 0, BUDDY_MIGRATE_MOVABLE), 1024);
    assert_int_equal(alloc_type(normal, 9, BUDDY_MIGRATE_MOVABLE), 1536);
    assert_int_equal(buddy_system_alloc_pages_flags(&sys, 0, 2, 0, 0, &pfn,
                                                    &from),
                     0);
    assert_ptr_equal(from, dma32); /* not a fragmenting claim in Normal */
    assert_int_equal(pb_type(normal, 1024), BUDDY_MIGRATE_MOVABLE);
    assert_int_equal(pb_type(dma32, pfn), BUDDY_MIGRATE_UNMOVABLE);
    /* DMA32 full: now Normal's broken pageblock is claimed after all. */
    for (i = 0; i < 1023; i++)
        (void)alloc_type(dma32, 0, BUDDY_MIGRATE_MOVABLE);
    assert_int_equal(buddy_system_alloc_pages_flags(&sys, 0, 2, 0, 0, &pfn,
                                                    &from),
                     0);
    assert_ptr_equal(from, normal);
    assert_int_equal(pb_type(normal, pfn), BUDDY_MIGRATE_UNMOVABLE);
    assert_valid(dma32);
    assert_valid(normal);
    /* A lone zone's flags call has no lower zone: it fragments at once. */
    zone_del(&f);
    zone_del(&g);
    normal = zone_new_named(&g, "Normal", 0, 1024, 9);
    assert_int_equal(buddy_zone_add_range(normal, 0, 1024), 0);
    assert_int_equal(alloc_type(normal, 0, BUDDY_MIGRATE_MOVABLE), 0);
    assert_int_equal(alloc_type(normal, 9, BUDDY_MIGRATE_MOVABLE), 512);
    assert_int_equal(buddy_zone_alloc_pages_flags(normal, 0, 0, &pfn), 0);
    assert_int_equal(pfn, 1);
    zone_del(&g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fresh_zone_is_movable),
        cmocka_unit_test(test_claim_whole_pageblocks),
        cmocka_unit_test(test_claim_below_pageblock_order),
        cmocka_unit_test(test_steal_when_claim_fails),
        cmocka_unit_test(test_small_movable_steals_smallest),
        cmocka_unit_test(test_fallback_order),
        cmocka_unit_test(test_merge_across_pageblocks),
        cmocka_unit_test(test_free_above_pageblock_order),
        cmocka_unit_test(test_free_merges_above_pageblock_order),
        cmocka_unit_test(test_grouping_off),
        cmocka_unit_test(test_watermark_boost),
        cmocka_unit_test(test_pagetypeinfo_text),
        cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_system_types),
        cmocka_unit_test(test_isolate),
        cmocka_unit_test(test_isolate_merges_within),
        cmocka_unit_test(test_highatomic_reserve),
        cmocka_unit_test(test_events),
        cmocka_unit_test(test_nofragment),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
