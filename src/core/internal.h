/* SPDX-License-Identifier: MIT */
/*
 * internal.h: the zone's data layout, its invariants, and the small inline
 * pieces every core file shares (free-list operations, page state encoding,
 * assertions, the event hook).
 *
 * Data layout. A zone lives in one caller-provided buffer:
 *
 *   [struct buddy_zone][frame: 8 bytes x spanned][state: u8 x spanned]
 *   [pageblock: u8 x nr_pageblocks]
 *
 * Pages are named inside the zone by their index idx = pfn - start_pfn
 * (32 bits: a zone spans at most 2^32 - 1 pages, so BUDDY_NIL = 2^32 - 1 is
 * never an index). Per page there is 9 bytes of metadata, and one byte per
 * pageblock (its migrate type, xor pb_key so that a zeroed buffer reads as
 * the type memory starts as), and nothing else:
 *
 *   state[idx]  kind << 5 | order when idx is the first page (head) of a
 *               block; 0 for every other page. kind is a buddy_block_kind
 *               (HOLE, FREE, ALLOCATED, RESERVED, INFLIGHT).
 *   frame[idx]  l.next and l.prev: the free-list links of a FREE head;
 *               l.next alone: the cache-list link of a CACHED head; word:
 *               the owner's word on every page of an ALLOCATED block;
 *               meaningless otherwise (never read as links for other
 *               pages). One 8-byte record (page_state.h) rather than an
 *               array per link: a split or merge that links a block
 *               touches one line and one page of metadata for it instead
 *               of two, and the slab free's owner lookup is one load.
 *
 * Holes are blocks too (of up to order 31, not bounded by max_order), so every
 * page of the span belongs to exactly one block and a walk is O(blocks).
 *
 * Alignment is in absolute pfn space, as in the kernel: a block of order k
 * starts at a pfn that is a multiple of 2^k, and its buddy is
 * pfn ^ (1 << k). The start of the span need not be aligned; blocks never
 * cross its ends.
 *
 * Invariants (checked by buddy_zone_check, see check.c):
 *   I1  every page is in exactly one block: heads carry a kind, every other
 *       page has state 0, and blocks tile [0, spanned) without overlap;
 *   I2  a block of order k is aligned to 2^k in pfn space and lies in the span;
 *       FREE, ALLOCATED and CACHED blocks have k <= max_order;
 *   I3  a FREE block of order k is on one list of free_area[k] and on no
 *       other list; the lists hold only FREE heads of their order; links
 *       are consistent and tail is the last block;
 *   I4  no FREE block of order k < max_order has a FREE buddy of order k
 *       (merging is complete), unless k >= pageblock_order and one of the
 *       two pageblocks' types is HIGHATOMIC or ISOLATE and they differ;
 *   I5  free_area[k].list[t].nr == length of that list;
 *       bit k of nonempty[t] == (its nr != 0); nr_free[k] is the sum
 *       over t;
 *   I6  free_pages == sum over k of nr_free[k] << k;
 *       present_pages == spanned - pages in HOLE blocks;
 *       reserved_pages == pages in RESERVED blocks;
 *   I7  INFLIGHT blocks exist only while an operation is inside the event
 *       hook;
 *   I8  [lazy_start, lazy_end) is a run of FREE max_order blocks whose
 *       metadata is not written yet (deferred init): both ends are aligned
 *       to 2^max_order in pfn space, every state byte in it is 0, and its
 *       blocks count in free_area[max_order].list[pb_key].nr and in free_pages,
 *       and their pageblocks are of type pb_key. They sit, in ascending
 *       order, after the tail of that list; an allocation that finds it
 *       empty takes the first of them. No
 *       buddy of a block below max_order is ever in the run (a buddy shares
 *       its max_order block), so merging never looks there;
 *   I9  CACHED blocks of order k are exactly the blocks on list k of the
 *       zone's attached per-CPU caches; a cache's count is the pages on its
 *       lists; ALLOCATED + CACHED blocks of order k ==
 *       alloc_count[k] - free_count[k] (those counters count blocks leaving
 *       and entering the free lists);
 *   I10 every pageblock's type is a buddy_migratetype (with grouping off,
 *       no pcp type but UNMOVABLE); nr_pb_typed counts the pageblocks
 *       whose byte is not 0; a FREE block is on the list of its
 *       pageblock's type (the kernel's free-list hygiene), and a FREE block
 *       of more than one pageblock has one type in all of them.
 *
 * Locking: every field is protected by the zone lock (the embedder's
 * lock_ops; none on one thread), with two exceptions. A per-CPU cache's owner
 * changes the state byte of a page between ALLOCATED and CACHED, and the
 * l.next link of a CACHED page, without it: so state bytes are read and
 * written with relaxed atomics (a merge reads its neighbour's byte; either
 * value means "not a free buddy"), and a cache's count is atomic for
 * readers. l.next links of CACHED pages belong to their cache alone, except
 * while a drain holds the zone lock and the cache's gate (pcp.c says how).
 * An owner's word is read with no lock at all (buddy_zone_get_private):
 * one relaxed load, whatever else is writing the record.
 *
 * State transitions that race: only a free moves a byte away from
 * ALLOCATED, and it does so with one compare-and-swap (ALLOCATED|k to
 * CACHED|k through a cache, to 0 through the zone), so of two concurrent
 * frees of one block exactly one wins and the other reads the new value and
 * is refused. The one exception proves there is no race instead: while a
 * cache is its zone's solo cache (z->solo, pcp.c), no other thread may
 * claim a byte without first ending that under the zone lock and the
 * cache's gate, so the solo owner claims with a plain load and store.
 * Every other transition is made by the byte's one owner: the
 * zone lock for FREE, HOLE, RESERVED and INFLIGHT bytes; the cache (or a
 * drain holding its gate) for CACHED bytes; the allocation that returned
 * the block for nothing (it only ever frees it).
 */
#ifndef BUDDY_CORE_INTERNAL_H
#define BUDDY_CORE_INTERNAL_H

#include "buddy/buddy.h"
#include "../private/debug.h"
#include "../private/deps.h"
#include "../private/pcp.h"

/* ---- statistics: BUDDY_STATS=0 compiles the counters out ----------------
 * The event counters (per-order allocations and frees, splits, merges,
 * failures, fallbacks, rejections, cache batches) exist for observability
 * only: nothing the allocator decides reads them. A small target can drop
 * them, and with them most of the zone header (the two per-order arrays
 * are BUDDY_NR_ORDERS * 16 bytes); buddy_zone_get_stats then returns
 * BUDDY_ENOTSUP and the validator skips the one invariant that needs them
 * (I6's allocation count). The page counts (free, present, reserved) stay:
 * the allocator and the validator need them. Every counter is changed
 * through buddy_stat_add, which is nothing when they are off. */
#ifndef BUDDY_STATS
#define BUDDY_STATS 1
#endif

#if BUDDY_STATS
#define buddy_stat_add(z, field, n) ((void)((z)->field += (n)))
#define buddy_stat_get(z, field) ((z)->field)
#define buddy_stat_set(z, field, v) ((void)((z)->field = (v)))
#else
#define buddy_stat_add(z, field, n) ((void)(z), (void)(n))
#define buddy_stat_get(z, field) ((void)(z), (uint64_t)0)
#define buddy_stat_set(z, field, v) ((void)(z), (void)(v))
#endif
#define buddy_stat_inc(z, field) buddy_stat_add(z, field, 1u)

#define BUDDY_ZONE_MAGIC 0x42554459u /* "BUDY" */

/* W, the width of an address: a shift of a uintptr_t by W or more is
 * undefined, and a block of 2^W bytes or more lies in no address space. */
#define BUDDY_PTR_BITS (sizeof(uintptr_t) * 8u)

_Static_assert(SIZE_MAX <= UINTPTR_MAX,
               "a page size (size_t) must be a byte offset (uintptr_t), so "
               "page_shift < BUDDY_PTR_BITS");

struct buddy_free_list {
    uint32_t head;    /* idx of the first block on the list, or BUDDY_NIL */
    uint32_t tail;    /* idx of the last block, or BUDDY_NIL */
    uint32_t nr;      /* blocks on the list (I5) */
};

/* One order's free blocks: a list per migrate type, as the kernel's
 * free_area[order].free_list[migratetype]. The order's nr_free is the sum
 * of the lists' counts (buddy__nr_free), so a list operation changes one
 * count, next to the list it changes. */
struct buddy_free_area {
    struct buddy_free_list list[BUDDY_MIGRATE_TYPES]; /* by migrate type */
    uint32_t pad;     /* 64 bytes: an order's area is a shift away */
};

_Static_assert(sizeof(struct buddy_free_area) == 64,
               "a free area is 64 bytes, so indexing one is a shift");

struct buddy_zone {
    uint32_t magic;          /* BUDDY_ZONE_MAGIC while initialised */
    uint32_t nonempty[BUDDY_MIGRATE_TYPES]; /* bit k of [t] set iff
                                list t of free_area[k] is not empty (I5) */
    union buddy__frame *frame; /* [spanned] links of FREE and CACHED
                                heads, owner's word of ALLOCATED pages */
    uint8_t *state;          /* [spanned] kind << 5 | order on heads, else 0 */
    uint8_t *pageblock;      /* [nr_pageblocks] migrate type ^ pb_key (I10) */
    uint8_t *owner;          /* [spanned] owner of an ALLOCATED head, else 0
                                (I11); NULL without BUDDY_ZONE_OWNERS */
    buddy_owner_fn owner_hook; /* told of each owned block's free, or NULL */
    void *owner_arg;         /* its argument */
    uint32_t nr_pageblocks;  /* pageblocks the span touches */
    uint32_t pb_skew;        /* start_pfn mod pageblock size: pageblock of
                                idx is (idx + pb_skew) >> pageblock_order */
    uint32_t nr_pb_typed;    /* pageblocks whose byte is not 0: of another
                                type than the first (I10); while 0 the
                                caches' frees skip the type lookup */
    uint8_t pageblock_order; /* log2 of the pages in a pageblock */
    uint8_t pb_key;          /* the type a stored 0 means: MOVABLE, or
                                UNMOVABLE with grouping by mobility off
                                (buddy__grouping) */
    uint8_t boosted_wmark;   /* ZONE_BOOSTED_WATERMARK: a fallback of an
                                ALLOC_KSWAPD request boosted the marks; the
                                system allocation that made it tests and
                                clears it in the same lock hold */
    buddy_pfn_t start_pfn;   /* pfn of idx 0 */
    uint32_t spanned;        /* pages in the span, holes included */
    uint8_t max_order;       /* largest FREE/ALLOCATED order */
    uint8_t page_shift;      /* log2(page size) */
    int8_t node_id;          /* node in a buddy_system, or -1 */
    int8_t zone_idx;         /* zone index in that node, or -1 */
    uint8_t addr_align_shift; /* log2 of the address alignment the base gives
                                 in pfn terms (see buddy_zone_addr_align) */
    uint32_t lazy_start;     /* deferred max_order blocks: [start, end) (I8) */
    uint32_t lazy_end;
    uint32_t addr_pages;     /* spanned with a base, else 0: the pages the
                                byte API maps (buddy__addr_rel's bound) */
    uintptr_t base;          /* address of start_pfn, or 0: no byte API */
    buddy_event_fn hook;     /* event hook, or NULL */
    void *hook_arg;          /* its argument */
    struct buddy_free_reporter reporter; /* report == NULL: none (report.c) */
    uint32_t nr_noted;       /* noted[0..nr_noted): block heads to report */
    bool noted_overflow;     /* more were noted: report walks the lists */
    uint32_t noted[BUDDY_FREE_REPORT_PENDING];
    struct buddy_free_area free_area[BUDDY_NR_ORDERS]; /* the kernel's */
    uint64_t free_pages;     /* sum of nr_free[k] << k (I6) */
    uint64_t present_pages;  /* spanned minus holes (I6) */
    uint64_t reserved_pages; /* pages in RESERVED blocks (I6) */
    uint64_t nr_reserved_highatomic; /* pages of HIGHATOMIC pageblocks,
                                isolated ones included (I10) */
#if BUDDY_STATS
    uint64_t alloc_count[BUDDY_NR_ORDERS]; /* successful allocations (I6) */
    uint64_t free_count[BUDDY_NR_ORDERS];  /* successful frees (I6) */
    uint64_t splits;         /* expand() steps */
    uint64_t merges;         /* buddy merges of frees (not of ranges) */
    uint64_t alloc_failures; /* ENOMEM returns */
    uint64_t fallbacks;      /* system allocations that fell back here */
    uint64_t rejected;       /* bad frees and ranges refused */
    uint64_t cache_refills;  /* batches moved to per-CPU caches */
    uint64_t cache_drains;   /* batches moved back */
    uint64_t allocstall;     /* direct reclaims entered, as preferred zone */
    uint64_t claims;         /* fallbacks that took a pageblock over */
    uint64_t steals;         /* fallbacks that took a block, its pageblock
                                left to its type */
#endif
    struct buddy__pcp *caches; /* attached per-CPU caches (I9) */
    struct buddy_zone_watermarks wmarks; /* watermark.c; all 0 until set */
    uint32_t nr_caches;      /* length of that list: bounds every walk */
    uint8_t solo;            /* the one cache (caches) is solo: it claims
                                without a compare-and-swap (pcp.c) */
    uint8_t caches_shared;   /* a second cache or an outside free came:
                                no cache is solo again */
    struct buddy_lock_ops lock; /* the embedder's lock, or all NULL */
    char name[BUDDY_ZONE_NAME_MAX + 1]; /* NUL-terminated copy */
};

/* A system: the zones of each node by zone index (NULL where none), in
 * the caller's struct buddy_system storage. Locking: none of its own. The
 * zones, callbacks and shrinkers are set before it is shared and only read
 * after; the two reclaim counters are the kernel's vm events, bumped with
 * relaxed atomics by any thread that reclaims (unsigned long, as the
 * kernel's, so the add is one instruction on every target). */
struct buddy__system {
    struct buddy_zone *zones[BUDDY_MAX_NUMNODES][BUDDY_MAX_NR_ZONES];
    unsigned nr_nodes; /* highest node id in use + 1 */
    buddy_kswapd_fn kswapd; /* woken below the low marks, or NULL */
    void *kswapd_arg;
    unsigned nr_shrinkers; /* shrinkers[0..nr_shrinkers) are registered */
    struct buddy_shrinker shrinkers[BUDDY_MAX_SHRINKERS];
    unsigned long slabs_scanned; /* objects shrinkers were asked to scan */
    unsigned long pageoutrun;    /* buddy_system_balance_node runs */
};

_Static_assert(sizeof(struct buddy__system) <= sizeof(struct buddy_system),
               "BUDDY_SYSTEM_SIZE must hold the system");
_Static_assert(_Alignof(struct buddy__system) <=
                   _Alignof(struct buddy_system),
               "struct buddy_system must be aligned for the system");

/* A system of one zone, node 0's only zone, with no callbacks: the
 * zonelist a zone's own calls and views use. The zone is only read
 * through it (hence the cast for the const callers). */
static inline void buddy__system_of_zone(struct buddy__system *alone,
                                         const struct buddy_zone *z)
{
    buddy_memset(alone, 0, sizeof(*alone));
    alone->zones[0][0] = (struct buddy_zone *)(uintptr_t)z;
    alone->nr_nodes = 1;
}

static inline struct buddy__system *buddy__sys(struct buddy_system *s)
{
    return (struct buddy__system *)(void *)s;
}

static inline const struct buddy__system *
buddy__sys_const(const struct buddy_system *s)
{
    return (const struct buddy__system *)(const void *)s;
}

/* ---- state bytes: relaxed atomics (see Locking above) ------------------- */

static inline uint8_t pg_get(const struct buddy_zone *z, uint32_t idx)
{
    return buddy_load_relaxed(&z->state[idx]);
}

static inline void pg_set(struct buddy_zone *z, uint32_t idx, uint8_t s)
{
    buddy_store_relaxed(&z->state[idx], s);
}

/* ---- the zone lock ------------------------------------------------------ */

/* Does the caller hold the zone lock? True without lock ops (one thread) or
 * without a held query (nothing to ask). */
static inline bool buddy__lock_held(const struct buddy_zone *z)
{
    return z->lock.held == NULL || z->lock.held(z->lock.arg);
}

/* Every function that expects the zone lock says so at debug level 1, as
 * the kernel's lockdep_assert_held. */
#define buddy_assert_locked(z) buddy_assert_internal(buddy__lock_held(z))

static inline void buddy__lock(const struct buddy_zone *z)
{
    if (z->lock.lock != NULL)
        z->lock.lock(z->lock.arg);
}

static inline void buddy__unlock(const struct buddy_zone *z)
{
    if (z->lock.unlock != NULL)
        z->lock.unlock(z->lock.arg);
}

/* ---- the event hook: one predictable branch when unset ------------------ */

static inline void buddy__emit(const struct buddy_zone *z,
                               struct buddy_event *ev)
{
    ev->zone = z;
    z->hook(z->hook_arg, ev);
}

#define buddy_hook_set(z) buddy_unlikely((z)->hook != NULL)

/* The ALLOCATED block at idx, of order, just claimed for a free: its
 * owner byte cleared and the owner hook told (zones with owners; lock
 * held). */
void buddy__owner_freed(struct buddy_zone *z, uint32_t idx, unsigned order);

/* ---- pageblocks and their migrate types (I10) --------------------------- */

/* The pageblock holding idx. The sum is in 64 bits: idx + pb_skew can pass
 * 2^32 in a span of nearly 2^32 pages. */
static inline uint32_t buddy__pb_of(const struct buddy_zone *z, uint32_t idx)
{
    return (uint32_t)(((uint64_t)idx + z->pb_skew) >> z->pageblock_order);
}

/* A pageblock's byte: its type xor pb_key in the low bits; while it is
 * ISOLATE, the type it had before in the high nibble, for the undo. */
#define BUDDY_PB_TYPE_MASK 0x7u
#define BUDDY_PB_SAVED_SHIFT 4u

/* The migrate type of pageblock pb: one load, one mask, one xor. Read with
 * a relaxed atomic, as cache owners read it without the lock. */
static inline unsigned buddy__pb_type_at(const struct buddy_zone *z,
                                         uint32_t pb)
{
    return (buddy_load_relaxed(&z->pageblock[pb]) & BUDDY_PB_TYPE_MASK) ^
           z->pb_key;
}

/* The migrate type of the pageblock holding idx. */
static inline unsigned buddy__pb_type(const struct buddy_zone *z, uint32_t idx)
{
    return buddy__pb_type_at(z, buddy__pb_of(z, idx));
}

/* Grouping by mobility on? The zone's first type says: movable with it,
 * unmovable (the one type) without. */
static inline bool buddy__grouping(const struct buddy_zone *z)
{
    return z->pb_key == BUDDY_MIGRATE_MOVABLE;
}

/* The pageblock byte for type mt, `saved` the type an ISOLATE pageblock
 * goes back to (0 for any other type). With grouping off every pcp type
 * is stored as unmovable, as the kernel's set_pageblock_migratetype does. */
static inline uint8_t buddy__pb_byte(const struct buddy_zone *z, unsigned mt,
                                     unsigned saved)
{
    if (!buddy__grouping(z) && mt < BUDDY_MIGRATE_PCPTYPES)
        mt = BUDDY_MIGRATE_UNMOVABLE;
    return (uint8_t)((mt ^ z->pb_key) | saved << BUDDY_PB_SAVED_SHIFT);
}

/* nr_pb_typed left or reached 0: open or shut the caches' free bounds
 * (pcp.c). Lock held. */
void buddy__caches_retype_locked(struct buddy_zone *z);

/* Store pageblock pb's byte (its free blocks are the caller's to move),
 * keeping nr_pb_typed; the caches learn when it leaves or reaches 0.
 * Lock held. */
static inline void buddy__pb_store(struct buddy_zone *z, uint32_t pb,
                                   uint8_t byte)
{
    uint8_t old = z->pageblock[pb];

    buddy_store_relaxed(&z->pageblock[pb], byte);
    if ((old == 0) == (byte == 0))
        return;
    z->nr_pb_typed += byte != 0 ? 1u : (uint32_t)-1;
    if (z->nr_pb_typed == (byte != 0 ? 1u : 0u))
        buddy__caches_retype_locked(z);
}

/* Set the type of pageblock pb (not to ISOLATE: see pageblock.c). */
static inline void buddy__pb_set(struct buddy_zone *z, uint32_t pb, unsigned mt)
{
    buddy__pb_store(z, pb, buddy__pb_byte(z, mt, 0));
}

/* ---- free lists -------------------------------------------------------- */

/* Put the block at idx on list mt of free_area[order]: at the head, so the
 * most recently freed block is reused first while it is still warm (the
 * kernel's add_to_free_list), or at the tail for memory given at boot, so
 * that early allocations come in ascending address order (the kernel's
 * FPI_TO_TAIL). mt must be the block's pageblock type (I10). O(1). */
static inline void buddy__add_to_free_list(struct buddy_zone *z, uint32_t idx,
                                           unsigned order, unsigned mt,
                                           bool to_tail)
{
    struct buddy_free_area *area = &z->free_area[order];
    struct buddy_free_list *list = &area->list[mt];
    union buddy__frame *const f = z->frame;

    buddy_assert_internal(mt == buddy__pb_type(z, idx));
    pg_set(z, idx, pg_state(BUDDY_BLOCK_FREE, order));
    if (list->head == BUDDY_NIL) {
        f[idx].l.next = f[idx].l.prev = BUDDY_NIL;
        list->head = list->tail = idx;
    } else if (!to_tail) {
        f[idx].l.next = list->head;
        f[idx].l.prev = BUDDY_NIL;
        f[list->head].l.prev = idx;
        list->head = idx;
    } else {
        f[idx].l.next = BUDDY_NIL;
        f[idx].l.prev = list->tail;
        f[list->tail].l.next = idx;
        list->tail = idx;
    }
    area->list[mt].nr++;
    z->nonempty[mt] |= 1u << order;
}

/* Unlink the FREE block at idx from list mt of free_area[order]. Leaves its
 * state byte for the caller to rewrite. O(1); the list's only block (the
 * lazy run counts in nr, so it is none there) without reading a link. */
static inline void buddy__del_from_free_list(struct buddy_zone *z,
                                             uint32_t idx, unsigned order,
                                             unsigned mt)
{
    struct buddy_free_list *list = &z->free_area[order].list[mt];
    uint32_t n, p;

    buddy_assert_internal(pg_get(z, idx) == pg_state(BUDDY_BLOCK_FREE, order));
    if (list->nr == 1) { /* the list's only block: no links to read */
        buddy_assert_internal(list->head == idx && list->tail == idx);
        list->nr = 0;
        list->head = list->tail = BUDDY_NIL;
        z->nonempty[mt] &= ~(1u << order);
        return;
    }
    n = z->frame[idx].l.next;
    p = z->frame[idx].l.prev;
    if (p != BUDDY_NIL)
        z->frame[p].l.next = n;
    else
        list->head = n;
    if (n != BUDDY_NIL)
        z->frame[n].l.prev = p;
    else
        list->tail = p;
    list->nr--; /* at least one block stays: the bit stays set */
}

/* Blocks on free_area[order], all types: the kernel's nr_free. O(types). */
static inline uint64_t buddy__nr_free(const struct buddy_zone *z,
                                      unsigned order)
{
    const struct buddy_free_area *area = &z->free_area[order];
    uint64_t n = 0;
    unsigned t;

    for (t = 0; t < BUDDY_MIGRATE_TYPES; t++)
        n += area->list[t].nr;
    return n;
}

/* Orders with a free block of any type, one bit each. */
static inline uint32_t buddy__nonempty_any(const struct buddy_zone *z)
{
    uint32_t m = 0;
    unsigned t;

    for (t = 0; t < BUDDY_MIGRATE_TYPES; t++)
        m |= z->nonempty[t];
    return m;
}

/* May free blocks of pageblock types a and b merge across pageblocks?
 * When the types are the same, or both pcp types (the merged block then
 * takes one of them): a HIGHATOMIC or ISOLATE pageblock keeps its blocks
 * to itself, as the kernel's migratetype_is_mergeable says. */
static inline bool buddy__types_merge(unsigned a, unsigned b)
{
    return a == b || (a < BUDDY_MIGRATE_PCPTYPES && b < BUDDY_MIGRATE_PCPTYPES);
}

/* The type a request of type mt takes from: with grouping off, every pcp
 * type is unmovable (the kernel's gfp_migratetype). */
static inline unsigned buddy__request_type(const struct buddy_zone *z,
                                           unsigned mt)
{
    return !buddy__grouping(z) && mt < BUDDY_MIGRATE_PCPTYPES
               ? BUDDY_MIGRATE_UNMOVABLE
               : mt;
}

/* ---- the lazy run of deferred max_order blocks (I8) --------------------- */

static inline bool buddy__in_lazy(const struct buddy_zone *z, uint32_t idx)
{
    return idx - z->lazy_start < z->lazy_end - z->lazy_start;
}

/* Blocks left in the lazy run. */
static inline uint32_t buddy__lazy_blocks(const struct buddy_zone *z)
{
    return (z->lazy_end - z->lazy_start) >> z->max_order;
}

/* Write the lazy blocks overlapping [start, end) to the metadata, so a range
 * operation can treat them as ordinary free blocks. O(blocks written). */
void buddy__lazy_flush(struct buddy_zone *z, uint32_t start, uint32_t end);

/* ---- helpers shared between core files --------------------------------- */

/* Is z a zone buddy_zone_init made? The cheap always-on boundary check. */
/* Pages the zone manages: present, less reserved (the kernel's
 * zone_managed_pages). Lock held. */
static inline uint64_t buddy__managed_pages(const struct buddy_zone *z)
{
    return z->present_pages - z->reserved_pages;
}

static inline bool buddy__zone_ok(const struct buddy_zone *z)
{
    return z != NULL && z->magic == BUDDY_ZONE_MAGIC;
}

/* The index of the page that holds addr: true, or false when addr is
 * outside the zone's memory or the zone has no base. One compare after
 * the magic's: below base, a - base wraps to at least 2^W - base, which
 * is past the span (init keeps base + span <= 2^W - page size), and a
 * zone without a base has addr_pages 0. */
static inline bool buddy__addr_rel(const struct buddy_zone *z, const void *addr,
                                   uint64_t *rel)
{
    if (!buddy__zone_ok(z))
        return false;
    *rel = (uint64_t)((uintptr_t)addr - z->base) >> z->page_shift;
    return *rel < z->addr_pages;
}

/* Return the block at idx/order (its head state already cleared or
 * INFLIGHT) to the free lists, merging with free buddies as far as it can:
 * the kernel's __free_one_page. Adds 2^order to free_pages. O(max_order). */
void buddy__free_one_block(struct buddy_zone *z, uint32_t idx, unsigned order,
                           bool to_tail);

/* The merge loop of buddy__free_one_block for a block of at most one
 * pageblock, of pageblock type mt, free_pages already counted. */
void buddy__free_one(struct buddy_zone *z, uint32_t idx, unsigned order,
                     unsigned mt, bool to_tail);

/* Mark [idx, end) as blocks of `kind`: the largest naturally aligned blocks
 * that fit (FREE ones at most max_order, and merged as they are freed).
 * Pages in the range must have state 0. O(blocks made). */
void buddy__carve(struct buddy_zone *z, uint32_t idx, uint32_t end,
                  unsigned kind);

/* Index of the head of the block containing idx, or BUDDY_NIL if the state
 * bytes are corrupt. O(31). A head in the lazy run has no state byte yet:
 * read it as FREE | max_order. */
uint32_t buddy__block_head(const struct buddy_zone *z, uint32_t idx);

/* A free left the block holding idx on the free lists: note it for the
 * reporter when it is of min_order or more (report.c). Lock held; only
 * called with a reporter set. */
void buddy__note_free(struct buddy_zone *z, uint32_t idx);

/* Resolve [pfn, pfn + nr_pages) to indices [*start, *end); EINVAL for no
 * pages, ERANGE if it is not inside the span. Compared as offsets into the
 * span, so pfn + nr_pages, which can wrap, is never computed. */
int buddy__range_to_idx(const struct buddy_zone *z, buddy_pfn_t pfn,
                        uint64_t nr_pages, uint32_t *start, uint32_t *end);

/* Count an allocation of `order` that found nothing (ENOMEM) and report
 * it to the hook. Lock held. */
void buddy__alloc_failed(struct buddy_zone *z, unsigned order);

/* Report a refused request through the counters and the hook. */
void buddy__reject(struct buddy_zone *z, int err, buddy_pfn_t pfn,
                   unsigned order);

/* The zone operations with the lock held (the public calls lock around
 * them). Allocations say the migrate type they are for, already mapped by
 * buddy__request_type (the zone calls without one pass pb_key: movable, or
 * with grouping off the zone's one type). free with !order_given frees the
 * ALLOCATED block at pfn whatever its order; a refused free is counted and
 * reported. */
int buddy__alloc_pages_locked(struct buddy_zone *z, unsigned order,
                              unsigned mt, buddy_pfn_t *pfn);
/* With the allocation flags of a system's slow path (the kernel's
 * alloc_flags): ALLOC_HIGHATOMIC tries the HIGHATOMIC reserve first and
 * reserves a pageblock after; ALLOC_NON_BLOCK may take from the reserve
 * when nothing else is left. */
#define BUDDY__ALLOC_HIGHATOMIC 0x1u
#define BUDDY__ALLOC_NON_BLOCK 0x2u
/* ALLOC_NOFRAGMENT: fall back only by claiming whole pageblocks; a system
 * tries a lower zone before it fragments a higher one. */
#define BUDDY__ALLOC_NOFRAGMENT 0x4u
/* ALLOC_KSWAPD: the request may wake kswapd, so a claim that boosts the
 * marks sets the zone's boosted_wmark for the system to wake it after the
 * allocation. It changes no choice of block: a request with only this
 * flag takes the common path. */
#define BUDDY__ALLOC_KSWAPD 0x8u
int buddy__alloc_pages_flags_locked(struct buddy_zone *z, unsigned order,
                                    unsigned mt, unsigned aflags,
                                    buddy_pfn_t *pfn);
/* __rmqueue_smallest for type mt, nothing else; BUDDY_NIL when mt's lists
 * have no block of order or more. Lock held. */
uint32_t buddy__rmqueue_smallest(struct buddy_zone *z, unsigned order,
                                 unsigned mt);
/* Up to `want` blocks of `order` for type mt as one run of order
 * *run_order (see page_alloc.c); BUDDY_NIL when none is free. *mode
 * carries the fallback state from one run of a batch to the next:
 * BUDDY_RMQUEUE_NORMAL to start. */
uint32_t buddy__alloc_run_locked(struct buddy_zone *z, unsigned order,
                                 unsigned mt, uint32_t want, unsigned *mode,
                                 unsigned *run_order);

/* How far a batch's fallback had to go, as the kernel's rmqueue_mode: a
 * refill that had to steal does not search for a block to claim again. */
enum {
    BUDDY_RMQUEUE_NORMAL = 0, /* mt's own lists, then claim, then steal */
    BUDDY_RMQUEUE_CLAIM = 1,  /* claim, then steal */
    BUDDY_RMQUEUE_STEAL = 2,  /* steal only */
    BUDDY_RMQUEUE_NOFRAGMENT = 3 /* ALLOC_NOFRAGMENT: claim whole
                                    pageblocks only, never steal */
};

/* The pieces of __rmqueue (page_alloc.c): take the head block of list mt
 * of free_area[order], or the lazy run's next block when that list is
 * empty and mt is the run's type; expand() the block at idx from order cur
 * down to `to`, its upper halves onto lists mt. Lock held. */
uint32_t buddy__take_head(struct buddy_zone *z, unsigned order, unsigned mt);
void buddy__expand(struct buddy_zone *z, uint32_t idx, unsigned cur,
                   unsigned to, unsigned mt);

/* The kernel's fallback when mt's lists have no block of `order` or more
 * (pageblock.c): claim a whole pageblock of another type, else steal a
 * block from one. aflags are the request's BUDDY__ALLOC_* (only
 * ALLOC_KSWAPD is read here). Returns the block, its state byte the
 * caller's to write, or BUDDY_NIL. Lock held. */
uint32_t buddy__rmqueue_fallback(struct buddy_zone *z, unsigned order,
                                 unsigned mt, unsigned aflags, unsigned *mode);

/* The HIGHATOMIC reserve (pageblock.c): after a high-order atomic
 * allocation of the block at idx/order, make its pageblock a reserved
 * one while the reserve is under 1% of the zone (the kernel's
 * reserve_highatomic_pageblock); and give a reserved pageblock with free
 * memory back to type mt, keeping the last one unless `force`
 * (unreserve_highatomic_pageblock). Lock held. */
void buddy__reserve_highatomic_locked(struct buddy_zone *z, uint32_t idx,
                                      unsigned order);
bool buddy__unreserve_highatomic_locked(struct buddy_zone *z, unsigned mt,
                                        bool force);

/* Set every pageblock of the block at idx/order (order >= pageblock_order)
 * to type mt: the kernel's change_pageblock_range. Lock held. */
void buddy__pb_set_block(struct buddy_zone *z, uint32_t idx, unsigned order,
                         unsigned mt);

/* A zone free (buddy_zone_free_pages, or _pfn without order_given) made
 * by `by`: the cache whose owner frees (its slow path), NULL for any
 * other caller. */
int buddy__free_pages_locked(struct buddy_zone *z, buddy_pfn_t pfn,
                             unsigned order, bool order_given,
                             const struct buddy__pcp *by);
int buddy__zone_free_pages_by(struct buddy_zone *z, buddy_pfn_t pfn,
                              unsigned order, bool order_given,
                              const struct buddy__pcp *by);
int buddy__zone_free_by(struct buddy_zone *z, void *ptr,
                        const struct buddy__pcp *by);

/* End the zone's solo cache: from now on every cache claims with a
 * compare-and-swap. Lock held; a handshake with the owner (pcp.c). */
void buddy__caches_share_locked(struct buddy_zone *z);

/* Before a claim under the lock by anyone but the solo cache's owner. */
static inline void buddy__solo_end_locked(struct buddy_zone *z,
                                          const struct buddy__pcp *by)
{
    if (buddy_unlikely(z->solo && z->caches != by))
        buddy__caches_share_locked(z);
}
int buddy__pfn_order_locked(const struct buddy_zone *z, buddy_pfn_t pfn);

/* Return the ALLOCATED or CACHED block at idx (already checked) to the
 * free lists: counted in free_count, reported, merged. Lock held. */
void buddy__free_block_locked(struct buddy_zone *z, uint32_t idx,
                              unsigned order);

/* Hand at least `pages` pages cached by pcp back to the free lists (all of
 * them for UINT64_MAX): list l of `order` before the others, then the
 * highest orders first, every list of an order in turn. Lock held, and
 * the cache is the caller's: its owner, in a slow path, or a drain that
 * holds its gate. */
void buddy__pcp_drain_locked(struct buddy__pcp *pcp, uint64_t pages,
                             unsigned l, unsigned order);

/* Hold every attached cache's gate shut, owners out of their fast paths,
 * and open them again (the validator). Lock held. */
void buddy__caches_freeze_locked(struct buddy_zone *z);
void buddy__caches_thaw_locked(struct buddy_zone *z);
/* Fenced or not, from the zone's lock ops; the bounds set to match. Lock
 * held (or the zone not yet shared). */
void buddy__pcp_set_mode(struct buddy__pcp *pcp);

/* Drain every attached cache with pages, owners running or not (the
 * kernel's drain_all_pages): the step an allocation takes before it fails.
 * Returns the pages given back. Lock held; O(caches + cached blocks). */
uint64_t buddy__drain_caches_locked(struct buddy_zone *z);

/* The full validator at BUDDY_DEBUG 2, after each operation that changed
 * the zone: every invariant but the contents of the cache lists, which
 * owners change without the lock. Lock held. */
#if BUDDY_DEBUG >= 2
int buddy__check_zone_locked(const struct buddy_zone *z);
#define buddy_check_expensive(z)                                               \
    buddy_assert_expensive(buddy__check_zone_locked(z) == 0)
#else
#define buddy_check_expensive(z) ((void)(z))
#endif

#endif /* BUDDY_CORE_INTERNAL_H */
