/* SPDX-License-Identifier: MIT */
/* test_heap.c: the hosted layer: options, creation, memory, thread exit. */
#define _GNU_SOURCE
#include "helpers.h"

#include <pthread.h>

#include "buddy/hosted.h"

static void test_options_from_env(void **state)
{
    struct buddy_heap_options o = BUDDY_HEAP_OPTIONS_INIT, before;
    const char *bad = NULL;

    (void)state;
    setenv("BUDDY_CACHE", "cpu", 1);
    setenv("BUDDY_LOCK", "spin", 1);
    setenv("BUDDY_PCP_BATCH", "16", 1);
    setenv("BUDDY_PCP_HIGH", "64", 1);
    setenv("BUDDY_PCP_MAX_ORDER", "2", 1);
    assert_int_equal(buddy_heap_options_from_env(&o, &bad), 0);
    assert_int_equal(o.cache, BUDDY_CACHE_PER_CPU);
    assert_int_equal(o.lock, BUDDY_LOCK_SPIN);
    assert_int_equal(o.pcp.batch, 16);
    assert_int_equal(o.pcp.high, 64);
    assert_int_equal(o.pcp.max_order, 2);

    /* Each malformed value: EINVAL, named, nothing applied. */
    static const char *cases[][2] = {
        {"BUDDY_CACHE", "percpu"},   {"BUDDY_LOCK", "ticket"},
        {"BUDDY_PCP_BATCH", "0"},    {"BUDDY_PCP_BATCH", "12x"},
        {"BUDDY_PCP_BATCH", "-3"},   {"BUDDY_PCP_HIGH", ""},
        {"BUDDY_PCP_HIGH", "8"},     /* below batch */
        {"BUDDY_PCP_MAX_ORDER", "11"}, {"BUDDY_PCP_MAX_ORDER", "99999999999999999999"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char saved[64];
        const char *old = getenv(cases[i][0]);

        snprintf(saved, sizeof(saved), "%s", old ? old : "");
        setenv(cases[i][0], cases[i][1], 1);
        before = o;
        bad = NULL;
        assert_int_equal(buddy_heap_options_from_env(&o, &bad), BUDDY_EINVAL);
        assert_non_null(bad);
        assert_string_equal(bad, cases[i][0]);
        assert_memory_equal(&o, &before, sizeof(o));
        if (old)
            setenv(cases[i][0], saved, 1);
        else
            unsetenv(cases[i][0]);
    }
    setenv("BUDDY_PCP_HIGH", "0", 1); /* scaled with the zone */
    assert_int_equal(buddy_heap_options_from_env(&o, &bad), 0);
    assert_int_equal(o.pcp.high, 0);
    setenv("BUDDY_LOCK", "adaptive", 1);
    assert_int_equal(buddy_heap_options_from_env(&o, &bad), 0);
    assert_int_equal(o.lock, BUDDY_LOCK_ADAPTIVE);
    setenv("BUDDY_LOCK", "mutex", 1);
    assert_int_equal(buddy_heap_options_from_env(&o, &bad), 0);
    assert_int_equal(o.lock, BUDDY_LOCK_MUTEX);
    /* BUDDY_SYNC, and a batch past the bound, refused as a whole. */
    before = o;
    setenv("BUDDY_SYNC", "fence", 1);
    assert_int_equal(buddy_heap_options_from_env(&o, &bad), 0);
    assert_int_equal(o.sync, BUDDY_SYNC_FENCE);
    setenv("BUDDY_SYNC", "membarrier?", 1);
    before = o;
    assert_int_equal(buddy_heap_options_from_env(&o, &bad), BUDDY_EINVAL);
    assert_string_equal(bad, "BUDDY_SYNC");
    assert_memory_equal(&o, &before, sizeof(o));
    unsetenv("BUDDY_SYNC");
    setenv("BUDDY_PCP_BATCH", "4097", 1);
    assert_int_equal(buddy_heap_options_from_env(&o, &bad), BUDDY_EINVAL);
    assert_string_equal(bad, "BUDDY_PCP_BATCH");
    assert_memory_equal(&o, &before, sizeof(o));
    unsetenv("BUDDY_CACHE");
    unsetenv("BUDDY_LOCK");
    unsetenv("BUDDY_PCP_BATCH");
    unsetenv("BUDDY_PCP_HIGH");
    unsetenv("BUDDY_PCP_MAX_ORDER");
}

static void test_create_errors(void **state)
{
    struct buddy_heap_options o = BUDDY_HEAP_OPTIONS_INIT, bad;
    struct buddy_heap *h = NULL;

    (void)state;
    o.nr_pages = 1024;
    bad = o;
    bad.page_size = 1000;
    assert_int_equal(buddy_heap_create(&bad, &h), BUDDY_EPAGESIZE);
    bad = o;
    bad.max_order = 40;
    assert_int_equal(buddy_heap_create(&bad, &h), BUDDY_EMAXORDER);
    bad = o;
    bad.nr_pages = 0;
    assert_int_equal(buddy_heap_create(&bad, &h), BUDDY_ESPAN);
    bad = o;
    bad.cache = (enum buddy_cache_mode)7;
    assert_int_equal(buddy_heap_create(&bad, &h), BUDDY_EINVAL);
    bad = o;
    bad.lock = (enum buddy_lock_kind)3;
    assert_int_equal(buddy_heap_create(&bad, &h), BUDDY_EINVAL);
    bad = o;
    bad.pcp.batch = 0;
    assert_int_equal(buddy_heap_create(&bad, &h), BUDDY_EINVAL);
    bad = o;
    bad.cache = BUDDY_CACHE_PER_CPU;
    bad.pcp.high = 1;
    assert_int_equal(buddy_heap_create(&bad, &h), BUDDY_EINVAL);
    assert_int_equal(buddy_heap_create(NULL, &h), BUDDY_ENULL);
    assert_null(h);
}

static void heap_round_trip(enum buddy_cache_mode mode)
{
    struct buddy_heap_options o = BUDDY_HEAP_OPTIONS_INIT;
    struct buddy_heap *h;
    struct buddy_zone_stats st;
    char *p[64];

    o.nr_pages = 4096;
    o.with_memory = 1;
    o.cache = mode;
    assert_int_equal(buddy_heap_create(&o, &h), 0);
    for (int i = 0; i < 64; i++) {
        size_t size = (size_t)(i % 5 + 1) * 3000;

        p[i] = buddy_heap_alloc(h, size);
        assert_non_null(p[i]);
        memset(p[i], i, size); /* the memory is really there */
    }
    for (int i = 0; i < 64; i++)
        assert_int_equal((unsigned char)p[i][0], i);
    assert_int_equal(buddy_heap_free(h, p[3] + 1), BUDDY_EALIGN);
    assert_int_equal(buddy_heap_free(h, NULL), BUDDY_ENULL);
    for (int i = 0; i < 64; i++)
        assert_int_equal(buddy_heap_free(h, p[i]), 0);
    assert_int_equal(buddy_heap_free(h, p[0]), BUDDY_EDOUBLEFREE);
    assert_valid(buddy_heap_zone(h));
    buddy_heap_drain_all(h);
    assert_int_equal(buddy_zone_get_stats(buddy_heap_zone(h), &st), 0);
    assert_int_equal(st.free_pages, 4096);
    assert_int_equal(st.cached_pages, 0);
    assert_int_equal(zone_nr_free(buddy_heap_zone(h), 10), 4);
    buddy_heap_destroy(h);
}

static void test_round_trip_each_mode(void **state)
{
    (void)state;
    heap_round_trip(BUDDY_CACHE_NONE);
    heap_round_trip(BUDDY_CACHE_PER_THREAD);
    heap_round_trip(BUDDY_CACHE_PER_CPU);
}

static struct buddy_pcp *handle_of(enum buddy_cache_mode mode,
                                   struct buddy_heap **h)
{
    struct buddy_heap_options o = BUDDY_HEAP_OPTIONS_INIT;

    o.nr_pages = 1024;
    o.with_memory = 1;
    o.cache = mode;
    assert_int_equal(buddy_heap_create(&o, h), 0);
    return buddy_heap_thread_cache(*h);
}

/* The explicit cache handle: the thread's own cache of a per-thread heap,
 * the same on each call, serving what the heap calls serve; none for the
 * other modes or a NULL heap. */
static void test_thread_cache_handle(void **state)
{
    struct buddy_heap *h;
    struct buddy_pcp *pcp;
    struct buddy_pcp_config cfg;
    struct buddy_check_report rep;
    void *p, *q;

    (void)state;
    assert_null(buddy_heap_thread_cache(NULL));
    assert_null(handle_of(BUDDY_CACHE_NONE, &h));
    buddy_heap_destroy(h);
    assert_null(handle_of(BUDDY_CACHE_PER_CPU, &h));
    buddy_heap_destroy(h);

    pcp = handle_of(BUDDY_CACHE_PER_THREAD, &h);
    assert_non_null(pcp);
    assert_ptr_equal(buddy_heap_thread_cache(h), pcp);
    assert_int_equal(buddy_pcp_get_config(pcp, &cfg), 0);
    assert_int_equal(cfg.max_order, BUDDY_PCP_DEFAULT_MAX_ORDER);
    assert_int_equal(cfg.batch, BUDDY_PCP_DEFAULT_BATCH);
    p = buddy_pcp_alloc(pcp, 4096);
    q = buddy_heap_alloc(h, 4096);
    assert_non_null(p);
    assert_non_null(q);
    /* Blocks of either path free through the other. */
    assert_int_equal(buddy_heap_free(h, p), 0);
    assert_int_equal(buddy_pcp_free(pcp, q), 0);
    assert_int_equal(buddy_pcp_free(pcp, q), BUDDY_EDOUBLEFREE);
    assert_int_equal(buddy_heap_free(h, p), BUDDY_EDOUBLEFREE);
    assert_int_equal(buddy_zone_check(buddy_heap_zone(h), &rep), 0);
    assert_true(pcp_pages(pcp) > 0);
    buddy_heap_drain(h);
    assert_int_equal(pcp_pages(pcp), 0);
    buddy_heap_destroy(h);
}

/* buddy_pcp_get_config refuses what is not an attached cache. */
static void test_pcp_get_config_errors(void **state)
{
    struct buddy_pcp pcp;
    struct buddy_pcp_config cfg = BUDDY_PCP_CONFIG_INIT, before;

    (void)state;
    memset(&pcp, 0, sizeof(pcp));
    before = cfg;
    assert_int_equal(buddy_pcp_get_config(NULL, &cfg), BUDDY_ENULL);
    assert_int_equal(buddy_pcp_get_config(&pcp, &cfg), BUDDY_ENULL);
    assert_int_equal(buddy_pcp_get_config(&pcp, NULL), BUDDY_ENULL);
    assert_memory_equal(&cfg, &before, sizeof(cfg));
}

static void *alloc_and_exit(void *arg)
{
    struct buddy_heap *h = arg;
    buddy_pfn_t pfn;

    assert_int_equal(buddy_heap_alloc_pages(h, 0, &pfn), 0);
    assert_int_equal(buddy_heap_free_pages(h, pfn, 0), 0);
    return NULL; /* this thread's cache now holds a batch */
}

static void test_thread_exit_drains_its_cache(void **state)
{
    struct buddy_heap_options o = BUDDY_HEAP_OPTIONS_INIT;
    struct buddy_heap *h;
    struct buddy_zone_stats st;
    pthread_t t;
    buddy_pfn_t pfn;

    (void)state;
    o.nr_pages = 1024;
    assert_int_equal(buddy_heap_create(&o, &h), 0);
    assert_int_equal(pthread_create(&t, NULL, alloc_and_exit, h), 0);
    assert_int_equal(pthread_join(t, NULL), 0);
    assert_int_equal(buddy_zone_get_stats(buddy_heap_zone(h), &st), 0);
    assert_int_equal(st.cached_pages, 0);
    assert_int_equal(st.nr_caches, 0);
    assert_int_equal(st.free_pages, 1024);
    /* This thread's own cache: drained on demand. */
    assert_int_equal(buddy_heap_alloc_pages(h, 0, &pfn), 0);
    assert_int_equal(buddy_zone_get_stats(buddy_heap_zone(h), &st), 0);
    assert_true(st.cached_pages > 0);
    assert_int_equal(buddy_heap_free_pfn(h, pfn), 0);
    buddy_heap_drain(h);
    assert_int_equal(buddy_zone_get_stats(buddy_heap_zone(h), &st), 0);
    assert_int_equal(st.cached_pages, 0);
    assert_int_equal(st.free_pages, 1024);
    /* Bulk through the heap. */
    buddy_pfn_t pfns[40];
    assert_int_equal(buddy_heap_alloc_bulk(h, 1, 40, pfns), 40);
    for (int i = 0; i < 40; i++)
        assert_int_equal(buddy_heap_free_pages(h, pfns[i], 1), 0);
    assert_valid(buddy_heap_zone(h));
    buddy_heap_destroy(h); /* with this thread's cache still attached */
}

/* A heap's pfns are its own: one heap's pfn given to another is ERANGE and
 * frees nothing there, with memory (pfn = address >> page_shift) and
 * without (a private window). An explicit start_pfn is kept. */
static void pfns_are_private(int with_memory)
{
    struct buddy_heap_options o = BUDDY_HEAP_OPTIONS_INIT;
    struct buddy_heap *a, *b;
    struct buddy_zone_stats st;
    buddy_pfn_t pa, pb;

    o.nr_pages = 1024;
    o.with_memory = with_memory;
    assert_int_equal(buddy_heap_create(&o, &a), 0);
    assert_int_equal(buddy_heap_create(&o, &b), 0);
    assert_int_equal(buddy_heap_alloc_pages(a, 0, &pa), 0);
    assert_int_equal(buddy_heap_alloc_pages(b, 0, &pb), 0);
    assert_true(pa != pb);
    if (with_memory)
        assert_true((uintptr_t)buddy_zone_pfn_to_addr(buddy_heap_zone(a), pa) ==
                    (uintptr_t)pa << 12);
    assert_int_equal(buddy_heap_free_pages(b, pa, 0), BUDDY_ERANGE);
    assert_int_equal(buddy_heap_free_pfn(b, pa), BUDDY_ERANGE);
    assert_int_equal(buddy_heap_free_pages(a, pb, 0), BUDDY_ERANGE);
    assert_valid(buddy_heap_zone(a));
    assert_valid(buddy_heap_zone(b));
    assert_int_equal(buddy_heap_free_pages(a, pa, 0), 0);
    assert_int_equal(buddy_heap_free_pages(b, pb, 0), 0);
    buddy_heap_drain_all(a);
    assert_int_equal(buddy_zone_get_stats(buddy_heap_zone(a), &st), 0);
    assert_int_equal(st.free_pages, 1024);
    buddy_heap_destroy(a);
    buddy_heap_destroy(b);
}

/* A heap whose largest block is above the 1 GiB its mapping is aligned to
 * still hands that block out: its pfns come from a window, aligned to any
 * block, not from the address. */
static void test_blocks_above_1g_stay_aligned(void **state)
{
    struct buddy_heap_options o = BUDDY_HEAP_OPTIONS_INIT;
    struct buddy_heap *h;
    buddy_pfn_t pfn;

    (void)state;
    if (sizeof(void *) < 8)
        skip(); /* 2 GiB of address space: not on a 32-bit target */
    for (unsigned max_order = 18; max_order <= 20; max_order++) {
        o.nr_pages = (uint64_t)1 << max_order;
        o.max_order = max_order;
        o.with_memory = 1;
        o.cache = BUDDY_CACHE_NONE;
        assert_int_equal(buddy_heap_create(&o, &h), 0);
        assert_int_equal(buddy_heap_alloc_pages(h, max_order, &pfn), 0);
        assert_int_equal(pfn & (((buddy_pfn_t)1 << max_order) - 1), 0);
        assert_int_equal(buddy_heap_free_pages(h, pfn, max_order), 0);
        buddy_heap_destroy(h);
    }
}

static void test_pfns_are_the_heaps_own(void **state)
{
    struct buddy_heap_options o = BUDDY_HEAP_OPTIONS_INIT;
    struct buddy_heap *h;
    buddy_pfn_t pfn;

    (void)state;
    pfns_are_private(1);
    pfns_are_private(0);
    o.nr_pages = 64;
    o.start_pfn = 0;
    assert_int_equal(buddy_heap_create(&o, &h), 0);
    assert_int_equal(buddy_heap_alloc_pages(h, 0, &pfn), 0);
    assert_true(pfn < 64);
    assert_int_equal(buddy_heap_free_pages(h, pfn, 0), 0);
    buddy_heap_destroy(h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_options_from_env),
        cmocka_unit_test(test_create_errors),
        cmocka_unit_test(test_round_trip_each_mode),
        cmocka_unit_test(test_thread_exit_drains_its_cache),
        cmocka_unit_test(test_thread_cache_handle),
        cmocka_unit_test(test_pcp_get_config_errors),
        cmocka_unit_test(test_pfns_are_the_heaps_own),
        cmocka_unit_test(test_blocks_above_1g_stay_aligned),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
