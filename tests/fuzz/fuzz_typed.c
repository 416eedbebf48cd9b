/* SPDX-License-Identifier: MIT */
/*
 * fuzz_typed.c: libFuzzer target for typed allocation, isolation and its
 * undo (tests/model/typed_engine.c checks each operation against its
 * reference model of types: return codes, free blocks per order and type,
 * pageblock types, claims, steals, watermark decisions; and placement,
 * the validator, the zone whole again at the end). A failed check
 * aborts.
 *
 * Input format (missing bytes read as 0, so every input is valid):
 *
 *   byte 0-1  nr_pages = 1 + (b0 | b1 << 8) % 600
 *   byte 2    start_pfn = b2 * 7 (0 when b2 is 0)
 *   byte 3    max_order = 1 + b3 % 10
 *   byte 4    bit 0: grouping off; bits 1..: pageblock_order =
 *             (b4 >> 1) % (max_order + 1), 0 the default
 *   then 4 bytes per operation: opcode (low 2 bits: alloc, free,
 *   isolate, undo; an alloc with bit 2 set goes through the zone's
 *   watermarks, its reserves chosen by the third parameter) and three
 *   parameters.
 *
 * The saved corpus in tests/fuzz/corpus_typed is replayed by ctest.
 */
#include <stdint.h>
#include <stdlib.h>

#include "typed_engine.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_MAX_PAGES 600u

static uint8_t byte_at(const uint8_t *data, size_t size, size_t i)
{
    return i < size ? data[i] : 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct typed t;
    uint32_t pages = 1u + ((uint32_t)byte_at(data, size, 0) |
                           (uint32_t)byte_at(data, size, 1) << 8) %
                              FUZZ_MAX_PAGES;
    buddy_pfn_t start = (buddy_pfn_t)byte_at(data, size, 2) * 7u;
    unsigned max_order = 1u + byte_at(data, size, 3) % 10u;
    uint8_t b4 = byte_at(data, size, 4);
    unsigned pbo = (b4 >> 1) % (max_order + 1u);
    static const unsigned reserves[] = {0, BUDDY_GFP_HIGH, BUDDY_GFP_NOWAIT,
                                        BUDDY_GFP_ATOMIC, BUDDY_GFP_MEMALLOC};
    size_t pos;

    if (!typed_init(&t, start, pages, max_order, pbo, !(b4 & 1u)))
        abort();
    for (pos = 5; pos < size && !t.failed; pos += 4) {
        uint8_t op = byte_at(data, size, pos);
        uint8_t p1 = byte_at(data, size, pos + 1);
        uint8_t p2 = byte_at(data, size, pos + 2);
        uint8_t p3 = byte_at(data, size, pos + 3);

        switch (op & 3u) {
        case 0:
            if (op & 4u) /* through the zone's watermarks */
                typed_alloc_flags(&t, p1 % (max_order + 1u), p2 % 3u,
                                  reserves[p3 % 5u]);
            else
                typed_alloc(&t, p1 % (max_order + 1u), p2 % 3u);
            break;
        case 1:
            typed_free(&t, (unsigned)p1 | (unsigned)p2 << 8);
            break;
        case 2:
            typed_isolate(&t, (uint32_t)p1 | (uint32_t)p2 << 8, p3);
            break;
        default:
            typed_undo(&t, (uint32_t)p1 | (uint32_t)p2 << 8, p3);
            break;
        }
    }
    if (!t.failed)
        typed_finish(&t);
    if (t.failed)
        abort();
    typed_destroy(&t);
    return 0;
}
