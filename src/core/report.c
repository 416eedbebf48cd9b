/* SPDX-License-Identifier: MIT */
/*
 * report.c: free page reporting, the kernel's mm/page_reporting.c for an
 * embedder (include/buddy/buddy.h says what it promises).
 *
 * A free that leaves a block of min_order or more notes the block's head
 * in the zone's fixed array; a report reads each note's state byte, under
 * the lock, and passes on those heads that are still FREE blocks of
 * min_order or more. A note whose block merged on into a larger one is
 * dropped: the free that merged it noted the larger block's head. When
 * the array is full a report walks the free lists instead.
 */
#include "internal.h"

void buddy__note_free(struct buddy_zone *z, uint32_t idx)
{
    uint32_t head = buddy__block_head(z, idx);
    uint8_t s;

    buddy_assert_locked(z);
    if (head == BUDDY_NIL)
        return;
    s = pg_get(z, head);
    if (pg_kind(s) != BUDDY_BLOCK_FREE || pg_order(s) < z->reporter.min_order)
        return;
    if (z->nr_noted > 0 && z->noted[z->nr_noted - 1] == head)
        return; /* freed, taken and freed again since */
    if (z->nr_noted == 0 && !z->noted_overflow && z->reporter.notify != NULL)
        z->reporter.notify(z->reporter.arg);
    if (z->nr_noted < BUDDY_FREE_REPORT_PENDING)
        z->noted[z->nr_noted++] = head;
    else
        z->noted_overflow = true;
}

int buddy_zone_set_free_reporter(struct buddy_zone *z,
                                 const struct buddy_free_reporter *r)
{
    if (!buddy__zone_ok(z))
        return BUDDY_EBADZONE;
    if (r != NULL && r->report == NULL)
        return BUDDY_ENULL;
    if (r != NULL && r->min_order > z->max_order)
        return BUDDY_EORDER;
    buddy__lock(z);
    if (r != NULL)
        z->reporter = *r;
    else
        buddy_memset(&z->reporter, 0, sizeof(z->reporter));
    z->nr_noted = 0;
    z->noted_overflow = false;
    buddy__unlock(z);
    return 0;
}

struct batch {
    struct buddy_free_range r[BUDDY_FREE_REPORT_BATCH];
    unsigned n;
    uint64_t total;
};

static void batch_add(struct buddy_zone *z, struct batch *b, uint32_t idx,
                      unsigned order)
{
    b->r[b->n].pfn = z->start_pfn + idx;
    b->r[b->n].order = order;
    b->total++;
    if (++b->n == BUDDY_FREE_REPORT_BATCH) {
        z->reporter.report(z->reporter.arg, b->r, b->n);
        b->n = 0;
    }
}

uint64_t buddy_zone_report_free(struct buddy_zone *z)
{
    struct batch b;
    uint32_t i;

    if (!buddy__zone_ok(z))
        return 0;
    b.n = 0;
    b.total = 0;
    buddy__lock(z);
    if (z->reporter.report == NULL) {
        buddy__unlock(z);
        return 0;
    }
    if (z->noted_overflow) { /* every free block of min_order and above */
        unsigned order, mt;

        for (order = z->reporter.min_order; order <= z->max_order; order++)
            for (mt = 0; mt < BUDDY_MIGRATE_TYPES; mt++) {
                uint32_t at = z->free_area[order].list[mt].head;

                for (; at != BUDDY_NIL; at = z->frame[at].l.next)
                    batch_add(z, &b, at, order);
            }
    } else {
        for (i = 0; i < z->nr_noted; i++) {
            uint8_t s = pg_get(z, z->noted[i]);

            if (pg_kind(s) == BUDDY_BLOCK_FREE &&
                pg_order(s) >= z->reporter.min_order)
                batch_add(z, &b, z->noted[i], pg_order(s));
        }
    }
    if (b.n > 0)
        z->reporter.report(z->reporter.arg, b.r, b.n);
    z->nr_noted = 0;
    z->noted_overflow = false;
    buddy__unlock(z);
    return b.total;
}
