/* SPDX-License-Identifier: MIT */
/*
 * zones.c: the playground's zones and everything the page reads from them.
 *
 * Each slot owns a static metadata buffer and offers the core exactly what
 * buddy_zone_meta_size says a zone of PG_MAX_PAGES pages needs. A `zone`
 * line past the page's limits (PG_MAX_PAGES, PG_MAX_ORDER) is refused first,
 * as PG_ELIMIT, naming the limit. Nothing else here decides anything
 * about allocation: each function is one or two public core calls whose
 * result is copied into a u32 table or the text buffer for JavaScript (or,
 * for pg_buddy_status, named).
 *
 * The hook records the events of the current operation, and with snapshots
 * on, a walk of the zone and its free lists at each of them (see
 * playground.h for the layout).
 * Tables are cleared when the next operation starts, so what the page reads
 * is always the last operation's story. Recording is bounded: events past
 * PG_MAX_EVENTS are dropped, and a snapshot that does not fit the pool is
 * marked missing (PG_NONE) rather than cut short.
 */
#include "playground.h"
#include "text.h"

/* A zone of PG_MAX_PAGES pages: the core's header (under 4096 bytes on
 * wasm32), 9 bytes a page, and a byte per pageblock, at most one a page
 * and one more for an unaligned start. The node tests check that a
 * PG_MAX_PAGES zone fits. */
#define PG_META_BYTES                                                          \
    (4096u + (BUDDY_META_BYTES_PER_PAGE + 1u) * PG_MAX_PAGES + 8u)

struct pg_slot {
    struct buddy_zone *z; /* NULL until a zone is made */
    bool snapshots;       /* walk the zone at every event */
    uint64_t meta[PG_META_BYTES / sizeof(uint64_t)]; /* 8-byte aligned */
};

static struct pg_slot slots[PG_SLOTS];

static char inbuf[PG_INBUF_SIZE];
static char outbuf[PG_OUTBUF_SIZE];
static struct pg_text out;

/* The walk table: one zone's blocks (every block is at least one page). */
static uint32_t blocks[(PG_MAX_PAGES + 1u) * PG_BLOCK_WORDS];

/* The last operation's events and their snapshots. */
static uint32_t events[PG_MAX_EVENTS * PG_EVENT_WORDS];
static uint32_t nr_events;
static uint32_t pool[PG_POOL_BLOCKS * PG_BLOCK_WORDS];
static uint32_t pool_used;

static uint32_t last_pfn = PG_NONE;
static uint32_t last_order;

struct buddy_zone *pg__zone(unsigned slot)
{
    return slot < PG_SLOTS ? slots[slot].z : NULL;
}

struct pg_text *pg__out_reset(void)
{
    pg_text_init(&out, outbuf, sizeof(outbuf));
    return &out;
}

void pg__events_clear(void)
{
    nr_events = 0;
    pool_used = 0;
    last_pfn = PG_NONE;
    last_order = 0;
}

/* ---- recording --------------------------------------------------------- */

struct table_walk {
    uint32_t *dst;   /* where the next block goes */
    uint32_t room;   /* blocks that still fit */
    uint32_t count;  /* blocks written */
};

static int walk_into(void *arg, const struct buddy_block *b)
{
    struct table_walk *w = arg;

    if (w->room == 0)
        return 1; /* stop: the table is full */
    w->dst[0] = (uint32_t)b->pfn;
    w->dst[1] = (uint32_t)b->nr_pages;
    w->dst[2] = b->order;
    w->dst[3] = (uint32_t)b->kind;
    w->dst += PG_BLOCK_WORDS;
    w->room--;
    w->count++;
    return 0;
}

/* The free lists at this event, after its walk in the pool: every order
 * from 0 up, each list head first. All of them or none (PG_NONE). */
static void record_lists(const struct buddy_zone *z, uint32_t *e)
{
    struct buddy_zone_info info = {0};
    struct table_walk w = {&pool[pool_used * PG_BLOCK_WORDS],
                           PG_POOL_BLOCKS - pool_used, 0};
    unsigned k;

    if (buddy_zone_get_info(z, &info) != 0)
        return;
    for (k = 0; k <= info.max_order; k++)
        if (buddy_zone_walk_free_list(z, k, walk_into, &w) != 0)
            return; /* the pool is full */
    e[8 + BUDDY_NR_ORDERS] = pool_used;
    e[9 + BUDDY_NR_ORDERS] = w.count;
    pool_used += w.count;
}

static void record(void *arg, const struct buddy_event *ev)
{
    struct pg_slot *s = arg;
    uint32_t *e;
    uint64_t n;
    unsigned k;

    if (nr_events >= PG_MAX_EVENTS)
        return;
    e = &events[nr_events++ * PG_EVENT_WORDS];
    e[0] = (uint32_t)ev->type;
    e[1] = ev->pfn == BUDDY_PFN_NONE ? PG_NONE : (uint32_t)ev->pfn;
    e[2] = ev->order;
    e[3] = ev->buddy == BUDDY_PFN_NONE ? PG_NONE : (uint32_t)ev->buddy;
    e[4] = (uint32_t)ev->nr_pages;
    e[5] = (uint32_t)ev->error;
    e[6] = pool_used;
    e[7] = PG_NONE;
    for (k = 0; k < BUDDY_NR_ORDERS; k++)
        e[8 + k] = buddy_zone_nr_free(ev->zone, k, &n) == 0 ? (uint32_t)n : 0;
    e[8 + BUDDY_NR_ORDERS] = pool_used;
    e[9 + BUDDY_NR_ORDERS] = PG_NONE;
    if (s->snapshots) {
        struct table_walk w = {&pool[pool_used * PG_BLOCK_WORDS],
                               PG_POOL_BLOCKS - pool_used, 0};

        /* The hook may walk the zone; the block being split or merged
         * shows as BUDDY_BLOCK_INFLIGHT. */
        if (buddy_zone_walk(ev->zone, walk_into, &w) == 0) {
            e[7] = w.count;
            pool_used += w.count;
        }
        record_lists(ev->zone, e);
    }
}

/* Bytes of metadata a slot offers for this configuration: what the core
 * needs for a zone of PG_MAX_PAGES pages, never more than the buffer. */
static size_t slot_capacity(const struct buddy_zone_config *cfg)
{
    struct buddy_zone_config max = *cfg;
    size_t need;

    max.start_pfn = 0;
    max.nr_pages = PG_MAX_PAGES;
    need = buddy_zone_meta_size(&max);
    if (need == 0 || need > sizeof(slots[0].meta))
        return sizeof(slots[0].meta);
    return need;
}

/* What the last PG_ELIMIT refused, for pg_strerror: "the playground's
 * zones hold at most 1024 pages, not 1025". */
static char limit_buf[96];

static int over_limit(const char *limit, unsigned value, const char *unit,
                      uint64_t asked)
{
    struct pg_text t;

    pg_text_init(&t, limit_buf, sizeof(limit_buf));
    pg_text_str(&t, "the playground's zones ");
    pg_text_str(&t, limit);
    pg_text_u64(&t, value, 0);
    pg_text_str(&t, unit);
    pg_text_str(&t, ", not ");
    pg_text_u64(&t, asked, 0);
    return PG_ELIMIT;
}

int pg__zone_create(unsigned slot, uint64_t start, uint64_t pages,
                    unsigned max_order, unsigned pageblock_order,
                    unsigned flags, bool empty)
{
    struct buddy_zone_config cfg = BUDDY_ZONE_CONFIG_INIT;
    struct buddy_zone *z;
    struct pg_slot *s;
    int err;

    if (slot >= PG_SLOTS)
        return BUDDY_ENODE;
    s = &slots[slot];
    cfg.start_pfn = start;
    cfg.nr_pages = pages;
    cfg.max_order = max_order;
    cfg.pageblock_order = pageblock_order;
    cfg.flags = flags;
    /* The page's own limits come first, so that a zone the page cannot draw
     * is refused by name rather than by whatever the core would say of the
     * slot's buffer (ENOSPC) or, for a max_order the buffer holds, not at
     * all. Every way of making a zone comes through here. */
    if (pages > PG_MAX_PAGES)
        return over_limit("hold at most ", PG_MAX_PAGES, " pages", pages);
    if (max_order > PG_MAX_ORDER)
        return over_limit("go up to max order ", PG_MAX_ORDER, "",
                          max_order);
    /* The slot holds PG_MAX_PAGES pages, as the core sizes them; offering
     * exactly that lets the core refuse what does not fit. The core checks
     * everything and writes nothing on error, so the slot's old zone
     * survives a bad `zone` line. */
    err = buddy_zone_init(s->meta, slot_capacity(&cfg), &cfg, &z);
    if (err != 0)
        return err;
    s->z = z;
    pg__script_forget(slot); /* the old zone's tenants went with it */
    buddy_zone_set_hook(z, record, s);
    if (!empty)
        err = buddy_zone_add_range(z, start, pages);
    return err;
}

/* ---- buffers ----------------------------------------------------------- */

/* The version of this ABI; the page refuses a module it does not know. */
uint32_t PG_EXPORT(pg_abi_version)(void)
{
    return PG_ABI_VERSION;
}

/* Where JavaScript writes a script line (UTF-8) before pg_exec. */
char *PG_EXPORT(pg_inbuf)(void)
{
    return inbuf;
}

uint32_t PG_EXPORT(pg_inbuf_size)(void)
{
    return sizeof(inbuf);
}

/* The text of the last call that writes text (NUL-terminated). */
const char *PG_EXPORT(pg_out)(void)
{
    return outbuf;
}

uint32_t PG_EXPORT(pg_out_len)(void)
{
    return (uint32_t)out.len;
}

/* ---- operations -------------------------------------------------------- */

/* A zone of `pages` pages, all free. 0 or a BUDDY_E* code. */
int PG_EXPORT(pg_zone_new)(uint32_t slot, uint32_t pages, uint32_t max_order)
{
    pg__events_clear();
    return pg__zone_create(slot, 0, pages, max_order, 0, 0, false);
}

static int no_zone(uint32_t slot)
{
    return slot >= PG_SLOTS ? BUDDY_ENODE : BUDDY_EBADZONE;
}

/* buddy_zone_add_range / buddy_zone_reserve. */
int PG_EXPORT(pg_zone_add)(uint32_t slot, uint32_t pfn, uint32_t count)
{
    pg__events_clear();
    if (pg__zone(slot) == NULL)
        return no_zone(slot);
    return buddy_zone_add_range(pg__zone(slot), pfn, count);
}

int PG_EXPORT(pg_zone_reserve)(uint32_t slot, uint32_t pfn, uint32_t count)
{
    pg__events_clear();
    if (pg__zone(slot) == NULL)
        return no_zone(slot);
    return buddy_zone_reserve(pg__zone(slot), pfn, count);
}

/* buddy_zone_alloc_pages: 0 and pg_last_pfn(), or a BUDDY_E* code. */
int PG_EXPORT(pg_alloc)(uint32_t slot, uint32_t order)
{
    buddy_pfn_t pfn;
    int err;

    pg__events_clear();
    if (pg__zone(slot) == NULL)
        return no_zone(slot);
    err = buddy_zone_alloc_pages(pg__zone(slot), order, &pfn);
    if (err == 0) {
        last_pfn = (uint32_t)pfn;
        last_order = order;
    }
    return err;
}

/* buddy_zone_free_pfn (order looked up) and buddy_zone_free_pages. On success
 * pg_last_order() is the order freed. */
int PG_EXPORT(pg_free)(uint32_t slot, uint32_t pfn)
{
    int order, err;

    pg__events_clear();
    if (pg__zone(slot) == NULL)
        return no_zone(slot);
    order = buddy_zone_pfn_order(pg__zone(slot), pfn);
    err = buddy_zone_free_pfn(pg__zone(slot), pfn);
    if (err == 0) {
        last_pfn = pfn;
        last_order = (uint32_t)order;
    }
    return err;
}

int PG_EXPORT(pg_free_order)(uint32_t slot, uint32_t pfn, uint32_t order)
{
    int err;

    pg__events_clear();
    if (pg__zone(slot) == NULL)
        return no_zone(slot);
    err = buddy_zone_free_pages(pg__zone(slot), pfn, order);
    if (err == 0) {
        last_pfn = pfn;
        last_order = order;
    }
    return err;
}

/* Set by alloc (the block's pfn and order) and free (what was freed). */
uint32_t PG_EXPORT(pg_last_pfn)(void)
{
    return last_pfn;
}

uint32_t PG_EXPORT(pg_last_order)(void)
{
    return last_order;
}

void pg__set_last(uint32_t pfn, uint32_t order)
{
    last_pfn = pfn;
    last_order = order;
}

/* ---- views ------------------------------------------------------------- */

int PG_EXPORT(pg_has_zone)(uint32_t slot)
{
    return pg__zone(slot) != NULL;
}

uint32_t PG_EXPORT(pg_start_pfn)(uint32_t slot)
{
    struct buddy_zone_info info = {0};

    if (pg__zone(slot) == NULL ||
        buddy_zone_get_info(pg__zone(slot), &info) != 0)
        return 0;
    return (uint32_t)info.start_pfn;
}

uint32_t PG_EXPORT(pg_pages)(uint32_t slot)
{
    return pg_stat(slot, PG_STAT_SPANNED);
}

uint32_t PG_EXPORT(pg_max_order)(uint32_t slot)
{
    struct buddy_zone_info info = {0};

    if (pg__zone(slot) == NULL ||
        buddy_zone_get_info(pg__zone(slot), &info) != 0)
        return 0;
    return info.max_order;
}

/* One counter of buddy_zone_get_stats (enum pg_stat_which). */
uint32_t PG_EXPORT(pg_stat)(uint32_t slot, uint32_t which)
{
    struct buddy_zone_stats st;

    if (pg__zone(slot) == NULL ||
        buddy_zone_get_stats(pg__zone(slot), &st) != 0)
        return 0;
    switch (which) {
    case PG_STAT_SPANNED:
        return (uint32_t)st.spanned_pages;
    case PG_STAT_PRESENT:
        return (uint32_t)st.present_pages;
    case PG_STAT_MANAGED:
        return (uint32_t)st.managed_pages;
    case PG_STAT_RESERVED:
        return (uint32_t)st.reserved_pages;
    case PG_STAT_FREE:
        return (uint32_t)st.free_pages;
    case PG_STAT_ALLOCATED:
        return (uint32_t)(st.managed_pages - st.free_pages);
    case PG_STAT_SPLITS:
        return (uint32_t)st.splits;
    case PG_STAT_MERGES:
        return (uint32_t)st.merges;
    case PG_STAT_ALLOC_FAILURES:
        return (uint32_t)st.alloc_failures;
    case PG_STAT_REJECTED:
        return (uint32_t)st.rejected;
    default:
        return 0;
    }
}

/* free_area[order].nr_free. */
uint32_t PG_EXPORT(pg_nr_free)(uint32_t slot, uint32_t order)
{
    uint64_t n;

    return pg__zone(slot) != NULL &&
                   buddy_zone_nr_free(pg__zone(slot), order, &n) == 0
               ? (uint32_t)n
               : 0;
}

/* The highest order with a free block, or -1 when nothing is free: the
 * largest allocation that would succeed now. */
int PG_EXPORT(pg_largest_free_order)(uint32_t slot)
{
    unsigned k;

    if (pg__zone(slot) == NULL)
        return -1;
    for (k = BUDDY_NR_ORDERS; k-- > 0;)
        if (pg_nr_free(slot, k) != 0)
            return (int)k;
    return -1;
}

/* The extfrag indices of mm/vmstat.c, in thousandths. */
int PG_EXPORT(pg_unusable_index)(uint32_t slot, uint32_t order)
{
    int index;

    return pg__zone(slot) != NULL &&
                   buddy_zone_unusable_index(pg__zone(slot), order, &index) == 0
               ? index
               : 0;
}

int PG_EXPORT(pg_fragmentation_index)(uint32_t slot, uint32_t order)
{
    int index;

    return pg__zone(slot) != NULL &&
                   buddy_zone_fragmentation_index(pg__zone(slot), order,
                                                  &index) == 0
               ? index
               : 0;
}

/* ---- migrate types -------------------------------------------------------- */

/* A zone of `pages` pages, all free, in pageblocks of 2^pageblock_order
 * (0: the default), grouping by mobility off when `nogrouping`. */
int PG_EXPORT(pg_zone_new_typed)(uint32_t slot, uint32_t pages,
                                 uint32_t max_order, uint32_t pageblock_order,
                                 uint32_t nogrouping)
{
    pg__events_clear();
    return pg__zone_create(slot, 0, pages, max_order, pageblock_order,
                           nogrouping ? BUDDY_ZONE_NO_GROUPING : 0, false);
}

/* buddy_zone_alloc_pages_type: 0 and pg_last_pfn(), or a BUDDY_E* code. */
int PG_EXPORT(pg_alloc_type)(uint32_t slot, uint32_t order, uint32_t mt)
{
    buddy_pfn_t pfn;
    int err;

    pg__events_clear();
    if (pg__zone(slot) == NULL)
        return no_zone(slot);
    err = buddy_zone_alloc_pages_type(pg__zone(slot), order,
                                      (enum buddy_migratetype)mt, &pfn);
    if (err == 0) {
        last_pfn = (uint32_t)pfn;
        last_order = order;
    }
    return err;
}

/* The migrate type of the pageblock holding pfn, or a BUDDY_E* code. */
int PG_EXPORT(pg_pageblock_type)(uint32_t slot, uint32_t pfn)
{
    enum buddy_migratetype mt;
    int err;

    if (pg__zone(slot) == NULL)
        return no_zone(slot);
    err = buddy_zone_pageblock_type(pg__zone(slot), pfn, &mt);
    return err != 0 ? err : (int)mt;
}

/* The zone's /proc/pagetypeinfo into pg_out(); returns its length. */
uint32_t PG_EXPORT(pg_pagetypeinfo)(uint32_t slot)
{
    struct pg_text *t = pg__out_reset();
    size_t n;

    if (pg__zone(slot) == NULL)
        return 0;
    n = buddy_zone_pagetypeinfo(pg__zone(slot), t->buf, t->cap);
    t->len = n < t->cap ? n : t->cap - 1;
    return (uint32_t)t->len;
}

/* The /proc/buddyinfo line into pg_out(); returns its length. */
uint32_t PG_EXPORT(pg_buddyinfo)(uint32_t slot)
{
    struct pg_text *t = pg__out_reset();
    size_t n;

    if (pg__zone(slot) == NULL)
        return 0;
    n = buddy_zone_buddyinfo(pg__zone(slot), t->buf, t->cap);
    t->len = n < t->cap ? n : t->cap - 1;
    return (uint32_t)t->len;
}

void pg__check_text(struct pg_text *t, int err,
                    const struct buddy_check_report *rep)
{
    if (err == 0) {
        pg_text_str(t, "ok");
        return;
    }
    pg_text_str(t, buddy_strerror(err));
    if (rep->what != NULL && rep->what[0] != '\0') {
        pg_text_str(t, ": ");
        pg_text_str(t, rep->what);
    }
    pg_text_str(t, " (");
    if (rep->pfn != BUDDY_PFN_NONE) {
        pg_text_str(t, "pfn ");
        pg_text_u64(t, rep->pfn, 0);
        pg_text_str(t, ", ");
    }
    pg_text_str(t, "order ");
    pg_text_u64(t, rep->order, 0);
    pg_text_str(t, ", expected ");
    pg_text_u64(t, rep->expected, 0);
    pg_text_str(t, ", found ");
    pg_text_u64(t, rep->actual, 0);
    pg_text_str(t, ")");
}

/* buddy_zone_check: 0 or the error, with the verdict in pg_out(). */
int PG_EXPORT(pg_check)(uint32_t slot)
{
    struct buddy_check_report rep;
    struct pg_text *t = pg__out_reset();
    int err;

    if (pg__zone(slot) == NULL) {
        pg_text_str(t, "no zone");
        return no_zone(slot);
    }
    err = buddy_zone_check(pg__zone(slot), &rep);
    pg__check_text(t, err, &rep);
    return err;
}

/* Walk the zone into pg_blocks(); returns the number of blocks. */
uint32_t PG_EXPORT(pg_walk)(uint32_t slot)
{
    struct table_walk w = {blocks, PG_MAX_PAGES + 1u, 0};

    if (pg__zone(slot) == NULL)
        return 0;
    if (buddy_zone_walk(pg__zone(slot), walk_into, &w) != 0)
        return 0;
    return w.count;
}

/* buddy_zone_walk_free_list: free_area[order] into pg_blocks(), in list
 * order: the block the next allocation of that order takes first (the most
 * recently freed), then the deferred blocks of the lazy run. Returns the
 * number of blocks; 0 without a zone or above max_order. O(nr_free). */
uint32_t PG_EXPORT(pg_walk_free_list)(uint32_t slot, uint32_t order)
{
    struct table_walk w = {blocks, PG_MAX_PAGES + 1u, 0};

    if (pg__zone(slot) == NULL)
        return 0;
    if (buddy_zone_walk_free_list(pg__zone(slot), order, walk_into, &w) != 0)
        return 0;
    return w.count;
}

const uint32_t *PG_EXPORT(pg_blocks)(void)
{
    return blocks;
}

/* buddy_zone_find_block: the block containing pfn, as the first entry of
 * pg_blocks(). 0 or ERANGE. */
int PG_EXPORT(pg_find_block)(uint32_t slot, uint32_t pfn)
{
    struct buddy_block b;
    struct table_walk w = {blocks, 1, 0};
    int err;

    if (pg__zone(slot) == NULL)
        return no_zone(slot);
    err = buddy_zone_find_block(pg__zone(slot), pfn, &b);
    if (err == 0)
        walk_into(&w, &b);
    return err;
}

/* The buddy rule of buddy.h: pfn ^ (1 << order). */
uint32_t PG_EXPORT(pg_buddy_of)(uint32_t pfn, uint32_t order)
{
    if (order >= 32u)
        return PG_NONE;
    return (uint32_t)buddy_find_buddy_pfn(pfn, order);
}

/*
 * Where the buddy of the block (pfn, order) stands, in the core's terms, for
 * the page to put in words; the block found at the buddy's pfn (if any) is
 * the first entry of pg_blocks(). One buddy_zone_find_block: O(max_order).
 */
int PG_EXPORT(pg_buddy_status)(uint32_t slot, uint32_t pfn, uint32_t order)
{
    struct buddy_zone *z = pg__zone(slot);
    struct buddy_block b;
    struct table_walk w = {blocks, 1, 0};
    buddy_pfn_t bpfn;

    if (z == NULL || order >= BUDDY_NR_ORDERS)
        return no_zone(slot);
    if (order >= pg_max_order(slot))
        return PG_BUDDY_TOP;
    bpfn = buddy_find_buddy_pfn(pfn, order);
    if (buddy_zone_find_block(z, bpfn, &b) != 0)
        return PG_BUDDY_OUTSIDE;
    walk_into(&w, &b);
    if (b.kind == BUDDY_BLOCK_HOLE)
        return PG_BUDDY_HOLE;
    if (b.pfn == bpfn && b.order == order)
        return b.kind == BUDDY_BLOCK_FREE ? PG_BUDDY_FREE : PG_BUDDY_BUSY;
    return b.order < order ? PG_BUDDY_SPLIT : PG_BUDDY_INSIDE;
}

/* ---- recording --------------------------------------------------------- */

/* Walk the zone at every event of this slot from now on (or stop). */
void PG_EXPORT(pg_set_snapshots)(uint32_t slot, uint32_t on)
{
    if (slot < PG_SLOTS)
        slots[slot].snapshots = on != 0;
}

uint32_t PG_EXPORT(pg_event_count)(void)
{
    return nr_events;
}

const uint32_t *PG_EXPORT(pg_events)(void)
{
    return events;
}

const uint32_t *PG_EXPORT(pg_snapshot_pool)(void)
{
    return pool;
}

/* ---- names ------------------------------------------------------------- */

const char *PG_EXPORT(pg_errname)(int err)
{
    if (err == PG_ESYNTAX)
        return "ESYNTAX";
    if (err == PG_ENOZONE)
        return "ENOZONE";
    if (err == PG_ELIMIT)
        return "ELIMIT";
    return buddy_errname(err);
}

const char *PG_EXPORT(pg_strerror)(int err)
{
    if (err == PG_ESYNTAX)
        return "malformed line";
    if (err == PG_ENOZONE)
        return "no zone yet (the first command must be 'zone PAGES MAXORDER')";
    if (err == PG_ELIMIT)
        return limit_buf[0] != '\0'
                   ? limit_buf
                   : "a zone past the playground's limits (pages, max order)";
    return buddy_strerror(err);
}

const char *PG_EXPORT(pg_kind_name)(uint32_t kind)
{
    return buddy_block_kind_name((enum buddy_block_kind)kind);
}

const char *PG_EXPORT(pg_event_name)(uint32_t type)
{
    return buddy_event_name((enum buddy_event_type)type);
}
