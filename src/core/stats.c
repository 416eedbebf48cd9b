/* SPDX-License-Identifier: MIT */
/*
 * stats.c: what a zone shows of itself: counters, the kernel's
 * /proc/buddyinfo line, and the extfrag indices of mm/vmstat.c.
 *
 * Everything here is read-only and derived from free_area[] and the zone
 * counters, so it costs O(max_order) and never walks pages. Built with
 * BUDDY_STATS=0 the zone has no event counters and get_stats says ENOTSUP.
 * Each view takes the zone lock once, so what it shows is one consistent
 * moment. Text is written with a tiny formatter of our own (no libc): it
 * counts what it would write so callers can size their buffer as with
 * snprintf. The views: buddyinfo, zoneinfo and vmstat in the kernel's
 * formats, the extfrag indices, the stats.
 */
#include "internal.h"
#include "../private/outbuf.h"

/* Every query answers through an out pointer and returns 0 or an error, in
 * one order: EBADZONE, ENULL, EORDER. */
static int query_check(const struct buddy_zone *z, const void *out)
{
    if (!buddy__zone_ok(z))
        return BUDDY_EBADZONE;
    if (out == NULL)
        return BUDDY_ENULL;
    return 0;
}

static int order_query_check(const struct buddy_zone *z, unsigned order,
                             const void *out)
{
    int err = query_check(z, out);

    if (err == 0 && order > z->max_order)
        err = BUDDY_EORDER;
    return err;
}

int buddy_zone_get_info(const struct buddy_zone *z, struct buddy_zone_info *info)
{
    int err = query_check(z, info);

    if (err != 0)
        return err;
    info->name = z->name;
    info->start_pfn = z->start_pfn;
    info->page_size = (size_t)1 << z->page_shift;
    info->max_order = z->max_order;
    info->node_id = z->node_id;
    info->zone_idx = z->zone_idx;
    return 0;
}

#if BUDDY_STATS
int buddy_zone_get_stats(const struct buddy_zone *z, struct buddy_zone_stats *st)
{
    unsigned k;
    const struct buddy__pcp *pcp;
    int err = query_check(z, st);

    if (err != 0)
        return err;
    buddy_memset(st, 0, sizeof(*st));
    buddy__lock(z);
    st->spanned_pages = z->spanned;
    st->present_pages = z->present_pages;
    st->reserved_pages = z->reserved_pages;
    st->managed_pages = buddy__managed_pages(z);
    st->free_pages = z->free_pages;
    for (k = 0; k < BUDDY_NR_ORDERS; k++) {
        st->nr_free[k] = buddy__nr_free(z, k);
        st->alloc_count[k] = z->alloc_count[k];
        st->free_count[k] = z->free_count[k];
    }
    st->splits = z->splits;
    st->merges = z->merges;
    st->alloc_failures = z->alloc_failures;
    st->fallbacks = z->fallbacks;
    st->allocstall = z->allocstall;
    st->claims = z->claims;
    st->steals = z->steals;
    st->rejected = z->rejected;
    st->cache_refills = z->cache_refills;
    st->cache_drains = z->cache_drains;
    /* Bounded by the count of caches attached, whatever the links say. */
    for (pcp = z->caches; pcp != NULL && st->nr_caches < z->nr_caches;
         pcp = pcp->next) {
        st->cached_pages += buddy__pcp_count(pcp);
        st->nr_caches++;
    }
    buddy__unlock(z);
    return 0;
}
#else
/* Built without counters: half a struct would read as zero counts, so
 * nothing is filled; free pages and nr_free have their own queries. */
int buddy_zone_get_stats(const struct buddy_zone *z, struct buddy_zone_stats *st)
{
    int err = query_check(z, st);

    return err != 0 ? err : BUDDY_ENOTSUP;
}
#endif

int buddy_zone_nr_free(const struct buddy_zone *z, unsigned order,
                       uint64_t *nr_free)
{
    int err = order_query_check(z, order, nr_free);

    if (err != 0)
        return err;
    buddy__lock(z);
    *nr_free = buddy__nr_free(z, order);
    buddy__unlock(z);
    return 0;
}

int buddy_zone_nr_free_pages(const struct buddy_zone *z, uint64_t *nr_pages)
{
    int err = query_check(z, nr_pages);

    if (err != 0)
        return err;
    buddy__lock(z);
    *nr_pages = z->free_pages;
    buddy__unlock(z);
    return 0;
}

/* ---- extfrag indices (mm/vmstat.c) -------------------------------------- */

struct contig_info {
    uint64_t free_pages;           /* all free pages */
    uint64_t free_blocks_total;    /* free blocks of any order */
    uint64_t free_blocks_suitable; /* free blocks of `order`, counting a
                                      larger block as several */
};

static void fill_contig_info(const struct buddy_zone *z, unsigned order,
                             struct contig_info *info)
{
    unsigned k;

    buddy_memset(info, 0, sizeof(*info));
    buddy__lock(z);
    for (k = 0; k <= z->max_order; k++) {
        uint64_t blocks = buddy__nr_free(z, k);

        info->free_blocks_total += blocks;
        info->free_pages += blocks << k;
        if (k >= order)
            info->free_blocks_suitable += blocks << (k - order);
    }
    buddy__unlock(z);
}

int buddy_zone_unusable_index(const struct buddy_zone *z, unsigned order,
                              int *index)
{
    struct contig_info info;
    int err = order_query_check(z, order, index);

    if (err != 0)
        return err;
    fill_contig_info(z, order, &info);
    /* No free memory reads as "all of it unusable". */
    if (info.free_pages == 0)
        *index = 1000;
    else
        *index = (int)((info.free_pages -
                        (info.free_blocks_suitable << order)) *
                       1000u / info.free_pages);
    return 0;
}

int buddy_zone_fragmentation_index(const struct buddy_zone *z, unsigned order,
                                   int *index)
{
    struct contig_info info;
    uint64_t requested = (uint64_t)1 << order;
    int err = order_query_check(z, order, index);

    if (err != 0)
        return err;
    fill_contig_info(z, order, &info);
    /* The kernel's __fragmentation_index: 0 with nothing free, -1000 when
     * the order can be served, else its formula, which is below 0 with a
     * single free block smaller than the request (free memory short). */
    if (info.free_blocks_total == 0)
        *index = 0;
    else if (info.free_blocks_suitable != 0)
        *index = -1000;
    else
        *index = 1000 - (int)((1000u + info.free_pages * 1000u / requested) /
                              info.free_blocks_total);
    return 0;
}

/* ---- text --------------------------------------------------------------- */

/* "Node %d, zone %8s " then "%6lu " per order, as mm/vmstat.c frag_show. */
static void out_buddyinfo(struct outbuf *o, const struct buddy_zone *z)
{
    unsigned k;

    out_str(o, "Node ", 0);
    out_u64(o, z->node_id < 0 ? 0u : (uint64_t)z->node_id, 0);
    out_str(o, ", zone ", 0);
    out_str(o, z->name, 8);
    out_char(o, ' ');
    for (k = 0; k <= z->max_order; k++) {
        out_u64(o, buddy__nr_free(z, k), 6);
        out_char(o, ' ');
    }
    out_char(o, '\n');
}

/* A per-zone view: one zone's text, the zone lock held. */
typedef void (*out_zone_fn)(struct outbuf *o, const struct buddy_zone *z);

/* One zone's view into buf, as snprintf; 0 and "" for a bad zone. */
static size_t view_zone(const struct buddy_zone *z, char *buf, size_t size,
                        out_zone_fn fn)
{
    struct outbuf o = {buf, buf == NULL ? 0 : size, 0};

    if (buddy__zone_ok(z)) {
        buddy__lock(z);
        fn(&o, z);
        buddy__unlock(z);
    }
    out_finish(&o);
    return o.len;
}

/* Every zone's view, nodes in order, zones from index 0 up. */
static size_t view_system(const struct buddy_system *system, char *buf,
                          size_t size, out_zone_fn fn)
{
    const struct buddy__system *sys = buddy__sys_const(system);
    struct outbuf o = {buf, buf == NULL ? 0 : size, 0};
    unsigned nid, zi;

    if (sys != NULL)
        for (nid = 0; nid < sys->nr_nodes; nid++)
            for (zi = 0; zi < BUDDY_MAX_NR_ZONES; zi++)
                if (sys->zones[nid][zi] != NULL) {
                    buddy__lock(sys->zones[nid][zi]);
                    fn(&o, sys->zones[nid][zi]);
                    buddy__unlock(sys->zones[nid][zi]);
                }
    out_finish(&o);
    return o.len;
}

size_t buddy_zone_buddyinfo(const struct buddy_zone *z, char *buf, size_t size)
{
    return view_zone(z, buf, size, out_buddyinfo);
}

/* "\n", the indent, the field name padded to `width`, the value: as
 * zoneinfo_show_print's "\n        min      %lu" (width 9) and
 * "\n              count:    %i" (width 10). */
static void out_field(struct outbuf *o, const char *indent, const char *name,
                      unsigned width, uint64_t v)
{
    unsigned n = 0;

    out_char(o, '\n');
    out_str(o, indent, 0);
    out_str(o, name, 0);
    while (name[n] != '\0')
        n++;
    for (; n < width; n++)
        out_char(o, ' ');
    out_u64(o, v, 0);
}

/* One zone of /proc/zoneinfo, in the kernel's layout (mm/vmstat.c
 * zoneinfo_show_print), with the lines libbuddy has a value for: the
 * per-node and NUMA counters, CMA, the vm stats threshold and
 * node_unreclaimable are the kernel's alone. Each attached cache is one
 * "cpu:" of the pagesets, numbered along the zone's list of caches (the
 * most recently attached first). Lock held. */
static void out_zoneinfo(struct outbuf *o, const struct buddy_zone *z)
{
    const struct buddy__pcp *pcp = z->caches;
    uint32_t n;
    unsigned k;

    out_str(o, "Node ", 0);
    out_u64(o, z->node_id < 0 ? 0u : (uint64_t)z->node_id, 0);
    out_str(o, ", zone ", 0);
    out_str(o, z->name, 8);
    out_str(o, "\n  pages free     ", 0);
    out_u64(o, z->free_pages, 0);
    out_field(o, "        ", "boost", 9, z->wmarks.boost);
    /* The marks as the kernel's wmark_pages() reads them: boost added. */
    out_field(o, "        ", "min", 9,
              z->wmarks.wmark[BUDDY_WMARK_MIN] + z->wmarks.boost);
    out_field(o, "        ", "low", 9,
              z->wmarks.wmark[BUDDY_WMARK_LOW] + z->wmarks.boost);
    out_field(o, "        ", "high", 9,
              z->wmarks.wmark[BUDDY_WMARK_HIGH] + z->wmarks.boost);
    out_field(o, "        ", "promo", 9,
              z->wmarks.wmark[BUDDY_WMARK_PROMO] + z->wmarks.boost);
    out_field(o, "        ", "spanned", 9, z->spanned);
    out_field(o, "        ", "present", 9, z->present_pages);
    out_field(o, "        ", "managed", 9, buddy__managed_pages(z));
    out_str(o, "\n        protection: (", 0);
    for (k = 0; k < BUDDY_MAX_NR_ZONES; k++) {
        if (k != 0)
            out_str(o, ", ", 0);
        out_u64(o, z->wmarks.lowmem_reserve[k], 0);
    }
    out_char(o, ')');
    /* The kernel's populated_zone(): nothing more for a zone without
     * managed pages. */
    if (buddy__managed_pages(z) == 0) {
        out_char(o, '\n');
        return;
    }
    out_str(o, "\n      nr_free_pages ", 0);
    out_u64(o, z->free_pages, 0);
    out_str(o, "\n  pagesets", 0);
    for (n = 0; pcp != NULL && n < z->nr_caches; n++, pcp = pcp->next) {
        out_str(o, "\n    cpu: ", 0);
        out_u64(o, n, 0);
        out_field(o, "              ", "count:", 10, buddy__pcp_count(pcp));
        out_field(o, "              ", "high:", 10, pcp->high);
        out_field(o, "              ", "batch:", 10, pcp->batch);
    }
    out_str(o, "\n  start_pfn:           ", 0);
    out_u64(o, z->start_pfn, 0);
    out_char(o, '\n');
}

size_t buddy_zone_zoneinfo(const struct buddy_zone *z, char *buf, size_t size)
{
    return view_zone(z, buf, size, out_zoneinfo);
}

size_t buddy_system_zoneinfo(const struct buddy_system *system, char *buf,
                             size_t size)
{
    return view_system(system, buf, size, out_zoneinfo);
}

/* ---- migrate types: pagetypeinfo -------------------------------------- */

static const char *const migratetype_names[BUDDY_MIGRATE_TYPES] = {
    "Unmovable", "Movable", "Reclaimable", "HighAtomic", "Isolate"};

const char *buddy_migratetype_name(enum buddy_migratetype mt)
{
    return (unsigned)mt < BUDDY_MIGRATE_TYPES ? migratetype_names[mt] : "?";
}

/* The pageblock counts as pagetypeinfo_showblockcount_print takes them:
 * the pageblock of every pageblock_nr_pages-th pfn from the zone's start.
 * Lock held. O(pageblocks). */
static void count_pageblocks(const struct buddy_zone *z, uint64_t *count)
{
    uint64_t step = (uint64_t)1 << z->pageblock_order, idx;

    for (idx = 0; idx < z->spanned; idx += step) {
        unsigned mt = buddy__pb_type(z, (uint32_t)idx);

        if (mt < BUDDY_MIGRATE_TYPES)
            count[mt]++;
    }
}

int buddy_zone_get_pagetypes(const struct buddy_zone *z,
                             struct buddy_zone_pagetypes *pt)
{
    unsigned k, t;
    int err = query_check(z, pt);

    if (err != 0)
        return err;
    buddy_memset(pt, 0, sizeof(*pt));
    buddy__lock(z);
    pt->pageblock_order = z->pageblock_order;
    pt->grouping = buddy__grouping(z);
    for (k = 0; k <= z->max_order; k++)
        for (t = 0; t < BUDDY_MIGRATE_TYPES; t++)
            pt->nr_free[k][t] = z->free_area[k].list[t].nr;
    count_pageblocks(z, pt->nr_pageblocks);
    buddy__unlock(z);
    return 0;
}

int buddy_zone_pageblock_type(const struct buddy_zone *z, buddy_pfn_t pfn,
                              enum buddy_migratetype *mt)
{
    int err = query_check(z, mt);
    buddy_pfn_t rel = pfn - z->start_pfn;

    if (err != 0)
        return err;
    if (rel >= z->spanned)
        return BUDDY_ERANGE;
    buddy__lock(z);
    *mt = (enum buddy_migratetype)buddy__pb_type(z, (uint32_t)rel);
    buddy__unlock(z);
    return 0;
}

/* The kernel stops counting a list at 100000 blocks, under its zone lock,
 * and prints ">100000"; the counts here are exact, and printed the same
 * way so the text reads as the kernel's. */
#define PAGETYPEINFO_CAP 100000u

/* pagetypeinfo_showfree_print: "Node %4d, zone %8s, type %12s " and
 * "%s%6lu " per order, one line per type. Lock held. */
static void out_pagetypes_free(struct outbuf *o, const struct buddy_zone *z,
                               unsigned max_order)
{
    unsigned t, k;

    for (t = 0; t < BUDDY_MIGRATE_TYPES; t++) {
        out_str(o, "Node ", 0);
        out_u64(o, z->node_id < 0 ? 0u : (uint64_t)z->node_id, 4);
        out_str(o, ", zone ", 0);
        out_str(o, z->name, 8);
        out_str(o, ", type ", 0);
        out_str(o, migratetype_names[t], 12);
        out_char(o, ' ');
        for (k = 0; k <= max_order; k++) {
            uint64_t n = k <= z->max_order ? z->free_area[k].list[t].nr : 0;

            if (n >= PAGETYPEINFO_CAP) {
                out_char(o, '>');
                n = PAGETYPEINFO_CAP;
            }
            out_u64(o, n, 6);
            out_char(o, ' ');
        }
        out_char(o, '\n');
    }
}

/* pagetypeinfo_showblockcount_print: "Node %d, zone %8s " and "%12lu "
 * per type. Lock held. */
static void out_pagetypes_blocks(struct outbuf *o, const struct buddy_zone *z)
{
    uint64_t count[BUDDY_MIGRATE_TYPES] = {0};
    unsigned t;

    count_pageblocks(z, count);
    out_str(o, "Node ", 0);
    out_u64(o, z->node_id < 0 ? 0u : (uint64_t)z->node_id, 0);
    out_str(o, ", zone ", 0);
    out_str(o, z->name, 8);
    out_char(o, ' ');
    for (t = 0; t < BUDDY_MIGRATE_TYPES; t++) {
        out_u64(o, count[t], 12);
        out_char(o, ' ');
    }
    out_char(o, '\n');
}

/* pagetypeinfo_show for one node, zones[0..n) (NULL where a node has
 * none): the headers and both tables, each zone's lock taken for its
 * rows. */
static void out_pagetypeinfo_node(struct outbuf *o,
                                  const struct buddy_zone *const *zones,
                                  unsigned n)
{
    const struct buddy_zone *first = NULL;
    unsigned zi, k, t, max_order = 0;

    for (zi = 0; zi < n; zi++) {
        if (zones[zi] == NULL)
            continue;
        if (first == NULL)
            first = zones[zi];
        if (zones[zi]->max_order > max_order)
            max_order = zones[zi]->max_order;
    }
    if (first == NULL)
        return; /* a node without memory prints nothing, as the kernel's */
    out_str(o, "Page block order: ", 0);
    out_u64(o, first->pageblock_order, 0);
    out_str(o, "\nPages per block:  ", 0);
    out_u64(o, (uint64_t)1 << first->pageblock_order, 0);
    out_str(o, "\n\nFree pages count per migrate type at order  ", 0);
    for (k = 0; k <= max_order; k++) {
        out_u64(o, k, 6);
        out_char(o, ' ');
    }
    out_char(o, '\n');
    for (zi = 0; zi < n; zi++)
        if (zones[zi] != NULL) {
            buddy__lock(zones[zi]);
            out_pagetypes_free(o, zones[zi], max_order);
            buddy__unlock(zones[zi]);
        }
    out_str(o, "\nNumber of blocks type  ", 0);
    for (t = 0; t < BUDDY_MIGRATE_TYPES; t++) {
        out_str(o, migratetype_names[t], 12);
        out_char(o, ' ');
    }
    out_char(o, '\n');
    for (zi = 0; zi < n; zi++)
        if (zones[zi] != NULL) {
            buddy__lock(zones[zi]);
            out_pagetypes_blocks(o, zones[zi]);
            buddy__unlock(zones[zi]);
        }
}

size_t buddy_zone_pagetypeinfo(const struct buddy_zone *z, char *buf,
                               size_t size)
{
    struct outbuf o = {buf, buf == NULL ? 0 : size, 0};

    if (buddy__zone_ok(z))
        out_pagetypeinfo_node(&o, &z, 1);
    out_finish(&o);
    return o.len;
}

size_t buddy_system_pagetypeinfo(const struct buddy_system *system, char *buf,
                                 size_t size)
{
    const struct buddy__system *sys = buddy__sys_const(system);
    struct outbuf o = {buf, buf == NULL ? 0 : size, 0};
    unsigned nid;

    for (nid = 0; sys != NULL && nid < sys->nr_nodes; nid++)
        out_pagetypeinfo_node(
            &o, (const struct buddy_zone *const *)sys->zones[nid],
            BUDDY_MAX_NR_ZONES);
    out_finish(&o);
    return o.len;
}

/* The vmstat name of a zone: "<prefix>_<name>", the name lowercased and
 * anything but a letter or digit written as '_' ("pgalloc_normal"). */
static void out_vmstat_name(struct outbuf *o, const char *prefix,
                            const char *name)
{
    out_str(o, prefix, 0);
    out_char(o, '_');
    for (; *name != '\0'; name++) {
        char c = *name;

        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        else if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')))
            c = '_';
        out_char(o, c);
    }
}

#if BUDDY_STATS
/* Pages in the blocks a per-order counter counts. */
static uint64_t pages_of(const uint64_t *count, unsigned max_order)
{
    uint64_t pages = 0;
    unsigned k;

    for (k = 0; k <= max_order; k++)
        pages += count[k] << k;
    return pages;
}
#endif

/* /proc/vmstat's lines for the zones of `sys`. */
static size_t vmstat_of(const struct buddy__system *sys, char *buf,
                        size_t size)
{
    struct outbuf o = {buf, buf == NULL ? 0 : size, 0};
    uint64_t free_pages = 0, pgalloc[BUDDY_MAX_NR_ZONES] = {0};
    uint64_t allocstall[BUDDY_MAX_NR_ZONES] = {0}, pgfree = 0;
    const char *name[BUDDY_MAX_NR_ZONES] = {NULL};
    unsigned nid, zi;

    if (sys == NULL) {
        out_finish(&o);
        return 0;
    }
    /* Summed over nodes by zone index, as the kernel sums by zone type;
     * each index is named after its zone on the lowest node. */
    for (nid = 0; nid < sys->nr_nodes; nid++)
        for (zi = 0; zi < BUDDY_MAX_NR_ZONES; zi++) {
            const struct buddy_zone *z = sys->zones[nid][zi];

            if (z == NULL)
                continue;
            if (name[zi] == NULL)
                name[zi] = z->name;
            buddy__lock(z);
            free_pages += z->free_pages;
#if BUDDY_STATS
            pgalloc[zi] += pages_of(z->alloc_count, z->max_order);
            allocstall[zi] += z->allocstall;
            pgfree += pages_of(z->free_count, z->max_order);
#endif
            buddy__unlock(z);
        }
    out_str(&o, "nr_free_pages ", 0);
    out_u64(&o, free_pages, 0);
    out_char(&o, '\n');
    /* Without statistics there are no event counters to print. */
    for (zi = 0; BUDDY_STATS && zi < BUDDY_MAX_NR_ZONES; zi++)
        if (name[zi] != NULL) {
            out_vmstat_name(&o, "pgalloc", name[zi]);
            out_char(&o, ' ');
            out_u64(&o, pgalloc[zi], 0);
            out_char(&o, '\n');
        }
    for (zi = 0; BUDDY_STATS && zi < BUDDY_MAX_NR_ZONES; zi++)
        if (name[zi] != NULL) {
            out_vmstat_name(&o, "allocstall", name[zi]);
            out_char(&o, ' ');
            out_u64(&o, allocstall[zi], 0);
            out_char(&o, '\n');
        }
    if (BUDDY_STATS) {
        out_str(&o, "pgfree ", 0);
        out_u64(&o, pgfree, 0);
        out_char(&o, '\n');
        /* The system's own vm events, bumped by reclaimers on any thread. */
        out_str(&o, "slabs_scanned ", 0);
        out_u64(&o, buddy_load_relaxed(&sys->slabs_scanned), 0);
        out_char(&o, '\n');
        out_str(&o, "pageoutrun ", 0);
        out_u64(&o, buddy_load_relaxed(&sys->pageoutrun), 0);
        out_char(&o, '\n');
    }
    out_finish(&o);
    return o.len;
}

size_t buddy_system_vmstat(const struct buddy_system *system, char *buf,
                           size_t size)
{
    return vmstat_of(buddy__sys_const(system), buf, size);
}

size_t buddy_zone_vmstat(const struct buddy_zone *z, char *buf, size_t size)
{
    struct buddy__system alone;

    if (!buddy__zone_ok(z))
        return vmstat_of(NULL, buf, size); /* "" and 0, as every view */
    buddy__system_of_zone(&alone, z);
    return vmstat_of(&alone, buf, size);
}

size_t buddy_system_buddyinfo(const struct buddy_system *system, char *buf,
                              size_t size)
{
    return view_system(system, buf, size, out_buddyinfo);
}
