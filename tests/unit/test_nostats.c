/* SPDX-License-Identifier: MIT */
/*
 * test_nostats.c: the core built without statistics (BUDDY_STATS=0, the
 * buddy_core_nostats library). Allocation, frees, ranges, caches, refusals
 * and the validator work as in a full build; buddy_zone_get_stats says
 * ENOTSUP and writes nothing; the zone header is smaller by the counters.
 * helpers.h's snapshots read the stats, so refusals are checked here with
 * a walk alone.
 */
#include "helpers.h"

#include "internal.h"

_Static_assert(BUDDY_STATS == 0, "this test is for the core without counters");

/* The zone's blocks, as text: what a refused call must leave alone. */
static void walk_text(const struct buddy_zone *z, struct snapshot *s)
{
    memset(s, 0, sizeof(*s));
    assert_int_equal(buddy_zone_walk(z, snapshot_block, s), 0);
}

static void test_get_stats_is_not_supported(void **state)
{
    struct fixture f;
    struct buddy_zone *z = zone_new_free(&f, 0, 64, 6);
    struct buddy_zone_stats st, was;
    uint64_t junk[64] = {0};

    (void)state;
    memset(&st, 0x5a, sizeof(st));
    was = st;
    assert_int_equal(buddy_zone_get_stats(z, &st), BUDDY_ENOTSUP);
    assert_memory_equal(&st, &was, sizeof(st));
    /* The usual precedence first: EBADZONE, ENULL, then ENOTSUP. */
    assert_int_equal(buddy_zone_get_stats((struct buddy_zone *)junk, &st),
                     BUDDY_EBADZONE);
    assert_int_equal(buddy_zone_get_stats(z, NULL), BUDDY_ENULL);
    assert_string_equal(buddy_errname(BUDDY_ENOTSUP), "ENOTSUP");
    assert_string_not_equal(buddy_strerror(BUDDY_ENOTSUP), "unknown error");
    /* The other queries answer. */
    assert_int_equal(zone_nr_free(z, 6), 1);
    assert_int_equal(zone_free_pages(z), 64);
    assert_int_equal(zone_unusable_index(z, 6), 0);
    assert_valid(z);
    zone_del(&f);
}

static void test_allocator_works_without_counters(void **state)
{
    struct fixture f;
    struct buddy_zone *z = zone_new_free(&f, 0, 64, 6);
    struct buddy_pcp_config pc = BUDDY_PCP_CONFIG_INIT;
    struct buddy_pcp pcp;
    struct snapshot before, after;
    buddy_pfn_t pfn, cached, pfns[4];

    (void)state;
    assert_int_equal(buddy_zone_alloc_pages(z, 2, &pfn), 0);
    assert_int_equal(pfn, 0);
    assert_int_equal(zone_free_pages(z), 60);
    /* Refused calls: the error, nothing changed, the validator happy. */
    walk_text(z, &before);
    assert_int_equal(buddy_zone_free_pages(z, pfn, 1), BUDDY_EWRONGORDER);
    assert_int_equal(buddy_zone_free_pages(z, pfn + 1, 0), BUDDY_EINTERIOR);
    assert_int_equal(buddy_zone_free_pages(z, 64, 0), BUDDY_ERANGE);
    assert_int_equal(buddy_zone_add_range(z, 8, 8), BUDDY_EOVERLAP);
    assert_int_equal(buddy_zone_reserve(z, 0, 8), BUDDY_EBUSY);
    walk_text(z, &after);
    assert_string_equal(before.walk, after.walk);
    assert_valid(z);
    /* Ranges, bulk allocation and a cache, then all back: one block. */
    assert_int_equal(buddy_zone_reserve(z, 40, 8), 0);
    assert_int_equal(buddy_zone_alloc_bulk(z, 0, 4, pfns), 4);
    pc.batch = 4;
    assert_int_equal(buddy_pcp_init(&pcp, z, &pc), 0);
    assert_int_equal(buddy_pcp_alloc_pages(&pcp, 0, &cached), 0);
    assert_int_equal(buddy_pcp_free_pages(&pcp, cached, 0), 0);
    assert_valid(z); /* cached blocks, checked without counters */
    buddy_pcp_fini(&pcp);
    for (unsigned i = 0; i < 4; i++)
        assert_int_equal(buddy_zone_free_pfn(z, pfns[i]), 0);
    assert_int_equal(buddy_zone_free_pages(z, pfn, 2), 0);
    assert_int_equal(buddy_zone_add_range(z, 40, 8), 0);
    assert_int_equal(zone_nr_free(z, 6), 1);
    assert_valid(z);
    zone_del(&f);
}

/* The library and this test agree on the smaller header; its size is the
 * one docs/design.md gives. */
static void test_header_without_counters(void **state)
{
    struct buddy_zone_config cfg = BUDDY_ZONE_CONFIG_INIT;
    size_t header;

    (void)state;
    cfg.nr_pages = 1024; /* two pageblocks, a byte each */
    header = buddy_zone_meta_size(&cfg) - 1024 * BUDDY_META_BYTES_PER_PAGE - 2;
    assert_int_equal(header, (sizeof(struct buddy_zone) + 7) & ~(size_t)7);
    if (sizeof(void *) == 8)
        assert_int_equal(header, 2496);
    print_message("metadata without stats: %u bytes per page + %zu bytes per "
                  "zone\n", BUDDY_META_BYTES_PER_PAGE, header);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_get_stats_is_not_supported),
        cmocka_unit_test(test_allocator_works_without_counters),
        cmocka_unit_test(test_header_without_counters),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
