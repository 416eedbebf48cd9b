/* SPDX-License-Identifier: MIT */
/*
 * cache_test.c: random operation sequences through a per-CPU cache, against
 * the reference model (cache_engine.h says what is compared).
 *
 * Prints its seed first. BUDDY_SEED=N (or argv[1]) re-runs a seed,
 * BUDDY_STEPS=N sets the steps per configuration. A failure prints the
 * seed, the configuration, the step and what disagreed.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "cache_engine.h"

static uint64_t rng_state;

static uint64_t rng_next(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15u);

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

int main(int argc, char **argv)
{
    /* start, pages, max_order, cache max_order, batch, high */
    static const struct cache_engine_config fixed[] = {
        {0, 64, 6, {3, 8, 24}, 16},
        {3, 500, 10, {3, 63, 378}, 32},   /* Linux's old defaults, odd start */
        {0, 2048, 10, {3, 63, 0}, 32},    /* our defaults: high scaled */
        {0, 2048, 10, {10, 63, 512}, 32}, /* every order up to 10 */
        {0, 16, 4, {2, 1, 1}, 8},         /* the smallest cache */
        {1000, 300, 5, {0, 4, 8}, 16},
        {0, 1024, 10, {7, 32, 64}, 64},   /* orders up to 7 */
        {5, 129, 0, {0, 2, 4}, 8},        /* max_order 0 */
    };
    const char *env;
    uint64_t seed = 20261122;
    unsigned long steps = 4000;
    unsigned runs = sizeof(fixed) / sizeof(fixed[0]) + 6;

    if (argc > 1)
        seed = strtoull(argv[1], NULL, 10);
    else if ((env = getenv("BUDDY_SEED")) != NULL)
        seed = strtoull(env, NULL, 10);
    if ((env = getenv("BUDDY_STEPS")) != NULL)
        steps = strtoul(env, NULL, 10);
    printf("cache_test: seed %" PRIu64 ", %u configurations x %lu steps\n",
           seed, runs, steps);
    rng_state = seed;
    for (unsigned r = 0; r < runs; r++) {
        struct cache_engine_config c;
        struct cache_engine e;

        if (r < sizeof(fixed) / sizeof(fixed[0])) {
            c = fixed[r];
        } else { /* random ones */
            c.start_pfn = rng_next() % 2000;
            c.nr_pages = (uint32_t)(rng_next() % 700 + 1);
            c.max_order = (unsigned)(rng_next() % 11);
            c.pcp.max_order = (unsigned)(rng_next() % (c.max_order + 1));
            if (c.pcp.max_order > BUDDY_PCP_ORDER_LIMIT)
                c.pcp.max_order = BUDDY_PCP_ORDER_LIMIT;
            c.pcp.batch = (unsigned)(rng_next() % 64 + 1);
            c.pcp.high = c.pcp.batch + (unsigned)(rng_next() % 200);
            c.drain_every = (unsigned)(rng_next() % 60 + 1);
        }
        if (cache_engine_init(&e, &c) != 0) {
            fprintf(stderr, "cache_test: run %u: %s\n", r, e.err);
            return 1;
        }
        /* Most of the zone given in one range (a lazy run), the rest left
         * as holes for add_range to find. */
        cache_engine_step(&e, 9, 0, 0);
        for (unsigned long s = 0; s < steps; s++) {
            unsigned op = (unsigned)(rng_next() % 100);
            uint32_t a = (uint32_t)rng_next(), b = (uint32_t)rng_next();

            /* Weighted: mostly allocations (typed ones too) and frees, as
             * a cache sees. */
            op = op < 18 ? 0 : op < 30 ? 10 : op < 45 ? 1 : op < 55 ? 2
                 : op < 62 ? 3
                 : op < 70 ? 4 : op < 75 ? 5 : op < 82 ? 6 : op < 86 ? 7
                 : op < 90 ? 8 : 9;
            if (op == 9 && (b & 3) != 0) /* big ranges now and then */
                a = 0, b = 24;
            if (cache_engine_step(&e, op, a, b) != 0) {
                fprintf(stderr,
                        "cache_test: FAILED seed %" PRIu64 " run %u step %lu\n"
                        "  zone start %" PRIu64 " pages %u max_order %u, "
                        "cache max_order %u batch %u high %u\n"
                        "  op: %s\n  %s\n  re-run: BUDDY_SEED=%" PRIu64
                        " ./cache_test\n",
                        seed, r, s, c.start_pfn, c.nr_pages, c.max_order,
                        c.pcp.max_order, c.pcp.batch, c.pcp.high, e.op, e.err,
                        seed);
                cache_engine_destroy(&e);
                return 1;
            }
        }
        if (cache_engine_check_drained(&e) != 0) {
            fprintf(stderr, "cache_test: seed %" PRIu64 " run %u final: %s\n",
                    seed, r, e.err);
            return 1;
        }
        cache_engine_destroy(&e);
    }
    printf("cache_test: ok\n");
    return 0;
}
