/* SPDX-License-Identifier: MIT */
/* test_report.c: free page reporting: the merged blocks of min_order and
 * more that frees leave are reported once, still free, in batches, with
 * the zone lock held; a block taken again before the report is not; more
 * notes than the zone keeps turn the report into a walk of the free lists;
 * a bad reporter is refused and changes nothing. */
#include "helpers.h"

struct log {
    unsigned calls, notifies, max_batch;
    uint64_t blocks;
    struct buddy_free_range last[256];
    bool lock_held_always;
    const int *held;
};

static void on_report(void *arg, const struct buddy_free_range *r, unsigned n)
{
    struct log *log = arg;
    unsigned i;

    log->calls++;
    if (n > log->max_batch)
        log->max_batch = n;
    for (i = 0; i < n; i++) {
        if (log->blocks < 256)
            log->last[log->blocks] = r[i];
        log->blocks++;
    }
    if (log->held != NULL && !*log->held)
        log->lock_held_always = false;
}

static void on_notify(void *arg)
{
    ((struct log *)arg)->notifies++;
}

static void count_lock(void *arg)
{
    (*(int *)arg)++;
}

static void count_unlock(void *arg)
{
    (*(int *)arg)--;
}

static void test_merged_blocks_reported_once(void **state)
{
    struct fixture f;
    struct log log = {.lock_held_always = true};
    struct buddy_free_reporter r = {3, on_report, on_notify, &log};
    int held = 0;
    struct buddy_lock_ops ops = {count_lock, count_unlock, &held, NULL, NULL, NULL};
    buddy_pfn_t p[8], q;
    unsigned i;

    (void)state;
    zone_new_free(&f, 0, 64, 6);
    assert_int_equal(buddy_zone_set_lock(f.z, &ops), 0);
    log.held = &held;
    assert_int_equal(buddy_zone_set_free_reporter(f.z, &r), 0);
    for (i = 0; i < 8; i++)
        assert_int_equal(buddy_zone_alloc_pages(f.z, 0, &p[i]), 0);
    /* Frees that leave blocks below order 3 note nothing. */
    for (i = 0; i < 7; i++)
        assert_int_equal(buddy_zone_free_pages(f.z, p[i], 0), 0);
    assert_int_equal(log.notifies, 0);
    assert_int_equal(buddy_zone_report_free(f.z), 0);
    assert_int_equal(log.calls, 0);
    /* The last merges the whole zone back: one block, order 6. */
    assert_int_equal(buddy_zone_free_pages(f.z, p[7], 0), 0);
    assert_int_equal(log.notifies, 1);
    assert_int_equal(buddy_zone_report_free(f.z), 1);
    assert_int_equal(log.calls, 1);
    assert_int_equal(log.last[0].pfn, 0);
    assert_int_equal(log.last[0].order, 6);
    assert_true(log.lock_held_always);
    assert_int_equal(held, 0);
    /* Reported: the notes are gone. */
    assert_int_equal(buddy_zone_report_free(f.z), 0);
    /* Freed, then taken again before the report: nothing to report. */
    assert_int_equal(buddy_zone_alloc_pages(f.z, 5, &q), 0);
    assert_int_equal(buddy_zone_free_pages(f.z, q, 5), 0);
    assert_int_equal(log.notifies, 2);
    assert_int_equal(buddy_zone_alloc_pages(f.z, 6, &q), 0);
    assert_int_equal(buddy_zone_report_free(f.z), 0);
    assert_int_equal(buddy_zone_free_pages(f.z, q, 6), 0);
    assert_int_equal(buddy_zone_report_free(f.z), 1);
    assert_int_equal(log.blocks, 2);
    /* Cleared: frees note nothing. */
    assert_int_equal(buddy_zone_set_free_reporter(f.z, NULL), 0);
    assert_int_equal(buddy_zone_alloc_pages(f.z, 6, &q), 0);
    assert_int_equal(buddy_zone_free_pages(f.z, q, 6), 0);
    assert_int_equal(buddy_zone_report_free(f.z), 0);
    assert_int_equal(log.blocks, 2);
    assert_valid(f.z);
    zone_del(&f);
}

/* More blocks noted than the zone keeps: the report walks the free lists
 * of min_order and up, in batches of at most BUDDY_FREE_REPORT_BATCH. */
static void test_overflow_walks_the_lists(void **state)
{
    struct fixture f;
    struct log log = {.lock_held_always = true};
    struct buddy_free_reporter r = {3, on_report, NULL, &log};
    static buddy_pfn_t p[128];
    uint64_t seen = 0;
    unsigned i;

    (void)state;
    zone_new_free(&f, 0, 1024, 3);
    assert_int_equal(buddy_zone_set_free_reporter(f.z, &r), 0);
    for (i = 0; i < 128; i++)
        assert_int_equal(buddy_zone_alloc_pages(f.z, 3, &p[i]), 0);
    for (i = 0; i < 128; i++)
        assert_int_equal(buddy_zone_free_pages(f.z, p[i], 3), 0);
    assert_true(128 > BUDDY_FREE_REPORT_PENDING);
    assert_int_equal(buddy_zone_report_free(f.z), 128);
    assert_int_equal(log.blocks, 128);
    assert_true(log.max_batch <= BUDDY_FREE_REPORT_BATCH);
    assert_int_equal(log.calls, 128 / BUDDY_FREE_REPORT_BATCH);
    for (i = 0; i < 128; i++) {
        assert_int_equal(log.last[i].order, 3);
        seen += log.last[i].pfn;
    }
    assert_int_equal(seen, 8u * (127u * 128u / 2u)); /* each block once */
    assert_int_equal(buddy_zone_report_free(f.z), 0);
    assert_valid(f.z);
    zone_del(&f);
}

/* A bad reporter, or a bad zone: refused, the reporter in place kept. */
static void test_bad_reporters(void **state)
{
    struct fixture f;
    struct log log = {.lock_held_always = true};
    struct buddy_free_reporter good = {2, on_report, NULL, &log};
    struct buddy_free_reporter no_fn = {2, NULL, NULL, &log};
    struct buddy_free_reporter too_big = {7, on_report, NULL, &log};
    buddy_pfn_t q;

    (void)state;
    zone_new_free(&f, 0, 64, 6);
    assert_int_equal(buddy_zone_set_free_reporter(NULL, &good), BUDDY_EBADZONE);
    assert_int_equal(buddy_zone_report_free(NULL), 0);
    assert_int_equal(buddy_zone_set_free_reporter(f.z, &good), 0);
    assert_int_equal(buddy_zone_set_free_reporter(f.z, &no_fn), BUDDY_ENULL);
    assert_int_equal(buddy_zone_set_free_reporter(f.z, &too_big), BUDDY_EORDER);
    assert_valid(f.z);
    assert_int_equal(buddy_zone_alloc_pages(f.z, 2, &q), 0);
    assert_int_equal(buddy_zone_free_pages(f.z, q, 2), 0);
    assert_int_equal(buddy_zone_report_free(f.z), 1); /* still the good one */
    assert_int_equal(log.last[0].order, 6);
    assert_valid(f.z);
    zone_del(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_merged_blocks_reported_once),
        cmocka_unit_test(test_overflow_walks_the_lists),
        cmocka_unit_test(test_bad_reporters),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
