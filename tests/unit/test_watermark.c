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

/* The goldens at 4 KiB pages: a 262144-page zone. */
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
    struct fixture f[BUDDY_MAX_NR_ZONES];
    struct buddy_system sys;
    struct buddy_wmark_config cfg = BUDDY_WMARK_CONFIG_INIT;
    buddy_pfn_t start = 0;
    unsigned i, j;

    (void)state;
    buddy_system_init(&sys);
    for (i = 0; i < BUDDY_MAX_NR_ZONES; i++) {
        uint64_t span = want[i].managed != 0 ? want[i].managed : 64;

        if (want[i].managed != 0)
            zone_new_free(&f[i], start, span, 10);
        else
            zone_new(&f[i], start, span, 10); /* all holes */
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_single_zone_goldens),
        cmocka_unit_test(test_default_min_free_kbytes_clamps),
        cmocka_unit_test(test_zoneinfo_golden),
        cmocka_unit_test(test_watermark_bad_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
