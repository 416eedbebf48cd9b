/* SPDX-License-Identifier: MIT */
/*
 * test_bad_input.c: every bad input gets its own error code, changes
 * nothing, and leaves a zone that passes the validator.
 *
 * Each case takes a snapshot (all counters and a walk of every block), makes
 * the bad call, checks the exact error, then checks the snapshot is
 * unchanged but for the `rejected` counter and runs the validator.
 */
#include "helpers.h"

#define BASE ((uintptr_t)0x40000000u)

/* A 64-page zone at pfn 64 with a base: an order-2 block allocated at 64, an
 * order-0 at 68, pages 96..99 reserved, pages 112..127 a hole. Free: 69 (o0),
 * 70 (o1), 72 (o3), 80 (o4), 100 (o2), 104 (o3). */
static struct buddy_zone *messy_zone(struct fixture *f)
{
    struct buddy_zone_config cfg = BUDDY_ZONE_CONFIG_INIT;
    buddy_pfn_t pfn;
    size_t n;

    cfg.start_pfn = 64;
    cfg.nr_pages = 64;
    cfg.max_order = 5;
    cfg.base = (void *)BASE;
    n = buddy_zone_meta_size(&cfg);
    f->meta = aligned_alloc(8, (n + 7) & ~(size_t)7);
    assert_int_equal(buddy_zone_init(f->meta, n, &cfg, &f->z), 0);
    assert_int_equal(buddy_zone_add_range(f->z, 64, 32), 0);
    assert_int_equal(buddy_zone_alloc_pages(f->z, 2, &pfn), 0);
    assert_int_equal(pfn, 64);
    assert_int_equal(buddy_zone_alloc_pages(f->z, 0, &pfn), 0);
    assert_int_equal(pfn, 68);
    assert_int_equal(buddy_zone_add_range(f->z, 96, 16), 0);
    assert_int_equal(buddy_zone_reserve(f->z, 96, 4), 0);
    assert_valid(f->z);
    return f->z;
}

static void test_bad_frees_by_pfn_and_order(void **state)
{
    struct fixture f;
    struct buddy_zone *z = messy_zone(&f);

    (void)state;
    EXPECT_REJECTED(z, buddy_zone_free_pages(z, 63, 0), BUDDY_ERANGE);  /* below */
    EXPECT_REJECTED(z, buddy_zone_free_pages(z, 128, 0), BUDDY_ERANGE); /* above */
    EXPECT_REJECTED(z, buddy_zone_free_pages(z, BUDDY_PFN_NONE, 0), BUDDY_ERANGE);
    EXPECT_REJECTED(z, buddy_zone_free_pages(z, 64, 6), BUDDY_EORDER);
    EXPECT_REJECTED(z, buddy_zone_free_pages(z, 64, 99), BUDDY_EORDER);
    EXPECT_REJECTED(z, buddy_zone_free_pages(z, 66, 2), BUDDY_EALIGN);  /* misaligned */
    EXPECT_REJECTED(z, buddy_zone_free_pages(z, 64, 1), BUDDY_EWRONGORDER);
    EXPECT_REJECTED(z, buddy_zone_free_pages(z, 64, 3), BUDDY_EWRONGORDER);
    EXPECT_REJECTED(z, buddy_zone_free_pages(z, 65, 0), BUDDY_EINTERIOR);
    EXPECT_REJECTED(z, buddy_zone_free_pages(z, 66, 1), BUDDY_EINTERIOR);
    EXPECT_REJECTED(z, buddy_zone_free_pages(z, 69, 0), BUDDY_EDOUBLEFREE); /* free head */
    EXPECT_REJECTED(z, buddy_zone_free_pages(z, 81, 0), BUDDY_EDOUBLEFREE); /* inside free */
    EXPECT_REJECTED(z, buddy_zone_free_pages(z, 112, 0), BUDDY_EHOLE);
    EXPECT_REJECTED(z, buddy_zone_free_pages(z, 120, 3), BUDDY_EHOLE);
    EXPECT_REJECTED(z, buddy_zone_free_pages(z, 96, 2), BUDDY_ERESERVED);
    EXPECT_REJECTED(z, buddy_zone_free_pages(z, 97, 0), BUDDY_ERESERVED);
    zone_del(&f);
}

static void test_double_free_after_merge(void **state)
{
    struct fixture f;
    struct buddy_zone *z = messy_zone(&f);

    (void)state;
    assert_int_equal(buddy_zone_free_pages(z, 68, 0), 0); /* merges upward */
    EXPECT_REJECTED(z, buddy_zone_free_pages(z, 68, 0), BUDDY_EDOUBLEFREE);
    EXPECT_REJECTED(z, buddy_zone_free_pfn(z, 68), BUDDY_EDOUBLEFREE);
    zone_del(&f);
}

static void test_bad_frees_by_pfn_alone(void **state)
{
    struct fixture f;
    struct buddy_zone *z = messy_zone(&f);

    (void)state;
    EXPECT_REJECTED(z, buddy_zone_free_pfn(z, 0), BUDDY_ERANGE);
    EXPECT_REJECTED(z, buddy_zone_free_pfn(z, 128), BUDDY_ERANGE);
    EXPECT_REJECTED(z, buddy_zone_free_pfn(z, 67), BUDDY_EINTERIOR);
    EXPECT_REJECTED(z, buddy_zone_free_pfn(z, 70), BUDDY_EDOUBLEFREE);
    EXPECT_REJECTED(z, buddy_zone_free_pfn(z, 127), BUDDY_EHOLE);
    EXPECT_REJECTED(z, buddy_zone_free_pfn(z, 99), BUDDY_ERESERVED);
    zone_del(&f);
}

static void test_bad_frees_by_pointer(void **state)
{
    struct fixture f;
    struct buddy_zone *z = messy_zone(&f);
    char *block = (char *)BASE;

    (void)state;
    EXPECT_REJECTED(z, buddy_zone_free(z, NULL), BUDDY_ENULL);
    EXPECT_REJECTED(z, buddy_zone_free(z, block - 4096), BUDDY_ERANGE);
    EXPECT_REJECTED(z, buddy_zone_free(z, block + 64 * 4096), BUDDY_ERANGE);
    EXPECT_REJECTED(z, buddy_zone_free(z, block + 1), BUDDY_EALIGN);
    EXPECT_REJECTED(z, buddy_zone_free(z, block + 4096), BUDDY_EINTERIOR);
    EXPECT_REJECTED(z, buddy_zone_free(z, block + 5 * 4096), BUDDY_EDOUBLEFREE);
    EXPECT_REJECTED(z, buddy_zone_free(z, block + 48 * 4096), BUDDY_EHOLE);
    EXPECT_REJECTED(z, buddy_zone_free(z, block + 32 * 4096), BUDDY_ERESERVED);
    /* The good free still works afterwards. */
    assert_int_equal(buddy_zone_free(z, block), 0);
    assert_valid(z);
    zone_del(&f);
}

static void test_reserve_errors(void **state)
{
    struct fixture f;
    struct buddy_zone *z = messy_zone(&f);

    (void)state;
    EXPECT_REJECTED(z, buddy_zone_reserve(z, 64, 8), BUDDY_EBUSY);
    EXPECT_REJECTED(z, buddy_zone_reserve(z, 80, 40), BUDDY_EHOLE);
    EXPECT_REJECTED(z, buddy_zone_reserve(z, 108, 8), BUDDY_EHOLE);
    EXPECT_REJECTED(z, buddy_zone_reserve(z, 60, 8), BUDDY_ERANGE);
    EXPECT_REJECTED(z, buddy_zone_reserve(z, 120, 9), BUDDY_ERANGE);
    EXPECT_REJECTED(z, buddy_zone_reserve(z, 80, 0), BUDDY_EINVAL);
    /* Allocated pages found before a hole: the first offender wins. */
    EXPECT_REJECTED(z, buddy_zone_reserve(z, 68, 60), BUDDY_EBUSY);
    zone_del(&f);
}

static void test_add_range_errors(void **state)
{
    struct fixture f;
    struct buddy_zone *z = messy_zone(&f);

    (void)state;
    EXPECT_REJECTED(z, buddy_zone_add_range(z, 70, 2), BUDDY_EOVERLAP);  /* free */
    EXPECT_REJECTED(z, buddy_zone_add_range(z, 64, 1), BUDDY_EOVERLAP);  /* allocated */
    EXPECT_REJECTED(z, buddy_zone_add_range(z, 110, 4), BUDDY_EOVERLAP); /* free + hole */
    EXPECT_REJECTED(z, buddy_zone_add_range(z, 120, 16), BUDDY_ERANGE);
    EXPECT_REJECTED(z, buddy_zone_add_range(z, 0, 70), BUDDY_ERANGE);
    EXPECT_REJECTED(z, buddy_zone_add_range(z, 112, 0), BUDDY_EINVAL);
    EXPECT_REJECTED(z, buddy_zone_add_range(z, 112, UINT64_MAX), BUDDY_ERANGE);
    zone_del(&f);
}

static void test_alloc_errors_change_nothing(void **state)
{
    struct fixture f;
    struct buddy_zone *z = messy_zone(&f);
    struct snapshot before, after;
    buddy_pfn_t pfn = 7;

    (void)state;
    snapshot_take(z, &before);
    assert_int_equal(buddy_zone_alloc_pages(z, 6, &pfn), BUDDY_EORDER);
    assert_int_equal(buddy_zone_alloc_pages(z, 1000, &pfn), BUDDY_EORDER);
    assert_int_equal(buddy_zone_alloc_pages(z, 0, NULL), BUDDY_ENULL);
    assert_int_equal(pfn, 7);
    snapshot_take(z, &after);
    assert_memory_equal(&before, &after, sizeof(before));
    assert_valid(z);
    /* ENOMEM: counted as a failure, nothing else moves. */
    assert_int_equal(buddy_zone_alloc_pages(z, 5, &pfn), BUDDY_ENOMEM);
    snapshot_take(z, &after);
    assert_string_equal(before.walk, after.walk);
    assert_int_equal(after.st.alloc_failures, before.st.alloc_failures + 1);
    assert_valid(z);
    zone_del(&f);
}

static void test_not_a_zone(void **state)
{
    uint64_t junk[64] = {0};
    struct buddy_zone *z = (struct buddy_zone *)junk;
    struct buddy_check_report rep;
    buddy_pfn_t pfn;

    (void)state;
    assert_int_equal(buddy_zone_alloc_pages(NULL, 0, &pfn), BUDDY_EBADZONE);
    assert_int_equal(buddy_zone_alloc_pages(z, 0, &pfn), BUDDY_EBADZONE);
    assert_int_equal(buddy_zone_free_pages(z, 0, 0), BUDDY_EBADZONE);
    assert_int_equal(buddy_zone_free_pfn(z, 0), BUDDY_EBADZONE);
    assert_int_equal(buddy_zone_free(z, junk), BUDDY_EBADZONE);
    assert_int_equal(buddy_zone_add_range(z, 0, 1), BUDDY_EBADZONE);
    assert_int_equal(buddy_zone_reserve(z, 0, 1), BUDDY_EBADZONE);
    assert_int_equal(buddy_zone_check(z, &rep), BUDDY_EBADZONE);
    assert_int_equal(rep.error, BUDDY_EBADZONE);
    assert_null(buddy_zone_alloc(z, 1));
    for (size_t i = 0; i < 64; i++)
        assert_int_equal(junk[i], 0); /* nothing was written */
}

/* When several errors apply, the first in the documented order wins (buddy.h
 * and docs/design.md, "Error precedence"). Each case below has two or more
 * faults; the comment names the one that must lose. */
static void test_error_precedence(void **state)
{
    struct fixture f;
    struct buddy_zone *z = messy_zone(&f);
    uint64_t junk[64] = {0};
    struct buddy_zone *not_zone = (struct buddy_zone *)junk;
    char *block = (char *)BASE;
    buddy_pfn_t pfn = 7;

    (void)state;
    /* Frees: ERANGE > EORDER > EALIGN > the page's state. */
    EXPECT_REJECTED(z, buddy_zone_free_pages(z, 63, 99), BUDDY_ERANGE);  /* EORDER */
    EXPECT_REJECTED(z, buddy_zone_free_pages(z, 129, 2), BUDDY_ERANGE); /* EALIGN */
    EXPECT_REJECTED(z, buddy_zone_free_pages(z, 65, 6), BUDDY_EORDER);  /* EALIGN */
    EXPECT_REJECTED(z, buddy_zone_free_pages(z, 97, 31), BUDDY_EORDER); /* ERESERVED */
    EXPECT_REJECTED(z, buddy_zone_free_pages(z, 66, 2), BUDDY_EALIGN);  /* EINTERIOR */
    EXPECT_REJECTED(z, buddy_zone_free_pages(z, 97, 1), BUDDY_EALIGN);  /* ERESERVED */
    EXPECT_REJECTED(z, buddy_zone_free_pages(z, 113, 1), BUDDY_EALIGN); /* EHOLE */
    EXPECT_REJECTED(z, buddy_zone_free_pages(z, 70, 2), BUDDY_EALIGN);  /* EDOUBLEFREE */
    /* By pointer: ENULL > ENOBASE > ERANGE > EALIGN > the page's state. */
    EXPECT_REJECTED(z, buddy_zone_free(z, block - 4095), BUDDY_ERANGE); /* EALIGN */
    EXPECT_REJECTED(z, buddy_zone_free(z, block + 4097), BUDDY_EALIGN); /* EINTERIOR */
    /* EBADZONE before everything, and then nothing is counted anywhere. */
    assert_int_equal(buddy_zone_free_pages(not_zone, 63, 99), BUDDY_EBADZONE);
    assert_int_equal(buddy_zone_free(not_zone, NULL), BUDDY_EBADZONE);
    assert_int_equal(buddy_zone_add_range(not_zone, 0, 0), BUDDY_EBADZONE);
    assert_int_equal(buddy_zone_alloc_pages(not_zone, 99, NULL), BUDDY_EBADZONE);
    for (size_t i = 0; i < 64; i++)
        assert_int_equal(junk[i], 0);
    /* Ranges: EINVAL (empty) > ERANGE > the first offending block. */
    EXPECT_REJECTED(z, buddy_zone_add_range(z, 0, 0), BUDDY_EINVAL);  /* ERANGE */
    EXPECT_REJECTED(z, buddy_zone_add_range(z, 64, 0), BUDDY_EINVAL); /* EOVERLAP */
    EXPECT_REJECTED(z, buddy_zone_add_range(z, 64, 65), BUDDY_ERANGE); /* EOVERLAP */
    EXPECT_REJECTED(z, buddy_zone_reserve(z, 0, 0), BUDDY_EINVAL);    /* ERANGE */
    EXPECT_REJECTED(z, buddy_zone_reserve(z, 64, 65), BUDDY_ERANGE);  /* EBUSY */
    EXPECT_REJECTED(z, buddy_zone_reserve(z, 100, 29), BUDDY_ERANGE); /* EHOLE */
    /* Then the first offender in address order: a hole after allocated
     * pages is EBUSY, allocated pages after a hole would be EHOLE. */
    EXPECT_REJECTED(z, buddy_zone_reserve(z, 68, 60), BUDDY_EBUSY);
    EXPECT_REJECTED(z, buddy_zone_reserve(z, 100, 28), BUDDY_EHOLE);
    /* Allocations: ENULL > EORDER > ENOMEM, nothing counted but ENOMEM. */
    {
        struct snapshot before, after;

        snapshot_take(z, &before);
        assert_int_equal(buddy_zone_alloc_pages(z, 99, NULL), BUDDY_ENULL);
        assert_int_equal(buddy_zone_alloc_pages(z, 99, &pfn), BUDDY_EORDER);
        assert_int_equal(pfn, 7);
        snapshot_take(z, &after);
        assert_memory_equal(&before, &after, sizeof(before));
    }
    assert_valid(z);
    zone_del(&f);
}

/* The queries say when they cannot answer: EBADZONE, ENULL, EORDER in that
 * order; the answer is left as it was, and a query changes nothing, not even
 * the rejected counter. */
/* The setters and the cache queries say when they fail too, and change
 * nothing. */
static void test_hook_drain_and_count_report_bad_input(void **state)
{
    struct fixture f;
    struct buddy_zone *z = messy_zone(&f);
    uint64_t junk[64] = {0};
    struct buddy_zone *bad[] = {NULL, (struct buddy_zone *)junk};
    struct buddy_pcp_config cfg = {1, 4, 8};
    struct buddy_pcp pcp;
    struct snapshot before, after;
    uint64_t n = 77;
    buddy_pfn_t pfn;

    (void)state;
    snapshot_take(z, &before);
    for (size_t i = 0; i < 2; i++) {
        assert_int_equal(buddy_zone_set_hook(bad[i], NULL, NULL), BUDDY_EBADZONE);
        assert_int_equal(buddy_zone_drain_caches(bad[i], &n), BUDDY_EBADZONE);
        assert_int_equal(buddy_zone_drain_caches(bad[i], NULL), BUDDY_EBADZONE);
    }
    assert_int_equal(n, 77);
    assert_int_equal(buddy_pcp_count(NULL, &n), BUDDY_ENULL);
    memset(&pcp, 0, sizeof(pcp)); /* never attached */
    assert_int_equal(buddy_pcp_count(&pcp, &n), BUDDY_ENULL);
    assert_int_equal(n, 77);
    snapshot_take(z, &after);
    assert_memory_equal(&before, &after, sizeof(before));
    assert_valid(z);

    /* An attached cache answers; a detached one is refused again. */
    assert_int_equal(buddy_zone_set_hook(z, NULL, NULL), 0);
    assert_int_equal(buddy_pcp_init(&pcp, z, &cfg), 0);
    assert_int_equal(buddy_pcp_alloc_pages(&pcp, 0, &pfn), 0);
    assert_int_equal(buddy_pcp_count(&pcp, NULL), BUDDY_ENULL);
    assert_int_equal(buddy_pcp_count(&pcp, &n), 0);
    assert_true(n > 0);
    assert_int_equal(buddy_pcp_free_pages(&pcp, pfn, 0), 0);
    assert_int_equal(buddy_zone_drain_caches(z, &n), 0);
    assert_true(n > 0);
    buddy_pcp_fini(&pcp);
    n = 77;
    assert_int_equal(buddy_pcp_count(&pcp, &n), BUDDY_ENULL);
    assert_int_equal(n, 77);
    assert_valid(z);
    zone_del(&f);
}

static void test_queries_report_bad_input(void **state)
{
    struct fixture f;
    struct buddy_zone *z = messy_zone(&f);
    uint64_t junk[64] = {0};
    const struct buddy_zone *bad[] = {NULL, (const struct buddy_zone *)junk};
    struct buddy_zone_info info, info_was;
    struct buddy_zone_stats st, st_was;
    struct snapshot before, after;
    uint64_t n = 77;
    int index = 77;

    (void)state;
    memset(&info, 0x5a, sizeof(info));
    memset(&st, 0x5a, sizeof(st));
    info_was = info;
    st_was = st;
    snapshot_take(z, &before);
    for (size_t i = 0; i < 2; i++) {
        assert_int_equal(buddy_zone_get_info(bad[i], &info), BUDDY_EBADZONE);
        assert_int_equal(buddy_zone_get_stats(bad[i], &st), BUDDY_EBADZONE);
        assert_int_equal(buddy_zone_nr_free(bad[i], 0, &n), BUDDY_EBADZONE);
        assert_int_equal(buddy_zone_nr_free_pages(bad[i], &n), BUDDY_EBADZONE);
        assert_int_equal(buddy_zone_unusable_index(bad[i], 0, &index),
                         BUDDY_EBADZONE);
        assert_int_equal(buddy_zone_fragmentation_index(bad[i], 0, &index),
                         BUDDY_EBADZONE);
        /* EBADZONE before ENULL and EORDER. */
        assert_int_equal(buddy_zone_get_info(bad[i], NULL), BUDDY_EBADZONE);
        assert_int_equal(buddy_zone_nr_free(bad[i], 99, NULL), BUDDY_EBADZONE);
        assert_int_equal(buddy_zone_unusable_index(bad[i], 99, NULL),
                         BUDDY_EBADZONE);
    }
    for (size_t i = 0; i < 64; i++)
        assert_int_equal(junk[i], 0); /* nothing was written */
    assert_int_equal(buddy_zone_get_info(z, NULL), BUDDY_ENULL);
    assert_int_equal(buddy_zone_get_stats(z, NULL), BUDDY_ENULL);
    assert_int_equal(buddy_zone_nr_free(z, 0, NULL), BUDDY_ENULL);
    assert_int_equal(buddy_zone_nr_free_pages(z, NULL), BUDDY_ENULL);
    assert_int_equal(buddy_zone_unusable_index(z, 0, NULL), BUDDY_ENULL);
    assert_int_equal(buddy_zone_fragmentation_index(z, 0, NULL), BUDDY_ENULL);
    /* ENULL before EORDER. */
    assert_int_equal(buddy_zone_nr_free(z, 6, NULL), BUDDY_ENULL);
    assert_int_equal(buddy_zone_fragmentation_index(z, 6, NULL), BUDDY_ENULL);
    /* max_order is 5: order 6 has no free list, and no index. */
    assert_int_equal(buddy_zone_nr_free(z, 6, &n), BUDDY_EORDER);
    assert_int_equal(buddy_zone_nr_free(z, UINT32_MAX, &n), BUDDY_EORDER);
    assert_int_equal(buddy_zone_unusable_index(z, 6, &index), BUDDY_EORDER);
    assert_int_equal(buddy_zone_fragmentation_index(z, 6, &index),
                     BUDDY_EORDER);
    assert_int_equal(n, 77);
    assert_int_equal(index, 77);
    assert_memory_equal(&info, &info_was, sizeof(info));
    assert_memory_equal(&st, &st_was, sizeof(st));
    snapshot_take(z, &after);
    assert_memory_equal(&before, &after, sizeof(before));
    assert_valid(z);
    /* The good answers, for contrast: order 5 is the largest list. */
    assert_int_equal(buddy_zone_nr_free(z, 5, &n), 0);
    assert_int_equal(n, 0);
    assert_int_equal(buddy_zone_nr_free_pages(z, &n), 0);
    assert_int_equal(n, 1 + 2 + 8 + 16 + 4 + 8);
    zone_del(&f);
}

/* Bad configurations: a distinct error each, and the buffer untouched. */
/* A refused configuration makes no zone: the buffer is untouched, the
 * validator finds no zone in it, and a good configuration then initialises
 * a valid zone in the same buffer. */
static void expect_bad_config(const struct buddy_zone_config *cfg, size_t size,
                              size_t misalign, int err)
{
    static uint64_t buf[4096];
    unsigned char *meta = (unsigned char *)buf + misalign;
    struct buddy_zone *z = (struct buddy_zone *)buf;
    struct buddy_zone_config good = BUDDY_ZONE_CONFIG_INIT;
    struct buddy_check_report rep;

    memset(buf, 0xA5, sizeof(buf));
    assert_int_equal(buddy_zone_init(meta, size, cfg, &z), err);
    assert_ptr_equal(z, (struct buddy_zone *)buf);
    for (size_t i = 0; i < sizeof(buf); i++)
        assert_int_equal(((unsigned char *)buf)[i], 0xA5);
    assert_int_equal(buddy_zone_check((struct buddy_zone *)buf, &rep),
                     BUDDY_EBADZONE);
    good.nr_pages = 1000;
    assert_int_equal(buddy_zone_init(buf, sizeof(buf), &good, &z), 0);
    assert_int_equal(buddy_zone_add_range(z, 0, 1000), 0);
    assert_valid(z);
}

static void test_bad_configurations(void **state)
{
    struct buddy_zone_config cfg = BUDDY_ZONE_CONFIG_INIT;
    struct buddy_zone_config bad;
    size_t need;

    (void)state;
    cfg.nr_pages = 1000;
    need = buddy_zone_meta_size(&cfg);
    assert_true(need > 0 && need < 4096 * 8 - 8);

    bad = cfg;
    bad.page_size = 3000;
    assert_int_equal(buddy_zone_meta_size(&bad), 0);
    expect_bad_config(&bad, need, 0, BUDDY_EPAGESIZE);
    bad.page_size = 8; /* power of two, below the 16-byte minimum */
    expect_bad_config(&bad, need, 0, BUDDY_EPAGESIZE);
    bad.page_size = 0;
    expect_bad_config(&bad, need, 0, BUDDY_EPAGESIZE);

    bad = cfg;
    bad.max_order = BUDDY_MAX_ORDER_LIMIT + 1;
    expect_bad_config(&bad, need, 0, BUDDY_EMAXORDER);

    bad = cfg;
    bad.nr_pages = 0;
    expect_bad_config(&bad, need, 0, BUDDY_ESPAN);
    bad.nr_pages = (uint64_t)BUDDY_MAX_ZONE_PAGES + 1;
    expect_bad_config(&bad, need, 0, BUDDY_ESPAN);
    bad.nr_pages = 10;
    bad.start_pfn = UINT64_MAX - 5;
    expect_bad_config(&bad, need, 0, BUDDY_ESPAN);

    expect_bad_config(&cfg, need - 1, 0, BUDDY_ENOSPC);
    expect_bad_config(&cfg, need, 4, BUDDY_EALIGN); /* misaligned metadata */

    bad = cfg;
    bad.base = (void *)(uintptr_t)0x40000010u; /* not page aligned */
    expect_bad_config(&bad, need, 0, BUDDY_EALIGN);
    bad.base = (void *)(UINTPTR_MAX - 4095); /* span runs off the address space */
    expect_bad_config(&bad, need, 0, BUDDY_ESPAN);

    expect_bad_config(NULL, need, 0, BUDDY_ENULL);
    assert_int_equal(buddy_zone_init(NULL, need, &cfg, NULL), BUDDY_ENULL);
}

static void test_error_table(void **state)
{
    int codes[] = {
#define CODE_(name, value, text) BUDDY_##name,
        BUDDY_ERRNO_MAP(CODE_)
#undef CODE_
    };
    size_t n = sizeof(codes) / sizeof(codes[0]);

    (void)state;
    for (size_t i = 0; i < n; i++) {
        assert_true(codes[i] < 0);
        assert_string_not_equal(buddy_strerror(codes[i]), "unknown error");
        assert_true(buddy_errname(codes[i])[0] == 'E');
        for (size_t j = 0; j < i; j++) {
            assert_int_not_equal(codes[i], codes[j]);
            assert_string_not_equal(buddy_strerror(codes[i]),
                                    buddy_strerror(codes[j]));
        }
    }
    assert_string_equal(buddy_errname(BUDDY_EDOUBLEFREE), "EDOUBLEFREE");
    assert_string_equal(buddy_strerror(0), "success");
    assert_string_equal(buddy_strerror(-1000), "unknown error");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bad_frees_by_pfn_and_order),
        cmocka_unit_test(test_double_free_after_merge),
        cmocka_unit_test(test_bad_frees_by_pfn_alone),
        cmocka_unit_test(test_bad_frees_by_pointer),
        cmocka_unit_test(test_reserve_errors),
        cmocka_unit_test(test_add_range_errors),
        cmocka_unit_test(test_alloc_errors_change_nothing),
        cmocka_unit_test(test_not_a_zone),
        cmocka_unit_test(test_queries_report_bad_input),
        cmocka_unit_test(test_hook_drain_and_count_report_bad_input),
        cmocka_unit_test(test_error_precedence),
        cmocka_unit_test(test_bad_configurations),
        cmocka_unit_test(test_error_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
