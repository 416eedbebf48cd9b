/* SPDX-License-Identifier: MIT */
/* test_slab_tenant.c: slab objects and kmalloc charged to tenants: the
 * owner byte each object keeps, the charge and its uncharge by every free
 * path, limits that refuse with nothing allocated, memory.stat's slab
 * lines, and bad configurations. */
#include "helpers.h"
#include "buddy/slab.h"
#include "buddy/tenant.h"

static _Alignas(8) unsigned char tbuf[64 * 1024];

#define PAGES 256u

struct world {
    struct fixture fx;
    void *mem;
    struct buddy_zone *z;
    struct buddy_tenants *g;
    unsigned a, b;
};

/* A zone of real memory with owners (its pages can be charged too), a
 * group attached to it, and two tenants under a parent. */
static void world_new(struct world *w)
{
    struct buddy_zone_config zc = BUDDY_ZONE_CONFIG_INIT;
    struct buddy_tenants_config tc = BUDDY_TENANTS_CONFIG_INIT;
    unsigned top = 0;

    w->mem = aligned_alloc(4096, PAGES * 4096);
    assert_non_null(w->mem);
    zc.nr_pages = PAGES;
    zc.max_order = 8;
    zc.base = w->mem;
    zc.flags = BUDDY_ZONE_OWNERS;
    w->z = zone_from_config(&w->fx, &zc);
    assert_int_equal(buddy_zone_add_range(w->z, 0, PAGES), 0);
    tc.capacity = 8;
    assert_int_equal(buddy_tenants_init(tbuf, sizeof(tbuf), &tc, &w->g), 0);
    assert_int_equal(buddy_tenants_attach_zone(w->g, w->z), 0);
    assert_int_equal(buddy_tenant_create(w->g, 0, "top", &top), 0);
    assert_int_equal(buddy_tenant_create(w->g, top, "a", &w->a), 0);
    assert_int_equal(buddy_tenant_create(w->g, top, "b", &w->b), 0);
}

static void world_del(struct world *w)
{
    assert_int_equal(zone_free_pages(w->z), PAGES);
    assert_valid(w->z);
    zone_del(&w->fx);
    free(w->mem);
}

static struct buddy_tenant_info tinfo(struct world *w, unsigned id)
{
    struct buddy_tenant_info i;

    assert_int_equal(buddy_tenant_get_info(w->g, id, &i), 0);
    return i;
}

static void assert_all_valid(struct world *w, struct buddy_slab_cache *c)
{
    struct buddy_check_report rep;

    assert_int_equal(buddy_tenants_check(w->g, &rep), 0);
    if (c != NULL)
        assert_int_equal(buddy_slab_check(c, &rep), 0);
    assert_valid(w->z);
}

static void cache_new(struct world *w, struct buddy_slab_cache *c,
                      size_t size, unsigned flags)
{
    struct buddy_slab_config cfg = BUDDY_SLAB_CONFIG_INIT;

    cfg.name = "acct";
    cfg.size = size;
    cfg.zone = w->z;
    cfg.flags = BUDDY_SLAB_ACCOUNT | flags;
    cfg.tenants = w->g;
    assert_int_equal(buddy_slab_cache_create(c, &cfg), 0);
}

static uint64_t slab_objects_active(struct buddy_slab_cache *c)
{
    struct buddy_slab_info info;

    assert_int_equal(buddy_slab_get_info(c, &info), 0);
    return info.active_objs;
}

static void test_objects_charged(void **state)
{
    struct world w;
    struct buddy_slab_cache c;
    struct buddy_tenant_stock st = BUDDY_TENANT_STOCK_INIT;
    void *objs[64], *plain, *x = (void *)1;
    unsigned i;

    (void)state;
    world_new(&w);
    cache_new(&w, &c, 256, 0);
    /* 40 objects of 256 bytes: 10240 bytes in 3 pages, in a's count and
     * its parent's. */
    for (i = 0; i < 40; i++) {
        assert_int_equal(buddy_slab_alloc_tenant(&c, NULL, w.a, &objs[i]), 0);
        assert_int_equal(buddy_slab_obj_tenant(&c, objs[i]), w.a);
    }
    assert_int_equal(tinfo(&w, w.a).slab_unreclaimable, 40 * 256);
    assert_int_equal(tinfo(&w, w.a).current, 3);
    assert_int_equal(tinfo(&w, tinfo(&w, w.a).parent).current, 3);
    /* An allocation without a tenant is nobody's. */
    plain = buddy_slab_alloc(&c);
    assert_non_null(plain);
    assert_int_equal(buddy_slab_obj_tenant(&c, plain), 0);
    assert_all_valid(&w, &c);
    /* b frees a's objects: a is uncharged, whoever frees. */
    for (i = 0; i < 20; i++)
        assert_int_equal(buddy_slab_free(&c, objs[i]), 0);
    assert_int_equal(buddy_slab_free_bulk(&c, 20, &objs[20]), 0);
    assert_int_equal(tinfo(&w, w.a).slab_unreclaimable, 0);
    assert_int_equal(tinfo(&w, w.a).current, 0);
    /* A double free changes nothing, and uncharges nothing twice. */
    assert_int_equal(buddy_slab_free(&c, objs[0]), BUDDY_EDOUBLEFREE);
    assert_int_equal(buddy_slab_obj_tenant(&c, objs[0]), 0);
    assert_int_equal(tinfo(&w, w.a).current, 0);
    assert_all_valid(&w, &c);
    /* Through a stock: one batch of pages. */
    for (i = 0; i < 64; i++)
        assert_int_equal(buddy_slab_alloc_tenant(&c, &st, w.b, &objs[i]), 0);
    assert_int_equal(tinfo(&w, w.b).current, BUDDY_TENANT_BATCH);
    assert_int_equal(tinfo(&w, w.b).slab_unreclaimable, 64 * 256);
    for (i = 0; i < 64; i++)
        assert_int_equal(buddy_slab_free(&c, objs[i]), 0);
    buddy_tenant_stock_drain(w.g, &st);
    assert_int_equal(tinfo(&w, w.b).current, 0);
    /* Bad input: nothing allocated, nothing charged. */
    assert_int_equal(buddy_slab_alloc_tenant(&c, NULL, 7, &x), BUDDY_ENOTENANT);
    assert_null(x);
    assert_int_equal(buddy_slab_alloc_tenant(&c, NULL, w.a, NULL), BUDDY_ENULL);
    assert_int_equal(slab_objects_active(&c), 1);
    assert_int_equal(buddy_slab_free(&c, plain), 0);
    assert_all_valid(&w, &c);
    assert_int_equal(buddy_slab_cache_destroy(&c), 0);
    world_del(&w);
}

static void test_magazines_charged(void **state)
{
    struct world w;
    struct buddy_slab_cache c;
    struct buddy_slab_mag m = BUDDY_SLAB_MAG_INIT, m2 = BUDDY_SLAB_MAG_INIT;
    void *objs[100];
    unsigned i;

    (void)state;
    world_new(&w);
    cache_new(&w, &c, 128, BUDDY_SLAB_RECLAIM_ACCOUNT);
    for (i = 0; i < 100; i++) {
        void *plain = buddy_slab_alloc_mag(&c, &m);

        assert_non_null(plain);
        assert_int_equal(buddy_slab_free_mag(&c, &m, plain), 0);
        assert_int_equal(
            buddy_slab_alloc_mag_tenant(&c, &m, NULL, i % 2 ? w.a : w.b,
                                        &objs[i]),
            0);
        assert_int_equal(buddy_slab_obj_tenant(&c, objs[i]),
                         i % 2 ? w.a : w.b);
    }
    assert_int_equal(tinfo(&w, w.a).slab_reclaimable, 50 * 128);
    assert_int_equal(tinfo(&w, w.b).slab_reclaimable, 50 * 128);
    assert_int_equal(tinfo(&w, w.a).slab_unreclaimable, 0);
    assert_all_valid(&w, &c);
    /* Freed into another magazine: the owners are uncharged, and the
     * objects come back nobody's. */
    for (i = 0; i < 100; i++)
        assert_int_equal(buddy_slab_free_mag(&c, &m2, objs[i]), 0);
    assert_int_equal(tinfo(&w, w.a).current, 0);
    assert_int_equal(tinfo(&w, w.b).current, 0);
    for (i = 0; i < 10; i++) {
        objs[i] = buddy_slab_alloc_mag(&c, &m2);
        assert_int_equal(buddy_slab_obj_tenant(&c, objs[i]), 0);
    }
    for (i = 0; i < 10; i++)
        assert_int_equal(buddy_slab_free_mag(&c, &m2, objs[i]), 0);
    assert_int_equal(buddy_slab_mag_flush(&c, &m), 0);
    assert_int_equal(buddy_slab_mag_flush(&c, &m2), 0);
    assert_all_valid(&w, &c);
    assert_int_equal(buddy_slab_cache_destroy(&c), 0);
    world_del(&w);
}

/* A tenant at its max: the allocation fails, no object taken; a tenant
 * that holds objects cannot be destroyed. */
static void test_limits_and_destroy(void **state)
{
    struct world w;
    struct buddy_slab_cache c;
    void *objs[40], *x;
    unsigned i, n = 0;
    int err = 0;

    (void)state;
    world_new(&w);
    cache_new(&w, &c, 512, 0);
    assert_int_equal(buddy_tenant_set_max(w.g, w.a, 2), 0);
    for (i = 0; i < 40 && err == 0; i++) {
        err = buddy_slab_alloc_tenant(&c, NULL, w.a, &objs[i]);
        if (err == 0)
            n++;
    }
    assert_int_equal(err, BUDDY_ENOMEM);
    assert_int_equal(n, 16); /* two pages of 512-byte objects */
    assert_int_equal(slab_objects_active(&c), 16);
    assert_int_equal(tinfo(&w, w.a).events_max, 1);
    assert_int_equal(buddy_tenant_destroy(w.g, w.a), BUDDY_EBUSY);
    assert_all_valid(&w, &c);
    for (i = 0; i < n; i++)
        assert_int_equal(buddy_slab_free(&c, objs[i]), 0);
    assert_int_equal(buddy_tenant_destroy(w.g, w.a), 0);
    /* A free of an object charged to nobody after its tenant went: none
     * such can exist; a charge to the gone tenant is refused. */
    assert_int_equal(buddy_slab_alloc_tenant(&c, NULL, w.a, &x),
                     BUDDY_ENOTENANT);
    assert_all_valid(&w, &c);
    assert_int_equal(buddy_slab_cache_destroy(&c), 0);
    world_del(&w);
}

static void test_bad_configuration(void **state)
{
    struct world w;
    struct buddy_slab_cache c;
    struct buddy_slab_config cfg = BUDDY_SLAB_CONFIG_INIT;
    void *x = (void *)1;

    (void)state;
    world_new(&w);
    cfg.name = "bad";
    cfg.size = 64;
    cfg.zone = w.z;
    cfg.flags = BUDDY_SLAB_ACCOUNT; /* no group */
    assert_int_equal(buddy_slab_cache_create(&c, &cfg), BUDDY_EINVAL);
    cfg.flags = 0;
    cfg.tenants = w.g; /* a group without the flag */
    assert_int_equal(buddy_slab_cache_create(&c, &cfg), BUDDY_EINVAL);
    cfg.tenants = NULL;
    assert_int_equal(buddy_slab_cache_create(&c, &cfg), 0);
    assert_int_equal(buddy_slab_alloc_tenant(&c, NULL, w.a, &x), BUDDY_ENOTSUP);
    assert_null(x);
    assert_int_equal(slab_objects_active(&c), 0);
    assert_int_equal(tinfo(&w, w.a).current, 0);
    assert_int_equal(buddy_slab_cache_destroy(&c), 0);
    assert_all_valid(&w, NULL);
    world_del(&w);
}

static void test_kmalloc_charged(void **state)
{
    struct world w;
    struct buddy_kmalloc k;
    struct buddy_kmalloc_config cfg = {0};
    struct buddy_kmalloc_mags *m = calloc(1, sizeof(*m));
    struct buddy_tenant_stock st = BUDDY_TENANT_STOCK_INIT;
    void *small, *big, *viam, *p, *x = (void *)1;
    char text[1024];

    (void)state;
    assert_non_null(m);
    world_new(&w);
    cfg.zone = w.z;
    cfg.nr_cpus = 2;
    cfg.tenants = w.g;
    assert_int_equal(buddy_kmalloc_init(&k, &cfg), 0);
    assert_int_equal(buddy_kmalloc_tenant(&k, NULL, 100, BUDDY_KMALLOC_ZERO,
                                          NULL, w.a, &small),
                     0);
    assert_int_equal(((unsigned char *)small)[99], 0);
    assert_int_equal(buddy_kmalloc_tenant(&k, m, 64, 0, &st, w.a, &viam), 0);
    assert_int_equal(buddy_kmalloc_tenant(&k, NULL, 5 * 4096,
                                          BUDDY_KMALLOC_RECLAIMABLE, NULL,
                                          w.b, &big),
                     0);
    assert_int_equal(tinfo(&w, w.a).slab_unreclaimable, 128 + 64);
    assert_int_equal(tinfo(&w, w.b).current, 8); /* an order-3 block */
    (void)buddy_tenant_memory_stat(w.g, tinfo(&w, w.a).parent, text,
                                   sizeof(text));
    assert_non_null(strstr(text, "pages 32768\n"));
    assert_non_null(strstr(text, "blocks_order3 1\n"));
    assert_non_null(strstr(text, "\nslab 192\n"));
    assert_all_valid(&w, NULL);
    /* krealloc moves a charged object and keeps its tenant. */
    p = buddy_krealloc(&k, small, 1000, 0);
    assert_non_null(p);
    assert_int_equal(tinfo(&w, w.a).slab_unreclaimable, 1024 + 64);
    p = buddy_krealloc(&k, p, 3 * 4096, 0);
    assert_non_null(p);
    assert_int_equal(tinfo(&w, w.a).slab_unreclaimable, 64);
    /* Pages: the first object's, the 1000-byte one's (the stock took the
     * first's rest), the block's 4, less the page the 1000 bytes and the
     * 128 gave back together. */
    assert_int_equal(tinfo(&w, w.a).current, 5);
    /* kfree by every call uncharges. */
    assert_int_equal(buddy_kfree(&k, p), 0);
    assert_int_equal(buddy_kfree_mag_quick(&k, m, viam), 1); /* accounts */
    assert_int_equal(buddy_kfree_mag(&k, m, viam), 0);
    assert_int_equal(buddy_kfree(&k, big), 0);
    buddy_tenant_stock_drain(w.g, &st);
    assert_int_equal(tinfo(&w, w.a).current, 0);
    assert_int_equal(tinfo(&w, w.b).current, 0);
    assert_int_equal(tinfo(&w, w.a).slab_unreclaimable, 0);
    /* Refusals: nothing allocated. */
    assert_int_equal(buddy_kmalloc_tenant(&k, NULL, 0, 0, NULL, w.a, &x),
                     BUDDY_EZERO);
    assert_null(x);
    assert_int_equal(buddy_kmalloc_tenant(&k, NULL, 64, 0, NULL, 7, &x),
                     BUDDY_ENOTENANT);
    assert_int_equal(buddy_kmalloc_tenant(&k, NULL, PAGES * 8192, 0, NULL,
                                          w.a, &x),
                     BUDDY_ENOMEM);
    assert_int_equal(tinfo(&w, w.a).current, 0);
    assert_int_equal(buddy_kmalloc_mags_flush(&k, m), 0);
    assert_int_equal(buddy_kmalloc_fini(&k), 0);
    /* A kmalloc without tenants refuses the call. */
    cfg.tenants = NULL;
    assert_int_equal(buddy_kmalloc_init(&k, &cfg), 0);
    assert_int_equal(buddy_kmalloc_tenant(&k, NULL, 64, 0, NULL, w.a, &x),
                     BUDDY_ENOTSUP);
    assert_int_equal(buddy_kmalloc_fini(&k), 0);
    assert_all_valid(&w, NULL);
    world_del(&w);
    free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_objects_charged),
        cmocka_unit_test(test_magazines_charged),
        cmocka_unit_test(test_limits_and_destroy),
        cmocka_unit_test(test_bad_configuration),
        cmocka_unit_test(test_kmalloc_charged),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
