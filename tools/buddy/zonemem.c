/* SPDX-License-Identifier: MIT */
/*
 * zonemem.c: zones for the tool, their metadata buffer taken from malloc.
 *
 * The core allocates nothing; a hosted program sizes the buffer with
 * buddy_zone_meta_size() and hands it over. malloc's alignment (at least
 * alignof(max_align_t)) covers the 8 bytes buddy_zone_init asks for.
 *
 * Where the core offers BUDDY_ZONE_META_ZEROED, the buffer comes from calloc
 * and init is told so: for a large zone calloc hands out fresh zero pages
 * and init need not clear a byte per page, so `zone 4294967295 10` does not
 * touch gigabytes up front.
 */
#include <stdint.h>
#include <stdlib.h>

#include "cli.h"

int cli_zone_create(struct cli_zone *out, buddy_pfn_t start_pfn,
                    uint64_t nr_pages, unsigned max_order, bool empty)
{
    struct buddy_zone_config cfg = BUDDY_ZONE_CONFIG_INIT;
    struct buddy_zone *z;
    size_t size;
    void *meta;
    int err;

    cfg.start_pfn = start_pfn;
    cfg.nr_pages = nr_pages;
    cfg.max_order = max_order;
    size = buddy_zone_meta_size(&cfg);
    if (size == 0) {
        /* meta_size only says "invalid"; init on a tiny buffer checks the
         * configuration before the size, so it names the reason. */
        uint64_t probe[1];

        err = buddy_zone_init(probe, sizeof(probe), &cfg, &z);
        return err != 0 ? err : BUDDY_EINVAL;
    }
#ifdef BUDDY_ZONE_META_ZEROED
    cfg.flags |= BUDDY_ZONE_META_ZEROED;
    meta = calloc(1, size);
#else
    meta = malloc(size);
#endif
    if (meta == NULL)
        return CLI_ENOMETA;
    err = buddy_zone_init(meta, size, &cfg, &z);
    if (err == 0 && !empty)
        err = buddy_zone_add_range(z, start_pfn, nr_pages);
    if (err != 0) {
        free(meta);
        return err;
    }
    out->meta = meta;
    out->z = z;
    return 0;
}

void cli_zone_destroy(struct cli_zone *cz)
{
    free(cz->meta);
    cz->meta = NULL;
    cz->z = NULL;
}
