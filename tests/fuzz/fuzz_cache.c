/* SPDX-License-Identifier: MIT */
/*
 * fuzz_cache.c: the libFuzzer target for a zone behind a per-CPU cache,
 * driving tests/model/cache_engine.c (the reference model, with the checks
 * cache_engine.h lists) from the input bytes. abort()s on any disagreement.
 *
 * Input: 6 header bytes, then 5 bytes per operation:
 *   header  [0..1] pages - 1 (mod 600), [2] start pfn, [3] max_order (mod 11),
 *           [4] cache max_order / batch, [5] high / how often to drain
 *   op      [0] operation (cache_engine_step: typed allocation
 *           included), [1..2] a, [3..4] b
 * The first operation is always "give the whole zone" so inputs start with
 * memory to work on; the rest come from the bytes.
 */
#include <stdio.h>
#include <stdlib.h>

#include "cache_engine.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct cache_engine_config c;
    struct cache_engine e;

    if (size < 6)
        return 0;
    c.nr_pages = (uint32_t)((data[0] | data[1] << 8) % 600u + 1u);
    c.start_pfn = data[2];
    c.max_order = data[3] % 11u;
    c.pcp.max_order = (data[4] & 7u) % (c.max_order + 1u);
    c.pcp.batch = (data[4] >> 3) + 1u;
    c.pcp.high = c.pcp.batch + (data[5] & 0x3fu);
    c.drain_every = (data[5] >> 6) * 8u + 1u;
    if (cache_engine_init(&e, &c) != 0) {
        fprintf(stderr, "fuzz_cache: init: %s\n", e.err);
        abort();
    }
    if (cache_engine_step(&e, 9, 0, c.nr_pages) != 0)
        goto mismatch;
    for (size_t i = 6; i + 5 <= size; i += 5) {
        uint32_t a = (uint32_t)(data[i + 1] | data[i + 2] << 8);
        uint32_t b = (uint32_t)(data[i + 3] | data[i + 4] << 8);

        if (cache_engine_step(&e, data[i], a, b) != 0)
            goto mismatch;
    }
    if (cache_engine_check_drained(&e) != 0)
        goto mismatch;
    cache_engine_destroy(&e);
    return 0;

mismatch:
    fprintf(stderr, "fuzz_cache: MISMATCH at step %u: %s: %s\n", e.steps,
            e.op, e.err);
    abort();
}
