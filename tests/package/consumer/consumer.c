/* SPDX-License-Identifier: MIT */
/*
 * consumer.c: a program outside the project, built against an installed
 * libbuddy (by tests/package/check.sh, through find_package and through
 * pkg-config). It only uses the public header, allocates and frees a block,
 * and runs the validator: if the package's include path, link line or
 * exported symbols are wrong, this fails to build, link, load or run.
 */
#include <buddy/buddy.h>

#include <stdint.h>
#include <stdio.h>

#define NR_PAGES 64u

/* Metadata for a small zone; buddy_zone_meta_size says how much it needs. */
static uint64_t meta[(NR_PAGES * BUDDY_META_BYTES_PER_PAGE + 4096u) / sizeof(uint64_t)];

static int failed(const char *what, int err)
{
    fprintf(stderr, "consumer: %s: %s (%s)\n", what, buddy_strerror(err),
            buddy_errname(err));
    return 1;
}

int main(int argc, char **argv)
{
    const char *how = argc > 1 ? argv[1] : "consumer";
    struct buddy_zone_config cfg = BUDDY_ZONE_CONFIG_INIT;
    struct buddy_zone *z;
    struct buddy_check_report rep;
    buddy_pfn_t pfn;
    uint64_t free_pages;
    size_t need;
    int err;

    cfg.nr_pages = NR_PAGES;
    need = buddy_zone_meta_size(&cfg);
    if (need == 0 || need > sizeof(meta)) {
        fprintf(stderr, "consumer: zone needs %zu bytes of metadata, have %zu\n",
                need, sizeof(meta));
        return 1;
    }
    if ((err = buddy_zone_init(meta, need, &cfg, &z)) != 0)
        return failed("buddy_zone_init", err);
    if ((err = buddy_zone_add_range(z, 0, NR_PAGES)) != 0)
        return failed("buddy_zone_add_range", err);
    if ((err = buddy_zone_alloc_pages(z, 2, &pfn)) != 0)
        return failed("buddy_zone_alloc_pages", err);
    if ((err = buddy_zone_nr_free_pages(z, &free_pages)) != 0)
        return failed("buddy_zone_nr_free_pages", err);
    if (free_pages != NR_PAGES - 4u) {
        fprintf(stderr, "consumer: %llu pages free after taking 4 of %u\n",
                (unsigned long long)free_pages, NR_PAGES);
        return 1;
    }
    if ((err = buddy_zone_free_pages(z, pfn, 2)) != 0)
        return failed("buddy_zone_free_pages", err);
    if ((err = buddy_zone_check(z, &rep)) != 0) {
        fprintf(stderr, "consumer: buddy_zone_check: %s at pfn %llu\n",
                rep.what, (unsigned long long)rep.pfn);
        return failed("buddy_zone_check", err);
    }
    if ((err = buddy_zone_nr_free_pages(z, &free_pages)) != 0)
        return failed("buddy_zone_nr_free_pages", err);
    if (free_pages != NR_PAGES) {
        fprintf(stderr, "consumer: %llu of %u pages free after the free\n",
                (unsigned long long)free_pages, NR_PAGES);
        return 1;
    }
    printf("%s: allocated and freed 4 pages at pfn %llu, zone check passed\n",
           how, (unsigned long long)pfn);
    return 0;
}
