/* SPDX-License-Identifier: MIT */
/* test_alloc.c: allocation splits, free merges, ranges and reserves, by pfn. */
#include "helpers.h"

static void test_full_zone_is_one_block(void **state)
{
    struct fixture f;
    struct buddy_zone *z = zone_new_free(&f, 0, 1024, 10);

    (void)state;
    assert_int_equal(zone_nr_free(z, 10), 1);
    assert_int_equal(zone_free_pages(z), 1024);
    for (unsigned k = 0; k < 10; k++)
        assert_int_equal(zone_nr_free(z, k), 0);
    assert_valid(z);
    zone_del(&f);
}

/* The field guide's demo: an order-1 request from one order-4 block
 * cascades through three splits; the lower half is kept each time. */
static void test_alloc_cascades_three_splits(void **state)
{
    struct fixture f;
    struct buddy_zone *z = zone_new_free(&f, 0, 16, 4);
    struct buddy_zone_stats st;
    buddy_pfn_t pfn = 99;
    struct buddy_block b;

    (void)state;
    assert_int_equal(buddy_zone_alloc_pages(z, 1, &pfn), 0);
    assert_int_equal(pfn, 0);
    assert_int_equal(zone_nr_free(z, 4), 0);
    assert_int_equal(zone_nr_free(z, 3), 1);
    assert_int_equal(zone_nr_free(z, 2), 1);
    assert_int_equal(zone_nr_free(z, 1), 1);
    assert_int_equal(zone_nr_free(z, 0), 0);
    /* The upper halves: 8 (order 3), 4 (order 2), 2 (order 1). */
    assert_int_equal(buddy_zone_find_block(z, 8, &b), 0);
    assert_int_equal(b.kind, BUDDY_BLOCK_FREE);
    assert_int_equal(b.order, 3);
    assert_int_equal(buddy_zone_find_block(z, 5, &b), 0);
    assert_int_equal(b.pfn, 4);
    assert_int_equal(b.order, 2);
    assert_int_equal(buddy_zone_find_block(z, 3, &b), 0);
    assert_int_equal(b.pfn, 2);
    assert_int_equal(b.order, 1);
    assert_int_equal(buddy_zone_find_block(z, 1, &b), 0);
    assert_int_equal(b.kind, BUDDY_BLOCK_ALLOCATED);
    assert_int_equal(b.pfn, 0);
    assert_int_equal(buddy_zone_get_stats(z, &st), 0);
    assert_int_equal(st.splits, 3);
    assert_int_equal(st.alloc_count[1], 1);
    assert_int_equal(st.free_pages, 14);
    assert_valid(z);

    /* And the free ripples back up to one order-4 block. */
    assert_int_equal(buddy_zone_free_pages(z, 0, 1), 0);
    assert_int_equal(buddy_zone_get_stats(z, &st), 0);
    assert_int_equal(st.merges, 3);
    assert_int_equal(zone_nr_free(z, 4), 1);
    assert_int_equal(st.free_pages, 16);
    assert_valid(z);
    zone_del(&f);
}

/* Smallest fitting block first: an order-0 request takes the free order-0
 * block rather than splitting a larger one. */
static void test_alloc_prefers_smallest_order(void **state)
{
    struct fixture f;
    struct buddy_zone *z = zone_new_free(&f, 0, 16, 4);
    buddy_pfn_t a, b, c;

    (void)state;
    assert_int_equal(buddy_zone_alloc_pages(z, 0, &a), 0); /* leaves 1,2,4,8 */
    assert_int_equal(a, 0);
    assert_int_equal(buddy_zone_alloc_pages(z, 0, &b), 0);
    assert_int_equal(b, 1);
    assert_int_equal(buddy_zone_alloc_pages(z, 2, &c), 0);
    assert_int_equal(c, 4);
    assert_int_equal(zone_nr_free(z, 1), 1); /* 2 untouched */
    assert_int_equal(zone_nr_free(z, 3), 1); /* 8 untouched */
    assert_valid(z);
    zone_del(&f);
}

static void test_free_reuses_last_freed_first(void **state)
{
    struct fixture f;
    struct buddy_zone *z = zone_new_free(&f, 0, 64, 6);
    buddy_pfn_t p[8], again;

    (void)state;
    for (int i = 0; i < 8; i++)
        assert_int_equal(buddy_zone_alloc_pages(z, 0, &p[i]), 0);
    assert_int_equal(buddy_zone_free_pages(z, p[2], 0), 0);
    assert_int_equal(buddy_zone_free_pages(z, p[5], 0), 0);
    assert_int_equal(buddy_zone_alloc_pages(z, 0, &again), 0);
    assert_int_equal(again, p[5]);
    assert_valid(z);
    zone_del(&f);
}

static void test_exhaustion_returns_enomem(void **state)
{
    struct fixture f;
    struct buddy_zone *z = zone_new_free(&f, 0, 16, 4);
    struct buddy_zone_stats st;
    buddy_pfn_t pfn;

    (void)state;
    for (int i = 0; i < 16; i++) {
        assert_int_equal(buddy_zone_alloc_pages(z, 0, &pfn), 0);
        assert_int_equal(pfn, (buddy_pfn_t)i);
    }
    pfn = 1234;
    assert_int_equal(buddy_zone_alloc_pages(z, 0, &pfn), BUDDY_ENOMEM);
    assert_int_equal(pfn, 1234);
    assert_int_equal(buddy_zone_get_stats(z, &st), 0);
    assert_int_equal(st.alloc_failures, 1);
    assert_int_equal(st.free_pages, 0);
    assert_valid(z);
    for (int i = 15; i >= 0; i--)
        assert_int_equal(buddy_zone_free_pfn(z, (buddy_pfn_t)i), 0);
    assert_int_equal(zone_nr_free(z, 4), 1);
    assert_valid(z);
    zone_del(&f);
}

/* An unaligned start carves into the largest naturally aligned blocks:
 * [3, 16) = 3 (order 0), 4..7 (order 2), 8..15 (order 3). */
static void test_unaligned_start_carves_aligned_blocks(void **state)
{
    struct fixture f;
    struct buddy_zone *z = zone_new_free(&f, 3, 13, 4);
    buddy_pfn_t pfn;

    (void)state;
    assert_int_equal(zone_nr_free(z, 0), 1);
    assert_int_equal(zone_nr_free(z, 1), 0);
    assert_int_equal(zone_nr_free(z, 2), 1);
    assert_int_equal(zone_nr_free(z, 3), 1);
    assert_int_equal(zone_nr_free(z, 4), 0);
    /* Order-3 blocks are aligned in pfn space, not zone-relative. */
    assert_int_equal(buddy_zone_alloc_pages(z, 3, &pfn), 0);
    assert_int_equal(pfn, 8);
    /* 3's buddy (2) is outside the zone: freeing 3 can never merge. */
    assert_int_equal(buddy_zone_alloc_pages(z, 0, &pfn), 0);
    assert_int_equal(pfn, 3);
    assert_int_equal(buddy_zone_free_pages(z, 3, 0), 0);
    assert_int_equal(zone_nr_free(z, 0), 1);
    assert_valid(z);
    zone_del(&f);
}

/* Memory enters as ranges; holes stay holes; adjacent ranges merge. */
static void test_ranges_with_holes_and_merging(void **state)
{
    struct fixture f;
    struct buddy_zone *z = zone_new(&f, 0, 32, 5);
    struct buddy_zone_stats st;
    struct buddy_block b;

    (void)state;
    assert_int_equal(buddy_zone_add_range(z, 0, 5), 0);   /* 0..3, 4 */
    assert_int_equal(buddy_zone_add_range(z, 8, 24), 0);  /* 8..15, 16..31 */
    assert_int_equal(zone_nr_free(z, 0), 1);
    assert_int_equal(zone_nr_free(z, 2), 1);
    assert_int_equal(zone_nr_free(z, 3), 1);
    assert_int_equal(zone_nr_free(z, 4), 1);
    assert_int_equal(buddy_zone_get_stats(z, &st), 0);
    assert_int_equal(st.spanned_pages, 32);
    assert_int_equal(st.present_pages, 29);
    assert_int_equal(st.managed_pages, 29);
    assert_int_equal(st.free_pages, 29);
    assert_int_equal(buddy_zone_find_block(z, 6, &b), 0);
    assert_int_equal(b.kind, BUDDY_BLOCK_HOLE);
    assert_valid(z);
    /* Filling the hole merges everything into one order-5 block. */
    assert_int_equal(buddy_zone_add_range(z, 5, 3), 0);
    assert_int_equal(zone_nr_free(z, 5), 1);
    for (unsigned k = 0; k < 5; k++)
        assert_int_equal(zone_nr_free(z, k), 0);
    assert_valid(z);
    zone_del(&f);
}

static void test_reserve_and_give_back(void **state)
{
    struct fixture f;
    struct buddy_zone *z = zone_new_free(&f, 0, 64, 6);
    struct buddy_zone_stats st;
    struct buddy_block b;
    buddy_pfn_t pfn;

    (void)state;
    /* Firmware table at 5..9: splits the order-6 block around it. */
    assert_int_equal(buddy_zone_reserve(z, 5, 5), 0);
    assert_int_equal(buddy_zone_get_stats(z, &st), 0);
    assert_int_equal(st.reserved_pages, 5);
    assert_int_equal(st.present_pages, 64);
    assert_int_equal(st.managed_pages, 59);
    assert_int_equal(st.free_pages, 59);
    assert_int_equal(buddy_zone_find_block(z, 7, &b), 0);
    assert_int_equal(b.kind, BUDDY_BLOCK_RESERVED);
    assert_valid(z);
    /* Reserving an already reserved page is fine (memblock overlaps). */
    assert_int_equal(buddy_zone_reserve(z, 4, 2), 0);
    assert_int_equal(buddy_zone_get_stats(z, &st), 0);
    assert_int_equal(st.reserved_pages, 6);
    assert_valid(z);
    /* No allocation ever lands in the reserved pages. */
    while (buddy_zone_alloc_pages(z, 0, &pfn) == 0)
        assert_true(pfn < 4 || pfn > 9);
    for (buddy_pfn_t p = 0; p < 64; p++)
        if (p < 4 || p > 9)
            assert_int_equal(buddy_zone_free_pfn(z, p), 0);
    /* Giving the reserved pages back merges the zone whole again. */
    assert_int_equal(buddy_zone_add_range(z, 4, 6), 0);
    assert_int_equal(zone_nr_free(z, 6), 1);
    assert_int_equal(buddy_zone_get_stats(z, &st), 0);
    assert_int_equal(st.reserved_pages, 0);
    assert_int_equal(st.free_pages, 64);
    assert_valid(z);
    zone_del(&f);
}

struct step_count {
    uint64_t splits, merges;
};

static void count_steps(void *arg, const struct buddy_event *ev)
{
    struct step_count *c = arg;

    c->splits += ev->type == BUDDY_EV_SPLIT;
    c->merges += ev->type == BUDDY_EV_MERGE;
}

/* splits and merges count what allocations and frees do, one per SPLIT or
 * MERGE event; range operations, which merge (add_range, a reserve's
 * leftovers) and cut blocks without events, count neither. */
static void test_ranges_count_no_splits_or_merges(void **state)
{
    struct fixture f;
    struct buddy_zone *z = zone_new(&f, 0, 64, 6);
    struct step_count c = {0, 0};
    struct buddy_zone_stats st;
    buddy_pfn_t pfn;

    (void)state;
    buddy_zone_set_hook(z, count_steps, &c);
    /* Page by page: each add merges with what came before, up to order 6. */
    for (buddy_pfn_t p = 0; p < 64; p++)
        assert_int_equal(buddy_zone_add_range(z, p, 1), 0);
    assert_int_equal(zone_nr_free(z, 6), 1);
    /* A reserve cuts the order-6 block; giving it back merges it again. */
    assert_int_equal(buddy_zone_reserve(z, 5, 5), 0);
    assert_int_equal(buddy_zone_add_range(z, 5, 5), 0);
    assert_int_equal(zone_nr_free(z, 6), 1);
    assert_int_equal(buddy_zone_get_stats(z, &st), 0);
    assert_int_equal(st.splits, 0);
    assert_int_equal(st.merges, 0);
    assert_int_equal(c.splits, 0);
    assert_int_equal(c.merges, 0);
    /* An allocation and its free: six of each, counted and reported. */
    assert_int_equal(buddy_zone_alloc_pages(z, 0, &pfn), 0);
    assert_int_equal(buddy_zone_free_pages(z, pfn, 0), 0);
    assert_int_equal(buddy_zone_get_stats(z, &st), 0);
    assert_int_equal(st.splits, 6);
    assert_int_equal(st.merges, 6);
    assert_int_equal(c.splits, st.splits);
    assert_int_equal(c.merges, st.merges);
    assert_valid(z);
    zone_del(&f);
}

static void test_free_pfn_and_pfn_order(void **state)
{
    struct fixture f;
    struct buddy_zone *z = zone_new_free(&f, 100, 200, 5);
    buddy_pfn_t pfn;

    (void)state;
    assert_int_equal(buddy_zone_alloc_pages(z, 3, &pfn), 0);
    assert_int_equal(pfn % 8, 0);
    assert_int_equal(buddy_zone_pfn_order(z, pfn), 3);
    assert_int_equal(buddy_zone_pfn_order(z, pfn + 1), BUDDY_EINTERIOR);
    assert_int_equal(buddy_zone_free_pfn(z, pfn), 0);
    assert_int_equal(buddy_zone_pfn_order(z, pfn), BUDDY_EDOUBLEFREE);
    assert_valid(z);
    zone_del(&f);
}

/* max_order is configurable up to 31; a large order works end to end. */
static void test_large_max_order(void **state)
{
    struct fixture f;
    struct buddy_zone *z = zone_new_free(&f, 0, (uint64_t)1 << 20, 30);
    buddy_pfn_t pfn;

    (void)state;
    assert_int_equal(zone_nr_free(z, 20), 1);
    assert_int_equal(buddy_zone_alloc_pages(z, 0, &pfn), 0);
    assert_int_equal(zone_nr_free(z, 0), 1);
    assert_int_equal(zone_nr_free(z, 19), 1);
    assert_int_equal(buddy_zone_alloc_pages(z, 21, &pfn), BUDDY_ENOMEM);
    assert_int_equal(buddy_zone_alloc_pages(z, 31, &pfn), BUDDY_EORDER);
    assert_int_equal(buddy_zone_free_pfn(z, 0), 0);
    assert_int_equal(zone_nr_free(z, 20), 1);
    assert_valid(z);
    zone_del(&f);

    z = zone_new_free(&f, 0, 3000, 31);
    assert_int_equal(zone_nr_free(z, 11), 1); /* 2048 + 512 + ... */
    assert_valid(z);
    zone_del(&f);
}

/* max_order 0: every block is one page and nothing ever merges. */
static void test_max_order_zero(void **state)
{
    struct fixture f;
    struct buddy_zone *z = zone_new_free(&f, 0, 4, 0);
    buddy_pfn_t pfn;

    (void)state;
    assert_int_equal(zone_nr_free(z, 0), 4);
    assert_int_equal(buddy_zone_alloc_pages(z, 1, &pfn), BUDDY_EORDER);
    assert_int_equal(buddy_zone_alloc_pages(z, 0, &pfn), 0);
    assert_int_equal(buddy_zone_free_pfn(z, pfn), 0);
    assert_int_equal(zone_nr_free(z, 0), 4);
    assert_valid(z);
    zone_del(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_full_zone_is_one_block),
        cmocka_unit_test(test_alloc_cascades_three_splits),
        cmocka_unit_test(test_ranges_count_no_splits_or_merges),
        cmocka_unit_test(test_alloc_prefers_smallest_order),
        cmocka_unit_test(test_free_reuses_last_freed_first),
        cmocka_unit_test(test_exhaustion_returns_enomem),
        cmocka_unit_test(test_unaligned_start_carves_aligned_blocks),
        cmocka_unit_test(test_ranges_with_holes_and_merging),
        cmocka_unit_test(test_reserve_and_give_back),
        cmocka_unit_test(test_free_pfn_and_pfn_order),
        cmocka_unit_test(test_large_max_order),
        cmocka_unit_test(test_max_order_zero),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
