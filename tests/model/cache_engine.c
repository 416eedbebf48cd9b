/* SPDX-License-Identifier: MIT */
/*
 * cache_engine.c: the model against a zone behind a per-CPU cache (see
 * cache_engine.h for what is compared and why it is exact).
 */
#include "cache_engine.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CACHE_OPS 11u

static int fail(struct cache_engine *e, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int fail(struct cache_engine *e, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(e->err, sizeof(e->err), fmt, ap);
    va_end(ap);
    return -1;
}

int cache_engine_init(struct cache_engine *e, const struct cache_engine_config *c)
{
    struct buddy_zone_config zc = BUDDY_ZONE_CONFIG_INIT;
    size_t size;
    int err;

    memset(e, 0, sizeof(*e));
    zc.start_pfn = c->start_pfn;
    zc.nr_pages = c->nr_pages;
    zc.max_order = c->max_order;
    zc.name = "Cached";
    size = buddy_zone_meta_size(&zc);
    if (size == 0)
        return fail(e, "bad zone configuration");
    e->meta = aligned_alloc(8, (size + 7u) & ~(size_t)7u);
    if (e->meta == NULL ||
        model_init(&e->m, c->start_pfn, c->nr_pages, c->max_order, 12, 0) != 0)
        return fail(e, "out of memory");
    err = buddy_zone_init(e->meta, size, &zc, &e->z);
    if (err == 0)
        err = buddy_pcp_init(&e->pcp, e->z, &c->pcp);
    if (err != 0)
        return fail(e, "init: %s", buddy_errname(err));
    e->drain_every = c->drain_every ? c->drain_every : 16;
    snprintf(e->op, sizeof(e->op), "init");
    return 0;
}

void cache_engine_destroy(struct cache_engine *e)
{
    if (e->z != NULL)
        buddy_pcp_fini(&e->pcp);
    model_destroy(&e->m);
    free(e->meta);
    memset(e, 0, sizeof(*e));
}

static uint64_t model_free_pages_count(const struct model *m)
{
    uint64_t n = 0;

    for (uint32_t i = 0; i < m->nr_pages; i++)
        n += m->page[i] == MODEL_FREE;
    return n;
}

/* Every block of the walk against the model's pages. */
struct walk_cmp {
    struct cache_engine *e;
    int bad;
};

static int cmp_block(void *arg, const struct buddy_block *b)
{
    struct walk_cmp *w = arg;
    struct model *m = &w->e->m;

    for (uint64_t i = 0; i < b->nr_pages; i++) {
        uint32_t idx = (uint32_t)(b->pfn + i - m->start_pfn);
        unsigned want;

        switch (b->kind) {
        case BUDDY_BLOCK_FREE:
        case BUDDY_BLOCK_CACHED:
            want = MODEL_FREE;
            break;
        case BUDDY_BLOCK_ALLOCATED:
            want = i == 0 ? MODEL_HEAD : MODEL_INTERIOR;
            if (m->order[idx] != b->order && m->page[idx] == want) {
                w->bad = fail(w->e, "pfn %" PRIu64 ": allocated order %u, "
                              "model %u", b->pfn + i, b->order, m->order[idx]);
                return 1;
            }
            break;
        case BUDDY_BLOCK_HOLE:
            want = MODEL_HOLE;
            break;
        case BUDDY_BLOCK_RESERVED:
            want = MODEL_RESERVED;
            break;
        default:
            w->bad = fail(w->e, "walk shows kind %d", (int)b->kind);
            return 1;
        }
        if (m->page[idx] != want) {
            w->bad = fail(w->e, "pfn %" PRIu64 " is %s in the library, page "
                          "state %u in the model", b->pfn + i,
                          buddy_block_kind_name(b->kind), m->page[idx]);
            return 1;
        }
    }
    return 0;
}

/* The checks after every step. */
static int check(struct cache_engine *e)
{
    struct buddy_check_report rep;
    struct buddy_zone_stats st;
    uint64_t cached;
    struct walk_cmp w = {e, 0};
    uint64_t model_free = model_free_pages_count(&e->m);

    if (buddy_zone_check(e->z, &rep) != 0)
        return fail(e, "validator: %s (pfn %" PRIu64 " order %u expected %"
                    PRIu64 " actual %" PRIu64 ")", rep.what, rep.pfn,
                    rep.order, rep.expected, rep.actual);
    if (buddy_zone_walk(e->z, cmp_block, &w) != 0 || w.bad)
        return w.bad ? -1 : fail(e, "walk failed");
    if (buddy_zone_get_stats(e->z, &st) != 0)
        return fail(e, "buddy_zone_get_stats failed");
    if (st.free_pages + st.cached_pages != model_free)
        return fail(e, "free %" PRIu64 " + cached %" PRIu64 " pages, model "
                    "has %" PRIu64 " free", st.free_pages, st.cached_pages,
                    model_free);
    if (buddy_pcp_count(&e->pcp, &cached) != 0)
        return fail(e, "buddy_pcp_count failed");
    if (st.cached_pages != cached)
        return fail(e, "stats say %" PRIu64 " cached, the cache %" PRIu64,
                    st.cached_pages, cached);
    if (st.rejected != e->m.rejected)
        return fail(e, "rejected %" PRIu64 ", model %" PRIu64, st.rejected,
                    e->m.rejected);
    if (st.alloc_failures != e->m.alloc_failures)
        return fail(e, "alloc_failures %" PRIu64 ", model %" PRIu64,
                    st.alloc_failures, e->m.alloc_failures);
    return 0;
}

int cache_engine_check_drained(struct cache_engine *e)
{
    uint64_t want[BUDDY_NR_ORDERS];

    uint64_t cached;

    buddy_pcp_drain(&e->pcp);
    if (buddy_pcp_count(&e->pcp, &cached) != 0)
        return fail(e, "buddy_pcp_count failed");
    if (cached != 0)
        return fail(e, "drain left %" PRIu64 " pages", cached);
    model_canonical(&e->m, want);
    for (unsigned k = 0; k <= e->m.max_order; k++)
        if (model_zone_nr_free(e->z, k) != want[k])
            return fail(e, "after a drain nr_free[%u] is %" PRIu64 ", the "
                        "canonical split has %" PRIu64, k,
                        model_zone_nr_free(e->z, k), want[k]);
    return check(e);
}

static int expect(struct cache_engine *e, int rc, int want)
{
    if (rc != want)
        return fail(e, "returned %s, model expects %s", buddy_errname(rc),
                    buddy_errname(want));
    return 0;
}

static void remember(struct cache_engine *e, buddy_pfn_t pfn, unsigned order)
{
    e->recent[e->nr_recent % 8].pfn = pfn;
    e->recent[e->nr_recent % 8].order = order;
    e->nr_recent++;
}

/* A live block of the model, chosen by a. */
static bool pick_live(struct cache_engine *e, uint32_t a, buddy_pfn_t *pfn,
                      unsigned *order)
{
    uint32_t idx;

    if (e->m.nr_live == 0)
        return false;
    idx = e->m.live[a % e->m.nr_live];
    *pfn = e->m.start_pfn + idx;
    *order = e->m.order[idx];
    return true;
}

/* An allocation through the cache, untyped (mt < 0) or of a pcp type:
 * every pcp type may fall back to the others' pageblocks, and the zone
 * makes no HIGHATOMIC or ISOLATE pageblocks here, so each fails exactly
 * when the model has no aligned free run. */
static int do_alloc(struct cache_engine *e, unsigned order, int mt)
{
    unsigned from;
    buddy_pfn_t pfn = 0;
    int want = model_alloc_expect(&e->m, order, &from);
    int rc = mt < 0 ? buddy_pcp_alloc_pages(&e->pcp, order, &pfn)
                    : buddy_pcp_alloc_pages_type(
                          &e->pcp, order, (enum buddy_migratetype)mt, &pfn);

    if (expect(e, rc, want) != 0)
        return -1;
    if (rc == BUDDY_ENOMEM)
        model_alloc_failed(&e->m);
    if (rc == 0 && !model_alloc_commit(&e->m, pfn, order))
        return fail(e, "got pfn %" PRIu64 " order %u: not an aligned run of "
                    "free pages in the model", pfn, order);
    return 0;
}

int cache_engine_step(struct cache_engine *e, unsigned op, uint32_t a,
                      uint32_t b)
{
    struct model *m = &e->m;
    buddy_pfn_t pfn;
    unsigned order;
    int rc, want;

    e->steps++;
    e->err[0] = '\0';
    switch (op % CACHE_OPS) {
    case 0: /* allocate through the cache, any order (above it: the zone) */
        order = a % (m->max_order + 2);
        snprintf(e->op, sizeof(e->op), "pcp_alloc_pages(order %u)", order);
        if (do_alloc(e, order, -1) != 0)
            return -1;
        break;
    case 10: { /* a typed allocation through the cache; type 3
                  (HIGHATOMIC) is not one a request may name */
        unsigned mt = b % 4u;

        order = a % (m->max_order + 2);
        snprintf(e->op, sizeof(e->op), "pcp_alloc_pages_type(order %u, %s)",
                 order, buddy_migratetype_name((enum buddy_migratetype)mt));
        if (mt < BUDDY_MIGRATE_PCPTYPES) {
            if (do_alloc(e, order, (int)mt) != 0)
                return -1;
            break;
        }
        pfn = BUDDY_PFN_NONE;
        rc = buddy_pcp_alloc_pages_type(&e->pcp, order,
                                        (enum buddy_migratetype)mt, &pfn);
        if (expect(e, rc, order > m->max_order ? BUDDY_EORDER : BUDDY_EINVAL))
            return -1;
        if (pfn != BUDDY_PFN_NONE)
            return fail(e, "a refused allocation wrote *pfn");
        break;
    }
    case 1: /* free a live block through the cache */
    case 2: /* ... by pfn alone */
    case 3: /* ... through the zone, as a thread without a cache */
        if (!pick_live(e, a, &pfn, &order))
            return cache_engine_step(e, 0, b, a);
        snprintf(e->op, sizeof(e->op), "%s(pfn %" PRIu64 ", order %u)",
                 op % CACHE_OPS == 1 ? "pcp_free_pages"
                 : op % CACHE_OPS == 2 ? "pcp_free_pfn" : "free_pages",
                 pfn, order);
        want = model_free_pages(m, pfn, order);
        rc = op % CACHE_OPS == 1 ? buddy_pcp_free_pages(&e->pcp, pfn, order)
             : op % CACHE_OPS == 2 ? buddy_pcp_free_pfn(&e->pcp, pfn)
                                   : buddy_zone_free_pages(e->z, pfn, order);
        if (expect(e, rc, want) != 0)
            return -1;
        remember(e, pfn, order);
        break;
    case 4: /* a bad free through the cache: anything at all */
        pfn = m->start_pfn + a % (m->nr_pages + 8u) - 4u;
        order = b % (m->max_order + 3);
        snprintf(e->op, sizeof(e->op), "pcp_free_pages(pfn %" PRIu64
                 ", order %u) [arbitrary]", pfn, order);
        want = model_free_pages(m, pfn, order);
        rc = buddy_pcp_free_pages(&e->pcp, pfn, order);
        if (expect(e, rc, want) != 0)
            return -1;
        break;
    case 5: /* free again something freed recently (a double free, unless
               it was allocated again meanwhile) */
        if (e->nr_recent == 0)
            return cache_engine_step(e, 4, a, b);
        pfn = e->recent[a % (e->nr_recent < 8 ? e->nr_recent : 8)].pfn;
        snprintf(e->op, sizeof(e->op), "pcp_free_pfn(pfn %" PRIu64 ") again",
                 pfn);
        want = model_free_pfn(m, pfn);
        rc = buddy_pcp_free_pfn(&e->pcp, pfn);
        if (expect(e, rc, want) != 0)
            return -1;
        break;
    case 6: { /* bulk through the cache */
        buddy_pfn_t pfns[16];
        unsigned nr = b % 16u + 1u;
        struct buddy_pcp_config pc;

        if (buddy_pcp_get_config(&e->pcp, &pc) != 0)
            return fail(e, "the cache has no config");
        order = a % (pc.max_order + 1u);
        snprintf(e->op, sizeof(e->op), "pcp_alloc_bulk(order %u, nr %u)",
                 order, nr);
        rc = buddy_pcp_alloc_bulk(&e->pcp, order, nr, pfns);
        if (rc < 0 || (unsigned)rc > nr)
            return fail(e, "returned %d", rc);
        for (int i = 0; i < rc; i++)
            if (!model_alloc_commit(m, pfns[i], order))
                return fail(e, "bulk block %d at pfn %" PRIu64 " was not "
                            "free in the model", i, pfns[i]);
        /* Fewer than asked only when the cache ran dry and the zone's
         * lists hold nothing of that order or above. */
        if ((unsigned)rc < nr)
            for (unsigned k = order; k <= m->max_order; k++)
                if (model_zone_nr_free(e->z, k) != 0)
                    return fail(e, "bulk stopped at %d of %u with a free "
                                "order-%u block", rc, nr, k);
        break;
    }
    case 7:
        snprintf(e->op, sizeof(e->op), "pcp_drain");
        buddy_pcp_drain(&e->pcp);
        break;
    case 8: /* reserve, after draining */
    case 9: { /* give a range back (only holes and reserved pages take) */
        uint64_t n = b % 24u + (op % CACHE_OPS == 8 ? 1u : 0u);

        pfn = m->start_pfn + a % (m->nr_pages + 4u);
        snprintf(e->op, sizeof(e->op), "%s(pfn %" PRIu64 ", %" PRIu64 ")",
                 op % CACHE_OPS == 8 ? "reserve" : "add_range", pfn, n);
        buddy_pcp_drain(&e->pcp);
        want = op % CACHE_OPS == 8 ? model_reserve(m, pfn, n)
                                   : model_add_range(m, pfn, n);
        rc = op % CACHE_OPS == 8 ? buddy_zone_reserve(e->z, pfn, n)
                                 : buddy_zone_add_range(e->z, pfn, n);
        if (expect(e, rc, want) != 0)
            return -1;
        break;
    }
    }
    if (check(e) != 0)
        return -1;
    if (e->steps % e->drain_every == 0) {
        snprintf(e->op + strlen(e->op), sizeof(e->op) - strlen(e->op),
                 " + drain and exact check");
        return cache_engine_check_drained(e);
    }
    return 0;
}
