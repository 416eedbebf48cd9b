/* SPDX-License-Identifier: MIT */
/* test_watermark.c: watermarks and lowmem reserves against the kernel's
 * formulas and against what a Linux machine printed
 * (shared/kernel-formats/zoneinfo.txt). */
#include "helpers.h"

/* One zone of the golden machine: its managed pages and what its
 * /proc/zoneinfo said (min, low, high, protection). */
struct golden_zone {
    uint64_t managed;
    uint64_t min, low, high;
    uint64_t protection[BUDDY_MAX_NR_ZONES];
};

static void expect_marks(const struct buddy_zone *z, uint64_t min,
                         uint64_t low, uint64_t high)
{
    struct buddy_zone_watermarks wm;

    assert_int_equal(buddy_zone_get_watermarks(z, &wm), 0);
    assert_int_equal(wm.wmark[BUDDY_WMARK_MIN], min);
    assert_int_equal(wm.wmark[BUDDY_WMARK_LOW], low);
    assert_int_equal(wm.wmark[BUDDY_WMARK_HIGH], high);
    assert_int_equal(wm.wmark[BUDDY_WMARK_PROMO], high + (high - low));
    assert_int_equal(wm.boost, 0);
}

/* Goldens at 4 KiB pages, worked from the kernel's formulas: a
 * 262144-page zone. */
static void test_single_zone_goldens(void **state)
{
    struct fixture f;
    struct buddy_zone *z = zone_new_free(&f, 0, 262144, 10);
    struct buddy_wmark_config cfg = BUDDY_WMARK_CONFIG_INIT;
    struct buddy_zone_watermarks wm;

    (void)state;
    /* All 0 until set. */
    assert_int_equal(buddy_zone_get_watermarks(z, &wm), 0);
    assert_int_equal(wm.wmark[BUDDY_WMARK_HIGH], 0);
    cfg.min_free_kbytes = 8192;
    assert_int_equal(buddy_zone_set_watermarks(z, &cfg), 0);
    expect_marks(z, 2048, 2560, 3072);
    /* The kernel's default: int_sqrt(16 * 1048576 KiB) = 4096 KiB. */
    cfg.min_free_kbytes = 0;
    assert_int_equal(buddy_zone_set_watermarks(z, &cfg), 0);
    expect_marks(z, 1024, 1286, 1548);
    assert_int_equal(buddy_zone_get_watermarks(z, &wm), 0);
    assert_int_equal(wm.min_free_kbytes, 4096);
    /* watermark_scale_factor: the step is max(min / 4, managed * f / 1e4). */
    cfg.watermark_scale_factor = 100;
    assert_int_equal(buddy_zone_set_watermarks(z, &cfg), 0);
    expect_marks(z, 1024, 1024 + 2621, 1024 + 2 * 2621);
    assert_valid(z);
    zone_del(&f);
}

/* The default min_free_kbytes is clamped to 128..262144. */
static void test_default_min_free_kbytes_clamps(void **state)
{
    struct fixture f;
    struct buddy_wmark_config cfg = BUDDY_WMARK_CONFIG_INIT;
    struct buddy_zone_watermarks wm;
    struct buddy_zone *z = zone_new_free(&f, 0, 64, 6); /* 256 KiB */

    (void)state;
    assert_int_equal(buddy_zone_set_watermarks(z, &cfg), 0);
    assert_int_equal(buddy_zone_get_watermarks(z, &wm), 0);
    assert_int_equal(wm.min_free_kbytes, 128); /* sqrt(4096) = 64 */
    assert_int_equal(wm.wmark[BUDDY_WMARK_MIN], 32);
    zone_del(&f);
}

/* The golden node's /proc/zoneinfo. Lines the kernel's file has
 * verbatim (shared/kernel-formats/zoneinfo.txt, DMA and Movable) are
 * marked; spanned and present differ (the test's zones have no holes),
 * the kernel's protection list has a fifth zone (Device), and its cma,
 * per-node, NUMA and vm-stats lines are the kernel's alone. */
static void expect_zoneinfo(const struct buddy_system *sys)
{
    static const char dma[] =
        "Node 0, zone      DMA\n"          /* verbatim */
        "  pages free     3840\n"         /* verbatim */
        "        boost    0\n"            /* verbatim */
        "        min      46\n"           /* verbatim */
        "        low      57\n"           /* verbatim */
        "        high     68\n"           /* verbatim */
        "        promo    79\n"           /* verbatim */
        "        spanned  3840\n"
        "        present  3840\n"
        "        managed  3840\n"         /* verbatim */
        "        protection: (0, 3018, 5450, 5450)\n"
        "      nr_free_pages 3840\n"      /* verbatim */
        "  pagesets\n"                    /* verbatim */
        "  start_pfn:           0\n";
    static const char movable[] =
        "Node 0, zone  Movable\n"          /* verbatim */
        "  pages free     0\n"            /* verbatim */
        "        boost    0\n"            /* verbatim */
        "        min      32\n"           /* verbatim */
        "        low      32\n"           /* verbatim */
        "        high     32\n"           /* verbatim */
        "        promo    32\n"           /* verbatim */
        "        spanned  64\n"
        "        present  0\n"            /* verbatim */
        "        managed  0\n"            /* verbatim */
        "        protection: (0, 0, 0, 0)\n";
    static char text[4096];
    size_t len = buddy_system_zoneinfo(sys, text, sizeof(text));

    assert_true(len < sizeof(text));
    assert_int_equal(strlen(text), len);
    assert_memory_equal(text, dma, sizeof(dma) - 1);
    assert_non_null(strstr(text, "Node 0, zone    DMA32\n"
                                 "  pages free     772807\n"));
    assert_non_null(strstr(text, "        min      9331\n"
                                 "        low      11663\n"
                                 "        high     13995\n"));
    assert_non_null(strstr(text, "        protection: (0, 0, 2432, 2432)\n"));
    assert_non_null(strstr(text, "Node 0, zone   Normal\n"));
    assert_int_equal(strcmp(text + len - (sizeof(movable) - 1), movable), 0);
    /* snprintf's contract: the length without room, a cut text with. */
    assert_int_equal(buddy_system_zoneinfo(sys, NULL, 0), len);
    assert_int_equal(buddy_system_zoneinfo(sys, text, 10), len);
    assert_string_equal(text, "Node 0, z");
    assert_int_equal(buddy_zone_zoneinfo(NULL, text, sizeof(text)), 0);
    assert_string_equal(text, "");
}

/* A four-zone node with the managed pages of the machine that printed
 * zoneinfo.txt, and its min_free_kbytes (67580: pages_min 16895): every
 * min, low, high and protection value it printed. */
static void test_zoneinfo_golden(void **state)
{
    static const struct golden_zone want[BUDDY_MAX_NR_ZONES] = {
        {3840, 46, 57, 68, {0, 3018, 5450, 5450}},          /* DMA */
        {772807, 9331, 11663, 13995, {0, 0, 2432, 2432}},   /* DMA32 */
        {622592, 7517, 9396, 11275, {0, 0, 0, 0}},          /* Normal */
        {0, 32, 32, 32, {0, 0, 0, 0}},                      /* Movable */
    };
    static const char *const names[BUDDY_MAX_NR_ZONES] = {"DMA", "DMA32",
                                                          "Normal", "Movable"};
    struct fixture f[BUDDY_MAX_NR_ZONES];
    struct buddy_system sys;
    struct buddy_wmark_config cfg = BUDDY_WMARK_CONFIG_INIT;
    buddy_pfn_t start = 0;
    unsigned i, j;

    (void)state;
    buddy_system_init(&sys);
    for (i = 0; i < BUDDY_MAX_NR_ZONES; i++) {
        uint64_t span = want[i].managed != 0 ? want[i].managed : 64;

        zone_new_named(&f[i], names[i], start, span, 10);
        if (want[i].managed != 0) /* else all holes */
            assert_int_equal(buddy_zone_add_range(f[i].z, start, span), 0);
        assert_int_equal(buddy_system_add_zone(&sys, 0, i, f[i].z), 0);
        start += (span + 1023) & ~(uint64_t)1023;
    }
    cfg.min_free_kbytes = 67580;
    assert_int_equal(buddy_system_set_watermarks(&sys, &cfg), 0);
    for (i = 0; i < BUDDY_MAX_NR_ZONES; i++) {
        struct buddy_zone_watermarks wm;

        expect_marks(f[i].z, want[i].min, want[i].low, want[i].high);
        assert_int_equal(buddy_zone_get_watermarks(f[i].z, &wm), 0);
        for (j = 0; j < BUDDY_MAX_NR_ZONES; j++)
            assert_int_equal(wm.lowmem_reserve[j], want[i].protection[j]);
    }
    expect_zoneinfo(&sys);
    /* A ratio of 0 reserves nothing. */
    cfg.lowmem_reserve_ratio[0] = 0;
    assert_int_equal(buddy_system_set_watermarks(&sys, &cfg), 0);
    {
        struct buddy_zone_watermarks wm;

        assert_int_equal(buddy_zone_get_watermarks(f[0].z, &wm), 0);
        assert_int_equal(wm.lowmem_reserve[1], 0);
        assert_int_equal(wm.lowmem_reserve[2], 0);
    }
    for (i = 0; i < BUDDY_MAX_NR_ZONES; i++) {
        assert_valid(f[i].z);
        zone_del(&f[i]);
    }
}

/* Each attached cache is a pageset, in the kernel's spacing. */
static void test_zoneinfo_pagesets(void **state)
{
    struct fixture f;
    struct buddy_zone *z = zone_new_free(&f, 0, 1024, 10);
    struct buddy_pcp_config cfg = {0, 8, 16};
    struct buddy_pcp a, b;
    buddy_pfn_t pfn;
    char text[1024];

    (void)state;
    assert_int_equal(buddy_pcp_init(&a, z, &cfg), 0);
    assert_int_equal(buddy_pcp_init(&b, z, &cfg), 0);
    assert_int_equal(buddy_pcp_alloc_pages(&a, 0, &pfn), 0);
    assert_true(buddy_zone_zoneinfo(z, text, sizeof(text)) < sizeof(text));
    /* a refilled 8 pages and handed one out: 7 cached; b, attached last,
     * comes first. */
    assert_non_null(strstr(text, "  pagesets\n"
                                 "    cpu: 0\n"
                                 "              count:    0\n"
                                 "              high:     16\n"
                                 "              batch:    8\n"
                                 "    cpu: 1\n"
                                 "              count:    7\n"));
    assert_non_null(strstr(text, "  pages free     1016\n"));
    assert_int_equal(buddy_pcp_free_pages(&a, pfn, 0), 0);
    buddy_pcp_fini(&a);
    buddy_pcp_fini(&b);
    assert_valid(z);
    zone_del(&f);
}

/* Bad input: a clear error, nothing changed. */
static void test_watermark_bad_input(void **state)
{
    struct fixture f, g;
    struct buddy_zone *z = zone_new_free(&f, 0, 1024, 10);
    struct buddy_system sys;
    struct buddy_wmark_config cfg = BUDDY_WMARK_CONFIG_INIT, bad;
    struct buddy_zone_watermarks wm, was;
    uint64_t junk[64] = {0};
    struct buddy_zone_config zc = BUDDY_ZONE_CONFIG_INIT;
    size_t n;

    (void)state;
    cfg.min_free_kbytes = 1024;
    assert_int_equal(buddy_zone_set_watermarks(z, &cfg), 0);
    assert_int_equal(buddy_zone_get_watermarks(z, &was), 0);

    assert_int_equal(buddy_zone_set_watermarks(NULL, &cfg), BUDDY_EBADZONE);
    assert_int_equal(buddy_zone_set_watermarks((struct buddy_zone *)junk, &cfg),
                     BUDDY_EBADZONE);
    assert_int_equal(buddy_zone_set_watermarks(z, NULL), BUDDY_ENULL);
    bad = cfg;
    bad.watermark_scale_factor = 0;
    assert_int_equal(buddy_zone_set_watermarks(z, &bad), BUDDY_EINVAL);
    bad.watermark_scale_factor = 3001;
    assert_int_equal(buddy_zone_set_watermarks(z, &bad), BUDDY_EINVAL);
    bad = cfg;
    bad.min_free_kbytes = ((uint64_t)1 << 32) + 1;
    assert_int_equal(buddy_zone_set_watermarks(z, &bad), BUDDY_EINVAL);
    assert_int_equal(buddy_system_set_watermarks(NULL, &cfg), BUDDY_ENULL);

    memset(&wm, 0x5a, sizeof(wm));
    {
        struct buddy_zone_watermarks before = wm;

        assert_int_equal(buddy_zone_get_watermarks(NULL, &wm), BUDDY_EBADZONE);
        assert_int_equal(buddy_zone_get_watermarks(z, NULL), BUDDY_ENULL);
        assert_memory_equal(&wm, &before, sizeof(wm));
    }
    assert_int_equal(buddy_zone_get_watermarks(z, &wm), 0);
    assert_memory_equal(&wm, &was, sizeof(wm));

    /* Zones of different page sizes share no min_free_kbytes. */
    zc.nr_pages = 1024;
    zc.start_pfn = 4096;
    zc.page_size = 8192;
    n = buddy_zone_meta_size(&zc);
    g.meta = aligned_alloc(8, (n + 7) & ~(size_t)7);
    assert_non_null(g.meta);
    assert_int_equal(buddy_zone_init(g.meta, n, &zc, &g.z), 0);
    buddy_system_init(&sys);
    assert_int_equal(buddy_system_add_zone(&sys, 0, 0, z), 0);
    assert_int_equal(buddy_system_add_zone(&sys, 0, 1, g.z), 0);
    assert_int_equal(buddy_system_set_watermarks(&sys, &cfg), BUDDY_EINVAL);
    assert_int_equal(buddy_zone_get_watermarks(z, &wm), 0);
    assert_memory_equal(&wm, &was, sizeof(wm));
    assert_valid(z);
    assert_valid(g.z);
    zone_del(&g);
    zone_del(&f);
}

/* ---- the marks at work in the zonelist walk ------------------------------ */

struct kswapd_log {
    unsigned wakes;
    unsigned nid, order, highest;
};

static void kswapd_wake(void *arg, unsigned nid, unsigned order,
                        unsigned highest)
{
    struct kswapd_log *k = arg;

    k->wakes++;
    k->nid = nid;
    k->order = order;
    k->highest = highest;
}

static uint64_t free_of(const struct buddy_zone *z)
{
    struct buddy_zone_stats st;

    assert_int_equal(buddy_zone_get_stats(z, &st), 0);
    return st.free_pages;
}

/* Allocate order-0 pages with `flags` until the call fails; returns how
 * many succeeded and checks each came from `from`. */
static unsigned drain_to_mark(struct buddy_system *sys, unsigned flags,
                              const struct buddy_zone *from, unsigned limit)
{
    unsigned n = 0;

    for (; n < limit; n++) {
        struct buddy_zone *got = NULL;
        buddy_pfn_t pfn;

        if (buddy_system_alloc_pages_flags(sys, 0, 2, 0, flags, &pfn, &got) != 0)
            break;
        assert_ptr_equal(got, from);
    }
    return n;
}

/* Two zones of 1024 pages (DMA at index 0, Normal at 2), min_free_kbytes
 * 1024: pages_min 256, so each zone has min 128, low 160, high 192, and
 * DMA keeps a lowmem reserve of 1024 / 256 = 4 pages from Normal
 * requests. Order-0 requests for Normal then take Normal down to its low
 * mark, DMA down to low + reserve, wake kswapd, take Normal to min, DMA
 * to min + reserve, and fail with ENOMEM though pages are free; __GFP_HIGH
 * digs to half the min, GFP_ATOMIC a quarter deeper, MEMALLOC to the
 * last page. */
static void test_watermarks_gate_the_zonelist(void **state)
{
    struct fixture dma, normal;
    struct buddy_system sys;
    struct buddy_wmark_config cfg = BUDDY_WMARK_CONFIG_INIT;
    struct buddy_zone_watermarks wm;
    struct buddy_zone_stats st;
    struct kswapd_log k = {0, 0, 0, 0};
    buddy_pfn_t pfn;

    (void)state;
    buddy_system_init(&sys);
    zone_new_free(&dma, 0, 1024, 10);
    zone_new_free(&normal, 1024, 1024, 10);
    assert_int_equal(buddy_system_add_zone(&sys, 0, 0, dma.z), 0);
    assert_int_equal(buddy_system_add_zone(&sys, 0, 2, normal.z), 0);
    assert_int_equal(buddy_system_set_kswapd(&sys, kswapd_wake, &k), 0);
    cfg.min_free_kbytes = 1024;
    assert_int_equal(buddy_system_set_watermarks(&sys, &cfg), 0);
    assert_int_equal(buddy_zone_get_watermarks(normal.z, &wm), 0);
    assert_int_equal(wm.wmark[BUDDY_WMARK_MIN], 128);
    assert_int_equal(wm.wmark[BUDDY_WMARK_LOW], 160);
    assert_int_equal(buddy_zone_get_watermarks(dma.z, &wm), 0);
    assert_int_equal(wm.lowmem_reserve[2], 4);

    /* The fast path: each zone down to its low mark (plus DMA's reserve). */
    assert_int_equal(drain_to_mark(&sys, 0, normal.z, 1024 - 160), 1024 - 160);
    assert_int_equal(k.wakes, 0);
    assert_int_equal(free_of(normal.z), 160);
    assert_int_equal(drain_to_mark(&sys, 0, dma.z, 1024 - 164), 1024 - 164);
    assert_int_equal(free_of(dma.z), 164);
    assert_int_equal(k.wakes, 0);
    /* Below every low mark: kswapd is woken and the min marks apply. */
    assert_int_equal(drain_to_mark(&sys, 0, normal.z, 32), 32);
    assert_int_equal(k.wakes, 32);
    assert_int_equal(k.nid, 0);
    assert_int_equal(k.highest, 2);
    assert_int_equal(drain_to_mark(&sys, 0, dma.z, 32), 32);
    assert_int_equal(free_of(dma.z), 132);
    /* At the min marks a GFP_KERNEL request fails, pages free or not. */
    assert_int_equal(buddy_system_alloc_pages(&sys, 0, 2, 0, &pfn, NULL),
                     BUDDY_ENOMEM);
    assert_int_equal(buddy_zone_get_stats(normal.z, &st), 0);
    assert_int_equal(st.alloc_failures, 1);
    /* __GFP_HIGH: half of min (64), from the preferred zone first. */
    assert_int_equal(drain_to_mark(&sys, BUDDY_GFP_HIGH, normal.z, 64), 64);
    assert_int_equal(free_of(normal.z), 64);
    assert_int_equal(drain_to_mark(&sys, BUDDY_GFP_HIGH, dma.z, 64), 64);
    assert_int_equal(free_of(dma.z), 68);
    /* GFP_ATOMIC: a quarter of that less again (48). */
    assert_int_equal(drain_to_mark(&sys, BUDDY_GFP_ATOMIC, normal.z, 16), 16);
    assert_int_equal(free_of(normal.z), 48);
    assert_int_equal(drain_to_mark(&sys, BUDDY_GFP_ATOMIC, dma.z, 100), 16);
    assert_int_equal(free_of(dma.z), 52);
    /* MEMALLOC: no marks (the lowmem reserve is a mark's too). */
    assert_int_equal(drain_to_mark(&sys, BUDDY_GFP_MEMALLOC, normal.z, 48), 48);
    assert_int_equal(free_of(normal.z), 0);
    assert_int_equal(drain_to_mark(&sys, BUDDY_GFP_MEMALLOC, dma.z, 100), 52);
    assert_int_equal(buddy_system_alloc_pages_flags(&sys, 0, 2, 0,
                                                    BUDDY_GFP_MEMALLOC, &pfn,
                                                    NULL),
                     BUDDY_ENOMEM);
    /* A bad flag: EINVAL before anything is looked at. */
    assert_int_equal(buddy_system_alloc_pages_flags(&sys, 0, 2, 0, 0x80, &pfn,
                                                    NULL),
                     BUDDY_EINVAL);
    assert_int_equal(buddy_system_alloc_pages_flags(&sys, 0, 2, 0, 0x80, NULL,
                                                    NULL),
                     BUDDY_ENULL);
    assert_valid(dma.z);
    assert_valid(normal.z);
    zone_del(&dma);
    zone_del(&normal);
}

/* A cache of allocated pages that gives them back when asked. */
struct page_cache {
    struct buddy_system *sys;
    buddy_pfn_t held[1024];
    unsigned n;
    unsigned counts, scans;
    uint64_t asked; /* objects asked for, all scans */
};

static uint64_t cache_count(void *arg, const struct buddy_shrink_control *sc)
{
    struct page_cache *c = arg;

    (void)sc;
    c->counts++;
    return c->n == 0 ? BUDDY_SHRINK_EMPTY : c->n;
}

static uint64_t cache_scan(void *arg, const struct buddy_shrink_control *sc)
{
    struct page_cache *c = arg;
    uint64_t freed = 0;

    c->scans++;
    c->asked += sc->nr_to_scan;
    while (freed < sc->nr_to_scan && c->n > 0) {
        assert_int_equal(buddy_system_free_pages(c->sys, c->held[--c->n], 0), 0);
        freed++;
    }
    return freed;
}

/* Below min with nothing free, the shrinkers give memory back and the
 * retry succeeds; NOWAIT never calls them; with nothing to give, the
 * request fails after one reclaim. */
static void test_shrinkers_feed_the_retry(void **state)
{
    struct fixture f;
    struct buddy_system sys;
    struct buddy_wmark_config cfg = BUDDY_WMARK_CONFIG_INIT;
    static struct page_cache c;
    struct buddy_shrinker s = {cache_count, cache_scan, &c, 0, 0};
    buddy_pfn_t pfn;
    unsigned i;

    (void)state;
    memset(&c, 0, sizeof(c));
    c.sys = &sys;
    buddy_system_init(&sys);
    zone_new_free(&f, 0, 2048, 10);
    assert_int_equal(buddy_system_add_zone(&sys, 0, 2, f.z), 0);
    cfg.min_free_kbytes = 512; /* pages_min 128 */
    assert_int_equal(buddy_system_set_watermarks(&sys, &cfg), 0);
    /* The cache takes 1024 pages, ordinary use the rest down to min. */
    for (i = 0; i < 1024; i++)
        assert_int_equal(buddy_system_alloc_pages(&sys, 0, 2, 0,
                                                  &c.held[c.n++], NULL), 0);
    while (buddy_system_alloc_pages(&sys, 0, 2, 0, &pfn, NULL) == 0)
        ;
    assert_int_equal(free_of(f.z), 128);
    /* NOWAIT: no shrinker is asked. */
    assert_int_equal(buddy_system_alloc_pages_flags(&sys, 0, 2, 0,
                                                    BUDDY_GFP_NOWAIT, &pfn,
                                                    NULL),
                     BUDDY_ENOMEM);
    assert_int_equal(buddy_system_register_shrinker(&sys, &s), 0);
    assert_int_equal(buddy_system_alloc_pages_flags(&sys, 0, 2, 0,
                                                    BUDDY_GFP_NOWAIT, &pfn,
                                                    NULL),
                     BUDDY_ENOMEM);
    assert_int_equal(c.counts, 0);
    /* GFP_KERNEL: priorities 12 down until a batch is asked for: 1024 >> 4
     * is 64, times 4 / 2 seeks is 128, one batch of 128 pages back. */
    assert_int_equal(buddy_system_alloc_pages(&sys, 0, 2, 0, &pfn, NULL), 0);
    assert_int_equal(c.scans, 1);
    assert_int_equal(c.asked, 128);
    assert_int_equal(c.n, 1024 - 128);
    assert_int_equal(free_of(f.z), 128 + 128 - 1);
    {
        struct buddy_zone_stats st;

        assert_int_equal(buddy_zone_get_stats(f.z, &st), 0);
        assert_int_equal(st.allocstall, 1); /* one direct reclaim */
    }
    /* With the cache empty and the zone at min, one reclaim finds nothing
     * and the request fails. */
    while (buddy_system_alloc_pages(&sys, 0, 2, 0, &pfn, NULL) == 0)
        ;
    assert_int_equal(c.n, 0);
    assert_int_equal(buddy_system_alloc_pages(&sys, 0, 2, 0, &pfn, NULL),
                     BUDDY_ENOMEM);
    /* /proc/vmstat: every page of the zone went out once through the
     * allocations and 1024 came back through the shrinker; one stall per
     * reclaim: the first, seven more of 128 pages each, one that found
     * the cache empty and ended the loop, and the last call's. Each of the
     * eight that found pages was asked one batch of 128 (slabs_scanned);
     * no kswapd ran (pageoutrun). */
    {
        char text[512];
        uint64_t out = 2048 - 128 + 1024;

        assert_true(buddy_system_vmstat(&sys, text, sizeof(text)) <
                    sizeof(text));
        snprintf(text + 256, 256,
                 "nr_free_pages 128\npgalloc_normal %llu\n"
                 "allocstall_normal 10\npgfree 1024\n"
                 "slabs_scanned 1024\npageoutrun 0\n",
                 (unsigned long long)out);
        assert_string_equal(text, text + 256);
    }
    /* Registration errors, and nothing changed by them. */
    assert_int_equal(buddy_system_register_shrinker(&sys, &s), BUDDY_EEXIST);
    assert_int_equal(buddy_system_register_shrinker(&sys, NULL), BUDDY_ENULL);
    {
        struct buddy_shrinker half = {cache_count, NULL, &c, 0, 0};

        assert_int_equal(buddy_system_register_shrinker(&sys, &half),
                         BUDDY_ENULL);
    }
    for (i = 1; i < BUDDY_MAX_SHRINKERS; i++) {
        struct buddy_shrinker other = {cache_count, cache_scan,
                                       &c.held[i], 0, 0};

        assert_int_equal(buddy_system_register_shrinker(&sys, &other), 0);
    }
    {
        struct buddy_shrinker one_more = {cache_count, cache_scan, &c.n, 0, 0};

        assert_int_equal(buddy_system_register_shrinker(&sys, &one_more),
                         BUDDY_ENOSPC);
        assert_int_equal(buddy_system_unregister_shrinker(&sys, &one_more),
                         BUDDY_ERANGE);
    }
    assert_int_equal(buddy_system_unregister_shrinker(&sys, &s), 0);
    assert_int_equal(buddy_system_unregister_shrinker(&sys, &s), BUDDY_ERANGE);
    assert_int_equal(buddy_system_register_shrinker(&sys, &s), 0);
    assert_int_equal(buddy_system_set_kswapd(NULL, NULL, NULL), BUDDY_ENULL);
    assert_valid(f.z);
    zone_del(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_single_zone_goldens),
        cmocka_unit_test(test_default_min_free_kbytes_clamps),
        cmocka_unit_test(test_zoneinfo_golden),
        cmocka_unit_test(test_zoneinfo_pagesets),
        cmocka_unit_test(test_watermark_bad_input),
        cmocka_unit_test(test_watermarks_gate_the_zonelist),
        cmocka_unit_test(test_shrinkers_feed_the_retry),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
