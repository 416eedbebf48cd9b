/* SPDX-License-Identifier: MIT */
/* test_resize.c: an allocated block grown into its free buddies and shrunk
 * by freeing its upper halves, in place (buddy_zone_resize_pages). */
#include "helpers.h"

/* The walk and every counter as before: the call changed nothing, not
 * even `rejected` (a growth that cannot be made is no refusal). */
static void assert_unchanged(const struct buddy_zone *z,
                             const struct snapshot *before)
{
    struct snapshot after;

    snapshot_take(z, &after);
    assert_string_equal(before->walk, after.walk);
    assert_memory_equal(&before->st, &after.st, sizeof(after.st));
    assert_valid(z);
}

#define EXPECT_BUSY(z, call)                                                   \
    do {                                                                       \
        struct snapshot before_;                                               \
        snapshot_take((z), &before_);                                          \
        assert_int_equal((call), BUDDY_EBUSY);                                 \
        assert_unchanged((z), &before_);                                       \
    } while (0)

/* A block fresh from a split doubles in place up to the block it came
 * from, and shrinks back, leaving the free lists the split left. */
static void test_doubling_grows_in_place(void **state)
{
    struct fixture f;
    struct buddy_zone *z = zone_new_free(&f, 0, 1024, 10);
    struct buddy_zone_stats st;
    buddy_pfn_t pfn;
    unsigned k;

    (void)state;
    assert_int_equal(buddy_zone_alloc_pages(z, 0, &pfn), 0);
    assert_int_equal(pfn, 0);
    for (k = 0; k < 10; k++) {
        assert_int_equal(buddy_zone_resize_pages(z, 0, k, k + 1), 0);
        assert_int_equal(buddy_zone_pfn_order(z, 0), (int)k + 1);
        assert_int_equal(zone_free_pages(z), 1024 - (2u << k));
        assert_int_equal(zone_nr_free(z, k), 0);
        assert_valid(z);
    }
    assert_int_equal(buddy_zone_get_stats(z, &st), 0);
    assert_int_equal(st.alloc_count[10], 1);
    assert_int_equal(st.free_count[0], 1);
    assert_int_equal(st.merges, 0); /* claims, not merges */

    /* Shrink 10 -> 3: the upper halves of orders 3..9 are free, one each. */
    assert_int_equal(buddy_zone_resize_pages(z, 0, 10, 3), 0);
    assert_int_equal(buddy_zone_pfn_order(z, 0), 3);
    assert_int_equal(zone_free_pages(z), 1024 - 8);
    for (k = 3; k < 10; k++)
        assert_int_equal(zone_nr_free(z, k), 1);
    assert_int_equal(zone_nr_free(z, 10), 0);
    assert_valid(z);
    /* The free of the shrunk block merges it with every half: one block. */
    assert_int_equal(buddy_zone_free_pages(z, 0, 3), 0);
    assert_int_equal(zone_nr_free(z, 10), 1);
    assert_int_equal(zone_free_pages(z), 1024);
    assert_valid(z);
    zone_del(&f);
}

/* A growth needs every buddy a whole free block of its order and the
 * block aligned to its new size; otherwise EBUSY and nothing changes. */
static void test_growth_refused_changes_nothing(void **state)
{
    struct fixture f;
    struct buddy_zone *z = zone_new_free(&f, 0, 16, 4);
    buddy_pfn_t a, b, c;

    (void)state;
    assert_int_equal(buddy_zone_alloc_pages(z, 0, &a), 0); /* 0 */
    assert_int_equal(buddy_zone_alloc_pages(z, 0, &b), 0); /* 1 */
    assert_int_equal(a, 0);
    assert_int_equal(b, 1);
    EXPECT_BUSY(z, buddy_zone_resize_pages(z, 0, 0, 1)); /* buddy in use */
    EXPECT_BUSY(z, buddy_zone_resize_pages(z, 1, 0, 1)); /* misaligned */
    assert_int_equal(buddy_zone_free_pages(z, 1, 0), 0);
    assert_int_equal(buddy_zone_alloc_pages(z, 1, &c), 0); /* 2..3 */
    assert_int_equal(c, 2);
    /* Order 0's buddy (1) is free, order 1's (2) is allocated. */
    EXPECT_BUSY(z, buddy_zone_resize_pages(z, 0, 0, 2));
    assert_int_equal(buddy_zone_resize_pages(z, 0, 0, 1), 0);
    /* The order-2 block at 4 is free but the order-1 buddy is not. */
    EXPECT_BUSY(z, buddy_zone_resize_pages(z, 0, 1, 3));
    assert_int_equal(buddy_zone_free_pages(z, 2, 1), 0);
    assert_int_equal(buddy_zone_resize_pages(z, 0, 1, 4), 0);
    assert_int_equal(zone_free_pages(z), 0);
    assert_valid(z);
    /* A zone that ends inside the would-be block: no buddy there. */
    zone_del(&f);
    z = zone_new_free(&f, 0, 12, 4);
    assert_int_equal(buddy_zone_alloc_pages(z, 3, &a), 0);
    assert_int_equal(a, 0);
    EXPECT_BUSY(z, buddy_zone_resize_pages(z, 0, 3, 4));
    zone_del(&f);
}

/* Bad input is refused as a free refuses it, counted, nothing changed. */
static void test_resize_bad_input(void **state)
{
    struct fixture f;
    struct buddy_zone *z = zone_new_free(&f, 0, 16, 4);
    buddy_pfn_t a;

    (void)state;
    assert_int_equal(buddy_zone_resize_pages(NULL, 0, 0, 1), BUDDY_EBADZONE);
    assert_int_equal(buddy_zone_alloc_pages(z, 1, &a), 0); /* 0..1 */
    EXPECT_REJECTED(z, buddy_zone_resize_pages(z, 16, 0, 1), BUDDY_ERANGE);
    EXPECT_REJECTED(z, buddy_zone_resize_pages(z, 0, 1, 5), BUDDY_EORDER);
    EXPECT_REJECTED(z, buddy_zone_resize_pages(z, 0, 5, 1), BUDDY_EORDER);
    EXPECT_REJECTED(z, buddy_zone_resize_pages(z, 1, 1, 2), BUDDY_EALIGN);
    EXPECT_REJECTED(z, buddy_zone_resize_pages(z, 0, 0, 2),
                    BUDDY_EWRONGORDER);
    EXPECT_REJECTED(z, buddy_zone_resize_pages(z, 1, 0, 1), BUDDY_EINTERIOR);
    EXPECT_REJECTED(z, buddy_zone_resize_pages(z, 2, 1, 2),
                    BUDDY_EDOUBLEFREE);
    EXPECT_REJECTED(z, buddy_zone_resize_pages(z, 8, 3, 2),
                    BUDDY_EDOUBLEFREE);
    assert_int_equal(buddy_zone_resize_pages(z, 0, 1, 1), 0); /* no-op */
    assert_int_equal(buddy_zone_pfn_order(z, 0), 1);
    assert_valid(z);
    zone_del(&f);
}

/* Every page of a grown block carries the owner's word, as
 * buddy_zone_set_private left it on the pages it had. */
static void test_growth_keeps_owner_word(void **state)
{
    struct fixture f;
    struct buddy_zone *z = zone_new_free(&f, 0, 64, 6);
    buddy_pfn_t a, p;
    uintptr_t w;

    (void)state;
    assert_int_equal(buddy_zone_alloc_pages(z, 1, &a), 0);
    assert_int_equal(buddy_zone_set_private(z, a, (uintptr_t)0xfeed), 0);
    assert_int_equal(buddy_zone_resize_pages(z, a, 1, 5), 0);
    for (p = a; p < a + 32; p++) {
        assert_int_equal(buddy_zone_get_private(z, p, &w), 0);
        assert_int_equal(w, 0xfeed);
    }
    assert_valid(z);
    zone_del(&f);
}

struct events {
    unsigned n;
    struct buddy_event ev[8];
};

static void record(void *arg, const struct buddy_event *ev)
{
    struct events *e = arg;

    if (e->n < 8)
        e->ev[e->n] = *ev;
    e->n++;
}

/* One RESIZE event, saying both orders. */
static void test_resize_event(void **state)
{
    struct fixture f;
    struct buddy_zone *z = zone_new_free(&f, 0, 16, 4);
    struct events e = {0};
    buddy_pfn_t a;

    (void)state;
    assert_int_equal(buddy_zone_alloc_pages(z, 0, &a), 0);
    assert_int_equal(buddy_zone_set_hook(z, record, &e), 0);
    assert_int_equal(buddy_zone_resize_pages(z, a, 0, 3), 0);
    assert_int_equal(e.n, 1);
    assert_int_equal(e.ev[0].type, BUDDY_EV_RESIZE);
    assert_int_equal(e.ev[0].pfn, a);
    assert_int_equal(e.ev[0].order, 3);
    assert_int_equal(e.ev[0].old_order, 0);
    assert_string_equal(buddy_event_name(BUDDY_EV_RESIZE), "resize");
    e.n = 0;
    assert_int_equal(buddy_zone_resize_pages(z, a, 3, 1), 0);
    assert_int_equal(e.n, 1);
    assert_int_equal(e.ev[0].type, BUDDY_EV_RESIZE);
    assert_int_equal(e.ev[0].order, 1);
    assert_int_equal(e.ev[0].old_order, 3);
    assert_valid(z);
    zone_del(&f);
}

struct reported {
    unsigned n;
    struct buddy_free_range r[16];
};

static void on_report(void *arg, const struct buddy_free_range *r, unsigned n)
{
    struct reported *rep = arg;
    unsigned i;

    for (i = 0; i < n && rep->n < 16; i++)
        rep->r[rep->n++] = r[i];
}

/* A shrink's freed halves are noted for free page reporting; a noted free
 * block a growth took is not reported (it is the block's now). */
static void test_resize_and_free_reporting(void **state)
{
    struct fixture f;
    struct buddy_zone *z = zone_new_free(&f, 0, 64, 6);
    struct reported rep = {0};
    struct buddy_free_reporter r = {2, on_report, NULL, &rep};
    buddy_pfn_t a, b;

    (void)state;
    assert_int_equal(buddy_zone_alloc_pages(z, 2, &a), 0); /* 0..3 */
    assert_int_equal(buddy_zone_alloc_pages(z, 2, &b), 0); /* 4..7 */
    assert_int_equal(buddy_zone_set_free_reporter(z, &r), 0);
    assert_int_equal(buddy_zone_free_pages(z, b, 2), 0); /* noted */
    assert_int_equal(buddy_zone_resize_pages(z, a, 2, 3), 0); /* takes it */
    assert_int_equal(buddy_zone_report_free(z), 0);
    assert_int_equal(rep.n, 0);
    /* Shrink 5 -> 2 (after growing into 8..31): halves of 2, 3, 4. */
    assert_int_equal(buddy_zone_resize_pages(z, a, 3, 5), 0);
    assert_int_equal(buddy_zone_resize_pages(z, a, 5, 2), 0);
    assert_int_equal(buddy_zone_report_free(z), 3);
    assert_int_equal(rep.n, 3);
    assert_int_equal(rep.r[0].pfn, 16);
    assert_int_equal(rep.r[0].order, 4);
    assert_int_equal(rep.r[1].pfn, 8);
    assert_int_equal(rep.r[2].pfn, 4);
    assert_valid(z);
    zone_del(&f);
}

/* From pageblock_order up a buddy is another pageblock: an isolated one
 * is not taken; once given back it is. */
static void test_growth_respects_pageblock_types(void **state)
{
    struct fixture f;
    struct buddy_zone_config cfg = BUDDY_ZONE_CONFIG_INIT;
    struct buddy_zone *z;
    buddy_pfn_t a;

    (void)state;
    cfg.nr_pages = 16;
    cfg.max_order = 4;
    cfg.pageblock_order = 2;
    z = zone_from_config(&f, &cfg);
    assert_int_equal(buddy_zone_add_range(z, 0, 16), 0);
    assert_int_equal(buddy_zone_alloc_pages(z, 2, &a), 0);
    assert_int_equal(a, 0);
    assert_int_equal(buddy_zone_isolate_range(z, 4, 4), 0);
    EXPECT_BUSY(z, buddy_zone_resize_pages(z, 0, 2, 3));
    assert_int_equal(buddy_zone_undo_isolate_range(z, 4, 4), 0);
    assert_int_equal(buddy_zone_resize_pages(z, 0, 2, 4), 0);
    assert_int_equal(pb_type(z, 4), pb_type(z, 0));
    assert_int_equal(pb_type(z, 12), pb_type(z, 0));
    assert_valid(z);
    assert_int_equal(buddy_zone_free_pages(z, 0, 4), 0);
    assert_int_equal(zone_nr_free(z, 4), 1);
    assert_valid(z);
    zone_del(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_doubling_grows_in_place),
        cmocka_unit_test(test_growth_refused_changes_nothing),
        cmocka_unit_test(test_resize_bad_input),
        cmocka_unit_test(test_growth_keeps_owner_word),
        cmocka_unit_test(test_resize_event),
        cmocka_unit_test(test_resize_and_free_reporting),
        cmocka_unit_test(test_growth_respects_pageblock_types),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
