/* SPDX-License-Identifier: MIT */
/* test_slab.c: slab caches: sizing as the kernel's, the object lifecycle,
 * every bad free refused with nothing changed, bulk calls, destroy,
 * shrinking and the shrinker, and /proc/slabinfo's format. The objects'
 * zone has a made-up base, so a write into it would crash the test: the
 * caches keep all their metadata in the metadata zone. */
#include "helpers.h"
#include "buddy/slab.h"

struct slab_zones {
    struct fixture objs, meta;
    void *meta_mem;
    struct buddy_zone *z, *m;
};

#define META_PAGES 64u

static void zones_new(struct slab_zones *f, uint64_t pages, unsigned max_order)
{
    f->z = zone_with_base(&f->objs, 0, pages, max_order, BASE);
    f->meta_mem = aligned_alloc(4096, META_PAGES * 4096);
    assert_non_null(f->meta_mem);
    f->m = zone_with_base(&f->meta, 0, META_PAGES, 6,
                          (uintptr_t)f->meta_mem);
}

static void zones_del(struct slab_zones *f)
{
    zone_del(&f->objs);
    zone_del(&f->meta);
    free(f->meta_mem);
}

static struct buddy_slab_config slab_cfg(struct slab_zones *f,
                                         const char *name, size_t size)
{
    struct buddy_slab_config cfg = BUDDY_SLAB_CONFIG_INIT;

    cfg.name = name;
    cfg.size = size;
    cfg.zone = f->z;
    cfg.meta_zone = f->m;
    return cfg;
}

static struct buddy_slab_info slab_info(struct buddy_slab_cache *c)
{
    struct buddy_slab_info info;

    assert_int_equal(buddy_slab_get_info(c, &info), 0);
    return info;
}

static void assert_slab_valid(struct buddy_slab_cache *c)
{
    struct buddy_check_report rep;
    int err = buddy_slab_check(c, &rep);

    if (err != 0)
        fail_msg("slab validator: %s (pfn %llu expected %llu actual %llu)",
                 rep.what, (unsigned long long)rep.pfn,
                 (unsigned long long)rep.expected,
                 (unsigned long long)rep.actual);
}

/* Both zones whole again: every page free, both validators content. */
static void assert_zones_whole(struct slab_zones *f, uint64_t pages)
{
    assert_int_equal(zone_free_pages(f->z), pages);
    assert_int_equal(zone_free_pages(f->m), META_PAGES);
    assert_valid(f->z);
    assert_valid(f->m);
}

/* ---- sizing ------------------------------------------------------------- */

/* The slot sizes, objects per slab and pages per slab of a Linux 6.18
 * machine with two CPUs (../shared/kernel-formats/slabinfo.txt): the same
 * calculate_order gives the same slabs. */
static void test_sizes_as_the_kernel(void **state)
{
    static const unsigned golden[][3] = {
        {312, 13, 1},  {416, 19, 2},  {320, 12, 1},  {384, 21, 2},
        {240, 17, 1},  {104, 39, 1},  {448, 18, 2},  {1016, 16, 4},
        {512, 16, 2},  {120, 34, 1},  {1280, 12, 4}, {2112, 15, 8},
        {392, 20, 2},  {1344, 12, 4}, {1472, 22, 8}, {256, 16, 1},
        {2496, 13, 8}, {128, 32, 1},  {1232, 13, 4},
    };
    struct slab_zones f;
    struct buddy_slab_cache c;
    struct buddy_slab_info info;
    size_t i;

    (void)state;
    zones_new(&f, 1024, 10);
    for (i = 0; i < sizeof(golden) / sizeof(golden[0]); i++) {
        struct buddy_slab_config cfg = slab_cfg(&f, "golden", golden[i][0]);

        cfg.nr_cpus = 2;
        assert_int_equal(buddy_slab_cache_create(&c, &cfg), 0);
        info = slab_info(&c);
        assert_int_equal(info.size, golden[i][0]);
        assert_int_equal(info.objects, golden[i][1]);
        assert_int_equal(1u << info.order, golden[i][2]);
        assert_int_equal(buddy_slab_cache_destroy(&c), 0);
    }
    /* One CPU: min_objects 8. A slab for one object that needs more than
     * order 3 gets the order of its size. */
    {
        static const unsigned one_cpu[][3] = {
            {8, 512, 0},   {96, 42, 0},  {192, 21, 0},  {1024, 8, 1},
            {4096, 8, 3},  {8192, 4, 3}, {16384, 2, 3}, {65536, 1, 4},
        };

        for (i = 0; i < sizeof(one_cpu) / sizeof(one_cpu[0]); i++) {
            struct buddy_slab_config cfg = slab_cfg(&f, "one", one_cpu[i][0]);

            assert_int_equal(buddy_slab_cache_create(&c, &cfg), 0);
            info = slab_info(&c);
            assert_int_equal(info.objects, one_cpu[i][1]);
            assert_int_equal(info.order, one_cpu[i][2]);
            assert_int_equal(buddy_slab_cache_destroy(&c), 0);
        }
    }
    /* Alignment: HWCACHE_ALIGN halves the line while the object fits in
     * half of it; the pointer size is the least; align rounds up. */
    {
        static const unsigned aligned[][4] = {
            /* size, align, flags, slot */
            {20, 0, BUDDY_SLAB_HWCACHE_ALIGN, 32},
            {100, 0, BUDDY_SLAB_HWCACHE_ALIGN, 128},
            {8, 0, BUDDY_SLAB_HWCACHE_ALIGN, 8},
            {1, 0, 0, sizeof(void *)},
            {24, 16, 0, 32},
            {40, 0, 0, 40},
        };

        for (i = 0; i < sizeof(aligned) / sizeof(aligned[0]); i++) {
            struct buddy_slab_config cfg = slab_cfg(&f, "align", aligned[i][0]);

            cfg.align = aligned[i][1];
            cfg.flags = aligned[i][2];
            assert_int_equal(buddy_slab_cache_create(&c, &cfg), 0);
            info = slab_info(&c);
            assert_int_equal(info.size, aligned[i][3]);
            assert_int_equal(info.object_size, aligned[i][0]);
            assert_int_equal(buddy_slab_cache_destroy(&c), 0);
        }
    }
    assert_zones_whole(&f, 1024);
    zones_del(&f);
}

/* ---- the lifecycle ------------------------------------------------------ */

static void test_alloc_free_lifecycle(void **state)
{
    struct slab_zones f;
    struct buddy_slab_cache c;
    struct buddy_slab_config cfg;
    struct buddy_slab_info info;
    enum { N = 1000 };
    static void *objs[N];
    size_t slab_bytes;
    unsigned i, j;

    (void)state;
    zones_new(&f, 1024, 10);
    cfg = slab_cfg(&f, "life", 200);
    assert_int_equal(buddy_slab_cache_create(&c, &cfg), 0);
    info = slab_info(&c);
    assert_int_equal(info.num_slabs, 0); /* nothing until the first object */
    slab_bytes = (size_t)4096 << info.order;
    for (i = 0; i < N; i++) {
        uintptr_t a;

        objs[i] = buddy_slab_alloc(&c);
        assert_non_null(objs[i]);
        a = (uintptr_t)objs[i];
        assert_true(a >= BASE && a < BASE + 1024u * 4096u);
        assert_int_equal(a % 8u, 0);
        /* In a slab, on a slot boundary, not in the left-over tail. */
        assert_int_equal(((a - BASE) % slab_bytes) % info.size, 0);
        assert_true(((a - BASE) % slab_bytes) / info.size < info.objects);
    }
    for (i = 0; i < N; i++)
        for (j = i + 1; j < N; j++)
            assert_ptr_not_equal(objs[i], objs[j]);
    info = slab_info(&c);
    assert_int_equal(info.active_objs, N);
    assert_int_equal(info.num_slabs, (N + info.objects - 1) / info.objects);
    assert_int_equal(info.num_objs, info.num_slabs * info.objects);
    assert_int_equal(info.allocs, N);
    assert_slab_valid(&c);
    assert_valid(f.z);
    /* The slabs are zone blocks of the slab order. */
    assert_int_equal(zone_free_pages(f.z),
                     1024 - info.num_slabs * (1u << info.order));
    /* Free every other object, then the rest: the freed slots come back
     * before a new slab is made. */
    for (i = 0; i < N; i += 2)
        assert_int_equal(buddy_slab_free(&c, objs[i]), 0);
    assert_slab_valid(&c);
    for (i = 0; i < N; i += 2) {
        objs[i] = buddy_slab_alloc(&c);
        assert_non_null(objs[i]);
    }
    assert_int_equal(slab_info(&c).num_slabs, info.num_slabs);
    for (i = 0; i < N; i++)
        assert_int_equal(buddy_slab_free(&c, objs[i]), 0);
    info = slab_info(&c);
    assert_int_equal(info.active_objs, 0);
    assert_int_equal(info.frees, 2 * N - N / 2);
    /* Empty slabs beyond min_partial went back as they emptied. */
    assert_int_equal(info.empty_slabs, info.min_partial);
    assert_int_equal(info.num_slabs, info.min_partial);
    assert_slab_valid(&c);
    assert_int_equal(buddy_slab_shrink(&c), info.min_partial << info.order);
    info = slab_info(&c);
    assert_int_equal(info.num_slabs, 0);
    assert_int_equal(info.desc_blocks, 0);
    assert_int_equal(info.slabs_made, info.slabs_freed);
    assert_zones_whole(&f, 1024);
    assert_int_equal(buddy_slab_cache_destroy(&c), 0);
    zones_del(&f);
}

/* ---- bad frees ---------------------------------------------------------- */

struct report_log {
    unsigned calls;
    int err;
    const void *obj;
    char name[32];
    char what[80];
    struct buddy_slab_report last;
};

static void report_hook(void *arg, const struct buddy_slab_report *r)
{
    struct report_log *log = arg;

    log->calls++;
    log->err = r->err;
    log->obj = r->obj;
    snprintf(log->name, sizeof(log->name), "%s", r->cache);
    snprintf(log->what, sizeof(log->what), "%s", r->what);
    log->last = *r;
}

/* A refused free: the error, one report naming the object, the rejected
 * count up by one and nothing else changed, both validators content. */
static void expect_refused(struct slab_zones *f, struct buddy_slab_cache *c,
                           struct report_log *log, void *obj, int err,
                           const char *what)
{
    struct buddy_slab_info before = slab_info(c), after;
    uint64_t free_pages = zone_free_pages(f->z);
    unsigned calls = log->calls;

    assert_int_equal(buddy_slab_free(c, obj), err);
    after = slab_info(c);
    assert_int_equal(after.rejected, before.rejected + 1);
    after.rejected = before.rejected;
    assert_memory_equal(&after, &before, sizeof(before));
    assert_int_equal(zone_free_pages(f->z), free_pages);
    assert_int_equal(log->calls, calls + 1);
    assert_int_equal(log->err, err);
    assert_ptr_equal(log->obj, obj);
    if (what != NULL)
        assert_string_equal(log->what, what);
    assert_slab_valid(c);
    assert_valid(f->z);
    assert_valid(f->m);
}

static void test_bad_frees(void **state)
{
    struct slab_zones f;
    struct buddy_slab_cache c, other;
    struct buddy_slab_config cfg;
    struct report_log log = {0};
    struct buddy_slab_info info;
    void *a, *b, *o;
    char *tail;
    buddy_pfn_t user, pfn;
    uintptr_t desc;

    (void)state;
    zones_new(&f, 256, 8);
    cfg = slab_cfg(&f, "victim", 320); /* 12 per page, 256 bytes left */
    cfg.nr_cpus = 2;
    assert_int_equal(buddy_slab_cache_create(&c, &cfg), 0);
    cfg.name = "other";
    assert_int_equal(buddy_slab_cache_create(&other, &cfg), 0);
    assert_int_equal(buddy_slab_set_report(&c, report_hook, &log), 0);
    a = buddy_slab_alloc(&c);
    b = buddy_slab_alloc(&c);
    o = buddy_slab_alloc(&other);
    assert_non_null(a);
    assert_non_null(b);
    assert_non_null(o);
    info = slab_info(&c);
    assert_int_equal(info.objects, 12);

    expect_refused(&f, &c, &log, NULL, BUDDY_ENULL, NULL);
    expect_refused(&f, &c, &log, (void *)(BASE - 64), BUDDY_ERANGE, NULL);
    expect_refused(&f, &c, &log, (void *)(BASE + 256u * 4096u), BUDDY_ERANGE,
                   NULL);
    expect_refused(&f, &c, &log, (char *)a + 1, BUDDY_EINTERIOR,
                   "Pointer inside an object");
    expect_refused(&f, &c, &log, (char *)b + 319, BUDDY_EINTERIOR, NULL);
    /* The slab's last 256 bytes hold no object. */
    tail = (char *)((uintptr_t)a & ~(uintptr_t)4095) + 12 * 320;
    expect_refused(&f, &c, &log, tail, BUDDY_ENOTSLAB, NULL);
    expect_refused(&f, &c, &log, o, BUDDY_EWRONGCACHE,
                   "Object from another cache");
    /* A free page, and a page the zone handed to someone else, whatever
     * their words hold. */
    assert_int_equal(buddy_zone_alloc_pages(f.z, 2, &user), 0);
    expect_refused(&f, &c, &log, buddy_zone_pfn_to_addr(f.z, user),
                   BUDDY_ENOTSLAB, NULL);
    expect_refused(&f, &c, &log, buddy_zone_pfn_to_addr(f.z, 255),
                   BUDDY_ENOTSLAB, NULL);
    /* Even when its word names a live descriptor: the descriptor's slab
     * does not cover that page. */
    pfn = buddy_zone_addr_to_pfn(f.z, a);
    assert_int_equal(buddy_zone_get_private(f.z, pfn, &desc), 0);
    assert_int_equal(buddy_zone_set_private(f.z, user, desc), 0);
    expect_refused(&f, &c, &log, buddy_zone_pfn_to_addr(f.z, user + 1),
                   BUDDY_ENOTSLAB, NULL);
    assert_int_equal(buddy_zone_free_pages(f.z, user, 2), 0);
    /* Double frees, and an object of a slab given back. */
    assert_int_equal(buddy_slab_free(&c, a), 0);
    expect_refused(&f, &c, &log, a, BUDDY_EDOUBLEFREE, "Object already free");
    assert_int_equal(buddy_slab_free(&c, b), 0);
    assert_int_equal(buddy_slab_shrink(&c), 1);
    expect_refused(&f, &c, &log, b, BUDDY_ENOTSLAB, NULL);
    assert_string_equal(log.name, "victim");
    assert_int_equal(slab_info(&c).rejected, log.calls);

    assert_int_equal(buddy_slab_free(&other, o), 0);
    assert_int_equal(buddy_slab_cache_destroy(&other), 0);
    assert_int_equal(buddy_slab_cache_destroy(&c), 0);
    assert_zones_whole(&f, 256);
    zones_del(&f);
}

static void test_create_errors(void **state)
{
    struct slab_zones f;
    struct buddy_slab_cache c;
    struct buddy_slab_config cfg, bad;
    struct fixture nobase;
    struct buddy_lock_ops half = {0};
    uint64_t not_a_zone[64] = {0};

    (void)state;
    zones_new(&f, 64, 6);
    cfg = slab_cfg(&f, "cfg", 64);
    assert_int_equal(buddy_slab_cache_create(NULL, &cfg), BUDDY_ENULL);
    assert_int_equal(buddy_slab_cache_create(&c, NULL), BUDDY_ENULL);
    bad = cfg;
    bad.zone = NULL;
    assert_int_equal(buddy_slab_cache_create(&c, &bad), BUDDY_ENULL);
    bad = cfg;
    bad.zone = (struct buddy_zone *)(void *)not_a_zone;
    assert_int_equal(buddy_slab_cache_create(&c, &bad), BUDDY_EBADZONE);
    bad = cfg;
    bad.meta_zone = (struct buddy_zone *)(void *)not_a_zone;
    assert_int_equal(buddy_slab_cache_create(&c, &bad), BUDDY_EBADZONE);
    bad = cfg;
    bad.zone = zone_new_free(&nobase, 0, 64, 6);
    assert_int_equal(buddy_slab_cache_create(&c, &bad), BUDDY_ENOBASE);
    bad.zone = cfg.zone;
    bad.meta_zone = nobase.z;
    assert_int_equal(buddy_slab_cache_create(&c, &bad), BUDDY_ENOBASE);
    zone_del(&nobase);
    bad = cfg;
    bad.size = 0;
    assert_int_equal(buddy_slab_cache_create(&c, &bad), BUDDY_EZERO);
    bad = cfg;
    bad.align = 24;
    assert_int_equal(buddy_slab_cache_create(&c, &bad), BUDDY_EINVAL);
    bad = cfg;
    bad.flags = 0x100;
    assert_int_equal(buddy_slab_cache_create(&c, &bad), BUDDY_EINVAL);
    bad = cfg;
    bad.lock = &half;
    assert_int_equal(buddy_slab_cache_create(&c, &bad), BUDDY_EINVAL);
    /* Larger than the zone's largest block, by size or by alignment, or
     * so large the rounding would wrap. */
    bad = cfg;
    bad.size = (size_t)4096 << 6 | 1;
    assert_int_equal(buddy_slab_cache_create(&c, &bad), BUDDY_EORDER);
    bad = cfg;
    bad.align = (size_t)4096 << 7;
    assert_int_equal(buddy_slab_cache_create(&c, &bad), BUDDY_EORDER);
    bad = cfg;
    bad.size = SIZE_MAX - 2;
    assert_int_equal(buddy_slab_cache_create(&c, &bad), BUDDY_EORDER);
    /* A cache never created, and one destroyed, are refused. */
    memset(&c, 0, sizeof(c));
    assert_null(buddy_slab_alloc(&c));
    assert_int_equal(buddy_slab_free(&c, (void *)BASE), BUDDY_EBADCACHE);
    assert_int_equal(buddy_slab_cache_destroy(&c), BUDDY_EBADCACHE);
    assert_int_equal(buddy_slab_check(&c, NULL), BUDDY_EBADCACHE);
    assert_int_equal(buddy_slab_shrink(&c), 0);
    assert_int_equal(buddy_slab_cache_create(&c, &cfg), 0);
    assert_int_equal(buddy_slab_cache_destroy(&c), 0);
    assert_int_equal(buddy_slab_cache_destroy(&c), BUDDY_EBADCACHE);
    assert_null(buddy_slab_alloc(&c));
    assert_int_equal(buddy_slabinfo_line(&c, NULL, 0), 0);
    assert_zones_whole(&f, 64);
    zones_del(&f);
}

static void test_destroy_with_objects_left(void **state)
{
    struct slab_zones f;
    struct buddy_slab_cache c;
    struct buddy_slab_config cfg;
    struct report_log log = {0};
    struct buddy_slab_info before;
    void *a;

    (void)state;
    zones_new(&f, 64, 6);
    cfg = slab_cfg(&f, "leaky", 100);
    assert_int_equal(buddy_slab_cache_create(&c, &cfg), 0);
    assert_int_equal(buddy_slab_set_report(&c, report_hook, &log), 0);
    a = buddy_slab_alloc(&c);
    assert_non_null(a);
    before = slab_info(&c);
    assert_int_equal(buddy_slab_cache_destroy(&c), BUDDY_EBUSY);
    assert_int_equal(log.calls, 1);
    assert_int_equal(log.err, BUDDY_EBUSY);
    assert_string_equal(log.name, "leaky");
    assert_string_equal(log.what,
                        "Objects remaining in cache on "
                        "buddy_slab_cache_destroy()");
    {
        struct buddy_slab_info after = slab_info(&c);

        assert_memory_equal(&after, &before, sizeof(before));
    }
    assert_slab_valid(&c);
    assert_int_equal(buddy_slab_free(&c, a), 0);
    assert_int_equal(buddy_slab_cache_destroy(&c), 0);
    assert_zones_whole(&f, 64);
    zones_del(&f);
}

/* ---- bulk --------------------------------------------------------------- */

static void test_bulk(void **state)
{
    struct slab_zones f;
    struct buddy_slab_cache c;
    struct buddy_slab_config cfg;
    struct report_log log = {0};
    void *objs[300], *keep[300];

    (void)state;
    zones_new(&f, 16, 4);
    cfg = slab_cfg(&f, "bulk", 512); /* 8 per page: 128 in the zone */
    assert_int_equal(buddy_slab_cache_create(&c, &cfg), 0);
    assert_int_equal(buddy_slab_set_report(&c, report_hook, &log), 0);
    assert_int_equal(buddy_slab_alloc_bulk(&c, 0, NULL), 0);
    assert_int_equal(buddy_slab_alloc_bulk(&c, 1, NULL), BUDDY_ENULL);
    assert_int_equal(buddy_slab_alloc_bulk(&c, 100, objs), 100);
    assert_int_equal(slab_info(&c).active_objs, 100);
    /* All or nothing: 200 more do not fit, and nothing is taken. */
    memcpy(keep, objs, sizeof(objs));
    assert_int_equal(buddy_slab_alloc_bulk(&c, 200, objs + 100), 0);
    assert_int_equal(slab_info(&c).active_objs, 100);
    /* The slabs it made stay as empty slabs, the cache's to reuse. */
    assert_int_equal(slab_info(&c).empty_slabs, 16 - 100 / 8 - 1);
    assert_int_equal(buddy_slab_shrink(&c), 16 - 100 / 8 - 1);
    assert_int_equal(zone_free_pages(f.z), 16 - 100 / 8 - 1);
    assert_slab_valid(&c);
    /* A bad pointer in the middle is refused; the rest are freed. */
    objs[50] = (char *)objs[49] + 1;
    assert_int_equal(buddy_slab_free_bulk(&c, 100, objs), BUDDY_EINTERIOR);
    assert_int_equal(log.calls, 1);
    assert_int_equal(slab_info(&c).active_objs, 1);
    assert_int_equal(buddy_slab_free(&c, keep[50]), 0);
    assert_int_equal(buddy_slab_free_bulk(&c, 1, NULL), BUDDY_ENULL);
    assert_int_equal(buddy_slab_free_bulk(&c, 0, NULL), 0);
    (void)buddy_slab_shrink(&c);
    assert_int_equal(buddy_slab_cache_destroy(&c), 0);
    assert_zones_whole(&f, 16);
    zones_del(&f);
}

/* ---- memory the cache may write: the constructor, one zone ------------- */

static unsigned ctor_calls;

static void ctor(void *obj)
{
    memset(obj, 0x5a, 48);
    ctor_calls++;
}

static void test_ctor_and_one_zone(void **state)
{
    struct fixture fx;
    struct buddy_slab_cache c;
    struct buddy_slab_config cfg = BUDDY_SLAB_CONFIG_INIT;
    struct buddy_slab_info info;
    void *mem = aligned_alloc(4096, 64 * 4096), *a, *b;
    struct buddy_zone *z;

    (void)state;
    assert_non_null(mem);
    /* Objects and descriptors in one zone of real memory. */
    z = zone_with_base(&fx, 0, 64, 6, (uintptr_t)mem);
    cfg.name = "ctor";
    cfg.size = 48;
    cfg.zone = z;
    cfg.ctor = ctor;
    assert_int_equal(buddy_slab_cache_create(&c, &cfg), 0);
    a = buddy_slab_alloc(&c);
    assert_non_null(a);
    info = slab_info(&c);
    assert_int_equal(ctor_calls, info.objects); /* the whole new slab */
    assert_int_equal(((unsigned char *)a)[47], 0x5a);
    assert_int_equal(buddy_slab_free(&c, a), 0);
    b = buddy_slab_alloc(&c);
    assert_ptr_equal(b, a); /* reused, not constructed again */
    assert_int_equal(ctor_calls, info.objects);
    assert_int_equal(buddy_slab_free(&c, b), 0);
    assert_slab_valid(&c);
    assert_int_equal(buddy_slab_cache_destroy(&c), 0);
    assert_int_equal(zone_free_pages(z), 64);
    assert_valid(z);
    zone_del(&fx);
    free(mem);
}

static void test_reclaimable_slabs_and_shrinker(void **state)
{
    struct slab_zones f;
    struct buddy_slab_cache c;
    struct buddy_slab_config cfg;
    struct buddy_shrinker sh;
    struct buddy_shrink_control sc = {0, 0, 0};
    void *objs[64];
    unsigned i, per;
    uint64_t empty;

    (void)state;
    zones_new(&f, 2048, 10); /* pageblocks of 512 pages */
    cfg = slab_cfg(&f, "dentry", 192);
    cfg.flags = BUDDY_SLAB_RECLAIM_ACCOUNT;
    assert_int_equal(buddy_slab_cache_create(&c, &cfg), 0);
    per = slab_info(&c).objects;
    for (i = 0; i < 64; i++) {
        objs[i] = buddy_slab_alloc(&c);
        assert_non_null(objs[i]);
        assert_int_equal(pb_type(f.z, buddy_zone_addr_to_pfn(f.z, objs[i])),
                         BUDDY_MIGRATE_RECLAIMABLE);
    }
    assert_int_equal(buddy_slab_shrinker(&c, &sh), 0);
    assert_int_equal(buddy_slab_shrinker(&c, NULL), BUDDY_ENULL);
    assert_int_equal(sh.count(sh.arg, &sc), BUDDY_SHRINK_EMPTY);
    for (i = 0; i < 64; i++)
        assert_int_equal(buddy_slab_free(&c, objs[i]), 0);
    /* Up to min_partial empty slabs stay; the shrinker counts and frees
     * them. */
    empty = slab_info(&c).empty_slabs;
    assert_int_equal(empty, (64 + per - 1) / per);
    assert_true(empty <= slab_info(&c).min_partial);
    assert_int_equal(sh.count(sh.arg, &sc), empty * per);
    sc.nr_to_scan = per; /* one slab's worth */
    assert_int_equal(sh.scan(sh.arg, &sc), per);
    assert_int_equal(slab_info(&c).empty_slabs, empty - 1);
    sc.nr_to_scan = UINT64_MAX;
    assert_int_equal(sh.scan(sh.arg, &sc), (empty - 1) * per);
    assert_int_equal(sh.count(sh.arg, &sc), BUDDY_SHRINK_EMPTY);
    assert_int_equal(buddy_slab_cache_destroy(&c), 0);
    assert_int_equal(sh.count(sh.arg, &sc), BUDDY_SHRINK_EMPTY);
    assert_int_equal(sh.scan(sh.arg, &sc), BUDDY_SHRINK_STOP);
    assert_zones_whole(&f, 2048);
    zones_del(&f);
}

/* ---- slabinfo ----------------------------------------------------------- */

static void test_slabinfo_format(void **state)
{
    struct slab_zones f;
    struct buddy_slab_cache c, d;
    struct buddy_slab_cache *both[2] = {&c, &d};
    struct buddy_slab_config cfg;
    void *objs[12];
    char buf[1024], line[256];
    size_t n;
    unsigned i;

    (void)state;
    zones_new(&f, 64, 6);
    cfg = slab_cfg(&f, "bio-312", 320);
    cfg.nr_cpus = 2;
    assert_int_equal(buddy_slab_cache_create(&c, &cfg), 0);
    for (i = 0; i < 12; i++)
        objs[i] = buddy_slab_alloc(&c);
    cfg.name = "btrfs_delayed_node";
    cfg.size = 312;
    assert_int_equal(buddy_slab_cache_create(&d, &cfg), 0);
    n = buddy_slabinfo_header(buf, sizeof(buf));
    assert_string_equal(
        buf, "slabinfo - version: 2.1\n"
             "# name            <active_objs> <num_objs> <objsize> "
             "<objperslab> <pagesperslab> : tunables <limit> <batchcount> "
             "<sharedfactor> : slabdata <active_slabs> <num_slabs> "
             "<sharedavail>\n");
    assert_int_equal(n, strlen(buf));
    /* Lines of the golden file, character for character. */
    buddy_slabinfo_line(&c, line, sizeof(line));
    assert_string_equal(line, "bio-312               12     12    320   12    "
                              "1 : tunables    0    0    0 : slabdata      1 "
                              "     1      0\n");
    buddy_slabinfo_line(&d, line, sizeof(line));
    assert_string_equal(line, "btrfs_delayed_node      0      0    312   13 "
                              "   1 : tunables    0    0    0 : slabdata     "
                              " 0      0      0\n");
    /* The whole view; sized with a call of size 0, cut with a NUL. */
    n = buddy_slabinfo(both, 2, NULL, 0);
    assert_int_equal(buddy_slabinfo(both, 2, buf, sizeof(buf)), n);
    assert_int_equal(strlen(buf), n);
    assert_int_equal(buddy_slabinfo(both, 2, buf, 10), n);
    assert_string_equal(buf, "slabinfo ");
    for (i = 0; i < 12; i++)
        assert_int_equal(buddy_slab_free(&c, objs[i]), 0);
    assert_int_equal(buddy_slab_cache_destroy(&c), 0);
    assert_int_equal(buddy_slab_cache_destroy(&d), 0);
    assert_zones_whole(&f, 64);
    zones_del(&f);
}

/* ---- the lock ----------------------------------------------------------- */

struct count_lock {
    int held;
    unsigned long taken;
};

static void count_lock_take(void *arg)
{
    struct count_lock *l = arg;

    assert_int_equal(l->held, 0);
    l->held = 1;
    l->taken++;
}

static void count_lock_release(void *arg)
{
    struct count_lock *l = arg;

    assert_int_equal(l->held, 1);
    l->held = 0;
}

static void test_every_call_takes_the_lock(void **state)
{
    struct slab_zones f;
    struct buddy_slab_cache c;
    struct buddy_slab_config cfg;
    struct count_lock l = {0, 0};
    struct buddy_lock_ops ops = {.lock = count_lock_take,
                                 .unlock = count_lock_release, .arg = &l};
    struct buddy_slab_info info;
    void *a, *objs[4];
    unsigned long t;

    (void)state;
    zones_new(&f, 64, 6);
    cfg = slab_cfg(&f, "locked", 64);
    cfg.lock = &ops;
    assert_int_equal(buddy_slab_cache_create(&c, &cfg), 0);
#define ONE_ROUND_TRIP(call)                                                   \
    do {                                                                       \
        t = l.taken;                                                           \
        call;                                                                  \
        assert_int_equal(l.taken, t + 1);                                      \
        assert_int_equal(l.held, 0);                                           \
    } while (0)
    ONE_ROUND_TRIP(a = buddy_slab_alloc(&c));
    ONE_ROUND_TRIP(assert_int_equal(buddy_slab_free(&c, a), 0));
    ONE_ROUND_TRIP(assert_int_equal(buddy_slab_free(&c, a),
                                    BUDDY_EDOUBLEFREE));
    ONE_ROUND_TRIP(assert_int_equal(buddy_slab_alloc_bulk(&c, 4, objs), 4));
    ONE_ROUND_TRIP(assert_int_equal(buddy_slab_free_bulk(&c, 4, objs), 0));
    ONE_ROUND_TRIP(assert_int_equal(buddy_slab_get_info(&c, &info), 0));
    ONE_ROUND_TRIP(assert_int_equal(buddy_slab_check(&c, NULL), 0));
    ONE_ROUND_TRIP((void)buddy_slab_shrink(&c));
    ONE_ROUND_TRIP(assert_int_equal(buddy_slab_cache_destroy(&c), 0));
#undef ONE_ROUND_TRIP
    assert_zones_whole(&f, 64);
    zones_del(&f);
}

/* ---- the core's private word -------------------------------------------- */

static void test_zone_private_word(void **state)
{
    struct fixture fx;
    struct buddy_zone *z = zone_new_free(&fx, 100, 64, 6);
    buddy_pfn_t pfn, cached;
    uintptr_t w = 0, big = (uintptr_t)0x12345678u;
    unsigned i;

    (void)state;
    if (sizeof(uintptr_t) == 8)
        big = (uintptr_t)(((uint64_t)0xfedcba98u << 32) | 0x76543210u);
    assert_int_equal(buddy_zone_alloc_pages(z, 3, &pfn), 0);
    assert_int_equal(buddy_zone_set_private(z, pfn, big), 0);
    for (i = 0; i < 8; i++) {
        assert_int_equal(buddy_zone_get_private(z, pfn + i, &w), 0);
        assert_true(w == big);
    }
    assert_valid(z);
    /* The head's word alone: the later pages keep theirs. */
    assert_int_equal(buddy_zone_set_head_private(z, pfn, 7), 0);
    assert_int_equal(buddy_zone_get_private(z, pfn, &w), 0);
    assert_true(w == 7);
    for (i = 1; i < 8; i++) {
        assert_int_equal(buddy_zone_get_private(z, pfn + i, &w), 0);
        assert_true(w == big);
    }
    EXPECT_REJECTED(z, buddy_zone_set_head_private(z, pfn + 1, 1),
                    BUDDY_EINTERIOR);
    EXPECT_REJECTED(z, buddy_zone_set_head_private(z, 164, 1), BUDDY_ERANGE);
    assert_int_equal(buddy_zone_get_private(z, pfn + 1, &w), 0);
    assert_true(w == big);
    assert_valid(z);
    /* Only an allocated block's head takes a word; nothing changes. */
    EXPECT_REJECTED(z, buddy_zone_set_private(z, pfn + 1, 1), BUDDY_EINTERIOR);
    EXPECT_REJECTED(z, buddy_zone_set_private(z, 99, 1), BUDDY_ERANGE);
    EXPECT_REJECTED(z, buddy_zone_set_private(z, 164, 1), BUDDY_ERANGE);
    assert_int_equal(buddy_zone_get_private(z, 164, &w), BUDDY_ERANGE);
    assert_int_equal(buddy_zone_get_private(z, pfn, NULL), BUDDY_ENULL);
    assert_int_equal(buddy_zone_free_pages(z, pfn, 3), 0);
    EXPECT_REJECTED(z, buddy_zone_set_private(z, pfn, 1), BUDDY_EDOUBLEFREE);
    EXPECT_REJECTED(z, buddy_zone_set_head_private(z, pfn, 1),
                    BUDDY_EDOUBLEFREE);
    assert_valid(z); /* the word went with the free: links again */
    /* A cached block is its cache's, not an owner's. */
    {
        struct buddy_pcp pcp;
        struct buddy_pcp_config pc = {2, 4, 16};

        assert_int_equal(buddy_pcp_init(&pcp, z, &pc), 0);
        assert_int_equal(buddy_pcp_alloc_pages(&pcp, 0, &cached), 0);
        assert_int_equal(buddy_pcp_free_pages(&pcp, cached, 0), 0);
        EXPECT_REJECTED(z, buddy_zone_set_private(z, cached, 1),
                        BUDDY_EDOUBLEFREE);
        buddy_pcp_fini(&pcp);
    }
    assert_int_equal(buddy_zone_set_private(NULL, pfn, 1), BUDDY_EBADZONE);
    assert_int_equal(buddy_zone_set_head_private(NULL, pfn, 1),
                     BUDDY_EBADZONE);
    assert_int_equal(buddy_zone_get_private(NULL, pfn, &w), BUDDY_EBADZONE);
    assert_int_equal(zone_free_pages(z), 64);
    assert_valid(z);
    zone_del(&fx);
}


/* ---- kmalloc ------------------------------------------------------------ */

struct km_zones {
    struct fixture fx;
    void *mem;
    struct buddy_zone *z;
    struct buddy_kmalloc k;
};

#define KM_PAGES 512u

/* One zone of real memory (kzalloc and krealloc write), objects and
 * descriptors both, for a kmalloc the caller makes. */
static void km_zone(struct km_zones *f)
{
    f->mem = aligned_alloc(4096, KM_PAGES * 4096);
    assert_non_null(f->mem);
    f->z = zone_with_base(&f->fx, 0, KM_PAGES, 9, (uintptr_t)f->mem);
}

/* km_zone with the kernel's kmalloc on it. */
static void km_new(struct km_zones *f)
{
    struct buddy_kmalloc_config cfg = {0};

    km_zone(f);
    cfg.zone = f->z;
    cfg.nr_cpus = 2;
    assert_int_equal(buddy_kmalloc_init(&f->k, &cfg), 0);
}

static void km_del(struct km_zones *f)
{
    assert_int_equal(buddy_kmalloc_fini(&f->k), 0);
    assert_int_equal(zone_free_pages(f->z), KM_PAGES);
    assert_valid(f->z);
    zone_del(&f->fx);
    free(f->mem);
}

static void test_kmalloc_classes(void **state)
{
    static const size_t want[][2] = {
        {1, 8},       {8, 8},       {9, 16},      {16, 16},     {17, 32},
        {32, 32},     {33, 64},     {64, 64},     {65, 96},     {96, 96},
        {97, 128},    {128, 128},   {129, 192},   {192, 192},   {193, 256},
        {256, 256},   {257, 512},   {513, 1024},  {1025, 2048}, {2049, 4096},
        {4097, 8192}, {8192, 8192}, {8193, 16384}, {20000, 32768},
        {(size_t)4096 << 9, (size_t)4096 << 9},
    };
    struct km_zones f;
    struct buddy_kmalloc_stats st;
    void *p[sizeof(want) / sizeof(want[0])];
    size_t i;

    (void)state;
    km_new(&f);
    for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        p[i] = buddy_kmalloc(&f.k, want[i][0], 0);
        assert_non_null(p[i]);
        assert_int_equal(buddy_ksize(&f.k, p[i]), want[i][1]);
        /* aligned to the class: 96 and 192 to 32 and 64 */
        assert_int_equal((uintptr_t)p[i] %
                             (want[i][1] == 96 ? 32 : want[i][1] == 192 ? 64
                                                                        : want[i][1] > 4096 ? 4096 : want[i][1]),
                         0);
        assert_int_equal(buddy_kfree(&f.k, p[i]), 0);
        if (i == sizeof(want) / sizeof(want[0]) - 2) {
            unsigned j; /* the classes' empty slabs back, for the last */

            for (j = 0; j < BUDDY_KMALLOC_CLASSES; j++)
                (void)buddy_slab_shrink(buddy_kmalloc_cache(&f.k, 0, j));
        }
        if (i == sizeof(want) / sizeof(want[0]) - 1) { /* the whole zone */
            p[i] = buddy_kmalloc(&f.k, want[i][0], 0);
            assert_non_null(p[i]);
            break;
        }
    }
    assert_int_equal(buddy_kmalloc_get_stats(&f.k, &st), 0);
    assert_int_equal(st.large_blocks, 1);
    assert_null(buddy_kmalloc(&f.k, 1, 0)); /* the zone is full */
    assert_int_equal(buddy_kfree(&f.k, p[i]), 0);
    assert_null(buddy_kmalloc(&f.k, 0, 0));
    assert_null(buddy_kmalloc(&f.k, ((size_t)4096 << 9) + 1, 0));
    assert_null(buddy_kmalloc(&f.k, SIZE_MAX, 0));
    assert_int_equal(buddy_kfree(&f.k, NULL), 0);
    for (i = 0; i < BUDDY_KMALLOC_CLASSES; i++)
        (void)buddy_slab_shrink(buddy_kmalloc_cache(&f.k, 0, (unsigned)i));
    km_del(&f);
}

/* A large block grows in place into its free buddies and shrinks in
 * place, its tail given back; a slab object only within its slot. What is
 * not a live allocation is refused, and nothing moves. */
static void test_kresize_in_place(void **state)
{
    struct km_zones f;
    unsigned char *a, *b, *s;
    unsigned i;

    (void)state;
    km_new(&f);
    a = buddy_kmalloc(&f.k, 16384, 0); /* order 2, fresh from a split */
    assert_non_null(a);
    for (i = 0; i < 16384; i++)
        a[i] = (unsigned char)i;
    assert_int_equal(buddy_kresize(&f.k, a, 16385), 0);
    assert_int_equal(buddy_ksize(&f.k, a), 32768);
    assert_int_equal(buddy_kresize(&f.k, a, 200000), 0);
    assert_int_equal(buddy_ksize(&f.k, a), 262144);
    for (i = 0; i < 16384; i++)
        assert_int_equal(a[i], (unsigned char)i);
    /* An interior page of the grown block is no allocation of its own. */
    assert_int_equal(buddy_kfree(&f.k, a + 65536), BUDDY_EINTERIOR);
    /* krealloc grows in place too, zeroing what it gained. */
    b = buddy_krealloc(&f.k, a, 400000, BUDDY_KMALLOC_ZERO);
    assert_ptr_equal(b, a);
    assert_int_equal(buddy_ksize(&f.k, a), 524288);
    assert_int_equal(a[16383], (unsigned char)16383);
    for (i = 262144; i < 524288; i += 4096)
        assert_int_equal(a[i], 0);
    /* Shrunk: the tail is the zone's again, and allocatable. */
    assert_int_equal(buddy_kresize(&f.k, a, 20000), 0);
    assert_int_equal(buddy_ksize(&f.k, a), 32768);
    b = buddy_kmalloc(&f.k, 32768, 0);
    assert_ptr_equal(b, a + 32768); /* the buddy the shrink gave back */
    assert_int_equal(buddy_kresize(&f.k, a, 40000), BUDDY_EBUSY);
    assert_int_equal(buddy_ksize(&f.k, a), 32768);
    /* Past the zone's largest block: not in place. */
    assert_int_equal(buddy_kresize(&f.k, b, (size_t)4096 << 10),
                     BUDDY_EBUSY);
    /* A slab object keeps its slot. */
    s = buddy_kmalloc(&f.k, 100, 0);
    assert_int_equal(buddy_kresize(&f.k, s, 128), 0);
    assert_int_equal(buddy_kresize(&f.k, s, 129), BUDDY_EBUSY);
    assert_int_equal(buddy_ksize(&f.k, s), 128);
    assert_int_equal(buddy_kresize(&f.k, s + 16, 10), BUDDY_EINTERIOR);
    /* Bad pointers, refused. */
    assert_int_equal(buddy_kresize(&f.k, NULL, 10), BUDDY_ENULL);
    assert_int_equal(buddy_kresize(&f.k, (char *)f.mem - 4096, 10),
                     BUDDY_ERANGE);
    assert_int_equal(buddy_kresize(&f.k, a + 16, 10), BUDDY_EINTERIOR);
    assert_int_equal(buddy_kfree(&f.k, b), 0);
    assert_int_equal(buddy_kresize(&f.k, b, 10), BUDDY_EDOUBLEFREE);
    assert_valid(f.z);
    assert_int_equal(buddy_kfree(&f.k, s), 0);
    assert_int_equal(buddy_kresize(&f.k, s, 10), BUDDY_EDOUBLEFREE);
    assert_int_equal(buddy_kfree(&f.k, a), 0);
    for (i = 0; i < BUDDY_KMALLOC_CLASSES; i++)
        (void)buddy_slab_shrink(buddy_kmalloc_cache(&f.k, 0, i));
    km_del(&f);
}

static void test_kmalloc_zero_realloc_and_reclaim(void **state)
{
    struct km_zones f;
    unsigned char *a, *b, *c;
    char info[4096];
    unsigned i;

    (void)state;
    km_new(&f);
    a = buddy_kmalloc(&f.k, 100, 0);
    memset(a, 0xee, 128);
    assert_int_equal(buddy_kfree(&f.k, a), 0);
    a = buddy_kzalloc(&f.k, 100);
    for (i = 0; i < 128; i++)
        assert_int_equal(a[i], 0);
    for (i = 0; i < 100; i++)
        a[i] = (unsigned char)i;
    /* Fits: the same object. Grows: a copy, the old one freed. */
    assert_ptr_equal(buddy_krealloc(&f.k, a, 120, 0), a);
    b = buddy_krealloc(&f.k, a, 5000, BUDDY_KMALLOC_ZERO);
    assert_non_null(b);
    assert_int_equal(buddy_ksize(&f.k, b), 8192);
    for (i = 0; i < 100; i++)
        assert_int_equal(b[i], i);
    for (i = 128; i < 8192; i++)
        assert_int_equal(b[i], 0);
    assert_int_equal(buddy_kfree(&f.k, a), BUDDY_EDOUBLEFREE);
    c = buddy_krealloc(&f.k, b, 40000, 0); /* into a large block */
    assert_non_null(c);
    assert_int_equal(buddy_ksize(&f.k, c), 65536);
    assert_int_equal(c[99], 99);
    assert_null(buddy_krealloc(&f.k, c, 0, 0)); /* frees */
    assert_int_equal(buddy_kfree(&f.k, c), BUDDY_EDOUBLEFREE);
    assert_non_null(c = buddy_krealloc(&f.k, NULL, 10, 0));
    assert_null(buddy_krealloc(&f.k, (void *)((uintptr_t)f.mem - 4096), 10,
                               0));
    assert_int_equal(buddy_kfree(&f.k, c), 0);
    /* The reclaimable set: its own caches, on reclaimable pageblocks. */
    a = buddy_kmalloc(&f.k, 64, BUDDY_KMALLOC_RECLAIMABLE);
    assert_non_null(a);
    assert_int_equal(pb_type(f.z, buddy_zone_addr_to_pfn(f.z, a)),
                     BUDDY_MIGRATE_RECLAIMABLE);
    b = buddy_kmalloc(&f.k, 64, 0);
    assert_int_equal(pb_type(f.z, buddy_zone_addr_to_pfn(f.z, b)),
                     BUDDY_MIGRATE_UNMOVABLE);
    buddy_kmalloc_slabinfo(&f.k, info, sizeof(info));
    assert_non_null(strstr(info, "\nkmalloc-64 "));
    assert_non_null(strstr(info, "\nkmalloc-rcl-64 "));
    assert_null(strstr(info, "kmalloc-256 "));
    assert_int_equal(buddy_kfree(&f.k, a), 0);
    assert_int_equal(buddy_kfree(&f.k, b), 0);
    for (i = 0; i < BUDDY_KMALLOC_CLASSES; i++) {
        (void)buddy_slab_shrink(buddy_kmalloc_cache(&f.k, 0, i));
        (void)buddy_slab_shrink(buddy_kmalloc_cache(&f.k, 1, i));
    }
    assert_null(buddy_kmalloc_cache(&f.k, 2, 0));
    assert_null(buddy_kmalloc_cache(&f.k, 0, BUDDY_KMALLOC_CLASSES));
    km_del(&f);
}

/* A refused kfree: the error, nothing allocated or freed. */
static void expect_kfree_refused(struct km_zones *f, const void *obj, int err)
{
    uint64_t free_pages = zone_free_pages(f->z);
    struct buddy_kmalloc_stats st;
    struct buddy_slab_info info;
    uint64_t active = 0, rejected_before, rejected_after;
    unsigned i, set;

    rejected_before = 0;
    for (set = 0; set < 2; set++)
        for (i = 0; i < BUDDY_KMALLOC_CLASSES; i++) {
            if (buddy_kmalloc_cache(&f->k, set, i) == NULL)
                continue; /* a fine class, not made */
            assert_int_equal(buddy_slab_get_info(
                                 buddy_kmalloc_cache(&f->k, set, i), &info),
                             0);
            active += info.active_objs;
            rejected_before += info.rejected;
        }
    assert_int_equal(buddy_kmalloc_get_stats(&f->k, &st), 0);
    rejected_before += st.rejected;
    assert_int_equal(buddy_kfree(&f->k, obj), err);
    rejected_after = 0;
    for (set = 0; set < 2; set++)
        for (i = 0; i < BUDDY_KMALLOC_CLASSES; i++) {
            if (buddy_kmalloc_cache(&f->k, set, i) == NULL)
                continue; /* a fine class, not made */
            assert_int_equal(buddy_slab_get_info(
                                 buddy_kmalloc_cache(&f->k, set, i), &info),
                             0);
            active -= info.active_objs;
            rejected_after += info.rejected;
            assert_int_equal(buddy_slab_check(
                                 buddy_kmalloc_cache(&f->k, set, i), NULL),
                             0);
        }
    assert_int_equal(buddy_kmalloc_get_stats(&f->k, &st), 0);
    rejected_after += st.rejected;
    assert_int_equal(active, 0);
    assert_int_equal(rejected_after, rejected_before + 1);
    assert_int_equal(zone_free_pages(f->z), free_pages);
    assert_valid(f->z);
}

static void test_kfree_bad_input(void **state)
{
    struct km_zones f;
    struct buddy_slab_cache foreign;
    struct buddy_slab_config cfg = BUDDY_SLAB_CONFIG_INIT;
    char *small, *large, *other;
    buddy_pfn_t user;

    (void)state;
    km_new(&f);
    small = buddy_kmalloc(&f.k, 64, 0);
    assert_non_null(small);
    /* A large block's tag is in its first page's word alone: the later
     * pages' records keep what an owner before left there. */
    {
        buddy_pfn_t head;
        uintptr_t w;
        unsigned i;

        assert_int_equal(buddy_zone_alloc_pages(f.z, 3, &head), 0);
        assert_int_equal(buddy_zone_set_private(f.z, head, 0x10), 0);
        assert_int_equal(buddy_zone_free_pages(f.z, head, 3), 0);
        large = buddy_kmalloc(&f.k, 20000, 0);
        assert_ptr_equal(large, buddy_zone_pfn_to_addr(f.z, head));
        assert_int_equal(buddy_zone_get_private(f.z, head, &w), 0);
        assert_true((w & 1u) != 0);
        for (i = 1; i < 8; i++) {
            assert_int_equal(buddy_zone_get_private(f.z, head + i, &w), 0);
            assert_true(w == 0x10);
        }
    }
    cfg.name = "foreign";
    cfg.size = 64;
    cfg.zone = f.z;
    assert_int_equal(buddy_slab_cache_create(&foreign, &cfg), 0);
    other = buddy_slab_alloc(&foreign);
    assert_non_null(other);
    assert_int_equal(buddy_zone_alloc_pages(f.z, 0, &user), 0);

    expect_kfree_refused(&f, (char *)f.mem - 1, BUDDY_ERANGE);
    expect_kfree_refused(&f, small + 8, BUDDY_EINTERIOR);
    expect_kfree_refused(&f, large + 8, BUDDY_EINTERIOR);
    expect_kfree_refused(&f, large + 4096, BUDDY_EINTERIOR);
    expect_kfree_refused(&f, other, BUDDY_EWRONGCACHE);
    expect_kfree_refused(&f, buddy_zone_pfn_to_addr(f.z, user),
                         BUDDY_ENOTSLAB);
    assert_int_equal(buddy_ksize(&f.k, small + 8), 0);
    assert_int_equal(buddy_ksize(&f.k, other), 0);
    assert_int_equal(buddy_kfree(&f.k, small), 0);
    expect_kfree_refused(&f, small, BUDDY_EDOUBLEFREE);
    assert_int_equal(buddy_kfree(&f.k, large), 0);
    expect_kfree_refused(&f, large, BUDDY_EDOUBLEFREE);
    /* fini refuses while anything is allocated, and changes nothing. */
    large = buddy_kmalloc(&f.k, 20000, 0);
    assert_int_equal(buddy_kmalloc_fini(&f.k), BUDDY_EBUSY);
    assert_int_equal(buddy_ksize(&f.k, large), 32768);
    assert_int_equal(buddy_kfree(&f.k, large), 0);
    small = buddy_kmalloc(&f.k, 64, 0);
    assert_int_equal(buddy_kmalloc_fini(&f.k), BUDDY_EBUSY);
    assert_int_equal(buddy_kfree(&f.k, small), 0);
    (void)buddy_slab_shrink(buddy_kmalloc_cache(&f.k, 0, 4));

    assert_int_equal(buddy_slab_free(&foreign, other), 0);
    (void)buddy_slab_shrink(&foreign);
    assert_int_equal(buddy_slab_cache_destroy(&foreign), 0);
    assert_int_equal(buddy_zone_free_pages(f.z, user, 0), 0);
    assert_int_equal(buddy_kmalloc_init(NULL, NULL), BUDDY_ENULL);
    assert_int_equal(buddy_kfree(NULL, small), BUDDY_ENULL);
    km_del(&f);
    assert_null(buddy_kmalloc(&f.k, 8, 0)); /* after fini */
    assert_int_equal(buddy_kmalloc_fini(&f.k), BUDDY_ENULL);
}


/* ---- slub_debug --------------------------------------------------------- */

static void test_debug_red_zones_and_poison(void **state)
{
    struct fixture fx;
    struct buddy_slab_cache c;
    struct buddy_slab_config cfg = BUDDY_SLAB_CONFIG_INIT;
    struct report_log log = {0};
    struct buddy_slab_info info, before;
    struct buddy_check_report rep;
    void *mem = aligned_alloc(4096, 64 * 4096);
    struct buddy_zone *z;
    unsigned char *a, *b;
    unsigned i;

    (void)state;
    assert_non_null(mem);
    z = zone_with_base(&fx, 0, 64, 6, (uintptr_t)mem);
    cfg.name = "debug";
    cfg.size = 40;
    cfg.zone = z;
    cfg.flags = BUDDY_SLAB_DEBUG_ALL;
    assert_int_equal(buddy_slab_cache_create(&c, &cfg), 0);
    assert_int_equal(buddy_slab_set_report(&c, report_hook, &log), 0);
    info = slab_info(&c);
    /* A word of red zone each side (40 is a word multiple), two callers:
     * 8 + 40 + 8 + 16 on a 64-bit target. */
    assert_int_equal(info.size,
                     sizeof(void *) + 40 + sizeof(void *) + 2 * sizeof(void *));
    a = buddy_slab_alloc(&c);
    assert_non_null(a);
    assert_int_equal(a[-1], BUDDY_SLAB_RED_ACTIVE);
    assert_int_equal(a[40], BUDDY_SLAB_RED_ACTIVE);
    assert_int_equal(a[0], BUDDY_SLAB_POISON_FREE); /* not initialised */
    assert_int_equal(a[39], BUDDY_SLAB_POISON_END);
    assert_slab_valid(&c);

    /* One byte past the object: the free is refused, the object kept. */
    a[40] = 0;
    before = slab_info(&c);
    assert_int_equal(buddy_slab_free(&c, a), BUDDY_ECORRUPT);
    assert_int_equal(log.err, BUDDY_ECORRUPT);
    assert_string_equal(log.what, "Redzone overwritten");
    assert_ptr_equal(log.last.first_bad, a + 40);
    assert_int_equal(log.last.found, 0);
    assert_int_equal(log.last.expected, BUDDY_SLAB_RED_ACTIVE);
    assert_true(log.last.alloc_caller != 0);
    assert_int_equal(slab_info(&c).active_objs, before.active_objs);
    assert_int_equal(slab_info(&c).rejected, before.rejected + 1);
    assert_int_equal(buddy_slab_check(&c, &rep), BUDDY_ECORRUPT);
    assert_string_equal(rep.what, "Redzone overwritten");
    a[40] = BUDDY_SLAB_RED_ACTIVE;
    /* One byte before it, the same. */
    a[-1] = 0x11;
    assert_int_equal(buddy_slab_free(&c, a), BUDDY_ECORRUPT);
    assert_ptr_equal(log.last.first_bad, a - 1);
    assert_int_equal(log.last.found, 0x11);
    a[-1] = BUDDY_SLAB_RED_ACTIVE;
    assert_slab_valid(&c);

    /* A clean free poisons the object and says it is free. */
    assert_int_equal(buddy_slab_free(&c, a), 0);
    for (i = 0; i < 39; i++)
        assert_int_equal(a[i], BUDDY_SLAB_POISON_FREE);
    assert_int_equal(a[39], BUDDY_SLAB_POISON_END);
    assert_int_equal(a[40], BUDDY_SLAB_RED_INACTIVE);
    assert_int_equal(a[-1], BUDDY_SLAB_RED_INACTIVE);
    /* A double free names both callers. */
    assert_int_equal(buddy_slab_free(&c, a), BUDDY_EDOUBLEFREE);
    assert_string_equal(log.what, "Object already free");
    assert_true(log.last.alloc_caller != 0 && log.last.free_caller != 0);

    /* A write after free: the validator sees it, the next allocation
     * reports and mends it and hands the object out. */
    a[7] = 0x42;
    assert_int_equal(buddy_slab_check(&c, &rep), BUDDY_ECORRUPT);
    assert_string_equal(rep.what, "Poison overwritten");
    log.calls = 0;
    b = buddy_slab_alloc(&c);
    assert_ptr_equal(b, a);
    assert_int_equal(log.calls, 1);
    assert_string_equal(log.what, "Poison overwritten");
    assert_ptr_equal(log.last.first_bad, a + 7);
    assert_int_equal(log.last.found, 0x42);
    assert_int_equal(log.last.expected, BUDDY_SLAB_POISON_FREE);
    assert_slab_valid(&c);
    /* Padding: the slab's left-over tail. */
    {
        unsigned char *tail = (unsigned char *)((uintptr_t)a & ~(uintptr_t)4095) +
                              info.objects * info.size;

        assert_int_equal(info.order, 0);
        assert_true(info.objects * info.size < 4096);
        assert_int_equal(tail[0], BUDDY_SLAB_POISON_INUSE);
        tail[0] = 0;
        assert_int_equal(buddy_slab_check(&c, &rep), BUDDY_ECORRUPT);
        assert_string_equal(rep.what, "Padding overwritten");
        tail[0] = BUDDY_SLAB_POISON_INUSE;
    }
    assert_slab_valid(&c);
    assert_int_equal(buddy_slab_free(&c, b), 0);
    (void)buddy_slab_shrink(&c);
    assert_int_equal(buddy_slab_cache_destroy(&c), 0);
    assert_int_equal(zone_free_pages(z), 64);
    assert_valid(z);
    zone_del(&fx);
    free(mem);
}


/* A cache or a kmalloc made with a system registers its shrinker there,
 * and takes it out when destroyed; the system's reclaim then gives its
 * empty slabs back. */
static void test_shrinker_registered_with_the_system(void **state)
{
    struct slab_zones f;
    struct buddy_system sys;
    struct buddy_slab_cache c;
    struct buddy_slab_config cfg;
    struct buddy_shrinker sh;
    struct buddy_kmalloc k;
    struct buddy_kmalloc_config kc = {0};
    uint64_t reclaimed = 0;
    void *objs[40];
    unsigned i;

    (void)state;
    zones_new(&f, 256, 8);
    buddy_system_init(&sys);
    assert_int_equal(buddy_system_add_zone(&sys, 0, 0, f.z), 0);
    cfg = slab_cfg(&f, "registered", 256);
    cfg.system = &sys;
    assert_int_equal(buddy_slab_cache_create(&c, &cfg), 0);
    assert_int_equal(buddy_slab_shrinker(&c, &sh), 0);
    assert_int_equal(buddy_system_register_shrinker(&sys, &sh), BUDDY_EEXIST);
    for (i = 0; i < 40; i++)
        assert_non_null(objs[i] = buddy_slab_alloc(&c));
    for (i = 0; i < 40; i++)
        assert_int_equal(buddy_slab_free(&c, objs[i]), 0);
    assert_true(slab_info(&c).empty_slabs > 0);
    assert_int_equal(buddy_system_balance_node(&sys, 0, 0, 0, &reclaimed), 0);
    /* kswapd reclaims only below the high mark; watermarks are 0 here, so
     * ask the shrinker as a direct reclaim would. */
    {
        struct buddy_shrink_control sc = {0, 0, UINT64_MAX};

        assert_true(sh.scan(sh.arg, &sc) > 0);
    }
    assert_int_equal(slab_info(&c).empty_slabs, 0);
    assert_int_equal(buddy_slab_cache_destroy(&c), 0);
    assert_int_equal(buddy_system_unregister_shrinker(&sys, &sh), BUDDY_ERANGE);

    /* kmalloc: one shrinker for every class. */
    kc.zone = f.z;
    kc.meta_zone = f.m;
    kc.system = &sys;
    assert_int_equal(buddy_kmalloc_init(&k, &kc), 0);
    for (i = 0; i < 40; i++)
        assert_non_null(objs[i] = buddy_kmalloc(&k, i * 50 + 1, 0));
    for (i = 0; i < 40; i++)
        assert_int_equal(buddy_kfree(&k, objs[i]), 0);
    assert_true(zone_free_pages(f.z) < 256);
    /* It takes one slot of the system's table, which fini gives back:
     * fill the table with placeholders (never run) to see it. */
    {
        struct buddy_shrinker fill = sh;
        unsigned n = 0;

        for (;;) {
            fill.arg = &objs[n];
            if (buddy_system_register_shrinker(&sys, &fill) != 0)
                break;
            n++;
        }
        assert_int_equal(n, BUDDY_MAX_SHRINKERS - 1);
        /* A cache that cannot register is not made. */
        assert_int_equal(buddy_slab_cache_create(&c, &cfg), BUDDY_ENOSPC);
        assert_null(buddy_slab_alloc(&c));
        assert_int_equal(buddy_kmalloc_fini(&k), 0);
        fill.arg = &objs[n];
        assert_int_equal(buddy_system_register_shrinker(&sys, &fill), 0);
        for (i = 0; i <= n; i++) {
            fill.arg = &objs[i];
            assert_int_equal(buddy_system_unregister_shrinker(&sys, &fill), 0);
        }
    }
    assert_zones_whole(&f, 256);
    kc.debug_flags = 0x1;
    assert_int_equal(buddy_kmalloc_init(&k, &kc), BUDDY_EINVAL);
    /* A descriptors' lock without its calls, a large zone without a base:
     * refused, nothing made. */
    {
        struct buddy_lock_ops half = {.lock = count_lock_take};
        struct fixture nb;
        struct buddy_zone *nobase = zone_new_free(&nb, 0, 64, 6);

        kc.debug_flags = 0;
        kc.desc_lock = &half;
        assert_int_equal(buddy_kmalloc_init(&k, &kc), BUDDY_EINVAL);
        kc.desc_lock = NULL;
        kc.large_zone = nobase;
        assert_int_equal(buddy_kmalloc_init(&k, &kc), BUDDY_ENOBASE);
        assert_null(buddy_kmalloc(&k, 64, 0));
        assert_int_equal(zone_free_pages(nobase), 64);
        assert_valid(nobase);
        zone_del(&nb);
        kc.large_zone = NULL;
    }
    assert_zones_whole(&f, 256);
    zones_del(&f);
}

/* kmalloc with slub_debug on every class: the usable size is the class,
 * and a write past it is caught at kfree. */
static void test_kmalloc_debug(void **state)
{
    struct km_zones f;
    struct buddy_kmalloc_config cfg = {0};
    struct report_log log = {0};
    unsigned char *p;

    (void)state;
    km_zone(&f);
    cfg.zone = f.z;
    cfg.debug_flags = BUDDY_SLAB_DEBUG_ALL;
    assert_int_equal(buddy_kmalloc_init(&f.k, &cfg), 0);
    assert_int_equal(buddy_slab_set_report(buddy_kmalloc_cache(&f.k, 0, 4),
                                           report_hook, &log),
                     0);
    p = buddy_kmalloc(&f.k, 64, 0);
    assert_non_null(p);
    assert_int_equal(buddy_ksize(&f.k, p), 64);
    p[64] = 1;
    assert_int_equal(buddy_kfree(&f.k, p), BUDDY_ECORRUPT);
    assert_string_equal(log.what, "Redzone overwritten");
    assert_true(log.last.alloc_caller != 0);
    p[64] = BUDDY_SLAB_RED_ACTIVE;
    assert_int_equal(buddy_kfree(&f.k, p), 0);
    (void)buddy_slab_shrink(buddy_kmalloc_cache(&f.k, 0, 4));
    km_del(&f);
}



/* Sizes past the zone's largest block go to the large zone, and come
 * back from it: ksize, kfree, and every bad free of one refused with
 * nothing changed; fini waits for them as for the zone's. */
static void test_kmalloc_large_zone(void **state)
{
    struct fixture lfx;
    struct km_zones f;
    struct buddy_kmalloc_config cfg = {0};
    struct buddy_kmalloc_stats st;
    struct buddy_zone *lz;
    void *lmem, *small, *mid, *big, *big2;

    (void)state;
    f.mem = aligned_alloc(4096, KM_PAGES * 4096);
    lmem = aligned_alloc(4096, 256 * 4096);
    assert_non_null(f.mem);
    assert_non_null(lmem);
    f.z = zone_with_base(&f.fx, 0, KM_PAGES, 3, (uintptr_t)f.mem);
    lz = zone_with_base(&lfx, 0, 256, 8, (uintptr_t)lmem);
    cfg.zone = f.z;
    cfg.large_zone = lz;
    cfg.nr_cpus = 2;
    assert_int_equal(buddy_kmalloc_init(&f.k, &cfg), 0);
    small = buddy_kmalloc(&f.k, 100, 0);
    mid = buddy_kmalloc(&f.k, 20000, 0);     /* order 3: the zone's */
    big = buddy_kmalloc(&f.k, 40000, 0);     /* order 4: the large zone's */
    big2 = buddy_kmalloc(&f.k, 128 * 4096, BUDDY_KMALLOC_ZERO);
    assert_non_null(small);
    assert_non_null(mid);
    assert_non_null(big);
    assert_non_null(big2);
    assert_true((char *)mid >= (char *)f.mem &&
                (char *)mid < (char *)f.mem + KM_PAGES * 4096);
    assert_true((char *)big >= (char *)lmem &&
                (char *)big < (char *)lmem + 256 * 4096);
    assert_null(buddy_kmalloc(&f.k, 257 * 4096, 0)); /* neither holds it */
    assert_int_equal(buddy_ksize(&f.k, mid), 32768);
    assert_int_equal(buddy_ksize(&f.k, big), 65536);
    assert_int_equal(buddy_ksize(&f.k, (char *)big + 4096), 0);
    assert_int_equal(zone_free_pages(lz), 256 - 16 - 128);
    assert_int_equal(buddy_kmalloc_get_stats(&f.k, &st), 0);
    assert_int_equal(st.large_blocks, 3);
    /* bad frees in the large zone: interior, a later page, a free block */
    expect_kfree_refused(&f, (char *)big + 8, BUDDY_EINTERIOR);
    expect_kfree_refused(&f, (char *)big + 4096, BUDDY_EINTERIOR);
    expect_kfree_refused(&f, (char *)lmem + 64 * 4096, BUDDY_EDOUBLEFREE);
    assert_int_equal(zone_free_pages(lz), 256 - 16 - 128);
    assert_int_equal(buddy_kmalloc_fini(&f.k), BUDDY_EBUSY);
    assert_int_equal(buddy_kfree(&f.k, big2), 0);
    assert_int_equal(buddy_kfree(&f.k, big), 0);
    expect_kfree_refused(&f, big, BUDDY_EDOUBLEFREE);
    assert_int_equal(zone_free_pages(lz), 256);
    assert_valid(lz);
    assert_int_equal(buddy_kfree(&f.k, mid), 0);
    assert_int_equal(buddy_kfree(&f.k, small), 0);
    (void)buddy_slab_shrink(buddy_kmalloc_cache(&f.k, 0, 5));
    km_del(&f);
    zone_del(&lfx);
    free(lmem);
}

/* Without the reclaimable set, its requests take the normal set's
 * classes (and a large one stays a RECLAIMABLE block). */
static void test_kmalloc_no_reclaimable(void **state)
{
    struct km_zones f;
    struct buddy_kmalloc_config cfg = {0};
    char buf[4096];
    void *a, *b;
    unsigned i;

    (void)state;
    km_zone(&f);
    cfg.zone = f.z;
    cfg.nr_cpus = 2;
    cfg.no_reclaimable = true;
    assert_int_equal(buddy_kmalloc_init(&f.k, &cfg), 0);
    for (i = 0; i < BUDDY_KMALLOC_CLASSES; i++)
        assert_null(buddy_kmalloc_cache(&f.k, 1, i));
    a = buddy_kmalloc(&f.k, 64, BUDDY_KMALLOC_RECLAIMABLE);
    b = buddy_kmalloc(&f.k, 64, 0);
    assert_non_null(a);
    assert_non_null(b);
    assert_int_equal(buddy_ksize(&f.k, a), 64);
    assert_int_equal(slab_info(buddy_kmalloc_cache(&f.k, 0, 4)).active_objs,
                     2);
    (void)buddy_kmalloc_slabinfo(&f.k, buf, sizeof(buf));
    assert_null(strstr(buf, "kmalloc-rcl"));
    assert_int_equal(buddy_kfree(&f.k, a), 0);
    assert_int_equal(buddy_kfree(&f.k, b), 0);
    assert_slab_valid(buddy_kmalloc_cache(&f.k, 0, 4));
    (void)buddy_slab_shrink(buddy_kmalloc_cache(&f.k, 0, 4));
    km_del(&f);
}

/* The slot a size gets, from the classes' lists (not the library's
 * formula): the smallest class of the list that holds it and is aligned
 * at least as its largest power-of-two divisor (the kernel's kmalloc
 * guarantee; a class is aligned to its lowest set bit). */
static size_t slot_for(size_t size, int fine)
{
    static const size_t kernel[] = {8, 16, 32, 64, 96, 128, 192, 256,
                                    512, 1024, 2048, 4096, 8192};
    static const size_t all[] = {
        8, 16, 32, 48, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384,
        448, 512, 640, 768, 896, 1024, 1280, 1536, 1792, 2048, 2560, 3072,
        3584, 4096, 4608, 5376, 6144, 8192};
    const size_t *l = fine ? all : kernel;
    size_t n = fine ? sizeof(all) / sizeof(all[0])
                    : sizeof(kernel) / sizeof(kernel[0]);
    size_t i;

    for (i = 0; i < n; i++)
        if (l[i] >= size && (l[i] & (0 - l[i])) >= (size & (0 - size)))
            return l[i];
    return 0;
}

/* The fine classes: made only when asked, each size from 1 to 8 KiB to
 * the smallest class that holds it; without them every size goes where
 * the kernel's kmalloc_index sends it. */
static void test_kmalloc_fine_classes(void **state)
{
    struct km_zones f;
    struct buddy_kmalloc_config cfg = {0};
    char buf[8192];
    void *p;
    size_t size, want, al;
    int fine;

    (void)state;
    for (fine = 0; fine < 2; fine++) {
        km_zone(&f);
        cfg.zone = f.z;
        cfg.nr_cpus = 2;
        cfg.fine = fine != 0;
        assert_int_equal(buddy_kmalloc_init(&f.k, &cfg), 0);
        assert_true((buddy_kmalloc_cache(&f.k, 0, 3) != NULL) == (fine != 0));
        for (size = 1; size <= BUDDY_KMALLOC_MAX_CACHE_SIZE; size++) {
            want = slot_for(size, fine);
            p = buddy_kmalloc(&f.k, size, 0);
            assert_non_null(p);
            assert_int_equal(buddy_ksize(&f.k, p), want);
            /* aligned to the slot's lowest bit, which is at least the
             * size's, up to the zone base's 4 KiB */
            al = want & (0 - want);
            assert_true(al >= (size & (0 - size)));
            assert_int_equal((uintptr_t)p % (al < 4096 ? al : 4096), 0);
            if (fine && size == 4097) {
                (void)buddy_kmalloc_slabinfo(&f.k, buf, sizeof(buf));
                assert_non_null(strstr(buf, "\nkmalloc-4608 "));
            }
            assert_int_equal(buddy_kfree(&f.k, p), 0);
        }
        (void)buddy_kmalloc_slabinfo(&f.k, buf, sizeof(buf));
        assert_true((strstr(buf, "\nkmalloc-48 ") != NULL) == (fine != 0));
        assert_non_null(strstr(buf, "\nkmalloc-8k "));
        km_del(&f);
    }
}

/* min_align leaves out the classes it does not divide, as the kernel's
 * ARCH_KMALLOC_MINALIGN: their sizes take the next class, quick path and
 * general path alike. zero_object gives size 0 a unique object of the
 * smallest class made, where the kernel's gives NULL. */
static void test_kmalloc_min_align_and_zero_object(void **state)
{
    static const unsigned bad[] = {3, 24, 8192};
    struct km_zones f;
    struct buddy_kmalloc_config cfg = {0};
    struct buddy_kmalloc_mags m;
    void *p, *q, *z[2];
    size_t size, want;
    unsigned i;

    (void)state;
    memset(&m, 0, sizeof(m));
    km_zone(&f);
    cfg.zone = f.z;
    cfg.nr_cpus = 2;
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        cfg.min_align = bad[i];
        assert_int_equal(buddy_kmalloc_init(&f.k, &cfg), BUDDY_EINVAL);
    }
    /* A malloc's: 16, the fine classes, size 0 an object. */
    cfg.min_align = 16;
    cfg.fine = true;
    cfg.zero_object = true;
    assert_int_equal(buddy_kmalloc_init(&f.k, &cfg), 0);
    assert_null(buddy_kmalloc_cache(&f.k, 0, 0)); /* no kmalloc-8 */
    assert_non_null(buddy_kmalloc_cache(&f.k, 0, 1));
    for (size = 0; size <= 2048; size++) {
        want = size <= 16 ? 16 : slot_for(size, 1);
        p = buddy_kmalloc_mag(&f.k, &m, size, 0);
        q = buddy_kmalloc(&f.k, size, 0);
        assert_non_null(p);
        assert_non_null(q);
        assert_ptr_not_equal(p, q);
        assert_int_equal(buddy_ksize(&f.k, p), want);
        assert_int_equal(buddy_ksize(&f.k, q), want);
        assert_int_equal((uintptr_t)p % 16, 0);
        assert_int_equal((uintptr_t)q % 16, 0);
        assert_int_equal(buddy_kfree_mag(&f.k, &m, p), 0);
        assert_int_equal(buddy_kfree(&f.k, q), 0);
    }
    z[0] = buddy_kmalloc_mag(&f.k, &m, 0, 0);
    z[1] = buddy_kmalloc_mag(&f.k, &m, 0, 0);
    assert_non_null(z[0]);
    assert_ptr_not_equal(z[0], z[1]);
    assert_int_equal(buddy_kfree_mag(&f.k, &m, z[0]), 0);
    assert_int_equal(buddy_kfree_mag(&f.k, &m, z[1]), 0);
    assert_int_equal(buddy_kmalloc_mags_flush(&f.k, &m), 0);
    for (i = 0; i < BUDDY_KMALLOC_CLASSES; i++)
        (void)buddy_slab_shrink(buddy_kmalloc_cache(&f.k, 0, i));
    km_del(&f);

    /* 64, the kernel's classes: no 8, 16, 32, nor 96 (32-aligned), but
     * 192 (64-aligned); size 0 is NULL. */
    km_zone(&f);
    memset(&cfg, 0, sizeof(cfg));
    cfg.zone = f.z;
    cfg.nr_cpus = 2;
    cfg.min_align = 64;
    assert_int_equal(buddy_kmalloc_init(&f.k, &cfg), 0);
    for (size = 1; size <= BUDDY_KMALLOC_MAX_CACHE_SIZE; size++) {
        want = size <= 64 ? 64 : size <= 128 ? 128 : slot_for(size, 0);
        p = buddy_kmalloc_mag(&f.k, &m, size, 0);
        assert_non_null(p);
        assert_int_equal(buddy_ksize(&f.k, p), want);
        assert_int_equal((uintptr_t)p % 64, 0);
        assert_int_equal(buddy_kfree_mag(&f.k, &m, p), 0);
    }
    assert_null(buddy_kmalloc(&f.k, 0, 0));
    assert_null(buddy_kmalloc_mag(&f.k, &m, 0, 0));
    assert_int_equal(buddy_kmalloc_mags_flush(&f.k, &m), 0);
    for (i = 0; i < BUDDY_KMALLOC_CLASSES; i++)
        (void)buddy_slab_shrink(buddy_kmalloc_cache(&f.k, 0, i));
    km_del(&f);
}

/* A kmalloc's classes share descriptor blocks: one object in each of its
 * 33 classes takes two blocks (21 slots each), not 33. With a lock per
 * class they share them only when given the blocks' own lock, which the
 * frees and allocations that make or give back slabs then take. A class
 * whose descriptor does not fit a shared slot (kmalloc-8 on 16 KiB pages:
 * 2048 objects a slab) keeps blocks of its own. */
static void test_kmalloc_shares_descriptor_blocks(void **state)
{
    struct count_lock cl[2 * BUDDY_KMALLOC_CLASSES], dl = {0, 0};
    struct buddy_lock_ops ops[2 * BUDDY_KMALLOC_CLASSES];
    struct buddy_lock_ops dops = {.lock = count_lock_take,
                                  .unlock = count_lock_release, .arg = &dl};
    struct buddy_slab_info info;
    struct km_zones f;
    void *objs[BUDDY_KMALLOC_CLASSES];
    unsigned mode, i, n;

    (void)state;
    for (i = 0; i < 2 * BUDDY_KMALLOC_CLASSES; i++) {
        cl[i].held = 0;
        cl[i].taken = 0;
        ops[i].lock = count_lock_take;
        ops[i].unlock = count_lock_release;
        ops[i].arg = &cl[i];
    }
    for (mode = 0; mode < 3; mode++) { /* no lock, class locks, both */
        struct buddy_kmalloc_config cfg = {0};

        km_zone(&f);
        cfg.zone = f.z;
        cfg.nr_cpus = 2;
        cfg.fine = true;
        cfg.class_locks = mode != 0 ? ops : NULL;
        cfg.desc_lock = mode == 2 ? &dops : NULL;
        assert_int_equal(buddy_kmalloc_init(&f.k, &cfg), 0);
        n = 0;
        for (i = 0; i < BUDDY_KMALLOC_CLASSES; i++) {
            struct buddy_slab_cache *c = buddy_kmalloc_cache(&f.k, 0, i);

            assert_non_null(c);
            objs[n] = buddy_kmalloc(&f.k, slab_info(c).object_size, 0);
            assert_non_null(objs[n]);
            n++;
        }
        for (i = 0; i < BUDDY_KMALLOC_CLASSES; i++) {
            struct buddy_slab_cache *c = buddy_kmalloc_cache(&f.k, 0, i);

            info = slab_info(c);
            assert_int_equal(info.num_slabs, 1);
            assert_int_equal(info.desc_blocks, mode == 1 ? 1 : 2);
            assert_slab_valid(c);
        }
        if (mode == 2)
            assert_true(dl.taken >= BUDDY_KMALLOC_CLASSES);
        for (i = 0; i < n; i++)
            assert_int_equal(buddy_kfree(&f.k, objs[i]), 0);
        for (i = 0; i < BUDDY_KMALLOC_CLASSES; i++)
            (void)buddy_slab_shrink(buddy_kmalloc_cache(&f.k, 0, i));
        for (i = 0; i < BUDDY_KMALLOC_CLASSES; i++)
            assert_int_equal(
                slab_info(buddy_kmalloc_cache(&f.k, 0, i)).desc_blocks, 0);
        km_del(&f);
    }
    /* 16 KiB pages: kmalloc-8's descriptor is its own, kmalloc-64's in
     * the shared blocks with kmalloc-96's. */
    {
        struct buddy_zone_config zc = BUDDY_ZONE_CONFIG_INIT;
        struct buddy_kmalloc_config cfg = {0};
        void *a, *b, *c;

        f.mem = aligned_alloc(16384, 64 * 16384);
        assert_non_null(f.mem);
        zc.nr_pages = 64;
        zc.max_order = 6;
        zc.page_size = 16384;
        zc.base = f.mem;
        f.z = zone_from_config(&f.fx, &zc);
        assert_int_equal(buddy_zone_add_range(f.z, 0, 64), 0);
        cfg.zone = f.z;
        cfg.nr_cpus = 2;
        assert_int_equal(buddy_kmalloc_init(&f.k, &cfg), 0);
        a = buddy_kmalloc(&f.k, 8, 0);
        b = buddy_kmalloc(&f.k, 64, 0);
        c = buddy_kmalloc(&f.k, 96, 0);
        assert_non_null(a);
        assert_non_null(b);
        assert_non_null(c);
        assert_int_equal(slab_info(buddy_kmalloc_cache(&f.k, 0, 0)).objects,
                         2048);
        assert_int_equal(
            slab_info(buddy_kmalloc_cache(&f.k, 0, 0)).desc_blocks, 1);
        assert_int_equal(
            slab_info(buddy_kmalloc_cache(&f.k, 0, 4)).desc_blocks, 1);
        assert_int_equal(
            slab_info(buddy_kmalloc_cache(&f.k, 0, 6)).desc_blocks, 1);
        assert_slab_valid(buddy_kmalloc_cache(&f.k, 0, 0));
        assert_slab_valid(buddy_kmalloc_cache(&f.k, 0, 4));
        assert_int_equal(zone_free_pages(f.z), 64 - 3 - 2);
        assert_int_equal(buddy_kfree(&f.k, a), 0);
        assert_int_equal(buddy_kfree(&f.k, b), 0);
        assert_int_equal(buddy_kfree(&f.k, c), 0);
        for (i = 0; i < BUDDY_KMALLOC_CLASSES; i++)
            (void)buddy_slab_shrink(buddy_kmalloc_cache(&f.k, 0, i));
        assert_int_equal(buddy_kmalloc_fini(&f.k), 0);
        assert_int_equal(zone_free_pages(f.z), 64);
        assert_valid(f.z);
        zone_del(&f.fx);
        free(f.mem);
    }
}

/* ---- magazines ---------------------------------------------------------- */

/* Objects through a magazine: refilled by half on empty, flushed by half
 * on full, one lock round trip each and none in between; every double
 * free refused whichever way the first free went; objects in a magazine
 * count as allocated until flushed. */
static void test_magazines(void **state)
{
    struct slab_zones f;
    struct buddy_slab_cache c, other;
    struct buddy_slab_config cfg;
    struct count_lock l = {0, 0};
    struct buddy_lock_ops ops = {.lock = count_lock_take,
                                 .unlock = count_lock_release, .arg = &l};
    struct buddy_slab_mag m = BUDDY_SLAB_MAG_INIT, m2 = BUDDY_SLAB_MAG_INIT;
    struct report_log log = {0};
    void *objs[200], *a, *o;
    unsigned long t;
    unsigned i, mag;

    (void)state;
    zones_new(&f, 256, 8);
    cfg = slab_cfg(&f, "mag", 1024);
    cfg.lock = &ops;
    assert_int_equal(buddy_slab_cache_create(&c, &cfg), 0);
    cfg.name = "other";
    assert_int_equal(buddy_slab_cache_create(&other, &cfg), 0);
    assert_int_equal(buddy_slab_set_report(&c, report_hook, &log), 0);
    mag = 32768u / 1024u; /* 32: the magazine of 1 KiB objects */

    /* The first allocation refills: one round trip, half a magazine. */
    t = l.taken;
    objs[0] = buddy_slab_alloc_mag(&c, &m);
    assert_non_null(objs[0]);
    assert_int_equal(l.taken, t + 1);
    assert_int_equal(m.count_, mag / 2);
    assert_int_equal(slab_info(&c).active_objs, 1 + mag / 2);
    /* Then no lock until it runs out; addresses come up in order. */
    t = l.taken;
    for (i = 1; i <= mag / 2; i++) {
        objs[i] = buddy_slab_alloc_mag(&c, &m);
        assert_ptr_equal(objs[i], (char *)objs[i - 1] + 1024);
    }
    assert_int_equal(l.taken, t);
    assert_int_equal(m.count_, 0);
    assert_slab_valid(&c);
    for (i = mag / 2 + 1; i < 200; i++)
        assert_non_null(objs[i] = buddy_slab_alloc_mag(&c, &m));
    assert_int_equal(l.held, 0);
    assert_slab_valid(&c);

    /* Frees fill it with no lock; the one that finds it full flushes
     * the older half in one round trip. */
    for (i = 0; i < 200; i++) {
        if (m.count_ == mag) {
            t = l.taken;
            assert_int_equal(buddy_slab_free_mag(&c, &m, objs[i]), 0);
            assert_int_equal(l.taken, t + 1);
            assert_int_equal(m.count_, mag / 2 + 1);
        } else {
            t = l.taken;
            assert_int_equal(buddy_slab_free_mag(&c, &m, objs[i]), 0);
            assert_int_equal(l.taken, t);
        }
        assert_true(m.count_ <= mag);
    }
    assert_slab_valid(&c);
    assert_int_equal(slab_info(&c).active_objs, m.count_);

    /* A double free is caught in the magazine, on the slab, either way. */
    a = m.slot_[m.count_ - 1].obj_;  /* in the magazine */
    assert_int_equal(buddy_slab_free_mag(&c, &m, a), BUDDY_EDOUBLEFREE);
    assert_int_equal(buddy_slab_free(&c, a), BUDDY_EDOUBLEFREE);
    assert_string_equal(log.what, "Object already free");
    assert_ptr_equal(log.obj, a);
    assert_int_equal(buddy_slab_free_mag(&c, &m2, a), BUDDY_EDOUBLEFREE);
    assert_int_equal(m2.count_, 0);
    a = objs[0]; /* flushed: free on its slab */
    assert_int_equal(buddy_slab_free_mag(&c, &m, a), BUDDY_EDOUBLEFREE);
    a = buddy_slab_alloc(&c); /* freed straight, then through the magazine */
    assert_int_equal(buddy_slab_free(&c, a), 0);
    assert_int_equal(buddy_slab_free_mag(&c, &m, a), BUDDY_EDOUBLEFREE);
    assert_int_equal(slab_info(&c).rejected, 5);
    /* Bad pointers through the magazine: refused as buddy_slab_free
     * refuses them, the magazine unchanged. */
    i = m.count_;
    assert_int_equal(buddy_slab_free_mag(&c, &m, (char *)objs[5] + 8),
                     BUDDY_EINTERIOR);
    o = buddy_slab_alloc(&other);
    assert_int_equal(buddy_slab_free_mag(&c, &m, o), BUDDY_EWRONGCACHE);
    assert_int_equal(buddy_slab_free_mag(&c, &m, NULL), BUDDY_ENULL);
    assert_int_equal(m.count_, i);
    /* A magazine holding c's objects serves no other cache: other's
     * objects go straight to their slabs, and flushing it with other is
     * refused. */
    assert_int_equal(buddy_slab_free_mag(&other, &m, o), 0);
    assert_int_equal(m.count_, i);
    assert_int_equal(slab_info(&other).active_objs, 0);
    assert_int_equal(buddy_slab_mag_flush(&other, &m), BUDDY_EWRONGCACHE);
    assert_int_equal(buddy_slab_mag_flush(&c, NULL), BUDDY_ENULL);
    assert_slab_valid(&c);
    assert_slab_valid(&other);

    /* Destroy refuses while the magazine holds objects; flushed, it goes. */
    assert_int_equal(buddy_slab_cache_destroy(&c), BUDDY_EBUSY);
    assert_int_equal(buddy_slab_mag_flush(&c, &m), 0);
    assert_int_equal(m.count_, 0);
    assert_int_equal(slab_info(&c).active_objs, 0);
    assert_slab_valid(&c);
    assert_int_equal(buddy_slab_cache_destroy(&c), 0);
    assert_int_equal(buddy_slab_cache_destroy(&other), 0);
    assert_int_equal(l.held, 0);
    assert_zones_whole(&f, 256);
    zones_del(&f);
}

/* Refills of different magazines on a shared cache take their objects
 * from different slabs (while few slabs are partial), and a magazine's
 * next refill comes back to its own: threads' owned bits then never share
 * a slab. Past REFILL_LOOK partial slabs no new one is made for it. */
static void test_magazines_refill_from_slabs_of_their_own(void **state)
{
    struct slab_zones f;
    struct buddy_slab_cache c;
    struct buddy_slab_config cfg;
    struct count_lock l = {0, 0};
    struct buddy_lock_ops ops = {.lock = count_lock_take,
                                 .unlock = count_lock_release, .arg = &l};
    struct buddy_slab_mag m[12];
    void *a, *b, *objs[40];
    uintptr_t slab_bytes;
    unsigned i, n;

    (void)state;
    for (i = 0; i < 12; i++)
        m[i] = (struct buddy_slab_mag)BUDDY_SLAB_MAG_INIT;
    zones_new(&f, 256, 8);
    cfg = slab_cfg(&f, "own", 64); /* 64 objects a 4 KiB slab */
    cfg.lock = &ops;
    assert_int_equal(buddy_slab_cache_create(&c, &cfg), 0);
    slab_bytes = (uintptr_t)4096 << slab_info(&c).order;

    a = buddy_slab_alloc_mag(&c, &m[0]);
    b = buddy_slab_alloc_mag(&c, &m[1]);
    assert_non_null(a);
    assert_non_null(b);
    assert_int_equal(slab_info(&c).num_slabs, 2); /* the first had room */
    assert_true((uintptr_t)a / slab_bytes != (uintptr_t)b / slab_bytes);
    /* m[0] emptied, refilled: from its own slab again, not m[1]'s. */
    n = 0;
    objs[n++] = a;
    while (m[0].count_ != 0)
        objs[n++] = buddy_slab_alloc_mag(&c, &m[0]);
    objs[n++] = buddy_slab_alloc_mag(&c, &m[0]);
    assert_non_null(objs[n - 1]);
    assert_int_equal((uintptr_t)objs[n - 1] / slab_bytes,
                     (uintptr_t)a / slab_bytes);
    assert_int_equal(slab_info(&c).num_slabs, 2);
    assert_slab_valid(&c);
    /* Ten more magazines: new slabs until REFILL_LOOK (8) are partial,
     * then they share the first partial one: m[8], m[9] and m[10] take
     * 17 objects each from it, m[10] fills it and takes the rest from a
     * new one (seven partial then), m[11] shares that. */
    for (i = 2; i < 12; i++) {
        assert_non_null(objs[n++] = buddy_slab_alloc_mag(&c, &m[i]));
        assert_true(slab_info(&c).partial_slabs <= 8);
    }
    assert_int_equal(slab_info(&c).num_slabs, 9);
    assert_int_equal(slab_info(&c).partial_slabs, 8);
    assert_slab_valid(&c);

    for (i = 0; i < n; i++)
        assert_int_equal(buddy_slab_free(&c, objs[i]), 0);
    assert_int_equal(buddy_slab_free(&c, b), 0);
    for (i = 0; i < 12; i++)
        assert_int_equal(buddy_slab_mag_flush(&c, &m[i]), 0);
    assert_int_equal(slab_info(&c).active_objs, 0);
    assert_slab_valid(&c);
    assert_int_equal(buddy_slab_cache_destroy(&c), 0);
    assert_int_equal(l.held, 0);
    assert_zones_whole(&f, 256);
    zones_del(&f);
}

/* A debug cache's magazine stays empty: every call takes the lock and
 * runs its checks, so a write after free is still caught. */
static void test_magazine_debug_cache(void **state)
{
    struct km_zones f;
    struct buddy_slab_cache c;
    struct buddy_slab_config cfg = BUDDY_SLAB_CONFIG_INIT;
    struct buddy_slab_mag m = BUDDY_SLAB_MAG_INIT;
    struct report_log log = {0};
    char *p;

    (void)state;
    km_new(&f);
    cfg.name = "dbg";
    cfg.size = 40;
    cfg.zone = f.z;
    cfg.flags = BUDDY_SLAB_DEBUG_ALL;
    assert_int_equal(buddy_slab_cache_create(&c, &cfg), 0);
    assert_int_equal(buddy_slab_set_report(&c, report_hook, &log), 0);
    p = buddy_slab_alloc_mag(&c, &m);
    assert_non_null(p);
    assert_int_equal(m.count_, 0);
    p[40] = 1; /* into the right red zone */
    assert_int_equal(buddy_slab_free_mag(&c, &m, p), BUDDY_ECORRUPT);
    assert_string_equal(log.what, "Redzone overwritten");
    p[40] = (char)BUDDY_SLAB_RED_ACTIVE;
    assert_int_equal(buddy_slab_free_mag(&c, &m, p), 0);
    assert_int_equal(m.count_, 0);
    assert_int_equal(buddy_slab_free_mag(&c, &m, p), BUDDY_EDOUBLEFREE);
    assert_slab_valid(&c);
    assert_int_equal(buddy_slab_cache_destroy(&c), 0);
    km_del(&f);
}

/* kmalloc through magazines: normal classes cached, large blocks and the
 * reclaimable set straight; kfree_mag judges what it does not cache as
 * kfree does. */
static void test_kmalloc_magazines(void **state)
{
    static const size_t sizes[] = {1, 8, 24, 64, 96, 100, 192, 256, 1000,
                                   2048, 4096, 8192, 8193, 40000};
    struct km_zones f;
    struct buddy_kmalloc_mags m;
    struct buddy_kmalloc_stats st;
    void *p[sizeof(sizes) / sizeof(sizes[0])][8], *r;
    size_t i, j;

    (void)state;
    memset(&m, 0, sizeof(m));
    km_new(&f);
    for (j = 0; j < 8; j++)
        for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
            p[i][j] = buddy_kmalloc_mag(&f.k, &m, sizes[i],
                                        j == 7 ? BUDDY_KMALLOC_ZERO : 0);
            assert_non_null(p[i][j]);
            assert_true(buddy_ksize(&f.k, p[i][j]) >= sizes[i]);
            memset(p[i][j], (int)j, sizes[i]);
        }
    r = buddy_kmalloc_mag(&f.k, &m, 64, BUDDY_KMALLOC_RECLAIMABLE);
    assert_non_null(r);
    for (j = 0; j < 8; j++)
        for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
            assert_int_equal(buddy_kfree_mag(&f.k, &m, p[i][j]), 0);
    assert_int_equal(buddy_kfree_mag(&f.k, &m, r), 0);
    assert_int_equal(buddy_kmalloc_get_stats(&f.k, &st), 0);
    assert_int_equal(st.large_blocks, 0);
    /* Double frees, cached or not, and a large block twice. */
    assert_int_equal(buddy_kfree_mag(&f.k, &m, p[3][7]), BUDDY_EDOUBLEFREE);
    assert_int_equal(buddy_kfree(&f.k, p[3][7]), BUDDY_EDOUBLEFREE);
    assert_int_equal(buddy_kfree_mag(&f.k, &m, r), BUDDY_EDOUBLEFREE);
    assert_int_equal(buddy_kfree_mag(&f.k, &m, p[13][0]), BUDDY_EDOUBLEFREE);
    assert_int_equal(buddy_kfree_mag(&f.k, &m, (char *)p[3][0] + 1),
                     BUDDY_EINTERIOR);
    assert_int_equal(buddy_kfree_mag(&f.k, &m, NULL), 0);
    /* fini refuses while magazines hold objects. */
    assert_int_equal(buddy_kmalloc_fini(&f.k), BUDDY_EBUSY);
    assert_int_equal(buddy_kmalloc_mags_flush(&f.k, &m), 0);
    assert_int_equal(buddy_kmalloc_mags_flush(&f.k, NULL), BUDDY_ENULL);
    for (i = 0; i < BUDDY_KMALLOC_CLASSES; i++) {
        struct buddy_slab_cache *c = buddy_kmalloc_cache(&f.k, 0, (unsigned)i);

        if (c != NULL)
            assert_slab_valid(c);
    }
    km_del(&f);
}

/* Every refusal counted by k's caches and by k itself. */
static uint64_t km_rejected(struct buddy_kmalloc *k)
{
    struct buddy_kmalloc_stats st;
    struct buddy_slab_info info;
    uint64_t n;
    unsigned set, i;

    assert_int_equal(buddy_kmalloc_get_stats(k, &st), 0);
    n = st.rejected;
    for (set = 0; set < 2; set++)
        for (i = 0; i < BUDDY_KMALLOC_CLASSES; i++) {
            struct buddy_slab_cache *c = buddy_kmalloc_cache(k, set, i);

            if (c == NULL)
                continue;
            assert_int_equal(buddy_slab_get_info(c, &info), 0);
            n += info.rejected;
        }
    return n;
}

/* The quick free pushes a live normal-set object, through full
 * magazines too; anything else it leaves as it was, uncounted, for
 * kfree_mag to judge. */
static void test_kfree_mag_quick(void **state)
{
    struct km_zones f;
    struct buddy_kmalloc_config cfg = {0};
    struct buddy_kmalloc_mags m;
    void *p[200], *big, *r;
    unsigned i;

    (void)state;
    memset(&m, 0, sizeof(m));
    km_new(&f);
    for (i = 0; i < 200; i++) {
        p[i] = buddy_kmalloc_mag(&f.k, &m, 64, 0);
        assert_non_null(p[i]);
    }
    for (i = 0; i < 200; i++) /* past a magazine's size: flushes */
        assert_int_equal(buddy_kfree_mag_quick(&f.k, &m, p[i]), 0);
    p[0] = buddy_kmalloc_mag(&f.k, &m, 64, 0);
    big = buddy_kmalloc_mag(&f.k, &m, 40000, 0);
    r = buddy_kmalloc_mag(&f.k, &m, 64, BUDDY_KMALLOC_RECLAIMABLE);
    assert_non_null(p[0]);
    assert_non_null(big);
    assert_non_null(r);
    assert_int_equal(km_rejected(&f.k), 0);
    assert_int_equal(buddy_kfree_mag_quick(&f.k, &m, NULL), 1);
    assert_int_equal(buddy_kfree_mag_quick(&f.k, NULL, p[0]), 1);
    assert_int_equal(buddy_kfree_mag_quick(NULL, &m, p[0]), 1);
    assert_int_equal(buddy_kfree_mag_quick(&f.k, &m, (char *)p[0] + 8), 1);
    assert_int_equal(buddy_kfree_mag_quick(&f.k, &m, p[1]), 1); /* freed */
    assert_int_equal(buddy_kfree_mag_quick(&f.k, &m, big), 1);
    assert_int_equal(buddy_kfree_mag_quick(&f.k, &m, r), 1);
    assert_int_equal(buddy_kfree_mag_quick(&f.k, &m, &cfg), 1); /* outside */
    assert_int_equal(km_rejected(&f.k), 0);
    /* What it left, kfree_mag judges as before. */
    assert_int_equal(buddy_kfree_mag(&f.k, &m, (char *)p[0] + 8),
                     BUDDY_EINTERIOR);
    assert_int_equal(buddy_kfree_mag(&f.k, &m, p[1]), BUDDY_EDOUBLEFREE);
    assert_int_equal(buddy_kfree_mag(&f.k, &m, big), 0);
    assert_int_equal(buddy_kfree_mag(&f.k, &m, r), 0);
    assert_int_equal(buddy_kfree_mag_quick(&f.k, &m, p[0]), 0);
    assert_int_equal(buddy_kfree_mag_quick(&f.k, &m, p[0]), 1);
    assert_int_equal(buddy_kfree_mag(&f.k, &m, p[0]), BUDDY_EDOUBLEFREE);
    assert_int_equal(buddy_kmalloc_mags_flush(&f.k, &m), 0);
    for (i = 0; i < BUDDY_KMALLOC_CLASSES; i++) {
        struct buddy_slab_cache *c = buddy_kmalloc_cache(&f.k, 0, i);

        if (c != NULL)
            assert_slab_valid(c);
    }
    km_del(&f);

    /* The same zone under a second kmalloc and a plain cache: the quick
     * free of one kmalloc refuses the other's objects, of the class at the
     * same index too, and the plain cache's, leaving them as they were. */
    {
        struct buddy_kmalloc k2;
        struct buddy_kmalloc_mags m2;
        struct buddy_slab_config sc = BUDDY_SLAB_CONFIG_INIT;
        struct buddy_slab_cache plain;
        void *o2, *po;

        memset(&m2, 0, sizeof(m2));
        km_new(&f);
        cfg.zone = f.z;
        cfg.nr_cpus = 2;
        assert_int_equal(buddy_kmalloc_init(&k2, &cfg), 0);
        sc.name = "plain";
        sc.size = 64;
        sc.zone = f.z;
        assert_int_equal(buddy_slab_cache_create(&plain, &sc), 0);
        o2 = buddy_kmalloc_mag(&k2, &m2, 64, 0);
        po = buddy_slab_alloc(&plain);
        assert_non_null(o2);
        assert_non_null(po);
        assert_int_equal(buddy_kfree_mag_quick(&f.k, &m, o2), 1);
        assert_int_equal(buddy_kfree_mag_quick(&k2, &m2, po), 1);
        assert_int_equal(buddy_kfree_mag_quick(&f.k, &m, po), 1);
        assert_int_equal(m.mag_[4].count_, 0); /* nothing pushed */
        assert_int_equal(km_rejected(&f.k), 0);
        assert_int_equal(km_rejected(&k2), 0);
        assert_int_equal(buddy_kfree_mag(&f.k, &m, o2), BUDDY_EWRONGCACHE);
        assert_int_equal(buddy_kfree_mag_quick(&k2, &m2, o2), 0);
        assert_int_equal(buddy_kmalloc_mags_flush(&k2, &m2), 0);
        assert_int_equal(buddy_slab_free(&plain, po), 0);
        assert_int_equal(buddy_slab_cache_destroy(&plain), 0);
        for (i = 0; i < BUDDY_KMALLOC_CLASSES; i++)
            (void)buddy_slab_shrink(buddy_kmalloc_cache(&k2, 0, i));
        assert_int_equal(buddy_kmalloc_fini(&k2), 0);
        km_del(&f);
        memset(&cfg, 0, sizeof(cfg));
    }

    /* A debug cache's objects take the lock each time: never quick, with
     * red zones (the slots offset) or with poison alone (slots as a plain
     * cache's, so only the cache's own mark refuses them). */
    for (i = 0; i < 2; i++) {
        km_zone(&f);
        cfg.zone = f.z;
        cfg.debug_flags = i == 0 ? BUDDY_SLAB_DEBUG_ALL : BUDDY_SLAB_POISON;
        assert_int_equal(buddy_kmalloc_init(&f.k, &cfg), 0);
        p[0] = buddy_kmalloc_mag(&f.k, &m, 64, 0);
        assert_non_null(p[0]);
        assert_int_equal(buddy_kfree_mag_quick(&f.k, &m, p[0]), 1);
        assert_int_equal(m.mag_[4].count_, 0);
        assert_int_equal(buddy_kfree_mag(&f.k, &m, p[0]), 0);
        assert_int_equal(buddy_kmalloc_mags_flush(&f.k, &m), 0);
        (void)buddy_slab_shrink(buddy_kmalloc_cache(&f.k, 0, 4));
        km_del(&f);
    }
}

/* ---- the model: random calls against a reference ----------------------- */

/* Random allocations and frees (straight and through two magazines),
 * double frees, flushes and shrinks on one cache, against a model of
 * which objects are live: after every step the validator passes, the
 * counts agree with the model, and no object is handed out twice. */
static void test_slab_model(void **state)
{
    enum { LIVE_MAX = 600, STEPS = 20000 };
    struct slab_zones f;
    struct buddy_slab_cache c;
    struct buddy_slab_config cfg;
    struct buddy_slab_mag mags[2] = {BUDDY_SLAB_MAG_INIT, BUDDY_SLAB_MAG_INIT};
    struct buddy_slab_info info;
    static void *live[LIVE_MAX];
    static void *dead[64];
    unsigned nlive = 0, ndead = 0, step, i;
    uint64_t rng = 0x9e3779b97f4a7c15ull;

    (void)state;
    zones_new(&f, 512, 8);
    cfg = slab_cfg(&f, "model", 200);
    assert_int_equal(buddy_slab_cache_create(&c, &cfg), 0);
    for (step = 0; step < STEPS; step++) {
        unsigned op, which;

        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        op = (unsigned)(rng % 100);
        which = (unsigned)(rng >> 32) % 2;
        if (op < 50 && nlive < LIVE_MAX) {
            void *p = op < 25 ? buddy_slab_alloc(&c)
                              : buddy_slab_alloc_mag(&c, &mags[which]);

            if (p == NULL)
                continue; /* the zone is full */
            for (i = 0; i < nlive; i++)
                assert_ptr_not_equal(live[i], p);
            live[nlive++] = p;
        } else if (op < 92 && nlive > 0) {
            unsigned k = (unsigned)((rng >> 20) % nlive);
            void *p = live[k];

            assert_int_equal(op < 70 ? buddy_slab_free(&c, p)
                                     : buddy_slab_free_mag(&c, &mags[which], p),
                             0);
            live[k] = live[--nlive];
            dead[ndead++ % 64] = p;
        } else if (op < 96 && ndead > 0) {
            /* A free of something freed earlier: refused unless it was
             * handed out again since. */
            void *p = dead[(rng >> 24) % (ndead < 64 ? ndead : 64)];
            bool is_live = false;

            for (i = 0; i < nlive; i++)
                is_live |= live[i] == p;
            if (!is_live)
                assert_int_equal(op < 94 ? buddy_slab_free(&c, p)
                                         : buddy_slab_free_mag(&c, &mags[which], p),
                                 BUDDY_EDOUBLEFREE);
        } else if (op < 98) {
            assert_int_equal(buddy_slab_mag_flush(&c, &mags[which]), 0);
        } else {
            (void)buddy_slab_shrink(&c);
        }
        assert_slab_valid(&c);
        assert_int_equal(buddy_slab_get_info(&c, &info), 0);
        assert_int_equal(info.active_objs,
                         nlive + mags[0].count_ + mags[1].count_);
        assert_true(info.empty_slabs <= info.min_partial ||
                    step == 0 || op >= 96);
    }
    for (i = 0; i < nlive; i++)
        assert_int_equal(buddy_slab_free(&c, live[i]), 0);
    assert_int_equal(buddy_slab_mag_flush(&c, &mags[0]), 0);
    assert_int_equal(buddy_slab_mag_flush(&c, &mags[1]), 0);
    assert_int_equal(slab_info(&c).active_objs, 0);
    assert_int_equal(buddy_slab_cache_destroy(&c), 0);
    assert_zones_whole(&f, 512);
    zones_del(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_zone_private_word),
        cmocka_unit_test(test_sizes_as_the_kernel),
        cmocka_unit_test(test_alloc_free_lifecycle),
        cmocka_unit_test(test_bad_frees),
        cmocka_unit_test(test_create_errors),
        cmocka_unit_test(test_destroy_with_objects_left),
        cmocka_unit_test(test_bulk),
        cmocka_unit_test(test_ctor_and_one_zone),
        cmocka_unit_test(test_reclaimable_slabs_and_shrinker),
        cmocka_unit_test(test_slabinfo_format),
        cmocka_unit_test(test_every_call_takes_the_lock),
        cmocka_unit_test(test_kmalloc_classes),
        cmocka_unit_test(test_kmalloc_zero_realloc_and_reclaim),
        cmocka_unit_test(test_kresize_in_place),
        cmocka_unit_test(test_kfree_bad_input),
        cmocka_unit_test(test_debug_red_zones_and_poison),
        cmocka_unit_test(test_shrinker_registered_with_the_system),
        cmocka_unit_test(test_kmalloc_debug),
        cmocka_unit_test(test_kmalloc_fine_classes),
        cmocka_unit_test(test_kmalloc_min_align_and_zero_object),
        cmocka_unit_test(test_kmalloc_large_zone),
        cmocka_unit_test(test_kmalloc_no_reclaimable),
        cmocka_unit_test(test_kmalloc_shares_descriptor_blocks),
        cmocka_unit_test(test_magazines),
        cmocka_unit_test(test_magazines_refill_from_slabs_of_their_own),
        cmocka_unit_test(test_magazine_debug_cache),
        cmocka_unit_test(test_kmalloc_magazines),
        cmocka_unit_test(test_kfree_mag_quick),
        cmocka_unit_test(test_slab_model),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
