/* SPDX-License-Identifier: MIT */
/*
 * workload.c: the playground's random workload, as script lines.
 *
 * pg_workload_next() looks at the zone (its counters and a walk, through the
 * public API) and proposes the next command, "alloc ORDER" or "free PFN", as
 * text in pg_out(). It runs nothing itself: the page runs the line through
 * pg_exec like any other, so the workload is part of the session's trace and
 * replays exactly. The generator is a seeded xorshift32, one per slot, so a
 * seed and a starting state give the same sequence in the browser, in node and in
 * tests.
 *
 * Policy: the fuller the zone, the likelier a free. Allocation orders are
 * geometric (order k with probability 2^-(k+1), capped at max_order), the
 * small-request-heavy mix that fragments a buddy heap over time; a free
 * picks one allocated block uniformly.
 */
#include "playground.h"
#include "text.h"

#define RNG_DEFAULT 0x9e3779b9u

/* One generator per slot, so figures that animate on their own never
 * disturb the playground's sequence. 0 means "not seeded yet". */
static uint32_t rng_state[PG_SLOTS];

/* Seed the slot's generator; any seed is fine (0 is mapped to a nonzero
 * state). */
void PG_EXPORT(pg_workload_seed)(uint32_t slot, uint32_t seed)
{
    /* One round of a 32-bit finaliser so that nearby seeds diverge. */
    seed ^= seed >> 16;
    seed *= 0x7feb352du;
    seed ^= seed >> 15;
    seed *= 0x846ca68bu;
    seed ^= seed >> 16;
    if (slot < PG_SLOTS)
        rng_state[slot] = seed != 0 ? seed : RNG_DEFAULT;
}

/* xorshift32 (Marsaglia): period 2^32 - 1 over nonzero states. */
static uint32_t next_random(uint32_t slot)
{
    uint32_t x = rng_state[slot] != 0 ? rng_state[slot] : RNG_DEFAULT;

    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    rng_state[slot] = x;
    return x;
}

struct pick {
    uint32_t target; /* index of the allocated block wanted */
    uint32_t seen;   /* allocated blocks passed so far */
    uint64_t pfn;    /* the one picked */
};

static int count_allocated(void *arg, const struct buddy_block *b)
{
    uint32_t *n = arg;

    if (b->kind == BUDDY_BLOCK_ALLOCATED)
        (*n)++;
    return 0;
}

static int pick_allocated(void *arg, const struct buddy_block *b)
{
    struct pick *p = arg;

    if (b->kind != BUDDY_BLOCK_ALLOCATED)
        return 0;
    if (p->seen++ == p->target) {
        p->pfn = b->pfn;
        return 1;
    }
    return 0;
}

/* The next command for the slot's zone, into pg_out(); returns its length
 * (0 when the slot has no zone). */
uint32_t PG_EXPORT(pg_workload_next)(uint32_t slot)
{
    struct buddy_zone *z = pg__zone(slot);
    struct pg_text *t = pg__out_reset();
    uint32_t managed, allocated, nr_alloc = 0, max_order, order;
    uint32_t alloc_chance;

    if (z == NULL)
        return 0;
    managed = pg_stat(slot, PG_STAT_MANAGED);
    allocated = pg_stat(slot, PG_STAT_ALLOCATED);
    max_order = pg_max_order(slot);
    buddy_zone_walk(z, count_allocated, &nr_alloc);

    /* 80% allocations when empty, falling to 10% when full. */
    alloc_chance = managed == 0 ? 100u
                                : 80u - (uint32_t)((uint64_t)70u * allocated /
                                                   managed);
    if (nr_alloc == 0 || next_random(slot) % 100u < alloc_chance) {
        uint32_t bits = next_random(slot);

        for (order = 0; order < max_order && (bits & 1u); order++)
            bits >>= 1;
        pg_text_str(t, "alloc ");
        pg_text_u64(t, order, 0);
    } else {
        struct pick p = {next_random(slot) % nr_alloc, 0, 0};

        buddy_zone_walk(z, pick_allocated, &p);
        pg_text_str(t, "free ");
        pg_text_u64(t, p.pfn, 0);
    }
    return (uint32_t)t->len;
}
