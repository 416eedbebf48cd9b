/* SPDX-License-Identifier: MIT */
/*
 * constants.c: every enum value and table layout the page needs, by name.
 *
 * The page reads this table when it loads instead of keeping copies of the
 * C enums, so a block kind or an event the core adds reaches the page with
 * the next build rather than drifting. Each entry is the C name and its
 * value; the error codes come from the core's own BUDDY_ERRNO_MAP, so that
 * part cannot fall behind at all. The table is static and read-only: two
 * u32 per entry on wasm32, the name's address then the value.
 */
#include "playground.h"

#define PG_CONSTANT(name) {#name, (int32_t)(name)}
#define PG_ERRNO_CONSTANT(name, value, text) {"BUDDY_" #name, value},

_Static_assert(sizeof(struct pg_constant) == 8,
               "the page reads each entry as two u32");

static const struct pg_constant constants[] = {
    /* the ABI's layout */
    PG_CONSTANT(PG_ABI_VERSION),
    PG_CONSTANT(PG_SLOTS),
    PG_CONSTANT(PG_MAX_PAGES),
    PG_CONSTANT(PG_MAX_ORDER),
    PG_CONSTANT(PG_NONE),
    PG_CONSTANT(PG_BLOCK_WORDS),
    PG_CONSTANT(PG_EVENT_WORDS),
    PG_CONSTANT(PG_INBUF_SIZE),
    PG_CONSTANT(BUDDY_NR_ORDERS),
    /* enum buddy_block_kind */
    PG_CONSTANT(BUDDY_BLOCK_HOLE),
    PG_CONSTANT(BUDDY_BLOCK_FREE),
    PG_CONSTANT(BUDDY_BLOCK_ALLOCATED),
    PG_CONSTANT(BUDDY_BLOCK_RESERVED),
    PG_CONSTANT(BUDDY_BLOCK_INFLIGHT),
    PG_CONSTANT(BUDDY_BLOCK_CACHED),
    /* enum buddy_event_type */
    PG_CONSTANT(BUDDY_EV_ALLOC),
    PG_CONSTANT(BUDDY_EV_FREE),
    PG_CONSTANT(BUDDY_EV_SPLIT),
    PG_CONSTANT(BUDDY_EV_MERGE),
    PG_CONSTANT(BUDDY_EV_FALLBACK),
    PG_CONSTANT(BUDDY_EV_FAIL),
    PG_CONSTANT(BUDDY_EV_REJECT),
    PG_CONSTANT(BUDDY_EV_ADD_RANGE),
    PG_CONSTANT(BUDDY_EV_RESERVE),
    PG_CONSTANT(BUDDY_EV_EXTFRAG),
    PG_CONSTANT(BUDDY_EV_WMARK),
    PG_CONSTANT(BUDDY_EV_RESIZE),
    /* enum buddy_migratetype */
    PG_CONSTANT(BUDDY_MIGRATE_UNMOVABLE),
    PG_CONSTANT(BUDDY_MIGRATE_MOVABLE),
    PG_CONSTANT(BUDDY_MIGRATE_RECLAIMABLE),
    PG_CONSTANT(BUDDY_MIGRATE_HIGHATOMIC),
    PG_CONSTANT(BUDDY_MIGRATE_ISOLATE),
    /* enum pg_buddy_status */
    PG_CONSTANT(PG_BUDDY_FREE),
    PG_CONSTANT(PG_BUDDY_BUSY),
    PG_CONSTANT(PG_BUDDY_SPLIT),
    PG_CONSTANT(PG_BUDDY_INSIDE),
    PG_CONSTANT(PG_BUDDY_HOLE),
    PG_CONSTANT(PG_BUDDY_OUTSIDE),
    PG_CONSTANT(PG_BUDDY_TOP),
    /* enum pg_stat_which */
    PG_CONSTANT(PG_STAT_SPANNED),
    PG_CONSTANT(PG_STAT_PRESENT),
    PG_CONSTANT(PG_STAT_MANAGED),
    PG_CONSTANT(PG_STAT_RESERVED),
    PG_CONSTANT(PG_STAT_FREE),
    PG_CONSTANT(PG_STAT_ALLOCATED),
    PG_CONSTANT(PG_STAT_SPLITS),
    PG_CONSTANT(PG_STAT_MERGES),
    PG_CONSTANT(PG_STAT_ALLOC_FAILURES),
    PG_CONSTANT(PG_STAT_REJECTED),
    /* errors: the core's, then the script's and the page's */
    BUDDY_ERRNO_MAP(PG_ERRNO_CONSTANT)
    PG_CONSTANT(PG_ESYNTAX),
    PG_CONSTANT(PG_ENOZONE),
    PG_CONSTANT(PG_ELIMIT),
};

uint32_t PG_EXPORT(pg_constant_count)(void)
{
    return sizeof(constants) / sizeof(constants[0]);
}

/* The table of pg_constant_count() entries. */
const struct pg_constant *PG_EXPORT(pg_constants)(void)
{
    return constants;
}
