/* SPDX-License-Identifier: MIT */
/*
 * model_test.c: long random operation sequences against the reference model.
 *
 * Each run builds one zone configuration (odd sizes, unaligned starts, max
 * orders 0..12 and one of 20, 16-byte and 4 KiB pages, zones that start full,
 * empty, with holes or with reserved pieces) and drives it through random
 * allocations, frees of live blocks by order, by pfn and by pointer, every
 * kind of bad free, reserves and added ranges, byte allocations and
 * read-only queries. The harness compares the library with the model after
 * every call (harness.h), so a failure names the first call that went wrong.
 *
 * The mix of operations changes in phases (fill, drain, churn, ranges) so the
 * zone swings between full, empty and fragmented; a steady mix would hover
 * around one fill level and never see ENOMEM or a fully merged zone.
 *
 * Reproducible: the seed is printed first and comes from argv[1], or
 * BUDDY_SEED, or a fixed default; BUDDY_STEPS sets the steps per run and
 * BUDDY_RUN=k runs only run k. A failure prints the seed, run, step and op.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "rng.h"

#define DEFAULT_SEED 20240601u
#define DEFAULT_STEPS 3000u

/* ---- randomness: rng.h ------------------------------------------------ */

static bool rng_chance(struct rng *r, unsigned percent)
{
    return rng_below(r, 100) < percent;
}

/* ---- configurations ---------------------------------------------------- */

/* How the zone's memory arrives before the random steps. */
enum fill_mode {
    FILL_FULL,     /* the whole span added at once */
    FILL_EMPTY,    /* nothing: the steps add ranges */
    FILL_PIECES,   /* random pieces added, holes left between */
    FILL_RESERVED, /* all added, then random pieces reserved */
    FILL_MODES
};

static const char *const fill_names[FILL_MODES] = {"full", "empty", "pieces",
                                                   "reserved"};

struct run_config {
    struct harness_config zone;
    enum fill_mode fill;
    unsigned steps_div; /* fewer steps for large zones */
};

/* Fixed cases: each covers a shape the random ones might rarely hit. */
static const struct run_config fixed_runs[] = {
    /* a power of two, aligned, the kernel's defaults */
    {{0, 1024, 10, 4096, true, false, 0}, FILL_FULL, 1},
    /* unaligned start, not a power of two, tiny pages */
    {{3, 1000, 4, 16, true, true, 0}, FILL_FULL, 1},
    /* max order 12 bigger than any aligned block the span holds */
    {{1000, 777, 12, 4096, true, false, 0}, FILL_PIECES, 1},
    /* a single page, a single order */
    {{1, 1, 0, 16, true, false, 0}, FILL_FULL, 1},
    /* max order 20 on 5000 pages: the largest blocks never fit */
    {{5, 5000, 20, 4096, true, true, 0}, FILL_FULL, 2},
    /* starts empty, memory arrives piecemeal, no byte API */
    {{12345, 999, 7, 16, false, false, 0}, FILL_EMPTY, 1},
    /* far up in pfn space */
    {{((buddy_pfn_t)1 << 40) + 7, 300, 6, 4096, true, false, 0}, FILL_RESERVED,
     1},
    /* order 0 only: every free page its own block */
    {{7, 100, 0, 16, true, true, 0}, FILL_FULL, 1},
    /* exactly one maximal block */
    {{64, 64, 6, 4096, true, false, 0}, FILL_FULL, 1},
    /* pageblocks two orders below max_order: merging goes on above them */
    {{0, 4096, 11, 4096, true, false, 9}, FILL_FULL, 1},
    /* tiny pageblocks, an unaligned start */
    {{5, 700, 7, 16, true, true, 2}, FILL_PIECES, 1},
};

#define NR_FIXED (sizeof(fixed_runs) / sizeof(fixed_runs[0]))
/* Then one random configuration per max order 0..12. */
#define NR_RANDOM 13u

static void random_config(struct rng *r, unsigned max_order,
                          struct run_config *rc)
{
    static const size_t page_sizes[] = {16, 64, 4096, 65536};
    uint64_t pick = rng_below(r, 4);

    memset(rc, 0, sizeof(*rc));
    rc->zone.nr_pages = 1 + (uint32_t)rng_below(r, 1200);
    rc->zone.max_order = max_order;
    rc->zone.page_size = page_sizes[rng_below(r, 4)];
    rc->zone.with_base = rng_chance(r, 80);
    rc->zone.meta_zeroed = rng_chance(r, 50);
    /* Half with the default pageblocks, half with any order up to
     * max_order (the merge loop changes at pageblock_order). */
    if (max_order > 0 && rng_chance(r, 50))
        rc->zone.pageblock_order = 1 + (unsigned)rng_below(r, max_order);
    if (pick == 0)
        rc->zone.start_pfn = 0;
    else if (pick == 1)
        rc->zone.start_pfn = rng_below(r, 64);
    else if (pick == 2)
        rc->zone.start_pfn = 1000 + rng_below(r, 100000);
    else
        rc->zone.start_pfn = ((buddy_pfn_t)1 << 32) - rng_below(r, 2000);
    rc->fill = (enum fill_mode)rng_below(r, FILL_MODES);
    rc->steps_div = 1;
}

/* ---- picking arguments ------------------------------------------------- */

/* A pfn in the span mostly, sometimes just outside or far away. */
static buddy_pfn_t pick_pfn(struct rng *r, const struct model *m)
{
    switch (rng_below(r, 12)) {
    case 0:
        return m->start_pfn - 1 - rng_below(r, 3); /* wraps at 0: fine */
    case 1:
        return m->start_pfn + m->nr_pages + rng_below(r, 3);
    case 2:
        return rng_chance(r, 50) ? UINT64_MAX : rng_next(r);
    default:
        return m->start_pfn + rng_below(r, m->nr_pages);
    }
}

/* Small orders most often, like real callers; sometimes above max_order. */
static unsigned pick_order(struct rng *r, const struct model *m)
{
    unsigned order = 0;

    if (rng_chance(r, 5))
        return (unsigned)rng_below(r, m->max_order + 3);
    while (order < m->max_order && rng_chance(r, 45))
        order++;
    return order;
}

/* A random live allocated block; false if there is none. */
static bool pick_live(struct rng *r, const struct model *m, buddy_pfn_t *pfn,
                      unsigned *order)
{
    uint32_t idx;

    if (m->nr_live == 0)
        return false;
    idx = m->live[rng_below(r, m->nr_live)];
    *pfn = m->start_pfn + idx;
    *order = m->order[idx];
    return true;
}

/* A range inside the run of pages around a random page that are all
 * `a` or `b` (so the call should succeed); a random one if that page is
 * neither. */
static void pick_range(struct rng *r, const struct model *m,
                       enum model_page a, enum model_page b, buddy_pfn_t *pfn,
                       uint64_t *nr_pages)
{
    uint32_t idx = (uint32_t)rng_below(r, m->nr_pages), lo = idx, hi = idx;
    uint64_t len;

    if (rng_chance(r, 15) || (m->page[idx] != a && m->page[idx] != b)) {
        *pfn = pick_pfn(r, m);
        *nr_pages = rng_chance(r, 3) ? 0 : 1 + rng_below(r, 64);
        return;
    }
    while (lo > 0 && (m->page[lo - 1] == a || m->page[lo - 1] == b))
        lo--;
    while (hi < m->nr_pages && (m->page[hi] == a || m->page[hi] == b))
        hi++;
    /* Short ranges usually, so free memory does not vanish at once. */
    len = 1 + rng_below(r, rng_chance(r, 20) ? hi - lo : 16);
    if (len > hi - lo)
        len = hi - lo;
    *pfn = m->start_pfn + lo + rng_below(r, hi - lo - len + 1);
    *nr_pages = len;
}

/* ---- operations -------------------------------------------------------- */

enum op {
    OP_ALLOC,
    OP_FREE,       /* a live block by pfn and order */
    OP_FREE_PFN,   /* a live block by pfn */
    OP_FREE_PTR,   /* a live block by address */
    OP_BAD_FREE,   /* wrong order, interior, double, out of range ... */
    OP_BAD_FREE_PFN,
    OP_BAD_FREE_PTR,
    OP_RESERVE,
    OP_ADD_RANGE,
    OP_ALLOC_BYTES,
    OP_QUERY,
    OP_ALLOC_BULK,
    OP_RESIZE,     /* a live block grown or shrunk in place, or a bad one */
    NR_OPS
};

enum phase { PHASE_FILL, PHASE_DRAIN, PHASE_CHURN, PHASE_RANGES, NR_PHASES };

/* Weights per phase, in the order of enum op. */
static const unsigned weights[NR_PHASES][NR_OPS] = {
    [PHASE_FILL] = {40, 4, 3, 3, 4, 2, 2, 2, 3, 8, 3, 4, 6},
    [PHASE_DRAIN] = {6, 25, 12, 10, 4, 2, 2, 2, 4, 2, 3, 1, 6},
    [PHASE_CHURN] = {20, 10, 6, 6, 6, 3, 3, 3, 3, 6, 4, 2, 8},
    [PHASE_RANGES] = {10, 8, 4, 4, 4, 2, 2, 15, 15, 2, 3, 1, 3},
};

static enum op pick_op(struct rng *r, enum phase ph)
{
    unsigned total = 0, k, x;

    for (k = 0; k < NR_OPS; k++)
        total += weights[ph][k];
    x = (unsigned)rng_below(r, total);
    for (k = 0; x >= weights[ph][k]; k++)
        x -= weights[ph][k];
    return (enum op)k;
}

/* A free that must be refused, chosen to hit each error in turn. */
static int bad_free(struct rng *r, struct harness *h)
{
    const struct model *m = &h->m;
    buddy_pfn_t pfn;
    unsigned order, k;

    switch (rng_below(r, 6)) {
    case 0: /* double free of something freed lately (maybe reused since) */
        if (h->nr_recent == 0)
            break;
        k = (unsigned)rng_below(r, h->nr_recent);
        return harness_free(h, h->recent[k].pfn, h->recent[k].order);
    case 1: /* inside a live block: EINTERIOR with order 0, else EALIGN */
        if (!pick_live(r, m, &pfn, &order) || order == 0)
            break;
        pfn += 1 + rng_below(r, ((uint64_t)1 << order) - 1);
        return harness_free(h, pfn, rng_chance(r, 50) ? 0 : order);
    case 2: /* a live head with the wrong order */
        if (!pick_live(r, m, &pfn, &order))
            break;
        k = (unsigned)rng_below(r, m->max_order + 1);
        if (k == order)
            k = order == 0 ? (m->max_order > 0 ? 1 : 0) : order - 1;
        return harness_free(h, pfn & ~(((buddy_pfn_t)1 << k) - 1), k);
    case 3: /* an order the zone does not have */
        if (!pick_live(r, m, &pfn, &order))
            break;
        return harness_free(h, pfn, m->max_order + 1 + (unsigned)rng_below(r, 40));
    default:
        break;
    }
    /* anything at all: holes, reserved, free pages, outside the zone */
    return harness_free(h, pick_pfn(r, m), pick_order(r, m));
}

static int bad_free_pfn(struct rng *r, struct harness *h)
{
    const struct model *m = &h->m;
    buddy_pfn_t pfn;
    unsigned order, k;

    if (rng_chance(r, 30) && h->nr_recent != 0) {
        k = (unsigned)rng_below(r, h->nr_recent);
        return harness_free_pfn(h, h->recent[k].pfn);
    }
    if (rng_chance(r, 30) && pick_live(r, m, &pfn, &order) && order > 0)
        return harness_free_pfn(h, pfn + 1 + rng_below(r, ((uint64_t)1 << order) - 1));
    return harness_free_pfn(h, pick_pfn(r, m));
}

static int bad_free_ptr(struct rng *r, struct harness *h)
{
    const struct model *m = &h->m;
    uintptr_t base = m->base != 0 ? m->base : HARNESS_FAKE_BASE;
    uintptr_t page = (uintptr_t)1 << m->page_shift;
    buddy_pfn_t pfn;
    unsigned order;

    switch (rng_below(r, 6)) {
    case 0:
        return harness_free_ptr(h, 0);
    case 1: /* just below and just past the zone */
        return harness_free_ptr(h, rng_chance(r, 50)
                                       ? base - page
                                       : base + ((uintptr_t)m->nr_pages << m->page_shift));
    case 2: /* inside the first page of a live block: not page aligned */
        if (!pick_live(r, m, &pfn, &order))
            break;
        return harness_free_ptr(h, base + ((uintptr_t)(pfn - m->start_pfn) << m->page_shift) +
                                       1 + rng_below(r, page - 1));
    case 3: /* a recently freed block again */
        if (h->nr_recent == 0)
            break;
        pfn = h->recent[rng_below(r, h->nr_recent)].pfn;
        return harness_free_ptr(h, base + ((uintptr_t)(pfn - m->start_pfn) << m->page_shift));
    default:
        break;
    }
    /* any page of the zone */
    return harness_free_ptr(h, base + ((uintptr_t)rng_below(r, m->nr_pages) << m->page_shift));
}

/* A live block to a new order, up (it grows when its buddies are free) or
 * down; sometimes a bad block or order, refused as a free would be. */
static int resize(struct rng *r, struct harness *h)
{
    const struct model *m = &h->m;
    buddy_pfn_t pfn;
    unsigned order, to;

    if (rng_chance(r, 15) || !pick_live(r, m, &pfn, &order))
        return harness_resize(h, pick_pfn(r, m), pick_order(r, m),
                              pick_order(r, m));
    to = (unsigned)rng_below(r, m->max_order + 1);
    if (rng_chance(r, 50) && order < m->max_order)
        to = order + 1; /* the doubling of a realloc chain */
    if (rng_chance(r, 5))
        to = m->max_order + 1 + (unsigned)rng_below(r, 4);
    return harness_resize(h, pfn, order, to);
}

static int alloc_bytes(struct rng *r, struct harness *h)
{
    const struct model *m = &h->m;
    uint64_t page = (uint64_t)1 << m->page_shift;
    uint64_t top = page << (m->max_order + 1 < 40 ? m->max_order + 1 : 40);
    size_t size, align = 1;

    /* Mostly sizes the zone can serve, sometimes 0 or too big. */
    size = rng_chance(r, 3) ? 0 : (size_t)(1 + rng_below(r, top));
    if (rng_chance(r, 10))
        size = (size_t)rng_below(r, page * 4);
    if (rng_chance(r, 40)) {
        /* Past the largest block, but never past size_t: the bound is the
         * same on 64-bit targets (39 at most), so seeds replay there. */
        unsigned bits = m->page_shift + m->max_order + 3;

        if (bits > sizeof(size_t) * 8u)
            bits = sizeof(size_t) * 8u;
        align = (size_t)1 << rng_below(r, bits);
    }
    if (rng_chance(r, 3))
        align = 3 + (size_t)rng_below(r, 100) * 2; /* not a power of two */
    return harness_alloc_bytes(h, size, align);
}

static int step(struct rng *r, struct harness *h, enum phase ph)
{
    const struct model *m = &h->m;
    buddy_pfn_t pfn = 0;
    uint64_t n;
    unsigned order = 0;
    enum op op = pick_op(r, ph);

    /* Frees of live blocks fall back to an allocation when nothing is
     * allocated, and pointer frees to pfn frees without a base. */
    if ((op == OP_FREE || op == OP_FREE_PFN || op == OP_FREE_PTR) &&
        !pick_live(r, m, &pfn, &order))
        op = OP_ALLOC;
    if (op == OP_FREE_PTR && m->base == 0)
        op = OP_FREE_PFN;

    switch (op) {
    case OP_ALLOC:
        return harness_alloc(h, pick_order(r, m));
    case OP_FREE:
        return harness_free(h, pfn, order);
    case OP_FREE_PFN:
        return harness_free_pfn(h, pfn);
    case OP_FREE_PTR:
        return harness_free_ptr(h, model_pfn_addr(m, pfn));
    case OP_BAD_FREE:
        return bad_free(r, h);
    case OP_BAD_FREE_PFN:
        return bad_free_pfn(r, h);
    case OP_BAD_FREE_PTR:
        return bad_free_ptr(r, h);
    case OP_RESERVE:
        pick_range(r, m, MODEL_FREE, MODEL_RESERVED, &pfn, &n);
        return harness_reserve(h, pfn, n);
    case OP_ADD_RANGE:
        pick_range(r, m, MODEL_HOLE, MODEL_RESERVED, &pfn, &n);
        return harness_add_range(h, pfn, n);
    case OP_ALLOC_BYTES:
        return alloc_bytes(r, h);
    case OP_ALLOC_BULK:
        return harness_alloc_bulk(h, pick_order(r, m),
                                  (unsigned)rng_below(r, HARNESS_BULK_MAX + 1));
    case OP_RESIZE:
        return resize(r, h);
    case OP_QUERY:
    default:
        return harness_query(h, pick_pfn(r, m));
    }
}

/* Bring the memory in as the fill mode says; these calls are checked too. */
static int fill(struct rng *r, struct harness *h, enum fill_mode mode)
{
    const struct model *m = &h->m;
    uint32_t idx, len;

    if (mode == FILL_EMPTY)
        return 0;
    if (mode == FILL_FULL || mode == FILL_RESERVED) {
        if (harness_add_range(h, m->start_pfn, m->nr_pages) != 0)
            return -1;
    }
    for (idx = 0; mode != FILL_FULL && idx < m->nr_pages; idx += len) {
        len = 1 + (uint32_t)rng_below(r, 48);
        if (len > m->nr_pages - idx)
            len = m->nr_pages - idx;
        /* Every other piece, randomly: holes or reserved pieces remain. */
        if (rng_chance(r, 50))
            continue;
        if (mode == FILL_PIECES &&
            harness_add_range(h, m->start_pfn + idx, len) != 0)
            return -1;
        if (mode == FILL_RESERVED &&
            harness_reserve(h, m->start_pfn + idx, len) != 0)
            return -1;
    }
    return 0;
}

static void describe(const struct run_config *rc, char *buf, size_t size)
{
    snprintf(buf, size,
             "start_pfn=%" PRIu64 " nr_pages=%" PRIu32 " max_order=%u "
             "pageblock_order=%u page_size=%zu base=%s fill=%s%s",
             rc->zone.start_pfn, rc->zone.nr_pages, rc->zone.max_order,
             rc->zone.pageblock_order, rc->zone.page_size, rc->zone.with_base ? "yes" : "no",
             fill_names[rc->fill], rc->zone.meta_zeroed ? " meta_zeroed" : "");
}

/* Return codes the default runs must reach, or the mix has rotted. */
static const int must_see[] = {
    0, BUDDY_ENOMEM, BUDDY_EINVAL, BUDDY_EORDER, BUDDY_ERANGE, BUDDY_EALIGN,
    BUDDY_EINTERIOR, BUDDY_EDOUBLEFREE, BUDDY_EWRONGORDER, BUDDY_EHOLE,
    BUDDY_ERESERVED, BUDDY_ENULL, BUDDY_EBUSY, BUDDY_EOVERLAP, BUDDY_ENOBASE,
};

/* One run: a zone, its fill, then `steps` random calls. 0 or 1. */
static int run_one(uint64_t seed, unsigned run, unsigned steps,
                   uint64_t *steps_done, uint64_t *seen)
{
    struct rng r = {seed ^ (0xa0761d6478bd642full * (run + 1))};
    struct run_config rc;
    struct harness h;
    char what[200];
    enum phase ph = PHASE_FILL;
    unsigned i, phase_left = 0;

    if (run < NR_FIXED)
        rc = fixed_runs[run];
    else
        random_config(&r, run - (unsigned)NR_FIXED, &rc);
    describe(&rc, what, sizeof(what));
    steps /= rc.steps_div;

    if (harness_init(&h, &rc.zone) != 0) {
        fprintf(stderr, "FAIL seed=%" PRIu64 " run=%u (%s): init: %s\n",
                seed, run, what, h.err);
        harness_destroy(&h);
        return 1;
    }
    if (fill(&r, &h, rc.fill) != 0) {
        i = 0;
        goto failed;
    }
    for (i = 0; i < steps; i++) {
        if (phase_left == 0) {
            ph = (enum phase)rng_below(&r, NR_PHASES);
            phase_left = 64 + (unsigned)rng_below(&r, 1024);
        }
        phase_left--;
        if (step(&r, &h, ph) != 0)
            goto failed;
    }
    *steps_done += steps;
    for (i = 0; i < HARNESS_CODES; i++)
        seen[i] += h.seen[i];
    printf("run %2u ok: %s, %u steps, %" PRIu64 " free pages, %u blocks "
           "allocated\n",
           run, what, steps, model_zone_free_pages(h.z), h.m.nr_live);
    harness_destroy(&h);
    return 0;

failed:
    fprintf(stderr,
            "FAIL seed=%" PRIu64 " run=%u step=%u (%s)\n  op: %s\n  %s\n"
            "  re-run: BUDDY_SEED=%" PRIu64 " BUDDY_RUN=%u BUDDY_STEPS=%u "
            "./model_test\n",
            seed, run, i, what, h.op, h.err, seed, run,
            steps * rc.steps_div);
    harness_destroy(&h);
    return 1;
}

static uint64_t env_u64(const char *name, uint64_t dflt)
{
    const char *s = getenv(name);

    return s != NULL && *s != '\0' ? strtoull(s, NULL, 0) : dflt;
}

int main(int argc, char **argv)
{
    uint64_t seed = env_u64("BUDDY_SEED", DEFAULT_SEED);
    uint64_t steps = env_u64("BUDDY_STEPS", DEFAULT_STEPS), done = 0;
    uint64_t only = env_u64("BUDDY_RUN", UINT64_MAX);
    unsigned run, k, nr_runs = (unsigned)NR_FIXED + NR_RANDOM;
    uint64_t seen[HARNESS_CODES] = {0};
    int failures = 0;

    if (argc > 1)
        seed = strtoull(argv[1], NULL, 0);
    printf("model_test: seed=%" PRIu64 " steps/run=%" PRIu64
           " (re-run: BUDDY_SEED=%" PRIu64 " ./model_test)\n",
           seed, steps, seed);
    fflush(stdout);
    for (run = 0; run < nr_runs; run++) {
        if (only != UINT64_MAX && run != only)
            continue;
        failures += run_one(seed, run, (unsigned)steps, &done, seen);
        fflush(stdout);
    }
    printf("return codes seen:");
    for (k = 0; k < HARNESS_CODES; k++)
        if (seen[k] != 0)
            printf(" %s=%" PRIu64, buddy_errname(-(int)k), seen[k]);
    printf("\n");
    /* Only a full default-length run promises to reach every code. */
    if (failures == 0 && only == UINT64_MAX && steps >= DEFAULT_STEPS) {
        for (k = 0; k < sizeof(must_see) / sizeof(must_see[0]); k++) {
            if (seen[-must_see[k]] == 0) {
                fprintf(stderr, "FAIL: no call returned %s: the operation "
                                "mix no longer reaches it\n",
                        buddy_errname(must_see[k]));
                failures++;
            }
        }
    }
    printf("model_test: %s, %" PRIu64 " steps, seed=%" PRIu64 "\n",
           failures ? "FAILED" : "passed", done, seed);
    return failures ? 1 : 0;
}
