/* SPDX-License-Identifier: MIT */
/*
 * test_lazy.c: deferred initialisation. A zone whose metadata is a fresh
 * anonymous mapping (BUDDY_ZONE_META_ZEROED) is ready without touching the
 * metadata of the pages it has not handed out: mincore() counts the resident
 * metadata pages, which is deterministic, unlike a timer.
 */
#define _DEFAULT_SOURCE
#include "helpers.h"

#include <sys/mman.h>
#include <unistd.h>

struct mapped_zone {
    void *meta;
    size_t size;
    struct buddy_zone *z;
};

static struct buddy_zone *map_zone(struct mapped_zone *m, uint64_t nr_pages,
                                   unsigned max_order)
{
    struct buddy_zone_config cfg = BUDDY_ZONE_CONFIG_INIT;

    cfg.nr_pages = nr_pages;
    cfg.max_order = max_order;
    cfg.flags = BUDDY_ZONE_META_ZEROED;
    m->size = buddy_zone_meta_size(&cfg);
    m->meta = mmap(NULL, m->size, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    assert_true(m->meta != MAP_FAILED);
    assert_int_equal(buddy_zone_init(m->meta, m->size, &cfg, &m->z), 0);
    return m->z;
}

static size_t resident_pages(const struct mapped_zone *m)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    size_t n = (m->size + page - 1) / page, count = 0;
    unsigned char *vec = malloc(n);

    assert_non_null(vec);
    assert_int_equal(mincore(m->meta, m->size, vec), 0);
    for (size_t i = 0; i < n; i++)
        count += vec[i] & 1u;
    free(vec);
    return count;
}

/* 64 GiB of 4 KiB pages: 16M pages, 151 MB of metadata, almost none of it
 * touched by init, add_range and a first allocation. */
static void test_64g_zone_touches_little_metadata(void **state)
{
    struct mapped_zone m;
    struct buddy_zone *z = map_zone(&m, (uint64_t)1 << 24, 10);
    buddy_pfn_t pfn;
    size_t touched;

    (void)state;
    assert_int_equal(buddy_zone_add_range(z, 0, (uint64_t)1 << 24), 0);
    assert_int_equal(zone_nr_free(z, 10), 16384);
    assert_int_equal(zone_free_pages(z), (uint64_t)1 << 24);
    assert_int_equal(buddy_zone_alloc_pages(z, 0, &pfn), 0);
    assert_int_equal(pfn, 0);
    touched = resident_pages(&m);
    print_message("64 GiB zone: %zu of %zu metadata pages resident\n", touched,
                  m.size / (size_t)sysconf(_SC_PAGESIZE));
    assert_true(touched <= 8);
    assert_int_equal(buddy_zone_free_pages(z, 0, 0), 0);
    assert_int_equal(zone_nr_free(z, 10), 16384);
    munmap(m.meta, m.size);
}

/* Ranges added in address order (a firmware memory map, one range per
 * bank) extend the one lazy run, whichever side they join: 64 GiB given as
 * 16 ranges, the first in the middle, then upwards, then downwards, touches
 * no more metadata than one range does. A bank reserved and given back in
 * the middle of the run (which the reserve cut) is written at once, and
 * the zone reads the same. */
static void test_ranges_in_address_order_stay_lazy(void **state)
{
    struct mapped_zone m;
    struct buddy_zone *z = map_zone(&m, (uint64_t)1 << 24, 10);
    const uint64_t bank = (uint64_t)1 << 20; /* 4 GiB */
    buddy_pfn_t pfn;
    size_t touched;

    (void)state;
    for (uint64_t b = 8; b < 16; b++)
        assert_int_equal(buddy_zone_add_range(z, b * bank, bank), 0);
    for (uint64_t b = 8; b-- > 1;)
        assert_int_equal(buddy_zone_add_range(z, b * bank, bank), 0);
    assert_int_equal(zone_nr_free(z, 10), 15 * 1024);
    touched = resident_pages(&m);
    print_message("15 banks added in order: %zu metadata pages resident\n",
                  touched);
    /* Each range rewrites a few hole heads around it; writing a bank's
     * 1024 blocks would touch over 2000 pages (next, prev and state). */
    assert_true(touched <= 64);
    /* Bank 0 joins the run too. */
    assert_int_equal(buddy_zone_add_range(z, 0, bank), 0);
    assert_true(resident_pages(&m) <= 64);
    assert_int_equal(buddy_zone_reserve(z, 3 * bank, bank), 0);
    assert_int_equal(buddy_zone_add_range(z, 3 * bank, bank), 0);
    assert_int_equal(zone_nr_free(z, 10), 16 * 1024);
    assert_int_equal(zone_free_pages(z), (uint64_t)1 << 24);
    assert_int_equal(buddy_zone_alloc_pages(z, 0, &pfn), 0);
    assert_int_equal(pfn, 0);
    assert_int_equal(buddy_zone_free_pages(z, 0, 0), 0);
    assert_valid(z);
    munmap(m.meta, m.size);
}

/* 1 TiB (2^28 pages, 2.4 GB of metadata reserved, not committed). */
static void test_1t_zone_works(void **state)
{
    struct mapped_zone m;
    struct buddy_zone *z = map_zone(&m, (uint64_t)1 << 28, 18);
    buddy_pfn_t pfn;

    (void)state;
    assert_int_equal(buddy_zone_add_range(z, 0, (uint64_t)1 << 28), 0);
    assert_int_equal(zone_nr_free(z, 18), 1024);
    assert_int_equal(buddy_zone_alloc_pages(z, 18, &pfn), 0);
    assert_int_equal(buddy_zone_alloc_pages(z, 3, &pfn), 0);
    assert_int_equal(pfn, (uint64_t)1 << 18);
    assert_int_equal(buddy_zone_free_pfn(z, pfn), 0);
    assert_int_equal(buddy_zone_free_pfn(z, 0), 0);
    assert_int_equal(zone_nr_free(z, 18), 1024);
    /* Splitting order 18 down to 3 wrote 15 upper halves, each up to two
     * metadata pages (its frame record, its state byte) apart: that is
     * what it needed. */
    assert_true(resident_pages(&m) <= 4 + 2 * 15);
    munmap(m.meta, m.size);
}

/* Everything the zone shows is the same whether blocks are deferred or
 * written: compare a lazily added zone with one built block by block. */
static int count_block(void *arg, const struct buddy_block *b)
{
    uint64_t *n = arg;

    n[b->kind]++;
    return 0;
}

static void test_lazy_run_reads_like_written_blocks(void **state)
{
    struct fixture lazy, eager;
    struct buddy_zone *zl = zone_new(&lazy, 3, 200, 4);
    struct buddy_zone *ze = zone_new(&eager, 3, 200, 4);
    uint64_t nl[8] = {0}, ne[8] = {0};
    struct buddy_block b;
    char a[256], e[256];

    (void)state;
    assert_int_equal(buddy_zone_add_range(zl, 3, 200), 0);
    for (buddy_pfn_t p = 3; p < 203; p++) /* page by page: no lazy run */
        assert_int_equal(buddy_zone_add_range(ze, p, 1), 0);
    buddy_zone_buddyinfo(zl, a, sizeof(a));
    buddy_zone_buddyinfo(ze, e, sizeof(e));
    assert_string_equal(a, e);
    assert_int_equal(buddy_zone_walk(zl, count_block, nl), 0);
    assert_int_equal(buddy_zone_walk(ze, count_block, ne), 0);
    assert_memory_equal(nl, ne, sizeof(nl));
    assert_int_equal(buddy_zone_find_block(zl, 100, &b), 0);
    assert_int_equal(b.kind, BUDDY_BLOCK_FREE);
    assert_int_equal(b.pfn, 96);
    assert_int_equal(b.order, 4);
    assert_int_equal(buddy_zone_free_pages(zl, 96, 4), BUDDY_EDOUBLEFREE);
    assert_int_equal(buddy_zone_free_pfn(zl, 101), BUDDY_EDOUBLEFREE);
    assert_valid(zl);
    assert_valid(ze);
    zone_del(&lazy);
    zone_del(&eager);
}

/* Reserving inside the run writes out only the side of it that is cheaper,
 * and every page stays accounted for. */
static void test_reserve_inside_lazy_run(void **state)
{
    struct fixture f;
    struct buddy_zone *z = zone_new_free(&f, 0, 1024, 4);
    struct buddy_zone_stats st;
    struct buddy_block b;
    buddy_pfn_t pfn;

    (void)state;
    assert_int_equal(buddy_zone_reserve(z, 40, 3), 0);     /* near the start */
    assert_valid(z);
    assert_int_equal(buddy_zone_reserve(z, 1000, 10), 0);  /* near the end */
    assert_valid(z);
    assert_int_equal(buddy_zone_reserve(z, 500, 1), 0);    /* the middle */
    assert_valid(z);
    assert_int_equal(buddy_zone_get_stats(z, &st), 0);
    assert_int_equal(st.reserved_pages, 14);
    assert_int_equal(st.free_pages, 1010);
    assert_int_equal(buddy_zone_find_block(z, 501, &b), 0);
    assert_int_equal(b.kind, BUDDY_BLOCK_FREE);
    /* Allocate everything: never a reserved page, and all pages come out. */
    uint64_t got = 0;
    while (buddy_zone_alloc_pages(z, 0, &pfn) == 0) {
        assert_true(pfn != 500 && (pfn < 40 || pfn > 42) &&
                    (pfn < 1000 || pfn >= 1010));
        got++;
    }
    assert_int_equal(got, 1010);
    assert_valid(z);
    zone_del(&f);
}

static void test_unknown_flag_refused(void **state)
{
    struct buddy_zone_config cfg = BUDDY_ZONE_CONFIG_INIT;
    uint64_t meta[512];
    struct buddy_zone *z;

    (void)state;
    cfg.nr_pages = 16;
    cfg.flags = 0x80;
    assert_int_equal(buddy_zone_meta_size(&cfg), 0);
    assert_int_equal(buddy_zone_init(meta, sizeof(meta), &cfg, &z), BUDDY_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_64g_zone_touches_little_metadata),
        cmocka_unit_test(test_ranges_in_address_order_stay_lazy),
        cmocka_unit_test(test_1t_zone_works),
        cmocka_unit_test(test_lazy_run_reads_like_written_blocks),
        cmocka_unit_test(test_reserve_inside_lazy_run),
        cmocka_unit_test(test_unknown_flag_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
