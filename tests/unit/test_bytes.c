/* SPDX-License-Identifier: MIT */
/* test_bytes.c: the byte API over a zone with a base address. The core never
 * touches the managed memory, so a made-up base address is enough. */
#include "helpers.h"

static void test_size_rounds_to_power_of_two_pages(void **state)
{
    struct fixture f;
    struct buddy_zone *z = zone_with_base(&f, 0, 1024, 10, BASE);

    (void)state;
    assert_int_equal(buddy_zone_size_to_order(z, 1), 0);
    assert_int_equal(buddy_zone_size_to_order(z, 4096), 0);
    assert_int_equal(buddy_zone_size_to_order(z, 4097), 1);
    assert_int_equal(buddy_zone_size_to_order(z, 3 * 4096), 2);
    assert_int_equal(buddy_zone_size_to_order(z, 4u << 20), 10);
    assert_int_equal(buddy_zone_size_to_order(z, (4u << 20) + 1), BUDDY_EORDER);
    assert_int_equal(buddy_zone_size_to_order(z, 0), BUDDY_EZERO);
    assert_int_equal(buddy_zone_size_to_order(z, SIZE_MAX), BUDDY_EORDER);
    zone_del(&f);
}

/* Document 000's example, done right: a 4 KiB request served from a free
 * 16 KiB block splits 16 -> 8 -> 4 and leaves an 8 KiB and a 4 KiB buddy
 * free (000 says it keeps an 8 KiB block, which is wrong). */
static void test_4k_from_16k_leaves_8k_and_4k_free(void **state)
{
    struct fixture f;
    struct buddy_zone *z = zone_with_base(&f, 0, 4, 2, BASE);
    struct buddy_zone_stats st;
    void *p;

    (void)state;
    assert_int_equal(zone_nr_free(z, 2), 1); /* one 16 KiB block */
    p = buddy_zone_alloc(z, 4096);
    assert_ptr_equal(p, (void *)BASE);
    assert_int_equal(buddy_zone_usable_size(z, p), 4096);
    assert_int_equal(zone_nr_free(z, 1), 1); /* the 8 KiB buddy */
    assert_int_equal(zone_nr_free(z, 0), 1); /* the 4 KiB buddy */
    assert_int_equal(zone_nr_free(z, 2), 0);
    assert_int_equal(buddy_zone_get_stats(z, &st), 0);
    assert_int_equal(st.splits, 2);
    assert_int_equal(buddy_zone_free(z, p), 0);
    assert_int_equal(zone_nr_free(z, 2), 1);
    assert_valid(z);
    zone_del(&f);
}

static void test_alloc_free_usable_size(void **state)
{
    struct fixture f;
    struct buddy_zone *z = zone_with_base(&f, 0, 1024, 10, BASE);
    char *a, *b;

    (void)state;
    a = buddy_zone_alloc(z, 5000);
    assert_non_null(a);
    assert_int_equal(buddy_zone_usable_size(z, a), 8192);
    assert_int_equal(((uintptr_t)a - BASE) % 8192, 0);
    b = buddy_zone_alloc(z, 1);
    assert_non_null(b);
    assert_int_equal(buddy_zone_usable_size(z, b), 4096);
    assert_int_equal(buddy_zone_addr_to_pfn(z, b), ((uintptr_t)b - BASE) / 4096);
    assert_ptr_equal(buddy_zone_pfn_to_addr(z, buddy_zone_addr_to_pfn(z, a)), a);
    assert_int_equal(buddy_zone_usable_size(z, a + 4096), 0); /* interior */
    assert_int_equal(buddy_zone_usable_size(z, NULL), 0);
    assert_int_equal(buddy_zone_free(z, a), 0);
    assert_int_equal(buddy_zone_usable_size(z, a), 0); /* free now */
    assert_int_equal(buddy_zone_free(z, b), 0);
    assert_int_equal(zone_nr_free(z, 10), 1);
    assert_null(buddy_zone_alloc(z, 0));
    assert_null(buddy_zone_alloc(z, (4u << 20) + 1));
    assert_valid(z);
    zone_del(&f);
}

static void test_aligned_alloc(void **state)
{
    struct fixture f;
    struct buddy_zone *z = zone_with_base(&f, 0, 1024, 10, BASE);
    void *p, *q;

    (void)state;
    assert_int_equal(buddy_zone_addr_align(z), 4u << 20);
    p = buddy_zone_alloc(z, 4096); /* so the next small block is not aligned */
    q = buddy_zone_alloc_aligned(z, 4096, 65536);
    assert_non_null(q);
    assert_int_equal((uintptr_t)q % 65536, 0);
    assert_int_equal(buddy_zone_usable_size(z, q), 65536);
    assert_null(buddy_zone_alloc_aligned(z, 4096, 3000));   /* not a power of 2 */
    assert_null(buddy_zone_alloc_aligned(z, 4096, 0));
    assert_null(buddy_zone_alloc_aligned(z, 4096, 8u << 20)); /* above the zone */
    assert_int_equal(buddy_zone_free(z, p), 0);
    assert_int_equal(buddy_zone_free(z, q), 0);
    assert_valid(z);
    zone_del(&f);

    /* A base only page-aligned cannot promise more than a page. */
    z = zone_with_base(&f, 0, 64, 6, BASE + 4096);
    assert_int_equal(buddy_zone_addr_align(z), 4096);
    assert_null(buddy_zone_alloc_aligned(z, 4096, 8192));
    assert_non_null(buddy_zone_alloc_aligned(z, 4096, 4096));
    zone_del(&f);

    /* An identity map (start_pfn = base / page_size) is aligned as pfns. */
    z = zone_with_base(&f, BASE / 4096 + 1, 63, 6, BASE + 4096);
    assert_int_equal(buddy_zone_addr_align(z), 4096u << 6);
    q = buddy_zone_alloc_aligned(z, 100, 32768);
    assert_non_null(q);
    assert_int_equal((uintptr_t)q % 32768, 0);
    zone_del(&f);
}

static void test_zone_without_base(void **state)
{
    struct fixture f;
    struct buddy_zone *z = zone_new_free(&f, 0, 16, 4);
    struct snapshot before;
    int x;

    (void)state;
    assert_null(buddy_zone_alloc(z, 4096));
    assert_int_equal(buddy_zone_addr_align(z), 0);
    snapshot_take(z, &before);
    assert_int_equal(buddy_zone_free(z, &x), BUDDY_ENOBASE);
    assert_unchanged_but_rejected(z, &before);
    zone_del(&f);
}

/* An address maps to a page only inside [base, base + span): one below
 * base (whose difference wraps) or at the end is outside, and a zone
 * without a base maps none, not even the small addresses a base of 0
 * would put inside it. */
static void test_address_to_page_bounds(void **state)
{
    static const uintptr_t outside[] = {
        0, 1, BASE - 1, BASE - 4096, BASE + 64u * 4096u,
        BASE + 64u * 4096u + 4095u, UINTPTR_MAX, UINTPTR_MAX - 4095u,
    };
    struct fixture f;
    struct buddy_zone *z = zone_with_base(&f, 7, 64, 6, BASE);
    buddy_pfn_t pfn;
    uintptr_t w;
    size_t i;

    (void)state;
    assert_int_equal(buddy_zone_addr_to_pfn(z, (void *)BASE), 7);
    assert_int_equal(buddy_zone_addr_to_pfn(z, (void *)(BASE + 4095u)), 7);
    assert_int_equal(buddy_zone_addr_to_pfn(z, (void *)(BASE + 64u * 4096u - 1u)),
                     70);
    assert_int_equal(buddy_zone_addr_private(z, (void *)(BASE + 4096u), &pfn,
                                             &w),
                     0);
    assert_int_equal(pfn, 8);
    for (i = 0; i < sizeof(outside) / sizeof(outside[0]); i++) {
        assert_int_equal(buddy_zone_addr_to_pfn(z, (void *)outside[i]),
                         BUDDY_PFN_NONE);
        assert_int_equal(buddy_zone_addr_private(z, (void *)outside[i], &pfn,
                                                 &w),
                         BUDDY_ERANGE);
    }
    assert_valid(z);
    zone_del(&f);

    z = zone_new_free(&f, 0, 16, 4);
    for (i = 0; i < 16u * 4096u; i += 4096u) {
        assert_int_equal(buddy_zone_addr_to_pfn(z, (void *)(i + 8u)),
                         BUDDY_PFN_NONE);
        assert_int_equal(buddy_zone_addr_private(z, (void *)(i + 8u), &pfn,
                                                 &w),
                         BUDDY_ERANGE);
    }
    assert_valid(z);
    zone_del(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_size_rounds_to_power_of_two_pages),
        cmocka_unit_test(test_4k_from_16k_leaves_8k_and_4k_free),
        cmocka_unit_test(test_alloc_free_usable_size),
        cmocka_unit_test(test_aligned_alloc),
        cmocka_unit_test(test_zone_without_base),
        cmocka_unit_test(test_address_to_page_bounds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
