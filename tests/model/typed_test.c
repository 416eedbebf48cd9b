/* SPDX-License-Identifier: MIT */
/*
 * typed_test.c: randomised runs of typed allocation, free, isolation and
 * its undo (typed_engine.c says what each run checks) on zones of many
 * shapes: pageblock orders from 1 to max_order, grouping on and off,
 * unaligned starts. Seeded, the same every run: `typed_test SEED` repeats
 * one.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "rng.h"
#include "typed_engine.h"

#define RUNS 40u
#define STEPS 4000u

/* A number in [0, n), n at least 1. */
static uint32_t below(struct rng *r, uint32_t n)
{
    return (uint32_t)rng_below(r, n);
}

static bool one_run(uint64_t seed)
{
    struct rng g = {seed};
    struct typed t;
    unsigned max_order = 1 + below(&g, 10);
    unsigned pbo = below(&g, 2) ? 0 : 1 + below(&g, max_order);
    bool grouping = below(&g, 4) != 0;
    uint32_t pages = 1 + below(&g, 3000);
    buddy_pfn_t start = below(&g, 2) ? 0 : below(&g, 5000);
    unsigned step;
    bool ok;

    if (typed_init(&t, start, pages, max_order, pbo, grouping)) {
        for (step = 0; step < STEPS && !t.failed; step++) {
            uint32_t op = below(&g, 100);

            if (op < 10) {
                static const unsigned reserves[] = {
                    0, BUDDY_GFP_HIGH, BUDDY_GFP_NOWAIT, BUDDY_GFP_ATOMIC,
                    BUDDY_GFP_MEMALLOC};

                typed_alloc_flags(&t, below(&g, 3) <= max_order
                                          ? below(&g, 3)
                                          : 0,
                                  below(&g, 3), reserves[below(&g, 5)]);
            } else if (op < 50) {
                unsigned small = below(&g, 3), any = below(&g, max_order + 1);

                typed_alloc(&t, below(&g, 10) < 7 && small <= max_order
                                    ? small
                                    : any,
                            below(&g, 3));
            } else if (op < 90) {
                typed_free(&t, below(&g, TYPED_MAX_LIVE));
            } else if (op < 95) {
                typed_isolate(&t, below(&g, pages), below(&g, pages));
            } else {
                typed_undo(&t, below(&g, pages), below(&g, pages));
            }
        }
        if (!t.failed)
            typed_finish(&t);
    }
    ok = !t.failed;
    if (!ok)
        fprintf(stderr, "FAIL typed: seed %" PRIu64 "\n", seed);
    typed_destroy(&t);
    return ok;
}

int main(int argc, char **argv)
{
    unsigned n;

    if (argc > 1)
        return one_run(strtoull(argv[1], NULL, 10)) ? 0 : 1;
    for (n = 0; n < RUNS; n++)
        if (!one_run(1000 + n))
            return 1;
    printf("ok typed: %u runs of %u steps\n", RUNS, STEPS);
    return 0;
}
