/* Smoke test; the full unit suite grows from here. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>

#include "buddy/buddy.h"

static void smoke(void **state)
{
    (void)state;
    struct buddy_zone_config cfg = BUDDY_ZONE_CONFIG_INIT;
    cfg.nr_pages = 16;
    cfg.max_order = 4;
    size_t n = buddy_zone_meta_size(&cfg);
    void *meta = aligned_alloc(8, (n + 7) & ~7u);
    struct buddy_zone *z;
    assert_int_equal(buddy_zone_init(meta, n, &cfg, &z), 0);
    assert_int_equal(buddy_zone_add_range(z, 0, 16), 0);
    assert_int_equal(buddy_zone_nr_free(z, 4), 1);
    buddy_pfn_t pfn;
    assert_int_equal(buddy_alloc_pages(z, 1, &pfn), 0);
    assert_int_equal(pfn, 0);
    assert_int_equal(buddy_zone_nr_free(z, 3), 1);
    assert_int_equal(buddy_zone_nr_free(z, 2), 1);
    assert_int_equal(buddy_zone_nr_free(z, 1), 1);
    assert_int_equal(buddy_zone_check(z, NULL), 0);
    assert_int_equal(buddy_free_pages(z, 0, 1), 0);
    assert_int_equal(buddy_free_pages(z, 0, 1), BUDDY_EDOUBLEFREE);
    assert_int_equal(buddy_zone_nr_free(z, 4), 1);
    assert_int_equal(buddy_zone_check(z, NULL), 0);
    char line[128];
    buddy_zone_buddyinfo(z, line, sizeof line);
    print_message("%s", line);
    free(meta);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(smoke)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
