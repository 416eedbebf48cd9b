/* SPDX-License-Identifier: MIT */
/*
 * fuzz_zone.c: libFuzzer target that reads its input as a zone configuration
 * followed by a sequence of operations, and runs them through the harness of
 * tests/model (the library and the reference model in lock step). Any
 * disagreement, validator failure or sanitizer report aborts.
 *
 * Input format (missing bytes read as 0, so every input is valid):
 *
 *   byte 0-1  nr_pages = 1 + (b0 | b1 << 8) % 600
 *   byte 2    start_pfn: b2 >> 6 picks a region, b2 & 63 an offset in it
 *             (near 0, near 1000, just below 2^32, above 2^40)
 *   byte 3    max_order = b3 % 13, or 13 + (b3 & 15) when b3 >= 0xf0
 *   byte 4    bits 0-1 page size (16, 64, 4096, 65536), bit 2 byte API
 *             base, bits 3-4 fill (full, empty, first half, full with the
 *             middle third reserved), bit 5 BUDDY_ZONE_META_ZEROED
 *   then 4 bytes per operation: opcode (low 4 bits) and three parameters.
 *
 * pfns come from two bytes modulo nr_pages + 4, the four extra values naming
 * places outside the span, so most operations hit the zone and every range
 * error stays reachable. The format is kept stable: the saved corpus in
 * tests/fuzz/corpus is replayed by ctest (replay.c).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

/* libFuzzer's entry point; declared here as no header provides it. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* More pages make each check slower without reaching new code. */
#define FUZZ_MAX_PAGES 600u

struct input {
    const uint8_t *data;
    size_t size, pos;
};

static uint8_t next_byte(struct input *in)
{
    return in->pos < in->size ? in->data[in->pos++] : 0;
}

/* A pfn from two bytes: mostly inside the span, four values outside it. */
static buddy_pfn_t pick_pfn(const struct model *m, uint8_t lo, uint8_t hi)
{
    uint32_t v = ((uint32_t)lo | (uint32_t)hi << 8) % (m->nr_pages + 4u);

    if (v < m->nr_pages)
        return m->start_pfn + v;
    switch (v - m->nr_pages) {
    case 0:
        return m->start_pfn - 1; /* wraps when the span starts at 0 */
    case 1:
        return m->start_pfn + m->nr_pages;
    case 2:
        return UINT64_MAX;
    default:
        return m->start_pfn + m->nr_pages + 1000;
    }
}

/* The live block picked by two bytes; false if nothing is allocated. */
static bool pick_live(const struct model *m, uint8_t lo, uint8_t hi,
                      buddy_pfn_t *pfn, unsigned *order)
{
    uint32_t idx;

    if (m->nr_live == 0)
        return false;
    idx = m->live[((uint32_t)lo | (uint32_t)hi << 8) % m->nr_live];
    *pfn = m->start_pfn + idx;
    *order = m->order[idx];
    return true;
}

/* The run of pages of kind a or b around pfn, cut to `len` pages from a
 * byte-chosen offset: a range that add_range / reserve should accept. When
 * pfn is not such a page, the plain range (pfn, len). */
static void pick_run(const struct model *m, buddy_pfn_t pfn, uint8_t len,
                     enum model_page a, enum model_page b, buddy_pfn_t *out,
                     uint64_t *nr_pages)
{
    uint32_t lo, hi;

    *out = pfn;
    *nr_pages = len;
    if (!model_in_span(m, pfn))
        return;
    lo = hi = (uint32_t)(pfn - m->start_pfn);
    if (m->page[lo] != a && m->page[lo] != b)
        return;
    while (lo > 0 && (m->page[lo - 1] == a || m->page[lo - 1] == b))
        lo--;
    while (hi < m->nr_pages && (m->page[hi] == a || m->page[hi] == b))
        hi++;
    *out = m->start_pfn + lo;
    *nr_pages = len == 0 || len > hi - lo ? hi - lo : len;
}

static uintptr_t page_addr(const struct model *m, buddy_pfn_t pfn)
{
    uintptr_t base = m->base != 0 ? m->base : HARNESS_FAKE_BASE;

    return base + ((uintptr_t)(pfn - m->start_pfn) << m->page_shift);
}

static int run_op(struct harness *h, uint8_t op, uint8_t p1, uint8_t p2,
                  uint8_t p3)
{
    const struct model *m = &h->m;
    buddy_pfn_t pfn;
    uint64_t n;
    unsigned order;

    switch (op & 15u) {
    case 1: /* a live block resized in place, when op's bit 4 says so */
        if ((op & 16u) && pick_live(m, p1, p2, &pfn, &order))
            return harness_resize(h, pfn, order, p3 % (m->max_order + 2u));
        /* fall through */
    case 0: /* allocations are the most common call */
        return harness_alloc(h, p1 % (m->max_order + 2u));
    case 2:
        return harness_alloc_bulk(h, p1 % (m->max_order + 2u),
                                  p2 % (HARNESS_BULK_MAX + 1u));
    case 3:
        if (!pick_live(m, p1, p2, &pfn, &order))
            return harness_alloc(h, p3 % (m->max_order + 1u));
        return harness_free(h, pfn, order);
    case 4:
        if (!pick_live(m, p1, p2, &pfn, &order))
            return harness_alloc(h, p3 % (m->max_order + 1u));
        return harness_free_pfn(h, pfn);
    case 5:
        if (!pick_live(m, p1, p2, &pfn, &order))
            return harness_alloc(h, p3 % (m->max_order + 1u));
        return harness_free_ptr(h, page_addr(m, pfn));
    case 6: /* any pfn, any order: mostly refused */
        return harness_free(h, pick_pfn(m, p1, p2), p3 % (m->max_order + 3u));
    case 7:
        return harness_free_pfn(h, pick_pfn(m, p1, p2));
    case 8: /* an address: p3 & 3 picks page start, inside, NULL or below */
        pfn = pick_pfn(m, p1, p2);
        switch (p3 & 3u) {
        case 0:
            return harness_free_ptr(h, page_addr(m, pfn));
        case 1:
            return harness_free_ptr(h, page_addr(m, pfn) + 1u + (p3 >> 2));
        case 2:
            return harness_free_ptr(h, 0);
        default:
            return harness_free_ptr(h, page_addr(m, m->start_pfn) - 1u - p2);
        }
    case 9:
        return harness_reserve(h, pick_pfn(m, p1, p2), p3 % 70u);
    case 10:
        return harness_add_range(h, pick_pfn(m, p1, p2), p3 % 70u);
    case 11:
        pick_run(m, pick_pfn(m, p1, p2), p3, MODEL_HOLE, MODEL_RESERVED, &pfn,
                 &n);
        return harness_add_range(h, pfn, n);
    case 12:
        pick_run(m, pick_pfn(m, p1, p2), p3, MODEL_FREE, MODEL_RESERVED, &pfn,
                 &n);
        return harness_reserve(h, pfn, n);
    case 13: { /* bytes: size p1 * 2^(p2 % 24), align 2^(p3 % 40) or odd;
                * on a 32-bit target the align stops at size_t's top bit */
        size_t size = (size_t)p1 << (p2 % 24u);
        unsigned align_shift = p3 % 40u < sizeof(size_t) * 8u
                                   ? p3 % 40u
                                   : sizeof(size_t) * 8u - 1u;
        size_t align = p3 >= 240 ? (size_t)p3 : (size_t)1 << align_shift;

        return harness_alloc_bytes(h, size, align);
    }
    case 14:
        return harness_query(h, pick_pfn(m, p1, p2));
    default: /* 15: a free that should be refused, aimed at known blocks */
        if (p3 & 1u && h->nr_recent != 0) {
            unsigned k = p1 % h->nr_recent;

            return harness_free(h, h->recent[k].pfn, h->recent[k].order);
        }
        if (!pick_live(m, p1, p2, &pfn, &order))
            return harness_free_pfn(h, pick_pfn(m, p1, p2));
        if (order > 0 && (p3 & 2u))
            pfn += 1u + (p3 >> 2) % (((uint64_t)1 << order) - 1u);
        return harness_free(h, pfn, (p3 >> 2) % (m->max_order + 2u));
    }
}

static void die(const struct harness *h, size_t op_index)
{
    fprintf(stderr, "fuzz_zone: MISMATCH at op %zu: %s\n  %s\n", op_index,
            h->op, h->err);
    abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct input in = {data, size, 0};
    struct harness_config cfg;
    struct harness h;
    uint8_t b0, b1, b2, b3, b4;
    size_t ops = 0;
    int rc = 0;

    b0 = next_byte(&in);
    b1 = next_byte(&in);
    b2 = next_byte(&in);
    b3 = next_byte(&in);
    b4 = next_byte(&in);
    memset(&cfg, 0, sizeof(cfg));
    cfg.nr_pages = 1u + ((uint32_t)b0 | (uint32_t)b1 << 8) % FUZZ_MAX_PAGES;
    switch (b2 >> 6) {
    case 0:
        cfg.start_pfn = b2 & 63u;
        break;
    case 1:
        cfg.start_pfn = 1000u + (b2 & 63u) * 7u;
        break;
    case 2:
        cfg.start_pfn = ((buddy_pfn_t)1 << 32) - 1u - (b2 & 63u) * 11u;
        break;
    default:
        cfg.start_pfn = ((buddy_pfn_t)1 << 40) + (b2 & 63u);
        break;
    }
    cfg.max_order = b3 >= 0xf0 ? 13u + (b3 & 15u) : b3 % 13u;
    cfg.page_size = (size_t[]){16, 64, 4096, 65536}[b4 & 3u];
    cfg.with_base = (b4 & 4u) != 0;
    cfg.meta_zeroed = (b4 & 32u) != 0;

    if (harness_init(&h, &cfg) != 0)
        die(&h, 0);
    switch ((b4 >> 3) & 3u) {
    case 0:
        rc = harness_add_range(&h, cfg.start_pfn, cfg.nr_pages);
        break;
    case 1:
        break;
    case 2:
        rc = harness_add_range(&h, cfg.start_pfn, (cfg.nr_pages + 1u) / 2u);
        break;
    default:
        rc = harness_add_range(&h, cfg.start_pfn, cfg.nr_pages);
        if (rc == 0 && cfg.nr_pages >= 3)
            rc = harness_reserve(&h, cfg.start_pfn + cfg.nr_pages / 3u,
                                 cfg.nr_pages / 3u);
        break;
    }
    if (rc != 0)
        die(&h, 0);
    while (in.pos < in.size) {
        uint8_t op = next_byte(&in), p1 = next_byte(&in);
        uint8_t p2 = next_byte(&in), p3 = next_byte(&in);

        ops++;
        if (run_op(&h, op, p1, p2, p3) != 0)
            die(&h, ops);
    }
    harness_destroy(&h);
    return 0;
}
