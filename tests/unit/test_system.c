/* SPDX-License-Identifier: MIT */
/* test_system.c: nodes, zones, zonelist fallback and /proc/buddyinfo. */
#include "helpers.h"

/* Node 0: DMA [0,16) and Normal [16,48); node 1: Normal [64,96). */
struct sys_fixture {
    struct fixture dma0, normal0, normal1;
    struct buddy_system sys;
};

static struct buddy_zone *named_zone(struct fixture *f, const char *name,
                                     buddy_pfn_t start, uint64_t n)
{
    struct buddy_zone_config cfg = BUDDY_ZONE_CONFIG_INIT;
    size_t size;

    cfg.start_pfn = start;
    cfg.nr_pages = n;
    cfg.max_order = 4;
    cfg.name = name;
    size = buddy_zone_meta_size(&cfg);
    f->meta = aligned_alloc(8, (size + 7) & ~(size_t)7);
    assert_int_equal(buddy_zone_init(f->meta, size, &cfg, &f->z), 0);
    assert_int_equal(buddy_zone_add_range(f->z, start, n), 0);
    return f->z;
}

static void sys_setup(struct sys_fixture *s)
{
    buddy_system_init(&s->sys);
    assert_int_equal(buddy_system_add_zone(&s->sys, 0, 0,
                                           named_zone(&s->dma0, "DMA", 0, 16)), 0);
    assert_int_equal(buddy_system_add_zone(&s->sys, 0, 2,
                                           named_zone(&s->normal0, "Normal", 16, 32)), 0);
    assert_int_equal(buddy_system_add_zone(&s->sys, 1, 2,
                                           named_zone(&s->normal1, "Normal", 64, 32)), 0);
}

static void sys_teardown(struct sys_fixture *s)
{
    zone_del(&s->dma0);
    zone_del(&s->normal0);
    zone_del(&s->normal1);
}

struct fallback_log {
    int fallbacks;
    const struct buddy_zone *from, *to;
};

static void on_event(void *arg, const struct buddy_event *ev)
{
    struct fallback_log *log = arg;

    if (ev->type == BUDDY_EV_FALLBACK) {
        log->fallbacks++;
        log->from = ev->preferred;
        log->to = ev->zone;
    }
}

static void test_zonelist_fallback(void **state)
{
    struct sys_fixture s;
    struct buddy_zone *where;
    struct buddy_zone_stats st;
    struct fallback_log log = {0};
    buddy_pfn_t pfn;

    (void)state;
    sys_setup(&s);
    buddy_zone_set_hook(s.dma0.z, on_event, &log);
    /* Normal is preferred over DMA on the preferred node. */
    assert_int_equal(buddy_system_alloc_pages(&s.sys, 0, 2, 4, &pfn, &where), 0);
    assert_ptr_equal(where, s.normal0.z);
    assert_int_equal(pfn, 16);
    assert_int_equal(buddy_system_alloc_pages(&s.sys, 0, 2, 4, &pfn, &where), 0);
    assert_int_equal(pfn, 32);
    /* Node 0 Normal is full: fall back to node 0 DMA, counted there. */
    assert_int_equal(buddy_system_alloc_pages(&s.sys, 0, 2, 4, &pfn, &where), 0);
    assert_ptr_equal(where, s.dma0.z);
    assert_int_equal(pfn, 0);
    assert_int_equal(buddy_zone_get_stats(s.dma0.z, &st), 0);
    assert_int_equal(st.fallbacks, 1);
    assert_int_equal(log.fallbacks, 1);
    assert_ptr_equal(log.from, s.normal0.z);
    assert_ptr_equal(log.to, s.dma0.z);
    /* Node 0 is full: the other node. */
    assert_int_equal(buddy_system_alloc_pages(&s.sys, 0, 2, 4, &pfn, &where), 0);
    assert_ptr_equal(where, s.normal1.z);
    assert_int_equal(pfn, 64);
    /* A DMA-only request never lands in a Normal zone. */
    assert_int_equal(buddy_system_alloc_pages(&s.sys, 1, 0, 0, &pfn, &where),
                     BUDDY_ENOMEM);
    assert_int_equal(buddy_system_free_pages(&s.sys, 0, 4), 0);
    assert_int_equal(buddy_system_alloc_pages(&s.sys, 1, 0, 0, &pfn, &where), 0);
    assert_ptr_equal(where, s.dma0.z);
    /* Frees find their zone by pfn. */
    assert_int_equal(buddy_system_free_pages(&s.sys, pfn, 0), 0);
    assert_int_equal(buddy_system_free_pages(&s.sys, 16, 4), 0);
    assert_int_equal(buddy_system_free_pages(&s.sys, 64, 4), 0);
    assert_int_equal(buddy_system_free_pages(&s.sys, 50, 0), BUDDY_ERANGE);
    assert_ptr_equal(buddy_system_pfn_zone(&s.sys, 40), s.normal0.z);
    assert_null(buddy_system_pfn_zone(&s.sys, 48));
    assert_int_equal(buddy_system_check(&s.sys, NULL), 0);
    sys_teardown(&s);
}

static void test_system_errors(void **state)
{
    struct sys_fixture s;
    struct fixture extra, overlap;
    struct buddy_system before;
    struct buddy_zone_info info;
    buddy_pfn_t pfn;

    (void)state;
    sys_setup(&s);
    named_zone(&extra, "Movable", 200, 16);
    named_zone(&overlap, "Normal", 40, 16);
    memcpy(&before, &s.sys, sizeof(before));
    assert_int_equal(buddy_system_add_zone(&s.sys, BUDDY_MAX_NUMNODES, 0, extra.z),
                     BUDDY_ENODE);
    assert_int_equal(buddy_system_add_zone(&s.sys, 0, BUDDY_MAX_NR_ZONES, extra.z),
                     BUDDY_ENODE);
    assert_int_equal(buddy_system_add_zone(&s.sys, 0, 2, extra.z), BUDDY_EEXIST);
    assert_int_equal(buddy_system_add_zone(&s.sys, 2, 2, overlap.z),
                     BUDDY_ESPANOVERLAP);
    assert_int_equal(buddy_system_add_zone(&s.sys, 2, 2, s.dma0.z), BUDDY_EINVAL);
    /* Refused zones stay out, and the system is as it was. */
    assert_memory_equal(&before, &s.sys, sizeof(before));
    assert_int_equal(buddy_zone_get_info(extra.z, &info), 0);
    assert_int_equal(info.node_id, -1);
    assert_int_equal(buddy_zone_get_info(overlap.z, &info), 0);
    assert_int_equal(info.node_id, -1);
    assert_int_equal(buddy_system_alloc_pages(&s.sys, 5, 2, 0, &pfn, NULL),
                     BUDDY_ENODE);
    assert_int_equal(buddy_system_alloc_pages(&s.sys, 0, 9, 0, &pfn, NULL),
                     BUDDY_ENODE);
    assert_int_equal(buddy_system_alloc_pages(&s.sys, 0, 2, 5, &pfn, NULL),
                     BUDDY_EORDER);
    assert_int_equal(buddy_system_check(&s.sys, NULL), 0);
    zone_del(&extra);
    zone_del(&overlap);
    sys_teardown(&s);
}

/* The preferred zone is the zonelist's first even when its max_order is too
 * small for the request: a block from another node is then a fallback (the
 * kernel's numa_miss), and a failure is the preferred zone's. An order no
 * zone of the list has is EORDER, and counts nothing. */
static void test_fallback_from_a_zone_that_cannot_serve(void **state)
{
    struct fixture small, big;
    struct buddy_system sys;
    struct buddy_zone *where = NULL;
    struct buddy_zone_stats st_small, st_big, was_small, was_big;
    struct fallback_log log = {0};
    buddy_pfn_t pfn = 7, held;

    (void)state;
    /* Node 0: one zone of max_order 2; node 1: one of max_order 4. */
    zone_new_free(&small, 0, 16, 2);
    zone_new_free(&big, 64, 16, 4);
    buddy_system_init(&sys);
    assert_int_equal(buddy_system_add_zone(&sys, 0, 2, small.z), 0);
    assert_int_equal(buddy_system_add_zone(&sys, 1, 2, big.z), 0);
    buddy_zone_set_hook(big.z, on_event, &log);
    /* Order 3 from node 0: only node 1 has such blocks. */
    assert_int_equal(buddy_system_alloc_pages(&sys, 0, 2, 3, &pfn, &where), 0);
    assert_ptr_equal(where, big.z);
    assert_int_equal(pfn, 64);
    assert_int_equal(buddy_zone_get_stats(big.z, &st_big), 0);
    assert_int_equal(st_big.fallbacks, 1);
    assert_int_equal(log.fallbacks, 1);
    assert_ptr_equal(log.from, small.z);
    assert_ptr_equal(log.to, big.z);
    /* From node 1 itself it is no fallback. */
    assert_int_equal(buddy_system_alloc_pages(&sys, 1, 2, 3, &held, &where), 0);
    assert_ptr_equal(where, big.z);
    assert_int_equal(buddy_zone_get_stats(big.z, &st_big), 0);
    assert_int_equal(st_big.fallbacks, 1);
    /* Order 5 is above every zone's max_order: EORDER, nothing counted. */
    assert_int_equal(buddy_zone_get_stats(small.z, &was_small), 0);
    assert_int_equal(buddy_zone_get_stats(big.z, &was_big), 0);
    assert_int_equal(buddy_system_alloc_pages(&sys, 0, 2, 5, &pfn, &where),
                     BUDDY_EORDER);
    assert_int_equal(buddy_system_alloc_pages(&sys, 0, 2, BUDDY_MAX_ORDER_LIMIT + 1,
                                              &pfn, &where),
                     BUDDY_EORDER);
    assert_int_equal(buddy_zone_get_stats(small.z, &st_small), 0);
    assert_int_equal(buddy_zone_get_stats(big.z, &st_big), 0);
    assert_memory_equal(&st_small, &was_small, sizeof(st_small));
    assert_memory_equal(&st_big, &was_big, sizeof(st_big));
    /* Node 1 is full at order 3: ENOMEM, one failure on the preferred zone
     * (node 0's, which could not have served it), none on node 1's. */
    assert_int_equal(buddy_system_alloc_pages(&sys, 0, 2, 3, &pfn, &where),
                     BUDDY_ENOMEM);
    assert_int_equal(pfn, 64);
    assert_int_equal(buddy_zone_get_stats(small.z, &st_small), 0);
    assert_int_equal(buddy_zone_get_stats(big.z, &st_big), 0);
    assert_int_equal(st_small.alloc_failures, was_small.alloc_failures + 1);
    assert_int_equal(st_big.alloc_failures, was_big.alloc_failures);
    assert_int_equal(log.fallbacks, 1);
    assert_int_equal(buddy_system_free_pages(&sys, 64, 3), 0);
    assert_int_equal(buddy_system_free_pages(&sys, held, 3), 0);
    assert_int_equal(buddy_system_check(&sys, NULL), 0);
    zone_del(&small);
    zone_del(&big);
}

/* The kernel's format, byte for byte: "Node %d, zone %8s " + "%6lu " each. */
static void test_buddyinfo_format(void **state)
{
    struct sys_fixture s;
    char text[512];
    buddy_pfn_t pfn;
    size_t n;

    (void)state;
    sys_setup(&s);
    assert_int_equal(buddy_zone_alloc_pages(s.normal0.z, 0, &pfn), 0);
    n = buddy_system_buddyinfo(&s.sys, text, sizeof(text));
    assert_string_equal(text,
                        "Node 0, zone      DMA      0      0      0      0      1 \n"
                        "Node 0, zone   Normal      1      1      1      1      1 \n"
                        "Node 1, zone   Normal      0      0      0      0      2 \n");
    assert_int_equal(n, strlen(text));
    /* Like snprintf: truncated, NUL-terminated, full length returned. */
    memset(text, 'x', sizeof(text));
    assert_int_equal(buddy_system_buddyinfo(&s.sys, text, 10), n);
    assert_string_equal(text, "Node 0, z");
    assert_int_equal(buddy_system_buddyinfo(&s.sys, NULL, 0), n);
    assert_int_equal(buddy_zone_buddyinfo(s.normal1.z, text, sizeof(text)), 58);
    assert_string_equal(text,
                        "Node 1, zone   Normal      0      0      0      0      2 \n");
    sys_teardown(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_zonelist_fallback),
        cmocka_unit_test(test_system_errors),
        cmocka_unit_test(test_fallback_from_a_zone_that_cannot_serve),
        cmocka_unit_test(test_buddyinfo_format),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
