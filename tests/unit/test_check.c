/* SPDX-License-Identifier: MIT */
/*
 * test_check.c: the validator catches each kind of corruption. White-box: it
 * breaks the metadata through internal.h on purpose, one invariant at a time,
 * and expects buddy_zone_check to name it instead of passing or crashing.
 */
#include "helpers.h"
#include "internal.h"

/* 16 pages: order 0 at 0 allocated; free 1 (o0), 2 (o1), 4 (o2), 8 (o3). */
static struct buddy_zone *sample(struct fixture *f)
{
    struct buddy_zone *z = zone_new_free(f, 0, 16, 4);
    buddy_pfn_t pfn;

    assert_int_equal(buddy_zone_alloc_pages(z, 0, &pfn), 0);
    assert_valid(z);
    return z;
}

static void expect_corrupt(struct buddy_zone *z, const char *what)
{
    struct buddy_check_report rep;

    assert_int_equal(buddy_zone_check(z, &rep), BUDDY_ECORRUPT);
    assert_int_equal(rep.error, BUDDY_ECORRUPT);
    if (strstr(rep.what, what) == NULL)
        fail_msg("expected \"%s\", validator said \"%s\"", what, rep.what);
}

static void test_detects_each_broken_invariant(void **state)
{
    struct fixture f;
    struct buddy_zone *z;

    (void)state;
    z = sample(&f); /* I1: a page in no block */
    z->state[8] = 0;
    expect_corrupt(z, "belongs to no block");
    zone_del(&f);

    z = sample(&f); /* I1: a head inside a block */
    z->state[9] = pg_state(BUDDY_BLOCK_FREE, 0);
    expect_corrupt(z, "head inside another block");
    zone_del(&f);

    z = sample(&f); /* I2: misaligned */
    z->state[4] = pg_state(BUDDY_BLOCK_ALLOCATED, 3);
    expect_corrupt(z, "not aligned");
    zone_del(&f);

    z = sample(&f); /* I2: past the end */
    z->state[0] = pg_state(BUDDY_BLOCK_ALLOCATED, 5);
    expect_corrupt(z, "past the end");
    zone_del(&f);

    z = sample(&f); /* I4: a missed merge */
    z->state[0] = pg_state(BUDDY_BLOCK_FREE, 0);
    buddy__add_to_free_list(z, 0, 0, BUDDY_MIGRATE_MOVABLE, false);
    z->free_pages++;
    z->free_count[0]++;
    expect_corrupt(z, "merge missed");
    zone_del(&f);

    z = sample(&f); /* I3: a free block missing from its list */
    buddy__del_from_free_list(z, 4, 2, BUDDY_MIGRATE_MOVABLE);
    z->state[4] = pg_state(BUDDY_BLOCK_FREE, 2);
    expect_corrupt(z, "missing from the list");
    zone_del(&f);

    z = sample(&f); /* I3: list cycle */
    z->frame[z->free_area[3].list[BUDDY_MIGRATE_MOVABLE].head].l.next =
        z->free_area[3].list[BUDDY_MIGRATE_MOVABLE].head;
    expect_corrupt(z, "back link");
    zone_del(&f);

    z = sample(&f); /* I3: a block on the wrong list */
    z->free_area[1].list[BUDDY_MIGRATE_MOVABLE].head = 4;
    expect_corrupt(z, "not a free block of its order");
    zone_del(&f);

    z = sample(&f); /* I5: nr_free */
    z->free_area[2].list[BUDDY_MIGRATE_MOVABLE].nr = 2;
    expect_corrupt(z, "nr_free");
    zone_del(&f);

    z = sample(&f); /* I5: the non-empty index */
    z->nonempty[BUDDY_MIGRATE_MOVABLE] |= 1u << 4;
    expect_corrupt(z, "non-empty index");
    zone_del(&f);

    z = sample(&f); /* I6: counters */
    z->free_pages++;
    expect_corrupt(z, "free_pages");
    zone_del(&f);

    z = sample(&f);
    z->alloc_count[0]++;
    expect_corrupt(z, "allocations minus frees");
    zone_del(&f);

    z = sample(&f);
    z->present_pages--;
    expect_corrupt(z, "present_pages");
    zone_del(&f);

    z = sample(&f); /* I10: a pageblock type out of range */
    z->pageblock[0] = 7;
    expect_corrupt(z, "pageblock type out of range");
    zone_del(&f);

    z = sample(&f); /* I10: the count of typed pageblocks */
    z->nr_pb_typed = 1;
    expect_corrupt(z, "count of typed pageblocks");
    z->nr_pb_typed = 0;
    zone_del(&f);

    z = sample(&f); /* I10: a free block on the list of another type */
    {
        uint32_t idx = z->free_area[3].list[BUDDY_MIGRATE_MOVABLE].head;

        buddy__del_from_free_list(z, idx, 3, BUDDY_MIGRATE_MOVABLE);
        z->state[idx] = 0;
        z->pageblock[0] = BUDDY_MIGRATE_UNMOVABLE ^ BUDDY_MIGRATE_MOVABLE;
        buddy__add_to_free_list(z, idx, 3, BUDDY_MIGRATE_UNMOVABLE, false);
        z->pageblock[0] = 0; /* the pageblock says movable again */
    }
    expect_corrupt(z, "another type than its pageblock");
    zone_del(&f);

    z = sample(&f); /* I7: an in-flight block left behind */
    z->state[0] = pg_state(BUDDY_BLOCK_INFLIGHT, 0);
    expect_corrupt(z, "in-flight");
    zone_del(&f);

    { /* I11: an owner on a free page, and inside an owned block */
        struct buddy_zone_config cfg = BUDDY_ZONE_CONFIG_INIT;
        buddy_pfn_t pfn;

        cfg.nr_pages = 16;
        cfg.max_order = 4;
        cfg.flags = BUDDY_ZONE_OWNERS;
        z = zone_from_config(&f, &cfg);
        assert_int_equal(buddy_zone_add_range(z, 0, 16), 0);
        assert_int_equal(buddy_zone_alloc_pages_owned(
                             z, 1, BUDDY_MIGRATE_MOVABLE, 5, &pfn),
                         0);
        assert_valid(z);
        z->owner[pfn + 1] = 5;
        expect_corrupt(z, "an owner on a page");
        z->owner[pfn + 1] = 0;
        z->owner[15] = 2;
        expect_corrupt(z, "an owner on a page");
        zone_del(&f);
    }
}

/* Layout assumptions behind the metadata budget: 9 bytes a page, one a
 * pageblock, and the header. */
static void test_metadata_budget(void **state)
{
    struct buddy_zone_config cfg = BUDDY_ZONE_CONFIG_INIT;
    size_t small, big, header;

    (void)state;
    cfg.nr_pages = 1024; /* two pageblocks of 512 */
    small = buddy_zone_meta_size(&cfg);
    cfg.nr_pages = 2048;
    big = buddy_zone_meta_size(&cfg);
    assert_int_equal(big - small, 1024 * BUDDY_META_BYTES_PER_PAGE + 2);
    assert_true(BUDDY_META_BYTES_PER_PAGE <= 10);
    header = small - 1024 * BUDDY_META_BYTES_PER_PAGE - 2;
    /* An unaligned start touches one pageblock more. */
    cfg.start_pfn = 1;
    assert_int_equal(buddy_zone_meta_size(&cfg), big + 1);
    /* Smaller pageblocks, more of them. */
    cfg.start_pfn = 0;
    cfg.pageblock_order = 3;
    assert_int_equal(buddy_zone_meta_size(&cfg), big - 4 + 256);
    /* Owners: one byte a page more, 10 in all. */
    cfg.pageblock_order = 0;
    cfg.flags = BUDDY_ZONE_OWNERS;
    assert_int_equal(buddy_zone_meta_size(&cfg), big + 2048);
    assert_true(BUDDY_META_BYTES_PER_PAGE + 1 <= 10);
    cfg.flags = 0;
    /* The header size the README and docs/design.md give (64-bit). */
    if (sizeof(void *) == 8)
        assert_int_equal(header, 3088);
    print_message("metadata: %u bytes per page + 1 per pageblock + %zu bytes "
                  "per zone\n",
                  BUDDY_META_BYTES_PER_PAGE, header);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_detects_each_broken_invariant),
        cmocka_unit_test(test_metadata_budget),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
