/* SPDX-License-Identifier: MIT */
/* test_kswapd.c: kswapd's balancing (buddy_system_balance_node) against
 * numbers worked from the kernel's balance_pgdat, the wake of kswapd
 * after an allocation that boosts a zone, and the hosted reclaimer thread
 * (buddy_kswapd_start). */
#define _GNU_SOURCE
#include "helpers.h"
#include "buddy/hosted.h"

#include <pthread.h>
#include <time.h>

/* A cache of allocated pages with a shrinker that frees exactly per_scan
 * of them per scan call, whatever it is asked. Its count reports
 * `reported` objects: 262144 makes priority p ask (262144 >> p) * 4 / 2
 * objects, one batch of 128 at priority 12, two at 11, four at 10. */
struct stash {
    struct buddy_system *sys;
    pthread_mutex_t lock; /* the hosted test's thread scans it too */
    buddy_pfn_t held[2048];
    unsigned n;
    uint64_t reported;
    unsigned per_scan;
    unsigned counts, scans;
    uint64_t asked;
};

#define STASH_REPORTED 262144u

static void stash_init(struct stash *c, struct buddy_system *sys,
                       unsigned per_scan)
{
    memset(c, 0, sizeof(*c));
    c->sys = sys;
    c->reported = STASH_REPORTED;
    c->per_scan = per_scan;
    assert_int_equal(pthread_mutex_init(&c->lock, NULL), 0);
}

static uint64_t stash_count(void *arg, const struct buddy_shrink_control *sc)
{
    struct stash *c = arg;
    uint64_t n;

    (void)sc;
    pthread_mutex_lock(&c->lock);
    c->counts++;
    n = c->n == 0 ? BUDDY_SHRINK_EMPTY : c->reported;
    pthread_mutex_unlock(&c->lock);
    return n;
}

static uint64_t stash_scan(void *arg, const struct buddy_shrink_control *sc)
{
    struct stash *c = arg;
    uint64_t freed = 0;

    pthread_mutex_lock(&c->lock);
    c->scans++;
    c->asked += sc->nr_to_scan;
    while (freed < c->per_scan && c->n > 0) {
        if (buddy_system_free_pages(c->sys, c->held[--c->n], 0) != 0)
            abort(); /* not a cmocka assert: this may be another thread */
        freed++;
    }
    pthread_mutex_unlock(&c->lock);
    return freed;
}

static unsigned stash_n(struct stash *c)
{
    unsigned n;

    pthread_mutex_lock(&c->lock);
    n = c->n;
    pthread_mutex_unlock(&c->lock);
    return n;
}

static uint64_t free_of(const struct buddy_zone *z)
{
    return zone_free_pages(z);
}

static uint64_t boost_of(const struct buddy_zone *z)
{
    struct buddy_zone_watermarks wm;

    assert_int_equal(buddy_zone_get_watermarks(z, &wm), 0);
    return wm.boost;
}

/* The value of one /proc/vmstat line of the system. */
static uint64_t vmstat_value(const struct buddy_system *sys, const char *name)
{
    char text[1024], key[64];
    const char *line;

    assert_true(buddy_system_vmstat(sys, text, sizeof(text)) < sizeof(text));
    snprintf(key, sizeof(key), "\n%s ", name);
    line = strstr(text, key);
    assert_non_null(line);
    return strtoull(line + strlen(key), NULL, 10);
}

/* A 2048-page Normal zone at node 0, marks min 128, low 160, high 192
 * (min_free_kbytes 512), and a stash of 1024 of its pages. */
static struct buddy_zone *normal_with_stash(struct fixture *f,
                                            struct buddy_system *sys,
                                            struct stash *c)
{
    struct buddy_wmark_config cfg = BUDDY_WMARK_CONFIG_INIT;
    struct buddy_zone_watermarks wm;
    unsigned i;

    buddy_system_init(sys);
    zone_new_free(f, 0, 2048, 10);
    assert_int_equal(buddy_system_add_zone(sys, 0, 2, f->z), 0);
    cfg.min_free_kbytes = 512;
    assert_int_equal(buddy_system_set_watermarks(sys, &cfg), 0);
    assert_int_equal(buddy_zone_get_watermarks(f->z, &wm), 0);
    assert_int_equal(wm.wmark[BUDDY_WMARK_MIN], 128);
    assert_int_equal(wm.wmark[BUDDY_WMARK_LOW], 160);
    assert_int_equal(wm.wmark[BUDDY_WMARK_HIGH], 192);
    for (i = 0; i < 1024; i++)
        assert_int_equal(buddy_zone_alloc_pages(f->z, 0, &c->held[c->n++]),
                         0);
    return f->z;
}

/* Allocate from the zone itself (no marks, no wakes) until `left` pages
 * are free. */
static void zone_down_to(struct buddy_zone *z, uint64_t left)
{
    buddy_pfn_t pfn;

    while (free_of(z) > left)
        assert_int_equal(buddy_zone_alloc_pages(z, 0, &pfn), 0);
}

/* Below the high mark, the shrinkers run from priority 12 down until one
 * pass leaves the zone above it: 16 pages at priority 12 (one scan), 32
 * at 11 (two), 64 at 10 (four) take 100 free pages to 212 > 192, and
 * priority 9 never runs. A balanced node runs nothing. */
static void test_balance_stops_at_high_mark(void **state)
{
    struct fixture f;
    struct buddy_system sys;
    static struct stash c;
    struct buddy_shrinker s = {stash_count, stash_scan, &c, 0, 0};
    struct buddy_zone *z;
    uint64_t reclaimed = 0;

    (void)state;
    stash_init(&c, &sys, 16);
    z = normal_with_stash(&f, &sys, &c);
    assert_int_equal(buddy_system_register_shrinker(&sys, &s), 0);
    zone_down_to(z, 100);
    assert_int_equal(buddy_system_balance_node(&sys, 0, 2, 0, &reclaimed), 0);
    assert_int_equal(reclaimed, 16 + 32 + 64);
    assert_int_equal(free_of(z), 212);
    assert_int_equal(c.scans, 1 + 2 + 4);
    assert_int_equal(c.counts, 3); /* one per pass: priorities 12, 11, 10 */
    assert_int_equal(c.n, 1024 - 112);
    assert_int_equal(vmstat_value(&sys, "pageoutrun"), 1);
    assert_int_equal(vmstat_value(&sys, "slabs_scanned"), 7 * 128);
    /* Balanced now: a run asks nothing, and counts itself. */
    reclaimed = 99;
    assert_int_equal(buddy_system_balance_node(&sys, 0, 2, 0, &reclaimed), 0);
    assert_int_equal(reclaimed, 0);
    assert_int_equal(c.counts, 3);
    assert_int_equal(vmstat_value(&sys, "pageoutrun"), 2);
    /* Exactly at the mark is below it (free must pass high): one pass. */
    zone_down_to(z, 192);
    assert_int_equal(buddy_system_balance_node(&sys, 0, 2, 0, NULL), 0);
    assert_int_equal(free_of(z), 192 + 16);
    assert_valid(z);
    zone_del(&f);
}

/* With nothing to give, a run goes through every priority, 12 to 1, once
 * each, and ends. */
static void test_balance_gives_up_after_one_sweep(void **state)
{
    struct fixture f;
    struct buddy_system sys;
    static struct stash c;
    struct buddy_shrinker s = {stash_count, stash_scan, &c, 0, 0};
    struct buddy_zone *z;
    uint64_t reclaimed = 99;

    (void)state;
    stash_init(&c, &sys, 16);
    z = normal_with_stash(&f, &sys, &c);
    c.per_scan = 0; /* asked, frees nothing */
    assert_int_equal(buddy_system_register_shrinker(&sys, &s), 0);
    zone_down_to(z, 100);
    assert_int_equal(buddy_system_balance_node(&sys, 0, 2, 0, &reclaimed), 0);
    assert_int_equal(reclaimed, 0);
    assert_int_equal(c.counts, 12);
    assert_int_equal(free_of(z), 100);
    assert_valid(z);
    zone_del(&f);
}

/* A lock that only counts its depth, to see that a callback runs with no
 * zone lock held. */
static int lock_depth;
static void depth_lock(void *arg)
{
    (void)arg;
    lock_depth++;
}
static void depth_unlock(void *arg)
{
    (void)arg;
    lock_depth--;
}
static bool depth_held(void *arg)
{
    (void)arg;
    return lock_depth > 0;
}

struct wake_log {
    unsigned wakes, nid, order, highest;
    int depth;               /* lock depth seen in the callback */
    const struct buddy_zone *z;
    uint64_t boost;          /* z's boost seen in the callback */
};

static void log_wake(void *arg, unsigned nid, unsigned order,
                     unsigned highest_zone_idx)
{
    struct wake_log *k = arg;

    k->wakes++;
    k->nid = nid;
    k->order = order;
    k->highest = highest_zone_idx;
    k->depth = lock_depth;
    k->boost = boost_of(k->z);
}

/* Node 1's DMA32 zone: 2048 pages in four pageblocks of 512, every
 * page allocated movable; pageblocks 2 and 3 go to the stash, and 0
 * and 1 are freed but for their first page, so that no free block
 * reaches a pageblock and an unmovable request has to claim one below
 * pageblock_order. */
static void fragment(struct buddy_zone *z, buddy_pfn_t start, struct stash *c)
{
    static buddy_pfn_t pfns[2048];
    unsigned i;

    for (i = 0; i < 2048; i++)
        assert_int_equal(buddy_zone_alloc_pages(z, 0, &pfns[i]), 0);
    for (i = 0; i < 2048; i++) {
        if (pfns[i] - start >= 1024)
            c->held[c->n++] = pfns[i];
        else if ((pfns[i] - start) % 512 != 0)
            assert_int_equal(buddy_zone_free_pages(z, pfns[i], 0), 0);
    }
    assert_int_equal(c->n, 1024);
    assert_int_equal(free_of(z), 1022);
}

/* A claim below a pageblock boosts the zone and wakes kswapd for its node
 * and zone, after the allocation and with no lock held, once; balancing
 * then reclaims the boost on top of the marks and takes it back. */
static void test_boost_wakes_kswapd_and_balance_resets_it(void **state)
{
    struct fixture normal, dma32;
    struct buddy_system sys;
    static struct stash c;
    struct buddy_shrinker s = {stash_count, stash_scan, &c, 0, 0};
    struct buddy_lock_ops ops = {depth_lock, depth_unlock, NULL, depth_held,
                                 NULL, NULL};
    struct buddy_wmark_config cfg = BUDDY_WMARK_CONFIG_INIT;
    struct buddy_zone_watermarks wm;
    struct wake_log k;
    struct buddy_zone *from = NULL;
    enum buddy_migratetype mt;
    buddy_pfn_t pfn;
    uint64_t reclaimed = 0;

    (void)state;
    buddy_system_init(&sys);
    stash_init(&c, &sys, 16);
    zone_new_free(&normal, 0, 2048, 10);
    zone_new_free(&dma32, 4096, 2048, 10);
    assert_int_equal(buddy_zone_set_lock(dma32.z, &ops), 0);
    assert_int_equal(buddy_system_add_zone(&sys, 0, 2, normal.z), 0);
    assert_int_equal(buddy_system_add_zone(&sys, 1, 1, dma32.z), 0);
    /* pages_min 128, half each; steps of max(64 / 4, 2): high 96. */
    cfg.min_free_kbytes = 512;
    assert_int_equal(buddy_system_set_watermarks(&sys, &cfg), 0);
    assert_int_equal(buddy_zone_get_watermarks(dma32.z, &wm), 0);
    assert_int_equal(wm.wmark[BUDDY_WMARK_HIGH], 96);
    fragment(dma32.z, 4096, &c);
    memset(&k, 0, sizeof(k));
    k.z = dma32.z;
    k.depth = -1;

    assert_int_equal(buddy_system_set_kswapd(&sys, log_wake, &k), 0);
    assert_int_equal(buddy_system_register_shrinker(&sys, &s), 0);

    /* Above every low mark: the fast path serves it, from node 1's zone,
     * by claiming pageblock 0 or 1 for unmovable. */
    assert_int_equal(buddy_system_alloc_pages_flags(&sys, 1, 2, 0, 0, &pfn,
                                                    &from), 0);
    assert_ptr_equal(from, dma32.z);
    assert_int_equal(buddy_zone_pageblock_type(dma32.z, pfn, &mt), 0);
    assert_int_equal(mt, BUDDY_MIGRATE_UNMOVABLE);
    /* A pageblock's boost: the cap, 96 * 15000 / 10000, is below one. */
    assert_int_equal(boost_of(dma32.z), 512);
    assert_int_equal(k.wakes, 1);
    assert_int_equal(k.nid, 1);
    assert_int_equal(k.order, 0);
    assert_int_equal(k.highest, 1); /* the zone's index, not the request's */
    assert_int_equal(k.depth, 0);   /* no zone lock held */
    assert_int_equal(k.boost, 512); /* after the allocation */
    assert_int_equal(lock_depth, 0);
    /* The next one finds the claimed pageblock's blocks: no fallback, no
     * boost, no wake. */
    assert_int_equal(buddy_system_alloc_pages_flags(&sys, 1, 2, 0, 0, &pfn,
                                                    &from), 0);
    assert_int_equal(k.wakes, 1);
    assert_int_equal(boost_of(dma32.z), 512);
    assert_int_equal(free_of(dma32.z), 1020);

    /* Balanced (1020 > 96 + 512), but boosted: 512 pages more, at
     * priorities 12 (16) and 11 (32), then held at 10 (64 a pass) until
     * the boost is paid: 16 + 32 + 8 * 64. */
    assert_int_equal(buddy_system_balance_node(&sys, 1, 1, 0, &reclaimed), 0);
    assert_int_equal(reclaimed, 560);
    assert_int_equal(c.scans, 1 + 2 + 8 * 4);
    assert_int_equal(c.counts, 10);
    assert_int_equal(boost_of(dma32.z), 0);
    assert_int_equal(free_of(dma32.z), 1020 + 560);
    assert_int_equal(boost_of(normal.z), 0);
    assert_int_equal(free_of(normal.z), 2048);
    /* Unboosted and balanced: nothing more. */
    assert_int_equal(buddy_system_balance_node(&sys, 1, 1, 0, &reclaimed), 0);
    assert_int_equal(reclaimed, 0);
    assert_int_equal(c.counts, 10);
    assert_int_equal(k.wakes, 1);
    assert_valid(normal.z);
    assert_valid(dma32.z);
    zone_del(&normal);
    zone_del(&dma32);
}

/* Order 3 on a zone above its high mark but cut into single pages: the
 * node is balanced at order 0, not at 3. Reclaim runs until twice the
 * order's pages (16) came back, then judges order 0: one pass, where
 * without that rule the run would sweep every priority. */
static void test_balance_order_falls_to_zero(void **state)
{
    struct fixture f;
    struct buddy_system sys;
    static struct stash c;
    static buddy_pfn_t pfns[2048];
    struct buddy_shrinker s = {stash_count, stash_scan, &c, 0, 0};
    struct buddy_wmark_config cfg = BUDDY_WMARK_CONFIG_INIT;
    struct buddy_zone *z;
    uint64_t reclaimed = 99;
    unsigned i, evens = 0;

    (void)state;
    buddy_system_init(&sys);
    stash_init(&c, &sys, 16);
    z = zone_new_free(&f, 0, 2048, 10);
    assert_int_equal(buddy_system_add_zone(&sys, 0, 2, z), 0);
    cfg.min_free_kbytes = 512; /* high 192 */
    assert_int_equal(buddy_system_set_watermarks(&sys, &cfg), 0);
    assert_int_equal(buddy_system_register_shrinker(&sys, &s), 0);
    for (i = 0; i < 2048; i++)
        assert_int_equal(buddy_zone_alloc_pages(z, 0, &pfns[i]), 0);
    /* 300 even pages free, their buddies allocated; the stash holds odd
     * pages one in each aligned eight, so what it frees merges at most
     * into pairs. */
    for (i = 0; i < 2048; i++) {
        if (pfns[i] % 2 == 0 && pfns[i] < 600)
            assert_int_equal(buddy_zone_free_pages(z, pfns[i], 0), 0),
                evens++;
        else if (pfns[i] % 8 == 1 && c.n < 64)
            c.held[c.n++] = pfns[i];
    }
    assert_int_equal(evens, 300);
    assert_int_equal(zone_nr_free(z, 0), 300);
    assert_int_equal(buddy_system_balance_node(&sys, 0, 2, 0, &reclaimed), 0);
    assert_int_equal(reclaimed, 0);
    assert_int_equal(c.counts, 0);
    assert_int_equal(buddy_system_balance_node(&sys, 0, 2, 3, &reclaimed), 0);
    assert_int_equal(reclaimed, 16);
    assert_int_equal(c.scans, 1);
    assert_int_equal(zone_nr_free(z, 3), 0);
    assert_int_equal(free_of(z), 316);
    assert_valid(z);
    zone_del(&f);
}

/* Bad input: the error, *reclaimed untouched, no shrinker asked, nothing
 * counted, the zone as it was and valid. A node with no managed zone at
 * the indices asked is balanced. */
static void test_balance_bad_input(void **state)
{
    struct fixture f;
    struct buddy_system sys;
    static struct stash c;
    struct buddy_shrinker s = {stash_count, stash_scan, &c, 0, 0};
    struct buddy_zone_watermarks wm_before, wm_after;
    struct snapshot before, after;
    struct buddy_zone *z;
    uint64_t reclaimed = 99;

    (void)state;
    stash_init(&c, &sys, 16);
    z = normal_with_stash(&f, &sys, &c);
    assert_int_equal(buddy_system_register_shrinker(&sys, &s), 0);
    zone_down_to(z, 100);
    snapshot_take(z, &before);
    assert_int_equal(buddy_zone_get_watermarks(z, &wm_before), 0);
    assert_int_equal(buddy_system_balance_node(NULL, 0, 2, 0, &reclaimed),
                     BUDDY_ENULL);
    assert_int_equal(buddy_system_balance_node(&sys, 1, 2, 0, &reclaimed),
                     BUDDY_ENODE); /* nr_nodes is 1 */
    assert_int_equal(buddy_system_balance_node(&sys, BUDDY_MAX_NUMNODES, 2, 0,
                                               &reclaimed),
                     BUDDY_ENODE);
    assert_int_equal(buddy_system_balance_node(&sys, 0, BUDDY_MAX_NR_ZONES, 0,
                                               &reclaimed),
                     BUDDY_ENODE);
    assert_int_equal(buddy_system_balance_node(&sys, 0, 2,
                                               BUDDY_MAX_ORDER_LIMIT + 1,
                                               &reclaimed),
                     BUDDY_EORDER);
    /* ENULL before ENODE before EORDER. */
    assert_int_equal(buddy_system_balance_node(NULL, 9, 9, 99, NULL),
                     BUDDY_ENULL);
    assert_int_equal(buddy_system_balance_node(&sys, 9, 9, 99, NULL),
                     BUDDY_ENODE);
    assert_int_equal(reclaimed, 99);
    assert_int_equal(c.counts, 0);
    assert_int_equal(vmstat_value(&sys, "pageoutrun"), 0);
    snapshot_take(z, &after);
    assert_string_equal(before.walk, after.walk);
    assert_memory_equal(&before.st, &after.st, sizeof(after.st));
    assert_int_equal(buddy_zone_get_watermarks(z, &wm_after), 0);
    assert_memory_equal(&wm_before, &wm_after, sizeof(wm_after));
    assert_valid(z);
    /* Zone index 1 and below: no zone there, nothing to balance. */
    assert_int_equal(buddy_system_balance_node(&sys, 0, 1, 0, &reclaimed), 0);
    assert_int_equal(reclaimed, 0);
    assert_int_equal(c.counts, 0);
    assert_int_equal(vmstat_value(&sys, "pageoutrun"), 0);
    assert_int_equal(free_of(z), 100);
    /* The hosted reclaimer's arguments. */
    {
        struct buddy_kswapd *k = NULL;

        assert_int_equal(buddy_kswapd_start(NULL, &k), BUDDY_ENULL);
        assert_null(k);
        assert_int_equal(buddy_kswapd_start(&sys, NULL), BUDDY_ENULL);
        buddy_kswapd_stop(NULL);
    }
    assert_valid(z);
    zone_del(&f);
}

/* Wait up to five seconds for the zone to have `pages` free and the
 * stash `n` pages; false on timeout. */
static bool wait_for(const struct buddy_zone *z, struct stash *c,
                     uint64_t pages, unsigned n)
{
    struct timespec nap = {0, 1000000};
    unsigned i;

    for (i = 0; i < 5000; i++) {
        if (free_of(z) == pages && stash_n(c) == n)
            return true;
        nanosleep(&nap, NULL);
    }
    return false;
}

/* The hosted thread: an allocation below the low mark wakes it, it
 * balances the node to just above high (48 pages from 149: priorities 12
 * and 11) while the allocation goes on, and after stop nothing wakes it. */
static void test_hosted_kswapd(void **state)
{
    struct buddy_heap_options opts = BUDDY_HEAP_OPTIONS_INIT;
    struct buddy_wmark_config cfg = BUDDY_WMARK_CONFIG_INIT;
    struct buddy_system sys;
    static struct stash c;
    struct buddy_shrinker s = {stash_count, stash_scan, &c, 0, 0};
    struct buddy_heap *h;
    struct buddy_zone *z;
    struct buddy_kswapd *k = NULL;
    struct timespec nap = {0, 50000000};
    buddy_pfn_t pfn;
    unsigned i;

    (void)state;
    opts.nr_pages = 2048;
    opts.cache = BUDDY_CACHE_NONE; /* a locked zone, nothing cached */
    assert_int_equal(buddy_heap_create(&opts, &h), 0);
    z = buddy_heap_zone(h);
    buddy_system_init(&sys);
    stash_init(&c, &sys, 16);
    assert_int_equal(buddy_system_add_zone(&sys, 0, 2, z), 0);
    cfg.min_free_kbytes = 512; /* low 160, high 192 */
    assert_int_equal(buddy_system_set_watermarks(&sys, &cfg), 0);
    assert_int_equal(buddy_system_register_shrinker(&sys, &s), 0);
    for (i = 0; i < 1024; i++)
        assert_int_equal(buddy_zone_alloc_pages(z, 0, &c.held[c.n++]), 0);
    zone_down_to(z, 150);
    assert_int_equal(buddy_kswapd_start(&sys, &k), 0);
    assert_non_null(k);
    /* Below low: kswapd is woken, the min mark serves the request. */
    assert_int_equal(buddy_system_alloc_pages(&sys, 0, 2, 0, &pfn, NULL), 0);
    assert_true(wait_for(z, &c, 149 + 16 + 32, 1024 - 48));
    nanosleep(&nap, NULL); /* one wake, one run: nothing more comes */
    assert_int_equal(free_of(z), 149 + 48);
    assert_int_equal(vmstat_value(&sys, "pageoutrun"), 1);
    buddy_kswapd_stop(k);
    /* The callback is gone: below low again, nothing runs. */
    zone_down_to(z, 150);
    assert_int_equal(buddy_system_alloc_pages(&sys, 0, 2, 0, &pfn, NULL), 0);
    nanosleep(&nap, NULL);
    assert_int_equal(vmstat_value(&sys, "pageoutrun"), 1);
    assert_int_equal(free_of(z), 149);
    assert_valid(z);
    buddy_heap_destroy(h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_balance_stops_at_high_mark),
        cmocka_unit_test(test_balance_gives_up_after_one_sweep),
        cmocka_unit_test(test_boost_wakes_kswapd_and_balance_resets_it),
        cmocka_unit_test(test_balance_order_falls_to_zero),
        cmocka_unit_test(test_balance_bad_input),
        cmocka_unit_test(test_hosted_kswapd),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
