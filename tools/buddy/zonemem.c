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
 *
 * Sizes are checked here, not only in the core: with a 32-bit size_t a zone
 * of 2^29 pages needs more metadata bytes than a size_t holds, and a size
 * that wrapped would hand the core a buffer far smaller than the zone. So
 * the per-page bytes are computed in 64 bits and compared with SIZE_MAX
 * first (CLI_EMETASIZE), and the core's answer must cover them before a
 * buffer of that size is trusted.
 */
#include <stdint.h>
#include <stdlib.h>

#include "cli.h"

/* Room for the core's fixed zone header in the size check, far more than
 * it is: a wrong guess here only refuses zones within this many bytes of
 * SIZE_MAX, which no allocator could give anyway. */
#define META_HEADER_ROOM 65536u
_Static_assert(SIZE_MAX > META_HEADER_ROOM, "size_t holds the header room");

/* The per-page part of the metadata, if the whole fits a size_t. */
static bool meta_fits(uint64_t nr_pages, uint64_t *per_page)
{
    const uint64_t limit = (uint64_t)SIZE_MAX - META_HEADER_ROOM;

    if (nr_pages > limit / BUDDY_META_BYTES_PER_PAGE)
        return false;
    *per_page = nr_pages * BUDDY_META_BYTES_PER_PAGE;
    return true;
}

int cli_zone_create(struct cli_zone *out, buddy_pfn_t start_pfn,
                    uint64_t nr_pages, unsigned max_order,
                    unsigned pageblock_order, unsigned flags, bool empty)
{
    struct buddy_zone_config cfg = BUDDY_ZONE_CONFIG_INIT;
    struct buddy_zone *z;
    uint64_t per_page;
    size_t size;
    void *meta;
    int err;

    cfg.start_pfn = start_pfn;
    cfg.nr_pages = nr_pages;
    cfg.max_order = max_order;
    cfg.pageblock_order = pageblock_order;
    cfg.flags = flags;
    if (!meta_fits(nr_pages, &per_page))
        return CLI_EMETASIZE;
    size = buddy_zone_meta_size(&cfg);
    if (size == 0) {
        /* meta_size only says "invalid"; init on a tiny buffer checks the
         * configuration before the size, so it names the reason. The size
         * fits (checked above), so by meta_size's contract the
         * configuration is invalid and init refuses it before writing. */
        uint64_t probe[1];

        err = buddy_zone_init(probe, sizeof(probe), &cfg, &z);
        return err != 0 ? err : BUDDY_EINVAL;
    }
    if ((uint64_t)size < per_page)
        return CLI_EMETASIZE; /* a size that wrapped: never trust it */
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

const char *cli_zone_errname(int err)
{
    if (err == CLI_ENOMETA || err == CLI_EMETASIZE)
        return "ENOMETA";
    return buddy_errname(err);
}

const char *cli_zone_strerror(int err)
{
    if (err == CLI_ENOMETA)
        return "cannot allocate the zone's metadata: out of memory";
    if (err == CLI_EMETASIZE)
        return "cannot allocate the zone's metadata: it is larger than this "
               "build can address";
    return buddy_strerror(err);
}
