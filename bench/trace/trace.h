/* SPDX-License-Identifier: MIT */
/*
 * trace.h: the record a malloc trace is made of (record.c writes them,
 * replay.c reads them): four 64-bit words in the machine's byte order.
 */
#ifndef BENCH_TRACE_H
#define BENCH_TRACE_H

#include <stdint.h>

enum { TRACE_ALLOC = 1, TRACE_FREE = 2, TRACE_REALLOC = 3 };

struct trace_rec {
    uint64_t op;   /* TRACE_* */
    uint64_t ptr;  /* returned (0: the call failed), or freed */
    uint64_t old;  /* a realloc's pointer given, else 0 */
    uint64_t size; /* asked */
};

#endif
