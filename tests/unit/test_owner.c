/* SPDX-License-Identifier: MIT */
/* test_owner.c: a zone's owners (BUDDY_ZONE_OWNERS): the owned allocation,
 * the owner of a block, the hook every free of an owned block calls (by
 * pfn, by address, through a per-CPU cache, a shrinking resize), and the
 * refusals, each followed by the validator. */
#include "helpers.h"

struct freed {
    unsigned calls;
    unsigned owner[8];
    buddy_pfn_t pfn[8];
    unsigned order[8];
};

static void on_free(void *arg, unsigned owner, buddy_pfn_t pfn, unsigned order)
{
    struct freed *f = arg;

    if (f->calls < 8) {
        f->owner[f->calls] = owner;
        f->pfn[f->calls] = pfn;
        f->order[f->calls] = order;
    }
    f->calls++;
}

/* A zone of 256 pages at pfn 1024 with owners and a base, all free. */
static struct buddy_zone *owned_zone(struct fixture *f)
{
    struct buddy_zone_config cfg = BUDDY_ZONE_CONFIG_INIT;

    cfg.start_pfn = 1024;
    cfg.nr_pages = 256;
    cfg.max_order = 6;
    cfg.base = (void *)BASE;
    cfg.flags = BUDDY_ZONE_OWNERS;
    zone_from_config(f, &cfg);
    assert_int_equal(buddy_zone_add_range(f->z, 1024, 256), 0);
    return f->z;
}

static unsigned owner_of(struct buddy_zone *z, buddy_pfn_t pfn)
{
    unsigned o = 999;

    assert_int_equal(buddy_zone_get_owner(z, pfn, &o), 0);
    return o;
}

static void test_no_owners(void **state)
{
    struct fixture f;
    struct buddy_zone *z = zone_new_free(&f, 0, 64, 4);
    buddy_pfn_t pfn = 7;
    unsigned o;

    (void)state;
    assert_int_equal(buddy_zone_alloc_pages_owned(z, 0, BUDDY_MIGRATE_MOVABLE,
                                                  1, &pfn),
                     BUDDY_ENOTSUP);
    assert_int_equal(pfn, 7);
    assert_int_equal(buddy_zone_get_owner(z, 0, &o), BUDDY_ENOTSUP);
    assert_int_equal(buddy_zone_set_owner_hook(z, on_free, NULL),
                     BUDDY_ENOTSUP);
    assert_valid(z);
    zone_del(&f);
}

static void test_owned_alloc_and_free(void **state)
{
    struct fixture f;
    struct buddy_zone *z = owned_zone(&f);
    struct freed log = {0};
    buddy_pfn_t a, b, c;
    unsigned o;

    (void)state;
    assert_int_equal(buddy_zone_set_owner_hook(z, on_free, &log), 0);
    /* Refused, nothing allocated. */
    assert_int_equal(buddy_zone_alloc_pages_owned(z, 0, BUDDY_MIGRATE_MOVABLE,
                                                  0, &a),
                     BUDDY_EINVAL);
    assert_int_equal(buddy_zone_alloc_pages_owned(
                         z, 0, BUDDY_MIGRATE_MOVABLE, BUDDY_OWNER_MAX + 1, &a),
                     BUDDY_EINVAL);
    assert_int_equal(buddy_zone_alloc_pages_owned(z, 9, BUDDY_MIGRATE_MOVABLE,
                                                  1, &a),
                     BUDDY_EORDER);
    assert_int_equal(buddy_zone_alloc_pages_owned(z, 0, BUDDY_MIGRATE_MOVABLE,
                                                  1, NULL),
                     BUDDY_ENULL);
    assert_int_equal(zone_free_pages(z), 256);
    /* Owned and plain blocks side by side. */
    assert_int_equal(buddy_zone_alloc_pages_owned(z, 2, BUDDY_MIGRATE_UNMOVABLE,
                                                  7, &a),
                     0);
    assert_int_equal(buddy_zone_alloc_pages_owned(z, 0, BUDDY_MIGRATE_MOVABLE,
                                                  BUDDY_OWNER_MAX, &b),
                     0);
    assert_int_equal(buddy_zone_alloc_pages(z, 1, &c), 0);
    assert_int_equal(owner_of(z, a), 7);
    assert_int_equal(owner_of(z, b), BUDDY_OWNER_MAX);
    assert_int_equal(owner_of(z, c), 0);
    assert_valid(z);
    /* Not a head: the zone's word for it. */
    assert_int_equal(buddy_zone_get_owner(z, a + 1, &o), BUDDY_EINTERIOR);
    assert_int_equal(buddy_zone_get_owner(z, 5000, &o), BUDDY_ERANGE);
    assert_int_equal(buddy_zone_get_owner(z, a, NULL), BUDDY_ENULL);
    /* A free of each: the hook hears the owned ones only. */
    assert_int_equal(buddy_zone_free_pages(z, c, 1), 0);
    assert_int_equal(log.calls, 0);
    assert_int_equal(buddy_zone_free_pages(z, a, 2), 0);
    assert_int_equal(log.calls, 1);
    assert_int_equal(log.owner[0], 7);
    assert_int_equal(log.pfn[0], a);
    assert_int_equal(log.order[0], 2);
    assert_int_equal(buddy_zone_get_owner(z, a, &o), BUDDY_EDOUBLEFREE);
    /* By address: the same. */
    assert_int_equal(
        buddy_zone_free(z, (void *)(uintptr_t)(BASE + (b - 1024) * 4096)), 0);
    assert_int_equal(log.calls, 2);
    assert_int_equal(log.owner[1], BUDDY_OWNER_MAX);
    /* A double free of an owned block: refused, the hook not called. */
    assert_int_equal(buddy_zone_free_pages(z, a, 2), BUDDY_EDOUBLEFREE);
    assert_int_equal(log.calls, 2);
    /* The page, allocated again without an owner, has none. */
    assert_int_equal(buddy_zone_alloc_pages(z, 0, &c), 0);
    assert_int_equal(owner_of(z, c), 0);
    assert_int_equal(buddy_zone_free_pages(z, c, 0), 0);
    assert_int_equal(zone_free_pages(z), 256);
    /* Without a hook, a free still clears the owner. */
    assert_int_equal(buddy_zone_set_owner_hook(z, NULL, &log), 0);
    assert_int_equal(buddy_zone_alloc_pages_owned(z, 0, BUDDY_MIGRATE_MOVABLE,
                                                  3, &a),
                     0);
    assert_int_equal(buddy_zone_free_pfn(z, a), 0);
    assert_int_equal(log.calls, 2);
    assert_valid(z);
    zone_del(&f);
}

/* A per-CPU cache leaves an owned block to the zone, which tells the
 * hook; a plain block it keeps. */
static void test_cache_leaves_owned_blocks(void **state)
{
    struct fixture f;
    struct buddy_zone *z = owned_zone(&f);
    struct buddy_pcp_config cfg = BUDDY_PCP_CONFIG_INIT;
    struct buddy_pcp pcp;
    struct freed log = {0};
    buddy_pfn_t a, b;

    (void)state;
    assert_int_equal(buddy_zone_set_owner_hook(z, on_free, &log), 0);
    assert_int_equal(buddy_pcp_init(&pcp, z, &cfg), 0);
    assert_int_equal(buddy_zone_alloc_pages_owned(z, 0, BUDDY_MIGRATE_MOVABLE,
                                                  9, &a),
                     0);
    assert_int_equal(buddy_zone_alloc_pages(z, 0, &b), 0);
    assert_int_equal(buddy_pcp_free_pages(&pcp, a, 0), 0);
    assert_int_equal(log.calls, 1);
    assert_int_equal(log.owner[0], 9);
    assert_int_equal(pcp_pages(&pcp), 0); /* went to the zone */
    assert_int_equal(buddy_pcp_free_pages(&pcp, b, 0), 0);
    assert_int_equal(pcp_pages(&pcp), 1); /* cached */
    assert_int_equal(buddy_zone_alloc_pages_owned(z, 0, BUDDY_MIGRATE_MOVABLE,
                                                  9, &a),
                     0);
    assert_int_equal(buddy_pcp_free_pfn(&pcp, a), 0);
    assert_int_equal(buddy_zone_alloc_pages_owned(z, 0, BUDDY_MIGRATE_MOVABLE,
                                                  9, &a),
                     0);
    assert_int_equal(
        buddy_pcp_free(&pcp, (void *)(uintptr_t)(BASE + (a - 1024) * 4096)),
        0);
    assert_int_equal(log.calls, 3);
    assert_int_equal(pcp_pages(&pcp), 1);
    assert_valid(z);
    buddy_pcp_fini(&pcp);
    assert_int_equal(zone_free_pages(z), 256);
    assert_valid(z);
    zone_del(&f);
}

/* A shrink gives each upper half to the hook; an owned block does not
 * grow; a plain one does. */
static void test_resize_owned(void **state)
{
    struct fixture f;
    struct buddy_zone *z = owned_zone(&f);
    struct freed log = {0};
    buddy_pfn_t a, b;

    (void)state;
    assert_int_equal(buddy_zone_set_owner_hook(z, on_free, &log), 0);
    assert_int_equal(buddy_zone_alloc_pages_owned(z, 3, BUDDY_MIGRATE_MOVABLE,
                                                  4, &a),
                     0);
    assert_int_equal(buddy_zone_resize_pages(z, a, 3, 1), 0);
    assert_int_equal(log.calls, 2);
    assert_int_equal(log.pfn[0], a + 4);
    assert_int_equal(log.order[0], 2);
    assert_int_equal(log.pfn[1], a + 2);
    assert_int_equal(log.order[1], 1);
    assert_int_equal(log.owner[1], 4);
    assert_int_equal(owner_of(z, a), 4);
    assert_int_equal(buddy_zone_resize_pages(z, a, 1, 2), BUDDY_EBUSY);
    assert_int_equal(buddy_zone_pfn_order(z, a), 1);
    assert_int_equal(buddy_zone_free_pages(z, a, 1), 0);
    assert_int_equal(log.calls, 3);
    assert_int_equal(buddy_zone_alloc_pages(z, 1, &b), 0);
    assert_int_equal(buddy_zone_resize_pages(z, b, 1, 2), 0);
    assert_int_equal(buddy_zone_free_pages(z, b, 2), 0);
    assert_int_equal(log.calls, 3);
    assert_int_equal(zone_free_pages(z), 256);
    assert_valid(z);
    zone_del(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_no_owners),
        cmocka_unit_test(test_owned_alloc_and_free),
        cmocka_unit_test(test_cache_leaves_owned_blocks),
        cmocka_unit_test(test_resize_owned),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
