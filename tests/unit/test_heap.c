/* SPDX-License-Identifier: MIT */
/* test_heap.c: the hosted layer: options, creation, memory, thread exit. */
#define _GNU_SOURCE
#include "helpers.h"

#include <pthread.h>
#include <sys/mman.h>

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
        {"BUDDY_HUGE", "2m"},        {"BUDDY_HUGE", ""},
        {"BUDDY_PREFAULT", "2"},     {"BUDDY_PREFAULT", "yes"},
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
    unsetenv("BUDDY_PCP_BATCH");
    setenv("BUDDY_HUGE", "thp", 1);
    setenv("BUDDY_PREFAULT", "1", 1);
    assert_int_equal(buddy_heap_options_from_env(&o, &bad), 0);
    assert_int_equal(o.huge, BUDDY_HUGE_THP);
    assert_int_equal(o.prefault, 1);
    setenv("BUDDY_HUGE", "hugetlb", 1);
    setenv("BUDDY_PREFAULT", "0", 1);
    assert_int_equal(buddy_heap_options_from_env(&o, &bad), 0);
    assert_int_equal(o.huge, BUDDY_HUGE_TLB);
    assert_int_equal(o.prefault, 0);
    setenv("BUDDY_HUGE", "none", 1);
    assert_int_equal(buddy_heap_options_from_env(&o, &bad), 0);
    assert_int_equal(o.huge, BUDDY_HUGE_NONE);
    unsetenv("BUDDY_HUGE");
    unsetenv("BUDDY_PREFAULT");
    unsetenv("BUDDY_CACHE");
    unsetenv("BUDDY_LOCK");
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
    bad.huge = (enum buddy_huge_kind)3;
    assert_int_equal(buddy_heap_create(&bad, &h), BUDDY_EINVAL);
    bad = o;
    bad.prefault = 2;
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

/* The kB a field of /proc/self/smaps gives the mapping that holds p, or
 * -1 (no such file, mapping or field). */
static long smaps_kb(const void *p, const char *field)
{
    FILE *f = fopen("/proc/self/smaps", "r");
    char line[512];
    bool in = false;
    long kb = -1;
    size_t n = strlen(field);

    if (f == NULL)
        return -1;
    while (fgets(line, sizeof(line), f) != NULL) {
        unsigned long lo, hi;

        /* A mapping's header starts "lo-hi "; no field name parses so. */
        if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2) {
            in = (uintptr_t)p >= lo && (uintptr_t)p < hi;
            continue;
        }
        if (in && strncmp(line, field, n) == 0 && line[n] == ':') {
            kb = strtol(line + n + 1, NULL, 10);
            break;
        }
    }
    fclose(f);
    return kb;
}

/* Transparent huge pages: the mapping is advised, so the kernel may back
 * it with huge pages (THPeligible 1) where THP is not off. */
static void test_thp_memory(void **state)
{
    struct buddy_heap_options o = BUDDY_HEAP_OPTIONS_INIT;
    struct buddy_heap *h;
    char mode[128] = "";
    FILE *f;
    void *p;

    (void)state;
    o.nr_pages = 2048; /* 8 MiB */
    o.max_order = 9;   /* 2 MiB blocks */
    o.with_memory = 1;
    o.huge = BUDDY_HUGE_THP;
    assert_int_equal(buddy_heap_create(&o, &h), 0);
    p = buddy_heap_alloc(h, 2u << 20);
    assert_non_null(p);
    assert_int_equal((uintptr_t)p & ((2u << 20) - 1), 0);
    memset(p, 1, 2u << 20);
    f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");
    if (f != NULL) {
        if (fgets(mode, sizeof(mode), f) == NULL)
            mode[0] = '\0';
        fclose(f);
    }
    if (strstr(mode, "[never]") == NULL && mode[0] != '\0')
        assert_int_equal(smaps_kb(p, "THPeligible"), 1);
    assert_int_equal(buddy_heap_free(h, p), 0);
    assert_valid(buddy_heap_zone(h));
    buddy_heap_destroy(h);
}

/* hugetlbfs pages come from the reserved pool: with none reserved (the
 * default) the heap is refused with ENOMEM and nothing is left mapped;
 * with enough, it works. */
static void test_hugetlb_memory(void **state)
{
    struct buddy_heap_options o = BUDDY_HEAP_OPTIONS_INIT;
    struct buddy_heap *h = NULL;
    long free_huge = 0;
    FILE *f;
    int err;

    (void)state;
    o.nr_pages = 1024; /* 4 MiB: two 2 MiB pages */
    o.max_order = 9;
    o.with_memory = 1;
    o.huge = BUDDY_HUGE_TLB;
    f = fopen("/proc/sys/vm/nr_hugepages", "r");
    if (f != NULL) {
        if (fscanf(f, "%ld", &free_huge) != 1)
            free_huge = 0;
        fclose(f);
    }
    err = buddy_heap_create(&o, &h);
    if (free_huge == 0) {
        assert_int_equal(err, BUDDY_ENOMEM);
        assert_null(h);
        return;
    }
    if (err == BUDDY_ENOMEM) /* reserved, but taken by others */
        return;
    assert_int_equal(err, 0);
    {
        void *p = buddy_heap_alloc(h, 4096);

        assert_non_null(p);
        memset(p, 1, 4096);
        assert_int_equal(buddy_heap_free(h, p), 0);
    }
    buddy_heap_destroy(h);
}

/* Prefaulting: at create every page of the memory is resident; by call a
 * range is, and the call refuses what is not the heap's memory. */
static void test_prefault(void **state)
{
    struct buddy_heap_options o = BUDDY_HEAP_OPTIONS_INIT;
    struct buddy_heap *h;
    char *p;
    long before;
    int err;

    (void)state;
    o.nr_pages = 256; /* 1 MiB */
    o.max_order = 8;
    o.with_memory = 1;
    o.prefault = 1;
    err = buddy_heap_create(&o, &h);
    if (err == BUDDY_ENOTSUP) /* a kernel before MADV_POPULATE_WRITE */
        return;
    assert_int_equal(err, 0);
    p = buddy_heap_alloc(h, 4096);
    assert_non_null(p);
    if (smaps_kb(p, "Rss") >= 0)
        assert_true(smaps_kb(p, "Rss") >= 1024);
    assert_int_equal(buddy_heap_free(h, p), 0);
    buddy_heap_destroy(h);

    o.prefault = 0;
    assert_int_equal(buddy_heap_create(&o, &h), 0);
    p = buddy_heap_alloc(h, 64 * 4096);
    assert_non_null(p);
    before = smaps_kb(p, "Rss");
    assert_int_equal(buddy_heap_prefault(h, p, 64 * 4096), 0);
    if (before >= 0) {
        assert_true(before < 256);
        assert_true(smaps_kb(p, "Rss") >= before + 256);
    }
    /* What it did is invisible to the heap: the block is the caller's. */
    assert_int_equal(p[0], 0);
    /* Bad ranges change nothing. */
    assert_int_equal(buddy_heap_prefault(NULL, p, 4096), BUDDY_ENULL);
    assert_int_equal(buddy_heap_prefault(h, NULL, 4096), BUDDY_ENULL);
    assert_int_equal(buddy_heap_prefault(h, p, 0), BUDDY_EINVAL);
    assert_int_equal(buddy_heap_prefault(h, p - 4096 * 1024, 4096),
                     BUDDY_ERANGE);
    assert_int_equal(buddy_heap_prefault(h, p, (size_t)2 << 20),
                     BUDDY_ERANGE);
    assert_int_equal(buddy_heap_prefault(h, p, SIZE_MAX), BUDDY_ERANGE);
    assert_int_equal(buddy_heap_free(h, p), 0);
    assert_valid(buddy_heap_zone(h));
    buddy_heap_destroy(h);
    /* A heap without memory has nothing to fault in. */
    o.with_memory = 0;
    assert_int_equal(buddy_heap_create(&o, &h), 0);
    {
        char x;

        assert_int_equal(buddy_heap_prefault(h, &x, 1), BUDDY_EINVAL);
    }
    buddy_heap_destroy(h);
}

/* Two heaps in one caller's mapping, each managing its half: blocks come
 * from their own half, bad options are refused, and destroying a heap
 * leaves the mapping to its owner. */
static void test_memory_given(void **state)
{
    struct buddy_heap_options o = BUDDY_HEAP_OPTIONS_INIT, bad;
    struct buddy_heap *a, *b, *h = NULL;
    size_t half = 64 * 4096;
    unsigned char *mem, *p, *q;

    (void)state;
    mem = mmap(NULL, 2 * half, PROT_READ | PROT_WRITE,
               MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    assert_true(mem != MAP_FAILED);
    o.nr_pages = 64;
    o.max_order = 6;
    o.with_memory = 1;
    o.cache = BUDDY_CACHE_NONE;
    o.memory = mem;
    assert_int_equal(buddy_heap_create(&o, &a), 0);
    o.memory = mem + half;
    assert_int_equal(buddy_heap_create(&o, &b), 0);
    p = buddy_heap_alloc(a, 3 * 4096);
    q = buddy_heap_alloc(b, 64 * 4096);
    assert_non_null(p);
    assert_non_null(q);
    assert_true(p >= mem && p + 4 * 4096 <= mem + half);
    assert_ptr_equal(q, mem + half);
    memset(p, 0x11, 3 * 4096);
    memset(q, 0x22, 64 * 4096);
    assert_null(buddy_heap_alloc(b, 4096)); /* b's half is all given */
    assert_int_equal(buddy_heap_free(a, q), BUDDY_ERANGE);
    assert_int_equal(buddy_heap_free(b, q), 0);
    assert_int_equal(buddy_heap_free(a, p), 0);
    assert_valid(buddy_heap_zone(a));
    assert_valid(buddy_heap_zone(b));
    buddy_heap_destroy(a);
    buddy_heap_destroy(b);
    /* The mapping is still the caller's, with what was written. */
    assert_int_equal(mem[half], 0x22);
    mem[0] = 1;
    /* Refused, nothing made: without with_memory, with huge pages, not
     * aligned to a page. */
    bad = o;
    bad.with_memory = 0;
    assert_int_equal(buddy_heap_create(&bad, &h), BUDDY_EINVAL);
    bad = o;
    bad.huge = BUDDY_HUGE_THP;
    assert_int_equal(buddy_heap_create(&bad, &h), BUDDY_EINVAL);
    bad = o;
    bad.memory = mem + 8;
    assert_int_equal(buddy_heap_create(&bad, &h), BUDDY_EINVAL);
    assert_null(h);
    assert_int_equal(munmap(mem, 2 * half), 0);
}

/* Bytes mapped in the process, outside the brk heap (which the C
 * library's own malloc may move): the sum of /proc/self/maps' ranges, or
 * 0 without the file. */
static unsigned long long mapped_bytes(void)
{
    FILE *f = fopen("/proc/self/maps", "r");
    char line[512];
    unsigned long long sum = 0;

    if (f == NULL)
        return 0;
    while (fgets(line, sizeof(line), f) != NULL) {
        unsigned long lo, hi;

        if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2 &&
            strstr(line, "[heap]") == NULL)
            sum += hi - lo;
    }
    fclose(f);
    return sum;
}

/* A heap's metadata is rarely a whole number of pages: destroying the
 * heap unmaps all that creating it mapped, so a process that makes and
 * ends heaps keeps no address space of theirs. */
static void test_destroy_unmaps_everything(void **state)
{
    struct buddy_heap_options o = BUDDY_HEAP_OPTIONS_INIT;
    struct buddy_heap *h;
    unsigned long long before;
    unsigned i;

    (void)state;
    o.nr_pages = 1000; /* 9 bytes a page and the header: not whole pages */
    o.max_order = 6;
    o.with_memory = 1;
    o.cache = BUDDY_CACHE_NONE;
    before = mapped_bytes();
    if (before == 0)
        skip();
    for (i = 0; i < 8; i++) {
        assert_int_equal(buddy_heap_create(&o, &h), 0);
        assert_non_null(buddy_heap_alloc(h, 4096));
        buddy_heap_destroy(h);
    }
    assert_int_equal(mapped_bytes(), before);
}

/* Pages of a heap charged to tenants: a free by any heap call and any
 * thread (through its cache or not) uncharges the tenant charged. */
struct freer {
    struct buddy_heap *h;
    void *ptr;
    buddy_pfn_t pfn;
    int err[2];
};

static void *free_elsewhere(void *arg)
{
    struct freer *f = arg;

    f->err[0] = buddy_heap_free(f->h, f->ptr);
    f->err[1] = buddy_heap_free_pfn(f->h, f->pfn);
    return NULL;
}

static void test_tenants(void **state)
{
    static _Alignas(8) unsigned char tbuf[16384];
    struct buddy_tenants_config tc = BUDDY_TENANTS_CONFIG_INIT;
    struct buddy_heap_options o = BUDDY_HEAP_OPTIONS_INIT;
    struct buddy_tenant_stock st = BUDDY_TENANT_STOCK_INIT;
    struct buddy_tenant_info ti;
    struct buddy_check_report rep;
    struct buddy_tenants *g;
    struct buddy_heap *h, *plain;
    struct freer f;
    pthread_t th;
    unsigned web = 0;
    void *p, *q = (void *)1;
    buddy_pfn_t pfn, pfn2;

    (void)state;
    tc.capacity = 4;
    assert_int_equal(buddy_tenants_init(tbuf, sizeof(tbuf), &tc, &g), 0);
    assert_int_equal(buddy_tenant_create(g, 0, "web", &web), 0);
    assert_int_equal(buddy_tenant_set_max(g, web, 30), 0);
    o.nr_pages = 1024;
    o.max_order = 6;
    o.with_memory = 1;
    o.tenants = g;
    assert_int_equal(buddy_heap_create(&o, &h), 0);
    assert_int_equal(buddy_heap_alloc_tenant(h, &st, web, 5 * 4096, &p), 0);
    memset(p, 0x5a, 5 * 4096); /* it is memory */
    assert_int_equal(buddy_heap_alloc_pages_tenant(h, NULL, web, 4,
                                                   BUDDY_MIGRATE_UNMOVABLE,
                                                   &pfn),
                     0);
    assert_int_equal(buddy_tenant_get_info(g, web, &ti), 0);
    assert_int_equal(ti.current, 8 + 16); /* no room for a stock's batch */
    /* Past the max: refused, the zone untouched. */
    assert_int_equal(buddy_heap_alloc_pages_tenant(h, NULL, web, 4,
                                                   BUDDY_MIGRATE_MOVABLE,
                                                   &pfn2),
                     BUDDY_ENOMEM);
    assert_int_equal(buddy_heap_alloc_tenant(h, NULL, web, 0, &q),
                     BUDDY_EZERO);
    assert_null(q);
    assert_int_equal(buddy_heap_alloc_tenant(h, NULL, 3, 4096, &q),
                     BUDDY_ENOTENANT);
    /* Another thread frees both; its cache leaves them to the zone. */
    f.h = h;
    f.ptr = p;
    f.pfn = pfn;
    assert_int_equal(pthread_create(&th, NULL, free_elsewhere, &f), 0);
    assert_int_equal(pthread_join(th, NULL), 0);
    assert_int_equal(f.err[0], 0);
    assert_int_equal(f.err[1], 0);
    buddy_tenant_stock_drain(g, &st);
    assert_int_equal(buddy_tenant_get_info(g, web, &ti), 0);
    assert_int_equal(ti.current, 0);
    assert_int_equal(buddy_tenants_check(g, &rep), 0);
    assert_int_equal(buddy_zone_check(buddy_heap_zone(h), &rep), 0);
    buddy_heap_destroy(h);
    /* A heap without tenants refuses the calls. */
    o.tenants = NULL;
    assert_int_equal(buddy_heap_create(&o, &plain), 0);
    assert_int_equal(buddy_heap_alloc_pages_tenant(plain, NULL, web, 0,
                                                   BUDDY_MIGRATE_MOVABLE,
                                                   &pfn),
                     BUDDY_ENOTSUP);
    assert_int_equal(buddy_heap_alloc_tenant(plain, NULL, web, 1, &q),
                     BUDDY_ENOTSUP);
    buddy_heap_destroy(plain);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_options_from_env),
        cmocka_unit_test(test_memory_given),
        cmocka_unit_test(test_destroy_unmaps_everything),
        cmocka_unit_test(test_create_errors),
        cmocka_unit_test(test_round_trip_each_mode),
        cmocka_unit_test(test_thread_exit_drains_its_cache),
        cmocka_unit_test(test_thread_cache_handle),
        cmocka_unit_test(test_pcp_get_config_errors),
        cmocka_unit_test(test_pfns_are_the_heaps_own),
        cmocka_unit_test(test_blocks_above_1g_stay_aligned),
        cmocka_unit_test(test_thp_memory),
        cmocka_unit_test(test_hugetlb_memory),
        cmocka_unit_test(test_prefault),
        cmocka_unit_test(test_tenants),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
