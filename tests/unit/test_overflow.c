/* SPDX-License-Identifier: MIT */
/*
 * test_overflow.c: every size the core computes stays inside its type, on
 * 32-bit targets as on 64-bit ones.
 *
 * Each case feeds a configuration or a call at the edge of a type (the
 * metadata size against SIZE_MAX, the span's end against the end of pfn
 * space and of the address space, block sizes in bytes against the pointer
 * width) and checks the exact error, that nothing outside the buffer given
 * was written (canary bytes around it), and, where a zone exists, that the
 * validator passes. The values are written relative to SIZE_MAX and
 * UINTPTR_MAX, so the same test means the same thing at either width:
 * where a limit is only reachable on one width, the test says which.
 */
#include "helpers.h"

#include "buddy/hosted.h"

#define W (sizeof(uintptr_t) * 8u) /* the pointer width */
#define CANARY 0xA5u
#define GUARD 64u /* canary bytes each side; keeps the buffer 8-aligned */

/* A size the compiler cannot see: the byte allocators carry alloc_size, and
 * a constant above PTRDIFF_MAX, which these tests pass on purpose, draws a
 * warning. */
static size_t opaque_size(size_t size)
{
    volatile size_t v = size;

    return v;
}

/* A buffer of `size` bytes with GUARD canary bytes on each side, all of it
 * filled with CANARY. */
struct guarded {
    unsigned char *raw;
    unsigned char *buf;
    size_t size;
};

static void guarded_new(struct guarded *g, size_t size)
{
    g->raw = malloc(size + 2 * GUARD);
    assert_non_null(g->raw);
    memset(g->raw, CANARY, size + 2 * GUARD);
    g->buf = g->raw + GUARD;
    g->size = size;
}

/* Nothing outside [buf, buf + size) was written. */
static void assert_guards(const struct guarded *g)
{
    for (size_t i = 0; i < GUARD; i++) {
        assert_int_equal(g->raw[i], CANARY);
        assert_int_equal(g->buf[g->size + i], CANARY);
    }
}

/* Nothing at all was written. */
static void assert_untouched(const struct guarded *g)
{
    for (size_t i = 0; i < g->size + 2 * GUARD; i++)
        assert_int_equal(g->raw[i], CANARY);
}

static void guarded_del(struct guarded *g)
{
    free(g->raw);
    g->raw = g->buf = NULL;
}

/* init refuses cfg with `err` for a buffer of `claimed` bytes (`real` of
 * them there), writes nothing, and leaves *zone_out alone. */
static void expect_init_refused(const struct buddy_zone_config *cfg,
                                size_t real, size_t claimed, int err)
{
    struct guarded g;
    struct buddy_zone *z = (struct buddy_zone *)&g;

    guarded_new(&g, real);
    assert_int_equal(buddy_zone_init(g.buf, claimed, cfg, &z), err);
    assert_ptr_equal(z, (struct buddy_zone *)&g);
    assert_untouched(&g);
    guarded_del(&g);
}

/* Bytes of the fixed zone header: the metadata of one page, less its 9. */
static size_t header_bytes(void)
{
    struct buddy_zone_config cfg = BUDDY_ZONE_CONFIG_INIT;

    cfg.nr_pages = 1;
    return buddy_zone_meta_size(&cfg) - BUDDY_META_BYTES_PER_PAGE - 1;
}

/* ---- the metadata size -------------------------------------------------- */

/* A span whose metadata does not fit size_t (2^29 pages and more on a
 * 32-bit target) makes meta_size 0, and init refuses it with ESPAN
 * whatever buffer it is given, before writing anything. On a 64-bit target
 * the largest span's metadata fits, and is exact. */
/* The metadata of a span of n pages from pfn 0 with the default
 * pageblocks (512 pages): the header, 9 bytes a page, 1 a pageblock. */
static uint64_t meta_of(uint64_t n)
{
    return header_bytes() + (uint64_t)BUDDY_META_BYTES_PER_PAGE * n +
           (n - 1) / 512 + 1;
}

static void test_meta_size_beyond_size_t(void **state)
{
    struct buddy_zone_config cfg = BUDDY_ZONE_CONFIG_INIT;
    uint64_t lo = 1, hi = BUDDY_MAX_ZONE_PAGES, fit;

    /* fit: the largest span whose metadata size_t can count. */
    if (meta_of(hi) <= SIZE_MAX)
        lo = hi;
    while (lo < hi) {
        uint64_t mid = lo + (hi - lo + 1) / 2;

        if (meta_of(mid) <= SIZE_MAX)
            lo = mid;
        else
            hi = mid - 1;
    }
    fit = lo;

    (void)state;
    if (fit < BUDDY_MAX_ZONE_PAGES) { /* 32-bit: some spans cannot be */
        cfg.nr_pages = fit;
        assert_int_equal(buddy_zone_meta_size(&cfg), meta_of(fit));
        cfg.nr_pages = fit + 1;
        assert_int_equal(buddy_zone_meta_size(&cfg), 0);
        expect_init_refused(&cfg, 128, 128, BUDDY_ESPAN);
        expect_init_refused(&cfg, 128, SIZE_MAX - GUARD - 4096, BUDDY_ESPAN);
        cfg.nr_pages = (uint64_t)1 << 29;
        assert_int_equal(buddy_zone_meta_size(&cfg), 0);
        expect_init_refused(&cfg, 128, 128, BUDDY_ESPAN);
        expect_init_refused(&cfg, 128, 0, BUDDY_ESPAN);
    }
    /* A size of 0 is no buffer, whatever the configuration. */
    cfg.nr_pages = 1;
    expect_init_refused(&cfg, 128, 0, BUDDY_ENOSPC);
    cfg.nr_pages = BUDDY_MAX_ZONE_PAGES;
    if (fit >= BUDDY_MAX_ZONE_PAGES)
        assert_true(buddy_zone_meta_size(&cfg) == meta_of(BUDDY_MAX_ZONE_PAGES));
    /* Whatever the width, 128 bytes are never enough for it. */
    expect_init_refused(&cfg, 128, 128,
                        fit >= BUDDY_MAX_ZONE_PAGES ? BUDDY_ENOSPC
                                                    : BUDDY_ESPAN);
}

/* The heap sizes its metadata and its memory the same way: a span whose
 * metadata does not fit size_t, or whose memory does not, is refused
 * before anything is mapped or written; pages of 2^(W-1) bytes without
 * memory make a heap like any other. */
static void test_heap_size_limits(void **state)
{
    struct buddy_heap_options o = BUDDY_HEAP_OPTIONS_INIT;
    struct buddy_heap *h = NULL;
    uint64_t fit = ((uint64_t)SIZE_MAX - header_bytes()) /
                   BUDDY_META_BYTES_PER_PAGE;
    buddy_pfn_t pfn;

    (void)state;
    if (fit < BUDDY_MAX_ZONE_PAGES) { /* 32-bit: the metadata cannot fit */
        o.nr_pages = fit + 1;
        assert_int_equal(buddy_heap_create(&o, &h), BUDDY_ESPAN);
        o.nr_pages = (uint64_t)1 << 29;
        o.cache = BUDDY_CACHE_NONE;
        assert_int_equal(buddy_heap_create(&o, &h), BUDDY_ESPAN);
        assert_null(h);
    }
    o = (struct buddy_heap_options)BUDDY_HEAP_OPTIONS_INIT;
    o.page_size = (size_t)1 << (W - 1);
    o.nr_pages = 2;
    o.max_order = BUDDY_MAX_ORDER_LIMIT; /* page_size << max_order: 2^(W+30) */
    o.with_memory = 1;
    assert_int_equal(buddy_heap_create(&o, &h), BUDDY_ESPAN); /* 2^W bytes */
    assert_null(h);
    o.with_memory = 0;
    assert_int_equal(buddy_heap_create(&o, &h), 0);
    assert_int_equal(buddy_heap_alloc_pages(h, 1, &pfn), 0);
    {
        struct buddy_zone_info info;

        assert_int_equal(buddy_zone_get_info(buddy_heap_zone(h), &info), 0);
        assert_int_equal(pfn, info.start_pfn); /* the heap's first frame */
    }
    assert_null(buddy_heap_alloc(h, 1)); /* no memory: no byte API */
    assert_int_equal(buddy_heap_free_pages(h, pfn, 1), 0);
    buddy_heap_drain(h);
    assert_valid(buddy_heap_zone(h));
    buddy_heap_destroy(h);
}

/* A buffer whose end would pass the top of the address space is refused
 * (EINVAL); one that ends just below it is fine, and init writes only the
 * metadata's bytes of it, not the claimed size. */
static void test_meta_end_must_not_wrap(void **state)
{
    struct buddy_zone_config cfg = BUDDY_ZONE_CONFIG_INIT;
    struct guarded g;
    struct buddy_zone *z;
    size_t need;
    buddy_pfn_t pfn;

    (void)state;
    cfg.nr_pages = 16;
    cfg.max_order = 4;
    need = buddy_zone_meta_size(&cfg);
    guarded_new(&g, need);
    z = NULL;
    assert_int_equal(buddy_zone_init(g.buf, SIZE_MAX, &cfg, &z),
                     BUDDY_EINVAL);
    assert_int_equal(buddy_zone_init(g.buf,
                                     UINTPTR_MAX - (uintptr_t)g.buf + 1u,
                                     &cfg, &z),
                     BUDDY_EINVAL); /* ends at 2^W: the end wraps to 0 */
    assert_null(z);
    assert_untouched(&g);
    assert_int_equal(buddy_zone_init(g.buf, UINTPTR_MAX - (uintptr_t)g.buf,
                                     &cfg, &z),
                     0);
    assert_guards(&g);
    assert_int_equal(buddy_zone_add_range(z, 0, 16), 0);
    assert_int_equal(buddy_zone_alloc_pages(z, 4, &pfn), 0);
    assert_int_equal(buddy_zone_free_pages(z, pfn, 4), 0);
    assert_guards(&g);
    assert_valid(z);
    guarded_del(&g);
}

/* ---- the span against pfn space ----------------------------------------- */

/* A zone may end at the last pfn below BUDDY_PFN_NONE; one page more is
 * refused. Ranges whose end pfn + nr_pages wraps are refused and change
 * nothing; the system's span tests at the top of pfn space hold. */
static void test_span_at_the_top_of_pfn_space(void **state)
{
    struct buddy_zone_config cfg = BUDDY_ZONE_CONFIG_INIT;
    buddy_pfn_t top = BUDDY_PFN_NONE - 255, pfn; /* 256-aligned */
    struct fixture f, g, h;
    struct buddy_system sys;
    struct buddy_zone *z;

    (void)state;
    cfg.start_pfn = top + 1;
    cfg.nr_pages = 255;
    expect_init_refused(&cfg, 128, 128, BUDDY_ESPAN);
    assert_int_equal(buddy_zone_meta_size(&cfg), 0);

    z = zone_new_free(&f, top, 255, 8); /* blocks of order 7 down to 0 */
    assert_int_equal(buddy_zone_alloc_pages(z, 7, &pfn), 0);
    assert_int_equal(pfn, top);
    assert_int_equal(buddy_zone_free_pages(z, pfn, 7), 0);
    assert_int_equal(buddy_zone_alloc_pages(z, 0, &pfn), 0);
    assert_int_equal(pfn, BUDDY_PFN_NONE - 1); /* its buddy would be NONE */
    EXPECT_REJECTED(z, buddy_zone_free_pages(z, BUDDY_PFN_NONE, 0), BUDDY_ERANGE);
    EXPECT_REJECTED(z, buddy_zone_free_pfn(z, BUDDY_PFN_NONE), BUDDY_ERANGE);
    /* pfn + nr_pages wraps to 0, to 1, and far past the span */
    EXPECT_REJECTED(z, buddy_zone_add_range(z, top + 128, 0 - (top + 128)),
                    BUDDY_ERANGE);
    EXPECT_REJECTED(z, buddy_zone_reserve(z, top + 128, 1 - (top + 128)),
                    BUDDY_ERANGE);
    EXPECT_REJECTED(z, buddy_zone_reserve(z, top + 1, UINT64_MAX),
                    BUDDY_ERANGE);
    EXPECT_REJECTED(z, buddy_zone_add_range(z, BUDDY_PFN_NONE, 1),
                    BUDDY_ERANGE);
    EXPECT_REJECTED(z, buddy_zone_reserve(z, top + 254, 2), BUDDY_ERANGE);
    EXPECT_REJECTED(z, buddy_zone_reserve(z, top + 254, 1), BUDDY_EBUSY);
    assert_int_equal(buddy_zone_free_pfn(z, pfn), 0);
    assert_int_equal(buddy_zone_reserve(z, top + 254, 1), 0);
    assert_int_equal(buddy_zone_add_range(z, top + 254, 1), 0);
    assert_int_equal(zone_free_pages(z), 255);
    assert_valid(z);

    buddy_system_init(&sys);
    assert_int_equal(buddy_system_add_zone(&sys, 0, 2, z), 0);
    zone_new(&g, top - 256, 256, 8); /* just below: no overlap */
    assert_int_equal(buddy_system_add_zone(&sys, 0, 1, g.z), 0);
    zone_new(&h, BUDDY_PFN_NONE - 1, 1, 0); /* the last pfn: overlaps */
    assert_int_equal(buddy_system_add_zone(&sys, 1, 2, h.z),
                     BUDDY_ESPANOVERLAP);
    assert_ptr_equal(buddy_system_pfn_zone(&sys, BUDDY_PFN_NONE - 1), z);
    assert_null(buddy_system_pfn_zone(&sys, BUDDY_PFN_NONE));
    assert_int_equal(buddy_system_free_pages(&sys, BUDDY_PFN_NONE, 0),
                     BUDDY_ERANGE);
    assert_int_equal(buddy_system_check(&sys, NULL), 0);
    zone_del(&h);
    zone_del(&g);
    zone_del(&f);
}

/* ---- the span against the address space --------------------------------- */

/* base + span must be an address: a span that ends exactly at 2^W is
 * refused, one that ends a page below is served, and the byte API at the
 * top of the address space computes no address past it (the base is only
 * page aligned there, so the address alignment is a page). */
static void test_base_at_the_top_of_the_address_space(void **state)
{
    struct buddy_zone_config cfg = BUDDY_ZONE_CONFIG_INIT;
    struct fixture f;
    uintptr_t base;
    char *p;

    (void)state;
    cfg.nr_pages = 16;
    cfg.max_order = 4;
    cfg.base = (void *)(UINTPTR_MAX - 16u * 4096u + 1u); /* end = 2^W */
    expect_init_refused(&cfg, 4096, 4096, BUDDY_ESPAN);
    assert_int_equal(buddy_zone_meta_size(&cfg), 0);

    base = UINTPTR_MAX - 17u * 4096u + 1u; /* end = 2^W - one page */
    zone_with_base(&f, 0, 16, 4, base);
    assert_ptr_equal(buddy_zone_pfn_to_addr(f.z, 15), (void *)(base + 15u * 4096u));
    assert_int_equal(buddy_zone_addr_to_pfn(f.z, (void *)(base + 16u * 4096u - 1u)),
                     15);
    assert_int_equal(buddy_zone_addr_to_pfn(f.z, (void *)UINTPTR_MAX),
                     BUDDY_PFN_NONE);
    assert_int_equal(buddy_zone_addr_align(f.z), 4096u);
    p = buddy_zone_alloc(f.z, 16u * 4096u);
    assert_ptr_equal(p, (void *)base);
    assert_int_equal(buddy_zone_usable_size(f.z, p), 16u * 4096u);
    EXPECT_REJECTED(f.z, buddy_zone_free(f.z, (void *)(UINTPTR_MAX - 4095u)),
                    BUDDY_ERANGE);
    EXPECT_REJECTED(f.z, buddy_zone_free(f.z, p + 1), BUDDY_EALIGN);
    assert_null(buddy_zone_alloc(f.z, 1));
    assert_int_equal(buddy_zone_free(f.z, p), 0);
    assert_valid(f.z);
    zone_del(&f);
}

/* Pages of 2^(W-1) bytes, the largest size_t power of two: fine without a
 * base (pfns are only names), refused with one (a page at 2^(W-1) ends at
 * 2^W). Requests up to SIZE_MAX round to whole pages without wrapping. */
static void test_largest_page_size(void **state)
{
    struct buddy_zone_config cfg = BUDDY_ZONE_CONFIG_INIT;
    struct buddy_pcp_config pc = {1, 2, 4};
    struct buddy_zone_info info;
    struct buddy_pcp pcp;
    struct guarded g;
    struct buddy_zone *z;
    buddy_pfn_t pfn;
    size_t page = (size_t)1 << (W - 1);

    (void)state;
    cfg.page_size = page;
    cfg.nr_pages = 3;
    cfg.max_order = BUDDY_MAX_ORDER_LIMIT;
    guarded_new(&g, buddy_zone_meta_size(&cfg));
    assert_int_equal(buddy_zone_init(g.buf, g.size, &cfg, &z), 0);
    assert_int_equal(buddy_zone_add_range(z, 0, 3), 0);
    assert_int_equal(buddy_zone_get_info(z, &info), 0);
    assert_true(info.page_size == page);
    assert_int_equal(buddy_zone_size_to_order(z, 1), 0);
    assert_int_equal(buddy_zone_size_to_order(z, page), 0);
    assert_int_equal(buddy_zone_size_to_order(z, page + 1), 1);
    assert_int_equal(buddy_zone_size_to_order(z, SIZE_MAX), 1);
    assert_int_equal(buddy_zone_addr_align(z), 0); /* no base */
    assert_null(buddy_zone_alloc(z, 1));
    assert_int_equal(buddy_pcp_init(&pcp, z, &pc), 0);
    assert_int_equal(buddy_pcp_alloc_pages(&pcp, 1, &pfn), 0);
    assert_int_equal(pfn, 0);
    assert_null(buddy_pcp_alloc(&pcp, 1)); /* no base: no byte API */
    assert_int_equal(buddy_pcp_free_pages(&pcp, pfn, 1), 0);
    buddy_pcp_fini(&pcp);
    assert_guards(&g);
    assert_valid(z);
    guarded_del(&g);

    cfg.nr_pages = 1;
    cfg.base = (void *)page;
    expect_init_refused(&cfg, 4096, 4096, BUDDY_ESPAN);
}

/* Pages of 2^(W-2) bytes and a cache of order 3 over a zone with a base:
 * the cache's largest block, 2^(W+1) bytes, is past the pointer width. Its
 * byte bound saturates; sizes up to SIZE_MAX get what buddy_zone_alloc gives
 * (the blocks that fit the zone, NULL for the rest), and a block of
 * 2^(W-1) bytes reports its size. */
static void test_cache_blocks_past_the_pointer_width(void **state)
{
    struct buddy_zone_config cfg = BUDDY_ZONE_CONFIG_INIT;
    struct buddy_pcp_config pc = {3, 2, 4};
    struct buddy_pcp pcp;
    struct guarded g;
    struct buddy_zone *z;
    size_t page = (size_t)1 << (W - 2);
    char *base = (char *)(uintptr_t)page, *p, *q;

    (void)state;
    cfg.page_size = page;
    cfg.nr_pages = 2;
    cfg.max_order = 3;
    cfg.base = base; /* ends at 3 * 2^(W-2) */
    guarded_new(&g, buddy_zone_meta_size(&cfg));
    assert_int_equal(buddy_zone_init(g.buf, g.size, &cfg, &z), 0);
    assert_int_equal(buddy_zone_add_range(z, 0, 2), 0);
    assert_true(buddy_zone_addr_align(z) == page);
    assert_int_equal(buddy_pcp_init(&pcp, z, &pc), 0);

    p = buddy_pcp_alloc(&pcp, 1);
    q = buddy_pcp_alloc(&pcp, page);
    assert_true((p == base && q == base + page) ||
                (q == base && p == base + page));
    assert_true(buddy_zone_usable_size(z, q) == page);
    assert_null(buddy_pcp_alloc(&pcp, page + 1)); /* order 1: none free */
    assert_null(buddy_pcp_alloc(&pcp, opaque_size(SIZE_MAX))); /* order 2: none exist */
    assert_null(buddy_pcp_alloc(&pcp, 0));
    EXPECT_REJECTED(z, buddy_pcp_free(&pcp, q + 1), BUDDY_EALIGN);
    EXPECT_REJECTED(z, buddy_pcp_free(&pcp, (void *)((uintptr_t)base +
                                                     2 * page)),
                    BUDDY_ERANGE); /* the end of the span */
    assert_int_equal(buddy_pcp_free(&pcp, p), 0);
    assert_int_equal(buddy_pcp_free(&pcp, q), 0);
    /* Both pages cached; an order-1 request drains them, merges, refills. */
    p = buddy_pcp_alloc(&pcp, opaque_size((size_t)1 << (W - 1)));
    assert_ptr_equal(p, base);
    assert_true(buddy_zone_usable_size(z, p) == (size_t)1 << (W - 1));
    assert_null(buddy_pcp_alloc(&pcp, opaque_size(SIZE_MAX)));
    assert_null(buddy_zone_alloc(z, opaque_size(SIZE_MAX)));
    assert_int_equal(buddy_pcp_free(&pcp, p), 0);
    assert_valid(z);
    buddy_pcp_fini(&pcp);
    assert_int_equal(zone_nr_free(z, 1), 1);
    assert_guards(&g);
    assert_valid(z);
    guarded_del(&g);
}

/* ---- address alignment from the base ------------------------------------ */

/* The address alignment is that of base - start_pfn * page_size, whose
 * product passes 2^64 here: computed modulo 2^W it is exact for every
 * alignment an address can have. */
static void expect_addr_align(buddy_pfn_t start, uintptr_t base,
                              unsigned max_order, size_t align)
{
    struct fixture f;
    char *p;

    zone_with_base(&f, start, 2048, max_order, base);
    assert_true(buddy_zone_addr_align(f.z) == align);
    if (align <= (size_t)1 << 22) { /* a block the zone holds */
        p = buddy_zone_alloc_aligned(f.z, 4096, align);
        assert_non_null(p);
        assert_int_equal((uintptr_t)p % align, 0);
        assert_int_equal(buddy_zone_free(f.z, p), 0);
    }
    if (align < (size_t)1 << (W - 1)) {
        struct snapshot before, after;

        snapshot_take(f.z, &before);
        assert_null(buddy_zone_alloc_aligned(f.z, 4096, align * 2));
        snapshot_take(f.z, &after);
        assert_memory_equal(&before, &after, sizeof(before));
    }
    assert_null(buddy_zone_alloc_aligned(f.z, 1, (SIZE_MAX >> 1) + 1));
    assert_null(buddy_zone_alloc_aligned(f.z, 1, SIZE_MAX));
    assert_valid(f.z);
    zone_del(&f);
}

static void test_addr_align_with_far_start_pfns(void **state)
{
    /* start_pfn * 4096 == BASE mod 2^W: the origin is 0, aligned to
     * every block (and the largest blocks clamp at 2^(W-1)). */
    buddy_pfn_t wrap = ((uint64_t)UINTPTR_MAX >> 12) + 1; /* 2^(W-12) */
    unsigned big = BUDDY_MAX_ORDER_LIMIT + 12 < W - 1
                       ? BUDDY_MAX_ORDER_LIMIT + 12 : W - 1;

    (void)state;
    expect_addr_align(wrap + BASE / 4096, BASE, 10, (size_t)1 << 22);
    expect_addr_align(wrap + BASE / 4096, BASE, BUDDY_MAX_ORDER_LIMIT,
                      (size_t)1 << big);
    /* start_pfn = 2^62 + 5: its product is 2^74 + 5 pages. */
    expect_addr_align(((buddy_pfn_t)1 << 62) + 5, BASE + 5u * 4096u, 10,
                      (size_t)1 << 22);
    expect_addr_align(((buddy_pfn_t)1 << 62) + 5, BASE + 4u * 4096u, 10,
                      4096);
    /* The largest start_pfn a 2048-page zone can have. */
    expect_addr_align(BUDDY_PFN_NONE - 2048, BASE, 10, 4096);
}

/* ---- requests near SIZE_MAX --------------------------------------------- */

/* The order for `size` on a zone with pages of 2^shift and max_order 31:
 * the rounded page count's log2, or EORDER past 31. */
static int order_for(size_t size, unsigned shift)
{
    uint64_t npages = ((uint64_t)size >> shift) +
                      (((uint64_t)size & (((uint64_t)1 << shift) - 1)) != 0);
    unsigned order = 0;

    while (((uint64_t)1 << order) < npages)
        order++;
    return order > BUDDY_MAX_ORDER_LIMIT ? BUDDY_EORDER : (int)order;
}

static void test_sizes_near_size_max(void **state)
{
    static const size_t pages[] = {16, 4096, (size_t)1 << 20};
    const size_t sizes[] = {SIZE_MAX,
                            SIZE_MAX - 1,
                            SIZE_MAX - 15,
                            SIZE_MAX - 4095,
                            (SIZE_MAX >> 1) + 1,
                            (SIZE_MAX >> 1) + 2,
                            SIZE_MAX >> 1};

    (void)state;
    for (size_t i = 0; i < sizeof(pages) / sizeof(pages[0]); i++) {
        struct buddy_zone_config cfg = BUDDY_ZONE_CONFIG_INIT;
        struct guarded g;
        struct buddy_zone *z;
        struct snapshot before, after;
        unsigned shift = 0;

        while (((size_t)1 << shift) < pages[i])
            shift++;
        cfg.page_size = pages[i];
        cfg.nr_pages = 64;
        cfg.max_order = BUDDY_MAX_ORDER_LIMIT;
        cfg.base = (void *)(uintptr_t)pages[i];
        guarded_new(&g, buddy_zone_meta_size(&cfg));
        assert_int_equal(buddy_zone_init(g.buf, g.size, &cfg, &z), 0);
        assert_int_equal(buddy_zone_add_range(z, 0, 64), 0);
        for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
            assert_int_equal(buddy_zone_size_to_order(z, sizes[k]),
                             order_for(sizes[k], shift));
            /* None fits a 64-page zone: refused, or counted as a failure
             * and nothing else. */
            snapshot_take(z, &before);
            assert_null(buddy_zone_alloc(z, sizes[k]));
            assert_null(buddy_zone_alloc_aligned(z, sizes[k], pages[i]));
            snapshot_take(z, &after);
            assert_string_equal(before.walk, after.walk);
            assert_int_equal(after.st.free_pages, before.st.free_pages);
        }
        assert_guards(&g);
        assert_valid(z);
        guarded_del(&g);
    }
}

/* ---- text views ---------------------------------------------------------- */

/* buddyinfo writes at most `size` bytes, whatever it needs. */
static void test_buddyinfo_stays_in_its_buffer(void **state)
{
    struct fixture f;
    struct buddy_zone *z = zone_new_free(&f, 0, 1000, BUDDY_MAX_ORDER_LIMIT);
    struct buddy_system sys;
    size_t need = buddy_zone_buddyinfo(z, NULL, SIZE_MAX);

    (void)state;
    assert_true(need > 0);
    for (size_t size = 0; size <= need + 1; size++) {
        struct guarded g;

        guarded_new(&g, size);
        assert_int_equal(buddy_zone_buddyinfo(z, (char *)g.buf, size), need);
        assert_guards(&g);
        if (size > 0)
            assert_int_equal(g.buf[size <= need ? size - 1 : need], '\0');
        guarded_del(&g);
    }
    buddy_system_init(&sys);
    assert_int_equal(buddy_system_add_zone(&sys, 0, 0, z), 0);
    assert_int_equal(buddy_system_buddyinfo(&sys, NULL, SIZE_MAX), need);
    assert_valid(z);
    zone_del(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_meta_size_beyond_size_t),
        cmocka_unit_test(test_heap_size_limits),
        cmocka_unit_test(test_meta_end_must_not_wrap),
        cmocka_unit_test(test_span_at_the_top_of_pfn_space),
        cmocka_unit_test(test_base_at_the_top_of_the_address_space),
        cmocka_unit_test(test_largest_page_size),
        cmocka_unit_test(test_cache_blocks_past_the_pointer_width),
        cmocka_unit_test(test_addr_align_with_far_start_pfns),
        cmocka_unit_test(test_sizes_near_size_max),
        cmocka_unit_test(test_buddyinfo_stays_in_its_buffer),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
