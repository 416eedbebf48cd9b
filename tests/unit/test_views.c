/* SPDX-License-Identifier: MIT */
/* test_views.c: extfrag indices, the walker, and the event hook. */
#include "helpers.h"

/* 16 pages, then order 0 and order 2 taken: free 1 (o0), 2 (o1), 8 (o3):
 * 11 free pages in 3 blocks. */
static struct buddy_zone *fragmented(struct fixture *f)
{
    struct buddy_zone *z = zone_new_free(f, 0, 16, 4);
    buddy_pfn_t a, b;

    assert_int_equal(buddy_zone_alloc_pages(z, 0, &a), 0);
    assert_int_equal(buddy_zone_alloc_pages(z, 2, &b), 0);
    assert_int_equal(b, 4);
    return z;
}

/* Values worked by hand from mm/vmstat.c's formulas. */
static void test_extfrag_indices(void **state)
{
    struct fixture f;
    struct buddy_zone *z = fragmented(&f);
    buddy_pfn_t pfn;

    (void)state;
    assert_int_equal(zone_unusable_index(z, 0), 0);
    assert_int_equal(zone_unusable_index(z, 1), 90);   /* (11-10)*1000/11 */
    assert_int_equal(zone_unusable_index(z, 2), 272);  /* (11-8)*1000/11 */
    assert_int_equal(zone_unusable_index(z, 3), 272);
    assert_int_equal(zone_unusable_index(z, 4), 1000);
    assert_int_equal(zone_fragmentation_index(z, 3), -1000);
    /* order 4: 1000 - (1000 + 11000/16) / 3 = 1000 - 1687/3 = 438 */
    assert_int_equal(zone_fragmentation_index(z, 4), 438);
    /* Nothing free: unusable is 1000, fragmentation 0. */
    while (buddy_zone_alloc_pages(z, 0, &pfn) == 0)
        ;
    assert_int_equal(zone_unusable_index(z, 0), 1000);
    assert_int_equal(zone_fragmentation_index(z, 0), 0);
    zone_del(&f);
}

struct walk_log {
    char text[512];
    size_t len;
};

static int log_block(void *arg, const struct buddy_block *b)
{
    struct walk_log *w = arg;

    w->len += (size_t)snprintf(w->text + w->len, sizeof(w->text) - w->len,
                               "%s@%llu+%llu ", buddy_block_kind_name(b->kind),
                               (unsigned long long)b->pfn,
                               (unsigned long long)b->nr_pages);
    return 0;
}

static int stop_at_second(void *arg, const struct buddy_block *b)
{
    int *n = arg;

    (void)b;
    return ++*n == 2 ? 42 : 0;
}

static void test_walk_in_address_order(void **state)
{
    struct fixture f;
    struct buddy_zone *z = zone_new(&f, 2, 30, 3);
    struct walk_log w = {{0}, 0};
    buddy_pfn_t pfn;
    int n = 0;

    (void)state;
    assert_int_equal(buddy_zone_add_range(z, 4, 12), 0);  /* 4..7, 8..15 */
    assert_int_equal(buddy_zone_reserve(z, 14, 2), 0);
    assert_int_equal(buddy_zone_alloc_pages(z, 2, &pfn), 0);
    assert_int_equal(pfn, 4);
    assert_int_equal(buddy_zone_walk(z, log_block, &w), 0);
    assert_string_equal(w.text, "hole@2+2 allocated@4+4 free@8+4 free@12+2 "
                                "reserved@14+2 hole@16+16 ");
    assert_int_equal(buddy_zone_walk(z, stop_at_second, &n), 42);
    assert_int_equal(buddy_zone_walk(z, NULL, NULL), BUDDY_ENULL);
    zone_del(&f);
}

/* The hook sees every step, and may walk the zone mid-operation. */
struct event_log {
    char text[1024];
    size_t len;
};

static int log_inflight(void *arg, const struct buddy_block *b)
{
    struct event_log *log = arg;

    if (b->kind == BUDDY_BLOCK_INFLIGHT)
        log->len += (size_t)snprintf(log->text + log->len,
                                     sizeof(log->text) - log->len,
                                     "[inflight %llu/%u] ",
                                     (unsigned long long)b->pfn, b->order);
    return 0;
}

static void log_event(void *arg, const struct buddy_event *ev)
{
    struct event_log *log = arg;

    log->len += (size_t)snprintf(log->text + log->len,
                                 sizeof(log->text) - log->len, "%s %llu/%u",
                                 buddy_event_name(ev->type),
                                 (unsigned long long)ev->pfn, ev->order);
    if (ev->type == BUDDY_EV_SPLIT || ev->type == BUDDY_EV_MERGE)
        log->len += (size_t)snprintf(log->text + log->len,
                                     sizeof(log->text) - log->len, " buddy %llu",
                                     (unsigned long long)ev->buddy);
    if (ev->error != 0)
        log->len += (size_t)snprintf(log->text + log->len,
                                     sizeof(log->text) - log->len, " %s",
                                     buddy_errname(ev->error));
    log->len += (size_t)snprintf(log->text + log->len,
                                 sizeof(log->text) - log->len, "; ");
    buddy_zone_walk(ev->zone, log_inflight, log);
}

static void test_hook_reports_each_step(void **state)
{
    struct fixture f;
    struct buddy_zone *z = zone_new_free(&f, 0, 16, 4);
    struct event_log log = {{0}, 0};
    buddy_pfn_t pfn;

    (void)state;
    buddy_zone_set_hook(z, log_event, &log);
    assert_int_equal(buddy_zone_alloc_pages(z, 1, &pfn), 0);
    assert_string_equal(log.text,
                        "split 0/4 buddy 8; [inflight 0/3] "
                        "split 0/3 buddy 4; [inflight 0/2] "
                        "split 0/2 buddy 2; [inflight 0/1] "
                        "alloc 0/1; ");
    log.len = 0;
    log.text[0] = '\0';
    assert_int_equal(buddy_zone_free_pages(z, 0, 1), 0);
    assert_string_equal(log.text,
                        "free 0/1; [inflight 0/1] "
                        "merge 0/1 buddy 2; [inflight 0/2] "
                        "merge 0/2 buddy 4; [inflight 0/3] "
                        "merge 0/3 buddy 8; [inflight 0/4] ");
    assert_valid(z);
    log.len = 0;
    log.text[0] = '\0';
    assert_int_equal(buddy_zone_free_pages(z, 0, 1), BUDDY_EDOUBLEFREE);
    assert_int_equal(buddy_zone_alloc_pages(z, 0, &pfn), 0);
    buddy_zone_set_hook(z, NULL, NULL);
    assert_int_equal(buddy_zone_free_pages(z, 0, 0), 0); /* not logged */
    assert_string_equal(log.text, "reject 0/1 EDOUBLEFREE; "
                                  "split 0/4 buddy 8; [inflight 0/3] "
                                  "split 0/3 buddy 4; [inflight 0/2] "
                                  "split 0/2 buddy 2; [inflight 0/1] "
                                  "split 0/1 buddy 1; [inflight 0/0] "
                                  "alloc 0/0; ");
    assert_valid(z);
    zone_del(&f);
}

static void test_info_and_stats(void **state)
{
    struct fixture f;
    struct buddy_zone *z = fragmented(&f);
    struct buddy_zone_info info;
    struct buddy_zone_stats st;

    (void)state;
    assert_int_equal(buddy_zone_get_info(z, &info), 0);
    assert_string_equal(info.name, "Normal");
    assert_int_equal(info.page_size, 4096);
    assert_int_equal(info.max_order, 4);
    assert_int_equal(info.node_id, -1);
    assert_int_equal(buddy_zone_get_stats(z, &st), 0);
    assert_int_equal(st.free_pages, 11);
    assert_int_equal(st.nr_free[0], 1);
    assert_int_equal(st.nr_free[1], 1);
    assert_int_equal(st.nr_free[3], 1);
    assert_int_equal(st.alloc_count[0], 1);
    assert_int_equal(st.alloc_count[2], 1);
    assert_int_equal(st.splits, 4); /* the order-2 request found 4 free */
    zone_del(&f);
}

static int log_pfn(void *arg, const struct buddy_block *b)
{
    struct walk_log *w = arg;

    w->len += (size_t)snprintf(w->text + w->len, sizeof(w->text) - w->len,
                               "%llu/%u ", (unsigned long long)b->pfn, b->order);
    return 0;
}

/* Lists are LIFO: the walk shows the block the next allocation takes first;
 * deferred blocks of the lazy run come last, in address order. */
static void test_walk_free_list_in_list_order(void **state)
{
    struct fixture f;
    struct buddy_zone *z = zone_new_free(&f, 0, 64, 3); /* 8 deferred o3 */
    struct walk_log w = {{0}, 0};
    buddy_pfn_t p[4];

    (void)state;
    for (int i = 0; i < 4; i++)
        assert_int_equal(buddy_zone_alloc_pages(z, 3, &p[i]), 0);
    assert_int_equal(buddy_zone_free_pages(z, p[1], 3), 0);
    assert_int_equal(buddy_zone_free_pages(z, p[3], 3), 0);
    assert_int_equal(buddy_zone_walk_free_list(z, 3, log_pfn, &w), 0);
    assert_string_equal(w.text, "24/3 8/3 32/3 40/3 48/3 56/3 ");
    assert_int_equal(buddy_zone_walk_free_list(z, 4, log_pfn, &w), BUDDY_EORDER);
    assert_int_equal(buddy_zone_walk_free_list(z, 0, NULL, NULL), BUDDY_ENULL);
    assert_int_equal(buddy_zone_alloc_pages(z, 3, &p[0]), 0);
    assert_int_equal(p[0], 24); /* the first one listed */
    assert_true(buddy_version() ==
                BUDDY_VERSION_MAJOR * 10000u + BUDDY_VERSION_MINOR * 100u +
                    BUDDY_VERSION_PATCH);
    zone_del(&f);
}

/* A range operation reports once, when the zone is whole again: a hook that
 * validates on every event never sees a half-carved range. */
static void check_on_event(void *arg, const struct buddy_event *ev)
{
    int *n = arg;

    assert_int_equal(buddy_zone_check(ev->zone, NULL), 0);
    ++*n;
}

static void test_range_events_see_a_whole_zone(void **state)
{
    struct fixture f;
    struct buddy_zone *z = zone_new(&f, 0, 64, 4);
    int n = 0;

    (void)state;
    buddy_zone_set_hook(z, check_on_event, &n);
    assert_int_equal(buddy_zone_add_range(z, 0, 40), 0);
    assert_int_equal(buddy_zone_add_range(z, 40, 24), 0); /* merges inside */
    assert_int_equal(buddy_zone_reserve(z, 3, 20), 0);
    assert_int_equal(n, 3);
    zone_del(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_extfrag_indices),
        cmocka_unit_test(test_walk_in_address_order),
        cmocka_unit_test(test_hook_reports_each_step),
        cmocka_unit_test(test_info_and_stats),
        cmocka_unit_test(test_range_events_see_a_whole_zone),
        cmocka_unit_test(test_walk_free_list_in_list_order),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
