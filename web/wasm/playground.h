/* SPDX-License-Identifier: MIT */
/*
 * playground.h: the flat C ABI the web page calls, and what the files of
 * web/wasm/ share.
 *
 * The page is drawn only from what the core reports. This layer owns no
 * allocator logic: it holds zones in static buffers (wasm has no malloc), runs
 * `buddy run` script lines against them, and copies what the public API says
 * (walks, free lists in list order, free-list counts, buddyinfo, indices, the
 * validator's verdict, the events of the hook) into flat u32 arrays that
 * JavaScript reads straight from the module's memory.
 *
 * Conventions of the ABI:
 *   - every function is exported under its own name (PG_EXPORT);
 *   - numbers are 32-bit: a playground zone spans at most PG_MAX_PAGES pages
 *     and its pfns stay below 2^32; errors are negative ints: the core's
 *     BUDDY_E* codes, plus PG_ESYNTAX and PG_ENOZONE for script lines and
 *     PG_ELIMIT for a zone past the page's limits (pg_strerror names it);
 *   - the page takes every enum value and table layout from pg_constants()
 *     (constants.c), never from a copy of its own;
 *   - strings go in through pg_inbuf() (UTF-8, length passed separately) and
 *     come out NUL-terminated in pg_out();
 *   - a "slot" is one of PG_SLOTS independent zones (the page uses one per
 *     figure); each has its own metadata buffer sized for PG_MAX_PAGES.
 *
 * Recording. Every slot's zone has an event hook. The events of the last
 * operation (a script line, or a direct pg_* call) are kept in an event
 * table, PG_EVENT_WORDS u32 per event:
 *     [0] type (enum buddy_event_type)   [1] pfn      [2] order
 *     [3] buddy pfn or PG_NONE           [4] nr_pages [5] error (as int32)
 *     [6] first block of its snapshot    [7] blocks in the snapshot, or PG_NONE
 *     [8 .. 8 + BUDDY_NR_ORDERS) nr_free per order at that moment
 *     [8 + BUDDY_NR_ORDERS] first block of its free lists
 *     [9 + BUDDY_NR_ORDERS] blocks on its free lists, or PG_NONE
 * When the slot records snapshots (pg_set_snapshots), each event also walks
 * the zone and its free lists from inside the hook, so a step-through demo
 * can show the real core's state at every split and merge (the block being
 * split or merged shows as BUDDY_BLOCK_INFLIGHT). The free lists follow one
 * another from order 0 up, each in list order (head first), as
 * pg_walk_free_list gives them. Blocks are PG_BLOCK_WORDS u32:
 *     [0] pfn  [1] nr_pages  [2] order  [3] kind (enum buddy_block_kind)
 */
#ifndef BUDDY_WEB_PLAYGROUND_H
#define BUDDY_WEB_PLAYGROUND_H

#include "buddy/buddy.h"

#define PG_EXPORT(name) __attribute__((export_name(#name))) name

#define PG_ABI_VERSION 2u
#define PG_SLOTS 8u            /* independent zones */
#define PG_MAX_PAGES 1024u     /* the largest zone a slot's buffer holds */
#define PG_MAX_ORDER 10u       /* the largest max_order the page draws */
#define PG_NONE 0xffffffffu    /* "no pfn" in the u32 tables */
#define PG_BLOCK_WORDS 4u
#define PG_EVENT_WORDS (10u + BUDDY_NR_ORDERS)
#define PG_MAX_EVENTS 96u      /* events kept per operation */
#define PG_POOL_BLOCKS 16384u  /* snapshot blocks kept per operation */
#define PG_INBUF_SIZE 4096u
#define PG_OUTBUF_SIZE 65536u

/* Script errors, outside the core's BUDDY_E* range. */
#define PG_ESYNTAX (-1001) /* malformed line */
#define PG_ENOZONE (-1002) /* a command before the first `zone` */
#define PG_ELIMIT (-1003)  /* a zone past PG_MAX_PAGES or PG_MAX_ORDER */

/* What the files of web/wasm/ share (not exported). */
struct buddy_zone *pg__zone(unsigned slot); /* NULL: no zone (yet) */
/* Make a new zone in the slot (`zone PAGES MAXORDER [empty] [start=PFN]
 * [pageblock=N] [nogrouping] [owners]`); the old one stays on error. Past the
 * page's limits it is PG_ELIMIT, and pg_strerror(PG_ELIMIT) then says
 * which limit and what was asked. */
int pg__zone_create(unsigned slot, uint64_t start, uint64_t pages,
                    unsigned max_order, unsigned pageblock_order,
                    unsigned flags, bool empty);
/* trace.c: a new zone in the slot: its interpreter (and its tenants)
 * start again at the next line. */
void pg__script_forget(uint32_t slot);
/* Forget the last operation's events (each operation starts with this). */
void pg__events_clear(void);
/* The output buffer, reset, for the current call's text. */
struct pg_text;
struct pg_text *pg__out_reset(void);
/* What pg_last_pfn()/pg_last_order() report after an alloc or a free. */
void pg__set_last(uint32_t pfn, uint32_t order);
/* The validator's verdict as text: "ok", or the broken invariant. */
void pg__check_text(struct pg_text *t, int err,
                    const struct buddy_check_report *rep);

/* ---- the exported ABI (see the .c files for each contract) -------------- */

/* zones.c: buffers, zones, views, recording */
uint32_t pg_abi_version(void);
char *pg_inbuf(void);
uint32_t pg_inbuf_size(void);
const char *pg_out(void);
uint32_t pg_out_len(void);
int pg_zone_new(uint32_t slot, uint32_t pages, uint32_t max_order);
int pg_zone_add(uint32_t slot, uint32_t pfn, uint32_t count);
int pg_zone_reserve(uint32_t slot, uint32_t pfn, uint32_t count);
int pg_alloc(uint32_t slot, uint32_t order);
int pg_free(uint32_t slot, uint32_t pfn);
int pg_free_order(uint32_t slot, uint32_t pfn, uint32_t order);
uint32_t pg_last_pfn(void);
uint32_t pg_last_order(void);
int pg_has_zone(uint32_t slot);
uint32_t pg_start_pfn(uint32_t slot);
uint32_t pg_pages(uint32_t slot);
uint32_t pg_max_order(uint32_t slot);
uint32_t pg_stat(uint32_t slot, uint32_t which);
uint32_t pg_nr_free(uint32_t slot, uint32_t order);
int pg_largest_free_order(uint32_t slot);
int pg_unusable_index(uint32_t slot, uint32_t order);
int pg_fragmentation_index(uint32_t slot, uint32_t order);
uint32_t pg_buddyinfo(uint32_t slot);
/* Migrate types (§ 07): a zone in pageblocks of 2^pageblock_order pages
 * with grouping by mobility on or off, a typed allocation, a pageblock's
 * type, the zone's /proc/pagetypeinfo into pg_out(). */
int pg_zone_new_typed(uint32_t slot, uint32_t pages, uint32_t max_order,
                      uint32_t pageblock_order, uint32_t nogrouping);
int pg_alloc_type(uint32_t slot, uint32_t order, uint32_t mt);
int pg_pageblock_type(uint32_t slot, uint32_t pfn);
uint32_t pg_pagetypeinfo(uint32_t slot);
int pg_check(uint32_t slot);
uint32_t pg_walk(uint32_t slot);
uint32_t pg_walk_free_list(uint32_t slot, uint32_t order);
const uint32_t *pg_blocks(void);
int pg_find_block(uint32_t slot, uint32_t pfn);
uint32_t pg_buddy_of(uint32_t pfn, uint32_t order);
int pg_buddy_status(uint32_t slot, uint32_t pfn, uint32_t order);
void pg_set_snapshots(uint32_t slot, uint32_t on);
uint32_t pg_event_count(void);
const uint32_t *pg_events(void);
const uint32_t *pg_snapshot_pool(void);
const char *pg_errname(int err);
const char *pg_strerror(int err);
const char *pg_kind_name(uint32_t kind);
const char *pg_event_name(uint32_t type);

/* pg_stat `which` */
enum pg_stat_which {
    PG_STAT_SPANNED = 0,
    PG_STAT_PRESENT = 1,
    PG_STAT_MANAGED = 2,
    PG_STAT_RESERVED = 3,
    PG_STAT_FREE = 4,
    PG_STAT_ALLOCATED = 5, /* managed - free */
    PG_STAT_SPLITS = 6,
    PG_STAT_MERGES = 7,
    PG_STAT_ALLOC_FAILURES = 8,
    PG_STAT_REJECTED = 9
};

/* pg_buddy_status: the buddy of a block of order k is ... */
enum pg_buddy_status {
    PG_BUDDY_FREE = 0,    /* a free block of order k: freeing the block merges */
    PG_BUDDY_BUSY = 1,    /* a block of order k, allocated/reserved/in flight */
    PG_BUDDY_SPLIT = 2,   /* split: smaller blocks start at its pfn */
    PG_BUDDY_INSIDE = 3,  /* inside a larger block */
    PG_BUDDY_HOLE = 4,    /* in a hole */
    PG_BUDDY_OUTSIDE = 5, /* outside the zone's span: never free */
    PG_BUDDY_TOP = 6      /* k is max_order: nothing merges above it */
};

/* constants.c: the enums and layout constants, by name */
struct pg_constant {
    const char *name; /* "BUDDY_BLOCK_FREE", "PG_EVENT_WORDS", ... */
    int32_t value;    /* as the C side has it (PG_NONE is -1) */
};
uint32_t pg_constant_count(void);
const struct pg_constant *pg_constants(void);

/* trace.c: one `buddy run` line */
int pg_exec(uint32_t slot, uint32_t len);
const char *pg_exec_cmd(void);

/* workload.c: the random workload */
void pg_workload_seed(uint32_t slot, uint32_t seed);
uint32_t pg_workload_next(uint32_t slot);

#endif /* BUDDY_WEB_PLAYGROUND_H */
