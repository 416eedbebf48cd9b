/* SPDX-License-Identifier: MIT */
/*
 * model.c: the reference model of a zone (see model.h).
 *
 * Written from the rules of buddy.h, not from the core: every prediction is
 * a linear scan over an array of page states, so it is obviously right and
 * shares no code or data structure with what it checks. The only cleverness
 * is the canonical tiling of free pages (model_canonical), which is what a
 * fully merged buddy system must hold on its free lists.
 */
#include "model.h"

#include <stdlib.h>
#include <string.h>

/* Largest k <= cap with pfn a multiple of 2^k (cap for pfn 0). */
static unsigned align_order(buddy_pfn_t pfn, unsigned cap)
{
    unsigned k = 0;

    while (k < cap && ((pfn >> k) & 1u) == 0)
        k++;
    return k;
}

int model_init(struct model *m, buddy_pfn_t start_pfn, uint32_t nr_pages,
               unsigned max_order, unsigned page_shift, uintptr_t base)
{
    memset(m, 0, sizeof(*m));
    m->start_pfn = start_pfn;
    m->nr_pages = nr_pages;
    m->max_order = max_order;
    m->page_shift = page_shift;
    m->base = base;
    /* calloc: every page starts as MODEL_HOLE (0), as a new zone does. */
    m->page = calloc(nr_pages, 1);
    m->order = calloc(nr_pages, 1);
    m->canon = calloc(nr_pages, 1);
    m->live = calloc(nr_pages, sizeof(uint32_t));
    m->live_pos = calloc(nr_pages, sizeof(uint32_t));
    if (!m->page || !m->order || !m->canon || !m->live || !m->live_pos) {
        model_destroy(m);
        return -1;
    }
    return 0;
}

void model_destroy(struct model *m)
{
    free(m->page);
    free(m->order);
    free(m->canon);
    free(m->live);
    free(m->live_pos);
    memset(m, 0, sizeof(*m));
}

bool model_in_span(const struct model *m, buddy_pfn_t pfn)
{
    /* Unsigned wrap sends pfns below the start far above nr_pages. */
    return pfn - m->start_pfn < m->nr_pages;
}

enum model_page model_page_at(const struct model *m, buddy_pfn_t pfn)
{
    return (enum model_page)m->page[pfn - m->start_pfn];
}

uintptr_t model_pfn_addr(const struct model *m, buddy_pfn_t pfn)
{
    return m->base + ((uintptr_t)(pfn - m->start_pfn) << m->page_shift);
}

/* ---- canonical free blocks --------------------------------------------- */

/* The next canonical block of the free run [idx, run_end): the largest
 * naturally aligned block of order <= max_order that starts at idx and fits
 * the run. Greedy from the run's start is the unique maximal tiling. */
static unsigned canon_block(const struct model *m, uint32_t idx,
                            uint32_t run_end)
{
    unsigned k = align_order(m->start_pfn + idx, m->max_order);

    while (((uint64_t)1 << k) > (uint64_t)(run_end - idx))
        k--;
    return k;
}

void model_canonical(const struct model *m, uint64_t *nr_free)
{
    uint32_t idx = 0;

    memset(m->canon, -1, m->nr_pages);
    memset(nr_free, 0, sizeof(uint64_t) * BUDDY_NR_ORDERS);
    while (idx < m->nr_pages) {
        uint32_t run_end = idx;

        if (m->page[idx] != MODEL_FREE) {
            idx++;
            continue;
        }
        while (run_end < m->nr_pages && m->page[run_end] == MODEL_FREE)
            run_end++;
        while (idx < run_end) {
            unsigned k = canon_block(m, idx, run_end);

            m->canon[idx] = (int8_t)k;
            nr_free[k]++;
            idx += (uint32_t)1 << k;
        }
    }
}

unsigned model_free_block_of(const struct model *m, buddy_pfn_t pfn,
                             buddy_pfn_t *head)
{
    uint32_t target = (uint32_t)(pfn - m->start_pfn);
    uint32_t idx = target, run_end = target;

    while (idx > 0 && m->page[idx - 1] == MODEL_FREE)
        idx--;
    while (run_end < m->nr_pages && m->page[run_end] == MODEL_FREE)
        run_end++;
    for (;;) {
        unsigned k = canon_block(m, idx, run_end);

        if (target < idx + ((uint32_t)1 << k)) {
            *head = m->start_pfn + idx;
            return k;
        }
        idx += (uint32_t)1 << k;
    }
}

/* ---- allocation -------------------------------------------------------- */

static void live_add(struct model *m, uint32_t idx)
{
    m->live_pos[idx] = m->nr_live;
    m->live[m->nr_live++] = idx;
}

static void live_del(struct model *m, uint32_t idx)
{
    uint32_t pos = m->live_pos[idx], last = m->live[--m->nr_live];

    m->live[pos] = last;
    m->live_pos[last] = pos;
}

int model_alloc_expect(const struct model *m, unsigned order,
                       unsigned *from_order)
{
    uint64_t size, rel, nr_free[BUDDY_NR_ORDERS];
    bool found = false;
    unsigned k;

    if (order > m->max_order)
        return BUDDY_EORDER;
    /* The rule as stated: some naturally aligned run of 2^order free pages
     * inside the span. Candidates are disjoint, so this is O(nr_pages). */
    size = (uint64_t)1 << order;
    rel = (size - (m->start_pfn & (size - 1))) & (size - 1);
    for (; !found && rel + size <= m->nr_pages; rel += size) {
        uint64_t i;

        found = true;
        for (i = 0; i < size && found; i++)
            found = m->page[rel + i] == MODEL_FREE;
    }
    if (!found)
        return BUDDY_ENOMEM;
    /* Which list the block comes from: the smallest non-empty order above.
     * BUDDY_NR_ORDERS if none, which would mean the model contradicts
     * itself; the harness reports that. */
    model_canonical(m, nr_free);
    for (k = order; k <= m->max_order && nr_free[k] == 0; k++)
        ;
    *from_order = k <= m->max_order ? k : BUDDY_NR_ORDERS;
    return 0;
}

bool model_alloc_commit(struct model *m, buddy_pfn_t pfn, unsigned order)
{
    uint64_t size = (uint64_t)1 << order, rel = pfn - m->start_pfn, i;

    if (order > m->max_order || !model_in_span(m, pfn) ||
        (pfn & (size - 1)) != 0 || size > m->nr_pages - rel)
        return false;
    for (i = 0; i < size; i++)
        if (m->page[rel + i] != MODEL_FREE)
            return false;
    for (i = 0; i < size; i++) {
        m->page[rel + i] = i == 0 ? MODEL_HEAD : MODEL_INTERIOR;
        m->order[rel + i] = (uint8_t)order;
    }
    live_add(m, (uint32_t)rel);
    m->alloc_count[order]++;
    return true;
}

void model_alloc_failed(struct model *m)
{
    m->alloc_failures++;
}

/* ---- free -------------------------------------------------------------- */

/* The block with its head at idx goes back: all its pages become free. */
static void release(struct model *m, uint32_t idx)
{
    unsigned order = m->order[idx];
    uint32_t i;

    for (i = 0; i < (uint32_t)1 << order; i++)
        m->page[idx + i] = MODEL_FREE;
    live_del(m, idx);
    m->free_count[order]++;
}

static int reject(struct model *m, int err)
{
    m->rejected++;
    return err;
}

int model_pfn_order(const struct model *m, buddy_pfn_t pfn)
{
    uint32_t idx;

    if (!model_in_span(m, pfn))
        return BUDDY_ERANGE;
    idx = (uint32_t)(pfn - m->start_pfn);
    switch ((enum model_page)m->page[idx]) {
    case MODEL_HEAD:
        return m->order[idx];
    case MODEL_INTERIOR:
        return BUDDY_EINTERIOR;
    case MODEL_FREE:
        return BUDDY_EDOUBLEFREE;
    case MODEL_HOLE:
        return BUDDY_EHOLE;
    case MODEL_RESERVED:
        return BUDDY_ERESERVED;
    }
    return BUDDY_ECORRUPT;
}

/* A free's checks of the allocated head at pfn of `order`, in the
 * documented precedence (range, order, alignment, then the page), `also`
 * checked against max_order with order: 0, or the error, counted. */
static int check_head(struct model *m, buddy_pfn_t pfn, unsigned order,
                      unsigned also)
{
    int have;

    if (!model_in_span(m, pfn))
        return reject(m, BUDDY_ERANGE);
    if (order > m->max_order || also > m->max_order)
        return reject(m, BUDDY_EORDER);
    if (pfn & (((buddy_pfn_t)1 << order) - 1))
        return reject(m, BUDDY_EALIGN);
    have = model_pfn_order(m, pfn);
    if (have < 0)
        return reject(m, have);
    if ((unsigned)have != order)
        return reject(m, BUDDY_EWRONGORDER);
    return 0;
}

int model_free_pages(struct model *m, buddy_pfn_t pfn, unsigned order)
{
    int err = check_head(m, pfn, order, order);

    if (err != 0)
        return err;
    release(m, (uint32_t)(pfn - m->start_pfn));
    return 0;
}

int model_resize_pages(struct model *m, buddy_pfn_t pfn, unsigned order,
                       unsigned new_order)
{
    uint64_t rel = pfn - m->start_pfn, i, end;
    int err = check_head(m, pfn, order, new_order);

    if (err != 0)
        return err;
    if (new_order == order)
        return 0;
    if (new_order > order) {
        /* Every page it would take free and in the span, pfn aligned. */
        end = rel + ((uint64_t)1 << new_order);
        if ((pfn & (((buddy_pfn_t)1 << new_order) - 1)) != 0 ||
            end > m->nr_pages)
            return BUDDY_EBUSY;
        for (i = rel + ((uint64_t)1 << order); i < end; i++)
            if (m->page[i] != MODEL_FREE)
                return BUDDY_EBUSY;
        for (i = rel + 1; i < end; i++)
            m->page[i] = MODEL_INTERIOR;
    } else {
        end = rel + ((uint64_t)1 << order);
        for (i = rel + ((uint64_t)1 << new_order); i < end; i++)
            m->page[i] = MODEL_FREE;
        end = rel + ((uint64_t)1 << new_order);
    }
    for (i = rel; i < end; i++)
        m->order[i] = (uint8_t)new_order;
    m->free_count[order]++;
    m->alloc_count[new_order]++;
    return 0;
}

int model_free_pfn(struct model *m, buddy_pfn_t pfn)
{
    int have = model_pfn_order(m, pfn);

    if (have < 0)
        return reject(m, have);
    release(m, (uint32_t)(pfn - m->start_pfn));
    return 0;
}

/* The pfn of a page-aligned address inside the span, or an error. */
static int addr_to_pfn(const struct model *m, uintptr_t addr,
                       buddy_pfn_t *pfn)
{
    uintptr_t off;

    if (addr == 0)
        return BUDDY_ENULL;
    if (m->base == 0)
        return BUDDY_ENOBASE;
    if (addr < m->base)
        return BUDDY_ERANGE;
    off = addr - m->base;
    if ((uint64_t)(off >> m->page_shift) >= m->nr_pages)
        return BUDDY_ERANGE;
    if (off & (((uintptr_t)1 << m->page_shift) - 1))
        return BUDDY_EALIGN;
    *pfn = m->start_pfn + (off >> m->page_shift);
    return 0;
}

int model_free_ptr(struct model *m, uintptr_t addr)
{
    buddy_pfn_t pfn;
    int err = addr_to_pfn(m, addr, &pfn);

    if (err != 0)
        return reject(m, err);
    return model_free_pfn(m, pfn);
}

/* ---- ranges ------------------------------------------------------------ */

static int range_ok(const struct model *m, buddy_pfn_t pfn, uint64_t nr_pages)
{
    uint64_t rel = pfn - m->start_pfn;

    if (nr_pages == 0)
        return BUDDY_EINVAL;
    if (pfn < m->start_pfn || rel >= m->nr_pages ||
        nr_pages > m->nr_pages - rel)
        return BUDDY_ERANGE;
    return 0;
}

int model_add_range(struct model *m, buddy_pfn_t pfn, uint64_t nr_pages)
{
    int err = range_ok(m, pfn, nr_pages);
    uint32_t rel, i;

    if (err != 0)
        return reject(m, err);
    rel = (uint32_t)(pfn - m->start_pfn);
    for (i = 0; i < nr_pages; i++) {
        uint8_t p = m->page[rel + i];

        if (p == MODEL_FREE || p == MODEL_HEAD || p == MODEL_INTERIOR)
            return reject(m, BUDDY_EOVERLAP);
    }
    memset(m->page + rel, MODEL_FREE, (size_t)nr_pages);
    return 0;
}

int model_reserve(struct model *m, buddy_pfn_t pfn, uint64_t nr_pages)
{
    int err = range_ok(m, pfn, nr_pages);
    uint32_t rel, i;

    if (err != 0)
        return reject(m, err);
    rel = (uint32_t)(pfn - m->start_pfn);
    /* The first offending page in address order decides the error. */
    for (i = 0; i < nr_pages; i++) {
        uint8_t p = m->page[rel + i];

        if (p == MODEL_HEAD || p == MODEL_INTERIOR)
            return reject(m, BUDDY_EBUSY);
        if (p == MODEL_HOLE)
            return reject(m, BUDDY_EHOLE);
    }
    memset(m->page + rel, MODEL_RESERVED, (size_t)nr_pages);
    return 0;
}

/* ---- the byte API ------------------------------------------------------ */

int model_size_to_order(const struct model *m, size_t size)
{
    uint64_t page_mask = ((uint64_t)1 << m->page_shift) - 1;
    uint64_t npages = ((uint64_t)size >> m->page_shift) +
                      (((uint64_t)size & page_mask) != 0);
    unsigned order = 0;

    if (size == 0)
        return BUDDY_EZERO;
    while (((uint64_t)1 << order) < npages)
        order++;
    if (order > m->max_order)
        return BUDDY_EORDER;
    return (int)order;
}

size_t model_addr_align(const struct model *m)
{
    uintptr_t origin;
    unsigned a, shift;

    if (m->base == 0)
        return 0;
    /* Block addresses are aligned as far as the address of pfn 0 (which may
     * wrap) is. */
    origin = m->base - (uintptr_t)(m->start_pfn << m->page_shift);
    a = origin == 0 ? 63u : align_order(origin, 63u);
    shift = m->max_order + m->page_shift;
    if (a < shift)
        shift = a;
    if (shift > sizeof(size_t) * 8u - 1u)
        shift = sizeof(size_t) * 8u - 1u;
    return (size_t)1 << shift;
}

size_t model_usable_size(const struct model *m, uintptr_t addr)
{
    buddy_pfn_t pfn;
    int order;

    if (addr_to_pfn(m, addr, &pfn) != 0)
        return 0;
    order = model_pfn_order(m, pfn);
    if (order < 0)
        return 0;
    return (size_t)1 << ((unsigned)order + m->page_shift);
}

int model_alloc_aligned_order(const struct model *m, size_t size,
                              size_t align, unsigned *order)
{
    int o = model_size_to_order(m, size);

    if (o < 0 || m->base == 0 || align == 0 || (align & (align - 1)) != 0)
        return -1;
    if (align > ((size_t)1 << m->page_shift)) {
        unsigned need = 0;

        while (((size_t)1 << need) < align)
            need++;
        need -= m->page_shift;
        if (align > model_addr_align(m))
            return -1;
        if ((unsigned)o < need)
            o = (int)need;
    }
    *order = (unsigned)o;
    return 0;
}
