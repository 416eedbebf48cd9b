/* SPDX-License-Identifier: MIT */
/*
 * harness.c: run each operation on a real zone and on the model, and prove
 * they agree (see harness.h).
 *
 * What is compared, and why it is exact:
 *   - return codes: the model implements the documented precedence of every
 *     error;
 *   - the block an allocation returns: it must be the first pfn of a
 *     canonical free block of the smallest non-empty order >= the request
 *     (the allocator takes that list's head and keeps the lower half);
 *   - splits and merges: an allocation splits (from_order - order) times, a
 *     free merges up to the canonical block that contains it afterwards;
 *   - a refused call: the stats are unchanged but for one count, and the
 *     per-page metadata (the buffer's tail after the fixed header, see
 *     buddy_zone_meta_size) is byte for byte what it was;
 *   - harness_check: the validator passes, a walk shows exactly the model's
 *     pages with free blocks exactly the canonical ones, and every stat
 *     equals the model's count.
 */
#include "harness.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__GNUC__)
#define HARNESS_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define HARNESS_PRINTF(a, b)
#endif

static int fail(struct harness *h, const char *fmt, ...) HARNESS_PRINTF(2, 3);

/* Record why the library and the model disagree; always -1. */
static int fail(struct harness *h, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(h->err, sizeof(h->err), fmt, ap);
    va_end(ap);
    return -1;
}

static void set_op(struct harness *h, const char *fmt, ...) HARNESS_PRINTF(2, 3);

static void set_op(struct harness *h, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(h->op, sizeof(h->op), fmt, ap);
    va_end(ap);
    h->err[0] = '\0';
}

/* ---- setup ------------------------------------------------------------- */

int harness_init(struct harness *h, const struct harness_config *cfg)
{
    struct buddy_zone_config zc = BUDDY_ZONE_CONFIG_INIT;
    size_t per_page;
    unsigned shift = 0, pbo;
    int err;

    memset(h, 0, sizeof(*h));
    h->check_each_op = true;
    while (((size_t)1 << shift) < cfg->page_size)
        shift++;
    zc.start_pfn = cfg->start_pfn;
    zc.nr_pages = cfg->nr_pages;
    zc.page_size = cfg->page_size;
    zc.max_order = cfg->max_order;
    zc.base = cfg->with_base ? (void *)HARNESS_FAKE_BASE : NULL;
    zc.name = "Model";
    zc.flags = cfg->meta_zeroed ? BUDDY_ZONE_META_ZEROED : 0u;
    zc.pageblock_order = cfg->pageblock_order;
    pbo = cfg->pageblock_order != 0 ? cfg->pageblock_order
          : cfg->max_order < BUDDY_DEFAULT_PAGEBLOCK_ORDER
              ? cfg->max_order
              : BUDDY_DEFAULT_PAGEBLOCK_ORDER;

    h->meta_size = buddy_zone_meta_size(&zc);
    /* Everything after the header: the per-page arrays and a byte per
     * pageblock the span touches. */
    per_page = (size_t)BUDDY_META_BYTES_PER_PAGE * cfg->nr_pages +
               (size_t)(((cfg->start_pfn + cfg->nr_pages - 1) >> pbo) -
                        (cfg->start_pfn >> pbo) + 1);
    if (h->meta_size == 0 || h->meta_size < per_page)
        return fail(h, "buddy_zone_meta_size refused the configuration "
                       "(%zu bytes)", h->meta_size);
    h->page_meta_off = h->meta_size - per_page;
    /* Zeroed, so the never-written link words compare equal in snapshots. */
    h->meta = aligned_alloc(8, (h->meta_size + 7u) & ~(size_t)7u);
    h->snap = malloc(per_page);
    if (h->meta == NULL || h->snap == NULL ||
        model_init(&h->m, cfg->start_pfn, cfg->nr_pages, cfg->max_order,
                   shift, cfg->with_base ? HARNESS_FAKE_BASE : 0) != 0) {
        harness_destroy(h);
        return fail(h, "out of memory");
    }
    memset(h->meta, 0, h->meta_size);
    err = buddy_zone_init(h->meta, h->meta_size, &zc, &h->z);
    if (err != 0) {
        harness_destroy(h);
        return fail(h, "buddy_zone_init: %s", buddy_errname(err));
    }
    set_op(h, "init");
    if (buddy_zone_addr_align(h->z) != model_addr_align(&h->m)) {
        int r = fail(h, "buddy_zone_addr_align %zu, model %zu",
                     buddy_zone_addr_align(h->z), model_addr_align(&h->m));

        harness_destroy(h);
        return r;
    }
    return harness_check(h);
}

void harness_destroy(struct harness *h)
{
    free(h->meta);
    free(h->snap);
    model_destroy(&h->m);
    h->meta = NULL;
    h->snap = NULL;
    h->z = NULL;
}

void harness_note_freed(struct harness *h, buddy_pfn_t pfn, unsigned order)
{
    h->recent[h->recent_next].pfn = pfn;
    h->recent[h->recent_next].order = order;
    h->recent_next = (h->recent_next + 1) % HARNESS_RECENT;
    if (h->nr_recent < HARNESS_RECENT)
        h->nr_recent++;
}

/* ---- before and after one call ----------------------------------------- */

/* What a call may change in the stats when it is refused. */
enum refused_count { COUNT_NONE, COUNT_REJECTED, COUNT_ALLOC_FAILURE };

static void snapshot(struct harness *h, struct buddy_zone_stats *st)
{
    /* A failed query leaves a pattern no counter matches. */
    if (buddy_zone_get_stats(h->z, st) != 0)
        memset(st, 0xff, sizeof(*st));
    memcpy(h->snap, (uint8_t *)h->meta + h->page_meta_off,
           h->meta_size - h->page_meta_off);
}

/* Name the first field where two stats differ, or return 0. */
static int stats_diff(struct harness *h, const struct buddy_zone_stats *want,
                      const struct buddy_zone_stats *got)
{
#define STAT_FIELD_(f)                                                         \
    if (want->f != got->f)                                                     \
        return fail(h, "stat " #f " is %" PRIu64 ", expected %" PRIu64,       \
                    got->f, want->f);
    unsigned k;

    STAT_FIELD_(spanned_pages)
    STAT_FIELD_(present_pages)
    STAT_FIELD_(managed_pages)
    STAT_FIELD_(reserved_pages)
    STAT_FIELD_(free_pages)
    STAT_FIELD_(splits)
    STAT_FIELD_(merges)
    STAT_FIELD_(alloc_failures)
    STAT_FIELD_(fallbacks)
    STAT_FIELD_(rejected)
    STAT_FIELD_(cached_pages)
    STAT_FIELD_(nr_caches)
    STAT_FIELD_(cache_refills)
    STAT_FIELD_(cache_drains)
    for (k = 0; k < BUDDY_NR_ORDERS; k++) {
        STAT_FIELD_(nr_free[k])
        STAT_FIELD_(alloc_count[k])
        STAT_FIELD_(free_count[k])
    }
#undef STAT_FIELD_
    return 0;
}

/* A refused call: stats as before but for one count, metadata untouched. */
static int check_refused(struct harness *h, const struct buddy_zone_stats *before,
                         enum refused_count count)
{
    struct buddy_zone_stats want = *before, got;
    int rc;

    if (count == COUNT_REJECTED)
        want.rejected++;
    else if (count == COUNT_ALLOC_FAILURE)
        want.alloc_failures++;
    if ((rc = buddy_zone_get_stats(h->z, &got)) != 0)
        return fail(h, "buddy_zone_get_stats: %s", buddy_errname(rc));
    if (stats_diff(h, &want, &got) != 0)
        return -1;
    if (memcmp(h->snap, (uint8_t *)h->meta + h->page_meta_off,
               h->meta_size - h->page_meta_off) != 0)
        return fail(h, "a refused call changed the per-page metadata");
    return 0;
}

/* A successful free of a block of `order` that ended up in a canonical free
 * block of `final_order`: that many merges, no splits. */
static int check_merges(struct harness *h, const struct buddy_zone_stats *before,
                        unsigned order, unsigned final_order)
{
    struct buddy_zone_stats got;
    int rc = buddy_zone_get_stats(h->z, &got);

    if (rc != 0)
        return fail(h, "buddy_zone_get_stats: %s", buddy_errname(rc));
    if (got.merges - before->merges != final_order - order)
        return fail(h, "free of order %u merged %" PRIu64 " times, expected "
                       "%u (into a block of order %u)",
                    order, got.merges - before->merges, final_order - order,
                    final_order);
    if (got.splits != before->splits)
        return fail(h, "a free split blocks");
    return 0;
}

static int finish(struct harness *h)
{
    return h->check_each_op ? harness_check(h) : 0;
}

static int expect_rc(struct harness *h, int rc, int want)
{
    if (rc <= 0 && (unsigned)-rc < HARNESS_CODES)
        h->seen[-rc]++;
    if (rc != want)
        return fail(h, "returned %s, model expects %s", buddy_errname(rc),
                    buddy_errname(want));
    return 0;
}

/* ---- allocation -------------------------------------------------------- */

/* A block the library handed out at pfn for a request of `order`, taken from
 * the list of from_order: check it is where it must be and record it. */
static int accept_block(struct harness *h, buddy_pfn_t pfn, unsigned order,
                        unsigned from_order)
{
    uint64_t nr_free[BUDDY_NR_ORDERS];

    if (from_order > h->m.max_order)
        return fail(h, "model inconsistent: an aligned free run exists but "
                       "no canonical block of order >= %u", order);
    if (!model_in_span(&h->m, pfn))
        return fail(h, "allocated pfn %" PRIu64 " outside the zone", pfn);
    model_canonical(&h->m, nr_free);
    if (h->m.canon[pfn - h->m.start_pfn] != (int8_t)from_order)
        return fail(h, "allocated pfn %" PRIu64 " is not the first page of "
                       "a free block of order %u (the smallest available)",
                    pfn, from_order);
    if (!model_alloc_commit(&h->m, pfn, order))
        return fail(h, "allocated pfn %" PRIu64 " order %u: not an aligned "
                       "run of free pages in the model", pfn, order);
    return 0;
}

/* Allocations since `before` split `splits` times and merged nothing. */
static int check_splits(struct harness *h, const struct buddy_zone_stats *before,
                        uint64_t splits)
{
    struct buddy_zone_stats got;
    int rc = buddy_zone_get_stats(h->z, &got);

    if (rc != 0)
        return fail(h, "buddy_zone_get_stats: %s", buddy_errname(rc));
    if (got.splits - before->splits != splits)
        return fail(h, "allocation split %" PRIu64 " times, expected %" PRIu64,
                    got.splits - before->splits, splits);
    if (got.merges != before->merges)
        return fail(h, "an allocation merged blocks");
    return 0;
}

static int took_block(struct harness *h, const struct buddy_zone_stats *before,
                      buddy_pfn_t pfn, unsigned order, unsigned from_order)
{
    if (accept_block(h, pfn, order, from_order) != 0)
        return -1;
    return check_splits(h, before, from_order - order);
}

int harness_alloc(struct harness *h, unsigned order)
{
    struct buddy_zone_stats before;
    const buddy_pfn_t untouched = 0x5a5a5a5a5a5a5a5aull;
    buddy_pfn_t pfn = untouched;
    unsigned from = 0;
    int want, rc;

    set_op(h, "alloc_pages(order=%u)", order);
    snapshot(h, &before);
    want = model_alloc_expect(&h->m, order, &from);
    rc = buddy_zone_alloc_pages(h->z, order, &pfn);
    if (expect_rc(h, rc, want) != 0)
        return -1;
    if (rc == 0) {
        if (took_block(h, &before, pfn, order, from) != 0)
            return -1;
    } else {
        if (pfn != untouched)
            return fail(h, "a failed allocation wrote *pfn");
        if (rc == BUDDY_ENOMEM)
            model_alloc_failed(&h->m);
        if (check_refused(h, &before, rc == BUDDY_ENOMEM ? COUNT_ALLOC_FAILURE
                                                         : COUNT_NONE) != 0)
            return -1;
    }
    return finish(h);
}

int harness_alloc_bulk(struct harness *h, unsigned order, unsigned nr)
{
    struct buddy_zone_stats before;
    const buddy_pfn_t untouched = 0x5a5a5a5a5a5a5a5aull;
    buddy_pfn_t pfns[HARNESS_BULK_MAX + 1];
    uint64_t splits = 0;
    unsigned i, from = 0;
    int rc;

    set_op(h, "alloc_pages_bulk(order=%u, nr=%u)", order, nr);
    if (nr > HARNESS_BULK_MAX)
        return fail(h, "harness: bulk of %u above HARNESS_BULK_MAX", nr);
    for (i = 0; i <= HARNESS_BULK_MAX; i++)
        pfns[i] = untouched;
    snapshot(h, &before);
    rc = buddy_zone_alloc_bulk(h->z, order, nr, pfns);
    if (order > h->m.max_order) {
        if (expect_rc(h, rc, BUDDY_EORDER) != 0)
            return -1;
        if (check_refused(h, &before, COUNT_NONE) != 0)
            return -1;
        return finish(h);
    }
    if (rc < 0 || (unsigned)rc > nr)
        return fail(h, "returned %d (%s) for %u blocks", rc,
                    buddy_errname(rc), nr);
    /* As many blocks as one allocation after another can get, each where
     * that allocation would have put it; a shortage is not counted as a
     * failure. */
    for (i = 0; i < nr; i++) {
        if (model_alloc_expect(&h->m, order, &from) != 0)
            break;
        if (i >= (unsigned)rc)
            return fail(h, "returned %d blocks, model gets at least %u", rc,
                        i + 1);
        if (accept_block(h, pfns[i], order, from) != 0)
            return -1;
        splits += from - order;
    }
    h->seen[0]++;
    if (i != (unsigned)rc)
        return fail(h, "returned %d blocks, model gets %u", rc, i);
    if (pfns[rc] != untouched)
        return fail(h, "wrote pfns[%d], past the blocks it returned", rc);
    if (check_splits(h, &before, splits) != 0)
        return -1;
    if (rc == 0 && check_refused(h, &before, COUNT_NONE) != 0)
        return -1;
    return finish(h);
}

int harness_alloc_bytes(struct harness *h, size_t size, size_t align)
{
    struct buddy_zone_stats before;
    unsigned order = 0, from = 0;
    int want = 1; /* buddy_zone_alloc_aligned gives up before allocating */
    void *ptr;
    uintptr_t addr;
    buddy_pfn_t pfn;

    set_op(h, "alloc_aligned(size=%zu, align=%zu)", size, align);
    snapshot(h, &before);
    if (model_alloc_aligned_order(&h->m, size, align, &order) == 0)
        want = model_alloc_expect(&h->m, order, &from);
    ptr = align == 1 ? buddy_zone_alloc(h->z, size)
                     : buddy_zone_alloc_aligned(h->z, size, align);
    addr = (uintptr_t)ptr;
    if (want != 0) {
        if (ptr != NULL)
            return fail(h, "returned %p, model expects NULL (%s)", ptr,
                        want == 1 ? "no allocation tried"
                                  : buddy_errname(want));
        if (want == BUDDY_ENOMEM)
            model_alloc_failed(&h->m);
        if (check_refused(h, &before, want == BUDDY_ENOMEM
                                          ? COUNT_ALLOC_FAILURE
                                          : COUNT_NONE) != 0)
            return -1;
        return finish(h);
    }
    if (ptr == NULL)
        return fail(h, "returned NULL, model expects a block of order %u",
                    order);
    if (addr < h->m.base ||
        ((addr - h->m.base) & (((uintptr_t)1 << h->m.page_shift) - 1)) != 0)
        return fail(h, "returned %p: not a page of the zone", ptr);
    if (addr & (align - 1))
        return fail(h, "returned %p: not aligned to %zu", ptr, align);
    pfn = h->m.start_pfn + ((addr - h->m.base) >> h->m.page_shift);
    if (took_block(h, &before, pfn, order, from) != 0)
        return -1;
    if (buddy_zone_usable_size(h->z, ptr) != ((size_t)1 << (order + h->m.page_shift)))
        return fail(h, "usable size %zu of a fresh block of order %u",
                    buddy_zone_usable_size(h->z, ptr), order);
    return finish(h);
}

/* ---- free -------------------------------------------------------------- */

/* After a free the model already shows: check merges, remember the block. */
static int freed(struct harness *h, const struct buddy_zone_stats *before,
                 buddy_pfn_t pfn, unsigned order)
{
    buddy_pfn_t head;
    unsigned final_order = model_free_block_of(&h->m, pfn, &head);

    if (check_merges(h, before, order, final_order) != 0)
        return -1;
    harness_note_freed(h, pfn, order);
    return 0;
}

int harness_free(struct harness *h, buddy_pfn_t pfn, unsigned order)
{
    struct buddy_zone_stats before;
    int want, rc;

    set_op(h, "free_pages(pfn=%" PRIu64 ", order=%u)", pfn, order);
    snapshot(h, &before);
    want = model_free_pages(&h->m, pfn, order);
    rc = buddy_zone_free_pages(h->z, pfn, order);
    if (expect_rc(h, rc, want) != 0)
        return -1;
    if (rc == 0 ? freed(h, &before, pfn, order)
                : check_refused(h, &before, COUNT_REJECTED))
        return -1;
    return finish(h);
}

int harness_resize(struct harness *h, buddy_pfn_t pfn, unsigned order,
                   unsigned new_order)
{
    struct buddy_zone_stats before, got;
    int want, rc;

    set_op(h, "resize_pages(pfn=%" PRIu64 ", order=%u, new_order=%u)", pfn,
           order, new_order);
    snapshot(h, &before);
    want = model_resize_pages(&h->m, pfn, order, new_order);
    rc = buddy_zone_resize_pages(h->z, pfn, order, new_order);
    if (expect_rc(h, rc, want) != 0)
        return -1;
    if (rc != 0)
        return check_refused(h, &before,
                             rc == BUDDY_EBUSY ? COUNT_NONE : COUNT_REJECTED)
                   ? -1
                   : finish(h);
    /* Taken and given back in place: no split, no merge. */
    if ((rc = buddy_zone_get_stats(h->z, &got)) != 0)
        return fail(h, "buddy_zone_get_stats: %s", buddy_errname(rc));
    if (got.splits != before.splits || got.merges != before.merges)
        return fail(h, "a resize split or merged blocks");
    if (new_order < order)
        harness_note_freed(h, pfn + ((buddy_pfn_t)1 << new_order),
                           new_order); /* the smallest half given back */
    return finish(h);
}

int harness_free_pfn(struct harness *h, buddy_pfn_t pfn)
{
    struct buddy_zone_stats before;
    int order, want, rc;

    set_op(h, "free_pfn(pfn=%" PRIu64 ")", pfn);
    snapshot(h, &before);
    order = model_pfn_order(&h->m, pfn);
    want = model_free_pfn(&h->m, pfn);
    rc = buddy_zone_free_pfn(h->z, pfn);
    if (expect_rc(h, rc, want) != 0)
        return -1;
    if (rc == 0 ? freed(h, &before, pfn, (unsigned)order)
                : check_refused(h, &before, COUNT_REJECTED))
        return -1;
    return finish(h);
}

int harness_free_ptr(struct harness *h, uintptr_t addr)
{
    struct buddy_zone_stats before;
    size_t usable;
    int want, rc;
    buddy_pfn_t pfn = 0;
    int order = -1;

    set_op(h, "free(ptr=%#" PRIxPTR ")", addr);
    usable = buddy_zone_usable_size(h->z, (const void *)addr);
    if (usable != model_usable_size(&h->m, addr))
        return fail(h, "usable size %zu, model %zu", usable,
                    model_usable_size(&h->m, addr));
    snapshot(h, &before);
    if (usable != 0) {
        pfn = h->m.start_pfn + ((addr - h->m.base) >> h->m.page_shift);
        order = model_pfn_order(&h->m, pfn);
    }
    want = model_free_ptr(&h->m, addr);
    rc = buddy_zone_free(h->z, (void *)addr);
    if (expect_rc(h, rc, want) != 0)
        return -1;
    if (rc == 0 ? freed(h, &before, pfn, (unsigned)order)
                : check_refused(h, &before, COUNT_REJECTED))
        return -1;
    return finish(h);
}

/* ---- ranges ------------------------------------------------------------ */

int harness_add_range(struct harness *h, buddy_pfn_t pfn, uint64_t nr_pages)
{
    struct buddy_zone_stats before;
    int want, rc;

    set_op(h, "add_range(pfn=%" PRIu64 ", nr_pages=%" PRIu64 ")", pfn,
           nr_pages);
    snapshot(h, &before);
    want = model_add_range(&h->m, pfn, nr_pages);
    rc = buddy_zone_add_range(h->z, pfn, nr_pages);
    if (expect_rc(h, rc, want) != 0)
        return -1;
    if (rc != 0 && check_refused(h, &before, COUNT_REJECTED) != 0)
        return -1;
    return finish(h);
}

int harness_reserve(struct harness *h, buddy_pfn_t pfn, uint64_t nr_pages)
{
    struct buddy_zone_stats before;
    int want, rc;

    set_op(h, "reserve(pfn=%" PRIu64 ", nr_pages=%" PRIu64 ")", pfn,
           nr_pages);
    snapshot(h, &before);
    want = model_reserve(&h->m, pfn, nr_pages);
    rc = buddy_zone_reserve(h->z, pfn, nr_pages);
    if (expect_rc(h, rc, want) != 0)
        return -1;
    if (rc != 0 && check_refused(h, &before, COUNT_REJECTED) != 0)
        return -1;
    return finish(h);
}

/* ---- read-only calls --------------------------------------------------- */

/* Are all pages of [pfn, pfn + n) in the model of kind `page`? */
static bool all_pages(const struct model *m, buddy_pfn_t pfn, uint64_t n,
                      enum model_page page)
{
    uint64_t rel = pfn - m->start_pfn, i;

    if (!model_in_span(m, pfn) || n == 0 || n > m->nr_pages - rel)
        return false;
    for (i = 0; i < n; i++)
        if (m->page[rel + i] != page)
            return false;
    return true;
}

/* buddy_zone_find_block on an in-span pfn against the model. */
static int check_find_block(struct harness *h, buddy_pfn_t pfn)
{
    struct buddy_block b;
    enum model_page p = model_page_at(&h->m, pfn);
    int rc = buddy_zone_find_block(h->z, pfn, &b);
    buddy_pfn_t head;
    unsigned order;

    if (rc != 0)
        return fail(h, "find_block returned %s", buddy_errname(rc));
    if (pfn < b.pfn || pfn - b.pfn >= b.nr_pages)
        return fail(h, "find_block gave [%" PRIu64 ", +%" PRIu64 ") which "
                       "does not contain the pfn", b.pfn, b.nr_pages);
    switch (p) {
    case MODEL_HEAD:
    case MODEL_INTERIOR:
        order = h->m.order[pfn - h->m.start_pfn];
        head = pfn & ~(((buddy_pfn_t)1 << order) - 1);
        if (b.kind != BUDDY_BLOCK_ALLOCATED || b.pfn != head ||
            b.order != order || b.nr_pages != (uint64_t)1 << order)
            return fail(h, "find_block gave %s pfn %" PRIu64 " order %u; "
                           "model: allocated pfn %" PRIu64 " order %u",
                        buddy_block_kind_name(b.kind), b.pfn, b.order, head,
                        order);
        return 0;
    case MODEL_FREE:
        order = model_free_block_of(&h->m, pfn, &head);
        if (b.kind != BUDDY_BLOCK_FREE || b.pfn != head || b.order != order ||
            b.nr_pages != (uint64_t)1 << order)
            return fail(h, "find_block gave %s pfn %" PRIu64 " order %u; "
                           "model: free pfn %" PRIu64 " order %u",
                        buddy_block_kind_name(b.kind), b.pfn, b.order, head,
                        order);
        return 0;
    case MODEL_HOLE:
        if (b.kind != BUDDY_BLOCK_HOLE ||
            !all_pages(&h->m, b.pfn, b.nr_pages, MODEL_HOLE))
            return fail(h, "find_block gave %s [%" PRIu64 ", +%" PRIu64 "); "
                           "model: a hole",
                        buddy_block_kind_name(b.kind), b.pfn, b.nr_pages);
        return 0;
    case MODEL_RESERVED:
        if (b.kind != BUDDY_BLOCK_RESERVED ||
            b.nr_pages != (uint64_t)1 << b.order ||
            (b.pfn & (b.nr_pages - 1)) != 0 ||
            !all_pages(&h->m, b.pfn, b.nr_pages, MODEL_RESERVED))
            return fail(h, "find_block gave %s pfn %" PRIu64 " order %u; "
                           "model: reserved",
                        buddy_block_kind_name(b.kind), b.pfn, b.order);
        return 0;
    }
    return fail(h, "model page state %d unknown", (int)p);
}

int harness_query(struct harness *h, buddy_pfn_t pfn)
{
    struct buddy_zone_stats before;
    struct buddy_block b;
    int want = model_pfn_order(&h->m, pfn), rc;

    set_op(h, "query(pfn=%" PRIu64 ")", pfn);
    snapshot(h, &before);
    rc = buddy_zone_pfn_order(h->z, pfn);
    if (rc != want)
        return fail(h, "pfn_order returned %d (%s), model %d (%s)", rc,
                    buddy_errname(rc), want, buddy_errname(want));
    if (!model_in_span(&h->m, pfn)) {
        rc = buddy_zone_find_block(h->z, pfn, &b);
        if (rc != BUDDY_ERANGE)
            return fail(h, "find_block outside the zone returned %s",
                        buddy_errname(rc));
    } else {
        if (check_find_block(h, pfn) != 0)
            return -1;
        if (h->m.base != 0) {
            uintptr_t addr = model_pfn_addr(&h->m, pfn);

            if (buddy_zone_usable_size(h->z, (const void *)addr) !=
                model_usable_size(&h->m, addr))
                return fail(h, "usable size %zu, model %zu",
                            buddy_zone_usable_size(h->z, (const void *)addr),
                            model_usable_size(&h->m, addr));
            if (buddy_zone_addr_to_pfn(h->z, (const void *)addr) != pfn ||
                (uintptr_t)buddy_zone_pfn_to_addr(h->z, pfn) != addr)
                return fail(h, "pfn <-> address do not round-trip");
        }
    }
    /* Read-only calls count nothing and write nothing. */
    if (check_refused(h, &before, COUNT_NONE) != 0)
        return -1;
    return finish(h);
}

/* ---- the full comparison ----------------------------------------------- */

struct walk_ctx {
    struct harness *h;
    buddy_pfn_t next;  /* where the next block must start */
    uint32_t heads;    /* allocated blocks seen */
    int failed;
};

static int walk_block(void *arg, const struct buddy_block *b)
{
    struct walk_ctx *c = arg;
    struct harness *h = c->h;
    const struct model *m = &h->m;
    uint64_t rel = b->pfn - m->start_pfn, i;

    if (b->pfn != c->next || b->nr_pages == 0 || !model_in_span(m, b->pfn) ||
        b->nr_pages > m->nr_pages - rel)
        return c->failed = fail(h, "walk: block [%" PRIu64 ", +%" PRIu64
                                   ") where pfn %" PRIu64 " was expected",
                                b->pfn, b->nr_pages, c->next);
    c->next = b->pfn + b->nr_pages;
    switch (b->kind) {
    case BUDDY_BLOCK_HOLE:
        if (!all_pages(m, b->pfn, b->nr_pages, MODEL_HOLE))
            break;
        return 0;
    case BUDDY_BLOCK_RESERVED:
        if (b->nr_pages != (uint64_t)1 << b->order ||
            !all_pages(m, b->pfn, b->nr_pages, MODEL_RESERVED))
            break;
        return 0;
    case BUDDY_BLOCK_FREE:
        if (b->nr_pages != (uint64_t)1 << b->order ||
            m->canon[rel] != (int8_t)b->order)
            break;
        return 0;
    case BUDDY_BLOCK_ALLOCATED:
        if (b->nr_pages != (uint64_t)1 << b->order ||
            m->page[rel] != MODEL_HEAD || m->order[rel] != b->order)
            break;
        for (i = 1; i < b->nr_pages; i++)
            if (m->page[rel + i] != MODEL_INTERIOR)
                break;
        if (i < b->nr_pages)
            break;
        c->heads++;
        return 0;
    default:
        break;
    }
    {
        int canon = m->canon[rel];

        return c->failed = fail(h, "walk: %s block pfn %" PRIu64 " order %u "
                                   "(%" PRIu64 " pages); model page there: "
                                   "%d, order %u, canonical free order %d",
                                buddy_block_kind_name(b->kind), b->pfn,
                                b->order, b->nr_pages, m->page[rel],
                                m->order[rel], canon);
    }
}

int harness_check(struct harness *h)
{
    const struct model *m = &h->m;
    struct buddy_check_report rep;
    struct buddy_zone_stats st;
    struct walk_ctx c = {h, m->start_pfn, 0, 0};
    uint64_t nr_free[BUDDY_NR_ORDERS], free_pages = 0, holes = 0, reserved = 0;
    uint32_t i;
    unsigned k;
    int rc;

    rc = buddy_zone_check(h->z, &rep);
    if (rc != 0)
        return fail(h, "buddy_zone_check: %s: %s at pfn %" PRIu64 " order %u "
                       "(expected %" PRIu64 ", actual %" PRIu64 ")",
                    buddy_errname(rc), rep.what, rep.pfn, rep.order,
                    rep.expected, rep.actual);

    model_canonical(m, nr_free);
    rc = buddy_zone_walk(h->z, walk_block, &c);
    if (c.failed)
        return -1;
    if (rc != 0)
        return fail(h, "walk returned %s", buddy_errname(rc));
    if (c.next != m->start_pfn + m->nr_pages)
        return fail(h, "walk stopped at pfn %" PRIu64, c.next);
    if (c.heads != m->nr_live)
        return fail(h, "model inconsistent: %u allocated blocks, %u live",
                    c.heads, m->nr_live);

    for (i = 0; i < m->nr_pages; i++) {
        free_pages += m->page[i] == MODEL_FREE;
        holes += m->page[i] == MODEL_HOLE;
        reserved += m->page[i] == MODEL_RESERVED;
    }
    for (k = 0; k < BUDDY_NR_ORDERS; k++)
        if (k > m->max_order) {
            uint64_t n;

            if (buddy_zone_nr_free(h->z, k, &n) != BUDDY_EORDER)
                return fail(h, "nr_free of order %u above max_order %u is "
                               "not EORDER", k, m->max_order);
        } else if (model_zone_nr_free(h->z, k) != nr_free[k])
            return fail(h, "nr_free[%u] is %" PRIu64 ", canonical %" PRIu64,
                        k, model_zone_nr_free(h->z, k), nr_free[k]);
    if (model_zone_free_pages(h->z) != free_pages)
        return fail(h, "free pages %" PRIu64 ", model %" PRIu64,
                    model_zone_free_pages(h->z), free_pages);

    if ((rc = buddy_zone_get_stats(h->z, &st)) != 0)
        return fail(h, "buddy_zone_get_stats: %s", buddy_errname(rc));
    {
        /* Everything the model can know; splits and merges are checked per
         * call, as deltas. */
        struct buddy_zone_stats want = st;

        want.spanned_pages = m->nr_pages;
        want.present_pages = m->nr_pages - holes;
        want.reserved_pages = reserved;
        want.managed_pages = want.present_pages - reserved;
        want.free_pages = free_pages;
        want.alloc_failures = m->alloc_failures;
        want.fallbacks = 0;
        want.rejected = m->rejected;
        /* No per-CPU caches here: nothing is ever cached. */
        want.cached_pages = 0;
        want.nr_caches = 0;
        want.cache_refills = 0;
        want.cache_drains = 0;
        for (k = 0; k < BUDDY_NR_ORDERS; k++) {
            want.nr_free[k] = nr_free[k];
            want.alloc_count[k] = m->alloc_count[k];
            want.free_count[k] = m->free_count[k];
        }
        if (stats_diff(h, &want, &st) != 0)
            return -1;
    }
    return 0;
}
